//! Trust (issue 18), on SQLite and PostgreSQL: every answer carries the security headers
//! (and HSTS over HTTPS); an API token cannot mint tokens, change the password or set up a
//! second factor; a project outside the caller's scope answers a write exactly as one that
//! does not exist.

use duban_testkit as common;

use common::{Client, exchange, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::json;

duban_testkit::on_both!(
    40,
    security_headers_on_pages_and_api,
    a_token_cannot_mint_tokens_or_change_the_password,
    out_of_scope_is_missing_in_writes,
);

fn header<'a>(r: &'a common::Resp, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

async fn security_headers_on_pages_and_api(db: Db) {
    let addr = spawn_app(db.clone()).await;
    for path in ["/", "/login", "/api/v1/auth/me", "/healthz", "/api/v1/nope"] {
        let r = exchange(&addr, "GET", path, &[], &[]).await;
        assert_eq!(
            header(&r, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(header(&r, "x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(header(&r, "referrer-policy"), Some("same-origin"), "{path}");
        let csp = header(&r, "content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self';"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-eval"));
        // Plain HTTP: no HSTS.
        assert_eq!(header(&r, "strict-transport-security"), None, "{path}");
    }
    // Served over HTTPS (secure cookies on): HSTS too.
    let https = common::spawn_with(db.clone(), true).await;
    let r = exchange(&https, "GET", "/api/v1/auth/me", &[], &[]).await;
    assert!(
        header(&r, "strict-transport-security")
            .unwrap_or_default()
            .starts_with("max-age=31536000")
    );
}

async fn a_token_cannot_mint_tokens_or_change_the_password(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let t = sup
        .ok_post(
            "/api/v1/tokens",
            json!({ "name": "大屏", "roles": ["supervisor"], "expires_in_days": 30 }),
        )
        .await;
    let bot = Client {
        bearer: t["token"].as_str().map(String::from),
        ..Client::anonymous(&addr)
    };
    // It reads what its role allows …
    assert_eq!(bot.get("/api/v1/projects").await.0, 200);
    // … but it does not make more tokens, change the password or touch the second factor.
    let (s, e) = bot
        .post(
            "/api/v1/tokens",
            json!({ "name": "child", "roles": ["supervisor"] }),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("session_required")),
        "{e}"
    );
    let (s, e) = bot
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": common::PASSWORD, "new_password": "Another-pass-2026" }),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("session_required")),
        "{e}"
    );
    let (s, _) = bot.post("/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(s, 403);
    // The person still can.
    let child = sup
        .post(
            "/api/v1/tokens",
            json!({ "name": "第二个", "roles": ["supervisor"] }),
        )
        .await;
    assert_eq!(child.0, 200);
    let n = db
        .scalar("SELECT COUNT(*) AS v FROM api_tokens", &[])
        .await
        .unwrap();
    assert_eq!(n, 2, "no token made by a token");
}

async fn out_of_scope_is_missing_in_writes(db: Db) {
    // A clerk of one unit, and a project of another unit.
    let units = duban_store::units::list(&db).await.unwrap();
    let missing = common::not_submitted(&db, 2025, 11).await;
    let mine = missing[0].unit_id;
    let other = missing.iter().find(|m| m.unit_id != mine).unwrap();
    let code = &units.iter().find(|u| u.id == mine).unwrap().code;
    user(&db, "rep", code, &[(Role::Reporter, Scope::Own)]).await;
    let addr = spawn_app(db.clone()).await;
    let rep = Client::login(&addr, "rep").await;
    let body = |p: i64| {
        json!({ "project_id": p, "period": "2025-11", "figures": {
        "invest_period": 0, "invest_ytd": 0, "invest_since_start": 0, "progress_bp": 0, "progress_text": "",
        "funds_received": 0, "funds_disbursed": 0, "started": false, "started_on": null, "stats_entered": false,
        "issues": "", "next_steps": "" } })
    };
    let theirs = rep
        .post("/api/v1/reports", body(other.project_id.get()))
        .await;
    let nowhere = rep.post("/api/v1/reports", body(999_999_999)).await;
    assert_eq!(
        theirs, nowhere,
        "another unit's project answers as a missing one"
    );
    assert!(
        !theirs
            .1
            .to_string()
            .contains(&format!("unit {}", other.unit_id)),
        "{}",
        theirs.1
    );
}
