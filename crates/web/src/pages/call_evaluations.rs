//! An evaluator's pages (審査): `/t/{code}/evaluations` lists the calls a staff member is
//! assigned to; `/t/{code}/evaluations/{id}` one call with its answers and the evaluator's own
//! sheets; `/t/{code}/evaluations/{id}/answers/{proposal_id}` one answer, read only (for the
//! desk, the call's department and its evaluators; every read audited), with the evaluator's
//! scoring form and the declaration of a conflict of interest.

use super::html;
use super::open_calls::{CallView, call_view, score_text};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::open_calls as cmd;
use renkei_domain::Actor;
use renkei_domain::open_call::{CallStatus, SCORE_MAX, SCORE_MIN};
use renkei_store::proposals::Proposal;
use serde::Deserialize;

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, Actor::may_enter_staff_area).await
}

#[derive(Template)]
#[template(path = "pages/evaluations.html")]
struct ListTemplate {
    base: Base,
    code: String,
    calls: Vec<CallView>,
}

/// `GET /t/{code}/evaluations`
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let calls = cmd::my_evaluations(&state.app, &a.caller(&ctx), a.code)
        .await?
        .into_iter()
        .map(|c| call_view(&ctx.tr, c))
        .collect();
    Ok(html(&ListTemplate {
        base: Base::new(&ctx, ctx.tr.t("evaluations-title")),
        code: a.tenant.code.clone(),
        calls,
    })?
    .into_response())
}

/// An answer in the evaluator's list, with where their sheet stands.
pub struct MyAnswer {
    pub id: i64,
    pub receipt: String,
    pub title: String,
    pub org: String,
    pub mine: String,
}

#[derive(Template)]
#[template(path = "pages/evaluation_call.html")]
struct CallTemplate {
    base: Base,
    code: String,
    call: CallView,
    criteria: Vec<(String, i64)>,
    answers: Vec<MyAnswer>,
    scoring_open: bool,
}

/// `GET /t/{code}/evaluations/{id}`
pub async fn call(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<super::NoticeQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let by = a.caller(&ctx);
    let tr = &ctx.tr;
    let d = cmd::get(&state.app, &by, a.code, id).await?;
    if !a.actor.may_evaluate_call(a.code, &d.evaluator_ids()) {
        return Err(WebError::NotFound);
    }
    let (d, answers) = cmd::answers(&state.app, &by, a.code, id).await?;
    let sheets = cmd::my_sheets(&state.app, &by, a.code, id).await?;
    let answers = answers
        .iter()
        .map(|p| {
            let mine = sheets
                .iter()
                .find(|s| s.proposal_id == p.id)
                .and_then(|s| s.sheets.first())
                .map(|e| match (&e.conflict, e.total) {
                    (Some(_), _) => tr.t("call-sheet-conflict"),
                    (None, Some(t)) => tr.t1("evaluation-scored", "total", &score_text(Some(t))),
                    (None, None) => tr.t("call-sheet-unscored"),
                })
                .unwrap_or_default();
            MyAnswer {
                id: p.id,
                receipt: p.receipt_number.clone(),
                title: p.title.clone(),
                org: p.org_name.clone(),
                mine,
            }
        })
        .collect();
    Ok(html(&CallTemplate {
        base: Base::new(&ctx, d.call.title.clone()).with_notice(q.notice.as_deref()),
        code: a.tenant.code.clone(),
        criteria: d
            .criteria
            .iter()
            .map(|k| (k.name.clone(), k.weight))
            .collect(),
        scoring_open: d.call.status == CallStatus::Closed,
        call: call_view(tr, d.call),
        answers,
    })?
    .into_response())
}

/// A criterion on the scoring form, with the score given.
pub struct ScoreField {
    pub id: i64,
    pub name: String,
    pub weight: i64,
    pub chosen: String,
}

#[derive(Template)]
#[template(path = "pages/call_answer.html")]
struct AnswerTemplate {
    base: Base,
    code: String,
    call_id: i64,
    call_title: String,
    p: Proposal,
    fields: String,
    back: String,
    /// The caller evaluates this call.
    evaluator: bool,
    /// Scoring is possible now (closed, not decided).
    scoring_open: bool,
    /// The caller's declared conflict on this answer, with its reason.
    conflict: Option<String>,
    scores: Vec<ScoreField>,
    options: Vec<i64>,
    comment: String,
    reason: String,
    errors: FieldErrors,
}

#[derive(Default)]
struct Typed {
    scores: Vec<(String, String)>,
    comment: Option<String>,
    reason: String,
    notice: Option<String>,
}

async fn render_answer(
    state: &AppState,
    ctx: &Ctx,
    a: &TenantAccess,
    id: i64,
    proposal_id: i64,
    typed: Typed,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let by = a.caller(ctx);
    let (d, p) = cmd::answer(&state.app, &by, a.code, id, proposal_id).await?;
    let evaluator = a.actor.may_evaluate_call(a.code, &d.evaluator_ids());
    let mine = if evaluator {
        cmd::my_sheets(&state.app, &by, a.code, id)
            .await?
            .into_iter()
            .find(|s| s.proposal_id == proposal_id)
            .and_then(|s| s.sheets.into_iter().next())
    } else {
        None
    };
    let scores = d
        .criteria
        .iter()
        .enumerate()
        .map(|(i, k)| ScoreField {
            id: k.id,
            name: k.name.clone(),
            weight: k.weight,
            chosen: typed
                .scores
                .iter()
                .find(|(c, _)| *c == k.id.to_string())
                .map(|(_, v)| v.clone())
                .or_else(|| {
                    mine.as_ref()
                        .and_then(|m| m.scores.get(i).copied().flatten())
                        .map(|v| v.to_string())
                })
                .unwrap_or_default(),
        })
        .collect();
    let sep = if tr.lang == renkei_domain::Lang::En {
        ", "
    } else {
        "、"
    };
    let back = if a.actor.may_run_calls(a.code) {
        format!("/t/{}/desk/calls/{id}", a.code)
    } else if evaluator {
        format!("/t/{}/evaluations/{id}", a.code)
    } else {
        format!("/t/{}/department/calls/{id}", a.code)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&AnswerTemplate {
        base: Base::new(ctx, p.title.clone()).with_notice(typed.notice.as_deref()),
        code: a.tenant.code.clone(),
        call_id: id,
        call_title: d.call.title.clone(),
        fields: p
            .fields
            .iter()
            .map(|f| tr.t(&f.label_key()))
            .collect::<Vec<_>>()
            .join(sep),
        back,
        evaluator,
        scoring_open: d.call.status == CallStatus::Closed,
        conflict: mine.as_ref().and_then(|m| m.conflict.clone()),
        comment: typed
            .comment
            .or_else(|| mine.as_ref().map(|m| m.comment.clone()))
            .unwrap_or_default(),
        scores,
        options: (SCORE_MIN..=SCORE_MAX).collect(),
        reason: typed.reason,
        errors,
        p,
    })?;
    Ok((status, page).into_response())
}

/// `GET /t/{code}/evaluations/{id}/answers/{proposal_id}`
pub async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, proposal_id)): Path<(String, i64, i64)>,
    Query(q): Query<super::NoticeQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let typed = Typed {
        notice: q.notice,
        ..Typed::default()
    };
    render_answer(
        &state,
        &ctx,
        &a,
        id,
        proposal_id,
        typed,
        FieldErrors::default(),
    )
    .await
}

fn refused(ctx: &Ctx, e: renkei_app::CommandError) -> Result<FieldErrors, WebError> {
    let mut errors = FieldErrors::default();
    for f in super::desk_proposal::refused(e)? {
        errors.add(&ctx.tr, f.field, f.key);
    }
    Ok(errors)
}

#[derive(Deserialize, Default)]
pub struct ScoreForm {
    #[serde(default)]
    criterion: Vec<String>,
    #[serde(default)]
    score: Vec<String>,
    #[serde(default)]
    comment: String,
}

/// `POST /t/{code}/evaluations/{id}/answers/{proposal_id}/scores`: the evaluator's scores
/// for this answer, every criterion at once.
pub async fn score(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, proposal_id)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<ScoreForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let input = cmd::ScoreInput {
        scores: form
            .criterion
            .iter()
            .zip(form.score.iter())
            .take(renkei_domain::open_call::MAX_CRITERIA)
            .map(|(c, s)| (c.clone(), s.clone()))
            .collect(),
        comment: form.comment.clone(),
    };
    match cmd::score(&state.app, &a.caller(&ctx), a.code, id, proposal_id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/evaluations/{id}?notice=call-scored",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            let typed = Typed {
                scores: input.scores,
                comment: Some(form.comment),
                ..Typed::default()
            };
            render_answer(&state, &ctx, &a, id, proposal_id, typed, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ConflictForm {
    #[serde(default)]
    reason: String,
}

/// `POST /t/{code}/evaluations/{id}/answers/{proposal_id}/conflict`: the evaluator declares
/// a conflict of interest (利益相反) and will not score this answer.
pub async fn conflict(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, proposal_id)): Path<(String, i64, i64)>,
    CsrfForm(form): CsrfForm<ConflictForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    match cmd::declare_conflict(
        &state.app,
        &a.caller(&ctx),
        a.code,
        id,
        proposal_id,
        &form.reason,
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/evaluations/{id}/answers/{proposal_id}?notice=call-conflict-declared",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            let typed = Typed {
                reason: form.reason,
                ..Typed::default()
            };
            render_answer(&state, &ctx, &a, id, proposal_id, typed, errors).await
        }
    }
}
