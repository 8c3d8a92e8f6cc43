//! Every answer of the JSON API that a test receives is checked against the server's own
//! generated OpenAPI document (`renkei_web::api::openapi::document`): the status must be
//! one the operation documents, and a JSON body must validate against the documented
//! schema (JSON Schema 2020-12, formats such as `date` and `date-time` checked).
//!
//! [`crate::TestApp`] puts [`layer`] around the whole application; what does not match is
//! collected, printed at once, and fails the test when its server is dropped.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The document, and one validator per documented answer, built when first needed.
struct Contract {
    doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

fn contract() -> &'static Contract {
    static CONTRACT: OnceLock<Contract> = OnceLock::new();
    CONTRACT.get_or_init(|| Contract {
        doc: renkei_web::api::openapi::document(),
        validators: Mutex::new(HashMap::new()),
    })
}

/// The documented path template a concrete path matches (`{name}` matches one segment).
fn template_of<'a>(doc: &'a Value, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()?
        .keys()
        .map(String::as_str)
        .find(|t| {
            let parts: Vec<&str> = t.split('/').collect();
            parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(p, s)| {
                    p == s || (p.starts_with('{') && p.ends_with('}') && !s.is_empty())
                })
        })
}

/// One JSON Pointer reference token as it stands in a URI fragment.
fn escape(token: &str) -> String {
    token
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D")
}

/// Checks one answer. `Ok` also when the request is not a documented operation (an unknown
/// path or method is the router's business, and a test compares the router with the
/// document).
pub fn check(
    method: &str,
    path: &str,
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<(), String> {
    let c = contract();
    let Some(template) = template_of(&c.doc, path) else {
        return Ok(());
    };
    let method = method.to_ascii_lowercase();
    let Some(op) = c.doc["paths"][template].get(&method) else {
        return Ok(());
    };
    let what = format!("{} {path} → {status}", method.to_uppercase());
    let status_key = status.to_string();
    let Some(response) = op["responses"].get(&status_key) else {
        return Err(format!("{what}: status not documented for {template}"));
    };
    if response["content"]["application/json"]
        .get("schema")
        .is_none()
    {
        return Ok(());
    }
    let is_json = content_type.is_some_and(|t| t.starts_with("application/json"));
    if !is_json {
        return Err(format!(
            "{what}: documented as JSON, answered {}",
            content_type.unwrap_or("without a content type")
        ));
    }
    let instance: Value = serde_json::from_slice(body)
        .map_err(|e| format!("{what}: not JSON ({e}): {}", String::from_utf8_lossy(body)))?;
    let pointer = format!(
        "#/paths/{}/{method}/responses/{status_key}/content/application~1json/schema",
        escape(template)
    );
    let validator = {
        let mut cache = c
            .validators
            .lock()
            .map_err(|_| "validator cache poisoned")?;
        match cache.get(&pointer) {
            Some(v) => v.clone(),
            None => {
                // The whole document as the root, so that `#/components/…` resolves; its own
                // keywords (openapi, info, paths) mean nothing to JSON Schema.
                let mut root = c.doc.clone();
                root["$schema"] = Value::from("https://json-schema.org/draft/2020-12/schema");
                root["$ref"] = Value::from(pointer.clone());
                let v = jsonschema::options()
                    .with_draft(jsonschema::Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&root)
                    .map(Arc::new)
                    .map_err(|e| format!("{what}: the documented schema does not compile: {e}"))?;
                cache.insert(pointer.clone(), v.clone());
                v
            }
        }
    };
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{what}: the body does not match the document: {}\n  body: {instance}",
            errors.join("; ")
        ))
    }
}

/// What did not match, per server.
pub type Findings = Arc<Mutex<Vec<String>>>;

/// The outermost layer of a test server: reads each API answer whole, checks it, records
/// what does not match, and passes the answer on unchanged.
pub async fn layer(State(findings): State<Findings>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    if !path.starts_with("/api/") {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let encoded = parts.headers.contains_key(header::CONTENT_ENCODING);
    if !encoded {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        if let Err(finding) = check(&method, &path, parts.status.as_u16(), content_type, &bytes) {
            eprintln!("OpenAPI: {finding}");
            if let Ok(mut list) = findings.lock() {
                list.push(finding);
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_documented_answer_passes_and_a_wrong_one_does_not() {
        let body = r#"{"error":{"code":"forbidden","message":"権限がありません"}}"#.as_bytes();
        let path = "/api/v1/tenants/272027/proposals";
        assert_eq!(
            check("GET", path, 403, Some("application/json"), body),
            Ok(())
        );
        // Not a documented status of the operation.
        assert!(check("GET", path, 418, Some("application/json"), body).is_err());
        // Not the documented shape.
        let wrong = br#"{"error":"forbidden"}"#;
        assert!(check("GET", path, 403, Some("application/json"), wrong).is_err());
        // Not JSON although documented as JSON.
        assert!(check("GET", path, 403, Some("text/html"), b"<p>").is_err());
        // A bad date in a documented answer.
        let inbox = br#"{"total":0,"page":0,"per_page":50,"proposals":[]}"#;
        assert_eq!(
            check("GET", path, 200, Some("application/json"), inbox),
            Ok(())
        );
        let dept = br#"{"tenant":"272027","departments":[{"id":1,"name":"x","member_count":0,"created_at":"yesterday"}]}"#;
        assert!(
            check(
                "GET",
                "/api/v1/tenants/272027/departments",
                200,
                Some("application/json"),
                dept
            )
            .is_err(),
            "formats are checked"
        );
        // Not an operation of the document: the router's business.
        assert_eq!(check("DELETE", path, 405, None, b""), Ok(()));
    }
}
