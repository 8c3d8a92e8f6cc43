use renkei_domain::audit::ChainFault;
use renkei_domain::{DepartmentName, TenantCode};
use renkei_store::audit::AuditFault;
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
    // The import belongs to no local government; the departments to 272027's own chain.
    assert_eq!(report.chains, 2);
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    let one = store
        .audit_verify_tenant("272027")
        .await
        .expect("verify one");
    assert_eq!((one.checked, one.chains), (3, 1));
    let recent = store.audit_recent("272027", 10).await.expect("recent");
    assert_eq!(recent.len(), 3);
    assert_eq!(recent[0].action, "department.create");
}

async fn edited_row_is_found(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    some_entries(&store).await;
    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE chain = '272027' AND seq = 2")
        .execute(store.pool())
        .await
        .expect("tamper");
    let report = store.audit_verify().await.expect("verify");
    assert_eq!(
        report.faults,
        vec![AuditFault {
            chain: "272027".into(),
            fault: ChainFault::Edited { seq: 2 }
        }]
    );
    // Verifying that local government alone finds it too; the other chain is intact.
    let one = store
        .audit_verify_tenant("272027")
        .await
        .expect("verify one");
    assert_eq!(one.chain_faults(), vec![ChainFault::Edited { seq: 2 }]);
    let other = store
        .audit_verify_tenant("270008")
        .await
        .expect("verify other");
    assert!(other.faults.is_empty(), "{:?}", other.faults);
}

async fn deleted_rows_are_found(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    some_entries(&store).await;
    sqlx::query("DELETE FROM audit_log WHERE chain = '272027' AND seq = 2")
        .execute(store.pool())
        .await
        .expect("delete middle");
    let faults = store.audit_verify().await.expect("verify").chain_faults();
    assert!(
        faults.contains(&ChainFault::Broken { seq: 3 }),
        "{faults:?}"
    );

    let db2 = TestDb::new(backend);
    let store2 = db2.open().await;
    some_entries(&store2).await;
    sqlx::query("DELETE FROM audit_log WHERE chain = '272027' AND seq = 3")
        .execute(store2.pool())
        .await
        .expect("delete last");
    let faults = store2.audit_verify().await.expect("verify").chain_faults();
    assert_eq!(
        faults,
        vec![ChainFault::HeadMismatch {
            head_seq: 3,
            last_seq: 2
        }]
    );

    // Every entry of one local government deleted: its head still names them.
    let db3 = TestDb::new(backend);
    let store3 = db3.open().await;
    some_entries(&store3).await;
    sqlx::query("DELETE FROM audit_log WHERE chain = '272027'")
        .execute(store3.pool())
        .await
        .expect("delete chain");
    let report = store3.audit_verify().await.expect("verify");
    assert_eq!(
        report.faults,
        vec![AuditFault {
            chain: "272027".into(),
            fault: ChainFault::HeadMismatch {
                head_seq: 3,
                last_seq: 0
            }
        }]
    );
}

/// Appends from many tasks at once, to two local governments, form two unbroken chains.
async fn concurrent_appends_form_one_chain(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.audit(AuditEvent {
                tenant_code: Some(if i % 2 == 0 { "272027" } else { "270008" }.into()),
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
    assert_eq!((report.checked, report.chains), (40, 2));
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    let one = store
        .audit_verify_tenant("272027")
        .await
        .expect("verify one");
    assert_eq!(one.checked, 20);
}

/// A read recorded in one local government does not wait for another's: a transaction that
/// holds 270008's chain head open does not hold up a read in 272027 (with one chain for the
/// whole installation it did, until that transaction ended).
async fn one_desk_does_not_wait_for_another(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    some_entries(&store).await;
    if backend == Backend::Sqlite {
        // SQLite has one writer at a time in any case; the group writer is what keeps reads
        // from taking a commit each there (see concurrent_appends_form_one_chain).
        return;
    }
    // Another app server's connection appends to 270008 and keeps its transaction open.
    let mut other = store.pool().begin().await.expect("begin");
    sqlx::query("UPDATE audit_heads SET seq = seq WHERE chain = ''")
        .execute(&mut *other)
        .await
        .expect("lock the chain without a local government");
    let read = AuditEvent {
        tenant_code: Some("272027".into()),
        actor: "desk@example.jp".into(),
        action: "proposal.read".into(),
        target: "proposal:1".into(),
        origin: "127.0.0.1".into(),
        ..AuditEvent::default()
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), store.audit(read))
        .await
        .expect("a read in 272027 must not wait for another chain's lock")
        .expect("append");
    other.rollback().await.expect("rollback");
    assert_eq!(
        store
            .audit_verify_tenant("272027")
            .await
            .expect("verify")
            .checked,
        4
    );
}

/// The audit page's store query: newest first, filtered, in pages that follow each other.
async fn pages_of_one_tenant(backend: Backend) {
    use renkei_store::audit::AuditFilter;
    let db = TestDb::new(backend);
    let store = db.open().await;
    some_entries(&store).await;
    for i in 0..25 {
        store
            .audit(AuditEvent {
                tenant_code: Some("272027".into()),
                actor: if i % 5 == 0 {
                    "dept@example.jp"
                } else {
                    "desk@example.jp"
                }
                .into(),
                action: "proposal.read".into(),
                target: format!("proposal:{i}"),
                origin: "127.0.0.1".into(),
                ..AuditEvent::default()
            })
            .await
            .expect("append");
    }
    let all = AuditFilter::default();
    let first = store
        .audit_page("272027", &all, None, 10)
        .await
        .expect("page 1");
    assert_eq!(first.entries.len(), 10);
    assert_eq!(first.entries[0].entry.target, "proposal:24");
    let second = store
        .audit_page("272027", &all, first.older, 10)
        .await
        .expect("page 2");
    assert_eq!(second.entries[0].entry.target, "proposal:14");
    let third = store
        .audit_page("272027", &all, second.older, 10)
        .await
        .expect("page 3");
    assert_eq!(third.entries.len(), 8, "5 reads and 3 departments remain");
    assert_eq!(third.older, None);
    let reads = AuditFilter {
        action: "proposal".into(),
        actor: "dept@".into(),
        ..AuditFilter::default()
    };
    let page = store
        .audit_page("272027", &reads, None, 50)
        .await
        .expect("filtered");
    let targets: Vec<_> = page
        .entries
        .iter()
        .map(|e| e.entry.target.as_str())
        .collect();
    assert_eq!(
        targets,
        [
            "proposal:20",
            "proposal:15",
            "proposal:10",
            "proposal:5",
            "proposal:0"
        ]
    );
    let departments = AuditFilter {
        action: "department.create".into(),
        ..AuditFilter::default()
    };
    assert_eq!(
        store
            .audit_page("272027", &departments, None, 50)
            .await
            .expect("f")
            .entries
            .len(),
        3
    );
    // `%` and `_` are taken literally; another local government's entries never show.
    let odd = AuditFilter {
        actor: "%".into(),
        ..AuditFilter::default()
    };
    assert!(
        store
            .audit_page("272027", &odd, None, 50)
            .await
            .expect("f")
            .entries
            .is_empty()
    );
    assert!(
        store
            .audit_page("270008", &all, None, 50)
            .await
            .expect("f")
            .entries
            .is_empty()
    );
}

on_both!(
    intact_chain_verifies,
    edited_row_is_found,
    deleted_rows_are_found,
    concurrent_appends_form_one_chain,
    one_desk_does_not_wait_for_another,
    pages_of_one_tenant
);

/// Entries written before the chains were split (one chain for everybody) become chain '' and
/// still verify; new entries go to their local government's own chain.
async fn legacy_single_chain_survives_the_split(backend: Backend) {
    use renkei_domain::audit::{AuditEntry, GENESIS_HASH};
    let db = TestDb::new(backend);
    let store = db.open_at(8).await;
    let mut prev = GENESIS_HASH.to_string();
    for seq in 1..=3i64 {
        let tenant = if seq == 1 {
            None
        } else {
            Some("272027".to_string())
        };
        let entry = AuditEntry {
            seq,
            at: format!("2026-11-22T00:00:0{seq}.000Z"),
            tenant_code: tenant.clone(),
            actor_user_id: None,
            actor: "cli".into(),
            action: "department.create".into(),
            target: format!("department:{seq}"),
            detail: "{}".into(),
            origin: "cli".into(),
        };
        let hash = entry.chain_hash(&prev);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, tenant_code, actor_user_id, actor, action, target, detail, origin, prev_hash, hash) \
             VALUES ($1, $2, $3, NULL, 'cli', 'department.create', $4, '{}', 'cli', $5, $6)",
        )
        .bind(seq)
        .bind(&entry.at)
        .bind(tenant)
        .bind(&entry.target)
        .bind(&prev)
        .bind(&hash)
        .execute(store.pool())
        .await
        .expect("legacy entry");
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET seq = 3, hash = $1")
        .bind(&prev)
        .execute(store.pool())
        .await
        .expect("legacy head");
    renkei_store::migrate::run(&store).await.expect("split");
    let report = store.audit_verify().await.expect("verify");
    assert_eq!((report.checked, report.chains), (3, 1));
    assert!(report.faults.is_empty(), "{:?}", report.faults);

    some_entries(&store).await;
    let report = store.audit_verify().await.expect("verify");
    assert_eq!(
        (report.checked, report.chains),
        (7, 2),
        "{:?}",
        report.faults
    );
    assert!(report.faults.is_empty(), "{:?}", report.faults);
    // The legacy entries stay where they were: 272027's own chain starts at 1.
    let one = store.audit_verify_tenant("272027").await.expect("one");
    assert_eq!((one.checked, one.chains), (3, 1));
    // The page still lists the legacy entries of the tenant, newest first, after the new ones.
    let page = store
        .audit_page("272027", &Default::default(), None, 10)
        .await
        .expect("page");
    assert_eq!(page.entries.len(), 5);
    assert_eq!(page.entries[4].entry.target, "department:2");
}

on_both!(legacy_single_chain_survives_the_split);
