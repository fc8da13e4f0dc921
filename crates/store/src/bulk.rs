//! Multi-row loading of generated data sets: many rows per statement, many statements
//! per transaction. Rows carry their ids (the generator assigns them), so after a load
//! on PostgreSQL [`crate::schema::resync_ids`] must run.

use crate::db::{Tx, Val};
use crate::units::unit_vals;
use crate::{StoreError, now_ms};
use duban_domain::plan::AnnualPlan;
use duban_domain::problem::Problem;
use duban_domain::project::{Project, ProjectId};
use duban_domain::report::Report;
use duban_domain::unit::{Chain, Unit};

/// Rows per statement: large enough to amortise the round trip, far below both
/// engines' limits on bound parameters (SQLite 32766, PostgreSQL 65535).
const TARGET_PARAMS: usize = 8000;

pub(crate) async fn insert_rows(
    tx: &mut Tx,
    table: &str,
    cols: &str,
    width: usize,
    rows: impl Iterator<Item = Vec<Val>>,
) -> Result<u64, StoreError> {
    let per_stmt = (TARGET_PARAMS / width).max(1);
    let backend = tx.backend();
    let full_sql = format!(
        "INSERT INTO {table} ({cols}) VALUES {}",
        backend.values_list(per_stmt, width)
    );
    let mut buf: Vec<Val> = Vec::with_capacity(per_stmt * width);
    let mut n = 0u64;
    for r in rows {
        debug_assert_eq!(r.len(), width, "{table}");
        buf.extend(r);
        if buf.len() == per_stmt * width {
            n += tx.execute(&full_sql, &buf).await?;
            buf.clear();
        }
    }
    if !buf.is_empty() {
        let sql = format!(
            "INSERT INTO {table} ({cols}) VALUES {}",
            backend.values_list(buf.len() / width, width)
        );
        n += tx.execute(&sql, &buf).await?;
    }
    Ok(n)
}

pub async fn units(tx: &mut Tx, units: &[Unit]) -> Result<u64, StoreError> {
    crate::changes::bump(tx, "units").await?;
    insert_rows(
        tx,
        "units",
        "id, parent_id, code, name, kind, series, sort",
        7,
        units.iter().map(unit_vals),
    )
    .await
}

pub async fn chains(tx: &mut Tx, chains: &[Chain]) -> Result<u64, StoreError> {
    insert_rows(
        tx,
        "chains",
        "id, code, name, leader",
        4,
        chains.iter().map(|c| {
            vec![
                c.id.into(),
                c.code.clone().into(),
                c.name.clone().into(),
                c.leader.clone().into(),
            ]
        }),
    )
    .await
}

/// Projects with their funding rows.
pub async fn projects(tx: &mut Tx, projects: &[Project]) -> Result<u64, StoreError> {
    let now = now_ms();
    let n = insert_rows(
        tx,
        "projects",
        &crate::projects::INSERT_COLS,
        crate::projects::INSERT_WIDTH,
        projects
            .iter()
            .map(|p| crate::projects::project_vals(p, now)),
    )
    .await?;
    insert_rows(
        tx,
        "project_funding",
        "project_id, source, amount",
        3,
        projects.iter().flat_map(|p| {
            p.spec
                .funding
                .iter()
                .map(move |f| vec![p.id.into(), f.source.code().into(), f.amount.get().into()])
        }),
    )
    .await?;
    Ok(n)
}

/// Plans with their milestones.
pub async fn plans(tx: &mut Tx, plans: &[(ProjectId, AnnualPlan)]) -> Result<u64, StoreError> {
    let n = insert_rows(
        tx,
        "annual_plans",
        crate::plans::INSERT_COLS,
        crate::plans::INSERT_WIDTH,
        plans.iter().map(|(id, p)| crate::plans::plan_vals(*id, p)),
    )
    .await?;
    insert_rows(
        tx,
        "milestones",
        "project_id, year, name, planned_date, actual_date",
        5,
        plans.iter().flat_map(|(id, p)| {
            p.milestones.iter().map(move |m| {
                vec![
                    (*id).into(),
                    i64::from(p.year).into(),
                    m.name.clone().into(),
                    m.planned.to_string().into(),
                    m.actual.map(|d| d.to_string()).into(),
                ]
            })
        }),
    )
    .await?;
    Ok(n)
}

pub async fn reports(tx: &mut Tx, reports: &[Report]) -> Result<u64, StoreError> {
    let now = now_ms();
    insert_rows(
        tx,
        "reports",
        crate::reports::INSERT_COLS,
        crate::reports::INSERT_WIDTH,
        reports.iter().map(|r| crate::reports::report_vals(r, now)),
    )
    .await
}

pub async fn problems(tx: &mut Tx, problems: &[Problem]) -> Result<u64, StoreError> {
    insert_rows(
        tx,
        "problems",
        crate::problems::INSERT_COLS,
        crate::problems::INSERT_WIDTH,
        problems.iter().map(crate::problems::problem_vals),
    )
    .await
}

/// For the projects begun before `year`: their start year, total and what they had
/// invested before `year`, from the first report of `year` (since start less the year to
/// date). The generated demo loads the year before from this.
pub async fn carried_into(
    db: &crate::db::Db,
    year: i32,
) -> Result<Vec<(duban_domain::ids::ProjectId, i32, i64, i64)>, StoreError> {
    db.fetch_all(
        "SELECT p.id, p.start_year, p.total_investment, r.invest_since_start - r.invest_ytd AS before \
         FROM projects p JOIN reports r ON r.project_id = p.id \
         WHERE p.start_year < $1 AND r.year = $1 AND r.revision = 1 \
           AND r.month = (SELECT MIN(r2.month) FROM reports r2 WHERE r2.project_id = p.id AND r2.year = $1) \
         ORDER BY p.id",
        &[i64::from(year).into()],
        |r| {
            Ok((
                crate::db::id(r, "id")?,
                r.i64("start_year")? as i32,
                r.i64("total_investment")?,
                r.i64("before")?,
            ))
        },
    )
    .await
}

/// The year-to-date investment of the first revisions of a month's reports, summed.
pub async fn ytd_of_month(db: &crate::db::Db, year: i32, month: u32) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT CAST(COALESCE(SUM(invest_ytd), 0) AS BIGINT) AS v FROM reports WHERE year = $1 AND month = $2 AND revision = 1",
        &[i64::from(year).into(), i64::from(month).into()],
    )
    .await
}

/// The secondary indexes of the tables a load fills, dropped before it so that rows go in
/// without a random insert into each index (the registry's sort indexes by name, code
/// and investment are in no order the generator writes in), and built once after it from
/// the rows in place. Unique indexes and keys stay: they are the tables' rules.
#[derive(Debug)]
#[must_use = "the indexes must be built again with `restore`"]
pub struct DeferredIndexes(Vec<String>);

/// Drop the secondary indexes of `tables`, keeping what builds them again.
pub async fn defer_indexes(
    db: &crate::db::Db,
    tables: &[&str],
) -> Result<DeferredIndexes, StoreError> {
    let list = crate::sql_list(tables);
    let found = match db.backend() {
        crate::Backend::Sqlite => {
            db.fetch_all(
                &format!(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
                     AND tbl_name IN ({list}) AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name"
                ),
                &[],
                |r| Ok((r.str("name")?, r.str("sql")?)),
            )
            .await?
        }
        crate::Backend::Postgres => {
            db.fetch_all(
                &format!(
                    "SELECT indexname AS name, indexdef AS sql FROM pg_indexes \
                     WHERE schemaname = current_schema() AND tablename IN ({list}) \
                     AND indexdef NOT LIKE 'CREATE UNIQUE%' ORDER BY indexname"
                ),
                &[],
                |r| Ok((r.str("name")?, r.str("sql")?)),
            )
            .await?
        }
    };
    for (name, _) in &found {
        db.execute(&format!("DROP INDEX {name}"), &[]).await?;
    }
    Ok(DeferredIndexes(
        found.into_iter().map(|(_, sql)| sql).collect(),
    ))
}

impl DeferredIndexes {
    /// Build the dropped indexes again.
    pub async fn restore(self, db: &crate::db::Db) -> Result<usize, StoreError> {
        for sql in &self.0 {
            db.execute(sql, &[]).await?;
        }
        Ok(self.0.len())
    }
}
