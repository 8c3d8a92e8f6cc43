//! The desk's templates (定型文): `/t/{code}/desk/templates` lists them with a form to add
//! one; `/t/{code}/desk/templates/{id}` edits one; `…/{id}/delete` removes one after the
//! confirmation page. Desk officers, the admin and operators (`Actor::may_manage_templates`).

use super::proposal_view::{Choice, choices};
use super::{NoticeQuery, confirm, html};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::templates as cmd;
use renkei_domain::Actor;
use renkei_domain::template::{self, TemplateInput, TemplateKind};
use renkei_store::templates::StoredTemplate;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// A template in the list.
pub struct TemplateRow {
    pub t: StoredTemplate,
    pub kind: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "pages/desk_templates.html")]
struct TemplatesTemplate {
    base: Base,
    tenant: Tenant,
    /// The home this reader came from (the desk's, or the admin's).
    home: String,
    home_label: String,
    list: Vec<TemplateRow>,
    /// `Some(id)`: the form edits that template; `None`: it adds one.
    editing: Option<i64>,
    kinds: Vec<Choice>,
    form: TemplateForm,
    errors: FieldErrors,
    placeholders: String,
    max_name: usize,
    max_body: usize,
}

/// The form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct TemplateForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub body: String,
}

impl TemplateForm {
    fn input(&self) -> TemplateInput {
        TemplateInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            body: self.body.clone(),
        }
    }
}

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, Actor::may_manage_templates).await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    notice: Option<&str>,
    editing: Option<i64>,
    form: TemplateForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let by = a.caller(ctx);
    let list = if editing.is_some() {
        Vec::new()
    } else {
        cmd::list(&state.app, &by, a.code)
            .await?
            .into_iter()
            .map(|t| TemplateRow {
                kind: tr.t(&t.kind.label_key()),
                updated: renkei_app::mailer::moment_for(tr.lang, t.updated_at),
                t,
            })
            .collect()
    };
    let (home, home_label) = if a.actor.role == renkei_domain::Role::Desk {
        (format!("/t/{}/desk", a.code), tr.t("home-desk-title"))
    } else {
        (format!("/t/{}/admin", a.code), tr.t("home-admin-title"))
    };
    let title = if editing.is_some() {
        tr.t("templates-edit-title")
    } else {
        tr.t("templates-title")
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&TemplatesTemplate {
        base: Base::new(ctx, title).with_notice(notice),
        tenant: a.tenant,
        home,
        home_label,
        list,
        editing,
        kinds: choices(
            tr,
            TemplateKind::ALL,
            TemplateKind::code,
            TemplateKind::label_key,
            std::slice::from_ref(&form.kind),
        ),
        form,
        errors,
        placeholders: template::PLACEHOLDERS.join("　"),
        max_name: template::NAME.max,
        max_body: template::BODY.max,
    })?;
    Ok((status, page).into_response())
}

fn refused(ctx: &Ctx, e: renkei_app::CommandError) -> Result<FieldErrors, WebError> {
    let mut errors = FieldErrors::default();
    for f in super::desk_proposal::refused(e)? {
        errors.add(&ctx.tr, f.field, f.key);
    }
    Ok(errors)
}

/// `GET /t/{code}/desk/templates`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let form = TemplateForm {
        kind: TemplateKind::Message.code().into(),
        ..TemplateForm::default()
    };
    render(
        &state,
        &ctx,
        a,
        q.notice.as_deref(),
        None,
        form,
        FieldErrors::default(),
    )
    .await
}

/// `POST /t/{code}/desk/templates`
pub async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    match cmd::create(&state.app, &a.caller(&ctx), a.code, &form.input()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/desk/templates?notice=template-saved",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render(&state, &ctx, a, None, None, form, errors).await
        }
    }
}

/// `GET /t/{code}/desk/templates/{id}`
pub async fn edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let t = cmd::get(&state.app, &a.caller(&ctx), a.code, id).await?;
    let form = TemplateForm {
        kind: t.kind.code().into(),
        name: t.name,
        body: t.body,
    };
    render(
        &state,
        &ctx,
        a,
        None,
        Some(id),
        form,
        FieldErrors::default(),
    )
    .await
}

/// `POST /t/{code}/desk/templates/{id}`
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<TemplateForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    match cmd::update(&state.app, &a.caller(&ctx), a.code, id, &form.input()).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/desk/templates?notice=template-saved",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render(&state, &ctx, a, None, Some(id), form, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /t/{code}/desk/templates/{id}/delete`: asks on the confirmation page first.
pub async fn delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<DeleteForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let by = a.caller(&ctx);
    let tr = &ctx.tr;
    if !confirm::confirmed(&form.confirm) {
        let t = cmd::get(&state.app, &by, a.code, id).await?;
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t("confirm-template-delete-title"),
                subject: t.name.clone(),
                lead: tr.t("confirm-template-delete-lead"),
                facts: vec![
                    (tr.t("template-kind"), tr.t(&t.kind.label_key())),
                    (tr.t("template-body"), t.body),
                ],
                action: format!("/t/{}/desk/templates/{id}/delete", a.code),
                hidden: Vec::new(),
                confirm_label: tr.t("template-delete"),
                danger: true,
                back_posts: false,
                back_href: format!("/t/{}/desk/templates/{id}", a.code),
            },
        );
    }
    cmd::delete(&state.app, &by, a.code, id).await?;
    Ok(Redirect::to(&format!(
        "/t/{}/desk/templates?notice=template-deleted",
        a.code
    ))
    .into_response())
}
