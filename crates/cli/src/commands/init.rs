//! `duban init`: make an empty database an office — its root unit, its business
//! settings and its first administrator. Refused once done.

use duban_app::setup::{InitInput, init};
use duban_app::unit_of_work::Console;

pub struct Args<'a> {
    pub unit_code: &'a str,
    pub unit_name: &'a str,
    pub unit_kind: Option<&'a str>,
    pub admin: &'a str,
    pub admin_name: Option<&'a str>,
    pub deadline_day: Option<u32>,
}

pub async fn run(db: &duban_app::Db, a: Args<'_>) -> anyhow::Result<()> {
    let done = init(
        &Console::open(),
        db,
        &InitInput {
            unit_code: a.unit_code.into(),
            unit_name: a.unit_name.into(),
            unit_kind: a.unit_kind.map(str::to_string),
            admin_username: a.admin.into(),
            admin_name: a.admin_name.map(str::to_string),
            admin_password: None,
            report_deadline_day: a.deadline_day,
        },
    )
    .await?;
    println!(
        "duban is set up: root unit {} (id {}), administrator {}",
        done.unit_code, done.unit_id, done.admin_username
    );
    if let Some(p) = done.initial_password {
        println!(
            "initial password of {} (change at first login): {p}",
            done.admin_username
        );
    }
    println!(
        "next: sign in, add units (Excel import or `duban unit add`), users, then the past months (补录)"
    );
    Ok(())
}
