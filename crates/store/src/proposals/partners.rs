//! The partner registry that intake feeds (matched by 法人番号, else by normalised name).

use super::*;

impl Store {
    pub async fn partners(&self, tenant: TenantCode, q: Option<&str>) -> Result<Vec<Partner>> {
        let pattern = q
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(|q| format!("%{}%", normalise_org_name(q)));
        let rows = sqlx::query(
            &format!(
                "{PARTNER_SELECT} WHERE pa.tenant_code = $1 AND ($2 = '' OR pa.name_norm LIKE $2) ORDER BY pa.name LIMIT 500"
            ),
        )
        .bind(tenant.to_string())
        .bind(pattern.unwrap_or_default())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(partner_from_row).collect()
    }

    pub async fn partner(&self, tenant: TenantCode, id: i64) -> Result<Partner> {
        let r = sqlx::query(&format!(
            "{PARTNER_SELECT} WHERE pa.tenant_code = $1 AND pa.id = $2"
        ))
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        partner_from_row(&r)
    }

    pub async fn partner_proposals(
        &self,
        tenant: TenantCode,
        partner_id: i64,
    ) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.partner_id = $2 ORDER BY p.created_at DESC", columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(partner_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    pub async fn partner_update(
        &self,
        tenant: TenantCode,
        id: i64,
        strengths: &str,
        constraints: &str,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let strengths = rules::PARTNER_STRENGTHS.parse(strengths)?;
        let constraints = rules::PARTNER_CONSTRAINTS.parse(constraints)?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "UPDATE partners SET strengths = $3, constraints = $4, updated_at = $5 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(id)
        .bind(&strengths)
        .bind(&constraints)
        .bind(self.now_ts())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(who.event(
            Some(&t),
            "partner.update",
            format!("partner:{id}"),
            String::new(),
        ))
        .await?;
        tx.commit().await
    }
}

/// What a merge did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerMerge {
    /// The partner that remains.
    pub kept: i64,
    /// Proposals that moved to it.
    pub moved: u64,
}

impl Store {
    /// Merges partner `merged` into `kept` (two faculties of one university, one company
    /// entered twice): its proposals follow, its name becomes an alias that intake recognises,
    /// its 法人番号 passes to `kept` when that has none, its notes are appended; then it is gone.
    /// Refused when both have a 法人番号 and they differ (two legal persons), or for the same
    /// partner twice. One transaction, audited.
    pub async fn partner_merge(
        &self,
        tenant: TenantCode,
        kept: i64,
        merged: i64,
        who: &Who,
    ) -> Result<PartnerMerge> {
        if kept == merged {
            return Err(StoreError::conflict(
                "merge_with",
                "error-partner-merge-self",
            ));
        }
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let load = |id: i64| {
            sqlx::query(
                "SELECT id, name, name_norm, corporate_number, strengths, constraints FROM partners \
                 WHERE tenant_code = $1 AND id = $2",
            )
            .bind(t.clone())
            .bind(id)
        };
        let k = load(kept)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let m = load(merged)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let k_number: Option<String> = k.try_get("corporate_number")?;
        let m_number: Option<String> = m.try_get("corporate_number")?;
        if let (Some(a), Some(b)) = (&k_number, &m_number)
            && a != b
        {
            return Err(StoreError::conflict(
                "merge_with",
                "error-partner-merge-numbers",
            ));
        }
        let join = |a: String, b: String, max: usize| -> String {
            let text = match (a.is_empty(), b.is_empty()) {
                (_, true) => a,
                (true, false) => b,
                (false, false) if a == b => a,
                (false, false) => format!("{a}\n{b}"),
            };
            text.chars().take(max).collect()
        };
        let strengths = join(
            k.try_get("strengths")?,
            m.try_get("strengths")?,
            rules::PARTNER_STRENGTHS.max,
        );
        let constraints = join(
            k.try_get("constraints")?,
            m.try_get("constraints")?,
            rules::PARTNER_CONSTRAINTS.max,
        );
        let merged_name: String = m.try_get("name")?;
        let merged_norm: String = m.try_get("name_norm")?;
        let moved = sqlx::query(
            "UPDATE proposals SET partner_id = $3 WHERE tenant_code = $1 AND partner_id = $2",
        )
        .bind(&t)
        .bind(merged)
        .bind(kept)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE partner_aliases SET partner_id = $3 WHERE tenant_code = $1 AND partner_id = $2",
        )
        .bind(&t)
        .bind(merged)
        .bind(kept)
        .execute(&mut *tx.tx)
        .await?;
        let now = tx.now_ts();
        sqlx::query("DELETE FROM partners WHERE tenant_code = $1 AND id = $2")
            .bind(&t)
            .bind(merged)
            .execute(&mut *tx.tx)
            .await?;
        // The merged name (its key without a "#法人番号" suffix) leads to the kept partner.
        let alias = merged_norm
            .split('#')
            .next()
            .unwrap_or_default()
            .to_string();
        if !alias.is_empty() {
            sqlx::query(
                "INSERT INTO partner_aliases (tenant_code, name_norm, partner_id, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (tenant_code, name_norm) DO UPDATE SET partner_id = $3",
            )
            .bind(&t)
            .bind(&alias)
            .bind(kept)
            .bind(&now)
            .execute(&mut *tx.tx)
            .await?;
        }
        sqlx::query(
            "UPDATE partners SET corporate_number = $3, strengths = $4, constraints = $5, updated_at = $6 \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(kept)
        .bind(k_number.or(m_number))
        .bind(&strengths)
        .bind(&constraints)
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            who.event(
                Some(&t),
                "partner.merge",
                format!("partner:{kept}"),
                serde_json::json!({
                    "merged": merged,
                    "merged_name": merged_name,
                    "proposals_moved": moved,
                })
                .to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(PartnerMerge { kept, moved })
    }
}

/// The partner columns with the number of proposals each brought.
pub(super) const PARTNER_SELECT: &str = "SELECT pa.id, pa.name, pa.partner_type, pa.corporate_number, pa.strengths, \
    pa.constraints, pa.created_at, \
    (SELECT COUNT(*) FROM proposals p WHERE p.partner_id = pa.id) AS proposal_count FROM partners pa";

pub(super) fn partner_from_row(r: &sqlx::any::AnyRow) -> Result<Partner> {
    Ok(Partner {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        partner_type: rows::code(r, "partners", "partner_type", PartnerType::parse)?,
        corporate_number: r.try_get("corporate_number")?,
        strengths: r.try_get("strengths")?,
        constraints: r.try_get("constraints")?,
        proposal_count: r.try_get("proposal_count")?,
        created_at: rows::instant(r, "partners", "created_at")?,
    })
}
