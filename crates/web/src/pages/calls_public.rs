//! The public pages of open calls: `/calls` lists the published ones nationwide (those taking
//! answers first by closing date, then closed and decided ones with their results; filter by
//! prefecture, paged), `/t/{code}/calls` a local government's, `/t/{code}/calls/{id}` shows
//! one: its closing date, how to answer (the intake with `?call=`, route テーマ型) and, once
//! decided, who was chosen and why. Nothing of the answers that were not chosen: only how many
//! answers there were. Both lists take `?q=` words (the call search,
//! `renkei_store::open_calls::search`: the public content only, folded as the case search
//! folds), with the same order; `/cases?q=` shows the first matching calls
//! ([`calls_block`]).

use super::open_calls::{CallView, call_view};
use super::{html, numbered_pages};
use crate::api::cases::{BadParam, Q_MAX_CHARS, checked_q};
use crate::api::open_calls::{CallsSearchQuery, NATIONAL_PER_PAGE};
use crate::auth::{Ctx, known_tenant};
use crate::error::{WebError, urlencode};
use crate::state::AppState;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use renkei_app::i18n::Tr;
use renkei_app::mailer::date_for;
use renkei_app::open_calls as cmd;
use renkei_domain::open_call::{CallStatus, accepts_answers};
use renkei_store::cases::query_words;
use renkei_store::open_calls::StoredCall;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

use crate::view::Base;

/// A call on a public list, with whether it takes answers today and what a reader needs of
/// its dates and result.
pub struct PublicRow {
    pub v: CallView,
    pub open: bool,
    /// 締切日：令和8年12月10日.
    pub closes: String,
    /// あと5日 / 本日締切 (while open), or when it opens (published, not yet open).
    pub when: String,
    /// The selected organisations (decided calls).
    pub result: String,
    /// 大阪府岸和田市 (national list).
    pub tenant_name: String,
}

fn dates(tr: &Tr, c: &StoredCall, today: NaiveDate) -> (bool, String, String) {
    let open = accepts_answers(c.stored_status, c.opens_on, c.closes_on, today);
    let closes = date_for(tr.lang, c.closes_on);
    let when = if open {
        let days = (c.closes_on - today).num_days();
        if days == 0 {
            tr.t("call-closes-today")
        } else {
            tr.t1("call-closes-in", "days", &days)
        }
    } else if c.status == CallStatus::Published && c.opens_on > today {
        tr.t1(
            "call-opens-on-later",
            "date",
            &date_for(tr.lang, c.opens_on),
        )
    } else {
        String::new()
    };
    (open, closes, when)
}

fn sep(tr: &Tr) -> &'static str {
    if tr.lang == renkei_domain::Lang::En {
        ", "
    } else {
        "、"
    }
}

async fn row(
    state: &AppState,
    tr: &Tr,
    c: StoredCall,
    tenant_name: String,
    today: NaiveDate,
) -> Result<PublicRow, WebError> {
    let (open, closes, when) = dates(tr, &c, today);
    let result = if c.status == CallStatus::Decided {
        let orgs = state
            .store
            .open_call_public(c.tenant_code, c.id)
            .await?
            .selected_orgs;
        tr.t1("call-result-summary", "orgs", &orgs.join(sep(tr)))
    } else {
        String::new()
    };
    Ok(PublicRow {
        v: call_view(tr, c),
        open,
        closes,
        when,
        result,
        tenant_name,
    })
}

#[derive(Template)]
#[template(path = "pages/calls_public.html")]
struct ListTemplate {
    base: Base,
    tenant: Tenant,
    calls: Vec<PublicRow>,
    q: String,
    /// Whether the words narrowed the list.
    searched: bool,
    count_line: String,
    error: String,
}

/// The words of a public list of calls, checked as the case search checks them (at most 200
/// characters): on a bad one, the message the page shows with its 400.
fn words(tr: &Tr, raw: Result<Query<CallsSearchQuery>, QueryRejection>) -> (String, String) {
    let checked = match &raw {
        Ok(Query(q)) => checked_q(q.q.as_deref()),
        Err(_) => Err(BadParam {
            param: "query",
            key: "error-cases-bad-param",
            out_of_range: false,
        }),
    };
    match checked {
        Ok(q) => (q, String::new()),
        Err(b) => {
            let shown = raw
                .ok()
                .and_then(|Query(q)| q.q)
                .map(|q| q.chars().take(Q_MAX_CHARS).collect())
                .unwrap_or_default();
            (
                shown,
                format!(
                    "{} {}",
                    tr.t1("cases-bad-param", "param", &b.param),
                    tr.t(b.key)
                ),
            )
        }
    }
}

/// `GET /t/{code}/calls` (`?q=` words): those taking answers first (soonest closing first),
/// then the rest as the store lists them (newest first).
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    query: Result<Query<CallsSearchQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let (q, error) = words(&ctx.tr, query);
    let mut t = ListTemplate {
        base: Base::new(
            &ctx,
            ctx.tr
                .t1("calls-public-heading", "name", &tenant.full_name()),
        ),
        searched: !query_words(&q).is_empty(),
        q,
        tenant,
        calls: Vec::new(),
        count_line: String::new(),
        error,
    };
    if !t.error.is_empty() {
        t.searched = false;
        return Ok((StatusCode::BAD_REQUEST, html(&t)?).into_response());
    }
    let today = state.store.today();
    let mut found = cmd::public_search(&state.app, tcode, &t.q).await?;
    open_first(&mut found, today);
    if t.searched {
        t.count_line = ctx.tr.t1("calls-national-count", "count", &found.len());
    }
    for c in found {
        t.calls
            .push(row(&state, &ctx.tr, c, t.tenant.full_name(), today).await?);
    }
    Ok(html(&t)?.into_response())
}

/// A local government's public calls in the order its list shows them: those taking answers
/// first (soonest closing first), then the rest as they came (newest first).
fn open_first(found: &mut [StoredCall], today: NaiveDate) {
    found.sort_by_key(|c| {
        let open = accepts_answers(c.stored_status, c.opens_on, c.closes_on, today);
        (!open, if open { c.closes_on } else { NaiveDate::MIN })
    });
}

/// The most calls the block on `/cases?q=` shows.
pub const CALLS_BLOCK_MAX: i64 = 5;

/// The short block of open calls on a case search's page: the first matching calls in the
/// lists' order, how many match, and the link to all of them.
pub struct CallsBlock {
    pub heading: String,
    pub calls: Vec<PublicRow>,
    pub link: String,
    pub link_text: String,
}

/// The block for the words of `q` (`tenant`: that local government's calls, else the
/// nation's); `None` when `q` has no words or no call matches.
pub async fn calls_block(
    state: &AppState,
    tr: &Tr,
    tenant: Option<&Tenant>,
    q: &str,
) -> Result<Option<CallsBlock>, WebError> {
    if query_words(q).is_empty() {
        return Ok(None);
    }
    let today = state.store.today();
    let (found, total, link) = match tenant {
        None => {
            let (rows, total) = state
                .store
                .public_calls_matching("", q, 0, CALLS_BLOCK_MAX)
                .await?;
            let found: Vec<(StoredCall, String)> =
                rows.into_iter().map(|r| (r.call, r.tenant_name)).collect();
            (found, total, format!("/calls?q={}", urlencode(q)))
        }
        Some(t) => {
            let code = renkei_domain::TenantCode::parse(&t.code).map_err(|_| WebError::NotFound)?;
            let mut all = cmd::public_search(&state.app, code, q).await?;
            open_first(&mut all, today);
            let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
            let found = all
                .into_iter()
                .take(CALLS_BLOCK_MAX as usize)
                .map(|c| (c, t.full_name()))
                .collect();
            (
                found,
                total,
                format!("/t/{}/calls?q={}", t.code, urlencode(q)),
            )
        }
    };
    if total == 0 {
        return Ok(None);
    }
    let mut calls = Vec::with_capacity(found.len());
    for (c, name) in found {
        calls.push(row(state, tr, c, name, today).await?);
    }
    Ok(Some(CallsBlock {
        heading: tr.t1("callsearch-block-heading", "count", &total),
        calls,
        link,
        link_text: tr.t1("callsearch-block-all", "q", &q),
    }))
}

/// The national list's query: words, a prefecture's code and a page (from 0). An unknown
/// prefecture or an unreadable page lists all from the first page; words longer than 200
/// characters are refused (400), as the case search refuses them.
#[derive(Deserialize, Default)]
pub struct NationalQuery {
    q: Option<String>,
    prefecture: Option<String>,
    page: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/calls_national.html")]
struct NationalTemplate {
    base: Base,
    prefectures: Vec<Tenant>,
    prefecture: String,
    q: String,
    searched: bool,
    calls: Vec<PublicRow>,
    count_line: String,
    error: String,
    pages: Vec<(String, Option<String>, bool)>,
}

impl NationalTemplate {
    fn is_chosen(&self, code: &str) -> bool {
        self.prefecture == code
    }
}

/// `GET /calls`
pub async fn national(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<NationalQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let prefectures = state.store.tenant_prefectures().await?;
    let (q, raw) = match query {
        Ok(Query(q)) => (checked_q(q.q.as_deref()).map_err(|b| (b, q.q.clone())), q),
        Err(_) => (
            Err((
                BadParam {
                    param: "query",
                    key: "error-cases-bad-param",
                    out_of_range: false,
                },
                None,
            )),
            NationalQuery::default(),
        ),
    };
    // An unknown prefecture is no filter (the list of all), never an error.
    let prefecture = raw
        .prefecture
        .filter(|p| prefectures.iter().any(|t| &t.code == p))
        .unwrap_or_default();
    let mut t = NationalTemplate {
        base: Base::new(&ctx, ctx.tr.t("calls-national-title")),
        prefectures,
        prefecture,
        q: String::new(),
        searched: false,
        calls: Vec::new(),
        count_line: String::new(),
        error: String::new(),
        pages: Vec::new(),
    };
    let q = match q {
        Ok(q) => q,
        Err((b, shown)) => {
            t.q = shown
                .map(|s| s.chars().take(Q_MAX_CHARS).collect())
                .unwrap_or_default();
            t.error = format!(
                "{} {}",
                ctx.tr.t1("cases-bad-param", "param", &b.param),
                ctx.tr.t(b.key)
            );
            return Ok((StatusCode::BAD_REQUEST, html(&t)?).into_response());
        }
    };
    let page = raw
        .page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, renkei_store::landing::PUBLIC_CALLS_PAGE_MAX);
    let (found, total) = state
        .store
        .public_calls_matching(&t.prefecture, &q, page, NATIONAL_PER_PAGE)
        .await?;
    let today = state.store.today();
    for r in found {
        t.calls
            .push(row(&state, &ctx.tr, r.call, r.tenant_name, today).await?);
    }
    let mut kept: Vec<(&str, String)> = Vec::new();
    if !q.is_empty() {
        kept.push(("q", urlencode(&q)));
    }
    if !t.prefecture.is_empty() {
        kept.push(("prefecture", t.prefecture.clone()));
    }
    t.pages = numbered_pages(page, total, NATIONAL_PER_PAGE, |p| {
        let mut parts: Vec<String> = kept.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.push(format!("page={p}"));
        format!("/calls?{}", parts.join("&"))
    });
    t.searched = !query_words(&q).is_empty();
    t.count_line = ctx.tr.t1("calls-national-count", "count", &total);
    t.q = q;
    Ok(html(&t)?.into_response())
}

#[derive(Template)]
#[template(path = "pages/call_public.html")]
struct ShowTemplate {
    base: Base,
    tenant: Tenant,
    call: CallView,
    criteria: Vec<(String, i64)>,
    open: bool,
    decided: bool,
    selected_orgs: Vec<String>,
    closes: String,
    when: String,
    steps: Vec<String>,
}

/// `GET /t/{code}/calls/{id}`
pub async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let p = cmd::public_get(&state.app, tcode, id).await?;
    let today = state.store.today();
    let c = p.call;
    let (open, closes, when) = dates(&ctx.tr, &c, today);
    Ok(html(&ShowTemplate {
        base: Base::new(&ctx, c.title.clone()),
        open,
        closes,
        when,
        steps: ctx
            .tr
            .t("call-how-to-answer-steps")
            .lines()
            .map(str::to_string)
            .collect(),
        decided: c.status == CallStatus::Decided,
        criteria: p
            .criteria
            .iter()
            .map(|k| (k.name.clone(), k.weight))
            .collect(),
        call: call_view(&ctx.tr, c),
        selected_orgs: p.selected_orgs,
        tenant,
    })?
    .into_response())
}
