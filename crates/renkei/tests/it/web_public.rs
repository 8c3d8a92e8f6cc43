//! The public side's front doors: the national landing page (`/`), a desk's public page
//! (`/t/{code}`), the national list of open calls (`/calls`), a local government's calls and
//! one call (`/t/{code}/calls(/{id})`) and the calls API without a token. What they show
//! (closing-soon calls, the latest case, open desks first and marked, the propose button
//! only at an open desk, a decided call's result) and what they never show: a proposal
//! under consideration, a partnership without publication consent, a call in draft, and the
//! answers a call did not choose.

use crate::web_proposals::propose;
use renkei_domain::open_call::{CallMove, OpenCall, OpenCallInput};
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_domain::{Lang, TenantCode};
use renkei_store::partnerships::PartnershipFilter;
use renkei_store::proposals::NewProposal;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestApp, on_both};
use sqlx::Row;

const OPEN_TITLE: &str = "締切間近の防災マップ公募";
const DECIDED_TITLE: &str = "選定済みの図書館活用公募";
const DRAFT_TITLE: &str = "下書きのまま非公開の公募";
const WINNER_ORG: &str = "株式会社選ばれた応募";
const LOSER_ORG: &str = "株式会社落選ひみつ団体";
const LOSER_TITLE: &str = "落選した応募の題名ひみつ";
const WINNER_SUMMARY: &str = "選ばれた応募の本文も公開しない";
const REASON: &str = "図書館の利用者増への効果が最も高いと評価したため。";
const CONFIDENTIAL: &str = "検討中の提案の固有マーカーZQX";

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

async fn department(store: &Store) -> i64 {
    store
        .departments(k())
        .await
        .expect("departments")
        .first()
        .expect("a department")
        .id
}

/// A call of 岸和田市 in draft, open from today for `days` days.
async fn call(store: &Store, title: &str, days: i64) -> i64 {
    let today = store.today();
    let call = OpenCall::parse(&OpenCallInput {
        department_id: department(store).await.to_string(),
        title: title.into(),
        background: "背景".into(),
        problem: "課題".into(),
        outcomes: "成果".into(),
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(days)).to_string(),
        criteria: vec![("実現性".into(), "100".into())],
        ..OpenCallInput::default()
    })
    .expect("call");
    store
        .open_call_create(&Who::cli(), k(), &call)
        .await
        .expect("create")
}

async fn move_call(store: &Store, id: i64, m: CallMove) {
    store
        .open_call_move(&Who::cli(), k(), id, m, "", &renkei_store::events::NoMail)
        .await
        .expect("move");
}

async fn answer(store: &Store, call: i64, org: &str, title: &str, summary: &str) -> i64 {
    let input = IntakeInput {
        kind: "proposal".into(),
        org_name: org.into(),
        partner_type: "company".into(),
        contact_name: "応募 太郎".into(),
        email: "answer@example.co.jp".into(),
        title: title.into(),
        summary: summary.into(),
        fields: vec!["town".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    store
        .proposal_submit_answer(
            k(),
            call,
            NewProposal {
                intake: Intake::parse(&input).expect("valid"),
                route: Route::Theme,
                proponent_user_id: None,
                attachments: vec![],
                ip: None,
                lang: Lang::Ja,
                privacy_consented: true,
                draft_token: None,
            },
            &Who::cli(),
            &renkei_store::events::NoMail,
            0,
        )
        .await
        .expect("answer")
        .id
}

async fn public_side(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let mut anon = app.client();

    // A proposal under consideration, with a marker of its own.
    let sent = propose(&mut app.client(), CONFIDENTIAL, None, &[]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);

    // An open call closing in three days (before the demo's), one decided with a winner and
    // a loser, and one left in draft.
    let open = call(store, OPEN_TITLE, 3).await;
    move_call(store, open, CallMove::Publish).await;
    let decided = call(store, DECIDED_TITLE, 10).await;
    move_call(store, decided, CallMove::Publish).await;
    let winner = answer(store, decided, WINNER_ORG, "選ばれた応募", WINNER_SUMMARY).await;
    answer(store, decided, LOSER_ORG, LOSER_TITLE, "落選した応募の本文").await;
    move_call(store, decided, CallMove::Close).await;
    store
        .open_call_select(
            &Who::cli(),
            k(),
            decided,
            &[winner],
            REASON,
            "説明",
            &renkei_store::events::NoMail,
        )
        .await
        .expect("select");
    call(store, DRAFT_TITLE, 10).await;

    // The demo's partnerships: the newest published one, and one without consent (the
    // demo publishes them all: the oldest is taken back here, as its form's box unticked).
    let oldest: i64 =
        sqlx::query("SELECT MIN(id) AS n FROM partnerships WHERE tenant_code = '272027'")
            .fetch_one(store.pool())
            .await
            .expect("oldest")
            .try_get("n")
            .expect("n");
    sqlx::query("UPDATE partnerships SET published = 0 WHERE id = $1")
        .bind(oldest)
        .execute(store.pool())
        .await
        .expect("unpublish");
    let (published, _) = store
        .partnerships(
            k(),
            &PartnershipFilter {
                published: Some(true),
                per_page: 100,
                ..Default::default()
            },
        )
        .await
        .expect("published");
    let (unpublished, _) = store
        .partnerships(
            k(),
            &PartnershipFilter {
                published: Some(false),
                per_page: 100,
                ..Default::default()
            },
        )
        .await
        .expect("unpublished");
    let newest = published
        .iter()
        .map(|p| p.id)
        .max()
        .expect("a published one");
    let hidden = &unpublished.first().expect("an unpublished one").title;
    assert!(
        published.iter().all(|p| !p.title.contains(hidden.as_str())),
        "the unpublished title must be its own"
    );

    // The landing page.
    let top = anon.get("/").await;
    assert_eq!(top.status, 200);
    let b = &top.body;
    assert!(
        b.contains("action=\"/cases\""),
        "the search box goes to /cases"
    );
    let mine = b.find(OPEN_TITLE).expect("a call closing soon");
    let demo = b
        .find("だんじり祭の来訪者も参加できる防災訓練のアイデア")
        .expect("the demo's call");
    assert!(mine < demo, "the soonest closing first");
    assert!(b.contains(&format!("/t/272027/calls/{open}")));
    assert!(
        !b.contains(DECIDED_TITLE),
        "a decided call is not closing soon"
    );
    assert!(
        b.contains(&format!("href=\"/t/272027/cases/{newest}\"")),
        "the latest case links to its page"
    );
    assert!(b.contains("href=\"/stats\"") && b.contains("href=\"/calls\""));
    assert!(
        b.contains(
            "<a href=\"/t/272027\">岸和田市</a> <span class=\"badge badge-open\">受付中</span>"
        ),
        "an open desk is listed under its prefecture and marked in words"
    );
    assert!(
        !b.contains("<a href=\"/t/271004\">"),
        "a closed desk is not listed as a way in"
    );
    let figures = store.national_figures().await.expect("figures");
    assert_eq!(figures.open_desks, 3);
    assert_eq!(figures.open_calls, 3);
    assert!(b.contains(&format!(
        "<dd class=\"stat\">{}</dd>",
        figures.published_cases
    )));
    // Visitors get the public navigation.
    for nav in ["/cases", "/calls", "/stats", "/opendata"] {
        assert!(b.contains(&format!("<li><a href=\"{nav}\">")), "{nav}");
    }
    let en = app.client().get("/?lang=en").await;
    assert!(
        en.body
            .contains("Renkei connects the public-private partnership desks")
    );
    // The old way in by name still works.
    let found = anon.get("/?q=%E5%B2%B8%E5%92%8C%E7%94%B0").await;
    assert!(found.body.contains("/t/272027"));

    // The prefecture's page lists its municipalities, the open desks first and marked.
    let pref = anon.get("/t/270008").await;
    let kishiwada = pref.body.find("href=\"/t/272027\"").expect("岸和田市");
    let osaka = pref.body.find("href=\"/t/271004\"").expect("大阪市");
    assert!(kishiwada < osaka, "open desks first");
    assert!(pref.body.contains("受付中"));

    // The desk's page: principles, steps, its open calls and latest cases, its links.
    let desk = anon.get("/t/272027").await;
    assert_eq!(desk.status, 200);
    let d = &desk.body;
    assert!(
        d.contains("href=\"/t/272027/propose\""),
        "the open desk takes proposals"
    );
    assert!(d.contains("単なる営業") && d.contains("財政負担") && d.contains("どなたでも"));
    assert!(d.contains(&format!("/t/272027/calls/{open}")));
    assert!(!d.contains(DECIDED_TITLE), "only calls taking answers");
    assert!(d.contains(&format!("/t/272027/cases/{newest}")));
    for link in [
        "/cases\"",
        "/stats\"",
        "/agreements\"",
        "/opendata\"",
        "/calls\"",
    ] {
        assert!(d.contains(&format!("href=\"/t/272027{link}")), "{link}");
    }

    // A closed desk: no button to propose, and it says so.
    let closed = anon.get("/t/011002").await;
    assert_eq!(closed.status, 200);
    assert!(!closed.body.contains("/t/011002/propose"));
    assert!(closed.body.contains("class=\"warning\""));

    // The national list: open first by closing date, then the decided one with its result.
    let calls = anon.get("/calls").await;
    assert_eq!(calls.status, 200);
    let c = &calls.body;
    let (o, demo, dec) = (
        c.find(OPEN_TITLE).expect("open call"),
        c.find("公園の夜間利用と見守りの仕組みづくり")
            .expect("the demo's Kawasaki call"),
        c.find(DECIDED_TITLE).expect("decided call"),
    );
    assert!(
        o < demo && demo < dec,
        "open ones by closing date, then the decided one"
    );
    assert!(c.contains(WINNER_ORG), "the decided call's result");
    let osaka_only = anon.get("/calls?prefecture=270008").await;
    assert!(osaka_only.body.contains(OPEN_TITLE));
    assert!(
        !osaka_only
            .body
            .contains("公園の夜間利用と見守りの仕組みづくり")
    );
    for odd in [
        "/calls?page=abc",
        "/calls?page=-5",
        "/calls?page=99999999999999999999999",
        "/calls?prefecture=%3Cscript%3E",
    ] {
        let p = anon.get(odd).await;
        assert_eq!(p.status, 200, "{odd}");
    }

    // One call: the closing date, how to answer (the intake with ?call=), the result.
    let page = anon.get(&format!("/t/272027/calls/{open}")).await;
    assert!(page.body.contains("締切日"));
    assert!(
        page.body
            .contains(&format!("/t/272027/propose?call={open}"))
    );
    let intake = anon.get(&format!("/t/272027/propose?call={open}")).await;
    assert_eq!(intake.status, 200);
    assert!(
        intake.body.contains(OPEN_TITLE),
        "the form names the call it answers"
    );
    let result = anon.get(&format!("/t/272027/calls/{decided}")).await;
    assert!(result.body.contains(WINNER_ORG) && result.body.contains(REASON));
    assert!(
        !result.body.contains("/propose?call="),
        "a decided call takes no answers"
    );
    let draft = store
        .open_calls(k(), Default::default())
        .await
        .expect("calls")
        .into_iter()
        .find(|c| c.title == DRAFT_TITLE)
        .expect("draft");
    assert_eq!(
        anon.get(&format!("/t/272027/calls/{}", draft.id))
            .await
            .status,
        404
    );

    // The calls API without a token: the public calls only.
    let api = anon.api_get("/api/v1/tenants/272027/calls", None).await;
    assert_eq!(api.status, 200, "{}", api.body);
    assert!(api.body.contains(OPEN_TITLE) && api.body.contains(DECIDED_TITLE));
    assert!(!api.body.contains(DRAFT_TITLE));

    // Nothing confidential anywhere on the public side.
    let pages = [
        "/".to_string(),
        "/t/272027".to_string(),
        "/t/270008".to_string(),
        "/calls".to_string(),
        "/calls?prefecture=270008".to_string(),
        "/t/272027/calls".to_string(),
        format!("/t/272027/calls/{open}"),
        format!("/t/272027/calls/{decided}"),
    ];
    let mut bodies: Vec<(String, String)> = Vec::new();
    for p in &pages {
        bodies.push((p.clone(), anon.get(p).await.body));
    }
    bodies.push(("api".into(), api.body.clone()));
    for (path, body) in &bodies {
        for secret in [
            CONFIDENTIAL,
            LOSER_ORG,
            LOSER_TITLE,
            WINNER_SUMMARY,
            DRAFT_TITLE,
            hidden.as_str(),
        ] {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
    }
}
on_both!(public_side);
