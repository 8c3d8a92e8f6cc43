//! Whole answers of the public pages, kept per app server for visitors who are not signed in.
//!
//! The public side (the landing page, the case library and search, open calls, the agreement
//! register, statistics, feeds, a desk's public page and their JSON: every path
//! [`crate::middleware::is_public_cacheable`] names) shows the same thing to every visitor who
//! is not signed in (and the intake form, unless it shows a draft back from its confirmation
//! page), except the visitor's CSRF token in the case page's feedback form and the
//! language. So the answer a handler gave is kept, by path with query and language, and given
//! to the next visitor without running the handler or reading the database, while all of
//! these hold:
//!
//! - **for a local government's page** (everything under `/t/{code}` and the tenant API:
//!   [`scope`]) **its data is unchanged.** Every change appends to its local government's
//!   audit chain in its own transaction (`''` for entries of none), so the chains' lengths
//!   move with every commit made through any app server. Such an answer keeps the length of
//!   its local government's chain plus, for a municipality, its prefecture's, plus the `''`
//!   chain's. Each server learns the lengths with one statement (`Store::audit_chain_lengths`)
//!   at most every [`crate::WebConfig::public_cache_poll`] (1 s by default in the binary), and
//!   at once after any write request it served itself (a desk officer who publishes sees the
//!   public page change). So a change shows on every app server within that interval. What
//!   such a page shows of other local governments (a case page's same partner elsewhere, a
//!   prefecture's page marking its municipalities' open desks) is at most a minute old;
//! - **a national page** (the landing page, national search, calls, statistics, feeds and
//!   their JSON) is kept for its minute whatever changes, without reading anything — as the
//!   landing page's figures and the national statistics already were. With a poll interval
//!   of 0 (`WebConfig::default()`, which the tests use) the lengths are read on every public
//!   request and national pages also follow every change at once (the sum of all chains);
//! - it is the same **day in Japan** (days left to a closing date, dormancy marks);
//! - it is at most [`MAX_AGE_SECS`] old by the store's clock (a call closes at its hour).
//!
//! Only `200` answers of known size without `Set-Cookie` are kept; a streamed answer (the
//! open-data CSV) passes untouched. A signed-in visitor, or a request with a session cookie
//! or an `Authorization` header, is never served from here nor stored (their pages carry their
//! name, their token, their controls). The visitor's CSRF token is cut out of the stored
//! answer and the next visitor's own put in its place, so nobody receives another's token.
//!
//! **One request answers a missed key at a time** ([`PublicCache::flight`]): the others asking
//! for the same key meanwhile wait for it and are given what it kept. An answer that reached
//! its minute while 64 visitors were reading it was otherwise made 64 times at once, and every
//! visitor waited for all of them (measured: a desk page's p99 at 56 ms on PostgreSQL, 5 ms
//! otherwise, in the run whose minute ended mid-way). A request waits at most the request
//! time-out, and once: if the answer it waited for cannot be given to it (another version,
//! not kept), it answers by itself.
//!
//! Memory is bounded ([`MAX_BYTES`] in all, [`MAX_ENTRY_BYTES`] an answer, keys of at most
//! [`MAX_KEY_BYTES`]): when full, stale answers go first, then everything. A visitor sending
//! many different queries can at worst empty it: every request is then answered as without
//! it. `RENKEI_PUBLIC_CACHE=false` turns it off.

use crate::auth::{ChosenLang, Ctx, LANG_COOKIE, SESSION_COOKIE, cookie};
use crate::i18n::Lang;
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::time::jst_date;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most seconds an answer is given for (by the store's clock).
pub const MAX_AGE_SECS: i64 = 60;
/// The most bytes kept in all, and for one answer.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;
/// The longest path with query kept.
pub const MAX_KEY_BYTES: usize = 2048;
/// The shortest text taken for a CSRF token when cutting it out (tokens are 43 characters).
const TOKEN_MIN: usize = 32;

/// Whose data a public path is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// One local government's pages, by the chains whose changes show at once: its own and,
    /// for a municipality, its prefecture's (a closed desk's page points to the prefecture's
    /// desk when that one is open).
    Tenant(Vec<String>),
    /// The national pages: every local government's data.
    National,
}

/// The scope of a public path: a page under `/t/{code}` (and the tenant API) is its local
/// government's; a path whose code is no local government's, and everything else, national.
/// What a local government's page shows of others (a prefecture's page marking its
/// municipalities' open desks, a case page's same partner and similar cases elsewhere) is at
/// most [`MAX_AGE_SECS`] old, as national pages are.
pub(crate) fn scope(path: &str) -> Scope {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let code = match segments.as_slice() {
        ["t", code]
        | ["t", code, "cases"]
        | ["t", code, "cases", _]
        | ["t", code, "calls"]
        | ["t", code, "calls", _]
        | ["t", code, "agreements"]
        | ["t", code, "stats"]
        | ["t", code, "opendata"]
        | ["t", code, "feeds", _]
        | ["t", code, "propose"]
        | ["api", "v1", "tenants", code, _] => *code,
        _ => return Scope::National,
    };
    match renkei_domain::TenantCode::parse(code) {
        Ok(c) if c.kind() == renkei_domain::tenant::TenantKind::Municipality => {
            Scope::Tenant(vec![c.as_string(), c.prefecture_code().as_string()])
        }
        Ok(c) => Scope::Tenant(vec![c.as_string()]),
        Err(_) => Scope::National,
    }
}

/// The audit chains' lengths as one app server last read them.
struct Heads {
    /// When the statement that read them was sent; `None` when they must be read again.
    polled: Option<Instant>,
    chains: HashMap<String, i64>,
}

impl Heads {
    /// The version of a local government's pages: its chains' lengths and the shared one's.
    fn version(&self, codes: &[String]) -> i64 {
        codes
            .iter()
            .map(String::as_str)
            .chain([""])
            .map(|c| self.chains.get(c).copied().unwrap_or(0))
            .sum()
    }
}

struct Entry {
    /// The local government's version it was made at; `None` for a national page (kept for
    /// its minute whatever changes).
    version: Option<i64>,
    day: NaiveDate,
    read_at: DateTime<Utc>,
    headers: HeaderMap,
    /// The matched route, to count a hit under it.
    route: String,
    /// The answer, cut where the visitor's CSRF token stood.
    parts: Vec<Bytes>,
    bytes: usize,
}

impl Entry {
    fn fresh(&self, version: Option<i64>, now: DateTime<Utc>) -> bool {
        self.version == version && self.young(now)
    }

    fn young(&self, now: DateTime<Utc>) -> bool {
        self.day == jst_date(now)
            && now >= self.read_at
            && (now - self.read_at).num_seconds() < MAX_AGE_SECS
    }
}

#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    bytes: usize,
}

/// The cache of one app server (held in [`AppState`]).
pub struct PublicCache {
    enabled: bool,
    poll_every: Duration,
    heads: Mutex<Arc<Heads>>,
    polling: tokio::sync::Mutex<()>,
    entries: Mutex<Entries>,
    /// The keys being answered right now, each with a gate the waiting requests wait at
    /// (no permits; closed when the answering request is done).
    flights: Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
}

/// What a request that missed a key does: answer it ([`Lead`]), or wait at the gate of the
/// request that is answering it (`acquire` returns when that one closes it).
pub(crate) enum Flight<'a> {
    Lead(Lead<'a>),
    Follow(Arc<tokio::sync::Semaphore>),
}

/// The right to answer a key; dropping it (answered, failed or cancelled) lets the waiting
/// requests go on.
pub(crate) struct Lead<'a> {
    cache: &'a PublicCache,
    key: String,
    gate: Arc<tokio::sync::Semaphore>,
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        // Out of the map first, then the waiting requests go on.
        self.cache
            .flights
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
        self.gate.close();
    }
}

impl PublicCache {
    pub fn new(enabled: bool, poll_every: Duration) -> Self {
        Self {
            enabled,
            poll_every,
            heads: Mutex::new(Arc::new(Heads {
                polled: None,
                chains: HashMap::new(),
            })),
            polling: tokio::sync::Mutex::new(()),
            entries: Mutex::new(Entries::default()),
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// Called by a request that missed `key`: it answers the key, or waits for the request
    /// that already is.
    pub(crate) fn flight(&self, key: &str) -> Flight<'_> {
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(gate) = flights.get(key) {
            return Flight::Follow(gate.clone());
        }
        let gate = Arc::new(tokio::sync::Semaphore::new(0));
        flights.insert(key.to_string(), gate.clone());
        Flight::Lead(Lead {
            cache: self,
            key: key.to_string(),
            gate,
        })
    }

    fn current_heads(&self) -> Arc<Heads> {
        self.heads.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn due(&self, heads: &Heads) -> bool {
        heads
            .polled
            .is_none_or(|at| self.poll_every.is_zero() || at.elapsed() >= self.poll_every)
    }

    /// The chains' lengths, read again when older than the poll interval. While one request
    /// reads them, the others use the last reading (never older than one interval more).
    async fn heads(&self, store: &renkei_store::Store) -> renkei_store::Result<Arc<Heads>> {
        let current = self.current_heads();
        if !self.due(&current) {
            return Ok(current);
        }
        if self.poll_every.is_zero() {
            return self.poll(store).await;
        }
        match self.polling.try_lock() {
            Ok(_guard) => {
                let current = self.current_heads();
                if !self.due(&current) {
                    return Ok(current);
                }
                self.poll(store).await
            }
            // Another request is reading them: use the last reading if there is one.
            Err(_) if current.polled.is_some() => Ok(current),
            Err(_) => {
                let _guard = self.polling.lock().await;
                let current = self.current_heads();
                if !self.due(&current) {
                    return Ok(current);
                }
                self.poll(store).await
            }
        }
    }

    async fn poll(&self, store: &renkei_store::Store) -> renkei_store::Result<Arc<Heads>> {
        let started = Instant::now();
        let chains = store.audit_chain_lengths().await?;
        let read = Arc::new(Heads {
            polled: Some(started),
            chains,
        });
        let mut heads = self.heads.lock().unwrap_or_else(|e| e.into_inner());
        // A reading sent later than the one kept replaces it (never the other way round).
        if heads.polled.is_none_or(|at| at <= started) {
            *heads = read.clone();
        }
        Ok(read)
    }

    /// After a write this server served: the next public request reads the lengths again.
    fn written(&self) {
        let mut heads = self.heads.lock().unwrap_or_else(|e| e.into_inner());
        if heads.polled.is_some() {
            *heads = Arc::new(Heads {
                polled: None,
                chains: heads.chains.clone(),
            });
        }
    }

    fn lookup(
        &self,
        key: &str,
        version: Option<i64>,
        now: DateTime<Utc>,
        token: &str,
    ) -> Option<(Response, String)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.map.get(key).filter(|e| e.fresh(version, now))?;
        let body = match entry.parts.as_slice() {
            [one] => one.clone(),
            parts => {
                let mut joined = Vec::with_capacity(entry.bytes + parts.len() * token.len());
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        joined.extend_from_slice(token.as_bytes());
                    }
                    joined.extend_from_slice(p);
                }
                Bytes::from(joined)
            }
        };
        let mut resp = Response::new(Body::from(body));
        *resp.headers_mut() = entry.headers.clone();
        Some((resp, entry.route.clone()))
    }

    fn keep(&self, key: String, entry: Entry) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let now = entry.read_at;
        if let Some(old) = entries.map.remove(&key) {
            entries.bytes -= old.bytes;
        }
        if entries.bytes + entry.bytes > MAX_BYTES {
            entries.map.retain(|_, e| e.young(now));
            entries.bytes = entries.map.values().map(|e| e.bytes).sum();
            if entries.bytes + entry.bytes > MAX_BYTES {
                entries.map.clear();
                entries.bytes = 0;
            }
        }
        entries.bytes += entry.bytes;
        entries.map.insert(key, entry);
    }

    #[cfg(test)]
    fn held_bytes(&self) -> usize {
        self.entries.lock().map(|e| e.bytes).unwrap_or(0)
    }
}

/// `body` cut at every occurrence of `token` (whole, when the token is too short to be one).
fn cut(body: &Bytes, token: &str) -> Vec<Bytes> {
    let needle = token.as_bytes();
    if needle.len() < TOKEN_MIN {
        return vec![body.clone()];
    }
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + needle.len() <= body.len() {
        if &body[i..i + needle.len()] == needle {
            parts.push(body.slice(start..i));
            i += needle.len();
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(body.slice(start..));
    parts
}

/// Whether a request is for the intake form as every visitor sees it: `/t/{code}/propose`,
/// without `draft` in its query (a form back from its confirmation page shows what that visitor
/// typed, and is never kept). The form is the desk page's data (its profile, whether it is
/// open, an open call's title), so it is kept as that page is; its CSRF token is the
/// visitor's own, as on every kept page.
fn is_intake_form(req: &Request) -> bool {
    let segments: Vec<&str> = req
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .collect();
    matches!(segments.as_slice(), ["t", _, "propose"])
        && !req
            .uri()
            .query()
            .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k.trim() == "draft"))
}

/// Whether a request may be answered from, and stored in, the cache.
fn eligible(req: &Request) -> bool {
    req.method() == Method::GET
        && (crate::middleware::is_public_cacheable(req.uri().path()) || is_intake_form(req))
        && !req.headers().contains_key(header::AUTHORIZATION)
        && cookie(req.headers(), SESSION_COOKIE).is_none()
        && req
            .extensions()
            .get::<Ctx>()
            .is_none_or(|c| c.user.is_none())
}

/// The language an answer is in: the page context's when there is one, else the choice in
/// the query or the cookie (as [`crate::auth::request_lang`] decides).
fn lang_of(req: &Request) -> Lang {
    if let Some(ctx) = req.extensions().get::<Ctx>() {
        return ctx.tr.lang;
    }
    if let Some(ChosenLang(l)) = req.extensions().get::<ChosenLang>() {
        return *l;
    }
    cookie(req.headers(), LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::Ja)
}

/// The layer (between `pages` and the routes, so the page context is known).
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let cache = &state.public_cache;
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let resp = next.run(req).await;
        cache.written();
        return resp;
    }
    if !cache.enabled || !eligible(&req) {
        return next.run(req).await;
    }
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    if path_and_query.len() > MAX_KEY_BYTES {
        return next.run(req).await;
    }
    let key = format!("{} {}", lang_of(&req).code(), path_and_query);
    let token = req
        .extensions()
        .get::<Ctx>()
        .map(|c| c.csrf.clone())
        .unwrap_or_default();
    let scope = scope(req.uri().path());
    let version = match scope {
        // Checked on every request (poll interval 0): national pages follow every change too.
        // Otherwise they are kept for their minute without reading anything.
        Scope::National if !cache.poll_every.is_zero() => None,
        // Bounded by the request time-out (this layer is outside the routes' own): a
        // database that does not answer is the route's to report.
        _ => match tokio::time::timeout(state.config.request_timeout, cache.heads(&state.store))
            .await
        {
            Ok(Ok(h)) => Some(match &scope {
                Scope::Tenant(codes) => h.version(codes),
                Scope::National => h.chains.values().sum(),
            }),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not read the data versions; answering uncached");
                return next.run(req).await;
            }
            Err(_) => {
                tracing::warn!("reading the data versions timed out; answering uncached");
                return next.run(req).await;
            }
        },
    };
    let mut now = state.store.now();
    let mut waited = false;
    let _lead = loop {
        if let Some((hit, route)) = cache.lookup(&key, version, now, &token) {
            state.metrics.public_cache("hit");
            state
                .metrics
                .observe("GET", &route, 200, started.elapsed().as_secs_f64());
            return hit;
        }
        if waited {
            break None;
        }
        match cache.flight(&key) {
            Flight::Lead(lead) => break Some(lead),
            Flight::Follow(gate) => {
                // Bounded like the version read above; then this request answers by itself.
                let _ = tokio::time::timeout(state.config.request_timeout, gate.acquire()).await;
                waited = true;
                now = state.store.now();
            }
        }
    };
    let resp = next.run(req).await;
    let keepable = resp.status() == StatusCode::OK
        && !resp.headers().contains_key(header::SET_COOKIE)
        && axum::body::HttpBody::size_hint(resp.body())
            .exact()
            .is_some_and(|n| n <= MAX_ENTRY_BYTES as u64);
    if !keepable {
        return resp;
    }
    let route = resp
        .extensions()
        .get::<crate::middleware::RouteLabel>()
        .map(|r| r.0.clone())
        .unwrap_or_else(|| "unmatched".to_string());
    let (parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_ENTRY_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not read a public answer to keep it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut headers = parts.headers.clone();
    let pieces = cut(&bytes, &token);
    if pieces.len() == 1 {
        // The same bytes for everyone: tag them once (see `middleware::conditional_get`).
        if let Ok(tag) = HeaderValue::from_str(&crate::middleware::etag_of(&bytes)) {
            headers.insert(header::ETAG, tag);
        }
    }
    state.metrics.public_cache("miss");
    cache.keep(
        key,
        Entry {
            version,
            day: jst_date(now),
            read_at: now,
            headers,
            route,
            bytes: bytes.len(),
            parts: pieces,
        },
    );
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        // 2026-12-01 in UTC; 15:00 UTC is midnight in Japan.
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, s).unwrap()
    }

    fn entry(version: Option<i64>, now: DateTime<Utc>, body: &str) -> Entry {
        Entry {
            version,
            day: jst_date(now),
            read_at: now,
            headers: HeaderMap::new(),
            route: "/".into(),
            parts: vec![Bytes::from(body.to_string())],
            bytes: body.len(),
        }
    }

    async fn body_of(resp: Response) -> String {
        let b = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn pages_of_one_local_government_are_its_own_and_the_rest_national() {
        let yokohama = Scope::Tenant(vec!["141003".into(), "140007".into()]);
        for p in [
            "/t/141003",
            "/t/141003/cases",
            // Its own content at once; the same partner elsewhere within the minute.
            "/t/141003/cases/12",
            "/t/141003/calls",
            "/t/141003/calls/5",
            "/t/141003/agreements",
            "/t/141003/stats",
            "/t/141003/opendata",
            "/t/141003/feeds/cases.atom",
            "/api/v1/tenants/141003/calls",
        ] {
            assert_eq!(scope(p), yokohama, "{p}");
        }
        for p in [
            "/",
            "/cases",
            "/calls",
            "/stats",
            "/feeds/cases.atom",
            "/api/v1/cases",
            "/api/v1/cases/4",
            // No local government's code (a wrong check digit).
            "/t/141004",
        ] {
            assert_eq!(scope(p), Scope::National, "{p}");
        }
        // A prefecture's pages follow its own chain.
        for p in ["/t/140007", "/t/140007/stats"] {
            assert_eq!(scope(p), Scope::Tenant(vec!["140007".into()]), "{p}");
        }
    }

    #[test]
    fn a_tenant_version_moves_with_its_own_its_prefectures_and_the_shared_chain() {
        let heads = |pairs: &[(&str, i64)]| {
            let chains: HashMap<String, i64> =
                pairs.iter().map(|(c, n)| (c.to_string(), *n)).collect();
            Heads {
                polled: None,
                chains,
            }
        };
        let Scope::Tenant(yokohama) = scope("/t/141003/agreements") else {
            panic!("a municipality's page");
        };
        let before = heads(&[("141003", 10), ("140007", 4), ("272027", 5), ("", 2)]);
        let other_moved = heads(&[("141003", 10), ("140007", 4), ("272027", 6), ("", 2)]);
        let own_moved = heads(&[("141003", 11), ("140007", 4), ("272027", 5), ("", 2)]);
        let prefecture_moved = heads(&[("141003", 10), ("140007", 5), ("272027", 5), ("", 2)]);
        let shared_moved = heads(&[("141003", 10), ("140007", 4), ("272027", 5), ("", 3)]);
        assert_eq!(before.version(&yokohama), other_moved.version(&yokohama));
        for moved in [&own_moved, &prefecture_moved, &shared_moved] {
            assert_ne!(before.version(&yokohama), moved.version(&yokohama));
        }
    }

    #[tokio::test]
    async fn an_answer_is_given_while_the_version_the_day_and_the_minute_hold() {
        let cache = PublicCache::new(true, Duration::ZERO);
        cache.keep(
            "ja /t/272027".into(),
            entry(Some(7), at(1, 0, 0), "<p>7</p>"),
        );
        let hit = |v, now| cache.lookup("ja /t/272027", v, now, "").map(|(r, _)| r);
        assert_eq!(
            body_of(hit(Some(7), at(1, 0, 59)).unwrap()).await,
            "<p>7</p>"
        );
        assert!(hit(Some(8), at(1, 0, 1)).is_none(), "a change it shows");
        assert!(hit(Some(7), at(1, 1, 0)).is_none(), "a minute old");
        assert!(
            hit(Some(7), at(0, 59, 0)).is_none(),
            "a clock that went back"
        );
        cache.keep(
            "ja /t/272027".into(),
            entry(Some(7), at(14, 59, 30), "<p>7</p>"),
        );
        assert!(hit(Some(7), at(14, 59, 40)).is_some());
        assert!(hit(Some(7), at(15, 0, 5)).is_none(), "midnight in Japan");
        assert!(
            cache
                .lookup("en /t/272027", Some(7), at(14, 59, 40), "")
                .is_none()
        );
        // A national page is kept for its minute, whatever changes.
        cache.keep("ja /cases".into(), entry(None, at(1, 0, 0), "<p>n</p>"));
        assert!(cache.lookup("ja /cases", None, at(1, 0, 59), "").is_some());
        assert!(cache.lookup("ja /cases", None, at(1, 1, 0), "").is_none());
    }

    #[tokio::test]
    async fn each_visitor_gets_their_own_csrf_token() {
        let cache = PublicCache::new(true, Duration::ZERO);
        let alice = "a".repeat(43);
        let bob = "b".repeat(43);
        let page = format!("<input name=_csrf value=\"{alice}\"><p>x</p><i>{alice}</i>");
        let body = Bytes::from(page.clone());
        let parts = cut(&body, &alice);
        assert_eq!(parts.len(), 3);
        let now = at(1, 0, 0);
        let mut e = entry(Some(1), now, "");
        e.bytes = body.len();
        e.parts = parts;
        cache.keep("ja /t/141003/cases/1".into(), e);
        let (resp, _) = cache
            .lookup("ja /t/141003/cases/1", Some(1), now, &bob)
            .unwrap();
        let for_bob = body_of(resp).await;
        assert_eq!(for_bob, page.replace(&alice, &bob));
        assert!(!for_bob.contains(&alice));
        // A short value is never taken for a token.
        assert_eq!(cut(&Bytes::from_static(b"abcabc"), "abc").len(), 1);
    }

    #[tokio::test]
    async fn one_request_answers_a_missed_key_and_the_others_wait_for_it() {
        let cache = PublicCache::new(true, Duration::ZERO);
        let Flight::Lead(lead) = cache.flight("ja /t/141003") else {
            panic!("the first asks, so it answers");
        };
        let Flight::Follow(gate) = cache.flight("ja /t/141003") else {
            panic!("the second waits");
        };
        assert!(
            matches!(cache.flight("ja /t/272027"), Flight::Lead(_)),
            "another key is answered at once"
        );
        let waiting = tokio::spawn(async move {
            let _ = gate.acquire().await;
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "waits while the answer is made");
        drop(lead);
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("goes on once it is made")
            .unwrap();
        assert!(
            matches!(cache.flight("ja /t/141003"), Flight::Lead(_)),
            "the next miss answers again"
        );
    }

    #[tokio::test]
    async fn it_stays_bounded() {
        let cache = PublicCache::new(true, Duration::ZERO);
        let big = "x".repeat(MAX_ENTRY_BYTES);
        let now = at(1, 0, 0);
        for i in 0..(MAX_BYTES / MAX_ENTRY_BYTES) + 5 {
            cache.keep(format!("ja /cases?q={i}"), entry(None, now, &big));
            assert!(cache.held_bytes() <= MAX_BYTES);
        }
        // The newest is kept after the cache was full.
        let last = format!("ja /cases?q={}", (MAX_BYTES / MAX_ENTRY_BYTES) + 4);
        assert!(cache.lookup(&last, None, now, "").is_some());
        // Replacing an answer does not count it twice.
        let held = cache.held_bytes();
        cache.keep(last.clone(), entry(None, now, &big));
        assert_eq!(cache.held_bytes(), held);
    }
}
