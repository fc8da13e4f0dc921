//! Work items (三本清单, indicator targets) and their periodic progress.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, now_ms, parse_date};
use duban_domain::Period;
use duban_domain::report::ReportState;
use duban_domain::work::{NewWorkItem, Progress, WorkList};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WorkItem {
    pub id: i64,
    #[serde(flatten)]
    pub spec: NewWorkItem,
    pub version: i64,
}

const COLS: &str = "id, list, unit_id, year, title, target, measure, target_value, due_on, version";

fn row(r: &dyn Cols) -> Result<WorkItem, StoreError> {
    Ok(WorkItem {
        id: r.i64("id")?,
        version: r.i64("version")?,
        spec: NewWorkItem {
            list: decode("work_items.list", r.str("list")?, WorkList::from_code)?,
            unit_id: r.i64("unit_id")?,
            year: r.i64("year")? as i32,
            title: r.str("title")?,
            target: r.str("target")?,
            measure: r.str("measure")?,
            target_value: r.opt_i64("target_value")?,
            due_on: parse_date("work_items.due_on", r.opt_str("due_on")?)?,
        },
    })
}

fn spec_vals(w: &NewWorkItem) -> Vec<Val> {
    vec![
        w.list.code().into(),
        w.unit_id.into(),
        i64::from(w.year).into(),
        w.title.clone().into(),
        w.target.clone().into(),
        w.measure.clone().into(),
        w.target_value.into(),
        w.due_on.map(|d| d.to_string()).into(),
    ]
}

pub async fn insert(tx: &mut Tx, w: &NewWorkItem, by: i64) -> Result<i64, StoreError> {
    let mut v = spec_vals(w);
    v.extend([by.into(), now_ms().into()]);
    tx.scalar(
        "INSERT INTO work_items (list, unit_id, year, title, target, measure, target_value, due_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id AS v",
        &v,
    )
    .await
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    expected_version: i64,
    w: &NewWorkItem,
) -> Result<i64, StoreError> {
    let mut v = spec_vals(w);
    v.extend([id.into(), expected_version.into()]);
    let n = tx
        .execute(
            "UPDATE work_items SET list = $1, unit_id = $2, year = $3, title = $4, target = $5, measure = $6, target_value = $7, \
             due_on = $8, version = version + 1 WHERE id = $9 AND version = $10 AND archived = FALSE",
            &v,
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(expected_version + 1)
}

pub async fn get(db: &Db, id: i64) -> Result<WorkItem, StoreError> {
    db.fetch_one(
        &format!("SELECT {COLS} FROM work_items WHERE id = $1 AND archived = FALSE"),
        &[id.into()],
        row,
    )
    .await
}

pub async fn list(
    db: &Db,
    reach: &duban_domain::access::Reach,
    year: Option<i32>,
    list: Option<WorkList>,
) -> Result<Vec<WorkItem>, StoreError> {
    let mut vals: Vec<Val> = Vec::new();
    let mut cond = format!(
        "archived = FALSE AND {}",
        crate::reach_sql("unit_id", reach)
    );
    if let Some(y) = year {
        vals.push(i64::from(y).into());
        cond.push_str(&format!(" AND year = ${}", vals.len()));
    }
    if let Some(l) = list {
        vals.push(l.code().into());
        cond.push_str(&format!(" AND list = ${}", vals.len()));
    }
    db.fetch_all(
        &format!("SELECT {COLS} FROM work_items WHERE {cond} ORDER BY year DESC, list, id"),
        &vals,
        row,
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProgressRow {
    pub id: i64,
    pub item_id: i64,
    #[serde(flatten)]
    pub progress: Progress,
    pub state: ReportState,
    pub returned_reason: Option<String>,
    pub submitted_at: Option<i64>,
    pub approved_at: Option<i64>,
}

const PCOLS: &str =
    "id, item_id, year, month, state, value, text, returned_reason, submitted_at, approved_at";

fn prow(r: &dyn Cols) -> Result<ProgressRow, StoreError> {
    let (y, m) = (r.i64("year")?, r.i64("month")?);
    Ok(ProgressRow {
        id: r.i64("id")?,
        item_id: r.i64("item_id")?,
        progress: Progress {
            period: Period::new(y as i32, m as u32).ok_or(StoreError::Corrupt {
                column: "work_progress.month",
                value: format!("{y}-{m}"),
            })?,
            value: r.opt_i64("value")?,
            text: r.str("text")?,
        },
        state: decode(
            "work_progress.state",
            r.str("state")?,
            ReportState::from_code,
        )?,
        returned_reason: r.opt_str("returned_reason")?,
        submitted_at: r.opt_i64("submitted_at")?,
        approved_at: r.opt_i64("approved_at")?,
    })
}

pub async fn insert_progress(
    tx: &mut Tx,
    item: i64,
    p: &Progress,
    by: i64,
) -> Result<i64, StoreError> {
    tx.scalar(
        "INSERT INTO work_progress (item_id, year, month, state, value, text, created_by, created_at) \
         VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7) RETURNING id AS v",
        &[
            item.into(),
            i64::from(p.period.year()).into(),
            i64::from(p.period.month()).into(),
            p.value.into(),
            p.text.clone().into(),
            by.into(),
            now_ms().into(),
        ],
    )
    .await
}

pub async fn update_progress(
    tx: &mut Tx,
    id: i64,
    from: ReportState,
    p: &Progress,
) -> Result<(), StoreError> {
    let n = tx
        .execute(
            "UPDATE work_progress SET value = $1, text = $2, state = 'draft' WHERE id = $3 AND state = $4",
            &[p.value.into(), p.text.clone().into(), id.into(), from.code().into()],
        )
        .await?;
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

/// Move progress from `from` to `to` if still in `from`.
pub async fn set_progress_state(
    tx: &mut Tx,
    id: i64,
    from: ReportState,
    to: ReportState,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let now = now_ms();
    let n = tx
        .execute(
            "UPDATE work_progress SET state = $1, returned_reason = $2, \
             submitted_at = CASE WHEN $1 = 'submitted' THEN $3 ELSE submitted_at END, \
             approved_at = CASE WHEN $1 = 'approved' THEN $3 ELSE approved_at END WHERE id = $4 AND state = $5",
            &[to.code().into(), reason.map(String::from).into(), now.into(), id.into(), from.code().into()],
        )
        .await?;
    if n == 0 {
        Err(StoreError::Stale)
    } else {
        Ok(())
    }
}

pub async fn progress(db: &Db, id: i64) -> Result<ProgressRow, StoreError> {
    db.fetch_one(
        &format!("SELECT {PCOLS} FROM work_progress WHERE id = $1"),
        &[id.into()],
        prow,
    )
    .await
}

pub async fn progress_of(db: &Db, item: i64) -> Result<Vec<ProgressRow>, StoreError> {
    db.fetch_all(
        &format!("SELECT {PCOLS} FROM work_progress WHERE item_id = $1 ORDER BY year, month"),
        &[item.into()],
        prow,
    )
    .await
}
