//! One error type for every failure the API returns: `{code, message, message_zh, details}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use duban_app::AppError;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ApiError {
    #[serde(skip)]
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub message_zh: String,
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
    /// For a 5xx: the failure and its causes, for the log (never sent).
    #[serde(skip)]
    pub cause: Option<Box<String>>,
}

/// Set on a 5xx response: what failed, with its causes. The logging layer
/// ([`crate::log_failures`]) writes it to the log; the client sees only the code.
#[derive(Debug, Clone)]
pub struct FailureCause(pub String);

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<String>,
        message_zh: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            message_zh: message_zh.into(),
            details: serde_json::Value::Null,
            cause: None,
        }
    }
    pub fn not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such endpoint: {path}"),
            format!("接口不存在：{path}"),
        )
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = match &e {
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::Transition(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound { .. } => StatusCode::NOT_FOUND,
            AppError::Conflict(_) | AppError::Stale { .. } => StatusCode::CONFLICT,
            AppError::Auth { .. } => StatusCode::UNAUTHORIZED,
            AppError::Locked { .. } => StatusCode::LOCKED,
            AppError::PasswordChange
            | AppError::SessionOnly
            | AppError::TotpSetup
            | AppError::Forbidden { .. } => StatusCode::FORBIDDEN,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Config(_) | AppError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let details = match &e {
            AppError::Invalid(v) => serde_json::to_value(&v.0).unwrap_or_default(),
            AppError::Transition(t) => serde_json::to_value(t).unwrap_or_default(),
            AppError::Stale { current } => serde_json::json!({ "current": current }),
            AppError::Locked { until } => serde_json::json!({ "locked_until": until }),
            _ => serde_json::Value::Null,
        };
        let cause = status.is_server_error().then(|| Box::new(e.chain()));
        let message = match &e {
            // Internal details stay in the log, not in the response.
            AppError::Internal { .. } => "internal error; see the server log".to_string(),
            other => other.to_string(),
        };
        ApiError {
            status,
            code: e.code(),
            message,
            message_zh: e.message_zh(),
            details,
            cause,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(mut self) -> Response {
        let cause = self.cause.take();
        let mut resp = (self.status, Json(self)).into_response();
        if let Some(c) = cause {
            resp.extensions_mut().insert(FailureCause(*c));
        }
        resp
    }
}
