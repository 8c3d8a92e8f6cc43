//! The OpenAPI 3.1 document of the JSON API, generated from the API's own Rust types.
//!
//! Every request body, response body and parameter is a Rust type in `api::*` deriving
//! `utoipa::ToSchema` / `IntoParams`, and every handler carries `#[utoipa::path]`; [`ApiDoc`]
//! collects them. The schemas of single fields come from the rules the server checks them
//! by (the functions below): a free-text field's length and refused characters from its
//! [`TextRule`], a vocabulary's codes from the domain enum. What utoipa cannot say is added
//! in [`document`] in one place: the conditional requirements (`if`/`then`), the answers
//! every JSON-reading operation shares (400/413/415) and the time-out (503).
//!
//! The test kit validates every API response the integration tests receive against this
//! document (`renkei_testkit::openapi`), and a test checks that the document and the route
//! table list the same operations.

use crate::api::{cases, departments, open_calls, opendata, partnerships, proposals, stats};
use crate::error::{ErrorBody, ErrorDetail};
use axum::Json;
use renkei_domain::proposal::{
    Answer, Channel, DeclineReason, Field, Kind, Offer, PartnerType, Route, Status, rules,
};
use renkei_domain::text::{Lines, TextRule};
use renkei_store::proposals::InboxSort;
use serde_json::{Value, json};
use utoipa::openapi::KnownFormat;
use utoipa::openapi::schema::{
    ArrayBuilder, Object, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Renkei API",
        description = "公民連携デスクのAPI。認証は `Authorization: Bearer rk_…`（`renkei token create` で発行）。"
    ),
    paths(
        departments::list,
        proposals::submit,
        proposals::list,
        proposals::show,
        proposals::transition,
        proposals::hearing,
        proposals::route,
        proposals::answer,
        partnerships::list,
        partnerships::show,
        partnerships::add_activity,
        open_calls::list,
        open_calls::national,
        open_calls::answers,
        opendata::partnerships,
        opendata::calls,
        // The public case library (no token)
        cases::list,
        cases::show,
        stats::national,
        stats::tenant,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Bearer, &Revalidated)
)]
pub struct ApiDoc;

/// The `bearer` security scheme the operations name.
struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The public answers carry an ETag (`middleware::conditional_get`): each of their GET
/// operations also answers 304 to a matching `If-None-Match`.
struct Revalidated;

impl Modify for Revalidated {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !crate::middleware::is_public_cacheable(path) {
                continue;
            }
            if let Some(get) = item.get.as_mut() {
                get.responses.responses.insert(
                    "304".to_string(),
                    utoipa::openapi::RefOr::T(utoipa::openapi::Response::new(
                        "Not Modified: the If-None-Match tag is the answer's current ETag \
                         (no body)",
                    )),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Field schemas from the server's own rules

/// Characters no free-text field accepts ([`renkei_domain::text`]): C0 and C1 controls; a
/// multi-line field keeps line feed and tab.
const MANY_LINES_CHARS: &str = r"[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]";
/// A single-line field also refuses every line break and tab.
const ONE_LINE_CHARS: &str = r"[^\u0000-\u001F\u007F-\u009F\u2028\u2029]";

fn string_type(nullable: bool) -> SchemaType {
    if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    }
}

/// The pattern of a free-text field: the characters it refuses, and for a required field at
/// least one character that is not white space (which is trimmed away).
fn text_pattern(rule: TextRule, required: bool) -> String {
    let chars = match rule.lines {
        Lines::One => ONE_LINE_CHARS,
        Lines::Many => MANY_LINES_CHARS,
    };
    if required {
        format!(r"^{chars}*[^\s\u0000-\u001F\u007F-\u009F]{chars}*$")
    } else {
        format!("^{chars}*$")
    }
}

/// The JSON Schema of a free-text field, from the same rule the server checks it by.
/// `nullable`: `null` is read as empty.
fn text(rule: TextRule, required: bool, nullable: bool) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(string_type(nullable))
        .max_length(Some(rule.max))
        .min_length(required.then_some(1))
        .pattern(Some(text_pattern(rule, required)))
}

/// The same as JSON, for the conditional requirements added in [`document`].
fn text_json(rule: TextRule) -> Value {
    json!({
        "type": "string",
        "minLength": 1,
        "maxLength": rule.max,
        "pattern": text_pattern(rule, true),
    })
}

macro_rules! text_fields {
    ($($name:ident = $rule:ident, $required:literal, $nullable:literal $(, $doc:literal)?;)*) => {
        $(
            pub fn $name() -> Object {
                text(rules::$rule, $required, $nullable)
                    $(.description(Some($doc)))?
                    .build()
            }
        )*
    };
}

text_fields! {
    org_name = ORG_NAME, true, false;
    contact_name = CONTACT_NAME, true, false;
    org_address = ORG_ADDRESS, true, false, "所在地: required at the public intake";
    contact_department = CONTACT_DEPARTMENT, false, true;
    contact_title = CONTACT_TITLE, false, true;
    title = TITLE, true, false;
    summary = SUMMARY, true, false;
    details = DETAILS, false, true;
    expected_effects = EXPECTED_EFFECTS, false, true;
    fiscal_explanation = FISCAL_EXPLANATION, false, true, "required when fiscal_burden is \"some\"";
    decline_explanation = DECLINE_EXPLANATION, false, true, "decline only: the explanation sent to the proponent (required)";
    transition_note = TRANSITION_NOTE, false, true, "the desk's note on why (kept in the timeline and audit trail; not shown to the proponent)";
    fiscal_justification = FISCAL_JUSTIFICATION, false, true, "decide only: why the city goes ahead although the proposal costs it (required when fiscal_burden is \"some\")";
    hearing_participants = HEARING_PARTICIPANTS, false, true;
    hearing_notes = HEARING_NOTES, false, true;
    hearing_next_steps = HEARING_NEXT_STEPS, false, true;
    routing_question = ROUTING_QUESTION, true, false;
    answer_comment = ANSWER_COMMENT, false, true;
}

/// A closed vocabulary: its codes.
fn one_of<T: Copy>(all: &[T], code: fn(T) -> &'static str, nullable: bool) -> ObjectBuilder {
    let mut codes: Vec<Value> = all.iter().map(|v| Value::from(code(*v))).collect();
    if nullable {
        codes.push(Value::Null);
    }
    ObjectBuilder::new()
        .schema_type(string_type(nullable))
        .enum_values(Some(codes))
}

fn list_of(item: ObjectBuilder, min_items: Option<usize>) -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(item.build())
        .min_items(min_items)
        .build()
}

pub fn kind() -> Object {
    one_of(Kind::ALL, Kind::code, false)
        .description(Some("proposal, consultation or donation"))
        .build()
}

pub fn route() -> Object {
    one_of(Route::ALL, Route::code, false).build()
}

pub fn status() -> Object {
    one_of(Status::ALL, Status::code, false).build()
}

pub fn status_or_null() -> Object {
    one_of(Status::ALL, Status::code, true).build()
}

/// A status as the intake answers it: always `received`.
pub fn received() -> Object {
    one_of(&[Status::Received], Status::code, false).build()
}

pub fn partner_type() -> Object {
    one_of(PartnerType::ALL, PartnerType::code, false)
        .description(Some("団体の種類"))
        .build()
}

/// 分野: at least one in a proposal.
pub fn fields_required() -> utoipa::openapi::schema::Array {
    list_of(one_of(Field::ALL, Field::code, false), Some(1))
}

pub fn field_list() -> utoipa::openapi::schema::Array {
    list_of(one_of(Field::ALL, Field::code, false), None)
}

pub fn offer_list() -> utoipa::openapi::schema::Array {
    list_of(one_of(Offer::ALL, Offer::code, false), None)
}

pub fn fiscal_burden() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["none", "some"]))
        .build()
}

pub fn channel() -> Object {
    one_of(Channel::ALL, Channel::code, false).build()
}

pub fn answer() -> Object {
    one_of(Answer::ALL, Answer::code, false).build()
}

pub fn answer_or_null() -> Object {
    one_of(Answer::ALL, Answer::code, true).build()
}

pub fn decline_reason() -> Object {
    one_of(DeclineReason::ALL, DeclineReason::code, false)
        .description(Some("decline only (required)"))
        .build()
}

pub fn decline_reason_or_null() -> Object {
    one_of(DeclineReason::ALL, DeclineReason::code, true).build()
}

/// The desk's lifecycle moves ([`renkei_app::proposals::DESK_ACTIONS`]).
pub fn desk_action() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(renkei_app::proposals::DESK_ACTIONS.iter().copied()))
        .build()
}

/// 全国地方公共団体コード: six digits, the last a check digit (checked by the server).
const TENANT_CODE_PATTERN: &str = "^[0-9]{6}$";

pub fn tenant_code() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(TENANT_CODE_PATTERN))
        .description(Some(
            "全国地方公共団体コード (JIS X 0402, 6 digits with check digit)",
        ))
        .build()
}

pub fn refer_to() -> Object {
    ObjectBuilder::new()
        .schema_type(string_type(true))
        .pattern(Some(TENANT_CODE_PATTERN))
        .description(Some(
            "refer only: the other desk's 団体コード, with its check digit (required; needs the proponent's consent)",
        ))
        .build()
}

pub fn tenant_code_or_null() -> Object {
    ObjectBuilder::new()
        .schema_type(string_type(true))
        .pattern(Some(TENANT_CODE_PATTERN))
        .build()
}

pub fn corporate_number() -> Object {
    ObjectBuilder::new()
        .schema_type(string_type(true))
        .pattern(Some("^([0-9]{13})?$"))
        .description(Some(
            "法人番号 (13 digits; the first is a check digit, which is checked)",
        ))
        .build()
}

/// Phone numbers as usually written (the server reads more spellings than this).
const PHONE_PATTERN: &str = "^(|0[0-9]{9,10}|0[0-9]-[0-9]{4}-[0-9]{4}|0[0-9]{2}-[0-9]{3}-[0-9]{4}|0[0-9]{3}-[0-9]{2}-[0-9]{4}|0[0-9]{4}-[0-9]-[0-9]{4}|0[0-9]0-[0-9]{4}-[0-9]{4})$";

pub fn phone() -> Object {
    ObjectBuilder::new()
        .schema_type(string_type(true))
        .pattern(Some(PHONE_PATTERN))
        .description(Some("a Japanese phone number: 10 or 11 digits starting with 0 (hyphens, spaces, parentheses and full-width digits are read too), or +81…"))
        .examples(["072-423-2121"])
        .build()
}

/// The proponent's agreement to the handling of personal information (個人情報の取扱い):
/// only `true` is accepted.
pub fn privacy_consent() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([true]))
        .description(Some("agreement to the desk's handling of personal information (個人情報の取扱い), shown on the intake page; a submission without it is refused (422)"))
        .build()
}

pub fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(renkei_domain::email::MAX_LEN))
        .build()
}

fn formatted(format: KnownFormat, nullable: bool) -> Object {
    ObjectBuilder::new()
        .schema_type(string_type(nullable))
        .format(Some(SchemaFormat::KnownFormat(format)))
        .build()
}

/// A day (`2026-12-01`).
pub fn date() -> Object {
    formatted(KnownFormat::Date, false)
}

/// An instant (`2026-11-22T02:23:34.123Z`).
pub fn instant() -> Object {
    formatted(KnownFormat::DateTime, false)
}

pub fn instant_or_null() -> Object {
    formatted(KnownFormat::DateTime, true)
}

/// Department ids for a routing: distinct JSON-safe positive integers, at least one.
pub fn department_ids() -> utoipa::openapi::schema::Array {
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(proposals::MAX_ID)),
        )
        .min_items(Some(1))
        .unique_items(true)
        .build()
}

/// A 0-based count bounded by `max`, as a query or path parameter.
fn bounded(min: i64, max: i64) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

pub fn page() -> Object {
    bounded(0, proposals::MAX_PAGE)
}

pub fn per_page() -> Object {
    bounded(1, proposals::MAX_PER_PAGE)
}

/// Open data: the page size (`opendata::DEFAULT_LIMIT` when absent).
pub fn opendata_limit() -> Object {
    bounded(1, renkei_store::opendata::PAGE_MAX)
}

/// Open data: a keyset cursor, `{local government code}-{id}`.
pub fn opendata_cursor() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some("^[0-9]{6}-[0-9]{1,16}$"))
        .build()
}

pub fn older_than_days() -> Object {
    bounded(0, proposals::MAX_OLDER_THAN_DAYS)
}

pub fn assignee_id() -> Object {
    bounded(0, proposals::MAX_ID)
}

pub fn routing_id() -> Object {
    bounded(1, proposals::MAX_ID)
}

/// Comma-separated statuses.
pub fn status_list() -> Object {
    let statuses = Status::ALL
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join("|");
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(format!("^(({statuses})(,({statuses}))*)?$")))
        .examples(["received,hearing"])
        .build()
}

pub fn inbox_sort() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(InboxSort::ALL.map(InboxSort::code)))
        .default(Some(Value::from(InboxSort::Newest.code())))
        .build()
}

pub fn kind_param() -> Object {
    one_of(Kind::ALL, Kind::code, false).build()
}

pub fn field_param() -> Object {
    one_of(Field::ALL, Field::code, false).build()
}

pub fn route_param() -> Object {
    one_of(Route::ALL, Route::code, false).build()
}

/// Details of a timeline event: an object; a note written before notes were structured,
/// whole as a string; or null.
pub fn note() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([
            Type::Object,
            Type::String,
            Type::Null,
        ]))
        .description(Some(
            "details of the event (an object); a legacy note as written (a string); or null",
        ))
        .build()
}

/// Base64 file content.
pub fn base64_content() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .content_encoding("base64")
        .description(Some(
            "the file's bytes; what they are is decided by reading them",
        ))
        .build()
}

// ---------------------------------------------------------------------------------------------
// The document

/// What the derive cannot say, added to the generated document in one place.
fn amend(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    // Intake: an explanation is required with a fiscal burden.
    if let Some(intake) = schemas.get_mut("IntakeBody").and_then(Value::as_object_mut) {
        intake.insert(
            "if".into(),
            json!({ "required": ["fiscal_burden"], "properties": { "fiscal_burden": { "const": "some" } } }),
        );
        intake.insert(
            "then".into(),
            json!({
                "required": ["fiscal_explanation"],
                "properties": { "fiscal_explanation": text_json(rules::FISCAL_EXPLANATION) }
            }),
        );
    }
    // Transitions: a decline needs a reason and an explanation, a referral a destination.
    if let Some(body) = schemas
        .get_mut("TransitionBody")
        .and_then(Value::as_object_mut)
    {
        body.insert(
            "allOf".into(),
            json!([
                {
                    "if": { "properties": { "action": { "const": "decline" } } },
                    "then": {
                        "required": ["reason", "explanation"],
                        "properties": { "explanation": text_json(rules::DECLINE_EXPLANATION) }
                    }
                },
                {
                    "if": { "properties": { "action": { "const": "refer" } } },
                    "then": { "required": ["to"], "properties": { "to": { "type": "string" } } }
                }
            ]),
        );
    }

    // A path parameter is always required (utoipa leaves it out next to `schema_with`).
    for op in doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
    {
        // `get_mut`, not indexing: `op["parameters"]` would add `"parameters": null` to an
        // operation without parameters, which is not a valid document.
        for param in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            if param["in"] == "path" {
                param["required"] = Value::Bool(true);
            }
        }
    }

    let error = json!({
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    });
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter(|op| op.get("responses").is_some())
    {
        // Every operation may run out of time (`--request-timeout-secs`, for intake
        // `--upload-timeout-secs`).
        let mut shared = vec![(
            "503",
            "The request took longer than the server's time-out and was stopped (code `timeout`); a write may or may not have been committed",
        )];
        // Every operation that reads a JSON body answers the same way when the body cannot
        // be read.
        if op.get("requestBody").is_some() {
            shared.extend([
                (
                    "400",
                    "The body is not JSON (code `bad_json`) or a parameter is unreadable",
                ),
                (
                    "413",
                    "The body is larger than the server accepts (code `payload_too_large`)",
                ),
                (
                    "415",
                    "The Content-Type is not application/json (code `unsupported_media_type`)",
                ),
            ]);
        }
        for (status, what) in shared {
            let mut response = error.clone();
            response["description"] = Value::from(what);
            op["responses"][status] = response;
        }
    }
}

/// The OpenAPI 3.1 document served at `/api/openapi.json`.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    doc["openapi"] = Value::from("3.1.0");
    amend(&mut doc);
    doc
}

pub async fn get() -> Json<Value> {
    Json(document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_generated_with_every_schema_it_refers_to() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        let prefix = "#/components/schemas/";
        let mut rest = text.as_str();
        let mut refs = 0;
        while let Some(at) = rest.find(prefix) {
            let tail = &rest[at + prefix.len()..];
            let name: String = tail.chars().take_while(|c| *c != '"').collect();
            assert!(
                schemas.contains_key(&name),
                "{name} is referred to but missing"
            );
            refs += 1;
            rest = tail;
        }
        assert!(refs > 10, "the operations refer to shared schemas ({refs})");
    }

    #[test]
    fn field_schemas_come_from_the_server_rules() {
        let doc = document();
        let intake = &doc["components"]["schemas"]["IntakeBody"];
        assert_eq!(intake["properties"]["title"]["maxLength"], rules::TITLE.max);
        assert_eq!(
            intake["properties"]["kind"]["enum"],
            json!(Kind::ALL.iter().map(|k| k.code()).collect::<Vec<_>>())
        );
        assert_eq!(intake["then"]["required"], json!(["fiscal_explanation"]));
        let required = intake["required"].as_array().expect("required");
        for f in [
            "kind",
            "org_name",
            "title",
            "summary",
            "fields",
            "fiscal_burden",
        ] {
            assert!(required.contains(&json!(f)), "{f} is required");
        }
        // A body-reading operation documents the body rejections and the time-out.
        let submit = &doc["paths"]["/api/v1/tenants/{code}/proposals"]["post"]["responses"];
        for status in ["201", "400", "413", "415", "422", "429", "503"] {
            assert!(submit.get(status).is_some(), "intake documents {status}");
        }
    }
}
