//! Writes for `make bench`: report submissions and approvals over HTTP by `--concurrency`
//! clients on loopback, beside raw single-row SQLite transactions with the same
//! durability (duban's own connection settings: WAL, `synchronous = FULL`, one
//! `BEGIN IMMEDIATE … COMMIT` per row) in a scratch file, by as many workers.
//!
//! duban-write-bench --addr A --clerk U --clerk-password P --approver U
//!                   --approver-password P --period 2025-11 --concurrency 8
//!                   --raw-db PATH PROJECT_ID...
//!
//! A submission is the report created with its figures, then submitted (two requests;
//! the submit is the write that validates, updates the read model and audits). An
//! approval is one request.

use duban_testkit::Client;
use duban_testkit::bench::{arg, percentile_ms};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one phase measured: operations done, wall time, and each one's latency.
struct Phase {
    name: &'static str,
    done: usize,
    wall: Duration,
    latencies: Vec<Duration>,
}

impl Phase {
    fn rate(&self) -> f64 {
        self.done as f64 / self.wall.as_secs_f64()
    }
    fn pct(&self, p: f64) -> f64 {
        percentile_ms(&self.latencies, p)
    }
    fn print(&self, raw: Option<f64>) {
        println!(
            "{:<34} {:>7} {:>9.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9}",
            self.name,
            self.done,
            self.rate(),
            self.pct(0.5),
            self.pct(0.95),
            self.pct(0.99),
            self.pct(1.0),
            raw.map(|r| format!("{:.1}%", self.rate() * 100.0 / r))
                .unwrap_or_default()
        );
    }
}

/// Run `op` over `items` with `workers` tasks, each taking the next item.
async fn phase<T, F, Fut>(name: &'static str, workers: usize, items: Vec<T>, op: F) -> Phase
where
    T: Clone + Send + Sync + 'static,
    F: Fn(usize, T) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = Option<Duration>> + Send,
{
    let items = Arc::new(items);
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (items, next, latencies, op) =
            (items.clone(), next.clone(), latencies.clone(), op.clone());
        tasks.push(tokio::spawn(async move {
            let mut local = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if let Some(d) = op(w, item.clone()).await {
                    local.push(d);
                }
            }
            latencies.lock().unwrap().extend(local);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let wall = start.elapsed();
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap());
    latencies.sort();
    Phase {
        name,
        done: latencies.len(),
        wall,
        latencies,
    }
}

/// A report's workflow step (`submit`, `approve`) as one timed request; `None` when it
/// fails, said on stderr.
fn step(
    client: &Client,
    verb: &'static str,
) -> impl Fn(usize, i64) -> std::pin::Pin<Box<dyn std::future::Future<Output = Option<Duration>> + Send>>
+ Send
+ Sync
+ Clone
+ 'static {
    let client = client.clone();
    move |_, id| {
        let client = client.clone();
        Box::pin(async move {
            let t = Instant::now();
            let (status, body) = client
                .post(&format!("/api/v1/reports/{id}/{verb}"), json!({}))
                .await;
            if status == 200 {
                Some(t.elapsed())
            } else {
                eprintln!("{verb} {id}: {status} {body}");
                None
            }
        })
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = arg(&args, "--addr", "127.0.0.1:8080");
    let new_password = arg(&args, "--new-password", "Bench-write-2026!");
    let period = arg(&args, "--period", "2025-11");
    let workers: usize = arg(&args, "--concurrency", "8")
        .parse()
        .expect("--concurrency N");
    let raw_db = arg(&args, "--raw-db", "target/bench/raw-writes.sqlite");
    // The positional arguments: every one not a flag or a flag's value.
    let mut projects: Vec<i64> = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a.starts_with("--") {
            it.next();
        } else {
            projects.push(a.parse().expect("a project id"));
        }
    }
    assert!(
        !projects.is_empty(),
        "give the ids of projects to report on"
    );
    let clerk = Client::login_for_bench(
        &addr,
        &arg(&args, "--clerk", "wclerk"),
        &arg(&args, "--clerk-password", ""),
        &new_password,
    )
    .await;
    let approver = Client::login_for_bench(
        &addr,
        &arg(&args, "--approver", "wapprover"),
        &arg(&args, "--approver-password", ""),
        &new_password,
    )
    .await;
    let figures = json!({
        "invest_period": 1_000_000, "invest_ytd": 1_000_000, "invest_since_start": 1_000_000,
        "progress_bp": 5000, "progress_text": "主体施工", "funds_received": 1_000_000,
        "funds_disbursed": 800_000, "started": true, "started_on": "2025-03-01",
        "stats_entered": true, "issues": "", "next_steps": "按计划推进"
    });

    // Drafts first (not timed as submissions), then the submissions.
    let drafts = Arc::new(Mutex::new(Vec::new()));
    let created = {
        let (clerk, drafts, period, figures) = (
            clerk.clone(),
            drafts.clone(),
            period.clone(),
            figures.clone(),
        );
        phase("create a draft", workers, projects, move |_, p| {
            let (clerk, drafts, period, figures) = (
                clerk.clone(),
                drafts.clone(),
                period.clone(),
                figures.clone(),
            );
            async move {
                let t = Instant::now();
                let (status, body): (u16, Value) = clerk
                    .post(
                        "/api/v1/reports",
                        json!({ "project_id": p, "period": period, "figures": figures }),
                    )
                    .await;
                if status != 200 && status != 201 {
                    eprintln!("create for project {p}: {status} {body}");
                    return None;
                }
                drafts.lock().unwrap().push(body["id"].as_i64().unwrap());
                Some(t.elapsed())
            }
        })
        .await
    };
    let ids = drafts.lock().unwrap().clone();
    let submitted = phase("submit", workers, ids.clone(), step(&clerk, "submit")).await;
    let approved = phase("approve", workers, ids.clone(), step(&approver, "approve")).await;

    // The baseline: as many single-row transactions on duban's own SQLite settings.
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{raw_db}{f}"));
    }
    let db = duban_store::Db::connect(&format!("sqlite://{raw_db}"))
        .await
        .expect("the scratch database");
    db.execute(
        "CREATE TABLE writes (id INTEGER PRIMARY KEY, project_id BIGINT NOT NULL, period TEXT NOT NULL, figures TEXT NOT NULL)",
        &[],
    )
    .await
    .unwrap();
    let payload = figures.to_string();
    let raw = {
        let (db, period) = (db.clone(), period.clone());
        phase(
            "raw SQLite, one row per transaction",
            workers,
            (0..ids.len() as i64).collect(),
            move |_, p| {
                let (db, period, payload) = (db.clone(), period.clone(), payload.clone());
                async move {
                    let t = Instant::now();
                    let mut tx = db.write().await.ok()?;
                    tx.execute(
                        "INSERT INTO writes (project_id, period, figures) VALUES ($1, $2, $3)",
                        &[p.into(), period.as_str().into(), payload.as_str().into()],
                    )
                    .await
                    .ok()?;
                    tx.commit().await.ok()?;
                    Some(t.elapsed())
                }
            },
        )
        .await
    };
    db.close().await;
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{raw_db}{f}"));
    }
    println!("{workers} concurrent clients; rate in operations per second, latency in ms");
    println!(
        "{:<34} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8} {:>9}",
        "operation", "n", "per s", "p50", "p95", "p99", "max", "of raw"
    );
    let r = raw.rate();
    created.print(Some(r));
    submitted.print(Some(r));
    approved.print(Some(r));
    raw.print(None);
    if submitted.done != ids.len() || approved.done != ids.len() {
        eprintln!(
            "{} of {} submissions and {} approvals succeeded",
            submitted.done,
            ids.len(),
            approved.done
        );
        std::process::exit(1);
    }
}
