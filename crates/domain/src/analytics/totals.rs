//! Additive totals of project-years at a month: the measures of every rollup. Totals
//! form a commutative monoid (`+`, `-` and `ZERO`), so a parent's totals are the sum of
//! its children's plus its own projects', whatever the order, and an update is a
//! subtraction of the old contribution and an addition of the new one.

use super::lights::Light;
use super::year::ProjectYear;
use serde::Serialize;
use std::ops::{Add, AddAssign, Neg, Sub};

/// Declares `Totals` with its fields, `ZERO`, `+` and unary `-` over every field.
macro_rules! totals {
    ($($(#[$doc:meta])* $f:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
        pub struct Totals {
            $($(#[$doc])* pub $f: i64,)*
            /// Projects by light: green, yellow, orange, red.
            pub lights: [i64; 4],
        }
        impl Totals {
            pub const ZERO: Totals = Totals { $($f: 0,)* lights: [0; 4] };
            /// The field names, in order, then the four lights (storage columns).
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($f)),*];
            /// The fields' values in the order of [`Totals::FIELDS`].
            pub fn values(&self) -> Vec<i64> {
                vec![$(self.$f),*]
            }
            /// From values in the order of [`Totals::FIELDS`] and the four lights.
            pub fn from_values(v: &[i64], lights: [i64; 4]) -> Totals {
                let mut it = v.iter().copied();
                Totals { $($f: it.next().unwrap_or(0),)* lights }
            }
        }
        impl Add for Totals {
            type Output = Totals;
            fn add(self, o: Totals) -> Totals {
                let mut lights = self.lights;
                for (a, b) in lights.iter_mut().zip(o.lights) {
                    *a += b;
                }
                Totals { $($f: self.$f + o.$f,)* lights }
            }
        }
        impl Neg for Totals {
            type Output = Totals;
            fn neg(self) -> Totals {
                Totals { $($f: -self.$f,)* lights: self.lights.map(|x| -x) }
            }
        }
    };
}

totals! {
    projects,
    total_investment,
    annual_plan,
    plan_to_date,
    actual_ytd,
    /// Projects with a report approved for the month.
    reported,
    /// Projects with a report submitted (awaiting approval or approved) for the month.
    submitted,
    /// Projects whose report of the month was first submitted after the deadline.
    late,
    /// New projects due to have started by the month, and those of them that did.
    due_to_start,
    started_of_due,
    /// New projects planned to start this year, and those of them started by the month.
    new_planned,
    new_started,
    /// Every project that has started.
    started,
    /// Projects with a milestone past its planned date and not reached at the month's end.
    milestones_overdue,
}

/// One project at one month: everything its contribution to the totals is made of. A
/// bulletin's project entries carry exactly this (so a bulletin sums what the dashboards
/// sum); fields added after the first bulletins were stored default to false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MonthEntry {
    pub total_investment: i64,
    pub annual_plan: i64,
    pub plan_to_date: i64,
    pub actual_ytd: i64,
    pub due_to_start: bool,
    pub started: bool,
    pub light: Light,
    /// A new project planned to start this year.
    #[serde(default)]
    pub new_planned: bool,
    /// The month's report: approved, submitted (awaiting approval or approved), late.
    #[serde(default)]
    pub reported: bool,
    #[serde(default)]
    pub submitted: bool,
    #[serde(default)]
    pub late: bool,
    #[serde(default)]
    pub milestone_overdue: bool,
}

impl ProjectYear {
    /// The project at month `m` (1..=12).
    pub fn entry(&self, m: u32) -> MonthEntry {
        let i = (m.clamp(1, 12) - 1) as usize;
        MonthEntry {
            total_investment: self.meta.total_investment.get(),
            annual_plan: self.annual_plan.get(),
            plan_to_date: self.plan[i].get(),
            actual_ytd: self.actual[i].get(),
            due_to_start: self.due_to_start[i],
            started: self.started[i],
            light: self.lights[i],
            new_planned: self.new_planned,
            reported: self.reported[i],
            submitted: self.submitted[i],
            late: self.late[i],
            milestone_overdue: self.milestone_overdue[i],
        }
    }
}

impl Totals {
    /// One project's contribution at month `m` (1..=12).
    pub fn of(y: &ProjectYear, m: u32) -> Totals {
        Totals::of_entry(&y.entry(m))
    }

    /// The contribution of one project at one month.
    pub fn of_entry(e: &MonthEntry) -> Totals {
        let mut lights = [0; 4];
        lights[e.light.index()] = 1;
        let one = |b: bool| i64::from(b);
        Totals {
            projects: 1,
            total_investment: e.total_investment,
            annual_plan: e.annual_plan,
            plan_to_date: e.plan_to_date,
            actual_ytd: e.actual_ytd,
            reported: one(e.reported),
            submitted: one(e.submitted),
            late: one(e.late),
            due_to_start: one(e.due_to_start),
            started_of_due: one(e.due_to_start && e.started),
            new_planned: one(e.new_planned),
            new_started: one(e.new_planned && e.started),
            started: one(e.started),
            milestones_overdue: one(e.milestone_overdue),
            lights,
        }
    }

    pub fn light_count(&self, l: Light) -> i64 {
        self.lights[l.index()]
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
    fn fields_round_trip_through_their_values() {
        let mut g = t(3, 7, 2);
        g.late = 4;
        g.new_started = 9;
        assert_eq!(Totals::from_values(&g.values(), g.lights), g);
        assert_eq!(Totals::FIELDS.len(), g.values().len());
        assert_eq!(g - g, Totals::ZERO);
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
