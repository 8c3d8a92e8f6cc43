//! Statistics (/stats, /t/{code}/stats): aggregate counts only, never a proposal's text, a
//! receipt number or a proponent's name.
//!
//! What is counted, by fiscal year of receipt (年度, April–March, the JST day of receipt kept in
//! `proposals.fiscal_year`):
//! - proposals received, by kind (提案・相談・寄附の申出);
//! - the share realised: proposals decided on (実施決定) over those decided on or declined
//!   (実施決定 + 不採択) among the year's proposals; withdrawn, referred and open ones are left out;
//! - the median business days (weekends, national holidays and 年末年始 do not count; the day of
//!   receipt is day 0) from receipt to the first response, and to the decision (実施決定 or
//!   不採択);
//! - decline reasons (不採択 by reason category);
//! - activities (取組実績) by the fiscal year of their day.
//!
//! And, in all: concluded partnerships (締結済・実施中 and 終了; not 準備中 or 解約) by form
//! and by field (a partnership counts once under each of its fields).
//!
//! A tenant's figures are read on each request through indexes that start with the tenant
//! code (`proposals_fiscal_year`, `partnerships_tenant`, `activities_tenant_day`). The
//! nationwide figures read every row, so they are computed at most once per
//! [`NATIONAL_FRESHNESS_MINUTES`] and kept in `stats_cache`, shared by every app server: a
//! request finding them older serves them as they are and refreshes them in the background
//! (one refresh at a time in a process); only the very first request waits.

use crate::{Result, Store};
use chrono::{DateTime, Days, NaiveDate, Utc};
use renkei_domain::TenantCode;
use renkei_domain::calendar::is_business_day;
use renkei_domain::proposal::{DeclineReason, Kind};
use renkei_domain::time::{fiscal_year, fiscal_year_start, jst_date, parse_db_timestamp};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// How many fiscal years the pages show (the current one and the four before it).
pub const YEARS_SHOWN: i32 = 5;
/// The nationwide figures are recomputed when older than this.
pub const NATIONAL_FRESHNESS_MINUTES: i64 = 15;
/// Spans longer than this many calendar days count as this many (a proposal left for years
/// cannot make the computation long).
const MAX_SPAN_DAYS: i64 = 3 * 366;

/// One fiscal year's proposals.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct YearFigures {
    /// The fiscal year (2026 = 令和8年度, 2026-04-01 to 2027-03-31).
    pub fiscal_year: i32,
    /// Proposals received, by kind code, in the vocabulary's order (every kind present).
    pub by_kind: Vec<(String, i64)>,
    /// All proposals received.
    pub received: i64,
    /// 実施決定.
    pub decided: i64,
    /// 不採択.
    pub declined: i64,
    /// Share realised in per mille (decided × 1000 / (decided + declined)), `None` without
    /// either.
    pub realised_permille: Option<i64>,
    /// Median business days from receipt to the first response, in tenths of a day.
    pub median_first_response_tenths: Option<i64>,
    /// How many proposals the median above is taken over.
    pub responded: i64,
    /// Median business days from receipt to 実施決定 or 不採択, in tenths of a day.
    pub median_decision_tenths: Option<i64>,
    /// How many proposals the median above is taken over.
    pub concluded: i64,
    /// Activities (取組実績) done in this fiscal year.
    pub activities: i64,
}

/// The figures of one tenant or of the whole country.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// The last [`YEARS_SHOWN`] fiscal years, oldest first (the last is the current one).
    pub years: Vec<YearFigures>,
    /// 不採択 in those years by reason code, in the vocabulary's order (every reason present).
    pub decline_reasons: Vec<(String, i64)>,
    /// Concluded partnerships by form code.
    pub by_form: Vec<(String, i64)>,
    /// Concluded partnerships by field code (once under each of its fields).
    pub by_field: Vec<(String, i64)>,
    /// Concluded partnerships in all.
    pub partnerships: i64,
    /// When these figures were computed (stored timestamp text).
    pub computed_at: String,
}

/// The median of whole numbers in tenths (`[1, 2]` → 15), `None` when empty. Sorts `values`.
pub fn median_tenths(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2] * 10
    } else {
        (values[n / 2 - 1] + values[n / 2]) * 5
    })
}

/// Business days after `from` up to and including `to` (0 when `to` is not after `from`;
/// spans are capped at [`MAX_SPAN_DAYS`] calendar days).
pub fn business_days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let span = (to - from).num_days().clamp(0, MAX_SPAN_DAYS);
    let mut n = 0;
    let mut day = from;
    for _ in 0..span {
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
        if is_business_day(day) {
            n += 1;
        }
    }
    n
}

/// Business-day counts from one first day, read from a table built once (so a national
/// computation does not walk the calendar per proposal).
struct DayIndex {
    first: NaiveDate,
    /// `cumulative[i]`: business days in (first, first + i].
    cumulative: Vec<i64>,
}

impl DayIndex {
    fn new(first: NaiveDate, last: NaiveDate) -> Self {
        let len = (last - first).num_days().clamp(0, 40 * 366) as usize + 1;
        let mut cumulative = Vec::with_capacity(len);
        let mut n = 0;
        let mut day = first;
        cumulative.push(0);
        for _ in 1..len {
            day = day.succ_opt().unwrap_or(day);
            if is_business_day(day) {
                n += 1;
            }
            cumulative.push(n);
        }
        Self { first, cumulative }
    }

    fn position(&self, d: NaiveDate) -> Option<usize> {
        let i = (d - self.first).num_days();
        usize::try_from(i)
            .ok()
            .filter(|i| *i < self.cumulative.len())
    }

    fn between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to <= from {
            return 0;
        }
        match (self.position(from), self.position(to)) {
            (Some(a), Some(b)) if (to - from).num_days() <= MAX_SPAN_DAYS => {
                self.cumulative[b] - self.cumulative[a]
            }
            _ => business_days_between(from, to),
        }
    }
}

fn ordered(codes: &[&'static str], found: &[(String, i64)]) -> Vec<(String, i64)> {
    codes
        .iter()
        .map(|c| {
            let n = found.iter().filter(|(k, _)| k == c).map(|(_, n)| *n).sum();
            (c.to_string(), n)
        })
        .collect()
}

/// `AND tenant_code = $1` or nothing, and the bind offset that follows.
fn scope_clause(tenant: Option<TenantCode>, column: &str) -> (String, usize) {
    match tenant {
        Some(_) => (format!(" AND {column} = $1"), 2),
        None => (String::new(), 1),
    }
}

impl Store {
    /// The figures of one tenant, read now.
    pub async fn tenant_stats(&self, tenant: TenantCode) -> Result<Stats> {
        self.compute_stats(Some(tenant)).await
    }

    /// The nationwide figures: from `stats_cache` when computed within
    /// [`NATIONAL_FRESHNESS_MINUTES`]; older ones are served while a background task
    /// refreshes them; none yet → computed now (one computation at a time in this process).
    pub async fn national_stats(&self) -> Result<Stats> {
        static REFRESHING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let cached = self.cached_national().await?;
        let now = self.now();
        if let Some((at, stats)) = cached {
            if now - at < chrono::Duration::minutes(NATIONAL_FRESHNESS_MINUTES) {
                return Ok(stats);
            }
            if let Ok(guard) = REFRESHING.try_lock() {
                let store = self.clone();
                tokio::spawn(async move {
                    let _guard = guard;
                    if let Err(e) = store.refresh_national_stats().await {
                        tracing::warn!(error = %e, "national statistics refresh failed");
                    }
                });
            }
            return Ok(stats);
        }
        let _guard = REFRESHING.lock().await;
        if let Some((_, stats)) = self.cached_national().await? {
            return Ok(stats);
        }
        self.refresh_national_stats().await
    }

    /// Computes the nationwide figures and stores them in `stats_cache`.
    pub async fn refresh_national_stats(&self) -> Result<Stats> {
        let stats = self.compute_stats(None).await?;
        let body = serde_json::to_string(&stats)
            .map_err(|e| crate::StoreError::Internal(format!("stats: {e}")))?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO stats_cache (scope, computed_at, body) VALUES ('national', $1, $2) \
             ON CONFLICT (scope) DO UPDATE SET computed_at = excluded.computed_at, body = excluded.body",
        )
        .bind(&stats.computed_at)
        .bind(&body)
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(stats)
    }

    async fn cached_national(&self) -> Result<Option<(DateTime<Utc>, Stats)>> {
        let row = sqlx::query("SELECT computed_at, body FROM stats_cache WHERE scope = 'national'")
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let at: String = row.try_get("computed_at")?;
        let body: String = row.try_get("body")?;
        // A row this version cannot read is recomputed rather than failing the page.
        match (
            parse_db_timestamp(&at),
            serde_json::from_str::<Stats>(&body),
        ) {
            (Some(at), Ok(stats)) => Ok(Some((at, stats))),
            _ => Ok(None),
        }
    }

    async fn compute_stats(&self, tenant: Option<TenantCode>) -> Result<Stats> {
        let today = self.today();
        let last = fiscal_year(today);
        let first = last - (YEARS_SHOWN - 1);
        let t = tenant.map(|c| c.to_string());
        let index = DayIndex::new(fiscal_year_start(first), today + Days::new(1));

        // Counts by year, kind, status and decline reason: a handful of rows.
        let (scope, k) = scope_clause(tenant, "tenant_code");
        let sql = format!(
            "SELECT fiscal_year, kind, status, decline_reason, COUNT(*) AS n FROM proposals \
             WHERE fiscal_year >= ${k} AND fiscal_year <= ${}{scope} \
             GROUP BY fiscal_year, kind, status, decline_reason",
            k + 1
        );
        let mut q = sqlx::query_as::<_, (i64, String, String, Option<String>, i64)>(&sql);
        if let Some(t) = &t {
            q = q.bind(t.clone());
        }
        let counts = q
            .bind(i64::from(first))
            .bind(i64::from(last))
            .fetch_all(self.pool())
            .await?;
        // sqlx binds in order of calls: the tenant first ($1), then the years.
        let mut decline_found: Vec<(String, i64)> = Vec::new();
        let mut years: Vec<YearFigures> = (first..=last)
            .map(|fy| YearFigures {
                fiscal_year: fy,
                ..YearFigures::default()
            })
            .collect();
        let mut kinds: Vec<Vec<(String, i64)>> = vec![Vec::new(); years.len()];
        for (fy, kind, status, reason, n) in counts {
            let Some(i) = usize::try_from(fy - i64::from(first))
                .ok()
                .filter(|i| *i < years.len())
            else {
                continue;
            };
            let y = &mut years[i];
            y.received += n;
            kinds[i].push((kind, n));
            match status.as_str() {
                "decided" => y.decided += n,
                "declined" => {
                    y.declined += n;
                    decline_found.push((reason.unwrap_or_else(|| "other".into()), n));
                }
                _ => {}
            }
        }
        let kind_codes: Vec<&str> = Kind::ALL.iter().map(|k| k.code()).collect();
        for (y, found) in years.iter_mut().zip(kinds) {
            y.by_kind = ordered(&kind_codes, &found);
            y.realised_permille =
                (y.decided + y.declined > 0).then(|| y.decided * 1000 / (y.decided + y.declined));
        }
        let reason_codes: Vec<&str> = DeclineReason::ALL.iter().map(|r| r.code()).collect();
        let decline_reasons = ordered(&reason_codes, &decline_found);

        // Day pairs, one fiscal year at a time (bounded memory), only the columns needed.
        for y in years.iter_mut() {
            let sql = format!(
                "SELECT received_on, first_responded_at, status, closed_at FROM proposals \
                     WHERE fiscal_year = ${k}{scope} \
                     AND (first_responded_at IS NOT NULL OR status IN ('decided', 'declined'))"
            );
            let mut q = sqlx::query_as::<_, (String, Option<String>, String, Option<String>)>(&sql);
            if let Some(t) = &t {
                q = q.bind(t.clone());
            }
            let rows = q
                .bind(i64::from(y.fiscal_year))
                .fetch_all(self.pool())
                .await?;
            let mut first_response = Vec::new();
            let mut decision = Vec::new();
            for (received, responded, status, closed) in rows {
                let Some(received) = renkei_domain::time::parse_db_date(&received) else {
                    continue;
                };
                if let Some(at) = responded.as_deref().and_then(parse_db_timestamp) {
                    first_response.push(index.between(received, jst_date(at)));
                }
                if matches!(status.as_str(), "decided" | "declined")
                    && let Some(at) = closed.as_deref().and_then(parse_db_timestamp)
                {
                    decision.push(index.between(received, jst_date(at)));
                }
            }
            y.responded = first_response.len() as i64;
            y.concluded = decision.len() as i64;
            y.median_first_response_tenths = median_tenths(&mut first_response);
            y.median_decision_tenths = median_tenths(&mut decision);
        }

        // Activities by month of their day (read from the index), then by fiscal year.
        let (scope_a, ka) = scope_clause(tenant, "tenant_code");
        let sql = format!(
            "SELECT substr(done_on, 1, 7) AS m, COUNT(*) AS n FROM activities \
             WHERE done_on >= ${ka} AND done_on < ${}{scope_a} GROUP BY substr(done_on, 1, 7)",
            ka + 1
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        if let Some(t) = &t {
            q = q.bind(t.clone());
        }
        let months = q
            .bind(renkei_domain::time::to_db_date(fiscal_year_start(first)))
            .bind(renkei_domain::time::to_db_date(fiscal_year_start(last + 1)))
            .fetch_all(self.pool())
            .await?;
        for (m, n) in months {
            let Some(day) = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok() else {
                continue;
            };
            let fy = fiscal_year(day);
            if let Some(y) = years.iter_mut().find(|y| y.fiscal_year == fy) {
                y.activities += n;
            }
        }

        // Concluded partnerships by form and by field.
        let (scope_p, _) = scope_clause(tenant, "p.tenant_code");
        let concluded = "p.status IN ('active', 'ended')";
        let sql = format!(
            "SELECT p.form, COUNT(*) AS n FROM partnerships p WHERE {concluded}{scope_p} GROUP BY p.form"
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        if let Some(t) = &t {
            q = q.bind(t.clone());
        }
        let forms = q.fetch_all(self.pool()).await?;
        let sql = format!(
            "SELECT f.field, COUNT(*) AS n FROM partnerships p \
             JOIN partnership_fields f ON f.partnership_id = p.id \
             WHERE {concluded}{scope_p} GROUP BY f.field"
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        if let Some(t) = &t {
            q = q.bind(t.clone());
        }
        let fields = q.fetch_all(self.pool()).await?;
        let form_codes: Vec<&str> = renkei_domain::partnership::Form::ALL
            .iter()
            .map(|f| f.code())
            .collect();
        let field_codes: Vec<&str> = renkei_domain::proposal::Field::ALL
            .iter()
            .map(|f| f.code())
            .collect();
        let partnerships = forms.iter().map(|(_, n)| n).sum();
        Ok(Stats {
            years,
            decline_reasons,
            by_form: ordered(&form_codes, &forms),
            by_field: ordered(&field_codes, &fields),
            partnerships,
            computed_at: self.now_ts(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a day")
    }

    #[test]
    fn medians_in_tenths() {
        assert_eq!(median_tenths(&mut []), None);
        assert_eq!(median_tenths(&mut [3]), Some(30));
        assert_eq!(median_tenths(&mut [4, 1]), Some(25));
        assert_eq!(median_tenths(&mut [9, 1, 2]), Some(20));
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        // Friday 2026-05-01 → Thursday 2026-05-07: 5/2–5/6 are a weekend and holidays.
        assert_eq!(business_days_between(ymd(2026, 5, 1), ymd(2026, 5, 7)), 1);
        assert_eq!(business_days_between(ymd(2026, 5, 1), ymd(2026, 5, 1)), 0);
        assert_eq!(business_days_between(ymd(2026, 5, 7), ymd(2026, 5, 1)), 0);
        let index = DayIndex::new(ymd(2022, 4, 1), ymd(2027, 4, 1));
        for (a, b) in [
            (ymd(2026, 5, 1), ymd(2026, 5, 7)),
            (ymd(2025, 12, 26), ymd(2026, 1, 6)),
            (ymd(2022, 4, 1), ymd(2027, 4, 1)),
            (ymd(2020, 1, 1), ymd(2026, 1, 9)),
        ] {
            assert_eq!(index.between(a, b), business_days_between(a, b), "{a}–{b}");
        }
    }
}
