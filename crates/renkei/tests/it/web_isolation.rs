//! Tenant isolation over every route of the router. The routes come from the router's own
//! table (`renkei_web::route_table()`), so a route added later is covered without editing
//! this test.

use renkei_domain::{DepartmentName, Email, Password, Role, TenantCode};
use renkei_store::demo::DEMO_PASSWORD;
use renkei_store::users::NewUser;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, Client, TestApp, on_both};
use reqwest::Method;

const SECRET_DEPARTMENT: &str = "川崎市機密調整課";
const B: &str = "141305";

async fn add_user(
    store: &Store,
    tenant: Option<&str>,
    role: Role,
    email: &str,
    departments: Vec<String>,
) -> i64 {
    store
        .create_user(
            &Who::cli(),
            NewUser {
                tenant: tenant.map(|t| TenantCode::parse(t).expect("code")),
                role,
                email: Email::parse(email).expect("email"),
                display_name: "川崎 職員".into(),
                password: Password::parse(DEMO_PASSWORD).expect("pw"),
                departments,
            },
        )
        .await
        .expect("user")
        .id
}

/// Everything of tenant B that an attack must leave untouched.
async fn snapshot(store: &Store) -> String {
    let b = TenantCode::parse(B).expect("code");
    let mut out = String::new();
    for d in store.departments(b).await.expect("departments") {
        let members = store.department_members(b, d.id).await.expect("members");
        out.push_str(&format!(
            "{} {} {:?}\n",
            d.id,
            d.name,
            members.iter().map(|m| m.id).collect::<Vec<_>>()
        ));
    }
    for u in store.users_in_tenant(B).await.expect("users") {
        out.push_str(&format!("{} {} {} {}\n", u.id, u.email, u.role, u.disabled));
    }
    out.push_str(&format!(
        "audit {}\n",
        store.audit_recent(B, 100_000).await.expect("audit").len()
    ));
    out
}

fn concrete(path: &str, dept: i64, user: i64) -> String {
    path.replace("{code}", B)
        .replace("{id}", &dept.to_string())
        .replace("{user_id}", &user.to_string())
}

async fn send(c: &mut Client, method: &Method, path: &str, dept_user: i64) -> (u16, String) {
    if *method == Method::GET {
        let p = c.get(path).await;
        (p.status, p.body)
    } else {
        // Pick up this session's CSRF token first: the attack is a well-formed request.
        c.get("/").await;
        let uid = dept_user.to_string();
        let p = c
            .post(
                path,
                &[
                    ("name", "侵入課"),
                    ("user_id", &uid),
                    ("email", "intruder@example.jp"),
                    ("display_name", "侵入者"),
                    ("role", "desk"),
                    ("password", "intruder password"),
                    ("department", ""),
                ],
            )
            .await;
        (p.status, p.body)
    }
}

async fn no_route_crosses_tenants(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let b = TenantCode::parse(B).expect("code");
    let secret = store
        .department_create(
            &Who::cli(),
            b,
            &DepartmentName::parse(SECRET_DEPARTMENT).expect("name"),
        )
        .await
        .expect("secret department");
    let b_staff = add_user(
        store,
        Some(B),
        Role::Department,
        "staff@kawasaki.example.jp",
        vec![SECRET_DEPARTMENT.into()],
    )
    .await;
    add_user(
        store,
        Some(B),
        Role::Admin,
        "admin@kawasaki.example.jp",
        vec![],
    )
    .await;
    add_user(
        store,
        Some(B),
        Role::Proponent,
        "proponent@kawasaki.example.jp",
        vec![],
    )
    .await;

    // Attackers: every role of tenant A (岸和田市).
    let attackers = [
        "admin@kishiwada.demo.renkei.jp",
        "desk@kishiwada.demo.renkei.jp",
        "kikikanri@kishiwada.demo.renkei.jp",
        "proponent@example.co.jp",
    ];
    let mut clients = Vec::new();
    let mut tokens = Vec::new();
    for email in attackers {
        let mut c = app.client();
        let r = c.login(email, DEMO_PASSWORD).await;
        assert_eq!(r.status, 303, "{email} signs in");
        let user = store.user_by_email(email).await.expect("user");
        let (_, token) = store
            .token_create(&Who::cli(), user.id, "isolation")
            .await
            .expect("token");
        clients.push((email, c));
        tokens.push((email, token));
    }
    let before = snapshot(store).await;
    let table = renkei_web::route_table();
    let tenant_routes: Vec<_> = table.iter().filter(|r| r.path.contains("{code}")).collect();
    assert!(
        tenant_routes.len() >= 15,
        "expected the tenant routes, got {}",
        tenant_routes.len()
    );
    let mut checked = 0;
    for route in &tenant_routes {
        let path = concrete(route.path, secret.id, b_staff);
        let is_public = route.method == Method::GET && route.path == "/t/{code}";
        if route.path.starts_with("/api/") {
            for (email, token) in &tokens {
                let p = clients[0].1.api_get(&path, Some(token)).await;
                assert!(
                    p.status == 403 || p.status == 404,
                    "{email} {} {path}: {}",
                    route.method,
                    p.status
                );
                assert!(
                    p.json()["error"]["message"].is_string(),
                    "JSON error on {path}"
                );
                assert!(!p.body.contains(SECRET_DEPARTMENT), "{email} read {path}");
                checked += 1;
            }
            continue;
        }
        for (email, c) in clients.iter_mut() {
            let (status, body) = send(c, &route.method, &path, b_staff).await;
            if is_public {
                assert_eq!(status, 200, "the public desk page is public");
            } else {
                assert!(
                    status == 403 || status == 404,
                    "{email} {} {path}: got {status}",
                    route.method
                );
            }
            assert!(
                !body.contains(SECRET_DEPARTMENT),
                "{email} saw B's department via {path}"
            );
            assert!(
                !body.contains("staff@kawasaki.example.jp"),
                "{email} saw B's staff via {path}"
            );
            checked += 1;
        }
        // Anonymous visitors get nothing either.
        let mut anon = app.client();
        let (status, body) = send(&mut anon, &route.method, &path, b_staff).await;
        assert!(
            !body.contains(SECRET_DEPARTMENT),
            "anonymous saw B's department via {path}"
        );
        if !is_public {
            assert!(
                status == 303 || status == 403 || status == 404,
                "anonymous {} {path}: {status}",
                route.method
            );
        }
    }
    assert_eq!(snapshot(store).await, before, "tenant B's data changed");
    assert!(checked >= tenant_routes.len() * 4);

    // The operator console is the operator's alone.
    for (email, c) in clients.iter_mut() {
        assert_eq!(c.get("/operator").await.status, 403, "{email} on /operator");
    }

    // Control: the same routes do answer B's own people, so the refusals above are real.
    let mut owners = Vec::new();
    for email in [
        "admin@kawasaki.example.jp",
        "desk@kawasaki.demo.renkei.jp",
        "staff@kawasaki.example.jp",
        "proponent@kawasaki.example.jp",
    ] {
        let mut c = app.client();
        assert_eq!(c.login(email, DEMO_PASSWORD).await.status, 303, "{email}");
        owners.push(c);
    }
    let admin_b = store
        .user_by_email("admin@kawasaki.example.jp")
        .await
        .expect("admin");
    let (_, admin_token) = store
        .token_create(&Who::cli(), admin_b.id, "control")
        .await
        .expect("token");
    for route in &tenant_routes {
        let path = concrete(route.path, secret.id, b_staff);
        let mut answered = false;
        if route.path.starts_with("/api/") {
            answered = owners[0].api_get(&path, Some(&admin_token)).await.status == 200;
        } else {
            for c in owners.iter_mut() {
                let (status, _) = send(c, &route.method, &path, b_staff).await;
                if status != 403 && status != 404 {
                    answered = true;
                    break;
                }
            }
        }
        assert!(
            answered,
            "no one of tenant B can use {} {}",
            route.method, route.path
        );
    }
}

on_both!(no_route_crosses_tenants);
