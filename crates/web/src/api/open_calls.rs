//! Open calls in the JSON API: `GET /api/v1/tenants/{code}/calls` (staff with a token: every
//! call of the local government; without a token: the public ones with their public fields)
//! and `GET /api/v1/tenants/{code}/calls/{id}/answers` (the desk, the call's department and
//! its evaluators: the answers with their weighted average score and whether selected).

use crate::api::openapi as oa;
use crate::api::proposals::TenantPath;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use renkei_app::open_calls as cmd;
use renkei_domain::TenantCode;
use renkei_store::open_calls::StoredCall;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

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
    params(TenantPath),
    responses(
        (status = 200, description = "The calls", body = CallsResponse),
        (status = 401, description = "A token that is not valid", body = ErrorBody),
        (status = 403, description = "Not staff of this local government", body = ErrorBody),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Path(TenantPath { code }): Path<TenantPath>,
    headers: HeaderMap,
    api: Result<ApiUser, ApiError>,
) -> Result<Json<CallsResponse>, ApiError> {
    let tenant = tenant_of(&state, &code).await?;
    let calls = if headers.contains_key(axum::http::header::AUTHORIZATION) {
        let api = api?;
        if !api.actor.may_enter_staff_area(tenant) || api.actor.tenant != Some(tenant) {
            return Err(ApiError::forbidden());
        }
        cmd::list(&state.app, &api.caller(), tenant, None).await?
    } else {
        cmd::public_list(&state.app, tenant).await?
    };
    Ok(Json(CallsResponse {
        tenant: tenant.to_string(),
        calls: calls.into_iter().map(call_json).collect(),
    }))
}

/// A call in a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CallPath {
    #[param(schema_with = oa::tenant_code, required = true)]
    pub code: String,
    /// The call's id.
    #[param(example = 3, required = true)]
    pub id: i64,
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
    Path(CallPath { code, id }): Path<CallPath>,
    api: Result<ApiUser, ApiError>,
) -> Result<Json<AnswersResponse>, ApiError> {
    let tenant = tenant_of(&state, &code).await?;
    let api = api?;
    if !api.actor.may_enter_staff_area(tenant) || api.actor.tenant != Some(tenant) {
        return Err(ApiError::forbidden());
    }
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
