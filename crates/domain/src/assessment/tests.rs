use super::*;
use proptest::prelude::*;

fn scheme(json: &str) -> Scheme {
    let s: Scheme = serde_json::from_str(json).unwrap();
    s.validate().unwrap();
    s
}
fn annual() -> Scheme {
    scheme(include_str!("schemes/annual-targets.json"))
}
fn value(v: f64) -> Input {
    Input {
        value: Some(v),
        ..Default::default()
    }
}
fn one(code: &str, i: Input) -> BTreeMap<String, Input> {
    [(code.to_string(), i)].into()
}
fn line(r: &UnitResult, code: &str) -> f64 {
    r.lines.iter().find(|l| l.code == code).unwrap().score
}

#[test]
fn the_real_sheet_scores_completion_as_published() {
    // 25 points; −0.1 per point below 100%, +0.2 per point from 100% to 130%; ±10.
    let s = annual();
    let units: BTreeMap<i64, BTreeMap<String, Input>> =
        [(1, 112.0), (2, 85.0), (3, 140.0), (4, 0.0), (5, 100.0)]
            .into_iter()
            .map(|(u, v)| (u, one("completion", value(v))))
            .collect();
    let r = score(&s, &units);
    let by = |u: i64| r.iter().find(|x| x.unit_id == u).unwrap();
    assert_eq!(line(by(1), "completion"), 27.4); // 25 + 12 × 0.2
    assert_eq!(line(by(2), "completion"), 23.5); // 25 − 15 × 0.1
    assert_eq!(line(by(3), "completion"), 31.0); // 25 + min(30 × 0.2, 10)
    assert_eq!(line(by(4), "completion"), 15.0); // 25 − min(100 × 0.1, 10)
    assert_eq!(line(by(5), "completion"), 25.0);
    let why = &by(1).lines[0].explanation;
    assert_eq!(why, "25 + min((min(112.00, 130) − 100) × 0.2, 10) = 27.40");
}

#[test]
fn review_scores_drop_the_highest_and_lowest_and_weigh_the_groups() {
    let s = annual();
    let reviews = [
        ("领导", 32.0),
        ("领导", 36.0),
        ("领导", 28.0),
        ("领导", 40.0),
        ("领导", 14.0),
        ("部门", 30.0),
        ("部门", 34.0),
    ]
    .iter()
    .map(|(g, x)| (g.to_string(), *x))
    .collect();
    let units = [(
        7,
        one(
            "review",
            Input {
                reviews,
                ..Default::default()
            },
        ),
    )]
    .into();
    let r = score(&s, &units);
    // 领导: (32 + 36 + 28) / 3 = 32; 部门 (two: none dropped) = 32; weighted 32.
    assert_eq!(line(&r[0], "review"), 32.0);
    assert!(
        r[0].lines
            .iter()
            .find(|l| l.code == "review")
            .unwrap()
            .explanation
            .contains("领导5人均分32.00")
    );
}

#[test]
fn the_yanan_monthly_score_and_its_penalty() {
    let s = scheme(include_str!("schemes/yanan-monthly.json"));
    let unit = |done: f64, scale: f64, criticised: f64| -> BTreeMap<String, Input> {
        [
            ("completion".to_string(), value(done)),
            ("scale".to_string(), value(scale)),
            (
                "criticised".to_string(),
                Input {
                    count: Some(criticised),
                    ..Default::default()
                },
            ),
        ]
        .into()
    };
    let units = [
        (1, unit(90.0, 120.0, 0.0)),
        (2, unit(50.0, 12.0, 1.0)),
        (3, unit(120.0, 3.0, 9.0)),
    ]
    .into();
    let r = score(&s, &units);
    let by = |u: i64| r.iter().find(|x| x.unit_id == u).unwrap().total;
    assert_eq!(by(1), 74.0); // 60 × 0.9 + 20
    assert_eq!(by(2), 31.0); // 60 × 0.5 + 6 − 5
    assert_eq!(by(3), 43.0); // 60 × 1 (capped) + 3 − min(45, 20)
}

#[test]
fn the_three_lists_review_ranks_and_grades() {
    let s = scheme(include_str!("schemes/three-lists-quarterly.json"));
    let panel = |x: f64| -> Vec<(String, f64)> {
        ["专家", "专家", "专家", "领导", "领导", "领导"]
            .iter()
            .map(|g| (g.to_string(), x))
            .collect()
    };
    let unit = |k: f64| -> BTreeMap<String, Input> {
        [("key", 40.0), ("highlight", 30.0), ("difficult", 30.0)]
            .iter()
            .map(|(c, p)| {
                (
                    c.to_string(),
                    Input {
                        reviews: panel(p * k),
                        ..Default::default()
                    },
                )
            })
            .collect()
    };
    let units = [
        (1, unit(0.95)),
        (2, unit(0.85)),
        (3, unit(0.7)),
        (4, unit(0.5)),
    ]
    .into();
    let r = score(&s, &units);
    let got: Vec<(i64, f64, usize, &str)> = r
        .iter()
        .map(|x| (x.unit_id, x.total, x.rank, x.grade.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, 95.0, 1, "优秀"),
            (2, 85.0, 2, "良好"),
            (3, 70.0, 3, "一般"),
            (4, 50.0, 4, "较差")
        ]
    );
}

#[test]
fn weights_that_do_not_add_up_are_refused_by_name() {
    let mut s = annual();
    s.indicators[1].points = 14.0;
    let e = s.validate().unwrap_err();
    assert_eq!(
        e,
        SchemeError::Weights {
            code: s.name.clone(),
            sum: 99.0,
            points: 100.0
        }
    );
    assert!(e.to_string().contains("合计99"));
    let mut s = annual();
    s.indicators[0].scoring = None;
    assert_eq!(
        s.validate().unwrap_err(),
        SchemeError::NoScoring {
            code: "completion".into()
        }
    );
    let bad: Result<Scheme, _> =
        serde_json::from_str(r#"{"name":"x","points":1,"indicators":[],"grades":[],"extra":1}"#);
    assert!(bad.is_err(), "unknown fields are refused");
}

#[test]
fn grade_quotas_move_the_excess_down_in_rank_order() {
    let s = annual();
    let units = (1..=10)
        .map(|u| (u, one("completion", value(130.0 - u as f64))))
        .collect();
    // Everyone scores 90 or more on completion + nothing else? Give them all the rest.
    let mut units: BTreeMap<i64, BTreeMap<String, Input>> = units;
    for (_, m) in units.iter_mut() {
        for c in ["start", "on_time", "closure"] {
            m.insert(c.into(), value(100.0));
        }
        m.insert(
            "review".into(),
            Input {
                reviews: vec![("领导".into(), 40.0), ("部门".into(), 40.0)],
                ..Default::default()
            },
        );
    }
    let r = score(&s, &units);
    assert!(r.iter().all(|x| x.total >= 90.0));
    let excellent: Vec<i64> = r
        .iter()
        .filter(|x| x.grade == "优秀")
        .map(|x| x.unit_id)
        .collect();
    assert_eq!(
        excellent,
        vec![1, 2, 3],
        "at most 30% of 10, the best three"
    );
    assert!(r.iter().skip(3).all(|x| x.grade == "良好"));
}

fn any_input() -> impl Strategy<Value = Input> {
    (
        proptest::option::of(0.0f64..200.0),
        proptest::option::of(0.0f64..10.0),
        proptest::collection::vec((prop_oneof!["领导", "部门"], 0.0f64..40.0), 0..6),
    )
        .prop_map(|(value, count, reviews)| Input {
            value,
            count,
            reviews: reviews
                .into_iter()
                .map(|(g, x)| (g.to_string(), x))
                .collect(),
        })
}

proptest! {
    #[test]
    fn no_line_exceeds_its_points_plus_its_bonus_cap(inputs in proptest::collection::btree_map(1i64..20, proptest::collection::btree_map(prop_oneof!["completion", "start", "on_time", "closure", "review", "award"].prop_map(String::from), any_input(), 0..6), 1..8)) {
        let s = annual();
        for r in score(&s, &inputs) {
            for l in &r.lines {
                let ind = s.leaves().into_iter().find(|i| i.code == l.code).unwrap();
                let bonus = match ind.scoring.as_ref().unwrap() {
                    Scoring::Banded { bonus_cap, .. } | Scoring::Bonus { cap: bonus_cap, .. } => *bonus_cap,
                    _ => 0.0,
                };
                prop_assert!(l.score <= ind.points + bonus + 1e-9, "{l:?}");
            }
            prop_assert!(r.total <= s.points + 10.0 + 5.0 + 1e-9);
        }
    }

    #[test]
    fn better_inputs_on_every_indicator_never_score_lower(base in proptest::collection::vec(0.0f64..150.0, 4), lift in proptest::collection::vec(0.0f64..30.0, 4), rev in 0.0f64..35.0, up in 0.0f64..5.0, award in 0u8..4) {
        let s = annual();
        let codes = ["completion", "start", "on_time", "closure"];
        let mk = |vals: &[f64], review: f64, awards: f64| -> BTreeMap<String, Input> {
            let mut m: BTreeMap<String, Input> = codes.iter().zip(vals).map(|(c, v)| (c.to_string(), value(*v))).collect();
            m.insert("review".into(), Input { reviews: vec![("领导".into(), review), ("部门".into(), review)], ..Default::default() });
            m.insert("award".into(), Input { count: Some(awards), ..Default::default() });
            m
        };
        let better: Vec<f64> = base.iter().zip(&lift).map(|(b, l)| b + l).collect();
        let units = [(1, mk(&base, rev, f64::from(award))), (2, mk(&better, rev + up, f64::from(award) + 1.0))].into();
        let r = score(&s, &units);
        let total = |u: i64| r.iter().find(|x| x.unit_id == u).unwrap().total;
        prop_assert!(total(2) >= total(1), "{} < {}", total(2), total(1));
    }

    #[test]
    fn grade_quotas_hold(totals in proptest::collection::vec(0.0f64..150.0, 1..30)) {
        let s = annual();
        let units = totals.iter().enumerate().map(|(u, v)| (u as i64, complete(*v))).collect::<BTreeMap<_, _>>();
        let mut s2 = s.clone();
        // Lower the bar so that the quota, not the score, decides.
        s2.grades[0].min_score = 0.0;
        s2.grades[1].min_score = 0.0;
        let r = score(&s2, &units);
        let excellent = r.iter().filter(|x| x.grade == "优秀").count();
        prop_assert!(excellent as f64 <= 0.3 * r.len() as f64 + 1e-9);
    }
}

/// Every input of the annual sheet, the completion rate given.
fn complete(completion: f64) -> BTreeMap<String, Input> {
    let mut m = one("completion", value(completion));
    for c in ["start", "on_time", "closure"] {
        m.insert(c.into(), value(100.0));
    }
    m.insert(
        "review".into(),
        Input {
            reviews: vec![("领导".into(), 30.0), ("部门".into(), 30.0)],
            ..Default::default()
        },
    );
    m
}

#[test]
fn no_grade_until_every_input_is_in() {
    let s = annual();
    // Three units complete, one still waiting for the department's review scores.
    let mut units: BTreeMap<i64, BTreeMap<String, Input>> =
        (1..=4).map(|u| (u, complete(100.0 + u as f64))).collect();
    units.get_mut(&4).unwrap().insert(
        "review".into(),
        Input {
            reviews: vec![("领导".into(), 30.0)],
            ..Default::default()
        },
    );
    let r = score(&s, &units);
    assert!(r.iter().all(|x| x.grade.is_empty()), "{r:?}");
    let waiting: Vec<(i64, Vec<String>)> = r
        .iter()
        .filter(|x| !x.missing.is_empty())
        .map(|x| (x.unit_id, x.missing.clone()))
        .collect();
    assert_eq!(waiting, vec![(4, vec!["review".to_string()])]);
    // Ranks are given all the same (a provisional ranking).
    assert!(r.iter().all(|x| x.rank > 0));
    // A run published before completeness was required keeps the grades it had.
    assert!(
        score_with(&s, &units, false)
            .iter()
            .all(|x| !x.grade.is_empty())
    );
    // With the last scores in, every unit has its grade.
    units.insert(4, complete(104.0));
    assert!(score(&s, &units).iter().all(|x| !x.grade.is_empty()));
}

#[test]
fn every_example_scheme_is_valid() {
    for json in EXAMPLES {
        scheme(json);
    }
}
