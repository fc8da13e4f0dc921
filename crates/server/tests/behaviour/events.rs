//! The routine's other messages, on SQLite and PostgreSQL: an extension asked reaches the
//! supervisors over the lead unit and its answer the lead unit; a bulletin drafted reaches
//! the issuing unit's other supervisors and, published, the units below; reports waiting
//! for approval remind their approvers; milestones due and overdue remind their unit; the
//! weekly dispatch digest reaches supervisors once a week at its time; a project turning
//! red is told to its unit and its liaison leader.

use duban_testkit as common;

use common::{Client, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};

duban_testkit::on_both!(60, the_other_events);

/// Beijing `hour`:`minute` on a day, as milliseconds.
fn at(y: i32, m: u32, d: u32, hour: u32, minute: u32) -> i64 {
    common::beijing(y, m, d, hour, minute)
}

async fn events_of(c: &Client) -> Vec<String> {
    let v = c.ok("/api/v1/notifications?page_size=200").await;
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["event"].as_str().unwrap().to_string())
        .collect()
}

fn count(v: &[String], e: &str) -> usize {
    v.iter().filter(|x| *x == e).count()
}

async fn the_other_events(db: Db) {
    let units = duban_store::units::list(&db).await.unwrap();
    // A unit with projects, and its parent.
    let projects = common::not_submitted(&db, 2025, 11).await;
    // (below a parent that is not the root: a published bulletin reaches the units below
    // the issuing one, the root)
    let parent_of = |id: i64| units.iter().find(|u| u.id == id).and_then(|u| u.parent_id);
    let p = projects
        .iter()
        .find(|m| parent_of(m.unit_id).and_then(parent_of).is_some())
        .unwrap();
    let unit = units.iter().find(|u| u.id == p.unit_id).unwrap();
    let parent = units.iter().find(|u| Some(u.id) == unit.parent_id).unwrap();
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "sup2", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "rep", &unit.code, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &unit.code, &[(Role::Approver, Scope::Own)]).await;
    user(&db, "lead", &parent.code, &[(Role::Leader, Scope::Subtree)]).await;
    let addr = spawn_app(db.clone()).await;
    let (sup, sup2, rep, appr, lead) = (
        Client::login(&addr, "sup").await,
        Client::login(&addr, "sup2").await,
        Client::login(&addr, "rep").await,
        Client::login(&addr, "appr").await,
        Client::login(&addr, "lead").await,
    );

    // An extension asked by the lead unit reaches both supervisors; the answer the unit.
    let deadline = (chrono::Utc::now().date_naive() + chrono::Days::new(20)).to_string();
    let pr = sup
        .ok_post(
            "/api/v1/problems",
            json!({ "source": "调度会", "category": "用地", "description": "征地拆迁未完成",
            "project_id": p.project_id, "lead_unit_id": unit.id, "deadline": deadline }),
        )
        .await;
    let id = pr["id"].as_i64().unwrap();
    let later = (chrono::Utc::now().date_naive() + chrono::Days::new(40)).to_string();
    let x = rep
        .ok_post(
            &format!("/api/v1/problems/{id}/extensions"),
            json!({ "requested": later, "reason": "冬季停工" }),
        )
        .await;
    assert_eq!(count(&events_of(&sup).await, "extension_asked"), 1);
    assert_eq!(count(&events_of(&sup2).await, "extension_asked"), 1);
    let eid = x["extensions"][0]["id"].as_i64().unwrap();
    sup.ok_post(
        &format!("/api/v1/problems/{id}/extensions/{eid}/decide"),
        json!({ "approve": true, "note": "同意" }),
    )
    .await;
    let heard = rep.ok("/api/v1/notifications?page_size=200").await;
    let decided = heard["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["event"] == "extension_decided")
        .unwrap();
    assert!(
        decided["body_zh"].as_str().unwrap().contains("已延至"),
        "{decided}"
    );
    assert_eq!(decided["link"], format!("/problems?id={id}"));

    // A bulletin drafted: the other supervisor reviews it; published: the units below.
    let b = sup
        .ok_post("/api/v1/bulletins", json!({ "period": "2025-10" }))
        .await;
    let bid = b["id"].as_i64().unwrap();
    assert_eq!(count(&events_of(&sup2).await, "bulletin_drafted"), 1);
    assert_eq!(
        count(&events_of(&sup).await, "bulletin_drafted"),
        0,
        "not to its author"
    );
    sup2.ok_post(&format!("/api/v1/bulletins/{bid}/review"), json!({}))
        .await;
    sup.ok_post(&format!("/api/v1/bulletins/{bid}/publish"), json!({}))
        .await;
    assert_eq!(count(&events_of(&lead).await, "bulletin_published"), 1);
    assert_eq!(count(&events_of(&appr).await, "bulletin_published"), 1);
    assert_eq!(
        count(&events_of(&rep).await, "bulletin_published"),
        0,
        "clerks are not told"
    );

    // A report submitted and waiting: its approver hears of it once it has waited the
    // office's days, once a day.
    let r = rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": p.project_id, "period": "2025-11", "figures": {
                "invest_period": 1_000_000, "invest_ytd": 90_000_000, "invest_since_start": 190_000_000,
                "progress_bp": 5_000, "progress_text": "主体施工", "funds_received": 0, "funds_disbursed": 0,
                "started": true, "started_on": "2024-05-01", "stats_entered": true, "issues": "", "next_steps": "" } }),
        )
        .await;
    rep.ok_post(&format!("/api/v1/reports/{}/submit", r["id"]), json!({}))
        .await;
    let today = duban_app::clock::today();
    let soon = duban_app::routine::approval_reminders(&db, today)
        .await
        .unwrap();
    assert_eq!(soon.messages, 0, "not yet waited long");
    // The day it has waited three days (or the next working day), once.
    let mut due = today + chrono::Days::new(3);
    while !duban_domain::notify::working(due) {
        due = due.succ_opt().unwrap();
    }
    let w = duban_app::routine::approval_reminders(&db, due)
        .await
        .unwrap();
    assert!(w.messages >= 1, "{w:?}");
    duban_app::routine::approval_reminders(&db, due)
        .await
        .unwrap();
    let waiting = appr.ok("/api/v1/notifications?page_size=200").await;
    let mine: Vec<&Value> = waiting["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["event"] == "approval_waiting")
        .collect();
    assert_eq!(mine.len(), 1, "once a day");
    assert_eq!(mine[0]["link"], "/reports?tab=inbox");

    // Milestones: one due on Friday 12 December 2025, not done.
    {
        let mut tx = db.write().await.unwrap();
        tx.execute(
            "INSERT INTO milestones (project_id, year, name, planned_date) VALUES ($1, 2025, '主体封顶', '2025-12-12')",
            &[p.project_id.into()],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    // The days the unit's clerk hears of its milestones (other units have their own).
    let mut by_day = Vec::new();
    let mut heard = 0;
    for day in 1..=31 {
        let d = chrono::NaiveDate::from_ymd_opt(2025, 12, day).unwrap();
        duban_app::routine::milestone_reminders(&db, d)
            .await
            .unwrap();
        let mine = events_of(&rep).await;
        let now: Vec<String> = mine
            .iter()
            .filter(|e| e.starts_with("milestone"))
            .cloned()
            .collect();
        if now.len() > heard {
            by_day.push((day, now[0].clone()));
            heard = now.len();
        }
    }
    // Ours: yellow three days before (Tuesday the 9th), red the working day after (Monday
    // the 15th); the same day twice tells nothing twice. (The unit's other milestones from
    // the generated data have their own days.)
    duban_app::routine::milestone_reminders(
        &db,
        chrono::NaiveDate::from_ymd_opt(2025, 12, 15).unwrap(),
    )
    .await
    .unwrap();
    assert!(
        by_day.contains(&(9, "milestone_due".to_string())),
        "{by_day:?}"
    );
    assert!(
        by_day.contains(&(15, "milestone_overdue".to_string())),
        "{by_day:?}"
    );
    let v = rep.ok("/api/v1/notifications?page_size=200").await;
    let ours: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["body_zh"].as_str().unwrap().contains("主体封顶"))
        .map(|n| n["event"].as_str().unwrap())
        .collect();
    assert_eq!(ours, vec!["milestone_overdue", "milestone_due"], "{v}");

    // The weekly digest: Monday 1 December 2025 at 08:30, once; other days nothing.
    let before = duban_app::routine::tick(&db, at(2025, 12, 1, 8, 0))
        .await
        .unwrap();
    assert!(!before.iter().any(|(j, _)| j == "dispatch_digest"));
    for _ in 0..2 {
        duban_app::routine::tick(&db, at(2025, 12, 1, 8, 35))
            .await
            .unwrap();
    }
    duban_app::routine::tick(&db, at(2025, 12, 2, 9, 5))
        .await
        .unwrap();
    let s = events_of(&sup).await;
    assert_eq!(count(&s, "dispatch_digest"), 1, "{s:?}");
    let v = sup.ok("/api/v1/notifications?page_size=200").await;
    let digest = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["event"] == "dispatch_digest")
        .unwrap()
        .clone();
    // The digest's total is the dispatch page's for the same month.
    let page = sup.ok("/api/v1/stats/dispatch?as_of=2025-11&limit=1").await;
    let total = page["total"].as_i64().unwrap();
    assert!(
        digest["body_zh"]
            .as_str()
            .unwrap()
            .contains(&format!("本周共有{total}个项目需要调度")),
        "{digest} vs {total}"
    );
    assert_eq!(count(&events_of(&rep).await, "dispatch_digest"), 0);
    let _: Value = digest;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_turning_red_on_sqlite() {
    turning_red(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_project_turning_red_on_postgres() {
    turning_red(true).await;
}

/// An approved report that puts a project behind turns it red (the registry's light, the
/// month the office is in): its unit's people and its liaison leader hear of it at once.
async fn turning_red(pg: bool) {
    let Some(db) = common::empty_database(pg).await else {
        return;
    };
    // Data up to the month before this one, the month the registry's lights describe.
    let month = duban_domain::Period::of(duban_app::clock::today()).prev();
    duban_app::load::generate(
        &duban_app::unit_of_work::Console::open(),
        &db,
        duban_gen::Params {
            projects: 80,
            seed: 5,
            as_of: month,
        },
        |_| {},
    )
    .await
    .unwrap();
    duban_app::analytics::rebuild(&db, month.year(), &mut |_| {})
        .await
        .unwrap();
    duban_app::analytics::standing_catch_up(&db).await.unwrap();
    // A project not yet reported this month, not red, with a plan for the year.
    let missing = common::not_submitted(&db, month.year(), month.month()).await;
    let mut chosen = None;
    for m in &missing {
        let (rank, plan): (i64, i64) = db
            .fetch_one(
                "SELECT p.light_rank, COALESCE((SELECT py.annual_plan FROM project_years py WHERE py.project_id = p.id AND py.year = $2), 0) AS plan FROM projects p WHERE p.id = $1",
                &[m.project_id.into(), i64::from(month.year()).into()],
                |r| Ok((r.i64("light_rank")?, r.i64("plan")?)),
            )
            .await
            .unwrap();
        if rank != 4 && plan > 0 && !m.leader.is_empty() && m.state.is_none() {
            chosen = Some(m.clone());
            break;
        }
    }
    let p = chosen.expect("a project that can turn red");
    let code = duban_store::units::list(&db)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.id == p.unit_id)
        .unwrap()
        .code;
    user(&db, "rep", &code, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &code, &[(Role::Approver, Scope::Own)]).await;
    user(&db, "liaison", "XJBT", &[(Role::Leader, Scope::All)]).await;
    {
        let mut tx = db.write().await.unwrap();
        tx.execute(
            "UPDATE users SET display_name = $1 WHERE username = 'liaison'",
            &[p.leader.clone().into()],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
    let addr = spawn_app(db.clone()).await;
    let (rep, appr, liaison) = (
        Client::login(&addr, "rep").await,
        Client::login(&addr, "appr").await,
        Client::login(&addr, "liaison").await,
    );
    // Nothing done this year: no investment, barely begun.
    let r = rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": p.project_id, "period": month.to_string(), "figures": {
                "invest_period": 0, "invest_ytd": 0, "invest_since_start": 0,
                "progress_bp": 100, "progress_text": "尚未开工", "funds_received": 0, "funds_disbursed": 0,
                "started": false, "started_on": null, "stats_entered": false, "issues": "征地未完成", "next_steps": "" } }),
        )
        .await;
    rep.ok_post(&format!("/api/v1/reports/{}/submit", r["id"]), json!({}))
        .await;
    appr.ok_post(&format!("/api/v1/reports/{}/approve", r["id"]), json!({}))
        .await;
    let light = db
        .scalar(
            "SELECT light_rank AS v FROM projects WHERE id = $1",
            &[p.project_id.into()],
        )
        .await
        .unwrap();
    assert_eq!(light, 4, "the project is red now");
    for c in [&rep, &appr, &liaison] {
        let v = c.ok("/api/v1/notifications?page_size=100").await;
        let red: Vec<&Value> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["event"] == "project_red")
            .collect();
        assert_eq!(red.len(), 1, "{v}");
        assert_eq!(red[0]["link"], format!("/projects/{}", p.project_id));
    }
}
