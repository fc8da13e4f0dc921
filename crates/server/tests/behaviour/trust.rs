//! Trust (issue 18), on SQLite and PostgreSQL: every answer carries the security headers
//! (and HSTS over HTTPS); an API token cannot mint tokens, change the password or set up a
//! second factor; a project outside the caller's scope answers a write exactly as one that
//! does not exist.

use duban_testkit as common;

use common::{Client, exchange, exchange_from, spawn_app, user};
use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::Scope;
use serde_json::json;

duban_testkit::on_both!(
    40,
    security_headers_on_pages_and_api,
    a_token_cannot_mint_tokens_or_change_the_password,
    out_of_scope_is_missing_in_writes,
    lockout_is_no_weapon,
    a_password_policy_with_memory,
    slow_and_idle_connections_are_cut,
    second_factor_secrets_are_sealed,
    a_rewritten_chain_fails_its_anchors,
);

fn header<'a>(r: &'a common::Resp, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

async fn security_headers_on_pages_and_api(db: Db) {
    let addr = spawn_app(db.clone()).await;
    for path in ["/", "/login", "/api/v1/auth/me", "/healthz", "/api/v1/nope"] {
        let r = exchange(&addr, "GET", path, &[], &[]).await;
        assert_eq!(
            header(&r, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        // Framed by our own pages only (the bulletin's document), never by another site.
        assert_eq!(header(&r, "x-frame-options"), Some("SAMEORIGIN"), "{path}");
        assert_eq!(header(&r, "referrer-policy"), Some("same-origin"), "{path}");
        let csp = header(&r, "content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("frame-ancestors 'self'") && csp.contains("script-src 'self';"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-eval"));
        // Plain HTTP: no HSTS.
        assert_eq!(header(&r, "strict-transport-security"), None, "{path}");
    }
    // Served over HTTPS (secure cookies on): HSTS too.
    let https = common::spawn_with(db.clone(), true).await;
    let r = exchange(&https, "GET", "/api/v1/auth/me", &[], &[]).await;
    assert!(
        header(&r, "strict-transport-security")
            .unwrap_or_default()
            .starts_with("max-age=31536000")
    );
}

async fn a_token_cannot_mint_tokens_or_change_the_password(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let t = sup
        .ok_post(
            "/api/v1/tokens",
            json!({ "name": "大屏", "roles": ["supervisor"], "expires_in_days": 30 }),
        )
        .await;
    let bot = Client {
        bearer: t["token"].as_str().map(String::from),
        ..Client::anonymous(&addr)
    };
    // It reads what its role allows …
    assert_eq!(bot.get("/api/v1/projects").await.0, 200);
    // … but it does not make more tokens, change the password or touch the second factor.
    let (s, e) = bot
        .post(
            "/api/v1/tokens",
            json!({ "name": "child", "roles": ["supervisor"] }),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("session_required")),
        "{e}"
    );
    let (s, e) = bot
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": common::PASSWORD, "new_password": "Another-pass-2026" }),
        )
        .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (403, Some("session_required")),
        "{e}"
    );
    let (s, _) = bot.post("/api/v1/auth/totp/setup", json!({})).await;
    assert_eq!(s, 403);
    // The person still can.
    let child = sup
        .post(
            "/api/v1/tokens",
            json!({ "name": "第二个", "roles": ["supervisor"] }),
        )
        .await;
    assert_eq!(child.0, 200);
    let n = db
        .scalar("SELECT COUNT(*) AS v FROM api_tokens", &[])
        .await
        .unwrap();
    assert_eq!(n, 2, "no token made by a token");
}

async fn out_of_scope_is_missing_in_writes(db: Db) {
    // A clerk of one unit, and a project of another unit.
    let units = duban_store::units::list(&db).await.unwrap();
    let missing = common::not_submitted(&db, 2025, 11).await;
    let mine = missing[0].unit_id;
    let other = missing.iter().find(|m| m.unit_id != mine).unwrap();
    let code = &units.iter().find(|u| u.id == mine).unwrap().code;
    user(&db, "rep", code, &[(Role::Reporter, Scope::Own)]).await;
    let addr = spawn_app(db.clone()).await;
    let rep = Client::login(&addr, "rep").await;
    let body = |p: i64| {
        json!({ "project_id": p, "period": "2025-11", "figures": {
        "invest_period": 0, "invest_ytd": 0, "invest_since_start": 0, "progress_bp": 0, "progress_text": "",
        "funds_received": 0, "funds_disbursed": 0, "started": false, "started_on": null, "stats_entered": false,
        "issues": "", "next_steps": "" } })
    };
    let theirs = rep
        .post("/api/v1/reports", body(other.project_id.get()))
        .await;
    let nowhere = rep.post("/api/v1/reports", body(999_999_999)).await;
    assert_eq!(
        theirs, nowhere,
        "another unit's project answers as a missing one"
    );
    assert!(
        !theirs
            .1
            .to_string()
            .contains(&format!("unit {}", other.unit_id)),
        "{}",
        theirs.1
    );
}

/// A sign-in from a loopback source address: (status, body).
async fn login_from(
    addr: &str,
    source: &str,
    name: &str,
    password: &str,
    totp: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut body = json!({ "username": name, "password": password });
    if let Some(t) = totp {
        body["totp"] = json!(t);
    }
    let r = exchange_from(
        source,
        addr,
        "POST",
        "/api/v1/auth/login",
        &[("Content-Type", "application/json".to_string())],
        body.to_string().as_bytes(),
    )
    .await;
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or_default(),
    )
}

async fn lockout_is_no_weapon(db: Db) {
    user(&db, "victim", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    user(&db, "admin", "XJBT", &[(Role::Admin, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let victim = Client::login(&addr, "victim").await;
    let t = victim
        .ok_post(
            "/api/v1/tokens",
            json!({ "name": "大屏", "roles": ["supervisor"] }),
        )
        .await;
    let bot = Client {
        bearer: t["token"].as_str().map(String::from),
        ..Client::anonymous(&addr)
    };
    // Guesses sent all at once gain nothing: at most five are checked.
    user(&db, "victim2", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let guesses = (0..20).map(|i| {
        let addr = addr.clone();
        async move {
            login_from(
                &addr,
                "127.0.0.11",
                "victim2",
                &format!("Wrong-pass-{i}"),
                None,
            )
            .await
            .0
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let checked = answers.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 5,
        "{checked} guesses checked at once: {answers:?}"
    );
    assert!(
        answers.iter().all(|s| *s == 401 || *s == 423),
        "{answers:?}"
    );

    // An attacker at 127.0.0.9 tries five passwords: the account is locked from there …
    let attacker = "127.0.0.9";
    for _ in 0..4 {
        assert_eq!(
            login_from(&addr, attacker, "victim", "Wrong-pass-1", None)
                .await
                .0,
            401
        );
    }
    let (s, e) = login_from(&addr, attacker, "victim", "Wrong-pass-1", None).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (423, Some("account_locked")),
        "{e}"
    );
    assert_eq!(
        login_from(&addr, attacker, "victim", common::PASSWORD, None)
            .await
            .0,
        423
    );
    // … but not from the victim's own desk, and their API token keeps working.
    assert_eq!(
        login_from(&addr, "127.0.0.2", "victim", common::PASSWORD, None)
            .await
            .0,
        200
    );
    assert_eq!(bot.get("/api/v1/projects").await.0, 200);
    // The next lock from the same source lasts twice as long.
    let first = db
        .scalar(
            "SELECT locked_until AS v FROM login_throttle WHERE key LIKE 'a:%:127.0.0.9'",
            &[],
        )
        .await
        .unwrap();
    db.execute(
        "UPDATE login_throttle SET locked_until = 1 WHERE key LIKE 'a:%:127.0.0.9'",
        &[],
    )
    .await
    .unwrap();
    let before = duban_store::now_ms();
    for _ in 0..5 {
        login_from(&addr, attacker, "victim", "Wrong-pass-1", None).await;
    }
    let second = db
        .scalar(
            "SELECT locked_until AS v FROM login_throttle WHERE key LIKE 'a:%:127.0.0.9'",
            &[],
        )
        .await
        .unwrap();
    assert!(
        second - before >= 2 * duban_domain::security::LOCK_MS - 5_000,
        "{first} then {second}"
    );
    // Spraying: twenty failures from one source over many names lock the source.
    let sprayer = "127.0.0.7";
    for i in 0..20 {
        login_from(&addr, sprayer, &format!("guess{i}"), "Password1", None).await;
    }
    let (s, _) = login_from(&addr, sprayer, "victim", common::PASSWORD, None).await;
    assert_eq!(s, 423, "the source is locked");
    // An office's shared exit locked by a mistyping colleague: the console lifts it.
    duban_app::accounts::unblock_source(&duban_app::unit_of_work::Console::open(), &db, sprayer)
        .await
        .unwrap();
    let (s, _) = login_from(&addr, sprayer, "victim", common::PASSWORD, None).await;
    assert_eq!(s, 200, "the source is unblocked");
    assert_eq!(
        login_from(&addr, "127.0.0.3", "victim", common::PASSWORD, None)
            .await
            .0,
        200
    );
    // An administrator's unlock clears the account's locks from every source.
    let admin = Client::login(&addr, "admin").await;
    let id = duban_store::users::by_username(&db, "victim")
        .await
        .unwrap()
        .unwrap()
        .id;
    admin
        .ok_post(&format!("/api/v1/users/{id}/unlock"), json!({}))
        .await;
    assert_eq!(
        login_from(&addr, attacker, "victim", common::PASSWORD, None)
            .await
            .0,
        200
    );

    // Behind a proxy on the same machine, the lock is the client's, not the proxy's: a
    // client's forged X-Forwarded-For from anywhere else is ignored.
    let via = |client: &'static str, pw: &'static str| {
        let addr = addr.clone();
        async move {
            let body = json!({ "username": "victim", "password": pw }).to_string();
            exchange_from(
                "127.0.0.1",
                &addr,
                "POST",
                "/api/v1/auth/login",
                &[
                    ("Content-Type", "application/json".to_string()),
                    ("X-Forwarded-For", client.to_string()),
                ],
                body.as_bytes(),
            )
            .await
            .status
        }
    };
    for _ in 0..5 {
        via("203.0.113.5", "Wrong-pass-1").await;
    }
    assert_eq!(via("203.0.113.5", common::PASSWORD).await, 423);
    assert_eq!(
        via("203.0.113.6", common::PASSWORD).await,
        200,
        "another client behind the proxy"
    );
    let forged = exchange_from(
        "127.0.0.5",
        &addr,
        "POST",
        "/api/v1/auth/login",
        &[
            ("Content-Type", "application/json".to_string()),
            ("X-Forwarded-For", "203.0.113.5".to_string()),
        ],
        json!({ "username": "victim", "password": common::PASSWORD })
            .to_string()
            .as_bytes(),
    )
    .await;
    assert_eq!(
        forged.status, 200,
        "a header from an untrusted address is ignored"
    );

    // With a second factor, wrong codes count like wrong passwords.
    db.execute(
        "UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP', totp_enabled = TRUE WHERE username = 'victim'",
        &[],
    )
    .await
    .unwrap();
    let (s, e) = login_from(&addr, "127.0.0.4", "victim", common::PASSWORD, None).await;
    assert_eq!((s, e["code"].as_str()), (401, Some("totp_required")));
    let mut last = (0, serde_json::Value::Null);
    for _ in 0..5 {
        last = login_from(
            &addr,
            "127.0.0.4",
            "victim",
            common::PASSWORD,
            Some("000000"),
        )
        .await;
    }
    assert_eq!(last.0, 423, "{}", last.1);
}

async fn a_password_policy_with_memory(db: Db) {
    user(&db, "admin", "XJBT", &[(Role::Admin, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let admin = Client::login(&addr, "admin").await;
    let d01 = common::unit_id(&db, "D01").await;
    let created = admin
        .ok_post(
            "/api/v1/users",
            json!({ "username": "wangwu", "display_name": "王五", "unit_id": d01,
                    "roles": [{ "role": "reporter", "scope": "own" }] }),
        )
        .await;
    let initial = created["initial_password"].as_str().unwrap().to_string();
    let me = Client::login_with(&addr, "wangwu", &initial).await.unwrap();
    let change = |old: String, new: &'static str| {
        let me = &me;
        async move {
            let (s, e) = me
                .post(
                    "/api/v1/auth/password",
                    json!({ "old_password": old, "new_password": new }),
                )
                .await;
            (
                s,
                e["details"][0]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        }
    };
    // Not back to the initial password the administrator issued.
    let (s, e) = me
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": initial, "new_password": initial }),
        )
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("reused")),
        "{e}"
    );
    // Not what attackers try first, not the user's own name.
    for weak in ["Password1", "P@ssw0rd!", "Admin@123", "1qaz2WSX!"] {
        assert_eq!(
            change(initial.clone(), weak).await,
            (400, "common_password".into()),
            "{weak}"
        );
    }
    assert_eq!(
        change(initial.clone(), "Wangwu-2026!").await,
        (400, "contains_name".into())
    );
    // A first change is allowed at once (the initial password must change) …
    assert_eq!(change(initial.clone(), "Kx7-harbor-lamp").await.0, 200);
    // … a second not the same day.
    assert_eq!(
        change("Kx7-harbor-lamp".into(), "Mz4-river-stone").await,
        (400, "too_soon".into())
    );
    // Two days later: a new one, but not any of the last five.
    db.execute(
        "UPDATE users SET password_changed_at = password_changed_at - 172800000 WHERE username = 'wangwu'",
        &[],
    )
    .await
    .unwrap();
    let me2 = Client::login_with(&addr, "wangwu", "Kx7-harbor-lamp")
        .await
        .unwrap();
    let (s, e) = me2
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": "Kx7-harbor-lamp", "new_password": initial }),
        )
        .await;
    assert_eq!(
        (s, e["details"][0]["code"].as_str()),
        (400, Some("reused")),
        "{e}"
    );
    let (s, _) = me2
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": "Kx7-harbor-lamp", "new_password": "Mz4-river-stone" }),
        )
        .await;
    assert_eq!(s, 200);
}

/// Whether the server closed the connection within `within` (a read returns 0 or fails).
async fn closed_within(s: &mut tokio::net::TcpStream, within: std::time::Duration) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 4096];
    let t = std::time::Instant::now();
    loop {
        match tokio::time::timeout(within.saturating_sub(t.elapsed()), s.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A response (the idle case reads its answer first).
            Ok(Ok(_)) => continue,
        }
    }
}

async fn slow_and_idle_connections_are_cut(db: Db) {
    use tokio::io::AsyncWriteExt;
    let addr = spawn_app(db.clone()).await;
    let limit = duban_server::HEADER_READ_TIMEOUT + std::time::Duration::from_secs(3);
    // Slowloris: headers begun and never finished.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
        .await
        .unwrap();
    // Idle: one request on a keep-alive connection, then silence.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        closed_within(&mut slow, limit),
        closed_within(&mut idle, limit)
    );
    assert!(a, "a connection trickling its headers is closed");
    assert!(b, "an idle keep-alive connection is closed");
    // The server still serves.
    assert_eq!(
        exchange(&addr, "GET", "/healthz", &[], &[]).await.status,
        200
    );
}

async fn second_factor_secrets_are_sealed(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    let sup = Client::login(&addr, "sup").await;
    let setup = sup.ok_post("/api/v1/auth/totp/setup", json!({})).await;
    let shown = setup["secret"].as_str().unwrap().to_string();
    let secret = duban_domain::security::from_base32(&shown).unwrap();
    let step = chrono::Utc::now().timestamp() as u64 / 30;
    sup.ok_post(
        "/api/v1/auth/totp/enable",
        json!({ "code": format!("{:06}", duban_domain::security::totp_at(&secret, step)) }),
    )
    .await;
    // In the database: sealed, not the secret.
    let stored = db
        .fetch_one(
            "SELECT totp_secret FROM users WHERE username = 'sup'",
            &[],
            |r| r.str("totp_secret"),
        )
        .await
        .unwrap();
    assert!(
        stored.starts_with("v1:") && !stored.contains(&shown),
        "{stored}"
    );
    // And it still signs in with the next code.
    let code = format!("{:06}", duban_domain::security::totp_at(&secret, step + 1));
    let (s, e) = login_from(&addr, "127.0.0.6", "sup", common::PASSWORD, Some(&code)).await;
    assert_eq!(s, 200, "{e}");
}

async fn a_rewritten_chain_fails_its_anchors(db: Db) {
    user(&db, "sup", "XJBT", &[(Role::Supervisor, Scope::All)]).await;
    let addr = spawn_app(db.clone()).await;
    for _ in 0..3 {
        Client::login(&addr, "sup").await;
    }
    let dir = std::env::temp_dir().join(format!(
        "duban-anchors-{}-{}",
        std::process::id(),
        db.backend() as u8
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("audit-anchors.log");
    let _ = std::fs::remove_file(&file);
    let console = duban_app::unit_of_work::Console::open();
    let first = duban_app::audit::anchor(&db, &file).await.unwrap().unwrap();
    // The same head is not anchored twice.
    assert!(
        duban_app::audit::anchor(&db, &file)
            .await
            .unwrap()
            .is_none()
    );
    let ok = duban_app::audit::verify_anchored(&db, &console, &file)
        .await
        .unwrap();
    assert!(ok.broken.is_none());
    assert_eq!(ok.first_anchor.as_ref().map(|a| a.seq), Some(first.seq));

    // Someone with the database rewrites an entry and recomputes every hash after it:
    // the chain alone still verifies …
    let entries = duban_store::audit::chunk(&db, 0, 100_000).await.unwrap();
    let k = 2usize;
    let mut prev = entries[k - 2].hash.clone();
    for (i, e) in entries.iter().enumerate().skip(k - 1) {
        let mut e = e.clone();
        if i == k - 1 {
            e.actor = "nobody".into();
        }
        let sealed = e.seal(&prev);
        db.execute(
            "UPDATE audit_log SET actor = $1, hash = $2 WHERE seq = $3",
            &[
                sealed.actor.clone().into(),
                sealed.hash.clone().into(),
                sealed.seq.into(),
            ],
        )
        .await
        .unwrap();
        prev = sealed.hash;
    }
    db.execute(
        "UPDATE audit_head SET hash = $1 WHERE id = 1",
        &[prev.into()],
    )
    .await
    .unwrap();
    let plain = duban_app::audit::verify(&db, &console).await.unwrap();
    assert!(plain.broken.is_none(), "the forgery is consistent");
    // … but not against the anchor signed before.
    let v = duban_app::audit::verify_anchored(&db, &console, &file)
        .await
        .unwrap();
    assert!(
        matches!(v.broken, Some(duban_domain::audit::ChainBreak::AnchorMismatch { seq, .. }) if seq == first.seq),
        "{:?}",
        v.broken
    );
    // An anchor line written by someone without the key is caught too.
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(&format!(
        "{} {} {} {}\n",
        1,
        first.seq,
        first.hash,
        "00".repeat(32)
    ));
    let forged = dir.join("forged.log");
    std::fs::write(&forged, text.lines().skip(1).collect::<Vec<_>>().join("\n")).unwrap();
    let v = duban_app::audit::verify_anchored(&db, &console, &forged)
        .await
        .unwrap();
    assert!(
        matches!(
            v.broken,
            Some(duban_domain::audit::ChainBreak::ForgedAnchor { .. })
                | Some(duban_domain::audit::ChainBreak::AnchorMismatch { .. })
        ),
        "{:?}",
        v.broken
    );
    let _ = std::fs::remove_dir_all(&dir);
}
