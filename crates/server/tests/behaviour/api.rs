//! The real server on a random loopback port, on SQLite and on PostgreSQL
//! (DUBAN_TEST_PG_URL), spoken to over HTTP: the registry's read contract.

use duban_testkit as common;

use common::{Client, spawn_app};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;

async fn api_contract(db: Db) {
    common::user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db).await;
    let anon = Client::anonymous(&addr);
    let (s, h) = anon.get("/healthz").await;
    assert_eq!((s, h["status"].as_str()), (200, Some("ok")));
    assert_eq!(h["schema_version"], duban_store::schema::latest_version());
    // Business data needs a login.
    let (s, e) = anon.get("/api/v1/projects").await;
    assert_eq!((s, e["code"].as_str()), (401, Some("unauthenticated")));
    let c = Client::login(&addr, "sup").await;

    let (s, units) = c.get("/api/v1/units").await;
    assert_eq!(s, 200);
    let units = units["items"].as_array().unwrap().clone();
    assert!(units.len() > 600);
    let d1 = units.iter().find(|u| u["code"] == "D01").unwrap()["id"]
        .as_i64()
        .unwrap();

    let (s, all) = c.get("/api/v1/projects?page_size=500").await;
    assert_eq!(s, 200);
    assert_eq!(all["total"], 400);
    let (_, sub) = c
        .get(&format!("/api/v1/projects?unit={d1}&page_size=500"))
        .await;
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

    let (_, building) = c
        .get("/api/v1/projects?status=%E5%9C%A8%E5%BB%BA&page_size=5")
        .await; // 在建
    assert!(
        building["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "construction")
    );
    let (_, sorted) = c
        .get("/api/v1/projects?sort=total_investment&desc=true&page_size=50")
        .await;
    let inv: Vec<i64> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["total_investment"].as_i64().unwrap())
        .collect();
    assert!(inv.windows(2).all(|w| w[0] >= w[1]));

    let first = all["items"][0]["id"].as_i64().unwrap();
    let (s, p) = c.get(&format!("/api/v1/projects/{first}")).await;
    assert_eq!(s, 200);
    assert!(!p["funding"].as_array().unwrap().is_empty());

    // Bad input: every bad field named, in both languages.
    let (s, e) = c
        .get("/api/v1/projects?status=done&page_size=100000&sort=evil")
        .await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_input")));
    let fields: Vec<&str> = common::fields(&e);
    assert_eq!(fields, vec!["status", "sort", "page_size"]);
    assert!(e["message_zh"].as_str().unwrap().contains("每页条数"));
    let (s, e) = c.get("/api/v1/projects?page=abc").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_input")));
    let (s, e) = c.get("/api/v1/projects/999999").await;
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")));
    let (s, e) = c.get("/api/v1/projects/abc").await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_input")));
    let (s, e) = c.get("/api/v1/nothing-here").await;
    assert_eq!((s, e["code"].as_str()), (404, Some("not_found")));
    // The OpenAPI document describes every route of the table, and every schema it
    // refers to is in it.
    let (s, doc) = anon.get("/api/openapi.json").await;
    assert_eq!((s, doc["openapi"].as_str()), (200, Some("3.1.0")));
    for (path, method) in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/reports/{id}/submit", "post"),
        ("/api/v1/problems/{id}/extensions/{ext}/decide", "post"),
        ("/api/v1/projects/{id}/plans/{year}", "put"),
        ("/api/v1/audit", "get"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
    }
    let ops: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert!(ops >= 60, "{ops} operations");
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "$ref {name} resolves");
    }
    // Files are documented as the files they are, and served as documented.
    let file_types = |path: &str| -> Vec<String> {
        doc["paths"][path]["get"]["responses"]["200"]["content"]
            .as_object()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    };
    for (path, want) in [
        ("/api/v1/bulletins/{id}/docx", "wordprocessingml"),
        ("/api/v1/bulletins/{id}/html", "text/html"),
        ("/api/v1/bulletins/{id}/xlsx", "spreadsheetml"),
        ("/api/v1/assessments/{id}/xlsx", "spreadsheetml"),
        ("/api/v1/imports/template", "spreadsheetml"),
        ("/api/v1/projects/export.csv", "text/csv"),
        ("/api/v1/export/{list}", "text/csv"),
        ("/api/v1/attachments/{id}", "octet-stream"),
    ] {
        let types = file_types(path);
        assert!(
            types.iter().any(|t| t.contains(want))
                && !types
                    .iter()
                    .any(|t| t == "application/json" && !path.contains("{list}")),
            "{path}: {types:?}"
        );
    }
    let r = c
        .send("GET", "/api/v1/projects/export.csv?page_size=1", None)
        .await;
    let served = r.header("content-type").unwrap_or_default().to_string();
    assert!(
        file_types("/api/v1/projects/export.csv")
            .iter()
            .any(|t| served.starts_with(t.as_str())),
        "{served}"
    );
    let login = &doc["paths"]["/api/v1/auth/login"]["post"];
    assert_eq!(login["security"], serde_json::json!([]));
    let body = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .unwrap();
    let props = &schemas[body.rsplit('/').next().unwrap()]["properties"];
    assert!(props["username"].is_object() && props["totp"].is_object());

    // Everything else is the web UI (or a plain note when it was not built in).
    let r = anon.send("GET", "/projects", None).await;
    assert!(r.status == 200 || r.status == 404);
}

#[tokio::test]
async fn api_on_sqlite() {
    api_contract(common::database(false, 400).await.unwrap()).await;
}

#[tokio::test]
async fn api_on_postgres() {
    if let Some(db) = common::database(true, 400).await {
        api_contract(db).await;
    }
}

/// The session cookie is HttpOnly and SameSite=Strict; Secure when configured for HTTPS.
#[tokio::test]
async fn session_cookie_flags() {
    for secure in [false, true] {
        let db = common::database(false, 5).await.unwrap();
        common::user(&db, "u", "XJBT", &[(Role::Leader, Scope::All)]).await;
        let addr = common::spawn_with(db, secure).await;
        let r = Client::anonymous(&addr)
            .send(
                "POST",
                "/api/v1/auth/login",
                Some(&serde_json::json!({ "username": "u", "password": common::PASSWORD })),
            )
            .await;
        let c = r.header("set-cookie").unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Strict"),
            "{c}"
        );
        assert_eq!(c.contains("Secure"), secure, "{c}");
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

/// The web UI's scripts go out gzipped to browsers that accept it, as built; the
/// single-page app's routes get index.html.
#[tokio::test]
async fn the_ui_is_served_gzipped_when_accepted() {
    let db = common::database(false, 5).await.unwrap();
    let addr = spawn_app(db).await;
    let get = |path: &'static str, gzip: bool| {
        let addr = addr.clone();
        async move {
            let h = if gzip {
                vec![("Accept-Encoding", "gzip, deflate".to_string())]
            } else {
                vec![]
            };
            common::exchange(&addr, "GET", path, &h, b"").await
        }
    };
    let page = get("/projects/42", false).await;
    let html = String::from_utf8_lossy(&page.body).to_string();
    if page.status == 404 {
        // `cargo test` without `make web`: the binary says how to build the UI.
        assert!(html.contains("make web"), "{html}");
        return;
    }
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let script = html
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("index.html loads a script")
        .to_string();
    let script: &'static str = Box::leak(script.into_boxed_str());
    let plain = get(script, false).await;
    let packed = get(script, true).await;
    assert_eq!((plain.status, packed.status), (200, 200));
    assert_eq!(packed.header("content-encoding"), Some("gzip"));
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(packed.header("vary"), Some("accept-encoding"));
    assert_eq!(&packed.body[..2], b"\x1f\x8b");
    assert!(packed.body.len() * 2 < plain.body.len());
    assert_eq!(
        plain.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
}

/// An export longer than one batch: every project once, in the list's order.
async fn export_walks_every_batch(db: Db) {
    common::user(&db, "lead", "XJBT", &[(Role::Leader, Scope::All)]).await;
    let addr = spawn_app(db).await;
    let c = Client::login(&addr, "lead").await;
    let total = c.ok("/api/v1/projects?page_size=1").await["total"]
        .as_i64()
        .unwrap();
    assert!(total > 2000, "{total}");
    for desc in [false, true] {
        let r = c
            .send(
                "GET",
                &format!("/api/v1/projects/export.csv?sort=total_investment&desc={desc}"),
                None,
            )
            .await;
        assert_eq!(r.status, 200);
        let text = String::from_utf8(r.body).unwrap();
        let rows: Vec<Vec<&str>> = text
            .trim_end()
            .split("\r\n")
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        assert_eq!(rows.len() as i64, total);
        let codes: std::collections::HashSet<&str> = rows.iter().map(|r| r[0]).collect();
        assert_eq!(codes.len() as i64, total, "each project once");
        let inv: Vec<f64> = rows.iter().map(|r| r[11].parse().unwrap()).collect();
        assert!(
            inv.windows(2)
                .all(|w| if desc { w[0] >= w[1] } else { w[0] <= w[1] }),
            "in order"
        );
    }
}

#[tokio::test]
async fn export_on_sqlite() {
    export_walks_every_batch(common::database(false, 2300).await.unwrap()).await;
}

#[tokio::test]
async fn export_on_postgres() {
    if let Some(db) = common::database(true, 2300).await {
        export_walks_every_batch(db).await;
    }
}
