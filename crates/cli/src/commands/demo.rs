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
    println!(
        " {}{}{}password",
        pad("account", 12),
        pad("role", 12),
        pad("unit", 26)
    );
    for a in &report.accounts {
        println!(
            " {}{}{}{}",
            pad(&a.username, 12),
            pad(a.role.zh(), 12),
            pad(&a.unit, 26),
            a.password
        );
    }
    println!("\n Passwords are new at every start; none is fixed.");
    println!(
        " The administrator and the auditor set up a second factor at their first sign-in\n (any TOTP authenticator app: scan the code or type the key shown).\n"
    );
    Ok(db)
}

/// Columns a terminal can line up: Chinese characters take two cells.
fn pad(s: &str, width: usize) -> String {
    let wide = |c: char| matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    let used: usize = s.chars().map(|c| if wide(c) { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(used).max(1)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn chinese_columns_line_up() {
        assert_eq!(super::pad("领导", 6), "领导  ");
        assert_eq!(super::pad("leader", 8), "leader  ");
        assert_eq!(super::pad("新疆生产建设兵团", 8), "新疆生产建设兵团 ");
    }
}
