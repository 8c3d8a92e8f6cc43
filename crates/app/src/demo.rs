//! Demo data for `renkei serve --demo`: all local governments, departments for the demo
//! cities, one account per role, and a desk at work: a few dozen proposals for 岸和田市 (and
//! some for 川崎市 and 大阪府) in every state, with hearings, routings, answers, messages,
//! attachments, a referral and queued mail. Loading twice changes nothing.
//!
//! The proposals are played through the application commands that pages and the API call
//! ([`crate::proposals`]), so validation, timeline, audit trail and outbox are what real use
//! leaves, on a clock of the demo's own, set to each step's time: the story
//! is a pure function of today's date ([`schedule`]), laid out in business days back from the
//! last working day, so the desk shows the same realistic history (new items, answered and
//! overdue routings, overdue first responses) whatever the day. Everything is deterministic
//! except what the store itself randomises (tracking tokens).

use crate::proposals::{
    self as cmd, AnswerInput, HearingInput, RawFile, RouteInput, SubmitInput, TransitionInput,
};
use crate::{App, Caller, CommandError};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use renkei_domain::calendar::is_business_day;
use renkei_domain::clock::ManualClock;
use renkei_domain::proposal::{Answer, Channel, DeclineReason, IntakeInput, Route};
use renkei_domain::time::{jst_at, jst_date};
use renkei_domain::{DepartmentName, Email, Password, Role, TenantCode};
use renkei_store::proposals::DeskSettings;
use renkei_store::users::{NewUser, User};
use renkei_store::{Store, StoreError, Who};
use std::sync::Arc;

type Result<T, E = CommandError> = std::result::Result<T, E>;

/// The official code list, embedded so the demo works from the binary alone.
pub const CODE_LIST: &[u8] = include_bytes!("../data/local_governments.csv");

/// The password of every demo account (printed by `serve --demo`; demo only).
pub const DEMO_PASSWORD: &str = "renkei-demo-2026";

const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "272027",
        &[
            "公民戦略連携デスク",
            "危機管理課",
            "子育て支援課",
            "観光振興課",
            "環境課",
            "福祉政策課",
            "生涯学習課",
            "産業政策課",
        ],
    ),
    (
        "270008",
        &[
            "公民戦略連携デスク",
            "危機管理室",
            "健康医療部",
            "商工労働部",
            "教育庁",
        ],
    ),
    (
        "141305",
        &[
            "協働・連携推進課",
            "危機管理本部",
            "こども未来局",
            "経済労働局",
            "環境局",
            "市民文化局",
        ],
    ),
];

/// The demo's mail domain of a local government.
fn demo_domain(code: &str) -> &'static str {
    match code {
        "272027" => "kishiwada.demo.renkei.jp",
        "270008" => "osaka-pref.demo.renkei.jp",
        _ => "kawasaki.demo.renkei.jp",
    }
}

/// Department staff besides the printed demo accounts: (tenant, department, e-mail) for each
/// department the story routes proposals to that no printed account belongs to.
fn colleague_accounts() -> Vec<(&'static str, &'static str, String)> {
    let printed = demo_accounts();
    let routed = |code: &str, name: &str| {
        scenarios().iter().any(|s| {
            s.tenant == code
                && s.steps.iter().any(|(_, step)| match step {
                    Step::Route(departments, _) => departments.contains(&name),
                    _ => false,
                })
        })
    };
    let mut out = Vec::new();
    for (code, names) in DEPARTMENTS {
        for (i, name) in names.iter().enumerate().skip(1) {
            let covered = printed
                .iter()
                .any(|a| a.1 == Some(*code) && a.4.contains(name));
            if !covered && routed(code, name) {
                out.push((*code, *name, format!("dept{i}@{}", demo_domain(code))));
            }
        }
    }
    out
}

/// A demo account, as printed on start.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub tenant: Option<String>,
}

/// One demo account: role, tenant, e-mail, display name, departments.
pub type DemoAccount = (
    Role,
    Option<&'static str>,
    &'static str,
    &'static str,
    Vec<&'static str>,
);

pub fn demo_accounts() -> Vec<DemoAccount> {
    vec![
        (
            Role::Operator,
            None,
            "operator@demo.renkei.jp",
            "運用 太郎",
            vec![],
        ),
        (
            Role::Admin,
            Some("272027"),
            "admin@kishiwada.demo.renkei.jp",
            "管理 花子",
            vec![],
        ),
        (
            Role::Desk,
            Some("272027"),
            "desk@kishiwada.demo.renkei.jp",
            "窓口 一郎",
            vec![],
        ),
        (
            Role::Department,
            Some("272027"),
            "kikikanri@kishiwada.demo.renkei.jp",
            "防災 次郎",
            vec!["危機管理課", "環境課"],
        ),
        (
            Role::Proponent,
            Some("272027"),
            "proponent@example.co.jp",
            "提案 三郎",
            vec![],
        ),
        (
            Role::Admin,
            Some("270008"),
            "admin@osaka-pref.demo.renkei.jp",
            "府 管理",
            vec![],
        ),
        (
            Role::Desk,
            Some("270008"),
            "desk@osaka-pref.demo.renkei.jp",
            "府 窓口",
            vec![],
        ),
        (
            Role::Desk,
            Some("141305"),
            "desk@kawasaki.demo.renkei.jp",
            "川崎 窓口",
            vec![],
        ),
    ]
}

/// Loads the demo into `app`'s database, with `app`'s mailer (so the demo outbox holds
/// exactly what real use would).
///
/// The story is played on a clock of its own, set to each step's time in [`schedule`]
/// (a pure function of today's date in Japan, read from the store's clock), so every
/// row, timeline entry, audit entry and mail carries the time it would have had in real
/// use and nothing is rewritten afterwards.
pub async fn load(app: &App) -> Result<Vec<DemoLogin>> {
    load_until(app, None).await
}

/// [`load`], with the story's steps played only up to (not including) `before`: a test can
/// stop the story just before a step and take that step another way (a page, the API).
pub async fn load_until(app: &App, before: Option<DateTime<Utc>>) -> Result<Vec<DemoLogin>> {
    let plan = schedule(app.store.today());
    let start = plan
        .first()
        .map(|p| p.at - Duration::days(1))
        .unwrap_or_else(|| app.store.now());
    let clock = Arc::new(ManualClock::new(start));
    let demo = app.store.clone().with_clock(clock.clone());
    let demo_app = App {
        store: demo.clone(),
        mails: app.mails.clone(),
    };
    let mails = &app.mails;
    let who = Who {
        user_id: None,
        label: "demo".into(),
        origin: "cli".into(),
    };
    match demo.import_tenants(CODE_LIST, &who).await {
        Ok(_) => {}
        Err(renkei_store::tenants::ImportError::Store(e)) => return Err(e.into()),
        Err(renkei_store::tenants::ImportError::BadRows(rows)) => {
            return Err(internal("embedded code list", rows));
        }
    }
    for (code, names) in DEPARTMENTS {
        let tenant = TenantCode::parse(code)?;
        let existing = demo.departments(tenant).await?;
        for name in *names {
            if existing.iter().all(|d| d.name != *name) {
                demo.department_create(&who, tenant, &DepartmentName::parse(name)?)
                    .await?;
            }
        }
    }
    let mut logins = Vec::new();
    for (role, tenant, email, name, departments) in demo_accounts() {
        if demo.user_by_email(email).await.is_err() {
            demo.create_user(
                &who,
                NewUser {
                    tenant: tenant.map(TenantCode::parse).transpose()?,
                    role,
                    email: Email::parse(email)?,
                    display_name: name.to_string(),
                    password: Password::parse(DEMO_PASSWORD)?,
                    departments: departments.iter().map(|s| s.to_string()).collect(),
                },
                mails,
            )
            .await?;
        }
        logins.push(DemoLogin {
            role,
            email: email.to_string(),
            tenant: tenant.map(str::to_string),
        });
    }
    // Every department that is asked something has someone to read it: a colleague
    // account for each department the printed demo accounts do not cover.
    for (code, name, email) in colleague_accounts() {
        if demo.user_by_email(&email).await.is_err() {
            demo.create_user(
                &who,
                NewUser {
                    tenant: Some(TenantCode::parse(code)?),
                    role: Role::Department,
                    email: Email::parse(&email)?,
                    display_name: format!("{name} 担当"),
                    password: Password::parse(DEMO_PASSWORD)?,
                    departments: vec![name.to_string()],
                },
                mails,
            )
            .await?;
        }
    }
    for (code, names) in DEPARTMENTS {
        let tenant = TenantCode::parse(code)?;
        demo.desk_open(&who, tenant).await?;
        // The first department of each list is the desk's own.
        let desk_department = demo
            .departments(tenant)
            .await?
            .into_iter()
            .find(|d| names.first() == Some(&d.name.as_str()))
            .map(|d| d.id);
        let settings = demo.desk_settings(tenant).await?;
        if settings.desk_department_id != desk_department {
            demo.desk_settings_save(
                &who,
                tenant,
                DeskSettings {
                    desk_department_id: desk_department,
                    ..settings
                },
            )
            .await?;
        }
    }
    // 岸和田市 names its desk itself and says what it takes, as its admin would on the profile
    // page (once: a profile already written is left as it is).
    let kishiwada = TenantCode::parse(MARKER_TENANT)?;
    if demo.desk_profile(kishiwada).await? == Default::default() {
        let admin = demo.user_by_email("admin@kishiwada.demo.renkei.jp").await?;
        let by = acting(&demo, &admin).await?;
        crate::desk::save_profile(&demo_app, &by, kishiwada, &kishiwada_profile()).await?;
    }
    // The desk keeps a partner it works with before any proposal came from it, with its
    // contact, as a desk member would on the registry page (once).
    let (partner, contact) = kishiwada_partner();
    if demo
        .partners(kishiwada, Some(&partner.name))
        .await?
        .iter()
        .all(|p| p.name != partner.name)
    {
        let desk = demo.user_by_email("desk@kishiwada.demo.renkei.jp").await?;
        let by = acting(&demo, &desk).await?;
        let id = crate::partners::add(&demo_app, &by, kishiwada, &partner).await?;
        crate::partners::add_contact(&demo_app, &by, kishiwada, id, &contact).await?;
    }
    let plan: Vec<Planned> = plan
        .into_iter()
        .filter(|p| before.is_none_or(|b| p.at < b))
        .collect();
    load_proposals(&demo_app, &plan, &clock).await?;
    if before.is_none() {
        realise_partnerships(&demo_app, &clock, app.store.now()).await?;
        publish_open_calls(&demo_app, &clock, app.store.now()).await?;
        other_desks_cases(&demo_app, &clock, app.store.now()).await?;
    }
    Ok(logins)
}

// --- cases ---
/// 川崎市's published partnerships (once), entered by its desk on the last day of the story, so
/// that the national case library (`/cases?q=防災`) finds another local government's cases:
/// one with the same partner (by 法人番号) as 岸和田市's 物流 agreement, one on the same theme.
async fn other_desks_cases(app: &App, clock: &ManualClock, real_now: DateTime<Utc>) -> Result<()> {
    use crate::partnerships::{add_activity, create};
    use renkei_domain::partnership::{ActivityInput, PartnershipInput, PartyInput};
    let tenant = TenantCode::parse("141305")?;
    let (_, existing) = app
        .store
        .partnerships(
            tenant,
            &renkei_store::partnerships::PartnershipFilter {
                per_page: 1,
                ..Default::default()
            },
        )
        .await?;
    if existing > 0 {
        return Ok(());
    }
    clock.set(real_now.max(app.store.now()));
    let desk = app
        .store
        .user_by_email("desk@kawasaki.demo.renkei.jp")
        .await?;
    let by = acting(&app.store, &desk).await?;
    let today = app.store.today();
    let date = |d: NaiveDate| renkei_domain::time::to_db_date(d);
    let ago = |months: u32| {
        today
            .checked_sub_months(chrono::Months::new(months))
            .unwrap_or(today)
    };
    let logistics = create(
        app,
        &by,
        tenant,
        &PartnershipInput {
            form: "comprehensive".into(),
            title: "川崎市と株式会社だんじり物流との災害時物資輸送に関する包括連携協定".into(),
            purpose: "災害時の支援物資の輸送と、平時の防災啓発で連携する。".into(),
            summary: "大規模災害の際に、市の備蓄物資を避難所へ輸送する。平時は防災訓練と地域の防災講座に協力する。".into(),
            city_role: "物資拠点の指定、防災訓練の企画と広報".into(),
            parties: vec![PartyInput {
                name: "㈱だんじり物流".into(),
                party_type: "company".into(),
                corporate_number: corporate_number("123456789012"),
                role: "物資の輸送・保管、訓練への参加".into(),
            }],
            fields: vec!["disaster".into()],
            signed_on: date(ago(8)),
            auto_renew: true,
            published: true,
            commercial_benefit: true,
            commercial_note: "輸送の受託は本協定に含まず、市の調達手続による。".into(),
            ..Default::default()
        },
        None,
    )
    .await?;
    add_activity(
        app,
        &by,
        tenant,
        logistics,
        &ActivityInput {
            done_on: date(ago(2)),
            title: "避難所への物資輸送訓練".into(),
            description: "備蓄倉庫から中原区の避難所2か所へ、飲料水と毛布を輸送した。".into(),
            people: "18".into(),
            outputs: "訓練報告書".into(),
        },
    )
    .await?;
    create(
        app,
        &by,
        tenant,
        &PartnershipInput {
            form: "comprehensive".into(),
            title: "地域の防災マップづくりに関する連携協定".into(),
            purpose: "学生と町内会が地区を歩き、避難経路を確かめる。".into(),
            summary: "市内の大学と町内会が協力し、地区ごとの防災マップを作成して配布する。".into(),
            city_role: "地図データの提供と配布".into(),
            parties: vec![
                PartyInput {
                    name: "学校法人 多摩川こども大学".into(),
                    party_type: "university".into(),
                    corporate_number: String::new(),
                    role: "学生の派遣と地図の作成".into(),
                },
                PartyInput {
                    name: "中原区さくら町内会".into(),
                    party_type: "neighborhood".into(),
                    corporate_number: String::new(),
                    role: "地区の案内と配布".into(),
                },
            ],
            fields: vec!["disaster".into(), "community".into()],
            signed_on: date(ago(14)),
            ends_on: date(ago(2)),
            auto_renew: false,
            published: true,
            ..Default::default()
        },
        None,
    )
    .await?;
    Ok(())
}

/// 岸和田市's partnerships (once): each decided proposal but the latest realised as an
/// agreement led by the department that was asked about it, signed and already at work; and two agreements the
/// desk carried over from its old list — a 包括連携協定 with a university whose last activity
/// was well over a year ago (dormant), and one with a company that ends soon without a
/// renewal decision. All through the same commands the pages call, on the demo's clock.
async fn realise_partnerships(
    app: &App,
    clock: &ManualClock,
    real_now: DateTime<Utc>,
) -> Result<()> {
    use crate::partnerships::{add_activity, create};
    use renkei_domain::partnership::{ActivityInput, PartnershipInput, PartyInput};
    let tenant = TenantCode::parse(MARKER_TENANT)?;
    let (_, existing) = app
        .store
        .partnerships(
            tenant,
            &renkei_store::partnerships::PartnershipFilter {
                per_page: 1,
                ..Default::default()
            },
        )
        .await?;
    if existing > 0 {
        return Ok(());
    }
    let desk = app
        .store
        .user_by_email("desk@kishiwada.demo.renkei.jp")
        .await?;
    let by = acting(&app.store, &desk).await?;
    let date = |d: NaiveDate| renkei_domain::time::to_db_date(d);
    let (decided, _) = app
        .store
        .inbox(
            tenant,
            &renkei_store::proposals::InboxFilter {
                statuses: vec!["decided".into()],
                per_page: 50,
                ..Default::default()
            },
        )
        .await?;
    // The latest decision is left for the desk to register (the 「連携事業を登録」 button).
    let mut decided = decided;
    decided.sort_by_key(|p| p.closed_at.unwrap_or(p.updated_at));
    decided.pop();
    for (n, p) in decided.iter().enumerate() {
        let decided_at = p.closed_at.unwrap_or(p.updated_at);
        let decided_on = jst_date(decided_at);
        // Signed a week after the decision and entered that day (or, if that is still to
        // come, entered now and signed later).
        let signed_on = decided_on + Duration::days(7);
        clock.set(
            jst_at(signed_on, jst_time(16, 0))
                .min(real_now)
                .max(decided_at + Duration::minutes(30)),
        );
        let routed = app.store.routings(p.id).await?;
        let department = routed.first().map(|r| r.department_id);
        let form = match (department, n % 2) {
            (None, _) => "comprehensive",
            (Some(_), 0) => "business",
            (Some(_), _) => "project",
        };
        let input = PartnershipInput {
            form: form.into(),
            title: p.title.clone(),
            purpose: p.summary.clone(),
            summary: p.summary.clone(),
            department_id: department.map(|d| d.to_string()).unwrap_or_default(),
            city_role: "関係部署との調整、会場と広報の提供".into(),
            parties: vec![PartyInput {
                name: p.org_name.clone(),
                party_type: p.partner_type.code().into(),
                corporate_number: p.corporate_number.clone().unwrap_or_default(),
                role: "事業の企画・運営と人材の提供".into(),
            }],
            fields: p.fields.iter().map(|f| f.code().to_string()).collect(),
            signed_on: if signed_on <= app.store.today() {
                date(signed_on)
            } else {
                String::new()
            },
            ends_on: date(signed_on + Duration::days(364)),
            auto_renew: true,
            fiscal_burden: if p.fiscal_burden { "some" } else { "none" }.into(),
            fiscal_amount: if p.fiscal_burden {
                "1200000".into()
            } else {
                String::new()
            },
            fiscal_justification: p.fiscal_justification.clone().unwrap_or_default(),
            published: p.publication_consent,
            ..Default::default()
        };
        let id = create(app, &by, tenant, &input, Some(p.id)).await?;
        // The first activity two weeks after the signing, recorded the day after (or now).
        let first = signed_on + Duration::days(14);
        if first < jst_date(real_now) {
            clock.set(jst_at(first + Duration::days(1), jst_time(10, 0)).min(real_now));
            add_activity(
                app,
                &by,
                tenant,
                id,
                &ActivityInput {
                    done_on: date(first),
                    title: "キックオフ会議と第1回の取組".into(),
                    description: format!("「{}」の最初の取組を実施しました。", p.title),
                    people: "24".into(),
                    outputs: "実施報告書".into(),
                },
            )
            .await?;
        }
    }
    // The carried-over agreements, entered on the last day of the story.
    clock.set(real_now.max(app.store.now()));
    let today = app.store.today();
    let years_ago = |y: u32| {
        today
            .checked_sub_months(chrono::Months::new(12 * y))
            .unwrap_or(today)
    };
    let dormant = create(
        app,
        &by,
        tenant,
        &PartnershipInput {
            form: "comprehensive".into(),
            title: "岸和田市と泉州みらい大学との包括連携協定".into(),
            purpose: "地域の課題解決と人材育成のため、相互の資源を活かして連携する。".into(),
            summary: "防災、子育て、生涯学習の分野で、大学の知見と学生の力を地域に活かす。".into(),
            city_role: "フィールドの提供と関係部署との調整".into(),
            parties: vec![PartyInput {
                name: "学校法人 泉州みらい大学".into(),
                party_type: "university".into(),
                corporate_number: String::new(),
                role: "教員・学生の派遣と調査研究".into(),
            }],
            fields: vec!["disaster".into(), "childcare".into(), "culture".into()],
            signed_on: date(years_ago(3)),
            ends_on: String::new(),
            auto_renew: true,
            published: true,
            ..Default::default()
        },
        None,
    )
    .await?;
    let long_ago = years_ago(2);
    add_activity(
        app,
        &by,
        tenant,
        dormant,
        &ActivityInput {
            done_on: date(long_ago),
            title: "学生による防災マップづくり".into(),
            description: "学生20名が地区を歩き、避難経路の危険箇所を地図にまとめた。".into(),
            people: "20".into(),
            outputs: "防災マップ（3地区）".into(),
        },
    )
    .await?;
    let ending = create(
        app,
        &by,
        tenant,
        &PartnershipInput {
            form: "comprehensive".into(),
            title: "岸和田市と株式会社だんじり物流との包括連携協定".into(),
            purpose: "災害時の物資輸送と平時の見守りで連携する。".into(),
            summary: "災害時の支援物資の輸送・保管と、配送時の高齢者見守りに協力する。".into(),
            city_role: "物資拠点の指定と訓練の企画".into(),
            parties: vec![PartyInput {
                name: "株式会社だんじり物流".into(),
                party_type: "company".into(),
                corporate_number: corporate_number("123456789012"),
                role: "物資の輸送・保管、見守りへの協力".into(),
            }],
            fields: vec!["disaster".into(), "health".into()],
            signed_on: date(years_ago(2)),
            ends_on: date(today + Duration::days(45)),
            auto_renew: false,
            published: true,
            commercial_benefit: true,
            commercial_note: "物流事業の受託は本協定に含まず、市の調達手続による。本協定は無償の社会貢献活動に限る。".into(),
            ..Default::default()
        },
        None,
    )
    .await?;
    add_activity(
        app,
        &by,
        tenant,
        ending,
        &ActivityInput {
            done_on: date(today - Duration::days(30)),
            title: "物資輸送訓練".into(),
            description: "市の備蓄倉庫から避難所3か所への輸送訓練を実施した。".into(),
            people: "35".into(),
            outputs: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// A partner 岸和田市's desk entered by hand, and its contact (fictional).
fn kishiwada_partner() -> (
    renkei_domain::partner::PartnerInput,
    renkei_domain::partner::ContactInput,
) {
    (
        renkei_domain::partner::PartnerInput {
            name: "一般社団法人 きしわだ観光まちづくり協議会".into(),
            name_kana: "きしわだかんこうまちづくりきょうぎかい".into(),
            corporate_number: corporate_number("150005009876"),
            partner_type: "intermediary".into(),
            address: "大阪府岸和田市港緑町1番1号".into(),
            website: "https://kishiwada-kanko.example.jp/".into(),
            phone: "072-400-0000".into(),
            note: "だんじり祭の来訪者案内で毎年協力している。".into(),
        },
        renkei_domain::partner::ContactInput {
            contact_name: "浜田 由紀".into(),
            contact_department: "事務局".into(),
            contact_title: "事務局長".into(),
            contact_email: "hamada@kishiwada-kanko.example.jp".into(),
            contact_phone: "072-400-0001".into(),
            contact_note: String::new(),
        },
    )
}

/// The demo profile of 岸和田市's desk (modelled on how the city describes its own desk).
fn kishiwada_profile() -> crate::desk::ProfileInput {
    crate::desk::ProfileInput {
        desk_name: "公民戦略連携デスク".into(),
        description: "企業・大学・NPO・地域団体の皆さまから、市の課題の解決や市民サービスの向上につながる連携の提案や相談を一元的に受け付ける窓口です。いただいた提案は十分にお聞きしたうえで、庁内の担当課と調整し、実現をめざします。".into(),
        scope: "地域の課題解決や市民サービスの向上につながる連携の提案・相談（防災、子育て、健康、環境、観光、DXなど分野は問いません）\n市の施設や情報を活用した実証実験の提案\n包括連携協定の締結についての相談".into(),
        not_taken: "自社の製品やサービスの営業・宣伝を目的とするもの\n市の政策に合わない寄附の申出\n特定の政治・宗教活動を目的とするもの\n市の財政負担を前提とするもの（財政負担が必要な場合は、その理由を含めてご相談ください）".into(),
        process: "1. このサイトから提案・相談を送信してください（受付番号をお知らせします）。\n2. デスクの担当者が内容を確認し、受付時にお知らせする期日までに最初のご連絡をします。\n3. 必要に応じて対話（聞き取り）を行い、提案の内容を深めます。\n4. 庁内の担当課と調整し、実施するかどうかを判断します。\n5. 実施する場合は、役割分担を確認したうえで連携事業として進めます。".into(),
        contact: "岸和田市 公民戦略連携デスク\n〒596-8510 大阪府岸和田市岸城町7番1号\n電話 072-423-2121（代表）".into(),
        hours: "平日 9時00分〜17時30分（土日祝日・年末年始を除く）".into(),
    }
}

/// The demo desk's proposals, loaded once: when 岸和田市 already has proposals (a second
/// `--demo` start, or a database in real use) nothing is added.
async fn load_proposals(app: &App, plan: &[Planned], clock: &ManualClock) -> Result<()> {
    let marker = TenantCode::parse(MARKER_TENANT)?;
    if app.store.proposal_count(marker).await? > 0 {
        return Ok(());
    }
    let ctx = Ctx::new(app).await?;
    let scenarios = scenarios();
    let mut receipts: Vec<Option<String>> = vec![None; scenarios.len()];
    for p in plan {
        clock.set(p.at);
        let s = scenarios
            .get(p.scenario)
            .ok_or(internal("scenario", p.scenario))?;
        match p.step {
            None => {
                let receipt = ctx.receive(s).await?;
                if let Some(slot) = receipts.get_mut(p.scenario) {
                    *slot = Some(receipt);
                }
            }
            Some(k) => {
                let receipt = receipts
                    .get(p.scenario)
                    .cloned()
                    .flatten()
                    .ok_or(internal("step before receipt", s.title))?;
                let (_, step) = s.steps.get(k).ok_or(internal("step", (s.title, k)))?;
                ctx.step(s, &receipt, step, jst_date(p.at))
                    .await
                    .map_err(|e| internal(s.title, (k, e)))?;
            }
        }
    }
    Ok(())
}

const MARKER_TENANT: &str = "272027";

/// One thing that happens in the demo story: a scenario's receipt (`step: None`; for an
/// outbound approach, together with its first hearing) or one of its later steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Planned {
    pub scenario: usize,
    pub step: Option<usize>,
    pub at: DateTime<Utc>,
    /// Done by city staff (the desk or a department), so on a business day in office hours.
    pub by_staff: bool,
    /// The scenario's local government.
    pub tenant: &'static str,
}

impl Planned {
    /// The routing request this step makes, if it is one: (departments, question).
    pub fn routing(&self) -> Option<(&'static [&'static str], &'static str)> {
        let step = scenarios().get(self.scenario)?.steps.get(self.step?)?;
        match step.1 {
            Step::Route(departments, question) => Some((departments, question)),
            _ => None,
        }
    }

    /// The receipt a scenario's steps act on is found by its title.
    pub fn title(&self) -> &'static str {
        scenarios()
            .get(self.scenario)
            .map(|s| s.title)
            .unwrap_or("")
    }
}

/// The business days counted back from `anchor`: `[anchor, the one before, …]`, `n + 1` of them.
fn business_days_back(anchor: NaiveDate, n: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(n + 1);
    let mut d = anchor;
    out.push(d);
    while out.len() <= n {
        d = d.pred_opt().unwrap_or(d);
        if is_business_day(d) {
            out.push(d);
        }
    }
    out
}

/// The last business day before `today`: the demo's most recent working day, wholly in the
/// past whatever the hour, so the story does not depend on when in the day it is loaded.
pub fn demo_anchor(today: NaiveDate) -> NaiveDate {
    let mut d = today.pred_opt().unwrap_or(today);
    while !is_business_day(d) {
        d = d.pred_opt().unwrap_or(d);
    }
    d
}

fn jst_time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// The demo story for a load on `today` (JST), in the order it is played: a pure function of
/// the date. Ages and step days in the scenarios count business days back from
/// [`demo_anchor`], so the story looks the same on every day of the year: the same items are
/// new, answered or overdue on a Monday after Golden Week as on a Thursday in November. Staff
/// work on business days from 09:00; proponents send in the day's afternoon and evening.
pub fn schedule(today: NaiveDate) -> Vec<Planned> {
    let anchor = demo_anchor(today);
    let oldest = scenarios()
        .iter()
        .flat_map(|s| std::iter::once(s.age).chain(s.steps.iter().map(|(d, _)| *d)))
        .max()
        .unwrap_or(0);
    let back = business_days_back(anchor, usize::try_from(oldest).unwrap_or(0));
    let business_days_before = |n: i64| {
        usize::try_from(n)
            .ok()
            .and_then(|n| back.get(n))
            .copied()
            .unwrap_or(anchor)
    };
    let mut plan = Vec::new();
    for (i, s) in scenarios().iter().enumerate() {
        let n = i as i64;
        let outbound = s.route == Route::Outbound;
        let received_on = business_days_before(s.age);
        let received_at = if outbound {
            jst_at(received_on, jst_time(9, 30)) + Duration::minutes((n * 13) % 90)
        } else {
            jst_at(received_on, jst_time(13, 0)) + Duration::minutes((n * 37) % 300)
        } + Duration::seconds(n);
        plan.push(Planned {
            scenario: i,
            step: None,
            at: received_at,
            by_staff: outbound,
            tenant: s.tenant,
        });
        let mut prev = received_at;
        // An outbound approach is recorded with its first hearing.
        let first = usize::from(outbound);
        for (k, (days_ago, step)) in s.steps.iter().enumerate().skip(first) {
            let by_staff = !matches!(step, Step::Proponent(_) | Step::Move(Move::Withdraw));
            let day = business_days_before(*days_ago);
            let nominal = if by_staff {
                jst_at(day, jst_time(9, 0)) + Duration::minutes(20 * k as i64)
            } else {
                jst_at(day, jst_time(18, 30)) + Duration::minutes(10 * k as i64)
            } + Duration::seconds(n);
            let at = nominal.max(prev + Duration::minutes(7));
            prev = at;
            plan.push(Planned {
                scenario: i,
                step: Some(k),
                at,
                by_staff,
                tenant: s.tenant,
            });
        }
    }
    plan.sort_by_key(|p| (p.at, p.scenario, p.step));
    plan
}

/// Who plays which part in one tenant's demo.
struct Cast {
    tenant: TenantCode,
    desk: Caller,
    departments: Vec<(String, i64)>,
}

struct Ctx<'a> {
    app: &'a App,
    casts: Vec<Cast>,
    department_user: Option<(Caller, Vec<String>)>,
    /// (tenant, department, account) of the colleague accounts.
    colleagues: Vec<(String, String, Caller)>,
    proponent: Caller,
}

/// A demo account at work, as the policy and the audit trail see it: named by its e-mail
/// address, as a signed-in user of the pages and the API is.
async fn acting(store: &Store, user: &User) -> Result<Caller> {
    Ok(Caller {
        actor: Some(store.actor(user).await?),
        who: Who {
            user_id: Some(user.id),
            label: user.email.clone(),
            origin: "demo".into(),
        },
    })
}

fn internal(what: &str, e: impl std::fmt::Debug) -> CommandError {
    CommandError::Store(StoreError::Internal(format!("demo data ({what}): {e:?}")))
}

impl<'a> Ctx<'a> {
    async fn new(app: &'a App) -> Result<Self> {
        let store = &app.store;
        let accounts = demo_accounts();
        let mut casts = Vec::new();
        for (code, _) in DEPARTMENTS {
            let tenant = TenantCode::parse(code)?;
            let Some((_, _, email, _, _)) = accounts
                .iter()
                .find(|a| a.0 == Role::Desk && a.1 == Some(*code))
            else {
                return Err(internal("desk account", code));
            };
            let user = store.user_by_email(email).await?;
            casts.push(Cast {
                tenant,
                desk: acting(store, &user).await?,
                departments: store
                    .departments(tenant)
                    .await?
                    .into_iter()
                    .map(|d| (d.name, d.id))
                    .collect(),
            });
        }
        let mut department_user = None;
        let mut proponent = None;
        for (role, tenant, email, _, departments) in &accounts {
            if *tenant != Some(MARKER_TENANT) {
                continue;
            }
            if *role == Role::Department {
                let user = store.user_by_email(email).await?;
                department_user = Some((
                    acting(store, &user).await?,
                    departments.iter().map(|d| d.to_string()).collect(),
                ));
            } else if *role == Role::Proponent {
                proponent = Some(acting(store, &store.user_by_email(email).await?).await?);
            }
        }
        let proponent = proponent.ok_or(internal("proponent account", MARKER_TENANT))?;
        let mut colleagues = Vec::new();
        for (code, name, email) in colleague_accounts() {
            let user = store.user_by_email(&email).await?;
            colleagues.push((
                code.to_string(),
                name.to_string(),
                acting(store, &user).await?,
            ));
        }
        Ok(Self {
            app,
            casts,
            department_user,
            colleagues,
            proponent,
        })
    }

    fn cast(&self, code: &str) -> Result<&Cast> {
        self.casts
            .iter()
            .find(|c| c.tenant.to_string() == code)
            .ok_or(internal("tenant", code))
    }

    fn department(&self, cast: &Cast, name: &str) -> Result<i64> {
        cast.departments
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
            .ok_or(internal("department", name))
    }

    fn answerer(&self, cast: &Cast, department: &str) -> Result<Caller> {
        if let Some((w, deps)) = &self.department_user
            && cast.tenant.to_string() == MARKER_TENANT
            && deps.iter().any(|d| d == department)
        {
            return Ok(w.clone());
        }
        self.colleagues
            .iter()
            .find(|(code, name, _)| *code == cast.tenant.to_string() && name == department)
            .map(|(_, _, w)| w.clone())
            .ok_or(internal("no one in the department", department))
    }

    fn proponent_of(&self, s: &Scenario) -> Caller {
        if s.mine {
            self.proponent.clone()
        } else {
            // As the public form names someone without an account.
            Caller {
                actor: None,
                who: Who {
                    user_id: None,
                    label: "proponent".into(),
                    origin: "demo".into(),
                },
            }
        }
    }

    fn intake(s: &Scenario) -> IntakeInput {
        IntakeInput {
            kind: s.kind.into(),
            org_name: s.org.into(),
            partner_type: s.partner_type.into(),
            corporate_number: s.corporate.map(corporate_number).unwrap_or_default(),
            org_address: address_of(s),
            contact_name: s.contact.into(),
            contact_department: String::new(),
            contact_title: String::new(),
            email: s.email.into(),
            phone: s.phone.into(),
            title: s.title.into(),
            summary: s.summary.into(),
            details: s.details.into(),
            fields: s.fields.iter().map(|f| f.to_string()).collect(),
            offers: s.offers.iter().map(|f| f.to_string()).collect(),
            expected_effects: s.effects.into(),
            fiscal_burden: if s.fiscal.is_some() { "some" } else { "none" }.into(),
            fiscal_explanation: s.fiscal.unwrap_or_default().into(),
            publication_consent: s.publication,
            privacy_consent: true,
        }
    }

    /// Submits (or approaches, with the first hearing) one scenario through the same
    /// commands pages and the API call, at the time the clock shows. Returns the receipt
    /// number.
    async fn receive(&self, s: &Scenario) -> Result<String> {
        let cast = self.cast(s.tenant)?;
        let tenant = cast.tenant;
        let files: Vec<RawFile> = s.attachment.map(Att::file).into_iter().collect();
        let submitted = if s.route == Route::Outbound {
            let Some((_, Step::Hear(channel, participants, notes, next))) = s.steps.first() else {
                return Err(internal("outbound needs a first hearing", s.title));
            };
            let hearing = HearingInput {
                held_on: self.app.store.today().format("%Y-%m-%d").to_string(),
                channel: channel.code().to_string(),
                participants: participants.to_string(),
                notes: notes.to_string(),
                next_steps: next.to_string(),
            };
            cmd::approach(
                self.app,
                &cast.desk,
                tenant,
                &Self::intake(s),
                &hearing,
                files,
            )
            .await
        } else {
            cmd::submit(
                self.app,
                &self.proponent_of(s),
                tenant,
                SubmitInput {
                    intake: Self::intake(s),
                    files,
                    proponent_user_id: if s.mine {
                        self.proponent.who.user_id
                    } else {
                        None
                    },
                    ip: None,
                    per_hour: 0,
                    route: Some(s.route),
                    lang: crate::i18n::Lang::Ja,
                    call_id: None,
                },
            )
            .await
        }
        .map_err(|e| internal(s.title, e))?;
        Ok(submitted.receipt_number)
    }

    /// Plays one later step of a scenario on day `on` (JST), at the time the clock shows.
    async fn step(&self, s: &Scenario, receipt: &str, step: &Step, on: NaiveDate) -> Result<()> {
        let app = self.app;
        let cast = self.cast(s.tenant)?;
        let tenant = cast.tenant;
        let proponent = self.proponent_of(s);
        match step {
            Step::Assign => {
                let me = cast
                    .desk
                    .who
                    .user_id
                    .map(|id| id.to_string())
                    .unwrap_or_default();
                cmd::assign(app, &cast.desk, tenant, receipt, &me).await?;
            }
            Step::Hear(channel, participants, notes, next) => {
                let h = HearingInput {
                    held_on: on.format("%Y-%m-%d").to_string(),
                    channel: channel.code().to_string(),
                    participants: participants.to_string(),
                    notes: notes.to_string(),
                    next_steps: next.to_string(),
                };
                cmd::record_hearing(app, &cast.desk, tenant, receipt, &h).await?;
            }
            Step::Route(departments, question) => {
                let ids = departments
                    .iter()
                    .map(|d| self.department(cast, d).map(|id| id.to_string()))
                    .collect::<Result<Vec<_>>>()?;
                // The due date is the desk's routing period, as on the page.
                let input = RouteInput {
                    department_ids: ids,
                    question: question.to_string(),
                    due_on: String::new(),
                };
                cmd::route(app, &cast.desk, tenant, receipt, &input).await?;
            }
            Step::Reply(department, answer, comment) => {
                let dept = self.department(cast, department)?;
                let p = app.store.proposal(tenant, receipt).await?;
                let routing = app
                    .store
                    .routings(p.id)
                    .await?
                    .into_iter()
                    .find(|r| r.department_id == dept)
                    .ok_or(internal("reply without routing", department))?;
                let by = self.answerer(cast, department)?;
                let input = AnswerInput {
                    answer: answer.code().to_string(),
                    comment: comment.to_string(),
                };
                cmd::answer(app, &by, tenant, routing.id, &input).await?;
            }
            Step::Desk(body) => {
                cmd::message_to_proponent(app, &cast.desk, tenant, receipt, body).await?;
            }
            Step::Proponent(body) => {
                let p = app.store.proposal(tenant, receipt).await?;
                cmd::message_to_desk(app, &proponent, tenant, &p, body).await?;
            }
            Step::Move(t) => {
                let input = |action: &str| TransitionInput {
                    action: action.to_string(),
                    ..TransitionInput::default()
                };
                let input = match t {
                    Move::Hearing => input("start_hearing"),
                    Move::Coordinate => input("start_coordination"),
                    Move::Decide => input("decide"),
                    Move::DecideDespiteCost(why) => TransitionInput {
                        fiscal_justification: why.to_string(),
                        ..input("decide")
                    },
                    Move::Decline(reason, explanation) => TransitionInput {
                        reason: reason.code().to_string(),
                        explanation: explanation.to_string(),
                        ..input("decline")
                    },
                    Move::Withdraw => {
                        let p = app.store.proposal(tenant, receipt).await?;
                        cmd::withdraw(app, &proponent, tenant, &p).await?;
                        return Ok(());
                    }
                    Move::Refer(to) => {
                        let p = app.store.proposal(tenant, receipt).await?;
                        cmd::set_consent(app, &proponent, tenant, &p, s.publication, true).await?;
                        TransitionInput {
                            to: to.to_string(),
                            ..input("refer")
                        }
                    }
                };
                cmd::transition(app, &cast.desk, tenant, receipt, &input).await?;
            }
        }
        Ok(())
    }
}

/// A well-formed (fictional) 法人番号: the check digit in front of the 12 base digits.
pub fn corporate_number(base: &str) -> String {
    let sum: u32 = base
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b.wrapping_sub(b'0')) * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    format!("{}{base}", 9 - sum % 9)
}

/// A one-page PDF (valid cross-reference table) with a line of text.
fn demo_pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 18 Tf 72 760 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A 1×1 transparent PNG.
const DEMO_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

#[derive(Debug, Clone, Copy)]
enum Att {
    Pdf(&'static str, &'static str),
    Png(&'static str),
}

impl Att {
    fn file(self) -> RawFile {
        match self {
            Att::Pdf(name, text) => RawFile {
                filename: name.into(),
                data: Some(demo_pdf(text)),
            },
            Att::Png(name) => RawFile {
                filename: name.into(),
                data: Some(DEMO_PNG.to_vec()),
            },
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Move {
    Hearing,
    Coordinate,
    Decide,
    /// 実施決定 of a proposal that costs the city, with the desk's justification.
    DecideDespiteCost(&'static str),
    Decline(DeclineReason, &'static str),
    Withdraw,
    /// 紹介, with the proponent's consent recorded first.
    Refer(&'static str),
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Assign,
    /// A hearing record: channel, participants, notes, next steps (held on the step's day).
    Hear(Channel, &'static str, &'static str, &'static str),
    /// 庁内照会 to these departments with the question (due after the tenant's routing days).
    Route(&'static [&'static str], &'static str),
    /// A department's answer.
    Reply(&'static str, Answer, &'static str),
    Desk(&'static str),
    Proponent(&'static str),
    Move(Move),
}

#[derive(Debug, Clone, Copy)]
struct Scenario {
    tenant: &'static str,
    /// Business days since receipt, counted back from the last working day (see [`schedule`]).
    age: i64,
    kind: &'static str,
    route: Route,
    org: &'static str,
    partner_type: &'static str,
    /// The 12 base digits of a fictional 法人番号 (the check digit is computed).
    corporate: Option<&'static str>,
    contact: &'static str,
    email: &'static str,
    phone: &'static str,
    title: &'static str,
    summary: &'static str,
    details: &'static str,
    fields: &'static [&'static str],
    offers: &'static [&'static str],
    effects: &'static str,
    fiscal: Option<&'static str>,
    publication: bool,
    attachment: Option<Att>,
    /// Sent from the demo proponent account.
    mine: bool,
    /// (business days ago, step), oldest first.
    steps: &'static [(i64, Step)],
}

/// A fictional address in the scenario's local government (the same organisation always gets
/// the same one).
fn address_of(s: &Scenario) -> String {
    let (place, towns): (&str, &[&str]) = match s.tenant {
        "270008" => ("大阪府大阪市中央区", &["本町", "谷町", "北浜", "淡路町"]),
        "141305" => (
            "神奈川県川崎市中原区",
            &["小杉町", "新丸子町", "上小田中", "木月"],
        ),
        _ => (
            "大阪府岸和田市",
            &["宮本町", "土生町", "八阪町", "別所町", "春木若松町"],
        ),
    };
    let n = s
        .org
        .chars()
        .map(u32::from)
        .fold(7_u32, |a, c| a.wrapping_mul(31).wrapping_add(c));
    let town = towns[n as usize % towns.len()];
    format!(
        "{place}{town}{}丁目{}番{}号",
        n % 4 + 1,
        n % 23 + 1,
        n % 17 + 1
    )
}

const BASE: Scenario = Scenario {
    tenant: "272027",
    age: 0,
    kind: "proposal",
    route: Route::Free,
    org: "",
    partner_type: "company",
    corporate: None,
    contact: "",
    email: "",
    phone: "",
    title: "",
    summary: "",
    details: "",
    fields: &[],
    offers: &[],
    effects: "",
    fiscal: None,
    publication: true,
    attachment: None,
    mine: false,
    steps: &[],
};

fn scenarios() -> &'static [Scenario] {
    SCENARIOS
}

use Channel::{Email as Mail, Meeting, Online, Phone};
use DeclineReason as R;

const SCENARIOS: &[Scenario] = &[
    // ---------------------------------------------------------------- 岸和田市: 受付
    Scenario {
        age: 0,
        org: "株式会社泉州ミライ研究所",
        corporate: Some("120001093721"),
        contact: "提案 三郎",
        email: "proponent@example.co.jp",
        phone: "072-000-3821",
        title: "AIチャットボットによる子育て手続き案内の実証",
        summary: "児童手当や保育所入所などの手続きを、LINE等から24時間案内するAIチャットボットを無償で実証運用したいと考えています。",
        details: "当社は府内の自治体向けに問い合わせ対応のAIを開発しています。岸和田市の子育て関連の手続き（児童手当、保育所等の入所申込み、一時預かり、乳幼児健診）について、市のホームページの公開情報をもとに回答するチャットボットを構築し、6か月間無償で実証運用することを提案します。\n回答できなかった質問は匿名化して市にお渡しし、よくある質問の改善にも役立てていただけます。個人情報は取得しません。",
        fields: &["childcare", "digital"],
        offers: &["knowhow", "people"],
        effects: "夜間・休日の問い合わせへの対応、窓口と電話の混雑緩和、子育て世帯の手続き負担の軽減。",
        attachment: Some(Att::Pdf(
            "実証計画書_子育てAI案内.pdf",
            "Senshu Mirai Lab - pilot plan (demo)",
        )),
        mine: true,
        ..BASE
    },
    Scenario {
        age: 1,
        kind: "consultation",
        org: "一般社団法人 泉州おやこ食堂ネットワーク",
        partner_type: "intermediary",
        contact: "森本 さち",
        email: "morimoto@oyako-shokudo.example.jp",
        phone: "090-0000-4417",
        title: "子ども食堂への食材提供企業とのつなぎについての相談",
        summary: "市内の子ども食堂12か所に食材を提供してくださる企業を探しています。市から企業へ呼びかけていただくことはできるでしょうか。",
        details: "当法人は泉州地域の子ども食堂の連絡会を運営しています。物価高騰で食材の確保が難しくなっており、余剰食品や規格外野菜を定期的に提供してくださる企業・農家とのつながりを求めています。\n特定の企業を市が推薦することが難しいことは承知しています。公民連携デスクとして、どのような形であれば協力いただけるか、まずは相談させてください。",
        fields: &["childcare", "community"],
        offers: &["people", "place"],
        effects: "子ども食堂の安定運営、食品ロスの削減、地域の子どもの見守り。",
        ..BASE
    },
    Scenario {
        age: 2,
        org: "株式会社いずみエネルギーサービス",
        corporate: Some("120001104452"),
        contact: "北野 健太",
        email: "kitano@izumi-energy.example.co.jp",
        phone: "072-000-7710",
        title: "公共施設の屋根を活用した太陽光発電（PPA）と避難所の電源確保",
        summary: "初期費用ゼロのPPA方式で市内の小中学校の屋根に太陽光発電と蓄電池を設置し、災害時には避難所の非常用電源として開放します。",
        details: "当社が設備を設置・所有・保守し、発電した電力を市に市場価格より安い単価で供給します（20年契約）。停電時には蓄電池から体育館の照明とスマートフォン充電に給電できます。\nまずは2校程度でのモデル実施を想定しています。",
        fields: &["environment", "disaster"],
        offers: &["goods", "knowhow"],
        effects: "CO2排出量の削減（1校あたり年間約30トン）、避難所の電源確保、環境教育の教材としての活用。",
        steps: &[(1, Step::Assign)],
        ..BASE
    },
    Scenario {
        age: 9,
        kind: "donation",
        org: "医療法人 葛城会",
        partner_type: "other",
        contact: "葛城 正人",
        email: "jimu@katsuragi-kai.example.jp",
        phone: "072-000-2290",
        title: "町会・自治会へのAED寄贈の申出",
        summary: "開院30周年の記念として、AED（自動体外式除細動器）10台を市内の町会・自治会の集会所向けに寄贈したいと考えています。",
        details: "寄贈後5年間のパッド・バッテリーの交換費用も当会が負担します。設置先の町会向けに、当会の医師・看護師による救命講習（年1回）も行います。\n設置場所の選定について、市のご意見をいただければ幸いです。",
        fields: &["health", "disaster", "community"],
        offers: &["goods", "people", "funds"],
        effects: "地域での心停止時の救命率向上、住民の救命スキルの向上。",
        ..BASE
    },
    Scenario {
        age: 12,
        kind: "consultation",
        org: "泉州国際大学 地域連携センター",
        partner_type: "university",
        contact: "新田 恵美",
        email: "renkei@senshu-intl-u.example.jp",
        phone: "072-000-5100",
        title: "学生のフィールドワーク受入先についての相談",
        summary: "地域政策学科の3年生ゼミ（20名）が、来年度、岸和田市内で地域課題をテーマにしたフィールドワークを行いたいと考えています。",
        details: "商店街の活性化、空き家、だんじり祭の担い手不足などをテーマに、半年間の調査と提言を行う授業です。学生の教育効果を第一に考えつつ、市の施策にも役立つ成果にしたいと考えています。\n受入れ可能な部署やテーマ、調査に協力いただける地域団体についてご相談させてください。",
        fields: &["town", "culture", "community"],
        offers: &["people", "knowhow"],
        effects: "学生の視点による地域課題の調査と提言、若い世代と地域のつながり。",
        steps: &[(
            4,
            Step::Proponent(
                "先日お送りした相談の件、その後いかがでしょうか。来年度のシラバス作成の締切が来月末のため、受入れの可否の目安だけでも教えていただけますと助かります。",
            ),
        )],
        ..BASE
    },
    Scenario {
        age: 15,
        org: "八木北町会",
        partner_type: "neighborhood",
        contact: "西川 茂",
        email: "yagikita.chokai@example.jp",
        title: "空き家を活用した高齢者の居場所づくり",
        summary: "町内の空き家を所有者のご厚意で借り受け、週2回、高齢者が気軽に集えるサロンを開きたいと考えています。",
        details: "町内の一人暮らしの高齢者が増えており、見守りの必要性を感じています。所有者からは無償で貸してもよいとの申出をいただいています。\n改修や運営について、市や地域の企業・福祉事業所と連携できないか相談したいと思います。",
        fields: &["community", "health"],
        offers: &["people", "place"],
        effects: "高齢者の孤立防止、空き家の有効活用、町会活動の担い手づくり。",
        attachment: Some(Att::Png("空き家の外観.png")),
        ..BASE
    },
    Scenario {
        age: 10,
        org: "合同会社だんじりワークス",
        partner_type: "social_business",
        corporate: Some("120003018834"),
        contact: "上田 亮",
        email: "ueda@danjiri-works.example.co.jp",
        phone: "072-000-6631",
        title: "障がいのある方が作るだんじり木工品を観光土産に",
        summary: "障がいのある方の就労の場として、だんじりの端材を使った木工品を製作しています。市の観光案内所やイベントでの販売に協力いただけないでしょうか。",
        details: "当社は就労継続支援事業所と連携し、だんじり製作所から出る欅の端材を使ったコースターや箸置きを作っています。品質には自信があります。\n観光土産としての販路ができれば、作り手の工賃の向上につながります。",
        fields: &["industry", "tourism", "health"],
        offers: &["goods", "people"],
        effects: "障がいのある方の工賃向上、岸和田らしい観光土産の開発、端材の有効活用。",
        ..BASE
    },
    // ---------------------------------------------------------------- 岸和田市: 聞き取り
    Scenario {
        age: 20,
        org: "株式会社泉州ミライ研究所",
        corporate: Some("120001093721"),
        contact: "提案 三郎",
        email: "proponent@example.co.jp",
        phone: "072-000-3821",
        title: "IoTセンサーによる一人暮らし高齢者の見守り実証",
        summary: "電気の使用状況や室温を計るセンサーで、一人暮らしの高齢者の異変を家族や民生委員に知らせる仕組みを、50世帯で1年間無償実証します。",
        details: "カメラは使わず、電力量・温湿度・ドアの開閉だけを計測します。熱中症の危険がある室温や、長時間の無活動を検知すると、ご本人が登録した連絡先に通知します。\n実証世帯の募集と、民生委員・地域包括支援センターへの説明に市のご協力をお願いしたいと考えています。",
        fields: &["health", "digital", "community"],
        offers: &["goods", "knowhow"],
        effects: "孤立死・熱中症の予防、見守りの担い手の負担軽減、データに基づく高齢者施策の検討。",
        mine: true,
        steps: &[
            (19, Step::Assign),
            (
                18,
                Step::Desk(
                    "ご提案ありがとうございます。内容を詳しくお伺いしたく、面談の日程を調整させてください。来週の火曜日または木曜日の午後はいかがでしょうか。",
                ),
            ),
            (
                17,
                Step::Proponent(
                    "ありがとうございます。来週木曜日の14時からでお願いできますでしょうか。センサーの実機をお持ちします。",
                ),
            ),
            (13, Step::Move(Move::Hearing)),
            (
                13,
                Step::Hear(
                    Meeting,
                    "泉州ミライ研究所：提案様、開発担当1名／デスク：窓口",
                    "センサーの実機を確認。計測項目は電力量・温湿度・ドア開閉のみでカメラなし。通知先は本人が登録した家族等。通信費を含め実証期間中の費用は同社負担。個人情報の取扱いについて、市の個人情報保護の考え方に沿った同意書案を同社が作成する。",
                    "福祉政策課へ事前相談。同社から同意書案と実証世帯の募集案を受領する。",
                ),
            ),
            (
                6,
                Step::Desk(
                    "福祉政策課に事前にご相談しました。実証世帯の同意書案と、民生委員向けの説明資料の案をお送りいただけますでしょうか。",
                ),
            ),
            (
                5,
                Step::Proponent("承知しました。今週中に同意書案と説明資料案をお送りします。"),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 25,
        route: Route::Outbound,
        org: "関西ドローン測量株式会社",
        corporate: Some("120001076619"),
        contact: "大西 拓也",
        email: "onishi@kansai-drone.example.co.jp",
        phone: "06-0000-3390",
        title: "災害時のドローンによる被害状況の把握（市からのアプローチ）",
        summary: "大雨や地震の際に、ドローンで土砂災害警戒区域や沿岸部の被害状況を撮影し、市の災害対策本部に共有する連携について、市から同社に打診しました。",
        details: "危機管理課から、山間部の被害把握に時間がかかるとの課題が挙がっていたため、防災の実績がある同社にデスクからアプローチした。平時の訓練への参加も含めて協定の可能性を探る。",
        fields: &["disaster", "digital"],
        offers: &["people", "goods", "knowhow"],
        effects: "発災直後の被害状況の迅速な把握、職員の安全確保。",
        steps: &[
            (
                25,
                Step::Hear(
                    Meeting,
                    "関西ドローン測量：大西様、営業部長／デスク：窓口、危機管理課 1名",
                    "同社は府内3市と災害時協定を締結済み。操縦士は社内に12名。夜間飛行や目視外飛行の許可も保有。費用は災害時は無償、訓練は実費相当とのこと。",
                    "協定の範囲（出動要請の手順、撮影データの取扱い）を整理して再度オンラインで協議する。",
                ),
            ),
            (
                11,
                Step::Hear(
                    Online,
                    "関西ドローン測量：大西様、運航管理者／デスク：窓口",
                    "出動要請は危機管理課から電話とメールで行い、撮影データは市に帰属することで合意の見込み。訓練は年1回、市の総合防災訓練に無償で参加いただける。",
                    "協定書の案をデスクで作成し、危機管理課と調整に入る。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 10,
        route: Route::Outbound,
        org: "大阪湾岸大学 観光学部",
        partner_type: "university",
        contact: "村上 由紀",
        email: "murakami@osakawangan-u.example.jp",
        title: "だんじり祭の多言語ガイドの共同制作（市からのアプローチ）",
        summary: "外国人観光客向けに、だんじり祭の歴史や観覧マナーを伝える多言語ガイドを、留学生を含むゼミと共同で制作できないか市から打診しました。",
        details: "観光振興課の課題「外国人観光客への祭礼情報の発信」について、観光学部のゼミに協力を打診した。学生の教育的成果に配慮し、授業の一環として位置付ける。",
        fields: &["tourism", "culture"],
        offers: &["people", "knowhow"],
        effects: "外国人観光客の満足度向上と観覧時の安全確保、学生の実践的な学び。",
        steps: &[
            (
                10,
                Step::Hear(
                    Meeting,
                    "大阪湾岸大学：村上准教授／デスク：窓口、観光振興課 1名",
                    "ゼミは学生15名（うち留学生5名：英語、中国語、韓国語、ベトナム語）。後期の授業として取り組める。写真や映像の使用には祭礼団体の了承が必要。",
                    "観光振興課から祭礼団体に協力を打診。大学側は授業計画案を作成する。",
                ),
            ),
            (
                3,
                Step::Hear(
                    Phone,
                    "大阪湾岸大学：村上准教授／デスク：窓口",
                    "授業計画案の受領の連絡。取材は9月の試験曳きに合わせたいとの希望。",
                    "祭礼団体の回答を待って、三者で打合せを行う。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 30,
        org: "特定非営利活動法人 きしわだ里山クラブ",
        partner_type: "npo",
        corporate: Some("120005007781"),
        contact: "池田 里美",
        email: "satoyama@kishiwada-satoyama.example.jp",
        phone: "090-0000-8812",
        title: "神於山の里山保全と子ども向け環境学習",
        summary: "神於山の竹林整備を続けてきた経験を生かし、小学生向けの里山体験プログラムを市と一緒に実施したいと考えています。",
        details: "当会は15年間、毎月の竹林整備を行ってきました。伐採した竹を使った竹細工や、生き物観察を組み合わせた体験プログラムを、夏休みと秋に計4回実施したいと考えています。\n参加者の募集と、学校への周知に協力いただけないでしょうか。",
        fields: &["environment", "childcare"],
        offers: &["people", "knowhow", "place"],
        effects: "子どもの自然体験の機会、里山保全の担い手の育成、放置竹林の減少。",
        steps: &[
            (28, Step::Move(Move::Hearing)),
            (
                27,
                Step::Hear(
                    Phone,
                    "きしわだ里山クラブ：池田様／デスク：窓口",
                    "活動の概要と、体験プログラムの想定（対象は小学3〜6年生、各回30名程度）を聞き取り。保険は会で加入済み。",
                    "現地を見学させていただく。",
                ),
            ),
            (
                20,
                Step::Hear(
                    Meeting,
                    "きしわだ里山クラブ：池田様、会員2名／デスク：窓口、環境課 1名",
                    "神於山の活動場所を現地確認。駐車場とトイレの確保が課題。雨天時の代替場所として近隣の公民館を使えないか検討が必要。",
                    "生涯学習課に公民館の利用について相談する。",
                ),
            ),
            (
                8,
                Step::Desk(
                    "現地をご案内いただきありがとうございました。雨天時の会場について生涯学習課と相談しております。もう少しお時間をください。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 6,
        org: "一般社団法人 泉州地域づくりサポートセンター",
        partner_type: "intermediary",
        contact: "吉川 直子",
        email: "yoshikawa@senshu-support.example.jp",
        phone: "072-000-1188",
        title: "市民活動団体と企業の交流会（民民連携）の共同開催",
        summary: "市民活動団体と地元企業が出会い、協力し合うきっかけとなる交流会を年2回開催したいと考えています。市には広報と会場の面でご協力をお願いしたいです。",
        details: "企業からは「市民活動団体のことがよく分からない」、団体からは「企業にどう声をかければよいか分からない」という声を多く聞きます。当センターが中立の立場でコーディネートし、団体の活動紹介と個別相談の時間を設けます。\n特定の企業や団体に偏らないよう、参加者は公募とします。",
        fields: &["community", "industry"],
        offers: &["people", "knowhow"],
        effects: "民間同士の連携事例の創出、市民活動団体の活動基盤の強化。",
        steps: &[
            (4, Step::Move(Move::Hearing)),
            (
                3,
                Step::Hear(
                    Online,
                    "泉州地域づくりサポートセンター：吉川様／デスク：窓口",
                    "第1回は来年2月を想定。参加企業15社、団体20団体程度。市は後援と会場（市民センター）の提供を希望。費用はセンターの自主財源と協賛金で賄う。",
                    "後援の手続きと会場の空き状況を確認する。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 14,
        org: "和泉山脈連携市町協議会",
        partner_type: "local_government",
        contact: "事務局 中井",
        email: "jimukyoku@izumi-sanmyaku.example.jp",
        phone: "072-000-4400",
        title: "和泉山脈の広域周遊ルートの共同プロモーション",
        summary: "和泉山脈沿いの市町でハイキングコースと観光資源をつなぐ広域周遊ルートを設定し、共同でプロモーションを行うことを提案します。",
        details: "協議会の構成市町では、それぞれハイキングコースを整備していますが、単独での情報発信には限界があります。共通のマップとデジタルスタンプラリーを作成し、鉄道会社とも連携して誘客を図りたいと考えています。\n岸和田市には、神於山・牛滝山周辺のコース情報の提供と、共同プロモーションへの参加をお願いしたいと考えています。",
        fields: &["tourism", "environment"],
        offers: &["knowhow", "funds"],
        effects: "広域での観光客の増加と滞在時間の延長、地域の事業者の売上増加。",
        steps: &[
            (12, Step::Move(Move::Hearing)),
            (
                11,
                Step::Hear(
                    Mail,
                    "和泉山脈連携市町協議会：事務局 中井様／デスク：窓口",
                    "メールで負担金の有無を確認。マップ作成費は協議会の負担金（既存予算）の範囲で対応し、市の追加負担はないとの回答。",
                    "観光振興課と、コース情報の提供範囲を相談する。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 40,
        org: "株式会社ベイサイド物流",
        corporate: Some("120001058843"),
        contact: "堀 信也",
        email: "hori@bayside-logi.example.co.jp",
        phone: "072-000-9051",
        title: "災害時の支援物資の輸送・保管に関する協力",
        summary: "大規模災害の際に、当社のトラックと岸和田港近くの倉庫を使って、支援物資の受入れ・仕分け・避難所への輸送に協力したいと考えています。",
        details: "当社は岸和田市内に本社と倉庫（延床約8,000平方メートル）を持つ物流会社です。物資の仕分けのノウハウと、フォークリフト等の機材を提供できます。\n平時には、市の防災訓練で物資輸送の訓練を一緒に行いたいと考えています。",
        fields: &["disaster"],
        offers: &["goods", "place", "people"],
        effects: "災害時の物資輸送の迅速化、地域の物流拠点としての事業継続。",
        steps: &[
            (38, Step::Move(Move::Hearing)),
            (
                37,
                Step::Hear(
                    Meeting,
                    "ベイサイド物流：堀様、総務部長／デスク：窓口",
                    "倉庫の規模、保有車両（2トン車20台、4トン車8台）、災害時の人員体制を聞き取り。燃料の優先供給を市に求める意向あり。",
                    "危機管理課に協定の可能性を照会する。",
                ),
            ),
            (30, Step::Move(Move::Coordinate)),
            (
                29,
                Step::Route(
                    &["危機管理課"],
                    "災害時の物資輸送・保管について、協定締結の可能性と、既存の協定（運送事業者団体）との役割分担について御意見をください。",
                ),
            ),
            (
                24,
                Step::Reply(
                    "危機管理課",
                    Answer::Conditional,
                    "物資拠点の候補として有望です。ただし既存の協定と重複しないよう、倉庫の提供と仕分けを中心とした内容にすることが条件です。燃料の優先供給は市では約束できません。",
                ),
            ),
            (16, Step::Move(Move::Hearing)),
            (
                14,
                Step::Hear(
                    Meeting,
                    "ベイサイド物流：堀様／デスク：窓口、危機管理課 1名",
                    "危機管理課の条件を説明し、協定の範囲を倉庫の提供と仕分けに絞ることで合意。燃料については市の優先供給の対象とはしないことを了承いただいた。",
                    "協定書案を作成し、同社の法務確認を経て庁内調整に戻す。",
                ),
            ),
        ],
        ..BASE
    },
    // ---------------------------------------------------------------- 岸和田市: 庁内調整
    Scenario {
        age: 35,
        org: "株式会社せんしゅう防災テック",
        corporate: Some("120001112230"),
        contact: "松井 陽介",
        email: "matsui@senshu-bousai.example.co.jp",
        phone: "072-000-5562",
        title: "避難所へのポータブル蓄電池と公衆Wi-Fiの配備",
        summary: "避難所となる市内の小学校24校に、ポータブル蓄電池と災害時に無料開放する公衆Wi-Fiを配備します。機器と通信費は当社が5年間負担します。",
        details: "平時は学校のICT授業の予備電源として使い、災害時には避難者のスマートフォン充電と情報収集に活用します。機器には当社のロゴを小さく表示させていただきたいと考えています。",
        fields: &["disaster", "digital"],
        offers: &["goods", "funds"],
        effects: "避難所の情報・電源環境の改善、災害時の安否確認の円滑化。",
        attachment: Some(Att::Pdf(
            "避難所Wi-Fi_構成図.pdf",
            "Shelter Wi-Fi layout (demo)",
        )),
        steps: &[
            (33, Step::Move(Move::Hearing)),
            (
                32,
                Step::Hear(
                    Meeting,
                    "せんしゅう防災テック：松井様／デスク：窓口",
                    "機器の仕様、保守体制、5年経過後の扱い（市に無償譲渡、以後の通信費は要協議）を確認。",
                    "危機管理課と環境課（蓄電池の廃棄・リサイクル）に照会する。",
                ),
            ),
            (31, Step::Move(Move::Coordinate)),
            (
                30,
                Step::Route(
                    &["危機管理課", "環境課"],
                    "避難所への蓄電池・公衆Wi-Fi配備について、必要性と、5年経過後の通信費負担の扱いについて御意見をください。",
                ),
            ),
            (
                22,
                Step::Reply(
                    "危機管理課",
                    Answer::Interested,
                    "避難所の電源確保は課題です。まずモデル校3校から始めることを希望します。5年後の通信費は、その時点で効果を検証して判断します。",
                ),
            ),
            (10, Step::Assign),
        ],
        ..BASE
    },
    Scenario {
        age: 28,
        org: "大阪湾岸大学 健康科学部",
        partner_type: "university",
        contact: "高田 翔",
        email: "takada@osakawangan-u.example.jp",
        phone: "072-000-5188",
        title: "地域の通いの場でのフレイル予防プログラムの共同研究",
        summary: "高齢者の通いの場で、学生が運動・栄養・口腔機能のチェックと簡単な体操を行い、フレイル予防の効果を1年間かけて検証する共同研究を提案します。",
        details: "大学の研究費で実施し、市の費用負担はありません。参加者の同意を得てデータを取り、結果は市にも報告します。学生にとっては地域実習の単位となります。",
        fields: &["health", "community"],
        offers: &["people", "knowhow"],
        effects: "高齢者のフレイル予防、通いの場の活性化、市の介護予防施策へのエビデンスの提供。",
        steps: &[
            (26, Step::Move(Move::Hearing)),
            (
                25,
                Step::Hear(
                    Online,
                    "大阪湾岸大学：高田講師／デスク：窓口",
                    "研究計画（倫理審査は承認済み）、対象の通いの場（5か所）、学生の派遣体制を確認。",
                    "福祉政策課と生涯学習課に照会する。",
                ),
            ),
            (24, Step::Move(Move::Coordinate)),
            (
                24,
                Step::Route(
                    &["福祉政策課", "生涯学習課"],
                    "通いの場でのフレイル予防の共同研究について、協力の可否と、対象とする通いの場の選定について御意見をください。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 18,
        org: "株式会社なにわフードサイクル",
        corporate: Some("120001087012"),
        contact: "岡本 真理",
        email: "okamoto@naniwa-foodcycle.example.co.jp",
        title: "規格外野菜を活用した食品ロス削減と食育",
        summary: "泉州の農家から出る規格外野菜を買い取り、加工品にして販売する取組を、市の食品ロス削減の啓発や子ども向けの食育と組み合わせて実施したいと考えています。",
        details: "当社は規格外野菜の流通を本業としています。市のイベントでの加工品の販売ブースと、小学校での食育出前授業（年10回、無償）を提案します。",
        fields: &["environment", "childcare", "industry"],
        offers: &["goods", "people", "knowhow"],
        effects: "食品ロスの削減、農家の収入の向上、子どもの食への関心の向上。",
        steps: &[
            (15, Step::Move(Move::Hearing)),
            (
                14,
                Step::Hear(
                    Phone,
                    "なにわフードサイクル：岡本様／デスク：窓口",
                    "出前授業の内容と、イベント出店が販売促進に偏らないかを確認。販売は市のイベントでは行わず、啓発展示のみとすることで了承いただいた。",
                    "環境課と子育て支援課に照会する。",
                ),
            ),
            (12, Step::Move(Move::Coordinate)),
            (
                12,
                Step::Route(
                    &["環境課", "子育て支援課"],
                    "食品ロス削減の啓発と食育の出前授業について、協力の可否を御回答ください。",
                ),
            ),
            (
                7,
                Step::Reply(
                    "環境課",
                    Answer::Interested,
                    "食品ロス削減推進計画の啓発事業として連携したいと考えます。秋の環境フェアでの展示から始めることを提案します。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 22,
        org: "特定非営利活動法人 岸和田こどもの居場所ネット",
        partner_type: "npo",
        contact: "坂口 美穂",
        email: "sakaguchi@ibasho-net.example.jp",
        phone: "090-0000-2275",
        title: "放課後の学習支援と居場所づくり",
        summary: "経済的に厳しい家庭の小中学生を対象に、地域の集会所で週2回の学習支援と軽食の提供を行います。地元企業の社員ボランティアも募ります。",
        details: "大学生ボランティア20名の登録があります。会場として地域の集会所の利用と、学校を通じた案内の配布に協力をお願いしたいと考えています。",
        fields: &["childcare", "community"],
        offers: &["people", "knowhow"],
        effects: "子どもの学習習慣の定着、孤立の防止、地域の見守りの強化。",
        steps: &[
            (20, Step::Move(Move::Hearing)),
            (
                19,
                Step::Hear(
                    Meeting,
                    "岸和田こどもの居場所ネット：坂口様、理事1名／デスク：窓口",
                    "対象、会場、ボランティアの研修体制、個人情報の取扱いを確認。学校を通じた案内は、特定の団体の案内となるため配慮が必要。",
                    "子育て支援課と生涯学習課に照会する。",
                ),
            ),
            (17, Step::Move(Move::Coordinate)),
            (
                16,
                Step::Route(
                    &["子育て支援課", "生涯学習課"],
                    "放課後の学習支援について、既存の事業との関係と、学校を通じた案内の可否について御意見をください。",
                ),
            ),
            (
                11,
                Step::Reply(
                    "子育て支援課",
                    Answer::Conditional,
                    "市の子どもの学習支援事業と対象が一部重なります。対象地域を市事業の未実施地区に限ることが条件です。",
                ),
            ),
            (
                9,
                Step::Reply(
                    "生涯学習課",
                    Answer::Interested,
                    "地区公民館の学習室を会場として提供できます。学校を通じた案内は教育委員会の後援を得れば可能です。",
                ),
            ),
            (
                8,
                Step::Desk(
                    "両課からの回答がそろいました。対象地域について、子育て支援課から市事業の未実施地区に限る条件が示されています。対象地域の案をご検討いただけますか。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 16,
        org: "株式会社ソーシャルリンク泉州",
        partner_type: "social_business",
        corporate: Some("120001120918"),
        contact: "平野 大輔",
        email: "hirano@sociallink-senshu.example.co.jp",
        title: "就職に困難を抱える若者の観光案内所での就労体験",
        summary: "ひきこもり経験のある若者などの就労支援を本業とする当社が、観光案内所やイベント運営での就労体験の場をつくることを提案します。",
        details: "当社のジョブコーチが同行し、受入れ先の負担を軽くします。就労体験の期間は1人あたり3か月程度を想定しています。",
        fields: &["industry", "tourism", "health"],
        offers: &["people", "knowhow"],
        effects: "若者の就労への一歩、観光案内の人手不足の緩和。",
        steps: &[
            (12, Step::Move(Move::Hearing)),
            (
                11,
                Step::Hear(
                    Online,
                    "ソーシャルリンク泉州：平野様／デスク：窓口",
                    "当社の本業（就労支援）としての取組であり、委託料は求めないことを確認。本業と社会貢献の線引きについて、受入れの必要性と過程を記録に残すことを説明した。",
                    "産業政策課に照会する。",
                ),
            ),
            (10, Step::Move(Move::Coordinate)),
            (
                9,
                Step::Route(
                    &["産業政策課"],
                    "若者の就労体験の受入れについて、観光案内所を所管する関係団体との調整の可否を含めて御意見をください。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 45,
        org: "株式会社関西デジタルソリューションズ",
        corporate: Some("120001064470"),
        contact: "三宅 隆",
        email: "miyake@kansai-digital.example.co.jp",
        phone: "06-0000-7781",
        title: "行政手続きのオンライン申請フォームの無償提供",
        summary: "当社のノーコード申請フォームを2年間無償で提供し、紙で受け付けている手続きのオンライン化を支援します。",
        details: "職員がプログラミングなしでフォームを作れます。2年経過後は有償契約への移行をお願いする可能性がありますが、移行は任意です。",
        fields: &["digital"],
        offers: &["goods", "knowhow"],
        effects: "市民の来庁の手間の削減、職員の入力作業の削減。",
        steps: &[
            (43, Step::Move(Move::Hearing)),
            (
                42,
                Step::Hear(
                    Meeting,
                    "関西デジタルソリューションズ：三宅様、営業1名／デスク：窓口",
                    "無償期間後の扱い、データの保管場所（国内）、セキュリティ認証の取得状況を確認。2年後に有償となる点は、調達の公平性の観点から慎重な検討が必要と伝えた。",
                    "産業政策課と福祉政策課に照会する。",
                ),
            ),
            (40, Step::Move(Move::Coordinate)),
            (
                38,
                Step::Route(
                    &["産業政策課", "福祉政策課"],
                    "オンライン申請フォームの無償提供について、対象となり得る手続きの有無と、無償期間後の有償化の扱いについて御意見をください。",
                ),
            ),
            (
                30,
                Step::Reply(
                    "福祉政策課",
                    Answer::NotInterested,
                    "福祉関係の申請は来年度に基幹システムの更改を予定しており、その中でオンライン化するため、今回は見送ります。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 26,
        org: "春木若松町会",
        partner_type: "neighborhood",
        contact: "中村 幸子",
        email: "harukiwakamatsu@example.jp",
        title: "町会の防災倉庫の共同管理と合同防災訓練",
        summary: "隣接する3町会と近くの企業で防災倉庫を共同管理し、年1回の合同防災訓練を行いたいと考えています。",
        details: "町会だけでは資機材の点検や入替えが負担になっています。近くの事業所（株式会社ベイサイド物流）からも協力の申出があります。",
        fields: &["disaster", "community"],
        offers: &["people", "place"],
        effects: "地域の防災力の向上、町会と企業の顔の見える関係づくり。",
        steps: &[
            (24, Step::Assign),
            (23, Step::Move(Move::Hearing)),
            (
                22,
                Step::Hear(
                    Meeting,
                    "春木若松町会：中村会長、役員2名／デスク：窓口",
                    "防災倉庫の現状（資機材の一覧）と、3町会の合意状況を確認。企業側の窓口は総務部。",
                    "危機管理課に照会する。",
                ),
            ),
            (21, Step::Move(Move::Coordinate)),
            (
                20,
                Step::Route(
                    &["危機管理課"],
                    "町会と企業による防災倉庫の共同管理と合同訓練について、自主防災組織の支援制度の活用を含めて御意見をください。",
                ),
            ),
            (
                15,
                Step::Reply(
                    "危機管理課",
                    Answer::Interested,
                    "自主防災組織の資機材補助の対象になります。合同訓練には職員を派遣します。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 12,
        org: "株式会社泉州ホテルズ",
        corporate: Some("120001099016"),
        contact: "福田 あかね",
        email: "fukuda@senshu-hotels.example.co.jp",
        phone: "072-000-6044",
        title: "ワーケーションの誘致と市内の体験プログラムの造成",
        summary: "首都圏の企業向けに、当社ホテルでの滞在と市内の体験プログラム（だんじり会館、漁業体験など）を組み合わせたワーケーションのプランを造成したいと考えています。",
        details: "市には体験プログラムを提供する事業者の紹介と、市の観光サイトでの情報発信をお願いしたいと考えています。プランの販売は当社が行います。",
        fields: &["tourism", "industry"],
        offers: &["place", "knowhow"],
        effects: "平日の宿泊需要の創出、関係人口の増加。",
        steps: &[
            (8, Step::Move(Move::Hearing)),
            (
                7,
                Step::Hear(
                    Phone,
                    "泉州ホテルズ：福田様／デスク：窓口",
                    "想定する企業の規模と時期を確認。観光サイトでの発信は、他の宿泊事業者も同じ条件で掲載できる形とすることを説明し、了承いただいた。",
                    "観光振興課に照会する。",
                ),
            ),
            (6, Step::Move(Move::Coordinate)),
            (
                5,
                Step::Route(
                    &["観光振興課"],
                    "ワーケーションのプラン造成について、体験事業者の紹介と観光サイトでの発信の可否について御意見をください。",
                ),
            ),
        ],
        ..BASE
    },
    // ---------------------------------------------------------------- 岸和田市: 実施決定
    Scenario {
        age: 55,
        org: "株式会社泉州ミライ研究所",
        corporate: Some("120001093721"),
        contact: "提案 三郎",
        email: "proponent@example.co.jp",
        phone: "072-000-3821",
        title: "小学校でのプログラミング出前授業",
        summary: "当社のエンジニアが講師となり、市内の小学5・6年生を対象にプログラミングの出前授業を年間20回、無償で行います。",
        details: "教材とタブレット用のソフトは当社が用意します。学校の授業時間（2コマ）で完結する内容で、先生方の負担にならないよう準備から片付けまで当社が行います。",
        fields: &["childcare", "digital", "culture"],
        offers: &["people", "knowhow"],
        effects: "子どもの論理的思考力とデジタル分野への関心の向上、教員のICT活用の支援。",
        mine: true,
        attachment: Some(Att::Pdf(
            "出前授業_指導案.pdf",
            "Programming class plan (demo)",
        )),
        steps: &[
            (52, Step::Move(Move::Hearing)),
            (
                51,
                Step::Hear(
                    Meeting,
                    "泉州ミライ研究所：提案様、エンジニア1名／デスク：窓口",
                    "授業の内容、講師の体制、学校側の準備を確認。自社製品の宣伝は行わないことを確認した。",
                    "生涯学習課と子育て支援課に照会する。",
                ),
            ),
            (49, Step::Move(Move::Coordinate)),
            (
                48,
                Step::Route(
                    &["生涯学習課", "子育て支援課"],
                    "小学校でのプログラミング出前授業について、実施校の選定と日程調整への協力の可否を御回答ください。",
                ),
            ),
            (
                44,
                Step::Reply(
                    "生涯学習課",
                    Answer::Interested,
                    "教育委員会を通じて実施校を募集します。初年度は10校程度を想定します。",
                ),
            ),
            (
                43,
                Step::Reply(
                    "子育て支援課",
                    Answer::Interested,
                    "放課後児童クラブでの実施も検討したいので、あわせて協議させてください。",
                ),
            ),
            (35, Step::Move(Move::Decide)),
            (
                34,
                Step::Desk(
                    "実施が決定しました。個別の連携事業として、生涯学習課が担当します。実施校の募集を始めますので、日程の候補を来週中にお知らせください。",
                ),
            ),
            (
                33,
                Step::Proponent("ありがとうございます。日程の候補をお送りします。"),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 60,
        org: "泉州みらい信用金庫",
        partner_type: "company",
        corporate: Some("120005011254"),
        contact: "岡田 浩二",
        email: "okada@senshu-mirai-shinkin.example.co.jp",
        phone: "072-000-1000",
        title: "地域活性化に関する包括連携協定の締結",
        summary: "創業支援、事業承継、防災、子育て支援など幅広い分野で、市と継続的に連携するための包括連携協定の締結を提案します。",
        details: "当金庫は市内に9店舗を持ち、地域の中小企業の経営相談を日常的に受けています。創業セミナーの共催、事業承継のマッチング、店舗での市の情報発信などを想定しています。",
        fields: &["industry", "town", "community", "disaster"],
        offers: &["people", "knowhow", "place"],
        effects: "創業・事業承継の件数の増加、市の情報の地域への浸透。",
        steps: &[
            (58, Step::Move(Move::Hearing)),
            (
                57,
                Step::Hear(
                    Meeting,
                    "泉州みらい信用金庫：岡田地域振興部長／デスク：窓口",
                    "想定する連携項目（8項目）を確認。協定締結後の取組が停滞しないよう、年1回の連携会議で実績を確認することを提案し、了承いただいた。",
                    "産業政策課と危機管理課に照会する。",
                ),
            ),
            (55, Step::Move(Move::Coordinate)),
            (
                54,
                Step::Route(
                    &["産業政策課", "危機管理課"],
                    "包括連携協定の連携項目について、各課で具体的な取組を想定できるか御回答ください。",
                ),
            ),
            (
                50,
                Step::Reply(
                    "産業政策課",
                    Answer::Interested,
                    "創業セミナーの共催と事業承継の相談会を初年度の取組とします。",
                ),
            ),
            (
                49,
                Step::Reply(
                    "危機管理課",
                    Answer::Interested,
                    "店舗での防災啓発と、災害時の店舗駐車場の一時避難場所としての活用を協議したいです。",
                ),
            ),
            (40, Step::Move(Move::Decide)),
        ],
        ..BASE
    },
    Scenario {
        age: 50,
        org: "株式会社グリーンモビリティ関西",
        corporate: Some("120001081205"),
        contact: "石井 聡",
        email: "ishii@green-mobility.example.co.jp",
        phone: "06-0000-2204",
        title: "市役所へのEVカーシェアの導入と公用車の削減",
        summary: "市役所の駐車場にEVカーシェアのステーションを設け、平日の日中は公用車として、夜間と休日は市民向けのカーシェアとして運用します。",
        details: "車両5台と充電設備は当社が設置・保守します。公用車として使った分の利用料をお支払いいただく必要がありますが、既存の公用車を減らすことで全体の費用は下がる見込みです。",
        fields: &["environment", "town"],
        offers: &["goods", "knowhow"],
        effects: "公用車のCO2排出量の削減、公用車の維持費の削減、市民の移動手段の充実。",
        fiscal: Some(
            "公用車としての利用分の利用料として年額約120万円の負担が生じます。一方で、既存のガソリン公用車3台を廃止することで、車検・保険・燃料費など年額約150万円の削減が見込まれ、差引きで年額約30万円の削減となります。",
        ),
        steps: &[
            (48, Step::Move(Move::Hearing)),
            (
                47,
                Step::Hear(
                    Meeting,
                    "グリーンモビリティ関西：石井様／デスク：窓口、環境課 1名",
                    "財政負担が生じる提案であることを確認。費用比較の根拠（公用車の稼働率の実績）の提出を依頼した。",
                    "費用比較の資料を受領後、環境課に照会する。",
                ),
            ),
            (45, Step::Move(Move::Coordinate)),
            (
                44,
                Step::Route(
                    &["環境課"],
                    "EVカーシェアの導入について、財政負担（年額約120万円）と公用車の削減による効果を踏まえて御意見をください。",
                ),
            ),
            (
                39,
                Step::Reply(
                    "環境課",
                    Answer::Conditional,
                    "公用車3台の廃止による削減効果が負担を上回ることを確認しました。初年度は2台で試行し、稼働率を検証することを条件とします。",
                ),
            ),
            (
                30,
                Step::Move(Move::DecideDespiteCost(
                    "利用料（年額約120万円）を上回る公用車3台の廃止効果（年額約150万円）を環境課が確認した。初年度は2台で試行し、稼働率を検証したうえで継続を判断する。",
                )),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 42,
        org: "泉州国際大学 地域連携センター",
        partner_type: "university",
        contact: "新田 恵美",
        email: "renkei@senshu-intl-u.example.jp",
        phone: "072-000-5100",
        title: "市民公開講座「岸和田の歴史と城下町」の共催",
        summary: "本学の教員が講師となり、岸和田城と城下町の歴史をテーマにした市民公開講座（全5回）を市と共催したいと考えています。",
        details: "会場は市の生涯学習施設を希望します。受講料は無料、講師謝礼は本学が負担します。",
        fields: &["culture", "community"],
        offers: &["people", "knowhow"],
        effects: "市民の学びの機会の充実、郷土の歴史への関心の向上。",
        steps: &[
            (40, Step::Move(Move::Hearing)),
            (
                39,
                Step::Hear(
                    Phone,
                    "泉州国際大学：新田様／デスク：窓口",
                    "講座の日程（土曜午後）、定員（各回60名）を確認。",
                    "生涯学習課に照会する。",
                ),
            ),
            (38, Step::Move(Move::Coordinate)),
            (
                37,
                Step::Route(
                    &["生涯学習課"],
                    "市民公開講座の共催について、会場の確保と広報への協力の可否を御回答ください。",
                ),
            ),
            (
                33,
                Step::Reply(
                    "生涯学習課",
                    Answer::Interested,
                    "市民センターの講座室を確保できます。広報きしわだに掲載します。",
                ),
            ),
            (28, Step::Move(Move::Decide)),
        ],
        ..BASE
    },
    Scenario {
        age: 38,
        kind: "donation",
        org: "株式会社はまかぜ食品",
        corporate: Some("120001046637"),
        contact: "浜田 優子",
        email: "hamada@hamakaze-foods.example.co.jp",
        title: "災害用備蓄食料（アルファ米・保存水）の寄附の申出",
        summary: "創業50周年を記念し、アルファ米3,000食と保存水3,000本を、市の災害用備蓄として寄附したいと考えています。",
        details: "賞味期限は5年です。備蓄の入替え時期に合わせて、期限が近づいた備蓄食料を防災訓練や子ども食堂で活用する方法も一緒に考えたいと思います。",
        fields: &["disaster"],
        offers: &["goods"],
        effects: "市の備蓄の充実、入替え時の食品ロスの防止。",
        steps: &[
            (36, Step::Move(Move::Hearing)),
            (
                35,
                Step::Hear(
                    Phone,
                    "はまかぜ食品：浜田様／デスク：窓口",
                    "寄附の内容と納品時期を確認。市の備蓄計画と連携できる寄附であることを確認した。",
                    "危機管理課に照会する。",
                ),
            ),
            (34, Step::Move(Move::Coordinate)),
            (
                33,
                Step::Route(
                    &["危機管理課"],
                    "備蓄食料の寄附について、保管場所と受入れの時期を御回答ください。",
                ),
            ),
            (
                30,
                Step::Reply(
                    "危機管理課",
                    Answer::Interested,
                    "備蓄計画の不足分に充てられます。防災倉庫に受け入れます。",
                ),
            ),
            (26, Step::Move(Move::Decide)),
            (
                25,
                Step::Desk(
                    "寄附の受入れが決定しました。感謝状の贈呈について、後日ご連絡いたします。",
                ),
            ),
        ],
        ..BASE
    },
    // ---------------------------------------------------------------- 岸和田市: 不採択
    Scenario {
        age: 20,
        org: "株式会社オフィスソリューションズ西日本",
        contact: "営業部 小林",
        email: "kobayashi@office-solutions.example.co.jp",
        phone: "06-0000-9911",
        title: "複合機と文書管理ソフトの導入によるペーパーレス化",
        summary: "当社の最新の複合機と文書管理ソフトを導入いただくことで、庁内のペーパーレス化を実現します。今なら導入費用を20％割引いたします。",
        details: "導入実績は全国300自治体以上です。ぜひ一度デモをご覧ください。",
        fields: &["digital"],
        offers: &["goods"],
        effects: "印刷コストの削減。",
        steps: &[(
            15,
            Step::Move(Move::Decline(
                R::SalesPitch,
                "このたびはご提案をお寄せいただき、ありがとうございました。公民戦略連携デスクは、企業等の社会貢献活動や本業を通じた社会貢献と市の連携を対象としており、製品の導入や購入のご提案はお受けしておりません。機器の調達は、市の契約の手続きに沿って行っておりますので、入札等の情報は市のホームページをご確認ください。ご理解をお願いいたします。",
            )),
        )],
        ..BASE
    },
    Scenario {
        age: 25,
        kind: "donation",
        org: "有限会社アートコレクション松原",
        contact: "松原 誠",
        email: "matsubara@art-matsubara.example.co.jp",
        title: "絵画コレクション（約200点）の寄贈の申出",
        summary: "先代が収集した洋画・版画約200点を市に寄贈したいと考えています。市の施設での常設展示をお願いしたいです。",
        details: "作品の目録を添付します。保管には温湿度の管理が必要です。",
        fields: &["culture"],
        offers: &["goods"],
        effects: "市民が芸術に触れる機会の充実。",
        steps: &[
            (22, Step::Move(Move::Hearing)),
            (
                21,
                Step::Hear(
                    Mail,
                    "アートコレクション松原：松原様／デスク：窓口",
                    "目録を受領。作品は郷土ゆかりの作家のものではなく、常設展示の場所と温湿度管理の設備が市にないことを確認した。",
                    "生涯学習課の意見を聞いたうえで回答する。",
                ),
            ),
            (
                16,
                Step::Move(Move::Decline(
                    R::UnrelatedDonation,
                    "貴重なコレクションの寄贈をお申出いただき、心より御礼申し上げます。市で検討いたしましたが、現在、市の文化施策の中でこれらの作品を活用する計画がなく、また常設展示と適切な保管のための設備もないことから、今回は寄贈をお受けすることができません。作品を生かしていただける美術館等へのご相談をお勧めいたします。ご厚意に沿えず申し訳ございません。",
                )),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 48,
        org: "株式会社スマートシティ・プランニング",
        corporate: Some("120001070034"),
        contact: "長尾 修",
        email: "nagao@smartcity-planning.example.co.jp",
        phone: "06-0000-4455",
        title: "AIカメラによる全市的な見守り・防犯ネットワークの整備",
        summary: "市内300か所にAIカメラを設置し、不審者の検知や徘徊高齢者の発見、河川の水位監視を一体で行うネットワークを構築します。",
        details: "設置と運用は当社が行い、市には年間のサービス利用料をお支払いいただく方式です。",
        fields: &["disaster", "digital", "community"],
        offers: &["goods", "knowhow"],
        effects: "犯罪の抑止、徘徊高齢者の早期発見、水害の早期把握。",
        fiscal: Some(
            "設置・運用のサービス利用料として、市に年額約3,000万円（10年間）のご負担をお願いする想定です。国の交付金の活用をご提案できます。",
        ),
        steps: &[
            (46, Step::Move(Move::Hearing)),
            (
                45,
                Step::Hear(
                    Meeting,
                    "スマートシティ・プランニング：長尾様、技術者1名／デスク：窓口",
                    "費用の内訳とプライバシーへの配慮を確認。市の財政負担が大きく、公民連携の原則（市の財政負担を伴わない）と合わない点を伝えた。",
                    "危機管理課の意見を聞く。",
                ),
            ),
            (44, Step::Move(Move::Coordinate)),
            (
                43,
                Step::Route(
                    &["危機管理課"],
                    "AIカメラのネットワークについて、必要性と財政負担を踏まえて御意見をください。",
                ),
            ),
            (
                37,
                Step::Reply(
                    "危機管理課",
                    Answer::NotInterested,
                    "河川の水位監視は府の観測網で対応しています。年額3,000万円の負担は予算化の見込みがありません。",
                ),
            ),
            (
                35,
                Step::Move(Move::Decline(
                    R::FiscalBurden,
                    "ご提案をいただき、ありがとうございました。庁内で検討いたしましたが、本提案は市に年額約3,000万円の継続的な財政負担が生じるものであり、公民連携デスクの原則である「市の財政負担を伴わない連携」の範囲を超えることから、今回は見送らせていただきます。財政負担を伴わない形での実証など、別の形でのご提案があれば、改めてご相談ください。",
                )),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 29,
        org: "特定非営利活動法人 きしわだ里山クラブ",
        partner_type: "npo",
        corporate: Some("120005007781"),
        contact: "池田 里美",
        email: "satoyama@kishiwada-satoyama.example.jp",
        title: "神於山の里山保全と子ども向け環境学習（再送）",
        summary: "先日お送りした提案が届いているか分からなかったため、再度お送りします。",
        details: "内容は先日の提案と同じです。",
        fields: &["environment", "childcare"],
        offers: &["people"],
        effects: "子どもの自然体験の機会。",
        steps: &[(
            27,
            Step::Move(Move::Decline(
                R::Duplicate,
                "再度のご送付ありがとうございます。同じ内容のご提案は先にお受けしており、そちらで聞き取りを進めております。お手数をおかけしないよう、本件は重複として整理させていただきます。今後のやり取りは、先にお送りした受付番号のページからお願いいたします。",
            )),
        )],
        ..BASE
    },
    Scenario {
        age: 40,
        org: "株式会社ベイエリア・アミューズ",
        corporate: Some("120001068823"),
        contact: "柳田 剛",
        email: "yanagida@bayarea-amuse.example.co.jp",
        title: "旧港地区への大観覧車の設置",
        summary: "岸和田旧港地区の市有地に高さ80メートルの大観覧車を設置し、大阪湾と岸和田城を望む新たな観光名所をつくります。",
        details: "建設・運営は当社が行います。市有地は30年間無償で貸していただきたいと考えています。",
        fields: &["tourism", "town"],
        offers: &["funds", "knowhow"],
        effects: "観光客の増加、夜景による地域のイメージ向上。",
        steps: &[
            (38, Step::Move(Move::Hearing)),
            (
                36,
                Step::Hear(
                    Online,
                    "ベイエリア・アミューズ：柳田様／デスク：窓口",
                    "設置予定地の条件を確認。対象地は港湾区域で、港湾計画上の用途の制限があり、また防潮堤の改修計画があることを伝えた。",
                    "観光振興課の意見を聞いたうえで回答する。",
                ),
            ),
            (
                30,
                Step::Move(Move::Decline(
                    R::Infeasible,
                    "魅力的なご提案をいただき、ありがとうございました。設置予定地について確認いたしましたが、港湾区域として用途が制限されていること、また防潮堤の改修工事が予定されていることから、当面、観覧車の設置は実現が困難と判断いたしました。ご期待に沿えず申し訳ございません。ほかの場所でのご検討の際には、改めてご相談ください。",
                )),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 33,
        org: "いずみ写真工房",
        partner_type: "other",
        contact: "泉 健一",
        email: "izumi.photo@example.jp",
        title: "市公式SNSの運用代行（無償）",
        summary: "写真家として、市の公式InstagramとXの投稿を無償で代行したいと考えています。",
        details: "市内の風景写真を毎日投稿し、フォロワーを増やします。",
        fields: &["tourism", "culture"],
        offers: &["people", "knowhow"],
        effects: "市の魅力の発信力の向上。",
        steps: &[
            (31, Step::Move(Move::Hearing)),
            (
                30,
                Step::Hear(
                    Phone,
                    "いずみ写真工房：泉様／デスク：窓口",
                    "意欲と実績（写真展の開催）を確認。公式アカウントの運用は市の情報発信の責任に関わるため、外部の方にアカウントを預けることはできない旨を説明した。",
                    "写真の提供という別の形の協力を検討いただく。",
                ),
            ),
            (
                28,
                Step::Move(Move::Decline(
                    R::Other,
                    "ご提案ありがとうございました。市の公式SNSは、発信内容に市が責任を負うため、運用を外部の方にお任せすることはしておりません。一方で、岸和田の風景写真を市の広報や観光PRにご提供いただく形の協力は歓迎いたします。ご関心があれば、観光振興課の写真提供の募集をご覧ください。",
                )),
            ),
        ],
        ..BASE
    },
    // ---------------------------------------------------------------- 岸和田市: 取下げ
    Scenario {
        age: 27,
        org: "株式会社泉州スポーツクラブ",
        corporate: Some("120001059931"),
        contact: "木村 翼",
        email: "kimura@senshu-sports.example.co.jp",
        title: "市民ハーフマラソン大会の共催",
        summary: "来年秋に、岸和田城をスタート・ゴールとする市民ハーフマラソン大会を当社の主催、市の共催で開催したいと考えています。",
        details: "運営は当社が行い、参加料と協賛金で賄います。交通規制の調整に市の協力をお願いしたいと考えています。",
        fields: &["culture", "health", "tourism"],
        offers: &["people", "funds", "knowhow"],
        effects: "市民の健康づくり、市外からの来訪者の増加。",
        steps: &[
            (25, Step::Move(Move::Hearing)),
            (
                24,
                Step::Hear(
                    Meeting,
                    "泉州スポーツクラブ：木村様／デスク：窓口",
                    "コース案と警備体制を確認。交通規制には警察との協議に半年以上かかることを説明した。",
                    "社内で開催時期を再検討いただく。",
                ),
            ),
            (
                14,
                Step::Proponent(
                    "社内で事業計画を見直した結果、来年度の開催は難しいとの判断になりました。大変申し訳ありませんが、今回の提案は取り下げさせていただきます。再来年度に改めてご相談させてください。",
                ),
            ),
            (14, Step::Move(Move::Withdraw)),
            (
                13,
                Step::Desk(
                    "ご連絡ありがとうございました。取下げを承りました。再来年度のご相談をお待ちしております。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        age: 10,
        kind: "consultation",
        org: "特定非営利活動法人 せんしゅう多文化共生ネット",
        partner_type: "npo",
        contact: "グエン・ティ・ラン",
        email: "lan@tabunka-senshu.example.jp",
        title: "外国人住民向けの日本語教室の会場についての相談",
        summary: "外国人住民向けの日本語教室を夜間に開きたいので、市の施設を使えないか相談したいです。",
        details: "現在は会員の自宅で開いていますが、参加者が増えて手狭になりました。",
        fields: &["community", "culture"],
        offers: &["people"],
        effects: "外国人住民の生活の安定と地域との交流。",
        steps: &[
            (
                8,
                Step::Desk(
                    "ご相談ありがとうございます。会場について生涯学習課に確認しますので、希望の曜日と時間帯を教えていただけますか。",
                ),
            ),
            (
                6,
                Step::Proponent(
                    "ご連絡ありがとうございました。民間の助成金の採択が決まり、駅前の貸会議室を借りられることになりましたので、この相談は取り下げます。ありがとうございました。",
                ),
            ),
            (6, Step::Move(Move::Withdraw)),
        ],
        ..BASE
    },
    // ---------------------------------------------------------------- 岸和田市: 紹介
    Scenario {
        age: 24,
        org: "株式会社関西インバウンドラボ",
        corporate: Some("120001102281"),
        contact: "リー・ミンジュン",
        email: "lee@kansai-inbound.example.co.jp",
        phone: "06-0000-8120",
        title: "外国人観光客向けの防災情報の多言語プッシュ配信",
        summary: "訪日外国人向けの観光アプリで、地震・津波・台風の際に避難情報を10言語でプッシュ配信します。府内全域での実施を希望しています。",
        details: "当社のアプリは関西を訪れる外国人観光客約40万人が利用しています。自治体の避難情報を自動で翻訳して配信する機能を無償で提供します。",
        fields: &["disaster", "tourism", "digital"],
        offers: &["goods", "knowhow"],
        effects: "外国人観光客の安全確保、災害時の混乱の防止。",
        attachment: Some(Att::Pdf(
            "多言語防災配信_概要.pdf",
            "Multilingual disaster alerts (demo)",
        )),
        steps: &[
            (22, Step::Move(Move::Hearing)),
            (
                21,
                Step::Hear(
                    Online,
                    "関西インバウンドラボ：リー様／デスク：窓口",
                    "府内全域での実施を希望しており、避難情報の連携は府のシステムを通じて行うのが効率的であることを確認。",
                    "大阪府公民戦略連携デスクへの紹介について、提案者の同意を得る。",
                ),
            ),
            (
                20,
                Step::Desk(
                    "府内全域での実施をご希望とのことですので、大阪府の公民戦略連携デスクにご紹介したいと考えております。ご提案の内容を大阪府と共有することにご同意いただけますか。",
                ),
            ),
            (
                19,
                Step::Proponent(
                    "ご検討ありがとうございます。大阪府への紹介に同意いたします。よろしくお願いいたします。",
                ),
            ),
            (18, Step::Move(Move::Refer("270008"))),
        ],
        ..BASE
    },
    // ---------------------------------------------------------------- 川崎市
    Scenario {
        tenant: "141305",
        age: 1,
        org: "株式会社多摩川グリーンテック",
        corporate: Some("020001045518"),
        contact: "加藤 悠",
        email: "kato@tamagawa-green.example.co.jp",
        phone: "044-000-3302",
        title: "多摩川河川敷の清掃活動とごみの見える化",
        summary: "社員ボランティアによる多摩川河川敷の清掃を毎月行い、回収したごみの種類と量をアプリで記録して公開します。",
        details: "市民団体や町内会の清掃活動にもアプリを無償で提供し、流域全体のごみの状況を見える化したいと考えています。",
        fields: &["environment", "community"],
        offers: &["people", "goods"],
        effects: "河川ごみの削減、清掃活動に参加する市民の増加。",
        ..BASE
    },
    Scenario {
        tenant: "141305",
        age: 11,
        org: "新丸子東町内会",
        partner_type: "neighborhood",
        contact: "田村 康夫",
        email: "shinmaruko-higashi@example.jp",
        title: "マンション住民と町内会の防災ネットワークづくり",
        summary: "町内の大規模マンションの管理組合と町内会で、災害時の安否確認と助け合いの仕組みをつくりたいので、市の支援をお願いしたいです。",
        details: "マンション住民の町内会加入率が低く、災害時の連携が課題です。管理会社の協力も得られそうです。",
        fields: &["disaster", "community"],
        offers: &["people"],
        effects: "地域の防災力の向上、マンション住民と地域のつながりづくり。",
        ..BASE
    },
    Scenario {
        tenant: "141305",
        age: 15,
        org: "認定特定非営利活動法人 かわさき市民活動サポートネット",
        partner_type: "intermediary",
        contact: "小野寺 綾",
        email: "onodera@kawasaki-support.example.jp",
        title: "企業と市民活動団体の交流会の開催",
        summary: "企業のCSR担当者と市民活動団体が出会う交流会を、各区で年1回開催することを提案します。",
        details: "中間支援組織として、団体の活動紹介と個別のマッチングを行います。行政には公平性を保った広報の協力をお願いしたいと考えています。",
        fields: &["community"],
        offers: &["people", "knowhow"],
        effects: "民民連携の事例の創出、市民活動団体の活動基盤の強化。",
        steps: &[
            (13, Step::Move(Move::Hearing)),
            (
                12,
                Step::Hear(
                    Online,
                    "かわさき市民活動サポートネット：小野寺様／協働・連携推進課：窓口",
                    "過去の交流会の実績（参加企業18社、マッチング5件）を確認。特定の団体に偏らない公募の方法を確認した。",
                    "市民文化局と開催区の選定について相談する。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        tenant: "141305",
        age: 32,
        org: "川崎臨海工科大学",
        partner_type: "university",
        contact: "佐野 研究室",
        email: "sano-lab@kawasaki-rinkai-tech.example.jp",
        title: "臨海部の工場の排熱を活用した脱炭素の共同研究",
        summary: "臨海部の工場から出る未利用の排熱を、近隣の公共施設の空調に活用する可能性を、市と企業と共同で研究したいと考えています。",
        details: "研究費は大学と参加企業が負担します。市には公共施設のエネルギー使用量のデータの提供をお願いしたいと考えています。",
        fields: &["environment", "industry"],
        offers: &["knowhow", "people"],
        effects: "臨海部の脱炭素化、新たな産業の創出。",
        steps: &[
            (30, Step::Move(Move::Hearing)),
            (
                29,
                Step::Hear(
                    Meeting,
                    "川崎臨海工科大学：佐野教授／協働・連携推進課：窓口",
                    "研究の体制と、参加企業3社の意向を確認。データの提供範囲は個別の協定で定める。",
                    "環境局と経済労働局に照会する。",
                ),
            ),
            (28, Step::Move(Move::Coordinate)),
            (
                27,
                Step::Route(
                    &["環境局", "経済労働局"],
                    "排熱活用の共同研究について、公共施設のエネルギーデータの提供の可否と、産業振興の観点からの御意見をください。",
                ),
            ),
            (
                20,
                Step::Reply(
                    "環境局",
                    Answer::Interested,
                    "脱炭素戦略の重点プロジェクトと方向性が一致します。データの提供に協力します。",
                ),
            ),
        ],
        ..BASE
    },
    Scenario {
        tenant: "141305",
        age: 60,
        org: "株式会社ケアリンクかわさき",
        partner_type: "social_business",
        corporate: Some("020001052271"),
        contact: "山下 春香",
        email: "yamashita@carelink-kawasaki.example.co.jp",
        title: "単身高齢者のケアモデルの共有",
        summary: "単身高齢者が認知症や要介護になった場合に、NPO・事業者・地域が連携して支えるケアモデルを、事例集として共有することを提案します。",
        details: "当社が関わった20件の事例を、個人が特定されない形で整理します。区の地域包括ケアの会議で共有したいと考えています。",
        fields: &["health", "community"],
        offers: &["knowhow", "people"],
        effects: "支援に関わる人の連携の強化、点の活動の面的な展開。",
        steps: &[
            (58, Step::Move(Move::Hearing)),
            (
                57,
                Step::Hear(
                    Meeting,
                    "ケアリンクかわさき：山下様／協働・連携推進課：窓口",
                    "事例の匿名化の方法と、共有の範囲を確認。",
                    "市民文化局と協議する。",
                ),
            ),
            (55, Step::Move(Move::Coordinate)),
            (
                54,
                Step::Route(
                    &["市民文化局"],
                    "ケアモデルの事例集の共有について御意見をください。",
                ),
            ),
            (
                48,
                Step::Reply(
                    "市民文化局",
                    Answer::Interested,
                    "協働・連携の事例として、市のウェブサイトでも紹介したいと考えます。",
                ),
            ),
            (45, Step::Move(Move::Decide)),
        ],
        ..BASE
    },
    // ---------------------------------------------------------------- 大阪府
    Scenario {
        tenant: "270008",
        age: 3,
        org: "株式会社関西ヘルスデータ",
        corporate: Some("120001118862"),
        contact: "西田 瞳",
        email: "nishida@kansai-healthdata.example.co.jp",
        title: "健康ポイントアプリと府の健康づくり事業の連携",
        summary: "当社の健康ポイントアプリに府の健康づくりイベントの情報を掲載し、参加者にポイントを付与する連携を提案します。",
        details: "ポイントの原資は当社と協賛企業が負担します。",
        fields: &["health", "digital"],
        offers: &["goods", "funds"],
        effects: "府民の健康づくりへの参加の促進。",
        ..BASE
    },
    Scenario {
        tenant: "270008",
        age: 20,
        route: Route::Outbound,
        org: "一般社団法人 関西スタートアップ支援機構",
        partner_type: "intermediary",
        contact: "井上 翔太",
        email: "inoue@kansai-startup.example.jp",
        title: "スタートアップと府の行政課題のマッチング（府からのアプローチ）",
        summary: "府の部局が抱える行政課題を、スタートアップの技術で解決するマッチングの仕組みについて、府から打診しました。",
        details: "商工労働部の課題を起点に、支援機構の会員企業に広く公募する形を想定。",
        fields: &["industry", "digital"],
        offers: &["knowhow", "people"],
        effects: "行政課題の解決、府内スタートアップの成長。",
        steps: &[(
            20,
            Step::Hear(
                Meeting,
                "関西スタートアップ支援機構：井上様／府デスク：窓口、商工労働部 1名",
                "会員企業は約150社。公募の方法と、実証の費用負担（原則として企業負担）を確認した。",
                "商工労働部で課題を3件程度選定する。",
            ),
        )],
        ..BASE
    },
    Scenario {
        tenant: "270008",
        age: 30,
        org: "株式会社なにわ防災ネット",
        corporate: Some("120001123370"),
        contact: "谷口 誠",
        email: "taniguchi@naniwa-bousai.example.co.jp",
        title: "帰宅困難者の一時滞在施設の確保",
        summary: "大規模地震の際の帰宅困難者の一時滞在施設として、当社が管理するオフィスビル10棟のロビーを開放する協定を提案します。",
        details: "備蓄品は当社が用意します。",
        fields: &["disaster"],
        offers: &["place", "goods"],
        effects: "都市部の帰宅困難者対策の強化。",
        steps: &[
            (28, Step::Move(Move::Hearing)),
            (
                27,
                Step::Hear(
                    Meeting,
                    "なにわ防災ネット：谷口様／府デスク：窓口",
                    "対象ビルの所在と収容人数を確認。",
                    "危機管理室と商工労働部に照会する。",
                ),
            ),
            (26, Step::Move(Move::Coordinate)),
            (
                25,
                Step::Route(
                    &["危機管理室", "商工労働部"],
                    "帰宅困難者の一時滞在施設の協定について御意見をください。",
                ),
            ),
            (
                18,
                Step::Reply(
                    "危機管理室",
                    Answer::Conditional,
                    "所在する市との三者協定とすることが条件です。",
                ),
            ),
        ],
        ..BASE
    },
];

// --- landing: open calls the public side shows ---

/// Two open calls taking answers (once): 岸和田市's 危機管理課 asks for ideas on disaster
/// drills, closing in two weeks, and 川崎市 asks about its parks, closing in five weeks; each
/// drafted and published by the desk through the same commands the desk's pages call, on
/// the demo's clock (today by the real clock). No answers: the proposals stay the story's.
async fn publish_open_calls(app: &App, clock: &ManualClock, real_now: DateTime<Utc>) -> Result<()> {
    use renkei_domain::open_call::OpenCallInput;
    clock.set(real_now.max(app.store.now()));
    let today = app.store.today();
    let calls: [(&str, &str, &str, i64, OpenCallInput); 2] = [
        (
            MARKER_TENANT,
            "desk@kishiwada.demo.renkei.jp",
            "危機管理課",
            14,
            OpenCallInput {
                title: "だんじり祭の来訪者も参加できる防災訓練のアイデア".into(),
                background: "祭礼の時期には市外からの来訪者が多く、災害時の避難誘導が課題になっています。".into(),
                problem: "土地に不案内な来訪者にも伝わる避難情報と、短時間で参加できる訓練の方法がありません。".into(),
                offers: "訓練会場（市内の公園・学校）、避難所の位置データ、市の広報紙とSNSでの告知".into(),
                outcomes: "来訪者を含む訓練参加者を年間1,000人以上にすること。".into(),
                eligibility: "法人・団体（個人事業主を含む）".into(),
                fields: vec!["disaster".into(), "tourism".into()],
                criteria: vec![
                    ("実現性".into(), "40".into()),
                    ("効果".into(), "40".into()),
                    ("市の財政負担がないこと".into(), "20".into()),
                ],
                ..OpenCallInput::default()
            },
        ),
        (
            "141305",
            "desk@kawasaki.demo.renkei.jp",
            "",
            35,
            OpenCallInput {
                title: "公園の夜間利用と見守りの仕組みづくり".into(),
                background: "駅に近い公園で夜間の利用が増え、近隣から安全面の声が寄せられています。".into(),
                problem: "夜間の見守りを担う人手がなく、利用のルールも周知できていません。".into(),
                offers: "公園の場所、利用者数の調査結果、区役所での周知".into(),
                outcomes: "夜間の苦情件数を半減させ、利用者の満足度を高めること。".into(),
                fields: vec!["town".into()],
                criteria: vec![("実現性".into(), "50".into()), ("効果".into(), "50".into())],
                ..OpenCallInput::default()
            },
        ),
    ];
    for (code, desk_email, department, days, input) in calls {
        let tenant = TenantCode::parse(code)?;
        if !app.store.open_calls_public(tenant).await?.is_empty() {
            continue;
        }
        let Ok(desk) = app.store.user_by_email(desk_email).await else {
            continue;
        };
        let by = acting(&app.store, &desk).await?;
        let departments = app.store.departments(tenant).await?;
        let Some(dept) = departments
            .iter()
            .find(|d| d.name == department)
            .or(departments.first())
        else {
            continue;
        };
        let input = OpenCallInput {
            department_id: dept.id.to_string(),
            opens_on: today.to_string(),
            closes_on: (today + Duration::days(days)).to_string(),
            ..input
        };
        let id = crate::open_calls::create(app, &by, tenant, &input).await?;
        crate::open_calls::desk_move(app, &by, tenant, id, "publish", "").await?;
    }
    Ok(())
}
