//! The use-case error: every failure a caller can see, with a stable code.

use duban_domain::{FieldError, TransitionError, ValidationErrors};
use duban_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input rejected; each error names the field and the reason (zh/en).
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    #[error("{0}")]
    Transition(TransitionError),
    #[error("{what} not found")]
    NotFound { what: &'static str },
    #[error("conflict: {0}")]
    Conflict(String),
    /// Configuration or environment problem; the message says what to fix.
    #[error("{0}")]
    Config(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    /// The stable machine code of the error (`{code, message, details}`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid_input",
            AppError::Transition(_) => "illegal_transition",
            AppError::NotFound { .. } => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Config(_) => "configuration",
            AppError::Internal(_) => "internal",
        }
    }
    /// A short message in Chinese for the UI.
    pub fn message_zh(&self) -> String {
        match self {
            AppError::Invalid(e) => {
                e.0.iter()
                    .map(|f| format!("{}：{}", f.field, f.zh))
                    .collect::<Vec<_>>()
                    .join("；")
            }
            AppError::Transition(t) => t.zh.clone(),
            AppError::NotFound { .. } => "未找到该记录".into(),
            AppError::Conflict(_) => "记录已被他人修改或已存在，请刷新后重试".into(),
            AppError::Config(m) => format!("配置错误：{m}"),
            AppError::Internal(_) => "服务器内部错误，请联系管理员".into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound { what: "record" },
            StoreError::Duplicate(m) => AppError::Conflict(m),
            StoreError::Stale => {
                AppError::Conflict("the record was changed by someone else".into())
            }
            StoreError::Config(m) => AppError::Config(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}
impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> Self {
        AppError::Invalid(e)
    }
}
impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e.into())
    }
}
impl From<TransitionError> for AppError {
    fn from(e: TransitionError) -> Self {
        AppError::Transition(e)
    }
}
