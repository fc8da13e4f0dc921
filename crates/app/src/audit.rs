//! The audit log: every write is recorded inside its own transaction (so an entry exists
//! exactly when the change does), every login attempt in a transaction of its own.

use crate::AppError;
use crate::access::{Actor, Can, ReadAudit};
use duban_domain::audit::{AuditEntry, ChainBreak, Verifier};
use duban_store::audit::{self as store, AuditFilter};
use duban_store::{Db, Tx, now_ms};
use serde::Serialize;

fn json(v: Option<&impl Serialize>) -> String {
    v.map(|v| serde_json::to_string(v).unwrap_or_default())
        .unwrap_or_default()
}

/// Record a successful write by `actor` within the write's transaction (the login's; every
/// other write records through the unit of work).
pub(crate) async fn record<B: Serialize, A: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    object_type: &str,
    object_id: impl ToString,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<(), AppError> {
    store::append(
        tx,
        AuditEntry {
            seq: 0,
            at: now_ms(),
            actor_id: Some(actor.user_id.get()),
            actor: actor.username.clone(),
            ip: actor.ip.clone(),
            action: action.into(),
            object_type: object_type.into(),
            object_id: object_id.to_string(),
            before: json(before),
            after: json(after),
            outcome: "ok".into(),
            hash: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// One write of a batch, for [`record_many`].
pub struct Write {
    pub action: String,
    pub object_type: &'static str,
    pub object_id: String,
    pub before: String,
    pub after: String,
}

impl Write {
    pub fn new<B: Serialize, A: Serialize>(
        action: impl Into<String>,
        object_type: &'static str,
        object_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Write {
        Write {
            action: action.into(),
            object_type,
            object_id: object_id.to_string(),
            before: json(before),
            after: json(after),
        }
    }
}

/// Record many writes by `actor` within their transaction, in order (an import's
/// thousands of rows, each an entry of the chain like any other write).
pub(crate) async fn record_many(
    tx: &mut Tx,
    actor: &Actor,
    writes: Vec<Write>,
) -> Result<(), AppError> {
    let at = now_ms();
    let entries = writes
        .into_iter()
        .map(|w| AuditEntry {
            seq: 0,
            at,
            actor_id: Some(actor.user_id.get()),
            actor: actor.username.clone(),
            ip: actor.ip.clone(),
            action: w.action,
            object_type: w.object_type.into(),
            object_id: w.object_id,
            before: w.before,
            after: w.after,
            outcome: "ok".into(),
            hash: String::new(),
        })
        .collect();
    store::append_many(tx, entries).await?;
    Ok(())
}

/// Record an action on a user account that has no before/after worth keeping (a login,
/// a password change, a lock).
pub(crate) async fn user_action(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    user_id: i64,
) -> Result<(), AppError> {
    record(tx, actor, action, "user", user_id, NONE, NONE).await
}

/// Nothing to put in a before/after slot.
pub const NONE: Option<&()> = None;

/// Who an event is about when there may be no signed-in actor (a login attempt).
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub id: Option<i64>,
    pub name: &'a str,
    pub ip: &'a str,
}

/// Record an event that changed nothing else (a login attempt, a logout), on a user.
pub async fn event(db: &Db, who: Who<'_>, action: &str, outcome: &str) -> Result<(), AppError> {
    let (actor_id, actor, ip) = (who.id, who.name, who.ip);
    let (object_type, object_id) = (
        "user",
        who.id
            .map(|i| i.to_string())
            .unwrap_or_else(|| who.name.to_string()),
    );
    let mut tx = db.write().await?;
    store::append(
        &mut tx,
        AuditEntry {
            seq: 0,
            at: now_ms(),
            actor_id,
            actor: actor.into(),
            ip: ip.into(),
            action: action.into(),
            object_type: object_type.into(),
            object_id,
            before: String::new(),
            after: String::new(),
            outcome: outcome.into(),
            hash: String::new(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The auditor's query, as the API receives it.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// An action (`login`, `report.approve`) or a prefix ending in '.' (`report.`).
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// ok | failed | locked | denied
    pub outcome: Option<String>,
    /// Unix ms, inclusive.
    pub from: Option<i64>,
    /// Unix ms, exclusive.
    pub to: Option<i64>,
    #[schemars(range(min = 1, max = 1_000_000))]
    pub page: Option<i64>,
    #[schemars(range(min = 1, max = crate::MAX_PAGE_SIZE))]
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct AuditPage {
    pub total: i64,
    pub items: Vec<AuditEntry>,
}

pub async fn list(db: &Db, can: &Can<ReadAudit>, q: &AuditQuery) -> Result<AuditPage, AppError> {
    let _ = can;
    let (offset, limit) = crate::paging(q.page, q.page_size)?;
    let (total, items) = store::list(
        db,
        &AuditFilter {
            actor: q.actor.clone(),
            action: q.action.clone(),
            object_type: q.object_type.clone(),
            object_id: q.object_id.clone(),
            outcome: q.outcome.clone(),
            from_ms: q.from,
            to_ms: q.to,
            offset,
            limit,
        },
    )
    .await?;
    Ok(AuditPage { total, items })
}

/// What `duban audit verify` reports.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub entries: i64,
    pub head_seq: i64,
    pub broken: Option<ChainBreak>,
    /// Signed anchors checked against the chain (a chain rewritten consistently in the
    /// database fails them), the first and the last: the chain is vouched for up to the
    /// last one, from the time of the first.
    pub anchors: usize,
    pub first_anchor: Option<duban_domain::audit::Anchor>,
    pub last_anchor: Option<duban_domain::audit::Anchor>,
}

/// Who may walk the chain: an auditor ([`Can<ReadAudit>`]) or the server's console
/// (`duban audit verify`). Sealed: no other type can be made one.
pub trait MayVerify: sealed::Sealed {}
impl MayVerify for Can<ReadAudit> {}
impl MayVerify for crate::unit_of_work::Console {}
mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Can<super::ReadAudit> {}
    impl Sealed for crate::unit_of_work::Console {}
}

/// Walk the whole chain in order, in chunks, and compare with the head.
pub async fn verify(db: &Db, _who: &impl MayVerify) -> Result<Verification, AppError> {
    let (head_seq, head_hash) = store::head(db).await?;
    let mut v = Verifier::default();
    let mut after = 0;
    loop {
        let chunk = store::chunk(db, after, 10_000).await?;
        let Some(last) = chunk.last() else { break };
        after = last.seq;
        for e in &chunk {
            if let Err(b) = v.feed(e) {
                return Ok(Verification {
                    entries: v.checked,
                    head_seq,
                    broken: Some(b),
                    anchors: 0,
                    first_anchor: None,
                    last_anchor: None,
                });
            }
        }
    }
    Ok(Verification {
        entries: v.checked,
        head_seq,
        broken: v.finish(head_seq, &head_hash).err(),
        anchors: 0,
        first_anchor: None,
        last_anchor: None,
    })
}

/// Sign the chain's head and append it to the anchor file (and the log), unless the last
/// anchor is of the same head. What was anchored.
pub async fn anchor(
    db: &Db,
    file: &std::path::Path,
) -> Result<Option<duban_domain::audit::Anchor>, AppError> {
    let (seq, hash) = store::head(db).await?;
    if seq == 0 {
        return Ok(None);
    }
    let key = crate::secrets::anchor_key()?;
    let last = std::fs::read_to_string(file).ok().and_then(|t| {
        t.lines()
            .last()
            .and_then(|l| duban_domain::audit::Anchor::parse(l, &key))
    });
    if last.is_some_and(|a| a.seq == seq && a.hash == hash) {
        return Ok(None);
    }
    let a = duban_domain::audit::Anchor {
        seq,
        hash,
        at: duban_store::now_ms(),
    };
    let line = a.line(&key);
    let io = |e: std::io::Error| {
        AppError::internal(format!("the audit anchor file {}", file.display()), e)
    };
    let mut o = std::fs::OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    {
        use std::io::Write;
        let mut f = o.open(file).map_err(io)?;
        f.write_all(format!("{line}\n").as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    // The same line to the log: syslog or a collector keeps a second copy.
    tracing::info!(target: "duban::audit_anchor", anchor = %line, "audit chain anchored");
    Ok(Some(a))
}

/// Walk the chain (as [`verify`]), then check it against every signed anchor in the
/// file, and anchor the head as it is now.
pub async fn verify_anchored(
    db: &Db,
    who: &impl MayVerify,
    file: &std::path::Path,
) -> Result<Verification, AppError> {
    let mut v = verify(db, who).await?;
    if v.broken.is_some() {
        return Ok(v);
    }
    let key = crate::secrets::anchor_key()?;
    let text = std::fs::read_to_string(file).unwrap_or_default();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let Some(a) = duban_domain::audit::Anchor::parse(line, &key) else {
            v.broken = Some(ChainBreak::ForgedAnchor { line: i + 1 });
            return Ok(v);
        };
        if store::hash_at(db, a.seq).await?.as_deref() != Some(a.hash.as_str()) {
            v.broken = Some(ChainBreak::AnchorMismatch {
                seq: a.seq,
                anchored_at: a.at,
            });
            return Ok(v);
        }
        v.anchors += 1;
        if v.first_anchor.is_none() {
            v.first_anchor = Some(a.clone());
        }
        v.last_anchor = Some(a);
    }
    if let Some(a) = anchor(db, file).await? {
        v.anchors += 1;
        v.first_anchor.get_or_insert(a.clone());
        v.last_anchor = Some(a);
    }
    Ok(v)
}
