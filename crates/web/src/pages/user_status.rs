//! Deactivating and reactivating an account (`/t/{code}/admin/users/{user_id}/disable` and
//! `/enable`), for the local government's administrator and the operator. Both ask on the
//! confirmation page first: deactivation ends the account's sessions at once; reactivating a
//! desk account gives it every proposal under consideration again (and is announced to the
//! desk like a new desk account).

use super::confirm;
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_domain::{Actor, Role};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct StatusForm {
    #[serde(default)]
    confirm: String,
}

pub async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, user_id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, WebError> {
    change(state, ctx, code, user_id, true, form).await
}

pub async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, user_id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, WebError> {
    change(state, ctx, code, user_id, false, form).await
}

async fn change(
    state: AppState,
    ctx: Ctx,
    code: String,
    user_id: i64,
    disabled: bool,
    form: StatusForm,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_manage_users).await?;
    let tr = &ctx.tr;
    let user = state.store.user(user_id).await?;
    if user.tenant_code.as_deref() != Some(a.tenant.code.as_str()) {
        return Err(WebError::NotFound);
    }
    let verb = if disabled { "disable" } else { "enable" };
    if !confirm::confirmed(&form.confirm) {
        let mut lead = tr.t(&format!("confirm-user-{verb}-lead"));
        if !disabled && user.role == Role::Desk {
            lead.push(' ');
            lead.push_str(&tr.t("confirm-user-enable-desk"));
        }
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t(&format!("confirm-user-{verb}-title")),
                subject: format!("{}（{}）", user.display_name, user.email),
                lead,
                facts: vec![(tr.t("col-role"), tr.t(user.role.label_key()))],
                action: format!("/t/{}/admin/users/{user_id}/{verb}", a.code),
                hidden: Vec::new(),
                confirm_label: tr.t(&format!("user-{verb}")),
                danger: disabled,
                back_posts: false,
                back_href: format!("/t/{}/admin/users", a.code),
            },
        );
    }
    match state
        .store
        .user_set_disabled(&ctx.who(), &a.tenant, user_id, disabled, &state.app.mails)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/admin/users?notice=user-{verb}-done",
            a.code
        ))
        .into_response()),
        Err(renkei_store::StoreError::Conflict { field, key }) => {
            let mut errors = FieldErrors::default();
            errors.add(tr, field, key);
            super::users_list::render(&state, &ctx, a, None, Default::default(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}
