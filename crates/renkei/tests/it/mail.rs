//! Mail through the outbox, delivered to a real SMTP server on loopback
//! (`renkei_testkit::smtp::SmtpSink`).

use renkei_store::Store;
use renkei_store::outbox::OutgoingMail;
use renkei_testkit::smtp::SmtpSink;
use renkei_testkit::{Backend, TestDb, on_both};
use renkei_web::mail::{MailConfig, MailError, send_due_once, spawn_mail_worker};
use sqlx::Row;
use std::collections::BTreeSet;
use std::time::Duration;

const SUBJECT: &str = "【岸和田市 公民連携デスク】ご提案を受け付けました（受付番号 R8-0001）：地域の防災訓練にドローンを活用する実証実験のご提案";

fn body() -> String {
    let long = "ご提案いただいた内容は、担当課と共有のうえ、十日以内（土日祝日を除く）に最初のご連絡を差し上げます。".repeat(3);
    format!(
        "株式会社サンプル\n山田 花子 様\n\nこの度はご提案ありがとうございます。\n{long}\n\n.先頭がピリオドの行\n\n岸和田市 公民連携デスク\n"
    )
}

fn mail(to: &str, subject: &str) -> OutgoingMail {
    OutgoingMail {
        tenant_code: Some("272027".into()),
        proposal_id: None,
        kind: "receipt".into(),
        to: to.into(),
        subject: subject.into(),
        body: body(),
    }
}

async fn queue(store: &Store, m: &OutgoingMail) {
    let mut tx = store.write().await.expect("write");
    tx.enqueue_mail(m).await.expect("enqueue");
    tx.commit().await.expect("commit");
}

fn config(url: String) -> MailConfig {
    MailConfig {
        smtp_url: Some(url),
        ..MailConfig::default()
    }
}

async fn queued_mail_is_delivered_once(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let sink = SmtpSink::start().await;
    queue(&store, &mail("teian@example.jp", SUBJECT)).await;
    assert_eq!(store.outbox_pending().await.expect("pending"), 1);

    let cfg = config(sink.url());
    assert_eq!(send_due_once(&store, &cfg).await.expect("send"), 1);

    let got = sink.messages();
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.from, "no-reply@renkei.invalid");
    assert_eq!(m.to, vec!["teian@example.jp".to_string()]);
    assert!(
        m.data.is_ascii(),
        "headers and body are transfer-encoded for a server without SMTPUTF8"
    );
    assert_eq!(m.subject().as_deref(), Some(SUBJECT));
    assert_eq!(m.body_text(), body());
    let ct = m.header("Content-Type").expect("content type");
    assert!(
        ct.to_ascii_lowercase().contains("text/plain")
            && ct.to_ascii_lowercase().contains("charset=utf-8"),
        "{ct}"
    );
    assert!(
        m.header("From")
            .is_some_and(|f| f.contains("no-reply@renkei.invalid"))
    );

    let list = store.outbox_list(10).await.expect("list");
    assert_eq!(list.len(), 1);
    assert!(list[0].sent_at.is_some());
    assert_eq!(list[0].attempts, 0);
    assert_eq!(list[0].last_error, None);
    assert_eq!(store.outbox_pending().await.expect("pending"), 0);

    // Nothing is sent twice.
    assert_eq!(send_due_once(&store, &cfg).await.expect("second round"), 0);
    assert_eq!(sink.messages().len(), 1);
    sink.stop().await;
}

async fn outage_keeps_mail_and_retries(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let sink = SmtpSink::start().await;
    let port = sink.port();
    let cfg = config(sink.url());
    sink.stop().await;

    queue(&store, &mail("teian@example.jp", SUBJECT)).await;
    let err = send_due_once(&store, &cfg).await;
    assert!(
        matches!(
            err,
            Err(MailError::Delivery {
                sent: 0,
                failed: 1,
                ..
            })
        ),
        "{err:?}"
    );
    let list = store.outbox_list(10).await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].attempts, 1);
    assert_eq!(list[0].sent_at, None);
    let error = list[0].last_error.clone().expect("last_error set");
    assert!(!error.is_empty() && error.chars().count() <= 300, "{error}");
    assert_eq!(store.outbox_pending().await.expect("pending"), 1);

    // Back-off: the next attempt is about 30 s away, and the lease is released.
    let row = sqlx::query("SELECT next_attempt_at, claimed_until FROM outbox WHERE id = $1")
        .bind(list[0].id)
        .fetch_one(store.pool())
        .await
        .expect("row");
    let next: String = row.try_get("next_attempt_at").expect("next");
    let claimed: Option<String> = row.try_get("claimed_until").expect("claimed");
    assert_eq!(claimed, None);
    let next = renkei_domain::time::parse_db_timestamp(&next).expect("timestamp");
    let wait = (next - db.clock.peek()).num_milliseconds();
    assert!((29_900..=30_000).contains(&wait), "retry in {wait} ms");

    // The server is back on the same port, but the message is not due yet.
    let sink = SmtpSink::start_on(port).await;
    assert_eq!(sink.port(), port);
    db.clock.advance(chrono::Duration::seconds(25));
    assert_eq!(send_due_once(&store, &cfg).await.expect("not due"), 0);
    assert!(sink.messages().is_empty());

    // Half a minute after the failure it is due again.
    db.clock.advance(chrono::Duration::seconds(6));
    assert_eq!(send_due_once(&store, &cfg).await.expect("retry"), 1);
    assert_eq!(send_due_once(&store, &cfg).await.expect("again"), 0);
    let got = sink.messages();
    assert_eq!(got.len(), 1, "delivered exactly once");
    assert_eq!(got[0].subject().as_deref(), Some(SUBJECT));
    assert_eq!(got[0].body_text(), body());
    let list = store.outbox_list(10).await.expect("list");
    assert!(list[0].sent_at.is_some());
    assert_eq!(list[0].attempts, 1);
    assert_eq!(store.outbox_pending().await.expect("pending"), 0);
    sink.stop().await;
}

async fn two_servers_deliver_each_mail_once(backend: Backend) {
    let db = TestDb::new(backend);
    let store_a = db.open().await;
    let store_b = db.open_another().await;
    let sink = SmtpSink::start().await;
    let expected: BTreeSet<String> = (1..=20)
        .map(|i| format!("お知らせ 第{i}号：公民連携デスク"))
        .collect();
    for (i, subject) in expected.iter().enumerate() {
        queue(&store_a, &mail(&format!("p{i}@example.jp"), subject)).await;
    }

    let drain = |store: Store, cfg: MailConfig| {
        tokio::spawn(async move {
            let mut sent = 0;
            loop {
                sent += send_due_once(&store, &cfg).await.expect("round");
                if store.outbox_pending().await.expect("pending") == 0 {
                    return sent;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let a = drain(store_a.clone(), config(sink.url()));
    let b = drain(store_b.clone(), config(sink.url()));
    let (a, b) = tokio::time::timeout(Duration::from_secs(60), async {
        (a.await.expect("worker a"), b.await.expect("worker b"))
    })
    .await
    .expect("drained in time");
    assert_eq!(a + b, 20, "a sent {a}, b sent {b}");

    let got = sink.messages();
    assert_eq!(got.len(), 20, "each mail delivered exactly once");
    let subjects: BTreeSet<String> = got.iter().filter_map(|m| m.subject()).collect();
    assert_eq!(subjects, expected);
    let list = store_b.outbox_list(100).await.expect("list");
    assert!(list.iter().all(|m| m.sent_at.is_some() && m.attempts == 0));
    store_b.close().await;
    sink.stop().await;
}

async fn claims_are_exclusive_and_leases_expire(backend: Backend) {
    let db = TestDb::new(backend);
    let store_a = db.open().await;
    let store_b = db.open_another().await;
    for i in 0..8 {
        queue(&store_a, &mail(&format!("p{i}@example.jp"), "件名")).await;
    }
    let (a, b) = tokio::join!(store_a.outbox_claim(5, 60), store_b.outbox_claim(5, 60));
    let (a, b) = (a.expect("claim a"), b.expect("claim b"));
    let ids_a: BTreeSet<i64> = a.iter().map(|m| m.id).collect();
    let ids_b: BTreeSet<i64> = b.iter().map(|m| m.id).collect();
    assert!(ids_a.is_disjoint(&ids_b), "{ids_a:?} {ids_b:?}");
    assert_eq!(ids_a.len() + ids_b.len(), 8);
    // Everything is leased: nothing left to claim.
    assert!(
        store_a
            .outbox_claim(10, 60)
            .await
            .expect("claim")
            .is_empty()
    );

    // A server died holding its claims: once the lease ran out another one takes them.
    sqlx::query("UPDATE outbox SET claimed_until = '2000-01-01T00:00:00.000Z' WHERE id = $1")
        .bind(*ids_a.iter().next().expect("one"))
        .execute(store_a.pool())
        .await
        .expect("expire lease");
    let again = store_b.outbox_claim(10, 60).await.expect("reclaim");
    assert_eq!(again.len(), 1);
    assert_eq!(Some(&again[0].id), ids_a.iter().next());

    // Released claims are free at once; sent ones never come back.
    store_b.outbox_release(again[0].id).await.expect("release");
    store_b.outbox_mark_sent(again[0].id).await.expect("sent");
    store_b.outbox_make_due_now().await.expect("due");
    let rest = store_a.outbox_claim(10, 60).await.expect("claim rest");
    assert_eq!(rest.len(), 7);
    assert!(rest.iter().all(|m| m.id != again[0].id));
    store_b.close().await;
}

async fn worker_delivers_in_background(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let sink = SmtpSink::start().await;

    // Not configured: the worker says so and ends; the mail stays queued.
    queue(&store, &mail("teian@example.jp", SUBJECT)).await;
    let idle = spawn_mail_worker(store.clone(), MailConfig::default());
    tokio::time::timeout(Duration::from_secs(5), idle)
        .await
        .expect("ends")
        .expect("no panic");
    assert_eq!(store.outbox_pending().await.expect("pending"), 1);

    let worker = spawn_mail_worker(
        store.clone(),
        MailConfig {
            smtp_url: Some(sink.url()),
            from: "岸和田市 公民連携デスク <desk@city.kishiwada.example.jp>".into(),
            poll_interval: Duration::from_millis(50),
        },
    );
    let got = sink.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    // Queued while the worker runs: picked up on a later round.
    queue(&store, &mail("second@example.jp", "二通目")).await;
    let got = sink.wait_for(2, Duration::from_secs(10)).await;
    worker.abort();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].from, "desk@city.kishiwada.example.jp");
    let from = got[0].header("From").expect("from");
    assert!(from.contains("=?utf-8?"), "display name is encoded: {from}");
    assert_eq!(got[1].subject().as_deref(), Some("二通目"));
    sink.stop().await;
}

async fn lines_starting_with_dots_survive(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let sink = SmtpSink::start().await;
    // ASCII goes as 7bit, so SMTP dot-stuffing (client) and unstuffing (sink) both matter.
    let text = "first\n.\n..two dots\n.end\n";
    let mut m = mail("teian@example.jp", "plain ascii");
    m.body = text.into();
    queue(&store, &m).await;
    assert_eq!(
        send_due_once(&store, &config(sink.url()))
            .await
            .expect("send"),
        1
    );
    let got = sink.messages();
    assert_eq!(got.len(), 1);
    // lettre ends DATA with CRLF . CRLF after the body's own final line break, so a 7bit
    // body arrives with one more empty line at the end.
    assert_eq!(
        got[0].body_text().trim_end_matches('\n'),
        text.trim_end_matches('\n')
    );
    assert_eq!(got[0].subject().as_deref(), Some("plain ascii"));
    let id = got[0].header("Message-ID").expect("message id");
    assert!(id.ends_with("@renkei.invalid>"), "{id}");
    sink.stop().await;
}

on_both!(
    lines_starting_with_dots_survive,
    queued_mail_is_delivered_once,
    outage_keeps_mail_and_retries,
    two_servers_deliver_each_mail_once,
    claims_are_exclusive_and_leases_expire,
    worker_delivers_in_background,
);
