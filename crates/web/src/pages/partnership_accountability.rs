//! The accountability record (説明責任の記録) of a partnership,
//! `/t/{code}/partnerships/{id}/accountability`, for the tenant's staff: assembled from what
//! the system knows — form, route, the originating proposal's path through the desk
//! (receipt, first response, hearings, routings, decision), the fiscal-burden check and, where
//! the partner gains commercially, the line between business and social contribution —
//! under the four elements of 協働. A4 print layout. [`public_record`] is the part the public
//! page of a published partnership shows (no proposal content, no staff names).

use super::html;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_app::mailer::{date_for, moment_for};
use renkei_domain::Actor;
use renkei_domain::proposal::{PartnerType, Status};
use renkei_store::StoreError;
use renkei_store::partnerships::{OpenCallFacts, PartnershipDetail};

/// The public part of the record: how it came about, the fiscal-burden check, the commercial
/// note.
pub struct PublicRecord {
    pub route: String,
    pub origin: String,
    pub fiscal: String,
    pub fiscal_justification: String,
    pub commercial: bool,
    pub commercial_note: String,
    /// A commercial partnership without its note: 「記載がありません」.
    pub commercial_missing: bool,
    pub open_call: Option<OpenCallFacts>,
}

/// Yen with thousands separators (1,234,000円 / ¥1,234,000).
pub fn yen(tr: &Tr, amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    tr.t1("accountability-yen", "amount", &out)
}

/// Where the partner gains commercially: a note was recorded, or a company is a party.
fn is_commercial(p: &PartnershipDetail) -> bool {
    p.commercial_note.is_some()
        || p.parties
            .iter()
            .any(|x| matches!(x.party_type, PartnerType::Company))
}

pub fn public_record(tr: &Tr, p: &PartnershipDetail, call: Option<OpenCallFacts>) -> PublicRecord {
    let (route, origin) = match (p.route, p.proposal_id) {
        (Some(r), Some(_)) => (
            tr.t(&format!("route-{r}")),
            tr.t(&format!("accountability-origin-{r}")),
        ),
        _ => (
            tr.t("accountability-route-direct"),
            tr.t("accountability-origin-direct"),
        ),
    };
    let (fiscal, fiscal_justification) = match p.fiscal_amount {
        Some(a) => (
            tr.t1("accountability-fiscal-some", "amount", &yen(tr, a)),
            p.fiscal_justification.clone(),
        ),
        None => (tr.t("accountability-fiscal-none"), String::new()),
    };
    let note = p
        .commercial_note
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    let commercial = is_commercial(p);
    PublicRecord {
        route,
        origin,
        fiscal,
        fiscal_justification,
        commercial,
        commercial_missing: commercial && note.is_empty(),
        commercial_note: note,
        open_call: call,
    }
}

/// A line of the path through the desk.
struct Step {
    label: String,
    text: String,
}

#[derive(Template)]
#[template(path = "pages/partnership_accountability.html")]
struct AccountabilityTemplate {
    base: Base,
    code: String,
    tenant_name: String,
    printed_on: String,
    p: PartnershipDetail,
    form: String,
    status: String,
    fields: String,
    dates: Vec<(String, String)>,
    parties: Vec<(String, String, String)>,
    record: PublicRecord,
    /// The originating proposal's receipt number, when there is one.
    receipt: Option<String>,
    /// Whether the receipt links to the desk's proposal page (desk staff only: the page is
    /// refused to everyone else).
    receipt_link: bool,
    steps: Vec<Step>,
    hearings: Vec<String>,
    routings: Vec<String>,
    reviews: Vec<String>,
    is_theme: bool,
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, String)>,
) -> Result<impl IntoResponse, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_read_partnerships).await?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let p = match state.store.partnership(a.code, id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let tr = &ctx.tr;
    let lang = tr.lang;
    let mut steps = Vec::new();
    let mut hearings = Vec::new();
    let mut routings = Vec::new();
    let mut call = None;
    let mut receipt = None;
    if let Some(pid) = p.proposal_id {
        let proposal = state.store.proposal_by_id(a.code, pid).await?;
        state
            .store
            .audit_proposal_read(
                a.code,
                &proposal.receipt_number,
                "accountability",
                &ctx.who(),
            )
            .await?;
        call = state.store.open_call_of_proposal(a.code, pid).await?;
        steps.push(Step {
            label: tr.t("accountability-received"),
            text: date_for(lang, proposal.received_on),
        });
        steps.push(Step {
            label: tr.t("accountability-first-response"),
            text: proposal
                .first_responded_at
                .map(|t| moment_for(lang, t))
                .unwrap_or_else(|| tr.t("accountability-not-recorded")),
        });
        let events = state.store.proposal_events(pid, false).await?;
        let decided = events
            .iter()
            .rev()
            .find(|e| e.to_status == Some(Status::Decided))
            .map(|e| moment_for(lang, e.at));
        steps.push(Step {
            label: tr.t("accountability-decided"),
            text: decided.unwrap_or_else(|| tr.t("accountability-not-recorded")),
        });
        steps.push(Step {
            label: tr.t("accountability-justification"),
            text: proposal
                .fiscal_justification
                .clone()
                .filter(|j| !j.trim().is_empty())
                .unwrap_or_else(|| tr.t("accountability-justification-none")),
        });
        hearings = state
            .store
            .hearings(pid)
            .await?
            .into_iter()
            .map(|h| {
                format!(
                    "{}（{}）",
                    date_for(lang, h.held_on),
                    tr.t(&h.channel.label_key())
                )
            })
            .collect();
        routings = state
            .store
            .routings(pid)
            .await?
            .into_iter()
            .map(|r| {
                let answer = match (r.answer, r.answered_at) {
                    (Some(ans), Some(at)) => format!(
                        "{}（{}）",
                        tr.t(&ans.label_key()),
                        date_for(lang, renkei_domain::time::jst_date(at))
                    ),
                    _ => tr.t("routing-waiting"),
                };
                format!("{}：{}", r.department_name, answer)
            })
            .collect();
        receipt = Some(proposal.receipt_number);
    }
    let reviews = state
        .store
        .partnership_review_briefs(a.code, id)
        .await?
        .into_iter()
        .map(|r| {
            let view = if r.partner_view.trim().is_empty() {
                tr.t("accountability-not-recorded")
            } else {
                r.partner_view
            };
            format!(
                "{}（{}・{}）：{}",
                tr.t1("accountability-fiscal-year", "year", &r.fiscal_year),
                tr.t(&r.decision.label_key()),
                date_for(lang, r.reviewed_on),
                view
            )
        })
        .collect();
    let s = &p.summary;
    let mut dates = Vec::new();
    for (key, d) in [
        ("accountability-signed-on", s.signed_on),
        ("accountability-starts-on", s.starts_on),
        ("accountability-ends-on", s.ends_on),
    ] {
        if let Some(d) = d {
            dates.push((tr.t(key), date_for(lang, d)));
        }
    }
    let parties = p
        .parties
        .iter()
        .map(|x| {
            (
                x.name.clone(),
                tr.t(&x.party_type.label_key()),
                x.role.clone(),
            )
        })
        .collect();
    let is_theme = p.route.is_some_and(|r| r.code() == "theme");
    let record = public_record(tr, &p, call);
    html(&AccountabilityTemplate {
        base: Base::new(&ctx, tr.t("accountability-title")),
        code: a.code.to_string(),
        tenant_name: a.tenant.full_name(),
        printed_on: date_for(lang, state.store.today()),
        form: tr.t(&s.form.label_key()),
        status: tr.t(&s.status.label_key()),
        fields: s
            .fields
            .iter()
            .map(|f| tr.t(&f.label_key()))
            .collect::<Vec<_>>()
            .join("、"),
        dates,
        parties,
        record,
        receipt,
        receipt_link: a.actor.may_handle_proposals(a.code),
        steps,
        hearings,
        routings,
        reviews,
        is_theme,
        p,
    })
}
