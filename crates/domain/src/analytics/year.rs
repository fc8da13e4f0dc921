//! One project's year, month by month: the plan curve, the actual year-to-date carried
//! forward from the latest approved report, start facts and the light of every month.
//! Every rollup is a sum over these, so incremental and full computations agree by
//! construction: both call [`project_year`].

use super::lights::{self, Light, MonthFacts, Reason, RuleSet};
use super::ratio_bp;
use crate::codes::{Category, Nature};
use crate::ids::{ChainId, ProjectId};
use crate::money::Yuan;
use crate::plan::AnnualPlan;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// What the rollups group a project by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProjectMeta {
    pub id: ProjectId,
    pub unit_id: i64,
    pub chain_id: Option<ChainId>,
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

/// Whether a month's report was submitted (awaiting approval or approved) and whether
/// its first submission came after the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Submission {
    pub month: u32,
    pub submitted: bool,
    pub late: bool,
}

/// The approved months and the submissions of one project's reports of a year, as the
/// store reads them: the newest approved revision of each month; a month submitted when
/// any revision is submitted or approved; late when its first revision was.
pub fn from_reports<'a>(
    year: i32,
    reports: impl IntoIterator<Item = &'a crate::report::Report>,
) -> (Vec<ApprovedMonth>, Vec<Submission>) {
    use crate::report::ReportState;
    let mut months = ReportedMonths::default();
    for r in reports.into_iter().filter(|r| r.period.year() == year) {
        let f = &r.figures;
        let approved = (r.state == ReportState::Approved).then(|| ApprovedMonth {
            month: r.period.month(),
            ytd: f.invest_ytd,
            since_start: f.invest_since_start,
            progress_bp: f.progress_bp,
            disbursed: f.funds_disbursed,
            started: f.started,
            started_on: f.started_on,
            stats_entered: f.stats_entered,
        });
        let submitted = matches!(
            r.state,
            ReportState::Submitted | ReportState::Checked | ReportState::Approved
        );
        months.add(r.period.month(), r.revision, submitted, r.late, approved);
    }
    months.finish()
}

/// One project's reports of a year folded one at a time, in any order, into what its
/// year is computed from (see [`from_reports`]; the store's rebuild folds its rows here).
#[derive(Debug, Clone, Default)]
pub struct ReportedMonths {
    approved: Vec<(i64, ApprovedMonth)>,
    submissions: Vec<Submission>,
}

impl ReportedMonths {
    /// A report of `month`: its revision, whether it is submitted (submitted, checked or
    /// approved), whether it came after the deadline, and its figures when approved.
    pub fn add(
        &mut self,
        month: u32,
        revision: i64,
        submitted: bool,
        late: bool,
        approved: Option<ApprovedMonth>,
    ) {
        let late = revision == 1 && late;
        match self.submissions.iter_mut().find(|s| s.month == month) {
            Some(s) => {
                s.submitted |= submitted;
                s.late |= late;
            }
            None => self.submissions.push(Submission {
                month,
                submitted,
                late,
            }),
        }
        if let Some(m) = approved {
            match self.approved.iter_mut().find(|(_, x)| x.month == m.month) {
                Some(slot) if slot.0 < revision => *slot = (revision, m),
                Some(_) => {}
                None => self.approved.push((revision, m)),
            }
        }
    }

    /// The newest approved revision of each month, and each month's submission.
    pub fn finish(self) -> (Vec<ApprovedMonth>, Vec<Submission>) {
        (
            self.approved.into_iter().map(|(_, m)| m).collect(),
            self.submissions,
        )
    }
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
    /// A report was submitted (awaiting approval or approved) for the month.
    pub submitted: [bool; 12],
    /// The month's report was first submitted after the deadline.
    pub late: [bool; 12],
    /// A milestone is past its planned date and not reached at the month's end.
    pub milestone_overdue: [bool; 12],
    /// A new project planned to start this year.
    pub new_planned: bool,
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
    /// The year's submissions, at most one per month, in any order.
    pub submissions: &'a [Submission],
    pub rules: &'a RuleSet,
}

/// The monthly facts the light rules see for month `m` (1..=12). `entered` says
/// whether any approved report of the year up to the month said the project was entered
/// in the statistics (入库纳统 happens once: a later report that forgets it does not undo it).
pub fn month_facts(
    y: &ProjectYear,
    latest: Option<&ApprovedMonth>,
    planned_start: Option<u32>,
    entered: bool,
    m: u32,
) -> MonthFacts {
    let i = (m - 1) as usize;
    let started = latest.filter(|r| r.started);
    let started_month = started.map(|r| match r.started_on {
        Some(d) if d.year() == y.year => d.month(),
        _ => 0,
    });
    // Whole months from the start to this month, across years when the start date is known.
    let months_since_start = started.map(|r| match r.started_on {
        Some(d) if (d.year(), d.month()) <= (y.year, m) => {
            ((y.year - d.year()) * 12 + m as i32 - d.month() as i32) as u32
        }
        Some(_) => 0,
        None => m - started_month.unwrap_or(0).min(m),
    });
    let construction = match y.meta.nature {
        Nature::Preparatory => false,
        Nature::Continuing => true,
        Nature::New => started_month.is_some_and(|s| s <= m),
    };
    MonthFacts {
        month: m,
        completion_bp: ratio_bp(y.actual[i].get(), y.annual_plan.get()),
        plan_bp: ratio_bp(y.plan[i].get(), y.annual_plan.get()),
        calendar_bp: super::progress::calendar_time_progress_bp(m),
        in_construction: construction && y.plan[i] > Yuan::ZERO,
        planned_start_month: planned_start,
        started_month,
        months_since_start,
        stats_entered: entered,
        progress_bp: latest.map_or(0, |r| r.progress_bp),
        disbursed_bp: latest
            .and_then(|r| ratio_bp(r.disbursed.get(), y.meta.total_investment.get())),
        slippage_days: 0,
    }
}

/// Is a milestone past its planned date and not reached at the end of month `m`?
pub fn milestone_overdue(milestones: &[crate::plan::Milestone], year: i32, m: u32) -> bool {
    let Some(end) = crate::period::Period::new(year, m).map(|p| p.last_day()) else {
        return false;
    };
    milestones.iter().any(|ms| ms.overdue_at(end))
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
    project_year_with(i, true)
}

/// The year, with the reasons' words (`explain`) or without them (the lights are the
/// same either way).
fn project_year_with(i: &YearInputs, explain: bool) -> (ProjectYear, Vec<Vec<Reason>>) {
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
        submitted: [false; 12],
        late: [false; 12],
        milestone_overdue: [false; 12],
        new_planned: planned_start.is_some(),
        started: [false; 12],
        due_to_start: [false; 12],
        lights: [Light::Green; 12],
    };
    let mut reasons: Vec<Vec<Reason>> = vec![Vec::new(); 12];
    for s in i.submissions.iter().filter(|s| (1..=12).contains(&s.month)) {
        let idx = (s.month - 1) as usize;
        y.submitted[idx] |= s.submitted;
        y.late[idx] |= s.late;
    }
    let milestones = i.plan.map_or(&[][..], |p| &p.milestones);
    let mut latest: Option<&ApprovedMonth> = None;
    let mut entered = false;
    let mut k = 0;
    for m in 1..=12u32 {
        while k < months.len() && months[k].month <= m {
            latest = Some(months[k]);
            entered |= months[k].stats_entered;
            k += 1;
        }
        let idx = (m - 1) as usize;
        y.reported[idx] = latest.is_some_and(|r| r.month == m);
        // An approved report was submitted, whatever the submissions say.
        y.submitted[idx] |= y.reported[idx];
        y.actual[idx] = latest.map_or(Yuan::ZERO, |r| r.ytd);
        y.started[idx] = latest.is_some_and(|r| r.started);
        y.due_to_start[idx] = planned_start.is_some_and(|p| p <= m);
        y.milestone_overdue[idx] = milestone_overdue(milestones, i.year, m);
        let mut f = month_facts(&y, latest, planned_start, entered, m);
        if i.rules.slippage.is_some() {
            f.slippage_days = slippage_days(milestones, i.year, m);
        }
        let (light, why) = lights::evaluate_with(i.rules, &f, explain);
        y.lights[idx] = light;
        reasons[idx] = why;
    }
    lights::escalate(i.rules, &mut y.lights, &mut reasons, explain);
    (y, reasons)
}

pub fn project_year(i: &YearInputs) -> ProjectYear {
    project_year_with(i, false).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{MonthlyCurve, SeasonalProfile};

    pub(crate) fn meta(nature: Nature) -> ProjectMeta {
        ProjectMeta {
            id: ProjectId::new(1),
            unit_id: 10,
            chain_id: Some(ChainId::new(2)),
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
            submissions: &[],
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
        // June: 35% of 50% → 15 behind: yellow; July: 35% of 58.3%, 23.3 behind: still
        // yellow (the default does not escalate); August: 31.7 behind → red.
        assert_eq!(y.lights[5], Light::Yellow);
        assert_eq!(y.lights[6], Light::Yellow);
        assert_eq!(y.lights[7], Light::Red);
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
            let a = project_year(&YearInputs { year: 2025, meta: meta(Nature::Continuing), plan: Some(&plan), months: &months, submissions: &[], rules: &rules });
            let b = project_year(&YearInputs { year: 2025, meta: meta(Nature::Continuing), plan: Some(&plan), months: &shuffled, submissions: &[], rules: &rules });
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
            submissions: &[],
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
            submissions: &[],
            rules: &rules,
        });
        assert_eq!(&y.due_to_start[..4], &[false, false, true, true]);
        assert_eq!(&y.started[3..5], &[false, true]);
        // March and April not started: yellow, yellow; May started (and, started in May,
        // its progress is judged from May on).
        assert_eq!(
            &y.lights[2..5],
            &[Light::Yellow, Light::Yellow, Light::Green]
        );
        assert!(y.new_planned);
    }
}
