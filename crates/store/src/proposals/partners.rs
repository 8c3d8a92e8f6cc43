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
