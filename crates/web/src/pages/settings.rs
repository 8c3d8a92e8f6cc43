//! The desk's settings (`/t/{code}/admin/settings`), for the local government's admin and the
//! operator: whether the desk takes proposals (opened here; it needs at least one active desk
//! account), business days to the first response, the default deadline of routing requests,
//! and which department is the desk's own (never a target of 庁内照会).

use super::{NoticeQuery, confirm, html};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_store::StoreError;
use renkei_store::departments::Department;
use renkei_store::desk::DeskOpenness;
use renkei_store::proposals::DeskSettings;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    first_response_days: String,
    #[serde(default)]
    routing_days: String,
    #[serde(default)]
    desk_department_id: String,
}

/// The dormancy period (休眠とみなす期間), in months.
#[derive(Deserialize, Default)]
pub struct DormancyForm {
    #[serde(default)]
    dormancy_months: String,
}

#[derive(Deserialize, Default)]
pub struct CloseForm {
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "pages/settings.html")]
struct SettingsTemplate {
    base: Base,
    tenant: Tenant,
    openness: DeskOpenness,
    opened_on: String,
    accounts_line: String,
    departments: Vec<Department>,
    form: SettingsForm,
    errors: FieldErrors,
    /// The dormancy period as shown (or as typed, after an error).
    dormancy_months: String,
    /// The open-data licence (`opendata::license_post`).
    license_choices: Vec<super::opendata::LicenseChoice>,
    license_text: String,
}

impl SettingsTemplate {
    fn desk_department_is(&self, id: &i64) -> bool {
        self.form.desk_department_id == id.to_string()
    }
}

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, Actor::may_open_desk).await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    notice: Option<&str>,
    form: SettingsForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let months = state.store.dormancy_months(a.code).await?.to_string();
    render_with(state, ctx, a, notice, form, errors, months).await
}

async fn render_with(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    notice: Option<&str>,
    form: SettingsForm,
    errors: FieldErrors,
    dormancy_months: String,
) -> Result<Response, WebError> {
    let openness = state.store.desk_openness(a.code).await?;
    let license = state.store.opendata_license(a.code).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&SettingsTemplate {
        base: Base::new(ctx, ctx.tr.t("settings-title")).with_notice(notice),
        opened_on: openness
            .opened_at
            .as_deref()
            .map(|ts| crate::view::display_date(ctx.tr.lang, ts))
            .unwrap_or_default(),
        accounts_line: ctx
            .tr
            .t1("settings-desk-accounts", "count", &openness.desk_accounts),
        openness,
        departments: state.store.departments(a.code).await?,
        tenant: a.tenant,
        form,
        errors,
        dormancy_months,
        license_choices: super::opendata::license_choices(&ctx.tr, license.kind.code()),
        license_text: license.text,
    })?;
    Ok((status, page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let s = state.store.desk_settings(a.code).await?;
    let form = SettingsForm {
        first_response_days: s.first_response_days.to_string(),
        routing_days: s.routing_days.to_string(),
        desk_department_id: s
            .desk_department_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
    };
    render(
        &state,
        &ctx,
        a,
        q.notice.as_deref(),
        form,
        FieldErrors::default(),
    )
    .await
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
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
    let desk_department_id = match form.desk_department_id.trim() {
        "" => Some(None),
        v => match v.parse::<i64>() {
            Ok(id) => Some(Some(id)),
            Err(_) => {
                errors.add(&ctx.tr, "desk_department_id", "error-department-unknown");
                None
            }
        },
    };
    if let (Some(first_response_days), Some(routing_days), Some(desk_department_id)) =
        (first, routing, desk_department_id)
    {
        match state
            .store
            .desk_settings_save(
                &ctx.who(),
                a.code,
                DeskSettings {
                    first_response_days,
                    routing_days,
                    desk_department_id,
                },
            )
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/t/{}/admin/settings?notice=settings-saved",
                    a.code
                ))
                .into_response());
            }
            Err(StoreError::Conflict { field, key }) => errors.add(&ctx.tr, field, key),
            Err(e) => return Err(e.into()),
        }
    }
    render(&state, &ctx, a, None, form, errors).await
}

async fn current_form(state: &AppState, a: &TenantAccess) -> Result<SettingsForm, WebError> {
    let s = state.store.desk_settings(a.code).await?;
    Ok(SettingsForm {
        first_response_days: s.first_response_days.to_string(),
        routing_days: s.routing_days.to_string(),
        desk_department_id: s
            .desk_department_id
            .map(|d| d.to_string())
            .unwrap_or_default(),
    })
}

/// Opens the desk for proposals (refused while it has no active desk account).
pub async fn open(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    match state.store.desk_open(&ctx.who(), a.code).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/t/{}/admin/settings?notice=desk-opened", a.code))
                .into_response(),
        ),
        Err(StoreError::Conflict { field, key }) => {
            let mut errors = FieldErrors::default();
            errors.add(&ctx.tr, field, key);
            let form = current_form(&state, &a).await?;
            render(&state, &ctx, a, None, form, errors).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Stops taking proposals, after a confirmation step.
pub async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<CloseForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let tr = &ctx.tr;
    if !confirm::confirmed(&form.confirm) {
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t("confirm-desk-close-title"),
                subject: a.tenant.full_name(),
                lead: tr.t("confirm-desk-close-lead"),
                facts: Vec::new(),
                action: format!("/t/{}/admin/settings/desk-close", a.code),
                hidden: Vec::new(),
                confirm_label: tr.t("settings-desk-close"),
                danger: true,
                back_posts: false,
                back_href: format!("/t/{}/admin/settings", a.code),
            },
        );
    }
    state.store.desk_close(&ctx.who(), a.code).await?;
    Ok(Redirect::to(&format!("/t/{}/admin/settings?notice=desk-closed", a.code)).into_response())
}

/// Sets the dormancy period (1–60 months); anything else is refused with the value kept (422).
pub async fn dormancy(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<DormancyForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let typed: String = form.dormancy_months.chars().take(20).collect();
    let months = renkei_domain::partnership::parse_integer(
        &typed,
        1,
        i64::from(renkei_domain::partnership::MAX_DORMANCY_MONTHS),
    )
    .and_then(|m| u32::try_from(m).ok());
    let mut errors = FieldErrors::default();
    match months {
        Some(m) => match state.store.dormancy_months_set(a.code, m, &ctx.who()).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/t/{}/admin/settings?notice=settings-saved",
                    a.code
                ))
                .into_response());
            }
            Err(StoreError::Conflict { field, key }) => errors.add(&ctx.tr, field, key),
            Err(e) => return Err(e.into()),
        },
        None => errors.add(&ctx.tr, "dormancy_months", "error-dormancy-months-range"),
    }
    let current = current_form(&state, &a).await?;
    render_with(&state, &ctx, a, None, current, errors, typed).await
}
