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
    /// Per department: its dormant and ending-undecided partnerships.
    alive: Vec<AliveSection>,
}

/// A department's partnerships that need a look: dormant, and ending without a renewal
/// decision (the department's dashboard).
pub struct AliveSection {
    pub department: String,
    pub dormant_line: String,
    pub ending_line: String,
    pub dormant_href: String,
    pub ending_href: String,
    /// (id, title, last sign of life or end day in words).
    pub dormant: Vec<(i64, String, String)>,
    pub ending: Vec<(i64, String, String)>,
}

/// Partnerships listed per kind on the department home (the counts are complete).
const ALIVE_LIST_MAX: i64 = 50;

async fn alive_section(
    state: &AppState,
    ctx: &Ctx,
    code: renkei_domain::TenantCode,
    d: &Department,
) -> Result<AliveSection, WebError> {
    use renkei_store::partnerships::PartnershipFilter;
    let tr = &ctx.tr;
    let base = PartnershipFilter {
        department_id: Some(d.id),
        per_page: ALIVE_LIST_MAX,
        ..Default::default()
    };
    let (dormant, dormant_n) = state
        .store
        .partnerships(
            code,
            &PartnershipFilter {
                dormant: true,
                ..base.clone()
            },
        )
        .await?;
    let (ending, ending_n) = state
        .store
        .partnerships(
            code,
            &PartnershipFilter {
                ending: true,
                ..base
            },
        )
        .await?;
    let day = |d: Option<chrono::NaiveDate>| {
        d.map(|d| renkei_app::mailer::date_for(tr.lang, d))
            .unwrap_or_else(|| "—".into())
    };
    Ok(AliveSection {
        department: d.name.clone(),
        dormant_line: tr.t1("department-dormant-count", "count", &dormant_n),
        ending_line: tr.t1("department-ending-count", "count", &ending_n),
        dormant_href: format!("/t/{code}/partnerships?department={}&dormant=1", d.id),
        ending_href: format!("/t/{code}/partnerships?department={}&ending=1", d.id),
        dormant: dormant
            .into_iter()
            .map(|p| {
                let since = p.last_activity_on.or(p.signed_on).or(p.starts_on);
                (
                    p.id,
                    p.title,
                    tr.t1("department-dormant-since", "day", &day(since)),
                )
            })
            .collect(),
        ending: ending
            .into_iter()
            .map(|p| {
                (
                    p.id,
                    p.title,
                    tr.t1("department-ending-on", "day", &day(p.ends_on)),
                )
            })
            .collect(),
    })
}

/// The workspace of department staff: their departments and colleagues.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_enter_department_area).await?;
    let mut departments = Vec::new();
    let mut alive = Vec::new();
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
        alive.push(alive_section(&state, &ctx, access.code, &d).await?);
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
        alive,
        code: access.tenant.code,
    })
}
