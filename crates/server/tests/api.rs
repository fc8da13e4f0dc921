//! The real server on a random loopback port, on SQLite and on PostgreSQL
//! (DUBAN_TEST_PG_URL), spoken to over HTTP.

use duban_app::Db;
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static N: AtomicUsize = AtomicUsize::new(0);

async fn database(pg: bool) -> Option<Db> {
    let name = format!(
        "duban_api_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let url = if pg {
        let Ok(url) = std::env::var("DUBAN_TEST_PG_URL") else {
            assert!(
                std::env::var("DUBAN_REQUIRE_PG").is_err(),
                "DUBAN_REQUIRE_PG is set but DUBAN_TEST_PG_URL is not"
            );
            return None;
        };
        let admin = Db::connect(&url).await.unwrap();
        admin
            .execute(&format!("CREATE DATABASE {name}"), &[])
            .await
            .unwrap();
        admin.close().await;
        format!("{}/{name}", url.rsplit_once('/').unwrap().0)
    } else {
        format!(
            "sqlite://{}",
            std::env::temp_dir()
                .join(format!("{name}.sqlite"))
                .display()
        )
    };
    let db = duban_app::open(&url).await.unwrap();
    let params = duban_gen::Params {
        projects: 400,
        seed: 3,
        as_of: duban_domain::Period::new(2025, 10).unwrap(),
    };
    duban_app::load::generate(&db, params, |_| {})
        .await
        .unwrap();
    Some(db)
}

/// Start the server on a random port; returns its address.
async fn spawn_app(db: Db) -> String {
    let listener = duban_server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(duban_server::serve(listener, duban_server::AppState { db }));
    addr
}

/// A minimal HTTP/1.1 GET: status and body.
async fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8(buf).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((len, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(len.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

async fn json(addr: &str, path: &str) -> (u16, Value) {
    let (status, body) = get(addr, path).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")),
    )
}

async fn api_contract(db: Db) {
    let addr = spawn_app(db).await;
    let (s, h) = json(&addr, "/healthz").await;
    assert_eq!((s, h["status"].as_str()), (200, Some("ok")));
    assert_eq!(h["schema_version"], 1);

    let (s, units) = json(&addr, "/api/v1/units").await;
    assert_eq!(s, 200);
    let units = units["items"].as_array().unwrap().clone();
    assert!(units.len() > 600);
    let d1 = units.iter().find(|u| u["code"] == "D01").unwrap()["id"]
        .as_i64()
        .unwrap();

    let (s, all) = json(&addr, "/api/v1/projects?page_size=500").await;
    assert_eq!(s, 200);
    assert_eq!(all["total"], 400);
    let (_, sub) = json(&addr, &format!("/api/v1/projects?unit={d1}&page_size=500")).await;
    let in_d1: Vec<i64> = units
        .iter()
        .filter(|u| u["id"] == d1 || u["code"].as_str().unwrap().starts_with("D01-"))
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    let expected = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| in_d1.contains(&p["unit_id"].as_i64().unwrap()))
        .count();
    assert_eq!(sub["total"].as_u64().unwrap() as usize, expected);
    assert!(expected > 0);

    let (_, building) = json(
        &addr,
        "/api/v1/projects?status=%E5%9C%A8%E5%BB%BA&page_size=5",
    )
    .await; // 在建
    assert!(
        building["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "construction")
    );
    let (_, sorted) = json(
        &addr,
        "/api/v1/projects?sort=total_investment&desc=true&page_size=50",
    )
    .await;
    let inv: Vec<i64> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total_investment"].as_i64().unwrap())
        .collect();
    assert!(inv.windows(2).all(|w| w[0] >= w[1]));

    let first = all["items"][0]["id"].as_i64().unwrap();
    let (s, p) = json(&addr, &format!("/api/v1/projects/{first}")).await;
    assert_eq!(s, 200);
    assert!(!p["funding"].as_array().unwrap().is_empty());

    // Bad input: every bad field named, in both languages.
    let (s, e) = json(
        &addr,
        "/api/v1/projects?status=done&page_size=100000&sort=evil",
    )
    .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_input")));
    let fields: Vec<&str> = e["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["status", "sort", "page_size"]);
    assert!(e["message_zh"].as_str().unwrap().contains("每页条数"));
    let (s, e) = json(&addr, "/api/v1/projects?page=abc").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_input")));
    let (s, e) = json(&addr, "/api/v1/projects/999999").await;
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")));
    let (s, e) = json(&addr, "/api/v1/projects/abc").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_input")));
    let (s, e) = json(&addr, "/api/v1/nothing-here").await;
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")));
    // Everything else is the web UI (or a plain note when it was not built in).
    let (s, _) = get(&addr, "/projects").await;
    assert!(s == 200 || s == 404);
}

#[tokio::test]
async fn api_on_sqlite() {
    api_contract(database(false).await.unwrap()).await;
}

#[tokio::test]
async fn api_on_postgres() {
    if let Some(db) = database(true).await {
        api_contract(db).await;
    }
}

#[tokio::test]
async fn a_busy_port_is_a_clear_error() {
    let l = duban_server::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let e = duban_server::bind(&addr).await.unwrap_err();
    assert!(
        e.contains("already in use") && e.contains("--listen"),
        "{e}"
    );
    assert!(
        duban_server::bind("localhost")
            .await
            .unwrap_err()
            .contains("IP:PORT")
    );
}
