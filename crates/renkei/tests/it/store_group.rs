//! Submissions that arrive together share one commit on SQLite (crates/store/src/group.rs);
//! each is still all-or-nothing and answered only once durable. The same test runs on
//! PostgreSQL, where each submission has a transaction of its own.

use renkei_domain::TenantCode;
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_store::proposals::NewProposal;
use renkei_store::{Store, StoreError, Who};
use renkei_testkit::{Backend, TestDb, on_both};
use std::collections::BTreeSet;

const CSV: &str = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n";

fn proposal(title: &str, ip: &str) -> NewProposal {
    let input = IntakeInput {
        kind: "proposal".into(),
        org_name: "株式会社まとめて".into(),
        partner_type: "company".into(),
        corporate_number: String::new(),
        contact_name: "連携 太郎".into(),
        email: "taro@example.co.jp".into(),
        phone: String::new(),
        title: title.into(),
        summary: "同時に届いた提案".into(),
        details: String::new(),
        fields: vec!["disaster".into()],
        offers: vec![],
        expected_effects: String::new(),
        fiscal_burden: "none".into(),
        fiscal_explanation: String::new(),
        publication_consent: false,
        ..IntakeInput::default()
    };
    NewProposal {
        intake: Intake::parse(&input).expect("valid"),
        route: Route::Free,
        attachments: vec![],
        proponent_user_id: None,
        ip: Some(ip.into()),
        lang: Default::default(),
        privacy_consented: true,
        draft_token: None,
    }
}

async fn concurrent_submissions_share_commits_and_stay_whole(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    store
        .import_tenants(CSV.as_bytes(), &Who::cli())
        .await
        .expect("import");
    renkei_testkit::open_desk(&store, "272027").await;
    let k = TenantCode::parse("272027").expect("code");
    // 60 at once: 40 from distinct addresses, 20 from one address limited to 5 an hour.
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store: Store = store.clone();
        let ip = if i % 3 == 0 {
            "203.0.113.9".to_string()
        } else {
            format!("198.51.100.{i}")
        };
        tasks.push(tokio::spawn(async move {
            let r = store
                .proposal_submit_limited(
                    k,
                    proposal(&format!("同時提案{i}"), &ip),
                    &Who::cli(),
                    &renkei_store::events::NoMail,
                    5,
                )
                .await;
            (i, r)
        }));
    }
    let mut accepted = BTreeSet::new();
    let mut limited = 0;
    for t in tasks {
        let (i, r) = t.await.expect("task");
        match r {
            Ok(s) => {
                assert!(
                    accepted.insert(s.receipt_number.clone()),
                    "{i}: duplicate receipt"
                );
            }
            Err(StoreError::RateLimited) => {
                assert_eq!(i % 3, 0, "{i}: only the busy address is limited");
                limited += 1;
            }
            Err(e) => panic!("{i}: {e:?}"),
        }
    }
    assert_eq!((accepted.len(), limited), (45, 15));
    match (backend, store.group_stats()) {
        (Backend::Sqlite, Some((commits, members))) => {
            // Refused members are counted in their group too.
            assert_eq!(members, 60);
            assert!(
                commits < 45,
                "{commits} commits for 45 submissions: none shared"
            );
        }
        (Backend::Postgres, None) => {}
        other => panic!("{other:?}"),
    }
    // Every acknowledged receipt is there, and nothing of the refused ones.
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT receipt_number FROM proposals WHERE tenant_code = '272027'")
            .fetch_all(store.pool())
            .await
            .expect("rows");
    let stored: BTreeSet<String> = rows.into_iter().map(|r| r.0).collect();
    assert_eq!(stored, accepted);
    let logged: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM intake_log WHERE ip = '203.0.113.9'")
        .fetch_one(store.pool())
        .await
        .expect("log");
    assert_eq!(logged.0, 5, "refused submissions leave no log entry");
    let report = store.audit_verify().await.expect("verify");
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    // A fresh handle (another process) sees them all: they were committed.
    let other = Store::connect(&db.url).await.expect("connect");
    let n: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM proposals")
        .fetch_one(other.pool())
        .await
        .expect("count");
    assert_eq!(n.0, 45);
}

/// A member dropped before it finished (its request was cancelled) takes its open group down
/// with it; nothing half-written is committed, and the next submission starts afresh.
async fn a_cancelled_member_commits_nothing(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    store
        .import_tenants(CSV.as_bytes(), &Who::cli())
        .await
        .expect("import");
    renkei_testkit::open_desk(&store, "272027").await;
    let before: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM intake_log")
        .fetch_one(store.pool())
        .await
        .expect("count");
    {
        let mut member = store.write_grouped().await.expect("member");
        sqlx::query(
            "INSERT INTO intake_log (ip, at) VALUES ('192.0.2.1', '2026-11-24T00:00:00.000Z')",
        )
        .execute(member.conn())
        .await
        .expect("write");
        // Dropped here without finish.
    }
    let k = TenantCode::parse("272027").expect("code");
    store
        .proposal_submit_limited(
            k,
            proposal("その後の提案", "192.0.2.2"),
            &Who::cli(),
            &renkei_store::events::NoMail,
            5,
        )
        .await
        .expect("next submission");
    let after: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM intake_log")
        .fetch_one(store.pool())
        .await
        .expect("count");
    assert_eq!(
        after.0,
        before.0 + 1,
        "only the finished submission is logged"
    );
}

/// A refused submission that was last in line still closes its group: the next submission
/// starts a transaction of its own, at its own time (a group left open would keep the write
/// lock and hand the next submission an old clock reading).
async fn a_refused_last_member_closes_the_group(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    store
        .import_tenants(CSV.as_bytes(), &Who::cli())
        .await
        .expect("import");
    renkei_testkit::open_desk(&store, "272027").await;
    let k = TenantCode::parse("272027").expect("code");
    let submit = |title: &'static str| {
        let store = store.clone();
        async move {
            store
                .proposal_submit_limited(
                    k,
                    proposal(title, "192.0.2.7"),
                    &Who::cli(),
                    &renkei_store::events::NoMail,
                    1,
                )
                .await
        }
    };
    submit("一件目").await.expect("first");
    assert!(matches!(
        submit("二件目").await,
        Err(StoreError::RateLimited)
    ));
    // Other writers are not kept waiting behind a group left open.
    tokio::time::timeout(std::time::Duration::from_secs(5), store.write())
        .await
        .expect("the write lock is free")
        .expect("write");
    db.clock.advance(chrono::Duration::minutes(61));
    submit("一時間後").await.expect("an hour later");
}

on_both!(
    a_refused_last_member_closes_the_group,
    concurrent_submissions_share_commits_and_stay_whole,
    a_cancelled_member_commits_nothing
);
