use super::*;
use crate::analytics::totals::MonthEntry;
use crate::ids::ProjectId;

fn project(
    id: i64,
    unit: i64,
    nature: &str,
    wan: [i64; 4],
    due: bool,
    started: bool,
    light: Light,
) -> SnapProject {
    let [total, annual, plan, actual] = wan.map(|w| w * 10_000);
    SnapProject {
        id: ProjectId::new(id),
        code: format!("2025-660000-00-01-{id:06}"),
        name: format!("项目{id}"),
        unit_id: unit,
        nature: nature.into(),
        leader: format!("领导{id}"),
        completes_this_year: id % 2 == 0,
        entry: MonthEntry {
            total_investment: total,
            annual_plan: annual,
            plan_to_date: plan,
            actual_ytd: actual,
            due_to_start: due,
            started,
            light,
            new_planned: nature == "new",
            reported: id != 3,
            submitted: id != 3,
            late: id == 2,
            milestone_overdue: id == 2,
        },
    }
}

fn sum(ps: &[&SnapProject]) -> Totals {
    ps.iter().map(|p| p.totals()).sum()
}

fn unit(id: i64, parent: Option<i64>, name: &str, series: &str) -> SnapUnit {
    SnapUnit {
        id,
        parent_id: parent,
        name: name.into(),
        series: series.into(),
    }
}

/// Four projects whose figures are worked out by hand below.
fn bare() -> Snapshot {
    Snapshot {
        period: Period::new(2025, 10).unwrap(),
        cutoff: "2025-11-05 09:30".into(),
        root_unit_id: 1,
        units: vec![
            unit(1, None, "兵团", "兵团"),
            unit(2, Some(1), "第一师", "师市"),
            unit(3, Some(2), "一团", "团场"),
            unit(4, Some(1), "第二师", "师市"),
            unit(5, Some(1), "发展改革委", "部门"),
        ],
        groups: vec![],
        lagging: vec![],
        projects: vec![
            project(
                1,
                3,
                "new",
                [5_000, 1_000, 800, 900],
                true,
                true,
                Light::Green,
            ),
            project(
                2,
                4,
                "continuing",
                [10_000, 2_000, 1_600, 1_200],
                false,
                true,
                Light::Red,
            ),
            project(
                3,
                4,
                "new",
                [3_000, 1_000, 800, 0],
                true,
                false,
                Light::Yellow,
            ),
            project(4, 5, "new", [2_000, 500, 0, 100], false, true, Light::Green),
        ],
        overdue_problems: vec![SnapProblem {
            id: 7,
            description: "用地指标未落实".into(),
            project: Some("项目3".into()),
            lead_unit_id: Some(4),
            deadline: "2025-10-20".into(),
            days_overdue: 16,
        }],
        reporting: vec![],
        definitions: Definitions::default(),
    }
}

fn small() -> Snapshot {
    let mut s = bare();
    s.reporting = reporting(&s.projects, &s.definitions);
    s
}

#[test]
fn the_opening_paragraph_matches_the_hand_computation() {
    let s = small();
    let d = Definitions::default();
    let all: Vec<&SnapProject> = s.projects.iter().collect();
    // Total 2.00亿; annual plan 4,500万 = 0.45亿; done 2,200万 = 0.22亿.
    // Completion 2,200 / 4,500 = 48.89% → 48.9%; time progress by the calendar 10/12 =
    // 83.33%; gap 48.89 − 83.33 = −34.44 → 落后 34.4 points. New projects planned this
    // year: P1, P3, P4; started: P1 and P4 (P4 ahead of its plan) → 2/3 = 66.7%; due by
    // October: P1 and P3, of which P3 has not started.
    assert_eq!(
        opening("2025年安排重点项目", s.period, sum(&all), &d),
        "2025年安排重点项目4项，总投资2.00亿元，年度计划投资0.45亿元。1—10月累计完成投资0.22亿元，\
         占年度计划48.9%，落后时间进度34.4个百分点。计划新开工3项，已开工2项（其中提前开工1项），\
         开工率66.7%；应开未开1项。"
    );
    // By the plan curves instead: 3,200 / 4,500 = 71.11% → 22.2 behind; the start rate of
    // those due by the month: 1/2.
    let plan = Definitions {
        time_progress: TimeBasis::Plan,
        start_rate: StartBasis::ToDate,
        ..Default::default()
    };
    assert_eq!(
        opening("2025年安排重点项目", s.period, sum(&all), &plan),
        "2025年安排重点项目4项，总投资2.00亿元，年度计划投资0.45亿元。1—10月累计完成投资0.22亿元，\
         占年度计划48.9%，落后时间进度22.2个百分点。截至10月应开工2项，已开工1项，开工率50.0%；\
         应开未开1项。"
    );
    // January is "1月" (1/12 = 8.33%); a group without new projects has no start sentence.
    let cont: Vec<&SnapProject> = s
        .projects
        .iter()
        .filter(|p| p.nature == "continuing")
        .collect();
    assert_eq!(
        opening("续建项目", Period::new(2025, 1).unwrap(), sum(&cont), &d),
        "续建项目1项，总投资1.00亿元，年度计划投资0.20亿元。1月累计完成投资0.12亿元，占年度计划60.0%，\
         超过时间进度51.7个百分点。"
    );
}

#[test]
fn the_bulletin_sums_what_the_dashboards_sum() {
    // Each project's entry carries the same contribution as its year in the read model.
    use crate::analytics::lights::RuleSet;
    use crate::analytics::year::{
        ApprovedMonth, ProjectMeta, Submission, YearInputs, project_year,
    };
    use crate::plan::{AnnualPlan, MonthlyCurve, SeasonalProfile};
    let plan = AnnualPlan {
        year: 2025,
        curve: MonthlyCurve::from_profile(crate::Yuan::from_wan(1200), &SeasonalProfile::even()),
        planned_start_month: Some(3),
        milestones: vec![],
    };
    let months: Vec<ApprovedMonth> = (3..=9)
        .map(|m| ApprovedMonth {
            month: m,
            ytd: crate::Yuan::from_wan(80 * i64::from(m)),
            since_start: crate::Yuan::from_wan(80 * i64::from(m)),
            progress_bp: 500 * i64::from(m),
            disbursed: crate::Yuan::from_wan(70 * i64::from(m)),
            started: m >= 4,
            started_on: chrono::NaiveDate::from_ymd_opt(2025, 4, 2),
            stats_entered: m >= 5,
        })
        .collect();
    let subs = [Submission {
        month: 10,
        submitted: true,
        late: true,
    }];
    let y = project_year(&YearInputs {
        year: 2025,
        meta: ProjectMeta {
            id: ProjectId::new(9),
            unit_id: 3,
            chain_id: None,
            category: crate::Category::Industry,
            nature: crate::Nature::New,
            total_investment: crate::Yuan::from_wan(5000),
            funding: vec![],
        },
        plan: Some(&plan),
        months: &months,
        submissions: &subs,
        rules: &RuleSet::yinchuan(),
    });
    for m in 1..=12 {
        let label = ProjectLabel {
            code: "c".into(),
            name: "n".into(),
            leader: "l".into(),
            end_year: 2026,
        };
        assert_eq!(
            SnapProject::of(&y, m, label).totals(),
            Totals::of(&y, m),
            "month {m}"
        );
    }
}

#[test]
fn units_are_ranked_under_the_root_with_their_sub_units() {
    let b = compose(&small());
    let ranking = b
        .blocks
        .iter()
        .find_map(|x| match x {
            Block::Table(t) if t.title.contains("师市") => Some(t.clone()),
            _ => None,
        })
        .expect("the 师市 table");
    // 第一师 holds 一团's P1 (90%); 第二师 holds P2 and P3 (1,200 / 3,000 = 40%).
    assert_eq!(
        ranking.rows[0][..2],
        ["1".to_string(), "第一师".to_string()]
    );
    assert_eq!(ranking.rows[0][5], "90.0%");
    assert_eq!(ranking.rows[1][1], "第二师");
    assert_eq!(ranking.rows[1][5], "40.0%");
}

#[test]
fn preparatory_projects_are_counted_not_measured() {
    let mut s = small();
    s.projects[3].nature = "preparatory".into();
    let b = compose(&s);
    assert!(
        b.blocks
            .iter()
            .any(|x| matches!(x, Block::Paragraph { text }
        if text == "前期项目1项，总投资0.20亿元，年度计划投资0.05亿元，处于前期工作阶段。"))
    );
}

#[test]
fn missing_reports_are_counted_under_the_ranked_units() {
    // 一团's project (P1) misses its report: the table names 第一师, as the rankings do.
    let mut s = bare();
    s.projects[0].entry.submitted = false;
    s.reporting = reporting(&s.projects, &s.definitions);
    let b = compose(&s);
    let t = b
        .annex
        .iter()
        .find(|t| t.title == "各单位未报、迟报情况")
        .unwrap();
    let first = t
        .rows
        .iter()
        .find(|r| r[0] == "第一师")
        .expect("第一师 listed");
    assert_eq!(first[1..], ["1".to_string(), "1".into(), "0".into()]);
    assert!(!t.rows.iter().any(|r| r[0] == "一团"));
}

#[test]
fn a_snapshot_stored_before_the_definitions_reads_as_it_did() {
    // No "definitions" and none of the newer fields: the legacy definitions apply.
    let mut v = serde_json::to_value(small()).unwrap();
    v.as_object_mut().unwrap().remove("definitions");
    for p in v["projects"].as_array_mut().unwrap() {
        for f in [
            "new_planned",
            "reported",
            "submitted",
            "late",
            "milestone_overdue",
        ] {
            p.as_object_mut().unwrap().remove(f);
        }
    }
    let old: Snapshot = serde_json::from_value(v).unwrap();
    assert_eq!(old.definitions, Definitions::legacy());
    let all: Vec<&SnapProject> = old.projects.iter().collect();
    // By the plan curves and the starts due by the month, as bulletins were composed then.
    assert!(
        opening(
            "2025年安排重点项目",
            old.period,
            sum(&all),
            &old.definitions
        )
        .contains("落后时间进度22.2个百分点。截至10月应开工2项，已开工1项，开工率50.0%")
    );
}

#[test]
fn the_same_snapshot_renders_the_same_document_after_a_round_trip() {
    let s = small();
    // As it is stored now (groups and lagging projects), and as snapshots that kept every
    // project were stored.
    let compact = s.compacted().into_owned();
    for stored in [
        serde_json::to_string(&compact).unwrap(),
        serde_json::to_string(&s).unwrap(),
    ] {
        let back: Snapshot = serde_json::from_str(&stored).unwrap();
        assert_eq!(render_text(&compose(&back)), render_text(&compose(&s)));
        assert_eq!(render_html(&compose(&back)), render_html(&compose(&s)));
    }
}

#[test]
fn a_snapshot_keeps_sums_and_the_projects_it_names() {
    // Many projects in few groups: what is kept grows with the units and the lagging
    // projects, not with the projects.
    let mut s = small();
    for i in 0..400 {
        let light = if i % 10 == 0 {
            Light::Orange
        } else {
            Light::Green
        };
        let nature = ["new", "continuing", "preparatory"][i as usize % 3];
        s.projects.push(project(
            100 + i,
            2 + i % 4,
            nature,
            [100 + i, 100, 80, 10 + i % 90],
            i % 2 == 0,
            i % 3 == 0,
            light,
        ));
    }
    s.reporting = reporting(&s.projects, &s.definitions);
    let compact = s.compacted().into_owned();
    assert!(compact.projects.is_empty());
    assert_eq!(compact.lagging.len(), 2 + 40);
    assert!(compact.lagging.iter().all(|p| p.light != Light::Green));
    assert!(compact.groups.len() <= 4 * 3 * 2);
    assert_eq!(compact.whole().projects, 404);
    let each: Totals = s.projects.iter().map(SnapProject::totals).sum();
    assert_eq!(compact.whole(), each);
    // The stored text: under a fifth of what keeping every project took.
    let (small_json, full_json) = (
        serde_json::to_string(&compact).unwrap(),
        serde_json::to_string(&s).unwrap(),
    );
    assert!(
        small_json.len() * 5 < full_json.len(),
        "{} vs {}",
        small_json.len(),
        full_json.len()
    );
    assert_eq!(render_text(&compose(&compact)), render_text(&compose(&s)));
    assert_eq!(unit_figures(&compact), unit_figures(&s));
}

#[test]
fn long_lists_are_cut_in_the_body_and_whole_in_the_annex() {
    let mut s = small();
    for i in 0..45 {
        s.projects.push(project(
            100 + i,
            3,
            "continuing",
            [100, 100, 80, 10],
            false,
            true,
            Light::Red,
        ));
    }
    let b = compose(&s);
    let body = b
        .blocks
        .iter()
        .find_map(|x| match x {
            Block::Table(t) if t.title == "滞后项目清单" => Some(t.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(body.rows.len(), BODY_ROWS);
    assert_eq!(
        body.note.as_deref(),
        Some("以上列出前30个，另有17个项目见附件。")
    );
    let annex = b.annex.iter().find(|t| t.title == "滞后项目清单").unwrap();
    assert_eq!(annex.rows.len(), 47);
    // Red first, the furthest behind first.
    assert_eq!(annex.rows[0][4], "红灯");
    assert_eq!(annex.rows[46][4], "黄灯");
}

#[test]
fn html_escapes_what_users_typed() {
    let mut s = small();
    s.projects[0].name = "<script>alert(1)</script>".into();
    s.projects[0].entry.light = Light::Red;
    let html = render_html(&compose(&s));
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;"));
}

#[test]
fn the_rendered_bulletin_is_stable() {
    insta::assert_snapshot!(render_text(&compose(&small())));
}
