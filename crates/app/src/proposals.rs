//! Commands on proposals: intake, the desk's actions (lifecycle moves, assignment, hearing
//! records, routing to departments, messages), a department's answer and the proponent's own
//! actions. Pages, the API and the demo call these and nothing else to change a proposal.

use crate::{App, Caller, CommandError, Errors, FieldError};
use chrono::NaiveDate;
use renkei_domain::attachment::{self, MAX_ATTACHMENTS};
use renkei_domain::proposal::{
    Answer, Channel, CorrectionField, DeclineReason, Intake, IntakeInput, Route, Transition, rules,
};
use renkei_domain::{Actor, Lang, TenantCode};
use renkei_store::proposals::{
    BULK_MAX, BulkChange, Correction, Hearing, Memo, NewAttachment, NewHearing, NewProposal,
    Proposal, Routing, Submitted,
};

type Result<T, E = CommandError> = std::result::Result<T, E>;

/// The desk's own commands: desk staff of this local government only.
fn desk(by: &Caller, tenant: TenantCode) -> Result<&Actor> {
    match &by.actor {
        Some(a) if a.may_handle_proposals(tenant) => Ok(a),
        _ => Err(CommandError::Forbidden),
    }
}

async fn desk_proposal(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
) -> Result<Proposal> {
    desk(by, tenant)?;
    Ok(app.store.proposal(tenant, receipt).await?)
}

fn date(errors: &mut Errors, field: &'static str, v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d")
        .map_err(|_| errors.add(field, "error-date-format"))
        .ok()
}

// ---------------------------------------------------------------------------------------------
// Intake

/// A file as it arrived; `data` is `None` when the transport could not read it (bad base64).
#[derive(Debug, Clone)]
pub struct RawFile {
    pub filename: String,
    pub data: Option<Vec<u8>>,
}

/// A submission as typed.
#[derive(Debug, Clone, Default)]
pub struct SubmitInput {
    pub intake: IntakeInput,
    pub files: Vec<RawFile>,
    /// The proponent's account, when signed in as a proponent of this local government.
    pub proponent_user_id: Option<i64>,
    /// Where it came from (the intake rate limit counts per address).
    pub ip: Option<String>,
    /// At most this many submissions per address and hour (0: no limit).
    pub per_hour: i64,
    /// How it came in (default フリー型; the demo plays other routes too).
    pub route: Option<Route>,
    /// The proponent's language (the intake page's, the API's `Accept-Language`; default
    /// Japanese): mail to the proponent about this proposal is written in it.
    pub lang: Lang,
    /// The open call it answers (route テーマ型): refused unless the call takes answers today.
    pub call_id: Option<i64>,
}

/// A draft as kept: the form as typed and the open call it answers, if any.
#[derive(serde::Serialize, serde::Deserialize)]
struct DraftJson {
    #[serde(flatten)]
    intake: IntakeInput,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    call_id: Option<i64>,
}

/// Receives `new`: as an answer to `call_id` (checked and linked in the same transaction)
/// or at the desk's free intake.
async fn receive(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    call_id: Option<i64>,
    mut new: NewProposal,
    per_hour: i64,
) -> Result<Submitted> {
    Ok(match call_id {
        Some(call) => {
            new.route = Route::Theme;
            app.store
                .proposal_submit_answer(tenant, call, new, &by.who, &app.mails, per_hour)
                .await?
        }
        None => {
            app.store
                .proposal_submit_limited(tenant, new, &by.who, &app.mails, per_hour)
                .await?
        }
    })
}

/// Every file checked (count, type by content), with the errors of those refused.
fn files_of(errors: &mut Errors, raw: Vec<RawFile>) -> Vec<NewAttachment> {
    if raw.len() > MAX_ATTACHMENTS {
        errors.add("attachments", "error-attachment-count");
    }
    let mut files = Vec::new();
    for f in raw.into_iter().take(MAX_ATTACHMENTS) {
        match f.data {
            None => errors.add("attachments", "error-bad-request"),
            Some(data) => match attachment_of(&f.filename, data) {
                Ok(a) => files.push(a),
                Err(e) => errors.add(e.field, e.key),
            },
        }
    }
    files
}

/// An attachment checked by its content: allowed types only, named by what it is.
pub fn attachment_of(filename: &str, data: Vec<u8>) -> Result<NewAttachment, FieldError> {
    match attachment::check(&data) {
        Ok(kind) => Ok(NewAttachment {
            filename: attachment::truthful_filename(&attachment::clean_filename(filename), kind),
            content_type: kind.mime().to_string(),
            data,
        }),
        Err(e) => Err(FieldError::from(&e)),
    }
}

/// Everything a public submission needs, checked at once: the intake's fields, the 所在地 and
/// the agreement to the handling of personal information (both asked only of the public), and
/// every file.
fn check_submission(
    intake: &IntakeInput,
    files: Vec<RawFile>,
) -> Result<(Intake, Vec<NewAttachment>)> {
    let mut errors = Errors::default();
    let parsed = Intake::parse(intake)
        .map_err(|list| list.iter().for_each(|e| errors.parse(e)))
        .ok();
    if intake.org_address.trim().is_empty() {
        errors.add("org_address", "error-required");
    }
    if !intake.privacy_consent {
        errors.add("privacy_consent", "error-privacy-consent-required");
    }
    let files = files_of(&mut errors, files);
    Ok((errors.finish(parsed)?, files))
}

/// Receives a proposal at the desk (route フリー型) in one step (the API, the demo): every
/// field checked (all errors at once), then one transaction with the receipt number, the
/// partner, the attachments, the audit entry and the receipt mail with the private tracking
/// link.
pub async fn submit(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    input: SubmitInput,
) -> Result<Submitted> {
    if let Some(call) = input.call_id {
        crate::open_calls::open_for_answers(app, tenant, call).await?;
    }
    let (intake, files) = check_submission(&input.intake, input.files)?;
    receive(
        app,
        by,
        tenant,
        input.call_id,
        NewProposal {
            intake,
            route: input.route.unwrap_or(Route::Free),
            proponent_user_id: input.proponent_user_id,
            attachments: files,
            ip: input.ip,
            lang: input.lang,
            privacy_consented: true,
            draft_token: None,
        },
        input.per_hour,
    )
    .await
}

/// A correction of a draft: the draft's token and the positions of its files to keep.
#[derive(Debug, Clone, Default)]
pub struct DraftCorrection {
    pub token: String,
    pub keep_files: Vec<usize>,
}

/// The intake page's first step: checks the submission exactly as [`submit`] would and keeps
/// it as a draft for the 確認画面; returns the draft's token. Nothing is received yet. When
/// correcting a draft, its kept files join the new ones and the old draft is replaced. At most
/// twice the intake's hourly limit of drafts per address.
pub async fn draft(
    app: &App,
    tenant: TenantCode,
    input: SubmitInput,
    correcting: Option<&DraftCorrection>,
) -> Result<String> {
    let mut files = Vec::new();
    if let Some(c) = correcting
        && let Some(old) = app.store.intake_draft(tenant, &c.token).await?
    {
        for (i, f) in old.files.into_iter().enumerate() {
            if c.keep_files.contains(&i) {
                files.push(RawFile {
                    filename: f.filename,
                    data: Some(f.data),
                });
            }
        }
    }
    files.extend(input.files);
    if let Some(call) = input.call_id {
        crate::open_calls::open_for_answers(app, tenant, call).await?;
    }
    let (_, files) = check_submission(&input.intake, files)?;
    let json = serde_json::to_string(&DraftJson {
        intake: input.intake.clone(),
        call_id: input.call_id,
    })
    .map_err(|e| CommandError::Store(renkei_store::StoreError::Internal(format!("draft: {e}"))))?;
    let ip = input.ip.unwrap_or_default();
    Ok(app
        .store
        .intake_draft_save(
            tenant,
            &json,
            &files,
            correcting.map(|c| c.token.as_str()),
            &ip,
            input.per_hour.saturating_mul(2),
        )
        .await?)
}

/// A draft waiting for its confirmation: the form as typed and its files.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub intake: IntakeInput,
    pub files: Vec<NewAttachment>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The open call it answers, if any.
    pub call_id: Option<i64>,
}

/// The draft under `token`, unless it expired or was sent already.
pub async fn read_draft(app: &App, tenant: TenantCode, token: &str) -> Result<Option<DraftView>> {
    let Some(d) = app.store.intake_draft(tenant, token).await? else {
        return Ok(None);
    };
    let kept: DraftJson = serde_json::from_str(&d.input).map_err(|e| {
        CommandError::Store(renkei_store::StoreError::Internal(format!("draft: {e}")))
    })?;
    Ok(Some(DraftView {
        intake: kept.intake,
        files: d.files,
        expires_at: d.expires_at,
        call_id: kept.call_id,
    }))
}

/// The 確認画面's 送信: receives the draft as [`submit`] would, the draft deleted in the same
/// transaction (a second click finds it gone: `error-draft-gone`). `input` carries who sends
/// it (address, account, language); its intake and files are ignored.
pub async fn submit_draft(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    token: &str,
    input: SubmitInput,
) -> Result<Submitted> {
    let Some(d) = read_draft(app, tenant, token).await? else {
        return Err(CommandError::Conflict {
            field: "form",
            key: "error-draft-gone",
        });
    };
    let files = d
        .files
        .into_iter()
        .map(|f| RawFile {
            filename: f.filename,
            data: Some(f.data),
        })
        .collect();
    let (intake, files) = check_submission(&d.intake, files)?;
    receive(
        app,
        by,
        tenant,
        d.call_id,
        NewProposal {
            intake,
            route: input.route.unwrap_or(Route::Free),
            proponent_user_id: input.proponent_user_id,
            attachments: files,
            ip: input.ip,
            lang: input.lang,
            privacy_consented: true,
            draft_token: Some(token.to_string()),
        },
        input.per_hour,
    )
    .await
}

/// An outbound approach (アプローチ): the desk contacted the organisation first and records
/// it with the first hearing; the proposal starts in 聞き取り.
pub async fn approach(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    intake: &IntakeInput,
    hearing: &HearingInput,
    files: Vec<RawFile>,
) -> Result<Submitted> {
    desk(by, tenant)?;
    let mut errors = Errors::default();
    let intake = Intake::parse(intake)
        .map_err(|list| list.iter().for_each(|e| errors.parse(e)))
        .ok();
    let hearing = match parse_hearing(hearing) {
        Ok(h) => Some(h),
        Err(CommandError::Invalid(list)) => {
            list.iter().for_each(|e| errors.add(e.field, e.key));
            None
        }
        Err(e) => return Err(e),
    };
    let files = files_of(&mut errors, files);
    let (intake, hearing) = errors.finish(intake.zip(hearing))?;
    Ok(app
        .store
        .outbound_create(
            tenant,
            NewProposal {
                intake,
                route: Route::Outbound,
                proponent_user_id: None,
                attachments: files,
                ip: None,
                // The city approached the organisation, in the language of the correspondence.
                lang: Lang::Ja,
                // Entered by the desk: the proponent was not asked on a form.
                privacy_consented: false,
                draft_token: None,
            },
            hearing,
            &by.who,
        )
        .await?)
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

/// A lifecycle move as typed: `action` is `start_hearing`, `start_coordination`, `decide`,
/// `decline` (with `reason` and `explanation`) or `refer` (with `to`, a local government code).
#[derive(Debug, Clone, Default)]
pub struct TransitionInput {
    pub action: String,
    pub reason: String,
    pub explanation: String,
    pub to: String,
    /// The desk's note on why (timeline and audit trail, city-hall staff only).
    pub note: String,
    /// 実施決定 of a proposal that costs the city: why it is justified.
    pub fiscal_justification: String,
}

/// The `action`s a desk may ask for (a withdrawal is the proponent's).
pub const DESK_ACTIONS: [&str; 5] = [
    "start_hearing",
    "start_coordination",
    "decide",
    "decline",
    "refer",
];

/// The move a desk asked for, with every field error at once.
pub fn parse_transition(input: &TransitionInput) -> Result<Transition> {
    let mut errors = Errors::default();
    let t = match input.action.trim() {
        "start_hearing" => Some(Transition::StartHearing),
        "start_coordination" => Some(Transition::StartCoordination),
        "decide" => Some(Transition::Decide {
            fiscal_justification: input.fiscal_justification.clone(),
        }),
        "decline" => {
            let reason = DeclineReason::parse(&input.reason)
                .map_err(|e| errors.parse(&e))
                .ok();
            let explanation = rules::DECLINE_EXPLANATION
                .parse_required(&input.explanation, "error-decline-explanation-required")
                .map_err(|e| errors.parse(&e))
                .ok();
            reason
                .zip(explanation)
                .map(|(reason, explanation)| Transition::Decline {
                    reason,
                    explanation,
                })
        }
        "refer" => TenantCode::parse(&input.to)
            .map_err(|_| errors.add("to", "error-tenant-unknown"))
            .ok()
            .map(|to| Transition::Refer { to }),
        _ => {
            errors.add("action", "error-transition-invalid");
            None
        }
    };
    if let Err(e) = rules::TRANSITION_NOTE.parse(&input.note) {
        errors.parse(&e);
    }
    errors.finish(t)
}

/// Whether the desk's move would be accepted now (for the 確認画面 shown before a closing
/// move); writes nothing. The move itself checks again.
pub async fn check_transition(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    input: &TransitionInput,
) -> Result<(Proposal, Transition)> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let t = parse_transition(input)?;
    app.store
        .transition_allowed(tenant, p.id, &t, &input.note)
        .await?;
    Ok((p, t))
}

/// A lifecycle move by the desk; the proponent hears of it by mail (a referral's receiving
/// desk too).
pub async fn transition(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    input: &TransitionInput,
) -> Result<Proposal> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let t = parse_transition(input)?;
    Ok(app
        .store
        .proposal_transition_noted(tenant, p.id, &t, &input.note, &by.who, &app.mails)
        .await?)
}

/// The proponent withdraws (through the tracking link or their account, resolved by the
/// caller); the proponent is told by mail.
pub async fn withdraw(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    proposal: &Proposal,
) -> Result<Proposal> {
    Ok(app
        .store
        .proposal_transition(
            tenant,
            proposal.id,
            &Transition::Withdraw,
            &by.who,
            &app.mails,
        )
        .await?)
}

/// The proponent's consents: publication if realised, referral to another desk.
pub async fn set_consent(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    proposal: &Proposal,
    publication: bool,
    referral: bool,
) -> Result<()> {
    Ok(app
        .store
        .consent_set(tenant, proposal.id, publication, referral, &by.who)
        .await?)
}

// ---------------------------------------------------------------------------------------------
// The desk's work

/// Assigns a desk officer (`""`: nobody).
pub async fn assign(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    assignee: &str,
) -> Result<()> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let assignee = match assignee.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            CommandError::Invalid(vec![FieldError {
                field: "assignee",
                key: "error-assignee-not-desk",
            }])
        })?),
    };
    Ok(app
        .store
        .proposal_assign(tenant, p.id, assignee, &by.who)
        .await?)
}

/// A hearing record as typed.
#[derive(Debug, Clone, Default)]
pub struct HearingInput {
    pub held_on: String,
    pub channel: String,
    pub participants: String,
    pub notes: String,
    pub next_steps: String,
}

/// A hearing record: a real date (not in the future), a known channel, notes within limits.
pub fn parse_hearing(input: &HearingInput) -> Result<NewHearing> {
    let mut errors = Errors::default();
    let held_on = date(&mut errors, "held_on", &input.held_on);
    let channel = Channel::parse(&input.channel)
        .map_err(|e| errors.parse(&e))
        .ok();
    let mut text = |rule: renkei_domain::text::TextRule, v: &str, required: bool| {
        let r = if required {
            rule.parse_required(v, "error-required")
        } else {
            rule.parse(v)
        };
        r.map_err(|e| errors.parse(&e)).unwrap_or_default()
    };
    let participants = text(rules::HEARING_PARTICIPANTS, &input.participants, false);
    let notes = text(rules::HEARING_NOTES, &input.notes, true);
    let next_steps = text(rules::HEARING_NEXT_STEPS, &input.next_steps, false);
    let parsed = held_on.zip(channel).map(|(held_on, channel)| NewHearing {
        held_on,
        channel,
        participants,
        notes,
        next_steps,
    });
    errors.finish(parsed)
}

/// Records a hearing (聞き取り); returns the record as stored.
pub async fn record_hearing(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    input: &HearingInput,
) -> Result<Hearing> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let h = parse_hearing(input)?;
    app.store.hearing_add(tenant, p.id, &h, &by.who).await?;
    app.store
        .hearings(p.id)
        .await?
        .into_iter()
        .max_by_key(|h| h.id)
        .ok_or(CommandError::NotFound)
}

/// A routing request as typed: departments by id, the question, and the due date (empty:
/// the tenant's routing period in business days from today).
#[derive(Debug, Clone, Default)]
pub struct RouteInput {
    pub department_ids: Vec<String>,
    pub question: String,
    pub due_on: String,
}

/// Asks departments (庁内照会): each gets the question and the deadline, each active member
/// a mail (without the proposal's content, which stays behind sign-in). Returns the new
/// routings.
pub async fn route(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    input: &RouteInput,
) -> Result<Vec<Routing>> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let mut errors = Errors::default();
    let mut ids: Vec<i64> = Vec::new();
    for raw in &input.department_ids {
        match raw.trim().parse::<i64>() {
            Ok(id) if ids.contains(&id) => errors.add("department_ids", "error-routing-duplicate"),
            Ok(id) if id > 0 => ids.push(id),
            _ => errors.add("department_ids", "error-department-unknown"),
        }
    }
    if input.department_ids.is_empty() {
        errors.add("department_ids", "error-routing-department-required");
    }
    let question = rules::ROUTING_QUESTION
        .parse_required(&input.question, "error-required")
        .map_err(|e| errors.parse(&e))
        .ok();
    let due = match input.due_on.trim() {
        "" => Some(
            app.store
                .desk_settings(tenant)
                .await?
                .routing_due(app.store.today()),
        ),
        d => date(&mut errors, "due_on", d),
    };
    let (question, due) = errors.finish(question.zip(due))?;
    app.store
        .routing_add(tenant, p.id, &ids, &question, due, &by.who, &app.mails)
        .await?;
    Ok(app
        .store
        .routings(p.id)
        .await?
        .into_iter()
        .filter(|r| ids.contains(&r.department_id))
        .collect())
}

/// The desk writes to the proponent (who hears of it by mail, with the text).
pub async fn message_to_proponent(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    body: &str,
) -> Result<()> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let body = rules::MESSAGE_BODY.parse_required(body, "error-message-required")?;
    Ok(app
        .store
        .message_add(tenant, p.id, true, &body, &[], &by.who, &app.mails)
        .await?)
}

/// The proponent writes to the desk (whose staff hear of it by mail, without the text).
pub async fn message_to_desk(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    proposal: &Proposal,
    body: &str,
) -> Result<()> {
    let body = rules::MESSAGE_BODY.parse_required(body, "error-message-required")?;
    Ok(app
        .store
        .message_add(tenant, proposal.id, false, &body, &[], &by.who, &app.mails)
        .await?)
}

// ---------------------------------------------------------------------------------------------
// The desk's own records: internal memos, corrections, the desk's files

/// Writes an internal memo (内部メモ): desk staff only, never shown to the proponent or to
/// departments, never in mail.
pub async fn add_memo(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    body: &str,
) -> Result<Memo> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let body = rules::MEMO_BODY.parse_required(body, "error-memo-required")?;
    Ok(app.store.memo_add(tenant, p.id, &body, &by.who).await?)
}

/// A correction as typed: every correctable field as the form posted it (the record's values
/// where the officer changed nothing), the reason, and the record's fingerprint the form was
/// built on ([`renkei_store::proposals::correction_basis`]).
#[derive(Debug, Clone, Default)]
pub struct CorrectionInput {
    pub values: Vec<(CorrectionField, String)>,
    pub reason: String,
    pub basis: String,
}

/// Corrects the record (訂正): each changed field checked by the intake's rule (every error
/// at once), a reason required; one transaction writes the fields, a timeline event per field
/// with the old and new value, the search index and the audit entry. Refused for a withdrawn
/// proposal, when nothing changed, or when the record changed since the form was shown.
pub async fn correct(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    input: &CorrectionInput,
) -> Result<Vec<Correction>> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let mut errors = Errors::default();
    let mut values = Vec::new();
    for (field, raw) in &input.values {
        // 財政負担の内容 is part of the record only when the proponent declared a cost.
        if *field == CorrectionField::FiscalExplanation && !p.fiscal_burden {
            continue;
        }
        match field.parse_value(raw) {
            Ok(v) if *field == CorrectionField::FiscalExplanation && v.is_empty() => {
                errors.add("fiscal_explanation", "error-fiscal-explanation-required");
            }
            Ok(v) => values.push((*field, v)),
            Err(e) => errors.parse(&e),
        }
    }
    let reason = rules::CORRECTION_REASON
        .parse_required(&input.reason, "error-correction-reason-required")
        .map_err(|e| errors.parse(&e))
        .ok();
    let reason = errors.finish(reason)?;
    Ok(app
        .store
        .proposal_correct(tenant, p.id, &values, &reason, &input.basis, &by.who)
        .await?)
}

/// The desk attaches its own files (at least one; type by content, size and count as at the
/// intake): shown to city-hall staff, never to the proponent.
pub async fn attach_desk_files(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    files: Vec<RawFile>,
) -> Result<Vec<i64>> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let mut errors = Errors::default();
    if files.is_empty() {
        errors.add("attachments", "error-attachment-required");
    }
    let files = files_of(&mut errors, files);
    let files = errors.finish(Some(files))?;
    Ok(app
        .store
        .desk_attachments_add(tenant, p.id, &files, &by.who)
        .await?)
}

// ---------------------------------------------------------------------------------------------
// Departments

/// A department's answer as typed.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    pub answer: String,
    pub comment: String,
}

/// A department answers a routing addressed to it (members of that department only).
pub async fn answer(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    routing_id: i64,
    input: &AnswerInput,
) -> Result<Routing> {
    let (_, department) = app.store.routing_department(tenant, routing_id).await?;
    if !by
        .actor
        .as_ref()
        .is_some_and(|a| a.may_answer_routing(tenant, department))
    {
        return Err(CommandError::Forbidden);
    }
    let mut errors = Errors::default();
    let answer = Answer::parse(&input.answer)
        .map_err(|e| errors.parse(&e))
        .ok();
    let comment = rules::ANSWER_COMMENT
        .parse(&input.comment)
        .map_err(|e| errors.parse(&e))
        .unwrap_or_default();
    let answer = errors.finish(answer)?;
    Ok(app
        .store
        .routing_answer(tenant, routing_id, answer, &comment, &by.who, &app.mails)
        .await?)
}

/// A department asks the desk a question about a routing addressed to it that it has not
/// answered (照会; members of that department only). The routing stays pending.
pub async fn ask_desk(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    routing_id: i64,
    question: &str,
) -> Result<i64> {
    let (_, department) = app.store.routing_department(tenant, routing_id).await?;
    if !by
        .actor
        .as_ref()
        .is_some_and(|a| a.may_ask_desk(tenant, department))
    {
        return Err(CommandError::Forbidden);
    }
    let question = rules::DESK_QUESTION.parse_required(question, "error-desk-question-required")?;
    Ok(app
        .store
        .routing_question_ask(tenant, routing_id, &question, &by.who, &app.mails)
        .await?)
}

/// The desk replies to a department's question on one of its proposals.
pub async fn reply_to_question(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    receipt: &str,
    question_id: i64,
    reply: &str,
) -> Result<()> {
    let p = desk_proposal(app, by, tenant, receipt).await?;
    let reply = rules::QUESTION_REPLY.parse_required(reply, "error-reply-required")?;
    Ok(app
        .store
        .routing_question_reply(tenant, p.id, question_id, &reply, &by.who, &app.mails)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_desk_action_is_a_move_and_nothing_else_is() {
        for action in DESK_ACTIONS {
            let input = TransitionInput {
                action: action.to_string(),
                reason: DeclineReason::ALL[0].code().to_string(),
                explanation: "理由".into(),
                to: "272027".into(),
                ..TransitionInput::default()
            };
            let t = parse_transition(&input).expect(action);
            assert_eq!(t.code(), action);
            assert!(!t.by_proponent());
        }
        let withdraw = TransitionInput {
            action: "withdraw".into(),
            ..TransitionInput::default()
        };
        assert!(parse_transition(&withdraw).is_err(), "not a desk move");
    }
}

// ---------------------------------------------------------------------------------------------
// Bulk changes from the inbox

/// The `action`s a bulk change may ask for: an assignment, or a move that needs nothing per
/// proposal. 実施決定 and 紹介 are decided one by one.
pub const BULK_ACTIONS: [&str; 4] = ["assign", "start_hearing", "start_coordination", "decline"];

/// A bulk change as posted from the inbox: the chosen receipt numbers and one action.
#[derive(Debug, Clone, Default)]
pub struct BulkInput {
    pub receipts: Vec<String>,
    pub action: String,
    /// For `assign`: a desk officer's id, `""` for nobody.
    pub assignee: String,
    /// For `decline`.
    pub reason: String,
    pub explanation: String,
    pub note: String,
}

/// What a bulk change would do: the proposals it applies to and those it leaves out (with the
/// message key saying why), for the 確認画面; writes nothing.
#[derive(Debug, Clone)]
pub struct BulkPlan {
    pub change: BulkChange,
    pub apply: Vec<Proposal>,
    pub skipped: Vec<(Proposal, &'static str)>,
}

fn parse_bulk(input: &BulkInput) -> Result<BulkChange> {
    let mut errors = Errors::default();
    if input.receipts.is_empty() {
        errors.add("receipts", "error-bulk-none");
    } else if input.receipts.len() > BULK_MAX {
        errors.add("receipts", "error-bulk-too-many");
    }
    let change = match input.action.trim() {
        "assign" => match input.assignee.trim() {
            "" => Some(BulkChange::Assign(None)),
            v => v
                .parse::<i64>()
                .map_err(|_| errors.add("assignee", "error-assignee-not-desk"))
                .ok()
                .map(|id| BulkChange::Assign(Some(id))),
        },
        a @ ("start_hearing" | "start_coordination" | "decline") => {
            match parse_transition(&TransitionInput {
                action: a.to_string(),
                reason: input.reason.clone(),
                explanation: input.explanation.clone(),
                note: input.note.clone(),
                ..TransitionInput::default()
            }) {
                Ok(t) => Some(BulkChange::Move(t)),
                Err(CommandError::Invalid(fields)) => {
                    for f in fields {
                        errors.add(f.field, f.key);
                    }
                    None
                }
                Err(e) => return Err(e),
            }
        }
        _ => {
            errors.add("action", "error-bulk-action-invalid");
            None
        }
    };
    errors.finish(change)
}

/// The plan of a bulk change for the 確認画面: each chosen proposal of this desk either takes
/// the change or is left out (closed, or the move does not apply to its state).
pub async fn bulk_plan(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    input: &BulkInput,
) -> Result<BulkPlan> {
    desk(by, tenant)?;
    let change = parse_bulk(input)?;
    let mut apply = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for r in &input.receipts {
        if !seen.insert(r.trim().to_string()) {
            continue;
        }
        let p = match app.store.proposal(tenant, r.trim()).await {
            Ok(p) => p,
            Err(renkei_store::StoreError::NotFound) => {
                return Err(CommandError::Invalid(vec![FieldError {
                    field: "receipts",
                    key: "error-bulk-unknown",
                }]));
            }
            Err(e) => return Err(e.into()),
        };
        let why = match &change {
            _ if p.status().is_closed() => Some("bulk-skip-closed"),
            BulkChange::Assign(_) => None,
            BulkChange::Move(m) => {
                renkei_domain::proposal::transition(p.status(), m, p.fiscal_burden)
                    .err()
                    .map(|_| "bulk-skip-state")
            }
        };
        match why {
            Some(k) => skipped.push((p, k)),
            None => apply.push(p),
        }
    }
    Ok(BulkPlan {
        change,
        apply,
        skipped,
    })
}

/// Applies a confirmed bulk change to the proposals its plan applies to, all or nothing (see
/// [`renkei_store::Store::proposals_bulk`]); the proponents hear of a move by mail as they
/// would of a single one.
pub async fn bulk_apply(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    input: &BulkInput,
) -> Result<Vec<Proposal>> {
    let plan = bulk_plan(app, by, tenant, input).await?;
    // The confirmation posts only what it showed would change: one that no longer takes the
    // change was moved by someone else meanwhile, and the desk decides again.
    if !plan.skipped.is_empty() {
        return Err(CommandError::Conflict {
            field: "receipts",
            key: "error-bulk-stale",
        });
    }
    if plan.apply.is_empty() {
        return Err(CommandError::Invalid(vec![FieldError {
            field: "receipts",
            key: "error-bulk-none-applies",
        }]));
    }
    let ids: Vec<i64> = plan.apply.iter().map(|p| p.id).collect();
    Ok(app
        .store
        .proposals_bulk(tenant, &ids, &plan.change, &input.note, &by.who, &app.mails)
        .await?)
}
