//! Change counters: what a cached answer was computed at (see migration 15).

use crate::StoreError;
use crate::db::{Db, Tx};

/// Count a change of `name`, in the write that makes it.
pub async fn bump(tx: &mut Tx, name: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE change_counters SET version = version + 1 WHERE name = $1",
        &[name.into()],
    )
    .await?;
    Ok(())
}

/// The current count of changes of `name`.
pub async fn version(db: &Db, name: &str) -> Result<i64, StoreError> {
    Ok(db
        .fetch_optional(
            "SELECT version FROM change_counters WHERE name = $1",
            &[name.into()],
            |r| r.i64("version"),
        )
        .await?
        .unwrap_or(0))
}
