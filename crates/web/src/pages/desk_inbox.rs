//! The desk's inbox: `/t/{code}/desk/proposals` with filters, sort, search, pagination.

use super::desk_bulk::BulkForm;
use super::html;
use super::proposal_view::{Choice, ProposalView, choices};
use crate::auth::{Ctx, TenantAccess, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::{Base, FieldErrors};
use askama::Template;
use axum::body::Body;
use axum::extract::Path;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use renkei_app::proposals as cmd;
use renkei_domain::Actor;
use renkei_domain::proposal::{DeclineReason, Field, Kind, PartnerType, Route, Status};
use renkei_store::proposals::{INBOX_EXPORT_MAX, InboxFilter, InboxSort};
use renkei_store::tenants::Tenant;
use renkei_store::users::User;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct InboxQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub partner_type: String,
    #[serde(default)]
    pub route: String,
    #[serde(default)]
    pub age: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub page: String,
    /// A `?notice=` key after a bulk change (only known keys are shown).
    #[serde(default)]
    pub notice: String,
}

impl InboxQuery {
    /// The filter; unknown values are ignored rather than refused (it is a GET form).
    pub fn filter(&self) -> InboxFilter {
        let statuses = match self.status.as_str() {
            "" | "open" => Status::OPEN.iter().map(|s| s.code().to_string()).collect(),
            "all" => vec![],
            "overdue" | "routing-overdue" => {
                Status::OPEN.iter().map(|s| s.code().to_string()).collect()
            }
            s => Status::parse(s)
                .map(|s| vec![s.code().to_string()])
                .unwrap_or_default(),
        };
        let pick = |v: &str, ok: bool| (ok && !v.is_empty()).then(|| v.to_string());
        InboxFilter {
            statuses,
            kind: pick(&self.kind, Kind::parse(&self.kind).is_ok()),
            field: pick(&self.field, Field::parse(&self.field).is_ok()),
            partner_type: pick(
                &self.partner_type,
                PartnerType::parse(&self.partner_type).is_ok(),
            ),
            route: pick(&self.route, Route::parse(&self.route).is_ok()),
            older_than_days: self
                .age
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d)),
            assignee: self.assignee.parse::<i64>().ok().filter(|a| *a >= 0),
            q: Some(self.q.chars().take(100).collect()),
            overdue_only: self.status == "overdue",
            routing_overdue_only: self.status == "routing-overdue",
            sort: InboxSort::parse(&self.sort),
            page: self.page.parse::<i64>().unwrap_or(0).clamp(0, 100_000),
            per_page: 25,
        }
    }

    /// How many of the folded filters (all but the keyword and the status) are set.
    fn folded_active(&self) -> usize {
        [
            &self.kind,
            &self.field,
            &self.partner_type,
            &self.route,
            &self.age,
            &self.assignee,
        ]
        .iter()
        .filter(|v| !v.is_empty())
        .count()
    }

    /// The filters as a query string (`?status=…&q=…`, no page): the export links carry them.
    pub(crate) fn filters_query(&self) -> String {
        let parts = self.filter_pairs();
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    fn link(&self, page: i64) -> String {
        let mut parts = self.filter_pairs();
        parts.push(format!("page={page}"));
        format!("?{}", parts.join("&"))
    }

    /// The same filters without one of them (a chip's removal link), from the first page.
    fn without(&self, name: &str) -> String {
        let mut q = self.clone();
        match name {
            "status" => q.status.clear(),
            "kind" => q.kind.clear(),
            "field" => q.field.clear(),
            "partner_type" => q.partner_type.clear(),
            "route" => q.route.clear(),
            "age" => q.age.clear(),
            "assignee" => q.assignee.clear(),
            "q" => q.q.clear(),
            _ => {}
        }
        q.link(0)
    }

    /// The filters that are set, as `name=value` with the value URL-encoded.
    fn filter_pairs(&self) -> Vec<String> {
        [
            ("status", &self.status),
            ("kind", &self.kind),
            ("field", &self.field),
            ("partner_type", &self.partner_type),
            ("route", &self.route),
            ("age", &self.age),
            ("assignee", &self.assignee),
            ("q", &self.q),
            ("sort", &self.sort),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", crate::error::urlencode(v)))
        .collect()
    }
}

#[derive(Template)]
#[template(path = "pages/desk_inbox.html")]
struct InboxTemplate {
    base: Base,
    tenant: Tenant,
    rows: Vec<ProposalView>,
    total_line: String,
    query: InboxQuery,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    fields: Vec<Choice>,
    partner_types: Vec<Choice>,
    routes: Vec<Choice>,
    desk_staff: Vec<User>,
    prev: Option<String>,
    next: Option<String>,
    /// Numbered page links: (label, link, current); `None` link for a gap (…).
    pages: Vec<(String, Option<String>, bool)>,
    /// When a search among open items also matches closed ones: the line and its link.
    closed_hint: Option<(String, String)>,
    /// The current filters for the export links; `None` when too many match to export.
    export_query: Option<String>,
    export_lead: String,
    /// Active filters: (label, link without it).
    chips: Vec<(String, String)>,
    /// How many of the folded filters are set (shown on the control that unfolds them).
    filters_active: usize,
    /// The current filters (no `?`), carried by the bulk form to come back to the same list.
    filters_here: String,
    bulk_actions: Vec<(String, String)>,
    reasons: Vec<Choice>,
    bulk: BulkForm,
    errors: FieldErrors,
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<InboxQuery>,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    render(
        &state,
        &ctx,
        a,
        query,
        BulkForm::default(),
        FieldErrors::default(),
    )
    .await
}

/// The inbox page; after a refused bulk change, with its errors and the proposals that were
/// ticked still ticked.
pub(crate) async fn render(
    state: &AppState,
    ctx: &Ctx,
    a: TenantAccess,
    query: InboxQuery,
    bulk: BulkForm,
    errors: FieldErrors,
) -> Result<Response, WebError> {
    let filter = query.filter();
    let (rows, total) = state.store.inbox(a.code, &filter).await?;
    state
        .store
        .audit_proposal_read(a.code, "inbox", "desk-inbox", &ctx.who())
        .await?;
    let tr = &ctx.tr;
    // A search among open items says so when closed items match too (「0件」 is not the end).
    let closed_hint = if !filter.q.as_deref().unwrap_or_default().trim().is_empty()
        && matches!(
            query.status.as_str(),
            "" | "open" | "overdue" | "routing-overdue"
        ) {
        let closed = InboxFilter {
            statuses: Status::ALL
                .iter()
                .filter(|s| s.is_closed())
                .map(|s| s.code().to_string())
                .collect(),
            overdue_only: false,
            page: 0,
            per_page: 1,
            ..filter.clone()
        };
        let n = state.store.inbox(a.code, &closed).await?.1;
        (n > 0).then(|| {
            let all = InboxQuery {
                status: "all".into(),
                ..query.clone()
            };
            (tr.t1("inbox-closed-hint", "count", &n), all.link(0))
        })
    } else {
        None
    };
    let desk_staff: Vec<User> = state
        .store
        .users_in_tenant(&a.tenant.code)
        .await?
        .into_iter()
        .filter(|u| u.role == renkei_domain::Role::Desk)
        .collect();
    let shown = (filter.page + 1) * filter.per_page;
    let chips = chips(tr, &query, &desk_staff);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = html(&InboxTemplate {
        base: Base::new(ctx, tr.t("inbox-title")).with_notice(Some(query.notice.as_str())),
        total_line: tr.t1("inbox-total", "count", &total),
        rows: {
            let today = state.store.today();
            rows.into_iter()
                .map(|p| ProposalView::new(tr, p, today))
                .collect()
        },
        statuses: choices(
            tr,
            Status::ALL,
            Status::code,
            Status::label_key,
            std::slice::from_ref(&query.status),
        ),
        kinds: choices(
            tr,
            Kind::ALL,
            Kind::code,
            Kind::label_key,
            std::slice::from_ref(&query.kind),
        ),
        fields: choices(
            tr,
            Field::ALL,
            Field::code,
            Field::label_key,
            std::slice::from_ref(&query.field),
        ),
        partner_types: choices(
            tr,
            PartnerType::ALL,
            PartnerType::code,
            PartnerType::label_key,
            std::slice::from_ref(&query.partner_type),
        ),
        routes: choices(
            tr,
            Route::ALL,
            Route::code,
            Route::label_key,
            std::slice::from_ref(&query.route),
        ),
        desk_staff,
        export_query: (total <= INBOX_EXPORT_MAX).then(|| query.filters_query()),
        export_lead: tr.t1("export-lead", "count", &total),
        pages: page_links(&query, filter.page, total, filter.per_page),
        closed_hint,
        prev: (filter.page > 0).then(|| query.link(filter.page - 1)),
        next: (shown < total).then(|| query.link(filter.page + 1)),
        chips,
        filters_active: query.folded_active(),
        filters_here: query.filters_query().trim_start_matches('?').to_string(),
        bulk_actions: bulk_actions(tr),
        reasons: choices(
            tr,
            DeclineReason::ALL,
            DeclineReason::code,
            DeclineReason::label_key,
            std::slice::from_ref(&bulk.reason),
        ),
        bulk,
        errors,
        tenant: a.tenant,
        query,
    })?;
    Ok((status, page).into_response())
}

/// The active filters as chips: what is set, and a link that removes it.
fn chips(tr: &crate::i18n::Tr, q: &InboxQuery, staff: &[User]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |name: &str, label_key: &str, value: String| {
        out.push((format!("{}：{}", tr.t(label_key), value), q.without(name)));
    };
    match q.status.as_str() {
        "" | "open" => {}
        "all" => push("status", "col-status", tr.t("inbox-all")),
        "overdue" => push("status", "col-status", tr.t("inbox-overdue")),
        "routing-overdue" => push("status", "col-status", tr.t("inbox-routing-overdue")),
        s => {
            if let Ok(st) = Status::parse(s) {
                push("status", "col-status", tr.t(&st.label_key()));
            }
        }
    }
    if let Ok(k) = Kind::parse(&q.kind) {
        push("kind", "col-kind", tr.t(&k.label_key()));
    }
    if let Ok(f) = Field::parse(&q.field) {
        push("field", "propose-fields", tr.t(&f.label_key()));
    }
    if let Ok(t) = PartnerType::parse(&q.partner_type) {
        push("partner_type", "propose-partner-type", tr.t(&t.label_key()));
    }
    if let Ok(r) = Route::parse(&q.route) {
        push("route", "col-route", tr.t(&r.label_key()));
    }
    if matches!(q.age.as_str(), "7" | "30" | "90") {
        push("age", "inbox-age", tr.t(&format!("inbox-age-{}", q.age)));
    }
    if q.assignee == "0" {
        push("assignee", "col-assignee", tr.t("inbox-unassigned"));
    } else if let Some(u) = staff.iter().find(|u| u.id.to_string() == q.assignee) {
        push("assignee", "col-assignee", u.display_name.clone());
    }
    let kw: String = q.q.trim().chars().take(100).collect();
    if !kw.is_empty() {
        push("q", "inbox-keyword", kw);
    }
    out
}

/// The bulk actions offered under the inbox (the app decides which exist).
fn bulk_actions(tr: &crate::i18n::Tr) -> Vec<(String, String)> {
    cmd::BULK_ACTIONS
        .iter()
        .map(|a| (a.to_string(), tr.t(&format!("bulk-action-{a}"))))
        .collect()
}

/// The inbox's numbered page links ([`super::numbered_pages`]).
fn page_links(
    query: &InboxQuery,
    current: i64,
    total: i64,
    per_page: i64,
) -> Vec<(String, Option<String>, bool)> {
    super::numbered_pages(current, total, per_page, |p| query.link(p))
}

/// The inbox with its current filters as a spreadsheet for the desk's own records: every
/// matching proposal (not one page), CSV in UTF-8 with a BOM or .xlsx. An export reads every
/// proposal in it, so it is recorded in the audit trail (format, count, filter) before a byte
/// leaves.
pub async fn export_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<InboxQuery>,
) -> Result<Response, WebError> {
    export(state, ctx, code, query, ExportFormat::Csv).await
}

/// [`export_csv`] as an Excel workbook.
pub async fn export_xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(query): Query<InboxQuery>,
) -> Result<Response, WebError> {
    export(state, ctx, code, query, ExportFormat::Xlsx).await
}

async fn export(
    state: AppState,
    ctx: Ctx,
    code: String,
    query: InboxQuery,
    format: ExportFormat,
) -> Result<Response, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let filter = query.filter();
    let Some(list) = state
        .store
        .inbox_export(a.code, &filter, INBOX_EXPORT_MAX)
        .await?
    else {
        return Err(WebError::BadRequest("export-too-many"));
    };
    let table = renkei_app::export::proposals_table(&ctx.tr, &list);
    let (body, content_type) = match format {
        ExportFormat::Csv => (
            renkei_app::export::to_csv(&table),
            "text/csv; charset=utf-8",
        ),
        ExportFormat::Xlsx => (
            renkei_app::export::to_xlsx(&table, &ctx.tr.t("export-sheet"))
                .map_err(|e| WebError::Internal(e.to_string()))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
    };
    let filter_text = query.link(0);
    state
        .store
        .audit_inbox_export(a.code, format.code(), list.len(), &filter_text, &ctx.who())
        .await?;
    let name = format!(
        "renkei-{}-proposals-{}.{}",
        a.code,
        state.store.today().format("%Y%m%d"),
        format.code()
    );
    let mut resp = Response::new(Body::from(body));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

#[derive(Clone, Copy)]
enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    fn code(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}
