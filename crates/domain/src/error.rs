//! Validation errors that name the field and the reason, in Chinese and English.

use serde::Serialize;
use std::fmt;

/// One rejected field: which field, a stable machine code, and the reason in zh and en.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: &'static str,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code,
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn required(field: &str) -> Self {
        Self::new(field, "required", "必填项不能为空", "is required")
    }

    /// Prefix the field name, e.g. `funding[2].amount`.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = format!("{prefix}.{}", self.field);
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}（{}）", self.field, self.en, self.zh)
    }
}

/// All the problems found in one input, so a user can fix them in one go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Record the error of a sub-parse and return its value, if any.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.field.as_str()).collect()
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}
impl std::error::Error for FieldError {}

/// A refused state transition: the state, the action, and why (zh/en).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("cannot {action} when {state}: {en}（{zh}）")]
pub struct TransitionError {
    pub state: &'static str,
    pub action: &'static str,
    pub zh: String,
    pub en: String,
}

impl TransitionError {
    pub fn illegal(state: &'static str, action: &'static str) -> Self {
        Self {
            state,
            action,
            zh: format!("当前状态（{state}）不允许执行“{action}”操作"),
            en: format!("action '{action}' is not allowed in state '{state}'"),
        }
    }
}
