//! The partnerships API (連携事業) for the local government's staff: the list with the same
//! filters as the page (`/t/{code}/partnerships`), one partnership with its parties,
//! activities, indicators and reviews, and recording an activity. Proponents and other local
//! governments' staff get 403, an unknown local government or partnership 404; validation
//! errors are 422 with a message per field and write nothing.

use crate::api::proposals::{ApiJson, ApiPath, Fail, TenantPath, known_tenant, number, vocabulary};
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorBody};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use renkei_app::partnerships as cmd;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{ActivityInput, Form, PartnershipStatus, ReviewDecision};
use renkei_domain::proposal::{Field, PartnerType};
use renkei_store::partnerships::{PartnershipFilter, PartnershipSummary};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::{KnownFormat, SchemaFormat};
use utoipa::{IntoParams, ToSchema};

/// The list's largest page and page number.
pub const MAX_PER_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 10_000;
/// Ids are JSON-safe integers.
pub const MAX_ID: i64 = 9_007_199_254_740_991;

// ---------------------------------------------------------------------------------------------
// Schemas

fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .enum_values(Some(all.iter().map(|v| code(*v)).collect::<Vec<_>>()))
}

pub fn form() -> Object {
    codes(Form::ALL, Form::code)
        .description(Some(
            "comprehensive (包括連携協定), business (事業連携協定) or project (個別の連携事業)",
        ))
        .build()
}

pub fn status() -> Object {
    codes(PartnershipStatus::ALL, PartnershipStatus::code)
        .description(Some(
            "preparing (準備中), active (締結済・実施中), ended (終了) or cancelled (解約)",
        ))
        .build()
}

pub fn decision() -> Object {
    codes(ReviewDecision::ALL, ReviewDecision::code).build()
}

pub fn field_param() -> Object {
    codes(Field::ALL, Field::code).build()
}

pub fn partner_type() -> Object {
    codes(PartnerType::ALL, PartnerType::code).build()
}

pub fn field_list() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(field_param())
        .build()
}

pub fn date_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .build()
}

pub fn date() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .build()
}

fn bounded(min: i64, max: i64) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::Integer))
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

pub fn page() -> Object {
    bounded(0, MAX_PAGE)
}

pub fn per_page() -> Object {
    bounded(1, MAX_PER_PAGE)
}

pub fn id_param() -> Object {
    bounded(1, MAX_ID)
}

pub fn flag() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::new(Type::String))
        .enum_values(Some(["0", "1"]))
        .build()
}

// ---------------------------------------------------------------------------------------------
// Bodies

/// A department (所管課).
#[derive(Serialize, ToSchema)]
pub struct DepartmentRef {
    pub id: i64,
    pub name: String,
}

/// A partnership as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct PartnershipItem {
    pub id: i64,
    pub title: String,
    #[schema(schema_with = form)]
    pub form: String,
    #[schema(schema_with = status)]
    pub status: String,
    /// 所管課; `null` for one led by the desk.
    pub department: Option<DepartmentRef>,
    /// The parties' names, in their order.
    pub partners: Vec<String>,
    #[schema(schema_with = field_list)]
    pub fields: Vec<String>,
    #[schema(schema_with = date_or_null)]
    pub signed_on: Option<String>,
    #[schema(schema_with = date_or_null)]
    pub ends_on: Option<String>,
    #[schema(schema_with = date_or_null)]
    pub last_activity_on: Option<String>,
    /// No activity for the local government's period (default 12 months).
    pub dormant: bool,
    /// Ending soon without a renewal decision.
    pub ending_undecided: bool,
    pub published: bool,
}

fn day(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn item(s: &PartnershipSummary, partners: Vec<String>) -> PartnershipItem {
    PartnershipItem {
        id: s.id,
        title: s.title.clone(),
        form: s.form.code().into(),
        status: s.status.code().into(),
        department: match (s.department_id, &s.department_name) {
            (Some(id), Some(name)) => Some(DepartmentRef {
                id,
                name: name.clone(),
            }),
            _ => None,
        },
        partners,
        fields: s.fields.iter().map(|f| f.code().to_string()).collect(),
        signed_on: day(s.signed_on),
        ends_on: day(s.ends_on),
        last_activity_on: day(s.last_activity_on),
        dormant: s.dormant,
        ending_undecided: s.ending_undecided,
        published: s.published,
    }
}

/// One page of partnerships.
#[derive(Serialize, ToSchema)]
pub struct PartnershipsResponse {
    pub tenant: String,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub partnerships: Vec<PartnershipItem>,
}

/// A party and its roles.
#[derive(Serialize, ToSchema)]
pub struct PartyJson {
    pub name: String,
    #[schema(schema_with = partner_type)]
    pub party_type: String,
    pub corporate_number: Option<String>,
    pub role: String,
}

/// An activity (取組実績).
#[derive(Serialize, ToSchema)]
pub struct ActivityJson {
    pub id: i64,
    #[schema(schema_with = date)]
    pub done_on: String,
    pub title: String,
    pub description: String,
    pub people: Option<i64>,
    pub outputs: String,
}

/// A fiscal year's target and actual.
#[derive(Serialize, ToSchema)]
pub struct IndicatorValueJson {
    pub fiscal_year: i32,
    pub target: Option<i64>,
    pub actual: Option<i64>,
}

/// An outcome indicator (成果指標).
#[derive(Serialize, ToSchema)]
pub struct IndicatorJson {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub values: Vec<IndicatorValueJson>,
}

/// An annual review (年次評価).
#[derive(Serialize, ToSchema)]
pub struct ReviewJson {
    pub fiscal_year: i32,
    #[schema(schema_with = decision)]
    pub decision: String,
    pub assessment: String,
    pub partner_view: String,
    #[schema(schema_with = date)]
    pub reviewed_on: String,
}

/// A partnership, all of it.
#[derive(Serialize, ToSchema)]
pub struct PartnershipJson {
    #[serde(flatten)]
    pub item: PartnershipItem,
    pub purpose: String,
    pub summary: String,
    pub city_role: String,
    #[schema(schema_with = date_or_null)]
    pub starts_on: Option<String>,
    pub auto_renew: bool,
    /// Yen; `null` when the city bears no cost.
    pub fiscal_amount: Option<i64>,
    pub fiscal_justification: String,
    pub commercial_note: Option<String>,
    pub parties: Vec<PartyJson>,
    pub activities: Vec<ActivityJson>,
    pub indicators: Vec<IndicatorJson>,
    pub reviews: Vec<ReviewJson>,
}

/// An activity to record.
#[derive(Deserialize, ToSchema)]
pub struct ActivityBody {
    /// The day it happened (ISO, or as typed: 2026/4/1, 令和8年4月1日); not in the future.
    #[schema(examples("2026-11-20"))]
    pub done_on: String,
    #[schema(max_length = 200, min_length = 1)]
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// People involved or reached (0 – 100,000,000).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub people: Option<i64>,
    #[serde(default)]
    pub outputs: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Parameters

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct PartnershipPath {
    #[param(schema_with = crate::api::openapi::tenant_code, required = true)]
    pub code: String,
    #[param(schema_with = id_param, required = true)]
    pub id: String,
}

/// The list's filters (the page's query parameters).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    #[param(schema_with = status)]
    pub status: Option<String>,
    #[param(schema_with = form)]
    pub form: Option<String>,
    /// 所管課 (a department id)
    #[param(schema_with = id_param)]
    pub department: Option<String>,
    #[param(schema_with = field_param)]
    pub field: Option<String>,
    #[param(schema_with = partner_type)]
    pub partner_type: Option<String>,
    /// `1`: only dormant ones.
    #[param(schema_with = flag)]
    pub dormant: Option<String>,
    /// `1`: only ones ending without a renewal decision.
    #[param(schema_with = flag)]
    pub ending: Option<String>,
    /// `1` published, `0` not.
    #[param(schema_with = flag)]
    pub published: Option<String>,
    /// Words in the title or a partner's name.
    pub q: Option<String>,
    /// The 0-based page.
    #[param(schema_with = page)]
    pub page: Option<String>,
    /// The page size (default 50).
    #[param(schema_with = per_page)]
    pub per_page: Option<String>,
}

fn bad(key: &'static str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", key)
}

fn flag_value(v: &Option<String>) -> Result<Option<bool>, ApiError> {
    match v.as_deref().map(str::trim) {
        None => Ok(None),
        Some("1") | Some("true") => Ok(Some(true)),
        Some("0") | Some("false") => Ok(Some(false)),
        Some(_) => Err(bad("error-bad-request")),
    }
}

fn filter(q: &ListQuery) -> Result<PartnershipFilter, ApiError> {
    let parse = |v: Option<String>| v.unwrap_or_default();
    Ok(PartnershipFilter {
        status: vocabulary(&q.status, PartnershipStatus::parse)?
            .and_then(|s| PartnershipStatus::parse(&s).ok()),
        form: vocabulary(&q.form, Form::parse)?.and_then(|s| Form::parse(&s).ok()),
        department_id: number(&q.department, 1, MAX_ID)?,
        field: vocabulary(&q.field, Field::parse)?.and_then(|s| Field::parse(&s).ok()),
        partner_type: vocabulary(&q.partner_type, PartnerType::parse)?
            .and_then(|s| PartnerType::parse(&s).ok()),
        dormant: flag_value(&q.dormant)?.unwrap_or(false),
        ending: flag_value(&q.ending)?.unwrap_or(false),
        published: flag_value(&q.published)?,
        q: parse(q.q.clone()).trim().chars().take(100).collect(),
        page: number(&q.page, 0, MAX_PAGE)?.unwrap_or(0),
        per_page: number(&q.per_page, 1, MAX_PER_PAGE)?.unwrap_or(50),
        public_only: false,
    })
}

/// The local government and the staff member asking: 404 unknown, 401 no token, 403 not its
/// staff.
async fn staff(
    state: &AppState,
    code: &str,
    api: Result<ApiUser, ApiError>,
) -> Result<(TenantCode, ApiUser), ApiError> {
    let (_, tc) = known_tenant(state, code).await?;
    let api = api?;
    if !api.actor.may_read_partnerships(tc) {
        return Err(ApiError::forbidden());
    }
    Ok((tc, api))
}

fn partnership_id(id: &str) -> Result<i64, ApiError> {
    id.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=MAX_ID).contains(n))
        .ok_or_else(not_found)
}

fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "partnership_not_found",
        "error-not-found",
    )
}

/// `GET /api/v1/tenants/{code}/partnerships`
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/partnerships",
    summary = "連携事業の一覧 (partnerships)",
    description = "Staff of the local government (desk, departments, administrators). The same filters as the staff list page.",
    security(("bearer" = [])),
    params(TenantPath, ListQuery),
    responses(
        (status = 200, description = "One page of partnerships, newest first", body = PartnershipsResponse),
        (status = 400, description = "A parameter is unreadable (code `bad_request`) or out of range (code `out_of_range`)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not staff of this local government", body = ErrorBody),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(TenantPath { code }): ApiPath<TenantPath>,
    api: Result<ApiUser, ApiError>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<PartnershipsResponse>, Fail> {
    let (tc, _) = staff(&state, &code, api).await?;
    let Query(q) = query.map_err(|_| bad("error-bad-request"))?;
    let f = filter(&q)?;
    let (rows, total) = state.store.partnerships(tc, &f).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut names = state.store.party_names(tc, &ids).await?;
    Ok(Json(PartnershipsResponse {
        tenant: tc.to_string(),
        total,
        page: f.page,
        per_page: f.per_page,
        partnerships: rows
            .iter()
            .map(|s| item(s, names.remove(&s.id).unwrap_or_default()))
            .collect(),
    }))
}

/// `GET /api/v1/tenants/{code}/partnerships/{id}`
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/partnerships/{id}",
    summary = "連携事業 (one partnership)",
    description = "Staff of the local government: the record with its parties, activities (latest first), indicators and annual reviews.",
    security(("bearer" = [])),
    params(PartnershipPath),
    responses(
        (status = 200, description = "The partnership", body = PartnershipJson),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not staff of this local government", body = ErrorBody),
        (status = 404, description = "No such local government or partnership", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(PartnershipPath { code, id }): ApiPath<PartnershipPath>,
    api: Result<ApiUser, ApiError>,
) -> Result<Json<PartnershipJson>, Fail> {
    let (tc, _) = staff(&state, &code, api).await?;
    let id = partnership_id(&id)?;
    let p = match state.store.partnership(tc, id).await {
        Ok(p) => p,
        Err(renkei_store::StoreError::NotFound) => return Err(not_found().into()),
        Err(e) => return Err(e.into()),
    };
    let activities = state
        .store
        .activities(tc, id, 1_000)
        .await?
        .into_iter()
        .map(|a| ActivityJson {
            id: a.id,
            done_on: a.done_on.to_string(),
            title: a.title,
            description: a.description,
            people: a.people,
            outputs: a.outputs,
        })
        .collect();
    let indicators = state
        .store
        .indicators(tc, id)
        .await?
        .into_iter()
        .map(|i| IndicatorJson {
            id: i.id,
            name: i.name,
            unit: i.unit,
            values: i
                .values
                .iter()
                .map(|v| IndicatorValueJson {
                    fiscal_year: v.fiscal_year,
                    target: v.target,
                    actual: v.actual,
                })
                .collect(),
        })
        .collect();
    let reviews = state
        .store
        .reviews(tc, id)
        .await?
        .into_iter()
        .map(|r| ReviewJson {
            fiscal_year: r.fiscal_year,
            decision: r.decision.code().into(),
            assessment: r.assessment,
            partner_view: r.partner_view,
            reviewed_on: r.reviewed_on.to_string(),
        })
        .collect();
    let names = p.parties.iter().map(|x| x.name.clone()).collect();
    Ok(Json(PartnershipJson {
        item: item(&p.summary, names),
        purpose: p.purpose,
        summary: p.summary_text,
        city_role: p.city_role,
        starts_on: day(p.summary.starts_on),
        auto_renew: p.summary.auto_renew,
        fiscal_amount: p.fiscal_amount,
        fiscal_justification: p.fiscal_justification,
        commercial_note: p.commercial_note,
        parties: p
            .parties
            .into_iter()
            .map(|x| PartyJson {
                name: x.name,
                party_type: x.party_type.code().into(),
                corporate_number: x.corporate_number,
                role: x.role,
            })
            .collect(),
        activities,
        indicators,
        reviews,
    }))
}

/// `POST /api/v1/tenants/{code}/partnerships/{id}/activities`: records an activity; 201.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{code}/partnerships/{id}/activities",
    summary = "取組実績の記録 (record an activity)",
    description = "The desk, and members of the partnership's responsible department (所管課). Recording an activity clears the dormancy flag.",
    security(("bearer" = [])),
    params(PartnershipPath),
    request_body = ActivityBody,
    responses(
        (status = 201, description = "The recorded activity", body = ActivityJson),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the desk or the responsible department of this local government", body = ErrorBody),
        (status = 404, description = "No such local government or partnership", body = ErrorBody),
        (status = 409, description = "Not possible in the partnership's state (cancelled); nothing written", body = ErrorBody),
        (status = 422, description = "Validation failed (fields: done_on, title, description, people, outputs); nothing written", body = ErrorBody),
    )
)]
pub async fn add_activity(
    State(state): State<AppState>,
    ApiPath(PartnershipPath { code, id }): ApiPath<PartnershipPath>,
    api: Result<ApiUser, ApiError>,
    body: Result<ApiJson<ActivityBody>, ApiError>,
) -> Result<(StatusCode, Json<ActivityJson>), Fail> {
    let (tc, api) = staff(&state, &code, api).await?;
    let id = partnership_id(&id)?;
    let caller = api.caller();
    let p = match cmd::get(&state.app, &caller, tc, id).await {
        Ok(p) => p,
        Err(renkei_app::CommandError::NotFound) => return Err(not_found().into()),
        Err(e) => return Err(e.into()),
    };
    if !cmd::may_manage(&caller, tc, &p) {
        return Err(ApiError::forbidden().into());
    }
    let ApiJson(b) = body?;
    let input = ActivityInput {
        done_on: b.done_on.clone(),
        title: b.title.clone(),
        description: b.description.clone().unwrap_or_default(),
        people: b.people.map(|n| n.to_string()).unwrap_or_default(),
        outputs: b.outputs.clone().unwrap_or_default(),
    };
    match cmd::add_activity(&state.app, &caller, tc, id, &input).await {
        Ok(activity_id) => {
            // What was written: the input as the command read it.
            let a = renkei_domain::partnership::Activity::parse(&input, state.store.today())
                .map_err(|_| ApiError::not_found())?;
            Ok((
                StatusCode::CREATED,
                Json(ActivityJson {
                    id: activity_id,
                    done_on: a.done_on.to_string(),
                    title: a.title,
                    description: a.description,
                    people: a.people,
                    outputs: a.outputs,
                }),
            ))
        }
        Err(renkei_app::CommandError::Invalid(list)) => {
            let tr = Tr::new(Lang::Ja);
            let mut fields = BTreeMap::new();
            for f in list {
                let key = match f.field {
                    "activity_title" => "title",
                    "activity_description" => "description",
                    "activity_outputs" => "outputs",
                    other => other,
                };
                fields.entry(key.to_string()).or_insert_with(|| tr.t(f.key));
            }
            Err(Fail::Fields(fields))
        }
        Err(e) => Err(e.into()),
    }
}
