//! Test kit: a fresh database per test on SQLite or PostgreSQL, the real server on port 0,
//! and an HTTP client that keeps cookies and knows the CSRF dance.
//!
//! Time is fixed: every test database reads a [`ManualClock`] that starts at [`test_epoch`]
//! (a Tuesday morning in Japan) and moves only when the test moves it, so no test depends on
//! the day, the hour or the time zone it runs in.
//!
//! PostgreSQL tests use `RENKEI_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`) to create one database per test; they are
//! never skipped. `scripts/test.sh` makes sure PostgreSQL is running.

pub mod openapi;
pub mod smtp;

use chrono::{DateTime, Utc};
use rand::Rng;
use renkei_store::Store;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

pub use renkei_domain::clock::ManualClock;

pub use renkei_store::Backend;

pub const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

fn random_suffix() -> String {
    let n: u64 = rand::thread_rng().r#gen();
    format!("{n:016x}")
}

/// The maintenance URL of the test PostgreSQL server.
pub fn pg_base_url() -> String {
    std::env::var("RENKEI_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.to_string())
}

/// Where demo data loaded before a server starts says the server is (links in its mails).
pub const DEMO_URL: &str = "http://127.0.0.1:8080";

/// [`test_epoch`] as the binary's `--clock` / `RENKEI_CLOCK` takes it, for tests that run
/// the binary.
pub const TEST_EPOCH: &str = "2026-11-24T10:00:00+09:00";

/// Where every test's clock starts: Tuesday 2026-11-24, 10:00 in Japan (01:00 UTC), the day
/// after a Monday holiday (勤労感謝の日), in fiscal year 2026 (令和8年度).
pub fn test_epoch() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(TEST_EPOCH)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

/// A database that exists for one test and is removed afterwards.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    /// The clock every store opened on this database reads (shared by "several servers").
    pub clock: Arc<ManualClock>,
    dir: Option<PathBuf>,
    pg_name: Option<String>,
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        let suffix = random_suffix();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("renkei-test-{suffix}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                Self {
                    url: format!("sqlite://{}?mode=rwc", dir.join("renkei.db").display()),
                    backend,
                    clock: Arc::new(ManualClock::new(test_epoch())),
                    dir: Some(dir),
                    pg_name: None,
                }
            }
            Backend::Postgres => {
                let base = pg_base_url();
                let name = format!("renkei_t_{suffix}");
                let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
                Self {
                    url: format!("{prefix}/{name}"),
                    backend,
                    clock: Arc::new(ManualClock::new(test_epoch())),
                    dir: None,
                    pg_name: Some(name),
                }
            }
        }
    }

    /// Creates, migrates and opens the database, on the test's clock.
    pub async fn open(&self) -> Store {
        Store::open(&self.url)
            .await
            .expect("open test database")
            .with_clock(self.clock.clone())
    }

    /// Creates the database and migrates it only up to `version`, on the test's clock: for a
    /// test that writes rows as an older schema had them and then runs a later migration.
    pub async fn open_at(&self, version: i64) -> Store {
        let store = Store::connect(&self.url)
            .await
            .expect("connect to the test database")
            .with_clock(self.clock.clone());
        renkei_store::migrate::run_until(&store, version)
            .await
            .unwrap_or_else(|e| panic!("migrate up to {version}: {e}"));
        store
    }

    /// Another handle with a pool of its own (a second app server), on the same clock.
    pub async fn open_another(&self) -> Store {
        self.open().await
    }

    /// Sets the test's clock to an instant.
    pub fn set(&self, at: chrono::DateTime<chrono::Utc>) {
        self.clock.set(at);
    }

    /// Sets the test's clock to a wall-clock time in Japan (RFC 3339 without offset, e.g.
    /// `2026-12-28T17:00:00`).
    pub fn set_jst(&self, local: &str) {
        let t = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S")
            .expect("a JST wall-clock time");
        self.clock.set((t - chrono::Duration::hours(9)).and_utc());
    }

    /// The data directory (SQLite only), for running the binary against it.
    pub fn data_dir(&self) -> Option<&PathBuf> {
        self.dir.as_ref()
    }

    /// Arguments that point the `renkei` binary at this database.
    pub fn cli_args(&self) -> Vec<String> {
        match (&self.dir, self.backend) {
            (Some(dir), Backend::Sqlite) => vec!["--data-dir".into(), dir.display().to_string()],
            _ => vec!["--database-url".into(), self.url.clone()],
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(name) = self.pg_name.take() {
            // Dropping needs async IO; do it on a thread of its own so Drop works inside
            // and outside a runtime.
            let base = pg_base_url();
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        use sqlx::Connection;
                        if let Ok(mut c) = sqlx::PgConnection::connect(&base).await {
                            let _ = sqlx::Executor::execute(
                                &mut c,
                                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str(),
                            )
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// `INSERT`s of a prefecture and, when given, one of its municipalities into `tenants` with
/// the columns every schema version has (a test that writes an older schema's rows). Each is
/// `(code, name, name in katakana)`; `ts` is both timestamps.
pub fn tenant_rows(
    ts: &str,
    prefecture: (&str, &str, &str),
    municipality: Option<(&str, &str, &str)>,
) -> Vec<String> {
    let (pcode, pname, pkana) = prefecture;
    let row = |code: &str, kind: &str, name: &str, kana: &str| {
        format!(
            "INSERT INTO tenants (code, kind, prefecture_code, prefecture_name, name, \
             prefecture_kana, name_kana, created_at, updated_at) \
             VALUES ('{code}', '{kind}', '{pcode}', '{pname}', '{name}', '{pkana}', '{kana}', '{ts}', '{ts}')"
        )
    };
    let mut rows = vec![row(pcode, "prefecture", pname, pkana)];
    if let Some((code, name, kana)) = municipality {
        rows.push(row(code, "municipality", name, kana));
    }
    rows
}

/// Runs each statement in turn (a test's rows written as an older schema had them); a failure
/// panics naming the statement.
pub async fn exec_all(store: &Store, statements: &[String]) {
    for sql in statements {
        sqlx::query(sql)
            .execute(store.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Gives a local government a desk account (`desk-{code}@test.renkei.jp`, created when the
/// tenant has none) and opens its desk for proposals, as its admin would. The tenant must
/// have been imported.
pub async fn open_desk(store: &Store, code: &str) {
    let tenant = renkei_domain::TenantCode::parse(code).expect("tenant code");
    let openness = store.desk_openness(tenant).await.expect("openness");
    if openness.desk_accounts == 0 {
        store
            .create_user(
                &renkei_store::Who::cli(),
                renkei_store::users::NewUser {
                    tenant: Some(tenant),
                    role: renkei_domain::Role::Desk,
                    email: renkei_domain::Email::parse(&format!("desk-{code}@test.renkei.jp"))
                        .expect("email"),
                    display_name: format!("デスク {code}"),
                    password: renkei_domain::Password::parse("desk-password-1234")
                        .expect("password"),
                    departments: vec![],
                },
                &mails(DEMO_URL),
            )
            .await
            .expect("desk account");
    }
    store
        .desk_open(&renkei_store::Who::cli(), tenant)
        .await
        .expect("open the desk");
}

/// The installation's one mailer, with links to `base`.
pub fn mails(base: &str) -> renkei_app::mailer::Mails {
    renkei_app::mailer::Mails::new(renkei_app::mailer::Links::new(base))
}

/// The real server on 127.0.0.1:0 with its own database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    pub db: Option<TestDb>,
    /// API answers that did not match the OpenAPI document ([`openapi`]); the test fails
    /// when the server is dropped with any.
    pub openapi_findings: openapi::Findings,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// A server on a fresh database.
    pub async fn spawn(backend: Backend) -> Self {
        let db = TestDb::new(backend);
        let store = db.open().await;
        let mut app = Self::start(store).await;
        app.db = Some(db);
        app
    }

    /// A server on a fresh database with the demo data loaded.
    pub async fn spawn_demo(backend: Backend) -> Self {
        let app = Self::spawn(backend).await;
        renkei_app::demo::load(&app.app()).await.expect("demo data");
        app
    }

    /// The application commands on this server's database, with mail links to this server
    /// (as the server's own commands make them).
    pub fn app(&self) -> renkei_app::App {
        renkei_app::App::new(self.store.clone(), &self.url(""))
    }

    /// A second server on the same database (as on a PostgreSQL deployment), on the same clock.
    pub async fn spawn_on(db: &TestDb) -> Self {
        Self::start(db.open_another().await).await
    }

    /// A second server on the same database with its own settings.
    pub async fn spawn_on_with(db: &TestDb, config: renkei_web::WebConfig) -> Self {
        Self::start_with(db.open_another().await, config).await
    }

    /// The test database and its clock (servers made by `spawn`/`spawn_demo`).
    pub fn db(&self) -> &TestDb {
        self.db
            .as_ref()
            .expect("a server spawned with its own test database")
    }

    pub async fn start(store: Store) -> Self {
        Self::start_with(store, renkei_web::WebConfig::default()).await
    }

    pub async fn start_with(store: Store, config: renkei_web::WebConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local addr");
        // Links in mail: the configured public URL, else this listener's address.
        let config = config.with_listen_addr(addr).expect("public URL");
        let state = renkei_web::AppState::new(store.clone(), config);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let findings = openapi::Findings::default();
        let checked = findings.clone();
        let handle = tokio::spawn(async move {
            let _ = renkei_web::serve_wrapped(
                listener,
                state,
                async move {
                    let _ = rx.await;
                },
                move |app| {
                    app.layer(axum::middleware::from_fn_with_state(
                        checked,
                        openapi::layer,
                    ))
                },
            )
            .await;
        });
        Self {
            addr,
            store,
            db: None,
            openapi_findings: findings,
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> Client {
        Client {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            base: format!("http://{}", self.addr),
            csrf: String::new(),
        }
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let findings = self
            .openapi_findings
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default();
        if !findings.is_empty() && !std::thread::panicking() {
            panic!(
                "{} API answer(s) did not match the OpenAPI document:\n{}",
                findings.len(),
                findings.join("\n")
            );
        }
    }
}

/// A response read whole.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Page {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Finds the CSRF token in a page's forms.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"_csrf\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

/// A browser: cookies, the CSRF token of the last form. A clone shares the cookies (the same
/// session), like a second tab.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    /// The CSRF token from the last page that had a form.
    pub csrf: String,
}

impl Client {
    async fn read(resp: reqwest::Response) -> Page {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let location = headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp.text().await.unwrap_or_default();
        Page {
            status,
            location,
            body,
            headers,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("GET");
        let page = Self::read(resp).await;
        if let Some(t) = csrf_in(&page.body) {
            self.csrf = t;
        }
        page
    }

    /// POSTs a form with the current CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        self.post_raw(path, &form).await
    }

    /// POSTs exactly these fields (no CSRF token added).
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .expect("POST");
        let page = Self::read(resp).await;
        if let Some(t) = csrf_in(&page.body) {
            self.csrf = t;
        }
        page
    }

    /// The intake's second step: given the answer to the intake form, opens its confirmation
    /// page (確認画面) and presses 送信する; returns the answer to that. Any other answer (the
    /// form again with errors, a refusal) comes back as it was.
    pub async fn confirm_intake(&mut self, answer: Page) -> Page {
        let Some(confirm) = answer
            .location
            .clone()
            .filter(|l| answer.status == 303 && l.contains("/propose/confirm/"))
        else {
            return answer;
        };
        let page = self.get(&confirm).await;
        assert_eq!(page.status, 200, "the confirmation page: {}", page.body);
        self.post(&confirm, &[]).await
    }

    /// Signs in through the login form; returns the answer to the POST.
    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        self.get("/login").await;
        self.post(
            "/login",
            &[("email", email), ("password", password), ("next", "")],
        )
        .await
    }

    /// A Bearer-token GET on the API.
    pub async fn api_get(&self, path: &str, token: Option<&str>) -> Page {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Self::read(req.send().await.expect("API GET")).await
    }
}

/// Runs the same test body on SQLite and on PostgreSQL: `on_both!(name, name2);` expects
/// `async fn name(backend: Backend)` in scope and makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::Backend::Postgres).await
                }
            }
        )*
    };
}
