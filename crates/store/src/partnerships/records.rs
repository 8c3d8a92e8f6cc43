//! What a partnership's page keeps besides the record: activities with their photos, outcome
//! indicators with a target and an actual per fiscal year, the annual reviews (年次評価), the
//! signed documents (締結した協定書), and corrections of the record itself (old → new in the
//! timeline and the audit trail). Each write is one transaction with its audit entry and
//! timeline event; every method takes the tenant first and finds nothing of another tenant.

use crate::proposals::{AttachmentMeta, NewAttachment};
use crate::rows;
use crate::{Result, Store, StoreError, Who, WriteTx};
use chrono::NaiveDate;
use renkei_domain::TenantCode;
use renkei_domain::partnership::{
    Activity, Indicator, IndicatorValue, Partnership, Review, ReviewDecision,
};
use renkei_domain::time::to_db_date;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

/// An outcome indicator (成果指標) with its values, oldest fiscal year first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorRow {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub values: Vec<IndicatorValue>,
}

/// An annual review (年次評価).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    pub id: i64,
    pub fiscal_year: i32,
    pub decision: ReviewDecision,
    pub assessment: String,
    pub partner_view: String,
    pub reviewed_on: NaiveDate,
    pub reviewed_by: String,
}

/// A photo of an activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRow {
    pub activity_id: i64,
    pub meta: AttachmentMeta,
}

/// The most signed documents one partnership keeps.
pub const MAX_DOCUMENTS: i64 = 20;

fn file_meta(r: &AnyRow, table: &'static str, by: &str) -> Result<AttachmentMeta> {
    Ok(AttachmentMeta {
        id: r.try_get("id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: by.to_string(),
        uploader_name: if table == "partnership_documents" {
            r.try_get("uploaded_by")?
        } else {
            None
        },
        created_at: r.try_get("created_at")?,
    })
}

impl WriteTx {
    /// The partnership's status and department, if it is the tenant's (else not found).
    async fn partnership_row(&mut self, tenant: &str, id: i64) -> Result<(String, String)> {
        let r = sqlx::query(
            "SELECT status, updated_at FROM partnerships WHERE tenant_code = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((r.try_get("status")?, r.try_get("updated_at")?))
    }

    async fn partnership_touch(&mut self, tenant: &str, id: i64) -> Result<()> {
        sqlx::query("UPDATE partnerships SET updated_at = $3 WHERE tenant_code = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .bind(self.now_ts())
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Records an activity with its photos (already checked) in one transaction. Returns its id.
    pub async fn activity_add_with_photos(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        a: &Activity,
        photos: &[NewAttachment],
        who: &Who,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let id = tx.insert_activity(&t, who, partnership_id, a).await?;
        for p in photos {
            let sha = hex::encode(Sha256::digest(&p.data));
            sqlx::query(
                "INSERT INTO activity_photos (activity_id, tenant_code, filename, content_type, size, sha256, data, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&t)
            .bind(&p.filename)
            .bind(&p.content_type)
            .bind(p.data.len() as i64)
            .bind(&sha)
            .bind(p.data.clone())
            .bind(tx.now_ts())
            .execute(&mut *tx.tx)
            .await?;
        }
        let detail = serde_json::json!({
            "activity_id": id,
            "done_on": to_db_date(a.done_on),
            "photos": photos.len(),
        })
        .to_string();
        tx.audit(who.event(
            Some(&t),
            "partnership.activity",
            format!("partnership:{partnership_id}"),
            detail,
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The photos of a partnership's activities.
    pub async fn activity_photos(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
    ) -> Result<Vec<PhotoRow>> {
        sqlx::query(
            "SELECT ph.id, ph.activity_id, ph.filename, ph.content_type, ph.size, ph.sha256, ph.created_at \
             FROM activity_photos ph JOIN activities a ON a.id = ph.activity_id \
             WHERE a.tenant_code = $1 AND a.partnership_id = $2 ORDER BY ph.id",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(PhotoRow {
                activity_id: r.try_get("activity_id")?,
                meta: file_meta(r, "activity_photos", "staff")?,
            })
        })
        .collect()
    }

    /// One photo with its bytes.
    pub async fn activity_photo(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        photo_id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT ph.id, ph.filename, ph.content_type, ph.size, ph.sha256, ph.created_at, ph.data \
             FROM activity_photos ph JOIN activities a ON a.id = ph.activity_id \
             WHERE a.tenant_code = $1 AND a.partnership_id = $2 AND ph.id = $3",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .bind(photo_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((
            file_meta(&r, "activity_photos", "staff")?,
            r.try_get("data")?,
        ))
    }

    /// Adds an outcome indicator. A second one of the same name is refused.
    pub async fn indicator_add(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        i: &Indicator,
        who: &Who,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        tx.partnership_row(&t, partnership_id).await?;
        let r = sqlx::query(
            "SELECT COUNT(*) AS n, COALESCE(MAX(CASE WHEN name = $2 THEN 1 ELSE 0 END), 0) AS same \
             FROM partnership_indicators WHERE partnership_id = $1",
        )
        .bind(partnership_id)
        .bind(&i.name)
        .fetch_one(&mut *tx.tx)
        .await?;
        let n: i64 = r.try_get("n")?;
        let same: i64 = r.try_get("same")?;
        if same != 0 {
            return Err(StoreError::conflict(
                "indicator_name",
                "error-indicator-duplicate",
            ));
        }
        if n >= 50 {
            return Err(StoreError::conflict(
                "indicator_name",
                "error-indicator-limit",
            ));
        }
        let id: i64 = sqlx::query(
            "INSERT INTO partnership_indicators (partnership_id, position, name, unit) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(partnership_id)
        .bind(n)
        .bind(&i.name)
        .bind(&i.unit)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let note =
            serde_json::json!({ "indicator_id": id, "name": i.name, "unit": i.unit }).to_string();
        tx.partnership_event(partnership_id, who, "indicator", &note)
            .await?;
        tx.partnership_touch(&t, partnership_id).await?;
        tx.audit(who.event(
            Some(&t),
            "partnership.indicator",
            format!("partnership:{partnership_id}"),
            note,
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Sets an indicator's target and actual for a fiscal year (replacing what was there).
    pub async fn indicator_value_set(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        indicator_id: i64,
        v: &IndicatorValue,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        tx.partnership_row(&t, partnership_id).await?;
        let name: String = sqlx::query(
            "SELECT name FROM partnership_indicators WHERE partnership_id = $1 AND id = $2",
        )
        .bind(partnership_id)
        .bind(indicator_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get("name")?;
        let old = sqlx::query(
            "SELECT target, actual FROM indicator_values WHERE indicator_id = $1 AND fiscal_year = $2",
        )
        .bind(indicator_id)
        .bind(i64::from(v.fiscal_year))
        .fetch_optional(&mut *tx.tx)
        .await?;
        let now = tx.now_ts();
        let before = match &old {
            Some(r) => {
                let target: Option<i64> = r.try_get("target")?;
                let actual: Option<i64> = r.try_get("actual")?;
                sqlx::query(
                    "UPDATE indicator_values SET target = $3, actual = $4, updated_at = $5 \
                     WHERE indicator_id = $1 AND fiscal_year = $2",
                )
                .bind(indicator_id)
                .bind(i64::from(v.fiscal_year))
                .bind(v.target)
                .bind(v.actual)
                .bind(&now)
                .execute(&mut *tx.tx)
                .await?;
                serde_json::json!({ "target": target, "actual": actual })
            }
            None => {
                sqlx::query(
                    "INSERT INTO indicator_values (indicator_id, fiscal_year, target, actual, updated_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(indicator_id)
                .bind(i64::from(v.fiscal_year))
                .bind(v.target)
                .bind(v.actual)
                .bind(&now)
                .execute(&mut *tx.tx)
                .await?;
                serde_json::Value::Null
            }
        };
        let note = serde_json::json!({
            "indicator_id": indicator_id,
            "name": name,
            "fiscal_year": v.fiscal_year,
            "from": before,
            "to": { "target": v.target, "actual": v.actual },
        })
        .to_string();
        tx.partnership_event(partnership_id, who, "indicator-value", &note)
            .await?;
        tx.partnership_touch(&t, partnership_id).await?;
        tx.audit(who.event(
            Some(&t),
            "partnership.indicator_value",
            format!("partnership:{partnership_id}"),
            note,
        ))
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A partnership's indicators with their values.
    pub async fn indicators(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
    ) -> Result<Vec<IndicatorRow>> {
        let mut list: Vec<IndicatorRow> = sqlx::query(
            "SELECT i.id, i.name, i.unit FROM partnership_indicators i \
             JOIN partnerships p ON p.id = i.partnership_id \
             WHERE p.tenant_code = $1 AND i.partnership_id = $2 ORDER BY i.position, i.id",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(IndicatorRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                unit: r.try_get("unit")?,
                values: Vec::new(),
            })
        })
        .collect::<Result<_>>()?;
        let values = sqlx::query(
            "SELECT v.indicator_id, v.fiscal_year, v.target, v.actual FROM indicator_values v \
             JOIN partnership_indicators i ON i.id = v.indicator_id \
             JOIN partnerships p ON p.id = i.partnership_id \
             WHERE p.tenant_code = $1 AND i.partnership_id = $2 ORDER BY v.fiscal_year",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?;
        for r in &values {
            let indicator: i64 = r.try_get("indicator_id")?;
            let year: i64 = r.try_get("fiscal_year")?;
            let value = IndicatorValue {
                fiscal_year: i32::try_from(year).map_err(|_| StoreError::Corrupt {
                    table: "indicator_values",
                    column: "fiscal_year",
                    value: year.to_string(),
                })?,
                target: r.try_get("target")?,
                actual: r.try_get("actual")?,
            };
            if let Some(i) = list.iter_mut().find(|i| i.id == indicator) {
                i.values.push(value);
            }
        }
        Ok(list)
    }

    /// Records the annual review of a fiscal year: one per year (a second is refused), and it
    /// counts as the renewal decision from [`renkei_domain::partnership::renewal_decision_from`].
    pub async fn review_add(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        rv: &Review,
        who: &Who,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        tx.partnership_row(&t, partnership_id).await?;
        if sqlx::query(
            "SELECT 1 AS one FROM partnership_reviews WHERE partnership_id = $1 AND fiscal_year = $2",
        )
        .bind(partnership_id)
        .bind(i64::from(rv.fiscal_year))
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_some()
        {
            return Err(StoreError::conflict(
                "fiscal_year",
                "error-review-duplicate",
            ));
        }
        let now = tx.now_ts();
        let today = to_db_date(tx.today());
        let id: i64 = sqlx::query(
            "INSERT INTO partnership_reviews (partnership_id, fiscal_year, decision, assessment, partner_view, reviewed_on, reviewed_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(partnership_id)
        .bind(i64::from(rv.fiscal_year))
        .bind(rv.decision.code())
        .bind(&rv.assessment)
        .bind(&rv.partner_view)
        .bind(&today)
        .bind(&who.label)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        sqlx::query(
            "UPDATE partnerships SET \
             last_review_on = CASE WHEN last_review_on IS NULL OR last_review_on < $3 THEN $3 ELSE last_review_on END, \
             updated_at = $4 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(partnership_id)
        .bind(&today)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        let note = serde_json::json!({
            "review_id": id,
            "fiscal_year": rv.fiscal_year,
            "decision": rv.decision.code(),
        })
        .to_string();
        tx.partnership_event(partnership_id, who, "review", &note)
            .await?;
        tx.audit(who.event(
            Some(&t),
            "partnership.review",
            format!("partnership:{partnership_id}"),
            note,
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// A partnership's annual reviews, latest fiscal year first.
    pub async fn reviews(&self, tenant: TenantCode, partnership_id: i64) -> Result<Vec<ReviewRow>> {
        sqlx::query(
            "SELECT r.id, r.fiscal_year, r.decision, r.assessment, r.partner_view, r.reviewed_on, r.reviewed_by \
             FROM partnership_reviews r JOIN partnerships p ON p.id = r.partnership_id \
             WHERE p.tenant_code = $1 AND r.partnership_id = $2 ORDER BY r.fiscal_year DESC",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            let year: i64 = r.try_get("fiscal_year")?;
            Ok(ReviewRow {
                id: r.try_get("id")?,
                fiscal_year: i32::try_from(year).map_err(|_| StoreError::Corrupt {
                    table: "partnership_reviews",
                    column: "fiscal_year",
                    value: year.to_string(),
                })?,
                decision: rows::code(r, "partnership_reviews", "decision", ReviewDecision::parse)?,
                assessment: r.try_get("assessment")?,
                partner_view: r.try_get("partner_view")?,
                reviewed_on: rows::date(r, "partnership_reviews", "reviewed_on")?,
                reviewed_by: r.try_get("reviewed_by")?,
            })
        })
        .collect()
    }

    /// Keeps signed documents (already checked) with the partnership.
    pub async fn documents_add(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        files: &[NewAttachment],
        who: &Who,
    ) -> Result<Vec<i64>> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        tx.partnership_row(&t, partnership_id).await?;
        let held: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM partnership_documents WHERE partnership_id = $1",
        )
        .bind(partnership_id)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("n")?;
        if held + files.len() as i64 > MAX_DOCUMENTS {
            return Err(StoreError::conflict(
                "documents",
                "error-partnership-document-limit",
            ));
        }
        let mut ids = Vec::new();
        for f in files {
            let sha = hex::encode(Sha256::digest(&f.data));
            let id: i64 = sqlx::query(
                "INSERT INTO partnership_documents (partnership_id, tenant_code, filename, content_type, size, sha256, data, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(partnership_id)
            .bind(&t)
            .bind(&f.filename)
            .bind(&f.content_type)
            .bind(f.data.len() as i64)
            .bind(&sha)
            .bind(f.data.clone())
            .bind(&who.label)
            .bind(tx.now_ts())
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("id")?;
            let note =
                serde_json::json!({ "document_id": id, "filename": f.filename, "sha256": sha })
                    .to_string();
            tx.partnership_event(partnership_id, who, "document", &note)
                .await?;
            tx.audit(who.event(
                Some(&t),
                "partnership.document",
                format!("partnership:{partnership_id}"),
                note,
            ))
            .await?;
            ids.push(id);
        }
        tx.partnership_touch(&t, partnership_id).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// The signed documents of a partnership.
    pub async fn documents(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
    ) -> Result<Vec<AttachmentMeta>> {
        sqlx::query(
            "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at FROM partnership_documents \
             WHERE tenant_code = $1 AND partnership_id = $2 ORDER BY id",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| file_meta(r, "partnership_documents", "staff"))
        .collect()
    }

    /// One signed document with its bytes.
    pub async fn document(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT id, filename, content_type, size, sha256, uploaded_by, created_at, data FROM partnership_documents \
             WHERE tenant_code = $1 AND partnership_id = $2 AND id = $3",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((
            file_meta(&r, "partnership_documents", "staff")?,
            r.try_get("data")?,
        ))
    }

    /// Corrects a partnership's record: every field of the form, its parties and fields
    /// replaced, with a required reason. `basis` is the `updated_at` the form was opened on:
    /// a record changed meanwhile is refused. Each changed field's old and new value go to
    /// the timeline and the audit trail; a changed end day moves `renewal_from`. Returns the
    /// changed fields' names.
    pub async fn partnership_update(
        &self,
        tenant: TenantCode,
        id: i64,
        p: &Partnership,
        reason: &str,
        basis: &str,
        who: &Who,
    ) -> Result<Vec<String>> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let (_, updated_at) = tx.partnership_row(&t, id).await?;
        if updated_at != basis {
            return Err(StoreError::conflict("form", "error-partnership-edit-stale"));
        }
        tx.check_department(&t, p.department_id).await?;
        let old = old_values(&mut tx, &t, id).await?;
        let new = new_values(p);
        let mut changes = Vec::new();
        for ((name, before), (_, after)) in old.iter().zip(new.iter()) {
            if before != after {
                changes.push(serde_json::json!({ "field": name, "from": before, "to": after }));
            }
        }
        if changes.is_empty() {
            return Err(StoreError::conflict(
                "form",
                "error-partnership-edit-nothing",
            ));
        }
        let (amount, justification) = match &p.fiscal_burden {
            Some((a, j)) => (Some(*a), j.clone()),
            None => (None, String::new()),
        };
        let now = tx.now_ts();
        sqlx::query(
            "UPDATE partnerships SET form = $3, title = $4, purpose = $5, summary = $6, city_role = $7, \
             department_id = $8, signed_on = $9, starts_on = $10, ends_on = $11, renewal_from = $12, \
             auto_renew = $13, fiscal_amount = $14, fiscal_justification = $15, published = $16, \
             commercial_note = $17, updated_at = $18 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(id)
        .bind(p.form.code())
        .bind(&p.title)
        .bind(&p.purpose)
        .bind(&p.summary)
        .bind(&p.city_role)
        .bind(p.department_id)
        .bind(p.signed_on.map(to_db_date))
        .bind(p.starts_on.map(to_db_date))
        .bind(p.ends_on.map(to_db_date))
        .bind(
            p.ends_on
                .map(|e| to_db_date(renkei_domain::partnership::renewal_decision_from(e))),
        )
        .bind(i64::from(p.auto_renew))
        .bind(amount)
        .bind(&justification)
        .bind(i64::from(p.published))
        .bind(p.commercial_note.as_deref())
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        let changed: Vec<String> = changes
            .iter()
            .filter_map(|c| c["field"].as_str().map(str::to_string))
            .collect();
        if changed.iter().any(|c| c == "parties") {
            sqlx::query("DELETE FROM partnership_parties WHERE partnership_id = $1")
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            tx.write_parties(&t, id, &p.parties).await?;
        }
        if changed.iter().any(|c| c == "fields") {
            sqlx::query("DELETE FROM partnership_fields WHERE partnership_id = $1")
                .bind(id)
                .execute(&mut *tx.tx)
                .await?;
            tx.write_fields(id, &p.fields).await?;
        }
        let note = serde_json::json!({ "reason": reason, "changes": changes }).to_string();
        tx.partnership_event(id, who, "corrected", &note).await?;
        tx.audit(who.event(
            Some(&t),
            "partnership.correct",
            format!("partnership:{id}"),
            note,
        ))
        .await?;
        tx.commit().await?;
        Ok(changed)
    }
}

type Values = Vec<(&'static str, serde_json::Value)>;

fn opt_day(d: Option<NaiveDate>) -> serde_json::Value {
    d.map(|d| serde_json::Value::from(to_db_date(d)))
        .unwrap_or(serde_json::Value::Null)
}

/// The correctable values of a record, in one order (compared pairwise with the stored ones).
fn new_values(p: &Partnership) -> Values {
    use serde_json::json;
    let parties: Vec<serde_json::Value> = p
        .parties
        .iter()
        .map(|x| {
            json!({
                "name": x.name,
                "type": x.party_type.code(),
                "corporate_number": x.corporate_number.as_ref().map(|c| c.as_str().to_string()),
                "role": x.role,
            })
        })
        .collect();
    vec![
        ("form", json!(p.form.code())),
        ("title", json!(p.title)),
        ("purpose", json!(p.purpose)),
        ("summary", json!(p.summary)),
        ("city_role", json!(p.city_role)),
        ("department_id", json!(p.department_id)),
        ("parties", json!(parties)),
        (
            "fields",
            json!(p.fields.iter().map(|f| f.code()).collect::<Vec<_>>()),
        ),
        ("signed_on", opt_day(p.signed_on)),
        ("starts_on", opt_day(p.starts_on)),
        ("ends_on", opt_day(p.ends_on)),
        ("auto_renew", json!(p.auto_renew)),
        (
            "fiscal_amount",
            json!(p.fiscal_burden.as_ref().map(|f| f.0)),
        ),
        (
            "fiscal_justification",
            json!(
                p.fiscal_burden
                    .as_ref()
                    .map(|f| f.1.clone())
                    .unwrap_or_default()
            ),
        ),
        ("published", json!(p.published)),
        ("commercial_note", json!(p.commercial_note)),
    ]
}

async fn old_values(tx: &mut WriteTx, tenant: &str, id: i64) -> Result<Values> {
    use serde_json::json;
    let r = sqlx::query(
        "SELECT form, title, purpose, summary, city_role, department_id, signed_on, starts_on, ends_on, \
         auto_renew, fiscal_amount, fiscal_justification, published, commercial_note \
         FROM partnerships WHERE tenant_code = $1 AND id = $2",
    )
    .bind(tenant)
    .bind(id)
    .fetch_one(&mut *tx.tx)
    .await?;
    let parties: Vec<serde_json::Value> = sqlx::query(
        "SELECT name, party_type, corporate_number, role FROM partnership_parties \
         WHERE partnership_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *tx.tx)
    .await?
    .iter()
    .map(|p| {
        Ok(json!({
            "name": p.try_get::<String, _>("name")?,
            "type": p.try_get::<String, _>("party_type")?,
            "corporate_number": p.try_get::<Option<String>, _>("corporate_number")?,
            "role": p.try_get::<String, _>("role")?,
        }))
    })
    .collect::<Result<_>>()?;
    let fields: Vec<String> = sqlx::query(
        "SELECT field FROM partnership_fields WHERE partnership_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut *tx.tx)
    .await?
    .iter()
    .map(|f| f.try_get::<String, _>("field"))
    .collect::<std::result::Result<_, _>>()?;
    let day = |c: &str| -> Result<serde_json::Value> {
        Ok(r.try_get::<Option<String>, _>(c)?
            .map(serde_json::Value::from)
            .unwrap_or(serde_json::Value::Null))
    };
    Ok(vec![
        ("form", json!(r.try_get::<String, _>("form")?)),
        ("title", json!(r.try_get::<String, _>("title")?)),
        ("purpose", json!(r.try_get::<String, _>("purpose")?)),
        ("summary", json!(r.try_get::<String, _>("summary")?)),
        ("city_role", json!(r.try_get::<String, _>("city_role")?)),
        (
            "department_id",
            json!(r.try_get::<Option<i64>, _>("department_id")?),
        ),
        ("parties", json!(parties)),
        ("fields", json!(fields)),
        ("signed_on", day("signed_on")?),
        ("starts_on", day("starts_on")?),
        ("ends_on", day("ends_on")?),
        ("auto_renew", json!(r.try_get::<i64, _>("auto_renew")? != 0)),
        (
            "fiscal_amount",
            json!(r.try_get::<Option<i64>, _>("fiscal_amount")?),
        ),
        (
            "fiscal_justification",
            json!(r.try_get::<String, _>("fiscal_justification")?),
        ),
        ("published", json!(r.try_get::<i64, _>("published")? != 0)),
        (
            "commercial_note",
            json!(r.try_get::<Option<String>, _>("commercial_note")?),
        ),
    ])
}

impl Store {
    /// The parties' names of several partnerships of the tenant, in their order (a list page
    /// of the API names every partner).
    pub async fn party_names(
        &self,
        tenant: TenantCode,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<String>>> {
        let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = ids
            .iter()
            .take(1_000)
            .enumerate()
            .map(|(i, _)| format!("${}", i + 2))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT pp.partnership_id, pp.name FROM partnership_parties pp \
             JOIN partnerships p ON p.id = pp.partnership_id \
             WHERE p.tenant_code = $1 AND pp.partnership_id IN ({list}) \
             ORDER BY pp.partnership_id, pp.position"
        );
        let mut q = sqlx::query(&sql).bind(tenant.to_string());
        for id in ids.iter().take(1_000) {
            q = q.bind(*id);
        }
        for r in q.fetch_all(self.pool()).await? {
            out.entry(r.try_get("partnership_id")?)
                .or_default()
                .push(r.try_get("name")?);
        }
        Ok(out)
    }
}
