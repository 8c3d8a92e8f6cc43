//! Free text end to end: what people write (emoji with variation selectors, ZWJ sequences,
//! ideographic variation sequences, characters outside the BMP, decomposed text) comes back
//! byte for byte from every free-text field of the pages and the API, shows on the timeline,
//! and leaves valid JSON in the audit chain; control characters are refused with a field
//! error and nothing is written; notes stored with the old (non-JSON) escaping still show.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, Client, Page, TestApp, csrf_in, on_both};
use serde_json::{Value, json};
use sqlx::Row;

pub const K: &str = "272027";
pub const DESK: &str = "desk@kishiwada.demo.renkei.jp";
pub const ADMIN: &str = "admin@kishiwada.demo.renkei.jp";
pub const DEPT: &str = "kikikanri@kishiwada.demo.renkei.jp";

/// ❤️: U+2764 with the emoji variation selector U+FE0F.
const HEART: &str = "❤\u{FE0F}";
/// 👨‍👩‍👧: a ZWJ sequence.
const FAMILY: &str = "👨\u{200D}👩\u{200D}👧";
/// 葛󠄀: U+845B with the ideographic variation selector U+E0100.
const IVS: &str = "葛\u{E0100}";
/// 𠮷: U+20BB7, outside the BMP.
const SMP: &str = "𠮷";
/// Decomposed (NFD) text: か + combining voiced mark, e + combining acute.
const NFD: &str = "か\u{3099}e\u{301}";

/// One line of hard text, told apart by its tag.
fn line(tag: &str) -> String {
    format!("{tag}{HEART}{FAMILY}{IVS}城{SMP}野家{NFD}")
}

/// Several lines of hard text (LF and a tab are kept).
fn lines(tag: &str) -> String {
    format!("{}\n二行目{HEART}\n\t{SMP}{NFD}", line(tag))
}

pub fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

pub async fn signed_in(app: &TestApp, email: &str, password: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, password).await;
    assert_eq!(r.status, 303, "{email}: {}", r.body);
    c
}

async fn read(resp: reqwest::Response) -> Page {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.text().await.unwrap_or_default();
    Page {
        status,
        location,
        body,
        headers,
    }
}

/// Posts the public intake form (multipart), with `overrides` replacing the defaults and,
/// if given, a forged `Host` header.
pub async fn propose(c: &mut Client, overrides: &[(&str, &str)], host: Option<&str>) -> Page {
    let page = c.get(&format!("/t/{K}/propose")).await;
    assert_eq!(page.status, 200);
    let csrf = csrf_in(&page.body).expect("csrf");
    let mut fields: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf),
        ("kind".into(), "proposal".into()),
        ("org_name".into(), "株式会社だんじりテック".into()),
        ("partner_type".into(), "company".into()),
        ("org_address".into(), "大阪府岸和田市宮本町1番1号".into()),
        ("contact_name".into(), "岸和田 太郎".into()),
        ("email".into(), "taro@example.co.jp".into()),
        ("phone".into(), "072-423-2121".into()),
        ("title".into(), "防災訓練にドローンを".into()),
        (
            "summary".into(),
            "ドローンを使った避難訓練の提案です。".into(),
        ),
        ("details".into(), "詳細な計画".into()),
        ("fields".into(), "disaster".into()),
        ("offers".into(), "knowhow".into()),
        ("expected_effects".into(), "避難の迅速化".into()),
        ("fiscal_burden".into(), "none".into()),
        ("privacy_consent".into(), "yes".into()),
    ];
    for (k, v) in overrides {
        fields.retain(|(name, _)| name != k);
        fields.push((k.to_string(), v.to_string()));
    }
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    let mut req = c
        .http
        .post(format!("{}/t/{K}/propose", c.base))
        .multipart(form);
    if let Some(h) = host {
        req = req.header(reqwest::header::HOST, h);
    }
    let answer = read(req.send().await.expect("POST propose")).await;
    // The confirmation page (確認画面), then 送信する, with the same Host header.
    let Some(confirm) = answer
        .location
        .clone()
        .filter(|l| answer.status == 303 && l.contains("/propose/confirm/"))
    else {
        return answer;
    };
    let page = c.get(&confirm).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_in(&page.body).expect("csrf");
    let mut req = c
        .http
        .post(format!("{}{confirm}", c.base))
        .form(&[("_csrf", csrf.as_str())]);
    if let Some(h) = host {
        req = req.header(reqwest::header::HOST, h);
    }
    read(req.send().await.expect("POST confirm")).await
}

pub struct Resp {
    pub status: u16,
    pub body: String,
    pub json: Value,
}

/// A JSON API call, with an optional Bearer token and an optional forged `Host` header.
pub async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
    host: Option<&str>,
) -> Resp {
    let mut req = reqwest::Client::new().request(method, app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    if let Some(h) = host {
        req = req.header(reqwest::header::HOST, h);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    let json = serde_json::from_str(&body).unwrap_or(Value::Null);
    Resp { status, body, json }
}

pub async fn api_post(app: &TestApp, path: &str, token: Option<&str>, body: &Value) -> Resp {
    api(app, reqwest::Method::POST, path, token, Some(body), None).await
}

pub async fn token(store: &Store, email: &str) -> String {
    let u = store.user_by_email(email).await.expect("user");
    store
        .token_create(&Who::cli(), u.id, "t")
        .await
        .expect("token")
        .1
}

/// The tracking token at the end of a `/t/{code}/track/{token}?notice=…` redirect.
pub fn tracking_token(location: &str) -> String {
    location
        .split("/track/")
        .nth(1)
        .and_then(|t| t.split('?').next())
        .expect("tracking link")
        .to_string()
}

async fn department_id(store: &Store, name: &str) -> i64 {
    store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == name)
        .map(|d| d.id)
        .unwrap_or_else(|| panic!("no department {name:?}"))
}

/// Every audit detail and every timeline note is JSON (the old escaping was not).
async fn all_stored_json_parses(store: &Store) -> Vec<Value> {
    let mut out = Vec::new();
    for sql in [
        "SELECT detail AS j FROM audit_log ORDER BY id",
        "SELECT note AS j FROM proposal_events WHERE note <> '' ORDER BY id",
    ] {
        for r in sqlx::query(sql)
            .fetch_all(store.pool())
            .await
            .expect("rows")
        {
            let text: String = r.try_get("j").expect("text");
            let v: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"));
            out.push(v);
        }
    }
    out
}

/// The desk page's timeline (the `<ol class="timeline">` list).
fn timeline(page: &str) -> &str {
    let start = page.find("<ol class=\"timeline\">").expect("timeline");
    let end = page[start..].find("</ol>").expect("end of timeline") + start;
    &page[start..end]
}

async fn unicode_round_trips_through_every_free_text_field(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;

    // --- The pages -------------------------------------------------------------------------
    // Intake (public form).
    let mut visitor = app.client();
    let (org, contact, title) = (line("団体"), line("担当"), line("題名"));
    let (summary, details, effects, fiscal) =
        (lines("要約"), lines("詳細"), lines("効果"), lines("負担"));
    let sent = propose(
        &mut visitor,
        &[
            ("org_name", &org),
            ("contact_name", &contact),
            ("title", &title),
            ("summary", &summary),
            ("details", &details),
            ("expected_effects", &effects),
            ("fiscal_burden", "some"),
            ("fiscal_explanation", &fiscal),
        ],
        None,
    )
    .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let track_token = tracking_token(&sent.location.clone().expect("redirect"));
    let track = format!("/t/{K}/track/{track_token}");
    let p = store
        .proposal_by_tracking(k(), &track_token)
        .await
        .expect("proposal");
    assert_eq!(
        (
            p.org_name.as_str(),
            p.contact_name.as_str(),
            p.title.as_str()
        ),
        (org.as_str(), contact.as_str(), title.as_str())
    );
    assert_eq!(p.summary, summary);
    assert_eq!(p.details, details);
    assert_eq!(p.expected_effects, effects);
    assert_eq!(p.fiscal_explanation, fiscal);
    let receipt = p.receipt_number.clone();

    // The proponent writes to the desk.
    visitor.get(&track).await;
    let from_proponent = lines("提案者");
    let r = visitor
        .post(&format!("{track}/messages"), &[("body", &from_proponent)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The tenant administrator: a department (created, then renamed) and an account in it.
    let mut admin = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    admin.get(&format!("/t/{K}/admin/departments")).await;
    let (first_name, dept_name) = (line("課"), line("新課"));
    let r = admin
        .post(
            &format!("/t/{K}/admin/departments"),
            &[("name", &first_name)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let dept = department_id(store, &first_name).await;
    let r = admin
        .post(
            &format!("/t/{K}/admin/departments/{dept}/rename"),
            &[("name", &dept_name)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(department_id(store, &dept_name).await, dept);
    admin.get(&format!("/t/{K}/admin/users")).await;
    let display_name = line("氏名");
    let r = admin
        .post(
            &format!("/t/{K}/admin/users"),
            &[
                ("email", "unicode@example.jp"),
                ("display_name", &display_name),
                ("role", "department"),
                ("password", DEMO_PASSWORD),
                ("department", &dept_name),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let member = store
        .user_by_email("unicode@example.jp")
        .await
        .expect("user");
    assert_eq!(member.display_name, display_name);
    let users_page = admin.get(&format!("/t/{K}/admin/users")).await;
    assert!(users_page.body.contains(&display_name));

    // The desk at work.
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    let path = format!("/t/{K}/desk/proposals/{receipt}");
    desk.get(&path).await;
    let to_proponent = lines("デスク");
    let r = desk
        .post(&format!("{path}/messages"), &[("body", &to_proponent)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (participants, notes, next_steps) = (line("参加"), lines("記録"), lines("次回"));
    let r = desk
        .post(
            &format!("{path}/hearings"),
            &[
                ("held_on", "2026-11-20"),
                ("channel", "meeting"),
                ("participants", &participants),
                ("notes", &notes),
                ("next_steps", &next_steps),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let status_note = lines("メモ");
    let r = desk
        .post(
            &format!("{path}/transition"),
            &[("action", "start_hearing"), ("note", &status_note)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let question = lines("照会");
    let r = desk
        .post(
            &format!("{path}/routings"),
            &[
                ("department_ids", &dept.to_string()),
                ("question", &question),
                ("due_on", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (strengths, constraints) = (lines("強み"), lines("制約"));
    desk.get(&format!("/t/{K}/desk/partners/{}", p.partner_id))
        .await;
    let r = desk
        .post(
            &format!("/t/{K}/desk/partners/{}", p.partner_id),
            &[("strengths", &strengths), ("constraints", &constraints)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // The department answers.
    let mut staff = signed_in(&app, "unicode@example.jp", DEMO_PASSWORD).await;
    staff
        .get(&format!("/t/{K}/department/proposals/{receipt}"))
        .await;
    let routing = store.routings(p.id).await.expect("routings")[0].clone();
    assert_eq!(routing.department_name, dept_name);
    assert_eq!(routing.question, question);
    let comment = lines("回答");
    let r = staff
        .post(
            &format!("/t/{K}/department/routings/{}/answer", routing.id),
            &[("answer", "interested"), ("comment", &comment)],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // An outbound approach (intake and first hearing in one form).
    desk.get(&format!("/t/{K}/desk/approach")).await;
    let (a_org, a_title, a_notes) = (line("訪問先"), line("訪問題名"), lines("訪問記録"));
    let r = desk
        .post(
            &format!("/t/{K}/desk/approach"),
            &[
                ("kind", "consultation"),
                ("org_name", &a_org),
                ("partner_type", "npo"),
                ("contact_name", &line("訪問担当")),
                ("email", "npo@example.jp"),
                ("title", &a_title),
                ("summary", &lines("訪問要約")),
                ("fields", "community"),
                ("held_on", "2026-11-21"),
                ("channel", "phone"),
                ("participants", &line("訪問参加")),
                ("notes", &a_notes),
                ("next_steps", &lines("訪問次回")),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let a_receipt = r
        .location
        .as_deref()
        .and_then(|l| l.split("/desk/proposals/").nth(1))
        .and_then(|l| l.split('?').next())
        .expect("approach receipt")
        .to_string();
    let a = store.proposal(k(), &a_receipt).await.expect("approach");
    assert_eq!(
        (a.org_name.as_str(), a.title.as_str()),
        (a_org.as_str(), a_title.as_str())
    );
    assert_eq!(a.summary, lines("訪問要約"));
    let a_hearing = &store.hearings(a.id).await.expect("hearings")[0];
    assert_eq!(a_hearing.participants, line("訪問参加"));
    assert_eq!(a_hearing.notes, a_notes);
    assert_eq!(a_hearing.next_steps, lines("訪問次回"));

    // Declined, with an explanation to the proponent and the desk's own note.
    let (explanation, decline_note) = (lines("説明"), lines("不採択メモ"));
    let r = desk
        .post(
            &format!("{path}/transition"),
            &[
                ("action", "decline"),
                ("reason", "other"),
                ("explanation", &explanation),
                ("note", &decline_note),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);

    // Read back from the store: byte for byte.
    let p = store.proposal(k(), &receipt).await.expect("proposal");
    assert_eq!(p.decline_explanation.as_deref(), Some(explanation.as_str()));
    let bodies: Vec<String> = store
        .proposal_messages(p.id)
        .await
        .expect("messages")
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(bodies, vec![from_proponent.clone(), to_proponent.clone()]);
    let h = &store.hearings(p.id).await.expect("hearings")[0];
    assert_eq!(
        (&h.participants, &h.notes, &h.next_steps),
        (&participants, &notes, &next_steps)
    );
    let routing = store.routings(p.id).await.expect("routings")[0].clone();
    assert_eq!(routing.answer_comment.as_deref(), Some(comment.as_str()));
    let partner = store.partner(k(), p.partner_id).await.expect("partner");
    assert_eq!(
        (&partner.strengths, &partner.constraints),
        (&strengths, &constraints)
    );
    assert_eq!(partner.name, org);

    // The desk's page shows all of it, and both notes on the timeline.
    let page = desk.get(&path).await;
    assert_eq!(page.status, 200);
    for text in [
        &org,
        &contact,
        &title,
        &summary,
        &details,
        &effects,
        &fiscal,
        &from_proponent,
        &to_proponent,
        &participants,
        &notes,
        &next_steps,
        &question,
        &comment,
        &dept_name,
        &explanation,
    ] {
        assert!(page.body.contains(text.as_str()), "page lacks {text:?}");
    }
    let tl = timeline(&page.body);
    for note in [&status_note, &decline_note] {
        assert!(
            tl.contains(&format!("<span class=\"prewrap\">{note}</span>")),
            "timeline lacks the note {note:?}: {tl}"
        );
    }
    let partner_page = desk
        .get(&format!("/t/{K}/desk/partners/{}", p.partner_id))
        .await;
    assert!(partner_page.body.contains(&strengths) && partner_page.body.contains(&constraints));
    // The proponent's page.
    let mine = visitor.get(&track).await;
    for text in [&title, &from_proponent, &to_proponent, &explanation] {
        assert!(
            mine.body.contains(text.as_str()),
            "proponent page lacks {text:?}"
        );
    }
    // The mail to the proponent carries the message as written.
    let mails = store.outbox_list(500).await.expect("outbox");
    assert!(
        mails
            .iter()
            .any(|m| m.kind == "message" && m.body.contains(&to_proponent)),
        "message mail"
    );
    assert!(
        mails
            .iter()
            .any(|m| m.kind == "status" && m.body.contains(&explanation)),
        "decline mail"
    );

    // --- The API ---------------------------------------------------------------------------
    let desk_token = token(store, DESK).await;
    let member_token = token(store, "unicode@example.jp").await;
    let mut body = super::api_proposals::intake(&line("API題名"), super::api_proposals::PDF);
    for (field, value) in [
        ("org_name", line("API団体")),
        ("contact_name", line("API担当")),
        ("summary", lines("API要約")),
        ("details", lines("API詳細")),
        ("expected_effects", lines("API効果")),
    ] {
        body[field] = json!(value);
    }
    body["fiscal_burden"] = json!("some");
    body["fiscal_explanation"] = json!(lines("API負担"));
    let r = api_post(&app, &format!("/api/v1/tenants/{K}/proposals"), None, &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let api_receipt = r.json["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_string();
    let base = format!("/api/v1/tenants/{K}/proposals/{api_receipt}");
    let api_note = lines("APIメモ");
    let r = api_post(
        &app,
        &format!("{base}/transitions"),
        Some(&desk_token),
        &json!({ "action": "start_hearing", "note": api_note }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = api_post(
        &app,
        &format!("{base}/hearings"),
        Some(&desk_token),
        &json!({
            "held_on": "2026-11-22",
            "channel": "online",
            "participants": line("API参加"),
            "notes": lines("API記録"),
            "next_steps": lines("API次回"),
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json["participants"], json!(line("API参加")));
    let r = api_post(
        &app,
        &format!("{base}/routings"),
        Some(&desk_token),
        &json!({ "department_ids": [dept], "question": lines("API照会"), "due_on": "2030-01-31" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let routing_id = r.json["routings"][0]["id"].as_i64().expect("routing id");
    let r = api_post(
        &app,
        &format!("/api/v1/tenants/{K}/routings/{routing_id}/answer"),
        Some(&member_token),
        &json!({ "answer": "conditional", "comment": lines("API回答") }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json["answer_comment"], json!(lines("API回答")));
    let api_decline_note = lines("API不採択メモ");
    let r = api_post(
        &app,
        &format!("{base}/transitions"),
        Some(&desk_token),
        &json!({
            "action": "decline",
            "reason": "other",
            "explanation": lines("API説明"),
            "note": api_decline_note,
        }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let d = api(
        &app,
        reqwest::Method::GET,
        &base,
        Some(&desk_token),
        None,
        None,
    )
    .await;
    assert_eq!(d.status, 200, "{}", d.body);
    let j = &d.json;
    for (field, value) in [
        ("title", line("API題名")),
        ("org_name", line("API団体")),
        ("contact_name", line("API担当")),
        ("summary", lines("API要約")),
        ("details", lines("API詳細")),
        ("expected_effects", lines("API効果")),
        ("fiscal_explanation", lines("API負担")),
        ("decline_explanation", lines("API説明")),
    ] {
        assert_eq!(j[field], json!(value), "{field}");
    }
    assert_eq!(j["hearings"][0]["notes"], json!(lines("API記録")));
    assert_eq!(j["hearings"][0]["next_steps"], json!(lines("API次回")));
    assert_eq!(j["routings"][0]["question"], json!(lines("API照会")));
    assert_eq!(j["routings"][0]["department_name"], json!(dept_name));
    assert_eq!(j["routings"][0]["answer_comment"], json!(lines("API回答")));
    let event_notes: Vec<&Value> = j["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["note"].get("note"))
        .collect();
    assert_eq!(
        event_notes,
        vec![&json!(api_note), &json!(api_decline_note)],
        "the API timeline has both notes"
    );
    // The page-made proposal's notes through the API too.
    let d = api(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/tenants/{K}/proposals/{receipt}"),
        Some(&desk_token),
        None,
        None,
    )
    .await;
    let events = d.json["events"].as_array().expect("events").clone();
    assert!(
        events
            .iter()
            .any(|e| e["note"]["note"] == json!(status_note))
    );
    assert!(events.iter().any(|e| {
        e["note"]["note"] == json!(decline_note) && e["note"]["explanation"] == json!(explanation)
    }));
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "routing" && e["note"]["department"] == json!(dept_name))
    );

    // --- The audit chain -------------------------------------------------------------------
    let stored = all_stored_json_parses(store).await;
    let has = |v: Value| stored.contains(&v);
    assert!(
        stored
            .iter()
            .any(|s| s["from"] == json!(first_name) && s["to"] == json!(dept_name)),
        "department.rename detail"
    );
    assert!(
        stored.iter().any(|s| s["email"] == "unicode@example.jp"
            && s["departments"] == json!([dept_name.clone()])),
        "user.create detail"
    );
    assert!(has(
        json!({ "from": "received", "to": "hearing", "note": status_note })
    ));
    let report = store.audit_verify().await.expect("verify");
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    assert!(report.checked > 20);
}

/// How a refusal reads, by field kind and character.
fn refusal(single_line: bool, c: char) -> &'static str {
    let line_break = matches!(c, '\n' | '\r' | '\t' | '\u{85}' | '\u{2028}' | '\u{2029}');
    if single_line && line_break {
        "この項目には改行やタブを入力できません。1行で入力してください。"
    } else {
        "制御文字（目に見えない特殊な文字）が含まれています。取り除いてから入力してください。"
    }
}

/// Rows that a write would add or change (reads of confidential data are audited on every
/// page view, so `proposal.read` entries are left out).
async fn writes(store: &Store) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for (name, sql) in [
        ("proposals", "SELECT COUNT(*) AS n FROM proposals"),
        ("messages", "SELECT COUNT(*) AS n FROM proposal_messages"),
        ("hearings", "SELECT COUNT(*) AS n FROM hearings"),
        ("routings", "SELECT COUNT(*) AS n FROM routings"),
        (
            "answers",
            "SELECT COUNT(*) AS n FROM routings WHERE answered_at IS NOT NULL",
        ),
        ("events", "SELECT COUNT(*) AS n FROM proposal_events"),
        ("outbox", "SELECT COUNT(*) AS n FROM outbox"),
        ("departments", "SELECT COUNT(*) AS n FROM departments"),
        ("users", "SELECT COUNT(*) AS n FROM users"),
        ("intake log", "SELECT COUNT(*) AS n FROM intake_log"),
        (
            "partner notes",
            "SELECT COUNT(*) AS n FROM partners WHERE strengths <> '' OR constraints <> ''",
        ),
        (
            "declined",
            "SELECT COUNT(*) AS n FROM proposals WHERE status <> 'received'",
        ),
        (
            "audit",
            "SELECT COUNT(*) AS n FROM audit_log WHERE action <> 'proposal.read'",
        ),
    ] {
        let n: i64 = sqlx::query(sql)
            .fetch_one(store.pool())
            .await
            .expect("count")
            .try_get("n")
            .expect("n");
        out.push((name, n));
    }
    out
}

async fn control_characters_are_refused_and_nothing_is_written(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    // A fresh proposal, routed to a department the demo's department account belongs to.
    let mut visitor = app.client();
    let sent = propose(&mut visitor, &[("title", "制御文字の確認")], None).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let track_token = tracking_token(&sent.location.clone().expect("redirect"));
    let track = format!("/t/{K}/track/{track_token}");
    let p = store
        .proposal_by_tracking(k(), &track_token)
        .await
        .expect("proposal");
    let receipt = p.receipt_number.clone();
    let path = format!("/t/{K}/desk/proposals/{receipt}");
    let api_base = format!("/api/v1/tenants/{K}/proposals/{receipt}");
    let desk_token = token(store, DESK).await;
    let dept_token = token(store, DEPT).await;
    let dept = department_id(store, "危機管理課").await;
    let r = api_post(
        &app,
        &format!("{api_base}/routings"),
        Some(&desk_token),
        &json!({ "department_ids": [dept], "question": "ご意見を", "due_on": "2030-01-31" }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let routing_id = r.json["routings"][0]["id"].as_i64().expect("routing");
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    let mut admin = signed_in(&app, ADMIN, DEMO_PASSWORD).await;
    let mut staff = signed_in(&app, DEPT, DEMO_PASSWORD).await;
    visitor.get(&track).await;
    desk.get(&path).await;
    admin.get(&format!("/t/{K}/admin/users")).await;
    staff
        .get(&format!("/t/{K}/department/proposals/{receipt}"))
        .await;
    let before = writes(store).await;

    let controls = ['\u{0}', '\u{7}', '\u{1B}', '\u{7F}', '\u{85}', '\r'];
    let breaks = ['\n', '\t', '\u{2028}'];
    for c in controls.iter().chain(&breaks).copied() {
        let bad = format!("入力値{c}続き");
        let multi_too = !breaks.contains(&c);
        let label = format!("U+{:04X}", u32::from(c));
        // Single-line fields (pages).
        let pages: Vec<(&str, Page)> = vec![
            (
                "intake title",
                propose(&mut visitor, &[("title", &bad)], None).await,
            ),
            (
                "intake organisation",
                propose(&mut visitor, &[("org_name", &bad)], None).await,
            ),
            (
                "hearing participants",
                desk.post(
                    &format!("{path}/hearings"),
                    &[
                        ("held_on", "2026-11-20"),
                        ("channel", "meeting"),
                        ("participants", &bad),
                        ("notes", "記録"),
                    ],
                )
                .await,
            ),
            (
                "department name",
                admin
                    .post(&format!("/t/{K}/admin/departments"), &[("name", &bad)])
                    .await,
            ),
            (
                "display name",
                admin
                    .post(
                        &format!("/t/{K}/admin/users"),
                        &[
                            ("email", "new@example.jp"),
                            ("display_name", &bad),
                            ("role", "desk"),
                            ("password", DEMO_PASSWORD),
                        ],
                    )
                    .await,
            ),
        ];
        for (what, page) in pages {
            assert_eq!(page.status, 422, "{what} {label}: {}", page.body);
            assert!(
                page.body.contains(refusal(true, c)),
                "{what} {label}: {}",
                page.body
            );
        }
        // Single-line fields (API).
        let mut body = super::api_proposals::intake("題名", super::api_proposals::PDF);
        body["org_name"] = json!(bad);
        let r = api_post(&app, &format!("/api/v1/tenants/{K}/proposals"), None, &body).await;
        assert_eq!(r.status, 422, "API org_name {label}: {}", r.body);
        assert_eq!(r.json["error"]["fields"]["org_name"], refusal(true, c));
        let r = api_post(
            &app,
            &format!("{api_base}/hearings"),
            Some(&desk_token),
            &json!({ "held_on": "2026-11-20", "channel": "phone", "participants": bad, "notes": "記録" }),
        )
        .await;
        assert_eq!(r.status, 422, "API participants {label}: {}", r.body);
        assert_eq!(r.json["error"]["fields"]["participants"], refusal(true, c));

        if !multi_too {
            continue;
        }
        // Multi-line fields (pages).
        let pages: Vec<(&str, Page)> = vec![
            (
                "intake details",
                propose(&mut visitor, &[("details", &bad)], None).await,
            ),
            (
                "proponent message",
                visitor
                    .post(&format!("{track}/messages"), &[("body", &bad)])
                    .await,
            ),
            (
                "desk message",
                desk.post(&format!("{path}/messages"), &[("body", &bad)])
                    .await,
            ),
            (
                "hearing notes",
                desk.post(
                    &format!("{path}/hearings"),
                    &[
                        ("held_on", "2026-11-20"),
                        ("channel", "meeting"),
                        ("notes", &bad),
                    ],
                )
                .await,
            ),
            (
                "routing question",
                desk.post(
                    &format!("{path}/routings"),
                    &[
                        ("department_ids", &dept.to_string()),
                        ("question", &bad),
                        ("due_on", "2030-01-31"),
                    ],
                )
                .await,
            ),
            (
                "status note",
                desk.post(
                    &format!("{path}/transition"),
                    &[("action", "start_hearing"), ("note", &bad)],
                )
                .await,
            ),
            (
                "decline explanation",
                desk.post(
                    &format!("{path}/transition"),
                    &[
                        ("action", "decline"),
                        ("reason", "other"),
                        ("explanation", &bad),
                    ],
                )
                .await,
            ),
            (
                "partner notes",
                desk.post(
                    &format!("/t/{K}/desk/partners/{}", p.partner_id),
                    &[("strengths", &bad), ("constraints", "")],
                )
                .await,
            ),
            (
                "answer comment",
                staff
                    .post(
                        &format!("/t/{K}/department/routings/{routing_id}/answer"),
                        &[("answer", "interested"), ("comment", &bad)],
                    )
                    .await,
            ),
        ];
        for (what, page) in pages {
            assert_eq!(page.status, 422, "{what} {label}: {}", page.body);
            assert!(
                page.body.contains(refusal(false, c)),
                "{what} {label}: {}",
                page.body
            );
            // What was typed is kept (around the refused character).
            assert!(page.body.contains("入力値"), "{what} {label}: form kept");
        }
        // Multi-line fields (API).
        let mut body = super::api_proposals::intake("題名", super::api_proposals::PDF);
        body["summary"] = json!(bad);
        let calls = [
            (
                "summary",
                format!("/api/v1/tenants/{K}/proposals"),
                None,
                body,
            ),
            (
                "note",
                format!("{api_base}/transitions"),
                Some(&desk_token),
                json!({ "action": "start_hearing", "note": bad }),
            ),
            (
                "explanation",
                format!("{api_base}/transitions"),
                Some(&desk_token),
                json!({ "action": "decline", "reason": "other", "explanation": bad }),
            ),
            (
                "notes",
                format!("{api_base}/hearings"),
                Some(&desk_token),
                json!({ "held_on": "2026-11-20", "channel": "phone", "notes": bad }),
            ),
            (
                "question",
                format!("{api_base}/routings"),
                Some(&desk_token),
                json!({ "department_ids": [dept], "question": bad, "due_on": "2030-01-31" }),
            ),
            (
                "comment",
                format!("/api/v1/tenants/{K}/routings/{routing_id}/answer"),
                Some(&dept_token),
                json!({ "answer": "interested", "comment": bad }),
            ),
        ];
        for (field, url, tok, body) in calls {
            let r = api_post(&app, &url, tok.map(String::as_str), &body).await;
            assert_eq!(r.status, 422, "API {field} {label}: {}", r.body);
            assert_eq!(
                r.json["error"]["fields"][field],
                refusal(false, c),
                "API {field} {label}: {}",
                r.body
            );
        }
    }
    assert_eq!(writes(store).await, before, "nothing was written");
    // A line break is fine where several lines are expected.
    let r = desk
        .post(
            &format!("{path}/messages"),
            &[("body", "一行目\r\n二行目\n\t三行目")],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let m = store.proposal_messages(p.id).await.expect("messages");
    assert_eq!(m[0].body, "一行目\n二行目\n\t三行目");
}

async fn legacy_notes_still_show_on_the_timeline(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let mut visitor = app.client();
    let sent = propose(&mut visitor, &[("title", "古い記録")], None).await;
    let tt = tracking_token(&sent.location.clone().expect("redirect"));
    let p = store.proposal_by_tracking(k(), &tt).await.expect("p");
    let path = format!("/t/{K}/desk/proposals/{}", p.receipt_number);
    let mut desk = signed_in(&app, DESK, DEMO_PASSWORD).await;
    desk.get(&path).await;
    for (action, note) in [
        ("start_hearing", "一つ目"),
        ("start_coordination", "二つ目"),
    ] {
        let r = desk
            .post(
                &format!("{path}/transition"),
                &[("action", action), ("note", note)],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
    }
    // Rows as the old code wrote them: Rust's Debug escaping (`\u{fe0f}`), which is not
    // JSON; and one that is not even that.
    let old_note = format!("古い{HEART}{IVS}{NFD}\n引用");
    let legacy = format!(
        "{{{:?}:{:?},{:?}:{:?}}}",
        "from", "received", "note", old_note
    );
    assert!(legacy.contains("\\u{fe0f}"), "{legacy}");
    assert!(serde_json::from_str::<Value>(&legacy).is_err());
    let broken = "{\"note\":\"壊れた\\u{zz}記録\"";
    let ids: Vec<i64> = sqlx::query(
        "SELECT id FROM proposal_events WHERE proposal_id = $1 AND kind = 'status' ORDER BY id",
    )
    .bind(p.id)
    .fetch_all(store.pool())
    .await
    .expect("events")
    .iter()
    .map(|r| r.try_get("id").expect("id"))
    .collect();
    assert_eq!(ids.len(), 2);
    for (id, note) in [(ids[0], legacy.as_str()), (ids[1], broken)] {
        sqlx::query("UPDATE proposal_events SET note = $1 WHERE id = $2")
            .bind(note)
            .bind(id)
            .execute(store.pool())
            .await
            .expect("legacy row");
    }

    let page = desk.get(&path).await;
    assert_eq!(page.status, 200);
    let tl = timeline(&page.body);
    assert!(
        tl.contains(&format!("<span class=\"prewrap\">{old_note}</span>")),
        "the old note is decoded: {tl}"
    );
    assert!(
        tl.contains("壊れた\\u{zz}記録"),
        "an unreadable note is shown as it is: {tl}"
    );
    // The API too.
    let desk_token = token(store, DESK).await;
    let d = api(
        &app,
        reqwest::Method::GET,
        &format!("/api/v1/tenants/{K}/proposals/{}", p.receipt_number),
        Some(&desk_token),
        None,
        None,
    )
    .await;
    let events = d.json["events"].as_array().expect("events").clone();
    assert!(
        events
            .iter()
            .any(|e| e["note"] == json!({ "from": "received", "note": old_note })),
        "{}",
        d.body
    );
    assert!(
        events.iter().any(|e| e["note"] == json!(broken)),
        "{}",
        d.body
    );
}

/// The command line takes names and labels through the same rules.
async fn the_command_line_keeps_names_and_refuses_control_characters(backend: Backend) {
    use std::io::Write;
    let db = renkei_testkit::TestDb::new(backend);
    let store = db.open().await;
    renkei_app::demo::load(&renkei_app::App::new(
        store.clone(),
        renkei_testkit::DEMO_URL,
    ))
    .await
    .expect("demo");
    let run = |args: &[&str], stdin: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
            .args(db.cli_args())
            .args(args)
            .env("RENKEI_LOG", "warn")
            .env_remove("RENKEI_DATABASE_URL")
            .env_remove("RENKEI_DATA_DIR")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn renkei");
        if let Some(mut pipe) = child.stdin.take() {
            pipe.write_all(stdin.as_bytes()).expect("stdin");
        }
        let out = child.wait_with_output().expect("wait");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let add = |email: &'static str, name: String| {
        let args = [
            "user",
            "add",
            "--tenant",
            K,
            "--role",
            "desk",
            "--email",
            email,
            "--name",
            &name,
            "--password-stdin",
        ]
        .map(str::to_string);
        run(
            &args.each_ref().map(String::as_str),
            "a good long password\n",
        )
    };
    let name = line("窓口");
    let (ok, out) = add("cli-unicode@example.jp", name.clone());
    assert!(ok, "{out}");
    let u = store
        .user_by_email("cli-unicode@example.jp")
        .await
        .expect("user");
    assert_eq!(u.display_name, name);
    let (ok, out) = add("cli-lf@example.jp", "窓口\n二郎".into());
    assert!(!ok && out.contains("改行"), "{out}");
    let (ok, out) = add("cli-esc@example.jp", "窓口\u{1B}[2J".into());
    assert!(!ok && out.contains("制御文字"), "{out}");
    assert!(store.user_by_email("cli-lf@example.jp").await.is_err());
    let label = format!("端末{HEART}");
    let (ok, out) = run(&["token", "create", "--email", DESK, "--label", &label], "");
    assert!(ok, "{out}");
    let (ok, out) = run(
        &["token", "create", "--email", DESK, "--label", "a\u{7}b"],
        "",
    );
    assert!(!ok && out.contains("制御文字"), "{out}");
    let (ok, out) = run(&["token", "list", "--email", DESK], "");
    assert!(ok && out.contains(&label), "{out}");
    all_stored_json_parses(&store).await;
    let (ok, out) = run(&["audit", "verify"], "");
    assert!(ok, "{out}");
}

on_both!(
    unicode_round_trips_through_every_free_text_field,
    control_characters_are_refused_and_nothing_is_written,
    legacy_notes_still_show_on_the_timeline,
    the_command_line_keeps_names_and_refuses_control_characters,
);
