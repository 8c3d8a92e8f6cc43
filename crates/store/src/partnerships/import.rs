//! Partnership lists in and out of spreadsheets: importing many partnerships in one
//! transaction (all or nothing, one audit entry with the count and the file's SHA-256), the
//! IDs already taken in a tenant, the rows an export writes, and the uploaded files held
//! between a preview and its confirmation (`sheet_uploads`).

use super::{PartnershipFilter, PartnershipSummary, PartyRow};
use crate::{Result, Store, StoreError, Who, rows};
use chrono::NaiveDate;
use renkei_domain::TenantCode;
use renkei_domain::partnership::Form;
use renkei_domain::proposal::{Field, PartnerType};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// One partnership to import, with the ID its row had in the city's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPartnership {
    pub new: super::NewPartnership,
    pub source_id: String,
}

/// One partnership as the export writes it: the list's columns, all its parties, its
/// summary text and the ID it was imported with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub id: i64,
    pub source_id: Option<String>,
    pub form: Form,
    pub title: String,
    pub department_name: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub auto_renew: bool,
    pub published: bool,
    pub fields: Vec<Field>,
    pub summary_text: String,
    pub last_activity_on: Option<NaiveDate>,
    pub parties: Vec<PartyRow>,
}

impl ExportRow {
    /// The ID column: the ID it was imported with, else its number in Renkei.
    pub fn sheet_id(&self) -> String {
        self.source_id
            .clone()
            .unwrap_or_else(|| self.id.to_string())
    }
}

/// A file held between its preview and its confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldUpload {
    pub filename: String,
    pub data: Vec<u8>,
}

/// How long an uploaded file waits for its confirmation.
pub const UPLOAD_HOLD_MINUTES: i64 = 60;

impl Store {
    /// The IDs a row may not use in this tenant: those partnerships were imported with, and
    /// the numbers of partnerships entered without one (what the export writes as their ID),
    /// so a list exported and imported again into the same tenant is refused, not doubled.
    pub async fn partnership_taken_ids(&self, tenant: TenantCode) -> Result<HashSet<String>> {
        let rows = sqlx::query("SELECT id, source_id FROM partnerships WHERE tenant_code = $1")
            .bind(tenant.to_string())
            .fetch_all(self.pool())
            .await?;
        let mut out = HashSet::with_capacity(rows.len());
        for r in rows {
            match r.try_get::<Option<String>, _>("source_id")? {
                Some(s) => out.insert(s),
                None => out.insert(r.try_get::<i64, _>("id")?.to_string()),
            };
        }
        Ok(out)
    }

    /// Writes every partnership in one transaction, or none: an ID taken meanwhile (or a
    /// department gone) rolls everything back. One audit entry names the file, its SHA-256
    /// and the count. Returns the count.
    pub async fn partnerships_import(
        &self,
        tenant: TenantCode,
        list: &[ImportPartnership],
        filename: &str,
        sha256: &str,
        who: &Who,
    ) -> Result<usize> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        tx.lock(&format!("partnership-import:{t}")).await?;
        let taken: HashSet<String> = sqlx::query(
            "SELECT source_id FROM partnerships WHERE tenant_code = $1 AND source_id IS NOT NULL",
        )
        .bind(&t)
        .fetch_all(&mut *tx.tx)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("source_id"))
        .collect::<std::result::Result<_, _>>()?;
        for p in list {
            if taken.contains(&p.source_id) {
                return Err(StoreError::conflict("file", "error-import-id-taken"));
            }
            let id = tx.insert_partnership(&t, who, &p.new).await?;
            sqlx::query(
                "UPDATE partnerships SET source_id = $3 WHERE tenant_code = $1 AND id = $2",
            )
            .bind(&t)
            .bind(id)
            .bind(&p.source_id)
            .execute(&mut *tx.tx)
            .await?;
        }
        let detail = serde_json::json!({
            "count": list.len(),
            "filename": filename,
            "sha256": sha256,
        })
        .to_string();
        tx.audit(who.event(
            Some(&t),
            "partnership.import",
            "partnerships".into(),
            detail,
        ))
        .await?;
        tx.commit().await?;
        Ok(list.len())
    }

    /// The partnerships a list with `filter` shows (every page, at most `EXPORT_MAX`), each
    /// with all its parties, its summary text and its import ID.
    pub async fn partnerships_export(
        &self,
        tenant: TenantCode,
        filter: &PartnershipFilter,
    ) -> Result<Vec<ExportRow>> {
        let mut all = filter.clone();
        all.page = 0;
        all.per_page = super::EXPORT_MAX;
        let (list, _) = self.partnerships(tenant, &all).await?;
        let extra: HashMap<i64, (Option<String>, String)> =
            sqlx::query("SELECT id, source_id, summary FROM partnerships WHERE tenant_code = $1")
                .bind(tenant.to_string())
                .fetch_all(self.pool())
                .await?
                .iter()
                .map(|r| {
                    Ok((
                        r.try_get("id")?,
                        (r.try_get("source_id")?, r.try_get("summary")?),
                    ))
                })
                .collect::<Result<_>>()?;
        let mut parties: HashMap<i64, Vec<PartyRow>> = HashMap::new();
        for p in sqlx::query(
            "SELECT pp.partnership_id, pp.position, pp.partner_id, pp.name, pp.party_type, \
             pp.corporate_number, pp.role FROM partnership_parties pp \
             JOIN partnerships p ON p.id = pp.partnership_id \
             WHERE p.tenant_code = $1 ORDER BY pp.partnership_id, pp.position",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?
        {
            parties
                .entry(p.try_get("partnership_id")?)
                .or_default()
                .push(PartyRow {
                    position: p.try_get("position")?,
                    partner_id: p.try_get("partner_id")?,
                    name: p.try_get("name")?,
                    party_type: rows::code(
                        &p,
                        "partnership_parties",
                        "party_type",
                        PartnerType::parse,
                    )?,
                    corporate_number: p.try_get("corporate_number")?,
                    role: p.try_get("role")?,
                });
        }
        // Oldest first, as the list was kept.
        let mut out: Vec<ExportRow> = list
            .into_iter()
            .map(|s: PartnershipSummary| {
                let (source_id, summary_text) = extra.get(&s.id).cloned().unwrap_or_default();
                ExportRow {
                    id: s.id,
                    source_id,
                    form: s.form,
                    title: s.title,
                    department_name: s.department_name,
                    signed_on: s.signed_on,
                    ends_on: s.ends_on,
                    auto_renew: s.auto_renew,
                    published: s.published,
                    fields: s.fields,
                    summary_text,
                    last_activity_on: s.last_activity_on,
                    parties: parties.remove(&s.id).unwrap_or_default(),
                }
            })
            .collect();
        out.reverse();
        Ok(out)
    }

    /// Records a partnership export in the audit trail (format, count, filter).
    pub async fn audit_partnership_export(
        &self,
        tenant: TenantCode,
        format: &str,
        count: usize,
        filter: &str,
        who: &Who,
    ) -> Result<()> {
        let detail = serde_json::json!({ "format": format, "count": count, "filter": filter });
        self.audit(who.event(
            Some(&tenant.to_string()),
            "partnership.export",
            "partnerships".into(),
            detail.to_string(),
        ))
        .await
    }

    /// Holds an uploaded file for `user` until it is confirmed (or an hour passes); returns
    /// the random token that names it. Files past their hour are removed on the way.
    pub async fn upload_hold(
        &self,
        tenant: TenantCode,
        user_id: i64,
        kind: &str,
        filename: &str,
        data: &[u8],
    ) -> Result<String> {
        let token = crate::sessions::random_token();
        let now = self.now();
        let expired = renkei_domain::time::to_db_timestamp(
            now - chrono::Duration::minutes(UPLOAD_HOLD_MINUTES),
        );
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM sheet_uploads WHERE created_at < $1")
            .bind(&expired)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO sheet_uploads (token, tenant_code, user_id, kind, filename, data, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&token)
        .bind(tenant.to_string())
        .bind(user_id)
        .bind(kind)
        .bind(filename)
        .bind(data.to_vec())
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The held file of this token, only for the tenant, user and kind that uploaded it and
    /// within its hour; `NotFound` otherwise.
    pub async fn upload_held(
        &self,
        tenant: TenantCode,
        user_id: i64,
        kind: &str,
        token: &str,
    ) -> Result<HeldUpload> {
        let since = renkei_domain::time::to_db_timestamp(
            self.now() - chrono::Duration::minutes(UPLOAD_HOLD_MINUTES),
        );
        let r = sqlx::query(
            "SELECT filename, data FROM sheet_uploads WHERE token = $1 AND tenant_code = $2 \
             AND user_id = $3 AND kind = $4 AND created_at >= $5",
        )
        .bind(token)
        .bind(tenant.to_string())
        .bind(user_id)
        .bind(kind)
        .bind(&since)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(HeldUpload {
            filename: r.try_get("filename")?,
            data: r.try_get("data")?,
        })
    }

    /// Forgets a held file (after its import, or when abandoned).
    pub async fn upload_drop(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sheet_uploads WHERE token = $1")
            .bind(token)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
