//! Bulk changes from the desk's inbox (`POST /t/{code}/desk/bulk`): the ticked proposals, one
//! action (assign, 聞き取り, 庁内調整, 不採択 with one reason and explanation), a 確認画面 that
//! lists what will change and what is left out, then the change in one transaction. A refusal
//! shows the inbox again with the same proposals ticked.

use super::confirm::{self, Confirm};
use super::desk_inbox::{self, InboxQuery};
use super::desk_proposal::refused;
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::proposals::{self as cmd, BulkInput};
use renkei_domain::Actor;
use renkei_domain::proposal::Transition;
use renkei_store::proposals::BulkChange;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone, Debug)]
pub struct BulkForm {
    /// The ticked receipt numbers (checkboxes: repeated keys).
    #[serde(default)]
    pub receipt: Vec<String>,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub note: String,
    /// The inbox's filters when the desk chose (a query string without `?`), to come back to
    /// the same list.
    #[serde(default)]
    pub filters: String,
    #[serde(default)]
    pub confirm: String,
}

impl BulkForm {
    pub fn ticked(&self, receipt: &str) -> bool {
        self.receipt.iter().any(|r| r == receipt)
    }

    fn input(&self) -> BulkInput {
        BulkInput {
            receipts: self.receipt.clone(),
            action: self.action.clone(),
            assignee: self.assignee.clone(),
            reason: self.reason.clone(),
            explanation: self.explanation.clone(),
            note: self.note.clone(),
        }
    }

    /// The inbox query the desk came from (unknown keys and bad values are ignored, as on the
    /// inbox itself).
    fn query(&self) -> InboxQuery {
        serde_html_form::from_str::<InboxQuery>(&self.filters).unwrap_or_default()
    }
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<BulkForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let by = a.caller(&ctx);
    let input = form.input();
    let query = form.query();
    let back = format!(
        "/t/{}/desk/proposals{}",
        a.code,
        query_string(&form.filters)
    );
    if confirm::confirmed(&form.confirm) {
        return match cmd::bulk_apply(&state.app, &by, a.code, &input).await {
            Ok(_) => {
                let sep = if form.filters.is_empty() { "?" } else { "&" };
                Ok(Redirect::to(&format!("{back}{sep}notice=bulk-done")).into_response())
            }
            Err(e) => refuse(&state, &ctx, a, query, form, e).await,
        };
    }
    let plan = match cmd::bulk_plan(&state.app, &by, a.code, &input).await {
        Ok(p) => p,
        Err(e) => return refuse(&state, &ctx, a, query, form, e).await,
    };
    let tr = &ctx.tr;
    if plan.apply.is_empty() {
        let mut errors = FieldErrors::default();
        errors.add(tr, "receipts", "error-bulk-none-applies");
        return desk_inbox::render(&state, &ctx, a, query, form, errors).await;
    }
    let mut facts = vec![(
        tr.t("bulk-action"),
        tr.t(&format!("bulk-action-{}", form.action.trim())),
    )];
    let mut danger = false;
    match &plan.change {
        BulkChange::Assign(None) => facts.push((tr.t("col-assignee"), tr.t("inbox-unassigned"))),
        BulkChange::Assign(Some(id)) => {
            let name = state
                .store
                .users_in_tenant(&a.tenant.code)
                .await?
                .into_iter()
                .find(|u| u.id == *id)
                .map(|u| u.display_name)
                .unwrap_or_default();
            facts.push((tr.t("col-assignee"), name));
        }
        BulkChange::Move(Transition::Decline {
            reason,
            explanation,
        }) => {
            danger = true;
            facts.push((tr.t("proposal-decline-reason"), tr.t(&reason.label_key())));
            facts.push((
                tr.t("proposal-decline-explanation"),
                explanation.trim().to_string(),
            ));
        }
        BulkChange::Move(_) => {}
    }
    if !form.note.trim().is_empty() {
        facts.push((
            tr.t("proposal-transition-note"),
            form.note.trim().to_string(),
        ));
    }
    facts.push((
        tr.t1("bulk-will-change", "count", &plan.apply.len()),
        list(plan.apply.iter().map(|p| (p, None))),
    ));
    if !plan.skipped.is_empty() {
        facts.push((
            tr.t1("bulk-left-out", "count", &plan.skipped.len()),
            list(plan.skipped.iter().map(|(p, k)| (p, Some(tr.t(k))))),
        ));
    }
    let mut hidden: Vec<(String, String)> = plan
        .apply
        .iter()
        .map(|p| ("receipt".to_string(), p.receipt_number.clone()))
        .collect();
    for (k, v) in [
        ("action", &form.action),
        ("assignee", &form.assignee),
        ("reason", &form.reason),
        ("explanation", &form.explanation),
        ("note", &form.note),
        ("filters", &form.filters),
    ] {
        hidden.push((k.to_string(), v.clone()));
    }
    confirm::render(
        &ctx,
        Confirm {
            title: tr.t1("bulk-confirm-title", "count", &plan.apply.len()),
            subject: tr.t("inbox-title"),
            lead: tr.t(if danger {
                "bulk-confirm-lead-final"
            } else {
                "bulk-confirm-lead"
            }),
            facts,
            action: format!("/t/{}/desk/bulk", a.code),
            hidden,
            confirm_label: tr.t1("bulk-confirm-button", "count", &plan.apply.len()),
            danger,
            back_posts: false,
            back_href: back,
        },
    )
}

/// 「272027-2026-0001 件名」 one per line (and why it is left out).
fn list<'a>(
    items: impl Iterator<Item = (&'a renkei_store::proposals::Proposal, Option<String>)>,
) -> String {
    items
        .map(|(p, why)| match why {
            Some(w) => format!("{} {}（{}）", p.receipt_number, p.title, w),
            None => format!("{} {}", p.receipt_number, p.title),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn query_string(filters: &str) -> String {
    // Only a query string of the inbox's own form comes back: re-encoded from its parsed
    // fields, never echoed.
    let q = serde_html_form::from_str::<InboxQuery>(filters).unwrap_or_default();
    q.filters_query()
}

async fn refuse(
    state: &AppState,
    ctx: &Ctx,
    a: crate::auth::TenantAccess,
    query: InboxQuery,
    form: BulkForm,
    e: renkei_app::CommandError,
) -> Result<Response, WebError> {
    let mut errors = FieldErrors::default();
    for f in refused(e)? {
        errors.add(&ctx.tr, f.field, f.key);
    }
    desk_inbox::render(state, ctx, a, query, form, errors).await
}
