//! The partnership list in and out of Excel.
//!
//! - `/t/{code}/partnerships/import` (desk staff): choose a file → a preview listing the
//!   partnerships to be created and every row error with its 行番号, nothing written → 「取り込む」
//!   → the count. Between the preview and the confirmation the file waits on the server
//!   (`sheet_uploads`, a random token for the uploading user, one hour); the confirmation
//!   reads that copy again, never one sent back by the browser.
//! - `/t/{code}/partnerships/export.csv` and `.xlsx` (staff of the tenant): the list with the
//!   same filters as `/t/{code}/partnerships`, in the layout the import reads; audited.

use super::html;
use super::partnerships_list::ListQuery;
use crate::auth::{CsrfForm, Ctx, constant_time_eq, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use renkei_app::CommandError;
use renkei_app::i18n::Tr;
use renkei_app::partnership_import::{self as cmd, ImportError, Preview};
use renkei_domain::Actor;
use renkei_store::partnerships::PartnershipFilter;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// The kind of held upload this page makes.
const KIND: &str = "partnership-import";

/// One partnership the preview would create.
pub struct AgreementView {
    pub lines: String,
    pub id: String,
    pub title: String,
    pub form: String,
    pub parties: String,
    pub department: String,
    pub signed_on: String,
}

#[derive(Template)]
#[template(path = "pages/partnership_import.html")]
struct ImportTemplate {
    base: Base,
    tenant: Tenant,
    /// `form`, `preview` or `done`.
    stage: &'static str,
    file_error: Option<String>,
    summary: String,
    ignored: Option<String>,
    errors: Vec<(usize, String)>,
    agreements: Vec<AgreementView>,
    token: String,
}

impl ImportTemplate {
    fn new(base: Base, tenant: Tenant, stage: &'static str) -> Self {
        Self {
            base,
            tenant,
            stage,
            file_error: None,
            summary: String::new(),
            ignored: None,
            errors: Vec::new(),
            agreements: Vec::new(),
            token: String::new(),
        }
    }
}

/// `GET /t/{code}/partnerships/import`: the upload form.
pub async fn import_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let base = Base::new(&ctx, ctx.tr.t("pimport-title"));
    Ok(html(&ImportTemplate::new(base, a.tenant, "form"))?.into_response())
}

fn preview_view(tr: &Tr, p: &Preview) -> (Vec<(usize, String)>, Vec<AgreementView>) {
    let errors = p
        .sheet
        .errors
        .iter()
        .map(|e| (e.line, e.message(tr)))
        .collect();
    let agreements = p
        .sheet
        .agreements
        .iter()
        .map(|a| AgreementView {
            lines: a
                .lines
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("・"),
            id: a.source_id.clone(),
            title: a.record.title.clone(),
            form: tr.t(&a.record.form.label_key()),
            parties: a
                .record
                .parties
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            department: a.department_name.clone(),
            signed_on: a
                .record
                .signed_on
                .map(renkei_domain::time::wareki)
                .unwrap_or_default(),
        })
        .collect();
    (errors, agreements)
}

/// `POST /t/{code}/partnerships/import` (multipart: `_csrf`, `file`): the preview. Nothing
/// is written but the held file; a file with wrong rows is answered 422 with every row.
pub async fn import_check(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let mut multipart = multipart.map_err(|_| WebError::BadRequest("error-bad-request"))?;
    let mut csrf = String::new();
    let mut file = None;
    while let Some(field) = super::next_part(&mut multipart).await? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            file = super::file_part(field).await?;
        } else if name == crate::auth::CSRF_FIELD {
            csrf = field
                .text()
                .await
                .map_err(|_| WebError::BadRequest("error-bad-request"))?;
        }
    }
    if ctx.csrf.is_empty() || !constant_time_eq(csrf.as_bytes(), ctx.csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    let caller = a.caller(&ctx);
    let base = Base::new(&ctx, ctx.tr.t("pimport-preview-title"));
    let (filename, data) = match file {
        Some(f) => (f.filename, f.data.unwrap_or_default()),
        None => (String::new(), Vec::new()),
    };
    let preview = match cmd::preview(&state.app, &caller, a.code, &data, &filename).await {
        Ok(p) => p,
        Err(CommandError::Invalid(list)) => {
            let mut t =
                ImportTemplate::new(Base::new(&ctx, ctx.tr.t("pimport-title")), a.tenant, "form");
            t.file_error = list.first().map(|e| ctx.tr.t(e.key));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&t)?).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let (errors, agreements) = preview_view(&ctx.tr, &preview);
    let mut t = ImportTemplate::new(base, a.tenant, "preview");
    t.ignored = (!preview.sheet.ignored_columns.is_empty()).then(|| {
        ctx.tr.fill(
            "pimport-ignored",
            &[("columns", &preview.sheet.ignored_columns.join("、"))],
        )
    });
    t.errors = errors;
    t.agreements = agreements;
    if preview.is_ok() {
        t.summary = ctx.tr.fill(
            "pimport-preview-ok",
            &[
                ("count", &preview.sheet.agreements.len().to_string()),
                ("rows", &preview.sheet.rows.to_string()),
            ],
        );
        t.token = state
            .store
            .upload_hold(a.code, a.actor.user_id, KIND, &preview.filename, &data)
            .await?;
        Ok(html(&t)?.into_response())
    } else {
        t.summary = if preview.sheet.errors.is_empty() {
            ctx.tr.t("error-import-no-rows")
        } else {
            ctx.tr.fill(
                "pimport-preview-bad",
                &[("count", &preview.sheet.errors.len().to_string())],
            )
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&t)?).into_response())
    }
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
}

/// `POST /t/{code}/partnerships/import/confirm` (`token`): imports the held file, all rows
/// or none, and shows the count.
pub async fn import_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let token: String = form.token.chars().take(100).collect();
    let held = match state
        .store
        .upload_held(a.code, a.actor.user_id, KIND, &token)
        .await
    {
        Ok(h) => h,
        Err(renkei_store::StoreError::NotFound) => {
            let mut t =
                ImportTemplate::new(Base::new(&ctx, ctx.tr.t("pimport-title")), a.tenant, "form");
            t.file_error = Some(ctx.tr.t("error-import-expired"));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&t)?).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let caller = a.caller(&ctx);
    match cmd::import(&state.app, &caller, a.code, &held.data, &held.filename).await {
        Ok(count) => {
            state.store.upload_drop(&token).await?;
            let mut t = ImportTemplate::new(
                Base::new(&ctx, ctx.tr.t("pimport-done-title")),
                a.tenant,
                "done",
            );
            t.summary = ctx
                .tr
                .fill("pimport-done", &[("count", &count.to_string())]);
            Ok(html(&t)?.into_response())
        }
        // Something changed since the preview (a department renamed, the same IDs imported
        // in another tab): show the rows again, nothing written.
        Err(ImportError::BadRows(rows)) => {
            state.store.upload_drop(&token).await?;
            let mut t = ImportTemplate::new(
                Base::new(&ctx, ctx.tr.t("pimport-preview-title")),
                a.tenant,
                "preview",
            );
            t.summary = ctx
                .tr
                .fill("pimport-preview-bad", &[("count", &rows.len().to_string())]);
            t.errors = rows.iter().map(|e| (e.line, e.message(&ctx.tr))).collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&t)?).into_response())
        }
        // An ID taken by an import that finished in between, or a file with no rows.
        Err(ImportError::Command(
            e @ (CommandError::Invalid(_) | CommandError::Conflict { .. }),
        )) => {
            state.store.upload_drop(&token).await?;
            let mut t =
                ImportTemplate::new(Base::new(&ctx, ctx.tr.t("pimport-title")), a.tenant, "form");
            t.file_error = e.fields().and_then(|l| l.first().map(|f| ctx.tr.t(f.key)));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&t)?).into_response())
        }
        Err(ImportError::Command(e)) => Err(e.into()),
    }
}

/// The filter an export writes: the list's own (`partnerships_list::ListQuery`), every match
/// at once (no page).
fn export_filter(query: &ListQuery) -> PartnershipFilter {
    PartnershipFilter {
        page: 0,
        per_page: renkei_store::partnerships::EXPORT_MAX,
        ..query.filter()
    }
}

/// The filters as a query string, for the audit trail.
fn filter_text(f: &PartnershipFilter) -> String {
    let pairs = [
        ("status", f.status.map(|s| s.code().to_string())),
        ("form", f.form.map(|s| s.code().to_string())),
        ("department", f.department_id.map(|d| d.to_string())),
        ("field", f.field.map(|s| s.code().to_string())),
        ("partner_type", f.partner_type.map(|s| s.code().to_string())),
        ("dormant", f.dormant.then(|| "1".to_string())),
        ("ending", f.ending.then(|| "1".to_string())),
        ("published", f.published.map(|p| i64::from(p).to_string())),
        ("q", (!f.q.is_empty()).then(|| f.q.clone())),
    ];
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v {
            s.append_pair(k, &v);
        }
    }
    s.finish()
}

/// `GET /t/{code}/partnerships/export.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    export(state, ctx, code, query, "csv").await
}

/// `GET /t/{code}/partnerships/export.xlsx`.
pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    export(state, ctx, code, query, "xlsx").await
}

/// `attachment` with an ASCII name and the Japanese one (RFC 6266 / RFC 5987).
pub fn disposition(ascii: &str, japanese: &str) -> Option<HeaderValue> {
    let encoded =
        percent_encoding::utf8_percent_encode(japanese, percent_encoding::NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .ok()
}

async fn export(
    state: AppState,
    ctx: Ctx,
    code: String,
    query: ListQuery,
    format: &'static str,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_read_partnerships).await?;
    let list = state
        .store
        .partnerships_export(a.code, &export_filter(&query))
        .await?;
    let table =
        renkei_app::partnership_sheet::export_table(&a.tenant.code, &a.tenant.full_name(), &list);
    let (body, content_type) = if format == "csv" {
        (
            renkei_app::export::to_csv(&table),
            "text/csv; charset=utf-8",
        )
    } else {
        (
            renkei_app::export::to_xlsx(&table, &ctx.tr.t("pexport-sheet"))
                .map_err(|e| WebError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    state
        .store
        .audit_partnership_export(
            a.code,
            format,
            list.len(),
            &filter_text(&export_filter(&query)),
            &ctx.who(),
        )
        .await?;
    let day = state.store.today().format("%Y%m%d");
    let ascii = format!("renkei-{}-partnerships-{day}.{format}", a.code);
    let japanese = format!(
        "{}_{}_{day}.{format}",
        ctx.tr.t("pexport-filename"),
        a.tenant.full_name()
    );
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(v) = disposition(&ascii, &japanese) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}
