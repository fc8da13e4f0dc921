//! Bulletins (通报): their versions with the frozen snapshot, and the reads that gather a
//! snapshot from the analytics read model, the reports and the problems.

use crate::db::{Cols, Db, Tx};
use crate::{StoreError, reach_sql};
use duban_domain::access::Reach;
use duban_domain::bulletin::{SnapProblem, Stage};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BulletinRow {
    pub id: i64,
    /// YYYY-MM
    pub period: String,
    pub unit_id: i64,
    pub version: i64,
    pub state: Stage,
    pub cutoff_at: i64,
    pub created_by: i64,
    pub created_at: i64,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub published_by: Option<i64>,
    pub published_at: Option<i64>,
}

const COLS: &str = "id, period, unit_id, version, state, cutoff_at, created_by, created_at, \
                    reviewed_by, reviewed_at, published_by, published_at";

fn row(r: &dyn Cols) -> Result<BulletinRow, StoreError> {
    Ok(BulletinRow {
        id: r.i64("id")?,
        period: r.str("period")?,
        unit_id: r.i64("unit_id")?,
        version: r.i64("version")?,
        state: {
            let s = r.str("state")?;
            Stage::from_code(&s).ok_or(StoreError::Corrupt {
                column: "bulletins.state",
                value: s,
            })?
        },
        cutoff_at: r.i64("cutoff_at")?,
        created_by: r.i64("created_by")?,
        created_at: r.i64("created_at")?,
        reviewed_by: r.opt_i64("reviewed_by")?,
        reviewed_at: r.opt_i64("reviewed_at")?,
        published_by: r.opt_i64("published_by")?,
        published_at: r.opt_i64("published_at")?,
    })
}

/// Store a new version of a period's bulletin for a unit, with its packed snapshot.
pub async fn insert(
    tx: &mut Tx,
    period: &str,
    unit_id: i64,
    cutoff_at: i64,
    snapshot: Packed,
    by: i64,
) -> Result<BulletinRow, StoreError> {
    let version = tx
        .scalar(
            "SELECT CAST(COALESCE(MAX(version), 0) + 1 AS BIGINT) AS v FROM bulletins WHERE period = $1 AND unit_id = $2",
            &[period.into(), unit_id.into()],
        )
        .await?;
    tx.fetch_one(
        &format!(
            "INSERT INTO bulletins (period, unit_id, version, state, cutoff_at, snapshot, created_by, created_at) \
             VALUES ($1, $2, $3, 'draft', $4, $5, $6, $4) RETURNING {COLS}"
        ),
        &[
            period.into(),
            unit_id.into(),
            version.into(),
            cutoff_at.into(),
            snapshot.0.into(),
            by.into(),
        ],
        row,
    )
    .await
}

/// Snapshots are stored as gzipped JSON, written straight into the compressor: a
/// snapshot of a million projects (its sums, about 190,000 lagging projects and 115,000
/// overdue problems) is 59 MB of JSON and 7.7 MB stored.
/// A snapshot as it is stored. Packed before the write begins, so that the turn to
/// write is not held while a large snapshot is compressed (about a second at a million
/// projects).
pub struct Packed(Vec<u8>);

impl Packed {
    pub fn of(snapshot: &impl serde::Serialize) -> Packed {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        serde_json::to_writer(&mut z, snapshot).expect("a snapshot serialises into memory");
        Packed(z.finish().expect("writing to memory"))
    }
}

fn unpack(bytes: &[u8]) -> Result<String, StoreError> {
    use std::io::Read;
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .map_err(|e| StoreError::Corrupt {
            column: "bulletins.snapshot",
            value: e.to_string(),
        })?;
    Ok(out)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<(BulletinRow, String)>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {COLS}, snapshot FROM bulletins WHERE id = $1"),
        &[id.into()],
        |r| Ok((row(r)?, unpack(&r.bytes("snapshot")?)?)),
    )
    .await
}

/// The bulletins of units within the reach, newest period and version first.
pub async fn list(db: &Db, reach: &Reach) -> Result<Vec<BulletinRow>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {COLS} FROM bulletins b WHERE {} ORDER BY period DESC, unit_id, version DESC",
            reach_sql("b.unit_id", reach)
        ),
        &[],
        row,
    )
    .await
}

/// Move a version from one state to another, stamping who and when; 0 rows when it was
/// not in `from` any more.
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    from: Stage,
    to: Stage,
    by: i64,
    at: i64,
) -> Result<u64, StoreError> {
    let stamp = match to {
        Stage::Reviewed => "reviewed_by = $3, reviewed_at = $4",
        _ => "published_by = $3, published_at = $4",
    };
    tx.execute(
        &format!("UPDATE bulletins SET state = $1, {stamp} WHERE id = $5 AND state = $2"),
        &[
            to.code().into(),
            from.code().into(),
            by.into(),
            at.into(),
            id.into(),
        ],
    )
    .await
}

/// Problems led by a unit of the reach, in one of `states`, whose deadline is before `day`.
pub async fn overdue_problems(
    db: &Db,
    day: chrono::NaiveDate,
    reach: &Reach,
    states: &[&str],
) -> Result<Vec<SnapProblem>, StoreError> {
    let mut out = Vec::new();
    db.scan_each(
        &format!(
            "SELECT q.id, q.description, p.name AS project, q.lead_unit_id, q.deadline \
             FROM problems q LEFT JOIN projects p ON p.id = q.project_id \
             WHERE q.state IN ({}) AND q.deadline IS NOT NULL AND q.deadline < $1 AND {} \
             ORDER BY q.deadline, q.id",
            crate::sql_list(states),
            reach_sql("q.lead_unit_id", reach)
        ),
        &[day.to_string().into()],
        |r| {
            let deadline = r.str("deadline")?;
            let days = chrono::NaiveDate::parse_from_str(&deadline, "%Y-%m-%d")
                .map(|d| (day - d).num_days())
                .unwrap_or(0);
            out.push(SnapProblem {
                id: r.i64("id")?,
                description: r.str("description")?,
                project: r.opt_str("project")?,
                lead_unit_id: r.opt_i64("lead_unit_id")?,
                deadline,
                days_overdue: days,
            });
            Ok(())
        },
    )
    .await?;
    Ok(out)
}
