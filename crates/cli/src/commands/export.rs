//! `duban export`: data out in open formats.
use anyhow::Context;
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum ExportWhat {
    /// The projects as an OC4IDS 0.9 project package (JSON), with budgets, plans as
    /// forecasts, approved reports as metrics, milestones and payments.
    Oc4ids {
        /// Only the projects of this unit (code) and the units below it
        #[arg(long)]
        unit: Option<String>,
        /// The file to write [default: standard output]
        #[arg(long)]
        out: Option<std::path::PathBuf>,
    },
}

pub async fn oc4ids(
    db: &duban_app::Db,
    unit: Option<&str>,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use std::io::Write;
    let (_, caller) =
        super::console::console_caller(db, unit, &[duban_domain::Role::Leader], true).await?;
    let can = caller.can::<duban_app::access::ReadRegistry>()?;
    let export = duban_app::export::Oc4idsExport::new(db, &can, &Default::default()).await?;
    let mut w: Box<dyn Write> = match out {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut n = 0;
    while let Some(text) = export.chunk(db, n).await? {
        w.write_all(text.as_bytes())?;
        n += 1;
    }
    w.flush()?;
    if let Some(p) = out {
        eprintln!("{} projects written to {}", export.total, p.display());
    }
    Ok(())
}
