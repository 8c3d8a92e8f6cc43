use renkei_store::demo::{DEMO_PASSWORD, demo_accounts};
use renkei_testkit::{Backend, TestApp, on_both};

/// Every role signs in through the form and lands on its own home, which answers 200.
async fn each_role_lands_on_its_home(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let expected = [
        ("operator@demo.renkei.jp", "/operator", "運用者コンソール"),
        (
            "admin@kishiwada.demo.renkei.jp",
            "/t/272027/admin",
            "管理者ホーム",
        ),
        (
            "desk@kishiwada.demo.renkei.jp",
            "/t/272027/desk",
            "デスク担当ホーム",
        ),
        (
            "kikikanri@kishiwada.demo.renkei.jp",
            "/t/272027/department",
            "事業担当課ホーム",
        ),
        ("proponent@example.co.jp", "/t/272027/mypage", "マイページ"),
    ];
    assert_eq!(demo_accounts().len(), 8);
    for (email, home, heading) in expected {
        let mut c = app.client();
        let r = c.login(email, DEMO_PASSWORD).await;
        assert_eq!(r.status, 303, "{email}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some(home), "{email}");
        let page = c.get(home).await;
        assert_eq!(page.status, 200, "{email} {home}");
        assert!(page.body.contains(heading), "{email}: {heading} missing");
        assert!(page.body.contains("action=\"/logout\""));
        // The session cookie is HttpOnly and SameSite.
        let login = c.get("/login").await;
        assert_eq!(
            login.status, 303,
            "a signed-in user is sent home from /login"
        );
        // Sign out ends the session.
        let out = c.post("/logout", &[]).await;
        assert_eq!(out.status, 303);
        let again = c.get(home).await;
        assert_eq!(again.status, 303);
        assert!(
            again
                .location
                .as_deref()
                .unwrap_or("")
                .starts_with("/login"),
            "{email}"
        );
    }
    let entries = app.store.audit_total().await.expect("audit");
    assert!(entries > 0);
}

async fn session_cookie_flags(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let r = c
        .login("desk@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("renkei_session="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP in tests: {cookie}");
}

/// Wrong password and unknown account read exactly the same.
async fn no_account_enumeration(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut a = app.client();
    let wrong = a
        .login("desk@kishiwada.demo.renkei.jp", "not the password")
        .await;
    let mut b = app.client();
    let unknown = b
        .login("nobody@kishiwada.demo.renkei.jp", "not the password")
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert!(
        wrong
            .body
            .contains("メールアドレスまたはパスワードが正しくありません。")
    );
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.contains("_csrf") && !l.contains("name=\"email\""))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&wrong.body), strip(&unknown.body));
    // The e-mail typed is kept.
    assert!(
        wrong
            .body
            .contains("value=\"desk@kishiwada.demo.renkei.jp\"")
    );
}

async fn login_is_throttled(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    for _ in 0..5 {
        let r = c
            .login("desk@kishiwada.demo.renkei.jp", "not the password")
            .await;
        assert_eq!(r.status, 401);
    }
    let r = c
        .login("desk@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("ログインの試行が多すぎます"));
}

/// A form without the right CSRF token is refused and nothing is written.
async fn csrf_is_enforced(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    c.login("admin@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    c.get("/t/272027/admin/departments").await;
    let before = app.store.audit_total().await.expect("audit");
    let none = c
        .post_raw("/t/272027/admin/departments", &[("name", "偽の課")])
        .await;
    assert_eq!(none.status, 403);
    assert!(none.body.contains("不正な送信"), "{}", none.body);
    let wrong = c
        .post_raw(
            "/t/272027/admin/departments",
            &[("_csrf", "x".repeat(43).as_str()), ("name", "偽の課")],
        )
        .await;
    assert_eq!(wrong.status, 403);
    // Sign-in itself needs the visitor's token.
    let mut anon = app.client();
    let r = anon
        .post_raw(
            "/login",
            &[
                ("email", "desk@kishiwada.demo.renkei.jp"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(app.store.audit_total().await.expect("audit"), before);
    let tenant = renkei_domain::TenantCode::parse("272027").expect("code");
    assert!(
        app.store
            .departments(tenant)
            .await
            .expect("list")
            .iter()
            .all(|d| d.name != "偽の課")
    );
}

/// Two app servers on one database share sessions (a stateless deployment).
async fn two_servers_share_a_login(backend: Backend) {
    let a = TestApp::spawn_demo(backend).await;
    let b = TestApp::spawn_on(a.db()).await;
    let mut ca = a.client();
    let r = ca
        .login("desk@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status, 303);
    // Take the cookie jar's session to server B.
    let cookie = r
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("renkei_session="))
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_string();
    let resp = reqwest::Client::new()
        .get(b.url("/t/272027/desk"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET on B");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("デスク担当ホーム")
    );
    b.stop().await;
}

on_both!(
    each_role_lands_on_its_home,
    session_cookie_flags,
    no_account_enumeration,
    login_is_throttled,
    csrf_is_enforced,
    two_servers_share_a_login
);
