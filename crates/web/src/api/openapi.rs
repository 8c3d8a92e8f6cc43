use axum::Json;
use renkei_domain::proposal::{
    Answer, Channel, DeclineReason, Field, Kind, Offer, PartnerType, Route, Status, rules,
};
use renkei_domain::text::{Lines, TextRule};
use serde_json::{Value, json};

/// Characters no free-text field accepts ([`renkei_domain::text`]): C0 and C1 controls; a
/// multi-line field keeps line feed and tab.
const MANY_LINES_CHARS: &str = r"[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]";
/// A single-line field also refuses every line break and tab.
const ONE_LINE_CHARS: &str = r"[^\u0000-\u001F\u007F-\u009F\u2028\u2029]";

/// The JSON Schema of a free-text field, from the same rule the server checks it by: its
/// length in characters, the characters it refuses, and for a required field at least one
/// character that is not white space. `nullable`: `null` is read as empty.
pub fn text_schema(rule: TextRule, required: bool, nullable: bool) -> Value {
    let chars = match rule.lines {
        Lines::One => ONE_LINE_CHARS,
        Lines::Many => MANY_LINES_CHARS,
    };
    let pattern = if required {
        // Something besides white space (which is trimmed away).
        format!(r"^{chars}*[^\s\u0000-\u001F\u007F-\u009F]{chars}*$")
    } else {
        format!("^{chars}*$")
    };
    let mut schema = json!({
        "type": if nullable { json!(["string", "null"]) } else { json!("string") },
        "maxLength": rule.max,
        "pattern": pattern,
    });
    if required {
        schema["minLength"] = json!(1);
    }
    schema
}

/// Phone numbers as usually written (the server reads more spellings than this).
const PHONE_PATTERN: &str = "^(|0[0-9]{9,10}|0[0-9]-[0-9]{4}-[0-9]{4}|0[0-9]{2}-[0-9]{3}-[0-9]{4}|0[0-9]{3}-[0-9]{2}-[0-9]{4}|0[0-9]{4}-[0-9]-[0-9]{4}|0[0-9]0-[0-9]{4}-[0-9]{4})$";

fn described(mut schema: Value, description: &str) -> Value {
    schema["description"] = Value::from(description);
    schema
}

/// The codes of a closed vocabulary, for `enum`.
fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Value {
    Value::from(all.iter().map(|v| code(*v)).collect::<Vec<_>>())
}

/// The OpenAPI 3.1 document of the JSON API. A test checks that every `/api/v1` route in the
/// route table is described here, and nothing else.
pub fn document() -> Value {
    let error = json!({
        "description": "Error",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Renkei API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "公民連携デスクのAPI。認証は `Authorization: Bearer rk_…`（`renkei token create` で発行）。"
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": { "type": "string", "examples": ["forbidden"] },
                            "message": { "type": "string", "description": "日本語のメッセージ" }
                        }
                    } }
                },
                "Department": {
                    "type": "object",
                    "required": ["id", "name", "member_count", "created_at"],
                    "properties": {
                        "id": { "type": "integer" },
                        "name": { "type": "string", "examples": ["危機管理課"] },
                        "member_count": { "type": "integer" },
                        "created_at": { "type": "string", "format": "date-time" }
                    }
                }
            }
        },
        "paths": {
            "/api/v1/tenants/{code}/departments": {
                "get": {
                    "summary": "部署の一覧 (departments of a local government)",
                    "security": [{ "bearer": [] }],
                    "parameters": [{
                        "name": "code", "in": "path", "required": true,
                        "description": "全国地方公共団体コード (JIS X 0402, 6 digits with check digit)",
                        "schema": { "type": "string", "pattern": "^[0-9]{6}$" }
                    }],
                    "responses": {
                        "200": {
                            "description": "The departments",
                            "content": { "application/json": { "schema": {
                                "type": "object",
                                "required": ["tenant", "departments"],
                                "properties": {
                                    "tenant": { "type": "string" },
                                    "departments": { "type": "array", "items": { "$ref": "#/components/schemas/Department" } }
                                }
                            } } }
                        },
                        "401": error.clone(),
                        "403": error.clone(),
                        "404": error.clone()
                    }
                }
            }
        }
    });
    proposal_schemas(&mut doc);
    proposal_paths(&mut doc, &error);
    body_rejections(&mut doc, &error);
    timeouts(&mut doc, &error);
    doc
}

/// Every operation may run out of time (`--request-timeout-secs`, for intake
/// `--upload-timeout-secs`): 503 with code `timeout`.
fn timeouts(doc: &mut Value, error: &Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for operation in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in operation
            .values_mut()
            .filter(|op| op.get("responses").is_some())
        {
            let mut response = error.clone();
            response["description"] = Value::from(
                "The request took longer than the server's time-out and was stopped (code `timeout`); a write may or may not have been committed",
            );
            op["responses"]["503"] = response;
        }
    }
}

/// Every operation that reads a JSON body answers the same way when the body cannot be read:
/// 413 beyond the size limit, 415 when the Content-Type is not JSON, 400 when it is not JSON,
/// 422 when it is JSON of the wrong shape.
fn body_rejections(doc: &mut Value, error: &Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for operation in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in operation.values_mut() {
            if op.get("requestBody").is_none() {
                continue;
            }
            let responses = &mut op["responses"];
            for (status, what) in [
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
            ] {
                let mut response = error.clone();
                response["description"] = Value::from(what);
                responses[status] = response;
            }
        }
    }
}

/// Schemas of the proposals API.
fn proposal_schemas(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    schemas["ValidationError"] = json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": {
            "type": "object",
            "required": ["code", "message"],
            "description": "422: the request was JSON but not acceptable. `fields` names each field that failed a rule (intake, hearings, routings, answers); a body of the wrong shape (a missing member, a string where a number belongs) has no `fields`, only the message.",
            "properties": {
                "code": { "type": "string", "const": "invalid" },
                "message": { "type": "string" },
                "fields": {
                    "type": "object",
                    "description": "フィールド名 → 日本語のメッセージ",
                    "additionalProperties": { "type": "string" }
                }
            }
        } }
    });
    schemas["Intake"] = json!({
        "type": "object",
        "required": ["kind", "org_name", "partner_type", "contact_name", "email", "title", "summary", "fields", "fiscal_burden"],
        "properties": {
            "kind": { "enum": codes(Kind::ALL, Kind::code) },
            "org_name": text_schema(rules::ORG_NAME, true, false),
            "partner_type": { "enum": codes(PartnerType::ALL, PartnerType::code) },
            "corporate_number": { "type": ["string", "null"], "pattern": "^([0-9]{13})?$", "description": "法人番号 (13 digits; the first is a check digit, which is checked)" },
            "contact_name": text_schema(rules::CONTACT_NAME, true, false),
            "email": { "type": "string", "format": "email", "maxLength": 254 },
            "phone": { "type": ["string", "null"], "pattern": PHONE_PATTERN, "description": "a Japanese phone number: 10 or 11 digits starting with 0 (hyphens, spaces, parentheses and full-width digits are read too), or +81…", "examples": ["072-423-2121"] },
            "title": text_schema(rules::TITLE, true, false),
            "summary": text_schema(rules::SUMMARY, true, false),
            "details": text_schema(rules::DETAILS, false, true),
            "fields": { "type": "array", "minItems": 1, "items": { "enum": codes(Field::ALL, Field::code) } },
            "offers": { "type": "array", "items": { "enum": codes(Offer::ALL, Offer::code) } },
            "expected_effects": text_schema(rules::EXPECTED_EFFECTS, false, true),
            "fiscal_burden": { "enum": ["none", "some"] },
            "fiscal_explanation": described(
                text_schema(rules::FISCAL_EXPLANATION, false, true),
                "required when fiscal_burden is \"some\""
            ),
            "publication_consent": { "type": "boolean" },
            "attachments": {
                "type": "array",
                "maxItems": 5,
                "description": "PDF, PNG, JPEG, GIF, WebP or Office files, at most 10 MB each; the type is decided by the content",
                "items": {
                    "type": "object",
                    "required": ["content_base64"],
                    "properties": {
                        "filename": { "type": "string" },
                        "content_base64": { "type": "string", "minLength": 1, "contentEncoding": "base64", "description": "the file's bytes; what they are is decided by reading them" }
                    }
                }
            },
            "website": { "type": "string", "description": "Leave out. A non-empty value (a bot filling every field) is refused with 422 and nothing is stored." }
        },
        "if": { "required": ["fiscal_burden"], "properties": { "fiscal_burden": { "const": "some" } } },
        "then": {
            "required": ["fiscal_explanation"],
            "properties": { "fiscal_explanation": text_schema(rules::FISCAL_EXPLANATION, true, false) }
        }
    });
    schemas["Receipt"] = json!({
        "type": "object",
        "required": ["receipt_number", "tracking_url", "status"],
        "properties": {
            "receipt_number": { "type": "string", "examples": ["272027-2026-0042"] },
            "tracking_url": { "type": "string", "description": "The proponent's private link (keep it secret)" },
            "status": { "type": "string", "const": "received" }
        }
    });
    schemas["Assignee"] = json!({
        "type": ["object", "null"],
        "properties": { "id": { "type": "integer" }, "name": { "type": ["string", "null"] } }
    });
    schemas["ProposalSummary"] = json!({
        "type": "object",
        "required": ["receipt_number", "kind", "route", "status", "title", "org_name", "partner_type", "fields", "created_at", "received_on", "fiscal_year", "first_response_due", "overdue", "assignee"],
        "properties": {
            "receipt_number": { "type": "string" },
            "kind": { "type": "string" },
            "route": { "enum": ["free", "theme", "outbound"] },
            "status": { "enum": ["received", "hearing", "coordinating", "decided", "declined", "withdrawn", "referred"] },
            "title": { "type": "string" },
            "org_name": { "type": "string" },
            "partner_type": { "type": "string" },
            "fields": { "type": "array", "items": { "type": "string" } },
            "created_at": { "type": "string", "format": "date-time" },
            "received_on": { "type": "string", "format": "date", "description": "the day of receipt in Japan (JST)" },
            "fiscal_year": { "type": "integer", "description": "the fiscal year (年度, April–March) of receipt" },
            "first_response_due": { "type": "string", "format": "date" },
            "overdue": { "type": "boolean", "description": "open, unanswered and past its first-response date" },
            "assignee": { "$ref": "#/components/schemas/Assignee" }
        }
    });
    schemas["Hearing"] = json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer" },
            "held_on": { "type": "string", "format": "date" },
            "channel": { "enum": ["meeting", "online", "phone", "email"] },
            "participants": { "type": "string" },
            "notes": { "type": "string" },
            "next_steps": { "type": "string" },
            "recorded_by": { "type": ["string", "null"] },
            "created_at": { "type": "string", "format": "date-time" }
        }
    });
    schemas["Routing"] = json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer" },
            "receipt_number": { "type": "string" },
            "department_id": { "type": "integer" },
            "department_name": { "type": "string" },
            "question": { "type": "string" },
            "due_on": { "type": "string", "format": "date" },
            "requested_at": { "type": "string", "format": "date-time" },
            "overdue": { "type": "boolean" },
            "answer": { "type": ["string", "null"], "enum": ["interested", "conditional", "not_interested", null] },
            "answer_comment": { "type": ["string", "null"] },
            "answered_by": { "type": ["string", "null"] },
            "answered_at": { "type": ["string", "null"], "format": "date-time" }
        }
    });
    schemas["Event"] = json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer" },
            "at": { "type": "string" },
            "actor": { "type": "string" },
            "kind": { "type": "string", "examples": ["submitted", "status", "hearing", "routing", "answer", "message"] },
            "from_status": { "type": ["string", "null"] },
            "to_status": { "type": ["string", "null"] },
            "note": { "type": ["object", "null"] },
            "for_proponent": { "type": "boolean" }
        }
    });
    schemas["Attachment"] = json!({
        "type": "object",
        "description": "metadata only, never the bytes",
        "properties": {
            "id": { "type": "integer" },
            "filename": { "type": "string" },
            "content_type": { "type": "string" },
            "size": { "type": "integer" },
            "sha256": { "type": "string" },
            "uploaded_by": { "type": "string" },
            "created_at": { "type": "string" }
        }
    });
    schemas["Message"] = json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer" },
            "at": { "type": "string" },
            "from_desk": { "type": "boolean" },
            "author": { "type": "string" },
            "body": { "type": "string" }
        }
    });
    let mut detail = json!({
        "receipt_number": { "type": "string" },
        "kind": { "type": "string" },
        "route": { "type": "string" },
        "status": { "type": "string" },
        "title": { "type": "string" },
        "summary": { "type": "string" },
        "details": { "type": "string" },
        "org_name": { "type": "string" },
        "partner_id": { "type": "integer" },
        "partner_type": { "type": "string" },
        "corporate_number": { "type": ["string", "null"] },
        "contact_name": { "type": "string" },
        "email": { "type": "string" },
        "phone": { "type": "string" },
        "fields": { "type": "array", "items": { "type": "string" } },
        "offers": { "type": "array", "items": { "type": "string" } },
        "expected_effects": { "type": "string" },
        "fiscal_burden": { "enum": ["none", "some"] },
        "fiscal_explanation": { "type": "string" },
        "publication_consent": { "type": "boolean" },
        "referral_consent": { "type": "boolean" }
    });
    let more = json!({
        "assignee": { "$ref": "#/components/schemas/Assignee" },
        "first_response_due": { "type": "string", "format": "date" },
        "first_responded_at": { "type": ["string", "null"] },
        "overdue": { "type": "boolean" },
        "decline_reason": { "type": ["string", "null"] },
        "decline_explanation": { "type": ["string", "null"] },
        "fiscal_justification": { "type": ["string", "null"], "description": "why the city decided although the proposal costs it" },
        "referred_to": { "type": ["string", "null"] },
        "created_at": { "type": "string" },
        "updated_at": { "type": "string" },
        "closed_at": { "type": ["string", "null"] },
        "events": { "type": "array", "items": { "$ref": "#/components/schemas/Event" } },
        "hearings": { "type": "array", "items": { "$ref": "#/components/schemas/Hearing" } },
        "routings": { "type": "array", "items": { "$ref": "#/components/schemas/Routing" } },
        "attachments": { "type": "array", "items": { "$ref": "#/components/schemas/Attachment" } },
        "messages": { "type": "array", "items": { "$ref": "#/components/schemas/Message" } }
    });
    if let (Some(d), Value::Object(m)) = (detail.as_object_mut(), more) {
        d.extend(m);
    }
    schemas["ProposalDetail"] = json!({
        "type": "object",
        "description": "Everything about a proposal (confidential; each read is recorded in the audit trail)",
        "properties": detail
    });
}

/// The proposals API (`api::proposals`).
fn proposal_paths(doc: &mut Value, error: &Value) {
    let code = json!({
        "name": "code", "in": "path", "required": true,
        "description": "全国地方公共団体コード (JIS X 0402, 6 digits with check digit)",
        "schema": { "type": "string", "pattern": "^[0-9]{6}$" }
    });
    let receipt = json!({
        "name": "receipt_number", "in": "path", "required": true,
        "description": "受付番号",
        "schema": { "type": "string", "examples": ["272027-2026-0042"] }
    });
    let invalid = json!({
        "description": "Validation failed: JSON of the wrong shape, or a field breaking a rule (nothing was written)",
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ValidationError" } } }
    });
    let body = |schema: Value| json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    let ok = |description: &str, schema: Value| json!({ "description": description, "content": { "application/json": { "schema": schema } } });
    let query = |name: &str, description: &str, schema: Value| json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema });
    let desk_only =
        "Desk staff of the local government only (not its administrators, not operators).";
    let statuses = Status::ALL
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join("|");
    let status_list = format!("^(({statuses})(,({statuses}))*)?$");
    let paths = &mut doc["paths"];
    paths["/api/v1/tenants/{code}/proposals"] = json!({
        "post": {
            "summary": "提案・相談・寄附の申出の受付 (public intake, no token)",
            "description": "Anyone may submit. Answers 201 only after the proposal, its attachments, the audit entry and the receipt mail (in the language of `Accept-Language`: English or Japanese) are committed. Limited per client address and hour (429). A desk that does not take proposals now (not opened by its administrator, or without desk staff) answers 409 with code `desk_closed` and stores nothing.",
            "parameters": [code.clone(), {
                "name": "Accept-Language",
                "in": "header",
                "required": false,
                "description": "The proponent's language: mail about the proposal (the receipt, status changes, messages from the desk) is written in English when the most wanted language Renkei speaks is English (`en`, `en-US`, …, by q-value), otherwise in Japanese.",
                "schema": { "type": "string", "examples": ["en-US,en;q=0.9", "ja"] }
            }],
            "requestBody": body(json!({ "$ref": "#/components/schemas/Intake" })),
            "responses": {
                "201": ok("Received", json!({ "$ref": "#/components/schemas/Receipt" })),
                "400": error.clone(),
                "404": error.clone(),
                "409": error.clone(),
                "413": error.clone(),
                "415": error.clone(),
                "422": invalid.clone(),
                "429": error.clone()
            }
        },
        "get": {
            "summary": "デスクの受付一覧 (the desk's inbox)",
            "description": format!("{desk_only} Each call is recorded in the audit trail."),
            "security": [{ "bearer": [] }],
            "parameters": [
                code.clone(),
                query("status", "comma-separated statuses", json!({ "type": "string", "pattern": status_list, "examples": ["received,hearing"] })),
                query("kind", "proposal, consultation or donation", json!({ "enum": codes(Kind::ALL, Kind::code) })),
                query("field", "分野", json!({ "enum": codes(Field::ALL, Field::code) })),
                query("partner_type", "団体の種類", json!({ "enum": codes(PartnerType::ALL, PartnerType::code) })),
                query("route", "free, theme or outbound", json!({ "enum": codes(Route::ALL, Route::code) })),
                query("older_than_days", "received at least this many days ago (at most 36500; beyond is 400 out_of_range)", json!({ "type": "integer", "minimum": 0, "maximum": 36500 })),
                query("assignee", "desk officer's user id; 0 for unassigned", json!({ "type": "integer", "minimum": 0, "maximum": 9007199254740991_i64 })),
                query("q", "free text (title, summary, details, organisation, contact, receipt number)", json!({ "type": "string" })),
                query("overdue", "only open proposals past their first-response date", json!({ "type": "boolean" })),
                query("sort", "order", json!({ "enum": ["newest", "oldest", "due", "updated"], "default": "newest" })),
                query("page", "0-based page (at most 10000; beyond is 400 out_of_range)", json!({ "type": "integer", "minimum": 0, "maximum": 10000, "default": 0 })),
                query("per_page", "page size (at most 200; beyond is 400 out_of_range)", json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 }))
            ],
            "responses": {
                "200": ok("One page of the inbox", json!({
                    "type": "object",
                    "required": ["total", "page", "per_page", "proposals"],
                    "properties": {
                        "total": { "type": "integer" },
                        "page": { "type": "integer" },
                        "per_page": { "type": "integer" },
                        "proposals": { "type": "array", "items": { "$ref": "#/components/schemas/ProposalSummary" } }
                    }
                })),
                "400": error.clone(),
                "401": error.clone(),
                "403": error.clone(),
                "404": error.clone()
            }
        }
    });
    paths["/api/v1/tenants/{code}/proposals/{receipt_number}"] = json!({
        "get": {
            "summary": "提案の詳細 (a proposal with its timeline, hearings, routings, attachments and messages)",
            "description": "The desk of the local government, or department staff of a department the proposal was routed to. Everyone else gets 403, whether or not the receipt exists. Each read is recorded in the audit trail.",
            "security": [{ "bearer": [] }],
            "parameters": [code.clone(), receipt.clone()],
            "responses": {
                "200": ok("The proposal", json!({ "$ref": "#/components/schemas/ProposalDetail" })),
                "401": error.clone(),
                "403": error.clone(),
                "404": error.clone()
            }
        }
    });
    paths["/api/v1/tenants/{code}/proposals/{receipt_number}/transitions"] = json!({
        "post": {
            "summary": "状態の変更 (a lifecycle move; the proponent is told by mail)",
            "description": format!("{desk_only} A move the lifecycle does not allow from the current status is a 409 and changes nothing."),
            "security": [{ "bearer": [] }],
            "parameters": [code.clone(), receipt.clone()],
            "requestBody": body(json!({
                "type": "object",
                "required": ["action"],
                "properties": {
                    "action": { "enum": ["start_hearing", "start_coordination", "decide", "decline", "refer"] },
                    "reason": { "enum": codes(DeclineReason::ALL, DeclineReason::code), "description": "decline only (required)" },
                    "explanation": described(text_schema(rules::DECLINE_EXPLANATION, false, true), "decline only: the explanation sent to the proponent (required)"),
                    "note": described(text_schema(rules::TRANSITION_NOTE, false, true), "the desk's note on why (kept in the timeline and audit trail; not shown to the proponent)"),
                    "fiscal_justification": described(text_schema(rules::FISCAL_JUSTIFICATION, false, true), "decide only: why the city goes ahead although the proposal costs it (required when fiscal_burden is \"some\")"),
                    "to": { "type": ["string", "null"], "pattern": "^[0-9]{6}$", "description": "refer only: the other desk's 団体コード, with its check digit (required; needs the proponent's consent)" }
                },
                "allOf": [
                    {
                        "if": { "properties": { "action": { "const": "decline" } } },
                        "then": {
                            "required": ["reason", "explanation"],
                            "properties": { "explanation": text_schema(rules::DECLINE_EXPLANATION, true, false) }
                        }
                    },
                    {
                        "if": { "properties": { "action": { "const": "refer" } } },
                        "then": { "required": ["to"], "properties": { "to": { "type": "string" } } }
                    }
                ]
            })),
            "responses": {
                "200": ok("The proposal after the move", json!({ "$ref": "#/components/schemas/ProposalSummary" })),
                "400": error.clone(),
                "401": error.clone(),
                "403": error.clone(),
                "404": error.clone(),
                "409": error.clone(),
                "422": invalid.clone()
            }
        }
    });
    paths["/api/v1/tenants/{code}/proposals/{receipt_number}/hearings"] = json!({
        "post": {
            "summary": "聞き取りの記録 (record a hearing)",
            "description": desk_only,
            "security": [{ "bearer": [] }],
            "parameters": [code.clone(), receipt.clone()],
            "requestBody": body(json!({
                "type": "object",
                "required": ["held_on", "channel"],
                "properties": {
                    "held_on": { "type": "string", "format": "date", "examples": ["2026-11-20"] },
                    "channel": { "enum": codes(Channel::ALL, Channel::code) },
                    "participants": text_schema(rules::HEARING_PARTICIPANTS, false, true),
                    "notes": text_schema(rules::HEARING_NOTES, false, true),
                    "next_steps": text_schema(rules::HEARING_NEXT_STEPS, false, true)
                }
            })),
            "responses": {
                "201": ok("The recorded hearing", json!({ "$ref": "#/components/schemas/Hearing" })),
                "400": error.clone(),
                "401": error.clone(),
                "403": error.clone(),
                "404": error.clone(),
                "409": error.clone(),
                "422": invalid.clone()
            }
        }
    });
    paths["/api/v1/tenants/{code}/proposals/{receipt_number}/routings"] = json!({
        "post": {
            "summary": "庁内照会 (ask departments; their members are told by mail, without the proposal's content)",
            "description": format!("{desk_only} Without due_on the due date is the local government's routing period in business days from today."),
            "security": [{ "bearer": [] }],
            "parameters": [code.clone(), receipt],
            "requestBody": body(json!({
                "type": "object",
                "required": ["department_ids", "question"],
                "properties": {
                    "department_ids": { "type": "array", "minItems": 1, "uniqueItems": true, "items": { "type": "integer", "minimum": 1, "maximum": crate::api::proposals::MAX_ID } },
                    "question": text_schema(rules::ROUTING_QUESTION, true, false),
                    "due_on": { "type": "string", "format": "date", "examples": ["2026-12-04"] }
                }
            })),
            "responses": {
                "201": ok("The new routings", json!({
                    "type": "object",
                    "required": ["routings"],
                    "properties": { "routings": { "type": "array", "items": { "$ref": "#/components/schemas/Routing" } } }
                })),
                "400": error.clone(),
                "401": error.clone(),
                "403": error.clone(),
                "404": error.clone(),
                "409": error.clone(),
                "422": invalid.clone()
            }
        }
    });
    paths["/api/v1/tenants/{code}/routings/{id}/answer"] = json!({
        "post": {
            "summary": "庁内照会への回答 (a department's answer)",
            "description": "Department staff of the department the routing is addressed to.",
            "security": [{ "bearer": [] }],
            "parameters": [
                code,
                { "name": "id", "in": "path", "required": true, "description": "the routing's id", "schema": { "type": "integer", "minimum": 1, "maximum": crate::api::proposals::MAX_ID } }
            ],
            "requestBody": body(json!({
                "type": "object",
                "required": ["answer"],
                "properties": {
                    "answer": { "enum": codes(Answer::ALL, Answer::code) },
                    "comment": text_schema(rules::ANSWER_COMMENT, false, true)
                }
            })),
            "responses": {
                "200": ok("The answered routing", json!({ "$ref": "#/components/schemas/Routing" })),
                "400": error.clone(),
                "401": error.clone(),
                "403": error.clone(),
                "404": error.clone(),
                "422": invalid
            }
        }
    });
}

pub async fn get() -> Json<Value> {
    Json(document())
}
