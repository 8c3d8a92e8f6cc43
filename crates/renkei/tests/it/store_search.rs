//! The search index (crates/store/src/search.rs) narrows the inbox search; it must never
//! change what a search finds. Each test compares the inbox with a full scan of the search text.

use renkei_domain::TenantCode;
use renkei_domain::proposal::{Intake, IntakeInput, Route};
use renkei_store::proposals::{InboxFilter, NewProposal, search_fold};
use renkei_store::{Store, Who};
use renkei_testkit::{Backend, TestDb, on_both};
use std::collections::BTreeSet;

const CSV: &str = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n140007,神奈川県,,ｶﾅｶﾞﾜｹﾝ,\n141305,神奈川県,川崎市,ｶﾅｶﾞﾜｹﾝ,ｶﾜｻｷｼ\n";

fn code(s: &str) -> TenantCode {
    TenantCode::parse(s).expect("code")
}

fn input(org: &str, title: &str, details: &str) -> IntakeInput {
    IntakeInput {
        kind: "proposal".into(),
        org_name: org.into(),
        partner_type: "company".into(),
        corporate_number: String::new(),
        contact_name: "連携 太郎".into(),
        email: "taro@example.co.jp".into(),
        phone: String::new(),
        title: title.into(),
        summary: "提案の要旨".into(),
        details: details.into(),
        fields: vec!["disaster".into()],
        offers: vec![],
        expected_effects: String::new(),
        fiscal_burden: "none".into(),
        fiscal_explanation: String::new(),
        publication_consent: false,
        ..IntakeInput::default()
    }
}

async fn submit(store: &Store, tenant: &str, org: &str, title: &str, details: &str) {
    let new = NewProposal {
        intake: Intake::parse(&input(org, title, details)).expect("valid"),
        route: Route::Free,
        attachments: vec![],
        proponent_user_id: None,
        ip: None,
        lang: Default::default(),
        privacy_consented: true,
        draft_token: None,
    };
    store
        .proposal_submit(
            code(tenant),
            new,
            &Who::cli(),
            &renkei_store::events::NoMail,
        )
        .await
        .expect("submit");
}

/// The ids a full scan finds: every word of `q` in the search text, this tenant only.
async fn full_scan(store: &Store, tenant: &str, q: &str) -> BTreeSet<i64> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, search_text FROM proposals WHERE tenant_code = $1")
            .bind(tenant)
            .fetch_all(store.pool())
            .await
            .expect("scan");
    let words: Vec<String> = q.split_whitespace().take(5).map(search_fold).collect();
    rows.into_iter()
        .filter(|(_, text)| words.iter().all(|w| text.contains(w.as_str())))
        .map(|(id, _)| id)
        .collect()
}

async fn searched(store: &Store, tenant: &str, q: &str) -> BTreeSet<i64> {
    let f = InboxFilter {
        q: Some(q.into()),
        per_page: 200,
        ..Default::default()
    };
    let (rows, total) = store.inbox(code(tenant), &f).await.expect("inbox");
    assert_eq!(rows.len() as i64, total, "{q}: one page holds them all");
    rows.into_iter().map(|p| p.id).collect()
}

/// A small deterministic generator; the seed is printed so a failure can be replayed with
/// RENKEI_TEST_SEED.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

async fn index_agrees_with_a_full_scan(backend: Backend) {
    let seed = std::env::var("RENKEI_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_205_u64);
    println!("seed {seed} (RENKEI_TEST_SEED)");
    let mut rng = Rng(seed);
    let db = TestDb::new(backend);
    let store = db.open().await;
    store
        .import_tenants(CSV.as_bytes(), &Who::cli())
        .await
        .expect("import");
    for code in ["272027", "141305"] {
        renkei_testkit::open_desk(&store, code).await;
    }
    // Words that share bigrams, so that the index alone would find too much (防災 + 災害 in
    // one text hold every bigram of 防災害).
    let words = [
        "防災",
        "災害",
        "防災害",
        "子育て",
        "支援",
        "子育て支援",
        "だんじり",
        "ダンジリ",
        "ｶﾀｶﾅ",
        "ＡＢＣ",
        "abc",
        "見守り",
        "高齢者",
        "2026",
        "防犯",
    ];
    for i in 0..40 {
        let tenant = if i % 4 == 3 { "141305" } else { "272027" };
        let title = format!("{}と{}", rng.pick(&words), rng.pick(&words));
        let details = format!(
            "{}、{} {}。",
            rng.pick(&words),
            rng.pick(&words),
            rng.pick(&words)
        );
        submit(&store, tenant, "株式会社れんけい", &title, &details).await;
    }
    let mut queries: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    queries.extend(
        [
            "防",
            "災",
            "と",
            "子育て 支援",
            "支援 子育て",
            "防災 2026",
            "ＡＢＣ",
            "AbC",
            "カタカナ",
            "高齢者の",
            "100%",
            "_",
            "防災、",
            "れんけい",
            "272027-",
        ]
        .map(String::from),
    );
    let mut found_any = 0;
    for q in &queries {
        for tenant in ["272027", "141305"] {
            let want = full_scan(&store, tenant, q).await;
            let got = searched(&store, tenant, q).await;
            assert_eq!(got, want, "seed {seed}, tenant {tenant}, query {q:?}");
            found_any += usize::from(!want.is_empty());
        }
    }
    // The comparison means something only if searches do find things.
    assert!(found_any > 20, "{found_any}");
    // A word made of two bigrams that only occur apart is not found.
    submit(&store, "272027", "防災協会", "防災と災害の備え", "訓練").await;
    let apart = searched(&store, "272027", "防災害").await;
    assert_eq!(apart, full_scan(&store, "272027", "防災害").await);
}

/// Proposals that were there before the index existed are indexed by the migration.
async fn migration_indexes_existing_proposals(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open_at(9).await;
    let ts = "2026-11-24T01:00:00.000Z";
    let mut statements = renkei_testkit::tenant_rows(
        ts,
        ("270008", "大阪府", "オオサカフ"),
        Some(("272027", "岸和田市", "キシワダシ")),
    );
    statements.extend([
        format!(
            "INSERT INTO partners (id, tenant_code, name, name_norm, partner_type, strengths, constraints, created_at, updated_at) \
             VALUES (1, '272027', '株式会社だんじり', 'だんじり', 'company', '', '', '{ts}', '{ts}')"
        ),
    ]);
    renkei_testkit::exec_all(&store, &statements).await;
    for (id, title) in [(1, "防災訓練"), (2, "子育て支援の拠点"), (3, "見守り")] {
        sqlx::query(
            "INSERT INTO proposals (id, tenant_code, receipt_number, kind, route, status, partner_id, org_name, partner_type, \
             contact_name, email, phone, title, summary, details, expected_effects, fiscal_burden, \
             fiscal_explanation, publication_consent, referral_consent, tracking_hash, first_response_due, search_text, \
             created_at, updated_at, received_on, fiscal_year) \
             VALUES ($1, '272027', $2, 'proposal', 'free', 'received', 1, '株式会社だんじり', 'company', \
             '岸和田 太郎', 'taro@example.co.jp', '', $3, '要旨', '', '', 'none', \
             '', 0, 0, $4, '2026-12-01', $5, $6, $6, '2026-11-24', 2026)",
        )
        .bind(id)
        .bind(format!("272027-2026-000{id}"))
        .bind(title)
        .bind(format!("h{id}"))
        // Folded as before migration 15: hiragana stays hiragana.
        .bind(
            renkei_domain::kana::to_full_width_kana(&format!("272027-2026-000{id}\n{title}\n要旨"))
                .to_lowercase(),
        )
        .bind(ts)
        .execute(store.pool())
        .await
        .expect("legacy proposal");
    }
    assert_eq!(
        renkei_store::migrate::run_until(&store, 10)
            .await
            .expect("10"),
        1
    );
    renkei_store::migrate::run(&store).await.expect("the rest");
    assert_eq!(
        searched(&store, "272027", "防災").await,
        BTreeSet::from([1])
    );
    assert_eq!(
        searched(&store, "272027", "子育て支援").await,
        BTreeSet::from([2])
    );
    assert_eq!(searched(&store, "272027", "要旨").await.len(), 3);
    // Migration 15 refolded the old text: 見守り is found in hiragana and in katakana, by the
    // index alone (2 characters) and with the text (3).
    for q in ["守り", "守リ", "見守り", "見守リ"] {
        assert_eq!(
            searched(&store, "272027", q).await,
            BTreeSet::from([3]),
            "{q}"
        );
    }
    // A rebuild gives the same index.
    assert_eq!(store.search_rebuild().await.expect("rebuild"), 3);
    assert_eq!(
        searched(&store, "272027", "防災").await,
        BTreeSet::from([1])
    );
    assert_eq!(searched(&store, "272027", "要旨").await.len(), 3);
}

/// Hiragana and katakana find each other (だんじり = ダンジリ), full and half width alike.
async fn kana_insensitive_search(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    store
        .import_tenants(CSV.as_bytes(), &Who::cli())
        .await
        .expect("import");
    renkei_testkit::open_desk(&store, "272027").await;
    submit(
        &store,
        "272027",
        "株式会社だんじり工房",
        "だんじり祭りの支援",
        "",
    )
    .await;
    submit(&store, "272027", "ダンジリ保存会", "ダンジリの修繕", "").await;
    submit(&store, "272027", "ｶﾝｹｲﾅｲ商店", "関係のない提案", "").await;
    for q in ["だんじり", "ダンジリ", "ﾀﾞﾝｼﾞﾘ", "じり", "ジリ", "だんジリ"]
    {
        let found = searched(&store, "272027", q).await;
        assert_eq!(found.len(), 2, "{q}: {found:?}");
        assert_eq!(found, full_scan(&store, "272027", q).await, "{q}");
    }
    assert_eq!(searched(&store, "272027", "かんけい").await.len(), 1);
}

on_both!(
    index_agrees_with_a_full_scan,
    migration_indexes_existing_proposals,
    kana_insensitive_search
);
