//! Password reset by a mailed single-use link (「パスワードをお忘れの方」): the form tells no
//! one which addresses have accounts; the mailed link (built from the configured address)
//! sets a new password once, within the hour, ends every session and is announced by mail;
//! requests are throttled per address and per client even when they arrive together; the
//! administrator can have the mail sent (audited) but never sees a password.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_store::Who;
use renkei_store::outbox::QueuedMail;
use renkei_testkit::{Backend, Client, TestApp, on_both};
use std::sync::Arc;

const PROPONENT: &str = "proponent@example.co.jp";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const DEPT: &str = "kikikanri@kishiwada.demo.renkei.jp";
const ADMIN: &str = "admin@kishiwada.demo.renkei.jp";
const NEW_PASSWORD: &str = "新しい合言葉 2026 reset";
const SENT: &str = "入力されたアドレスにアカウントがある場合、再設定のご案内をお送りしました。";

async fn signed_in(app: &TestApp, email: &str, password: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, password).await;
    assert_eq!(r.status, 303, "{email} signs in: {}", r.body);
    c
}

/// Asks for a reset link through the form, as a new visitor.
async fn ask(app: &TestApp, email: &str) -> renkei_testkit::Page {
    let mut c = app.client();
    let form = c.get("/password/forgot").await;
    assert_eq!(form.status, 200);
    c.post("/password/forgot", &[("email", email)]).await
}

/// The mails of `kind` to `to`, oldest first.
async fn mails(app: &TestApp, kind: &str, to: &str) -> Vec<QueuedMail> {
    let mut list: Vec<QueuedMail> = app
        .store
        .outbox_list(1000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.kind == kind && m.to == to)
        .collect();
    list.reverse();
    list
}

async fn reset_mails(app: &TestApp, to: &str) -> usize {
    mails(app, "password-reset", to).await.len()
}

/// The path of the link in the newest reset mail to `to`; the link must point at this
/// server's configured address.
async fn link_for(app: &TestApp, to: &str) -> String {
    let all = mails(app, "password-reset", to).await;
    let mail = all.last().expect("a reset mail");
    let prefix = app.url("/password/reset/");
    let start = mail
        .body
        .find(&prefix)
        .expect("the link, from the public address");
    let link: String = mail.body[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link.trim_start_matches(&app.url("")).to_string()
}

async fn count(app: &TestApp, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    count(
        app,
        "SELECT COUNT(*) FROM audit_log WHERE action = $1",
        action,
    )
    .await
}

async fn password_hash(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(app.store.pool())
        .await
        .expect("hash")
}

/// The page without its CSRF token (each visitor has their own).
fn without_csrf(body: &str) -> String {
    match renkei_testkit::csrf_in(body) {
        Some(t) if !t.is_empty() => body.replace(&t, "CSRF"),
        _ => body.to_string(),
    }
}

fn later(app: &TestApp, minutes: i64) {
    let now = app.store.now();
    app.db().set(now + chrono::Duration::minutes(minutes));
}

/// A known address, an unknown one, a deactivated account's and one over the throttle get
/// byte for byte the same page and status; only the active account gets mail, only it is
/// audited, and the unknown address is recorded for the throttle (hashed) and nowhere else.
async fn every_address_reads_the_same(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let dept = app.store.user_by_email(DEPT).await.expect("dept");
    let tenant = app.store.tenant("272027").await.expect("tenant");
    app.store
        .user_set_disabled(
            &Who::cli(),
            &tenant,
            dept.id,
            true,
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("disable");
    let audit_before = app.store.audit_total().await.expect("audit");

    let known = ask(&app, PROPONENT).await;
    let unknown = ask(&app, "nobody-here@example.jp").await;
    let disabled = ask(&app, DEPT).await;
    assert_eq!(known.status, 200);
    assert!(known.body.contains(SENT), "{}", known.body);
    let reference = without_csrf(&known.body);
    for (what, page) in [("unknown", &unknown), ("disabled", &disabled)] {
        assert_eq!(page.status, known.status, "{what}");
        assert_eq!(without_csrf(&page.body), reference, "{what}");
    }
    assert_eq!(reset_mails(&app, PROPONENT).await, 1);
    assert_eq!(reset_mails(&app, "nobody-here@example.jp").await, 0);
    assert_eq!(reset_mails(&app, DEPT).await, 0, "a deactivated account");
    // Audited for the known account only; the unknown address is nowhere in the trail.
    assert_eq!(audited(&app, "user.password_reset_request").await, 1);
    assert_eq!(
        app.store.audit_total().await.expect("audit"),
        audit_before + 1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE detail LIKE $1 OR target LIKE $1",
            "%nobody-here%",
        )
        .await,
        0
    );
    // Every request counts for the throttle, known or not, and no address is kept in clear.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM password_reset_requests WHERE ip <> $1",
            ""
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM password_reset_requests WHERE email_hash LIKE $1",
            "%@%",
        )
        .await,
        0
    );

    // Over the limit (the 4th request for one address within the hour): the same answer, no mail.
    assert_eq!(ask(&app, PROPONENT).await.status, 200);
    assert_eq!(ask(&app, PROPONENT).await.status, 200);
    assert_eq!(reset_mails(&app, PROPONENT).await, 3);
    let throttled = ask(&app, PROPONENT).await;
    assert_eq!(throttled.status, known.status);
    assert_eq!(without_csrf(&throttled.body), reference, "throttled");
    assert_eq!(reset_mails(&app, PROPONENT).await, 3, "no 4th mail");

    // A malformed address is the only thing refused, next to its field.
    let mut c = app.client();
    c.get("/password/forgot").await;
    let bad = c
        .post("/password/forgot", &[("email", "not-an-address")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("メールアドレスの形式が正しくありません。")
    );
    assert!(
        bad.body
            .contains("aria-describedby=\"email-hint email-error\"")
    );
    // Without the visitor's CSRF token: refused, nothing sent.
    let mut d = app.client();
    d.get("/password/forgot").await;
    let forged = d
        .post_raw(
            "/password/forgot",
            &[
                ("_csrf", "forged"),
                ("email", "admin@osaka-pref.demo.renkei.jp"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(
        reset_mails(&app, "admin@osaka-pref.demo.renkei.jp").await,
        0
    );

    // The sign-in page leads here.
    let login = app.client().get("/login").await;
    assert!(login.body.contains("href=\"/password/forgot\""));
    assert!(login.body.contains("パスワードをお忘れの方"));
    app.stop().await;
}

/// The mailed link sets a new password: once; the old password stops working, the new one
/// signs in, every open session ends, sign-in failures are cleared, the account is told.
async fn the_link_sets_a_new_password_once(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let user = app.store.user_by_email(PROPONENT).await.expect("user");
    let mut open = signed_in(&app, PROPONENT, DEMO_PASSWORD).await;
    assert_eq!(open.get("/t/272027/mypage").await.status, 200);
    // Two failed sign-ins before the reset.
    for _ in 0..2 {
        assert_ne!(
            app.client()
                .login(PROPONENT, "wrong password 1")
                .await
                .status,
            303
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM login_failures WHERE email = $1",
            PROPONENT
        )
        .await,
        2
    );

    ask(&app, PROPONENT).await;
    let path = link_for(&app, PROPONENT).await;
    let token = path.trim_start_matches("/password/reset/").to_string();
    assert!(token.len() >= 43, "256 bits: {token}");
    // Only the token's SHA-256 is stored.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1",
            &token
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1",
            &renkei_store::sessions::token_hash(&token)
        )
        .await,
        1
    );
    let mut c = app.client();
    let form = c.get(&path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(PROPONENT), "the page names the account");
    assert!(form.body.contains("autocomplete=\"new-password\""));
    assert_eq!(
        form.headers
            .get("referrer-policy")
            .and_then(|v| v.to_str().ok()),
        Some("no-referrer"),
        "the URL holds the token"
    );
    let old_hash = password_hash(&app, PROPONENT).await;

    // A weak password, or two that differ: refused with messages, nothing typed sent back,
    // nothing changed, the link still usable.
    let weak = c
        .post(
            &path,
            &[("password", "short1"), ("password_confirm", "short1")],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(
        weak.body
            .contains("パスワードは10文字以上で入力してください。"),
        "{}",
        weak.body
    );
    assert!(
        weak.body
            .contains("aria-describedby=\"password-hint password-error\"")
    );
    assert!(!weak.body.contains("short1"));
    let differ = c
        .post(
            &path,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", "another password 9"),
            ],
        )
        .await;
    assert_eq!(differ.status, 422);
    assert!(
        differ.body.contains("パスワードが一致しません"),
        "{}",
        differ.body
    );
    assert!(!differ.body.contains(NEW_PASSWORD) && !differ.body.contains("another password 9"));
    assert_eq!(password_hash(&app, PROPONENT).await, old_hash);
    assert_eq!(audited(&app, "user.password_reset").await, 0);
    assert_eq!(
        open.get("/t/272027/mypage").await.status,
        200,
        "still signed in"
    );

    let done = c
        .post(
            &path,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some("/login?notice=password-reset")
    );
    let login = c.get("/login?notice=password-reset").await;
    assert!(
        login.body.contains("パスワードを再設定しました。"),
        "{}",
        login.body
    );
    let new_hash = password_hash(&app, PROPONENT).await;
    assert_ne!(new_hash, old_hash);
    assert!(new_hash.starts_with("$argon2id$"), "{new_hash}");

    // Every session ended; the failures were cleared; the account was told.
    let after = open.get("/t/272027/mypage").await;
    assert_eq!(after.status, 303, "the open session ended");
    assert_eq!(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .fetch_one(app.store.pool())
            .await
            .expect("sessions"),
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM login_failures WHERE email = $1",
            PROPONENT
        )
        .await,
        0
    );
    let told = mails(&app, "password-changed", PROPONENT).await;
    assert_eq!(told.len(), 1);
    assert!(told[0].subject.contains("パスワードが変更されました"));
    assert_eq!(audited(&app, "user.password_reset").await, 1);
    assert_eq!(
        app.store
            .audit_count("user.password_reset", &format!("user:{}", user.id))
            .await
            .expect("audit"),
        1
    );

    // The old password fails; the new one signs in.
    assert_ne!(
        app.client().login(PROPONENT, DEMO_PASSWORD).await.status,
        303
    );
    signed_in(&app, PROPONENT, NEW_PASSWORD).await;

    // The link works once.
    let mut again = app.client();
    again.get("/password/forgot").await; // the visitor's CSRF token (a refusal has no form)
    let gone = again.get(&path).await;
    assert_eq!(gone.status, 410);
    assert!(gone.body.contains("既に使用されています"), "{}", gone.body);
    let reuse = again
        .post(
            &path,
            &[
                ("password", "third password 333"),
                ("password_confirm", "third password 333"),
            ],
        )
        .await;
    assert_eq!(reuse.status, 410);
    assert!(reuse.body.contains("既に使用されています"));
    assert_eq!(
        password_hash(&app, PROPONENT).await,
        new_hash,
        "nothing changed"
    );
    assert_eq!(audited(&app, "user.password_reset").await, 1);
    assert_eq!(mails(&app, "password-changed", PROPONENT).await.len(), 1);

    // The route is known by its template (as the request log names it), never by the token.
    let metrics = app.client().get("/metrics").await.body;
    assert!(
        metrics.contains("route=\"/password/reset/{token}\""),
        "{metrics}"
    );
    assert!(!metrics.contains(&token), "the token reached the metrics");
    app.stop().await;
}

/// A link stops working after an hour (by the store's clock), when a newer one is sent, or
/// when it was never sent; nothing is written then.
async fn dead_links_are_refused(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let before = password_hash(&app, DESK).await;
    let good = [
        ("password", NEW_PASSWORD),
        ("password_confirm", NEW_PASSWORD),
    ];

    // Unknown.
    let mut c = app.client();
    let unknown = c.get("/password/reset/not-a-token-anyone-was-sent").await;
    assert_eq!(unknown.status, 404);
    assert!(
        unknown.body.contains("リンクは無効です"),
        "{}",
        unknown.body
    );
    assert!(unknown.body.contains("href=\"/password/forgot\""));

    // Expired: 61 minutes later.
    ask(&app, DESK).await;
    let first = link_for(&app, DESK).await;
    later(&app, 59);
    assert_eq!(c.get(&first).await.status, 200, "still within the hour");
    later(&app, 2);
    let expired = c.get(&first).await;
    assert_eq!(expired.status, 410);
    assert!(
        expired.body.contains("有効期限が切れています"),
        "{}",
        expired.body
    );
    let late = c.post(&first, &good).await;
    assert_eq!(late.status, 410);
    assert!(late.body.contains("有効期限が切れています"));
    assert_eq!(password_hash(&app, DESK).await, before);

    // A newer link ends the older one.
    ask(&app, DESK).await;
    let second = link_for(&app, DESK).await;
    ask(&app, DESK).await;
    let third = link_for(&app, DESK).await;
    assert_ne!(second, third);
    let replaced = c.post(&second, &good).await;
    assert_eq!(replaced.status, 410, "{}", replaced.body);
    assert_eq!(password_hash(&app, DESK).await, before);

    // A link of an account deactivated since: refused.
    let desk = app.store.user_by_email(DESK).await.expect("desk");
    let tenant = app.store.tenant("272027").await.expect("tenant");
    let mailer = renkei_testkit::mails(renkei_testkit::DEMO_URL);
    app.store
        .user_set_disabled(&Who::cli(), &tenant, desk.id, true, &mailer)
        .await
        .expect("disable");
    let stopped = c.post(&third, &good).await;
    assert_eq!(stopped.status, 404, "{}", stopped.body);
    assert_eq!(password_hash(&app, DESK).await, before);
    app.store
        .user_set_disabled(&Who::cli(), &tenant, desk.id, false, &mailer)
        .await
        .expect("enable");
    // The newest link works once the account is active again.
    assert_eq!(c.post(&third, &good).await.status, 303);
    assert_ne!(password_hash(&app, DESK).await, before);
    assert_eq!(audited(&app, "user.password_reset").await, 1);
    app.stop().await;
}

/// At most 3 links per address and 10 requests per client in an hour, counted inside the
/// request's own transaction: 10 requests at once for one address send 3 mails.
async fn the_throttle_holds_when_requests_arrive_together(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    // Ten visitors, each with their form open, send at the same moment.
    let mut clients = Vec::new();
    for _ in 0..10 {
        let mut c = app.client();
        c.get("/password/forgot").await;
        clients.push(c);
    }
    let start = Arc::new(tokio::sync::Barrier::new(clients.len()));
    let mut set = tokio::task::JoinSet::new();
    for mut c in clients {
        let start = start.clone();
        set.spawn(async move {
            start.wait().await;
            c.post("/password/forgot", &[("email", DESK)]).await.status
        });
    }
    while let Some(status) = set.join_next().await {
        assert_eq!(status.expect("request"), 200);
    }
    assert_eq!(reset_mails(&app, DESK).await, 3, "never more than 3");
    assert_eq!(audited(&app, "user.password_reset_request").await, 3);

    // An hour later the address may ask again.
    later(&app, 61);
    ask(&app, DESK).await;
    assert_eq!(reset_mails(&app, DESK).await, 4);

    // Per client: after 10 requests from one address in the hour (one above, nine here, for
    // addresses without accounts), an 11th for an account sends nothing.
    for i in 0..9 {
        assert_eq!(
            ask(&app, &format!("nobody{i}@example.jp")).await.status,
            200
        );
    }
    let page = ask(&app, DEPT).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(SENT));
    assert_eq!(
        reset_mails(&app, DEPT).await,
        0,
        "the client is over its limit"
    );
    later(&app, 61);
    ask(&app, DEPT).await;
    assert_eq!(reset_mails(&app, DEPT).await, 1);
    app.stop().await;
}

/// The administrator's 「再設定メールを送る」: asked first, then the same mail to the account's
/// own address, audited with the administrator as actor; never for a deactivated account,
/// never for another local government's account; no password on any of these pages.
async fn the_administrator_sends_the_reset_mail(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let admin = app.store.user_by_email(ADMIN).await.expect("admin");
    let desk = app.store.user_by_email(DESK).await.expect("desk");
    let before = password_hash(&app, DESK).await;
    let mut a = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let list = a.get("/t/272027/admin/users").await;
    let action = format!("/t/272027/admin/users/{}/password-reset", desk.id);
    assert!(list.body.contains(&format!("action=\"{action}\"")));
    assert!(list.body.contains("再設定メールを送る"));

    let ask_first = a.post(&action, &[]).await;
    assert_eq!(ask_first.status, 200);
    assert!(
        ask_first
            .body
            .contains("パスワード再設定のメールを送りますか"),
        "{}",
        ask_first.body
    );
    assert_eq!(
        reset_mails(&app, DESK).await,
        0,
        "nothing before the confirmation"
    );
    let done = a.post(&action, &[("confirm", "yes")]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some("/t/272027/admin/users?notice=user-password-reset-done")
    );
    let notice = a
        .get("/t/272027/admin/users?notice=user-password-reset-done")
        .await;
    assert!(
        notice
            .body
            .contains("パスワード再設定のメールを送信しました。")
    );
    assert_eq!(reset_mails(&app, DESK).await, 1);
    let actor: (Option<i64>, String) = sqlx::query_as(
        "SELECT actor_user_id, actor FROM audit_log WHERE action = 'user.password_reset_request' AND target = $1",
    )
    .bind(format!("user:{}", desk.id))
    .fetch_one(app.store.pool())
    .await
    .expect("audit entry");
    assert_eq!(actor, (Some(admin.id), ADMIN.to_string()));
    assert_eq!(
        password_hash(&app, DESK).await,
        before,
        "the admin set nothing"
    );
    // The link is the account's to use.
    let path = link_for(&app, DESK).await;
    let mut holder = app.client();
    holder.get(&path).await;
    let set = holder
        .post(
            &path,
            &[
                ("password", NEW_PASSWORD),
                ("password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(set.status, 303);
    signed_in(&app, DESK, NEW_PASSWORD).await;

    // A deactivated account: no button, and a refusal.
    let dept = app.store.user_by_email(DEPT).await.expect("dept");
    let tenant = app.store.tenant("272027").await.expect("tenant");
    app.store
        .user_set_disabled(
            &Who::cli(),
            &tenant,
            dept.id,
            true,
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("disable");
    let dept_action = format!("/t/272027/admin/users/{}/password-reset", dept.id);
    let list = a.get("/t/272027/admin/users").await;
    assert!(!list.body.contains(&dept_action));
    let refused = a.post(&dept_action, &[("confirm", "yes")]).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("利用を停止しているアカウントには"),
        "{}",
        refused.body
    );
    assert_eq!(reset_mails(&app, DEPT).await, 0);

    // Another local government's account through this one's URL, and other roles.
    let osaka = app
        .store
        .user_by_email("admin@osaka-pref.demo.renkei.jp")
        .await
        .expect("osaka");
    let cross = a
        .post(
            &format!("/t/272027/admin/users/{}/password-reset", osaka.id),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(cross.status, 404);
    let mut d = signed_in(&app, DESK, NEW_PASSWORD).await;
    d.get("/").await;
    assert_eq!(d.post(&action, &[("confirm", "yes")]).await.status, 403);
    assert_eq!(
        reset_mails(&app, "admin@osaka-pref.demo.renkei.jp").await,
        0
    );
    assert_eq!(reset_mails(&app, DESK).await, 1);
    assert_eq!(audited(&app, "user.password_reset_request").await, 1);
    app.stop().await;
}

/// Two tabs send the new password with one link at the same moment: the link is claimed
/// once (a conditional update), so exactly one succeeds and one reset is recorded.
async fn a_link_sent_twice_at_once_works_once(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    ask(&app, PROPONENT).await;
    let path = link_for(&app, PROPONENT).await;
    let start = Arc::new(tokio::sync::Barrier::new(4));
    let mut set = tokio::task::JoinSet::new();
    for i in 0..4 {
        let mut c = app.client();
        c.get(&path).await;
        let (start, path) = (start.clone(), path.clone());
        set.spawn(async move {
            let pw = format!("{NEW_PASSWORD} {i}");
            start.wait().await;
            c.post(&path, &[("password", &pw), ("password_confirm", &pw)])
                .await
                .status
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = set.join_next().await {
        statuses.push(status.expect("request"));
    }
    statuses.sort();
    assert_eq!(statuses, vec![303, 410, 410, 410]);
    assert_eq!(audited(&app, "user.password_reset").await, 1);
    assert_eq!(mails(&app, "password-changed", PROPONENT).await.len(), 1);
    app.stop().await;
}

/// The operator's account (no local government) gets the mail signed by the installation;
/// the housekeeping sweep forgets throttle rows after the hour and dead links after a day.
async fn operator_mail_and_sweep(backend: Backend) {
    let db = renkei_testkit::TestDb::new(backend);
    let store = db.open().await;
    let mailer = renkei_testkit::mails("https://renkei.example.jp");
    store
        .create_user(
            &Who::cli(),
            renkei_store::users::NewUser {
                tenant: None,
                role: renkei_domain::Role::Operator,
                email: renkei_domain::Email::parse("op@example.jp").expect("email"),
                display_name: "運用者".into(),
                password: renkei_domain::Password::parse(DEMO_PASSWORD).expect("pw"),
                departments: vec![],
            },
            &mailer,
        )
        .await
        .expect("operator");
    use renkei_store::password_resets::ResetRequest;
    assert_eq!(
        store
            .password_reset_request(" OP@example.jp ", "192.0.2.1", &mailer)
            .await
            .expect("request"),
        ResetRequest::Mailed
    );
    assert_eq!(
        store
            .password_reset_request("nobody@example.jp", "192.0.2.1", &mailer)
            .await
            .expect("request"),
        ResetRequest::NoAccount
    );
    let sent = store.outbox_list(10).await.expect("outbox");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].tenant_code, None);
    assert_eq!(sent[0].subject, "【Renkei】パスワード再設定のご案内");
    assert!(
        sent[0]
            .body
            .contains("https://renkei.example.jp/password/reset/")
    );
    let rows = |table: &'static str| {
        let store = store.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(store.pool())
                .await
                .expect("count")
        }
    };
    store.sweep().await.expect("sweep");
    assert_eq!(rows("password_reset_requests").await, 2, "within the hour");
    assert_eq!(rows("password_resets").await, 1);
    db.set(store.now() + chrono::Duration::minutes(61));
    store.sweep().await.expect("sweep");
    assert_eq!(rows("password_reset_requests").await, 0);
    assert_eq!(rows("password_resets").await, 1, "expired, kept a day");
    db.set(store.now() + chrono::Duration::hours(24));
    store.sweep().await.expect("sweep");
    assert_eq!(rows("password_resets").await, 0);
}

on_both!(
    operator_mail_and_sweep,
    a_link_sent_twice_at_once_works_once,
    every_address_reads_the_same,
    the_link_sets_a_new_password_once,
    dead_links_are_refused,
    the_throttle_holds_when_requests_arrive_together,
    the_administrator_sends_the_reset_mail,
);
