//! The dashboards' upkeep: the light rules in force, and the read model kept current —
//! one project's years refreshed inside the transaction of each change (through the
//! unit of work), a year rebuilt from the reports, every year rebuilt once after an
//! upgrade changes the read model's shape.

use crate::AppError;
use crate::access::{Can, ManageUsers};
use duban_domain::analytics::lights::RuleSet;
use duban_domain::analytics::totals::Totals;
use duban_domain::analytics::year::{ProjectYear, YearInputs, project_year};
use duban_domain::ids::ProjectId;
use duban_domain::period::Period;
use duban_store::analytics::{self as store, Inputs};
use duban_store::{Db, Tx, settings, standing};
use serde::Serialize;
use std::collections::HashMap;

const RULES_KEY: &str = "light_rules";

/// The light rule set in force (the Yinchuan default until an administrator sets one).
pub async fn rules(db: &Db) -> Result<RuleSet, AppError> {
    parse_rules(settings::get(db, RULES_KEY).await?)
}

/// [`rules`] inside a write's transaction.
pub async fn rules_in(tx: &mut Tx) -> Result<RuleSet, AppError> {
    parse_rules(settings::get_in(tx, RULES_KEY).await?)
}

fn parse_rules(stored: Option<String>) -> Result<RuleSet, AppError> {
    Ok(match stored {
        Some(t) => serde_json::from_str(&t)
            .map_err(|e| AppError::internal("stored light rules do not parse", e))?,
        None => RuleSet::yinchuan(),
    })
}

/// Change the rule set; every year with data is recomputed in the same transaction.
pub async fn put_rules(db: &Db, can: &Can<ManageUsers>, r: &RuleSet) -> Result<RuleSet, AppError> {
    r.validate()?;
    let before = rules(db).await?;
    let mut w = can.write(db).await?;
    settings::set(
        w.tx(),
        RULES_KEY,
        &serde_json::to_string(r).expect("rules serialise"),
    )
    .await?;
    rebuild_all(w.tx(), db, r).await?;
    w.audit(
        "settings.light_rules",
        "settings",
        RULES_KEY,
        Some(&before),
        Some(r),
    );
    w.commit().await?;
    standing_catch_up(db).await?;
    Ok(r.clone())
}

pub(crate) fn compute(i: &Inputs, year: i32, rules: &RuleSet) -> Option<ProjectYear> {
    // A project is in a year's figures when it has a plan or an approved report that year.
    if i.plan.is_none() && i.months.is_empty() {
        return None;
    }
    Some(project_year(&YearInputs {
        year,
        meta: i.meta.clone(),
        plan: i.plan.as_ref(),
        months: &i.months,
        submissions: &i.submissions,
        rules,
    }))
}

/// Bring one project's year up to date inside the caller's transaction.
pub(crate) async fn refresh_project(
    tx: &mut Tx,
    project_id: ProjectId,
    year: i32,
    rules: &RuleSet,
) -> Result<(), AppError> {
    let inputs = store::load_inputs(tx, year, project_id.get(), project_id.get() + 1).await?;
    let new = inputs.first().and_then(|i| compute(i, year, rules));
    let old = store::stored_year(tx, project_id.get(), year).await?;
    if old != new {
        store::replace_year(tx, old.as_ref(), new.as_ref()).await?;
    }
    Ok(())
}

/// Bring every stored year of a project up to date (after a registry change).
pub(crate) async fn refresh_all_years(
    tx: &mut Tx,
    project_id: ProjectId,
    rules: &RuleSet,
) -> Result<(), AppError> {
    let years = tx
        .fetch_all(
            "SELECT year AS v FROM project_years WHERE project_id = $1 UNION SELECT year AS v FROM annual_plans WHERE project_id = $1",
            &[project_id.into()],
            |r| r.i64("v"),
        )
        .await?;
    for y in years {
        refresh_project(tx, project_id, y as i32, rules).await?;
    }
    Ok(())
}

/// What a rebuild did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rebuilt {
    pub year: i32,
    pub projects: u64,
    pub cells: u64,
}

const CHUNK: i64 = 20_000;
const STANDING_CHUNK: i64 = 5_000;

/// A rebuild's totals: one entry per (dimension cell, unit), holding the twelve months.
type Cells = HashMap<(&'static str, String, i64), [Totals; 12]>;

/// Compute the project-years of a chunk of inputs and add them to the totals.
fn fold(inputs: &[Inputs], year: i32, rules: &RuleSet, cells: &mut Cells) -> Vec<ProjectYear> {
    let years: Vec<ProjectYear> = inputs
        .iter()
        .filter_map(|i| compute(i, year, rules))
        .collect();
    for y in &years {
        let months: [Totals; 12] = std::array::from_fn(|i| Totals::of(y, i as u32 + 1));
        for (dim, key) in store::cells(y) {
            add(cells, (dim, key, y.meta.unit_id), &months);
        }
    }
    years
}

/// Add twelve months of totals to a cell's.
fn add(cells: &mut Cells, key: (&'static str, String, i64), months: &[Totals; 12]) {
    let e = cells.entry(key).or_insert([Totals::ZERO; 12]);
    for (a, b) in e.iter_mut().zip(months.iter()) {
        *a += *b;
    }
}

/// Rebuild a year inside `tx`, a write transaction of `db`. On SQLite the inputs are
/// read, and their project-years computed, by readers of `db` on other threads, ahead of
/// the writer: sound because `tx` holds SQLite's only write lock from before those
/// readers begin (no other write can commit in between) and writes none of the inputs
/// (projects, funding, plans, milestones, reports), so the readers see what `tx` sees. A
/// caller that changes an input in `tx` before a rebuild must not call this. On
/// PostgreSQL, where other writers commit meanwhile, `tx` reads them itself.
async fn rebuild_in(
    tx: &mut Tx,
    db: &Db,
    year: i32,
    rules: &RuleSet,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Rebuilt, AppError> {
    store::clear_year(tx, year).await?;
    // The registry's standing comes from what is rebuilt here: rewritten at the next
    // catch-up.
    settings::delete(tx, standing::PERIOD_KEY).await?;
    let max = store::max_project_id(tx).await?;
    // Sixteen chunks at least, so that the readers and the writer overlap on a small
    // database too (and its tests go through the hand-over of many chunks).
    let size = (max / 16).clamp(1, CHUNK);
    let mut chunks = match tx.backend() {
        duban_store::Backend::Sqlite => Chunks::ahead(db, year, rules, max, size),
        duban_store::Backend::Postgres => Chunks::Here { lo: 1, max, size },
    };
    let mut cells = Cells::new();
    let mut done = 0u64;
    while let Some(years) = chunks.next(tx, year, rules, &mut cells).await? {
        done += store::insert_years(tx, &years).await?;
        progress(done);
    }
    chunks.finish(&mut cells).await?;
    let n = store::insert_totals(tx, year, &cells).await?;
    // Every server's kept sums see the new totals at their next read.
    duban_store::changes::bump(tx, "totals").await?;
    Ok(Rebuilt {
        year,
        projects: done,
        cells: n,
    })
}

type Computed = Result<Vec<ProjectYear>, duban_store::StoreError>;

/// The chunks of a rebuild, by project id: read and computed by the writer itself, or
/// by readers ahead of it (chunk `k` by reader `k % readers`, each with totals of its own).
enum Chunks {
    Here {
        lo: i64,
        max: i64,
        size: i64,
    },
    Ahead {
        chunks: Vec<tokio::sync::mpsc::Receiver<Computed>>,
        next: usize,
        readers: Vec<tokio::task::JoinHandle<Cells>>,
    },
}

impl Chunks {
    /// Readers of `db`, as many as the machine has cores (two to four), each one chunk
    /// ahead; reading stops when the writer stops receiving.
    fn ahead(db: &Db, year: i32, rules: &RuleSet, max: i64, size: i64) -> Chunks {
        let n = std::thread::available_parallelism().map_or(2, |c| c.get().clamp(2, 4));
        let rules = std::sync::Arc::new(rules.clone());
        let (mut chunks, mut readers) = (Vec::new(), Vec::new());
        for k in 0..n {
            let (send, recv) = tokio::sync::mpsc::channel::<Computed>(1);
            let (db, rules) = (db.clone(), rules.clone());
            readers.push(tokio::spawn(async move {
                let mut cells = Cells::new();
                let mut r = match db.read().await {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = send.send(Err(e)).await;
                        return cells;
                    }
                };
                let mut lo = 1 + k as i64 * size;
                while lo <= max {
                    let chunk = store::load_inputs(&mut r, year, lo, lo + size)
                        .await
                        .map(|inputs| fold(&inputs, year, &rules, &mut cells));
                    let failed = chunk.is_err();
                    if send.send(chunk).await.is_err() || failed {
                        break;
                    }
                    lo += n as i64 * size;
                }
                cells
            }));
            chunks.push(recv);
        }
        Chunks::Ahead {
            chunks,
            next: 0,
            readers,
        }
    }

    async fn next(
        &mut self,
        tx: &mut Tx,
        year: i32,
        rules: &RuleSet,
        cells: &mut Cells,
    ) -> Result<Option<Vec<ProjectYear>>, AppError> {
        match self {
            Chunks::Here { lo, max, size } => {
                if *lo > *max {
                    return Ok(None);
                }
                let inputs = store::load_inputs(tx, year, *lo, *lo + *size).await?;
                *lo += *size;
                Ok(Some(fold(&inputs, year, rules, cells)))
            }
            Chunks::Ahead { chunks, next, .. } => {
                // Chunk k comes from reader k % n; the first chunk missing is the end.
                let k = *next % chunks.len();
                *next += 1;
                Ok(chunks[k].recv().await.transpose()?)
            }
        }
    }

    /// Add the readers' totals to the writer's.
    async fn finish(self, cells: &mut Cells) -> Result<(), AppError> {
        if let Chunks::Ahead { readers, .. } = self {
            for r in readers {
                let theirs = r
                    .await
                    .map_err(|e| AppError::internal("a rebuild's reader failed", e))?;
                for (key, months) in theirs {
                    add(cells, key, &months);
                }
            }
        }
        Ok(())
    }
}

/// Recompute every year that has plans, approved reports or project-years, in the
/// caller's transaction.
async fn rebuild_all(tx: &mut Tx, db: &Db, rules: &RuleSet) -> Result<Vec<Rebuilt>, AppError> {
    let years: Vec<i64> = tx
        .fetch_all(
            "SELECT DISTINCT year AS v FROM annual_plans UNION SELECT DISTINCT year AS v FROM reports WHERE state = 'approved' \
             UNION SELECT DISTINCT year AS v FROM project_years ORDER BY v",
            &[],
            |r| r.i64("v"),
        )
        .await?;
    let mut done = Vec::new();
    for y in years {
        done.push(rebuild_in(tx, db, y as i32, rules, &mut |_| {}).await?);
    }
    Ok(done)
}

/// Recompute a year's read model from the reports, all or nothing.
pub async fn rebuild(
    db: &Db,
    year: i32,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Rebuilt, AppError> {
    let rules = rules(db).await?;
    let mut tx = db.write().await?;
    let r = rebuild_in(&mut tx, db, year, &rules, progress).await?;
    tx.commit().await?;
    Ok(r)
}

/// The shape of the read model this build writes. A migration that changes it empties
/// the tables; [`ensure_built`] then rebuilds every year once.
const READ_MODEL_VERSION: &str = "2";
const READ_MODEL_KEY: &str = "read_model_version";

/// Rebuild the read model when this build's shape of it has not been built yet (after
/// an upgrade), every year that has plans or approved reports; nothing otherwise.
pub async fn ensure_built(db: &Db) -> Result<Vec<Rebuilt>, AppError> {
    if settings::get(db, READ_MODEL_KEY).await?.as_deref() == Some(READ_MODEL_VERSION) {
        return Ok(Vec::new());
    }
    let rules = rules(db).await?;
    let mut tx = db.write().await?;
    // Several servers starting at once: one rebuilds, the others wait and find it done.
    if tx.backend() == duban_store::Backend::Postgres {
        tx.execute("SELECT pg_advisory_xact_lock(727166)", &[])
            .await?;
    }
    if settings::get_in(&mut tx, READ_MODEL_KEY).await?.as_deref() == Some(READ_MODEL_VERSION) {
        return Ok(Vec::new());
    }
    let done = rebuild_all(&mut tx, db, &rules).await?;
    settings::set(&mut tx, READ_MODEL_KEY, READ_MODEL_VERSION).await?;
    tx.commit().await?;
    Ok(done)
}

/// The month the registry's standing describes: the office's current month (the
/// dashboards' default, last month), or — when the read model holds nothing for its year
/// yet, as in January before the plans are in — December of the latest year it holds.
async fn standing_period(tx: &mut Tx) -> Result<Period, AppError> {
    let now = super::queries::as_of(None)?;
    Ok(match standing::latest_year(tx, now.year()).await? {
        Some(y) if y < now.year() => Period::new(y, 12).expect("December"),
        _ => now,
    })
}

/// Bring the given projects' standing up to date inside a write (the unit of work calls
/// this for every project whose read model it refreshed); whether a light changed.
pub(crate) async fn refresh_standing(
    tx: &mut Tx,
    projects: impl IntoIterator<Item = ProjectId>,
) -> Result<(bool, Vec<ProjectId>), AppError> {
    let p = standing_period(tx).await?;
    let mut changed = false;
    let mut red = Vec::new();
    for id in projects {
        let (c, turned_red) = standing::update_one(tx, p, id).await?;
        changed |= c;
        if turned_red {
            red.push(id);
        }
    }
    Ok((changed, red))
}

/// Rewrite every project's standing when the month it describes is not the one stored
/// (the month turned, a rebuild or new rules made it stale), 5,000 projects per
/// transaction so that writers wait a moment at most (about 0.4 s at a million
/// projects, where the whole takes about 80 s); the month written, if any.
pub async fn standing_catch_up(db: &Db) -> Result<Option<Period>, AppError> {
    let mut tx = db.read().await?;
    let want = standing_period(&mut tx).await?;
    drop(tx);
    if settings::get(db, standing::PERIOD_KEY).await?.as_deref() == Some(&want.to_string()) {
        return Ok(None);
    }
    let max = standing::max_id(db).await?;
    let mut lo = 1;
    while lo <= max {
        let mut tx = db.write().await?;
        standing::update_range(&mut tx, want, lo, lo + STANDING_CHUNK).await?;
        tx.commit().await?;
        lo += STANDING_CHUNK;
    }
    let mut tx = db.write().await?;
    settings::set(&mut tx, standing::PERIOD_KEY, &want.to_string()).await?;
    // The registry's counts by light are cached by version.
    duban_store::changes::bump(&mut tx, "projects").await?;
    tx.commit().await?;
    crate::registry::projects_changed(db);
    Ok(Some(want))
}

/// What a change of the light rules would do to today's lights, before it is made.
#[derive(Debug, Clone, Serialize)]
pub struct RulesPreview {
    /// The month the lights are compared at (the registry's month: the dashboards'
    /// default, or December of the last year with data).
    pub as_of: Period,
    /// Projects per light (green, yellow, orange, red) under the rules in force and
    /// under the proposed ones.
    pub current: [i64; 4],
    pub proposed: [i64; 4],
    /// `moves[from][to]`: projects whose light goes from one to the other.
    pub moves: [[i64; 4]; 4],
}

/// Compute every project's light at the dashboards' month under the rules in force and
/// under `proposed`, without writing anything.
pub async fn preview_rules(
    db: &Db,
    _can: &Can<ManageUsers>,
    proposed: &RuleSet,
) -> Result<RulesPreview, AppError> {
    proposed.validate()?;
    let current = rules(db).await?;
    let mut tx = db.read().await?;
    // The registry's month: the dashboards' default, or the last month with data.
    let as_of = standing_period(&mut tx).await?;
    let (year, k) = (as_of.year(), as_of.index());
    let mut out = RulesPreview {
        as_of,
        current: [0; 4],
        proposed: [0; 4],
        moves: [[0; 4]; 4],
    };
    let max = store::max_project_id(&mut tx).await?;
    let mut lo = 1;
    while lo <= max {
        for i in store::load_inputs(&mut tx, year, lo, lo + CHUNK).await? {
            let (Some(a), Some(b)) = (compute(&i, year, &current), compute(&i, year, proposed))
            else {
                continue;
            };
            let (from, to) = (a.lights[k].index(), b.lights[k].index());
            out.current[from] += 1;
            out.proposed[to] += 1;
            out.moves[from][to] += 1;
        }
        lo += CHUNK;
    }
    Ok(out)
}
