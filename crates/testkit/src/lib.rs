//! What the HTTP tests share: a throwaway database on either engine with a generated
//! data set, the real server on a random loopback port, and a small HTTP/1.1 client
//! that keeps the session cookie and sends the CSRF token like the web UI does.
#![forbid(unsafe_code)]

use duban_app::Db;
use duban_domain::Role;
use duban_domain::access::{RoleGrant, Scope};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

static N: AtomicUsize = AtomicUsize::new(0);

/// A fresh database with `projects` generated projects (as of 2025-10); `None` when
/// PostgreSQL is asked for but not configured (and not required).
pub async fn database(pg: bool, projects: u64) -> Option<Db> {
    let db = empty_database(pg).await?;
    let params = duban_gen::Params {
        projects,
        seed: 3,
        as_of: duban_domain::Period::new(2025, 10).unwrap(),
    };
    duban_app::load::generate(
        &duban_app::unit_of_work::Console::open(),
        &db,
        params,
        |_| {},
    )
    .await
    .unwrap();
    duban_app::analytics::rebuild(&db, 2025, &mut |_| {})
        .await
        .unwrap();
    Some(db)
}

/// A fresh, empty database with the current schema (as on a new machine); `None` as
/// for [`database`].
pub async fn empty_database(pg: bool) -> Option<Db> {
    let name = format!(
        "duban_t{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let url = if pg {
        let Ok(url) = std::env::var("DUBAN_TEST_PG_URL") else {
            assert!(
                std::env::var("DUBAN_REQUIRE_PG").is_err(),
                "DUBAN_REQUIRE_PG is set but DUBAN_TEST_PG_URL is not"
            );
            return None;
        };
        let admin = Db::connect(&url).await.unwrap();
        admin
            .execute(&format!("CREATE DATABASE {name}"), &[])
            .await
            .unwrap();
        admin.close().await;
        format!("{}/{name}", url.rsplit_once('/').unwrap().0)
    } else {
        // A file left by an earlier run whose process had the same id starts afresh.
        let path = std::env::temp_dir().join(format!("{name}.sqlite"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        format!("sqlite://{}", path.display())
    };
    let db = duban_app::open(&url).await.unwrap();
    URLS.lock().unwrap().insert(db.id(), url);
    // The tests sign administrators and auditors in many times a minute, which a second
    // factor (one code per 30 s) would not allow: it is required only where a test says
    // so (`second_factor_required_by_role`).
    duban_app::settings::set_totp_roles(&duban_app::unit_of_work::Console::open(), &db, &[])
        .await
        .unwrap();
    Some(db)
}

static URLS: std::sync::Mutex<std::collections::BTreeMap<u64, String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// The URL a test database was opened with (for tools that connect by URL: pg_dump).
pub fn url_of(db: &Db) -> Option<String> {
    URLS.lock().unwrap().get(&db.id()).cloned()
}

/// A new, empty PostgreSQL database (no schema); its URL. `None` without PostgreSQL.
pub async fn new_pg_database() -> Option<String> {
    let url = std::env::var("DUBAN_TEST_PG_URL").ok()?;
    let name = format!(
        "duban_e{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let admin = Db::connect(&url).await.unwrap();
    admin
        .execute(&format!("CREATE DATABASE {name}"), &[])
        .await
        .unwrap();
    admin.close().await;
    Some(format!("{}/{name}", url.rsplit_once('/').unwrap().0))
}

/// Start the server on a random port; returns its address.
pub async fn spawn_app(db: Db) -> String {
    spawn_with(db, false).await
}

/// [`spawn_app`] with the `Secure` cookie flag chosen.
pub async fn spawn_with(db: Db, secure_cookies: bool) -> String {
    let listener = duban_server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    spawn_on(listener, db, |s| s.secure_cookies = secure_cookies);
    addr
}

/// The server signing people in through a real OpenID Connect provider on loopback
/// ([`Idp`]); its address and the provider.
pub async fn spawn_with_sso(db: Db) -> (String, Idp) {
    let listener = duban_server::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let idp = Idp::start(&format!("http://{addr}/api/v1/auth/sso/callback"));
    let sso = std::sync::Arc::new(idp.sso());
    spawn_on(listener, db, move |s| s.sso = Some(sso));
    (addr, idp)
}

fn spawn_on(
    listener: tokio::net::TcpListener,
    db: Db,
    configure: impl FnOnce(&mut duban_server::AppState),
) {
    let addr = listener.local_addr().unwrap().to_string();
    // A data directory of this server alone: a port is reused by later tests, and the
    // anchors of another database's audit chain must not be read as this one's.
    let dir = std::env::temp_dir().join(format!(
        "duban_files_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        addr.replace([':', '.'], "_")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut state = duban_server::AppState::new(db, dir);
    configure(&mut state);
    // The tests drive the clock themselves (`routine::tick`, `standing_catch_up`) and
    // deliver the outbox by hand (`delivery::deliver_due`).
    state.clock_jobs = false;
    state.deliver = false;
    install_test_key();
    tokio::spawn(duban_server::serve(listener, state));
}

/// An instant of the office's clock (Beijing time), as the routine's tests tick it.
pub fn beijing(y: i32, m: u32, d: u32, hour: u32, minute: u32) -> i64 {
    duban_app::clock::day_start_ms(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
        + i64::from(hour * 60 + minute) * 60_000
}

/// The key that seals channels' credentials in tests (one per process).
pub fn install_test_key() {
    duban_app::delivery::install_key(duban_outbound::Sealer::new([42; 32]));
}

/// Every project whose report of a month is not yet submitted, across the office.
pub async fn not_submitted(db: &Db, year: i32, month: u32) -> Vec<duban_store::reports::Missing> {
    duban_store::analytics::missing_reports(
        db,
        year,
        month,
        &duban_domain::access::Reach::All,
        "submitted",
        None,
    )
    .await
    .unwrap()
}

/// The id of the unit with a code.
pub async fn unit_id(db: &Db, code: &str) -> i64 {
    duban_store::units::by_code(db, code)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no unit {code}"))
        .id
}

pub const PASSWORD: &str = "Test-pass-2025";

/// Create a user directly (password set, no forced change).
pub async fn user(db: &Db, username: &str, unit_code: &str, grants: &[(Role, Scope)]) {
    let unit = unit_id(db, unit_code).await;
    let grants: Vec<RoleGrant> = grants
        .iter()
        .map(|(role, scope)| RoleGrant {
            role: *role,
            scope: scope.clone(),
        })
        .collect();
    duban_app::accounts::create_user(
        &duban_app::unit_of_work::Console::open(),
        db,
        username,
        username,
        unit,
        PASSWORD,
        false,
        &grants,
    )
    .await
    .unwrap();
}

/// The fields an `invalid_input` error names, in order.
pub fn fields(e: &Value) -> Vec<&str> {
    e["details"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["field"].as_str()).collect())
        .unwrap_or_default()
}

/// A response: status, headers (lower-cased names) and body.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "status {}: {e}: {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 exchange on a new connection; panics when the server is unreachable.
pub async fn exchange(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Resp {
    try_exchange(addr, method, path, headers, body)
        .await
        .unwrap_or_else(|| panic!("no response to {method} {path}"))
}

/// One HTTP/1.1 exchange on a new connection; `None` when the connection fails.
pub async fn try_exchange(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Option<Resp> {
    let s = tokio::net::TcpStream::connect(addr).await.ok()?;
    exchange_on(s, addr, method, path, headers, body).await
}

/// One HTTP/1.1 exchange from another loopback address (127.0.0.2 …): another client's
/// source, as the server sees it.
pub async fn exchange_from(
    source: &str,
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Resp {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let s = sock.connect(addr.parse().unwrap()).await.unwrap();
    exchange_on(s, addr, method, path, headers, body)
        .await
        .unwrap_or_else(|| panic!("no response to {method} {path} from {source}"))
}

async fn exchange_on(
    mut s: tokio::net::TcpStream,
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Option<Resp> {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.ok()?;
    // The server may answer (e.g. 413) before reading a large body.
    let _ = s.write_all(body).await;
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf).await;
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&buf[..split]).to_string();
    let mut rest = buf[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        rest = dechunk(&rest);
    }
    Some(Resp {
        status,
        headers,
        body: rest,
    })
}

fn dechunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = s.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(std::str::from_utf8(&s[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&s[eol + 2..eol + 2 + n]);
        s = &s[eol + 2 + n + 2..];
    }
    out
}

/// A signed-in user agent (or an anonymous one).
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub addr: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl Client {
    pub fn anonymous(addr: &str) -> Client {
        Client {
            addr: addr.into(),
            ..Default::default()
        }
    }

    /// Log in; panics unless it succeeds.
    pub async fn login(addr: &str, username: &str) -> Client {
        Self::login_with(addr, username, PASSWORD).await.unwrap()
    }

    pub async fn login_with(addr: &str, username: &str, password: &str) -> Result<Client, Value> {
        let c = Client::anonymous(addr);
        let r = c
            .send(
                "POST",
                "/api/v1/auth/login",
                Some(&json!({ "username": username, "password": password })),
            )
            .await;
        if r.status != 200 {
            return Err(r.json());
        }
        let cookie = r
            .header("set-cookie")
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_string();
        Ok(Client {
            addr: addr.into(),
            cookie: Some(cookie),
            csrf: r.json()["csrf_token"].as_str().map(String::from),
            bearer: None,
        })
    }

    /// Sign in an account made by `duban user add` for a benchmark: with its initial
    /// password, changing it to `new_password` as the first sign-in must; or with
    /// `new_password` when an earlier run changed it.
    pub async fn login_for_bench(
        addr: &str,
        username: &str,
        password: &str,
        new_password: &str,
    ) -> Client {
        let client = match Client::login_with(addr, username, password).await {
            Ok(c) => c,
            Err(_) => Client::login_with(addr, username, new_password)
                .await
                .unwrap_or_else(|e| panic!("login of {username} failed: {e}")),
        };
        if client.ok("/api/v1/auth/me").await["password_change_required"] == true {
            client
                .ok_post(
                    "/api/v1/auth/password",
                    json!({ "old_password": password, "new_password": new_password }),
                )
                .await;
        }
        client
    }

    fn headers(&self) -> Vec<(&'static str, String)> {
        let mut h = vec![("Accept", "application/json".to_string())];
        if let Some(c) = &self.cookie {
            h.push(("Cookie", c.clone()));
        }
        if let Some(t) = &self.csrf {
            h.push(("X-CSRF-Token", t.clone()));
        }
        if let Some(b) = &self.bearer {
            h.push(("Authorization", format!("Bearer {b}")));
        }
        h
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let mut h = self.headers();
        let bytes = match body {
            Some(b) => {
                h.push(("Content-Type", "application/json".into()));
                serde_json::to_vec(b).unwrap()
            }
            None => Vec::new(),
        };
        exchange(&self.addr, method, path, &h, &bytes).await
    }

    /// Send raw bytes with a content type (bad-input tests, uploads).
    pub async fn raw(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Resp {
        let mut h = self.headers();
        h.push(("Content-Type", content_type.into()));
        exchange(&self.addr, method, path, &h, body).await
    }

    /// [`Client::raw`]; `None` when the connection fails (a server killed meanwhile).
    pub async fn try_raw(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Option<Resp> {
        let mut h = self.headers();
        h.push(("Content-Type", content_type.into()));
        try_exchange(&self.addr, method, path, &h, body).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self.send("GET", path, None).await;
        (r.status, r.json())
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self.send("POST", path, Some(&body)).await;
        (r.status, r.json())
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self.send("PUT", path, Some(&body)).await;
        (r.status, r.json())
    }
    /// A POST that may fail at the connection (a server being restarted): `None` then.
    pub async fn try_post(&self, path: &str, body: Value) -> Option<(u16, Value)> {
        let mut h = self.headers();
        h.push(("Content-Type", "application/json".into()));
        let r = try_exchange(
            &self.addr,
            "POST",
            path,
            &h,
            &serde_json::to_vec(&body).unwrap(),
        )
        .await?;
        Some((r.status, serde_json::from_slice(&r.body).ok()?))
    }
    pub async fn try_get(&self, path: &str) -> Option<(u16, Value)> {
        let r = try_exchange(&self.addr, "GET", path, &self.headers(), &[]).await?;
        Some((r.status, serde_json::from_slice(&r.body).ok()?))
    }

    /// GET expecting 200; returns the body.
    pub async fn ok(&self, path: &str) -> Value {
        let (s, v) = self.get(path).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }
    /// POST expecting 200; returns the body.
    pub async fn ok_post(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.post(path, body).await;
        assert_eq!(s, 200, "POST {path}: {v}");
        v
    }
    /// PUT expecting 200; returns the body.
    pub async fn ok_put(&self, path: &str, body: Value) -> Value {
        let (s, v) = self.put(path, body).await;
        assert_eq!(s, 200, "PUT {path}: {v}");
        v
    }
}

/// Run a test body on SQLite and, when configured, on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($projects:expr, $($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::database(false, $projects).await.unwrap()).await;
            })*
        }
        mod on_postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                if let Some(db) = $crate::database(true, $projects).await {
                    super::$name(db).await;
                }
            })*
        }
    };
}

/// The outside world on loopback (`outside/outside.py`): an SMTP server and an HTTP server
/// playing the 企业微信 and 钉钉 robots, a signed webhook receiver and the Aliyun and
/// Tencent SMS APIs, each checking requests as the provider documents them. Stopped when
/// dropped.
pub struct Outside {
    child: std::process::Child,
    pub http: u16,
    pub smtp: u16,
}

/// The secrets the outside world checks signatures with.
pub const OUTSIDE_SECRETS: &str = r#"{"wecom_key":"WK-test","dingtalk_token":"DT-test","dingtalk_secret":"SEC-dingtalk-test","webhook_secret":"hook-secret","aliyun_secret":"ali-secret","tencent_key":"tc-secret","smtp_user":"duban","smtp_password":"mail-pass"}"#;

impl Outside {
    pub fn start() -> Outside {
        use std::io::BufRead;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/outside/outside.py");
        let mut child = std::process::Command::new("python3")
            .args([script, "--secrets", OUTSIDE_SECRETS])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the outside world");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&line).expect("the outside world's ports");
        Outside {
            http: v["http"].as_u64().unwrap() as u16,
            smtp: v["smtp"].as_u64().unwrap() as u16,
            child,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.http)
    }

    /// What it received: `{"http": [...], "mail": [...]}`.
    pub async fn log(&self) -> serde_json::Value {
        let r = exchange(
            &format!("127.0.0.1:{}", self.http),
            "GET",
            "/_log",
            &[],
            &[],
        )
        .await;
        serde_json::from_slice(&r.body).unwrap()
    }

    /// Make the next `times` requests to `path` answer `status`.
    pub async fn fail(&self, path: &str, times: u32, status: u16) {
        self.control(
            "/_fail",
            serde_json::json!({"path": path, "times": times, "status": status}),
        )
        .await;
    }

    /// The robots' minute has passed: their rate limits start again.
    pub async fn minute_passed(&self) {
        self.control("/_minute_passed", serde_json::json!({})).await;
    }

    /// Make requests to `path` wait `ms` before answering.
    pub async fn delay(&self, path: &str, ms: u64) {
        self.control("/_delay", serde_json::json!({"path": path, "ms": ms}))
            .await;
    }

    async fn control(&self, path: &str, body: serde_json::Value) {
        let b = body.to_string();
        let r = exchange(
            &format!("127.0.0.1:{}", self.http),
            "POST",
            path,
            &[("Content-Type", "application/json".to_string())],
            b.as_bytes(),
        )
        .await;
        assert_eq!(r.status, 200);
    }
}

impl Drop for Outside {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real OpenID Connect provider (`oidc/provider.mjs`, node-oidc-provider) on loopback:
/// the office's identity platform. Stopped when dropped.
pub struct Idp {
    child: std::process::Child,
    pub issuer: String,
    redirect: String,
}

impl Idp {
    pub fn start(redirect: &str) -> Idp {
        use std::io::BufRead;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/oidc");
        assert!(
            std::path::Path::new(dir)
                .join("node_modules/oidc-provider")
                .exists(),
            "the test provider's packages are missing: run `make oidc-deps` (or `npm ci` in {dir})"
        );
        let mut child = std::process::Command::new("node")
            .args(["provider.mjs", redirect])
            .current_dir(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("node runs the identity provider");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let v: Value = serde_json::from_str(&line).expect("the provider's issuer");
        Idp {
            child,
            issuer: v["issuer"].as_str().unwrap().to_string(),
            redirect: redirect.to_string(),
        }
    }

    fn host(&self) -> &str {
        self.issuer.trim_start_matches("http://")
    }

    /// duban's side of this provider: the client registered there.
    pub fn sso(&self) -> duban_app::sso::Sso {
        let cfg = duban_outbound::oidc::OidcConfig {
            issuer: self.issuer.clone(),
            client_id: "duban".into(),
            client_secret: "duban-test-secret".into(),
            redirect_url: self.redirect.clone(),
            username_claim: "preferred_username".into(),
            scopes: "openid profile".into(),
        };
        duban_app::sso::Sso {
            client: duban_outbound::oidc::OidcClient::new(cfg).unwrap(),
            label: "统一身份认证登录".into(),
        }
    }

    async fn control(&self, path: &str) {
        let r = exchange(self.host(), "POST", path, &[], &[]).await;
        assert_eq!(r.status, 200, "{path}");
    }

    /// The person who signs in at the next authorization: their subject and user name.
    pub async fn next_login(&self, sub: &str, username: &str) {
        self.control(&format!("/_next?sub={sub}&username={username}"))
            .await;
    }

    /// Alter the next ID token (iss, aud, exp, nonce, sig, none).
    pub async fn tamper(&self, mode: &str) {
        self.control(&format!("/_tamper?mode={mode}")).await;
    }

    /// A browser at the platform: from `url` (the authorization request), follow the
    /// platform's redirects, keeping its cookies, until it sends the browser back to
    /// duban. The callback's path and query.
    pub async fn authorize(&self, url: &str) -> String {
        let mut cookies: Vec<(String, String)> = Vec::new();
        let mut next = url
            .strip_prefix(&self.issuer)
            .unwrap_or_else(|| panic!("{url} is not the provider's"))
            .to_string();
        for _ in 0..10 {
            let jar = cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let r = exchange(self.host(), "GET", &next, &[("Cookie", jar)], &[]).await;
            for (k, v) in &r.headers {
                if k == "set-cookie"
                    && let Some((name, value)) = v.split(';').next().and_then(|c| c.split_once('='))
                {
                    cookies.retain(|(n, _)| n != name);
                    cookies.push((name.to_string(), value.to_string()));
                }
            }
            let loc = r
                .header("location")
                .unwrap_or_else(|| {
                    panic!(
                        "the provider answered {} without sending on: {}",
                        r.status,
                        String::from_utf8_lossy(&r.body)
                    )
                })
                .to_string();
            if let Some(back) = loc.strip_prefix(self.redirect.split("/api/").next().unwrap()) {
                return back.to_string();
            }
            next = loc
                .strip_prefix(&self.issuer)
                .map(str::to_string)
                .unwrap_or(loc);
        }
        panic!("the provider never sent the browser back")
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the benchmark binaries share: their flags and their percentiles.
pub mod bench {
    use std::time::Duration;

    /// The value after `--name`, or the default.
    pub fn arg(args: &[String], name: &str, default: &str) -> String {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_string())
    }

    /// The `p` percentile (0..=1) of sorted durations, in milliseconds (0 when empty).
    pub fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
        if sorted.is_empty() {
            return 0.0;
        }
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i].as_secs_f64() * 1000.0
    }

    /// The import's floor: calamine reading one sheet of a workbook into cells and
    /// nothing else, the best of three reads, in seconds.
    pub fn floor(bytes: &[u8], sheet: &str) -> f64 {
        (0..3)
            .map(|_| {
                let t = std::time::Instant::now();
                let mut wb: calamine::Xlsx<_> =
                    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("open");
                let range = calamine::Reader::worksheet_range(&mut wb, sheet).expect("sheet");
                assert!(range.get_size().0 > 0, "the sheet has rows");
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    }
}
