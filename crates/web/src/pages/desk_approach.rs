//! Outbound approach (アプローチ): the city contacted an organisation first. Recorded like a
//! proposal with route アプローチ, starting in 聞き取り with its first hearing.

use super::desk_proposal::{ActionForm, refused};
use super::html;
use super::proposal_view::{Choice, choices};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::proposals as cmd;
use renkei_domain::Actor;
use renkei_domain::proposal::{Channel, Field, IntakeInput, Kind, PartnerType};
use renkei_store::tenants::Tenant;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct ApproachForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    partner_type: String,
    #[serde(default)]
    corporate_number: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    next_steps: String,
}

#[derive(Template)]
#[template(path = "pages/desk_approach.html")]
struct ApproachTemplate {
    base: Base,
    tenant: Tenant,
    form: ApproachForm,
    kinds: Vec<Choice>,
    partner_types: Vec<Choice>,
    fields: Vec<Choice>,
    channels: Vec<Choice>,
    errors: FieldErrors,
    today: String,
}

fn render(
    ctx: &Ctx,
    today: chrono::NaiveDate,
    a: TenantAccess,
    form: ApproachForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&ApproachTemplate {
        base: Base::new(ctx, tr.t("approach-title")),
        kinds: choices(
            tr,
            Kind::ALL,
            Kind::code,
            Kind::label_key,
            std::slice::from_ref(&form.kind),
        ),
        partner_types: choices(
            tr,
            PartnerType::ALL,
            PartnerType::code,
            PartnerType::label_key,
            std::slice::from_ref(&form.partner_type),
        ),
        fields: choices(tr, Field::ALL, Field::code, Field::label_key, &form.fields),
        channels: choices(
            tr,
            Channel::ALL,
            Channel::code,
            Channel::label_key,
            std::slice::from_ref(&form.channel),
        ),
        tenant: a.tenant,
        form,
        errors,
        today: renkei_domain::time::to_db_date(today),
    })?;
    Ok((status, page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let form = ApproachForm {
        kind: "proposal".into(),
        ..ApproachForm::default()
    };
    render(&ctx, state.store.today(), a, form, FieldErrors::default())
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<ApproachForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let input = IntakeInput {
        kind: form.kind.clone(),
        org_name: form.org_name.clone(),
        partner_type: form.partner_type.clone(),
        corporate_number: form.corporate_number.clone(),
        contact_name: form.contact_name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        title: form.title.clone(),
        summary: form.summary.clone(),
        fields: form.fields.clone(),
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    let hearing = ActionForm {
        held_on: form.held_on.clone(),
        channel: form.channel.clone(),
        participants: form.participants.clone(),
        notes: form.notes.clone(),
        next_steps: form.next_steps.clone(),
        ..ActionForm::default()
    }
    .hearing();
    let s = match cmd::approach(
        &state.app,
        &a.caller(&ctx),
        a.code,
        &input,
        &hearing,
        vec![],
    )
    .await
    {
        Ok(s) => s,
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
            return render(&ctx, state.store.today(), a, form, errors);
        }
    };
    Ok(Redirect::to(&format!(
        "/t/{}/desk/proposals/{}?notice=approach-recorded",
        a.code, s.receipt_number
    ))
    .into_response())
}
