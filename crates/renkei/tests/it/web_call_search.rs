//! The search over published open calls (公募): `/calls?q=`, `/t/{code}/calls?q=`, the block
//! of matching calls on `/cases?q=`, `GET /api/v1/calls?q=` and
//! `GET /api/v1/tenants/{code}/calls?q=`. On both databases, and the same answers on both:
//! a two-character word (防災) finds a published call everywhere; a draft or a call awaiting
//! the desk with the same word is found nowhere (nor by the index); half-width katakana,
//! hiragana, full-width letters and 株式会社/(株) fold alike; the answers to a call are never
//! searched; the index follows publishing, closing and deciding; migration 30 indexes the
//! calls already there; bad parameters are a 400 in Japanese.

use renkei_domain::open_call::{CallMove, OpenCall, OpenCallInput};
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_domain::{Lang, TenantCode};
use renkei_store::proposals::NewProposal;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestApp, on_both};
use serde_json::Value;

const K: &str = "272027";
/// The published call: 防災 in its title, the rest in its other public fields.
const PUBLISHED: &str = "避難所の防災備蓄を見直す提案募集";
/// Only in the published call's background (hiragana), problem (lower-case letters) and
/// eligibility (株式会社).
const BACKGROUND: &str = "地区ごとのぼうさいくんれんの参加者が減っています。";
const PROBLEM: &str = "aedの設置場所が知られていません。";
const ELIGIBILITY: &str = "株式会社、NPO法人など";
/// A draft and a call awaiting the desk, both with 防災.
const DRAFT: &str = "下書き検索マーカーの防災公募";
const SUBMITTED: &str = "承認待ち検索マーカーの防災公募";
/// Words only an answer to the published call holds.
const ANSWER_WORD: &str = "応募本文だけの語ヒミツ";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
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

async fn call(
    store: &Store,
    title: &str,
    background: &str,
    problem: &str,
    eligibility: &str,
) -> i64 {
    let today = store.today();
    let c = OpenCall::parse(&OpenCallInput {
        department_id: department(store).await.to_string(),
        title: title.into(),
        background: background.into(),
        problem: problem.into(),
        outcomes: "成果".into(),
        eligibility: eligibility.into(),
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(5)).to_string(),
        criteria: vec![("実現性".into(), "100".into())],
        ..OpenCallInput::default()
    })
    .expect("call");
    store
        .open_call_create(&Who::cli(), k(), &c)
        .await
        .expect("create")
}

async fn move_call(store: &Store, id: i64, m: CallMove) {
    store
        .open_call_move(&Who::cli(), k(), id, m, "", &renkei_store::events::NoMail)
        .await
        .expect("move");
}

async fn answer(store: &Store, call: i64, summary: &str) -> i64 {
    let input = IntakeInput {
        kind: "proposal".into(),
        org_name: "株式会社応募検査".into(),
        partner_type: "company".into(),
        contact_name: "応募 太郎".into(),
        email: "answer@example.co.jp".into(),
        title: "防災の応募".into(),
        summary: summary.into(),
        fields: vec!["disaster".into()],
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

async fn api(app: &TestApp, path: &str) -> Value {
    let r = app.client().api_get(path, None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

fn ids(v: &Value, key: &str) -> Vec<i64> {
    v[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

fn titles(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["title"].as_str().expect("title").to_string())
        .collect()
}

/// The whole story on one database; returns what the searches answered (for comparing the
/// databases).
async fn scenario(backend: Backend) -> Vec<(String, Value)> {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let mut anon = app.client();

    let draft = call(store, DRAFT, "背景", "課題", "").await;
    let submitted = call(store, SUBMITTED, "背景", "課題", "").await;
    move_call(store, submitted, CallMove::Submit).await;
    let published = call(store, PUBLISHED, BACKGROUND, PROBLEM, ELIGIBILITY).await;
    // Not in the index while it is a draft.
    assert!(
        !store
            .call_index_candidates("防災")
            .await
            .expect("candidates")
            .contains(&published)
    );
    move_call(store, published, CallMove::Publish).await;
    answer(store, published, ANSWER_WORD).await;
    let candidates = store
        .call_index_candidates("防災")
        .await
        .expect("candidates");
    assert!(candidates.contains(&published), "{candidates:?}");
    assert!(!candidates.contains(&draft) && !candidates.contains(&submitted));

    // The national list, the local government's list, the API: the published call, never
    // the draft nor the one awaiting the desk.
    let national = anon.get("/calls?q=防災").await;
    assert_eq!(national.status, 200);
    assert!(national.body.contains(PUBLISHED), "{}", national.body);
    assert!(
        national.body.contains("value=\"防災\""),
        "the words stay in the box"
    );
    let tenant = anon.get(&format!("/t/{K}/calls?q=防災")).await;
    assert_eq!(tenant.status, 200);
    assert!(tenant.body.contains(PUBLISHED));
    assert!(tenant.body.contains("name=\"q\""));
    let v = api(&app, "/api/v1/calls?q=防災").await;
    assert!(ids(&v, "items").contains(&published), "{v}");
    let item = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["id"] == published)
        .expect("the call");
    assert_eq!(item["tenant"], K);
    assert_eq!(item["url"], format!("/t/{K}/calls/{published}"));
    assert_eq!(
        v["total"].as_i64(),
        Some(v["items"].as_array().map_or(0, |a| a.len() as i64))
    );
    let vt = api(&app, &format!("/api/v1/tenants/{K}/calls?q=防災")).await;
    assert!(ids(&vt, "calls").contains(&published), "{vt}");
    // The page lists what the API lists, in the same order.
    let api_titles = titles(&v, "items");
    let mut at = 0;
    for t in &api_titles {
        let found = national.body[at..].find(t.as_str());
        assert!(found.is_some(), "{t} in order on /calls");
        at += found.unwrap_or(0);
    }

    // The case search shows the block with the matching calls and the link to all of them.
    let cases = anon.get("/cases?q=防災").await;
    assert_eq!(cases.status, 200);
    let n = v["total"].as_i64().expect("total");
    assert!(
        cases.body.contains(&format!("公募（{n}件）")),
        "{}",
        cases.body
    );
    assert!(cases.body.contains(PUBLISHED));
    assert!(cases.body.contains("/calls?q=%E9%98%B2%E7%81%BD"));
    let none = anon.get("/cases?q=該当なし検索語ゼロ").await;
    assert!(!none.body.contains("公募（"));
    let plain = anon.get("/cases").await;
    assert!(!plain.body.contains("case-calls"), "no words, no block");

    // Nowhere the draft, the call awaiting the desk, or an answer's words.
    for path in [
        "/calls?q=防災".to_string(),
        format!("/t/{K}/calls?q=防災"),
        "/cases?q=防災".to_string(),
        "/calls?q=検索マーカー".to_string(),
        "/cases?q=検索マーカー".to_string(),
        format!("/t/{K}/calls?q=検索マーカー"),
        "/api/v1/calls?q=検索マーカー".to_string(),
        format!("/api/v1/tenants/{K}/calls?q=検索マーカー"),
        "/api/v1/calls?q=防災".to_string(),
    ] {
        let body = anon.get(&path).await.body;
        for m in [DRAFT, SUBMITTED, "検索マーカー"] {
            if path.contains("q=検索マーカー") && m == "検索マーカー" {
                continue;
            }
            assert!(!body.contains(m), "{path} shows {m}");
        }
    }
    for q in ["検索マーカー", ANSWER_WORD, "株式会社応募検査"] {
        let v = api(&app, &format!("/api/v1/calls?q={q}")).await;
        assert_eq!(v["total"], 0, "{q}: {v}");
        let vt = api(&app, &format!("/api/v1/tenants/{K}/calls?q={q}")).await;
        assert!(ids(&vt, "calls").is_empty(), "{q}: {vt}");
    }
    // Staff with a token search their own list, drafts included, by the same rules.
    let desk = store
        .user_by_email("desk@kishiwada.demo.renkei.jp")
        .await
        .expect("desk");
    let (_, token) = store
        .token_create(&Who::cli(), desk.id, "test")
        .await
        .expect("token");
    let staff = anon
        .api_get(
            &format!("/api/v1/tenants/{K}/calls?q=検索マーカー"),
            Some(&token),
        )
        .await;
    assert_eq!(staff.status, 200, "{}", staff.body);
    let mut found = ids(&staff.json(), "calls");
    found.sort_unstable();
    assert_eq!(found, vec![draft, submitted]);

    // Folding: half-width katakana finds hiragana, full-width letters find ASCII, (株) finds
    // 株式会社; the words must all be there.
    for q in [
        "ﾎﾞｳｻｲｸﾝﾚﾝ",
        "ボウサイ",
        "ＡＥＤ",
        "（株）",
        "㈱",
        "防災 備蓄",
        "備蓄",
        "防災　ＡＥＤ",
    ] {
        let v = api(
            &app,
            &format!("/api/v1/calls?q={}", renkei_web_urlencode(q)),
        )
        .await;
        assert_eq!(ids(&v, "items"), vec![published], "{q}: {v}");
        let page = anon
            .get(&format!("/t/{K}/calls?q={}", renkei_web_urlencode(q)))
            .await;
        assert!(page.body.contains(PUBLISHED), "{q} on the tenant's list");
    }
    let v = api(&app, "/api/v1/calls?q=防災 該当なし検索語ゼロ").await;
    assert_eq!(v["total"], 0);

    // Closed, then decided: still found, with its result.
    move_call(store, published, CallMove::Close).await;
    let v = api(&app, "/api/v1/calls?q=ボウサイクンレン").await;
    assert_eq!(ids(&v, "items"), vec![published]);
    assert_eq!(v["items"][0]["status"], "closed");

    // Bad parameters: 400, in Japanese, the words bounded.
    let long = "防".repeat(201);
    for path in [
        format!("/calls?q={long}"),
        format!("/t/{K}/calls?q={long}"),
        format!("/cases?q={long}"),
    ] {
        let p = anon.get(&path).await;
        assert_eq!(p.status, 400, "{path}");
        assert!(p.body.contains("200文字以内"), "{path}: {}", p.body);
    }
    for (path, code) in [
        (format!("/api/v1/calls?q={long}"), "out_of_range"),
        (
            format!("/api/v1/tenants/{K}/calls?q={long}"),
            "out_of_range",
        ),
        ("/api/v1/calls?prefecture=99".to_string(), "out_of_range"),
        ("/api/v1/calls?prefecture=2x".to_string(), "bad_request"),
        ("/api/v1/calls?prefecture=272027".to_string(), "bad_request"),
        ("/api/v1/calls?page=abc".to_string(), "bad_request"),
        ("/api/v1/calls?page=10001".to_string(), "out_of_range"),
    ] {
        let r = anon.api_get(&path, None).await;
        assert_eq!(r.status, 400, "{path}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], code, "{path}: {}", r.body);
    }
    let osaka = api(&app, "/api/v1/calls?q=防災&prefecture=27").await;
    assert!(ids(&osaka, "items").contains(&published));
    let kanagawa = api(&app, "/api/v1/calls?q=防災&prefecture=140007").await;
    assert!(!ids(&kanagawa, "items").contains(&published));

    // What each search answered, without the ids (a PostgreSQL sequence may skip numbers
    // where SQLite does not): titles in order, with their status, dates and counts.
    let mut out = Vec::new();
    for q in ["防災", "ﾎﾞｳｻｲ", "公園", "（株）", "防災 備蓄", "㈱ 防災"] {
        let path = format!("/api/v1/calls?q={}", renkei_web_urlencode(q));
        out.push((path.clone(), projected(&api(&app, &path).await, "items")));
        let path = format!("/api/v1/tenants/{K}/calls?q={}", renkei_web_urlencode(q));
        out.push((path.clone(), projected(&api(&app, &path).await, "calls")));
        let page = anon
            .get(&format!("/calls?q={}", renkei_web_urlencode(q)))
            .await;
        out.push((
            format!("/calls?q={q}"),
            Value::from(page.body.matches("class=\"card\"").count()),
        ));
    }
    app.stop().await;
    out
}

fn projected(v: &Value, key: &str) -> Value {
    let items: Vec<Value> = v[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| {
            serde_json::json!({
                "title": i["title"],
                "tenant": i["tenant"],
                "status": i["status"],
                "opens_on": i["opens_on"],
                "closes_on": i["closes_on"],
                "answers": i["answers"],
            })
        })
        .collect();
    serde_json::json!({"total": v["total"], "items": items})
}

fn renkei_web_urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn calls_are_searched(backend: Backend) {
    scenario(backend).await;
}

/// Migration 30 indexes the calls already there: a published one is found, a draft is not.
async fn the_migration_indexes_existing_calls(backend: Backend) {
    let db = renkei_testkit::TestDb::new(backend);
    let store = db.open_at(29).await;
    let ts = "2026-11-24T01:00:00.000Z";
    let mut statements = renkei_testkit::tenant_rows(
        ts,
        ("140007", "神奈川県", "カナガワケン"),
        Some(("141305", "川崎市", "カワサキシ")),
    );
    statements.extend([format!(
        "INSERT INTO departments (id, tenant_code, name, created_at, updated_at) \
             VALUES (1, '141305', '危機管理課', '{ts}', '{ts}')"
    )]);
    for (id, title, status) in [
        (1, "防災拠点の公募", "published"),
        (2, "防災の下書き公募", "draft"),
        (3, "防災の承認待ち公募", "submitted"),
        (4, "防災の選定済み公募", "decided"),
    ] {
        statements.push(format!(
            "INSERT INTO open_calls (id, tenant_code, department_id, title, background, problem, constraints_text, \
             offers, outcomes, eligibility, opens_on, closes_on, status, created_at, updated_at) \
             VALUES ({id}, '141305', 1, '{title}', 'ｶﾝｾﾝｼｮｳ対策', '課題', '', '', '成果', '(株)も可', \
             '2026-11-01', '2026-12-31', '{status}', '{ts}', '{ts}')"
        ));
    }
    renkei_testkit::exec_all(&store, &statements).await;
    renkei_store::migrate::run(&store).await.expect("the rest");
    for q in ["防災", "かんせんしょう", "株式会社", "防災 ｶﾝｾﾝｼｮｳ"] {
        let (rows, total) = store
            .public_calls_matching("", q, 0, 20)
            .await
            .expect("search");
        assert_eq!(total, 2, "{q}");
        let mut found: Vec<i64> = rows.iter().map(|r| r.call.id).collect();
        found.sort_unstable();
        assert_eq!(found, vec![1, 4], "{q}");
        assert_eq!(rows[0].tenant_name, "神奈川県川崎市");
    }
    assert_eq!(
        store
            .public_call_matches(Some(TenantCode::parse("141305").expect("code")), "防災")
            .await
            .expect("matches"),
        Some(vec![1, 4])
    );
    assert_eq!(store.calls_rebuild().await.expect("rebuild"), 2);
    assert_eq!(
        store
            .call_index_candidates("防災")
            .await
            .expect("candidates"),
        vec![1, 4]
    );
}

on_both!(calls_are_searched, the_migration_indexes_existing_calls);

/// The same data answers the same on SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_answers_on_both_databases() {
    let sqlite = scenario(Backend::Sqlite).await;
    let postgres = scenario(Backend::Postgres).await;
    assert_eq!(sqlite.len(), postgres.len());
    for ((path, a), (_, b)) in sqlite.iter().zip(&postgres) {
        assert_eq!(a, b, "{path}");
    }
    assert!(
        sqlite
            .iter()
            .any(|(p, v)| p.starts_with("/api/v1/calls?") && v["total"].as_i64() > Some(1))
    );
}
