//! Deactivating and reactivating accounts: confirmed first; a deactivated account's open
//! session, password and API token all stop at once; reactivating a desk account is announced
//! to the desk; nobody deactivates themselves or the last administrator; only the tenant's
//! admin (or the operator) may; every change is audited.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_store::Who;
use renkei_testkit::{Backend, Client, TestApp, on_both};

const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const ADMIN: &str = "admin@kishiwada.demo.renkei.jp";

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn deactivation_stops_every_way_in(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let desk_user = app.store.user_by_email(DESK).await.expect("desk");
    let (_, token) = app
        .store
        .token_create(&Who::cli(), desk_user.id, "test")
        .await
        .expect("token");
    let mut desk = signed_in(&app, DESK).await;
    assert_eq!(desk.get("/t/272027/desk").await.status, 200);
    let api = "/api/v1/tenants/272027/proposals";
    assert_eq!(desk.api_get(api, Some(&token)).await.status, 200);

    let mut admin = signed_in(&app, ADMIN).await;
    let list = admin.get("/t/272027/admin/users").await;
    let disable = format!("/t/272027/admin/users/{}/disable", desk_user.id);
    assert!(list.body.contains(&format!("action=\"{disable}\"")));
    // First the confirmation page; nothing changes yet.
    let ask = admin.post(&disable, &[]).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("このアカウントの利用を停止しますか"));
    assert_eq!(desk.get("/t/272027/desk").await.status, 200);
    let done = admin.post(&disable, &[("confirm", "yes")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(audited(&app, "user.disable").await, 1);

    // The open session, the password and the token: all refused now.
    let after = desk.get("/t/272027/desk").await;
    assert_eq!(after.status, 303, "the session ended");
    assert!(after.location.unwrap_or_default().starts_with("/login"));
    let mut again = app.client();
    assert_ne!(
        again.login(DESK, DEMO_PASSWORD).await.status,
        303,
        "cannot sign in"
    );
    assert_eq!(again.get("/t/272027/desk").await.status, 303);
    assert_eq!(desk.api_get(api, Some(&token)).await.status, 401);
    assert!(app.store.user(desk_user.id).await.expect("user").disabled);

    // Reactivation: confirmed, announced to the desk (a desk account reads everything again).
    let enable = format!("/t/272027/admin/users/{}/enable", desk_user.id);
    let ask = admin.post(&enable, &[]).await;
    assert!(ask.body.contains("他のデスク担当者にメールで通知"));
    let before_notices = app
        .store
        .desk_staff_changes(TenantCode::parse("272027").expect("code"), 30)
        .await
        .expect("changes")
        .len();
    assert_eq!(admin.post(&enable, &[("confirm", "yes")]).await.status, 303);
    assert_eq!(audited(&app, "user.enable").await, 1);
    let changes = app
        .store
        .desk_staff_changes(TenantCode::parse("272027").expect("code"), 30)
        .await
        .expect("changes");
    assert_eq!(changes.len(), before_notices + 1);
    assert!(changes.iter().any(|c| c.user_id == desk_user.id));
    let mut back = signed_in(&app, DESK).await;
    assert_eq!(back.get("/t/272027/desk").await.status, 200);
    assert_eq!(back.api_get(api, Some(&token)).await.status, 200);
    app.stop().await;
}

async fn who_may_deactivate_whom(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let admin_user = app.store.user_by_email(ADMIN).await.expect("admin");
    let desk_user = app.store.user_by_email(DESK).await.expect("desk");
    // Not oneself.
    let mut admin = signed_in(&app, ADMIN).await;
    admin.get("/t/272027/admin/users").await;
    let own = format!("/t/272027/admin/users/{}/disable", admin_user.id);
    let refused = admin.post(&own, &[("confirm", "yes")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("自分のアカウントは停止できません"));
    // Not the last administrator (the operator tries).
    let mut op = signed_in(&app, "operator@demo.renkei.jp").await;
    op.get("/").await;
    let last = op.post(&own, &[("confirm", "yes")]).await;
    assert_eq!(last.status, 422);
    assert!(last.body.contains("最後の管理者"));
    assert!(!app.store.user(admin_user.id).await.expect("admin").disabled);
    // Not the desk, a department, another local government's admin, or a visitor.
    let target = format!("/t/272027/admin/users/{}/disable", desk_user.id);
    for email in [
        DESK,
        "kikikanri@kishiwada.demo.renkei.jp",
        "admin@osaka-pref.demo.renkei.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        c.get("/").await;
        assert_eq!(
            c.post(&target, &[("confirm", "yes")]).await.status,
            403,
            "{email}"
        );
    }
    // Another tenant's account through this tenant's URL: not found.
    let osaka = app
        .store
        .user_by_email("admin@osaka-pref.demo.renkei.jp")
        .await
        .expect("osaka admin");
    let cross = admin
        .post(
            &format!("/t/272027/admin/users/{}/disable", osaka.id),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(cross.status, 404);
    assert!(!app.store.user(osaka.id).await.expect("osaka").disabled);
    assert!(!app.store.user(desk_user.id).await.expect("desk").disabled);
    assert_eq!(audited(&app, "user.disable").await, 0);
    app.stop().await;
}

on_both!(deactivation_stops_every_way_in, who_may_deactivate_whom);
