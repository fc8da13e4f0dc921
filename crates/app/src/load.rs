//! Loading generated data sets: `duban gen` and the demo. A generator thread makes
//! batches while the database writes the previous one; each batch is one transaction.

use crate::AppError;
use duban_gen::{Batch, Params, Skeleton};
use duban_store::{Db, bulk, projects, schema};
use std::time::{Duration, Instant};

/// Projects per batch (and per transaction).
pub const BATCH: u64 = 5_000;

/// Counts of what a load wrote, and how long it took.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadStats {
    pub units: u64,
    pub projects: u64,
    pub plans: u64,
    pub reports: u64,
    pub problems: u64,
    pub elapsed: Duration,
}

impl LoadStats {
    pub fn rows(&self) -> u64 {
        self.units + self.projects + self.plans + self.reports + self.problems
    }
    fn add(&mut self, o: &LoadStats) {
        self.units += o.units;
        self.projects += o.projects;
        self.plans += o.plans;
        self.reports += o.reports;
        self.problems += o.problems;
    }
}

/// The tables a load writes with ids of its own.
const LOADED_TABLES: [&str; 6] = [
    "units",
    "chains",
    "projects",
    "reports",
    "problems",
    "milestones",
];

/// After a load with explicit ids: let the database assign the next ids after them,
/// and give its query planner fresh statistics of what was loaded.
pub async fn resync_ids(db: &Db) -> Result<(), AppError> {
    schema::resync_ids(db, &LOADED_TABLES).await?;
    schema::analyze(db).await?;
    Ok(schema::checkpoint(db).await?)
}

/// Refuse to load into a database that already holds projects.
pub async fn ensure_empty(db: &Db) -> Result<(), AppError> {
    let n = projects::count(db).await?;
    if n > 0 {
        return Err(AppError::Config(format!(
            "the database already holds {n} projects; generate into a new database file"
        )));
    }
    Ok(())
}

/// Write the units and chains of a skeleton.
pub async fn write_skeleton(db: &Db, sk: &Skeleton) -> Result<u64, AppError> {
    let mut tx = db.write().await?;
    let n = bulk::units(&mut tx, &sk.units).await?;
    bulk::chains(&mut tx, &sk.chains).await?;
    tx.commit().await?;
    Ok(n)
}

/// Write one batch in one transaction.
pub async fn write_batch(db: &Db, b: &Batch) -> Result<LoadStats, AppError> {
    let mut tx = db.write().await?;
    let s = LoadStats {
        projects: bulk::projects(&mut tx, &b.projects).await?,
        plans: bulk::plans(&mut tx, &b.plans).await?,
        reports: bulk::reports(&mut tx, &b.reports).await?,
        problems: bulk::problems(&mut tx, &b.problems).await?,
        ..Default::default()
    };
    tx.commit().await?;
    Ok(s)
}

/// Generate `params.projects` projects into an empty database, as the console (bulk
/// rows, not audited one by one: the database was empty). `progress` is called after
/// every batch with the running totals.
pub async fn generate(
    _console: &crate::unit_of_work::Console,
    db: &Db,
    params: Params,
    mut progress: impl FnMut(&LoadStats),
) -> Result<(Skeleton, LoadStats), AppError> {
    let start = Instant::now();
    ensure_empty(db).await?;
    let sk = duban_gen::skeleton();
    let mut total = LoadStats {
        units: write_skeleton(db, &sk).await?,
        ..Default::default()
    };
    // Into an empty database: the tables' secondary indexes are built once at the end.
    let deferred = bulk::defer_indexes(db, &BULK_TABLES).await?;
    let loaded = load_batches(db, &params, &sk, start, &mut total, &mut progress).await;
    deferred.restore(db).await?;
    loaded?;
    resync_ids(db).await?;
    total.elapsed = start.elapsed();
    Ok((sk, total))
}

/// The tables whose secondary indexes a load builds at the end, once, from the rows in
/// place: the registry's sort indexes (name, code, investment …) would otherwise take
/// every row at a random place, and even the reports' index by month costs more kept
/// up row by row (at a million projects, 450,000 were loaded in 51 s that way, against
/// 41 s with every index deferred, and the ten million reports' index then builds in
/// 10.8 s).
const BULK_TABLES: [&str; 5] = [
    "projects",
    "annual_plans",
    "milestones",
    "reports",
    "problems",
];

async fn load_batches(
    db: &Db,
    params: &Params,
    sk: &Skeleton,
    start: Instant,
    total: &mut LoadStats,
    progress: &mut impl FnMut(&LoadStats),
) -> Result<(), AppError> {
    let params = *params;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Batch>(2);
    let sk2 = sk.clone();
    let producer = std::thread::spawn(move || {
        let mut next = 1u64;
        while next <= params.projects {
            let end = (next + BATCH).min(params.projects + 1);
            if tx
                .blocking_send(duban_gen::batch(&params, &sk2, next..end))
                .is_err()
            {
                return; // the writer stopped on an error
            }
            next = end;
        }
    });
    while let Some(b) = rx.recv().await {
        let s = write_batch(db, &b).await?;
        total.add(&s);
        total.elapsed = start.elapsed();
        progress(total);
    }
    producer
        .join()
        .map_err(|_| AppError::bug("generator thread panicked"))
}
