//! The access matrix: for every role × scope held at unit A (division D01), every
//! endpoint is asked to read, list, count and change objects of unit B (division D02).
//! Nothing of B is ever returned, no identifier of B appears, and nothing of B changes.
//! Exports arrive with the Excel issue; their lists go through the same use cases.

use duban_testkit as common;

use common::{Client, spawn_app, unit_id, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};
use std::collections::BTreeSet;

duban_testkit::on_both!(120, access_matrix);

/// Everything about B's objects that a write could change.
async fn fingerprint(db: &Db, ids: &BIds) -> Vec<i64> {
    let q = [
        format!(
            "SELECT version AS v FROM projects WHERE id = {}",
            ids.project
        ),
        format!(
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) AS v FROM annual_plans WHERE project_id = {}",
            ids.project
        ),
        format!(
            "SELECT COUNT(*) AS v FROM reports WHERE project_id = {}",
            ids.project
        ),
        format!(
            "SELECT COUNT(*) AS v FROM reports WHERE project_id = {} AND state = 'submitted'",
            ids.project
        ),
        format!(
            "SELECT version AS v FROM problems WHERE id = {}",
            ids.problem
        ),
        format!(
            "SELECT COUNT(*) AS v FROM problem_events WHERE problem_id = {}",
            ids.problem
        ),
        format!(
            "SELECT COUNT(*) AS v FROM problem_extensions WHERE problem_id = {}",
            ids.problem
        ),
        format!(
            "SELECT COUNT(*) AS v FROM attachments WHERE object_id = {}",
            ids.problem
        ),
        format!(
            "SELECT COUNT(*) AS v FROM inspection_findings WHERE inspection_id = {}",
            ids.inspection
        ),
        format!(
            "SELECT version AS v FROM work_items WHERE id = {}",
            ids.work_item
        ),
        format!(
            "SELECT COUNT(*) AS v FROM work_progress WHERE item_id = {}",
            ids.work_item
        ),
        format!("SELECT version AS v FROM units WHERE id = {}", ids.unit),
        "SELECT COUNT(*) AS v FROM users WHERE archived = TRUE OR locked_until IS NOT NULL"
            .to_string(),
        "SELECT COUNT(*) AS v FROM api_tokens WHERE revoked_at IS NOT NULL".to_string(),
    ];
    let mut out = Vec::new();
    for s in q {
        out.push(db.scalar(&s, &[]).await.unwrap());
    }
    out
}

struct BIds {
    unit: i64,
    project: i64,
    project_code: String,
    report: i64,
    problem: i64,
    inspection: i64,
    work_item: i64,
    attachment: i64,
    user: i64,
}

/// Is a listed item outside unit A's subtree? (`units_a` are the ids of A's subtree.)
fn leaks(item: &Value, units_a: &BTreeSet<i64>, b_projects: &BTreeSet<i64>) -> bool {
    for key in ["unit_id", "lead_unit_id"] {
        if let Some(u) = item[key].as_i64()
            && !units_a.contains(&u)
        {
            return true;
        }
    }
    // A problem about a project of B, or a report of one.
    item["project_id"]
        .as_i64()
        .is_some_and(|p| b_projects.contains(&p))
        && !item["lead_unit_id"]
            .as_i64()
            .is_some_and(|u| units_a.contains(&u))
}

async fn access_matrix(db: Db) {
    user(&db, "sup_all", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "rep_b", "D02", &[(Role::Reporter, Scope::Subtree)]).await;
    user(&db, "appr_b", "D02", &[(Role::Approver, Scope::Subtree)]).await;
    let a = unit_id(&db, "D01").await;
    let b = unit_id(&db, "D02").await;
    let roles = [
        Role::Admin,
        Role::Auditor,
        Role::Supervisor,
        Role::Reporter,
        Role::Approver,
        Role::Leader,
        Role::Reviewer,
    ];
    let scopes = [
        ("own", Scope::Own),
        ("subtree", Scope::Subtree),
        ("units", Scope::Units(vec![a])),
    ];
    let mut names = Vec::new();
    for r in roles {
        for (sname, s) in &scopes {
            let name = format!("{}_{sname}", r.code());
            user(&db, &name, "D01", &[(r, s.clone())]).await;
            names.push(name);
        }
    }
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup_all").await;
    let rep_b = Client::login(&addr, "rep_b").await;

    // Unit A's subtree and B's objects, seen by an all-scope supervisor.
    let units = sup.ok("/api/v1/units").await["items"]
        .as_array()
        .unwrap()
        .clone();
    let code_of = |id: i64| {
        units.iter().find(|u| u["id"] == id).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let units_a: BTreeSet<i64> = units
        .iter()
        .filter(|u| {
            let c = u["code"].as_str().unwrap();
            c == "D01" || c.starts_with("D01-")
        })
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    let in_b = sup
        .ok(&format!("/api/v1/projects?unit={b}&page_size=500"))
        .await;
    let b_projects: BTreeSet<i64> = in_b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let bp = &in_b["items"][0];
    let project = bp["id"].as_i64().unwrap();
    let bunit = bp["unit_id"].as_i64().unwrap();
    assert!(code_of(bunit).starts_with("D02"));
    let report = sup.ok(&format!("/api/v1/reports?project={project}")).await["items"][0]["id"]
        .as_i64()
        .unwrap();
    // A submitted report of B (for approve/return attempts).
    rep_b
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": project, "period": "2025-11", "figures": {} }),
        )
        .await;
    let deadline = (chrono::Utc::now().date_naive() + chrono::Days::new(10)).to_string();
    let problem = sup.ok_post("/api/v1/problems", json!({ "source": "dispatch", "category": "land", "description": "B 的问题", "project_id": project, "lead_unit_id": bunit, "deadline": deadline })).await["id"].as_i64().unwrap();
    rep_b
        .ok_post(
            &format!("/api/v1/problems/{problem}/acknowledge"),
            json!({}),
        )
        .await;
    let attachment = rep_b
        .raw(
            "POST",
            &format!("/api/v1/attachments?object_type=problem&object_id={problem}&name=b.pdf"),
            "application/octet-stream",
            b"%PDF-1.4 B",
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let today = chrono::Utc::now().date_naive().to_string();
    let inspection = sup.ok_post("/api/v1/inspections", json!({ "unit_id": b, "visited_on": today, "title": "B 督查", "inspectors": ["甲"], "project_ids": [project] })).await["id"].as_i64().unwrap();
    let work_item = sup.ok_post("/api/v1/work-items", json!({ "list": "key", "unit_id": b, "year": 2026, "title": "B 任务", "target": "目标" })).await["id"].as_i64().unwrap();
    let b_user = duban_store::users::by_username(&db, "rep_b")
        .await
        .unwrap()
        .unwrap()
        .id;
    let ids = BIds {
        unit: b,
        project,
        project_code: bp["code"].as_str().unwrap().into(),
        report,
        problem,
        inspection,
        work_item,
        attachment,
        user: b_user,
    };
    let before = fingerprint(&db, &ids).await;

    let reads = [
        format!("/api/v1/projects/{}", ids.project),
        format!("/api/v1/projects/{}/plans/2025", ids.project),
        format!("/api/v1/projects/{}/attachments", ids.project),
        format!("/api/v1/reports/{}", ids.report),
        format!("/api/v1/reports/{}/revisions", ids.report),
        format!("/api/v1/problems/{}", ids.problem),
        format!("/api/v1/inspections/{}", ids.inspection),
        format!("/api/v1/work-items/{}", ids.work_item),
        format!("/api/v1/attachments/{}", ids.attachment),
        format!("/api/v1/reports/missing/projects?period=2025-10&unit={b}"),
    ];
    let lists = [
        "/api/v1/projects?page_size=500".to_string(),
        format!("/api/v1/projects?unit={b}&page_size=500"),
        format!("/api/v1/projects?q={}", ids.project_code),
        "/api/v1/projects/export.csv".to_string(),
        format!(
            "/api/v1/projects/export.csv?unit={b}&q={}",
            ids.project_code
        ),
        "/api/v1/reports?page_size=500".to_string(),
        format!("/api/v1/reports?unit={b}"),
        format!("/api/v1/reports?project={}", ids.project),
        "/api/v1/problems?page_size=500".to_string(),
        format!("/api/v1/problems?unit={b}"),
        format!("/api/v1/problems?project={}", ids.project),
        "/api/v1/inspections?page_size=500".to_string(),
        format!("/api/v1/inspections?unit={b}"),
        "/api/v1/work-items".to_string(),
        format!("/api/v1/work-items?unit={b}"),
        "/api/v1/reports/missing?period=2025-10&list=500".to_string(),
        format!("/api/v1/reports/missing?period=2025-10&unit={b}&list=500"),
        "/api/v1/users".to_string(),
    ];
    let p = ids.project;
    let project_body = json!({ "version": 1, "code": ids.project_code, "name": "篡改", "unit_id": bunit, "category": "industry", "nature": "new", "level": "county", "status": "construction", "start_year": 2025, "end_year": 2026, "total_investment_wan": "1" });
    let writes: Vec<(&str, String, Value)> = vec![
        ("PUT", format!("/api/v1/projects/{p}"), project_body.clone()),
        (
            "POST",
            format!("/api/v1/projects/{p}/archive"),
            json!({ "version": 1 }),
        ),
        (
            "PUT",
            format!("/api/v1/projects/{p}/plans/2025"),
            json!({ "planned_wan": "1", "version": 1 }),
        ),
        ("POST", "/api/v1/projects".into(), {
            let mut x = project_body.clone();
            x["code"] = json!("X-NEW-IN-B");
            x
        }),
        (
            "POST",
            "/api/v1/reports".into(),
            json!({ "project_id": p, "period": "2025-12" }),
        ),
        ("PUT", format!("/api/v1/reports/{}", ids.report), json!({})),
        (
            "POST",
            format!("/api/v1/reports/{}/submit", ids.report),
            json!({}),
        ),
        (
            "POST",
            format!("/api/v1/reports/{}/approve", ids.report),
            json!({}),
        ),
        (
            "POST",
            format!("/api/v1/reports/{}/return", ids.report),
            json!({ "reason": "x" }),
        ),
        (
            "POST",
            format!("/api/v1/reports/{}/correct", ids.report),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/problems".into(),
            json!({ "source": "leader", "category": "other", "description": "x", "project_id": p }),
        ),
        (
            "POST",
            format!("/api/v1/problems/{}/assign", ids.problem),
            json!({ "lead_unit_id": a, "deadline": deadline }),
        ),
        (
            "POST",
            format!("/api/v1/problems/{}/start", ids.problem),
            json!({}),
        ),
        (
            "POST",
            format!("/api/v1/problems/{}/notes", ids.problem),
            json!({ "note": "x" }),
        ),
        (
            "POST",
            format!("/api/v1/problems/{}/resolve", ids.problem),
            json!({ "note": "x" }),
        ),
        (
            "POST",
            format!("/api/v1/problems/{}/close", ids.problem),
            json!({ "note": "x" }),
        ),
        (
            "POST",
            format!("/api/v1/problems/{}/reopen", ids.problem),
            json!({ "note": "x" }),
        ),
        (
            "POST",
            format!("/api/v1/problems/{}/extensions", ids.problem),
            json!({ "requested": "2030-01-01", "reason": "x" }),
        ),
        (
            "POST",
            format!("/api/v1/inspections/{}/findings", ids.inspection),
            json!({ "description": "x" }),
        ),
        (
            "POST",
            "/api/v1/inspections".into(),
            json!({ "unit_id": b, "visited_on": today, "title": "x", "inspectors": ["x"] }),
        ),
        (
            "POST",
            "/api/v1/work-items".into(),
            json!({ "list": "key", "unit_id": b, "year": 2026, "title": "x", "target": "x" }),
        ),
        (
            "PUT",
            format!("/api/v1/work-items/{}", ids.work_item),
            json!({ "version": 1, "list": "key", "unit_id": b, "year": 2026, "title": "x", "target": "x" }),
        ),
        (
            "POST",
            format!("/api/v1/work-items/{}/progress?submit=true", ids.work_item),
            json!({ "period": "2026-10", "text": "x" }),
        ),
        (
            "POST",
            format!(
                "/api/v1/attachments?object_type=problem&object_id={}&name=x.txt",
                ids.problem
            ),
            json!("text"),
        ),
        (
            "PUT",
            format!("/api/v1/units/{b}"),
            json!({ "code": "D02", "name": "改名", "kind": "师市", "version": 1 }),
        ),
        (
            "POST",
            format!("/api/v1/units/{b}/archive"),
            json!({ "version": 1 }),
        ),
        (
            "POST",
            "/api/v1/units".into(),
            json!({ "parent_id": b, "code": "B-NEW", "name": "x", "kind": "团场" }),
        ),
        (
            "PUT",
            format!("/api/v1/users/{}", ids.user),
            json!({ "username": "rep_b", "display_name": "x", "unit_id": b, "roles": [] }),
        ),
        (
            "POST",
            format!("/api/v1/users/{}/lock", ids.user),
            json!({}),
        ),
        (
            "POST",
            format!("/api/v1/users/{}/reset-password", ids.user),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/users".into(),
            json!({ "username": "intruder", "display_name": "x", "unit_id": b, "roles": [{ "role": "reporter", "scope": "own" }] }),
        ),
    ];

    let mut cases = 0;
    for name in &names {
        let c = Client::login(&addr, name).await;
        for path in &reads {
            let r = c.send("GET", path, None).await;
            cases += 1;
            assert!(
                matches!(r.status, 403 | 404),
                "{name} read {path}: {}",
                r.status
            );
            let body = String::from_utf8_lossy(&r.body);
            assert!(
                !body.contains(&ids.project_code),
                "{name} {path} leaks the code: {body}"
            );
        }
        for path in &lists {
            let r = c.send("GET", path, None).await;
            cases += 1;
            if r.status != 200 {
                assert_eq!(r.status, 403, "{name} list {path}");
                continue;
            }
            // The CSV export is checked as text: B's code must not be in it.
            let v = if path.contains(".csv") {
                Value::Null
            } else {
                r.json()
            };
            let body = String::from_utf8_lossy(&r.body);
            assert!(
                !body.contains(&ids.project_code),
                "{name} {path} leaks B's project code"
            );
            let items: Vec<Value> = match v["items"].as_array() {
                Some(a) => a
                    .iter()
                    .flat_map(|i| match i["projects"].as_array() {
                        Some(ps) => ps.clone(),
                        None => vec![i.clone()],
                    })
                    .collect(),
                None => vec![],
            };
            for it in &items {
                assert!(
                    !leaks(it, &units_a, &b_projects),
                    "{name} {path} leaks {it}"
                );
            }
            if path.contains(&format!("unit={b}")) {
                assert!(items.is_empty(), "{name} {path} sees B by filtering on it");
            }
            if let Some(total) = v["total"].as_i64()
                && path.contains("page_size=500")
            {
                assert!(
                    total as usize <= items.len() || items.len() == 500,
                    "{name} {path}: total {total} counts rows outside the scope"
                );
            }
        }
        for (m, path, body) in &writes {
            cases += 1;
            let r = if path.starts_with("/api/v1/attachments") {
                c.raw(m, path, "application/octet-stream", b"text").await
            } else {
                c.send(m, path, Some(body)).await
            };
            assert!(
                (400..500).contains(&r.status),
                "{name} {m} {path} answered {}: {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
        }
    }
    assert_eq!(
        fingerprint(&db, &ids).await,
        before,
        "an object of B changed"
    );
    // The matrix did reach B for the all-scope supervisor, so the fixtures are real.
    assert_eq!(sup.get(&reads[0]).await.0, 200);
    println!(
        "access matrix: {} users × {} endpoints = {cases} cases",
        names.len(),
        reads.len() + lists.len() + writes.len()
    );
    assert_eq!(
        cases,
        names.len() * (reads.len() + lists.len() + writes.len())
    );
}
