//! Open data in the JSON API (public, no token): `GET /api/v1/opendata/partnerships` and
//! `GET /api/v1/opendata/calls` — the same rows as the CSV files (`pages::opendata`), the same
//! values under English keys, a page at a time in keyset order (tenant code, id) with a
//! `next` cursor, one local government (`tenant=`) or the whole country; every item carries
//! its local government's licence, and a tenant's answer its licence at the top.

use crate::api::openapi as oa;
use crate::error::ApiError;
use crate::error::ErrorBody;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use renkei_app::opendata as od;
use renkei_domain::TenantCode;
use renkei_domain::opendata::License;
use renkei_store::opendata::{Cursor, PAGE_MAX};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// The page size when none is asked for.
pub const DEFAULT_LIMIT: i64 = 100;

/// The query of both endpoints.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct OpenDataQuery {
    /// One local government's rows only (全国地方公共団体コード); all when absent.
    #[param(schema_with = oa::tenant_code)]
    pub tenant: Option<String>,
    /// The `next` cursor of the previous page (`{code}-{id}`); from the start when absent.
    #[param(schema_with = oa::opendata_cursor)]
    pub after: Option<String>,
    /// Rows per page, 1–1000 (default 100; beyond is 400 `out_of_range`).
    #[param(schema_with = oa::opendata_limit)]
    pub limit: Option<String>,
}

/// A licence.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LicenseJson {
    /// `cc-by-4.0`, `cc0-1.0`, `gov-standard-2.0` or `other`.
    #[schema(examples("cc-by-4.0"))]
    pub kind: String,
    /// Its name (for `other`, the text the local government gave).
    #[schema(examples("クリエイティブ・コモンズ 表示 4.0 国際 (CC BY 4.0)"))]
    pub name: String,
    /// Its address, where it has a well-known one.
    pub url: Option<String>,
}

fn license_json(l: &License) -> LicenseJson {
    LicenseJson {
        kind: l.kind.code().to_string(),
        name: l.name(),
        url: l.url().map(str::to_string),
    }
}

/// A published partnership (連携事業・連携協定); every value as in the CSV file's row.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpenPartnershipJson {
    /// 全国地方公共団体コード
    #[schema(examples("272027"))]
    pub local_government_code: String,
    /// ID (the partnership's number)
    pub id: String,
    /// 地方公共団体名
    #[schema(examples("大阪府岸和田市"))]
    pub local_government_name: String,
    /// 名称
    pub name: String,
    /// 種別 (包括連携協定, 事業連携協定, 個別の連携事業)
    pub form: String,
    /// 相手方名称, several separated by `;`
    pub partner_names: String,
    /// 相手方法人番号, position by position with the names (empty where none)
    pub partner_corporate_numbers: String,
    /// 相手方種別, position by position with the names
    pub partner_types: String,
    /// 分野, several separated by `;`
    pub fields: String,
    /// 締結日 (YYYY-MM-DD or empty)
    pub signed_on: String,
    /// 開始日 (YYYY-MM-DD or empty)
    pub starts_on: String,
    /// 終了日 (YYYY-MM-DD or empty)
    pub ends_on: String,
    /// 自動更新 (あり / なし)
    pub auto_renew: String,
    /// 状態
    pub status: String,
    /// 最終活動日 (YYYY-MM-DD or empty)
    pub last_activity_on: String,
    /// 休眠 (「休眠」 when dormant by the local government's period, else empty)
    pub dormant: String,
    /// 概要
    pub summary: String,
    /// The case's public page (empty for a cancelled agreement, which has none)
    pub url: String,
    pub license: LicenseJson,
}

/// A public open call (行政課題・テーマ型提案募集); every value as in the CSV file's row.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpenCallJson {
    /// 全国地方公共団体コード
    #[schema(examples("272027"))]
    pub local_government_code: String,
    /// ID (the call's number)
    pub id: String,
    /// 地方公共団体名
    pub local_government_name: String,
    /// 名称
    pub name: String,
    /// 担当課
    pub department: String,
    /// 分野, several separated by `;`
    pub fields: String,
    /// 募集開始日 (YYYY-MM-DD)
    pub opens_on: String,
    /// 締切日 (YYYY-MM-DD)
    pub closes_on: String,
    /// 状態 (公開中, 締切, 選定済)
    pub status: String,
    /// 選定結果: the selected organisations, separated by `;` (empty until decided)
    pub selected: String,
    /// 選定理由 (empty until decided)
    pub selection_reason: String,
    /// The call's public page
    pub url: String,
    pub license: LicenseJson,
}

/// A page of published partnerships.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpenPartnershipsResponse {
    /// The local government's licence (when `tenant` was given).
    pub license: Option<LicenseJson>,
    pub items: Vec<OpenPartnershipJson>,
    /// The `after` of the next page; null on the last page.
    pub next: Option<String>,
}

/// A page of public open calls.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpenCallsResponse {
    /// The local government's licence (when `tenant` was given).
    pub license: Option<LicenseJson>,
    pub items: Vec<OpenCallJson>,
    /// The `after` of the next page; null on the last page.
    pub next: Option<String>,
}

fn bad_request() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "error-bad-request")
}

struct Asked {
    tenant: Option<TenantCode>,
    after: Option<Cursor>,
    limit: i64,
}

async fn read_query(
    state: &AppState,
    query: Result<Query<OpenDataQuery>, QueryRejection>,
) -> Result<Asked, ApiError> {
    let Query(q) = query.map_err(|_| bad_request())?;
    let tenant = match q.tenant.as_deref().map(str::trim) {
        None => None,
        Some(code) => {
            let t = TenantCode::parse(code).map_err(|_| bad_request())?;
            state
                .store
                .tenant(&t.to_string())
                .await
                .map_err(|e| match e {
                    renkei_store::StoreError::NotFound => ApiError::tenant_not_found(),
                    other => other.into(),
                })?;
            Some(t)
        }
    };
    let after = match q.after.as_deref() {
        None => None,
        Some(c) => Some(Cursor::parse(c).ok_or_else(bad_request)?),
    };
    let limit = crate::api::proposals::number(&q.limit, 1, PAGE_MAX)?.unwrap_or(DEFAULT_LIMIT);
    Ok(Asked {
        tenant,
        after,
        limit,
    })
}

/// `GET /api/v1/opendata/partnerships`
#[utoipa::path(
    get,
    path = "/api/v1/opendata/partnerships",
    summary = "オープンデータ：連携事業・連携協定 (published partnerships)",
    description = "Public, no token. The published partnerships (with publication consent) of one local government or of all, in the order (local government code, id), a page at a time: pass `next` as `after` for the following page. The same rows and values as `/opendata/partnerships.csv`.",
    security(()),
    params(OpenDataQuery),
    responses(
        (status = 200, description = "A page of partnerships", body = OpenPartnershipsResponse),
        (status = 400, description = "A parameter is unreadable (code `bad_request`) or out of range (code `out_of_range`)", body = ErrorBody),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn partnerships(
    State(state): State<AppState>,
    query: Result<Query<OpenDataQuery>, QueryRejection>,
) -> Result<Json<OpenPartnershipsResponse>, ApiError> {
    let asked = read_query(&state, query).await?;
    let rows = state
        .store
        .opendata_partnerships(asked.tenant, asked.after, asked.limit)
        .await?;
    let license = match asked.tenant {
        Some(t) => Some(license_json(&state.store.opendata_license(t).await?)),
        None => None,
    };
    let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= asked.limit;
    let next = if full {
        rows.last().map(|r| r.cursor().to_string())
    } else {
        None
    };
    let base = state.base_url();
    let items = rows
        .iter()
        .map(|p| {
            let r = od::partnership_record(p, base);
            OpenPartnershipJson {
                local_government_code: r.local_government_code,
                id: r.id,
                local_government_name: r.local_government_name,
                name: r.name,
                form: r.form,
                partner_names: r.partner_names,
                partner_corporate_numbers: r.partner_corporate_numbers,
                partner_types: r.partner_types,
                fields: r.fields,
                signed_on: r.signed_on,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                auto_renew: r.auto_renew,
                status: r.status,
                last_activity_on: r.last_activity_on,
                dormant: r.dormant,
                summary: r.summary,
                url: r.url,
                license: license_json(&p.license),
            }
        })
        .collect();
    Ok(Json(OpenPartnershipsResponse {
        license,
        items,
        next,
    }))
}

/// `GET /api/v1/opendata/calls`
#[utoipa::path(
    get,
    path = "/api/v1/opendata/calls",
    summary = "オープンデータ：行政課題・テーマ型提案募集 (public open calls)",
    description = "Public, no token. The published, closed and decided open calls of one local government or of all, in the order (local government code, id), a page at a time: pass `next` as `after` for the following page. The selection result only once decided. The same rows and values as `/opendata/calls.csv`.",
    security(()),
    params(OpenDataQuery),
    responses(
        (status = 200, description = "A page of open calls", body = OpenCallsResponse),
        (status = 400, description = "A parameter is unreadable (code `bad_request`) or out of range (code `out_of_range`)", body = ErrorBody),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn calls(
    State(state): State<AppState>,
    query: Result<Query<OpenDataQuery>, QueryRejection>,
) -> Result<Json<OpenCallsResponse>, ApiError> {
    let asked = read_query(&state, query).await?;
    let rows = state
        .store
        .opendata_calls(asked.tenant, asked.after, asked.limit)
        .await?;
    let license = match asked.tenant {
        Some(t) => Some(license_json(&state.store.opendata_license(t).await?)),
        None => None,
    };
    let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= asked.limit;
    let next = if full {
        rows.last().map(|r| r.cursor().to_string())
    } else {
        None
    };
    let base = state.base_url();
    let items = rows
        .iter()
        .map(|c| {
            let r = od::call_record(c, base);
            OpenCallJson {
                local_government_code: r.local_government_code,
                id: r.id,
                local_government_name: r.local_government_name,
                name: r.name,
                department: r.department,
                fields: r.fields,
                opens_on: r.opens_on,
                closes_on: r.closes_on,
                status: r.status,
                selected: r.selected,
                selection_reason: r.selection_reason,
                url: r.url,
                license: license_json(&c.license),
            }
        })
        .collect();
    Ok(Json(OpenCallsResponse {
        license,
        items,
        next,
    }))
}
