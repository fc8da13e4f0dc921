//! Sessions, accounts, settings and the audit log.

use super::{Res, ok};
use crate::extract::{Auth, Body, Ids, Q, client_ip};
use crate::{AppState, SESSION_COOKIE};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use duban_app::access::{ManageUsers, ReadAudit};
use duban_app::{accounts, audit, auth, settings};
use serde_json::json;

/// The client's address, for login auditing.
pub struct Ip(pub String);
impl<S: Send + Sync> FromRequestParts<S> for Ip {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ip(client_ip(parts)))
    }
}

fn session_cookie(s: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .expect("cookie text is ASCII")
}

pub async fn login(State(s): State<AppState>, Ip(ip): Ip, Body(b): Body<auth::LoginInput>) -> Res {
    let r = auth::login(&s.db, &b, &ip).await?;
    let mut resp = axum::Json(&r).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&s, &r.session, 12 * 3600),
    );
    Ok(resp)
}

pub async fn logout(State(s): State<AppState>, a: Auth) -> Res {
    if let Some(sess) = &a.session {
        auth::logout(&s.db, sess, &a.caller).await?;
    }
    let mut resp = axum::Json(json!({ "ok": true })).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(resp)
}

pub async fn me(State(s): State<AppState>, a: Auth) -> Res {
    ok(auth::me(&s.db, &a.caller).await?)
}

pub async fn password(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<auth::PasswordChange>,
) -> Res {
    auth::change_password(&s.db, &a.caller, a.session.as_deref(), &b).await?;
    ok(json!({ "ok": true }))
}

pub async fn totp_setup(State(s): State<AppState>, a: Auth) -> Res {
    ok(auth::totp_setup(&s.db, &a.caller).await?)
}
pub async fn totp_enable(State(s): State<AppState>, a: Auth, Body(b): Body<auth::TotpCode>) -> Res {
    auth::totp_confirm(&s.db, &a.caller, &b.code, true).await?;
    ok(json!({ "ok": true }))
}
pub async fn totp_disable(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<auth::TotpCode>,
) -> Res {
    auth::totp_confirm(&s.db, &a.caller, &b.code, false).await?;
    ok(json!({ "ok": true }))
}

pub async fn tokens(State(s): State<AppState>, a: Auth) -> Res {
    let items = auth::tokens(&s.db, &a.caller).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
pub async fn create_token(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<auth::TokenInput>,
) -> Res {
    ok(auth::create_token(&s.db, &a.caller, &b).await?)
}
pub async fn revoke_token(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    auth::revoke_token(&s.db, &a.caller, id.one()).await?;
    ok(json!({ "ok": true }))
}

pub async fn users(State(s): State<AppState>, a: Auth) -> Res {
    let can = a.caller.can::<ManageUsers>()?;
    let items = accounts::admin_list(&s.db, &can).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
pub async fn create_user(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<accounts::UserInput>,
) -> Res {
    let can = a.caller.can::<ManageUsers>()?;
    let (id, password) = accounts::admin_create(&s.db, &can, &b).await?;
    ok(json!({ "id": id, "initial_password": password }))
}
pub async fn update_user(
    State(s): State<AppState>,
    a: Auth,
    id: Ids,
    Body(b): Body<accounts::UserInput>,
) -> Res {
    let can = a.caller.can::<ManageUsers>()?;
    ok(accounts::admin_update(&s.db, &can, id.one(), &b).await?)
}
async fn user_action(s: &AppState, a: &Auth, id: i64, action: &str) -> Res {
    let can = a.caller.can::<ManageUsers>()?;
    let pw = accounts::admin_action(&s.db, &can, id, action).await?;
    ok(json!({ "ok": true, "initial_password": pw }))
}
pub async fn lock(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    user_action(&s, &a, id.one(), "lock").await
}
pub async fn unlock(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    user_action(&s, &a, id.one(), "unlock").await
}
pub async fn reset(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    user_action(&s, &a, id.one(), "reset_password").await
}

pub async fn settings(State(s): State<AppState>, a: Auth) -> Res {
    a.caller.can::<ManageUsers>()?;
    ok(settings::get(&s.db).await?)
}
pub async fn put_settings(
    State(s): State<AppState>,
    a: Auth,
    Body(b): Body<settings::Settings>,
) -> Res {
    let can = a.caller.can::<ManageUsers>()?;
    ok(settings::put(&s.db, &can, &b).await?)
}

pub async fn audit(State(s): State<AppState>, a: Auth, Q(q): Q<audit::AuditQuery>) -> Res {
    let can = a.caller.can::<ReadAudit>()?;
    ok(audit::list(&s.db, &can, &q).await?)
}
pub async fn audit_verify(State(s): State<AppState>, a: Auth) -> Res {
    a.caller.can::<ReadAudit>()?;
    ok(audit::verify(&s.db).await?)
}
