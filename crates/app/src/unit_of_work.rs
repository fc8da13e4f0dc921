//! The unit of work: the one place a write begins and commits.
//!
//! A write begins from a capability handle (`can.write(db)`), so no write runs without a
//! permission check. The unit owns the transaction, the actor, the audit entries to
//! append, the projects whose dashboards' read model must be refreshed and the caches to
//! clear; [`UnitOfWork::commit`] does all of it once, in order, inside the transaction
//! (refresh, messages to people, audit, commit) and then clears the caches. Dropped
//! without `commit`, it rolls back and writes nothing. Messages to people
//! ([`UnitOfWork::notify`]) are written here, in the transaction of the change that
//! causes them, so that none is sent for a change that did not happen and none is lost
//! for one that did.

use crate::access::{Actor, Can, Cap};
use crate::{AppError, audit};
use duban_domain::ids::ProjectId;
use duban_store::{Db, Tx};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Caches a write may have made stale.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Stale {
    projects: bool,
    problems: bool,
}

/// One write in progress.
pub struct UnitOfWork<'a> {
    db: &'a Db,
    tx: Tx,
    actor: Arc<Actor>,
    audit: Vec<audit::Write>,
    /// (project, year): one year; (project, None): every year the project has.
    refresh: BTreeSet<(ProjectId, Option<i32>)>,
    stale: Stale,
    /// Messages to people, written with the change that causes them.
    notices: Vec<duban_store::notifications::Notification>,
    /// Who is who, read once per write when a message is addressed.
    people: Option<crate::routine::People>,
}

/// The server's console: whoever runs `duban` on the machine that holds the database
/// (`duban user add`, the demo's set-up). An explicit capability of its own, so that a
/// console write is as visible in the code as it is in the audit log, where its entries
/// name "(console)".
pub struct Console {
    actor: Arc<Actor>,
}

impl Console {
    /// The console of this process.
    pub fn open() -> Console {
        Console {
            actor: Arc::new(crate::accounts::console(0)),
        }
    }

    /// The first-run page, acting for the console once it has shown the one-time code
    /// the console printed (audited as "(first-run)" from its address).
    pub(crate) fn open_from(ip: &str) -> Console {
        let mut a = crate::accounts::console(0);
        a.username = "(first-run)".into();
        a.display_name = "(first-run)".into();
        a.ip = ip.to_string();
        Console { actor: Arc::new(a) }
    }

    /// Begin a write as the console.
    pub async fn write<'a>(&self, db: &'a Db) -> Result<UnitOfWork<'a>, AppError> {
        UnitOfWork::begin(db, self.actor.clone()).await
    }
}

impl crate::access::Caller {
    /// Begin a write to the signed-in user's own account (password, second factor, API
    /// tokens): being signed in is the capability.
    pub async fn write_own<'a>(&self, db: &'a Db) -> Result<UnitOfWork<'a>, AppError> {
        UnitOfWork::begin(db, self.actor.clone()).await
    }
}

impl<C: Cap> Can<C> {
    /// Begin a write as the caller this handle was granted to.
    pub async fn write<'a>(&self, db: &'a Db) -> Result<UnitOfWork<'a>, AppError> {
        UnitOfWork::begin(db, self.caller().actor.clone()).await
    }
}

impl<'a> UnitOfWork<'a> {
    async fn begin(db: &'a Db, actor: Arc<Actor>) -> Result<UnitOfWork<'a>, AppError> {
        Ok(UnitOfWork {
            tx: db.write().await?,
            db,
            actor,
            audit: Vec::new(),
            refresh: BTreeSet::new(),
            stale: Stale::default(),
            notices: Vec::new(),
            people: None,
        })
    }

    /// The people of a unit holding one of the roles (the users are read once per write).
    pub(crate) async fn people_of(
        &mut self,
        unit: i64,
        roles: &[duban_domain::Role],
    ) -> Result<Vec<i64>, AppError> {
        if self.people.is_none() {
            self.people = Some(crate::routine::People::load(self.db).await?);
        }
        Ok(self.people.as_ref().expect("loaded").of_unit(unit, roles))
    }

    /// The people holding one of the roles in a unit or any unit above it (the supervisors
    /// who oversee a unit, for instance).
    pub(crate) async fn people_over(
        &mut self,
        unit: i64,
        roles: &[duban_domain::Role],
    ) -> Result<Vec<i64>, AppError> {
        let units = duban_store::units::list(self.db).await?;
        let mut out = Vec::new();
        let mut at = Some(unit);
        let mut seen = BTreeSet::new();
        while let Some(u) = at {
            if !seen.insert(u) {
                break;
            }
            out.extend(self.people_of(u, roles).await?);
            at = units.iter().find(|x| x.id == u).and_then(|x| x.parent_id);
        }
        Ok(out)
    }

    /// Tell a person something (written at commit, in this transaction: a message exists
    /// exactly when the change that causes it does). `once` names what makes it the same
    /// message: written again with the same key, it is not written twice.
    pub fn notify(&mut self, user: i64, m: &duban_domain::notify::Message, once: String) {
        self.notices.push(duban_store::notifications::Notification {
            id: 0,
            user_id: user,
            event: m.event.code().to_string(),
            title_zh: m.title_zh.clone(),
            title_en: m.title_en.clone(),
            body_zh: m.body_zh.clone(),
            body_en: m.body_en.clone(),
            link: m.link.clone(),
            dedupe: once,
            created_at: duban_store::now_ms(),
            read_at: None,
        });
    }

    /// The transaction, for the store's writes.
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// Who writes.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Record what was done (appended to the chained audit log at commit, in order).
    pub fn audit<B: Serialize, A: Serialize>(
        &mut self,
        action: impl Into<String>,
        object_type: &'static str,
        object_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) {
        self.audit.push(audit::Write::new(
            action,
            object_type,
            object_id,
            before,
            after,
        ));
    }

    /// Record many writes already described (an import's rows).
    pub fn audit_all(&mut self, writes: impl IntoIterator<Item = audit::Write>) {
        self.audit.extend(writes);
    }

    /// The project's year in the dashboards must be recomputed.
    pub fn refresh(&mut self, project: ProjectId, year: i32) {
        self.refresh.insert((project, Some(year)));
    }

    /// Every year of the project in the dashboards must be recomputed (a registry change).
    pub fn refresh_all_years(&mut self, project: ProjectId) {
        self.refresh.insert((project, None));
        self.stale.projects = true;
    }

    /// The registry's counts are stale.
    pub fn projects_changed(&mut self) {
        self.stale.projects = true;
    }

    /// The problem counts are stale.
    pub fn problems_changed(&mut self) {
        self.stale.problems = true;
    }

    /// A project turned red: its unit's clerks, approvers and leaders, and its liaison
    /// leader, once a day.
    async fn tell_red(&mut self, id: ProjectId) -> Result<(), AppError> {
        let Some((name, unit, leader)) = self
            .tx
            .fetch_optional(
                "SELECT p.name, p.unit_id, p.leader, u.name AS unit_name FROM projects p JOIN units u ON u.id = p.unit_id WHERE p.id = $1",
                &[id.into()],
                |r| Ok((r.str("name")?, (r.i64("unit_id")?, r.str("unit_name")?), r.str("leader")?)),
            )
            .await?
        else {
            return Ok(());
        };
        let m = duban_domain::notify::red_message(id.get(), &name, &unit.1);
        let mut to: BTreeSet<i64> = self
            .people_of(
                unit.0,
                &[
                    duban_domain::Role::Reporter,
                    duban_domain::Role::Approver,
                    duban_domain::Role::Leader,
                ],
            )
            .await?
            .into_iter()
            .collect();
        if let Some(people) = &self.people {
            to.extend(people.leaders_named(&leader));
        }
        let day = crate::clock::today();
        for user in to {
            self.notify(user, &m, format!("project_red:{}:{user}:{day}", id.get()));
        }
        Ok(())
    }

    /// Refresh the read model, append the audit entries and commit, then clear the
    /// caches: the only way a write takes effect.
    pub async fn commit(mut self) -> Result<(), AppError> {
        if !self.refresh.is_empty() {
            let rules = crate::analytics::rules_in(&mut self.tx).await?;
            let all: BTreeSet<ProjectId> = self
                .refresh
                .iter()
                .filter(|(_, y)| y.is_none())
                .map(|(p, _)| *p)
                .collect();
            for &(p, y) in &self.refresh {
                match y {
                    None => crate::analytics::refresh_all_years(&mut self.tx, p, &rules).await?,
                    Some(_) if all.contains(&p) => {}
                    Some(y) => {
                        crate::analytics::refresh_project(&mut self.tx, p, y, &rules).await?
                    }
                }
            }
            // The dashboards' kept sums are of the totals just changed.
            duban_store::changes::bump(&mut self.tx, "totals").await?;
            let projects: BTreeSet<ProjectId> = self.refresh.iter().map(|(p, _)| *p).collect();
            // A light that changed makes the registry's counts by light stale; a project that
            // turned red is told to its unit and its liaison leader.
            let (changed, red) = crate::analytics::refresh_standing(&mut self.tx, projects).await?;
            if changed {
                self.stale.projects = true;
            }
            for p in red {
                self.tell_red(p).await?;
            }
        }
        // Every server's caches see the change at their next read.
        if self.stale.projects {
            duban_store::changes::bump(&mut self.tx, "projects").await?;
        }
        if self.stale.problems {
            duban_store::changes::bump(&mut self.tx, "problems").await?;
        }
        let mut written = Vec::new();
        for n in std::mem::take(&mut self.notices) {
            if duban_store::notifications::insert(&mut self.tx, &n).await? {
                written.push(n);
            }
        }
        // The same messages for the other channels, in the outbox, in this transaction.
        let queued = crate::delivery::enqueue_in(&mut self.tx, self.db, &written).await?;
        if !self.audit.is_empty() {
            let n = self.audit.len();
            audit::record_many(&mut self.tx, &self.actor, std::mem::take(&mut self.audit)).await?;
            tracing::debug!(entries = n, "unit of work: audited");
        }
        self.tx.commit().await?;
        tracing::debug!("unit of work: committed");
        if queued > 0 {
            crate::delivery::wake();
        }
        if self.stale.projects {
            crate::registry::projects_changed(self.db);
        }
        if self.stale.problems {
            crate::analytics::problems_changed(self.db);
        }
        Ok(())
    }
}
