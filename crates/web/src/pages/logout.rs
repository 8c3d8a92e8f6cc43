use super::EmptyForm;
use crate::auth::{CsrfForm, Ctx, SESSION_COOKIE, set_cookie};
use crate::error::WebError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, WebError> {
    if let Some(token) = &ctx.session_token {
        state.store.session_delete(token).await?;
    }
    if let Some(user) = &ctx.user {
        state
            .store
            .audit(renkei_store::AuditEvent {
                tenant_code: user.tenant_code.clone(),
                actor_user_id: Some(user.id),
                actor: user.email.clone(),
                action: "user.logout".into(),
                target: format!("user:{}", user.id),
                detail: String::new(),
                origin: ctx.ip.clone(),
            })
            .await?;
    }
    let cookie = set_cookie(SESSION_COOKIE, "", Some(0), ctx.secure);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Redirect::to("/?notice=logout-done"),
    )
        .into_response())
}
