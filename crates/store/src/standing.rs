//! Each project's standing at the office's current month, kept on its row for the
//! registry (migration 17): the light, the completion of the annual plan in basis points
//! (rounded half away from zero, as `analytics::ratio_bp`) and the physical progress of
//! its newest approved report up to that month. Written from the read model
//! (`project_years`) and the reports, by one statement, for one project or for a range
//! of ids.

use crate::StoreError;
use crate::db::{Cols, Db, Tx};
use duban_domain::analytics::lights::Light;
use duban_domain::ids::ProjectId;
use duban_domain::period::Period;
use std::collections::HashMap;

/// The setting that names the month the stored standing describes (`YYYY-MM`).
pub const PERIOD_KEY: &str = "standing_period";

/// A project's standing as the registry shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Standing {
    pub light: Option<Light>,
    pub completion_bp: Option<i64>,
    pub progress_bp: Option<i64>,
}

/// The stored rank of a light (0: none), the order of the registry's light column.
pub fn rank(l: Light) -> i64 {
    l.index() as i64 + 1
}

fn light_of(rank: i64) -> Option<Light> {
    Light::ALL.into_iter().find(|l| self::rank(*l) == rank)
}

pub(crate) fn row(r: &dyn Cols) -> Result<Standing, StoreError> {
    let opt = |v: i64| (v >= 0).then_some(v);
    Ok(Standing {
        light: light_of(r.i64("light_rank")?),
        completion_bp: opt(r.i64("completion_bp")?),
        progress_bp: opt(r.i64("progress_bp")?),
    })
}

/// The `SET` of the update for month `p`: each value from the project's year in the read
/// model and its reports (no bound parameters: the year and month are numbers we made).
fn set_clause(p: Period) -> String {
    let (y, m) = (p.year(), p.month());
    let year_row =
        format!("FROM project_years py WHERE py.project_id = projects.id AND py.year = {y}");
    format!(
        "light_rank = COALESCE((SELECT CASE substr(py.lights, {m}, 1) \
           WHEN 'g' THEN 1 WHEN 'y' THEN 2 WHEN 'o' THEN 3 WHEN 'r' THEN 4 ELSE 0 END {year_row}), 0), \
         completion_bp = COALESCE((SELECT CASE WHEN py.annual_plan > 0 \
           THEN (py.a{m:02} * 10000 + py.annual_plan / 2) / py.annual_plan ELSE -1 END {year_row}), -1), \
         progress_bp = COALESCE((SELECT r.progress_bp FROM reports r WHERE r.project_id = projects.id \
           AND r.state = 'approved' AND (r.year < {y} OR (r.year = {y} AND r.month <= {m})) \
           ORDER BY r.year DESC, r.month DESC, r.revision DESC LIMIT 1), -1)"
    )
}

/// Bring one project's standing at month `p` up to date: whether its light changed (the
/// registry's counts by light are then stale), and whether it turned red.
pub async fn update_one(tx: &mut Tx, p: Period, id: ProjectId) -> Result<(bool, bool), StoreError> {
    const LIGHT: &str = "SELECT light_rank AS v FROM projects WHERE id = $1";
    let before = tx
        .fetch_optional(LIGHT, &[id.into()], |r| r.i64("v"))
        .await?;
    let after = tx
        .fetch_optional(
            &format!(
                "UPDATE projects SET {} WHERE id = $1 RETURNING light_rank AS v",
                set_clause(p)
            ),
            &[id.into()],
            |r| r.i64("v"),
        )
        .await?;
    let red = Some(rank(Light::Red));
    Ok((after != before, after == red && before != red))
}

/// Bring the standing of projects with ids in `lo..hi` up to date; how many rows.
pub async fn update_range(tx: &mut Tx, p: Period, lo: i64, hi: i64) -> Result<u64, StoreError> {
    tx.execute(
        &format!(
            "UPDATE projects SET {} WHERE id >= $1 AND id < $2",
            set_clause(p)
        ),
        &[lo.into(), hi.into()],
    )
    .await
}

/// The highest project id (0 without projects).
pub async fn max_id(db: &Db) -> Result<i64, StoreError> {
    db.fetch_one("SELECT COALESCE(MAX(id), 0) AS v FROM projects", &[], |r| {
        r.i64("v")
    })
    .await
}

/// The latest year the read model holds, at or before `year`. (Asked as the first row
/// in descending order, the index on year is sought once; `MAX(...) WHERE year <= $1`
/// reads every entry below it on SQLite, 15 times slower, and every write asks.)
pub async fn latest_year(tx: &mut Tx, year: i32) -> Result<Option<i32>, StoreError> {
    tx.fetch_optional(
        "SELECT year AS v FROM project_years WHERE year <= $1 ORDER BY year DESC LIMIT 1",
        &[i64::from(year).into()],
        |r| r.i64("v"),
    )
    .await
    .map(|v| v.map(|y| y as i32))
}

/// The standing of the given projects.
pub async fn of(db: &Db, ids: &[ProjectId]) -> Result<HashMap<ProjectId, Standing>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<String> = ids.iter().map(|i| i.get().to_string()).collect();
    db.fetch_all(
        &format!(
            "SELECT id, light_rank, completion_bp, progress_bp FROM projects WHERE id IN ({})",
            list.join(",")
        ),
        &[],
        |r| Ok((crate::db::id(r, "id")?, row(r)?)),
    )
    .await
    .map(|v| v.into_iter().collect())
}
