//! The routine's clock (督): a month of days ticked one after another at the office's
//! reminder time, on SQLite and PostgreSQL — who hears what, when; nothing for what is
//! done; each day's run once however many servers tick; the messages in each person's
//! own list over HTTP; a returned report's clerks told why.

use duban_testkit as common;

use common::{Client, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::{Value, json};

duban_testkit::on_both!(120, a_month_of_reminders);

/// 09:05 in Beijing on a day of December 2025, as milliseconds.
fn at(day: u32, hour: u32) -> i64 {
    common::beijing(2025, 12, day, hour, 5)
}

/// (event, link) of each of a person's messages, oldest first.
async fn heard(c: &Client) -> Vec<(String, String)> {
    let v = c.ok("/api/v1/notifications?page_size=100").await;
    let mut out: Vec<(String, String)> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["event"].as_str().unwrap().to_string(),
                n["link"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.reverse();
    out
}

async fn a_month_of_reminders(db: Db) {
    // The units with the most projects still to report for November, a division's
    // regiments among them.
    let missing = common::not_submitted(&db, 2025, 11).await;
    let units = duban_store::units::list(&db).await.unwrap();
    let with_parent = |id: i64| {
        let u = units.iter().find(|u| u.id == id).unwrap();
        (u.code.clone(), u.parent_id)
    };
    let mut counts: std::collections::BTreeMap<i64, usize> = Default::default();
    for m in &missing {
        *counts.entry(m.unit_id).or_default() += 1;
    }
    let mut ranked: Vec<(i64, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // A unit with no sub-units: its approver hears of its own projects only.
    let leaf = |id: i64| !units.iter().any(|u| u.parent_id == Some(id));
    let (busy, busy_count) = ranked
        .iter()
        .copied()
        .find(|(u, _)| with_parent(*u).1.is_some() && leaf(*u))
        .unwrap();
    let (busy_code, parent) = with_parent(busy);
    let parent_code = units
        .iter()
        .find(|u| Some(u.id) == parent)
        .unwrap()
        .code
        .clone();
    // A unit with one project to report, which its clerk sends before the deadline.
    let (quick, _) = ranked
        .iter()
        .copied()
        .find(|(u, n)| *n == 1 && *u != busy)
        .unwrap();
    let (quick_code, _) = with_parent(quick);

    user(&db, "rep", &busy_code, &[(Role::Reporter, Scope::Own)]).await;
    user(&db, "appr", &busy_code, &[(Role::Approver, Scope::Own)]).await;
    user(&db, "boss", &parent_code, &[(Role::Leader, Scope::Subtree)]).await;
    user(&db, "quick", &quick_code, &[(Role::Reporter, Scope::Own)]).await;
    let addr = spawn_app(db.clone()).await;
    let (rep, appr, boss, quick_rep) = (
        Client::login(&addr, "rep").await,
        Client::login(&addr, "appr").await,
        Client::login(&addr, "boss").await,
        Client::login(&addr, "quick").await,
    );

    // A problem led by the busy unit, due on Friday 12 December 2025 (written under the
    // API: its deadline is in the past of the real clock).
    let problem = {
        use duban_domain::problem::{Problem, ProblemState};
        let mut tx = db.write().await.unwrap();
        let id = duban_store::problems::insert(
            &mut tx,
            &Problem {
                id: duban_domain::ids::ProblemId::new(0),
                project_id: None,
                source: duban_domain::ProblemSource::Dispatch,
                category: duban_domain::ProblemCategory::Land,
                description: "E2E用地报批未完成".into(),
                lead_unit_id: None,
                assisting_unit_ids: vec![],
                responsible: String::new(),
                deadline: None,
                state: ProblemState::Open,
                resolved_by: None,
                created_at: 0,
            },
            None,
        )
        .await
        .unwrap();
        let deadline = chrono::NaiveDate::from_ymd_opt(2025, 12, 12).unwrap();
        duban_store::problems::assign(&mut tx, id, busy, deadline)
            .await
            .unwrap();
        duban_store::problems::set_state(
            &mut tx,
            id,
            ProblemState::Open,
            ProblemState::Assigned,
            None,
            "assign",
            "",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id.get()
    };
    let about = format!("/problems?id={problem}");

    // Before the reminder time nothing runs; at it, the day's run once, however many
    // servers tick at once.
    let early = duban_app::routine::tick(&db, at(1, 8)).await.unwrap();
    assert!(early.is_empty());
    let (a, b) = tokio::join!(
        duban_app::routine::tick(&db, at(1, 9)),
        duban_app::routine::tick(&db, at(1, 9))
    );
    let ran = [a.unwrap(), b.unwrap()]
        .into_iter()
        .flatten()
        .filter(|(job, o)| {
            job == "report_reminders" && matches!(o, duban_app::jobs::Outcome::Ran(_))
        })
        .count();
    assert_eq!(ran, 1, "one run for the day");
    let reports = |v: Vec<(String, String)>| -> Vec<(String, String)> {
        v.into_iter()
            .filter(|(e, _)| e.starts_with("report_"))
            .collect()
    };
    let first = reports(heard(&rep).await);
    assert_eq!(
        first,
        vec![("report_due_soon".into(), "/reports?period=2025-11".into())]
    );
    let v = rep.ok("/api/v1/notifications").await;
    let body = v["items"][0]["body_zh"].as_str().unwrap().to_string();
    assert!(
        body.contains(&format!("尚有{busy_count}个项目未报送2025年11月进度"))
            && body.contains("12月3日"),
        "{body}"
    );

    // The quick unit's clerk reports its one project before the deadline.
    let qp = missing
        .iter()
        .find(|m| m.unit_id == quick)
        .unwrap()
        .project_id;
    let r = quick_rep
        .ok_post(
            "/api/v1/reports",
            json!({ "project_id": qp, "period": "2025-11", "figures": {
                "invest_period": 1_000_000, "invest_ytd": 90_000_000, "invest_since_start": 190_000_000,
                "progress_bp": 5_000, "progress_text": "主体施工", "funds_received": 0, "funds_disbursed": 0,
                "started": true, "started_on": "2024-05-01", "stats_entered": true, "issues": "", "next_steps": "" } }),
        )
        .await;
    quick_rep
        .ok_post(&format!("/api/v1/reports/{}/submit", r["id"]), json!({}))
        .await;

    // The rest of the month, a tick a day (twice on some days: a restart).
    for day in 2..=31 {
        duban_app::routine::tick(&db, at(day, 9)).await.unwrap();
        if day.is_multiple_of(5) {
            duban_app::routine::tick(&db, at(day, 15)).await.unwrap();
        }
    }
    let events = |v: Vec<(String, String)>| v.into_iter().map(|(e, _)| e).collect::<Vec<_>>();
    assert_eq!(
        events(reports(heard(&rep).await)),
        vec!["report_due_soon", "report_due_today", "report_missing"]
    );
    assert_eq!(events(reports(heard(&appr).await)), vec!["report_missing"]);
    // Escalated to the unit above on Monday the 8th (the 6th was a Saturday).
    assert_eq!(
        events(reports(heard(&boss).await)),
        vec!["report_escalated"]
    );
    // Nothing for what is done: the quick clerk heard only the first reminder.
    assert_eq!(
        events(reports(heard(&quick_rep).await)),
        vec!["report_due_soon"]
    );
    // The problem: yellow three days before its deadline, red the working day after,
    // escalated to the unit above on the same Monday.
    let about_it = |v: Vec<(String, String)>| -> Vec<String> {
        v.into_iter()
            .filter(|(_, l)| *l == about)
            .map(|(e, _)| e)
            .collect()
    };
    assert_eq!(
        about_it(heard(&rep).await),
        vec!["problem_due_soon", "problem_overdue"]
    );
    assert_eq!(
        about_it(heard(&appr).await),
        vec!["problem_due_soon", "problem_overdue"]
    );
    assert_eq!(about_it(heard(&boss).await), vec!["problem_escalated"]);
    let runs = duban_store::jobs::recent(&db, 500).await.unwrap();
    assert_eq!(
        runs.iter().filter(|r| r.job == "report_reminders").count(),
        31,
        "one run a day"
    );
    for job in [
        "problem_reminders",
        "approval_reminders",
        "milestone_reminders",
    ] {
        assert_eq!(runs.iter().filter(|r| r.job == job).count(), 31, "{job}");
    }
    // The weekly digest on the five Mondays of December 2025, once each.
    assert_eq!(
        runs.iter().filter(|r| r.job == "dispatch_digest").count(),
        5
    );

    // Each person reads and marks their own.
    let mine = rep.ok("/api/v1/notifications").await;
    let total = mine["total"].as_i64().unwrap();
    assert_eq!(mine["unread"].as_i64(), Some(total));
    let id = mine["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        appr.ok_post(&format!("/api/v1/notifications/{id}/read"), json!({}))
            .await["marked"],
        0
    );
    assert_eq!(
        rep.ok_post(&format!("/api/v1/notifications/{id}/read"), json!({}))
            .await["marked"],
        1
    );
    assert_eq!(
        rep.ok("/api/v1/notifications?unread=true&page_size=100")
            .await["items"]
            .as_array()
            .unwrap()
            .len() as i64,
        total - 1
    );
    rep.ok_post("/api/v1/notifications/read-all", json!({}))
        .await;
    assert_eq!(rep.ok("/api/v1/notifications").await["unread"], 0);
    assert_eq!(
        Client::anonymous(&addr)
            .get("/api/v1/notifications")
            .await
            .0,
        401
    );

    // A returned report: the unit's clerks are told why, with a link to what they sent.
    user(&db, "qappr", &quick_code, &[(Role::Approver, Scope::Own)]).await;
    let qappr = Client::login(&addr, "qappr").await;
    qappr
        .ok_post(
            &format!("/api/v1/reports/{}/return", r["id"]),
            json!({ "reason": "累计投资与台账不符" }),
        )
        .await;
    let told: Value = quick_rep.ok("/api/v1/notifications?unread=true").await;
    let last = &told["items"][0];
    assert_eq!(last["event"], "report_returned");
    assert!(
        last["body_zh"]
            .as_str()
            .unwrap()
            .contains("累计投资与台账不符"),
        "{last}"
    );
    assert_eq!(last["link"], "/reports?period=2025-11&tab=sent");

    // A problem assigned to the busy unit: its people hear of it with the assignment.
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let sup = Client::login(&addr, "sup").await;
    let assigned = sup
        .ok_post(
            "/api/v1/problems",
            json!({ "source": "dispatch", "category": "funding", "description": "E2E资金未到位",
                    "lead_unit_id": busy, "deadline": "2099-01-15" }),
        )
        .await;
    let link = format!("/problems?id={}", assigned["id"]);
    let got = heard(&appr).await;
    assert!(
        got.iter()
            .any(|(e, l)| e == "problem_assigned" && *l == link),
        "{got:?}"
    );
}
