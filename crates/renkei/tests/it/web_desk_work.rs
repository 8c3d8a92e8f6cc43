//! The desk's own records on a proposal: internal memos (desk staff only: never the
//! proponent, never a department, never mail), corrections of the record (old and new values
//! in the timeline and the audit trail, the search index following, bad input writing
//! nothing), and the desk's own attachments (city-hall staff only, never the proponent).

use super::web_proposals::{PDF, propose};
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_domain::proposal::CorrectionField;
use renkei_store::Who;
use renkei_store::proposals::{InboxFilter, Proposal, correctable, correction_basis};
use renkei_testkit::{Backend, Client, Page, TestApp, on_both};

const K: &str = "272027";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const DEPT: &str = "kikikanri@kishiwada.demo.renkei.jp";
const PROPONENT: &str = "proponent@example.co.jp";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

/// A proposal sent by the demo proponent's account (so its my-page shows it too), with a
/// file; returns the proposal and the proponent's tracking path.
async fn sent(app: &TestApp, title: &str) -> (Proposal, String, Client) {
    let mut proponent = signed_in(app, PROPONENT).await;
    let ok = propose(
        &mut proponent,
        title,
        Some(("提案資料.pdf", PDF.to_vec())),
        &[],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let track = ok
        .location
        .expect("tracking link")
        .trim_end_matches("?notice=proposal-received")
        .to_string();
    let p = app
        .store
        .inbox(
            k(),
            &InboxFilter {
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
    assert!(p.proponent_user_id.is_some(), "sent while signed in");
    (p, track, proponent)
}

/// Routes the proposal to 危機管理課 (whose member is `DEPT`).
async fn route_to_department(app: &TestApp, p: &Proposal) {
    let dept = app
        .store
        .departments(k())
        .await
        .expect("departments")
        .into_iter()
        .find(|d| d.name == "危機管理課")
        .expect("危機管理課");
    let due = renkei_domain::calendar::add_business_days(app.store.today(), 5);
    app.store
        .routing_add(
            k(),
            p.id,
            &[dept.id],
            "ご意見をください",
            due,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("route");
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .expect(sql)
}

async fn audits(app: &TestApp, action: &str, p: &Proposal) -> i64 {
    app.store
        .audit_count(action, &format!("proposal:{}", p.receipt_number))
        .await
        .expect("audit count")
}

/// What a proponent, signed in or holding the link, and a routed department can read of a
/// proposal: its pages, the my-page list, the department's API answer.
async fn outside_views(
    app: &TestApp,
    p: &Proposal,
    track: &str,
    proponent: &mut Client,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut anon = app.client();
    out.push(("track".into(), anon.get(track).await.body));
    out.push((
        "mypage proposal".into(),
        proponent
            .get(&format!("/t/{K}/mypage/proposals/{}", p.receipt_number))
            .await
            .body,
    ));
    out.push((
        "mypage".into(),
        proponent.get(&format!("/t/{K}/mypage")).await.body,
    ));
    let mut dept = signed_in(app, DEPT).await;
    let page = dept
        .get(&format!("/t/{K}/department/proposals/{}", p.receipt_number))
        .await;
    assert_eq!(page.status, 200, "the routed department reads the proposal");
    out.push(("department".into(), page.body));
    let user = app.store.user_by_email(DEPT).await.expect("user");
    let (_, token) = app
        .store
        .token_create(&Who::cli(), user.id, "desk-work")
        .await
        .expect("token");
    let api = dept
        .api_get(
            &format!("/api/v1/tenants/{K}/proposals/{}", p.receipt_number),
            Some(&token),
        )
        .await;
    assert_eq!(api.status, 200);
    out.push(("department API".into(), api.body));
    out
}

/// Memos: written by the desk, listed newest first with the author's name and 和暦 time,
/// printed, audited; never on the proponent's pages, the department's page or API, or in mail.
async fn memos_are_for_the_desk_alone(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (p, track, mut proponent) = sent(&app, "防災訓練の共同提案").await;
    route_to_department(&app, &p).await;
    let desk_path = format!("/t/{K}/desk/proposals/{}", p.receipt_number);
    let mut desk = signed_in(&app, DESK).await;
    let officer = app
        .store
        .user_by_email(DESK)
        .await
        .expect("desk")
        .display_name;
    desk.get(&desk_path).await;

    const FIRST: &str = "先方の予算感は三百万円程度（電話で確認）";
    const SECOND: &str = "次回は危機管理課の係長も同席予定\n資料は持参";
    let r = desk
        .post(&format!("{desk_path}/memos"), &[("memo", FIRST)])
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location.as_deref(),
        Some(format!("{desk_path}?notice=memo-saved").as_str())
    );
    let r = desk
        .post(&format!("{desk_path}/memos"), &[("memo", SECOND)])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(audits(&app, "proposal.memo", &p).await, 2);

    let page = desk.get(&format!("{desk_path}?notice=memo-saved")).await;
    assert!(page.body.contains("内部メモを保存しました。"));
    assert!(page.body.contains("内部メモ"));
    let first = page.body.find(FIRST).expect("the first memo");
    let second = page
        .body
        .find("次回は危機管理課の係長も同席予定")
        .expect("the second memo");
    assert!(second < first, "newest first");
    let memo_block = &page.body[second.saturating_sub(300)..second];
    assert!(
        memo_block.contains(&officer),
        "the author by name: {memo_block}"
    );
    assert!(memo_block.contains("令和8年"), "和暦: {memo_block}");
    assert!(
        page.body.contains("提案者にも照会先の部署にも表示されず"),
        "the hint says who sees memos"
    );
    let print = desk.get(&format!("{desk_path}/print")).await;
    assert_eq!(print.status, 200);
    assert!(print.body.contains(FIRST), "memos are printed");

    // Bad memos: a message, what was typed kept, nothing written.
    let memos_before = count(&app, "SELECT COUNT(*) FROM proposal_memos").await;
    let r = desk
        .post(&format!("{desk_path}/memos"), &[("memo", "  \n ")])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("メモを入力してください。"));
    let long = "長".repeat(2001);
    let r = desk
        .post(&format!("{desk_path}/memos"), &[("memo", &long)])
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains(&long), "the typed memo is kept");
    let r = desk
        .post(&format!("{desk_path}/memos"), &[("memo", "制御\u{7}文字")])
        .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM proposal_memos").await,
        memos_before
    );
    assert_eq!(audits(&app, "proposal.memo", &p).await, 2);

    // Nobody outside the desk reads them, and no mail carries them.
    for (what, body) in outside_views(&app, &p, &track, &mut proponent).await {
        assert!(
            body.contains("防災訓練の共同提案"),
            "{what} shows the proposal"
        );
        assert!(!body.contains(FIRST), "{what} shows a memo");
        assert!(!body.contains("係長も同席"), "{what} shows a memo");
        assert!(!body.contains("内部メモ"), "{what} mentions memos");
    }
    let mails = count(
        &app,
        "SELECT COUNT(*) FROM outbox WHERE body LIKE '%三百万円%' OR subject LIKE '%三百万円%'",
    )
    .await;
    assert_eq!(mails, 0, "a memo went out by mail");

    // Nobody but the desk writes one.
    for email in [DEPT, PROPONENT, "admin@kishiwada.demo.renkei.jp"] {
        let mut c = signed_in(&app, email).await;
        c.get("/").await;
        let r = c
            .post(&format!("{desk_path}/memos"), &[("memo", "侵入メモ")])
            .await;
        assert!(r.status == 403 || r.status == 404, "{email}: {}", r.status);
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM proposal_memos").await,
        memos_before
    );
    app.stop().await;
}

/// The correction form's fields as the record stands, with `changes` applied.
fn correction_form(p: &Proposal, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = CorrectionField::ALL
        .iter()
        .map(|f| (f.code().to_string(), correctable(p, *f).to_string()))
        .collect();
    out.push(("basis".into(), correction_basis(p)));
    for (k, v) in changes {
        out.retain(|(name, _)| name != k);
        out.push((k.to_string(), v.to_string()));
    }
    out
}

async fn post_owned(c: &mut Client, path: &str, fields: &[(String, String)]) -> Page {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post(path, &refs).await
}

async fn search(app: &TestApp, q: &str) -> Vec<String> {
    app.store
        .inbox(
            k(),
            &InboxFilter {
                q: Some(q.into()),
                per_page: 50,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0
        .into_iter()
        .map(|p| p.receipt_number)
        .collect()
}

/// A correction changes the record, leaves the old and new values with the reason in the
/// timeline (staff only) and in the audit trail, and moves the search index; bad input (or a
/// form built on a record that changed since, or nothing changed) writes nothing.
async fn corrections_change_the_record(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (p, track, _) = sent(&app, "ドロ－ン防災訓練の提按").await;
    let desk_path = format!("/t/{K}/desk/proposals/{}", p.receipt_number);
    let correct = format!("{desk_path}/correct");
    let mut desk = signed_in(&app, DESK).await;

    let page = desk.get(&desk_path).await;
    assert!(
        page.body.contains(&format!("href=\"{correct}\"")),
        "no link to the correction"
    );
    let form = desk.get(&correct).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("ドロ－ン防災訓練の提按"));
    assert!(form.body.contains("072-423-2121"));
    assert!(form.body.contains(&correction_basis(&p)));
    assert!(search(&app, "提按").await.contains(&p.receipt_number));

    let events = |app: &TestApp| {
        let id = p.id;
        let store = app.store.clone();
        async move { store.proposal_events(id, false).await.expect("events") }
    };
    let events_before = events(&app).await.len();

    // Bad input: every message at once, what was typed kept, nothing written.
    let bad = post_owned(
        &mut desk,
        &correct,
        &correction_form(
            &p,
            &[("title", ""), ("email", "not-an-address"), ("phone", "123")],
        ),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for msg in [
        "入力してください。",
        "メールアドレスの形式が正しくありません。",
        "訂正の理由を入力してください。",
    ] {
        assert!(bad.body.contains(msg), "no message {msg}");
    }
    assert!(
        bad.body.contains("value=\"not-an-address\""),
        "typed e-mail kept"
    );
    assert!(
        bad.body.contains("href=\"#email\""),
        "the summary links the field"
    );
    let too_long = "長".repeat(101);
    let bad = post_owned(
        &mut desk,
        &correct,
        &correction_form(&p, &[("title", &too_long), ("correction_reason", "誤字")]),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains(&too_long));
    let unchanged = post_owned(
        &mut desk,
        &correct,
        &correction_form(&p, &[("correction_reason", "念のため")]),
    )
    .await;
    assert_eq!(unchanged.status, 422);
    assert!(unchanged.body.contains("訂正する箇所がありません"));
    assert_eq!(
        app.store.proposal(k(), &p.receipt_number).await.expect("p"),
        p
    );
    assert_eq!(events(&app).await.len(), events_before);
    assert_eq!(audits(&app, "proposal.correct", &p).await, 0);

    // The correction.
    let ok = post_owned(
        &mut desk,
        &correct,
        &correction_form(
            &p,
            &[
                ("title", "ドローン防災訓練の提案"),
                ("phone", "072-423-9999"),
                (
                    "correction_reason",
                    "提案者から電話で誤りの連絡があったため",
                ),
            ],
        ),
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(
        ok.location.as_deref(),
        Some(format!("{desk_path}?notice=corrected").as_str())
    );
    let now = app.store.proposal(k(), &p.receipt_number).await.expect("p");
    assert_eq!(now.title, "ドローン防災訓練の提案");
    assert_eq!(now.phone, "072-423-9999");
    assert_eq!(now.summary, p.summary, "the rest is untouched");
    assert_eq!(now.email, p.email);

    let corrections: Vec<_> = events(&app)
        .await
        .into_iter()
        .filter(|e| e.kind == "correction")
        .collect();
    assert_eq!(
        corrections.len(),
        2,
        "one timeline event per corrected field"
    );
    assert!(corrections.iter().all(|e| !e.for_proponent));
    let note: serde_json::Value = serde_json::from_str(&corrections[0].note).expect("json");
    assert_eq!(note["field"], "title");
    assert_eq!(note["old"], "ドロ－ン防災訓練の提按");
    assert_eq!(note["new"], "ドローン防災訓練の提案");
    assert_eq!(note["reason"], "提案者から電話で誤りの連絡があったため");

    assert_eq!(audits(&app, "proposal.correct", &p).await, 1);
    let detail = sqlx::query_scalar::<_, String>(
        "SELECT detail FROM audit_log WHERE action = 'proposal.correct' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("detail");
    let detail: serde_json::Value = serde_json::from_str(&detail).expect("json");
    assert_eq!(detail["reason"], "提案者から電話で誤りの連絡があったため");
    let changes = detail["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 2);
    assert!(changes.iter().any(|c| c["field"] == "phone"
        && c["old"] == "072-423-2121"
        && c["new"] == "072-423-9999"));

    let page = desk.get(&format!("{desk_path}?notice=corrected")).await;
    assert!(page.body.contains("記録を訂正しました。"));
    assert!(
        page.body.contains("訂正：件名"),
        "the timeline names the field"
    );
    assert!(
        page.body
            .contains("「ドロ－ン防災訓練の提按」→「ドローン防災訓練の提案」")
    );
    assert!(
        page.body
            .contains("理由：提案者から電話で誤りの連絡があったため")
    );
    let print = desk.get(&format!("{desk_path}/print")).await;
    assert!(print.body.contains("訂正：電話番号"));

    // The search follows the corrected words.
    assert!(search(&app, "提案").await.contains(&p.receipt_number));
    assert!(
        search(&app, "ドローン防災")
            .await
            .contains(&p.receipt_number)
    );
    assert!(!search(&app, "提按").await.contains(&p.receipt_number));
    assert!(!search(&app, "ドロ－ン").await.contains(&p.receipt_number));
    // The index itself forgot the old words (FTS5 forgets a contentless row only when told
    // its tokens) and holds the new ones.
    let index = |q: &'static str| {
        let store = app.store.clone();
        async move { store.search_index_candidates(k(), q).await.expect("index") }
    };
    assert!(
        !index("提按").await.contains(&p.id),
        "the old title is still indexed"
    );
    assert!(
        index("ン防").await.contains(&p.id),
        "the new title is not indexed"
    );

    // The proponent sees the corrected record, not the desk's notes on it.
    let mut anon = app.client();
    let mine = anon.get(&track).await;
    assert!(mine.body.contains("ドローン防災訓練の提案"));
    assert!(
        !mine.body.contains("訂正"),
        "the proponent's timeline shows the correction"
    );
    assert!(!mine.body.contains("誤りの連絡"));

    // A form built before that correction is refused (it would write the old title back).
    let stale = post_owned(
        &mut desk,
        &correct,
        &correction_form(
            &p,
            &[("summary", "別の訂正"), ("correction_reason", "誤字")],
        ),
    )
    .await;
    assert_eq!(stale.status, 422);
    assert!(stale.body.contains("画面を開いた後に変更されています"));
    assert!(
        stale.body.contains("ドローン防災訓練の提案"),
        "the form shows the record now"
    );
    assert_eq!(
        app.store
            .proposal(k(), &p.receipt_number)
            .await
            .expect("p")
            .summary,
        p.summary
    );

    // Not the department's, nor the proponent's.
    route_to_department(&app, &p).await;
    for email in [DEPT, PROPONENT] {
        let mut c = signed_in(&app, email).await;
        assert!(matches!(c.get(&correct).await.status, 403 | 404), "{email}");
        c.get("/").await;
        let r = post_owned(
            &mut c,
            &correct,
            &correction_form(
                &now,
                &[("title", "乗っ取り"), ("correction_reason", "侵入")],
            ),
        )
        .await;
        assert!(r.status == 403 || r.status == 404, "{email}: {}", r.status);
    }

    // A withdrawn proposal's record stays as the proponent left it.
    let withdrawn = anon
        .post(&format!("{track}/withdraw"), &[("confirm", "yes")])
        .await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
    let form = desk.get(&correct).await;
    assert!(
        form.body
            .contains("取り下げられた提案の記録は訂正できません。")
    );
    assert!(!form.body.contains("name=\"correction_reason\""));
    let now = app.store.proposal(k(), &p.receipt_number).await.expect("p");
    let r = post_owned(
        &mut desk,
        &correct,
        &correction_form(
            &now,
            &[("title", "取下げ後の訂正"), ("correction_reason", "誤字")],
        ),
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        app.store
            .proposal(k(), &p.receipt_number)
            .await
            .expect("p")
            .title,
        "ドローン防災訓練の提案"
    );
    assert_eq!(audits(&app, "proposal.correct", &p).await, 1);
    app.stop().await;
}

/// Uploads files to the desk's attachment route as a browser would (multipart, CSRF in the
/// body).
async fn upload(c: &mut Client, path: &str, files: &[(&str, &[u8])]) -> Page {
    let mut form = reqwest::multipart::Form::new().text("_csrf", c.csrf.clone());
    for (name, bytes) in files {
        form = form.part(
            "attachments",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    let resp = c
        .http
        .post(format!("{}{path}", c.base))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    Page {
        status,
        location,
        body: resp.text().await.unwrap_or_default(),
        headers,
    }
}

/// The desk attaches its own files: listed with who attached them, downloadable by the desk
/// (and the department consulted), audited and on the timeline; the proponent neither sees
/// nor downloads them. A file of the wrong type, or none, writes nothing.
async fn desk_attachments_stay_internal(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let (p, track, mut proponent) = sent(&app, "窓口の資料を添付する提案").await;
    let desk_path = format!("/t/{K}/desk/proposals/{}", p.receipt_number);
    let mut desk = signed_in(&app, DESK).await;
    let officer = app
        .store
        .user_by_email(DESK)
        .await
        .expect("desk")
        .display_name;
    desk.get(&desk_path).await;
    const INTERNAL: &[u8] = b"%PDF-1.4\n% desk notes of the site visit\n";

    let attachments = || async { count(&app, "SELECT COUNT(*) FROM attachments").await };
    let before = attachments().await;
    let none = upload(&mut desk, &format!("{desk_path}/attachments"), &[]).await;
    assert_eq!(none.status, 422);
    assert!(none.body.contains("添付するファイルを選択してください。"));
    let exe = upload(
        &mut desk,
        &format!("{desk_path}/attachments"),
        &[("report.pdf", b"MZ\x90\x00 not a document")],
    )
    .await;
    assert_eq!(exe.status, 422);
    assert!(exe.body.contains("添付できるのはPDF"));
    let mut forged = desk.clone();
    forged.csrf = "forged".into();
    let r = upload(
        &mut forged,
        &format!("{desk_path}/attachments"),
        &[("a.pdf", INTERNAL)],
    )
    .await;
    assert_eq!(r.status, 403, "a forged CSRF token");
    assert_eq!(attachments().await, before);

    let ok = upload(
        &mut desk,
        &format!("{desk_path}/attachments"),
        &[("現地確認メモ.pdf", INTERNAL)],
    )
    .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(
        ok.location.as_deref(),
        Some(format!("{desk_path}?notice=attachment-added").as_str())
    );
    let list = app.store.attachments(p.id).await.expect("attachments");
    assert_eq!(list.len(), 2);
    let theirs = list
        .iter()
        .find(|a| !a.from_desk())
        .expect("the proponent's");
    let ours = list.iter().find(|a| a.from_desk()).expect("the desk's");
    assert_eq!(ours.filename, "現地確認メモ.pdf");
    assert_eq!(ours.uploaded_by, "desk");
    assert_eq!(ours.uploader_name.as_deref(), Some(officer.as_str()));
    assert_eq!(theirs.uploaded_by, "proponent");
    assert_eq!(audits(&app, "proposal.attachment", &p).await, 1);
    assert!(
        app.store
            .proposal_events(p.id, false)
            .await
            .expect("events")
            .iter()
            .any(|e| e.kind == "attachment"
                && !e.for_proponent
                && e.note.contains("現地確認メモ.pdf"))
    );

    let page = desk
        .get(&format!("{desk_path}?notice=attachment-added"))
        .await;
    assert!(page.body.contains("資料を添付しました。"));
    assert!(page.body.contains("現地確認メモ.pdf"));
    assert!(page.body.contains("窓口の資料"));
    assert!(
        page.body
            .contains("窓口が資料を添付しました：現地確認メモ.pdf")
    );
    let download = format!(
        "/t/{K}/proposals/{}/attachments/{}",
        p.receipt_number, ours.id
    );
    let resp = desk
        .http
        .get(format!("{}{download}", desk.base))
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        resp.headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .starts_with("attachment;")
    );
    assert_eq!(resp.bytes().await.expect("bytes").as_ref(), INTERNAL);

    // The proponent: not listed, not downloadable (by link or account); their own file is.
    let mut anon = app.client();
    let mine = anon.get(&track).await;
    assert!(mine.body.contains("提案資料.pdf"));
    assert!(
        !mine.body.contains("現地確認メモ"),
        "the proponent sees the desk's file"
    );
    let by_account = proponent
        .get(&format!("/t/{K}/mypage/proposals/{}", p.receipt_number))
        .await;
    assert!(by_account.body.contains("提案資料.pdf"));
    assert!(!by_account.body.contains("現地確認メモ"));
    for path in [
        format!("{track}/attachments/{}", ours.id),
        format!(
            "/t/{K}/mypage/proposals/{}/attachments/{}",
            p.receipt_number, ours.id
        ),
    ] {
        let r = proponent.get(&path).await;
        assert_eq!(r.status, 404, "{path}");
        assert!(!r.body.contains("site visit"));
    }
    let own = anon
        .get(&format!("{track}/attachments/{}", theirs.id))
        .await;
    assert_eq!(own.status, 200, "the proponent's own file");

    // The department consulted reads the desk's documents (city hall's internal material)
    // but attaches none; the proponent attaches nothing here either.
    route_to_department(&app, &p).await;
    let mut dept = signed_in(&app, DEPT).await;
    let page = dept
        .get(&format!("/t/{K}/department/proposals/{}", p.receipt_number))
        .await;
    assert!(page.body.contains("現地確認メモ.pdf"));
    assert_eq!(dept.get(&download).await.status, 200);
    for c in [&mut dept, &mut proponent] {
        c.get("/").await;
        let r = upload(
            c,
            &format!("{desk_path}/attachments"),
            &[("x.pdf", INTERNAL)],
        )
        .await;
        assert!(r.status == 403 || r.status == 404, "{}", r.status);
    }
    assert_eq!(attachments().await, before + 1);
    app.stop().await;
}

on_both!(
    memos_are_for_the_desk_alone,
    corrections_change_the_record,
    desk_attachments_stay_internal
);
