//! What schemathesis found against `/api/openapi.json` (`scripts/schemathesis.sh`), each kept
//! here as a test: the document must be a valid OpenAPI document, and every answer a
//! documented one (the test kit checks each `/api/` answer against the document, so an
//! undocumented status or body fails these tests too).

use renkei_store::Who;
use renkei_testkit::{Backend, TestApp, on_both};
use serde_json::Value;

/// `parameters`, where an operation has it, is a list: an operation without parameters
/// (`GET /api/v1/stats`) was published with `"parameters": null`, which no OpenAPI tool
/// reads (schemathesis: "Invalid `parameters` definition").
async fn every_operation_lists_its_parameters(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let doc = app.client().api_get("/api/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let doc = doc.json();
    let paths = doc["paths"].as_object().expect("paths");
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            operations += 1;
            if let Some(params) = op.get("parameters") {
                let list = params
                    .as_array()
                    .unwrap_or_else(|| panic!("{method} {path}: parameters is {params}"));
                for p in list {
                    assert!(p["name"].is_string(), "{method} {path}: {p}");
                    assert!(p["schema"].is_object(), "{method} {path}: {p}");
                }
            }
        }
    }
    assert!(operations > 10, "{operations}");
    let stats = &doc["paths"]["/api/v1/stats"]["get"];
    assert!(stats.get("parameters").is_none(), "{stats}");
    // And the operation answers as documented.
    let r = app.client().api_get("/api/v1/stats", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// A call's id the path cannot hold (beyond i64) or that is not a number: the router's
/// plain-text 400 (`Invalid URL: Cannot parse …`) was answered, undocumented and not JSON.
/// Now it is the JSON 404 of any call the reader cannot see, after the tenant and the token.
async fn a_call_id_that_is_no_number(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let c = app.client();
    let desk = app
        .store
        .user_by_email("desk@kishiwada.demo.renkei.jp")
        .await
        .expect("desk");
    let (_, token) = app
        .store
        .token_create(&Who::cli(), desk.id, "test")
        .await
        .expect("token");
    for id in ["9223372036854775808", "9007199254740992", "0", "-1", "abc"] {
        let path = format!("/api/v1/tenants/272027/calls/{id}/answers");
        let r = c.api_get(&path, Some(&token)).await;
        assert_eq!(r.status, 404, "{id}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "not_found", "{id}");
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_ascii()),
            "a Japanese message: {}",
            r.body
        );
        // Without a token: 401, as for any call.
        let r = c.api_get(&path, None).await;
        assert_eq!(r.status, 401, "{id}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "unauthorized");
    }
    // A real call still answers.
    let calls = c.api_get("/api/v1/tenants/272027/calls", None).await.json();
    let id = calls["calls"][0]["id"].as_i64().expect("a public call");
    let r = c
        .api_get(
            &format!("/api/v1/tenants/272027/calls/{id}/answers"),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The case search's filters are read as the document states them: `tenant=` (no value)
/// matched no pattern of the document but was answered 200 as if absent. Now a filter
/// without a value, or with white space around it, is a 400 `bad_request` — the page, whose
/// form sends its empty fields, still reads them as absent.
async fn case_filters_without_a_value(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = app.client();
    for param in [
        "tenant",
        "prefecture",
        "field",
        "partner_type",
        "form",
        "year",
        "page",
    ] {
        for value in ["", "%20", "%2027"] {
            let r = c
                .api_get(&format!("/api/v1/cases?{param}={value}"), None)
                .await;
            assert_eq!(r.status, 400, "{param}={value}: {}", r.body);
            let v: Value = r.json();
            assert_eq!(v["error"]["code"], "bad_request", "{param}={value}");
        }
    }
    for ok in [
        "/api/v1/cases?q=",
        "/api/v1/cases?q=%20防災%20",
        "/api/v1/cases?prefecture=27&year=2026&page=0",
    ] {
        let r = c.api_get(ok, None).await;
        assert_eq!(r.status, 200, "{ok}: {}", r.body);
    }
    // The national list of open calls alike.
    for bad in [
        "/api/v1/calls?prefecture=",
        "/api/v1/calls?prefecture=%2027",
        "/api/v1/calls?page=",
    ] {
        let r = c.api_get(bad, None).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_request", "{bad}");
    }
    let r = c.api_get("/api/v1/calls?q=&page=0", None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let page = c
        .api_get("/cases?q=&tenant=&prefecture=&field=&year=&page=", None)
        .await;
    assert_eq!(page.status, 200, "the page reads empty fields as absent");
}

/// A path segment that is not UTF-8 once decoded (`%FF`): axum's plain-text 400, in no
/// operation's answers. Now the JSON 404 every operation with a path parameter documents.
async fn a_path_that_is_not_utf8(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = app.client();
    for path in [
        "/api/v1/tenants/%FF/stats",
        "/api/v1/tenants/%FF/calls",
        "/api/v1/tenants/%FF/departments",
        "/api/v1/tenants/%FF/proposals/272027-2026-0001",
        "/api/v1/tenants/272027/calls/%FF/answers",
        "/api/v1/cases/%FF",
    ] {
        let r = c.api_get(path, None).await;
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(
            r.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/json")),
            "{path}: {:?}",
            r.headers.get("content-type")
        );
        assert_eq!(r.json()["error"]["code"], "not_found", "{path}");
    }
}

/// Control characters in what is read as text: `q=%00` made PostgreSQL fail the case
/// search (500, page and API alike) and a receipt number with NUL the desk's proposal
/// lookup. The search now refuses them (400, as the document's pattern says) and such a
/// receipt number names no proposal (404).
async fn control_characters_in_text_parameters(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let c = app.client();
    for q in ["%00", "a%00b", "a%09b", "%7F", "%C2%85"] {
        let r = c.api_get(&format!("/api/v1/cases?q={q}"), None).await;
        assert_eq!(r.status, 400, "q={q}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_request", "q={q}");
        let page = c.api_get(&format!("/cases?q={q}"), None).await;
        assert_eq!(page.status, 400, "the page, q={q}");
    }
    for path in [
        "/api/v1/calls?q=%00",
        "/api/v1/tenants/272027/calls?q=a%00b",
    ] {
        let r = c.api_get(path, None).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], "bad_request", "{path}");
    }
    let r = c.api_get("/api/v1/cases?q=%E9%98%B2%E7%81%BD", None).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let desk = app
        .store
        .user_by_email("desk@kishiwada.demo.renkei.jp")
        .await
        .expect("desk");
    let (_, token) = app
        .store
        .token_create(&Who::cli(), desk.id, "test")
        .await
        .expect("token");
    let r = c
        .api_get(
            "/api/v1/tenants/272027/proposals/272027-2026-0001%00",
            Some(&token),
        )
        .await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.json()["error"]["code"], "proposal_not_found");
}

on_both!(
    every_operation_lists_its_parameters,
    a_call_id_that_is_no_number,
    case_filters_without_a_value,
    a_path_that_is_not_utf8,
    control_characters_in_text_parameters,
);
