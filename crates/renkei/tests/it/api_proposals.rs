//! The proposals API: public intake, the inbox and detail per role, lifecycle moves,
//! hearings, routings and answers. Every test runs on SQLite and PostgreSQL.

use renkei_domain::TenantCode;
use renkei_store::proposals::InboxFilter;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestApp, TestDb, on_both};
use serde_json::{Value, json};

const K: &str = "272027";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const DEPT: &str = "kikikanri@kishiwada.demo.renkei.jp";
const ADMIN: &str = "admin@kishiwada.demo.renkei.jp";
const PROPONENT: &str = "proponent@example.co.jp";
const OTHER_DESK: &str = "desk@kawasaki.demo.renkei.jp";
const OPERATOR: &str = "operator@demo.renkei.jp";

pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n";

/// Standard base64 (the test binary has no base64 crate of its own).
pub fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A valid intake body with one PDF attachment.
pub fn intake(title: &str, pdf: &[u8]) -> Value {
    json!({
        "kind": "proposal",
        "org_name": "株式会社だんじり防災",
        "partner_type": "company",
        "corporate_number": null,
        "org_address": "大阪府岸和田市宮本町1番1号",
        "contact_name": "連携 花子",
        "email": "hanako@example.co.jp",
        "phone": "072-423-2121",
        "title": title,
        "summary": "地域の防災力を高める提案です。",
        "details": "自主防災組織と連携した訓練を行います。",
        "fields": ["disaster"],
        "offers": ["knowhow"],
        "expected_effects": "避難の迅速化",
        "fiscal_burden": "none",
        "fiscal_explanation": "",
        "publication_consent": true,
        "privacy_consent": true,
        "attachments": [{ "filename": "../提案書.pdf", "content_base64": base64(pdf) }]
    })
}

struct Resp {
    status: u16,
    body: String,
    json: Value,
}

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Resp {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    Resp { status, body, json }
}

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> Resp {
    call(app, reqwest::Method::GET, path, token, None).await
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: &Value) -> Resp {
    call(app, reqwest::Method::POST, path, token, Some(body)).await
}

/// A raw body with a content type of our choosing.
async fn post_raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: &str,
) -> Resp {
    let mut req = reqwest::Client::new().post(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    Resp { status, body, json }
}

async fn token(store: &Store, email: &str) -> String {
    let u = store.user_by_email(email).await.expect("user");
    store
        .token_create(&Who::cli(), u.id, "t")
        .await
        .expect("token")
        .1
}

fn kishiwada() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

async fn proposal_count(store: &Store, tenant: TenantCode) -> i64 {
    let filter = InboxFilter {
        per_page: 1,
        ..InboxFilter::default()
    };
    store.inbox(tenant, &filter).await.expect("inbox").1
}

async fn department_id(store: &Store, name: &str) -> i64 {
    store
        .departments(kishiwada())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == name)
        .map(|d| d.id)
        .expect("department")
}

async fn submit(app: &TestApp, title: &str) -> String {
    let r = post(
        app,
        &format!("/api/v1/tenants/{K}/proposals"),
        None,
        &intake(title, PDF),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.json["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_string()
}

fn is_json_error(r: &Resp) -> bool {
    r.json["error"]["code"].is_string() && r.json["error"]["message"].is_string()
}

async fn intake_with_attachment_then_detail(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let before = proposal_count(&app.store, kishiwada()).await;
    let r = post(
        &app,
        &format!("/api/v1/tenants/{K}/proposals"),
        None,
        &intake("ドローン防災訓練", PDF),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let receipt = r.json["receipt_number"].as_str().expect("receipt");
    assert!(receipt.starts_with("272027-"), "{receipt}");
    assert_eq!(r.json["status"], "received");
    let tracking = r.json["tracking_url"].as_str().expect("tracking");
    assert!(
        tracking.starts_with(&format!("http://{}/t/{K}/track/", app.addr)),
        "{tracking}"
    );
    assert_eq!(proposal_count(&app.store, kishiwada()).await, before + 1);

    // The receipt mail went into the outbox in the same commit, with the tracking link.
    let mails = app.store.outbox_list(20).await.expect("outbox");
    assert!(
        mails.iter().any(|m| m.kind == "receipt"
            && m.to == "hanako@example.co.jp"
            && m.subject.contains(receipt)
            && m.body.contains(tracking)),
        "{mails:?}"
    );

    let desk = token(&app.store, DESK).await;
    let d = get(
        &app,
        &format!("/api/v1/tenants/{K}/proposals/{receipt}"),
        Some(&desk),
    )
    .await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.json["title"], "ドローン防災訓練");
    assert_eq!(d.json["email"], "hanako@example.co.jp");
    assert_eq!(d.json["fields"], json!(["disaster"]));
    let att = d.json["attachments"].as_array().expect("attachments");
    assert_eq!(att.len(), 1);
    assert_eq!(att[0]["filename"], "提案書.pdf", "the path is cleaned away");
    assert_eq!(att[0]["content_type"], "application/pdf");
    assert_eq!(att[0]["size"], PDF.len());
    assert!(att[0].get("data").is_none(), "no bytes in the detail");
    let events = d.json["events"].as_array().expect("events");
    assert_eq!(events[0]["kind"], "submitted");
    assert_eq!(events[0]["actor"], "proponent");

    // The stored bytes are exactly the uploaded ones.
    let p = app
        .store
        .proposal(kishiwada(), receipt)
        .await
        .expect("proposal");
    let id = att[0]["id"].as_i64().expect("id");
    let (_, data) = app
        .store
        .attachment_data(kishiwada(), p.id, id)
        .await
        .expect("data");
    assert_eq!(data, PDF);

    // Unknown or malformed tenant: 404 JSON, nothing written.
    for bad in ["272028", "999999", "abc"] {
        let r = post(
            &app,
            &format!("/api/v1/tenants/{bad}/proposals"),
            None,
            &intake("x", PDF),
        )
        .await;
        assert_eq!(r.status, 404, "{bad}");
        assert_eq!(r.json["error"]["code"], "tenant_not_found");
    }
    assert_eq!(proposal_count(&app.store, kishiwada()).await, before + 1);
}

async fn bad_intake_writes_nothing(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let path = format!("/api/v1/tenants/{K}/proposals");
    let before = proposal_count(&app.store, kishiwada()).await;
    let audit_before = app.store.audit_total().await.expect("audit");

    let mut bad = intake("", PDF);
    bad["kind"] = json!("spam");
    bad["email"] = json!("not-an-email");
    bad["fields"] = json!([]);
    bad["offers"] = json!(["yachts"]);
    bad["fiscal_burden"] = json!("some");
    bad["corporate_number"] = json!("1234567890123");
    let r = post(&app, &path, None, &bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.json["error"]["code"], "invalid");
    assert!(r.json["error"]["message"].is_string());
    let fields = r.json["error"]["fields"].as_object().expect("fields");
    for f in [
        "kind",
        "email",
        "title",
        "fields",
        "offers",
        "fiscal_explanation",
        "corporate_number",
    ] {
        let msg = fields.get(f).and_then(Value::as_str).unwrap_or("");
        assert!(
            !msg.is_empty() && !msg.starts_with("error-"),
            "{f}: {msg:?} in {fields:?}"
        );
    }
    assert_eq!(fields["title"], "入力してください。");

    // Attachments are checked by content, counted, and must be base64.
    let mut html = intake("添付が不正", PDF);
    html["attachments"] = json!([{ "filename": "a.pdf", "content_base64": base64(b"<html><script>alert(1)</script>") }]);
    let r = post(&app, &path, None, &html).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(
        r.json["error"]["fields"]["attachments"]
            .as_str()
            .is_some_and(|m| m.contains("PDF")),
        "{}",
        r.body
    );
    let mut many = intake("添付が多すぎる", PDF);
    many["attachments"] = json!(
        (0..6)
            .map(|i| json!({ "filename": format!("{i}.pdf"), "content_base64": base64(PDF) }))
            .collect::<Vec<_>>()
    );
    assert_eq!(post(&app, &path, None, &many).await.status, 422);
    let mut garbage = intake("base64でない", PDF);
    garbage["attachments"] = json!([{ "filename": "a.pdf", "content_base64": "%%%not base64%%%" }]);
    let r = post(&app, &path, None, &garbage).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json["error"]["fields"]["attachments"].is_string());

    // The honeypot: refused with a generic message.
    let mut bot = intake("ボット", PDF);
    bot["website"] = json!("http://spam.example");
    let r = post(&app, &path, None, &bot).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(is_json_error(&r));
    assert!(r.json["error"].get("fields").is_none());

    // Malformed JSON, the wrong shape, the wrong content type: 4xx with a JSON error.
    let r = post_raw(&app, &path, None, "application/json", "{\"kind\": ").await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(is_json_error(&r), "{}", r.body);
    let r = post_raw(
        &app,
        &path,
        None,
        "application/json",
        "{\"fields\": \"disaster\"}",
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(is_json_error(&r), "{}", r.body);
    let r = post_raw(&app, &path, None, "text/plain", "hello").await;
    assert_eq!(r.status, 415, "{}", r.body);
    assert!(is_json_error(&r), "{}", r.body);

    assert_eq!(proposal_count(&app.store, kishiwada()).await, before);
    assert_eq!(
        app.store.audit_total().await.expect("audit"),
        audit_before,
        "nothing written"
    );
}

async fn intake_is_rate_limited(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    renkei_app::demo::load(&renkei_app::App::new(
        store.clone(),
        renkei_testkit::DEMO_URL,
    ))
    .await
    .expect("demo");
    let config = renkei_web::WebConfig {
        intake_rate_limit: 2,
        ..renkei_web::WebConfig::default()
    };
    let mut app = TestApp::start_with(store, config).await;
    app.db = Some(db);
    let before = proposal_count(&app.store, kishiwada()).await;
    let path = format!("/api/v1/tenants/{K}/proposals");
    for i in 0..2 {
        let r = post(&app, &path, None, &intake(&format!("提案{i}"), PDF)).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let r = post(&app, &path, None, &intake("三件目", PDF)).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.json["error"]["code"], "rate_limited");
    assert_eq!(
        r.json["error"]["message"],
        "短時間に多くの送信がありました。時間をおいて再度お送りください。"
    );
    assert_eq!(proposal_count(&app.store, kishiwada()).await, before + 2);
}

async fn confidentiality_per_role(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let receipt = submit(&app, "機密の提案").await;
    let list = format!("/api/v1/tenants/{K}/proposals");
    let detail = format!("/api/v1/tenants/{K}/proposals/{receipt}");
    let target = format!("proposal:{receipt}");
    let reads = || async {
        store
            .audit_count("proposal.read", &target)
            .await
            .expect("n")
    };
    let list_reads = || async {
        store
            .audit_count("proposal.read", "proposal:list")
            .await
            .expect("n")
    };

    // The desk: 200 on both, each read audited.
    let desk = token(store, DESK).await;
    let (n0, l0) = (reads().await, list_reads().await);
    let r = get(&app, &list, Some(&desk)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.json["total"].as_i64().expect("total") >= 1);
    assert!(
        r.json["proposals"]
            .as_array()
            .expect("list")
            .iter()
            .any(|p| p["receipt_number"] == receipt.as_str() && p["title"] == "機密の提案"),
        "{}",
        r.body
    );
    assert_eq!(list_reads().await, l0 + 1);
    assert_eq!(get(&app, &detail, Some(&desk)).await.status, 200);
    assert_eq!(reads().await, n0 + 1);

    // Not signed in: 401.
    for path in [&list, &detail] {
        let r = get(&app, path, None).await;
        assert_eq!(r.status, 401);
        assert_eq!(r.json["error"]["code"], "unauthorized");
    }

    // Administrators, operators, proponents, another city's desk: 403, and nothing leaks.
    for email in [ADMIN, OPERATOR, PROPONENT, OTHER_DESK, DEPT] {
        let t = token(store, email).await;
        for path in [&list, &detail] {
            let r = get(&app, path, Some(&t)).await;
            assert_eq!(r.status, 403, "{email} {path}: {}", r.body);
            assert_eq!(r.json["error"]["code"], "forbidden");
            assert!(!r.body.contains("機密の提案"));
        }
    }
    // Outsiders cannot tell a missing receipt from an existing one; the desk gets a 404.
    let missing = format!("/api/v1/tenants/{K}/proposals/272027-2026-9999");
    let other = token(store, OTHER_DESK).await;
    assert_eq!(get(&app, &missing, Some(&other)).await.status, 403);
    let r = get(&app, &missing, Some(&desk)).await;
    assert_eq!(r.status, 404);
    assert!(is_json_error(&r));
    assert_eq!(reads().await, n0 + 1, "refused reads are not reads");
    assert_eq!(list_reads().await, l0 + 1);

    // Department staff: 403 until the proposal is routed to one of their departments.
    let staff = token(store, DEPT).await;
    let childcare = department_id(store, "子育て支援課").await;
    let r = post(
        &app,
        &format!("{detail}/routings"),
        Some(&desk),
        &json!({ "department_ids": [childcare], "question": "子育ての観点から意見をください。" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(get(&app, &detail, Some(&staff)).await.status, 403);
    let crisis = department_id(store, "危機管理課").await;
    let r = post(
        &app,
        &format!("{detail}/routings"),
        Some(&desk),
        &json!({ "department_ids": [crisis], "question": "実施可能か確認してください。" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let before = reads().await;
    let r = get(&app, &detail, Some(&staff)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json["title"], "機密の提案");
    assert_eq!(reads().await, before + 1);
    // … but still not the inbox.
    assert_eq!(get(&app, &list, Some(&staff)).await.status, 403);
    // Another city's desk still gets nothing.
    assert_eq!(get(&app, &detail, Some(&other)).await.status, 403);
}

async fn inbox_filters_and_bad_parameters(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let desk = token(&app.store, DESK).await;
    let a = submit(&app, "フィルタ検証あ").await;
    let b = submit(&app, "フィルタ検証い").await;
    let t = post(
        &app,
        &format!("/api/v1/tenants/{K}/proposals/{b}/transitions"),
        Some(&desk),
        &json!({ "action": "start_hearing" }),
    )
    .await;
    assert_eq!(t.status, 200, "{}", t.body);
    let list = format!("/api/v1/tenants/{K}/proposals");
    let receipts = |r: &Resp| -> Vec<String> {
        r.json["proposals"]
            .as_array()
            .expect("proposals")
            .iter()
            .filter_map(|p| p["receipt_number"].as_str().map(str::to_string))
            .collect()
    };
    let r = get(
        &app,
        &format!("{list}?q=%E3%83%95%E3%82%A3%E3%83%AB%E3%82%BF%E6%A4%9C%E8%A8%BC&status=hearing"),
        Some(&desk),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(receipts(&r), vec![b.clone()]);
    let r = get(
        &app,
        &format!("{list}?q=%E3%83%95%E3%82%A3%E3%83%AB%E3%82%BF%E6%A4%9C%E8%A8%BC&status=received,hearing&sort=oldest&field=disaster&kind=proposal&partner_type=company&route=free&assignee=0&overdue=false"),
        Some(&desk),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(receipts(&r), vec![a.clone(), b.clone()]);
    let r = get(&app, &format!("{list}?per_page=1&page=0"), Some(&desk)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json["per_page"], 1);
    assert_eq!(r.json["proposals"].as_array().map(Vec::len), Some(1));
    assert!(r.json["total"].as_i64().expect("total") >= 2);
    let p = &r.json["proposals"][0];
    for key in [
        "receipt_number",
        "kind",
        "route",
        "status",
        "title",
        "org_name",
        "partner_type",
        "fields",
        "created_at",
        "first_response_due",
        "overdue",
        "assignee",
    ] {
        assert!(p.get(key).is_some(), "{key} missing in {p}");
    }
    for bad in [
        "per_page=abc",
        "per_page=0",
        "page=-1",
        "status=nonsense",
        "status=received,nonsense",
        "kind=spam",
        "sort=random",
        "overdue=perhaps",
        "older_than_days=x",
        "assignee=-3",
        "overdue=",
        "page=",
        "kind=",
        "sort=",
    ] {
        let r = get(&app, &format!("{list}?{bad}"), Some(&desk)).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(is_json_error(&r), "{bad}");
    }
    // Every number is bounded: beyond the documented range is a 400 saying so, never a
    // panic (older_than_days used to overflow the date arithmetic and drop the connection)
    // nor a 500 (a huge page overflowed PostgreSQL's OFFSET), nor silently clamped.
    for huge in [
        "older_than_days=100000000000",
        "older_than_days=36501",
        "page=9223372036854775807",
        "page=10001",
        "page=99999999999999999999999999",
        "per_page=201",
        "assignee=9007199254740992",
    ] {
        let r = get(&app, &format!("{list}?{huge}"), Some(&desk)).await;
        assert_eq!(r.status, 400, "{huge}: {}", r.body);
        assert_eq!(
            r.json["error"]["code"], "out_of_range",
            "{huge}: {}",
            r.body
        );
        assert!(
            r.json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("範囲")),
            "{huge}: {}",
            r.body
        );
    }
    // The edges themselves are served.
    for edge in ["older_than_days=36500", "page=10000", "per_page=200"] {
        let r = get(&app, &format!("{list}?{edge}"), Some(&desk)).await;
        assert_eq!(r.status, 200, "{edge}: {}", r.body);
    }
    let r = get(
        &app,
        &format!("{list}?page=10000&per_page=200"),
        Some(&desk),
    )
    .await;
    assert_eq!(r.json["proposals"].as_array().map(Vec::len), Some(0));
    assert_eq!(r.json["page"], 10000);
}

async fn transitions_and_hearings(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let desk = token(&app.store, DESK).await;
    let receipt = submit(&app, "状態遷移の検証").await;
    let base = format!("/api/v1/tenants/{K}/proposals/{receipt}");
    let status = || async {
        app.store
            .proposal(kishiwada(), &receipt)
            .await
            .expect("proposal")
            .status
    };

    // A move the lifecycle does not allow: 409, nothing changes.
    let r = post(
        &app,
        &format!("{base}/transitions"),
        Some(&desk),
        &json!({ "action": "decide" }),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    assert_eq!(r.json["error"]["code"], "conflict");
    assert_eq!(
        r.json["error"]["message"],
        "現在の状態からは、その操作はできません。"
    );
    assert_eq!(status().await.code(), "received");

    // Unreadable or incomplete bodies: 4xx JSON.
    for body in [
        json!({ "action": "teleport" }),
        json!({ "no_action": true }),
        json!({ "action": "decline", "reason": "sales_pitch", "explanation": "  " }),
        json!({ "action": "decline", "reason": "because", "explanation": "説明" }),
        json!({ "action": "refer", "to": "12345" }),
    ] {
        let r = post(&app, &format!("{base}/transitions"), Some(&desk), &body).await;
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert!(is_json_error(&r));
    }
    let r = post_raw(
        &app,
        &format!("{base}/transitions"),
        Some(&desk),
        "application/json",
        "{",
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(is_json_error(&r));
    assert_eq!(status().await.code(), "received");

    // Only the desk moves proposals.
    for email in [ADMIN, DEPT, OTHER_DESK, PROPONENT] {
        let t = token(&app.store, email).await;
        let r = post(
            &app,
            &format!("{base}/transitions"),
            Some(&t),
            &json!({ "action": "start_hearing" }),
        )
        .await;
        assert_eq!(r.status, 403, "{email}");
    }
    assert_eq!(status().await.code(), "received");

    let r = post(
        &app,
        &format!("{base}/transitions"),
        Some(&desk),
        &json!({ "action": "start_hearing" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json["status"], "hearing");
    assert_eq!(r.json["receipt_number"], receipt.as_str());
    assert_eq!(status().await.code(), "hearing");

    // A hearing.
    let r = post(
        &app,
        &format!("{base}/hearings"),
        Some(&desk),
        &json!({
            "held_on": "2026-11-20",
            "channel": "meeting",
            "participants": "連携 花子、窓口 一郎",
            "notes": "訓練の規模を確認",
            "next_steps": "危機管理課に照会"
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json["held_on"], "2026-11-20");
    assert_eq!(r.json["channel"], "meeting");
    for bad in [
        json!({ "held_on": "20/11/2026", "channel": "meeting" }),
        json!({ "held_on": "2026-11-20", "channel": "telepathy" }),
    ] {
        let r = post(&app, &format!("{base}/hearings"), Some(&desk), &bad).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
        assert!(r.json["error"]["fields"].is_object());
    }
    let dept = token(&app.store, DEPT).await;
    assert_eq!(
        post(
            &app,
            &format!("{base}/hearings"),
            Some(&dept),
            &json!({ "held_on": "2026-11-20", "channel": "phone" })
        )
        .await
        .status,
        403
    );

    // Decline with a reason and an explanation; the proponent is told by mail.
    let r = post(
        &app,
        &format!("{base}/transitions"),
        Some(&desk),
        &json!({ "action": "decline", "reason": "fiscal_burden", "explanation": "市の財政負担が大きいため見送ります。" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json["status"], "declined");
    let d = get(&app, &base, Some(&desk)).await;
    assert_eq!(d.json["decline_reason"], "fiscal_burden");
    assert_eq!(
        d.json["decline_explanation"],
        "市の財政負担が大きいため見送ります。"
    );
    assert_eq!(d.json["hearings"].as_array().map(Vec::len), Some(1));
    let kinds: Vec<&str> = d.json["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(kinds, vec!["submitted", "status", "hearing", "status"]);
    let mails = app.store.outbox_list(20).await.expect("outbox");
    assert!(
        mails
            .iter()
            .any(|m| m.kind == "status" && m.body.contains("市の財政負担が大きいため見送ります。")),
        "{mails:?}"
    );

    // Closed: no further moves.
    let r = post(
        &app,
        &format!("{base}/transitions"),
        Some(&desk),
        &json!({ "action": "start_hearing" }),
    )
    .await;
    assert_eq!(r.status, 409);
    assert_eq!(status().await.code(), "declined");

    // Unknown receipt: 404.
    let r = post(
        &app,
        &format!("/api/v1/tenants/{K}/proposals/272027-2026-9999/transitions"),
        Some(&desk),
        &json!({ "action": "start_hearing" }),
    )
    .await;
    assert_eq!(r.status, 404);
}

async fn routing_and_answers(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let desk = token(store, DESK).await;
    let staff = token(store, DEPT).await;
    let receipt = submit(&app, "庁内照会の検証").await;
    let base = format!("/api/v1/tenants/{K}/proposals/{receipt}");
    let crisis = department_id(store, "危機管理課").await;
    let childcare = department_id(store, "子育て支援課").await;

    // Bad requests first: nothing routed.
    for bad in [
        json!({ "department_ids": [], "question": "?" }),
        json!({ "department_ids": [crisis], "question": "" }),
        json!({ "department_ids": [crisis], "question": "?", "due_on": "someday" }),
    ] {
        let r = post(&app, &format!("{base}/routings"), Some(&desk), &bad).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
    }
    let r = post(
        &app,
        &format!("{base}/routings"),
        Some(&desk),
        &json!({ "department_ids": [999_999], "question": "?" }),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);
    let r = post(
        &app,
        &format!("{base}/routings"),
        Some(&staff),
        &json!({ "department_ids": [crisis], "question": "?" }),
    )
    .await;
    assert_eq!(r.status, 403);
    let id = store
        .proposal(kishiwada(), &receipt)
        .await
        .expect("proposal")
        .id;
    assert!(
        store
            .routed_department_ids(id)
            .await
            .expect("routed")
            .is_empty()
    );

    let r = post(
        &app,
        &format!("{base}/routings"),
        Some(&desk),
        &json!({ "department_ids": [crisis, childcare], "question": "実施可能性を確認してください。" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let routings = r.json["routings"].as_array().expect("routings").clone();
    assert_eq!(routings.len(), 2);
    let due = routings[0]["due_on"].as_str().expect("due");
    assert!(due > store.today().to_string().as_str(), "{due}");
    let id_of = |dept: i64| {
        routings
            .iter()
            .find(|r| r["department_id"] == dept)
            .and_then(|r| r["id"].as_i64())
            .expect("routing")
    };
    let (to_crisis, to_childcare) = (id_of(crisis), id_of(childcare));
    // The department's members were told, without the proposal's content.
    let mails = store.outbox_list(20).await.expect("outbox");
    let routing_mail = mails
        .iter()
        .find(|m| m.kind == "routing" && m.to == DEPT)
        .expect("routing mail");
    assert!(!routing_mail.body.contains("地域の防災力を高める提案です。"));
    // Routing the same department again is a conflict.
    let r = post(
        &app,
        &format!("{base}/routings"),
        Some(&desk),
        &json!({ "department_ids": [crisis], "question": "再照会", "due_on": "2026-12-04" }),
    )
    .await;
    assert_eq!(r.status, 409, "{}", r.body);

    // Answers: the right department only.
    let answer = |id: i64| format!("/api/v1/tenants/{K}/routings/{id}/answer");
    let r = post(
        &app,
        &answer(to_childcare),
        Some(&staff),
        &json!({ "answer": "interested" }),
    )
    .await;
    assert_eq!(r.status, 403, "not their department: {}", r.body);
    for email in [DESK, ADMIN, OTHER_DESK, PROPONENT, OPERATOR] {
        let t = token(store, email).await;
        let r = post(
            &app,
            &answer(to_crisis),
            Some(&t),
            &json!({ "answer": "interested" }),
        )
        .await;
        assert_eq!(r.status, 403, "{email}");
    }
    let r = post(
        &app,
        &answer(to_crisis),
        Some(&staff),
        &json!({ "answer": "maybe" }),
    )
    .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json["error"]["fields"]["answer"].is_string());
    let r = post(
        &app,
        &answer(999_999),
        Some(&staff),
        &json!({ "answer": "interested" }),
    )
    .await;
    assert_eq!(r.status, 404);
    let r = post(
        &app,
        &answer(to_crisis),
        Some(&staff),
        &json!({ "answer": "conditional", "comment": "消防との調整が必要です。" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json["answer"], "conditional");
    assert_eq!(r.json["answer_comment"], "消防との調整が必要です。");
    assert_eq!(r.json["answered_by"], "防災 次郎");

    let d = get(&app, &base, Some(&desk)).await;
    let answered: Vec<&Value> = d.json["routings"]
        .as_array()
        .expect("routings")
        .iter()
        .filter(|r| r["answer"].is_string())
        .collect();
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0]["department_name"], "危機管理課");
    assert!(
        store
            .audit_count("proposal.answer", &format!("proposal:{receipt}"))
            .await
            .expect("n")
            == 1
    );
}

on_both!(
    intake_with_attachment_then_detail,
    bad_intake_writes_nothing,
    intake_is_rate_limited,
    confidentiality_per_role,
    inbox_filters_and_bad_parameters,
    transitions_and_hearings,
    routing_and_answers,
);
