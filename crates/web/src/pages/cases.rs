//! The public case library (連携事例): `/cases` searches the published partnerships of every
//! local government (one search box, facets as plain links, newest first, 20 a page) and
//! `/t/{code}/cases` is the same page fixed to one local government. The case page itself is
//! `/t/{code}/cases/{id}` ([`super::partnership_public`]). Parameters are read by
//! [`crate::api::cases::CasesQuery`], shared with `GET /api/v1/cases`, so the page and the API
//! give the same results; a bad one is a 400 page saying which.

use super::calls_public::{CallsBlock, calls_block};
use super::{html, numbered_pages};
use crate::api::cases::{BadParam, CasesQuery};
use crate::auth::{Ctx, known_tenant};
use crate::error::{WebError, urlencode};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use renkei_app::mailer::date_for;
use renkei_domain::partnership::Form;
use renkei_domain::proposal::{Field, PartnerType};
use renkei_store::cases::{CaseHit, CaseResults, FACETS, PER_PAGE};
use renkei_store::tenants::Tenant;

/// A case as the result lists (and the case page's related lists) show it.
pub struct HitView {
    pub url: String,
    pub title: String,
    pub tenant_name: String,
    pub partners: String,
    pub form: String,
    pub fields: String,
    pub status: String,
    pub dates: String,
}

pub fn hit_view(tr: &Tr, h: &CaseHit) -> HitView {
    let mut dates = Vec::new();
    for (key, d) in [
        ("accountability-signed-on", h.signed_on),
        ("accountability-starts-on", h.starts_on),
        ("accountability-ends-on", h.ends_on),
    ] {
        if let Some(d) = d {
            dates.push(format!("{} {}", tr.t(key), date_for(tr.lang, d)));
        }
    }
    HitView {
        url: format!("/t/{}/cases/{}", h.tenant_code, h.id),
        title: h.title.clone(),
        tenant_name: h.tenant_name.clone(),
        partners: h.partners.clone(),
        form: tr.t(&h.form.label_key()),
        fields: h
            .fields
            .iter()
            .map(|f| tr.t(&f.label_key()))
            .collect::<Vec<_>>()
            .join("、"),
        status: tr.t(&h.status.label_key()),
        dates: dates.join("・"),
    }
}

struct FacetLink {
    label: String,
    count: i64,
    url: String,
    selected: bool,
}

struct FacetGroup {
    id: String,
    heading: String,
    values: Vec<FacetLink>,
}

#[derive(Template)]
#[template(path = "pages/cases.html")]
struct CasesTemplate {
    base: Base,
    action: String,
    tenant: Option<Tenant>,
    q: String,
    /// The filters kept when the words change: (name, value).
    hidden: Vec<(String, String)>,
    /// Chosen filters, each with the link that removes it.
    chips: Vec<(String, String)>,
    groups: Vec<FacetGroup>,
    hits: Vec<HitView>,
    total_line: String,
    searched: bool,
    error: String,
    pages: Vec<(String, Option<String>, bool)>,
    prev: Option<String>,
    next: Option<String>,
    /// The open calls matching the words (`/calls?q=`), when any do.
    calls: Option<CallsBlock>,
}

/// The query's parameters as they stand (name, value), empty ones left out.
fn params(q: &CasesQuery, fixed: bool) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let mut put = |name: &'static str, v: &Option<String>| {
        if let Some(v) = v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            out.push((name, v.to_string()));
        }
    };
    put("q", &q.q);
    if !fixed {
        put("prefecture", &q.prefecture);
        put("tenant", &q.tenant);
    }
    put("field", &q.field);
    put("partner_type", &q.partner_type);
    put("form", &q.form);
    put("year", &q.year);
    out
}

fn link(action: &str, params: &[(&str, String)]) -> String {
    if params.is_empty() {
        return action.to_string();
    }
    let query: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencode(v)))
        .collect();
    format!("{action}?{}", query.join("&"))
}

fn facet_heading_key(facet: &str) -> &'static str {
    match facet {
        "prefecture" => "cases-facet-prefecture",
        "tenant" => "cases-facet-tenant",
        "field" => "cases-facet-field",
        "partner_type" => "cases-facet-partner-type",
        "form" => "cases-facet-form",
        _ => "cases-facet-year",
    }
}

fn value_label(tr: &Tr, facet: &str, value: &str, label: &str) -> String {
    let vocab = match facet {
        "field" => Field::parse(value).ok().map(|f| tr.t(&f.label_key())),
        "partner_type" => PartnerType::parse(value).ok().map(|f| tr.t(&f.label_key())),
        "form" => Form::parse(value).ok().map(|f| tr.t(&f.label_key())),
        "year" => Some(tr.t1("cases-year-value", "year", &value)),
        _ => None,
    };
    vocab.unwrap_or_else(|| {
        if label.is_empty() {
            value.to_string()
        } else {
            label.to_string()
        }
    })
}

/// The normalised value the URL parameter of `facet` holds (`prefecture` `270008` → `27`).
fn chosen(q: &CasesQuery, facet: &str) -> Option<String> {
    let v = match facet {
        "prefecture" => &q.prefecture,
        "tenant" => &q.tenant,
        "field" => &q.field,
        "partner_type" => &q.partner_type,
        "form" => &q.form,
        _ => &q.year,
    };
    let v = v.as_deref().map(str::trim).filter(|s| !s.is_empty())?;
    Some(if facet == "prefecture" {
        v.chars().take(2).collect()
    } else {
        v.to_string()
    })
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    tenant: Option<Tenant>,
    raw: Result<Query<CasesQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let tr = &ctx.tr;
    let fixed = tenant.as_ref().map(|t| t.code.clone());
    let action = match &fixed {
        Some(code) => format!("/t/{code}/cases"),
        None => "/cases".to_string(),
    };
    let title = match &tenant {
        Some(t) => tr.t1("cases-tenant-heading", "name", &t.full_name()),
        None => tr.t("cases-heading"),
    };
    let query = raw.map(|Query(q)| q);
    let (q, parsed) = match &query {
        Ok(q) => (q.clone(), q.to_store(fixed.as_deref())),
        Err(_) => (
            CasesQuery::default(),
            Err(BadParam {
                param: "query",
                key: "error-cases-bad-param",
                out_of_range: false,
            }),
        ),
    };
    let mut t = CasesTemplate {
        base: Base::new(ctx, title),
        action: action.clone(),
        tenant,
        q: q.q.clone().unwrap_or_default(),
        hidden: Vec::new(),
        chips: Vec::new(),
        groups: Vec::new(),
        hits: Vec::new(),
        total_line: String::new(),
        searched: false,
        error: String::new(),
        pages: Vec::new(),
        prev: None,
        next: None,
        calls: None,
    };
    let store_q = match parsed {
        Ok(s) => s,
        Err(b) => {
            t.error = tr.t1("cases-bad-param", "param", &b.param);
            t.error.push(' ');
            t.error.push_str(&tr.t(b.key));
            return Ok((StatusCode::BAD_REQUEST, html(&t)?).into_response());
        }
    };
    let current = params(&q, fixed.is_some());
    t.searched = current.iter().any(|(k, _)| *k == "q") || !store_q.filters.is_empty();
    let r: CaseResults = state.store.cases_search(&store_q).await?;
    t.calls = calls_block(state, tr, t.tenant.as_ref(), &store_q.q).await?;
    t.hidden = current
        .iter()
        .filter(|(k, _)| *k != "q")
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    // Chips: each chosen filter with the link that drops it (and the page).
    let labels: std::collections::BTreeMap<(String, String), String> = r
        .facets
        .iter()
        .map(|f| ((f.facet.clone(), f.value.clone()), f.label.clone()))
        .collect();
    for (k, v) in &current {
        if *k == "q" {
            continue;
        }
        let norm = chosen(&q, k).unwrap_or_default();
        let label = labels
            .get(&(k.to_string(), norm.clone()))
            .cloned()
            .unwrap_or_default();
        let rest: Vec<(&str, String)> = current.iter().filter(|(k2, _)| k2 != k).cloned().collect();
        t.chips.push((
            format!(
                "{}: {}",
                tr.t(facet_heading_key(k)),
                value_label(tr, k, &norm, &label)
            ),
            link(&action, &rest),
        ));
        let _ = v;
    }
    for facet in FACETS {
        if fixed.is_some() && (facet == "tenant" || facet == "prefecture") {
            continue;
        }
        let selected = chosen(&q, facet);
        let values: Vec<FacetLink> = r
            .facets
            .iter()
            .filter(|f| f.facet == facet)
            .map(|f| {
                let is = selected.as_deref() == Some(f.value.as_str());
                let mut next: Vec<(&str, String)> = current
                    .iter()
                    .filter(|(k, _)| *k != facet)
                    .cloned()
                    .collect();
                if !is {
                    next.push((facet, f.value.clone()));
                }
                FacetLink {
                    label: value_label(tr, facet, &f.value, &f.label),
                    count: f.count,
                    url: link(&action, &next),
                    selected: is,
                }
            })
            .collect();
        if !values.is_empty() {
            t.groups.push(FacetGroup {
                id: format!("facet-{facet}"),
                heading: tr.t(facet_heading_key(facet)),
                values,
            });
        }
    }
    t.hits = r.items.iter().map(|h| hit_view(tr, h)).collect();
    t.total_line = tr.t1("cases-total", "count", &r.total);
    let page_link = |p: i64| {
        let mut ps = current.clone();
        if p > 0 {
            ps.push(("page", p.to_string()));
        }
        link(&action, &ps)
    };
    let last = (r.total - 1).max(0) / PER_PAGE;
    t.pages = numbered_pages(r.page, r.total, PER_PAGE, page_link);
    t.prev = (r.page > 0).then(|| page_link(r.page - 1));
    t.next = (r.page < last).then(|| page_link(r.page + 1));
    Ok(html(&t)?.into_response())
}

/// `GET /cases`
pub async fn national(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<CasesQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    render(&state, &ctx, None, query).await
}

/// `GET /t/{code}/cases`
pub async fn tenant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    query: Result<Query<CasesQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let (tenant, _) = known_tenant(&state, &code).await?;
    render(&state, &ctx, Some(tenant), query).await
}
