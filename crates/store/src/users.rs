//! User accounts, their roles with data scopes, and their login state.

use crate::db::{Cols, Db, Tx, Val};
use crate::{StoreError, decode, now_ms};
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use duban_domain::unit::UnitId;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: UnitId,
    #[serde(skip)]
    pub password_hash: String,
    pub must_change_password: bool,
    pub password_changed_at: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    #[serde(skip)]
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    #[serde(skip)]
    pub totp_last_step: Option<i64>,
    pub archived: bool,
    pub grants: Vec<RoleGrant>,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub unit_id: UnitId,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub grants: &'a [RoleGrant],
}

const COLS: &str = "id, username, display_name, unit_id, password_hash, must_change_password, password_changed_at, \
     failed_logins, locked_until, totp_secret, totp_enabled, totp_last_step, archived";

fn row(r: &dyn Cols) -> Result<User, StoreError> {
    Ok(User {
        id: r.i64("id")?,
        username: r.str("username")?,
        display_name: r.str("display_name")?,
        unit_id: r.i64("unit_id")?,
        password_hash: r.str("password_hash")?,
        must_change_password: r.bool("must_change_password")?,
        password_changed_at: r.i64("password_changed_at")?,
        failed_logins: r.i64("failed_logins")?,
        locked_until: r.opt_i64("locked_until")?,
        totp_secret: r.opt_str("totp_secret")?,
        totp_enabled: r.bool("totp_enabled")?,
        totp_last_step: r.opt_i64("totp_last_step")?,
        archived: r.bool("archived")?,
        grants: Vec::new(),
    })
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
    replace_grants(tx, id, u.grants).await?;
    remember_password(tx, id, u.password_hash, now).await?;
    Ok(id)
}

/// Keep a password's hash among the user's recent ones (the last five are kept).
async fn remember_password(tx: &mut Tx, id: i64, hash: &str, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO password_history (user_id, hash, set_at) VALUES ($1, $2, $3)",
        &[id.into(), hash.into(), now.into()],
    )
    .await?;
    tx.execute(
        "DELETE FROM password_history WHERE user_id = $1 AND id NOT IN \
         (SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT 5)",
        &[id.into()],
    )
    .await?;
    Ok(())
}

/// The hashes of a user's recent passwords, newest first.
pub async fn password_history(db: &Db, id: i64) -> Result<Vec<String>, StoreError> {
    db.fetch_all(
        "SELECT hash FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT 5",
        &[id.into()],
        |r| r.str("hash"),
    )
    .await
}

/// Replace every role of a user.
pub async fn replace_grants(tx: &mut Tx, id: i64, grants: &[RoleGrant]) -> Result<(), StoreError> {
    tx.execute("DELETE FROM user_roles WHERE user_id = $1", &[id.into()])
        .await?;
    for g in grants {
        let units: Vec<String> = g.scope.units().iter().map(i64::to_string).collect();
        tx.execute(
            "INSERT INTO user_roles (user_id, role, scope, scope_units) VALUES ($1, $2, $3, $4)",
            &[
                id.into(),
                g.role.code().into(),
                g.scope.code().into(),
                units.join(",").into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Change the name, unit or archived flag of a user.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    display_name: &str,
    unit_id: UnitId,
    archived: bool,
) -> Result<(), StoreError> {
    let n = tx
        .execute(
            "UPDATE users SET display_name = $1, unit_id = $2, archived = $3 WHERE id = $4",
            &[
                display_name.into(),
                unit_id.into(),
                archived.into(),
                id.into(),
            ],
        )
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
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
        remember_password(tx, id, hash, now_ms()).await
    }
}

/// Record the login counters the lockout rule computed.
pub async fn set_login_state(
    tx: &mut Tx,
    id: i64,
    failed_logins: i64,
    locked_until: Option<i64>,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3",
        &[failed_logins.into(), locked_until.into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Store a TOTP secret (base32) and whether it is in force; `None` removes it.
pub async fn set_totp(
    tx: &mut Tx,
    id: i64,
    secret: Option<&str>,
    enabled: bool,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = NULL WHERE id = $3",
        &[secret.map(String::from).into(), enabled.into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Remember the last TOTP step used, so a code cannot be replayed.
pub async fn set_totp_step(tx: &mut Tx, id: i64, step: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE users SET totp_last_step = $1 WHERE id = $2",
        &[step.into(), id.into()],
    )
    .await?;
    Ok(())
}

async fn with_grants(db: &Db, u: Option<User>) -> Result<Option<User>, StoreError> {
    let Some(mut u) = u else { return Ok(None) };
    u.grants = grants(db, u.id).await?;
    Ok(Some(u))
}

pub async fn grants(db: &Db, user_id: i64) -> Result<Vec<RoleGrant>, StoreError> {
    db.fetch_all(
        "SELECT role, scope, scope_units FROM user_roles WHERE user_id = $1 ORDER BY role",
        &[Val::I(user_id)],
        |r| {
            let units_text = r.str("scope_units")?;
            let units: Vec<i64> = units_text
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| StoreError::Corrupt {
                        column: "user_roles.scope_units",
                        value: units_text.clone(),
                    })
                })
                .collect::<Result<_, _>>()?;
            let code = r.str("scope")?;
            Ok(RoleGrant {
                role: decode("user_roles.role", r.str("role")?, Role::from_code)?,
                scope: Scope::parse("scope", &code, &units).map_err(|_| StoreError::Corrupt {
                    column: "user_roles.scope",
                    value: code.clone(),
                })?,
            })
        },
    )
    .await
}

/// An active (not archived) user by login name, with roles.
pub async fn by_username(db: &Db, username: &str) -> Result<Option<User>, StoreError> {
    let u = db
        .fetch_optional(
            &format!("SELECT {COLS} FROM users WHERE username = $1 AND archived = FALSE"),
            &[username.into()],
            row,
        )
        .await?;
    with_grants(db, u).await
}

/// Any user by id (archived included), with roles.
pub async fn get(db: &Db, id: i64) -> Result<User, StoreError> {
    let u = db
        .fetch_optional(
            &format!("SELECT {COLS} FROM users WHERE id = $1"),
            &[id.into()],
            row,
        )
        .await?;
    with_grants(db, u).await?.ok_or(StoreError::NotFound)
}

/// Every user, by login name, with roles.
pub async fn list(db: &Db) -> Result<Vec<User>, StoreError> {
    let mut us = db
        .fetch_all(
            &format!("SELECT {COLS} FROM users ORDER BY username"),
            &[],
            row,
        )
        .await?;
    for u in &mut us {
        u.grants = grants(db, u.id).await?;
    }
    Ok(us)
}

pub async fn count(db: &Db) -> Result<i64, StoreError> {
    db.scalar("SELECT COUNT(*) AS v FROM users", &[]).await
}
