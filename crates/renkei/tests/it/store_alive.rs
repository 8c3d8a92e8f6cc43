//! The dormancy sweep over the whole country: 100,000 partnerships in two local governments
//! with different periods, flagged in a few set-based statements, once — on both databases.

use renkei_domain::TenantCode;
use renkei_store::events::NoMail;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestDb, on_both};

const N: i64 = 100_000;

fn code(s: &str) -> TenantCode {
    TenantCode::parse(s).expect("code")
}

async fn seeded(db: &TestDb) -> Store {
    let store = db.open().await;
    let csv = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n";
    store
        .import_tenants(csv.as_bytes(), &Who::cli())
        .await
        .expect("import");
    store
}

async fn flagged(store: &Store, tenant: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM partnerships WHERE tenant_code = $1 AND dormancy_notified_on IS NOT NULL",
    )
    .bind(tenant)
    .fetch_one(store.pool())
    .await
    .expect("count")
}

async fn the_sweep_covers_the_country_in_seconds(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    // 岸和田市 keeps 12 months; 大阪府 sets 3. The clock stands at 2026-11-24.
    store
        .dormancy_months_set(code("270008"), 3, &Who::cli())
        .await
        .expect("months");
    assert!(
        store
            .dormancy_months_set(code("270008"), 61, &Who::cli())
            .await
            .is_err()
    );
    assert_eq!(store.dormancy_months(code("270008")).await.expect("m"), 3);
    // Even i: 岸和田市, odd: 大阪府. i % 3 = 0: last activity in 2024 (dormant for both);
    // 1: June 2026 (dormant for 3 months only); 2: this month (alive).
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {N}) \
         INSERT INTO partnerships (tenant_code, form, status, title, purpose, summary, city_role, route, \
         auto_renew, fiscal_justification, published, last_activity_on, created_by, created_at, updated_at) \
         SELECT CASE WHEN i % 2 = 0 THEN '272027' ELSE '270008' END, 'business', 'active', 'P' || i, '', '', '', '', \
         0, '', 0, CASE WHEN i % 3 = 0 THEN '2024-01-01' WHEN i % 3 = 1 THEN '2026-06-01' ELSE '2026-11-01' END, \
         'test', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM n"
    ))
    .execute(store.pool())
    .await
    .expect("insert");
    let expect_k = (1..=N).filter(|i| i % 2 == 0 && i % 3 == 0).count();
    let expect_o = (1..=N).filter(|i| i % 2 == 1 && i % 3 != 2).count();
    let started = std::time::Instant::now();
    let r = store.dormancy_sweep(&NoMail).await.expect("sweep");
    let took = started.elapsed();
    assert_eq!(r.flagged, expect_k + expect_o);
    assert_eq!(r.tenants, 2);
    assert_eq!(flagged(&store, "272027").await as usize, expect_k);
    assert_eq!(flagged(&store, "270008").await as usize, expect_o);
    // Seconds, not minutes, even in a debug build on a shared machine.
    assert!(took.as_secs() < 60, "the sweep took {took:?}");
    eprintln!("dormancy sweep over {N} partnerships: {took:?}");
    // Once: a second sweep flags nothing.
    let again = store.dormancy_sweep(&NoMail).await.expect("sweep");
    assert_eq!(again.flagged, 0);
    let events: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM partnership_events WHERE kind = 'dormant'")
            .fetch_one(store.pool())
            .await
            .expect("events");
    assert_eq!(events as usize, expect_k + expect_o);
    let audit = store.audit_recent("272027", 100_000).await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "partnership.dormant"));
    assert!(
        store
            .audit_recent("270008", 100)
            .await
            .expect("audit")
            .iter()
            .any(|e| e.action == "settings.dormancy")
    );
}

/// `renkei dormancy sweep` runs the sweep once and says how many and how long; without a
/// public address for the links it refuses.
async fn the_cli_sweeps_once(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    sqlx::query(
        "INSERT INTO partnerships (tenant_code, form, status, title, purpose, summary, city_role, route, \
         auto_renew, fiscal_justification, published, last_activity_on, created_by, created_at, updated_at) \
         VALUES ('272027', 'business', 'active', '休眠', '', '', '', '', 0, '', 0, '2024-01-01', 'test', \
         '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
    )
    .execute(store.pool())
    .await
    .expect("insert");
    store.close().await;
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(db.cli_args())
            .args(["dormancy", "sweep"])
            .args(extra)
            .env("RENKEI_LOG", "warn")
            .env("RENKEI_CLOCK", renkei_testkit::TEST_EPOCH)
            .env_remove("RENKEI_DATABASE_URL")
            .env_remove("RENKEI_DATA_DIR")
            .env_remove("RENKEI_PUBLIC_URL")
            .output()
            .expect("run renkei")
    };
    let refused = run(&[]);
    assert!(!refused.status.success());
    let first = run(&["--public-url", "https://renkei.example.jp"]);
    let out = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        first.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(out.contains("1 partnership(s) flagged dormant"), "{out}");
    assert!(out.contains(" s"), "{out}");
    let second = run(&["--public-url", "https://renkei.example.jp"]);
    let out = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(out.contains("0 partnership(s) flagged dormant"), "{out}");
}

on_both!(the_sweep_covers_the_country_in_seconds, the_cli_sweeps_once);
