//! Tenant settings for the desk (`/t/{code}/admin/settings`): business days to the first
//! response, and the default deadline of routing requests.

use super::{NoticeQuery, html};
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_store::proposals::DeskSettings;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    first_response_days: String,
    #[serde(default)]
    routing_days: String,
}

#[derive(Template)]
#[template(path = "pages/settings.html")]
struct SettingsTemplate {
    base: Base,
    tenant: Tenant,
    first_response_days: String,
    routing_days: String,
    errors: FieldErrors,
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_manage_users).await?;
    let s = state.store.desk_settings(a.code).await?;
    Ok(html(&SettingsTemplate {
        base: Base::new(&ctx, ctx.tr.t("settings-title")).with_notice(q.notice.as_deref()),
        tenant: a.tenant,
        first_response_days: s.first_response_days.to_string(),
        routing_days: s.routing_days.to_string(),
        errors: FieldErrors::default(),
    })?
    .into_response())
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_manage_users).await?;
    let mut errors = FieldErrors::default();
    let mut days = |field: &'static str, v: &str| match v.trim().parse::<i64>() {
        Ok(n) if (1..=60).contains(&n) => Some(n),
        _ => {
            errors.add(&ctx.tr, field, "error-days-range");
            None
        }
    };
    let first = days("first_response_days", &form.first_response_days);
    let routing = days("routing_days", &form.routing_days);
    if let (Some(first_response_days), Some(routing_days)) = (first, routing) {
        state
            .store
            .desk_settings_save(
                &ctx.who(),
                a.code,
                DeskSettings {
                    first_response_days,
                    routing_days,
                },
            )
            .await?;
        return Ok(Redirect::to(&format!(
            "/t/{}/admin/settings?notice=settings-saved",
            a.code
        ))
        .into_response());
    }
    let page = html(&SettingsTemplate {
        base: Base::new(&ctx, ctx.tr.t("settings-title")),
        tenant: a.tenant,
        first_response_days: form.first_response_days,
        routing_days: form.routing_days,
        errors,
    })?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
