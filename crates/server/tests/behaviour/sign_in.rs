//! The office's own sign-in (issue 18, points 10 and 11), on SQLite and PostgreSQL:
//! OpenID Connect against a real provider on loopback (node-oidc-provider), with every
//! way its answer can be wrong; local passwords switched off and on; a second factor
//! required by role, with one-time recovery codes.

use duban_testkit as common;

use common::{Client, Idp, exchange, spawn_app, spawn_with_sso, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::json;

duban_testkit::on_both!(
    5,
    sign_in_through_the_identity_platform,
    a_wrong_answer_of_the_platform_is_refused,
    passwords_can_be_switched_off_only_with_a_platform,
    second_factor_required_by_role,
);

/// What the browser gets back from duban's callback: where it is sent and the session
/// cookie, if one was set.
struct Back {
    location: String,
    session: Option<String>,
}

fn cookie_value(r: &common::Resp, name: &str) -> Option<String> {
    r.headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .filter_map(|(_, v)| v.split(';').next())
        .filter_map(|c| c.split_once('='))
        .find(|(k, v)| *k == name && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

/// Leave for the platform: the authorization URL and the state cookie.
async fn leave(addr: &str) -> (String, String) {
    let r = exchange(addr, "GET", "/api/v1/auth/sso/start", &[], &[]).await;
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    let url = r.header("location").unwrap().to_string();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("nonce="), "{url}");
    let cookie = r
        .headers
        .iter()
        .find(|(k, _)| k == "set-cookie")
        .unwrap()
        .1
        .clone();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    (url, cookie_value(&r, "duban_sso").unwrap())
}

async fn come_back(addr: &str, callback: &str, state_cookie: Option<&str>) -> Back {
    let headers: Vec<(&str, String)> = state_cookie
        .map(|c| vec![("Cookie", format!("duban_sso={c}"))])
        .unwrap_or_default();
    let r = exchange(addr, "GET", callback, &headers, &[]).await;
    assert_eq!(r.status, 303, "{}", String::from_utf8_lossy(&r.body));
    Back {
        location: r.header("location").unwrap().to_string(),
        session: cookie_value(&r, "duban_session"),
    }
}

/// A whole sign-in as `sub` named `username` at the platform.
async fn sign_in(addr: &str, idp: &Idp, sub: &str, username: &str) -> Back {
    idp.next_login(sub, username).await;
    let (url, state) = leave(addr).await;
    let callback = idp.authorize(&url).await;
    come_back(addr, &callback, Some(&state)).await
}

fn client(addr: &str, session: &str) -> Client {
    Client {
        addr: addr.into(),
        cookie: Some(format!("duban_session={session}")),
        ..Default::default()
    }
}

async fn sign_in_through_the_identity_platform(db: Db) {
    user(&db, "clerk1", "XJBT", &[(Role::Reporter, Scope::Own)]).await;
    let (addr, idp) = spawn_with_sso(db.clone()).await;
    let methods = Client::anonymous(&addr).ok("/api/v1/auth/methods").await;
    assert_eq!(methods["password"], true);
    assert_eq!(methods["sso"]["label"], "统一身份认证登录");

    // First sign-in: linked by the user name the platform gives.
    let back = sign_in(&addr, &idp, "ext-0001", "clerk1").await;
    assert_eq!(back.location, "/");
    let c = client(&addr, back.session.as_deref().expect("a session"));
    let me = c.ok("/api/v1/auth/me").await;
    assert_eq!(me["username"], "clerk1");
    assert_eq!(me["signed_in_via"], "sso");
    // The page opened after the redirect learns its CSRF token from `me`, and writes.
    let csrf = me["csrf_token"]
        .as_str()
        .expect("csrf for the page")
        .to_string();
    let c = Client {
        csrf: Some(csrf),
        ..c
    };
    let (s, _) = c.post("/api/v1/auth/logout", json!({})).await;
    assert_eq!(s, 200);

    // After that, by the platform's subject: renamed there, still the same account.
    let back = sign_in(&addr, &idp, "ext-0001", "clerk1-renamed").await;
    let me = client(&addr, &back.session.unwrap())
        .ok("/api/v1/auth/me")
        .await;
    assert_eq!(me["username"], "clerk1");

    // Another identity naming the same account is not let in.
    let back = sign_in(&addr, &idp, "ext-0666", "clerk1").await;
    assert_eq!(back.location, "/login?sso_error=sso_conflict");
    assert!(back.session.is_none());
    // Nor one without an account here.
    let back = sign_in(&addr, &idp, "ext-0002", "ghost").await;
    assert_eq!(back.location, "/login?sso_error=sso_no_account");
    // An account whose role needs a second factor is never taken by the name the
    // platform gives: it keeps its password and code.
    user(&db, "chief", "XJBT", &[(Role::Admin, Scope::Global)]).await;
    duban_app::settings::set_totp_roles(
        &duban_app::unit_of_work::Console::open(),
        &db,
        &[Role::Admin, Role::Auditor],
    )
    .await
    .unwrap();
    let back = sign_in(&addr, &idp, "ext-0003", "chief").await;
    assert_eq!(back.location, "/login?sso_error=sso_privileged");
    assert!(back.session.is_none());

    // A locked account stays locked, whoever vouches for it.
    duban_app::accounts::set_locked(
        &duban_app::unit_of_work::Console::open(),
        &db,
        "clerk1",
        true,
    )
    .await
    .unwrap();
    let back = sign_in(&addr, &idp, "ext-0001", "clerk1").await;
    assert_eq!(back.location, "/login?sso_error=sso_disabled");

    // Every outcome is in the audit log.
    let actions: Vec<String> = db
        .fetch_all(
            "SELECT action, outcome FROM audit_log WHERE action IN ('login_sso', 'user.sso_link') ORDER BY seq",
            &[],
            |r| Ok(format!("{} {}", r.str("action")?, r.str("outcome")?)),
        )
        .await
        .unwrap();
    let joined = actions.join("\n");
    for want in [
        "user.sso_link",
        "sso_conflict",
        "sso_no_account",
        "sso_disabled",
    ] {
        assert!(joined.contains(want), "{want} in {joined}");
    }
}

async fn a_wrong_answer_of_the_platform_is_refused(db: Db) {
    user(&db, "clerk1", "XJBT", &[(Role::Reporter, Scope::Own)]).await;
    let (addr, idp) = spawn_with_sso(db.clone()).await;

    // Each alteration of the ID token is caught by its own check; no session is opened.
    let checks = [
        ("iss", "issuer"),
        ("aud", "audience"),
        ("exp", "expired"),
        ("nonce", "nonce"),
        ("sig", "signature"),
        ("none", "algorithm"),
    ];
    for (mode, check) in checks {
        idp.next_login("ext-0001", "clerk1").await;
        idp.tamper(mode).await;
        let (url, state) = leave(&addr).await;
        let callback = idp.authorize(&url).await;
        let back = come_back(&addr, &callback, Some(&state)).await;
        assert_eq!(back.location, "/login?sso_error=sso_token", "{mode}");
        assert!(back.session.is_none(), "{mode}");
        let outcome: String = db
            .fetch_one(
                "SELECT outcome FROM audit_log WHERE action = 'login_sso' ORDER BY seq DESC LIMIT 1",
                &[],
                |r| r.str("outcome"),
            )
            .await
            .unwrap();
        assert!(
            outcome.contains(&format!("failed its {check} check")),
            "{mode}: {outcome}"
        );
    }

    // A state is good once: the same answer replayed is refused.
    idp.next_login("ext-0001", "clerk1").await;
    let (url, state) = leave(&addr).await;
    let callback = idp.authorize(&url).await;
    let first = come_back(&addr, &callback, Some(&state)).await;
    assert_eq!(first.location, "/");
    let again = come_back(&addr, &callback, Some(&state)).await;
    assert_eq!(again.location, "/login?sso_error=sso_state");
    assert!(again.session.is_none());

    // An answer brought by a browser that did not leave from here (a sign-in planted by
    // another site) is refused, and so is a made-up state.
    let (url, _) = leave(&addr).await;
    let callback = idp.authorize(&url).await;
    let planted = come_back(&addr, &callback, None).await;
    assert_eq!(planted.location, "/login?sso_error=sso_state");
    let made_up = come_back(
        &addr,
        "/api/v1/auth/sso/callback?code=abc&state=forged",
        Some("forged"),
    )
    .await;
    assert_eq!(made_up.location, "/login?sso_error=sso_state");

    // A callback naming another issuer (mix-up, RFC 9207) is refused.
    let (url, state) = leave(&addr).await;
    let callback = idp.authorize(&url).await;
    let mixed = callback.replace("iss=", "iss=https%3A%2F%2Fidp.attacker.example&was=");
    let back = come_back(&addr, &mixed, Some(&state)).await;
    assert_eq!(back.location, "/login?sso_error=sso_token");

    // The person declined at the platform.
    let (_, state) = leave(&addr).await;
    let back = come_back(
        &addr,
        &format!("/api/v1/auth/sso/callback?error=access_denied&state={state}"),
        Some(&state),
    )
    .await;
    assert_eq!(back.location, "/login?sso_error=sso_denied");

    // Without a platform configured, the sign-in is not offered.
    let plain = spawn_app(db.clone()).await;
    let methods = Client::anonymous(&plain).ok("/api/v1/auth/methods").await;
    assert_eq!(methods["sso"], serde_json::Value::Null);
    let r = exchange(&plain, "GET", "/api/v1/auth/sso/start", &[], &[]).await;
    assert_eq!(r.status, 404);
}

async fn passwords_can_be_switched_off_only_with_a_platform(db: Db) {
    user(&db, "admin", "XJBT", &[(Role::Admin, Scope::Global)]).await;
    user(&db, "clerk1", "XJBT", &[(Role::Reporter, Scope::Own)]).await;
    // A server without a platform refuses to switch passwords off: nobody could sign in.
    let plain = spawn_app(db.clone()).await;
    let admin = Client::login(&plain, "admin").await;
    let mut s = admin.ok("/api/v1/settings").await;
    s["sign_in"]["password_login"] = json!(false);
    let (st, e) = admin.put("/api/v1/settings", s.clone()).await;
    assert_eq!(st, 400, "{e}");
    assert_eq!(common::fields(&e), ["sign_in.password_login"]);

    // With one, it may; passwords are refused, the platform still signs people in.
    let (addr, idp) = spawn_with_sso(db.clone()).await;
    let admin = Client::login(&addr, "admin").await;
    admin.ok_put("/api/v1/settings", s).await;
    let e = Client::login_with(&addr, "clerk1", common::PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(e["code"], "password_login_off");
    let methods = Client::anonymous(&addr).ok("/api/v1/auth/methods").await;
    assert_eq!(methods["password"], false);
    let back = sign_in(&addr, &idp, "ext-0001", "clerk1").await;
    assert_eq!(back.location, "/");

    // The console switches them back on (the platform is down, say).
    let console = duban_app::unit_of_work::Console::open();
    duban_app::settings::set_password_login(&console, &db, true, false)
        .await
        .unwrap();
    Client::login(&addr, "clerk1").await;
    // And refuses to switch them off where no platform is configured.
    assert!(
        duban_app::settings::set_password_login(&console, &db, false, false)
            .await
            .is_err()
    );
}

fn code_at(secret: &[u8], step: u64) -> String {
    format!("{:06}", duban_domain::security::totp_at(secret, step))
}

async fn second_factor_required_by_role(db: Db) {
    // The office's default: administrators and auditors need a second factor.
    let console = duban_app::unit_of_work::Console::open();
    duban_app::settings::set_totp_roles(&console, &db, &[Role::Admin, Role::Auditor])
        .await
        .unwrap();
    user(&db, "admin", "XJBT", &[(Role::Admin, Scope::Global)]).await;
    user(&db, "clerk1", "XJBT", &[(Role::Reporter, Scope::Own)]).await;
    let addr = spawn_app(db.clone()).await;

    // A clerk is not asked.
    let clerk = Client::login(&addr, "clerk1").await;
    assert_eq!(clerk.ok("/api/v1/auth/me").await["totp_required"], false);

    // The administrator signs in with the password, and may do nothing but set it up.
    let admin = Client::login(&addr, "admin").await;
    let me = admin.ok("/api/v1/auth/me").await;
    assert_eq!(me["totp_required"], true);
    let (s, e) = admin.get("/api/v1/users").await;
    assert_eq!((s, e["code"].as_str()), (403, Some("totp_setup_required")));
    let setup = admin.ok_post("/api/v1/auth/totp/setup", json!({})).await;
    let secret = duban_domain::security::from_base32(setup["secret"].as_str().unwrap()).unwrap();
    let step = chrono::Utc::now().timestamp() as u64 / 30;
    let enabled = admin
        .ok_post(
            "/api/v1/auth/totp/enable",
            json!({ "code": code_at(&secret, step) }),
        )
        .await;
    let codes: Vec<String> = enabled["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), duban_app::auth::RECOVERY_CODES);
    // Now the administration opens, and the factor cannot be turned off.
    let (s, _) = admin.get("/api/v1/users").await;
    assert_eq!(s, 200);
    let (s, _) = admin
        .post(
            "/api/v1/auth/totp/disable",
            json!({ "code": code_at(&secret, step + 1) }),
        )
        .await;
    assert_eq!(s, 409);

    // Stored as keyed digests, never as the codes.
    let stored: Vec<String> = db
        .fetch_all("SELECT digest FROM recovery_codes", &[], |r| {
            r.str("digest")
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), codes.len());
    for c in &codes {
        let bare = c.replace('-', "");
        assert!(stored.iter().all(|d| !d.contains(&bare)), "{c}");
    }

    // The password alone no longer signs in; a recovery code stands in for the app once
    // (typed in capitals, without its dash).
    let e = Client::login_with(&addr, "admin", common::PASSWORD)
        .await
        .unwrap_err();
    assert_eq!(e["code"], "totp_required");
    let typed = codes[0].replace('-', "").to_uppercase();
    let login = |totp: String| {
        let addr = addr.clone();
        async move {
            let r = Client::anonymous(&addr)
                .send(
                    "POST",
                    "/api/v1/auth/login",
                    Some(
                        &json!({ "username": "admin", "password": common::PASSWORD, "totp": totp }),
                    ),
                )
                .await;
            (r.status, r.json())
        }
    };
    let (s, body) = login(typed.clone()).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["user"]["recovery_codes_left"], 9);
    let (s, body) = login(typed).await;
    assert_eq!((s, body["code"].as_str()), (401, Some("totp_wrong")));

    // New codes (with the app's code) replace the old ones.
    let renewed = admin
        .ok_post(
            "/api/v1/auth/totp/recovery-codes",
            json!({ "code": code_at(&secret, step + 1) }),
        )
        .await;
    let (s, _) = login(codes[1].clone()).await;
    assert_eq!(s, 401, "an old code is void");
    let (s, body) = login(renewed["codes"][0].as_str().unwrap().to_string()).await;
    assert_eq!(s, 200, "{body}");
}
