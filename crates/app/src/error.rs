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
    /// The record changed since the caller read it; `current` is what is stored now.
    #[error("the record was changed by someone else; reload it and apply your change again")]
    Stale { current: serde_json::Value },
    /// Not logged in, a bad login, or an expired session (the code says which).
    #[error("{en}")]
    Auth {
        code: &'static str,
        en: String,
        zh: String,
    },
    #[error("the account is locked until {until} (Unix ms) after repeated failed logins")]
    Locked { until: i64 },
    /// The password must be changed before anything else.
    #[error("the password must be changed first (initial password, or older than 90 days)")]
    PasswordChange,
    /// The person's role requires a second factor, and they have none yet.
    #[error("your role requires a second factor (TOTP): set it up first")]
    TotpSetup,
    /// An API token may not do this (mint tokens, change the password, set up a second
    /// factor): only a signed-in person may.
    #[error("an API token cannot do this; sign in as the person")]
    SessionOnly,
    /// The caller's roles do not carry the capability.
    #[error("your roles do not allow this ({capability:?})")]
    Forbidden {
        capability: duban_domain::access::Capability,
    },
    #[error("the upload is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("{0}")]
    Unsupported(String),
    /// Configuration or environment problem; the message says what to fix.
    #[error("{0}")]
    Config(String),
    /// A failure that is not the caller's: the context says what duban was doing, the
    /// source keeps the cause's whole chain for the log (never for the response).
    #[error("internal error: {context}")]
    Internal {
        context: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl AppError {
    /// The stable machine code of the error (`{code, message, details}`).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid_input",
            AppError::Transition(_) => "illegal_transition",
            AppError::NotFound { .. } => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Stale { .. } => "stale",
            AppError::Auth { code, .. } => code,
            AppError::Locked { .. } => "account_locked",
            AppError::PasswordChange => "password_change_required",
            AppError::SessionOnly => "session_required",
            AppError::TotpSetup => "totp_setup_required",
            AppError::Forbidden { .. } => "forbidden",
            AppError::TooLarge { .. } => "too_large",
            AppError::Unsupported(_) => "unsupported_media_type",
            AppError::Config(_) => "configuration",
            AppError::Internal { .. } => "internal",
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
            AppError::Conflict(_) => "记录已存在或与现有数据冲突".into(),
            AppError::Stale { .. } => "记录已被他人修改，请刷新后重新修改".into(),
            AppError::Auth { zh, .. } => zh.clone(),
            AppError::Locked { until } => format!(
                "连续登录失败次数过多，账号已锁定，请于 {} 后再试",
                chrono::DateTime::from_timestamp_millis(*until)
                    .map(|t| t
                        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).expect("offset"))
                        .format("%H:%M")
                        .to_string())
                    .unwrap_or_default()
            ),
            AppError::PasswordChange => "初始密码或密码已超过90天，请先修改密码".into(),
            AppError::SessionOnly => "API 令牌不能执行此操作，请本人登录后操作".into(),
            AppError::TotpSetup => "您的角色须使用动态口令（双因素认证），请先完成设置".into(),
            AppError::Forbidden { .. } => "您的角色无权进行此操作".into(),
            AppError::TooLarge { limit } => {
                format!("文件超过大小上限（{} MB）", limit / 1024 / 1024)
            }
            AppError::Unsupported(_) => "不支持的文件类型".into(),
            AppError::Config(m) => format!("配置错误：{m}"),
            AppError::Internal { .. } => "服务器内部错误，请联系管理员".into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound { what: "record" },
            StoreError::Duplicate(m) => AppError::Conflict(m),
            StoreError::Stale => AppError::Stale {
                current: serde_json::Value::Null,
            },
            StoreError::InUse(what) => AppError::Conflict(format!("the {what} is still in use")),
            StoreError::Config(m) => AppError::Config(m),
            other => AppError::internal("database", other),
        }
    }
}
impl AppError {
    /// An internal error caused by `source` while doing `context`.
    pub fn internal(
        context: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> AppError {
        AppError::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }
    /// An internal error with no underlying cause (a broken invariant).
    pub fn bug(context: impl Into<String>) -> AppError {
        AppError::Internal {
            context: context.into(),
            source: None,
        }
    }
    /// The error and every cause under it, outermost first, joined by ": ".
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }
    pub fn auth(code: &'static str, en: &str, zh: &str) -> AppError {
        AppError::Auth {
            code,
            en: en.into(),
            zh: zh.into(),
        }
    }
    /// A 409 that carries the record as it is now.
    pub fn stale(current: &impl serde::Serialize) -> AppError {
        AppError::Stale {
            current: serde_json::to_value(current).unwrap_or_default(),
        }
    }
}

/// Turn a store's `Stale` into a 409 that carries the record as it is now.
pub trait OrStale<T> {
    fn or_stale(self, current: &impl serde::Serialize) -> Result<T, AppError>;
}

impl<T> OrStale<T> for Result<T, StoreError> {
    fn or_stale(self, current: &impl serde::Serialize) -> Result<T, AppError> {
        self.map_err(|e| match e {
            StoreError::Stale => AppError::stale(current),
            e => e.into(),
        })
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
