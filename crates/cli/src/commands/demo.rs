//! `duban demo`: the demo database and its accounts.

use duban_app::Db;
use duban_domain::Period;

pub async fn prepare(url: &str, as_of: Period) -> anyhow::Result<Db> {
    let db = duban_app::open(url).await?;
    let report = duban_app::demo::demo(
        &duban_app::unit_of_work::Console::open(),
        &db,
        as_of,
        |msg| eprintln!("{msg}"),
    )
    .await?;
    println!("\n demo database: {}\n", duban_store::db::redact(url));
    println!(" {:<12} {:<10} {:<16} password", "account", "role", "unit");
    for a in &report.accounts {
        println!(
            " {:<12} {:<10} {:<16} {}",
            a.username,
            a.role.zh(),
            a.unit,
            a.password
        );
    }
    println!("\n Passwords are new at every start; none is fixed.\n");
    Ok(db)
}
