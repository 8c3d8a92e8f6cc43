use renkei_domain::proposal::{
    Answer, Channel, DeclineReason, Intake, IntakeInput, Route, Status, Transition,
};
use renkei_domain::{DepartmentName, TenantCode};
use renkei_store::outbox::OutgoingMail;
use renkei_store::proposals::{InboxFilter, NewAttachment, NewHearing, NewProposal};
use renkei_store::{Store, StoreError, Who};
use renkei_testkit::{Backend, TestDb, on_both};

fn code(s: &str) -> TenantCode {
    TenantCode::parse(s).expect("code")
}

pub fn sample_input(org: &str, title: &str) -> IntakeInput {
    IntakeInput {
        kind: "proposal".into(),
        org_name: org.into(),
        partner_type: "company".into(),
        corporate_number: String::new(),
        contact_name: "連携 花子".into(),
        email: "hanako@example.co.jp".into(),
        phone: "072-423-2121".into(),
        title: title.into(),
        summary: "地域の防災力を高める提案です。".into(),
        details: "自主防災組織と連携した訓練を行います。".into(),
        fields: vec!["disaster".into()],
        offers: vec!["knowhow".into()],
        expected_effects: "避難の迅速化".into(),
        fiscal_burden: "none".into(),
        fiscal_explanation: String::new(),
        publication_consent: true,
        ..IntakeInput::default()
    }
}

fn new_proposal(input: IntakeInput) -> NewProposal {
    NewProposal {
        intake: Intake::parse(&input).expect("valid"),
        route: Route::Free,
        proponent_user_id: None,
        attachments: vec![NewAttachment {
            filename: "提案書.pdf".into(),
            content_type: "application/pdf".into(),
            data: b"%PDF-1.4\n%test\n".to_vec(),
        }],
        ip: Some("192.0.2.10".into()),
        lang: renkei_domain::Lang::Ja,
        privacy_consented: true,
        draft_token: None,
    }
}

async fn seeded(db: &TestDb) -> Store {
    let store = db.open().await;
    let csv = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n140007,神奈川県,,ｶﾅｶﾞﾜｹﾝ,\n141305,神奈川県,川崎市,ｶﾅｶﾞﾜｹﾝ,ｶﾜｻｷｼ\n";
    store
        .import_tenants(csv.as_bytes(), &Who::cli())
        .await
        .expect("import");
    for code in ["270008", "272027", "141305"] {
        renkei_testkit::open_desk(&store, code).await;
    }
    store
}

/// Mails of overdue reminders, as (kind of item, recipient) in the subject.
struct ReminderKinds;

impl renkei_store::events::Mailer for ReminderKinds {
    fn mails(&self, e: &renkei_store::events::DomainEvent<'_>) -> Vec<OutgoingMail> {
        use renkei_store::reminders::Overdue;
        let renkei_store::events::DomainEvent::Overdue { item, .. } = e else {
            return vec![];
        };
        let (kind, to) = match item {
            Overdue::Routing { recipients, .. } => ("routing", recipients.clone()),
            Overdue::FirstResponse { recipients, .. } => ("first", recipients.clone()),
        };
        to.into_iter()
            .map(|to| OutgoingMail {
                tenant_code: None,
                proposal_id: None,
                kind: "reminder".into(),
                to: to.email,
                subject: kind.into(),
                body: String::new(),
            })
            .collect()
    }
}

/// Remembers the receipt number of a referral's copy.
#[derive(Default)]
struct CopyReceipt(std::sync::Mutex<String>);

impl renkei_store::events::Mailer for CopyReceipt {
    fn mails(&self, e: &renkei_store::events::DomainEvent<'_>) -> Vec<OutgoingMail> {
        if let renkei_store::events::DomainEvent::Referred { copy, .. } = e
            && let Ok(mut r) = self.0.lock()
        {
            *r = copy.receipt_number.clone();
        }
        vec![]
    }
}

async fn intake_numbers_partners_and_attachments(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let k = code("272027");
    let a = store
        .proposal_submit(
            k,
            new_proposal(sample_input("株式会社だんじり防災", "防災訓練")),
            &Who::cli(),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("submit");
    let b = store
        .proposal_submit(
            k,
            new_proposal(sample_input("だんじり防災（株）", "防災アプリ")),
            &Who::cli(),
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("submit");
    // The test clock stands in 令和8年度 (fiscal 2026): numbers count from April.
    assert_eq!(a.receipt_number, "272027-2026-0001");
    assert_eq!(b.receipt_number, "272027-2026-0002");
    // Another tenant counts on its own.
    let c = store
        .proposal_submit(
            code("141305"),
            new_proposal(sample_input("川崎の会社", "川崎の提案")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    assert_eq!(c.receipt_number, "141305-2026-0001");

    let pa = store.proposal(k, &a.receipt_number).await.expect("a");
    let pb = store.proposal(k, &b.receipt_number).await.expect("b");
    assert_eq!(
        pa.partner_id, pb.partner_id,
        "the same organisation by normalised name"
    );
    assert_eq!(pa.status(), Status::Received);
    assert!(pa.first_response_due > chrono::NaiveDate::MIN);
    assert!(matches!(
        store.proposal(code("141305"), &a.receipt_number).await,
        Err(StoreError::NotFound)
    ));

    let by_link = store
        .proposal_by_tracking(k, &a.tracking_token)
        .await
        .expect("tracking");
    assert_eq!(by_link.id, pa.id);
    assert!(
        store
            .proposal_by_tracking(code("141305"), &a.tracking_token)
            .await
            .is_err()
    );

    let att = store.attachments(pa.id).await.expect("attachments");
    assert_eq!(att.len(), 1);
    assert_eq!(att[0].filename, "提案書.pdf");
    let (_, data) = store
        .attachment_data(k, pa.id, att[0].id)
        .await
        .expect("data");
    assert_eq!(data, b"%PDF-1.4\n%test\n");
    assert!(
        store
            .attachment_data(code("141305"), pa.id, att[0].id)
            .await
            .is_err()
    );

    assert_eq!(
        store
            .intake_count_last_hour("192.0.2.10")
            .await
            .expect("count"),
        3
    );
    let partners = store.partners(k, None).await.expect("partners");
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].proposal_count, 2);
    let by_name = store
        .partners(k, Some("株式会社 だんじり"))
        .await
        .expect("search");
    assert_eq!(by_name.len(), 1, "found by normalised name");
    assert!(
        store
            .partners(k, Some("存在しない団体"))
            .await
            .expect("search")
            .is_empty()
    );
    let mails: i64 =
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM outbox WHERE kind = 'receipt'")
            .fetch_one(store.pool())
            .await
            .expect("outbox");
    assert_eq!(mails, 2);
    assert!(
        store
            .audit_verify()
            .await
            .expect("verify")
            .faults
            .is_empty()
    );
}

async fn corporate_number_wins_over_name(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let k = code("272027");
    let mut one = sample_input("岸和田テック", "提案1");
    one.corporate_number = "7000012050002".into();
    let mut two = sample_input("株式会社 岸和田テクノロジー（旧 岸和田テック）", "提案2");
    two.corporate_number = "7000012050002".into();
    let a = store
        .proposal_submit(
            k,
            new_proposal(one),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("a");
    let b = store
        .proposal_submit(
            k,
            new_proposal(two),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("b");
    let pa = store.proposal(k, &a.receipt_number).await.expect("a");
    let pb = store.proposal(k, &b.receipt_number).await.expect("b");
    assert_eq!(pa.partner_id, pb.partner_id);
}

async fn lifecycle_hearing_routing_decline(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let k = code("272027");
    let s = store
        .proposal_submit(
            k,
            new_proposal(sample_input("NPO法人 浜の会", "海岸清掃")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    let p = store.proposal(k, &s.receipt_number).await.expect("p");
    let d1 = store
        .department_create(&Who::cli(), k, &DepartmentName::parse("環境課").expect("n"))
        .await
        .expect("d1");
    let d2 = store
        .department_create(
            &Who::cli(),
            k,
            &DepartmentName::parse("観光振興課").expect("n"),
        )
        .await
        .expect("d2");
    let other = store
        .department_create(
            &Who::cli(),
            code("141305"),
            &DepartmentName::parse("環境局").expect("n"),
        )
        .await
        .expect("other");

    store
        .proposal_transition(
            k,
            p.id,
            &Transition::StartHearing,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("hearing");
    store
        .hearing_add(
            k,
            p.id,
            &NewHearing {
                held_on: store.today(),
                channel: Channel::Meeting,
                participants: "浜の会 代表、デスク".into(),
                notes: "清掃活動の範囲を確認".into(),
                next_steps: "環境課と調整".into(),
            },
            &Who::cli(),
        )
        .await
        .expect("hearing record");
    // A hearing cannot be dated tomorrow.
    let tomorrow = store.today() + renkei_domain::time::Days::new(1);
    assert!(matches!(
        store
            .hearing_add(
                k,
                p.id,
                &NewHearing {
                    held_on: tomorrow,
                    channel: Channel::Phone,
                    participants: "未来".into(),
                    notes: "まだ行っていない聞き取り".into(),
                    next_steps: String::new(),
                },
                &Who::cli(),
            )
            .await,
        Err(StoreError::Conflict {
            field: "held_on",
            key: "error-hearing-future"
        })
    ));
    assert_eq!(store.hearings(p.id).await.expect("hearings").len(), 1);
    let due = renkei_domain::calendar::add_business_days(store.today(), 10);
    let route = |ids: Vec<i64>, due| {
        let store = store.clone();
        async move {
            store
                .routing_add(
                    k,
                    p.id,
                    &ids,
                    "ご意見を",
                    due,
                    &Who::cli(),
                    &renkei_store::events::NoMail,
                )
                .await
        }
    };
    // Nobody works in either department yet: a routing would reach no one.
    assert!(matches!(
        route(vec![d1.id], due).await,
        Err(StoreError::Conflict {
            field: "department_ids",
            key: "error-routing-department-empty"
        })
    ));
    for (email, dept) in [
        ("kankyo@example.jp", "環境課"),
        ("kanko@example.jp", "観光振興課"),
    ] {
        store
            .create_user(
                &Who::cli(),
                renkei_store::users::NewUser {
                    tenant: Some(k),
                    role: renkei_domain::Role::Department,
                    email: renkei_domain::Email::parse(email).expect("e"),
                    display_name: dept.into(),
                    password: renkei_domain::Password::parse("long enough pw").expect("p"),
                    departments: vec![dept.into()],
                },
                &renkei_testkit::mails(renkei_testkit::DEMO_URL),
            )
            .await
            .expect("member");
    }
    // A deadline in the past is refused; today is still possible.
    let yesterday = store.today() - renkei_domain::time::Days::new(1);
    assert!(matches!(
        route(vec![d1.id], yesterday).await,
        Err(StoreError::Conflict {
            field: "due_on",
            key: "error-routing-due-past"
        })
    ));
    // The desk's own department is not a target.
    let desk_dept = store
        .department_create(
            &Who::cli(),
            k,
            &DepartmentName::parse("公民戦略連携デスク").expect("n"),
        )
        .await
        .expect("desk department");
    store
        .create_user(
            &Who::cli(),
            renkei_store::users::NewUser {
                tenant: Some(k),
                role: renkei_domain::Role::Department,
                email: renkei_domain::Email::parse("desk-member@example.jp").expect("e"),
                display_name: "デスクの課".into(),
                password: renkei_domain::Password::parse("long enough pw").expect("p"),
                departments: vec!["公民戦略連携デスク".into()],
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("member");
    let settings = store.desk_settings(k).await.expect("settings");
    store
        .desk_settings_save(
            &Who::cli(),
            k,
            renkei_store::proposals::DeskSettings {
                desk_department_id: Some(desk_dept.id),
                ..settings
            },
        )
        .await
        .expect("settings");
    assert!(matches!(
        route(vec![d1.id, desk_dept.id], due).await,
        Err(StoreError::Conflict {
            field: "department_ids",
            key: "error-routing-desk-itself"
        })
    ));
    assert!(
        store.routings(p.id).await.expect("none").is_empty(),
        "a refused routing writes nothing, not even for the valid department"
    );
    // A department of another tenant cannot be routed to.
    assert!(matches!(
        store
            .routing_add(
                k,
                p.id,
                &[other.id],
                "ご意見を",
                due,
                &Who::cli(),
                &renkei_store::events::NoMail
            )
            .await,
        Err(StoreError::Conflict {
            key: "error-department-unknown",
            ..
        })
    ));
    store
        .routing_add(
            k,
            p.id,
            &[d1.id, d2.id],
            "実施の可否についてご意見をください",
            due,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("route");
    assert_eq!(
        store.routed_department_ids(p.id).await.expect("ids").len(),
        2
    );
    let routings = store.routings(p.id).await.expect("routings");
    let r1 = routings
        .iter()
        .find(|r| r.department_id == d1.id)
        .expect("r1");
    let answered = store
        .routing_answer(
            k,
            r1.id,
            Answer::Conditional,
            "夏季以外なら可能",
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("answer");
    assert_eq!(answered.answer.map(|a| a.code()), Some("conditional"));
    assert!(
        store
            .routing_answer(
                code("141305"),
                r1.id,
                Answer::Interested,
                "",
                &Who::cli(),
                &renkei_store::events::NoMail
            )
            .await
            .is_err()
    );
    assert_eq!(
        store
            .routings_for_department(d2.id)
            .await
            .expect("d2")
            .len(),
        1
    );

    // Deciding straight from 受付 is not allowed; invalid moves change nothing.
    let declined = store
        .proposal_transition(
            k,
            p.id,
            &Transition::Decline {
                reason: DeclineReason::Infeasible,
                explanation: "今年度は実施が難しいため".into(),
            },
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("decline");
    assert_eq!(declined.status(), Status::Declined);
    assert_eq!(
        declined.decline_reason.map(|r| r.code()),
        Some("infeasible")
    );
    assert!(declined.closed_at.is_some());
    assert!(declined.first_responded_at.is_some());
    let again = store
        .proposal_transition(
            k,
            p.id,
            &Transition::StartHearing,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await;
    assert!(matches!(
        again,
        Err(StoreError::Conflict {
            key: "error-transition-closed",
            ..
        })
    ));
    let events = store.proposal_events(p.id, true).await.expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.to_status.map(|s| s.code()) == Some("declined"))
    );
    assert!(
        events.iter().all(|e| e.kind != "routing"),
        "internal events stay internal"
    );
    assert!(
        store
            .proposal_events(p.id, false)
            .await
            .expect("all")
            .iter()
            .any(|e| e.kind == "routing")
    );
    assert!(
        store
            .audit_verify()
            .await
            .expect("verify")
            .faults
            .is_empty()
    );
}

async fn referral_to_the_prefecture(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let k = code("272027");
    let osaka = code("270008");
    let s = store
        .proposal_submit(
            k,
            new_proposal(sample_input("大学法人 泉州大学", "広域の連携")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    let p = store.proposal(k, &s.receipt_number).await.expect("p");
    let refused = store
        .proposal_transition(
            k,
            p.id,
            &Transition::Refer { to: osaka },
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Conflict {
                key: "error-referral-needs-consent",
                ..
            })
        ),
        "{refused:?}"
    );
    store
        .consent_set(k, p.id, true, true, &Who::cli())
        .await
        .expect("consent");
    // The desk's own records stay with this desk.
    store
        .memo_add(k, p.id, "岸和田市の内部メモ", &Who::cli())
        .await
        .expect("memo");
    store
        .desk_attachments_add(
            k,
            p.id,
            &[renkei_store::proposals::NewAttachment {
                filename: "岸和田市の内部資料.pdf".into(),
                content_type: "application/pdf".into(),
                data: b"%PDF-1.4 internal".to_vec(),
            }],
            &Who::cli(),
        )
        .await
        .expect("desk file");
    let seen = CopyReceipt::default();
    let referred = store
        .proposal_transition(
            k,
            p.id,
            &Transition::Refer { to: osaka },
            &Who::cli(),
            &seen,
        )
        .await
        .expect("refer");
    let copy_receipt = seen.0.lock().map(|r| r.clone()).unwrap_or_default();
    assert_eq!(referred.status(), Status::Referred);
    assert_eq!(
        referred.referred_to.map(|t| t.to_string()).as_deref(),
        Some("270008")
    );
    assert!(copy_receipt.starts_with("270008-"), "{copy_receipt}");
    let copy = store
        .proposal(osaka, &copy_receipt)
        .await
        .expect("copy at the prefecture");
    assert_eq!(copy.referred_from_id, Some(p.id));
    assert_eq!(copy.title, "広域の連携");
    let travelled = store.attachments(copy.id).await.expect("att");
    assert_eq!(
        travelled.len(),
        1,
        "the proponent's attachments travel, the desk's own do not: {travelled:?}"
    );
    assert!(!travelled[0].from_desk());
    assert!(
        store.memos(osaka, copy.id).await.expect("memos").is_empty(),
        "memos stay with the desk that wrote them"
    );
    assert_eq!(copy.status(), Status::Received);
}

async fn inbox_filters_and_japanese_search(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let k = code("272027");
    let mut welfare = sample_input("社会福祉法人 つばさ", "高齢者の見守り");
    welfare.fields = vec!["health".into()];
    welfare.partner_type = "npo".into();
    welfare.summary = "福祉と見守りの提案".into();
    welfare.details = "地域の高齢者を訪問します。".into();
    welfare.expected_effects = "孤立の予防".into();
    store
        .proposal_submit(
            k,
            new_proposal(welfare),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("w");
    store
        .proposal_submit(
            k,
            new_proposal(sample_input("株式会社だんじり防災", "防災訓練")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("d");
    store
        .proposal_submit(
            code("141305"),
            new_proposal(sample_input("川崎防災", "防災")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("other tenant");

    let all = store
        .inbox(
            k,
            &InboxFilter {
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .expect("all");
    assert_eq!(all.1, 2, "only this tenant's proposals");
    let q = |s: &str| InboxFilter {
        q: Some(s.into()),
        per_page: 50,
        ..Default::default()
    };
    let (hits, n) = store.inbox(k, &q("防災")).await.expect("search");
    assert_eq!(n, 1, "two-character Japanese words match");
    assert_eq!(hits[0].title, "防災訓練");
    assert_eq!(store.inbox(k, &q("福祉")).await.expect("search").1, 1);
    assert_eq!(
        store.inbox(k, &q("ﾀﾞﾝｼﾞﾘ")).await.expect("search").1,
        1,
        "half-width katakana finds the hiragana だんじり"
    );
    assert_eq!(store.inbox(k, &q("ﾃﾞﾝｼｬ")).await.expect("search").1, 0);
    assert_eq!(store.inbox(k, &q("100%")).await.expect("search").1, 0);
    let by_field = InboxFilter {
        field: Some("health".into()),
        per_page: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox(k, &by_field).await.expect("field").1, 1);
    let by_type = InboxFilter {
        partner_type: Some("npo".into()),
        per_page: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox(k, &by_type).await.expect("type").1, 1);
    let by_status = InboxFilter {
        statuses: vec!["declined".into()],
        per_page: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox(k, &by_status).await.expect("status").1, 0);
    let unassigned = InboxFilter {
        assignee: Some(0),
        per_page: 50,
        ..Default::default()
    };
    assert_eq!(store.inbox(k, &unassigned).await.expect("unassigned").1, 2);
    let page = InboxFilter {
        per_page: 1,
        page: 1,
        ..Default::default()
    };
    let (rows, total) = store.inbox(k, &page).await.expect("page");
    assert_eq!((rows.len(), total), (1, 2));
    let overdue = InboxFilter {
        overdue_only: true,
        per_page: 50,
        ..Default::default()
    };
    assert_eq!(
        store.inbox(k, &overdue).await.expect("overdue").1,
        0,
        "just received: not overdue"
    );
}

on_both!(
    intake_numbers_partners_and_attachments,
    corporate_number_wins_over_name,
    lifecycle_hearing_routing_decline,
    referral_to_the_prefecture,
    inbox_filters_and_japanese_search
);

/// Overdue routings and first responses are reminded once a day, whoever runs the job.
async fn overdue_reminders_once_a_day(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let k = code("272027");
    // Received on Tuesday 2026-11-24: the first response is due five business days later.
    let s = store
        .proposal_submit(
            k,
            new_proposal(sample_input("株式会社リマインド", "期限切れの提案")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    let d = store
        .department_create(&Who::cli(), k, &DepartmentName::parse("環境課").expect("n"))
        .await
        .expect("d");
    store
        .create_user(
            &Who::cli(),
            renkei_store::users::NewUser {
                tenant: Some(k),
                role: renkei_domain::Role::Department,
                email: renkei_domain::Email::parse("kankyo@example.jp").expect("e"),
                display_name: "環境 一郎".into(),
                password: renkei_domain::Password::parse("long enough pw").expect("p"),
                departments: vec!["環境課".into()],
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("staff");
    store
        .create_user(
            &Who::cli(),
            renkei_store::users::NewUser {
                tenant: Some(k),
                role: renkei_domain::Role::Desk,
                email: renkei_domain::Email::parse("desk@example.jp").expect("e"),
                display_name: "窓口".into(),
                password: renkei_domain::Password::parse("long enough pw").expect("p"),
                departments: vec![],
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("desk");
    let p = store.proposal(k, &s.receipt_number).await.expect("p");
    assert_eq!(p.first_response_due.to_string(), "2026-12-01");
    // Asked on Tuesday, to answer by Wednesday 2026-11-25.
    store
        .routing_add(
            k,
            s.id,
            &[d.id],
            "ご意見を",
            renkei_domain::calendar::add_business_days(store.today(), 1),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("route");
    let compose = &ReminderKinds;
    // Nothing is overdue on the day itself, nor on the deadline.
    assert_eq!(store.queue_overdue_reminders(compose).await.expect("r"), 0);
    db.set_jst("2026-11-25T17:00:00");
    assert_eq!(store.queue_overdue_reminders(compose).await.expect("r"), 0);
    // Thursday: the routing is a day late.
    db.set_jst("2026-11-26T09:00:00");
    assert_eq!(
        store.queue_overdue_reminders(compose).await.expect("r"),
        1,
        "the department member"
    );
    // Wednesday 2026-12-02: the first response is late too; a new proposal is not.
    db.set_jst("2026-12-02T09:00:00");
    let fresh = store
        .proposal_submit(
            k,
            new_proposal(sample_input("株式会社フレッシュ", "新しい提案")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    let first = store
        .queue_overdue_reminders(compose)
        .await
        .expect("reminders");
    assert_eq!(
        first, 3,
        "one to the department member, one to each desk account"
    );
    let again = store
        .queue_overdue_reminders(compose)
        .await
        .expect("reminders");
    assert_eq!(again, 0, "not twice the same day");
    let mails = store.outbox_list(50).await.expect("outbox");
    assert!(
        mails
            .iter()
            .any(|m| m.kind == "reminder" && m.to == "kankyo@example.jp" && m.subject == "routing")
    );
    assert!(
        mails
            .iter()
            .any(|m| m.kind == "reminder" && m.to == "desk@example.jp" && m.subject == "first")
    );
    // The next morning in Japan (00:30 JST is still the previous day in UTC) they come again.
    db.set_jst("2026-12-03T00:30:00");
    assert_eq!(store.queue_overdue_reminders(compose).await.expect("r"), 3);
    let fresh = store
        .proposal(k, &fresh.receipt_number)
        .await
        .expect("fresh");
    assert!(!fresh.is_response_overdue(store.today()));
}

on_both!(overdue_reminders_once_a_day);

/// A stored value that does not parse is an error naming its column, never a default: a
/// status nobody knows must not read as 受付 and put the proposal back in the inbox.
async fn a_corrupt_row_is_an_error(backend: Backend) {
    let db = TestDb::new(backend);
    let store = seeded(&db).await;
    let k = code("272027");
    let s = store
        .proposal_submit(
            k,
            new_proposal(sample_input("株式会社こわれ", "壊れた行")),
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    assert_eq!(
        store
            .proposal(k, &s.receipt_number)
            .await
            .expect("p")
            .status,
        renkei_domain::proposal::Status::Received
    );
    for (column, value, good) in [
        ("status", "archived", "received"),
        ("first_response_due", "2026-13-40", "2026-12-01"),
        ("lang", "fr", "ja"),
    ] {
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query(&format!("UPDATE proposals SET {column} = $1 WHERE id = $2"))
            .bind(value)
            .bind(s.id)
            .execute(&mut *conn)
            .await
            .expect("corrupt it");
        drop(conn);
        match store.proposal(k, &s.receipt_number).await {
            Err(StoreError::Corrupt {
                table: "proposals",
                column: c,
                value: v,
            }) => {
                assert_eq!((c, v.as_str()), (column, value));
            }
            other => panic!("{column}: {other:?}"),
        }
        // The inbox refuses too, rather than listing it as something it is not.
        assert!(
            store
                .inbox(k, &renkei_store::proposals::InboxFilter::default())
                .await
                .is_err(),
            "{column}"
        );
        // Put it right for the next column.
        let mut conn = store.pool().acquire().await.expect("conn");
        sqlx::query(&format!("UPDATE proposals SET {column} = $1 WHERE id = $2"))
            .bind(good)
            .bind(s.id)
            .execute(&mut *conn)
            .await
            .expect("repair");
    }
}

on_both!(a_corrupt_row_is_an_error);
