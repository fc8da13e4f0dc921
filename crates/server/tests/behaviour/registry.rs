//! The registry's standing columns — light, completion of the annual plan, physical
//! progress — at the office's month: the same figures as the cockpit and the project
//! page, filtered and sorted through their indexes, in the exports, and current after a
//! report is approved; on SQLite and PostgreSQL.

use duban_testkit as common;

use common::{Client, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};

duban_testkit::on_both!(90, registry_standing);

const LIGHTS: [&str; 4] = ["green", "yellow", "orange", "red"];

fn items(v: &Value) -> &Vec<Value> {
    v["items"].as_array().unwrap()
}

/// The registry's count of each light equals the cockpit's at the month; the overview.
async fn same_light_counts(sup: &Client, month: &str) -> Value {
    let overview = sup
        .ok(&format!("/api/v1/stats/overview?as_of={month}"))
        .await;
    for (i, l) in LIGHTS.iter().enumerate() {
        let n = sup
            .ok(&format!("/api/v1/projects?light={l}&page_size=1"))
            .await["total"]
            .clone();
        assert_eq!(n, overview["lights"][i], "{l}: {overview}");
    }
    overview
}

async fn registry_standing(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    // The server catches up at start; doing it here too makes the test not race it.
    duban_app::analytics::standing_catch_up(&db).await.unwrap();
    let sup = Client::login(&addr, "sup").await;

    // The data set ends in 2025 and the clock is later: the standing is December 2025's,
    // and the page says so.
    let page = sup.ok("/api/v1/projects?page_size=5").await;
    assert_eq!(page["standing_period"], "2025-12", "{page}");
    let month = "2025-12";

    // Each light's count in the registry is the cockpit's.
    let overview = same_light_counts(&sup, month).await;
    let (s, e) = sup.get("/api/v1/projects?light=purple").await;
    assert_eq!((s, common::fields(&e)), (400, vec!["light"]));

    // Sorted by light, worst first; by completion, in order, each equal to the project
    // page's figure.
    let by_light = sup
        .ok("/api/v1/projects?sort=light&desc=true&page_size=100")
        .await;
    let ranks: Vec<usize> = items(&by_light)
        .iter()
        .map(|p| {
            p["light"]
                .as_str()
                .map_or(0, |l| LIGHTS.iter().position(|x| *x == l).unwrap() + 1)
        })
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    assert_eq!(ranks[0], 4, "the worst light comes first");
    let by_completion = sup
        .ok("/api/v1/projects?sort=completion&desc=true&page_size=100")
        .await;
    let done: Vec<i64> = items(&by_completion)
        .iter()
        .map(|p| p["completion_bp"].as_i64().unwrap_or(-1))
        .collect();
    assert!(done.windows(2).all(|w| w[0] >= w[1]), "{done:?}");
    for p in items(&by_completion).iter().step_by(17) {
        let why = sup
            .ok(&format!("/api/v1/stats/why/{}?as_of={month}", p["id"]))
            .await;
        assert_eq!(p["completion_bp"], why["completion_bp"], "{p}");
        assert_eq!(p["light"], why["light"], "{p}");
    }
    // Paging deep from the far end keeps the order (the page read backwards).
    let total = by_completion["total"].as_i64().unwrap();
    let last = sup
        .ok(&format!(
            "/api/v1/projects?sort=progress&page_size=10&page={}",
            (total + 9) / 10
        ))
        .await;
    let tail: Vec<i64> = items(&last)
        .iter()
        .map(|p| p["progress_bp"].as_i64().unwrap_or(-1))
        .collect();
    assert!(tail.windows(2).all(|w| w[0] <= w[1]), "{tail:?}");

    // The export carries the same three columns for the same view.
    let csv = sup
        .send("GET", "/api/v1/projects/export.csv?light=red", None)
        .await;
    let text = String::from_utf8(csv.body.clone()).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.ends_with("灯色,年度完成率,形象进度"), "{header}");
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(json!(rows.len()), overview["lights"][3]);
    assert!(rows.iter().all(|r| r.contains(",红灯,")), "{rows:?}");

    // A report approved for November moves the project's progress at once.
    let p = items(&by_light)
        .iter()
        .find(|p| p["light"].is_string())
        .unwrap()
        .clone();
    let pid = p["id"].as_i64().unwrap();
    let units = sup.ok("/api/v1/units").await;
    let ucode = items(&units)
        .iter()
        .find(|u| u["id"] == p["unit_id"])
        .unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    user(&db, "rep", &ucode, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &ucode, &[(Role::Approver, Scope::Own)]).await;
    let rep = Client::login(&addr, "rep").await;
    let appr = Client::login(&addr, "appr").await;
    let r = rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": pid, "period": "2025-11" }),
        )
        .await;
    let rid = r["id"].as_i64().unwrap();
    let before = sup
        .ok(&format!(
            "/api/v1/projects?q={}",
            p["code"].as_str().unwrap()
        ))
        .await;
    let ytd = before["items"][0]["completion_bp"].as_i64().unwrap_or(0);
    let plan_ytd = sup
        .ok(&format!("/api/v1/stats/why/{pid}?as_of=2025-11"))
        .await["actual"][10]
        .as_i64()
        .unwrap();
    rep.send(
        "PUT",
        &format!("/api/v1/reports/{rid}"),
        Some(&json!({
            "invest_period": 0, "invest_ytd": plan_ytd, "invest_since_start": plan_ytd + 10_000_000,
            "progress_bp": 8_765, "progress_text": "主体完工", "funds_received": 0, "funds_disbursed": 0,
            "started": true, "started_on": "2024-05-01", "stats_entered": true, "issues": "", "next_steps": ""
        })),
    )
    .await;
    rep.ok_post(&format!("/api/v1/reports/{rid}/submit"), json!({}))
        .await;
    appr.ok_post(&format!("/api/v1/reports/{rid}/approve"), json!({}))
        .await;
    let after = sup
        .ok(&format!(
            "/api/v1/projects?q={}",
            p["code"].as_str().unwrap()
        ))
        .await;
    assert_eq!(after["items"][0]["progress_bp"], 8_765, "{after}");
    assert_eq!(
        after["items"][0]["completion_bp"].as_i64().unwrap_or(0),
        ytd
    );
    // The counts by light (cached) follow at once: still the cockpit's.
    let overview = sup
        .ok(&format!("/api/v1/stats/overview?as_of={month}"))
        .await;
    for (i, l) in LIGHTS.iter().enumerate() {
        let n = sup
            .ok(&format!("/api/v1/projects?light={l}&page_size=1"))
            .await["total"]
            .clone();
        assert_eq!(
            n, overview["lights"][i],
            "{l} after the approval: {overview}"
        );
    }
}
