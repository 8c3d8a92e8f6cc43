use renkei_store::Who;
use renkei_testkit::{Backend, TestApp, on_both};

async fn token(app: &TestApp, email: &str) -> (i64, String) {
    let u = app.store.user_by_email(email).await.expect("user");
    app.store
        .token_create(&Who::cli(), u.id, "test")
        .await
        .expect("token")
}

async fn departments_api(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let c = app.client();
    let (id, desk) = token(&app, "desk@kishiwada.demo.renkei.jp").await;
    let ok = c
        .api_get("/api/v1/tenants/272027/departments", Some(&desk))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let json = ok.json();
    assert_eq!(json["tenant"], "272027");
    let names: Vec<&str> = json["departments"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert!(names.contains(&"危機管理課"), "{names:?}");

    // No token, a bad token, a revoked token: 401 with a JSON error.
    for t in [None, Some("rk_nonsense"), Some("Basic abc")] {
        let r = c.api_get("/api/v1/tenants/272027/departments", t).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json()["error"]["code"], "unauthorized");
    }
    app.store
        .token_revoke(&Who::cli(), id)
        .await
        .expect("revoke");
    let revoked = c
        .api_get("/api/v1/tenants/272027/departments", Some(&desk))
        .await;
    assert_eq!(revoked.status, 401);

    // Another tenant's staff: 403. A proponent: 403. Unknown or malformed tenant: 404.
    let (_, kawasaki) = token(&app, "desk@kawasaki.demo.renkei.jp").await;
    let r = c
        .api_get("/api/v1/tenants/272027/departments", Some(&kawasaki))
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "forbidden");
    assert!(!r.body.contains("危機管理課"));
    let (_, proponent) = token(&app, "proponent@example.co.jp").await;
    assert_eq!(
        c.api_get("/api/v1/tenants/272027/departments", Some(&proponent))
            .await
            .status,
        403
    );
    let (_, operator) = token(&app, "operator@demo.renkei.jp").await;
    assert_eq!(
        c.api_get("/api/v1/tenants/272027/departments", Some(&operator))
            .await
            .status,
        200
    );
    for bad in ["272028", "99999x", "123"] {
        let r = c
            .api_get(
                &format!("/api/v1/tenants/{bad}/departments"),
                Some(&operator),
            )
            .await;
        assert_eq!(r.status, 404, "{bad}");
        assert_eq!(r.json()["error"]["code"], "tenant_not_found");
    }
    let unknown = c.api_get("/api/v1/nothing-here", Some(&operator)).await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"]["message"].as_str().is_some());
}

/// Every /api/v1 route in the router is in the OpenAPI document, and the document has
/// nothing the router lacks.
async fn openapi_matches_the_router(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let c = app.client();
    let doc = c.api_get("/api/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    let json = doc.json();
    assert_eq!(json["openapi"], "3.1.0");
    let paths = json["paths"].as_object().expect("paths");
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .into_iter()
                .flatten()
                .map(move |(m, _)| (m.to_uppercase(), p.clone()))
        })
        .collect();
    let mut routed: Vec<(String, String)> = renkei_web::route_table()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/"))
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    documented.sort();
    routed.sort();
    assert!(!routed.is_empty());
    assert_eq!(documented, routed);
}

on_both!(departments_api, openapi_matches_the_router);
