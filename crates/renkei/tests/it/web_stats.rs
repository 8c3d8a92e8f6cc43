//! Statistics pages (`/t/{code}/stats`, `/stats`) on both databases: the numbers of a small
//! data set built through the application commands (counts per fiscal year and kind, the share
//! realised, median business days across a weekend and the Golden Week holidays, decline
//! reasons, activities, partnerships by form and field), nothing of a proposal under
//! consideration on either page, and 404 for an unknown local government.

use renkei_app::Caller;
use renkei_app::proposals::{self as cmd, SubmitInput, TransitionInput};
use renkei_domain::calendar::is_business_day;
use renkei_domain::partnership::{ActivityInput, PartnershipInput, PartyInput};
use renkei_domain::policy::Actor;
use renkei_domain::proposal::IntakeInput;
use renkei_domain::{Lang, TenantCode};
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestApp, on_both};

const K: &str = "272027";
const DESK: &str = "desk@kishiwada.demo.renkei.jp";
const SECRET: &str = "極秘の提案内容ステルス電池";
const SECRET_ORG: &str = "株式会社ひみつ検討中";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
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
            tenant: u
                .tenant_code
                .as_deref()
                .map(|c| TenantCode::parse(c).expect("code")),
            departments,
        }),
        who: Who {
            user_id: Some(u.id),
            label: u.email.clone(),
            origin: "test".into(),
        },
    }
}

fn public() -> Caller {
    Caller {
        actor: None,
        who: Who {
            user_id: None,
            label: "proponent".into(),
            origin: "test".into(),
        },
    }
}

async fn submit(app: &TestApp, kind: &str, org: &str, details: &str) -> String {
    let input = SubmitInput {
        intake: IntakeInput {
            kind: kind.into(),
            org_name: org.into(),
            partner_type: "company".into(),
            corporate_number: String::new(),
            org_address: "大阪府岸和田市岸城町7-1".into(),
            contact_name: "統計 太郎".into(),
            contact_department: String::new(),
            contact_title: String::new(),
            email: "stats@example.co.jp".into(),
            phone: "072-000-0000".into(),
            title: format!("{org}の提案"),
            summary: format!("{org}の概要"),
            details: details.into(),
            fields: vec!["disaster".into()],
            offers: vec!["knowhow".into()],
            expected_effects: "効果".into(),
            fiscal_burden: "none".into(),
            fiscal_explanation: String::new(),
            publication_consent: false,
            privacy_consent: true,
        },
        files: vec![],
        proponent_user_id: None,
        ip: None,
        per_hour: 0,
        route: None,
        lang: Lang::Ja,
        call_id: None,
    };
    cmd::submit(&app.app(), &public(), k(), input)
        .await
        .expect("submit")
        .receipt_number
}

async fn mv(app: &TestApp, desk: &Caller, receipt: &str, action: &str, reason: &str) {
    let input = TransitionInput {
        action: action.into(),
        reason: reason.into(),
        explanation: if reason.is_empty() {
            String::new()
        } else {
            "今回は見送ります。".into()
        },
        ..Default::default()
    };
    cmd::transition(&app.app(), desk, k(), receipt, &input)
        .await
        .unwrap_or_else(|e| panic!("{action} {receipt}: {e:?}"));
}

fn partnership(form: &str, field: &str, signed_on: &str) -> PartnershipInput {
    PartnershipInput {
        form: form.into(),
        title: format!("統計用の{form}"),
        purpose: "目的".into(),
        summary: "概要".into(),
        city_role: "会場の提供".into(),
        parties: vec![PartyInput {
            name: "統計協力株式会社".into(),
            party_type: "company".into(),
            corporate_number: String::new(),
            role: "人材の派遣".into(),
        }],
        fields: vec![field.into()],
        signed_on: signed_on.into(),
        published: true,
        ..Default::default()
    }
}

/// The cells of the table row whose heading holds `<data value="{year}">`.
fn year_cells(html: &str, section: &str, year: i32) -> Vec<String> {
    let start = html
        .find(&format!("<h2 id=\"{section}\">"))
        .unwrap_or_else(|| panic!("section {section}"));
    let rest = &html[start..];
    let end = rest.find("</section>").expect("section end");
    let rest = &rest[..end];
    let row_at = rest
        .find(&format!("<data value=\"{year}\">"))
        .unwrap_or_else(|| panic!("{section}: year {year}"));
    let row = &rest[row_at..];
    let row = &row[..row.find("</tr>").expect("row end")];
    row.split("<td")
        .skip(1)
        .map(|c| {
            let c = &c[c.find('>').expect("td") + 1..];
            c[..c.find("</td>").expect("td end")].to_string()
        })
        .collect()
}

/// The count cell of an item row (`<th scope="row">label</th><td …>n</td>`) in a section.
fn item_cell(html: &str, section: &str, label: &str) -> String {
    let start = html
        .find(&format!("<h2 id=\"{section}\">"))
        .expect("section");
    let rest = &html[start..];
    let rest = &rest[..rest.find("</section>").expect("end")];
    let at = rest
        .find(&format!("<th scope=\"row\">{label}</th>"))
        .unwrap_or_else(|| panic!("{section}: {label}"));
    let c = &rest[at..];
    let c = &c[c.find("<td").expect("td")..];
    let c = &c[c.find('>').expect(">") + 1..];
    c[..c.find("</td>").expect("td end")].to_string()
}

async fn statistics_from_known_data(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let db = app.db();
    let store = &app.store;
    let desk = caller(store, DESK).await;
    let before = store.tenant_stats(k()).await.expect("stats");

    // The premise: Friday 2 May 2031, then a weekend and holidays until Wednesday 7 May.
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("day");
    assert!(is_business_day(day("2031-05-02")));
    for d in ["2031-05-03", "2031-05-04", "2031-05-05", "2031-05-06"] {
        assert!(!is_business_day(day(d)), "{d}");
    }

    // FY2030 (令和12年度): one donation offer, left open.
    db.set_jst("2031-03-10T10:00:00");
    submit(&app, "donation", "寄附の会", "寄附の内容").await;

    // FY2031 (令和13年度): four received on Friday 2 May.
    db.set_jst("2031-05-02T10:00:00");
    let p1 = submit(&app, "proposal", "一番株式会社", "内容1").await;
    let p2 = submit(&app, "consultation", "二番株式会社", "内容2").await;
    let p3 = submit(&app, "proposal", "三番株式会社", "内容3").await;
    let secret = submit(&app, "proposal", SECRET_ORG, SECRET).await;

    // p1: first response Wed 7 May (1 business day), 実施決定 Fri 9 May (3).
    db.set_jst("2031-05-07T10:00:00");
    mv(&app, &desk, &p1, "start_hearing", "").await;
    // p2: first response Thu 8 May (2), 不採択 (sales pitch) Mon 12 May (4).
    db.set_jst("2031-05-08T10:00:00");
    mv(&app, &desk, &p2, "start_hearing", "").await;
    db.set_jst("2031-05-09T10:00:00");
    mv(&app, &desk, &p1, "start_coordination", "").await;
    mv(&app, &desk, &p1, "decide", "").await;
    db.set_jst("2031-05-12T10:00:00");
    mv(&app, &desk, &p2, "decline", "sales_pitch").await;
    // p3: 不採択 (infeasible) without an earlier answer on Tue 13 May (5 and 5).
    db.set_jst("2031-05-13T10:00:00");
    mv(&app, &desk, &p3, "decline", "infeasible").await;

    // Partnerships: one 包括連携協定 (防災) concluded, one in preparation (not counted);
    // activities in FY2030, FY2031 and before the window.
    db.set_jst("2031-05-20T10:00:00");
    let app_cmds = app.app();
    let id = renkei_app::partnerships::create(
        &app_cmds,
        &desk,
        k(),
        &partnership("comprehensive", "disaster", "2031-04-10"),
        None,
    )
    .await
    .expect("create");
    renkei_app::partnerships::create(
        &app_cmds,
        &desk,
        k(),
        &partnership("comprehensive", "childcare", ""),
        None,
    )
    .await
    .expect("create preparing");
    for done_on in ["2031-05-15", "2031-05-16", "2031-03-20", "2020-06-01"] {
        renkei_app::partnerships::add_activity(
            &app_cmds,
            &desk,
            k(),
            id,
            &ActivityInput {
                done_on: done_on.into(),
                title: "防災訓練".into(),
                description: "訓練を行った".into(),
                people: "20".into(),
                outputs: String::new(),
            },
        )
        .await
        .expect("activity");
    }

    // The store's figures.
    let s = store.tenant_stats(k()).await.expect("stats");
    let years: Vec<i32> = s.years.iter().map(|y| y.fiscal_year).collect();
    assert_eq!(years, [2027, 2028, 2029, 2030, 2031]);
    let y31 = &s.years[4];
    assert_eq!(y31.received, 4);
    assert_eq!(
        y31.by_kind,
        [
            ("proposal".to_string(), 3),
            ("consultation".to_string(), 1),
            ("donation".to_string(), 0)
        ]
    );
    assert_eq!((y31.decided, y31.declined), (1, 2));
    assert_eq!(y31.realised_permille, Some(333));
    assert_eq!(
        (y31.median_first_response_tenths, y31.responded),
        (Some(20), 3)
    );
    assert_eq!((y31.median_decision_tenths, y31.concluded), (Some(40), 3));
    assert_eq!(y31.activities, 2);
    let y30 = &s.years[3];
    assert_eq!((y30.received, y30.realised_permille), (1, None));
    assert_eq!(y30.by_kind[2], ("donation".to_string(), 1));
    assert_eq!(y30.activities, 1);
    assert_eq!(s.years[0].received, 0);
    let reasons: Vec<(String, i64)> = s
        .decline_reasons
        .iter()
        .filter(|(_, n)| *n > 0)
        .cloned()
        .collect();
    assert_eq!(
        reasons,
        [
            ("sales_pitch".to_string(), 1),
            ("infeasible".to_string(), 1)
        ]
    );
    let count = |v: &[(String, i64)], code: &str| {
        v.iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| *n)
            .unwrap_or(-1)
    };
    assert_eq!(
        count(&s.by_form, "comprehensive"),
        count(&before.by_form, "comprehensive") + 1
    );
    assert_eq!(
        count(&s.by_field, "disaster"),
        count(&before.by_field, "disaster") + 1
    );
    assert_eq!(
        count(&s.by_field, "childcare"),
        count(&before.by_field, "childcare"),
        "a partnership in preparation is not counted"
    );
    assert_eq!(s.partnerships, before.partnerships + 1);

    // The tenant's page.
    let mut c = app.client();
    let page = c.get(&format!("/t/{K}/stats")).await;
    assert_eq!(page.status, 200);
    let html = &page.body;
    assert!(html.contains("令和13年度"), "和暦 fiscal years");
    assert_eq!(year_cells(html, "proposals", 2031), ["3", "1", "0", "4"]);
    assert_eq!(year_cells(html, "proposals", 2030), ["0", "0", "1", "1"]);
    assert_eq!(year_cells(html, "realised", 2031), ["1", "2", "33.3%"]);
    assert_eq!(year_cells(html, "realised", 2030), ["0", "0", "－"]);
    assert_eq!(year_cells(html, "first-response", 2031), ["2.0営業日", "3"]);
    assert_eq!(year_cells(html, "decision", 2031), ["4.0営業日", "3"]);
    assert_eq!(year_cells(html, "activities", 2031), ["2"]);
    assert_eq!(year_cells(html, "activities", 2030), ["1"]);
    assert_eq!(item_cell(html, "declines", "単なる営業・宣伝"), "1");
    assert_eq!(item_cell(html, "declines", "実現困難"), "1");
    assert_eq!(
        item_cell(html, "forms", "包括連携協定"),
        count(&s.by_form, "comprehensive").to_string()
    );
    // Charts: an image with its text alternative, bars for the five years.
    assert!(html.contains(
        "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-proposals-title chart-proposals-desc\""
    ));
    assert!(html.contains("令和13年度: 4件"), "the chart's summary");
    // Nothing of a proposal: no text, no organisation, no receipt number.
    for needle in [SECRET, SECRET_ORG, &secret, &p1, &p2, &p3, "一番株式会社"] {
        assert!(!html.contains(needle), "{needle} on the tenant page");
    }
    // English: FY labels with the same numbers.
    let en = c.get(&format!("/t/{K}/stats?lang=en")).await;
    assert_eq!(en.status, 200);
    assert!(en.body.contains("FY2031"));
    assert_eq!(year_cells(&en.body, "realised", 2031), ["1", "2", "33.3%"]);

    // Nationwide: the other local governments have nothing in these years.
    let page = c.get("/stats?lang=ja").await;
    assert_eq!(page.status, 200);
    let html = &page.body;
    assert_eq!(year_cells(html, "proposals", 2031), ["3", "1", "0", "4"]);
    assert_eq!(year_cells(html, "first-response", 2031), ["2.0営業日", "3"]);
    assert_eq!(year_cells(html, "decision", 2031), ["4.0営業日", "3"]);
    for needle in [SECRET, SECRET_ORG, &secret, &p1] {
        assert!(!html.contains(needle), "{needle} on the national page");
    }
    // The same numbers as JSON (validated against the OpenAPI document by the test kit).
    let api = c.api_get(&format!("/api/v1/tenants/{K}/stats"), None).await;
    assert_eq!(api.status, 200);
    let j = api.json();
    assert_eq!(j["scope"], K);
    let y = &j["years"][4];
    assert_eq!(
        (y["fiscal_year"].as_i64(), y["fiscal_year_wareki"].as_str()),
        (Some(2031), Some("令和13年度"))
    );
    assert_eq!(y["received"], 4);
    assert_eq!(
        y["median_business_days_to_first_response"].as_f64(),
        Some(2.0)
    );
    assert_eq!(y["median_business_days_to_decision"].as_f64(), Some(4.0));
    let share = y["share_realised"].as_f64().expect("share");
    assert!((share - 1.0 / 3.0).abs() < 1e-9, "{share}");
    assert!(j["years"][3]["share_realised"].is_null());
    assert!(!api.body.contains(SECRET) && !api.body.contains(&secret));
    let national = c.api_get("/api/v1/stats", None).await;
    assert_eq!(national.status, 200);
    assert_eq!(national.json()["scope"], "national");
    assert_eq!(national.json()["years"][4]["received"], 4);
    assert_eq!(
        c.api_get("/api/v1/tenants/999999/stats", None).await.status,
        404
    );
    assert_eq!(
        c.api_get("/api/v1/tenants/27202x/stats", None).await.status,
        404
    );

    // Cached: a change within the freshness period is not seen; the figures say when.
    let cached = store.national_stats().await.expect("national");
    assert!(
        cached.computed_at.starts_with("2031-05-20T01:00:"),
        "{}",
        cached.computed_at
    );
    db.set_jst("2031-05-20T10:10:00");
    submit(&app, "proposal", "後から株式会社", "内容").await;
    assert_eq!(
        store.national_stats().await.expect("national").years[4].received,
        4
    );
    assert_eq!(
        store.tenant_stats(k()).await.expect("tenant").years[4].received,
        5
    );
    db.set_jst("2031-05-20T10:20:00");
    // Past the period: the stale figures are served once while they are refreshed.
    let _ = store.national_stats().await.expect("national");
    let mut fresh = 0;
    for _ in 0..100 {
        fresh = store.national_stats().await.expect("national").years[4].received;
        if fresh == 5 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(fresh, 5, "refreshed in the background");

    // Unknown or malformed local government: 404.
    assert_eq!(c.get("/t/272028/stats").await.status, 404);
    assert_eq!(c.get("/t/999999/stats").await.status, 404);
    assert_eq!(c.get("/t/abc/stats").await.status, 404);
}

on_both!(statistics_from_known_data);
