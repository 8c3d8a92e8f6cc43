//! The public pages of open calls: `/calls` lists the published ones nationwide (those taking
//! answers first by closing date, then closed and decided ones with their results; filter by
//! prefecture, paged), `/t/{code}/calls` a local government's, `/t/{code}/calls/{id}` shows
//! one: its closing date, how to answer (the intake with `?call=`, route テーマ型) and, once
//! decided, who was chosen and why. Nothing of the answers that were not chosen: only how many
//! answers there were.

use super::open_calls::{CallView, call_view};
use super::{html, numbered_pages};
use crate::auth::{Ctx, known_tenant};
use crate::error::WebError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use renkei_app::i18n::Tr;
use renkei_app::mailer::date_for;
use renkei_app::open_calls as cmd;
use renkei_domain::open_call::{CallStatus, accepts_answers};
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
}

/// `GET /t/{code}/calls`: those taking answers first (soonest closing first), then the rest
/// as the store lists them (newest first).
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let today = state.store.today();
    let mut found = cmd::public_list(&state.app, tcode).await?;
    found.sort_by_key(|c| {
        let open = accepts_answers(c.stored_status, c.opens_on, c.closes_on, today);
        (!open, if open { c.closes_on } else { NaiveDate::MIN })
    });
    let mut calls = Vec::with_capacity(found.len());
    for c in found {
        calls.push(row(&state, &ctx.tr, c, tenant.full_name(), today).await?);
    }
    Ok(html(&ListTemplate {
        base: Base::new(
            &ctx,
            ctx.tr
                .t1("calls-public-heading", "name", &tenant.full_name()),
        ),
        tenant,
        calls,
    })?
    .into_response())
}

/// The national list's query: a prefecture's code and a page (from 0).
#[derive(Deserialize, Default)]
pub struct NationalQuery {
    prefecture: Option<String>,
    page: Option<String>,
}

const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "pages/calls_national.html")]
struct NationalTemplate {
    base: Base,
    prefectures: Vec<Tenant>,
    prefecture: String,
    calls: Vec<PublicRow>,
    count_line: String,
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
    Query(q): Query<NationalQuery>,
) -> Result<Response, WebError> {
    let prefectures = state.store.tenant_prefectures().await?;
    // An unknown prefecture is no filter (the list of all), never an error.
    let prefecture = q
        .prefecture
        .filter(|p| prefectures.iter().any(|t| &t.code == p))
        .unwrap_or_default();
    let page = q
        .page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .clamp(0, renkei_store::landing::PUBLIC_CALLS_PAGE_MAX);
    let (found, total) = state
        .store
        .public_calls(&prefecture, page, PER_PAGE)
        .await?;
    let today = state.store.today();
    let mut calls = Vec::with_capacity(found.len());
    for r in found {
        calls.push(row(&state, &ctx.tr, r.call, r.tenant_name, today).await?);
    }
    let pages = numbered_pages(page, total, PER_PAGE, |p| {
        if prefecture.is_empty() {
            format!("/calls?page={p}")
        } else {
            format!("/calls?prefecture={prefecture}&page={p}")
        }
    });
    Ok(html(&NationalTemplate {
        base: Base::new(&ctx, ctx.tr.t("calls-national-title")),
        count_line: ctx.tr.t1("calls-national-count", "count", &total),
        prefectures,
        prefecture,
        calls,
        pages,
    })?
    .into_response())
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
