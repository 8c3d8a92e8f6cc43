use renkei_domain::audit::ChainFault;
use renkei_domain::{DepartmentName, TenantCode};
use renkei_store::{AuditEvent, Store, Who};
use renkei_testkit::{Backend, TestDb, on_both};

async fn some_entries(store: &Store) {
    let csv = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n";
    store
        .import_tenants(csv.as_bytes(), &Who::cli())
        .await
        .expect("import");
    let t = TenantCode::parse("272027").expect("code");
    for name in ["危機管理課", "環境課", "観光振興課"] {
        store
            .department_create(&Who::cli(), t, &DepartmentName::parse(name).expect("name"))
            .await
            .expect("create");
    }
}

async fn intact_chain_verifies(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    some_entries(&store).await;
    let report = store.audit_verify().await.expect("verify");
    assert_eq!(report.checked, 4);
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    let recent = store.audit_recent("272027", 10).await.expect("recent");
    assert_eq!(recent.len(), 3);
    assert_eq!(recent[0].action, "department.create");
}

async fn edited_row_is_found(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    some_entries(&store).await;
    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        .execute(store.pool())
        .await
        .expect("tamper");
    let report = store.audit_verify().await.expect("verify");
    assert_eq!(report.faults, vec![ChainFault::Edited { seq: 2 }]);
}

async fn deleted_rows_are_found(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    some_entries(&store).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(store.pool())
        .await
        .expect("delete middle");
    let faults = store.audit_verify().await.expect("verify").faults;
    assert!(
        faults.contains(&ChainFault::Broken { seq: 3 }),
        "{faults:?}"
    );

    let db2 = TestDb::new(backend);
    let store2 = db2.open().await;
    some_entries(&store2).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(store2.pool())
        .await
        .expect("delete last");
    let faults = store2.audit_verify().await.expect("verify").faults;
    assert_eq!(
        faults,
        vec![ChainFault::HeadMismatch {
            head_seq: 4,
            last_seq: 3
        }]
    );
}

/// Appends from many tasks at once still form one unbroken chain.
async fn concurrent_appends_form_one_chain(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.audit(AuditEvent {
                actor: "test".into(),
                action: "test.append".into(),
                target: format!("n:{i}"),
                origin: "test".into(),
                ..AuditEvent::default()
            })
            .await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("append");
    }
    let report = store.audit_verify().await.expect("verify");
    assert_eq!(report.checked, 40);
    assert!(report.faults.is_empty(), "{:?}", report.faults);
}

on_both!(
    intact_chain_verifies,
    edited_row_is_found,
    deleted_rows_are_found,
    concurrent_appends_form_one_chain
);
