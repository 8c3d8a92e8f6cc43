//! Correcting a proposal's record (訂正): `/t/{code}/desk/proposals/{receipt}/correct`, the
//! desk only. The form shows every correctable field as it stands; what the officer changes is
//! checked by the intake's own rules and written with a required reason, each change leaving
//! its old and new value in the timeline and the audit trail (`app::proposals::correct`).
//! A refusal shows the form again with what was typed (422) and writes nothing. Not for a
//! withdrawn proposal.

use super::html;
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::proposals::{self as cmd, CorrectionInput};
use renkei_domain::Actor;
use renkei_domain::proposal::CorrectionField;
use renkei_store::proposals::{Proposal, correctable, correction_basis};
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// One field of the form.
pub struct FieldRow {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub many: bool,
    pub required: bool,
    pub hint: Option<String>,
}

/// An error in the summary at the top: the field's label and the message, linked to the field.
pub struct SummaryRow {
    pub href: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "pages/desk_correct.html")]
struct CorrectTemplate {
    base: Base,
    tenant: Tenant,
    receipt: String,
    title: String,
    withdrawn: bool,
    fields: Vec<FieldRow>,
    reason: String,
    basis: String,
    errors: FieldErrors,
    summary: Vec<SummaryRow>,
}

/// The form as posted: every correctable field, the reason and the record's fingerprint.
#[derive(Deserialize, Default)]
pub struct CorrectForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    expected_effects: String,
    #[serde(default)]
    fiscal_explanation: String,
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    org_address: String,
    #[serde(default)]
    contact_name: String,
    #[serde(default)]
    contact_department: String,
    #[serde(default)]
    contact_title: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    correction_reason: String,
    #[serde(default)]
    basis: String,
}

impl CorrectForm {
    fn value(&self, f: CorrectionField) -> &str {
        match f {
            CorrectionField::Title => &self.title,
            CorrectionField::Summary => &self.summary,
            CorrectionField::Details => &self.details,
            CorrectionField::ExpectedEffects => &self.expected_effects,
            CorrectionField::FiscalExplanation => &self.fiscal_explanation,
            CorrectionField::OrgName => &self.org_name,
            CorrectionField::OrgAddress => &self.org_address,
            CorrectionField::ContactName => &self.contact_name,
            CorrectionField::ContactDepartment => &self.contact_department,
            CorrectionField::ContactTitle => &self.contact_title,
            CorrectionField::Email => &self.email,
            CorrectionField::Phone => &self.phone,
        }
    }

    /// The form showing the record as it stands.
    fn of(p: &Proposal) -> Self {
        let mut f = Self {
            basis: correction_basis(p),
            ..Self::default()
        };
        for field in CorrectionField::ALL {
            let v = correctable(p, *field).to_string();
            match field {
                CorrectionField::Title => f.title = v,
                CorrectionField::Summary => f.summary = v,
                CorrectionField::Details => f.details = v,
                CorrectionField::ExpectedEffects => f.expected_effects = v,
                CorrectionField::FiscalExplanation => f.fiscal_explanation = v,
                CorrectionField::OrgName => f.org_name = v,
                CorrectionField::OrgAddress => f.org_address = v,
                CorrectionField::ContactName => f.contact_name = v,
                CorrectionField::ContactDepartment => f.contact_department = v,
                CorrectionField::ContactTitle => f.contact_title = v,
                CorrectionField::Email => f.email = v,
                CorrectionField::Phone => f.phone = v,
            }
        }
        f
    }

    fn input(&self) -> CorrectionInput {
        CorrectionInput {
            values: CorrectionField::ALL
                .iter()
                .map(|f| (*f, self.value(*f).to_string()))
                .collect(),
            reason: self.correction_reason.clone(),
            basis: self.basis.clone(),
        }
    }
}

/// The fields this proposal has (財政負担の内容 only where the proponent declared a cost).
fn shown_fields(p: &Proposal) -> impl Iterator<Item = CorrectionField> + '_ {
    CorrectionField::ALL
        .iter()
        .copied()
        .filter(|f| *f != CorrectionField::FiscalExplanation || p.fiscal_burden)
}

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, Actor::may_handle_proposals).await
}

fn render(
    ctx: &Ctx,
    a: TenantAccess,
    p: &Proposal,
    form: &CorrectForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let fields: Vec<FieldRow> = shown_fields(p)
        .map(|f| FieldRow {
            name: f.code(),
            label: tr.t(f.form_label_key()),
            value: form.value(f).to_string(),
            many: f.many_lines(),
            required: matches!(
                f,
                CorrectionField::Title
                    | CorrectionField::Summary
                    | CorrectionField::OrgName
                    | CorrectionField::ContactName
                    | CorrectionField::Email
                    | CorrectionField::FiscalExplanation
            ),
            hint: (f == CorrectionField::OrgName).then(|| tr.t("correct-org-hint")),
        })
        .collect();
    // The summary in the form's order, each linked to its field.
    let mut summary: Vec<SummaryRow> = Vec::new();
    if let Some(e) = errors.get("form") {
        summary.push(SummaryRow {
            href: String::new(),
            text: e.clone(),
        });
    }
    for f in &fields {
        if let Some(e) = errors.get(f.name) {
            summary.push(SummaryRow {
                href: format!("#{}", f.name),
                text: format!("{}：{e}", f.label),
            });
        }
    }
    if let Some(e) = errors.get("correction_reason") {
        summary.push(SummaryRow {
            href: "#correction_reason".into(),
            text: format!("{}：{e}", tr.t("correct-reason")),
        });
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&CorrectTemplate {
        base: Base::new(ctx, tr.t("correct-title")),
        tenant: a.tenant,
        receipt: p.receipt_number.clone(),
        title: p.title.clone(),
        withdrawn: p.status() == renkei_domain::proposal::Status::Withdrawn,
        fields,
        reason: form.correction_reason.clone(),
        basis: form.basis.clone(),
        errors,
        summary,
    })?;
    Ok((status, page).into_response())
}

/// `GET …/correct`: the form with the record as it stands (a read of the proposal: audited).
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let p = state.store.proposal(a.code, &receipt).await?;
    state
        .store
        .audit_proposal_read(a.code, &p.receipt_number, "correct", &ctx.who())
        .await?;
    let form = CorrectForm::of(&p);
    render(&ctx, a, &p, &form, FieldErrors::default())
}

/// `POST …/correct`: corrects, then back to the proposal with 「記録を訂正しました」.
pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<CorrectForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    match cmd::correct(&state.app, &a.caller(&ctx), a.code, &receipt, &form.input()).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/desk/proposals/{receipt}?notice=corrected",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let fields = super::desk_proposal::refused(e)?;
            let mut errors = FieldErrors::default();
            for f in &fields {
                errors.add(&ctx.tr, f.field, f.key);
            }
            let p = state.store.proposal(a.code, &receipt).await?;
            // The record changed meanwhile: the form shows it as it is now (the reason kept),
            // so nobody writes another officer's correction back by accident.
            let form = if fields.iter().any(|f| f.key == "error-correction-stale") {
                CorrectForm {
                    correction_reason: form.correction_reason,
                    ..CorrectForm::of(&p)
                }
            } else {
                form
            };
            render(&ctx, a, &p, &form, errors)
        }
    }
}
