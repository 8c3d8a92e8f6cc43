use renkei_app::demo::DEMO_PASSWORD;
use renkei_testkit::{Backend, TestApp, on_both};

async fn public_pages_and_errors(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let top = c.get("/").await;
    assert_eq!(top.status, 200);
    assert!(top.body.contains("<html lang=\"ja\">"));
    assert!(top.body.contains("大阪府"), "prefectures listed");
    assert!(top.body.contains("/static/css/tokens.css"));
    let search = c.get("/?q=%E5%B2%B8%E5%92%8C%E7%94%B0").await; // 岸和田
    assert!(search.body.contains("/t/272027"));
    let kana = c
        .get("/?q=%EF%BD%B7%EF%BD%BC%EF%BE%9C%EF%BE%80%EF%BE%9E")
        .await; // ｷｼﾜﾀﾞ (half-width)
    assert!(
        kana.body.contains("/t/272027"),
        "half-width kana queries are normalised"
    );

    let desk = c.get("/t/272027").await;
    assert_eq!(desk.status, 200);
    // The demo's admin named the desk (its profile); a desk without one has the standard name.
    assert!(desk.body.contains("大阪府岸和田市 公民戦略連携デスク"));
    assert!(
        desk.body.contains("/t/270008"),
        "links to the prefecture's desk"
    );
    let pref = c.get("/t/270008").await;
    assert!(
        pref.body.contains("/t/272027"),
        "the prefecture lists its municipalities"
    );

    for missing in ["/t/999999", "/t/272028", "/t/abc"] {
        let p = c.get(missing).await;
        assert_eq!(p.status, 404, "{missing}");
        assert!(
            p.body
                .contains("指定された自治体（団体コード）は登録されていません。"),
            "{missing}"
        );
    }
    let nowhere = c.get("/no/such/page").await;
    assert_eq!(nowhere.status, 404);
    assert!(nowhere.body.contains("ページが見つかりません"));

    // English on request, remembered by cookie.
    let en = c.get("/t/272027?lang=en").await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(en.body.contains("partnership desk"));
    let still = c.get("/login").await;
    assert!(still.body.contains("Sign in"));
    let back = c.get("/login?lang=ja").await;
    assert!(back.body.contains("ログイン"));

    // Security headers.
    assert!(top.headers.get("content-security-policy").is_some());
    assert_eq!(
        top.headers
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
}

async fn health_and_metrics(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut c = app.client();
    let h = c.get("/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (200, "ok\n"));
    c.get("/").await;
    let m = c.get("/metrics").await;
    assert_eq!(m.status, 200);
    assert!(
        m.body
            .contains("renkei_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1"),
        "{}",
        m.body
    );
    assert!(m.body.contains("renkei_database_up 1"));
    // A latency histogram per route, with its buckets, sum and count.
    assert!(
        m.body
            .contains("# TYPE renkei_http_request_duration_seconds histogram"),
        "{}",
        m.body
    );
    assert!(
        m.body.contains(
            "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"+Inf\"} 1\n"
        ),
        "{}",
        m.body
    );
    assert!(
        m.body.contains(
            "renkei_http_request_duration_seconds_bucket{method=\"GET\",route=\"/\",le=\"0.005\"} "
        ),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains("renkei_http_request_duration_seconds_sum{method=\"GET\",route=\"/\"} "),
        "{}",
        m.body
    );
    // Counts grow with each request.
    c.get("/").await;
    let m = c.get("/metrics").await;
    assert!(
        m.body
            .contains("renkei_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 2\n"),
        "{}",
        m.body
    );
    assert!(
        m.body
            .contains("renkei_http_request_duration_seconds_count{method=\"GET\",route=\"/\"} 2\n"),
        "{}",
        m.body
    );
    // With the database gone, health says so.
    app.store.close().await;
    let down = c.get("/healthz").await;
    assert_eq!(down.status, 503);
}

/// Oversized and malformed requests get a clear 4xx and write nothing.
async fn oversized_and_malformed(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    c.login("admin@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    c.get("/t/272027/admin/departments").await;
    let before = app.store.audit_total().await.expect("audit");
    let bad_id = c.get("/t/272027/admin/departments/not-a-number").await;
    assert!(
        bad_id.status == 400 || bad_id.status == 404,
        "{}",
        bad_id.status
    );
    let invalid_utf8 = c
        .http
        .post(format!("{}/t/272027/admin/departments", c.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0xff])
        .send()
        .await
        .expect("send");
    assert!(invalid_utf8.status().is_client_error());
    // Last: the server closes the connection after refusing an oversized body.
    let huge = "課".repeat(40_000);
    let big = c
        .post("/t/272027/admin/departments", &[("name", &huge)])
        .await;
    assert_eq!(big.status, 413);
    assert!(big.body.contains("送信されたデータが大きすぎます。"));
    assert_eq!(app.store.audit_total().await.expect("audit"), before);
}

on_both!(
    public_pages_and_errors,
    health_and_metrics,
    oversized_and_malformed
);
