//! The desk at work through the web pages: intake, the proponent's page, the desk's
//! actions, department answers, confidentiality per role, audit of every read.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_testkit::{Backend, Client, Page, TestApp, csrf_in, on_both};

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n% Renkei test attachment\n";

/// Submits the intake form (multipart) with the given extra/override fields and confirms it
/// on the confirmation page (確認画面): the answer to 送信する, or the form's answer when it
/// was refused.
pub(crate) async fn propose(
    c: &mut Client,
    title: &str,
    file: Option<(&str, Vec<u8>)>,
    overrides: &[(&str, &str)],
) -> Page {
    let answer = propose_form(c, title, file, overrides).await;
    c.confirm_intake(answer).await
}

/// Sends the intake form only (the first step): a redirect to the confirmation page, or the
/// form again with its errors.
pub(crate) async fn propose_form(
    c: &mut Client,
    title: &str,
    file: Option<(&str, Vec<u8>)>,
    overrides: &[(&str, &str)],
) -> Page {
    let page = c.get("/t/272027/propose").await;
    assert_eq!(page.status, 200);
    let csrf = csrf_in(&page.body).expect("csrf");
    let mut fields: Vec<(String, String)> = vec![
        ("_csrf".into(), csrf),
        ("kind".into(), "proposal".into()),
        ("org_name".into(), "株式会社だんじりテック".into()),
        ("partner_type".into(), "company".into()),
        ("corporate_number".into(), "7000012050002".into()),
        ("org_address".into(), "大阪府岸和田市宮本町1番1号".into()),
        ("contact_name".into(), "岸和田 太郎".into()),
        ("email".into(), "taro@example.co.jp".into()),
        ("phone".into(), "072-423-2121".into()),
        ("title".into(), title.into()),
        (
            "summary".into(),
            "地域の防災訓練にドローンを活用する提案です。".into(),
        ),
        ("details".into(), "詳細な計画".into()),
        ("fields".into(), "disaster".into()),
        ("fields".into(), "digital".into()),
        ("offers".into(), "knowhow".into()),
        ("expected_effects".into(), "避難の迅速化".into()),
        ("fiscal_burden".into(), "none".into()),
        ("publication_consent".into(), "yes".into()),
        ("privacy_consent".into(), "yes".into()),
    ];
    for (k, v) in overrides {
        fields.retain(|(name, _)| name != k);
        if !v.is_empty() {
            fields.push((k.to_string(), v.to_string()));
        }
    }
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k, v);
    }
    if let Some((name, bytes)) = file {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    let resp = c
        .http
        .post(format!("{}/t/272027/propose", c.base))
        .multipart(form)
        .send()
        .await
        .expect("POST propose");
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

async fn proposal_count(app: &TestApp) -> i64 {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM proposals")
        .fetch_one(app.store.pool())
        .await
        .expect("count")
}

async fn intake_and_tracking_page(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = app.client();
    let before = proposal_count(&app).await;

    // Bad input: Japanese messages by field, what was typed is kept, nothing written.
    let bad = propose(
        &mut c,
        "",
        None,
        &[
            ("email", "not-an-address"),
            ("corporate_number", "8000012050002"),
            ("fields", ""),
        ],
    )
    .await;
    assert_eq!(bad.status, 422);
    for msg in [
        "入力してください。",
        "メールアドレスの形式が正しくありません。",
        "法人番号の検査数字",
        "分野を1つ以上選択してください。",
    ] {
        assert!(bad.body.contains(msg), "{msg} missing");
    }
    assert!(
        bad.body.contains("value=\"株式会社だんじりテック\""),
        "typed values are kept"
    );
    // An HTML file dressed up as a PDF is refused by its content.
    let disguised = propose(
        &mut c,
        "偽装ファイル",
        Some(("提案書.pdf", b"<html><script>alert(1)</script>".to_vec())),
        &[],
    )
    .await;
    assert_eq!(disguised.status, 422);
    assert!(disguised.body.contains("ファイルの中身で判定しています"));
    // A bot filling the hidden field: refused, nothing written.
    let bot = propose(
        &mut c,
        "ボット",
        None,
        &[("website", "http://spam.example")],
    )
    .await;
    assert_eq!(bot.status, 400);
    assert_eq!(proposal_count(&app).await, before, "nothing half-saved");

    // A PDF named like a web page, with a right-to-left override that would show
    // "提案書lmth.pdf" on screen.
    let ok = propose(
        &mut c,
        "ドローン防災訓練の提案",
        Some(("提案書\u{202E}fdp.html", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let location = ok.location.expect("redirect to the tracking page");
    assert!(
        location.starts_with("/t/272027/track/") && location.ends_with("?notice=proposal-received"),
        "{location}"
    );
    assert_eq!(proposal_count(&app).await, before + 1);
    let page = c.get(&location).await;
    assert_eq!(page.status, 200);
    // The receipt: the number once, the day of the first answer, the link to keep.
    let sent = app
        .store
        .inbox(
            k(),
            &renkei_store::proposals::InboxFilter {
                q: Some("ドローン防災訓練の提案".into()),
                per_page: 5,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0
        .into_iter()
        .find(|p| p.title == "ドローン防災訓練の提案")
        .expect("the proposal");
    let number = sent.receipt_number.clone();
    assert_eq!(
        page.body.matches(number.as_str()).count(),
        1,
        "the receipt number once"
    );
    assert!(page.body.contains("提案・相談を受け付けました"));
    assert!(page.body.contains(&format!(
        "{}までに、デスクの担当者から最初のご連絡をします。",
        renkei_domain::time::wareki(sent.first_response_due)
    )));
    assert!(page.body.contains("ブックマークするなどして控えてください"));
    // Seen again later, the page is the ordinary tracking page.
    let later = c
        .get(location.trim_end_matches("?notice=proposal-received"))
        .await;
    assert!(later.body.contains(&format!("受付番号：{number}")));
    assert!(
        !later
            .body
            .contains("までに、デスクの担当者から最初のご連絡をします")
    );
    // The receipt mail is queued with the private link.
    let mail = app.store.outbox_list(50).await.expect("outbox");
    let receipt_mail = mail
        .iter()
        .find(|m| m.kind == "receipt" && m.to == "taro@example.co.jp")
        .expect("receipt mail");
    let path = location.trim_end_matches("?notice=proposal-received");
    assert!(
        receipt_mail.body.contains(path),
        "tracking link in the mail"
    );

    // The attachment downloads as an attachment, with its bytes and a safe type.
    let href = page
        .body
        .split("href=\"")
        .find(|s| s.contains("/attachments/"))
        .and_then(|s| s.split('"').next())
        .expect("attachment link")
        .to_string();
    let resp = c
        .http
        .get(format!("{}{href}", c.base))
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status().as_u16(), 200);
    let cd = resp
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(cd.starts_with("attachment;"), "{cd}");
    // Named by its content, without the override: 提案書fdp.html.pdf.
    assert!(
        cd.ends_with("filename*=UTF-8''%E6%8F%90%E6%A1%88%E6%9B%B8fdp.html.pdf"),
        "{cd}"
    );
    assert!(cd.contains("filename=\"___fdp.html.pdf\""), "{cd}");
    // The download's own policy survives the page middleware: sandboxed, nothing loads.
    let csp = resp
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(csp, "sandbox; default-src 'none'");
    assert!(
        !page.body.contains('\u{202E}'),
        "the page lists the cleaned name"
    );
    assert!(page.body.contains("提案書fdp.html.pdf"));
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/pdf")
    );
    assert_eq!(resp.bytes().await.expect("bytes").as_ref(), PDF);

    // A wrong token or another tenant's path finds nothing.
    assert_eq!(c.get("/t/272027/track/not-a-token").await.status, 404);
    assert_eq!(
        c.get(&path.replace("/t/272027/", "/t/141305/"))
            .await
            .status,
        404
    );
}

async fn rate_limit_per_address(backend: Backend) {
    let db = renkei_testkit::TestDb::new(backend);
    let store = db.open().await;
    renkei_app::demo::load(&renkei_app::App::new(
        store.clone(),
        renkei_testkit::DEMO_URL,
    ))
    .await
    .expect("demo");
    let config = renkei_web::WebConfig {
        intake_rate_limit: 2,
        ..Default::default()
    };
    let app = TestApp::start_with(store, config).await;
    let mut c = app.client();
    assert_eq!(propose(&mut c, "一件目", None, &[]).await.status, 303);
    assert_eq!(propose(&mut c, "二件目", None, &[]).await.status, 303);
    let third = propose(&mut c, "三件目", None, &[]).await;
    assert_eq!(third.status, 429);
    assert!(third.body.contains("短時間に多くの送信がありました"));
}

/// Signs in and returns the client.
async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

async fn submitted(app: &TestApp, title: &str) -> (String, String) {
    let mut c = app.client();
    let ok = propose(&mut c, title, Some(("資料.pdf", PDF.to_vec())), &[]).await;
    let location = ok.location.expect("tracking");
    let path = location
        .trim_end_matches("?notice=proposal-received")
        .to_string();
    let p = app
        .store
        .inbox(
            k(),
            &renkei_store::proposals::InboxFilter {
                q: Some(title.into()),
                per_page: 5,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0
        .into_iter()
        .find(|p| p.title == title)
        .expect("proposal");
    (p.receipt_number, path)
}

/// Who may read a proposal page: the desk, the departments it was routed to, its proponent.
async fn confidential_per_role(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (receipt, track) = submitted(&app, "機密の検討中アイデア").await;
    let desk_path = format!("/t/272027/desk/proposals/{receipt}");
    let dept_path = format!("/t/272027/department/proposals/{receipt}");
    let reads = || async {
        app.store
            .audit_count("proposal.read", &format!("proposal:{receipt}"))
            .await
            .expect("audit")
    };

    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let before = reads().await;
    let page = desk.get(&desk_path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("機密の検討中アイデア"));
    assert_eq!(reads().await, before + 1, "the desk's read is audited");

    for email in [
        "admin@kishiwada.demo.renkei.jp",
        "operator@demo.renkei.jp",
        "kikikanri@kishiwada.demo.renkei.jp",
        "proponent@example.co.jp",
        "desk@kawasaki.demo.renkei.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        for path in [&desk_path, &dept_path] {
            let p = c.get(path).await;
            assert!(
                p.status == 403 || p.status == 404,
                "{email} {path}: {}",
                p.status
            );
            assert!(
                !p.body.contains("機密の検討中アイデア"),
                "{email} read it via {path}"
            );
        }
    }
    let mut anon = app.client();
    let p = anon.get(&desk_path).await;
    assert_eq!(p.status, 303);
    assert!(!p.body.contains("機密の検討中アイデア"));

    // Routed to 危機管理課: its member may read it now (and only the department view).
    let dept = app
        .store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == "危機管理課")
        .expect("dept");
    desk.get(&desk_path).await;
    let due = renkei_domain::calendar::add_business_days(app.store.today(), 5)
        .format("%Y-%m-%d")
        .to_string();
    let routed = desk
        .post(
            &format!("{desk_path}/routings"),
            &[
                ("department_ids", &dept.id.to_string()),
                ("question", "実施可否のご意見をください"),
                ("due_on", &due),
            ],
        )
        .await;
    assert_eq!(routed.status, 303, "{}", routed.body);
    let mut staff = signed_in(&app, "kikikanri@kishiwada.demo.renkei.jp").await;
    let before = reads().await;
    let p = staff.get(&dept_path).await;
    assert_eq!(p.status, 200);
    assert!(p.body.contains("機密の検討中アイデア"));
    assert_eq!(
        reads().await,
        before + 1,
        "the department's read is audited"
    );
    assert_eq!(
        staff.get(&desk_path).await.status,
        403,
        "not the desk's view"
    );

    // The proponent: through the private link (audited as well).
    let before = reads().await;
    assert_eq!(anon.get(&track).await.status, 200);
    assert_eq!(reads().await, before + 1);

    // A proponent account sees its own proposals only.
    let mut other = signed_in(&app, "proponent@example.co.jp").await;
    let mine_path = format!("/t/272027/mypage/proposals/{receipt}");
    let p = other.get(&mine_path).await;
    assert_eq!(p.status, 404, "another proponent's proposal");
    assert!(!p.body.contains("機密の検討中アイデア"));
    assert!(
        !other
            .get("/t/272027/mypage")
            .await
            .body
            .contains("機密の検討中アイデア")
    );
    // Sent from the account's address without signing in: still not the account's (an
    // address is no proof; see web_ownership for the ways to prove it).
    let mut anon_own = app.client();
    let ok = propose(
        &mut anon_own,
        "アドレスだけ同じ提案",
        None,
        &[("email", "proponent@example.co.jp")],
    )
    .await;
    assert_eq!(ok.status, 303);
    assert!(
        !other
            .get("/t/272027/mypage")
            .await
            .body
            .contains("アドレスだけ同じ提案"),
        "an e-mail match alone lists nothing"
    );
    // Sent while signed in as the account: its own from the start.
    let ok = propose(
        &mut other,
        "自分の提案",
        None,
        &[("email", "proponent@example.co.jp")],
    )
    .await;
    assert_eq!(ok.status, 303);
    let listed = other.get("/t/272027/mypage").await;
    assert!(
        listed.body.contains("自分の提案"),
        "the account lists the proposals it sent"
    );
    let own_receipt = listed
        .body
        .split("/t/272027/mypage/proposals/")
        .skip(1)
        .find_map(|chunk| {
            let r = chunk.split('"').next()?;
            listed
                .body
                .contains(&format!(
                    "{r}\">{r}</a></td><td data-label=\"件名\">自分の提案"
                ))
                .then(|| r.to_string())
        })
        .expect("own receipt");
    let own_page = other
        .get(&format!("/t/272027/mypage/proposals/{own_receipt}"))
        .await;
    assert_eq!(own_page.status, 200);
    assert!(own_page.body.contains("自分の提案"));
}

async fn desk_flow_to_decline(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (receipt, track) = submitted(&app, "海岸清掃と環境学習").await;
    let path = format!("/t/272027/desk/proposals/{receipt}");
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    desk.get(&path).await;

    let h = desk
        .post(
            &format!("{path}/hearings"),
            &[
                ("held_on", "2026-11-20"),
                ("channel", "meeting"),
                ("participants", "提案者、デスク"),
                ("notes", "実施場所と時期を確認"),
                ("next_steps", "環境課へ照会"),
            ],
        )
        .await;
    assert_eq!(h.status, 303, "{}", h.body);
    let bad_hearing = desk
        .post(
            &format!("{path}/hearings"),
            &[
                ("held_on", "2026-13-45"),
                ("channel", "meeting"),
                ("notes", "x"),
            ],
        )
        .await;
    assert_eq!(bad_hearing.status, 422);
    assert!(bad_hearing.body.contains("日付の形式が正しくありません"));

    let depts = app.store.departments(k()).await.expect("departments");
    let id_of = |name: &str| {
        depts
            .iter()
            .find(|d| d.name == name)
            .map(|d| d.id.to_string())
            .expect("dept")
    };
    let (a, b) = (id_of("危機管理課"), id_of("環境課"));
    let routed = desk
        .post(
            &format!("{path}/routings"),
            &[
                ("department_ids", &a),
                ("department_ids", &b),
                ("question", "ご意見をください"),
                ("due_on", "2026-12-04"),
            ],
        )
        .await;
    assert_eq!(routed.status, 303, "{}", routed.body);
    let p = app.store.proposal(k(), &receipt).await.expect("p");
    let routings = app.store.routings(p.id).await.expect("routings");
    assert_eq!(routings.len(), 2);
    // Routing mails went to the department's members.
    assert!(
        app.store
            .outbox_list(100)
            .await
            .expect("outbox")
            .iter()
            .any(|m| m.kind == "routing" && m.to == "kikikanri@kishiwada.demo.renkei.jp")
    );

    let mut staff = signed_in(&app, "kikikanri@kishiwada.demo.renkei.jp").await;
    staff
        .get(&format!("/t/272027/department/proposals/{receipt}"))
        .await;
    let r1 = routings
        .iter()
        .find(|r| r.department_name == "環境課")
        .expect("r1");
    let ans = staff
        .post(
            &format!("/t/272027/department/routings/{}/answer", r1.id),
            &[
                ("answer", "conditional"),
                ("comment", "夏季以外なら協力可能"),
            ],
        )
        .await;
    assert_eq!(ans.status, 303, "{}", ans.body);
    // The desk hears of it: a mail (saying who answered, not what) and a mark in the inbox
    // until the desk opens the proposal.
    let answer_mails: Vec<_> = app
        .store
        .outbox_list(100)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.kind == "answer" && m.subject.contains(&receipt))
        .collect();
    assert!(
        !answer_mails.is_empty(),
        "no mail to the desk about the answer"
    );
    for m in &answer_mails {
        let to = app.store.user_by_email(&m.to).await.expect("recipient");
        assert_eq!(to.role, renkei_domain::Role::Desk, "{}", m.to);
        assert!(m.subject.contains("環境課"), "{}", m.subject);
        assert!(
            !m.body.contains("夏季以外"),
            "the answer itself is confidential"
        );
    }
    let inbox_row = |body: &str| {
        body.split("<tbody>")
            .nth(1)
            .unwrap_or_default()
            .split("<tr>")
            .find(|row| row.contains(&receipt))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let inbox = desk
        .get(&format!("/t/272027/desk/proposals?q={receipt}"))
        .await;
    assert!(
        inbox_row(&inbox.body).contains("新しい回答 1件"),
        "no mark in the inbox: {}",
        inbox_row(&inbox.body)
    );
    let page = desk.get(&path).await;
    let inbox = desk
        .get(&format!("/t/272027/desk/proposals?q={receipt}"))
        .await;
    assert!(!inbox_row(&inbox.body).is_empty());
    assert!(
        !inbox_row(&inbox.body).contains("新しい回答"),
        "the mark stays after the desk opened it"
    );
    assert!(page.body.contains("条件付き") && page.body.contains("夏季以外なら協力可能"));
    assert!(
        page.body.contains("回答待ち"),
        "the other department has not answered"
    );

    // Declining needs an explanation; a refused action changes nothing.
    let empty = desk
        .post(
            &format!("{path}/transition"),
            &[
                ("action", "decline"),
                ("reason", "fiscal_burden"),
                ("explanation", " "),
            ],
        )
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("提案者への説明を入力してください。"));
    assert!(
        empty.body.contains("id=\"explanation-error\""),
        "the message stands by its field"
    );
    assert!(
        empty
            .body
            .contains("aria-describedby=\"explanation-hint explanation-error\"")
    );
    assert_eq!(
        app.store
            .proposal(k(), &receipt)
            .await
            .expect("p")
            .status
            .code(),
        "received"
    );
    let invalid = desk
        .post(&format!("{path}/transition"), &[("action", "decide")])
        .await;
    assert_eq!(invalid.status, 422, "受付 → 実施決定 is not a valid move");
    assert!(
        invalid
            .body
            .contains("現在の状態からは、その操作はできません。")
    );
    let decline_fields = [
        ("action", "decline"),
        ("reason", "fiscal_burden"),
        (
            "explanation",
            "市の予算措置が必要となるため、今回は見送らせていだきます。",
        ),
        ("note", "課長決裁済み（庁内メモ）"),
    ];
    // 不採択 cannot be undone: a confirmation page comes first and nothing changes yet.
    let asked = desk
        .post(&format!("{path}/transition"), &decline_fields)
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains("不採択としてよろしいですか"));
    assert!(asked.body.contains("この操作は取り消せません"));
    assert!(asked.body.contains("市の予算措置が必要となるため"));
    assert!(asked.body.contains("name=\"confirm\" value=\"yes\""));
    assert_eq!(
        app.store
            .proposal(k(), &receipt)
            .await
            .expect("p")
            .status
            .code(),
        "received",
        "nothing happens before the confirmation"
    );
    // 戻る: the form comes back with what was typed.
    let mut back_fields = decline_fields.to_vec();
    back_fields.push(("confirm", "back"));
    let back = desk.post(&format!("{path}/transition"), &back_fields).await;
    assert_eq!(back.status, 200);
    assert!(
        back.body
            .contains("今回は見送らせていだきます。</textarea>")
    );
    assert_eq!(
        app.store
            .proposal(k(), &receipt)
            .await
            .expect("p")
            .status
            .code(),
        "received"
    );
    let mut confirmed = decline_fields.to_vec();
    confirmed[2].1 = "市の予算措置が必要となるため、今回は見送らせていただきます。";
    confirmed.push(("confirm", "yes"));
    let declined = desk.post(&format!("{path}/transition"), &confirmed).await;
    assert_eq!(declined.status, 303, "{}", declined.body);
    assert!(
        desk.get(&path)
            .await
            .body
            .contains("課長決裁済み（庁内メモ）"),
        "the why is in the desk's timeline"
    );

    let mut anon = app.client();
    let seen = anon.get(&track).await;
    assert!(
        !seen.body.contains("課長決裁済み"),
        "the desk's note stays internal"
    );
    assert!(seen.body.contains("不採択"));
    assert!(seen.body.contains("財政負担が生じる"));
    assert!(seen.body.contains("市の予算措置が必要となるため"));
    let mails = app.store.outbox_list(100).await.expect("outbox");
    let status_mail = mails
        .iter()
        .find(|m| m.kind == "status" && m.to == "taro@example.co.jp")
        .expect("status mail");
    assert!(status_mail.subject.contains("不採択") && status_mail.subject.contains(&receipt));
    assert!(
        status_mail.body.contains("財政負担が生じる")
            && status_mail.body.contains("市の予算措置が必要となるため")
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

async fn proponent_withdraws_and_messages(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (receipt, track) = submitted(&app, "子ども食堂の連携").await;
    let mut anon = app.client();
    anon.get(&track).await;
    let empty = anon
        .post(&format!("{track}/messages"), &[("body", "  ")])
        .await;
    assert_eq!(empty.status, 422);
    let sent = anon
        .post(
            &format!("{track}/messages"),
            &[("body", "資料を追加でお送りできます。")],
        )
        .await;
    assert_eq!(sent.status, 303);
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let path = format!("/t/272027/desk/proposals/{receipt}");
    assert!(
        desk.get(&path)
            .await
            .body
            .contains("資料を追加でお送りできます。")
    );
    desk.get(&path).await;
    let reply = desk
        .post(
            &format!("{path}/messages"),
            &[("body", "ありがとうございます。ぜひお送りください。")],
        )
        .await;
    assert_eq!(reply.status, 303);
    assert!(anon.get(&track).await.body.contains("ぜひお送りください。"));

    anon.get(&track).await;
    // Withdrawal is confirmed first.
    let asked = anon.post(&format!("{track}/withdraw"), &[]).await;
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("提案を取り下げてよろしいですか"));
    assert!(
        asked.body.contains(&format!("href=\"{track}\"")),
        "戻る leads back"
    );
    assert_eq!(
        app.store
            .proposal(k(), &receipt)
            .await
            .expect("p")
            .status
            .code(),
        "received",
        "nothing happens before the confirmation"
    );
    let w = anon
        .post(&format!("{track}/withdraw"), &[("confirm", "yes")])
        .await;
    assert_eq!(w.status, 303);
    assert_eq!(
        app.store
            .proposal(k(), &receipt)
            .await
            .expect("p")
            .status
            .code(),
        "withdrawn"
    );
    desk.get(&path).await;
    let after = desk
        .post(
            &format!("{path}/transition"),
            &[("action", "start_hearing")],
        )
        .await;
    assert_eq!(after.status, 422);
    assert!(after.body.contains("既に終了している"));
}

async fn referral_to_osaka_with_consent(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (receipt, track) = submitted(&app, "府域での広域連携").await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let path = format!("/t/272027/desk/proposals/{receipt}");
    desk.get(&path).await;
    let refused = desk
        .post(
            &format!("{path}/transition"),
            &[("action", "refer"), ("to", "270008")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("提案者の同意が必要です"));
    let mut anon = app.client();
    anon.get(&track).await;
    assert_eq!(
        anon.post(
            &format!("{track}/consent"),
            &[("publication", "yes"), ("referral", "yes")]
        )
        .await
        .status,
        303
    );
    desk.get(&path).await;
    let asked = desk
        .post(
            &format!("{path}/transition"),
            &[("action", "refer"), ("to", "270008")],
        )
        .await;
    assert_eq!(asked.status, 200);
    assert!(asked.body.contains("紹介してよろしいですか") && asked.body.contains("大阪府"));
    assert_eq!(
        desk.post(
            &format!("{path}/transition"),
            &[("action", "refer"), ("to", "270008"), ("confirm", "yes")]
        )
        .await
        .status,
        303
    );
    let osaka = TenantCode::parse("270008").expect("code");
    let copy = app
        .store
        .inbox(
            osaka,
            &renkei_store::proposals::InboxFilter {
                q: Some("府域での広域連携".into()),
                per_page: 5,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0;
    assert_eq!(copy.len(), 1, "the prefecture's desk has the linked copy");
    let told = app.store.outbox_list(200).await.expect("outbox");
    assert!(
        told.iter().any(|m| m.kind == "referral"
            && m.to == "desk@osaka-pref.demo.renkei.jp"
            && m.subject.contains(&copy[0].receipt_number)),
        "the prefecture's desk is told of the referral"
    );
    let mut pref = signed_in(&app, "desk@osaka-pref.demo.renkei.jp").await;
    let page = pref
        .get(&format!(
            "/t/270008/desk/proposals/{}",
            copy[0].receipt_number
        ))
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("他の自治体の公民連携デスクから紹介された")
    );
    assert!(anon.get(&track).await.body.contains("紹介"));
}

on_both!(
    intake_and_tracking_page,
    rate_limit_per_address,
    confidential_per_role,
    desk_flow_to_decline,
    proponent_withdraws_and_messages,
    referral_to_osaka_with_consent
);
