//! Channels, each person's choices, and the outbox of messages for channels other than the
//! bell with every attempt to deliver them (migration 20).

use crate::StoreError;
use crate::db::{Cols, Db, Tx};
use serde::Serialize;

/// A channel as stored: its settings sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub unit_id: Option<i64>,
    #[serde(skip)]
    pub sealed: String,
    pub per_minute: i64,
    pub enabled: bool,
    /// Event codes the channel carries; empty for all.
    pub events: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

fn list_of(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

fn channel(r: &dyn Cols) -> Result<Channel, StoreError> {
    Ok(Channel {
        id: r.i64("id")?,
        kind: r.str("kind")?,
        name: r.str("name")?,
        unit_id: r.opt_i64("unit_id")?,
        sealed: r.str("sealed")?,
        per_minute: r.i64("per_minute")?,
        enabled: r.i64("enabled")? != 0,
        events: list_of(&r.str("events")?),
        created_at: r.i64("created_at")?,
        updated_at: r.i64("updated_at")?,
    })
}

const CHANNEL_COLS: &str =
    "id, kind, name, unit_id, sealed, per_minute, enabled, events, created_at, updated_at";

/// Every channel, in the order they were made.
pub async fn channels(db: &Db) -> Result<Vec<Channel>, StoreError> {
    db.fetch_all(
        &format!("SELECT {CHANNEL_COLS} FROM channels ORDER BY id"),
        &[],
        channel,
    )
    .await
}

/// Every channel, read in a transaction.
pub async fn channels_in(tx: &mut Tx) -> Result<Vec<Channel>, StoreError> {
    tx.fetch_all(
        &format!("SELECT {CHANNEL_COLS} FROM channels ORDER BY id"),
        &[],
        channel,
    )
    .await
}

pub async fn channel_in(tx: &mut Tx, id: i64) -> Result<Option<Channel>, StoreError> {
    tx.fetch_optional(
        &format!("SELECT {CHANNEL_COLS} FROM channels WHERE id = $1"),
        &[id.into()],
        channel,
    )
    .await
}

/// Store a new channel; its id.
pub async fn insert_channel(tx: &mut Tx, c: &Channel) -> Result<i64, StoreError> {
    tx.fetch_one(
        "INSERT INTO channels (kind, name, unit_id, sealed, per_minute, enabled, events, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        &[
            c.kind.clone().into(),
            c.name.clone().into(),
            c.unit_id.into(),
            c.sealed.clone().into(),
            c.per_minute.into(),
            i64::from(c.enabled).into(),
            c.events.join(",").into(),
            c.created_at.into(),
        ],
        |r| r.i64("id"),
    )
    .await
}

/// Replace a channel's settings (its kind stays).
pub async fn update_channel(tx: &mut Tx, c: &Channel) -> Result<u64, StoreError> {
    tx.execute(
        "UPDATE channels SET name = $1, unit_id = $2, sealed = $3, per_minute = $4, enabled = $5, events = $6, updated_at = $7 \
         WHERE id = $8",
        &[
            c.name.clone().into(),
            c.unit_id.into(),
            c.sealed.clone().into(),
            c.per_minute.into(),
            i64::from(c.enabled).into(),
            c.events.join(",").into(),
            c.updated_at.into(),
            c.id.into(),
        ],
    )
    .await
}

/// A person's choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct Prefs {
    #[serde(default)]
    pub user_id: i64,
    pub email: String,
    pub mobile: String,
    /// Channel kinds wanted besides the bell (email, sms).
    pub channels: Vec<String>,
    /// Quiet hours, minutes of the day in office time; equal ends: none.
    pub quiet_from: i64,
    pub quiet_to: i64,
    /// zh | en
    pub lang: String,
}

fn prefs(r: &dyn Cols) -> Result<Prefs, StoreError> {
    Ok(Prefs {
        user_id: r.i64("user_id")?,
        email: r.str("email")?,
        mobile: r.str("mobile")?,
        channels: list_of(&r.str("channels")?),
        quiet_from: r.i64("quiet_from")?,
        quiet_to: r.i64("quiet_to")?,
        lang: r.str("lang")?,
    })
}

const PREFS_COLS: &str = "user_id, email, mobile, channels, quiet_from, quiet_to, lang";

pub async fn prefs_of(db: &Db, user: i64) -> Result<Option<Prefs>, StoreError> {
    db.fetch_optional(
        &format!("SELECT {PREFS_COLS} FROM notify_prefs WHERE user_id = $1"),
        &[user.into()],
        prefs,
    )
    .await
}

/// Everyone's choices (read once per write that notifies).
pub async fn all_prefs_in(tx: &mut Tx) -> Result<Vec<Prefs>, StoreError> {
    tx.fetch_all(
        &format!("SELECT {PREFS_COLS} FROM notify_prefs"),
        &[],
        prefs,
    )
    .await
}

pub async fn set_prefs(tx: &mut Tx, p: &Prefs, now: i64) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO notify_prefs (user_id, email, mobile, channels, quiet_from, quiet_to, lang, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, mobile = excluded.mobile, \
         channels = excluded.channels, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, \
         lang = excluded.lang, updated_at = excluded.updated_at",
        &[
            p.user_id.into(),
            p.email.clone().into(),
            p.mobile.clone().into(),
            p.channels.join(",").into(),
            p.quiet_from.into(),
            p.quiet_to.into(),
            p.lang.clone().into(),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A message for one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub channel_id: i64,
    /// The idempotency key.
    pub key: String,
    pub event: String,
    /// An address or a number; empty for a group robot.
    pub recipient: String,
    /// The numbers a group message mentions.
    pub mentions: Vec<String>,
    pub title: String,
    pub text: String,
    /// The message's variables as JSON.
    #[serde(skip)]
    pub vars: String,
    /// pending | sent | failed
    pub status: String,
    pub attempts: i64,
    pub next_at: i64,
    #[serde(skip)]
    pub claimed_until: i64,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

fn delivery(r: &dyn Cols) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: r.i64("id")?,
        channel_id: r.i64("channel_id")?,
        key: r.str("key")?,
        event: r.str("event")?,
        recipient: r.str("recipient")?,
        mentions: list_of(&r.str("mentions")?),
        title: r.str("title")?,
        text: r.str("text")?,
        vars: r.str("vars")?,
        status: r.str("status")?,
        attempts: r.i64("attempts")?,
        next_at: r.i64("next_at")?,
        claimed_until: r.i64("claimed_until")?,
        last_error: r.str("last_error")?,
        created_at: r.i64("created_at")?,
        sent_at: r.opt_i64("sent_at")?,
    })
}

const DELIVERY_COLS: &str = "id, channel_id, key, event, recipient, mentions, title, text, vars, status, attempts, next_at, claimed_until, last_error, created_at, sent_at";

/// Put a message in the outbox. A second message with the same key (a group robot's
/// message for another person of the same unit) adds its mentions to the one still
/// waiting and is otherwise not written again.
pub async fn enqueue(tx: &mut Tx, d: &Delivery) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO deliveries (channel_id, key, event, recipient, mentions, title, text, vars, status, attempts, next_at, claimed_until, last_error, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, 0, '', $10) \
         ON CONFLICT (key) DO UPDATE SET mentions = CASE \
             WHEN excluded.mentions = '' THEN deliveries.mentions \
             WHEN deliveries.mentions = '' THEN excluded.mentions \
             ELSE deliveries.mentions || ',' || excluded.mentions END \
         WHERE deliveries.status = 'pending' AND deliveries.attempts = 0",
        &[
            d.channel_id.into(),
            d.key.clone().into(),
            d.event.clone().into(),
            d.recipient.clone().into(),
            d.mentions.join(",").into(),
            d.title.clone().into(),
            d.text.clone().into(),
            d.vars.clone().into(),
            d.next_at.into(),
            d.created_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Messages due now and not held by a living deliverer, oldest first.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<Delivery>, StoreError> {
    db.fetch_all(
        &format!(
            "SELECT {DELIVERY_COLS} FROM deliveries WHERE status = 'pending' AND next_at <= $1 \
             AND claimed_until < $1 ORDER BY next_at, id LIMIT $2"
        ),
        &[now.into(), limit.into()],
        delivery,
    )
    .await
}

/// Take a message for delivery until `until` with a token of this deliverer's own (true
/// when it has it: one statement, so two cannot both take it; a message waiting for a
/// later attempt is not taken before its time).
pub async fn claim(
    tx: &mut Tx,
    id: i64,
    now: i64,
    until: i64,
    token: &str,
) -> Result<bool, StoreError> {
    Ok(tx
        .execute(
            "UPDATE deliveries SET claimed_until = $1, claim_token = $2 WHERE id = $3 AND status = 'pending' \
             AND claimed_until < $4 AND next_at <= $4",
            &[until.into(), token.into(), id.into(), now.into()],
        )
        .await?
        == 1)
}

/// Leave a message for later without counting an attempt (its channel is at its rate).
pub async fn postpone(tx: &mut Tx, id: i64, next_at: i64) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE deliveries SET claimed_until = 0, next_at = $1 WHERE id = $2",
        &[next_at.into(), id.into()],
    )
    .await?;
    Ok(())
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// pending (to try again) | sent | failed
    pub status: &'static str,
    pub next_at: i64,
    pub error: String,
    /// sent | retry | refused
    pub attempt: &'static str,
    pub detail: String,
    pub ms: i64,
}

/// Record an attempt and its consequence for the message, if the claim is still this
/// deliverer's (`token`); whether it was (the attempt is logged either way).
pub async fn record(
    tx: &mut Tx,
    d: &Delivery,
    o: &Outcome,
    now: i64,
    token: &str,
) -> Result<bool, StoreError> {
    tx.execute(
        "INSERT INTO delivery_attempts (delivery_id, channel_id, at, outcome, detail, ms) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            d.id.into(),
            d.channel_id.into(),
            now.into(),
            o.attempt.into(),
            o.detail.clone().into(),
            o.ms.into(),
        ],
    )
    .await?;
    let n = tx
        .execute(
            "UPDATE deliveries SET status = $1, attempts = attempts + 1, next_at = $2, claimed_until = 0, last_error = $3, \
             sent_at = CASE WHEN $1 = 'sent' THEN $4 ELSE sent_at END WHERE id = $5 AND claim_token = $6",
            &[
                o.status.into(),
                o.next_at.into(),
                o.error.clone().into(),
                now.into(),
                d.id.into(),
                token.into(),
            ],
        )
        .await?;
    Ok(n == 1)
}

/// Attempts on a channel since `since` (its rate over the last minute).
pub async fn attempts_since(tx: &mut Tx, channel: i64, since: i64) -> Result<i64, StoreError> {
    tx.scalar(
        "SELECT COUNT(*) AS v FROM delivery_attempts WHERE channel_id = $1 AND at >= $2",
        &[channel.into(), since.into()],
    )
    .await
}

/// The delivery log, newest first, optionally of one channel or status.
pub async fn log(
    db: &Db,
    channel: Option<i64>,
    status: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<Delivery>), StoreError> {
    let mut filter = String::from("WHERE 1 = 1");
    let mut args: Vec<crate::db::Val> = Vec::new();
    if let Some(c) = channel {
        args.push(c.into());
        filter.push_str(&format!(" AND channel_id = ${}", args.len()));
    }
    if let Some(s) = status {
        args.push(s.into());
        filter.push_str(&format!(" AND status = ${}", args.len()));
    }
    let total = db
        .scalar(
            &format!("SELECT COUNT(*) AS v FROM deliveries {filter}"),
            &args,
        )
        .await?;
    let n = args.len();
    args.push(limit.into());
    args.push(offset.into());
    let rows = db
        .fetch_all(
            &format!(
                "SELECT {DELIVERY_COLS} FROM deliveries {filter} ORDER BY id DESC LIMIT ${} OFFSET ${}",
                n + 1,
                n + 2
            ),
            &args,
            delivery,
        )
        .await?;
    Ok((total, rows))
}

/// An attempt, for the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub delivery_id: i64,
    pub at: i64,
    pub outcome: String,
    pub detail: String,
    pub ms: i64,
}

/// The attempts of some messages, oldest first.
pub async fn attempts_of(db: &Db, ids: &[i64]) -> Result<Vec<Attempt>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    db.fetch_all(
        &format!(
            "SELECT delivery_id, at, outcome, detail, ms FROM delivery_attempts WHERE delivery_id IN ({list}) ORDER BY id"
        ),
        &[],
        |r| {
            Ok(Attempt {
                delivery_id: r.i64("delivery_id")?,
                at: r.i64("at")?,
                outcome: r.str("outcome")?,
                detail: r.str("detail")?,
                ms: r.i64("ms")?,
            })
        },
    )
    .await
}

/// Messages by channel and status: (channel, status, count).
pub async fn counts(db: &Db) -> Result<Vec<(i64, String, i64)>, StoreError> {
    db.fetch_all(
        "SELECT channel_id, status, COUNT(*) AS n FROM deliveries GROUP BY channel_id, status ORDER BY channel_id, status",
        &[],
        |r| Ok((r.i64("channel_id")?, r.str("status")?, r.i64("n")?)),
    )
    .await
}
