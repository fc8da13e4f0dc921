//! `duban stats`: the dashboard's tables on the console.

use duban_domain::analytics::measure::{Figures, Measure};

/// `duban stats`: the same tables as the dashboard, read as the console (all units).
pub async fn run(
    db: &duban_app::Db,
    as_of: Option<&str>,
    by: duban_domain::analytics::Dimension,
    unit: Option<&str>,
    refresh: bool,
) -> anyhow::Result<()> {
    use duban_app::analytics as st;
    let period = st::as_of(as_of)?;
    if refresh {
        let t = std::time::Instant::now();
        let r = st::rebuild(db, period.year(), &mut |_| {}).await?;
        eprintln!(
            "rebuilt {}: {} project-years, {} cells in {:.2} s",
            r.year,
            r.projects,
            r.cells,
            t.elapsed().as_secs_f64()
        );
    }
    let units = duban_app::registry::units_by_id(db).await?;
    let (unit_id, caller) =
        super::console::console_caller(db, unit, &[duban_domain::Role::Leader], false).await?;
    let can = caller.can::<duban_app::access::ReadRegistry>()?;
    let o = st::overview(db, &can, Some(&period.to_string()), unit_id).await?;
    // Every figure as the server prints it (the catalogue of measures).
    let shown = |f: &Figures, m: Measure| f.text.get(&m).cloned().unwrap_or_else(|| "—".into());
    let f = &o.figures;
    println!(
        "as of {}: {} projects, total {} 亿, plan {} 亿, done {} 亿 ({}), time progress {} ({:?}), {}; start rate {} ({}/{}); lights g/y/o/r {:?}; missing reports {}, late {}; problems open {} (overdue {})",
        o.as_of,
        f.totals.projects,
        shown(f, Measure::TotalInvestment),
        shown(f, Measure::AnnualPlan),
        shown(f, Measure::Completed),
        shown(f, Measure::Completion),
        shown(f, Measure::TimeProgress),
        f.time_basis,
        f.gap_zh.clone().unwrap_or_default(),
        shown(f, Measure::StartRate),
        f.start_done,
        f.start_planned,
        f.totals.lights,
        f.reports_missing,
        f.reports_late,
        o.problems_open,
        o.problems_overdue
    );
    let rows = st::breakdown(db, &can, Some(&period.to_string()), by, unit_id).await?;
    println!(
        "{:<24} {:>8} {:>12} {:>12} {:>9} {:>9} {:>8} {:>6}",
        by.code(),
        "projects",
        "plan(亿)",
        "done(亿)",
        "done%",
        "gap(pt)",
        "start%",
        "red"
    );
    for r in rows {
        let name = match by {
            duban_domain::analytics::Dimension::Unit => r
                .key
                .parse::<i64>()
                .ok()
                .and_then(|id| units.get(&id))
                .map(|u| u.name.clone())
                .unwrap_or(r.key.clone()),
            _ => r.key.clone(),
        };
        let f = &r.figures;
        println!(
            "{:<24} {:>8} {:>12} {:>12} {:>9} {:>9} {:>8} {:>6}",
            if r.own {
                format!("{name}（本级）")
            } else {
                name
            },
            f.totals.projects,
            shown(f, Measure::AnnualPlan),
            shown(f, Measure::Completed),
            shown(f, Measure::Completion),
            shown(f, Measure::Gap),
            shown(f, Measure::StartRate),
            f.totals.lights[3]
        );
    }
    Ok(())
}
