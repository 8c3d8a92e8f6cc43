//! The desk's profile (`/t/{code}/admin/profile`), for the local government's admin and the
//! operator: the desk's own name, what it does, takes and does not take, how a proposal
//! proceeds, contact and hours. The public desk page shows it; an empty field shows the
//! platform's standard wording there.

use super::{NoticeQuery, html};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::desk::ProfileInput;
use renkei_domain::Actor;
use renkei_domain::desk;
use renkei_domain::text::{Lines, TextRule};
use renkei_store::tenants::Tenant;

/// Where a field's value is in the form.
type FieldValue = fn(&ProfileInput) -> &str;

/// The form's fields in order: each field's rule (its name, lines and limit) and where its
/// value is. Labels and hints are `profile-{name}` and `profile-{name}-hint` (`_` as `-`).
const FIELDS: &[(TextRule, FieldValue)] = &[
    (desk::DESK_NAME, |i| &i.desk_name),
    (desk::DESCRIPTION, |i| &i.description),
    (desk::SCOPE, |i| &i.scope),
    (desk::NOT_TAKEN, |i| &i.not_taken),
    (desk::PROCESS, |i| &i.process),
    (desk::CONTACT, |i| &i.contact),
    (desk::HOURS, |i| &i.hours),
];

/// One field of the form as the template draws it.
pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    pub hint: String,
    pub many_lines: bool,
    pub max: usize,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/desk_profile.html")]
struct ProfileTemplate {
    base: Base,
    tenant: Tenant,
    fields: Vec<FieldView>,
    has_errors: bool,
}

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, Actor::may_open_desk).await
}

fn render(
    ctx: &Ctx,
    a: TenantAccess,
    notice: Option<&str>,
    input: &ProfileInput,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let fields = FIELDS
        .iter()
        .map(|(rule, value)| {
            let key = format!("profile-{}", rule.field.replace('_', "-"));
            FieldView {
                name: rule.field,
                label: tr.t(&key),
                hint: tr.t1(&format!("{key}-hint"), "max", &rule.max),
                many_lines: rule.lines == Lines::Many,
                max: rule.max,
                value: value(input).to_string(),
                error: errors.get(rule.field).cloned(),
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&ProfileTemplate {
        base: Base::new(ctx, tr.t("profile-title")).with_notice(notice),
        tenant: a.tenant,
        fields,
        has_errors: !errors.is_empty(),
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
    let profile = state.store.desk_profile(a.code).await?;
    render(
        &ctx,
        a,
        q.notice.as_deref(),
        &ProfileInput::from(&profile),
        FieldErrors::default(),
    )
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(input): CsrfForm<ProfileInput>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    match renkei_app::desk::save_profile(&state.app, &a.caller(&ctx), a.code, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/t/{}/admin/profile?notice=profile-saved", a.code))
                .into_response(),
        ),
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
            render(&ctx, a, None, &input, errors)
        }
    }
}
