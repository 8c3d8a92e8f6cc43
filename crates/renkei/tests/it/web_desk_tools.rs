//! The desk officer's tools. The inbox export (CSV for Excel and .xlsx): the current filters,
//! every matching proposal, text a proponent typed kept inert, each export audited, and nobody
//! but the tenant's desk able to take one. The print view of a proposal for the paper file:
//! the whole record, audited, the desk only.

use super::web_proposals::propose;
use renkei_app::demo::DEMO_PASSWORD;
use renkei_domain::TenantCode;
use renkei_store::proposals::InboxFilter;
use renkei_testkit::{Backend, Client, TestApp, on_both};

const EXPORT_CSV: &str = "/t/272027/desk/export/proposals.csv";
const EXPORT_XLSX: &str = "/t/272027/desk/export/proposals.xlsx";
const FORMULA_TITLE: &str = "=HYPERLINK(\"https://evil.example\",\"詳細\")";

fn k() -> TenantCode {
    TenantCode::parse("272027").expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

/// GET as bytes: (status, content type, content disposition, body).
async fn fetch(c: &Client, path: &str) -> (u16, String, String, Vec<u8>) {
    let resp = c
        .http
        .get(format!("{}{path}", c.base))
        .send()
        .await
        .expect("GET");
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (ct, cd) = (header("content-type"), header("content-disposition"));
    (status, ct, cd, resp.bytes().await.expect("body").to_vec())
}

/// A minimal RFC 4180 reader (quoted fields with "" and line breaks), for checking.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        field.is_empty() && row.is_empty(),
        "the CSV does not end with a line end"
    );
    rows
}

async fn exports_audited(app: &TestApp) -> i64 {
    app.store
        .audit_count("proposal.export", "inbox")
        .await
        .expect("audit count")
}

/// The desk exports the filtered inbox: the same proposals as the inbox shows, in its order,
/// with Japanese labels, formula-like text inert, and one audit entry per export.
async fn desk_exports_the_filtered_inbox(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut anon = app.client();
    assert_eq!(
        propose(&mut anon, FORMULA_TITLE, None, &[]).await.status,
        303
    );
    assert_eq!(
        propose(
            &mut anon,
            "防災マップの共同作成",
            None,
            &[("kind", "consultation")]
        )
        .await
        .status,
        303
    );
    let desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;

    // Everything open (the inbox's default), as the store's inbox lists it.
    let before = exports_audited(&app).await;
    let (status, ct, cd, body) = fetch(&desk, EXPORT_CSV).await;
    assert_eq!(status, 200);
    assert_eq!(ct, "text/csv; charset=utf-8");
    assert!(
        cd.starts_with("attachment; filename=\"renkei-272027-proposals-"),
        "{cd}"
    );
    assert!(cd.ends_with(".csv\""), "{cd}");
    assert_eq!(&body[..3], b"\xef\xbb\xbf", "no UTF-8 byte order mark");
    let text = String::from_utf8(body[3..].to_vec()).expect("UTF-8");
    assert!(text.contains("\r\n"), "Excel expects CRLF");
    let rows = parse_csv(&text);
    let header = &rows[0];
    assert_eq!(header[0], "受付番号");
    for col in [
        "受付日",
        "件名",
        "種別",
        "分野",
        "状態",
        "団体名",
        "初回回答期限",
    ] {
        assert!(
            header.iter().any(|h| h == col),
            "no column {col}: {header:?}"
        );
    }
    let (open, total) = app
        .store
        .inbox(
            k(),
            &InboxFilter {
                statuses: vec!["received".into(), "hearing".into(), "coordinating".into()],
                per_page: 200,
                ..Default::default()
            },
        )
        .await
        .expect("inbox");
    assert_eq!(rows.len() - 1, total as usize);
    let receipts: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<&str> = open.iter().map(|p| p.receipt_number.as_str()).collect();
    assert_eq!(receipts, expected, "not the inbox's proposals in its order");
    let title_col = header
        .iter()
        .position(|h| h == "件名")
        .expect("title column");
    let formula_row = rows
        .iter()
        .find(|r| r[title_col].contains("HYPERLINK"))
        .expect("the formula-titled proposal");
    assert_eq!(formula_row[title_col], format!("'{FORMULA_TITLE}"));
    assert!(rows.iter().any(|r| r[title_col] == "防災マップの共同作成"));
    let kind_col = header
        .iter()
        .position(|h| h == "種別")
        .expect("kind column");
    assert!(
        rows[1..]
            .iter()
            .all(|r| !r[kind_col].is_empty() && !r[kind_col].is_ascii())
    );
    assert_eq!(exports_audited(&app).await, before + 1);

    // A filter: only consultations matching 防災; the filter is in the audit note.
    let (status, _, _, body) = fetch(
        &desk,
        &format!("{EXPORT_CSV}?kind=consultation&q=%E9%98%B2%E7%81%BD"),
    )
    .await;
    assert_eq!(status, 200);
    let rows = parse_csv(std::str::from_utf8(&body[3..]).expect("UTF-8"));
    assert!(rows.len() >= 2);
    assert!(rows[1..].iter().all(|r| r[kind_col] == "相談"), "{rows:?}");
    assert!(rows.iter().any(|r| r[title_col] == "防災マップの共同作成"));
    assert!(!rows.iter().any(|r| r[title_col].contains("HYPERLINK")));
    let note = sqlx::query_scalar::<_, String>(
        "SELECT detail FROM audit_log WHERE action = 'proposal.export' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("note");
    let note: serde_json::Value = serde_json::from_str(&note).expect("json");
    assert_eq!(note["format"], "csv");
    assert_eq!(note["count"], (rows.len() - 1).to_string());
    assert!(
        note["filter"]
            .as_str()
            .unwrap_or_default()
            .contains("kind=consultation")
    );

    // .xlsx: the same rows, read back by a spreadsheet reader.
    let (status, ct, cd, body) = fetch(&desk, &format!("{EXPORT_XLSX}?status=all")).await;
    assert_eq!(status, 200);
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(cd.ends_with(".xlsx\""), "{cd}");
    use calamine::{Data, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(body)).expect("xlsx");
    let sheet = book.sheet_names()[0].clone();
    assert_eq!(sheet, "受付一覧");
    let range = book.worksheet_range(&sheet).expect("sheet");
    let all = app
        .store
        .inbox(
            k(),
            &InboxFilter {
                per_page: 200,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .1;
    assert_eq!(range.height(), all as usize + 1);
    assert_eq!(range.get((0, 0)), Some(&Data::String("受付番号".into())));
    assert!(
        matches!(range.get((1, 1)), Some(Data::DateTime(_))),
        "{:?}",
        range.get((1, 1))
    );
    assert!(
        range
            .rows()
            .any(|r| r[title_col] == Data::String(FORMULA_TITLE.into())),
        "the formula-like title is kept as text"
    );
    assert_eq!(exports_audited(&app).await, before + 3);
    app.stop().await;
}

/// Only the tenant's desk exports: not a department, not another city's desk, not a
/// visitor; an unknown file is a 404; nothing of the proposals leaks in any refusal, and no
/// refusal is counted as an export.
async fn only_the_desk_exports(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut anon = app.client();
    assert_eq!(
        propose(&mut anon, "輸出されない機密の提案", None, &[])
            .await
            .status,
        303
    );
    let before = exports_audited(&app).await;

    let (status, _, _, body) = fetch(&anon, EXPORT_CSV).await;
    assert_eq!(status, 303, "a visitor is sent to sign in");
    assert!(!String::from_utf8_lossy(&body).contains("輸出されない"));
    for email in [
        "kikikanri@kishiwada.demo.renkei.jp",
        "desk@kawasaki.demo.renkei.jp",
    ] {
        let c = signed_in(&app, email).await;
        for path in [EXPORT_CSV, EXPORT_XLSX] {
            let (status, _, cd, body) = fetch(&c, path).await;
            assert_eq!(status, 403, "{email} {path}");
            assert!(cd.is_empty());
            assert!(
                !String::from_utf8_lossy(&body).contains("輸出されない"),
                "{email}"
            );
        }
    }
    let desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    for bad in ["proposals.pdf", "proposals.csv.exe", "..%2Fproposals.csv"] {
        let (status, _, _, _) = fetch(&desk, &format!("/t/272027/desk/export/{bad}")).await;
        assert_eq!(status, 404, "{bad}");
    }
    assert_eq!(exports_audited(&app).await, before);

    // The inbox page offers both exports with the current filters.
    let mut desk = desk;
    let page = desk
        .get("/t/272027/desk/proposals?status=all&kind=proposal")
        .await;
    assert!(
        page.body
            .contains("/t/272027/desk/export/proposals.csv?status=all&#38;kind=proposal\""),
        "no CSV link with the filters: {}",
        page.body
            .find("export/proposals.csv")
            .map(|i| &page.body[i..(i + 80).min(page.body.len())])
            .unwrap_or("(none)")
    );
    assert!(
        page.body
            .contains("/t/272027/desk/export/proposals.xlsx?status=all&#38;kind=proposal\"")
    );
    app.stop().await;
}

/// The print view: the record, hearings, routings and timeline with the seal boxes; each view
/// audited; only the tenant's desk may open it.
async fn print_view_for_the_paper_file(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut anon = app.client();
    assert_eq!(
        propose(&mut anon, "印刷して回議する提案", None, &[])
            .await
            .status,
        303
    );
    let p = app
        .store
        .inbox(
            k(),
            &InboxFilter {
                q: Some("印刷して回議".into()),
                per_page: 5,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0
        .remove(0);
    let path = format!("/t/272027/desk/proposals/{}/print", p.receipt_number);
    let reads = || async {
        app.store
            .audit_count("proposal.read", &format!("proposal:{}", p.receipt_number))
            .await
            .expect("count")
    };
    let before = reads().await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let page = desk.get(&path).await;
    assert_eq!(page.status, 200);
    for text in [
        "印刷して回議する提案",
        p.receipt_number.as_str(),
        "回議欄",
        "株式会社だんじりテック",
        "聞き取り",
        "経過",
    ] {
        assert!(page.body.contains(text), "the print view lacks {text}");
    }
    assert_eq!(reads().await, before + 1, "the print view is not audited");
    let proposal_page = desk
        .get(&format!("/t/272027/desk/proposals/{}", p.receipt_number))
        .await;
    assert!(
        proposal_page.body.contains(&format!("href=\"{path}\"")),
        "no link to the print view"
    );

    for email in [
        "kikikanri@kishiwada.demo.renkei.jp",
        "desk@kawasaki.demo.renkei.jp",
    ] {
        let mut c = signed_in(&app, email).await;
        let page = c.get(&path).await;
        assert_eq!(page.status, 403, "{email}");
        assert!(!page.body.contains("印刷して回議する提案"), "{email}");
    }
    assert_eq!(anon.get(&path).await.status, 303);
    assert_eq!(
        reads().await,
        before + 2,
        "a refused print view was counted as a read"
    );
    app.stop().await;
}

/// The inbox's pager numbers the pages, and a search among open items that misses says when
/// closed ones match (a 「0件」 is not the end of the search).
async fn inbox_pages_and_the_closed_hint(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let closed = app
        .store
        .inbox(
            k(),
            &InboxFilter {
                statuses: vec!["decided".into(), "declined".into(), "withdrawn".into()],
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0
        .remove(0);
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let page = desk
        .get(&format!(
            "/t/272027/desk/proposals?q={}",
            closed.receipt_number
        ))
        .await;
    assert!(
        page.body.contains("<p>0件</p>"),
        "the open items do not include it"
    );
    assert!(
        page.body
            .contains("対応を終えた提案（実施決定・不採択・取下げなど）にも 1件 あります")
    );
    assert!(page.body.contains(&format!(
        "?status=all&#38;q={}&#38;page=0",
        closed.receipt_number
    )));
    let open = desk
        .get("/t/272027/desk/proposals?q=%E3%81%82%E3%82%8A%E3%81%88%E3%81%AA%E3%81%84%E8%AA%9E")
        .await;
    assert!(
        !open.body.contains("対応を終えた提案"),
        "no hint when nothing closed matches either"
    );

    let all = app
        .store
        .inbox(
            k(),
            &InboxFilter {
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .1;
    let pages = (all + 24) / 25;
    assert!(pages >= 2, "the demo has more than one page of proposals");
    let first = desk.get("/t/272027/desk/proposals?status=all").await;
    assert!(first.body.contains("aria-current=\"page\" class=\"current\"><span class=\"visually-hidden\">ページ </span>1</a>"));
    assert!(first.body.contains(&format!(
        "?status=all&#38;page={}\"><span class=\"visually-hidden\">ページ </span>{pages}</a>",
        pages - 1
    )));
    app.stop().await;
}

/// In English, staff pages give Gregorian dates (1 December 2026), not 和暦; in Japanese, 和暦.
async fn dates_follow_the_reader(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut desk = signed_in(&app, "desk@kishiwada.demo.renkei.jp").await;
    let p = app
        .store
        .inbox(
            k(),
            &InboxFilter {
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .expect("inbox")
        .0
        .remove(0);
    let path = format!("/t/272027/desk/proposals/{}", p.receipt_number);
    let ja = desk.get(&path).await;
    assert!(
        ja.body
            .contains(&renkei_domain::time::wareki(p.received_on))
    );
    let en = desk.get(&format!("{path}?lang=en")).await;
    assert_eq!(en.status, 200);
    assert!(
        en.body
            .contains(&renkei_domain::time::english_date(p.received_on)),
        "Gregorian"
    );
    assert!(!en.body.contains("令和"), "no 和暦 in English");
    let inbox = desk.get("/t/272027/desk/proposals?status=all").await;
    assert!(!inbox.body.contains("令和"), "the language sticks");
    desk.get("/?lang=ja").await;
    assert!(desk.get(&path).await.body.contains("令和"));
    app.stop().await;
}

on_both!(
    dates_follow_the_reader,
    inbox_pages_and_the_closed_hint,
    desk_exports_the_filtered_inbox,
    only_the_desk_exports,
    print_view_for_the_paper_file
);
