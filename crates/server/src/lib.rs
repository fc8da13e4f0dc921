//! duban's HTTP interface: the JSON API under `/api/v1` and the web UI, embedded in
//! the binary. Handlers only translate HTTP to use cases in `duban_app` and back.
#![forbid(unsafe_code)]

mod assets;
pub mod error;
mod extract;
mod metrics;
mod openapi;
mod respond;
mod routes;

pub use error::ApiError;

use duban_app::Db;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "duban_session";
use tokio::net::TcpListener;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Attachments live under `data_dir/attachments`.
    pub data_dir: PathBuf,
    /// Mark the session cookie `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    /// When set, `/metrics` answers only a bearer of this token.
    pub metrics_token: Option<String>,
    /// Run the clock-driven work (the routine's jobs, the registry's standing) while
    /// serving; tests that drive the clock themselves turn it off.
    pub clock_jobs: bool,
    /// The reverse proxies in front of duban: from them the client's address is read from
    /// `X-Forwarded-For` (the lockout, the audit log and the metrics count clients, not the
    /// proxy).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Deliver the outbox to the channels while serving; tests that deliver by hand turn
    /// it off.
    pub deliver: bool,
    /// The office's identity platform, when people sign in through it (OpenID Connect).
    pub sso: Option<std::sync::Arc<duban_app::sso::Sso>>,
    metrics: metrics::Shared,
}

impl AppState {
    pub fn new(db: Db, data_dir: PathBuf) -> AppState {
        AppState {
            db,
            data_dir,
            secure_cookies: false,
            metrics_token: None,
            clock_jobs: true,
            trusted_proxies: vec![
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            ],
            deliver: true,
            sso: None,
            metrics: Default::default(),
        }
    }
}

pub fn router(state: AppState) -> axum::Router {
    routes::build()
        .0
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .route("/metrics", axum::routing::get(metrics::serve))
        .layer(axum::middleware::from_fn(log_failures))
        .layer(axum::middleware::from_fn_with_state(
            state.secure_cookies,
            security_headers,
        ))
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(state.trusted_proxies.clone()),
            extract::client_address,
        ))
        .with_state(state)
}

/// The page's policy: our own scripts only (no inline script, no eval), styles inline as
/// the UI library sets them, images also from blobs and data (thumbnails, the camera),
/// framed by our own pages only (the bulletin's document is shown in a frame), no plugins.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; \
manifest-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

/// The headers every answer carries, pages and API alike (a handler's own value wins):
/// no sniffing of types, no framing by another site, no referrer sent elsewhere, the content policy, and
/// HSTS when duban is served over HTTPS (secure cookies on).
async fn security_headers(
    axum::extract::State(https): axum::extract::State<bool>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderName, HeaderValue, header};
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "SAMEORIGIN");
    set(header::REFERRER_POLICY, "same-origin");
    set(header::CONTENT_SECURITY_POLICY, CSP);
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(self), geolocation=(), microphone=()",
    );
    if https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    resp
}

/// The one place a failed request is logged: every 5xx, with the method, the path and
/// the failure's cause chain when a handler gave one.
async fn log_failures(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let resp = next.run(req).await;
    if resp.status().is_server_error() {
        let cause = resp
            .extensions()
            .get::<error::FailureCause>()
            .map(|c| c.0.as_str())
            .unwrap_or("(no cause recorded)");
        tracing::error!(%method, %path, status = resp.status().as_u16(), cause, "request failed");
    }
    resp
}

/// The OpenAPI document of this build.
pub fn openapi() -> serde_json::Value {
    routes::build().1
}

/// Bind `addr`, with a message that says what to do when the port is taken.
pub async fn bind(addr: &str) -> Result<TcpListener, String> {
    let sa: SocketAddr = addr.parse().map_err(|_| {
        format!("'{addr}' is not a listen address: use IP:PORT, e.g. 127.0.0.1:8080")
    })?;
    TcpListener::bind(sa).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => format!("cannot listen on {sa}: the port is already in use; stop the other program or choose another address with --listen"),
        std::io::ErrorKind::PermissionDenied => format!("cannot listen on {sa}: permission denied; use a port above 1024"),
        _ => format!("cannot listen on {sa}: {e}"),
    })
}

/// Serve until Ctrl-C or SIGTERM; in-flight requests finish first.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    // The key that seals channels' credentials: DUBAN_SECRET_KEY, or secret.key beside the
    // data (made on first start).
    let sealer = duban_outbound::Sealer::from_env_or_file(&state.data_dir.join("secret.key"))
        .map_err(std::io::Error::other)?;
    duban_app::delivery::install_key(sealer);
    if state.clock_jobs {
        tokio::spawn(upkeep(state.db.clone(), state.data_dir.clone()));
    }
    if state.deliver {
        tokio::spawn(deliverer(state.db.clone()));
    }
    accept(listener, router(state), shutdown()).await
}

/// How long a client may take to send a request's headers, and how long an idle
/// keep-alive connection stays open: a client that trickles its headers (slowloris) or
/// sits on a connection is cut off after this.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Serve HTTP/1.1 connections until `stop`, then let the requests in flight finish (30 s
/// at most). Each connection knows its peer's address (`ConnectInfo`), and times out
/// reading headers after [`HEADER_READ_TIMEOUT`].
async fn accept(
    listener: TcpListener,
    app: axum::Router,
    stop: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            conn = listener.accept() => match conn {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment, go on.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        let svc =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    req
                });
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .keep_alive(true);
        let conn = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(svc),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _ = conn.await;
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
            tracing::warn!("requests still in flight after 30 s at shutdown");
        }
    }
    Ok(())
}

/// The clock-driven work while the server runs, each minute: the routine's jobs (each
/// once a day at its time, whatever the number of servers), and every ten minutes the
/// audit chain's signed anchor and the registry's standing when the office's month has turned (or a rebuild left it stale;
/// idempotent: several servers may do it, the last one wins with the same values).
async fn upkeep(db: duban_app::Db, data_dir: std::path::PathBuf) {
    let mut minute = 0u64;
    loop {
        if minute.is_multiple_of(10) {
            // The audit chain's head, signed, beside the data and in the log.
            if let Err(e) = duban_app::audit::anchor(&db, &data_dir.join("audit-anchors.log")).await
            {
                tracing::error!(error = %e.chain(), "audit chain not anchored");
            }
            match duban_app::analytics::standing_catch_up(&db).await {
                Ok(Some(p)) => tracing::info!(period = %p, "registry standing rewritten"),
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e.chain(), "registry standing not rewritten"),
            }
        }
        // The routine's clock: each job once a day at its time, one server at a time.
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        match duban_app::routine::tick(&db, now_ms).await {
            Ok(runs) => {
                for (job, outcome) in runs {
                    if let duban_app::jobs::Outcome::Ran(what) = outcome {
                        tracing::info!(job, what, "routine job ran");
                    }
                }
            }
            Err(e) => tracing::error!(error = %e.chain(), "routine tick failed"),
        }
        minute += 1;
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    }
}

/// The outbox's deliverer: what is due goes out at once (a write that queues a message
/// wakes it), and at the latest every few seconds for retries and quiet hours.
async fn deliverer(db: duban_app::Db) {
    loop {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        match duban_app::delivery::deliver_due(&db, now_ms, 50).await {
            Ok(d) if d.sent + d.retried + d.failed > 0 => {
                tracing::info!(
                    sent = d.sent,
                    retried = d.retried,
                    failed = d.failed,
                    "delivered"
                );
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e.chain(), "delivery failed"),
        }
        duban_app::delivery::wait_for_work(std::time::Duration::from_secs(5)).await;
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
