use super::{NoticeQuery, html};
use crate::auth::{Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use renkei_domain::{Actor, Role};
use renkei_store::departments::Department;
use renkei_store::tenants::Tenant;
use renkei_store::users::User;

/// What the create form holds (kept as typed when it is sent back with errors).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub department: String,
}

/// Roles a tenant administrator may give (never operator).
pub const ASSIGNABLE_ROLES: [Role; 4] =
    [Role::Desk, Role::Department, Role::Admin, Role::Proponent];

#[derive(Template)]
#[template(path = "pages/users_list.html")]
struct UsersTemplate {
    base: Base,
    lead: String,
    tenant: Tenant,
    users: Vec<User>,
    departments: Vec<Department>,
    roles: Vec<(&'static str, String)>,
    form: UserForm,
    errors: FieldErrors,
    role_hint: String,
    /// The signed-in user (who cannot deactivate themselves).
    me: i64,
}

pub(crate) async fn render(
    state: &AppState,
    ctx: &Ctx,
    access: TenantAccess,
    notice: Option<&str>,
    form: UserForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let users = state.store.users_in_tenant(&access.tenant.code).await?;
    let departments = state.store.departments(access.code).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&UsersTemplate {
        me: access.actor.user_id,
        base: Base::new(ctx, ctx.tr.t("users-title")).with_notice(notice),
        lead: ctx.tr.t1("users-lead", "name", &access.tenant.full_name()),
        tenant: access.tenant,
        users,
        departments,
        roles: ASSIGNABLE_ROLES
            .iter()
            .map(|r| (r.as_str(), ctx.tr.t(r.label_key())))
            .collect(),
        form: UserForm {
            password: String::new(),
            ..form
        },
        errors,
        role_hint: ctx.tr.t1(
            "user-role-desk-announced",
            "days",
            &renkei_store::users::DESK_STAFF_NOTICE_DAYS,
        ),
    })?;
    Ok((status, page).into_response())
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_users).await?;
    let form = UserForm {
        role: Role::Desk.as_str().to_string(),
        ..UserForm::default()
    };
    render(
        &state,
        &ctx,
        access,
        q.notice.as_deref(),
        form,
        FieldErrors::default(),
    )
    .await
}
