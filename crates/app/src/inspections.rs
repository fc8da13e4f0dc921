//! Inspections (督查) by supervisors: visits, findings, and a finding turned into a
//! problem in the same transaction.

use crate::access::{Can, ReadRegistry, Supervise};
use crate::problems::{ProblemInput, create_in};
use crate::{AppError, audit};
use duban_domain::ids::ProjectId;
use duban_domain::inspection::{InspectionInput, NewInspection};
use duban_domain::{FieldError, text};
use duban_store::inspections::{self as store, Inspection};
use duban_store::{Db, projects};
use serde::{Deserialize, Serialize};

pub async fn create(
    db: &Db,
    can: &Can<Supervise>,
    i: &InspectionInput,
) -> Result<Inspection, AppError> {
    let n = NewInspection::parse(i, crate::clock::today())?;
    can.check_target("unit_id", n.unit_id)?;
    for p in &n.project_ids {
        match projects::unit_of(db, *p).await? {
            Some(u) if can.reach().covers(u) => {}
            _ => {
                return Err(FieldError::new(
                    "project_ids",
                    "unknown",
                    format!("项目 {p} 不存在或不在您的数据范围内"),
                    format!("project {p} does not exist or is outside your data scope"),
                )
                .into());
            }
        }
    }
    let mut w = can.write(db).await?;
    let id = store::insert(w.tx(), &n, can.actor().user_id.get()).await?;
    w.audit("inspection.create", "inspection", id, audit::NONE, Some(&n));
    w.problems_changed();
    w.commit().await?;
    Ok(store::get(db, id).await?)
}

pub async fn get(db: &Db, can: &Can<ReadRegistry>, id: i64) -> Result<Inspection, AppError> {
    let i = store::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "inspection" })?;
    can.check(i.unit_id, "inspection")?;
    Ok(i)
}

#[derive(Debug, Serialize)]
pub struct InspectionPage {
    pub total: i64,
    pub items: Vec<Inspection>,
}

pub async fn list(
    db: &Db,
    can: &Can<ReadRegistry>,
    unit: Option<i64>,
    page: Option<i64>,
    page_size: Option<i64>,
) -> Result<InspectionPage, AppError> {
    let (offset, limit) = crate::paging(page, page_size)?;
    let (total, items) = store::list(db, &can.reach_within(unit), offset, limit).await?;
    Ok(InspectionPage { total, items })
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    #[serde(default)]
    pub project_id: Option<ProjectId>,
    #[schemars(length(min = 1, max = 2000), regex(pattern = r"\S"))]
    pub description: String,
    /// Turn the finding into a problem at once: category, lead unit and deadline.
    #[serde(default)]
    pub problem: Option<FindingProblem>,
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingProblem {
    #[schemars(with = "duban_domain::codes::ProblemCategory")]
    pub category: String,
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub lead_unit_id: Option<i64>,
    #[serde(default)]
    pub assisting_unit_ids: Vec<i64>,
    #[serde(default)]
    #[schemars(extend("format" = "date"))]
    pub deadline: Option<String>,
    #[serde(default)]
    pub responsible: Option<String>,
}

/// Record a finding; with `problem`, the problem is created in the same step.
pub async fn add_finding(
    db: &Db,
    can: &Can<Supervise>,
    id: i64,
    f: &FindingInput,
) -> Result<Inspection, AppError> {
    let i = store::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "inspection" })?;
    can.check(i.unit_id, "inspection")?;
    let description = text::field("description", &f.description, 2000, true)?;
    if let Some(p) = f.project_id
        && !i.project_ids.contains(&p)
    {
        return Err(FieldError::new(
            "project_id",
            "not_visited",
            "该项目不在本次督查的项目清单中",
            "the project is not among those visited",
        )
        .into());
    }
    let mut w = can.write(db).await?;
    let problem_id = match &f.problem {
        Some(p) => Some(
            create_in(
                &mut w,
                can,
                &ProblemInput {
                    source: "inspection".into(),
                    category: p.category.clone(),
                    description: description.clone(),
                    project_id: f.project_id,
                    lead_unit_id: p.lead_unit_id,
                    assisting_unit_ids: p.assisting_unit_ids.clone(),
                    deadline: p.deadline.clone(),
                    responsible: p.responsible.clone(),
                },
            )
            .await?,
        ),
        None => None,
    };
    let fid = store::add_finding(w.tx(), id, f.project_id, &description, problem_id).await?;
    w.audit("inspection.finding", "inspection_finding", fid, audit::NONE, Some(&serde_json::json!({ "inspection": id, "description": description, "problem": problem_id })));
    w.problems_changed();
    w.commit().await?;
    Ok(store::get(db, id).await?)
}
