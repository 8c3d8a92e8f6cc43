//! A department's question back to the desk on a routing (照会) and the desk's reply, through
//! the pages: mails through the outbox with 和暦 dates, the routing still pending, the inbox
//! and desk home marker, the timeline and audit trail, and that neither the proponent nor
//! another department ever sees it.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_domain::{Email, Password, Role, TenantCode};
use renkei_store::proposals::{NewProposal, Submitted};
use renkei_store::users::NewUser;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, Client, TestApp, on_both};

const QUESTION: &str = "予算の上限と、実施時期の希望を教えてください。";
const REPLY: &str = "上限は50万円、実施は来年度の夏を希望しています。";

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

pub(crate) async fn submit(store: &Store, title: &str) -> Submitted {
    let input = IntakeInput {
        kind: "proposal".into(),
        org_name: "株式会社だんじり".into(),
        partner_type: "company".into(),
        contact_name: "岸和田 太郎".into(),
        email: "taro@example.co.jp".into(),
        title: title.into(),
        summary: "地域の防災訓練を一緒に".into(),
        fields: vec!["disaster".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    store
        .proposal_submit(
            k(),
            NewProposal {
                intake: Intake::parse(&input).expect("valid"),
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
        .expect("submit")
}

pub(crate) async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

/// A member of 観光振興課 only (the demo's department account is in 危機管理課 and 環境課).
async fn tourism_staff(store: &Store) {
    store
        .create_user(
            &Who::cli(),
            NewUser {
                tenant: Some(k()),
                role: Role::Department,
                email: Email::parse("kanko@kishiwada.example.jp").expect("email"),
                display_name: "観光 四郎".into(),
                password: Password::parse(DEMO_PASSWORD).expect("pw"),
                departments: vec!["観光振興課".into()],
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("user");
}

async fn question_and_reply(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    tourism_staff(store).await;
    let s = submit(store, "照会テストの提案").await;
    let receipt = s.receipt_number.clone();
    let path = format!("/t/272027/desk/proposals/{receipt}");
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    desk.get(&path).await;
    let depts = store.departments(k()).await.expect("departments");
    let id_of = |name: &str| {
        depts
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.id.to_string())
            .expect("dept")
    };
    let routed = desk
        .post(
            &format!("{path}/routings"),
            &[
                ("department_ids", &id_of("危機管理課")),
                ("department_ids", &id_of("観光振興課")),
                ("question", "ご意見をください"),
                ("due_on", "2026-12-04"),
            ],
        )
        .await;
    assert_eq!(routed.status, 303, "{}", routed.body);
    let routings = store.routings(s.id).await.expect("routings");
    let kiki = routings
        .iter()
        .find(|r| r.department_name == "危機管理課")
        .expect("routing")
        .clone();
    let ask_path = format!("/t/272027/department/routings/{}/questions", kiki.id);
    let dept_page = format!("/t/272027/department/proposals/{receipt}");

    let mut staff = signed_in(&app, "kikikanri@kishiwada.demo.renkei.jp").await;
    let page = staff.get(&dept_page).await;
    assert!(page.body.contains(&ask_path), "the ask form is offered");
    // Bad input: 422 with the message by the field, what was typed kept, nothing written.
    let mails_before = store.outbox_list(1000).await.expect("outbox").len();
    let empty = staff.post(&ask_path, &[("desk_question", "  ")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("質問を入力してください。"));
    let long = "あ".repeat(2001);
    let too_long = staff.post(&ask_path, &[("desk_question", &long)]).await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains(&long), "what was typed is kept");
    assert!(store.routing_questions(s.id).await.expect("q").is_empty());
    assert_eq!(
        store.outbox_list(1000).await.expect("outbox").len(),
        mails_before
    );

    let asked = staff.post(&ask_path, &[("desk_question", QUESTION)]).await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    assert!(
        asked
            .location
            .as_deref()
            .is_some_and(|l| l.ends_with("?notice=question-sent"))
    );
    // The routing stays pending with its deadline.
    let after = store.routings(s.id).await.expect("routings");
    let same = after.iter().find(|r| r.id == kiki.id).expect("routing");
    assert!(same.answered_at.is_none() && same.answer.is_none());
    assert_eq!(same.due_on, kiki.due_on);
    // The desk is mailed: who asked and until when the routing runs (和暦), not the question.
    let mails = store.outbox_list(1000).await.expect("outbox");
    let asked_mails: Vec<_> = mails.iter().filter(|m| m.kind == "question").collect();
    assert_eq!(asked_mails.len(), 1, "one desk account, one mail");
    let m = asked_mails[0];
    assert_eq!(m.to, "desk@kishiwada.demo.renkei.jp");
    assert!(
        m.subject.contains(&receipt) && m.subject.contains("危機管理課"),
        "{}",
        m.subject
    );
    assert!(m.body.contains("令和8年12月4日"), "{}", m.body);
    assert!(m.body.contains(&path), "{}", m.body);
    assert!(!m.body.contains(QUESTION), "the question is confidential");

    // The desk sees the mark in the inbox and on its home page, and the question under its
    // routing on the proposal page with a reply form.
    let inbox = desk
        .get(&format!("/t/272027/desk/proposals?q={receipt}"))
        .await;
    assert!(inbox.body.contains("照会あり 1件"), "{}", inbox.body);
    let home = desk.get("/t/272027/desk").await;
    assert!(
        home.body.contains("回答を待っている照会") && home.body.contains(&receipt),
        "{}",
        home.body
    );
    let page = desk.get(&path).await;
    assert!(page.body.contains(QUESTION));
    assert!(page.body.contains("危機管理課から照会（質問）がありました"));
    let q = store.routing_questions(s.id).await.expect("q")[0].clone();
    let reply_path = format!("{path}/questions/{}/reply", q.id);
    assert!(page.body.contains(&reply_path));

    // Another department sees the proposal (routed there too) but not this question, and
    // cannot ask on a routing that is not its own.
    let mut tourism = signed_in(&app, "kanko@kishiwada.example.jp").await;
    let theirs = tourism.get(&dept_page).await;
    assert_eq!(theirs.status, 200);
    assert!(!theirs.body.contains(QUESTION));
    let intruding = tourism
        .post(&ask_path, &[("desk_question", "横から質問")])
        .await;
    assert_eq!(intruding.status, 403);
    assert_eq!(store.routing_questions(s.id).await.expect("q").len(), 1);

    // The desk replies; a bad reply is refused and writes nothing.
    let empty = desk.post(&reply_path, &[("reply", "")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("回答を入力してください。"));
    assert!(
        store.routing_questions(s.id).await.expect("q")[0]
            .reply
            .is_none()
    );
    let replied = desk.post(&reply_path, &[("reply", REPLY)]).await;
    assert_eq!(replied.status, 303, "{}", replied.body);
    let again = desk.post(&reply_path, &[("reply", "二度目")]).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("この質問には既に回答しています。"));
    let q = store.routing_questions(s.id).await.expect("q")[0].clone();
    assert_eq!(q.reply.as_deref(), Some(REPLY));
    // The department's members are mailed; the other department is not.
    let mails = store.outbox_list(1000).await.expect("outbox");
    let replies: Vec<_> = mails
        .iter()
        .filter(|m| m.kind == "question-reply")
        .collect();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].to, "kikikanri@kishiwada.demo.renkei.jp");
    assert!(
        replies[0].body.contains("危機管理課 御中"),
        "{}",
        replies[0].body
    );
    assert!(replies[0].body.contains("令和8年12月4日"));
    assert!(replies[0].body.contains(&dept_page));
    assert!(!replies[0].body.contains(REPLY));
    // The department reads the reply; the other department does not.
    let page = staff.get(&dept_page).await;
    assert!(page.body.contains(QUESTION) && page.body.contains(REPLY));
    assert!(!tourism.get(&dept_page).await.body.contains(REPLY));
    // The marks are gone; the desk's timeline has both steps.
    let inbox = desk
        .get(&format!("/t/272027/desk/proposals?q={receipt}"))
        .await;
    assert!(!inbox.body.contains("照会あり"));
    assert!(!desk.get("/t/272027/desk").await.body.contains(&receipt));
    let page = desk.get(&path).await;
    assert!(page.body.contains("危機管理課からの照会に回答しました"));
    assert!(page.body.contains(REPLY));

    // Never the proponent's: not on the tracking page, not in its timeline.
    let mut proponent = app.client();
    let track = proponent
        .get(&format!("/t/272027/track/{}", s.tracking_token))
        .await;
    assert_eq!(track.status, 200);
    for secret in [QUESTION, REPLY, "照会（質問）", "照会に回答"] {
        assert!(!track.body.contains(secret), "the proponent saw {secret}");
    }
    let public_events = store.proposal_events(s.id, true).await.expect("events");
    assert!(
        public_events
            .iter()
            .all(|e| e.kind != "routing_question" && e.kind != "question_reply")
    );

    // Audited.
    let audit: Vec<_> = store
        .audit_recent("272027", 1000)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(audit.iter().any(|a| a == "proposal.routing_question"));
    assert!(audit.iter().any(|a| a == "proposal.routing_question_reply"));

    // The routing is still answered the usual way; after that no more questions.
    let ans = staff
        .post(
            &format!("/t/272027/department/routings/{}/answer", kiki.id),
            &[("answer", "interested"), ("comment", "")],
        )
        .await;
    assert_eq!(ans.status, 303, "{}", ans.body);
    let late = staff
        .post(&ask_path, &[("desk_question", "追加の質問")])
        .await;
    assert_eq!(late.status, 422);
    assert!(late.body.contains("回答済みのため"));
    assert_eq!(store.routing_questions(s.id).await.expect("q").len(), 1);
}

/// The desk hears of a question in English when its account reads English.
async fn question_mail_in_the_readers_language(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let desk_user = store
        .user_by_email("desk@kishiwada.demo.renkei.jp")
        .await
        .expect("desk");
    store
        .user_set_lang(desk_user.id, renkei_domain::Lang::En)
        .await
        .expect("lang");
    let s = submit(store, "英語の照会").await;
    let kiki = store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == "危機管理課")
        .expect("dept");
    let due = renkei_domain::calendar::add_business_days(store.today(), 5);
    store
        .routing_add(
            k(),
            s.id,
            &[kiki.id],
            "ご意見を",
            due,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("route");
    let routing = store.routings(s.id).await.expect("routings")[0].id;
    let mut staff = signed_in(&app, "kikikanri@kishiwada.demo.renkei.jp").await;
    staff
        .get(&format!(
            "/t/272027/department/proposals/{}",
            s.receipt_number
        ))
        .await;
    let asked = staff
        .post(
            &format!("/t/272027/department/routings/{routing}/questions"),
            &[("desk_question", QUESTION)],
        )
        .await;
    assert_eq!(asked.status, 303, "{}", asked.body);
    let mails = store.outbox_list(1000).await.expect("outbox");
    let m = mails
        .iter()
        .find(|m| m.kind == "question")
        .expect("question mail");
    assert!(m.subject.contains("asked a question"), "{}", m.subject);
    assert!(!m.body.contains("令和"), "{}", m.body);
}

on_both!(question_and_reply, question_mail_in_the_readers_language);
