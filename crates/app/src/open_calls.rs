//! Commands on open calls (行政課題・テーマ型提案募集): a department (or the desk) drafts a
//! call, the desk publishes it, proposals answer it, assigned evaluators score the answers,
//! and the desk records the selection. Pages and the API call these and nothing else.

use crate::{App, Caller, CommandError, Errors};
use renkei_domain::open_call::{self, CallMove, CallStatus, OpenCall, OpenCallInput};
use renkei_domain::{Actor, Lang, TenantCode};
use renkei_store::open_calls::{
    AnswerSheet, CallDetail, CallFilter, PublicCall, ScoreSheetInput, StoredCall, score_sheet,
};
use renkei_store::proposals::Proposal;
use renkei_store::users::User;

type Result<T, E = CommandError> = std::result::Result<T, E>;

fn actor(by: &Caller) -> Result<&Actor> {
    by.actor.as_ref().ok_or(CommandError::Forbidden)
}

fn parse(input: &OpenCallInput) -> Result<OpenCall> {
    OpenCall::parse(input).map_err(|list| {
        let mut errors = Errors::default();
        for e in &list {
            errors.parse(e);
        }
        CommandError::Invalid(errors.into_list())
    })
}

/// Whether the caller may see a call at all (and so its content): the desk, the call's
/// department and its evaluators.
fn may_see(a: &Actor, tenant: TenantCode, d: &CallDetail) -> bool {
    a.may_read_call_answers(tenant, d.call.department_id, &d.evaluator_ids())
}

/// The calls the caller works on: the desk sees every call; department staff their
/// departments' calls. `status` filters by the status as it stands today.
pub async fn list(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    status: Option<CallStatus>,
) -> Result<Vec<StoredCall>> {
    let a = actor(by)?;
    let all = app
        .store
        .open_calls(
            tenant,
            CallFilter {
                status,
                department: None,
            },
        )
        .await?;
    if a.may_run_calls(tenant) {
        return Ok(all);
    }
    if a.may_enter_department_area(tenant) {
        return Ok(all
            .into_iter()
            .filter(|c| a.departments.contains(&c.department_id))
            .collect());
    }
    Err(CommandError::Forbidden)
}

/// The calls the caller is assigned to evaluate.
pub async fn my_evaluations(app: &App, by: &Caller, tenant: TenantCode) -> Result<Vec<StoredCall>> {
    let a = actor(by)?;
    if !a.may_enter_staff_area(tenant) || a.tenant != Some(tenant) {
        return Err(CommandError::Forbidden);
    }
    Ok(app
        .store
        .open_calls_for_evaluator(tenant, a.user_id)
        .await?)
}

/// One call with its criteria, evaluators and selection (the desk, its department, its
/// evaluators; anyone else: not found, so its existence is not told).
pub async fn get(app: &App, by: &Caller, tenant: TenantCode, id: i64) -> Result<CallDetail> {
    let a = actor(by)?;
    let d = app.store.open_call(tenant, id).await?;
    if may_see(a, tenant, &d) {
        Ok(d)
    } else {
        Err(CommandError::NotFound)
    }
}

/// A new call in draft, of a department the caller drafts for.
pub async fn create(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    input: &OpenCallInput,
) -> Result<i64> {
    let a = actor(by)?;
    // Who drafts at all: the desk and department staff; which department, once parsed.
    if !a.may_run_calls(tenant) && !a.may_enter_department_area(tenant) {
        return Err(CommandError::Forbidden);
    }
    let c = parse(input)?;
    if !a.may_draft_call(tenant, c.department_id) {
        return Err(CommandError::Forbidden);
    }
    Ok(app.store.open_call_create(&by.who, tenant, &c).await?)
}

/// Replaces a draft's content.
pub async fn update(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    input: &OpenCallInput,
) -> Result<()> {
    let a = actor(by)?;
    let d = get(app, by, tenant, id).await?;
    if !a.may_draft_call(tenant, d.call.department_id) {
        return Err(CommandError::Forbidden);
    }
    let c = parse(input)?;
    if !a.may_draft_call(tenant, c.department_id) {
        return Err(CommandError::Forbidden);
    }
    Ok(app.store.open_call_update(&by.who, tenant, id, &c).await?)
}

/// The department sends its draft to the desk (the desk hears of it).
pub async fn submit(app: &App, by: &Caller, tenant: TenantCode, id: i64) -> Result<CallStatus> {
    let a = actor(by)?;
    let d = get(app, by, tenant, id).await?;
    if !a.may_draft_call(tenant, d.call.department_id) {
        return Err(CommandError::Forbidden);
    }
    Ok(app
        .store
        .open_call_move(&by.who, tenant, id, CallMove::Submit, "", &app.mails)
        .await?)
}

/// The desk's moves: `publish`, `return` (with a comment) or `close` (early).
pub async fn desk_move(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    action: &str,
    comment: &str,
) -> Result<CallStatus> {
    let a = actor(by)?;
    if !a.may_run_calls(tenant) {
        return Err(CommandError::Forbidden);
    }
    let m = match action {
        "publish" => CallMove::Publish,
        "return" => CallMove::Return,
        "close" => CallMove::Close,
        _ => {
            return Err(CommandError::Invalid(vec![crate::FieldError {
                field: "action",
                key: "error-call-transition-invalid",
            }]));
        }
    };
    app.store.open_call_row(tenant, id).await?;
    Ok(app
        .store
        .open_call_move(&by.who, tenant, id, m, comment, &app.mails)
        .await?)
}

/// The staff who may be assigned as evaluators: active desk and department accounts.
pub async fn staff(app: &App, by: &Caller, tenant: TenantCode) -> Result<Vec<User>> {
    let a = actor(by)?;
    if !a.may_run_calls(tenant) {
        return Err(CommandError::Forbidden);
    }
    Ok(app
        .store
        .users_in_tenant(&tenant.to_string())
        .await?
        .into_iter()
        .filter(|u| {
            !u.disabled
                && matches!(
                    u.role,
                    renkei_domain::Role::Desk | renkei_domain::Role::Department
                )
        })
        .collect())
}

/// Assigns an evaluator (`user_id` as typed); the evaluator hears of it.
pub async fn assign(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    user_id: &str,
) -> Result<()> {
    let a = actor(by)?;
    if !a.may_run_calls(tenant) {
        return Err(CommandError::Forbidden);
    }
    let Some(uid) = user_id.trim().parse::<i64>().ok().filter(|u| *u > 0) else {
        return Err(CommandError::Invalid(vec![crate::FieldError {
            field: "evaluator",
            key: "error-call-evaluator-not-staff",
        }]));
    };
    Ok(app
        .store
        .open_call_assign(&by.who, tenant, id, uid, &app.mails)
        .await?)
}

/// Removes an evaluator who has not scored.
pub async fn unassign(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    user_id: i64,
) -> Result<()> {
    let a = actor(by)?;
    if !a.may_run_calls(tenant) {
        return Err(CommandError::Forbidden);
    }
    Ok(app
        .store
        .open_call_unassign(&by.who, tenant, id, user_id)
        .await?)
}

/// A call's answers (confidential proposals), each read recorded in the audit trail.
pub async fn answers(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
) -> Result<(CallDetail, Vec<Proposal>)> {
    let d = get(app, by, tenant, id).await?;
    let list = app.store.open_call_answers(tenant, id).await?;
    for p in &list {
        app.store
            .audit_proposal_read(tenant, &p.receipt_number, "call-answers", &by.who)
            .await?;
    }
    Ok((d, list))
}

/// One answer of a call, read by the desk, the call's department or an evaluator (audited).
pub async fn answer(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    proposal_id: i64,
) -> Result<(CallDetail, Proposal)> {
    let d = get(app, by, tenant, id).await?;
    let p = app
        .store
        .open_call_answers(tenant, id)
        .await?
        .into_iter()
        .find(|p| p.id == proposal_id)
        .ok_or(CommandError::NotFound)?;
    app.store
        .audit_proposal_read(tenant, &p.receipt_number, "call-answer", &by.who)
        .await?;
    Ok((d, p))
}

/// The score sheet: per answer, every evaluator's scores, conflicts, weighted totals and the
/// average. The desk and the call's department (evaluators see their own sheets only).
pub async fn sheet(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
) -> Result<Vec<AnswerSheet>> {
    let a = actor(by)?;
    let d = get(app, by, tenant, id).await?;
    if !a.may_read_call_answers(tenant, d.call.department_id, &[]) {
        return Err(CommandError::Forbidden);
    }
    let answers: Vec<i64> = app
        .store
        .open_call_answers(tenant, id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let scores = app.store.open_call_scores(tenant, id).await?;
    let conflicts = app.store.open_call_conflicts(tenant, id).await?;
    Ok(score_sheet(
        &d.criteria,
        &d.evaluators,
        &answers,
        &scores,
        &conflicts,
    ))
}

/// The caller's own sheet per answer (an evaluator's view).
pub async fn my_sheets(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
) -> Result<Vec<AnswerSheet>> {
    let a = actor(by)?;
    let d = get(app, by, tenant, id).await?;
    if !a.may_evaluate_call(tenant, &d.evaluator_ids()) {
        return Err(CommandError::Forbidden);
    }
    let answers: Vec<i64> = app
        .store
        .open_call_answers(tenant, id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    let me: Vec<_> = d
        .evaluators
        .iter()
        .filter(|e| e.user_id == a.user_id)
        .cloned()
        .collect();
    let scores: Vec<_> = app
        .store
        .open_call_scores(tenant, id)
        .await?
        .into_iter()
        .filter(|s| s.evaluator_id == a.user_id)
        .collect();
    let conflicts: Vec<_> = app
        .store
        .open_call_conflicts(tenant, id)
        .await?
        .into_iter()
        .filter(|c| c.evaluator_id == a.user_id)
        .collect();
    Ok(score_sheet(&d.criteria, &me, &answers, &scores, &conflicts))
}

/// An evaluator declares a conflict of interest on an answer (and cannot score it).
pub async fn declare_conflict(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    proposal_id: i64,
    reason: &str,
) -> Result<()> {
    let a = actor(by)?;
    let d = get(app, by, tenant, id).await?;
    if !a.may_evaluate_call(tenant, &d.evaluator_ids()) {
        return Err(CommandError::Forbidden);
    }
    Ok(app
        .store
        .open_call_conflict(&by.who, tenant, id, proposal_id, a.user_id, reason)
        .await?)
}

/// One evaluator's scores for one answer as typed: (criterion id, score) per criterion.
#[derive(Debug, Clone, Default)]
pub struct ScoreInput {
    pub scores: Vec<(String, String)>,
    pub comment: String,
}

/// Records the caller's scores for one answer (every criterion 1–5, in one write). Refused
/// while the call is not closed, when decided, and on an answer they declared a conflict on.
pub async fn score(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    proposal_id: i64,
    input: &ScoreInput,
) -> Result<()> {
    let a = actor(by)?;
    let d = get(app, by, tenant, id).await?;
    let conflicted = app
        .store
        .open_call_conflicts(tenant, id)
        .await?
        .iter()
        .any(|c| c.proposal_id == proposal_id && c.evaluator_id == a.user_id);
    if !a.may_evaluate_call(tenant, &d.evaluator_ids()) {
        return Err(CommandError::Forbidden);
    }
    if conflicted {
        return Err(CommandError::Conflict {
            field: "form",
            key: "error-call-conflicted",
        });
    }
    if !a.may_score_answer(tenant, &d.evaluator_ids(), d.call.status, conflicted) {
        return Err(CommandError::Conflict {
            field: "form",
            key: "error-call-not-closed",
        });
    }
    let mut errors = Errors::default();
    let mut scores = Vec::new();
    for c in &d.criteria {
        let typed = input
            .scores
            .iter()
            .find(|(k, _)| k.trim() == c.id.to_string())
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        match open_call::parse_score(typed) {
            Ok(s) => scores.push((c.id, s)),
            Err(e) => errors.parse(&e),
        }
    }
    if let Err(e) = open_call::rules::SCORE_COMMENT.parse(&input.comment) {
        errors.parse(&e);
    }
    let scores = errors.finish(Some(scores))?;
    Ok(app
        .store
        .open_call_score(
            &by.who,
            tenant,
            id,
            proposal_id,
            a.user_id,
            &ScoreSheetInput {
                scores,
                comment: input.comment.clone(),
            },
        )
        .await?)
}

/// The selection as typed: the chosen answers' proposal ids and the reason (published).
#[derive(Debug, Clone, Default)]
pub struct SelectInput {
    pub selected: Vec<String>,
    pub reason: String,
}

/// The selection parsed: ids and reason; every problem at once.
pub fn parse_selection(input: &SelectInput) -> Result<(Vec<i64>, String)> {
    let mut errors = Errors::default();
    let mut ids = Vec::new();
    for s in input.selected.iter().take(100) {
        match s.trim().parse::<i64>() {
            Ok(v) if v > 0 && !ids.contains(&v) => ids.push(v),
            Ok(_) => {}
            Err(_) => errors.add("selected", "error-call-selection-invalid"),
        }
    }
    if ids.is_empty() {
        errors.add("selected", "error-call-selection-none");
    }
    let reason = open_call::rules::SELECTION_REASON
        .parse_required(&input.reason, "error-call-selection-reason")
        .map_err(|e| errors.parse(&e))
        .ok();
    errors.finish(reason.map(|r| (ids, r)))
}

/// Records the selection and its reason: the chosen answers move to 実施決定, the others are
/// declined with the standard explanation (their proponents are told by the status mail).
pub async fn select(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    id: i64,
    input: &SelectInput,
) -> Result<()> {
    let a = actor(by)?;
    if !a.may_run_calls(tenant) {
        return Err(CommandError::Forbidden);
    }
    let (ids, reason) = parse_selection(input)?;
    let call = app.store.open_call_row(tenant, id).await?;
    let explanation = crate::i18n::Tr::new(Lang::Ja).fill(
        "call-not-selected-explanation",
        &[("title", call.title.as_str())],
    );
    Ok(app
        .store
        .open_call_select(&by.who, tenant, id, &ids, &reason, &explanation, &app.mails)
        .await?)
}

/// The calls anyone may read (published, closed, decided).
pub async fn public_list(app: &App, tenant: TenantCode) -> Result<Vec<StoredCall>> {
    Ok(app.store.open_calls_public(tenant).await?)
}

/// The calls anyone may read that match the words of `q` (the call search: every word,
/// folded, in the call's public content); all of them when `q` has no words.
pub async fn public_search(app: &App, tenant: TenantCode, q: &str) -> Result<Vec<StoredCall>> {
    let all = app.store.open_calls_public(tenant).await?;
    Ok(
        match app.store.public_call_matches(Some(tenant), q).await? {
            None => all,
            Some(ids) => all
                .into_iter()
                .filter(|c| ids.binary_search(&c.id).is_ok())
                .collect(),
        },
    )
}

/// One call as anyone may read it; after the decision, who was chosen and why.
pub async fn public_get(app: &App, tenant: TenantCode, id: i64) -> Result<PublicCall> {
    Ok(app.store.open_call_public(tenant, id).await?)
}

/// The call a proposal is about to answer, when it takes answers today (the intake's check
/// before the 確認画面; the submission's transaction checks again).
pub async fn open_for_answers(app: &App, tenant: TenantCode, id: i64) -> Result<StoredCall> {
    let c = app.store.open_call_row(tenant, id).await?;
    if !c.status.is_public() {
        return Err(CommandError::NotFound);
    }
    if open_call::accepts_answers(c.stored_status, c.opens_on, c.closes_on, app.store.today()) {
        Ok(c)
    } else {
        Err(CommandError::Conflict {
            field: "call",
            key: "error-call-not-open",
        })
    }
}
