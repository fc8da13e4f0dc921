//! `duban backup` and `duban restore`: the whole office in one file (the database as of
//! one instant, every attachment, a manifest of checksums), taken while the server runs;
//! restored only into an empty database and data directory, checked before it counts.

use duban_app::backup::{self, Place};
use duban_app::unit_of_work::Console;
use std::path::Path;

pub async fn run(url: &str, data_dir: &Path, out: &Path) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    // Never make an empty database just to back it up.
    if let duban_store::DbUrl::Sqlite(path) = duban_store::DbUrl::parse(url)?
        && !path.exists()
    {
        anyhow::bail!(
            "no database at {}: name it with --db (or --data-dir)",
            path.display()
        );
    }
    let db = duban_app::open(url).await?;
    let m = backup::backup(
        &Console::open(),
        Place {
            db: &db,
            url,
            data_dir,
        },
        out,
    )
    .await?;
    db.close().await;
    let bytes: u64 = m.files.iter().map(|f| f.size).sum();
    println!(
        "backup written to {}: {} database (schema {}), {} attachments, {:.1} MB in {:.1} s",
        out.display(),
        m.engine,
        m.schema_version,
        m.files.len() - 1,
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn restore(file: &Path, url: &str, data_dir: &Path) -> anyhow::Result<()> {
    let r = backup::restore(&Console::open(), file, url, data_dir).await?;
    println!(
        "restored {} into {}: every checksum matches, {} attachments, audit chain intact ({} entries); schema {} of {}, in {:.1} s",
        file.display(),
        duban_store::db::redact(url),
        r.attachments,
        r.audit_entries,
        r.manifest.schema_version,
        r.manifest.duban_version,
        r.seconds
    );
    Ok(())
}
