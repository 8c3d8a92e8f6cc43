//! Open calls (行政課題・テーマ型提案募集) through the pages and the API: a department drafts a
//! call, the desk publishes it, two proposals answer it through the intake (with its 確認画面),
//! the desk closes it and assigns evaluators, one evaluator declares a conflict and is kept from
//! scoring that answer (a crafted POST too), the desk selects one answer with a reason, and the
//! public result names the chosen organisation and the reason but nothing of the other answer.
//! Role refusals, bad input (422, nothing written) and answering a closed call are covered too.

use crate::web_proposals::{propose, propose_form};
use crate::web_questions::signed_in;
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::proposal::{DeclineReason, Route, Status};
use renkei_domain::{Email, Password, Role, TenantCode};
use renkei_store::users::NewUser;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, Client, TestApp, on_both};
use sqlx::Row;

const TITLE: &str = "だんじり会館の夜間活用アイデア";
const WINNER_TITLE: &str = "夜の会館で地域防災ワークショップ";
const LOSER_TITLE: &str = "落選した応募の題名ひみつ";
const LOSER_ORG: &str = "株式会社ひみつの応募団体";
const LOSER_SUMMARY: &str = "落選した応募の本文は公開されない";
const REASON: &str = "地域の防災力向上への効果と実現性が最も高いと評価したため。";

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

async fn add_staff(store: &Store, email: &str, role: Role, departments: Vec<String>) -> i64 {
    store
        .create_user(
            &Who::cli(),
            NewUser {
                tenant: Some(k()),
                role,
                email: Email::parse(email).expect("email"),
                display_name: format!("職員 {}", &email[..4]),
                password: Password::parse(DEMO_PASSWORD).expect("pw"),
                departments,
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("user")
        .id
}

async fn department_id(store: &Store, name: &str) -> i64 {
    store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == name)
        .expect("department")
        .id
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .expect("count")
        .try_get::<i64, _>("n")
        .expect("n")
}

/// The call form's fields, with `weights` for two criteria and the period.
fn call_fields<'a>(
    dept: &'a str,
    opens: &'a str,
    closes: &'a str,
    w1: &'a str,
    w2: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("department_id", dept),
        ("title", TITLE),
        ("background", "夜間は会館が使われていない。"),
        ("problem", "夜間の有効な活用方法がない。"),
        ("constraints", "騒音に配慮すること。"),
        ("offers", "会館の場所、来館者データ、市の広報"),
        ("outcomes", "夜間の来館者が増えること。"),
        ("opens_on", opens),
        ("closes_on", closes),
        ("eligibility", "法人・団体"),
        ("fields", "town"),
        ("fields", "disaster"),
        ("criterion_name", "実現性"),
        ("criterion_weight", w1),
        ("criterion_name", "効果"),
        ("criterion_weight", w2),
        ("criterion_name", ""),
        ("criterion_weight", ""),
    ]
}

fn id_of(location: &Option<String>) -> i64 {
    let l = location.clone().expect("location");
    l.split('/')
        .next_back()
        .and_then(|s| s.split('?').next())
        .and_then(|s| s.parse().ok())
        .expect("id in location")
}

async fn score(
    c: &mut Client,
    call: i64,
    answer: i64,
    scores: &[(i64, &str)],
) -> renkei_testkit::Page {
    let ids: Vec<String> = scores.iter().map(|(c, _)| c.to_string()).collect();
    let mut fields: Vec<(&str, &str)> = Vec::new();
    for (i, (_, s)) in scores.iter().enumerate() {
        fields.push(("criterion", &ids[i]));
        fields.push(("score", s));
    }
    fields.push(("comment", "よく考えられている"));
    c.post(
        &format!("/t/272027/evaluations/{call}/answers/{answer}/scores"),
        &fields,
    )
    .await
}

async fn whole_flow(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let today = store.today();
    let opens = today.to_string();
    let closes = (today + chrono::Duration::days(14)).to_string();
    let before = (today - chrono::Duration::days(1)).to_string();
    let kiki = department_id(store, "危機管理課").await.to_string();
    let evaluator = add_staff(
        store,
        "hyoka@kishiwada.example.jp",
        Role::Department,
        vec!["観光振興課".into()],
    )
    .await;
    add_staff(
        store,
        "other@kishiwada.example.jp",
        Role::Department,
        vec!["観光振興課".into()],
    )
    .await;

    // The department drafts. Bad input first: every error at once, what was typed kept,
    // nothing written.
    let mut dept = signed_in(&app, "kikikanri@kishiwada.demo.renkei.jp").await;
    let home = dept.get("/t/272027/department").await;
    assert!(home.body.contains("/t/272027/department/calls"));
    let bad = dept
        .post(
            "/t/272027/department/calls",
            &call_fields(&kiki, &opens, &before, "60", "30"),
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("配点の合計を100にしてください。"));
    assert!(
        bad.body
            .contains("募集締切日は募集開始日以降の日付にしてください。")
    );
    assert!(bad.body.contains("夜間は会館が使われていない。"));
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) AS n FROM open_calls WHERE title = 'だんじり会館の夜間活用アイデア'"
        )
        .await,
        0
    );
    let created = dept
        .post(
            "/t/272027/department/calls",
            &call_fields(&kiki, &opens, &closes, "60", "40"),
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let call = id_of(&created.location);
    // Not public while a draft.
    let mut anon = app.client();
    assert_eq!(
        anon.get(&format!("/t/272027/calls/{call}")).await.status,
        404
    );
    assert!(!anon.get("/t/272027/calls").await.body.contains(TITLE));
    // Submitted to the desk, who hears of it.
    let sent = dept
        .post(&format!("/t/272027/department/calls/{call}/submit"), &[])
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'call' AND to_addr = 'desk@kishiwada.demo.renkei.jp'"
        )
        .await,
        1
    );

    // The desk publishes, after the confirmation page.
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let list = desk.get("/t/272027/desk/calls").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains(TITLE) && list.body.contains("承認待ち"));
    let move_path = format!("/t/272027/desk/calls/{call}/move");
    let ask = desk.post(&move_path, &[("action", "publish")]).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("この募集を公開しますか"));
    let published = desk
        .post(&move_path, &[("action", "publish"), ("confirm", "yes")])
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let public = anon.get("/t/272027/calls").await;
    assert!(public.body.contains(TITLE));
    assert!(
        public
            .body
            .contains(&format!("/t/272027/propose?call={call}"))
    );
    let form = anon.get(&format!("/t/272027/propose?call={call}")).await;
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains(&format!("name=\"call\" value=\"{call}\""))
    );

    // Two answers through the intake and its confirmation page.
    let call_s = call.to_string();
    let mut p1 = app.client();
    let a1 = propose(&mut p1, WINNER_TITLE, None, &[("call", &call_s)]).await;
    assert_eq!(a1.status, 303, "{}", a1.body);
    let mut p2 = app.client();
    let a2 = propose(
        &mut p2,
        LOSER_TITLE,
        None,
        &[
            ("call", &call_s),
            ("org_name", LOSER_ORG),
            ("summary", LOSER_SUMMARY),
            ("corporate_number", ""),
        ],
    )
    .await;
    assert_eq!(a2.status, 303, "{}", a2.body);
    let answers = store.open_call_answers(k(), call).await.expect("answers");
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().all(|p| p.route == Route::Theme));
    let winner = answers
        .iter()
        .find(|p| p.title == WINNER_TITLE)
        .expect("w")
        .clone();
    let loser = answers
        .iter()
        .find(|p| p.title == LOSER_TITLE)
        .expect("l")
        .clone();

    // Nobody scores before the call closes.
    let d = store.open_call(k(), call).await.expect("call");
    let (c1, c2) = (d.criteria[0].id, d.criteria[1].id);

    // The desk closes early and assigns two evaluators (each hears of it).
    let closed = desk
        .post(&move_path, &[("action", "close"), ("confirm", "yes")])
        .await;
    assert_eq!(closed.status, 303, "{}", closed.body);
    let desk_user = store
        .user_by_email("desk@kishiwada.demo.renkei.jp")
        .await
        .expect("desk");
    for uid in [desk_user.id, evaluator] {
        let r = desk
            .post(
                &format!("/t/272027/desk/calls/{call}/evaluators"),
                &[("evaluator", &uid.to_string())],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'call' AND to_addr = 'hyoka@kishiwada.example.jp'"
        )
        .await,
        1
    );

    // Answering a closed call is refused, and nothing is received.
    let mut late = app.client();
    let refused = propose_form(&mut late, "遅れた応募", None, &[("call", &call_s)]).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("この募集には応募できません"));
    assert_eq!(
        store.open_call_answers(k(), call).await.expect("a").len(),
        2
    );

    // The second evaluator declares a conflict on the losing answer: no scoring form there,
    // and a crafted POST is refused with nothing written.
    let mut ev = signed_in(&app, "hyoka@kishiwada.example.jp").await;
    let mine = ev.get("/t/272027/evaluations").await;
    assert!(mine.body.contains(TITLE));
    let conflict = ev
        .post(
            &format!("/t/272027/evaluations/{call}/answers/{}/conflict", loser.id),
            &[("reason", "応募団体の役員が親族です。")],
        )
        .await;
    assert_eq!(conflict.status, 303, "{}", conflict.body);
    let page = ev
        .get(&format!(
            "/t/272027/evaluations/{call}/answers/{}",
            loser.id
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("利益相反を申告した応募は採点できません。")
    );
    assert!(!page.body.contains("/scores\""));
    let crafted = score(&mut ev, call, loser.id, &[(c1, "5"), (c2, "5")]).await;
    assert_eq!(crafted.status, 422, "{}", crafted.body);
    assert!(
        crafted
            .body
            .contains("利益相反を申告した応募は採点できません。")
    );
    let out_of_range = score(&mut ev, call, winner.id, &[(c1, "6"), (c2, "3")]).await;
    assert_eq!(out_of_range.status, 422);
    assert!(
        out_of_range
            .body
            .contains("点数は1～5の整数で選んでください。")
    );
    assert_eq!(
        count(store, "SELECT COUNT(*) AS n FROM open_call_scores").await,
        0
    );
    let ok = score(&mut ev, call, winner.id, &[(c1, "4"), (c2, "3")]).await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    // The desk, as evaluator, scores both.
    assert_eq!(
        score(&mut desk, call, winner.id, &[(c1, "5"), (c2, "5")])
            .await
            .status,
        303
    );
    assert_eq!(
        score(&mut desk, call, loser.id, &[(c1, "2"), (c2, "2")])
            .await
            .status,
        303
    );
    let sheet = desk.get(&format!("/t/272027/desk/calls/{call}")).await;
    assert_eq!(sheet.status, 200);
    // (4×60 + 3×40) / 5 = 72; (5×60 + 5×40) / 5 = 100; average 86.0.
    assert!(
        sheet.body.contains("72.0") && sheet.body.contains("86.0"),
        "{}",
        sheet.body
    );
    assert!(sheet.body.contains("利益相反のため採点せず"));

    // The selection: confirmation first, then recorded; the proposals move in the lifecycle.
    let select_path = format!("/t/272027/desk/calls/{call}/select");
    let no_reason = desk
        .post(
            &select_path,
            &[("selected", &winner.id.to_string()), ("reason", "")],
        )
        .await;
    assert_eq!(no_reason.status, 422);
    let ask = desk
        .post(
            &select_path,
            &[("selected", &winner.id.to_string()), ("reason", REASON)],
        )
        .await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("次の内容で選定を記録しますか"));
    let done = desk
        .post(
            &select_path,
            &[
                ("selected", &winner.id.to_string()),
                ("reason", REASON),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let w = store
        .proposal(k(), &winner.receipt_number)
        .await
        .expect("w");
    assert_eq!(w.status, Status::Decided);
    let l = store.proposal(k(), &loser.receipt_number).await.expect("l");
    assert_eq!(l.status, Status::Declined);
    assert_eq!(l.decline_reason, Some(DeclineReason::Other));
    // Scoring is over once decided.
    assert_eq!(
        score(&mut desk, call, winner.id, &[(c1, "1"), (c2, "1")])
            .await
            .status,
        422
    );

    // The public result: who was chosen and why; nothing of the other answer.
    let result = anon.get(&format!("/t/272027/calls/{call}")).await;
    assert_eq!(result.status, 200);
    assert!(result.body.contains("株式会社だんじりテック"));
    assert!(result.body.contains(REASON));
    for secret in [LOSER_TITLE, LOSER_ORG, LOSER_SUMMARY, WINNER_TITLE] {
        assert!(!result.body.contains(secret), "public page shows {secret}");
    }
    let api = anon.api_get("/api/v1/tenants/272027/calls", None).await;
    assert_eq!(api.status, 200);
    assert!(!api.body.contains(LOSER_ORG) && !api.body.contains(LOSER_TITLE));
    assert_eq!(api.json()["calls"][0]["status"], "decided");

    // The answers through the API: the desk sees both with their averages.
    let (_, token) = store
        .token_create(&Who::cli(), desk_user.id, "test")
        .await
        .expect("token");
    let answers = desk
        .api_get(
            &format!("/api/v1/tenants/272027/calls/{call}/answers"),
            Some(&token),
        )
        .await;
    assert_eq!(answers.status, 200, "{}", answers.body);
    let list = answers.json()["answers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .any(|a| a["selected"] == true && a["average_score"] == 86.0)
    );
    // Reads of answers are audited.
    let reads = store
        .audit_recent("272027", 100_000)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.action == "proposal.read" && e.detail.contains("call-answer"))
        .count();
    assert!(reads > 0);
    for action in [
        "call.create",
        "call.submit",
        "call.publish",
        "call.close",
        "call.conflict",
        "call.score",
        "call.decide",
    ] {
        assert!(
            store
                .audit_recent("272027", 100_000)
                .await
                .expect("audit")
                .iter()
                .any(|e| e.action == action),
            "{action} audited"
        );
    }
}

async fn refusals(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let today = store.today();
    let kiki = department_id(store, "危機管理課").await.to_string();
    add_staff(
        store,
        "other@kishiwada.example.jp",
        Role::Department,
        vec!["観光振興課".into()],
    )
    .await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    assert_eq!(desk.get("/t/272027/desk/calls/new").await.status, 200);
    let created = desk
        .post(
            "/t/272027/desk/calls",
            &call_fields(
                &kiki,
                &today.to_string(),
                &(today + chrono::Duration::days(7)).to_string(),
                "50",
                "50",
            ),
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let call = id_of(&created.location);
    let r = desk
        .post(
            &format!("/t/272027/desk/calls/{call}/move"),
            &[("action", "publish"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let mut p = app.client();
    assert_eq!(
        propose(&mut p, WINNER_TITLE, None, &[("call", &call.to_string())])
            .await
            .status,
        303
    );
    let answer = store.open_call_answers(k(), call).await.expect("a")[0].id;

    // Another department: neither the call's page nor its answers.
    let mut other = signed_in(&app, "other@kishiwada.example.jp").await;
    other.get("/t/272027/evaluations").await;
    assert_eq!(
        other
            .get(&format!("/t/272027/department/calls/{call}"))
            .await
            .status,
        404
    );
    let r = other
        .get(&format!("/t/272027/evaluations/{call}/answers/{answer}"))
        .await;
    assert_eq!(r.status, 404);
    assert!(!r.body.contains(WINNER_TITLE));
    assert!(
        !other
            .get("/t/272027/department/calls")
            .await
            .body
            .contains(TITLE)
    );
    // Not an evaluator: no scoring.
    let crafted = other
        .post(
            &format!("/t/272027/evaluations/{call}/answers/{answer}/scores"),
            &[("criterion", "1"), ("score", "5")],
        )
        .await;
    assert!(
        crafted.status == 403 || crafted.status == 404,
        "{}",
        crafted.status
    );
    // A department may not publish.
    let mut dept = signed_in(&app, "kikikanri@kishiwada.demo.renkei.jp").await;
    dept.get("/t/272027/department/calls").await;
    assert_eq!(
        dept.post(
            &format!("/t/272027/desk/calls/{call}/move"),
            &[("action", "close"), ("confirm", "yes")]
        )
        .await
        .status,
        403
    );
    // The call's department reads its answers.
    let own = dept
        .get(&format!("/t/272027/department/calls/{call}"))
        .await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains(WINNER_TITLE));

    // A proponent: no staff pages, no answers.
    let mut proponent = signed_in(&app, "proponent@example.co.jp").await;
    for path in [
        format!("/t/272027/desk/calls/{call}"),
        format!("/t/272027/department/calls/{call}"),
        format!("/t/272027/evaluations/{call}/answers/{answer}"),
    ] {
        let r = proponent.get(&path).await;
        assert!(r.status == 403 || r.status == 404, "{path}: {}", r.status);
        assert!(!r.body.contains(WINNER_TITLE));
    }
    // Another local government: not found.
    let mut kawasaki = signed_in(&app, "desk@kawasaki.demo.renkei.jp").await;
    let r = kawasaki.get(&format!("/t/141305/desk/calls/{call}")).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        kawasaki
            .get(&format!("/t/141305/calls/{call}"))
            .await
            .status,
        404
    );
    let kawasaki_desk = store
        .user_by_email("desk@kawasaki.demo.renkei.jp")
        .await
        .expect("desk");
    let (_, token) = store
        .token_create(&Who::cli(), kawasaki_desk.id, "test")
        .await
        .expect("token");
    let api = kawasaki
        .api_get(
            &format!("/api/v1/tenants/141305/calls/{call}/answers"),
            Some(&token),
        )
        .await;
    assert_eq!(api.status, 404);
    let api = kawasaki
        .api_get(
            &format!("/api/v1/tenants/272027/calls/{call}/answers"),
            Some(&token),
        )
        .await;
    assert_eq!(api.status, 403);

    // The API's intake answers a call too (route theme), until the call closes (409).
    let mut body = crate::api_proposals::intake("APIからの応募", crate::web_proposals::PDF);
    body["call_id"] = serde_json::json!(call);
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/tenants/272027/proposals"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 201);
    let answers = store.open_call_answers(k(), call).await.expect("answers");
    assert_eq!(answers.len(), 2);
    assert!(answers.iter().all(|p| p.route == Route::Theme));
    body["call_id"] = serde_json::json!(call + 1000);
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/tenants/272027/proposals"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 404);

    // Bad input on the desk's side: nothing written.
    let bad = desk
        .post(
            &format!("/t/272027/desk/calls/{call}/move"),
            &[("action", "return"), ("comment", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    let d = store.open_call(k(), call).await.expect("call");
    assert_eq!(
        d.call.status,
        renkei_domain::open_call::CallStatus::Published
    );
    // Too many criteria, and a weight out of range.
    let fields = call_fields(&kiki, "2026-12-01", "2026-12-31", "150", "-50");
    let r = desk.post("/t/272027/desk/calls", &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("配点は1～100の整数で入力してください。"));
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) AS n FROM open_calls WHERE title = 'だんじり会館の夜間活用アイデア'"
        )
        .await,
        1
    );

    // Closed: the API refuses an answer and nothing is received.
    let r = desk
        .post(
            &format!("/t/272027/desk/calls/{call}/move"),
            &[("action", "close"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    body["call_id"] = serde_json::json!(call);
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/tenants/272027/proposals"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 409);
    assert_eq!(
        store.open_call_answers(k(), call).await.expect("a").len(),
        2
    );
}

on_both!(whole_flow, refusals);
