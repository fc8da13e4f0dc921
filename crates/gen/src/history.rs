//! The year before: what an office loads on its first day (补录) for the projects that
//! were already under way, so that year-on-year growth and trends have a past. Each
//! project's last year ends where this year's reports begin (its investment before this
//! year), on a plan it met more or less well; every report is approved history.

use crate::{rng_for, wan};
use duban_domain::ids::{ProjectId, ReportId};
use duban_domain::plan::{AnnualPlan, MonthlyCurve, SeasonalProfile};
use duban_domain::report::{Report, ReportFigures, ReportState};
use duban_domain::{Period, Yuan};
use rand::Rng;

/// A project under way before `year`: its id, start year, total and what it had
/// invested before `year`.
#[derive(Debug, Clone, Copy)]
pub struct Carried {
    pub project: ProjectId,
    pub start_year: i32,
    pub total: Yuan,
    pub before: Yuan,
}

/// Plans and approved, back-filled reports of `year - 1` for the projects carried into
/// `year`. Deterministic in `seed`.
pub fn previous_year(
    carried: &[Carried],
    year: i32,
    seed: u64,
    loaded_at: i64,
) -> (Vec<(ProjectId, AnnualPlan)>, Vec<Report>) {
    let last = year - 1;
    let profile = SeasonalProfile::northern();
    let mut plans = Vec::new();
    let mut reports = Vec::new();
    for c in carried
        .iter()
        .filter(|c| c.start_year < year && c.before > Yuan::ZERO)
    {
        let mut rng = rng_for(seed ^ 0x5eed_1a57, c.project.get() as u64);
        // What last year added: all of it for a project begun last year, else a share.
        let done = if c.start_year == last {
            c.before
        } else {
            c.before.mul_ratio(rng.gen_range(40..75), 100)
        };
        let earlier = c.before.checked_sub(done).unwrap_or(Yuan::ZERO);
        // The plan it had: most met it within a few points; some fell short.
        let perf = match rng.gen_range(0..100) {
            0..=69 => rng.gen_range(0.96..1.06),
            70..=89 => rng.gen_range(0.85..0.96),
            _ => rng.gen_range(0.6..0.85),
        };
        let planned = wan(done.get() as f64 / perf);
        let curve = MonthlyCurve::from_profile(planned, &profile);
        let first = if c.start_year == last { 4 } else { 1 };
        let started_on = chrono::NaiveDate::from_ymd_opt(c.start_year, 4, 1).expect("valid");
        let mut prev = Yuan::ZERO;
        for m in 1..=12u32 {
            let period = Period::new(last, m).expect("valid month");
            let started = m >= first;
            let ytd = if !started {
                Yuan::ZERO
            } else if m == 12 {
                done
            } else {
                wan(curve.to_month(m).get() as f64 * perf)
                    .min(done)
                    .max(prev)
            };
            let since = earlier + ytd;
            let progress_bp = if c.total.get() > 0 {
                ((since.get() as i128 * 10_000) / c.total.get() as i128).min(10_000) as i64
            } else {
                0
            };
            reports.push(Report {
                id: ReportId::new(0),
                project_id: c.project,
                period,
                revision: 1,
                state: ReportState::Approved,
                figures: ReportFigures {
                    invest_period: ytd.checked_sub(prev).unwrap_or(Yuan::ZERO),
                    invest_ytd: ytd,
                    invest_since_start: since,
                    progress_bp,
                    progress_text: String::new(),
                    funds_received: since,
                    funds_disbursed: since.mul_ratio(9, 10),
                    started,
                    started_on: started.then_some(started_on),
                    stats_entered: started,
                    issues: String::new(),
                    next_steps: String::new(),
                },
                returned_reason: None,
                submitted_at: Some(loaded_at),
                approved_at: Some(loaded_at),
                late: false,
                backfilled: true,
                correction_reason: None,
                checked_by: None,
                checked_at: None,
            });
            prev = ytd;
        }
        plans.push((
            c.project,
            AnnualPlan {
                year: last,
                curve,
                planned_start_month: None,
                milestones: vec![],
            },
        ));
    }
    (plans, reports)
}

/// Projects completed last year (竣工), modelled on this year's continuing ones (same
/// unit, category and chain; an earlier phase, 一期): the registry keeps them, and last
/// year's totals include them, as they did in last year's bulletins. Taken in order
/// until their investment of last year reaches `want`. Deterministic in `seed`.
pub fn completed_last_year(
    models: &[duban_domain::project::Project],
    next_id: i64,
    year: i32,
    want: Yuan,
    seed: u64,
    loaded_at: i64,
) -> crate::Batch {
    use duban_domain::codes::{Nature, ProjectStatus};
    use duban_domain::project::{Project, ProjectCode};
    let last = year - 1;
    let mut out = crate::Batch::default();
    let mut sum = Yuan::ZERO;
    // Earlier phases of the models, as many passes as needed (一期, 二期 …).
    const PHASES: [&str; 3] = ["一期", "二期", "三期"];
    let pairs = PHASES
        .iter()
        .enumerate()
        .flat_map(|(n, ph)| models.iter().map(move |m| (n, *ph, m)));
    for (k, (n, phase, m)) in pairs.enumerate() {
        if sum >= want {
            break;
        }
        let id = ProjectId::new(next_id + k as i64);
        let mut rng = rng_for(seed ^ 0x0c0b_1e7e, id.get() as u64);
        let total = m
            .spec
            .total_investment
            .mul_ratio(rng.gen_range(30..70), 100);
        let mut spec = m.spec.clone();
        spec.code = ProjectCode::from_trusted(format!("{}-Q{}", m.spec.code.as_str(), n + 1));
        spec.name = format!("{}（{phase}）", m.spec.name);
        spec.nature = Nature::Continuing;
        spec.status = ProjectStatus::Completed;
        spec.start_year = last - 1;
        spec.end_year = last;
        spec.total_investment = total;
        spec.funding = vec![];
        spec.parent_id = None;
        let carried = Carried {
            project: id,
            start_year: last - 1,
            total,
            before: total,
        };
        // The year it ended: from about half its total to all of it.
        let (plans, reports) = previous_year(&[carried], year, seed, loaded_at);
        let done = reports
            .last()
            .map(|r| r.figures.invest_ytd)
            .unwrap_or(Yuan::ZERO);
        sum = sum + done;
        out.projects.push(Project {
            id,
            spec,
            version: 1,
        });
        out.plans.extend(plans);
        out.reports.extend(reports);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_year_ends_where_this_year_begins() {
        let c = [
            Carried {
                project: ProjectId::new(1),
                start_year: 2024,
                total: Yuan::from_wan(100_000),
                before: Yuan::from_wan(30_000),
            },
            Carried {
                project: ProjectId::new(2),
                start_year: 2025,
                total: Yuan::from_wan(50_000),
                before: Yuan::from_wan(12_000),
            },
            // Begun this year: nothing to load.
            Carried {
                project: ProjectId::new(3),
                start_year: 2026,
                total: Yuan::from_wan(50_000),
                before: Yuan::ZERO,
            },
        ];
        let (plans, reports) = previous_year(&c, 2026, 7, 0);
        assert_eq!(plans.len(), 2);
        assert_eq!(reports.len(), 24);
        for p in [1, 2] {
            let dec = reports
                .iter()
                .find(|r| r.project_id.get() == p && r.period.month() == 12)
                .unwrap();
            let before = c[p as usize - 1].before;
            // December's since-start is what the project had before this year.
            assert_eq!(dec.figures.invest_since_start, before);
            // Year-to-date never falls, and the months add up to it.
            let mine: Vec<&Report> = reports.iter().filter(|r| r.project_id.get() == p).collect();
            let sum: Yuan = mine.iter().map(|r| r.figures.invest_period).sum();
            assert_eq!(sum, dec.figures.invest_ytd);
            assert!(
                mine.windows(2)
                    .all(|w| w[0].figures.invest_ytd <= w[1].figures.invest_ytd)
            );
            assert!(
                mine.iter()
                    .all(|r| r.backfilled && !r.late && r.state == ReportState::Approved)
            );
        }
        // Begun last year: nothing before April.
        let p2: Vec<&Report> = reports.iter().filter(|r| r.project_id.get() == 2).collect();
        assert!(!p2[2].figures.started && p2[3].figures.started);
        assert_eq!(p2[11].figures.invest_ytd, Yuan::from_wan(12_000));
        // Deterministic.
        assert_eq!(previous_year(&c, 2026, 7, 0).1, reports);
    }
}
