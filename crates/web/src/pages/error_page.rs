use crate::auth::Ctx;
use crate::error::{ApiError, ErrorPage, WebError};
use crate::view::Base;
use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "pages/error.html")]
struct ErrorTemplate {
    base: Base,
    message: String,
    status: u16,
}

pub fn render(ctx: &Ctx, status: StatusCode, page: ErrorPage) -> Response {
    let t = ErrorTemplate {
        base: Base::new(ctx, ctx.tr.t(page.title_key)),
        message: ctx.tr.t(page.message_key),
        status: status.as_u16(),
    };
    match t.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (status, ctx.tr.t(page.message_key)).into_response()
        }
    }
}

/// No route matched: a Japanese 404 page, or JSON under /api.
pub async fn fallback(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found().into_response()
    } else {
        WebError::NotFound.into_response()
    }
}
