//! The public case library (連携事例) and its national search.
//!
//! A *case* is a partnership with publication consent (公開) that is signed or ended
//! (締結済・実施中, 終了): one preparing is not yet a case and one cancelled (解約) is no longer
//! shown. Each case has a row in `public_cases` carrying what a result list shows (so a search
//! reads no partnership and no proposal: nothing confidential is reachable from here), its
//! facet values (`public_case_facets`: prefecture, tenant, field, partner_type, form, year),
//! its parties' keys (`public_case_partners`: 法人番号, else the name folded without legal-form
//! words) and its title's bigrams (`public_case_grams`).
//!
//! Search works as the proposals' search does ([`crate::search`]): the folded text's bigrams
//! become ASCII tokens — here without a tenant prefix, the search being national — in FTS5 on
//! SQLite and a GIN-indexed `tsvector` on PostgreSQL (`public_case_search`; the statements are
//! in [`crate::backend`]). The index narrows; a `LIKE` on the folded text decides, so a phrase
//! matches as a substring and results equal a full scan. Folding ([`case_fold`]) is NFKC, lower
//! case, hiragana as katakana and every way of writing 株式会社 ((株), （株）, ㈱) as 株式会社.
//!
//! The rows are written in the partnership's own write transaction whenever it changes (every
//! change appends to its timeline through `WriteTx::partnership_event`, which reindexes it),
//! by the migrator after migration 31 for existing data, and by [`crate::Store::cases_rebuild`]
//! after a bulk load.

pub(crate) mod index;
pub(crate) mod keys;

use crate::{Result, Store, StoreError, rows};
use chrono::NaiveDate;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{Form, PartnershipStatus};
use renkei_domain::proposal::Field;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};

/// The migration that creates the case index.
pub const CASES_MIGRATION: i64 = 26;
/// The last migration that gave the case rows a column (`partner_types`); the migrator then
/// indexes the existing cases, unless they were indexed already.
pub const CASES_COLUMNS_MIGRATION: i64 = 31;
/// Results per page, and the furthest page a search may ask for (from 0).
pub const PER_PAGE: i64 = 20;
pub const PAGE_MAX: i64 = 500;
/// The most words a query uses, and the longest word.
pub const MAX_WORDS: usize = 8;
pub const MAX_WORD_CHARS: usize = 50;
/// The facets, in the order pages show them.
pub const FACETS: [&str; 6] = [
    "prefecture",
    "tenant",
    "field",
    "partner_type",
    "form",
    "year",
];
/// Each facet's place in [`FACETS`].
const PREFECTURE: usize = 0;
const TENANT: usize = 1;
const FIELD: usize = 2;
const PARTNER_TYPE: usize = 3;
const FORM: usize = 4;
const YEAR: usize = 5;
/// The most values one facet lists (the largest counts).
pub const FACET_VALUES_MAX: usize = 50;

/// Legal-form abbreviations written out, after NFKC (which turns ㈱ and （株） into (株)).
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("(株)", "株式会社"),
    ("(有)", "有限会社"),
    ("(同)", "合同会社"),
    ("(資)", "合資会社"),
    ("(名)", "合名会社"),
    ("(一社)", "一般社団法人"),
    ("(一財)", "一般財団法人"),
    ("(公社)", "公益社団法人"),
    ("(公財)", "公益財団法人"),
    ("(特非)", "特定非営利活動法人"),
    ("(社福)", "社会福祉法人"),
    ("(学)", "学校法人"),
    ("(医)", "医療法人"),
];

/// Text folded for the case search: [`crate::proposals::search_fold`] (NFKC, lower case,
/// hiragana as katakana), then every abbreviated legal form written out (㈱, （株）, (株) →
/// 株式会社), so each way of writing one matches the others. Folding folded text changes
/// nothing.
pub fn case_fold(s: &str) -> String {
    let mut out = crate::proposals::search_fold(s);
    for (short, long) in ABBREVIATIONS {
        if out.contains(short) {
            out = out.replace(short, long);
        }
    }
    out
}

/// The words of a query as the public searches use them (cases and open calls): at most
/// [`MAX_WORDS`], each cut to [`MAX_WORD_CHARS`] and folded ([`case_fold`]).
pub fn query_words(q: &str) -> Vec<String> {
    q.split_whitespace()
        .take(MAX_WORDS)
        .map(|w| case_fold(&w.chars().take(MAX_WORD_CHARS).collect::<String>()))
        .filter(|w| !w.is_empty())
        .collect()
}

/// A party's key for "the same partner elsewhere": its 法人番号 when known, else its name
/// without legal-form words, folded and without spaces.
pub fn partner_key(name: &str, corporate_number: Option<&str>) -> String {
    match corporate_number.map(str::trim).filter(|c| !c.is_empty()) {
        Some(cn) => format!("cn:{cn}"),
        None => {
            let bare = renkei_domain::partner::strip_legal_forms(name);
            let folded: String = case_fold(&bare)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            format!("nm:{folded}")
        }
    }
}

/// The distinct bigrams of letters and digits of a folded title.
pub(crate) fn title_grams(title: &str) -> BTreeSet<String> {
    let folded = case_fold(title);
    let mut out = BTreeSet::new();
    let mut prev: Option<char> = None;
    for c in folded.chars() {
        if !c.is_alphanumeric() {
            prev = None;
            continue;
        }
        if let Some(p) = prev {
            out.insert(format!("{p}{c}"));
        }
        prev = Some(c);
    }
    out
}

/// The JST day (`YYYY-MM-DD`) of a stored instant, or the instant's own date part.
pub(crate) fn jst_day_of(ts: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(ts) {
        Ok(t) => renkei_domain::time::jst_date(t.with_timezone(&chrono::Utc))
            .format("%Y-%m-%d")
            .to_string(),
        Err(_) => ts.chars().take(10).collect(),
    }
}

/// One case as a result list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseHit {
    pub id: i64,
    pub tenant_code: String,
    /// 大阪府岸和田市 (a prefecture: its name).
    pub tenant_name: String,
    pub prefecture_code: String,
    pub form: Form,
    pub status: PartnershipStatus,
    pub title: String,
    /// The parties' names, joined with 「、」.
    pub partners: String,
    pub fields: Vec<Field>,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub year: i64,
}

/// A search: words (folded here) and facet filters (values as stored: prefecture `27`,
/// tenant `272027`, field/partner_type/form codes, year `2024`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseQuery {
    pub q: String,
    pub filters: Vec<(String, String)>,
    /// From 0; clamped to [`PAGE_MAX`].
    pub page: i64,
}

/// One facet value with the number of results it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub facet: String,
    pub value: String,
    /// The local government's or prefecture's name for `tenant` and `prefecture`, else empty
    /// (the page names vocabulary codes in its language).
    pub label: String,
    pub count: i64,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResults {
    pub items: Vec<CaseHit>,
    pub total: i64,
    pub facets: Vec<FacetCount>,
    pub page: i64,
}

const T: &str = "public_cases";

const HIT_COLUMNS: &str = "c.partnership_id, c.tenant_code, c.prefecture_code, c.form, \
    c.status, c.title, c.partners, c.fields, c.signed_on, c.starts_on, c.ends_on, c.year, \
    t.kind AS tenant_kind, t.prefecture_name, t.name AS tenant_name";

fn hit_from_row(r: &AnyRow) -> Result<CaseHit> {
    let fields: String = r.try_get("fields")?;
    let fields = fields
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| {
            Field::parse(s).map_err(|_| StoreError::Corrupt {
                table: T,
                column: "fields",
                value: s.chars().take(40).collect(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let kind: String = r.try_get("tenant_kind")?;
    let name: String = r.try_get("tenant_name")?;
    let tenant_name = if kind == "prefecture" {
        name
    } else {
        format!("{}{}", r.try_get::<String, _>("prefecture_name")?, name)
    };
    Ok(CaseHit {
        id: r.try_get("partnership_id")?,
        tenant_code: r.try_get("tenant_code")?,
        tenant_name,
        prefecture_code: r.try_get("prefecture_code")?,
        form: rows::code(r, T, "form", Form::parse)?,
        status: rows::code(r, T, "status", PartnershipStatus::parse)?,
        title: r.try_get("title")?,
        partners: r.try_get("partners")?,
        fields,
        signed_on: rows::opt_date(r, T, "signed_on")?,
        starts_on: rows::opt_date(r, T, "starts_on")?,
        ends_on: rows::opt_date(r, T, "ends_on")?,
        year: r.try_get("year")?,
    })
}

enum Bind {
    Text(String),
}

/// The WHERE clause of a search's words over `public_cases c`, with its values (numbered from
/// 1); `None` without words (every case matches).
fn conditions(store: &Store, q: &CaseQuery) -> Option<(String, Vec<Bind>)> {
    let words = query_words(&q.q);
    if words.is_empty() {
        return None;
    }
    let mut conds = vec!["1 = 1".to_string()];
    let mut binds = Vec::new();
    let tokens = crate::search::query_tokens("", words.iter().map(String::as_str));
    if !tokens.is_empty() {
        binds.push(Bind::Text(tokens.join(" ")));
        conds.push(
            store
                .backend()
                .case_search_match_sql(&format!("${}", binds.len())),
        );
    }
    for w in &words {
        // A two-letter word is one bigram, in a case's document exactly when the word is in
        // its text: the index decides, unless the query's tokens were cut short without it.
        if crate::search::index_decides(w)
            && crate::search::query_tokens("", [w.as_str()])
                .iter()
                .all(|t| tokens.contains(t))
        {
            continue;
        }
        binds.push(Bind::Text(format!("%{}%", crate::like_escape(w))));
        conds.push(format!("c.search_text LIKE ${} ESCAPE '\\'", binds.len()));
    }
    Some((conds.join(" AND "), binds))
}

fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        query = match b {
            Bind::Text(s) => query.bind(s.as_str()),
        };
    }
    query
}

impl Store {
    /// Searches the cases of every local government: newest first (signing day, else start),
    /// a page of [`PER_PAGE`], the total, and each facet's values with their counts among all
    /// the results.
    ///
    /// The database says which cases hold the words (one statement answering one row, the
    /// ids joined); the filters, the total, the counts and the page are computed from the
    /// keys this server holds in memory, brought up to the database's revision first
    /// ([`keys`]); one more statement reads the page's rows. (In SQL, the facet counts of a
    /// national search for 防災 — 37,770 matches — took 0.2–0.6 s.)
    pub async fn cases_search(&self, q: &CaseQuery) -> Result<CaseResults> {
        let page = q.page.clamp(0, PAGE_MAX);
        self.case_keys.refresh(self.pool()).await?;
        let matching = match conditions(self, q) {
            Some((cond, binds)) => {
                let sql = format!(
                    "SELECT {} AS ids FROM public_cases c WHERE {cond}",
                    self.backend().id_list_sql("c.partnership_id")
                );
                let ids: Option<String> = bind_all(sqlx::query(&sql), &binds)
                    .fetch_one(self.pool())
                    .await?
                    .try_get("ids")?;
                let ids = ids.unwrap_or_default();
                let mut set = std::collections::HashSet::new();
                for id in ids.split(',').filter(|s| !s.is_empty()) {
                    set.insert(id.parse::<i64>().map_err(|_| StoreError::Corrupt {
                        table: T,
                        column: "partnership_id",
                        value: id.chars().take(40).collect(),
                    })?);
                }
                Some(set)
            }
            None => None,
        };
        let counted = self
            .case_keys
            .count(matching.as_ref(), &q.filters, page, PER_PAGE)?;
        let items = self.cases_by_ids(&counted.ids).await?;
        let facets = self.case_facets(counted.counts).await?;
        Ok(CaseResults {
            items,
            total: counted.total,
            facets,
            page,
        })
    }

    /// The facets' values with their counts ([`FACETS`]' order), at most
    /// [`FACET_VALUES_MAX`] each (the largest counts; years newest first), named.
    async fn case_facets(&self, counts: Vec<(usize, String, i64)>) -> Result<Vec<FacetCount>> {
        let mut by_facet: [Vec<(String, i64)>; FACETS.len()] = Default::default();
        for (place, value, count) in counts {
            if let Some(values) = by_facet.get_mut(place) {
                values.push((value, count));
            }
        }
        let mut out = Vec::new();
        let mut names_wanted = BTreeSet::new();
        for (facet, mut values) in FACETS.into_iter().zip(by_facet) {
            if facet == "year" {
                values.sort_by(|a, b| b.0.cmp(&a.0));
            } else {
                values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            }
            values.truncate(FACET_VALUES_MAX);
            for (value, count) in values {
                if facet == "tenant" {
                    names_wanted.insert(value.clone());
                }
                out.push(FacetCount {
                    facet: facet.to_string(),
                    value,
                    label: String::new(),
                    count,
                });
            }
        }
        if out.is_empty() {
            return Ok(out);
        }
        let names = self.case_tenant_names(&names_wanted).await?;
        let prefectures = self.case_prefecture_names().await?;
        for f in &mut out {
            f.label = match f.facet.as_str() {
                "tenant" => names.get(&f.value).cloned().unwrap_or_default(),
                "prefecture" => prefectures.get(&f.value).cloned().unwrap_or_default(),
                _ => String::new(),
            };
        }
        Ok(out)
    }

    /// Full names of the given local governments.
    async fn case_tenant_names(
        &self,
        codes: &BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        if codes.is_empty() {
            return Ok(out);
        }
        let ps: Vec<String> = (1..=codes.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT code, kind, prefecture_name, name FROM tenants WHERE code IN ({})",
            ps.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for c in codes {
            query = query.bind(c.as_str());
        }
        for r in query.fetch_all(self.pool()).await? {
            let kind: String = r.try_get("kind")?;
            let name: String = r.try_get("name")?;
            let full = if kind == "prefecture" {
                name
            } else {
                format!("{}{}", r.try_get::<String, _>("prefecture_name")?, name)
            };
            out.insert(r.try_get("code")?, full);
        }
        Ok(out)
    }

    /// The prefectures' names by their two-digit number (`27` → 大阪府).
    pub async fn case_prefecture_names(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for r in sqlx::query("SELECT code, name FROM tenants WHERE kind = 'prefecture'")
            .fetch_all(self.pool())
            .await?
        {
            let code: String = r.try_get("code")?;
            out.insert(code.chars().take(2).collect(), r.try_get("name")?);
        }
        Ok(out)
    }

    /// One case of the tenant, or [`StoreError::NotFound`] (unknown, another tenant's, or not
    /// a case: unpublished, preparing, cancelled).
    pub async fn case(&self, tenant: TenantCode, id: i64) -> Result<CaseHit> {
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM public_cases c JOIN tenants t ON t.code = c.tenant_code \
             WHERE c.tenant_code = $1 AND c.partnership_id = $2"
        );
        let r = sqlx::query(&sql)
            .bind(tenant.to_string())
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        hit_from_row(&r)
    }

    /// A case by its partnership's number, whatever its local government (the public API).
    pub async fn case_by_id(&self, id: i64) -> Result<CaseHit> {
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM public_cases c JOIN tenants t ON t.code = c.tenant_code \
             WHERE c.partnership_id = $1"
        );
        let r = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        hit_from_row(&r)
    }

    /// Cases with the given ids, newest first.
    async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<CaseHit>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ps: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {HIT_COLUMNS} FROM public_cases c JOIN tenants t ON t.code = c.tenant_code \
             WHERE c.partnership_id IN ({}) ORDER BY c.sort_on DESC, c.partnership_id DESC",
            ps.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(*id);
        }
        query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(hit_from_row)
            .collect()
    }

    /// "The same partner in other local governments": other tenants' cases with a party of
    /// the same key (法人番号, else normalised name), newest first, at most `limit`.
    pub async fn cases_same_partner(&self, id: i64, limit: i64) -> Result<Vec<CaseHit>> {
        let rows = sqlx::query(
            "SELECT DISTINCT o.partnership_id, c.sort_on FROM public_case_partners k \
             JOIN public_case_partners o ON o.partner_key = k.partner_key \
             JOIN public_cases c ON c.partnership_id = o.partnership_id \
             JOIN public_cases me ON me.partnership_id = k.partnership_id \
             WHERE k.partnership_id = $1 AND c.tenant_code <> me.tenant_code \
             ORDER BY c.sort_on DESC, o.partnership_id DESC LIMIT $2",
        )
        .bind(id)
        .bind(limit.clamp(1, 50))
        .fetch_all(self.pool())
        .await?;
        let ids = rows
            .iter()
            .map(|r| r.try_get("partnership_id"))
            .collect::<Result<Vec<i64>, _>>()?;
        self.cases_by_ids(&ids).await
    }

    /// "Similar cases elsewhere": other tenants' cases sharing a field with this one and more
    /// than half of its title's bigrams; most shared first, then newest, at most `limit`.
    ///
    /// A case sharing more than half of the title's `G` bigrams lacks fewer than `G/2` of
    /// them, so it holds at least one of any `⌈G/2⌉` of them: only the cases holding one of the
    /// `⌈G/2⌉` rarest are counted (prefix filtering; the same answer as counting every case
    /// that shares any bigram, which joined 369,075 rows — 2.5 s on PostgreSQL — for one case
    /// of the national data set whose title shares common words with thousands).
    pub async fn cases_similar(&self, id: i64, limit: i64) -> Result<Vec<CaseHit>> {
        let mut grams: Vec<(i64, String)> = sqlx::query(
            "SELECT m.gram, (SELECT COUNT(*) FROM public_case_grams x WHERE x.gram = m.gram) AS n \
             FROM public_case_grams m WHERE m.partnership_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>("n")?, r.try_get::<String, _>("gram")?)))
        .collect::<Result<_>>()?;
        if grams.is_empty() {
            return Ok(Vec::new());
        }
        let total = grams.len() as i64;
        grams.sort();
        let rare = &grams[..grams.len() - grams.len() / 2];
        let marks: Vec<String> = (0..rare.len()).map(|i| format!("${}", i + 4)).collect();
        let sql = format!(
            "WITH cand AS MATERIALIZED (SELECT DISTINCT r.partnership_id FROM public_case_grams r \
             WHERE r.gram IN ({}) AND r.partnership_id <> $1) \
             SELECT g.partnership_id, COUNT(*) AS shared FROM cand \
             JOIN public_cases c ON c.partnership_id = cand.partnership_id \
             JOIN public_cases me ON me.partnership_id = $1 \
             JOIN public_case_grams g ON g.partnership_id = cand.partnership_id \
             WHERE g.gram IN (SELECT m.gram FROM public_case_grams m WHERE m.partnership_id = $1) \
             AND c.tenant_code <> me.tenant_code \
             AND EXISTS (SELECT 1 FROM public_case_facets f1 JOIN public_case_facets f2 \
                 ON f2.partnership_id = $1 AND f2.facet = 'field' AND f2.value = f1.value \
                 WHERE f1.partnership_id = cand.partnership_id AND f1.facet = 'field') \
             GROUP BY g.partnership_id HAVING COUNT(*) * 2 > $2 \
             ORDER BY COUNT(*) DESC, g.partnership_id DESC LIMIT $3",
            marks.join(", ")
        );
        let mut query = sqlx::query(&sql)
            .bind(id)
            .bind(total)
            .bind(limit.clamp(1, 50));
        for (_, gram) in rare {
            query = query.bind(gram.as_str());
        }
        let rows = query.fetch_all(self.pool()).await?;
        let ids = rows
            .iter()
            .map(|r| r.try_get("partnership_id"))
            .collect::<Result<Vec<i64>, _>>()?;
        let mut hits = self.cases_by_ids(&ids).await?;
        hits.sort_by_key(|h| ids.iter().position(|i| *i == h.id));
        Ok(hits)
    }

    /// The case index candidates for `q` (every bigram of its words), before the text decides:
    /// for checking that the index follows changes.
    pub async fn case_index_candidates(&self, q: &str) -> Result<Vec<i64>> {
        let words: Vec<String> = q.split_whitespace().map(case_fold).collect();
        let tokens = crate::search::query_tokens("", words.iter().map(String::as_str));
        if tokens.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT c.partnership_id FROM public_cases c WHERE {} ORDER BY c.partnership_id",
            self.backend().case_search_match_sql("$1")
        );
        sqlx::query(&sql)
            .bind(tokens.join(" "))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(r.try_get("partnership_id")?))
            .collect()
    }

    /// Rebuilds the case index in one transaction (after a bulk load). Returns how many cases.
    pub async fn cases_rebuild(&self) -> Result<u64> {
        let backend = self.backend();
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        index::clear(&mut tx.tx, backend).await?;
        let n = index::backfill(&mut tx.tx, backend, &now).await?;
        keys::record_rebuild(&mut tx.tx).await?;
        tx.commit().await?;
        Ok(n)
    }
}

impl crate::WriteTx {
    /// Brings a partnership's case rows up to date inside this transaction.
    pub(crate) async fn case_reindex(&mut self, partnership_id: i64) -> Result<()> {
        let backend = self.backend;
        let now = self.now_ts();
        if index::reindex(&mut self.tx, backend, partnership_id, &now).await?
            && !self.case_changes.contains(&partnership_id)
        {
            // Logged for the other app servers' keys when this transaction commits.
            self.case_changes.push(partnership_id);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_forms_kana_and_width_fold_alike() {
        let a = case_fold("株式会社あおぞら");
        for other in ["㈱あおぞら", "(株)あおぞら", "（株）アオゾラ", "(株)ｱｵｿﾞﾗ"]
        {
            assert_eq!(case_fold(other), a, "{other}");
        }
        assert_eq!(case_fold(&a), a);
        assert_eq!(
            partner_key("アオゾラ商事（株）", None),
            partner_key("株式会社 あおぞら商事", None)
        );
        assert_eq!(partner_key("x", Some("1234567890123")), "cn:1234567890123");
    }

    #[test]
    fn facet_places_name_their_facets() {
        assert_eq!(FACETS[PREFECTURE], "prefecture");
        assert_eq!(FACETS[TENANT], "tenant");
        assert_eq!(FACETS[FIELD], "field");
        assert_eq!(FACETS[PARTNER_TYPE], "partner_type");
        assert_eq!(FACETS[FORM], "form");
        assert_eq!(FACETS[YEAR], "year");
    }

    #[test]
    fn title_grams_are_pairs_of_letters() {
        let g = title_grams("防災 訓練");
        assert_eq!(g.len(), 2);
        assert!(g.contains("防災") && g.contains("訓練"));
    }
}
