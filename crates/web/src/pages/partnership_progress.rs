//! `/t/{code}/partnerships/progress` (department staff and the desk): outcome indicators
//! updated in bulk from a spreadsheet — choose a file → a preview with every row error →
//! 「更新する」 → the count. The file waits on the server between the preview and the
//! confirmation (`sheet_uploads`, as for the partnership import). And
//! `/t/{code}/partnerships/progress-template.csv`: the sheet to fill in, prefilled with the
//! caller's partnerships and their indicators for the current fiscal year.

use super::html;
use super::partnership_sheet::disposition;
use crate::auth::{CsrfForm, Ctx, constant_time_eq, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::body::Body;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use renkei_app::CommandError;
use renkei_app::partnership_import::ImportError;
use renkei_app::progress_import::{self as cmd, may_use};
use renkei_store::tenants::Tenant;
use serde::Deserialize;

const KIND: &str = "progress-update";

/// One row the preview would write.
pub struct RowView {
    pub line: usize,
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub year: String,
    pub target: String,
    pub actual: String,
}

#[derive(Template)]
#[template(path = "pages/partnership_progress.html")]
struct ProgressTemplate {
    base: Base,
    tenant: Tenant,
    /// `form`, `preview` or `done`.
    stage: &'static str,
    file_error: Option<String>,
    summary: String,
    ignored: Option<String>,
    errors: Vec<(usize, String)>,
    rows: Vec<RowView>,
    token: String,
}

impl ProgressTemplate {
    fn new(base: Base, tenant: Tenant, stage: &'static str) -> Self {
        Self {
            base,
            tenant,
            stage,
            file_error: None,
            summary: String::new(),
            ignored: None,
            errors: Vec::new(),
            rows: Vec::new(),
            token: String::new(),
        }
    }
}

/// `GET /t/{code}/partnerships/progress`.
pub async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, may_use).await?;
    let base = Base::new(&ctx, ctx.tr.t("progress-title"));
    Ok(html(&ProgressTemplate::new(base, a.tenant, "form"))?.into_response())
}

fn number(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

/// `POST /t/{code}/partnerships/progress` (multipart: `_csrf`, `file`): the preview.
pub async fn check(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, may_use).await?;
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
    let (filename, data) = match file {
        Some(f) => (f.filename, f.data.unwrap_or_default()),
        None => (String::new(), Vec::new()),
    };
    let preview = match cmd::preview(&state.app, &a.caller(&ctx), a.code, &data, &filename).await {
        Ok(p) => p,
        Err(CommandError::Invalid(list)) => {
            let mut t = ProgressTemplate::new(
                Base::new(&ctx, ctx.tr.t("progress-title")),
                a.tenant,
                "form",
            );
            t.file_error = list.first().map(|e| ctx.tr.t(e.key));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&t)?).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let mut t = ProgressTemplate::new(
        Base::new(&ctx, ctx.tr.t("progress-preview-title")),
        a.tenant,
        "preview",
    );
    t.ignored = (!preview.sheet.ignored_columns.is_empty()).then(|| {
        ctx.tr.fill(
            "pimport-ignored",
            &[("columns", &preview.sheet.ignored_columns.join("、"))],
        )
    });
    t.errors = preview
        .sheet
        .errors
        .iter()
        .map(|e| (e.line, e.message(&ctx.tr)))
        .collect();
    t.rows = preview
        .sheet
        .rows
        .iter()
        .map(|r| RowView {
            line: r.line,
            id: r.update.partnership_id,
            name: r.update.name.clone(),
            unit: r.update.unit.clone(),
            year: renkei_domain::time::wareki_fiscal_year(r.update.fiscal_year),
            target: number(r.update.target),
            actual: number(r.update.actual),
        })
        .collect();
    if preview.sheet.errors.is_empty() && !preview.sheet.rows.is_empty() {
        t.summary = ctx.tr.fill(
            "progress-preview-ok",
            &[("count", &preview.sheet.rows.len().to_string())],
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

/// `POST /t/{code}/partnerships/progress/confirm` (`token`): writes the held file.
pub async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, may_use).await?;
    let token: String = form.token.chars().take(100).collect();
    let again = |key: &str| {
        let mut t = ProgressTemplate::new(
            Base::new(&ctx, ctx.tr.t("progress-title")),
            a.tenant.clone(),
            "form",
        );
        t.file_error = Some(ctx.tr.t(key));
        t
    };
    let held = match state
        .store
        .upload_held(a.code, a.actor.user_id, KIND, &token)
        .await
    {
        Ok(h) => h,
        Err(renkei_store::StoreError::NotFound) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                html(&again("error-import-expired"))?,
            )
                .into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let result = cmd::update(
        &state.app,
        &a.caller(&ctx),
        a.code,
        &held.data,
        &held.filename,
    )
    .await;
    state.store.upload_drop(&token).await?;
    match result {
        Ok(count) => {
            let mut t = ProgressTemplate::new(
                Base::new(&ctx, ctx.tr.t("progress-done-title")),
                a.tenant.clone(),
                "done",
            );
            t.summary = ctx
                .tr
                .fill("progress-done", &[("count", &count.to_string())]);
            Ok(html(&t)?.into_response())
        }
        Err(ImportError::BadRows(rows)) => {
            let mut t = ProgressTemplate::new(
                Base::new(&ctx, ctx.tr.t("progress-preview-title")),
                a.tenant.clone(),
                "preview",
            );
            t.summary = ctx
                .tr
                .fill("pimport-preview-bad", &[("count", &rows.len().to_string())]);
            t.errors = rows.iter().map(|e| (e.line, e.message(&ctx.tr))).collect();
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&t)?).into_response())
        }
        Err(ImportError::Command(
            e @ (CommandError::Invalid(_) | CommandError::Conflict { .. }),
        )) => {
            let key = e
                .fields()
                .and_then(|l| l.first().map(|f| f.key))
                .unwrap_or("error-bad-request");
            Ok((StatusCode::UNPROCESSABLE_ENTITY, html(&again(key))?).into_response())
        }
        Err(ImportError::Command(e)) => Err(e.into()),
    }
}

/// `GET /t/{code}/partnerships/progress-template.csv`: the sheet to fill in.
pub async fn template_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, may_use).await?;
    let table = cmd::template(&state.app, &a.caller(&ctx), a.code).await?;
    let body = renkei_app::export::to_csv(&table);
    let day = state.store.today().format("%Y%m%d");
    let ascii = format!("renkei-{}-indicators-{day}.csv", a.code);
    let japanese = format!("{}_{day}.csv", ctx.tr.t("progress-filename"));
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Some(v) = disposition(&ascii, &japanese) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}
