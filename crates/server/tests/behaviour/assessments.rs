//! An assessment run over HTTP on SQLite and PostgreSQL: the example annual scheme run
//! for a quarter, inputs computed by duban, review scores from three reviewers, an
//! explained ranking with grades under the quota, published with audit.

use duban_testkit as common;

use common::{Client, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};

duban_testkit::on_both!(120, assessment_run);

fn scheme() -> Value {
    serde_json::from_str(include_str!(
        "../../../domain/src/assessment/schemes/annual-targets.json"
    ))
    .unwrap()
}

/// A unit's line for an indicator in a run's result.
fn line_of(run: &Value, unit: i64, code: &str) -> Value {
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == unit)
        .unwrap();
    result["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == code)
        .unwrap()
        .clone()
}

async fn assessment_run(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    for r in ["rev1", "rev2", "rev3"] {
        user(&db, r, "XJBT", &[(Role::Reviewer, Scope::All)]).await;
    }
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;

    // A scheme whose weights do not add up is refused, naming why.
    let mut bad = scheme();
    bad["indicators"][0]["points"] = json!(24);
    let (s, e) = sup
        .post(
            "/api/v1/assessments",
            json!({ "scheme": bad, "period": "2025Q3" }),
        )
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["scheme"]));
    assert!(
        e["details"][0]["zh"].as_str().unwrap().contains("合计99"),
        "{e}"
    );
    let (s, e) = sup
        .post(
            "/api/v1/assessments",
            json!({ "scheme": scheme(), "period": "2025Q5" }),
        )
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["period"]));

    let run = sup
        .ok_post(
            "/api/v1/assessments",
            json!({ "scheme": scheme(), "period": "2025Q3" }),
        )
        .await;
    let id = run["id"].as_i64().unwrap();
    assert_eq!(
        (run["state"].as_str(), run["period"].as_str()),
        (Some("open"), Some("2025Q3"))
    );
    let results = run["results"].as_array().unwrap().clone();
    assert!(
        results.len() >= 2,
        "units under the corps: {}",
        results.len()
    );
    // Completion comes from duban's figures: the unit's own September year-to-date rate.
    let first = &results[0];
    let unit = first["unit_id"].as_i64().unwrap();
    let o = sup
        .ok(&format!("/api/v1/stats/overview?as_of=2025-09&unit={unit}"))
        .await;
    let rate = o["actual_ytd"].as_f64().unwrap() * 100.0 / o["annual_plan"].as_f64().unwrap();
    let expected = if rate < 100.0 {
        25.0 - ((100.0 - rate) * 0.1).min(10.0)
    } else {
        25.0 + ((rate.min(130.0) - 100.0) * 0.2).min(10.0)
    };
    let line = &line_of(&run, unit, "completion");
    assert!(
        (line["score"].as_f64().unwrap() - expected).abs() < 0.006,
        "{line} vs {expected}"
    );
    assert!(
        line["explanation"].as_str().unwrap().starts_with("25 "),
        "{line}"
    );

    // Three reviewers score the unit; a leader's group of three drops the highest and lowest.
    for (who, score) in [("rev1", 30.0), ("rev2", 36.0), ("rev3", 40.0)] {
        let c = Client::login(&addr, who).await;
        c.ok_post(
            &format!("/api/v1/assessments/{id}/reviews"),
            json!({ "unit_id": unit, "indicator": "review", "group": "领导", "score": score }),
        )
        .await;
    }
    let (s, e) = sup
        .post(
            &format!("/api/v1/assessments/{id}/reviews"),
            json!({ "unit_id": unit, "indicator": "review", "group": "领导", "score": 1 }),
        )
        .await;
    assert_eq!(s, 403, "supervisors do not review: {e}");
    let rev1 = Client::login(&addr, "rev1").await;
    for (body, field) in [
        (
            json!({ "unit_id": unit, "indicator": "review", "group": "领导", "score": 41 }),
            "score",
        ),
        (
            json!({ "unit_id": unit, "indicator": "completion", "group": "领导", "score": 1 }),
            "indicator",
        ),
        (
            json!({ "unit_id": unit, "indicator": "review", "group": "群众", "score": 1 }),
            "group",
        ),
        (
            json!({ "unit_id": 999_999, "indicator": "review", "group": "领导", "score": 1 }),
            "unit_id",
        ),
    ] {
        let (s, e) = rev1
            .post(&format!("/api/v1/assessments/{id}/reviews"), body)
            .await;
        assert_eq!((s, common::fields(&e)), (400, vec![field]));
    }
    let now = sup.ok(&format!("/api/v1/assessments/{id}")).await;
    let review = &line_of(&now, unit, "review");
    assert_eq!(review["score"].as_f64(), Some(36.0), "{review}");
    assert_eq!(now["reviews"].as_array().unwrap().len(), 3);
    // Ranks follow totals; at most 30% 优秀.
    let all = now["results"].as_array().unwrap();
    let totals: Vec<f64> = all.iter().map(|r| r["total"].as_f64().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]));
    // A provisional ranking: no unit has a grade while others wait for their review scores.
    assert!(all.iter().all(|r| r["grade"] == ""), "{all:?}");
    assert!(
        all.iter()
            .any(|r| r["unit_id"] != unit && r["missing"] == json!(["review"]))
    );

    // A figure entered with its evidence: two national awards, 2 points each.
    let (s, e) = sup
        .post(
            &format!("/api/v1/assessments/{id}/entries"),
            json!({ "unit_id": unit, "indicator": "award", "count": 2, "evidence": "" }),
        )
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["evidence"]));
    let (s, e) = sup
        .post(
            &format!("/api/v1/assessments/{id}/entries"),
            json!({ "unit_id": unit, "indicator": "completion", "value": 100, "evidence": "x" }),
        )
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["indicator"]));
    let with = sup.ok_post(&format!("/api/v1/assessments/{id}/entries"), json!({ "unit_id": unit, "indicator": "award", "count": 2, "evidence": "国务院表彰决定（国发〔2025〕12号）" })).await;
    let award = line_of(&with, unit, "award");
    assert_eq!(award["score"].as_f64(), Some(4.0), "{award}");
    assert_eq!(
        with["entries"][0]["evidence"],
        "国务院表彰决定（国发〔2025〕12号）"
    );
    let x = sup
        .send("GET", &format!("/api/v1/assessments/{id}/xlsx"), None)
        .await;
    assert_eq!(x.status, 200);
    assert_eq!(&x.body[..2], b"PK");
    assert!(x.header("content-disposition").unwrap().contains("2025Q3"));
    // Not published while scores are missing, saying what waits.
    let (s, e) = sup
        .post(&format!("/api/v1/assessments/{id}/publish"), json!({}))
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("incomplete")),
        "{e}"
    );
    assert!(
        e["message_zh"].as_str().unwrap().contains("综合评议"),
        "{e}"
    );
    // The other units' review scores, both groups.
    let waiting: Vec<i64> = with["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["missing"].as_array().is_some_and(|m| !m.is_empty()))
        .map(|r| r["unit_id"].as_i64().unwrap())
        .collect();
    // One score per reviewer for a unit: a leader and a department's reviewer.
    let rev2 = Client::login(&addr, "rev2").await;
    let mut scored = 0;
    for u in &waiting {
        for (who, group, score) in [(&rev1, "领导", 30), (&rev2, "部门", 28)] {
            who.ok_post(
                &format!("/api/v1/assessments/{id}/reviews"),
                json!({ "unit_id": u, "indicator": "review", "group": group, "score": score }),
            )
            .await;
            scored += 1;
        }
    }
    let full = sup.ok(&format!("/api/v1/assessments/{id}")).await;
    let all = full["results"].as_array().unwrap();
    assert!(
        all.iter().all(|r| r["grade"] != ""),
        "every unit graded once all is in: {:?}",
        all.iter()
            .map(|r| (
                r["unit_id"].clone(),
                r["missing"].clone(),
                r["grade"].clone()
            ))
            .collect::<Vec<_>>()
    );
    let excellent = all.iter().filter(|r| r["grade"] == "优秀").count();
    assert!(excellent as f64 <= 0.3 * all.len() as f64);
    let p = sup
        .ok_post(&format!("/api/v1/assessments/{id}/publish"), json!({}))
        .await;
    assert_eq!(p["state"], "published");
    let (s, _) = rev1
        .post(
            &format!("/api/v1/assessments/{id}/reviews"),
            json!({ "unit_id": unit, "indicator": "review", "group": "领导", "score": 1 }),
        )
        .await;
    assert_eq!(s, 400, "scores are closed once published");
    let filter = duban_store::audit::AuditFilter {
        action: Some("assessment.".into()),
        limit: 100,
        ..Default::default()
    };
    let actions = duban_store::audit::list(&db, &filter)
        .await
        .unwrap()
        .1
        .len();
    assert_eq!(
        actions,
        6 + scored,
        "start, three reviews, an entry, the other units' reviews, publish"
    );
}
