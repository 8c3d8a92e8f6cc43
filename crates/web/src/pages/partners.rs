//! The partner registry (`/t/{code}/desk/partners`): organisations de-duplicated by
//! 法人番号 or normalised name, listed in 五十音 order (by reading, legal-form words aside),
//! filtered by type and name, a page at a time; a partner added by hand; each partner's page
//! with its details, type-specific strengths and constraints, contacts (担当者) and history
//! of proposals.

use super::proposal_view::{Choice, ProposalView, choices};
use super::{confirm, html, numbered_pages};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::i18n::Tr;
use renkei_domain::Actor;
use renkei_domain::partner::{ContactInput, PartnerEditInput, PartnerInput};
use renkei_domain::proposal::PartnerType;
use renkei_store::proposals::{Partner, PartnerContact, PartnerFilter};
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// Partners on one page of the registry.
pub const PER_PAGE: i64 = 50;
/// The last page a link may ask for (the store clamps too).
const PAGE_MAX: i64 = 10_000;

/// One line of an error summary: a link to the field, its label and the message.
pub struct SummaryLine {
    pub href: String,
    pub label: String,
    pub message: String,
}

/// The errors of `errors` in the order of `order` (field, label key), each linked to its
/// field (`#field`); a field the list does not know still gets its line.
fn summary(tr: &Tr, errors: &FieldErrors, order: &[(&str, &str)]) -> Vec<SummaryLine> {
    let mut lines: Vec<SummaryLine> = order
        .iter()
        .filter_map(|(field, label)| {
            errors.get(field).map(|m| SummaryLine {
                href: format!("#{field}"),
                label: tr.t(label),
                message: m.clone(),
            })
        })
        .collect();
    for (field, m) in &errors.0 {
        if !order.iter().any(|(f, _)| f == field) {
            lines.push(SummaryLine {
                href: String::new(),
                label: String::new(),
                message: m.clone(),
            });
        }
    }
    lines
}

/// The add form's fields in order, with their labels.
const ADD_ORDER: &[(&str, &str)] = &[
    ("name", "partner-name"),
    ("name_kana", "partner-name-kana"),
    ("partner_type", "propose-partner-type"),
    ("corporate_number", "propose-corporate-number"),
    ("address", "partner-address"),
    ("website", "partner-website"),
    ("phone", "partner-phone"),
    ("note", "partner-note"),
];

/// The partner page's forms' fields in order, with their labels.
const PAGE_ORDER: &[(&str, &str)] = &[
    ("name_kana", "partner-name-kana"),
    ("address", "partner-address"),
    ("website", "partner-website"),
    ("phone", "partner-phone"),
    ("note", "partner-note"),
    ("strengths", "partner-strengths"),
    ("constraints", "partner-constraints"),
    ("contact_name", "contact-name"),
    ("contact_department", "contact-department"),
    ("contact_title", "contact-title"),
    ("contact_email", "contact-email"),
    ("contact_phone", "contact-phone"),
    ("contact_note", "contact-note"),
    ("merge_with", "partner-merge-with"),
];

#[derive(Template)]
#[template(path = "pages/partners.html")]
struct PartnersTemplate {
    base: Base,
    tenant: Tenant,
    q: String,
    /// The type filter's choices (the chosen one checked).
    filter_types: Vec<Choice>,
    partners: Vec<(Partner, String)>,
    count_line: String,
    /// The filters for the export links (`?q=…&partner_type=…`, or empty).
    export_query: String,
    pages: Vec<(String, Option<String>, bool)>,
    prev: Option<String>,
    next: Option<String>,
    /// The add form: what was typed, its type choices, errors and their summary.
    input: PartnerInput,
    form_types: Vec<Choice>,
    errors: FieldErrors,
    summary: Vec<SummaryLine>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    partner_type: String,
    #[serde(default)]
    page: String,
    notice: Option<String>,
}

impl ListQuery {
    /// The filter; a value it does not know is ignored (a GET form), the page bounded.
    fn filter(&self) -> PartnerFilter {
        PartnerFilter {
            q: self.q.chars().take(100).collect(),
            partner_type: PartnerType::parse(&self.partner_type).ok(),
            page: self.page.parse::<i64>().unwrap_or(0).clamp(0, PAGE_MAX),
            per_page: PER_PAGE,
        }
    }

    /// The filters for the export links (no page: an export writes every match).
    fn export_query(&self) -> String {
        let parts: Vec<String> = [("q", &self.q), ("partner_type", &self.partner_type)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::error::urlencode(v)))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    fn link(&self, page: i64) -> String {
        let mut parts: Vec<String> = [("q", &self.q), ("partner_type", &self.partner_type)]
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", crate::error::urlencode(v)))
            .collect();
        parts.push(format!("page={page}"));
        format!("?{}", parts.join("&"))
    }
}

fn type_label(tr: &Tr, p: &Partner) -> String {
    tr.t(&p.partner_type.label_key())
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    query: ListQuery,
    input: PartnerInput,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let filter = query.filter();
    let (partners, total) = state.store.partner_list(a.code, &filter).await?;
    let shown = filter.page * PER_PAGE + partners.len() as i64;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&PartnersTemplate {
        base: Base::new(ctx, tr.t("partners-title")).with_notice(query.notice.as_deref()),
        q: filter.q.clone(),
        filter_types: choices(
            tr,
            PartnerType::ALL,
            PartnerType::code,
            PartnerType::label_key,
            std::slice::from_ref(&query.partner_type),
        ),
        partners: partners
            .into_iter()
            .map(|p| {
                let label = type_label(tr, &p);
                (p, label)
            })
            .collect(),
        count_line: tr.t1("partners-count", "count", &total),
        export_query: query.export_query(),
        pages: numbered_pages(filter.page, total, PER_PAGE, |p| query.link(p)),
        prev: (filter.page > 0 && total > 0).then(|| query.link(filter.page - 1)),
        next: (shown < total).then(|| query.link(filter.page + 1)),
        form_types: choices(
            tr,
            PartnerType::ALL,
            PartnerType::code,
            PartnerType::label_key,
            std::slice::from_ref(&input.partner_type),
        ),
        summary: summary(tr, &errors, ADD_ORDER),
        input,
        errors,
        tenant: a.tenant,
    })?;
    Ok((status, page).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    render_list(
        &state,
        &ctx,
        a,
        query,
        PartnerInput::default(),
        FieldErrors::default(),
    )
    .await
}

/// Adds a partner by hand (`POST /t/{code}/desk/partners`); a refusal shows the list again
/// with the form as typed and the messages (422), nothing written.
pub async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(input): CsrfForm<PartnerInput>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    match renkei_app::partners::add(&state.app, &a.caller(&ctx), a.code, &input).await {
        Ok(id) => Ok(Redirect::to(&format!(
            "/t/{}/desk/partners/{id}?notice=partner-added",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
            render_list(&state, &ctx, a, ListQuery::default(), input, errors).await
        }
    }
}

#[derive(Template)]
#[template(path = "pages/partner.html")]
struct PartnerTemplate {
    base: Base,
    tenant: Tenant,
    partner: Partner,
    type_label: String,
    type_hint: String,
    proposals: Vec<ProposalView>,
    contacts: Vec<PartnerContact>,
    edit: PartnerEditInput,
    contact: ContactInput,
    errors: FieldErrors,
    summary: Vec<SummaryLine>,
    /// The other partners this one could absorb (id, name), in the registry's order.
    others: Vec<(i64, String)>,
}

/// What was typed into the partner page's forms, shown again with their errors.
#[derive(Default)]
struct Typed {
    edit: Option<PartnerEditInput>,
    contact: ContactInput,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    id: i64,
    notice: Option<&str>,
    typed: Typed,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let a = tenant_access(state, ctx, code, Actor::may_handle_proposals).await?;
    let partner = state.store.partner(a.code, id).await?;
    let proposals = state.store.partner_proposals(a.code, id).await?;
    let contacts = state.store.partner_contacts(a.code, id).await?;
    state
        .store
        .audit_proposal_read(
            a.code,
            &format!("partner:{id}"),
            "partner-history",
            &ctx.who(),
        )
        .await?;
    let tr = &ctx.tr;
    let edit = typed.edit.unwrap_or_else(|| PartnerEditInput {
        name_kana: partner.name_kana.clone(),
        address: partner.address.clone(),
        website: partner.website.clone(),
        phone: partner.phone.clone(),
        note: partner.note.clone(),
        strengths: partner.strengths.clone(),
        constraints: partner.constraints.clone(),
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&PartnerTemplate {
        base: Base::new(ctx, partner.name.clone()).with_notice(notice),
        type_label: type_label(tr, &partner),
        type_hint: tr.t(&format!("partner-hint-{}", partner.partner_type)),
        proposals: proposals
            .into_iter()
            .map(|p| ProposalView::new(tr, p, state.store.today()))
            .collect(),
        others: state
            .store
            .partners(a.code, None)
            .await?
            .into_iter()
            .filter(|o| o.id != partner.id)
            .map(|o| (o.id, o.name))
            .collect(),
        tenant: a.tenant,
        partner,
        contacts,
        edit,
        contact: typed.contact,
        summary: summary(tr, &errors, PAGE_ORDER),
        errors,
    })?;
    Ok((status, page).into_response())
}

/// The field errors of a refused command, for the page.
fn errors_of(tr: &Tr, e: renkei_app::CommandError) -> Result<FieldErrors, WebError> {
    let mut errors = FieldErrors::default();
    for f in super::desk_proposal::refused(e)? {
        errors.add(tr, f.field, f.key);
    }
    Ok(errors)
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    notice: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    render(
        &state,
        &ctx,
        &code,
        id,
        q.notice.as_deref(),
        Typed::default(),
        FieldErrors::default(),
    )
    .await
}

/// Saves the partner's reading, details, strengths and constraints.
pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<PartnerEditInput>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    match renkei_app::partners::update(&state.app, &a.caller(&ctx), a.code, id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/desk/partners/{id}?notice=partner-saved",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = errors_of(&ctx.tr, e)?;
            let typed = Typed {
                edit: Some(form),
                ..Typed::default()
            };
            render(&state, &ctx, &code, id, None, typed, errors).await
        }
    }
}

/// Adds a contact (担当者) to the partner.
pub async fn contact_add(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<ContactInput>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    match renkei_app::partners::add_contact(&state.app, &a.caller(&ctx), a.code, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/desk/partners/{id}?notice=partner-contact-added#contacts",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = errors_of(&ctx.tr, e)?;
            let typed = Typed {
                edit: None,
                contact: form,
            };
            render(&state, &ctx, &code, id, None, typed, errors).await
        }
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// Removes a contact, after a confirmation page naming it.
pub async fn contact_remove(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, contact_id)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let tr = &ctx.tr;
    let partner = state.store.partner(a.code, id).await?;
    let contact = state.store.partner_contact(a.code, id, contact_id).await?;
    let back = format!("/t/{}/desk/partners/{id}", a.code);
    if !confirm::confirmed(&form.confirm) {
        let or_none = |v: &str| {
            if v.is_empty() {
                tr.t("propose-confirm-none")
            } else {
                v.to_string()
            }
        };
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t("confirm-contact-remove-title"),
                subject: partner.name.clone(),
                lead: tr.t2(
                    "confirm-contact-remove-lead",
                    ("name", &contact.name),
                    ("partner", &partner.name),
                ),
                facts: vec![
                    (tr.t("contact-name"), contact.name.clone()),
                    (tr.t("contact-department"), or_none(&contact.department)),
                    (tr.t("contact-title"), or_none(&contact.title)),
                    (tr.t("contact-email"), or_none(&contact.email)),
                ],
                action: format!("{back}/contacts/{contact_id}/remove"),
                hidden: Vec::new(),
                confirm_label: tr.t("contact-remove"),
                danger: true,
                back_posts: false,
                back_href: format!("{back}#contacts"),
            },
        );
    }
    renkei_app::partners::remove_contact(&state.app, &a.caller(&ctx), a.code, id, contact_id)
        .await?;
    Ok(Redirect::to(&format!("{back}?notice=partner-contact-removed#contacts")).into_response())
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    other: String,
    #[serde(default)]
    confirm: String,
}

/// Merges another partner into this one (`/t/{code}/desk/partners/{id}/merge`), after a
/// confirmation page that says what moves and that it cannot be undone.
pub async fn merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let tr = &ctx.tr;
    let kept = state.store.partner(a.code, id).await?;
    // Nothing chosen, or a partner this desk does not have: the same message by the field.
    let refuse = |field: &'static str, key: &'static str| {
        let mut errors = FieldErrors::default();
        errors.add(tr, field, key);
        render(&state, &ctx, &code, id, None, Typed::default(), errors)
    };
    let chosen = form.other.trim().parse::<i64>().ok().filter(|o| *o > 0);
    let (other, merged) = match chosen {
        None => return refuse("merge_with", "error-partner-merge-choose").await,
        Some(other) => match state.store.partner(a.code, other).await {
            Ok(p) => (other, p),
            Err(renkei_store::StoreError::NotFound) => {
                return refuse("merge_with", "error-partner-merge-choose").await;
            }
            Err(e) => return Err(e.into()),
        },
    };
    if !confirm::confirmed(&form.confirm) {
        let contacts = state.store.partner_contacts(a.code, other).await?.len();
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t("confirm-partner-merge-title"),
                subject: kept.name.clone(),
                lead: tr.t2(
                    "confirm-partner-merge-lead",
                    ("merged", &merged.name),
                    ("kept", &kept.name),
                ),
                facts: vec![
                    (tr.t("partner-merge-kept"), kept.name.clone()),
                    (
                        tr.t("partner-merge-merged"),
                        tr.t2(
                            "partner-merge-merged-value",
                            ("name", &merged.name),
                            ("count", &merged.proposal_count),
                        ),
                    ),
                    (
                        tr.t("partner-merge-contacts"),
                        tr.t1("partner-merge-contacts-value", "count", &contacts),
                    ),
                ],
                action: format!("/t/{}/desk/partners/{id}/merge", a.code),
                hidden: vec![("other".into(), other.to_string())],
                confirm_label: tr.t("partner-merge-action"),
                danger: true,
                back_posts: false,
                back_href: format!("/t/{}/desk/partners/{id}", a.code),
            },
        );
    }
    match state
        .store
        .partner_merge(a.code, id, other, &ctx.who())
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/desk/partners/{id}?notice=partners-merged",
            a.code
        ))
        .into_response()),
        Err(renkei_store::StoreError::Conflict { field, key }) => refuse(field, key).await,
        Err(e) => Err(e.into()),
    }
}
