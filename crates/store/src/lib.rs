//! duban's persistence: one schema on SQLite (the embedded default) and PostgreSQL.
//!
//! - `db`: the engine-neutral access layer (the only module that names an engine);
//! - `schema`: migrations;
//! - one module per aggregate (`units`, `projects`, `plans`, `reports`, `problems`,
//!   `users`, `settings`) with plain SQL both engines accept;
//! - `bulk`: multi-row loading for generated data sets.
//!
//! Reads take a `&Db`; writes take a `&mut Tx` so that the use case owns the transaction.
#![forbid(unsafe_code)]

pub mod analytics;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod bulk;
pub mod bulletins;
pub mod changes;
pub mod db;
pub mod deliveries;
pub mod export;
pub mod imports;
pub mod inspections;
pub mod jobs;
pub mod notifications;
pub mod plans;
pub mod problems;
pub mod projects;
pub mod query;
pub mod reports;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod standing;
pub mod units;
pub mod users;
pub mod work;

pub use db::{Backend, Cols, Db, DbUrl, Tx, Val};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The configuration names a database that cannot be used (message says what to fix).
    #[error("{0}")]
    Config(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("not found")]
    NotFound,
    /// A unique key already exists (the constraint or column named).
    #[error("duplicate: {0}")]
    Duplicate(String),
    /// The row changed since it was read (optimistic concurrency).
    /// The row is still referenced (e.g. a unit with projects) and cannot be archived.
    #[error("{0} is still in use")]
    InUse(&'static str),
    #[error("stale version: the record was changed by someone else")]
    Stale,
    /// A stored value could not be decoded (a bug or a hand-edited database).
    #[error("corrupt value in column {column}: {value}")]
    Corrupt { column: &'static str, value: String },
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// A statement run on SQLite's own connections failed (`db::lite`).
    #[error("database error: {0}")]
    Engine(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            return StoreError::Duplicate(d.message().to_string());
        }
        StoreError::Db(e)
    }
}

/// Now, in Unix milliseconds (UTC): the store's representation of instants.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Decode a stored code into its enum, or report the corrupt value.
pub(crate) fn decode<T>(
    column: &'static str,
    value: String,
    f: impl Fn(&str) -> Option<T>,
) -> Result<T, StoreError> {
    f(&value).ok_or(StoreError::Corrupt { column, value })
}

pub(crate) fn parse_date(
    column: &'static str,
    v: Option<String>,
) -> Result<Option<chrono::NaiveDate>, StoreError> {
    // `FromStr` reads the ISO form (%Y-%m-%d) without parsing a format string first.
    v.map(|s| {
        s.parse::<chrono::NaiveDate>()
            .map_err(|_| StoreError::Corrupt { column, value: s })
    })
    .transpose()
}

/// The SQL condition that keeps rows whose unit column is within a reach. Unit ids are
/// integers, written into the text directly: no user text ever reaches it.
pub fn reach_sql(col: &str, reach: &duban_domain::access::Reach) -> String {
    use duban_domain::access::Reach;
    match reach {
        Reach::All => "1 = 1".into(),
        Reach::Units(u) if u.is_empty() => "1 = 0".into(),
        Reach::Units(u) => {
            let ids: Vec<String> = u.iter().map(i64::to_string).collect();
            format!("{col} IN ({})", ids.join(","))
        }
    }
}

/// Codes of our own vocabularies as an SQL list: `'a', 'b'` (never user input).
pub fn sql_list(codes: &[&str]) -> String {
    codes
        .iter()
        .map(|c| {
            debug_assert!(c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_'));
            format!("'{c}'")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, …), ($k+1, …)`: the VALUES list of a multi-row insert of `rows` rows of `cols` columns.
pub(crate) fn values_list(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_date_is_read_in_its_iso_form_only() {
        let d = |s: &str| parse_date("t.d", Some(s.to_string()));
        assert_eq!(
            d("2025-03-09").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2025, 3, 9)
        );
        assert_eq!(parse_date("t.d", None).unwrap(), None);
        for bad in [
            "2025/03/09",
            "2025-02-30",
            "",
            "2025-03-09T00:00:00",
            "09-03-2025",
        ] {
            match d(bad) {
                Err(StoreError::Corrupt { column, value }) => {
                    assert_eq!((column, value.as_str()), ("t.d", bad));
                }
                other => panic!("{bad:?} read as {other:?}"),
            }
        }
    }
}
