//! Spreadsheet import: upload → preview (a dry run: what would be created, updated,
//! left unchanged or rejected, with every bad cell named and a diff against current
//! data) → commit (all or nothing, in one transaction, audited). The file is kept
//! with its preview, so the commit applies exactly what was previewed, re-checked
//! against the data as it is then. Re-importing a file changes nothing.
//!
//! The reading of cells is the domain's (`duban_domain::import`); this module
//! resolves names (units, chains, project codes) against the database, applies the
//! importer's scope, and writes.

mod apply;
mod plan;
mod templates;

use crate::AppError;
use crate::access::Caller;
use duban_domain::import::{CellError, Kind, Skipped, Stage};
use duban_sheets::Limits;
use duban_store::{Db, imports as store};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use plan::Plan;
pub use templates::{MAX_FILLED, TemplateQuery, template};

/// What a row of the file will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Unchanged,
    Rejected,
}

/// One changed field, before and after, as the preview shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub field: String,
    pub zh: String,
    pub en: String,
    pub before: String,
    pub after: String,
}

/// One data row of the file and what it will do.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub sheet: String,
    pub row: usize,
    pub kind: Kind,
    pub action: Action,
    /// The record's key: a project code, "code 2025", "code 2025-10" …
    pub key: String,
    /// A name for people (the project's name, the problem's description).
    pub label: String,
    pub changes: Vec<Change>,
}

/// How a sheet was understood.
#[derive(Debug, Clone, Serialize)]
pub struct SheetView {
    pub sheet: String,
    /// None for sheets that are not data (instructions, lists, charts).
    pub kind: Option<Kind>,
    /// Excel's numbers of the header rows and of the first data row.
    pub header_rows: (usize, usize),
    pub data_row: usize,
    pub rows: usize,
    pub columns: Vec<ColumnView>,
    /// Columns read but not imported (their headers).
    pub ignored: Vec<ColumnView>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    pub column: String,
    pub header: String,
    /// The template field it fills (empty for ignored columns).
    pub field: String,
    pub zh: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    pub create: usize,
    pub update: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

/// Items and errors shown at most in one answer (the counts are always whole).
pub const SHOWN: usize = 1000;

/// The dry run's answer (and, after a commit, what was done).
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// The stored import (0 when not stored).
    pub id: i64,
    pub filename: String,
    pub sha256: String,
    pub state: Stage,
    pub sheets: Vec<SheetView>,
    pub counts: Counts,
    /// Rows that change something or are rejected first, then unchanged ones; at most
    /// [`SHOWN`].
    pub items: Vec<Item>,
    pub items_total: usize,
    pub errors: Vec<CellError>,
    pub errors_total: usize,
    /// True when there is something to write and no error.
    pub committable: bool,
    /// After a commit that created accounts: their initial passwords, shown once (each
    /// must be changed at first login).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub passwords: Vec<InitialPassword>,
}

/// A new account's initial password, handed to the administrator once.
#[derive(Debug, Clone, Serialize)]
pub struct InitialPassword {
    pub username: String,
    pub display_name: String,
    pub password: String,
}

impl Preview {
    fn of(plan: Plan, id: i64, filename: &str, sha256: &str, state: Stage) -> Preview {
        let counts = plan.counts();
        let errors_total = plan.errors.len();
        let items_total = plan.items.total();
        let items = plan.items.listed();
        let mut errors = plan.errors;
        errors.truncate(SHOWN);
        Preview {
            id,
            filename: filename.into(),
            sha256: sha256.into(),
            state,
            sheets: plan.sheets,
            committable: errors_total == 0 && counts.create + counts.update > 0,
            counts,
            items,
            items_total,
            errors,
            errors_total,
            passwords: Vec::new(),
        }
    }
}

fn sha256(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// Workbooks read at once on this server: one. Reading a large sheet takes a second or
/// two and up to about 200 MiB; a second upload waits for the first instead of doubling
/// what the server holds, and the rest of the server (other users' pages) goes on.
static READING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Read the workbook off the async threads (100,000 rows take a while).
async fn read(bytes: std::sync::Arc<Vec<u8>>) -> Result<Vec<duban_domain::sheet::Grid>, AppError> {
    let turn = READING
        .acquire()
        .await
        .map_err(|e| AppError::internal("import queue", e))?;
    // The turn goes with the reading: a client that hangs up does not free it while the
    // parse it started goes on.
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        duban_sheets::workbook(&bytes, Limits::default())
    })
    .await
    .map_err(|e| AppError::internal("background task", e))?
    .map_err(|e| duban_domain::FieldError::new("file", e.code(), e.zh(), e.en()).into())
}

async fn checked_size(db: &Db, bytes: &[u8]) -> Result<(), AppError> {
    let limit = crate::settings::get(db).await?.max_upload_mib * 1024 * 1024;
    if bytes.len() as u64 > limit {
        return Err(AppError::TooLarge { limit });
    }
    Ok(())
}

/// The dry run: read the file, plan every row against current data, and keep the file
/// with its preview (when `keep`) for a later commit.
pub async fn preview(
    db: &Db,
    caller: &Caller,
    filename: &str,
    bytes: Vec<u8>,
    kind: Option<Kind>,
    keep: bool,
) -> Result<Preview, AppError> {
    checked_size(db, &bytes).await?;
    let filename = duban_domain::text::field("filename", filename, 200, true)?;
    let sha = sha256(&bytes);
    let bytes = std::sync::Arc::new(bytes);
    let grids = read(bytes.clone()).await?;
    let plan = plan::plan(db, caller, &grids, kind).await?;
    let id = if keep {
        let summary = serde_json::to_string(&plan.counts()).unwrap_or_default();
        store::insert(
            db,
            caller.actor.user_id.get(),
            &filename,
            &sha,
            kind.map(Kind::code),
            &bytes,
            &summary,
        )
        .await?
    } else {
        0
    };
    Ok(Preview::of(plan, id, &filename, &sha, Stage::Previewed))
}

/// Commit a previewed import: plan again against the data as it is now, refuse if any
/// row is rejected, else write everything in one transaction.
pub async fn commit(db: &Db, caller: &Caller, id: i64) -> Result<Preview, AppError> {
    let row = store::get(db, id)
        .await?
        .filter(|r| r.user_id == caller.actor.user_id.get())
        .ok_or(AppError::NotFound { what: "import" })?;
    if row.state != Stage::Previewed {
        return Err(AppError::Conflict(format!(
            "import {id} was already committed / 该导入已提交"
        )));
    }
    let bytes = store::content(db, id).await?;
    let grids = read(std::sync::Arc::new(bytes)).await?;
    let kind = row.kind;
    let plan = plan::plan(db, caller, &grids, kind).await?;
    if !plan.errors.is_empty() {
        let p = Preview::of(plan, id, &row.filename, &row.sha256, Stage::Previewed);
        return Err(AppError::Invalid(duban_domain::ValidationErrors(
            p.errors
                .iter()
                .map(|e| {
                    duban_domain::FieldError::new(
                        format!("{}!{}{}", e.sheet, e.column, e.row),
                        e.code,
                        e.zh.clone(),
                        e.en.clone(),
                    )
                })
                .collect(),
        )));
    }
    let passwords = apply::apply(db, caller, &plan, id, &row.filename, &plan.counts()).await?;
    let mut p = Preview::of(plan, id, &row.filename, &row.sha256, Stage::Committed);
    p.passwords = passwords;
    Ok(p)
}

/// The console's import (`duban import`): plan the file and, unless `dry_run`, write it
/// at once when no row is rejected. Nothing is kept but what it writes (audited).
pub async fn run(
    db: &Db,
    caller: &Caller,
    filename: &str,
    bytes: Vec<u8>,
    kind: Option<Kind>,
    dry_run: bool,
) -> Result<Preview, AppError> {
    let sha = sha256(&bytes);
    let grids = read(std::sync::Arc::new(bytes)).await?;
    let plan = plan::plan(db, caller, &grids, kind).await?;
    if dry_run || !plan.errors.is_empty() {
        return Ok(Preview::of(plan, 0, filename, &sha, Stage::Previewed));
    }
    let passwords = apply::apply(db, caller, &plan, 0, filename, &plan.counts()).await?;
    let mut p = Preview::of(plan, 0, filename, &sha, Stage::Committed);
    p.passwords = passwords;
    Ok(p)
}

/// The caller's imports, newest first (supervisors and administrators see everyone's).
pub async fn list(db: &Db, caller: &Caller) -> Result<Vec<store::ImportRow>, AppError> {
    let everyone = caller.can::<crate::access::ManageUsers>().is_ok();
    Ok(store::list(db, (!everyone).then_some(caller.actor.user_id.get()), 100).await?)
}
