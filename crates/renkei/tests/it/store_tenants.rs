use renkei_store::Who;
use renkei_store::tenants::ImportError;
use renkei_testkit::{Backend, TestDb, on_both};

const OFFICIAL_LIST: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/local_governments.csv"
);

fn code_list() -> Vec<u8> {
    // The official list beside the checkout when it is there, else the embedded copy.
    std::fs::read(OFFICIAL_LIST).unwrap_or_else(|_| renkei_app::demo::CODE_LIST.to_vec())
}

async fn import_loads_all_and_is_idempotent(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let data = code_list();
    let first = store
        .import_tenants(&data, &Who::cli())
        .await
        .expect("first import");
    assert_eq!(first.inserted, 1788);
    assert_eq!(store.tenant_count().await.expect("count"), 1788);
    let audit_after_first = store.audit_total().await.expect("audit");
    let second = store
        .import_tenants(&data, &Who::cli())
        .await
        .expect("second import");
    assert_eq!(
        (second.inserted, second.updated, second.unchanged),
        (0, 0, 1788)
    );
    assert_eq!(
        store.audit_total().await.expect("audit"),
        audit_after_first,
        "a no-op import records nothing"
    );

    let kishiwada = store.tenant("272027").await.expect("岸和田市");
    assert_eq!(kishiwada.name, "岸和田市");
    assert_eq!(
        kishiwada.name_kana, "キシワダシ",
        "half-width kana become full width"
    );
    assert_eq!(kishiwada.prefecture_code, "270008");
    assert_eq!(kishiwada.full_name(), "大阪府岸和田市");
    let osaka = store.tenant("270008").await.expect("大阪府");
    assert!(osaka.is_prefecture());
    assert_eq!(osaka.name_kana, "オオサカフ");
    let municipalities = store
        .tenant_municipalities("270008")
        .await
        .expect("municipalities");
    assert!(municipalities.iter().any(|t| t.code == "272027"));
    assert!(municipalities.iter().all(|t| t.prefecture_code == "270008"));
}

async fn bad_rows_are_refused_with_line_numbers(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let csv = "code,prefecture,city,prefecture_kana,city_kana\n\
               270008,大阪府,,ｵｵｻｶﾌ,\n\
               272028,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n\
               27203,大阪府,豊中市,ｵｵｻｶﾌ,ﾄﾖﾅｶｼ\n";
    match store.import_tenants(csv.as_bytes(), &Who::cli()).await {
        Err(ImportError::BadRows(rows)) => {
            assert_eq!(rows.len(), 2, "{rows:?}");
            assert_eq!(rows[0].line, 3);
            assert_eq!(rows[0].key, "error-tenant-code-check-digit");
            assert_eq!(rows[1].line, 4);
            assert_eq!(rows[1].key, "error-tenant-code-format");
        }
        other => panic!("expected bad rows, got {other:?}"),
    }
    assert_eq!(
        store.tenant_count().await.expect("count"),
        0,
        "nothing written"
    );
    assert_eq!(store.audit_total().await.expect("audit"), 0);
}

async fn changed_names_are_updated(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.open().await;
    let v1 = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田,ｵｵｻｶﾌ,ｷｼﾜﾀﾞ\n";
    let v2 = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n";
    store
        .import_tenants(v1.as_bytes(), &Who::cli())
        .await
        .expect("v1");
    let r = store
        .import_tenants(v2.as_bytes(), &Who::cli())
        .await
        .expect("v2");
    assert_eq!((r.inserted, r.updated, r.unchanged), (0, 1, 1));
    assert_eq!(store.tenant("272027").await.expect("t").name, "岸和田市");
}

on_both!(
    import_loads_all_and_is_idempotent,
    bad_rows_are_refused_with_line_numbers,
    changed_names_are_updated
);
