//! One truth: for any scope and month of a generated data set (with a second,
//! independent organisation beside it), every page that shows a figure shows the same
//! figure — on SQLite and on PostgreSQL.
//!
//! - the overview equals the sum of the by-unit breakdown (the parent's own row included);
//! - the bulletin's totals, opening sentence, red and black lists, missing and late
//!   reports and overdue problems equal the cockpit's;
//! - the 催报 list's count equals the missing count everywhere it appears;
//! - each alert count equals the size of the list it opens;
//! - the exports of the 催报 and dispatch lists hold as many rows as their pages;
//! - a scope of "all" never reaches the other organisation;
//! - and all of it under each of the office's definitions.

use duban_testkit as common;

use common::unit_id;
use duban_app::Db;
use duban_app::access::{Caller, ManageUsers, ReadRegistry, Supervise};
use duban_app::{analytics, bulletins, problems, reports, settings};
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_domain::analytics::measure::{
    Definitions, MissingBasis, OverdueBasis, StartBasis, TimeBasis,
};
use duban_domain::analytics::totals::Totals;
use duban_domain::bulletin::{Block, compose, overall};
use duban_domain::ids::UserId;
use proptest::prelude::*;

/// A data set of the Corps with Hinggan League beside it as a second organisation.
async fn data_set(pg: bool, seed: u64) -> Option<Db> {
    let db = common::database(pg, 0).await?;
    let as_of = duban_domain::Period::new(2025, 10).unwrap();
    let params = duban_gen::Params {
        projects: 90,
        seed,
        as_of,
    };
    let sk = duban_gen::skeleton();
    let b = duban_gen::batch(&params, &sk, 1..91);
    duban_app::load::write_batch(&db, &b).await.unwrap();
    let extras = duban_gen::demo::extras(&sk, as_of);
    let mut tx = db.write().await.unwrap();
    duban_store::bulk::units(&mut tx, &extras.units)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    duban_app::load::write_batch(&db, &extras.batch)
        .await
        .unwrap();
    duban_app::load::resync_ids(&db).await.unwrap();
    analytics::rebuild(&db, 2025, &mut |_| {}).await.unwrap();
    // A few projects archived as an office does, through the registry: they leave every
    // count and list at once.
    let editor = Caller::resolve(
        &db,
        duban_app::accounts::console(unit_id(&db, "XJBT").await),
        vec![RoleGrant {
            role: Role::Supervisor,
            scope: Scope::All,
        }],
    )
    .await
    .unwrap();
    let can = editor.can::<duban_app::access::EditRegistry>().unwrap();
    for id in [7, 41, 64] {
        let id = duban_domain::ids::ProjectId::new(id);
        let p = duban_store::projects::get(&db, id).await.unwrap();
        duban_app::registry::archive_project(&db, &can, id, p.version)
            .await
            .unwrap();
    }
    Some(db)
}

#[derive(Debug, Clone)]
enum Who {
    /// Everything of the Corps.
    All,
    /// A division and its regiments.
    Division(&'static str),
    /// Two divisions chosen by name.
    Two(&'static str, &'static str),
}

fn who() -> impl Strategy<Value = Who> {
    prop_oneof![
        Just(Who::All),
        prop::sample::select(vec!["D01", "D02", "D04", "D08"]).prop_map(Who::Division),
        Just(Who::Two("D03", "D05")),
    ]
}

fn definitions() -> impl Strategy<Value = Definitions> {
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(plan, approved, closed, to_date, bar)| {
            let mut d = Definitions::default();
            if plan {
                d.time_progress = TimeBasis::Plan;
            }
            if approved {
                d.missing = MissingBasis::NotApproved;
            }
            if closed {
                d.overdue = OverdueBasis::NotClosed;
            }
            if to_date {
                d.start_rate = StartBasis::ToDate;
            }
            d.lists.against_time_progress = bar;
            d
        })
}

async fn caller(db: &Db, who: &Who) -> Caller {
    let (unit, scope) = match who {
        Who::All => ("XJBT", Scope::All),
        Who::Division(d) => (*d, Scope::Subtree),
        Who::Two(a, b) => (
            "XJBT",
            Scope::Units(vec![unit_id(db, a).await, unit_id(db, b).await]),
        ),
    };
    let u = unit_id(db, unit).await;
    let mut actor = duban_app::accounts::console(u);
    actor.user_id = UserId::new(1);
    Caller::resolve(
        db,
        actor,
        vec![RoleGrant {
            role: Role::Supervisor,
            scope,
        }],
    )
    .await
    .unwrap()
}

fn sum_rows(rows: &[analytics::Row]) -> Totals {
    rows.iter().map(|r| r.figures.totals).sum()
}

async fn check(db: &Db, who: &Who, month: u32, defs: &Definitions) {
    let admin = Caller::resolve(
        db,
        duban_app::accounts::console(unit_id(db, "XJBT").await),
        vec![RoleGrant {
            role: Role::Admin,
            scope: Scope::Global,
        }],
    )
    .await
    .unwrap();
    let mut s = settings::get(db).await.unwrap();
    s.definitions = defs.clone();
    settings::put(db, &admin.can::<ManageUsers>().unwrap(), &s, false)
        .await
        .unwrap();

    let c = caller(db, who).await;
    let read = c.can::<ReadRegistry>().unwrap();
    let sup = c.can::<Supervise>().unwrap();
    let period = format!("2025-{month:02}");
    let ctx = format!("{who:?} {period} {defs:?}");
    let p = Some(period.as_str());

    // The overview is the sum of the breakdown.
    let ov = analytics::overview(db, &read, p, None).await.unwrap();
    let rows = analytics::breakdown(db, &read, p, duban_domain::analytics::Dimension::Unit, None)
        .await
        .unwrap();
    assert_eq!(ov.figures.totals, sum_rows(&rows), "overview ≠ rows: {ctx}");
    let open: i64 = rows.iter().map(|r| r.problems_open.unwrap_or(0)).sum();
    let overdue: i64 = rows.iter().map(|r| r.problems_overdue.unwrap_or(0)).sum();
    assert_eq!(
        (open, overdue),
        (ov.problems_open, ov.problems_overdue),
        "{ctx}"
    );
    for r in &rows {
        assert_eq!(
            r.figures
                .text
                .get(&duban_domain::analytics::measure::Measure::Completion),
            r.figures
                .completion_bp
                .map(duban_domain::analytics::progress::pct1)
                .as_ref(),
            "{ctx}"
        );
    }

    // The scope never reaches the other organisation.
    let xam = unit_id(db, "XAM").await;
    let tree = c.tree();
    assert!(
        rows.iter()
            .all(|r| !tree.is_within(r.key.parse().unwrap(), xam)),
        "{ctx}"
    );
    if matches!(who, Who::All) {
        let corps: i64 = db
            .scalar(
                &format!(
                    "SELECT COUNT(*) AS v FROM project_years WHERE year = 2025 AND unit_id IN ({})",
                    tree.subtree(unit_id(db, "XJBT").await)
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                &[],
            )
            .await
            .unwrap();
        assert_eq!(
            ov.figures.totals.projects, corps,
            "all of the Corps, nothing of Hinggan"
        );
    }

    // The bulletin of the same scope and month says the same (a scope of two chosen
    // divisions has no one unit to issue it for).
    let unit = sup.issuing_unit(None);
    if sup.reach().covers(unit) {
        bulletin_agrees(db, &sup, &read, &ov, &rows, &period, unit, &ctx).await;
    }

    // The 催报 list, the dispatch alert and list, and the export: the same count.
    let chase = reports::missing(db, &read, &period, None, 3).await.unwrap();
    let chased: usize = chase.iter().map(|g| g.count).sum();
    assert_eq!(chased as i64, ov.figures.reports_missing, "{ctx}");
    // Each unit's count (from the totals) is what its pages list, each project once;
    // the first rows listed with the counts are the first page's.
    for g in &chase {
        assert!(
            g.count > 0,
            "a unit with nothing missing is not listed: {ctx}"
        );
        let (mut seen, mut page) = (Vec::new(), 1);
        loop {
            let (total, items) = reports::missing_page(db, &read, &period, g.unit_id, page, 40)
                .await
                .unwrap();
            assert_eq!(total as usize, g.count, "unit {}: {ctx}", g.unit_id);
            if items.is_empty() {
                break;
            }
            if page == 1 {
                let first: Vec<_> = items.iter().take(3).map(|m| m.project_id).collect();
                let listed: Vec<_> = g.projects.iter().map(|m| m.project_id).collect();
                assert_eq!(first, listed, "unit {}: {ctx}", g.unit_id);
            }
            seen.extend(items);
            page += 1;
        }
        assert_eq!(seen.len(), g.count, "unit {}: {ctx}", g.unit_id);
        assert!(seen.iter().all(|m| m.unit_id == g.unit_id), "{ctx}");
        let distinct: std::collections::BTreeSet<_> = seen.iter().map(|m| m.project_id).collect();
        assert_eq!(distinct.len(), g.count, "repeated across pages: {ctx}");
    }
    let d = analytics::dispatch_list(db, &read, p, None, None, 0, 100_000)
        .await
        .unwrap();
    assert_eq!(
        d.counts["report_missing"], ov.figures.reports_missing,
        "{ctx}"
    );
    assert_eq!(d.counts["light"], ov.figures.lit, "{ctx}");
    assert_eq!(d.counts["not_started"], ov.figures.not_started, "{ctx}");
    assert_eq!(
        d.counts["milestone_overdue"], ov.figures.totals.milestones_overdue,
        "{ctx}"
    );
    assert_eq!(d.total, d.items.len() as i64, "{ctx}");
    for (code, n) in &d.counts {
        let only = analytics::dispatch_list(db, &read, p, None, Some(code), 0, 100_000)
            .await
            .unwrap();
        assert_eq!(only.total, *n, "alert {code}: {ctx}");
        assert_eq!(only.items.len() as i64, *n, "alert {code}: {ctx}");
        assert!(
            only.items
                .iter()
                .all(|i| i.reasons.iter().any(|r| r.code == *code)),
            "{code}: {ctx}"
        );
        let listed = d
            .items
            .iter()
            .filter(|i| i.reasons.iter().any(|r| r.code == *code))
            .count() as i64;
        assert_eq!(listed, *n, "{code} in the whole list: {ctx}");
    }
    let led = problems::list(
        db,
        &read,
        &problems::ProblemQuery {
            deadline: Some("overdue".into()),
            led: Some(true),
            page_size: Some(1),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(led.total, ov.problems_overdue, "overdue problems: {ctx}");

    let export = duban_app::export::lists::missing(db, &read, &period, None, false)
        .await
        .unwrap();
    assert_eq!(export.rows.len(), chased, "{ctx}");
    let export = duban_app::export::lists::dispatch(db, &read, p, None, None, false)
        .await
        .unwrap();
    assert_eq!(export.rows.len() as i64, d.total, "{ctx}");
}

#[allow(clippy::too_many_arguments)]
async fn bulletin_agrees(
    db: &Db,
    sup: &duban_app::access::Can<Supervise>,
    read: &duban_app::access::Can<ReadRegistry>,
    ov: &analytics::Overview,
    rows: &[analytics::Row],
    period: &str,
    unit: i64,
    ctx: &str,
) {
    let p = Some(period);
    let tree = sup.caller().tree();

    let snap = bulletins::snapshot(
        db,
        sup,
        duban_domain::Period::parse("p", period).unwrap(),
        unit,
        duban_store::now_ms(),
    )
    .await
    .unwrap();
    let whole = overall(&snap);
    assert_eq!(whole.totals, ov.figures.totals, "bulletin ≠ cockpit: {ctx}");
    assert_eq!(
        whole.text,
        {
            let mut t = ov.figures.text.clone();
            t.remove(&duban_domain::analytics::measure::Measure::ProblemsOpen);
            t.remove(&duban_domain::analytics::measure::Measure::ProblemsOverdue);
            t.remove(&duban_domain::analytics::measure::Measure::Yoy);
            t
        },
        "{ctx}"
    );
    let doc = compose(&snap);
    let opening = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Paragraph { text } if text.starts_with("2025年安排重点项目") => {
                Some(text.clone())
            }
            _ => None,
        })
        .unwrap();
    assert!(
        opening.starts_with(&format!(
            "2025年安排重点项目{}项",
            ov.figures.totals.projects
        )),
        "{opening} / {ctx}"
    );
    if let (Some(c), Some(g)) = (
        ov.figures
            .text
            .get(&duban_domain::analytics::measure::Measure::Completion),
        &ov.figures.gap_zh,
    ) {
        assert!(
            opening.contains(&format!("占年度计划{c}，{g}")),
            "{opening} / {ctx}"
        );
    }
    if ov.figures.start_planned > 0 {
        assert!(
            opening.contains(&format!(
                "开工率{}",
                ov.figures.text[&duban_domain::analytics::measure::Measure::StartRate]
            )),
            "{opening} / {ctx}"
        );
    }
    let missing: i64 = snap.reporting.iter().map(|r| r.missing).sum();
    let late: i64 = snap.reporting.iter().map(|r| r.late).sum();
    assert_eq!(
        (missing, late),
        (ov.figures.reports_missing, ov.figures.reports_late),
        "{ctx}"
    );
    assert_eq!(
        snap.overdue_problems.len() as i64,
        ov.problems_overdue,
        "{ctx}"
    );

    // The red and black lists: the cockpit's are the bulletin's when both rank the units
    // under the same unit.
    let ranked = analytics::rankings(db, read, p, None, None).await.unwrap();
    let under_issuer = rows
        .iter()
        .filter(|r| !r.own)
        .all(|r| tree.parent(r.key.parse().unwrap()) == Some(unit));
    if under_issuer {
        let names: std::collections::HashMap<i64, String> =
            snap.units.iter().map(|u| (u.id, u.name.clone())).collect();
        for l in &ranked.lists {
            let say = |v: &[duban_domain::analytics::rank::Ranked]| {
                if v.is_empty() {
                    "无".to_string()
                } else {
                    v.iter()
                        .map(|r| names[&r.unit_id].clone())
                        .collect::<Vec<_>>()
                        .join("、")
                }
            };
            let line = format!(
                "{}：红榜 {}；黑榜 {}。",
                l.series,
                say(&l.red),
                say(&l.black)
            );
            assert!(
                doc.blocks
                    .iter()
                    .any(|b| matches!(b, Block::Paragraph { text } if *text == line)),
                "{line} not in the bulletin: {ctx}"
            );
        }
    }
}

fn one_truth(pg: bool, seeds: &[u64], cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    for &seed in seeds {
        let Some(db) = rt.block_on(data_set(pg, seed)) else {
            return;
        };
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases,
            ..ProptestConfig::default()
        });
        runner
            .run(&(who(), 1u32..=10, definitions()), |(w, m, d)| {
                rt.block_on(check(&db, &w, m, &d));
                Ok(())
            })
            .unwrap();
    }
}

#[test]
fn every_page_tells_the_same_story_on_sqlite() {
    one_truth(false, &[3, 11], 16);
}

#[test]
fn every_page_tells_the_same_story_on_postgres() {
    one_truth(true, &[5], 8);
}
