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
