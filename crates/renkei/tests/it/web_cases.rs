//! The public case library and its national search (`/cases`, `/t/{code}/cases`,
//! `/t/{code}/cases/{id}`, `GET /api/v1/cases`, `GET /api/v1/cases/{id}`), on both databases:
//! two-character words and phrases across local governments, folding (width, kana, 株式会社 /
//! (株) / ㈱), facets that narrow and count right, the page and the API giving the same
//! results, the same partner elsewhere (法人番号, else name), similar cases, the index
//! following edits and unpublishing, and nothing confidential or unpublished on any answer.

use renkei_domain::TenantCode;
use renkei_domain::partnership::{
    Activity, ActivityInput, Partnership, PartnershipInput, PartnershipStatus, PartyInput,
};
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_store::partnerships::NewPartnership;
use renkei_store::proposals::NewProposal;
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestApp, on_both};

const K: &str = "272027";
const KAWASAKI: &str = "141305";
const SAPPORO: &str = "011002";
/// Markers that must never appear on a public answer.
const CONFIDENTIAL: &str = "秘密マーカーQZX防災";
const UNPUBLISHED: &str = "非公開マーカーQZY防災";
const PREPARING: &str = "準備中マーカーQZW防災";
const CN: &str = "8700110005901";

fn tc(code: &str) -> TenantCode {
    TenantCode::parse(code).expect("code")
}

struct Party<'a> {
    name: &'a str,
    kind: &'a str,
    cn: &'a str,
}

fn input(
    title: &str,
    parties: &[Party<'_>],
    fields: &[&str],
    signed_on: &str,
    published: bool,
) -> PartnershipInput {
    PartnershipInput {
        form: "comprehensive".into(),
        title: title.into(),
        purpose: format!("{title}の目的"),
        summary: format!("{title}の概要"),
        city_role: "会場の提供".into(),
        department_id: String::new(),
        parties: parties
            .iter()
            .map(|p| PartyInput {
                name: p.name.into(),
                party_type: p.kind.into(),
                corporate_number: p.cn.into(),
                role: "人材の派遣".into(),
            })
            .collect(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        signed_on: signed_on.into(),
        published,
        ..Default::default()
    }
}

async fn create(store: &Store, code: &str, i: PartnershipInput, status: PartnershipStatus) -> i64 {
    store
        .partnership_create(
            tc(code),
            &NewPartnership {
                record: Partnership::parse(&i).expect("valid"),
                proposal_id: None,
                status,
                last_activity_on: None,
                origin: "created",
            },
            &Who::cli(),
        )
        .await
        .expect("create")
}

fn company<'a>(name: &'a str) -> Party<'a> {
    Party {
        name,
        kind: "company",
        cn: "",
    }
}

struct Seed {
    /// 川崎市: 地域防災 (株式会社あおぞら商事, field disaster).
    kawasaki_bousai: i64,
    /// 川崎市: 子育て (NPO, field childcare).
    kawasaki_kosodate: i64,
    /// 岸和田市: same partner by name (（株）あおぞら商事), field disaster, similar title.
    kishiwada_bousai: i64,
    /// 札幌市 and 川崎市: the same partner by 法人番号 under different names.
    sapporo_cn: i64,
    kawasaki_cn: i64,
    unpublished: i64,
    preparing: i64,
}

async fn seed(store: &Store) -> Seed {
    let kawasaki_bousai = create(
        store,
        KAWASAKI,
        input(
            "地域防災の備蓄と訓練の連携",
            &[company("株式会社あおぞら商事")],
            &["disaster"],
            "2025-06-01",
            true,
        ),
        PartnershipStatus::Active,
    )
    .await;
    let kawasaki_kosodate = create(
        store,
        KAWASAKI,
        input(
            "子育て応援ひろばの共同運営",
            &[Party {
                name: "NPO法人ひだまり",
                kind: "npo",
                cn: "",
            }],
            &["childcare"],
            "2024-04-01",
            true,
        ),
        PartnershipStatus::Active,
    )
    .await;
    let kishiwada_bousai = create(
        store,
        K,
        input(
            "地域防災の備蓄と訓練に関する連携",
            &[company("ｱｵｿﾞﾗ商事（株）")],
            &["disaster", "community"],
            "2026-01-15",
            true,
        ),
        PartnershipStatus::Active,
    )
    .await;
    let sapporo_cn = create(
        store,
        SAPPORO,
        input(
            "雪まつりの観光案内",
            &[Party {
                name: "北の電機株式会社",
                kind: "company",
                cn: CN,
            }],
            &["tourism"],
            "2023-02-01",
            true,
        ),
        PartnershipStatus::Active,
    )
    .await;
    let kawasaki_cn = create(
        store,
        KAWASAKI,
        input(
            "工場見学の受け入れ",
            &[Party {
                name: "キタデンキ",
                kind: "company",
                cn: CN,
            }],
            &["culture"],
            "2022-10-01",
            true,
        ),
        PartnershipStatus::Active,
    )
    .await;
    let unpublished = create(
        store,
        KAWASAKI,
        input(
            &format!("{UNPUBLISHED}の連携"),
            &[company("株式会社あおぞら商事")],
            &["disaster"],
            "2025-07-01",
            false,
        ),
        PartnershipStatus::Active,
    )
    .await;
    let preparing = create(
        store,
        KAWASAKI,
        input(
            &format!("{PREPARING}の連携"),
            &[company("株式会社あおぞら商事")],
            &["disaster"],
            "",
            true,
        ),
        PartnershipStatus::Preparing,
    )
    .await;
    // A proposal under consideration at 川崎市 with the confidential marker.
    let intake = Intake::parse(&IntakeInput {
        kind: "proposal".into(),
        org_name: "株式会社あおぞら商事".into(),
        partner_type: "company".into(),
        contact_name: "川崎 花子".into(),
        email: "hanako@example.co.jp".into(),
        title: format!("{CONFIDENTIAL}の提案"),
        summary: format!("{CONFIDENTIAL}の要約"),
        details: "地域防災の詳しい内容".into(),
        fields: vec!["disaster".into()],
        fiscal_burden: "none".into(),
        ..IntakeInput::default()
    })
    .expect("valid");
    store
        .proposal_submit(
            tc(KAWASAKI),
            NewProposal {
                intake,
                route: Route::Free,
                proponent_user_id: None,
                attachments: vec![],
                ip: None,
                lang: renkei_domain::Lang::Ja,
                privacy_consented: true,
                draft_token: None,
            },
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
    Seed {
        kawasaki_bousai,
        kawasaki_kosodate,
        kishiwada_bousai,
        sapporo_cn,
        kawasaki_cn,
        unpublished,
        preparing,
    }
}

fn titles(v: &serde_json::Value) -> Vec<String> {
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().expect("title").to_string())
        .collect()
}

fn ids(v: &serde_json::Value, key: &str) -> Vec<i64> {
    v[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

async fn api(app: &TestApp, path: &str) -> serde_json::Value {
    let r = app.client().api_get(path, None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()
}

fn facet(v: &serde_json::Value, name: &str, value: &str) -> Option<i64> {
    v["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .find(|f| f["facet"] == name && f["value"] == value)
        .map(|f| f["count"].as_i64().expect("count"))
}

async fn search_across_local_governments(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    // The demo alone: 防災 finds a case of another local government than 岸和田市, with the
    // same partner (by 法人番号) as one of 岸和田市's.
    let v = api(&app, "/api/v1/cases?q=防災").await;
    let elsewhere: Vec<&serde_json::Value> = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["tenant"] != K)
        .collect();
    assert!(!elsewhere.is_empty(), "{v}");
    let logistics = elsewhere
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.contains("だんじり物流"))
        })
        .expect("the demo's 物流 case at 川崎市");
    let d = api(&app, &format!("/api/v1/cases/{}", logistics["id"])).await;
    assert!(
        d["same_partner_elsewhere"]
            .as_array()
            .expect("same")
            .iter()
            .any(|c| c["tenant"] == K),
        "{d}"
    );
    let s = seed(store).await;
    let mut visitor = app.client();

    // 防災 (two characters) finds 川崎市's case from anywhere; newest first.
    let page = visitor.get("/cases?q=防災").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("地域防災の備蓄と訓練の連携"));
    assert!(page.body.contains("神奈川県川崎市"));
    assert!(
        page.body
            .contains(&format!("/t/{KAWASAKI}/cases/{}", s.kawasaki_bousai))
    );
    assert!(
        page.body.contains("value=\"防災\""),
        "the query stays in the box"
    );
    let v = api(&app, "/api/v1/cases?q=防災").await;
    let found = ids(&v, "items");
    assert!(found.contains(&s.kawasaki_bousai) && found.contains(&s.kishiwada_bousai));
    let pos = |id| found.iter().position(|x| *x == id).expect("listed");
    assert!(
        pos(s.kishiwada_bousai) < pos(s.kawasaki_bousai),
        "newest first"
    );
    // The page lists what the API lists, in the same order, with the same total.
    let mut at = 0;
    for t in titles(&v) {
        let i = page.body[at..].find(&t).map(|i| i + at);
        assert!(i.is_some(), "{t} on the page after {at}");
        at = i.unwrap_or(at);
    }
    assert!(page.body.contains(&format!("{}件の事例", v["total"])));

    // 子育 (two characters of 子育て) matches.
    let v = api(&app, "/api/v1/cases?q=子育").await;
    assert!(ids(&v, "items").contains(&s.kawasaki_kosodate));
    let v = api(&app, "/api/v1/cases?q=子育&tenant=141305").await;
    assert_eq!(ids(&v, "items"), vec![s.kawasaki_kosodate]);
    // A phrase matches as a substring only.
    let v = api(&app, "/api/v1/cases?q=備蓄と訓練に関する").await;
    assert_eq!(ids(&v, "items"), vec![s.kishiwada_bousai]);
    // Legal forms, width and kana fold alike: 川崎市's party is 株式会社あおぞら商事,
    // 岸和田市's ｱｵｿﾞﾗ商事（株）.
    for (q, want) in [
        ("株式会社あおぞら", s.kawasaki_bousai),
        ("(株)アオゾラ", s.kawasaki_bousai),
        ("㈱あおぞら", s.kawasaki_bousai),
        ("（株）ｱｵｿﾞﾗ", s.kawasaki_bousai),
        ("あおぞら商事株式会社", s.kishiwada_bousai),
        ("アオゾラ商事㈱", s.kishiwada_bousai),
        ("ｱｵｿﾞﾗ商事(株)", s.kishiwada_bousai),
    ] {
        let v = api(&app, &format!("/api/v1/cases?q={}", urlencode(q))).await;
        assert_eq!(ids(&v, "items"), vec![want], "{q}");
    }
    let v = api(&app, "/api/v1/cases?q=あおぞら商事").await;
    let got = ids(&v, "items");
    assert!(got.contains(&s.kawasaki_bousai) && got.contains(&s.kishiwada_bousai));
    let v = api(&app, "/api/v1/cases?q=ﾋﾀﾞﾏﾘ").await;
    assert_eq!(ids(&v, "items"), vec![s.kawasaki_kosodate]);

    // Facets count the current results, and each value's filter gives exactly that count.
    let v = api(&app, "/api/v1/cases?q=防災").await;
    let total = v["total"].as_i64().expect("total");
    assert!(facet(&v, "tenant", KAWASAKI).is_some_and(|n| n >= 2));
    assert!(facet(&v, "tenant", K).is_some_and(|n| n >= 1));
    let per_tenant: i64 = v["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .filter(|f| f["facet"] == "tenant")
        .map(|f| f["count"].as_i64().expect("count"))
        .sum();
    assert_eq!(per_tenant, total, "each case has one local government");
    for f in v["facets"].as_array().expect("facets") {
        let (name, value) = (
            f["facet"].as_str().expect("facet"),
            f["value"].as_str().expect("value"),
        );
        let narrowed = api(&app, &format!("/api/v1/cases?q=防災&{name}={value}")).await;
        assert_eq!(narrowed["total"], f["count"], "{name}={value}");
    }
    let v = api(&app, "/api/v1/cases?q=防災&prefecture=14").await;
    assert!(ids(&v, "items").contains(&s.kawasaki_bousai));
    assert!(!ids(&v, "items").contains(&s.kishiwada_bousai));
    assert_eq!(facet(&v, "prefecture", "14"), v["total"].as_i64());
    assert_eq!(facet(&v, "prefecture", "27"), None);
    let by_code = api(&app, "/api/v1/cases?q=防災&prefecture=140007").await;
    assert_eq!(by_code, v);
    let v = api(&app, "/api/v1/cases?q=防災&field=community&year=2026").await;
    assert!(ids(&v, "items").contains(&s.kishiwada_bousai));
    assert!(!ids(&v, "items").contains(&s.kawasaki_bousai));
    let v = api(&app, "/api/v1/cases?q=防災&year=2019").await;
    assert_eq!(v["total"], 0);
    // The page's facet links narrow the same way, without JavaScript.
    let page = visitor.get("/cases?q=防災&tenant=141305").await;
    assert!(page.body.contains("地域防災の備蓄と訓練の連携"));
    assert!(!page.body.contains("地域防災の備蓄と訓練に関する連携"));
    assert!(page.body.contains("aria-current=\"true\""));
    // The tenant's own library is fixed to it.
    let page = visitor.get(&format!("/t/{K}/cases?q=防災")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("地域防災の備蓄と訓練に関する連携"));
    assert!(!page.body.contains("地域防災の備蓄と訓練の連携"));
    // No result, and a bad parameter: said plainly.
    let page = visitor.get("/cases?q=存在しない語句ですよ").await;
    assert!(page.body.contains("見つかりませんでした"));
    for bad in [
        "/cases?field=nope",
        "/cases?year=abc",
        "/cases?page=999999",
        "/cases?prefecture=99",
        "/cases?tenant=272028",
    ] {
        let r = visitor.get(bad).await;
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.body.contains("読み取れませんでした"), "{bad}");
    }
    for (bad, code) in [
        ("/api/v1/cases?field=nope", "bad_request"),
        ("/api/v1/cases?form=x", "bad_request"),
        ("/api/v1/cases?year=3000", "out_of_range"),
        ("/api/v1/cases?page=501", "out_of_range"),
        ("/api/v1/cases?page=-1", "bad_request"),
        ("/api/v1/cases/0", "out_of_range"),
        ("/api/v1/cases/abc", "bad_request"),
    ] {
        let r = app.client().api_get(bad, None).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["error"]["code"], code, "{bad}");
    }

    // The case page and the API's case: the same partner elsewhere (by name, by 法人番号) and
    // similar cases (a shared field, most of the title).
    let page = visitor
        .get(&format!("/t/{K}/cases/{}", s.kishiwada_bousai))
        .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("同じ相手方の他の自治体での事例"));
    let v = api(&app, &format!("/api/v1/cases/{}", s.kishiwada_bousai)).await;
    assert_eq!(ids(&v, "same_partner_elsewhere"), vec![s.kawasaki_bousai]);
    assert_eq!(ids(&v, "similar_elsewhere"), vec![s.kawasaki_bousai]);
    let v = api(&app, &format!("/api/v1/cases/{}", s.sapporo_cn)).await;
    assert_eq!(ids(&v, "same_partner_elsewhere"), vec![s.kawasaki_cn]);
    assert_eq!(v["tenant"], SAPPORO);
    assert!(
        visitor
            .get(&format!("/t/{SAPPORO}/cases/{}", s.sapporo_cn))
            .await
            .body
            .contains("工場見学の受け入れ")
    );

    // Nothing unpublished, preparing or under consideration, anywhere.
    for id in [s.unpublished, s.preparing] {
        assert_eq!(
            visitor
                .get(&format!("/t/{KAWASAKI}/cases/{id}"))
                .await
                .status,
            404
        );
        assert_eq!(
            app.client()
                .api_get(&format!("/api/v1/cases/{id}"), None)
                .await
                .status,
            404
        );
    }
    // Another tenant's id under the wrong code.
    assert_eq!(
        visitor
            .get(&format!("/t/{K}/cases/{}", s.kawasaki_bousai))
            .await
            .status,
        404
    );
    let mut answers = Vec::new();
    for path in [
        "/cases".to_string(),
        "/cases?q=防災".to_string(),
        "/cases?q=マーカー".to_string(),
        format!("/t/{KAWASAKI}/cases"),
        format!("/t/{KAWASAKI}/cases?q=防災"),
        format!("/t/{KAWASAKI}/cases/{}", s.kawasaki_bousai),
        format!("/t/{K}/cases/{}", s.kishiwada_bousai),
        format!("/t/{KAWASAKI}/cases/{}", s.unpublished),
        format!("/t/{KAWASAKI}/cases/{}", s.preparing),
    ] {
        answers.push((path.clone(), visitor.get(&path).await.body));
    }
    for path in [
        "/api/v1/cases".to_string(),
        "/api/v1/cases?q=防災".to_string(),
        "/api/v1/cases?q=マーカー".to_string(),
        format!("/api/v1/cases?q={}", urlencode(CONFIDENTIAL)),
        format!("/api/v1/cases/{}", s.kawasaki_bousai),
        format!("/api/v1/cases/{}", s.kishiwada_bousai),
        format!("/api/v1/cases/{}", s.unpublished),
        format!("/api/v1/cases/{}", s.preparing),
    ] {
        answers.push((path.clone(), app.client().api_get(&path, None).await.body));
    }
    for (path, body) in &answers {
        for marker in ["QZX", "QZY", "QZW", "hanako@example.co.jp"] {
            assert!(!body.contains(marker), "{marker} on {path}");
        }
    }
    // Searching for the markers finds nothing (the page echoes the words in its box only).
    for m in [CONFIDENTIAL, UNPUBLISHED, PREPARING, "マーカー"] {
        let v = api(&app, &format!("/api/v1/cases?q={}", urlencode(m))).await;
        assert_eq!(v["total"], 0, "{m}");
        let page = visitor.get(&format!("/cases?q={}", urlencode(m))).await;
        assert!(page.body.contains("0件の事例"), "{m}");
    }
}

fn urlencode(s: &str) -> String {
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

async fn the_index_follows_changes(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    let s = seed(store).await;
    let found = |v: &serde_json::Value| ids(v, "items");

    // A correction: the old title's words leave the index, the new ones are found.
    let detail = store
        .partnership(tc(KAWASAKI), s.kawasaki_bousai)
        .await
        .expect("detail");
    let mut i = input(
        "河川の水位見守りの連携",
        &[company("株式会社あおぞら商事")],
        &["disaster"],
        "2025-06-01",
        true,
    );
    i.summary = "増水時の見守り".into();
    let basis = renkei_domain::time::to_db_timestamp(detail.updated_at);
    store
        .partnership_update(
            tc(KAWASAKI),
            s.kawasaki_bousai,
            &Partnership::parse(&i).expect("valid"),
            "名称の訂正",
            &basis,
            &Who::cli(),
        )
        .await
        .expect("update");
    assert!(
        !found(&api(&app, "/api/v1/cases?q=備蓄と訓練の連携").await).contains(&s.kawasaki_bousai)
    );
    assert!(
        !store
            .case_index_candidates("備蓄")
            .await
            .expect("candidates")
            .contains(&s.kawasaki_bousai),
        "no token of the old text is left"
    );
    assert_eq!(
        found(&api(&app, "/api/v1/cases?q=水位見守り").await),
        vec![s.kawasaki_bousai]
    );
    // An activity's title is searchable at once.
    store
        .activity_add(
            tc(KAWASAKI),
            s.kawasaki_bousai,
            &Activity::parse(
                &ActivityInput {
                    done_on: "2026-11-01".into(),
                    title: "土のう作り講習会".into(),
                    description: "参加者が土のうを作りました".into(),
                    people: "30".into(),
                    outputs: String::new(),
                },
                store.today(),
            )
            .expect("activity"),
            &Who::cli(),
        )
        .await
        .expect("activity");
    assert_eq!(
        found(&api(&app, "/api/v1/cases?q=土のう").await),
        vec![s.kawasaki_bousai]
    );
    let page = app
        .client()
        .get(&format!("/t/{KAWASAKI}/cases/{}", s.kawasaki_bousai))
        .await;
    assert!(page.body.contains("土のう作り講習会"));
    // Unpublishing removes the case from the search, the page and the API.
    let detail = store
        .partnership(tc(KAWASAKI), s.kawasaki_bousai)
        .await
        .expect("detail");
    i.published = false;
    store
        .partnership_update(
            tc(KAWASAKI),
            s.kawasaki_bousai,
            &Partnership::parse(&i).expect("valid"),
            "公開の取りやめ",
            &renkei_domain::time::to_db_timestamp(detail.updated_at),
            &Who::cli(),
        )
        .await
        .expect("unpublish");
    assert!(found(&api(&app, "/api/v1/cases?q=水位見守り").await).is_empty());
    assert!(
        store
            .case_index_candidates("水位")
            .await
            .expect("c")
            .is_empty()
    );
    assert_eq!(
        app.client()
            .get(&format!("/t/{KAWASAKI}/cases/{}", s.kawasaki_bousai))
            .await
            .status,
        404
    );
    let v = api(&app, &format!("/api/v1/cases/{}", s.kishiwada_bousai)).await;
    assert!(ids(&v, "same_partner_elsewhere").is_empty());
    // Signing a prepared partnership makes it a case; ending keeps it; the rebuild agrees.
    store
        .partnership_move(
            tc(KAWASAKI),
            s.preparing,
            PartnershipStatus::Preparing,
            renkei_domain::partnership::Move::Sign {
                signed_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("day"),
            },
            &Who::cli(),
        )
        .await
        .expect("sign");
    let v = api(&app, "/api/v1/cases?q=準備中マーカー").await;
    assert_eq!(found(&v), vec![s.preparing]);
    let before = api(&app, "/api/v1/cases?q=連携").await;
    store.cases_rebuild().await.expect("rebuild");
    assert_eq!(api(&app, "/api/v1/cases?q=連携").await, before);
}

/// Migration 26 indexes the partnerships already there: a published, signed one becomes a
/// case; an unpublished one does not.
async fn the_migration_indexes_existing_partnerships(backend: Backend) {
    let db = renkei_testkit::TestDb::new(backend);
    let store = db.open_at(25).await;
    let ts = "2026-11-24T01:00:00.000Z";
    let mut statements = renkei_testkit::tenant_rows(
        ts,
        ("140007", "神奈川県", "カナガワケン"),
        Some(("141305", "川崎市", "カワサキシ")),
    );
    for (id, title, published) in [(1, "防災倉庫の共同運営", 1), (2, "防災の非公開連携", 0)]
    {
        statements.push(format!(
            "INSERT INTO partnerships (id, tenant_code, form, status, title, purpose, summary, city_role, route, \
             signed_on, auto_renew, fiscal_justification, published, created_by, created_at, updated_at) \
             VALUES ({id}, '141305', 'comprehensive', 'active', '{title}', '目的', '概要', '役割', '', \
             '2025-04-01', 0, '', {published}, 'cli', '{ts}', '{ts}')"
        ));
        statements.push(format!(
            "INSERT INTO partnership_parties (partnership_id, position, name, party_type, corporate_number, role) \
             VALUES ({id}, 0, '㈱かわさき倉庫', 'company', NULL, '運営')"
        ));
        statements.push(format!(
            "INSERT INTO partnership_fields (partnership_id, position, field) VALUES ({id}, 0, 'disaster')"
        ));
    }
    renkei_testkit::exec_all(&store, &statements).await;
    renkei_store::migrate::run(&store).await.expect("the rest");
    let r = store
        .cases_search(&renkei_store::cases::CaseQuery {
            q: "防災 株式会社かわさき".into(),
            ..Default::default()
        })
        .await
        .expect("search");
    assert_eq!(r.total, 1);
    assert_eq!(r.items[0].id, 1);
    assert_eq!(r.items[0].tenant_name, "神奈川県川崎市");
    assert_eq!(r.items[0].year, 2025);
    assert!(
        r.facets
            .iter()
            .any(|f| f.facet == "partner_type" && f.value == "company" && f.count == 1)
    );
    assert!(store.case_by_id(2).await.is_err());
}

/// A database whose cases were indexed before the rows carried their parties' types (26–30)
/// has them filled from the facet rows by migration 31, and its facet counts stay right.
async fn the_partner_types_column_is_filled_for_indexed_cases(backend: Backend) {
    let db = renkei_testkit::TestDb::new(backend);
    let store = db.open_at(30).await;
    let ts = "2026-11-24T01:00:00.000Z";
    let mut statements =
        renkei_testkit::tenant_rows(ts, ("140007", "神奈川県", "カナガワケン"), None);
    statements.extend([
        format!(
            "INSERT INTO partnerships (id, tenant_code, form, status, title, purpose, summary, city_role, route, \
             signed_on, auto_renew, fiscal_justification, published, created_by, created_at, updated_at) \
             VALUES (7, '140007', 'comprehensive', 'active', '県の連携', '目的', '概要', '役割', '', \
             '2025-04-01', 0, '', 1, 'cli', '{ts}', '{ts}')"
        ),
        format!(
            "INSERT INTO public_cases (partnership_id, tenant_code, prefecture_code, form, status, title, \
             partners, fields, signed_on, starts_on, ends_on, year, sort_on, search_text, indexed_at) \
             VALUES (7, '140007', '14', 'comprehensive', 'active', '県の連携', 'NPO、会社', 'disaster', \
             '2025-04-01', NULL, NULL, 2025, '2025-04-01', '県の連携', '{ts}')"
        ),
    ]);
    for (facet, value) in [
        ("prefecture", "14"),
        ("tenant", "140007"),
        ("form", "comprehensive"),
        ("year", "2025"),
        ("field", "disaster"),
        ("partner_type", "npo"),
        ("partner_type", "company"),
    ] {
        statements.push(format!(
            "INSERT INTO public_case_facets (partnership_id, facet, value) VALUES (7, '{facet}', '{value}')"
        ));
    }
    renkei_testkit::exec_all(&store, &statements).await;
    renkei_store::migrate::run(&store).await.expect("the rest");
    let kept: String =
        sqlx::query_scalar("SELECT partner_types FROM public_cases WHERE partnership_id = 7")
            .fetch_one(store.pool())
            .await
            .expect("partner types");
    assert_eq!(kept, "company,npo");
    let r = store
        .cases_search(&renkei_store::cases::CaseQuery::default())
        .await
        .expect("search");
    assert_eq!(r.total, 1);
    for value in ["company", "npo"] {
        assert!(
            r.facets
                .iter()
                .any(|f| f.facet == "partner_type" && f.value == value && f.count == 1),
            "{value}: {:?}",
            r.facets
        );
    }
}

on_both!(
    search_across_local_governments,
    the_index_follows_changes,
    the_migration_indexes_existing_partnerships,
    the_partner_types_column_is_filled_for_indexed_cases,
);

/// "Similar cases elsewhere" counts only the cases holding one of the rarest half of a title's
/// bigrams (prefix filtering): for every case, the answer equals a count over every case.
async fn similar_cases_equal_a_full_count(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    seed(store).await;
    // Titles sharing more or less of one another, in three local governments.
    for (code, title, field) in [
        (KAWASAKI, "地域防災の備蓄と訓練の協力", "disaster"),
        (SAPPORO, "地域防災の備蓄と訓練", "disaster"),
        (SAPPORO, "地域防災の備蓄と訓練の連携", "childcare"),
        (K, "防災の備蓄", "disaster"),
        (KAWASAKI, "子育て応援ひろばの運営", "childcare"),
        (K, "子育て応援ひろばの共同運営と連携", "childcare"),
        (SAPPORO, "応援ひろばの共同運営", "childcare"),
    ] {
        create(
            store,
            code,
            input(
                title,
                &[company("類似確認株式会社")],
                &[field],
                "2025-05-01",
                true,
            ),
            PartnershipStatus::Active,
        )
        .await;
    }
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT partnership_id, gram FROM public_case_grams")
            .fetch_all(store.pool())
            .await
            .expect("grams");
    let cases: Vec<(i64, String)> =
        sqlx::query_as("SELECT partnership_id, tenant_code FROM public_cases")
            .fetch_all(store.pool())
            .await
            .expect("cases");
    let fields: Vec<(i64, String)> = sqlx::query_as(
        "SELECT partnership_id, value FROM public_case_facets WHERE facet = 'field'",
    )
    .fetch_all(store.pool())
    .await
    .expect("fields");
    use std::collections::{BTreeMap, BTreeSet};
    let mut grams: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (id, g) in rows {
        grams.entry(id).or_default().insert(g);
    }
    let mut field_of: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for (id, f) in fields {
        field_of.entry(id).or_default().insert(f);
    }
    let tenant: BTreeMap<i64, String> = cases.iter().cloned().collect();
    let mut compared = 0;
    for (id, _) in &cases {
        let empty = BTreeSet::new();
        let mine = grams.get(id).unwrap_or(&empty);
        let my_fields = field_of.get(id).unwrap_or(&empty);
        let mut want: Vec<(usize, i64)> = cases
            .iter()
            .filter(|(o, t)| o != id && *t != tenant[id])
            .filter(|(o, _)| !field_of.get(o).unwrap_or(&empty).is_disjoint(my_fields))
            .map(|(o, _)| {
                (
                    grams.get(o).unwrap_or(&empty).intersection(mine).count(),
                    *o,
                )
            })
            .filter(|(shared, _)| shared * 2 > mine.len() && !mine.is_empty())
            .collect();
        want.sort_by(|a, b| b.cmp(a));
        let want: Vec<i64> = want.into_iter().take(5).map(|(_, o)| o).collect();
        let got: Vec<i64> = store
            .cases_similar(*id, 5)
            .await
            .expect("similar")
            .iter()
            .map(|h| h.id)
            .collect();
        assert_eq!(got, want, "case {id}");
        compared += usize::from(!want.is_empty());
    }
    assert!(compared >= 6, "only {compared} cases had similar cases");
}
on_both!(similar_cases_equal_a_full_count);

/// The search's one pass (total, page and facet counts from one statement) equals what the
/// index's own rows say, read whole and decided here: every case whose folded text holds each
/// word and which has each filter's value, newest first, and each facet value's number of such
/// cases — for words the index alone decides (two letters), longer ones, filters and pages.
async fn search_equals_a_full_count(backend: Backend) {
    use renkei_store::cases::{CaseQuery, FACET_VALUES_MAX, FACETS, PER_PAGE, query_words};
    use std::collections::{BTreeMap, BTreeSet};
    let app = TestApp::spawn_demo(backend).await;
    let store = &app.store;
    seed(store).await;
    // More cases than a page, some with two parties of different types.
    for i in 0..25 {
        let mut parties = vec![company("検索確認株式会社")];
        if i % 3 == 0 {
            parties.push(Party {
                name: "検索確認の会",
                kind: "npo",
                cn: "",
            });
        }
        create(
            store,
            [K, KAWASAKI, SAPPORO][i % 3],
            input(
                &format!("防災と子育ての連携その{i}"),
                &parties,
                &[["disaster", "childcare"][i % 2]],
                &format!("20{:02}-0{}-1{}", 20 + i % 6, 1 + i % 9, i % 10),
                true,
            ),
            PartnershipStatus::Active,
        )
        .await;
    }
    let cases: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT partnership_id, sort_on, search_text FROM public_cases")
            .fetch_all(store.pool())
            .await
            .expect("cases");
    let facet_rows: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT partnership_id, facet, value FROM public_case_facets")
            .fetch_all(store.pool())
            .await
            .expect("facets");
    let mut facets_of: BTreeMap<i64, BTreeSet<(String, String)>> = BTreeMap::new();
    for (id, f, v) in facet_rows {
        facets_of.entry(id).or_default().insert((f, v));
    }
    let mut compared = 0;
    for (q, filters, page) in [
        ("", vec![], 0),
        ("", vec![], 1),
        ("防災", vec![], 0),
        ("防災", vec![], 1),
        ("ぼうさい 子育", vec![], 0),
        ("防災 子育て", vec![("field", "childcare")], 0),
        ("連携その1", vec![], 0),
        (
            "防災",
            vec![("prefecture", "14"), ("partner_type", "npo")],
            0,
        ),
        ("", vec![("year", "2021")], 0),
        ("株式会社", vec![("form", "comprehensive")], 0),
    ] {
        let query = CaseQuery {
            q: q.into(),
            filters: filters
                .iter()
                .map(|(f, v)| (f.to_string(), v.to_string()))
                .collect(),
            page,
        };
        let words = query_words(q);
        let mut want: Vec<(&String, i64)> = cases
            .iter()
            .filter(|(_, _, text)| words.iter().all(|w| text.contains(w.as_str())))
            .filter(|(id, _, _)| {
                filters
                    .iter()
                    .all(|(f, v)| facets_of[id].contains(&(f.to_string(), v.to_string())))
            })
            .map(|(id, sort_on, _)| (sort_on, *id))
            .collect();
        want.sort_by(|a, b| b.cmp(a));
        let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (_, id) in &want {
            for fv in &facets_of[id] {
                *counts.entry(fv.clone()).or_default() += 1;
            }
        }
        let mut want_facets = Vec::new();
        for facet in FACETS {
            let mut values: Vec<(String, i64)> = counts
                .iter()
                .filter(|((f, _), _)| f == facet)
                .map(|((_, v), n)| (v.clone(), *n))
                .collect();
            if facet == "year" {
                values.sort_by(|a, b| b.0.cmp(&a.0));
            } else {
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            }
            values.truncate(FACET_VALUES_MAX);
            want_facets.extend(values.into_iter().map(|(v, n)| (facet.to_string(), v, n)));
        }
        let start = (page * PER_PAGE) as usize;
        let want_ids: Vec<i64> = want
            .iter()
            .skip(start)
            .take(PER_PAGE as usize)
            .map(|(_, id)| *id)
            .collect();

        let got = store.cases_search(&query).await.expect("search");
        assert_eq!(got.total, want.len() as i64, "{q} {filters:?}");
        assert_eq!(
            got.items.iter().map(|h| h.id).collect::<Vec<_>>(),
            want_ids,
            "{q} {filters:?} page {page}"
        );
        assert_eq!(
            got.facets
                .iter()
                .map(|f| (f.facet.clone(), f.value.clone(), f.count))
                .collect::<Vec<_>>(),
            want_facets,
            "{q} {filters:?}"
        );
        compared += usize::from(!want_ids.is_empty());
    }
    assert!(compared >= 8, "only {compared} searches found anything");
}
on_both!(search_equals_a_full_count);

/// Each app server keeps the search's keys in memory: a change committed through another
/// server (another handle on the same database) shows in the next search at once — a new
/// case, a case whose fields changed, a case no longer published — and so does a rebuild.
async fn another_servers_changes_show_in_the_next_search(backend: Backend) {
    use renkei_store::cases::CaseQuery;
    let app = TestApp::spawn_demo(backend).await;
    let db = app.db.as_ref().expect("the test's database");
    let other = Store::connect(&db.url)
        .await
        .expect("connect")
        .with_clock(db.clock.clone());
    let here = &app.store;
    let q = |filters: &[(&str, &str)]| CaseQuery {
        q: "別サーバー確認".into(),
        filters: filters
            .iter()
            .map(|(f, v)| (f.to_string(), v.to_string()))
            .collect(),
        page: 0,
    };
    let facet_count = |r: &renkei_store::cases::CaseResults, facet: &str, value: &str| {
        r.facets
            .iter()
            .find(|f| f.facet == facet && f.value == value)
            .map(|f| f.count)
    };
    // This server has read its keys (nothing matches yet).
    assert_eq!(here.cases_search(&q(&[])).await.expect("search").total, 0);
    let all_before = here
        .cases_search(&CaseQuery::default())
        .await
        .expect("search")
        .total;

    let id = create(
        &other,
        KAWASAKI,
        input(
            "別サーバー確認の防災連携",
            &[company("別サーバー株式会社")],
            &["disaster"],
            "2025-06-01",
            true,
        ),
        PartnershipStatus::Active,
    )
    .await;
    let r = here.cases_search(&q(&[])).await.expect("search");
    assert_eq!(r.total, 1);
    assert_eq!(r.items[0].id, id);
    assert_eq!(facet_count(&r, "field", "disaster"), Some(1));
    assert_eq!(
        here.cases_search(&CaseQuery::default())
            .await
            .expect("search")
            .total,
        all_before + 1
    );

    // Its fields corrected through the other server: the counts and filters follow.
    let mut changed = input(
        "別サーバー確認の防災連携",
        &[company("別サーバー株式会社")],
        &["childcare"],
        "2025-06-01",
        true,
    );
    changed.published = true;
    correct(&other, id, &changed).await;
    let r = here.cases_search(&q(&[])).await.expect("search");
    assert_eq!(facet_count(&r, "field", "disaster"), None);
    assert_eq!(facet_count(&r, "field", "childcare"), Some(1));
    assert_eq!(
        here.cases_search(&q(&[("field", "childcare")]))
            .await
            .expect("search")
            .total,
        1
    );

    // No longer published: gone from this server's results and counts.
    changed.published = false;
    correct(&other, id, &changed).await;
    assert_eq!(here.cases_search(&q(&[])).await.expect("search").total, 0);
    assert_eq!(
        here.cases_search(&CaseQuery::default())
            .await
            .expect("search")
            .total,
        all_before
    );

    // Published again, then the whole index rebuilt through the other server.
    changed.published = true;
    correct(&other, id, &changed).await;
    other.cases_rebuild().await.expect("rebuild");
    let r = here.cases_search(&q(&[])).await.expect("search");
    assert_eq!(r.total, 1);
    assert_eq!(facet_count(&r, "field", "childcare"), Some(1));
}
on_both!(another_servers_changes_show_in_the_next_search);

/// A correction of one of 川崎市's partnerships through `store`.
async fn correct(store: &Store, id: i64, i: &PartnershipInput) {
    let detail = store.partnership(tc(KAWASAKI), id).await.expect("detail");
    let basis = renkei_domain::time::to_db_timestamp(detail.updated_at);
    store
        .partnership_update(
            tc(KAWASAKI),
            id,
            &Partnership::parse(i).expect("valid"),
            "訂正",
            &basis,
            &Who::cli(),
        )
        .await
        .expect("update");
}
