//! The inputs real users and scripts send: malformed and mistyped JSON, unknown fields,
//! huge bodies, out-of-range dates and amounts, SQL and HTML in text, wrong ids and
//! conflicting edits. Each gets a 4xx with a clear code and message, and nothing is
//! stored half-way.

use duban_testkit as common;

use common::{Client, spawn_app, unit_id, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::json;

duban_testkit::on_both!(60, bad_inputs_are_refused_cleanly);

async fn rows(db: &Db) -> Vec<i64> {
    let mut v = Vec::new();
    for t in [
        "projects",
        "project_funding",
        "annual_plans",
        "milestones",
        "reports",
        "problems",
        "problem_events",
        "inspections",
        "work_items",
        "users",
        "units",
        "attachments",
    ] {
        v.push(
            db.scalar(&format!("SELECT COUNT(*) AS v FROM {t}"), &[])
                .await
                .unwrap(),
        );
    }
    v
}

async fn bad_inputs_are_refused_cleanly(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "admin1", "XJBT", &[(Role::Admin, Scope::All)]).await;
    let d01 = unit_id(&db, "D01").await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let admin = Client::login(&addr, "admin1").await;
    let before = rows(&db).await;
    let mut tried = 0;
    let mut expect = |status: u16, want: &[u16], code: &str, want_code: &str, what: &str| {
        tried += 1;
        assert!(want.contains(&status), "{what}: status {status}");
        assert_eq!(code, want_code, "{what}");
    };

    // Malformed JSON, wrong content type, wrong types, unknown fields, missing fields.
    for (body, ctype, want, code, what) in [
        (
            "{\"code\": ",
            "application/json",
            400,
            "malformed_json",
            "truncated JSON",
        ),
        (
            "not json at all",
            "application/json",
            400,
            "malformed_json",
            "text",
        ),
        (
            "{\"code\": \"X\"}",
            "text/plain",
            415,
            "unsupported_media_type",
            "no JSON content type",
        ),
        (
            "{\"code\": 5, \"name\": [], \"category\": \"x\", \"nature\": \"x\", \"level\": \"x\", \"status\": \"x\", \"total_investment_wan\": \"1\"}",
            "application/json",
            400,
            "invalid_input",
            "wrong types",
        ),
        (
            "{\"code\": \"X\", \"name\": \"n\", \"category\": \"x\", \"nature\": \"x\", \"level\": \"x\", \"status\": \"x\", \"total_investment_wan\": \"1\", \"owner\": \"me\"}",
            "application/json",
            400,
            "invalid_input",
            "unknown field",
        ),
        (
            "{\"name\": \"n\"}",
            "application/json",
            400,
            "invalid_input",
            "missing fields",
        ),
        ("[]", "application/json", 400, "invalid_input", "an array"),
        ("null", "application/json", 400, "invalid_input", "null"),
    ] {
        let r = sup
            .raw("POST", "/api/v1/projects", ctype, body.as_bytes())
            .await;
        let v = r.json();
        expect(
            r.status,
            &[want],
            v["code"].as_str().unwrap_or(""),
            code,
            what,
        );
        assert!(
            !v["message_zh"].as_str().unwrap_or("").is_empty(),
            "{what}: a Chinese message"
        );
    }
    let r = sup
        .raw(
            "POST",
            "/api/v1/projects",
            "application/json",
            b"{\"code\":\"X\",\"owner\":1}",
        )
        .await;
    assert!(
        r.json()["message"].as_str().unwrap().contains("owner"),
        "the unknown field is named"
    );

    // A huge body (8 MiB of JSON) is refused before it is parsed.
    let huge = format!("{{\"code\": \"{}\"}}", "x".repeat(8 * 1024 * 1024));
    let r = sup
        .raw(
            "POST",
            "/api/v1/projects",
            "application/json",
            huge.as_bytes(),
        )
        .await;
    expect(
        r.status,
        &[413],
        r.json()["code"].as_str().unwrap_or(""),
        "too_large",
        "huge body",
    );

    // Out-of-range values, each named.
    let base = json!({ "code": "2025-650000-48-01-777777", "name": "测试项目", "unit_id": d01, "category": "产业", "nature": "新建",
                       "level": "省级", "status": "在建", "start_year": 2025, "end_year": 2026, "total_investment_wan": "100" });
    for (field, value, named) in [
        ("total_investment_wan", json!("-5"), "total_investment"),
        (
            "total_investment_wan",
            json!("99999999999999999999"),
            "total_investment",
        ),
        (
            "total_investment_wan",
            json!("1.234567"),
            "total_investment",
        ),
        ("total_investment_wan", json!("NaN"), "total_investment"),
        ("start_year", json!(1066), "start_year"),
        ("end_year", json!(2024), "end_year"),
        ("unit_id", json!(999_999_999), "unit_id"),
        ("name", json!("长".repeat(300)), "name"),
        ("code", json!("../../etc/passwd"), "code"),
    ] {
        let mut b = base.clone();
        b[field] = value;
        let (s, v) = sup.post("/api/v1/projects", b).await;
        expect(
            s,
            &[400],
            v["code"].as_str().unwrap_or(""),
            "invalid_input",
            field,
        );
        let fields: Vec<&str> = common::fields(&v);
        assert!(fields.contains(&named), "{field}: {fields:?}");
    }
    for (path, body, what) in [
        (
            "/api/v1/projects/1/plans/2025".to_string(),
            json!({ "planned_wan": "100", "milestones": [{ "name": "开工", "planned": "2025-02-30" }] }),
            "impossible date",
        ),
        (
            "/api/v1/projects/1/plans/2025".to_string(),
            json!({ "planned_wan": "100", "planned_start_month": 13 }),
            "month 13",
        ),
        (
            "/api/v1/projects/1/plans/2025".to_string(),
            json!({ "planned_wan": "100", "monthly_wan": ["1", "2"] }),
            "short curve",
        ),
        (
            "/api/v1/problems".into(),
            json!({ "source": "x", "category": "land", "description": "d", "lead_unit_id": d01, "deadline": "2020-01-01" }),
            "past deadline",
        ),
        (
            "/api/v1/inspections".into(),
            json!({ "unit_id": d01, "visited_on": "2999-01-01", "title": "t", "inspectors": ["a"] }),
            "future visit",
        ),
        (
            "/api/v1/work-items".into(),
            json!({ "list": "key", "unit_id": d01, "year": 99999, "title": "t", "target": "t" }),
            "year",
        ),
    ] {
        let (s, v) = sup.post(&path, body.clone()).await;
        let (s, v) = if s == 405 {
            sup.put(&path, body).await
        } else {
            (s, v)
        };
        expect(
            s,
            &[400],
            v["code"].as_str().unwrap_or(""),
            "invalid_input",
            what,
        );
    }
    let r = sup
        .raw(
            "PUT",
            "/api/v1/projects/1/plans/2025",
            "application/json",
            br#"{"planned_wan":"100","planned_start_month":-1}"#,
        )
        .await;
    expect(
        r.status,
        &[400],
        r.json()["code"].as_str().unwrap_or(""),
        "invalid_input",
        "negative month",
    );

    // Ids that are not ids.
    for path in [
        "/api/v1/projects/abc",
        "/api/v1/projects/-1",
        "/api/v1/projects/0",
        "/api/v1/projects/99999999999999999999",
        "/api/v1/projects/1%27%20OR%201=1",
    ] {
        let (s, v) = sup.get(path).await;
        expect(
            s,
            &[400],
            v["code"].as_str().unwrap_or(""),
            "invalid_input",
            path,
        );
    }
    let (s, v) = sup.get("/api/v1/projects/123456789").await;
    expect(
        s,
        &[404],
        v["code"].as_str().unwrap_or(""),
        "not_found",
        "missing project",
    );
    let (s, v) = sup.get("/api/v1/projects?page=1&unit=abc").await;
    expect(
        s,
        &[400],
        v["code"].as_str().unwrap_or(""),
        "invalid_input",
        "query type",
    );
    let (s, v) = sup
        .get("/api/v1/projects?sort=name;DROP%20TABLE%20projects")
        .await;
    expect(
        s,
        &[400],
        v["code"].as_str().unwrap_or(""),
        "invalid_input",
        "sort injection",
    );

    assert_eq!(
        rows(&db).await,
        before,
        "a refused request stored something"
    );

    // SQL and HTML in text are data: stored verbatim, returned JSON-escaped, harmless.
    let evil = "'); DROP TABLE projects; -- <script>alert('x')</script>";
    let mut b = base.clone();
    b["name"] = json!(evil);
    b["content"] = json!("<img src=x onerror=alert(1)>");
    let p = sup.ok_post("/api/v1/projects", b).await;
    tried += 1;
    assert_eq!(p["name"], evil);
    let found = sup.ok("/api/v1/projects?q=DROP%20TABLE").await;
    assert_eq!(found["total"], 1);
    let like = sup.ok("/api/v1/projects?q=%25").await;
    assert_eq!(like["total"], 0, "a % in the search is a literal");
    assert!(
        db.scalar("SELECT COUNT(*) AS v FROM projects", &[])
            .await
            .unwrap()
            > 0
    );

    // Conflicting edits of the same project from two sessions at once: one wins, the
    // other gets 409 with the current record; the stored name is the winner's.
    let id = p["id"].as_i64().unwrap();
    let sup2 = Client::login(&addr, "sup").await;
    let mut e1 = base.clone();
    e1["version"] = json!(1);
    e1["name"] = json!("甲");
    let mut e2 = e1.clone();
    e2["name"] = json!("乙");
    let path = format!("/api/v1/projects/{id}");
    let (r1, r2) = tokio::join!(sup.put(&path, e1), sup2.put(&path, e2));
    let mut st = [r1.0, r2.0];
    st.sort();
    tried += 1;
    assert_eq!(st, [200, 409]);
    let winner = if r1.0 == 200 { "甲" } else { "乙" };
    assert_eq!(sup.ok(&path).await["name"], winner);

    // Users: bad names, unknown roles and scopes.
    let (s, v) = admin.post("/api/v1/users", json!({ "username": "a b", "display_name": "", "unit_id": d01, "roles": [{ "role": "god", "scope": "everything" }] })).await;
    tried += 1;
    let fields: Vec<&str> = common::fields(&v);
    assert_eq!(
        (s, fields),
        (
            400,
            vec![
                "username",
                "display_name",
                "roles[0].role",
                "roles[0].scope"
            ]
        )
    );
    // A cross-organisation scope is granted only by an administrator over every
    // organisation: an administrator of "all" (one organisation) cannot.
    let (s, v) = admin.post("/api/v1/users", json!({ "username": "everywhere", "display_name": "跨组织", "unit_id": d01, "roles": [{ "role": "leader", "scope": "global" }] })).await;
    tried += 1;
    assert_eq!((s, common::fields(&v)), (400, vec!["roles[0].scope"]));
    println!("bad inputs tried: {tried}");
}
