//! The staff's list of partnerships (連携事業): `/t/{code}/partnerships`, for every member of
//! the local government's staff (`Actor::may_read_partnerships`). Folded filters like the
//! desk's inbox (status, form, department, field, partner type, dormant, ending, published,
//! words) with the active ones as removable chips, 50 a page, and 「新規登録」 for those who
//! may create one. The query parameters are the stable ones the exports and dashboards use.

use super::html;
use super::proposal_view::{Choice, choices};
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use renkei_domain::partnership::{Form, PartnershipStatus};
use renkei_domain::proposal::{Field, PartnerType};
use renkei_domain::{Actor, Role};
use renkei_store::departments::Department;
use renkei_store::partnerships::{PartnershipFilter, PartnershipSummary};
use renkei_store::tenants::Tenant;
use serde::Deserialize;

/// One page of the list.
pub const PER_PAGE: i64 = 50;
/// The furthest page a link may ask for.
pub const MAX_PAGE: i64 = 10_000;

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub form: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub partner_type: String,
    #[serde(default)]
    pub dormant: String,
    #[serde(default)]
    pub ending: String,
    #[serde(default)]
    pub published: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub notice: String,
}

impl ListQuery {
    /// The filter; unknown values are ignored rather than refused (it is a GET form).
    pub fn filter(&self) -> PartnershipFilter {
        PartnershipFilter {
            status: PartnershipStatus::parse(&self.status).ok(),
            form: Form::parse(&self.form).ok(),
            department_id: self.department.parse::<i64>().ok().filter(|d| *d > 0),
            field: Field::parse(&self.field).ok(),
            partner_type: PartnerType::parse(&self.partner_type).ok(),
            dormant: self.dormant == "1",
            ending: self.ending == "1",
            published: match self.published.as_str() {
                "1" => Some(true),
                "0" => Some(false),
                _ => None,
            },
            q: self.q.trim().chars().take(100).collect(),
            page: self.page.parse::<i64>().unwrap_or(0).clamp(0, MAX_PAGE),
            per_page: PER_PAGE,
            public_only: false,
        }
    }

    fn pairs(&self) -> Vec<String> {
        [
            ("status", &self.status),
            ("form", &self.form),
            ("department", &self.department),
            ("field", &self.field),
            ("partner_type", &self.partner_type),
            ("dormant", &self.dormant),
            ("ending", &self.ending),
            ("published", &self.published),
            ("q", &self.q),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::error::urlencode(v)))
        .collect()
    }

    fn link(&self, page: i64) -> String {
        let mut parts = self.pairs();
        if page > 0 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "?".to_string()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    fn without(&self, name: &str) -> String {
        let mut q = self.clone();
        match name {
            "status" => q.status.clear(),
            "form" => q.form.clear(),
            "department" => q.department.clear(),
            "field" => q.field.clear(),
            "partner_type" => q.partner_type.clear(),
            "dormant" => q.dormant.clear(),
            "ending" => q.ending.clear(),
            "published" => q.published.clear(),
            "q" => q.q.clear(),
            _ => {}
        }
        q.link(0)
    }

    fn folded_active(&self) -> usize {
        [
            &self.form,
            &self.department,
            &self.field,
            &self.partner_type,
            &self.dormant,
            &self.ending,
            &self.published,
        ]
        .iter()
        .filter(|v| !v.is_empty())
        .count()
    }
}

/// A partnership as a row of a list.
pub struct RowView {
    pub s: PartnershipSummary,
    pub form: String,
    pub status: String,
    pub partner: String,
    pub department: String,
    pub signed_on: String,
    pub ends_on: String,
    pub last_activity_on: String,
}

fn day(tr: &Tr, d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| renkei_app::mailer::date_for(tr.lang, d))
        .unwrap_or_else(|| tr.t("pships-none"))
}

impl RowView {
    pub fn new(tr: &Tr, s: PartnershipSummary) -> Self {
        let partner = if s.party_count > 1 {
            format!("{}（+{}）", s.partner_name, s.party_count - 1)
        } else {
            s.partner_name.clone()
        };
        Self {
            form: tr.t(&s.form.label_key()),
            status: tr.t(&s.status.label_key()),
            department: s
                .department_name
                .clone()
                .unwrap_or_else(|| tr.t("pships-desk-led")),
            signed_on: day(tr, s.signed_on),
            ends_on: day(tr, s.ends_on),
            last_activity_on: day(tr, s.last_activity_on),
            partner,
            s,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/partnerships.html")]
struct ListTemplate {
    base: Base,
    tenant: Tenant,
    rows: Vec<RowView>,
    total_line: String,
    query: ListQuery,
    statuses: Vec<Choice>,
    forms: Vec<Choice>,
    fields: Vec<Choice>,
    partner_types: Vec<Choice>,
    departments: Vec<Department>,
    chips: Vec<(String, String)>,
    filters_active: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<(String, Option<String>, bool)>,
    may_create: bool,
    home: String,
    /// The list's filters as a query string (`?…`), for the CSV and .xlsx exports.
    export_query: String,
}

/// What a list page reads from the store (kept in `Caches::partnership_lists`).
pub struct Listed {
    rows: Vec<PartnershipSummary>,
    total: i64,
    departments: Vec<Department>,
}

/// Whether this member of staff may create a partnership of some form.
pub fn may_create_some(actor: &Actor, tenant: renkei_domain::TenantCode) -> bool {
    actor.may_handle_proposals(tenant)
        || (actor.role == Role::Department
            && actor.may_read_partnerships(tenant)
            && !actor.departments.is_empty())
}

/// `GET /t/{code}/partnerships`
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_read_partnerships).await?;
    let tr = &ctx.tr;
    let filter = query.filter();
    let listed = state
        .caches
        .partnership_lists
        .get_or_load((a.code.to_string(), filter.clone()), a.stamp, || async {
            let (rows, total) = state.store.partnerships(a.code, &filter).await?;
            let departments = state.store.departments(a.code).await?;
            Ok::<_, renkei_store::StoreError>(Listed {
                rows,
                total,
                departments,
            })
        })
        .await?;
    let (total, departments) = (listed.total, &listed.departments);
    let one = |v: &String| std::slice::from_ref(v).to_vec();
    let mut chips = Vec::new();
    {
        let mut push = |name: &str, label: String, value: String| {
            chips.push((format!("{label}：{value}"), query.without(name)));
        };
        if let Some(s) = filter.status {
            push("status", tr.t("col-status"), tr.t(&s.label_key()));
        }
        if let Some(f) = filter.form {
            push("form", tr.t("pships-form"), tr.t(&f.label_key()));
        }
        if let Some(d) = filter
            .department_id
            .and_then(|d| departments.iter().find(|x| x.id == d))
        {
            push("department", tr.t("pships-department"), d.name.clone());
        }
        if let Some(f) = filter.field {
            push("field", tr.t("propose-fields"), tr.t(&f.label_key()));
        }
        if let Some(t) = filter.partner_type {
            push(
                "partner_type",
                tr.t("pships-party-type"),
                tr.t(&t.label_key()),
            );
        }
        if filter.dormant {
            push(
                "dormant",
                tr.t("pships-filter-flag"),
                tr.t("pships-dormant"),
            );
        }
        if filter.ending {
            push("ending", tr.t("pships-filter-flag"), tr.t("pships-ending"));
        }
        if let Some(p) = filter.published {
            push(
                "published",
                tr.t("pships-published"),
                tr.t(if p { "pships-yes" } else { "pships-no" }),
            );
        }
        if !filter.q.is_empty() {
            push("q", tr.t("inbox-keyword"), filter.q.clone());
        }
    }
    let shown = (filter.page + 1) * filter.per_page;
    let page = html(&ListTemplate {
        base: Base::new(&ctx, tr.t("pships-title")).with_notice(Some(query.notice.as_str())),
        total_line: tr.t1("pships-total", "count", &total),
        rows: listed
            .rows
            .iter()
            .map(|s| RowView::new(tr, s.clone()))
            .collect(),
        statuses: choices(
            tr,
            PartnershipStatus::ALL,
            PartnershipStatus::code,
            PartnershipStatus::label_key,
            &one(&query.status),
        ),
        forms: choices(
            tr,
            Form::ALL,
            Form::code,
            Form::label_key,
            &one(&query.form),
        ),
        fields: choices(
            tr,
            Field::ALL,
            Field::code,
            Field::label_key,
            &one(&query.field),
        ),
        partner_types: choices(
            tr,
            PartnerType::ALL,
            PartnerType::code,
            PartnerType::label_key,
            &one(&query.partner_type),
        ),
        departments: departments.clone(),
        chips,
        filters_active: query.folded_active(),
        prev: (filter.page > 0).then(|| query.link(filter.page - 1)),
        next: (shown < total).then(|| query.link(filter.page + 1)),
        pages: super::numbered_pages(filter.page, total, filter.per_page, |p| query.link(p)),
        may_create: may_create_some(&a.actor, a.code),
        home: a.actor.home_path(),
        export_query: query.link(0),
        tenant: a.tenant,
        query,
    })?;
    Ok(page.into_response())
}
