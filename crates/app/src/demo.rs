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
        // Last year, as an office loads it on its first day (补录): approved history of
        // the projects already under way, so the cockpit shows year-on-year growth.
        let carried: Vec<duban_gen::history::Carried> =
            duban_store::bulk::carried_into(db, as_of.year())
                .await?
                .into_iter()
                .map(
                    |(project, start_year, total, before)| duban_gen::history::Carried {
                        project,
                        start_year,
                        total: duban_domain::Yuan::new(total),
                        before: duban_domain::Yuan::new(before),
                    },
                )
                .collect();
        let (plans, reports) = duban_gen::history::previous_year(
            &carried,
            as_of.year(),
            duban_gen::demo::DEMO_SEED,
            duban_store::now_ms(),
        );
        // And the projects that were completed last year (竣工), so that last year's
        // figures are a whole year's list, about 8% below this year's as published
        // growth rates go.
        let month = |rs: &[duban_domain::report::Report]| -> i64 {
            rs.iter()
                .filter(|r| r.period.month() == as_of.month())
                .map(|r| r.figures.invest_ytd.get())
                .sum()
        };
        let this_year = duban_store::bulk::ytd_of_month(db, as_of.year(), as_of.month()).await?;
        let want = duban_domain::Yuan::new((this_year * 100 / 108 - month(&reports)).max(0));
        let continuing: Vec<duban_domain::ids::ProjectId> = carried
            .iter()
            .filter(|c| c.start_year < as_of.year() - 1)
            .map(|c| c.project)
            .collect();
        let models = projects::by_ids(db, &continuing).await?;
        let next_id: i64 = db
            .scalar(
                "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) AS v FROM projects",
                &[],
            )
            .await?;
        let completed = duban_gen::history::completed_last_year(
            &models,
            next_id,
            as_of.year(),
            want,
            duban_gen::demo::DEMO_SEED,
            duban_store::now_ms(),
        );
        load::write_batch(
            db,
            &duban_gen::Batch {
                plans,
                reports,
                ..Default::default()
            },
        )
        .await?;
        load::write_batch(db, &completed).await?;
        load::resync_ids(db).await?;
        crate::analytics::rebuild(db, as_of.year() - 1, &mut |_| {}).await?;
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
