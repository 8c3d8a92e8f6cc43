use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::{Actor, DepartmentName};
use renkei_store::StoreError;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct DepartmentForm {
    #[serde(default)]
    pub name: String,
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<DepartmentForm>,
) -> Result<Response, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_manage_departments).await?;
    let mut errors = FieldErrors::default();
    match DepartmentName::parse(&form.name) {
        Ok(name) => match state
            .store
            .department_create(&ctx.who(), access.code, &name)
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/t/{}/admin/departments?notice=department-created",
                    access.code
                ))
                .into_response());
            }
            Err(StoreError::Conflict { field, key }) => errors.add(&ctx.tr, field, key),
            Err(e) => return Err(e.into()),
        },
        Err(e) => errors.add(&ctx.tr, e.field, e.key),
    }
    super::departments_list::render(&state, &ctx, access, None, form.name, errors).await
}
