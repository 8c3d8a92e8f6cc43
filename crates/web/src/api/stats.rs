//! Statistics in the JSON API, public (no token): `GET /api/v1/stats` (nationwide, the cached
//! aggregate) and `GET /api/v1/tenants/{code}/stats` (one local government) — the numbers of
//! the statistics pages, aggregate counts only.

use crate::api::proposals::{ApiPath, TenantPath};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use renkei_domain::TenantCode;
use renkei_domain::time::wareki_fiscal_year;
use renkei_store::stats::{Stats, YearFigures};
use serde::Serialize;

/// A count under a vocabulary code.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CountJson {
    #[schema(examples("proposal"))]
    pub code: String,
    pub count: i64,
}

/// One fiscal year's proposals and activities (by the fiscal year of receipt).
#[derive(Serialize, utoipa::ToSchema)]
pub struct YearJson {
    /// The fiscal year (年度, 1 April to 31 March), western: 2026 is 令和8年度.
    #[schema(examples(2026))]
    pub fiscal_year: i32,
    #[schema(examples("令和8年度"))]
    pub fiscal_year_wareki: String,
    /// Proposals received by kind (`proposal`, `consultation`, `donation`).
    pub by_kind: Vec<CountJson>,
    pub received: i64,
    /// 実施決定.
    pub decided: i64,
    /// 不採択.
    pub declined: i64,
    /// decided / (decided + declined), 0–1, null without either.
    pub share_realised: Option<f64>,
    /// Median business days from receipt to the first response (day of receipt = 0).
    pub median_business_days_to_first_response: Option<f64>,
    /// Proposals the first-response median is taken over.
    pub responded: i64,
    /// Median business days from receipt to 実施決定 or 不採択.
    pub median_business_days_to_decision: Option<f64>,
    /// Proposals the decision median is taken over.
    pub concluded: i64,
    /// Activities done in the fiscal year.
    pub activities: i64,
}

/// Statistics of a local government or of the whole country.
#[derive(Serialize, utoipa::ToSchema)]
pub struct StatsResponse {
    /// `national`, or the local government's code.
    #[schema(examples("272027"))]
    pub scope: String,
    /// When the figures were computed (UTC).
    #[schema(format = DateTime)]
    pub computed_at: String,
    /// The last five fiscal years, oldest first; the last one is the current, counted so far.
    pub years: Vec<YearJson>,
    /// Proposals of those years declined, by reason code.
    pub decline_reasons: Vec<CountJson>,
    /// Concluded partnerships (running or ended), all years, by form code.
    pub partnerships_by_form: Vec<CountJson>,
    /// The same by field code (once under each of a partnership's fields).
    pub partnerships_by_field: Vec<CountJson>,
    pub partnerships: i64,
}

fn counts(v: &[(String, i64)]) -> Vec<CountJson> {
    v.iter()
        .map(|(c, n)| CountJson {
            code: c.clone(),
            count: *n,
        })
        .collect()
}

fn year_json(y: &YearFigures) -> YearJson {
    let tenth = |t: Option<i64>| t.map(|t| t as f64 / 10.0);
    YearJson {
        fiscal_year: y.fiscal_year,
        fiscal_year_wareki: wareki_fiscal_year(y.fiscal_year),
        by_kind: counts(&y.by_kind),
        received: y.received,
        decided: y.decided,
        declined: y.declined,
        share_realised: (y.decided + y.declined > 0)
            .then(|| y.decided as f64 / (y.decided + y.declined) as f64),
        median_business_days_to_first_response: tenth(y.median_first_response_tenths),
        responded: y.responded,
        median_business_days_to_decision: tenth(y.median_decision_tenths),
        concluded: y.concluded,
        activities: y.activities,
    }
}

fn response(scope: String, s: &Stats) -> StatsResponse {
    StatsResponse {
        scope,
        computed_at: s.computed_at.clone(),
        years: s.years.iter().map(year_json).collect(),
        decline_reasons: counts(&s.decline_reasons),
        partnerships_by_form: counts(&s.by_form),
        partnerships_by_field: counts(&s.by_field),
        partnerships: s.partnerships,
    }
}

/// `GET /api/v1/stats`
#[utoipa::path(
    get,
    path = "/api/v1/stats",
    summary = "全国の公民連携統計 (nationwide statistics)",
    description = "Public, no token. Aggregate counts of every local government, recomputed at most every 15 minutes (`computed_at`).",
    security(()),
    responses(
        (status = 200, description = "The figures", body = StatsResponse),
    )
)]
pub async fn national(State(state): State<AppState>) -> Result<Json<StatsResponse>, ApiError> {
    let s = state.store.national_stats().await?;
    Ok(Json(response("national".into(), &s)))
}

/// `GET /api/v1/tenants/{code}/stats`
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/stats",
    summary = "自治体の公民連携統計 (a local government's statistics)",
    description = "Public, no token. Aggregate counts of one local government, computed now.",
    security(()),
    params(TenantPath),
    responses(
        (status = 200, description = "The figures", body = StatsResponse),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn tenant(
    State(state): State<AppState>,
    ApiPath(TenantPath { code }): ApiPath<TenantPath>,
) -> Result<Json<StatsResponse>, ApiError> {
    let tenant = TenantCode::parse(&code).map_err(|_| ApiError::tenant_not_found())?;
    state
        .store
        .tenant(&tenant.to_string())
        .await
        .map_err(|e| match e {
            renkei_store::StoreError::NotFound => ApiError::tenant_not_found(),
            other => other.into(),
        })?;
    let s = state.store.tenant_stats(tenant).await?;
    Ok(Json(response(tenant.to_string(), &s)))
}
