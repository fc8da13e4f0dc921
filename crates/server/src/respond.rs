//! How handlers answer: JSON, file downloads with UTF-8 names, and files streamed as
//! they are written.

use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// What every handler returns.
pub type Res = Result<Response, ApiError>;

/// A JSON answer.
pub fn ok<T: Serialize>(v: T) -> Res {
    Ok(Json(v).into_response())
}

/// `{"ok": true}`: a write with nothing else to say.
pub fn done() -> Res {
    ok(serde_json::json!({ "ok": true }))
}

/// The media type of `.xlsx` files.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// `Content-Disposition` for a download: the name percent-encoded as RFC 5987 says, so
/// Chinese file names arrive intact and the header stays ASCII; `fallback` is for
/// clients that read only the plain `filename`.
pub fn attachment(name: &str, fallback: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A file download with a UTF-8 name.
pub fn download(bytes: Vec<u8>, mime: &'static str, name: &str, fallback: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, attachment(name, fallback)),
        ],
        bytes,
    )
        .into_response()
}

/// A file written in batches, streamed as it is written. An error after the first
/// byte cuts the body (the status line is gone), so the download fails visibly.
pub fn streamed<E: duban_app::export::Chunked>(
    db: duban_app::Db,
    export: E,
    content_type: &str,
    name: &str,
    fallback: &str,
) -> Response {
    let body = futures_util::stream::unfold(Some((export, 0usize)), move |state| {
        let db = db.clone();
        async move {
            let (export, n) = state?;
            match export.next_chunk(&db, n).await {
                Ok(Some(text)) => Some((
                    Ok::<_, std::io::Error>(Bytes::from(text)),
                    Some((export, n + 1)),
                )),
                Ok(None) => None,
                Err(e) => Some((Err(std::io::Error::other(e.to_string())), None)),
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, attachment(name, fallback)),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}
