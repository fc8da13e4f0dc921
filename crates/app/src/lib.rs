//! duban's use cases: the only way the server and the CLI reach the store. Every use case
//! that touches business data takes an `access::Can<…>` handle, so the permission check
//! and the data scope are decided in one place (`access`), and every write is audited
//! in its own transaction (`audit`).
//!
//! Modules by concern: `auth` (login, sessions, TOTP, API tokens), `accounts` (users),
//! `settings`, `registry` (units, projects, plans), `reports`, `problems`, `inspections`,
//! `work` (三本清单), `attachments`, `audit`; `load` and `demo` for data sets.
#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod analytics;
pub mod assessments;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bulletins;
pub mod cache;
pub mod clock;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod export;
pub mod imports;
pub mod inspections;
pub mod jobs;
pub mod load;
pub mod problems;
pub mod registry;
pub mod reports;
pub mod routine;
pub mod secrets;
pub mod settings;
pub mod setup;
pub mod sso;
pub mod unit_of_work;
pub mod work;

pub use duban_store::{Backend, Db, schema};
pub use error::AppError;

/// Open a database by URL, bring its schema up to date and its planner statistics.
pub async fn open(url: &str) -> Result<Db, AppError> {
    let db = Db::connect(url).await?;
    schema::migrate(&db).await?;
    schema::optimize(&db).await?;
    analytics::ensure_built(&db).await?;
    Ok(db)
}

/// The largest page any list returns.
pub const MAX_PAGE_SIZE: i64 = 500;

/// `(offset, limit)` from 1-based `page` and `page_size` (default 20), the same for
/// every list of the API.
pub fn paging(page: Option<i64>, page_size: Option<i64>) -> Result<(i64, i64), AppError> {
    let mut e = duban_domain::ValidationErrors::default();
    let p = paging_in(&mut e, page, page_size);
    e.into_result(|| p).map_err(AppError::from)
}

/// An id given to filter a list: a positive number (0 or less names nothing, and says
/// the client is confused).
pub fn positive_id_in(e: &mut duban_domain::ValidationErrors, field: &str, id: Option<i64>) {
    if id.is_some_and(|i| i < 1) {
        e.push(duban_domain::FieldError::new(
            field,
            "range",
            "编号应为正整数",
            "an id is a positive number",
        ));
    }
}

/// [`paging`] that adds its errors to those of the rest of a query.
pub fn paging_in(
    e: &mut duban_domain::ValidationErrors,
    page: Option<i64>,
    page_size: Option<i64>,
) -> (i64, i64) {
    let page = page.unwrap_or(1);
    let size = page_size.unwrap_or(20);
    if !(1..=1_000_000).contains(&page) {
        e.push(duban_domain::FieldError::new(
            "page",
            "range",
            "页码应在1—1000000之间",
            "page must be between 1 and 1000000",
        ));
    }
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        e.push(duban_domain::FieldError::new(
            "page_size",
            "range",
            format!("每页条数应在1—{MAX_PAGE_SIZE}之间"),
            format!("page_size must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    ((page.max(1) - 1) * size.max(1), size)
}
