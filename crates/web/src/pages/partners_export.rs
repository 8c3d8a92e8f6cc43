//! The partner registry as a spreadsheet for the desk's own records:
//! `/t/{code}/desk/partners/export.csv` and `.xlsx`, with the registry's filters (`q`,
//! `partner_type`), every matching partner (not one page, at most [`MAX`]). Contacts (担当者,
//! personal data) are not exported. Desk staff only, audited (`partner.export`).

use super::partnership_sheet::disposition;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use renkei_app::export::{Cell, Table};
use renkei_domain::Actor;
use renkei_domain::proposal::PartnerType;
use renkei_store::proposals::PartnerFilter;
use serde::Deserialize;

/// The most partners one export writes.
pub const MAX: usize = 50_000;
const PAGE: i64 = 500;

#[derive(Debug, Deserialize, Default)]
pub struct ExportQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    partner_type: String,
}

/// `GET /t/{code}/desk/partners/export.csv`.
pub async fn csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    export(state, ctx, code, query, "csv").await
}

/// `GET /t/{code}/desk/partners/export.xlsx`.
pub async fn xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    export(state, ctx, code, query, "xlsx").await
}

async fn export(
    state: AppState,
    ctx: Ctx,
    code: String,
    query: ExportQuery,
    format: &'static str,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let mut filter = PartnerFilter {
        q: query.q.chars().take(100).collect(),
        partner_type: PartnerType::parse(&query.partner_type).ok(),
        page: 0,
        per_page: PAGE,
    };
    let mut all = Vec::new();
    loop {
        let (list, total) = state.store.partner_list(a.code, &filter).await?;
        if total as usize > MAX {
            return Err(WebError::BadRequest("partners-export-too-many"));
        }
        let n = list.len();
        all.extend(list);
        if n < PAGE as usize || all.len() >= total as usize {
            break;
        }
        filter.page += 1;
    }
    let tr = &ctx.tr;
    let keys = [
        "partner-name",
        "partner-name-kana",
        "propose-partner-type",
        "propose-corporate-number",
        "partner-address",
        "partner-website",
        "partner-phone",
        "partners-proposals",
        "partner-strengths",
        "partner-constraints",
        "partner-note",
    ];
    let table = Table {
        headers: keys.iter().map(|k| tr.t(k)).collect(),
        rows: all
            .iter()
            .map(|p| {
                vec![
                    p.name.as_str().into(),
                    p.name_kana.as_str().into(),
                    tr.t(&p.partner_type.label_key()).into(),
                    p.corporate_number.as_deref().into(),
                    p.address.as_str().into(),
                    p.website.as_str().into(),
                    p.phone.as_str().into(),
                    Cell::Int(p.proposal_count),
                    p.strengths.as_str().into(),
                    p.constraints.as_str().into(),
                    p.note.as_str().into(),
                ]
            })
            .collect(),
    };
    let (body, content_type) = if format == "csv" {
        (
            renkei_app::export::to_csv(&table),
            "text/csv; charset=utf-8",
        )
    } else {
        (
            renkei_app::export::to_xlsx(&table, &tr.t("partners-export-sheet"))
                .map_err(|e| WebError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    };
    let detail = serde_json::json!({
        "format": format,
        "count": all.len(),
        "q": filter.q,
        "partner_type": filter.partner_type.map(|t| t.code()),
    });
    state
        .store
        .audit(ctx.who().event(
            Some(&a.code.to_string()),
            "partner.export",
            "partners".into(),
            detail.to_string(),
        ))
        .await?;
    let day = state.store.today().format("%Y%m%d");
    let ascii = format!("renkei-{}-partners-{day}.{format}", a.code);
    let japanese = format!(
        "{}_{}_{day}.{format}",
        tr.t("partners-export-filename"),
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
