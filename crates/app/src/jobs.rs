//! Background work: one instance at a time (a lease in the database, renewed while the
//! work runs, taken over by another server when its holder dies), once per period (a
//! recorded run per job and period), each run counted for `/metrics` and kept for
//! administrators.

use crate::AppError;
use duban_store::{Db, jobs as store};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

static COUNTS: Mutex<BTreeMap<(String, String), i64>> = Mutex::new(BTreeMap::new());

fn count(job: &str, outcome: &str) {
    let mut c = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    *c.entry((job.to_string(), outcome.to_string())).or_default() += 1;
}

/// Runs of each job by outcome since this process started: (job, outcome, runs).
pub fn counts() -> Vec<(String, String, i64)> {
    COUNTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .map(|((j, o), n)| (j.clone(), o.clone(), *n))
        .collect()
}

/// This server's name among others on the same database: host and process.
pub fn instance() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    format!("{host}:{}", std::process::id())
}

/// What happened when a job was due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Another server holds the job's lease.
    Busy,
    /// This period's run exists already.
    Done,
    /// Ran now; what it did.
    Ran(String),
}

/// Run `work` for `job`'s `period` unless another server holds the lease or the period
/// has its run; the lease is held for `lease_ms` (longer than the work may take). A
/// failed run is recorded, counted and set aside, so the next tick tries again.
pub async fn run_once<F, Fut>(
    db: &Db,
    job: &str,
    period: &str,
    lease_ms: i64,
    work: F,
) -> Result<Outcome, AppError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<String, AppError>>,
{
    let me = instance();
    let lease = format!("job:{job}");
    if !store::acquire(db, &lease, &me, lease_ms).await? {
        return Ok(Outcome::Busy);
    }
    let Some(run) = store::start(db, job, period, &me).await? else {
        store::release(db, &lease, &me).await?;
        return Ok(Outcome::Done);
    };
    let result = work().await;
    let outcome = match result {
        Ok(detail) => {
            store::finish(db, run, true, &detail).await?;
            count(job, "ok");
            Ok(Outcome::Ran(detail))
        }
        Err(e) => {
            tracing::error!(job, period, error = %e.chain(), "background job failed");
            store::finish(db, run, false, &e.chain()).await?;
            store::set_aside(db, run).await?;
            count(job, "failed");
            Err(e)
        }
    };
    store::release(db, &lease, &me).await?;
    outcome
}

/// The routine's recent runs, newest first (administrators).
pub async fn runs(
    db: &Db,
    _can: &crate::access::Can<crate::access::ManageUsers>,
    limit: i64,
) -> Result<Vec<store::Run>, AppError> {
    Ok(store::recent(db, limit).await?)
}
