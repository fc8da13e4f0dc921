//! `duban import`: a workbook, dry run or committed in one transaction.
use anyhow::Context;

/// `duban assess`: start a run as the console and print its ranking.
pub async fn run(
    db: &duban_app::Db,
    file: &std::path::Path,
    dry_run: bool,
    kind: Option<&str>,
    unit: Option<&str>,
) -> anyhow::Result<()> {
    use duban_domain::import::Kind;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let kind = match kind {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            anyhow::anyhow!("'{k}' is not a kind: projects, plans, milestones, progress, problems")
        })?),
    };
    let (_, caller) = super::console::console_caller(
        db,
        unit,
        &[duban_domain::Role::Supervisor, duban_domain::Role::Reporter],
        true,
    )
    .await?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let p = duban_app::imports::run(db, &caller, &name, bytes, kind, dry_run).await?;
    for s in &p.sheets {
        match s.kind {
            None => println!("sheet “{}”: not a data sheet, skipped", s.sheet),
            Some(k) => println!(
                "sheet “{}”: {} ({}), header on row {}, {} data rows, {} columns read, {} ignored, {} rows skipped",
                s.sheet,
                k.zh(),
                k.code(),
                s.header_rows.1,
                s.rows,
                s.columns.len(),
                s.ignored.len(),
                s.skipped.len()
            ),
        }
    }
    for i in p.items.iter().filter(|i| !i.changes.is_empty()).take(50) {
        let what: Vec<String> = i
            .changes
            .iter()
            .map(|c| format!("{}: {} → {}", c.zh, c.before, c.after))
            .collect();
        println!(
            "  {}!{} {} {:?}: {}",
            i.sheet,
            i.row,
            i.key,
            i.action,
            what.join("; ")
        );
    }
    for e in &p.errors {
        eprintln!("  {e}");
    }
    if p.errors_total > p.errors.len() {
        eprintln!("  … and {} more errors", p.errors_total - p.errors.len());
    }
    let c = p.counts;
    println!(
        "{}: {} to create, {} to update, {} unchanged, {} rejected ({} errors) in {:.1} s",
        if p.state == duban_domain::import::Stage::Committed {
            "imported"
        } else {
            "dry run"
        },
        c.create,
        c.update,
        c.unchanged,
        c.rejected,
        p.errors_total,
        started.elapsed().as_secs_f64()
    );
    if p.errors_total > 0 {
        eprintln!(
            "duban: nothing was written: fix the rows above and import again / 存在错误，未写入任何数据"
        );
        std::process::exit(2);
    }
    Ok(())
}
