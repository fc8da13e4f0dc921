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
    metrics: metrics::Shared,
}

impl AppState {
    pub fn new(db: Db, data_dir: PathBuf) -> AppState {
        AppState {
            db,
            data_dir,
            secure_cookies: false,
            metrics_token: None,
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
        .with_state(state)
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
    tokio::spawn(upkeep(state.db.clone()));
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
}

/// The read model's clock-driven upkeep while the server runs: at start and every ten
/// minutes, the registry's standing is rewritten when the office's month has turned (or
/// a rebuild left it stale). Idempotent: several servers may do it; the last one wins
/// with the same values.
async fn upkeep(db: duban_app::Db) {
    loop {
        match duban_app::analytics::standing_catch_up(&db).await {
            Ok(Some(p)) => tracing::info!(period = %p, "registry standing rewritten"),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e.chain(), "registry standing not rewritten"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
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
