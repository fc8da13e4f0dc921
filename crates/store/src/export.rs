//! Reads of many projects at once, for exports: their plans with milestones, their
//! approved reports, and when each was last changed.

use crate::db::{Db, Val, id};
use crate::{StoreError, parse_date};
use duban_domain::Yuan;
use duban_domain::plan::{AnnualPlan, Milestone, MonthlyCurve};
use duban_domain::project::ProjectId;
use duban_domain::report::Report;
use std::collections::HashMap;

fn ids_list(ids: &[ProjectId]) -> String {
    ids.iter()
        .map(ProjectId::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The live plans of these projects, with their milestones.
pub async fn plans_of(
    db: &Db,
    ids: &[ProjectId],
) -> Result<HashMap<ProjectId, Vec<AnnualPlan>>, StoreError> {
    let mut out: HashMap<ProjectId, Vec<AnnualPlan>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = ids_list(ids);
    let mut milestones: HashMap<(ProjectId, i64), Vec<Milestone>> = HashMap::new();
    for (pid, year, m) in db
        .fetch_all(
            &format!("SELECT project_id, year, name, planned_date, actual_date FROM milestones WHERE project_id IN ({list}) ORDER BY planned_date, id"),
            &[],
            |r| {
                Ok((
                    id::<ProjectId>(r, "project_id")?,
                    r.i64("year")?,
                    Milestone {
                        name: r.str("name")?,
                        planned: parse_date("milestones.planned_date", Some(r.str("planned_date")?))?.expect("some"),
                        actual: parse_date("milestones.actual_date", r.opt_str("actual_date")?)?,
                    },
                ))
            },
        )
        .await?
    {
        milestones.entry((pid, year)).or_default().push(m);
    }
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {} FROM annual_plans WHERE archived = FALSE AND project_id IN ({list}) ORDER BY project_id, year",
                crate::plans::INSERT_COLS
            ),
            &[],
            |r| {
                let mut months = Vec::with_capacity(12);
                for m in 1..=12 {
                    months.push(Yuan::new(r.i64(&format!("m{m:02}"))?));
                }
                Ok((
                    id::<ProjectId>(r, "project_id")?,
                    r.i64("year")?,
                    Yuan::new(r.i64("planned")?),
                    months,
                    r.opt_i64("planned_start_month")?,
                ))
            },
        )
        .await?;
    for (pid, year, planned, months, start) in rows {
        let curve = MonthlyCurve::parse(planned, &months).map_err(|e| StoreError::Corrupt {
            column: "annual_plans.m01..m12",
            value: e.to_string(),
        })?;
        out.entry(pid).or_default().push(AnnualPlan {
            year: year as i32,
            curve,
            planned_start_month: start.map(|m| m as u32),
            milestones: milestones.remove(&(pid, year)).unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The approved reports of these projects: the latest approved revision of each period.
pub async fn approved_of(
    db: &Db,
    ids: &[ProjectId],
) -> Result<HashMap<ProjectId, Vec<Report>>, StoreError> {
    let mut out: HashMap<ProjectId, Vec<Report>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {} FROM reports WHERE state = 'approved' AND project_id IN ({}) ORDER BY project_id, year, month, revision",
                crate::reports::COLS,
                ids_list(ids)
            ),
            &[],
            crate::reports::row,
        )
        .await?;
    for r in rows {
        let v = out.entry(r.project_id).or_default();
        match v.last_mut() {
            // Ordered by revision: a later approved revision of a period replaces it.
            Some(last) if last.period == r.period => *last = r,
            _ => v.push(r),
        }
    }
    Ok(out)
}

/// The projects with these ids, in that order, with their funding.
pub async fn projects_with_funding(
    db: &Db,
    ids: &[ProjectId],
) -> Result<Vec<duban_domain::project::Project>, StoreError> {
    let mut list = crate::projects::by_ids(db, ids).await?;
    if list.is_empty() {
        return Ok(list);
    }
    let vals: Vec<Val> = ids.iter().map(|i| Val::from(*i)).collect();
    let mut funding = crate::projects::funding_of(db, &vals).await?;
    for p in &mut list {
        p.spec.funding = funding.remove(&p.id).unwrap_or_default();
    }
    Ok(list)
}

/// When each project was last changed (ms since the epoch).
pub async fn updated_of(db: &Db, ids: &[ProjectId]) -> Result<HashMap<ProjectId, i64>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let vals: Vec<Val> = Vec::new();
    Ok(db
        .fetch_all(
            &format!(
                "SELECT id, updated_at FROM projects WHERE id IN ({})",
                ids_list(ids)
            ),
            &vals,
            |r| Ok((id::<ProjectId>(r, "id")?, r.i64("updated_at")?)),
        )
        .await?
        .into_iter()
        .collect())
}
