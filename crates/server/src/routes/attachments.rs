//! Files attached to reports, problems and inspections: upload and download.

use crate::AppState;
use crate::extract::{Allowed, Auth, FileBody, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, attachment, ok};
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use duban_app::access::ReadRegistry;
use duban_app::attachments::{self, Target};
use serde_json::json;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/api/v1/projects/{id}/attachments",
        get(of_project),
        doc(
            "attachments",
            "The files of a project's reports, problems and inspections the caller may open",
        ),
    );
    let d = doc(
        "attachments",
        "Upload a file (raw body) to a report, problem or inspection",
    )
    .query::<UploadQuery>(x)
    .raw_body();
    x.op(
        "post",
        "/api/v1/attachments",
        post(upload).layer(DefaultBodyLimit::max(200 * 1024 * 1024)),
        d,
    );
    x.op(
        "get",
        "/api/v1/attachments/{id}",
        get(download),
        doc("attachments", "Download a file").file(&["application/octet-stream"]),
    );
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// report | problem | inspection
    #[schemars(extend("enum" = ["report", "problem", "inspection"]))]
    pub object_type: String,
    pub object_id: i64,
    /// The file name (its extension decides the accepted type).
    pub name: String,
}

/// Who may attach depends on the object: a report's clerks, an inspection's
/// supervisors, a problem's lead unit or supervisors; the use case checks which.
async fn upload(
    State(s): State<AppState>,
    a: Auth,
    Q(q): Q<UploadQuery>,
    FileBody(body): FileBody,
) -> Res {
    let target = Target::parse(&q.object_type)?;
    ok(attachments::upload(
        &s.db,
        &s.data_dir,
        &a.caller,
        target,
        q.object_id,
        &q.name,
        &body,
    )
    .await?)
}

async fn of_project(
    State(s): State<AppState>,
    Allowed(can): Allowed<ReadRegistry>,
    id: Ids,
) -> Res {
    ok(json!({ "items": attachments::for_project(&s.db, &can, id.one()).await? }))
}

async fn download(State(s): State<AppState>, Allowed(can): Allowed<ReadRegistry>, id: Ids) -> Res {
    let (att, bytes) = attachments::download(&s.db, &s.data_dir, &can, id.one()).await?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&att.mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&attachment(&att.name, "attachment")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}
