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
}
