//! The link in the password reset mail (`/password/reset/{token}`): the new password, typed
//! twice. A bad entry shows the form again with the messages (422; the passwords typed are
//! never sent back); a used, expired or unknown link is refused with a message and writes
//! nothing; success ends every session of the account and goes to the sign-in page.
//!
//! The token is a secret in the URL: the request log names the route template
//! (`/password/reset/{token}`, see `edge::request_span`), never the path, and these pages
//! send `Referrer-Policy: no-referrer` so that no request they start carries the URL.

use super::html;
use crate::auth::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::CommandError;
use renkei_app::accounts::{self, ResetInput};
use renkei_store::StoreError;
use renkei_store::password_resets::{ERROR_EXPIRED, ERROR_USED};

#[derive(Template)]
#[template(path = "pages/password_reset.html")]
struct ResetTemplate {
    base: Base,
    /// Why the link cannot be used, if it cannot (then no form).
    refusal: Option<String>,
    lead: String,
    errors: FieldErrors,
}

/// The answer for a link that cannot be used: gone for a used or expired one, not found
/// for anything else.
fn status_of(key: &str) -> StatusCode {
    match key {
        ERROR_USED | ERROR_EXPIRED => StatusCode::GONE,
        _ => StatusCode::NOT_FOUND,
    }
}

/// The page, with no referrer sent from it (its URL holds the token).
fn page(
    ctx: &Ctx,
    status: StatusCode,
    refusal: Option<&str>,
    lead: String,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let body = html(&ResetTemplate {
        base: Base::new(ctx, ctx.tr.t("reset-title")),
        refusal: refusal.map(|k| ctx.tr.t(k)),
        lead,
        errors,
    })?;
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(resp)
}

/// The form for a usable link, or the refusal.
async fn render(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    match state.store.password_reset_check(token).await {
        Ok(user) => {
            let status = if errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let lead = ctx.tr.t1("reset-lead", "email", &user.email);
            page(ctx, status, None, lead, errors)
        }
        Err(StoreError::Conflict { key, .. }) => refuse(ctx, key),
        Err(e) => Err(e.into()),
    }
}

fn refuse(ctx: &Ctx, key: &str) -> Result<Response, WebError> {
    page(
        ctx,
        status_of(key),
        Some(key),
        String::new(),
        FieldErrors::default(),
    )
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    render(&state, &ctx, &token, FieldErrors::default()).await
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<ResetInput>,
) -> Result<Response, WebError> {
    match accounts::complete_password_reset(&state.app, &token, &form, &ctx.ip).await {
        Ok(_) => {
            let mut resp = Redirect::to("/login?notice=password-reset").into_response();
            resp.headers_mut().insert(
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            );
            Ok(resp)
        }
        Err(CommandError::Conflict {
            field: "token",
            key,
        }) => refuse(&ctx, key),
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
            render(&state, &ctx, &token, errors).await
        }
    }
}
