//! Nothing confidential reaches the public, over every GET route of the router's own table
//! (`renkei_web::route_table()`, so a route added later is walked without editing this test):
//! each is requested as an anonymous visitor — pages, feeds, CSV files and API answers, the
//! public ones with real ids and the rest with whatever ids a visitor might try — and no
//! answer may hold any field of a proposal under consideration, of an answer to an open call
//! that was not chosen, of an unpublished partnership or of one still in preparation.
//!
//! The same walk checks the public answers' ETag: present, the same on a second app server
//! for the same content, 304 on a repeat with `If-None-Match`, and a new tag once the content
//! changes. On both databases.

use renkei_domain::TenantCode;
use renkei_domain::partnership::{Partnership, PartnershipInput, PartnershipStatus, PartyInput};
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_store::Who;
use renkei_store::partnerships::NewPartnership;
use renkei_store::proposals::NewProposal;
use renkei_testkit::{Backend, TestApp, on_both};
use sqlx::Row;

const K: &str = "272027";

/// Every confidential value this test plants; none may appear in any public answer.
const MARKERS: &[&str] = &[
    "機密検査提案タイトル",
    "機密検査提案の内容",
    "機密検査株式会社",
    "機密 検査太郎",
    "leak-probe@secret.example.jp",
    "0725-99-1234",
    "選ばれない応募タイトル",
    "選ばれない応募の内容",
    "落選検査合同会社",
    "非公開検査の協定",
    "非公開検査の相手方",
    "準備中検査の協定",
];

/// Public answers that must be tagged and answer 304 when nothing changed.
const MUST_BE_STABLE: &[&str] = &[
    "/",
    "/cases",
    "/t/{code}",
    "/t/{code}/cases/{id}",
    "/t/{code}/calls/{id}",
    "/t/{code}/agreements",
    "/t/{code}/feeds/cases.atom",
    "/api/v1/cases",
    "/api/v1/calls",
    "/api/v1/tenants/{code}/calls",
];

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

fn intake(title: &str, summary: &str, org: &str, contact: &str, email: &str) -> IntakeInput {
    IntakeInput {
        kind: "proposal".into(),
        org_name: org.into(),
        partner_type: "company".into(),
        contact_name: contact.into(),
        email: email.into(),
        phone: "0725-99-1234".into(),
        title: title.into(),
        summary: summary.into(),
        fields: vec!["disaster".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    }
}

fn proposal(input: &IntakeInput, route: Route) -> NewProposal {
    NewProposal {
        intake: Intake::parse(input).expect("valid"),
        route,
        proponent_user_id: None,
        attachments: vec![],
        ip: None,
        lang: renkei_domain::Lang::Ja,
        privacy_consented: true,
        draft_token: None,
    }
}

async fn partnership(
    app: &TestApp,
    title: &str,
    status: PartnershipStatus,
    published: bool,
) -> i64 {
    app.store
        .partnership_create(
            k(),
            &NewPartnership {
                record: Partnership::parse(&PartnershipInput {
                    form: "comprehensive".into(),
                    title: title.into(),
                    purpose: format!("{title}の目的"),
                    summary: format!("{title}の概要"),
                    parties: vec![PartyInput {
                        name: "非公開検査の相手方".into(),
                        party_type: "company".into(),
                        ..Default::default()
                    }],
                    fields: vec!["disaster".into()],
                    signed_on: "2026-10-01".into(),
                    published,
                    ..Default::default()
                })
                .expect("valid"),
                proposal_id: None,
                status,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("partnership")
}

async fn first_id(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .bind(K)
        .fetch_one(app.store.pool())
        .await
        .expect(sql)
        .try_get::<i64, _>("id")
        .expect("id")
}

/// A route template made concrete: tenant 272027, a published case, a published call, and
/// any other parameter a visitor could guess.
fn concrete(path: &str, case: i64, call: i64) -> String {
    let id = if path.contains("/calls/") { call } else { case };
    path.replace("{code}", K)
        .replace("{id}", &id.to_string())
        .replace("{*path}", "css/renkei.css")
        .split('/')
        .map(|seg| {
            if seg.starts_with('{') && seg.ends_with('}') {
                "1".to_string()
            } else {
                seg.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Answer {
    status: u16,
    etag: Option<String>,
    body: String,
}

/// An anonymous GET (no session, no token) with a fixed visitor cookie, so that the same
/// content is the same bytes on any server.
async fn fetch(http: &reqwest::Client, url: &str, if_none_match: Option<&str>) -> Answer {
    let mut req = http
        .get(url)
        .header("cookie", "renkei_csrf=0123456789abcdef0123456789abcdef0123");
    if let Some(tag) = if_none_match {
        req = req.header("if-none-match", tag);
    }
    let resp = req.send().await.expect(url);
    let status = resp.status().as_u16();
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.text().await.unwrap_or_default();
    Answer { status, etag, body }
}

/// `body` without the moments it states it was made at (`"computed_at":"…"` in JSON).
fn without_moment(body: &str) -> String {
    let key = "\"computed_at\":\"";
    let mut out = String::new();
    let mut rest = body;
    while let Some(at) = rest.find(key) {
        out.push_str(&rest[..at]);
        let after = &rest[at + key.len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

on_both!(no_public_route_shows_anything_confidential);
async fn no_public_route_shows_anything_confidential(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    // A second app server on the same database, with the same public address (as behind one
    // load balancer): links in feeds are built from it.
    let other = TestApp::start_with(
        app.db().open_another().await,
        renkei_web::WebConfig {
            public_url: Some(app.url("").trim_end_matches('/').to_string()),
            ..renkei_web::WebConfig::default()
        },
    )
    .await;
    let mails = renkei_store::events::NoMail;

    // A proposal under consideration, every field marked.
    app.store
        .proposal_submit(
            k(),
            proposal(
                &intake(
                    "機密検査提案タイトル",
                    "機密検査提案の内容",
                    "機密検査株式会社",
                    "機密 検査太郎",
                    "leak-probe@secret.example.jp",
                ),
                Route::Free,
            ),
            &Who::cli(),
            &mails,
        )
        .await
        .expect("proposal");
    // An answer to the demo's published open call, not chosen.
    let call = first_id(
        &app,
        "SELECT id FROM open_calls WHERE tenant_code = $1 AND status = 'published' ORDER BY id",
    )
    .await;
    app.store
        .proposal_submit_answer(
            k(),
            call,
            proposal(
                &intake(
                    "選ばれない応募タイトル",
                    "選ばれない応募の内容",
                    "落選検査合同会社",
                    "落選 検査",
                    "loser@secret.example.jp",
                ),
                Route::Theme,
            ),
            &Who::cli(),
            &mails,
            0,
        )
        .await
        .expect("answer");
    // Partnerships that are not public: unpublished, and published but still in preparation.
    partnership(&app, "非公開検査の協定", PartnershipStatus::Active, false).await;
    partnership(&app, "準備中検査の協定", PartnershipStatus::Preparing, true).await;
    let case = first_id(
        &app,
        "SELECT id FROM partnerships WHERE tenant_code = $1 AND published = 1 \
         AND status IN ('active', 'ended') ORDER BY id",
    )
    .await;

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut walked = 0;
    let mut tagged = Vec::new();
    for route in renkei_web::route_table() {
        if route.method != reqwest::Method::GET {
            continue;
        }
        let path = concrete(route.path, case, call);
        let first = fetch(&http, &app.url(&path), None).await;
        walked += 1;
        for m in MARKERS {
            assert!(
                !first.body.contains(m),
                "{} ({path}) answered {} with the confidential {m:?}",
                route.path,
                first.status
            );
        }
        if first.status == 200
            && let Some(tag) = first.etag
        {
            tagged.push((route.path, path, tag));
        }
    }
    assert!(walked >= 90, "walked only {walked} GET routes");

    // The public answers are tagged: the same tag on a second server, 304 on a repeat.
    for must in MUST_BE_STABLE {
        assert!(
            tagged.iter().any(|(t, _, _)| *t == *must),
            "{must} has no ETag"
        );
    }
    for (template, path, tag) in &tagged {
        let again = fetch(&http, &app.url(path), Some(tag)).await;
        if again.status == 200 {
            // Only an answer that itself changed (one that states the time it was made) may
            // be sent again, and then under a new tag; the pages above must not.
            assert_ne!(
                again.etag.as_ref(),
                Some(tag),
                "{template}: same tag, sent again"
            );
            assert!(
                !MUST_BE_STABLE.contains(template),
                "{template} was sent again"
            );
            continue;
        }
        assert_eq!(again.status, 304, "{template}: repeat with If-None-Match");
        assert!(again.body.is_empty(), "{template}: a 304 has no body");
        let elsewhere = fetch(&http, &other.url(path), None).await;
        if elsewhere.etag.as_ref() != Some(tag) {
            // The first server answered its repeat from its public cache; an answer that
            // states the moment it was made (the statistics' `computed_at`) is made afresh on
            // the second. Nothing else may differ, and the stable pages not even that.
            assert!(
                !MUST_BE_STABLE.contains(template),
                "{template} on the second server"
            );
            let here = fetch(&http, &app.url(path), None).await;
            assert_eq!(
                without_moment(&here.body),
                without_moment(&elsewhere.body),
                "{template} on the second server"
            );
        }
    }
    // Staff pages are never tagged, whoever asks.
    assert!(!tagged.iter().any(|(t, _, _)| t.contains("/desk")));

    // A change through one server: both servers answer the new content with a new tag.
    let cases = format!("/t/{K}/cases");
    let before = fetch(&http, &app.url(&cases), None).await;
    partnership(
        &other,
        "新しく公開された検査協定",
        PartnershipStatus::Active,
        true,
    )
    .await;
    for server in [&app, &other] {
        let after = fetch(&http, &server.url(&cases), before.etag.as_deref()).await;
        assert_eq!(after.status, 200, "the changed list is sent again");
        assert!(after.body.contains("新しく公開された検査協定"));
        assert_ne!(after.etag, before.etag);
    }
    other.stop().await;
}
