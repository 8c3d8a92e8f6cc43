//! `renkei bench-data`: the generated data set is what the application would have written.

use renkei_store::proposals::InboxFilter;
use renkei_testkit::{Backend, TestApp, TestDb, on_both};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_renkei");

fn run(db: &TestDb, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(db.cli_args())
        .args(args)
        .env("RENKEI_LOG", "warn")
        .env("RENKEI_CLOCK", renkei_testkit::TEST_EPOCH)
        .env_remove("RENKEI_DATABASE_URL")
        .env_remove("RENKEI_DATA_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run renkei")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn count(store: &renkei_store::Store, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .expect(sql)
        .try_get("n")
        .expect("n")
}

async fn bench_data_writes_what_the_app_reads(backend: Backend) {
    let db = TestDb::new(backend);
    let out = run(&db, &["bench-data", "--scale", "300", "--seed", "7"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("300 proposals"), "{}", text(&out));

    let store = db.open().await;
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM proposals").await,
        300
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM tenants").await,
        1788
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(DISTINCT tenant_code) AS n FROM departments"
        )
        .await,
        1788
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM proposals WHERE tenant_code = '141003'"
        )
        .await
            >= 60
    );
    // Every proposal has its timeline and its audit entries.
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM proposals p WHERE NOT EXISTS \
             (SELECT 1 FROM proposal_events e WHERE e.proposal_id = p.id AND e.kind = 'submitted')"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'proposal.create'"
        )
        .await,
        300
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'proposal.read'"
        )
        .await
            > 300
    );
    // Closed and open proposals both.
    assert!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM proposals WHERE closed_at IS NOT NULL"
        )
        .await
            > 100
    );
    let report = store.audit_verify().await.expect("verify");
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    assert!(report.chains >= 1788, "{} chains", report.chains);

    // The store reads every generated proposal of the focus tenant back.
    let code = renkei_domain::TenantCode::parse("141003").expect("code");
    let (listed, total) = store
        .inbox(
            code,
            &InboxFilter {
                statuses: [
                    "received",
                    "hearing",
                    "coordinating",
                    "decided",
                    "declined",
                    "withdrawn",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                per_page: 200,
                page: 0,
                ..InboxFilter::default()
            },
        )
        .await
        .expect("inbox");
    assert!(total >= 60 && !listed.is_empty(), "{total}");
    for p in &listed {
        let again = store
            .proposal(code, &p.receipt_number)
            .await
            .expect("proposal page query");
        assert_eq!(again.id, p.id);
        store.proposal_events(p.id, false).await.expect("timeline");
        store.routings(p.id).await.expect("routings");
        store.hearings(p.id).await.expect("hearings");
        store.proposal_messages(p.id).await.expect("messages");
    }
    // The search index was built: a two-character word finds what a full scan finds.
    let like = count(
        &store,
        "SELECT COUNT(*) AS n FROM proposals WHERE tenant_code = '141003' AND search_text LIKE '%防災%'",
    )
    .await;
    let (_, found) = store
        .inbox(
            code,
            &InboxFilter {
                q: Some("防災".into()),
                per_page: 10,
                ..InboxFilter::default()
            },
        )
        .await
        .expect("search");
    assert!(like > 0, "the generated text mentions 防災");
    assert_eq!(found, like);
    let decided = listed
        .iter()
        .find(|p| p.status.is_closed())
        .expect("a closed proposal");

    // Partnerships: one per five proposals in each local government (rounded up), each with
    // its parties, timeline and audit entry; activities move the last day of activity.
    let mut expected = 0;
    for r in sqlx::query("SELECT COUNT(*) AS n FROM proposals GROUP BY tenant_code")
        .fetch_all(store.pool())
        .await
        .expect("per tenant")
    {
        let n: i64 = sqlx::Row::try_get(&r, "n").expect("n");
        expected += (n + 4) / 5;
    }
    let partnerships = count(&store, "SELECT COUNT(*) AS n FROM partnerships").await;
    assert_eq!(partnerships, expected);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'partnership.create'"
        )
        .await,
        partnerships
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM partnerships p WHERE NOT EXISTS \
             (SELECT 1 FROM partnership_parties x WHERE x.partnership_id = p.id) \
             OR NOT EXISTS (SELECT 1 FROM partnership_events e WHERE e.partnership_id = p.id)"
        )
        .await,
        0
    );
    assert!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM partnerships WHERE proposal_id IS NOT NULL"
        )
        .await
            > 0,
        "some realise decided proposals"
    );
    let activities = count(&store, "SELECT COUNT(*) AS n FROM activities").await;
    assert!(activities > partnerships, "{activities} activities");
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'partnership.activity'"
        )
        .await,
        activities
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) AS n FROM partnerships p WHERE COALESCE(p.last_activity_on, '') <> \
             COALESCE((SELECT MAX(a.done_on) FROM activities a WHERE a.partnership_id = p.id), '')"
        )
        .await,
        0
    );
    let published = count(
        &store,
        "SELECT COUNT(*) AS n FROM partnerships WHERE published = 1",
    )
    .await;
    assert!(
        published * 100 >= partnerships * 35 && published * 100 <= partnerships * 85,
        "{published} of {partnerships} published"
    );
    // The public case library indexed every published partnership signed or ended.
    let cases = count(
        &store,
        "SELECT COUNT(*) AS n FROM partnerships WHERE published = 1 AND status IN ('active', 'ended')",
    )
    .await;
    assert!(cases > 0);
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM public_cases").await,
        cases
    );
    let all = store
        .cases_search(&renkei_store::cases::CaseQuery::default())
        .await
        .expect("case search");
    assert_eq!(all.total, cases);
    let (plist, ptotal) = store
        .partnerships(
            code,
            &renkei_store::partnerships::PartnershipFilter {
                per_page: 500,
                ..Default::default()
            },
        )
        .await
        .expect("partnership list");
    assert!(ptotal >= 12 && plist.len() as i64 == ptotal, "{ptotal}");
    for p in &plist {
        let detail = store.partnership(code, p.id).await.expect("partnership");
        assert_eq!(&detail.summary, p);
        store.activities(code, p.id, 100).await.expect("activities");
    }
    // The identity sequences moved past the loaded ids: a new partnership gets a fresh one.
    let fresh = store
        .partnership_create(
            code,
            &renkei_store::partnerships::NewPartnership {
                record: renkei_domain::partnership::Partnership::parse(
                    &renkei_domain::partnership::PartnershipInput {
                        form: "comprehensive".into(),
                        title: "包括連携協定（新規）".into(),
                        parties: vec![renkei_domain::partnership::PartyInput {
                            name: "株式会社あたらしい".into(),
                            party_type: "company".into(),
                            ..Default::default()
                        }],
                        ..Default::default()
                    },
                )
                .expect("valid"),
                proposal_id: None,
                status: renkei_domain::partnership::PartnershipStatus::Preparing,
                last_activity_on: None,
                origin: "created",
            },
            &renkei_store::Who::cli(),
        )
        .await
        .expect("a partnership after the load");
    assert!(plist.iter().all(|p| p.id < fresh));

    // The refusal: a database with proposals is left alone.
    let again = run(&db, &["bench-data", "--scale", "10"]);
    assert!(!again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("すでに提案"), "{}", text(&again));
    assert!(
        text(&again).contains("already holds 300"),
        "{}",
        text(&again)
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM proposals").await,
        300
    );

    // Through the running server: sign in at the desk, open the inbox and a proposal.
    let app = TestApp::spawn_on(&db).await;
    let mut c = app.client();
    let r = c
        .login(
            "desk@t141003.bench.example",
            renkei_app::bench_data::PASSWORD,
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let inbox = c.get("/t/141003/desk/proposals").await;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    let page = c
        .get(&format!(
            "/t/141003/desk/proposals/{}",
            decided.receipt_number
        ))
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&decided.title), "title missing");
    // The reads the server recorded continue the generated chain.
    let report = store.audit_verify().await.expect("verify");
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    app.stop().await;
    let verify = run(&db, &["audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
}

on_both!(bench_data_writes_what_the_app_reads);
