use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_testkit::{Backend, TestApp, on_both};

fn kishiwada() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

async fn admin_manages_departments(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    c.login("admin@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    let list = c.get("/t/272027/admin/departments").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("危機管理課"));

    let created = c
        .post(
            "/t/272027/admin/departments",
            &[("name", "  デジタル推進課 ")],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let after = c.get(created.location.as_deref().unwrap_or("/")).await;
    assert!(after.body.contains("部署を追加しました。"));
    let d = app
        .store
        .departments(kishiwada())
        .await
        .expect("list")
        .into_iter()
        .find(|d| d.name == "デジタル推進課")
        .expect("created and trimmed");

    let path = format!("/t/272027/admin/departments/{}", d.id);
    c.get(&path).await;
    let renamed = c
        .post(&format!("{path}/rename"), &[("name", "DX推進課")])
        .await;
    assert_eq!(renamed.status, 303);
    assert_eq!(
        app.store
            .department(kishiwada(), d.id)
            .await
            .expect("d")
            .name,
        "DX推進課"
    );

    // Add the demo department staff, then remove, then delete.
    let staff = app
        .store
        .user_by_email("kikikanri@kishiwada.demo.renkei.jp")
        .await
        .expect("staff");
    c.get(&path).await;
    let added = c
        .post(
            &format!("{path}/members"),
            &[("user_id", &staff.id.to_string())],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(
        app.store
            .department(kishiwada(), d.id)
            .await
            .expect("d")
            .member_count,
        1
    );
    c.get(&path).await;
    let refused = c.post(&format!("{path}/delete"), &[]).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("所属メンバーがいる部署は削除できません")
    );
    let removed = c
        .post(&format!("{path}/members/{}/remove", staff.id), &[])
        .await;
    assert_eq!(removed.status, 303);
    c.get(&path).await;
    let deleted = c.post(&format!("{path}/delete"), &[]).await;
    assert_eq!(deleted.status, 303);
    assert!(app.store.department(kishiwada(), d.id).await.is_err());

    let actions: Vec<String> = app
        .store
        .audit_recent("272027", 20)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "department.create",
        "department.rename",
        "department.member.add",
        "department.member.remove",
        "department.delete",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
}

/// Bad input: a clear Japanese message, the typed value kept, nothing written.
async fn bad_department_names(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    c.login("admin@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    c.get("/t/272027/admin/departments").await;
    let before = app
        .store
        .departments(kishiwada())
        .await
        .expect("list")
        .len();
    let audit_before = app.store.audit_total().await.expect("audit");

    let empty = c
        .post("/t/272027/admin/departments", &[("name", "   ")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("部署名を入力してください。"));

    let long = "課".repeat(61);
    let too_long = c
        .post("/t/272027/admin/departments", &[("name", &long)])
        .await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long
            .body
            .contains("部署名は60文字以内で入力してください。")
    );
    assert!(
        too_long.body.contains(&format!("value=\"{long}\"")),
        "typed value kept"
    );

    let taken = c
        .post("/t/272027/admin/departments", &[("name", "危機管理課")])
        .await;
    assert_eq!(taken.status, 422);
    assert!(taken.body.contains("同じ名前の部署が既にあります。"));
    assert!(taken.body.contains("aria-invalid=\"true\""));

    assert_eq!(
        app.store
            .departments(kishiwada())
            .await
            .expect("list")
            .len(),
        before
    );
    assert_eq!(app.store.audit_total().await.expect("audit"), audit_before);
}

async fn admin_adds_accounts(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    c.login("admin@kishiwada.demo.renkei.jp", DEMO_PASSWORD)
        .await;
    c.get("/t/272027/admin/users").await;
    let bad = c
        .post(
            "/t/272027/admin/users",
            &[
                ("email", "not-an-address"),
                ("display_name", "新人 四郎"),
                ("role", "operator"),
                ("password", "short"),
                ("department", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("メールアドレスの形式が正しくありません。")
    );
    assert!(bad.body.contains("この役割のアカウントは追加できません。"));
    assert!(
        bad.body
            .contains("パスワードは10文字以上で入力してください。")
    );
    assert!(bad.body.contains("value=\"新人 四郎\""));
    assert!(!bad.body.contains("short"), "the password is never echoed");

    let ok = c
        .post(
            "/t/272027/admin/users",
            &[
                ("email", "shinjin@kishiwada.example.jp"),
                ("display_name", "新人 四郎"),
                ("role", "department"),
                ("password", "long enough pass"),
                ("department", "観光振興課"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let u = app
        .store
        .user_by_email("shinjin@kishiwada.example.jp")
        .await
        .expect("created");
    assert_eq!(u.tenant_code.as_deref(), Some("272027"));
    let depts = app.store.departments_of_user(u.id).await.expect("depts");
    assert_eq!(
        depts.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        vec!["観光振興課"]
    );
    let mut newcomer = app.client();
    let r = newcomer
        .login("shinjin@kishiwada.example.jp", "long enough pass")
        .await;
    assert_eq!(r.location.as_deref(), Some("/t/272027/department"));
}

on_both!(
    admin_manages_departments,
    bad_department_names,
    admin_adds_accounts
);
