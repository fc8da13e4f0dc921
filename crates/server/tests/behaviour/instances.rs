//! Two servers on one database (two pools, as two machines would have): a write on one
//! is seen by the next read on the other, counts included (change counters, not a timer);
//! a session made on one works on the other.

use common::{Client, spawn_app, unit_id, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use duban_testkit as common;
use serde_json::json;

duban_testkit::on_both!(30, two_servers_one_database);

async fn two_servers_one_database(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let url = common::url_of(&db).unwrap();
    let other = duban_app::open(&url).await.unwrap();
    assert_ne!(db.id(), other.id());
    let (a, b) = (spawn_app(db.clone()).await, spawn_app(other).await);
    let on_a = Client::login(&a, "sup").await;
    // The same session, presented to the other server.
    let mut on_b = on_a.clone();
    on_b.addr = b.clone();
    let count = async |c: &Client, q: &str| {
        c.ok(&format!("/api/v1/projects?{q}")).await["total"]
            .as_i64()
            .unwrap()
    };
    let before = count(&on_b, "page_size=1").await;
    let filtered = count(&on_b, "page_size=1&status=construction").await;
    let unit = unit_id(&db, "XJBT").await;
    // The dashboards' sums, as the other server has them before the write.
    let projects = async |c: &Client, path: &str| -> i64 {
        let v = c.ok(path).await;
        match v["items"].as_array() {
            Some(rows) => rows.iter().map(|r| r["projects"].as_i64().unwrap()).sum(),
            None => v["projects"].as_i64().unwrap(),
        }
    };
    let views = [
        "/api/v1/stats/overview?as_of=2026-10",
        "/api/v1/stats/breakdown?as_of=2026-10&by=category",
        "/api/v1/stats/breakdown?as_of=2026-10&by=unit",
    ];
    let mut sums = Vec::new();
    for v in views {
        sums.push(projects(&on_b, v).await);
    }
    let (s, p) = on_a
        .post(
            "/api/v1/projects",
            json!({ "code": "2026-650000-48-01-777777", "name": "两台服务器之间的项目", "unit_id": unit,
                    "category": "infrastructure", "nature": "new", "level": "city", "status": "construction",
                    "start_year": 2026, "end_year": 2027, "total_investment_wan": "5000" }),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    // Seen at once on the other server, cached counts included.
    assert_eq!(count(&on_b, "page_size=1").await, before + 1);
    assert_eq!(
        count(&on_b, "page_size=1&status=construction").await,
        filtered + 1
    );
    // Planned for 2026, it is in every sum the other server shows (kept at the totals'
    // count), the curve's annual plan included.
    let planned = async |c: &Client| -> i64 {
        let v = c.ok("/api/v1/stats/curve?year=2026").await;
        let items = v["items"].as_array().unwrap().clone();
        items
            .iter()
            .find(|i| i["month"] == 10)
            .map_or(0, |i| i["annual_plan"].as_i64().unwrap())
    };
    let plan_before = planned(&on_b).await;
    let monthly: Vec<String> = (1..=12).map(|m| (100 * m).to_string()).collect();
    let (s, v) = on_a
        .put(
            &format!("/api/v1/projects/{}/plans/2026", p["id"]),
            json!({ "planned_wan": "1200", "monthly_wan": monthly, "planned_start_month": 3 }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(planned(&on_b).await, plan_before + 12_000_000);
    // A rebuild (as `duban rebuild` runs it, beside the servers) is seen too: here of a
    // plan changed behind the application's back.
    db.execute(
        "UPDATE annual_plans SET planned = planned * 2, m01 = m01 * 2, m02 = m02 * 2, m03 = m03 * 2, \
         m04 = m04 * 2, m05 = m05 * 2, m06 = m06 * 2, m07 = m07 * 2, m08 = m08 * 2, m09 = m09 * 2, \
         m10 = m10 * 2, m11 = m11 * 2, m12 = m12 * 2 WHERE project_id = $1 AND year = 2026",
        &[p["id"].as_i64().unwrap().into()],
    )
    .await
    .unwrap();
    duban_app::analytics::rebuild(&db, 2026, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(planned(&on_b).await, plan_before + 24_000_000);
    for (v, before) in views.iter().zip(&sums) {
        assert_eq!(projects(&on_b, v).await, before + 1, "{v}");
    }
    let (s, _) = on_b.get(&format!("/api/v1/projects/{}", p["id"])).await;
    assert_eq!(s, 200);
    // And the other way round: problem counts on the cockpit.
    let open = |o: &serde_json::Value| o["problems_open"].as_i64().unwrap();
    let o1 = on_a.ok("/api/v1/stats/overview?as_of=2025-10").await;
    let (s, _) = on_b
        .post("/api/v1/problems", json!({ "source": "dispatch", "category": "land", "description": "跨服务器的问题", "lead_unit_id": unit, "deadline": "2099-01-01" }))
        .await;
    assert_eq!(s, 200);
    let o2 = on_a.ok("/api/v1/stats/overview?as_of=2025-10").await;
    assert_eq!(open(&o2), open(&o1) + 1);
    // A unit's series changed on one server ranks it in its new series on the other
    // (the units are kept in memory at their change count).
    let series_of = async |c: &Client, id: i64| {
        let r = c.ok("/api/v1/stats/rankings?as_of=2025-10").await;
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["unit_id"] == id)
            .map(|i| i["series"].as_str().unwrap().to_string())
    };
    let ranked = on_a.ok("/api/v1/stats/rankings?as_of=2025-10").await;
    let unit = ranked["items"][0]["unit_id"].as_i64().unwrap();
    assert!(series_of(&on_a, unit).await.is_some());
    let units = on_b.ok("/api/v1/units").await;
    let u = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == unit)
        .unwrap()
        .clone();
    assert_ne!(u["series"], "跨服务器的系列");
    let (s, v) = on_b
        .put(
            &format!("/api/v1/units/{unit}"),
            json!({ "parent_id": u["parent_id"], "code": u["code"], "name": u["name"],
                    "kind": u["kind"], "series": "跨服务器的系列", "version": u["version"] }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        series_of(&on_a, unit).await.as_deref(),
        Some("跨服务器的系列")
    );
}
