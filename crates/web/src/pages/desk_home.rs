use super::html;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_store::departments::Department;
use renkei_store::tenants::Tenant;

#[derive(Template)]
#[template(path = "pages/desk_home.html")]
struct DeskHomeTemplate {
    base: Base,
    tenant: Tenant,
    lead: String,
    departments: Vec<Department>,
    counts: Vec<(String, i64)>,
    overdue: i64,
    can_handle: bool,
    staff_changes: Vec<StaffChangeView>,
    staff_lead: String,
    /// Departments' questions (照会) waiting for the desk's reply.
    questions: Vec<OpenQuestionView>,
}

/// A question waiting for the desk, in words.
struct OpenQuestionView {
    receipt: String,
    title: String,
    department: String,
    at: String,
}

/// A desk account added (or re-roled) recently, in words: no one joins the desk quietly.
struct StaffChangeView {
    at: String,
    text: String,
    by: String,
}

fn staff_change_views(
    tr: &crate::i18n::Tr,
    list: &[renkei_store::users::DeskStaffChange],
) -> Vec<StaffChangeView> {
    list.iter()
        .map(|c| {
            let who = format!("{}（{}）", c.display_name, c.email);
            let by = match (&c.by_name, c.by_label.as_str()) {
                (Some(name), label) => format!("{name}（{label}）"),
                (None, "cli") => tr.t("desk-staff-by-cli"),
                (None, label) => label.to_string(),
            };
            let text = match c.previous_role {
                Some(prev) => tr.t2(
                    "desk-staff-rerole",
                    ("who", &who),
                    ("from", &tr.t(prev.label_key())),
                ),
                None => tr.t1("desk-staff-added", "who", &who),
            };
            StaffChangeView {
                at: crate::view::display_time(tr.lang, &c.at),
                text,
                by: tr.t1("desk-staff-by", "by", &by),
            }
        })
        .collect()
}

/// What the desk's home reads, kept in `Caches::desk_home` by tenant and by whether the
/// viewer handles proposals (see ARCHITECTURE.md "Read caches").
pub(crate) struct HomeRead {
    departments: Vec<Department>,
    counts: Vec<(String, i64)>,
    overdue: i64,
    questions: Vec<renkei_store::proposals::OpenQuestion>,
    staff_changes: Vec<renkei_store::users::DeskStaffChange>,
}

async fn read(
    store: &renkei_store::Store,
    code: renkei_domain::TenantCode,
    can_handle: bool,
) -> Result<HomeRead, renkei_store::StoreError> {
    let departments = store.departments(code).await?;
    let (counts, overdue, questions) = if can_handle {
        let filter = renkei_store::proposals::InboxFilter {
            overdue_only: true,
            per_page: 1,
            ..Default::default()
        };
        (
            store.desk_counts(code).await?,
            store.inbox(code, &filter).await?.1,
            store.open_questions(code).await?,
        )
    } else {
        (Vec::new(), 0, Vec::new())
    };
    let staff_changes = store
        .desk_staff_changes(code, renkei_store::users::DESK_STAFF_NOTICE_DAYS)
        .await?;
    Ok(HomeRead {
        departments,
        counts,
        overdue,
        questions,
        staff_changes,
    })
}

/// The desk's workspace.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_work_desk).await?;
    let can_handle = access.actor.may_handle_proposals(access.code);
    let r = state
        .caches
        .desk_home
        .get_or_load((access.code.to_string(), can_handle), access.stamp, || {
            read(&state.store, access.code, can_handle)
        })
        .await?;
    let counts = r
        .counts
        .iter()
        .map(|(s, n)| (ctx.tr.t(&format!("status-{s}")), *n))
        .collect();
    let questions = r
        .questions
        .iter()
        .map(|q| OpenQuestionView {
            at: renkei_app::mailer::moment_for(ctx.tr.lang, q.asked_at),
            receipt: q.receipt_number.clone(),
            title: q.title.clone(),
            department: q.department_name.clone(),
        })
        .collect();
    let staff_changes = staff_change_views(&ctx.tr, &r.staff_changes);
    html(&DeskHomeTemplate {
        staff_changes,
        questions,
        staff_lead: ctx.tr.t1(
            "desk-staff-lead",
            "days",
            &renkei_store::users::DESK_STAFF_NOTICE_DAYS,
        ),
        base: Base::new(&ctx, ctx.tr.t("home-desk-title")),
        lead: ctx
            .tr
            .t1("home-desk-lead", "name", &access.tenant.full_name()),
        departments: r.departments.clone(),
        counts,
        overdue: r.overdue,
        can_handle,
        tenant: access.tenant,
    })
}
