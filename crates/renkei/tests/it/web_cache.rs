//! The read caches of the desk's home, the dashboard, the partnership list and a
//! partnership's page (`renkei_web::cache`): two app servers on one database, each with its
//! own caches. A change committed through one is on the other's next page at once; the day turning over in Japan
//! changes what is dormant without any change; and a cached page is still checked per
//! viewer — on both databases.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{
    Activity, ActivityInput, Partnership, PartnershipInput, PartnershipStatus, PartyInput,
};
use renkei_store::Who;
use renkei_store::partnerships::NewPartnership;
use renkei_testkit::{Backend, Client, TestApp, on_both};

const K: &str = "272027";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
/// Another local government's desk (川崎市).
const OTHER_DESK: &str = "desk@kawasaki.demo.renkei.jp";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    assert_eq!(c.login(email, DEMO_PASSWORD).await.status, 303, "{email}");
    c
}

/// The number a dashboard figure linking to `href` shows.
fn figure(html: &str, href: &str) -> i64 {
    let at = html
        .find(&format!("href=\"{href}\">"))
        .unwrap_or_else(|| panic!("no figure linking to {href}"));
    let rest = &html[at + href.len() + 8..];
    rest[..rest.find('件').expect("件")]
        .replace(',', "")
        .parse()
        .expect("a number")
}

on_both!(a_change_through_one_server_shows_on_the_other_at_once);
async fn a_change_through_one_server_shows_on_the_other_at_once(backend: Backend) {
    let a = TestApp::spawn_demo(backend).await;
    let b = TestApp::spawn_on(a.db()).await;
    let mut on_a = signed_in(&a, DESK).await;
    let mut on_b = signed_in(&b, DESK).await;
    let dashboard = format!("/t/{K}/desk/dashboard");
    let active = format!("/t/{K}/partnerships?status=active");
    let active_link = active.replace('&', "&amp;");

    // B reads (and keeps) the dashboard and the list of active agreements; reading them
    // again changes nothing.
    let before = figure(&on_b.get(&dashboard).await.body, &active_link);
    let list = on_b.get(&active).await;
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("キャッシュ確認の協定"));
    assert_eq!(
        figure(&on_b.get(&dashboard).await.body, &active_link),
        before
    );

    // A new agreement, committed through server A's command.
    let id = a
        .store
        .partnership_create(
            k(),
            &NewPartnership {
                record: Partnership::parse(&PartnershipInput {
                    form: "comprehensive".into(),
                    title: "キャッシュ確認の協定".into(),
                    purpose: "目的".into(),
                    summary: "概要".into(),
                    parties: vec![PartyInput {
                        name: "株式会社キャッシュ".into(),
                        party_type: "company".into(),
                        ..Default::default()
                    }],
                    fields: vec!["disaster".into()],
                    signed_on: "2026-10-01".into(),
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
        .expect("create");
    assert_eq!(
        figure(&on_b.get(&dashboard).await.body, &active_link),
        before + 1,
        "B's dashboard counts the new agreement at once"
    );
    assert!(
        on_b.get(&active)
            .await
            .body
            .contains("キャッシュ確認の協定"),
        "B's list shows it at once"
    );
    let page = format!("/t/{K}/partnerships/{id}");
    assert!(!on_b.get(&page).await.body.contains("キャッシュ後の活動"));

    // An activity recorded through A's page is on B's page of the agreement at once.
    let activity = Activity::parse(
        &ActivityInput {
            done_on: "2026-11-20".into(),
            title: "キャッシュ後の活動".into(),
            ..Default::default()
        },
        a.store.today(),
    )
    .expect("activity");
    a.store
        .activity_add(k(), id, &activity, &Who::cli())
        .await
        .expect("activity");
    assert!(on_b.get(&page).await.body.contains("キャッシュ後の活動"));
    assert!(on_a.get(&page).await.body.contains("キャッシュ後の活動"));

    // Cached or not, another local government's desk is refused the same pages.
    let mut other = signed_in(&b, OTHER_DESK).await;
    for path in [&dashboard, &active, &page] {
        assert_eq!(other.get(path).await.status, 403, "{path}");
    }
    b.stop().await;
}

on_both!(the_desk_home_shows_a_change_through_the_other_server_at_once);
async fn the_desk_home_shows_a_change_through_the_other_server_at_once(backend: Backend) {
    let a = TestApp::spawn_demo(backend).await;
    let b = TestApp::spawn_on(a.db()).await;
    let mut on_b = signed_in(&b, DESK).await;
    let home = format!("/t/{K}/desk");
    // B reads (and keeps) the desk's home twice.
    for _ in 0..2 {
        let page = on_b.get(&home).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("キャッシュ確認課"));
    }
    // A department added through server A is on B's home at once.
    a.store
        .department_create(
            &Who::cli(),
            k(),
            &renkei_domain::DepartmentName::parse("キャッシュ確認課").expect("name"),
        )
        .await
        .expect("department");
    assert!(on_b.get(&home).await.body.contains("キャッシュ確認課"));
    // Kept or not, another local government's desk is refused it.
    let mut other = signed_in(&b, OTHER_DESK).await;
    assert_eq!(other.get(&home).await.status, 403);
    b.stop().await;
}

on_both!(dormancy_moves_with_the_day_without_any_change);
async fn dormancy_moves_with_the_day_without_any_change(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut desk = signed_in(&app, DESK).await;
    let dashboard = format!("/t/{K}/desk/dashboard");
    let dormant = format!("/t/{K}/partnerships?dormant=1");
    let before = figure(&desk.get(&dashboard).await.body, &dormant);
    let listed = desk.get(&dormant).await.body;
    // Two years on, with nothing written in between, more agreements are dormant: the
    // cached figures are not used on another day.
    app.db().set(app.store.now() + chrono::Duration::days(730));
    // (The session has expired by then: sign in again; the caches are the server's.)
    let mut desk = signed_in(&app, DESK).await;
    let after = figure(&desk.get(&dashboard).await.body, &dormant);
    assert!(after > before, "dormant {before} → {after}");
    assert_ne!(desk.get(&dormant).await.body, listed);
}

/// A well-formed code (大阪府, check digit 4) that no local government has.
const UNKNOWN: &str = "279994";

on_both!(the_tenant_read_with_the_session_answers_as_before);
/// A signed-in GET of `/t/{code}/…` reads the tenant and its version in the session's
/// statement (`Store::session_get_with_tenant`), and `auth::tenant_access` uses it: an unknown
/// code is still a 404 before anything else, another local government's page still a 403, a
/// session that has ended still a sign-in — and a page after a change on the same server
/// shows it. (How many statements a hit costs is not counted here: the store has no statement
/// counter, and PostgreSQL's `pg_stat_statements` needs `shared_preload_libraries`, which the
/// test server does not have. It was checked by hand with `log_statement = 'all'`; see
/// docs/ARCHITECTURE.md, "Read caches".)
async fn the_tenant_read_with_the_session_answers_as_before(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut desk = signed_in(&app, DESK).await;
    let mut anon = app.client();
    let page = |code: &str| format!("/t/{code}/desk/dashboard");
    // UNKNOWN is well formed (its check digit holds) but no local government's code; 272028
    // fails the check digit.
    assert!(TenantCode::parse(UNKNOWN).is_ok());
    assert!(app.store.tenant(UNKNOWN).await.is_err());
    let dashboard = desk.get(&page(K)).await;
    assert_eq!(dashboard.status, 200);
    for _ in 0..2 {
        assert_eq!(desk.get(&page(UNKNOWN)).await.status, 404);
        assert_eq!(desk.get(&page("272028")).await.status, 404);
        assert_eq!(desk.get(&page("141305")).await.status, 403, "川崎市");
        assert_eq!(desk.get(&page(K)).await.status, 200, "cached");
        assert_eq!(anon.get(&page(UNKNOWN)).await.status, 404);
        assert_eq!(anon.get(&page(K)).await.status, 303);
    }

    // A change committed through this server's store is on its list at once.
    let list = format!("/t/{K}/partnerships");
    let before = desk.get(&list).await;
    assert_eq!(before.status, 200);
    assert!(!before.body.contains("同じサーバーの協定"));
    app.store
        .partnership_create(
            k(),
            &NewPartnership {
                record: Partnership::parse(&PartnershipInput {
                    form: "comprehensive".into(),
                    title: "同じサーバーの協定".into(),
                    purpose: "目的".into(),
                    summary: "概要".into(),
                    parties: vec![PartyInput {
                        name: "株式会社同一".into(),
                        party_type: "company".into(),
                        ..Default::default()
                    }],
                    fields: vec!["disaster".into()],
                    signed_on: "2026-10-01".into(),
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
        .expect("create");
    assert!(desk.get(&list).await.body.contains("同じサーバーの協定"));

    // The session ends: the unknown code is still a 404, Kishiwada's page a sign-in.
    app.db().set(app.store.now() + chrono::Duration::hours(13));
    assert_eq!(desk.get(&page(UNKNOWN)).await.status, 404);
    let ended = desk.get(&page(K)).await;
    assert_eq!(ended.status, 303);
    assert!(
        ended
            .location
            .as_deref()
            .is_some_and(|l| l.starts_with("/login")),
        "{:?}",
        ended.location
    );
}
