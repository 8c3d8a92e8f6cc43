//! The desk's dashboard (`/t/{code}/desk/dashboard`): proposals and partnerships in figures,
//! each figure a link to the list it counts (the inbox with its filters, the partnership
//! list with its filters). The figures come from a few aggregate queries
//! (`Store::desk_dashboard`).

use super::html;
use crate::auth::{Ctx, tenant_access};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_store::partnerships::AGE_THRESHOLDS;

/// One figure: its label, the count and the list it links to (none: no list filters it).
pub struct Figure {
    pub label: String,
    /// The count in words (「3件」).
    pub text: String,
    pub href: Option<String>,
}

impl Figure {
    pub fn new(tr: &crate::i18n::Tr, label: String, count: i64, href: Option<String>) -> Self {
        Self {
            text: tr.t1("dashboard-count", "count", &count),
            label,
            href,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/desk_dashboard.html")]
struct DashboardTemplate {
    base: Base,
    code: String,
    proposal_status: Vec<Figure>,
    /// Open proposals by age band (text; the bands are not a list filter).
    age_bands: Vec<Figure>,
    /// Open proposals at least 8, 31, 91 days old, and all open ones (links).
    age_lists: Vec<Figure>,
    attention: Vec<Figure>,
    partnership_status: Vec<Figure>,
    by_form: Vec<Figure>,
    by_field: Vec<Figure>,
    by_partner_type: Vec<Figure>,
}

fn figures(
    tr: &crate::i18n::Tr,
    rows: Vec<(String, i64)>,
    label_prefix: &str,
    href: impl Fn(&str) -> String,
) -> Vec<Figure> {
    rows.into_iter()
        .map(|(code, count)| {
            Figure::new(
                tr,
                tr.t(&format!("{label_prefix}-{code}")),
                count,
                Some(href(&code)),
            )
        })
        .collect()
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let a = tenant_access(&state, &ctx, &code, Actor::may_handle_proposals).await?;
    let d = state
        .caches
        .dashboard
        .get_or_load(a.code.to_string(), a.stamp, || {
            state.store.desk_dashboard(a.code)
        })
        .await?;
    let tr = &ctx.tr;
    let c = a.code.to_string();
    let inbox = format!("/t/{c}/desk/proposals");
    let list = format!("/t/{c}/partnerships");
    let p = &d.proposals;
    let bands = [
        p.open - p.older_than[0],
        p.older_than[0] - p.older_than[1],
        p.older_than[1] - p.older_than[2],
        p.older_than[2],
    ];
    let band_keys = [
        "dashboard-age-0-7",
        "dashboard-age-8-30",
        "dashboard-age-31-90",
        "dashboard-age-91",
    ];
    let age_bands = band_keys
        .iter()
        .zip(bands)
        .map(|(k, n)| Figure::new(tr, tr.t(k), n, None))
        .collect();
    let mut age_lists = vec![Figure::new(
        tr,
        tr.t("dashboard-open-all"),
        p.open,
        Some(format!("{inbox}?status=open")),
    )];
    for (days, n) in AGE_THRESHOLDS.iter().zip(p.older_than) {
        age_lists.push(Figure::new(
            tr,
            tr.t1("dashboard-older-than", "days", days),
            n,
            Some(format!("{inbox}?status=open&age={days}")),
        ));
    }
    let attention = vec![
        Figure::new(
            tr,
            tr.t("dashboard-overdue-first"),
            p.overdue_first_response,
            Some(format!("{inbox}?status=overdue")),
        ),
        Figure::new(
            tr,
            tr.t("dashboard-overdue-routings"),
            p.overdue_routings,
            Some(format!("{inbox}?status=routing-overdue")),
        ),
        Figure::new(
            tr,
            tr.t("dashboard-dormant"),
            d.dormant,
            Some(format!("{list}?dormant=1")),
        ),
        Figure::new(
            tr,
            tr.t("dashboard-ending"),
            d.ending_undecided,
            Some(format!("{list}?ending=1")),
        ),
        Figure::new(
            tr,
            tr.t("dashboard-feedback-pending"),
            d.feedback_pending,
            Some(format!("/t/{c}/desk/feedback")),
        ),
    ];
    let page = DashboardTemplate {
        base: Base::new(&ctx, tr.t("dashboard-title")),
        proposal_status: figures(
            tr,
            in_order(
                p.by_status.clone(),
                renkei_domain::proposal::Status::ALL
                    .iter()
                    .map(|v| v.code()),
            ),
            "status",
            |s| format!("{inbox}?status={s}"),
        ),
        age_bands,
        age_lists,
        attention,
        partnership_status: figures(
            tr,
            in_order(
                d.by_status.clone(),
                renkei_domain::partnership::PartnershipStatus::ALL
                    .iter()
                    .map(|v| v.code()),
            ),
            "partnership_status",
            |s| format!("{list}?status={s}"),
        ),
        by_form: figures(
            tr,
            in_order(
                d.by_form.clone(),
                renkei_domain::partnership::Form::ALL
                    .iter()
                    .map(|v| v.code()),
            ),
            "form",
            |s| format!("{list}?form={s}"),
        ),
        by_field: figures(
            tr,
            in_order(
                d.by_field.clone(),
                renkei_domain::proposal::Field::ALL.iter().map(|v| v.code()),
            ),
            "field",
            |s| format!("{list}?field={s}"),
        ),
        by_partner_type: figures(
            tr,
            in_order(
                d.by_partner_type.clone(),
                renkei_domain::proposal::PartnerType::ALL
                    .iter()
                    .map(|v| v.code()),
            ),
            "partner_type",
            |s| format!("{list}?partner_type={s}"),
        ),
        code: c,
    };
    html(&page)
}

/// Counts in the vocabulary's own order (the lifecycle's, the forms' as the desk names them),
/// not the codes' alphabetical order the database returns them in.
fn in_order<'a>(
    mut counts: Vec<(String, i64)>,
    order: impl Iterator<Item = &'a str>,
) -> Vec<(String, i64)> {
    let order: Vec<&str> = order.collect();
    counts.sort_by_key(|(code, _)| {
        order
            .iter()
            .position(|o| *o == code.as_str())
            .unwrap_or(usize::MAX)
    });
    counts
}
