//! Open calls (行政課題・テーマ型提案募集) for city-hall staff. The same pages serve two areas:
//! the desk (`/t/{code}/desk/calls…`: every call; approve and publish, return, close early,
//! assign evaluators, the score sheet and the selection) and department staff
//! (`/t/{code}/department/calls…`: their departments' calls; draft, edit, submit). The
//! commands in `renkei_app::open_calls` decide who may do what.

use super::proposal_view::{Choice, choices};
use super::{NoticeQuery, confirm, html};
use crate::auth::{CsrfForm, Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::i18n::Tr;
use renkei_app::mailer::date_for;
use renkei_app::open_calls as cmd;
use renkei_domain::open_call::{CallStatus, MAX_CRITERIA, OpenCallInput, rules};
use renkei_domain::proposal::Field;
use renkei_domain::{Actor, Role};
use renkei_store::open_calls::{AnswerSheet, CallDetail, StoredCall};
use serde::Deserialize;

/// Which workspace a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Desk,
    Department,
}

impl Area {
    pub fn segment(self) -> &'static str {
        match self {
            Self::Desk => "desk",
            Self::Department => "department",
        }
    }

    fn allowed(self) -> fn(&Actor, renkei_domain::TenantCode) -> bool {
        match self {
            Self::Desk => Actor::may_run_calls,
            Self::Department => Actor::may_enter_department_area,
        }
    }

    fn home_key(self) -> &'static str {
        match self {
            Self::Desk => "home-desk-title",
            Self::Department => "home-department-title",
        }
    }
}

async fn access(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    area: Area,
) -> Result<TenantAccess, WebError> {
    tenant_access(state, ctx, code, area.allowed()).await
}

/// A call as a list or page shows it.
pub struct CallView {
    pub c: StoredCall,
    pub status: String,
    pub period: String,
    pub fields: String,
}

pub fn call_view(tr: &Tr, c: StoredCall) -> CallView {
    let sep = if tr.lang == renkei_domain::Lang::En {
        ", "
    } else {
        "、"
    };
    CallView {
        status: tr.t(&c.status.label_key()),
        period: tr.fill(
            "call-period-value",
            &[
                ("from", &date_for(tr.lang, c.opens_on)),
                ("to", &date_for(tr.lang, c.closes_on)),
            ],
        ),
        fields: c
            .fields
            .iter()
            .map(|f| tr.t(&f.label_key()))
            .collect::<Vec<_>>()
            .join(sep),
        c,
    }
}

#[derive(Template)]
#[template(path = "pages/calls_list.html")]
struct ListTemplate {
    base: Base,
    code: String,
    area: &'static str,
    home_label: String,
    calls: Vec<CallView>,
    statuses: Vec<Choice>,
    may_create: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    notice: Option<String>,
}

async fn list(
    state: AppState,
    ctx: Ctx,
    code: String,
    q: ListQuery,
    area: Area,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, area).await?;
    let tr = &ctx.tr;
    let status = q
        .status
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| CallStatus::parse(s).ok());
    let calls = cmd::list(&state.app, &a.caller(&ctx), a.code, status)
        .await?
        .into_iter()
        .map(|c| call_view(tr, c))
        .collect();
    let selected = status.map(|s| s.code().to_string()).unwrap_or_default();
    let page = html(&ListTemplate {
        base: Base::new(&ctx, tr.t("calls-title")).with_notice(q.notice.as_deref()),
        code: a.tenant.code.clone(),
        area: area.segment(),
        home_label: tr.t(area.home_key()),
        calls,
        statuses: choices(
            tr,
            CallStatus::ALL,
            CallStatus::code,
            CallStatus::label_key,
            std::slice::from_ref(&selected),
        ),
        may_create: area == Area::Desk || !a.actor.departments.is_empty(),
    })?;
    Ok(page.into_response())
}

/// `GET /t/{code}/desk/calls`
pub async fn desk_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list(state, ctx, code, q, Area::Desk).await
}

/// `GET /t/{code}/department/calls`
pub async fn department_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    list(state, ctx, code, q, Area::Department).await
}

// ---------------------------------------------------------------------------------------------
// The form (new and edit)

/// The form as typed; the criteria are rows of name and weight.
#[derive(Deserialize, Default, Clone)]
pub struct CallForm {
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub problem: String,
    #[serde(default)]
    pub constraints: String,
    #[serde(default)]
    pub offers: String,
    #[serde(default)]
    pub outcomes: String,
    #[serde(default)]
    pub opens_on: String,
    #[serde(default)]
    pub closes_on: String,
    #[serde(default)]
    pub eligibility: String,
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub criterion_name: Vec<String>,
    #[serde(default)]
    pub criterion_weight: Vec<String>,
}

impl CallForm {
    fn input(&self) -> OpenCallInput {
        OpenCallInput {
            department_id: self.department_id.clone(),
            title: self.title.clone(),
            background: self.background.clone(),
            problem: self.problem.clone(),
            constraints: self.constraints.clone(),
            offers: self.offers.clone(),
            outcomes: self.outcomes.clone(),
            opens_on: self.opens_on.clone(),
            closes_on: self.closes_on.clone(),
            eligibility: self.eligibility.clone(),
            fields: self
                .fields
                .iter()
                .take(Field::ALL.len() + 1)
                .cloned()
                .collect(),
            criteria: self
                .criterion_name
                .iter()
                .zip(self.criterion_weight.iter())
                .take(MAX_CRITERIA + 1)
                .map(|(n, w)| (n.clone(), w.clone()))
                .collect(),
        }
    }

    fn of(d: &CallDetail) -> Self {
        let c = &d.call;
        Self {
            department_id: c.department_id.to_string(),
            title: c.title.clone(),
            background: c.background.clone(),
            problem: c.problem.clone(),
            constraints: c.constraints.clone(),
            offers: c.offers.clone(),
            outcomes: c.outcomes.clone(),
            opens_on: c.opens_on.to_string(),
            closes_on: c.closes_on.to_string(),
            eligibility: c.eligibility.clone(),
            fields: c.fields.iter().map(|f| f.code().to_string()).collect(),
            criterion_name: d.criteria.iter().map(|k| k.name.clone()).collect(),
            criterion_weight: d.criteria.iter().map(|k| k.weight.to_string()).collect(),
        }
    }
}

/// One row of the criteria table in the form.
pub struct CriterionRow {
    pub n: usize,
    pub name: String,
    pub weight: String,
}

/// A text area or input of the form: its field name, label key, value, limit, whether
/// required and whether it holds several lines.
pub struct TextInput {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub max: usize,
    pub required: bool,
    pub many: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/call_form.html")]
struct FormTemplate {
    base: Base,
    code: String,
    area: &'static str,
    editing: Option<i64>,
    departments: Vec<Choice>,
    texts: Vec<TextInput>,
    opens_on: String,
    closes_on: String,
    fields: Vec<Choice>,
    criteria: Vec<CriterionRow>,
    errors: FieldErrors,
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    a: &TenantAccess,
    area: Area,
    editing: Option<i64>,
    form: CallForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let departments: Vec<_> = state
        .store
        .departments(a.code)
        .await?
        .into_iter()
        .filter(|d| area == Area::Desk || a.actor.departments.contains(&d.id))
        .map(|d| Choice {
            checked: d.id.to_string() == form.department_id,
            value: d.id.to_string(),
            label: d.name,
        })
        .collect();
    let text = |name: &'static str,
                label: &str,
                value: &str,
                rule: renkei_domain::text::TextRule,
                required: bool| TextInput {
        name,
        label: tr.t(label),
        value: value.to_string(),
        max: rule.max,
        required,
        many: rule.lines == renkei_domain::text::Lines::Many,
        error: errors.get(name).cloned(),
    };
    let texts = vec![
        text("title", "call-title", &form.title, rules::TITLE, true),
        text(
            "background",
            "call-background",
            &form.background,
            rules::BACKGROUND,
            true,
        ),
        text(
            "problem",
            "call-problem",
            &form.problem,
            rules::PROBLEM,
            true,
        ),
        text(
            "constraints",
            "call-constraints",
            &form.constraints,
            rules::CONSTRAINTS,
            false,
        ),
        text("offers", "call-offers", &form.offers, rules::OFFERS, false),
        text(
            "outcomes",
            "call-outcomes",
            &form.outcomes,
            rules::OUTCOMES,
            true,
        ),
        text(
            "eligibility",
            "call-eligibility",
            &form.eligibility,
            rules::ELIGIBILITY,
            false,
        ),
    ];
    let criteria = (0..MAX_CRITERIA)
        .map(|i| CriterionRow {
            n: i + 1,
            name: form.criterion_name.get(i).cloned().unwrap_or_default(),
            weight: form.criterion_weight.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&FormTemplate {
        base: Base::new(
            ctx,
            tr.t(if editing.is_some() {
                "call-edit-title"
            } else {
                "call-new-title"
            }),
        ),
        code: a.tenant.code.clone(),
        area: area.segment(),
        editing,
        departments,
        texts,
        opens_on: form.opens_on.clone(),
        closes_on: form.closes_on.clone(),
        fields: choices(tr, Field::ALL, Field::code, Field::label_key, &form.fields),
        criteria,
        errors,
    })?;
    Ok((status, page).into_response())
}

fn refused(ctx: &Ctx, e: renkei_app::CommandError) -> Result<FieldErrors, WebError> {
    let mut errors = FieldErrors::default();
    for f in super::desk_proposal::refused(e)? {
        errors.add(&ctx.tr, f.field, f.key);
    }
    Ok(errors)
}

async fn new_form(
    state: AppState,
    ctx: Ctx,
    code: String,
    area: Area,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, area).await?;
    let form = CallForm {
        department_id: a
            .actor
            .departments
            .first()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        ..CallForm::default()
    };
    render_form(&state, &ctx, &a, area, None, form, FieldErrors::default()).await
}

async fn create(
    state: AppState,
    ctx: Ctx,
    code: String,
    form: CallForm,
    area: Area,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, area).await?;
    match cmd::create(&state.app, &a.caller(&ctx), a.code, &form.input()).await {
        Ok(id) => Ok(Redirect::to(&format!(
            "/t/{}/{}/calls/{id}?notice=call-saved",
            a.code,
            area.segment()
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render_form(&state, &ctx, &a, area, None, form, errors).await
        }
    }
}

async fn edit_form(
    state: AppState,
    ctx: Ctx,
    code: String,
    id: i64,
    area: Area,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, area).await?;
    let d = cmd::get(&state.app, &a.caller(&ctx), a.code, id).await?;
    if !a.actor.may_draft_call(a.code, d.call.department_id) {
        return Err(WebError::Forbidden);
    }
    // Only a draft is edited: otherwise the call's page, which says where it stands.
    if !d.call.status.is_editable() {
        return Ok(
            Redirect::to(&format!("/t/{}/{}/calls/{id}", a.code, area.segment())).into_response(),
        );
    }
    render_form(
        &state,
        &ctx,
        &a,
        area,
        Some(id),
        CallForm::of(&d),
        FieldErrors::default(),
    )
    .await
}

async fn update(
    state: AppState,
    ctx: Ctx,
    code: String,
    id: i64,
    form: CallForm,
    area: Area,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, area).await?;
    match cmd::update(&state.app, &a.caller(&ctx), a.code, id, &form.input()).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/{}/calls/{id}?notice=call-saved",
            a.code,
            area.segment()
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render_form(&state, &ctx, &a, area, Some(id), form, errors).await
        }
    }
}

/// `GET /t/{code}/desk/calls/new`
pub async fn desk_new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    new_form(state, ctx, code, Area::Desk).await
}

/// `GET /t/{code}/department/calls/new`
pub async fn department_new(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    new_form(state, ctx, code, Area::Department).await
}

/// `POST /t/{code}/desk/calls`
pub async fn desk_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<CallForm>,
) -> Result<Response, WebError> {
    create(state, ctx, code, form, Area::Desk).await
}

/// `POST /t/{code}/department/calls`
pub async fn department_create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<CallForm>,
) -> Result<Response, WebError> {
    create(state, ctx, code, form, Area::Department).await
}

/// `GET /t/{code}/desk/calls/{id}/edit`
pub async fn desk_edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    edit_form(state, ctx, code, id, Area::Desk).await
}

/// `GET /t/{code}/department/calls/{id}/edit`
pub async fn department_edit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
) -> Result<Response, WebError> {
    edit_form(state, ctx, code, id, Area::Department).await
}

/// `POST /t/{code}/desk/calls/{id}/edit`
pub async fn desk_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<CallForm>,
) -> Result<Response, WebError> {
    update(state, ctx, code, id, form, Area::Desk).await
}

/// `POST /t/{code}/department/calls/{id}/edit`
pub async fn department_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<CallForm>,
) -> Result<Response, WebError> {
    update(state, ctx, code, id, form, Area::Department).await
}

// ---------------------------------------------------------------------------------------------
// The call's page

/// An answer in the call's list.
pub struct AnswerRow {
    pub id: i64,
    pub receipt: String,
    pub title: String,
    pub org: String,
    pub status: String,
    pub status_code: &'static str,
    pub selected: bool,
    pub average: String,
    pub link: String,
}

/// One row of the score sheet: the answer and each evaluator's cell.
pub struct SheetRow {
    pub receipt: String,
    pub title: String,
    pub cells: Vec<String>,
    pub average: String,
}

/// The average as shown: one decimal, or a dash.
pub fn score_text(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "—".to_string())
}

#[derive(Template)]
#[template(path = "pages/call_show.html")]
struct ShowTemplate {
    base: Base,
    code: String,
    area: &'static str,
    home_label: String,
    call: CallView,
    criteria: Vec<(String, i64)>,
    evaluators: Vec<(i64, String)>,
    answers: Vec<AnswerRow>,
    sheet_heads: Vec<String>,
    sheet: Vec<SheetRow>,
    staff: Vec<Choice>,
    may_edit: bool,
    may_submit: bool,
    desk: bool,
    errors: FieldErrors,
    comment: String,
    reason: String,
}

/// What the page needs to remember when it is shown again with errors.
#[derive(Default)]
struct Typed {
    comment: String,
    reason: String,
}

#[allow(clippy::too_many_arguments)]
async fn render_show(
    state: &AppState,
    ctx: &Ctx,
    a: &TenantAccess,
    area: Area,
    id: i64,
    notice: Option<&str>,
    typed: Typed,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let by = a.caller(ctx);
    let (d, answers) = cmd::answers(&state.app, &by, a.code, id).await?;
    // Department staff see their departments' calls here; an evaluator's own page is elsewhere.
    if area == Area::Department && !a.actor.departments.contains(&d.call.department_id) {
        return Err(WebError::NotFound);
    }
    let sheets: Vec<AnswerSheet> = cmd::sheet(&state.app, &by, a.code, id).await?;
    let desk = area == Area::Desk;
    let answer_rows = answers
        .iter()
        .map(|p| AnswerRow {
            id: p.id,
            receipt: p.receipt_number.clone(),
            title: p.title.clone(),
            org: p.org_name.clone(),
            status: tr.t(&p.status.label_key()),
            status_code: p.status.code(),
            selected: d.selected.contains(&p.id),
            average: score_text(
                sheets
                    .iter()
                    .find(|s| s.proposal_id == p.id)
                    .and_then(|s| s.average),
            ),
            link: if desk {
                format!("/t/{}/desk/proposals/{}", a.code, p.receipt_number)
            } else {
                format!("/t/{}/evaluations/{id}/answers/{}", a.code, p.id)
            },
        })
        .collect();
    let sheet = sheets
        .iter()
        .filter_map(|s| {
            let p = answers.iter().find(|p| p.id == s.proposal_id)?;
            Some(SheetRow {
                receipt: p.receipt_number.clone(),
                title: p.title.clone(),
                cells: s
                    .sheets
                    .iter()
                    .map(|e| match (&e.conflict, e.total) {
                        (Some(_), _) => tr.t("call-sheet-conflict"),
                        (None, Some(t)) => format!("{t:.1}"),
                        (None, None) => tr.t("call-sheet-unscored"),
                    })
                    .collect(),
                average: score_text(s.average),
            })
        })
        .collect();
    let staff = if desk && d.call.status != CallStatus::Decided {
        cmd::staff(&state.app, &by, a.code)
            .await?
            .into_iter()
            .filter(|u| !d.evaluators.iter().any(|e| e.user_id == u.id))
            .map(|u| Choice {
                value: u.id.to_string(),
                label: format!(
                    "{}（{}）",
                    u.display_name,
                    tr.t(if u.role == Role::Desk {
                        "role-desk"
                    } else {
                        "role-department"
                    })
                ),
                checked: false,
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let may_draft = a.actor.may_draft_call(a.code, d.call.department_id);
    let page = html(&ShowTemplate {
        base: Base::new(ctx, d.call.title.clone()).with_notice(notice),
        code: a.tenant.code.clone(),
        area: area.segment(),
        home_label: tr.t(area.home_key()),
        criteria: d
            .criteria
            .iter()
            .map(|k| (k.name.clone(), k.weight))
            .collect(),
        sheet_heads: d.evaluators.iter().map(|e| e.name.clone()).collect(),
        evaluators: d
            .evaluators
            .iter()
            .map(|e| (e.user_id, e.name.clone()))
            .collect(),
        may_edit: may_draft && d.call.status.is_editable(),
        may_submit: may_draft && d.call.status == CallStatus::Draft && !desk,
        call: call_view(tr, d.call),
        answers: answer_rows,
        sheet,
        staff,
        desk,
        errors,
        comment: typed.comment,
        reason: typed.reason,
    })?;
    Ok((status, page).into_response())
}

/// `GET /t/{code}/desk/calls/{id}`
pub async fn desk_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, Area::Desk).await?;
    render_show(
        &state,
        &ctx,
        &a,
        Area::Desk,
        id,
        q.notice.as_deref(),
        Typed::default(),
        FieldErrors::default(),
    )
    .await
}

/// `GET /t/{code}/department/calls/{id}`
pub async fn department_show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, Area::Department).await?;
    render_show(
        &state,
        &ctx,
        &a,
        Area::Department,
        id,
        q.notice.as_deref(),
        Typed::default(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /t/{code}/department/calls/{id}/submit`: the department sends its draft to the desk.
pub async fn department_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, Area::Department).await?;
    match cmd::submit(&state.app, &a.caller(&ctx), a.code, id).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/department/calls/{id}?notice=call-submitted",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render_show(
                &state,
                &ctx,
                &a,
                Area::Department,
                id,
                None,
                Typed::default(),
                errors,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct MoveForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /t/{code}/desk/calls/{id}/move`: publish, return (with a comment) or close early
/// (asked on the confirmation page first: answers stop).
pub async fn desk_move(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, Area::Desk).await?;
    let by = a.caller(&ctx);
    let tr = &ctx.tr;
    if matches!(form.action.as_str(), "close" | "publish") && !confirm::confirmed(&form.confirm) {
        let d = cmd::get(&state.app, &by, a.code, id).await?;
        let (title, lead, label) = if form.action == "close" {
            (
                "confirm-call-close-title",
                "confirm-call-close-lead",
                "call-close",
            )
        } else {
            (
                "confirm-call-publish-title",
                "confirm-call-publish-lead",
                "call-publish",
            )
        };
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t(title),
                subject: d.call.title.clone(),
                lead: tr.t(lead),
                facts: vec![(tr.t("call-period"), call_view(tr, d.call).period)],
                action: format!("/t/{}/desk/calls/{id}/move", a.code),
                hidden: vec![("action".into(), form.action.clone())],
                confirm_label: tr.t(label),
                danger: form.action == "close",
                back_posts: false,
                back_href: format!("/t/{}/desk/calls/{id}", a.code),
            },
        );
    }
    match cmd::desk_move(&state.app, &by, a.code, id, &form.action, &form.comment).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/desk/calls/{id}?notice=call-{}",
            a.code,
            match form.action.as_str() {
                "publish" => "published",
                "return" => "returned",
                _ => "closed",
            }
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            let typed = Typed {
                comment: form.comment,
                ..Typed::default()
            };
            render_show(&state, &ctx, &a, Area::Desk, id, None, typed, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    evaluator: String,
}

/// `POST /t/{code}/desk/calls/{id}/evaluators`
pub async fn desk_assign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, Area::Desk).await?;
    match cmd::assign(&state.app, &a.caller(&ctx), a.code, id, &form.evaluator).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/desk/calls/{id}?notice=call-evaluator-assigned",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render_show(
                &state,
                &ctx,
                &a,
                Area::Desk,
                id,
                None,
                Typed::default(),
                errors,
            )
            .await
        }
    }
}

/// `POST /t/{code}/desk/calls/{id}/evaluators/{user_id}/remove`
pub async fn desk_unassign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id, user_id)): Path<(String, i64, i64)>,
    CsrfForm(_): CsrfForm<super::EmptyForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, Area::Desk).await?;
    match cmd::unassign(&state.app, &a.caller(&ctx), a.code, id, user_id).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/desk/calls/{id}?notice=call-evaluator-removed",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render_show(
                &state,
                &ctx,
                &a,
                Area::Desk,
                id,
                None,
                Typed::default(),
                errors,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct SelectForm {
    #[serde(default)]
    selected: Vec<String>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /t/{code}/desk/calls/{id}/select`: the selection and its reason, on the
/// confirmation page first (the answers' proposals move to 実施決定 or 不採択: not undone).
pub async fn desk_select(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<SelectForm>,
) -> Result<Response, WebError> {
    let a = access(&state, &ctx, &code, Area::Desk).await?;
    let by = a.caller(&ctx);
    let tr = &ctx.tr;
    let input = cmd::SelectInput {
        selected: form.selected.iter().take(100).cloned().collect(),
        reason: form.reason.clone(),
    };
    let typed = Typed {
        reason: form.reason.clone(),
        ..Typed::default()
    };
    if !confirm::confirmed(&form.confirm) {
        // Checked first: a form with errors goes back to the page, not to the question.
        let (ids, reason) = match cmd::parse_selection(&input) {
            Ok(v) => v,
            Err(e) => {
                let errors = refused(&ctx, e)?;
                return render_show(&state, &ctx, &a, Area::Desk, id, None, typed, errors).await;
            }
        };
        let (d, answers) = cmd::answers(&state.app, &by, a.code, id).await?;
        let chosen: Vec<String> = answers
            .iter()
            .filter(|p| ids.contains(&p.id))
            .map(|p| format!("{}　{}（{}）", p.receipt_number, p.title, p.org_name))
            .collect();
        let others = answers.iter().filter(|p| !ids.contains(&p.id)).count();
        let mut hidden: Vec<(String, String)> = ids
            .iter()
            .map(|i| ("selected".to_string(), i.to_string()))
            .collect();
        hidden.push(("reason".into(), reason.clone()));
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t("confirm-call-select-title"),
                subject: d.call.title.clone(),
                lead: tr.t("confirm-call-select-lead"),
                facts: vec![
                    (tr.t("call-selected"), chosen.join("\n")),
                    (tr.t("call-selection-reason"), reason),
                    (tr.t("call-not-selected-count"), others.to_string()),
                ],
                action: format!("/t/{}/desk/calls/{id}/select", a.code),
                hidden,
                confirm_label: tr.t("call-select"),
                danger: false,
                back_posts: false,
                back_href: format!("/t/{}/desk/calls/{id}", a.code),
            },
        );
    }
    match cmd::select(&state.app, &by, a.code, id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/t/{}/desk/calls/{id}?notice=call-decided",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let errors = refused(&ctx, e)?;
            render_show(&state, &ctx, &a, Area::Desk, id, None, typed, errors).await
        }
    }
}
