//! The public intake form: `/t/{code}/propose`. Anyone may propose (公平性); the submission
//! is checked field by field, attachments by content; nothing is saved unless all of it is.

use super::html;
use super::proposal_view::{Choice, choices};
use super::tenant_page::{ClosedDesk, closed_desk};
use crate::auth::{CSRF_FIELD, Ctx, constant_time_eq, known_tenant};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::CommandError;
use renkei_app::proposals::{self as cmd, RawFile, SubmitInput};
use renkei_domain::attachment;
use renkei_domain::proposal::{Field, IntakeInput, Kind, Offer, PartnerType};
use renkei_store::tenants::Tenant;

#[derive(Template)]
#[template(path = "pages/desk_closed.html")]
struct DeskClosedTemplate {
    base: Base,
    tenant: Tenant,
    closed: ClosedDesk,
}

/// The page a closed desk shows instead of the form (and answers a submission with: 409).
fn render_closed(
    ctx: &Ctx,
    tenant: Tenant,
    closed: ClosedDesk,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page = html(&DeskClosedTemplate {
        base: Base::new(ctx, ctx.tr.t1("propose-title", "name", &tenant.full_name())),
        tenant,
        closed,
    })?;
    Ok((status, page).into_response())
}

#[derive(Template)]
#[template(path = "pages/propose.html")]
struct ProposeTemplate {
    base: Base,
    tenant: Tenant,
    input: IntakeInput,
    kinds: Vec<Choice>,
    partner_types: Vec<Choice>,
    fields: Vec<Choice>,
    offers: Vec<Choice>,
    errors: FieldErrors,
    had_files: bool,
}

fn render(
    ctx: &Ctx,
    tenant: Tenant,
    input: IntakeInput,
    errors: FieldErrors,
    had_files: bool,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&ProposeTemplate {
        base: Base::new(ctx, tr.t1("propose-title", "name", &tenant.full_name())),
        kinds: choices(
            tr,
            Kind::ALL,
            Kind::code,
            Kind::label_key,
            std::slice::from_ref(&input.kind),
        ),
        partner_types: choices(
            tr,
            PartnerType::ALL,
            PartnerType::code,
            PartnerType::label_key,
            std::slice::from_ref(&input.partner_type),
        ),
        fields: choices(tr, Field::ALL, Field::code, Field::label_key, &input.fields),
        offers: choices(tr, Offer::ALL, Offer::code, Offer::label_key, &input.offers),
        tenant,
        input,
        errors,
        had_files,
    })?;
    Ok((status, page).into_response())
}

/// The form again, as typed, with the rate-limit message: 429, nothing saved.
fn rate_limited(
    ctx: &Ctx,
    tenant: Tenant,
    input: IntakeInput,
    mut errors: FieldErrors,
    had_files: bool,
) -> Result<Response, WebError> {
    errors.add(&ctx.tr, "form", "error-rate-limited");
    let mut response = render(ctx, tenant, input, errors, had_files)?;
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    Ok(response)
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (tenant, _) = known_tenant(&state, &code).await?;
    if let Some(closed) = closed_desk(&state, &ctx.tr, &tenant).await? {
        return render_closed(&ctx, tenant, closed, StatusCode::OK);
    }
    let input = IntakeInput {
        kind: "proposal".into(),
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    render(&ctx, tenant, input, FieldErrors::default(), false)
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let tr = ctx.tr;
    if let Some(closed) = closed_desk(&state, &tr, &tenant).await? {
        return render_closed(&ctx, tenant, closed, StatusCode::CONFLICT);
    }
    let mut input = IntakeInput::default();
    let mut csrf = String::new();
    let mut honeypot = String::new();
    let mut files: Vec<RawFile> = Vec::new();
    let mut file_count = 0usize;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(WebError::PayloadTooLarge);
            }
            Err(_) => return Err(WebError::BadRequest("error-bad-request")),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let filename = field.file_name().map(attachment::clean_filename);
            let data = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    WebError::PayloadTooLarge
                } else {
                    WebError::BadRequest("error-bad-request")
                }
            })?;
            let Some(filename) = filename else { continue };
            if data.is_empty() && filename == "attachment" {
                continue; // the empty file input of a form sent without a file
            }
            file_count += 1;
            files.push(RawFile {
                filename,
                data: Some(data.to_vec()),
            });
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|_| WebError::BadRequest("error-bad-request"))?;
        match name.as_str() {
            CSRF_FIELD => csrf = value,
            "website" => honeypot = value,
            "kind" => input.kind = value,
            "org_name" => input.org_name = value,
            "partner_type" => input.partner_type = value,
            "corporate_number" => input.corporate_number = value,
            "contact_name" => input.contact_name = value,
            "email" => input.email = value,
            "phone" => input.phone = value,
            "title" => input.title = value,
            "summary" => input.summary = value,
            "details" => input.details = value,
            "fields" => input.fields.push(value),
            "offers" => input.offers.push(value),
            "expected_effects" => input.expected_effects = value,
            "fiscal_burden" => input.fiscal_burden = value,
            "fiscal_explanation" => input.fiscal_explanation = value,
            "publication_consent" => input.publication_consent = value == "yes",
            _ => {}
        }
    }
    if ctx.csrf.is_empty() || !constant_time_eq(csrf.as_bytes(), ctx.csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    // A filled-in hidden field: a bot. Refuse without saying why, write nothing.
    if !honeypot.trim().is_empty() {
        return Err(WebError::BadRequest("error-bad-request"));
    }
    let had_files = file_count > 0;
    // A cheap early answer; the submission's own transaction has the last word.
    let limit = state.config.intake_rate_limit;
    if limit > 0 && state.store.intake_count_last_hour(&ctx.ip).await? >= limit {
        return rate_limited(&ctx, tenant, input, FieldErrors::default(), had_files);
    }
    let by = renkei_app::Caller {
        actor: None,
        who: ctx.who_or("proponent"),
    };
    let proponent_user_id = ctx
        .user
        .as_ref()
        .filter(|u| {
            u.role == renkei_domain::Role::Proponent
                && u.tenant_code.as_deref() == Some(tenant.code.as_str())
        })
        .map(|u| u.id);
    let submitted = match cmd::submit(
        &state.app,
        &by,
        tcode,
        SubmitInput {
            intake: input.clone(),
            files,
            proponent_user_id,
            ip: Some(ctx.ip.clone()),
            per_hour: limit,
            route: None,
            // The language the form was read in: the proponent's mail is written in it.
            lang: ctx.tr.lang,
        },
    )
    .await
    {
        Ok(s) => s,
        Err(CommandError::RateLimited) => {
            return rate_limited(&ctx, tenant, input, FieldErrors::default(), had_files);
        }
        // Closed while the form was being filled in: say so, store nothing.
        Err(CommandError::Conflict {
            key: "error-desk-closed",
            ..
        }) => {
            let closed = closed_desk(&state, &tr, &tenant)
                .await?
                .unwrap_or(ClosedDesk {
                    heading: tr.t("desk-closed-heading"),
                    message: tr.t1("desk-closed-message", "name", &tenant.full_name()),
                    elsewhere: None,
                });
            return render_closed(&ctx, tenant, closed, StatusCode::CONFLICT);
        }
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in super::desk_proposal::refused(e)? {
                errors.add(&tr, f.field, f.key);
            }
            return render(&ctx, tenant, input, errors, had_files);
        }
    };
    Ok(Redirect::to(&format!(
        "/t/{}/track/{}?notice=proposal-received",
        tenant.code, submitted.tracking_token
    ))
    .into_response())
}
