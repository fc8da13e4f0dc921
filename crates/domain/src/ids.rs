//! Identifiers of the records duban keeps. Each is its own type, so a project's id
//! cannot be passed where a unit's is expected; on the wire and in the database each is
//! a plain integer.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What every record id can do: be made from the integer the database stores, and give
/// it back.
pub trait Id: Copy {
    fn from_raw(v: i64) -> Self;
    fn raw(self) -> i64;
}

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
            schemars::JsonSchema,
        )]
        #[serde(transparent)]
        #[schemars(transparent)]
        pub struct $name(#[schemars(range(min = 1))] i64);

        impl $name {
            pub const fn new(v: i64) -> Self {
                Self(v)
            }
            pub const fn get(self) -> i64 {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
        impl Id for $name {
            fn from_raw(v: i64) -> Self {
                Self(v)
            }
            fn raw(self) -> i64 {
                self.0
            }
        }
        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    )*};
}

ids!(
    /// A project of the registry.
    ProjectId,
    /// A progress report (one revision of one project's month).
    ReportId,
    /// A problem (问题).
    ProblemId,
    /// A user account.
    UserId,
    /// An industry chain (产业链).
    ChainId,
);
