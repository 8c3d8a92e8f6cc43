//! The proposals' search index: finds two-character Japanese words (防災, 子育) without reading
//! every proposal of the local government.
//!
//! Each proposal's folded search text (see [`crate::proposals::search_fold`]) is cut into
//! bigrams: every pair of adjacent letters or digits. Each bigram becomes one index token
//! that also carries the tenant code, so a lookup only ever touches that local government's
//! postings, however many proposals the installation holds. The tokens are spelled in plain
//! ASCII letters (the tenant's digits as `q`–`z`, the bigram's UTF-8 bytes as nibbles `a`–`p`),
//! so both databases' own full-text engines take them verbatim: SQLite's FTS5 (a contentless
//! table, no positions) and PostgreSQL's `tsvector` with the `simple` configuration and a GIN
//! index. The statements differ and live in [`crate::backend`]; the tokens are the same.
//!
//! The index only narrows: a word's bigrams all being present does not mean the word is (防災
//! and 災害 give 防災害 too). The inbox keeps its `LIKE` on the search text as the final test,
//! so results are exactly those of a full scan, on both databases and on any number of app
//! servers (the index is in the database, written in the proposal's own transaction).

use crate::Result;
use sqlx::Row;
use std::collections::BTreeSet;

/// The migration that creates the index; the migrator then indexes the proposals already
/// there ([`backfill`]).
pub const INDEX_MIGRATION: i64 = 10;

/// The migration after which search folds hiragana to katakana: the migrator refolds every
/// proposal's `search_text` ([`refold`]) and rebuilds the index ([`backfill`]).
pub const KANA_MIGRATION: i64 = 15;

/// The most tokens one query uses; more would only narrow what is already narrow.
const MAX_QUERY_TOKENS: usize = 32;

fn push_letters(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        out.push(char::from(b'a' + (b >> 4)));
        out.push(char::from(b'a' + (b & 0x0f)));
    }
}

fn tenant_prefix(tenant: &str) -> String {
    tenant
        .bytes()
        .map(|b| {
            if b.is_ascii_digit() {
                char::from(b'q' + (b - b'0'))
            } else {
                'z'
            }
        })
        .collect()
}

/// The bigrams of the runs of letters and digits in `folded`, as index tokens of `tenant`.
fn tokens(tenant: &str, folded: &str) -> BTreeSet<String> {
    let prefix = tenant_prefix(tenant);
    let mut out = BTreeSet::new();
    let mut prev: Option<char> = None;
    let mut buf = [0u8; 8];
    for c in folded.chars() {
        if !c.is_alphanumeric() {
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            let mut token = prefix.clone();
            let a = p.encode_utf8(&mut buf[..4]).len();
            let b = c.encode_utf8(&mut buf[4..]).len();
            push_letters(&mut token, &buf[..a]);
            push_letters(&mut token, &buf[4..4 + b]);
            out.insert(token);
        }
        prev = Some(c);
    }
    out
}

/// What the index stores for one proposal: its tokens separated by spaces.
pub(crate) fn document(tenant: &str, folded_search_text: &str) -> String {
    tokens(tenant, folded_search_text)
        .into_iter()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The tokens every match of the folded words must contain; empty when the words are too
/// short to narrow anything (a single character), and then only the full scan answers.
pub(crate) fn query_tokens<'a>(
    tenant: &str,
    folded_words: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut all = BTreeSet::new();
    for w in folded_words {
        all.extend(tokens(tenant, w));
    }
    all.into_iter().take(MAX_QUERY_TOKENS).collect()
}

/// Whether the index alone answers for this folded word: two letters or digits are exactly
/// one bigram, which is in a proposal's document exactly when the word is in its text. Longer
/// words need the text itself to confirm (their bigrams may occur apart).
pub(crate) fn index_decides(folded_word: &str) -> bool {
    let mut chars = folded_word.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(a), Some(b), None) if a.is_alphanumeric() && b.is_alphanumeric()
    )
}

/// Proposals per statement when indexing many (two parameters each).
const BATCH: usize = 200;

/// Indexes every proposal, in the caller's transaction (the index must be empty: the
/// migration that creates it, or [`crate::Store::search_rebuild`] after clearing it).
/// Applies the current [`crate::proposals::search_fold`] to every stored `search_text` (folded
/// text folds to what the original would: see `search_fold`), in batches by id.
pub(crate) async fn refold(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    let mut after = 0i64;
    let mut changed = 0u64;
    loop {
        let rows =
            sqlx::query("SELECT id, search_text FROM proposals WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(BATCH as i64)
                .fetch_all(&mut *conn)
                .await?;
        if rows.is_empty() {
            return Ok(changed);
        }
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let text: String = r.try_get("search_text")?;
            after = id;
            let folded = crate::proposals::search_fold(&text);
            if folded != text {
                sqlx::query("UPDATE proposals SET search_text = $2 WHERE id = $1")
                    .bind(id)
                    .bind(&folded)
                    .execute(&mut *conn)
                    .await?;
                changed += 1;
            }
        }
    }
}

pub(crate) async fn backfill(
    conn: &mut sqlx::AnyConnection,
    backend: crate::Backend,
) -> Result<u64> {
    let mut after = 0i64;
    let mut count = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT id, tenant_code, search_text FROM proposals WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH as i64)
        .fetch_all(&mut *conn)
        .await?;
        let mut docs = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let tenant: String = r.try_get("tenant_code")?;
            let text: String = r.try_get("search_text")?;
            docs.push((id, document(&tenant, &text)));
            after = id;
        }
        if !docs.is_empty() {
            let sql = backend.search_insert_sql(docs.len());
            let mut q = sqlx::query(&sql);
            for (id, doc) in &docs {
                q = q.bind(*id).bind(doc.as_str());
            }
            q.execute(&mut *conn).await?;
            count += docs.len() as u64;
        }
        if rows.len() < BATCH {
            return Ok(count);
        }
    }
}

impl crate::Store {
    /// Rebuilds the search index from the proposals' search text, in one transaction: after a
    /// bulk load that wrote proposals directly (`renkei bench-data`), or if the folding rules
    /// change. Returns how many proposals were indexed.
    /// Refreshes the planner's statistics after a bulk load (see `Backend::analyze_sql`).
    pub async fn analyze(&self) -> Result<()> {
        if let Some(sql) = self.backend().analyze_sql() {
            sqlx::query(sql).execute(self.pool()).await?;
        }
        Ok(())
    }

    /// The proposals of `tenant` the index alone matches for `q` (every bigram of its words),
    /// before the search text decides: for checking that the index follows changes (a
    /// correction must leave no token of the old text behind).
    pub async fn search_index_candidates(
        &self,
        tenant: renkei_domain::TenantCode,
        q: &str,
    ) -> Result<Vec<i64>> {
        let t = tenant.to_string();
        let folded: Vec<String> = q
            .split_whitespace()
            .map(crate::proposals::search_fold)
            .collect();
        let tokens = query_tokens(&t, folded.iter().map(String::as_str));
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT p.id FROM proposals p WHERE p.tenant_code = $2 AND {} ORDER BY p.id",
            self.backend().search_match_sql("$1")
        );
        let rows = sqlx::query(&sql)
            .bind(tokens.join(" "))
            .bind(&t)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    pub async fn search_rebuild(&self) -> Result<u64> {
        let mut tx = self.write().await?;
        sqlx::query(self.backend().search_clear_sql())
            .execute(&mut *tx.tx)
            .await?;
        let n = backfill(&mut tx.tx, self.backend()).await?;
        tx.commit().await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigrams_of_letter_runs_only() {
        let t = tokens("141003", "防災 訓練、ab");
        // 防災, 訓練, ab: three bigrams; nothing across the space or the comma.
        assert_eq!(t.len(), 3);
        assert!(t.iter().all(|x| x.starts_with("rurqqt")));
        assert!(t.iter().all(|x| x.bytes().all(|b| b.is_ascii_lowercase())));
    }

    #[test]
    fn a_word_in_the_text_has_all_its_tokens_in_the_document() {
        let text = "272027-2026-0001\n子育て支援の拠点づくり\n防災・減災";
        let d = document("272027", text);
        let doc: BTreeSet<&str> = d.split(' ').collect();
        for word in ["子育て支援", "防災", "拠点", "2026", "減災"] {
            let q = query_tokens("272027", [word]);
            assert!(!q.is_empty(), "{word}");
            assert!(q.iter().all(|t| doc.contains(t.as_str())), "{word}");
        }
        // Another tenant's tokens never match.
        let other = query_tokens("141003", ["防災"]);
        assert!(other.iter().all(|t| !doc.contains(t.as_str())));
        // A single character narrows nothing.
        assert!(query_tokens("272027", ["市"]).is_empty());
        // Two letters are one bigram: the index decides; anything else is confirmed.
        assert!(index_decides("防災") && index_decides("ab") && index_decides("20"));
        assert!(!index_decides("防災害") && !index_decides("防") && !index_decides("防、"));
    }
}
