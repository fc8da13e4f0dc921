//! Work items (三本清单, indicator targets): created by supervisors; the unit reports
//! progress under the report workflow (draft → submitted → approved | returned).

use crate::access::{ApproveReports, Can, Cap, DraftReports, ReadRegistry, Supervise};
use crate::error::OrStale;
use crate::{AppError, audit};
use duban_domain::report::{self, ReportAction, ReportState};
use duban_domain::work::{NewWorkItem, Progress, ProgressInput, WorkItemInput, WorkList};
use duban_store::work::{self as store, ProgressRow, WorkItem};
use duban_store::{Db, StoreError};
use serde::{Deserialize, Serialize};

pub async fn create(
    db: &Db,
    can: &Can<Supervise>,
    i: &WorkItemInput,
) -> Result<WorkItem, AppError> {
    let w = NewWorkItem::parse(i)?;
    can.check_target("unit_id", w.unit_id)?;
    let mut uow = can.write(db).await?;
    let id = store::insert(uow.tx(), &w, can.actor().user_id.get()).await?;
    uow.audit("work_item.create", "work_item", id, audit::NONE, Some(&w));
    uow.commit().await?;
    Ok(store::get(db, id).await?)
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkItemUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub item: WorkItemInput,
}

pub async fn update(
    db: &Db,
    can: &Can<Supervise>,
    id: i64,
    version: i64,
    i: &WorkItemInput,
) -> Result<WorkItem, AppError> {
    let before = item(db, can, id).await?;
    let w = NewWorkItem::parse(i)?;
    can.check_target("unit_id", w.unit_id)?;
    let mut uow = can.write(db).await?;
    store::update(uow.tx(), id, version, &w)
        .await
        .or_stale(&before)?;
    uow.audit("work_item.update", "work_item", id, Some(&before), Some(&w));
    uow.commit().await?;
    Ok(store::get(db, id).await?)
}

async fn item<C: Cap>(db: &Db, can: &Can<C>, id: i64) -> Result<WorkItem, AppError> {
    let w = store::get(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "work item" })?;
    can.check(w.spec.unit_id, "work item")?;
    Ok(w)
}

#[derive(Debug, Serialize)]
pub struct WorkItemView {
    #[serde(flatten)]
    pub item: WorkItem,
    pub progress: Vec<ProgressRow>,
}

pub async fn get(db: &Db, can: &Can<ReadRegistry>, id: i64) -> Result<WorkItemView, AppError> {
    let w = item(db, can, id).await?;
    let unapproved = can.caller().sees_unapproved_at(w.spec.unit_id);
    let progress = store::progress_of(db, id)
        .await?
        .into_iter()
        .filter(|p| unapproved || p.state == ReportState::Approved)
        .collect();
    Ok(WorkItemView { item: w, progress })
}

#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkQuery {
    pub year: Option<i32>,
    /// key | highlight | difficult | indicator
    #[schemars(with = "Option<duban_domain::work::WorkList>")]
    pub list: Option<String>,
    pub unit: Option<i64>,
}

pub async fn list(
    db: &Db,
    can: &Can<ReadRegistry>,
    q: &WorkQuery,
) -> Result<Vec<WorkItem>, AppError> {
    let list = q
        .list
        .as_deref()
        .map(|l| WorkList::parse("list", l))
        .transpose()?;
    Ok(store::list(db, &can.reach_within(q.unit), q.year, list).await?)
}

/// Save (and optionally submit) the progress of a period: a new draft, or an edit of a
/// draft or returned one.
pub async fn save_progress(
    db: &Db,
    can: &Can<DraftReports>,
    id: i64,
    i: &ProgressInput,
    submit: bool,
) -> Result<ProgressRow, AppError> {
    let w = item(db, can, id).await?;
    let p = Progress::parse(i)?;
    let existing = store::progress_of(db, id)
        .await?
        .into_iter()
        .find(|x| x.progress.period == p.period);
    let mut uow = can.write(db).await?;
    let pid = match &existing {
        None => store::insert_progress(uow.tx(), id, &p, can.actor().user_id.get())
            .await
            .map_err(|e| match e {
                StoreError::Duplicate(_) => {
                    AppError::Conflict("progress for this period already exists".into())
                }
                e => e.into(),
            })?,
        Some(x) => {
            report::transition(x.state, &ReportAction::Edit)?;
            store::update_progress(uow.tx(), x.id, x.state, &p)
                .await
                .map_err(|_| AppError::stale(x))?;
            x.id
        }
    };
    let mut action = "work_progress.save";
    if submit {
        let to = report::transition(ReportState::Draft, &ReportAction::Submit)?;
        store::set_progress_state(uow.tx(), pid, ReportState::Draft, to, None).await?;
        action = "work_progress.submit";
    }
    uow.audit(
        action,
        "work_progress",
        pid,
        existing.as_ref(),
        Some(&serde_json::json!({ "item": w.id, "progress": p, "submitted": submit })),
    );
    uow.commit().await?;
    Ok(store::progress(db, pid).await?)
}

/// Approve, or return with a reason, a submitted progress entry.
pub async fn decide_progress(
    db: &Db,
    can: &Can<ApproveReports>,
    pid: i64,
    reason: Option<&str>,
) -> Result<ProgressRow, AppError> {
    let p = store::progress(db, pid)
        .await
        .map_err(|_| AppError::NotFound { what: "progress" })?;
    item(db, can, p.item_id)
        .await
        .map_err(|_| AppError::NotFound { what: "progress" })?;
    let action = match reason {
        Some(r) => ReportAction::Return {
            reason: duban_domain::text::field("reason", r, 500, false)?,
        },
        None => ReportAction::Approve,
    };
    let to = report::transition(p.state, &action)?;
    let mut uow = can.write(db).await?;
    store::set_progress_state(uow.tx(), pid, p.state, to, reason)
        .await
        .map_err(|_| AppError::stale(&p))?;
    let verb = if reason.is_some() {
        "work_progress.return"
    } else {
        "work_progress.approve"
    };
    uow.audit(
        verb,
        "work_progress",
        pid,
        Some(&p.state.code()),
        Some(&serde_json::json!({ "state": to.code(), "reason": reason })),
    );
    uow.commit().await?;
    Ok(store::progress(db, pid).await?)
}
