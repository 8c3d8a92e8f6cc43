//! Who owns a proposal (pen-test attack e): an account whose e-mail address matches a
//! proposal's gets nothing until it proves that it owns the proposal, from the private
//! tracking link or through a confirmation mailed to the address; and no one becomes desk
//! staff (who read every proposal) without the desk hearing of it.

use crate::web_proposals::{PDF, propose};
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_store::Who;
use renkei_testkit::{Backend, Client, TestApp, on_both};

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

const ADMIN: &str = "admin@kishiwada.demo.renkei.jp";
const OPERATOR: &str = "operator@demo.renkei.jp";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const PROPONENT: &str = "proponent@example.co.jp";
const ATTACKER_PASSWORD: &str = "attacker password 2026";

async fn signed_in(app: &TestApp, email: &str, password: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, password).await;
    assert_eq!(r.status, 303, "{email} signs in");
    c
}

/// An anonymous submission (with a PDF) from `email`: its receipt number and tracking path.
async fn sent_from(app: &TestApp, email: &str, title: &str) -> (String, String) {
    let mut c = app.client();
    let ok = propose(
        &mut c,
        title,
        Some(("資料.pdf", PDF.to_vec())),
        &[("email", email)],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let track = ok
        .location
        .expect("tracking link")
        .trim_end_matches("?notice=proposal-received")
        .to_string();
    let p = app
        .store
        .inbox(
            k(),
            &renkei_store::proposals::InboxFilter {
                q: Some(title.into()),
                per_page: 5,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0
        .into_iter()
        .find(|p| p.title == title)
        .expect("proposal");
    (p.receipt_number, track)
}

async fn owner_of(app: &TestApp, receipt: &str) -> Option<i64> {
    app.store
        .proposal(k(), receipt)
        .await
        .expect("proposal")
        .proponent_user_id
}

async fn user_id(app: &TestApp, email: &str) -> i64 {
    app.store.user_by_email(email).await.expect("user").id
}

async fn claims(app: &TestApp, receipt: &str) -> i64 {
    app.store
        .audit_count("proposal.claim", &format!("proposal:{receipt}"))
        .await
        .expect("audit")
}

/// Creates an account through the admin page, as `by` (an administrator or the operator).
async fn create_account(
    by: &mut Client,
    role: &str,
    email: &str,
    name: &str,
) -> renkei_testkit::Page {
    by.get("/t/272027/admin/users").await;
    by.post(
        "/t/272027/admin/users",
        &[
            ("email", email),
            ("display_name", name),
            ("role", role),
            ("password", ATTACKER_PASSWORD),
            ("department", ""),
        ],
    )
    .await
}

/// The pen-test: an administrator and an operator each create a proponent account with a
/// proponent's e-mail address and sign in with it. The my-page, the proposal page, the
/// attachment and the API show nothing, and nothing is read.
async fn an_account_with_the_proponents_address_sees_nothing(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    for (by, victim, title) in [
        (ADMIN, "victim-a@example.co.jp", "管理者に狙われた提案"),
        (OPERATOR, "victim-b@example.co.jp", "運用者に狙われた提案"),
    ] {
        let (receipt, _track) = sent_from(&app, victim, title).await;
        let p = app.store.proposal(k(), &receipt).await.expect("p");
        let attachment = app.store.attachments(p.id).await.expect("attachments")[0].id;
        let reads = app
            .store
            .audit_count("proposal.read", &format!("proposal:{receipt}"))
            .await
            .expect("audit");

        let mut boss = signed_in(&app, by, DEMO_PASSWORD).await;
        let made = create_account(&mut boss, "proponent", victim, "なりすまし").await;
        assert_eq!(made.status, 303, "{by} creates the account: {}", made.body);
        let mut attacker = signed_in(&app, victim, ATTACKER_PASSWORD).await;

        let mypage = attacker.get("/t/272027/mypage").await;
        assert_eq!(mypage.status, 200);
        assert!(!mypage.body.contains(title), "{by}: listed on the my-page");
        assert!(!mypage.body.contains(&receipt), "{by}: receipt listed");
        let page = attacker
            .get(&format!("/t/272027/mypage/proposals/{receipt}"))
            .await;
        assert_eq!(page.status, 404, "{by}: the proposal page");
        assert!(!page.body.contains(title));
        let file = attacker
            .get(&format!(
                "/t/272027/mypage/proposals/{receipt}/attachments/{attachment}"
            ))
            .await;
        assert_eq!(file.status, 404, "{by}: the attachment");
        assert!(!file.body.contains("Renkei test attachment"));
        // Nor can it act on the proposal through the my-page routes.
        for action in ["messages", "withdraw", "consent"] {
            let r = attacker
                .post(
                    &format!("/t/272027/mypage/proposals/{receipt}/{action}"),
                    &[("body", "なりすまし"), ("publication", "yes")],
                )
                .await;
            assert_eq!(r.status, 404, "{by}: {action}");
        }
        assert_eq!(
            app.store
                .proposal(k(), &receipt)
                .await
                .expect("p")
                .status
                .code(),
            "received",
            "{by}: not withdrawn"
        );

        // The API: a token of the account opens nothing either.
        let (_, token) = app
            .store
            .token_create(&Who::cli(), user_id(&app, victim).await, "attack")
            .await
            .expect("token");
        for path in [
            format!("/api/v1/tenants/272027/proposals/{receipt}"),
            "/api/v1/tenants/272027/proposals".to_string(),
        ] {
            let r = attacker.api_get(&path, Some(&token)).await;
            assert_eq!(r.status, 403, "{by}: {path}");
            assert!(!r.body.contains(title));
        }

        assert_eq!(owner_of(&app, &receipt).await, None, "{by}: not linked");
        assert_eq!(
            app.store
                .audit_count("proposal.read", &format!("proposal:{receipt}"))
                .await
                .expect("audit"),
            reads,
            "{by}: nothing was read"
        );
    }
}

/// Holding the tracking link proves ownership: a signed-in proponent account adds the
/// proposal to itself with an explicit, CSRF-checked action; it is audited and on the timeline.
async fn the_tracking_link_claims_a_proposal(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (receipt, track) =
        sent_from(&app, "taro@example.co.jp", "追跡リンクから追加する提案").await;
    let me = user_id(&app, PROPONENT).await;

    // Signed out: the page says that signing in would let them add it.
    let mut anon = app.client();
    let page = anon.get(&track).await;
    assert!(
        page.body
            .contains("ログインするとこの提案をアカウントに追加できます")
    );
    let r = anon.post(&format!("{track}/claim"), &[]).await;
    assert_eq!(r.status, 303);
    assert!(
        r.location.as_deref().unwrap_or("").starts_with("/login"),
        "{:?}",
        r.location
    );

    let mut c = signed_in(&app, PROPONENT, DEMO_PASSWORD).await;
    assert!(
        !c.get("/t/272027/mypage")
            .await
            .body
            .contains("追跡リンクから追加する提案")
    );
    let page = c.get(&track).await;
    assert!(
        page.body
            .contains("この提案をあなたのアカウント（proponent@example.co.jp）に追加しますか。"),
        "{}",
        page.body
    );
    assert!(page.body.contains("このアカウントに追加"));

    // Without the CSRF token: refused, nothing changes.
    let forged = c.post_raw(&format!("{track}/claim"), &[]).await;
    assert_eq!(forged.status, 403);
    assert_eq!(owner_of(&app, &receipt).await, None);
    assert_eq!(claims(&app, &receipt).await, 0);

    let ok = c.post(&format!("{track}/claim"), &[]).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(
        ok.location.as_deref(),
        Some(format!("{track}?notice=proposal-claimed").as_str())
    );
    assert_eq!(owner_of(&app, &receipt).await, Some(me));
    assert_eq!(claims(&app, &receipt).await, 1, "the claim is audited");
    let after = c.get(&format!("{track}?notice=proposal-claimed")).await;
    assert!(
        after
            .body
            .contains("この提案をあなたのアカウントに追加しました。")
    );
    assert!(
        after
            .body
            .contains("この提案はあなたのアカウントに追加されています。")
    );
    assert!(
        after.body.contains("提案者アカウントに追加されました"),
        "timeline"
    );

    // Now it is the account's: listed, readable, its attachment downloadable.
    let mypage = c.get("/t/272027/mypage").await;
    assert!(mypage.body.contains("追跡リンクから追加する提案"));
    let own = c
        .get(&format!("/t/272027/mypage/proposals/{receipt}"))
        .await;
    assert_eq!(own.status, 200);
    let p = app.store.proposal(k(), &receipt).await.expect("p");
    let a = app.store.attachments(p.id).await.expect("attachments")[0].id;
    let file = c
        .get(&format!(
            "/t/272027/mypage/proposals/{receipt}/attachments/{a}"
        ))
        .await;
    assert_eq!(file.status, 200);

    // Another proponent account holding the link cannot take it over.
    let mut admin = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    assert_eq!(
        create_account(&mut admin, "proponent", "other@example.co.jp", "別の提案者")
            .await
            .status,
        303
    );
    let mut other = signed_in(&app, "other@example.co.jp", ATTACKER_PASSWORD).await;
    let seen = other.get(&track).await;
    assert!(seen.body.contains("別の提案者アカウントに追加されています"));
    assert!(!seen.body.contains("このアカウントに追加</button>"));
    let refused = other.post(&format!("{track}/claim"), &[]).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("この提案は、既に別の提案者アカウントに追加されています。")
    );
    assert_eq!(owner_of(&app, &receipt).await, Some(me));

    // Staff holding the link cannot claim it.
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    desk.get("/t/272027/desk").await;
    assert_eq!(desk.post(&format!("{track}/claim"), &[]).await.status, 403);
    assert_eq!(claims(&app, &receipt).await, 1);
}

/// The link in a confirmation mail, taken from the outbox.
async fn mailed_link(app: &TestApp, to: &str) -> (String, String) {
    let mail = app
        .store
        .outbox_list(50)
        .await
        .expect("outbox")
        .into_iter()
        .find(|m| m.kind == "link" && m.to == to)
        .expect("confirmation mail");
    let start = mail.body.find("/t/272027/mypage/link/").expect("link");
    let path: String = mail.body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    let token = path.rsplit('/').next().expect("token").to_string();
    (path, token)
}

async fn link_mails(app: &TestApp) -> usize {
    app.store
        .outbox_list(1000)
        .await
        .expect("outbox")
        .iter()
        .filter(|m| m.kind == "link")
        .count()
}

/// The confirmation mailed to the proposal's address: works once, for the account that asked,
/// before it expires; wrong, used and old links are refused with a clear message.
async fn the_mailed_confirmation_links_once(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (r1, _) = sent_from(&app, PROPONENT, "アドレスから送った提案その1").await;
    let (r2, _) = sent_from(&app, PROPONENT, "アドレスから送った提案その2").await;
    let (r3, _) = sent_from(&app, "someone@example.co.jp", "他人の提案").await;
    let me = user_id(&app, PROPONENT).await;

    let mut c = signed_in(&app, PROPONENT, DEMO_PASSWORD).await;
    let mypage = c.get("/t/272027/mypage").await;
    assert!(
        !mypage.body.contains("アドレスから送った提案"),
        "not by address"
    );
    assert!(mypage.body.contains("確認メールを送信する"));

    // Without the CSRF token nothing is sent.
    assert_eq!(c.post_raw("/t/272027/mypage/link", &[]).await.status, 403);
    assert_eq!(link_mails(&app).await, 0);
    let sent = c.post("/t/272027/mypage/link", &[]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        sent.location.as_deref(),
        Some("/t/272027/mypage?notice=link-mail-sent")
    );
    assert!(
        c.get("/t/272027/mypage?notice=link-mail-sent")
            .await
            .body
            .contains("確認メールを送信しました。")
    );
    assert_eq!(link_mails(&app).await, 1);
    let (path, token) = mailed_link(&app, PROPONENT).await;
    assert!(path.starts_with("/t/272027/mypage/link/"));
    // Only the token's hash is stored.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM proposal_link_tokens")
        .fetch_all(app.store.pool())
        .await
        .expect("tokens");
    assert_eq!(stored, vec![renkei_store::sessions::token_hash(&token)]);
    assert_eq!(
        app.store
            .audit_count("proponent.link.request", &format!("user:{me}"))
            .await
            .expect("audit"),
        1
    );
    // Asking again at once: refused politely, no second mail.
    let again = c.post("/t/272027/mypage/link", &[]).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("再送信は10分後からできます。"));
    assert_eq!(link_mails(&app).await, 1);

    // Another account (made by an administrator) cannot use the link.
    let mut admin = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    assert_eq!(
        create_account(&mut admin, "proponent", "other@example.co.jp", "別の提案者")
            .await
            .status,
        303
    );
    let mut other = signed_in(&app, "other@example.co.jp", ATTACKER_PASSWORD).await;
    let refused = other.get(&path).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("この確認リンクは無効です。"));
    assert!(!refused.body.contains("アドレスから送った提案"));
    other.get("/t/272027/mypage").await;
    let refused = other.post(&path, &[]).await;
    assert_eq!(refused.status, 400);
    assert_eq!(owner_of(&app, &r1).await, None);
    // A wrong token: the same clear refusal.
    let wrong = c.get("/t/272027/mypage/link/not-a-real-token").await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("この確認リンクは無効です。"));

    // The owner sees what would be added, and is asked first.
    let offer = c.get(&path).await;
    assert_eq!(offer.status, 200);
    assert!(offer.body.contains(
        "次の提案を、あなたのアカウント（提案 三郎・proponent@example.co.jp）に追加しますか。"
    ));
    assert!(offer.body.contains("アドレスから送った提案その1"));
    assert!(offer.body.contains("アドレスから送った提案その2"));
    assert!(!offer.body.contains("他人の提案"));
    assert_eq!(owner_of(&app, &r1).await, None, "looking adds nothing");
    assert_eq!(c.post_raw(&path, &[]).await.status, 403, "CSRF");
    let linked = c.post(&path, &[]).await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    assert_eq!(
        linked.location.as_deref(),
        Some("/t/272027/mypage?notice=proposals-linked")
    );
    assert_eq!(owner_of(&app, &r1).await, Some(me));
    assert_eq!(owner_of(&app, &r2).await, Some(me));
    assert_eq!(
        owner_of(&app, &r3).await,
        None,
        "another address is untouched"
    );
    assert_eq!(claims(&app, &r1).await, 1, "audited per proposal");
    assert_eq!(claims(&app, &r2).await, 1);
    assert_eq!(
        app.store
            .audit_count("proponent.link.confirm", &format!("user:{me}"))
            .await
            .expect("audit"),
        1
    );
    let mypage = c.get("/t/272027/mypage?notice=proposals-linked").await;
    assert!(mypage.body.contains("提案をアカウントに追加しました。"));
    assert!(mypage.body.contains("アドレスから送った提案その1"));
    assert!(mypage.body.contains("アドレスから送った提案その2"));

    // Once only.
    let used = c.get(&path).await;
    assert_eq!(used.status, 410);
    assert!(used.body.contains("この確認リンクは既に使用されています。"));
    assert_eq!(c.post(&path, &[]).await.status, 410);

    // It expires: a new request after the interval, then a day and more later.
    let (r4, _) = sent_from(&app, PROPONENT, "アドレスから送った提案その3").await;
    app.db().clock.advance(chrono::Duration::minutes(11));
    c.get("/t/272027/mypage").await;
    assert_eq!(c.post("/t/272027/mypage/link", &[]).await.status, 303);
    let (old_path, _) = mailed_link(&app, PROPONENT).await;
    assert_ne!(old_path, path);
    app.db().clock.advance(chrono::Duration::minutes(11));
    c.get("/t/272027/mypage").await;
    assert_eq!(c.post("/t/272027/mypage/link", &[]).await.status, 303);
    let (new_path, _) = mailed_link(&app, PROPONENT).await;
    assert_ne!(new_path, old_path);
    // The older link stopped working when the newer one was sent.
    let superseded = c.get(&old_path).await;
    assert_eq!(superseded.status, 410);
    assert!(superseded.body.contains("有効期限が切れています"));
    app.db().clock.advance(chrono::Duration::hours(25));
    let mut c = signed_in(&app, PROPONENT, DEMO_PASSWORD).await;
    let expired = c.get(&new_path).await;
    assert_eq!(expired.status, 410);
    assert!(
        expired
            .body
            .contains("この確認リンクは有効期限が切れています")
    );
    c.get("/t/272027/mypage").await;
    assert_eq!(c.post(&new_path, &[]).await.status, 410);
    assert_eq!(
        owner_of(&app, &r4).await,
        None,
        "an expired link adds nothing"
    );
}

/// Sent while signed in as the proponent account: the account's from the start.
async fn a_proposal_sent_signed_in_is_owned(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = signed_in(&app, PROPONENT, DEMO_PASSWORD).await;
    let ok = propose(
        &mut c,
        "ログインして送った提案",
        None,
        &[("email", "another-address@example.co.jp")],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let mypage = c.get("/t/272027/mypage").await;
    assert!(mypage.body.contains("ログインして送った提案"));
    let p = app
        .store
        .proposals_of_proponent(k(), user_id(&app, PROPONENT).await)
        .await
        .expect("mine")
        .into_iter()
        .find(|p| p.title == "ログインして送った提案")
        .expect("owned");
    let page = c
        .get(&format!("/t/272027/mypage/proposals/{}", p.receipt_number))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("ログインして送った提案"));
}

/// An administrator can still make desk staff, but not quietly: the other desk staff get a
/// mail (queued with the change), the desk's home lists it for 30 days, the audit has it.
async fn a_new_desk_account_is_announced(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let before = app.store.outbox_list(10_000).await.expect("outbox").len();
    let mut admin = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let page = admin.get("/t/272027/admin/users").await;
    assert!(page.body.contains("他のデスク担当者全員にメールで通知され"));
    let made = create_account(&mut admin, "desk", "new-desk@example.jp", "新任 四郎").await;
    assert_eq!(made.status, 303, "{}", made.body);
    let new_id = user_id(&app, "new-desk@example.jp").await;

    let mails = app.store.outbox_list(10_000).await.expect("outbox");
    assert_eq!(
        mails.len(),
        before + 1,
        "one mail: to the one other desk account"
    );
    let mail = &mails[0];
    assert_eq!(mail.kind, "desk-staff");
    assert_eq!(mail.to, DESK);
    assert_eq!(mail.tenant_code.as_deref(), Some("272027"));
    assert!(
        mail.subject.contains("デスク担当が追加されました"),
        "{}",
        mail.subject
    );
    for text in [
        "新任 四郎（new-desk@example.jp）",
        "管理 花子（admin@kishiwada.demo.renkei.jp）",
        "令和8年11月24日 10:00",
        "心当たりがない場合は",
    ] {
        assert!(
            mail.body.contains(text),
            "{text} missing from:\n{}",
            mail.body
        );
    }
    assert_eq!(
        app.store
            .audit_count("desk.staff.added", &format!("user:{new_id}"))
            .await
            .expect("audit"),
        1
    );
    assert_eq!(
        app.store
            .audit_count("user.create", &format!("user:{new_id}"))
            .await
            .expect("audit"),
        1
    );

    // Other roles are not announced; a refused creation sends nothing.
    assert_eq!(
        create_account(&mut admin, "proponent", "plain@example.co.jp", "提案者")
            .await
            .status,
        303
    );
    let dup = create_account(&mut admin, "desk", "new-desk@example.jp", "二重").await;
    assert_eq!(dup.status, 422);
    assert_eq!(
        app.store.outbox_list(10_000).await.expect("outbox").len(),
        before + 1
    );

    // The desk's home shows who joined, by whom, when (和暦).
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    let home = desk.get("/t/272027/desk").await;
    assert!(
        home.body.contains("最近追加されたデスク担当"),
        "{}",
        home.body
    );
    for text in [
        "新任 四郎（new-desk@example.jp）がデスク担当に追加されました。",
        "操作した人：管理 花子（admin@kishiwada.demo.renkei.jp）",
        "令和8年11月24日 10:00",
    ] {
        assert!(home.body.contains(text), "{text} missing");
    }
    // Other desks do not see it.
    let mut kawasaki = signed_in(&app, "desk@kawasaki.demo.renkei.jp", DEMO_PASSWORD).await;
    assert!(
        !kawasaki
            .get("/t/141305/desk")
            .await
            .body
            .contains("new-desk@example.jp")
    );
    // After 30 days the notice is gone.
    app.db().clock.advance(chrono::Duration::days(31));
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    let home = desk.get("/t/272027/desk").await;
    assert!(!home.body.contains("最近追加されたデスク担当"));
}

on_both!(an_account_with_the_proponents_address_sees_nothing);
on_both!(the_tracking_link_claims_a_proposal);
on_both!(the_mailed_confirmation_links_once);
on_both!(a_proposal_sent_signed_in_is_owned);
on_both!(a_new_desk_account_is_announced);
