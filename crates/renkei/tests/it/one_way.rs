//! Each action exists once: routing a proposal from the desk's page, from the JSON API and
//! from the demo's replay leaves identical rows, timeline events, audit entries and mails.
//!
//! Three servers on three fresh databases replay the demo story up to the moment the demo
//! routes its first proposal. One lets the demo take that step; the other two take it at the
//! same instant through the page (a signed-in desk officer posting the form as a browser
//! would) and through the API (the same officer's token).

use renkei_app::demo::{self, DEMO_PASSWORD, Planned};
use renkei_domain::TenantCode;
use renkei_store::{Backend, Store, Who};
use renkei_testkit::{DEMO_URL, TestApp, TestDb, on_both};
use serde_json::json;

const DESK: &str = "desk@kishiwada.demo.renkei.jp";

/// What one routing left behind, everything that is not the request's own address.
#[derive(Debug, PartialEq, Eq)]
struct Trace {
    routings: Vec<String>,
    events: Vec<String>,
    audit: Vec<String>,
    mails: Vec<String>,
    status: String,
}

/// Instants to the second: the test clock advances a millisecond per reading, and a page
/// request reads it more often (session, CSRF) than the demo does before the change.
fn second(t: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::DurationRound::duration_trunc(t, chrono::Duration::seconds(1)).unwrap_or(t)
}

fn second_of(ts: &str) -> String {
    match ts.find('.') {
        Some(dot) if ts.ends_with('Z') => format!("{}Z", &ts[..dot]),
        _ => ts.to_string(),
    }
}

/// Mail text with the private tracking token (random by design) left out.
fn without_token(text: &str) -> String {
    match text.find("/track/") {
        Some(i) => {
            let rest = &text[i + 7..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                .unwrap_or(rest.len());
            format!("{}/track/…{}", &text[..i], &rest[end..])
        }
        None => text.to_string(),
    }
}

async fn trace(store: &Store, tenant: TenantCode, receipt: &str) -> Trace {
    let p = store.proposal(tenant, receipt).await.expect("proposal");
    let routings = store
        .routings(p.id)
        .await
        .expect("routings")
        .into_iter()
        .map(|r| {
            format!(
                "{:?}",
                renkei_store::proposals::Routing {
                    requested_at: second(r.requested_at),
                    ..r
                }
            )
        })
        .collect();
    let events = store
        .proposal_events(p.id, false)
        .await
        .expect("events")
        .into_iter()
        .map(|e| {
            format!(
                "{} {} {} {:?} {:?} {}",
                second(e.at),
                e.actor,
                e.kind,
                e.from_status,
                e.to_status,
                e.note
            )
        })
        .collect();
    // The change's own entries (not the sign-in or page views around it); `origin` is where
    // the request came from, which differs by nature.
    let audit = store
        .audit_recent(&tenant.to_string(), 500)
        .await
        .expect("audit")
        .into_iter()
        .filter(|a| a.target == format!("proposal:{receipt}") && a.action != "proposal.read")
        .map(|a| {
            format!(
                "{} {:?} {} {} {} {}",
                second_of(&a.at),
                a.actor_user_id,
                a.actor,
                a.action,
                a.target,
                a.detail
            )
        })
        .collect();
    let mut mails: Vec<String> = store
        .outbox_list(10_000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.proposal_id == Some(p.id))
        .map(|m| {
            format!(
                "{:?} {} {} {}\n{}",
                m.tenant_code,
                m.kind,
                m.to,
                m.subject,
                without_token(&m.body)
            )
        })
        .collect();
    mails.sort();
    Trace {
        routings,
        events,
        audit,
        mails,
        status: p.status.to_string(),
    }
}

/// A server on a fresh database whose mail links point where the demo's do.
async fn server(backend: Backend) -> (TestApp, TestDb) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let app = TestApp::start_with(
        store,
        renkei_web::WebConfig {
            public_url: Some(DEMO_URL.into()),
            ..renkei_web::WebConfig::default()
        },
    )
    .await;
    (app, db)
}

/// The demo's first routing of a 岸和田市 proposal.
fn first_routing(today: chrono::NaiveDate) -> (Planned, &'static [&'static str], &'static str) {
    demo::schedule(today)
        .into_iter()
        .filter(|p| p.tenant == "272027")
        .find_map(|p| p.routing().map(|(d, q)| (p, d, q)))
        .expect("the demo routes a proposal")
}

async fn receipt_of(store: &Store, tenant: TenantCode, title: &str) -> String {
    let (items, _) = store
        .inbox(
            tenant,
            &renkei_store::proposals::InboxFilter {
                q: Some(title.into()),
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .expect("inbox");
    items
        .into_iter()
        .find(|p| p.title == title)
        .map(|p| p.receipt_number)
        .expect("the scenario's proposal")
}

async fn department_ids(store: &Store, tenant: TenantCode, names: &[&str]) -> Vec<i64> {
    let all = store.departments(tenant).await.expect("departments");
    names
        .iter()
        .map(|n| all.iter().find(|d| d.name == *n).expect("department").id)
        .collect()
}

async fn routing_is_one_action(backend: Backend) {
    let k = TenantCode::parse("272027").expect("code");
    let (by_demo, _db_demo) = server(backend).await;
    let (by_page, db_page) = server(backend).await;
    let (by_api, db_api) = server(backend).await;
    let (step, departments, question) = first_routing(by_demo.store.today());

    // The demo takes the step itself …
    let demo_app = renkei_app::App::new(by_demo.store.clone(), DEMO_URL);
    demo::load_until(&demo_app, Some(step.at + chrono::Duration::milliseconds(1)))
        .await
        .expect("demo up to and with the routing");
    // … the other two stop just before it, and take it at the same instant.
    for (server, db) in [(&by_page, &db_page), (&by_api, &db_api)] {
        let app = renkei_app::App::new(server.store.clone(), DEMO_URL);
        demo::load_until(&app, Some(step.at))
            .await
            .expect("demo up to the routing");
        db.set(step.at);
    }
    let receipt = receipt_of(&by_demo.store, k, step.title()).await;
    assert_eq!(receipt_of(&by_page.store, k, step.title()).await, receipt);
    let before = trace(&by_page.store, k, &receipt).await;
    assert!(before.routings.is_empty(), "not routed yet: {before:?}");

    // The page, as a browser posts it (the due date is the one the form suggests).
    let mut browser = by_page.client();
    let login = browser.login(DESK, DEMO_PASSWORD).await;
    assert_eq!(login.status, 303, "{}", login.body);
    let page = browser
        .get(&format!("/t/272027/desk/proposals/{receipt}"))
        .await;
    assert_eq!(page.status, 200);
    let due = page
        .body
        .split("name=\"due_on\"")
        .nth(1)
        .and_then(|rest| rest.split("value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .expect("the form suggests a due date")
        .to_string();
    let ids = department_ids(&by_page.store, k, departments).await;
    let mut form: Vec<(&str, String)> = ids
        .iter()
        .map(|id| ("department_ids", id.to_string()))
        .collect();
    form.push(("question", question.to_string()));
    form.push(("due_on", due));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    db_page.set(step.at);
    let posted = browser
        .post(
            &format!("/t/272027/desk/proposals/{receipt}/routings"),
            &form,
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);

    // The API, with the same officer's token (the due date left to the desk's setting).
    let user = by_api.store.user_by_email(DESK).await.expect("desk");
    let (_, token) = by_api
        .store
        .token_create(&Who::cli(), user.id, "t")
        .await
        .expect("token");
    let ids = department_ids(&by_api.store, k, departments).await;
    db_api.set(step.at);
    let resp = reqwest::Client::new()
        .post(by_api.url(&format!(
            "/api/v1/tenants/272027/proposals/{receipt}/routings"
        )))
        .bearer_auth(&token)
        .json(&json!({ "department_ids": ids, "question": question }))
        .send()
        .await
        .expect("API");
    assert_eq!(resp.status().as_u16(), 201, "{:?}", resp.text().await);

    let demo_trace = trace(&by_demo.store, k, &receipt).await;
    assert_eq!(
        demo_trace.routings.len(),
        departments.len(),
        "{demo_trace:?}"
    );
    assert!(
        demo_trace.mails.iter().any(|m| m.contains(" routing ")),
        "the departments were told: {demo_trace:?}"
    );
    assert!(
        demo_trace
            .audit
            .iter()
            .any(|a| a.contains("proposal.route")),
        "{demo_trace:?}"
    );
    assert_eq!(
        trace(&by_page.store, k, &receipt).await,
        demo_trace,
        "page = demo"
    );
    assert_eq!(
        trace(&by_api.store, k, &receipt).await,
        demo_trace,
        "API = demo"
    );
}

on_both!(routing_is_one_action);
