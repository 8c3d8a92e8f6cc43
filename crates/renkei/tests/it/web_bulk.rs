//! Bulk changes from the inbox: ticked proposals, one action, a 確認画面 listing what will change
//! and what is left out, then all of it in one transaction — or nothing, when a proposal moved
//! meanwhile. Bad input shows the inbox again with the same proposals ticked; only the tenant's
//! desk may do it.

use super::web_proposals::propose;
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_domain::proposal::Status;
use renkei_store::proposals::InboxFilter;
use renkei_testkit::{Backend, Client, TestApp, on_both};

const BULK: &str = "/t/272027/desk/bulk";

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

/// Sends proposals with these titles; returns their receipt numbers in the same order.
async fn proposals(app: &TestApp, titles: &[&str]) -> Vec<String> {
    let mut anon = app.client();
    let mut out = Vec::new();
    for t in titles {
        assert_eq!(propose(&mut anon, t, None, &[]).await.status, 303, "{t}");
        let (items, _) = app
            .store
            .inbox(
                k(),
                &InboxFilter {
                    q: Some((*t).into()),
                    statuses: vec![],
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .expect("inbox");
        out.push(
            items
                .into_iter()
                .find(|p| p.title == *t)
                .expect("the new proposal")
                .receipt_number,
        );
    }
    out
}

async fn status(app: &TestApp, receipt: &str) -> Status {
    app.store
        .proposal(k(), receipt)
        .await
        .expect("proposal")
        .status()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn desk_officer_id(app: &TestApp) -> i64 {
    app.store
        .users_in_tenant("272027")
        .await
        .expect("users")
        .into_iter()
        .find(|u| u.email == "desk@kishiwada.demo.renkei.jp")
        .expect("the demo desk officer")
        .id
}

fn fields<'a>(receipts: &'a [String], rest: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f: Vec<(&str, &str)> = receipts.iter().map(|r| ("receipt", r.as_str())).collect();
    f.extend_from_slice(rest);
    f
}

/// Assigning two proposals at once: the 確認画面 lists both and writes nothing; confirming
/// assigns both, each with its own timeline entry and audit entry, and comes back to the same
/// filtered inbox.
async fn desk_assigns_several_at_once(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let rs = proposals(&app, &["一括担当テストA", "一括担当テストB"]).await;
    let officer = desk_officer_id(&app).await;
    let officer_s = officer.to_string();
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let inbox = desk
        .get("/t/272027/desk/proposals?q=%E4%B8%80%E6%8B%AC")
        .await;
    assert_eq!(inbox.status, 200);
    assert!(inbox.body.contains("form=\"bulk\""), "no selection boxes");
    let audits = |r: &str| {
        format!(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'proposal.assign' AND target = 'proposal:{r}'"
        )
    };

    let ask = fields(
        &rs,
        &[
            ("action", "assign"),
            ("assignee", &officer_s),
            ("filters", "q=一括"),
        ],
    );
    let confirm = desk.post(BULK, &ask).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        confirm.body.contains("次の2件をまとめて変更しますか"),
        "{}",
        confirm.body
    );
    assert!(confirm.body.contains("一括担当テストA") && confirm.body.contains("一括担当テストB"));
    for r in &rs {
        assert_eq!(
            app.store
                .proposal(k(), r)
                .await
                .expect("p")
                .assignee_user_id,
            None,
            "assigned before confirming"
        );
        assert_eq!(count(&app, &audits(r)).await, 0);
    }

    let mut yes = ask.clone();
    yes.push(("confirm", "yes"));
    let done = desk.post(BULK, &yes).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let back = done.location.expect("a way back");
    assert!(back.starts_with("/t/272027/desk/proposals?"), "{back}");
    assert!(
        back.contains("q=%E4%B8%80%E6%8B%AC") && back.contains("notice=bulk-done"),
        "{back}"
    );
    assert!(
        desk.get(&back)
            .await
            .body
            .contains("選んだ提案をまとめて変更しました")
    );
    for r in &rs {
        assert_eq!(
            app.store
                .proposal(k(), r)
                .await
                .expect("p")
                .assignee_user_id,
            Some(officer)
        );
        assert_eq!(
            count(&app, &audits(r)).await,
            1,
            "one audit entry per proposal"
        );
    }
    app.stop().await;
}

/// Declining in bulk: a closed proposal among the ticked ones is left out and said to be; the
/// open ones are declined with the one reason and explanation, and each proponent is mailed.
async fn bulk_decline_leaves_closed_ones_out(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let rs = proposals(&app, &["一括不採択A", "一括不採択B", "一括不採択C"]).await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    desk.get("/t/272027/desk/proposals").await;
    // C is closed first, on its own.
    let one = fields(
        &rs[2..],
        &[
            ("action", "decline"),
            ("reason", "sales_pitch"),
            ("explanation", "営業目的のご案内のため見送ります。"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(desk.post(BULK, &one).await.status, 303);
    assert_eq!(status(&app, &rs[2]).await, Status::Declined);
    let mails_before = count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'status'").await;

    let ask = fields(
        &rs,
        &[
            ("action", "decline"),
            ("reason", "sales_pitch"),
            (
                "explanation",
                "製品のご案内として承りました。今回は見送らせていただきます。",
            ),
        ],
    );
    let confirm = desk.post(BULK, &ask).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(
        confirm.body.contains("次の2件をまとめて変更しますか"),
        "{}",
        confirm.body
    );
    assert!(
        confirm.body.contains("対象外（1件）") && confirm.body.contains("対応を終えています"),
        "{}",
        confirm.body
    );
    assert!(confirm.body.contains("この操作は取り消せません"));
    // The confirmation posts only what it showed would change.
    assert!(
        !confirm
            .body
            .contains(&format!("name=\"receipt\" value=\"{}\"", rs[2]))
    );
    assert_eq!(
        status(&app, &rs[0]).await,
        Status::Received,
        "declined before confirming"
    );

    let mut yes = fields(&rs[..2], &ask[3..]);
    yes.push(("confirm", "yes"));
    assert_eq!(desk.post(BULK, &yes).await.status, 303);
    for r in &rs[..2] {
        let p = app.store.proposal(k(), r).await.expect("p");
        assert_eq!(p.status(), Status::Declined);
        assert_eq!(
            p.decline_explanation.as_deref(),
            Some("製品のご案内として承りました。今回は見送らせていただきます。")
        );
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE kind = 'status'").await,
        mails_before + 2,
        "each declined proponent is mailed"
    );
    app.stop().await;
}

/// A proposal moved by someone else between the 確認画面 and the confirmation: nothing is
/// changed, not even the ones that could have been.
async fn a_stale_confirmation_changes_nothing(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let rs = proposals(&app, &["一括競合A", "一括競合B"]).await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    desk.get("/t/272027/desk/proposals").await;
    let ask = fields(&rs, &[("action", "start_hearing")]);
    assert_eq!(desk.post(BULK, &ask).await.status, 200);
    // Meanwhile a colleague starts the hearing of B on its own page.
    let mut other = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    other
        .get(&format!("/t/272027/desk/proposals/{}", rs[1]))
        .await;
    let moved = other
        .post(
            &format!("/t/272027/desk/proposals/{}/transition", rs[1]),
            &[("action", "start_hearing"), ("note", "")],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let events_a = count(&app, &format!("SELECT COUNT(*) FROM proposal_events e JOIN proposals p ON p.id = e.proposal_id WHERE p.receipt_number = '{}'", rs[0])).await;

    let mut yes = ask.clone();
    yes.push(("confirm", "yes"));
    let refused = desk.post(BULK, &yes).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("何も変更しませんでした"),
        "{}",
        refused.body
    );
    assert_eq!(
        status(&app, &rs[0]).await,
        Status::Received,
        "A changed although the bulk change was refused"
    );
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM proposal_events e JOIN proposals p ON p.id = e.proposal_id WHERE p.receipt_number = '{}'", rs[0])).await,
        events_a
    );
    // The ticks are kept for the next try.
    assert!(
        refused
            .body
            .contains(&format!("value=\"{}\" id=\"sel-{}\" checked", rs[0], rs[0])),
        "the ticks were lost"
    );
    app.stop().await;
}

/// Bad input: nothing ticked, no action, a decline without explanation, a receipt of another
/// desk, too many — the inbox again with a Japanese message, nothing written.
async fn bad_bulk_input_writes_nothing(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let rs = proposals(&app, &["一括入力A"]).await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    desk.get("/t/272027/desk/proposals").await;
    let audits = || {
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'proposal.%' AND action NOT IN ('proposal.read', 'proposal.list')",
        )
    };
    let before = audits().await;
    let many: Vec<String> = (0..101).map(|i| format!("272027-2026-{i:04}")).collect();
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (
            vec![("action", "start_hearing")],
            "提案を1件以上選んでください",
        ),
        (fields(&rs, &[("action", "")]), "操作を選んでください"),
        (fields(&rs, &[("action", "decide")]), "操作を選んでください"),
        (
            fields(
                &rs,
                &[
                    ("action", "decline"),
                    ("reason", "sales_pitch"),
                    ("explanation", ""),
                ],
            ),
            "説明",
        ),
        (
            vec![("receipt", "131016-2026-0001"), ("action", "start_hearing")],
            "この窓口にないもの",
        ),
        (fields(&many, &[("action", "start_hearing")]), "100件まで"),
    ];
    for (f, message) in cases {
        let page = desk.post(BULK, &f).await;
        assert_eq!(page.status, 422, "{f:?}: {}", page.status);
        assert!(page.body.contains(message), "{f:?}: no 「{message}」");
        assert!(page.body.contains("error-summary"), "{f:?}");
    }
    assert_eq!(status(&app, &rs[0]).await, Status::Received);
    assert_eq!(audits().await, before, "something was written");
    app.stop().await;
}

/// Only the tenant's desk: a department officer, an admin, another city's desk and a visitor
/// change nothing.
async fn only_the_desk_changes_in_bulk(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let rs = proposals(&app, &["一括権限A"]).await;
    let ask = fields(&rs, &[("action", "start_hearing"), ("confirm", "yes")]);
    for email in [
        "kikikanri@kishiwada.demo.renkei.jp",
        "admin@kishiwada.demo.renkei.jp",
        "desk@kawasaki.demo.renkei.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        c.get("/t/272027/mypage").await;
        let page = c.post(BULK, &ask).await;
        assert!(
            [403, 404].contains(&page.status),
            "{email}: {}",
            page.status
        );
    }
    let mut anon = app.client();
    anon.get("/t/272027").await;
    let page = anon.post(BULK, &ask).await;
    assert!(
        [303, 403].contains(&page.status),
        "visitor: {}",
        page.status
    );
    assert_eq!(status(&app, &rs[0]).await, Status::Received);
    app.stop().await;
}

on_both!(
    desk_assigns_several_at_once,
    bulk_decline_leaves_closed_ones_out,
    a_stale_confirmation_changes_nothing,
    bad_bulk_input_writes_nothing,
    only_the_desk_changes_in_bulk
);
