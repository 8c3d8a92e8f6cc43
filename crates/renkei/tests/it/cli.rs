//! The `renkei` binary itself: import, users, tokens, audit verify.

use renkei_testkit::{Backend, TestDb, on_both};
use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_renkei");

fn run(db: &TestDb, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(db.cli_args())
        .args(args)
        .env("RENKEI_LOG", "warn")
        .env("RENKEI_CLOCK", renkei_testkit::TEST_EPOCH)
        .env_remove("RENKEI_DATABASE_URL")
        .env_remove("RENKEI_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn renkei");
    if let (Some(mut pipe), Some(input)) = (child.stdin.take(), stdin) {
        pipe.write_all(input.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("wait")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const LIST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../app/data/local_governments.csv"
);

async fn import_twice_and_refuse_bad_rows(backend: Backend) {
    let db = TestDb::new(backend);
    let first = run(&db, &["tenants", "import", LIST], None);
    assert!(first.status.success(), "{}", text(&first));
    assert!(
        text(&first).contains("1788 new, 0 updated, 0 unchanged"),
        "{}",
        text(&first)
    );
    let second = run(&db, &["tenants", "import", LIST], None);
    assert!(
        text(&second).contains("0 new, 0 updated, 1788 unchanged"),
        "{}",
        text(&second)
    );

    let bad =
        std::env::temp_dir().join(format!("renkei-bad-{}-{backend:?}.csv", std::process::id()));
    std::fs::write(&bad, "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272021,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n").expect("write");
    let refused = run(
        &db,
        &["tenants", "import", bad.to_str().expect("path")],
        None,
    );
    let _ = std::fs::remove_file(&bad);
    assert!(!refused.status.success());
    let out = text(&refused);
    assert!(
        out.contains(":3: 団体コードの検査数字（6桁目）が正しくありません。"),
        "{out}"
    );
    assert!(out.contains("nothing was imported"), "{out}");
}

async fn users_tokens_and_audit_verify(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(
        run(&db, &["tenants", "import", LIST], None)
            .status
            .success()
    );
    let add = run(
        &db,
        &[
            "user",
            "add",
            "--tenant",
            "272027",
            "--role",
            "desk",
            "--email",
            "desk@example.jp",
            "--password-stdin",
        ],
        Some("a good long password\n"),
    );
    assert!(add.status.success(), "{}", text(&add));
    let short = run(
        &db,
        &[
            "user",
            "add",
            "--tenant",
            "272027",
            "--role",
            "desk",
            "--email",
            "d2@example.jp",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!short.status.success());
    assert!(
        text(&short).contains("パスワードは10文字以上"),
        "{}",
        text(&short)
    );
    let bad_code = run(
        &db,
        &[
            "user",
            "add",
            "--tenant",
            "272028",
            "--role",
            "desk",
            "--email",
            "d3@example.jp",
            "--password-stdin",
        ],
        Some("a good long password\n"),
    );
    assert!(!bad_code.status.success());
    assert!(text(&bad_code).contains("検査数字"));

    let token = run(
        &db,
        &["token", "create", "--email", "desk@example.jp"],
        None,
    );
    assert!(token.status.success(), "{}", text(&token));
    let secret = String::from_utf8_lossy(&token.stdout).trim().to_string();
    assert!(secret.starts_with("rk_") && secret.len() > 40, "{secret}");
    let store = db.open().await;
    assert!(store.token_user(&secret).await.expect("lookup").is_some());
    let list = run(&db, &["token", "list", "--email", "desk@example.jp"], None);
    assert!(!text(&list).contains(&secret), "secrets are never listed");

    let ok = run(&db, &["audit", "verify"], None);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("audit chain intact"));

    // Edit one row: verify fails.
    sqlx::query(
        "UPDATE audit_log SET detail = '{\"edited\":true}' WHERE chain = '272027' AND seq = 2",
    )
    .execute(store.pool())
    .await
    .expect("tamper");
    let edited = run(&db, &["audit", "verify"], None);
    assert!(!edited.status.success());
    assert!(
        text(&edited).contains("Edited { seq: 2 }"),
        "{}",
        text(&edited)
    );
}

async fn deleting_an_audit_row_fails_verify(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(
        run(&db, &["tenants", "import", LIST], None)
            .status
            .success()
    );
    let add = run(
        &db,
        &[
            "user",
            "add",
            "--tenant",
            "272027",
            "--role",
            "admin",
            "--email",
            "a@example.jp",
            "--password-stdin",
        ],
        Some("a good long password\n"),
    );
    assert!(add.status.success());
    assert!(run(&db, &["audit", "verify"], None).status.success());
    let store = db.open().await;
    sqlx::query("DELETE FROM audit_log WHERE chain = '272027' AND seq = 1")
        .execute(store.pool())
        .await
        .expect("delete");
    let v = run(&db, &["audit", "verify"], None);
    assert!(!v.status.success());
    assert!(text(&v).contains("audit chain BROKEN"), "{}", text(&v));
}

/// `renkei user add --role desk` is not a quiet way onto the desk either: the tenant's other
/// desk staff get the same announcement mail, and the desk's home lists it.
async fn a_desk_account_added_on_the_command_line_is_announced(backend: Backend) {
    let db = TestDb::new(backend);
    assert!(
        run(&db, &["tenants", "import", LIST], None)
            .status
            .success()
    );
    let add = |email: &str| {
        run(
            &db,
            &[
                "user",
                "add",
                "--tenant",
                "272027",
                "--role",
                "desk",
                "--email",
                email,
                "--name",
                "コマンド 追加",
                "--password-stdin",
            ],
            Some("a good long password\n"),
        )
    };
    // The first desk account: no one to tell yet, but recorded.
    let first = add("first-desk@example.jp");
    assert!(first.status.success(), "{}", text(&first));
    let store = db.open().await;
    assert!(store.outbox_list(10).await.expect("outbox").is_empty());
    let second = add("second-desk@example.jp");
    assert!(second.status.success(), "{}", text(&second));
    assert!(
        text(&second).contains("announced by mail"),
        "{}",
        text(&second)
    );

    let mails = store.outbox_list(10).await.expect("outbox");
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].kind, "desk-staff");
    assert_eq!(mails[0].to, "first-desk@example.jp");
    assert!(
        mails[0]
            .body
            .contains("コマンド 追加（second-desk@example.jp）")
    );
    assert!(
        mails[0]
            .body
            .contains("サーバーのコマンド（renkei user add）")
    );
    assert!(
        mails[0].body.contains("令和8年11月24日 10:00"),
        "{}",
        mails[0].body
    );

    let k = renkei_domain::TenantCode::parse("272027").expect("code");
    let changes = store
        .desk_staff_changes(k, renkei_store::users::DESK_STAFF_NOTICE_DAYS)
        .await
        .expect("changes");
    // (Each run of the binary starts its clock at the same instant: compare as a set.)
    let mut emails = changes.iter().map(|c| c.email.as_str()).collect::<Vec<_>>();
    emails.sort();
    assert_eq!(emails, ["first-desk@example.jp", "second-desk@example.jp"]);
    assert!(changes.iter().all(|c| c.by_label == "cli"));
    let second_id = store
        .user_by_email("second-desk@example.jp")
        .await
        .expect("user")
        .id;
    assert_eq!(
        store
            .audit_count("desk.staff.added", &format!("user:{second_id}"))
            .await
            .expect("audit"),
        1
    );
    // And the desk's home page says so.
    let app = renkei_testkit::TestApp::start(store.clone()).await;
    let mut c = app.client();
    assert_eq!(
        c.login("first-desk@example.jp", "a good long password")
            .await
            .status,
        303
    );
    let home = c.get("/t/272027/desk").await;
    assert!(
        home.body
            .contains("コマンド 追加（second-desk@example.jp）がデスク担当に追加されました。"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("操作した人：サーバーのコマンド（renkei user add）")
    );
}

on_both!(
    import_twice_and_refuse_bad_rows,
    users_tokens_and_audit_verify,
    deleting_an_audit_row_fails_verify
);
on_both!(a_desk_account_added_on_the_command_line_is_announced);
