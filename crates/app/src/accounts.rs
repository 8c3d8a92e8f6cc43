//! What an account chooses for itself, and getting back into it: the password reset by a
//! mailed single-use link, asked for by the account holder or sent by the administrator.

use crate::{App, Caller, CommandError, Errors};
use renkei_domain::{Email, Lang, Password, TenantCode};
use renkei_store::password_resets::ResetRequest;
use renkei_store::users::User;

/// The signed-in account chose a language (`?lang=`): pages follow the choice through its
/// cookie, and mail to the account is written in it from now on. Returns whether the stored
/// choice changed (nothing is written when it did not).
pub async fn choose_language(app: &App, user: &User, lang: Lang) -> Result<bool, CommandError> {
    if user.lang == lang {
        return Ok(false);
    }
    Ok(app.store.user_set_lang(user.id, lang).await?)
}

/// What the "forgot password" form holds.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ForgotInput {
    #[serde(default)]
    pub email: String,
}

/// Someone who cannot sign in asks for a password reset link (「パスワードをお忘れの方」).
/// Only a malformed address is refused; otherwise the answer must be the same for every
/// address ([`ResetRequest`] says what happened, for tests and the log, never for the page):
/// an active account gets the mail, the request is throttled per address and per client
/// (`ip`), and nothing else is told.
pub async fn request_password_reset(
    app: &App,
    input: &ForgotInput,
    ip: &str,
) -> Result<ResetRequest, CommandError> {
    let email = Email::parse(&input.email)?;
    Ok(app
        .store
        .password_reset_request(email.as_str(), ip, &app.mails)
        .await?)
}

/// The tenant's administrator (or the operator) has the reset mail sent to an account of
/// `tenant`. The administrator never sees or sets the password; the mail goes to the
/// account's own address, and the audit trail names the administrator.
pub async fn send_password_reset(
    app: &App,
    by: &Caller,
    tenant: TenantCode,
    user_id: i64,
) -> Result<User, CommandError> {
    if !by
        .actor
        .as_ref()
        .is_some_and(|a| a.may_manage_users(tenant))
    {
        return Err(CommandError::Forbidden);
    }
    let tenant_row = app.store.tenant(&tenant.to_string()).await?;
    Ok(app
        .store
        .password_reset_send(&by.who, &tenant_row, user_id, &app.mails)
        .await?)
}

/// The new password as typed twice on the reset page.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ResetInput {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
}

/// Sets a new password with a mailed reset link: the password must meet the policy and be
/// typed the same twice (every field reported), then the link is used once (see
/// [`renkei_store::Store::password_reset_complete`]). A dead link is
/// [`CommandError::Conflict`] on `token` and nothing changes.
pub async fn complete_password_reset(
    app: &App,
    token: &str,
    input: &ResetInput,
    ip: &str,
) -> Result<User, CommandError> {
    let mut errors = Errors::default();
    let password = Password::parse(&input.password)
        .map_err(|e| errors.parse(&e))
        .ok();
    if password.is_some() && input.password != input.password_confirm {
        errors.add("password_confirm", "error-password-mismatch");
    }
    let password = errors.finish(password)?;
    Ok(app
        .store
        .password_reset_complete(token, &password, ip, &app.mails)
        .await?)
}
