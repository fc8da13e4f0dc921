//! The storage conformance suite: every case runs on SQLite and on PostgreSQL.
//! PostgreSQL is reached through DUBAN_TEST_PG_URL (set by scripts/with-postgres.sh,
//! which `make test` uses); each case gets a database of its own.

use chrono::NaiveDate;
use duban_domain::access::{Reach, RoleGrant, Scope};
use duban_domain::ids::{ProblemId, ProjectId, ReportId, UserId};
use duban_domain::plan::{AnnualPlan, Milestone, SeasonalProfile};
use duban_domain::problem::{Problem, ProblemState};
use duban_domain::project::{NewProject, Project, ProjectInput};
use duban_domain::report::{Report, ReportFigures, ReportState};
use duban_domain::unit::{NewUnit, Unit, UnitInput};
use duban_domain::*;
use duban_store::projects::{ProjectFilter, SortKey};
use duban_store::reports::TransitionStamp;
use duban_store::users::NewUser;
use duban_store::*;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

async fn sqlite() -> Db {
    let path = std::env::temp_dir().join(format!("{}.sqlite", unique("duban_conf")));
    let db = Db::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    schema::migrate(&db).await.unwrap();
    db
}

async fn postgres() -> Option<Db> {
    let Ok(url) = std::env::var("DUBAN_TEST_PG_URL") else {
        assert!(
            std::env::var("DUBAN_REQUIRE_PG").is_err(),
            "DUBAN_REQUIRE_PG is set but DUBAN_TEST_PG_URL is not"
        );
        eprintln!("skipping PostgreSQL: DUBAN_TEST_PG_URL is not set (make test sets it)");
        return None;
    };
    let admin = Db::connect(&url).await.unwrap();
    let name = unique("duban_conf");
    admin
        .execute(&format!("CREATE DATABASE {name}"), &[])
        .await
        .unwrap();
    admin.close().await;
    let base = url.rsplit_once('/').unwrap().0;
    let db = Db::connect(&format!("{base}/{name}")).await.unwrap();
    schema::migrate(&db).await.unwrap();
    Some(db)
}

/// Declare a case and run it on both engines.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod on_sqlite { $( #[tokio::test] async fn $name() { super::$name(super::sqlite().await).await } )+ }
        mod on_postgres { $( #[tokio::test] async fn $name() { if let Some(db) = super::postgres().await { super::$name(db).await } } )+ }
    };
}

conformance!(
    migrations_are_idempotent,
    unit_tree_and_moves,
    projects_round_trip_and_concurrency,
    project_list_filters_sorts_pages,
    plans_round_trip,
    report_revisions_and_states,
    problems_and_their_trail,
    users_and_settings,
    bulk_load_then_normal_inserts,
    foreign_keys_are_enforced,
    a_month_of_the_read_model_is_what_the_year_gives,
    deferred_indexes_come_back,
    a_burst_of_writers_does_not_starve_the_one_writing,
    parameters_are_taken_by_number,
    totals_move_into_key_order_intact,
    projects_are_found_by_code_by_lookup_or_by_one_pass,
    a_long_append_is_one_chain,
);

async fn unit(db: &Db, parent: Option<i64>, code: &str, name: &str, kind: &str) -> i64 {
    let u = NewUnit::parse(&UnitInput {
        parent_id: parent,
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        series: None,
        version: None,
    })
    .unwrap();
    let mut tx = db.write().await.unwrap();
    let id = units::insert(&mut tx, &u, 0).await.unwrap();
    tx.commit().await.unwrap();
    id
}

fn project_input(
    code: &str,
    name: &str,
    unit_id: i64,
    total_wan: &str,
    status: &str,
) -> NewProject {
    NewProject::parse(&ProjectInput {
        code: code.into(),
        name: name.into(),
        unit_id: Some(unit_id),
        category: "产业".into(),
        nature: "新建".into(),
        level: "省级".into(),
        status: status.into(),
        start_year: Some(2025),
        end_year: Some(2026),
        total_investment_wan: total_wan.into(),
        funding: vec![
            ("自筹".into(), "100".into()),
            ("专项债".into(), "50.5".into()),
        ],
        leader: Some("王科".into()),
        ..Default::default()
    })
    .unwrap()
}

async fn project(db: &Db, p: &NewProject) -> ProjectId {
    let mut tx = db.write().await.unwrap();
    let id = projects::insert(&mut tx, p).await.unwrap();
    tx.commit().await.unwrap();
    id
}

async fn migrations_are_idempotent(db: Db) {
    assert_eq!(
        schema::current_version(&db).await.unwrap(),
        schema::latest_version()
    );
    assert!(schema::migrate(&db).await.unwrap().is_empty());
    assert_eq!(
        schema::current_version(&db).await.unwrap(),
        schema::latest_version()
    );
    // Migrating left the planner statistics behind (SQLite keeps none until ANALYZE).
    if db.backend() == duban_store::Backend::Sqlite {
        let stats = db
            .scalar(
                "SELECT COUNT(*) AS v FROM sqlite_master WHERE name = 'sqlite_stat1'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(stats, 1);
    }
}

async fn unit_tree_and_moves(db: Db) {
    let root = unit(&db, None, "XJBT", "新疆生产建设兵团", "政府").await;
    let d1 = unit(&db, Some(root), "D01", "第一师阿拉尔市", "师市").await;
    let r6 = unit(&db, Some(d1), "D01-R06", "六团", "团场").await;
    let d8 = unit(&db, Some(root), "D08", "第八师石河子市", "师市").await;
    let all = units::list(&db).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(units::get(&db, r6).await.unwrap().parent_id, Some(d1));
    assert_eq!(
        units::by_code(&db, "D08").await.unwrap().unwrap().name,
        "第八师石河子市"
    );
    // A duplicate code is refused with a recognisable error.
    let dup = NewUnit::parse(&UnitInput {
        code: "D01".into(),
        name: "x".into(),
        kind: "师市".into(),
        ..Default::default()
    })
    .unwrap();
    let mut tx = db.write().await.unwrap();
    assert!(matches!(
        units::insert(&mut tx, &dup, 0).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    // Moves keep history.
    let mut tx = db.write().await.unwrap();
    units::move_to(&mut tx, r6, Some(d8)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(units::get(&db, r6).await.unwrap().parent_id, Some(d8));
    let moves = db
        .scalar(
            "SELECT COUNT(*) AS v FROM unit_moves WHERE unit_id = $1 AND from_parent = $2",
            &[r6.into(), d1.into()],
        )
        .await
        .unwrap();
    assert_eq!(moves, 1);
}

async fn projects_round_trip_and_concurrency(db: Db) {
    let u = unit(&db, None, "U1", "第一师", "师市").await;
    let spec = project_input(
        "2024-660000-44-01-000001",
        "塔里木农垦集团50万吨新型复合肥项目",
        u,
        "19800",
        "在建",
    );
    let id = project(&db, &spec).await;
    let got = projects::get(&db, id).await.unwrap();
    assert_eq!(got.spec.total_investment, Yuan::from_wan(19_800));
    assert_eq!(got.spec.funding.len(), 2);
    let mut expected = spec.clone();
    expected.funding.sort_by_key(|f| f.source.code());
    let mut got_spec = got.spec.clone();
    got_spec.funding.sort_by_key(|f| f.source.code());
    assert_eq!(got_spec, expected);
    assert_eq!(got.version, 1);

    // Two editors read version 1; the first wins, the second gets Stale.
    let mut changed = spec.clone();
    changed.status = ProjectStatus::Completed;
    let mut tx = db.write().await.unwrap();
    assert_eq!(projects::update(&mut tx, id, 1, &changed).await.unwrap(), 2);
    tx.commit().await.unwrap();
    let mut tx = db.write().await.unwrap();
    assert!(matches!(
        projects::update(&mut tx, id, 1, &spec).await,
        Err(StoreError::Stale)
    ));
    assert!(matches!(
        projects::update(&mut tx, ProjectId::new(9999), 1, &spec).await,
        Err(StoreError::NotFound)
    ));
    drop(tx);
    assert_eq!(
        projects::get(&db, id).await.unwrap().spec.status,
        ProjectStatus::Completed
    );

    // The code is unique.
    let mut tx = db.write().await.unwrap();
    assert!(matches!(
        projects::insert(&mut tx, &spec).await,
        Err(StoreError::Duplicate(_))
    ));
}

async fn list(db: &Db, f: ProjectFilter) -> projects::ProjectPage {
    projects::list(db, &f).await.unwrap()
}

async fn project_list_filters_sorts_pages(db: Db) {
    let root = unit(&db, None, "R", "兵团", "政府").await;
    let a = unit(&db, Some(root), "A", "第一师", "师市").await;
    let a1 = unit(&db, Some(a), "A1", "一团", "团场").await;
    let b = unit(&db, Some(root), "B", "第二师", "师市").await;
    for i in 0..25 {
        let u = [a, a1, b][i % 3];
        let status = if i % 2 == 0 { "在建" } else { "前期" };
        let name = if i == 7 {
            "100%_特殊字符项目".to_string()
        } else {
            format!("项目{i:02}")
        };
        project(
            &db,
            &project_input(
                &format!("L-{i:03}"),
                &name,
                u,
                &format!("{}", 1000 + i),
                status,
            ),
        )
        .await;
    }
    let base = ProjectFilter {
        reach: Reach::All,
        limit: 10,
        ..Default::default()
    };
    // Without a reach nothing is visible.
    let none = list(
        &db,
        ProjectFilter {
            limit: 10,
            ..Default::default()
        },
    )
    .await;
    assert_eq!(none.total, 0);
    let page = list(&db, base.clone()).await;
    assert_eq!((page.total, page.items.len()), (25, 10));
    assert_eq!(page.items[0].project.spec.code.as_str(), "L-000");
    let last = list(
        &db,
        ProjectFilter {
            offset: 20,
            ..base.clone()
        },
    )
    .await;
    assert_eq!(last.items.len(), 5);
    // Subtree: A and its regiment A1 hold i % 3 in {0, 1}: 17 of 25.
    let sub = list(
        &db,
        ProjectFilter {
            unit_subtree: Some(a),
            limit: 100,
            ..base.clone()
        },
    )
    .await;
    assert_eq!(sub.total, 17);
    // A reach of A1 alone narrows the same filter further.
    let reach_a1 = list(
        &db,
        ProjectFilter {
            unit_subtree: Some(a),
            reach: Reach::Units([a1].into()),
            limit: 100,
            ..base.clone()
        },
    )
    .await;
    assert!(reach_a1.total > 0 && reach_a1.total < 17);
    assert!(reach_a1.items.iter().all(|p| p.project.spec.unit_id == a1));
    assert!(
        sub.items
            .iter()
            .all(|p| p.project.spec.unit_id == a || p.project.spec.unit_id == a1)
    );
    let only_b = list(
        &db,
        ProjectFilter {
            unit_subtree: Some(b),
            status: Some(ProjectStatus::Construction),
            ..base.clone()
        },
    )
    .await;
    assert_eq!(
        only_b.total,
        (0..25).filter(|i| i % 3 == 2 && i % 2 == 0).count() as i64
    );
    // LIKE metacharacters typed by a user match literally.
    let pct = list(
        &db,
        ProjectFilter {
            text: Some("100%_".into()),
            ..base.clone()
        },
    )
    .await;
    assert_eq!(pct.total, 1);
    let none = list(
        &db,
        ProjectFilter {
            text: Some("%".into()),
            ..base.clone()
        },
    )
    .await;
    assert_eq!(none.total, 1);
    let by_inv = list(
        &db,
        ProjectFilter {
            sort: SortKey::TotalInvestment,
            descending: true,
            ..base.clone()
        },
    )
    .await;
    assert_eq!(
        by_inv.items[0].project.spec.total_investment,
        Yuan::from_wan(1024)
    );
    // Pages past the middle are read from the far end: paging through gives exactly the
    // one long list, for every sort (ties, as in start years, broken by id) and direction.
    for sort in SortKey::ALL {
        for descending in [false, true] {
            let f = ProjectFilter {
                sort,
                descending,
                ..base.clone()
            };
            let whole: Vec<ProjectId> = list(
                &db,
                ProjectFilter {
                    limit: 100,
                    ..f.clone()
                },
            )
            .await
            .items
            .iter()
            .map(|p| p.project.id)
            .collect();
            let mut paged = Vec::new();
            for offset in (0..30).step_by(7) {
                let p = list(
                    &db,
                    ProjectFilter {
                        offset,
                        limit: 7,
                        ..f.clone()
                    },
                )
                .await;
                paged.extend(p.items.iter().map(|p| p.project.id));
            }
            assert_eq!(paged, whole, "{sort:?} descending={descending}");
            // Read through the order's own index (as for a broad filter): the same pages.
            let mut indexed = Vec::new();
            for offset in (0..30).step_by(7) {
                let g = ProjectFilter {
                    offset,
                    limit: 7,
                    ..f.clone()
                };
                let p = projects::page_of(&db, &g, whole.len() as i64, true)
                    .await
                    .unwrap();
                indexed.extend(p.iter().map(|p| p.project.id));
            }
            assert_eq!(
                indexed, whole,
                "through the index: {sort:?} descending={descending}"
            );
            // And the ordered ids (as the export reads them) give it too, and the rows
            // read back by id keep that order.
            let walked = projects::ids_in_order(&db, &f).await.unwrap();
            let rows: Vec<ProjectId> = projects::by_ids(&db, &walked)
                .await
                .unwrap()
                .iter()
                .map(|p| p.id)
                .collect();
            assert_eq!(rows, walked);
            assert_eq!(walked, whole, "ids {sort:?} descending={descending}");
        }
    }
    assert!(
        by_inv
            .items
            .windows(2)
            .all(|w| w[0].project.spec.total_investment >= w[1].project.spec.total_investment)
    );
}

async fn plans_round_trip(db: Db) {
    let u = unit(&db, None, "U", "单位", "部门").await;
    let id = project(&db, &project_input("P-1", "项目", u, "5000", "在建")).await;
    let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
    let plan = AnnualPlan::parse(
        2025,
        Yuan::from_wan(1200),
        None,
        &SeasonalProfile::northern(),
        Some(4),
        vec![
            Milestone {
                name: "开工".into(),
                planned: d(4, 1),
                actual: Some(d(4, 3)),
            },
            Milestone {
                name: "主体完工".into(),
                planned: d(10, 31),
                actual: None,
            },
        ],
    )
    .unwrap();
    let mut tx = db.write().await.unwrap();
    plans::upsert(&mut tx, id, &plan).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(plans::get(&db, id, 2025).await.unwrap().unwrap(), plan);
    assert!(plans::get(&db, id, 2024).await.unwrap().is_none());
    // Upsert replaces the plan and its milestones.
    let smaller = AnnualPlan::parse(
        2025,
        Yuan::from_wan(600),
        None,
        &SeasonalProfile::even(),
        None,
        vec![],
    )
    .unwrap();
    let mut tx = db.write().await.unwrap();
    plans::upsert(&mut tx, id, &smaller).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(plans::get(&db, id, 2025).await.unwrap().unwrap(), smaller);
}

fn figures(ytd_wan: i64) -> ReportFigures {
    ReportFigures {
        invest_period: Yuan::from_wan(10),
        invest_ytd: Yuan::from_wan(ytd_wan),
        invest_since_start: Yuan::from_wan(ytd_wan + 100),
        progress_bp: 3350,
        progress_text: "主体结构施工".into(),
        started: true,
        started_on: NaiveDate::from_ymd_opt(2024, 5, 1),
        ..Default::default()
    }
}

fn draft(project_id: ProjectId, month: u32, revision: i64, ytd: i64) -> Report {
    Report {
        id: ReportId::new(0),
        project_id,
        period: Period::new(2025, month).unwrap(),
        revision,
        state: ReportState::Draft,
        figures: figures(ytd),
        returned_reason: None,
        submitted_at: None,
        approved_at: None,
        late: false,
        backfilled: false,
        correction_reason: None,
        checked_by: None,
        checked_at: None,
    }
}

async fn report_revisions_and_states(db: Db) {
    let u = unit(&db, None, "U", "单位", "部门").await;
    let pid = project(&db, &project_input("P-1", "项目", u, "5000", "在建")).await;
    let mut tx = db.write().await.unwrap();
    let r1 = reports::insert(&mut tx, &draft(pid, 3, 1, 40))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let stored = reports::get(&db, r1).await.unwrap();
    assert_eq!(stored.figures, figures(40));
    assert_eq!(stored.state, ReportState::Draft);

    let mut tx = db.write().await.unwrap();
    reports::update_figures(
        &mut tx,
        r1,
        ReportState::Draft,
        ReportState::Draft,
        &figures(45),
    )
    .await
    .unwrap();
    reports::set_state(
        &mut tx,
        r1,
        ReportState::Draft,
        ReportState::Submitted,
        &TransitionStamp {
            submitted_at: Some(1),
            late: Some(true),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // A second actor working from the old state loses.
    assert!(matches!(
        reports::set_state(
            &mut tx,
            r1,
            ReportState::Draft,
            ReportState::Submitted,
            &TransitionStamp::default()
        )
        .await,
        Err(StoreError::Stale)
    ));
    reports::set_state(
        &mut tx,
        r1,
        ReportState::Submitted,
        ReportState::Approved,
        &TransitionStamp {
            approved_at: Some(2),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let approved = reports::get(&db, r1).await.unwrap();
    assert_eq!(
        (
            approved.state,
            approved.late,
            approved.submitted_at,
            approved.approved_at
        ),
        (ReportState::Approved, true, Some(1), Some(2))
    );
    assert!(matches!(
        {
            let mut tx = db.write().await.unwrap();
            reports::update_figures(
                &mut tx,
                r1,
                ReportState::Draft,
                ReportState::Draft,
                &figures(1),
            )
            .await
        },
        Err(StoreError::Stale)
    ));

    // A correction is revision 2; until approved, revision 1 stays the approved figure.
    let mut tx = db.write().await.unwrap();
    let r2 = reports::insert(&mut tx, &draft(pid, 3, 2, 48))
        .await
        .unwrap();
    assert!(matches!(
        reports::insert(&mut tx, &draft(pid, 3, 2, 48)).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    // The failed duplicate rolled the whole transaction back: insert revision 2 again.
    assert!(r2 > r1);
    let mut tx = db.write().await.unwrap();
    let r2 = reports::insert(&mut tx, &draft(pid, 3, 2, 48))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let year = reports::approved_for_year(&db, pid, 2025).await.unwrap();
    assert_eq!(
        year.iter()
            .map(|r| (r.period.month(), r.revision))
            .collect::<Vec<_>>(),
        vec![(3, 1)]
    );
    let mut tx = db.write().await.unwrap();
    reports::set_state(
        &mut tx,
        r2,
        ReportState::Draft,
        ReportState::Submitted,
        &TransitionStamp::default(),
    )
    .await
    .unwrap();
    reports::set_state(
        &mut tx,
        r2,
        ReportState::Submitted,
        ReportState::Approved,
        &TransitionStamp::default(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let year = reports::approved_for_year(&db, pid, 2025).await.unwrap();
    assert_eq!(year.len(), 1);
    assert_eq!(
        (year[0].revision, year[0].figures.invest_ytd),
        (2, Yuan::from_wan(48))
    );
    assert_eq!(
        reports::revisions(&db, pid, Period::new(2025, 3).unwrap())
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn problems_and_their_trail(db: Db) {
    let u = unit(&db, None, "U", "单位", "部门").await;
    let p = Problem {
        id: ProblemId::new(0),
        project_id: None,
        source: ProblemSource::Dispatch,
        category: ProblemCategory::Land,
        description: "用地指标未落实".into(),
        lead_unit_id: None,
        assisting_unit_ids: vec![u],
        responsible: "张三".into(),
        deadline: None,
        state: ProblemState::Open,
        resolved_by: None,
        created_at: 1,
    };
    let mut tx = db.write().await.unwrap();
    let id = problems::insert(&mut tx, &p, Some(UserId::new(10)))
        .await
        .unwrap();
    problems::assign(
        &mut tx,
        id,
        u,
        NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
    )
    .await
    .unwrap();
    problems::set_state(
        &mut tx,
        id,
        ProblemState::Open,
        ProblemState::Assigned,
        Some(UserId::new(10)),
        "assign",
        "",
    )
    .await
    .unwrap();
    problems::set_state(
        &mut tx,
        id,
        ProblemState::Assigned,
        ProblemState::Acknowledged,
        Some(UserId::new(11)),
        "acknowledge",
        "",
    )
    .await
    .unwrap();
    problems::set_state(
        &mut tx,
        id,
        ProblemState::Acknowledged,
        ProblemState::Resolved,
        Some(UserId::new(11)),
        "resolve",
        "已协调",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let got = problems::get(&db, id).await.unwrap();
    assert_eq!(
        (
            got.state,
            got.resolved_by,
            got.lead_unit_id,
            got.assisting_unit_ids.clone()
        ),
        (
            ProblemState::Resolved,
            Some(UserId::new(11)),
            Some(u),
            vec![u]
        )
    );
    let trail = problems::events(&db, id).await.unwrap();
    assert_eq!(
        trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        vec!["create", "assign", "acknowledge", "resolve"]
    );
    assert_eq!(trail[3].note, "已协调");
    assert_eq!(
        problems::count_overdue(&db, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
            .await
            .unwrap(),
        0
    );
    let mut tx = db.write().await.unwrap();
    problems::set_state(
        &mut tx,
        id,
        ProblemState::Resolved,
        ProblemState::Reopened,
        Some(UserId::new(10)),
        "reopen",
        "复查未通过",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        problems::count_overdue(&db, NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        problems::get(&db, id).await.unwrap().resolved_by,
        Some(UserId::new(11))
    );
}

async fn users_and_settings(db: Db) {
    let u = unit(&db, None, "U", "单位", "部门").await;
    let grants = [
        RoleGrant {
            role: Role::Reporter,
            scope: Scope::Own,
        },
        RoleGrant {
            role: Role::Leader,
            scope: Scope::Units(vec![u]),
        },
    ];
    let mut tx = db.write().await.unwrap();
    let id = users::insert(
        &mut tx,
        &NewUser {
            username: "reporter1",
            display_name: "填报员一",
            unit_id: u,
            password_hash: "$argon2id$x",
            must_change_password: true,
            grants: &grants,
        },
    )
    .await
    .unwrap();
    users::set_password(&mut tx, id, "$argon2id$y", false)
        .await
        .unwrap();
    settings::set(&mut tx, "report.deadline_day", "3")
        .await
        .unwrap();
    settings::set(&mut tx, "report.deadline_day", "5")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let got = users::by_username(&db, "reporter1").await.unwrap().unwrap();
    assert_eq!(
        (got.password_hash.as_str(), got.must_change_password),
        ("$argon2id$y", false)
    );
    assert_eq!(got.grants.len(), 2);
    assert_eq!(got.grants[0].role, Role::Leader);
    assert_eq!(got.grants[0].scope, Scope::Units(vec![u]));
    assert!(users::by_username(&db, "nobody").await.unwrap().is_none());
    assert_eq!(
        settings::get(&db, "report.deadline_day")
            .await
            .unwrap()
            .as_deref(),
        Some("5")
    );
    assert_eq!(settings::get(&db, "missing").await.unwrap(), None);
}

async fn bulk_load_then_normal_inserts(db: Db) {
    let units: Vec<Unit> = (1..=3)
        .map(|i| Unit {
            id: i,
            parent_id: (i > 1).then_some(1),
            code: format!("B{i}"),
            name: format!("单位{i}"),
            kind: UnitKind::Division,
            series: "师市".into(),
            sort: i,
            version: 1,
        })
        .collect();
    let base = project_input("X", "批量项目", 2, "300", "在建");
    let projects_: Vec<Project> = (1..=2500)
        .map(|i| Project {
            id: ProjectId::new(i),
            version: 1,
            spec: NewProject {
                code: duban_domain::project::ProjectCode::parse("c", &format!("G-{i:06}")).unwrap(),
                unit_id: 2 + i % 2,
                ..base.clone()
            },
        })
        .collect();
    let plans_: Vec<(ProjectId, AnnualPlan)> = projects_
        .iter()
        .map(|p| {
            (
                p.id,
                AnnualPlan::parse(
                    2025,
                    Yuan::from_wan(120),
                    None,
                    &SeasonalProfile::northern(),
                    None,
                    vec![],
                )
                .unwrap(),
            )
        })
        .collect();
    let reports_: Vec<Report> = projects_
        .iter()
        .flat_map(|p| {
            (1..=3).map(move |m| Report {
                state: ReportState::Approved,
                ..draft(p.id, m, 1, 10 * i64::from(m))
            })
        })
        .collect();
    let mut tx = db.write().await.unwrap();
    assert_eq!(bulk::units(&mut tx, &units).await.unwrap(), 3);
    assert_eq!(bulk::projects(&mut tx, &projects_).await.unwrap(), 2500);
    assert_eq!(bulk::plans(&mut tx, &plans_).await.unwrap(), 2500);
    assert_eq!(bulk::reports(&mut tx, &reports_).await.unwrap(), 7500);
    tx.commit().await.unwrap();
    schema::resync_ids(&db, &["units", "projects", "reports"])
        .await
        .unwrap();
    assert_eq!(projects::count(&db).await.unwrap(), 2500);
    assert_eq!(
        db.scalar("SELECT COUNT(*) AS v FROM project_funding", &[])
            .await
            .unwrap(),
        5000
    );
    let sum = db
        .scalar(
            "SELECT CAST(SUM(invest_ytd) AS BIGINT) AS v FROM reports WHERE month = 3",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(sum, 2500 * Yuan::from_wan(30).get());
    // Ids assigned by the database continue after the loaded ones.
    let new_id = unit(&db, Some(1), "NEW", "新单位", "团场").await;
    assert!(new_id > 3);
    let pid = project(
        &db,
        &project_input("AFTER-LOAD", "后加项目", new_id, "1000", "前期"),
    )
    .await;
    assert!(pid.get() > 2500);
}

async fn foreign_keys_are_enforced(db: Db) {
    let mut tx = db.write().await.unwrap();
    let err = projects::insert(
        &mut tx,
        &project_input("FK-1", "无单位项目", 424242, "1000", "在建"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Db(_) | StoreError::Engine(_)),
        "{err:?}"
    );
}

/// The bulletin's reads of one month give what the domain's fold of each project's entry
/// at that month (`SnapProject::of`, `Tally`) gives: the same sums, reporting counts and
/// lagging projects, on both engines.
async fn a_month_of_the_read_model_is_what_the_year_gives(db: Db) {
    use duban_domain::analytics::lights::Light;
    use duban_domain::analytics::measure::MissingBasis;
    use duban_domain::analytics::year::{ProjectMeta, ProjectYear};
    use duban_domain::bulletin::{ProjectLabel, SnapProject, Tally};
    let u = unit(&db, None, "M", "月读", "division").await;
    let v = unit(&db, Some(u), "M2", "月读二", "division").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        let nature = ["新建", "续建", "前期"][i % 3];
        let mut p = project_input(
            &format!("M-{i}"),
            &format!("项目{i}"),
            [u, v][i % 2],
            "500",
            "在建",
        );
        p.nature = Nature::parse("nature", nature).unwrap();
        p.end_year = 2025 + (i as i32 / 2) % 2;
        p.leader = format!("领导{i}");
        ids.push((project(&db, &p).await, p));
    }
    let pattern =
        |seed: usize| -> [bool; 12] { std::array::from_fn(|m| (m * 7 + seed).is_multiple_of(3)) };
    let years: Vec<ProjectYear> = ids
        .iter()
        .enumerate()
        .map(|(k, (id, p))| ProjectYear {
            year: 2025,
            meta: ProjectMeta {
                id: *id,
                unit_id: p.unit_id,
                chain_id: None,
                category: p.category,
                nature: p.nature,
                total_investment: Yuan::from_wan(500 + k as i64),
                funding: vec![],
            },
            annual_plan: Yuan::from_wan(120 + k as i64),
            plan: std::array::from_fn(|m| Yuan::from_wan(10 * (m as i64 + 1))),
            actual: std::array::from_fn(|m| Yuan::from_wan(7 * (m as i64 + 1) + k as i64)),
            reported: pattern(k),
            submitted: pattern(k + 1),
            late: pattern(k + 2),
            milestone_overdue: pattern(k + 3),
            new_planned: k % 3 == 0,
            started: std::array::from_fn(|m| m >= 3 + k % 5),
            due_to_start: std::array::from_fn(|m| m >= 2 + k % 4),
            lights: std::array::from_fn(|m| Light::ALL[(m + k) % 4]),
        })
        .collect();
    let mut tx = db.write().await.unwrap();
    duban_store::analytics::insert_years(&mut tx, &years)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for basis in [MissingBasis::NotSubmitted, MissingBasis::NotApproved] {
        let d = duban_domain::analytics::measure::Definitions {
            missing: basis,
            ..Default::default()
        };
        for m in 1..=12 {
            let mut tally = Tally::new(&d);
            for (y, (_, p)) in years.iter().zip(&ids) {
                tally.add(SnapProject::of(
                    y,
                    m,
                    ProjectLabel {
                        code: p.code.as_str().into(),
                        name: p.name.clone(),
                        leader: p.leader.clone(),
                        end_year: p.end_year,
                    },
                ));
            }
            let (groups, mut lagging, reporting) = tally.finish();
            let got =
                duban_store::analytics::month_groups(&db, 2025, m, &Reach::All, basis.column())
                    .await
                    .unwrap();
            assert_eq!(got, (groups, reporting), "month {m}, {basis:?}");
            let mut got = duban_store::analytics::month_lagging(&db, 2025, m, &Reach::All)
                .await
                .unwrap();
            got.sort_by_key(|p| p.id);
            lagging.sort_by_key(|p| p.id);
            assert!(!lagging.is_empty());
            assert_eq!(got, lagging, "month {m}");
        }
    }
}

/// A load drops the secondary indexes of its tables and builds them again, every one as
/// it was; unique indexes stay throughout.
async fn deferred_indexes_come_back(db: Db) {
    let indexes = |db: Db| async move {
        let sql = match db.backend() {
            Backend::Sqlite => {
                "SELECT name AS n FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('projects', 'reports') ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT indexname AS n FROM pg_indexes WHERE schemaname = current_schema() AND tablename IN ('projects', 'reports') ORDER BY indexname"
            }
        };
        db.fetch_all(sql, &[], |r| r.str("n")).await.unwrap()
    };
    let before = indexes(db.clone()).await;
    assert!(
        before.iter().any(|n| n == "projects_live_name"),
        "{before:?}"
    );
    let deferred = bulk::defer_indexes(&db, &["projects", "reports"])
        .await
        .unwrap();
    let during = indexes(db.clone()).await;
    assert!(
        !during
            .iter()
            .any(|n| n == "projects_live_name" || n == "reports_period")
    );
    assert!(!during.is_empty(), "the unique indexes stay");
    let n = deferred.restore(&db).await.unwrap();
    assert_eq!(n, before.len() - during.len());
    assert_eq!(indexes(db.clone()).await, before);
}

/// Thirty writers at once, each reading on the pool while it holds its transaction (as a
/// unit of work reads the people to notify), beside thirty single statements: every one
/// succeeds. On SQLite the waiting writers used to hold every connection of the pool
/// while the one with the lock waited for a connection, until the busy timeout failed
/// them all ("database is locked").
async fn a_burst_of_writers_does_not_starve_the_one_writing(db: Db) {
    let u = unit(&db, None, "W", "并发", "division").await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let db1 = db.clone();
        tasks.push(tokio::spawn(async move {
            let db = db1;
            let mut tx = db.write().await?;
            tx.execute(
                "UPDATE units SET name = $1 WHERE id = $2",
                &[format!("并发{i}").into(), u.into()],
            )
            .await?;
            db.scalar("SELECT COUNT(*) AS v FROM units", &[]).await?;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            tx.commit().await
        }));
        let db2 = db.clone();
        tasks.push(tokio::spawn(async move {
            db2.execute(
                "UPDATE units SET sort = $1 WHERE id = $2",
                &[i64::from(i).into(), u.into()],
            )
            .await
            .map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
}

/// `$n` is the n-th value wherever it stands and however often, columns are found by
/// name in any order, and a long `IN` list binds: on the pool (SQLite's own read
/// connections) and inside a transaction alike.
async fn parameters_are_taken_by_number(db: Db) {
    let sql = "SELECT $2 AS a, $1 AS b, $2 AS c, NULL AS d";
    let params: Vec<Val> = vec!["x".into(), 7_i64.into()];
    let read = |r: &dyn Cols| Ok((r.opt_i64("d")?, r.i64("c")?, r.str("b")?, r.i64("a")?));
    let want = (None, 7, "x".to_string(), 7);
    assert_eq!(db.fetch_one(sql, &params, read).await.unwrap(), want);
    let mut tx = db.read().await.unwrap();
    assert_eq!(tx.fetch_one(sql, &params, read).await.unwrap(), want);
    drop(tx);
    let u = unit(&db, None, "P", "参数", "division").await;
    let mut ids: Vec<Val> = (1..300_i64).map(|i| Val::from(-i)).collect();
    ids.push(u.into());
    let list = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT COUNT(*) AS v FROM units WHERE id IN ({list})");
    assert_eq!(db.scalar(&sql, &ids).await.unwrap(), 1);
    // Too few values is an error, not a NULL.
    assert!(db.scalar(&sql, &ids[..10]).await.is_err());
}

/// Migration 26 moves the read model's totals into a table kept in the order of its key
/// (on SQLite, WITHOUT ROWID): every row survives, and a dashboard's read of a month is
/// answered from the key alone, with no second search per row.
async fn totals_move_into_key_order_intact(db: Db) {
    // SQLite: a database of its own, at version 25 (the case's is at the latest).
    let path = std::env::temp_dir().join(format!("{}.sqlite", unique("duban_v25")));
    let db = if db.backend() == duban_store::Backend::Sqlite {
        Db::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap()
    } else {
        db
    };
    if schema::current_version(&db).await.unwrap() < 26 {
        schema::migrate_to(&db, 25).await.unwrap();
        let mut cols = vec!["dim", "dim_key", "unit_id", "year", "month"];
        let measures = [
            "projects",
            "total_investment",
            "annual_plan",
            "plan_to_date",
            "actual_ytd",
            "reported",
            "submitted",
            "late",
            "due_to_start",
            "started_of_due",
            "new_planned",
            "new_started",
            "started",
            "milestones_overdue",
            "green",
            "yellow",
            "orange",
            "red",
        ];
        cols.extend(measures);
        let slots: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        for (dim, key, unit, month) in [
            ("all", "", 7, 10),
            ("chain", "c1", 7, 10),
            ("all", "", 8, 11),
        ] {
            let mut vals: Vec<Val> = vec![
                dim.into(),
                key.into(),
                Val::I(unit),
                Val::I(2025),
                Val::I(month),
            ];
            vals.extend((0..measures.len()).map(|i| Val::I(unit * 100 + month + i as i64)));
            db.execute(
                &format!(
                    "INSERT INTO unit_totals ({}) VALUES ({})",
                    cols.join(", "),
                    slots.join(", ")
                ),
                &vals,
            )
            .await
            .unwrap();
        }
        assert_eq!(schema::migrate(&db).await.unwrap().first(), Some(&26));
        let rows = db
            .fetch_all(
                "SELECT dim, unit_id, month, projects, red FROM unit_totals ORDER BY year, month, dim, dim_key, unit_id",
                &[],
                |r| Ok((r.str("dim")?, r.i64("unit_id")?, r.i64("month")?, r.i64("projects")?, r.i64("red")?)),
            )
            .await
            .unwrap();
        assert_eq!(
            rows,
            vec![
                ("all".to_string(), 7, 10, 710, 727),
                ("chain".to_string(), 7, 10, 710, 727),
                ("all".to_string(), 8, 11, 811, 828),
            ]
        );
    }
    if db.backend() == duban_store::Backend::Sqlite {
        // The plan, from a connection of its own (a pooled one may plan on the schema it
        // read before the migration: EXPLAIN does not check the schema's version).
        let c = rusqlite::Connection::open(&path).unwrap();
        let plan: String = c
            .query_row(
                "EXPLAIN QUERY PLAN SELECT SUM(projects) FROM unit_totals WHERE year = 2025 AND month = 10 AND dim = 'all'",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("USING PRIMARY KEY"), "{plan}");
    }
}

/// A sheet naming a few codes of the registry is matched code by code, one naming a third
/// or more in one pass over the projects: both give the same projects, archived ones
/// included, and nothing for codes the registry does not hold.
async fn projects_are_found_by_code_by_lookup_or_by_one_pass(db: Db) {
    let u = unit(&db, None, &unique("U"), "第一师", "division").await;
    let mut made = Vec::new();
    for i in 0..12 {
        let code = unique(&format!("P{i}"));
        let id = project(
            &db,
            &project_input(&code, &format!("项目{i}"), u, "1000", "construction"),
        )
        .await;
        made.push((code, id));
    }
    let mut tx = db.write().await.unwrap();
    projects::archive(&mut tx, made[1].1, 1).await.unwrap();
    // Reports of October: two revisions of the first project, the older stored first, and
    // of the sixth, the newer first, each pair at the two ends of the month's rows (a read
    // in parts over ranges of ids finds the newest whatever part each lies in); one of the
    // second; one of September for the third, which October's read does not find; one of
    // the fifth, whose project the reads leave out.
    for (i, month, revision, ytd) in [
        (5, 10, 2, 55),
        (0, 10, 1, 40),
        (1, 10, 1, 60),
        (2, 9, 1, 70),
        (4, 10, 1, 80),
        (0, 10, 2, 45),
        (5, 10, 1, 50),
    ] {
        reports::insert(&mut tx, &draft(made[i].1, month, revision, ytd))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let october = Period::new(2025, 10).unwrap();
    let registry = db
        .scalar("SELECT COUNT(*) AS v FROM projects", &[])
        .await
        .unwrap() as usize;
    let expect = |codes: &[String]| {
        codes
            .iter()
            .filter_map(|c| {
                made.iter()
                    .position(|(m, _)| m == c)
                    .map(|i| (c.clone(), i))
            })
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let few: Vec<String> = vec![made[0].0.clone(), made[1].0.clone(), "NO-SUCH-CODE".into()];
    // Every project of the registry (other cases' too on a shared database), and one
    // unknown code: well over a third.
    let mut most: Vec<String> = made.iter().map(|(c, _)| c.clone()).collect();
    most.push("NO-SUCH-CODE".into());
    let all_codes: Vec<String> = db
        .fetch_all("SELECT code AS v FROM projects", &[], |r| r.str("v"))
        .await
        .unwrap();
    for c in all_codes {
        if !most.contains(&c) {
            most.push(c);
        }
    }
    assert!(
        few.len() * 3 < registry,
        "the few are looked up code by code"
    );
    for codes in [few, most] {
        let found = imports::projects_by_code(&db, &codes).await.unwrap();
        for (code, i) in expect(&codes) {
            let e = &found[&code];
            assert_eq!(e.id, made[i].1, "{code}");
            assert_eq!(e.unit_id, u);
            assert_eq!(e.name, format!("项目{i}"));
            assert_eq!(e.archived, i == 1, "{code}");
        }
        assert!(!found.contains_key("NO-SUCH-CODE"));
        assert_eq!(
            found.len(),
            codes.len() - 1,
            "every known code found, the unknown one not"
        );
        let ids: Vec<ProjectId> = found
            .values()
            .map(|e| e.id)
            .filter(|&id| id != made[4].1)
            .collect();
        let reports = imports::latest_reports(&db, &ids, october).await.unwrap();
        let ytd = |i: usize| {
            reports
                .get(&made[i].1)
                .map(|r| (r.revision, r.figures.invest_ytd))
        };
        assert_eq!(ytd(0), Some((2, Yuan::from_wan(45))), "the newest revision");
        if codes.contains(&made[5].0) {
            assert_eq!(ytd(5), Some((2, Yuan::from_wan(55))), "the newest revision");
        }
        assert_eq!(
            ytd(1),
            Some((1, Yuan::from_wan(60))),
            "an archived project's too"
        );
        assert_eq!(ytd(2), None, "September's report is not October's");
        assert_eq!(ytd(4), None, "a project left out");
        assert!(
            reports.keys().all(|p| ids.contains(p)),
            "only reports of the projects named"
        );
    }
}

/// A long append (sealed on a thread of its own while its entries are inserted), a short
/// one and single appends around them make one chain, in order, that verifies, with the
/// head on its last entry.
async fn a_long_append_is_one_chain(db: Db) {
    use duban_domain::audit::{AuditEntry, Verifier};
    use duban_store::audit;
    let long: i64 = 2_500;
    assert!(
        long as usize > audit::SEAL_APART,
        "the long append is sealed apart"
    );
    let entry = |i: i64| AuditEntry {
        seq: 0,
        at: 1_764_000_000_000 + i,
        actor_id: Some(1),
        actor: "clerk".into(),
        ip: "127.0.0.1".into(),
        action: "report.create".into(),
        object_type: "report".into(),
        object_id: i.to_string(),
        before: String::new(),
        after: format!("{{\"progress_text\":\"第{i}次\\n\"}}"),
        outcome: "ok".into(),
        hash: String::new(),
    };
    let (before, _) = audit::head(&db).await.unwrap();
    let mut tx = db.write().await.unwrap();
    audit::append(&mut tx, entry(0)).await.unwrap();
    audit::append_many(&mut tx, (1..=long).map(entry).collect())
        .await
        .unwrap();
    audit::append_many(&mut tx, (long + 1..=long + 10).map(entry).collect())
        .await
        .unwrap();
    audit::append(&mut tx, entry(long + 11)).await.unwrap();
    tx.commit().await.unwrap();
    let (head, hash) = audit::head(&db).await.unwrap();
    assert_eq!(head, before + long + 12);
    let mut v = Verifier::default();
    let mut after = 0;
    loop {
        let chunk = audit::chunk(&db, after, 1_000).await.unwrap();
        let Some(last) = chunk.last() else { break };
        after = last.seq;
        for e in &chunk {
            v.feed(e).unwrap();
            if e.seq > before {
                assert_eq!(e.object_id, (e.seq - before - 1).to_string(), "in order");
            }
        }
    }
    v.finish(head, &hash).unwrap();
}
