//! User accounts and their roles with data scopes.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, now_ms};
use duban_domain::Role;
use duban_domain::unit::UnitId;

/// A role and the data it reaches.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Grant {
    pub role: Role,
    /// own | subtree | units | all
    pub scope: String,
    pub scope_units: Vec<UnitId>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub grants: Vec<Grant>,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub unit_id: UnitId,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub grants: &'a [Grant],
}

pub async fn insert(tx: &mut Tx, u: &NewUser<'_>) -> Result<i64, StoreError> {
    let now = now_ms();
    let id = tx
        .scalar(
            "INSERT INTO users (username, display_name, unit_id, password_hash, must_change_password, password_changed_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id AS v",
            &[u.username.into(), u.display_name.into(), u.unit_id.into(), u.password_hash.into(), u.must_change_password.into(), now.into(), now.into()],
        )
        .await?;
    for g in u.grants {
        let units: Vec<String> = g.scope_units.iter().map(i64::to_string).collect();
        tx.execute(
            "INSERT INTO user_roles (user_id, role, scope, scope_units) VALUES ($1, $2, $3, $4)",
            &[
                id.into(),
                g.role.code().into(),
                g.scope.clone().into(),
                units.join(",").into(),
            ],
        )
        .await?;
    }
    Ok(id)
}

pub async fn set_password(
    tx: &mut Tx,
    id: i64,
    hash: &str,
    must_change: bool,
) -> Result<(), StoreError> {
    let n = tx
        .execute(
            "UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, failed_logins = 0, locked_until = NULL WHERE id = $4",
            &[hash.into(), must_change.into(), now_ms().into(), id.into()],
        )
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>, StoreError> {
    let Some(mut u) = db
        .fetch_optional(
            "SELECT id, username, display_name, unit_id, password_hash, must_change_password FROM users WHERE username = $1 AND archived = FALSE",
            &[username.into()],
            |r: &dyn Cols| {
                Ok(User {
                    id: r.i64("id")?,
                    username: r.str("username")?,
                    display_name: r.str("display_name")?,
                    unit_id: r.i64("unit_id")?,
                    password_hash: r.str("password_hash")?,
                    must_change_password: r.bool("must_change_password")?,
                    grants: Vec::new(),
                })
            },
        )
        .await?
    else {
        return Ok(None);
    };
    u.grants = db
        .fetch_all(
            "SELECT role, scope, scope_units FROM user_roles WHERE user_id = $1 ORDER BY role",
            &[Val::I(u.id)],
            |r| {
                let units = r.str("scope_units")?;
                Ok(Grant {
                    role: decode("user_roles.role", r.str("role")?, Role::from_code)?,
                    scope: r.str("scope")?,
                    scope_units: units
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .filter_map(|s| s.parse().ok())
                        .collect(),
                })
            },
        )
        .await?;
    Ok(Some(u))
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) AS v FROM users", &[]).await
}
