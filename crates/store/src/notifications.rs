//! Notifications: the routine's messages to people, one row per person and message
//! (migration 19).

use crate::StoreError;
use crate::db::{Cols, Db, Tx};

/// A message for one person, as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub event: String,
    pub title_zh: String,
    pub title_en: String,
    pub body_zh: String,
    pub body_en: String,
    pub link: String,
    #[serde(skip)]
    pub dedupe: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

const COLS: &str =
    "id, user_id, event, title_zh, title_en, body_zh, body_en, link, dedupe, created_at, read_at";

fn row(r: &dyn Cols) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: r.i64("id")?,
        user_id: r.i64("user_id")?,
        event: r.str("event")?,
        title_zh: r.str("title_zh")?,
        title_en: r.str("title_en")?,
        body_zh: r.str("body_zh")?,
        body_en: r.str("body_en")?,
        link: r.str("link")?,
        dedupe: r.str("dedupe")?,
        created_at: r.i64("created_at")?,
        read_at: r.opt_i64("read_at")?,
    })
}

/// Write a message unless one with the same `dedupe` key exists; whether it was written.
pub async fn insert(tx: &mut Tx, n: &Notification) -> Result<bool, StoreError> {
    let written = tx
        .execute(
            "INSERT INTO notifications (user_id, event, title_zh, title_en, body_zh, body_en, link, dedupe, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe) DO NOTHING",
            &[
                n.user_id.into(),
                n.event.clone().into(),
                n.title_zh.clone().into(),
                n.title_en.clone().into(),
                n.body_zh.clone().into(),
                n.body_en.clone().into(),
                n.link.clone().into(),
                n.dedupe.clone().into(),
                n.created_at.into(),
            ],
        )
        .await?;
    Ok(written > 0)
}

/// A person's messages, newest first.
pub async fn of_user(
    db: &Db,
    user: i64,
    unread_only: bool,
    offset: i64,
    limit: i64,
) -> Result<Vec<Notification>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {COLS} FROM notifications WHERE user_id = $1 {} ORDER BY id DESC LIMIT $2 OFFSET $3",
            if unread_only { "AND read_at IS NULL" } else { "" }
        ),
        &[user.into(), limit.into(), offset.into()],
        row,
    )
    .await
}

/// How many of a person's messages are unread, and how many there are.
pub async fn counts(db: &Db, user: i64) -> Result<(i64, i64), StoreError> {
    db.fetch_one(
        "SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), 0) AS unread \
         FROM notifications WHERE user_id = $1",
        &[user.into()],
        |r| Ok((r.i64("unread")?, r.i64("total")?)),
    )
    .await
}

/// Mark one of a person's messages read (or all of them with `id` None); how many.
pub async fn mark_read(
    tx: &mut Tx,
    user: i64,
    id: Option<i64>,
    now: i64,
) -> Result<u64, StoreError> {
    match id {
        Some(id) => {
            tx.execute(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL",
                &[now.into(), user.into(), id.into()],
            )
            .await
        }
        None => {
            tx.execute(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
                &[now.into(), user.into()],
            )
            .await
        }
    }
}

/// Every message with its event, for the tests and the administrators' counts.
pub async fn count_by_event(db: &Db) -> Result<Vec<(String, i64)>, StoreError> {
    db.fetch_all(
        "SELECT event, COUNT(*) AS n FROM notifications GROUP BY event ORDER BY event",
        &[],
        |r| Ok((r.str("event")?, r.i64("n")?)),
    )
    .await
}

/// A report waiting for approval: its unit, its state (submitted or checked) and when it
/// was submitted.
pub async fn waiting_reports(
    db: &Db,
    before_ms: i64,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    db.fetch_all(
        "SELECT p.unit_id, r.state, r.submitted_at FROM reports r JOIN projects p ON p.id = r.project_id \
         WHERE r.state IN ('submitted', 'checked') AND r.submitted_at < $1",
        &[before_ms.into()],
        |r| Ok((r.i64("unit_id")?, r.str("state")?, r.i64("submitted_at")?)),
    )
    .await
}

/// A milestone not done with a planned date in `from..=to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMilestone {
    pub unit_id: i64,
    pub project: String,
    pub name: String,
    pub planned: chrono::NaiveDate,
}

pub async fn milestones_due_between(
    db: &Db,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<DueMilestone>, StoreError> {
    db.fetch_all(
        "SELECT p.unit_id, p.name AS project, m.name, m.planned_date FROM milestones m JOIN projects p ON p.id = m.project_id \
         WHERE m.actual_date IS NULL AND m.planned_date >= $1 AND m.planned_date <= $2 ORDER BY m.planned_date, m.id",
        &[from.to_string().into(), to.to_string().into()],
        |r| {
            Ok(DueMilestone {
                unit_id: r.i64("unit_id")?,
                project: r.str("project")?,
                name: r.str("name")?,
                planned: crate::parse_date("planned_date", Some(r.str("planned_date")?))?
                    .expect("a date was given"),
            })
        },
    )
    .await
}
