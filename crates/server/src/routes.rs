//! The routes of the API.

use crate::error::ApiError;
use crate::{AppState, assets};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::routing::get;
use axum::{Json, Router};
use duban_app::registry::{self, ProjectQuery};
use duban_app::schema;
use serde_json::{Value, json};

type ApiResult = Result<Json<Value>, ApiError>;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/units", get(units))
        .route("/api/v1/chains", get(chains))
        .route("/api/v1/projects", get(projects))
        .route("/api/v1/projects/{id}", get(project))
        .route(
            "/api/{*rest}",
            get(api_not_found)
                .post(api_not_found)
                .put(api_not_found)
                .delete(api_not_found),
        )
        .fallback(assets::static_file)
}

async fn healthz(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let v = schema::current_version(&s.db)
        .await
        .map_err(duban_app::AppError::from)?;
    let backend = s.db.backend().name();
    Ok(Json(
        json!({ "status": "ok", "database": backend, "schema_version": v, "version": env!("CARGO_PKG_VERSION") }),
    ))
}

async fn units(State(s): State<AppState>) -> ApiResult {
    Ok(Json(json!({ "items": registry::units(&s.db).await? })))
}

async fn chains(State(s): State<AppState>) -> ApiResult {
    Ok(Json(json!({ "items": registry::chains(&s.db).await? })))
}

fn bad_query(e: QueryRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_input",
        format!("bad query string: {}", e.body_text()),
        format!("查询参数有误：{}", e.body_text()),
    )
}

async fn projects(
    State(s): State<AppState>,
    q: Result<Query<ProjectQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = q.map_err(bad_query)?;
    let page = registry::list_projects(&s.db, &q).await?;
    Ok(Json(json!({ "total": page.total, "items": page.items })))
}

async fn project(State(s): State<AppState>, Path(id): Path<String>) -> ApiResult {
    let id: i64 = id.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("'{id}' is not a project id"),
            format!("“{id}”不是有效的项目编号"),
        )
    })?;
    Ok(Json(json!(registry::project(&s.db, id).await?)))
}

async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::not_found(uri.path())
}
