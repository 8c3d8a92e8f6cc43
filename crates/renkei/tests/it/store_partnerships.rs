//! Partnerships in the store: creating one with its parties and fields, the list's filters
//! (dormant, ending, form, field, partner type, words), activities that clear dormancy, and
//! status moves refused when stale — on both databases.

use renkei_domain::partnership::{
    Activity, ActivityInput, Move, Partnership, PartnershipInput, PartnershipStatus, PartyInput,
};
use renkei_domain::{DepartmentName, TenantCode};
use renkei_store::partnerships::{NewPartnership, PartnershipFilter};
use renkei_store::{Store, StoreError, Who};
use renkei_testkit::{Backend, TestDb, on_both};

fn code(s: &str) -> TenantCode {
    TenantCode::parse(s).expect("code")
}

async fn seeded(db: &TestDb) -> (Store, i64) {
    let store = db.open().await;
    let csv = "code,prefecture,city,prefecture_kana,city_kana\n270008,大阪府,,ｵｵｻｶﾌ,\n272027,大阪府,岸和田市,ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n";
    store
        .import_tenants(csv.as_bytes(), &Who::cli())
        .await
        .expect("import");
    let dept = store
        .department_create(
            &Who::cli(),
            code("272027"),
            &DepartmentName::parse("危機管理課").expect("name"),
        )
        .await
        .expect("department");
    (store, dept.id)
}

fn record(title: &str, partner: &str, dept: i64, signed_on: &str, ends_on: &str) -> Partnership {
    Partnership::parse(&PartnershipInput {
        form: "business".into(),
        title: title.into(),
        department_id: dept.to_string(),
        parties: vec![PartyInput {
            name: partner.into(),
            party_type: "company".into(),
            corporate_number: String::new(),
            role: "物資の提供".into(),
        }],
        fields: vec!["disaster".into(), "community".into()],
        signed_on: signed_on.into(),
        ends_on: ends_on.into(),
        ..Default::default()
    })
    .expect("valid")
}

fn new(record: Partnership, status: PartnershipStatus) -> NewPartnership {
    NewPartnership {
        record,
        proposal_id: None,
        status,
        last_activity_on: None,
        origin: "created",
    }
}

async fn lifecycle_and_dormancy(backend: Backend) {
    let db = TestDb::new(backend);
    let (store, dept) = seeded(&db).await;
    let t = code("272027");
    let who = Who::cli();
    // The test clock stands at 2026-11-24 (JST). Signed two years ago, no activity since.
    let old = store
        .partnership_create(
            t,
            &new(
                record(
                    "防災備蓄の連携",
                    "株式会社サンプル",
                    dept,
                    "令和6年4月1日",
                    "",
                ),
                PartnershipStatus::Active,
            ),
            &who,
        )
        .await
        .expect("create");
    // Signed last month, ending in January without automatic renewal: flagged as ending.
    let ending = store
        .partnership_create(
            t,
            &new(
                record(
                    "避難所運営の訓練",
                    "大学法人ひまわり",
                    dept,
                    "2026-10-01",
                    "2027-01-31",
                ),
                PartnershipStatus::Active,
            ),
            &who,
        )
        .await
        .expect("create");
    // Another tenant's partnership never shows here.
    store
        .partnership_create(
            code("270008"),
            &new(
                Partnership::parse(&PartnershipInput {
                    form: "comprehensive".into(),
                    title: "府の包括連携".into(),
                    parties: vec![PartyInput {
                        name: "株式会社サンプル".into(),
                        party_type: "company".into(),
                        ..Default::default()
                    }],
                    ..Default::default()
                })
                .expect("valid"),
                PartnershipStatus::Preparing,
            ),
            &who,
        )
        .await
        .expect("create elsewhere");

    let all = |f: PartnershipFilter| {
        let store = store.clone();
        async move {
            store
                .partnerships(t, &PartnershipFilter { per_page: 50, ..f })
                .await
                .expect("list")
        }
    };
    let (list, total) = all(PartnershipFilter::default()).await;
    assert_eq!(total, 2);
    assert_eq!(list[0].id, ending, "newest first");
    assert_eq!(list[1].partner_name, "株式会社サンプル");
    assert_eq!(list[1].department_name.as_deref(), Some("危機管理課"));
    assert!(list[1].dormant, "signed 2024, no activity: dormant");
    assert!(!list[0].dormant);
    assert!(list[0].ending_undecided);

    let (dormant, n) = all(PartnershipFilter {
        dormant: true,
        ..Default::default()
    })
    .await;
    assert_eq!((n, dormant[0].id), (1, old));
    let (ending_list, n) = all(PartnershipFilter {
        ending: true,
        ..Default::default()
    })
    .await;
    assert_eq!((n, ending_list[0].id), (1, ending));
    let (_, n) = all(PartnershipFilter {
        q: "ひまわり".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(n, 1, "words match a party's name");
    let (_, n) = all(PartnershipFilter {
        field: Some(renkei_domain::proposal::Field::Community),
        partner_type: Some(renkei_domain::proposal::PartnerType::Company),
        form: Some(renkei_domain::partnership::Form::Business),
        ..Default::default()
    })
    .await;
    assert_eq!(n, 2);
    let (_, n) = all(PartnershipFilter {
        field: Some(renkei_domain::proposal::Field::Tourism),
        ..Default::default()
    })
    .await;
    assert_eq!(n, 0);

    // An activity clears dormancy, and the list and the record say when.
    let day = store.today();
    let a = Activity::parse(
        &ActivityInput {
            done_on: renkei_domain::time::to_db_date(day),
            title: "備蓄品の入替え".into(),
            people: "12".into(),
            ..Default::default()
        },
        day,
    )
    .expect("activity");
    store
        .activity_add(t, old, &a, &who)
        .await
        .expect("activity");
    let (dormant, n) = all(PartnershipFilter {
        dormant: true,
        ..Default::default()
    })
    .await;
    assert_eq!(n, 0, "{dormant:?}");
    let detail = store.partnership(t, old).await.expect("detail");
    assert_eq!(detail.summary.last_activity_on, Some(day));
    assert!(!detail.summary.dormant);
    assert_eq!(detail.parties.len(), 1);
    assert!(
        detail.parties[0].partner_id.is_some(),
        "linked to the registry"
    );
    let acts = store.activities(t, old, 10).await.expect("activities");
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].people, Some(12));
    // An older activity does not move the last day back.
    let earlier = Activity::parse(
        &ActivityInput {
            done_on: "2025-01-10".into(),
            title: "説明会".into(),
            ..Default::default()
        },
        day,
    )
    .expect("activity");
    store
        .activity_add(t, old, &earlier, &who)
        .await
        .expect("activity");
    assert_eq!(
        store
            .partnership(t, old)
            .await
            .expect("detail")
            .summary
            .last_activity_on,
        Some(day)
    );
    // Another tenant cannot read it or record against it.
    assert!(matches!(
        store.partnership(code("270008"), old).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.activity_add(code("270008"), old, &a, &who).await,
        Err(StoreError::NotFound)
    ));

    // Status: a stale form is refused; a move the lifecycle forbids is refused.
    assert!(matches!(
        store
            .partnership_move(t, old, PartnershipStatus::Preparing, Move::End, &who)
            .await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store
            .partnership_move(t, old, PartnershipStatus::Active, Move::End, &who)
            .await
            .expect("end"),
        PartnershipStatus::Ended
    );
    assert!(matches!(
        store
            .partnership_move(t, old, PartnershipStatus::Ended, Move::Cancel, &who)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let events = store.partnership_events(t, old).await.expect("events");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["created", "activity", "activity", "status"]);
    // A department of another tenant is refused and nothing is written.
    let other = store
        .department_create(
            &Who::cli(),
            code("270008"),
            &DepartmentName::parse("政策課").expect("name"),
        )
        .await
        .expect("department");
    assert!(matches!(
        store
            .partnership_create(
                t,
                &new(
                    record("よその課", "株式会社サンプル", other.id, "", ""),
                    PartnershipStatus::Preparing
                ),
                &who
            )
            .await,
        Err(StoreError::Conflict { .. })
    ));
    let (_, n) = all(PartnershipFilter::default()).await;
    assert_eq!(n, 2);
}

/// The store's SQL for "which published partnerships the public sees" says what the domain
/// says, status by status, on each database: the case rule (case library, landing page, case
/// page) and the register's and open data's rule.
async fn public_status_sql_follows_the_domain(backend: Backend) {
    use renkei_store::partnerships::{CASE_STATUS_SQL, LISTED_STATUS_SQL};
    let db = TestDb::new(backend);
    let store = db.open().await;
    for status in PartnershipStatus::ALL {
        for (sql, want) in [
            (CASE_STATUS_SQL, status.is_case()),
            (LISTED_STATUS_SQL, status.is_listed()),
        ] {
            let n: i64 = sqlx::Row::try_get(
                &sqlx::query(&format!(
                    "SELECT COUNT(*) AS n FROM (SELECT CAST($1 AS TEXT) AS status) p WHERE {sql}"
                ))
                .bind(status.code())
                .fetch_one(store.pool())
                .await
                .expect("query"),
                "n",
            )
            .expect("n");
            assert_eq!(n == 1, want, "{sql} for {status:?}");
        }
    }
    // As the domain has it (and, for now, differently): a cancelled agreement stays on the
    // register and in the open data, but is no longer a case.
    assert!(PartnershipStatus::Cancelled.is_listed() && !PartnershipStatus::Cancelled.is_case());
    assert!(!PartnershipStatus::Preparing.is_listed() && !PartnershipStatus::Preparing.is_case());
}

on_both!(lifecycle_and_dormancy, public_status_sql_follows_the_domain);
