//! A proposal as a department sees it after it was routed there
//! (`/t/{code}/department/proposals/{receipt}`), and the answer to the routing request.

use super::html;
use super::proposal_view::{
    self, AttachmentView, Choice, ProposalView, Questions, RoutingView, choices,
};
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::proposals::{self as cmd, AnswerInput};
use renkei_domain::Actor;
use renkei_domain::proposal::Answer;
use renkei_store::StoreError;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/department_proposal.html")]
struct DepartmentProposalTemplate {
    base: Base,
    tenant: Tenant,
    v: ProposalView,
    attachments: Vec<AttachmentView>,
    /// Routings to the viewer's departments (answerable here).
    mine: Vec<RoutingView>,
    /// Their questions to the desk (照会) and its replies, under each routing.
    questions: Questions,
    answers: Vec<Choice>,
    errors: FieldErrors,
    typed: Typed,
}

/// What was typed into one of the page's forms, kept when it is refused.
#[derive(Default)]
struct Typed {
    /// The routing whose form it was.
    routing_id: i64,
    comment: String,
    desk_question: String,
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    notice: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    receipt: &str,
    notice: Option<&str>,
    typed: Typed,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let a = tenant_access(state, ctx, code, Actor::may_enter_department_area).await?;
    let p = match state.store.proposal(a.code, receipt).await {
        Ok(p) => p,
        // Not telling whether a proposal that was not routed here exists.
        Err(StoreError::NotFound) => return Err(WebError::Forbidden),
        Err(e) => return Err(e.into()),
    };
    let routed = state.store.routed_department_ids(p.id).await?;
    if !a.actor.may_read_routed_proposal(a.code, &routed) {
        return Err(WebError::Forbidden);
    }
    state
        .store
        .audit_proposal_read(a.code, &p.receipt_number, "department", &ctx.who())
        .await?;
    let tr = &ctx.tr;
    let mine = proposal_view::routings(
        tr,
        state
            .store
            .routings(p.id)
            .await?
            .into_iter()
            .filter(|r| a.actor.departments.contains(&r.department_id))
            .collect(),
        state.store.today(),
    );
    let questions = Questions(proposal_view::questions(
        tr,
        state
            .store
            .routing_questions(p.id)
            .await?
            .into_iter()
            .filter(|q| a.actor.departments.contains(&q.department_id))
            .collect(),
    ));
    let attachments = proposal_view::attachments(tr, state.store.attachments(p.id).await?);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&DepartmentProposalTemplate {
        base: Base::new(ctx, p.title.clone()).with_notice(notice),
        answers: choices(tr, Answer::ALL, Answer::code, Answer::label_key, &[]),
        v: ProposalView::new(tr, p, state.store.today()),
        tenant: a.tenant,
        attachments,
        mine,
        questions,
        errors,
        typed,
    })?;
    Ok((status, page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, WebError> {
    render(
        &state,
        &ctx,
        &code,
        &receipt,
        q.notice.as_deref(),
        Typed::default(),
        FieldErrors::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    comment: String,
}

/// `POST /t/{code}/department/routings/{id}/answer`
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, routing_id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_enter_department_area).await?;
    let (proposal_id, department) = match state.store.routing_department(a.code, routing_id).await {
        Ok(x) => x,
        Err(StoreError::NotFound) => return Err(WebError::Forbidden),
        Err(e) => return Err(e.into()),
    };
    if !a.actor.may_answer_routing(a.code, department) {
        return Err(WebError::Forbidden);
    }
    let p = state.store.proposal_by_id(a.code, proposal_id).await?;
    let input = AnswerInput {
        answer: form.answer.clone(),
        comment: form.comment.clone(),
    };
    let mut errors = FieldErrors::default();
    match cmd::answer(&state.app, &a.caller(&ctx), a.code, routing_id, &input).await {
        Ok(_) => {
            return Ok(Redirect::to(&format!(
                "/t/{}/department/proposals/{}?notice=answer-sent",
                a.code, p.receipt_number
            ))
            .into_response());
        }
        Err(e) => {
            for f in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
        }
    }
    render(
        &state,
        &ctx,
        &code,
        &p.receipt_number,
        None,
        Typed {
            routing_id,
            comment: form.comment,
            desk_question: String::new(),
        },
        errors,
    )
    .await
}

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    desk_question: String,
}

/// `POST /t/{code}/department/routings/{id}/questions`: a question back to the desk (照会)
/// instead of an answer; the routing stays pending.
pub async fn ask(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, routing_id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_enter_department_area).await?;
    let (proposal_id, department) = match state.store.routing_department(a.code, routing_id).await {
        Ok(x) => x,
        Err(StoreError::NotFound) => return Err(WebError::Forbidden),
        Err(e) => return Err(e.into()),
    };
    if !a.actor.may_ask_desk(a.code, department) {
        return Err(WebError::Forbidden);
    }
    let p = state.store.proposal_by_id(a.code, proposal_id).await?;
    let mut errors = FieldErrors::default();
    match cmd::ask_desk(
        &state.app,
        &a.caller(&ctx),
        a.code,
        routing_id,
        &form.desk_question,
    )
    .await
    {
        Ok(_) => {
            return Ok(Redirect::to(&format!(
                "/t/{}/department/proposals/{}?notice=question-sent",
                a.code, p.receipt_number
            ))
            .into_response());
        }
        Err(e) => {
            for f in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
        }
    }
    render(
        &state,
        &ctx,
        &code,
        &p.receipt_number,
        None,
        Typed {
            routing_id,
            comment: String::new(),
            desk_question: form.desk_question,
        },
        errors,
    )
    .await
}
