//! Mail in the recipient's language: Japanese unless the recipient chose English. A proposal
//! keeps the language it was sent in (the intake page's, the API's `Accept-Language`) for the
//! mail to its proponent; an account keeps the language it picked with `?lang=` while signed
//! in. Delivered to a real SMTP server on loopback and read as received.

use super::web_text::{DEPT, DESK, K, k, propose, signed_in, tracking_token};
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::{Email, Lang, Password, Role};
use renkei_store::Who;
use renkei_store::users::NewUser;
use renkei_testkit::smtp::{ReceivedMail, SmtpSink};
use renkei_testkit::{Backend, TestApp, on_both};
use renkei_web::mail::{MailConfig, send_due_once};

/// Sends everything queued to `sink`; returns what it received that mentions `receipt` in
/// its subject.
async fn delivered(app: &TestApp, sink: &SmtpSink, receipt: &str) -> Vec<ReceivedMail> {
    let config = MailConfig {
        smtp_url: Some(sink.url()),
        ..MailConfig::default()
    };
    while send_due_once(&app.store, &config).await.expect("send") > 0 {}
    sink.messages()
        .into_iter()
        .filter(|m| m.subject().is_some_and(|s| s.contains(receipt)))
        .collect()
}

fn only_to<'a>(mails: &'a [ReceivedMail], to: &str) -> &'a ReceivedMail {
    let found: Vec<&ReceivedMail> = mails.iter().filter(|m| m.to == [to]).collect();
    assert_eq!(found.len(), 1, "one mail to {to}: {mails:?}");
    found[0]
}

fn subject(m: &ReceivedMail) -> String {
    m.subject().expect("a subject")
}

async fn the_receipt_is_in_the_language_of_the_intake(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let sink = SmtpSink::start().await;

    // The intake page read in English.
    let mut english = app.client();
    english.get(&format!("/t/{K}/propose?lang=en")).await;
    let sent = propose(&mut english, &[("email", "en@example.co.jp")], None).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let p = app
        .store
        .proposal_by_tracking(k(), &tracking_token(&sent.location.clone().expect("to")))
        .await
        .expect("proposal");
    assert_eq!(p.lang, Lang::En);
    let mails = delivered(&app, &sink, &p.receipt_number).await;
    let receipt = only_to(&mails, "en@example.co.jp");
    let s = subject(receipt);
    assert!(s.contains("We have received your proposal"), "{s}");
    assert!(!s.contains("受付番号"), "{s}");
    let body = receipt.body_text();
    assert!(body.contains("Dear 岸和田 太郎,"), "{body}");
    assert!(body.contains("This mail was sent automatically by Renkei."));
    assert!(
        !body.contains("様") && !body.contains("受け付けました"),
        "{body}"
    );

    // The same page in its default language.
    let mut japanese = app.client();
    let sent = propose(&mut japanese, &[("email", "ja@example.co.jp")], None).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let p = app
        .store
        .proposal_by_tracking(k(), &tracking_token(&sent.location.clone().expect("to")))
        .await
        .expect("proposal");
    assert_eq!(p.lang, Lang::Ja);
    let mails = delivered(&app, &sink, &p.receipt_number).await;
    let s = subject(only_to(&mails, "ja@example.co.jp"));
    assert!(s.contains("受付番号"), "{s}");
    assert!(!s.contains("received"), "{s}");

    // The API: Accept-Language decides (English only when asked for).
    for (header, english) in [
        (Some("en-US,en;q=0.9,ja;q=0.5"), true),
        (Some("ja,en;q=0.8"), false),
        (Some("fr"), false),
        (None, false),
    ] {
        let title = format!("API {header:?}");
        let mut req = reqwest::Client::new()
            .post(app.url(&format!("/api/v1/tenants/{K}/proposals")))
            .json(&super::api_proposals::intake(
                &title,
                super::api_proposals::PDF,
            ));
        if let Some(h) = header {
            req = req.header(reqwest::header::ACCEPT_LANGUAGE, h);
        }
        let r = req.send().await.expect("POST");
        assert_eq!(r.status().as_u16(), 201);
        let json: serde_json::Value = r.json().await.expect("json");
        let number = json["receipt_number"]
            .as_str()
            .expect("receipt")
            .to_string();
        let mails = delivered(&app, &sink, &number).await;
        let s = subject(only_to(&mails, "hanako@example.co.jp"));
        assert_eq!(
            s.contains("We have received your proposal"),
            english,
            "{header:?}: {s}"
        );
        assert_eq!(s.contains("受付番号"), !english, "{header:?}: {s}");
        let p = app.store.proposal(k(), &number).await.expect("proposal");
        assert_eq!(p.lang == Lang::En, english);

        // Later mail to the proponent keeps the language: a message from the desk.
        let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
        let path = format!("/t/{K}/desk/proposals/{number}");
        desk.get(&path).await;
        let r = desk
            .post(&format!("{path}/messages"), &[("body", "ご確認ください。")])
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        let mails = delivered(&app, &sink, &number).await;
        let message: Vec<&ReceivedMail> = mails
            .iter()
            .filter(|m| m.to == ["hanako@example.co.jp"])
            .filter(|m| {
                let s = subject(m);
                s.contains("a message from the desk") || s.contains("デスクからのメッセージ")
            })
            .collect();
        assert_eq!(message.len(), 1, "{mails:?}");
        assert_eq!(
            subject(message[0]).contains("a message from the desk"),
            english
        );
    }
    sink.stop().await;
    app.stop().await;
}

on_both!(the_receipt_is_in_the_language_of_the_intake);

/// A department member who chose English reads the routing request (庁内照会) in English; a
/// colleague who did not reads it in Japanese.
async fn staff_read_mail_in_the_language_they_chose(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let sink = SmtpSink::start().await;
    const ENGLISH: &str = "english-reader@kishiwada.demo.renkei.jp";
    app.store
        .create_user(
            &Who::cli(),
            NewUser {
                tenant: Some(k()),
                role: Role::Department,
                email: Email::parse(ENGLISH).expect("email"),
                display_name: "English Reader".into(),
                password: Password::parse(DEMO_PASSWORD).expect("password"),
                departments: vec!["危機管理課".into()],
            },
            &renkei_testkit::mails(&app.url("")),
        )
        .await
        .expect("colleague");

    // Choosing a language while signed in keeps it on the account; a visitor's choice
    // changes no account.
    let mut reader = signed_in(&app, ENGLISH, DEMO_PASSWORD).await;
    assert_eq!(
        app.store.user_by_email(ENGLISH).await.expect("u").lang,
        Lang::Ja
    );
    let mut visitor = app.client();
    assert_eq!(visitor.get("/?lang=en").await.status, 200);
    let r = reader.get("/?lang=en").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        app.store.user_by_email(ENGLISH).await.expect("u").lang,
        Lang::En
    );
    for user in [DEPT, DESK] {
        assert_eq!(
            app.store.user_by_email(user).await.expect("u").lang,
            Lang::Ja,
            "{user}"
        );
    }

    // A proposal, routed to 危機管理課 by the desk.
    let mut proponent = app.client();
    let sent = propose(&mut proponent, &[], None).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let p = app
        .store
        .proposal_by_tracking(k(), &tracking_token(&sent.location.clone().expect("to")))
        .await
        .expect("proposal");
    let dept = app
        .store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == "危機管理課")
        .expect("department")
        .id;
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    let path = format!("/t/{K}/desk/proposals/{}", p.receipt_number);
    desk.get(&path).await;
    let r = desk
        .post(
            &format!("{path}/routings"),
            &[
                ("department_ids", &dept.to_string()),
                ("question", "ご意見をお聞かせください。"),
                ("due_on", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    let mails = delivered(&app, &sink, &p.receipt_number).await;
    let english = only_to(&mails, ENGLISH);
    assert_eq!(
        subject(english),
        format!(
            "[Renkei] Routing request {} (please answer by 31 January 2030)",
            p.receipt_number
        )
    );
    let body = english.body_text();
    assert!(body.contains("To: 危機管理課"), "{body}");
    assert!(body.contains("Answer by: 31 January 2030"), "{body}");
    assert!(
        body.contains(&format!("/t/{K}/department/proposals/{}", p.receipt_number)),
        "{body}"
    );
    assert!(
        !body.contains("御中") && !body.contains("令和") && !body.contains("回答期限"),
        "{body}"
    );
    let japanese = only_to(&mails, DEPT);
    assert_eq!(
        subject(japanese),
        format!(
            "【Renkei 庁内照会】{}（回答期限 令和12年1月31日）",
            p.receipt_number
        )
    );
    assert!(japanese.body_text().contains("危機管理課 御中"));

    // Choosing Japanese again brings Japanese mail back.
    let r = reader.get("/?lang=ja").await;
    assert_eq!(r.status, 200);
    assert_eq!(
        app.store.user_by_email(ENGLISH).await.expect("u").lang,
        Lang::Ja
    );
    sink.stop().await;
    app.stop().await;
}

on_both!(staff_read_mail_in_the_language_they_chose);
