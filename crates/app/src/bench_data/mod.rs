//! `renkei bench-data`: a realistic data set written straight into the database, for
//! measuring the application at the size of a real installation.
//!
//! Every local government of the embedded code list gets departments (課), staff accounts
//! (`admin@t{code}.bench.example`, `desk@…`, `dept{i}@…`, password [`PASSWORD`]) and an open
//! desk; proposals are composed from the domain's vocabularies ([`text`]) and live through the
//! lifecycle the desk gives them (reads, assignment, hearings, messages, routings to
//! departments and their answers, a decision or a 不採択, a withdrawal), spread over
//! [`YEARS`] fiscal years up to the store's clock: old ones closed, recent ones open.
//!
//! The content is composed here; the rows are written by the store's bulk loader
//! ([`renkei_store::bulk`]), which writes them as the store's own commands would (timeline,
//! audit entries and hash chains included) in big transactions. Generation streams: one
//! tenant at a time. The same seed gives the same data set.

pub mod rng;
pub mod text;

use crate::demo::CODE_LIST;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use renkei_domain::calendar::add_business_days;
use renkei_domain::clock::OffsetClock;
use renkei_domain::partnership::{
    Activity, Form, Partnership, PartnershipStatus, Party, initial_status,
};
use renkei_domain::proposal::{
    Answer, Channel, DeclineReason, Field, Intake, IntakeInput, Kind, Offer, PartnerType, Route,
    Status, Transition,
};
use renkei_domain::time::{fiscal_year, fiscal_year_start, jst_at, jst_date};
use renkei_domain::{Lang, Password, Role, TenantCode};
use renkei_store::bulk::{BulkCounts, BulkLoad, BulkPartnership};
use renkei_store::proposals::{DeskSettings, NewHearing};
use renkei_store::tenants::{ImportError, Tenant, parse_code_list};
use renkei_store::{Store, StoreError, Who};
use rng::Rng;
use std::sync::Arc;

/// The password of every generated account.
pub const PASSWORD: &str = "renkei-bench-2026";
/// The tenant with the most data (横浜市).
pub const FOCUS: &str = "141003";
/// Fiscal years of history, the current one included.
pub const YEARS: i32 = 15;
/// One partnership (連携事業) per this many proposals: 100,000 at national scale, mostly
/// realising decided proposals, the rest entered directly.
pub const PROPOSALS_PER_PARTNERSHIP: u64 = 5;
/// Share of partnerships published (公開).
pub const PUBLISHED_SHARE: f64 = 0.6;

/// How much to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Every local government with data: at least 500,000 proposals, about 10,000 at 横浜市.
    National,
    /// 横浜市 with about 100 proposals a year; the others with a few or none.
    City,
    /// This many proposals in all, spread over the local governments (a fifth at 横浜市).
    Total(u64),
}

impl Scale {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim() {
            "national" => Ok(Self::National),
            "city" => Ok(Self::City),
            other => other
                .parse::<u64>()
                .map(Self::Total)
                .map_err(|_| format!("--scale {other:?}: national, city or a number of proposals")),
        }
    }
}

/// Where the load is, after each local government.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub tenants_done: usize,
    pub tenants_total: usize,
    pub written: BulkCounts,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct Summary {
    pub tenants: usize,
    pub written: BulkCounts,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(
        "このデータベースにはすでに提案が {0} 件あります。bench-data は提案のないデータベースにだけ書き込みます。\n\
         The database already holds {0} proposal(s); bench-data writes only into a database without any."
    )]
    NotEmpty(i64),
    #[error("the code list: {0}")]
    CodeList(String),
    #[error("generated data did not parse: {0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Writes the data set. Refuses a database that holds proposals.
pub async fn run(
    store: &Store,
    scale: Scale,
    seed: u64,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Summary, BenchError> {
    let existing = store.proposal_total().await?;
    if existing > 0 {
        return Err(BenchError::NotEmpty(existing));
    }
    let now = store.now();
    let first_fy = fiscal_year(jst_date(now)) - (YEARS - 1);
    let history_start = jst_at(
        fiscal_year_start(first_fy) - Duration::days(7),
        NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
    );
    // The code list, imported as on the first day of the history (a no-op when present).
    let importer = store
        .clone()
        .with_clock(Arc::new(OffsetClock::starting_at(history_start)));
    match importer.import_tenants(CODE_LIST, &Who::cli()).await {
        Ok(_) => {}
        Err(ImportError::Store(e)) => return Err(e.into()),
        Err(ImportError::BadRows(rows)) => {
            return Err(BenchError::CodeList(format!("{} bad row(s)", rows.len())));
        }
    }
    let tenants = parse_code_list(CODE_LIST)
        .map_err(|rows| BenchError::CodeList(format!("{} bad row(s)", rows.len())))?;
    let root = Rng::new(seed);
    let plan = plan(&tenants, scale, &mut root.fork(0x706c_616e));
    let password = Password::parse(PASSWORD).map_err(|e| BenchError::Invalid(e.key.into()))?;
    let hash = renkei_store::users::hash_password(&password).await?;
    let mut load = store.bulk_load(hash).await?;
    let mut p = Progress {
        tenants_done: 0,
        tenants_total: tenants.len(),
        written: BulkCounts::default(),
    };
    progress(&p);
    for (index, (tenant, count)) in tenants.iter().zip(&plan).enumerate() {
        let code =
            TenantCode::parse(&tenant.code).map_err(|e| BenchError::Invalid(e.key.into()))?;
        let salt = tenant.code.parse::<u64>().unwrap_or(index as u64);
        let mut g = TenantGen {
            rng: root.fork(salt),
            code,
            tenant,
            index,
            now,
            history_start,
            staff: Staff::default(),
            partnerships_left: count.div_ceil(PROPOSALS_PER_PARTNERSHIP),
        };
        g.setup(&mut load)?;
        for j in 0..*count {
            g.proposal(&mut load, j, *count)?;
            if load.pending_proposals() >= 2_000 || load.pending_partnerships() >= 500 {
                p.written += load.flush().await?;
            }
        }
        // Agreements entered directly (包括連携協定 signed before the desk existed, lists
        // carried over): as many as the tenant's share still needs.
        for k in 0..g.partnerships_left {
            g.direct_partnership(&mut load, k)?;
            if load.pending_partnerships() >= 500 {
                p.written += load.flush().await?;
            }
        }
        p.written += load.flush().await?;
        p.tenants_done = index + 1;
        progress(&p);
    }
    p.written += load.finish().await?;
    // The rows went in directly; the search index is built from them in one pass.
    eprintln!("\nsearch index / 検索索引…");
    store.search_rebuild().await?;
    eprintln!("case index / 連携事例の索引…");
    store.cases_rebuild().await?;
    eprintln!("statistics (VACUUM ANALYZE on PostgreSQL) / 統計情報…");
    store.analyze().await?;
    Ok(Summary {
        tenants: tenants.len(),
        written: p.written,
    })
}

/// Proposals per tenant, in the code list's order.
fn plan(tenants: &[Tenant], scale: Scale, rng: &mut Rng) -> Vec<u64> {
    let focus = tenants.iter().position(|t| t.code == FOCUS);
    let mut counts = vec![0u64; tenants.len()];
    match scale {
        Scale::National => {
            const OTHERS: f64 = 490_000.0;
            let weights: Vec<f64> = tenants
                .iter()
                .map(|t| {
                    let base = if t.is_prefecture() {
                        300.0
                    } else if t.name.ends_with('区') {
                        450.0
                    } else if t.name.ends_with('市') {
                        400.0
                    } else if t.name.ends_with('町') {
                        120.0
                    } else {
                        50.0
                    };
                    base * (0.6 + 0.8 * rng.unit())
                })
                .collect();
            let total: f64 = weights
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != focus)
                .map(|(_, w)| w)
                .sum();
            for (i, w) in weights.iter().enumerate() {
                counts[i] = (w * OTHERS / total).ceil() as u64;
            }
            if let Some(f) = focus {
                counts[f] = 10_000;
            }
        }
        Scale::City => {
            for c in counts.iter_mut() {
                *c = if rng.chance(0.4) {
                    rng.range(1, 3) as u64
                } else {
                    0
                };
            }
            if let Some(f) = focus {
                counts[f] = 100 * YEARS as u64;
            }
        }
        Scale::Total(n) => {
            let at_focus = match focus {
                Some(f) => {
                    let k = if n == 0 { 0 } else { (n / 5).max(1) };
                    counts[f] = k;
                    k
                }
                None => 0,
            };
            let others: Vec<usize> = (0..tenants.len()).filter(|i| Some(*i) != focus).collect();
            for _ in at_focus..n {
                let i = others[rng.below(others.len() as u64) as usize];
                counts[i] += 1;
            }
        }
    }
    counts
}

/// A tenant's staff as the generator acts through them.
#[derive(Default)]
struct Staff {
    desk: Option<(i64, String)>,
    /// Departments with a member: (department id, name, member id, member e-mail).
    routable: Vec<(i64, String, i64, String)>,
    ip: String,
}

impl Staff {
    fn desk_who(&self) -> Who {
        let (id, email) = self.desk.clone().unwrap_or_default();
        Who {
            user_id: Some(id),
            label: email,
            origin: self.ip.clone(),
        }
    }
}

struct TenantGen<'a> {
    rng: Rng,
    code: TenantCode,
    tenant: &'a Tenant,
    index: usize,
    now: DateTime<Utc>,
    history_start: DateTime<Utc>,
    staff: Staff,
    /// Partnerships this tenant still gets.
    partnerships_left: u64,
}

fn email(role: &str, code: &str) -> String {
    format!("{role}@t{code}.bench.example")
}

/// An instant on a business day `lo..=hi` business days after `t` (0: later the same day),
/// within office hours, never before `t`.
/// `pace` stretches the delays (recent proposals: the desk is still at work on many).
fn later(rng: &mut Rng, pace: i64, t: DateTime<Utc>, lo: i64, hi: i64) -> DateTime<Utc> {
    let days = rng.range(lo * pace, hi * pace);
    let next = if days == 0 {
        t + Duration::minutes(rng.range(5, 180))
    } else {
        let date = add_business_days(jst_date(t), days as u32);
        jst_at(date, office_time(rng))
    };
    if next <= t {
        t + Duration::minutes(rng.range(1, 30))
    } else {
        next
    }
}

fn office_time(rng: &mut Rng) -> NaiveTime {
    let minutes = rng.range(8 * 60 + 30, 18 * 60 + 30);
    NaiveTime::from_hms_opt(
        (minutes / 60) as u32,
        (minutes % 60) as u32,
        rng.range(0, 59) as u32,
    )
    .unwrap_or_default()
}

impl TenantGen<'_> {
    /// Departments, accounts and the open desk, on the first days of the history.
    fn setup(&mut self, load: &mut BulkLoad) -> Result<(), BenchError> {
        let code = self.tenant.code.clone();
        let focus = code == FOCUS;
        let i = self.index;
        self.staff.ip = format!("10.{}.{}.{}", 20 + i / 250 % 200, i % 250, 10);
        let t0 = self.history_start + Duration::minutes(i as i64);
        let admin = load.user(
            self.code,
            Role::Admin,
            &email("admin", &code),
            &format!("{} 管理者", self.tenant.full_name()),
            &[],
            &Who::cli(),
            t0,
        )?;
        let admin_who = Who {
            user_id: Some(admin),
            label: email("admin", &code),
            origin: self.staff.ip.clone(),
        };
        let count = if focus {
            34
        } else {
            self.rng.range(5, 12) as usize
        };
        let mut names: Vec<&str> = text::DEPARTMENTS.to_vec();
        // A partial shuffle: the first count-1 names are the tenant's.
        for k in 0..names.len() {
            let j = k + self.rng.below((names.len() - k) as u64) as usize;
            names.swap(k, j);
        }
        let t1 = t0 + Duration::hours(1);
        let desk_department = load.department(self.code, text::DESK_DEPARTMENT, &admin_who, t1)?;
        let mut departments = Vec::new();
        for name in names.iter().take(count - 1) {
            let id = load.department(self.code, name, &admin_who, t1)?;
            departments.push((id, (*name).to_string()));
        }
        let t2 = t1 + Duration::hours(1);
        let desk = load.user(
            self.code,
            Role::Desk,
            &email("desk", &code),
            &format!(
                "{}（{}）",
                text::person(&mut self.rng),
                text::DESK_DEPARTMENT
            ),
            &[],
            &admin_who,
            t2,
        )?;
        self.staff.desk = Some((desk, email("desk", &code)));
        let staffed = if focus {
            20
        } else {
            self.rng.range(2, 5) as usize
        };
        for (k, (id, name)) in departments.iter().take(staffed).enumerate() {
            let address = email(&format!("dept{}", k + 1), &code);
            let user = load.user(
                self.code,
                Role::Department,
                &address,
                &format!("{}（{}）", text::person(&mut self.rng), name),
                &[(*id, name.clone())],
                &admin_who,
                t2,
            )?;
            self.staff.routable.push((*id, name.clone(), user, address));
        }
        load.open_desk(
            self.code,
            Some(desk_department),
            &admin_who,
            t2 + Duration::hours(1),
        );
        Ok(())
    }

    /// One proposal and its story up to now.
    fn proposal(&mut self, load: &mut BulkLoad, j: u64, count: u64) -> Result<(), BenchError> {
        let mut rng = self.rng.fork(j + 1);
        let start = self.history_start + Duration::days(8);
        let span = (self.now - Duration::hours(2) - start).num_seconds().max(1) as f64;
        // Evenly spread (slightly more in recent years), in order of receipt.
        let slot = (j as f64 + rng.unit()) / count.max(1) as f64;
        let at = start + Duration::seconds((span * slot.powf(0.9)) as i64);
        let kind = [Kind::Proposal, Kind::Consultation, Kind::Donation][rng.weighted(&[70, 22, 8])];
        let route = [Route::Free, Route::Theme, Route::Outbound][rng.weighted(&[70, 20, 10])];
        // Partners come back: a pool of about a third as many organisations as proposals.
        let pool = (count / 3).max(5);
        let k = rng.below(pool);
        let mut prng = self.rng.fork(0x7061_7274 ^ (k << 8));
        let partner_type = [
            PartnerType::Company,
            PartnerType::University,
            PartnerType::Npo,
            PartnerType::Neighborhood,
            PartnerType::SocialBusiness,
            PartnerType::Intermediary,
            PartnerType::LocalGovernment,
            PartnerType::Other,
        ][prng.weighted(&[50, 10, 15, 10, 6, 4, 2, 3])];
        let org = text::organisation(&mut prng, partner_type, k);
        let corporate_number = match partner_type {
            PartnerType::Company | PartnerType::SocialBusiness | PartnerType::Intermediary => {
                // One number per name, so a partner found by name keeps its number.
                let h = org.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
                });
                text::corporate_number(&mut Rng::new(h))
            }
            _ => String::new(),
        };
        let contact = text::person(&mut prng);
        let contact_email = format!("contact{k}@partner{k}.t{}.example.jp", self.tenant.code);
        let phone = format!(
            "0{}-{}-{:04}",
            prng.range(10, 99),
            prng.range(200, 999),
            prng.below(10_000)
        );
        let mut fields: Vec<Field> = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let f = *rng.pick(Field::ALL);
            if !fields.contains(&f) {
                fields.push(f);
            }
        }
        let mut offers: Vec<Offer> = Vec::new();
        for _ in 0..rng.range(1, 2) {
            let o = *rng.pick(Offer::ALL);
            if !offers.contains(&o) {
                offers.push(o);
            }
        }
        let place = self.tenant.name.clone();
        let words = text::proposal_text(&mut rng, kind, &fields, &offers, &place, &org);
        let fiscal = rng.chance(0.15);
        let input = IntakeInput {
            kind: kind.code().into(),
            org_name: org,
            partner_type: partner_type.code().into(),
            corporate_number,
            org_address: String::new(),
            contact_name: contact,
            contact_department: String::new(),
            contact_title: String::new(),
            email: contact_email,
            phone,
            title: words.title,
            summary: words.summary,
            details: words.details,
            fields: fields.iter().map(|f| f.code().to_string()).collect(),
            offers: offers.iter().map(|o| o.code().to_string()).collect(),
            expected_effects: words.expected_effects,
            fiscal_burden: if fiscal { "some" } else { "none" }.into(),
            fiscal_explanation: if fiscal {
                text::fiscal_explanation(&mut rng)
            } else {
                String::new()
            },
            publication_consent: rng.chance(0.6),
            privacy_consent: true,
        };
        let intake = Intake::parse(&input).map_err(|errors| {
            BenchError::Invalid(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.key))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })?;
        let lang = if rng.chance(0.03) { Lang::En } else { Lang::Ja };
        let token = format!("bench-{}-{}-{:016x}", self.tenant.code, j, rng.next_u64());
        let desk = self.staff.desk_who();
        let proponent = Who {
            user_id: None,
            label: "proponent".into(),
            origin: format!("203.0.113.{}", rng.range(1, 254)),
        };
        let tracking = Who {
            label: "proponent (tracking link)".into(),
            ..proponent.clone()
        };
        let due = add_business_days(
            jst_date(at),
            u32::try_from(DeskSettings::default().first_response_days).unwrap_or(5),
        );
        let hearing = |rng: &mut Rng, on: NaiveDate| NewHearing {
            held_on: on,
            channel: [
                Channel::Meeting,
                Channel::Online,
                Channel::Phone,
                Channel::Email,
            ][rng.weighted(&[50, 30, 15, 5])],
            participants: format!(
                "提案者{}名、{}{}名",
                rng.range(1, 3),
                text::DESK_DEPARTMENT,
                rng.range(1, 2)
            ),
            notes: (rng.word(text::HEARING_NOTES)).to_string(),
            next_steps: (rng.word(text::NEXT_STEPS)).to_string(),
        };
        let outbound = route == Route::Outbound;
        let (who_submits, at) = if outbound {
            (desk.clone(), jst_at(jst_date(at), office_time(&mut rng)))
        } else {
            (proponent.clone(), at)
        };
        if at >= self.now {
            return Ok(());
        }
        let first_hearing = outbound.then(|| hearing(&mut rng, jst_date(at)));
        let p = load.submit(
            self.code,
            &intake,
            route,
            lang,
            &token,
            due,
            first_hearing.as_ref(),
            &who_submits,
            at,
        )?;
        let id = p.id;
        let receipt = p.receipt_number.clone();
        let now = self.now;
        let pace = if now - at < Duration::days(120) {
            rng.range(2, 4)
        } else {
            1
        };
        // The story: what the desk will end with.
        enum Plan {
            QuickDecline(DeclineReason),
            Withdrawn,
            Declined(DeclineReason),
            Decided,
        }
        let plan = match rng.weighted(&[14, 8, 30, 48]) {
            0 => Plan::QuickDecline(if kind == Kind::Donation {
                DeclineReason::UnrelatedDonation
            } else {
                *rng.pick(&[DeclineReason::SalesPitch, DeclineReason::Duplicate])
            }),
            1 => Plan::Withdrawn,
            2 => Plan::Declined(if fiscal {
                DeclineReason::FiscalBurden
            } else {
                *rng.pick(&[DeclineReason::Infeasible, DeclineReason::Other])
            }),
            _ => Plan::Decided,
        };
        let tc = self.code;
        // Read at the inbox, opened, assigned.
        let mut t = later(&mut rng, pace, at, 0, 2);
        if t >= now {
            return Ok(());
        }
        load.read(tc, "inbox", "desk-inbox", &desk, t);
        t += Duration::minutes(rng.range(1, 10));
        load.read(tc, &receipt, "desk", &desk, t);
        t += Duration::minutes(rng.range(1, 5));
        if t >= now {
            return Ok(());
        }
        load.assign(id, desk.user_id, &desk, t)?;
        if let Plan::QuickDecline(reason) = plan {
            t = later(&mut rng, pace, t, 1, 4);
            if t >= now {
                return Ok(());
            }
            load.read(tc, &receipt, "desk", &desk, t);
            load.transition(
                id,
                &Transition::Decline {
                    reason,
                    explanation: text::decline_explanation(reason).into(),
                },
                text::transition_note(&mut rng),
                &desk,
                t + Duration::minutes(rng.range(1, 20)),
            )?;
            return Ok(());
        }
        if !outbound {
            t = later(&mut rng, pace, t, 1, 4);
            if t >= now {
                return Ok(());
            }
            load.transition(id, &Transition::StartHearing, "", &desk, t)?;
            t += Duration::minutes(rng.range(1, 10));
            load.message(id, true, text::DESK_MESSAGES[0], &desk, t)?;
            t = later(&mut rng, pace, t, 0, 2);
            if t >= now {
                return Ok(());
            }
            load.message(id, false, rng.word(text::PROPONENT_MESSAGES), &tracking, t)?;
            t = later(&mut rng, pace, t, 3, 10);
            if t >= now {
                return Ok(());
            }
            load.hearing(id, &hearing(&mut rng, jst_date(t)), &desk, t)?;
        }
        t = later(&mut rng, pace, t, 0, 3);
        if t >= now {
            return Ok(());
        }
        load.read(tc, &receipt, "desk", &desk, t);
        if matches!(plan, Plan::Withdrawn) {
            t = later(&mut rng, pace, t, 5, 20);
            if t >= now {
                return Ok(());
            }
            load.transition(id, &Transition::Withdraw, "", &tracking, t)?;
            return Ok(());
        }
        t = later(&mut rng, pace, t, 2, 7);
        if t >= now {
            return Ok(());
        }
        load.transition(
            id,
            &Transition::StartCoordination,
            text::transition_note(&mut rng),
            &desk,
            t,
        )?;
        let mut last = t;
        if !self.staff.routable.is_empty() {
            let n = (rng.range(1, 3) as usize).min(self.staff.routable.len());
            let mut chosen: Vec<(i64, String, i64, String)> = Vec::new();
            while chosen.len() < n {
                let d = rng.pick(&self.staff.routable).clone();
                if !chosen.iter().any(|c| c.0 == d.0) {
                    chosen.push(d);
                }
            }
            t += Duration::minutes(rng.range(5, 60));
            if t >= now {
                return Ok(());
            }
            let due_on = DeskSettings::default().routing_due(jst_date(t));
            let depts: Vec<(i64, String)> = chosen.iter().map(|c| (c.0, c.1.clone())).collect();
            let routings = load.route(
                id,
                &depts,
                rng.word(text::ROUTING_QUESTIONS),
                due_on,
                &desk,
                t,
            )?;
            let mut all_answered = true;
            for (rid, (_, _, member, address)) in routings.iter().zip(&chosen) {
                let who = Who {
                    user_id: Some(*member),
                    label: address.clone(),
                    origin: self.staff.ip.clone(),
                };
                let seen = later(&mut rng, pace, t, 0, 3);
                if seen >= now {
                    all_answered = false;
                    continue;
                }
                load.read(tc, "routed-list", "department-home", &who, seen);
                load.read(
                    tc,
                    &receipt,
                    "department",
                    &who,
                    seen + Duration::minutes(1),
                );
                let answered = later(&mut rng, pace, seen, 1, 12);
                if answered >= now {
                    all_answered = false;
                    continue;
                }
                let answer = match plan {
                    Plan::Decided => {
                        [Answer::Interested, Answer::Conditional][rng.weighted(&[70, 30])]
                    }
                    _ => [Answer::Conditional, Answer::NotInterested][rng.weighted(&[30, 70])],
                };
                load.answer(*rid, answer, text::answer_comment(answer), &who, answered)?;
                last = last.max(answered);
            }
            if !all_answered {
                return Ok(());
            }
        }
        t = later(&mut rng, pace, last, 3, 20);
        if t >= now {
            return Ok(());
        }
        load.read(tc, &receipt, "desk", &desk, t);
        t += Duration::minutes(rng.range(5, 90));
        if t >= now {
            return Ok(());
        }
        let closing = match plan {
            Plan::Declined(reason) => Transition::Decline {
                reason,
                explanation: text::decline_explanation(reason).into(),
            },
            _ => Transition::Decide {
                fiscal_justification: if fiscal {
                    text::FISCAL_JUSTIFICATION.into()
                } else {
                    String::new()
                },
            },
        };
        let status = load.transition(id, &closing, text::transition_note(&mut rng), &desk, t)?;
        debug_assert!(matches!(status, Status::Decided | Status::Declined));
        t += Duration::minutes(rng.range(1, 30));
        if t < now {
            load.message(id, true, text::DESK_MESSAGES[3], &desk, t)?;
        }
        if status == Status::Decided && self.partnerships_left > 0 {
            let party = Party {
                name: intake.org_name.clone(),
                party_type: intake.partner_type,
                corporate_number: intake.corporate_number.clone(),
                role: text::PARTY_ROLES[rng.below(text::PARTY_ROLES.len() as u64) as usize]
                    .to_string(),
            };
            let created = later(&mut rng, 1, t, 1, 5);
            if created < now {
                self.partnership(
                    load,
                    &mut rng,
                    intake.title.clone(),
                    intake.summary.clone(),
                    vec![party],
                    intake.fields.clone(),
                    intake.fiscal_burden.is_some(),
                    Some((id, route)),
                    created,
                )?;
            }
        }
        Ok(())
    }
}

impl TenantGen<'_> {
    /// A partnership created at `created` with its dates, status and activities up to now.
    #[allow(clippy::too_many_arguments)]
    fn partnership(
        &mut self,
        load: &mut BulkLoad,
        rng: &mut Rng,
        title: String,
        summary: String,
        parties: Vec<Party>,
        fields: Vec<Field>,
        fiscal: bool,
        proposal: Option<(i64, Route)>,
        created: DateTime<Utc>,
    ) -> Result<(), BenchError> {
        let now = self.now;
        let today = jst_date(now);
        let form =
            [Form::Comprehensive, Form::Business, Form::Project][rng.weighted(&[10, 35, 55])];
        let department_id = if form.needs_department() {
            if self.staff.routable.is_empty() {
                return Ok(());
            }
            Some(rng.pick(&self.staff.routable).0)
        } else {
            None
        };
        // Signed a few weeks after it was entered (unless that is still to come).
        let signed = jst_date(later(rng, 1, created, 5, 30));
        let signed_on = (signed <= today).then_some(signed);
        let years = rng.range(1, 3);
        let ends_on = signed
            .checked_add_months(chrono::Months::new(12 * years as u32))
            .and_then(|d| d.pred_opt());
        let auto_renew = rng.chance(0.5);
        let status = initial_status(signed_on, ends_on, auto_renew, today);
        let record = Partnership {
            form,
            title,
            purpose: summary.clone(),
            summary,
            department_id,
            city_role: text::CITY_ROLES[rng.below(text::CITY_ROLES.len() as u64) as usize]
                .to_string(),
            parties,
            fields,
            signed_on,
            starts_on: signed_on,
            ends_on,
            auto_renew,
            fiscal_burden: fiscal.then(|| {
                (
                    rng.range(10, 500) * 10_000,
                    text::FISCAL_JUSTIFICATION.to_string(),
                )
            }),
            published: rng.chance(PUBLISHED_SHARE),
            commercial_note: None,
        };
        // Activities from the signing to now (or the end); some partnerships fade out.
        let mut activities = Vec::new();
        if let Some(start) = signed_on {
            let end = match (status, ends_on) {
                (PartnershipStatus::Ended, Some(e)) => e.min(today),
                _ => today,
            };
            let days = (end - start).num_days().max(0);
            let n = rng.range(0, 20);
            let fading = rng.chance(0.2);
            let span = if fading { days / 3 } else { days };
            let mut dates: Vec<NaiveDate> = (0..n)
                .map(|_| start + Duration::days(rng.range(0, span)))
                .collect();
            dates.sort();
            for done_on in dates {
                let recorded = jst_at(done_on, office_time(rng)) + Duration::days(rng.range(0, 3));
                if recorded >= now {
                    continue;
                }
                let title =
                    text::ACTIVITY_TITLES[rng.below(text::ACTIVITY_TITLES.len() as u64) as usize];
                activities.push((
                    Activity {
                        done_on,
                        title: title.to_string(),
                        description: format!(
                            "{}の一環として{}を実施しました。",
                            record.title, title
                        ),
                        people: Some(rng.range(3, 400)),
                        outputs: String::new(),
                    },
                    recorded,
                ));
            }
        }
        let desk = self.staff.desk_who();
        load.partnership(
            self.code,
            &BulkPartnership {
                record: &record,
                proposal,
                status,
                activities: &activities,
            },
            &desk,
            created,
        )?;
        self.partnerships_left -= 1;
        Ok(())
    }

    /// A partnership entered directly (no proposal), somewhere in the history.
    fn direct_partnership(&mut self, load: &mut BulkLoad, k: u64) -> Result<(), BenchError> {
        let mut rng = self.rng.fork(0x7061_7274_6e72 ^ (k << 4));
        let start = self.history_start + Duration::days(8);
        let span = (self.now - Duration::days(10) - start).num_seconds().max(1);
        let created = start + Duration::seconds(rng.range(0, span));
        let partner_type = [
            PartnerType::Company,
            PartnerType::University,
            PartnerType::Npo,
        ][rng.weighted(&[60, 25, 15])];
        let org = text::organisation(&mut rng, partner_type, 10_000 + k);
        let field = *rng.pick(Field::ALL);
        let title = format!("{}と{}の連携に関する協定", org, self.tenant.name);
        let summary = format!(
            "{}の分野で、{}と{}が相互に協力して地域課題の解決に取り組みます。",
            text::field_name(field),
            org,
            self.tenant.name
        );
        let party = Party {
            name: org,
            party_type: partner_type,
            corporate_number: None,
            role: text::PARTY_ROLES[rng.below(text::PARTY_ROLES.len() as u64) as usize].to_string(),
        };
        self.partnership(
            load,
            &mut rng,
            title,
            summary,
            vec![party],
            vec![field],
            false,
            None,
            created,
        )
    }
}
