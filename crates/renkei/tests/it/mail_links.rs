//! What official mail links to and how its lines are built: links come only from
//! configuration (`RENKEI_PUBLIC_URL`, else the listening address), never from a request's
//! `Host` header; a line feed in a name or a title cannot add lines to a mail.

use super::web_text::{
    ADMIN, DESK, K, api, api_post, k, propose, signed_in, token, tracking_token,
};
use renkei_app::demo::DEMO_PASSWORD;
use renkei_store::outbox::QueuedMail;
use renkei_testkit::smtp::SmtpSink;
use renkei_testkit::{Backend, TestApp, TestDb, on_both};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EVIL: &str = "evil.example";

/// Every http(s) address in a text.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
            out.push(tail[..end].to_string());
            rest = &tail[end..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

/// A form post like `Client::post`, with a forged `Host` header.
async fn post_with_host(c: &renkei_testkit::Client, path: &str, fields: &[(&str, &str)]) -> u16 {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", c.csrf.as_str())];
    form.extend_from_slice(fields);
    c.http
        .post(format!("{}{path}", c.base))
        .header(reqwest::header::HOST, EVIL)
        .form(&form)
        .send()
        .await
        .expect("POST")
        .status()
        .as_u16()
}

async fn mail_links_ignore_a_forged_host_header(backend: Backend) {
    for public_url in [None, Some("https://renkei.example.jp/")] {
        let db = TestDb::new(backend);
        let store = db.open().await;
        renkei_app::demo::load(&renkei_app::App::new(
            store.clone(),
            renkei_testkit::DEMO_URL,
        ))
        .await
        .expect("demo");
        let config = renkei_web::WebConfig {
            public_url: public_url.map(str::to_string),
            ..renkei_web::WebConfig::default()
        };
        let mut app = TestApp::start_with(store, config).await;
        app.db = Some(db);
        let store = &app.store;
        let base = match public_url {
            Some(_) => "https://renkei.example.jp".to_string(),
            None => format!("http://{}", app.addr),
        };
        let demo_mails = store.outbox_list(10_000).await.expect("outbox").len();

        // A public submission (page) with Host: evil.example.
        let mut visitor = app.client();
        let sent = propose(&mut visitor, &[("title", "ホスト偽装の確認")], Some(EVIL)).await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        let track_token = tracking_token(&sent.location.clone().expect("redirect"));
        let track = format!("/t/{K}/track/{track_token}");
        let p = store
            .proposal_by_tracking(k(), &track_token)
            .await
            .expect("proposal");
        // A public submission (API) with Host: evil.example.
        let r = api(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/tenants/{K}/proposals"),
            None,
            Some(&super::api_proposals::intake(
                "API ホスト偽装",
                super::api_proposals::PDF,
            )),
            Some(EVIL),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let api_receipt = r.json["receipt_number"].as_str().expect("receipt");
        let tracking_url = r.json["tracking_url"].as_str().expect("tracking url");
        assert!(
            tracking_url.starts_with(&format!("{base}/t/{K}/track/")),
            "{tracking_url}"
        );
        // The proponent writes to the desk, and consents to a referral.
        visitor.get(&track).await;
        assert_eq!(
            post_with_host(
                &visitor,
                &format!("{track}/messages"),
                &[("body", "追加の資料があります。")]
            )
            .await,
            303
        );
        assert_eq!(
            post_with_host(
                &visitor,
                &format!("{track}/consent"),
                &[("referral", "yes")]
            )
            .await,
            303
        );
        // The desk routes (page and API) and refers to the prefecture's desk.
        let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
        let path = format!("/t/{K}/desk/proposals/{}", p.receipt_number);
        desk.get(&path).await;
        let dept = store
            .departments(k())
            .await
            .expect("departments")
            .into_iter()
            .find(|d| d.name == "危機管理課")
            .expect("department")
            .id;
        assert_eq!(
            post_with_host(
                &desk,
                &format!("{path}/routings"),
                &[
                    ("department_ids", &dept.to_string()),
                    ("question", "ご意見を"),
                    ("due_on", "2030-01-31"),
                ],
            )
            .await,
            303
        );
        let desk_token = token(store, DESK).await;
        let r = api(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/tenants/{K}/proposals/{api_receipt}/routings"),
            Some(&desk_token),
            Some(&json!({ "department_ids": [dept], "question": "ご意見を", "due_on": "2030-01-31" })),
            Some(EVIL),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(
            post_with_host(
                &desk,
                &format!("{path}/transition"),
                &[("action", "refer"), ("to", "270008"), ("confirm", "yes")],
            )
            .await,
            303
        );

        let all = store.outbox_list(10_000).await.expect("outbox");
        // The mails these requests queued (the demo's came first).
        let mut ours: Vec<&QueuedMail> = all.iter().collect();
        ours.sort_by_key(|m| m.id);
        let ours: Vec<&QueuedMail> = ours.into_iter().skip(demo_mails).collect();
        let kinds: Vec<&str> = ours.iter().map(|m| m.kind.as_str()).collect();
        for kind in ["receipt", "message", "routing", "status", "referral"] {
            assert!(kinds.contains(&kind), "a {kind} mail: {kinds:?}");
        }
        assert_eq!(kinds.iter().filter(|k| **k == "receipt").count(), 2);
        for m in &ours {
            let found = links(&m.body);
            assert!(
                m.kind == "status" || !found.is_empty(),
                "{} mail has a link: {}",
                m.kind,
                m.body
            );
            for link in found {
                assert!(
                    link.starts_with(&format!("{base}/t/")),
                    "{} mail links to {link} (base {base})",
                    m.kind
                );
            }
        }
        for m in &all {
            assert!(
                !m.body.contains(EVIL) && !m.subject.contains(EVIL),
                "{} mail mentions {EVIL}",
                m.kind
            );
        }
        let message = ours
            .iter()
            .find(|m| m.kind == "message")
            .expect("message to the desk");
        assert!(
            message
                .body
                .contains(&format!("{base}/t/{K}/desk/proposals/{}", p.receipt_number)),
            "{}",
            message.body
        );
        let referral = ours
            .iter()
            .find(|m| m.kind == "referral")
            .expect("referral");
        assert!(
            referral
                .body
                .contains(&format!("{base}/t/270008/desk/proposals/270008-")),
            "{}",
            referral.body
        );
        app.stop().await;
    }
}

/// Asserts that no line of a mail body starts a header-like injected line.
fn assert_one_line_each(what: &str, subject: &str, body: &str) {
    assert!(
        !subject.contains(['\r', '\n']),
        "{what}: subject on one line: {subject:?}"
    );
    for line in body.lines() {
        assert!(
            !line.starts_with("Bcc:") && !line.starts_with("X-Injected:"),
            "{what}: injected line {line:?} in\n{body}"
        );
    }
    assert!(!body.contains('\r'), "{what}: no CR in {body:?}");
}

async fn a_line_feed_cannot_add_lines_to_official_mail(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let injected = "\r\nBcc: evil@example.com\nX-Injected: 1";

    // At the input: refused, nothing written.
    let before = store.outbox_list(10_000).await.expect("outbox").len();
    let mut visitor = app.client();
    for field in ["title", "org_name", "contact_name"] {
        let value = format!("値{injected}");
        let r = propose(&mut visitor, &[(field, &value)], None).await;
        assert_eq!(r.status, 422, "{field}: {}", r.body);
        assert!(
            r.body
                .contains("この項目には改行やタブを入力できません。1行で入力してください。"),
            "{field}"
        );
    }
    let mut body = super::api_proposals::intake("題名", super::api_proposals::PDF);
    body["title"] = json!(format!("題名{injected}"));
    let r = api_post(&app, &format!("/api/v1/tenants/{K}/proposals"), None, &body).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.json["error"]["fields"]["title"].is_string(), "{}", r.body);
    let mut admin = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    admin.get(&format!("/t/{K}/admin/departments")).await;
    let r = admin
        .post(
            &format!("/t/{K}/admin/departments"),
            &[("name", &format!("課{injected}"))],
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        store.outbox_list(10_000).await.expect("outbox").len(),
        before
    );

    // Rows stored before those checks (or by any other path): the mail layer keeps every
    // name on its line and every subject on one line.
    let sent = propose(&mut visitor, &[("title", "改行の確認")], None).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let tt = tracking_token(&sent.location.clone().expect("redirect"));
    let p = store.proposal_by_tracking(k(), &tt).await.expect("p");
    sqlx::query("UPDATE proposals SET title = $1, org_name = $2, contact_name = $3 WHERE id = $4")
        .bind(format!("題名{injected}"))
        .bind(format!("団体{injected}"))
        .bind(format!("担当{injected}"))
        .bind(p.id)
        .execute(store.pool())
        .await
        .expect("old row");
    sqlx::query("UPDATE tenants SET name = $1 WHERE code = $2")
        .bind(format!("岸和田市{injected}"))
        .bind(K)
        .execute(store.pool())
        .await
        .expect("old tenant row");
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    let path = format!("/t/{K}/desk/proposals/{}", p.receipt_number);
    desk.get(&path).await;
    let r = desk
        .post(&format!("{path}/messages"), &[("body", "ご連絡です。")])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = desk
        .post(
            &format!("{path}/transition"),
            &[
                ("action", "decline"),
                ("reason", "other"),
                ("explanation", "一行目\n二行目"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let ours: Vec<QueuedMail> = store
        .outbox_list(10_000)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.proposal_id == Some(p.id) && m.kind != "receipt")
        .collect();
    assert_eq!(ours.len(), 2, "{ours:?}");
    for m in &ours {
        assert_one_line_each(&m.kind, &m.subject, &m.body);
        assert!(
            m.body.contains("題名 Bcc: evil@example.com X-Injected: 1"),
            "the title stays on its line: {}",
            m.body
        );
        assert!(
            m.subject
                .contains("岸和田市 Bcc: evil@example.com X-Injected: 1")
        );
    }

    // Delivered through a real SMTP server: one recipient, no injected header.
    let sink = SmtpSink::start().await;
    let config = renkei_web::mail::MailConfig {
        smtp_url: Some(sink.url()),
        ..renkei_web::mail::MailConfig::default()
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    while store.outbox_pending().await.expect("pending") > 0 {
        assert!(Instant::now() < deadline, "outbox drained");
        renkei_web::mail::send_due_once(store, &config)
            .await
            .expect("send");
    }
    let got: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to == vec!["taro@example.co.jp".to_string()])
        .filter(|m| {
            m.body_text().contains("題名 Bcc") || m.subject().is_some_and(|s| s.contains("Bcc"))
        })
        .collect();
    assert_eq!(got.len(), 2);
    for m in &got {
        assert!(m.header("Bcc").is_none() && m.header("X-Injected").is_none());
        let subject = m.subject().expect("subject");
        assert_one_line_each("delivered", &subject, &m.body_text());
    }
    assert!(
        sink.messages()
            .iter()
            .all(|m| !m.to.iter().any(|t| t.contains("evil"))),
        "nobody else got a copy"
    );
    sink.stop().await;
}

/// Runs `renkei serve` and waits (at most a minute) for it to fail or to listen.
fn serve_with(public_url: &str, via_env: bool) -> (bool, String) {
    let db = TestDb::new(Backend::Sqlite);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_renkei"));
    cmd.args(db.cli_args())
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("RENKEI_LOG", "warn")
        .env_remove("RENKEI_DATABASE_URL")
        .env_remove("RENKEI_DATA_DIR")
        .env_remove("RENKEI_PUBLIC_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if via_env {
        cmd.env("RENKEI_PUBLIC_URL", public_url);
    } else {
        cmd.args(["--public-url", public_url]);
    }
    let mut child = cmd.spawn().expect("spawn renkei");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("listening") {
                let _ = tx.send(line);
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(line) = rx.try_recv() {
            // It started: stop the server this test started.
            let _ = child.kill();
            let _ = child.wait();
            return (true, line);
        }
        if let Some(status) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            assert!(!status.success(), "serve ended without error: {err}");
            return (false, err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("renkei serve neither failed nor listened");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serve_checks_the_public_url_at_start_up() {
    for (bad, via_env) in [
        ("https://renkei.example.jp/desk", false),
        ("renkei.example.jp", true),
        ("https://renkei.example.jp/?next=/", false),
        ("https://user:secret@renkei.example.jp", true),
    ] {
        let (started, err) = serve_with(bad, via_env);
        assert!(!started, "{bad} accepted");
        assert!(
            err.contains("renkei: RENKEI_PUBLIC_URL (--public-url) must"),
            "{bad}: {err}"
        );
        assert!(!err.contains("secret"), "{err}");
    }
    let (started, line) = serve_with("https://renkei.example.jp/", false);
    assert!(started, "{line}");
}

on_both!(
    mail_links_ignore_a_forged_host_header,
    a_line_feed_cannot_add_lines_to_official_mail,
);
