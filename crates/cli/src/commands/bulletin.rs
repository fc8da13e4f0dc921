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
    let (b, snap) = duban_app::bulletins::generate(
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
    let write = |name: String, bytes: &[u8]| -> anyhow::Result<String> {
        let path = out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path.display().to_string())
    };
    // The annex (the longest to write at scale) on one core, the rest on the other; each
    // buffer is gone before the next is made.
    let (annex, rest) = std::thread::scope(|s| {
        let annex = s.spawn(|| {
            write(
                format!("{stem}-annex.xlsx"),
                &duban_render::tables_xlsx(&b.document.annex)?,
            )
        });
        let rest = (|| -> anyhow::Result<Vec<String>> {
            let mut wrote = vec![
                write(
                    format!("{stem}.docx"),
                    &duban_render::bulletin_docx(&b.document),
                )?,
                write(
                    format!("{stem}.html"),
                    duban_domain::bulletin::render_html(&b.document).as_bytes(),
                )?,
                write(
                    format!("{stem}.txt"),
                    duban_domain::bulletin::render_text(&b.document).as_bytes(),
                )?,
            ];
            let path = out.join(format!("{stem}.snapshot.json"));
            let file = std::fs::File::create(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            let mut w = std::io::BufWriter::new(file);
            serde_json::to_writer_pretty(&mut w, &snap)?;
            std::io::Write::flush(&mut w)
                .with_context(|| format!("cannot write {}", path.display()))?;
            wrote.push(path.display().to_string());
            Ok(wrote)
        })();
        let annex = annex
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("writing the annex failed")));
        (annex, rest)
    });
    let mut wrote = rest?;
    wrote.insert(1, annex?);
    for path in wrote {
        println!("wrote {path}");
    }
    println!(
        "bulletin {} version {} (id {}): {} projects, {} overdue problems; generated in {:.2} s, {:.2} s in all",
        b.row.period,
        b.row.version,
        b.row.id,
        snap.whole().projects,
        snap.overdue_problems.len(),
        generated.as_secs_f64(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
