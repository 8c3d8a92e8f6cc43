//! The intake's 確認画面: the form is checked and kept as a draft, shown back to the proponent,
//! and only 送信する receives it. A draft becomes at most one proposal (a second click or two at
//! once send nothing twice), expires after two hours, belongs to its local government, and the
//! drafts one address may leave are bounded. The form asks for the 所在地 and the agreement to the
//! handling of personal information, lists its errors at the top with links to the fields, and
//! says how long a too-long text is.

use super::web_proposals::{PDF, propose_form};
use renkei_testkit::{Backend, Page, TestApp, on_both};
use std::sync::Arc;
use tokio::sync::Barrier;

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn proposals(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM proposals").await
}

async fn drafts(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM intake_drafts").await
}

async fn receipt_mails(app: &TestApp) -> usize {
    app.store
        .outbox_list(10_000)
        .await
        .expect("outbox")
        .iter()
        .filter(|m| m.to == "taro@example.co.jp")
        .count()
}

fn confirm_path(answer: &Page) -> String {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let to = answer.location.clone().expect("location");
    assert!(to.starts_with("/t/272027/propose/confirm/"), "{to}");
    to
}

fn token_of(confirm: &str) -> String {
    confirm.rsplit('/').next().expect("token").to_string()
}

async fn review_then_send(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let (before, mails_before) = (proposals(&app).await, receipt_mails(&app).await);

    let answer = propose_form(
        &mut c,
        "確認画面つきの提案",
        Some(("計画書.pdf", PDF.to_vec())),
        &[("contact_department", "営業企画部"), ("contact_title", "")],
    )
    .await;
    let confirm = confirm_path(&answer);
    // Nothing is received yet: no proposal, no mail; the draft waits.
    assert_eq!(proposals(&app).await, before);
    assert_eq!(receipt_mails(&app).await, mails_before);
    assert_eq!(drafts(&app).await, 1);

    let page = c.get(&confirm).await;
    assert_eq!(page.status, 200);
    for shown in [
        "入力内容の確認",
        "まだ送信されていません",
        "確認画面つきの提案",
        "大阪府岸和田市宮本町1番1号",
        "営業企画部",
        "計画書.pdf",
        "防災・減災",
        "市の財政負担はない",
        "aria-current=\"step\"",
    ] {
        assert!(page.body.contains(shown), "{shown} missing");
    }
    // An empty field is said to be empty, not left as a bare label.
    assert!(page.body.contains("記入なし"));

    // 修正する: the form comes back as typed, with the file offered to keep.
    let back = c
        .get(&format!("/t/272027/propose?draft={}", token_of(&confirm)))
        .await;
    assert_eq!(back.status, 200);
    assert!(back.body.contains("value=\"確認画面つきの提案\""));
    assert!(back.body.contains("value=\"営業企画部\""));
    assert!(
        back.body
            .contains("name=\"keep_files\" value=\"0\" checked")
    );
    assert!(back.body.contains("計画書.pdf"));
    let corrected = propose_form(
        &mut c,
        "確認画面つきの提案（修正）",
        None,
        &[
            ("contact_department", "営業企画部"),
            ("draft", &token_of(&confirm)),
            ("keep_files", "0"),
        ],
    )
    .await;
    let confirm2 = confirm_path(&corrected);
    assert_ne!(confirm2, confirm);
    // The corrected draft replaced the first one, file and all.
    assert_eq!(drafts(&app).await, 1);
    assert_eq!(c.get(&confirm).await.status, 404, "the old draft is gone");
    let page = c.get(&confirm2).await;
    assert!(page.body.contains("確認画面つきの提案（修正）"));
    assert!(page.body.contains("計画書.pdf"), "the kept file travels on");

    // 送信する: received, with what the form asked, the draft deleted in the same commit.
    let sent = c.post(&confirm2, &[]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let tracking = sent.location.clone().expect("tracking page");
    assert!(tracking.contains("/track/") && tracking.ends_with("?notice=proposal-received"));
    assert_eq!(proposals(&app).await, before + 1);
    assert_eq!(drafts(&app).await, 0);
    assert_eq!(receipt_mails(&app).await, mails_before + 1);
    let row = sqlx::query_as::<_, (String, String, String, Option<String>, i64)>(
        "SELECT p.title, p.org_address, p.contact_department, p.privacy_consented_at, \
         (SELECT COUNT(*) FROM attachments a WHERE a.proposal_id = p.id) \
         FROM proposals p ORDER BY p.id DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("row");
    assert_eq!(row.0, "確認画面つきの提案（修正）");
    assert_eq!(row.1, "大阪府岸和田市宮本町1番1号");
    assert_eq!(row.2, "営業企画部");
    assert!(row.3.is_some(), "the agreement is recorded with its time");
    assert_eq!(row.4, 1, "the kept file is attached");

    // A second 送信する (the back button, a reload) sends nothing twice.
    let again = c.post(&confirm2, &[]).await;
    assert_eq!(again.status, 404, "{}", again.body);
    assert!(again.body.contains("送信済みか、有効期限"));
    assert_eq!(proposals(&app).await, before + 1);
    assert_eq!(receipt_mails(&app).await, mails_before + 1);
}
on_both!(review_then_send);

/// Two clicks at once on 送信する: one proposal, one receipt mail.
async fn a_double_click_sends_once(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let before = proposals(&app).await;
    let mut first = app.client();
    let confirm = confirm_path(&propose_form(&mut first, "二度押し", None, &[]).await);
    assert_eq!(first.get(&confirm).await.status, 200);
    let barrier = Arc::new(Barrier::new(4));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (mut c, confirm, barrier) = (first.clone(), confirm.clone(), barrier.clone());
        tasks.spawn(async move {
            barrier.wait().await;
            c.post(&confirm, &[]).await.status
        });
    }
    let mut statuses = Vec::new();
    while let Some(s) = tasks.join_next().await {
        statuses.push(s.expect("task"));
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [303, 404, 409].contains(s)),
        "{statuses:?}"
    );
    assert_eq!(proposals(&app).await, before + 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE to_addr = 'taro@example.co.jp'"
        )
        .await,
        1
    );
}
on_both!(a_double_click_sends_once);

/// A draft lives two hours, at its own local government only; the sweep removes old ones.
async fn drafts_expire_and_stay_home(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let confirm = confirm_path(&propose_form(&mut c, "期限の確認", None, &[]).await);
    let token = token_of(&confirm);
    // The same token under another local government's address finds nothing.
    assert_eq!(
        c.get(&format!("/t/270008/propose/confirm/{token}"))
            .await
            .status,
        404
    );
    // A token of the wrong shape is not looked up at all.
    assert_eq!(
        c.get("/t/272027/propose/confirm/..%2F..%2Fetc")
            .await
            .status,
        404
    );
    app.db().clock.advance(chrono::Duration::minutes(119));
    assert_eq!(
        c.get(&confirm).await.status,
        200,
        "still valid at 1 h 59 min"
    );
    app.db().clock.advance(chrono::Duration::minutes(2));
    let late = c.get(&confirm).await;
    assert_eq!(late.status, 404);
    assert!(late.body.contains("もう一度ご入力ください"));
    let before = proposals(&app).await;
    // The visitor's CSRF token from the confirmation page read before.
    let refused = c.post(&confirm, &[]).await;
    assert_eq!(refused.status, 404);
    assert_eq!(proposals(&app).await, before);
    assert_eq!(drafts(&app).await, 1);
    app.store.sweep().await.expect("sweep");
    assert_eq!(drafts(&app).await, 0, "the expired draft is swept away");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM intake_draft_files").await,
        0
    );
}
on_both!(drafts_expire_and_stay_home);

/// What a government form asks for, with the errors listed at the top, linked to their fields,
/// and the lengths said; nothing is kept until all is right.
async fn the_form_says_what_is_missing(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let long = "あ".repeat(101);
    let bad = propose_form(
        &mut c,
        &long,
        None,
        &[("org_address", ""), ("privacy_consent", "")],
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert_eq!(drafts(&app).await, 0, "nothing kept");
    let summary = bad
        .body
        .split("class=\"error-summary\"")
        .nth(1)
        .and_then(|s| s.split("</div>").next())
        .expect("an error summary");
    assert!(summary.contains("autofocus"), "the summary takes the focus");
    assert!(
        summary.contains("入力内容に3件の誤りがあります"),
        "{summary}"
    );
    // In the form's order, each linked to its field.
    let org = summary.find("href=\"#org_address\"").expect("address link");
    let title = summary.find("href=\"#title\"").expect("title link");
    let privacy = summary
        .find("href=\"#privacy_consent\"")
        .expect("consent link");
    assert!(org < title && title < privacy, "{summary}");
    assert!(summary.contains("100文字以内で入力してください（現在101文字）"));
    assert!(summary.contains("個人情報の取扱いに同意いただく必要があります。"));
    for id in [
        "id=\"org_address\"",
        "id=\"title\"",
        "id=\"privacy_consent\"",
    ] {
        assert!(bad.body.contains(id), "{id}: the link's target exists");
    }
    // The title typed is kept, however long.
    assert!(bad.body.contains(&format!("value=\"{long}\"")));
    // The form states the handling of personal information and the limits.
    assert!(bad.body.contains("個人情報の取扱い"));
    assert!(bad.body.contains("400文字以内"));
}
on_both!(the_form_says_what_is_missing);

/// One address may leave at most twice the intake limit of unconfirmed drafts an hour; the
/// next is refused with the form as typed and nothing kept.
async fn drafts_are_bounded_per_address(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let limit = renkei_web::WebConfig::default().intake_rate_limit;
    let mut c = app.client();
    for i in 0..limit * 2 {
        let a = propose_form(&mut c, &format!("下書き{i}"), None, &[]).await;
        confirm_path(&a);
    }
    let over = propose_form(&mut c, "多すぎる下書き", None, &[]).await;
    assert_eq!(over.status, 429, "{}", over.body);
    assert!(over.body.contains("value=\"多すぎる下書き\""));
    assert_eq!(drafts(&app).await, limit * 2);
}
on_both!(drafts_are_bounded_per_address);

/// The API asks for the same agreement and address.
async fn the_api_asks_for_consent_and_address(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut body = super::api_proposals::intake("同意なし", PDF);
    body["privacy_consent"] = serde_json::json!(false);
    body["org_address"] = serde_json::json!("");
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/tenants/272027/proposals"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 422);
    let json: serde_json::Value = r.json().await.expect("json");
    let fields = &json["error"]["fields"];
    assert_eq!(
        fields["privacy_consent"],
        "個人情報の取扱いに同意いただく必要があります。"
    );
    assert_eq!(fields["org_address"], "入力してください。");
}
on_both!(the_api_asks_for_consent_and_address);

/// The proponent's own page shows all they sent; after 不採択 the consents can no longer be
/// changed, on the page or by a post.
async fn the_proponent_sees_what_they_sent(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let sent = super::web_proposals::propose(
        &mut c,
        "自分の控え",
        None,
        &[
            ("contact_department", "地域連携部"),
            ("contact_title", "課長"),
        ],
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let track = sent.location.expect("tracking page");
    let track = track.split('?').next().expect("path").to_string();
    let page = c.get(&track).await;
    for shown in [
        "ノウハウ",
        "避難の迅速化",
        "市の財政負担はない",
        "大阪府岸和田市宮本町1番1号",
        "地域連携部 課長",
    ] {
        assert!(
            page.body.contains(shown),
            "{shown} missing from the proponent's page"
        );
    }
    assert!(page.body.contains("action=\"") && page.body.contains("/consent\""));
    let receipt = app
        .store
        .proposal_by_tracking(
            renkei_domain::TenantCode::parse("272027").expect("code"),
            track.rsplit('/').next().expect("token"),
        )
        .await
        .expect("proposal")
        .receipt_number;

    let mut desk = app.client();
    assert_eq!(
        desk.login(
            "desk@kishiwada.demo.renkei.jp",
            renkei_app::demo::DEMO_PASSWORD
        )
        .await
        .status,
        303
    );
    let path = format!("/t/272027/desk/proposals/{receipt}");
    desk.get(&path).await;
    let declined = desk
        .post(
            &format!("{path}/transition"),
            &[
                ("action", "decline"),
                ("reason", "infeasible"),
                ("explanation", "今回は実現が難しいため見送ります。"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(declined.status, 303, "{}", declined.body);

    let page = c.get(&track).await;
    assert!(
        !page.body.contains("/consent\""),
        "no consent form after 不採択"
    );
    let refused = c
        .post(&format!("{track}/consent"), &[("publication", "yes")])
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("同意の内容は変更できません"));
    let p = app
        .store
        .proposal(
            renkei_domain::TenantCode::parse("272027").expect("code"),
            &receipt,
        )
        .await
        .expect("proposal");
    assert!(p.publication_consent, "unchanged (it was given at intake)");
}
on_both!(the_proponent_sees_what_they_sent);
