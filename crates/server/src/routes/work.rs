//! Inspections, work items and attachments.

use super::{Res, ok};
use crate::AppState;
use crate::extract::{Auth, Body, FileBody, Ids, Q};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use duban_app::access::{ApproveReports, DraftReports, ReadRegistry, Supervise};
use duban_app::{attachments, inspections, work};
use duban_domain::inspection::InspectionInput;
use duban_domain::work::{ProgressInput, WorkItemInput};
use serde_json::json;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub unit: Option<i64>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

pub async fn inspections(State(s): State<AppState>, a: Auth, Q(q): Q<PageQuery>) -> Res {
    ok(inspections::list(
        &s.db,
        &a.caller.can::<ReadRegistry>()?,
        q.unit,
        q.page,
        q.page_size,
    )
    .await?)
}
pub async fn create_inspection(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<InspectionInput>,
) -> Res {
    ok(inspections::create(&s.db, &a.caller.can::<Supervise>()?, &b).await?)
}
pub async fn inspection(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(inspections::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?)
}
pub async fn finding(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<inspections::FindingInput>,
) -> Res {
    ok(inspections::add_finding(&s.db, &a.caller.can::<Supervise>()?, id.one(), &b).await?)
}

pub async fn items(State(s): State<AppState>, a: Auth, Q(q): Q<work::WorkQuery>) -> Res {
    let items = work::list(&s.db, &a.caller.can::<ReadRegistry>()?, &q).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
pub async fn create_item(State(s): State<AppState>, a: Auth, Body(b): Body<WorkItemInput>) -> Res {
    ok(work::create(&s.db, &a.caller.can::<Supervise>()?, &b).await?)
}
pub async fn item(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(work::get(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?)
}
pub async fn update_item(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<work::WorkItemUpdate>,
) -> Res {
    ok(work::update(
        &s.db,
        &a.caller.can::<Supervise>()?,
        id.one(),
        b.version,
        &b.item,
    )
    .await?)
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitQuery {
    /// Submit for approval after saving.
    pub submit: Option<bool>,
}

pub async fn save_progress(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Q(q): Q<SubmitQuery>,
    Body(b): Body<ProgressInput>,
) -> Res {
    ok(work::save_progress(
        &s.db,
        &a.caller.can::<DraftReports>()?,
        id.one(),
        &b,
        q.submit.unwrap_or(false),
    )
    .await?)
}
pub async fn approve_progress(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(work::decide_progress(&s.db, &a.caller.can::<ApproveReports>()?, id.one(), None).await?)
}
pub async fn return_progress(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<duban_app::reports::ReturnInput>,
) -> Res {
    ok(work::decide_progress(
        &s.db,
        &a.caller.can::<ApproveReports>()?,
        id.one(),
        Some(&b.reason),
    )
    .await?)
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// report | problem | inspection
    pub object_type: String,
    pub object_id: i64,
    /// The file name (its extension decides the accepted type).
    pub name: String,
}

pub async fn upload(
    State(s): State<AppState>,
    a: Auth,
    Q(q): Q<UploadQuery>,
    FileBody(body): FileBody,
) -> Res {
    ok(attachments::upload(
        &s.db,
        &s.data_dir,
        &a.caller,
        &q.object_type,
        q.object_id,
        &q.name,
        &body,
    )
    .await?)
}

pub async fn project_attachments(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(
        json!({ "items": attachments::for_project(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await? }),
    )
}

pub async fn download(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    let (att, bytes) = attachments::download(
        &s.db,
        &s.data_dir,
        &a.caller.can::<ReadRegistry>()?,
        id.one(),
    )
    .await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&att.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&super::attachment(&att.name, "attachment")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}
