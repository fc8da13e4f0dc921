//! duban's pure domain: the vocabulary of the glossary as types, validation that turns
//! raw input into those types ("parse, don't validate"), the workflows as state machines,
//! and the rules. No IO, no async: everything here is a function of its arguments.
#![forbid(unsafe_code)]

pub mod access;
pub mod analytics;
pub mod assessment;
pub mod audit;
pub mod bulletin;
pub mod channel;
pub mod codes;
pub mod error;
pub mod ids;
pub mod import;
pub mod inspection;
pub mod money;
pub mod notify;
pub mod oc4ids;
pub mod password;
pub mod period;
pub mod plan;
pub mod problem;
pub mod project;
pub mod report;
pub mod security;
pub mod sheet;
pub mod table;
pub mod text;
pub mod unit;
pub mod warning;
pub mod work;

pub use codes::{
    Category, FundingSource, Level, Nature, ProblemCategory, ProblemSource, ProjectStatus, Role,
    UnitKind,
};
pub use error::{FieldError, TransitionError, ValidationErrors};
pub use money::{MoneyUnit, Yuan};
pub use period::Period;
