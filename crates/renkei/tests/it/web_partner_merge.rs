//! Merging two partners that are one organisation: the desk confirms first; the proposals
//! follow, the name stays known to intake, a 法人番号 carries over; two legal persons (two
//! different 法人番号) or a partner with itself are refused with nothing changed; only the
//! tenant's desk may merge.

use super::web_proposals::propose;
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_testkit::{Backend, Client, TestApp, on_both};

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

async fn partner_id(app: &TestApp, name: &str) -> i64 {
    app.store
        .partners(k(), Some(name))
        .await
        .expect("partners")
        .into_iter()
        .find(|p| p.name == name)
        .map(|p| p.id)
        .unwrap_or_else(|| panic!("no partner {name}"))
}

async fn merges(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE action = 'partner.merge'")
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn two_entries_of_one_university_become_one(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut anon = app.client();
    let univ = "泉州工業大学";
    let faculty = "泉州工業大学 工学部 地域連携室";
    for (title, org, cn) in [
        ("大学としての提案", univ, "7000012050002"),
        ("学部からの提案その一", faculty, ""),
        ("学部からの提案その二", faculty, ""),
    ] {
        let r = propose(
            &mut anon,
            title,
            None,
            &[
                ("org_name", org),
                ("partner_type", "university"),
                ("corporate_number", cn),
            ],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let (kept, merged) = (
        partner_id(&app, univ).await,
        partner_id(&app, faculty).await,
    );
    assert_ne!(kept, merged, "two partners before the merge");
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let path = format!("/t/272027/desk/partners/{kept}");
    let page = desk.get(&path).await;
    assert!(
        page.body
            .contains(&format!("<option value=\"{merged}\">{faculty}</option>"))
    );

    // First the confirmation page: nothing changes yet.
    let ask = desk
        .post(&format!("{path}/merge"), &[("other", &merged.to_string())])
        .await;
    assert_eq!(ask.status, 200);
    assert!(
        ask.body.contains("元に戻せません")
            && ask.body.contains(faculty)
            && ask.body.contains("提案 2件")
    );
    assert_eq!(partner_id(&app, faculty).await, merged);
    assert_eq!(merges(&app).await, 0);

    let done = desk
        .post(
            &format!("{path}/merge"),
            &[("other", &merged.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(merges(&app).await, 1);
    assert!(matches!(
        app.store.partner(k(), merged).await,
        Err(renkei_store::StoreError::NotFound)
    ));
    let titles: Vec<String> = app
        .store
        .partner_proposals(k(), kept)
        .await
        .expect("proposals")
        .into_iter()
        .map(|p| p.title)
        .collect();
    for t in [
        "大学としての提案",
        "学部からの提案その一",
        "学部からの提案その二",
    ] {
        assert!(
            titles.iter().any(|x| x == t),
            "{t} did not follow: {titles:?}"
        );
    }
    let p = app.store.partner(k(), kept).await.expect("kept");
    assert_eq!(p.corporate_number.as_deref(), Some("7000012050002"));
    assert_eq!(p.proposal_count, 3);
    assert!(
        desk.get(&format!("{path}?notice=partners-merged"))
            .await
            .body
            .contains("団体を統合しました")
    );

    // The next proposal under the merged name joins the partner it was merged into.
    let r = propose(
        &mut anon,
        "学部からの提案その三",
        None,
        &[
            ("org_name", faculty),
            ("partner_type", "university"),
            ("corporate_number", ""),
        ],
    )
    .await;
    assert_eq!(r.status, 303);
    assert_eq!(
        app.store
            .partner(k(), kept)
            .await
            .expect("kept")
            .proposal_count,
        4
    );
    assert!(
        app.store
            .partners(k(), Some(faculty))
            .await
            .expect("list")
            .iter()
            .all(|p| p.name != faculty)
    );
    app.stop().await;
}

async fn what_cannot_be_merged_is_refused(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut anon = app.client();
    for (org, cn) in [
        ("株式会社南海みらい", "7000012050002"),
        ("株式会社南海みらい商事", "5000012050004"),
    ] {
        let r = propose(
            &mut anon,
            "統合できない提案",
            None,
            &[("org_name", org), ("corporate_number", cn)],
        )
        .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let a = partner_id(&app, "株式会社南海みらい").await;
    let b = partner_id(&app, "株式会社南海みらい商事").await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let path = format!("/t/272027/desk/partners/{a}/merge");
    desk.get(&format!("/t/272027/desk/partners/{a}")).await;
    let two_numbers = desk
        .post(&path, &[("other", &b.to_string()), ("confirm", "yes")])
        .await;
    assert_eq!(two_numbers.status, 422);
    assert!(
        two_numbers
            .body
            .contains("法人番号の異なる団体は統合できません")
    );
    let itself = desk
        .post(&path, &[("other", &a.to_string()), ("confirm", "yes")])
        .await;
    assert_eq!(itself.status, 422);
    assert!(itself.body.contains("同じ団体どうしは統合できません"));
    let nothing = desk.post(&path, &[("other", ""), ("confirm", "yes")]).await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.body.contains("統合する団体を選んでください"));
    assert_eq!(merges(&app).await, 0);
    assert_eq!(partner_id(&app, "株式会社南海みらい商事").await, b);

    for email in [
        "kikikanri@kishiwada.demo.renkei.jp",
        "desk@kawasaki.demo.renkei.jp",
        "admin@kishiwada.demo.renkei.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        c.get("/").await;
        let r = c
            .post(&path, &[("other", &b.to_string()), ("confirm", "yes")])
            .await;
        assert_eq!(r.status, 403, "{email}");
    }
    assert_eq!(merges(&app).await, 0);
    app.stop().await;
}

on_both!(
    two_entries_of_one_university_become_one,
    what_cannot_be_merged_is_refused
);
