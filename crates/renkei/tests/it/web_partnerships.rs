//! The staff side of partnerships (連携事業) through the web and the API: entering one through
//! the page with its 確認画面 and from a decided proposal (the link and the route kept; refused
//! when not decided and a second time), what a department member may and may not do, outsiders
//! refused on every route, bad input refused with nothing written, stale status moves, one
//! annual review per year, photos and signed documents checked by their content and served
//! with safe headers, corrections with old → new, and the API (checked against the OpenAPI
//! document by the test kit).

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_store::Who;
use renkei_store::proposals::InboxFilter;
use renkei_testkit::{Backend, Client, Page, TestApp, on_both};

const K: &str = "272027";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const DEPT: &str = "kikikanri@kishiwada.demo.renkei.jp";
const PROPONENT: &str = "proponent@example.co.jp";
const OTHER_DESK: &str = "desk@osaka-pref.demo.renkei.jp";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
const EXE: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email} signs in");
    c.get("/").await;
    c
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn rows(app: &TestApp) -> i64 {
    count(
        app,
        "SELECT (SELECT COUNT(*) FROM partnerships) + (SELECT COUNT(*) FROM partnership_parties) \
         + (SELECT COUNT(*) FROM activities) + (SELECT COUNT(*) FROM activity_photos) \
         + (SELECT COUNT(*) FROM partnership_reviews) + (SELECT COUNT(*) FROM partnership_documents) \
         + (SELECT COUNT(*) FROM partnership_events)",
    )
    .await
}

async fn department(app: &TestApp, name: &str) -> i64 {
    app.store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("{name}"))
        .id
}

/// A valid form: three party rows, the first filled.
fn form(title: &str, form: &str, department: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = [
        ("form", form),
        ("title", title),
        ("purpose", "地域の防災力を高める"),
        ("summary", "備蓄品の提供と訓練"),
        ("city_role", "訓練会場の提供"),
        ("department_id", department),
        ("fields", "disaster"),
        ("signed_on", "令和6年4月1日"),
        ("starts_on", ""),
        ("ends_on", "2027-03-31"),
        ("fiscal_burden", "none"),
        ("published", "1"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    for (i, name) in ["株式会社テスト連携", "", ""].iter().enumerate() {
        f.push(("party_name".into(), name.to_string()));
        f.push((
            "party_type".into(),
            if i == 0 { "company" } else { "" }.into(),
        ));
        f.push(("party_corporate_number".into(), String::new()));
        f.push((
            "party_role".into(),
            if i == 0 { "備蓄品の提供" } else { "" }.into(),
        ));
    }
    f
}

async fn post(c: &mut Client, path: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    c.post(path, &borrowed).await
}

fn with(mut f: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    for (k, v) in extra {
        f.retain(|(a, _)| a != k);
        f.push((k.to_string(), v.to_string()));
    }
    f
}

fn id_in(p: &Page) -> i64 {
    let l = p
        .location
        .clone()
        .unwrap_or_else(|| panic!("{} {}", p.status, p.body));
    l.strip_prefix("/t/272027/partnerships/")
        .and_then(|r| r.split(['?', '#']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{l}"))
}

/// Creates a partnership through the page: the form, its 確認画面, then 登録する.
async fn create(c: &mut Client, fields: Vec<(String, String)>) -> i64 {
    let confirm = post(c, "/t/272027/partnerships/new", &fields).await;
    assert_eq!(confirm.status, 200, "{}", confirm.body);
    assert!(confirm.body.contains("次の内容で連携事業を登録しますか"));
    let done = post(
        c,
        "/t/272027/partnerships/new",
        &with(fields, &[("confirm", "yes")]),
    )
    .await;
    assert_eq!(done.status, 303, "{}", done.body);
    id_in(&done)
}

async fn multipart(
    c: &Client,
    path: &str,
    text: &[(&str, &str)],
    file_field: &str,
    files: &[(&str, &[u8])],
) -> Page {
    let mut form = reqwest::multipart::Form::new().text("_csrf", c.csrf.clone());
    for (k, v) in text {
        form = form.text(k.to_string(), v.to_string());
    }
    for (name, data) in files {
        form = form.part(
            file_field.to_string(),
            reqwest::multipart::Part::bytes(data.to_vec()).file_name(name.to_string()),
        );
    }
    let resp = c
        .http
        .post(format!("{}{path}", c.base))
        .multipart(form)
        .send()
        .await
        .expect("multipart");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let location = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Page {
        status,
        location,
        body: resp.text().await.unwrap_or_default(),
        headers,
    }
}

async fn entered_through_the_page(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let dept = department(&app, "危機管理課").await.to_string();
    let mut desk = signed_in(&app, DESK).await;
    // The desk home links to the list; the list offers 新規登録.
    assert!(
        desk.get("/t/272027/desk")
            .await
            .body
            .contains("/t/272027/partnerships")
    );
    let list = desk.get("/t/272027/partnerships").await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("/t/272027/partnerships/new"));
    // A blank form has three party rows; 相手方を追加 adds rows and keeps what was typed.
    let blank = desk.get("/t/272027/partnerships/new").await;
    assert_eq!(blank.status, 200);
    assert!(
        blank.body.contains("id=\"party_name-2\"") && !blank.body.contains("id=\"party_name-3\"")
    );
    let more = post(
        &mut desk,
        "/t/272027/partnerships/new",
        &with(
            form("防災備蓄の連携", "business", &dept),
            &[("add_party", "1")],
        ),
    )
    .await;
    assert_eq!(more.status, 200);
    assert!(more.body.contains("id=\"party_name-5\""));
    assert!(more.body.contains("株式会社テスト連携") && more.body.contains("地域の防災力を高める"));

    // Bad input: 422, every message, what was typed kept, nothing written — at the form and
    // at the confirmation alike.
    let before = rows(&app).await;
    let bad = with(
        form("", "business", &dept),
        &[
            ("ends_on", "令和5年1月1日"),
            ("fiscal_burden", "some"),
            ("fiscal_amount", "abc"),
        ],
    );
    let r = post(&mut desk, "/t/272027/partnerships/new", &bad).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("error-summary"));
    assert!(r.body.contains("金額は1円以上"));
    assert!(r.body.contains("終了日は開始日"));
    assert!(r.body.contains("地域の防災力を高める"), "typed text kept");
    let r = post(
        &mut desk,
        "/t/272027/partnerships/new",
        &with(bad, &[("confirm", "yes")]),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(rows(&app).await, before, "nothing written");

    // The confirmation writes nothing; 登録する does.
    let confirm = post(
        &mut desk,
        "/t/272027/partnerships/new",
        &form("防災備蓄の連携", "business", &dept),
    )
    .await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("令和6年4月1日"));
    assert_eq!(rows(&app).await, before);
    let id = create(&mut desk, form("防災備蓄の連携", "business", &dept)).await;
    let page = desk.get(&format!("/t/272027/partnerships/{id}")).await;
    assert_eq!(page.status, 200);
    for text in [
        "防災備蓄の連携",
        "株式会社テスト連携",
        "備蓄品の提供",
        "令和6年4月1日",
        "令和9年3月31日",
        "危機管理課",
    ] {
        assert!(page.body.contains(text), "{text}");
    }
    let list = desk
        .get("/t/272027/partnerships?form=business&q=防災")
        .await;
    assert!(list.body.contains("防災備蓄の連携"));
    assert!(list.body.contains("事業連携協定"));
    // The signing two years ago without any activity: dormant, as a text badge and a chip.
    let dormant = desk.get("/t/272027/partnerships?dormant=1").await;
    assert!(dormant.body.contains("防災備蓄の連携") && dormant.body.contains("休眠"));
    assert!(dormant.body.contains("class=\"chip\""));
    let none = desk.get("/t/272027/partnerships?form=comprehensive").await;
    assert!(!none.body.contains("防災備蓄の連携"));
    // The department home links to the list too.
    let mut member = signed_in(&app, DEPT).await;
    assert!(
        member
            .get("/t/272027/department")
            .await
            .body
            .contains("/t/272027/partnerships")
    );
    assert!(
        member
            .get("/t/272027/partnerships")
            .await
            .body
            .contains("防災備蓄の連携")
    );
}

async fn decided(app: &TestApp, status: &str) -> (i64, String) {
    let filter = InboxFilter {
        statuses: vec![status.into()],
        per_page: 50,
        ..Default::default()
    };
    let list = app.store.inbox(k(), &filter).await.expect("inbox").0;
    for p in list {
        if app
            .store
            .partnership_of_proposal(k(), p.id)
            .await
            .expect("of")
            .is_none()
        {
            return (p.id, p.receipt_number);
        }
    }
    panic!("no {status} proposal without a partnership in the demo");
}

async fn from_a_decided_proposal(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (pid, receipt) = decided(&app, "decided").await;
    let proposal = app.store.proposal(k(), &receipt).await.expect("proposal");
    let mut desk = signed_in(&app, DESK).await;
    let page = desk
        .get(&format!("/t/272027/desk/proposals/{receipt}"))
        .await;
    assert!(
        page.body
            .contains(&format!("/t/272027/partnerships/new?proposal={pid}"))
    );
    assert!(page.body.contains("連携事業を登録"));
    let new = desk
        .get(&format!("/t/272027/partnerships/new?proposal={pid}"))
        .await;
    assert_eq!(new.status, 200, "{}", new.body);
    assert!(
        new.body.contains(&proposal.org_name),
        "the organisation is the first party"
    );
    assert!(new.body.contains(&receipt));
    let dept = department(&app, "危機管理課").await.to_string();
    let fields = with(
        form(&proposal.title, "project", &dept),
        &[("proposal", &pid.to_string())],
    );
    let id = create(&mut desk, fields.clone()).await;
    let p = app.store.partnership(k(), id).await.expect("partnership");
    assert_eq!(p.proposal_id, Some(pid));
    assert_eq!(p.route, Some(proposal.route));
    let page = desk.get(&format!("/t/272027/partnerships/{id}")).await;
    assert!(
        page.body
            .contains(&format!("/t/272027/desk/proposals/{receipt}"))
    );
    let events = app.store.partnership_events(k(), id).await.expect("events");
    assert_eq!(events[0].kind, "created-from-proposal");
    // The proposal's page now leads to it.
    let page = desk
        .get(&format!("/t/272027/desk/proposals/{receipt}"))
        .await;
    assert!(
        page.body.contains(&format!("/t/272027/partnerships/{id}"))
            && page.body.contains("連携事業を見る")
    );
    // A second time: refused, nothing written.
    let before = rows(&app).await;
    assert_eq!(
        desk.get(&format!("/t/272027/partnerships/new?proposal={pid}"))
            .await
            .status,
        400
    );
    let again = post(
        &mut desk,
        "/t/272027/partnerships/new",
        &with(fields, &[("confirm", "yes")]),
    )
    .await;
    assert_ne!(again.status, 303);
    assert!(
        again.body.contains("すでに連携事業が作成されています"),
        "{}",
        again.body
    );
    // Not decided: refused.
    let (open, _) = decided(&app, "received").await;
    assert_eq!(
        desk.get(&format!("/t/272027/partnerships/new?proposal={open}"))
            .await
            .status,
        400
    );
    let r = post(
        &mut desk,
        "/t/272027/partnerships/new",
        &with(
            form("未決定", "project", &dept),
            &[("proposal", &open.to_string()), ("confirm", "yes")],
        ),
    )
    .await;
    assert_ne!(r.status, 303);
    assert!(r.body.contains("実施決定した提案からだけ"));
    assert_eq!(rows(&app).await, before);
    // A department member cannot create from a proposal.
    let mut member = signed_in(&app, DEPT).await;
    assert_eq!(
        member
            .get(&format!("/t/272027/partnerships/new?proposal={open}"))
            .await
            .status,
        403
    );
}

async fn department_members_keep_their_own(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let own = department(&app, "危機管理課").await.to_string();
    let other = department(&app, "福祉政策課").await.to_string();
    let mut member = signed_in(&app, DEPT).await;
    let new = member.get("/t/272027/partnerships/new").await;
    assert_eq!(new.status, 200);
    assert!(
        !new.body.contains("福祉政策課"),
        "only their departments are offered"
    );
    let mine = create(&mut member, form("自課の連携", "business", &own)).await;
    let before = rows(&app).await;
    let r = post(
        &mut member,
        "/t/272027/partnerships/new",
        &with(
            form("他課の連携", "business", &other),
            &[("confirm", "yes")],
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("所属する課が所管する連携事業だけ"));
    let r = post(
        &mut member,
        "/t/272027/partnerships/new",
        &form("包括", "comprehensive", ""),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("包括連携協定は公民連携デスクが登録します"));
    assert_eq!(rows(&app).await, before);

    let mut desk = signed_in(&app, DESK).await;
    let theirs = create(&mut desk, form("福祉の連携", "business", &other)).await;
    // Activities on their own department's partnership only.
    let path = format!("/t/272027/partnerships/{mine}/activities");
    let r = multipart(
        &member,
        &path,
        &[("done_on", "2026-11-01"), ("title", "防災訓練")],
        "photos",
        &[],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        app.store
            .partnership(k(), mine)
            .await
            .expect("p")
            .summary
            .last_activity_on
            .is_some()
    );
    let before = rows(&app).await;
    let path = format!("/t/272027/partnerships/{theirs}/activities");
    let r = multipart(
        &member,
        &path,
        &[("done_on", "2026-11-01"), ("title", "越権")],
        "photos",
        &[],
    )
    .await;
    assert_eq!(r.status, 403);
    for (p, f) in [
        (
            format!("/t/272027/partnerships/{theirs}/indicators"),
            vec![("indicator_name", "越権")],
        ),
        (
            format!("/t/272027/partnerships/{theirs}/reviews"),
            vec![
                ("review_year", "2026"),
                ("decision", "continue"),
                ("assessment", "越権"),
            ],
        ),
        (
            format!("/t/272027/partnerships/{theirs}/move"),
            vec![
                ("move", "cancel"),
                ("expected", "active"),
                ("confirm", "yes"),
            ],
        ),
        (
            format!("/t/272027/partnerships/{theirs}/edit"),
            vec![("title", "越権"), ("correction_reason", "越権")],
        ),
    ] {
        assert_eq!(member.post(&p, &f).await.status, 403, "{p}");
    }
    assert_eq!(
        member
            .get(&format!("/t/272027/partnerships/{theirs}/edit"))
            .await
            .status,
        403
    );
    assert_eq!(rows(&app).await, before, "nothing written");
    // They read it, without the forms.
    let page = member
        .get(&format!("/t/272027/partnerships/{theirs}"))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("閲覧のみ") && !page.body.contains("/activities\""));
}

async fn outsiders_are_refused(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let dept = department(&app, "危機管理課").await.to_string();
    let mut desk = signed_in(&app, DESK).await;
    let id = create(&mut desk, form("内部の連携", "business", &dept)).await;
    let before = rows(&app).await;
    for email in [PROPONENT, OTHER_DESK] {
        let mut c = signed_in(&app, email).await;
        for path in [
            "/t/272027/partnerships".to_string(),
            "/t/272027/partnerships/new".to_string(),
            format!("/t/272027/partnerships/{id}"),
            format!("/t/272027/partnerships/{id}/edit"),
        ] {
            let p = c.get(&path).await;
            assert!(
                p.status == 403 || p.status == 404,
                "{email} GET {path}: {}",
                p.status
            );
            assert!(!p.body.contains("内部の連携"));
        }
        for path in [
            "new",
            "edit",
            "move",
            "indicators",
            "reviews",
            "indicators/1/values",
        ] {
            let path = if path == "new" {
                "/t/272027/partnerships/new".to_string()
            } else {
                format!("/t/272027/partnerships/{id}/{path}")
            };
            let p = post(&mut c, &path, &form("侵入", "business", &dept)).await;
            assert!(
                p.status == 403 || p.status == 404,
                "{email} POST {path}: {}",
                p.status
            );
        }
        for (path, field) in [("activities", "photos"), ("documents", "documents")] {
            let p = multipart(
                &c,
                &format!("/t/272027/partnerships/{id}/{path}"),
                &[("done_on", "2026-11-01"), ("title", "侵入")],
                field,
                &[("a.png", PNG)],
            )
            .await;
            assert!(
                p.status == 403 || p.status == 404,
                "{email} {path}: {}",
                p.status
            );
        }
    }
    assert_eq!(rows(&app).await, before);
}

async fn the_record_kept_up_to_date(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let dept = department(&app, "危機管理課").await.to_string();
    let mut desk = signed_in(&app, DESK).await;
    let id = create(&mut desk, form("記録の連携", "business", &dept)).await;
    let base = format!("/t/272027/partnerships/{id}");

    // Photos are checked by their content: an .exe named .jpg is refused, nothing written.
    let before = rows(&app).await;
    let r = multipart(
        &desk,
        &format!("{base}/activities"),
        &[("done_on", "2026-11-01"), ("title", "清掃活動")],
        "photos",
        &[("photo.jpg", EXE)],
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("JPEGまたはPNG"));
    assert!(r.body.contains("清掃活動"), "typed text kept");
    assert_eq!(rows(&app).await, before);
    let r = multipart(
        &desk,
        &format!("{base}/activities"),
        &[
            ("done_on", "令和8年11月1日"),
            ("title", "清掃活動"),
            ("people", "25"),
        ],
        "photos",
        &[("photo.png", PNG)],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let photo: i64 = count(&app, "SELECT MAX(id) FROM activity_photos").await;
    let page = desk.get(&base).await;
    assert!(
        page.body.contains("清掃活動") && page.body.contains(&format!("{base}/photos/{photo}"))
    );
    assert!(!page.body.contains("休眠："), "an activity clears dormancy");
    let img = desk.get(&format!("{base}/photos/{photo}")).await;
    assert_eq!(img.status, 200);
    assert_eq!(img.headers["content-type"], "image/png");

    // Signed documents: PDF kept and served with safe headers; other content refused.
    let r = multipart(
        &desk,
        &format!("{base}/documents"),
        &[],
        "documents",
        &[("協定書.pdf", b"%PDF-1.4 agreement")],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let doc: i64 = count(&app, "SELECT MAX(id) FROM partnership_documents").await;
    let d = desk.get(&format!("{base}/documents/{doc}")).await;
    assert_eq!(d.status, 200);
    assert_eq!(d.headers["content-type"], "application/pdf");
    let disposition = d.headers["content-disposition"].to_str().expect("ascii");
    assert!(disposition.starts_with("attachment;") && disposition.contains("filename*=UTF-8''"));
    assert!(
        d.headers["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("sandbox")
    );
    let r = multipart(
        &desk,
        &format!("{base}/documents"),
        &[],
        "documents",
        &[("協定書.pdf", EXE)],
    )
    .await;
    assert_eq!(r.status, 422);
    // A department member reads the document too.
    let mut member = signed_in(&app, DEPT).await;
    assert_eq!(
        member.get(&format!("{base}/documents/{doc}")).await.status,
        200
    );

    // Indicators and their values per fiscal year.
    let r = desk
        .post(
            &format!("{base}/indicators"),
            &[("indicator_name", "訓練参加者数"), ("indicator_unit", "人")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = desk
        .post(
            &format!("{base}/indicators"),
            &[("indicator_name", "訓練参加者数")],
        )
        .await;
    assert_eq!(r.status, 422);
    let indicator: i64 = count(&app, "SELECT MAX(id) FROM partnership_indicators").await;
    let r = desk
        .post(
            &format!("{base}/indicators/{indicator}/values"),
            &[
                ("fiscal_year", "令和8"),
                ("target", "200"),
                ("actual", "150"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = desk.get(&base).await;
    assert!(page.body.contains("令和8年度") && page.body.contains("75.0%"));

    // One annual review per fiscal year: a second is refused with a message.
    let r = desk
        .post(
            &format!("{base}/reviews"),
            &[
                ("review_year", "2026"),
                ("decision", "continue"),
                ("assessment", "順調"),
                ("partner_view", "継続したい"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = desk
        .post(
            &format!("{base}/reviews"),
            &[
                ("review_year", "令和8"),
                ("decision", "end"),
                ("assessment", "二度目"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("この年度の年次評価はすでに記録されています")
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM partnership_reviews").await,
        1
    );
    assert!(
        app.store
            .partnership(k(), id)
            .await
            .expect("p")
            .summary
            .last_review_on
            .is_some()
    );

    // A stale status move is refused; 終了 goes through a confirmation.
    let r = desk
        .post(
            &format!("{base}/move"),
            &[("move", "end"), ("expected", "active")],
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("この連携事業を終了しますか"));
    let r = desk
        .post(
            &format!("{base}/move"),
            &[("move", "end"), ("expected", "active"), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let r = desk
        .post(
            &format!("{base}/move"),
            &[
                ("move", "cancel"),
                ("expected", "active"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("状態が変わっています"));
    assert_eq!(
        app.store
            .partnership(k(), id)
            .await
            .expect("p")
            .summary
            .status
            .code(),
        "ended"
    );

    // 締結 with its day: 準備中 → 締結済・実施中 at once; a day in the future is refused.
    let prep = create(
        &mut desk,
        with(
            form("準備中の連携", "business", &dept),
            &[("signed_on", "")],
        ),
    )
    .await;
    let pbase = format!("/t/272027/partnerships/{prep}");
    let r = desk
        .post(
            &format!("{pbase}/move"),
            &[
                ("move", "sign"),
                ("expected", "preparing"),
                ("signed_on", "2099-01-01"),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("未来の日付"));
    let r = desk
        .post(
            &format!("{pbase}/move"),
            &[
                ("move", "sign"),
                ("expected", "preparing"),
                ("signed_on", "令和8年11月1日"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let signed = app.store.partnership(k(), prep).await.expect("p").summary;
    assert_eq!(signed.status.code(), "active");
    assert_eq!(
        signed.signed_on.map(|d| d.to_string()).as_deref(),
        Some("2026-11-01")
    );

    // Correcting the record: a reason is required; old → new in the timeline and the audit.
    let edit = desk.get(&format!("{base}/edit")).await;
    assert_eq!(edit.status, 200);
    let basis = edit
        .body
        .split("name=\"basis\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("basis")
        .to_string();
    let fields = with(
        form("記録の連携（訂正）", "business", &dept),
        &[("basis", &basis), ("ends_on", "2028-03-31")],
    );
    let before = rows(&app).await;
    let r = post(&mut desk, &format!("{base}/edit"), &fields).await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("訂正の理由を入力してください"));
    assert_eq!(rows(&app).await, before);
    let r = post(
        &mut desk,
        &format!("{base}/edit"),
        &with(
            fields.clone(),
            &[("correction_reason", "協定書の記載に合わせる")],
        ),
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let renewal: String = sqlx::query_scalar(&format!(
        "SELECT renewal_from FROM partnerships WHERE id = {id}"
    ))
    .fetch_one(app.store.pool())
    .await
    .expect("renewal_from");
    assert_eq!(renewal, "2027-09-30");
    let page = desk.get(&base).await;
    assert!(
        page.body.contains("記録の連携（訂正）") && page.body.contains("協定書の記載に合わせる")
    );
    assert!(page.body.contains("記録の連携 → 記録の連携（訂正）"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'partnership.correct'"
        )
        .await,
        1
    );
    // The same form again is stale.
    let r = post(
        &mut desk,
        &format!("{base}/edit"),
        &with(
            fields,
            &[("correction_reason", "二度目"), ("title", "三度目")],
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("記録が変わっています"));
}

async fn api(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let own = department(&app, "危機管理課").await.to_string();
    let other = department(&app, "福祉政策課").await.to_string();
    let mut desk = signed_in(&app, DESK).await;
    let mine = create(&mut desk, form("API連携", "business", &own)).await;
    let theirs = create(&mut desk, form("API他課", "business", &other)).await;
    let token = |email: &'static str| {
        let store = app.store.clone();
        async move {
            let u = store.user_by_email(email).await.expect("user");
            store
                .token_create(&Who::cli(), u.id, "test")
                .await
                .expect("token")
                .1
        }
    };
    let desk_t = token(DESK).await;
    let dept_t = token(DEPT).await;
    let list = desk
        .api_get(
            "/api/v1/tenants/272027/partnerships?form=business&per_page=10",
            Some(&desk_t),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    let j = list.json();
    let item = j["partnerships"]
        .as_array()
        .expect("list")
        .iter()
        .find(|p| p["id"] == mine)
        .expect("mine")
        .clone();
    for key in [
        "id",
        "title",
        "form",
        "status",
        "department",
        "partners",
        "fields",
        "signed_on",
        "ends_on",
        "last_activity_on",
        "dormant",
        "ending_undecided",
        "published",
    ] {
        assert!(item.get(key).is_some(), "{key}");
    }
    assert_eq!(item["partners"][0], "株式会社テスト連携");
    assert_eq!(item["department"]["name"], "危機管理課");
    assert_eq!(
        desk.api_get(
            "/api/v1/tenants/272027/partnerships?per_page=101",
            Some(&desk_t)
        )
        .await
        .status,
        400
    );
    assert_eq!(
        desk.api_get(
            "/api/v1/tenants/272027/partnerships?status=nope",
            Some(&desk_t)
        )
        .await
        .status,
        400
    );
    let one = desk
        .api_get(
            &format!("/api/v1/tenants/272027/partnerships/{mine}"),
            Some(&dept_t),
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.json()["parties"][0]["role"], "備蓄品の提供");
    assert_eq!(
        desk.api_get("/api/v1/tenants/272027/partnerships/999999", Some(&desk_t))
            .await
            .status,
        404
    );

    let post_json = |path: String, token: String, body: serde_json::Value| {
        let c = desk.clone();
        async move {
            let resp = c
                .http
                .post(format!("{}{path}", c.base))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("POST");
            let status = resp.status().as_u16();
            let json: serde_json::Value = resp.json().await.unwrap_or_default();
            (status, json)
        }
    };
    let (status, body) = post_json(
        format!("/api/v1/tenants/272027/partnerships/{mine}/activities"),
        dept_t.clone(),
        serde_json::json!({ "done_on": "2026-11-02", "title": "API経由の訓練", "people": 30 }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["people"], 30);
    let before = rows(&app).await;
    let (status, body) = post_json(
        format!("/api/v1/tenants/272027/partnerships/{mine}/activities"),
        desk_t.clone(),
        serde_json::json!({ "done_on": "2099-01-01", "title": "" }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["fields"]["done_on"].is_string()
            && body["error"]["fields"]["title"].is_string(),
        "{body}"
    );
    let (status, _) = post_json(
        format!("/api/v1/tenants/272027/partnerships/{theirs}/activities"),
        dept_t.clone(),
        serde_json::json!({ "done_on": "2026-11-02", "title": "越権" }),
    )
    .await;
    assert_eq!(status, 403);
    for email in [PROPONENT, OTHER_DESK] {
        let t = token(email).await;
        assert_eq!(
            desk.api_get("/api/v1/tenants/272027/partnerships", Some(&t))
                .await
                .status,
            403,
            "{email}"
        );
        assert_eq!(
            desk.api_get(
                &format!("/api/v1/tenants/272027/partnerships/{mine}"),
                Some(&t)
            )
            .await
            .status,
            403
        );
        let (status, _) = post_json(
            format!("/api/v1/tenants/272027/partnerships/{mine}/activities"),
            t,
            serde_json::json!({ "done_on": "2026-11-02", "title": "侵入" }),
        )
        .await;
        assert_eq!(status, 403);
    }
    assert_eq!(
        desk.api_get("/api/v1/tenants/272027/partnerships", None)
            .await
            .status,
        401
    );
    assert_eq!(rows(&app).await, before, "nothing written");
}

on_both!(
    entered_through_the_page,
    from_a_decided_proposal,
    department_members_keep_their_own,
    outsiders_are_refused,
    the_record_kept_up_to_date,
    api,
);
