use super::html;
use crate::auth::{CsrfForm, Ctx, SESSION_COOKIE, set_cookie};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, home_of};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_store::users::LoginFailure;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "pages/login.html")]
struct LoginTemplate {
    base: Base,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

/// Only same-site paths are followed after sign-in (no open redirect).
/// Where to go after signing in: a path on this site ([`crate::view::local_path`]), and
/// never the sign-in page itself.
fn safe_next(next: &str) -> Option<&str> {
    crate::view::local_path(next).filter(|p| !p.starts_with("/login"))
}

pub async fn get(ctx: Ctx, Query(q): Query<LoginQuery>) -> Result<Response, WebError> {
    if let Some(user) = &ctx.user {
        return Ok(Redirect::to(&home_of(user)).into_response());
    }
    Ok(html(&LoginTemplate {
        base: Base::new(&ctx, ctx.tr.t("login-title")).with_notice(q.notice.as_deref()),
        email: String::new(),
        next: q.next.unwrap_or_default(),
        error: None,
    })?
    .into_response())
}

pub async fn post(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> Result<Response, WebError> {
    let outcome = state
        .store
        .authenticate(&form.email, &form.password, &ctx.ip)
        .await?;
    let user = match outcome {
        Ok(user) => user,
        Err(failure) => {
            let key = match failure {
                LoginFailure::Invalid => "login-invalid",
                LoginFailure::Throttled => "login-throttled",
            };
            let status = match failure {
                LoginFailure::Invalid => StatusCode::UNAUTHORIZED,
                LoginFailure::Throttled => StatusCode::TOO_MANY_REQUESTS,
            };
            let page = html(&LoginTemplate {
                base: Base::new(&ctx, ctx.tr.t("login-title")),
                email: form.email.chars().take(254).collect(),
                next: form.next,
                error: Some(ctx.tr.t(key)),
            })?;
            return Ok((status, page).into_response());
        }
    };
    // A fresh session on every sign-in (no fixation); the old one, if any, ends.
    if let Some(old) = &ctx.session_token {
        state.store.session_delete(old).await?;
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let token = state.store.session_create(user.id, &ctx.ip, agent).await?;
    state
        .store
        .audit(renkei_store::AuditEvent {
            tenant_code: user.tenant_code.clone(),
            actor_user_id: Some(user.id),
            actor: user.email.clone(),
            action: "user.login".into(),
            target: format!("user:{}", user.id),
            detail: String::new(),
            origin: ctx.ip.clone(),
        })
        .await?;
    let target = safe_next(&form.next)
        .map(str::to_string)
        .unwrap_or_else(|| home_of(&user));
    let cookie = set_cookie(
        SESSION_COOKIE,
        &token,
        Some(renkei_store::sessions::SESSION_HOURS * 3600),
        ctx.secure,
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&target)).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths() {
        assert_eq!(safe_next("/t/272027/desk"), Some("/t/272027/desk"));
        assert_eq!(safe_next("//evil.example"), None);
        assert_eq!(safe_next("https://evil.example"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
        assert_eq!(safe_next("/\t/evil.example"), None);
        assert_eq!(safe_next("/\n"), None);
        assert_eq!(safe_next("/login?next=/login"), None);
    }
}
