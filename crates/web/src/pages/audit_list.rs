use super::html;
use crate::auth::{Ctx, tenant_access};
use crate::error::{WebError, urlencode};
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use renkei_domain::Actor;
use renkei_domain::time::{jst_day_start, to_db_timestamp};
use renkei_store::audit::{AuditFilter, ListedAuditEntry};
use serde::Deserialize;

/// Entries per page.
const PER_PAGE: i64 = 100;
/// Longest filter text kept from the query string.
const MAX_FILTER_CHARS: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// Where the page starts (an entry id); from the "older" link.
    #[serde(default)]
    before: String,
}

#[derive(Template)]
#[template(path = "pages/audit_list.html")]
struct AuditTemplate {
    base: Base,
    lead: String,
    code: String,
    query: AuditQuery,
    error: Option<String>,
    /// Whether any filter or page start is set (an empty page then is not an empty trail).
    filtered: bool,
    entries: Vec<ListedAuditEntry>,
    newest: Option<String>,
    older: Option<String>,
}

fn clip(s: &str) -> String {
    s.trim().chars().take(MAX_FILTER_CHARS).collect()
}

/// A JST day `YYYY-MM-DD` as the stored instant it starts at (`end`: the next day's start).
fn day_bound(text: &str, end: bool) -> Result<Option<String>, ()> {
    if text.is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ())?;
    let day = if end { day.succ_opt().ok_or(())? } else { day };
    Ok(Some(to_db_timestamp(jst_day_start(day))))
}

/// A local government's audit trail, newest first, 100 entries a page (keyset paging: the
/// "older" link carries the last entry's id), filtered by action, actor, target and days.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(raw): Query<AuditQuery>,
) -> Result<impl IntoResponse, WebError> {
    let access = tenant_access(&state, &ctx, &code, Actor::may_read_audit).await?;
    let query = AuditQuery {
        action: clip(&raw.action),
        actor: clip(&raw.actor),
        target: clip(&raw.target),
        from: clip(&raw.from),
        to: clip(&raw.to),
        before: clip(&raw.before),
    };
    let before = query.before.parse::<i64>().ok().filter(|n| *n > 0);
    let (from, until) = (day_bound(&query.from, false), day_bound(&query.to, true));
    let (entries, older, error) = match (from, until) {
        (Ok(from), Ok(until)) => {
            let filter = AuditFilter {
                action: query.action.clone(),
                actor: query.actor.clone(),
                target: query.target.clone(),
                from,
                until,
            };
            let page = state
                .store
                .audit_page(&access.tenant.code, &filter, before, PER_PAGE)
                .await?;
            (page.entries, page.older, None)
        }
        _ => (Vec::new(), None, Some(ctx.tr.t("audit-bad-day"))),
    };
    let link = |before: Option<i64>| {
        let mut url = format!(
            "/t/{}/admin/audit?action={}&actor={}&target={}&from={}&to={}",
            access.tenant.code,
            urlencode(&query.action),
            urlencode(&query.actor),
            urlencode(&query.target),
            urlencode(&query.from),
            urlencode(&query.to)
        );
        if let Some(b) = before {
            url.push_str(&format!("&before={b}"));
        }
        url
    };
    let older = older.map(|id| link(Some(id)));
    let newest = before.map(|_| link(None));
    html(&AuditTemplate {
        base: Base::new(&ctx, ctx.tr.t("audit-title")),
        lead: ctx.tr.t1("audit-lead", "name", &access.tenant.full_name()),
        code: access.tenant.code,
        filtered: [
            &query.action,
            &query.actor,
            &query.target,
            &query.from,
            &query.to,
            &query.before,
        ]
        .iter()
        .any(|v| !v.is_empty()),
        query,
        error,
        entries,
        newest,
        older,
    })
}
