//! The demo data behind `renkei serve --demo`: a desk at work in every state, loaded once.

use renkei_domain::TenantCode;
use renkei_domain::proposal::{DeclineReason, Status};
use renkei_store::proposals::{InboxFilter, Proposal, today_jst};
use renkei_testkit::{Backend, TestDb, on_both};
use std::collections::BTreeMap;
use std::time::Instant;

fn code(s: &str) -> TenantCode {
    TenantCode::parse(s).expect("code")
}

async fn all(store: &renkei_store::Store, tenant: &str) -> Vec<Proposal> {
    let (list, total) = store
        .inbox(
            code(tenant),
            &InboxFilter {
                per_page: 200,
                ..InboxFilter::default()
            },
        )
        .await
        .expect("inbox");
    assert_eq!(list.len() as i64, total);
    list
}

async fn demo_desk_in_every_state(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let started = Instant::now();
    let logins = store
        .load_demo(&renkei_web::mails::DeskMails)
        .await
        .expect("demo");
    eprintln!("demo load on {backend:?}: {:?}", started.elapsed());
    assert_eq!(logins.len(), 8, "the demo accounts are unchanged");

    let k = all(&store, "272027").await;
    assert!(k.len() >= 30, "{} proposals", k.len());
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &k {
        *by_status.entry(p.status.as_str()).or_default() += 1;
    }
    eprintln!("272027 by status: {by_status:?}");
    for s in Status::ALL {
        assert!(
            by_status.contains_key(s.code()),
            "{s} missing: {by_status:?}"
        );
    }
    for r in DeclineReason::ALL {
        assert!(
            k.iter()
                .any(|p| p.decline_reason.as_deref() == Some(r.code())
                    && p.decline_explanation
                        .as_deref()
                        .is_some_and(|e| !e.is_empty())),
            "{r} missing"
        );
    }
    let today = today_jst();
    assert!(
        k.iter().any(|p| p.is_response_overdue(today)),
        "some first responses are overdue"
    );
    assert!(
        k.iter()
            .any(|p| p.fiscal_burden == "some" && !p.fiscal_explanation.is_empty())
    );
    assert!(k.iter().any(|p| p.assignee_user_id.is_some()));
    assert!(k.iter().any(|p| p.route == "outbound"));
    assert!(k.iter().any(|p| p.kind == "donation"));
    assert!(k.iter().any(|p| p.kind == "consultation"));
    assert!(k.iter().any(|p| p.corporate_number.is_some()));
    assert!(
        k.iter()
            .all(|p| p.email.ends_with("example.jp") || p.email.ends_with("example.co.jp"))
    );
    // Receipt numbers follow the (backdated) dates of receipt.
    let mut sorted = k.clone();
    sorted.sort_by(|a, b| a.receipt_number.cmp(&b.receipt_number));
    assert!(
        sorted
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at)
    );

    let (mut answered, mut overdue, mut hearings, mut messages, mut attachments) = (0, 0, 0, 0, 0);
    for p in &k {
        for r in store.routings(p.id).await.expect("routings") {
            if r.answered_at.is_some() {
                assert!(r.answer.is_some());
                answered += 1;
            }
            if r.is_overdue(today) {
                overdue += 1;
            }
        }
        hearings += store.hearings(p.id).await.expect("hearings").len();
        messages += store.proposal_messages(p.id).await.expect("messages").len();
        attachments += store.attachments(p.id).await.expect("attachments").len();
        let events = store.proposal_events(p.id, false).await.expect("events");
        assert!(events.windows(2).all(|w| w[0].at <= w[1].at), "{}", p.title);
        assert!(events.iter().all(|e| e.at >= p.created_at), "{}", p.title);
    }
    eprintln!(
        "routings answered {answered}, overdue {overdue}; hearings {hearings}; messages {messages}; attachments {attachments}"
    );
    assert!(answered >= 5 && overdue >= 2 && hearings >= 5 && messages >= 5 && attachments >= 3);

    let referred = k.iter().find(|p| p.status == "referred").expect("referred");
    assert_eq!(referred.referred_to.as_deref(), Some("270008"));
    assert!(referred.referral_consent);
    let osaka = all(&store, "270008").await;
    let copy = osaka
        .iter()
        .find(|p| p.referred_from_id == Some(referred.id))
        .expect("the copy at 大阪府");
    assert_eq!(copy.title, referred.title);
    assert_eq!(copy.status, "received");
    assert!(!store.attachments(copy.id).await.expect("att").is_empty());
    let kawasaki = all(&store, "141305").await;
    assert!(!kawasaki.is_empty());
    eprintln!(
        "proposals: 272027 {}, 141305 {}, 270008 {}",
        k.len(),
        kawasaki.len(),
        osaka.len()
    );

    let outbox = store.outbox_list(1000).await.expect("outbox");
    assert!(!outbox.is_empty());
    for kind in ["receipt", "status", "message", "routing"] {
        assert!(outbox.iter().any(|m| m.kind == kind), "no {kind} mail");
    }
    assert!(outbox.iter().all(|m| m.to.ends_with("example.jp")
        || m.to.ends_with("example.co.jp")
        || m.to.ends_with(".demo.renkei.jp")));

    let me = store
        .user_by_email("proponent@example.co.jp")
        .await
        .expect("proponent");
    let mine = store
        .proposals_of_proponent(code("272027"), me.id, &me.email)
        .await
        .expect("mine");
    assert!(mine.len() >= 2, "{}", mine.len());
    assert!(mine.iter().all(|p| p.proponent_user_id == Some(me.id)));
    let states: std::collections::BTreeSet<&str> = mine.iter().map(|p| p.status.as_str()).collect();
    assert!(states.len() >= 2, "{states:?}");

    let report = store.audit_verify().await.expect("verify");
    assert!(report.faults.is_empty(), "{:?}", report.faults);

    // A second start changes nothing.
    let audit = store.audit_total().await.expect("audit");
    let mails = outbox.len();
    let started = Instant::now();
    store
        .load_demo(&renkei_web::mails::DeskMails)
        .await
        .expect("demo again");
    eprintln!("second demo load on {backend:?}: {:?}", started.elapsed());
    assert_eq!(all(&store, "272027").await.len(), k.len());
    assert_eq!(all(&store, "270008").await.len(), osaka.len());
    assert_eq!(store.audit_total().await.expect("audit"), audit);
    assert_eq!(store.outbox_list(1000).await.expect("outbox").len(), mails);
}

on_both!(demo_desk_in_every_state);
