//! The operator's console: which desks take proposals and which cannot for want of staff, and
//! the outbox (waiting, failing, sent) without showing any mail's address or content; nobody
//! else sees it.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_store::Who;
use renkei_testkit::{Backend, Client, TestApp, on_both};

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

async fn operator_sees_desks_and_stuck_mail(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    sqlx::query(
        "INSERT INTO outbox (tenant_code, proposal_id, kind, to_addr, subject, body, created_at, attempts, next_attempt_at, last_error) \
         VALUES ('272027', NULL, 'receipt', 'secret-person@example.jp', '機密の件名', '機密の本文', '2026-11-24T00:00:00.000Z', 3, '2026-11-24T02:00:00.000Z', 'smtp: connection refused')",
    )
    .execute(app.store.pool())
    .await
    .expect("stuck mail");
    let stats = app.store.outbox_stats().await.expect("stats");
    assert!(stats.failing >= 1 && stats.pending >= stats.failing);

    // A desk whose only desk account is deactivated is open but cannot take proposals.
    let kawasaki = app.store.tenant("141305").await.expect("kawasaki");
    let desk = app
        .store
        .user_by_email("desk@kawasaki.demo.renkei.jp")
        .await
        .expect("desk");
    app.store
        .user_set_disabled(
            &Who::cli(),
            &kawasaki,
            desk.id,
            true,
            &renkei_store::events::NoMail,
        )
        .await
        .expect("disable");
    let overview = app.store.desks_overview().await.expect("desks");
    assert!(overview.iter().any(|d| d.code == "141305" && d.unstaffed()));
    assert!(
        overview
            .iter()
            .any(|d| d.code == "272027" && d.openness.is_open())
    );

    let mut op = signed_in(&app, "operator@demo.renkei.jp").await;
    let page = op.get("/operator").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("smtp: connection refused"),
        "the error is shown"
    );
    assert!(page.body.contains("再試行待ちのメール"));
    for secret in ["secret-person@example.jp", "機密の件名", "機密の本文"] {
        assert!(!page.body.contains(secret), "{secret} must not be shown");
    }
    assert!(page.body.contains("担当者なし（受付不可）"));
    assert!(
        page.body
            .contains("デスク担当が0人のため受付が止まっています")
    );

    for email in [
        "admin@kishiwada.demo.renkei.jp",
        "desk@kishiwada.demo.renkei.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        let r = c.get("/operator").await;
        assert_eq!(r.status, 403, "{email}");
        assert!(!r.body.contains("connection refused"));
    }
    app.stop().await;
}

on_both!(operator_sees_desks_and_stuck_mail);
