//! Units, chains, projects and plans.

use super::{Res, ok};
use crate::AppState;
use crate::extract::{Auth, Body, Ids, Q};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use duban_app::access::{EditRegistry, ManageUnits, ReadRegistry};
use duban_app::registry::{self, PlanInput, ProjectQuery};
use duban_domain::project::ProjectInput;
use duban_domain::unit::UnitInput;
use serde_json::json;

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// The version the change is based on.
    pub version: i64,
}

pub async fn units(State(s): State<AppState>, a: Auth) -> Res {
    let items = registry::units(&s.db, &a.caller).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
pub async fn chains(State(s): State<AppState>, a: Auth) -> Res {
    let items = registry::chains(&s.db, &a.caller).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
pub async fn create_unit(State(s): State<AppState>, a: Auth, Body(b): Body<UnitInput>) -> Res {
    ok(registry::create_unit(&s.db, &a.caller.can::<ManageUnits>()?, &b).await?)
}
pub async fn update_unit(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<UnitInput>,
) -> Res {
    ok(registry::update_unit(&s.db, &a.caller.can::<ManageUnits>()?, id.one(), &b).await?)
}
pub async fn archive_unit(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<VersionInput>,
) -> Res {
    registry::archive_unit(&s.db, &a.caller.can::<ManageUnits>()?, id.one(), b.version).await?;
    ok(json!({ "ok": true }))
}
pub async fn projects(State(s): State<AppState>, a: Auth, Q(q): Q<ProjectQuery>) -> Res {
    let page = registry::list_projects(&s.db, &a.caller.can::<ReadRegistry>()?, &q).await?;
    ok(json!({ "total": page.total, "items": page.items }))
}
pub async fn project(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    ok(registry::project(&s.db, &a.caller.can::<ReadRegistry>()?, id.one()).await?)
}
pub async fn create_project(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<ProjectInput>,
) -> Res {
    ok(registry::create_project(&s.db, &a.caller.can::<EditRegistry>()?, &b).await?)
}
pub async fn update_project(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<ProjectInput>,
) -> Res {
    ok(registry::update_project(&s.db, &a.caller.can::<EditRegistry>()?, id.one(), &b).await?)
}
pub async fn archive_project(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<VersionInput>,
) -> Res {
    registry::archive_project(&s.db, &a.caller.can::<EditRegistry>()?, id.one(), b.version).await?;
    ok(json!({ "ok": true }))
}
fn year(v: i64) -> Result<i32, crate::ApiError> {
    i32::try_from(v)
        .ok()
        .filter(|y| (1990..=2100).contains(y))
        .ok_or_else(|| {
            duban_app::AppError::from(duban_domain::FieldError::new(
                "year",
                "range",
                "年份应在1990—2100之间",
                "the year must be 1990 to 2100",
            ))
            .into()
        })
}
pub async fn plan(State(s): State<AppState>, a: Auth, ids: Ids) -> Res {
    let (id, y) = ids.two();
    ok(registry::plan(&s.db, &a.caller.can::<ReadRegistry>()?, id, year(y)?).await?)
}
pub async fn archive_plan(
    State(s): State<AppState>,
    a: Auth,
    ids: Ids,
    Body(b): Body<VersionInput>,
) -> Res {
    let (id, y) = ids.two();
    registry::archive_plan(
        &s.db,
        &a.caller.can::<EditRegistry>()?,
        id,
        year(y)?,
        b.version,
    )
    .await?;
    ok(json!({ "ok": true }))
}
pub async fn put_plan(
    State(s): State<AppState>,
    a: Auth,
    ids: Ids,
    Body(b): Body<PlanInput>,
) -> Res {
    let (id, y) = ids.two();
    ok(registry::put_plan(&s.db, &a.caller.can::<EditRegistry>()?, id, year(y)?, &b).await?)
}

/// A file written in batches, streamed as it is written. An error after the first
/// byte cuts the body (the status line is gone), so the download fails visibly.
pub(super) fn streamed<E: duban_app::export::Chunked>(
    db: duban_app::Db,
    export: E,
    content_type: &str,
    name: &str,
    fallback: &str,
) -> axum::response::Response {
    let body = futures_util::stream::unfold(Some((export, 0usize)), move |state| {
        let db = db.clone();
        async move {
            let (export, n) = state?;
            match export.next_chunk(&db, n).await {
                Ok(Some(text)) => Some((
                    Ok::<_, std::io::Error>(Bytes::from(text)),
                    Some((export, n + 1)),
                )),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                super::attachment(name, fallback),
            ),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

/// The registry's view as CSV; the audit log records who took which view out.
pub async fn export(State(s): State<AppState>, a: Auth, Q(query): Q<ProjectQuery>) -> Res {
    let can = a.caller.can::<ReadRegistry>()?;
    let english = query.lang.as_deref() == Some("en");
    let export = duban_app::export::ProjectExport::new(&s.db, &can, &query, english).await?;
    let name = if english {
        "projects.csv"
    } else {
        "项目库.csv"
    };
    Ok(streamed(
        s.db.clone(),
        export,
        "text/csv; charset=utf-8",
        name,
        "projects.csv",
    ))
}

/// The registry's view as an OC4IDS project package.
pub async fn oc4ids(State(s): State<AppState>, a: Auth, Q(query): Q<ProjectQuery>) -> Res {
    let can = a.caller.can::<ReadRegistry>()?;
    let export = duban_app::export::Oc4idsExport::new(&s.db, &can, &query).await?;
    Ok(streamed(
        s.db.clone(),
        export,
        "application/json",
        "oc4ids-projects.json",
        "oc4ids-projects.json",
    ))
}
