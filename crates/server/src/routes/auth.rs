//! Signing in and out, one's own password and second factor, API tokens: any signed-in
//! user, acting on their own account.

use crate::extract::{Auth, Body, Ids, Ip};
use crate::openapi::{Api, doc};
use crate::respond::{Res, done, ok};
use crate::{AppState, SESSION_COOKIE};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{delete, get, post};
use duban_app::auth;
use serde_json::json;

pub fn routes(x: &mut Api) {
    let d = doc(
        "auth",
        "Log in; sets the session cookie and returns the CSRF token",
    )
    .public()
    .body::<auth::LoginInput>(x);
    x.op("post", "/api/v1/auth/login", post(login), d);
    x.op(
        "get",
        "/api/v1/auth/methods",
        get(methods),
        doc(
            "auth",
            "How people sign in here: local passwords, the identity platform (OIDC)",
        )
        .public(),
    );
    x.op(
        "get",
        "/api/v1/auth/sso/start",
        get(sso_start),
        doc(
            "auth",
            "Sign in through the identity platform: leave for it",
        )
        .public()
        .redirect(),
    );
    x.op(
        "get",
        "/api/v1/auth/sso/callback",
        get(sso_callback),
        doc(
            "auth",
            "Back from the identity platform: sets the session cookie, or names why not",
        )
        .public()
        .redirect(),
    );
    x.op(
        "post",
        "/api/v1/auth/logout",
        post(logout),
        doc("auth", "Log out (ends the session)"),
    );
    x.op(
        "get",
        "/api/v1/auth/me",
        get(me),
        doc("auth", "The signed-in user, roles, capabilities"),
    );
    let d = doc("auth", "Change one's own password").body::<auth::PasswordChange>(x);
    x.op("post", "/api/v1/auth/password", post(password), d);
    x.op(
        "post",
        "/api/v1/auth/totp/setup",
        post(totp_setup),
        doc("auth", "Start TOTP enrolment: a new secret"),
    );
    let d = doc("auth", "Confirm TOTP enrolment with a current code").body::<auth::TotpCode>(x);
    x.op("post", "/api/v1/auth/totp/enable", post(totp_enable), d);
    let d = doc("auth", "Turn TOTP off with a current code").body::<auth::TotpCode>(x);
    x.op("post", "/api/v1/auth/totp/disable", post(totp_disable), d);
    let d = doc(
        "auth",
        "New recovery codes of the second factor, with a current code (shown once)",
    )
    .body::<auth::TotpCode>(x);
    x.op(
        "post",
        "/api/v1/auth/totp/recovery-codes",
        post(recovery_codes),
        d,
    );
    x.op(
        "get",
        "/api/v1/tokens",
        get(tokens),
        doc("auth", "API tokens of the caller (administrators: all)"),
    );
    let d = doc(
        "auth",
        "Issue an API token with some of the caller's roles (shown once)",
    )
    .body::<auth::TokenInput>(x);
    x.op("post", "/api/v1/tokens", post(create_token), d);
    x.op(
        "delete",
        "/api/v1/tokens/{id}",
        delete(revoke_token),
        doc("auth", "Revoke an API token"),
    );
}

fn session_cookie(s: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .expect("cookie text is ASCII")
}

async fn login(State(s): State<AppState>, Ip(ip): Ip, Body(b): Body<auth::LoginInput>) -> Res {
    let r = auth::login(&s.db, &b, &ip).await?;
    let mut resp = axum::Json(&r).into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&s, &r.session, 12 * 3600),
    );
    Ok(resp)
}

async fn methods(State(s): State<AppState>) -> Res {
    let password = duban_app::settings::get(&s.db)
        .await?
        .sign_in
        .password_login;
    ok(json!({
        "password": password,
        "sso": s.sso.as_ref().map(|x| json!({ "label": x.label })),
    }))
}

/// The cookie that binds a sign-in at the platform to the browser that left for it:
/// sent back on the platform's redirect (a top-level navigation, hence `Lax`), to the
/// callback only.
const SSO_COOKIE: &str = "duban_sso";

fn sso_cookie(s: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if s.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SSO_COOKIE}={value}; HttpOnly; SameSite=Lax; Path=/api/v1/auth/sso; Max-Age={max_age}{secure}"
    ))
    .expect("cookie text is ASCII")
}

fn see_other(to: &str) -> axum::response::Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    resp.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
    );
    resp
}

fn no_sso() -> duban_app::AppError {
    duban_app::AppError::NotFound {
        what: "identity platform",
    }
}

async fn sso_start(State(s): State<AppState>) -> Res {
    let sso = s.sso.clone().ok_or_else(no_sso)?;
    let leaving = duban_app::sso::start(&s.db, &sso).await?;
    let mut resp = see_other(&leaving.url);
    resp.headers_mut()
        .insert(header::SET_COOKIE, sso_cookie(&s, &leaving.state, 600));
    Ok(resp)
}

/// Back from the platform: signed in, to the start page; refused, to the sign-in page,
/// which explains the code.
async fn sso_callback(
    State(s): State<AppState>,
    Ip(ip): Ip,
    headers: axum::http::HeaderMap,
    axum::extract::Query(cb): axum::extract::Query<duban_app::sso::Callback>,
) -> Res {
    let sso = s.sso.clone().ok_or_else(no_sso)?;
    let bound = crate::extract::cookie_in(&headers, SSO_COOKIE);
    let outcome = duban_app::sso::finish(&s.db, &sso, &cb, bound.as_deref(), &ip).await;
    let mut resp = match &outcome {
        Ok(_) => see_other("/"),
        Err(e) => see_other(&format!("/login?sso_error={}", e.code())),
    };
    let h = resp.headers_mut();
    h.append(header::SET_COOKIE, sso_cookie(&s, "", 0));
    if let Ok(r) = outcome {
        h.append(
            header::SET_COOKIE,
            session_cookie(&s, &r.session, 12 * 3600),
        );
    }
    Ok(resp)
}

async fn logout(State(s): State<AppState>, a: Auth) -> Res {
    if let Some(sess) = &a.session {
        auth::logout(&s.db, sess, &a.caller).await?;
    }
    let mut resp = axum::Json(json!({ "ok": true })).into_response();
    resp.headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&s, "", 0));
    Ok(resp)
}

async fn me(State(s): State<AppState>, a: Auth) -> Res {
    ok(auth::me(&s.db, &a.caller, a.session.as_deref()).await?)
}

async fn password(State(s): State<AppState>, a: Auth, Body(b): Body<auth::PasswordChange>) -> Res {
    auth::change_password(&s.db, &a.caller, a.session.as_deref(), &b).await?;
    done()
}

async fn totp_setup(State(s): State<AppState>, a: Auth) -> Res {
    ok(auth::totp_setup(&s.db, &a.caller).await?)
}
async fn totp_enable(State(s): State<AppState>, a: Auth, Body(b): Body<auth::TotpCode>) -> Res {
    ok(auth::totp_confirm(&s.db, &a.caller, &b.code, true).await?)
}
async fn recovery_codes(State(s): State<AppState>, a: Auth, Body(b): Body<auth::TotpCode>) -> Res {
    ok(auth::renew_recovery_codes(&s.db, &a.caller, &b.code).await?)
}
async fn totp_disable(State(s): State<AppState>, a: Auth, Body(b): Body<auth::TotpCode>) -> Res {
    auth::totp_confirm(&s.db, &a.caller, &b.code, false).await?;
    done()
}

async fn tokens(State(s): State<AppState>, a: Auth) -> Res {
    let items = auth::tokens(&s.db, &a.caller).await?;
    ok(json!({ "total": items.len(), "items": items }))
}
async fn create_token(State(s): State<AppState>, a: Auth, Body(b): Body<auth::TokenInput>) -> Res {
    ok(auth::create_token(&s.db, &a.caller, &b).await?)
}
async fn revoke_token(State(s): State<AppState>, a: Auth, id: Ids) -> Res {
    auth::revoke_token(&s.db, &a.caller, id.one()).await?;
    done()
}
