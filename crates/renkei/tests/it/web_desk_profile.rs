//! The desk's profile: written by the local government's admin, shown on the public desk
//! page (its own name, what it takes and does not, the process, contact, hours, the right word
//! for its kind of local government); bad input is refused field by field with what was typed
//! kept; nobody else may write it; every save is audited.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_testkit::{Backend, Client, TestApp, on_both};

const PROFILE: &str = "/t/272027/admin/profile";

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

async fn saves(app: &TestApp) -> i64 {
    app.store
        .audit_count("settings.profile", "settings:profile")
        .await
        .expect("count")
}

async fn admin_writes_the_public_profile(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    // The demo's admin named the desk (through the same command).
    let mut public = app.client();
    let page = public.get("/t/272027").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<h1>大阪府岸和田市 公民戦略連携デスク</h1>"),
        "the desk's own name"
    );
    assert!(
        page.body.contains("営業・宣伝を目的とするもの"),
        "what it does not take"
    );
    assert!(page.body.contains("市の財政負担を伴わない"));
    // A desk without a profile: the standard name, lead and process; its own kind's word.
    let osaka = public.get("/t/270008").await;
    assert!(
        osaka.body.contains("大阪府 公民連携デスク"),
        "standard name"
    );
    assert!(
        osaka.body.contains("府の財政負担を伴わない"),
        "a prefecture is not a 市"
    );
    assert!(!osaka.body.contains("市の財政負担"));
    assert!(osaka.body.contains("提案から連携までの流れ"));

    let mut admin = signed_in(&app, "admin@kishiwada.demo.renkei.jp").await;
    assert!(
        admin
            .get("/t/272027/admin")
            .await
            .body
            .contains(&format!("href=\"{PROFILE}\""))
    );
    let form = admin.get(PROFILE).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("value=\"公民戦略連携デスク\""),
        "the form shows what is saved"
    );

    // Two bad fields: both reported, linked from the summary, nothing saved, input kept.
    let before = saves(&app).await;
    let long_name = "デ".repeat(41);
    let bad = admin
        .post(
            PROFILE,
            &[
                ("desk_name", &long_name),
                ("description", "新しい紹介文"),
                ("scope", ""),
                ("not_taken", ""),
                ("process", ""),
                ("contact", "電話 072-000-0000"),
                ("hours", "平日\n9時"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body.contains("href=\"#desk_name\""),
        "the summary links the field"
    );
    assert!(bad.body.contains("href=\"#hours\""));
    assert!(bad.body.contains("新しい紹介文"), "what was typed is kept");
    assert!(bad.body.contains("aria-invalid=\"true\""));
    assert_eq!(saves(&app).await, before);
    assert!(
        public
            .get("/t/272027")
            .await
            .body
            .contains("公民戦略連携デスク")
    );

    // A good save shows at once on the public page and is audited.
    let ok = admin
        .post(
            PROFILE,
            &[
                ("desk_name", "公民連携推進デスク"),
                ("description", "岸和田の<未来>を一緒につくる窓口です。"),
                ("scope", "防災の提案\n\n子育ての提案"),
                ("not_taken", "営業だけのもの"),
                ("process", "送信\n面談\n決定"),
                ("contact", "企画課 072-000-0000"),
                ("hours", "平日 9時〜17時"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(saves(&app).await, before + 1);
    let page = public.get("/t/272027").await;
    assert!(
        page.body
            .contains("<h1>大阪府岸和田市 公民連携推進デスク</h1>")
    );
    assert!(
        page.body
            .contains("岸和田の&#60;未来&#62;を一緒につくる窓口です。"),
        "escaped"
    );
    assert!(
        page.body.contains("<li>防災の提案</li>") && page.body.contains("<li>子育ての提案</li>")
    );
    assert!(
        !page.body.contains("<li></li>"),
        "empty lines are not items"
    );
    assert!(page.body.contains("<li>面談</li>"));
    assert!(page.body.contains("平日 9時〜17時"));
    assert!(!page.body.contains("公民戦略連携デスク"));
    let detail = sqlx::query_scalar::<_, String>(
        "SELECT detail FROM audit_log WHERE action = 'settings.profile' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("detail");
    assert!(
        detail.contains("desk_name") && detail.contains("hours"),
        "{detail}"
    );
    app.stop().await;
}

async fn only_the_admin_writes_it(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let before = saves(&app).await;
    for email in [
        "desk@kishiwada.demo.renkei.jp",
        "kikikanri@kishiwada.demo.renkei.jp",
        "desk@kawasaki.demo.renkei.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        assert_eq!(c.get(PROFILE).await.status, 403, "{email}");
        c.get("/").await;
        let r = c.post(PROFILE, &[("desk_name", "乗っ取りデスク")]).await;
        assert_eq!(r.status, 403, "{email}");
    }
    let mut anon = app.client();
    assert_eq!(anon.get(PROFILE).await.status, 303);
    assert_eq!(saves(&app).await, before);
    assert!(!anon.get("/t/272027").await.body.contains("乗っ取り"));
    app.stop().await;
}

on_both!(admin_writes_the_public_profile, only_the_admin_writes_it);
