//! Key-value settings (rule sets, deadlines, the seasonal profile …), stored as JSON text.

use crate::StoreError;
use crate::db::{Db, Tx};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, StoreError> {
    db.fetch_optional(
        "SELECT value FROM settings WHERE key = $1",
        &[key.into()],
        |r| r.str("value"),
    )
    .await
}

/// [`get`] inside a transaction (to read what the transaction may change).
pub async fn get_in(tx: &mut Tx, key: &str) -> Result<Option<String>, StoreError> {
    tx.fetch_optional(
        "SELECT value FROM settings WHERE key = $1",
        &[key.into()],
        |r| r.str("value"),
    )
    .await
}

pub async fn set(tx: &mut Tx, key: &str, value: &str) -> Result<(), StoreError> {
    crate::changes::bump(tx, "settings").await?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[key.into(), value.into()],
    )
    .await?;
    Ok(())
}

/// Store a key that must not exist yet: a second writer gets `Duplicate` (a one-time
/// step, such as setting up an empty database, taken once even by concurrent servers).
pub async fn insert_once(tx: &mut Tx, key: &str, value: &str) -> Result<(), StoreError> {
    crate::changes::bump(tx, "settings").await?;
    tx.execute(
        "INSERT INTO settings (key, value) VALUES ($1, $2)",
        &[key.into(), value.into()],
    )
    .await?;
    Ok(())
}

/// Remove a key (absent is fine).
pub async fn delete(tx: &mut Tx, key: &str) -> Result<(), StoreError> {
    crate::changes::bump(tx, "settings").await?;
    tx.execute("DELETE FROM settings WHERE key = $1", &[key.into()])
        .await?;
    Ok(())
}
