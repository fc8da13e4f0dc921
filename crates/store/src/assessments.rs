//! Assessment runs: the frozen scheme and inputs, and the reviewers' scores.

use crate::db::{Cols, Db, Tx};
use crate::{StoreError, reach_sql};
use duban_domain::access::Reach;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunRow {
    pub id: i64,
    pub scheme_name: String,
    pub period: String,
    pub unit_id: i64,
    /// open | published
    pub state: String,
    pub created_by: i64,
    pub created_at: i64,
    pub published_by: Option<i64>,
    pub published_at: Option<i64>,
}

const COLS: &str =
    "id, scheme_name, period, unit_id, state, created_by, created_at, published_by, published_at";

fn row(r: &dyn Cols) -> Result<RunRow, StoreError> {
    Ok(RunRow {
        id: r.i64("id")?,
        scheme_name: r.str("scheme_name")?,
        period: r.str("period")?,
        unit_id: r.i64("unit_id")?,
        state: r.str("state")?,
        created_by: r.i64("created_by")?,
        created_at: r.i64("created_at")?,
        published_by: r.opt_i64("published_by")?,
        published_at: r.opt_i64("published_at")?,
    })
}

/// A review score as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewRow {
    pub unit_id: i64,
    pub indicator: String,
    pub reviewer_id: i64,
    pub group: String,
    pub score: f64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut Tx,
    scheme_name: &str,
    scheme: &str,
    period: &str,
    unit_id: i64,
    inputs: &str,
    by: i64,
    at: i64,
) -> Result<i64, StoreError> {
    tx.scalar(
        "INSERT INTO assessment_runs (scheme_name, scheme, period, unit_id, state, inputs, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) RETURNING id AS v",
        &[
            scheme_name.into(),
            scheme.into(),
            period.into(),
            unit_id.into(),
            inputs.into(),
            by.into(),
            at.into(),
        ],
    )
    .await
}

/// A run with its frozen scheme and inputs (JSON).
pub async fn get(db: &Db, id: i64) -> Result<Option<(RunRow, String, String)>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {COLS}, scheme, inputs FROM assessment_runs WHERE id = $1"),
        &[id.into()],
        |r| Ok((row(r)?, r.str("scheme")?, r.str("inputs")?)),
    )
    .await
}

pub async fn list(db: &Db, reach: &Reach) -> Result<Vec<RunRow>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {COLS} FROM assessment_runs a WHERE {} ORDER BY id DESC",
            reach_sql("a.unit_id", reach)
        ),
        &[],
        row,
    )
    .await
}

pub async fn reviews(db: &Db, run: i64) -> Result<Vec<ReviewRow>, StoreError> {
    db.fetch_all(
        "SELECT unit_id, indicator, reviewer_id, reviewer_group, score FROM assessment_reviews \
         WHERE run_id = $1 ORDER BY unit_id, indicator, reviewer_id",
        &[run.into()],
        |r| {
            Ok(ReviewRow {
                unit_id: r.i64("unit_id")?,
                indicator: r.str("indicator")?,
                reviewer_id: r.i64("reviewer_id")?,
                group: r.str("reviewer_group")?,
                score: r.opt_f64("score")?.unwrap_or(0.0),
            })
        },
    )
    .await
}

/// A reviewer's score for a unit and indicator (a second entry replaces the first).
pub async fn put_review(tx: &mut Tx, run: i64, r: &ReviewRow, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM assessment_reviews WHERE run_id = $1 AND unit_id = $2 AND indicator = $3 AND reviewer_id = $4",
        &[run.into(), r.unit_id.into(), r.indicator.clone().into(), r.reviewer_id.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO assessment_reviews (run_id, unit_id, indicator, reviewer_id, reviewer_group, score, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            run.into(),
            r.unit_id.into(),
            r.indicator.clone().into(),
            r.reviewer_id.into(),
            r.group.clone().into(),
            Some(r.score).into(),
            at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A figure entered for a unit, with its evidence.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EntryRow {
    pub unit_id: i64,
    pub indicator: String,
    pub value: Option<f64>,
    pub count: Option<f64>,
    pub evidence: String,
    pub entered_by: i64,
}

pub async fn entries(db: &Db, run: i64) -> Result<Vec<EntryRow>, StoreError> {
    db.fetch_all(
        "SELECT unit_id, indicator, value, count, evidence, entered_by FROM assessment_entries \
         WHERE run_id = $1 ORDER BY unit_id, indicator",
        &[run.into()],
        |r| {
            Ok(EntryRow {
                unit_id: r.i64("unit_id")?,
                indicator: r.str("indicator")?,
                value: r.opt_f64("value")?,
                count: r.opt_f64("count")?,
                evidence: r.str("evidence")?,
                entered_by: r.i64("entered_by")?,
            })
        },
    )
    .await
}

/// Enter (or replace) a unit's figure for an indicator.
pub async fn put_entry(tx: &mut Tx, run: i64, e: &EntryRow, at: i64) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM assessment_entries WHERE run_id = $1 AND unit_id = $2 AND indicator = $3",
        &[run.into(), e.unit_id.into(), e.indicator.clone().into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO assessment_entries (run_id, unit_id, indicator, value, count, evidence, entered_by, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            run.into(),
            e.unit_id.into(),
            e.indicator.clone().into(),
            e.value.into(),
            e.count.into(),
            e.evidence.clone().into(),
            e.entered_by.into(),
            at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// open → published; 0 rows when it was published already.
pub async fn publish(tx: &mut Tx, id: i64, by: i64, at: i64) -> Result<u64, StoreError> {
    tx.execute(
        "UPDATE assessment_runs SET state = 'published', published_by = $1, published_at = $2 \
         WHERE id = $3 AND state = 'open'",
        &[by.into(), at.into(), id.into()],
    )
    .await
}

/// Problems led by each unit of the reach: (closed, all) created before `before_ms`.
pub async fn problem_closure(
    db: &Db,
    reach: &Reach,
    before_ms: i64,
) -> Result<Vec<(i64, i64, i64)>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT q.lead_unit_id AS unit_id, \
                    CAST(SUM(CASE WHEN q.state = 'closed' THEN 1 ELSE 0 END) AS BIGINT) AS closed, \
                    CAST(COUNT(*) AS BIGINT) AS total \
             FROM problems q WHERE q.lead_unit_id IS NOT NULL AND q.created_at < $1 AND {} \
             GROUP BY q.lead_unit_id",
            reach_sql("q.lead_unit_id", reach)
        ),
        &[before_ms.into()],
        |r| Ok((r.i64("unit_id")?, r.i64("closed")?, r.i64("total")?)),
    )
    .await
}
