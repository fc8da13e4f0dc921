//! Work items (三本清单, indicator targets) and their progress by period.

use crate::AppState;
use crate::extract::{Allowed, Body, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::routing::{get, post, put};
use duban_app::access::{ApproveReports, DraftReports, ReadRegistry, Supervise};
use duban_app::reports::ReturnInput;
use duban_app::work::{self, WorkItemUpdate, WorkQuery};
use duban_domain::work::{ProgressInput, WorkItemInput};
use serde_json::json;

pub fn routes(x: &mut Api) {
    let d = doc("work", "Work items (三本清单, indicator targets) in scope").query::<WorkQuery>(x);
    x.op("get", "/api/v1/work-items", get(list), d);
    let d = doc("work", "Create a work item (supervisor)").body::<WorkItemInput>(x);
    x.op("post", "/api/v1/work-items", post(create), d);
    x.op(
        "get",
        "/api/v1/work-items/{id}",
        get(one),
        doc("work", "A work item with its progress"),
    );
    let d = doc("work", "Change a work item (with its version)").body::<WorkItemUpdate>(x);
    x.op("put", "/api/v1/work-items/{id}", put(update), d);
    let d = doc(
        "work",
        "Save the progress of a period; ?submit=true submits it",
    )
    .body::<ProgressInput>(x)
    .query::<SubmitQuery>(x);
    x.op(
        "post",
        "/api/v1/work-items/{id}/progress",
        post(save_progress),
        d,
    );
    x.op(
        "post",
        "/api/v1/work-progress/{id}/approve",
        post(approve_progress),
        doc("work", "Approve progress (approver of the unit)"),
    );
    let d = doc("work", "Return progress with a reason").body::<ReturnInput>(x);
    x.op(
        "post",
        "/api/v1/work-progress/{id}/return",
        post(return_progress),
        d,
    );
}

async fn list(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    Q(q): Q<WorkQuery>,
) -> Res {
    let items = work::list(&s.db, &can, &q).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
async fn create(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    Body(b): Body<WorkItemInput>,
) -> Res {
    ok(work::create(&s.db, &can, &b).await?)
}
async fn one(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    ok(work::get(&s.db, &can, id.one()).await?)
}
async fn update(
    State(s): State<AppState>,
    Allowed(can): Allowed<Supervise>,
    id: Ids,
    Body(b): Body<WorkItemUpdate>,
) -> Res {
    ok(work::update(&s.db, &can, id.one(), b.version, &b.item).await?)
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitQuery {
    /// Submit for approval after saving.
    pub submit: Option<bool>,
}

async fn save_progress(
    State(s): State<AppState>,
    Allowed(can): Allowed<DraftReports>,
    id: Ids,
    Q(q): Q<SubmitQuery>,
    Body(b): Body<ProgressInput>,
) -> Res {
    ok(work::save_progress(&s.db, &can, id.one(), &b, q.submit.unwrap_or(false)).await?)
}
async fn approve_progress(
    State(s): State<AppState>,
    Allowed(can): Allowed<ApproveReports>,
    id: Ids,
) -> Res {
    ok(work::decide_progress(&s.db, &can, id.one(), None).await?)
}
async fn return_progress(
    State(s): State<AppState>,
    Allowed(can): Allowed<ApproveReports>,
    id: Ids,
    Body(b): Body<ReturnInput>,
) -> Res {
    ok(work::decide_progress(&s.db, &can, id.one(), Some(&b.reason)).await?)
}
