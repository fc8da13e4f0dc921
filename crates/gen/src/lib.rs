//! Deterministic synthetic data of realistic shape (`duban gen`) and the demo data set
//! built from the seed reports (`duban demo`).
//!
//! Pure: produces domain values, never touches a database. Every project is generated
//! from its own random stream (seed, project id), so a batch can be generated in any
//! order or in parallel and the data set is the same for the same seed.
#![forbid(unsafe_code)]

pub mod calibration;
pub mod demo;
pub mod history;
pub mod names;

use chrono::NaiveDate;
use duban_domain::ids::{ChainId, ProblemId, ReportId};
use duban_domain::plan::{AnnualPlan, Milestone, MonthlyCurve, SeasonalProfile};
use duban_domain::problem::{Problem, ProblemState};
use duban_domain::project::{Funding, NewProject, Project, ProjectCode, ProjectId};
use duban_domain::report::{Report, ReportFigures, ReportState};
use duban_domain::unit::{Chain, Unit};
use duban_domain::*;
use names::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::ops::Range;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub projects: u64,
    pub seed: u64,
    /// The last month with reports; plans are for its year.
    pub as_of: Period,
}

/// Units and chains: generated once, shared by every batch.
#[derive(Debug, Clone)]
pub struct Skeleton {
    pub units: Vec<Unit>,
    pub chains: Vec<Chain>,
    /// Units that own projects, with a weight and the region code of their division.
    owners: Vec<Owner>,
    total_weight: u64,
}

#[derive(Debug, Clone)]
struct Owner {
    unit_id: i64,
    place: String,
    region: u32,
    cum_weight: u64,
}

/// What one batch of projects produces.
#[derive(Debug, Default)]
pub struct Batch {
    pub projects: Vec<Project>,
    pub plans: Vec<(ProjectId, AnnualPlan)>,
    pub reports: Vec<Report>,
    pub problems: Vec<Problem>,
}

/// A list of units with consecutive ids, for building trees.
pub(crate) struct UnitList {
    pub units: Vec<Unit>,
    next: i64,
}

impl UnitList {
    pub fn starting_at(next: i64) -> UnitList {
        UnitList {
            units: Vec::new(),
            next,
        }
    }
    /// Append a unit (sorted in the order added); returns its id.
    pub fn add(
        &mut self,
        parent: Option<i64>,
        code: impl Into<String>,
        name: impl Into<String>,
        kind: UnitKind,
        series: &str,
    ) -> i64 {
        let id = self.next;
        self.next += 1;
        self.units.push(Unit {
            id,
            parent_id: parent,
            code: code.into(),
            name: name.into(),
            kind,
            series: series.into(),
            sort: id,
            version: 1,
        });
        id
    }
}

/// Headquarters → 14 divisions → regiments → 3 companies each, plus departments.
pub fn skeleton() -> Skeleton {
    let mut units = UnitList::starting_at(1);
    let mut owners = Vec::new();
    let mut total_weight = 0u64;
    let hq = units.add(
        None,
        "XJBT",
        "新疆生产建设兵团",
        UnitKind::Government,
        "兵团",
    );
    let mut owner =
        |owners: &mut Vec<Owner>, unit_id: i64, place: String, region: u32, weight: u64| {
            total_weight += weight;
            owners.push(Owner {
                unit_id,
                place,
                region,
                cum_weight: total_weight,
            });
        };
    for &(code, name, regiments, region) in DIVISIONS {
        let d = units.add(Some(hq), code, name, UnitKind::Division, "师市");
        let city = name
            .split_once('师')
            .map(|(_, c)| c)
            .filter(|c| !c.is_empty())
            .unwrap_or(name);
        owner(&mut owners, d, city.to_string(), region, 30);
        for r in 1..=regiments {
            let rname = format!(
                "{}{}团",
                name.split('师').next().unwrap_or(name).to_owned() + "师",
                numeral(r)
            );
            let rcode = format!("{code}-R{r:02}");
            let rid = units.add(
                Some(d),
                rcode.clone(),
                rname.clone(),
                UnitKind::Regiment,
                "团场",
            );
            owner(&mut owners, rid, rname.clone(), region + r, 6);
            for c in 1..=3 {
                units.add(
                    Some(rid),
                    format!("{rcode}-C{c}"),
                    format!("{rname}{}连", numeral(c)),
                    UnitKind::Company,
                    "连队",
                );
            }
        }
    }
    for &(code, name) in DEPARTMENTS {
        let id = units.add(Some(hq), code, name, UnitKind::Department, "部门");
        owner(&mut owners, id, "兵团".into(), 660000, 8);
    }
    let chains = CHAINS
        .iter()
        .enumerate()
        .map(|(i, &(code, name, leader))| Chain {
            id: ChainId::new(i as i64 + 1),
            code: code.into(),
            name: name.into(),
            leader: leader.into(),
        })
        .collect();
    Skeleton {
        units: units.units,
        chains,
        owners,
        total_weight,
    }
}

fn rng_for(seed: u64, id: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn person(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
}

/// Round to whole 万元, as amounts are written in plans.
fn wan(yuan: f64) -> Yuan {
    Yuan::from_wan((yuan / 10_000.0).round().max(0.0) as i64)
}

/// The projects with ids in `ids` (1-based), with their plans, reports and problems.
pub fn batch(p: &Params, sk: &Skeleton, ids: Range<u64>) -> Batch {
    let mut b = Batch::default();
    for id in ids {
        one_project(p, sk, id, &mut b);
    }
    b
}

fn one_project(p: &Params, sk: &Skeleton, id: u64, out: &mut Batch) {
    let mut rng = rng_for(p.seed, id);
    let year = p.as_of.year();
    let w = rng.gen_range(0..sk.total_weight);
    let owner = &sk.owners[sk.owners.partition_point(|o| o.cum_weight <= w)];

    // Category, name, chain.
    let (category, templates): (Category, &[Template]) = match rng.gen_range(0..100) {
        0..=29 => (Category::Industry, INDUSTRY),
        30..=39 => (Category::Energy, ENERGY),
        40..=59 => (Category::Infrastructure, INFRA),
        60..=74 => (Category::Livelihood, LIVELIHOOD),
        75..=84 => (Category::Social, SOCIAL),
        85..=94 => (Category::Agriculture, AGRI),
        _ => (Category::Ecology, ECOLOGY),
    };
    let template = *pick(&mut rng, templates);
    let chain = template.chain;
    // Total investment: log-uniform within what such a project usually costs.
    let (lo, hi) = template.wan;
    let total_f = 10f64.powf(rng.gen_range(lo.log10()..hi.log10())) * 1e4;
    let total = wan(total_f);
    let name = template.fill(&owner.place, total_f, rng.gen_range(0.85..1.15));

    let nature = match rng.gen_range(0..100) {
        0..=34 => Nature::New,
        35..=89 => Nature::Continuing,
        _ => Nature::Preparatory,
    };
    let start_year = match nature {
        Nature::Continuing => year - rng.gen_range(1..=3),
        Nature::New => year,
        Nature::Preparatory => year + 1,
    };
    let end_year = start_year
        + rng.gen_range(1..=3).max(if nature == Nature::Continuing {
            year - start_year
        } else {
            0
        });

    // Funding sources add up to at most the total.
    let mut funding = Vec::new();
    let mut left = total;
    for src in [
        FundingSource::CentralBudget,
        FundingSource::SpecialBond,
        FundingSource::LocalFiscal,
        FundingSource::Loan,
    ] {
        if rng.gen_bool(0.3) {
            let a = left.mul_ratio(rng.gen_range(10..50), 100);
            if a > Yuan::ZERO {
                funding.push(Funding {
                    source: src,
                    amount: a,
                });
                left = left - a;
            }
        }
    }
    if left > Yuan::ZERO {
        funding.push(Funding {
            source: FundingSource::SelfRaised,
            amount: left,
        });
    }

    // The plan of the year.
    let share = match nature {
        Nature::Continuing => rng.gen_range(0.2..0.5),
        Nature::New => rng.gen_range(0.15..0.4),
        Nature::Preparatory => rng.gen_range(0.01..0.05),
    };
    let planned = wan(total_f * share).min(total);
    let start_month: u32 = if nature == Nature::New {
        rng.gen_range(3..=7)
    } else {
        1
    };
    let mut weights = SeasonalProfile::northern().weights().to_vec();
    for (m, w) in weights.iter_mut().enumerate() {
        if (m as u32) + 1 < start_month {
            *w = 0;
        } else {
            *w = (*w * rng.gen_range(80..120)) / 100 + 1;
        }
    }
    let profile = SeasonalProfile::parse(&weights).expect("weights are positive");
    let curve = MonthlyCurve::from_profile(planned, &profile);
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(year, m, day).expect("valid");
    let mut milestones = Vec::new();

    // Behaviour: how the project actually goes.
    let never_starts = nature == Nature::New && rng.gen_bool(0.08);
    let start_delay = if nature == Nature::New && !never_starts && rng.gen_bool(0.2) {
        rng.gen_range(1..=2)
    } else {
        0
    };
    let actual_start = (start_month + start_delay).min(12);
    // How far ahead or behind the plan the project runs, calibrated so that the share of
    // projects behind time progress, lit and red falls within what published bulletins
    // report (see `calibration`): most on or ahead of plan, a tenth a little behind,
    // fewer far behind.
    let perf = match rng.gen_range(0..100) {
        0..=81 => rng.gen_range(1.0..1.2),
        82..=89 => rng.gen_range(0.9..1.0),
        90..=96 => rng.gen_range(0.7..0.9),
        _ => rng.gen_range(0.35..0.7),
    };
    if nature == Nature::New {
        let started = !never_starts && actual_start <= p.as_of.month();
        milestones.push(Milestone {
            name: "开工".into(),
            planned: d(start_month, 1),
            actual: started.then(|| d(actual_start, rng.gen_range(1..=28))),
        });
    }
    if end_year == year {
        milestones.push(Milestone {
            name: "竣工".into(),
            planned: d(rng.gen_range(9..=12), 28),
            actual: None,
        });
    } else if nature != Nature::Preparatory {
        milestones.push(Milestone {
            name: "主体完工".into(),
            planned: d(rng.gen_range(6..=11), 15),
            actual: None,
        });
    }
    // Milestones other than the start are reached about on time by projects on plan,
    // late by those a little behind, and not yet by those far behind.
    let end_of_data = p.as_of.last_day();
    for ms in milestones.iter_mut().filter(|m| m.name != "开工") {
        let delay = if perf >= 0.97 {
            Some(rng.gen_range(-10..=5))
        } else if perf >= 0.85 {
            Some(rng.gen_range(5..=40))
        } else {
            None
        };
        ms.actual = delay
            .map(|d| ms.planned + chrono::Duration::days(d))
            .filter(|a| *a <= end_of_data);
    }
    let plan = AnnualPlan {
        year,
        curve,
        planned_start_month: (nature == Nature::New).then_some(start_month),
        milestones,
    };

    let status = match nature {
        Nature::Preparatory => ProjectStatus::Preliminary,
        Nature::New if never_starts || actual_start > p.as_of.month() => ProjectStatus::Preliminary,
        _ => ProjectStatus::Construction,
    };
    let code_str = format!(
        "{start_year}-{:06}-{:02}-{:02}-{:06}",
        owner.region % 1_000_000,
        rng.gen_range(1..=99),
        1 + id / 1_000_000,
        id % 1_000_000
    );
    let project = Project {
        id: ProjectId::new(id as i64),
        version: 1,
        spec: NewProject {
            code: ProjectCode::parse("code", &code_str).expect("generated codes are valid"),
            name,
            unit_id: owner.unit_id,
            builder: pick(&mut rng, BUILDERS).to_string(),
            leader: person(&mut rng),
            chain_id: chain.map(|c| ChainId::new(c as i64 + 1)),
            category,
            nature,
            level: *pick(
                &mut rng,
                &[Level::Provincial, Level::City, Level::City, Level::County],
            ),
            status,
            location: owner.place.clone(),
            lon: Some(75.0 + rng.gen_range(0.0..14.0)),
            lat: Some(37.0 + rng.gen_range(0.0..10.0)),
            content: String::new(),
            start_year,
            end_year,
            total_investment: total,
            funding,
            parent_id: None,
        },
    };

    let behaviour = Behaviour {
        perf,
        never_starts,
        actual_start,
        before: if nature == Nature::Continuing {
            wan(total_f * rng.gen_range(0.1..0.45))
        } else {
            Yuan::ZERO
        },
        fund_ratio: if rng.gen_bool(0.05) {
            rng.gen_range(1.6..2.2)
        } else {
            rng.gen_range(0.85..1.1)
        },
        anomaly_month: if rng.gen_bool(0.02) {
            Some(rng.gen_range(2..=p.as_of.month().max(2)))
        } else {
            None
        },
        copies: rng.gen_bool(0.01),
        late_habit: rng.gen_bool(0.1),
    };
    simulate(&mut rng, p, &project, &plan, &behaviour, out);
    out.plans.push((ProjectId::new(id as i64), plan));
    out.projects.push(project);
}

/// How a project actually goes during the year.
#[derive(Debug, Clone)]
pub(crate) struct Behaviour {
    /// Actual over planned (1.0 = on plan).
    pub perf: f64,
    pub never_starts: bool,
    pub actual_start: u32,
    /// Investment completed in earlier years.
    pub before: Yuan,
    /// Funds received over work done.
    pub fund_ratio: f64,
    /// A month whose cumulative figure drops (a data anomaly).
    pub anomaly_month: Option<u32>,
    /// Reports copied forward unchanged.
    pub copies: bool,
    pub late_habit: bool,
}

/// Monthly reports up to the as-of month, and the problems the project raises.
pub(crate) fn simulate(
    rng: &mut ChaCha8Rng,
    p: &Params,
    project: &Project,
    plan: &AnnualPlan,
    bh: &Behaviour,
    out: &mut Batch,
) {
    let year = p.as_of.year();
    let spec = &project.spec;
    let (nature, total, start_year, curve) = (
        spec.nature,
        spec.total_investment,
        spec.start_year,
        &plan.curve,
    );
    let (perf, never_starts, actual_start, before) =
        (bh.perf, bh.never_starts, bh.actual_start, bh.before);
    let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(year, m, day).expect("valid");
    let mut prev = ReportFigures::default();
    // Monthly reports up to the as-of month.
    for m in 1..=p.as_of.month() {
        let period = Period::new(year, m).expect("valid month");
        let is_last = m == p.as_of.month();
        // Missing reports: a few projects skip the latest month or two.
        if (m + 1 >= p.as_of.month() && rng.gen_bool(0.03))
            || (never_starts && m > 1 && rng.gen_bool(0.3))
        {
            continue;
        }
        let started = nature != Nature::Preparatory
            && !never_starts
            && (nature == Nature::Continuing || m >= actual_start);
        let mut f = if bh.copies && m > 1 && !is_last {
            prev.clone()
        } else {
            let mut ytd = if started {
                let noise = rng.gen_range(0.98..1.02);
                wan(curve.to_month(m).get() as f64 * perf * noise).max(prev.invest_ytd)
            } else {
                Yuan::ZERO
            };
            if bh.anomaly_month == Some(m) {
                ytd = prev.invest_ytd.mul_ratio(rng.gen_range(60..95), 100);
            }
            let since = before + ytd;
            let progress_bp = if total.get() > 0 {
                ((since.get() as i128 * 10_000) / total.get() as i128).min(10_000) as i64
            } else {
                0
            };
            let received = since.mul_ratio((bh.fund_ratio * 1000.0) as i64, 1000);
            let stage = (progress_bp as usize * (PROGRESS_TEXT.len() - 1)) / 10_000;
            ReportFigures {
                invest_period: ytd
                    .checked_sub(prev.invest_ytd)
                    .filter(|v| !v.is_negative())
                    .unwrap_or(Yuan::ZERO),
                invest_ytd: ytd,
                invest_since_start: since,
                progress_bp,
                progress_text: PROGRESS_TEXT[if started { stage.max(1) } else { 0 }].into(),
                funds_received: received,
                funds_disbursed: received.mul_ratio(rng.gen_range(70..100), 100),
                started,
                started_on: started.then(|| {
                    if nature == Nature::Continuing {
                        NaiveDate::from_ymd_opt(start_year, 4, 1).expect("valid")
                    } else {
                        d(actual_start, 1)
                    }
                }),
                stats_entered: started
                    && (m > actual_start + 1 || nature == Nature::Continuing)
                    && rng.gen_bool(0.95),
                issues: if perf < 0.8 && rng.gen_bool(0.4) {
                    pick(rng, ISSUES).1.to_string()
                } else {
                    String::new()
                },
                next_steps: if started {
                    "加快施工进度，确保完成年度计划".into()
                } else {
                    "加快办理前期手续，力争早日开工".into()
                },
            }
        };
        if f.invest_ytd < f.invest_period {
            f.invest_period = f.invest_ytd;
        }
        let state = if !is_last {
            ReportState::Approved
        } else {
            match rng.gen_range(0..100) {
                0..=69 => ReportState::Approved,
                70..=84 => ReportState::Submitted,
                85..=94 => ReportState::Draft,
                _ => ReportState::Returned,
            }
        };
        let deadline = period.deadline(3);
        let submit_day = if bh.late_habit && rng.gen_bool(0.6) {
            deadline + chrono::Duration::days(rng.gen_range(1..10))
        } else {
            deadline - chrono::Duration::days(rng.gen_range(0..3))
        };
        let submitted = state != ReportState::Draft;
        let at = |day: NaiveDate, hour: u32| {
            day.and_hms_opt(hour, 0, 0)
                .expect("valid")
                .and_utc()
                .timestamp_millis()
        };
        out.reports.push(Report {
            id: ReportId::new(0),
            project_id: project.id,
            period,
            revision: 1,
            state,
            returned_reason: (state == ReportState::Returned)
                .then(|| "本月完成投资与资金拨付不符，请核实后重新报送".to_string()),
            submitted_at: submitted.then(|| at(submit_day, 2)),
            approved_at: (state == ReportState::Approved)
                .then(|| at(submit_day + chrono::Duration::days(1), 3)),
            late: submitted && submit_day > deadline,
            backfilled: false,
            correction_reason: None,
            checked_by: None,
            checked_at: None,
            figures: f.clone(),
        });
        prev = f;
    }

    // Problems: lagging projects raise more of them.
    let n_problems = if perf < 0.8 {
        rng.gen_range(0..=3)
    } else if rng.gen_bool(0.08) {
        1
    } else {
        0
    };
    for _ in 0..n_problems {
        let &(cat, text) = pick(rng, ISSUES);
        let deadline = p.as_of.first_day() + chrono::Duration::days(rng.gen_range(-60..45));
        let state = *pick(
            rng,
            &[
                ProblemState::Assigned,
                ProblemState::Acknowledged,
                ProblemState::InProgress,
                ProblemState::InProgress,
                ProblemState::Resolved,
                ProblemState::Closed,
            ],
        );
        out.problems.push(Problem {
            id: ProblemId::new(0),
            project_id: Some(project.id),
            source: *pick(rng, ProblemSource::ALL),
            category: cat,
            description: text.into(),
            lead_unit_id: Some(spec.unit_id),
            assisting_unit_ids: vec![],
            responsible: person(rng),
            deadline: Some(deadline),
            state,
            resolved_by: None,
            created_at: (deadline - chrono::Duration::days(30))
                .and_hms_opt(1, 0, 0)
                .expect("valid")
                .and_utc()
                .timestamp_millis(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(n: u64) -> Params {
        Params {
            projects: n,
            seed: 7,
            as_of: Period::new(2025, 10).unwrap(),
        }
    }

    #[test]
    fn skeleton_is_corps_shaped() {
        let sk = skeleton();
        let kinds = |k| sk.units.iter().filter(|u| u.kind == k).count();
        assert_eq!(kinds(UnitKind::Government), 1);
        assert_eq!(kinds(UnitKind::Division), 14);
        assert_eq!(
            kinds(UnitKind::Regiment),
            DIVISIONS.iter().map(|d| d.2 as usize).sum::<usize>()
        );
        assert_eq!(kinds(UnitKind::Company), 3 * kinds(UnitKind::Regiment));
        assert_eq!(kinds(UnitKind::Department), DEPARTMENTS.len());
        assert!(
            duban_domain::unit::UnitTree::build(sk.units.iter().map(|u| (u.id, u.parent_id)))
                .is_ok()
        );
        assert_eq!(
            sk.units.iter().find(|u| u.code == "D01-R06").unwrap().name,
            "第一师六团"
        );
    }

    #[test]
    fn generation_is_deterministic_and_order_free() {
        let sk = skeleton();
        let whole = batch(&params(200), &sk, 1..201);
        let a = batch(&params(200), &sk, 101..201);
        assert_eq!(
            format!("{:?}", &whole.projects[100..]),
            format!("{:?}", a.projects)
        );
        let other_seed = batch(
            &Params {
                seed: 8,
                ..params(200)
            },
            &sk,
            1..201,
        );
        assert_ne!(
            format!("{:?}", whole.projects),
            format!("{:?}", other_seed.projects)
        );
    }

    #[test]
    fn data_has_the_shapes_the_analytics_must_find() {
        let sk = skeleton();
        let b = batch(&params(3000), &sk, 1..3001);
        let mut codes: Vec<_> = b.projects.iter().map(|p| p.spec.code.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 3000, "codes are unique");
        for p in &b.projects {
            let funded: Yuan = p.spec.funding.iter().map(|f| f.amount).sum();
            assert!(funded <= p.spec.total_investment);
        }
        for (_, plan) in &b.plans {
            let c = plan.curve.cumulative();
            assert!(c.windows(2).all(|w| w[0] <= w[1]));
            // Winter months carry little work.
            assert!(
                plan.curve.of_month(1).get() * 4
                    <= plan.curve.of_month(7).get().max(1) * 2 + 10_000
            );
        }
        let n = |f: &dyn Fn(&Report) -> bool| b.reports.iter().filter(|r| f(r)).count();
        assert!(n(&|r| r.late) > 0, "some reports are late");
        assert!(b.reports.len() < 3000 * 10, "some reports are missing");
        assert!(n(&|r| r.state != ReportState::Approved) > 0);
        // Every report not injected as an anomaly passes the submit checks.
        let valid = n(&|r| r.figures.validate(r.period).is_ok());
        assert!(
            valid * 100 >= b.reports.len() * 97,
            "{valid} of {}",
            b.reports.len()
        );
        assert!(
            b.problems.iter().any(|p| p.deadline.unwrap()
                < Period::new(2025, 10).unwrap().first_day()
                && p.state.is_pending()),
            "some problems are overdue"
        );
        let never_started = b
            .projects
            .iter()
            .filter(|p| p.spec.nature == Nature::New && p.spec.status == ProjectStatus::Preliminary)
            .count();
        assert!(never_started > 0, "some new projects have not started");
    }
}
