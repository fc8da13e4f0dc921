//! Monthly bulletins over HTTP on SQLite and PostgreSQL: generated from a frozen
//! snapshot whose figures equal the dashboard's, read the same after the data change,
//! reviewed and published with readers seeing published versions only.

use duban_testkit as common;

use common::{Client, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};

duban_testkit::on_both!(120, bulletin_lifecycle);

fn paragraphs(b: &Value) -> Vec<String> {
    b["document"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["kind"] == "paragraph")
        .map(|x| x["text"].as_str().unwrap().to_string())
        .collect()
}

fn yi(yuan: i64) -> String {
    duban_domain::Yuan::new(yuan).yi()
}

async fn bulletin_lifecycle(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "sup2", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "lead", "XJBT", &[(Role::Leader, Scope::All)]).await;
    user(&db, "clerk", "D01", &[(Role::Reporter, Scope::Own)]).await;
    let addr = spawn_app(db.clone()).await;
    let clerk = Client::login(&addr, "clerk").await;
    let sup = Client::login(&addr, "sup").await;
    let sup2 = Client::login(&addr, "sup2").await;
    let lead = Client::login(&addr, "lead").await;

    let (s, _) = lead
        .post("/api/v1/bulletins", json!({ "period": "2025-10" }))
        .await;
    assert_eq!(s, 403, "readers do not generate");
    let (s, e) = sup
        .post("/api/v1/bulletins", json!({ "period": "2025-13" }))
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["period"]));

    let b = sup
        .ok_post("/api/v1/bulletins", json!({ "period": "2025-10" }))
        .await;
    let id = b["id"].as_i64().unwrap();
    assert_eq!(
        (b["state"].as_str(), b["version"].as_i64()),
        (Some("draft"), Some(1))
    );
    // The opening sentence carries the dashboard's figures for the same month.
    let o = sup.ok("/api/v1/stats/overview?as_of=2025-10").await;
    let first = &paragraphs(&b)[0];
    let expected = format!(
        "2025年安排重点项目{}项，总投资{}亿元，年度计划投资{}亿元。1—10月累计完成投资{}亿元",
        o["projects"],
        yi(o["total_investment"].as_i64().unwrap()),
        yi(o["annual_plan"].as_i64().unwrap()),
        yi(o["actual_ytd"].as_i64().unwrap()),
    );
    assert!(first.starts_with(&expected), "{first}\n{expected}");
    assert!(first.contains(o["gap_zh"].as_str().unwrap()), "{first}");

    // Drafts are for supervisors; steps go in order.
    assert_eq!(lead.get(&format!("/api/v1/bulletins/{id}")).await.0, 404);
    assert_eq!(clerk.get(&format!("/api/v1/bulletins/{id}")).await.0, 404);
    assert!(
        lead.ok("/api/v1/bulletins").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (s, e) = sup
        .post(&format!("/api/v1/bulletins/{id}/publish"), json!({}))
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("illegal_transition"))
    );

    // The data change after the cut-off: the stored bulletin does not.
    let some = sup
        .ok("/api/v1/projects?page_size=1&status=construction")
        .await["items"][0]
        .clone();
    sup.ok_post(
        &format!("/api/v1/projects/{}/archive", some["id"]),
        json!({ "version": some["version"] }),
    )
    .await;
    let again = sup.ok(&format!("/api/v1/bulletins/{id}")).await;
    assert_eq!(again["document"], b["document"]);
    let v2 = sup
        .ok_post("/api/v1/bulletins", json!({ "period": "2025-10" }))
        .await;
    assert_eq!(v2["version"].as_i64(), Some(2));
    assert_ne!(
        paragraphs(&v2)[0],
        paragraphs(&b)[0],
        "a new version sees the change"
    );

    sup.ok_post(&format!("/api/v1/bulletins/{id}/review"), json!({}))
        .await;
    // Four eyes: whoever reviewed does not publish; another supervisor does.
    let (s, e) = sup
        .post(&format!("/api/v1/bulletins/{id}/publish"), json!({}))
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("four_eyes")),
        "{e}"
    );
    let p = sup2
        .ok_post(&format!("/api/v1/bulletins/{id}/publish"), json!({}))
        .await;
    assert_eq!(p["state"], "published");
    // A bulletin of the corps is addressed to the units below: a division's clerk reads it
    // once published, not before.
    let seen = clerk.ok(&format!("/api/v1/bulletins/{id}")).await;
    assert_eq!(seen["document"], b["document"]);
    assert_eq!(
        clerk
            .get(&format!("/api/v1/bulletins/{}", v2["id"]))
            .await
            .0,
        404
    );
    let seen = lead.ok(&format!("/api/v1/bulletins/{id}")).await;
    assert_eq!(seen["document"], b["document"]);
    let listed: Vec<i64> = lead.ok("/api/v1/bulletins").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![id]);
    let html = lead
        .send("GET", &format!("/api/v1/bulletins/{id}/html"), None)
        .await;
    assert_eq!(
        html.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(String::from_utf8_lossy(&html.body).contains("关于2025年10月重点项目推进情况的通报"));

    // The Word document and the annex.
    for (what, mime) in [
        (
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    ] {
        let r = clerk
            .send("GET", &format!("/api/v1/bulletins/{id}/{what}"), None)
            .await;
        assert_eq!((r.status, r.header("content-type")), (200, Some(mime)));
        assert_eq!(&r.body[..2], b"PK");
        assert!(
            r.header("content-disposition")
                .unwrap()
                .contains("filename*=UTF-8''")
        );
    }
    assert_eq!(
        clerk
            .send("GET", &format!("/api/v1/bulletins/{}/docx", v2["id"]), None)
            .await
            .status,
        404
    );

    // Every step is on the audit trail.
    let filter = duban_store::audit::AuditFilter {
        action: Some("bulletin.".into()),
        limit: 100,
        ..Default::default()
    };
    let actions: Vec<String> = duban_store::audit::list(&db, &filter)
        .await
        .unwrap()
        .1
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.len(),
        4,
        "generate ×2, review, publish: {actions:?}"
    );
}
