//! Accounts: password hashing (argon2) and user creation.

use crate::AppError;
use crate::unit_of_work::{Console, UnitOfWork};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_domain::ids::UserId;
use duban_domain::unit::UnitId;
use duban_store::Db;
use duban_store::users::{self, NewUser};
use rand::Rng;
use rand::rngs::OsRng;

pub fn hash_password(pw: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal("argon2", e.to_string()))
}

pub fn verify_password(pw: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|h| Argon2::default().verify_password(pw.as_bytes(), &h).is_ok())
}

/// A random password that satisfies the policy: 14 characters from four classes,
/// without look-alike characters.
pub fn random_password() -> String {
    const SETS: [&[u8]; 4] = [
        b"abcdefghijkmnpqrstuvwxyz",
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"23456789",
        b"!@#%+=?",
    ];
    let mut rng = OsRng;
    let mut chars: Vec<u8> = SETS.iter().map(|s| s[rng.gen_range(0..s.len())]).collect();
    let all: Vec<u8> = SETS.concat();
    while chars.len() < 14 {
        chars.push(all[rng.gen_range(0..all.len())]);
    }
    for i in (1..chars.len()).rev() {
        chars.swap(i, rng.gen_range(0..=i));
    }
    String::from_utf8(chars).expect("ascii")
}

/// Create a user with a password that must satisfy the policy (the console).
#[allow(clippy::too_many_arguments)]
pub async fn create_user(
    console: &Console,
    db: &Db,
    username: &str,
    display_name: &str,
    unit_id: UnitId,
    password: &str,
    must_change: bool,
    grants: &[RoleGrant],
) -> Result<i64, AppError> {
    duban_domain::password::check("password", password)?;
    let hash = hash_password(password)?;
    let mut w = console.write(db).await?;
    let id = users::insert(
        w.tx(),
        &NewUser {
            username,
            display_name,
            unit_id,
            password_hash: &hash,
            must_change_password: must_change,
            grants,
        },
    )
    .await?;
    let after = serde_json::json!({ "username": username, "display_name": display_name, "unit_id": unit_id, "roles": grants });
    w.audit("user.create", "user", id, crate::audit::NONE, Some(&after));
    w.commit().await?;
    Ok(id)
}

/// Set a new password (policy checked; the console); returns false when the user does
/// not exist.
pub async fn set_password(
    console: &Console,
    db: &Db,
    username: &str,
    password: &str,
    must_change: bool,
) -> Result<bool, AppError> {
    duban_domain::password::check("password", password)?;
    let Some(u) = users::by_username(db, username).await? else {
        return Ok(false);
    };
    let hash = hash_password(password)?;
    let mut w = console.write(db).await?;
    users::set_password(w.tx(), u.id, &hash, must_change).await?;
    duban_store::sessions::delete_for_user(w.tx(), u.id).await?;
    user_action(&mut w, "user.reset_password", u.id);
    w.commit().await?;
    Ok(true)
}

/// An action on a user account with no before or after worth keeping.
fn user_action(w: &mut UnitOfWork<'_>, action: impl Into<String>, user: i64) {
    w.audit(action, "user", user, crate::audit::NONE, crate::audit::NONE);
}

pub fn grant(role: Role, scope: Scope) -> RoleGrant {
    RoleGrant { role, scope }
}

/// An administrative lock (from the console): far in the future, until unlocked.
/// Returns false when the user does not exist.
pub async fn set_locked(
    console: &Console,
    db: &Db,
    username: &str,
    lock: bool,
) -> Result<bool, AppError> {
    let Some(u) = users::by_username(db, username).await? else {
        return Ok(false);
    };
    let mut w = console.write(db).await?;
    users::set_login_state(w.tx(), u.id, 0, lock.then_some(LOCKED_FOREVER)).await?;
    if !lock {
        duban_store::sessions::clear_account_throttle(w.tx(), u.id).await?;
    }
    if lock {
        duban_store::sessions::delete_for_user(w.tx(), u.id).await?;
    }
    user_action(&mut w, if lock { "user.lock" } else { "user.unlock" }, u.id);
    w.commit().await?;
    Ok(true)
}

/// The actor of commands run on the server's console (`duban user …`, the demo set-up).
pub fn console(unit_id: UnitId) -> crate::access::Actor {
    crate::access::Actor {
        user_id: UserId::new(0),
        username: "(console)".into(),
        display_name: "(console)".into(),
        unit_id,
        ip: "local".into(),
        token_id: None,
    }
}

/// The `locked_until` of an administrative lock (year 9999).
pub const LOCKED_FOREVER: i64 = 253_402_300_799_000;

/// A user account as the administrator submits it.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[schemars(regex(pattern = r"^\s*[A-Za-z0-9._-]{2,32}\s*$"))]
    pub username: String,
    #[schemars(length(min = 1, max = 50), regex(pattern = r"\S"))]
    pub display_name: String,
    #[schemars(range(min = 1))]
    pub unit_id: UnitId,
    pub roles: Vec<GrantInput>,
    /// Only on update: archive (true) or restore (false) the account.
    #[serde(default)]
    pub archived: Option<bool>,
}

#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    #[schemars(with = "duban_domain::Role")]
    pub role: String,
    /// own | subtree | units | all (the user's organisation) | global (every organisation)
    pub scope: String,
    #[serde(default)]
    pub units: Vec<UnitId>,
}

fn parse_grants(
    can: &crate::access::Can<crate::access::ManageUsers>,
    roles: &[GrantInput],
) -> Result<Vec<RoleGrant>, AppError> {
    let mut e = duban_domain::ValidationErrors::default();
    let mut out: Vec<RoleGrant> = Vec::new();
    for (i, g) in roles.iter().enumerate() {
        let f = format!("roles[{i}]");
        let role = e.take(Role::parse(&format!("{f}.role"), &g.role));
        let scope = e.take(Scope::parse(&format!("{f}.scope"), &g.scope, &g.units));
        for u in &g.units {
            if let Err(AppError::Invalid(x)) = can.check_target(&format!("{f}.units"), *u) {
                e.0.extend(x.0);
            }
        }
        // Only an administrator over every organisation grants a scope over every one.
        // (by the granter's own scope: "all" of a single organisation reaches everything
        // today, but would not span an organisation added tomorrow).
        let granter_global = can.caller().grants().iter().any(|g| {
            g.scope == Scope::Global
                && duban_domain::access::capabilities(g.role)
                    .contains(&duban_domain::access::Capability::ManageUsers)
        });
        if scope == Some(Scope::Global) && !granter_global {
            e.push(duban_domain::FieldError::new(
                format!("{f}.scope"),
                "forbidden",
                "只有管理全部组织的管理员可以授予“跨组织”范围",
                "only an administrator over every organisation may grant a cross-organisation scope",
            ));
        }
        if let (Some(role), Some(scope)) = (role, scope) {
            if out.iter().any(|o| o.role == role) {
                e.push(duban_domain::FieldError::new(
                    &f,
                    "duplicate",
                    "同一角色只能授予一次",
                    "a role can be granted once",
                ));
            }
            out.push(RoleGrant { role, scope });
        }
    }
    // Separation of duties: the system roles are never combined with business roles.
    let system = out
        .iter()
        .filter(|g| matches!(g.role, Role::Admin | Role::Auditor))
        .count();
    if system > 0 && out.len() > 1 {
        e.push(duban_domain::FieldError::new(
            "roles",
            "separation_of_duties",
            "系统管理员、审计管理员不能与其他角色兼任",
            "the admin and auditor roles cannot be combined with any other role",
        ));
    }
    e.into_result(|| out).map_err(AppError::from)
}

/// Create a user with a random initial password that must be changed at first login.
pub async fn admin_create(
    db: &Db,
    can: &crate::access::Can<crate::access::ManageUsers>,
    u: &UserInput,
) -> Result<(i64, String), AppError> {
    let mut e = duban_domain::ValidationErrors::default();
    let username = duban_domain::text::normalize(&u.username);
    if !valid_username(&username) {
        e.push(duban_domain::FieldError::new(
            "username",
            "username",
            "用户名为2—32位字母、数字或“._-”",
            "a user name is 2 to 32 letters, digits or '._-'",
        ));
    }
    let display = e.take(duban_domain::text::field(
        "display_name",
        &u.display_name,
        50,
        true,
    ));
    if let Err(AppError::Invalid(x)) = can.check_target("unit_id", u.unit_id) {
        e.0.extend(x.0);
    }
    let grants = match parse_grants(can, &u.roles) {
        Ok(g) => g,
        Err(AppError::Invalid(x)) => {
            e.0.extend(x.0);
            vec![]
        }
        Err(other) => return Err(other),
    };
    let display = e.into_result(|| display.expect("checked"))?;
    let mut w = can.write(db).await?;
    let (id, password) = create_in(&mut w, &username, &display, u.unit_id, &grants).await?;
    w.commit().await?;
    Ok((id, password))
}

/// Create a checked account in a write, with a random initial password that must be
/// changed at first login (returned, to be handed over once); audited.
pub(crate) async fn create_in(
    w: &mut crate::unit_of_work::UnitOfWork<'_>,
    username: &str,
    display: &str,
    unit_id: UnitId,
    grants: &[RoleGrant],
) -> Result<(i64, String), AppError> {
    let password = random_password();
    let hash = hash_password(&password)?;
    let id = users::insert(
        w.tx(),
        &NewUser {
            username,
            display_name: display,
            unit_id,
            password_hash: &hash,
            must_change_password: true,
            grants,
        },
    )
    .await
    .map_err(|e| match e {
        duban_store::StoreError::Duplicate(_) => {
            AppError::Conflict(format!("the user name '{username}' is taken"))
        }
        e => e.into(),
    })?;
    let after = serde_json::json!({ "username": username, "display_name": display, "unit_id": unit_id, "roles": grants });
    w.audit("user.create", "user", id, crate::audit::NONE, Some(&after));
    Ok((id, password))
}

/// Is this a user name duban accepts (2 to 32 letters, digits or `._-`)?
pub fn valid_username(username: &str) -> bool {
    (2..=32).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// Change a user's name, unit, roles or archived flag; sessions end when roles change.
pub async fn admin_update(
    db: &Db,
    can: &crate::access::Can<crate::access::ManageUsers>,
    id: i64,
    u: &UserInput,
) -> Result<users::User, AppError> {
    let before = users::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "user" })?;
    can.check(before.unit_id, "user")?;
    can.check_target("unit_id", u.unit_id)?;
    let display = duban_domain::text::field("display_name", &u.display_name, 50, true)?;
    let grants = parse_grants(can, &u.roles)?;
    let archived = u.archived.unwrap_or(before.archived);
    if id == can.actor().user_id.get()
        && (archived || !grants.iter().any(|g| g.role == Role::Admin))
    {
        return Err(duban_domain::FieldError::new(
            "roles",
            "self_lockout",
            "不能撤销自己的管理员角色或停用自己的账号",
            "you cannot remove your own admin role or archive yourself",
        )
        .into());
    }
    let mut w = can.write(db).await?;
    users::update(w.tx(), id, &display, u.unit_id, archived).await?;
    users::replace_grants(w.tx(), id, &grants).await?;
    duban_store::sessions::delete_for_user(w.tx(), id).await?;
    let after = serde_json::json!({ "display_name": display, "unit_id": u.unit_id, "roles": grants, "archived": archived });
    w.audit("user.update", "user", id, Some(&before), Some(&after));
    w.commit().await?;
    Ok(users::get(db, id).await?)
}

/// What an administrator may do to an account besides editing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserAction {
    Lock,
    Unlock,
    ResetPassword,
}

impl UserAction {
    /// The audit action's suffix (`user.lock` …).
    pub const fn code(self) -> &'static str {
        match self {
            UserAction::Lock => "lock",
            UserAction::Unlock => "unlock",
            UserAction::ResetPassword => "reset_password",
        }
    }
}

/// Lock, unlock or reset the password of a user the administrator reaches. A reset
/// returns the new initial password.
pub async fn admin_action(
    db: &Db,
    can: &crate::access::Can<crate::access::ManageUsers>,
    id: i64,
    action: UserAction,
) -> Result<Option<String>, AppError> {
    let u = users::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "user" })?;
    can.check(u.unit_id, "user")?;
    let mut w = can.write(db).await?;
    let mut password = None;
    match action {
        UserAction::Lock => {
            users::set_login_state(w.tx(), id, 0, Some(LOCKED_FOREVER)).await?;
            duban_store::sessions::delete_for_user(w.tx(), id).await?;
        }
        UserAction::Unlock => {
            users::set_login_state(w.tx(), id, 0, None).await?;
            duban_store::sessions::clear_account_throttle(w.tx(), id).await?;
        }
        UserAction::ResetPassword => {
            let p = random_password();
            users::set_password(w.tx(), id, &hash_password(&p)?, true).await?;
            duban_store::sessions::delete_for_user(w.tx(), id).await?;
            password = Some(p);
        }
    }
    user_action(&mut w, format!("user.{}", action.code()), id);
    w.commit().await?;
    Ok(password)
}

/// Users of the units the administrator reaches.
pub async fn admin_list(
    db: &Db,
    can: &crate::access::Can<crate::access::ManageUsers>,
) -> Result<Vec<users::User>, AppError> {
    Ok(users::list(db)
        .await?
        .into_iter()
        .filter(|u| can.reach().covers(u.unit_id))
        .collect())
}

/// Lift the lock on a source address (a shared office exit where someone mistyped too
/// often): its own count and the counts of every account from it.
pub async fn unblock_source(console: &Console, db: &Db, ip: &str) -> Result<(), AppError> {
    let source = crate::auth::source_of(ip);
    let mut w = console.write(db).await?;
    duban_store::sessions::clear_source_throttle(w.tx(), &source).await?;
    w.audit(
        "login.unblock_source",
        "source",
        &source,
        crate::audit::NONE,
        crate::audit::NONE,
    );
    w.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn random_passwords_pass_the_policy_and_verify() {
        for _ in 0..50 {
            let p = random_password();
            assert!(duban_domain::password::check("p", &p).is_ok(), "{p}");
        }
        let p = random_password();
        let h = hash_password(&p).unwrap();
        assert!(verify_password(&p, &h));
        assert!(!verify_password("wrong", &h));
        assert_ne!(random_password(), random_password());
    }
}
