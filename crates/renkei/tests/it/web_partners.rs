//! The desk's partner registry: 五十音 order (legal-form words aside, by reading when there is
//! one), partners added by hand (法人番号 by its check digit, no duplicates), contacts (担当者)
//! added and removed after a confirmation and following a merge, the type filter and pages,
//! and nobody but the tenant's desk reaching any of it. Migration 18's sort keys for partners
//! already there.

use renkei_app::demo::{DEMO_PASSWORD, corporate_number};
use renkei_domain::TenantCode;
use renkei_domain::partner::{NewPartner, PartnerInput};
use renkei_store::Who;
use renkei_testkit::{Backend, Client, TestApp, TestDb, on_both};

const K: &str = "272027";

fn k() -> TenantCode {
    TenantCode::parse(K).expect("code")
}

async fn signed_in(app: &TestApp, email: &str) -> Client {
    let mut c = app.client();
    let r = c.login(email, DEMO_PASSWORD).await;
    assert_eq!(r.status, 303, "{email}");
    c
}

async fn desk(app: &TestApp) -> Client {
    let mut c = signed_in(app, "desk@kishiwada.demo.renkei.jp").await;
    assert_eq!(c.get("/t/272027/desk/partners").await.status, 200);
    c
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn partner_rows(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM partners").await
}

async fn audits(app: &TestApp, action: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'"),
    )
    .await
}

/// The id a redirect to a partner's page names.
fn id_in(location: Option<&str>) -> i64 {
    let l = location.expect("redirect");
    let rest = l
        .strip_prefix("/t/272027/desk/partners/")
        .unwrap_or_else(|| panic!("{l}"));
    rest.split(['?', '#'])
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{l}"))
}

/// Adds a partner through the page; returns its id.
async fn add(c: &mut Client, fields: &[(&str, &str)]) -> i64 {
    let r = c.post("/t/272027/desk/partners", fields).await;
    assert_eq!(r.status, 303, "{}", r.body);
    id_in(r.location.as_deref())
}

/// Where each of `names` stands in the registry (all of it, in its order).
async fn order_of(app: &TestApp, names: &[&str]) -> Vec<String> {
    app.store
        .partners(k(), None)
        .await
        .expect("partners")
        .into_iter()
        .map(|p| p.name)
        .filter(|n| names.contains(&n.as_str()))
        .collect()
}

async fn the_registry_is_in_gojuon_order(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    // Intake's partners get their sort key too.
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM partners WHERE sort_key = ''").await,
        0
    );
    let mut c = desk(&app).await;
    for (name, kana, kind) in [
        ("一般社団法人 いろは", "", "intermediary"),
        ("泉州工業大学", "", "university"),
        ("アオゾラ商事(株)", "", "company"),
        ("株式会社あおぞら", "", "company"),
        ("ガクエン地域連携室", "", "university"),
        ("浜風工房", "はまかぜこうぼう", "company"),
    ] {
        add(
            &mut c,
            &[("name", name), ("name_kana", kana), ("partner_type", kind)],
        )
        .await;
    }
    let ours = [
        "株式会社あおぞら",
        "アオゾラ商事(株)",
        "一般社団法人 いろは",
        "ガクエン地域連携室",
        "浜風工房",
        "泉州工業大学",
    ];
    // Legal-form words aside, a reading first; a kanji name without one after every reading.
    assert_eq!(order_of(&app, &ours).await, ours);
    // The page lists them in that order too.
    let page = c.get("/t/272027/desk/partners").await;
    let at = |n: &str| {
        page.body
            .find(&format!(">{n}</a>"))
            .unwrap_or_else(|| panic!("{n} listed"))
    };
    for pair in ours.windows(2) {
        assert!(at(pair[0]) < at(pair[1]), "{} before {}", pair[0], pair[1]);
    }
    assert!(
        page.body.contains("ハマカゼコウボウ"),
        "the reading is shown"
    );

    // Giving 泉州工業大学 its reading (on its page, hiragana typed) moves it under セ.
    let id = app
        .store
        .partners(k(), Some("泉州工業大学"))
        .await
        .expect("find")[0]
        .id;
    let r = c
        .post(
            &format!("/t/272027/desk/partners/{id}"),
            &[
                ("name_kana", "せんしゅうこうぎょうだいがく"),
                ("strengths", "工学部の研究室"),
                ("constraints", ""),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let p = app.store.partner(k(), id).await.expect("partner");
    assert_eq!(p.name_kana, "センシュウコウギョウダイガク");
    assert_eq!(p.strengths, "工学部の研究室");
    assert_eq!(
        order_of(&app, &ours).await,
        [
            "株式会社あおぞら",
            "アオゾラ商事(株)",
            "一般社団法人 いろは",
            "ガクエン地域連携室",
            "泉州工業大学",
            "浜風工房",
        ]
    );
    // A reading in kanji is refused on the edit form too, with what was typed kept.
    let bad = c
        .post(
            &format!("/t/272027/desk/partners/{id}"),
            &[("name_kana", "泉州"), ("strengths", "書きかけのメモ")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(
        bad.body
            .contains("フリガナはカタカナまたはひらがなで入力してください")
    );
    assert!(bad.body.contains("書きかけのメモ"));
    assert_eq!(
        app.store.partner(k(), id).await.expect("p").name_kana,
        "センシュウコウギョウダイガク"
    );
    // The name search finds a partner by its reading in either kana.
    let found = c
        .get("/t/272027/desk/partners?q=%E3%81%AF%E3%81%BE%E3%81%8B%E3%81%9C")
        .await; // はまかぜ
    assert!(found.body.contains(">浜風工房</a>"), "{}", found.body);
    assert!(!found.body.contains(">泉州工業大学</a>"));
    app.stop().await;
}

on_both!(the_registry_is_in_gojuon_order);

async fn the_desk_adds_a_partner_by_hand(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = desk(&app).await;
    let number = corporate_number("012345678901");
    let r = c
        .post(
            "/t/272027/desk/partners",
            &[
                ("name", "株式会社 浜のひかり"),
                ("name_kana", "はまのひかり"),
                ("corporate_number", &number),
                ("partner_type", "company"),
                ("address", "大阪府岸和田市港緑町2番"),
                ("website", "https://hikari.example.jp/"),
                ("phone", "072-400-1234"),
                ("note", "展示会で名刺交換"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let id = id_in(r.location.as_deref());
    let p = app.store.partner(k(), id).await.expect("partner");
    assert_eq!(p.name, "株式会社 浜のひかり");
    assert_eq!(p.name_kana, "ハマノヒカリ");
    assert_eq!(p.corporate_number.as_deref(), Some(number.as_str()));
    assert_eq!(p.partner_type.code(), "company");
    assert_eq!(p.address, "大阪府岸和田市港緑町2番");
    assert_eq!(p.website, "https://hikari.example.jp/");
    assert_eq!(p.phone, "072-400-1234");
    assert_eq!(p.note, "展示会で名刺交換");
    assert_eq!(p.proposal_count, 0);
    assert_eq!(
        audits(&app, "partner.add").await,
        2,
        "the demo's and this one"
    );
    let page = c
        .get(&format!(
            "/t/272027/desk/partners/{id}?notice=partner-added"
        ))
        .await;
    assert!(page.body.contains("団体を登録しました"));
    assert!(page.body.contains("https://hikari.example.jp/"));

    let before = (partner_rows(&app).await, audits(&app, "partner.add").await);
    // Refusals: each shows the form again as typed, with the message; nothing is written.
    let check_digit = {
        let mut n = number.clone().into_bytes();
        n[0] = if n[0] == b'9' { b'1' } else { n[0] + 1 };
        String::from_utf8(n).expect("digits")
    };
    for (fields, message) in [
        (
            vec![
                ("name", "株式会社みなと計画"),
                ("corporate_number", check_digit.as_str()),
                ("partner_type", "company"),
            ],
            "法人番号の検査数字（先頭の1桁）が正しくありません",
        ),
        (
            vec![
                ("name", "みなと計画合同会社"),
                ("corporate_number", number.as_str()),
                ("partner_type", "company"),
            ],
            "この法人番号の団体は既に登録されています",
        ),
        (
            // The same organisation written another way (legal form, spaces, width).
            vec![("name", "浜のひかり（株）"), ("partner_type", "company")],
            "同じ名称の団体が既に登録されています",
        ),
        (
            vec![
                ("name", "株式会社みなと計画"),
                ("name_kana", "Minato"),
                ("partner_type", "company"),
            ],
            "フリガナはカタカナまたはひらがなで入力してください",
        ),
        (
            vec![
                ("name", "株式会社みなと計画"),
                ("partner_type", "company"),
                ("website", "javascript:alert(1)"),
            ],
            "ウェブサイトは http:// または https:// から始まるアドレスで入力してください",
        ),
        (
            vec![("name", ""), ("partner_type", "")],
            "団体名を入力してください",
        ),
    ] {
        let r = c.post("/t/272027/desk/partners", &fields).await;
        assert_eq!(r.status, 422, "{fields:?}");
        assert!(r.body.contains(message), "{message}: {}", r.body);
        assert!(r.body.contains("入力内容を確認してください"));
        assert!(r.body.contains("<details class=\"panel\" id=\"add\" open>"));
        for (name, value) in &fields {
            if !value.is_empty() && *name != "partner_type" {
                assert!(
                    r.body.contains(&format!("value=\"{value}\"")),
                    "{name} kept: {value}"
                );
            }
        }
        assert_eq!(
            (partner_rows(&app).await, audits(&app, "partner.add").await),
            before,
            "nothing written for {fields:?}"
        );
    }
    let both = c
        .post(
            "/t/272027/desk/partners",
            &[("name", ""), ("partner_type", "")],
        )
        .await;
    assert!(both.body.contains("団体の種類を選択してください"));

    // The same name is another partner when both have different 法人番号 (two legal persons).
    let other = corporate_number("100000000001");
    let second = add(
        &mut c,
        &[
            ("name", "浜のひかり株式会社"),
            ("corporate_number", &other),
            ("partner_type", "company"),
        ],
    )
    .await;
    assert_ne!(second, id);
    // A name left by a merge is known too.
    let merged = add(
        &mut c,
        &[("name", "ひかり物流"), ("partner_type", "company")],
    )
    .await;
    let r = c
        .post(
            &format!("/t/272027/desk/partners/{id}/merge"),
            &[("other", &merged.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(r.status, 303);
    let again = c
        .post(
            "/t/272027/desk/partners",
            &[("name", "ひかり物流"), ("partner_type", "company")],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("同じ名称の団体が既に登録されています"));

    // Intake then finds the hand-entered partner by its 法人番号.
    let r = super::web_proposals::propose(
        &mut app.client(),
        "浜のひかりからの提案",
        None,
        &[
            ("org_name", "浜のひかり"),
            ("corporate_number", &number),
            ("partner_type", "company"),
        ],
    )
    .await;
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.store.partner(k(), id).await.expect("p").proposal_count,
        1
    );
    app.stop().await;
}

on_both!(the_desk_adds_a_partner_by_hand);

async fn contacts_are_added_and_removed_after_a_confirmation(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = desk(&app).await;
    let id = add(
        &mut c,
        &[("name", "NPO法人 浜の会"), ("partner_type", "npo")],
    )
    .await;
    let path = format!("/t/272027/desk/partners/{id}");
    let r = c
        .post(
            &format!("{path}/contacts"),
            &[
                ("contact_name", "浜 花子"),
                ("contact_department", "事務局"),
                ("contact_title", "理事"),
                ("contact_email", "Hanako@Hama.example.jp"),
                ("contact_phone", "090-1234-5678"),
                ("contact_note", "平日午後のみ"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let contacts = app.store.partner_contacts(k(), id).await.expect("contacts");
    assert_eq!(contacts.len(), 1);
    let hanako = &contacts[0];
    assert_eq!(
        (
            hanako.name.as_str(),
            hanako.department.as_str(),
            hanako.title.as_str(),
            hanako.email.as_str(),
            hanako.phone.as_str(),
            hanako.note.as_str()
        ),
        (
            "浜 花子",
            "事務局",
            "理事",
            "hanako@hama.example.jp",
            "090-1234-5678",
            "平日午後のみ"
        )
    );
    let page = c.get(&path).await;
    assert!(page.body.contains("浜 花子") && page.body.contains("mailto:hanako@hama.example.jp"));
    assert_eq!(
        audits(&app, "partner.contact_add").await,
        2,
        "the demo's and this one"
    );

    // A contact without a name, or with an address that is not one: the form as typed.
    let bad = c
        .post(
            &format!("{path}/contacts"),
            &[
                ("contact_name", ""),
                ("contact_department", "広報部"),
                ("contact_email", "not-an-address"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("担当者の氏名を入力してください"));
    assert!(bad.body.contains("メールアドレスの形式が正しくありません"));
    assert!(bad.body.contains("value=\"広報部\"") && bad.body.contains("value=\"not-an-address\""));
    assert_eq!(
        app.store.partner_contacts(k(), id).await.expect("c").len(),
        1
    );

    // Removing asks first and changes nothing until confirmed.
    let remove = format!("{path}/contacts/{}/remove", hanako.id);
    let ask = c.post(&remove, &[]).await;
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains("次の担当者を削除しますか"));
    assert!(ask.body.contains("浜 花子") && ask.body.contains("元に戻せません"));
    assert!(ask.body.contains("name=\"confirm\" value=\"yes\""));
    assert_eq!(
        app.store.partner_contacts(k(), id).await.expect("c").len(),
        1
    );
    // Through another partner's address, the contact is not found.
    let other = add(&mut c, &[("name", "別の団体"), ("partner_type", "other")]).await;
    let wrong = c
        .post(
            &format!(
                "/t/272027/desk/partners/{other}/contacts/{}/remove",
                hanako.id
            ),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(wrong.status, 404);
    let done = c.post(&remove, &[("confirm", "yes")]).await;
    assert_eq!(done.status, 303);
    assert!(
        app.store
            .partner_contacts(k(), id)
            .await
            .expect("c")
            .is_empty()
    );
    assert_eq!(audits(&app, "partner.contact_remove").await, 1);
    let page = c
        .get(&format!("{path}?notice=partner-contact-removed"))
        .await;
    assert!(page.body.contains("担当者を削除しました"));
    assert!(!page.body.contains("浜 花子"));
    // Again: it is gone.
    assert_eq!(c.post(&remove, &[("confirm", "yes")]).await.status, 404);
    app.stop().await;
}

on_both!(contacts_are_added_and_removed_after_a_confirmation);

async fn contacts_follow_a_merge(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = desk(&app).await;
    let kept = add(
        &mut c,
        &[("name", "泉州臨海大学"), ("partner_type", "university")],
    )
    .await;
    let merged = add(
        &mut c,
        &[
            ("name", "泉州臨海大学 地域連携センター"),
            ("partner_type", "university"),
        ],
    )
    .await;
    for (partner, name) in [
        (kept, "本部 太郎"),
        (merged, "連携 次郎"),
        (merged, "連携 三郎"),
    ] {
        let r = c
            .post(
                &format!("/t/272027/desk/partners/{partner}/contacts"),
                &[("contact_name", name)],
            )
            .await;
        assert_eq!(r.status, 303);
    }
    let path = format!("/t/272027/desk/partners/{kept}/merge");
    let ask = c.post(&path, &[("other", &merged.to_string())]).await;
    assert_eq!(ask.status, 200);
    assert!(
        ask.body.contains("移る担当者") && ask.body.contains("2人"),
        "{}",
        ask.body
    );
    let done = c
        .post(&path, &[("other", &merged.to_string()), ("confirm", "yes")])
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let names: Vec<String> = app
        .store
        .partner_contacts(k(), kept)
        .await
        .expect("contacts")
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, ["本部 太郎", "連携 次郎", "連携 三郎"]);
    assert!(matches!(
        app.store.partner(k(), merged).await,
        Err(renkei_store::StoreError::NotFound)
    ));
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'partner.merge' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(app.store.pool())
    .await
    .expect("merge audit");
    assert!(detail.contains("\"contacts_moved\":2"), "{detail}");
    let page = c.get(&format!("/t/272027/desk/partners/{kept}")).await;
    assert!(page.body.contains("連携 次郎") && page.body.contains("連携 三郎"));
    app.stop().await;
}

on_both!(contacts_follow_a_merge);

async fn the_list_filters_by_type_and_pages(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let who = Who::cli();
    // 53 neighbourhood associations (三桁 so that names sort as numbered).
    for i in 0..53 {
        let p = NewPartner::parse(&PartnerInput {
            name: format!("テスト町会{i:03}"),
            partner_type: "neighborhood".into(),
            ..PartnerInput::default()
        })
        .expect("valid");
        app.store.partner_add(k(), &p, &who).await.expect("add");
    }
    let neighbourhoods = app
        .store
        .partner_list(
            k(),
            &renkei_store::proposals::PartnerFilter {
                partner_type: Some(renkei_domain::proposal::PartnerType::Neighborhood),
                per_page: 500,
                ..Default::default()
            },
        )
        .await
        .expect("list")
        .1;
    assert!(neighbourhoods >= 53);
    let mut c = desk(&app).await;
    let first = c
        .get("/t/272027/desk/partners?partner_type=neighborhood")
        .await;
    assert_eq!(first.status, 200);
    assert!(first.body.contains(&format!("{neighbourhoods}件")));
    assert!(first.body.contains(">テスト町会000</a>"));
    assert!(
        !first.body.contains(">テスト町会052</a>"),
        "on the second page"
    );
    // Other types are not listed.
    assert!(!first.body.contains("株式会社泉州ミライ研究所"));
    assert!(
        !first
            .body
            .contains("一般社団法人 きしわだ観光まちづくり協議会")
    );
    // The page links keep the filter (askama writes & as &#38;).
    assert!(
        first
            .body
            .contains("href=\"?partner_type=neighborhood&#38;page=1\" rel=\"next\""),
        "{}",
        first.body
    );
    assert!(first.body.contains("aria-current=\"page\""));
    let second = c
        .get("/t/272027/desk/partners?partner_type=neighborhood&page=1")
        .await;
    assert!(second.body.contains(">テスト町会052</a>"));
    assert!(!second.body.contains(">テスト町会000</a>"));
    assert!(second.body.contains("rel=\"prev\""));
    // The name search and the type filter together.
    let both = c
        .get("/t/272027/desk/partners?partner_type=neighborhood&q=%E7%94%BA%E4%BC%9A051")
        .await;
    assert!(both.body.contains(">テスト町会051</a>") && both.body.contains("1件"));
    // Every type: the intermediary the demo entered by hand is there; a type nobody knows
    // and a page far beyond the end are harmless.
    let all = c.get("/t/272027/desk/partners").await;
    assert!(
        all.body
            .contains("一般社団法人 きしわだ観光まちづくり協議会")
    );
    let odd = c
        .get("/t/272027/desk/partners?partner_type=guild&page=99999999999999999999")
        .await;
    assert_eq!(odd.status, 200);
    let far = c
        .get("/t/272027/desk/partners?page=9223372036854775807")
        .await;
    assert_eq!(far.status, 200);
    assert!(far.body.contains("登録されている団体はありません"));
    app.stop().await;
}

on_both!(the_list_filters_by_type_and_pages);

/// A request an outsider tries: method, path, form fields.
type Attempt<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);

async fn only_the_desk_reaches_the_registry(backend: Backend) {
    let app = TestApp::spawn_demo(backend).await;
    let mut c = desk(&app).await;
    let id = add(
        &mut c,
        &[("name", "見せない団体"), ("partner_type", "other")],
    )
    .await;
    let r = c
        .post(
            &format!("/t/272027/desk/partners/{id}/contacts"),
            &[
                ("contact_name", "秘密 担当"),
                ("contact_email", "himitsu@example.jp"),
            ],
        )
        .await;
    assert_eq!(r.status, 303);
    let contact = app.store.partner_contacts(k(), id).await.expect("c")[0].id;
    let before = (
        partner_rows(&app).await,
        count(&app, "SELECT COUNT(*) FROM partner_contacts").await,
        count(
            &app,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'partner.%'",
        )
        .await,
    );
    let base = format!("/t/272027/desk/partners/{id}");
    let routes: Vec<Attempt> = vec![
        ("GET", "/t/272027/desk/partners".into(), vec![]),
        (
            "POST",
            "/t/272027/desk/partners".into(),
            vec![("name", "侵入団体"), ("partner_type", "company")],
        ),
        ("GET", base.clone(), vec![]),
        (
            "POST",
            base.clone(),
            vec![("name_kana", "シンニュウ"), ("strengths", "侵入")],
        ),
        (
            "POST",
            format!("{base}/contacts"),
            vec![("contact_name", "侵入 太郎")],
        ),
        (
            "POST",
            format!("{base}/contacts/{contact}/remove"),
            vec![("confirm", "yes")],
        ),
    ];
    // A department officer and a proponent of the same city, and another city's desk.
    for email in [
        "kikikanri@kishiwada.demo.renkei.jp",
        "proponent@example.co.jp",
        "desk@kawasaki.demo.renkei.jp",
    ] {
        let mut other = signed_in(&app, email).await;
        other.get("/").await;
        for (method, path, fields) in &routes {
            let r = if *method == "GET" {
                other.get(path).await
            } else {
                other.post(path, fields).await
            };
            assert!(
                r.status == 403 || r.status == 404,
                "{email} {method} {path}: {}",
                r.status
            );
            assert!(
                !r.body.contains("見せない団体") && !r.body.contains("himitsu@example.jp"),
                "{email} read {path}"
            );
        }
    }
    let mut anon = app.client();
    anon.get("/").await;
    for (method, path, fields) in &routes {
        let r = if *method == "GET" {
            anon.get(path).await
        } else {
            anon.post(path, fields).await
        };
        assert!(
            r.status == 303 || r.status == 403,
            "anonymous {method} {path}: {}",
            r.status
        );
        assert!(!r.body.contains("himitsu@example.jp"));
    }
    assert_eq!(
        (
            partner_rows(&app).await,
            count(&app, "SELECT COUNT(*) FROM partner_contacts").await,
            count(
                &app,
                "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'partner.%'"
            )
            .await,
        ),
        before,
        "nothing written"
    );
    app.stop().await;
}

on_both!(only_the_desk_reaches_the_registry);

/// Migration 18 gives the partners already there their sort key (computed by the domain, in
/// the migration's transaction), so the registry sorts them with everything added later.
async fn migration_18_sorts_partners_already_there(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open_at(17).await;
    let ts = "2026-11-24T01:00:00.000Z";
    let mut statements = renkei_testkit::tenant_rows(
        ts,
        ("270008", "大阪府", "オオサカフ"),
        Some(("272027", "岸和田市", "キシワダシ")),
    );
    for (id, name, norm) in [
        (1, "泉州工業大学", "泉州工業大学"),
        (2, "一般社団法人 いろは", "いろは"),
        (3, "アオゾラ商事(株)", "アオゾラ商事"),
        (4, "株式会社あおぞら", "あおぞら"),
    ] {
        statements.push(format!(
            "INSERT INTO partners (id, tenant_code, name, name_norm, partner_type, strengths, constraints, created_at, updated_at) \
             VALUES ({id}, '272027', '{name}', '{norm}', 'company', '', '', '{ts}', '{ts}')"
        ));
    }
    renkei_testkit::exec_all(&store, &statements).await;
    assert_eq!(
        renkei_store::migrate::run_until(&store, 18)
            .await
            .expect("migration 18"),
        1
    );
    for (id, name) in [
        (1, "泉州工業大学"),
        (2, "一般社団法人 いろは"),
        (3, "アオゾラ商事(株)"),
        (4, "株式会社あおぞら"),
    ] {
        let key: String = sqlx::query_scalar("SELECT sort_key FROM partners WHERE id = $1")
            .bind(id as i64)
            .fetch_one(store.pool())
            .await
            .expect("key");
        assert_eq!(key, renkei_domain::partner::sort_key(name, None), "{name}");
    }
    renkei_store::migrate::run(&store).await.expect("the rest");
    let names: Vec<String> = store
        .partners(k(), None)
        .await
        .expect("partners")
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(
        names,
        [
            "株式会社あおぞら",
            "アオゾラ商事(株)",
            "一般社団法人 いろは",
            "泉州工業大学"
        ]
    );
    let p = store.partner(k(), 4).await.expect("partner");
    assert_eq!((p.name_kana.as_str(), p.address.as_str()), ("", ""));
    assert!(
        store
            .partner_contacts(k(), 4)
            .await
            .expect("contacts")
            .is_empty()
    );
}

on_both!(migration_18_sorts_partners_already_there);
