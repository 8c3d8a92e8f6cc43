//! 「パスワードをお忘れの方」 (`/password/forgot`): someone who cannot sign in types the address
//! of their account and is mailed a single-use link to set a new password. The answer is the
//! same page, status and words for every well-formed address (an account or not, active or
//! not, over the throttle or not), so the form tells no one which addresses have accounts;
//! only a malformed address is refused (422) with a message next to the field.

use super::html;
use crate::auth::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use renkei_app::accounts::{self, ForgotInput};

#[derive(Template)]
#[template(path = "pages/password_forgot.html")]
struct ForgotTemplate {
    base: Base,
    /// After a well-formed request: the one answer, and no form.
    sent: bool,
    email: String,
    errors: FieldErrors,
}

fn render(ctx: &Ctx, sent: bool, email: String, errors: FieldErrors) -> Result<Response, WebError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&ForgotTemplate {
        base: Base::new(ctx, ctx.tr.t("forgot-title")),
        sent,
        email,
        errors,
    })?;
    Ok((status, page).into_response())
}

pub async fn get(ctx: Ctx) -> Result<Response, WebError> {
    render(&ctx, false, String::new(), FieldErrors::default())
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(form): CsrfForm<ForgotInput>,
) -> Result<Response, WebError> {
    match accounts::request_password_reset(&state.app, &form, &ctx.ip).await {
        // Whatever happened (mailed, no such account, throttled): one answer.
        Ok(_) => render(&ctx, true, String::new(), FieldErrors::default()),
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
            render(&ctx, false, form.email.chars().take(254).collect(), errors)
        }
    }
}
