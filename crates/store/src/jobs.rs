//! Leases and the record of background runs, shared by every server on one database.

use crate::db::{Cols, Db};
use crate::{StoreError, now_ms};
use serde::Serialize;

/// Take the lease `name` for `ttl_ms` when it is free, expired or already ours; true
/// when we hold it now. One statement, so two servers cannot both win.
pub async fn acquire(db: &Db, name: &str, holder: &str, ttl_ms: i64) -> Result<bool, StoreError> {
    let now = now_ms();
    let n = db
        .execute(
            "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE leases.expires_at < $4 OR leases.holder = excluded.holder",
            &[name.into(), holder.into(), (now + ttl_ms).into(), now.into()],
        )
        .await?;
    Ok(n == 1)
}

/// Give the lease back (only if we hold it).
pub async fn release(db: &Db, name: &str, holder: &str) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM leases WHERE name = $1 AND holder = $2",
        &[name.into(), holder.into()],
    )
    .await?;
    Ok(())
}

/// Who holds a lease, until when.
pub async fn holder(db: &Db, name: &str) -> Result<Option<(String, i64)>, StoreError> {
    db.fetch_optional(
        "SELECT holder, expires_at FROM leases WHERE name = $1",
        &[name.into()],
        |r| Ok((r.str("holder")?, r.i64("expires_at")?)),
    )
    .await
}

/// One run of a job.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Run {
    pub id: i64,
    pub job: String,
    /// The period the run is for (a day, a week …): a job runs once per period.
    pub period_key: String,
    pub instance: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    /// running | ok | failed
    pub outcome: String,
    pub detail: String,
}

fn row(r: &dyn Cols) -> Result<Run, StoreError> {
    Ok(Run {
        id: r.i64("id")?,
        job: r.str("job")?,
        period_key: r.str("period_key")?,
        instance: r.str("instance")?,
        started_at: r.i64("started_at")?,
        finished_at: r.opt_i64("finished_at")?,
        outcome: r.str("outcome")?,
        detail: r.str("detail")?,
    })
}

/// Record the start of a job's run for a period; `None` when that period's run exists
/// already (done, or being done, by this or another server).
pub async fn start(
    db: &Db,
    job: &str,
    period_key: &str,
    instance: &str,
) -> Result<Option<i64>, StoreError> {
    let mut tx = db.write().await?;
    let id = match tx
        .scalar(
            "INSERT INTO job_runs (job, period_key, instance, started_at, outcome, detail) \
             VALUES ($1, $2, $3, $4, 'running', '') RETURNING id AS v",
            &[
                job.into(),
                period_key.into(),
                instance.into(),
                now_ms().into(),
            ],
        )
        .await
    {
        Ok(id) => id,
        Err(StoreError::Duplicate(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    tx.commit().await?;
    Ok(Some(id))
}

/// Record how a run ended.
pub async fn finish(db: &Db, id: i64, ok: bool, detail: &str) -> Result<(), StoreError> {
    db.execute(
        "UPDATE job_runs SET finished_at = $1, outcome = $2, detail = $3 WHERE id = $4",
        &[
            now_ms().into(),
            (if ok { "ok" } else { "failed" }).into(),
            detail.into(),
            id.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Set a failed run aside (kept, under `PERIOD#failed-ID`) so that the period can be
/// tried again.
pub async fn set_aside(db: &Db, id: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE job_runs SET period_key = period_key || '#failed-' || CAST(id AS TEXT) WHERE id = $1 AND outcome <> 'ok'",
        &[id.into()],
    )
    .await?;
    Ok(())
}

/// The newest runs, newest first.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<Run>, StoreError> {
    db.fetch_all(
        "SELECT id, job, period_key, instance, started_at, finished_at, outcome, detail \
         FROM job_runs ORDER BY id DESC LIMIT $1",
        &[limit.into()],
        row,
    )
    .await
}
