//! The outer layers every request passes through, from tower-http, and the few rules Renkei
//! adds around them. Outermost first:
//!
//! 1. [`screen_request_id`] — a client-sent `x-request-id` is kept only when it is one short
//!    token of letters, digits, `-`, `_` and `.` ([`acceptable_request_id`]); anything else
//!    (spaces, quotes, non-ASCII, more than [`MAX_REQUEST_ID_LEN`] bytes, the header sent twice)
//!    is dropped, so a forged value never reaches a log line.
//! 2. `SetRequestIdLayer` — a request without an id gets a fresh UUID.
//! 3. `TraceLayer` — one span per request with the request id, the method and the matched
//!    route's template ([`request_span`]; never the raw path, which may hold a tracking
//!    token); every log line written while answering carries them. The response is logged
//!    at `info` with its status and latency.
//! 4. `PropagateRequestIdLayer` — the id goes back in the response's `x-request-id`.
//! 5. [`screen_accept_encoding`] — compression only for requests this site started (see
//!    there), and only gzip or br.
//! 6. `CompressionLayer` (gzip, br) with [`compress_when`]: never a download or content that
//!    is compressed already.
//!
//! Inside them come the application's own middleware (`middleware.rs`) and, per route, the
//! time-out (`TimeoutLayer`, set in `routes.rs`) with [`explain_timeout`].

use crate::error::{ApiError, WebError};
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id accepted from a client (a UUID has 36 characters).
pub const MAX_REQUEST_ID_LEN: usize = 64;

/// Wraps the application in the edge layers, in the order described above.
pub fn layers(app: Router) -> Router {
    // `layer` wraps what is there already: the last one added is the outermost.
    app.layer(CompressionLayer::new().compress_when(compress_when()))
        .layer(axum::middleware::from_fn(screen_accept_encoding))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span::<axum::body::Body>)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(X_REQUEST_ID, MakeRequestUuid))
        .layer(axum::middleware::from_fn(screen_request_id))
}

/// Whether a client-sent request id may stand: 1 to [`MAX_REQUEST_ID_LEN`] bytes of ASCII
/// letters, digits, `-`, `_` and `.` — what proxies and UUIDs use, and nothing that could
/// look like another log field, a line break or an escape sequence.
pub fn acceptable_request_id(id: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Drops a client-sent `x-request-id` that is not acceptable (or sent more than once), so
/// that the next layer gives the request a fresh one.
pub async fn screen_request_id(mut req: Request, next: Next) -> Response {
    let mut sent = req.headers().get_all(&X_REQUEST_ID).iter();
    let keep = match (sent.next(), sent.next()) {
        (None, _) => true,
        (Some(id), None) => acceptable_request_id(id.as_bytes()),
        _ => false,
    };
    if !keep {
        req.headers_mut().remove(&X_REQUEST_ID);
    }
    next.run(req).await
}

/// The span of one request: its id, method and matched route (a template such as
/// `/t/{code}/track/{token}`; `unmatched` for the fallback).
pub fn request_span<B>(req: &Request<B>) -> Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
        .unwrap_or("unmatched");
    let id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route)
}

/// Decides whether the client may get a compressed answer, by rewriting its
/// `Accept-Encoding`:
///
/// - A request another site started (`Sec-Fetch-Site: cross-site` or `same-site`, sent by
///   current browsers) gets none. Pages hold secrets (the CSRF token, proposal text) next to
///   text a request can choose (a search, a form typed back); compressing both lets an
///   attacker who starts many such requests from their own page and watches the encrypted
///   sizes guess the secrets byte by byte (BREACH). Our own pages' requests and typed or
///   bookmarked addresses (`same-origin`, `none`) are compressed, as are clients that send
///   no fetch metadata (API clients, Prometheus).
/// - Only `gzip`, `br` and `*` with a weight above zero are passed on; other codings and
///   refusals (`identity;q=0`) are dropped, so the compression layer never answers
///   406 Not Acceptable in place of the real response (a 303 after a committed form, say).
pub async fn screen_accept_encoding(mut req: Request, next: Next) -> Response {
    let foreign = req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site" || v.as_bytes() == b"same-site");
    let wanted = if foreign {
        String::new()
    } else {
        acceptable_encodings(req.headers())
    };
    let headers = req.headers_mut();
    headers.remove(header::ACCEPT_ENCODING);
    if !wanted.is_empty()
        && let Ok(v) = HeaderValue::from_str(&wanted)
    {
        headers.insert(header::ACCEPT_ENCODING, v);
    }
    next.run(req).await
}

/// The entries of every `Accept-Encoding` header that name gzip, br or `*` with a weight
/// above zero, joined by `, `.
pub fn acceptable_encodings(headers: &HeaderMap) -> String {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|entry| {
            let mut params = entry.split(';').map(str::trim);
            let coding = params.next().unwrap_or_default();
            let weight = params
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok());
            weight.is_some_and(|w| w > 0.0)
                && (coding.eq_ignore_ascii_case("gzip")
                    || coding.eq_ignore_ascii_case("br")
                    || coding == "*")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What gets compressed: tower-http's defaults (at least 32 bytes; no images but SVG, no
/// gRPC, no event streams), and never
/// - a download (`Content-Disposition`): attachments leave byte for byte as stored, with
///   their own headers (`Content-Security-Policy: sandbox`) untouched;
/// - formats that are compressed already: PDF, Office files (ZIP containers), ZIP, and
///   unknown binary data.
pub fn compress_when() -> impl Predicate + Send + Sync + 'static {
    DefaultPredicate::new()
        .and(NotForContentType::const_new("application/pdf"))
        .and(NotForContentType::const_new(
            "application/vnd.openxmlformats-officedocument.",
        ))
        .and(NotForContentType::const_new("application/zip"))
        .and(NotForContentType::const_new("application/octet-stream"))
        .and(not_a_download)
}

fn not_a_download(
    _: StatusCode,
    _: axum::http::Version,
    headers: &HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    !headers.contains_key(header::CONTENT_DISPOSITION)
}

/// Gives a request the time-out stopped a clear answer. tower-http's `TimeoutLayer` answers
/// a bare 503 (no headers, no body), which no handler of ours does; it becomes the JSON
/// error `timeout` on the API, a page in the visitor's language on pages (rendered by
/// `middleware::pages`), plain text elsewhere. The message says that a form may have been
/// saved before the time ran out.
pub async fn explain_timeout(uri: Uri, resp: Response) -> Response {
    if resp.status() != StatusCode::SERVICE_UNAVAILABLE || !resp.headers().is_empty() {
        return resp;
    }
    tracing::warn!("request timed out");
    let path = uri.path();
    if path.starts_with("/api/") {
        ApiError::timeout().into_response()
    } else if crate::middleware::is_page(path) {
        WebError::TimedOut.into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "the request took too long and was stopped\n",
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    #[test]
    fn request_ids_from_clients_are_screened() {
        for ok in [
            "a",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
            "req_42.retry-1",
            &"x".repeat(MAX_REQUEST_ID_LEN),
        ] {
            assert!(acceptable_request_id(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            &"x".repeat(MAX_REQUEST_ID_LEN + 1),
            "abc status=200",
            "abc\tuser=admin",
            "abc\"",
            "abc\r\nx: y",
            "id\u{1b}[31m",
            "ｉｄ",
            "a/b",
        ] {
            assert!(!acceptable_request_id(bad.as_bytes()), "{bad:?}");
        }
    }

    #[test]
    fn only_gzip_and_br_with_weight_pass() {
        let cases = [
            ("gzip, deflate, br, zstd", "gzip, br"),
            ("br;q=0.5, gzip;q=1.0", "br;q=0.5, gzip;q=1.0"),
            ("gzip;q=0, br", "br"),
            ("identity;q=0", ""),
            ("*;q=0, identity;q=0", ""),
            ("deflate", ""),
            ("GZIP", "GZIP"),
            ("*", "*"),
            ("gzip;q=nonsense", ""),
        ];
        for (given, passed) in cases {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(given));
            assert_eq!(acceptable_encodings(&h), passed, "{given}");
        }
        let mut two = HeaderMap::new();
        two.append(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        two.append(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        assert_eq!(acceptable_encodings(&two), "gzip, br");
    }

    fn response(content_type: &str, disposition: Option<&str>) -> Response {
        let mut r = Response::new(Body::from(vec![b'a'; 4096]));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("x/y")),
        );
        if let Some(d) = disposition {
            r.headers_mut().insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(d).unwrap_or(HeaderValue::from_static("attachment")),
            );
        }
        r
    }

    #[test]
    fn downloads_and_compressed_formats_are_left_alone() {
        let p = compress_when();
        for yes in [
            "text/html; charset=utf-8",
            "text/css; charset=utf-8",
            "application/json",
            "text/plain; version=0.0.4; charset=utf-8",
            "image/svg+xml",
        ] {
            assert!(p.should_compress(&response(yes, None)), "{yes}");
        }
        for no in [
            "application/pdf",
            "image/png",
            "image/jpeg",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/zip",
            "application/octet-stream",
        ] {
            assert!(!p.should_compress(&response(no, None)), "{no}");
        }
        // A download of a type that would otherwise be compressed.
        assert!(!p.should_compress(&response(
            "application/x-ole-storage",
            Some("attachment; filename=\"a.doc\"")
        )));
        assert!(!p.should_compress(&response("text/plain", Some("attachment"))));
    }

    /// A writer that keeps what the log subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut v) = self.0.lock() {
                v.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
        type Writer = Self;
        fn make_writer(&'a self) -> Self {
            self.clone()
        }
    }

    async fn logged_by(app: Router, req: Request) -> (Response, String) {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_max_level(Level::INFO)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let resp = app.oneshot(req).await.unwrap_or_else(|e| match e {});
        let log = captured
            .0
            .lock()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default();
        (resp, log)
    }

    fn app() -> Router {
        layers(Router::new().route(
            "/t/{code}/track/{token}",
            get(|| async {
                tracing::info!("inside the handler");
                "ok"
            }),
        ))
    }

    #[tokio::test]
    async fn every_log_line_of_a_request_carries_its_id_and_route() {
        let req = Request::builder()
            .uri("/t/272027/track/SECRET-TOKEN")
            .header("x-request-id", "abc status=200")
            .body(Body::empty())
            .expect("request");
        let (resp, log) = logged_by(app(), req).await;
        let id = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(id.len(), 36, "a fresh UUID, not the forged id: {id:?}");
        let lines: Vec<&str> = log.lines().collect();
        assert!(
            lines.iter().any(|l| l.contains("inside the handler")),
            "{log}"
        );
        assert!(lines.len() >= 2, "handler line and response line: {log}");
        for line in &lines {
            assert!(line.contains(&format!("request_id={id}")), "{line}");
            assert!(line.contains("route=/t/{code}/track/{token}"), "{line}");
            assert!(line.contains("method=GET"), "{line}");
        }
        assert!(!log.contains("SECRET-TOKEN"), "no raw path in logs: {log}");
        assert!(
            !log.contains("abc status"),
            "the forged id is not logged: {log}"
        );

        // An acceptable id from a proxy stays, in the logs and the response.
        let req = Request::builder()
            .uri("/t/272027/track/x")
            .header("x-request-id", "proxy-7f3a.1")
            .body(Body::empty())
            .expect("request");
        let (resp, log) = logged_by(app(), req).await;
        assert_eq!(
            resp.headers().get("x-request-id"),
            Some(&HeaderValue::from_static("proxy-7f3a.1"))
        );
        assert!(log.contains("request_id=proxy-7f3a.1"), "{log}");
    }
}
