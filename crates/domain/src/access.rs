//! Who may do what, on which units: roles grant capabilities, a data scope says where.
//!
//! This is the rule book only. The app crate turns it into capability handles: a use case
//! can only be called with a handle that [`Grants::reach`] produced (DESIGN §7, after
//! lldap's handlers), and every query is filtered by the handle's [`Reach`].

use crate::codes::Role;
use crate::error::FieldError;
use crate::unit::{UnitId, UnitTree};
use serde::Serialize;
use std::collections::BTreeSet;

/// The data a role reaches (DESIGN §1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "units", rename_all = "snake_case")]
pub enum Scope {
    /// The user's own unit.
    Own,
    /// The user's unit and everything below it (本单位及以下).
    Subtree,
    /// A chosen set of units (each with its sub-units).
    Units(Vec<UnitId>),
    /// All of the user's organisation: every unit under the root above the user's unit.
    All,
    /// Every organisation of the instance (跨组织): a separate, explicit grant.
    Global,
}

impl Scope {
    pub const fn code(&self) -> &'static str {
        match self {
            Scope::Own => "own",
            Scope::Subtree => "subtree",
            Scope::Units(_) => "units",
            Scope::All => "all",
            Scope::Global => "global",
        }
    }

    /// From the stored or submitted form: a code and, for `units`, the unit ids.
    pub fn parse(field: &str, code: &str, units: &[UnitId]) -> Result<Scope, FieldError> {
        match code.trim() {
            "own" => Ok(Scope::Own),
            "subtree" => Ok(Scope::Subtree),
            "all" => Ok(Scope::All),
            "global" => Ok(Scope::Global),
            "units" if units.is_empty() => Err(FieldError::new(
                field,
                "required",
                "“指定单位”范围须至少选择一个单位",
                "a scope of chosen units needs at least one unit",
            )),
            "units" => {
                let mut u = units.to_vec();
                u.sort_unstable();
                u.dedup();
                Ok(Scope::Units(u))
            }
            other => Err(FieldError::new(
                field,
                "unknown_scope",
                format!("数据范围“{other}”无效，应为 own、subtree、units、all 或 global"),
                format!("'{other}' is not a data scope: use own, subtree, units, all or global"),
            )),
        }
    }

    pub fn units(&self) -> &[UnitId] {
        match self {
            Scope::Units(u) => u,
            _ => &[],
        }
    }
}

/// What a role lets its holder do. Each use case needs exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Read projects, plans and approved reports (the registry and dashboards).
    ReadRegistry,
    /// Create, change and archive projects and annual plans.
    EditRegistry,
    /// Create, change and archive units (organisational master data).
    ManageUnits,
    /// Draft and submit reports and work-item progress.
    DraftReports,
    /// Approve or return the unit's reports and work-item progress.
    ApproveReports,
    /// Create, assign, close and reopen problems; decide extensions; inspections; work items.
    Supervise,
    /// Act on the problems assigned to the unit: acknowledge, notes, resolve, ask for extension.
    WorkProblems,
    /// Users, roles and settings.
    ManageUsers,
    /// The audit and login logs.
    ReadAudit,
    /// Give review scores in an assessment run.
    Review,
}

impl Capability {
    pub const ALL: [Capability; 10] = [
        Capability::ReadRegistry,
        Capability::EditRegistry,
        Capability::ManageUnits,
        Capability::DraftReports,
        Capability::ApproveReports,
        Capability::Supervise,
        Capability::WorkProblems,
        Capability::ManageUsers,
        Capability::ReadAudit,
        Capability::Review,
    ];
}

/// The capabilities of each role. Separation of duties (MLPS level 3): `admin` runs the
/// system but touches no business data and cannot read the audit log; `auditor` reads
/// the logs and nothing else; business roles never manage users.
pub fn capabilities(role: Role) -> &'static [Capability] {
    use Capability as C;
    match role {
        Role::Admin => &[C::ManageUsers, C::ManageUnits],
        Role::Auditor => &[C::ReadAudit],
        Role::Supervisor => &[
            C::ReadRegistry,
            C::EditRegistry,
            C::ManageUnits,
            C::Supervise,
        ],
        Role::Reporter => &[C::ReadRegistry, C::DraftReports, C::WorkProblems],
        Role::Approver => &[C::ReadRegistry, C::ApproveReports, C::WorkProblems],
        Role::Leader => &[C::ReadRegistry],
        Role::Reviewer => &[C::ReadRegistry, C::Review],
    }
}

/// Does this role see reports that are not yet approved (drafts, submitted, returned)?
/// Supervisors and leaders see approved data only (DESIGN §4: "supervisors see approved data").
pub fn sees_unapproved(role: Role) -> bool {
    matches!(role, Role::Reporter | Role::Approver)
}

/// The units a capability reaches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "units", rename_all = "snake_case")]
pub enum Reach {
    All,
    Units(BTreeSet<UnitId>),
}

impl Default for Reach {
    /// Nothing: a filter that was not given a reach shows no data.
    fn default() -> Self {
        Reach::none()
    }
}

impl Reach {
    pub fn none() -> Reach {
        Reach::Units(BTreeSet::new())
    }
    pub fn covers(&self, unit: UnitId) -> bool {
        match self {
            Reach::All => true,
            Reach::Units(u) => u.contains(&unit),
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self, Reach::Units(u) if u.is_empty())
    }
    /// Narrow to one unit subtree (a filter the caller chose); never widens. The whole
    /// tree stays `All`, which queries read without a list of every unit.
    pub fn within(&self, tree: &UnitTree, root: UnitId) -> Reach {
        let sub: BTreeSet<UnitId> = tree.subtree(root).into_iter().collect();
        match self {
            Reach::All if sub.len() == tree.len() => Reach::All,
            Reach::All => Reach::Units(sub),
            Reach::Units(u) => Reach::Units(u.intersection(&sub).copied().collect()),
        }
    }
    /// The units both reaches cover.
    pub fn intersect(&self, other: &Reach) -> Reach {
        match (self, other) {
            (Reach::All, r) | (r, Reach::All) => r.clone(),
            (Reach::Units(a), Reach::Units(b)) => {
                Reach::Units(a.intersection(b).copied().collect())
            }
        }
    }
    fn union(self, other: Reach) -> Reach {
        match (self, other) {
            (Reach::All, _) | (_, Reach::All) => Reach::All,
            (Reach::Units(mut a), Reach::Units(b)) => {
                a.extend(b);
                Reach::Units(a)
            }
        }
    }
}

/// A role held with a scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleGrant {
    pub role: Role,
    pub scope: Scope,
}

/// The grants of one user, anchored at the user's unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    pub unit: UnitId,
    pub roles: Vec<RoleGrant>,
}

impl Grants {
    /// The roles that carry a capability.
    pub fn roles_with(&self, cap: Capability) -> impl Iterator<Item = &RoleGrant> {
        self.roles
            .iter()
            .filter(move |g| capabilities(g.role).contains(&cap))
    }

    pub fn has(&self, cap: Capability) -> bool {
        self.roles_with(cap).next().is_some()
    }

    /// Where a capability reaches: the union of the scopes of every role that carries it.
    /// `None` when no role carries it at all.
    pub fn reach(&self, cap: Capability, tree: &UnitTree) -> Option<Reach> {
        let mut out: Option<Reach> = None;
        for g in self.roles_with(cap) {
            let r = match &g.scope {
                Scope::Global => Reach::All,
                // One organisation in the instance: all of it is everything.
                Scope::All if tree.roots().len() <= 1 => Reach::All,
                Scope::All => {
                    Reach::Units(tree.subtree(tree.root_of(self.unit)).into_iter().collect())
                }
                Scope::Own => Reach::Units([self.unit].into()),
                Scope::Subtree => Reach::Units(tree.subtree(self.unit).into_iter().collect()),
                Scope::Units(us) => Reach::Units(
                    us.iter()
                        .flat_map(|&u| tree.subtree(u))
                        .collect::<BTreeSet<_>>(),
                ),
            };
            out = Some(match out {
                None => r,
                Some(o) => o.union(r),
            });
        }
        out
    }

    /// Where the caller sees reports that are not yet approved: the reach of the roles
    /// that see them (reporters and approvers of the unit).
    pub fn unapproved_reach(&self, tree: &UnitTree) -> Reach {
        Grants {
            unit: self.unit,
            roles: self
                .roles
                .iter()
                .filter(|g| sees_unapproved(g.role))
                .cloned()
                .collect(),
        }
        .reach(Capability::ReadRegistry, tree)
        .unwrap_or_default()
    }

    /// Does the caller see unapproved reports of projects of `unit`?
    pub fn sees_unapproved_at(&self, unit: UnitId, tree: &UnitTree) -> bool {
        self.unapproved_reach(tree).covers(unit)
    }

    /// Grants of a token are a subset of its owner's: the same roles, never a wider scope.
    pub fn narrow_to(&self, roles: &[Role]) -> Grants {
        Grants {
            unit: self.unit,
            roles: self
                .roles
                .iter()
                .filter(|g| roles.contains(&g.role))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 1 ─┬─ 2 ─┬─ 4
    ///    │     └─ 5
    ///    └─ 3 ─── 6
    fn tree() -> UnitTree {
        UnitTree::build([
            (1, None),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(2)),
            (6, Some(3)),
        ])
        .unwrap()
    }

    fn g(unit: UnitId, roles: &[(Role, Scope)]) -> Grants {
        Grants {
            unit,
            roles: roles
                .iter()
                .map(|(r, s)| RoleGrant {
                    role: *r,
                    scope: s.clone(),
                })
                .collect(),
        }
    }

    fn units(r: Option<Reach>) -> Vec<UnitId> {
        match r {
            Some(Reach::Units(u)) => u.into_iter().collect(),
            Some(Reach::All) => vec![0],
            None => vec![],
        }
    }

    #[test]
    fn the_whole_tree_is_all() {
        let t = tree();
        assert_eq!(Reach::All.within(&t, 1), Reach::All);
        assert_eq!(units(Some(Reach::All.within(&t, 2))), vec![2, 4, 5]);
        let some = Reach::Units([2, 3, 6].into_iter().collect());
        assert_eq!(units(Some(some.within(&t, 1))), vec![2, 3, 6]);
    }

    #[test]
    fn scopes_reach_what_they_say() {
        let t = tree();
        let c = Capability::ReadRegistry;
        assert_eq!(
            units(g(2, &[(Role::Reporter, Scope::Own)]).reach(c, &t)),
            [2]
        );
        assert_eq!(
            units(g(2, &[(Role::Reporter, Scope::Subtree)]).reach(c, &t)),
            [2, 4, 5]
        );
        assert_eq!(
            units(g(2, &[(Role::Leader, Scope::Units(vec![3]))]).reach(c, &t)),
            [3, 6]
        );
        assert_eq!(
            g(4, &[(Role::Leader, Scope::All)]).reach(c, &t),
            Some(Reach::All)
        );
        // union of two roles
        assert_eq!(
            units(
                g(
                    4,
                    &[
                        (Role::Reporter, Scope::Own),
                        (Role::Leader, Scope::Units(vec![6]))
                    ]
                )
                .reach(c, &t)
            ),
            [4, 6]
        );
    }

    /// Two organisations in one instance: "all" is all of the user's own; only an
    /// explicit cross-organisation grant reaches both.
    #[test]
    fn all_never_crosses_organisations() {
        // 1 → 2 → 4, 5; 1 → 3 → 6; a second organisation 10 → 11.
        let t = UnitTree::build([
            (1, None),
            (2, Some(1)),
            (3, Some(1)),
            (4, Some(2)),
            (5, Some(2)),
            (6, Some(3)),
            (10, None),
            (11, Some(10)),
        ])
        .unwrap();
        let c = Capability::ReadRegistry;
        assert_eq!(
            units(g(4, &[(Role::Leader, Scope::All)]).reach(c, &t)),
            [1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            units(g(11, &[(Role::Leader, Scope::All)]).reach(c, &t)),
            [10, 11]
        );
        assert_eq!(
            g(4, &[(Role::Leader, Scope::Global)]).reach(c, &t),
            Some(Reach::All)
        );
        assert_eq!(t.root_of(5), 1);
        assert_eq!(t.root_of(10), 10);
        assert_eq!(Scope::parse("s", "global", &[]).unwrap().code(), "global");
        // With one organisation, "all" is everything (and costs no filter).
        assert_eq!(
            g(4, &[(Role::Leader, Scope::All)]).reach(c, &tree()),
            Some(Reach::All)
        );
    }

    #[test]
    fn separation_of_duties() {
        let t = tree();
        let admin = g(1, &[(Role::Admin, Scope::All)]);
        assert!(admin.reach(Capability::ReadRegistry, &t).is_none());
        assert!(admin.reach(Capability::ReadAudit, &t).is_none());
        assert!(admin.reach(Capability::ManageUsers, &t).is_some());
        let auditor = g(1, &[(Role::Auditor, Scope::All)]);
        for c in Capability::ALL {
            assert_eq!(auditor.has(c), c == Capability::ReadAudit, "{c:?}");
        }
        for r in Role::ALL {
            let caps = capabilities(*r);
            if *r != Role::Admin {
                assert!(!caps.contains(&Capability::ManageUsers), "{r:?}");
            }
            if *r != Role::Auditor {
                assert!(!caps.contains(&Capability::ReadAudit), "{r:?}");
            }
        }
    }

    #[test]
    fn unapproved_reports_are_seen_by_the_units_clerks_only() {
        let t = tree();
        let sup = g(1, &[(Role::Supervisor, Scope::All)]);
        assert!(!sup.sees_unapproved_at(4, &t));
        let rep = g(2, &[(Role::Approver, Scope::Subtree)]);
        assert!(rep.sees_unapproved_at(4, &t));
        assert!(!rep.sees_unapproved_at(6, &t));
    }

    #[test]
    fn bad_scopes_are_named() {
        assert_eq!(
            Scope::parse("scope", "units", &[]).unwrap_err().code,
            "required"
        );
        assert_eq!(
            Scope::parse("scope", "everything", &[]).unwrap_err().code,
            "unknown_scope"
        );
        assert_eq!(
            Scope::parse("s", "units", &[3, 1, 3]).unwrap(),
            Scope::Units(vec![1, 3])
        );
    }

    fn scope() -> impl Strategy<Value = Scope> {
        prop_oneof![
            Just(Scope::Own),
            Just(Scope::Subtree),
            Just(Scope::All),
            proptest::collection::vec(1i64..7, 1..3).prop_map(Scope::Units),
        ]
    }

    proptest! {
        /// Narrowing never widens, and a reach never names a unit outside the tree
        /// unless it is `All`.
        #[test]
        fn reach_is_bounded(unit in 1i64..7, s in scope(), root in 1i64..7) {
            let t = tree();
            let gr = g(unit, &[(Role::Reporter, s)]);
            let r = gr.reach(Capability::ReadRegistry, &t).unwrap();
            let n = r.within(&t, root);
            for u in 1..7 {
                prop_assert!(!n.covers(u) || (r.covers(u) && t.is_within(u, root)));
            }
            prop_assert!(gr.narrow_to(&[]).reach(Capability::ReadRegistry, &t).is_none());
        }
    }
}
