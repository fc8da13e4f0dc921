use super::*;

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
        id,
        code: format!("2025-660000-00-01-{id:06}"),
        name: format!("项目{id}"),
        unit_id: unit,
        nature: nature.into(),
        leader: format!("领导{id}"),
        completes_this_year: id % 2 == 0,
        total_investment: total,
        annual_plan: annual,
        plan_to_date: plan,
        actual_ytd: actual,
        due_to_start: due,
        started,
        light,
    }
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
fn small() -> Snapshot {
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
        reporting: vec![
            SnapReporting {
                unit_id: 3,
                due: 1,
                missing: 0,
                late: 0,
            },
            SnapReporting {
                unit_id: 4,
                due: 2,
                missing: 1,
                late: 1,
            },
        ],
    }
}

#[test]
fn the_opening_paragraph_matches_the_hand_computation() {
    let s = small();
    let all: Vec<&SnapProject> = s.projects.iter().collect();
    // Total 2.00亿; annual plan 4,500万 = 0.45亿; done 2,200万 = 0.22亿.
    // Completion 2,200 / 4,500 = 48.89% → 48.9%; time progress 3,200 / 4,500 = 71.11%;
    // gap 4889 − 7111 = −2222 bp → 落后 22.2 points. New projects due: P1 and P3; started
    // of them: P1 (50.0%); P4 started ahead of its plan; new projects started: P1, P4.
    assert_eq!(
        opening("2025年安排重点项目", s.period, &all),
        "2025年安排重点项目4项，总投资2.00亿元，年度计划投资0.45亿元。1—10月累计完成投资0.22亿元，\
         占年度计划48.9%，落后时间进度22.2个百分点。计划新开工2项，实际已开工2项（提前开工1项，\
         未按计划开工1项），开工率50.0%。"
    );
    // January is "1月"; a group without new projects has no start sentence.
    let cont: Vec<&SnapProject> = s
        .projects
        .iter()
        .filter(|p| p.nature == "continuing")
        .collect();
    assert_eq!(
        opening("续建项目", Period::new(2025, 1).unwrap(), &cont),
        "续建项目1项，总投资1.00亿元，年度计划投资0.20亿元。1月累计完成投资0.12亿元，占年度计划60.0%，\
         落后时间进度20.0个百分点。"
    );
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
fn the_same_snapshot_renders_the_same_document_after_a_round_trip() {
    let s = small();
    let stored = serde_json::to_string(&s).unwrap();
    let back: Snapshot = serde_json::from_str(&stored).unwrap();
    assert_eq!(render_text(&compose(&back)), render_text(&compose(&s)));
    assert_eq!(render_html(&compose(&back)), render_html(&compose(&s)));
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
    s.projects[0].light = Light::Red;
    let html = render_html(&compose(&s));
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;"));
}

#[test]
fn the_rendered_bulletin_is_stable() {
    insta::assert_snapshot!(render_text(&compose(&small())));
}
