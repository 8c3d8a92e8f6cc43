use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::Actor;
use renkei_store::StoreError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    user_id: String,
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_departments).await?;
    let mut errors = FieldErrors::default();
    match form.user_id.trim().parse::<i64>() {
        Ok(user_id) => match state
            .store
            .department_add_member(&ctx.who(), access.code, id, user_id)
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/t/{}/admin/departments/{id}?notice=department-member-added",
                    access.code
                ))
                .into_response());
            }
            Err(StoreError::Conflict { field, key }) => errors.add(&ctx.tr, field, key),
            // An account of another tenant, or none: the same answer as a wrong choice.
            Err(StoreError::NotFound) => {
                state.store.department(access.code, id).await?;
                errors.add(&ctx.tr, "user_id", "error-member-not-department-staff")
            }
            Err(e) => return Err(e.into()),
        },
        Err(_) => errors.add(&ctx.tr, "user_id", "error-member-not-department-staff"),
    }
    super::department_show::render(&state, &ctx, access, id, None, None, errors).await
}
