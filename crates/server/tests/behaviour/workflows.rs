//! Every workflow end to end over HTTP, on SQLite and PostgreSQL: sign-in and the
//! security baseline, the registry's writes, the progress-report workflow, problems,
//! inspections and work items, attachments, and the audit chain.

use duban_testkit as common;

use common::{Client, PASSWORD, spawn_app, unit_id, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};

duban_testkit::on_both!(
    120,
    sign_in_and_the_security_baseline,
    registry_writes_with_optimistic_concurrency,
    report_workflow,
    problem_workflow,
    problems_by_project,
    dispatch_counts_follow_problems,
    approval_in_two_levels_and_photos,
    problems_raised_from_reports,
    inspections_and_work_items,
    audit_chain_detects_tampering,
);

fn code(v: &Value) -> &str {
    v["code"].as_str().unwrap_or("")
}

/// A project and the code of its unit, chosen by the supervisor's view.
async fn some_project(sup: &Client, n: usize) -> (i64, i64, String) {
    let units = sup.ok("/api/v1/units").await;
    let ps = sup.ok("/api/v1/projects?page_size=100&sort=code").await;
    let p = &ps["items"][n];
    let unit = p["unit_id"].as_i64().unwrap();
    let ucode = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == unit)
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    (p["id"].as_i64().unwrap(), unit, ucode)
}

async fn sign_in_and_the_security_baseline(db: Db) {
    user(&db, "admin1", "XJBT", &[(Role::Admin, Scope::All)]).await;
    user(&db, "audit1", "XJBT", &[(Role::Auditor, Scope::All)]).await;
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let anon = Client::anonymous(&addr);

    // Wrong password, unknown user: the same answer.
    let e = Client::login_with(&addr, "sup", "Wrong-pass-1")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "bad_credentials");
    let e2 = Client::login_with(&addr, "nobody", "Wrong-pass-1")
        .await
        .unwrap_err();
    assert_eq!(e["message"], e2["message"]);

    // Five failures in a row lock the account for ten minutes, even for the right password.
    for _ in 0..3 {
        Client::login_with(&addr, "sup", "Wrong-pass-1")
            .await
            .unwrap_err();
    }
    let e = Client::login_with(&addr, "sup", "Wrong-pass-1")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "account_locked", "{e}");
    let e = Client::login_with(&addr, "sup", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "account_locked");
    assert!(e["message_zh"].as_str().unwrap().contains("锁定"));

    // The administrator unlocks; a user created by the administrator must change the
    // initial password before anything else.
    let admin = Client::login(&addr, "admin1").await;
    let sup_id = admin.ok("/api/v1/users").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "sup")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    admin
        .ok_post(&format!("/api/v1/users/{sup_id}/unlock"), json!({}))
        .await;
    let sup = Client::login(&addr, "sup").await;
    let d01 = unit_id(&db, "D01").await;
    let created = admin
        .ok_post(
            "/api/v1/users",
            json!({ "username": "clerk7", "display_name": "填报员七", "unit_id": d01,
                    "roles": [{ "role": "reporter", "scope": "subtree" }] }),
        )
        .await;
    let initial = created["initial_password"].as_str().unwrap().to_string();
    let clerk = Client::login_with(&addr, "clerk7", &initial).await.unwrap();
    let (s, e) = clerk.get("/api/v1/projects").await;
    assert_eq!((s, code(&e)), (403, "password_change_required"));
    assert_eq!(
        clerk.ok("/api/v1/auth/me").await["password_change_required"],
        true
    );
    let (s, e) = clerk
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": initial, "new_password": "short" }),
        )
        .await;
    assert_eq!(
        (s, e["details"][0]["field"].as_str()),
        (400, Some("new_password"))
    );
    clerk
        .ok_post(
            "/api/v1/auth/password",
            json!({ "old_password": initial, "new_password": "Clerk-seven-77" }),
        )
        .await;
    assert!(
        clerk.ok("/api/v1/projects").await["total"]
            .as_i64()
            .unwrap()
            > 0
    );

    // Separation of duties and roles combined wrongly.
    let (s, e) = admin
        .post(
            "/api/v1/users",
            json!({ "username": "both", "display_name": "x", "unit_id": d01,
                    "roles": [{ "role": "admin", "scope": "all" }, { "role": "supervisor", "scope": "all" }] }),
        )
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("separation_of_duties"))
    );
    assert_eq!(admin.get("/api/v1/projects").await.0, 403);
    assert_eq!(admin.get("/api/v1/audit").await.0, 403);
    let auditor = Client::login(&addr, "audit1").await;
    assert_eq!(auditor.get("/api/v1/projects").await.0, 403);
    assert_eq!(auditor.get("/api/v1/users").await.0, 403);
    assert_eq!(auditor.get("/api/v1/units").await.0, 403);
    assert_eq!(admin.get("/api/v1/units").await.0, 200);

    // CSRF: a write with the session cookie but without the token is refused.
    let no_csrf = Client {
        csrf: None,
        ..sup.clone()
    };
    let (s, e) = no_csrf.post("/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!((s, code(&e)), (403, "csrf"));

    // TOTP: enrol, then the second factor is required, and a code is good once.
    let setup = sup.ok_post("/api/v1/auth/totp/setup", json!({})).await;
    let secret = duban_domain::security::from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let now = chrono::Utc::now().timestamp() as u64;
    let code_now = format!("{:06}", duban_domain::security::totp_at(&secret, now / 30));
    let (s, _) = sup
        .post("/api/v1/auth/totp/enable", json!({ "code": "000000x" }))
        .await;
    assert_eq!(s, 400);
    sup.ok_post("/api/v1/auth/totp/enable", json!({ "code": code_now }))
        .await;
    let e = Client::login_with(&addr, "sup", PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(code(&e), "totp_required");
    let r = anon
        .send(
            "POST",
            "/api/v1/auth/login",
            Some(&json!({ "username": "sup", "password": PASSWORD, "totp": code_now })),
        )
        .await;
    assert_eq!(r.status, 401, "the code used to enable cannot be replayed");
    let next = format!(
        "{:06}",
        duban_domain::security::totp_at(&secret, now / 30 + 1)
    );
    let r = anon
        .send(
            "POST",
            "/api/v1/auth/login",
            Some(&json!({ "username": "sup", "password": PASSWORD, "totp": next })),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.json());

    // API tokens: a subset of the owner's roles, revocable.
    let (s, e) = sup
        .post(
            "/api/v1/tokens",
            json!({ "name": "bi", "roles": ["admin"] }),
        )
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("not_held"))
    );
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
    assert!(bot.ok("/api/v1/projects").await["total"].as_i64().unwrap() > 0);
    let r = sup
        .send("DELETE", &format!("/api/v1/tokens/{}", t["id"]), None)
        .await;
    assert_eq!(r.status, 200);
    let (s, e) = bot.get("/api/v1/projects").await;
    assert_eq!((s, code(&e)), (401, "bad_token"));

    // A session idle for 30 minutes ends; a password older than 90 days must change.
    user(&db, "idle1", "XJBT", &[(Role::Leader, Scope::All)]).await;
    let idle = Client::login(&addr, "idle1").await;
    assert_eq!(idle.get("/api/v1/projects").await.0, 200);
    let long_ago = duban_store::now_ms() - 31 * 60 * 1000;
    db.execute("UPDATE sessions SET last_seen = $1 WHERE user_id = (SELECT id FROM users WHERE username = 'idle1')", &[long_ago.into()])
        .await
        .unwrap();
    let (s, e) = idle.get("/api/v1/projects").await;
    assert_eq!((s, code(&e)), (401, "session_expired"));
    let old = duban_store::now_ms() - 91 * 86_400_000;
    db.execute(
        "UPDATE users SET password_changed_at = $1 WHERE username = 'idle1'",
        &[old.into()],
    )
    .await
    .unwrap();
    let aged = Client::login(&addr, "idle1").await;
    let (s, e) = aged.get("/api/v1/projects").await;
    assert_eq!((s, code(&e)), (403, "password_change_required"));

    // Logout ends the session.
    sup.ok_post("/api/v1/auth/logout", json!({})).await;
    let (s, e) = sup.get("/api/v1/projects").await;
    assert_eq!((s, code(&e)), (401, "session_expired"));

    // The auditor sees every login attempt with its outcome.
    let logins = auditor
        .ok("/api/v1/audit?action=login&actor=sup&page_size=100")
        .await;
    let outcomes: Vec<&str> = logins["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    for o in ["failed", "locked", "ok", "totp_required"] {
        assert!(outcomes.contains(&o), "{o} in {outcomes:?}");
    }
    assert!(
        logins["items"][0]["ip"]
            .as_str()
            .unwrap()
            .starts_with("127.")
    );
}

async fn registry_writes_with_optimistic_concurrency(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "rep", "D01", &[(Role::Reporter, Scope::Subtree)]).await;
    user(&db, "admin1", "XJBT", &[(Role::Admin, Scope::All)]).await;
    let d01 = unit_id(&db, "D01").await;
    let addr = spawn_app(db).await;
    let sup = Client::login(&addr, "sup").await;
    let project = json!({
        "code": "2025-650000-48-01-900001", "name": "  新疆  光伏治沙示范项目 ", "unit_id": d01,
        "category": "产业", "nature": "新建", "level": "省级", "status": "在建",
        "start_year": 2025, "end_year": 2027, "total_investment_wan": "１２,３４５.６７",
        "funding": [["中央预算内", "2000"], ["自筹", "10345.67"]]
    });
    // The registry's count is cached, and a new project is counted at once.
    let count = async || {
        sup.ok(&format!("/api/v1/projects?unit={d01}&page_size=1"))
            .await["total"]
            .as_i64()
            .unwrap()
    };
    let before = count().await;
    let p = sup.ok_post("/api/v1/projects", project.clone()).await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(count().await, before + 1);
    // The current view as CSV for Excel: BOM, header, one line per project of the view.
    let csv = sup
        .send(
            "GET",
            &format!("/api/v1/projects/export.csv?unit={d01}&sort=total_investment&desc=true"),
            None,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = String::from_utf8(csv.body.clone()).unwrap();
    let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
    assert!(
        lines[0].starts_with("\u{feff}项目代码,项目名称,责任单位"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len() as i64, before + 2);
    let mine = lines
        .iter()
        .find(|l| l.contains("900001"))
        .expect("the new project");
    assert!(
        mine.contains("新疆 光伏治沙示范项目")
            && mine.contains(",12345.67,")
            && mine.contains(",在建,"),
        "{mine}"
    );
    let en = sup
        .send(
            "GET",
            &format!("/api/v1/projects/export.csv?unit={d01}&q=900001&lang=en"),
            None,
        )
        .await;
    let en = String::from_utf8(en.body).unwrap();
    assert!(
        en.starts_with("\u{feff}Code,Name,Responsible unit") && en.contains(",under construction,"),
        "{en}"
    );
    assert_eq!(en.trim_end().split("\r\n").count(), 2);
    assert_eq!(
        (p["name"].as_str(), p["total_investment"].as_i64()),
        (Some("新疆 光伏治沙示范项目"), Some(123_456_700))
    );
    // Duplicate code, bad fields: each named.
    let (s, e) = sup.post("/api/v1/projects", project.clone()).await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("duplicate"))
    );
    let mut bad = project.clone();
    bad["code"] = json!("");
    bad["status"] = json!("完成了");
    bad["total_investment_wan"] = json!("12亿");
    let (s, e) = sup.post("/api/v1/projects", bad).await;
    let fields: Vec<&str> = common::fields(&e);
    assert_eq!(s, 400);
    assert!(
        fields.contains(&"code")
            && fields.contains(&"status")
            && fields.contains(&"total_investment"),
        "{fields:?}"
    );

    // Two editors start from version 1; the second gets 409 with the current record.
    let mut a = project.clone();
    a["version"] = json!(1);
    a["name"] = json!("改名甲");
    let mut b = a.clone();
    b["name"] = json!("改名乙");
    let (s1, v1) = sup.put(&format!("/api/v1/projects/{id}"), a).await;
    let (s2, v2) = sup.put(&format!("/api/v1/projects/{id}"), b).await;
    assert_eq!((s1, v1["version"].as_i64()), (200, Some(2)));
    assert_eq!((s2, code(&v2)), (409, "stale"));
    assert_eq!(v2["details"]["current"]["name"], "改名甲");
    assert_eq!(
        sup.ok(&format!("/api/v1/projects/{id}")).await["name"],
        "改名甲"
    );

    // Plans with a monthly curve and milestones; versioned too.
    let monthly: Vec<String> = (1..=12).map(|m| (m * 100).to_string()).collect();
    let plan = json!({ "planned_wan": "1200", "monthly_wan": monthly, "planned_start_month": 4,
                       "milestones": [{ "name": "开工", "planned": "2025-04-01" }, { "name": "主体完工", "planned": "2025年11月30日" }] });
    let v = sup
        .put(&format!("/api/v1/projects/{id}/plans/2025"), plan.clone())
        .await;
    assert_eq!(v.0, 200, "{}", v.1);
    assert_eq!(v.1["version"], 1);
    let stale = sup
        .put(&format!("/api/v1/projects/{id}/plans/2025"), plan.clone())
        .await;
    assert_eq!((stale.0, code(&stale.1)), (409, "stale"));
    let mut p2 = plan.clone();
    p2["version"] = json!(1);
    p2["monthly_wan"][5] = json!("100");
    let (s, e) = sup
        .put(&format!("/api/v1/projects/{id}/plans/2025"), p2.clone())
        .await;
    assert_eq!(
        (s, e["details"][0]["field"].as_str()),
        (400, Some("monthly[6]")),
        "{e}"
    );
    p2["monthly_wan"][5] = json!("600");
    p2["planned_wan"] = json!("1200");
    assert_eq!(
        sup.put(&format!("/api/v1/projects/{id}/plans/2025"), p2)
            .await
            .1["version"],
        2
    );
    let got = sup.ok(&format!("/api/v1/projects/{id}/plans/2025")).await;
    assert_eq!(got["milestones"][1]["planned"], "2025-11-30");
    // Archiving a plan withdraws it; a stale version is refused.
    let (s, e) = sup
        .post(
            &format!("/api/v1/projects/{id}/plans/2025/archive"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!((s, code(&e)), (409, "stale"));
    sup.ok_post(
        &format!("/api/v1/projects/{id}/plans/2025/archive"),
        json!({ "version": 2 }),
    )
    .await;
    assert_eq!(
        sup.get(&format!("/api/v1/projects/{id}/plans/2025"))
            .await
            .0,
        404
    );

    // A reporter may not write the registry; an admin may not either.
    let rep = Client::login(&addr, "rep").await;
    assert_eq!(rep.post("/api/v1/projects", project.clone()).await.0, 403);
    let admin = Client::login(&addr, "admin1").await;
    assert_eq!(admin.post("/api/v1/projects", project).await.0, 403);

    // Units: created, moved, archived only when empty.
    let u = admin
        .ok_post(
            "/api/v1/units",
            json!({ "parent_id": d01, "code": "d01-new", "name": "新团场", "kind": "团场" }),
        )
        .await;
    let uid = u["id"].as_i64().unwrap();
    assert_eq!(u["code"], "D01-NEW");
    let (s, _) = admin.put(&format!("/api/v1/units/{uid}"), json!({ "parent_id": uid, "code": "D01-NEW", "name": "x", "kind": "团场", "version": 1 })).await;
    assert_eq!(s, 400, "a unit cannot be its own parent");
    let (s, e) = admin
        .post(
            &format!("/api/v1/units/{d01}/archive"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!((s, code(&e)), (409, "conflict"));
    admin
        .ok_post(
            &format!("/api/v1/units/{uid}/archive"),
            json!({ "version": 1 }),
        )
        .await;
    // Archive the project; it leaves the lists.
    let ver = sup.ok(&format!("/api/v1/projects/{id}")).await["version"]
        .as_i64()
        .unwrap();
    sup.ok_post(
        &format!("/api/v1/projects/{id}/archive"),
        json!({ "version": ver }),
    )
    .await;
    let found = sup.ok("/api/v1/projects?q=900001").await;
    assert_eq!(found["total"], 0);
}

fn figures(ytd_wan: i64, progress_bp: i64) -> Value {
    json!({
        "invest_period": 1_000_000, "invest_ytd": ytd_wan * 10_000, "invest_since_start": ytd_wan * 10_000 + 50_000_000,
        "progress_bp": progress_bp, "progress_text": "主体结构施工", "funds_received": 30_000_000, "funds_disbursed": 20_000_000,
        "started": true, "started_on": "2024-05-01", "stats_entered": true, "issues": "", "next_steps": "加快施工"
    })
}

async fn report_workflow(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let (pid, unit, ucode) = some_project(&sup, 3).await;
    user(&db, "rep", &ucode, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &ucode, &[(Role::Approver, Scope::Own)]).await;
    let rep = Client::login(&addr, "rep").await;
    let appr = Client::login(&addr, "appr").await;

    let missing_before = sup
        .ok(&format!(
            "/api/v1/reports/missing/projects?period=2025-11&unit={unit}&page_size=500"
        ))
        .await;
    let listed = |m: &Value| {
        m["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["project_id"] == pid)
    };
    assert!(listed(&missing_before), "{missing_before}");
    // A page past the end, however far, is empty and still counts the unit's missing.
    let far = sup
        .ok(&format!(
            "/api/v1/reports/missing/projects?period=2025-11&unit={unit}&page=9223372036854775807&page_size=500"
        ))
        .await;
    assert_eq!(
        (far["total"].clone(), far["items"].as_array().map(Vec::len)),
        (missing_before["total"].clone(), Some(0))
    );

    // Draft with partial figures, saved, then submitted with errors named.
    let r = rep.ok_post("/api/v1/reports", json!({ "project_id": pid, "period": "2025-11", "figures": { "progress_text": "草稿" } })).await;
    let rid = r["id"].as_i64().unwrap();
    assert_eq!(r["state"], "draft");
    let (s, e) = rep
        .post(
            "/api/v1/reports",
            json!({ "project_id": pid, "period": "2025-11" }),
        )
        .await;
    assert_eq!((s, code(&e)), (409, "conflict"));
    let (s, e) = rep
        .post(
            "/api/v1/reports",
            json!({ "project_id": pid, "period": "2099-01" }),
        )
        .await;
    assert_eq!((s, e["details"][0]["code"].as_str()), (400, Some("future")));
    let mut bad = figures(800, 12_000);
    bad["invest_ytd"] = json!(1);
    bad["started_on"] = Value::Null;
    rep.send("PUT", &format!("/api/v1/reports/{rid}"), Some(&bad))
        .await;
    let (s, e) = rep
        .post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
        .await;
    let fields: Vec<&str> = common::fields(&e);
    assert_eq!(
        (s, fields),
        (400, vec!["invest_ytd", "progress_pct", "started_on"])
    );
    assert!(e["message_zh"].as_str().unwrap().contains("形象进度"));

    // Supervisors see approved data only: a draft is invisible to them.
    assert_eq!(sup.get(&format!("/api/v1/reports/{rid}")).await.0, 404);
    // And so are its files on the project page; its own clerk sees them.
    let up = rep
        .raw(
            "POST",
            &format!("/api/v1/attachments?object_type=report&object_id={rid}&name=site.pdf"),
            "application/octet-stream",
            b"%PDF-1.7 draft photo sheet",
        )
        .await;
    assert_eq!(up.status, 200);
    let files = |v: Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let own = rep.ok(&format!("/api/v1/projects/{pid}/attachments")).await;
    assert_eq!(files(own), vec!["site.pdf"]);
    let theirs = sup.ok(&format!("/api/v1/projects/{pid}/attachments")).await;
    assert!(files(theirs).is_empty());
    let draft_file = up.json()["id"].as_i64().unwrap();
    let dl = |c: &Client| {
        let path = format!("/api/v1/attachments/{draft_file}");
        let c = c.clone();
        async move { c.send("GET", &path, None).await.status }
    };
    assert_eq!((dl(&rep).await, dl(&sup).await), (200, 404));
    let (s, _) = rep
        .put(&format!("/api/v1/reports/{rid}"), figures(800, 6000))
        .await;
    assert_eq!(s, 200);
    let sub = rep
        .ok_post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
        .await;
    assert_eq!(
        (sub["state"].as_str(), sub["late"].as_bool()),
        (Some("submitted"), Some(true))
    );
    assert!(sub["warnings"].is_array());
    // A reporter cannot approve; an approver must give a reason to return.
    assert_eq!(
        rep.post(&format!("/api/v1/reports/{rid}/approve"), json!({}))
            .await
            .0,
        403
    );
    let (s, e) = appr
        .post(
            &format!("/api/v1/reports/{rid}/return"),
            json!({ "reason": "  " }),
        )
        .await;
    assert_eq!((s, code(&e)), (422, "illegal_transition"));
    let ret = appr
        .ok_post(
            &format!("/api/v1/reports/{rid}/return"),
            json!({ "reason": "累计投资与台账不符" }),
        )
        .await;
    assert_eq!(
        (ret["state"].as_str(), ret["returned_reason"].as_str()),
        (Some("returned"), Some("累计投资与台账不符"))
    );
    rep.put(&format!("/api/v1/reports/{rid}"), figures(820, 6000))
        .await;
    rep.ok_post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
        .await;

    // Two approvals at once: exactly one wins.
    let path = format!("/api/v1/reports/{rid}/approve");
    let (a, b) = tokio::join!(appr.post(&path, json!({})), appr.post(&path, json!({})));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses[0], 200);
    assert!(statuses[1] == 409 || statuses[1] == 422, "{statuses:?}");
    let approved = sup.ok(&format!("/api/v1/reports/{rid}")).await;
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["figures"]["invest_ytd"], 8_200_000);

    // Approved is immutable; a correction is a new revision with a diff.
    let (s, e) = rep
        .put(&format!("/api/v1/reports/{rid}"), figures(1, 1))
        .await;
    assert_eq!((s, code(&e)), (422, "illegal_transition"));
    let c = rep
        .ok_post(
            &format!("/api/v1/reports/{rid}/correct"),
            json!({ "reason": "统计部门核定后调整累计完成投资" }),
        )
        .await;
    assert_eq!(c["correction_reason"], "统计部门核定后调整累计完成投资");
    let cid = c["id"].as_i64().unwrap();
    assert_eq!(
        (c["revision"].as_i64(), c["state"].as_str()),
        (Some(2), Some("draft"))
    );
    rep.put(&format!("/api/v1/reports/{cid}"), figures(830, 6100))
        .await;
    rep.ok_post(&format!("/api/v1/reports/{cid}/submit"), json!({}))
        .await;
    // The supervisor still sees revision 1 until the correction is approved.
    let revs = sup.ok(&format!("/api/v1/reports/{rid}/revisions")).await;
    assert_eq!(revs["items"].as_array().unwrap().len(), 1);
    appr.ok_post(&format!("/api/v1/reports/{cid}/approve"), json!({}))
        .await;
    let revs = sup.ok(&format!("/api/v1/reports/{rid}/revisions")).await;
    let items = revs["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    // The revision says why it was opened.
    assert_eq!(
        items[1]["correction_reason"],
        "统计部门核定后调整累计完成投资"
    );
    let changed: Vec<&str> = items[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        vec!["invest_ytd", "invest_since_start", "progress_pct"]
    );
    assert_eq!(items[1]["changes"][0]["before"], "820.00");

    // Warnings block a submission when the settings say so.
    user(&db, "admin1", "XJBT", &[(Role::Admin, Scope::All)]).await;
    let admin = Client::login(&addr, "admin1").await;
    let mut st = admin.ok("/api/v1/settings").await;
    st["block_on_warnings"] = json!(true);
    assert_eq!(admin.put("/api/v1/settings", st.clone()).await.0, 200);
    let dec = rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": pid, "period": "2025-12", "figures": figures(830, 6100) }),
        )
        .await;
    let dec_id = dec["id"].as_i64().unwrap();
    let (s, e) = rep
        .post(&format!("/api/v1/reports/{dec_id}/submit"), json!({}))
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("copied_forward")),
        "{e}"
    );
    // A period's deadline can be moved: December's report is on time when its
    // deadline is later than today.
    st["block_on_warnings"] = json!(false);
    st["deadline_overrides"] = json!({ "2025-12": "2099-01-31" });
    assert_eq!(admin.put("/api/v1/settings", st.clone()).await.0, 200);
    let sub = rep
        .ok_post(&format!("/api/v1/reports/{dec_id}/submit"), json!({}))
        .await;
    assert_eq!(
        (sub["late"].as_bool(), sub["warnings"][0]["code"].as_str()),
        (Some(false), Some("copied_forward"))
    );
    let mut bad = st.clone();
    bad["deadline_overrides"] = json!({ "2025-13": "2026-01-05", "2025-11": "2025-11-20" });
    bad["idle_minutes"] = json!(90);
    let (s, e) = admin.put("/api/v1/settings", bad).await;
    let fields: Vec<&str> = common::fields(&e);
    assert_eq!(
        (s, fields),
        (
            400,
            vec![
                "idle_minutes",
                "deadline_overrides.2025-11",
                "deadline_overrides.2025-13"
            ]
        )
    );
    // The seasonal profile spreads a plan given as a year's total over the months.
    let mut flat = st.clone();
    flat["seasonal_profile"] = json!(vec![0; 12]);
    let (s, e) = admin.put("/api/v1/settings", flat.clone()).await;
    assert_eq!((s, common::fields(&e)), (400, vec!["seasonal_profile"]));
    flat["seasonal_profile"] = json!(vec![1; 12]);
    assert_eq!(admin.put("/api/v1/settings", flat).await.0, 200);
    let plan = sup
        .put(
            &format!("/api/v1/projects/{pid}/plans/2027"),
            json!({ "planned_wan": "1200" }),
        )
        .await
        .1;
    assert_eq!(plan["curve"][0].as_i64(), Some(1_000_000), "{plan}");
    assert_eq!(plan["curve"][5].as_i64(), Some(6_000_000));

    // 催报: the project is no longer missing; the list names units and counts.
    let after = sup
        .ok(&format!(
            "/api/v1/reports/missing/projects?period=2025-11&unit={unit}&page_size=500"
        ))
        .await;
    assert!(!listed(&after));
    assert_eq!(
        after["total"].as_i64().unwrap(),
        missing_before["total"].as_i64().unwrap() - 1
    );
    // The report list: the reporter sees drafts of the unit, the supervisor only approved.
    let mine = rep.ok("/api/v1/reports?period=2025-11").await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["unit_id"] == unit)
    );
    let all = sup.ok("/api/v1/reports?period=2025-11&page_size=500").await;
    assert!(
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["state"] == "approved")
    );
}

async fn problem_workflow(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(
        &db,
        "sup2",
        "XJBT",
        &[(Role::Supervisor, Scope::All), (Role::Reporter, Scope::All)],
    )
    .await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let (pid, unit, ucode) = some_project(&sup, 5).await;
    user(&db, "rep", &ucode, &[(Role::Reporter, Scope::Own)]).await;
    let rep = Client::login(&addr, "rep").await;
    let deadline = (chrono::Utc::now().date_naive() + chrono::Days::new(20)).to_string();

    let (s, e) = sup.post("/api/v1/problems", json!({ "source": "调度会", "category": "用地", "description": "", "lead_unit_id": unit })).await;
    let fields: Vec<&str> = common::fields(&e);
    assert_eq!((s, fields), (400, vec!["description", "deadline"]));
    let p = sup
        .ok_post("/api/v1/problems", json!({ "source": "调度会", "category": "用地", "description": "项目用地指标未落实", "project_id": pid,
                                            "lead_unit_id": unit, "deadline": deadline, "responsible": "王主任" }))
        .await;
    let id = p["id"].as_i64().unwrap();
    assert_eq!(
        (p["state"].as_str(), p["deadline_status"].as_str()),
        (Some("assigned"), Some("on_track"))
    );
    // Steps out of order are refused with the state and action named.
    let (s, e) = rep
        .post(
            &format!("/api/v1/problems/{id}/resolve"),
            json!({ "note": "已解决" }),
        )
        .await;
    assert_eq!((s, e["details"]["state"].as_str()), (422, Some("assigned")));
    rep.ok_post(&format!("/api/v1/problems/{id}/acknowledge"), json!({}))
        .await;
    rep.ok_post(&format!("/api/v1/problems/{id}/start"), json!({}))
        .await;
    rep.ok_post(
        &format!("/api/v1/problems/{id}/notes"),
        json!({ "note": "已与自然资源局对接" }),
    )
    .await;

    // Extension: asked by the lead unit, approved by a supervisor; the deadline moves.
    let later = (chrono::Utc::now().date_naive() + chrono::Days::new(50)).to_string();
    let x = rep
        .ok_post(
            &format!("/api/v1/problems/{id}/extensions"),
            json!({ "requested": later, "reason": "冬季停工" }),
        )
        .await;
    let eid = x["extensions"][0]["id"].as_i64().unwrap();
    let (s, _) = rep
        .post(
            &format!("/api/v1/problems/{id}/extensions"),
            json!({ "requested": later, "reason": "再次申请" }),
        )
        .await;
    assert_eq!(s, 409);
    assert_eq!(
        rep.post(
            &format!("/api/v1/problems/{id}/extensions/{eid}/decide"),
            json!({ "approve": true })
        )
        .await
        .0,
        403
    );
    let d = sup
        .ok_post(
            &format!("/api/v1/problems/{id}/extensions/{eid}/decide"),
            json!({ "approve": true }),
        )
        .await;
    assert_eq!(d["deadline"].as_str(), Some(later.as_str()));

    // Evidence: a photo uploaded to the problem, then resolve with it.
    let jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00photo-bytes";
    let up = rep
        .raw(
            "POST",
            &format!(
                "/api/v1/attachments?object_type=problem&object_id={id}&name=%E7%8E%B0%E5%9C%BA.jpg"
            ),
            "application/octet-stream",
            jpeg,
        )
        .await;
    assert_eq!(up.status, 200, "{:?}", String::from_utf8_lossy(&up.body));
    let att = up.json()["id"].as_i64().unwrap();
    let fake = rep
        .raw(
            "POST",
            &format!("/api/v1/attachments?object_type=problem&object_id={id}&name=x.png"),
            "application/octet-stream",
            b"not a png",
        )
        .await;
    assert_eq!(fake.status, 415);
    let r = rep
        .ok_post(
            &format!("/api/v1/problems/{id}/resolve"),
            json!({ "note": "指标已落实", "evidence": [att] }),
        )
        .await;
    assert_eq!(r["state"], "resolved");
    let dl = sup
        .send("GET", &format!("/api/v1/attachments/{att}"), None)
        .await;
    assert_eq!((dl.status, dl.body.as_slice()), (200, &jpeg[..]));
    assert_eq!(dl.header("content-type"), Some("image/jpeg"));
    // The project page lists the problem's photo.
    let files = sup.ok(&format!("/api/v1/projects/{pid}/attachments")).await;
    assert_eq!(files["items"][0]["id"].as_i64(), Some(att));
    assert_eq!(files["items"][0]["object_type"], "problem");

    // Close (销号) by a supervisor; the resolver may not close what they resolved.
    let sup2 = Client::login(&addr, "sup2").await;
    let p2 = sup
        .ok_post("/api/v1/problems", json!({ "source": "leader", "category": "other", "description": "协调事项", "lead_unit_id": unit, "deadline": deadline }))
        .await;
    let id2 = p2["id"].as_i64().unwrap();
    for step in ["acknowledge", "start"] {
        sup2.ok_post(&format!("/api/v1/problems/{id2}/{step}"), json!({}))
            .await;
    }
    sup2.ok_post(
        &format!("/api/v1/problems/{id2}/resolve"),
        json!({ "note": "已办" }),
    )
    .await;
    let (s, e) = sup2
        .post(
            &format!("/api/v1/problems/{id2}/close"),
            json!({ "note": "已核实" }),
        )
        .await;
    assert_eq!((s, code(&e)), (422, "illegal_transition"));
    assert!(e["message_zh"].as_str().unwrap().contains("整改人以外"));
    // 销号 records what was checked: without a note it is refused, naming the field.
    let (s, e) = sup
        .post(&format!("/api/v1/problems/{id2}/close"), json!({}))
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["note"]));
    sup.ok_post(
        &format!("/api/v1/problems/{id2}/close"),
        json!({ "note": "现场核实，同意销号" }),
    )
    .await;
    // The dispatch page's list of decisions: problems from the dispatch meeting, this week.
    let ids = |v: Value| -> Vec<i64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let today = duban_app::clock::today();
    let week = sup
        .ok(&format!(
            "/api/v1/problems?source=dispatch&created_from={}",
            today - chrono::Days::new(6)
        ))
        .await;
    assert_eq!(ids(week), vec![id]);
    let later = sup
        .ok(&format!(
            "/api/v1/problems?source=dispatch&created_from={}",
            today + chrono::Days::new(1)
        ))
        .await;
    assert!(ids(later).is_empty());
    let (s, e) = sup
        .get("/api/v1/problems?source=meeting&created_from=2026-02-30")
        .await;
    assert_eq!(
        (s, common::fields(&e)),
        (400, vec!["source", "created_from"])
    );

    sup.ok_post(
        &format!("/api/v1/problems/{id}/close"),
        json!({ "note": "现场核实" }),
    )
    .await;
    let re = sup
        .ok_post(
            &format!("/api/v1/problems/{id}/reopen"),
            json!({ "note": "复查发现未整改到位" }),
        )
        .await;
    assert_eq!(re["state"], "reopened");
    let actions: Vec<&str> = re["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "create",
            "assign",
            "acknowledge",
            "start_work",
            "note",
            "request_extension",
            "approve_extension",
            "resolve",
            "close",
            "reopen"
        ]
    );
    assert!(
        re["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor"].is_i64() && e["at"].is_i64())
    );

    // Overdue and due-soon filters agree with the colours.
    for (f, colour) in [("overdue", "overdue"), ("due_soon", "due_soon")] {
        let l = sup
            .ok(&format!("/api/v1/problems?deadline={f}&page_size=500"))
            .await;
        assert!(
            l["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["deadline_status"] == colour),
            "{f}"
        );
    }
    assert!(
        sup.ok("/api/v1/problems?deadline=overdue").await["total"]
            .as_i64()
            .unwrap()
            > 0
    );
}

async fn inspections_and_work_items(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "lead", "XJBT", &[(Role::Leader, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let (pid, unit, ucode) = some_project(&sup, 7).await;
    user(&db, "rep", &ucode, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &ucode, &[(Role::Approver, Scope::Own)]).await;
    let (rep, appr, lead) = (
        Client::login(&addr, "rep").await,
        Client::login(&addr, "appr").await,
        Client::login(&addr, "lead").await,
    );

    let today = chrono::Utc::now().date_naive().to_string();
    let i = sup
        .ok_post("/api/v1/inspections", json!({ "unit_id": unit, "visited_on": today, "title": "第二督查组现场督查", "inspectors": ["李明", "赵强"], "project_ids": [pid] }))
        .await;
    let iid = i["id"].as_i64().unwrap();
    let f = sup
        .ok_post(&format!("/api/v1/inspections/{iid}/findings"), json!({ "project_id": pid, "description": "现场安全防护不到位",
            "problem": { "category": "质量安全", "lead_unit_id": unit, "deadline": (chrono::Utc::now().date_naive() + chrono::Days::new(7)).to_string() } }))
        .await;
    let prob = f["findings"][0]["problem_id"].as_i64().unwrap();
    let pv = sup.ok(&format!("/api/v1/problems/{prob}")).await;
    assert_eq!(
        (pv["source"].as_str(), pv["state"].as_str()),
        (Some("inspection"), Some("assigned"))
    );
    assert_eq!(
        rep.ok(&format!("/api/v1/inspections/{iid}")).await["title"],
        "第二督查组现场督查"
    );

    let w = sup
        .ok_post("/api/v1/work-items", json!({ "list": "重点工作", "unit_id": unit, "year": 2026, "title": "招商引资", "target": "全年引进项目10个", "measure": "个", "target_value": 10 }))
        .await;
    let wid = w["id"].as_i64().unwrap();
    let p = rep
        .ok_post(
            &format!("/api/v1/work-items/{wid}/progress?submit=true"),
            json!({ "period": "2026-10", "value": 4, "text": "已签约4个" }),
        )
        .await;
    let prog = p["id"].as_i64().unwrap();
    assert_eq!(p["state"], "submitted");
    // Leaders see approved progress only.
    assert!(
        lead.ok(&format!("/api/v1/work-items/{wid}")).await["progress"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    appr.ok_post(
        &format!("/api/v1/work-progress/{prog}/return"),
        json!({ "reason": "缺佐证" }),
    )
    .await;
    rep.ok_post(
        &format!("/api/v1/work-items/{wid}/progress?submit=true"),
        json!({ "period": "2026-10", "value": 4, "text": "已签约4个，附合同" }),
    )
    .await;
    appr.ok_post(&format!("/api/v1/work-progress/{prog}/approve"), json!({}))
        .await;
    let seen = lead.ok(&format!("/api/v1/work-items/{wid}")).await;
    assert_eq!(seen["progress"][0]["text"], "已签约4个，附合同");
    let (s, e) = rep
        .post(
            &format!("/api/v1/work-items/{wid}/progress"),
            json!({ "period": "2026-10", "value": 5, "text": "改" }),
        )
        .await;
    assert_eq!((s, code(&e)), (422, "illegal_transition"));
    let list = lead.ok("/api/v1/work-items?list=key&year=2026").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn audit_chain_detects_tampering(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "audit1", "XJBT", &[(Role::Auditor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let (pid, _, _) = some_project(&sup, 1).await;
    let p = sup.ok(&format!("/api/v1/projects/{pid}")).await;
    let mut edit = json!({ "version": p["version"], "code": p["code"], "name": "审计测试项目", "unit_id": p["unit_id"],
        "category": p["category"], "nature": p["nature"], "level": p["level"], "status": p["status"],
        "start_year": p["start_year"], "end_year": p["end_year"], "total_investment_wan": "100" });
    sup.put(&format!("/api/v1/projects/{pid}"), edit.clone())
        .await;
    edit["version"] = json!(p["version"].as_i64().unwrap() + 1);
    edit["name"] = json!("审计测试项目二");
    sup.put(&format!("/api/v1/projects/{pid}"), edit).await;
    let auditor = Client::login(&addr, "audit1").await;
    let v = auditor.ok("/api/v1/audit/verify").await;
    assert!(v["broken"].is_null(), "{v}");
    let n = v["entries"].as_i64().unwrap();
    assert!(n >= 4, "{v}");
    let updates = auditor.ok("/api/v1/audit?action=project.update").await;
    assert_eq!(updates["total"], 2);
    let e = &updates["items"][0];
    assert!(
        e["before"].as_str().unwrap().contains("审计测试项目")
            && e["after"].as_str().unwrap().contains("审计测试项目二")
    );

    // Edit one entry directly in the database: detected at that entry.
    db.execute("UPDATE audit_log SET after = '{}' WHERE seq = 2", &[])
        .await
        .unwrap();
    let v = auditor.ok("/api/v1/audit/verify").await;
    assert_eq!(
        (v["broken"]["kind"].as_str(), v["broken"]["seq"].as_i64()),
        (Some("altered"), Some(2))
    );
    // Delete an entry (after restoring nothing): a gap.
    db.execute("DELETE FROM audit_log WHERE seq = 3", &[])
        .await
        .unwrap();
    let v2 = duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
        .await
        .unwrap();
    assert!(v2.broken.is_some());
    // Delete the newest entry on a chain that was intact otherwise: the head notices.
    let fresh = duban_app::audit::verify(&db, &duban_app::unit_of_work::Console::open())
        .await
        .unwrap();
    assert!(fresh.broken.is_some());
}

/// Problems belong to projects: a problem raised on a project lists with the project's
/// code and name, is found by them or by its words, and exports with them.
/// The dispatch list's counts follow the problems at once (they are kept at the problems'
/// change count): a project listed for its overdue problems leaves the list when they
/// are rectified.
async fn dispatch_counts_follow_problems(db: Db) {
    user(
        &db,
        "sup",
        "XJBT",
        &[(Role::Supervisor, Scope::All), (Role::Reporter, Scope::All)],
    )
    .await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let list = "/api/v1/stats/dispatch?as_of=2025-10&reason=problems_overdue&limit=5";
    let before = sup.ok(list).await;
    let n = before["total"].as_i64().unwrap();
    let whole = sup.ok("/api/v1/stats/dispatch?as_of=2025-10&limit=1").await;
    assert_eq!(whole["counts"]["problems_overdue"].as_i64(), Some(n));
    let pid = before["items"][0]["project_id"].as_i64().unwrap();
    let overdue = sup
        .ok(&format!(
            "/api/v1/problems?project={pid}&deadline=overdue&page_size=100"
        ))
        .await;
    let items = overdue["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{overdue}");
    for p in items {
        let id = p["id"].as_i64().unwrap();
        // Whatever stage it is at, on to rectified.
        for step in ["acknowledge", "start"] {
            let _ = sup
                .post(&format!("/api/v1/problems/{id}/{step}"), json!({}))
                .await;
        }
        sup.ok_post(
            &format!("/api/v1/problems/{id}/resolve"),
            json!({ "note": "已整改到位" }),
        )
        .await;
    }
    let after = sup.ok(list).await;
    assert_eq!(after["total"].as_i64(), Some(n - 1), "{after}");
    assert!(
        after["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["project_id"] != pid)
    );
    let whole = sup.ok("/api/v1/stats/dispatch?as_of=2025-10&limit=1").await;
    assert_eq!(whole["counts"]["problems_overdue"].as_i64(), Some(n - 1));
}

async fn problems_by_project(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let p = sup.ok("/api/v1/projects?page_size=1").await["items"][0].clone();
    let code = p["code"].as_str().unwrap().to_string();
    let made = sup
        .ok_post(
            "/api/v1/problems",
            json!({ "source": "dispatch", "category": "land", "description": "征地拆迁协议未签订完毕",
                    "project_id": p["id"], "responsible": "王科长" }),
        )
        .await;
    let find = async |q: &str| sup.ok(&format!("/api/v1/problems?q={q}")).await;
    for q in [code.as_str(), "征地拆迁", "王科长"] {
        let r = find(&urlencode(q)).await;
        let row = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == made["id"])
            .unwrap_or_else(|| panic!("not found by {q}: {r}"))
            .clone();
        assert_eq!(row["project_code"].as_str(), Some(code.as_str()));
        assert_eq!(row["project_name"], p["name"]);
    }
    assert_eq!(find(&urlencode("没有这样的问题")).await["total"], 0);
    let r = sup
        .send(
            "GET",
            "/api/v1/export/problems?format=csv&q=%E5%BE%81%E5%9C%B0",
            None,
        )
        .await;
    let text = String::from_utf8_lossy(&r.body).to_string();
    assert!(text.contains("项目代码") && text.contains(&code), "{text}");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An office that approves at two levels (the unit's approver first, the office named in
/// the settings last, by someone else) and wants a site photo with some projects'
/// reports; the approver reads each report with last month, the plan and its photos.
async fn approval_in_two_levels_and_photos(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "admin1", "XJBT", &[(Role::Admin, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let admin = Client::login(&addr, "admin1").await;
    let (pid, unit, ucode) = some_project(&sup, 5).await;
    user(&db, "rep", &ucode, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &ucode, &[(Role::Approver, Scope::Own)]).await;
    user(&db, "office1", "XJBT", &[(Role::Approver, Scope::All)]).await;
    user(&db, "office2", "XJBT", &[(Role::Approver, Scope::All)]).await;
    let (rep, appr) = (
        Client::login(&addr, "rep").await,
        Client::login(&addr, "appr").await,
    );
    let (office1, office2) = (
        Client::login(&addr, "office1").await,
        Client::login(&addr, "office2").await,
    );
    let root = unit_id(&db, "XJBT").await;
    let mut st = admin.ok("/api/v1/settings").await;
    st["second_approval_unit"] = json!(root);
    st["photos_required"] = json!({ "projects": [pid] });
    assert_eq!(admin.put("/api/v1/settings", st.clone()).await.0, 200);

    // Without a photo the report is not sent; with one it is.
    let r = rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": pid, "period": "2025-11", "figures": figures(900, 6500) }),
        )
        .await;
    let rid = r["id"].as_i64().unwrap();
    let (s, e) = rep
        .post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["photos"]), "{e}");
    assert!(e["message_zh"].as_str().unwrap().contains("现场照片"));
    // A document is not a photo.
    let doc = rep
        .raw(
            "POST",
            &format!("/api/v1/attachments?object_type=report&object_id={rid}&name=说明.pdf"),
            "application/octet-stream",
            b"%PDF-1.7 note",
        )
        .await;
    assert_eq!(doc.status, 200);
    assert_eq!(
        rep.post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
            .await
            .0,
        400
    );
    // A real 1×1 PNG.
    let png: &[u8] = &[
        137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2,
        0, 0, 0, 144, 119, 83, 222, 0, 0, 0, 12, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 0, 0,
        3, 1, 1, 0, 201, 254, 146, 239, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
    ];
    let up = rep
        .raw(
            "POST",
            &format!("/api/v1/attachments?object_type=report&object_id={rid}&name=现场.png"),
            "application/octet-stream",
            png,
        )
        .await;
    assert_eq!(up.status, 200, "{}", String::from_utf8_lossy(&up.body));
    rep.ok_post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
        .await;

    // The approver reads it whole: last month's figures, the plan to the month, the files.
    let view = appr.ok(&format!("/api/v1/reports/{rid}")).await;
    assert_eq!(view["beside"]["previous_period"], "2025-10");
    assert!(view["beside"]["previous"].is_object() || view["beside"]["previous"].is_null());
    assert!(view["beside"]["annual_plan"].is_i64(), "{view}");
    let names: Vec<&str> = view["attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["说明.pdf", "现场.png"]);

    // First approval by the unit: checked, not yet approved, but no longer missing.
    let c = appr
        .ok_post(&format!("/api/v1/reports/{rid}/approve"), json!({}))
        .await;
    assert_eq!(c["state"], "checked");
    let missing = sup
        .ok(&format!(
            "/api/v1/reports/missing/projects?period=2025-11&unit={unit}&page_size=500"
        ))
        .await;
    assert!(
        !missing
            .to_string()
            .contains(&format!("\"project_id\":{pid},")),
        "{missing}"
    );
    assert_eq!(
        sup.get(&format!("/api/v1/reports/{rid}")).await.0,
        404,
        "not approved yet"
    );
    // The unit cannot give the second approval; the office can, once.
    let (s, e) = appr
        .post(&format!("/api/v1/reports/{rid}/approve"), json!({}))
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("second_approval"))
    );
    let inbox = office1.ok("/api/v1/reports?state=checked").await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == rid)
    );
    let done = office1
        .ok_post(&format!("/api/v1/reports/{rid}/approve"), json!({}))
        .await;
    assert_eq!(done["state"], "approved");
    assert_eq!(
        sup.ok(&format!("/api/v1/reports/{rid}")).await["state"],
        "approved"
    );

    // Whoever gave the first approval does not give the second.
    let (pid2, _, ucode2) = some_project(&sup, 9).await;
    user(&db, "rep2", &ucode2, &[(Role::Reporter, Scope::Own)]).await;
    let rep2 = Client::login(&addr, "rep2").await;
    let r2 = rep2
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": pid2, "period": "2025-11", "figures": figures(900, 6500) }),
        )
        .await;
    let rid2 = r2["id"].as_i64().unwrap();
    rep2.ok_post(&format!("/api/v1/reports/{rid2}/submit"), json!({}))
        .await;
    assert_eq!(
        office1
            .ok_post(&format!("/api/v1/reports/{rid2}/approve"), json!({}))
            .await["state"],
        "checked"
    );
    let (s, e) = office1
        .post(&format!("/api/v1/reports/{rid2}/approve"), json!({}))
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("four_eyes"))
    );
    // A reviewing office that does not exist is refused.
    let mut bad = admin.ok("/api/v1/settings").await;
    bad["second_approval_unit"] = json!(987_654);
    let (s, e) = admin.put("/api/v1/settings", bad).await;
    assert_eq!((s, common::fields(&e)), (400, vec!["second_approval_unit"]));
    // Returned from the second level, it goes back to the clerk and loses its first approval.
    let back = office2
        .ok_post(
            &format!("/api/v1/reports/{rid2}/return"),
            json!({ "reason": "请补充现场照片" }),
        )
        .await;
    assert_eq!(
        (back["state"].as_str(), back["checked_by"].is_null()),
        (Some("returned"), true)
    );
    // Back to one approval level: what waits for a second approval is not stuck; any
    // approver in reach finishes it.
    rep2.ok_post(&format!("/api/v1/reports/{rid2}/submit"), json!({}))
        .await;
    assert_eq!(
        office1
            .ok_post(&format!("/api/v1/reports/{rid2}/approve"), json!({}))
            .await["state"],
        "checked"
    );
    st["second_approval_unit"] = Value::Null;
    assert_eq!(admin.put("/api/v1/settings", st.clone()).await.0, 200);
    assert_eq!(
        office2
            .ok_post(&format!("/api/v1/reports/{rid2}/approve"), json!({}))
            .await["state"],
        "approved"
    );
}

/// A clerk raises what a report says needs coordinating (存在问题及需协调事项) as a problem:
/// open on the report's project for a supervisor to assign, once.
async fn problems_raised_from_reports(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let (pid, _, ucode) = some_project(&sup, 7).await;
    let (_, _, other) = some_project(&sup, 40).await;
    assert_ne!(other, ucode);
    user(&db, "rep", &ucode, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "stranger", &other, &[(Role::Reporter, Scope::Own)]).await;
    let rep = Client::login(&addr, "rep").await;
    let mut f = figures(900, 6500);
    f["issues"] = json!("征地拆迁尚未完成，需协调自然资源局加快办理");
    let r = rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": pid, "period": "2025-11", "figures": f }),
        )
        .await;
    let rid = r["id"].as_i64().unwrap();
    let path = format!("/api/v1/reports/{rid}/raise-problem");
    // A draft is not raised: the report is sent first.
    let (s, e) = rep.post(&path, json!({})).await;
    assert_eq!((s, common::fields(&e)), (400, vec!["state"]), "{e}");
    rep.ok_post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
        .await;
    let p = rep
        .ok_post(&path, json!({ "category": "demolition" }))
        .await;
    assert_eq!(
        (
            p["state"].as_str(),
            p["source"].as_str(),
            p["category"].as_str(),
            p["project_id"].as_i64()
        ),
        (Some("open"), Some("report"), Some("demolition"), Some(pid))
    );
    assert!(
        p["events"].to_string().contains("存在问题及需协调事项"),
        "{p}"
    );
    // Once: the same text again is the same problem.
    assert_eq!(rep.ok_post(&path, json!({})).await["id"], p["id"]);
    // The supervisors find it among the problems waiting to be assigned.
    let open = sup
        .ok(&format!(
            "/api/v1/problems?state=open&q={}",
            "征地拆迁尚未完成"
        ))
        .await;
    assert_eq!(open["total"], 1, "{open}");
    // Another unit's clerk does not reach the report; supervisors do not raise for clerks.
    assert_eq!(
        Client::login(&addr, "stranger")
            .await
            .post(&path, json!({}))
            .await
            .0,
        404
    );
    assert_eq!(sup.post(&path, json!({})).await.0, 403);
    // Nothing to raise from a report without issues.
    let r2 = rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": pid, "period": "2025-12", "figures": figures(800, 6000) }),
        )
        .await;
    rep.ok_post(&format!("/api/v1/reports/{}/submit", r2["id"]), json!({}))
        .await;
    let (s, e) = rep
        .post(
            &format!("/api/v1/reports/{}/raise-problem", r2["id"]),
            json!({}),
        )
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["issues"]), "{e}");
}
