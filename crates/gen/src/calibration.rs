//! How the generated data set compares with published bulletins: the share of projects
//! lit by each colour, the share behind time progress, the rules that lit them. The
//! generator is tuned so that these shares fall within the range real bulletins report
//! (`domain/src/analytics/fixtures/published.json`), and a test holds it there.

use crate::Batch;
use duban_domain::Period;
use duban_domain::analytics::lights::{Light, RuleSet};
use duban_domain::analytics::year::{
    ProjectMeta, YearInputs, from_reports, project_year_explained,
};
use duban_domain::ids::ProjectId;
use std::collections::{BTreeMap, HashMap};

/// The light mix of a data set at a month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mix {
    pub projects: usize,
    /// green, yellow, orange, red
    pub lights: [usize; 4],
    /// Projects under construction whose completion trails their plan to date.
    pub behind: usize,
    /// Projects lit by each rule (a project may count under several).
    pub by_rule: BTreeMap<&'static str, usize>,
    /// Completion of the whole set, basis points.
    pub completion_bp: i64,
}

impl Mix {
    pub fn share(&self, n: usize) -> f64 {
        n as f64 / self.projects.max(1) as f64
    }
}

/// The mix of a batch at `as_of` under `rules`.
pub fn mix(b: &Batch, as_of: Period, rules: &RuleSet) -> Mix {
    let mut reports: HashMap<ProjectId, Vec<&duban_domain::report::Report>> = HashMap::new();
    for r in &b.reports {
        reports.entry(r.project_id).or_default().push(r);
    }
    let plans: HashMap<ProjectId, &duban_domain::plan::AnnualPlan> =
        b.plans.iter().map(|(id, p)| (*id, p)).collect();
    let mut m = Mix::default();
    let (mut plan, mut done) = (0i64, 0i64);
    let i = as_of.index();
    for p in &b.projects {
        let (months, submissions) =
            from_reports(as_of.year(), reports.remove(&p.id).unwrap_or_default());
        let (y, why) = project_year_explained(&YearInputs {
            year: as_of.year(),
            meta: ProjectMeta {
                id: p.id,
                unit_id: p.spec.unit_id,
                chain_id: p.spec.chain_id,
                category: p.spec.category,
                nature: p.spec.nature,
                total_investment: p.spec.total_investment,
                funding: vec![],
            },
            plan: plans.get(&p.id).copied(),
            months: &months,
            submissions: &submissions,
            rules,
        });
        m.projects += 1;
        m.lights[y.lights[i].index()] += 1;
        plan += y.annual_plan.get();
        done += y.actual[i].get();
        if why[i].iter().any(|r| r.rule == "progress") {
            m.behind += 1;
        }
        let mut rules_lit: Vec<&'static str> = why[i]
            .iter()
            .filter(|r| r.light > Light::Green)
            .map(|r| r.rule)
            .collect();
        rules_lit.dedup();
        for r in rules_lit {
            *m.by_rule.entry(r).or_default() += 1;
        }
    }
    m.completion_bp = duban_domain::analytics::ratio_bp(done, plan).unwrap_or(0);
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Params, batch, skeleton};

    /// The demo's light mix is within what published bulletins report: the share of
    /// projects behind time progress between the lowest and the highest share of
    /// lagging projects found (2.7% in Minqing, 32.4% in Wujin), and the lit share within
    /// it. The red share stays below the lagging share of every bulletin but the lowest.
    #[test]
    fn the_demo_light_mix_is_within_published_ranges() {
        let v: serde_json::Value = serde_json::from_str(include_str!(
            "../../domain/src/analytics/fixtures/published.json"
        ))
        .unwrap();
        let shares: Vec<f64> = v["lagging_share"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["lagging"].as_f64().unwrap() / b["projects"].as_f64().unwrap())
            .collect();
        let lo = shares.iter().copied().fold(f64::MAX, f64::min);
        let hi = shares.iter().copied().fold(f64::MIN, f64::max);
        let as_of = Period::new(2026, 11).unwrap();
        let p = Params {
            projects: crate::demo::DEMO_PROJECTS,
            seed: crate::demo::DEMO_SEED,
            as_of,
        };
        let sk = skeleton();
        let b = batch(&p, &sk, 1..p.projects + 1);
        let m = mix(&b, as_of, &RuleSet::yinchuan());
        let lit = m.lights[1] + m.lights[2] + m.lights[3];
        let (behind, lit, red) = (m.share(m.behind), m.share(lit), m.share(m.lights[3]));
        assert!(
            (lo..=hi).contains(&behind),
            "behind {behind:.3} not in {lo:.3}..{hi:.3}: {m:?}"
        );
        assert!((lo..=hi).contains(&lit), "lit {lit:.3}: {m:?}");
        assert!(red < 0.10, "red {red:.3}: {m:?}");
        eprintln!("{m:?} behind {behind:.3} lit {lit:.3} red {red:.3}");
        // The year is roughly on track as a whole, as real bulletins mostly report.
        assert!((8_000..=10_500).contains(&m.completion_bp), "{m:?}");
    }
}
