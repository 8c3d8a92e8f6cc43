//! The web layer's error type. Page handlers return [`WebError`]; its response carries an
//! [`ErrorPage`] marker that the error-page middleware renders in the request's language.
//! API handlers return [`ApiError`], which answers JSON. Internal errors are logged with
//! detail and shown as a plain message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::CommandError;
use renkei_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("unknown tenant")]
    TenantNotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("csrf check failed")]
    Csrf,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("too many requests")]
    TooManyRequests,
    #[error("login required")]
    LoginRequired(String),
    #[error("internal: {0}")]
    Internal(String),
    /// The request's time-out ran out (see `edge::explain_timeout`).
    #[error("timed out")]
    TimedOut,
}

/// Marker placed in error responses; rendered by `middleware::error_pages`.
#[derive(Debug, Clone, Copy)]
pub struct ErrorPage {
    pub title_key: &'static str,
    pub message_key: &'static str,
}

impl WebError {
    pub fn status_and_keys(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            Self::NotFound => (
                StatusCode::NOT_FOUND,
                "error-not-found-title",
                "error-not-found",
            ),
            Self::TenantNotFound => (
                StatusCode::NOT_FOUND,
                "error-not-found-title",
                "error-tenant-not-found",
            ),
            Self::Forbidden => (
                StatusCode::FORBIDDEN,
                "error-forbidden-title",
                "error-forbidden",
            ),
            Self::Csrf => (StatusCode::FORBIDDEN, "error-forbidden-title", "error-csrf"),
            Self::BadRequest(key) => (StatusCode::BAD_REQUEST, "error-bad-request-title", key),
            Self::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "error-bad-request-title",
                "error-payload-too-large",
            ),
            Self::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                "error-bad-request-title",
                "error-rate-limited",
            ),
            Self::LoginRequired(_) => (StatusCode::SEE_OTHER, "", ""),
            Self::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-internal-title",
                "error-internal",
            ),
            Self::TimedOut => (
                StatusCode::SERVICE_UNAVAILABLE,
                "error-internal-title",
                "error-timeout",
            ),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let Self::LoginRequired(next) = &self {
            let target = format!("/login?next={}", urlencode(next));
            return Redirect::to(&target).into_response();
        }
        if let Self::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let (status, title_key, message_key) = self.status_and_keys();
        let mut resp = status.into_response();
        resp.extensions_mut().insert(ErrorPage {
            title_key,
            message_key,
        });
        resp
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Invalid(p) => Self::BadRequest(p.key),
            StoreError::Conflict { key, .. } => Self::BadRequest(key),
            StoreError::RateLimited => Self::TooManyRequests,
            other => Self::Internal(other.to_string()),
        }
    }
}

/// A command's refusal on a page that has no form to show it in (a page with a form shows
/// [`CommandError::fields`] next to its inputs instead).
impl From<CommandError> for WebError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Invalid(list) => {
                Self::BadRequest(list.first().map(|f| f.key).unwrap_or("error-bad-request"))
            }
            CommandError::Conflict { key, .. } => Self::BadRequest(key),
            CommandError::Forbidden => Self::Forbidden,
            CommandError::NotFound => Self::NotFound,
            CommandError::RateLimited => Self::TooManyRequests,
            CommandError::Store(e) => e.into(),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        Self::Internal(format!("template: {e}"))
    }
}

/// What [`urlencode`] leaves as it is: RFC 3986's unreserved characters and `/`.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path (or any text) for a query parameter: UTF-8 bytes, `%XX` for
/// everything but letters, digits, `-_.~` and `/`.
pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// Errors of the JSON API: `{"error": {"code": "...", "message": "..."}}` with a 4xx/5xx.
/// Messages are Japanese (the platform's first language).
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message_key: &'static str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message_key: &'static str) -> Self {
        Self {
            status,
            code,
            message_key,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "error-unauthorized",
        )
    }

    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "error-forbidden")
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "error-not-found")
    }

    /// The desk does not take proposals now (closed, or nobody there to read them).
    pub fn desk_closed() -> Self {
        Self::new(StatusCode::CONFLICT, "desk_closed", "error-desk-closed")
    }

    /// The request's time-out ran out (503, code `timeout`).
    pub fn timeout() -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", "error-timeout")
    }

    pub fn tenant_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "tenant_not_found",
            "error-tenant-not-found",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Invalid(p) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", p.key),
            StoreError::Conflict {
                key: "error-desk-closed",
                ..
            } => Self::desk_closed(),
            StoreError::Conflict { key, .. } => Self::new(StatusCode::CONFLICT, "conflict", key),
            StoreError::RateLimited => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "error-rate-limited",
            ),
            other => {
                tracing::error!(error = %other, "internal error (api)");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "error-internal",
                )
            }
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::Invalid(list) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                list.first().map(|f| f.key).unwrap_or("error-form-summary"),
            ),
            CommandError::Conflict { field, key } => StoreError::Conflict { field, key }.into(),
            CommandError::Forbidden => Self::forbidden(),
            CommandError::NotFound => Self::not_found(),
            CommandError::RateLimited => StoreError::RateLimited.into(),
            CommandError::Store(e) => e.into(),
        }
    }
}

/// Every error the JSON API answers: `{"error":{"code","message"}}`, and for a 422 that
/// names fields, `fields`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable code for programs: `forbidden`, `invalid`, `timeout`, `desk_closed`, …
    #[schema(examples("forbidden"))]
    pub code: String,
    /// 日本語のメッセージ (for people)
    pub message: String,
    /// 422 only: フィールド名 → 日本語のメッセージ, for each field that failed a rule. A body
    /// of the wrong shape (a missing member, a string where a number belongs) has no
    /// `fields`, only the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<std::collections::BTreeMap<String, String>>,
}

impl ErrorBody {
    pub fn new(code: &str, message: String) -> Self {
        Self {
            error: ErrorDetail {
                code: code.to_string(),
                message,
                fields: None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let tr = crate::i18n::Tr::new(crate::i18n::Lang::Ja);
        let body = ErrorBody::new(self.code, tr.t(self.message_key));
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencode("/t/272027/desk"), "/t/272027/desk");
        assert_eq!(
            urlencode("/t/272027/track/ab?x=1&y=2#top"),
            "/t/272027/track/ab%3Fx%3D1%26y%3D2%23top"
        );
        assert_eq!(urlencode("防災 a+b%"), "%E9%98%B2%E7%81%BD%20a%2Bb%25");
        assert_eq!(urlencode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(urlencode("\r\n\"\\<>"), "%0D%0A%22%5C%3C%3E");
    }
}
