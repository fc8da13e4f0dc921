//! Units and industry chains.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, now_ms};
use duban_domain::UnitKind;
use duban_domain::unit::{Chain, NewUnit, Unit, UnitId};

const COLS: &str = "id, parent_id, code, name, kind, series, sort, version";

fn row(r: &dyn Cols) -> Result<Unit, StoreError> {
    Ok(Unit {
        id: r.i64("id")?,
        parent_id: r.opt_i64("parent_id")?,
        code: r.str("code")?,
        name: r.str("name")?,
        kind: decode("units.kind", r.str("kind")?, UnitKind::from_code)?,
        series: r.str("series")?,
        sort: r.i64("sort")?,
        version: r.i64("version")?,
    })
}

pub(crate) fn unit_vals(u: &Unit) -> Vec<Val> {
    vec![
        u.id.into(),
        u.parent_id.into(),
        u.code.clone().into(),
        u.name.clone().into(),
        u.kind.code().into(),
        u.series.clone().into(),
        u.sort.into(),
    ]
}

pub async fn insert(tx: &mut Tx, u: &NewUnit, sort: i64) -> Result<UnitId, StoreError> {
    crate::changes::bump(tx, "units").await?;
    tx.scalar(
        "INSERT INTO units (parent_id, code, name, kind, series, sort) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id AS v",
        &[u.parent_id.into(), u.code.clone().into(), u.name.clone().into(), u.kind.code().into(), u.series.clone().into(), sort.into()],
    )
    .await
}

/// Move a unit under another parent, keeping the history of moves.
pub async fn move_to(
    tx: &mut Tx,
    id: UnitId,
    new_parent: Option<UnitId>,
) -> Result<(), StoreError> {
    crate::changes::bump(tx, "units").await?;
    let old = tx
        .fetch_one(
            "SELECT parent_id FROM units WHERE id = $1",
            &[id.into()],
            |r| r.opt_i64("parent_id"),
        )
        .await?;
    tx.execute(
        "UPDATE units SET parent_id = $1, version = version + 1 WHERE id = $2",
        &[new_parent.into(), id.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO unit_moves (unit_id, from_parent, to_parent, moved_at) VALUES ($1, $2, $3, $4)",
        &[id.into(), old.into(), new_parent.into(), now_ms().into()],
    )
    .await?;
    Ok(())
}

/// Change a unit's fields if nobody changed it since `expected_version`; a new parent
/// is recorded as a move. Returns the new version.
pub async fn update(
    tx: &mut Tx,
    id: UnitId,
    expected_version: i64,
    u: &NewUnit,
) -> Result<i64, StoreError> {
    crate::changes::bump(tx, "units").await?;
    let old_parent = tx
        .fetch_optional(
            "SELECT parent_id FROM units WHERE id = $1",
            &[id.into()],
            |r| r.opt_i64("parent_id"),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
    if old_parent != u.parent_id {
        move_to(tx, id, u.parent_id).await?;
    }
    let n = tx
        .execute(
            "UPDATE units SET code = $1, name = $2, kind = $3, series = $4, version = $5 + 1 \
             WHERE id = $6 AND version = $7",
            &[
                u.code.clone().into(),
                u.name.clone().into(),
                u.kind.code().into(),
                u.series.clone().into(),
                expected_version.into(),
                id.into(),
                (expected_version + i64::from(old_parent != u.parent_id)).into(),
            ],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(expected_version + 1)
}

/// Archive a unit that has no active sub-units, projects or users.
pub async fn archive(tx: &mut Tx, id: UnitId, expected_version: i64) -> Result<i64, StoreError> {
    crate::changes::bump(tx, "units").await?;
    let used = tx
        .scalar(
            "SELECT (SELECT COUNT(*) FROM units WHERE parent_id = $1 AND archived = FALSE) \
             + (SELECT COUNT(*) FROM projects WHERE unit_id = $1 AND archived = FALSE) \
             + (SELECT COUNT(*) FROM users WHERE unit_id = $1 AND archived = FALSE) AS v",
            &[id.into()],
        )
        .await?;
    if used > 0 {
        return Err(StoreError::InUse("unit"));
    }
    let n = tx
        .execute(
            "UPDATE units SET archived = TRUE, version = version + 1 WHERE id = $1 AND version = $2",
            &[id.into(), expected_version.into()],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::Stale);
    }
    Ok(expected_version + 1)
}

pub async fn get(db: &Db, id: UnitId) -> Result<Unit, StoreError> {
    db.fetch_one(
        &format!("SELECT {COLS} FROM units WHERE id = $1"),
        &[id.into()],
        row,
    )
    .await
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Unit>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {COLS} FROM units WHERE code = $1"),
        &[code.into()],
        row,
    )
    .await
}

/// Every unit that is not archived, parents before children where sort allows.
pub async fn list(db: &Db) -> Result<Vec<Unit>, StoreError> {
    db.fetch_all(
        &format!("SELECT {COLS} FROM units WHERE archived = FALSE ORDER BY sort, id"),
        &[],
        row,
    )
    .await
}

/// SQL selecting the ids of unit `$n` and all units below it.
pub fn subtree_cte(param: usize) -> String {
    format!(
        "WITH RECURSIVE sub(id) AS (SELECT id FROM units WHERE id = ${param} \
         UNION ALL SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)"
    )
}

pub async fn insert_chain(tx: &mut Tx, c: &Chain) -> Result<i64, StoreError> {
    tx.scalar(
        "INSERT INTO chains (code, name, leader) VALUES ($1, $2, $3) RETURNING id AS v",
        &[
            c.code.clone().into(),
            c.name.clone().into(),
            c.leader.clone().into(),
        ],
    )
    .await
}

pub async fn chains(db: &Db) -> Result<Vec<Chain>, StoreError> {
    db.fetch_all(
        "SELECT id, code, name, leader FROM chains ORDER BY id",
        &[],
        |r| {
            Ok(Chain {
                id: crate::db::id(r, "id")?,
                code: r.str("code")?,
                name: r.str("name")?,
                leader: r.str("leader")?,
            })
        },
    )
    .await
}

/// (id, parent) of every unit, archived ones included (their projects still need a
/// place). Read as one aggregated value: this runs on every request, and one row is
/// far cheaper to fetch than hundreds.
pub async fn list_all_links(db: &Db) -> Result<Vec<(UnitId, Option<UnitId>)>, StoreError> {
    let agg = db.backend().string_agg(
        "CAST(id AS TEXT) || ':' || COALESCE(CAST(parent_id AS TEXT), '')",
        ",",
    );
    let text = db
        .fetch_one(
            &format!("SELECT COALESCE({agg}, '') AS v FROM units"),
            &[],
            |r| r.str("v"),
        )
        .await?;
    let corrupt = || StoreError::Corrupt {
        column: "units.parent_id",
        value: text.chars().take(50).collect(),
    };
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (id, parent) = pair.split_once(':').ok_or_else(corrupt)?;
            Ok((
                id.parse().map_err(|_| corrupt())?,
                if parent.is_empty() {
                    None
                } else {
                    Some(parent.parse().map_err(|_| corrupt())?)
                },
            ))
        })
        .collect()
}
