//! Attachment records. The bytes live on disk, named by their SHA-256 (see the app's
//! attachments module); a record ties them to the object and the unit that owns it.

use crate::StoreError;
use crate::db::{Cols, Db, Tx};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Attachment {
    pub id: i64,
    pub sha256: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub object_type: String,
    pub object_id: i64,
    /// The unit whose scope covers the file (the owning object's unit).
    pub unit_id: i64,
    pub uploaded_by: i64,
    pub uploaded_at: i64,
}

const COLS: &str =
    "id, sha256, name, mime, size, object_type, object_id, unit_id, uploaded_by, uploaded_at";

fn row(r: &dyn Cols) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: r.i64("id")?,
        sha256: r.str("sha256")?,
        name: r.str("name")?,
        mime: r.str("mime")?,
        size: r.i64("size")?,
        object_type: r.str("object_type")?,
        object_id: r.i64("object_id")?,
        unit_id: r.i64("unit_id")?,
        uploaded_by: r.i64("uploaded_by")?,
        uploaded_at: r.i64("uploaded_at")?,
    })
}

pub async fn insert(tx: &mut Tx, a: &Attachment) -> Result<i64, StoreError> {
    tx.scalar(
        "INSERT INTO attachments (sha256, name, mime, size, object_type, object_id, unit_id, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id AS v",
        &[
            a.sha256.clone().into(),
            a.name.clone().into(),
            a.mime.clone().into(),
            a.size.into(),
            a.object_type.clone().into(),
            a.object_id.into(),
            a.unit_id.into(),
            a.uploaded_by.into(),
            a.uploaded_at.into(),
        ],
    )
    .await
}

pub async fn get(db: &Db, id: i64) -> Result<Attachment, StoreError> {
    db.fetch_one(
        &format!("SELECT {COLS} FROM attachments WHERE id = $1"),
        &[id.into()],
        row,
    )
    .await
}

pub async fn for_object(
    db: &Db,
    object_type: &str,
    object_id: i64,
) -> Result<Vec<Attachment>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {COLS} FROM attachments WHERE object_type = $1 AND object_id = $2 ORDER BY id"
        ),
        &[object_type.into(), object_id.into()],
        row,
    )
    .await
}

/// The files on a project's reports, problems and inspections, newest first, with the
/// state of the report a file belongs to (so that drafts' files can be kept from readers
/// who do not see drafts).
pub async fn for_project(
    db: &Db,
    project_id: i64,
) -> Result<Vec<(Attachment, Option<String>)>, StoreError> {
    let cols = COLS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    db.fetch_all(
        &format!(
            "SELECT {cols}, r.state AS report_state FROM attachments a \
             LEFT JOIN reports r ON a.object_type = 'report' AND r.id = a.object_id \
             WHERE (a.object_type = 'report' AND r.project_id = $1) \
                OR (a.object_type = 'problem' AND a.object_id IN (SELECT id FROM problems WHERE project_id = $1)) \
                OR (a.object_type = 'inspection' AND a.object_id IN \
                    (SELECT inspection_id FROM inspection_projects WHERE project_id = $1)) \
             ORDER BY a.id DESC"
        ),
        &[project_id.into()],
        |r| Ok((row(r)?, r.opt_str("report_state")?)),
    )
    .await
}
