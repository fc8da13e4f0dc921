//! `duban assess`: start an assessment run and print its ranking.
use anyhow::Context;

pub async fn run(
    db: &duban_app::Db,
    file: &std::path::Path,
    period: &str,
    unit: Option<&str>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the scheme {}", file.display()))?;
    let scheme: serde_json::Value = if file.extension().is_some_and(|e| e == "toml") {
        let v: toml::Value = toml::from_str(&text)
            .with_context(|| format!("{} is not valid TOML", file.display()))?;
        serde_json::to_value(v)?
    } else {
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", file.display()))?
    };
    let (unit_id, caller) =
        super::console::console_caller(db, unit, &[duban_domain::Role::Supervisor], false).await?;
    let run = duban_app::assessments::start(
        db,
        &caller.can::<duban_app::access::Supervise>()?,
        &duban_app::assessments::StartInput {
            scheme,
            period: period.to_string(),
            unit_id,
        },
    )
    .await?;
    let names = duban_app::registry::units_by_id(db).await?;
    println!(
        "assessment run {} — {} — {}",
        run.row.id, run.row.scheme_name, run.row.period
    );
    println!("{:>4}  {:<24} {:>8}  grade", "rank", "unit", "total");
    for r in &run.results {
        let name = names
            .get(&r.unit_id)
            .map(|u| u.name.as_str())
            .unwrap_or("?");
        println!("{:>4}  {:<24} {:>8.2}  {}", r.rank, name, r.total, r.grade);
    }
    println!(
        "review scores are entered in the UI or with POST /api/v1/assessments/{}/reviews",
        run.row.id
    );
    Ok(())
}
