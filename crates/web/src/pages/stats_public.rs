//! Statistics, public: `/t/{code}/stats` (one local government, read now) and `/stats` (the
//! whole country, from the cached aggregate, see `renkei_store::stats`). Aggregate counts
//! only: no proposal's text, receipt number or proponent. Each figure is a bar chart drawn
//! on the server (`crate::charts`) with its text alternative, and the same numbers as a table
//! below it.

use super::html;
use crate::auth::{Ctx, known_tenant};
use crate::charts::{Bar, bar_chart};
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use renkei_app::i18n::Tr;
use renkei_domain::Lang;
use renkei_domain::time::wareki_fiscal_year;
use renkei_store::stats::{NATIONAL_FRESHNESS_MINUTES, Stats, YearFigures};
use renkei_store::tenants::Tenant;

/// A table row: its heading (with the western fiscal year as machine-readable data when the
/// row is a year) and its cells.
pub struct Row {
    pub label: String,
    pub data: Option<i32>,
    pub cells: Vec<String>,
}

/// One figure: heading, what it counts, the chart and the table.
pub struct Section {
    pub id: &'static str,
    pub heading: String,
    pub note: String,
    pub svg: String,
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "pages/stats.html")]
struct StatsTemplate {
    base: Base,
    tenant: Option<Tenant>,
    lead: String,
    period: String,
    computed: String,
    sections: Vec<Section>,
}

/// 1,234 — thousands separated as both languages write them.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Tenths as a decimal: 25 → "2.5".
fn tenths(n: i64) -> String {
    format!("{}.{}", n / 10, n % 10)
}

/// A fiscal year as the reader expects it: 令和8年度, or FY2026 in English.
pub fn fiscal_year_label(lang: Lang, fy: i32) -> String {
    match lang {
        Lang::Ja => wareki_fiscal_year(fy),
        Lang::En => format!("FY{fy}"),
    }
}

fn chart(tr: &Tr, id: &str, title: &str, bars: &[Bar]) -> String {
    scaled_chart(tr, id, title, bars, None)
}

fn scaled_chart(tr: &Tr, id: &str, title: &str, bars: &[Bar], scale: Option<f64>) -> String {
    let summary = if bars.is_empty() {
        tr.t("stats-no-data")
    } else {
        bars.iter()
            .map(|b| format!("{}: {}", b.label, b.text))
            .collect::<Vec<_>>()
            .join(match tr.lang {
                Lang::Ja => "、",
                Lang::En => "; ",
            })
    };
    bar_chart(id, title, &summary, &tr.t("stats-no-data"), bars, scale)
}

fn count_bar(label: String, n: i64, tr: &Tr) -> Bar {
    Bar {
        label,
        value: n as f64,
        text: tr.t1("stats-count", "n", &thousands(n)),
    }
}

fn year_row(lang: Lang, y: &YearFigures, cells: Vec<String>) -> Row {
    Row {
        label: fiscal_year_label(lang, y.fiscal_year),
        data: Some(y.fiscal_year),
        cells,
    }
}

/// Every section of the page from the figures.
pub fn sections(tr: &Tr, s: &Stats) -> Vec<Section> {
    let lang = tr.lang;
    let fy = |y: &YearFigures| fiscal_year_label(lang, y.fiscal_year);
    let mut out = Vec::new();

    // Proposals per fiscal year and kind.
    let heading = tr.t("stats-proposals-heading");
    let bars: Vec<Bar> = s
        .years
        .iter()
        .map(|y| count_bar(fy(y), y.received, tr))
        .collect();
    let mut columns = vec![tr.t("stats-col-year")];
    if let Some(y) = s.years.first() {
        columns.extend(y.by_kind.iter().map(|(k, _)| tr.t(&format!("kind-{k}"))));
    }
    columns.push(tr.t("stats-col-total"));
    out.push(Section {
        id: "proposals",
        svg: chart(tr, "chart-proposals", &heading, &bars),
        heading,
        note: tr.t("stats-proposals-note"),
        columns,
        rows: s
            .years
            .iter()
            .map(|y| {
                let mut cells: Vec<String> = y.by_kind.iter().map(|(_, n)| thousands(*n)).collect();
                cells.push(thousands(y.received));
                year_row(lang, y, cells)
            })
            .collect(),
    });

    // Share realised.
    let heading = tr.t("stats-realised-heading");
    let pct = |y: &YearFigures| {
        y.realised_permille
            .map(|p| format!("{}%", tenths(p)))
            .unwrap_or_else(|| tr.t("stats-none"))
    };
    let bars: Vec<Bar> = s
        .years
        .iter()
        .map(|y| Bar {
            label: fy(y),
            value: y.realised_permille.unwrap_or(0) as f64,
            text: pct(y),
        })
        .collect();
    out.push(Section {
        id: "realised",
        svg: scaled_chart(tr, "chart-realised", &heading, &bars, Some(1000.0)),
        heading,
        note: tr.t("stats-realised-note"),
        columns: vec![
            tr.t("stats-col-year"),
            tr.t("status-decided"),
            tr.t("status-declined"),
            tr.t("stats-col-share"),
        ],
        rows: s
            .years
            .iter()
            .map(|y| {
                year_row(
                    lang,
                    y,
                    vec![thousands(y.decided), thousands(y.declined), pct(y)],
                )
            })
            .collect(),
    });

    // Median business days: first response, decision.
    for (id, chart_id, key, note, pick) in [
        (
            "first-response",
            "chart-first-response",
            "stats-first-response-heading",
            "stats-first-response-note",
            (|y: &YearFigures| (y.median_first_response_tenths, y.responded))
                as fn(&YearFigures) -> (Option<i64>, i64),
        ),
        (
            "decision",
            "chart-decision",
            "stats-decision-heading",
            "stats-decision-note",
            |y: &YearFigures| (y.median_decision_tenths, y.concluded),
        ),
    ] {
        let heading = tr.t(key);
        let text = |m: Option<i64>| {
            m.map(|m| tr.t1("stats-days", "n", &tenths(m)))
                .unwrap_or_else(|| tr.t("stats-none"))
        };
        let bars: Vec<Bar> = s
            .years
            .iter()
            .map(|y| {
                let (m, _) = pick(y);
                Bar {
                    label: fy(y),
                    value: m.unwrap_or(0) as f64,
                    text: text(m),
                }
            })
            .collect();
        out.push(Section {
            id,
            svg: chart(tr, chart_id, &heading, &bars),
            heading,
            note: tr.t(note),
            columns: vec![
                tr.t("stats-col-year"),
                tr.t("stats-col-median"),
                tr.t("stats-col-over"),
            ],
            rows: s
                .years
                .iter()
                .map(|y| {
                    let (m, n) = pick(y);
                    year_row(lang, y, vec![text(m), thousands(n)])
                })
                .collect(),
        });
    }

    // Activities per fiscal year.
    let heading = tr.t("stats-activities-heading");
    let bars: Vec<Bar> = s
        .years
        .iter()
        .map(|y| count_bar(fy(y), y.activities, tr))
        .collect();
    out.push(Section {
        id: "activities",
        svg: chart(tr, "chart-activities", &heading, &bars),
        heading,
        note: tr.t("stats-activities-note"),
        columns: vec![tr.t("stats-col-year"), tr.t("stats-col-count")],
        rows: s
            .years
            .iter()
            .map(|y| year_row(lang, y, vec![thousands(y.activities)]))
            .collect(),
    });

    // Partnerships by form, by field; decline reasons.
    for (id, chart_id, key, note, prefix, pairs) in [
        (
            "forms",
            "chart-forms",
            "stats-forms-heading",
            "stats-forms-note",
            "form",
            &s.by_form,
        ),
        (
            "fields",
            "chart-fields",
            "stats-fields-heading",
            "stats-fields-note",
            "field",
            &s.by_field,
        ),
        (
            "declines",
            "chart-declines",
            "stats-declines-heading",
            "stats-declines-note",
            "decline_reason",
            &s.decline_reasons,
        ),
    ] {
        let heading = tr.t(key);
        let label = |code: &str| tr.t(&format!("{prefix}-{code}"));
        let bars: Vec<Bar> = pairs
            .iter()
            .map(|(c, n)| count_bar(label(c), *n, tr))
            .collect();
        out.push(Section {
            id,
            svg: chart(tr, chart_id, &heading, &bars),
            heading,
            note: tr.t(note),
            columns: vec![tr.t("stats-col-item"), tr.t("stats-col-count")],
            rows: pairs
                .iter()
                .map(|(c, n)| Row {
                    label: label(c),
                    data: None,
                    cells: vec![thousands(*n)],
                })
                .collect(),
        });
    }
    out
}

fn period(tr: &Tr, s: &Stats) -> String {
    match (s.years.first(), s.years.last()) {
        (Some(a), Some(b)) => tr.fill(
            "stats-period",
            &[
                ("from", &fiscal_year_label(tr.lang, a.fiscal_year)),
                ("to", &fiscal_year_label(tr.lang, b.fiscal_year)),
            ],
        ),
        _ => String::new(),
    }
}

fn render(
    ctx: &Ctx,
    title: String,
    tenant: Option<Tenant>,
    lead: String,
    computed: String,
    s: &Stats,
) -> Result<Response, WebError> {
    let base = Base::new(ctx, title);
    let computed = base.t1("stats-computed", "at", &base.datetime(&computed));
    Ok(html(&StatsTemplate {
        period: period(&ctx.tr, s),
        sections: sections(&ctx.tr, s),
        base,
        tenant,
        lead,
        computed,
    })?
    .into_response())
}

/// `GET /t/{code}/stats`
pub async fn tenant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> Result<Response, WebError> {
    let (tenant, tcode) = known_tenant(&state, &code).await?;
    let s = state.store.tenant_stats(tcode).await?;
    let name = tenant.full_name();
    let computed = s.computed_at.clone();
    render(
        &ctx,
        ctx.tr.t1("stats-tenant-heading", "name", &name),
        Some(tenant),
        ctx.tr.t("stats-tenant-lead"),
        computed,
        &s,
    )
}

/// `GET /stats`
pub async fn national(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let s = state.store.national_stats().await?;
    let computed = s.computed_at.clone();
    render(
        &ctx,
        ctx.tr.t("stats-national-heading"),
        None,
        ctx.tr.t1(
            "stats-national-lead",
            "minutes",
            &NATIONAL_FRESHNESS_MINUTES,
        ),
        computed,
        &s,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_years_as_written() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1234), "-1,234");
        assert_eq!(tenths(25), "2.5");
        assert_eq!(tenths(30), "3.0");
        assert_eq!(fiscal_year_label(Lang::Ja, 2024), "令和6年度");
        assert_eq!(fiscal_year_label(Lang::En, 2024), "FY2024");
    }
}
