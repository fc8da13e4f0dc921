//! Inspections, the projects visited and their findings.

use crate::db::{Cols, Db, Tx};
use crate::{StoreError, now_ms, parse_date};
use duban_domain::ids::ProjectId;
use duban_domain::inspection::NewInspection;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inspection {
    pub id: i64,
    pub unit_id: i64,
    pub visited_on: chrono::NaiveDate,
    pub title: String,
    pub inspectors: Vec<String>,
    pub project_ids: Vec<ProjectId>,
    pub findings: Vec<Finding>,
    pub created_by: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub id: i64,
    pub project_id: Option<ProjectId>,
    pub description: String,
    pub problem_id: Option<i64>,
    pub created_at: i64,
}

pub async fn insert(tx: &mut Tx, i: &NewInspection, by: i64) -> Result<i64, StoreError> {
    let id = tx
        .scalar(
            "INSERT INTO inspections (unit_id, visited_on, title, inspectors, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id AS v",
            &[
                i.unit_id.into(),
                i.visited_on.to_string().into(),
                i.title.clone().into(),
                i.inspectors.join("\n").into(),
                by.into(),
                now_ms().into(),
            ],
        )
        .await?;
    for p in &i.project_ids {
        tx.execute(
            "INSERT INTO inspection_projects (inspection_id, project_id) VALUES ($1, $2)",
            &[id.into(), (*p).into()],
        )
        .await?;
    }
    Ok(id)
}

pub async fn add_finding(
    tx: &mut Tx,
    inspection: i64,
    project_id: Option<ProjectId>,
    description: &str,
    problem_id: Option<i64>,
) -> Result<i64, StoreError> {
    tx.scalar(
        "INSERT INTO inspection_findings (inspection_id, project_id, description, problem_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id AS v",
        &[inspection.into(), project_id.into(), description.into(), problem_id.into(), now_ms().into()],
    )
    .await
}

fn row(r: &dyn Cols) -> Result<Inspection, StoreError> {
    Ok(Inspection {
        id: r.i64("id")?,
        unit_id: r.i64("unit_id")?,
        visited_on: parse_date("inspections.visited_on", Some(r.str("visited_on")?))?
            .unwrap_or_default(),
        title: r.str("title")?,
        inspectors: r.str("inspectors")?.lines().map(String::from).collect(),
        project_ids: Vec::new(),
        findings: Vec::new(),
        created_by: r.i64("created_by")?,
        created_at: r.i64("created_at")?,
    })
}

const COLS: &str = "id, unit_id, visited_on, title, inspectors, created_by, created_at";

pub async fn get(db: &Db, id: i64) -> Result<Inspection, StoreError> {
    let mut i = db
        .fetch_one(
            &format!("SELECT {COLS} FROM inspections WHERE id = $1"),
            &[id.into()],
            row,
        )
        .await?;
    i.project_ids = db
        .fetch_all(
            "SELECT project_id AS v FROM inspection_projects WHERE inspection_id = $1 ORDER BY project_id",
            &[id.into()],
            |r| crate::db::id(r, "v"),
        )
        .await?;
    i.findings = db
        .fetch_all(
            "SELECT id, project_id, description, problem_id, created_at FROM inspection_findings WHERE inspection_id = $1 ORDER BY id",
            &[id.into()],
            |r| {
                Ok(Finding {
                    id: r.i64("id")?,
                    project_id: crate::db::opt_id(r, "project_id")?,
                    description: r.str("description")?,
                    problem_id: r.opt_i64("problem_id")?,
                    created_at: r.i64("created_at")?,
                })
            },
        )
        .await?;
    Ok(i)
}

/// Inspections of units within a reach, newest first.
pub async fn list(
    db: &Db,
    reach: &duban_domain::access::Reach,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Inspection>), StoreError> {
    let w = crate::query::Where::new([crate::reach_sql("unit_id", reach)]);
    crate::query::page(
        db,
        "",
        COLS,
        "inspections",
        w,
        "visited_on DESC, id DESC",
        offset,
        limit,
        row,
    )
    .await
}
