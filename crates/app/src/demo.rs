//! `duban demo`: the demo data set (synthetic Corps projects and the projects of the
//! seed reports) and one account per role.

use crate::{AppError, load};
use duban_gen::Params;
use duban_store::{Db, bulk, projects};

/// A demo account and its fresh password.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub role: duban_domain::Role,
    pub unit: String,
    pub password: String,
}

pub struct DemoReport {
    pub accounts: Vec<DemoAccount>,
    pub created: bool,
}

/// The demo accounts: one per role, in a unit that makes the role meaningful.
const DEMO_ACCOUNTS: &[(&str, duban_domain::Role, &str, &str)] = &[
    // The instance's administrator and auditor span both organisations of the demo (the
    // Corps and Hinggan League); everyone else sees all of the Corps and nothing of Hinggan.
    ("admin", duban_domain::Role::Admin, "XJBT", "global"),
    ("auditor", duban_domain::Role::Auditor, "XJBT", "global"),
    (
        "supervisor",
        duban_domain::Role::Supervisor,
        "DEP-FGW",
        "all",
    ),
    ("reporter", duban_domain::Role::Reporter, "D01-R06", "own"),
    ("approver", duban_domain::Role::Approver, "D01-R06", "own"),
    ("leader", duban_domain::Role::Leader, "XJBT", "all"),
    ("reviewer", duban_domain::Role::Reviewer, "XJBT", "all"),
];

/// Build the demo data set when the database is empty, then give every demo account
/// a new random password (never a fixed default).
pub async fn demo(
    console: &crate::unit_of_work::Console,
    db: &Db,
    as_of: duban_domain::Period,
    log: impl Fn(&str),
) -> Result<DemoReport, AppError> {
    let created = projects::count(db).await? == 0;
    if created {
        log(&format!(
            "building the demo data set ({} projects, as of {as_of}) …",
            duban_gen::demo::DEMO_PROJECTS
        ));
        let params = Params {
            projects: duban_gen::demo::DEMO_PROJECTS,
            seed: duban_gen::demo::DEMO_SEED,
            as_of,
        };
        let (sk, _) = load::generate(console, db, params, |_| {}).await?;
        let extras = duban_gen::demo::extras(&sk, as_of);
        let mut tx = db.write().await?;
        bulk::units(&mut tx, &extras.units).await?;
        tx.commit().await?;
        load::write_batch(db, &extras.batch).await?;
        load::resync_ids(db).await?;
        crate::analytics::rebuild(db, as_of.year(), &mut |_| {}).await?;
    }
    let mut accounts = Vec::new();
    for &(username, role, unit_code, scope) in DEMO_ACCOUNTS {
        let unit = duban_store::units::by_code(db, unit_code)
            .await?
            .ok_or(AppError::NotFound { what: "demo unit" })?;
        let password = crate::accounts::random_password();
        // Demo accounts skip the forced first change so a visitor can look around at once.
        if !crate::accounts::set_password(console, db, username, &password, false).await? {
            crate::accounts::create_user(
                console,
                db,
                username,
                role.zh(),
                unit.id,
                &password,
                false,
                &[crate::accounts::grant(
                    role,
                    duban_domain::access::Scope::parse("scope", scope, &[])?,
                )],
            )
            .await?;
        }
        accounts.push(DemoAccount {
            username: username.into(),
            role,
            unit: unit.name,
            password,
        });
    }
    Ok(DemoReport { accounts, created })
}
