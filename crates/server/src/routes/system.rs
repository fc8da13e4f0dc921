//! The server itself: liveness, and the answers for paths and methods that do not exist.

use crate::AppState;
use crate::error::ApiError;
use crate::openapi::{Api, doc};
use crate::respond::{Res, ok};
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::routing::get;
use serde_json::json;

pub fn routes(x: &mut Api) {
    x.op(
        "get",
        "/healthz",
        get(healthz),
        doc("system", "Liveness, database engine and schema version").public(),
    );
}

async fn healthz(State(s): State<AppState>) -> Res {
    let v = duban_app::schema::current_version(&s.db)
        .await
        .map_err(duban_app::AppError::from)?;
    ok(
        json!({ "status": "ok", "database": s.db.backend().name(), "schema_version": v, "version": env!("CARGO_PKG_VERSION") }),
    )
}

pub async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", uri.path()),
        format!("接口 {} 不支持 {method} 请求", uri.path()),
    )
}

pub async fn api_not_found(uri: Uri) -> ApiError {
    ApiError::not_found(uri.path())
}
