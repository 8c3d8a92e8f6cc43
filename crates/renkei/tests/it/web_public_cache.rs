//! The public answer cache (`renkei_web::public_cache`), on both databases: a public page is
//! answered from what was kept while nothing it shows has changed, and afresh at once after a
//! change; every visitor gets their own CSRF token in a kept page; a signed-in visitor is never
//! served a kept page; another app server sees a change within its poll interval, and at once
//! after a write request it served itself.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{
    Activity, ActivityInput, Partnership, PartnershipInput, PartnershipStatus, PartyInput,
};
use renkei_store::Who;
use renkei_store::partnerships::NewPartnership;
use renkei_testkit::{Backend, Client, TestApp, csrf_in, on_both};
use std::time::Duration;

const K: &str = "272027";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

/// How many public answers this server gave from its cache (`outcome` hit) or kept (miss).
async fn cache_count(app: &TestApp, outcome: &str) -> i64 {
    let m = app.client().get("/metrics").await;
    assert_eq!(m.status, 200);
    let prefix = format!("renkei_public_cache_total{{outcome=\"{outcome}\"}} ");
    m.body
        .lines()
        .find_map(|l| l.strip_prefix(prefix.as_str()))
        .map(|n| n.trim().parse().expect("a count"))
        .unwrap_or(0)
}

/// The id of one of 岸和田市's published cases in the demo data.
async fn a_case(app: &TestApp) -> i64 {
    let v = app
        .client()
        .get(&format!("/api/v1/cases?tenant={K}"))
        .await
        .json();
    v["items"][0]["id"]
        .as_i64()
        .expect("a demo case of 岸和田市")
}

async fn publish(app: &TestApp, title: &str) -> i64 {
    app.store
        .partnership_create(
            k(),
            &NewPartnership {
                record: Partnership::parse(&PartnershipInput {
                    form: "comprehensive".into(),
                    title: title.into(),
                    purpose: "目的".into(),
                    summary: "概要".into(),
                    parties: vec![PartyInput {
                        name: "株式会社キャッシュ確認".into(),
                        party_type: "company".into(),
                        ..Default::default()
                    }],
                    fields: vec!["disaster".into()],
                    signed_on: "2026-10-01".into(),
                    published: true,
                    ..Default::default()
                })
                .expect("valid"),
                proposal_id: None,
                status: PartnershipStatus::Active,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("create")
}

async fn feedback(visitor: &mut Client, case: i64) -> u16 {
    visitor
        .post(
            &format!("/t/{K}/partnerships/{case}/public"),
            &[("rating", "4"), ("comment", "参考になりました")],
        )
        .await
        .status
}

on_both!(a_public_answer_is_kept_until_what_it_shows_changes);
async fn a_public_answer_is_kept_until_what_it_shows_changes(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let id = a_case(&app).await;
    let case = format!("/t/{K}/cases/{id}");
    let mut visitor = app.client();
    let first = visitor.get(&case).await;
    assert_eq!(first.status, 200);
    let hits = cache_count(&app, "hit").await;
    let again = visitor.get(&case).await;
    assert_eq!(again.body, first.body);
    assert_eq!(
        cache_count(&app, "hit").await,
        hits + 1,
        "the second visit is kept"
    );

    // An activity recorded (through the store, as any app server would) shows at once.
    let activity = Activity::parse(
        &ActivityInput {
            done_on: "2026-11-20".into(),
            title: "公開キャッシュ確認の活動".into(),
            ..Default::default()
        },
        app.store.today(),
    )
    .expect("activity");
    app.store
        .activity_add(k(), id, &activity, &Who::cli())
        .await
        .expect("activity");
    let after = visitor.get(&case).await;
    assert!(after.body.contains("公開キャッシュ確認の活動"));

    // Another visitor is served the kept page with their own token, which works.
    let mut other = app.client();
    let hits = cache_count(&app, "hit").await;
    let theirs = other.get(&case).await;
    assert_eq!(cache_count(&app, "hit").await, hits + 1);
    let (mine, their_token) = (
        csrf_in(&after.body).expect("a token"),
        csrf_in(&theirs.body).expect("a token"),
    );
    assert_ne!(mine, their_token);
    assert!(!theirs.body.contains(&mine), "nobody gets another's token");
    assert_eq!(theirs.body.replace(&their_token, &mine), after.body);
    assert_eq!(feedback(&mut other, id).await, 303);
    assert_eq!(feedback(&mut visitor, id).await, 303);

    // A signed-in visitor gets their own page (their name, the sign-out form), not a kept one.
    let mut desk = app.client();
    assert_eq!(desk.login(DESK, DEMO_PASSWORD).await.status, 303);
    let hits = cache_count(&app, "hit").await;
    let signed_in = desk.get(&case).await;
    assert_eq!(signed_in.status, 200);
    assert!(signed_in.body.contains("action=\"/logout\""));
    assert!(!after.body.contains("action=\"/logout\""));
    assert_eq!(cache_count(&app, "hit").await, hits);
    // …and a visitor after them still gets the visitor's page.
    let later = app.client().get(&case).await;
    assert!(!later.body.contains("action=\"/logout\""));
}

on_both!(a_missed_page_is_made_once_for_visitors_asking_at_once);
/// Sixteen visitors ask for a page nobody has asked for yet, all at the same moment: it is
/// made once (one miss) and the fifteen others are given that answer, each with their own
/// token. Without the flights every one of them made it (sixteen misses).
async fn a_missed_page_is_made_once_for_visitors_asking_at_once(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let id = a_case(&app).await;
    let case = format!("/t/{K}/cases/{id}");
    let misses = cache_count(&app, "miss").await;
    let hits = cache_count(&app, "hit").await;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(16));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let mut visitor = app.client();
        let (barrier, case) = (barrier.clone(), case.clone());
        set.spawn(async move {
            barrier.wait().await;
            visitor.get(&case).await
        });
    }
    let mut pages = Vec::new();
    while let Some(page) = set.join_next().await {
        pages.push(page.expect("a visitor"));
    }
    let first = &pages[0];
    let first_token = csrf_in(&first.body).expect("a token");
    for page in &pages {
        assert_eq!(page.status, 200);
        let token = csrf_in(&page.body).expect("a token");
        assert_eq!(page.body.replace(&token, &first_token), first.body);
    }
    assert_eq!(cache_count(&app, "miss").await, misses + 1, "made once");
    assert_eq!(cache_count(&app, "hit").await, hits + 15);
}

on_both!(another_server_sees_a_change_within_its_interval);
async fn another_server_sees_a_change_within_its_interval(backend: Backend) {
    let a = TestApp::spawn_demo(backend).await;
    let slow = TestApp::spawn_on_with(
        a.db(),
        renkei_web::WebConfig {
            public_cache_poll: Duration::from_secs(3600),
            ..Default::default()
        },
    )
    .await;
    let register = format!("/t/{K}/agreements");
    let national = format!("/cases?q={}", "ポーリング確認");
    let case = a_case(&a).await;
    let mut visitor = slow.client();
    let national_before = visitor.get(&national).await;
    assert!(!national_before.body.contains("ポーリング確認の協定"));
    assert_eq!(
        visitor.get(&format!("/t/{K}/cases/{case}")).await.status,
        200
    );
    let before = visitor.get(&register).await;
    assert_eq!(before.status, 200);
    assert!(!before.body.contains("ポーリング確認の協定"));

    publish(&a, "ポーリング確認の協定").await;
    assert!(
        a.client()
            .get(&register)
            .await
            .body
            .contains("ポーリング確認の協定"),
        "the server that polls on every request shows it at once"
    );
    // Within its hour, the other server answers from what it kept without reading anything.
    let hits = cache_count(&slow, "hit").await;
    assert_eq!(visitor.get(&register).await.body, before.body);
    assert_eq!(cache_count(&slow, "hit").await, hits + 1);
    // A write it serves itself (a visitor's feedback) makes it read the versions again.
    assert_eq!(feedback(&mut visitor, case).await, 303);
    assert!(
        visitor
            .get(&register)
            .await
            .body
            .contains("ポーリング確認の協定")
    );
    // A national page is kept for its minute whatever changes, then made afresh.
    assert_eq!(visitor.get(&national).await.body, national_before.body);
    a.db().clock.advance(chrono::Duration::seconds(61));
    assert!(
        visitor
            .get(&national)
            .await
            .body
            .contains("ポーリング確認の協定")
    );
    slow.stop().await;

    // With a short interval, the change shows once the interval has passed.
    let quick = TestApp::spawn_on_with(
        a.db(),
        renkei_web::WebConfig {
            public_cache_poll: Duration::from_millis(200),
            ..Default::default()
        },
    )
    .await;
    let mut visitor = quick.client();
    assert!(
        !visitor
            .get(&register)
            .await
            .body
            .contains("二つ目の確認協定")
    );
    publish(&a, "二つ目の確認協定").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        visitor
            .get(&register)
            .await
            .body
            .contains("二つ目の確認協定")
    );
    quick.stop().await;
}

on_both!(the_intake_form_is_kept_but_never_a_visitors_draft);
async fn the_intake_form_is_kept_but_never_a_visitors_draft(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let form = format!("/t/{K}/propose");
    let first = app.client().get(&form).await;
    assert_eq!(first.status, 200);

    // The next visitor is answered from the cache, with a token of their own that works.
    let mut visitor = app.client();
    let hits = cache_count(&app, "hit").await;
    let answer =
        super::web_proposals::propose_form(&mut visitor, "キャッシュされた様式から", None, &[])
            .await;
    assert_eq!(
        cache_count(&app, "hit").await,
        hits + 1,
        "the form was kept"
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    let confirm = answer.location.clone().expect("to the confirmation page");
    let draft = confirm.rsplit('/').next().expect("token").to_string();

    // Back from the confirmation page, the form shows what this visitor typed: never kept,
    // however the parameter is spelled.
    for query in [format!("draft={draft}"), format!("dr%61ft={draft}")] {
        let hits = cache_count(&app, "hit").await;
        for _ in 0..2 {
            let back = visitor.get(&format!("{form}?{query}")).await;
            assert_eq!(back.status, 200);
            assert!(back.body.contains("value=\"キャッシュされた様式から\""));
        }
        assert_eq!(cache_count(&app, "hit").await, hits, "{query}");
    }

    // Closing the desk shows at once on the kept form.
    app.store
        .desk_close(&Who::cli(), k())
        .await
        .expect("close the desk");
    let closed = app.client().get(&form).await;
    assert_eq!(closed.status, 200);
    assert!(closed.body.contains("現在、提案を受け付けていません"));
    assert!(
        !closed.body.contains("name=\"org_name\""),
        "no form once closed"
    );
}
