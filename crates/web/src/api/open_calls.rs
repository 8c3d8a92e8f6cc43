//! Open calls in the JSON API: `GET /api/v1/tenants/{code}/calls` (staff with a token: every
//! call of the local government; without a token: the public ones with their public fields)
//! and `GET /api/v1/tenants/{code}/calls/{id}/answers` (the desk, the call's department and
//! its evaluators: the answers with their weighted average score and whether selected).
//! `GET /api/v1/calls` (no token) is the national list of `/calls`. The lists take `?q=`
//! words (`renkei_store::open_calls::search`), checked as the case search checks them.

use crate::api::cases::{BadParam, bad, checked_q, integer_in, prefecture_param, q_param};
use crate::api::openapi as oa;
use crate::api::proposals::{ApiPath, TenantPath};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use renkei_app::open_calls as cmd;
use renkei_domain::TenantCode;
use renkei_store::landing::{PUBLIC_CALLS_PAGE_MAX, PublicCallRow};
use renkei_store::open_calls::StoredCall;
use renkei_store::tenants::Tenant;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// Calls per page of the national list (`/calls` and `GET /api/v1/calls`).
pub const NATIONAL_PER_PAGE: i64 = 20;

/// The words a list of calls is narrowed to (`/t/{code}/calls`, its API).
#[derive(Deserialize, IntoParams, Default, Clone, Debug)]
#[into_params(parameter_in = Query)]
pub struct CallsSearchQuery {
    /// Words, all of which must be in a call's public content (title, background, problem,
    /// constraints, offers, outcomes, eligibility); folded as the case search folds
    /// (full/half width, kana, 株式会社/(株)/㈱ alike). Two-character words (防災) match.
    #[param(schema_with = q_param)]
    pub q: Option<String>,
}

fn national_page_param() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Integer))
        .minimum(Some(0))
        .maximum(Some(PUBLIC_CALLS_PAGE_MAX))
        .build()
}

/// The national list's parameters (`GET /api/v1/calls`).
#[derive(Deserialize, IntoParams, Default, Clone, Debug)]
#[into_params(parameter_in = Query)]
pub struct NationalCallsQuery {
    /// Words, as for a local government's calls.
    #[param(schema_with = q_param)]
    pub q: Option<String>,
    /// 都道府県: its two-digit number (`27`) or its code (`270008`).
    #[param(schema_with = prefecture_param)]
    pub prefecture: Option<String>,
    /// The 0-based page (20 a page).
    #[param(schema_with = national_page_param)]
    pub page: Option<String>,
}

/// A national search, checked: (the prefecture's code or '', the words, the page).
pub struct NationalSearch {
    pub prefecture: String,
    pub q: String,
    pub page: i64,
}

impl NationalCallsQuery {
    /// Every value checked against the prefectures: an unknown one, a malformed number or
    /// one out of range is refused, never ignored or clamped.
    pub fn to_search(&self, prefectures: &[Tenant]) -> Result<NationalSearch, BadParam> {
        let q = checked_q(self.q.as_deref())?;
        let value = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let prefecture = match value(&self.prefecture) {
            None => String::new(),
            Some(p) => {
                let found = match p.len() {
                    2 => {
                        integer_in(&p, 1, 47, "prefecture")?;
                        prefectures.iter().find(|t| t.code.starts_with(&p))
                    }
                    6 => prefectures.iter().find(|t| t.code == p),
                    _ => None,
                };
                found.ok_or(bad("prefecture"))?.code.clone()
            }
        };
        let page = match value(&self.page) {
            Some(p) => integer_in(&p, 0, PUBLIC_CALLS_PAGE_MAX, "page")?,
            None => 0,
        };
        Ok(NationalSearch {
            prefecture,
            q,
            page,
        })
    }
}

fn query_refused() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "error-bad-request")
}

/// The open calls of a local government.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CallsResponse {
    pub tenant: String,
    pub calls: Vec<CallJson>,
}

/// An open call (行政課題・テーマ型提案募集).
#[derive(Serialize, utoipa::ToSchema)]
pub struct CallJson {
    pub id: i64,
    #[schema(examples("公園の利活用アイデア募集"))]
    pub title: String,
    /// The responsible department's name.
    pub department: String,
    /// `draft`, `submitted`, `published`, `closed` or `decided` (as it stands today).
    #[schema(examples("published"))]
    pub status: String,
    #[schema(schema_with = oa::date)]
    pub opens_on: String,
    #[schema(schema_with = oa::date)]
    pub closes_on: String,
    /// How many proposals answered it.
    pub answers: i64,
    /// The desk's reason for its selection (decided calls).
    pub selection_reason: Option<String>,
}

fn call_json(c: StoredCall) -> CallJson {
    CallJson {
        id: c.id,
        title: c.title,
        department: c.department_name,
        status: c.status.code().to_string(),
        opens_on: c.opens_on.to_string(),
        closes_on: c.closes_on.to_string(),
        answers: c.answers,
        selection_reason: c.selection_reason,
    }
}

async fn tenant_of(state: &AppState, code: &str) -> Result<TenantCode, ApiError> {
    let tenant = TenantCode::parse(code).map_err(|_| ApiError::tenant_not_found())?;
    state
        .store
        .tenant(&tenant.to_string())
        .await
        .map_err(|e| match e {
            renkei_store::StoreError::NotFound => ApiError::tenant_not_found(),
            other => other.into(),
        })?;
    Ok(tenant)
}

/// `GET /api/v1/tenants/{code}/calls`
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/calls",
    summary = "行政課題・テーマ型提案募集の一覧 (open calls)",
    description = "With a staff token of the local government (the desk, or department staff for their departments' calls): its calls in every status. Without a token: the published, closed and decided calls only.",
    security((), ("bearer" = [])),
    params(TenantPath, CallsSearchQuery),
    responses(
        (status = 200, description = "The calls (with `q`: those matching its words)", body = CallsResponse),
        (status = 400, description = "`q` is unreadable (code `bad_request`) or longer than 200 characters (code `out_of_range`)", body = ErrorBody),
        (status = 401, description = "A token that is not valid", body = ErrorBody),
        (status = 403, description = "Not staff of this local government", body = ErrorBody),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(TenantPath { code }): ApiPath<TenantPath>,
    query: Result<Query<CallsSearchQuery>, QueryRejection>,
    headers: HeaderMap,
    api: Result<ApiUser, ApiError>,
) -> Result<Json<CallsResponse>, ApiError> {
    let tenant = tenant_of(&state, &code).await?;
    let Query(query) = query.map_err(|_| query_refused())?;
    let q = checked_q(query.q.as_deref())?;
    let calls = if headers.contains_key(axum::http::header::AUTHORIZATION) {
        let api = api?;
        if !api.actor.may_enter_staff_area(tenant) || api.actor.tenant != Some(tenant) {
            return Err(ApiError::forbidden());
        }
        // Staff see drafts too, which the public index leaves out: the same rules, applied
        // to the list itself.
        let mut all = cmd::list(&state.app, &api.caller(), tenant, None).await?;
        all.retain(|c| renkei_store::open_calls::search::matches(c, &q));
        all
    } else {
        cmd::public_search(&state.app, tenant, &q).await?
    };
    Ok(Json(CallsResponse {
        tenant: tenant.to_string(),
        calls: calls.into_iter().map(call_json).collect(),
    }))
}

/// A published call in the national list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NationalCallJson {
    #[serde(flatten)]
    pub call: CallJson,
    /// 全国地方公共団体コード
    #[schema(examples("272027"))]
    pub tenant: String,
    #[schema(examples("大阪府岸和田市"))]
    pub tenant_name: String,
    /// The public call page.
    #[schema(examples("/t/272027/calls/3"))]
    pub url: String,
}

/// One page of published calls nationwide: those taking answers first (soonest closing
/// first), then those not open yet, then closed and decided ones (latest closing first).
#[derive(Serialize, utoipa::ToSchema)]
pub struct NationalCallsResponse {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub items: Vec<NationalCallJson>,
}

fn national_json(r: PublicCallRow) -> NationalCallJson {
    let tenant = r.call.tenant_code.to_string();
    NationalCallJson {
        url: format!("/t/{tenant}/calls/{}", r.call.id),
        call: call_json(r.call),
        tenant,
        tenant_name: r.tenant_name,
    }
}

/// `GET /api/v1/calls`
#[utoipa::path(
    get,
    path = "/api/v1/calls",
    summary = "公募の検索 (national open-call search)",
    description = "Public, no token. The published, closed and decided open calls of every local government (or of one prefecture), narrowed by `q`: the same results and order as the /calls page. Drafts and calls awaiting the desk are never listed; nothing of the answers is searched.",
    params(NationalCallsQuery),
    responses(
        (status = 200, description = "One page of calls", body = NationalCallsResponse),
        (status = 400, description = "A parameter is unreadable or unknown (code `bad_request`) or out of range (code `out_of_range`)", body = ErrorBody),
    )
)]
pub async fn national(
    State(state): State<AppState>,
    query: Result<Query<NationalCallsQuery>, QueryRejection>,
) -> Result<Json<NationalCallsResponse>, ApiError> {
    let Query(query) = query.map_err(|_| query_refused())?;
    // As the case search: a filter without a value, or with white space around it, is a 400
    // (the /calls page's form sends its empty fields, which the page reads as absent).
    for (param, v) in [("prefecture", &query.prefecture), ("page", &query.page)] {
        if let Some(v) = v
            && (v.is_empty() || v.trim() != v)
        {
            return Err(bad(param).into());
        }
    }
    let prefectures = state.store.tenant_prefectures().await?;
    let s = query.to_search(&prefectures)?;
    let (rows, total) = state
        .store
        .public_calls_matching(&s.prefecture, &s.q, s.page, NATIONAL_PER_PAGE)
        .await?;
    Ok(Json(NationalCallsResponse {
        total,
        page: s.page,
        per_page: NATIONAL_PER_PAGE,
        items: rows.into_iter().map(national_json).collect(),
    }))
}

/// A call in a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CallPath {
    #[param(schema_with = oa::tenant_code, required = true)]
    pub code: String,
    /// The call's id. Read as text and parsed by the handler: a number the path cannot
    /// hold is a JSON 404 like any other call this reader cannot see, never the router's
    /// plain-text 400.
    #[param(schema_with = crate::api::partnerships::id_param, example = 3, required = true)]
    pub id: String,
}

/// A call's id from its path: a positive JSON-safe integer, else no such call (404).
fn call_id(id: &str) -> Result<i64, ApiError> {
    id.parse::<i64>()
        .ok()
        .filter(|n| (1..=crate::api::proposals::MAX_ID).contains(n))
        .ok_or_else(ApiError::not_found)
}

/// The answers of a call.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswersResponse {
    pub call: CallJson,
    pub answers: Vec<AnswerJson>,
}

/// An answer: a proposal of route `theme`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnswerJson {
    #[schema(examples("272027-2026-0042"))]
    pub receipt_number: String,
    pub title: String,
    pub org_name: String,
    /// The proposal's status.
    #[schema(examples("received"))]
    pub status: String,
    /// The evaluators' weighted totals averaged (0–100); null until someone scored it.
    pub average_score: Option<f64>,
    pub selected: bool,
}

/// `GET /api/v1/tenants/{code}/calls/{id}/answers`
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/calls/{id}/answers",
    summary = "募集への応募と審査結果 (answers of an open call)",
    description = "The desk, the call's department and its assigned evaluators: the answers with their weighted average score (Σ score × weight / 5 per evaluator, averaged) and whether they were selected. Every answer read is recorded in the audit trail.",
    security(("bearer" = [])),
    params(CallPath),
    responses(
        (status = 200, description = "The answers", body = AnswersResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not staff of this local government", body = ErrorBody),
        (status = 404, description = "No such local government, or no such call for this reader", body = ErrorBody),
    )
)]
pub async fn answers(
    State(state): State<AppState>,
    ApiPath(CallPath { code, id }): ApiPath<CallPath>,
    api: Result<ApiUser, ApiError>,
) -> Result<Json<AnswersResponse>, ApiError> {
    let tenant = tenant_of(&state, &code).await?;
    let api = api?;
    if !api.actor.may_enter_staff_area(tenant) || api.actor.tenant != Some(tenant) {
        return Err(ApiError::forbidden());
    }
    let id = call_id(&id)?;
    let by = api.caller();
    let (d, list) = cmd::answers(&state.app, &by, tenant, id).await?;
    // The averages are the score sheet's (desk and department); an evaluator gets none.
    let sheets = cmd::sheet(&state.app, &by, tenant, id)
        .await
        .unwrap_or_default();
    let answers = list
        .into_iter()
        .map(|p| AnswerJson {
            average_score: sheets
                .iter()
                .find(|s| s.proposal_id == p.id)
                .and_then(|s| s.average),
            selected: d.selected.contains(&p.id),
            receipt_number: p.receipt_number,
            title: p.title,
            org_name: p.org_name,
            status: p.status.code().to_string(),
        })
        .collect();
    Ok(Json(AnswersResponse {
        call: call_json(d.call),
        answers,
    }))
}
