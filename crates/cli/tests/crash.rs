//! Nothing acknowledged is lost: report submissions come from a load generator on
//! loopback while the real `duban serve` (SQLite) is killed with SIGKILL at random
//! moments and restarted. Afterwards every acknowledged submission is present exactly
//! once, with exactly one audit entry, and the audit chain verifies.

mod common;

use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_testkit::{Client, PASSWORD};
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_submissions_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("duban-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("crash.sqlite").display());
    {
        let db = duban_app::open(&url).await.unwrap();
        let params = duban_gen::Params {
            projects: 40,
            seed: 9,
            as_of: duban_domain::Period::new(2025, 10).unwrap(),
        };
        duban_app::load::generate(
            &duban_app::unit_of_work::Console::open(),
            &db,
            params,
            |_| {},
        )
        .await
        .unwrap();
        let root = duban_store::units::by_code(&db, "XJBT")
            .await
            .unwrap()
            .unwrap()
            .id;
        let g = [RoleGrant {
            role: Role::Reporter,
            scope: Scope::All,
        }];
        duban_app::accounts::create_user(
            &duban_app::unit_of_work::Console::open(),
            &db,
            "clerk",
            "clerk",
            root,
            PASSWORD,
            false,
            &g,
        )
        .await
        .unwrap();
        db.close().await;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = common::serve(&url, &dir, &addr);
    common::wait_up(&addr).await;
    let client = Client::login(&addr, "clerk").await;
    let projects: Vec<i64> = client.ok("/api/v1/projects?page_size=500").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    // The work: one report per (project, period) from 2025-11 to 2026-10, created then submitted.
    let periods: Vec<String> = (0..12)
        .map(|i| {
            let m = 11 + i;
            format!("{}-{:02}", 2025 + (m - 1) / 12, (m - 1) % 12 + 1)
        })
        .collect();
    let work: Vec<(i64, String)> = projects
        .iter()
        .flat_map(|p| periods.iter().map(move |q| (*p, q.clone())))
        .collect();
    let queue = Arc::new(Mutex::new(work));
    let acked: Arc<Mutex<BTreeSet<i64>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut workers = Vec::new();
    for _ in 0..6 {
        let (client, queue, acked, stop) =
            (client.clone(), queue.clone(), acked.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let Some((p, period)) = queue.lock().unwrap().pop() else { break };
                // Create (or find, after a crash) the draft, then submit it.
                let created = tokio::time::timeout(Duration::from_secs(5), client.try_post("/api/v1/reports", json!({ "project_id": p, "period": period, "figures": { "progress_text": "负载" } }))).await;
                let id = match created {
                    Ok(Some((200, v))) => v["id"].as_i64(),
                    Ok(Some((409, _))) => {
                        let l = client.try_get(&format!("/api/v1/reports?project={p}&period={period}")).await;
                        l.and_then(|(_, v)| v["items"][0]["id"].as_i64())
                    }
                    _ => None,
                };
                let Some(id) = id else {
                    queue.lock().unwrap().insert(0, (p, period));
                    tokio::time::sleep(Duration::from_millis(30)).await;
                    continue;
                };
                match tokio::time::timeout(Duration::from_secs(5), client.try_post(&format!("/api/v1/reports/{id}/submit"), json!({}))).await {
                    Ok(Some((200, _))) => {
                        acked.lock().unwrap().insert(id);
                    }
                    Ok(Some((422, _))) => {} // submitted before a crash whose answer was lost
                    _ => {
                        queue.lock().unwrap().insert(0, (p, period));
                        tokio::time::sleep(Duration::from_millis(30)).await;
                    }
                }
            }
        }));
    }

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut kills = 0;
    let started = Instant::now();
    while kills < 8 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(150..600))).await;
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        kills += 1;
        server = common::serve(&url, &dir, &addr);
        common::wait_up(&addr).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() > 20,
        "too little work got through: {}",
        acked.len()
    );
    let db = duban_app::open(&url).await.unwrap();
    for id in &acked {
        let state: String = db
            .fetch_one(
                "SELECT state AS v FROM reports WHERE id = $1",
                &[(*id).into()],
                |r| r.str("v"),
            )
            .await
            .unwrap();
        assert_eq!(state, "submitted", "report {id} was acknowledged");
        let audited = db.scalar("SELECT COUNT(*) AS v FROM audit_log WHERE action = 'report.submit' AND object_id = $1", &[id.to_string().into()]).await.unwrap();
        assert_eq!(audited, 1, "report {id}: one audit entry");
    }
    let dupes = db
        .scalar("SELECT COUNT(*) AS v FROM (SELECT project_id, year, month FROM reports WHERE revision = 1 GROUP BY project_id, year, month HAVING COUNT(*) > 1) d", &[])
        .await
        .unwrap();
    assert_eq!(dupes, 0);
    let v = duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
        .await
        .unwrap();
    assert!(v.broken.is_none(), "{v:?}");
    println!(
        "crash test: {kills} SIGKILLs, {} acknowledged submissions all present once, {} audit entries verified",
        acked.len(),
        v.entries
    );
    let _ = std::fs::remove_dir_all(&dir);
}
