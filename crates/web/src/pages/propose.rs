//! The public intake form: `/t/{code}/propose`. Anyone may propose (公平性); the submission
//! is checked field by field, attachments by content, and shown on a confirmation page
//! (確認画面, `/t/{code}/propose/confirm/{token}`) before it is sent; nothing is received until
//! the proponent confirms, and nothing is saved unless all of it is valid.

use super::html;
use super::proposal_view::{Choice, choices};
use super::tenant_page::{ClosedDesk, closed_desk};
use crate::auth::{CSRF_FIELD, CsrfForm, Ctx, constant_time_eq, known_tenant};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::CommandError;
use renkei_app::proposals::{self as cmd, RawFile, SubmitInput};
use renkei_domain::attachment;
use renkei_domain::proposal::{Field, IntakeInput, Kind, Offer, PartnerType, rules};
use renkei_domain::text::TextRule;
use renkei_store::proposals::NewAttachment;
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

/// Words that depend on the local government: its desk's name and how it is called in
/// running text (「市の財政負担」, 「県の財政負担」).
struct Words {
    kind: String,
    desk: String,
}

async fn words(state: &AppState, ctx: &Ctx, tenant: &Tenant) -> Result<Words, WebError> {
    let tr = &ctx.tr;
    let code = renkei_domain::TenantCode::parse(&tenant.code).map_err(|_| WebError::NotFound)?;
    let profile = state.store.desk_profile(code).await?;
    let desk = if profile.desk_name.is_empty() {
        tr.t("public-desk-default-name")
    } else {
        profile.desk_name
    };
    Ok(Words {
        kind: tr.t(renkei_domain::desk::kind_word_key(&tenant.name)),
        desk: tr.t2(
            "public-desk-name",
            ("name", &tenant.full_name()),
            ("desk", &desk),
        ),
    })
}

/// The form's fields in the order they appear: the error field, the id of the element to
/// focus, the label's message key. The error summary lists errors in this order.
const FORM_ORDER: &[(&str, &str, &str)] = &[
    ("form", "", ""),
    ("kind", "kind-proposal", "propose-kind"),
    ("org_name", "org_name", "propose-org-name"),
    ("partner_type", "partner_type", "propose-partner-type"),
    (
        "corporate_number",
        "corporate_number",
        "propose-corporate-number",
    ),
    ("org_address", "org_address", "propose-org-address"),
    ("contact_name", "contact_name", "propose-contact-name"),
    (
        "contact_department",
        "contact_department",
        "propose-contact-department",
    ),
    ("contact_title", "contact_title", "propose-contact-title"),
    ("email", "email", "col-email"),
    ("phone", "phone", "propose-phone"),
    ("title", "title", "propose-title-field"),
    ("summary", "summary", "propose-summary"),
    ("details", "details", "propose-details"),
    ("field", "fields-disaster", "propose-fields"),
    ("offer", "offers-people", "propose-offers"),
    ("expected_effects", "expected_effects", "propose-effects"),
    ("fiscal_burden", "fiscal_burden-none", "propose-burden"),
    (
        "fiscal_explanation",
        "fiscal_explanation",
        "propose-fiscal-explanation",
    ),
    ("attachments", "attachments", "propose-attachments"),
    (
        "privacy_consent",
        "privacy_consent",
        "propose-privacy-consent",
    ),
];

/// One line of the error summary: a link to the field, its label and the message.
pub struct ErrorLink {
    pub href: String,
    pub label: String,
    pub message: String,
}

fn error_links(tr: &renkei_app::i18n::Tr, errors: &FieldErrors, words: &Words) -> Vec<ErrorLink> {
    let mut links: Vec<ErrorLink> = FORM_ORDER
        .iter()
        .filter_map(|(field, id, label)| {
            errors.get(field).map(|m| ErrorLink {
                href: if id.is_empty() {
                    String::new()
                } else {
                    format!("#{id}")
                },
                label: if label.is_empty() {
                    String::new()
                } else {
                    tr.fill(label, &[("kind", &words.kind)])
                },
                message: m.clone(),
            })
        })
        .collect();
    // A field the list does not know still gets its line.
    for (field, m) in &errors.0 {
        if !FORM_ORDER.iter().any(|(f, _, _)| f == field) {
            links.push(ErrorLink {
                href: String::new(),
                label: String::new(),
                message: m.clone(),
            });
        }
    }
    links
}

/// The free-text fields with their limits, as (rule, value typed).
fn texts(input: &IntakeInput) -> [(TextRule, &str); 11] {
    [
        (rules::ORG_NAME, &input.org_name),
        (rules::ORG_ADDRESS, &input.org_address),
        (rules::CONTACT_NAME, &input.contact_name),
        (rules::CONTACT_DEPARTMENT, &input.contact_department),
        (rules::CONTACT_TITLE, &input.contact_title),
        (rules::TITLE, &input.title),
        (rules::SUMMARY, &input.summary),
        (rules::DETAILS, &input.details),
        (rules::EXPECTED_EFFECTS, &input.expected_effects),
        (rules::FISCAL_EXPLANATION, &input.fiscal_explanation),
        (rules::CONTACT_NAME, &input.contact_name),
    ]
}

/// The message for a field that is too long says how long it may be and how long it is (the
/// counter that works without JavaScript).
fn count_too_long(tr: &renkei_app::i18n::Tr, errors: &mut FieldErrors, input: &IntakeInput) {
    for (rule, value) in texts(input) {
        let count = value.trim().chars().count();
        if count > rule.max && errors.get(rule.field).is_some() {
            errors.0.insert(
                rule.field,
                tr.fill(
                    "error-too-long-count",
                    &[
                        ("max", &rule.max.to_string()),
                        ("count", &count.to_string()),
                    ],
                ),
            );
        }
    }
}

/// A file kept with a draft: its position there, name and size.
pub struct DraftFile {
    pub index: usize,
    pub name: String,
    pub size: String,
}

fn draft_files(files: &[NewAttachment]) -> Vec<DraftFile> {
    files
        .iter()
        .enumerate()
        .map(|(index, f)| DraftFile {
            index,
            name: f.filename.clone(),
            size: super::proposal_view::size_label(i64::try_from(f.data.len()).unwrap_or(i64::MAX)),
        })
        .collect()
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
    summary: Vec<ErrorLink>,
    had_files: bool,
    words: Words,
    /// Correcting a draft: its token and files (each may be kept).
    draft: Option<String>,
    kept: Vec<DraftFile>,
    limits: Limits,
    /// The open call being answered (テーマ型): its id and title.
    call: Option<(i64, String)>,
}

/// The character limits the form states next to its fields.
struct Limits {
    title: usize,
    summary: usize,
    details: usize,
    effects: usize,
}

const LIMITS: Limits = Limits {
    title: rules::TITLE.max,
    summary: rules::SUMMARY.max,
    details: rules::DETAILS.max,
    effects: rules::EXPECTED_EFFECTS.max,
};

struct FormState {
    input: IntakeInput,
    errors: FieldErrors,
    had_files: bool,
    draft: Option<String>,
    kept: Vec<DraftFile>,
    /// The open call being answered: its id and title.
    call: Option<(i64, String)>,
}

/// The open call `id` if it takes answers today (its id and title); otherwise the page that
/// says it does not (`Err` holds it, with `status`).
async fn open_call(
    state: &AppState,
    ctx: &Ctx,
    tenant: &Tenant,
    tcode: renkei_domain::TenantCode,
    id: i64,
    status: StatusCode,
) -> Result<Result<(i64, String), Response>, WebError> {
    match renkei_app::open_calls::open_for_answers(&state.app, tcode, id).await {
        Ok(c) => Ok(Ok((c.id, c.title))),
        Err(CommandError::NotFound) => Err(WebError::NotFound),
        Err(CommandError::Conflict { .. }) => {
            let title = state
                .store
                .open_call_row(tcode, id)
                .await
                .map(|c| c.title)
                .unwrap_or_default();
            let closed = ClosedDesk {
                heading: ctx.tr.t("call-not-open-heading"),
                message: ctx.tr.fill("call-not-open-message", &[("title", &title)]),
                elsewhere: Some((
                    format!("/t/{}/calls", tenant.code),
                    ctx.tr.t("calls-public-title"),
                )),
            };
            Ok(Err(render_closed(ctx, tenant.clone(), closed, status)?))
        }
        Err(e) => Err(desk_refusal(e)),
    }
}

fn desk_refusal(e: CommandError) -> WebError {
    match e {
        CommandError::Store(s) => WebError::from(s),
        _ => WebError::NotFound,
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    tenant: Tenant,
    form: FormState,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let FormState {
        input,
        mut errors,
        had_files,
        draft,
        kept,
        call,
    } = form;
    count_too_long(tr, &mut errors, &input);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let words = words(state, ctx, &tenant).await?;
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
        summary: error_links(tr, &errors, &words),
        tenant,
        input,
        errors,
        had_files,
        words,
        draft,
        kept,
        limits: LIMITS,
        call,
    })?;
    Ok((status, page).into_response())
}

/// The form again, as typed, with the rate-limit message: 429, nothing saved.
async fn rate_limited(
    state: &AppState,
    ctx: &Ctx,
    tenant: Tenant,
    mut form: FormState,
) -> Result<Response, WebError> {
    form.errors.add(&ctx.tr, "form", "error-rate-limited");
    let mut response = render(state, ctx, tenant, form).await?;
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    Ok(response)
}

/// A draft token from a path or query: the random token's alphabet and length only.
fn token_shape(token: &str) -> Option<&str> {
    (token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then_some(token)
}

#[derive(serde::Deserialize, Default)]
pub struct FormQuery {
    draft: Option<String>,
    /// The open call being answered (`?call=ID`).
    call: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<FormQuery>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    if let Some(closed) = closed_desk(&state, &ctx.tr, &tenant).await? {
        return render_closed(&ctx, tenant, closed, StatusCode::OK);
    }
    // Back from the confirmation page: the form as it was typed, with its files.
    if let Some(token) = q.draft.as_deref().and_then(token_shape)
        && let Some(d) = cmd::read_draft(&state.app, tcode, token).await?
    {
        let call = match d.call_id {
            Some(id) => match open_call(&state, &ctx, &tenant, tcode, id, StatusCode::OK).await? {
                Ok(c) => Some(c),
                Err(page) => return Ok(page),
            },
            None => None,
        };
        let form = FormState {
            input: d.intake,
            errors: FieldErrors::default(),
            had_files: false,
            draft: Some(token.to_string()),
            kept: draft_files(&d.files),
            call,
        };
        return render(&state, &ctx, tenant, form).await;
    }
    let call = match q.call.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => {
            let id = c.parse::<i64>().map_err(|_| WebError::NotFound)?;
            match open_call(&state, &ctx, &tenant, tcode, id, StatusCode::OK).await? {
                Ok(c) => Some(c),
                Err(page) => return Ok(page),
            }
        }
        None => None,
    };
    let input = IntakeInput {
        kind: "proposal".into(),
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    let form = FormState {
        input,
        errors: FieldErrors::default(),
        had_files: false,
        draft: None,
        kept: Vec::new(),
        call,
    };
    render(&state, &ctx, tenant, form).await
}

/// The form sent: checked as the submission will be, then kept as a draft and shown on the
/// confirmation page. Nothing is received yet.
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
    let mut draft: Option<String> = None;
    let mut keep_files: Vec<usize> = Vec::new();
    let mut call_id: Option<i64> = None;
    loop {
        let Some(field) = super::next_part(&mut multipart).await? else {
            break;
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let Some(file) = super::file_part(field).await? else {
                continue;
            };
            file_count += 1;
            files.push(file);
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|_| WebError::BadRequest("error-bad-request"))?;
        match name.as_str() {
            CSRF_FIELD => csrf = value,
            "website" => honeypot = value,
            "draft" => draft = token_shape(&value).map(str::to_string),
            "call" => call_id = value.trim().parse::<i64>().ok().filter(|c| *c > 0),
            // Bounded: a draft holds at most MAX_ATTACHMENTS files.
            "keep_files" => {
                if let Ok(i) = value.parse::<usize>()
                    && i < attachment::MAX_ATTACHMENTS
                    && !keep_files.contains(&i)
                {
                    keep_files.push(i);
                }
            }
            "kind" => input.kind = value,
            "org_name" => input.org_name = value,
            "partner_type" => input.partner_type = value,
            "corporate_number" => input.corporate_number = value,
            "org_address" => input.org_address = value,
            "contact_name" => input.contact_name = value,
            "contact_department" => input.contact_department = value,
            "contact_title" => input.contact_title = value,
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
            "privacy_consent" => input.privacy_consent = value == "yes",
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
    // The open call being answered must take answers now (the submission checks again).
    let call = match call_id {
        Some(id) => {
            match open_call(&state, &ctx, &tenant, tcode, id, StatusCode::CONFLICT).await? {
                Ok(c) => Some(c),
                Err(page) => return Ok(page),
            }
        }
        None => None,
    };
    // The draft being corrected, if it is still there (its files may be kept).
    let old = match &draft {
        Some(t) => cmd::read_draft(&state.app, tcode, t)
            .await?
            .map(|d| (t.clone(), d)),
        None => None,
    };
    let correcting = old.as_ref().map(|(t, _)| cmd::DraftCorrection {
        token: t.clone(),
        keep_files: keep_files.clone(),
    });
    let form_again = |input: IntakeInput, errors: FieldErrors| FormState {
        input,
        errors,
        had_files: file_count > 0,
        draft: old.as_ref().map(|(t, _)| t.clone()),
        kept: old
            .as_ref()
            .map(|(_, d)| draft_files(&d.files))
            .unwrap_or_default(),
        call: call.clone(),
    };
    let limit = state.config.intake_rate_limit;
    // A cheap early answer; the submission's own transaction has the last word.
    if limit > 0 && state.store.intake_count_last_hour(&ctx.ip).await? >= limit {
        return rate_limited(
            &state,
            &ctx,
            tenant,
            form_again(input, FieldErrors::default()),
        )
        .await;
    }
    let result = cmd::draft(
        &state.app,
        tcode,
        SubmitInput {
            intake: input.clone(),
            files,
            ip: Some(ctx.ip.clone()),
            per_hour: limit,
            lang: ctx.tr.lang,
            call_id: call.as_ref().map(|c| c.0),
            ..SubmitInput::default()
        },
        correcting.as_ref(),
    )
    .await;
    match result {
        Ok(token) => Ok(
            Redirect::to(&format!("/t/{}/propose/confirm/{token}", tenant.code)).into_response(),
        ),
        Err(CommandError::RateLimited) => {
            rate_limited(
                &state,
                &ctx,
                tenant,
                form_again(input, FieldErrors::default()),
            )
            .await
        }
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in super::desk_proposal::refused(e)? {
                errors.add(&tr, f.field, f.key);
            }
            render(&state, &ctx, tenant, form_again(input, errors)).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The confirmation page (確認画面)

/// One line of the confirmation page.
pub struct Row {
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "pages/propose_confirm.html")]
struct ConfirmTemplate {
    base: Base,
    tenant: Tenant,
    token: String,
    rows: Vec<Row>,
    files: Vec<DraftFile>,
    expires: String,
    error: Option<String>,
    /// The title of the open call being answered.
    call: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/propose_gone.html")]
struct GoneTemplate {
    base: Base,
    tenant: Tenant,
}

fn gone(ctx: &Ctx, tenant: Tenant, status: StatusCode) -> Result<Response, WebError> {
    let page = html(&GoneTemplate {
        base: Base::new(ctx, ctx.tr.t("propose-gone-title")),
        tenant,
    })?;
    Ok((status, page).into_response())
}

/// What was typed, as the desk will read it: every field named, an empty one said to be empty.
fn confirm_rows(tr: &renkei_app::i18n::Tr, i: &IntakeInput, words: &Words) -> Vec<Row> {
    let none = || tr.t("propose-confirm-none");
    let or_none = |v: &str| {
        if v.trim().is_empty() {
            none()
        } else {
            v.trim().to_string()
        }
    };
    let list = |codes: &[String], key: fn(&str) -> Option<String>| {
        let names: Vec<String> = codes
            .iter()
            .filter_map(|c| key(c))
            .map(|k| tr.t(&k))
            .collect();
        if names.is_empty() {
            none()
        } else {
            names.join(if tr.lang == renkei_domain::Lang::En {
                ", "
            } else {
                "、"
            })
        }
    };
    let consent = |yes: bool| {
        tr.t(if yes {
            "propose-confirm-consented"
        } else {
            "propose-confirm-not-consented"
        })
    };
    let kw = [("kind", words.kind.as_str())];
    let mut rows = vec![
        (
            tr.t("propose-kind"),
            list(std::slice::from_ref(&i.kind), |c| {
                Kind::parse(c).ok().map(Kind::label_key)
            }),
        ),
        (tr.t("propose-org-name"), or_none(&i.org_name)),
        (
            tr.t("propose-partner-type"),
            list(std::slice::from_ref(&i.partner_type), |c| {
                PartnerType::parse(c).ok().map(PartnerType::label_key)
            }),
        ),
        (
            tr.t("propose-corporate-number"),
            or_none(&i.corporate_number),
        ),
        (tr.t("propose-org-address"), or_none(&i.org_address)),
        (tr.t("propose-contact-name"), or_none(&i.contact_name)),
        (
            tr.t("propose-contact-department"),
            or_none(&i.contact_department),
        ),
        (tr.t("propose-contact-title"), or_none(&i.contact_title)),
        (tr.t("col-email"), or_none(&i.email)),
        (tr.t("propose-phone"), or_none(&i.phone)),
        (tr.t("propose-title-field"), or_none(&i.title)),
        (tr.t("propose-summary"), or_none(&i.summary)),
        (tr.t("propose-details"), or_none(&i.details)),
        (
            tr.t("propose-fields"),
            list(&i.fields, |c| Field::parse(c).ok().map(Field::label_key)),
        ),
        (
            tr.t("propose-offers"),
            list(&i.offers, |c| Offer::parse(c).ok().map(Offer::label_key)),
        ),
        (tr.t("propose-effects"), or_none(&i.expected_effects)),
        (
            tr.fill("propose-burden", &kw),
            if i.fiscal_burden == "some" {
                format!(
                    "{}\n{}",
                    tr.fill("propose-burden-some", &kw),
                    i.fiscal_explanation.trim()
                )
            } else {
                tr.fill("propose-burden-none", &kw)
            },
        ),
        (
            tr.t("propose-publication-consent"),
            consent(i.publication_consent),
        ),
        (tr.t("propose-privacy-consent"), consent(i.privacy_consent)),
    ];
    rows.drain(..)
        .map(|(label, value)| Row { label, value })
        .collect()
}

async fn render_confirm(
    state: &AppState,
    ctx: &Ctx,
    tenant: Tenant,
    token: &str,
    d: cmd::DraftView,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let words = words(state, ctx, &tenant).await?;
    let call = match d.call_id {
        Some(id) => {
            let code =
                renkei_domain::TenantCode::parse(&tenant.code).map_err(|_| WebError::NotFound)?;
            state
                .store
                .open_call_row(code, id)
                .await
                .ok()
                .map(|c| c.title)
        }
        None => None,
    };
    let page = html(&ConfirmTemplate {
        base: Base::new(ctx, tr.t("propose-confirm-title")),
        rows: confirm_rows(tr, &d.intake, &words),
        files: draft_files(&d.files),
        expires: renkei_app::mailer::moment_for(tr.lang, d.expires_at),
        tenant,
        token: token.to_string(),
        error,
        call,
    })?;
    Ok((status, page).into_response())
}

pub async fn confirm_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let Some(token) = token_shape(&token) else {
        return gone(&ctx, tenant, StatusCode::NOT_FOUND);
    };
    match cmd::read_draft(&state.app, tcode, token).await? {
        Some(d) => render_confirm(&state, &ctx, tenant, token, d, None, StatusCode::OK).await,
        None => gone(&ctx, tenant, StatusCode::NOT_FOUND),
    }
}

/// 送信する: the draft becomes a proposal (the draft is deleted in the proposal's own
/// transaction, so a second click sends nothing twice).
pub async fn confirm_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<std::collections::HashMap<String, String>>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let tr = ctx.tr;
    let Some(token) = token_shape(&token) else {
        return gone(&ctx, tenant, StatusCode::NOT_FOUND);
    };
    // Unknown, expired or sent: nothing to confirm (404). A second click racing the first
    // gets past this and is refused inside the submission's transaction (409).
    if cmd::read_draft(&state.app, tcode, token).await?.is_none() {
        return gone(&ctx, tenant, StatusCode::NOT_FOUND);
    }
    if let Some(closed) = closed_desk(&state, &tr, &tenant).await? {
        return render_closed(&ctx, tenant, closed, StatusCode::CONFLICT);
    }
    let limit = state.config.intake_rate_limit;
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
    let result = cmd::submit_draft(
        &state.app,
        &by,
        tcode,
        token,
        SubmitInput {
            proponent_user_id,
            ip: Some(ctx.ip.clone()),
            per_hour: limit,
            // The language the form was read in: the proponent's mail is written in it.
            lang: ctx.tr.lang,
            ..SubmitInput::default()
        },
    )
    .await;
    let refusal = match result {
        Ok(submitted) => {
            return Ok(Redirect::to(&format!(
                "/t/{}/track/{}?notice=proposal-received",
                tenant.code, submitted.tracking_token
            ))
            .into_response());
        }
        Err(CommandError::Conflict {
            key: "error-draft-gone",
            ..
        }) => return gone(&ctx, tenant, StatusCode::CONFLICT),
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
        Err(CommandError::RateLimited) => {
            (tr.t("error-rate-limited"), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(CommandError::Conflict {
            key: "error-call-not-open",
            ..
        }) => (tr.t("error-call-not-open"), StatusCode::CONFLICT),
        Err(e) => {
            // The draft no longer passes (a rule changed since): the form, as typed, with why.
            let fields = super::desk_proposal::refused(e)?;
            let Some(d) = cmd::read_draft(&state.app, tcode, token).await? else {
                return gone(&ctx, tenant, StatusCode::CONFLICT);
            };
            let mut errors = FieldErrors::default();
            for f in fields {
                errors.add(&tr, f.field, f.key);
            }
            let form = FormState {
                kept: draft_files(&d.files),
                input: d.intake,
                errors,
                had_files: false,
                draft: Some(token.to_string()),
                call: None,
            };
            return render(&state, &ctx, tenant, form).await;
        }
    };
    let Some(d) = cmd::read_draft(&state.app, tcode, token).await? else {
        return gone(&ctx, tenant, StatusCode::CONFLICT);
    };
    render_confirm(&state, &ctx, tenant, token, d, Some(refusal.0), refusal.1).await
}
