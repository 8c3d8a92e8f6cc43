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
