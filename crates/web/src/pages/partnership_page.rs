//! A partnership's page for the local government's staff: `/t/{code}/partnerships/{id}`.
//! The whole record (purpose, parties and their roles, the city's role, fields, dates in 和暦,
//! renewal rule, fiscal burden, publication, commercial note, the originating proposal for
//! the desk), its status with the moves allowed (終了・解約・再開 behind a 確認画面; a stale form
//! is refused), last activity and the dormant / ending flags explained, the timeline,
//! activities with photos, indicators per fiscal year, annual reviews and the signed documents.
//! The desk and the responsible department's members (`renkei_app::partnerships::may_manage`)
//! get forms for each; everyone else of the staff reads it. Every write is one command.

use super::confirm::{self, Confirm};
use super::html;
use super::proposal_view::{Choice, choices};
use crate::auth::{CsrfForm, Ctx, TenantAccess, constant_time_eq, tenant_access};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::partnerships as cmd;
use renkei_app::proposals::RawFile;
use renkei_domain::Actor;
use renkei_domain::partnership::{
    ActivityInput, IndicatorInput, IndicatorValueInput, PartnershipStatus, ReviewDecision,
    ReviewInput,
};
use renkei_domain::time::{fiscal_year, wareki_fiscal_year};
use renkei_store::partnerships::{
    ActivityRow, IndicatorRow, PartnershipDetail, PartnershipEvent, PhotoRow, ReviewRow,
};
use renkei_store::proposals::AttachmentMeta;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// Every field any form of the page posts (a refused form comes back with what was typed).
#[derive(Deserialize, Default, Clone)]
pub struct PageForm {
    #[serde(default, rename = "move")]
    pub mv: String,
    #[serde(default)]
    pub expected: String,
    #[serde(default)]
    pub signed_on: String,
    #[serde(default)]
    pub confirm: String,
    #[serde(default)]
    pub done_on: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub outputs: String,
    #[serde(default)]
    pub indicator_name: String,
    #[serde(default)]
    pub indicator_unit: String,
    #[serde(default)]
    pub indicator_id: String,
    #[serde(default)]
    pub fiscal_year: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub actual: String,
    #[serde(default)]
    pub review_year: String,
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub assessment: String,
    #[serde(default)]
    pub partner_view: String,
}

/// Which form on the page was refused.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum Which {
    #[default]
    None,
    Move,
    Activity,
    Indicator,
    Value,
    Review,
    Document,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub text: String,
    pub details: Vec<String>,
}

pub struct ActivityView {
    pub a: ActivityRow,
    pub done_on: String,
    pub photos: Vec<AttachmentMeta>,
}

pub struct IndicatorView {
    pub i: IndicatorRow,
    /// (fiscal year label, target, actual, rate)
    pub rows: Vec<(String, String, String, String)>,
}

pub struct ReviewView {
    pub r: ReviewRow,
    pub year: String,
    pub decision: String,
    pub reviewed_on: String,
}

pub struct PartyView {
    pub name: String,
    pub kind: String,
    pub corporate_number: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "pages/partnership.html")]
struct PageTemplate {
    base: Base,
    tenant: Tenant,
    p: PartnershipDetail,
    form_label: String,
    status_label: String,
    department: String,
    parties: Vec<PartyView>,
    fields: Vec<String>,
    signed_on: String,
    starts_on: String,
    ends_on: String,
    last_activity_on: String,
    renewal: String,
    fiscal: String,
    dormant_line: Option<String>,
    ending_line: Option<String>,
    proposal_link: Option<(String, String)>,
    route: Option<String>,
    manage: bool,
    moves: Vec<(String, String)>,
    events: Vec<EventView>,
    activities: Vec<ActivityView>,
    indicators: Vec<IndicatorView>,
    reviews: Vec<ReviewView>,
    documents: Vec<AttachmentMeta>,
    decisions: Vec<Choice>,
    which: Which,
    errors: FieldErrors,
    f: PageForm,
    today: String,
    this_year: String,
}

impl PageTemplate {
    fn err(&self, which: Which, field: &str) -> Option<&String> {
        if self.which == which {
            self.errors.get(field)
        } else {
            None
        }
    }

    fn e_move(&self, field: &str) -> Option<&String> {
        self.err(Which::Move, field)
    }
    fn e_activity(&self, field: &str) -> Option<&String> {
        self.err(Which::Activity, field)
    }
    fn e_indicator(&self, field: &str) -> Option<&String> {
        self.err(Which::Indicator, field)
    }
    fn e_value(&self, field: &str) -> Option<&String> {
        self.err(Which::Value, field)
    }
    fn e_review(&self, field: &str) -> Option<&String> {
        self.err(Which::Review, field)
    }
    fn e_document(&self, field: &str) -> Option<&String> {
        self.err(Which::Document, field)
    }
    fn mine(&self, which: Which) -> bool {
        self.which == which
    }
}

fn day(tr: &Tr, d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| renkei_app::mailer::date_for(tr.lang, d))
        .unwrap_or_else(|| tr.t("pships-none"))
}

pub(crate) fn year_label(tr: &Tr, fy: i32) -> String {
    match tr.lang {
        renkei_domain::Lang::Ja => wareki_fiscal_year(fy),
        renkei_domain::Lang::En => format!("FY{fy}"),
    }
}

pub(crate) fn number(v: Option<i64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "—".into())
}

/// Achievement rate (actual / target), one decimal; none without a positive target.
pub(crate) fn rate(target: Option<i64>, actual: Option<i64>) -> String {
    match (target, actual) {
        (Some(t), Some(a)) if t != 0 => format!("{:.1}%", a as f64 * 100.0 / t as f64),
        _ => "—".into(),
    }
}

/// The timeline entry as a reader sees it.
fn event_view(tr: &Tr, e: PartnershipEvent) -> EventView {
    let note: serde_json::Value = serde_json::from_str(&e.note).unwrap_or(serde_json::Value::Null);
    let s = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => tr.t("pships-none"),
        other => other.to_string(),
    };
    let mut details = Vec::new();
    let text = match e.kind.as_str() {
        "status" => {
            let label = |k: &str| {
                PartnershipStatus::parse(note[k].as_str().unwrap_or(""))
                    .map(|st| tr.t(&st.label_key()))
                    .unwrap_or_default()
            };
            tr.t2(
                "pships-event-status",
                ("from", &label("from")),
                ("to", &label("to")),
            )
        }
        "activity" => tr.t1("pships-event-activity", "title", &s(&note["title"])),
        "indicator" => tr.t1("pships-event-indicator", "name", &s(&note["name"])),
        "indicator-value" => tr.t2(
            "pships-event-indicator-value",
            ("name", &s(&note["name"])),
            (
                "year",
                &note["fiscal_year"]
                    .as_i64()
                    .map(|y| year_label(tr, y as i32))
                    .unwrap_or_default(),
            ),
        ),
        "review" => tr.t1(
            "pships-event-review",
            "year",
            &note["fiscal_year"]
                .as_i64()
                .map(|y| year_label(tr, y as i32))
                .unwrap_or_default(),
        ),
        "document" => tr.t1("pships-event-document", "name", &s(&note["filename"])),
        "corrected" => {
            details.push(tr.t1("event-correction-reason", "reason", &s(&note["reason"])));
            for c in note["changes"].as_array().into_iter().flatten() {
                details.push(format!(
                    "{}：{} → {}",
                    s(&c["field"]),
                    s(&c["from"]),
                    s(&c["to"])
                ));
            }
            tr.t("pships-event-corrected")
        }
        "created-from-proposal" => tr.t("pships-event-created-from-proposal"),
        "imported" => tr.t("pships-event-imported"),
        _ => tr.t("pships-event-created"),
    };
    EventView {
        at: renkei_app::mailer::moment_for(tr.lang, e.at),
        actor: e.actor,
        text,
        details,
    }
}

/// The status moves a manager is offered now: (code, label).
fn moves(tr: &Tr, status: PartnershipStatus) -> Vec<(String, String)> {
    let list: &[&str] = match status {
        PartnershipStatus::Preparing => &["sign", "cancel"],
        PartnershipStatus::Active => &["end", "cancel"],
        PartnershipStatus::Ended | PartnershipStatus::Cancelled => &["reopen"],
    };
    list.iter()
        .map(|m| (m.to_string(), tr.t(&format!("pships-move-{m}"))))
        .collect()
}

/// What a partnership's page reads from the store: the same for everyone allowed to read
/// it (kept in `Caches::partnership_pages`; who may change what is decided per request).
pub struct Read {
    p: PartnershipDetail,
    events: Vec<PartnershipEvent>,
    photos: Vec<PhotoRow>,
    activities: Vec<ActivityRow>,
    indicators: Vec<IndicatorRow>,
    reviews: Vec<ReviewRow>,
    documents: Vec<AttachmentMeta>,
    months: u32,
}

async fn read(
    state: &AppState,
    caller: &renkei_app::Caller,
    code: renkei_domain::TenantCode,
    id: i64,
) -> Result<Read, WebError> {
    let p = cmd::get(&state.app, caller, code, id).await?;
    Ok(Read {
        p,
        events: state.store.partnership_events(code, id).await?,
        photos: state.store.activity_photos(code, id).await?,
        activities: state.store.activities(code, id, 200).await?,
        indicators: state.store.indicators(code, id).await?,
        reviews: state.store.reviews(code, id).await?,
        documents: state.store.documents(code, id).await?,
        months: state.store.dormancy_months(code).await?,
    })
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    id: i64,
    which: Which,
    f: PageForm,
    errors: FieldErrors,
    notice: Option<&str>,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let caller = a.caller(ctx);
    let read = state
        .caches
        .partnership_pages
        .get_or_load((a.code.to_string(), id), a.stamp, || {
            read(state, &caller, a.code, id)
        })
        .await?;
    let p = read.p.clone();
    let manage = cmd::may_manage(&caller, a.code, &p);
    let events = read
        .events
        .iter()
        .rev()
        .cloned()
        .map(|e| event_view(tr, e))
        .collect();
    let activities = read
        .activities
        .iter()
        .map(|act| ActivityView {
            done_on: renkei_app::mailer::date_for(tr.lang, act.done_on),
            photos: read
                .photos
                .iter()
                .filter(|ph| ph.activity_id == act.id)
                .map(|ph| ph.meta.clone())
                .collect(),
            a: act.clone(),
        })
        .collect();
    let indicators = read
        .indicators
        .iter()
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
            i: i.clone(),
        })
        .collect();
    let reviews = read
        .reviews
        .iter()
        .map(|r| ReviewView {
            year: year_label(tr, r.fiscal_year),
            decision: tr.t(&r.decision.label_key()),
            reviewed_on: renkei_app::mailer::date_for(tr.lang, r.reviewed_on),
            r: r.clone(),
        })
        .collect();
    let documents = read.documents.clone();
    let s = &p.summary;
    let months = read.months;
    let dormant_line = s
        .dormant
        .then(|| tr.t1("pships-dormant-explain", "months", &months));
    let ending_line = s.ending_undecided.then(|| tr.t("pships-ending-explain"));
    let proposal_link = match (p.proposal_id, &p.receipt_number) {
        (Some(_), Some(receipt)) if a.actor.may_handle_proposals(a.code) => Some((
            format!("/t/{}/desk/proposals/{receipt}", a.code),
            receipt.clone(),
        )),
        _ => None,
    };
    let today = state.store.today();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&PageTemplate {
        base: Base::new(ctx, s.title.clone()).with_notice(notice),
        form_label: tr.t(&s.form.label_key()),
        status_label: tr.t(&s.status.label_key()),
        department: s
            .department_name
            .clone()
            .unwrap_or_else(|| tr.t("pships-desk-led")),
        parties: p
            .parties
            .iter()
            .map(|x| PartyView {
                name: x.name.clone(),
                kind: tr.t(&x.party_type.label_key()),
                corporate_number: x.corporate_number.clone().unwrap_or_default(),
                role: x.role.clone(),
            })
            .collect(),
        fields: s.fields.iter().map(|f| tr.t(&f.label_key())).collect(),
        signed_on: day(tr, s.signed_on),
        starts_on: day(tr, s.starts_on),
        ends_on: day(tr, s.ends_on),
        last_activity_on: day(tr, s.last_activity_on),
        renewal: tr.t(if s.auto_renew {
            "pships-renewal-auto"
        } else {
            "pships-renewal-none"
        }),
        fiscal: match p.fiscal_amount {
            Some(amount) => tr.t1("pships-yen", "amount", &amount),
            None => tr.t("pships-fiscal-none"),
        },
        dormant_line,
        ending_line,
        proposal_link,
        route: p.route.map(|r| tr.t(&r.label_key())),
        manage,
        moves: if manage { moves(tr, s.status) } else { vec![] },
        events,
        activities,
        indicators,
        reviews,
        documents,
        decisions: choices(
            tr,
            ReviewDecision::ALL,
            ReviewDecision::code,
            ReviewDecision::label_key,
            std::slice::from_ref(&f.decision),
        ),
        which,
        errors,
        f,
        today: today.to_string(),
        this_year: fiscal_year(today).to_string(),
        tenant: a.tenant,
        p,
    })?;
    Ok((status, page).into_response())
}

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, Actor::may_read_partnerships).await
}

/// `GET /t/{code}/partnerships/{id}`
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<super::NoticeQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    render(
        &state,
        &ctx,
        a,
        id,
        Which::None,
        PageForm::default(),
        FieldErrors::default(),
        q.notice.as_deref(),
    )
    .await
}

fn done(code: renkei_domain::TenantCode, id: i64, notice: &str, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/t/{code}/partnerships/{id}?notice={notice}#{anchor}"
    ))
    .into_response()
}

/// A command's answer: back to the page with a notice, or the page again with the refused
/// form's messages and what was typed (nothing written).
#[allow(clippy::too_many_arguments)]
async fn finish<T>(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    id: i64,
    which: Which,
    f: PageForm,
    result: Result<T, renkei_app::CommandError>,
    notice: &str,
    anchor: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(done(a.code, id, notice, anchor)),
        Err(e) => {
            let mut errors = FieldErrors::default();
            for fe in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, fe.field, fe.key);
            }
            render(state, ctx, a, id, which, f, errors, None).await
        }
    }
}

/// `POST …/{id}/move`: 締結 (with the day) at once; 終了・解約・再開 after a 確認画面. The status
/// the form was opened in travels with it: a partnership moved meanwhile is refused.
pub async fn move_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<PageForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let caller = a.caller(&ctx);
    let p = cmd::get(&state.app, &caller, a.code, id).await?;
    if !cmd::may_manage(&caller, a.code, &p) {
        return Err(WebError::Forbidden);
    }
    let tr = &ctx.tr;
    let mv = match cmd::parse_move(&f.mv, &f.signed_on) {
        Ok(mv) => mv,
        Err(e) => {
            return finish::<()>(&state, &ctx, a, id, Which::Move, f, Err(e), "", "status").await;
        }
    };
    let needs_confirm = matches!(f.mv.as_str(), "end" | "cancel" | "reopen");
    if needs_confirm && !confirm::confirmed(&f.confirm) {
        return confirm::render(
            &ctx,
            Confirm {
                title: tr.t(&format!("pships-confirm-{}", f.mv)),
                subject: p.summary.title.clone(),
                lead: tr.t(&format!("pships-confirm-{}-lead", f.mv)),
                facts: vec![(tr.t("col-status"), tr.t(&p.summary.status.label_key()))],
                action: format!("/t/{}/partnerships/{id}/move", a.code),
                hidden: vec![
                    ("move".into(), f.mv.clone()),
                    ("expected".into(), f.expected.clone()),
                ],
                confirm_label: tr.t(&format!("pships-move-{}", f.mv)),
                danger: f.mv != "reopen",
                back_posts: false,
                back_href: format!("/t/{}/partnerships/{id}#status", a.code),
            },
        );
    }
    let result = cmd::move_status(&state.app, &caller, a.code, id, &f.expected, mv).await;
    finish(
        &state,
        &ctx,
        a,
        id,
        Which::Move,
        f,
        result,
        "pships-status-changed",
        "status",
    )
    .await
}

/// Reads a multipart form: its text fields into a [`PageForm`] and its files under `file_field`.
async fn read_multipart(
    ctx: &Ctx,
    multipart: Result<Multipart, MultipartRejection>,
    file_field: &str,
    max_files: usize,
) -> Result<(PageForm, Vec<RawFile>), WebError> {
    let mut multipart = multipart.map_err(|_| WebError::BadRequest("error-bad-request"))?;
    let mut csrf = String::new();
    let mut f = PageForm::default();
    let mut files = Vec::new();
    while let Some(field) = super::next_part(&mut multipart).await? {
        let name = field.name().unwrap_or("").to_string();
        if name == file_field {
            if let Some(file) = super::file_part(field).await?
                && files.len() <= max_files
            {
                files.push(file);
            }
            continue;
        }
        let text: String = field
            .text()
            .await
            .map_err(|_| WebError::BadRequest("error-bad-request"))?
            .chars()
            .take(20_000)
            .collect();
        match name.as_str() {
            crate::auth::CSRF_FIELD => csrf = text,
            "done_on" => f.done_on = text,
            "title" => f.title = text,
            "description" => f.description = text,
            "people" => f.people = text,
            "outputs" => f.outputs = text,
            _ => {}
        }
    }
    if ctx.csrf.is_empty() || !constant_time_eq(csrf.as_bytes(), ctx.csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    Ok((f, files))
}

/// `POST …/{id}/activities` (multipart): an activity with up to five photos.
pub async fn activity_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let (f, photos) = read_multipart(&ctx, multipart, "photos", cmd::MAX_PHOTOS).await?;
    let input = ActivityInput {
        done_on: f.done_on.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        people: f.people.clone(),
        outputs: f.outputs.clone(),
    };
    let result =
        cmd::add_activity_with_photos(&state.app, &a.caller(&ctx), a.code, id, &input, photos)
            .await;
    finish(
        &state,
        &ctx,
        a,
        id,
        Which::Activity,
        f,
        result,
        "pships-activity-recorded",
        "activities",
    )
    .await
}

/// `POST …/{id}/documents` (multipart): the signed agreement (PDF or images).
pub async fn document_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let (f, files) =
        read_multipart(&ctx, multipart, "documents", cmd::MAX_DOCUMENTS_AT_ONCE).await?;
    let result = cmd::add_documents(&state.app, &a.caller(&ctx), a.code, id, files).await;
    finish(
        &state,
        &ctx,
        a,
        id,
        Which::Document,
        f,
        result,
        "pships-document-added",
        "documents",
    )
    .await
}

/// `POST …/{id}/indicators`: a new outcome indicator.
pub async fn indicator_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<PageForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let input = IndicatorInput {
        name: f.indicator_name.clone(),
        unit: f.indicator_unit.clone(),
    };
    let result = cmd::add_indicator(&state.app, &a.caller(&ctx), a.code, id, &input).await;
    finish(
        &state,
        &ctx,
        a,
        id,
        Which::Indicator,
        f,
        result,
        "pships-indicator-added",
        "indicators",
    )
    .await
}

/// `POST …/{id}/indicators/{indicator_id}/values`: a fiscal year's target and actual.
pub async fn indicator_value_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, indicator_id)): Path<(String, i64, i64)>,
    CsrfForm(f): CsrfForm<PageForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let input = IndicatorValueInput {
        fiscal_year: f.fiscal_year.clone(),
        target: f.target.clone(),
        actual: f.actual.clone(),
    };
    let f = PageForm {
        indicator_id: indicator_id.to_string(),
        ..f
    };
    let result = cmd::set_indicator_value(
        &state.app,
        &a.caller(&ctx),
        a.code,
        id,
        indicator_id,
        &input,
    )
    .await;
    finish(
        &state,
        &ctx,
        a,
        id,
        Which::Value,
        f,
        result,
        "pships-indicator-saved",
        "indicators",
    )
    .await
}

/// `POST …/{id}/reviews`: the annual review of a fiscal year (one per year).
pub async fn review_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(f): CsrfForm<PageForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let input = ReviewInput {
        fiscal_year: f.review_year.clone(),
        decision: f.decision.clone(),
        assessment: f.assessment.clone(),
        partner_view: f.partner_view.clone(),
    };
    let result = cmd::add_review(&state.app, &a.caller(&ctx), a.code, id, &input).await;
    finish(
        &state,
        &ctx,
        a,
        id,
        Which::Review,
        f,
        result,
        "pships-review-recorded",
        "reviews",
    )
    .await
}

/// `GET …/{id}/documents/{doc_id}`: a signed document, for the staff, with safe headers.
pub async fn document_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, doc_id)): Path<(String, i64, i64)>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let (meta, data) = state.store.document(a.code, id, doc_id).await?;
    Ok(super::proponent_view::download(&meta, data))
}

/// `GET …/{id}/photos/{photo_id}`: an activity's photo, for the staff, with safe headers.
pub async fn photo_get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, photo_id)): Path<(String, i64, i64)>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let (meta, data) = state.store.activity_photo(a.code, id, photo_id).await?;
    Ok(super::proponent_view::download(&meta, data))
}
