//! Limits that must hold against parallel requests and behind reverse proxies (found in a
//! penetration test): sign-in throttling, the intake rate limit, and the client address that
//! both of them and the audit trail use.

use crate::api_proposals::{PDF, intake};
use renkei_domain::{Email, Password, Role, TenantCode};
use renkei_store::demo::DEMO_PASSWORD;
use renkei_store::users::{
    LoginFailure, MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS, NewUser,
};
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, Client, Page, TestApp, TestDb, csrf_in, on_both};
use renkei_web::WebConfig;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const K: &str = "272027";
const LOGIN_THROTTLED: &str = "ログインの試行が多すぎます";
const RATE_LIMITED: &str = "短時間に多くの送信がありました。時間をおいて再度お送りください。";

async fn count(store: &Store, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind)
        .fetch_one(store.pool())
        .await
        .expect("count")
}

fn statuses(pages: &[Page]) -> Vec<u16> {
    let mut s: Vec<u16> = pages.iter().map(|p| p.status).collect();
    s.sort_unstable();
    s
}

/// Sign-ins fired all at once: each from its own browser, which fetched the form (and its
/// CSRF cookie) first; then every POST waits at one barrier. Spread over the given servers.
async fn login_burst(servers: &[&TestApp], attempts: Vec<(String, String)>) -> Vec<Page> {
    let barrier = Arc::new(Barrier::new(attempts.len()));
    let mut set = JoinSet::new();
    for (i, (email, password)) in attempts.into_iter().enumerate() {
        let mut c = servers[i % servers.len()].client();
        assert_eq!(c.get("/login").await.status, 200);
        let barrier = barrier.clone();
        set.spawn(async move {
            barrier.wait().await;
            c.post(
                "/login",
                &[
                    ("email", email.as_str()),
                    ("password", password.as_str()),
                    ("next", ""),
                ],
            )
            .await
        });
    }
    let mut pages = Vec::new();
    while let Some(page) = set.join_next().await {
        pages.push(page.expect("login task"));
    }
    pages
}

/// 40 wrong passwords at one account at once: only the limit of them is checked.
async fn parallel_wrong_passwords_on_one_account(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let pages = login_burst(
        &[&app],
        (0..40)
            .map(|i| (DESK.to_string(), format!("wrong password {i}")))
            .collect(),
    )
    .await;
    let checked = pages.iter().filter(|p| p.status == 401).count();
    assert_eq!(
        checked as i64,
        MAX_FAILURES_PER_ACCOUNT,
        "passwords checked: {:?}",
        statuses(&pages)
    );
    for p in pages.iter().filter(|p| p.status != 401) {
        assert_eq!(p.status, 429, "{}", p.body);
        assert!(p.body.contains(LOGIN_THROTTLED), "{}", p.body);
    }
    // The right password is refused for now too; a refusal records nothing.
    let mut c = app.client();
    assert_eq!(c.login(DESK, DEMO_PASSWORD).await.status, 429);
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM login_failures WHERE email = $1",
            DESK
        )
        .await,
        MAX_FAILURES_PER_ACCOUNT
    );
}

/// 100 guesses at different accounts from one address at once, on two app servers sharing
/// the database: only the address limit of them is checked.
async fn parallel_guesses_from_one_address(backend: Backend) {
    let a = TestApp::spawn_demo(backend).await;
    let b = TestApp::spawn_on(a.db()).await;
    let pages = login_burst(
        &[&a, &b],
        (0..100)
            .map(|i| (format!("guess{i}@example.jp"), "wrong password".to_string()))
            .collect(),
    )
    .await;
    let checked = pages.iter().filter(|p| p.status == 401).count();
    assert_eq!(
        checked as i64,
        MAX_FAILURES_PER_ADDRESS,
        "passwords checked: {:?}",
        statuses(&pages)
    );
    assert!(
        pages
            .iter()
            .filter(|p| p.status != 401)
            .all(|p| p.status == 429 && p.body.contains(LOGIN_THROTTLED))
    );
    for server in [&a, &b] {
        let mut c = server.client();
        assert_eq!(c.login(DESK, DEMO_PASSWORD).await.status, 429);
    }
    assert_eq!(
        count(
            &a.store,
            "SELECT COUNT(*) FROM login_failures WHERE ip = $1",
            "127.0.0.1"
        )
        .await,
        MAX_FAILURES_PER_ADDRESS
    );
    b.stop().await;
}

/// Parallel attempts straight on the store (no HTTP in between): 40 at one account.
async fn parallel_store_attempts(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let mut set = JoinSet::new();
    let barrier = Arc::new(Barrier::new(40));
    for i in 0..40 {
        let (store, barrier) = (store.clone(), barrier.clone());
        set.spawn(async move {
            barrier.wait().await;
            store
                .authenticate("desk@example.jp", "nope nope nope", &format!("10.1.0.{i}"))
                .await
                .expect("authenticate")
        });
    }
    let mut invalid = 0;
    while let Some(r) = set.join_next().await {
        match r.expect("task") {
            Err(LoginFailure::Invalid) => invalid += 1,
            Err(LoginFailure::Throttled) => {}
            Ok(_) => panic!("a wrong password was accepted"),
        }
    }
    assert_eq!(invalid, MAX_FAILURES_PER_ACCOUNT);
    assert_eq!(
        store
            .authenticate("desk@example.jp", "correct horse battery", "192.0.2.1")
            .await
            .expect("authenticate"),
        Err(LoginFailure::Throttled)
    );
}

async fn seeded(db: &TestDb) -> Store {
    let store = db.open().await;
    let csv = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n";
    store
        .import_tenants(csv.as_bytes(), &Who::cli())
        .await
        .expect("import");
    store
        .create_user(
            &Who::cli(),
            NewUser {
                tenant: Some(TenantCode::parse(K).expect("code")),
                role: Role::Desk,
                email: Email::parse("desk@example.jp").expect("email"),
                display_name: "デスク 太郎".into(),
                password: Password::parse("correct horse battery").expect("password"),
                departments: vec![],
            },
        )
        .await
        .expect("user");
    store
}

/// A success clears the failures that came before it, never those of attempts that were
/// being checked at the same time (the attempts are interleaved by hand, so the test does not
/// depend on timing).
async fn a_success_keeps_concurrent_failures(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let email = "desk@example.jp";
    let wrong = "nope nope nope";
    let r = store
        .authenticate(email, wrong, "192.0.2.1")
        .await
        .expect("auth");
    assert_eq!(r, Err(LoginFailure::Invalid));
    // Three guesses are being checked…
    let mut running = Vec::new();
    for i in 2..5 {
        let attempt = store
            .login_begin(email, &format!("192.0.2.{i}"))
            .await
            .expect("begin")
            .expect("under the limit");
        running.push(attempt);
    }
    // …when the owner signs in…
    let ok = store
        .authenticate(email, "correct horse battery", "192.0.2.9")
        .await
        .expect("auth");
    assert!(ok.is_ok(), "{ok:?}");
    // …and then they fail.
    for attempt in running {
        let r = store.login_finish(attempt, wrong).await.expect("finish");
        assert_eq!(r, Err(LoginFailure::Invalid));
    }
    // The failure from before the success is forgiven; the three that ran alongside it still
    // count: two more guesses, then the account is throttled.
    for _ in 0..2 {
        let r = store
            .authenticate(email, wrong, "192.0.2.20")
            .await
            .expect("auth");
        assert_eq!(r, Err(LoginFailure::Invalid));
    }
    for password in [wrong, "correct horse battery"] {
        let r = store
            .authenticate(email, password, "192.0.2.21")
            .await
            .expect("auth");
        assert_eq!(r, Err(LoginFailure::Throttled));
    }
}

/// The intake form with every required field, as a browser sends it.
fn page_form(csrf: &str, title: &str) -> reqwest::multipart::Form {
    let fields = [
        ("_csrf", csrf),
        ("kind", "proposal"),
        ("org_name", "株式会社だんじりテック"),
        ("partner_type", "company"),
        ("contact_name", "岸和田 太郎"),
        ("email", "taro@example.co.jp"),
        ("phone", "072-423-2121"),
        ("title", title),
        ("summary", "地域の防災訓練にドローンを活用する提案です。"),
        ("fields", "disaster"),
        ("offers", "knowhow"),
        ("fiscal_burden", "none"),
    ];
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v.to_string());
    }
    form
}

async fn post_form(c: &Client, csrf: &str, title: &str) -> Page {
    let resp = c
        .http
        .post(format!("{}/t/{K}/propose", c.base))
        .multipart(page_form(csrf, title))
        .send()
        .await
        .expect("POST propose");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Page {
        status,
        location,
        body: resp.text().await.unwrap_or_default(),
        headers,
    }
}

/// `POST /api/v1/tenants/{code}/proposals` with optional extra headers.
async fn api_submit(http: &reqwest::Client, base: &str, title: &str) -> (u16, Value) {
    let r = http
        .post(format!("{base}/api/v1/tenants/{K}/proposals"))
        .json(&intake(title, PDF))
        .send()
        .await
        .expect("API POST");
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn proposal_count(store: &Store) -> i64 {
    count(
        store,
        "SELECT COUNT(*) FROM proposals WHERE tenant_code = $1",
        K,
    )
    .await
}

fn assert_api_rate_limited(status: u16, json: &Value) {
    assert_eq!(status, 429, "{json}");
    assert_eq!(json["error"]["code"], "rate_limited", "{json}");
    assert_eq!(json["error"]["message"], RATE_LIMITED, "{json}");
}

/// 30 submissions from one address at once, half through the page and half through the API
/// (which share the limit): exactly the limit of them is accepted, the rest are refused with
/// 429 and leave nothing behind.
async fn parallel_submissions_share_one_limit(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let limit = WebConfig::default().intake_rate_limit;
    assert_eq!(limit, 10);
    let before = proposal_count(&app.store).await;
    let created_before = count(
        &app.store,
        "SELECT COUNT(*) FROM audit_log WHERE action = $1",
        "proposal.create",
    )
    .await;
    let barrier = Arc::new(Barrier::new(30));
    let mut pages = JoinSet::new();
    let mut apis = JoinSet::new();
    for i in 0..15 {
        let mut c = app.client();
        let form = c.get(&format!("/t/{K}/propose")).await;
        let csrf = csrf_in(&form.body).expect("csrf");
        let page_barrier = barrier.clone();
        pages.spawn(async move {
            page_barrier.wait().await;
            post_form(&c, &csrf, &format!("同時送信（画面）{i}")).await
        });
        let (http, base, barrier) = (reqwest::Client::new(), app.url(""), barrier.clone());
        apis.spawn(async move {
            barrier.wait().await;
            api_submit(&http, &base, &format!("同時送信（API）{i}")).await
        });
    }
    let mut accepted = 0;
    while let Some(p) = pages.join_next().await {
        let p = p.expect("page task");
        if p.status == 303 {
            accepted += 1;
        } else {
            assert_eq!(p.status, 429, "{}", p.body);
            assert!(p.body.contains(RATE_LIMITED), "{}", p.body);
            // The form comes back as typed.
            assert!(p.body.contains("株式会社だんじりテック"));
        }
    }
    while let Some(r) = apis.join_next().await {
        let (status, json) = r.expect("api task");
        if status == 201 {
            accepted += 1;
        } else {
            assert_api_rate_limited(status, &json);
        }
    }
    assert_eq!(accepted, limit, "accepted of 30");
    assert_eq!(proposal_count(&app.store).await, before + limit);
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM intake_log WHERE ip = $1",
            "127.0.0.1"
        )
        .await,
        limit,
        "a refused submission is not logged"
    );
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM audit_log WHERE action = $1",
            "proposal.create",
        )
        .await,
        created_before + limit
    );
    // An hour later the address may submit again.
    app.db().clock.advance(chrono::Duration::minutes(61));
    let (status, json) = api_submit(&reqwest::Client::new(), &app.url(""), "一時間後").await;
    assert_eq!(status, 201, "{json}");
}

on_both!(
    parallel_wrong_passwords_on_one_account,
    parallel_guesses_from_one_address,
    parallel_store_attempts,
    a_success_keeps_concurrent_failures,
    parallel_submissions_share_one_limit,
);
