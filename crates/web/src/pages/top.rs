//! `/`: the national landing page. What Renkei is, the search box (to `/cases`), open calls
//! closing soon, the latest published cases, the national figures (to `/stats`), and the way
//! to each desk by prefecture, the desks that take proposals first and marked as such.
//! `/?q=` still finds a local government by name, kana or code.
//!
//! What the page shows across the country is read once a minute at most per app server
//! ([`LandingCache`]), so the page costs a template render, not a scan of the country.

use super::html;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use chrono::NaiveDate;
use renkei_app::i18n::Tr;
use renkei_app::mailer::date_for;
use renkei_store::landing::{NationalFigures, PublicCallRow, PublicCase};
use renkei_store::tenants::Tenant;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the landing page's national reads are kept per app server.
pub const LANDING_TTL: Duration = Duration::from_secs(60);
/// How many calls closing soon and latest cases the page shows.
const CLOSING_SOON: i64 = 5;
const LATEST_CASES: i64 = 6;

/// One prefecture on the way to the desks.
#[derive(Debug, Clone)]
pub struct PrefectureEntry {
    pub prefecture: Tenant,
    /// The prefecture's own desk takes proposals.
    pub open: bool,
    /// Its municipalities whose desk takes proposals, by code.
    pub open_municipalities: Vec<Tenant>,
}

/// What the landing page reads from the database.
#[derive(Debug, Clone)]
pub struct LandingData {
    pub closing: Vec<PublicCallRow>,
    pub latest: Vec<PublicCase>,
    pub figures: NationalFigures,
    pub prefectures: Vec<PrefectureEntry>,
    /// Local governments on the code list.
    pub tenants: i64,
}

/// A per-process copy of [`LandingData`], read again after [`LANDING_TTL`] or when the day
/// (by the store's clock) changes. Several app servers each keep their own: a new case or
/// call shows on the landing page within a minute everywhere.
/// Requests that find it stale wait for one of them to read it again (`refresh`), so an
/// expiry under load costs one read, not one per request.
#[derive(Default)]
pub struct LandingCache {
    slot: Mutex<Option<(Instant, NaiveDate, Arc<LandingData>)>>,
    refresh: tokio::sync::Mutex<()>,
}

impl LandingCache {
    fn fresh(&self, today: NaiveDate) -> Option<Arc<LandingData>> {
        let slot = self.slot.lock().ok()?;
        let (at, day, data) = slot.as_ref()?;
        (*day == today && at.elapsed() < LANDING_TTL).then(|| data.clone())
    }

    pub async fn get(&self, state: &AppState) -> Result<Arc<LandingData>, WebError> {
        let today = state.store.today();
        if let Some(data) = self.fresh(today) {
            return Ok(data);
        }
        let _turn = self.refresh.lock().await;
        if let Some(data) = self.fresh(today) {
            return Ok(data);
        }
        let data = Arc::new(read(state).await?);
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((Instant::now(), today, data.clone()));
        }
        Ok(data)
    }
}

async fn read(state: &AppState) -> Result<LandingData, WebError> {
    let store = &state.store;
    let closing = store.calls_closing_soon(CLOSING_SOON).await?;
    let latest = store.latest_public_cases(None, LATEST_CASES).await?;
    let figures = store.national_figures().await?;
    let open = store.open_desks().await?;
    let prefectures = store
        .tenant_prefectures()
        .await?
        .into_iter()
        .map(|p| PrefectureEntry {
            open: open.iter().any(|o| o.code == p.code),
            open_municipalities: open
                .iter()
                .filter(|o| o.prefecture_code == p.code && o.code != p.code)
                .cloned()
                .collect(),
            prefecture: p,
        })
        .collect();
    Ok(LandingData {
        tenants: store.tenant_count().await?,
        closing,
        latest,
        figures,
        prefectures,
    })
}

#[derive(Deserialize, Default)]
pub struct TopQuery {
    q: Option<String>,
    notice: Option<String>,
}

/// A call closing soon as the page shows it.
struct ClosingRow {
    href: String,
    title: String,
    tenant_name: String,
    closes: String,
}

/// A latest case as the page shows it.
struct CaseRow {
    href: String,
    title: String,
    tenant_name: String,
    partner_name: String,
}

#[derive(Template)]
#[template(path = "pages/top.html")]
struct TopTemplate {
    base: Base,
    q: String,
    searched: bool,
    results: Vec<Tenant>,
    count_line: String,
    results_line: String,
    closing: Vec<ClosingRow>,
    latest: Vec<CaseRow>,
    figures: Vec<(String, String)>,
    prefectures: Vec<PrefectureEntry>,
}

fn closing_rows(tr: &Tr, rows: &[PublicCallRow]) -> Vec<ClosingRow> {
    rows.iter()
        .map(|r| ClosingRow {
            href: format!("/t/{}/calls/{}", r.call.tenant_code, r.call.id),
            title: r.call.title.clone(),
            tenant_name: r.tenant_name.clone(),
            closes: tr.t1(
                "landing-closes-on",
                "date",
                &date_for(tr.lang, r.call.closes_on),
            ),
        })
        .collect()
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<TopQuery>,
) -> Result<impl IntoResponse, WebError> {
    let q = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(50)
        .collect::<String>();
    let searched = !q.is_empty();
    let results = if searched {
        state.store.tenants_search(&q, 100, 0).await?
    } else {
        Vec::new()
    };
    let data = state.landing.get(&state).await?;
    let tr = ctx.tr;
    let count = data.tenants;
    let f = data.figures;
    html(&TopTemplate {
        base: Base::new(&ctx, tr.t("landing-title")).with_notice(query.notice.as_deref()),
        count_line: tr.t1("top-count", "count", &count),
        results_line: tr.t1("top-results", "count", &results.len()),
        q,
        searched,
        results,
        closing: closing_rows(&tr, &data.closing),
        latest: data
            .latest
            .iter()
            .map(|c| CaseRow {
                href: format!("/t/{}/cases/{}", c.tenant_code, c.id),
                title: c.title.clone(),
                tenant_name: c.tenant_name.clone(),
                partner_name: c.partner_name.clone(),
            })
            .collect(),
        figures: vec![
            (tr.t("landing-figure-desks"), f.open_desks.to_string()),
            (tr.t("landing-figure-cases"), f.published_cases.to_string()),
            (tr.t("landing-figure-calls"), f.open_calls.to_string()),
        ],
        prefectures: data.prefectures.clone(),
    })
}
