//! `duban audit verify`: walk the SM3 hash chain of the audit log and check it against the
//! signed anchors kept outside the database.

use clap::Subcommand;
use duban_domain::audit::ChainBreak;

#[derive(Subcommand, Debug)]
pub enum AuditAction {
    /// Check the SM3 hash chain, and the chain against the signed anchors in
    /// `audit-anchors.log` beside the data: any entry edited or deleted in the database is
    /// reported, even when its hashes were recomputed (exit status 1). Anchors the head.
    Verify,
}

pub async fn run(
    db: &duban_app::Db,
    data_dir: &std::path::Path,
    action: &AuditAction,
) -> anyhow::Result<()> {
    match action {
        AuditAction::Verify => verify(db, data_dir).await,
    }
}

async fn verify(db: &duban_app::Db, data_dir: &std::path::Path) -> anyhow::Result<()> {
    let console = duban_app::unit_of_work::Console::open();
    duban_app::secrets::install_key(duban_outbound::Sealer::from_env_or_file(
        &data_dir.join("secret.key"),
    )?);
    let v = duban_app::audit::verify_anchored(db, &console, &data_dir.join("audit-anchors.log"))
        .await?;
    let Some(b) = v.broken else {
        println!(
            "audit log intact: {} entries, chain head at {}",
            v.entries, v.head_seq
        );
        if let (Some(first), Some(last)) = (&v.first_anchor, &v.last_anchor) {
            let when = |ms: i64| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .map(|t| {
                        t.with_timezone(&duban_app::clock::office_offset())
                            .format("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default()
            };
            println!(
                "matches {} signed anchors: vouched for since {} (entry {}), up to entry {} anchored {}",
                v.anchors,
                when(first.at),
                first.seq,
                last.seq,
                when(last.at)
            );
        }
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
        ChainBreak::AnchorMismatch { seq, anchored_at } => format!(
            "entry {seq} is not what was anchored at {anchored_at} (Unix ms): the chain was rewritten in the database after it"
        ),
        ChainBreak::ForgedAnchor { line } => {
            format!("line {line} of the anchor file is not signed with this server's key")
        }
    };
    eprintln!(
        "duban: AUDIT LOG TAMPERED: {what}; {} entries verified before it",
        v.entries
    );
    std::process::exit(1);
}
