//! Tenant isolation over every route of the router. The routes come from the router's own
//! table (`renkei_web::route_table()`), so a route added later is covered without editing
//! this test.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_domain::{DepartmentName, Email, Password, Role, TenantCode};
use renkei_store::proposals::{InboxFilter, NewAttachment, NewProposal};
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
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("user")
        .id
}

/// Routes that are public by design: anyone may read a desk's page and propose to any desk.
/// Every other route must refuse a user of another tenant. A new public route must be added
/// here on purpose, or this test fails.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/t/{code}"),
    ("GET", "/t/{code}/propose"),
    ("POST", "/t/{code}/propose"),
    ("POST", "/api/v1/tenants/{code}/proposals"),
    // A published partnership's page and its feedback form (beneficiaries' voice).
    ("GET", "/t/{code}/partnerships/{id}/public"),
    ("POST", "/t/{code}/partnerships/{id}/public"),
    // The public case library (連携事例): published partnerships, signed or ended, only.
    ("GET", "/cases"),
    ("GET", "/t/{code}/cases"),
    ("GET", "/t/{code}/cases/{id}"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/{id}"),
    // Published open calls and their results (nothing of the answers not selected).
    ("GET", "/t/{code}/calls"),
    ("GET", "/t/{code}/calls/{id}"),
    // Open data: the agreement register, the files and the feeds (published rows only).
    ("GET", "/t/{code}/agreements"),
    ("GET", "/t/{code}/opendata"),
    ("GET", "/t/{code}/opendata/partnerships.csv"),
    ("GET", "/t/{code}/opendata/calls.csv"),
    ("GET", "/t/{code}/feeds/cases.atom"),
    ("GET", "/t/{code}/feeds/calls.atom"),
    // Statistics: aggregate counts only.
    ("GET", "/t/{code}/stats"),
    ("GET", "/api/v1/tenants/{code}/stats"),
];

fn is_public(method: &Method, path: &str) -> bool {
    PUBLIC
        .iter()
        .any(|(m, p)| *m == method.as_str() && *p == path)
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
    let filter = InboxFilter {
        per_page: 200,
        ..Default::default()
    };
    for p in store.inbox(b, &filter).await.expect("inbox").0 {
        out.push_str(&format!(
            "{} {} {:?} {} {} {} events={} messages={} memos={} attachments={} hearings={} routings={:?}\n",
            p.receipt_number,
            p.status,
            p.assignee_user_id,
            p.publication_consent,
            p.referral_consent,
            p.updated_at,
            store
                .proposal_events(p.id, false)
                .await
                .expect("events")
                .len(),
            store.proposal_messages(p.id).await.expect("messages").len(),
            // The desk's own records: memos and files.
            store.memos(b, p.id).await.expect("memos").len(),
            store.attachments(p.id).await.expect("attachments").len(),
            store.hearings(p.id).await.expect("hearings").len(),
            store
                .routings(p.id)
                .await
                .expect("routings")
                .iter()
                .map(|r| r.answer)
                .collect::<Vec<_>>(),
        ));
    }
    for pa in store.partners(b, None).await.expect("partners") {
        out.push_str(&format!(
            "partner {} {} {} {} {} {} {}\n",
            pa.id, pa.name, pa.name_kana, pa.address, pa.note, pa.strengths, pa.constraints
        ));
        for c in store.partner_contacts(b, pa.id).await.expect("contacts") {
            out.push_str(&format!("contact {} {} {}\n", c.id, c.name, c.email));
        }
    }
    for t in store.templates(b).await.expect("templates") {
        out.push_str(&format!(
            "template {} {} {} {}\n",
            t.id, t.kind, t.name, t.body
        ));
    }
    for p in store.inbox(b, &filter).await.expect("inbox").0 {
        for q in store.routing_questions(p.id).await.expect("questions") {
            out.push_str(&format!("question {} {:?}\n", q.id, q.reply));
        }
    }
    let all = renkei_store::partnerships::PartnershipFilter {
        per_page: 200,
        ..Default::default()
    };
    for p in store.partnerships(b, &all).await.expect("partnerships").0 {
        out.push_str(&format!(
            "partnership {} {} {} {:?} events={} activities={} indicators={:?} reviews={} documents={}\n",
            p.id,
            p.title,
            p.status,
            p.last_activity_on,
            store.partnership_events(b, p.id).await.expect("events").len(),
            store.activities(b, p.id, 1000).await.expect("activities").len(),
            store.indicators(b, p.id).await.expect("indicators"),
            store.reviews(b, p.id).await.expect("reviews").len(),
            store.documents(b, p.id).await.expect("documents").len(),
        ));
    }
    out.push_str(&format!(
        "settings {:?} dormancy {}\n",
        store.desk_settings(b).await.expect("settings"),
        store.dormancy_months(b).await.expect("dormancy")
    ));
    for f in store
        .feedback_list(b, None, None, 1000)
        .await
        .expect("feedback")
    {
        out.push_str(&format!("feedback {} {}\n", f.id, f.status));
    }
    // Reads are audited too, so count only changes (entries other than proposal.read).
    let changes = store
        .audit_recent(B, 100_000)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.action != "proposal.read")
        .count();
    out.push_str(&format!("audit changes {changes}\n"));
    out
}

/// Values to put in a route's placeholders.
struct Subst {
    department: i64,
    staff: i64,
    partner: i64,
    /// A contact (担当者) of that partner.
    contact: i64,
    routing: i64,
    attachment: i64,
    receipt: String,
    token: String,
    /// An intake draft's token (the 確認画面).
    draft: String,
    /// A desk template (定型文) and a department's question (照会).
    template: i64,
    question: i64,
    /// A partnership (連携事業) with an indicator, a signed document and an activity photo.
    partnership: i64,
    indicator: i64,
    document: i64,
    photo: i64,
    /// For the public routes (`…/public`): a published partnership with a piece of feedback
    /// waiting for moderation.
    public_partnership: i64,
    feedback: i64,
    /// A published open call and a proposal answering it.
    call: i64,
    answer: i64,
}

/// The department of B's open call (not secret: a published call names its department).
const CALL_DEPARTMENT: &str = "川崎市市民協働課";

/// An intake draft waiting for its confirmation at this local government.
async fn draft_at(store: &Store, code: &str) -> String {
    store
        .intake_draft_save(
            TenantCode::parse(code).expect("code"),
            "{}",
            &[],
            None,
            "192.0.2.50",
            0,
        )
        .await
        .expect("draft")
}

fn concrete(path: &str, s: &Subst) -> String {
    let id = if path.ends_with("/public") || path.contains("/cases/") {
        s.public_partnership
    } else if path.contains("/partnerships/") {
        s.partnership
    } else if path.contains("/feedback/") {
        s.feedback
    } else if path.contains("/calls") || path.contains("/evaluations/") {
        s.call
    } else if path.contains("/partners/") {
        s.partner
    } else if path.contains("/templates/") {
        s.template
    } else if path.contains("/questions/") {
        s.question
    } else if path.contains("/routings/") {
        s.routing
    } else if path.contains("/attachments/") {
        s.attachment
    } else {
        s.department
    };
    path.replace("{code}", B)
        .replace("{id}", &id.to_string())
        .replace("{user_id}", &s.staff.to_string())
        .replace("{contact_id}", &s.contact.to_string())
        .replace("{indicator_id}", &s.indicator.to_string())
        .replace("{doc_id}", &s.document.to_string())
        .replace("{photo_id}", &s.photo.to_string())
        .replace("{proposal_id}", &s.answer.to_string())
        .replace("{receipt}", &s.receipt)
        .replace("{receipt_number}", &s.receipt)
        .replace(
            "{token}",
            if path.contains("/propose/confirm/") {
                &s.draft
            } else {
                &s.token
            },
        )
}

async fn send(c: &mut Client, method: &Method, path: &str, s: &Subst) -> (u16, String) {
    if *method == Method::GET {
        let p = c.get(path).await;
        (p.status, p.body)
    } else {
        // Pick up this session's CSRF token first: the attack is a well-formed request.
        c.get("/").await;
        let uid = s.staff.to_string();
        let dept = s.department.to_string();
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
                    ("action", "start_hearing"),
                    ("body", "侵入メッセージ"),
                    ("answer", "interested"),
                    ("comment", "侵入"),
                    ("publication", "yes"),
                    ("referral", "yes"),
                    ("held_on", "2026-11-20"),
                    ("channel", "meeting"),
                    ("notes", "侵入"),
                    ("department_ids", &dept),
                    ("question", "侵入"),
                    ("due_on", "2026-12-20"),
                    ("strengths", "侵入"),
                    ("constraints", "侵入"),
                    ("first_response_days", "9"),
                    ("routing_days", "9"),
                    ("kind", "proposal"),
                    ("org_name", "侵入社"),
                    ("partner_type", "company"),
                    ("contact_name", "侵入"),
                    ("title", "侵入"),
                    ("summary", "侵入"),
                    ("fields", "disaster"),
                    ("name_kana", "シンニュウ"),
                    ("contact_email", "intruder@example.jp"),
                    ("desk_question", "侵入"),
                    ("reply", "侵入"),
                    ("dormancy_months", "7"),
                    ("rating", "5"),
                ],
            )
            .await;
        (p.status, p.body)
    }
}

/// A proposal sent from `email`; `owner` is the proponent account it was sent from, signed in
/// (an account sees only proposals it owns, never those that merely share its address).
async fn submit(
    store: &Store,
    tenant: &str,
    email: &str,
    owner: Option<i64>,
    title: &str,
) -> renkei_store::proposals::Submitted {
    let input = IntakeInput {
        kind: "proposal".into(),
        org_name: "川崎テスト株式会社".into(),
        partner_type: "company".into(),
        contact_name: "川崎 花子".into(),
        email: email.into(),
        title: title.into(),
        summary: "機密の提案内容".into(),
        fields: vec!["disaster".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    store
        .proposal_submit(
            TenantCode::parse(tenant).expect("code"),
            NewProposal {
                intake: Intake::parse(&input).expect("valid"),
                route: Route::Free,
                proponent_user_id: owner,
                attachments: vec![NewAttachment {
                    filename: "機密.pdf".into(),
                    content_type: "application/pdf".into(),
                    data: b"%PDF-1.4 secret".to_vec(),
                }],
                ip: None,
                lang: renkei_domain::Lang::Ja,
                privacy_consented: true,
                draft_token: None,
            },
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit")
}

const SECRET_TITLE: &str = "川崎市への機密提案";
const SECRET_PARTNERSHIP: &str = "川崎市の機密の連携協定";

/// A partnership of B's secret department with an activity photo, an indicator and a signed
/// document: (partnership, indicator, document, photo).
async fn partnership_at(store: &Store, b: TenantCode, department: i64) -> (i64, i64, i64, i64) {
    use renkei_domain::partnership::{
        Activity, ActivityInput, Indicator, IndicatorInput, Partnership, PartnershipInput,
        PartnershipStatus, PartyInput,
    };
    let record = Partnership::parse(&PartnershipInput {
        form: "business".into(),
        title: "川崎市の機密連携".into(),
        department_id: department.to_string(),
        parties: vec![PartyInput {
            name: "川崎連携株式会社".into(),
            party_type: "company".into(),
            ..Default::default()
        }],
        signed_on: "2026-04-01".into(),
        ..Default::default()
    })
    .expect("record");
    let id = store
        .partnership_create(
            b,
            &renkei_store::partnerships::NewPartnership {
                record,
                proposal_id: None,
                status: PartnershipStatus::Active,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("partnership");
    let activity = Activity::parse(
        &ActivityInput {
            done_on: "2026-10-01".into(),
            title: "川崎市の取組".into(),
            ..Default::default()
        },
        store.today(),
    )
    .expect("activity");
    let png = NewAttachment {
        filename: "photo.png".into(),
        content_type: "image/png".into(),
        data: b"\x89PNG\r\n\x1a\n secret photo".to_vec(),
    };
    store
        .activity_add_with_photos(b, id, &activity, &[png], &Who::cli())
        .await
        .expect("activity");
    let photo = store.activity_photos(b, id).await.expect("photos")[0]
        .meta
        .id;
    let indicator = store
        .indicator_add(
            b,
            id,
            &Indicator::parse(&IndicatorInput {
                name: "参加者数".into(),
                unit: "人".into(),
            })
            .expect("indicator"),
            &Who::cli(),
        )
        .await
        .expect("indicator");
    let document = store
        .documents_add(
            b,
            id,
            &[NewAttachment {
                filename: "協定書.pdf".into(),
                content_type: "application/pdf".into(),
                data: b"%PDF-1.4 secret agreement".to_vec(),
            }],
            &Who::cli(),
        )
        .await
        .expect("document")[0];
    (id, indicator, document, photo)
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
    let call_department = store
        .department_create(
            &Who::cli(),
            b,
            &DepartmentName::parse(CALL_DEPARTMENT).expect("name"),
        )
        .await
        .expect("call department");
    let b_staff = add_user(
        store,
        Some(B),
        Role::Department,
        "staff@kawasaki.example.jp",
        vec![SECRET_DEPARTMENT.into(), CALL_DEPARTMENT.into()],
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
    let b_proponent = add_user(
        store,
        Some(B),
        Role::Proponent,
        "proponent@kawasaki.example.jp",
        vec![],
    )
    .await;
    // A confidential proposal at B, routed to B's department, with an attachment.
    let b_prop = submit(
        store,
        B,
        "proponent@kawasaki.example.jp",
        Some(b_proponent),
        SECRET_TITLE,
    )
    .await;
    let due = renkei_domain::calendar::add_business_days(store.today(), 5);
    store
        .routing_add(
            b,
            b_prop.id,
            &[secret.id],
            "ご意見を",
            due,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("route");
    let b_routing = store.routings(b_prop.id).await.expect("routings")[0].id;
    let b_question = store
        .routing_question_ask(
            b,
            b_routing,
            "川崎市の機密の質問",
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("question");
    let b_template = store
        .template_create(
            &Who::cli(),
            b,
            &renkei_domain::template::Template {
                kind: renkei_domain::template::TemplateKind::Message,
                name: "川崎市の定型文".into(),
                body: "川崎市の定型文の本文".into(),
            },
        )
        .await
        .expect("template");
    let b_attachment = store.attachments(b_prop.id).await.expect("attachments")[0].id;
    // A published open call at B with one answer, B's staff member its evaluator.
    let (b_call, b_answer) = open_call_at_b(store, call_department.id, b_staff).await;
    let b_partner = store
        .proposal(b, &b_prop.receipt_number)
        .await
        .expect("p")
        .partner_id;
    // A contact of that partner: it must not be read, added to or removed from outside.
    let b_contact = store
        .partner_contact_add(
            b,
            b_partner,
            &renkei_domain::partner::NewContact::parse(&renkei_domain::partner::ContactInput {
                contact_name: "川崎 機密担当".into(),
                contact_email: "secret-contact@kawasaki.example.jp".into(),
                ..Default::default()
            })
            .expect("contact"),
            &Who::cli(),
        )
        .await
        .expect("contact");
    // A partnership at B, led by the secret department, with its records.
    let (b_partnership, b_indicator, b_document, b_photo) =
        partnership_at(store, b, secret.id).await;
    // A partnership at B: no export or import of another local government may touch it.
    store
        .partnership_create(
            b,
            &renkei_store::partnerships::NewPartnership {
                record: renkei_domain::partnership::Partnership::parse(
                    &renkei_domain::partnership::PartnershipInput {
                        form: "comprehensive".into(),
                        title: SECRET_PARTNERSHIP.into(),
                        parties: vec![renkei_domain::partnership::PartyInput {
                            name: "川崎テスト株式会社".into(),
                            party_type: "company".into(),
                            ..Default::default()
                        }],
                        ..Default::default()
                    },
                )
                .expect("partnership"),
                proposal_id: None,
                status: renkei_domain::partnership::PartnershipStatus::Preparing,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("partnership");
    // A published partnership at B with a piece of feedback waiting for B's desk.
    let b_public = store
        .partnership_create(
            b,
            &renkei_store::partnerships::NewPartnership {
                record: renkei_domain::partnership::Partnership::parse(
                    &renkei_domain::partnership::PartnershipInput {
                        form: "business".into(),
                        title: "川崎市の公開連携".into(),
                        department_id: secret.id.to_string(),
                        parties: vec![renkei_domain::partnership::PartyInput {
                            name: "川崎連携株式会社".into(),
                            party_type: "npo".into(),
                            ..Default::default()
                        }],
                        signed_on: "2026-04-01".into(),
                        published: true,
                        ..Default::default()
                    },
                )
                .expect("valid"),
                proposal_id: None,
                status: renkei_domain::partnership::PartnershipStatus::Active,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("partnership");
    let b_feedback = store
        .feedback_submit(
            b,
            b_public,
            &renkei_store::partnerships::NewFeedback {
                feedback: renkei_domain::partnership::Feedback {
                    rating: 4,
                    comment: "よかった".into(),
                    attribute: None,
                },
                client_ip: "192.0.2.9".into(),
            },
            0,
        )
        .await
        .expect("feedback");
    // The attackers' own proposal at A: its token must not open anything at B.
    let a_prop = submit(
        store,
        "272027",
        "proponent@example.co.jp",
        None,
        "岸和田への提案",
    )
    .await;

    let for_attackers = Subst {
        department: secret.id,
        staff: b_staff,
        partner: b_partner,
        contact: b_contact,
        routing: b_routing,
        attachment: b_attachment,
        receipt: b_prop.receipt_number.clone(),
        token: a_prop.tracking_token.clone(),
        // A draft at A: its token must not open anything at B either.
        draft: draft_at(store, "272027").await,
        template: b_template,
        question: b_question,
        partnership: b_partnership,
        indicator: b_indicator,
        document: b_document,
        photo: b_photo,
        public_partnership: b_public,
        feedback: b_feedback,
        call: b_call,
        answer: b_answer,
    };
    let for_owners = Subst {
        token: b_prop.tracking_token.clone(),
        draft: draft_at(store, B).await,
        ..for_attackers_clone(&for_attackers)
    };

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
        tenant_routes.len() >= 40,
        "expected the tenant routes, got {}",
        tenant_routes.len()
    );
    let mut checked = 0;
    let mut skipped = 0;
    for route in &tenant_routes {
        let path = concrete(route.path, &for_attackers);
        let public = is_public(&route.method, route.path);
        if route.path.starts_with("/api/") {
            if public {
                skipped += 1;
                continue;
            }
            for (email, token) in &tokens {
                let p = if route.method == Method::GET {
                    clients[0].1.api_get(&path, Some(token)).await
                } else {
                    let body = serde_json::json!({
                        "action": "start_hearing",
                        "answer": "interested",
                        "comment": "侵入",
                        "department_ids": [for_attackers.department],
                        "question": "侵入",
                        "held_on": "2026-11-20",
                        "channel": "meeting",
                        "notes": "侵入",
                    });
                    let resp = clients[0]
                        .1
                        .http
                        .post(format!("{}{path}", clients[0].1.base))
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .await
                        .expect("API POST");
                    let status = resp.status().as_u16();
                    let body = resp.text().await.unwrap_or_default();
                    renkei_testkit::Page {
                        status,
                        location: None,
                        body,
                        headers: Default::default(),
                    }
                };
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
                assert!(
                    !p.body.contains(SECRET_DEPARTMENT)
                        && !p.body.contains(SECRET_TITLE)
                        && !p.body.contains("川崎市の機密連携")
                        && !p.body.contains(SECRET_PARTNERSHIP),
                    "{email} read {path}"
                );
                checked += 1;
            }
            continue;
        }
        if public && route.method == Method::POST {
            skipped += 1;
            continue; // proposing to another desk is open to everyone; covered by the intake tests
        }
        for (email, c) in clients.iter_mut() {
            let (status, body) = send(c, &route.method, &path, &for_attackers).await;
            if public {
                // The old public page of a partnership moved to its case page.
                let moved = route.path == "/t/{code}/partnerships/{id}/public";
                assert_eq!(
                    status,
                    if moved { 301 } else { 200 },
                    "{} is public",
                    route.path
                );
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
                !body.contains(SECRET_TITLE),
                "{email} saw B's proposal via {path}"
            );
            assert!(
                !body.contains("川崎市の機密連携")
                    && !body.contains("secret agreement")
                    && !body.contains(SECRET_PARTNERSHIP),
                "{email} saw B's partnership via {path}"
            );
            assert!(
                !body.contains("staff@kawasaki.example.jp"),
                "{email} saw B's staff via {path}"
            );
            assert!(
                !body.contains("secret-contact@kawasaki.example.jp")
                    && !body.contains("川崎市の機密の質問")
                    && !body.contains("川崎市の定型文"),
                "{email} saw B's partner contact, question or template via {path}"
            );
            checked += 1;
        }
        // Anonymous visitors get nothing either.
        let mut anon = app.client();
        let (status, body) = send(&mut anon, &route.method, &path, &for_attackers).await;
        assert!(
            !body.contains(SECRET_DEPARTMENT) && !body.contains(SECRET_TITLE),
            "anonymous read {path}"
        );
        if !public {
            assert!(
                status == 303 || status == 403 || status == 404,
                "anonymous {} {path}: {status}",
                route.method
            );
        } else {
            let moved = route.path == "/t/{code}/partnerships/{id}/public";
            assert_eq!(status, if moved { 301 } else { 200 }, "{path}");
        }
    }
    assert_eq!(snapshot(store).await, before, "tenant B's data changed");
    assert_eq!(
        checked,
        (tenant_routes.len() - skipped) * 4,
        "every route, every attacker"
    );

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
        .user_by_email("desk@kawasaki.demo.renkei.jp")
        .await
        .expect("desk");
    let (_, owner_token) = store
        .token_create(&Who::cli(), admin_b.id, "control")
        .await
        .expect("token");
    // Reads first: the writes below change B (e.g. remove the staff member from the department).
    let mut control: Vec<_> = tenant_routes.clone();
    control.sort_by_key(|r| {
        let destructive = ["/remove", "/delete", "/withdraw"]
            .iter()
            .any(|d| r.path.ends_with(d));
        (r.method != Method::GET, destructive)
    });
    for route in &control {
        let path = concrete(route.path, &for_owners);
        let mut answered = false;
        if route.path.starts_with("/api/") {
            if route.method != Method::GET {
                continue; // API writes are covered by the API tests
            }
            answered = owners[0].api_get(&path, Some(&owner_token)).await.status == 200;
            if !answered {
                let staff_b = store
                    .user_by_email("admin@kawasaki.example.jp")
                    .await
                    .expect("admin");
                let (_, t) = store
                    .token_create(&Who::cli(), staff_b.id, "control")
                    .await
                    .expect("token");
                answered = owners[0].api_get(&path, Some(&t)).await.status == 200;
            }
        } else {
            for c in owners.iter_mut() {
                let (status, _) = send(c, &route.method, &path, &for_owners).await;
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

fn for_attackers_clone(s: &Subst) -> Subst {
    Subst {
        department: s.department,
        staff: s.staff,
        partner: s.partner,
        contact: s.contact,
        routing: s.routing,
        attachment: s.attachment,
        receipt: s.receipt.clone(),
        token: s.token.clone(),
        draft: s.draft.clone(),
        template: s.template,
        question: s.question,
        partnership: s.partnership,
        indicator: s.indicator,
        document: s.document,
        photo: s.photo,
        public_partnership: s.public_partnership,
        feedback: s.feedback,
        call: s.call,
        answer: s.answer,
    }
}

/// A published open call of `department` at B, answered once, with `evaluator` assigned.
async fn open_call_at_b(store: &Store, department: i64, evaluator: i64) -> (i64, i64) {
    use renkei_domain::open_call::{CallMove, OpenCall, OpenCallInput};
    let b = TenantCode::parse(B).expect("code");
    let today = store.today();
    let call = OpenCall::parse(&OpenCallInput {
        department_id: department.to_string(),
        title: "川崎市の公開募集".into(),
        background: "背景".into(),
        problem: "課題".into(),
        outcomes: "成果".into(),
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(30)).to_string(),
        criteria: vec![("実現性".into(), "100".into())],
        ..OpenCallInput::default()
    })
    .expect("call");
    let id = store
        .open_call_create(&Who::cli(), b, &call)
        .await
        .expect("create");
    store
        .open_call_move(
            &Who::cli(),
            b,
            id,
            CallMove::Publish,
            "",
            &renkei_store::events::NoMail,
        )
        .await
        .expect("publish");
    let input = IntakeInput {
        kind: "proposal".into(),
        org_name: "川崎の応募団体".into(),
        partner_type: "company".into(),
        contact_name: "川崎 応募".into(),
        email: "answer@kawasaki.example.jp".into(),
        title: "川崎市の募集への応募".into(),
        summary: "応募".into(),
        fields: vec!["town".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    let answer = store
        .proposal_submit_answer(
            b,
            id,
            NewProposal {
                intake: Intake::parse(&input).expect("valid"),
                route: Route::Theme,
                proponent_user_id: None,
                attachments: vec![],
                ip: None,
                lang: renkei_domain::Lang::Ja,
                privacy_consented: true,
                draft_token: None,
            },
            &Who::cli(),
            &renkei_store::events::NoMail,
            0,
        )
        .await
        .expect("answer");
    store
        .open_call_assign(&Who::cli(), b, id, evaluator, &renkei_store::events::NoMail)
        .await
        .expect("evaluator");
    (id, answer.id)
}

/// A memo of the desk at B, which nobody outside B's desk may read.
const SECRET_MEMO: &str = "川崎市デスクの内部メモ";

/// The desk's own records (internal memos, its files, corrections of the record) are the
/// desk's alone within its own local government too: a department the proposal was routed
/// to, the proposal's own proponent (signed in or holding the link), the administrator,
/// another desk and a visitor are refused on every such route, whatever they send, and
/// nothing is written.
async fn desk_records_stay_with_the_desk(backend: Backend) {
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
        .expect("department");
    add_user(
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
    let owner = add_user(
        store,
        Some(B),
        Role::Proponent,
        "proponent@kawasaki.example.jp",
        vec![],
    )
    .await;
    let prop = submit(
        store,
        B,
        "proponent@kawasaki.example.jp",
        Some(owner),
        SECRET_TITLE,
    )
    .await;
    let due = renkei_domain::calendar::add_business_days(store.today(), 5);
    store
        .routing_add(
            b,
            prop.id,
            &[secret.id],
            "ご意見を",
            due,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("route");
    store
        .memo_add(b, prop.id, SECRET_MEMO, &Who::cli())
        .await
        .expect("memo");
    store
        .desk_attachments_add(
            b,
            prop.id,
            &[NewAttachment {
                filename: "デスク内部資料.pdf".into(),
                content_type: "application/pdf".into(),
                data: b"%PDF-1.4 internal".to_vec(),
            }],
            &Who::cli(),
        )
        .await
        .expect("desk file");
    let p = store.proposal(b, &prop.receipt_number).await.expect("p");
    let routes: Vec<_> = renkei_web::route_table()
        .into_iter()
        .filter(|r| {
            r.path.starts_with("/t/{code}/desk/proposals/{receipt}/")
                && ["/memos", "/attachments", "/correct"]
                    .iter()
                    .any(|end| r.path.ends_with(end))
        })
        .collect();
    assert_eq!(
        routes.len(),
        4,
        "memos, attachments, correct (GET and POST)"
    );
    let fields = [
        ("memo", "侵入メモ"),
        ("title", "乗っ取られた件名"),
        ("summary", "侵入"),
        ("org_name", "侵入社"),
        ("contact_name", "侵入"),
        ("email", "intruder@example.jp"),
        ("correction_reason", "侵入"),
        ("basis", ""),
    ];
    let mut people: Vec<(String, Client)> = Vec::new();
    for email in [
        "staff@kawasaki.example.jp",
        "proponent@kawasaki.example.jp",
        "admin@kawasaki.example.jp",
        "desk@kishiwada.demo.renkei.jp",
    ] {
        let mut c = app.client();
        assert_eq!(c.login(email, DEMO_PASSWORD).await.status, 303, "{email}");
        people.push((email.to_string(), c));
    }
    // The tracking link's holder, signed in nowhere.
    let mut holder = app.client();
    holder
        .get(&format!("/t/{B}/track/{}", prop.tracking_token))
        .await;
    people.push(("tracking link".into(), holder));
    people.push(("visitor".into(), app.client()));
    // After the sign-ins (which are audited too).
    let before = snapshot(store).await;
    for route in &routes {
        let path = route
            .path
            .replace("{code}", B)
            .replace("{receipt}", &prop.receipt_number);
        for (who, c) in people.iter_mut() {
            let answers = if route.method == Method::GET {
                vec![c.get(&path).await]
            } else {
                if who.as_str() != "tracking link" {
                    c.get("/").await;
                }
                let form = c.post(&path, &fields).await;
                let multipart = reqwest::multipart::Form::new()
                    .text("_csrf", c.csrf.clone())
                    .text("memo", "侵入メモ")
                    .part(
                        "attachments",
                        reqwest::multipart::Part::bytes(b"%PDF-1.4 intruder".to_vec())
                            .file_name("侵入.pdf"),
                    );
                let resp = c
                    .http
                    .post(format!("{}{path}", c.base))
                    .multipart(multipart)
                    .send()
                    .await
                    .expect("multipart");
                let status = resp.status().as_u16();
                let body = resp.text().await.unwrap_or_default();
                vec![
                    form,
                    renkei_testkit::Page {
                        status,
                        location: None,
                        body,
                        headers: Default::default(),
                    },
                ]
            };
            for a in answers {
                let allowed: &[u16] =
                    if who.as_str() == "visitor" || who.as_str() == "tracking link" {
                        &[303, 403, 404]
                    } else {
                        &[403, 404]
                    };
                assert!(
                    allowed.contains(&a.status),
                    "{who} {} {path}: {}",
                    route.method,
                    a.status
                );
                for secret in [SECRET_MEMO, "デスク内部資料", "機密の提案内容"] {
                    assert!(!a.body.contains(secret), "{who} read {secret} via {path}");
                }
            }
        }
    }
    assert_eq!(snapshot(store).await, before, "the desk's records changed");
    assert_eq!(store.proposal(b, &prop.receipt_number).await.expect("p"), p);

    // Control: B's desk itself uses them.
    let mut desk = app.client();
    assert_eq!(
        desk.login("desk@kawasaki.demo.renkei.jp", DEMO_PASSWORD)
            .await
            .status,
        303
    );
    let base = format!("/t/{B}/desk/proposals/{}", prop.receipt_number);
    let page = desk.get(&base).await;
    assert!(page.body.contains(SECRET_MEMO) && page.body.contains("デスク内部資料"));
    assert_eq!(desk.get(&format!("{base}/correct")).await.status, 200);
    let r = desk
        .post(&format!("{base}/memos"), &[("memo", "確認済み")])
        .await;
    assert_eq!(r.status, 303);
}

on_both!(no_route_crosses_tenants, desk_records_stay_with_the_desk);
