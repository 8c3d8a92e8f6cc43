//! Entering a partnership (連携事業): `/t/{code}/partnerships/new` (directly, or with
//! `?proposal={id}` prefilled from a decided proposal, desk only) and correcting one at
//! `/t/{code}/partnerships/{id}/edit`. The same form for both: every field of
//! `PartnershipInput`, at least three party rows without JavaScript (「相手方を追加」 posts the
//! form back with more rows, keeping what was typed), errors listed at the top and next to
//! each input (422, nothing written). A new one goes through a 確認画面 (pages/confirm.rs)
//! before `renkei_app::partnerships::create`; a correction needs a reason and leaves old → new
//! in the timeline and the audit trail (`renkei_app::partnerships::correct`).

use super::confirm::{self, Confirm};
use super::html;
use super::proposal_view::{Choice, choices};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::partnerships as cmd;
use renkei_domain::Actor;
use renkei_domain::partnership::{Form, MAX_PARTIES, PartnershipInput, PartyInput};
use renkei_domain::proposal::{Field, PartnerType};
use renkei_store::departments::Department;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// Party rows a blank form shows, and how many 「相手方を追加」 adds.
const MIN_PARTY_ROWS: usize = 3;
const ADD_PARTY_ROWS: usize = 3;

/// The form as posted (repeated party inputs and field checkboxes come as lists).
#[derive(Deserialize, Default, Clone)]
pub struct PartnershipForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    city_role: String,
    #[serde(default)]
    party_name: Vec<String>,
    #[serde(default)]
    party_type: Vec<String>,
    #[serde(default)]
    party_corporate_number: Vec<String>,
    #[serde(default)]
    party_role: Vec<String>,
    #[serde(default)]
    fields: Vec<String>,
    #[serde(default)]
    signed_on: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    auto_renew: String,
    #[serde(default)]
    fiscal_burden: String,
    #[serde(default)]
    fiscal_amount: String,
    #[serde(default)]
    fiscal_justification: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    commercial_benefit: String,
    #[serde(default)]
    commercial_note: String,
    /// The decided proposal it comes from.
    #[serde(default)]
    proposal: String,
    /// Party rows shown.
    #[serde(default)]
    rows: String,
    /// 「相手方を追加」
    #[serde(default)]
    add_party: String,
    /// `yes` from the 確認画面, `back` to come back to the form.
    #[serde(default)]
    confirm: String,
    /// A correction's reason and the record's fingerprint when the form was opened.
    #[serde(default)]
    correction_reason: String,
    #[serde(default)]
    basis: String,
}

fn flag(v: &str) -> bool {
    matches!(v, "1" | "on" | "yes" | "true")
}

impl PartnershipForm {
    fn input(&self) -> PartnershipInput {
        let n = self
            .party_name
            .len()
            .max(self.party_type.len())
            .max(self.party_corporate_number.len())
            .max(self.party_role.len())
            .min(MAX_PARTIES + 1);
        let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
        PartnershipInput {
            form: self.form.clone(),
            title: self.title.clone(),
            purpose: self.purpose.clone(),
            summary: self.summary.clone(),
            department_id: self.department_id.clone(),
            city_role: self.city_role.clone(),
            parties: (0..n)
                .map(|i| PartyInput {
                    name: at(&self.party_name, i),
                    party_type: at(&self.party_type, i),
                    corporate_number: at(&self.party_corporate_number, i),
                    role: at(&self.party_role, i),
                })
                .collect(),
            fields: self
                .fields
                .iter()
                .take(Field::ALL.len() + 1)
                .cloned()
                .collect(),
            signed_on: self.signed_on.clone(),
            starts_on: self.starts_on.clone(),
            ends_on: self.ends_on.clone(),
            auto_renew: flag(&self.auto_renew),
            fiscal_burden: self.fiscal_burden.clone(),
            fiscal_amount: self.fiscal_amount.clone(),
            fiscal_justification: self.fiscal_justification.clone(),
            published: flag(&self.published),
            commercial_benefit: flag(&self.commercial_benefit),
            commercial_note: self.commercial_note.clone(),
        }
    }

    fn of(input: &PartnershipInput) -> Self {
        let b = |v: bool| if v { "1" } else { "" }.to_string();
        Self {
            form: input.form.clone(),
            title: input.title.clone(),
            purpose: input.purpose.clone(),
            summary: input.summary.clone(),
            department_id: input.department_id.clone(),
            city_role: input.city_role.clone(),
            party_name: input.parties.iter().map(|p| p.name.clone()).collect(),
            party_type: input.parties.iter().map(|p| p.party_type.clone()).collect(),
            party_corporate_number: input
                .parties
                .iter()
                .map(|p| p.corporate_number.clone())
                .collect(),
            party_role: input.parties.iter().map(|p| p.role.clone()).collect(),
            fields: input.fields.clone(),
            signed_on: input.signed_on.clone(),
            starts_on: input.starts_on.clone(),
            ends_on: input.ends_on.clone(),
            auto_renew: b(input.auto_renew),
            fiscal_burden: input.fiscal_burden.clone(),
            fiscal_amount: input.fiscal_amount.clone(),
            fiscal_justification: input.fiscal_justification.clone(),
            published: b(input.published),
            commercial_benefit: b(input.commercial_benefit),
            commercial_note: input.commercial_note.clone(),
            ..Default::default()
        }
    }

    /// Every field again as hidden inputs (the 確認画面 posts them back).
    fn hidden(&self) -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = [
            ("form", &self.form),
            ("title", &self.title),
            ("purpose", &self.purpose),
            ("summary", &self.summary),
            ("department_id", &self.department_id),
            ("city_role", &self.city_role),
            ("signed_on", &self.signed_on),
            ("starts_on", &self.starts_on),
            ("ends_on", &self.ends_on),
            ("auto_renew", &self.auto_renew),
            ("fiscal_burden", &self.fiscal_burden),
            ("fiscal_amount", &self.fiscal_amount),
            ("fiscal_justification", &self.fiscal_justification),
            ("published", &self.published),
            ("commercial_benefit", &self.commercial_benefit),
            ("commercial_note", &self.commercial_note),
            ("proposal", &self.proposal),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for p in self.input().parties {
            h.push(("party_name".into(), p.name));
            h.push(("party_type".into(), p.party_type));
            h.push(("party_corporate_number".into(), p.corporate_number));
            h.push(("party_role".into(), p.role));
        }
        for f in &self.fields {
            h.push(("fields".into(), f.clone()));
        }
        h
    }

    /// Party rows to show: what was typed, at least three, more after 「相手方を追加」.
    fn row_count(&self) -> usize {
        let typed = self.input().parties.len();
        let asked = self.rows.parse::<usize>().unwrap_or(0).min(MAX_PARTIES);
        let mut n = typed.max(asked).max(MIN_PARTY_ROWS);
        if !self.add_party.is_empty() {
            n += ADD_PARTY_ROWS;
        }
        n.min(MAX_PARTIES)
    }
}

/// A party row of the form.
pub struct PartyRowView {
    pub index: usize,
    pub number: usize,
    pub name: String,
    pub corporate_number: String,
    pub role: String,
    pub types: Vec<Choice>,
}

/// An error in the summary at the top, linked to its input.
pub struct SummaryRow {
    pub href: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "pages/partnership_form.html")]
struct FormTemplate {
    base: Base,
    tenant: Tenant,
    action: String,
    /// `Some(id)` when correcting.
    editing: Option<i64>,
    f: PartnershipForm,
    forms: Vec<Choice>,
    departments: Vec<Department>,
    parties: Vec<PartyRowView>,
    row_count: usize,
    may_add_rows: bool,
    fields: Vec<Choice>,
    errors: FieldErrors,
    summary: Vec<SummaryRow>,
    proposal_line: Option<String>,
}

/// The inputs in the form's order: (error field, label key, anchor).
const ORDER: &[(&str, &str, &str)] = &[
    ("form", "pships-form", "form"),
    ("title", "pships-col-title", "title"),
    ("purpose", "pships-purpose", "purpose"),
    ("summary", "pships-summary", "summary"),
    ("city_role", "pships-city-role", "city_role"),
    ("department_id", "pships-department", "department_id"),
    ("party_name", "pships-party-name", "party_name-0"),
    ("party_type", "pships-party-type", "party_type-0"),
    (
        "party_corporate_number",
        "propose-corporate-number",
        "party_corporate_number-0",
    ),
    ("party_role", "pships-party-role", "party_role-0"),
    ("field", "propose-fields", "fields-0"),
    ("signed_on", "pships-signed-on", "signed_on"),
    ("starts_on", "pships-starts-on", "starts_on"),
    ("ends_on", "pships-ends-on", "ends_on"),
    ("fiscal_burden", "pships-fiscal", "fiscal_burden-none"),
    ("fiscal_amount", "pships-fiscal-amount", "fiscal_amount"),
    (
        "fiscal_justification",
        "pships-fiscal-justification",
        "fiscal_justification",
    ),
    (
        "commercial_note",
        "pships-commercial-note",
        "commercial_note",
    ),
    ("correction_reason", "correct-reason", "correction_reason"),
    ("proposal_id", "pships-from-proposal", ""),
    ("form_error", "", ""),
];

fn summary(tr: &Tr, errors: &FieldErrors) -> Vec<SummaryRow> {
    let mut out = Vec::new();
    for (field, label, anchor) in ORDER {
        if let Some(e) = errors.get(field) {
            out.push(if anchor.is_empty() || label.is_empty() {
                SummaryRow {
                    href: String::new(),
                    text: e.clone(),
                }
            } else {
                SummaryRow {
                    href: format!("#{anchor}"),
                    text: format!("{}：{e}", tr.t(label)),
                }
            });
        }
    }
    out
}

/// The departments this member of staff may choose: all for the desk, their own for a
/// department member.
async fn departments_for(state: &AppState, a: &TenantAccess) -> Result<Vec<Department>, WebError> {
    let all = state.store.departments(a.code).await?;
    Ok(if a.actor.may_handle_proposals(a.code) {
        all
    } else {
        all.into_iter()
            .filter(|d| a.actor.departments.contains(&d.id))
            .collect()
    })
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    editing: Option<i64>,
    f: PartnershipForm,
    errors: FieldErrors,
    proposal_line: Option<String>,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let departments = departments_for(state, &a).await?;
    let forms: Vec<Form> = Form::ALL
        .iter()
        .copied()
        .filter(|f| a.actor.may_handle_proposals(a.code) || f.needs_department())
        .collect();
    let row_count = f.row_count();
    let input = f.input();
    let parties = (0..row_count)
        .map(|i| {
            let p = input.parties.get(i).cloned().unwrap_or_default();
            PartyRowView {
                index: i,
                number: i + 1,
                types: choices(
                    tr,
                    PartnerType::ALL,
                    PartnerType::code,
                    PartnerType::label_key,
                    std::slice::from_ref(&p.party_type),
                ),
                name: p.name,
                corporate_number: p.corporate_number,
                role: p.role,
            }
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = if editing.is_some() {
        tr.t("pships-edit-title")
    } else {
        tr.t("pships-new-title")
    };
    let action = match editing {
        Some(id) => format!("/t/{}/partnerships/{id}/edit", a.code),
        None => format!("/t/{}/partnerships/new", a.code),
    };
    let page = html(&FormTemplate {
        base: Base::new(ctx, title),
        action,
        editing,
        forms: choices(
            tr,
            &forms,
            Form::code,
            Form::label_key,
            std::slice::from_ref(&f.form),
        ),
        departments,
        parties,
        may_add_rows: row_count < MAX_PARTIES,
        row_count,
        fields: choices(tr, Field::ALL, Field::code, Field::label_key, &f.fields),
        summary: summary(tr, &errors),
        errors,
        proposal_line,
        f,
        tenant: a.tenant,
    })?;
    Ok((status, page).into_response())
}

fn field_errors(tr: &Tr, list: &[renkei_app::FieldError]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for e in list {
        // A whole-form message (a stale correction) is listed, not placed at an input.
        let field = if e.field == "form" && e.key.starts_with("error-partnership-edit") {
            "form_error"
        } else {
            e.field
        };
        errors.add(tr, field, e.key);
    }
    errors
}

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    let a = tenant_access(state, ctx, code, Actor::may_read_partnerships).await?;
    if !super::partnerships_list::may_create_some(&a.actor, a.code) {
        return Err(WebError::Forbidden);
    }
    Ok(a)
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    proposal: String,
}

/// The line naming the proposal a partnership is being created from.
async fn proposal_line(
    state: &AppState,
    tr: &Tr,
    a: &TenantAccess,
    proposal: &str,
) -> Result<Option<String>, WebError> {
    let Ok(id) = proposal.trim().parse::<i64>() else {
        return Ok(None);
    };
    if !a.actor.may_handle_proposals(a.code) {
        return Err(WebError::Forbidden);
    }
    let p = state.store.proposal_by_id(a.code, id).await?;
    Ok(Some(tr.t2(
        "pships-from-proposal-line",
        ("receipt", &p.receipt_number),
        ("title", &p.title),
    )))
}

/// `GET /t/{code}/partnerships/new[?proposal={id}]`
pub async fn new_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    if q.proposal.trim().is_empty() {
        let f = PartnershipForm {
            fiscal_burden: "none".into(),
            form: if a.actor.may_handle_proposals(a.code) {
                String::new()
            } else {
                Form::Project.code().into()
            },
            ..Default::default()
        };
        return render(&state, &ctx, a, None, f, FieldErrors::default(), None).await;
    }
    let id = q
        .proposal
        .trim()
        .parse::<i64>()
        .map_err(|_| WebError::NotFound)?;
    let (input, p) = cmd::input_from_proposal(&state.app, &a.caller(&ctx), a.code, id).await?;
    state
        .store
        .audit_proposal_read(a.code, &p.receipt_number, "partnership-new", &ctx.who())
        .await?;
    let f = PartnershipForm {
        proposal: id.to_string(),
        ..PartnershipForm::of(&input)
    };
    let line = proposal_line(&state, &ctx.tr, &a, &f.proposal).await?;
    render(&state, &ctx, a, None, f, FieldErrors::default(), line).await
}

/// `POST /t/{code}/partnerships/new`: more party rows, the 確認画面, or the partnership.
pub async fn new_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(f): CsrfForm<PartnershipForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let tr = &ctx.tr;
    let line = proposal_line(&state, tr, &a, &f.proposal).await?;
    if !f.add_party.is_empty() || f.confirm == "back" {
        return render(&state, &ctx, a, None, f, FieldErrors::default(), line).await;
    }
    let proposal_id = f.proposal.trim().parse::<i64>().ok();
    let input = f.input();
    let caller = a.caller(&ctx);
    if confirm::confirmed(&f.confirm) {
        return match cmd::create(&state.app, &caller, a.code, &input, proposal_id).await {
            Ok(id) => Ok(Redirect::to(&format!(
                "/t/{}/partnerships/{id}?notice=pships-created",
                a.code
            ))
            .into_response()),
            Err(e) => {
                let list = super::desk_proposal::refused(e)?;
                let errors = field_errors(tr, &list);
                render(&state, &ctx, a, None, f, errors, line).await
            }
        };
    }
    match cmd::check_as(&caller, a.code, &input) {
        Ok(record) => {
            let departments = state.store.departments(a.code).await?;
            let facts = facts(tr, &record, &departments, line.as_deref());
            confirm::render(
                &ctx,
                Confirm {
                    title: tr.t("pships-confirm-title"),
                    subject: record.title.clone(),
                    lead: tr.t("pships-confirm-lead"),
                    facts,
                    action: format!("/t/{}/partnerships/new", a.code),
                    hidden: f.hidden(),
                    confirm_label: tr.t("pships-confirm-submit"),
                    danger: false,
                    back_posts: true,
                    back_href: format!("/t/{}/partnerships/new", a.code),
                },
            )
        }
        Err(e) => {
            let list = super::desk_proposal::refused(e)?;
            let errors = field_errors(tr, &list);
            render(&state, &ctx, a, None, f, errors, line).await
        }
    }
}

fn yes_no(tr: &Tr, v: bool) -> String {
    tr.t(if v { "pships-yes" } else { "pships-no" })
}

/// What the 確認画面 shows.
fn facts(
    tr: &Tr,
    p: &renkei_domain::partnership::Partnership,
    departments: &[Department],
    proposal: Option<&str>,
) -> Vec<(String, String)> {
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| renkei_app::mailer::date_for(tr.lang, d))
            .unwrap_or_else(|| tr.t("pships-none"))
    };
    let mut out = Vec::new();
    if let Some(line) = proposal {
        out.push((tr.t("pships-from-proposal"), line.to_string()));
    }
    out.push((tr.t("pships-form"), tr.t(&p.form.label_key())));
    out.push((tr.t("pships-col-title"), p.title.clone()));
    out.push((tr.t("pships-purpose"), p.purpose.clone()));
    out.push((tr.t("pships-summary"), p.summary.clone()));
    out.push((tr.t("pships-city-role"), p.city_role.clone()));
    out.push((
        tr.t("pships-department"),
        p.department_id
            .and_then(|d| departments.iter().find(|x| x.id == d))
            .map(|d| d.name.clone())
            .unwrap_or_else(|| tr.t("pships-desk-led")),
    ));
    let parties: Vec<String> = p
        .parties
        .iter()
        .map(|x| {
            let mut s = format!("{}（{}", x.name, tr.t(&x.party_type.label_key()));
            if let Some(c) = &x.corporate_number {
                s.push_str(&format!("・{}", c.as_str()));
            }
            s.push('）');
            if !x.role.is_empty() {
                s.push_str(&format!("：{}", x.role));
            }
            s
        })
        .collect();
    out.push((tr.t("pships-parties"), parties.join("\n")));
    out.push((
        tr.t("propose-fields"),
        p.fields
            .iter()
            .map(|f| tr.t(&f.label_key()))
            .collect::<Vec<_>>()
            .join("、"),
    ));
    out.push((tr.t("pships-signed-on"), day(p.signed_on)));
    out.push((tr.t("pships-starts-on"), day(p.starts_on)));
    out.push((tr.t("pships-ends-on"), day(p.ends_on)));
    out.push((tr.t("pships-auto-renew"), yes_no(tr, p.auto_renew)));
    out.push((
        tr.t("pships-fiscal"),
        match &p.fiscal_burden {
            None => tr.t("pships-fiscal-none"),
            Some((amount, why)) => format!(
                "{}\n{why}",
                tr.t1("pships-yen", "amount", &amount.to_string())
            ),
        },
    ));
    out.push((tr.t("pships-published"), yes_no(tr, p.published)));
    out.push((
        tr.t("pships-commercial-note"),
        p.commercial_note
            .clone()
            .unwrap_or_else(|| tr.t("pships-commercial-none")),
    ));
    out
}

async fn managed(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    id: i64,
) -> Result<(TenantAccess, renkei_store::partnerships::PartnershipDetail), WebError> {
    let a = tenant_access(state, ctx, code, Actor::may_read_partnerships).await?;
    let p = cmd::get(&state.app, &a.caller(ctx), a.code, id).await?;
    if !cmd::may_manage(&a.caller(ctx), a.code, &p) {
        return Err(WebError::Forbidden);
    }
    Ok((a, p))
}

/// `GET /t/{code}/partnerships/{id}/edit`: the record as it stands.
pub async fn edit_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    let (a, p) = managed(&state, &ctx, &code, id).await?;
    let f = PartnershipForm {
        basis: renkei_domain::time::to_db_timestamp(p.updated_at),
        ..PartnershipForm::of(&cmd::input_of(&p))
    };
    render(&state, &ctx, a, Some(id), f, FieldErrors::default(), None).await
}

/// `POST /t/{code}/partnerships/{id}/edit`: corrects the record (a reason is required).
pub async fn edit_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<PartnershipForm>,
) -> Result<Response, WebError> {
    let (a, _) = managed(&state, &ctx, &code, id).await?;
    if !f.add_party.is_empty() {
        return render(&state, &ctx, a, Some(id), f, FieldErrors::default(), None).await;
    }
    let input = f.input();
    match cmd::correct(
        &state.app,
        &a.caller(&ctx),
        a.code,
        id,
        &input,
        &f.correction_reason,
        &f.basis,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/partnerships/{id}?notice=pships-corrected",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let list = super::desk_proposal::refused(e)?;
            let errors = field_errors(&ctx.tr, &list);
            render(&state, &ctx, a, Some(id), f, errors, None).await
        }
    }
}
