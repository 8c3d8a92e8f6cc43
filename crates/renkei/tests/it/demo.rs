//! The demo data behind `renkei serve --demo`: a desk at work in every state, loaded once,
//! and the same story whatever day it is loaded on.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use renkei_app::demo::{Planned, demo_anchor, schedule};
use renkei_domain::TenantCode;
use renkei_domain::calendar::{add_business_days, is_business_day};
use renkei_domain::proposal::{DeclineReason, Status};
use renkei_domain::time::{jst_at, jst_date, jst_day_start, to_jst};
use renkei_store::Store;
use renkei_store::proposals::{InboxFilter, Proposal};
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
    let logins = renkei_app::demo::load(&renkei_app::App::new(
        store.clone(),
        renkei_testkit::DEMO_URL,
    ))
    .await
    .expect("demo");
    eprintln!("demo load on {backend:?}: {:?}", started.elapsed());
    assert_eq!(logins.len(), 8, "the demo accounts are unchanged");

    let k = all(&store, "272027").await;
    assert!(k.len() >= 30, "{} proposals", k.len());
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &k {
        *by_status.entry(p.status.code()).or_default() += 1;
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
                .any(|p| p.decline_reason.map(|r| r.code()) == Some(r.code())
                    && p.decline_explanation
                        .as_deref()
                        .is_some_and(|e| !e.is_empty())),
            "{r} missing"
        );
    }
    let today = store.today();
    assert!(
        k.iter().any(|p| p.is_response_overdue(today)),
        "some first responses are overdue"
    );
    assert!(
        k.iter()
            .any(|p| p.fiscal_burden && !p.fiscal_explanation.is_empty())
    );
    assert!(k.iter().any(|p| p.assignee_user_id.is_some()));
    assert!(k.iter().any(|p| p.route.code() == "outbound"));
    assert!(k.iter().any(|p| p.kind.code() == "donation"));
    assert!(k.iter().any(|p| p.kind.code() == "consultation"));
    assert!(k.iter().any(|p| p.corporate_number.is_some()));
    assert!(
        k.iter()
            .all(|p| p.email.ends_with("example.jp") || p.email.ends_with("example.co.jp"))
    );
    check_receipts_deadlines_and_overdue(&store, "272027", &k).await;

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

    let referred = k
        .iter()
        .find(|p| p.status.code() == "referred")
        .expect("referred");
    assert_eq!(
        referred.referred_to.map(|t| t.to_string()).as_deref(),
        Some("270008")
    );
    assert!(referred.referral_consent);
    let osaka = all(&store, "270008").await;
    let copy = osaka
        .iter()
        .find(|p| p.referred_from_id == Some(referred.id))
        .expect("the copy at 大阪府");
    assert_eq!(copy.title, referred.title);
    assert_eq!(copy.status.code(), "received");
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
        .proposals_of_proponent(code("272027"), me.id)
        .await
        .expect("mine");
    assert!(mine.len() >= 2, "{}", mine.len());
    assert!(mine.iter().all(|p| p.proponent_user_id == Some(me.id)));
    let states: std::collections::BTreeSet<&str> = mine.iter().map(|p| p.status.code()).collect();
    assert!(states.len() >= 2, "{states:?}");

    // Partnerships: every decided proposal realised (linked to it), one carried-over
    // agreement dormant, one ending without a renewal decision, activities recorded.
    let (partnerships, _) = store
        .partnerships(
            code("272027"),
            &renkei_store::partnerships::PartnershipFilter {
                per_page: 100,
                ..Default::default()
            },
        )
        .await
        .expect("partnerships");
    let decided = k
        .iter()
        .filter(|p| p.status == renkei_domain::proposal::Status::Decided)
        .count();
    assert!(decided >= 2, "{decided}");
    // Every decided proposal but the latest is realised (that one is left for the desk).
    assert_eq!(partnerships.len(), decided - 1 + 2, "{partnerships:?}");
    let mut unrealised = Vec::new();
    for p in &k {
        if p.status == renkei_domain::proposal::Status::Decided
            && store
                .partnership_of_proposal(code("272027"), p.id)
                .await
                .expect("link")
                .is_none()
        {
            unrealised.push(p);
        }
    }
    assert_eq!(unrealised.len(), 1);
    assert!(
        k.iter()
            .all(|p| p.status != renkei_domain::proposal::Status::Decided
                || p.closed_at <= unrealised[0].closed_at)
    );
    assert_eq!(partnerships.iter().filter(|p| p.dormant).count(), 1);
    assert_eq!(
        partnerships.iter().filter(|p| p.ending_undecided).count(),
        1
    );
    assert!(
        partnerships
            .iter()
            .filter(|p| p.last_activity_on.is_some())
            .count()
            >= 2
    );

    let report = store.audit_verify().await.expect("verify");
    assert!(report.faults.is_empty(), "{:?}", report.faults);

    // A second start changes nothing.
    let audit = store.audit_total().await.expect("audit");
    let mails = outbox.len();
    let started = Instant::now();
    renkei_app::demo::load(&renkei_app::App::new(
        store.clone(),
        renkei_testkit::DEMO_URL,
    ))
    .await
    .expect("demo again");
    eprintln!("second demo load on {backend:?}: {:?}", started.elapsed());
    assert_eq!(all(&store, "272027").await.len(), k.len());
    assert_eq!(all(&store, "270008").await.len(), osaka.len());
    assert_eq!(
        store
            .partnerships(
                code("272027"),
                &renkei_store::partnerships::PartnershipFilter {
                    per_page: 100,
                    ..Default::default()
                },
            )
            .await
            .expect("partnerships")
            .1,
        partnerships.len() as i64
    );
    assert_eq!(store.audit_total().await.expect("audit"), audit);
    assert_eq!(store.outbox_list(1000).await.expect("outbox").len(), mails);
}

on_both!(demo_desk_in_every_state);

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Receipt numbers follow the dates of receipt; every deadline is a business day counted
/// from the day it was set; some items are overdue today and some are not.
async fn check_receipts_deadlines_and_overdue(store: &Store, tenant: &str, list: &[Proposal]) {
    let today = store.today();
    let now = store.now();
    let settings = store.desk_settings(code(tenant)).await.expect("settings");
    let mut sorted = list.to_vec();
    sorted.sort_by(|a, b| a.receipt_number.cmp(&b.receipt_number));
    for w in sorted.windows(2) {
        assert!(
            w[0].created_at < w[1].created_at,
            "{today}: {} at {} before {} at {}",
            w[0].receipt_number,
            w[0].created_at,
            w[1].receipt_number,
            w[1].created_at
        );
    }
    let (mut overdue, mut on_time, mut routings_overdue, mut routings_waiting) = (0, 0, 0, 0);
    for p in list {
        let created = p.created_at;
        assert!(
            created < now,
            "{today}: {} is in the future",
            p.receipt_number
        );
        let received = jst_date(created);
        assert_eq!(p.received_on, received, "{}", p.receipt_number);
        let fy = if received.month() >= 4 {
            received.year()
        } else {
            received.year() - 1
        };
        assert_eq!(p.fiscal_year, i64::from(fy), "{}", p.receipt_number);
        assert!(
            p.receipt_number.starts_with(&format!("{tenant}-{fy}-")),
            "{today}: {} received {received}",
            p.receipt_number
        );
        let due = p.first_response_due;
        if p.referred_from_id.is_none() {
            assert_eq!(
                due,
                add_business_days(received, settings.first_response_days as u32),
                "{today}: {}",
                p.receipt_number
            );
        }
        assert!(
            is_business_day(due),
            "{today}: {} due {due}",
            p.receipt_number
        );
        if p.is_response_overdue(today) {
            overdue += 1;
        } else if !p.status().is_closed() && p.first_responded_at.is_none() {
            on_time += 1;
        }
        for r in store.routings(p.id).await.expect("routings") {
            let asked = jst_date(r.requested_at);
            let due = r.due_on;
            assert!(is_business_day(asked), "{today}: routed on {asked}");
            assert_eq!(due, add_business_days(asked, settings.routing_days as u32));
            if r.is_overdue(today) {
                routings_overdue += 1;
            } else if r.answered_at.is_none() {
                routings_waiting += 1;
            }
        }
    }
    assert!(
        overdue >= 1 && on_time >= 1,
        "{today}: first responses overdue {overdue}, waiting within the deadline {on_time}"
    );
    assert!(
        routings_overdue >= 2 && routings_waiting >= 1,
        "{today}: routings overdue {routings_overdue}, waiting within the deadline {routings_waiting}"
    );
}

/// Business days from `date` up to (not including) `today`, by a precomputed index.
struct BusinessDays {
    first: NaiveDate,
    index: Vec<i64>,
}

impl BusinessDays {
    fn new(first: NaiveDate, last: NaiveDate) -> Self {
        let mut index = Vec::new();
        let mut n = 0;
        let mut d = first;
        while d <= last {
            index.push(n);
            if is_business_day(d) {
                n += 1;
            }
            d = d.succ_opt().expect("next day");
        }
        Self { first, index }
    }

    fn before(&self, date: NaiveDate, today: NaiveDate) -> i64 {
        let i = |d: NaiveDate| (d - self.first).num_days() as usize;
        self.index[i(today)] - self.index[i(date)]
    }
}

/// A step of the story as seen from today: scenario, step, business days ago, time of day.
type StepSignature = (usize, Option<usize>, i64, NaiveTime);

/// The demo's story for every day of 2026 and 2027 (weekends, Golden Week, 年末年始, Monday
/// holidays, the fiscal-year turn): everything lies before the day starts, staff work on
/// business days in office hours, each proposal's steps follow its receipt in order, the story
/// plays in time order (so receipt numbers follow the dates of receipt), and, counted in
/// business days back from today, the story is the same every day: the items that are
/// overdue, answered or waiting on one day are so on every day. The loads below check on
/// real databases that overdue and waiting items exist.
#[test]
fn demo_schedule_is_the_same_story_on_every_day_of_2026_and_2027() {
    let calendar = BusinessDays::new(day(2025, 6, 1), day(2028, 1, 1));
    let mut reference: Option<Vec<StepSignature>> = None;
    let mut today = day(2026, 1, 1);
    let mut days = 0;
    while today <= day(2027, 12, 31) {
        let plan = schedule(today);
        assert!(plan.len() > 60, "{today}: {} steps", plan.len());
        let anchor = demo_anchor(today);
        assert!(
            anchor < today && is_business_day(anchor),
            "{today}: anchor {anchor}"
        );
        let start_of_today = jst_day_start(today);
        assert!(
            plan.windows(2).all(|w| w[0].at <= w[1].at),
            "{today}: the story is not played in time order"
        );
        let mut last: BTreeMap<usize, &Planned> = BTreeMap::new();
        for p in &plan {
            assert!(p.at < start_of_today, "{today}: {p:?} is not in the past");
            let local = to_jst(p.at);
            if p.by_staff {
                assert!(
                    is_business_day(local.date_naive()),
                    "{today}: staff work on {} ({p:?})",
                    local.date_naive()
                );
                assert!(
                    local.time() >= NaiveTime::from_hms_opt(9, 0, 0).expect("time")
                        && local.time() <= NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
                    "{today}: staff at {} ({p:?})",
                    local.time()
                );
            }
            match (last.get(&p.scenario), p.step) {
                (None, None) => {}
                (Some(prev), Some(k)) => {
                    assert!(prev.at < p.at, "{today}: {p:?} not after {prev:?}");
                    assert_eq!(prev.step.map_or(0, |s| s + 1).max(k), k, "{today}: {p:?}");
                }
                (prev, step) => panic!("{today}: step {step:?} after {prev:?}"),
            }
            last.insert(p.scenario, p);
        }
        let signature: Vec<_> = plan
            .iter()
            .map(|p| {
                let local = to_jst(p.at);
                (
                    p.scenario,
                    p.step,
                    calendar.before(local.date_naive(), today),
                    local.time(),
                )
            })
            .collect();
        match &reference {
            None => reference = Some(signature),
            Some(r) => assert_eq!(r, &signature, "{today}: the story differs"),
        }
        today = today.succ_opt().expect("next day");
        days += 1;
    }
    assert_eq!(days, 730);
}

/// Loads the demo on real databases on the days where a calendar could trip it up, at
/// awkward hours, and checks receipt order, deadlines and overdue items.
async fn demo_on_awkward_days(backend: Backend) {
    let days = [
        ("2026-01-01T00:05:00", "元日, in 年末年始"),
        ("2026-01-05T08:00:00", "first business day of the year"),
        ("2026-02-23T12:00:00", "天皇誕生日 (Monday)"),
        ("2026-03-31T23:55:00", "last day of fiscal 2025"),
        ("2026-04-01T00:00:00", "first day of fiscal 2026"),
        ("2026-05-06T09:00:00", "振替休日, end of Golden Week"),
        ("2026-05-07T10:00:00", "after Golden Week"),
        ("2026-07-20T15:00:00", "海の日 (Monday)"),
        ("2026-09-22T18:00:00", "国民の休日 in Silver Week"),
        ("2026-12-01T10:00:00", "the day the story was first told"),
        ("2026-12-29T09:00:00", "年末年始"),
        ("2027-01-04T08:30:00", "first business day of 2027"),
        ("2027-03-22T11:00:00", "振替休日 (Monday)"),
        ("2027-12-31T23:59:00", "大晦日"),
    ];
    for (local, why) in days {
        let db = TestDb::new(backend);
        db.set_jst(local);
        let store = db.open().await;
        renkei_app::demo::load(&renkei_app::App::new(
            store.clone(),
            renkei_testkit::DEMO_URL,
        ))
        .await
        .unwrap_or_else(|e| panic!("demo on {local} ({why}): {e}"));
        assert!(store.now() > db.clock.peek() - Duration::seconds(1));
        let list = all(&store, "272027").await;
        assert!(list.len() >= 30, "{local}: {}", list.len());
        check_receipts_deadlines_and_overdue(&store, "272027", &list).await;
        let report = store.audit_verify().await.expect("verify");
        assert!(report.faults.is_empty(), "{local}: {:?}", report.faults);
        let first = list.iter().map(|p| p.created_at).min().expect("some");
        assert!(
            first > jst_at(day(2025, 6, 1), NaiveTime::MIN),
            "{local}: the story starts at {first}"
        );
    }
}

on_both!(demo_on_awkward_days);
