//! The partner registry (`/t/{code}/desk/partners`): organisations de-duplicated by
//! 法人番号 or normalised name, with type-specific strengths and constraints and their
//! history of proposals.

use super::proposal_view::ProposalView;
use super::{confirm, html};
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_store::proposals::Partner;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/partners.html")]
struct PartnersTemplate {
    base: Base,
    tenant: Tenant,
    q: String,
    partners: Vec<(Partner, String)>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let q: String = query.q.chars().take(100).collect();
    let partners = state
        .store
        .partners(a.code, Some(&q))
        .await?
        .into_iter()
        .map(|p| {
            let label = ctx.tr.t(&format!("partner_type-{}", p.partner_type));
            (p, label)
        })
        .collect();
    Ok(html(&PartnersTemplate {
        base: Base::new(&ctx, ctx.tr.t("partners-title")),
        tenant: a.tenant,
        q,
        partners,
    })?
    .into_response())
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
    strengths: String,
    constraints: String,
    errors: FieldErrors,
    /// The other partners this one could absorb (id, name), in the registry's order.
    others: Vec<(i64, String)>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    id: i64,
    notice: Option<&str>,
    typed: Option<(String, String)>,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let a = tenant_access(state, ctx, code, Actor::may_handle_proposals).await?;
    let partner = state.store.partner(a.code, id).await?;
    let proposals = state.store.partner_proposals(a.code, id).await?;
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
    let (strengths, constraints) =
        typed.unwrap_or_else(|| (partner.strengths.clone(), partner.constraints.clone()));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&PartnerTemplate {
        base: Base::new(ctx, partner.name.clone()).with_notice(notice),
        type_label: tr.t(&format!("partner_type-{}", partner.partner_type)),
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
        strengths,
        constraints,
        errors,
    })?;
    Ok((status, page).into_response())
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
        None,
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct PartnerForm {
    #[serde(default)]
    strengths: String,
    #[serde(default)]
    constraints: String,
}

pub async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<PartnerForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let mut errors = FieldErrors::default();
    use renkei_domain::proposal::rules::{PARTNER_CONSTRAINTS, PARTNER_STRENGTHS};
    for (rule, v) in [
        (PARTNER_STRENGTHS, &form.strengths),
        (PARTNER_CONSTRAINTS, &form.constraints),
    ] {
        if let Err(e) = rule.parse(v) {
            errors.add(&ctx.tr, e.field, e.key);
        }
    }
    if !errors.is_empty() {
        return render(
            &state,
            &ctx,
            &code,
            id,
            None,
            Some((form.strengths, form.constraints)),
            errors,
        )
        .await;
    }
    state
        .store
        .partner_update(a.code, id, &form.strengths, &form.constraints, &ctx.who())
        .await?;
    Ok(Redirect::to(&format!(
        "/t/{}/desk/partners/{id}?notice=partner-saved",
        a.code
    ))
    .into_response())
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
        render(&state, &ctx, &code, id, None, None, errors)
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
