//! Layers every request passes through.

use crate::auth::{
    CSRF_COOKIE, ChosenLang, Ctx, FreshCsrf, LANG_COOKIE, cookie, is_secure, set_cookie,
};
use crate::error::ErrorPage;
use crate::i18n::Lang;
use crate::pages::error_page;
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

/// Whether a path is an HTML page (not the API, static files, health or metrics).
pub(crate) fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/")
        || path.starts_with("/static/")
        || path == "/healthz"
        || path == "/metrics")
}

/// Language choice, the visitor's CSRF cookie, the request context, security headers, and
/// rendering of error pages in the visitor's language.
pub async fn pages(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !is_page(&path) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let mut set_cookies = Vec::new();
    let secure = is_secure(&state, &parts.headers);
    let chosen = parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    });
    if let Some(lang) = chosen {
        parts.extensions.insert(ChosenLang(lang));
        set_cookies.push(set_cookie(
            LANG_COOKIE,
            lang.code(),
            Some(365 * 24 * 3600),
            secure,
        ));
    }
    if cookie(&parts.headers, CSRF_COOKIE).is_none_or(|v| v.len() < 32) {
        let token = renkei_store::sessions::random_token();
        set_cookies.push(set_cookie(CSRF_COOKIE, &token, None, secure));
        parts.extensions.insert(FreshCsrf(token));
    }
    let ctx = match <Ctx as axum::extract::FromRequestParts<AppState>>::from_request_parts(
        &mut parts, &state,
    )
    .await
    {
        Ok(ctx) => ctx,
        Err(e) => return e.into_response(),
    };
    // A signed-in account that picks a language keeps it: mail to it is written in it too.
    // A failure here costs the preference, not the page.
    if let (Some(lang), Some(user)) = (chosen, &ctx.user)
        && let Err(e) = renkei_app::accounts::choose_language(&state.app, user, lang).await
    {
        tracing::warn!(error = %e, "could not store the account's language");
    }
    let req = Request::from_parts(parts, body);
    let mut resp = next.run(req).await;
    if let Some(page) = resp.extensions().get::<ErrorPage>().copied() {
        let status = resp.status();
        let mut rendered = error_page::render(&ctx, status, page);
        // Keep cookies the handler set (for example a cleared session).
        for v in resp.headers().get_all(header::SET_COOKIE) {
            rendered.headers_mut().append(header::SET_COOKIE, v.clone());
        }
        resp = rendered;
    }
    let headers = resp.headers_mut();
    for c in set_cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    // A handler's own policy stands: downloads carry `sandbox`, which must not be replaced
    // by the page policy.
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Headers for every response.
pub async fn common_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // A page whose URL holds a secret (the password reset link) sends none at all.
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    resp
}

/// Counts requests per matched route (a route layer, so the route is known).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let mut resp = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp.extensions_mut().insert(RouteLabel(route));
    resp
}

/// The matched route of an answer, for the layers outside the routes (the public cache counts
/// its hits under it).
#[derive(Debug, Clone)]
pub(crate) struct RouteLabel(pub String);

/// The public pages, feeds and public API answers a visitor's browser may keep and revalidate
/// ([`conditional_get`]): the landing page, the case library and search, open calls, the
/// agreement register, statistics, open data and feeds, a desk's public page, and their JSON.
/// Nothing else: the proponent's tracking page, the intake form, password pages and every
/// staff page stay `no-store`.
pub(crate) fn is_public_cacheable(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        [""] => true,
        ["cases"] | ["calls"] | ["stats"] | ["opendata"] => true,
        ["feeds", feed] => feed.ends_with(".atom"),
        ["t", _code] => true,
        ["t", _code, "cases"]
        | ["t", _code, "cases", _]
        | ["t", _code, "calls"]
        | ["t", _code, "calls", _]
        | ["t", _code, "agreements"]
        | ["t", _code, "stats"]
        | ["t", _code, "opendata"] => true,
        ["t", _code, "feeds", feed] => feed.ends_with(".atom"),
        ["api", "v1", "cases"] | ["api", "v1", "cases", _] | ["api", "v1", "stats"] => true,
        ["api", "v1", "calls"] => true,
        ["api", "v1", "opendata", _] => true,
        ["api", "v1", "tenants", _code, "calls"] | ["api", "v1", "tenants", _code, "stats"] => true,
        _ => false,
    }
}

/// The largest answer [`conditional_get`] reads whole to tag.
const TAGGED_MAX_BYTES: usize = 8 * 1024 * 1024;

/// ETag and 304 for public answers ([`is_public_cacheable`]) to visitors without a session or
/// an API token: the tag is a hash of the answer itself, so it is the same on every app
/// server for the same content and changes as soon as the content does — invalidation needs
/// no coordination between servers. Such answers are `Cache-Control: no-cache` (kept, but
/// revalidated on every use); everything else keeps its `no-store`. Streamed answers (the
/// open-data CSV) and downloads pass untouched.
pub async fn conditional_get(req: Request, next: Next) -> Response {
    let eligible = matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) && is_public_cacheable(req.uri().path())
        && !req.headers().contains_key(header::AUTHORIZATION)
        && cookie(req.headers(), crate::auth::SESSION_COOKIE).is_none();
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let resp = next.run(req).await;
    if !eligible || resp.status() != axum::http::StatusCode::OK {
        return resp;
    }
    let taggable = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            [
                "text/html",
                "application/json",
                "application/atom+xml",
                "image/svg+xml",
            ]
            .iter()
            .any(|k| t.starts_with(k))
        })
        && !resp.headers().contains_key(header::CONTENT_DISPOSITION);
    if !taggable {
        return resp;
    }
    // An answer from the public cache carries the tag of its bytes already.
    if let Some(tag) = resp
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    {
        let (mut parts, body) = resp.into_parts();
        parts
            .headers
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if if_none_match
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| etag_matches(v, &tag))
        {
            return not_modified(parts);
        }
        return Response::from_parts(parts, body);
    }
    let exact = axum::body::HttpBody::size_hint(resp.body()).exact();
    if exact.is_none_or(|n| n > TAGGED_MAX_BYTES as u64) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = match axum::body::to_bytes(body, TAGGED_MAX_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(error = %e, "could not read a public answer to tag it");
            return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let tag = etag_of(&bytes);
    let Ok(tag_value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, tag_value);
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // No `Vary` of its own: every use is revalidated, and an answer in another language or
    // for another visitor is other bytes, so another tag (compression adds its own `Vary`).
    if if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| etag_matches(v, &tag))
    {
        return not_modified(parts);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn not_modified(mut parts: axum::http::response::Parts) -> Response {
    parts.status = axum::http::StatusCode::NOT_MODIFIED;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    Response::from_parts(parts, axum::body::Body::empty())
}

/// The tag of a public answer: a hash of its bytes (the same on every app server).
pub(crate) fn etag_of(bytes: &[u8]) -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(bytes);
    format!("W/\"{}\"", hex::encode(&digest[..16]))
}

/// `If-None-Match` against our tag, by weak comparison (RFC 9110 §13.1.2): `*`, or any
/// listed tag with the same opaque value, `W/` or not.
fn etag_matches(if_none_match: &str, tag: &str) -> bool {
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let ours = opaque(tag);
    if_none_match
        .split(',')
        .any(|t| t.trim() == "*" || opaque(t) == ours)
}

#[cfg(test)]
mod conditional_tests {
    use super::*;

    #[test]
    fn public_paths_are_cacheable_and_private_ones_not() {
        for p in [
            "/",
            "/cases",
            "/t/272027",
            "/t/272027/cases/5",
            "/t/272027/calls/3",
            "/t/272027/agreements",
            "/t/272027/stats",
            "/t/272027/feeds/cases.atom",
            "/feeds/calls.atom",
            "/api/v1/cases/9",
            "/api/v1/opendata/partnerships",
            "/api/v1/tenants/272027/calls",
        ] {
            assert!(is_public_cacheable(p), "{p}");
        }
        for p in [
            "/login",
            "/t/272027/propose",
            "/t/272027/track/abc",
            "/t/272027/desk",
            "/t/272027/partnerships",
            "/t/272027/partnerships/5",
            "/t/272027/calls/3/answers",
            "/api/v1/tenants/272027/proposals",
            "/api/v1/tenants/272027/calls/3/answers",
            "/password/reset/x",
            "/opendata/partnerships.csv",
        ] {
            assert!(!is_public_cacheable(p), "{p}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let tag = "W/\"abc\"";
        assert!(etag_matches("W/\"abc\"", tag));
        assert!(etag_matches("\"abc\"", tag));
        assert!(etag_matches("\"x\", W/\"abc\"", tag));
        assert!(etag_matches("*", tag));
        assert!(!etag_matches("W/\"abd\"", tag));
        assert!(!etag_matches("", tag));
    }
}
