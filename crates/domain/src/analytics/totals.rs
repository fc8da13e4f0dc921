//! Additive totals of project-years at a month: the measures of every rollup. Totals
//! form a commutative monoid (`+`, `-` and `ZERO`), so a parent's totals are the sum of
//! its children's plus its own projects', whatever the order, and an update is a
//! subtraction of the old contribution and an addition of the new one.

use super::lights::Light;
use super::year::ProjectYear;
use super::{progress, ratio_bp};
use serde::Serialize;
use std::ops::{Add, AddAssign, Neg, Sub};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Totals {
    pub projects: i64,
    pub total_investment: i64,
    pub annual_plan: i64,
    pub plan_to_date: i64,
    pub actual_ytd: i64,
    /// Projects with a report approved for the month.
    pub reported: i64,
    /// New projects due to have started by the month, and those of them that did.
    pub due_to_start: i64,
    pub started_of_due: i64,
    /// Every project that has started.
    pub started: i64,
    /// Projects by light: green, yellow, orange, red.
    pub lights: [i64; 4],
}

impl Totals {
    pub const ZERO: Totals = Totals {
        projects: 0,
        total_investment: 0,
        annual_plan: 0,
        plan_to_date: 0,
        actual_ytd: 0,
        reported: 0,
        due_to_start: 0,
        started_of_due: 0,
        started: 0,
        lights: [0; 4],
    };

    /// One project's contribution at month `m` (1..=12).
    pub fn of(y: &ProjectYear, m: u32) -> Totals {
        let i = (m.clamp(1, 12) - 1) as usize;
        let mut lights = [0; 4];
        lights[y.lights[i].index()] = 1;
        Totals {
            projects: 1,
            total_investment: y.meta.total_investment.get(),
            annual_plan: y.annual_plan.get(),
            plan_to_date: y.plan[i].get(),
            actual_ytd: y.actual[i].get(),
            reported: i64::from(y.reported[i]),
            due_to_start: i64::from(y.due_to_start[i]),
            started_of_due: i64::from(y.due_to_start[i] && y.started[i]),
            started: i64::from(y.started[i]),
            lights,
        }
    }

    pub fn completion_bp(&self) -> Option<i64> {
        ratio_bp(self.actual_ytd, self.annual_plan)
    }
    /// Time progress of the group: its plans to date over its annual plans.
    pub fn time_progress_bp(&self) -> Option<i64> {
        ratio_bp(self.plan_to_date, self.annual_plan)
    }
    pub fn gap_bp(&self) -> Option<i64> {
        Some(progress::gap_bp(
            self.completion_bp()?,
            self.time_progress_bp()?,
        ))
    }
    /// 开工率: started over due to start.
    pub fn start_rate_bp(&self) -> Option<i64> {
        ratio_bp(self.started_of_due, self.due_to_start)
    }
    pub fn light_count(&self, l: Light) -> i64 {
        self.lights[l.index()]
    }
}

/// Year-on-year growth of actual investment, bp.
pub fn yoy_bp(this_year: i64, last_year: i64) -> Option<i64> {
    ratio_bp(this_year - last_year, last_year)
}

impl Add for Totals {
    type Output = Totals;
    fn add(self, o: Totals) -> Totals {
        let mut lights = self.lights;
        for (a, b) in lights.iter_mut().zip(o.lights) {
            *a += b;
        }
        Totals {
            projects: self.projects + o.projects,
            total_investment: self.total_investment + o.total_investment,
            annual_plan: self.annual_plan + o.annual_plan,
            plan_to_date: self.plan_to_date + o.plan_to_date,
            actual_ytd: self.actual_ytd + o.actual_ytd,
            reported: self.reported + o.reported,
            due_to_start: self.due_to_start + o.due_to_start,
            started_of_due: self.started_of_due + o.started_of_due,
            started: self.started + o.started,
            lights,
        }
    }
}
impl Neg for Totals {
    type Output = Totals;
    fn neg(self) -> Totals {
        Totals {
            projects: -self.projects,
            total_investment: -self.total_investment,
            annual_plan: -self.annual_plan,
            plan_to_date: -self.plan_to_date,
            actual_ytd: -self.actual_ytd,
            reported: -self.reported,
            due_to_start: -self.due_to_start,
            started_of_due: -self.started_of_due,
            started: -self.started,
            lights: self.lights.map(|x| -x),
        }
    }
}
impl Sub for Totals {
    type Output = Totals;
    fn sub(self, o: Totals) -> Totals {
        self + -o
    }
}
impl AddAssign for Totals {
    fn add_assign(&mut self, o: Totals) {
        *self = *self + o;
    }
}
impl std::iter::Sum for Totals {
    fn sum<I: Iterator<Item = Totals>>(it: I) -> Totals {
        it.fold(Totals::ZERO, |a, b| a + b)
    }
}

/// Totals of every unit's own projects, rolled up the unit tree: each unit's entry is
/// its own plus all its descendants'.
pub fn roll_up_tree(
    own: &std::collections::HashMap<i64, Totals>,
    tree: &crate::unit::UnitTree,
) -> std::collections::HashMap<i64, Totals> {
    let mut out = std::collections::HashMap::new();
    for root in tree.roots() {
        fill(root, own, tree, &mut out);
    }
    out
}

fn fill(
    u: i64,
    own: &std::collections::HashMap<i64, Totals>,
    tree: &crate::unit::UnitTree,
    out: &mut std::collections::HashMap<i64, Totals>,
) -> Totals {
    let mut t = own.get(&u).copied().unwrap_or_default();
    for &c in tree.children(u) {
        t += fill(c, own, tree, out);
    }
    out.insert(u, t);
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::UnitTree;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn t(p: i64, a: i64, l: usize) -> Totals {
        let mut lights = [0; 4];
        lights[l] = 1;
        Totals {
            projects: p,
            annual_plan: 10 * a,
            actual_ytd: a,
            plan_to_date: 5 * a,
            lights,
            ..Totals::ZERO
        }
    }

    #[test]
    fn rates_of_a_group() {
        let g = Totals {
            annual_plan: 2_720_000,
            plan_to_date: 2_266_667,
            actual_ytd: 2_644_000,
            due_to_start: 40,
            started_of_due: 37,
            ..Totals::ZERO
        };
        assert_eq!(g.completion_bp(), Some(9721));
        assert_eq!(g.time_progress_bp(), Some(8333));
        assert_eq!(g.gap_bp(), Some(1388));
        assert_eq!(g.start_rate_bp(), Some(9250));
        assert_eq!(yoy_bp(1227, 1000), Some(2270));
        assert_eq!(Totals::ZERO.completion_bp(), None);
    }

    proptest! {
        /// A parent's totals are the sum of its children's plus its own projects',
        /// and the sum does not depend on the order of the parts.
        #[test]
        fn parents_sum_their_children(parents in proptest::collection::vec(0usize..8, 1..12), vals in proptest::collection::vec((0i64..5, 0i64..1000, 0usize..4), 12)) {
            // unit 0 is the root; unit k (k ≥ 1) hangs under an earlier unit.
            let links: Vec<(i64, Option<i64>)> = std::iter::once((0, None))
                .chain(parents.iter().enumerate().map(|(k, &p)| ((k + 1) as i64, Some((p % (k + 1)) as i64))))
                .collect();
            let tree = UnitTree::build(links.clone()).unwrap();
            let own: HashMap<i64, Totals> = links.iter().map(|(u, _)| (*u, { let (p, a, l) = vals[*u as usize % vals.len()]; t(p, a, l) })).collect();
            let rolled = roll_up_tree(&own, &tree);
            for (u, _) in &links {
                let kids: Totals = tree.children(*u).iter().map(|c| rolled[c]).sum();
                prop_assert_eq!(rolled[u], own[u] + kids);
            }
            let total: Totals = own.values().copied().sum();
            prop_assert_eq!(rolled[&0], total);
            let mut rev: Vec<Totals> = own.values().copied().collect();
            rev.reverse();
            prop_assert_eq!(rev.into_iter().sum::<Totals>(), total);
            prop_assert_eq!(total - total, Totals::ZERO);
        }
    }
}
