//! Open data (オープンデータ), public: the pages that list the files (`/opendata`,
//! `/t/{code}/opendata`: files, formats, licence, a table describing each column, feeds), the
//! CSV files of published partnerships and published open calls per local government and for
//! the whole country (streamed: read 500 rows at a time by (tenant code, id) into the
//! response body, never the whole table in memory), the Atom feeds of new cases and open
//! calls (links built from the configured public address, never the `Host` header), and the
//! licence setting posted from the settings page.

use super::html;
use crate::auth::{CsrfForm, Ctx, known_tenant, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use renkei_app::opendata::{
    self as od, AtomEntry, AtomFeed, CALL_COLUMNS, CHUNK_ROWS, Column, FEED_ENTRIES,
    PARTNERSHIP_COLUMNS,
};
use renkei_domain::TenantCode;
use renkei_domain::opendata::{License, LicenseKind};
use renkei_store::Store;
use renkei_store::opendata::Cursor;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// Which data set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Partnerships,
    Calls,
}

impl Dataset {
    fn name(self) -> &'static str {
        match self {
            Self::Partnerships => "partnerships",
            Self::Calls => "calls",
        }
    }
}

/// One chunk of a file: its CSV text, the cursor after it and how many rows it held.
async fn chunk(
    store: &Store,
    base: &str,
    set: Dataset,
    tenant: Option<TenantCode>,
    after: Option<Cursor>,
) -> Result<(String, Option<Cursor>, i64), renkei_store::StoreError> {
    let mut out = String::new();
    let (last, n) = match set {
        Dataset::Partnerships => {
            let rows = store
                .opendata_partnerships(tenant, after, CHUNK_ROWS)
                .await?;
            for r in &rows {
                out.push_str(&od::partnership_record(r, base).csv_row());
            }
            (rows.last().map(|r| r.cursor()), rows.len())
        }
        Dataset::Calls => {
            let rows = store.opendata_calls(tenant, after, CHUNK_ROWS).await?;
            for r in &rows {
                out.push_str(&od::call_record(r, base).csv_row());
            }
            (rows.last().map(|r| r.cursor()), rows.len())
        }
    };
    Ok((out, last, i64::try_from(n).unwrap_or(i64::MAX)))
}

enum Step {
    Header,
    After(Option<Cursor>),
    Done,
}

/// The file as a stream: the BOM and header, then a chunk of rows per read.
fn csv_body(state: &AppState, set: Dataset, tenant: Option<TenantCode>) -> Body {
    let store = state.store.clone();
    let base = state.base_url().to_string();
    let stream = futures_util::stream::unfold(Step::Header, move |step| {
        let store = store.clone();
        let base = base.clone();
        async move {
            match step {
                Step::Done => None,
                Step::Header => {
                    let columns = match set {
                        Dataset::Partnerships => PARTNERSHIP_COLUMNS,
                        Dataset::Calls => CALL_COLUMNS,
                    };
                    let head = format!("{}{}", od::BOM, od::csv_header(columns));
                    Some((Ok::<_, std::io::Error>(head), Step::After(None)))
                }
                Step::After(after) => match chunk(&store, &base, set, tenant, after).await {
                    Ok((_, _, 0)) => None,
                    Ok((text, last, n)) => {
                        let next = if n < CHUNK_ROWS {
                            Step::Done
                        } else {
                            Step::After(last)
                        };
                        Some((Ok(text), next))
                    }
                    Err(e) => {
                        // The header is sent: all that is left is to cut the file short.
                        tracing::error!(error = %e, "open data file stopped");
                        Some((
                            Err(std::io::Error::other("open data file stopped")),
                            Step::Done,
                        ))
                    }
                },
            }
        }
    });
    Body::from_stream(stream)
}

fn csv_response(state: &AppState, set: Dataset, tenant: Option<TenantCode>) -> Response {
    let filename = match tenant {
        Some(t) => format!("{t}_{}.csv", set.name()),
        None => format!("renkei_{}.csv", set.name()),
    };
    let mut resp = csv_body(state, set, tenant).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox"),
    );
    resp
}

/// `GET /opendata/partnerships.csv`
pub async fn national_partnerships_csv(State(state): State<AppState>) -> Response {
    csv_response(&state, Dataset::Partnerships, None)
}

/// `GET /opendata/calls.csv`
pub async fn national_calls_csv(State(state): State<AppState>) -> Response {
    csv_response(&state, Dataset::Calls, None)
}

/// `GET /t/{code}/opendata/partnerships.csv`
pub async fn partnerships_csv(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (_, t) = known_tenant(&state, &code).await?;
    Ok(csv_response(&state, Dataset::Partnerships, Some(t)))
}

/// `GET /t/{code}/opendata/calls.csv`
pub async fn calls_csv(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (_, t) = known_tenant(&state, &code).await?;
    Ok(csv_response(&state, Dataset::Calls, Some(t)))
}

// ---------------------------------------------------------------------------------------------
// Atom feeds

/// The rights line of the national files and feeds: each local government's own licence.
fn national_rights(tr: &crate::i18n::Tr) -> String {
    tr.t1(
        "opendata-national-rights",
        "default",
        &od::rights_line(&License::default()),
    )
}

async fn feed(
    state: &AppState,
    set: Dataset,
    tenant: Option<(Tenant, TenantCode)>,
) -> Result<Response, WebError> {
    let tr = crate::i18n::Tr::new(renkei_domain::Lang::Ja);
    let base = state.base_url().trim_end_matches('/').to_string();
    let code = tenant.as_ref().map(|(_, c)| *c);
    let scope = match &tenant {
        Some((t, c)) => (t.full_name(), format!("/t/{c}")),
        None => (tr.t("opendata-national"), String::new()),
    };
    let national = tenant.is_none();
    let rights = match code {
        Some(c) => od::rights_line(&state.store.opendata_license(c).await?),
        None => national_rights(&tr),
    };
    let entries: Vec<AtomEntry> = match set {
        Dataset::Partnerships => state
            .store
            .opendata_latest_partnerships(code, FEED_ENTRIES)
            .await?
            .into_iter()
            // New cases: a cancelled agreement has no case page to link to.
            .filter(|p| p.status.is_case())
            .map(|p| AtomEntry {
                title: if national {
                    format!("{}（{}）", p.title, p.tenant_name)
                } else {
                    p.title.clone()
                },
                link: od::case_url(&base, p.tenant_code, p.id),
                updated: p.updated_at,
                published: Some(p.created_at),
                author: p.tenant_name.clone(),
                summary: p.summary.clone(),
                rights: national.then(|| od::rights_line(&p.license)),
            })
            .collect(),
        Dataset::Calls => state
            .store
            .opendata_latest_calls(code, FEED_ENTRIES)
            .await?
            .into_iter()
            .map(|c| AtomEntry {
                title: if national {
                    format!("{}（{}）", c.title, c.tenant_name)
                } else {
                    c.title.clone()
                },
                link: od::call_url(&base, c.tenant_code, c.id),
                updated: c.updated_at,
                published: c.published_at,
                author: c.tenant_name.clone(),
                summary: tr.fill(
                    "opendata-feed-call-summary",
                    &[
                        ("department", &c.department),
                        ("closes", &c.closes_on.format("%Y-%m-%d").to_string()),
                        ("status", &tr.t(&c.status.label_key())),
                    ],
                ),
                rights: national.then(|| od::rights_line(&c.license)),
            })
            .collect(),
    };
    let (title_key, page) = match set {
        Dataset::Partnerships => ("opendata-feed-cases-title", "cases"),
        Dataset::Calls => ("opendata-feed-calls-title", "calls"),
    };
    let doc = AtomFeed {
        title: tr.t1(title_key, "name", &scope.0),
        self_link: format!("{base}{}/feeds/{}.atom", scope.1, set_feed(set)),
        alternate: format!("{base}{}/{page}", scope.1),
        rights,
        now: state.store.now(),
        entries,
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        doc.to_xml(),
    )
        .into_response())
}

fn set_feed(set: Dataset) -> &'static str {
    match set {
        Dataset::Partnerships => "cases",
        Dataset::Calls => "calls",
    }
}

/// `GET /feeds/cases.atom`
pub async fn national_cases_feed(State(state): State<AppState>) -> Result<Response, WebError> {
    feed(&state, Dataset::Partnerships, None).await
}

/// `GET /feeds/calls.atom`
pub async fn national_calls_feed(State(state): State<AppState>) -> Result<Response, WebError> {
    feed(&state, Dataset::Calls, None).await
}

/// `GET /t/{code}/feeds/cases.atom`
pub async fn cases_feed(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let t = known_tenant(&state, &code).await?;
    feed(&state, Dataset::Partnerships, Some(t)).await
}

/// `GET /t/{code}/feeds/calls.atom`
pub async fn calls_feed(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let t = known_tenant(&state, &code).await?;
    feed(&state, Dataset::Calls, Some(t)).await
}

// ---------------------------------------------------------------------------------------------
// The pages that list the files

/// A column as the page describes it.
pub struct ColumnView {
    pub header: &'static str,
    pub key: &'static str,
    pub about: String,
}

fn columns(tr: &crate::i18n::Tr, list: &[Column]) -> Vec<ColumnView> {
    list.iter()
        .map(|c| ColumnView {
            header: c.header,
            key: c.key,
            about: tr.t(c.about),
        })
        .collect()
}

/// A file or feed the page lists.
pub struct FileView {
    pub label: String,
    pub href: String,
    pub format: &'static str,
    pub about: String,
}

#[derive(Template)]
#[template(path = "pages/opendata.html")]
struct IndexTemplate {
    base: Base,
    tenant: Option<Tenant>,
    /// `/t/{code}` or empty (national).
    prefix: String,
    license_name: String,
    license_url: Option<&'static str>,
    license_line: String,
    files: Vec<FileView>,
    apis: Vec<FileView>,
    feeds: Vec<FileView>,
    partnership_columns: Vec<ColumnView>,
    call_columns: Vec<ColumnView>,
}

fn index(
    ctx: &Ctx,
    tenant: Option<Tenant>,
    license: Option<License>,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let prefix = tenant
        .as_ref()
        .map(|t| format!("/t/{}", t.code))
        .unwrap_or_default();
    let query = tenant
        .as_ref()
        .map(|t| format!("?tenant={}", t.code))
        .unwrap_or_default();
    let title = match &tenant {
        Some(t) => tr.t1("opendata-heading-tenant", "name", &t.full_name()),
        None => tr.t("opendata-heading-national"),
    };
    let (license_name, license_url, license_line) = match &license {
        Some(l) => (l.name(), l.url(), tr.t("opendata-license-tenant")),
        None => {
            let d = License::default();
            (d.name(), d.url(), tr.t("opendata-license-national"))
        }
    };
    let file = |label: &str, href: String, format: &'static str, about: &str| FileView {
        label: tr.t(label),
        href,
        format,
        about: tr.t(about),
    };
    Ok(html(&IndexTemplate {
        base: Base::new(ctx, title),
        files: vec![
            file(
                "opendata-file-partnerships",
                format!("{prefix}/opendata/partnerships.csv"),
                "CSV",
                "opendata-file-partnerships-about",
            ),
            file(
                "opendata-file-calls",
                format!("{prefix}/opendata/calls.csv"),
                "CSV",
                "opendata-file-calls-about",
            ),
        ],
        apis: vec![
            file(
                "opendata-file-partnerships",
                format!("/api/v1/opendata/partnerships{query}"),
                "JSON",
                "opendata-api-about",
            ),
            file(
                "opendata-file-calls",
                format!("/api/v1/opendata/calls{query}"),
                "JSON",
                "opendata-api-about",
            ),
        ],
        feeds: vec![
            file(
                "opendata-feed-cases",
                format!("{prefix}/feeds/cases.atom"),
                "Atom",
                "opendata-feed-cases-about",
            ),
            file(
                "opendata-feed-calls",
                format!("{prefix}/feeds/calls.atom"),
                "Atom",
                "opendata-feed-calls-about",
            ),
        ],
        partnership_columns: columns(tr, PARTNERSHIP_COLUMNS),
        call_columns: columns(tr, CALL_COLUMNS),
        license_name,
        license_url,
        license_line,
        prefix,
        tenant,
    })?
    .into_response())
}

/// `GET /opendata`
pub async fn national_page(ctx: Ctx) -> Result<Response, WebError> {
    index(&ctx, None, None)
}

/// `GET /t/{code}/opendata`
pub async fn tenant_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (tenant, t) = known_tenant(&state, &code).await?;
    let license = state.store.opendata_license(t).await?;
    index(&ctx, Some(tenant), Some(license))
}

// ---------------------------------------------------------------------------------------------
// The licence setting (a section of the settings page)

#[derive(Deserialize, Default)]
pub struct LicenseForm {
    #[serde(default)]
    pub license_kind: String,
    #[serde(default)]
    pub license_text: String,
}

/// A licence choice on the form.
pub struct LicenseChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
}

/// The choices with `chosen` checked.
pub fn license_choices(tr: &crate::i18n::Tr, chosen: &str) -> Vec<LicenseChoice> {
    LicenseKind::ALL
        .iter()
        .map(|k| LicenseChoice {
            value: k.code(),
            label: tr.t(&k.label_key()),
            checked: k.code() == chosen,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "pages/opendata_license.html")]
struct LicenseTemplate {
    base: Base,
    tenant: Tenant,
    license_choices: Vec<LicenseChoice>,
    license_text: String,
    errors: FieldErrors,
}

/// `POST /t/{code}/admin/settings/license`: the administrator (the settings page's
/// readers) sets the licence; bad input shows the form again with the message (422).
pub async fn license_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<LicenseForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, renkei_domain::Actor::may_open_desk).await?;
    let kind: String = form.license_kind.chars().take(40).collect();
    let text: String = form.license_text.chars().take(1000).collect();
    match od::set_license(&state.app, &a.caller(&ctx), a.code, &kind, &text).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/t/{}/admin/settings?notice=settings-saved#h-license",
            a.code
        ))
        .into_response()),
        Err(e) => {
            let list = super::desk_proposal::refused(e)?;
            let mut errors = FieldErrors::default();
            for f in list {
                errors.add(&ctx.tr, f.field, f.key);
            }
            let page = html(&LicenseTemplate {
                base: Base::new(&ctx, ctx.tr.t("opendata-license-title")),
                license_choices: license_choices(&ctx.tr, &kind),
                license_text: text,
                errors,
                tenant: a.tenant,
            })?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
