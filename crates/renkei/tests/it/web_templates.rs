//! The desk's templates (定型文): the page to list, add, edit and delete them (who may, bad
//! input refused with nothing written, deletion confirmed first, audited), and the proposal
//! page filling the message and decline forms from one without JavaScript, with the
//! proposal's values in place of the placeholders.

use crate::web_questions::{signed_in, submit};
use renkei_domain::TenantCode;
use renkei_domain::template::{Template, TemplateKind};
use renkei_store::Who;
use renkei_testkit::{Backend, TestApp, on_both};

const BODY: &str = "{提案者名} 様\n「{件名}」（受付番号 {受付番号}）を受け付けました。\n{窓口名}";

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

async fn templates_crud(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let home = desk.get("/t/272027/desk").await;
    assert!(home.body.contains("href=\"/t/272027/desk/templates\""));
    let list = desk.get("/t/272027/desk/templates").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("定型文はまだありません。"));

    // Bad input: every field reported, what was typed kept, nothing written.
    let long_body = "あ".repeat(4001);
    let bad = desk
        .post(
            "/t/272027/desk/templates",
            &[("kind", "other"), ("name", "  "), ("body", &long_body)],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("種類を選んでください。"));
    assert!(bad.body.contains("id=\"template-name-error\""));
    assert!(bad.body.contains("id=\"template-body-error\""));
    assert!(bad.body.contains(&long_body));
    let long_name = "名".repeat(101);
    let bad = desk
        .post(
            "/t/272027/desk/templates",
            &[("kind", "message"), ("name", &long_name), ("body", "本文")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains(&long_name));
    assert!(store.templates(k()).await.expect("templates").is_empty());

    let created = desk
        .post(
            "/t/272027/desk/templates",
            &[("kind", "message"), ("name", "受付のお礼"), ("body", BODY)],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let declined = desk
        .post(
            "/t/272027/desk/templates",
            &[
                ("kind", "decline"),
                ("name", "予算の都合"),
                ("body", "{提案者名} 様\n今年度の予算では実施できません。"),
            ],
        )
        .await;
    assert_eq!(declined.status, 303, "{}", declined.body);
    let all = store.templates(k()).await.expect("templates");
    assert_eq!(all.len(), 2);
    let message = all
        .iter()
        .find(|t| t.kind == TemplateKind::Message)
        .expect("message")
        .clone();
    assert_eq!(message.body, BODY);
    let list = desk.get("/t/272027/desk/templates").await;
    assert!(list.body.contains("受付のお礼") && list.body.contains("予算の都合"));

    // Edit: the form holds the template; a bad change writes nothing; a good one is saved.
    let edit_path = format!("/t/272027/desk/templates/{}", message.id);
    let edit = desk.get(&edit_path).await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("受付のお礼"));
    let bad = desk
        .post(
            &edit_path,
            &[("kind", "message"), ("name", ""), ("body", "変更")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        store.template(k(), message.id).await.expect("t").name,
        "受付のお礼"
    );
    let saved = desk
        .post(
            &edit_path,
            &[
                ("kind", "message"),
                ("name", "受付のお礼（改）"),
                ("body", BODY),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(
        store.template(k(), message.id).await.expect("t").name,
        "受付のお礼（改）"
    );

    // Another desk's template is not found here.
    let kawasaki = store
        .template_create(
            &Who::cli(),
            TenantCode::parse("141305").expect("code"),
            &Template {
                kind: TemplateKind::Message,
                name: "川崎の定型文".into(),
                body: "川崎の本文".into(),
            },
        )
        .await
        .expect("template");
    let other = desk
        .get(&format!("/t/272027/desk/templates/{kawasaki}"))
        .await;
    assert_eq!(other.status, 404);

    // Deleting asks first.
    let delete_path = format!("{edit_path}/delete");
    let ask = desk.post(&delete_path, &[]).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("この定型文を削除しますか"));
    assert!(ask.body.contains("name=\"confirm\" value=\"yes\""));
    assert!(store.template(k(), message.id).await.is_ok());
    let gone = desk.post(&delete_path, &[("confirm", "yes")]).await;
    assert_eq!(gone.status, 303);
    assert!(store.template(k(), message.id).await.is_err());
    assert_eq!(desk.get(&edit_path).await.status, 404);

    let audit: Vec<_> = store
        .audit_recent("272027", 1000)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in ["template.create", "template.update", "template.delete"] {
        assert!(audit.iter().any(|a| a == action), "{action}");
    }

    // The admin manages them too (linked from the admin's home); departments and proponents
    // do not.
    let mut admin = signed_in(&app, "admin@kishiwada.demo.renkei.jp").await;
    assert!(
        admin
            .get("/t/272027/admin")
            .await
            .body
            .contains("href=\"/t/272027/desk/templates\"")
    );
    assert_eq!(admin.get("/t/272027/desk/templates").await.status, 200);
    for email in [
        "kikikanri@kishiwada.demo.renkei.jp",
        "proponent@example.co.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        assert_eq!(
            c.get("/t/272027/desk/templates").await.status,
            403,
            "{email}"
        );
        c.get("/").await;
        let post = c
            .post(
                "/t/272027/desk/templates",
                &[("kind", "message"), ("name", "侵入"), ("body", "侵入")],
            )
            .await;
        assert_eq!(post.status, 403, "{email}");
    }
    assert_eq!(store.templates(k()).await.expect("templates").len(), 1);
}

/// The proposal page offers the templates by the message and decline forms; choosing one
/// reloads the page with the form filled (no JavaScript).
async fn templates_fill_the_forms(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let s = submit(store, "定型文で返信する提案").await;
    let who = Who::cli();
    let message = store
        .template_create(
            &who,
            k(),
            &Template {
                kind: TemplateKind::Message,
                name: "受付のお礼".into(),
                body: BODY.into(),
            },
        )
        .await
        .expect("template");
    let decline = store
        .template_create(
            &who,
            k(),
            &Template {
                kind: TemplateKind::Decline,
                name: "予算の都合".into(),
                body: "「{件名}」は今年度の予算では実施できません。".into(),
            },
        )
        .await
        .expect("template");
    let kawasaki = store
        .template_create(
            &who,
            TenantCode::parse("141305").expect("code"),
            &Template {
                kind: TemplateKind::Message,
                name: "川崎の定型文".into(),
                body: "川崎の本文".into(),
            },
        )
        .await
        .expect("template");
    let path = format!("/t/272027/desk/proposals/{}", s.receipt_number);
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let page = desk.get(&path).await;
    assert!(page.body.contains("id=\"message-template\""));
    assert!(page.body.contains("id=\"decline-template\""));
    assert!(
        page.body
            .contains(&format!("<option value=\"{message}\">受付のお礼</option>"))
    );
    assert!(page.body.contains(&format!("action=\"{path}#body\"")));
    assert!(!page.body.contains("川崎の定型文"));

    let filled = desk.get(&format!("{path}?template={message}")).await;
    assert_eq!(filled.status, 200);
    let expected = format!(
        "株式会社だんじり 様\n「定型文で返信する提案」（受付番号 {}）を受け付けました。\n岸和田市 公民戦略連携デスク",
        s.receipt_number
    );
    assert!(
        filled.body.contains(&format!(">{expected}</textarea>")),
        "{}",
        filled.body
    );
    let filled = desk.get(&format!("{path}?template={decline}")).await;
    assert!(
        filled
            .body
            .contains("「定型文で返信する提案」は今年度の予算では実施できません。</textarea>")
    );
    assert!(
        filled.body.contains("<details class=\"action\" open>"),
        "the decline form opens"
    );
    // Another desk's template, an unknown one or a word: the page as usual, nothing filled.
    for q in [kawasaki.to_string(), "999999".into(), "x".into()] {
        let p = desk.get(&format!("{path}?template={q}")).await;
        assert_eq!(p.status, 200, "{q}");
        assert!(!p.body.contains("川崎の本文"));
        assert!(!p.body.contains("を受け付けました。\n"), "{q}");
    }
    // The filled text is sent like any message.
    let sent = desk
        .post(&format!("{path}/messages"), &[("body", &expected)])
        .await;
    assert_eq!(sent.status, 303);
    let messages = store.proposal_messages(s.id).await.expect("messages");
    assert_eq!(
        messages.last().map(|m| m.body.as_str()),
        Some(expected.as_str())
    );
}

on_both!(templates_crud, templates_fill_the_forms);
