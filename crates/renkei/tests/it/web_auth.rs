use renkei_app::demo::{DEMO_PASSWORD, demo_accounts};
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

/// Links and redirects built from a request stay on this site: `next=` after sign-in, and the
/// language switch of any page (a 404 for `//evil.example` linked to `//evil.example?lang=en`).
async fn links_and_redirects_stay_on_site(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    const DESK: &str = "desk@kishiwada.demo.renkei.jp";
    let mut c = app.client();
    let ok = {
        c.get("/login").await;
        c.post(
            "/login",
            &[
                ("email", DESK),
                ("password", DEMO_PASSWORD),
                ("next", "/t/272027/desk/inbox?page=1"),
            ],
        )
        .await
    };
    assert_eq!(ok.location.as_deref(), Some("/t/272027/desk/inbox?page=1"));
    for next in [
        "//evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "https://evil.example/",
        "/\n",
        "/\r\nSet-Cookie: x=y",
        "/ evil",
        "/login",
    ] {
        let mut c = app.client();
        c.get("/login").await;
        let r = c
            .post(
                "/login",
                &[("email", DESK), ("password", DEMO_PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(r.status, 303, "{next:?}: {}", r.body);
        assert_eq!(r.location.as_deref(), Some("/t/272027/desk"), "{next:?}");
        // Signed in all the same.
        assert_eq!(c.get("/t/272027/desk").await.status, 200, "{next:?}");
    }
    // The 404 page's language link for paths a browser reads as another host.
    let mut c = app.client();
    for path in ["//evil.example", "//evil.example/x", "/\\evil.example"] {
        let page = c.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(!page.body.contains("evil.example"), "{path}: {}", page.body);
        assert!(page.body.contains("href=\"/?lang=en\""), "{path}");
    }
    // An ordinary 404 keeps its own path in the link.
    let page = c.get("/no/such/page").await;
    assert!(page.body.contains("href=\"/no/such/page?lang=en\""));
}

on_both!(
    links_and_redirects_stay_on_site,
    each_role_lands_on_its_home,
    session_cookie_flags,
    no_account_enumeration,
    login_is_throttled,
    csrf_is_enforced,
    two_servers_share_a_login
);
