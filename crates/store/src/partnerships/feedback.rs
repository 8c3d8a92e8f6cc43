//! Beneficiaries' voice (受益者の声): feedback on published partnerships, sent from the public
//! page and held for the desk's moderation. A client is known only by a hash of its address
//! (per tenant); its submissions are counted inside the submitting transaction, with
//! concurrent submissions of one client taking turns, so racing requests never exceed the
//! limit.

use crate::{Result, Store, StoreError, Who, rows};
use chrono::{DateTime, Utc};
use renkei_domain::TenantCode;
use renkei_domain::partnership::{Feedback, FeedbackAttribute, FeedbackStatus};
use sha2::{Digest, Sha256};
use sqlx::Row;

/// A submission as the public form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeedback {
    pub feedback: Feedback,
    /// The client's address (only its hash is stored).
    pub client_ip: String,
}

/// A piece of feedback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    pub id: i64,
    pub partnership_id: i64,
    pub partnership_title: String,
    pub rating: i64,
    pub comment: String,
    pub attribute: Option<FeedbackAttribute>,
    pub status: FeedbackStatus,
    pub created_at: DateTime<Utc>,
}

/// The approved feedback of a partnership in figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedbackSummary {
    pub count: i64,
    /// The average rating in tenths (43 is 4.3); 0 without feedback.
    pub average_tenths: i64,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
}

impl FeedbackSummary {
    /// The average as people write it (4.3), or "—" without feedback.
    pub fn average_text(&self) -> String {
        if self.count == 0 {
            "—".into()
        } else {
            format!("{}.{}", self.average_tenths / 10, self.average_tenths % 10)
        }
    }
}

/// A partnership's feedback in the desk's moderation list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackCounts {
    pub partnership_id: i64,
    pub title: String,
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
}

/// The hashed key a client is counted by (its address never stored).
pub fn client_key(tenant: &str, ip: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"renkei-feedback\0");
    h.update(tenant.as_bytes());
    h.update(b"\0");
    h.update(ip.as_bytes());
    hex::encode(h.finalize())
}

const T: &str = "partnership_feedback";

fn feedback_from_row(r: &sqlx::any::AnyRow) -> Result<FeedbackRow> {
    let attribute: Option<String> = r.try_get("attribute")?;
    Ok(FeedbackRow {
        id: r.try_get("id")?,
        partnership_id: r.try_get("partnership_id")?,
        partnership_title: r.try_get("title")?,
        rating: r.try_get("rating")?,
        comment: r.try_get("comment")?,
        attribute: attribute
            .filter(|a| !a.is_empty())
            .map(|a| {
                FeedbackAttribute::parse(&a).map_err(|_| StoreError::Corrupt {
                    table: T,
                    column: "attribute",
                    value: a.clone(),
                })
            })
            .transpose()?,
        status: rows::code(r, T, "status", FeedbackStatus::parse)?,
        created_at: rows::instant(r, T, "created_at")?,
    })
}

impl Store {
    /// Whether the tenant's partnership is published (公開).
    pub async fn partnership_published(&self, tenant: TenantCode, id: i64) -> Result<bool> {
        Ok(sqlx::query(
            "SELECT 1 AS one FROM partnerships WHERE tenant_code = $1 AND id = $2 AND published = 1",
        )
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .is_some())
    }

    /// Holds a submission for moderation. At most `per_hour` from one client per tenant in an
    /// hour (0: no limit); a refused one ([`StoreError::RateLimited`]) writes nothing. Only
    /// published partnerships take feedback ([`StoreError::NotFound`] otherwise).
    pub async fn feedback_submit(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        new: &NewFeedback,
        per_hour: i64,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let key = client_key(&t, &new.client_ip);
        let mut tx = self.write().await?;
        if sqlx::query(
            "SELECT 1 AS one FROM partnerships WHERE tenant_code = $1 AND id = $2 AND published = 1",
        )
        .bind(&t)
        .bind(partnership_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .is_none()
        {
            return Err(StoreError::NotFound);
        }
        let now = tx.now();
        if per_hour > 0 {
            tx.lock(&format!("feedback-client:{key}")).await?;
            let since = renkei_domain::time::to_db_timestamp(now - chrono::Duration::hours(1));
            let n: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM partnership_feedback WHERE client_key = $1 AND created_at > $2",
            )
            .bind(&key)
            .bind(&since)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("n")?;
            if n >= per_hour {
                return Err(StoreError::RateLimited);
            }
        }
        let f = &new.feedback;
        let id: i64 = sqlx::query(
            "INSERT INTO partnership_feedback (tenant_code, partnership_id, rating, comment, attribute, status, client_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7) RETURNING id",
        )
        .bind(&t)
        .bind(partnership_id)
        .bind(f.rating)
        .bind(&f.comment)
        .bind(f.attribute.map(|a| a.code()))
        .bind(&key)
        .bind(renkei_domain::time::to_db_timestamp(now))
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let who = Who {
            user_id: None,
            label: "public".into(),
            origin: "web".into(),
        };
        tx.audit(who.event(
            Some(&t),
            "feedback.submit",
            format!("partnership:{partnership_id}"),
            serde_json::json!({ "feedback_id": id, "rating": f.rating }).to_string(),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Approves or rejects a piece of feedback (pending or already moderated), audited.
    pub async fn feedback_moderate(
        &self,
        tenant: TenantCode,
        id: i64,
        status: FeedbackStatus,
        who: &Who,
    ) -> Result<()> {
        if status == FeedbackStatus::Pending {
            return Err(StoreError::conflict("status", "error-feedback-status"));
        }
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        let r = sqlx::query(
            "UPDATE partnership_feedback SET status = $3, moderated_by = $4, moderated_at = $5 \
             WHERE tenant_code = $1 AND id = $2 RETURNING partnership_id",
        )
        .bind(&t)
        .bind(id)
        .bind(status.code())
        .bind(&who.label)
        .bind(&now)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let pid: i64 = r.try_get("partnership_id")?;
        tx.audit(who.event(
            Some(&t),
            "feedback.moderate",
            format!("partnership:{pid}"),
            serde_json::json!({ "feedback_id": id, "status": status.code() }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    /// The tenant's feedback, pending first then newest; of one partnership and/or one status
    /// when given; at most `limit`.
    pub async fn feedback_list(
        &self,
        tenant: TenantCode,
        partnership_id: Option<i64>,
        status: Option<FeedbackStatus>,
        limit: i64,
    ) -> Result<Vec<FeedbackRow>> {
        sqlx::query(
            "SELECT f.id, f.partnership_id, p.title, f.rating, f.comment, f.attribute, f.status, f.created_at \
             FROM partnership_feedback f JOIN partnerships p ON p.id = f.partnership_id \
             WHERE f.tenant_code = $1 AND ($2 = 0 OR f.partnership_id = $2) AND ($3 = '' OR f.status = $3) \
             ORDER BY CASE WHEN f.status = 'pending' THEN 0 ELSE 1 END, f.id DESC LIMIT $4",
        )
        .bind(tenant.to_string())
        .bind(partnership_id.unwrap_or(0))
        .bind(status.map(|s| s.code()).unwrap_or_default())
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(feedback_from_row)
        .collect()
    }

    /// A partnership's approved feedback in figures (for any page that shows it).
    pub async fn feedback_summary(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
    ) -> Result<FeedbackSummary> {
        let rows = sqlx::query(
            "SELECT rating, COUNT(*) AS n FROM partnership_feedback \
             WHERE tenant_code = $1 AND partnership_id = $2 AND status = 'approved' GROUP BY rating",
        )
        .bind(tenant.to_string())
        .bind(partnership_id)
        .fetch_all(self.pool())
        .await?;
        let mut s = FeedbackSummary::default();
        let mut sum = 0;
        for r in rows {
            let rating: i64 = r.try_get("rating")?;
            let n: i64 = r.try_get("n")?;
            if (1..=5).contains(&rating) {
                s.distribution[(rating - 1) as usize] += n;
                s.count += n;
                sum += rating * n;
            }
        }
        if s.count > 0 {
            // Rounded half up to tenths.
            s.average_tenths = (sum * 100 / s.count + 5) / 10;
        }
        Ok(s)
    }

    /// Feedback counts per partnership (those with any), pending first.
    pub async fn feedback_counts(&self, tenant: TenantCode) -> Result<Vec<FeedbackCounts>> {
        sqlx::query(
            "SELECT f.partnership_id, p.title, \
             SUM(CASE WHEN f.status = 'pending' THEN 1 ELSE 0 END) AS pending, \
             SUM(CASE WHEN f.status = 'approved' THEN 1 ELSE 0 END) AS approved, \
             SUM(CASE WHEN f.status = 'rejected' THEN 1 ELSE 0 END) AS rejected \
             FROM partnership_feedback f JOIN partnerships p ON p.id = f.partnership_id \
             WHERE f.tenant_code = $1 GROUP BY f.partnership_id, p.title \
             ORDER BY pending DESC, f.partnership_id DESC LIMIT 500",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(FeedbackCounts {
                partnership_id: r.try_get("partnership_id")?,
                title: r.try_get("title")?,
                pending: r.try_get("pending")?,
                approved: r.try_get("approved")?,
                rejected: r.try_get("rejected")?,
            })
        })
        .collect()
    }
}
