//! Messages beyond the bell (督 where people already are): the office's channels, each
//! person's choices, and the outbox.
//!
//! - **Into the outbox in the same transaction.** When a unit of work writes a
//!   notification, [`enqueue_in`] writes, in the same transaction, one outbox row per
//!   channel that should carry it: the person's email or SMS when they chose it and the
//!   office allows it, their unit's 企业微信 or 钉钉 group robot (one message for the
//!   group, mentioning each person by mobile), the webhooks. A message exists in the
//!   outbox exactly when the change that causes it does.
//! - **Out with retries.** [`deliver_due`] takes due rows one at a time (a claim in the
//!   database, so that several servers never send the same row at once and a row whose
//!   server died is taken again when the claim runs out), respects each channel's rate
//!   per minute, sends, and records the attempt. A retryable failure waits 30 s doubling
//!   to an hour; after [`MAX_ATTEMPTS`] the row is given up and the administrators warned.
//!   Every attempt carries the row's key, so a crash between sending and recording sends
//!   again with the same key: the webhook's `Idempotency-Key`, the mail's Message-ID,
//!   Aliyun's OutId and Tencent's SessionContext let the receiver drop the repeat.

use crate::AppError;
use crate::access::{Caller, Can, ManageUsers};
use crate::unit_of_work::Console;
use duban_domain::FieldError;
use duban_domain::channel::{
    ChannelConfig, ChannelKind, Lang, MAX_ATTEMPTS, Outgoing, Template, Vars, Verdict, backoff_ms,
    in_quiet_hours, render,
};
use duban_store::deliveries::{self as store, Delivery, Prefs};
use duban_store::notifications::Notification;
use duban_store::{Db, Tx};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The office's rules for messages beyond the bell: the settings' `delivery`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DeliverySettings {
    /// The address people open duban at (https://duban.example.gov.cn), for the links in
    /// messages. Empty: links are relative.
    pub public_url: String,
    /// The office's name in messages (某市发展改革委).
    pub office_name: String,
    /// The kinds of channel people may choose (email, sms); robots and webhooks are the
    /// administrator's to configure.
    pub allowed: Vec<String>,
    /// Group robots and webhooks are quiet between these times (HH:MM, office time);
    /// equal: never quiet.
    #[schemars(regex(pattern = r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub quiet_from: String,
    #[schemars(regex(pattern = r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub quiet_to: String,
    /// The words of each message per event code (or "*" for every event) and channel
    /// kind; a missing one uses the default.
    pub templates: BTreeMap<String, BTreeMap<String, Template>>,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            public_url: String::new(),
            office_name: String::new(),
            allowed: vec!["email".into(), "sms".into()],
            quiet_from: "00:00".into(),
            quiet_to: "00:00".into(),
            templates: BTreeMap::new(),
        }
    }
}

fn minutes(field: &'static str, s: &str) -> Result<i64, FieldError> {
    chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map(|t| i64::from(chrono::Timelike::num_seconds_from_midnight(&t) / 60))
        .map_err(|_| {
            FieldError::new(
                field,
                "time",
                format!("“{s}”不是有效的时间，应为 22:00 这样的格式"),
                format!("'{s}' is not a time such as 22:00"),
            )
        })
}

impl DeliverySettings {
    pub fn validate(&self) -> Result<(), FieldError> {
        minutes("delivery.quiet_from", &self.quiet_from)?;
        for k in &self.allowed {
            match ChannelKind::parse("delivery.allowed", k)? {
                ChannelKind::Email | ChannelKind::Sms => {}
                _ => {
                    return Err(FieldError::new(
                        "delivery.allowed",
                        "kind",
                        "个人可选的渠道只有邮件和短信",
                        "people choose between email and SMS only",
                    ));
                }
            }
        }
        minutes("delivery.quiet_to", &self.quiet_to)?;
        let url = self.public_url.trim();
        if !(url.is_empty() || url.starts_with("https://") || url.starts_with("http://")) {
            return Err(FieldError::new(
                "delivery.public_url",
                "url",
                "访问地址应以 http:// 或 https:// 开头",
                "the public address starts with http:// or https://",
            ));
        }
        for (event, by_kind) in &self.templates {
            if event != "*" && duban_domain::notify::Event::from_code(event).is_none() {
                return Err(FieldError::new(
                    "delivery.templates",
                    "event",
                    format!("没有“{event}”这一事件"),
                    format!("there is no event '{event}'"),
                ));
            }
            for (kind, t) in by_kind {
                if ChannelKind::from_code(kind).is_none() {
                    return Err(FieldError::new(
                        "delivery.templates",
                        "kind",
                        format!("没有“{kind}”这种渠道"),
                        format!("there is no channel kind '{kind}'"),
                    ));
                }
                t.validate()?;
            }
        }
        Ok(())
    }

    /// The template for an event on a kind of channel.
    pub fn template(&self, event: &str, kind: ChannelKind) -> Template {
        [event, "*"]
            .iter()
            .find_map(|e| self.templates.get(*e)?.get(kind.code()).cloned())
            .unwrap_or_else(|| Template::default_for(kind))
    }
}

pub use crate::secrets::install_key;
use crate::secrets::sealer;

/// The office time of an instant, in minutes of the day.
fn office_minute(ms: i64) -> i64 {
    let t = chrono::DateTime::from_timestamp_millis(ms)
        .expect("a valid instant")
        .with_timezone(&crate::clock::office_offset());
    i64::from(chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t))
}

/// The first instant at or after `now` outside quiet hours `from..to` (minutes).
fn after_quiet(now: i64, from: i64, to: i64) -> i64 {
    let m = office_minute(now);
    let (f, t) = (
        u32::try_from(from).unwrap_or(0),
        u32::try_from(to).unwrap_or(0),
    );
    if !in_quiet_hours(u32::try_from(m).unwrap_or(0), f, t) {
        return now;
    }
    let wait = (to - m).rem_euclid(24 * 60);
    // To the start of the minute quiet hours end.
    now - now.rem_euclid(60_000) + wait * 60_000
}

/// Write the outbox rows for notifications just written in this transaction.
pub(crate) async fn enqueue_in(
    tx: &mut Tx,
    db: &Db,
    written: &[Notification],
) -> Result<usize, AppError> {
    if written.is_empty() {
        return Ok(0);
    }
    let channels: Vec<store::Channel> = store::channels_in(tx)
        .await?
        .into_iter()
        .filter(|c| c.enabled)
        .collect();
    if channels.is_empty() {
        return Ok(0);
    }
    let settings = crate::settings::get(db).await?.delivery;
    let prefs: BTreeMap<i64, Prefs> = store::all_prefs_in(tx)
        .await?
        .into_iter()
        .map(|p| (p.user_id, p))
        .collect();
    let users: BTreeMap<i64, duban_store::users::User> = duban_store::users::list(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let quiet = (
        minutes("delivery.quiet_from", &settings.quiet_from).unwrap_or(0),
        minutes("delivery.quiet_to", &settings.quiet_to).unwrap_or(0),
    );
    let mut n = 0;
    for note in written {
        let Some(user) = users.get(&note.user_id) else {
            continue;
        };
        let p = prefs.get(&note.user_id);
        let lang = match p.map(|p| p.lang.as_str()) {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        };
        let event = duban_domain::notify::Event::from_code(&note.event);
        let vars = |lang: Lang, recipient: &str| {
            let (title, body, ev) = match lang {
                Lang::Zh => (
                    note.title_zh.clone(),
                    note.body_zh.clone(),
                    event.map_or("", |e| e.zh()),
                ),
                Lang::En => (
                    note.title_en.clone(),
                    note.body_en.clone(),
                    event.map_or("", |e| e.en()),
                ),
            };
            Vars {
                title,
                body,
                url: format!("{}{}", settings.public_url.trim_end_matches('/'), note.link),
                event: ev.to_string(),
                recipient: recipient.to_string(),
                office: settings.office_name.clone(),
            }
        };
        for c in &channels {
            if !c.events.is_empty() && !c.events.iter().any(|e| e == &note.event) {
                continue;
            }
            let Some(kind) = ChannelKind::from_code(&c.kind) else {
                continue;
            };
            let wants = |k: ChannelKind| {
                settings.allowed.iter().any(|a| a == k.code())
                    && p.is_some_and(|p| p.channels.iter().any(|x| x == k.code()))
            };
            let person_quiet = p.map_or((0, 0), |p| (p.quiet_from, p.quiet_to));
            let (recipient, mentions, key, l, q) = match kind {
                ChannelKind::Email | ChannelKind::Sms => {
                    // The person's own address or number, when they chose this channel.
                    let contact = p.map(|p| {
                        if kind == ChannelKind::Email {
                            p.email.trim()
                        } else {
                            p.mobile.trim()
                        }
                    });
                    let Some(to) = contact.filter(|a| !a.is_empty()) else {
                        continue;
                    };
                    if !wants(kind) {
                        continue;
                    }
                    (
                        to.to_string(),
                        vec![],
                        format!("{}:{}", c.id, note.dedupe),
                        lang,
                        person_quiet,
                    )
                }
                ChannelKind::Webhook => {
                    if c.unit_id.is_some_and(|u| u != user.unit_id) {
                        continue;
                    }
                    let to = p.map(|p| p.mobile.trim().to_string()).unwrap_or_default();
                    (
                        user.username.clone(),
                        if to.is_empty() { vec![] } else { vec![to] },
                        format!("{}:{}", c.id, note.dedupe),
                        lang,
                        quiet,
                    )
                }
                ChannelKind::Wecom | ChannelKind::Dingtalk => {
                    // A group robot speaks to its unit's work group (or to the office's,
                    // when it belongs to no unit): one message for everyone it concerns.
                    if c.unit_id.is_some_and(|u| u != user.unit_id) {
                        continue;
                    }
                    let m = p.map(|p| p.mobile.trim().to_string()).unwrap_or_default();
                    let day = chrono::DateTime::from_timestamp_millis(note.created_at)
                        .expect("a valid instant")
                        .with_timezone(&crate::clock::office_offset())
                        .date_naive();
                    let same =
                        data_encoding::HEXLOWER.encode(&<sha2::Sha256 as sha2::Digest>::digest(
                            format!(
                                "{}\n{}\n{}\n{}",
                                note.event, note.title_zh, note.body_zh, note.link
                            )
                            .as_bytes(),
                        ));
                    (
                        String::new(),
                        if m.is_empty() { vec![] } else { vec![m] },
                        format!("{}:group:{}:{day}", c.id, &same[..32]),
                        Lang::Zh,
                        quiet,
                    )
                }
            };
            let v = vars(
                l,
                if kind.is_group() {
                    ""
                } else {
                    user.display_name.as_str()
                },
            );
            let template = settings.template(&note.event, kind);
            let text = render(template.text(l), &v);
            let now = note.created_at;
            store::enqueue(
                tx,
                &Delivery {
                    id: 0,
                    channel_id: c.id,
                    key,
                    event: note.event.clone(),
                    recipient,
                    mentions,
                    title: v.title.clone(),
                    text,
                    vars: serde_json::to_string(&v).expect("variables serialise"),
                    status: "pending".into(),
                    attempts: 0,
                    next_at: after_quiet(now, q.0, q.1),
                    claimed_until: 0,
                    last_error: String::new(),
                    created_at: now,
                    sent_at: None,
                },
            )
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

static WAKE: OnceLock<tokio::sync::Notify> = OnceLock::new();

fn waker() -> &'static tokio::sync::Notify {
    WAKE.get_or_init(tokio::sync::Notify::new)
}

/// Tell this server's deliverer there is mail (after the commit that wrote it).
pub(crate) fn wake() {
    waker().notify_one();
}

/// Wait until a write enqueues something or `max` passes (the deliverer's loop).
pub async fn wait_for_work(max: std::time::Duration) {
    let _ = tokio::time::timeout(max, waker().notified()).await;
}

/// What one pass of the deliverer did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Left for later: their channel is at its rate.
    pub postponed: usize,
}

impl Delivered {
    pub fn is_empty(&self) -> bool {
        self == &Delivered::default()
    }
}

/// A channel ready to send, or why it is not.
type Opened = Result<(ChannelConfig, Box<dyn duban_outbound::Channel>), String>;

/// How long a deliverer holds a row it took: longer than the slowest channel may take (the
/// HTTP and SMTP timeouts are 15 s), short enough that a row whose server died goes out
/// soon after another server, or the same one restarted, looks again.
const CLAIM_MS: i64 = 20_000;

/// The longest one attempt may take, within the claim.
const SEND_LIMIT: std::time::Duration = std::time::Duration::from_secs(17);

/// Channels served at once by one deliverer (each channel's messages go in order, one at a
/// time, so that its rate is kept and a group reads them in the order they were written).
const PARALLEL: usize = 8;

/// Deliver what is due at `now` (up to `limit` rows).
pub async fn deliver_due(db: &Db, now: i64, limit: i64) -> Result<Delivered, AppError> {
    let due = store::due(db, now, limit).await?;
    let mut done = Delivered::default();
    if due.is_empty() {
        return Ok(done);
    }
    let channels: BTreeMap<i64, store::Channel> = store::channels(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut queues: BTreeMap<i64, Vec<Delivery>> = BTreeMap::new();
    for d in due {
        queues.entry(d.channel_id).or_default().push(d);
    }
    let mut queues = queues.into_iter();
    loop {
        let batch: Vec<(i64, Vec<Delivery>)> = queues.by_ref().take(PARALLEL).collect();
        if batch.is_empty() {
            break;
        }
        let runs = batch
            .into_iter()
            .map(|(id, rows)| deliver_channel(db, channels.get(&id), rows, now));
        for r in futures_util::future::join_all(runs).await {
            let r = r?;
            done.sent += r.sent;
            done.retried += r.retried;
            done.failed += r.failed;
            done.postponed += r.postponed;
        }
    }
    Ok(done)
}

/// One channel's due messages, in order.
async fn deliver_channel(
    db: &Db,
    channel: Option<&store::Channel>,
    rows: Vec<Delivery>,
    now: i64,
) -> Result<Delivered, AppError> {
    let mut done = Delivered::default();
    let console = Console::open();
    let mut opened: Option<Opened> = None;
    for d in rows {
        // Each row is claimed at the time it is taken (a pass may last a while), with a
        // token of this pass, and recorded only while the claim is still this pass's.
        let at = now.max(duban_store::now_ms());
        let token = format!(
            "{}:{}:{:x}",
            crate::jobs::instance(),
            d.id,
            rand::random::<u64>()
        );
        {
            let mut w = console.write(db).await?;
            let took = store::claim(w.tx(), d.id, at, at + CLAIM_MS, &token).await?;
            let busy = match channel {
                Some(c) if took => {
                    store::attempts_since(w.tx(), c.id, now - 60_000).await? >= c.per_minute
                }
                _ => false,
            };
            if busy {
                store::postpone(w.tx(), d.id, now + 5_000).await?;
                done.postponed += 1;
            }
            w.commit().await?;
            if !took || busy {
                continue;
            }
        }
        let ready = match channel {
            None => Err("the channel was removed".to_string()),
            Some(c) if !c.enabled => Err("the channel is disabled (渠道已停用)".to_string()),
            Some(c) => opened
                .get_or_insert_with(|| open_channel(c))
                .as_ref()
                .map_err(Clone::clone)
                .map(|_| ()),
        };
        let attempt = match ready {
            Err(reason) => duban_outbound::Attempted {
                verdict: Verdict::Refused {
                    reason: reason.clone(),
                },
                detail: reason,
                ms: 0,
            },
            Ok(()) => {
                let (_, ch) = opened
                    .as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .expect("opened above");
                // Never longer than the claim: a slow SMTP dialogue or provider is cut
                // and tried again, rather than sent twice by another server.
                match tokio::time::timeout(SEND_LIMIT, ch.send(&outgoing(&d, channel))).await {
                    Ok(a) => a,
                    Err(_) => duban_outbound::Attempted {
                        verdict: Verdict::Retry {
                            after_s: None,
                            reason: "timed out".into(),
                        },
                        detail: format!("no answer within {} s", SEND_LIMIT.as_secs()),
                        ms: i64::try_from(SEND_LIMIT.as_millis()).unwrap_or(i64::MAX),
                    },
                }
            }
        };
        let o = outcome(&d, &attempt, now, &mut done);
        let mut w = console.write(db).await?;
        if !store::record(w.tx(), &d, &o, duban_store::now_ms().max(now), &token).await? {
            tracing::warn!(
                delivery = d.id,
                "a delivery's claim ran out before its attempt was recorded"
            );
        }
        w.commit().await?;
    }
    Ok(done)
}

/// The message a row carries, as its channel sends it.
fn outgoing(d: &Delivery, channel: Option<&store::Channel>) -> Outgoing {
    Outgoing {
        key: d.key.clone(),
        event: d.event.clone(),
        title: d.title.clone(),
        text: d.text.clone(),
        vars: serde_json::from_str::<VarsRow>(&d.vars)
            .map(VarsRow::into_vars)
            .unwrap_or_default(),
        // A group robot mentions its people, a webhook names its person's number; email
        // and SMS go to their one recipient.
        to: if d.recipient.is_empty()
            || d.key.contains(":group:")
            || channel.is_some_and(|c| c.kind == "webhook")
        {
            d.mentions.clone()
        } else {
            vec![d.recipient.clone()]
        },
    }
}

/// What an attempt comes to for its row: sent, another try later, or given up.
fn outcome(
    d: &Delivery,
    attempt: &duban_outbound::Attempted,
    now: i64,
    done: &mut Delivered,
) -> store::Outcome {
    let attempts = u32::try_from(d.attempts + 1).unwrap_or(u32::MAX);
    let (status, next_at, error, kind) = match &attempt.verdict {
        Verdict::Delivered => {
            done.sent += 1;
            ("sent", d.next_at, String::new(), "sent")
        }
        Verdict::Retry { after_s, reason } if attempts < MAX_ATTEMPTS => {
            done.retried += 1;
            (
                "pending",
                now + backoff_ms(attempts, *after_s),
                reason.clone(),
                "retry",
            )
        }
        Verdict::Retry { reason, .. } => {
            done.failed += 1;
            ("failed", d.next_at, reason.clone(), "retry")
        }
        Verdict::Refused { reason } => {
            done.failed += 1;
            ("failed", d.next_at, reason.clone(), "refused")
        }
    };
    store::Outcome {
        status,
        next_at,
        error,
        attempt: kind,
        detail: attempt.detail.clone(),
        ms: attempt.ms,
    }
}

/// The variables as stored in a row (a `Vars` has no Deserialize of its own in the domain).
#[derive(Deserialize, Default)]
#[serde(default)]
struct VarsRow {
    title: String,
    body: String,
    url: String,
    event: String,
    recipient: String,
    office: String,
}

impl VarsRow {
    fn into_vars(self) -> Vars {
        Vars {
            title: self.title,
            body: self.body,
            url: self.url,
            event: self.event,
            recipient: self.recipient,
            office: self.office,
        }
    }
}

fn open_channel(
    c: &store::Channel,
) -> Result<(ChannelConfig, Box<dyn duban_outbound::Channel>), String> {
    let cfg = config_of(c).map_err(|e| e.to_string())?;
    Ok((cfg.clone(), duban_outbound::open(cfg)))
}

fn config_of(c: &store::Channel) -> Result<ChannelConfig, AppError> {
    let plain = sealer()?
        .open(&c.sealed)
        .map_err(|e| AppError::Config(e.to_string()))?;
    serde_json::from_slice(&plain).map_err(|e| AppError::internal("a channel's settings", e))
}

/// A channel as an administrator sees it: credentials never shown again.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelView {
    #[serde(flatten)]
    pub channel: store::Channel,
    /// The settings with credentials blanked (None when they cannot be opened with this
    /// server's key).
    pub config: Option<ChannelConfig>,
    pub problem: Option<String>,
    /// Messages by status, and failures in the last day.
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

/// What an administrator sends to make or change a channel.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelForm {
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
    /// The unit whose work group a robot is in (None: the whole office).
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub unit_id: Option<i64>,
    /// Messages a minute at most (default: the provider's limit).
    #[serde(default)]
    #[schemars(range(min = 1, max = 600))]
    pub per_minute: Option<i64>,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Event codes to carry; empty for all.
    #[serde(default)]
    pub events: Vec<String>,
    pub config: ChannelConfig,
}

fn yes() -> bool {
    true
}

fn check_form(f: &ChannelForm) -> Result<(), AppError> {
    if f.name.trim().is_empty() {
        return Err(FieldError::required("name").into());
    }
    for e in &f.events {
        if duban_domain::notify::Event::from_code(e).is_none() {
            return Err(FieldError::new(
                "events",
                "event",
                format!("没有“{e}”这一事件"),
                format!("there is no event '{e}'"),
            )
            .into());
        }
    }
    if let Some(n) = f.per_minute
        && !(1..=600).contains(&n)
    {
        return Err(FieldError::new(
            "per_minute",
            "range",
            "每分钟条数应在 1 到 600 之间",
            "messages a minute is between 1 and 600",
        )
        .into());
    }
    f.config.validate()?;
    Ok(())
}

/// The channels with their counts (administrators).
pub async fn channels(db: &Db, _can: &Can<ManageUsers>) -> Result<Vec<ChannelView>, AppError> {
    let counts = store::counts(db).await?;
    let count = |id: i64, status: &str| {
        counts
            .iter()
            .find(|(c, s, _)| *c == id && s == status)
            .map_or(0, |x| x.2)
    };
    Ok(store::channels(db)
        .await?
        .into_iter()
        .map(|c| {
            let (config, problem) = match config_of(&c) {
                Ok(cfg) => (Some(cfg.redacted()), None),
                Err(e) => (None, Some(e.to_string())),
            };
            ChannelView {
                pending: count(c.id, "pending"),
                sent: count(c.id, "sent"),
                failed: count(c.id, "failed"),
                channel: c,
                config,
                problem,
            }
        })
        .collect())
}

/// A channel as stored from a checked form: its settings sealed, the provider's rate when
/// none is given; the rest (id, kind, times) from `base`.
fn stored(f: &ChannelForm, base: store::Channel) -> Result<store::Channel, AppError> {
    Ok(store::Channel {
        name: f.name.trim().into(),
        unit_id: f.unit_id,
        sealed: sealer()?.seal(&serde_json::to_vec(&f.config).expect("config serialises")),
        per_minute: f
            .per_minute
            .unwrap_or_else(|| i64::from(f.config.kind().default_per_minute())),
        enabled: f.enabled,
        events: f.events.clone(),
        ..base
    })
}

/// What the audit log keeps of a channel: its settings with every credential blanked.
fn audited(c: &store::Channel, f: &ChannelForm) -> serde_json::Value {
    serde_json::json!({"name": c.name, "kind": c.kind, "unit_id": c.unit_id, "enabled": c.enabled,
        "per_minute": c.per_minute, "events": c.events, "config": f.config.redacted()})
}

/// Make a channel (administrators); its id.
pub async fn create_channel(
    db: &Db,
    can: &Can<ManageUsers>,
    f: ChannelForm,
) -> Result<i64, AppError> {
    check_form(&f)?;
    if let Some(u) = f.unit_id {
        duban_store::units::get(db, u).await.map_err(|_| {
            AppError::Invalid(
                FieldError::new("unit_id", "unknown", "单位不存在", "no such unit").into(),
            )
        })?;
    }
    let now = duban_store::now_ms();
    let c = stored(
        &f,
        store::Channel {
            id: 0,
            kind: f.config.kind().code().into(),
            name: String::new(),
            unit_id: None,
            sealed: String::new(),
            per_minute: 0,
            enabled: true,
            events: vec![],
            created_at: now,
            updated_at: now,
        },
    )?;
    let mut w = can.write(db).await?;
    let id = store::insert_channel(w.tx(), &c).await?;
    w.audit(
        "channel.create",
        "channel",
        id,
        crate::audit::NONE,
        Some(&audited(&c, &f)),
    );
    w.commit().await?;
    Ok(id)
}

/// Change a channel (administrators): a credential left blank keeps the stored one.
pub async fn update_channel(
    db: &Db,
    can: &Can<ManageUsers>,
    id: i64,
    f: ChannelForm,
) -> Result<(), AppError> {
    let mut w = can.write(db).await?;
    let old = store::channel_in(w.tx(), id)
        .await?
        .ok_or(AppError::NotFound { what: "channel" })?;
    let config = match config_of(&old) {
        Ok(o) => f.config.clone().keep_secrets_of(&o),
        Err(_) => f.config.clone(),
    };
    if config.kind().code() != old.kind {
        return Err(FieldError::new(
            "config.kind",
            "kind",
            "渠道类型不能修改，请新建渠道",
            "a channel's kind cannot change; make a new channel",
        )
        .into());
    }
    let f = ChannelForm { config, ..f };
    check_form(&f)?;
    let c = stored(
        &f,
        store::Channel {
            updated_at: duban_store::now_ms(),
            ..old.clone()
        },
    )?;
    store::update_channel(w.tx(), &c).await?;
    w.audit(
        "channel.update",
        "channel",
        id,
        Some(
            &serde_json::json!({"name": old.name, "enabled": old.enabled, "unit_id": old.unit_id}),
        ),
        Some(&audited(&c, &f)),
    );
    w.commit().await?;
    Ok(())
}

/// Put a test message for a channel in the outbox (administrators): it goes out like any
/// other and its attempts show in the log. `to`: an address or a mobile for email and SMS.
pub async fn test_channel(
    db: &Db,
    can: &Can<ManageUsers>,
    id: i64,
    to: Option<String>,
) -> Result<i64, AppError> {
    let c = store::channels(db)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound { what: "channel" })?;
    let kind = ChannelKind::from_code(&c.kind).ok_or_else(|| AppError::bug("channel kind"))?;
    let to = to.unwrap_or_default().trim().to_string();
    if matches!(kind, ChannelKind::Email | ChannelKind::Sms) && to.is_empty() {
        return Err(FieldError::required("to").into());
    }
    let settings = crate::settings::get(db).await?.delivery;
    let now = duban_store::now_ms();
    let v = Vars {
        title: "督办系统测试消息".into(),
        body: "这是一条测试消息：收到即表示渠道配置正确。".into(),
        url: format!("{}/", settings.public_url.trim_end_matches('/')),
        event: "测试".into(),
        recipient: can.actor().display_name.clone(),
        office: settings.office_name.clone(),
    };
    let text = render(settings.template("*", kind).text(Lang::Zh), &v);
    let mut w = can.write(db).await?;
    store::enqueue(
        w.tx(),
        &Delivery {
            id: 0,
            channel_id: c.id,
            key: format!("{}:test:{now}", c.id),
            event: "test".into(),
            recipient: to.clone(),
            mentions: if kind.is_group() || to.is_empty() {
                vec![]
            } else {
                vec![to.clone()]
            },
            title: v.title.clone(),
            text,
            vars: serde_json::to_string(&v).expect("variables serialise"),
            status: "pending".into(),
            attempts: 0,
            next_at: now,
            claimed_until: 0,
            last_error: String::new(),
            created_at: now,
            sent_at: None,
        },
    )
    .await?;
    w.audit(
        "channel.test",
        "channel",
        id,
        crate::audit::NONE,
        Some(&serde_json::json!({ "to": to })),
    );
    w.commit().await?;
    wake();
    Ok(id)
}

/// A page of the delivery log, each row with its attempts.
#[derive(Debug, Clone, Serialize)]
pub struct Log {
    pub total: i64,
    pub items: Vec<LogRow>,
    /// Messages given up in the last 24 hours (the admin page warns when any).
    pub failed_last_day: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogRow {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub channel: String,
    pub kind: String,
    pub attempt_log: Vec<store::Attempt>,
}

/// The delivery log (administrators).
pub async fn log(
    db: &Db,
    _can: &Can<ManageUsers>,
    channel: Option<i64>,
    status: Option<String>,
    page: Option<i64>,
    page_size: Option<i64>,
) -> Result<Log, AppError> {
    let (offset, limit) = crate::paging(page, page_size)?;
    let (total, rows) = store::log(db, channel, status.as_deref(), offset, limit).await?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let attempts = store::attempts_of(db, &ids).await?;
    let channels = store::channels(db).await?;
    let since = duban_store::now_ms() - 86_400_000;
    let failed_last_day = db_failed_since(db, since).await?;
    Ok(Log {
        total,
        failed_last_day,
        items: rows
            .into_iter()
            .map(|d| {
                let c = channels.iter().find(|c| c.id == d.channel_id);
                LogRow {
                    channel: c.map(|c| c.name.clone()).unwrap_or_default(),
                    kind: c.map(|c| c.kind.clone()).unwrap_or_default(),
                    attempt_log: attempts
                        .iter()
                        .filter(|a| a.delivery_id == d.id)
                        .cloned()
                        .collect(),
                    delivery: d,
                }
            })
            .collect(),
    })
}

async fn db_failed_since(db: &Db, since: i64) -> Result<i64, AppError> {
    Ok(db
        .scalar(
            "SELECT COUNT(*) AS v FROM deliveries WHERE status = 'failed' AND created_at >= $1",
            &[since.into()],
        )
        .await?)
}

/// A template filled with an example message, for the administrator's preview.
pub fn preview(
    template: &Template,
    lang: Lang,
    settings: &DeliverySettings,
) -> Result<String, AppError> {
    template.validate()?;
    let v = Vars {
        title: "2025年11月月报今日截止".into(),
        body: "第一师 有 3 个项目的 2025年11月 月报尚未提交，今日（2025-12-05）截止。".into(),
        url: format!(
            "{}/reports?period=2025-11",
            settings.public_url.trim_end_matches('/')
        ),
        event: "今日截止".into(),
        recipient: "张三".into(),
        office: settings.office_name.clone(),
    };
    Ok(render(template.text(lang), &v))
}

/// What a person has chosen (defaults when they never chose), and what the office offers.
#[derive(Debug, Clone, Serialize)]
pub struct MyPrefs {
    pub prefs: Prefs,
    /// Kinds the person may choose: allowed by the office and configured.
    pub available: Vec<ChannelKind>,
    /// Their unit's group robots (they reach the person there without a choice).
    pub groups: Vec<String>,
}

/// The form for one's own choices.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefsForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub mobile: String,
    #[serde(default)]
    /// email, sms
    pub channels: Vec<String>,
    /// HH:MM; equal ends: no quiet hours.
    #[serde(default = "midnight")]
    #[schemars(regex(pattern = r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub quiet_from: String,
    #[serde(default = "midnight")]
    #[schemars(regex(pattern = r"^([01]\d|2[0-3]):[0-5]\d$"))]
    pub quiet_to: String,
    #[serde(default)]
    pub lang: Lang,
}

fn midnight() -> String {
    "00:00".into()
}

pub async fn my_prefs(db: &Db, caller: &Caller) -> Result<MyPrefs, AppError> {
    let me = caller.actor.user_id.get();
    let prefs = store::prefs_of(db, me).await?.unwrap_or(Prefs {
        user_id: me,
        email: String::new(),
        mobile: String::new(),
        channels: vec![],
        quiet_from: 0,
        quiet_to: 0,
        lang: "zh".into(),
    });
    let settings = crate::settings::get(db).await?.delivery;
    let chans = store::channels(db).await?;
    let available = settings
        .allowed
        .iter()
        .filter_map(|k| ChannelKind::from_code(k))
        .filter(|k| chans.iter().any(|c| c.enabled && c.kind == k.code()))
        .collect();
    let groups = chans
        .iter()
        .filter(|c| {
            c.enabled
                && matches!(c.kind.as_str(), "wecom" | "dingtalk")
                && c.unit_id.is_none_or(|u| u == caller.actor.unit_id)
        })
        .map(|c| c.name.clone())
        .collect();
    Ok(MyPrefs {
        prefs,
        available,
        groups,
    })
}

fn hhmm(m: i64) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Change one's own choices.
pub async fn set_my_prefs(db: &Db, caller: &Caller, f: PrefsForm) -> Result<MyPrefs, AppError> {
    let email = f.email.trim().to_string();
    if !email.is_empty() && (!email.contains('@') || email.contains(' ') || email.len() > 200) {
        return Err(FieldError::new(
            "email",
            "email",
            format!("“{email}”不是邮件地址"),
            format!("'{email}' is not an email address"),
        )
        .into());
    }
    let mobile: String = f
        .mobile
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = mobile.strip_prefix("+86").unwrap_or(&mobile);
    let valid =
        digits.len() == 11 && digits.starts_with('1') && digits.chars().all(|c| c.is_ascii_digit());
    if !(mobile.is_empty() || valid) {
        return Err(FieldError::new(
            "mobile",
            "mobile",
            format!("“{}”不是 11 位手机号码", f.mobile),
            format!("'{}' is not an 11-digit mobile number", f.mobile),
        )
        .into());
    }
    let kinds = f
        .channels
        .iter()
        .map(|k| ChannelKind::parse("channels", k))
        .collect::<Result<Vec<_>, _>>()?;
    for k in &kinds {
        let (needs, what_zh, what_en) = match k {
            ChannelKind::Email => (email.is_empty(), "邮件地址", "an email address"),
            ChannelKind::Sms => (digits.is_empty(), "手机号码", "a mobile number"),
            _ => {
                return Err(FieldError::new(
                    "channels",
                    "kind",
                    "只能选择邮件或短信；群机器人由管理员按单位配置",
                    "choose email or SMS; group robots are set up per unit by the administrator",
                )
                .into());
            }
        };
        if needs {
            return Err(FieldError::new(
                "channels",
                "contact",
                format!("选择{}前请先填写{what_zh}", k.zh()),
                format!("{} needs {what_en}", k.en()),
            )
            .into());
        }
    }
    let from = minutes("quiet_from", &f.quiet_from)?;
    let to = minutes("quiet_to", &f.quiet_to)?;
    let me = caller.actor.user_id.get();
    let p = Prefs {
        user_id: me,
        email,
        mobile: digits.to_string(),
        channels: kinds.iter().map(|k| k.code().to_string()).collect(),
        quiet_from: from,
        quiet_to: to,
        lang: match f.lang {
            Lang::Zh => "zh".into(),
            Lang::En => "en".into(),
        },
    };
    let mut w = caller.write_own(db).await?;
    store::set_prefs(w.tx(), &p, duban_store::now_ms()).await?;
    w.audit(
        "notify_prefs.update",
        "user",
        me,
        crate::audit::NONE,
        Some(&serde_json::json!({"channels": p.channels, "quiet": [hhmm(from), hhmm(to)], "lang": p.lang,
            "email_set": !p.email.is_empty(), "mobile_set": !p.mobile.is_empty()})),
    );
    w.commit().await?;
    my_prefs(db, caller).await
}
