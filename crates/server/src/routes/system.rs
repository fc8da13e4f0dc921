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
    x.op(
        "get",
        "/readyz",
        get(readyz),
        doc(
            "system",
            "Readiness: the database answers and its schema is the one this build expects (503 otherwise)",
        )
        .public(),
    );
}

/// Ready to serve: the database answers within a second and its schema is current.
/// A load balancer sends traffic only to instances that say so.
async fn readyz(State(s): State<AppState>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let want = duban_app::schema::latest_version();
    let check = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        duban_app::schema::current_version(&s.db),
    )
    .await;
    let (ready, detail) = match check {
        Ok(Ok(v)) if v == want => (true, json!({ "schema_version": v })),
        Ok(Ok(v)) => (
            false,
            json!({ "schema_version": v, "expected": want, "reason": "schema not current: run `duban migrate`" }),
        ),
        Ok(Err(e)) => (false, json!({ "reason": format!("database: {e}") })),
        Err(_) => (
            false,
            json!({ "reason": "database did not answer within 1 s" }),
        ),
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut body = json!({ "status": if ready { "ready" } else { "not_ready" } });
    body.as_object_mut()
        .expect("object")
        .extend(detail.as_object().expect("object").clone());
    (status, axum::Json(body)).into_response()
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
