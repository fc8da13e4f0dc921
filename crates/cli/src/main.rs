//! The `duban` command: one binary that serves the API and UI and runs every batch job.
#![forbid(unsafe_code)]

mod config;
mod demo;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use config::FileConfig;
use duban_domain::Period;
use std::path::PathBuf;
use std::process::ExitCode;

/// duban (督办): supervision of key projects and unit targets.
///
/// A database is named by a URL: sqlite://PATH (the file is created when missing) or
/// postgres://USER:PASSWORD@HOST:PORT/DATABASE. Settings come from flags, then DUBAN_*
/// environment variables, then duban.toml, then defaults.
#[derive(Parser, Debug)]
#[command(name = "duban", version, about, long_about, propagate_version = true)]
struct Cli {
    /// Database URL [default: sqlite://DATA_DIR/duban.sqlite]
    #[arg(long, global = true, env = "DUBAN_DATABASE_URL")]
    db: Option<String>,
    /// Directory for the embedded database and attachments [default: ./data]
    #[arg(long, global = true, env = "DUBAN_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Configuration file [default: ./duban.toml when present]
    #[arg(long, global = true, env = "DUBAN_CONFIG")]
    config: Option<PathBuf>,
    /// Log filter, e.g. info, debug, duban_server=debug [default: info]
    #[arg(long, global = true, env = "DUBAN_LOG")]
    log: Option<String>,
    /// Mark the session cookie Secure: set it when users reach duban over HTTPS
    /// (e.g. behind a TLS proxy) [default: false]
    #[arg(long, global = true, env = "DUBAN_SECURE_COOKIES")]
    secure_cookies: Option<bool>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API and the web UI.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "DUBAN_LISTEN")]
        listen: Option<String>,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Create ./data/demo.sqlite on first run (about 3,000 projects), reset the demo
    /// accounts' passwords, print them, and serve.
    Demo {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "DUBAN_LISTEN")]
        listen: Option<String>,
        /// Build the demo database and print the accounts, but do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Generate a deterministic synthetic data set into an empty database.
    Gen {
        /// Number of projects (at least 1).
        #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
        projects: u64,
        /// Random seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Last month with reports, YYYY-MM [default: last month]
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Manage user accounts (the first administrator is created here).
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Print the dashboard's figures as tables (and rebuild them with --refresh).
    Stats {
        /// Month of the figures, YYYY-MM [default: last month]
        #[arg(long)]
        as_of: Option<String>,
        /// unit | chain | category | nature
        #[arg(long, default_value = "unit")]
        by: String,
        /// Code of a unit: its sub-units are listed [default: the top units]
        #[arg(long)]
        unit: Option<String>,
        /// Recompute the year's figures from the approved reports first.
        #[arg(long)]
        refresh: bool,
    },
    /// Generate the monthly bulletin (通报) of a period from the approved data as they
    /// stand now: stored as a new draft version, and written to DIR as .docx, the .xlsx annex,
    /// HTML, text and the frozen snapshot (JSON).
    Bulletin {
        /// The period, YYYY-MM
        #[arg(long)]
        period: String,
        /// Code of the issuing unit [default: the top of the unit tree]
        #[arg(long)]
        unit: Option<String>,
        /// Folder to write the files into (created when missing)
        #[arg(long, default_value = ".")]
        out: std::path::PathBuf,
    },
    /// Start an assessment run of a scheme (JSON or TOML file) for a period and print the
    /// ranking; reviewers then add their scores in the UI or the API.
    Assess {
        /// The scheme file (.json or .toml)
        #[arg(long)]
        scheme: std::path::PathBuf,
        /// YYYY-MM, or a quarter such as 2025Q3
        #[arg(long)]
        period: String,
        /// Code of the issuing unit [default: the top of the unit tree]
        #[arg(long)]
        unit: Option<String>,
    },
    /// Import a workbook (.xlsx, .xls, .ods): the registry, annual plans and milestones,
    /// progress reports or problems, recognised by their headers. Prints what would be
    /// created, updated or rejected (every bad cell by sheet, row and column); without
    /// --dry-run, writes it all in one transaction when no row is rejected.
    Import {
        /// The workbook
        file: std::path::PathBuf,
        /// Only check and show what would change
        #[arg(long)]
        dry_run: bool,
        /// Read every sheet as this kind: projects, plans, milestones, progress, problems
        #[arg(long)]
        kind: Option<String>,
        /// Act as the supervisor and reporter of this unit (code) [default: every unit]
        #[arg(long)]
        unit: Option<String>,
    },
    /// Write data out in an open format.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
}

#[derive(Subcommand, Debug)]
enum ExportWhat {
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

#[derive(Subcommand, Debug)]
enum AuditAction {
    /// Check the SM3 hash chain: any entry edited or deleted in the database is reported
    /// (exit status 1).
    Verify,
}

#[derive(Subcommand, Debug)]
enum UserAction {
    /// Add a user with one role; prints a random initial password that must be changed at first login.
    Add {
        username: String,
        /// admin, auditor, supervisor, reporter, approver, leader or reviewer
        #[arg(long)]
        role: String,
        /// Code of the user's unit
        #[arg(long)]
        unit: String,
        /// Data scope: own, subtree or all
        #[arg(long, default_value = "own")]
        scope: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a new random password that must be changed at first login.
    Passwd { username: String },
    /// Lock an account (it cannot log in; its sessions end) until unlocked.
    Lock { username: String },
    /// Unlock an account and clear its failed-login count.
    Unlock { username: String },
}

/// Settings after flags, environment, file and defaults are merged.
struct Settings {
    db: String,
    data_dir: PathBuf,
    listen: String,
    secure_cookies: bool,
}

fn settings(cli: &Cli, file: &FileConfig) -> Settings {
    let data_dir = cli
        .data_dir
        .clone()
        .or_else(|| file.data_dir.clone())
        .unwrap_or_else(|| PathBuf::from("data"));
    // The demo keeps its database apart from a real one.
    let default_db = if matches!(cli.command, Command::Demo { .. }) {
        "demo.sqlite"
    } else {
        "duban.sqlite"
    };
    let db = cli
        .db
        .clone()
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| format!("sqlite://{}", data_dir.join(default_db).display()));
    let listen = match &cli.command {
        Command::Serve { listen } | Command::Demo { listen, .. } => listen.clone(),
        _ => None,
    };
    let listen = listen
        .or_else(|| file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    Settings {
        db,
        data_dir,
        listen,
        secure_cookies: cli.secure_cookies.or(file.secure_cookies).unwrap_or(false),
    }
}

fn last_month() -> Period {
    Period::of(duban_app::clock::today()).prev()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One line that says what to fix, never a panic or a backtrace.
            eprintln!("duban: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let file = FileConfig::load(
        cli.config.as_deref().unwrap_or("duban.toml".as_ref()),
        cli.config.is_some(),
    )?;
    let filter = cli
        .log
        .clone()
        .or_else(|| file.log.clone())
        .unwrap_or_else(|| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(&filter)
                .with_context(|| format!("bad log filter '{filter}'"))?,
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let s = settings(&cli, &file);
    config::prepare_data_dir(&s.data_dir)?;
    rt.block_on(async move {
        match &cli.command {
            Command::Serve { .. } => {
                let db = duban_app::open(&s.db).await?;
                serve(db, &s).await
            }
            Command::Migrate => {
                let db = duban_store::Db::connect(&s.db).await?;
                let applied = duban_store::schema::migrate(&db).await?;
                println!("schema at version {} (applied now: {:?})", duban_store::schema::latest_version(), applied);
                Ok(())
            }
            Command::Demo { no_serve, .. } => {
                let db = demo::prepare(&s.db, last_month()).await?;
                if *no_serve {
                    return Ok(());
                }
                serve(db, &s).await
            }
            Command::Gen { projects, seed, as_of } => {
                let as_of = match as_of {
                    Some(a) => Period::parse("--as-of", a).map_err(|e| anyhow::anyhow!("{e}"))?,
                    None => last_month(),
                };
                let db = duban_app::open(&s.db).await?;
                let params = duban_gen::Params { projects: *projects, seed: *seed, as_of };
                eprintln!("generating {projects} projects (seed {seed}, as of {as_of}) into {}", duban_store::db::redact(&s.db));
                let (_, st) = duban_app::load::generate(&db, params, |t| {
                    eprint!("\r  {:>9} / {projects} projects  {:>10} reports  {:>5.1}s", t.projects, t.reports, t.elapsed.as_secs_f64());
                })
                .await?;
                eprintln!();
                let secs = st.elapsed.as_secs_f64();
                println!(
                    "generated {} units, {} projects, {} plans, {} reports, {} problems: {} rows in {:.1} s ({:.0} rows/s)",
                    st.units, st.projects, st.plans, st.reports, st.problems, st.rows(), secs, st.rows() as f64 / secs
                );
                let t = std::time::Instant::now();
                let r = duban_app::analytics::rebuild(&db, as_of.year(), &mut |n| eprint!("\r  analytics: {n} project-years")).await?;
                eprintln!();
                println!("analytics of {}: {} project-years, {} total cells in {:.1} s", r.year, r.projects, r.cells, t.elapsed().as_secs_f64());
                db.close().await;
                Ok(())
            }
            Command::User { action } => {
                let db = duban_app::open(&s.db).await?;
                user(&db, action).await
            }
            Command::Stats { as_of, by, unit, refresh } => {
                let db = duban_app::open(&s.db).await?;
                stats(&db, as_of.as_deref(), by, unit.as_deref(), *refresh).await
            }
            Command::Bulletin { period, unit, out } => {
                let db = duban_app::open(&s.db).await?;
                bulletin(&db, period, unit.as_deref(), out).await
            }
            Command::Assess { scheme, period, unit } => {
                let db = duban_app::open(&s.db).await?;
                assess(&db, scheme, period, unit.as_deref()).await
            }
            Command::Import { file, dry_run, kind, unit } => {
                let db = duban_app::open(&s.db).await?;
                import(&db, file, *dry_run, kind.as_deref(), unit.as_deref()).await
            }
            Command::Export { what: ExportWhat::Oc4ids { unit, out } } => {
                let db = duban_app::open(&s.db).await?;
                export_oc4ids(&db, unit.as_deref(), out.as_deref()).await
            }
            Command::Audit { action: AuditAction::Verify } => {
                let db = duban_app::open(&s.db).await?;
                let v = duban_app::audit::verify(&db).await?;
                match v.broken {
                    None => {
                        println!("audit log intact: {} entries, chain head at {}", v.entries, v.head_seq);
                        Ok(())
                    }
                    Some(b) => {
                        let what = match b {
                            duban_domain::audit::ChainBreak::Altered { seq } => format!("entry {seq} was altered (its hash does not match its content)"),
                            duban_domain::audit::ChainBreak::Gap { expected, found } => format!("entry {expected} is missing (deleted); the next entry is {found}"),
                            duban_domain::audit::ChainBreak::Truncated { head, last } => format!("the newest entries were deleted: the chain head says {head}, the last entry is {last}"),
                            duban_domain::audit::ChainBreak::HeadMismatch { seq } => format!("the chain head does not match entry {seq}"),
                        };
                        eprintln!("duban: AUDIT LOG TAMPERED: {what}; {} entries verified before it", v.entries);
                        std::process::exit(1);
                    }
                }
            }
        }
    })
}

async fn serve(db: duban_app::Db, s: &Settings) -> anyhow::Result<()> {
    let listener = duban_server::bind(&s.listen)
        .await
        .map_err(anyhow::Error::msg)?;
    let addr = listener.local_addr()?;
    println!("duban is serving at http://{addr}/  (Ctrl-C to stop)");
    let mut state = duban_server::AppState::new(db, s.data_dir.clone());
    state.secure_cookies = s.secure_cookies;
    duban_server::serve(listener, state)
        .await
        .context("server stopped")?;
    Ok(())
}

/// The console acting with these roles, and the unit named by a code: over every unit, or
/// (`narrow`) over that unit and the units below it.
async fn console_caller(
    db: &duban_app::Db,
    unit_code: Option<&str>,
    roles: &[duban_domain::Role],
    narrow: bool,
) -> anyhow::Result<(Option<i64>, duban_app::access::Caller)> {
    let unit_id = match unit_code {
        Some(code) => Some(
            duban_app::registry::units_by_id(db)
                .await?
                .values()
                .find(|u| u.code.eq_ignore_ascii_case(code))
                .map(|u| u.id)
                .ok_or_else(|| anyhow::anyhow!("no unit has the code '{code}'"))?,
        ),
        None => None,
    };
    let caller = duban_app::access::Caller::resolve(
        db,
        duban_app::accounts::console(unit_id.unwrap_or(0)),
        roles
            .iter()
            .map(|role| duban_domain::access::RoleGrant {
                role: *role,
                // An import for a unit acts within it; documents issued for a unit
                // read everything they need.
                scope: if narrow && unit_id.is_some() {
                    duban_domain::access::Scope::Subtree
                } else {
                    // The console acts over every organisation of the instance.
                    duban_domain::access::Scope::Global
                },
            })
            .collect(),
    )
    .await?;
    Ok((unit_id, caller))
}

/// `duban assess`: start a run as the console and print its ranking.
async fn import(
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
    let (_, caller) = console_caller(
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
        if p.state == "committed" {
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

async fn export_oc4ids(
    db: &duban_app::Db,
    unit: Option<&str>,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use std::io::Write;
    let (_, caller) = console_caller(db, unit, &[duban_domain::Role::Leader], true).await?;
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

async fn assess(
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
        console_caller(db, unit, &[duban_domain::Role::Supervisor], false).await?;
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

/// `duban bulletin`: generate as the console (a supervisor of every unit) and write the
/// renderings beside the snapshot they came from.
async fn bulletin(
    db: &duban_app::Db,
    period: &str,
    unit: Option<&str>,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    let (unit_id, caller) =
        console_caller(db, unit, &[duban_domain::Role::Supervisor], false).await?;
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
            duban_docs::bulletin_docx(&b.document),
        ),
        (
            format!("{stem}-annex.xlsx"),
            duban_docs::tables_xlsx(&b.document.annex)?,
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

/// `duban stats`: the same tables as the dashboard, read as the console (all units).
async fn stats(
    db: &duban_app::Db,
    as_of: Option<&str>,
    by: &str,
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
    let (unit_id, caller) = console_caller(db, unit, &[duban_domain::Role::Leader], false).await?;
    let can = caller.can::<duban_app::access::ReadRegistry>()?;
    let o = st::overview(db, &can, Some(&period.to_string()), unit_id).await?;
    // Every figure as the server prints it (the catalogue of measures).
    let shown = |f: &duban_domain::analytics::measure::Figures, code: &str| {
        f.text.get(code).cloned().unwrap_or_else(|| "—".into())
    };
    let f = &o.figures;
    println!(
        "as of {}: {} projects, total {} 亿, plan {} 亿, done {} 亿 ({}), time progress {} ({:?}), {}; start rate {} ({}/{}); lights g/y/o/r {:?}; missing reports {}, late {}; problems open {} (overdue {})",
        o.as_of,
        f.totals.projects,
        shown(f, "total_investment"),
        shown(f, "annual_plan"),
        shown(f, "actual_ytd"),
        shown(f, "completion"),
        shown(f, "time_progress"),
        f.time_basis,
        f.gap_zh.clone().unwrap_or_default(),
        shown(f, "start_rate"),
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
        by, "projects", "plan(亿)", "done(亿)", "done%", "gap(pt)", "start%", "red"
    );
    for r in rows {
        let name = match by {
            "unit" => r
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
            shown(f, "annual_plan"),
            shown(f, "actual_ytd"),
            shown(f, "completion"),
            shown(f, "gap"),
            shown(f, "start_rate"),
            f.totals.lights[3]
        );
    }
    Ok(())
}

async fn user(db: &duban_app::Db, action: &UserAction) -> anyhow::Result<()> {
    use duban_app::accounts;
    // Commands on the server's console act as the console, and are audited as such.
    let console = duban_app::unit_of_work::Console::open();
    match action {
        UserAction::Add {
            username,
            role,
            unit,
            scope,
            name,
        } => {
            let role =
                duban_domain::Role::parse("--role", role).map_err(|e| anyhow::anyhow!("{e}"))?;
            let scope = duban_domain::access::Scope::parse("--scope", scope, &[])
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let Some(u) = duban_store::units::by_code(db, unit).await? else {
                bail!("no unit has the code '{unit}'");
            };
            let pw = accounts::random_password();
            accounts::create_user(
                &console,
                db,
                username,
                name.as_deref().unwrap_or(username),
                u.id,
                &pw,
                true,
                &[accounts::grant(role, scope)],
            )
            .await?;
            println!(
                "user {username} ({}) created in {}; initial password (change at first login): {pw}",
                role.zh(),
                u.name
            );
        }
        UserAction::Passwd { username } => {
            let pw = accounts::random_password();
            if !accounts::set_password(&console, db, username, &pw, true).await? {
                bail!("no user is called '{username}'");
            }
            println!("new password for {username} (change at first login): {pw}");
        }
        UserAction::Lock { username } | UserAction::Unlock { username } => {
            let lock = matches!(action, UserAction::Lock { .. });
            if !accounts::set_locked(&console, db, username, lock).await? {
                bail!("no user is called '{username}'");
            }
            println!("{username} {}", if lock { "locked" } else { "unlocked" });
        }
    }
    Ok(())
}
