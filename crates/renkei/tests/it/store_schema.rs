use renkei_testkit::{Backend, TestDb, on_both};

/// Both migration sets give the same tables and columns (names and NOT NULL).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let lite = TestDb::new(Backend::Sqlite);
    let pg = TestDb::new(Backend::Postgres);
    let lite_store = lite.open().await;
    let pg_store = pg.open().await;
    let a = Backend::Sqlite
        .schema(lite_store.pool())
        .await
        .expect("sqlite schema");
    let b = Backend::Postgres
        .schema(pg_store.pool())
        .await
        .expect("pg schema");
    assert!(a.len() >= 10, "expected the foundation tables, got {a:?}");
    assert_eq!(
        a.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
        b.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
        "table names differ"
    );
    for ((table, cols_a), (_, cols_b)) in a.iter().zip(&b) {
        assert_eq!(cols_a, cols_b, "columns of {table} differ");
    }
}

async fn migrations_are_idempotent(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    assert_eq!(
        renkei_store::migrate::run(&store)
            .await
            .expect("second run"),
        0
    );
    // A fresh connection finds the same state.
    let again = db.open().await;
    assert!(again.tenant_count().await.is_ok());
}

on_both!(migrations_are_idempotent);

/// Migration 7 turns the comma-joined fields and offers of existing proposals into rows, in
/// their order, and the store reads them back as before.
async fn fields_and_offers_move_into_rows(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open_at(6).await;
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
        format!(
            "INSERT INTO proposals (id, tenant_code, receipt_number, kind, route, status, partner_id, org_name, partner_type, \
             contact_name, email, phone, title, summary, details, fields, offers, expected_effects, fiscal_burden, \
             fiscal_explanation, publication_consent, referral_consent, tracking_hash, first_response_due, search_text, \
             created_at, updated_at, received_on, fiscal_year) \
             VALUES (1, '272027', '272027-2026-0001', 'proposal', 'free', 'received', 1, '株式会社だんじり', 'company', \
             '岸和田 太郎', 'taro@example.co.jp', '', '防災訓練', '要旨', '', 'tourism,disaster,childcare', 'people,funds', '', 'none', \
             '', 0, 0, 'h1', '2026-12-01', '', '{ts}', '{ts}', '2026-11-24', 2026)"
        ),
        format!(
            "INSERT INTO proposals (id, tenant_code, receipt_number, kind, route, status, partner_id, org_name, partner_type, \
             contact_name, email, phone, title, summary, details, fields, offers, expected_effects, fiscal_burden, \
             fiscal_explanation, publication_consent, referral_consent, tracking_hash, first_response_due, search_text, \
             created_at, updated_at, received_on, fiscal_year) \
             VALUES (2, '272027', '272027-2026-0002', 'consultation', 'free', 'received', 1, '株式会社だんじり', 'company', \
             '岸和田 太郎', 'taro@example.co.jp', '', '相談', '要旨', '', '', '', '', 'none', \
             '', 0, 0, 'h2', '2026-12-01', '', '{ts}', '{ts}', '2026-11-24', 2026)"
        ),
    ]);
    renkei_testkit::exec_all(&store, &statements).await;
    assert_eq!(
        renkei_store::migrate::run_until(&store, 7)
            .await
            .expect("up to 7"),
        1
    );
    renkei_store::migrate::run(&store).await.expect("the rest");
    use renkei_domain::proposal::{Field, Offer};
    let k = renkei_domain::TenantCode::parse("272027").expect("code");
    let one = store.proposal(k, "272027-2026-0001").await.expect("one");
    assert_eq!(
        one.fields,
        vec![Field::Tourism, Field::Disaster, Field::Childcare],
        "in the order they were chosen"
    );
    assert_eq!(one.offers, vec![Offer::People, Offer::Funds]);
    let two = store.proposal(k, "272027-2026-0002").await.expect("two");
    assert!(two.fields.is_empty() && two.offers.is_empty());
    // The inbox filters by a field row.
    let (found, total) = store
        .inbox(
            k,
            &renkei_store::proposals::InboxFilter {
                field: Some("disaster".into()),
                per_page: 10,
                ..Default::default()
            },
        )
        .await
        .expect("inbox");
    assert_eq!(total, 1);
    assert_eq!(found[0].receipt_number, "272027-2026-0001");
}

on_both!(fields_and_offers_move_into_rows);

/// Migration 8 gives accounts and proposals a language: Japanese for every row already there
/// (and for every row written without one); the store reads it typed, and a value it does not
/// know is an error naming its column, never a default.
async fn languages_default_to_japanese(backend: Backend) {
    use renkei_domain::Lang;
    use renkei_store::StoreError;
    let db = TestDb::new(backend);
    let store = db.open_at(7).await;
    let ts = "2026-11-24T01:00:00.000Z";
    let mut statements = renkei_testkit::tenant_rows(
        ts,
        ("270008", "大阪府", "オオサカフ"),
        Some(("272027", "岸和田市", "キシワダシ")),
    );
    statements.extend([
        format!(
            "INSERT INTO users (id, tenant_code, role, email, display_name, password_hash, created_at, updated_at) \
             VALUES (1, '272027', 'desk', 'desk@example.jp', 'デスク', 'x', '{ts}', '{ts}')"
        ),
        format!(
            "INSERT INTO partners (id, tenant_code, name, name_norm, partner_type, strengths, constraints, created_at, updated_at) \
             VALUES (1, '272027', '株式会社だんじり', 'だんじり', 'company', '', '', '{ts}', '{ts}')"
        ),
        format!(
            "INSERT INTO proposals (id, tenant_code, receipt_number, kind, route, status, partner_id, org_name, partner_type, \
             contact_name, email, phone, title, summary, details, expected_effects, fiscal_burden, \
             fiscal_explanation, publication_consent, referral_consent, tracking_hash, first_response_due, search_text, \
             created_at, updated_at, received_on, fiscal_year) \
             VALUES (1, '272027', '272027-2026-0001', 'proposal', 'free', 'received', 1, '株式会社だんじり', 'company', \
             '岸和田 太郎', 'taro@example.co.jp', '', '防災訓練', '要旨', '', '', 'none', \
             '', 0, 0, 'h1', '2026-12-01', '', '{ts}', '{ts}', '2026-11-24', 2026)"
        ),
    ]);
    renkei_testkit::exec_all(&store, &statements).await;
    assert_eq!(
        renkei_store::migrate::run_until(&store, 8)
            .await
            .expect("migration 8"),
        1
    );
    renkei_store::migrate::run(&store).await.expect("the rest");
    let k = renkei_domain::TenantCode::parse("272027").expect("code");
    assert_eq!(store.user(1).await.expect("user").lang, Lang::Ja);
    let p = store.proposal(k, "272027-2026-0001").await.expect("p");
    assert_eq!(p.lang, Lang::Ja);

    // An account's choice is kept (and choosing it again changes nothing).
    assert!(store.user_set_lang(1, Lang::En).await.expect("set"));
    assert!(!store.user_set_lang(1, Lang::En).await.expect("again"));
    assert_eq!(store.user(1).await.expect("user").lang, Lang::En);

    // A language nobody knows is an error, not Japanese.
    for (table, sql) in [
        ("users", "UPDATE users SET lang = 'fr' WHERE id = 1"),
        ("proposals", "UPDATE proposals SET lang = 'fr' WHERE id = 1"),
    ] {
        sqlx::query(sql).execute(store.pool()).await.expect(sql);
        let read = if table == "users" {
            store.user(1).await.map(|_| ())
        } else {
            store.proposal(k, "272027-2026-0001").await.map(|_| ())
        };
        match read {
            Err(StoreError::Corrupt {
                table: t,
                column: "lang",
                value,
            }) => assert_eq!((t, value.as_str()), (table, "fr")),
            other => panic!("{table}: {other:?}"),
        }
    }
}

on_both!(languages_default_to_japanese);
