//! `duban audit verify`: walk the SM3 hash chain of the audit log.

use clap::Subcommand;
use duban_domain::audit::ChainBreak;

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Check the SM3 hash chain: any entry edited or deleted in the database is reported
    /// (exit status 1).
    Verify,
}

pub async fn run(db: &duban_app::Db, action: &AuditAction) -> anyhow::Result<()> {
    match action {
        AuditAction::Verify => verify(db).await,
    }
}

async fn verify(db: &duban_app::Db) -> anyhow::Result<()> {
    let console = duban_app::unit_of_work::Console::open();
    let v = duban_app::audit::verify(db, &console).await?;
    let Some(b) = v.broken else {
        println!(
            "audit log intact: {} entries, chain head at {}",
            v.entries, v.head_seq
        );
        return Ok(());
    };
    let what = match b {
        ChainBreak::Altered { seq } => {
            format!("entry {seq} was altered (its hash does not match its content)")
        }
        ChainBreak::Gap { expected, found } => {
            format!("entry {expected} is missing (deleted); the next entry is {found}")
        }
        ChainBreak::Truncated { head, last } => format!(
            "the newest entries were deleted: the chain head says {head}, the last entry is {last}"
        ),
        ChainBreak::HeadMismatch { seq } => {
            format!("the chain head does not match entry {seq}")
        }
    };
    eprintln!(
        "duban: AUDIT LOG TAMPERED: {what}; {} entries verified before it",
        v.entries
    );
    std::process::exit(1);
}
