//! What the public side reads across local governments: the landing page's open calls closing
//! soon, latest published cases, national figures and the desks that take proposals; the
//! national list of published open calls. Only public rows: calls that are published, closed
//! or decided, and cases: partnerships with publication consent (`published = 1`) that are
//! signed or ended (as the case library counts them). Nothing of a
//! proposal under consideration is read here.

use crate::open_calls::{StoredCall, call_columns, call_from_row};
use crate::partnerships::CASE_STATUS_SQL;
use crate::tenants::{COLUMNS, Tenant, tenant_from_row};
use crate::{Result, Store, rows};
use chrono::NaiveDate;
use renkei_domain::TenantCode;
use renkei_domain::partnership::Form;
use sqlx::Row;
use std::collections::HashMap;

/// A published call with its local government's name.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicCallRow {
    pub call: StoredCall,
    /// 大阪府岸和田市.
    pub tenant_name: String,
}

/// A published partnership as a list of cases shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicCase {
    pub id: i64,
    pub tenant_code: String,
    /// 大阪府岸和田市.
    pub tenant_name: String,
    pub title: String,
    pub form: Form,
    /// The first party's name.
    pub partner_name: String,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
}

/// The national figures of the landing page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NationalFigures {
    /// Local governments whose desk takes proposals.
    pub open_desks: i64,
    /// Partnerships published with consent.
    pub published_cases: i64,
    /// Published calls whose answer period is open today.
    pub open_calls: i64,
}

/// The most calls one page of the national list shows, and the furthest page.
pub const PUBLIC_CALLS_PER_PAGE_MAX: i64 = 100;
pub const PUBLIC_CALLS_PAGE_MAX: i64 = 10_000;

/// Desks that take proposals: opened, with an active desk account (as `desk::DeskOpenness`).
const OPEN_DESKS: &str = "SELECT s.tenant_code FROM tenant_settings s WHERE s.desk_opened_at IS NOT NULL \
     AND EXISTS (SELECT 1 FROM users u WHERE u.tenant_code = s.tenant_code AND u.role = 'desk' \
     AND u.disabled_at IS NULL)";

/// Public statuses only; `$1` a prefecture code or ''.
const PUBLIC_CALLS_WHERE: &str = "c.status IN ('published', 'closed', 'decided') \
     AND ($1 = '' OR c.tenant_code IN (SELECT code FROM tenants WHERE prefecture_code = $1))";

impl Store {
    /// The full names of these local governments, by code.
    async fn tenant_names(&self, codes: &[String]) -> Result<HashMap<String, String>> {
        let mut names = HashMap::new();
        let mut wanted: Vec<&String> = codes.iter().collect();
        wanted.sort();
        wanted.dedup();
        for chunk in wanted.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM tenants WHERE code IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                q = q.bind(c.as_str());
            }
            for r in q.fetch_all(self.pool()).await? {
                let t = tenant_from_row(&r)?;
                names.insert(t.code.clone(), t.full_name());
            }
        }
        Ok(names)
    }

    async fn with_names(&self, calls: Vec<StoredCall>) -> Result<Vec<PublicCallRow>> {
        let codes: Vec<String> = calls.iter().map(|c| c.tenant_code.to_string()).collect();
        let names = self.tenant_names(&codes).await?;
        Ok(calls
            .into_iter()
            .map(|call| PublicCallRow {
                tenant_name: names
                    .get(&call.tenant_code.to_string())
                    .cloned()
                    .unwrap_or_default(),
                call,
            })
            .collect())
    }

    /// Published calls taking answers today, the soonest closing first (at most `limit`, ≤ 50).
    pub async fn calls_closing_soon(&self, limit: i64) -> Result<Vec<PublicCallRow>> {
        let today = self.today();
        let calls = sqlx::query(&format!(
            "SELECT {} WHERE c.status = 'published' AND c.opens_on <= $1 AND c.closes_on >= $1 \
             ORDER BY c.closes_on, c.id LIMIT $2",
            call_columns(self.backend())
        ))
        .bind(today.to_string())
        .bind(limit.clamp(0, 50))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| call_from_row(r, today))
        .collect::<Result<Vec<_>>>()?;
        self.with_names(calls).await
    }

    /// One page (from 0) of the published calls nationwide or of one prefecture (its code;
    /// '' for all): those taking answers first, soonest closing first; then those not open
    /// yet; then closed and decided ones, the latest closing first. With the total.
    pub async fn public_calls(
        &self,
        prefecture: &str,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<PublicCallRow>, i64)> {
        self.public_calls_matching(prefecture, "", page, per_page)
            .await
    }

    /// [`Store::public_calls`] narrowed to the calls matching the words of `q` (the call
    /// search, [`crate::open_calls::search`]); a `q` without words narrows nothing.
    pub async fn public_calls_matching(
        &self,
        prefecture: &str,
        q: &str,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<PublicCallRow>, i64)> {
        let today = self.today().to_string();
        let per_page = per_page.clamp(1, PUBLIC_CALLS_PER_PAGE_MAX);
        let page = page.clamp(0, PUBLIC_CALLS_PAGE_MAX);
        let words = crate::cases::query_words(q);
        let narrowed = |first: usize| -> (String, Vec<String>) {
            match crate::open_calls::search::word_condition(self.backend(), &words, first) {
                Some((cond, binds)) => (
                    format!(" AND c.id IN (SELECT pc.call_id FROM public_calls pc WHERE {cond})"),
                    binds,
                ),
                None => (String::new(), Vec::new()),
            }
        };
        let (extra, binds) = narrowed(2);
        let sql =
            format!("SELECT COUNT(*) AS n FROM open_calls c WHERE {PUBLIC_CALLS_WHERE}{extra}");
        let mut query = sqlx::query(&sql).bind(prefecture);
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let total: i64 = query.fetch_one(self.pool()).await?.try_get("n")?;
        let (extra, binds) = narrowed(5);
        let sql = format!(
            "SELECT {} WHERE {PUBLIC_CALLS_WHERE}{extra} \
             ORDER BY CASE WHEN c.status = 'published' AND c.closes_on >= $2 AND c.opens_on <= $2 THEN 0 \
             WHEN c.status = 'published' AND c.opens_on > $2 THEN 1 ELSE 2 END, \
             CASE WHEN c.status = 'published' AND c.closes_on >= $2 THEN c.closes_on ELSE '' END, \
             c.closes_on DESC, c.id DESC LIMIT $3 OFFSET $4",
            call_columns(self.backend())
        );
        let mut query = sqlx::query(&sql)
            .bind(prefecture)
            .bind(&today)
            .bind(per_page)
            .bind(page * per_page);
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let calls = query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| call_from_row(r, self.today()))
            .collect::<Result<Vec<_>>>()?;
        Ok((self.with_names(calls).await?, total))
    }

    /// The newest published partnerships (at most `limit`, ≤ 50), of one local government or
    /// of all.
    pub async fn latest_public_cases(
        &self,
        tenant: Option<TenantCode>,
        limit: i64,
    ) -> Result<Vec<PublicCase>> {
        // Two statements, so each walks its own index newest first and stops after `limit`
        // rows: a tenant's (tenant_code, id), the nation's (published, id). The unary `+` keeps
        // SQLite from walking the nation's index for one tenant (measured on the national data
        // set: 32–125 ms a desk page that way, under 1 ms by the tenant's index).
        const COLS: &str = "SELECT p.id, p.tenant_code, p.title, p.form, p.signed_on, p.starts_on, \
             (SELECT pp.name FROM partnership_parties pp WHERE pp.partnership_id = p.id \
              ORDER BY pp.position LIMIT 1) AS partner_name FROM partnerships p";
        let limit = limit.clamp(0, 50);
        let rows =
            match tenant {
                Some(t) => sqlx::query(&format!(
                    "{COLS} WHERE p.tenant_code = $1 AND +p.published = 1 AND {CASE_STATUS_SQL} \
                 ORDER BY p.id DESC LIMIT $2"
                ))
                .bind(t.to_string())
                .bind(limit)
                .fetch_all(self.pool())
                .await?,
                None => sqlx::query(&format!(
                    "{COLS} WHERE p.published = 1 AND {CASE_STATUS_SQL} ORDER BY p.id DESC LIMIT $1"
                ))
                .bind(limit)
                .fetch_all(self.pool())
                .await?,
            };
        let codes = rows
            .iter()
            .map(|r| r.try_get::<String, _>("tenant_code"))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let names = self.tenant_names(&codes).await?;
        rows.iter()
            .map(|r| {
                let tenant_code: String = r.try_get("tenant_code")?;
                Ok(PublicCase {
                    id: r.try_get("id")?,
                    tenant_name: names.get(&tenant_code).cloned().unwrap_or_default(),
                    tenant_code,
                    title: r.try_get("title")?,
                    form: rows::code(r, "partnerships", "form", Form::parse)?,
                    partner_name: r
                        .try_get::<Option<String>, _>("partner_name")?
                        .unwrap_or_default(),
                    signed_on: rows::opt_date(r, "partnerships", "signed_on")?,
                    starts_on: rows::opt_date(r, "partnerships", "starts_on")?,
                })
            })
            .collect()
    }

    /// Local governments with an open desk, published cases and calls open today.
    pub async fn national_figures(&self) -> Result<NationalFigures> {
        let row = sqlx::query(&format!(
            "SELECT (SELECT COUNT(*) FROM ({OPEN_DESKS}) o) AS open_desks, \
             (SELECT COUNT(*) FROM partnerships p WHERE p.published = 1 AND {CASE_STATUS_SQL}) AS published_cases, \
             (SELECT COUNT(*) FROM open_calls c WHERE c.status = 'published' \
              AND c.opens_on <= $1 AND c.closes_on >= $1) AS open_calls"
        ))
        .bind(self.today().to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(NationalFigures {
            open_desks: row.try_get("open_desks")?,
            published_cases: row.try_get("published_cases")?,
            open_calls: row.try_get("open_calls")?,
        })
    }

    /// The local governments whose desk takes proposals now, by code.
    /// The codes of a prefecture's municipalities whose desks take proposals (a prefecture's
    /// page marks them): the prefecture's rows only, never the nation's.
    pub async fn open_desks_in(&self, prefecture: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT t.code FROM tenants t JOIN tenant_settings s ON s.tenant_code = t.code \
             WHERE t.prefecture_code = $1 AND t.code <> $1 AND s.desk_opened_at IS NOT NULL \
             AND EXISTS (SELECT 1 FROM users u WHERE u.tenant_code = t.code AND u.role = 'desk' \
             AND u.disabled_at IS NULL) ORDER BY t.code",
        )
        .bind(prefecture)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("code").map_err(Into::into))
            .collect()
    }

    pub async fn open_desks(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE code IN ({OPEN_DESKS}) ORDER BY code"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tenant_from_row).collect()
    }
}
