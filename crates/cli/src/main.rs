//! The `duban` command: one binary that serves the API and UI and runs every batch job.
#![forbid(unsafe_code)]

mod commands;
mod config;

use anyhow::Context;
use clap::{Parser, Subcommand};
use commands::audit::AuditAction;
use commands::export::ExportWhat;
use commands::unit::UnitAction;
use commands::user::UserAction;
use commands::{
    assess, audit, backup, bulletin, demo, export, generate, import, init, migrate, serve, stats,
    unit, user,
};
use config::{FileConfig, Flags, Settings};
use duban_domain::Period;
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc rather than the C library's allocator: an import, a bulletin or a burst of
/// writes allocates and frees millions of small values, and glibc's consolidation of
/// freed chunks took about a third of a 100,000-row import's commit (profile in
/// docs/ARCHITECTURE.md, "Memory").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Log lines as text or as JSON objects (one per line, for a log collector)
    /// [default: text]
    #[arg(long, global = true, env = "DUBAN_LOG_FORMAT", value_parser = ["text", "json"])]
    log_format: Option<String>,
    /// When set, /metrics answers only `Authorization: Bearer TOKEN`
    #[arg(
        long,
        global = true,
        env = "DUBAN_METRICS_TOKEN",
        hide_env_values = true
    )]
    metrics_token: Option<String>,
    /// Mark the session cookie Secure: set it when users reach duban over HTTPS
    /// (e.g. behind a TLS proxy) [default: false]
    #[arg(long, global = true, env = "DUBAN_SECURE_COOKIES")]
    secure_cookies: Option<bool>,
    /// Addresses of the reverse proxies in front of duban (comma-separated): from them the
    /// client's address is read from X-Forwarded-For [default: 127.0.0.1,::1]
    #[arg(
        long,
        global = true,
        env = "DUBAN_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Option<Vec<String>>,
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
        /// Take scheduled backups into this folder (one server at a time does it)
        #[arg(long, env = "DUBAN_BACKUP_DIR")]
        backup_dir: Option<PathBuf>,
        /// How often: 30m, 6h, 1d … [default: 1d]
        #[arg(long, env = "DUBAN_BACKUP_EVERY")]
        backup_every: Option<String>,
        /// How many scheduled backups to keep [default: 14]
        #[arg(long, env = "DUBAN_BACKUP_KEEP")]
        backup_keep: Option<usize>,
    },
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Set up an empty database: the root unit, the business settings and the first
    /// administrator (prints the administrator's initial password). Refused once done.
    Init {
        /// Code of the root unit, e.g. XJBT
        #[arg(long)]
        unit_code: String,
        /// Name of the root unit, e.g. 新疆生产建设兵团
        #[arg(long)]
        unit_name: String,
        /// Kind of the root unit [default: government]
        #[arg(long)]
        unit_kind: Option<String>,
        /// User name of the first administrator
        #[arg(long)]
        admin: String,
        /// Display name of the administrator [default: the user name]
        #[arg(long)]
        admin_name: Option<String>,
        /// A report for month M is late after this day of month M+1 [default: 3]
        #[arg(long)]
        deadline_day: Option<u32>,
    },
    /// Back up the database (as of one instant, while the server runs) and every
    /// attachment into one file with a manifest of checksums.
    Backup {
        /// The file to write (e.g. duban-backup.tar)
        #[arg(long)]
        out: PathBuf,
    },
    /// Restore a backup into an empty database (--db) and data directory (--data-dir);
    /// checks every checksum and the audit chain before it reports success.
    Restore {
        /// The backup file
        file: PathBuf,
    },
    /// Manage the unit tree on the console.
    Unit {
        #[command(subcommand)]
        action: UnitAction,
    },
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
    /// Send the monthly report's reminders due on a day now (what the server's routine
    /// does each working day at its time), and print what was sent.
    Remind {
        /// The day, YYYY-MM-DD [default: today in Beijing]
        #[arg(long)]
        on: Option<String>,
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
    let env_filter = tracing_subscriber::EnvFilter::try_new(&filter)
        .with_context(|| format!("bad log filter '{filter}'"))?;
    let json = match cli.log_format.as_deref().or(file.log_format.as_deref()) {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => anyhow::bail!("log_format '{other}' is not text or json"),
    };
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(env_filter)
        .with_writer(std::io::stderr);
    if json {
        fmt.json().init();
    } else {
        fmt.init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let listen = match &cli.command {
        Command::Serve { listen, .. } | Command::Demo { listen, .. } => listen.clone(),
        _ => None,
    };
    let s = Settings::merge(
        Flags {
            db: cli.db.clone(),
            data_dir: cli.data_dir.clone(),
            listen,
            secure_cookies: cli.secure_cookies,
            metrics_token: cli.metrics_token.clone(),
            trusted_proxies: cli.trusted_proxies.clone(),
            demo: matches!(cli.command, Command::Demo { .. }),
        },
        &file,
    )?;
    config::prepare_data_dir(&s.data_dir)?;
    rt.block_on(async move {
        let open = || duban_app::open(&s.db);
        // Commands that read or change an office's data need its database: never make
        // an empty one by mistake (a missing --db would read nothing and say "0").
        let existing = || async {
            config::database_exists(&s.db)?;
            Ok::<_, anyhow::Error>(duban_app::open(&s.db).await?)
        };
        match &cli.command {
            Command::Serve {
                backup_dir,
                backup_every,
                backup_keep,
                ..
            } => {
                let schedule = config::schedule(
                    backup_dir.clone().or_else(|| file.backup_dir.clone()),
                    backup_every.clone().or_else(|| file.backup_every.clone()),
                    backup_keep.or(file.backup_keep),
                )?;
                serve::run(open().await?, &s, schedule).await
            }
            Command::Migrate => migrate::run(&s.db).await,
            Command::Demo { no_serve, .. } => {
                let db = demo::prepare(&s.db, last_month()).await?;
                if *no_serve {
                    return Ok(());
                }
                serve::run(db, &s, None).await
            }
            Command::Gen {
                projects,
                seed,
                as_of,
            } => {
                let as_of = match as_of {
                    Some(a) => Period::parse("--as-of", a).map_err(|e| anyhow::anyhow!("{e}"))?,
                    None => last_month(),
                };
                generate::run(&s.db, *projects, *seed, as_of).await
            }
            Command::User { action } => {
                user::run(&existing().await?, action, s.sso.is_some()).await
            }
            Command::Init {
                unit_code,
                unit_name,
                unit_kind,
                admin,
                admin_name,
                deadline_day,
            } => {
                let args = init::Args {
                    unit_code,
                    unit_name,
                    unit_kind: unit_kind.as_deref(),
                    admin,
                    admin_name: admin_name.as_deref(),
                    deadline_day: *deadline_day,
                };
                init::run(&open().await?, args).await
            }
            Command::Unit { action } => unit::run(&existing().await?, action).await,
            Command::Backup { out } => backup::run(&s.db, &s.data_dir, out).await,
            Command::Restore { file } => backup::restore(file, &s.db, &s.data_dir).await,
            Command::Stats {
                as_of,
                by,
                unit,
                refresh,
            } => {
                let by = duban_domain::analytics::Dimension::parse(by)
                    .map_err(|e| anyhow::anyhow!("--{e}"))?;
                let db = existing().await?;
                stats::run(&db, as_of.as_deref(), by, unit.as_deref(), *refresh).await
            }
            Command::Remind { on } => {
                let day = match on {
                    Some(d) => {
                        duban_domain::text::date("on", d).map_err(|e| anyhow::anyhow!("--{e}"))?
                    }
                    None => duban_app::clock::today(),
                };
                let sent = duban_app::routine::report_reminders(&existing().await?, day).await?;
                println!(
                    "{day}: reminders of {} ({}) to {} units, {} messages",
                    sent.period,
                    if sent.stages.is_empty() {
                        "none due".to_string()
                    } else {
                        sent.stages.join(", ")
                    },
                    sent.units,
                    sent.messages
                );
                Ok(())
            }
            Command::Bulletin { period, unit, out } => {
                bulletin::run(&existing().await?, period, unit.as_deref(), out).await
            }
            Command::Assess {
                scheme,
                period,
                unit,
            } => assess::run(&existing().await?, scheme, period, unit.as_deref()).await,
            Command::Import {
                file,
                dry_run,
                kind,
                unit,
            } => {
                let db = existing().await?;
                import::run(&db, file, *dry_run, kind.as_deref(), unit.as_deref()).await
            }
            Command::Export {
                what: ExportWhat::Oc4ids { unit, out },
            } => export::oc4ids(&existing().await?, unit.as_deref(), out.as_deref()).await,
            Command::Audit { action } => audit::run(&existing().await?, &s.data_dir, action).await,
        }
    })
}
