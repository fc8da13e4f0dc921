//! Problems and the timestamped trail of every step.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, now_ms, parse_date};
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
        id: r.i64("id")?,
        project_id: r.opt_i64("project_id")?,
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
        resolved_by: r.opt_i64("resolved_by")?,
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
        .await?;
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
                actor: r.opt_i64("actor")?,
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
