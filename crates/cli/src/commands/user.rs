//! `duban user`: accounts managed on the console (the first administrator is made here).
use anyhow::bail;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Add a user with one role; prints a random initial password that must be changed at first login.
    Add {
        username: String,
        /// admin, auditor, supervisor, reporter, approver, leader or reviewer
        #[arg(long)]
        role: String,
        /// Code of the user's unit
        #[arg(long)]
        unit: String,
        /// Data scope: own, subtree or all
        #[arg(long, default_value = "own")]
        scope: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new random password that must be changed at first login.
    Passwd { username: String },
    /// Lock an account (it cannot log in; its sessions end) until unlocked.
    Lock { username: String },
    /// Unlock an account and clear its failed-login count.
    Unlock { username: String },
    /// Lift the lock on a source address after too many failed sign-ins from it (an
    /// office's shared exit), and the locks of every account from it.
    Unblock { address: String },
    /// Switch local passwords on or off for everyone (off only with an [oidc] identity
    /// platform configured): the way back when the web page cannot be reached.
    PasswordLogin {
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

pub async fn run(
    db: &duban_app::Db,
    action: &UserAction,
    sso_configured: bool,
) -> anyhow::Result<()> {
    use duban_app::accounts;
    // Commands on the server's console act as the console, and are audited as such.
    let console = duban_app::unit_of_work::Console::open();
    match action {
        UserAction::Add {
            username,
            role,
            unit,
            scope,
            name,
        } => {
            let role =
                duban_domain::Role::parse("--role", role).map_err(|e| anyhow::anyhow!("{e}"))?;
            let scope = duban_domain::access::Scope::parse("--scope", scope, &[])
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let Some(u) = duban_store::units::by_code(db, unit).await? else {
                bail!("no unit has the code '{unit}'");
            };
            let pw = accounts::random_password();
            accounts::create_user(
                &console,
                db,
                username,
                name.as_deref().unwrap_or(username),
                u.id,
                &pw,
                true,
                &[accounts::grant(role, scope)],
            )
            .await?;
            println!(
                "user {username} ({}) created in {}; initial password (change at first login): {pw}",
                role.zh(),
                u.name
            );
        }
        UserAction::Passwd { username } => {
            let pw = accounts::random_password();
            if !accounts::set_password(&console, db, username, &pw, true).await? {
                bail!("no user is called '{username}'");
            }
            println!("new password for {username} (change at first login): {pw}");
        }
        UserAction::Lock { username } | UserAction::Unlock { username } => {
            let lock = matches!(action, UserAction::Lock { .. });
            if !accounts::set_locked(&console, db, username, lock).await? {
                bail!("no user is called '{username}'");
            }
            println!("{username} {}", if lock { "locked" } else { "unlocked" });
        }
        UserAction::Unblock { address } => {
            if address.parse::<std::net::IpAddr>().is_err() {
                bail!("'{address}' is not an IP address");
            }
            accounts::unblock_source(&console, db, address).await?;
            println!("sign-ins from {address} are no longer blocked");
        }
        UserAction::PasswordLogin { state } => {
            let on = state == "on";
            duban_app::settings::set_password_login(&console, db, on, sso_configured).await?;
            println!(
                "local passwords are {}",
                if on { "accepted" } else { "switched off" }
            );
        }
    }
    Ok(())
}
