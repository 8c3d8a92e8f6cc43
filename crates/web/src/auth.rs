//! Who is asking: the session cookie (pages), the Bearer token (API), the CSRF token, the
//! client address and the language. Extractors here never decide permissions; they find
//! out who the user is and leave the question of what they may do to the domain policies.

use crate::error::{ApiError, WebError};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use renkei_domain::{Actor, TenantCode};
use renkei_store::Who;
use renkei_store::tenants::Tenant;
use renkei_store::users::User;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::sync::Arc;

pub const SESSION_COOKIE: &str = "renkei_session";
pub const CSRF_COOKIE: &str = "renkei_csrf";
pub const LANG_COOKIE: &str = "renkei_lang";
pub const CSRF_FIELD: &str = "_csrf";

/// The value of a cookie in the request, if present.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_secs {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Whether this request came over TLS (directly configured, or said by a trusted proxy).
pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || crate::proxy::forwarded_https(state.config.trusted_proxies, headers)
}

/// The client address: the socket peer, or behind trusted proxies the `X-Forwarded-For` hop
/// the farthest of them appended (see [`crate::proxy`]).
pub fn client_ip(state: &AppState, parts: &Parts) -> String {
    crate::proxy::client_addr(
        state.config.trusted_proxies,
        &parts.headers,
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0),
    )
}

/// A CSRF token minted by the middleware for a visitor who had no cookie yet.
#[derive(Debug, Clone)]
pub struct FreshCsrf(pub String);

/// The language chosen by `?lang=` (set by the middleware) or the cookie; Japanese by default.
#[derive(Debug, Clone, Copy)]
pub struct ChosenLang(pub Lang);

pub fn request_lang(parts: &Parts) -> Lang {
    if let Some(ChosenLang(l)) = parts.extensions.get::<ChosenLang>() {
        return *l;
    }
    cookie(&parts.headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or(Lang::Ja)
}

/// Everything a page handler needs to know about the request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub tr: Tr,
    pub user: Option<User>,
    /// The signed-in user's departments, read with the session.
    pub departments: Vec<i64>,
    pub csrf: String,
    pub ip: String,
    pub path: String,
    pub session_token: Option<String>,
    pub secure: bool,
    /// The tenant of a `/t/{code}/…` page with its data version, read in the same statement
    /// as the session ([`TenantRead`]); [`tenant_access`] uses it instead of reading again.
    pub(crate) tenant_read: Option<Arc<TenantRead>>,
}

/// The tenant named by a signed-in GET's path `/t/{code}/…` and its data version, read with
/// the session (`Store::session_get_with_tenant`). `tenant` is `None` when no local
/// government has that code.
#[derive(Debug)]
pub(crate) struct TenantRead {
    /// The code as [`TenantCode`] writes it.
    pub code: String,
    pub tenant: Option<(Tenant, i64)>,
}

/// The tenant code of a page whose tenant is read with the session: a GET (or HEAD) of
/// `/t/{code}/…` with a well-formed code. Only reads: a form's POST reads its version when
/// its handler starts, after the body arrived, as before (nothing cached is used on a POST
/// but a refused form's page, and that should not be older than the body).
fn tenant_read_code(parts: &Parts) -> Option<String> {
    if parts.method != Method::GET && parts.method != Method::HEAD {
        return None;
    }
    let (code, _rest) = parts.uri.path().strip_prefix("/t/")?.split_once('/')?;
    TenantCode::parse(code)
        .ok()
        .map(|c| c.to_string())
        .filter(|c| c == code)
}

impl Ctx {
    /// The user, or a redirect to the login page that comes back here.
    pub fn require_user(&self) -> Result<&User, WebError> {
        self.user
            .as_ref()
            .ok_or_else(|| WebError::LoginRequired(self.path.clone()))
    }

    /// The signed-in user as the policy sees them, or a redirect to the login page.
    pub fn actor(&self) -> Result<Actor, WebError> {
        let user = self.require_user()?;
        Ok(renkei_store::users::actor_of(
            user,
            self.departments.clone(),
        )?)
    }

    pub fn who(&self) -> Who {
        self.who_or("anonymous")
    }

    /// [`Ctx::who`], naming someone not signed in `label` (a proponent at the public form).
    pub fn who_or(&self, label: &str) -> Who {
        Who {
            user_id: self.user.as_ref().map(|u| u.id),
            label: self
                .user
                .as_ref()
                .map(|u| u.email.clone())
                .unwrap_or_else(|| label.into()),
            origin: self.ip.clone(),
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let lang = request_lang(parts);
        let session_token = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string);
        // A signed-in GET of `/t/{code}/…` reads the session and the tenant with its data
        // version in one statement; anyone else's session alone (none without a cookie).
        let (session, tenant_read) = match (&session_token, tenant_read_code(parts)) {
            (Some(t), Some(code)) => {
                let (session, tenant) = state.store.session_get_with_tenant(t, &code).await?;
                (session, Some(Arc::new(TenantRead { code, tenant })))
            }
            (Some(t), None) => (state.store.session_get(t).await?, None),
            (None, _) => (None, None),
        };
        let csrf = match &session {
            Some(s) => s.csrf_token.clone(),
            None => parts
                .extensions
                .get::<FreshCsrf>()
                .map(|f| f.0.clone())
                .or_else(|| cookie(&parts.headers, CSRF_COOKIE).map(str::to_string))
                .unwrap_or_default(),
        };
        let (user, departments) = match session {
            Some(s) => (Some(s.user), s.departments),
            None => (None, Vec::new()),
        };
        let ctx = Ctx {
            tr: Tr::new(lang),
            user,
            departments,
            csrf,
            ip: client_ip(state, parts),
            // The language switch links here: a path like `//evil.example` must not
            // become an off-site link.
            path: crate::view::local_path(parts.uri.path())
                .unwrap_or("/")
                .to_string(),
            session_token,
            secure: is_secure(state, &parts.headers),
            tenant_read,
        };
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

/// A signed-in user with the tenant they are acting in, after the policy said yes.
pub struct TenantAccess {
    pub tenant: Tenant,
    pub code: TenantCode,
    pub actor: Actor,
    /// The tenant's data version when the request began, with the store's clock: the key
    /// of the read caches (`crate::cache`).
    pub stamp: crate::cache::Stamp,
}

impl TenantAccess {
    /// The signed-in user as the application commands see them.
    pub fn caller(&self, ctx: &Ctx) -> renkei_app::Caller {
        renkei_app::Caller {
            actor: Some(self.actor.clone()),
            who: ctx.who(),
        }
    }
}

/// Resolves `/t/{code}/…` for a signed-in user: unknown code → 404; not signed in → login;
/// the policy says no → 403.
///
/// The tenant and its data version (the read caches' key) come from [`Ctx`] when it read
/// them with the session (a signed-in GET of this tenant's page: one statement for both, so
/// a cached page costs that one statement and nothing else before the handler's own reads);
/// otherwise from `Store::tenant_versioned` here (a POST, or a path naming another code).
pub async fn tenant_access(
    state: &AppState,
    ctx: &Ctx,
    code: &str,
    allowed: fn(&Actor, TenantCode) -> bool,
) -> Result<TenantAccess, WebError> {
    let parsed = TenantCode::parse(code).map_err(|_| WebError::TenantNotFound)?;
    let code = parsed.to_string();
    // Read with the session when this is a signed-in GET of this tenant's page (`Ctx`);
    // otherwise here, the same columns and version in one statement of its own.
    let (tenant, version) = match ctx.tenant_read.as_deref().filter(|r| r.code == code) {
        Some(read) => read.tenant.clone().ok_or(WebError::TenantNotFound)?,
        None => found(state.store.tenant_versioned(&code).await)?,
    };
    let actor = ctx.actor()?;
    if !allowed(&actor, parsed) {
        return Err(WebError::Forbidden);
    }
    Ok(TenantAccess {
        tenant,
        code: parsed,
        actor,
        stamp: crate::cache::Stamp {
            version,
            now: state.store.now(),
        },
    })
}

/// A tenant by its code in the URL; an invalid or unknown code is a 404.
pub async fn known_tenant(state: &AppState, code: &str) -> Result<(Tenant, TenantCode), WebError> {
    let parsed = TenantCode::parse(code).map_err(|_| WebError::TenantNotFound)?;
    Ok((
        found(state.store.tenant(&parsed.to_string()).await)?,
        parsed,
    ))
}

/// A tenant read from the store; a code the installation does not know is a 404.
fn found<T>(read: Result<T, renkei_store::StoreError>) -> Result<T, WebError> {
    match read {
        Ok(t) => Ok(t),
        Err(renkei_store::StoreError::NotFound) => Err(WebError::TenantNotFound),
        Err(e) => Err(e.into()),
    }
}

/// A urlencoded form whose `_csrf` field matched the session's (or the visitor cookie's)
/// token. Size limits apply; anything unreadable is a 400 and nothing is written.
pub struct CsrfForm<T>(pub T);

impl<T> FromRequest<AppState> for CsrfForm<T>
where
    T: DeserializeOwned,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let limit = state.config.max_body_bytes;
        let bytes = axum::body::to_bytes(body, limit)
            .await
            .map_err(|_| WebError::PayloadTooLarge)?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded_pairs(&bytes).ok_or(WebError::BadRequest("error-bad-request"))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if ctx.csrf.is_empty() || !constant_time_eq(sent.as_bytes(), ctx.csrf.as_bytes()) {
            return Err(WebError::Csrf);
        }
        // serde_html_form: repeated keys (checkboxes) become lists.
        let value: T = serde_html_form::from_bytes(&bytes)
            .map_err(|_| WebError::BadRequest("error-bad-request"))?;
        let _ = parts;
        Ok(Self(value))
    }
}

/// The pairs of a urlencoded body (`+` is a space, `%XX` a byte; a malformed escape stays as
/// it is); `None` when the body is not UTF-8.
fn serde_urlencoded_pairs(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    std::str::from_utf8(bytes).ok()?;
    Some(
        form_urlencoded::parse(bytes)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The user behind `Authorization: Bearer rk_…` on the API.
pub struct ApiUser {
    pub user: User,
    pub actor: Actor,
    pub ip: String,
}

impl ApiUser {
    /// How the audit trail names a token's user.
    pub fn who(&self) -> Who {
        Who {
            user_id: Some(self.user.id),
            label: self.user.email.clone(),
            origin: self.ip.clone(),
        }
    }

    /// The token's user as the application commands see them.
    pub fn caller(&self) -> renkei_app::Caller {
        renkei_app::Caller {
            actor: Some(self.actor.clone()),
            who: self.who(),
        }
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        let user = state
            .store
            .token_user(token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        let actor = state.store.actor(&user).await?;
        Ok(Self {
            user,
            actor,
            ip: client_ip(state, parts),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        let pairs = serde_urlencoded_pairs(b"_csrf=a%2Bb&name=%E5%8D%B1+x&bad=%zz&end=%4")
            .unwrap_or_default();
        assert_eq!(pairs[0], ("_csrf".into(), "a+b".into()));
        assert_eq!(pairs[1], ("name".into(), "危 x".into()));
        assert_eq!(pairs[2], ("bad".into(), "%zz".into()));
        assert_eq!(pairs[3], ("end".into(), "%4".into()));
        assert_eq!(pairs.len(), 4);
        let odd = serde_urlencoded_pairs(b"&&flag&=v&k=a=b").unwrap_or_default();
        assert_eq!(
            odd,
            vec![
                ("flag".into(), String::new()),
                (String::new(), "v".into()),
                ("k".into(), "a=b".into())
            ]
        );
        assert!(serde_urlencoded_pairs(&[b'a', b'=', 0xff]).is_none());
    }

    #[test]
    fn cookies_are_found() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; renkei_session=xyz; b=2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
    }

    fn parts(method: Method, uri: &str) -> Parts {
        axum::http::Request::builder()
            .method(method)
            .uri(uri)
            .body(())
            .map(|r| r.into_parts().0)
            .unwrap_or_else(|_| unreachable!())
    }

    #[test]
    fn the_tenant_is_read_with_the_session_on_gets_of_its_pages() {
        let code = |m: Method, uri: &str| tenant_read_code(&parts(m, uri));
        assert_eq!(
            code(Method::GET, "/t/272027/desk/dashboard"),
            Some("272027".into())
        );
        assert_eq!(
            code(Method::HEAD, "/t/272027/partnerships?status=active"),
            Some("272027".into())
        );
        assert_eq!(code(Method::GET, "/t/272027/"), Some("272027".into()));
        // Not a tenant's page below its code, not a well-formed code, not a read.
        assert_eq!(code(Method::GET, "/t/272027"), None);
        assert_eq!(code(Method::GET, "/t/272028/desk"), None, "check digit");
        assert_eq!(code(Method::GET, "/t/27202%37/desk"), None);
        assert_eq!(code(Method::GET, "/t/%20272027/desk"), None);
        assert_eq!(code(Method::GET, "/x/272027/desk"), None);
        assert_eq!(code(Method::GET, "/"), None);
        assert_eq!(code(Method::POST, "/t/272027/partnerships/1/move"), None);
    }
}
