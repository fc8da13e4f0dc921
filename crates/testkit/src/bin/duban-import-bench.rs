//! The import benchmark for `make bench`: writes a progress sheet of `--rows` projects
//! of the database for the month after the data (as a unit fills duban's template), then
//! times, on the same file: the raw calamine read (the floor), duban's read into grids,
//! the dry run, the commit, and the re-import that finds nothing to change, each with
//! its ratio to the floor.
//!
//! The floor is the best of three reads here and of three in `duban-sheet-floor`, a
//! process with the C library's allocator (this one runs under the server's, which
//! copies the large buffers calamine grows where glibc remaps them): the faster of the
//! two, so that the allocator does not flatter the ratios.
//!
//! duban-import-bench --db sqlite://… --rows 100000 --period 2025-11 --out FILE

use duban_app::access::Caller;
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_domain::import::Kind;
use duban_domain::sheet::Cell;
use duban_sheets::{Template, template};
use duban_testkit::bench::arg;
use std::time::Instant;

/// The server's allocator (see the `duban` binary), since the work measured runs here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn secs(t: Instant) -> String {
    format!("{:.2} s", t.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() {
    tracing_subscriber_init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = arg(&args, "--db", "");
    let rows: usize = arg(&args, "--rows", "100000").parse().expect("--rows N");
    let period = arg(&args, "--period", "2025-11");
    let out = arg(&args, "--out", "target/bench/progress.xlsx");
    let db = duban_app::open(&url).await.expect("database");
    let caller = Caller::resolve(
        &db,
        duban_app::accounts::console(0),
        [Role::Supervisor, Role::Reporter]
            .into_iter()
            .map(|role| RoleGrant {
                role,
                scope: Scope::All,
            })
            .collect(),
    )
    .await
    .expect("caller");

    // The sheet: the first `rows` projects, with this month's figures typed in.
    let t = Instant::now();
    let codes: Vec<String> = db
        .fetch_all(
            &format!(
                "SELECT code AS v FROM projects WHERE archived = FALSE ORDER BY id LIMIT {rows}"
            ),
            &[],
            |r| r.str("v"),
        )
        .await
        .expect("codes");
    let cols = Kind::Progress.columns();
    let sheet: Vec<Vec<Cell>> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            cols.iter()
                .map(|c| match c.key {
                    "code" => Cell::Text(code.clone()),
                    "period" => Cell::Text(period.clone()),
                    "invest_period" => Cell::Number(10.0 + (i % 97) as f64 * 1.25),
                    "progress_pct" => Cell::Number((i % 100) as f64),
                    "progress_text" => Cell::Text("主体施工".into()),
                    "started" => Cell::Text("是".into()),
                    "started_on" => Cell::Text("2025-03-01".into()),
                    "next_steps" => Cell::Text("加快推进".into()),
                    _ => Cell::Empty,
                })
                .collect()
        })
        .collect();
    let n = sheet.len();
    let bytes = template(&Template {
        sheets: vec![(Kind::Progress, sheet)],
        ..Template::default()
    })
    .expect("template");
    std::fs::write(&out, &bytes).expect("write the sheet");
    println!(
        "sheet: {n} rows, {:.1} MB, written in {}",
        bytes.len() as f64 / 1e6,
        secs(t)
    );

    // The floor: calamine reading the same sheet, nothing else.
    let here = duban_testkit::bench::floor(&bytes, Kind::Progress.zh());
    let apart = std::env::current_exe()
        .ok()
        .and_then(|me| {
            std::process::Command::new(me.with_file_name("duban-sheet-floor"))
                .arg(&out)
                .arg(Kind::Progress.zh())
                .output()
                .ok()
        })
        .and_then(|o| String::from_utf8(o.stdout).ok()?.trim().parse::<f64>().ok());
    let floor = apart.map_or(here, |a| a.min(here));
    println!(
        "calamine read (floor): {floor:.2} s (best of three here {here:.2} s, in a process with the system allocator {})",
        apart.map_or("not run".to_string(), |a| format!("{a:.2} s"))
    );
    let t = Instant::now();
    let grids = duban_sheets::workbook(&bytes, duban_sheets::Limits::default()).expect("read");
    println!(
        "duban read into grids: {} sheets in {}",
        grids.len(),
        secs(t)
    );

    for (what, dry) in [
        ("dry run", true),
        ("commit", false),
        ("re-import, dry run", true),
    ] {
        let t = Instant::now();
        let p = duban_app::imports::run(&db, &caller, "bench.xlsx", bytes.clone(), None, dry)
            .await
            .expect("import");
        let took = t.elapsed().as_secs_f64();
        let c = p.counts;
        println!(
            "{what}: {} create, {} update, {} unchanged, {} rejected in {took:.2} s, {:.1}× the floor",
            c.create,
            c.update,
            c.unchanged,
            c.rejected,
            took / floor
        );
        if p.errors_total > 0 {
            println!("  first error: {}", p.errors[0]);
        }
    }
}

/// Phase timings of the import at DUBAN_LOG=debug.
fn tracing_subscriber_init() {
    if let Ok(filter) = std::env::var("DUBAN_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
}
