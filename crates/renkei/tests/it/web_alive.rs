//! Alive or dormant: the dormancy period and sweep (its reminder through a real SMTP server
//! on loopback, once), the desk's dashboard and the department's section (each figure's list
//! counts the same), beneficiaries' voice (published only, checked, limited per client,
//! moderated by the desk alone) and the accountability record (staff of the tenant; its
//! public part without internal content) — on both databases.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{
    Activity, ActivityInput, Partnership, PartnershipInput, PartnershipStatus, PartyInput,
};
use renkei_domain::proposal::{Intake, IntakeInput, Route, Transition};
use renkei_store::partnerships::{NewPartnership, PartnershipFilter};
use renkei_store::proposals::NewProposal;
use renkei_store::{Store, Who};
use renkei_testkit::smtp::SmtpSink;
use renkei_testkit::{Backend, Client, TestApp, on_both};
use renkei_web::mail::{MailConfig, send_due_once};

const K: &str = "272027";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const DEPT: &str = "kikikanri@kishiwada.demo.renkei.jp";
const ADMIN: &str = "admin@kishiwada.demo.renkei.jp";
const PROPONENT: &str = "proponent@example.co.jp";
/// Another local government's desk (川崎市).
const OTHER_DESK: &str = "desk@kawasaki.demo.renkei.jp";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    assert_eq!(c.login(email, DEMO_PASSWORD).await.status, 303, "{email}");
    c
}

async fn department(store: &Store, name: &str) -> i64 {
    store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == name)
        .expect("department")
        .id
}

#[allow(clippy::too_many_arguments)]
fn input(
    form: &str,
    title: &str,
    dept: Option<i64>,
    party_type: &str,
    field: &str,
    signed_on: &str,
    published: bool,
) -> PartnershipInput {
    PartnershipInput {
        form: form.into(),
        title: title.into(),
        purpose: format!("{title}の目的"),
        summary: format!("{title}の概要"),
        city_role: "会場の提供".into(),
        department_id: dept.map(|d| d.to_string()).unwrap_or_default(),
        parties: vec![PartyInput {
            name: format!("{title}の相手方"),
            party_type: party_type.into(),
            corporate_number: String::new(),
            role: "人材の派遣".into(),
        }],
        fields: vec![field.into()],
        signed_on: signed_on.into(),
        published,
        ..Default::default()
    }
}

async fn create(store: &Store, i: PartnershipInput, proposal_id: Option<i64>) -> i64 {
    store
        .partnership_create(
            k(),
            &NewPartnership {
                record: Partnership::parse(&i).expect("valid"),
                proposal_id,
                status: PartnershipStatus::Active,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("create")
}

async fn dormant_count(store: &Store) -> i64 {
    store
        .partnerships(
            k(),
            &PartnershipFilter {
                dormant: true,
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .1
}

/// Sends everything queued (a round sends a batch); returns how many.
async fn drain(store: &Store, cfg: &MailConfig) -> usize {
    let mut sent = 0;
    for _ in 0..100 {
        match send_due_once(store, cfg).await.expect("send") {
            0 => break,
            n => sent += n,
        }
    }
    sent
}

fn smtp(url: String) -> MailConfig {
    MailConfig {
        smtp_url: Some(url),
        ..MailConfig::default()
    }
}

async fn dormant_partnerships_are_shown_and_reminded_once(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    // The demo's own agreements (one of them dormant) are set aside as ended, so every count
    // and every reminder here is this test's.
    sqlx::query("UPDATE partnerships SET status = 'ended' WHERE tenant_code = $1")
        .bind(K)
        .execute(store.pool())
        .await
        .expect("set the demo's partnerships aside");
    let kiki = department(store, "危機管理課").await;
    // The clock stands at 2026-11-24: signed nearly two years ago, nothing recorded since.
    let old = create(
        store,
        input(
            "business",
            "休眠する防災連携",
            Some(kiki),
            "company",
            "disaster",
            "2025-01-10",
            false,
        ),
        None,
    )
    .await;
    let recent = create(
        store,
        input(
            "business",
            "最近の防災連携",
            Some(kiki),
            "npo",
            "disaster",
            "2026-10-01",
            false,
        ),
        None,
    )
    .await;
    let mut desk = signed_in(&app, DESK).await;
    let home = desk.get(&format!("/t/{K}/desk")).await;
    assert!(home.body.contains(&format!("/t/{K}/desk/dashboard")));
    let dash = desk.get(&format!("/t/{K}/desk/dashboard")).await;
    assert_eq!(dash.status, 200);
    assert!(
        dash.body
            .contains(&format!("href=\"/t/{K}/partnerships?dormant=1\">1件<")),
        "{}",
        dash.body
    );
    assert_eq!(dormant_count(store).await, 1);
    let mut dept = signed_in(&app, DEPT).await;
    let dhome = dept.get(&format!("/t/{K}/department")).await;
    assert_eq!(dhome.status, 200);
    assert!(dhome.body.contains("休眠する防災連携"), "{}", dhome.body);
    assert!(dhome.body.contains(&format!("/t/{K}/partnerships/{old}")));
    assert!(!dhome.body.contains("最近の防災連携"));
    assert!(dhome.body.contains(&format!(
        "/t/{K}/partnerships?department={kiki}&#38;dormant=1"
    )));

    // The sweep reminds the desk and the department once, through the outbox, by SMTP, each
    // in their language (the department member reads English).
    let member = store.user_by_email(DEPT).await.expect("member");
    store
        .user_set_lang(member.id, renkei_domain::Lang::En)
        .await
        .expect("lang");
    let sink = SmtpSink::start().await;
    let cfg = smtp(sink.url());
    drain(store, &cfg).await;
    let before = sink.messages().len();
    let mails = app.app().mails;
    let r = store.dormancy_sweep(&mails).await.expect("sweep");
    assert_eq!(r.flagged, 1);
    assert_eq!(drain(store, &cfg).await, r.mails);
    assert!(r.mails >= 2);
    let got: Vec<_> = sink.messages().into_iter().skip(before).collect();
    let to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    assert!(to.contains(&DESK.to_string()), "{to:?}");
    assert!(to.contains(&DEPT.to_string()), "{to:?}");
    let m = got
        .iter()
        .find(|m| m.to.contains(&DESK.to_string()))
        .expect("desk mail");
    assert!(
        m.subject().unwrap_or_default().contains("休眠する防災連携"),
        "{:?}",
        m.subject()
    );
    let body = m.body_text();
    assert!(body.contains("令和7年1月10日"), "{body}");
    assert!(
        body.contains(&format!("/t/{K}/partnerships/{old}")),
        "{body}"
    );
    let en = got
        .iter()
        .find(|m| m.to.contains(&DEPT.to_string()))
        .expect("department mail");
    let subject = en.subject().unwrap_or_default();
    assert!(subject.contains("No activity for 12 months"), "{subject}");
    assert!(
        en.body_text().contains("10 January 2025"),
        "{}",
        en.body_text()
    );
    // A second sweep sends nothing more.
    let again = store.dormancy_sweep(&mails).await.expect("sweep");
    assert_eq!(again.flagged, 0);
    assert_eq!(drain(store, &cfg).await, 0);
    let events = store.partnership_events(k(), old).await.expect("events");
    assert!(events.iter().any(|e| e.kind == "dormant"));

    // An activity clears the flag and the dashboards.
    let a = Activity::parse(
        &ActivityInput {
            done_on: "2026-11-20".into(),
            title: "防災訓練".into(),
            ..Default::default()
        },
        store.today(),
    )
    .expect("activity");
    store
        .activity_add(k(), old, &a, &Who::cli())
        .await
        .expect("activity");
    assert_eq!(dormant_count(store).await, 0);
    let dash = desk.get(&format!("/t/{K}/desk/dashboard")).await;
    assert!(
        dash.body
            .contains(&format!("href=\"/t/{K}/partnerships?dormant=1\">0件<"))
    );
    let dhome = dept.get(&format!("/t/{K}/department")).await;
    assert!(!dhome.body.contains("休眠する防災連携（"), "{}", dhome.body);

    // The period follows the tenant's setting: bad values are refused, 3 months is kept.
    let mut admin = signed_in(&app, ADMIN).await;
    admin.get(&format!("/t/{K}/admin/settings")).await;
    for bad in ["0", "61", "abc", "-3"] {
        let r = admin
            .post(
                &format!("/t/{K}/admin/settings/dormancy"),
                &[("dormancy_months", bad)],
            )
            .await;
        assert_eq!(r.status, 422, "{bad}");
        assert!(r.body.contains("1から60"), "{}", r.body);
        assert!(r.body.contains(&format!("value=\"{bad}\"")));
    }
    assert_eq!(store.dormancy_months(k()).await.expect("months"), 12);
    // Desk staff do not set it.
    desk.get(&format!("/t/{K}/desk")).await;
    let r = desk
        .post(
            &format!("/t/{K}/admin/settings/dormancy"),
            &[("dormancy_months", "3")],
        )
        .await;
    assert_eq!(r.status, 403);
    let r = admin
        .post(
            &format!("/t/{K}/admin/settings/dormancy"),
            &[("dormancy_months", "3")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(store.dormancy_months(k()).await.expect("months"), 3);
    // Three months later (2027-01-05) the one signed on 2026-10-01 is dormant; the one with
    // an activity on 2026-11-20 is not yet.
    app.db().set_jst("2027-01-05T10:00:00");
    assert_eq!(dormant_count(store).await, 1);
    let r = store.dormancy_sweep(&mails).await.expect("sweep");
    assert_eq!(r.flagged, 1);
    let events = store.partnership_events(k(), recent).await.expect("events");
    assert!(events.iter().any(|e| e.kind == "dormant"));
    sink.stop().await;
}

/// Every `href="…">N件<` link of a page.
fn figure_links(html: &str) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<a href=\"") {
        rest = &rest[i + 9..];
        let Some(end) = rest.find('"') else { break };
        let href = rest[..end].replace("&#38;", "&").replace("&amp;", "&");
        let after = &rest[end + 2..];
        if let Some(close) = after.find('<')
            && let Some(n) = after[..close].strip_suffix('件')
            && let Ok(n) = n.parse::<i64>()
        {
            out.push((href, n));
        }
    }
    out
}

fn filter_of(query: &str) -> PartnershipFilter {
    let mut f = PartnershipFilter {
        per_page: 10,
        ..Default::default()
    };
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').expect("pair");
        match k {
            "dormant" => f.dormant = v == "1",
            "ending" => f.ending = v == "1",
            "status" => f.status = Some(PartnershipStatus::parse(v).expect("status")),
            "form" => f.form = Some(renkei_domain::partnership::Form::parse(v).expect("form")),
            "field" => f.field = Some(renkei_domain::proposal::Field::parse(v).expect("field")),
            "partner_type" => {
                f.partner_type = Some(renkei_domain::proposal::PartnerType::parse(v).expect("type"))
            }
            "department" => f.department_id = v.parse().ok(),
            other => panic!("unknown filter {other}"),
        }
    }
    f
}

async fn every_dashboard_figure_matches_its_list(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let kiki = department(store, "危機管理課").await;
    for (form, title, party, field, signed) in [
        (
            "comprehensive",
            "包括連携A",
            "company",
            "community",
            "2024-04-01",
        ),
        (
            "business",
            "事業連携B",
            "university",
            "disaster",
            "2026-09-01",
        ),
        ("project", "個別事業C", "npo", "environment", "2026-06-01"),
    ] {
        let dept = (form != "comprehensive").then_some(kiki);
        create(
            store,
            input(form, title, dept, party, field, signed, false),
            None,
        )
        .await;
    }
    // A routing request that will be overdue: asked today, read two months later.
    let open = store
        .inbox(
            k(),
            &renkei_store::proposals::InboxFilter {
                statuses: vec!["received".into()],
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0;
    let due = renkei_domain::calendar::add_business_days(store.today(), 5);
    store
        .routing_add(
            k(),
            open[0].id,
            &[kiki],
            "ご意見を",
            due,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("route");
    app.db().set_jst("2027-01-20T10:00:00");
    let mut desk = signed_in(&app, DESK).await;
    let dash = desk.get(&format!("/t/{K}/desk/dashboard")).await;
    assert_eq!(dash.status, 200);
    let links = figure_links(&dash.body);
    assert!(
        links
            .iter()
            .any(|(h, n)| h.ends_with("status=routing-overdue") && *n >= 1),
        "{links:?}"
    );
    let inbox_prefix = format!("/t/{K}/desk/proposals?");
    let list_prefix = format!("/t/{K}/partnerships?");
    let (mut proposals, mut partnerships) = (0, 0);
    for (href, n) in &links {
        if let Some(q) = href.strip_prefix(&list_prefix) {
            let total = store
                .partnerships(k(), &filter_of(q))
                .await
                .expect("list")
                .1;
            assert_eq!(total, *n, "{href}");
            partnerships += 1;
        } else if href.starts_with(&inbox_prefix) {
            let page = desk.get(href).await;
            assert_eq!(page.status, 200, "{href}");
            assert!(
                page.body.contains(&format!("<p>{n}件</p>")),
                "{href} should list {n}"
            );
            proposals += 1;
        }
    }
    // Open, 8/31/91 days, overdue, and each status in use; status, form, field, type, dormant, ending.
    assert!(proposals >= 5, "{links:?}");
    assert!(partnerships >= 11, "{links:?}");
    // The desk's staff only.
    for email in [DEPT, PROPONENT, OTHER_DESK] {
        let mut c = signed_in(&app, email).await;
        let r = c.get(&format!("/t/{K}/desk/dashboard")).await;
        assert!(r.status == 403 || r.status == 404, "{email}: {}", r.status);
    }
}

async fn feedback_count(store: &Store) -> usize {
    store
        .feedback_list(k(), None, None, 1000)
        .await
        .expect("feedback")
        .len()
}

async fn beneficiaries_voice(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let hidden = create(
        store,
        input(
            "comprehensive",
            "非公開の連携",
            None,
            "company",
            "community",
            "2026-04-01",
            false,
        ),
        None,
    )
    .await;
    let shown = create(
        store,
        input(
            "comprehensive",
            "公開の連携",
            None,
            "npo",
            "community",
            "2026-04-01",
            true,
        ),
        None,
    )
    .await;
    let mut visitor = app.client();
    // Unpublished, nonexistent and another tenant's address: the same 404.
    for path in [
        format!("/t/{K}/cases/{hidden}"),
        format!("/t/{K}/cases/999999"),
        format!("/t/141305/cases/{shown}"),
    ] {
        assert_eq!(visitor.get(&path).await.status, 404, "{path}");
    }
    // The case page is the public page; the old address moves there, the form posts there.
    let case_path = format!("/t/{K}/cases/{shown}");
    let page_path = format!("/t/{K}/partnerships/{shown}/public");
    let old = visitor.get(&page_path).await;
    assert_eq!(old.status, 301);
    assert_eq!(old.location.as_deref(), Some(case_path.as_str()));
    let page = visitor.get(&case_path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("公開の連携の概要"));
    assert!(page.body.contains("type=\"radio\" id=\"rating-5\""));
    let r = visitor
        .post(
            &format!("/t/{K}/partnerships/{hidden}/public"),
            &[("rating", "5")],
        )
        .await;
    assert_eq!(r.status, 404);
    // A bad rating: 422, what was typed kept, nothing written.
    for bad in ["9", "0", "", "five"] {
        let r = visitor
            .post(&page_path, &[("rating", bad), ("comment", "入力した感想")])
            .await;
        assert_eq!(r.status, 422, "{bad}");
        assert!(r.body.contains("1から5"), "{}", r.body);
        assert!(r.body.contains("入力した感想"));
    }
    let long = "あ".repeat(2001);
    let r = visitor
        .post(&page_path, &[("rating", "3"), ("comment", &long)])
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(feedback_count(store).await, 0);
    // Accepted, held for review: not shown until approved.
    let r = visitor
        .post(
            &page_path,
            &[
                ("rating", "4"),
                ("comment", "とても参考になりました"),
                ("attribute", "participant"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let back = r.location.clone().expect("back to the case page");
    assert!(back.starts_with(&format!("{case_path}?sent=1")), "{back}");
    let r = visitor.get(&back).await;
    assert!(r.body.contains("確認したあとに掲載"));
    let page = visitor.get(&case_path).await;
    assert!(!page.body.contains("とても参考になりました"));
    let rows = store
        .feedback_list(k(), None, None, 10)
        .await
        .expect("list");
    assert_eq!(rows.len(), 1);
    let id = rows[0].id;
    // The stored key is a hash, not the address.
    let key: String = sqlx::query_scalar("SELECT client_key FROM partnership_feedback")
        .fetch_one(store.pool())
        .await
        .expect("key");
    assert!(!key.contains("127.0.0.1") && key.len() == 64);

    // Racing submissions from one client never exceed five in an hour.
    let mut racers = Vec::new();
    for _ in 0..8 {
        let mut c = app.client();
        c.get(&case_path).await;
        racers.push(c);
    }
    let tasks: Vec<_> = racers
        .into_iter()
        .map(|mut c| {
            let path = page_path.clone();
            tokio::spawn(async move { c.post(&path, &[("rating", "5")]).await.status })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.expect("racer"));
    }
    assert_eq!(
        answers.iter().filter(|s| **s == 303).count(),
        4,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|s| **s == 429).count(),
        4,
        "{answers:?}"
    );
    assert_eq!(feedback_count(store).await, 5);
    let r = visitor.post(&page_path, &[("rating", "5")]).await;
    assert_eq!(r.status, 429);
    assert!(r.body.contains("error-summary"));

    // Only the desk moderates.
    let approve = format!("/t/{K}/desk/feedback/{id}/approve");
    for email in [DEPT, PROPONENT] {
        let mut c = signed_in(&app, email).await;
        assert_eq!(c.get(&format!("/t/{K}/desk/feedback")).await.status, 403);
        c.get(&format!("/t/{K}")).await;
        assert_eq!(c.post(&approve, &[]).await.status, 403, "{email}");
    }
    let mut other = signed_in(&app, OTHER_DESK).await;
    other.get("/t/141305/desk").await;
    let r = other
        .post(&format!("/t/141305/desk/feedback/{id}/approve"), &[])
        .await;
    assert_eq!(r.status, 404, "another tenant's feedback is not found");
    let page = visitor.get(&case_path).await;
    assert!(!page.body.contains("とても参考になりました"));

    let mut desk = signed_in(&app, DESK).await;
    let list = desk.get(&format!("/t/{K}/desk/feedback")).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("とても参考になりました"));
    let r = desk.post(&approve, &[]).await;
    assert_eq!(r.status, 303);
    let page = visitor.get(&case_path).await;
    assert!(
        page.body.contains("とても参考になりました"),
        "{}",
        page.body
    );
    assert!(page.body.contains("参加者"));
    let s = store.feedback_summary(k(), shown).await.expect("summary");
    assert_eq!((s.count, s.average_text()), (1, "4.0".to_string()));
    let audit = store.audit_recent(K, 1000).await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "feedback.moderate"));
}

async fn decided_proposal(store: &Store, details: &str) -> (i64, String) {
    let intake = Intake::parse(&IntakeInput {
        kind: "proposal".into(),
        org_name: "株式会社だんじり商事".into(),
        partner_type: "company".into(),
        contact_name: "岸和田 太郎".into(),
        email: "taro@example.co.jp".into(),
        title: "だんじり会館の共同運営".into(),
        summary: "提案の要約".into(),
        details: details.into(),
        fields: vec!["tourism".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    })
    .expect("valid");
    let sub = store
        .proposal_submit(
            k(),
            NewProposal {
                intake,
                route: Route::Free,
                proponent_user_id: None,
                attachments: vec![],
                ip: None,
                lang: renkei_domain::Lang::Ja,
                privacy_consented: true,
                draft_token: None,
            },
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    for t in [
        Transition::StartHearing,
        Transition::StartCoordination,
        Transition::Decide {
            fiscal_justification: String::new(),
        },
    ] {
        store
            .proposal_transition(k(), sub.id, &t, &Who::cli(), &renkei_store::events::NoMail)
            .await
            .expect("transition");
    }
    (sub.id, sub.receipt_number)
}

async fn accountability_record(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    const DETAILS: &str = "社外秘の収支計画と交渉の経緯";
    let (pid, receipt) = decided_proposal(store, DETAILS).await;
    let mut i = input(
        "comprehensive",
        "だんじり会館の連携",
        None,
        "company",
        "tourism",
        "2026-11-01",
        true,
    );
    i.fiscal_burden = "some".into();
    i.fiscal_amount = "1000000".into();
    i.fiscal_justification = "会館の光熱費の一部を負担するため".into();
    let id = create(store, i, Some(pid)).await;
    let path = format!("/t/{K}/partnerships/{id}/accountability");
    for email in [DESK, DEPT, ADMIN] {
        let mut c = signed_in(&app, email).await;
        let r = c.get(&path).await;
        assert_eq!(r.status, 200, "{email}");
        for text in [
            "目的の共有",
            "役割と責任の明確化",
            "相互理解",
            "対等な関係",
            "記載がありません",
            "1,000,000円",
            "フリー型",
            receipt.as_str(),
        ] {
            assert!(r.body.contains(text), "{email}: {text}");
        }
        // The receipt links to the desk's proposal page only for the desk, the one role
        // that page lets in (a department member following it would meet a 403).
        let link = format!("href=\"/t/{K}/desk/proposals/{receipt}\"");
        assert_eq!(r.body.contains(&link), email == DESK, "{email}");
        if r.body.contains(&link) {
            assert_eq!(
                c.get(&format!("/t/{K}/desk/proposals/{receipt}"))
                    .await
                    .status,
                200
            );
        }
    }
    let mut proponent = signed_in(&app, PROPONENT).await;
    assert_eq!(proponent.get(&path).await.status, 403);
    let mut other = signed_in(&app, OTHER_DESK).await;
    let r = other
        .get(&format!("/t/141305/partnerships/{id}/accountability"))
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(other.get(&path).await.status, 403);
    let mut anon = app.client();
    assert_eq!(anon.get(&path).await.status, 303);
    // The public page shows the public part only: no proposal content, no receipt, no staff.
    let public = anon.get(&format!("/t/{K}/cases/{id}")).await;
    assert_eq!(public.status, 200);
    assert!(public.body.contains("フリー型"));
    assert!(public.body.contains("1,000,000円"));
    assert!(public.body.contains("記載がありません"));
    assert!(!public.body.contains(DETAILS));
    assert!(!public.body.contains(&receipt));
    assert!(!public.body.contains("窓口 一郎"));
    // Reading the record reads the proposal: audited.
    let audit = store.audit_recent(K, 1000).await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "proposal.read" && e.detail.contains("accountability"))
    );
}

on_both!(
    dormant_partnerships_are_shown_and_reminded_once,
    every_dashboard_figure_matches_its_list,
    beneficiaries_voice,
    accountability_record,
);
