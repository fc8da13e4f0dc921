//! duban's use cases: the only way the server and the CLI reach the store.
//! Each module is one concern: `registry` (units, projects), `accounts`, `load`
//! (generated data sets), `demo`. Capability checks per role and scope arrive here too.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod demo;
pub mod error;
pub mod load;
pub mod registry;

pub use duban_store::{Backend, Db, schema};
pub use error::AppError;

/// Open a database by URL and bring its schema up to date.
pub async fn open(url: &str) -> Result<Db, AppError> {
    let db = Db::connect(url).await?;
    schema::migrate(&db).await?;
    Ok(db)
}
