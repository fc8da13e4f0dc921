//! The web UI built by Vite into `web/dist`, embedded at compile time. Paths that are
//! not files get `index.html` so that the single-page app's routes work on reload.
//! Text assets were gzipped at build time (`*.gz` beside each); a browser that accepts
//! gzip gets those bytes as they are.

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|e| {
            let mut parts = e.split(';');
            parts.next().map(str::trim) == Some("gzip")
                && !parts.any(|q| q.trim().replace(' ', "") == "q=0")
        })
}

/// A file of the bundle, gzipped when the browser takes it and a `.gz` was built.
fn serve(path: &str, cache: &'static str, gzip: bool) -> Option<Response> {
    let f = Dist::get(path)?;
    let packed = Dist::get(&format!("{path}.gz")).map(|p| p.data);
    Some(respond(path, f.data, packed, cache, gzip))
}

/// The response for a file's bytes (and their gzip, if built).
fn respond(
    path: &str,
    data: std::borrow::Cow<'static, [u8]>,
    packed: Option<std::borrow::Cow<'static, [u8]>>,
    cache: &'static str,
    gzip: bool,
) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mut headers = vec![
        (
            header::CONTENT_TYPE,
            HeaderValue::from_str(mime.as_ref())
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
    ];
    if packed.is_some() {
        headers.push((header::VARY, HeaderValue::from_static("accept-encoding")));
    }
    let mut resp = match packed.filter(|_| gzip) {
        Some(gz) => {
            headers.push((header::CONTENT_ENCODING, HeaderValue::from_static("gzip")));
            gz.into_response()
        }
        None => data.into_response(),
    };
    // Set, not appended: the body's own default type must not remain beside ours.
    for (k, v) in headers {
        resp.headers_mut().insert(k, v);
    }
    resp
}

pub async fn static_file(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let gzip = accepts_gzip(&headers);
    // Vite names built assets by content hash: they never change.
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    if !path.is_empty()
        && let Some(r) = serve(path, cache, gzip)
    {
        return r;
    }
    match serve("index.html", "no-cache", gzip) {
        Some(mut r) => {
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The web UI is not built into this binary: run `make web` (or `make demo`) and rebuild.\n界面未编入本程序：请先运行 make web 再重新编译。\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn gzip_is_taken_only_when_offered() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(accepts_gzip(&h("gzip, deflate, br")));
        assert!(accepts_gzip(&h("br;q=1.0, gzip;q=0.8")));
        assert!(!accepts_gzip(&h("gzip;q=0, br")));
        assert!(!accepts_gzip(&h("identity")));
        assert!(!accepts_gzip(&h("x-gzip")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_file_has_one_content_type() {
        for (path, want) in [
            ("icons/icon-192.png", "image/png"),
            ("manifest.webmanifest", "application/manifest+json"),
            ("sw.js", "text/javascript"),
        ] {
            for gzip in [false, true] {
                let r = respond(
                    path,
                    b"x".to_vec().into(),
                    Some(b"gz".to_vec().into()),
                    "no-cache",
                    gzip,
                );
                let types: Vec<_> = r.headers().get_all(header::CONTENT_TYPE).iter().collect();
                assert_eq!(types, vec![want], "{path}");
            }
        }
    }
}
