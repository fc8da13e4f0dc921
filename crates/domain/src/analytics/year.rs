//! One project's year, month by month: the plan curve, the actual year-to-date carried
//! forward from the latest approved report, start facts and the light of every month.
//! Every rollup is a sum over these, so incremental and full computations agree by
//! construction: both call [`project_year`].

use super::lights::{self, Light, MonthFacts, Reason, RuleSet};
use super::ratio_bp;
use crate::codes::{Category, Nature};
use crate::money::Yuan;
use crate::plan::AnnualPlan;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// What the rollups group a project by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectMeta {
    pub id: i64,
    pub unit_id: i64,
    pub chain_id: Option<i64>,
    pub category: Category,
    pub nature: Nature,
    pub total_investment: Yuan,
    /// The project's funding sources, sorted, each once.
    pub funding: Vec<crate::codes::FundingSource>,
}

/// The latest approved report of one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovedMonth {
    pub month: u32,
    pub ytd: Yuan,
    pub since_start: Yuan,
    pub progress_bp: i64,
    pub disbursed: Yuan,
    pub started: bool,
    pub started_on: Option<NaiveDate>,
    pub stats_entered: bool,
}

/// A project's year as the rollups see it. Arrays are indexed by month − 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectYear {
    pub year: i32,
    pub meta: ProjectMeta,
    pub annual_plan: Yuan,
    /// Cumulative plan at the end of each month.
    pub plan: [Yuan; 12],
    /// Actual year-to-date at the end of each month (carried forward).
    pub actual: [Yuan; 12],
    /// A report was approved for the month.
    pub reported: [bool; 12],
    /// Started by the end of the month.
    pub started: [bool; 12],
    /// A new project due to have started by the end of the month.
    pub due_to_start: [bool; 12],
    pub lights: [Light; 12],
}

/// Inputs for one project's year.
#[derive(Debug, Clone)]
pub struct YearInputs<'a> {
    pub year: i32,
    pub meta: ProjectMeta,
    pub plan: Option<&'a AnnualPlan>,
    /// Approved months of the year, one per month, in any order.
    pub months: &'a [ApprovedMonth],
    pub rules: &'a RuleSet,
}

/// The monthly facts the light rules see for month `m` (1..=12), with the reasons.
pub fn month_facts(
    y: &ProjectYear,
    latest: Option<&ApprovedMonth>,
    planned_start: Option<u32>,
    m: u32,
) -> MonthFacts {
    let i = (m - 1) as usize;
    let started_month = latest.filter(|r| r.started).map(|r| match r.started_on {
        Some(d) if d.year() == y.year => d.month(),
        _ => 0,
    });
    MonthFacts {
        month: m,
        completion_bp: ratio_bp(y.actual[i].get(), y.annual_plan.get()),
        plan_bp: ratio_bp(y.plan[i].get(), y.annual_plan.get()),
        calendar_bp: super::progress::calendar_time_progress_bp(m),
        planned_start_month: planned_start,
        started_month,
        stats_entered: latest.is_some_and(|r| r.stats_entered),
        progress_bp: latest.map_or(0, |r| r.progress_bp),
        disbursed_bp: latest
            .and_then(|r| ratio_bp(r.disbursed.get(), y.meta.total_investment.get())),
        slippage_days: 0,
    }
}

/// The worst slippage of the year's milestones at the end of month `m`, in days: a
/// milestone reached late counts its delay; one not yet reached and past due counts the
/// days from its planned date to the end of the month.
pub fn slippage_days(milestones: &[crate::plan::Milestone], year: i32, m: u32) -> i64 {
    let Some(end) = crate::period::Period::new(year, m).map(|p| p.last_day()) else {
        return 0;
    };
    milestones
        .iter()
        .filter(|ms| ms.planned < end)
        .map(|ms| match ms.actual {
            Some(a) if a <= end => (a - ms.planned).num_days(),
            _ => (end - ms.planned).num_days(),
        })
        .max()
        .unwrap_or(0)
        .max(0)
}

/// Compute a project's year, and the reasons behind every month's light.
pub fn project_year_explained(i: &YearInputs) -> (ProjectYear, Vec<Vec<Reason>>) {
    let mut months: Vec<&ApprovedMonth> = i
        .months
        .iter()
        .filter(|m| (1..=12).contains(&m.month))
        .collect();
    // One per month; should two arrive, the larger figures win whatever their order.
    months.sort_by_key(|a| (a.month, a.ytd, a.since_start, a.progress_bp));
    let plan = i
        .plan
        .map(|p| *p.curve.cumulative())
        .unwrap_or([Yuan::ZERO; 12]);
    let planned_start = match i.meta.nature {
        Nature::New => i.plan.and_then(|p| p.planned_start_month),
        _ => None,
    };
    let mut y = ProjectYear {
        year: i.year,
        meta: i.meta.clone(),
        annual_plan: plan[11],
        plan,
        actual: [Yuan::ZERO; 12],
        reported: [false; 12],
        started: [false; 12],
        due_to_start: [false; 12],
        lights: [Light::Green; 12],
    };
    let mut reasons: Vec<Vec<Reason>> = vec![Vec::new(); 12];
    let mut latest: Option<&ApprovedMonth> = None;
    let mut k = 0;
    for m in 1..=12u32 {
        while k < months.len() && months[k].month <= m {
            latest = Some(months[k]);
            k += 1;
        }
        let idx = (m - 1) as usize;
        y.reported[idx] = latest.is_some_and(|r| r.month == m);
        y.actual[idx] = latest.map_or(Yuan::ZERO, |r| r.ytd);
        y.started[idx] = latest.is_some_and(|r| r.started);
        y.due_to_start[idx] = planned_start.is_some_and(|p| p <= m);
        let mut f = month_facts(&y, latest, planned_start, m);
        if i.rules.slippage.is_some() {
            f.slippage_days = slippage_days(i.plan.map_or(&[][..], |p| &p.milestones), i.year, m);
        }
        let (light, why) = lights::evaluate(i.rules, &f);
        y.lights[idx] = light;
        reasons[idx] = why;
    }
    lights::escalate(i.rules, &mut y.lights, &mut reasons);
    (y, reasons)
}

pub fn project_year(i: &YearInputs) -> ProjectYear {
    project_year_explained(i).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{MonthlyCurve, SeasonalProfile};

    pub(crate) fn meta(nature: Nature) -> ProjectMeta {
        ProjectMeta {
            id: 1,
            unit_id: 10,
            chain_id: Some(2),
            category: Category::Industry,
            nature,
            total_investment: Yuan::from_wan(10_000),
            funding: vec![],
        }
    }

    pub(crate) fn month(m: u32, ytd_wan: i64) -> ApprovedMonth {
        ApprovedMonth {
            month: m,
            ytd: Yuan::from_wan(ytd_wan),
            since_start: Yuan::from_wan(ytd_wan + 1000),
            progress_bp: 100 * i64::from(m),
            disbursed: Yuan::from_wan(ytd_wan),
            started: true,
            started_on: NaiveDate::from_ymd_opt(2024, 5, 1),
            stats_entered: true,
        }
    }

    #[test]
    fn carries_forward_and_lights_each_month() {
        let plan = AnnualPlan {
            year: 2025,
            curve: MonthlyCurve::from_profile(Yuan::from_wan(1200), &SeasonalProfile::even()),
            planned_start_month: None,
            milestones: vec![],
        };
        let rules = RuleSet::yinchuan();
        // On plan in months 1–3, no report in 4, then far behind from 6.
        let months = [
            month(2, 200),
            month(1, 100),
            month(3, 300),
            month(5, 420),
            month(6, 420),
        ];
        let (y, why) = project_year_explained(&YearInputs {
            year: 2025,
            meta: meta(Nature::Continuing),
            plan: Some(&plan),
            months: &months,
            rules: &rules,
        });
        assert_eq!(
            y.actual[3],
            Yuan::from_wan(300),
            "April carries March forward"
        );
        assert_eq!((y.reported[3], y.reported[4]), (false, true));
        assert_eq!(&y.lights[..3], &[Light::Green; 3]);
        // April: 25% done of 33.3% due, 8.3 points behind: green with a note.
        assert_eq!(y.lights[3], Light::Green);
        assert_eq!(why[3][0].rule, "progress");
        // June: 35% of 50% → 15 behind: yellow; July: 35% of 58.3% → red.
        assert_eq!(y.lights[5], Light::Yellow);
        assert_eq!(y.lights[6], Light::Red);
        assert_eq!(y.annual_plan, Yuan::from_wan(1200));
    }

    proptest::proptest! {
        /// The year does not depend on the order the approved months arrive in.
        #[test]
        fn order_of_reports_does_not_matter(ytds in proptest::collection::vec(0i64..2000, 1..12), seed in 0u64..1000) {
            let plan = AnnualPlan { year: 2025, curve: MonthlyCurve::from_profile(Yuan::from_wan(1200), &SeasonalProfile::northern()), planned_start_month: None, milestones: vec![] };
            let rules = RuleSet::yinchuan();
            let months: Vec<ApprovedMonth> = ytds.iter().enumerate().map(|(k, y)| month(k as u32 + 1, *y)).collect();
            let mut shuffled = months.clone();
            let n = shuffled.len();
            for k in 0..n {
                shuffled.swap(k, (seed as usize * 7 + k * 13) % n);
            }
            let a = project_year(&YearInputs { year: 2025, meta: meta(Nature::Continuing), plan: Some(&plan), months: &months, rules: &rules });
            let b = project_year(&YearInputs { year: 2025, meta: meta(Nature::Continuing), plan: Some(&plan), months: &shuffled, rules: &rules });
            proptest::prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn slippage_of_milestones_lights_the_slippage_variant() {
        use crate::plan::Milestone;
        let d = |mo: u32, day: u32| NaiveDate::from_ymd_opt(2025, mo, day).unwrap();
        let ms = vec![
            Milestone {
                name: "开工".into(),
                planned: d(3, 1),
                actual: Some(d(3, 5)),
            },
            Milestone {
                name: "主体完工".into(),
                planned: d(6, 20),
                actual: None,
            },
        ];
        assert_eq!(slippage_days(&ms, 2025, 2), 0);
        assert_eq!(slippage_days(&ms, 2025, 3), 4);
        assert_eq!(slippage_days(&ms, 2025, 6), 10);
        assert_eq!(slippage_days(&ms, 2025, 7), 41);
        let plan = AnnualPlan {
            year: 2025,
            curve: MonthlyCurve::from_profile(Yuan::from_wan(1200), &SeasonalProfile::even()),
            planned_start_month: None,
            milestones: ms,
        };
        let rules: RuleSet = serde_json::from_str(
            r#"{ "progress": null, "start": null, "stats_entry": null, "funds": null, "escalate_after_yellows": 0,
                 "slippage": { "yellow_days": 1, "orange_days": 8, "red_days": 15 } }"#,
        )
        .unwrap();
        let y = project_year(&YearInputs {
            year: 2025,
            meta: meta(Nature::Continuing),
            plan: Some(&plan),
            months: &[],
            rules: &rules,
        });
        assert_eq!(
            &y.lights[1..7],
            &[
                Light::Green,
                Light::Yellow,
                Light::Yellow,
                Light::Yellow,
                Light::Orange,
                Light::Red
            ]
        );
    }

    #[test]
    fn a_new_project_due_to_start() {
        let plan = AnnualPlan {
            year: 2025,
            curve: MonthlyCurve::from_profile(Yuan::from_wan(1200), &SeasonalProfile::even()),
            planned_start_month: Some(3),
            milestones: vec![],
        };
        let rules = RuleSet {
            progress: None,
            ..RuleSet::yinchuan()
        };
        let mut m5 = month(5, 0);
        m5.started = true;
        m5.started_on = NaiveDate::from_ymd_opt(2025, 5, 10);
        let mut m4 = month(4, 0);
        m4.started = false;
        let months = [m4, m5];
        let y = project_year(&YearInputs {
            year: 2025,
            meta: meta(Nature::New),
            plan: Some(&plan),
            months: &months,
            rules: &rules,
        });
        assert_eq!(&y.due_to_start[..4], &[false, false, true, true]);
        assert_eq!(&y.started[3..5], &[false, true]);
        // March and April not started: yellow, yellow → April escalates to red; May started.
        assert_eq!(&y.lights[2..5], &[Light::Yellow, Light::Red, Light::Green]);
    }
}
