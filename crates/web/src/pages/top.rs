use super::html;
use crate::auth::Ctx;
use crate::error::WebError;
use crate::state::AppState;
use crate::view::Base;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use renkei_store::tenants::Tenant;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct TopQuery {
    q: Option<String>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/top.html")]
struct TopTemplate {
    base: Base,
    q: String,
    searched: bool,
    results: Vec<Tenant>,
    count_line: String,
    results_line: String,
}

pub async fn get(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<TopQuery>,
) -> Result<impl IntoResponse, WebError> {
    let q = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(50)
        .collect::<String>();
    let searched = !q.is_empty();
    let results = if searched {
        state.store.tenants_search(&q, 100, 0).await?
    } else {
        // Without a query: the 47 prefectures, each a way into its municipalities.
        state.store.tenant_prefectures().await?
    };
    let count = state.store.tenant_count().await?;
    let tr = ctx.tr;
    html(&TopTemplate {
        base: Base::new(&ctx, tr.t("top-title")).with_notice(query.notice.as_deref()),
        count_line: tr.t1("top-count", "count", &count),
        results_line: tr.t1("top-results", "count", &results.len()),
        q,
        searched,
        results,
    })
}
