//! Signing in through the office's identity platform (统一身份认证) with OpenID Connect.
//!
//! `start` leaves for the platform with a fresh state, nonce and PKCE verifier, kept in
//! the database (any instance may receive the browser back); `finish` takes them back
//! once, has the platform's answer checked (`duban_outbound::oidc`), finds the duban
//! account of the identity and opens a session. An identity is linked to an account on
//! its first sign-in, by the account's user name in the configured claim, and by its
//! subject after that: renaming the person at the platform does not move the link, and
//! a second identity claiming an account already linked is refused.

use crate::audit::Who;
use crate::auth::{LoginOk, Via, digest, open_session};
use crate::{AppError, audit};
use duban_outbound::oidc::{OidcClient, OidcError, Secrets};
use duban_store::{Db, now_ms, sessions, users};
use serde::Deserialize;

/// The platform this server signs people in through, and how its button reads.
#[derive(Debug)]
pub struct Sso {
    pub client: OidcClient,
    /// The button on the sign-in page (统一身份认证登录).
    pub label: String,
}

/// How long a sign-in may stay at the platform.
const PENDING_MS: i64 = 10 * 60_000;

/// Where to send the browser, and the state to bind to it (a cookie).
#[derive(Debug)]
pub struct Leaving {
    pub url: String,
    pub state: String,
}

fn platform_down(e: OidcError) -> AppError {
    tracing::warn!(error = %e, "identity platform");
    AppError::auth(
        "sso_unavailable",
        "the identity platform cannot be reached; try again, or ask the administrator",
        "统一身份认证平台暂时无法访问，请稍后重试或联系管理员",
    )
}

/// Leave for the platform.
pub async fn start(db: &Db, sso: &Sso) -> Result<Leaving, AppError> {
    let s = Secrets::new();
    let url = sso
        .client
        .authorization_url(&s.state, &s.nonce, &s.challenge)
        .await
        .map_err(platform_down)?;
    let now = now_ms();
    let mut tx = db.write().await?;
    sessions::sso_pending_put(
        &mut tx,
        &digest(&s.state),
        &s.nonce,
        &s.verifier,
        now,
        now - PENDING_MS,
    )
    .await?;
    tx.commit().await?;
    Ok(Leaving {
        url,
        state: s.state,
    })
}

/// What the platform sends the browser back with.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    /// The issuer (RFC 9207), when the platform says it.
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Why a sign-in through the platform failed: the code the sign-in page explains.
fn refused(code: &'static str) -> AppError {
    let (en, zh) = match code {
        "sso_denied" => (
            "the identity platform did not sign you in",
            "统一身份认证平台未完成登录",
        ),
        "sso_state" => (
            "this sign-in was used already, has expired, or was started in another browser; start again",
            "登录请求已使用、已过期或不是在本浏览器发起的，请重新登录",
        ),
        "sso_no_account" => (
            "your identity has no duban account; ask the administrator to create or link one",
            "您的统一身份认证账号在本系统中没有对应账号，请联系管理员开通",
        ),
        "sso_conflict" => (
            "the duban account of this name is linked to another identity already; ask the administrator",
            "本系统中同名账号已绑定其他统一身份认证账号，请联系管理员",
        ),
        "sso_privileged" => (
            "this account's role signs in with its password and second factor, not through the platform",
            "该账号的角色须使用本系统密码和动态口令登录，不能通过统一身份认证登录",
        ),
        "sso_disabled" => (
            "your duban account is locked or archived",
            "您在本系统的账号已被锁定或停用",
        ),
        _ => (
            "the identity platform's answer failed its checks; the sign-in was refused",
            "统一身份认证平台的应答未通过校验，已拒绝登录",
        ),
    };
    AppError::auth(code, en, zh)
}

/// Come back from the platform: `browser_state` is the state bound to the browser that
/// left (its cookie). Every outcome is audited.
pub async fn finish(
    db: &Db,
    sso: &Sso,
    cb: &Callback,
    browser_state: Option<&str>,
    ip: &str,
) -> Result<LoginOk, AppError> {
    let anonymous = Who {
        id: None,
        name: "",
        ip,
    };
    let fail = async |who: Who<'_>, code: &'static str, detail: &str| {
        audit::event(db, who, "login_sso", &format!("{code}: {detail}")).await?;
        Err::<LoginOk, AppError>(refused(code))
    };
    if let Some(e) = &cb.error {
        let d = format!("{e} {}", cb.error_description.as_deref().unwrap_or(""));
        return fail(anonymous, "sso_denied", d.trim()).await;
    }
    let (Some(code), Some(state)) = (cb.code.as_deref(), cb.state.as_deref()) else {
        return fail(anonymous, "sso_state", "no code or state").await;
    };
    // The browser that comes back must be the one that left (no sign-in planted by
    // another site), and a state is good once, for ten minutes.
    if browser_state != Some(state) {
        return fail(anonymous, "sso_state", "the state is not this browser's").await;
    }
    let mut tx = db.write().await?;
    let pending = sessions::sso_pending_take(&mut tx, &digest(state)).await?;
    tx.commit().await?;
    let Some((nonce, verifier, created)) = pending else {
        return fail(anonymous, "sso_state", "unknown or used state").await;
    };
    if now_ms() - created > PENDING_MS {
        return fail(anonymous, "sso_state", "the sign-in expired").await;
    }
    if let Some(iss) = &cb.iss
        && !sso.client.is_issuer(iss)
    {
        return fail(anonymous, "sso_token", &format!("callback issuer {iss}")).await;
    }
    let id = match sso.client.redeem(code, &verifier, &nonce).await {
        Ok(id) => id,
        Err(e @ OidcError::Unreachable(_)) => return Err(platform_down(e)),
        Err(e) => return fail(anonymous, "sso_token", &e.to_string()).await,
    };
    let ident = format!("{} {}", id.issuer, id.subject);
    let (user, first) = match sessions::external_user(db, &id.issuer, &id.subject).await? {
        Some(u) => (users::get(db, u).await?, false),
        None => {
            let Some(name) = id.username.as_deref().filter(|n| !n.trim().is_empty()) else {
                return fail(
                    anonymous,
                    "sso_no_account",
                    &format!("{ident}: no {} claim", sso.client.config().username_claim),
                )
                .await;
            };
            let Some(u) = users::by_username(db, name.trim()).await? else {
                return fail(anonymous, "sso_no_account", &format!("{ident} as {name}")).await;
            };
            if sessions::has_external(db, &id.issuer, u.id).await? {
                let who = Who {
                    id: Some(u.id),
                    name: &u.username,
                    ip,
                };
                return fail(who, "sso_conflict", &ident).await;
            }
            // An account whose role needs a second factor (administrators, auditors by
            // default) is never taken by a name the platform gives: it signs in with its
            // password and its code.
            let rules = crate::settings::get(db).await?;
            if u.grants
                .iter()
                .any(|g| rules.sign_in.totp_roles.contains(&g.role))
            {
                let who = Who {
                    id: Some(u.id),
                    name: &u.username,
                    ip,
                };
                return fail(who, "sso_privileged", &ident).await;
            }
            (u, true)
        }
    };
    let who = Who {
        id: Some(user.id),
        name: &user.username,
        ip,
    };
    if user.archived || user.locked_until.is_some_and(|t| t > now_ms()) {
        return fail(who, "sso_disabled", &ident).await;
    }
    let (issuer, subject, uid) = (id.issuer.clone(), id.subject.clone(), user.id);
    open_session(db, &user, ip, Via::Sso, async move |tx, actor| {
        if first {
            // Two first sign-ins naming one account at once: the second finds it linked.
            sessions::link_external(tx, &issuer, &subject, uid, now_ms())
                .await
                .map_err(|e| match e {
                    duban_store::StoreError::Duplicate(_) => refused("sso_conflict"),
                    e => e.into(),
                })?;
            audit::record(
                tx,
                actor,
                "user.sso_link",
                "user",
                uid,
                audit::NONE,
                Some(&serde_json::json!({ "issuer": issuer, "subject": subject })),
            )
            .await?;
        }
        Ok(())
    })
    .await
}
