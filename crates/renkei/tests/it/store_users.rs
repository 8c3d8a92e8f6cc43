use renkei_domain::{DepartmentName, Email, Password, Role, TenantCode};
use renkei_store::users::{LoginFailure, MAX_FAILURES_PER_ACCOUNT, NewUser};
use renkei_store::{Store, StoreError, Who};
use renkei_testkit::{Backend, TestDb, on_both};

async fn seeded(db: &TestDb) -> Store {
    let store = db.open().await;
    let csv = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n140007,神奈川県,,ｶﾅｶﾞﾜｹﾝ,\n141305,神奈川県,川崎市,ｶﾅｶﾞﾜｹﾝ,ｶﾜｻｷｼ\n";
    store
        .import_tenants(csv.as_bytes(), &Who::cli())
        .await
        .expect("import");
    store
}

fn new_user(tenant: Option<&str>, role: Role, email: &str) -> NewUser {
    NewUser {
        tenant: tenant.map(|t| TenantCode::parse(t).expect("code")),
        role,
        email: Email::parse(email).expect("email"),
        display_name: "テスト 太郎".into(),
        password: Password::parse("correct horse battery").expect("password"),
        departments: vec![],
    }
}

async fn accounts_and_sign_in(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let u = store
        .create_user(
            &Who::cli(),
            new_user(Some("272027"), Role::Desk, "Desk@Example.JP"),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("create");
    assert_eq!(u.email, "desk@example.jp");
    let dup = store
        .create_user(
            &Who::cli(),
            new_user(Some("141305"), Role::Desk, "desk@example.jp"),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await;
    assert!(
        matches!(
            dup,
            Err(StoreError::Conflict {
                key: "error-email-taken",
                ..
            })
        ),
        "{dup:?}"
    );
    let op_with_tenant = store
        .create_user(
            &Who::cli(),
            new_user(Some("272027"), Role::Operator, "op@example.jp"),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await;
    assert!(matches!(op_with_tenant, Err(StoreError::Conflict { .. })));
    let staff_without = store
        .create_user(
            &Who::cli(),
            new_user(None, Role::Desk, "x@example.jp"),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await;
    assert!(matches!(staff_without, Err(StoreError::Conflict { .. })));

    let ok = store
        .authenticate(" DESK@example.jp", "correct horse battery", "127.0.0.1")
        .await
        .expect("auth");
    assert_eq!(ok.map(|u| u.id), Ok(u.id));
    let wrong = store
        .authenticate("desk@example.jp", "wrong password!", "127.0.0.1")
        .await
        .expect("auth");
    let unknown = store
        .authenticate("nobody@example.jp", "wrong password!", "127.0.0.1")
        .await
        .expect("auth");
    assert_eq!(wrong, Err(LoginFailure::Invalid));
    assert_eq!(
        unknown,
        Err(LoginFailure::Invalid),
        "no account enumeration"
    );
    let stored: String =
        sqlx::query_scalar::<_, String>("SELECT password_hash FROM users WHERE id = $1")
            .bind(u.id)
            .fetch_one(store.pool())
            .await
            .expect("hash");
    assert!(stored.starts_with("$argon2id$"), "{stored}");
}

async fn sign_in_is_throttled_per_account(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    store
        .create_user(
            &Who::cli(),
            new_user(Some("272027"), Role::Desk, "desk@example.jp"),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("create");
    for i in 0..MAX_FAILURES_PER_ACCOUNT {
        let ip = format!("10.0.0.{i}");
        let r = store
            .authenticate("desk@example.jp", "nope nope nope", &ip)
            .await
            .expect("auth");
        assert_eq!(r, Err(LoginFailure::Invalid));
    }
    // Now even the right password is refused for a while, from any address.
    let r = store
        .authenticate("desk@example.jp", "correct horse battery", "192.0.2.1")
        .await
        .expect("auth");
    assert_eq!(r, Err(LoginFailure::Throttled));
}

async fn sign_in_is_throttled_per_address(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    store
        .create_user(
            &Who::cli(),
            new_user(Some("272027"), Role::Desk, "desk@example.jp"),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("create");
    // Guessing many accounts from one address: refused for a while, even a right password.
    for i in 0..renkei_store::users::MAX_FAILURES_PER_ADDRESS {
        let r = store
            .authenticate(
                &format!("guess{i}@example.jp"),
                "nope nope nope",
                "203.0.113.9",
            )
            .await
            .expect("auth");
        assert_eq!(r, Err(LoginFailure::Invalid));
    }
    let r = store
        .authenticate("desk@example.jp", "correct horse battery", "203.0.113.9")
        .await
        .expect("auth");
    assert_eq!(r, Err(LoginFailure::Throttled));
    // Another address is not affected.
    let ok = store
        .authenticate("desk@example.jp", "correct horse battery", "198.51.100.7")
        .await
        .expect("auth");
    assert!(ok.is_ok());
}

async fn sessions_and_tokens(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let u = store
        .create_user(
            &Who::cli(),
            new_user(Some("272027"), Role::Desk, "desk@example.jp"),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("create");
    let token = store
        .session_create(u.id, "127.0.0.1", "test")
        .await
        .expect("session");
    let s = store.session_get(&token).await.expect("get").expect("live");
    assert_eq!(s.user.id, u.id);
    assert!(s.csrf_token.len() >= 32);
    let stored: i64 =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions WHERE token_hash = $1")
            .bind(&token)
            .fetch_one(store.pool())
            .await
            .expect("count");
    assert_eq!(stored, 0, "the raw token is never stored");
    store.session_delete(&token).await.expect("delete");
    assert!(store.session_get(&token).await.expect("get").is_none());

    let (id, secret) = store
        .token_create(&Who::cli(), u.id, "test")
        .await
        .expect("token");
    assert_eq!(
        store
            .token_user(&secret)
            .await
            .expect("lookup")
            .map(|x| x.id),
        Some(u.id)
    );
    assert!(
        store
            .token_user("rk_not-a-token")
            .await
            .expect("lookup")
            .is_none()
    );
    store.token_revoke(&Who::cli(), id).await.expect("revoke");
    assert!(store.token_user(&secret).await.expect("lookup").is_none());
    assert!(matches!(
        store.token_revoke(&Who::cli(), id).await,
        Err(StoreError::NotFound)
    ));
}

async fn departments_belong_to_their_tenant(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let kishiwada = TenantCode::parse("272027").expect("code");
    let kawasaki = TenantCode::parse("141305").expect("code");
    let name = DepartmentName::parse("危機管理課").expect("name");
    let d = store
        .department_create(&Who::cli(), kishiwada, &name)
        .await
        .expect("create");
    // The same name is fine in another tenant, not twice in one.
    store
        .department_create(&Who::cli(), kawasaki, &name)
        .await
        .expect("create other");
    assert!(matches!(
        store.department_create(&Who::cli(), kishiwada, &name).await,
        Err(StoreError::Conflict {
            key: "error-department-name-taken",
            ..
        })
    ));
    // Another tenant's id is not found through this tenant.
    assert!(matches!(
        store.department(kawasaki, d.id).await,
        Err(StoreError::NotFound)
    ));
    let renamed = DepartmentName::parse("防災課").expect("name");
    assert!(matches!(
        store
            .department_rename(&Who::cli(), kawasaki, d.id, &renamed)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.department_delete(&Who::cli(), kawasaki, d.id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .department(kishiwada, d.id)
            .await
            .expect("still there")
            .name,
        "危機管理課"
    );

    let staff = store
        .create_user(
            &Who::cli(),
            NewUser {
                departments: vec!["危機管理課".into()],
                ..new_user(Some("272027"), Role::Department, "bosai@example.jp")
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("staff");
    assert_eq!(
        store
            .department(kishiwada, d.id)
            .await
            .expect("d")
            .member_count,
        1
    );
    assert!(matches!(
        store.department_delete(&Who::cli(), kishiwada, d.id).await,
        Err(StoreError::Conflict {
            key: "error-department-has-members",
            ..
        })
    ));
    // A Kawasaki department cannot take a Kishiwada member.
    let kd = store.departments(kawasaki).await.expect("list")[0].id;
    assert!(matches!(
        store
            .department_add_member(&Who::cli(), kawasaki, kd, staff.id)
            .await,
        Err(StoreError::NotFound)
    ));
    store
        .department_remove_member(&Who::cli(), kishiwada, d.id, staff.id)
        .await
        .expect("remove");
    store
        .department_delete(&Who::cli(), kishiwada, d.id)
        .await
        .expect("delete");
    assert_eq!(store.departments(kishiwada).await.expect("list").len(), 0);
    assert!(
        store
            .audit_verify()
            .await
            .expect("verify")
            .faults
            .is_empty()
    );
}

/// `session_get_with_tenant`: the session (as `session_get` reads it) and the tenant with its
/// data version (as `tenant_versioned` reads it) in one statement, each half on its own.
async fn the_session_and_the_tenant_in_one_statement(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let kishiwada = TenantCode::parse("272027").expect("code");
    let mails = renkei_testkit::mails(renkei_testkit::DEMO_URL);
    for name in ["危機管理課", "防災課"] {
        store
            .department_create(
                &Who::cli(),
                kishiwada,
                &DepartmentName::parse(name).expect("name"),
            )
            .await
            .expect("department");
    }
    let staff = store
        .create_user(
            &Who::cli(),
            NewUser {
                departments: vec!["防災課".into(), "危機管理課".into()],
                ..new_user(Some("272027"), Role::Department, "bosai@example.jp")
            },
            &mails,
        )
        .await
        .expect("staff");
    let token = store
        .session_create(staff.id, "127.0.0.1", "test")
        .await
        .expect("session");
    let alone = store.session_get(&token).await.expect("get").expect("live");
    assert_eq!(alone.departments.len(), 2);

    // Both halves: the same session as `session_get`, the same tenant and version as
    // `tenant_versioned` (Kishiwada's chain has the departments and the account in it).
    let versioned = store.tenant_versioned("272027").await.expect("versioned");
    assert!(versioned.1 >= 3, "{}", versioned.1);
    let (session, tenant) = store
        .session_get_with_tenant(&token, "272027")
        .await
        .expect("one statement");
    let session = session.expect("live");
    assert_eq!(session.user, alone.user);
    assert_eq!(session.csrf_token, alone.csrf_token);
    assert_eq!(
        session.departments, alone.departments,
        "one row each, ascending"
    );
    assert!(session.departments[0] < session.departments[1]);
    assert_eq!(tenant, Some(versioned.clone()));

    // An audited change moves the version, read afresh by the next statement.
    store
        .department_create(
            &Who::cli(),
            kishiwada,
            &DepartmentName::parse("企画課").expect("name"),
        )
        .await
        .expect("department");
    let (_, moved) = store
        .session_get_with_tenant(&token, "272027")
        .await
        .expect("one statement");
    let moved = moved.expect("tenant");
    assert_eq!(moved.1, versioned.1 + 1);
    assert_eq!(moved, store.tenant_versioned("272027").await.expect("v"));

    // Another tenant, whose user this is not: the store
    // answers both halves; who may do what is the policy's question.
    let (session, other) = store
        .session_get_with_tenant(&token, "141305")
        .await
        .expect("other tenant");
    assert_eq!(session.map(|s| s.user.id), Some(staff.id));
    let other = other.expect("Kawasaki exists");
    assert_eq!(other.0.name, "川崎市");
    assert_eq!(
        Some(other),
        store.tenant_versioned("141305").await.ok(),
        "the same columns and version"
    );

    // A well-formed code no local government has: the session, no tenant.
    assert!(matches!(
        store.tenant_versioned("131016").await,
        Err(StoreError::NotFound)
    ));
    let (session, none) = store
        .session_get_with_tenant(&token, "131016")
        .await
        .expect("unknown code");
    assert_eq!(
        session.map(|s| s.departments),
        Some(alone.departments.clone())
    );
    assert_eq!(none, None);

    // No live session — an unknown token, an expired session, a disabled account — and the
    // tenant is still read; neither half: nothing.
    let read = |token: String, code: &'static str| {
        let store = store.clone();
        async move {
            let (s, t) = store
                .session_get_with_tenant(&token, code)
                .await
                .expect("read");
            (s.map(|s| s.user.id), t.map(|t| (t.0.code, t.1)))
        }
    };
    let now = store.tenant_versioned("272027").await.expect("v").1;
    assert_eq!(
        read("not-a-token".into(), "272027").await,
        (None, Some(("272027".into(), now)))
    );
    assert_eq!(read("not-a-token".into(), "131016").await, (None, None));

    let desk = store
        .create_user(
            &Who::cli(),
            new_user(Some("272027"), Role::Desk, "desk@example.jp"),
            &mails,
        )
        .await
        .expect("desk");
    let desk_token = store
        .session_create(desk.id, "127.0.0.1", "test")
        .await
        .expect("session");
    let now = store.tenant_versioned("272027").await.expect("v").1;
    assert_eq!(
        read(desk_token.clone(), "272027").await,
        (Some(desk.id), Some(("272027".into(), now))),
        "a user in no department: one row"
    );
    let k = store.tenant("272027").await.expect("tenant");
    store
        .user_set_disabled(&Who::cli(), &k, desk.id, true, &mails)
        .await
        .expect("disable");
    let now = store.tenant_versioned("272027").await.expect("v").1;
    assert_eq!(
        read(desk_token, "272027").await,
        (None, Some(("272027".into(), now))),
        "a disabled account has no session"
    );

    db.clock.advance(chrono::Duration::hours(
        renkei_store::sessions::SESSION_HOURS + 1,
    ));
    assert_eq!(
        read(token, "272027").await,
        (None, Some(("272027".into(), now))),
        "an expired session"
    );
}

on_both!(
    accounts_and_sign_in,
    sign_in_is_throttled_per_account,
    sign_in_is_throttled_per_address,
    sessions_and_tokens,
    departments_belong_to_their_tenant,
    the_session_and_the_tenant_in_one_statement
);
