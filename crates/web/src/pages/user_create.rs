use super::users_list::{ASSIGNABLE_ROLES, UserForm};
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::{Actor, Email, Password, Role};
use renkei_store::StoreError;
use renkei_store::users::NewUser;

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<UserForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_users).await?;
    let tr = ctx.tr;
    let mut errors = FieldErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.add(&tr, e.field, e.key))
        .ok();
    let display_name = renkei_domain::text::DISPLAY_NAME
        .parse_required(&form.display_name, "error-name-required")
        .map_err(|e| errors.add(&tr, e.field, e.key))
        .unwrap_or_default();
    let role = match Role::parse(&form.role) {
        Ok(r) if ASSIGNABLE_ROLES.contains(&r) => Some(r),
        Ok(_) => {
            errors.add(&tr, "role", "error-role-not-allowed");
            None
        }
        Err(e) => {
            errors.add(&tr, e.field, e.key);
            None
        }
    };
    let password = Password::parse(&form.password)
        .map_err(|e| errors.add(&tr, e.field, e.key))
        .ok();
    let department = form.department.trim().to_string();
    if !department.is_empty() && role.is_some_and(|r| r != Role::Department) {
        errors.add(
            &tr,
            "department",
            "error-user-departments-only-for-department-staff",
        );
    }
    if let (Some(email), Some(role), Some(password), true) =
        (email, role, password, errors.is_empty())
    {
        let new = NewUser {
            tenant: Some(access.code),
            role,
            email,
            display_name,
            password,
            departments: if department.is_empty() {
                vec![]
            } else {
                vec![department]
            },
        };
        match state
            .store
            .create_user(&ctx.who(), new, &state.app.mails)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/t/{}/admin/users?notice=user-created",
                    access.code
                ))
                .into_response());
            }
            Err(StoreError::Conflict { field, key }) => errors.add(&tr, field, key),
            Err(StoreError::Invalid(e)) => errors.add(&tr, e.field, e.key),
            Err(e) => return Err(e.into()),
        }
    }
    super::users_list::render(&state, &ctx, access, None, form, errors).await
}
