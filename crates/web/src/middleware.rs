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
    let resp = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}
