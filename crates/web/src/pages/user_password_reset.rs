//! The administrator's help for an account that cannot sign in
//! (`/t/{code}/admin/users/{user_id}/password-reset`, 「再設定メールを送る」): after the
//! confirmation page, the account is sent the same single-use reset link a request from the
//! sign-in page sends, to its own address. The administrator never sees or sets the
//! password; the audit trail names the administrator.

use super::confirm;
use crate::auth::{CsrfForm, Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::FieldErrors;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::CommandError;
use renkei_domain::Actor;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct SendForm {
    #[serde(default)]
    confirm: String,
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, user_id)): Path<(String, i64)>,
    CsrfForm(form): CsrfForm<SendForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_manage_users).await?;
    let tr = &ctx.tr;
    let user = match state.store.user(user_id).await {
        Ok(u) => u,
        Err(renkei_store::StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    if user.tenant_code.as_deref() != Some(a.tenant.code.as_str()) {
        return Err(WebError::NotFound);
    }
    if !confirm::confirmed(&form.confirm) {
        return confirm::render(
            &ctx,
            confirm::Confirm {
                title: tr.t("confirm-user-password-reset-title"),
                subject: format!("{}（{}）", user.display_name, user.email),
                lead: tr.t("confirm-user-password-reset-lead"),
                facts: vec![
                    (tr.t("col-email"), user.email.clone()),
                    (tr.t("col-role"), tr.t(user.role.label_key())),
                ],
                action: format!("/t/{}/admin/users/{user_id}/password-reset", a.code),
                hidden: Vec::new(),
                confirm_label: tr.t("user-password-reset"),
                danger: false,
                back_posts: false,
                back_href: format!("/t/{}/admin/users", a.code),
            },
        );
    }
    match renkei_app::accounts::send_password_reset(&state.app, &a.caller(&ctx), a.code, user_id)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/admin/users?notice=user-password-reset-done",
            a.code
        ))
        .into_response()),
        Err(CommandError::Conflict { field, key }) => {
            let mut errors = FieldErrors::default();
            errors.add(tr, field, key);
            super::users_list::render(&state, &ctx, a, None, Default::default(), errors).await
        }
        Err(e) => Err(e.into()),
    }
}
