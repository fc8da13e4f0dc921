//! Problems and the timestamped trail of every step.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, now_ms, parse_date};
use duban_domain::ids::ProjectId;
use duban_domain::problem::{Problem, ProblemId, ProblemState, UserId};
use duban_domain::{ProblemCategory, ProblemSource};

pub(crate) const INSERT_COLS: &str = "project_id, source, category, description, lead_unit_id, assisting_units, responsible, \
     deadline, state, resolved_by, created_at, updated_at";
pub(crate) const INSERT_WIDTH: usize = 12;
const COLS: &str = "id, project_id, source, category, description, lead_unit_id, assisting_units, responsible, deadline, \
     state, resolved_by, created_at";

pub(crate) fn problem_vals(p: &Problem) -> Vec<Val> {
    let assisting: Vec<String> = p.assisting_unit_ids.iter().map(i64::to_string).collect();
    vec![
        p.project_id.into(),
        p.source.code().into(),
        p.category.code().into(),
        p.description.clone().into(),
        p.lead_unit_id.into(),
        assisting.join(",").into(),
        p.responsible.clone().into(),
        p.deadline.map(|d| d.to_string()).into(),
        p.state.code().into(),
        p.resolved_by.into(),
        p.created_at.into(),
        p.created_at.into(),
    ]
}

fn row(r: &dyn Cols) -> Result<Problem, StoreError> {
    let assisting = r.str("assisting_units")?;
    Ok(Problem {
        id: crate::db::id(r, "id")?,
        project_id: crate::db::opt_id(r, "project_id")?,
        source: decode(
            "problems.source",
            r.str("source")?,
            ProblemSource::from_code,
        )?,
        category: decode(
            "problems.category",
            r.str("category")?,
            ProblemCategory::from_code,
        )?,
        description: r.str("description")?,
        lead_unit_id: r.opt_i64("lead_unit_id")?,
        assisting_unit_ids: assisting
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse().map_err(|_| StoreError::Corrupt {
                    column: "problems.assisting_units",
                    value: assisting.clone(),
                })
            })
            .collect::<Result<_, _>>()?,
        responsible: r.str("responsible")?,
        deadline: parse_date("problems.deadline", r.opt_str("deadline")?)?,
        state: decode("problems.state", r.str("state")?, ProblemState::from_code)?,
        resolved_by: crate::db::opt_id(r, "resolved_by")?,
        created_at: r.i64("created_at")?,
    })
}

/// Record a new problem and its first event.
pub async fn insert(
    tx: &mut Tx,
    p: &Problem,
    actor: Option<UserId>,
) -> Result<ProblemId, StoreError> {
    let id = tx
        .scalar(
            &format!(
                "INSERT INTO problems ({INSERT_COLS}) VALUES {} RETURNING id AS v",
                crate::values_list(1, INSERT_WIDTH)
            ),
            &problem_vals(p),
        )
        .await
        .map(ProblemId::new)?;
    log_event(tx, id, actor, "create", None, p.state, "").await?;
    Ok(id)
}

pub async fn log_event(
    tx: &mut Tx,
    id: ProblemId,
    actor: Option<UserId>,
    action: &str,
    from: Option<ProblemState>,
    to: ProblemState,
    note: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO problem_events (problem_id, at, actor, action, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[id.into(), now_ms().into(), actor.into(), action.into(), from.map(|s| s.code().to_string()).into(), to.code().into(), note.into()],
    )
    .await?;
    Ok(())
}

/// Apply a transition decided by the domain, if the problem is still in `from`.
pub async fn set_state(
    tx: &mut Tx,
    id: ProblemId,
    from: ProblemState,
    to: ProblemState,
    actor: Option<UserId>,
    action: &str,
    note: &str,
) -> Result<(), StoreError> {
    let resolved_by = if to == ProblemState::Resolved {
        actor
    } else {
        None
    };
    let n = tx
        .execute(
            "UPDATE problems SET state = $1, resolved_by = CASE WHEN $2 = 1 THEN $3 ELSE resolved_by END, updated_at = $4, \
             version = version + 1 WHERE id = $5 AND state = $6",
            &[
                to.code().into(),
                i64::from(to == ProblemState::Resolved).into(),
                resolved_by.into(),
                now_ms().into(),
                id.into(),
                from.code().into(),
            ],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    log_event(tx, id, actor, action, Some(from), to, note).await
}

/// Assign (or reassign) the lead unit and deadline.
pub async fn assign(
    tx: &mut Tx,
    id: ProblemId,
    lead_unit: i64,
    deadline: chrono::NaiveDate,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE problems SET lead_unit_id = $1, deadline = $2, updated_at = $3 WHERE id = $4",
        &[
            lead_unit.into(),
            deadline.to_string().into(),
            now_ms().into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

pub async fn get(db: &Db, id: ProblemId) -> Result<Problem, StoreError> {
    db.fetch_one(
        &format!("SELECT {COLS} FROM problems WHERE id = $1"),
        &[id.into()],
        row,
    )
    .await
}

/// A step in a problem's trail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProblemEvent {
    pub at: i64,
    pub actor: Option<UserId>,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: String,
}

pub async fn events(db: &Db, id: ProblemId) -> Result<Vec<ProblemEvent>, StoreError> {
    db.fetch_all(
        "SELECT at, actor, action, from_state, to_state, note FROM problem_events WHERE problem_id = $1 ORDER BY id",
        &[id.into()],
        |r| {
            Ok(ProblemEvent {
                at: r.i64("at")?,
                actor: crate::db::opt_id(r, "actor")?,
                action: r.str("action")?,
                from_state: r.opt_str("from_state")?,
                to_state: r.str("to_state")?,
                note: r.str("note")?,
            })
        },
    )
    .await
}

/// Problems still pending whose deadline is before `today` (dates compare as ISO text).
pub async fn count_overdue(db: &Db, today: chrono::NaiveDate) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT COUNT(*) AS v FROM problems WHERE state NOT IN ('resolved', 'closed') AND deadline < $1",
        &[today.to_string().into()],
    )
    .await
}

/// Replace the assisting units of a problem (kept in the row for display and in
/// `problem_assisting` for scope queries).
pub async fn set_assisting(tx: &mut Tx, id: ProblemId, units: &[i64]) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM problem_assisting WHERE problem_id = $1",
        &[id.into()],
    )
    .await?;
    for u in units {
        tx.execute(
            "INSERT INTO problem_assisting (problem_id, unit_id) VALUES ($1, $2)",
            &[id.into(), (*u).into()],
        )
        .await?;
    }
    let text: Vec<String> = units.iter().map(i64::to_string).collect();
    tx.execute(
        "UPDATE problems SET assisting_units = $1 WHERE id = $2",
        &[text.join(",").into(), id.into()],
    )
    .await?;
    Ok(())
}

pub async fn set_responsible(tx: &mut Tx, id: ProblemId, who: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE problems SET responsible = $1 WHERE id = $2",
        &[who.into(), id.into()],
    )
    .await?;
    Ok(())
}

pub async fn set_deadline(
    tx: &mut Tx,
    id: ProblemId,
    deadline: chrono::NaiveDate,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE problems SET deadline = $1, updated_at = $2, version = version + 1 WHERE id = $3",
        &[deadline.to_string().into(), now_ms().into(), id.into()],
    )
    .await?;
    Ok(())
}

/// The SQL condition of the problems a reach sees: led by, assisted by, or about a
/// project of a unit within it.
pub fn reach_cond(reach: &duban_domain::access::Reach) -> String {
    let lead = crate::reach_sql("q.lead_unit_id", reach);
    let proj = crate::reach_sql("pp.unit_id", reach);
    let assist = crate::reach_sql("pa.unit_id", reach);
    format!(
        "({lead} OR EXISTS (SELECT 1 FROM projects pp WHERE pp.id = q.project_id AND {proj}) \
         OR EXISTS (SELECT 1 FROM problem_assisting pa WHERE pa.problem_id = q.id AND {assist}))"
    )
}

/// Filters of the problem list.
#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub reach: duban_domain::access::Reach,
    /// Only problems whose lead unit is within the reach (not those it assists or whose
    /// project it owns): the population of the dashboards' problem counts.
    pub led_only: bool,
    /// The states that count as overdue past `deadline_before` (default: pending ones).
    pub overdue_states: Option<Vec<&'static str>>,
    pub state: Option<ProblemState>,
    pub project_id: Option<ProjectId>,
    pub lead_unit_id: Option<i64>,
    pub source: Option<duban_domain::codes::ProblemSource>,
    /// Created at or after this instant (milliseconds since the epoch).
    pub created_from_ms: Option<i64>,
    /// Pending problems with a deadline before this date (ISO) …
    pub deadline_before: Option<chrono::NaiveDate>,
    /// … or on/after this one.
    pub deadline_from: Option<chrono::NaiveDate>,
    /// Words in the description, the responsible person, or the project's code or name.
    pub text: Option<String>,
    pub offset: i64,
    pub limit: i64,
}

pub async fn list(db: &Db, f: &ProblemFilter) -> Result<(i64, Vec<Problem>), StoreError> {
    let scope = if f.led_only {
        format!(
            "q.lead_unit_id IS NOT NULL AND {}",
            crate::reach_sql("q.lead_unit_id", &f.reach)
        )
    } else {
        reach_cond(&f.reach)
    };
    let mut w = crate::query::Where::new([scope]);
    w.opt("q.state = ?", f.state.map(|s| s.code()));
    w.opt("q.project_id = ?", f.project_id);
    w.opt("q.lead_unit_id = ?", f.lead_unit_id);
    w.opt("q.source = ?", f.source.map(|s| s.code()));
    w.opt("q.created_at >= ?", f.created_from_ms);
    w.opt(
        "(q.description LIKE ? OR q.responsible LIKE ? OR q.project_id IN (SELECT id FROM projects WHERE code LIKE ? OR name LIKE ?))",
        f.text.as_ref().map(|t| format!("%{}%", t.replace(['%', '_'], ""))),
    );
    let pending = "q.state NOT IN ('resolved', 'closed')";
    let overdue = match &f.overdue_states {
        Some(states) => format!("q.state IN ({})", crate::sql_list(states)),
        None => pending.to_string(),
    };
    w.opt(
        &format!("{overdue} AND q.deadline < ?"),
        f.deadline_before.map(|d| d.to_string()),
    );
    w.opt(
        &format!("{pending} AND q.deadline >= ?"),
        f.deadline_from.map(|d| d.to_string()),
    );
    let cols = COLS
        .split(", ")
        .map(|c| format!("q.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    crate::query::page(
        db,
        "",
        &cols,
        "problems q",
        w,
        "q.id DESC",
        f.offset,
        f.limit,
        row,
    )
    .await
}

/// Is the problem within the reach?
pub async fn within(
    db: &Db,
    id: ProblemId,
    reach: &duban_domain::access::Reach,
) -> Result<bool, StoreError> {
    Ok(db
        .scalar(
            &format!(
                "SELECT COUNT(*) AS v FROM problems q WHERE q.id = $1 AND {}",
                reach_cond(reach)
            ),
            &[id.into()],
        )
        .await?
        > 0)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Extension {
    pub id: i64,
    pub problem_id: ProblemId,
    pub current_deadline: String,
    pub requested: String,
    pub reason: String,
    pub requested_by: i64,
    pub requested_at: i64,
    /// `approved` or `rejected`; `None` while pending.
    pub decision: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<i64>,
}

const EXT_COLS: &str = "id, problem_id, current_deadline, requested, reason, requested_by, requested_at, decision, decided_by, decided_at";

fn ext_row(r: &dyn Cols) -> Result<Extension, StoreError> {
    Ok(Extension {
        id: r.i64("id")?,
        problem_id: crate::db::id(r, "problem_id")?,
        current_deadline: r.str("current_deadline")?,
        requested: r.str("requested")?,
        reason: r.str("reason")?,
        requested_by: r.i64("requested_by")?,
        requested_at: r.i64("requested_at")?,
        decision: r.opt_str("decision")?,
        decided_by: r.opt_i64("decided_by")?,
        decided_at: r.opt_i64("decided_at")?,
    })
}

pub async fn request_extension(
    tx: &mut Tx,
    id: ProblemId,
    e: &duban_domain::problem::ExtensionRequest,
    by: UserId,
) -> Result<i64, StoreError> {
    let pending = tx
        .scalar(
            "SELECT COUNT(*) AS v FROM problem_extensions WHERE problem_id = $1 AND decision IS NULL",
            &[id.into()],
        )
        .await?;
    if pending > 0 {
        return Err(StoreError::Duplicate("a pending extension request".into()));
    }
    tx.scalar(
        &format!(
            "INSERT INTO problem_extensions ({}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id AS v",
            "problem_id, current_deadline, requested, reason, requested_by, requested_at"
        ),
        &[
            id.into(),
            e.current.to_string().into(),
            e.requested.to_string().into(),
            e.reason.clone().into(),
            by.into(),
            now_ms().into(),
        ],
    )
    .await
}

pub async fn extension(db: &Db, id: i64) -> Result<Extension, StoreError> {
    db.fetch_one(
        &format!("SELECT {EXT_COLS} FROM problem_extensions WHERE id = $1"),
        &[id.into()],
        ext_row,
    )
    .await
}

pub async fn extensions(db: &Db, problem: ProblemId) -> Result<Vec<Extension>, StoreError> {
    db.fetch_all(
        &format!("SELECT {EXT_COLS} FROM problem_extensions WHERE problem_id = $1 ORDER BY id"),
        &[problem.into()],
        ext_row,
    )
    .await
}

/// Record the decision on a pending request (else `Stale`).
pub async fn decide_extension(
    tx: &mut Tx,
    id: i64,
    approved: bool,
    by: UserId,
) -> Result<(), StoreError> {
    let n = tx
        .execute(
            "UPDATE problem_extensions SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND decision IS NULL",
            &[if approved { "approved" } else { "rejected" }.into(), by.into(), now_ms().into(), id.into()],
        )
        .await?;
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// A problem still open raised from a report on a project with this description, if
/// any (a closed one does not stop the same trouble being raised again).
pub async fn raised(
    db: &Db,
    project: ProjectId,
    description: &str,
) -> Result<Option<ProblemId>, StoreError> {
    db.fetch_optional(
        "SELECT id FROM problems WHERE project_id = $1 AND source = 'report' AND description = $2 AND state <> 'closed' ORDER BY id LIMIT 1",
        &[project.into(), description.into()],
        |r| crate::db::id(r, "id"),
    )
    .await
}

/// A pending problem with a deadline, as the routine's reminders need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub id: ProblemId,
    pub description: String,
    pub lead_unit_id: i64,
    pub deadline: chrono::NaiveDate,
    pub project: String,
    pub leader: String,
}

/// Problems not yet resolved whose deadline falls within `from..=to`.
pub async fn pending_due_between(
    db: &Db,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<Due>, StoreError> {
    db.fetch_all(
        "SELECT q.id, q.description, q.lead_unit_id, q.deadline, COALESCE(p.name, '') AS pname, COALESCE(p.leader, '') AS leader \
         FROM problems q LEFT JOIN projects p ON p.id = q.project_id \
         WHERE q.state IN ('assigned', 'acknowledged', 'in_progress', 'reopened') \
         AND q.lead_unit_id IS NOT NULL AND q.deadline >= $1 AND q.deadline <= $2 ORDER BY q.id",
        &[from.to_string().into(), to.to_string().into()],
        |r| {
            let d = r.str("deadline")?;
            Ok(Due {
                id: crate::db::id(r, "id")?,
                description: r.str("description")?,
                lead_unit_id: r.i64("lead_unit_id")?,
                deadline: chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| {
                    StoreError::Corrupt {
                        column: "problems.deadline",
                        value: d.clone(),
                    }
                })?,
                project: r.str("pname")?,
                leader: r.str("leader")?,
            })
        },
    )
    .await
}
