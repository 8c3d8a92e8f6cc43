use super::html;
use crate::auth::{Ctx, known_tenant};
use crate::error::WebError;
use crate::i18n::Tr;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use renkei_app::mailer::date_for;
use renkei_domain::TenantCode;
use renkei_domain::open_call::accepts_answers;
use renkei_store::tenants::Tenant;

/// What a visitor reads where a desk does not take proposals now, and where to go instead:
/// the prefecture's desk when that one is open.
pub struct ClosedDesk {
    pub heading: String,
    pub message: String,
    /// (link, label) of an open desk nearby.
    pub elsewhere: Option<(String, String)>,
}

/// `None` while the desk takes proposals.
pub async fn closed_desk(
    state: &AppState,
    tr: &Tr,
    tenant: &Tenant,
) -> Result<Option<ClosedDesk>, WebError> {
    let code = TenantCode::parse(&tenant.code).map_err(|_| WebError::TenantNotFound)?;
    if state.store.desk_openness(code).await?.is_open() {
        return Ok(None);
    }
    let mut elsewhere = None;
    if !tenant.is_prefecture()
        && let Ok(pref_code) = TenantCode::parse(&tenant.prefecture_code)
        && state.store.desk_openness(pref_code).await?.is_open()
    {
        let pref = state.store.tenant(&tenant.prefecture_code).await?;
        elsewhere = Some((
            format!("/t/{}", pref.code),
            tr.t1("desk-closed-prefecture", "name", &pref.name),
        ));
    }
    Ok(Some(ClosedDesk {
        heading: tr.t("desk-closed-heading"),
        message: tr.t1("desk-closed-message", "name", &tenant.full_name()),
        elsewhere,
    }))
}

#[derive(Template)]
#[template(path = "pages/tenant.html")]
struct TenantTemplate {
    base: Base,
    tenant: Tenant,
    prefecture: Option<Tenant>,
    municipalities: Vec<Tenant>,
    municipalities_heading: String,
    prefecture_line: String,
    closed: Option<ClosedDesk>,
    /// The desk's own description, or the standard lead.
    description: String,
    scope: Vec<String>,
    not_taken: Vec<String>,
    process: Vec<String>,
    contact: String,
    hours: String,
    principle_money: String,
    /// Calls taking answers today, the soonest closing first: (link, title, closing line).
    open_calls: Vec<(String, String, String)>,
    /// The latest published partnerships: (link, title, partner).
    latest: Vec<(String, String, String)>,
    /// Municipalities (of a prefecture's page) whose desk takes proposals.
    open_codes: Vec<String>,
}

impl TenantTemplate {
    fn desk_is_open(&self, code: &str) -> bool {
        self.open_codes.iter().any(|c| c == code)
    }
}

/// Non-empty lines of a multi-line field, for a list.
fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// The steps of an ordered list, without the numbers an admin may have typed ("1. ", "２．",
/// "(3)", "④"): the list numbers them itself.
fn steps(text: &str) -> Vec<String> {
    lines(text)
        .into_iter()
        .map(|l| match strip_step_number(&l) {
            Some(rest) if !rest.is_empty() => rest.to_string(),
            _ => l,
        })
        .collect()
}

/// The line after a leading step number: digits followed by `.`, `．`, `、`, `)`, `）`, `:`,
/// `：`; the same in brackets; or a circled number. ("10 人で" keeps its number.)
fn strip_step_number(line: &str) -> Option<&str> {
    let is_digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    if let Some(c) = line.chars().next()
        && ('①'..='⑳').contains(&c)
    {
        return Some(line[c.len_utf8()..].trim_start());
    }
    let inner = line
        .strip_prefix('(')
        .or_else(|| line.strip_prefix('（'))
        .unwrap_or(line);
    let digits_end = inner.find(|c: char| !is_digit(c))?;
    if digits_end == 0 {
        return None;
    }
    let rest = &inner[digits_end..];
    let sep = rest.chars().next()?;
    matches!(sep, '.' | '．' | '、' | ')' | '）' | ':' | '：')
        .then(|| rest[sep.len_utf8()..].trim_start())
}

/// The public page of a local government's partnership desk.
pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, WebError> {
    let (tenant, tenant_code) = known_tenant(&state, &code).await?;
    let (prefecture, municipalities) = if tenant.is_prefecture() {
        (None, state.store.tenant_municipalities(&tenant.code).await?)
    } else {
        (
            Some(state.store.tenant(&tenant.prefecture_code).await?),
            Vec::new(),
        )
    };
    let tr = ctx.tr;
    let closed = closed_desk(&state, &tr, &tenant).await?;
    let profile = state.store.desk_profile(tenant_code).await?;
    let desk_name = if profile.desk_name.is_empty() {
        tr.t("public-desk-default-name")
    } else {
        profile.desk_name.clone()
    };
    let kind = tr.t(renkei_domain::desk::kind_word_key(&tenant.name));
    let today = state.store.today();
    let mut calls: Vec<_> = state
        .store
        .open_calls_public(tenant_code)
        .await?
        .into_iter()
        .filter(|c| accepts_answers(c.stored_status, c.opens_on, c.closes_on, today))
        .collect();
    calls.sort_by_key(|c| (c.closes_on, c.id));
    let open_calls = calls
        .iter()
        .map(|c| {
            (
                format!("/t/{}/calls/{}", tenant.code, c.id),
                c.title.clone(),
                tr.t1("landing-closes-on", "date", &date_for(tr.lang, c.closes_on)),
            )
        })
        .collect();
    let latest = state
        .store
        .latest_public_cases(Some(tenant_code), 6)
        .await?
        .into_iter()
        .map(|c| {
            (
                format!("/t/{}/cases/{}", tenant.code, c.id),
                c.title,
                c.partner_name,
            )
        })
        .collect();
    let open_codes = if municipalities.is_empty() {
        Vec::new()
    } else {
        state.store.open_desks_in(&tenant.code).await?
    };
    html(&TenantTemplate {
        closed,
        base: Base::new(
            &ctx,
            tr.t2(
                "public-desk-name",
                ("name", &tenant.full_name()),
                ("desk", &desk_name),
            ),
        ),
        description: if profile.description.is_empty() {
            tr.t("tenant-desk-lead")
        } else {
            profile.description.clone()
        },
        scope: lines(&profile.scope),
        not_taken: lines(&profile.not_taken),
        process: if profile.process.is_empty() {
            steps(&tr.t("public-process-default"))
        } else {
            steps(&profile.process)
        },
        contact: profile.contact.clone(),
        hours: profile.hours.clone(),
        principle_money: tr.t1("tenant-principle-4-kind", "kind", &kind),
        open_calls,
        latest,
        open_codes,
        municipalities_heading: tr.t1("tenant-municipalities", "count", &municipalities.len()),
        prefecture_line: prefecture
            .as_ref()
            .map(|p| tr.t1("tenant-prefecture-desk", "name", &p.name))
            .unwrap_or_default(),
        tenant,
        prefecture,
        municipalities,
    })
}

#[cfg(test)]
mod tests {
    use super::steps;

    #[test]
    fn typed_step_numbers_are_dropped_and_the_text_kept() {
        assert_eq!(
            steps("1. 送信\n\n２．面談\n(3) 調整\n④ 決定\n2026年度に開始\n10 人で"),
            vec!["送信", "面談", "調整", "決定", "2026年度に開始", "10 人で"]
        );
    }
}
