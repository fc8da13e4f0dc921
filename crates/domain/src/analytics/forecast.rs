//! Forecasts and earned value (DESIGN §5.5): the year-end projection from performance to
//! date, a band from the project's own month-to-month variance, the month the annual
//! plan would be met, and the earned-value metrics.

use super::div_round;
use super::year::ProjectYear;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Forecast {
    /// Projected year-end actual, yuan.
    pub year_end: i64,
    /// The band: projection ± one standard deviation of the monthly performance ratio
    /// applied to the rest of the plan.
    pub low: i64,
    pub high: i64,
    /// The month (1..=12) by which the annual plan is reached at this pace.
    pub plan_met_month: Option<u32>,
    /// Performance to date: actual over plan to date, bp.
    pub performance_bp: Option<i64>,
}

/// Forecast from the year as of month `m` (1..=12).
pub fn forecast(y: &ProjectYear, m: u32) -> Forecast {
    let i = (m.clamp(1, 12) - 1) as usize;
    let (actual, planned) = (y.actual[i].get() as i128, y.plan[i].get() as i128);
    let annual = y.annual_plan.get() as i128;
    let rest = annual - planned;
    // Performance to date; with nothing planned yet, assume the plan will be kept.
    let (num, den) = if planned > 0 {
        (actual, planned)
    } else {
        (1, 1)
    };
    let year_end = actual + div_round(rest * num, den);
    // Month-by-month ratios of actual to planned increments, where something was planned.
    let ratios: Vec<f64> = (0..=i)
        .filter_map(|k| {
            let dp = y.plan[k].get() - if k > 0 { y.plan[k - 1].get() } else { 0 };
            let da = y.actual[k].get() - if k > 0 { y.actual[k - 1].get() } else { 0 };
            (dp > 0).then(|| da as f64 / dp as f64)
        })
        .collect();
    let sd = if ratios.len() > 1 {
        let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
        (ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (ratios.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    let spread = (sd * rest as f64).round() as i128;
    let plan_met_month = if actual >= annual && annual > 0 {
        Some(m)
    } else {
        (m + 1..=12).find(|&k| {
            let more = y.plan[(k - 1) as usize].get() as i128 - planned;
            actual + div_round(more * num, den) >= annual && annual > 0
        })
    };
    Forecast {
        year_end: year_end as i64,
        low: (year_end - spread).max(actual) as i64,
        high: (year_end + spread) as i64,
        plan_met_month,
        performance_bp: (planned > 0).then(|| div_round(actual * 10_000, planned) as i64),
    }
}

/// Earned value at a month: budget at completion (BAC), planned value (PV: the plan
/// curve's share of BAC), earned value (EV: physical progress × BAC) and actual cost
/// (AC), with SPI, CPI, EAC and the earned schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EarnedValue {
    pub bac: i64,
    pub pv: i64,
    pub ev: i64,
    pub ac: i64,
    pub spi: Option<f64>,
    pub cpi: Option<f64>,
    pub eac: Option<f64>,
    /// Earned schedule in months: when the plan reached today's EV (interpolated).
    pub earned_schedule: f64,
    /// Earned schedule minus the months elapsed: negative = behind.
    pub schedule_variance_months: f64,
}

/// `planned_share_bp[k]` is the planned physical progress at the end of month k+1.
pub fn earned_value(
    bac: i64,
    planned_share_bp: &[i64; 12],
    month: u32,
    progress_bp: i64,
    actual_cost: i64,
) -> EarnedValue {
    let i = (month.clamp(1, 12) - 1) as usize;
    let of = |bp: i64| div_round(bac as i128 * bp as i128, 10_000) as i64;
    let (pv, ev, ac) = (of(planned_share_bp[i]), of(progress_bp), actual_cost);
    let spi = (pv > 0).then(|| ev as f64 / pv as f64);
    let cpi = (ac > 0).then(|| ev as f64 / ac as f64);
    let eac = match (spi, cpi) {
        (Some(s), Some(c)) if s > 0.0 && c > 0.0 => Some(ac as f64 + (bac - ev) as f64 / (c * s)),
        _ => None,
    };
    // Earned schedule: the last month whose plan ≤ EV, plus the fraction into the next.
    let mut es = 0.0;
    for k in 0..12 {
        let p = of(planned_share_bp[k]);
        if p <= ev {
            es = (k + 1) as f64;
        } else {
            let prev = if k > 0 {
                of(planned_share_bp[k - 1])
            } else {
                0
            };
            if p > prev {
                es = k as f64 + (ev - prev) as f64 / (p - prev) as f64;
            }
            break;
        }
    }
    EarnedValue {
        bac,
        pv,
        ev,
        ac,
        spi,
        cpi,
        eac,
        earned_schedule: es,
        schedule_variance_months: es - month as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::lights::RuleSet;
    use crate::analytics::year::{ApprovedMonth, ProjectMeta, YearInputs, project_year};
    use crate::codes::{Category, Nature};
    use crate::money::Yuan;
    use crate::plan::{AnnualPlan, MonthlyCurve, SeasonalProfile};
    use proptest::prelude::*;

    fn year(annual_wan: i64, actual_wan: &[i64]) -> ProjectYear {
        let plan = AnnualPlan {
            year: 2025,
            curve: MonthlyCurve::from_profile(
                Yuan::from_wan(annual_wan),
                &SeasonalProfile::northern(),
            ),
            planned_start_month: None,
            milestones: vec![],
        };
        let months: Vec<ApprovedMonth> = actual_wan
            .iter()
            .enumerate()
            .map(|(k, a)| ApprovedMonth {
                month: k as u32 + 1,
                ytd: Yuan::from_wan(*a),
                since_start: Yuan::from_wan(*a),
                progress_bp: 0,
                disbursed: Yuan::ZERO,
                started: true,
                started_on: None,
                stats_entered: true,
            })
            .collect();
        let meta = ProjectMeta {
            id: crate::ids::ProjectId::new(1),
            unit_id: 1,
            chain_id: None,
            category: Category::Industry,
            nature: Nature::Continuing,
            total_investment: Yuan::from_wan(annual_wan * 3),
            funding: vec![],
        };
        project_year(&YearInputs {
            year: 2025,
            meta,
            plan: Some(&plan),
            months: &months,
            submissions: &[],
            rules: &RuleSet::yinchuan(),
        })
    }

    proptest! {
        /// A project exactly on plan is forecast to end exactly on plan, with no band.
        #[test]
        fn on_plan_forecasts_the_plan(annual in 1i64..1_000_000, m in 1u32..13) {
            let on = year(annual, &[]);
            let curve: Vec<i64> = on.plan.iter().take(m as usize).map(|y| y.get() / 10_000).collect();
            let plan = AnnualPlan { year: 2025, curve: MonthlyCurve::from_profile(Yuan::from_wan(annual), &SeasonalProfile::northern()), planned_start_month: None, milestones: vec![] };
            let months: Vec<ApprovedMonth> = (1..=m).map(|k| ApprovedMonth { month: k, ytd: plan.curve.to_month(k), since_start: Yuan::ZERO, progress_bp: 0, disbursed: Yuan::ZERO, started: true, started_on: None, stats_entered: true }).collect();
            let meta = on.meta.clone();
            let y = project_year(&YearInputs { year: 2025, meta, plan: Some(&plan), months: &months, submissions: &[], rules: &RuleSet::yinchuan() });
            let f = forecast(&y, m);
            prop_assert_eq!(f.year_end, y.annual_plan.get());
            prop_assert_eq!((f.low, f.high), (f.year_end, f.year_end));
            prop_assert!(curve.len() == m as usize);
        }
    }

    #[test]
    fn behind_plan_projects_short_and_ahead_meets_early() {
        let y = year(1200, &[0, 0, 50, 150, 250, 350]);
        let f = forecast(&y, 6);
        assert!(f.year_end < y.annual_plan.get());
        assert!(f.performance_bp.unwrap() < 10_000);
        assert!(f.low <= f.year_end && f.year_end <= f.high);
        assert_eq!(f.plan_met_month, None);
        let fast = year(1200, &[0, 0, 200, 400, 600, 800]);
        let g = forecast(&fast, 6);
        assert!(g.year_end > fast.annual_plan.get());
        assert!(g.plan_met_month.unwrap() < 12);
    }

    #[test]
    fn earned_value_worked_example() {
        // BAC 1000; plan 10% per month; at month 5 PV = 500; progress 40% → EV 400; AC 450.
        let share: [i64; 12] =
            std::array::from_fn(|k| 1000 * (k as i64 + 1)).map(|x| x.min(10_000));
        let ev = earned_value(1000, &share, 5, 4000, 450);
        assert_eq!((ev.pv, ev.ev, ev.ac), (500, 400, 450));
        assert!((ev.spi.unwrap() - 0.8).abs() < 1e-9);
        assert!((ev.cpi.unwrap() - 400.0 / 450.0).abs() < 1e-9);
        // EAC = AC + (BAC − EV)/(CPI·SPI) = 450 + 600/(0.8889·0.8) = 1293.75
        assert!((ev.eac.unwrap() - 1293.75).abs() < 1e-6);
        assert!((ev.earned_schedule - 4.0).abs() < 1e-9);
        assert!((ev.schedule_variance_months + 1.0).abs() < 1e-9);
    }
}
