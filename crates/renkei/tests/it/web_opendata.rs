//! Open data and the agreement register: the CSV files (BOM, exact header, one row per
//! published partnership and none for the others, RFC 4180 quoting, the whole country), the
//! JSON API paged by its cursor (the same rows as the CSV), the Atom feeds (well-formed XML,
//! escaped, links from the configured public address, never the Host header), the licence
//! (CC BY 4.0 by default, set by the administrator, shown everywhere), the register (dormant
//! agreements marked in words), and nothing confidential anywhere — on both databases.

use renkei_app::demo::DEMO_PASSWORD;
use renkei_app::opendata::{CALL_COLUMNS, PARTNERSHIP_COLUMNS};
use renkei_domain::TenantCode;
use renkei_domain::open_call::{CallMove, OpenCall, OpenCallInput};
use renkei_domain::partnership::{Partnership, PartnershipInput, PartnershipStatus, PartyInput};
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_store::events::NoMail;
use renkei_store::partnerships::NewPartnership;
use renkei_store::proposals::NewProposal;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, Client, TestApp, TestDb, on_both};

const K: &str = "272027";
const KAWASAKI: &str = "141305";
const ADMIN: &str = "admin@kishiwada.demo.renkei.jp";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const PUBLIC_URL: &str = "https://renkei.example.jp";

/// Markers that must never appear in anything public.
const UNPUBLISHED: &str = "非公開の協定UNPUB7731";
const CONFIDENTIAL: &str = "検討中の提案CONF4410";
const NOT_CHOSEN: &str = "選ばれなかった団体NOTCHOSEN5521";
const DRAFT_CALL: &str = "下書きの募集DRAFT9902";
/// A title that needs escaping in XML and quoting in CSV; a summary with a line break.
const TRICKY: &str = "防災<&>連携 \"A\", B";
const TRICKY_SUMMARY: &str = "一行目, 二行目の\"引用\"\n三行目";

fn code(s: &str) -> TenantCode {
    TenantCode::parse(s).expect("code")
}

async fn partnership(
    store: &Store,
    tenant: &str,
    title: &str,
    summary: &str,
    signed_on: &str,
    published: bool,
) -> i64 {
    let input = PartnershipInput {
        form: "comprehensive".into(),
        title: title.into(),
        purpose: format!("{title}の目的"),
        summary: summary.into(),
        city_role: "会場の提供".into(),
        parties: vec![
            PartyInput {
                name: format!("{title}の相手方"),
                party_type: "company".into(),
                corporate_number: String::new(),
                role: "人材".into(),
            },
            PartyInput {
                name: "第二の相手方大学".into(),
                party_type: "university".into(),
                corporate_number: String::new(),
                role: "研究".into(),
            },
        ],
        fields: vec!["disaster".into(), "town".into()],
        signed_on: signed_on.into(),
        published,
        ..Default::default()
    };
    store
        .partnership_create(
            code(tenant),
            &NewPartnership {
                record: Partnership::parse(&input).expect("valid"),
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

fn intake(org: &str, title: &str) -> NewProposal {
    let input = IntakeInput {
        kind: "proposal".into(),
        org_name: org.into(),
        partner_type: "company".into(),
        contact_name: "担当 太郎".into(),
        email: "answer@example.jp".into(),
        title: title.into(),
        summary: format!("{title}の概要"),
        fields: vec!["town".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    };
    NewProposal {
        intake: Intake::parse(&input).expect("valid"),
        route: Route::Theme,
        proponent_user_id: None,
        attachments: vec![],
        ip: None,
        lang: renkei_domain::Lang::Ja,
        privacy_consented: true,
        draft_token: None,
    }
}

async fn call(store: &Store, title: &str, days: i64) -> i64 {
    let department = store.departments(code(K)).await.expect("departments")[0].id;
    let today = store.today();
    let c = OpenCall::parse(&OpenCallInput {
        department_id: department.to_string(),
        title: title.into(),
        background: "背景".into(),
        problem: "課題".into(),
        outcomes: "成果".into(),
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(days)).to_string(),
        criteria: vec![("実現性".into(), "100".into())],
        fields: vec!["environment".into()],
        ..OpenCallInput::default()
    })
    .expect("call");
    store
        .open_call_create(&Who::cli(), code(K), &c)
        .await
        .expect("create")
}

async fn publish(store: &Store, id: i64) {
    store
        .open_call_move(&Who::cli(), code(K), id, CallMove::Publish, "", &NoMail)
        .await
        .expect("publish");
}

/// A decided call: one answer chosen, one not.
async fn decided_call(store: &Store) -> i64 {
    let id = call(store, "公園の利活用アイデア募集", 30).await;
    publish(store, id).await;
    let mut answers = Vec::new();
    for org in ["選ばれた団体", NOT_CHOSEN] {
        let a = store
            .proposal_submit_answer(
                code(K),
                id,
                intake(org, &format!("{org}の応募")),
                &Who::cli(),
                &NoMail,
                0,
            )
            .await
            .expect("answer");
        answers.push(a.id);
    }
    store
        .open_call_move(&Who::cli(), code(K), id, CallMove::Close, "", &NoMail)
        .await
        .expect("close");
    store
        .open_call_select(
            &Who::cli(),
            code(K),
            id,
            &answers[..1],
            "実現性が最も高かったため",
            "ご応募ありがとうございました。",
            &NoMail,
        )
        .await
        .expect("select");
    id
}

async fn count(store: &Store, sql: &str) -> usize {
    let n: i64 = sqlx::Row::try_get(
        &sqlx::query(sql)
            .fetch_one(store.pool())
            .await
            .expect("count"),
        "n",
    )
    .expect("n");
    usize::try_from(n).expect("count")
}

/// Every record of a CSV body (after the BOM), as cells.
fn records(body: &str) -> Vec<Vec<String>> {
    let text = body.strip_prefix('\u{feff}').expect("starts with the BOM");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("record").iter().map(str::to_string).collect())
        .collect()
}

/// Reads a feed with an XML parser: it must be well-formed from end to end.
fn well_formed(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut texts = Vec::new();
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Text(t)) => {
                texts.push(t.xml10_content().into_owned());
            }
            Ok(quick_xml::events::Event::GeneralRef(r)) => {
                let name = r.xml10_content().into_owned();
                texts.push(
                    match name.as_str() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unknown entity {other}"),
                    }
                    .to_string(),
                );
            }
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{xml}"),
        }
    }
    assert_eq!(depth, 0, "unbalanced XML");
    texts
}

/// Pages through a JSON endpoint with its cursor; returns the items.
async fn all_items(c: &Client, path: &str, limit: usize) -> Vec<serde_json::Value> {
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..10_000 {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &after {
            Some(a) => format!("{path}{sep}limit={limit}&after={a}"),
            None => format!("{path}{sep}limit={limit}"),
        };
        let p = c.api_get(&url, None).await;
        assert_eq!(p.status, 200, "{url}: {}", p.body);
        let j = p.json();
        let page = j["items"].as_array().expect("items").clone();
        assert!(page.len() <= limit);
        items.extend(page);
        match j["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => return items,
        }
    }
    panic!("the cursor never ended");
}

fn json_cells(item: &serde_json::Value, columns: &[renkei_app::opendata::Column]) -> Vec<String> {
    columns
        .iter()
        .map(|c| item[c.key].as_str().expect(c.key).to_string())
        .collect()
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    assert_eq!(c.login(email, DEMO_PASSWORD).await.status, 303, "{email}");
    c
}

async fn open_data(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let mut app = TestApp::start_with(
        store,
        renkei_web::WebConfig {
            public_url: Some(PUBLIC_URL.into()),
            ..Default::default()
        },
    )
    .await;
    app.db = Some(db);
    renkei_app::demo::load(&app.app()).await.expect("demo data");
    let store = app.store.clone();

    let tricky = partnership(&store, K, TRICKY, TRICKY_SUMMARY, "2026-10-01", true).await;
    // Signed nearly two years before the clock (2026-11-24), nothing recorded since.
    let dormant = partnership(
        &store,
        K,
        "休眠している見守り協定",
        "概要",
        "2025-01-10",
        true,
    )
    .await;
    let hidden = partnership(&store, K, UNPUBLISHED, "概要", "2026-10-01", false).await;
    let kawasaki = partnership(
        &store,
        KAWASAKI,
        "川崎市の公開協定",
        "概要",
        "2026-09-01",
        true,
    )
    .await;
    store
        .proposal_submit(
            code(K),
            NewProposal {
                route: Route::Free,
                ..intake("検討中の会社", CONFIDENTIAL)
            },
            &Who::cli(),
            &NoMail,
        )
        .await
        .expect("confidential proposal");
    let decided = decided_call(&store).await;
    let open = call(&store, "まちの清掃の担い手募集", 20).await;
    publish(&store, open).await;
    let draft = call(&store, DRAFT_CALL, 20).await;

    let c = app.client();
    let mut public = app.client();
    let mut bodies: Vec<(String, String)> = Vec::new();

    // --- The tenant's partnerships CSV.
    let resp = public
        .get(&format!("/t/{K}/opendata/partnerships.csv"))
        .await;
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.headers["content-type"].to_str().expect("type"),
        "text/csv; charset=utf-8"
    );
    let disposition = resp.headers["content-disposition"].to_str().expect("cd");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("272027_partnerships.csv"),
        "{disposition}"
    );
    let raw = c
        .http
        .get(app.url(&format!("/t/{K}/opendata/partnerships.csv")))
        .send()
        .await
        .expect("csv")
        .bytes()
        .await
        .expect("bytes");
    assert!(raw.starts_with(&[0xEF, 0xBB, 0xBF]), "UTF-8 BOM first");
    let header: String = PARTNERSHIP_COLUMNS
        .iter()
        .map(|c| c.header)
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(
        header,
        "全国地方公共団体コード,ID,地方公共団体名,名称,種別,相手方名称,相手方法人番号,相手方種別,分野,締結日,開始日,終了日,自動更新,状態,最終活動日,休眠,概要,URL"
    );
    assert!(resp.body.starts_with(&format!("\u{feff}{header}\r\n")));
    let rows = records(&resp.body);
    let published_k = count(
        &store,
        "SELECT COUNT(*) AS n FROM partnerships WHERE tenant_code = '272027' AND published = 1",
    )
    .await;
    assert!(published_k >= 3);
    assert_eq!(
        rows.len(),
        published_k + 1,
        "a row per published partnership"
    );
    assert!(
        rows[1..]
            .iter()
            .all(|r| r[0] == K && r[2] == "大阪府岸和田市")
    );
    assert!(!rows.iter().any(|r| r[1] == hidden.to_string()));
    // RFC 4180: the comma, the quotes and the line break survive, quoted.
    let row = rows
        .iter()
        .find(|r| r[1] == tricky.to_string())
        .expect("tricky row");
    assert_eq!(row[3], TRICKY);
    assert_eq!(row[16], TRICKY_SUMMARY);
    assert_eq!(row[4], "包括連携協定");
    assert_eq!(row[5], format!("{TRICKY}の相手方;第二の相手方大学"));
    assert_eq!(row[7], "企業;大学等");
    assert_eq!(row[8], "防災・減災;まちづくり・交通");
    assert_eq!(row[9], "2026-10-01");
    assert_eq!(row[17], format!("{PUBLIC_URL}/t/{K}/cases/{tricky}"));
    assert!(resp.body.contains("\"防災<&>連携 \"\"A\"\", B\""));
    assert!(resp.body.contains("\r\n"));
    let dormant_row = rows
        .iter()
        .find(|r| r[1] == dormant.to_string())
        .expect("dormant row");
    assert_eq!(dormant_row[15], "休眠");
    assert_eq!(row[15], "");
    bodies.push(("tenant csv".into(), resp.body.clone()));

    // --- The national file covers several tenants and every published partnership.
    let national = public.get("/opendata/partnerships.csv").await;
    assert_eq!(national.status, 200);
    let nrows = records(&national.body);
    let published_all = count(
        &store,
        "SELECT COUNT(*) AS n FROM partnerships WHERE published = 1",
    )
    .await;
    assert_eq!(nrows.len(), published_all + 1);
    assert!(
        nrows
            .iter()
            .any(|r| r[0] == KAWASAKI && r[1] == kawasaki.to_string())
    );
    assert!(
        nrows
            .iter()
            .any(|r| r[0] == K && r[1] == tricky.to_string())
    );
    let keys: Vec<(String, i64)> = nrows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().expect("id")))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "ordered by (code, id)");
    bodies.push(("national csv".into(), national.body.clone()));

    // --- JSON pages through with the cursor and equals the CSV's rows.
    let items = all_items(&c, &format!("/api/v1/opendata/partnerships?tenant={K}"), 2).await;
    let from_json: Vec<Vec<String>> = items
        .iter()
        .map(|i| json_cells(i, PARTNERSHIP_COLUMNS))
        .collect();
    assert_eq!(from_json, rows[1..].to_vec());
    assert!(items.iter().all(|i| i["license"]["kind"] == "cc-by-4.0"));
    let nitems = all_items(&c, "/api/v1/opendata/partnerships", 1000).await;
    let nfrom_json: Vec<Vec<String>> = nitems
        .iter()
        .map(|i| json_cells(i, PARTNERSHIP_COLUMNS))
        .collect();
    assert_eq!(nfrom_json, nrows[1..].to_vec());
    let first = c
        .api_get(
            &format!("/api/v1/opendata/partnerships?tenant={K}&limit=1"),
            None,
        )
        .await;
    assert_eq!(first.json()["license"]["kind"], "cc-by-4.0");
    bodies.push(("json".into(), first.body.clone()));
    bodies.push((
        "json all".into(),
        serde_json::to_string(&nitems).expect("json"),
    ));
    // Bounded and checked: out of range, unreadable, unknown.
    for (q, status) in [
        ("limit=0", 400),
        ("limit=1001", 400),
        ("limit=x", 400),
        ("after=junk", 400),
        ("tenant=12", 400),
        ("tenant=272028", 400),
    ] {
        let p = c
            .api_get(&format!("/api/v1/opendata/partnerships?{q}"), None)
            .await;
        assert_eq!(p.status, status, "{q}: {}", p.body);
        assert!(p.json()["error"]["message"].is_string());
    }

    // --- Open calls: the decision only once decided; nothing of the answer not chosen.
    let calls = public.get(&format!("/t/{K}/opendata/calls.csv")).await;
    assert_eq!(calls.status, 200);
    let crows = records(&calls.body);
    assert_eq!(
        crows[0],
        CALL_COLUMNS
            .iter()
            .map(|c| c.header.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(
        crows[0][..3],
        ["全国地方公共団体コード", "ID", "地方公共団体名"]
    );
    let d = crows
        .iter()
        .find(|r| r[1] == decided.to_string())
        .expect("decided call");
    assert_eq!(d[8], "選定済");
    assert_eq!(d[9], "選ばれた団体");
    assert_eq!(d[10], "実現性が最も高かったため");
    let o = crows
        .iter()
        .find(|r| r[1] == open.to_string())
        .expect("open call");
    assert_eq!(o[8], "公開中");
    assert_eq!(o[9], "");
    assert!(!crows.iter().any(|r| r[1] == draft.to_string()));
    let call_items = all_items(&c, &format!("/api/v1/opendata/calls?tenant={K}"), 1).await;
    let call_json: Vec<Vec<String>> = call_items
        .iter()
        .map(|i| json_cells(i, CALL_COLUMNS))
        .collect();
    assert_eq!(call_json, crows[1..].to_vec());
    bodies.push(("calls csv".into(), calls.body.clone()));
    bodies.push((
        "national calls csv".into(),
        public.get("/opendata/calls.csv").await.body,
    ));
    bodies.push((
        "calls json".into(),
        c.api_get("/api/v1/opendata/calls?limit=1000", None)
            .await
            .body,
    ));

    // --- Atom: well-formed, escaped, links from the configured address (not the Host header).
    for path in [
        format!("/t/{K}/feeds/cases.atom"),
        format!("/t/{K}/feeds/calls.atom"),
        "/feeds/cases.atom".to_string(),
        "/feeds/calls.atom".to_string(),
    ] {
        let resp = c
            .http
            .get(app.url(&path))
            .header("host", "evil.example")
            .send()
            .await
            .expect("feed");
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        assert_eq!(
            resp.headers()["content-type"].to_str().expect("type"),
            "application/atom+xml; charset=utf-8"
        );
        let xml = resp.text().await.expect("text");
        let texts = well_formed(&xml).concat();
        assert!(!xml.contains("evil.example"), "{path}: {xml}");
        assert!(xml.contains("<rights>"), "{path}");
        assert!(texts.contains("CC BY 4.0"), "{path}");
        if path.contains("cases") {
            assert!(xml.contains("防災&lt;&amp;&gt;連携"), "{path}: {xml}");
            assert!(texts.contains(TRICKY), "{path}");
            assert!(xml.contains(&format!("href=\"{PUBLIC_URL}/t/{K}/cases/{tricky}\"")));
        } else {
            assert!(xml.contains(&format!("href=\"{PUBLIC_URL}/t/{K}/calls/{decided}\"")));
        }
        if path.starts_with("/feeds/cases") {
            assert!(xml.contains(&format!("{PUBLIC_URL}/t/{KAWASAKI}/cases/{kawasaki}")));
        }
        bodies.push((path.clone(), xml));
    }

    // --- The pages that list the files, and the register.
    for path in ["/opendata".to_string(), format!("/t/{K}/opendata")] {
        let p = public.get(&path).await;
        assert_eq!(p.status, 200, "{path}");
        assert!(p.body.contains("相手方法人番号"));
        assert!(p.body.contains("partnerships.csv"));
        assert!(p.body.contains("application/atom+xml"));
        assert!(p.body.contains("CC BY 4.0"));
        bodies.push((path, p.body));
    }
    let reg = public.get(&format!("/t/{K}/agreements")).await;
    assert_eq!(reg.status, 200);
    assert!(reg.body.contains(&format!("/t/{K}/cases/{dormant}")));
    assert!(
        reg.body
            .contains("<time datetime=\"2025-01-10\">令和7年1月10日</time>")
    );
    // The dormant agreement is marked in words on its own row; the fresh one is not.
    let dormant_row = reg
        .body
        .split("<tr")
        .find(|r| r.contains(&format!("/cases/{dormant}\"")))
        .expect("dormant row");
    assert!(
        dormant_row.contains("休眠（長期間取組なし）"),
        "{dormant_row}"
    );
    let fresh_row = reg
        .body
        .split("<tr")
        .find(|r| r.contains(&format!("/cases/{tricky}\"")))
        .expect("fresh row");
    assert!(!fresh_row.contains("休眠"));
    assert!(
        reg.body
            .contains("rel=\"alternate\" type=\"application/atom+xml\"")
    );
    let filtered = public
        .get(&format!("/t/{K}/agreements?form=business&status=ended"))
        .await;
    assert_eq!(filtered.status, 200);
    assert!(!filtered.body.contains(&format!("/cases/{tricky}\"")));
    for q in [
        "page=99999999999999999999",
        "page=-3",
        "form=%3Cx%3E",
        "page=abc",
    ] {
        let p = public.get(&format!("/t/{K}/agreements?{q}")).await;
        assert_eq!(p.status, 200, "{q}");
    }
    assert_eq!(public.get("/t/999997/agreements").await.status, 404);
    bodies.push(("register".into(), reg.body));

    // --- Nothing confidential, anywhere.
    for (what, body) in &bodies {
        for marker in [UNPUBLISHED, CONFIDENTIAL, NOT_CHOSEN, DRAFT_CALL] {
            assert!(!body.contains(marker), "{marker} leaked into {what}");
        }
    }

    // --- The licence: only the administrator sets it; bad input changes nothing.
    let mut desk = signed_in(&app, DESK).await;
    desk.get(&format!("/t/{K}/desk")).await;
    let refused = desk
        .post(
            &format!("/t/{K}/admin/settings/license"),
            &[("license_kind", "cc0-1.0"), ("license_text", "")],
        )
        .await;
    assert_eq!(refused.status, 403);
    let mut admin = signed_in(&app, ADMIN).await;
    let settings = admin.get(&format!("/t/{K}/admin/settings")).await;
    assert!(
        settings
            .body
            .contains("name=\"license_kind\" value=\"cc-by-4.0\" checked")
    );
    let bad = admin
        .post(
            &format!("/t/{K}/admin/settings/license"),
            &[("license_kind", "other"), ("license_text", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("ライセンスの名称を入力してください"));
    let bad = admin
        .post(
            &format!("/t/{K}/admin/settings/license"),
            &[("license_kind", "mit"), ("license_text", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        store
            .opendata_license(code(K))
            .await
            .expect("licence")
            .kind
            .code(),
        "cc-by-4.0"
    );
    let ok = admin
        .post(
            &format!("/t/{K}/admin/settings/license"),
            &[
                ("license_kind", "other"),
                ("license_text", "岸和田市オープンデータ利用規約 <第1版>"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303, "{}", ok.body);
    let page = public.get(&format!("/t/{K}/opendata")).await;
    assert!(
        page.body
            .contains("岸和田市オープンデータ利用規約 &#60;第1版&#62;")
            || page
                .body
                .contains("岸和田市オープンデータ利用規約 &lt;第1版&gt;"),
        "{}",
        page.body
    );
    let j = c
        .api_get(
            &format!("/api/v1/opendata/partnerships?tenant={K}&limit=1"),
            None,
        )
        .await
        .json();
    assert_eq!(j["license"]["kind"], "other");
    assert_eq!(
        j["license"]["name"],
        "岸和田市オープンデータ利用規約 <第1版>"
    );
    assert_eq!(j["items"][0]["license"]["kind"], "other");
    let feed = public.get(&format!("/t/{K}/feeds/cases.atom")).await.body;
    assert!(feed.contains("<rights>岸和田市オープンデータ利用規約 &lt;第1版&gt;</rights>"));
    // Another tenant keeps the default.
    let other = c
        .api_get(
            &format!("/api/v1/opendata/partnerships?tenant={KAWASAKI}"),
            None,
        )
        .await
        .json();
    assert_eq!(other["license"]["kind"], "cc-by-4.0");
    let audited = count(
        &store,
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'settings.license'",
    )
    .await;
    assert_eq!(audited, 1);
}

on_both!(open_data);

/// The national file is read in chunks of 500 rows: more than two chunks of rows come out
/// whole, once each, in (code, id) order, the same as the JSON paged by its cursor.
async fn national_file_spans_chunks(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1234) \
         INSERT INTO partnerships (tenant_code, form, status, title, purpose, summary, city_role, route, \
           auto_renew, fiscal_justification, published, created_by, created_at, updated_at) \
         SELECT CASE WHEN i % 3 = 0 THEN '141305' ELSE '272027' END, 'project', 'active', \
           'まとめて登録した協定 ' || i, '目的', '概要', '役割', '', 0, '', \
           CASE WHEN i % 7 = 0 THEN 0 ELSE 1 END, 'test', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z' FROM n",
    )
    .execute(store.pool())
    .await
    .expect("bulk partnerships");
    let published = count(
        store,
        "SELECT COUNT(*) AS n FROM partnerships WHERE published = 1",
    )
    .await;
    assert!(published > 1000);
    let mut c = app.client();
    let file = c.get("/opendata/partnerships.csv").await;
    assert_eq!(file.status, 200);
    let rows = records(&file.body);
    assert_eq!(rows.len(), published + 1);
    let keys: Vec<(String, i64)> = rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].parse().expect("id")))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(keys, sorted, "each row once, in (code, id) order");
    let items = all_items(&c, "/api/v1/opendata/partnerships", 300).await;
    let from_json: Vec<Vec<String>> = items
        .iter()
        .map(|i| json_cells(i, PARTNERSHIP_COLUMNS))
        .collect();
    assert_eq!(from_json, rows[1..].to_vec());
}

on_both!(national_file_spans_chunks);

/// A cancelled (解約) agreement that was published stays in the register and the data, so
/// anyone can see it ended that way, but it is no longer a case: no link to a case page that
/// would answer 404, no address in the CSV, no entry in the feed of new cases.
async fn a_cancelled_agreement_is_listed_without_a_case_page(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let mut app = TestApp::start_with(
        store,
        renkei_web::WebConfig {
            public_url: Some(PUBLIC_URL.into()),
            ..Default::default()
        },
    )
    .await;
    app.db = Some(db);
    renkei_app::demo::load(&app.app()).await.expect("demo data");
    let title = "解約された見守り協定CANCEL3301";
    let id = partnership(&app.store, K, title, "概要", "2026-04-01", true).await;
    app.store
        .partnership_move(
            code(K),
            id,
            PartnershipStatus::Active,
            renkei_domain::partnership::Move::Cancel,
            &Who::cli(),
        )
        .await
        .expect("cancel");
    let mut c = app.client();
    let case = format!("/t/{K}/cases/{id}");
    assert_eq!(c.get(&case).await.status, 404);

    let register = c.get(&format!("/t/{K}/agreements")).await;
    assert!(register.body.contains(title), "still listed");
    assert!(!register.body.contains(&format!("href=\"{case}\"")));

    let csv = c.get(&format!("/t/{K}/opendata/partnerships.csv")).await;
    let rows = records(&csv.body);
    let url_at = PARTNERSHIP_COLUMNS.len() - 1;
    let row = rows
        .iter()
        .find(|r| r.get(1).map(String::as_str) == Some(id.to_string().as_str()))
        .expect("the cancelled agreement is in the file");
    assert_eq!(row[url_at], "", "no case address");
    assert!(
        rows.iter()
            .skip(1)
            .filter(|r| r[1] != id.to_string())
            .all(|r| r[url_at].starts_with(PUBLIC_URL)),
        "every other row has its case address"
    );

    let feed = c.get(&format!("/t/{K}/feeds/cases.atom")).await;
    assert_eq!(feed.status, 200);
    assert!(!feed.body.contains(title));
}
on_both!(a_cancelled_agreement_is_listed_without_a_case_page);
