//! Nothing lost, nothing twice: problems assigned through the real `duban serve` (SQLite)
//! put their messages in the outbox in the same transaction; the server is killed with
//! SIGKILL while it delivers them to a slow webhook on loopback (so one is in flight,
//! received by the webhook but not yet recorded), and restarted. Afterwards every message
//! is delivered, and the webhook accepted none twice: the one sent again after the crash
//! carried the same Idempotency-Key and was refused as a repeat (409).

mod common;

use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_testkit::{Client, Outside, PASSWORD};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn messages_survive_sigkill_between_commit_and_delivery() {
    let dir = std::env::temp_dir().join(format!("duban-outbox-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("outbox.sqlite").display());
    let console = duban_app::unit_of_work::Console::open();
    let unit;
    {
        let db = duban_app::open(&url).await.unwrap();
        let params = duban_gen::Params {
            projects: 20,
            seed: 4,
            as_of: duban_domain::Period::new(2025, 10).unwrap(),
        };
        duban_app::load::generate(&console, &db, params, |_| {})
            .await
            .unwrap();
        // The administrator signs in twice within a minute: no second factor here.
        duban_app::settings::set_totp_roles(&console, &db, &[])
            .await
            .unwrap();
        let root = duban_store::units::by_code(&db, "XJBT")
            .await
            .unwrap()
            .unwrap()
            .id;
        unit = duban_store::units::list(&db)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.parent_id == Some(root))
            .unwrap()
            .id;
        for (name, role, at) in [
            ("admin", Role::Admin, root),
            ("sup", Role::Supervisor, root),
            ("clerk", Role::Reporter, unit),
        ] {
            let scope = if at == root { Scope::All } else { Scope::Own };
            duban_app::accounts::create_user(
                &console,
                &db,
                name,
                name,
                at,
                PASSWORD,
                false,
                &[RoleGrant { role, scope }],
            )
            .await
            .unwrap();
        }
        db.close().await;
    }
    let out = Outside::start();
    // Each delivery takes the webhook 700 ms: the server is killed mid-way.
    out.delay("/hook", 700).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = common::serve(&url, &dir, &addr);
    common::wait_up(&addr).await;
    let admin = Client::login(&addr, "admin").await;
    admin
        .ok_post(
            "/api/v1/channels",
            json!({"name": "对接平台", "events": ["problem_assigned"],
                "config": {"kind": "webhook", "url": out.url("/hook"), "secret": "hook-secret"}}),
        )
        .await;
    // Twelve problems assigned to the clerk's unit: twelve messages for the webhook.
    let sup = Client::login(&addr, "sup").await;
    let deadline = (chrono::Utc::now().date_naive() + chrono::Days::new(30)).to_string();
    const N: usize = 12;
    for i in 0..N {
        sup.ok_post(
            "/api/v1/problems",
            json!({ "source": "dispatch", "category": "land", "description": format!("用地问题{i}"),
                "lead_unit_id": unit, "deadline": deadline }),
        )
        .await;
    }
    // Kill it while it delivers: a message is on its way (the webhook answers slowly).
    tokio::time::sleep(Duration::from_millis(2_300)).await;
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    let before = out.log().await["http"].as_array().unwrap().len();
    assert!(
        before < N,
        "killed before the end: {before} of {N} received"
    );

    // Restarted, it delivers the rest; the row in flight goes again once its claim runs out.
    server = common::serve(&url, &dir, &addr);
    common::wait_up(&addr).await;
    let admin = Client::login(&addr, "admin").await;
    let t = Instant::now();
    loop {
        let waiting = admin.ok("/api/v1/deliveries?status=pending").await["total"]
            .as_i64()
            .unwrap();
        if waiting == 0 {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "{waiting} messages still waiting"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    // Let any late repeat arrive before counting.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let log = out.log().await;
    server.kill().unwrap();
    server.wait().unwrap();
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut repeats = 0;
    for e in log["http"].as_array().unwrap() {
        if e["ok"] != true {
            continue;
        }
        if e["duplicate"] == true {
            repeats += 1;
        } else {
            *by_key
                .entry(e["key"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    assert_eq!(by_key.len(), N, "every message delivered: {log}");
    assert!(
        by_key.values().all(|n| *n == 1),
        "none accepted twice: {by_key:?}"
    );
    // The outbox agrees: every row sent.
    let db = duban_app::open(&url).await.unwrap();
    let counts = duban_store::deliveries::counts(&db).await.unwrap();
    assert_eq!(
        counts
            .iter()
            .map(|c| (c.1.as_str(), c.2))
            .collect::<Vec<_>>(),
        vec![("sent", N as i64)]
    );
    eprintln!(
        "outbox crash test: {N} messages, killed after {before} received, all {N} delivered once; {repeats} sent again after the restart and refused as repeats by their Idempotency-Key"
    );
    db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
