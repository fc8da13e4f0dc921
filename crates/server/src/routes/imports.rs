//! Spreadsheet import: templates to download, upload for a preview (dry run), commit.
//! What a workbook may write depends on its sheets (progress needs `DraftReports`,
//! projects and plans `EditRegistry`, problems `Supervise`): the use case takes the
//! signed-in caller and asks for each sheet's capability once.

use crate::AppState;
use crate::extract::{Auth, FileBody, Ids, Q};
use crate::openapi::{Api, doc};
use crate::respond::{Res, XLSX, download, ok};
use axum::extract::{DefaultBodyLimit, State};
use axum::routing::{get, post};
use duban_app::imports::{self, TemplateQuery};
use duban_domain::import::Kind;
use serde_json::json;

pub fn routes(x: &mut Api) {
    let d = doc(
        "imports",
        "An import template (.xlsx), optionally pre-filled",
    )
    .query::<TemplateQuery>(x)
    .file(&[crate::respond::XLSX]);
    x.op("get", "/api/v1/imports/template", get(template), d);
    let d = doc(
        "imports",
        "Upload a workbook (raw body) for a dry run: what would be created, updated or rejected",
    )
    .query::<UploadQuery>(x)
    .raw_body();
    x.op(
        "post",
        "/api/v1/imports",
        post(preview).layer(DefaultBodyLimit::max(200 * 1024 * 1024)),
        d,
    );
    x.op(
        "get",
        "/api/v1/imports",
        get(list),
        doc("imports", "Imports, newest first"),
    );
    x.op(
        "post",
        "/api/v1/imports/{id}/commit",
        post(commit),
        doc("imports", "Commit a previewed import: all rows or none"),
    );
}

async fn template(State(s): State<AppState>, a: Auth, Q(q): Q<TemplateQuery>) -> Res {
    let (name, bytes) = imports::template(&s.db, &a.caller, &q).await?;
    Ok(download(bytes, XLSX, &name, "template.xlsx"))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file's name, as the user chose it.
    #[schemars(length(min = 1, max = 200), regex(pattern = r"\S"))]
    pub filename: String,
    /// Read every sheet as this kind (projects, plans, milestones, progress, problems)
    /// instead of recognising it.
    #[schemars(extend("enum" = ["projects", "plans", "milestones", "progress", "history", "problems", "units", "users"]))]
    pub kind: Option<String>,
}

/// Upload a workbook (raw body): the dry run, kept for a commit.
async fn preview(
    State(s): State<AppState>,
    a: Auth,
    Q(q): Q<UploadQuery>,
    FileBody(body): FileBody,
) -> Res {
    let kind = match q.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            duban_app::AppError::from(duban_domain::FieldError::new(
                "kind",
                "unknown_code",
                format!("“{k}”不是可选的表类型"),
                format!("'{k}' is not a kind of sheet"),
            ))
        })?),
    };
    ok(imports::preview(&s.db, &a.caller, &q.filename, Vec::from(body), kind, true).await?)
}

async fn commit(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(imports::commit(&s.db, &a.caller, id.one()).await?)
}

async fn list(State(s): State<AppState>, a: Auth) -> Res {
    ok(json!({ "items": imports::list(&s.db, &a.caller).await? }))
}
