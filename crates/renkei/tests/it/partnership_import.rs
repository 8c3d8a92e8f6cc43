//! The partnership list in and out of Excel, on both databases: the same 100 agreements as a
//! Shift_JIS CSV and as an .xlsx import to the same partnerships; a file with bad rows is
//! refused naming exactly those rows and writes nothing; export → import into a fresh
//! database → export gives the same bytes; the CLI's dry run writes nothing; only the desk
//! imports; the pages' upload → preview → confirm.

use renkei_app::export::{Cell, Table};
use renkei_app::partnership_import::{self as cmd, ImportError};
use renkei_app::{App, Caller, CommandError};
use renkei_domain::{Actor, CorporateNumber, DepartmentName, Email, Password, Role, TenantCode};
use renkei_store::partnerships::{ExportRow, PartnershipFilter};
use renkei_store::users::NewUser;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestApp, TestDb, on_both};

const A: &str = "272027";
const B: &str = "131016";
const DEPTS: [&str; 3] = ["危機管理課", "子育て支援課", "観光振興課"];
const PASSWORD: &str = "excel-password-2026";

fn code(s: &str) -> TenantCode {
    TenantCode::parse(s).expect("code")
}

async fn add_user(store: &Store, tenant: &str, role: Role, email: &str, depts: Vec<String>) {
    store
        .create_user(
            &Who::cli(),
            NewUser {
                tenant: Some(code(tenant)),
                role,
                email: Email::parse(email).expect("email"),
                display_name: email.into(),
                password: Password::parse(PASSWORD).expect("password"),
                departments: depts,
            },
            &renkei_testkit::mails(renkei_testkit::DEMO_URL),
        )
        .await
        .expect("user");
}

/// Two local governments with the same department names, a desk, department staff, an
/// admin and a proponent at A, and a desk at B.
async fn seed(store: &Store) {
    let list = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n130001,東京都,,ﾄｳｷｮｳﾄ,\n131016,東京都,千代田区,ﾄｳｷｮｳﾄ,ﾁﾖﾀﾞｸ\n";
    store
        .import_tenants(list.as_bytes(), &Who::cli())
        .await
        .expect("tenants");
    for t in [A, B] {
        for d in DEPTS {
            store
                .department_create(&Who::cli(), code(t), &DepartmentName::parse(d).expect("d"))
                .await
                .expect("department");
        }
        add_user(
            store,
            t,
            Role::Desk,
            &format!("desk-{t}@excel.example.jp"),
            vec![],
        )
        .await;
    }
    add_user(
        store,
        A,
        Role::Department,
        "dept@excel.example.jp",
        vec![DEPTS[0].into()],
    )
    .await;
    add_user(store, A, Role::Admin, "admin@excel.example.jp", vec![]).await;
    add_user(
        store,
        A,
        Role::Proponent,
        "proponent@excel.example.jp",
        vec![],
    )
    .await;
}

async fn caller(store: &Store, email: &str) -> Caller {
    let u = store.user_by_email(email).await.expect("user");
    let departments = store
        .departments_of_user(u.id)
        .await
        .expect("departments")
        .iter()
        .map(|d| d.id)
        .collect();
    Caller {
        actor: Some(Actor {
            user_id: u.id,
            role: u.role,
            tenant: u.tenant_code.as_deref().map(code),
            departments,
        }),
        who: Who {
            user_id: Some(u.id),
            label: u.email.clone(),
            origin: "test".into(),
        },
    }
}

fn desk(t: &str) -> String {
    format!("desk-{t}@excel.example.jp")
}

/// A valid 法人番号 made from 12 digits.
fn corporate_number(body: u64) -> String {
    let body = format!("{:012}", body % 1_000_000_000_000);
    (1..=9)
        .map(|c| format!("{c}{body}"))
        .find(|n| CorporateNumber::parse(n).is_ok())
        .expect("a check digit fits")
}

const HEADER: [&str; 17] = [
    "全国地方公共団体コード",
    "ID",
    "地方公共団体名",
    "協定名称",
    "協定種別",
    "相手方名称",
    "相手方法人番号",
    "相手方種別",
    "締結日",
    "終了日",
    "自動更新",
    "所管課",
    "分野",
    "概要",
    "公開",
    "最終活動日",
    "備考",
];

/// The same 100 agreements of tenant `t`: every form and partner type, ISO and 和暦 dates,
/// several parties (one row each; further rows leave the agreement's columns empty or repeat
/// them), multi-line summaries, formula-like text.
fn agreements(t: &str) -> Vec<Vec<String>> {
    let forms = ["包括連携協定", "事業連携協定", "個別の連携事業"];
    let types = [
        "企業",
        "大学等",
        "NPO・市民活動団体",
        "町内会・自治会",
        "他自治体",
        "ソーシャルビジネス",
        "中間支援組織",
        "その他",
    ];
    let signed = ["", "2024-04-01", "令和5年10月1日", "R6.4.1"];
    let fields = [
        "防災・減災、地域コミュニティ",
        "子育て・教育",
        "",
        "観光・シティプロモーション;環境・脱炭素",
    ];
    let mut rows = vec![HEADER.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    for i in 0..100usize {
        let form = forms[i % 3];
        let dept = if form == "包括連携協定" && i % 2 == 0 {
            ""
        } else {
            DEPTS[i % 3]
        };
        let title = if i == 7 {
            "=SUM(1,2) 数式のような名称".to_string()
        } else {
            format!("連携協定 第{}号", i + 1)
        };
        let summary = if i % 10 == 0 {
            format!("概要{i}\n二行目, \"引用\"")
        } else {
            format!("概要{i}")
        };
        let row = |party: String, number: String, ptype: &str, full: bool| {
            let v = |s: &str| if full { s.to_string() } else { String::new() };
            vec![
                v(t),
                format!("KS-{:03}", i + 1),
                v("岸和田市"),
                v(&title),
                v(form),
                party,
                number,
                ptype.to_string(),
                v(signed[i % 4]),
                v(if i % 5 == 0 { "2025-03-31" } else { "" }),
                v(if i % 2 == 0 { "する" } else { "しない" }),
                v(dept),
                v(fields[i % 4]),
                v(&summary),
                v(if i % 3 == 0 { "する" } else { "しない" }),
                v(if i % 6 == 0 {
                    "令和8年10月1日"
                } else {
                    ""
                }),
                "メモ".to_string(),
            ]
        };
        let number = if i % 2 == 0 {
            corporate_number(4_000_000_000 + i as u64)
        } else {
            String::new()
        };
        rows.push(row(
            format!("相手方{i}株式会社"),
            number,
            types[i % 8],
            true,
        ));
        if i % 10 == 0 {
            rows.push(row(
                format!("相手方{i}大学"),
                String::new(),
                "大学等",
                false,
            ));
        }
        if i % 25 == 0 {
            rows.push(row(
                format!("相手方{i}町内会"),
                String::new(),
                "町内会・自治会",
                true,
            ));
        }
    }
    rows
}

fn csv_text(rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

fn shift_jis(rows: &[Vec<String>]) -> Vec<u8> {
    let text = csv_text(rows);
    let (bytes, _, bad) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!bad, "the test data fits Shift_JIS");
    bytes.into_owned()
}

fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let table = Table {
        headers: rows[0].clone(),
        rows: rows[1..]
            .iter()
            .map(|r| r.iter().map(|c| Cell::from(c.as_str())).collect())
            .collect(),
    };
    renkei_app::export::to_xlsx(&table, "協定一覧").expect("xlsx")
}

async fn count(store: &Store, t: &str) -> i64 {
    store
        .partnerships(
            code(t),
            &PartnershipFilter {
                per_page: 1,
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .1
}

/// What must be equal between two imports of the same agreements (not ids).
fn comparable(list: &[ExportRow]) -> Vec<String> {
    list.iter()
        .map(|p| {
            format!(
                "{:?}|{:?}|{}|{:?}|{:?}|{:?}|{}|{}|{:?}|{}|{:?}|{:?}",
                p.source_id,
                p.form,
                p.title,
                p.department_name,
                p.signed_on,
                p.ends_on,
                p.auto_renew,
                p.published,
                p.fields,
                p.summary_text,
                p.last_activity_on,
                p.parties
                    .iter()
                    .map(|x| (&x.name, x.party_type, &x.corporate_number, x.position))
                    .collect::<Vec<_>>()
            )
        })
        .collect()
}

async fn statuses(store: &Store, t: &str) -> Vec<(String, String)> {
    let (list, _) = store
        .partnerships(
            code(t),
            &PartnershipFilter {
                per_page: 500,
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|p| (p.title.clone(), p.status.code().to_string()))
        .collect();
    out.sort();
    out
}

async fn shift_jis_csv_and_xlsx_import_the_same(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    seed(&store).await;
    let app = App::new(store.clone(), "");
    let csv = shift_jis(&agreements(A));
    let book = xlsx(&agreements(B));
    let desk_a = caller(&store, &desk(A)).await;
    let desk_b = caller(&store, &desk(B)).await;
    let preview = cmd::preview(&app, &desk_a, code(A), &csv, "協定一覧.csv")
        .await
        .expect("preview");
    assert_eq!(preview.sheet.errors, vec![]);
    assert_eq!(preview.sheet.agreements.len(), 100);
    assert_eq!(preview.sheet.ignored_columns, vec!["備考".to_string()]);
    assert_eq!(count(&store, A).await, 0, "a preview writes nothing");
    assert_eq!(
        cmd::import(&app, &desk_a, code(A), &csv, "協定一覧.csv")
            .await
            .expect("import csv"),
        100
    );
    assert_eq!(
        cmd::import(&app, &desk_b, code(B), &book, "協定一覧.xlsx")
            .await
            .expect("import xlsx"),
        100
    );
    let a = store
        .partnerships_export(code(A), &PartnershipFilter::default())
        .await
        .expect("a");
    let b = store
        .partnerships_export(code(B), &PartnershipFilter::default())
        .await
        .expect("b");
    assert_eq!(a.len(), 100);
    assert_eq!(comparable(&a), comparable(&b));
    assert_eq!(statuses(&store, A).await, statuses(&store, B).await);
    // Several parties, 和暦, formula-like text, multi-line text, last activity.
    let first = &a[0];
    assert_eq!(first.source_id.as_deref(), Some("KS-001"));
    assert_eq!(first.parties.len(), 3);
    assert_eq!(first.parties[1].name, "相手方0大学");
    assert_eq!(first.summary_text, "概要0\n二行目, \"引用\"");
    assert_eq!(
        first.last_activity_on,
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
    );
    assert_eq!(
        a[2].signed_on,
        chrono::NaiveDate::from_ymd_opt(2023, 10, 1),
        "令和5年10月1日"
    );
    assert_eq!(
        a[3].signed_on,
        chrono::NaiveDate::from_ymd_opt(2024, 4, 1),
        "R6.4.1"
    );
    assert_eq!(a[7].title, "=SUM(1,2) 数式のような名称");
    let st = statuses(&store, A).await;
    let status_of = |title: &str| {
        st.iter()
            .find(|(t, _)| t == title)
            .map(|(_, s)| s.clone())
            .expect("title")
    };
    assert_eq!(status_of("連携協定 第1号"), "preparing");
    assert_eq!(status_of("連携協定 第2号"), "active");
    // Signed 2024-04-01, ended 2025-03-31 without automatic renewal.
    assert_eq!(status_of("連携協定 第6号"), "ended");
    // One audit entry for the import, with the count and the file's SHA-256.
    let audit = store.audit_recent(A, 50).await.expect("audit");
    let entry = audit
        .iter()
        .find(|e| e.action == "partnership.import")
        .expect("audited");
    assert!(entry.detail.contains("\"count\":100"), "{}", entry.detail);
    assert!(entry.detail.contains(&preview.sha256), "{}", entry.detail);
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "partnership.import")
            .count(),
        1
    );
    // The same file again: every ID is taken, nothing more is written.
    match cmd::import(&app, &desk_a, code(A), &csv, "協定一覧.csv").await {
        Err(ImportError::BadRows(rows)) => {
            assert_eq!(rows.len(), 100);
            assert!(rows.iter().all(|r| r.key == "error-import-id-taken"));
        }
        other => panic!("re-import: {other:?}"),
    }
    assert_eq!(count(&store, A).await, 100);
}

/// The bad-rows file: row 2 is fine; 3 a bad date; 4 an unknown 協定種別; 5 a 法人番号 with a
/// wrong check digit; 6 another local government's code; 7 an unknown 所管課.
fn bad_rows() -> Vec<u8> {
    let mut rows = agreements(A);
    rows.truncate(2);
    let base = rows[1].clone();
    let mut with = |col: usize, value: &str, id: &str| {
        let mut r = base.clone();
        r[1] = id.into();
        r[col] = value.into();
        rows.push(r);
    };
    with(8, "2024-02-30", "BAD-3");
    with(4, "覚書", "BAD-4");
    let good = corporate_number(4_000_000_001);
    let wrong_check = format!(
        "{}{}",
        if &good[..1] == "1" { "2" } else { "1" },
        &good[1..]
    );
    with(6, &wrong_check, "BAD-5");
    with(0, B, "BAD-6");
    with(11, "存在しない課", "BAD-7");
    shift_jis(&rows)
}

async fn bad_rows_are_refused_by_line_and_nothing_is_written(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    seed(&store).await;
    let app = App::new(store.clone(), "");
    let desk_a = caller(&store, &desk(A)).await;
    let before = count(&store, A).await;
    let audit_before = store.audit_recent(A, 1000).await.expect("audit").len();
    match cmd::import(&app, &desk_a, code(A), &bad_rows(), "bad.csv").await {
        Err(ImportError::BadRows(rows)) => {
            let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
            assert_eq!(lines, vec![3, 4, 5, 6, 7], "{rows:?}");
            let tr = renkei_app::i18n::Tr::new(renkei_app::i18n::Lang::Ja);
            assert!(
                rows[4].line_message(&tr).starts_with("行 7: 「所管課」"),
                "{}",
                rows[4].line_message(&tr)
            );
            assert!(rows[4].line_message(&tr).contains("存在しない課"));
        }
        other => panic!("bad rows: {other:?}"),
    }
    assert_eq!(count(&store, A).await, before);
    assert_eq!(
        store.audit_recent(A, 1000).await.expect("audit").len(),
        audit_before
    );
    // A missing required column is named.
    match cmd::preview(
        &app,
        &desk_a,
        code(A),
        "ID,協定名称\nX,Y\n".as_bytes(),
        "x.csv",
    )
    .await
    {
        Ok(p) => {
            assert!(
                p.sheet
                    .errors
                    .iter()
                    .any(|e| e.column == "全国地方公共団体コード" && e.line == 1)
            );
        }
        Err(e) => panic!("{e:?}"),
    }
}

async fn only_the_desk_imports(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    seed(&store).await;
    let app = App::new(store.clone(), "");
    let csv = shift_jis(&agreements(A));
    for who in [
        "dept@excel.example.jp".to_string(),
        "admin@excel.example.jp".to_string(),
        "proponent@excel.example.jp".to_string(),
        desk(B),
    ] {
        let c = caller(&store, &who).await;
        assert!(
            matches!(
                cmd::preview(&app, &c, code(A), &csv, "x.csv").await,
                Err(CommandError::Forbidden)
            ),
            "{who} previews"
        );
        assert!(
            matches!(
                cmd::import(&app, &c, code(A), &csv, "x.csv").await,
                Err(ImportError::Command(CommandError::Forbidden))
            ),
            "{who} imports"
        );
    }
    let nobody = Caller {
        actor: None,
        who: Who::cli(),
    };
    assert!(matches!(
        cmd::import(&app, &nobody, code(A), &csv, "x.csv").await,
        Err(ImportError::Command(CommandError::Forbidden))
    ));
    assert_eq!(count(&store, A).await, 0);
}

fn cli(db: &TestDb, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_renkei"))
        .args(db.cli_args())
        .args(args)
        .env("RENKEI_LOG", "warn")
        .env("RENKEI_CLOCK", renkei_testkit::TEST_EPOCH)
        .env_remove("RENKEI_DATABASE_URL")
        .env_remove("RENKEI_DATA_DIR")
        .output()
        .expect("run renkei")
}

fn out(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

async fn the_cli_dry_run_writes_nothing(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    seed(&store).await;
    let dir = std::env::temp_dir();
    let good = dir.join(format!(
        "renkei-pimport-{}-{backend:?}.csv",
        std::process::id()
    ));
    let bad = dir.join(format!(
        "renkei-pimport-bad-{}-{backend:?}.csv",
        std::process::id()
    ));
    std::fs::write(&good, shift_jis(&agreements(A))).expect("write");
    std::fs::write(&bad, bad_rows()).expect("write");
    let good_path = good.to_str().expect("path");
    let bad_path = bad.to_str().expect("path");

    let dry = cli(
        &db,
        &[
            "import",
            "partnerships",
            "--tenant",
            A,
            good_path,
            "--dry-run",
        ],
    );
    assert!(dry.status.success(), "{}", out(&dry));
    assert!(out(&dry).contains("100 partnership(s)"), "{}", out(&dry));
    assert_eq!(count(&store, A).await, 0, "a dry run writes nothing");

    let refused = cli(
        &db,
        &[
            "import",
            "partnerships",
            "--tenant",
            A,
            bad_path,
            "--dry-run",
        ],
    );
    assert!(!refused.status.success());
    let text = out(&refused);
    for line in [3, 4, 5, 6, 7] {
        assert!(text.contains(&format!("行 {line}: ")), "{text}");
    }
    assert!(!text.contains("行 2: "), "{text}");
    assert!(text.contains("行 3: 「締結日」：日付は"), "{text}");
    let refused = cli(&db, &["import", "partnerships", "--tenant", A, bad_path]);
    assert!(!refused.status.success());
    assert_eq!(count(&store, A).await, 0);

    let done = cli(&db, &["import", "partnerships", "--tenant", A, good_path]);
    assert!(done.status.success(), "{}", out(&done));
    assert!(
        out(&done).contains("imported 100 partnership(s)"),
        "{}",
        out(&done)
    );
    assert_eq!(count(&store, A).await, 100);
    // Another local government's file is refused row by row.
    let other = cli(
        &db,
        &[
            "import",
            "partnerships",
            "--tenant",
            B,
            good_path,
            "--dry-run",
        ],
    );
    assert!(!other.status.success());
    assert!(out(&other).contains("この自治体の全国地方公共団体コードではありません"));
    let _ = std::fs::remove_file(&good);
    let _ = std::fs::remove_file(&bad);
}

/// Uploads a file through the import form; returns the answer.
async fn upload(
    c: &renkei_testkit::Client,
    t: &str,
    csrf: &str,
    data: Vec<u8>,
    name: &str,
) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(data).file_name(name.to_string()),
        );
    let resp = c
        .http
        .post(format!("{}/t/{t}/partnerships/import", c.base))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

fn token_in(html: &str) -> Option<String> {
    let start = html.find("name=\"token\" value=\"")? + "name=\"token\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_string())
}

async fn the_pages_preview_confirm_and_export_round_trip(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed(&app.store).await;
    let mut c = app.client();
    assert_eq!(c.login(&desk(A), PASSWORD).await.status, 303);
    let form = c.get(&format!("/t/{A}/partnerships/import")).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    let csrf = c.csrf.clone();

    // Bad rows: 422, every line named, nothing held to confirm, nothing written.
    let (status, body) = upload(&c, A, &csrf, bad_rows(), "bad.csv").await;
    assert_eq!(status, 422, "{body}");
    for line in [3, 4, 5, 6, 7] {
        assert!(
            body.contains(&format!("<td data-label=\"行\" class=\"mono\">{line}</td>")),
            "{body}"
        );
    }
    assert!(token_in(&body).is_none());
    assert_eq!(count(&app.store, A).await, 0);
    // No file at all.
    let (status, body) = upload(&c, A, &csrf, Vec::new(), "").await;
    assert_eq!(status, 422, "{body}");

    // The good file: a preview, still nothing written, then 取り込む.
    let (status, body) = upload(&c, A, &csrf, xlsx(&agreements(A)), "協定一覧.xlsx").await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("100件の連携事業を登録します"), "{body}");
    assert!(body.contains("KS-100"));
    assert_eq!(count(&app.store, A).await, 0);
    let token = token_in(&body).expect("token");
    // Another desk cannot confirm this upload.
    let mut other = app.client();
    assert_eq!(other.login(&desk(B), PASSWORD).await.status, 303);
    other.get(&format!("/t/{B}/partnerships/import")).await;
    let stolen = other
        .post(
            &format!("/t/{B}/partnerships/import/confirm"),
            &[("token", &token)],
        )
        .await;
    assert_eq!(stolen.status, 422);
    assert_eq!(count(&app.store, B).await, 0);
    let done = c
        .post(
            &format!("/t/{A}/partnerships/import/confirm"),
            &[("token", &token)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.body.contains("100件の連携事業を登録しました"),
        "{}",
        done.body
    );
    assert_eq!(count(&app.store, A).await, 100);
    // Confirming twice does nothing more.
    let again = c
        .post(
            &format!("/t/{A}/partnerships/import/confirm"),
            &[("token", &token)],
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(count(&app.store, A).await, 100);

    // Export: CSV with BOM and CRLF, the list's filters, a Japanese file name, audited.
    let exported = c
        .http
        .get(app.url(&format!("/t/{A}/partnerships/export.csv")))
        .send()
        .await
        .expect("export");
    assert_eq!(exported.status().as_u16(), 200);
    let disposition = exported
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        disposition.contains("filename*=UTF-8''%E9%80%A3%E6%90%BA"),
        "{disposition}"
    );
    let first = exported.bytes().await.expect("body").to_vec();
    assert!(first.starts_with(b"\xef\xbb\xbf"));
    let text = String::from_utf8(first[3..].to_vec()).expect("utf-8");
    assert!(
        text.starts_with("全国地方公共団体コード,ID,地方公共団体名,協定名称,協定種別,相手方名称,")
    );
    assert!(text.contains("\r\n"));
    // 100 agreements, 10 with a second party and 4 with a third: 114 rows under the header.
    assert_eq!(text.split("\r\n").count(), 1 + 114 + 1);
    let filtered = c
        .http
        .get(app.url(&format!(
            "/t/{A}/partnerships/export.csv?form=comprehensive"
        )))
        .send()
        .await
        .expect("filtered")
        .text()
        .await
        .expect("text");
    assert!(filtered.contains("包括連携協定") && !filtered.contains("事業連携協定"));
    let xlsx_export = c
        .http
        .get(app.url(&format!("/t/{A}/partnerships/export.xlsx")))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(xlsx_export.status().as_u16(), 200);
    let xlsx_bytes = xlsx_export.bytes().await.expect("body").to_vec();
    assert!(xlsx_bytes.starts_with(b"PK"));
    let exports = app
        .store
        .audit_recent(A, 100)
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "partnership.export")
        .count();
    assert_eq!(exports, 3);

    // Into a fresh database (the same local government and departments): the export imports
    // unchanged, and its own export is byte for byte the first. (The ID column carries each
    // agreement's imported ID, so no number differs.)
    let fresh = TestApp::spawn(backend).await;
    seed(&fresh.store).await;
    let fresh_app = App::new(fresh.store.clone(), "");
    let desk_fresh = caller(&fresh.store, &desk(A)).await;
    assert_eq!(
        cmd::import(&fresh_app, &desk_fresh, code(A), &first, "export.csv")
            .await
            .expect("import the export"),
        100
    );
    let mut fc = fresh.client();
    assert_eq!(fc.login(&desk(A), PASSWORD).await.status, 303);
    let second = fc
        .http
        .get(fresh.url(&format!("/t/{A}/partnerships/export.csv")))
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("body")
        .to_vec();
    assert_eq!(
        String::from_utf8_lossy(&second),
        String::from_utf8_lossy(&first)
    );
    // The .xlsx export imports too (into B of the fresh database it is the wrong tenant).
    let fresh_desk_b = caller(&fresh.store, &desk(B)).await;
    match cmd::import(
        &fresh_app,
        &fresh_desk_b,
        code(B),
        &xlsx_bytes,
        "export.xlsx",
    )
    .await
    {
        Err(ImportError::BadRows(rows)) => {
            assert!(rows.iter().all(|r| r.key == "error-import-tenant-other"));
        }
        other => panic!("{other:?}"),
    }
    // The first database's .xlsx export re-imported into A there: every ID taken.
    let desk_a = caller(&app.store, &desk(A)).await;
    let app_a = App::new(app.store.clone(), "");
    match cmd::preview(&app_a, &desk_a, code(A), &xlsx_bytes, "export.xlsx").await {
        Ok(p) => {
            assert_eq!(p.sheet.errors.len(), 100);
            assert!(
                p.sheet
                    .errors
                    .iter()
                    .all(|e| e.key == "error-import-id-taken")
            );
        }
        Err(e) => panic!("{e:?}"),
    }

    // Roles on the pages: department staff may export but not import; a proponent neither;
    // another local government's desk neither.
    let mut dept = app.client();
    assert_eq!(
        dept.login("dept@excel.example.jp", PASSWORD).await.status,
        303
    );
    assert_eq!(
        dept.get(&format!("/t/{A}/partnerships/import"))
            .await
            .status,
        403
    );
    assert_eq!(
        dept.get(&format!("/t/{A}/partnerships/export.csv"))
            .await
            .status,
        200
    );
    let mut prop = app.client();
    assert_eq!(
        prop.login("proponent@excel.example.jp", PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(
        prop.get(&format!("/t/{A}/partnerships/import"))
            .await
            .status,
        403
    );
    assert_eq!(
        prop.get(&format!("/t/{A}/partnerships/export.xlsx"))
            .await
            .status,
        403
    );
    assert_eq!(
        other
            .get(&format!("/t/{A}/partnerships/export.csv"))
            .await
            .status,
        403
    );
    assert_eq!(
        other
            .get(&format!("/t/{A}/partnerships/import"))
            .await
            .status,
        403
    );
    let anon = app
        .client()
        .get(&format!("/t/{A}/partnerships/export.csv"))
        .await;
    assert_eq!(anon.status, 303);

    // The partner registry (filled by the import's parties) exports too: desk only, audited.
    let partners = c.get(&format!("/t/{A}/desk/partners")).await;
    assert!(
        partners
            .body
            .contains(&format!("/t/{A}/desk/partners/export.csv"))
    );
    let registry = c
        .get(&format!(
            "/t/{A}/desk/partners/export.csv?q=%E5%A4%A7%E5%AD%A6"
        ))
        .await;
    assert_eq!(registry.status, 200);
    assert!(
        registry
            .body
            .starts_with("\u{feff}団体名,フリガナ,団体の種類,"),
        "{}",
        registry.body
    );
    assert!(registry.body.contains("相手方0大学"));
    assert!(!registry.body.contains("相手方0株式会社"));
    let registry_xlsx = c.get(&format!("/t/{A}/desk/partners/export.xlsx")).await;
    assert_eq!(registry_xlsx.status, 200);
    assert_eq!(
        dept.get(&format!("/t/{A}/desk/partners/export.csv"))
            .await
            .status,
        403
    );
    assert_eq!(
        other
            .get(&format!("/t/{A}/desk/partners/export.xlsx"))
            .await
            .status,
        403
    );
    let audited = app
        .store
        .audit_recent(A, 200)
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "partner.export")
        .count();
    assert_eq!(audited, 2);
}

async fn upload_to(
    c: &renkei_testkit::Client,
    path: &str,
    csrf: &str,
    data: Vec<u8>,
    name: &str,
) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(data).file_name(name.to_string()),
        );
    let resp = c
        .http
        .post(format!("{}{path}", c.base))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

async fn indicators(store: &Store, id: i64) -> Vec<(String, String, Option<i64>, Option<i64>)> {
    store
        .progress_lines(code(A), 2026)
        .await
        .expect("lines")
        .into_iter()
        .filter(|l| l.partnership_id == id && !l.name.is_empty())
        .map(|l| (l.name, l.unit, l.target, l.actual))
        .collect()
}

/// A department updates its own partnerships' indicators from a sheet; another
/// department's partnership is a row error and nothing is written.
async fn progress_is_updated_from_a_sheet(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    seed(&app.store).await;
    let commands = App::new(app.store.clone(), "");
    let desk_a = caller(&app.store, &desk(A)).await;
    cmd::import(
        &commands,
        &desk_a,
        code(A),
        &shift_jis(&agreements(A)),
        "a.csv",
    )
    .await
    .expect("import");
    let list = app
        .store
        .partnerships_export(code(A), &PartnershipFilter::default())
        .await
        .expect("list");
    let id_of = |s: &str| {
        list.iter()
            .find(|p| p.source_id.as_deref() == Some(s))
            .map(|p| p.id)
            .expect("id")
    };
    // KS-004: 危機管理課 (the department member's); KS-002: 子育て支援課 (not theirs).
    let mine = id_of("KS-004");
    let theirs = id_of("KS-002");
    let mut c = app.client();
    assert_eq!(c.login("dept@excel.example.jp", PASSWORD).await.status, 303);
    let home = c.get(&format!("/t/{A}/department")).await;
    assert!(home.body.contains(&format!("/t/{A}/partnerships/progress")));
    let page = c.get(&format!("/t/{A}/partnerships/progress")).await;
    assert_eq!(page.status, 200);
    let csrf = c.csrf.clone();
    let template = c
        .get(&format!("/t/{A}/partnerships/progress-template.csv"))
        .await;
    assert_eq!(template.status, 200);
    assert!(
        template
            .body
            .contains("ID,協定名称,指標名,単位,年度,目標値,実績値")
    );
    assert!(
        template
            .body
            .contains(&format!("\r\n{mine},連携協定 第4号,,,2026,,")),
        "{}",
        template.body
    );
    assert!(!template.body.contains(&format!("\r\n{theirs},")));

    let sheet = format!(
        "ID,指標名,単位,年度,目標値,実績値\r\n{mine},参加者数,人,令和8,\"1,000\",800\r\n{mine},協定締結数,件,2026,5,\r\n"
    );
    let (status, body) = upload_to(
        &c,
        &format!("/t/{A}/partnerships/progress"),
        &csrf,
        sheet.into_bytes(),
        "進捗.csv",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("2行の成果指標を更新します"), "{body}");
    assert!(
        indicators(&app.store, mine).await.is_empty(),
        "a preview writes nothing"
    );
    let token = token_in(&body).expect("token");
    let done = c
        .post(
            &format!("/t/{A}/partnerships/progress/confirm"),
            &[("token", &token)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("2行の成果指標を更新しました"));
    assert_eq!(
        indicators(&app.store, mine).await,
        vec![
            (
                "参加者数".to_string(),
                "人".to_string(),
                Some(1000),
                Some(800)
            ),
            ("協定締結数".to_string(), "件".to_string(), Some(5), None),
        ]
    );

    // Another department's partnership: row 3 is refused, and row 2 is not written either.
    let sheet = format!(
        "ID,指標名,単位,年度,目標値,実績値\r\n{mine},参加者数,,2026,1200,950\r\n{theirs},参加者数,人,2026,1,1\r\n"
    );
    let (status, body) = upload_to(
        &c,
        &format!("/t/{A}/partnerships/progress"),
        &csrf,
        sheet.clone().into_bytes(),
        "進捗.xlsx.csv",
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("この連携事業の進捗を更新する権限がありません"),
        "{body}"
    );
    assert!(
        body.contains("<td data-label=\"行\" class=\"mono\">3</td>"),
        "{body}"
    );
    assert!(token_in(&body).is_none());
    let dept_a = caller(&app.store, "dept@excel.example.jp").await;
    match renkei_app::progress_import::update(
        &commands,
        &dept_a,
        code(A),
        sheet.as_bytes(),
        "x.csv",
    )
    .await
    {
        Err(ImportError::BadRows(rows)) => {
            assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(indicators(&app.store, mine).await[0].2, Some(1000));
    // The desk manages both: the same sheet goes through, keeping the unit left empty.
    assert_eq!(
        renkei_app::progress_import::update(&commands, &desk_a, code(A), sheet.as_bytes(), "x.csv")
            .await
            .expect("desk update"),
        2
    );
    assert_eq!(
        indicators(&app.store, mine).await[0],
        (
            "参加者数".to_string(),
            "人".to_string(),
            Some(1200),
            Some(950)
        )
    );
    assert_eq!(indicators(&app.store, theirs).await.len(), 1);
    let audited = app
        .store
        .audit_recent(A, 100)
        .await
        .expect("audit")
        .iter()
        .filter(|e| e.action == "partnership.progress")
        .count();
    assert_eq!(audited, 2);
    // A proponent and another local government's desk are refused.
    let mut prop = app.client();
    assert_eq!(
        prop.login("proponent@excel.example.jp", PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(
        prop.get(&format!("/t/{A}/partnerships/progress"))
            .await
            .status,
        403
    );
    let mut other = app.client();
    assert_eq!(other.login(&desk(B), PASSWORD).await.status, 303);
    assert_eq!(
        other
            .get(&format!("/t/{A}/partnerships/progress-template.csv"))
            .await
            .status,
        403
    );
    let desk_b = caller(&app.store, &desk(B)).await;
    assert!(matches!(
        renkei_app::progress_import::update(&commands, &desk_b, code(A), sheet.as_bytes(), "x.csv")
            .await,
        Err(ImportError::Command(CommandError::Forbidden))
    ));
}

/// Titles, names and a summary that Excel would run as formulas from a CSV.
const EVIL_TITLE: &str = "=HYPERLINK(\"http://evil.example\",\"x\")";
const FORMULA_TEXTS: [(&str, &str, &str); 4] = [
    (EVIL_TITLE, "+cmd|' /C calc'!A0", "@SUM(1,2)\n-二行目"),
    ("=1+1", "-防災株式会社", "普通の概要"),
    ("-防災", "＝全角の団体", "＋全角で始まる概要"),
    ("'=引用符で始まる名称", "'引用符の団体", "'概要"),
];

/// A published, signed partnership of A with one party.
async fn formula_partnership(store: &Store, title: &str, party: &str, summary: &str) -> i64 {
    use renkei_domain::partnership::{
        Partnership, PartnershipInput, PartnershipStatus, PartyInput,
    };
    let input = PartnershipInput {
        form: "comprehensive".into(),
        title: title.into(),
        summary: summary.into(),
        parties: vec![PartyInput {
            name: party.into(),
            party_type: "company".into(),
            corporate_number: String::new(),
            role: String::new(),
        }],
        fields: vec!["disaster".into()],
        signed_on: "2024-04-01".into(),
        published: true,
        ..Default::default()
    };
    let record = Partnership::parse(&input).expect("valid");
    assert_eq!(record.title, title, "the domain keeps the title as typed");
    store
        .partnership_create(
            code(A),
            &renkei_store::partnerships::NewPartnership {
                record,
                proposal_id: None,
                status: PartnershipStatus::Active,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("create")
}

/// Every record of a CSV file with its BOM, as cells.
fn csv_cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let body = bytes.strip_prefix(b"\xef\xbb\xbf").expect("the BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

/// No cell of the file is a formula to Excel; returns the cells.
fn inert_csv(what: &str, bytes: &[u8]) -> Vec<Vec<String>> {
    let rows = csv_cells(bytes);
    for row in &rows {
        for cell in row {
            assert!(
                !renkei_domain::spreadsheet::is_formula_like(cell),
                "{what}: {cell:?} is a formula"
            );
        }
    }
    rows
}

/// The column named `header` of every row under the header.
fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let i = rows[0]
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no column {header}"));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

/// Issue 10 and CSV injection: a partnership titled `=HYPERLINK(…)` (and others starting with
/// `=`, `-`, `+`, `@`, a tab or `'`) is inert text in the open-data CSV (tenant and national),
/// the staff export's CSV and .xlsx, while the JSON keeps it as stored; export → import into a
/// fresh database gives back every title, party and summary unchanged, from the CSV and the
/// .xlsx, and the re-export is the same bytes.
async fn formula_text_is_inert_in_every_file_and_round_trips(backend: Backend) {
    use calamine::{Data, Reader, Xlsx};
    let app = TestApp::spawn(backend).await;
    seed(&app.store).await;
    let mut ids = Vec::new();
    for (title, party, summary) in FORMULA_TEXTS {
        ids.push(formula_partnership(&app.store, title, party, summary).await);
    }
    let guarded = |s: &str| format!("'{s}");
    let titles: Vec<String> = FORMULA_TEXTS.iter().map(|t| t.0.to_string()).collect();

    // Open data, the tenant's file and the national one: the guard on every text column.
    let anon = app.client();
    for path in [
        format!("/t/{A}/opendata/partnerships.csv"),
        "/opendata/partnerships.csv".to_string(),
    ] {
        let resp = anon
            .http
            .get(app.url(&path))
            .send()
            .await
            .expect("open data");
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let rows = inert_csv(&path, &resp.bytes().await.expect("body"));
        assert_eq!(
            &rows[0][..3],
            ["全国地方公共団体コード", "ID", "地方公共団体名"]
        );
        assert_eq!(
            column(&rows, "ID"),
            ids.iter().map(|i| i.to_string()).collect::<Vec<_>>()
        );
        assert_eq!(
            column(&rows, "名称"),
            titles.iter().map(|t| guarded(t)).collect::<Vec<_>>()
        );
        assert_eq!(
            column(&rows, "相手方名称"),
            FORMULA_TEXTS
                .iter()
                .map(|t| guarded(t.1))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            column(&rows, "概要"),
            [
                "'@SUM(1,2)\n-二行目",
                "普通の概要",
                "'＋全角で始まる概要",
                "''概要"
            ]
        );
        // Values Renkei writes stay as they are.
        assert!(column(&rows, "締結日").iter().all(|d| d == "2024-04-01"));
    }
    // The JSON carries the values as stored.
    let json = anon
        .api_get(&format!("/api/v1/opendata/partnerships?tenant={A}"), None)
        .await;
    assert_eq!(json.status, 200, "{}", json.body);
    let names: Vec<String> = json.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(names, titles);

    // The staff export: CSV guarded, .xlsx with string cells and no formula at all.
    let mut c = app.client();
    assert_eq!(c.login(&desk(A), PASSWORD).await.status, 303);
    let get = |path: String| {
        let http = c.http.clone();
        let url = app.url(&path);
        async move {
            let resp = http.get(url).send().await.expect("export");
            assert_eq!(resp.status().as_u16(), 200, "{path}");
            resp.bytes().await.expect("body").to_vec()
        }
    };
    let first = get(format!("/t/{A}/partnerships/export.csv")).await;
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let rows = inert_csv("export.csv", &first);
    assert_eq!(
        sorted(column(&rows, "協定名称")),
        sorted(titles.iter().map(|t| guarded(t)).collect())
    );
    assert_eq!(
        sorted(column(&rows, "相手方名称")),
        sorted(FORMULA_TEXTS.iter().map(|t| guarded(t.1)).collect())
    );
    assert!(
        String::from_utf8_lossy(&first)
            .contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"")
    );
    let xlsx_bytes = get(format!("/t/{A}/partnerships/export.xlsx")).await;
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx_bytes.clone())).expect("xlsx");
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).expect("sheet");
    assert_eq!(range.get((0, 3)), Some(&Data::String("協定名称".into())));
    // Each title is a string cell holding the title itself (`'` only before the one that
    // starts with `'`, for the importer).
    let cells: Vec<String> = (1..=FORMULA_TEXTS.len() as u32)
        .map(|r| match range.get_value((r, 3)) {
            Some(Data::String(s)) => s.clone(),
            other => panic!("not a string cell: {other:?}"),
        })
        .collect();
    let mut want: Vec<String> = titles
        .iter()
        .map(|t| {
            if t.starts_with('\'') {
                guarded(t)
            } else {
                t.clone()
            }
        })
        .collect();
    want.sort();
    assert_eq!(sorted(cells), want);
    let formulas = book.worksheet_formula(&sheet).expect("formulas");
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "the .xlsx holds a formula"
    );

    // Export → import into a fresh database: everything comes back as it was, from the CSV
    // and from the .xlsx; the re-export is the same bytes.
    for (file, name) in [(&first, "export.csv"), (&xlsx_bytes, "export.xlsx")] {
        let fresh = TestApp::spawn(backend).await;
        seed(&fresh.store).await;
        let fresh_app = App::new(fresh.store.clone(), "");
        let desk_fresh = caller(&fresh.store, &desk(A)).await;
        assert_eq!(
            cmd::import(&fresh_app, &desk_fresh, code(A), file, name)
                .await
                .expect("import the export"),
            FORMULA_TEXTS.len()
        );
        let back = fresh
            .store
            .partnerships_export(code(A), &PartnershipFilter::default())
            .await
            .expect("export rows");
        let mut got: Vec<(String, String, String)> = back
            .iter()
            .map(|p| {
                (
                    p.title.clone(),
                    p.parties[0].name.clone(),
                    p.summary_text.clone(),
                )
            })
            .collect();
        let mut want: Vec<(String, String, String)> = FORMULA_TEXTS
            .iter()
            .map(|(t, p, s)| (t.to_string(), p.to_string(), s.to_string()))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}");
        let mut fc = fresh.client();
        assert_eq!(fc.login(&desk(A), PASSWORD).await.status, 303);
        let second = fc
            .http
            .get(fresh.url(&format!("/t/{A}/partnerships/export.csv")))
            .send()
            .await
            .expect("export")
            .bytes()
            .await
            .expect("body")
            .to_vec();
        assert_eq!(
            String::from_utf8_lossy(&second),
            String::from_utf8_lossy(&first),
            "{name}"
        );
    }
}

on_both!(
    shift_jis_csv_and_xlsx_import_the_same,
    bad_rows_are_refused_by_line_and_nothing_is_written,
    only_the_desk_imports,
    the_cli_dry_run_writes_nothing,
    the_pages_preview_confirm_and_export_round_trip,
    progress_is_updated_from_a_sheet,
    formula_text_is_inert_in_every_file_and_round_trips,
);
