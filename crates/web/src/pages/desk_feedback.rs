//! The desk moderates beneficiaries' voice (`/t/{code}/desk/feedback`): pending first, each
//! approved (shown on the public page) or rejected, audited; counts per partnership.

use super::{NoticeQuery, html};
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_domain::partnership::FeedbackStatus;
use renkei_store::partnerships::FeedbackCounts;

/// A piece of feedback in words.
struct FeedbackView {
    id: i64,
    partnership_id: i64,
    title: String,
    rating: String,
    comment: String,
    attribute: String,
    status: String,
    pending: bool,
    at: String,
}

#[derive(Template)]
#[template(path = "pages/desk_feedback.html")]
struct FeedbackTemplate {
    base: Base,
    code: String,
    items: Vec<FeedbackView>,
    counts: Vec<FeedbackCounts>,
}

/// The most pieces the page lists.
const LIST_MAX: i64 = 300;

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<impl IntoResponse, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_moderate_feedback).await?;
    let tr = &ctx.tr;
    let items = state
        .store
        .feedback_list(a.code, None, None, LIST_MAX)
        .await?
        .into_iter()
        .map(|f| FeedbackView {
            id: f.id,
            partnership_id: f.partnership_id,
            title: f.partnership_title,
            rating: tr.t1("feedback-rating-value", "rating", &f.rating),
            comment: f.comment,
            attribute: f
                .attribute
                .map(|a| tr.t(&a.label_key()))
                .unwrap_or_default(),
            status: tr.t(&f.status.label_key()),
            pending: f.status == FeedbackStatus::Pending,
            at: renkei_app::mailer::moment_for(tr.lang, f.created_at),
        })
        .collect();
    html(&FeedbackTemplate {
        base: Base::new(&ctx, tr.t("feedback-moderation-title")).with_notice(q.notice.as_deref()),
        counts: state.store.feedback_counts(a.code).await?,
        items,
        code: a.code.to_string(),
    })
}

async fn moderate(
    state: AppState,
    ctx: Ctx,
    code: String,
    id: String,
    status: FeedbackStatus,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_moderate_feedback).await?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    state
        .store
        .feedback_moderate(a.code, id, status, &ctx.who())
        .await?;
    let notice = match status {
        FeedbackStatus::Approved => "feedback-approved",
        _ => "feedback-rejected",
    };
    Ok(Redirect::to(&format!("/t/{}/desk/feedback?notice={notice}", a.code)).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    moderate(state, ctx, code, id, FeedbackStatus::Approved).await
}

pub async fn reject(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    moderate(state, ctx, code, id, FeedbackStatus::Rejected).await
}
