//! The analytics over HTTP and against a full recomputation, on SQLite and PostgreSQL:
//! a worked example with hand-computed figures (the bulletin's sentence included), the
//! caller's scope on every figure, and the incremental read model equal to a rebuild
//! after any sequence of submissions, approvals, returns, corrections and plan changes.

use duban_testkit as common;

use common::{Client, spawn_app, unit_id, user};
use duban_app::Db;
use duban_app::access::{ApproveReports, Caller, DraftReports, EditRegistry};
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_domain::ids::ProjectId;
use proptest::prelude::*;
use serde_json::{Value, json};

duban_testkit::on_both!(60, worked_example_over_http);

fn even_plan(annual_wan: i64, start: Option<u32>) -> Value {
    let monthly: Vec<String> = (1..=12)
        .map(|m| (annual_wan * m / 12).to_string())
        .collect();
    json!({ "planned_wan": annual_wan.to_string(), "monthly_wan": monthly, "planned_start_month": start })
}

async fn worked_example_over_http(db: Db) {
    user(&db, "admin1", "XJBT", &[(Role::Admin, Scope::All)]).await;
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let d01 = unit_id(&db, "D01").await;
    let addr = spawn_app(db.clone()).await;
    let admin = Client::login(&addr, "admin1").await;
    let sup = Client::login(&addr, "sup").await;
    // A unit U with two sub-units of the same series, holding only this example.
    let u = admin.ok_post("/api/v1/units", json!({ "parent_id": d01, "code": "EX-U", "name": "示例团场", "kind": "团场", "series": "团场" })).await["id"].as_i64().unwrap();
    let u1 = admin.ok_post("/api/v1/units", json!({ "parent_id": u, "code": "EX-U1", "name": "一连", "kind": "连队", "series": "连队" })).await["id"].as_i64().unwrap();
    let u2 = admin.ok_post("/api/v1/units", json!({ "parent_id": u, "code": "EX-U2", "name": "二连", "kind": "连队", "series": "连队" })).await["id"].as_i64().unwrap();
    user(
        &db,
        "rep1",
        "EX-U1",
        &[(Role::Reporter, Scope::Own), (Role::Approver, Scope::Own)],
    )
    .await;
    user(
        &db,
        "rep2",
        "EX-U2",
        &[(Role::Reporter, Scope::Own), (Role::Approver, Scope::Own)],
    )
    .await;
    let project = |code: &str, unit: i64, nature: &str, total: &str| {
        json!({
        "code": code, "name": format!("示例项目{code}"), "unit_id": unit, "category": "产业", "nature": nature, "level": "市级",
        "status": "在建", "start_year": 2025, "end_year": 2026, "total_investment_wan": total,
        "funding": if code == "EX-P1" { json!([["专项债", "1000"], ["自筹", "2000"]]) } else { json!([["自筹", "6000"]]) } })
    };
    let p1 = sup
        .ok_post("/api/v1/projects", project("EX-P1", u1, "新建", "3000"))
        .await["id"]
        .as_i64()
        .unwrap();
    let p2 = sup
        .ok_post("/api/v1/projects", project("EX-P2", u2, "续建", "6000"))
        .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        sup.put(
            &format!("/api/v1/projects/{p1}/plans/2025"),
            even_plan(1200, Some(3))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        sup.put(
            &format!("/api/v1/projects/{p2}/plans/2025"),
            even_plan(2400, None)
        )
        .await
        .0,
        200
    );
    // Planned but nothing reported: both are far behind in October.
    let o = sup
        .ok(&format!("/api/v1/stats/overview?as_of=2025-10&unit={u}"))
        .await;
    assert_eq!(
        (
            o["projects"].as_i64(),
            o["actual_ytd"].as_i64(),
            o["red"].is_null()
        ),
        (Some(2), Some(0), true)
    );
    assert_eq!(o["lights"], json!([0, 0, 0, 2]));

    let report = |ytd_wan: i64, bp: i64, started_on: &str, paid_wan: i64| {
        json!({
        "invest_period": 1_000_000, "invest_ytd": ytd_wan * 10_000, "invest_since_start": ytd_wan * 10_000, "progress_bp": bp,
        "funds_received": paid_wan * 10_000, "funds_disbursed": paid_wan * 10_000, "started": true, "started_on": started_on, "stats_entered": true })
    };
    for (who, p, fig) in [
        ("rep1", p1, report(900, 7000, "2025-03-05", 2000)),
        ("rep2", p2, report(1000, 1700, "2024-04-01", 1000)),
    ] {
        let c = Client::login(&addr, who).await;
        let r = c
            .ok_post(
                "/api/v1/reports",
                json!({ "project_id": p, "period": "2025-10", "figures": fig }),
            )
            .await;
        c.ok_post(&format!("/api/v1/reports/{}/submit", r["id"]), json!({}))
            .await;
        c.ok_post(&format!("/api/v1/reports/{}/approve", r["id"]), json!({}))
            .await;
    }

    // By hand: plan 1200 + 2400 = 3600万; to date 1000 + 2000 = 3000万; done 900 + 1000 = 1900万.
    // Completion 1900/3600 = 52.78%; time progress 10/12 = 83.33% (by the calendar, the
    // default; the even plans say the same); gap 52.777… − 83.333… = −30.556 points.
    // Start rate: P1 (new, planned for March) started: 1/1.
    // Lights: P1 75.0% of 83.3% due (8.3 behind) green; P2 41.7% of 83.3% (41.7 behind) red.
    let o = sup
        .ok(&format!("/api/v1/stats/overview?as_of=2025-10&unit={u}"))
        .await;
    assert_eq!(o["projects"], 2);
    assert_eq!(
        (
            o["annual_plan"].as_i64(),
            o["plan_to_date"].as_i64(),
            o["actual_ytd"].as_i64()
        ),
        (Some(36_000_000), Some(30_000_000), Some(19_000_000))
    );
    assert_eq!(
        (
            o["completion_bp"].as_i64(),
            o["time_progress_bp"].as_i64(),
            o["gap_bp"].as_i64()
        ),
        (Some(5278), Some(8333), Some(-3056))
    );
    assert_eq!(o["time_basis"], "calendar");
    assert_eq!(
        (o["text"]["completion"].as_str(), o["text"]["gap"].as_str()),
        (Some("52.8%"), Some("-30.6"))
    );
    assert_eq!(o["gap_zh"], "落后时间进度30.6个百分点");
    assert_eq!(
        (o["start_rate_bp"].as_i64(), o["due_to_start"].as_i64()),
        (Some(10_000), Some(1))
    );
    assert_eq!(o["lights"], json!([1, 0, 0, 1]));
    assert_eq!(o["reported"], 2);

    // By unit: U's two sub-units, ranked by completion.
    let b = sup
        .ok(&format!(
            "/api/v1/stats/breakdown?as_of=2025-10&by=unit&unit={u}"
        ))
        .await;
    let rows: Vec<(String, i64)> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["completion_bp"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, vec![(u1.to_string(), 7500), (u2.to_string(), 4167)]);
    let r = sup
        .ok(&format!(
            "/api/v1/stats/rankings?as_of=2025-10&measure=completion&unit={u}"
        ))
        .await;
    let ranks: Vec<(i64, i64)> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["unit_id"].as_i64().unwrap(), x["rank"].as_i64().unwrap()))
        .collect();
    assert_eq!(ranks, vec![(u1, 1), (u2, 2)]);
    // Both are behind time progress: no red list (it needs at least time progress), and
    // both on the black list, the worst first (Mianyang's rule: black = bottom 4 behind).
    let ids = |v: &Value| -> Vec<i64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x["unit_id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        (ids(&r["lists"][0]["red"]), ids(&r["lists"][0]["black"])),
        (vec![], vec![u2, u1])
    );
    // The curve: October's cumulative plan and actual.
    let c = sup
        .ok(&format!("/api/v1/stats/curve?year=2025&unit={u}"))
        .await;
    let oct = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["month"] == 10)
        .unwrap();
    assert_eq!(
        (oct["plan_to_date"].as_i64(), oct["actual_ytd"].as_i64()),
        (Some(30_000_000), Some(19_000_000))
    );
    // By category: both are 产业.
    let cat = sup
        .ok(&format!(
            "/api/v1/stats/breakdown?as_of=2025-10&by=category&unit={u}"
        ))
        .await;
    assert_eq!(
        (cat["total"].as_i64(), cat["items"][0]["key"].as_str()),
        (Some(1), Some("industry"))
    );

    // By funding source: a project counts under each of its sources.
    let f = sup
        .ok(&format!(
            "/api/v1/stats/breakdown?as_of=2025-10&by=funding&unit={u}"
        ))
        .await;
    let by_source: Vec<(String, i64)> = f["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_string(),
                r["projects"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_source,
        vec![
            ("self_raised".to_string(), 2),
            ("special_bond".to_string(), 1)
        ]
    );
    let (s, e) = sup.get("/api/v1/stats/breakdown?by=county").await;
    assert_eq!((s, common::fields(&e)), (400, vec!["by"]));
    let (s, e) = sup.get("/api/v1/stats/overview?as_of=2025-13").await;
    assert_eq!((s, common::fields(&e)), (400, vec!["as_of"]));
    // Problems by unit: one open problem led by U2 (the count follows at once).
    let soon = (chrono::Utc::now().date_naive() + chrono::Days::new(10)).to_string();
    sup.ok_post("/api/v1/problems", json!({ "source": "dispatch", "category": "land", "description": "用地未落实", "project_id": p2, "lead_unit_id": u2, "deadline": soon })).await;
    let b = sup
        .ok(&format!(
            "/api/v1/stats/breakdown?as_of=2025-10&by=unit&unit={u}"
        ))
        .await;
    let probs: Vec<(i64, i64)> = b["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["problems_open"].as_i64().unwrap(),
                r["problems_overdue"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(probs, vec![(0, 0), (1, 0)]);
    let o = sup
        .ok(&format!("/api/v1/stats/overview?as_of=2025-10&unit={u}"))
        .await;
    assert_eq!(
        (o["problems_open"].as_i64(), o["problems_overdue"].as_i64()),
        (Some(1), Some(0))
    );

    // Why: P2's red, with the rule and its inputs.
    let w = sup
        .ok(&format!("/api/v1/stats/why/{p2}?as_of=2025-10"))
        .await;
    assert_eq!(w["light"], "red");
    assert_eq!(w["reasons"][0]["rule"], "progress");
    assert_eq!(w["reasons"][0]["facts"][0], json!(["completion_bp", 4167]));
    assert!(
        !w["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["code"] == "report_missing")
    );
    assert!(w["forecast"]["year_end"].as_i64().unwrap() < 24_000_000);
    // The curve of the project page: cumulative plan and actual of each month.
    let (plan, actual) = (
        w["plan"].as_array().unwrap(),
        w["actual"].as_array().unwrap(),
    );
    assert_eq!((plan.len(), actual.len()), (12, 12));
    let (a, p) = (actual[9].as_i64().unwrap(), plan[11].as_i64().unwrap());
    assert_eq!(
        w["completion_bp"].as_i64().unwrap(),
        (a * 10_000 + p / 2) / p
    );
    // The dispatch list names P2 with its reason, and not P1.
    let d = sup
        .ok(&format!("/api/v1/stats/dispatch?as_of=2025-10&unit={u}"))
        .await;
    let listed: Vec<i64> = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["project_id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![p2]);
    assert_eq!(d["items"][0]["reasons"][0]["code"], "light");
    assert_eq!(
        (
            d["total"].as_i64(),
            d["counts"]["problems_overdue"].as_i64()
        ),
        (Some(1), Some(0))
    );
    // The list's counts follow the writes at once (they are kept at the read model's
    // change count): P1's plan for the year raised tenfold puts it behind, and on the list.
    let plan = sup.ok(&format!("/api/v1/projects/{p1}/plans/2025")).await;
    let replan = |wan: i64, version: &Value| {
        let mut b = even_plan(wan, Some(3));
        b["version"] = version.clone();
        b
    };
    let (s, e) = sup
        .put(
            &format!("/api/v1/projects/{p1}/plans/2025"),
            replan(12_000, &plan["version"]),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let d = sup
        .ok(&format!("/api/v1/stats/dispatch?as_of=2025-10&unit={u}"))
        .await;
    assert_eq!(
        (d["total"].as_i64(), d["counts"]["light"].as_i64()),
        (Some(2), Some(2)),
        "{d}"
    );
    let (s, e) = sup
        .put(
            &format!("/api/v1/projects/{p1}/plans/2025"),
            replan(1200, &e["version"]),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    let d = sup
        .ok(&format!("/api/v1/stats/dispatch?as_of=2025-10&unit={u}"))
        .await;
    assert_eq!(d["total"].as_i64(), Some(1), "{d}");

    // Warnings of the projects in scope, each with its facts: a November report of P1
    // whose cumulative investment is below October's.
    let rep1 = Client::login(&addr, "rep1").await;
    let nov = rep1.ok_post("/api/v1/reports", json!({ "project_id": p1, "period": "2025-11", "figures": report(850, 7100, "2025-03-05", 2000) })).await;
    let sub = rep1
        .ok_post(&format!("/api/v1/reports/{}/submit", nov["id"]), json!({}))
        .await;
    assert_eq!(
        sub["warnings"][0]["code"], "cumulative_decreased",
        "shown on submit, not blocking"
    );
    rep1.ok_post(&format!("/api/v1/reports/{}/approve", nov["id"]), json!({}))
        .await;
    let w = sup
        .ok(&format!("/api/v1/stats/warnings?as_of=2025-11&unit={u}"))
        .await;
    let p1w: Vec<&Value> = w["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["project_id"] == p1)
        .flat_map(|i| i["warnings"].as_array().unwrap().iter())
        .collect();
    assert_eq!(p1w[0]["code"], "cumulative_decreased");
    assert_eq!(
        p1w[0]["facts"],
        json!([["before", "900.00"], ["after", "850.00"]])
    );

    // Scope: rep1 (unit U1) sees only U1's figures, asking for U or for everything.
    for path in [
        format!("/api/v1/stats/overview?as_of=2025-10&unit={u}"),
        "/api/v1/stats/overview?as_of=2025-10".to_string(),
    ] {
        let o = rep1.ok(&path).await;
        assert_eq!(
            (o["projects"].as_i64(), o["actual_ytd"].as_i64()),
            (Some(1), Some(9_000_000)),
            "{path}"
        );
    }
    assert_eq!(
        rep1.get(&format!("/api/v1/stats/why/{p2}?as_of=2025-10"))
            .await
            .0,
        404
    );
    assert!(
        rep1.ok("/api/v1/stats/dispatch?as_of=2025-10").await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A different rule set is configuration: with calendar-based progress and wide
    // bands, P2 is yellow, and the figures follow at once.
    let rules = json!({ "name": "宽松", "progress": { "basis": "calendar", "yellow_behind_bp": 1000, "red_behind_bp": 5000 }, "escalate_after_yellows": 0 });
    // The preview tells, before saving, what the lights will be: today's under the rules
    // in force, and after the change exactly what the cockpit then shows.
    let preview = admin
        .ok_post("/api/v1/settings/light-rules/preview", rules.clone())
        .await;
    let month = preview["as_of"].as_str().unwrap().to_string();
    let all_lights = |v: Value| v["lights"].clone();
    assert_eq!(
        preview["current"],
        all_lights(
            sup.ok(&format!("/api/v1/stats/overview?as_of={month}"))
                .await
        )
    );
    let moved: i64 = (0..4)
        .map(|i| preview["moves"][i][i].as_i64().unwrap())
        .sum();
    let total: i64 = (0..4)
        .map(|i| preview["current"][i].as_i64().unwrap())
        .sum();
    assert!(
        moved < total,
        "the wider bands change some light: {preview}"
    );
    assert_eq!(
        admin.put("/api/v1/settings/light-rules", rules).await.0,
        200
    );
    assert_eq!(
        preview["proposed"],
        all_lights(
            sup.ok(&format!("/api/v1/stats/overview?as_of={month}"))
                .await
        )
    );
    let o = sup
        .ok(&format!("/api/v1/stats/overview?as_of=2025-10&unit={u}"))
        .await;
    assert_eq!(o["lights"], json!([1, 1, 0, 0]));
    let (s, e) = admin
        .put(
            "/api/v1/settings/light-rules",
            json!({ "progress": { "yellow_behind_bp": 5000, "red_behind_bp": 100 } }),
        )
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["progress"]));
    let (s, e) = admin
        .post(
            "/api/v1/settings/light-rules/preview",
            json!({ "progress": { "yellow_behind_bp": 5000, "red_behind_bp": 100 } }),
        )
        .await;
    assert_eq!((s, common::fields(&e)), (400, vec!["progress"]));
    assert_eq!(
        sup.post("/api/v1/settings/light-rules/preview", json!({}))
            .await
            .0,
        403
    );
}

/// What a random step does.
#[derive(Debug, Clone)]
enum Op {
    /// Report a month (created, submitted and approved), or correct it when approved.
    Approve {
        project: usize,
        month: u32,
        ytd_wan: i64,
        started: bool,
    },
    /// Report a month and return it (nothing approved changes).
    Return { project: usize, month: u32 },
    /// Change a project's plan.
    Plan { project: usize, annual_wan: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        // A fifth of the reported figures are zero so that unstarted months occur.
        4 => (0usize..6, 9u32..13, prop_oneof![1 => Just(0i64), 4 => 1i64..3000], any::<bool>()).prop_map(|(project, month, ytd_wan, started)| Op::Approve { project, month, ytd_wan, started }),
        1 => (0usize..6, 11u32..13).prop_map(|(project, month)| Op::Return { project, month }),
        1 => (0usize..6, 100i64..5000).prop_map(|(project, annual_wan)| Op::Plan { project, annual_wan }),
    ]
}

async fn apply(db: &Db, caller: &Caller, projects: &[ProjectId], op: &Op) {
    use duban_app::{registry, reports};
    let draft = caller.can::<DraftReports>().unwrap();
    let approve = caller.can::<ApproveReports>().unwrap();
    match op {
        Op::Approve { project, month, .. } | Op::Return { project, month } => {
            let (ytd_wan, started) = match op {
                Op::Approve {
                    ytd_wan, started, ..
                } => (*ytd_wan, *started),
                _ => (10, true),
            };
            let pid = projects[*project];
            let period = format!("2025-{month:02}");
            // A project that has not started has invested nothing (the report's own rule).
            let started = started || ytd_wan > 0;
            let figures = duban_domain::report::ReportFigures {
                invest_period: duban_domain::Yuan::from_wan(ytd_wan.min(10)),
                invest_ytd: duban_domain::Yuan::from_wan(ytd_wan),
                invest_since_start: duban_domain::Yuan::from_wan(if started {
                    ytd_wan + 5000
                } else {
                    0
                }),
                progress_bp: if started { 5000 } else { 0 },
                started,
                started_on: started.then(|| chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()),
                stats_entered: true,
                ..Default::default()
            };
            let latest = duban_store::reports::latest(
                db,
                pid,
                duban_domain::Period::parse("p", &period).unwrap(),
            )
            .await
            .unwrap();
            let id = match latest {
                None => {
                    reports::create(
                        db,
                        &draft,
                        &reports::NewReportInput {
                            project_id: pid,
                            period: period.clone(),
                            figures: figures.clone(),
                        },
                    )
                    .await
                    .unwrap()
                    .report
                    .id
                }
                Some(r) if r.state == duban_domain::report::ReportState::Approved => {
                    reports::correct(db, &draft, r.id, &Default::default())
                        .await
                        .unwrap()
                        .report
                        .id
                }
                Some(r) => r.id,
            };
            let r = duban_store::reports::get(db, id).await.unwrap();
            if r.state == duban_domain::report::ReportState::Submitted {
                reports::decide(db, &approve, id, Some("重报"))
                    .await
                    .unwrap();
            }
            reports::edit(db, &draft, id, &figures).await.unwrap();
            reports::submit(db, &draft, id).await.unwrap();
            let reason = matches!(op, Op::Return { .. }).then_some("退回");
            reports::decide(db, &approve, id, reason).await.unwrap();
        }
        Op::Plan {
            project,
            annual_wan,
        } => {
            let pid = projects[*project];
            let supervise = caller.can::<EditRegistry>().unwrap();
            let version = duban_store::plans::version(db, pid, 2025).await.unwrap();
            let monthly: Vec<String> = (1..=12)
                .map(|m| (annual_wan * m / 12).to_string())
                .collect();
            let input = registry::PlanInput {
                planned_wan: annual_wan.to_string(),
                monthly_wan: Some(monthly),
                planned_start_month: Some(4),
                milestones: vec![],
                version,
            };
            registry::put_plan(db, &supervise, pid, 2025, &input)
                .await
                .unwrap();
        }
    }
}

/// The read model as it stands: every non-zero total and every project-year.
async fn model(
    db: &Db,
) -> (
    Vec<(
        String,
        String,
        i64,
        u32,
        duban_domain::analytics::totals::Totals,
    )>,
    Vec<String>,
) {
    let totals = duban_store::analytics::all_totals(db, 2025)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.4 != duban_domain::analytics::totals::Totals::ZERO)
        .collect();
    let years = db
        .fetch_all("SELECT project_id, lights, reported, started, due, a10, a12, p12 FROM project_years WHERE year = 2025 ORDER BY project_id", &[], |r| {
            Ok(format!("{} {} {} {} {} {} {} {}", r.i64("project_id")?, r.str("lights")?, r.i64("reported")?, r.i64("started")?, r.i64("due")?, r.i64("a10")?, r.i64("a12")?, r.i64("p12")?))
        })
        .await
        .unwrap();
    (totals, years)
}

fn incremental_equals_rebuild(pg: bool) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = rt.block_on(common::database(pg, 30)) else {
        return;
    };
    let (caller, projects) = rt.block_on(async {
        let root = unit_id(&db, "XJBT").await;
        let grants = [Role::Supervisor, Role::Reporter, Role::Approver]
            .map(|role| RoleGrant {
                role,
                scope: Scope::All,
            })
            .to_vec();
        let caller = Caller::resolve(&db, duban_app::accounts::console(root), grants)
            .await
            .unwrap();
        let projects: Vec<ProjectId> = db
            .fetch_all(
                "SELECT id AS v FROM projects ORDER BY id LIMIT 6",
                &[],
                |r| duban_store::db::id(r, "v"),
            )
            .await
            .unwrap();
        (caller, projects)
    });
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: if pg { 6 } else { 12 },
        ..ProptestConfig::default()
    });
    runner
        .run(&proptest::collection::vec(op(), 1..10), |ops| {
            rt.block_on(async {
                for o in &ops {
                    apply(&db, &caller, &projects, o).await;
                }
                let incremental = model(&db).await;
                duban_app::analytics::rebuild(&db, 2025, &mut |_| {})
                    .await
                    .unwrap();
                let full = model(&db).await;
                assert_eq!(incremental, full, "after {ops:?}");
            });
            Ok(())
        })
        .unwrap();
}

#[test]
fn incremental_equals_rebuild_on_sqlite() {
    incremental_equals_rebuild(false);
}

#[test]
fn incremental_equals_rebuild_on_postgres() {
    incremental_equals_rebuild(true);
}
