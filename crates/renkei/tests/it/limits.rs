//! Limits that must hold against parallel requests and behind reverse proxies (found in a
//! penetration test): sign-in throttling, the intake rate limit, and the client address that
//! both of them and the audit trail use.

use crate::api_proposals::{PDF, intake};
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::{Email, Password, Role, TenantCode};
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
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
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
        ("org_address", "大阪府岸和田市宮本町1番1号"),
        ("contact_name", "岸和田 太郎"),
        ("email", "taro@example.co.jp"),
        ("phone", "072-423-2121"),
        ("title", title),
        ("summary", "地域の防災訓練にドローンを活用する提案です。"),
        ("fields", "disaster"),
        ("offers", "knowhow"),
        ("fiscal_burden", "none"),
        ("privacy_consent", "yes"),
    ];
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v.to_string());
    }
    form
}

/// A browser (cookies, CSRF) that reaches the server through a reverse proxy which sent
/// these headers.
fn proxied(app: &TestApp, forwarded_for: &str, proto: Option<&str>) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        forwarded_for.parse().expect("header value"),
    );
    if let Some(p) = proto {
        headers.insert("x-forwarded-proto", p.parse().expect("header value"));
    }
    Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .expect("http client"),
        base: format!("http://{}", app.addr),
        csrf: String::new(),
    }
}

/// Submits the intake form; the client has fetched nothing yet.
async fn propose(c: &mut Client, title: &str) -> Page {
    let page = c.get(&format!("/t/{K}/propose")).await;
    assert_eq!(page.status, 200);
    let csrf = csrf_in(&page.body).expect("csrf");
    let answer = post_form(c, &csrf, title).await;
    c.confirm_intake(answer).await
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
        // The form is checked and kept as a draft first; the race is the confirmation (送信).
        let mut c = app.client();
        let form = c.get(&format!("/t/{K}/propose")).await;
        let csrf = csrf_in(&form.body).expect("csrf");
        let draft = post_form(&c, &csrf, &format!("同時送信（画面）{i}")).await;
        assert_eq!(draft.status, 303, "{}", draft.body);
        let confirm = draft.location.expect("to the confirmation page");
        assert_eq!(c.get(&confirm).await.status, 200);
        let page_barrier = barrier.clone();
        pages.spawn(async move {
            page_barrier.wait().await;
            c.post(&confirm, &[]).await
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

async fn audit_origins(store: &Store, action: &str) -> Vec<String> {
    sqlx::query_scalar::<_, String>("SELECT origin FROM audit_log WHERE action = $1 ORDER BY id")
        .bind(action)
        .fetch_all(store.pool())
        .await
        .expect("origins")
}

async fn proxied_app(backend: Backend, trusted_proxies: usize) -> TestApp {
    let db = TestDb::new(backend);
    let store = db.open().await;
    renkei_app::demo::load(&renkei_app::App::new(
        store.clone(),
        renkei_testkit::DEMO_URL,
    ))
    .await
    .expect("demo");
    let config = WebConfig {
        trusted_proxies,
        intake_rate_limit: 2,
        ..WebConfig::default()
    };
    let mut app = TestApp::start_with(store, config).await;
    app.db = Some(db);
    app
}

/// Behind one trusted proxy the client is the hop the proxy appended, whatever the client
/// wrote in front of it: a forged first hop resets neither limit and does not reach the
/// audit trail.
async fn behind_one_proxy_the_appended_hop_counts(backend: Backend) {
    let app = proxied_app(backend, 1).await;
    let created = audit_origins(&app.store, "proposal.create").await.len();
    // The client 10.0.0.7 writes a new first hop every time; the proxy appends 10.0.0.7.
    let mut answers = Vec::new();
    for i in 0..3 {
        let c = proxied(&app, &format!("1.2.3.{i}, 10.0.0.7"), None);
        answers.push(api_submit(&c.http, &c.base, &format!("偽装{i}")).await);
    }
    assert_eq!(answers[0].0, 201, "{}", answers[0].1);
    assert_eq!(answers[1].0, 201, "{}", answers[1].1);
    assert_api_rate_limited(answers[2].0, &answers[2].1);
    // The page shares the limit of the same client.
    let mut c = proxied(&app, "5.6.7.8, 10.0.0.7", None);
    let page = propose(&mut c, "偽装（画面）").await;
    assert_eq!(page.status, 429, "{}", page.body);
    // Another client behind the proxy has a limit of its own.
    let mut other = proxied(&app, "1.2.3.0, 10.0.0.8", None);
    assert_eq!(propose(&mut other, "別の人").await.status, 303);
    let origins = audit_origins(&app.store, "proposal.create").await;
    assert_eq!(
        &origins[created..],
        ["10.0.0.7", "10.0.0.7", "10.0.0.8"],
        "the audit trail records the hop the proxy appended"
    );

    // Sign-in: forged first hops do not make new addresses either.
    let mut pages = Vec::new();
    for i in 0..MAX_FAILURES_PER_ADDRESS {
        let mut c = proxied(&app, &format!("203.0.113.{i}, 10.0.0.9"), None);
        pages.push(
            c.login(&format!("guess{i}@example.jp"), "wrong password")
                .await,
        );
    }
    assert!(
        pages.iter().all(|p| p.status == 401),
        "{:?}",
        statuses(&pages)
    );
    let mut c = proxied(&app, "198.51.100.1, 10.0.0.9", None);
    let r = c.login(DESK, DEMO_PASSWORD).await;
    assert_eq!(r.status, 429, "the address is throttled whatever it claims");
    assert_eq!(
        count(
            &app.store,
            "SELECT COUNT(*) FROM login_failures WHERE ip = $1",
            "10.0.0.9"
        )
        .await,
        MAX_FAILURES_PER_ADDRESS
    );
    // The same account from another client behind the proxy signs in, and its login is
    // audited with its address.
    let mut c = proxied(&app, "203.0.113.1, 10.0.0.10", None);
    assert_eq!(c.login(DESK, DEMO_PASSWORD).await.status, 303);
    assert_eq!(
        audit_origins(&app.store, "user.login").await.last(),
        Some(&"10.0.0.10".to_string())
    );
}

/// Without a trusted proxy the forwarding headers are ignored: the client is the peer.
async fn without_trust_the_headers_are_ignored(backend: Backend) {
    let app = proxied_app(backend, 0).await;
    let created = audit_origins(&app.store, "proposal.create").await.len();
    let mut answers = Vec::new();
    for i in 0..3 {
        let c = proxied(&app, &format!("1.2.3.{i}, 10.0.0.{i}"), Some("https"));
        answers.push(api_submit(&c.http, &c.base, &format!("直接{i}")).await);
    }
    assert_eq!(answers[0].0, 201);
    assert_eq!(answers[1].0, 201);
    assert_api_rate_limited(answers[2].0, &answers[2].1);
    assert_eq!(
        &audit_origins(&app.store, "proposal.create").await[created..],
        ["127.0.0.1", "127.0.0.1"]
    );
    // X-Forwarded-Proto is not believed either: no Secure cookie on plain HTTP.
    let mut c = proxied(&app, "1.2.3.4", Some("https"));
    let cookie = csrf_cookie(&c.get("/login").await);
    assert!(!cookie.contains("Secure"), "{cookie}");
}

fn csrf_cookie(page: &Page) -> String {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("renkei_csrf="))
        .expect("csrf cookie")
        .to_string()
}

/// `X-Forwarded-Proto` is taken from the nearest trusted proxy.
async fn forwarded_proto_from_the_nearest_proxy(backend: Backend) {
    let app = proxied_app(backend, 1).await;
    for (proto, secure) in [
        ("https", true),
        ("HTTPS", true),
        ("http", false),
        ("https, http", false),
        ("http, https", true),
    ] {
        let mut c = proxied(&app, "10.0.0.7", Some(proto));
        let cookie = csrf_cookie(&c.get("/login").await);
        assert_eq!(cookie.contains("; Secure"), secure, "{proto}: {cookie}");
    }
}

on_both!(
    parallel_wrong_passwords_on_one_account,
    parallel_guesses_from_one_address,
    parallel_store_attempts,
    a_success_keeps_concurrent_failures,
    parallel_submissions_share_one_limit,
    behind_one_proxy_the_appended_hop_counts,
    without_trust_the_headers_are_ignored,
    forwarded_proto_from_the_nearest_proxy
);

// ---------------------------------------------------------------------------------------------
// RENKEI_TRUST_PROXY on the command line

const BIN: &str = env!("CARGO_BIN_EXE_renkei");

/// Starts `renkei serve` with this RENKEI_TRUST_PROXY; returns whether it came up (it is
/// stopped again) and everything it printed.
fn serve_with_trust_proxy(db: &TestDb, value: &str, extra: &[&str]) -> (bool, String) {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command, Stdio};
    let mut child = Command::new(BIN)
        .args(db.cli_args())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env("RENKEI_LOG", "warn")
        .env("RENKEI_CLOCK", renkei_testkit::TEST_EPOCH)
        .env("RENKEI_TRUST_PROXY", value)
        .env_remove("RENKEI_DATABASE_URL")
        .env_remove("RENKEI_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn renkei");
    let mut started = false;
    let mut out = String::new();
    if let Some(stdout) = child.stdout.take() {
        // The first line is the listening address, or nothing when start-up fails.
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        started = line.contains("Renkei listening");
        out.push_str(&line);
    }
    if started {
        let _ = child.kill();
    }
    let _ = child.wait();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut out);
    }
    (started, out)
}

async fn trust_proxy_setting(backend: Backend) {
    let db = TestDb::new(backend);
    for value in [
        "1", "0", "2", "true", "TRUE", "yes", "On", "off", "False", "no",
    ] {
        let (started, out) = serve_with_trust_proxy(&db, value, &[]);
        assert!(started, "RENKEI_TRUST_PROXY={value}: {out}");
    }
    for junk in ["junk", "-1", "11", "1.5", "y"] {
        let (started, out) = serve_with_trust_proxy(&db, junk, &[]);
        assert!(!started, "RENKEI_TRUST_PROXY={junk} started: {out}");
        assert!(out.contains("RENKEI_TRUST_PROXY"), "{junk}: {out}");
        assert!(out.contains("true/false"), "{junk}: {out}");
    }
    // The flag wins over the variable; alone it means one proxy.
    assert!(serve_with_trust_proxy(&db, "junk", &["--trust-proxy", "2"]).0);
    assert!(serve_with_trust_proxy(&db, "0", &["--trust-proxy"]).0);
    let help = std::process::Command::new(BIN)
        .args(["serve", "--help"])
        .output()
        .expect("help");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success());
    for needle in [
        "--trust-proxy",
        "RENKEI_TRUST_PROXY",
        "X-Forwarded-For",
        "true/false",
    ] {
        assert!(
            text.contains(needle),
            "{needle} missing from --help: {text}"
        );
    }
}

on_both!(trust_proxy_setting);
