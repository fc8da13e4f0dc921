//! A load generator for `make bench`: signs in, then keeps `--concurrency` workers
//! requesting the given paths on loopback for `--seconds`, and prints per-path latency
//! percentiles and the throughput.
//!
//! duban-load --addr 127.0.0.1:8080 --user u --password p --concurrency 16 --seconds 20 PATH...

use duban_testkit::bench::{arg, percentile_ms as pct};
use duban_testkit::{Client, exchange};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = arg(&args, "--addr", "127.0.0.1:8080");
    let user = arg(&args, "--user", "admin");
    let password = arg(&args, "--password", "");
    let workers: usize = arg(&args, "--concurrency", "16")
        .parse()
        .expect("--concurrency N");
    let seconds: u64 = arg(&args, "--seconds", "10").parse().expect("--seconds N");
    let paths: Vec<String> = args
        .iter()
        .filter(|a| a.starts_with('/'))
        .cloned()
        .collect();
    assert!(!paths.is_empty(), "give at least one path to request");
    let new_password = arg(&args, "--new-password", "Under-load-2026!q");
    let client = Client::login_for_bench(&addr, &user, &password, &new_password).await;
    let samples: Arc<Mutex<Vec<Vec<Duration>>>> =
        Arc::new(Mutex::new(vec![Vec::new(); paths.len()]));
    let errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for w in 0..workers {
        let (client, paths, samples, errors) = (
            client.clone(),
            paths.clone(),
            samples.clone(),
            errors.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut k = w;
            let headers = vec![
                ("Cookie", client.cookie.clone().unwrap_or_default()),
                ("Accept", "application/json".to_string()),
            ];
            let mut local: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
            while Instant::now() < until {
                let i = k % paths.len();
                let t = Instant::now();
                let r = exchange(&client.addr, "GET", &paths[i], &headers, &[]).await;
                if r.status == 200 {
                    local[i].push(t.elapsed());
                } else {
                    errors.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                }
                k += 1;
            }
            let mut s = samples.lock().unwrap();
            for (a, b) in s.iter_mut().zip(local) {
                a.extend(b);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut all = samples.lock().unwrap().clone();
    let total: usize = all.iter().map(Vec::len).sum();
    println!(
        "{workers} concurrent clients for {seconds} s: {total} requests, {:.0} req/s, {} errors",
        total as f64 / seconds as f64,
        errors.load(std::sync::atomic::Ordering::Relaxed)
    );
    println!(
        "{:<60} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "path", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (p, s) in paths.iter().zip(all.iter_mut()) {
        s.sort();
        println!(
            "{:<60} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
            p,
            s.len(),
            pct(s, 0.5),
            pct(s, 0.95),
            pct(s, 0.99),
            pct(s, 1.0)
        );
    }
}
