use super::department_create::DepartmentForm;
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::{Actor, DepartmentName};
use renkei_store::StoreError;

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<DepartmentForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_departments).await?;
    let mut errors = FieldErrors::default();
    match DepartmentName::parse(&form.name) {
        Ok(name) => match state
            .store
            .department_rename(&ctx.who(), access.code, id, &name)
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/t/{}/admin/departments/{id}?notice=department-renamed",
                    access.code
                ))
                .into_response());
            }
            Err(StoreError::Conflict { field, key }) => errors.add(&ctx.tr, field, key),
            Err(e) => return Err(e.into()),
        },
        Err(e) => errors.add(&ctx.tr, e.field, e.key),
    }
    super::department_show::render(&state, &ctx, access, id, None, Some(form.name), errors).await
}
