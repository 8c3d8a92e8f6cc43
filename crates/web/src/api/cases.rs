//! The public case library in the JSON API (no token): `GET /api/v1/cases` (the national
//! search: the same results, total and facets as the `/cases` page) and
//! `GET /api/v1/cases/{id}` (one case). Only published partnerships that are signed or ended
//! are cases (see `renkei_store::cases`); nothing of a proposal is read here.

use crate::api::partnerships::{date_or_null, field_list, field_param, form, partner_type};
use crate::api::proposals::ApiPath;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use renkei_domain::TenantCode;
use renkei_domain::partnership::Form;
use renkei_domain::proposal::{Field, PartnerType};
use renkei_store::cases::{CaseHit, CaseQuery, CaseResults, PAGE_MAX};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// The longest query text.
pub const Q_MAX_CHARS: usize = 200;
/// The most results "same partner elsewhere" and "similar cases elsewhere" list.
pub const RELATED_MAX: i64 = 10;
/// Ids are JSON-safe integers.
const MAX_ID: i64 = 9_007_199_254_740_991;

fn string_max(max: usize, pattern: Option<&str>) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .max_length(Some(max))
        .pattern(pattern.map(str::to_string))
        .build()
}

fn integer(min: i64, max: i64) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Integer))
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

/// The query text refuses control characters (PostgreSQL cannot even hold NUL in text).
pub fn q_param() -> Object {
    string_max(Q_MAX_CHARS, Some(r"^[^\u0000-\u001F\u007F-\u009F]*$"))
}
pub fn prefecture_param() -> Object {
    string_max(6, Some("^([0-9]{2}|[0-9]{6})$"))
}
pub fn tenant_param() -> Object {
    string_max(6, Some("^[0-9]{6}$"))
}
pub fn year_param() -> Object {
    integer(1900, 2100)
}
pub fn page_param() -> Object {
    integer(0, PAGE_MAX)
}
pub fn id_param() -> Object {
    integer(1, MAX_ID)
}

/// The search's parameters, shared by the `/cases` pages and the API.
#[derive(Deserialize, IntoParams, Default, Clone, Debug)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// Words (all must match; a phrase matches as written, folded: full/half width, kana,
    /// 株式会社/(株)/㈱ alike). No control characters.
    #[param(schema_with = q_param)]
    pub q: Option<String>,
    /// 都道府県: its two-digit number (`27`) or its code (`270008`).
    #[param(schema_with = prefecture_param)]
    pub prefecture: Option<String>,
    /// 自治体: the 全国地方公共団体コード.
    #[param(schema_with = tenant_param)]
    pub tenant: Option<String>,
    #[param(schema_with = field_param)]
    pub field: Option<String>,
    #[param(schema_with = partner_type)]
    pub partner_type: Option<String>,
    #[param(schema_with = form)]
    pub form: Option<String>,
    /// The year of signing (else of the start).
    #[param(schema_with = year_param)]
    pub year: Option<String>,
    /// The 0-based page (20 a page).
    #[param(schema_with = page_param)]
    pub page: Option<String>,
}

/// Why a search's parameters were refused: the parameter and the message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadParam {
    pub param: &'static str,
    pub key: &'static str,
    pub out_of_range: bool,
}

pub(crate) fn bad(param: &'static str) -> BadParam {
    BadParam {
        param,
        key: "error-cases-bad-param",
        out_of_range: false,
    }
}

fn value(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) fn integer_in(
    v: &str,
    min: i64,
    max: i64,
    param: &'static str,
) -> Result<i64, BadParam> {
    if v.is_empty() || v.len() > 19 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(param));
    }
    match v.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(BadParam {
            param,
            key: "error-out-of-range",
            out_of_range: true,
        }),
    }
}

/// The query text of a public search (cases, open calls), trimmed: refused when longer than
/// [`Q_MAX_CHARS`] or holding a control character.
pub fn checked_q(q: Option<&str>) -> Result<String, BadParam> {
    let q = q.unwrap_or_default();
    if q.chars().count() > Q_MAX_CHARS {
        return Err(BadParam {
            param: "q",
            key: "error-cases-q-too-long",
            out_of_range: true,
        });
    }
    // No control characters (PostgreSQL cannot even hold NUL in text).
    if q.chars().any(char::is_control) {
        return Err(bad("q"));
    }
    Ok(q.trim().to_string())
}

impl CasesQuery {
    /// The API reads a filter exactly as the document states it: one given without a value,
    /// or with white space around it, is a 400 (`bad_request`), as in the other operations.
    /// The pages, whose forms send their empty fields, read those as absent
    /// ([`CasesQuery::to_store`]).
    pub fn check_exact(&self) -> Result<(), BadParam> {
        let filters = [
            ("prefecture", &self.prefecture),
            ("tenant", &self.tenant),
            ("field", &self.field),
            ("partner_type", &self.partner_type),
            ("form", &self.form),
            ("year", &self.year),
            ("page", &self.page),
        ];
        for (param, v) in filters {
            if let Some(v) = v
                && (v.is_empty() || v.trim() != v)
            {
                return Err(bad(param));
            }
        }
        Ok(())
    }

    /// The store's query, every value checked: an unknown code, a malformed number or one out
    /// of range is refused (never ignored or clamped). `fixed_tenant` (a tenant's own library)
    /// replaces the tenant and prefecture filters.
    pub fn to_store(&self, fixed_tenant: Option<&str>) -> Result<CaseQuery, BadParam> {
        let q = checked_q(self.q.as_deref())?;
        let mut filters = Vec::new();
        match fixed_tenant {
            Some(t) => filters.push(("tenant".to_string(), t.to_string())),
            None => {
                if let Some(p) = value(&self.prefecture) {
                    let two = match p.len() {
                        2 => integer_in(p, 1, 47, "prefecture").map(|_| p.to_string())?,
                        6 => TenantCode::parse(p)
                            .map(|c| c.to_string()[..2].to_string())
                            .map_err(|_| bad("prefecture"))?,
                        _ => return Err(bad("prefecture")),
                    };
                    filters.push(("prefecture".to_string(), two));
                }
                if let Some(t) = value(&self.tenant) {
                    let code = TenantCode::parse(t).map_err(|_| bad("tenant"))?;
                    filters.push(("tenant".to_string(), code.to_string()));
                }
            }
        }
        if let Some(f) = value(&self.field) {
            let f = Field::parse(f).map_err(|_| bad("field"))?;
            filters.push(("field".to_string(), f.code().to_string()));
        }
        if let Some(t) = value(&self.partner_type) {
            let t = PartnerType::parse(t).map_err(|_| bad("partner_type"))?;
            filters.push(("partner_type".to_string(), t.code().to_string()));
        }
        if let Some(f) = value(&self.form) {
            let f = Form::parse(f).map_err(|_| bad("form"))?;
            filters.push(("form".to_string(), f.code().to_string()));
        }
        if let Some(y) = value(&self.year) {
            let y = integer_in(y, 1900, 2100, "year")?;
            filters.push(("year".to_string(), y.to_string()));
        }
        let page = match value(&self.page) {
            Some(p) => integer_in(p, 0, PAGE_MAX, "page")?,
            None => 0,
        };
        Ok(CaseQuery { q, filters, page })
    }
}

impl From<BadParam> for ApiError {
    fn from(b: BadParam) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            if b.out_of_range {
                "out_of_range"
            } else {
                "bad_request"
            },
            b.key,
        )
    }
}

/// One case (連携事例).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseJson {
    /// The partnership's number at its local government.
    pub id: i64,
    /// 全国地方公共団体コード
    #[schema(examples("272027"))]
    pub tenant: String,
    #[schema(examples("大阪府岸和田市"))]
    pub tenant_name: String,
    /// 都道府県の番号 (two digits)
    #[schema(examples("27"))]
    pub prefecture: String,
    #[schema(examples("防災備蓄の連携"))]
    pub title: String,
    /// The parties' names.
    pub partners: Vec<String>,
    #[schema(schema_with = form)]
    pub form: String,
    /// `active` (締結済・実施中) or `ended` (終了).
    #[schema(examples("active"))]
    pub status: String,
    #[schema(schema_with = field_list)]
    pub fields: Vec<String>,
    #[schema(schema_with = date_or_null)]
    pub signed_on: Option<String>,
    #[schema(schema_with = date_or_null)]
    pub starts_on: Option<String>,
    #[schema(schema_with = date_or_null)]
    pub ends_on: Option<String>,
    /// The year of signing (else of the start).
    pub year: i64,
    /// The public case page.
    #[schema(examples("/t/272027/cases/12"))]
    pub url: String,
}

pub fn case_json(h: &CaseHit) -> CaseJson {
    CaseJson {
        id: h.id,
        tenant: h.tenant_code.clone(),
        tenant_name: h.tenant_name.clone(),
        prefecture: h.prefecture_code.clone(),
        title: h.title.clone(),
        partners: h
            .partners
            .split('、')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        form: h.form.code().to_string(),
        status: h.status.code().to_string(),
        fields: h.fields.iter().map(|f| f.code().to_string()).collect(),
        signed_on: h.signed_on.map(|d| d.to_string()),
        starts_on: h.starts_on.map(|d| d.to_string()),
        ends_on: h.ends_on.map(|d| d.to_string()),
        year: h.year,
        url: format!("/t/{}/cases/{}", h.tenant_code, h.id),
    }
}

/// A facet value and how many results have it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FacetJson {
    /// `prefecture`, `tenant`, `field`, `partner_type`, `form` or `year`.
    #[schema(examples("field"))]
    pub facet: String,
    #[schema(examples("disaster"))]
    pub value: String,
    /// The local government's or prefecture's name (other facets: empty).
    pub label: String,
    pub count: i64,
}

/// One page of cases, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CasesResponse {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<CaseJson>,
    pub facets: Vec<FacetJson>,
}

pub fn results_json(r: &CaseResults) -> CasesResponse {
    CasesResponse {
        total: r.total,
        page: r.page,
        per_page: renkei_store::cases::PER_PAGE,
        items: r.items.iter().map(case_json).collect(),
        facets: r
            .facets
            .iter()
            .map(|f| FacetJson {
                facet: f.facet.clone(),
                value: f.value.clone(),
                label: f.label.clone(),
                count: f.count,
            })
            .collect(),
    }
}

/// `GET /api/v1/cases`
#[utoipa::path(
    get,
    path = "/api/v1/cases",
    summary = "連携事例の検索 (national case search)",
    description = "Public, no token. Published partnerships (signed or ended) of every local government: the same results, total and facet counts as the /cases page.",
    params(CasesQuery),
    responses(
        (status = 200, description = "One page of cases, newest first, with facet counts", body = CasesResponse),
        (status = 400, description = "A parameter is unreadable or unknown (code `bad_request`) or out of range (code `out_of_range`)", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<CasesQuery>, QueryRejection>,
) -> Result<Json<CasesResponse>, ApiError> {
    let Query(q) = query
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "error-bad-request"))?;
    q.check_exact()?;
    let q = q.to_store(None)?;
    let r = state.store.cases_search(&q).await.map_err(internal)?;
    Ok(Json(results_json(&r)))
}

fn internal(e: renkei_store::StoreError) -> ApiError {
    tracing::error!(error = %e, "case search failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "error-internal",
    )
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CasePath {
    #[param(schema_with = id_param, required = true)]
    pub id: String,
}

/// One case with the same partner's cases and similar cases in other local governments.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CaseDetailJson {
    #[serde(flatten)]
    pub case: CaseJson,
    /// The public summary.
    pub summary: String,
    pub purpose: String,
    pub same_partner_elsewhere: Vec<CaseJson>,
    pub similar_elsewhere: Vec<CaseJson>,
}

/// `GET /api/v1/cases/{id}`
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}",
    summary = "連携事例 (one case)",
    description = "Public, no token. A published partnership (signed or ended) by its number, with the same partner's cases and similar cases in other local governments. Anything else is 404.",
    params(CasePath),
    responses(
        (status = 200, description = "The case", body = CaseDetailJson),
        (status = 400, description = "The id is not a number (code `bad_request`) or out of range (code `out_of_range`)", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(CasePath { id }): ApiPath<CasePath>,
) -> Result<Json<CaseDetailJson>, ApiError> {
    let id = integer_in(&id, 1, MAX_ID, "id")?;
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "case_not_found", "error-not-found");
    let hit = match state.store.case_by_id(id).await {
        Ok(h) => h,
        Err(renkei_store::StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(internal(e)),
    };
    let tc = TenantCode::parse(&hit.tenant_code).map_err(|_| not_found())?;
    let p = match state.store.partnership(tc, id).await {
        Ok(p) => p,
        Err(renkei_store::StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(internal(e)),
    };
    let same = state
        .store
        .cases_same_partner(id, RELATED_MAX)
        .await
        .map_err(internal)?;
    let similar = state
        .store
        .cases_similar(id, RELATED_MAX)
        .await
        .map_err(internal)?;
    Ok(Json(CaseDetailJson {
        case: case_json(&hit),
        summary: p.summary_text,
        purpose: p.purpose,
        same_partner_elsewhere: same.iter().map(case_json).collect(),
        similar_elsewhere: similar.iter().map(case_json).collect(),
    }))
}
