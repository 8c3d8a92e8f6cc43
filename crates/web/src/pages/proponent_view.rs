//! The proponent's page for one proposal: reached with the private tracking link
//! (`/t/{code}/track/{token}`) or, signed in as its proponent, from the my-page
//! (`/t/{code}/mypage/proposals/{receipt}`). Status timeline, messages with the desk,
//! attachments, withdrawal, consents. Every view is recorded in the audit trail.
//!
//! An account sees a proposal only when it owns it (`proponent_user_id`): sent while signed
//! in, or claimed here from the tracking link, or linked by a mailed confirmation
//! (`renkei_store::ownership`). A matching e-mail address alone opens nothing.

use super::html;
use super::proposal_view::{self, AttachmentView, EventView, MessageView, ProposalView};
use crate::auth::{CsrfForm, Ctx, known_tenant, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::proposals as cmd;
use renkei_domain::{Actor, TenantCode};
use renkei_store::Who;
use renkei_store::proposals::Proposal;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// How the proponent proved who they are.
pub enum Access {
    Token(String),
    Account(String),
}

impl Access {
    /// The base path of this view (actions are posted below it).
    fn base_path(&self, code: &str) -> String {
        match self {
            Self::Token(t) => format!("/t/{code}/track/{t}"),
            Self::Account(receipt) => format!("/t/{code}/mypage/proposals/{receipt}"),
        }
    }
}

pub struct Resolved {
    pub tenant: Tenant,
    pub code: TenantCode,
    pub proposal: Proposal,
    pub who: Who,
    pub base_path: String,
}

impl Resolved {
    /// The proponent, holding the tracking link or signed in: the link or the account
    /// already decided access, so the commands need only the audit trail's name.
    fn caller(&self) -> renkei_app::Caller {
        renkei_app::Caller {
            actor: None,
            who: self.who.clone(),
        }
    }
}

/// Finds the proposal: by token (anyone holding the link) or by the signed-in proponent.
async fn resolve(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    access: Access,
) -> Result<Resolved, WebError> {
    let (tenant, tcode, proposal, label) = match &access {
        Access::Token(token) => {
            let (tenant, tcode) = known_tenant(state, code).await?;
            let p = state.store.proposal_by_tracking(tcode, token).await?;
            (tenant, tcode, p, "proponent (tracking link)".to_string())
        }
        Access::Account(receipt) => {
            let a = tenant_access(state, ctx, code, Actor::may_enter_proponent_area).await?;
            let user = ctx.require_user()?;
            let p = state.store.proposal(a.code, receipt).await?;
            if p.proponent_user_id != Some(user.id) {
                return Err(WebError::NotFound);
            }
            (a.tenant, a.code, p, user.email.clone())
        }
    };
    let who = Who {
        user_id: ctx.user.as_ref().map(|u| u.id),
        label,
        origin: ctx.ip.clone(),
    };
    Ok(Resolved {
        base_path: access.base_path(&tenant.code),
        tenant,
        code: tcode,
        proposal,
        who,
    })
}

#[derive(Template)]
#[template(path = "pages/proponent_view.html")]
struct ProponentTemplate {
    base: Base,
    tenant: Tenant,
    v: ProposalView,
    base_path: String,
    events: Vec<EventView>,
    messages: Vec<MessageView>,
    attachments: Vec<AttachmentView>,
    message: String,
    errors: FieldErrors,
    received_line: String,
    claim: ClaimPanel,
    /// Just after sending: the receipt, what to keep and when to expect an answer.
    receipt: Option<ReceiptPanel>,
}

/// The receipt (受付完了) shown once, right after the proposal was sent.
pub struct ReceiptPanel {
    pub number: String,
    pub keep: String,
    pub expect: String,
}

/// What the tracking-link page offers about adding the proposal to a proponent account.
pub enum ClaimPanel {
    /// Nothing (viewed from the my-page, or by staff).
    None,
    /// Not signed in: signing in as a proponent account would let them add it.
    SignIn(String),
    /// Signed in as a proponent account of this tenant; the proposal has no account yet.
    Offer(String),
    /// Already this account's.
    Yours,
    /// Another account's.
    Other,
}

impl ClaimPanel {
    fn of(ctx: &Ctx, r: &Resolved) -> Self {
        if !r.base_path.contains("/track/") {
            return Self::None;
        }
        let Some(user) = &ctx.user else {
            return Self::SignIn(format!(
                "/login?next={}",
                crate::error::urlencode(&r.base_path)
            ));
        };
        if user.role != renkei_domain::Role::Proponent
            || user.tenant_code.as_deref() != Some(r.tenant.code.as_str())
        {
            return Self::None;
        }
        match r.proposal.proponent_user_id {
            None => Self::Offer(ctx.tr.t1("claim-question", "email", &user.email)),
            Some(id) if id == user.id => Self::Yours,
            Some(_) => Self::Other,
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ViewQuery {
    notice: Option<String>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    r: Resolved,
    notice: Option<&str>,
    message: String,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    state
        .store
        .audit_proposal_read(r.code, &r.proposal.receipt_number, "proponent", &r.who)
        .await?;
    let events = proposal_view::events(tr, state.store.proposal_events(r.proposal.id, true).await?);
    let messages = proposal_view::messages(tr, state.store.proposal_messages(r.proposal.id).await?);
    let attachments = proposal_view::attachments(
        tr,
        state.store.attachments_for_proponent(r.proposal.id).await?,
    );
    let received_line = tr.t1(
        "proposal-received-line",
        "receipt",
        &r.proposal.receipt_number,
    );
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let claim = ClaimPanel::of(ctx, &r);
    // Right after sending, the receipt panel says it all (the number once, the link to keep,
    // the day the desk will have answered by) instead of the notice line.
    let receipt =
        (notice == Some("proposal-received") && r.base_path.contains("/track/")).then(|| {
            ReceiptPanel {
                number: r.proposal.receipt_number.clone(),
                keep: tr.t("receipt-keep-link"),
                expect: tr.t1(
                    "receipt-expect",
                    "date",
                    &renkei_app::mailer::date_for(tr.lang, r.proposal.first_response_due),
                ),
            }
        });
    let notice = if receipt.is_some() { None } else { notice };
    let page = html(&ProponentTemplate {
        receipt,
        base: Base::new(ctx, r.proposal.title.clone()).with_notice(notice),
        claim,
        v: ProposalView::new(tr, r.proposal, state.store.today()),
        tenant: r.tenant,
        base_path: r.base_path,
        events,
        messages,
        attachments,
        message,
        errors,
        received_line,
    })?;
    Ok((status, page).into_response())
}

pub async fn show_by_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, WebError> {
    let r = resolve(&state, &ctx, &code, Access::Token(token)).await?;
    render(
        &state,
        &ctx,
        r,
        q.notice.as_deref(),
        String::new(),
        FieldErrors::default(),
    )
    .await
}

pub async fn show_by_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    Query(q): Query<ViewQuery>,
) -> Result<Response, WebError> {
    let r = resolve(&state, &ctx, &code, Access::Account(receipt)).await?;
    render(
        &state,
        &ctx,
        r,
        q.notice.as_deref(),
        String::new(),
        FieldErrors::default(),
    )
    .await
}

/// 「このアカウントに追加」: a signed-in proponent account of this tenant, holding the
/// tracking link, adds the proposal to itself (audited; shown on the timeline).
pub async fn claim_by_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    let r = resolve(&state, &ctx, &code, Access::Token(token)).await?;
    let Some(user) = &ctx.user else {
        return Err(WebError::LoginRequired(r.base_path));
    };
    let actor = ctx.actor()?;
    if !actor.may_enter_proponent_area(r.code) {
        return Err(WebError::Forbidden);
    }
    match state
        .store
        .proposal_claim(r.code, r.proposal.id, user.id, &ctx.who())
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}?notice=proposal-claimed", r.base_path)).into_response())
        }
        Err(renkei_store::StoreError::Conflict { key, .. }) => {
            let mut errors = FieldErrors::default();
            errors.add(&ctx.tr, "claim", key);
            render(&state, &ctx, r, None, String::new(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn message(
    state: AppState,
    ctx: Ctx,
    code: String,
    access: Access,
    form: MessageForm,
) -> Result<Response, WebError> {
    let r = resolve(&state, &ctx, &code, access).await?;
    // The desk learns of it by mail (without the content, which stays behind sign-in).
    if let Err(e) =
        cmd::message_to_desk(&state.app, &r.caller(), r.code, &r.proposal, &form.body).await
    {
        let mut errors = FieldErrors::default();
        for f in super::desk_proposal::refused(e)? {
            errors.add(&ctx.tr, f.field, f.key);
        }
        return render(&state, &ctx, r, None, form.body, errors).await;
    }
    Ok(Redirect::to(&format!("{}?notice=message-sent", r.base_path)).into_response())
}

pub async fn message_by_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> Result<Response, WebError> {
    message(state, ctx, code, Access::Token(token), form).await
}

pub async fn message_by_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> Result<Response, WebError> {
    message(state, ctx, code, Access::Account(receipt), form).await
}

/// Withdrawal is confirmed first (it cannot be undone).
#[derive(Deserialize, Default)]
pub struct WithdrawForm {
    #[serde(default)]
    confirm: String,
}

async fn withdraw(
    state: AppState,
    ctx: Ctx,
    code: String,
    access: Access,
    form: WithdrawForm,
) -> Result<Response, WebError> {
    let r = resolve(&state, &ctx, &code, access).await?;
    if !super::confirm::confirmed(&form.confirm) && !r.proposal.status().is_closed() {
        let tr = &ctx.tr;
        return super::confirm::render(
            &ctx,
            super::confirm::Confirm {
                title: tr.t("confirm-withdraw-title"),
                subject: format!("{}　{}", r.proposal.receipt_number, r.proposal.title),
                lead: tr.t("confirm-withdraw-lead"),
                facts: vec![(
                    tr.t("col-status"),
                    tr.t(&format!("status-{}", r.proposal.status)),
                )],
                action: format!("{}/withdraw", r.base_path),
                hidden: Vec::new(),
                confirm_label: tr.t("proposal-withdraw"),
                danger: true,
                back_posts: false,
                back_href: r.base_path.clone(),
            },
        );
    }
    match cmd::withdraw(&state.app, &r.caller(), r.code, &r.proposal).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("{}?notice=proposal-withdrawn", r.base_path)).into_response())
        }
        Err(e) => {
            let mut errors = FieldErrors::default();
            for f in super::desk_proposal::refused(e)? {
                errors.add(&ctx.tr, "withdraw", f.key);
            }
            render(&state, &ctx, r, None, String::new(), errors).await
        }
    }
}

pub async fn withdraw_by_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Result<Response, WebError> {
    withdraw(state, ctx, code, Access::Token(token), form).await
}

pub async fn withdraw_by_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<WithdrawForm>,
) -> Result<Response, WebError> {
    withdraw(state, ctx, code, Access::Account(receipt), form).await
}

#[derive(Deserialize)]
pub struct ConsentForm {
    #[serde(default)]
    publication: Option<String>,
    #[serde(default)]
    referral: Option<String>,
}

async fn consent(
    state: AppState,
    ctx: Ctx,
    code: String,
    access: Access,
    form: ConsentForm,
) -> Result<Response, WebError> {
    let r = resolve(&state, &ctx, &code, access).await?;
    cmd::set_consent(
        &state.app,
        &r.caller(),
        r.code,
        &r.proposal,
        form.publication.as_deref() == Some("yes"),
        form.referral.as_deref() == Some("yes"),
    )
    .await?;
    Ok(Redirect::to(&format!("{}?notice=consent-saved", r.base_path)).into_response())
}

pub async fn consent_by_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> Result<Response, WebError> {
    consent(state, ctx, code, Access::Token(token), form).await
}

pub async fn consent_by_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> Result<Response, WebError> {
    consent(state, ctx, code, Access::Account(receipt), form).await
}

/// Serves an attachment as a download, never inline: `Content-Disposition: attachment`,
/// the sniffed type, `nosniff` and a sandboxing CSP.
pub fn download(meta: &renkei_store::proposals::AttachmentMeta, data: Vec<u8>) -> Response {
    // Named again on the way out: files stored before the rule keep an untruthful extension
    // or reordering characters in the database, never in the download.
    let filename = match renkei_domain::attachment::FileKind::from_mime(&meta.content_type) {
        Some(kind) => renkei_domain::attachment::truthful_filename(&meta.filename, kind),
        None => renkei_domain::attachment::clean_filename(&meta.filename),
    };
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::error::urlencode(&filename).replace('/', "%2F");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut resp = Response::new(Body::from(data));
    let h = resp.headers_mut();
    if let Ok(v) = meta.content_type.parse() {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = disposition.parse() {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    resp
}

async fn attachment(
    state: AppState,
    ctx: Ctx,
    code: String,
    access: Access,
    id: i64,
) -> Result<Response, WebError> {
    let r = resolve(&state, &ctx, &code, access).await?;
    // Never the desk's own files (they are internal to city hall).
    let (meta, data) = state
        .store
        .proponent_attachment_data(r.code, r.proposal.id, id)
        .await?;
    state
        .store
        .audit_proposal_read(
            r.code,
            &r.proposal.receipt_number,
            &format!("attachment:{id}"),
            &r.who,
        )
        .await?;
    Ok(download(&meta, data))
}

pub async fn attachment_by_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, token, id)): Path<(String, String, i64)>,
) -> Result<Response, WebError> {
    attachment(state, ctx, code, Access::Token(token), id).await
}

pub async fn attachment_by_account(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, receipt, id)): Path<(String, String, i64)>,
) -> Result<Response, WebError> {
    attachment(state, ctx, code, Access::Account(receipt), id).await
}
