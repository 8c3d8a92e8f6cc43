//! The national search over published open calls (公募).
//!
//! A call anyone may read (published, closed or decided — never a draft or one awaiting the
//! desk) has a `public_calls` row with its folded public text: what the public call page
//! shows of its content (title, background, problem, constraints, what the city offers, the
//! outcomes wanted, who may answer). Never an answer, a score, a conflict or the selection.
//!
//! Search works as the case search does ([`crate::cases`]), with its words
//! ([`crate::cases::query_words`]), folding ([`crate::cases::case_fold`]) and bigram tokens
//! ([`crate::search::query_tokens`], no tenant prefix): FTS5 on SQLite and a GIN-indexed
//! `tsvector` on PostgreSQL (`public_call_search`, statements in [`crate::backend`]). The index
//! narrows; a `LIKE` on the folded text decides, so 防災 / 子育 (one bigram) match exactly and a
//! phrase matches as a substring.
//!
//! The rows are written in the call's own write transaction on every change
//! (`WriteTx::call_reindex`: create, edit, submit, return, publish, close, decide), by the
//! migrator after migration 30 for existing calls, and by [`crate::Store::calls_rebuild`].

use super::StoredCall;
use crate::cases::{case_fold, query_words};
use crate::{Backend, Result, Store};
use renkei_domain::TenantCode;
use sqlx::Row;

/// The migration that creates the call index; the migrator then indexes the existing calls.
pub const CALLS_MIGRATION: i64 = 30;

/// Calls per batch when indexing many.
const BATCH: i64 = 200;

/// The statuses whose calls anyone may read (as stored: a published call past its closing
/// date is stored `published`).
const PUBLIC_STATUSES: &str = "('published', 'closed', 'decided')";

/// The folded public text of a call's content, in the order the public page shows it.
#[allow(clippy::too_many_arguments)]
fn folded(
    title: &str,
    background: &str,
    problem: &str,
    constraints: &str,
    offers: &str,
    outcomes: &str,
    eligibility: &str,
) -> String {
    case_fold(
        &[
            title,
            background,
            problem,
            constraints,
            offers,
            outcomes,
            eligibility,
        ]
        .join("\n"),
    )
}

/// What the search reads of a call: its public content, folded.
pub fn search_text(c: &StoredCall) -> String {
    folded(
        &c.title,
        &c.background,
        &c.problem,
        &c.constraints,
        &c.offers,
        &c.outcomes,
        &c.eligibility,
    )
}

/// Whether a call matches the query `q` by the search's rules (every word, folded, in its
/// folded public text): for lists read otherwise than through the index (a staff member's
/// list through the API, drafts included). A query without words matches everything.
pub fn matches(c: &StoredCall, q: &str) -> bool {
    let words = query_words(q);
    if words.is_empty() {
        return true;
    }
    let text = search_text(c);
    words.iter().all(|w| text.contains(w.as_str()))
}

/// The condition on the indexed calls `pc` for the folded `words` (none: `None`), with its
/// values, numbered from `$first`.
pub(crate) fn word_condition(
    backend: Backend,
    words: &[String],
    first: usize,
) -> Option<(String, Vec<String>)> {
    if words.is_empty() {
        return None;
    }
    let mut conds = Vec::new();
    let mut binds = Vec::new();
    let tokens = crate::search::query_tokens("", words.iter().map(String::as_str));
    if !tokens.is_empty() {
        binds.push(tokens.join(" "));
        conds.push(backend.call_search_match_sql(&format!("${first}")));
    }
    for w in words {
        binds.push(format!("%{}%", crate::like_escape(w)));
        conds.push(format!(
            "pc.search_text LIKE ${} ESCAPE '\\'",
            first + binds.len() - 1
        ));
    }
    Some((conds.join(" AND "), binds))
}

/// Indexes the public calls among those with ids in `from..=to` (none of which may be
/// indexed already). Returns how many.
async fn index_range(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    from: i64,
    to: i64,
    now: &str,
) -> Result<u64> {
    let rows = sqlx::query(&format!(
        "SELECT id, tenant_code, title, background, problem, constraints_text, offers, outcomes, \
         eligibility FROM open_calls WHERE id >= $1 AND id <= $2 AND status IN {PUBLIC_STATUSES} \
         ORDER BY id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut docs = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let tenant: String = r.try_get("tenant_code")?;
        let text = folded(
            &r.try_get::<String, _>("title")?,
            &r.try_get::<String, _>("background")?,
            &r.try_get::<String, _>("problem")?,
            &r.try_get::<String, _>("constraints_text")?,
            &r.try_get::<String, _>("offers")?,
            &r.try_get::<String, _>("outcomes")?,
            &r.try_get::<String, _>("eligibility")?,
        );
        sqlx::query(
            "INSERT INTO public_calls (call_id, tenant_code, search_text, indexed_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&tenant)
        .bind(&text)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        docs.push((id, crate::search::document("", &text)));
    }
    for chunk in docs.chunks(100) {
        let sql = backend.call_search_insert_sql(chunk.len());
        let mut q = sqlx::query(&sql);
        for (id, doc) in chunk {
            q = q.bind(*id).bind(doc.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(docs.len() as u64)
}

/// Removes a call's index rows, if it has any.
async fn remove(conn: &mut sqlx::AnyConnection, backend: Backend, id: i64) -> Result<()> {
    let old = sqlx::query("SELECT search_text FROM public_calls WHERE call_id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(old) = old else {
        return Ok(());
    };
    let text: String = old.try_get("search_text")?;
    // FTS5's contentless table is told the document it held; PostgreSQL deletes the row.
    sqlx::query(backend.call_search_delete_sql())
        .bind(id)
        .bind(crate::search::document("", &text))
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM public_calls WHERE call_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Brings one call's index rows up to date: removed, then written again when anyone may read
/// it.
pub(crate) async fn reindex(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    id: i64,
    now: &str,
) -> Result<()> {
    remove(conn, backend, id).await?;
    index_range(conn, backend, id, id, now).await?;
    Ok(())
}

/// Indexes every public call (the index must be empty). Returns how many.
pub(crate) async fn backfill(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    now: &str,
) -> Result<u64> {
    let top: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS top FROM open_calls")
        .fetch_one(&mut *conn)
        .await?
        .try_get("top")?;
    let mut count = 0;
    let mut from = 1;
    while from <= top {
        count += index_range(conn, backend, from, from + BATCH - 1, now).await?;
        from += BATCH;
    }
    Ok(count)
}

impl Store {
    /// The ids of the public calls (of one local government, or of all) matching `q`; `None`
    /// when `q` has no words (everything matches).
    pub async fn public_call_matches(
        &self,
        tenant: Option<TenantCode>,
        q: &str,
    ) -> Result<Option<Vec<i64>>> {
        let words = query_words(q);
        let Some((cond, binds)) = word_condition(self.backend(), &words, 2) else {
            return Ok(None);
        };
        let sql = format!(
            "SELECT pc.call_id FROM public_calls pc WHERE ($1 = '' OR pc.tenant_code = $1) \
             AND {cond} ORDER BY pc.call_id"
        );
        let mut query = sqlx::query(&sql).bind(tenant.map(|t| t.to_string()).unwrap_or_default());
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let ids = query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| r.try_get::<i64, _>("call_id"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(ids))
    }

    /// The call index's candidates for `q` (every bigram of its words), before the text
    /// decides: for checking that the index follows changes.
    pub async fn call_index_candidates(&self, q: &str) -> Result<Vec<i64>> {
        let words: Vec<String> = q.split_whitespace().map(case_fold).collect();
        let tokens = crate::search::query_tokens("", words.iter().map(String::as_str));
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT pc.call_id FROM public_calls pc WHERE {} ORDER BY pc.call_id",
            self.backend().call_search_match_sql("$1")
        );
        sqlx::query(&sql)
            .bind(tokens.join(" "))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(r.try_get("call_id")?))
            .collect()
    }

    /// Rebuilds the call index in one transaction (after a bulk load). Returns how many calls.
    pub async fn calls_rebuild(&self) -> Result<u64> {
        let backend = self.backend();
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        sqlx::query(backend.call_search_clear_sql())
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM public_calls")
            .execute(&mut *tx.tx)
            .await?;
        let n = backfill(&mut tx.tx, backend, &now).await?;
        tx.commit().await?;
        Ok(n)
    }
}

impl crate::WriteTx {
    /// Brings a call's index rows up to date inside this transaction (every change of a call
    /// calls it before committing).
    pub(crate) async fn call_reindex(&mut self, call_id: i64) -> Result<()> {
        let backend = self.backend;
        let now = self.now_ts();
        reindex(&mut self.tx, backend, call_id, &now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_become_an_index_test_and_a_text_test() {
        let words = query_words("防災　ﾎﾞｳｻｲ");
        assert_eq!(words, vec!["防災".to_string(), "ボウサイ".to_string()]);
        let (cond, binds) = word_condition(Backend::Sqlite, &words, 2).expect("words");
        assert!(cond.contains("MATCH $2"), "{cond}");
        assert!(
            cond.contains("LIKE $3") && cond.contains("LIKE $4"),
            "{cond}"
        );
        assert_eq!(binds.len(), 3);
        assert!(word_condition(Backend::Postgres, &[], 1).is_none());
    }
}
