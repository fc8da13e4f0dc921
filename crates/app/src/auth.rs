//! Logging in and out, sessions, password changes, TOTP and API tokens (DESIGN §8).
//! Secrets (session tokens, API tokens) are random, shown once, and stored as SHA-256.

use crate::access::{Actor, Caller};
use crate::accounts::{hash_password, verify_password};
use crate::audit::Who;
use crate::{AppError, audit, settings};
use duban_domain::Role;
use duban_domain::ids::UserId;
use duban_domain::security::{self, AccountState, Gate};
use duban_store::users::User;
use duban_store::{Db, now_ms, sessions, users};
use rand::RngCore;
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    OsRng.fill_bytes(&mut b);
    data_encoding::HEXLOWER.encode(&b)
}

/// The SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(secret.as_bytes()))
}

/// An argon2 hash of a random password, verified against when the user name is unknown
/// so that a wrong name takes as long as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password("Dummy-password-1").expect("argon2"));

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub username: String,
    pub password: String,
    /// The 6-digit code, for accounts with a second factor.
    #[serde(default)]
    pub totp: Option<String>,
}

/// What a successful login gives: the session secret (for the cookie) and the CSRF token.
#[derive(Debug, Clone, Serialize)]
pub struct LoginOk {
    #[serde(skip)]
    pub session: String,
    pub csrf_token: String,
    pub user: Me,
}

/// The caller as the UI sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit_id: i64,
    pub roles: Vec<duban_domain::access::RoleGrant>,
    pub capabilities: Vec<duban_domain::access::Capability>,
    pub password_change_required: bool,
    /// The person's role requires a second factor and they have none yet: they must set
    /// one up before anything else.
    pub totp_required: bool,
    /// Unused recovery codes of the second factor.
    pub recovery_codes_left: i64,
    /// `password` or `sso`.
    pub signed_in_via: &'static str,
    /// The session's CSRF token, for a page opened after a sign-in it did not make itself
    /// (back from the identity platform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    pub totp_enabled: bool,
    /// Where reports are approved at two levels: whether this user's unit gives the
    /// second, last approval (their inbox holds the reports with a first approval).
    pub second_approver: bool,
    /// Whether reports are approved at two levels here (a first approval is then not
    /// the last).
    pub two_level_approval: bool,
}

fn bad_login() -> AppError {
    AppError::auth(
        "bad_credentials",
        "wrong user name or password",
        "用户名或密码错误",
    )
}

/// The keys failed sign-ins are counted under: the account from this source, and the
/// source whatever account it tries.
fn throttle_keys(user: Option<i64>, ip: &str) -> (Option<String>, String) {
    let source = source_of(ip);
    (
        user.map(|u| format!("a:{u}:{source}")),
        format!("s:{source}"),
    )
}

/// The source failures are counted under: an IPv4 address, or an IPv6 address's /64
/// (one subscriber's network: its addresses are too many to count one by one).
pub(crate) fn source_of(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>().map(|a| a.to_canonical()) {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(v4) => v4.to_string(),
        Err(_) => ip.to_string(),
    }
}

#[cfg(test)]
mod source_tests {
    #[test]
    fn an_ipv6_network_counts_as_one_source() {
        assert_eq!(super::source_of("203.0.113.5"), "203.0.113.5");
        assert_eq!(super::source_of("::ffff:203.0.113.5"), "203.0.113.5");
        assert_eq!(
            super::source_of("2001:db8:1:2:aaaa::1"),
            super::source_of("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            super::source_of("2001:db8:1:2::1"),
            super::source_of("2001:db8:1:3::1")
        );
    }
}

/// Count this attempt under the keys before anything is checked (attempts made at once
/// are all counted, so parallel guesses gain nothing); a lock in force, or more attempts
/// than allowed already under way, answers before the password is even looked at.
async fn reserve(db: &Db, keys: &[(&str, i64)], now: i64) -> Result<Option<i64>, AppError> {
    let mut tx = db.write().await?;
    let mut refuse = None;
    for (key, limit) in keys {
        let (attempts, locked_until, _) = sessions::reserve_throttle(
            &mut tx,
            key,
            now,
            now - security::FAILURE_WINDOW_MS,
            now - security::MAX_LOCK_MS,
        )
        .await?;
        if locked_until > now {
            refuse = refuse.max(Some(locked_until));
        } else if attempts > *limit {
            // More attempts under way at once than failures allowed: wait a moment.
            refuse = refuse.max(Some(now + 60_000));
        }
    }
    tx.commit().await?;
    Ok(refuse)
}

/// The attempt failed: the keys that reached their limit lock; the end of the lock.
async fn confirm_failure(db: &Db, keys: &[(&str, i64)], now: i64) -> Result<Option<i64>, AppError> {
    let mut tx = db.write().await?;
    let mut locked = None;
    for (key, limit) in keys {
        locked = locked
            .max(sessions::confirm_failure(&mut tx, key, now, *limit, security::lock_ms).await?);
    }
    tx.commit().await?;
    Ok(locked)
}

/// The attempt was not a failure: take it back (and forget the account's failures from
/// this source when the person is signed in).
async fn not_a_failure(
    db: &Db,
    keys: &[(&str, i64)],
    signed_in: Option<&str>,
) -> Result<(), AppError> {
    let mut tx = db.write().await?;
    for (key, _) in keys {
        if Some(*key) == signed_in {
            sessions::clear_throttle(&mut tx, key).await?;
        } else {
            sessions::undo_attempt(&mut tx, key).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Check a login; every attempt is audited with its outcome. Failures lock the account
/// from the source they come from (five in a row), and the source itself (twenty),
/// each new lock twice as long as the last: an attacker is slowed without being handed a
/// switch that locks a colleague out from elsewhere or stops their API tokens. An
/// administrator's lock (`duban user lock`, 锁定) stops the account everywhere.
pub async fn login(db: &Db, input: &LoginInput, ip: &str) -> Result<LoginOk, AppError> {
    let name = input.username.trim();
    let now = now_ms();
    if !settings::get(db).await?.sign_in.password_login {
        audit::event(db, Who { id: None, name, ip }, "login", "password_off").await?;
        return Err(AppError::auth(
            "password_login_off",
            "passwords are switched off here: sign in through the identity platform",
            "本系统已停用密码登录，请使用统一身份认证登录",
        ));
    }
    let user = users::by_username(db, name).await?;
    let (account_key, source_key) = throttle_keys(user.as_ref().map(|u| u.id), ip);
    let mut keys: Vec<(&str, i64)> = vec![(source_key.as_str(), security::SOURCE_MAX_FAILURES)];
    if let Some(k) = &account_key {
        keys.push((k.as_str(), security::MAX_FAILURES));
    }
    let mut gate = reserve(db, &keys, now).await?;
    if let Some(u) = &user
        && let Gate::Locked(until) = security::gate(
            AccountState {
                failed_logins: u.failed_logins,
                locked_until: u.locked_until,
            },
            now,
        )
    {
        gate = gate.max(Some(until));
    }
    let Some(u) = user else {
        verify_off_thread(&input.password, &DUMMY_HASH).await?;
        if let Some(until) = gate {
            audit::event(db, Who { id: None, name, ip }, "login", "locked").await?;
            return Err(AppError::Locked { until });
        }
        let locked = confirm_failure(db, &keys, now).await?;
        audit::event(db, Who { id: None, name, ip }, "login", "failed").await?;
        return Err(locked.map_or_else(bad_login, |until| AppError::Locked { until }));
    };
    let who = Who {
        id: Some(u.id),
        name,
        ip,
    };
    if let Some(until) = gate {
        audit::event(db, who, "login", "locked").await?;
        return Err(AppError::Locked { until });
    }
    if !verify_off_thread(&input.password, &u.password_hash).await? {
        let locked = confirm_failure(db, &keys, now).await?;
        audit::event(
            db,
            who,
            "login",
            if locked.is_some() { "locked" } else { "failed" },
        )
        .await?;
        return Err(match locked {
            Some(until) => AppError::Locked { until },
            None => bad_login(),
        });
    }
    if u.totp_enabled {
        let Some(code) = input.totp.as_deref().filter(|c| !c.trim().is_empty()) else {
            // The first step of two: not a failure, but the account's count stays (the
            // code is guessed under it).
            not_a_failure(db, &keys, None).await?;
            audit::event(db, who, "login", "totp_required").await?;
            return Err(AppError::auth(
                "totp_required",
                "enter the 6-digit code of your authenticator app",
                "请输入动态口令（6位数字）",
            ));
        };
        // A wrong code counts like a wrong password: codes cannot be tried without end.
        // A recovery code stands in for the app's code once.
        let used = if let Some(step) = check_totp(&u, code, now) {
            let mut tx = db.write().await?;
            users::set_totp_step(&mut tx, u.id, step as i64).await?;
            tx.commit().await?;
            Some("ok")
        } else if let Some(d) = recovery_digest(u.id, code)? {
            let mut tx = db.write().await?;
            let ok = sessions::use_recovery_code(&mut tx, u.id, &d, now).await?;
            tx.commit().await?;
            ok.then_some("recovery_code")
        } else {
            None
        };
        let Some(how) = used else {
            let locked = confirm_failure(db, &keys, now).await?;
            audit::event(
                db,
                who,
                "login",
                if locked.is_some() {
                    "locked"
                } else {
                    "totp_failed"
                },
            )
            .await?;
            return Err(match locked {
                Some(until) => AppError::Locked { until },
                None => AppError::auth(
                    "totp_wrong",
                    "the code is wrong or was used already",
                    "动态口令不正确或已使用",
                ),
            });
        };
        if how == "recovery_code" {
            audit::event(db, who, "login", "recovery_code").await?;
        }
    }
    not_a_failure(db, &keys, account_key.as_deref()).await?;
    open_session(db, &u, ip, Via::Password, async |_, _| Ok(())).await
}

/// How a session was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// The local password (and the second factor, when the account has one).
    Password,
    /// The office's identity platform, which vouched for the person and their factors.
    Sso,
}

impl Via {
    fn code(self) -> &'static str {
        match self {
            Via::Password => "password",
            Via::Sso => "sso",
        }
    }
}

/// Open a session for a person whose sign-in succeeded; `also` writes in the same
/// transaction (the first link of an external identity).
pub(crate) async fn open_session(
    db: &Db,
    u: &User,
    ip: &str,
    via: Via,
    also: impl AsyncFnOnce(&mut duban_store::db::Tx, &Actor) -> Result<(), AppError>,
) -> Result<LoginOk, AppError> {
    let now = now_ms();
    let s = settings::get(db).await?;
    // Sessions idle past the timeout are dead; clear them out as users come and go.
    sessions::purge_idle(db, now - s.idle_minutes * 60_000).await?;
    let session = random_hex(32);
    let csrf = random_hex(16);
    let actor = actor_of(u, ip, None);
    let mut tx = db.write().await?;
    also(&mut tx, &actor).await?;
    sessions::create(&mut tx, &digest(&session), u.id, &csrf, now, ip, via.code()).await?;
    let action = match via {
        Via::Password => "login",
        Via::Sso => "login_sso",
    };
    audit::user_action(&mut tx, &actor, action, u.id).await?;
    tx.commit().await?;
    let caller = Caller::resolve(db, actor, u.grants.clone()).await?;
    let left = sessions::recovery_codes_left(db, u.id).await?;
    Ok(LoginOk {
        session,
        csrf_token: csrf,
        user: me_of(u, &caller, now, &s, via, left),
    })
}

/// Argon2 takes tens of milliseconds of CPU: keep it off the async workers.
async fn verify_off_thread(password: &str, hash: &str) -> Result<bool, AppError> {
    let (pw, hash) = (password.to_string(), hash.to_string());
    tokio::task::spawn_blocking(move || verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::internal("background task", e))
}

fn check_totp(u: &User, code: &str, now: i64) -> Option<u64> {
    let secret = security::from_base32(&crate::secrets::open_text(u.totp_secret.as_deref()?)?)?;
    let step = security::totp_check(&secret, code, (now / 1000) as u64)?;
    // A code is good once.
    (u.totp_last_step.is_none_or(|last| step as i64 > last)).then_some(step)
}

/// How many recovery codes a second factor comes with.
pub const RECOVERY_CODES: usize = 10;

/// A recovery code as typed (`k7qm-x2pd`, spaces, dashes and case ignored): the stored
/// digest it would have, or `None` when the text is no recovery code.
fn recovery_digest(user: i64, typed: &str) -> Result<Option<String>, AppError> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    if code.len() != 8 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    crate::secrets::keyed_digest("duban recovery code", &format!("{user}:{code}")).map(Some)
}

/// New recovery codes for an account: shown once, stored as keyed digests.
async fn issue_recovery_codes(
    w: &mut crate::unit_of_work::UnitOfWork<'_>,
    user: i64,
) -> Result<Vec<String>, AppError> {
    let mut shown = Vec::with_capacity(RECOVERY_CODES);
    let mut digests = Vec::with_capacity(RECOVERY_CODES);
    while shown.len() < RECOVERY_CODES {
        let mut b = [0u8; 5];
        OsRng.fill_bytes(&mut b);
        let code = data_encoding::BASE32_NOPAD.encode(&b).to_lowercase();
        let d = recovery_digest(user, &code)?.expect("eight base32 characters");
        if !digests.contains(&d) {
            shown.push(format!("{}-{}", &code[..4], &code[4..]));
            digests.push(d);
        }
    }
    sessions::set_recovery_codes(w.tx(), user, &digests).await?;
    Ok(shown)
}

/// What only the person signed in may do (their credentials, their tokens): never an API
/// token acting for them.
fn person_only(caller: &Caller) -> Result<(), AppError> {
    if caller.actor.token_id.is_some() {
        Err(AppError::SessionOnly)
    } else {
        Ok(())
    }
}

fn actor_of(u: &User, ip: &str, token_id: Option<i64>) -> Actor {
    Actor {
        user_id: UserId::new(u.id),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        unit_id: u.unit_id,
        ip: ip.into(),
        token_id,
    }
}

/// What a person signed in must do before anything else: change the password (initial,
/// or too old), set up the second factor (their role requires one). Neither applies to a
/// sign-in through the identity platform, which keeps the person's credentials.
fn obligations(u: &User, s: &settings::Settings, via: Via, now: i64) -> (bool, bool) {
    if via == Via::Sso {
        return (false, false);
    }
    let password =
        security::password_change_due(u.must_change_password, u.password_changed_at, now);
    (password, !u.totp_enabled && requires_totp(u, s))
}

/// Whether one of the person's roles requires a second factor here.
fn requires_totp(u: &User, s: &settings::Settings) -> bool {
    u.grants
        .iter()
        .any(|g| s.sign_in.totp_roles.contains(&g.role))
}

fn me_of(
    u: &User,
    caller: &Caller,
    now: i64,
    s: &settings::Settings,
    via: Via,
    recovery_codes_left: i64,
) -> Me {
    let second_approval_unit = s.second_approval_unit;
    let (password_change_required, totp_required) = obligations(u, s, via, now);
    Me {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        unit_id: u.unit_id,
        roles: u.grants.clone(),
        capabilities: caller.capabilities(),
        password_change_required,
        totp_required,
        recovery_codes_left,
        signed_in_via: via.code(),
        csrf_token: None,
        totp_enabled: u.totp_enabled,
        two_level_approval: second_approval_unit.is_some(),
        second_approver: second_approval_unit == Some(u.unit_id)
            && caller
                .capabilities()
                .contains(&duban_domain::access::Capability::ApproveReports),
    }
}

/// An authenticated request.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub caller: Caller,
    /// The session's CSRF token; `None` for API tokens (no cookie, no CSRF risk).
    pub csrf: Option<String>,
    pub password_change_required: bool,
    /// A second factor must be set up before anything else.
    pub totp_required: bool,
}

fn expired() -> AppError {
    AppError::auth(
        "session_expired",
        "the session has ended (30 minutes without activity, or logged out); log in again",
        "登录已超时或已退出，请重新登录",
    )
}

async fn active_user(db: &Db, id: i64, now: i64) -> Result<User, AppError> {
    let u = users::get(db, id).await.map_err(|_| expired())?;
    if u.archived || u.locked_until.is_some_and(|t| t > now) {
        return Err(expired());
    }
    Ok(u)
}

/// Resolve a session cookie: idle sessions end, activity extends them.
pub async fn session(db: &Db, secret: &str, ip: &str) -> Result<Authenticated, AppError> {
    let now = now_ms();
    let key = digest(secret);
    let Some(s) = sessions::get(db, &key).await? else {
        return Err(expired());
    };
    let rules = settings::get(db).await?;
    if security::idle_expired(s.last_seen, now, rules.idle_minutes * 60_000) {
        sessions::delete(db, &key).await?;
        return Err(expired());
    }
    if now - s.last_seen > 15_000 {
        sessions::touch(db, &key, now).await?;
    }
    let u = active_user(db, s.user_id, now).await?;
    let (password_change_required, totp_required) = obligations(&u, &rules, via_of(&s.via), now);
    let caller = Caller::resolve(db, actor_of(&u, ip, None), u.grants.clone()).await?;
    Ok(Authenticated {
        caller,
        csrf: Some(s.csrf),
        password_change_required,
        totp_required,
    })
}

/// Resolve an API token (`Authorization: Bearer duban_…`).
pub async fn token(db: &Db, secret: &str, ip: &str) -> Result<Authenticated, AppError> {
    let now = now_ms();
    let invalid = || {
        AppError::auth(
            "bad_token",
            "the API token is unknown, revoked or expired",
            "接口令牌无效、已撤销或已过期",
        )
    };
    let t = sessions::token_by_hash(db, &digest(secret))
        .await?
        .ok_or_else(invalid)?;
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now) {
        return Err(invalid());
    }
    let u = active_user(db, t.user_id, now)
        .await
        .map_err(|_| invalid())?;
    if t.last_used.is_none_or(|l| now - l > 60_000) {
        sessions::token_used(db, t.id, now).await?;
    }
    let grants: Vec<_> = u
        .grants
        .iter()
        .filter(|g| t.roles.contains(&g.role))
        .cloned()
        .collect();
    let caller = Caller::resolve(db, actor_of(&u, ip, Some(t.id)), grants).await?;
    Ok(Authenticated {
        caller,
        csrf: None,
        password_change_required: false,
        totp_required: false,
    })
}

pub async fn logout(db: &Db, secret: &str, caller: &Caller) -> Result<(), AppError> {
    sessions::delete(db, &digest(secret)).await?;
    audit::event(
        db,
        Who {
            id: Some(caller.actor.user_id.get()),
            name: &caller.actor.username,
            ip: &caller.actor.ip,
        },
        "logout",
        "ok",
    )
    .await
}

fn via_of(code: &str) -> Via {
    if code == "sso" {
        Via::Sso
    } else {
        Via::Password
    }
}

/// The caller as the UI sees it; `session`: the cookie's secret, for how it was opened.
pub async fn me(db: &Db, caller: &Caller, session: Option<&str>) -> Result<Me, AppError> {
    let u = users::get(db, caller.actor.user_id.get()).await?;
    let session = match session {
        Some(secret) => sessions::get(db, &digest(secret)).await?,
        None => None,
    };
    let via = session.as_ref().map_or(Via::Password, |s| via_of(&s.via));
    let left = sessions::recovery_codes_left(db, u.id).await?;
    let mut me = me_of(&u, caller, now_ms(), &settings::get(db).await?, via, left);
    me.csrf_token = session.map(|s| s.csrf);
    Ok(me)
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// Change one's own password; other sessions of the user end.
pub async fn change_password(
    db: &Db,
    caller: &Caller,
    keep_session: Option<&str>,
    p: &PasswordChange,
) -> Result<(), AppError> {
    person_only(caller)?;
    let u = users::get(db, caller.actor.user_id.get()).await?;
    if !verify_off_thread(&p.old_password, &u.password_hash).await? {
        return Err(duban_domain::FieldError::new(
            "old_password",
            "wrong",
            "原密码不正确",
            "the current password is wrong",
        )
        .into());
    }
    // Not twice in a day (unless it must change): the history cannot be cycled through.
    let now = now_ms();
    if !u.must_change_password && now - u.password_changed_at < duban_domain::password::MIN_AGE_MS {
        return Err(duban_domain::FieldError::new(
            "new_password",
            "too_soon",
            "密码一天内只能修改一次；如忘记或泄露，请联系管理员重置",
            "a password changes at most once a day; if it was forgotten or leaked, ask an administrator to reset it",
        )
        .into());
    }
    duban_domain::password::check_for(
        "new_password",
        &p.new_password,
        &u.username,
        &u.display_name,
    )?;
    // Not one of the last five, the initial password the administrator issued included.
    let mut recent = users::password_history(db, u.id).await?;
    recent.push(u.password_hash.clone());
    for old in recent {
        if verify_off_thread(&p.new_password, &old).await? {
            return Err(duban_domain::FieldError::new(
                "new_password",
                "reused",
                format!(
                    "新密码不能与最近{}次使用过的密码相同",
                    duban_domain::password::HISTORY
                ),
                format!(
                    "the new password must differ from the last {} passwords",
                    duban_domain::password::HISTORY
                ),
            )
            .into());
        }
    }
    let hash = hash_password(&p.new_password)?;
    let mut w = caller.write_own(db).await?;
    users::set_password(w.tx(), u.id, &hash, false).await?;
    sessions::delete_others(w.tx(), u.id, keep_session.map(digest).as_deref()).await?;
    w.audit("user.password", "user", u.id, audit::NONE, audit::NONE);
    w.commit().await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct TotpSetup {
    /// Base32, for manual entry.
    pub secret: String,
    /// `otpauth://` URI, for a QR code.
    pub uri: String,
}

/// Start enrolment: a new secret, not in force until confirmed with a code.
pub async fn totp_setup(db: &Db, caller: &Caller) -> Result<TotpSetup, AppError> {
    person_only(caller)?;
    let u = users::get(db, caller.actor.user_id.get()).await?;
    if u.totp_enabled {
        return Err(AppError::Conflict(
            "TOTP is already enabled; disable it first".into(),
        ));
    }
    let mut b = [0u8; 20];
    OsRng.fill_bytes(&mut b);
    let secret = security::base32(&b);
    // Stored sealed: a copy of the database does not give the second factor away.
    let sealed = crate::secrets::seal_text(&secret)?;
    let mut w = caller.write_own(db).await?;
    users::set_totp(w.tx(), u.id, Some(&sealed), false).await?;
    w.audit("user.totp_setup", "user", u.id, audit::NONE, audit::NONE);
    w.commit().await?;
    Ok(TotpSetup {
        uri: format!(
            "otpauth://totp/duban:{}?secret={secret}&issuer=duban",
            u.username
        ),
        secret,
    })
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TotpCode {
    pub code: String,
}

fn bad_code() -> AppError {
    duban_domain::FieldError::new("code", "wrong", "动态口令不正确", "the code is wrong").into()
}

/// Confirm enrolment (`enable = true`) or turn the second factor off, with a current code.
pub async fn totp_confirm(
    db: &Db,
    caller: &Caller,
    code: &str,
    enable: bool,
) -> Result<RecoveryCodes, AppError> {
    person_only(caller)?;
    let u = users::get(db, caller.actor.user_id.get()).await?;
    if u.totp_secret.is_none() || u.totp_enabled == enable {
        return Err(AppError::Conflict(if enable {
            "start TOTP setup first".into()
        } else {
            "TOTP is not enabled".into()
        }));
    }
    let step = check_totp(&u, code, now_ms()).ok_or_else(bad_code)?;
    if !enable && requires_totp(&u, &settings::get(db).await?) {
        return Err(AppError::Conflict(
            "your role requires a second factor: it cannot be turned off (您的角色须使用动态口令，不能关闭)".into(),
        ));
    }
    let mut w = caller.write_own(db).await?;
    let codes = if enable {
        users::set_totp(w.tx(), u.id, u.totp_secret.as_deref(), true).await?;
        users::set_totp_step(w.tx(), u.id, step as i64).await?;
        issue_recovery_codes(&mut w, u.id).await?
    } else {
        users::set_totp(w.tx(), u.id, None, false).await?;
        sessions::set_recovery_codes(w.tx(), u.id, &[]).await?;
        Vec::new()
    };
    let action = if enable {
        "user.totp_enable"
    } else {
        "user.totp_disable"
    };
    w.audit(action, "user", u.id, audit::NONE, audit::NONE);
    w.commit().await?;
    Ok(RecoveryCodes { codes })
}

/// Recovery codes, shown once: each stands in for the app's code at one sign-in.
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

/// New recovery codes (the old ones stop working), with a current code of the app.
pub async fn renew_recovery_codes(
    db: &Db,
    caller: &Caller,
    code: &str,
) -> Result<RecoveryCodes, AppError> {
    person_only(caller)?;
    let u = users::get(db, caller.actor.user_id.get()).await?;
    if !u.totp_enabled {
        return Err(AppError::Conflict("TOTP is not enabled".into()));
    }
    let step = check_totp(&u, code, now_ms()).ok_or_else(bad_code)?;
    let mut w = caller.write_own(db).await?;
    users::set_totp_step(w.tx(), u.id, step as i64).await?;
    let codes = issue_recovery_codes(&mut w, u.id).await?;
    w.audit(
        "user.recovery_codes",
        "user",
        u.id,
        audit::NONE,
        audit::NONE,
    );
    w.commit().await?;
    Ok(RecoveryCodes { codes })
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    #[schemars(length(min = 1, max = 100), regex(pattern = r"\S"))]
    pub name: String,
    /// A subset of the caller's roles (all of them when empty).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Days until it expires (1..=366); none for no expiry.
    #[serde(default)]
    #[schemars(range(min = 1, max = 366))]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    pub id: i64,
    /// Shown once; only its hash is kept.
    pub token: String,
}

/// Issue an API token acting as the caller, with some of the caller's roles.
pub async fn create_token(db: &Db, caller: &Caller, t: &TokenInput) -> Result<NewToken, AppError> {
    // A token does not mint tokens: one stolen must not outlive its own revocation.
    person_only(caller)?;
    let mut e = duban_domain::ValidationErrors::default();
    let name = e.take(duban_domain::text::field("name", &t.name, 100, true));
    let own = caller.roles();
    let mut roles: Vec<Role> = Vec::new();
    for r in &t.roles {
        match Role::parse("roles", r) {
            Ok(r) if own.contains(&r) => roles.push(r),
            Ok(r) => e.push(duban_domain::FieldError::new(
                "roles",
                "not_held",
                format!("您没有“{}”角色，不能授予令牌", r.zh()),
                format!(
                    "you do not hold the role {}, so a token cannot have it",
                    r.code()
                ),
            )),
            Err(x) => e.push(x),
        }
    }
    if roles.is_empty() {
        roles = own;
    }
    if t.expires_in_days.is_some_and(|d| !(1..=366).contains(&d)) {
        e.push(duban_domain::FieldError::new(
            "expires_in_days",
            "range",
            "有效期应为1—366天",
            "expiry must be 1 to 366 days",
        ));
    }
    let name = e.into_result(|| name.expect("checked"))?;
    let secret = format!("duban_{}", random_hex(24));
    let now = now_ms();
    let expires = t.expires_in_days.map(|d| now + d * 86_400_000);
    let mut w = caller.write_own(db).await?;
    let id = sessions::insert_token(
        w.tx(),
        caller.actor.user_id.get(),
        &name,
        &digest(&secret),
        &roles,
        now,
        expires,
    )
    .await?;
    let after = serde_json::json!({ "name": name, "roles": roles.iter().map(|r| r.code()).collect::<Vec<_>>(), "expires_at": expires });
    w.audit("token.create", "api_token", id, audit::NONE, Some(&after));
    w.commit().await?;
    Ok(NewToken { id, token: secret })
}

/// The caller's tokens (administrators see everyone's).
pub async fn tokens(db: &Db, caller: &Caller) -> Result<Vec<sessions::ApiToken>, AppError> {
    let all = caller.roles().contains(&Role::Admin);
    Ok(sessions::tokens(db, (!all).then_some(caller.actor.user_id.get())).await?)
}

/// Revoke a token: its owner or an administrator.
pub async fn revoke_token(db: &Db, caller: &Caller, id: i64) -> Result<(), AppError> {
    let t = sessions::token(db, id)
        .await
        .map_err(|_| AppError::NotFound { what: "token" })?;
    if t.user_id != caller.actor.user_id.get() && !caller.roles().contains(&Role::Admin) {
        return Err(AppError::NotFound { what: "token" });
    }
    let mut w = caller.write_own(db).await?;
    sessions::revoke_token(w.tx(), id, now_ms()).await?;
    w.audit("token.revoke", "api_token", id, Some(&t), audit::NONE);
    w.commit().await?;
    Ok(())
}
