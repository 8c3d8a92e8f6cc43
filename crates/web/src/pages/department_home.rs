use super::html;
use super::proposal_view::{self, RoutingView};
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_store::departments::Department;
use renkei_store::users::User;

#[derive(Template)]
#[template(path = "pages/department_home.html")]
struct DepartmentHomeTemplate {
    base: Base,
    lead: String,
    departments: Vec<(Department, Vec<User>, Vec<RoutingView>, String)>,
    code: String,
}

/// The workspace of department staff: their departments and colleagues.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_enter_department_area).await?;
    let mut departments = Vec::new();
    for d in state
        .store
        .departments_of_user(access.actor.user_id)
        .await?
    {
        let members = state.store.department_members(access.code, d.id).await?;
        let routings = proposal_view::routings(
            &ctx.tr,
            state.store.routings_for_department(d.id).await?,
            state.store.today(),
        );
        let waiting = routings.iter().filter(|r| r.answer.is_none()).count();
        let overdue = routings.iter().filter(|r| r.overdue).count();
        let count = if waiting == 0 {
            ctx.tr.t("department-waiting-none")
        } else {
            ctx.tr.t2(
                "department-waiting",
                ("count", &waiting),
                ("overdue", &overdue),
            )
        };
        departments.push((d, members, routings, count));
    }
    if departments.iter().any(|(_, _, r, _)| !r.is_empty()) {
        // The list shows titles of confidential proposals: a read like any other.
        state
            .store
            .audit_proposal_read(access.code, "routed-list", "department-home", &ctx.who())
            .await?;
    }
    let names = departments
        .iter()
        .map(|(d, _, _, _)| d.name.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let lead = if departments.is_empty() {
        ctx.tr.t("home-department-none")
    } else {
        ctx.tr.t1("home-department-lead", "names", &names)
    };
    html(&DepartmentHomeTemplate {
        base: Base::new(&ctx, ctx.tr.t("home-department-title")),
        lead,
        departments,
        code: access.tenant.code,
    })
}
