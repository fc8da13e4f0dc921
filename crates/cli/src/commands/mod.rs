//! The `duban` commands, one module each. Commands that change data act through the
//! console's capability (`console`), so their writes are audited as "(console)".

pub mod assess;
pub mod audit;
pub mod backup;
pub mod bulletin;
pub mod console;
pub mod demo;
pub mod export;
pub mod generate;
pub mod import;
pub mod init;
pub mod migrate;
pub mod serve;
pub mod stats;
pub mod unit;
pub mod user;
