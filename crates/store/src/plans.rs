//! Annual plans with their monthly curve and milestones.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, parse_date};
use duban_domain::Yuan;
use duban_domain::plan::{AnnualPlan, Milestone, MonthlyCurve};
use duban_domain::project::ProjectId;

pub(crate) const INSERT_COLS: &str = "project_id, year, planned, m01, m02, m03, m04, m05, m06, m07, m08, m09, m10, m11, m12, planned_start_month";
pub(crate) const INSERT_WIDTH: usize = 16;

pub(crate) fn plan_vals(project_id: ProjectId, p: &AnnualPlan) -> Vec<Val> {
    let mut v: Vec<Val> = Vec::with_capacity(INSERT_WIDTH);
    v.extend([
        project_id.into(),
        i64::from(p.year).into(),
        p.planned().get().into(),
    ]);
    v.extend(p.curve.cumulative().iter().map(|y| Val::I(y.get())));
    v.push(p.planned_start_month.map(i64::from).into());
    v
}

/// Insert or replace the plan of a project for its year, with its milestones. The
/// version is not touched: [`upsert_checked`] owns optimistic concurrency.
pub async fn upsert(tx: &mut Tx, project_id: ProjectId, p: &AnnualPlan) -> Result<(), StoreError> {
    let sets: Vec<String> = INSERT_COLS
        .split(", ")
        .skip(2)
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    tx.execute(
        &format!(
            "INSERT INTO annual_plans ({INSERT_COLS}) VALUES {} ON CONFLICT (project_id, year) DO UPDATE SET {}, archived = FALSE",
            crate::values_list(1, INSERT_WIDTH),
            sets.join(", ")
        ),
        &plan_vals(project_id, p),
    )
    .await?;
    tx.execute(
        "DELETE FROM milestones WHERE project_id = $1 AND year = $2",
        &[project_id.into(), i64::from(p.year).into()],
    )
    .await?;
    for m in &p.milestones {
        tx.execute(
            "INSERT INTO milestones (project_id, year, name, planned_date, actual_date) VALUES ($1, $2, $3, $4, $5)",
            &[project_id.into(), i64::from(p.year).into(), m.name.clone().into(), m.planned.to_string().into(), m.actual.map(|d| d.to_string()).into()],
        )
        .await?;
    }
    Ok(())
}

/// Archive (withdraw) a plan if it is still at `expected`; returns the new version.
pub async fn archive(
    tx: &mut Tx,
    project_id: ProjectId,
    year: i32,
    expected: i64,
) -> Result<i64, StoreError> {
    let n = tx
        .execute(
            "UPDATE annual_plans SET archived = TRUE, version = version + 1 WHERE project_id = $1 AND year = $2 AND version = $3 AND archived = FALSE",
            &[project_id.into(), i64::from(year).into(), expected.into()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(expected + 1)
}

/// The version of a stored plan, if any (archived ones too: a new plan continues it).
pub async fn version(db: &Db, project_id: ProjectId, year: i32) -> Result<Option<i64>, StoreError> {
    db.fetch_optional(
        "SELECT version AS v FROM annual_plans WHERE project_id = $1 AND year = $2",
        &[project_id.into(), i64::from(year).into()],
        |r| r.i64("v"),
    )
    .await
}

/// Insert a new plan (`expected` = None) or replace the stored one if it is still at
/// version `expected`; otherwise `Stale` (or `Duplicate` for a new plan that exists).
pub async fn upsert_checked(
    tx: &mut Tx,
    project_id: ProjectId,
    p: &AnnualPlan,
    expected: Option<i64>,
) -> Result<(), StoreError> {
    let current = tx
        .fetch_optional(
            "SELECT version AS v FROM annual_plans WHERE project_id = $1 AND year = $2",
            &[project_id.into(), i64::from(p.year).into()],
            |r| r.i64("v"),
        )
        .await?;
    if current != expected {
        return Err(StoreError::Stale);
    }
    if let Some(v) = expected {
        let n = tx
            .execute(
                "UPDATE annual_plans SET version = version + 1 WHERE project_id = $1 AND year = $2 AND version = $3",
                &[project_id.into(), i64::from(p.year).into(), v.into()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::Stale);
        }
    }
    // The version moved (and the row is locked) above; `upsert` leaves it alone.
    upsert(tx, project_id, p).await
}

fn curve(r: &dyn Cols) -> Result<(Yuan, Vec<Yuan>), StoreError> {
    let mut v = Vec::with_capacity(12);
    for m in 1..=12 {
        v.push(Yuan::new(r.i64(&format!("m{m:02}"))?));
    }
    Ok((Yuan::new(r.i64("planned")?), v))
}

pub async fn get(
    db: &Db,
    project_id: ProjectId,
    year: i32,
) -> Result<Option<AnnualPlan>, StoreError> {
    let Some((planned, months, start)) = db
        .fetch_optional(
            &format!("SELECT {INSERT_COLS} FROM annual_plans WHERE project_id = $1 AND year = $2 AND archived = FALSE"),
            &[project_id.into(), i64::from(year).into()],
            |r| {
                let (p, m) = curve(r)?;
                Ok((p, m, r.opt_i64("planned_start_month")?))
            },
        )
        .await?
    else {
        return Ok(None);
    };
    let curve = MonthlyCurve::parse(planned, &months).map_err(|e| StoreError::Corrupt {
        column: "annual_plans.m01..m12",
        value: e.to_string(),
    })?;
    let milestones = db
        .fetch_all(
            "SELECT name, planned_date, actual_date FROM milestones WHERE project_id = $1 AND year = $2 ORDER BY planned_date, id",
            &[project_id.into(), i64::from(year).into()],
            |r| {
                Ok(Milestone {
                    name: r.str("name")?,
                    planned: parse_date("milestones.planned_date", Some(r.str("planned_date")?))?.expect("some"),
                    actual: parse_date("milestones.actual_date", r.opt_str("actual_date")?)?,
                })
            },
        )
        .await?;
    Ok(Some(AnnualPlan {
        year,
        curve,
        planned_start_month: start.map(|m| m as u32),
        milestones,
    }))
}
