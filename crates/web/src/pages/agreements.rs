//! The agreement register (協定一覧): `/t/{code}/agreements`, public. Every published
//! partnership (公開, with publication consent) of the local government with its form,
//! partners, dates (和暦 shown, ISO in `<time datetime>`), status and last activity; a dormant
//! one is marked in words (`is_dormant` with the tenant's own period), so anyone can see which
//! agreements are alive. Filters by form and status, 50 a page (the page number bounded).
//! Each title links to the case page `/t/{code}/cases/{id}`, except a cancelled agreement's
//! (it stays listed, so anyone can see it ended that way, but it is no longer a case).

use super::html;
use super::proposal_view::{Choice, choices};
use crate::auth::{Ctx, known_tenant};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use renkei_domain::partnership::{Form, PartnershipStatus};
use renkei_store::partnerships::PartnershipFilter;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// Rows a page.
pub const PER_PAGE: i64 = 50;
/// The furthest page a link may ask for (from 1).
pub const MAX_PAGE: i64 = 2_000;

#[derive(Deserialize, Default, Clone)]
pub struct RegisterQuery {
    #[serde(default)]
    pub form: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub page: String,
}

impl RegisterQuery {
    /// The page from 1; anything else (text, 0, too far) is the nearest page that exists.
    fn page(&self) -> i64 {
        self.page
            .trim()
            .parse::<i64>()
            .unwrap_or(1)
            .clamp(1, MAX_PAGE)
    }

    fn link(&self, page: i64) -> String {
        let mut parts = Vec::new();
        if let Ok(f) = Form::parse(&self.form) {
            parts.push(format!("form={}", f.code()));
        }
        if let Ok(s) = PartnershipStatus::parse(&self.status) {
            parts.push(format!("status={}", s.code()));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        format!("?{}", parts.join("&"))
    }
}

/// A day as shown: the reader's words and the ISO day for `<time datetime>`.
pub struct DayView {
    pub iso: String,
    pub text: String,
}

fn day(ctx: &Ctx, d: Option<NaiveDate>) -> Option<DayView> {
    d.map(|d| DayView {
        iso: d.format("%Y-%m-%d").to_string(),
        text: renkei_app::mailer::date_for(ctx.tr.lang, d),
    })
}

pub struct AgreementRow {
    pub id: i64,
    pub title: String,
    pub form: String,
    pub partner: String,
    pub signed_on: Option<DayView>,
    pub starts_on: Option<DayView>,
    pub ends_on: Option<DayView>,
    pub status: String,
    pub last_activity_on: Option<DayView>,
    pub dormant: bool,
    /// Whether it has a case page (a cancelled agreement stays listed, without one).
    pub has_case: bool,
}

#[derive(Template)]
#[template(path = "pages/agreements.html")]
struct RegisterTemplate {
    base: Base,
    tenant: Tenant,
    rows: Vec<AgreementRow>,
    total_line: String,
    dormancy_line: String,
    forms: Vec<Choice>,
    statuses: Vec<Choice>,
    prev: Option<String>,
    next: Option<String>,
    page_line: String,
}

/// `GET /t/{code}/agreements`
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<RegisterQuery>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let page = q.page();
    let filter = PartnershipFilter {
        form: Form::parse(&q.form).ok(),
        status: PartnershipStatus::parse(&q.status).ok(),
        published: Some(true),
        public_only: true,
        page: page - 1,
        per_page: PER_PAGE,
        ..Default::default()
    };
    let (list, total) = state.store.partnerships(tcode, &filter).await?;
    let months = state.store.dormancy_months(tcode).await?;
    let tr = &ctx.tr;
    let rows = list
        .into_iter()
        .map(|s| AgreementRow {
            id: s.id,
            form: tr.t(&s.form.label_key()),
            partner: if s.party_count > 1 {
                tr.t2(
                    "agreements-partner-more",
                    ("name", &s.partner_name),
                    ("count", &(s.party_count - 1)),
                )
            } else {
                s.partner_name.clone()
            },
            signed_on: day(&ctx, s.signed_on),
            // The term runs from its first day, else from the signing.
            starts_on: day(&ctx, s.starts_on.or(s.signed_on)),
            ends_on: day(&ctx, s.ends_on),
            status: tr.t(&s.status.label_key()),
            last_activity_on: day(&ctx, s.last_activity_on),
            dormant: s.dormant,
            has_case: s.status.is_case(),
            title: s.title,
        })
        .collect();
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).clamp(1, MAX_PAGE);
    let chosen_form = vec![q.form.clone()];
    let chosen_status = vec![q.status.clone()];
    Ok(html(&RegisterTemplate {
        base: Base::new(
            &ctx,
            tr.t1("agreements-heading", "name", &tenant.full_name()),
        ),
        total_line: tr.t1("agreements-total", "count", &total),
        dormancy_line: tr.t1("agreements-dormancy", "months", &months),
        forms: choices(tr, Form::ALL, Form::code, Form::label_key, &chosen_form),
        statuses: choices(
            tr,
            PartnershipStatus::ALL,
            PartnershipStatus::code,
            PartnershipStatus::label_key,
            &chosen_status,
        ),
        prev: (page > 1).then(|| q.link(page - 1)),
        next: (page < pages).then(|| q.link(page + 1)),
        page_line: tr.t2(
            "agreements-page",
            ("page", &page.min(pages)),
            ("pages", &pages),
        ),
        rows,
        tenant,
    })?
    .into_response())
}
