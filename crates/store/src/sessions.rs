//! Login sessions and API tokens. Only SHA-256 hashes of the secrets are stored.

use crate::StoreError;
use crate::db::{Cols, Db, Tx};
use duban_domain::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: i64,
    pub csrf: String,
    pub created_at: i64,
    pub last_seen: i64,
    /// How it was opened: `password` or `sso`.
    pub via: String,
}

pub async fn create(
    tx: &mut Tx,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    now: i64,
    ip: &str,
    via: &str,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, ip, via) VALUES ($1, $2, $3, $4, $4, $5, $6)",
        &[token_hash.into(), user_id.into(), csrf.into(), now.into(), ip.into(), via.into()],
    )
    .await?;
    Ok(())
}

pub async fn get(db: &Db, token_hash: &str) -> Result<Option<Session>, StoreError> {
    db.fetch_optional(
        "SELECT user_id, csrf, created_at, last_seen, via FROM sessions WHERE token_hash = $1",
        &[token_hash.into()],
        |r| {
            Ok(Session {
                user_id: r.i64("user_id")?,
                csrf: r.str("csrf")?,
                created_at: r.i64("created_at")?,
                last_seen: r.i64("last_seen")?,
                via: r.str("via")?,
            })
        },
    )
    .await
}

pub async fn touch(db: &Db, token_hash: &str, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2",
        &[now.into(), token_hash.into()],
    )
    .await?;
    Ok(())
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), StoreError> {
    db.execute(
        "DELETE FROM sessions WHERE token_hash = $1",
        &[token_hash.into()],
    )
    .await?;
    Ok(())
}

/// End every session of a user (password change, lock, archive).
pub async fn delete_for_user(tx: &mut Tx, user_id: i64) -> Result<(), StoreError> {
    tx.execute("DELETE FROM sessions WHERE user_id = $1", &[user_id.into()])
        .await?;
    Ok(())
}

/// End every session of a user but one (the one changing the password).
pub async fn delete_others(
    tx: &mut Tx,
    user_id: i64,
    keep: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
        &[user_id.into(), keep.unwrap_or_default().into()],
    )
    .await?;
    Ok(())
}

/// Drop sessions idle since before `cutoff`.
pub async fn purge_idle(db: &Db, cutoff: i64) -> Result<u64, StoreError> {
    db.execute(
        "DELETE FROM sessions WHERE last_seen < $1",
        &[cutoff.into()],
    )
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub roles: Vec<Role>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used: Option<i64>,
    pub revoked_at: Option<i64>,
}

const TOKEN_COLS: &str = "id, user_id, name, roles, created_at, expires_at, last_used, revoked_at";

fn token_row(r: &dyn Cols) -> Result<ApiToken, StoreError> {
    let roles = r.str("roles")?;
    Ok(ApiToken {
        id: r.i64("id")?,
        user_id: r.i64("user_id")?,
        name: r.str("name")?,
        roles: roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| {
                Role::from_code(s).ok_or(StoreError::Corrupt {
                    column: "api_tokens.roles",
                    value: roles.clone(),
                })
            })
            .collect::<Result<_, _>>()?,
        created_at: r.i64("created_at")?,
        expires_at: r.opt_i64("expires_at")?,
        last_used: r.opt_i64("last_used")?,
        revoked_at: r.opt_i64("revoked_at")?,
    })
}

pub async fn insert_token(
    tx: &mut Tx,
    user_id: i64,
    name: &str,
    token_hash: &str,
    roles: &[Role],
    now: i64,
    expires_at: Option<i64>,
) -> Result<i64, StoreError> {
    let roles: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    tx.scalar(
        "INSERT INTO api_tokens (user_id, name, token_hash, roles, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id AS v",
        &[user_id.into(), name.into(), token_hash.into(), roles.join(",").into(), now.into(), expires_at.into()],
    )
    .await
}

pub async fn token_by_hash(db: &Db, token_hash: &str) -> Result<Option<ApiToken>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1"),
        &[token_hash.into()],
        token_row,
    )
    .await
}

pub async fn token(db: &Db, id: i64) -> Result<ApiToken, StoreError> {
    db.fetch_one(
        &format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE id = $1"),
        &[id.into()],
        token_row,
    )
    .await
}

/// Tokens of one user, or of everyone when `user_id` is `None`.
pub async fn tokens(db: &Db, user_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {TOKEN_COLS} FROM api_tokens WHERE ($1 IS NULL OR user_id = $1) ORDER BY id"
        ),
        &[user_id.into()],
        token_row,
    )
    .await
}

pub async fn token_used(db: &Db, id: i64, now: i64) -> Result<(), StoreError> {
    db.execute(
        "UPDATE api_tokens SET last_used = $1 WHERE id = $2",
        &[now.into(), id.into()],
    )
    .await?;
    Ok(())
}

pub async fn revoke_token(tx: &mut Tx, id: i64, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
        &[now.into(), id.into()],
    )
    .await?;
    Ok(())
}

/// Count an attempt under a key before the password is checked, in one statement so that
/// attempts made at once are all counted: failures older than `window_start` and, after
/// a day without attempts, past locks are forgotten; a lock in force stays. What the key
/// holds now: (attempts counted, locked until, strikes).
pub async fn reserve_throttle(
    tx: &mut Tx,
    key: &str,
    now: i64,
    window_start: i64,
    day_ago: i64,
) -> Result<(i64, i64, i64), StoreError> {
    tx.fetch_one(
        "INSERT INTO login_throttle (key, failures, locked_until, strikes, updated_at) VALUES ($1, 1, 0, 0, $2) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN login_throttle.locked_until > $2 THEN login_throttle.failures \
                           WHEN login_throttle.locked_until <> 0 OR login_throttle.updated_at < $3 THEN 1 \
                           ELSE login_throttle.failures + 1 END, \
           strikes = CASE WHEN login_throttle.updated_at < $4 THEN 0 ELSE login_throttle.strikes END, \
           locked_until = CASE WHEN login_throttle.locked_until > $2 THEN login_throttle.locked_until ELSE 0 END, \
           updated_at = $2 \
         RETURNING failures, locked_until, strikes",
        &[key.into(), now.into(), window_start.into(), day_ago.into()],
        |r| Ok((r.i64("failures")?, r.i64("locked_until")?, r.i64("strikes")?)),
    )
    .await
}

/// An attempt that failed: at `limit` counted attempts the key locks for `lock_ms(strikes)`.
/// The end of the lock, if one began.
pub async fn confirm_failure(
    tx: &mut Tx,
    key: &str,
    now: i64,
    limit: i64,
    lock_ms: impl Fn(i64) -> i64,
) -> Result<Option<i64>, StoreError> {
    let Some((failures, locked_until, strikes)) = tx
        .fetch_optional(
            "SELECT failures, locked_until, strikes FROM login_throttle WHERE key = $1",
            &[key.into()],
            |r| {
                Ok((
                    r.i64("failures")?,
                    r.i64("locked_until")?,
                    r.i64("strikes")?,
                ))
            },
        )
        .await?
    else {
        return Ok(None);
    };
    if locked_until > now {
        return Ok(Some(locked_until));
    }
    if failures < limit {
        return Ok(None);
    }
    let until = now + lock_ms(strikes);
    tx.execute(
        "UPDATE login_throttle SET failures = 0, locked_until = $1, strikes = strikes + 1, updated_at = $2 WHERE key = $3",
        &[until.into(), now.into(), key.into()],
    )
    .await?;
    Ok(Some(until))
}

/// Take back one counted attempt (it was not a failure).
pub async fn undo_attempt(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE login_throttle SET failures = CASE WHEN failures > 0 THEN failures - 1 ELSE 0 END WHERE key = $1",
        &[key.into()],
    )
    .await?;
    Ok(())
}

/// Forget the failures under one key (a sign-in that succeeded).
pub async fn clear_throttle(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    tx.execute("DELETE FROM login_throttle WHERE key = $1", &[key.into()])
        .await?;
    Ok(())
}

/// Forget the failures of an account from every source (an administrator unlocks it).
pub async fn clear_account_throttle(tx: &mut Tx, user: i64) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM login_throttle WHERE key LIKE $1",
        &[format!("a:{user}:%").into()],
    )
    .await?;
    Ok(())
}

/// A sign-in leaving for the identity platform; purges those left unfinished before
/// `stale_before`.
pub async fn sso_pending_put(
    tx: &mut Tx,
    state_hash: &str,
    nonce: &str,
    verifier: &str,
    now: i64,
    stale_before: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM sso_pending WHERE created_at < $1",
        &[stale_before.into()],
    )
    .await?;
    tx.execute(
        "INSERT INTO sso_pending (state_hash, nonce, verifier, created_at) VALUES ($1, $2, $3, $4)",
        &[state_hash.into(), nonce.into(), verifier.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Take a pending sign-in by its state's hash: once only (nonce, verifier, created_at).
pub async fn sso_pending_take(
    tx: &mut Tx,
    state_hash: &str,
) -> Result<Option<(String, String, i64)>, StoreError> {
    tx.fetch_optional(
        "DELETE FROM sso_pending WHERE state_hash = $1 RETURNING nonce, verifier, created_at",
        &[state_hash.into()],
        |r| Ok((r.str("nonce")?, r.str("verifier")?, r.i64("created_at")?)),
    )
    .await
}

/// The duban account an external identity is linked to.
pub async fn external_user(
    db: &Db,
    issuer: &str,
    subject: &str,
) -> Result<Option<i64>, StoreError> {
    db.fetch_optional(
        "SELECT user_id FROM external_identities WHERE issuer = $1 AND subject = $2",
        &[issuer.into(), subject.into()],
        |r| r.i64("user_id"),
    )
    .await
}

/// Whether an account is linked to an identity of this issuer already.
pub async fn has_external(db: &Db, issuer: &str, user: i64) -> Result<bool, StoreError> {
    Ok(db
        .scalar(
            "SELECT COUNT(*) AS v FROM external_identities WHERE issuer = $1 AND user_id = $2",
            &[issuer.into(), user.into()],
        )
        .await?
        > 0)
}

pub async fn link_external(
    tx: &mut Tx,
    issuer: &str,
    subject: &str,
    user: i64,
    now: i64,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO external_identities (issuer, subject, user_id, linked_at) VALUES ($1, $2, $3, $4)",
        &[issuer.into(), subject.into(), user.into(), now.into()],
    )
    .await?;
    Ok(())
}

/// Replace an account's recovery codes with new ones (their digests).
pub async fn set_recovery_codes(
    tx: &mut Tx,
    user: i64,
    digests: &[String],
) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM recovery_codes WHERE user_id = $1",
        &[user.into()],
    )
    .await?;
    for d in digests {
        tx.execute(
            "INSERT INTO recovery_codes (user_id, digest) VALUES ($1, $2)",
            &[user.into(), d.as_str().into()],
        )
        .await?;
    }
    Ok(())
}

/// Use a recovery code: true when it was the account's and not used before.
pub async fn use_recovery_code(
    tx: &mut Tx,
    user: i64,
    digest: &str,
    now: i64,
) -> Result<bool, StoreError> {
    Ok(tx
        .execute(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND digest = $3 AND used_at IS NULL",
            &[now.into(), user.into(), digest.into()],
        )
        .await?
        > 0)
}

/// How many unused recovery codes an account has.
pub async fn recovery_codes_left(db: &Db, user: i64) -> Result<i64, StoreError> {
    db.scalar(
        "SELECT COUNT(*) AS v FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        &[user.into()],
    )
    .await
}

/// Forget the failures from one source: its own and those of every account from it.
pub async fn clear_source_throttle(tx: &mut Tx, source: &str) -> Result<(), StoreError> {
    tx.execute(
        "DELETE FROM login_throttle WHERE key = $1 OR key LIKE $2",
        &[format!("s:{source}").into(), format!("a:%:{source}").into()],
    )
    .await?;
    Ok(())
}
