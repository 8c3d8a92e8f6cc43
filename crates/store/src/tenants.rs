//! Local governments (tenants) and the import of the official code list.

use crate::{Result, Store, StoreError, Who};
use renkei_domain::kana::to_full_width_kana;
use renkei_domain::{TenantCode, TenantKind};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    pub code: String,
    pub kind: String,
    pub prefecture_code: String,
    pub prefecture_name: String,
    pub name: String,
    pub prefecture_kana: String,
    pub name_kana: String,
}

impl Tenant {
    /// 大阪府岸和田市 for a municipality, 大阪府 for a prefecture.
    pub fn full_name(&self) -> String {
        if self.kind == TenantKind::Prefecture.as_str() {
            self.name.clone()
        } else {
            format!("{}{}", self.prefecture_name, self.name)
        }
    }

    pub fn is_prefecture(&self) -> bool {
        self.kind == TenantKind::Prefecture.as_str()
    }
}

/// A row of the code list that could not be read, with its line number in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub line: u64,
    pub key: &'static str,
    pub detail: String,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug)]
pub enum ImportError {
    /// Rows that did not parse; nothing was written.
    BadRows(Vec<BadRow>),
    Store(StoreError),
}

impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// Parses the code list (`code,prefecture,city,prefecture_kana,city_kana`, UTF-8, optional
/// BOM). Every bad row is reported with its line number; kana are normalised to full width.
pub fn parse_code_list(data: &[u8]) -> Result<Vec<Tenant>, Vec<BadRow>> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(data);
    let mut tenants = Vec::new();
    let mut bad = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                bad.push(BadRow {
                    line,
                    key: "error-import-unreadable",
                    detail: e.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let code = match TenantCode::parse(&field(0)) {
            Ok(c) => c,
            Err(e) => {
                bad.push(BadRow {
                    line,
                    key: e.key,
                    detail: field(0),
                });
                continue;
            }
        };
        if let Some(first) = seen.insert(code.to_string(), line) {
            bad.push(BadRow {
                line,
                key: "error-import-duplicate",
                detail: format!("{code} (line {first})"),
            });
            continue;
        }
        let (prefecture, city) = (field(1), field(2));
        // Names end up in pages and in mail subjects: one line of text each.
        const NAME: renkei_domain::text::TextRule =
            renkei_domain::text::TextRule::one_line("name", 100);
        if let Some(e) = (1..=4).find_map(|i| NAME.parse(&field(i)).err()) {
            bad.push(BadRow {
                line,
                key: e.key,
                detail: code.to_string(),
            });
            continue;
        }
        let kind = code.kind();
        let name = match kind {
            TenantKind::Prefecture => prefecture.clone(),
            TenantKind::Municipality => city.clone(),
        };
        if prefecture.is_empty() || name.is_empty() {
            bad.push(BadRow {
                line,
                key: "error-import-name-missing",
                detail: code.to_string(),
            });
            continue;
        }
        let pref_kana = to_full_width_kana(&field(3));
        let city_kana = to_full_width_kana(&field(4));
        tenants.push(Tenant {
            code: code.to_string(),
            kind: kind.as_str().to_string(),
            prefecture_code: code.prefecture_code().to_string(),
            prefecture_name: prefecture,
            name_kana: match kind {
                TenantKind::Prefecture => pref_kana.clone(),
                TenantKind::Municipality => city_kana,
            },
            prefecture_kana: pref_kana,
            name,
        });
    }
    // Every municipality's prefecture must be in the file or already known; checked on import.
    if bad.is_empty() {
        Ok(tenants)
    } else {
        Err(bad)
    }
}

pub(crate) const COLUMNS: &str =
    "code, kind, prefecture_code, prefecture_name, name, prefecture_kana, name_kana";

/// The data version of the tenant whose code is `code_expr` (SQL): the length of its audit
/// chain, 0 before its first entry. [`Store::tenant_versioned`] and
/// `Store::session_get_with_tenant` read it with the tenant, in the same statement.
pub(crate) fn version_of(code_expr: &str) -> String {
    format!(
        "CAST(COALESCE((SELECT h.seq FROM audit_heads h WHERE h.chain = {code_expr}), 0) AS BIGINT)"
    )
}

pub(crate) fn tenant_from_row(r: &sqlx::any::AnyRow) -> Result<Tenant> {
    Ok(Tenant {
        code: r.try_get("code")?,
        kind: r.try_get("kind")?,
        prefecture_code: r.try_get("prefecture_code")?,
        prefecture_name: r.try_get("prefecture_name")?,
        name: r.try_get("name")?,
        prefecture_kana: r.try_get("prefecture_kana")?,
        name_kana: r.try_get("name_kana")?,
    })
}

/// A tenant by its code, read inside a transaction.
pub(crate) async fn tenant_in(conn: &mut sqlx::AnyConnection, code: &str) -> Result<Tenant> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE code = $1"))
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    tenant_from_row(&row)
}

impl Store {
    /// Imports the code list in one transaction: new codes are inserted, changed ones updated,
    /// identical ones left alone (a second run changes nothing and records nothing). Any bad
    /// row refuses the whole file.
    pub async fn import_tenants(
        &self,
        data: &[u8],
        who: &Who,
    ) -> Result<ImportReport, ImportError> {
        let mut rows = parse_code_list(data).map_err(ImportError::BadRows)?;
        // Prefectures first, so municipalities can reference them.
        rows.sort_by_key(|t| (t.kind != TenantKind::Prefecture.as_str(), t.code.clone()));
        let mut tx = self.write().await?;
        let existing: HashMap<String, Tenant> =
            sqlx::query(&format!("SELECT {COLUMNS} FROM tenants"))
                .fetch_all(&mut *tx.tx)
                .await?
                .iter()
                .map(|r| tenant_from_row(r).map(|t| (t.code.clone(), t)))
                .collect::<Result<_>>()?;
        let mut report = ImportReport::default();
        let mut bad = Vec::new();
        let now = self.now_ts();
        for t in &rows {
            let prefecture_known = t.prefecture_code == t.code
                || existing.contains_key(&t.prefecture_code)
                || rows.iter().any(|o| o.code == t.prefecture_code);
            if !prefecture_known {
                bad.push(BadRow {
                    line: 0,
                    key: "error-import-prefecture-missing",
                    detail: t.code.clone(),
                });
                continue;
            }
            match existing.get(&t.code) {
                Some(old) if old == t => report.unchanged += 1,
                Some(_) => {
                    sqlx::query(
                        "UPDATE tenants SET kind = $2, prefecture_code = $3, prefecture_name = $4, name = $5, \
                         prefecture_kana = $6, name_kana = $7, updated_at = $8 WHERE code = $1",
                    )
                    .bind(&t.code)
                    .bind(&t.kind)
                    .bind(&t.prefecture_code)
                    .bind(&t.prefecture_name)
                    .bind(&t.name)
                    .bind(&t.prefecture_kana)
                    .bind(&t.name_kana)
                    .bind(&now)
                    .execute(&mut *tx.tx)
                    .await?;
                    report.updated += 1;
                }
                None => {
                    sqlx::query(
                        "INSERT INTO tenants (code, kind, prefecture_code, prefecture_name, name, prefecture_kana, name_kana, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                    )
                    .bind(&t.code)
                    .bind(&t.kind)
                    .bind(&t.prefecture_code)
                    .bind(&t.prefecture_name)
                    .bind(&t.name)
                    .bind(&t.prefecture_kana)
                    .bind(&t.name_kana)
                    .bind(&now)
                    .execute(&mut *tx.tx)
                    .await?;
                    report.inserted += 1;
                }
            }
        }
        if !bad.is_empty() {
            return Err(ImportError::BadRows(bad));
        }
        if report.inserted + report.updated > 0 {
            tx.audit(
                who.event(
                    None,
                    "tenant.import",
                    "tenants".into(),
                    serde_json::json!({
                        "inserted": report.inserted,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                    })
                    .to_string(),
                ),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(report)
    }

    pub async fn tenant(&self, code: &str) -> Result<Tenant> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM tenants WHERE code = $1"))
            .bind(code)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        tenant_from_row(&row)
    }

    /// A tenant with its data version: the length of its audit chain. Every change to a
    /// tenant's data appends to that chain in the change's own transaction (and so do reads
    /// of confidential content), so the version moves with every commit, on every app server
    /// at once: the web layer's read caches (`renkei_web::cache`) are valid while it stays the
    /// same. One statement, as `tenant` is. A signed-in page request reads it with the
    /// session instead ([`Store::session_get_with_tenant`]).
    pub async fn tenant_versioned(&self, code: &str) -> Result<(Tenant, i64)> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS}, {} AS version FROM tenants WHERE code = $1",
            version_of("tenants.code")
        ))
        .bind(code)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((tenant_from_row(&row)?, row.try_get("version")?))
    }

    pub async fn tenant_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM tenants")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Local governments whose name, kana or code contains `q` (all when empty), by code.
    pub async fn tenants_search(&self, q: &str, limit: i64, offset: i64) -> Result<Vec<Tenant>> {
        let q = to_full_width_kana(q);
        let pattern = format!("%{}%", crate::like_escape(&q));
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE $1 = '' OR code LIKE $2 ESCAPE '\\' \
             OR name LIKE $2 ESCAPE '\\' OR name_kana LIKE $2 ESCAPE '\\' \
             OR prefecture_name LIKE $2 ESCAPE '\\' ORDER BY code LIMIT $3 OFFSET $4"
        ))
        .bind(&q)
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tenant_from_row).collect()
    }

    /// Local governments that have at least one account (the ones actually using the platform).
    pub async fn tenants_with_accounts(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE code IN \
             (SELECT tenant_code FROM users WHERE tenant_code IS NOT NULL) ORDER BY code"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tenant_from_row).collect()
    }

    /// The 47 prefectures, by code (the top page's way in).
    pub async fn tenant_prefectures(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE kind = 'prefecture' ORDER BY code"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tenant_from_row).collect()
    }

    /// The municipalities of a prefecture.
    pub async fn tenant_municipalities(&self, prefecture: &str) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tenants WHERE prefecture_code = $1 AND code <> $1 ORDER BY code"
        ))
        .bind(prefecture)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tenant_from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_line_of_text() {
        let csv = "code,prefecture,city,prefecture_kana,city_kana\n\
                   270008,大阪府,,ｵｵｻｶﾌ,\n\
                   272027,大阪府,\"岸和田市\r\nBcc: x@evil.example\",ｵｵｻｶﾌ,ｷｼﾜﾀﾞｼ\n\
                   272035,大阪府,豊中市\u{7},ｵｵｻｶﾌ,ﾄﾖﾅｶｼ\n";
        let rows = parse_code_list(csv.as_bytes()).err().unwrap_or_default();
        let keys: Vec<(&str, &str)> = rows.iter().map(|r| (r.detail.as_str(), r.key)).collect();
        assert_eq!(
            keys,
            vec![
                ("272027", "error-line-break"),
                ("272035", "error-control-character")
            ]
        );
    }
}
