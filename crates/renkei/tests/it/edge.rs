//! The edge layers seen from outside: compression (and what it leaves alone), request ids
//! (and what a client may not make of them), the latency histogram, the request time-out.
//!
//! The test client has no decompression of its own (reqwest without `gzip`/`brotli`), so
//! `Content-Encoding` and the raw bytes are what the server sent.

use crate::web_proposals::{PDF, propose};
use renkei_testkit::{Backend, Client, TestApp, on_both};
use std::io::Read;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Raw {
    status: u16,
    headers: reqwest::header::HeaderMap,
    bytes: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn request_id(&self) -> String {
        self.header("x-request-id").unwrap_or_default().to_string()
    }
}

/// A GET with exactly these extra headers (values as bytes, so non-ASCII can be sent).
async fn raw_get(c: &Client, path: &str, headers: &[(&str, &[u8])]) -> Raw {
    let mut req = c.http.get(format!("{}{path}", c.base));
    for (name, value) in headers {
        req = req.header(
            *name,
            reqwest::header::HeaderValue::from_bytes(value).expect("a sendable header value"),
        );
    }
    let resp = req.send().await.expect("GET");
    Raw {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        bytes: resp.bytes().await.expect("body").to_vec(),
    }
}

fn gunzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = String::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_string(&mut out)
        .expect("valid brotli");
    out
}

fn plain(r: &Raw) -> String {
    String::from_utf8(r.bytes.clone()).expect("UTF-8 body")
}

async fn pages_are_compressed_when_asked(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    // The first visit sets the visitor cookies, so the page stays the same from here on.
    c.get("/t/272027").await;
    let identity = raw_get(&c, "/t/272027", &[]).await;
    assert_eq!(identity.status, 200);
    assert_eq!(identity.header("content-encoding"), None);
    let html = plain(&identity);
    assert!(html.contains("大阪府岸和田市 公民戦略連携デスク"), "{html}");

    let gz = raw_get(&c, "/t/272027", &[("accept-encoding", b"gzip")]).await;
    assert_eq!(gz.status, 200);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(
        gz.header("vary")
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
        "{:?}",
        gz.headers
    );
    assert!(
        gz.bytes.len() < html.len() * 2 / 3,
        "compressed: {} of {}",
        gz.bytes.len(),
        html.len()
    );
    assert_eq!(gunzip(&gz.bytes), html);
    // The page's own headers survive.
    assert!(gz.header("content-security-policy").is_some());
    assert_eq!(gz.header("x-content-type-options"), Some("nosniff"));

    let br = raw_get(
        &c,
        "/t/272027",
        &[("accept-encoding", b"br;q=1, gzip;q=0.5")],
    )
    .await;
    assert_eq!(br.header("content-encoding"), Some("br"));
    assert_eq!(unbrotli(&br.bytes), html);

    // Static files and metrics too; metrics stay valid text for a scraper that asks for gzip.
    let css = raw_get(
        &c,
        "/static/css/renkei.css",
        &[("accept-encoding", b"gzip")],
    )
    .await;
    assert_eq!(css.header("content-encoding"), Some("gzip"));
    assert!(gunzip(&css.bytes).contains('{'));
    let metrics = raw_get(&c, "/metrics", &[("accept-encoding", b"gzip")]).await;
    assert_eq!(metrics.status, 200);
    assert_eq!(metrics.header("content-encoding"), Some("gzip"));
    assert!(
        gunzip(&metrics.bytes).contains("# TYPE renkei_http_requests_total counter"),
        "metrics decode to the text format"
    );
}

/// BREACH: a request another site started gets no compressed page, whatever it accepts.
async fn no_compression_for_requests_from_other_sites(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    c.get("/t/272027").await;
    for site in [&b"cross-site"[..], b"same-site"] {
        let r = raw_get(
            &c,
            "/t/272027",
            &[("accept-encoding", b"gzip, br"), ("sec-fetch-site", site)],
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-encoding"), None, "{site:?}");
        assert!(plain(&r).contains("公民連携デスク"));
    }
    // Our own pages' requests and typed addresses are compressed.
    for site in [&b"same-origin"[..], b"none"] {
        let r = raw_get(
            &c,
            "/t/272027",
            &[("accept-encoding", b"gzip"), ("sec-fetch-site", site)],
        )
        .await;
        assert_eq!(r.header("content-encoding"), Some("gzip"), "{site:?}");
    }
}

/// A client that refuses uncompressed answers still gets the real answer (here a redirect),
/// not a 406 in its place.
async fn refusing_identity_does_not_replace_the_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = app.client();
    for accept in [&b"identity;q=0"[..], b"*;q=0", b"deflate, identity;q=0"] {
        let r = raw_get(&c, "/operator", &[("accept-encoding", accept)]).await;
        assert_eq!(r.status, 303, "{accept:?}");
        assert!(
            r.header("location")
                .is_some_and(|l| l.starts_with("/login?next=")),
            "{:?}",
            r.headers
        );
        assert_eq!(r.header("content-encoding"), None);
    }
}

/// Attachments leave as stored: no compression, their own headers intact.
async fn downloads_are_not_compressed(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let sent = propose(
        &mut c,
        "圧縮しない添付",
        Some(("資料.pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let page = c.get(&sent.location.expect("tracking page")).await;
    let href = page
        .body
        .split("href=\"")
        .find(|s| s.contains("/attachments/"))
        .and_then(|s| s.split('"').next())
        .expect("attachment link")
        .to_string();
    for accept in [&b"gzip"[..], b"br", b"gzip, br"] {
        let r = raw_get(&c, &href, &[("accept-encoding", accept)]).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-encoding"), None, "{accept:?}");
        assert_eq!(r.bytes, PDF, "byte for byte");
        assert_eq!(r.header("content-type"), Some("application/pdf"));
        assert_eq!(
            r.header("content-security-policy"),
            Some("sandbox; default-src 'none'")
        );
        assert!(
            r.header("content-disposition")
                .is_some_and(|d| d.starts_with("attachment;")),
            "{:?}",
            r.headers
        );
        assert_eq!(
            r.header("content-length"),
            Some(PDF.len().to_string().as_str())
        );
    }
}

fn is_fresh_id(id: &str) -> bool {
    id.len() == 36
        && id.chars().filter(|&ch| ch == '-').count() == 4
        && id.chars().all(|ch| ch.is_ascii_hexdigit() || ch == '-')
}

async fn request_ids(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = app.client();
    // Every answer carries one: pages, the API, static files, the fallback.
    let mut seen = std::collections::HashSet::new();
    for path in [
        "/",
        "/",
        "/api/v1/tenants/272027/departments",
        "/static/css/renkei.css",
        "/no-such-page",
    ] {
        let r = raw_get(&c, path, &[]).await;
        let id = r.request_id();
        assert!(is_fresh_id(&id), "{path}: {id:?}");
        assert!(seen.insert(id), "a new id for every request");
    }

    // An id from a proxy in front stays and comes back.
    let r = raw_get(&c, "/", &[("x-request-id", b"lb-7f3a9c.retry_1")]).await;
    assert_eq!(r.request_id(), "lb-7f3a9c.retry_1");

    // Forged ids are replaced, never echoed.
    let long = "a".repeat(500);
    for forged in [
        long.as_bytes(),
        b"abc request_id=admin status=200",
        b"abc\tinjected",
        b"\"}{\"injected\":true",
        "ｉｄ\u{202E}".as_bytes(),
        b"\xff\xfe",
    ] {
        let r = raw_get(&c, "/", &[("x-request-id", forged)]).await;
        assert_eq!(r.status, 200);
        let id = r.request_id();
        assert!(is_fresh_id(&id), "{forged:?} gave {id:?}");
        let echoed = r.headers.get_all("x-request-id").iter().count();
        assert_eq!(echoed, 1);
    }
    // Sent twice: neither stands.
    let r = c
        .http
        .get(format!("{}/", c.base))
        .header("x-request-id", "first")
        .header("x-request-id", "second")
        .send()
        .await
        .expect("GET");
    let ids: Vec<_> = r.headers().get_all("x-request-id").iter().collect();
    assert_eq!(ids.len(), 1);
    assert!(is_fresh_id(ids[0].to_str().unwrap_or_default()), "{ids:?}");

    // Line breaks cannot even be sent: the HTTP parser refuses the request before any of
    // our code runs, and nothing of the forged header comes back.
    let mut s = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    s.write_all(
        b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: evil\rInjected: yes\r\nConnection: close\r\n\r\n",
    )
    .await
    .expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        s.read_to_end(&mut answer),
    )
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        !answer.contains("evil") && !answer.contains("Injected"),
        "{answer}"
    );
}

/// The value of one series line in the Prometheus text, e.g.
/// `renkei_http_request_duration_seconds_count{method="GET",route="/"}`.
fn series(metrics: &str, name_and_labels: &str) -> Option<f64> {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(name_and_labels)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

async fn latency_histogram(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut c = app.client();
    for _ in 0..2 {
        assert_eq!(c.get("/").await.status, 200);
    }
    let m = c.get("/metrics").await.body;
    assert!(
        m.contains("# TYPE renkei_http_request_duration_seconds histogram"),
        "{m}"
    );
    let count = "renkei_http_request_duration_seconds_count{method=\"GET\",route=\"/\"}";
    let inf = "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"+Inf\"}";
    let sum = "renkei_http_request_duration_seconds_sum{method=\"GET\",route=\"/\"}";
    assert_eq!(series(&m, count), Some(2.0), "{m}");
    assert_eq!(series(&m, inf), Some(2.0), "{m}");
    assert!(series(&m, sum).is_some_and(|s| s > 0.0), "{m}");
    // Buckets are cumulative and end at the count.
    let buckets: Vec<(f64, f64)> = m
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(
                "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"",
            )?;
            let (le, value) = rest.split_once("\"} ")?;
            let le = if le == "+Inf" {
                f64::INFINITY
            } else {
                le.parse().ok()?
            };
            Some((le, value.parse().ok()?))
        })
        .collect();
    assert!(buckets.len() >= 10, "{buckets:?}");
    assert!(
        buckets
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1),
        "{buckets:?}"
    );
    // Every line is a comment or `name{labels} value`.
    for line in m.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').expect("a value");
        assert!(value.parse::<f64>().is_ok() || value == "+Inf", "{line}");
        assert!(line.starts_with("renkei_"), "{line}");
    }

    c.get("/").await;
    let m = c.get("/metrics").await.body;
    assert_eq!(series(&m, count), Some(3.0), "{m}");
    assert_eq!(series(&m, inf), Some(3.0), "{m}");
    assert_eq!(
        series(
            &m,
            "renkei_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"}"
        ),
        Some(3.0)
    );
    // The metrics page itself has been seen once by now (the second scrape is in flight).
    assert_eq!(
        series(
            &m,
            "renkei_http_request_duration_seconds_count{method=\"GET\",route=\"/metrics\"}"
        ),
        Some(1.0),
        "{m}"
    );
}

/// A request that runs out of time gets a clear 503: a page in the visitor's language, the
/// JSON error on the API, plain text elsewhere. The database is made to hang by holding
/// every connection of the server's pool, so each handler that needs it waits past the
/// time-out.
async fn timed_out_requests_are_answered(backend: Backend) {
    let db = renkei_testkit::TestDb::new(backend);
    let store = db.open().await;
    let config = renkei_web::WebConfig {
        request_timeout: std::time::Duration::from_millis(300),
        ..renkei_web::WebConfig::default()
    };
    let mut app = TestApp::start_with(store, config).await;
    app.db = Some(db);
    let mut c = app.client();
    // A desk's page reads the database on every request (the landing page keeps its national
    // figures a minute and may answer without it); this installation has no local governments
    // yet, so it answers 404 — in time.
    let desk_page = "/t/272027";
    assert_eq!(
        c.get(desk_page).await.status,
        404,
        "answers in time while it can"
    );

    let pool = app.store.pool();
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.expect("a connection"));
    }
    let started = std::time::Instant::now();
    let page = c.get(desk_page).await;
    assert_eq!(page.status, 503);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "stopped at the time-out, not at the pool's own 30 s"
    );
    assert!(
        page.body.contains("処理に時間がかかりすぎたため"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<html lang=\"ja\">"));
    assert!(is_fresh_id(
        page.headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    ));
    let en = c.get(&format!("{desk_page}?lang=en")).await;
    assert_eq!(en.status, 503);
    assert!(en.body.contains("took too long"), "{}", en.body);

    let api = c
        .api_get("/api/v1/tenants/272027/departments", Some("rk_x"))
        .await;
    assert_eq!(api.status, 503);
    assert_eq!(api.json()["error"]["code"], "timeout", "{}", api.body);

    let health = c.get("/healthz").await;
    assert_eq!(health.status, 503);
    assert!(health.body.contains("took too long"), "{}", health.body);

    // The time-outs are counted like any answer.
    drop(held);
    let m = c.get("/metrics").await.body;
    assert!(
        m.contains(
            "renkei_http_requests_total{method=\"GET\",route=\"/t/{code}\",status=\"503\"} 2\n"
        ),
        "{m}"
    );
    assert_eq!(c.get(desk_page).await.status, 404, "answers again");
}

on_both!(
    pages_are_compressed_when_asked,
    no_compression_for_requests_from_other_sites,
    refusing_identity_does_not_replace_the_answer,
    downloads_are_not_compressed,
    request_ids,
    latency_histogram,
    timed_out_requests_are_answered,
);
