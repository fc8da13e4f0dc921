//! Request extractors whose every rejection is an [`ApiError`] with a stable code and a
//! message in both languages: JSON bodies, query strings, path ids, and the caller.

use crate::error::ApiError;
use crate::{AppState, SESSION_COOKIE};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use duban_app::AppError;
use duban_app::access::{Caller, Can, Cap};
use duban_app::auth::{self, Authenticated};
use duban_domain::ids::{ChainId, ProblemId, ProjectId, ReportId, UserId};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// A JSON body; unknown fields, wrong types, malformed text and oversize bodies are 4xx.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

/// A file sent as the raw request body (uploads, imports); over the route's limit it is
/// 413, any other failure to read it 400.
pub struct FileBody(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for FileBody {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => Ok(FileBody(b)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(too_large()),
            Err(e) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                format!("cannot read the file sent: {}", e.body_text()),
                "无法读取上传的文件",
            )),
        }
    }
}

fn json_rejection(e: JsonRejection) -> ApiError {
    let text = e.body_text();
    match e {
        JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("the request body does not match the expected fields: {text}"),
            format!("请求内容的字段或类型有误：{text}"),
        ),
        JsonRejection::JsonSyntaxError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("the request body is not valid JSON: {text}"),
            "请求内容不是有效的 JSON",
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json",
            "请以 JSON 格式提交（Content-Type: application/json）",
        ),
        _ if e.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("cannot read the request body: {text}"),
            "无法读取请求内容",
        ),
    }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "the request body is too large",
        "提交的内容过大",
    )
}

/// A query string.
pub struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Q(v))
            .map_err(|e: QueryRejection| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_input",
                    format!("bad query string: {}", e.body_text()),
                    format!("查询参数有误：{}", e.body_text()),
                )
            })
    }
}

/// Numeric path segments (`/x/{id}` or `/x/{id}/y/{id2}`).
pub struct Ids(pub Vec<i64>);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found(parts.uri.path()))?;
        raw.iter()
            .map(|(k, v)| {
                v.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "invalid_input",
                        format!("'{v}' is not a valid {k}"),
                        format!("“{v}”不是有效的编号"),
                    )
                })
            })
            .collect::<Result<_, _>>()
            .map(Ids)
    }
}

/// What a numeric path segment names: a record id of its own type, or a plain number
/// (a year, a unit).
pub trait FromPath {
    fn from_path(v: i64) -> Self;
}
impl FromPath for i64 {
    fn from_path(v: i64) -> i64 {
        v
    }
}
macro_rules! path_ids {
    ($($t:ty),*) => {$(
        impl FromPath for $t {
            fn from_path(v: i64) -> $t {
                <$t>::new(v)
            }
        }
    )*};
}
path_ids!(ProjectId, ReportId, ProblemId, UserId, ChainId);

impl Ids {
    /// The one id of the path, as the type the use case takes.
    pub fn one<T: FromPath>(&self) -> T {
        T::from_path(self.0[0])
    }
    pub fn two<A: FromPath, B: FromPath>(&self) -> (A, B) {
        (A::from_path(self.0[0]), B::from_path(self.0[1]))
    }
}

/// The client's address, for auditing what anonymous requests do (logins, the first run).
pub struct Ip(pub String);
impl<S: Send + Sync> FromRequestParts<S> for Ip {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Ip(client_ip(parts)))
    }
}

/// The client's address: the socket's, or, when the socket is a trusted proxy, the last
/// address in `X-Forwarded-For` that is not one of the proxies.
pub fn client_ip(parts: &Parts) -> String {
    if let Some(ClientAddress(ip)) = parts.extensions.get::<ClientAddress>() {
        return ip.to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The client's address as worked out once per request.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub std::net::IpAddr);

/// Who the client is, given the proxies duban trusts. A header from anyone else is
/// ignored: a client cannot pretend to be another address.
pub fn forwarded_client(
    socket: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    let socket = socket.to_canonical();
    let is_trusted = |ip: std::net::IpAddr| trusted.iter().any(|t| t.to_canonical() == ip);
    if !is_trusted(socket) {
        return socket;
    }
    let Some(list) = forwarded_for else {
        return socket;
    };
    // From the nearest hop outwards: the first that is not one of our proxies is the
    // client. A hop that is not an address ends the walk: what lies beyond it cannot be
    // told from what a client wrote, so the proxy itself is taken.
    for hop in list.split(',').rev() {
        let Ok(ip) = hop.trim().parse::<std::net::IpAddr>() else {
            return socket;
        };
        let ip = ip.to_canonical();
        if !is_trusted(ip) {
            return ip;
        }
    }
    socket
}

/// The layer that works out the client's address for every request.
pub async fn client_address(
    axum::extract::State(trusted): axum::extract::State<std::sync::Arc<Vec<std::net::IpAddr>>>,
    mut req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(ConnectInfo(sa)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        // Every X-Forwarded-For header, in order: a proxy may add its own after the one a
        // client sent.
        let all: Vec<&str> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.to_str().unwrap_or("?"))
            .collect();
        let joined = all.join(",");
        let ip = forwarded_client(
            sa.ip(),
            (!all.is_empty()).then_some(joined.as_str()),
            &trusted,
        );
        req.extensions_mut().insert(ClientAddress(ip));
    }
    next.run(req).await
}

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    cookie_in(&parts.headers, name)
}

/// A cookie's value among the request's headers.
pub fn cookie_in(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Paths a user whose password must change may still call.
const WHILE_CHANGING_PASSWORD: &[&str] = &[
    "/api/v1/auth/me",
    "/api/v1/auth/password",
    "/api/v1/auth/logout",
];

/// Paths a user who must set up the second factor may still call.
const WHILE_SETTING_UP_TOTP: &[&str] = &[
    "/api/v1/auth/me",
    "/api/v1/auth/logout",
    "/api/v1/auth/totp/setup",
    "/api/v1/auth/totp/enable",
];

/// The authenticated caller: from a session cookie (with a CSRF token on every write)
/// or from an API token (`Authorization: Bearer duban_…`).
pub struct Auth {
    pub caller: Caller,
    pub session: Option<String>,
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        let ip = client_ip(parts);
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .map(String::from);
        let (a, session): (Authenticated, Option<String>) =
            match (bearer, cookie(parts, SESSION_COOKIE)) {
                (Some(t), _) => (auth::token(&s.db, &t, &ip).await?, None),
                (None, Some(c)) => (auth::session(&s.db, &c, &ip).await?, Some(c)),
                (None, None) => {
                    return Err(
                        AppError::auth("unauthenticated", "log in first", "请先登录").into(),
                    );
                }
            };
        if let Some(expected) = &a.csrf {
            let unsafe_method =
                !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if unsafe_method && sent != Some(expected.as_str()) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "missing or wrong X-CSRF-Token header",
                    "请求缺少有效的防伪令牌，请刷新页面后重试",
                ));
            }
        }
        if a.password_change_required && !WHILE_CHANGING_PASSWORD.contains(&parts.uri.path()) {
            return Err(AppError::PasswordChange.into());
        }
        if a.totp_required
            && !a.password_change_required
            && !WHILE_SETTING_UP_TOTP.contains(&parts.uri.path())
        {
            return Err(AppError::TotpSetup.into());
        }
        Ok(Auth {
            caller: a.caller,
            session,
        })
    }
}

/// The caller, proven to hold capability `C`: a handler that takes `Allowed<Supervise>`
/// can only be reached by a supervisor, and the use case it calls gets the handle
/// ([`Can`]) that the permission check returned. Without the capability the request is
/// 403 before the body is read.
pub struct Allowed<C: Cap>(pub Can<C>);

impl<C: Cap> FromRequestParts<AppState> for Allowed<C> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, ApiError> {
        let a = Auth::from_request_parts(parts, s).await?;
        Ok(Allowed(a.caller.can::<C>()?))
    }
}

#[cfg(test)]
mod forwarded_tests {
    use super::forwarded_client;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_may_say_who_the_client_is() {
        let trusted = [ip("127.0.0.1"), ip("10.0.0.2")];
        // nginx on the same machine passes the client on.
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), Some("203.0.113.5"), &trusted),
            ip("203.0.113.5")
        );
        // A client's own forged entry comes first; the proxies append the real one.
        assert_eq!(
            forwarded_client(
                ip("127.0.0.1"),
                Some("6.6.6.6, 203.0.113.5, 10.0.0.2"),
                &trusted
            ),
            ip("203.0.113.5")
        );
        // Anyone else's header is ignored.
        assert_eq!(
            forwarded_client(ip("198.51.100.7"), Some("203.0.113.5"), &trusted),
            ip("198.51.100.7")
        );
        // Nothing usable: the socket.
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), Some("garbage"), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            forwarded_client(ip("127.0.0.1"), None, &trusted),
            ip("127.0.0.1")
        );
    }
}
