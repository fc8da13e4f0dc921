//! Access control in one place. A [`Caller`] is an authenticated user; the only way to
//! reach a use case is through a [`Can`] handle that [`Caller::can`] returned, which
//! carries the units the capability reaches. Use cases filter every read by that reach
//! and check every target against it, so no other code decides who sees what.

use crate::AppError;
use duban_domain::Role;
use duban_domain::access::{Capability, Grants, Reach, RoleGrant};
use duban_domain::ids::UserId;
use duban_domain::unit::{UnitId, UnitTree};
use duban_store::{Db, units};
use std::marker::PhantomData;
use std::sync::Arc;

/// Who is acting, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    pub ip: String,
    /// Set when the request came with an API token rather than a session.
    pub token_id: Option<i64>,
}

/// An authenticated user with their grants and the unit tree they are resolved against.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Arc<Actor>,
    grants: Grants,
    tree: Arc<UnitTree>,
}

/// A capability, as a type.
pub trait Cap {
    const CAP: Capability;
}

macro_rules! caps {
    ($($name:ident),* $(,)?) => {$(
        #[doc = concat!("The `", stringify!($name), "` capability.")]
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Cap for $name { const CAP: Capability = Capability::$name; }
    )*};
}
caps!(
    ReadRegistry,
    EditRegistry,
    ManageUnits,
    DraftReports,
    ApproveReports,
    Supervise,
    WorkProblems,
    ManageUsers,
    ReadAudit,
    Review
);

/// Proof that the caller holds capability `C`, and where it reaches. Only
/// [`Caller::can`] makes one.
#[derive(Debug, Clone)]
pub struct Can<C: Cap> {
    caller: Caller,
    reach: Reach,
    _c: PhantomData<C>,
}

impl Caller {
    /// Load the unit tree and build a caller (grants already narrowed for tokens).
    pub async fn resolve(db: &Db, actor: Actor, roles: Vec<RoleGrant>) -> Result<Caller, AppError> {
        let tree = unit_tree(db).await?;
        Ok(Caller {
            grants: Grants {
                unit: actor.unit_id,
                roles,
            },
            actor: Arc::new(actor),
            tree,
        })
    }

    /// The permission check: a handle for `C`, or `forbidden`.
    pub fn can<C: Cap>(&self) -> Result<Can<C>, AppError> {
        match self.grants.reach(C::CAP, &self.tree) {
            Some(reach) => Ok(Can {
                caller: self.clone(),
                reach,
                _c: PhantomData,
            }),
            None => Err(AppError::Forbidden { capability: C::CAP }),
        }
    }

    pub fn roles(&self) -> Vec<Role> {
        self.grants.roles.iter().map(|g| g.role).collect()
    }
    pub fn grants(&self) -> &[RoleGrant] {
        &self.grants.roles
    }
    pub fn capabilities(&self) -> Vec<Capability> {
        Capability::ALL
            .into_iter()
            .filter(|c| self.grants.has(*c))
            .collect()
    }
    pub fn tree(&self) -> &UnitTree {
        &self.tree
    }
    /// Does the caller see unapproved reports of projects of `unit`?
    pub fn sees_unapproved_at(&self, unit: UnitId) -> bool {
        self.grants.sees_unapproved_at(unit, &self.tree)
    }
    /// Where the caller sees unapproved reports.
    pub fn unapproved_reach(&self) -> Reach {
        self.grants.unapproved_reach(&self.tree)
    }
}

impl<C: Cap> Can<C> {
    pub fn actor(&self) -> &Actor {
        &self.caller.actor
    }
    pub fn caller(&self) -> &Caller {
        &self.caller
    }
    pub fn reach(&self) -> &Reach {
        &self.reach
    }
    /// The unit a document or a run is issued for: the one asked for, else the top of
    /// the caller's scope (the root of the caller's organisation for a scope over every
    /// organisation).
    pub fn issuing_unit(&self, asked: Option<UnitId>) -> UnitId {
        let tree = &self.caller.tree;
        let own = self.caller.actor.unit_id;
        match (asked, &self.reach) {
            (Some(u), _) => u,
            // The organisation the caller belongs to (the console: the first one).
            (None, Reach::All) if tree.contains(own) => tree.root_of(own),
            (None, Reach::All) => tree.roots().first().copied().unwrap_or(own),
            // The top of the reach, when it has one (a whole organisation, a subtree).
            (None, Reach::Units(us)) => {
                let tops: Vec<UnitId> = us
                    .iter()
                    .copied()
                    .filter(|u| tree.parent(*u).is_none_or(|p| !us.contains(&p)))
                    .collect();
                match tops.as_slice() {
                    [one] => *one,
                    _ => own,
                }
            }
        }
    }

    /// The reach narrowed to a unit subtree the caller asked for.
    pub fn reach_within(&self, unit: Option<UnitId>) -> Reach {
        match unit {
            Some(u) => self.reach.within(&self.caller.tree, u),
            None => self.reach.clone(),
        }
    }
    /// Is the unit within reach? Objects outside it are reported as not found, so that
    /// no identifier leaks.
    pub fn check(&self, unit: UnitId, what: &'static str) -> Result<(), AppError> {
        if self.reach.covers(unit) {
            Ok(())
        } else {
            Err(AppError::NotFound { what })
        }
    }
    /// Like [`Can::check`], for a unit the caller names as a target (e.g. the unit of a new
    /// project): outside the reach it is a field error, not a missing object.
    pub fn check_target(&self, field: &str, unit: UnitId) -> Result<(), AppError> {
        if self.reach.covers(unit) && self.caller.tree.contains(unit) {
            Ok(())
        } else {
            Err(duban_domain::FieldError::new(
                field,
                "out_of_scope",
                format!("单位 {unit} 不存在或不在您的数据范围内"),
                format!("unit {unit} does not exist or is outside your data scope"),
            )
            .into())
        }
    }
}

/// The unit tree every request's permissions are resolved against, kept in memory at the
/// units' change count: a request reads the counter, not the thousands of units (a unit
/// written on any server counts itself in its transaction).
static UNIT_TREES: std::sync::LazyLock<crate::cache::Memo<Arc<UnitTree>>> =
    std::sync::LazyLock::new(|| {
        crate::cache::Memo::fresh_only(std::time::Duration::from_secs(600), 16)
    });

pub(crate) async fn unit_tree(db: &Db) -> Result<Arc<UnitTree>, AppError> {
    let version = duban_store::changes::version(db, "units").await?;
    UNIT_TREES
        .get_or(db, String::new(), version, async || {
            let list = units::list_all_links(db).await?;
            UnitTree::build(list)
                .map(Arc::new)
                .map_err(|e| AppError::internal("the unit tree", e.to_string()))
        })
        .await
}
