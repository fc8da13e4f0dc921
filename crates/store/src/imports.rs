//! Spreadsheet imports: the uploaded file with its preview, until it is committed; and
//! the batched reads the import planner needs (projects by code, the latest report of
//! many projects for a period, the problems already recorded).

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, now_ms};
use duban_domain::Period;
use duban_domain::import::{Kind, Stage};
use duban_domain::project::{Project, ProjectId};
use duban_domain::report::Report;
use std::collections::HashMap;

/// An import as listed (without its file).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportRow {
    pub id: i64,
    pub user_id: i64,
    pub filename: String,
    pub sha256: String,
    pub size: i64,
    pub kind: Option<Kind>,
    pub state: Stage,
    /// The preview's counts as JSON.
    pub summary: String,
    pub created_at: i64,
    pub committed_at: Option<i64>,
}

const COLS: &str =
    "id, user_id, filename, sha256, size, kind, state, summary, created_at, committed_at";

fn row(r: &dyn Cols) -> Result<ImportRow, StoreError> {
    Ok(ImportRow {
        id: r.i64("id")?,
        user_id: r.i64("user_id")?,
        filename: r.str("filename")?,
        sha256: r.str("sha256")?,
        size: r.i64("size")?,
        kind: match r.opt_str("kind")? {
            None => None,
            Some(k) => Some(Kind::parse(&k).ok_or(StoreError::Corrupt {
                column: "imports.kind",
                value: k,
            })?),
        },
        state: {
            let s = r.str("state")?;
            Stage::from_code(&s).ok_or(StoreError::Corrupt {
                column: "imports.state",
                value: s,
            })?
        },
        summary: r.str("summary")?,
        created_at: r.i64("created_at")?,
        committed_at: r.opt_i64("committed_at")?,
    })
}

/// Keep an upload with its preview summary; returns its id.
pub async fn insert(
    db: &Db,
    user_id: i64,
    filename: &str,
    sha256: &str,
    kind: Option<&str>,
    content: &[u8],
    summary: &str,
) -> Result<i64, StoreError> {
    let mut tx = db.write().await?;
    let id = tx
        .scalar(
            "INSERT INTO imports (user_id, filename, sha256, size, kind, content, state, summary, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'previewed', $7, $8) RETURNING id AS v",
            &[
                user_id.into(),
                filename.into(),
                sha256.into(),
                (content.len() as i64).into(),
                kind.map(str::to_string).into(),
                Val::Bytes(content.to_vec()),
                summary.into(),
                now_ms().into(),
            ],
        )
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<ImportRow>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {COLS} FROM imports WHERE id = $1"),
        &[id.into()],
        row,
    )
    .await
}

pub async fn content(db: &Db, id: i64) -> Result<Vec<u8>, StoreError> {
    db.fetch_one(
        "SELECT content FROM imports WHERE id = $1",
        &[id.into()],
        |r| r.bytes("content"),
    )
    .await
}

/// Mark an import committed, if it still is only previewed (else `Stale`).
pub async fn mark_committed(tx: &mut Tx, id: i64, summary: &str) -> Result<(), StoreError> {
    let n = tx
        .execute(
            "UPDATE imports SET state = 'committed', summary = $1, committed_at = $2 WHERE id = $3 AND state = 'previewed'",
            &[summary.into(), now_ms().into(), id.into()],
        )
        .await?;
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// A user's imports, newest first.
pub async fn list(db: &Db, user_id: Option<i64>, limit: i64) -> Result<Vec<ImportRow>, StoreError> {
    match user_id {
        Some(u) => {
            db.fetch_all(
                &format!("SELECT {COLS} FROM imports WHERE user_id = $1 ORDER BY id DESC LIMIT $2"),
                &[u.into(), limit.into()],
                row,
            )
            .await
        }
        None => {
            db.fetch_all(
                &format!("SELECT {COLS} FROM imports ORDER BY id DESC LIMIT $1"),
                &[limit.into()],
                row,
            )
            .await
        }
    }
}

/// Keys per batched read (measured: long IN lists cost more than they save).
const BATCH: usize = 100;

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A project found by code: which it is, whose, its name, and whether it is archived
/// (all that a sheet of plans, progress or problems needs to know of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    pub id: ProjectId,
    pub unit_id: i64,
    pub name: String,
    pub archived: bool,
}

/// Whether `n` keys name a third of the registry or more: then the rows they stand for
/// are found in one pass over the table rather than key by key through the index
/// (100,000 codes of 100,000 projects: one pass reads each row once, in order, where
/// the lookups search two b-trees per code).
async fn names_most(db: &Db, n: usize) -> Result<bool, StoreError> {
    let registry = db.scalar("SELECT COUNT(*) AS v FROM projects", &[]).await?;
    Ok(n as i64 * 3 >= registry)
}

/// The projects with these codes, archived ones too (see [`names_most`]).
pub async fn projects_by_code(
    db: &Db,
    codes: &[String],
) -> Result<HashMap<String, Existing>, StoreError> {
    let mut out = HashMap::with_capacity(codes.len());
    fn existing(r: &dyn Cols) -> Result<Existing, StoreError> {
        Ok(Existing {
            id: ProjectId::new(r.i64("id")?),
            unit_id: r.i64("unit_id")?,
            name: r.str("name")?,
            archived: r.bool("archived")?,
        })
    }
    if names_most(db, codes.len()).await? {
        let Some(range) = db
            .id_range("SELECT MIN(id) AS lo, MAX(id) AS hi FROM projects", &[])
            .await?
        else {
            return Ok(out);
        };
        let wanted: std::sync::Arc<std::collections::HashSet<String>> =
            std::sync::Arc::new(codes.iter().cloned().collect());
        for part in db
            .in_parts(
                "SELECT id, code, unit_id, name, archived FROM projects WHERE {part}",
                &[],
                "id",
                range,
                move |acc: &mut Vec<(String, Existing)>, r| {
                    let code = r.str("code")?;
                    if wanted.contains(&code) {
                        acc.push((code, existing(r)?));
                    }
                    Ok(())
                },
            )
            .await?
        {
            out.extend(part);
        }
        return Ok(out);
    }
    for chunk in codes.chunks(BATCH) {
        let vals: Vec<Val> = chunk.iter().map(|c| c.as_str().into()).collect();
        db.fetch_each(
            &format!(
                "SELECT id, code, unit_id, name, archived FROM projects WHERE code IN ({})",
                placeholders(1, chunk.len())
            ),
            &vals,
            |r| {
                out.insert(r.str("code")?, existing(r)?);
                Ok(())
            },
        )
        .await?;
    }
    Ok(out)
}

/// The whole stored projects with these codes, funding included (a registry import
/// compares every field).
pub async fn registry_by_code(
    db: &Db,
    codes: &[String],
) -> Result<HashMap<String, Project>, StoreError> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(BATCH) {
        let vals: Vec<Val> = chunk.iter().map(|c| c.as_str().into()).collect();
        let found = db
            .fetch_all(
                &format!(
                    "SELECT {} FROM projects p WHERE p.code IN ({})",
                    crate::projects::COLS.as_str(),
                    placeholders(1, chunk.len())
                ),
                &vals,
                crate::projects::row,
            )
            .await?;
        let ids: Vec<Val> = found.iter().map(|p| p.id.into()).collect();
        let mut funding = if ids.is_empty() {
            HashMap::new()
        } else {
            crate::projects::funding_of(db, &ids).await?
        };
        for mut p in found {
            p.spec.funding = funding.remove(&p.id).unwrap_or_default();
            out.insert(p.spec.code.as_str().to_string(), p);
        }
    }
    Ok(out)
}

/// The newest revision of each project's report for a period (see [`names_most`]: a
/// month's reports of most of the registry are read in one pass over the month).
pub async fn latest_reports(
    db: &Db,
    project_ids: &[ProjectId],
    period: Period,
) -> Result<HashMap<ProjectId, Report>, StoreError> {
    let month: [Val; 2] = [
        i64::from(period.year()).into(),
        i64::from(period.month()).into(),
    ];
    if names_most(db, project_ids.len()).await? {
        let Some(range) = db
            .id_range(
                "SELECT MIN(id) AS lo, MAX(id) AS hi FROM reports WHERE year = $1 AND month = $2",
                &month,
            )
            .await?
        else {
            return Ok(HashMap::new());
        };
        let wanted: std::sync::Arc<std::collections::HashSet<ProjectId>> =
            std::sync::Arc::new(project_ids.iter().copied().collect());
        // `+id` keeps SQLite on the month's index, whose entries carry the row id: each
        // part checks its range there and reads only its own rows from the table (half of
        // a month of 96,270 reports: 0.043 s of SQLite's work, the whole month 0.078 s).
        let mut parts = db
            .in_parts(
                &format!(
                    "SELECT {} FROM reports WHERE year = $1 AND month = $2 AND {{part}}",
                    crate::reports::COLS
                ),
                &month,
                "+id",
                range,
                move |acc: &mut HashMap<ProjectId, Report>, r| {
                    if wanted.contains(&crate::db::id(r, "project_id")?) {
                        keep_newest(acc, crate::reports::row(r)?);
                    }
                    Ok(())
                },
            )
            .await?;
        // The largest part takes in the others (a report's revisions may lie in two).
        parts.sort_by_key(|p| std::cmp::Reverse(p.len()));
        let mut parts = parts.into_iter();
        let mut out = parts.next().unwrap_or_default();
        for r in parts.flat_map(HashMap::into_values) {
            keep_newest(&mut out, r);
        }
        return Ok(out);
    }
    let ids: Vec<Val> = project_ids.iter().map(|i| Val::from(*i)).collect();
    let mut out: HashMap<ProjectId, Report> = HashMap::new();
    for chunk in ids.chunks(BATCH) {
        let mut vals: Vec<Val> = month.to_vec();
        vals.extend(chunk.iter().cloned());
        db.fetch_each(
            &format!(
                "SELECT {} FROM reports WHERE year = $1 AND month = $2 AND project_id IN ({})",
                crate::reports::COLS,
                placeholders(3, chunk.len())
            ),
            &vals,
            |r| {
                keep_newest(&mut out, crate::reports::row(r)?);
                Ok(())
            },
        )
        .await?;
    }
    Ok(out)
}

/// Keep `r` if it is the newest revision of its project's report seen so far.
fn keep_newest(out: &mut HashMap<ProjectId, Report>, r: Report) {
    match out.get(&r.project_id) {
        Some(o) if o.revision >= r.revision => {}
        _ => {
            out.insert(r.project_id, r);
        }
    }
}

/// The (project, description) of every problem already recorded for these projects,
/// and of those on no project.
pub async fn problem_keys(
    db: &Db,
    project_ids: &[ProjectId],
) -> Result<Vec<(Option<ProjectId>, String)>, StoreError> {
    let key = |r: &dyn Cols| Ok((crate::db::opt_id(r, "project_id")?, r.str("description")?));
    let mut out = db
        .fetch_all(
            "SELECT project_id, description FROM problems WHERE project_id IS NULL",
            &[],
            key,
        )
        .await?;
    for chunk in project_ids.chunks(BATCH) {
        let vals: Vec<Val> = chunk.iter().map(|i| Val::from(*i)).collect();
        out.extend(
            db.fetch_all(
                &format!(
                    "SELECT project_id, description FROM problems WHERE project_id IN ({})",
                    placeholders(1, chunk.len())
                ),
                &vals,
                key,
            )
            .await?,
        );
    }
    Ok(out)
}
