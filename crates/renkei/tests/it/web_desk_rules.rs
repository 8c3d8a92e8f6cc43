//! Nothing a proponent sends may fall into a void, and irreversible moves are deliberate:
//! desks open and close, a closed desk refuses on the page and the API and stores nothing,
//! routings reach people, dates make sense, and a cost to the city needs a justification.

use super::api_proposals::intake;
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_store::Who;
use renkei_testkit::{Backend, Client, Page, TestApp, csrf_in, on_both};
use serde_json::{Value, json};

/// 泉大津市: a municipality of 大阪府 with no desk staff in the demo.
const CLOSED: &str = "272060";
/// 千代田区: its prefecture's desk (東京都) is closed too.
const CLOSED_TOKYO: &str = "131016";
const OPERATOR: &str = "operator@demo.renkei.jp";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";

fn tc(code: &str) -> TenantCode {
    TenantCode::parse(code).expect("code")
}

async fn count(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM proposals WHERE tenant_code = $1")
        .bind(code)
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

async fn api_submit(app: &TestApp, code: &str, body: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/tenants/{code}/proposals")))
        .json(body)
        .send()
        .await
        .expect("POST");
    let status = r.status().as_u16();
    let json = r.json::<Value>().await.unwrap_or(Value::Null);
    (status, json)
}

/// Posts the intake form as a browser would (multipart, CSRF from the visitor cookie).
async fn form_submit(c: &mut Client, code: &str, csrf: &str, title: &str) -> Page {
    let fields = [
        ("_csrf", csrf),
        ("kind", "proposal"),
        ("org_name", "株式会社いずみ防災"),
        ("partner_type", "company"),
        ("org_address", "大阪府泉佐野市市場東1丁目1番1号"),
        ("contact_name", "泉 太郎"),
        ("email", "izumi@example.co.jp"),
        ("title", title),
        ("summary", "防災訓練の提案です。"),
        ("fields", "disaster"),
        ("offers", "knowhow"),
        ("fiscal_burden", "none"),
        ("privacy_consent", "yes"),
    ];
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v.to_string());
    }
    let resp = c
        .http
        .post(format!("{}/t/{code}/propose", c.base))
        .multipart(form)
        .send()
        .await
        .expect("POST propose");
    let headers = resp.headers().clone();
    let answer = Page {
        status: resp.status().as_u16(),
        location: headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        headers,
        body: resp.text().await.unwrap_or_default(),
    };
    c.confirm_intake(answer).await
}

async fn closed_desk_refuses_and_stores_nothing(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut visitor = app.client();

    // The desk's page says so plainly and points to the prefecture's open desk.
    let page = visitor.get(&format!("/t/{CLOSED}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("現在、提案を受け付けていません"));
    assert!(page.body.contains("href=\"/t/270008\""), "{}", page.body);
    assert!(
        page.body
            .contains("大阪府の公民連携デスクでは提案・相談を受け付けています")
    );
    assert!(!page.body.contains(&format!("href=\"/t/{CLOSED}/propose\"")));
    // The form is not offered…
    let form = visitor.get(&format!("/t/{CLOSED}/propose")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("現在、提案を受け付けていません"));
    assert!(
        !form.body.contains("name=\"title\""),
        "no form at a closed desk"
    );
    // …and a submission anyway (an old tab, a script) is refused: 409, nothing stored.
    let csrf = csrf_in(&visitor.get("/t/272027/propose").await.body).expect("csrf");
    let refused = form_submit(&mut visitor, CLOSED, &csrf, "閉じた窓口への提案").await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(refused.body.contains("現在、提案を受け付けていません"));
    let (status, body) =
        api_submit(&app, CLOSED, &intake("閉じた窓口への提案", b"%PDF-1.4\n")).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "desk_closed");
    assert_eq!(
        body["error"]["message"],
        "この自治体の公民連携デスクは、現在提案を受け付けていません。"
    );
    assert_eq!(count(&app, CLOSED).await, 0);
    let mails = app.store.outbox_list(1000).await.expect("outbox");
    assert!(
        mails
            .iter()
            .all(|m| m.tenant_code.as_deref() != Some(CLOSED))
    );

    // Where the prefecture's desk is closed too, no link is offered.
    let tokyo = visitor.get(&format!("/t/{CLOSED_TOKYO}")).await;
    assert!(tokyo.body.contains("現在、提案を受け付けていません"));
    assert!(
        !tokyo
            .body
            .contains("東京都の公民連携デスクでは提案・相談を受け付けています")
    );

    // An open desk takes the same submission.
    let ok = form_submit(&mut visitor, "272027", &csrf, "開いた窓口への提案").await;
    assert!(ok.status == 303 || ok.status == 200, "{}", ok.status);
    assert!(
        app.store
            .inbox(
                tc("272027"),
                &renkei_store::proposals::InboxFilter {
                    q: Some("開いた窓口への提案".into()),
                    per_page: 5,
                    ..Default::default()
                }
            )
            .await
            .expect("inbox")
            .1
            == 1
    );
}

async fn operator_opens_a_desk_only_with_desk_staff(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut op = signed_in(&app, OPERATOR).await;
    let settings = format!("/t/{CLOSED}/admin/settings");
    let page = op.get(&settings).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("受付停止中"));
    assert!(page.body.contains("デスク担当のアカウントがないため"));
    // Forcing the button anyway: refused, still closed.
    let refused = op.post(&format!("{settings}/desk-open"), &[]).await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("デスク担当のアカウントがないため、受付を開始できません")
    );
    assert!(
        !app.store
            .desk_openness(tc(CLOSED))
            .await
            .expect("o")
            .is_open()
    );

    // With a desk account it opens, and proposals arrive.
    app.store
        .create_user(
            &Who::cli(),
            renkei_store::users::NewUser {
                tenant: Some(tc(CLOSED)),
                role: renkei_domain::Role::Desk,
                email: renkei_domain::Email::parse("desk@izumiotsu.example.jp").expect("e"),
                display_name: "泉大津 窓口".into(),
                password: renkei_domain::Password::parse(DEMO_PASSWORD).expect("p"),
                departments: vec![],
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("desk account");
    op.get(&settings).await;
    let opened = op.post(&format!("{settings}/desk-open"), &[]).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let page = op.get(&format!("{settings}?notice=desk-opened")).await;
    assert!(page.body.contains("受付中") && page.body.contains("提案の受付を開始しました。"));
    let (status, body) = api_submit(&app, CLOSED, &intake("泉大津への提案", b"%PDF-1.4\n")).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(count(&app, CLOSED).await, 1);

    // Closing is confirmed first.
    let asked = op.post(&format!("{settings}/desk-close"), &[]).await;
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("提案の受付を停止してよろしいですか"));
    assert!(
        app.store
            .desk_openness(tc(CLOSED))
            .await
            .expect("o")
            .is_open()
    );
    let closed = op
        .post(&format!("{settings}/desk-close"), &[("confirm", "yes")])
        .await;
    assert_eq!(closed.status, 303);
    let (status, _) = api_submit(&app, CLOSED, &intake("閉じた後の提案", b"%PDF-1.4\n")).await;
    assert_eq!(status, 409);
    assert_eq!(
        count(&app, CLOSED).await,
        1,
        "what arrived stays; nothing new"
    );

    // Opened again: a desk whose only desk account is disabled takes nothing.
    op.get(&settings).await;
    assert_eq!(
        op.post(&format!("{settings}/desk-open"), &[]).await.status,
        303
    );
    sqlx::query("UPDATE users SET disabled_at = $1 WHERE email = 'desk@izumiotsu.example.jp'")
        .bind("2026-11-24T01:00:00.000Z")
        .execute(app.store.pool())
        .await
        .expect("disable");
    let (status, _) = api_submit(&app, CLOSED, &intake("誰も読まない提案", b"%PDF-1.4\n")).await;
    assert_eq!(status, 409);
    assert!(
        op.get(&settings)
            .await
            .body
            .contains("有効なデスク担当のアカウントがないため")
    );

    // The desk's own staff cannot open or close it; other tenants' admins cannot either.
    let mut desk = signed_in(&app, DESK).await;
    assert_eq!(desk.get("/t/272027/admin/settings").await.status, 403);
    let mut other_admin = signed_in(&app, "admin@osaka-pref.demo.renkei.jp").await;
    other_admin.get("/t/270008/admin/settings").await;
    assert_eq!(
        other_admin
            .post(&format!("{settings}/desk-open"), &[])
            .await
            .status,
        403
    );
    assert!(
        app.store
            .audit_verify()
            .await
            .expect("verify")
            .faults
            .is_empty()
    );
}

/// 市の財政負担を伴わない: 実施決定 of a proposal that costs the city needs a recorded reason.
async fn cost_to_the_city_needs_a_justification(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut body = intake("有料の見守りサービス", b"%PDF-1.4\n");
    body["fiscal_burden"] = json!("some");
    body["fiscal_explanation"] = json!("年額60万円の委託料が必要です。");
    let (status, created) = api_submit(&app, "272027", &body).await;
    assert_eq!(status, 201, "{created}");
    let receipt = created["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_string();
    let mut desk = signed_in(&app, DESK).await;
    let path = format!("/t/272027/desk/proposals/{receipt}");
    desk.get(&path).await;
    assert_eq!(
        desk.post(
            &format!("{path}/transition"),
            &[("action", "start_hearing")]
        )
        .await
        .status,
        303
    );
    let page = desk.get(&path).await;
    assert!(page.body.contains("財政負担を伴う実施決定の理由"));
    // Without a reason: refused by its field, before any confirmation, nothing changes.
    let refused = desk
        .post(&format!("{path}/transition"), &[("action", "decide")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("財政負担を伴う提案を実施決定するには、その理由の記録が必要です。")
    );
    assert!(refused.body.contains("id=\"fiscal_justification-error\""));
    // The API refuses the same way.
    let token = app
        .store
        .token_create(
            &Who::cli(),
            app.store.user_by_email(DESK).await.expect("desk").id,
            "test",
        )
        .await
        .expect("token")
        .1;
    let r = reqwest::Client::new()
        .post(app.url(&format!(
            "/api/v1/tenants/272027/proposals/{receipt}/transitions"
        )))
        .bearer_auth(&token)
        .json(&json!({ "action": "decide" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(r.status().as_u16(), 409);
    let err: Value = r.json().await.expect("json");
    assert_eq!(
        err["error"]["message"],
        "財政負担を伴う提案を実施決定するには、その理由の記録が必要です。"
    );
    let p = app.store.proposal(tc("272027"), &receipt).await.expect("p");
    assert_eq!(p.status.code(), "hearing");

    // With a reason: the confirmation shows it, then it is recorded.
    let why = "国の補助金で委託料の全額をまかなえることを財政課と確認した。";
    let asked = desk
        .post(
            &format!("{path}/transition"),
            &[("action", "decide"), ("fiscal_justification", why)],
        )
        .await;
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("実施決定してよろしいですか") && asked.body.contains(why));
    assert!(asked.body.contains("年額60万円の委託料が必要です。"));
    let done = desk
        .post(
            &format!("{path}/transition"),
            &[
                ("action", "decide"),
                ("fiscal_justification", why),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let p = app.store.proposal(tc("272027"), &receipt).await.expect("p");
    assert_eq!(p.status.code(), "decided");
    assert_eq!(p.fiscal_justification.as_deref(), Some(why));
    let events = app
        .store
        .proposal_events(p.id, false)
        .await
        .expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.to_status.map(|s| s.code()) == Some("decided") && e.note.contains("補助金")),
        "the justification is in the timeline"
    );
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/tenants/272027/proposals/{receipt}")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET");
    let detail: Value = r.json().await.expect("json");
    assert_eq!(detail["fiscal_justification"], why);
    // A proposal without a cost needs no reason.
    let (_, plain) = api_submit(&app, "272027", &intake("無償の提案", b"%PDF-1.4\n")).await;
    let plain = plain["receipt_number"].as_str().expect("r").to_string();
    for action in ["start_hearing", "decide"] {
        let r = reqwest::Client::new()
            .post(app.url(&format!(
                "/api/v1/tenants/272027/proposals/{plain}/transitions"
            )))
            .bearer_auth(&token)
            .json(&json!({ "action": action }))
            .send()
            .await
            .expect("POST");
        assert_eq!(r.status().as_u16(), 200, "{action}");
    }
}

/// Routings reach people, deadlines are to come, hearings have happened: refused on the page
/// with the message by its field, nothing written.
async fn routing_and_hearing_dates_on_the_page(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (status, created) = api_submit(&app, "272027", &intake("日付の確認", b"%PDF-1.4\n")).await;
    assert_eq!(status, 201);
    let receipt = created["receipt_number"].as_str().expect("r").to_string();
    let p = app.store.proposal(tc("272027"), &receipt).await.expect("p");
    app.store
        .department_create(
            &Who::cli(),
            tc("272027"),
            &renkei_domain::DepartmentName::parse("新設推進課").expect("name"),
        )
        .await
        .expect("a new, still empty department");
    let departments = app.store.departments(tc("272027")).await.expect("d");
    let id_of = |name: &str| {
        departments
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.id.to_string())
            .expect("department")
    };
    let mut desk = signed_in(&app, DESK).await;
    let path = format!("/t/272027/desk/proposals/{receipt}");
    let page = desk.get(&path).await;
    assert!(
        page.body.contains("デスク自身の部署"),
        "the desk's own department is marked"
    );
    assert!(
        page.body.contains("所属職員がいません"),
        "an empty department is marked"
    );
    let route = |dept: String, due: &'static str| {
        vec![
            ("department_ids".to_string(), dept),
            ("question".to_string(), "ご意見をください。".to_string()),
            ("due_on".to_string(), due.to_string()),
        ]
    };
    let cases = [
        (
            route(id_of("危機管理課"), "2026-11-23"),
            "回答期限に過去の日付は指定できません。",
        ),
        (
            route(id_of("公民戦略連携デスク"), "2026-12-08"),
            "デスク自身の部署には庁内照会できません。",
        ),
        (
            route(id_of("新設推進課"), "2026-12-08"),
            "所属職員のいない部署には庁内照会できません。",
        ),
    ];
    for (fields, message) in cases {
        desk.get(&path).await;
        let fields: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = desk.post(&format!("{path}/routings"), &fields).await;
        assert_eq!(r.status, 422, "{message}");
        assert!(r.body.contains(message), "{message}");
    }
    // Today is a valid deadline ("by the end of today").
    desk.get(&path).await;
    let ok = route(id_of("危機管理課"), "2026-11-24");
    let ok: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        desk.post(&format!("{path}/routings"), &ok).await.status,
        303
    );
    assert_eq!(app.store.routings(p.id).await.expect("r").len(), 1);

    desk.get(&path).await;
    let future = desk
        .post(
            &format!("{path}/hearings"),
            &[
                ("held_on", "2026-11-25"),
                ("channel", "phone"),
                ("notes", "明日の予定"),
            ],
        )
        .await;
    assert_eq!(future.status, 422);
    assert!(
        future
            .body
            .contains("聞き取りの日付に未来の日付は指定できません。")
    );
    assert!(app.store.hearings(p.id).await.expect("h").is_empty());
    desk.get(&path).await;
    let today = desk
        .post(
            &format!("{path}/hearings"),
            &[
                ("held_on", "2026-11-24"),
                ("channel", "phone"),
                ("notes", "電話で概要を伺った"),
            ],
        )
        .await;
    assert_eq!(today.status, 303);
}

/// A referral needs the prefecture's desk open; the page says so instead of offering it.
async fn referral_needs_an_open_desk(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (_, created) =
        api_submit(&app, "272027", &intake("府へ紹介したい提案", b"%PDF-1.4\n")).await;
    let receipt = created["receipt_number"].as_str().expect("r").to_string();
    let p = app.store.proposal(tc("272027"), &receipt).await.expect("p");
    app.store
        .consent_set(tc("272027"), p.id, true, true, &Who::cli())
        .await
        .expect("consent");
    app.store
        .desk_close(&Who::cli(), tc("270008"))
        .await
        .expect("close osaka");
    let osaka_before = count(&app, "270008").await;
    let mut desk = signed_in(&app, DESK).await;
    let path = format!("/t/272027/desk/proposals/{receipt}");
    let page = desk.get(&path).await;
    assert!(
        page.body
            .contains("大阪府の公民連携デスクは現在提案を受け付けていないため、紹介できません。")
    );
    let refused = desk
        .post(
            &format!("{path}/transition"),
            &[("action", "refer"), ("to", "270008"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("紹介先の公民連携デスクが現在提案を受け付けていないため")
    );
    assert_eq!(
        app.store
            .proposal(tc("272027"), &receipt)
            .await
            .expect("p")
            .status
            .code(),
        "received"
    );
    assert_eq!(
        count(&app, "270008").await,
        osaka_before,
        "no copy at a closed desk"
    );
}

on_both!(
    closed_desk_refuses_and_stores_nothing,
    operator_opens_a_desk_only_with_desk_staff,
    cost_to_the_city_needs_a_justification,
    routing_and_hearing_dates_on_the_page,
    referral_needs_an_open_desk
);
