//! `duban bulletin`: generate a bulletin and write its renderings.
use anyhow::Context;

/// `duban bulletin`: generate as the console (a supervisor of every unit) and write the
/// renderings beside the snapshot they came from.
pub async fn run(
    db: &duban_app::Db,
    period: &str,
    unit: Option<&str>,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    let (unit_id, caller) =
        super::console::console_caller(db, unit, &[duban_domain::Role::Supervisor], false).await?;
    let b = duban_app::bulletins::generate(
        db,
        &caller.can::<duban_app::access::Supervise>()?,
        &duban_app::bulletins::GenerateInput {
            period: period.to_string(),
            unit_id,
        },
    )
    .await?;
    let generated = t.elapsed();
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the folder {}", out.display()))?;
    let stem = format!("bulletin-{}-v{}", b.row.period, b.row.version);
    let snap = duban_app::bulletins::stored_snapshot(
        db,
        &caller.can::<duban_app::access::ReadRegistry>()?,
        b.row.id,
    )
    .await?;
    let files: [(String, Vec<u8>); 5] = [
        (
            format!("{stem}.docx"),
            duban_render::bulletin_docx(&b.document),
        ),
        (
            format!("{stem}-annex.xlsx"),
            duban_render::tables_xlsx(&b.document.annex)?,
        ),
        (
            format!("{stem}.html"),
            duban_domain::bulletin::render_html(&b.document).into_bytes(),
        ),
        (
            format!("{stem}.txt"),
            duban_domain::bulletin::render_text(&b.document).into_bytes(),
        ),
        (
            format!("{stem}.snapshot.json"),
            serde_json::to_vec_pretty(&snap)?,
        ),
    ];
    for (name, bytes) in &files {
        let path = out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    println!(
        "bulletin {} version {} (id {}): {} projects, {} overdue problems; generated in {:.2} s, {:.2} s in all",
        b.row.period,
        b.row.version,
        b.row.id,
        snap.projects.len(),
        snap.overdue_problems.len(),
        generated.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
