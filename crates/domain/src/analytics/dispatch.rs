//! The weekly dispatch list (调度清单): projects needing action, each with its reasons
//! (DESIGN §4): red or yellow, not started when planned, milestones overdue, problems
//! overdue, reports missing.

use super::lights::Light;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispatchReason {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

/// What the dispatch rules look at for one project.
#[derive(Debug, Clone, Default)]
pub struct DispatchFacts {
    pub light: Light,
    pub due_to_start_not_started: bool,
    pub milestones_overdue: Vec<String>,
    pub problems_overdue: i64,
    pub report_missing: bool,
}

/// The reasons a project is on the dispatch list; empty when it needs no action.
pub fn reasons(f: &DispatchFacts) -> Vec<DispatchReason> {
    let mut out = Vec::new();
    if f.light >= Light::Yellow {
        out.push(DispatchReason {
            code: "light",
            zh: format!("亮{}", f.light.zh()),
            en: format!("{} light", f.light.code()),
        });
    }
    if f.due_to_start_not_started {
        out.push(DispatchReason {
            code: "not_started",
            zh: "应开未开".into(),
            en: "not started when planned".into(),
        });
    }
    if !f.milestones_overdue.is_empty() {
        out.push(DispatchReason {
            code: "milestone_overdue",
            zh: format!("节点逾期：{}", f.milestones_overdue.join("、")),
            en: format!("milestones overdue: {}", f.milestones_overdue.join(", ")),
        });
    }
    if f.problems_overdue > 0 {
        out.push(DispatchReason {
            code: "problems_overdue",
            zh: format!("{}个问题超期未整改", f.problems_overdue),
            en: match f.problems_overdue {
                1 => "1 problem overdue".to_string(),
                n => format!("{n} problems overdue"),
            },
        });
    }
    if f.report_missing {
        out.push(DispatchReason {
            code: "report_missing",
            zh: "本期未报送进度".into(),
            en: "this period's report is missing".into(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_reason_is_named() {
        assert!(reasons(&DispatchFacts::default()).is_empty());
        let f = DispatchFacts {
            light: Light::Red,
            due_to_start_not_started: true,
            milestones_overdue: vec!["开工".into()],
            problems_overdue: 2,
            report_missing: true,
        };
        let codes: Vec<&str> = reasons(&f).iter().map(|r| r.code).collect();
        assert_eq!(
            codes,
            vec![
                "light",
                "not_started",
                "milestone_overdue",
                "problems_overdue",
                "report_missing"
            ]
        );
        assert_eq!(reasons(&f)[0].zh, "亮红灯");
        assert_eq!(reasons(&f)[3].en, "2 problems overdue");
        let one = DispatchFacts {
            problems_overdue: 1,
            ..Default::default()
        };
        assert_eq!(reasons(&one)[0].en, "1 problem overdue");
    }
}
