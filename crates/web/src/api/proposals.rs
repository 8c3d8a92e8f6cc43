//! The proposals API: public intake, the desk's inbox and detail, lifecycle moves, hearings,
//! routings to departments and their answers.
//!
//! Confidentiality: proposal content is for the desk of the local government
//! (`Actor::may_handle_proposals`) and for department staff once the proposal was routed to
//! one of their departments (`Actor::may_read_routed_proposal`). Every read of proposal
//! content leaves a `proposal.read` audit entry. People outside the local government get 403
//! whether or not a receipt number exists; insiders get 404 for a receipt that does not.
//!
//! Errors are JSON (`{"error":{"code","message"}}`); validation errors are 422 with
//! `"fields": {"<field>": "<message>"}` and write nothing.

use crate::api::openapi as oa;
use crate::auth::{ApiUser, client_ip};
use crate::error::{ApiError, ErrorBody};
use crate::i18n::{Lang, Tr};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::NaiveDate;
use renkei_app::proposals::{
    self as cmd, AnswerInput, HearingInput, RawFile, RouteInput, SubmitInput, TransitionInput,
};
use renkei_app::{Caller, CommandError, FieldError};
use renkei_domain::proposal::{Field, IntakeInput, Kind, PartnerType, Route, Status};
use renkei_domain::{ParseError, TenantCode};
use renkei_store::proposals::{
    AttachmentMeta, Event, Hearing, InboxFilter, InboxSort, Message, Proposal, Routing,
};
use renkei_store::tenants::Tenant;
use renkei_store::{StoreError, Who};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

// ---------------------------------------------------------------------------------------------
// Errors and JSON bodies

/// What a proposals handler answers when it does not succeed: an [`ApiError`], or a 422 with
/// a message per field.
#[derive(Debug)]
pub enum Fail {
    Api(ApiError),
    Fields(BTreeMap<String, String>),
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Self::Api(e)
    }
}

impl From<StoreError> for Fail {
    fn from(e: StoreError) -> Self {
        match e {
            // A value the store refused names its field: a 422 like the handler's own checks.
            StoreError::Invalid(p) => {
                let mut errors = FieldErrors::default();
                errors.add_parse(&p);
                Self::Fields(errors.0)
            }
            other => Self::Api(other.into()),
        }
    }
}

impl From<CommandError> for Fail {
    fn from(e: CommandError) -> Self {
        match e {
            // The same message keys a page shows next to its inputs, as a 422.
            CommandError::Invalid(list) => {
                let mut errors = FieldErrors::default();
                for f in &list {
                    errors.add_field(f);
                }
                Self::Fields(errors.0)
            }
            other => Self::Api(other.into()),
        }
    }
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        match self {
            Self::Api(e) => e.into_response(),
            Self::Fields(fields) => {
                let mut body = ErrorBody::new("invalid", Tr::new(Lang::Ja).t("error-form-summary"));
                body.error.fields = Some(fields);
                (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
            }
        }
    }
}

/// Collects field errors, first message per field, translated to Japanese.
#[derive(Default)]
struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    fn add(&mut self, field: &str, key: &str) {
        self.0
            .entry(field.to_string())
            .or_insert_with(|| Tr::new(Lang::Ja).t(key));
    }

    fn add_parse(&mut self, e: &ParseError) {
        self.add_field(&FieldError::from(e));
    }

    fn add_field(&mut self, e: &FieldError) {
        // The domain names list entries by their singular; the JSON keys are plural.
        let field = match e.field {
            "field" => "fields",
            "offer" => "offers",
            other => other,
        };
        self.add(field, e.key);
    }
}

fn bad_json() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_json", "error-json")
}

/// Reads a JSON body of at most `limit` bytes. Wrong content type → 415, too large → 413,
/// not JSON → 400, JSON of the wrong shape → 422; always a JSON error, never plain text.
async fn read_json<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: axum::body::Body,
    limit: usize,
) -> Result<T, ApiError> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let mime = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false);
    if !is_json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "error-json",
        ));
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "error-payload-too-large",
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", "error-json")
        }
        _ => bad_json(),
    })
}

/// A JSON body (within `max_body_bytes`) whose rejections are JSON [`ApiError`]s.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        read_json(&parts.headers, body, state.config.max_body_bytes)
            .await
            .map(Self)
    }
}

/// Path parameters whose rejection — a segment that is not UTF-8 once percent-decoded
/// (`/api/v1/tenants/%FF/stats`) — is the JSON 404 of a resource that does not exist, never
/// the router's plain-text 400.
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(t)) => Ok(Self(t)),
            Err(rejection) => {
                tracing::debug!(%rejection, "unreadable path");
                Err(ApiError::not_found())
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Who is asking, and about which tenant

pub(crate) async fn known_tenant(
    state: &AppState,
    code: &str,
) -> Result<(Tenant, TenantCode), ApiError> {
    let parsed = TenantCode::parse(code).map_err(|_| ApiError::tenant_not_found())?;
    match state.store.tenant(&parsed.to_string()).await {
        Ok(t) => Ok((t, parsed)),
        Err(StoreError::NotFound) => Err(ApiError::tenant_not_found()),
        Err(e) => Err(e.into()),
    }
}

fn who(api: &ApiUser) -> Who {
    Who {
        user_id: Some(api.user.id),
        label: api.user.email.clone(),
        origin: api.ip.clone(),
    }
}

fn proposal_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "proposal_not_found",
        "error-not-found",
    )
}

/// The proposal by receipt number in this tenant; 404 if there is none.
async fn find_proposal(
    state: &AppState,
    tenant: TenantCode,
    receipt: &str,
) -> Result<Proposal, ApiError> {
    // A receipt number is printable: one with a control character (PostgreSQL refuses NUL
    // in text) names no proposal.
    if receipt.chars().any(char::is_control) {
        return Err(proposal_not_found());
    }
    match state.store.proposal(tenant, receipt.trim()).await {
        Ok(p) => Ok(p),
        Err(StoreError::NotFound) => Err(proposal_not_found()),
        Err(e) => Err(e.into()),
    }
}

/// The tenant, the desk officer asking, and the proposal: 404 unknown tenant, 401 no token,
/// 403 not this tenant's desk, 404 no such receipt.
async fn desk_proposal(
    state: &AppState,
    code: &str,
    receipt: &str,
    api: Result<ApiUser, ApiError>,
) -> Result<(Tenant, TenantCode, ApiUser, Proposal), ApiError> {
    let (tenant, tc) = known_tenant(state, code).await?;
    let api = api?;
    if !api.actor.may_handle_proposals(tc) {
        return Err(ApiError::forbidden());
    }
    let p = find_proposal(state, tc, receipt).await?;
    Ok((tenant, tc, api, p))
}

// ---------------------------------------------------------------------------------------------
// JSON shapes

/// The desk officer in charge.
#[derive(Serialize, ToSchema)]
pub struct AssigneeJson {
    pub id: i64,
    pub name: Option<String>,
}

/// A proposal as listed in the inbox.
#[derive(Serialize, ToSchema)]
pub struct ProposalSummary {
    /// 受付番号
    #[schema(examples("272027-2026-0042"))]
    pub receipt_number: String,
    #[schema(schema_with = oa::kind)]
    pub kind: String,
    #[schema(schema_with = oa::route)]
    pub route: String,
    #[schema(schema_with = oa::status)]
    pub status: String,
    pub title: String,
    pub org_name: String,
    #[schema(schema_with = oa::partner_type)]
    pub partner_type: String,
    #[schema(schema_with = oa::field_list)]
    pub fields: Vec<String>,
    #[schema(schema_with = oa::instant)]
    pub created_at: String,
    /// The day of receipt in Japan (JST).
    #[schema(schema_with = oa::date)]
    pub received_on: String,
    /// The fiscal year (年度, April–March) of receipt.
    pub fiscal_year: i64,
    #[schema(schema_with = oa::date)]
    pub first_response_due: String,
    /// Open, unanswered and past its first-response date.
    pub overdue: bool,
    #[schema(required)]
    pub assignee: Option<AssigneeJson>,
}

fn assignee_of(p: &Proposal) -> Option<AssigneeJson> {
    p.assignee_user_id.map(|id| AssigneeJson {
        id,
        name: p.assignee_name.clone(),
    })
}

/// An instant as the API writes it (`2026-11-22T02:23:34.123Z`).
fn ts(t: chrono::DateTime<chrono::Utc>) -> String {
    renkei_domain::time::to_db_timestamp(t)
}

/// Vocabulary values as their codes.
fn codes<T: std::fmt::Display>(values: &[T]) -> Vec<String> {
    values.iter().map(ToString::to_string).collect()
}

fn summary(p: &Proposal, today: NaiveDate) -> ProposalSummary {
    ProposalSummary {
        receipt_number: p.receipt_number.clone(),
        kind: p.kind.to_string(),
        route: p.route.to_string(),
        status: p.status.to_string(),
        title: p.title.clone(),
        org_name: p.org_name.clone(),
        partner_type: p.partner_type.to_string(),
        fields: codes(&p.fields),
        created_at: ts(p.created_at),
        received_on: p.received_on.to_string(),
        fiscal_year: p.fiscal_year,
        first_response_due: p.first_response_due.to_string(),
        overdue: p.is_response_overdue(today),
        assignee: assignee_of(p),
    }
}

/// An entry of the proposal's timeline.
#[derive(Serialize, ToSchema)]
pub struct EventJson {
    pub id: i64,
    #[schema(schema_with = oa::instant)]
    pub at: String,
    pub actor: String,
    #[schema(examples("submitted", "status", "hearing", "routing", "answer", "message"))]
    pub kind: String,
    #[schema(schema_with = oa::status_or_null, required)]
    pub from_status: Option<String>,
    #[schema(schema_with = oa::status_or_null, required)]
    pub to_status: Option<String>,
    /// Details of the event (an object), or null.
    #[schema(schema_with = oa::note)]
    pub note: serde_json::Value,
    pub for_proponent: bool,
}

impl From<Event> for EventJson {
    fn from(e: Event) -> Self {
        // Legacy notes (not JSON) are decoded, or given whole as a string.
        let note = renkei_store::proposals::event_note(&e.note).unwrap_or(serde_json::Value::Null);
        Self {
            id: e.id,
            at: ts(e.at),
            actor: e.actor,
            kind: e.kind,
            from_status: e.from_status.map(|s| s.to_string()),
            to_status: e.to_status.map(|s| s.to_string()),
            note,
            for_proponent: e.for_proponent,
        }
    }
}

/// A hearing (聞き取り) with the proponent.
#[derive(Serialize, ToSchema)]
pub struct HearingJson {
    pub id: i64,
    #[schema(schema_with = oa::date)]
    pub held_on: String,
    #[schema(schema_with = oa::channel)]
    pub channel: String,
    pub participants: String,
    pub notes: String,
    pub next_steps: String,
    #[schema(required)]
    pub recorded_by: Option<String>,
    #[schema(schema_with = oa::instant)]
    pub created_at: String,
}

impl From<Hearing> for HearingJson {
    fn from(h: Hearing) -> Self {
        Self {
            id: h.id,
            held_on: h.held_on.to_string(),
            channel: h.channel.to_string(),
            participants: h.participants,
            notes: h.notes,
            next_steps: h.next_steps,
            recorded_by: h.recorded_by,
            created_at: ts(h.created_at),
        }
    }
}

/// A question to a department (庁内照会) and its answer.
#[derive(Serialize, ToSchema)]
pub struct RoutingJson {
    pub id: i64,
    pub receipt_number: String,
    pub department_id: i64,
    pub department_name: String,
    pub question: String,
    #[schema(schema_with = oa::date)]
    pub due_on: String,
    #[schema(schema_with = oa::instant)]
    pub requested_at: String,
    pub overdue: bool,
    #[schema(schema_with = oa::answer_or_null, required)]
    pub answer: Option<String>,
    #[schema(required)]
    pub answer_comment: Option<String>,
    #[schema(required)]
    pub answered_by: Option<String>,
    #[schema(schema_with = oa::instant_or_null, required)]
    pub answered_at: Option<String>,
}

fn routing_json(r: Routing, today: NaiveDate) -> RoutingJson {
    RoutingJson {
        overdue: r.is_overdue(today),
        id: r.id,
        receipt_number: r.receipt_number,
        department_id: r.department_id,
        department_name: r.department_name,
        question: r.question,
        due_on: r.due_on.to_string(),
        requested_at: ts(r.requested_at),
        answer: r.answer.map(|a| a.to_string()),
        answer_comment: r.answer_comment,
        answered_by: r.answered_by,
        answered_at: r.answered_at.map(ts),
    }
}

/// An attachment's metadata, never its bytes.
#[derive(Serialize, ToSchema)]
pub struct AttachmentJson {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub created_at: String,
}

impl From<AttachmentMeta> for AttachmentJson {
    fn from(a: AttachmentMeta) -> Self {
        Self {
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            uploaded_by: a.uploaded_by,
            created_at: a.created_at,
        }
    }
}

/// A message between the desk and the proponent.
#[derive(Serialize, ToSchema)]
pub struct MessageJson {
    pub id: i64,
    #[schema(schema_with = oa::instant)]
    pub at: String,
    pub from_desk: bool,
    pub author: String,
    pub body: String,
}

impl From<Message> for MessageJson {
    fn from(m: Message) -> Self {
        Self {
            id: m.id,
            at: ts(m.at),
            from_desk: m.from_desk,
            author: m.author,
            body: m.body,
        }
    }
}

/// A proposal with everything the desk sees about it (confidential; each read is recorded
/// in the audit trail).
#[derive(Serialize, ToSchema)]
pub struct ProposalDetail {
    pub receipt_number: String,
    #[schema(schema_with = oa::kind)]
    pub kind: String,
    #[schema(schema_with = oa::route)]
    pub route: String,
    #[schema(schema_with = oa::status)]
    pub status: String,
    pub title: String,
    pub summary: String,
    pub details: String,
    pub org_name: String,
    pub partner_id: i64,
    #[schema(schema_with = oa::partner_type)]
    pub partner_type: String,
    #[schema(required)]
    pub corporate_number: Option<String>,
    pub org_address: String,
    pub contact_name: String,
    pub contact_department: String,
    pub contact_title: String,
    pub email: String,
    pub phone: String,
    #[schema(schema_with = oa::field_list)]
    pub fields: Vec<String>,
    #[schema(schema_with = oa::offer_list)]
    pub offers: Vec<String>,
    pub expected_effects: String,
    #[schema(schema_with = oa::fiscal_burden)]
    pub fiscal_burden: String,
    pub fiscal_explanation: String,
    pub publication_consent: bool,
    pub referral_consent: bool,
    #[schema(required)]
    pub assignee: Option<AssigneeJson>,
    #[schema(schema_with = oa::date)]
    pub first_response_due: String,
    #[schema(schema_with = oa::instant_or_null, required)]
    pub first_responded_at: Option<String>,
    /// When the proponent agreed to the handling of personal information (null: entered by
    /// the desk, or received before the intake asked).
    #[schema(schema_with = oa::instant_or_null, required)]
    pub privacy_consented_at: Option<String>,
    pub overdue: bool,
    #[schema(schema_with = oa::decline_reason_or_null, required)]
    pub decline_reason: Option<String>,
    #[schema(required)]
    pub decline_explanation: Option<String>,
    /// Why the city decided although the proposal costs it.
    #[schema(required)]
    pub fiscal_justification: Option<String>,
    #[schema(schema_with = oa::tenant_code_or_null, required)]
    pub referred_to: Option<String>,
    #[schema(schema_with = oa::instant)]
    pub created_at: String,
    #[schema(schema_with = oa::instant)]
    pub updated_at: String,
    #[schema(schema_with = oa::instant_or_null, required)]
    pub closed_at: Option<String>,
    pub events: Vec<EventJson>,
    pub hearings: Vec<HearingJson>,
    pub routings: Vec<RoutingJson>,
    pub attachments: Vec<AttachmentJson>,
    pub messages: Vec<MessageJson>,
}

// ---------------------------------------------------------------------------------------------
// POST /api/v1/tenants/{code}/proposals (public intake)

/// A proposal, consultation or donation offer as the public sends it. A member left out is
/// read as empty, and the rules say which may not be.
#[derive(Deserialize, ToSchema)]
pub struct IntakeBody {
    #[schema(schema_with = oa::kind, required)]
    #[serde(default)]
    pub kind: String,
    #[schema(schema_with = oa::org_name, required)]
    #[serde(default)]
    pub org_name: String,
    #[schema(schema_with = oa::partner_type, required)]
    #[serde(default)]
    pub partner_type: String,
    #[schema(schema_with = oa::corporate_number)]
    #[serde(default)]
    pub corporate_number: Option<String>,
    #[schema(schema_with = oa::org_address, required)]
    #[serde(default)]
    pub org_address: String,
    #[schema(schema_with = oa::contact_name, required)]
    #[serde(default)]
    pub contact_name: String,
    #[schema(schema_with = oa::contact_department)]
    #[serde(default)]
    pub contact_department: Option<String>,
    #[schema(schema_with = oa::contact_title)]
    #[serde(default)]
    pub contact_title: Option<String>,
    #[schema(schema_with = oa::email, required)]
    #[serde(default)]
    pub email: String,
    #[schema(schema_with = oa::phone)]
    #[serde(default)]
    pub phone: Option<String>,
    #[schema(schema_with = oa::title, required)]
    #[serde(default)]
    pub title: String,
    #[schema(schema_with = oa::summary, required)]
    #[serde(default)]
    pub summary: String,
    #[schema(schema_with = oa::details)]
    #[serde(default)]
    pub details: Option<String>,
    #[schema(schema_with = oa::fields_required, required)]
    #[serde(default)]
    pub fields: Vec<String>,
    #[schema(schema_with = oa::offer_list)]
    #[serde(default)]
    pub offers: Vec<String>,
    #[schema(schema_with = oa::expected_effects)]
    #[serde(default)]
    pub expected_effects: Option<String>,
    #[schema(schema_with = oa::fiscal_burden, required)]
    #[serde(default)]
    pub fiscal_burden: String,
    #[schema(schema_with = oa::fiscal_explanation)]
    #[serde(default)]
    pub fiscal_explanation: Option<String>,
    #[serde(default)]
    pub publication_consent: bool,
    #[schema(schema_with = oa::privacy_consent, required)]
    #[serde(default)]
    pub privacy_consent: bool,
    /// PDF, PNG, JPEG, GIF, WebP or Office files, at most 10 MB each; the type is decided by
    /// the content.
    #[schema(max_items = 5)]
    #[serde(default)]
    pub attachments: Vec<AttachmentBody>,
    /// Leave out. A non-empty value (a bot filling every field) is refused with 422 and
    /// nothing is stored.
    #[schema(value_type = String)]
    #[serde(default)]
    pub website: Option<String>,
    /// The open call (行政課題・テーマ型提案募集) this answers, by its id: the proposal gets route
    /// `theme`. Refused with 409 unless the call is published and within its answer period
    /// (404 when there is no such published call).
    #[schema(minimum = 1, example = 3)]
    #[serde(default)]
    pub call_id: Option<i64>,
}

/// A file sent with a proposal.
#[derive(Deserialize, ToSchema)]
pub struct AttachmentBody {
    #[serde(default)]
    pub filename: String,
    #[schema(schema_with = oa::base64_content)]
    pub content_base64: String,
}

/// The receipt of a proposal.
#[derive(Serialize, ToSchema)]
pub struct SubmitResponse {
    #[schema(examples("272027-2026-0042"))]
    pub receipt_number: String,
    /// The proponent's private link (keep it secret).
    pub tracking_url: String,
    #[schema(schema_with = oa::received)]
    pub status: String,
}

/// A local government in a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TenantPath {
    #[param(schema_with = oa::tenant_code, required = true)]
    pub code: String,
}

/// A proposal in a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ProposalPath {
    #[param(schema_with = oa::tenant_code, required = true)]
    pub code: String,
    /// 受付番号
    #[param(example = "272027-2026-0042", required = true)]
    pub receipt_number: String,
}

/// A routing in a path.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct RoutingPath {
    #[param(schema_with = oa::tenant_code, required = true)]
    pub code: String,
    /// The routing's id.
    #[param(schema_with = oa::routing_id, required = true)]
    pub id: String,
}

/// `POST /api/v1/tenants/{code}/proposals`: anyone may submit a proposal (no token). The
/// answer (201, with the receipt number and the private tracking link) comes after the commit.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{code}/proposals",
    summary = "提案・相談・寄附の申出の受付 (public intake, no token)",
    description = "Anyone may submit. Answers 201 only after the proposal, its attachments, the audit entry and the receipt mail (in the language of `Accept-Language`: English or Japanese) are committed. Limited per client address and hour (429). A desk that does not take proposals now (not opened by its administrator, or without desk staff) answers 409 with code `desk_closed` and stores nothing.",
    params(
        TenantPath,
        (
            "Accept-Language" = Option<String>,
            Header,
            description = "The proponent's language: mail about the proposal (the receipt, status changes, messages from the desk) is written in English when the most wanted language Renkei speaks is English (`en`, `en-US`, …, by q-value), otherwise in Japanese.",
            example = "en-US,en;q=0.9"
        )
    ),
    request_body = IntakeBody,
    responses(
        (status = 201, description = "Received", body = SubmitResponse),
        (status = 404, description = "No such local government", body = ErrorBody),
        (status = 409, description = "The desk does not take proposals now (code `desk_closed`), or the open call in `call_id` takes no answers now", body = ErrorBody),
        (status = 422, description = "Validation failed: JSON of the wrong shape, or a field breaking a rule (nothing was written)", body = ErrorBody),
        (status = 429, description = "Too many proposals from this address in the last hour", body = ErrorBody),
    )
)]
pub async fn submit(
    State(state): State<AppState>,
    ApiPath(TenantPath { code }): ApiPath<TenantPath>,
    req: Request,
) -> Result<(StatusCode, Json<SubmitResponse>), Fail> {
    let (tenant, tc) = known_tenant(&state, &code).await?;
    // Nothing a proponent sends may fall into a void: a closed desk refuses at once (the
    // store checks again inside the submission's transaction).
    if !state.store.desk_openness(tc).await?.is_open() {
        return Err(ApiError::desk_closed().into());
    }
    let (parts, body) = req.into_parts();
    let ip = client_ip(&state, &parts);
    // Mail to the proponent is written in the language the client asks for (Japanese unless
    // it asks for English).
    let lang = parts
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    // A cheap early answer before reading the body; the submission's own transaction has
    // the last word.
    let limit = state.config.intake_rate_limit;
    if limit > 0 && state.store.intake_count_last_hour(&ip).await? >= limit {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "error-rate-limited",
        )
        .into());
    }
    // Base64 makes files a third larger; allow for that and the text fields.
    let body_limit = state
        .config
        .max_upload_bytes
        .saturating_mul(4)
        .saturating_div(3)
        .saturating_add(state.config.max_body_bytes);
    let input: IntakeBody = read_json(&parts.headers, body, body_limit).await?;
    if input
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        // Filled-in honeypot: refuse with a generic message and write nothing.
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "error-bad-request",
        )
        .into());
    }
    let files = input
        .attachments
        .iter()
        .map(|a| {
            let compact: String = a
                .content_base64
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            RawFile {
                filename: a.filename.clone(),
                data: base64::engine::general_purpose::STANDARD
                    .decode(compact.as_bytes())
                    .ok(),
            }
        })
        .collect();
    let intake = IntakeInput {
        kind: input.kind,
        org_name: input.org_name,
        partner_type: input.partner_type,
        corporate_number: input.corporate_number.unwrap_or_default(),
        org_address: input.org_address,
        contact_name: input.contact_name,
        contact_department: input.contact_department.unwrap_or_default(),
        contact_title: input.contact_title.unwrap_or_default(),
        email: input.email,
        phone: input.phone.unwrap_or_default(),
        title: input.title,
        summary: input.summary,
        details: input.details.unwrap_or_default(),
        fields: input.fields,
        offers: input.offers,
        expected_effects: input.expected_effects.unwrap_or_default(),
        fiscal_burden: input.fiscal_burden,
        fiscal_explanation: input.fiscal_explanation.unwrap_or_default(),
        publication_consent: input.publication_consent,
        privacy_consent: input.privacy_consent,
    };
    let by = Caller {
        actor: None,
        who: Who {
            user_id: None,
            label: "proponent".into(),
            origin: ip.clone(),
        },
    };
    let submitted = cmd::submit(
        &state.app,
        &by,
        tc,
        SubmitInput {
            intake,
            files,
            proponent_user_id: None,
            ip: Some(ip),
            per_hour: limit,
            route: None,
            lang,
            call_id: input.call_id,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(SubmitResponse {
            tracking_url: state
                .app
                .links()
                .tracking(&tenant.code, &submitted.tracking_token),
            receipt_number: submitted.receipt_number,
            status: Status::Received.code().to_string(),
        }),
    ))
}

// ---------------------------------------------------------------------------------------------
// GET /api/v1/tenants/{code}/proposals (the desk's inbox)

/// One page of the inbox.
#[derive(Serialize, ToSchema)]
pub struct InboxResponse {
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub proposals: Vec<ProposalSummary>,
}

fn bad_param(key: &'static str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", key)
}

/// The largest page number the inbox serves (50 × 10,000 proposals is beyond any desk).
pub const MAX_PAGE: i64 = 10_000;
/// The inbox's largest page.
pub const MAX_PER_PAGE: i64 = 200;
/// "Received at least this many days ago" reaches back a century at most.
pub const MAX_OLDER_THAN_DAYS: i64 = 36_500;
/// Account ids are JSON-safe integers.
pub const MAX_ID: i64 = 9_007_199_254_740_991;

fn is_integer(v: &str) -> bool {
    let digits = v.strip_prefix(['-', '+']).unwrap_or(v);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn out_of_range() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "out_of_range",
        "error-out-of-range",
    )
}

/// An integer query parameter within `min..=max`: absent → `None`; not an integer → 400
/// `bad_request`; outside the range → 400 `out_of_range`. Never clamped silently, never a panic.
pub(crate) fn number(value: &Option<String>, min: i64, max: i64) -> Result<Option<i64>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            Ok(_) => Err(out_of_range()),
            // Digits too long for i64 are out of range too, not unreadable.
            Err(_) if is_integer(v) => Err(out_of_range()),
            Err(_) => Err(bad_param("error-bad-request")),
        },
    }
}

pub(crate) fn vocabulary<T>(
    value: &Option<String>,
    parse: fn(&str) -> Result<T, ParseError>,
) -> Result<Option<String>, ApiError> {
    match value.as_deref().map(str::trim) {
        None => Ok(None),
        Some(v) => parse(v)
            .map(|_| Some(v.to_string()))
            .map_err(|e| bad_param(e.key)),
    }
}

/// The inbox's query parameters as sent (text); [`inbox_filter`] reads them.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Comma-separated statuses.
    #[param(schema_with = oa::status_list)]
    pub status: Option<String>,
    /// proposal, consultation or donation
    #[param(schema_with = oa::kind_param)]
    pub kind: Option<String>,
    /// 分野
    #[param(schema_with = oa::field_param)]
    pub field: Option<String>,
    /// 団体の種類
    #[param(schema_with = oa::partner_type)]
    pub partner_type: Option<String>,
    /// free, theme or outbound
    #[param(schema_with = oa::route_param)]
    pub route: Option<String>,
    /// Received at least this many days ago (beyond the maximum is 400 `out_of_range`).
    #[param(schema_with = oa::older_than_days)]
    pub older_than_days: Option<String>,
    /// The desk officer's user id; 0 for unassigned.
    #[param(schema_with = oa::assignee_id)]
    pub assignee: Option<String>,
    /// Free text (title, summary, details, organisation, contact, receipt number).
    pub q: Option<String>,
    /// Only open proposals past their first-response date.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// The order.
    #[param(schema_with = oa::inbox_sort)]
    pub sort: Option<String>,
    /// The 0-based page (beyond the maximum is 400 `out_of_range`).
    #[param(schema_with = oa::page)]
    pub page: Option<String>,
    /// The page size (beyond the maximum is 400 `out_of_range`; default 50).
    #[param(schema_with = oa::per_page)]
    pub per_page: Option<String>,
}

/// The inbox filter from the query string; anything unreadable is a 400, and so is a typed
/// parameter given without a value (`?overdue=`): leave it out instead.
fn inbox_filter(q: &InboxQuery) -> Result<InboxFilter, ApiError> {
    let mut statuses = Vec::new();
    if let Some(list) = &q.status {
        for s in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let parsed = Status::parse(s).map_err(|e| bad_param(e.key))?;
            statuses.push(parsed.code().to_string());
        }
    }
    let overdue_only = match q.overdue.as_deref().map(str::trim) {
        None | Some("false") | Some("0") => false,
        Some("true") | Some("1") => true,
        Some(_) => return Err(bad_param("error-bad-request")),
    };
    let sort = match q.sort.as_deref().map(str::trim) {
        None => InboxSort::Newest,
        Some(s) => InboxSort::from_code(s).ok_or_else(|| bad_param("error-bad-request"))?,
    };
    let per_page = number(&q.per_page, 1, MAX_PER_PAGE)?.unwrap_or(50);
    Ok(InboxFilter {
        statuses,
        kind: vocabulary(&q.kind, Kind::parse)?,
        field: vocabulary(&q.field, Field::parse)?,
        partner_type: vocabulary(&q.partner_type, PartnerType::parse)?,
        route: vocabulary(&q.route, Route::parse)?,
        older_than_days: number(&q.older_than_days, 0, MAX_OLDER_THAN_DAYS)?,
        assignee: number(&q.assignee, 0, MAX_ID)?,
        q: q.q
            .as_deref()
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty()),
        overdue_only,
        routing_overdue_only: false,
        sort,
        page: number(&q.page, 0, MAX_PAGE)?.unwrap_or(0),
        per_page,
    })
}

/// `GET /api/v1/tenants/{code}/proposals`: the desk's inbox, filtered and paginated.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/proposals",
    summary = "デスクの受付一覧 (the desk's inbox)",
    description = "Desk staff of the local government only (not its administrators, not operators). Each call is recorded in the audit trail.",
    security(("bearer" = [])),
    params(TenantPath, InboxQuery),
    responses(
        (status = 200, description = "One page of the inbox", body = InboxResponse),
        (status = 400, description = "A parameter is unreadable (code `bad_request`) or out of range (code `out_of_range`)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not this local government's desk", body = ErrorBody),
        (status = 404, description = "No such local government", body = ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiPath(TenantPath { code }): ApiPath<TenantPath>,
    api: Result<ApiUser, ApiError>,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Json<InboxResponse>, Fail> {
    let (_, tc) = known_tenant(&state, &code).await?;
    let api = api?;
    if !api.actor.may_handle_proposals(tc) {
        return Err(ApiError::forbidden().into());
    }
    let Query(q) = query.map_err(|_| bad_param("error-bad-request"))?;
    let filter = inbox_filter(&q)?;
    let (list, total) = state.store.inbox(tc, &filter).await?;
    state
        .store
        .audit_proposal_read(tc, "list", "api-list", &who(&api))
        .await?;
    let today = state.store.today();
    Ok(Json(InboxResponse {
        total,
        page: filter.page,
        per_page: filter.per_page,
        proposals: list.iter().map(|p| summary(p, today)).collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// GET /api/v1/tenants/{code}/proposals/{receipt_number}

/// `GET …/proposals/{receipt_number}`: everything about one proposal, for the desk, or for
/// department staff of a department it was routed to.
#[utoipa::path(
    get,
    path = "/api/v1/tenants/{code}/proposals/{receipt_number}",
    summary = "提案の詳細 (a proposal with its timeline, hearings, routings, attachments and messages)",
    description = "The desk of the local government, or department staff of a department the proposal was routed to. Everyone else gets 403, whether or not the receipt exists. Each read is recorded in the audit trail.",
    security(("bearer" = [])),
    params(ProposalPath),
    responses(
        (status = 200, description = "The proposal", body = ProposalDetail),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not allowed to read this local government's proposals", body = ErrorBody),
        (status = 404, description = "No such local government or receipt", body = ErrorBody),
    )
)]
pub async fn show(
    State(state): State<AppState>,
    ApiPath(ProposalPath {
        code,
        receipt_number: receipt,
    }): ApiPath<ProposalPath>,
    api: Result<ApiUser, ApiError>,
) -> Result<Json<ProposalDetail>, Fail> {
    let (_, tc) = known_tenant(&state, &code).await?;
    let api = api?;
    let desk = api.actor.may_handle_proposals(tc);
    // Outsiders learn nothing, not even whether the receipt exists.
    if !desk && !api.actor.may_enter_department_area(tc) {
        return Err(ApiError::forbidden().into());
    }
    let p = find_proposal(&state, tc, &receipt).await?;
    if !desk {
        let routed = state.store.routed_department_ids(p.id).await?;
        if !api.actor.may_read_routed_proposal(tc, &routed) {
            return Err(ApiError::forbidden().into());
        }
    }
    let store = &state.store;
    let events = store.proposal_events(p.id, false).await?;
    let hearings = store.hearings(p.id).await?;
    let routings = store.routings(p.id).await?;
    let attachments = store.attachments(p.id).await?;
    let messages = store.proposal_messages(p.id).await?;
    store
        .audit_proposal_read(tc, &p.receipt_number, "api", &who(&api))
        .await?;
    let today = state.store.today();
    Ok(Json(ProposalDetail {
        overdue: p.is_response_overdue(today),
        fiscal_burden: p.fiscal_burden_code().to_string(),
        assignee: assignee_of(&p),
        receipt_number: p.receipt_number,
        kind: p.kind.to_string(),
        route: p.route.to_string(),
        status: p.status.to_string(),
        title: p.title,
        summary: p.summary,
        details: p.details,
        org_name: p.org_name,
        partner_id: p.partner_id,
        partner_type: p.partner_type.to_string(),
        corporate_number: p.corporate_number,
        org_address: p.org_address,
        contact_name: p.contact_name,
        contact_department: p.contact_department,
        contact_title: p.contact_title,
        privacy_consented_at: p.privacy_consented_at.map(ts),
        email: p.email,
        phone: p.phone,
        fields: codes(&p.fields),
        offers: codes(&p.offers),
        expected_effects: p.expected_effects,
        fiscal_explanation: p.fiscal_explanation,
        publication_consent: p.publication_consent,
        referral_consent: p.referral_consent,
        first_response_due: p.first_response_due.to_string(),
        first_responded_at: p.first_responded_at.map(ts),
        decline_reason: p.decline_reason.map(|r| r.to_string()),
        decline_explanation: p.decline_explanation,
        fiscal_justification: p.fiscal_justification,
        referred_to: p.referred_to.map(|t| t.to_string()),
        created_at: ts(p.created_at),
        updated_at: ts(p.updated_at),
        closed_at: p.closed_at.map(ts),
        events: events.into_iter().map(EventJson::from).collect(),
        hearings: hearings.into_iter().map(HearingJson::from).collect(),
        routings: routings
            .into_iter()
            .map(|r| routing_json(r, today))
            .collect(),
        attachments: attachments.into_iter().map(AttachmentJson::from).collect(),
        messages: messages.into_iter().map(MessageJson::from).collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// POST …/{receipt_number}/transitions

/// A lifecycle move.
#[derive(Deserialize, ToSchema)]
pub struct TransitionBody {
    #[schema(schema_with = oa::desk_action)]
    pub action: String,
    #[serde(default)]
    #[schema(schema_with = oa::decline_reason)]
    pub reason: Option<String>,
    #[serde(default)]
    #[schema(schema_with = oa::decline_explanation)]
    pub explanation: Option<String>,
    #[serde(default)]
    #[schema(schema_with = oa::refer_to)]
    pub to: Option<String>,
    /// The desk's note on why (kept in the timeline and the audit trail).
    #[serde(default)]
    #[schema(schema_with = oa::transition_note)]
    pub note: Option<String>,
    /// 実施決定 of a proposal that would cost the city: why it is justified (required then).
    #[serde(default)]
    #[schema(schema_with = oa::fiscal_justification)]
    pub fiscal_justification: Option<String>,
}

impl TransitionBody {
    fn input(&self) -> TransitionInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        TransitionInput {
            action: self.action.clone(),
            reason: text(&self.reason),
            explanation: text(&self.explanation),
            to: text(&self.to),
            note: text(&self.note),
            fiscal_justification: text(&self.fiscal_justification),
        }
    }
}

/// `POST …/proposals/{receipt_number}/transitions`: a lifecycle move by the desk; the
/// proponent is told by mail. A move the state machine refuses is a 409.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{code}/proposals/{receipt_number}/transitions",
    summary = "状態の変更 (a lifecycle move; the proponent is told by mail)",
    description = "Desk staff of the local government only (not its administrators, not operators). A move the lifecycle does not allow from the current status is a 409 and changes nothing.",
    security(("bearer" = [])),
    params(ProposalPath),
    request_body = TransitionBody,
    responses(
        (status = 200, description = "The proposal after the move", body = ProposalSummary),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not this local government's desk", body = ErrorBody),
        (status = 404, description = "No such local government or receipt", body = ErrorBody),
        (status = 409, description = "Not possible in the proposal's current state; nothing changed", body = ErrorBody),
        (status = 422, description = "Validation failed: JSON of the wrong shape, or a field breaking a rule (nothing was written)", body = ErrorBody),
    )
)]
pub async fn transition(
    State(state): State<AppState>,
    ApiPath(ProposalPath {
        code,
        receipt_number: receipt,
    }): ApiPath<ProposalPath>,
    api: Result<ApiUser, ApiError>,
    body: Result<ApiJson<TransitionBody>, ApiError>,
) -> Result<Json<ProposalSummary>, Fail> {
    let (_, tc, api, p) = desk_proposal(&state, &code, &receipt, api).await?;
    let ApiJson(body) = body?;
    let updated = cmd::transition(
        &state.app,
        &api.caller(),
        tc,
        &p.receipt_number,
        &body.input(),
    )
    .await?;
    Ok(Json(summary(&updated, state.store.today())))
}

// ---------------------------------------------------------------------------------------------
// POST …/{receipt_number}/hearings

/// A hearing to record.
#[derive(Deserialize, ToSchema)]
pub struct HearingBody {
    #[schema(schema_with = oa::date)]
    pub held_on: String,
    #[schema(schema_with = oa::channel)]
    pub channel: String,
    #[serde(default)]
    #[schema(schema_with = oa::hearing_participants)]
    pub participants: Option<String>,
    #[serde(default)]
    #[schema(schema_with = oa::hearing_notes)]
    pub notes: Option<String>,
    #[serde(default)]
    #[schema(schema_with = oa::hearing_next_steps)]
    pub next_steps: Option<String>,
}

/// `POST …/proposals/{receipt_number}/hearings`: records a hearing (聞き取り); 201.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{code}/proposals/{receipt_number}/hearings",
    summary = "聞き取りの記録 (record a hearing)",
    description = "Desk staff of the local government only (not its administrators, not operators).",
    security(("bearer" = [])),
    params(ProposalPath),
    request_body = HearingBody,
    responses(
        (status = 201, description = "The recorded hearing", body = HearingJson),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not this local government's desk", body = ErrorBody),
        (status = 404, description = "No such local government or receipt", body = ErrorBody),
        (status = 409, description = "Not possible in the proposal's current state; nothing changed", body = ErrorBody),
        (status = 422, description = "Validation failed: JSON of the wrong shape, or a field breaking a rule (nothing was written)", body = ErrorBody),
    )
)]
pub async fn hearing(
    State(state): State<AppState>,
    ApiPath(ProposalPath {
        code,
        receipt_number: receipt,
    }): ApiPath<ProposalPath>,
    api: Result<ApiUser, ApiError>,
    body: Result<ApiJson<HearingBody>, ApiError>,
) -> Result<(StatusCode, Json<HearingJson>), Fail> {
    let (_, tc, api, p) = desk_proposal(&state, &code, &receipt, api).await?;
    let ApiJson(b) = body?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let input = HearingInput {
        held_on: b.held_on.clone(),
        channel: b.channel.clone(),
        participants: text(&b.participants),
        notes: text(&b.notes),
        next_steps: text(&b.next_steps),
    };
    let created =
        cmd::record_hearing(&state.app, &api.caller(), tc, &p.receipt_number, &input).await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

// ---------------------------------------------------------------------------------------------
// POST …/{receipt_number}/routings

/// Departments to ask, and what.
#[derive(Deserialize, ToSchema)]
pub struct RoutingBody {
    #[serde(deserialize_with = "json_integers")]
    #[schema(schema_with = oa::department_ids)]
    pub department_ids: Vec<i64>,
    #[serde(default)]
    #[schema(schema_with = oa::routing_question, required)]
    pub question: String,
    /// Without it, the local government's routing period in business days from today.
    #[serde(default)]
    #[schema(schema_with = oa::date)]
    pub due_on: Option<String>,
}

/// Integers as JSON means them: `5` and `5.0` are the same number (JSON Schema's `integer`
/// admits both); `5.5` and anything beyond i64 are not integers here.
fn json_integers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    use serde::de::Error;
    let numbers = Vec::<serde_json::Number>::deserialize(d)?;
    numbers
        .iter()
        .map(|n| {
            n.as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() <= MAX_ID as f64)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| D::Error::custom("not an integer"))
        })
        .collect()
}

/// Routings just made.
#[derive(Serialize, ToSchema)]
pub struct RoutingsResponse {
    pub routings: Vec<RoutingJson>,
}

/// `POST …/proposals/{receipt_number}/routings`: asks departments (庁内照会); each member is
/// told by mail (without the proposal's content). The due date defaults to the tenant's
/// routing period in business days. 201 with the new routings.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{code}/proposals/{receipt_number}/routings",
    summary = "庁内照会 (ask departments; their members are told by mail, without the proposal's content)",
    description = "Desk staff of the local government only (not its administrators, not operators). Without due_on the due date is the local government's routing period in business days from today.",
    security(("bearer" = [])),
    params(ProposalPath),
    request_body = RoutingBody,
    responses(
        (status = 201, description = "The new routings", body = RoutingsResponse),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not this local government's desk", body = ErrorBody),
        (status = 404, description = "No such local government or receipt", body = ErrorBody),
        (status = 409, description = "Not possible in the proposal's current state; nothing changed", body = ErrorBody),
        (status = 422, description = "Validation failed: JSON of the wrong shape, or a field breaking a rule (nothing was written)", body = ErrorBody),
    )
)]
pub async fn route(
    State(state): State<AppState>,
    ApiPath(ProposalPath {
        code,
        receipt_number: receipt,
    }): ApiPath<ProposalPath>,
    api: Result<ApiUser, ApiError>,
    body: Result<ApiJson<RoutingBody>, ApiError>,
) -> Result<(StatusCode, Json<RoutingsResponse>), Fail> {
    let (_, tc, api, p) = desk_proposal(&state, &code, &receipt, api).await?;
    let ApiJson(b) = body?;
    let input = RouteInput {
        department_ids: b.department_ids.iter().map(i64::to_string).collect(),
        question: b.question.clone(),
        due_on: b.due_on.clone().unwrap_or_default(),
    };
    let today = state.store.today();
    let routings = cmd::route(&state.app, &api.caller(), tc, &p.receipt_number, &input)
        .await?
        .into_iter()
        .map(|r| routing_json(r, today))
        .collect();
    Ok((StatusCode::CREATED, Json(RoutingsResponse { routings })))
}

// ---------------------------------------------------------------------------------------------
// POST /api/v1/tenants/{code}/routings/{id}/answer

/// A department's answer.
#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    #[schema(schema_with = oa::answer)]
    pub answer: String,
    #[serde(default)]
    #[schema(schema_with = oa::answer_comment)]
    pub comment: Option<String>,
}

/// `POST /api/v1/tenants/{code}/routings/{id}/answer`: a department's answer to a routing
/// addressed to it.
#[utoipa::path(
    post,
    path = "/api/v1/tenants/{code}/routings/{id}/answer",
    summary = "庁内照会への回答 (a department's answer)",
    description = "Department staff of the department the routing is addressed to.",
    security(("bearer" = [])),
    params(RoutingPath),
    request_body = AnswerBody,
    responses(
        (status = 200, description = "The answered routing", body = RoutingJson),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not staff of a department of this local government", body = ErrorBody),
        (status = 404, description = "No such local government, or no routing addressed to the caller's department", body = ErrorBody),
        (status = 409, description = "Already answered, or the proposal is closed", body = ErrorBody),
        (status = 422, description = "Validation failed: JSON of the wrong shape, or a field breaking a rule (nothing was written)", body = ErrorBody),
    )
)]
pub async fn answer(
    State(state): State<AppState>,
    ApiPath(RoutingPath { code, id }): ApiPath<RoutingPath>,
    api: Result<ApiUser, ApiError>,
    body: Result<ApiJson<AnswerBody>, ApiError>,
) -> Result<Json<RoutingJson>, Fail> {
    let (_, tc) = known_tenant(&state, &code).await?;
    let api = api?;
    if !api.actor.may_enter_department_area(tc) {
        return Err(ApiError::forbidden().into());
    }
    let routing_id: i64 = id.trim().parse().map_err(|_| ApiError::not_found())?;
    let ApiJson(b) = body?;
    let input = AnswerInput {
        answer: b.answer.clone(),
        comment: b.comment.clone().unwrap_or_default(),
    };
    let r = cmd::answer(&state.app, &api.caller(), tc, routing_id, &input).await?;
    Ok(Json(routing_json(r, state.store.today())))
}
