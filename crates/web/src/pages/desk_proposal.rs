//! One proposal at the desk: `/t/{code}/desk/proposals/{receipt}` and the actions posted
//! below it (status, assignment, hearing record, routing to departments, message to the
//! proponent). Every view is audited; every action is checked by the domain first.

use super::proposal_view::{
    self, AttachmentView, Choice, EventView, HearingView, MemoView, MessageView, ProposalView,
    Questions, RoutingView, choices,
};
use super::{confirm, html};
use crate::auth::{CsrfForm, Ctx, TenantAccess, constant_time_eq, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::proposals::{self as cmd, HearingInput, RawFile, RouteInput, TransitionInput};
use renkei_app::{CommandError, FieldError};
use renkei_domain::attachment;
use renkei_domain::proposal::{Channel, DeclineReason, Transition};
use renkei_domain::template::TemplateKind;
use renkei_domain::{Actor, TenantCode};
use renkei_store::StoreError;
use renkei_store::departments::Department;
use renkei_store::tenants::Tenant;
use renkei_store::users::User;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/desk_proposal.html")]
struct DeskProposalTemplate {
    base: Base,
    tenant: Tenant,
    v: ProposalView,
    events: Vec<EventView>,
    messages: Vec<MessageView>,
    attachments: Vec<AttachmentView>,
    memos: Vec<MemoView>,
    hearings: Vec<HearingView>,
    routings: Vec<RoutingView>,
    /// Departments' questions (照会) under their routings, with the desk's replies.
    questions: Questions,
    /// Templates (定型文) to fill the message form and the decline form with.
    message_templates: Vec<(i64, String)>,
    decline_templates: Vec<(i64, String)>,
    departments: Vec<RoutableDepartment>,
    desk_staff: Vec<User>,
    prefecture_open: bool,
    reasons: Vec<Choice>,
    channels: Vec<Choice>,
    prefecture: Option<Tenant>,
    referred_from: Option<String>,
    referral: Option<String>,
    errors: FieldErrors,
    today: String,
    routing_due: String,
    form: ActionForm,
    /// The partnership made from this proposal, if any (「連携事業を見る」).
    partnership: Option<i64>,
}

/// A department in the routing form, with why it cannot be asked (the desk's own, or nobody
/// there to read it).
pub struct RoutableDepartment {
    pub d: Department,
    pub blocked: Option<String>,
}

/// Every field any action form posts (so a failed action re-renders with what was typed).
#[derive(Deserialize, Default, Clone)]
pub struct ActionForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub channel: String,
    #[serde(default)]
    pub participants: String,
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub next_steps: String,
    #[serde(default)]
    pub department_ids: Vec<String>,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub body: String,
    /// The desk's note on why (any status change).
    #[serde(default)]
    pub note: String,
    /// 実施決定 of a proposal that costs the city: why it is justified.
    #[serde(default)]
    pub fiscal_justification: String,
    /// The confirmation step: `yes` (confirmed), `back` (show the form again), or empty.
    #[serde(default)]
    pub confirm: String,
    /// An internal memo.
    #[serde(default)]
    pub memo: String,
    /// The desk's reply to a department's question, and which question it answers (so a
    /// refused reply comes back in the right form).
    #[serde(default)]
    pub reply: String,
    #[serde(default)]
    pub question_id: String,
}

async fn access(state: &AppState, ctx: &Ctx, code: &str) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, Actor::may_handle_proposals).await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    receipt: &str,
    notice: Option<&str>,
    form: ActionForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let p = state.store.proposal(a.code, receipt).await?;
    state
        .store
        .audit_proposal_read(a.code, &p.receipt_number, "desk", &ctx.who())
        .await?;
    if p.unseen_answers > 0 {
        state.store.answers_seen(a.code, p.id).await?;
    }
    let events = proposal_view::events(tr, state.store.proposal_events(p.id, false).await?);
    let messages = proposal_view::messages(tr, state.store.proposal_messages(p.id).await?);
    let attachments = proposal_view::attachments(tr, state.store.attachments(p.id).await?);
    let memos = proposal_view::memos(tr, state.store.memos(a.code, p.id).await?);
    let hearings = proposal_view::hearings(tr, state.store.hearings(p.id).await?);
    let routings =
        proposal_view::routings(tr, state.store.routings(p.id).await?, state.store.today());
    let questions = Questions(proposal_view::questions(
        tr,
        state.store.routing_questions(p.id).await?,
    ));
    let mut message_templates = Vec::new();
    let mut decline_templates = Vec::new();
    for t in state.store.templates(a.code).await? {
        match t.kind {
            TemplateKind::Message => message_templates.push((t.id, t.name)),
            TemplateKind::Decline => decline_templates.push((t.id, t.name)),
        }
    }
    let settings = state.store.desk_settings(a.code).await?;
    let departments = state
        .store
        .departments(a.code)
        .await?
        .into_iter()
        .map(|d| RoutableDepartment {
            blocked: if Some(d.id) == settings.desk_department_id {
                Some(tr.t("routing-blocked-desk"))
            } else if d.member_count == 0 {
                Some(tr.t("routing-blocked-empty"))
            } else {
                None
            },
            d,
        })
        .collect();
    let desk_staff = state
        .store
        .users_in_tenant(&a.tenant.code)
        .await?
        .into_iter()
        .filter(|u| u.role == renkei_domain::Role::Desk && !u.disabled)
        .collect();
    let prefecture = if a.tenant.is_prefecture() {
        None
    } else {
        Some(state.store.tenant(&a.tenant.prefecture_code).await?)
    };
    let prefecture_open = match &prefecture {
        Some(pref) => state
            .store
            .desk_openness(
                renkei_domain::TenantCode::parse(&pref.code).map_err(|_| WebError::NotFound)?,
            )
            .await?
            .is_open(),
        None => false,
    };
    let referred_from = p.referred_from_id.map(|_| tr.t("proposal-referred-in"));
    // Both desks of a referral see where the other end stands.
    let referral = match state.store.referral_link(&p).await? {
        Some((code, receipt, status)) => {
            let name = state
                .store
                .tenant(&code)
                .await
                .map(|t| t.full_name())
                .unwrap_or(code);
            Some(tr.t2(
                "proposal-referral-link",
                ("desk", &format!("{name}（{receipt}）")),
                ("status", &tr.t(&format!("status-{status}"))),
            ))
        }
        None => None,
    };
    let today = state.store.today();
    let routing_due = settings.routing_due(today);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let partnership = state.store.partnership_of_proposal(a.code, p.id).await?;
    let page = html(&DeskProposalTemplate {
        partnership,
        base: Base::new(ctx, p.title.clone()).with_notice(notice),
        reasons: choices(
            tr,
            DeclineReason::ALL,
            DeclineReason::code,
            DeclineReason::label_key,
            std::slice::from_ref(&form.reason),
        ),
        channels: choices(
            tr,
            Channel::ALL,
            Channel::code,
            Channel::label_key,
            std::slice::from_ref(&form.channel),
        ),
        v: ProposalView::new(tr, p, state.store.today()),
        tenant: a.tenant,
        events,
        messages,
        attachments,
        memos,
        hearings,
        routings,
        questions,
        message_templates,
        decline_templates,
        departments,
        desk_staff,
        prefecture,
        prefecture_open,
        referred_from,
        referral,
        errors,
        today: today.format("%Y-%m-%d").to_string(),
        routing_due: routing_due.format("%Y-%m-%d").to_string(),
        form,
    })?;
    Ok((status, page).into_response())
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    notice: Option<String>,
    /// A template (定型文) chosen to fill the message or the decline form (no JavaScript
    /// needed: the choice reloads the page). Not a number, or not this desk's: ignored.
    template: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let mut form = ActionForm::default();
    if let Some(id) = q
        .template
        .as_deref()
        .and_then(|t| t.trim().parse::<i64>().ok())
    {
        fill_from_template(&state, &ctx, &a, &receipt, id, &mut form).await?;
    }
    render(
        &state,
        &ctx,
        a,
        &receipt,
        q.notice.as_deref(),
        form,
        FieldErrors::default(),
    )
    .await
}

/// Puts the chosen template's text, with the proposal's values for its placeholders, into
/// the form it belongs to (the decline form opens).
async fn fill_from_template(
    state: &AppState,
    ctx: &Ctx,
    a: &TenantAccess,
    receipt: &str,
    id: i64,
    form: &mut ActionForm,
) -> Result<(), WebError> {
    let t = match state.store.template(a.code, id).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let p = state.store.proposal(a.code, receipt).await?;
    let profile = state.store.desk_profile(a.code).await?;
    let desk = renkei_app::templates::desk_name(
        &a.tenant,
        &profile.desk_name,
        &ctx.tr.t("public-desk-default-name"),
    );
    let text = renkei_app::templates::fill(&t, &p, &desk);
    match t.kind {
        TemplateKind::Message => form.body = text,
        TemplateKind::Decline => {
            form.action = "decline".into();
            form.explanation = text;
        }
    }
    Ok(())
}

fn done(code: TenantCode, receipt: &str, notice: &str) -> Response {
    Redirect::to(&format!(
        "/t/{code}/desk/proposals/{receipt}?notice={notice}"
    ))
    .into_response()
}

/// A command's refusal as the form's field errors (bad input, a move the state machine
/// forbids); anything else is an error page.
pub fn refused(e: CommandError) -> Result<Vec<FieldError>, WebError> {
    e.fields().ok_or_else(|| e.into())
}

/// Runs an action; a refusal re-renders the page with the messages next to their fields and
/// what was typed, and writes nothing.
async fn finish<T>(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    receipt: &str,
    form: ActionForm,
    notice: &'static str,
    result: Result<T, CommandError>,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(done(a.code, receipt, notice)),
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in refused(e)? {
                errors.add(&ctx.tr, f.field, f.key);
            }
            render(state, ctx, a, receipt, None, form, errors).await
        }
    }
}

impl ActionForm {
    fn transition(&self) -> TransitionInput {
        TransitionInput {
            action: self.action.clone(),
            reason: self.reason.clone(),
            explanation: self.explanation.clone(),
            to: self.to.clone(),
            note: self.note.clone(),
            fiscal_justification: self.fiscal_justification.clone(),
        }
    }

    pub fn hearing(&self) -> HearingInput {
        HearingInput {
            held_on: self.held_on.clone(),
            channel: self.channel.clone(),
            participants: self.participants.clone(),
            notes: self.notes.clone(),
            next_steps: self.next_steps.clone(),
        }
    }

    fn route(&self) -> RouteInput {
        RouteInput {
            department_ids: self.department_ids.clone(),
            question: self.question.clone(),
            due_on: self.due_on.clone(),
        }
    }
}

pub async fn transition(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    if form.confirm == "back" {
        return render(
            &state,
            &ctx,
            a,
            &receipt,
            None,
            form,
            FieldErrors::default(),
        )
        .await;
    }
    let by = a.caller(&ctx);
    let input = form.transition();
    // 実施決定, 不採択 and 紹介 close the proposal for good: the desk confirms first, and the
    // confirmation is shown only for a move the lifecycle allows.
    if let Ok(t) = cmd::parse_transition(&input)
        && t.target().is_closed()
        && !confirm::confirmed(&form.confirm)
    {
        return match cmd::check_transition(&state.app, &by, a.code, &receipt, &input).await {
            Ok((p, t)) => confirm_transition(&state, &ctx, &a, &p, &t, &form).await,
            Err(e) => finish(&state, &ctx, a, &receipt, form, "", Err::<(), _>(e)).await,
        };
    }
    let result = cmd::transition(&state.app, &by, a.code, &receipt, &input).await;
    finish(&state, &ctx, a, &receipt, form, "status-changed", result).await
}

/// The 確認画面 of a closing move: what will happen, what was entered, and the same fields
/// posted again with `confirm=yes`.
async fn confirm_transition(
    state: &AppState,
    ctx: &Ctx,
    a: &TenantAccess,
    p: &renkei_store::proposals::Proposal,
    t: &Transition,
    form: &ActionForm,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let mut facts = vec![(tr.t("col-status"), tr.t(&format!("status-{}", p.status)))];
    let (title, lead, label) = match t {
        Transition::Decide {
            fiscal_justification,
        } => {
            if p.fiscal_burden {
                facts.push((tr.t("propose-fiscal"), p.fiscal_explanation.clone()));
                facts.push((
                    tr.t("proposal-fiscal-justification"),
                    fiscal_justification.trim().to_string(),
                ));
            }
            (
                tr.t("confirm-decide-title"),
                tr.t("confirm-decide-lead"),
                tr.t("action-decide"),
            )
        }
        Transition::Decline {
            reason,
            explanation,
        } => {
            facts.push((tr.t("proposal-decline-reason"), tr.t(&reason.label_key())));
            facts.push((
                tr.t("proposal-decline-explanation"),
                explanation.trim().to_string(),
            ));
            (
                tr.t("confirm-decline-title"),
                tr.t("confirm-decline-lead"),
                tr.t("action-decline"),
            )
        }
        Transition::Refer { to } => {
            let dest = state.store.tenant(&to.to_string()).await?;
            facts.push((tr.t("confirm-refer-to"), dest.full_name()));
            (
                tr.t("confirm-refer-title"),
                tr.t("confirm-refer-lead"),
                tr.t("action-refer"),
            )
        }
        _ => (
            tr.t("proposal-change-status"),
            String::new(),
            tr.t("proposal-change-status"),
        ),
    };
    if !form.note.trim().is_empty() {
        facts.push((
            tr.t("proposal-transition-note"),
            form.note.trim().to_string(),
        ));
    }
    let hidden = [
        ("action", &form.action),
        ("reason", &form.reason),
        ("explanation", &form.explanation),
        ("to", &form.to),
        ("note", &form.note),
        ("fiscal_justification", &form.fiscal_justification),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect();
    confirm::render(
        ctx,
        confirm::Confirm {
            title,
            subject: format!("{}　{}", p.receipt_number, p.title),
            lead,
            facts,
            action: format!(
                "/t/{}/desk/proposals/{}/transition",
                a.code, p.receipt_number
            ),
            hidden,
            confirm_label: label,
            danger: matches!(t, Transition::Decline { .. }),
            back_posts: true,
            back_href: format!("/t/{}/desk/proposals/{}", a.code, p.receipt_number),
        },
    )
}

pub async fn assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let result = cmd::assign(
        &state.app,
        &a.caller(&ctx),
        a.code,
        &receipt,
        &form.assignee,
    )
    .await;
    finish(&state, &ctx, a, &receipt, form, "assigned", result).await
}

pub async fn hearing(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let result = cmd::record_hearing(
        &state.app,
        &a.caller(&ctx),
        a.code,
        &receipt,
        &form.hearing(),
    )
    .await;
    finish(&state, &ctx, a, &receipt, form, "hearing-recorded", result).await
}

pub async fn routing(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let result = cmd::route(&state.app, &a.caller(&ctx), a.code, &receipt, &form.route()).await;
    finish(&state, &ctx, a, &receipt, form, "routed", result).await
}

pub async fn message(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let result =
        cmd::message_to_proponent(&state.app, &a.caller(&ctx), a.code, &receipt, &form.body).await;
    finish(&state, &ctx, a, &receipt, form, "message-sent", result).await
}

/// `POST …/memos`: an internal memo (内部メモ), desk staff only.
pub async fn memo(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let result = cmd::add_memo(&state.app, &a.caller(&ctx), a.code, &receipt, &form.memo).await;
    finish(&state, &ctx, a, &receipt, form, "memo-saved", result).await
}

/// `POST …/attachments` (multipart): the desk attaches its own files. Access is checked before
/// the body is read, so nobody else learns anything from how an upload is refused; the CSRF
/// token comes in the body (as at the intake).
pub async fn attachment_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let mut multipart = multipart.map_err(|_| WebError::BadRequest("error-bad-request"))?;
    let mut csrf = String::new();
    let mut files: Vec<RawFile> = Vec::new();
    loop {
        let Some(field) = super::next_part(&mut multipart).await? else {
            break;
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let Some(file) = super::file_part(field).await? else {
                continue;
            };
            // Bounded: past the most one upload takes, the command refuses the count.
            if files.len() <= attachment::MAX_ATTACHMENTS {
                files.push(file);
            }
        } else if name == crate::auth::CSRF_FIELD {
            csrf = field
                .text()
                .await
                .map_err(|_| WebError::BadRequest("error-bad-request"))?;
        }
    }
    if ctx.csrf.is_empty() || !constant_time_eq(csrf.as_bytes(), ctx.csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    let result = cmd::attach_desk_files(&state.app, &a.caller(&ctx), a.code, &receipt, files).await;
    finish(
        &state,
        &ctx,
        a,
        &receipt,
        ActionForm::default(),
        "attachment-added",
        result,
    )
    .await
}

/// `POST /t/{code}/desk/proposals/{receipt}/questions/{id}/reply`: the desk's reply to a
/// department's question (照会); the department's members are mailed.
pub async fn reply(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt, id)): Path<(String, String, i64)>,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let form = ActionForm {
        question_id: id.to_string(),
        ..form
    };
    let result = cmd::reply_to_question(
        &state.app,
        &a.caller(&ctx),
        a.code,
        &receipt,
        id,
        &form.reply,
    )
    .await;
    finish(&state, &ctx, a, &receipt, form, "question-replied", result).await
}

/// An attachment for city-hall staff: the desk, or a department the proposal was routed to.
pub async fn attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt, id)): Path<(String, String, i64)>,
) -> Result<Response, WebError> {
    let (_, tcode) = crate::auth::known_tenant(&state, &code).await?;
    let actor = ctx.actor()?;
    let p = match state.store.proposal(tcode, &receipt).await {
        Ok(p) => p,
        Err(StoreError::NotFound) if !actor.may_enter_staff_area(tcode) => {
            return Err(WebError::Forbidden);
        }
        Err(e) => return Err(e.into()),
    };
    let routed = state.store.routed_department_ids(p.id).await?;
    if !(actor.may_handle_proposals(tcode) || actor.may_read_routed_proposal(tcode, &routed)) {
        return Err(WebError::Forbidden);
    }
    let (meta, data) = state.store.attachment_data(tcode, p.id, id).await?;
    state
        .store
        .audit_proposal_read(
            tcode,
            &p.receipt_number,
            &format!("attachment:{id}"),
            &ctx.who(),
        )
        .await?;
    Ok(super::proponent_view::download(&meta, data))
}

#[derive(Template)]
#[template(path = "pages/desk_proposal_print.html")]
struct PrintTemplate {
    base: Base,
    tenant: Tenant,
    tenant_name: String,
    v: ProposalView,
    events: Vec<EventView>,
    attachments: Vec<AttachmentView>,
    memos: Vec<MemoView>,
    hearings: Vec<HearingView>,
    routings: Vec<RoutingView>,
    printed_on: String,
    stamps: Vec<String>,
}

/// The proposal for the paper file (起案・回議): its record, hearings, routings and timeline on
/// A4, with boxes for the approvers' seals. Printing reads the whole proposal, so it is audited
/// like the page.
pub async fn print(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code).await?;
    let tr = &ctx.tr;
    let p = state.store.proposal(a.code, &receipt).await?;
    state
        .store
        .audit_proposal_read(a.code, &p.receipt_number, "print", &ctx.who())
        .await?;
    let today = state.store.today();
    let page = PrintTemplate {
        base: Base::new(&ctx, tr.t1("print-title", "receipt", &p.receipt_number)),
        tenant_name: a.tenant.full_name(),
        events: proposal_view::events(tr, state.store.proposal_events(p.id, false).await?),
        attachments: proposal_view::attachments(tr, state.store.attachments(p.id).await?),
        memos: proposal_view::memos(tr, state.store.memos(a.code, p.id).await?),
        hearings: proposal_view::hearings(tr, state.store.hearings(p.id).await?),
        routings: proposal_view::routings(tr, state.store.routings(p.id).await?, today),
        printed_on: renkei_app::mailer::date_for(tr.lang, today),
        stamps: [
            "print-stamp-staff",
            "print-stamp-chief",
            "print-stamp-manager",
            "print-stamp-director",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        v: ProposalView::new(tr, p, today),
        tenant: a.tenant,
    };
    html(&page).map(IntoResponse::into_response)
}
