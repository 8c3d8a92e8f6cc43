//! The public case page (連携事例), `/t/{code}/cases/{id}`: what the partnership is (summary,
//! parties, form, fields, dates), its activities, its outcome indicators per fiscal year,
//! beneficiaries' voice (受益者の声: the approved feedback with its summary, and the feedback
//! form), the public part of its accountability record, and the same partner's and similar
//! cases in other local governments. Only a case (published, signed or ended:
//! `renkei_store::cases`) has a page; anything else — unpublished, unknown, another tenant's
//! id under this code — answers the same 404. The old address
//! `/t/{code}/partnerships/{id}/public` answers 301 to it; the feedback form still posts
//! there and lands back on the case page. Submissions are held for the desk's moderation and
//! limited per client ([`FEEDBACK_PER_HOUR`]).

use super::cases::{HitView, hit_view};
use super::html;
use super::partnership_accountability::{PublicRecord, public_record};
use super::partnership_page::{number, rate, year_label};
use crate::auth::{CsrfForm, Ctx, known_tenant};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::mailer::date_for;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{Feedback, FeedbackAttribute, FeedbackInput, FeedbackStatus};
use renkei_store::StoreError;
use renkei_store::partnerships::{NewFeedback, PartnershipDetail};
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// Submissions one client may send to one local government in an hour.
pub const FEEDBACK_PER_HOUR: i64 = 5;
/// Approved feedback the page lists (newest first).
const SHOWN_MAX: i64 = 100;
/// Activities the page lists (latest first).
const ACTIVITIES_MAX: i64 = 50;
/// Cases each related list shows.
const RELATED_MAX: i64 = 10;

struct ActivityView {
    day: String,
    title: String,
    description: String,
    people: String,
}

struct IndicatorView {
    name: String,
    unit: String,
    /// (fiscal year label, target, actual, rate)
    rows: Vec<(String, String, String, String)>,
}

#[derive(Deserialize, Default, Clone)]
pub struct FeedbackForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    attribute: String,
}

struct FeedbackView {
    rating: String,
    comment: String,
    attribute: String,
    day: String,
}

#[derive(Template)]
#[template(path = "pages/partnership_public.html")]
struct PublicTemplate {
    base: Base,
    tenant: Tenant,
    p: PartnershipDetail,
    form_label: String,
    parties: String,
    fields: String,
    dates: Vec<(String, String)>,
    record: PublicRecord,
    count_line: String,
    average: String,
    /// (rating, count) from 5 down to 1.
    distribution: Vec<(i64, i64)>,
    feedback: Vec<FeedbackView>,
    form: FeedbackForm,
    errors: FieldErrors,
    attributes: Vec<(String, String)>,
    sent: bool,
    status_label: String,
    activities: Vec<ActivityView>,
    indicators: Vec<IndicatorView>,
    same_partner: Vec<HitView>,
    similar: Vec<HitView>,
}

impl PublicTemplate {
    fn rating_is(&self, n: &i64) -> bool {
        self.form.rating.trim() == n.to_string()
    }
    fn attribute_is(&self, v: &str) -> bool {
        self.form.attribute == v
    }
}

/// A case of the tenant (a published partnership, signed or ended), or 404 (the same for
/// unpublished, preparing, cancelled, unknown and another tenant's).
async fn published(
    state: &AppState,
    code: &str,
    id: &str,
) -> Result<(Tenant, TenantCode, PartnershipDetail), WebError> {
    let (tenant, code) = known_tenant(state, code).await?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    match state.store.case(code, id).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    }
    match state.store.partnership(code, id).await {
        Ok(p) if p.summary.published => Ok((tenant, code, p)),
        Ok(_) | Err(StoreError::NotFound) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    (tenant, code, p): (Tenant, TenantCode, PartnershipDetail),
    form: FeedbackForm,
    errors: FieldErrors,
    status: StatusCode,
    sent: bool,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let lang = tr.lang;
    let id = p.summary.id;
    let summary = state.store.feedback_summary(code, id).await?;
    let feedback = state
        .store
        .feedback_list(code, Some(id), Some(FeedbackStatus::Approved), SHOWN_MAX)
        .await?
        .into_iter()
        .map(|f| FeedbackView {
            rating: tr.t1("feedback-rating-value", "rating", &f.rating),
            comment: f.comment,
            attribute: f
                .attribute
                .map(|a| tr.t(&a.label_key()))
                .unwrap_or_default(),
            day: date_for(lang, renkei_domain::time::jst_date(f.created_at)),
        })
        .collect();
    let call = match p.proposal_id {
        Some(pid) => state.store.open_call_of_proposal(code, pid).await?,
        None => None,
    };
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
    let activities = state
        .store
        .activities(code, id, ACTIVITIES_MAX)
        .await?
        .into_iter()
        .map(|a| ActivityView {
            day: date_for(lang, a.done_on),
            title: a.title,
            description: a.description,
            people: a
                .people
                .map(|n| tr.t1("cases-people", "count", &n))
                .unwrap_or_default(),
        })
        .collect();
    let indicators = state
        .store
        .indicators(code, id)
        .await?
        .into_iter()
        .map(|i| IndicatorView {
            rows: i
                .values
                .iter()
                .map(|v| {
                    (
                        year_label(tr, v.fiscal_year),
                        number(v.target),
                        number(v.actual),
                        rate(v.target, v.actual),
                    )
                })
                .collect(),
            name: i.name,
            unit: i.unit,
        })
        .collect();
    let same_partner = state
        .store
        .cases_same_partner(id, RELATED_MAX)
        .await?
        .iter()
        .map(|h| hit_view(tr, h))
        .collect();
    let similar = state
        .store
        .cases_similar(id, RELATED_MAX)
        .await?
        .iter()
        .map(|h| hit_view(tr, h))
        .collect();
    let page = html(&PublicTemplate {
        status_label: tr.t(&s.status.label_key()),
        activities,
        indicators,
        same_partner,
        similar,
        base: Base::new(ctx, s.title.clone()),
        form_label: tr.t(&s.form.label_key()),
        parties: p
            .parties
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        fields: s
            .fields
            .iter()
            .map(|f| tr.t(&f.label_key()))
            .collect::<Vec<_>>()
            .join("、"),
        dates,
        record: public_record(tr, &p, call),
        count_line: tr.t1("feedback-count", "count", &summary.count),
        average: summary.average_text(),
        distribution: (1..=5)
            .rev()
            .map(|r| (r, summary.distribution[(r - 1) as usize]))
            .collect(),
        feedback,
        form,
        errors,
        attributes: FeedbackAttribute::ALL
            .iter()
            .map(|a| (a.code().to_string(), tr.t(&a.label_key())))
            .collect(),
        sent,
        tenant,
        p,
    })?;
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    #[serde(default)]
    sent: Option<String>,
}

/// `GET /t/{code}/cases/{id}`: the case page (`?sent=1` after feedback was taken).
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, String)>,
    query: Result<Query<CaseQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, WebError> {
    let found = published(&state, &code, &id).await?;
    let sent = query.is_ok_and(|Query(q)| q.sent.as_deref() == Some("1"));
    render(
        &state,
        &ctx,
        found,
        FeedbackForm::default(),
        FieldErrors::default(),
        StatusCode::OK,
        sent,
    )
    .await
}

/// `GET /t/{code}/partnerships/{id}/public`: moved to the case page (301). Only a well-formed
/// code and number are sent on; anything else is 404.
pub async fn moved(Path((code, id)): Path<(String, String)>) -> Result<Response, WebError> {
    let code = TenantCode::parse(&code).map_err(|_| WebError::NotFound)?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    Ok((
        StatusCode::MOVED_PERMANENTLY,
        [(LOCATION, format!("/t/{code}/cases/{id}"))],
    )
        .into_response())
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> Result<Response, WebError> {
    let found = published(&state, &code, &id).await?;
    let input = FeedbackInput {
        rating: form.rating.clone(),
        comment: form.comment.clone(),
        attribute: form.attribute.clone(),
    };
    let mut errors = FieldErrors::default();
    let feedback = match Feedback::parse(&input) {
        Ok(f) => f,
        Err(list) => {
            for e in list {
                errors.add(&ctx.tr, e.field, e.key);
            }
            return render(
                &state,
                &ctx,
                found,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
                false,
            )
            .await;
        }
    };
    let new = NewFeedback {
        feedback,
        client_ip: ctx.ip.clone(),
    };
    match state
        .store
        .feedback_submit(found.1, found.2.summary.id, &new, FEEDBACK_PER_HOUR)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/cases/{}?sent=1#voice-thanks",
            found.1, found.2.summary.id
        ))
        .into_response()),
        Err(StoreError::RateLimited) => {
            errors.add(&ctx.tr, "form", "error-rate-limited");
            render(
                &state,
                &ctx,
                found,
                form,
                errors,
                StatusCode::TOO_MANY_REQUESTS,
                false,
            )
            .await
        }
        Err(StoreError::NotFound) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}
