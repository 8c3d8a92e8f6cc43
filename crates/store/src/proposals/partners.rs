//! The partner registry that intake feeds (matched by 法人番号, else by normalised name) and
//! the desk keeps: partners entered by hand, their reading (フリガナ) and place in the 五十音
//! order (`sort_key`, from `renkei_domain::partner::sort_key`), their contacts (担当者), and
//! merging two entries of one organisation.

use super::*;
use renkei_domain::partner::{NewContact, NewPartner, PartnerEdit, sort_key};

/// The migration that adds the sort key: the migrator then fills it for the partners already
/// there ([`fill_sort_keys`]), in the migration's own transaction.
pub const SORT_KEY_MIGRATION: i64 = 18;

/// Partners per statement when filling the sort key.
const BATCH: i64 = 500;

/// Computes every partner's `sort_key` from its name and reading (the domain decides how a
/// name sorts, which SQL cannot), in batches by id; returns how many rows it wrote.
pub(crate) async fn fill_sort_keys(conn: &mut sqlx::AnyConnection) -> Result<u64> {
    let mut after = 0i64;
    let mut written = 0u64;
    loop {
        let rows = sqlx::query(
            "SELECT id, name, name_kana, sort_key FROM partners WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(written);
        }
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            after = id;
            let name: String = r.try_get("name")?;
            let kana: String = r.try_get("name_kana")?;
            let stored: String = r.try_get("sort_key")?;
            let key = sort_key(&name, Some(&kana));
            if key != stored {
                sqlx::query("UPDATE partners SET sort_key = $2 WHERE id = $1")
                    .bind(id)
                    .bind(&key)
                    .execute(&mut *conn)
                    .await?;
                written += 1;
            }
        }
    }
}

/// Which partners the registry lists: a name or reading to look for, a type, and the page.
#[derive(Debug, Clone, Default)]
pub struct PartnerFilter {
    pub q: String,
    pub partner_type: Option<PartnerType>,
    /// From 0.
    pub page: i64,
    pub per_page: i64,
}

/// The most partners one page lists, and the last page one may ask for.
const PER_PAGE_MAX: i64 = 500;
const PAGE_MAX: i64 = 100_000;

/// A partner's contact (担当者).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerContact {
    pub id: i64,
    pub partner_id: i64,
    pub name: String,
    pub department: String,
    pub title: String,
    pub email: String,
    pub phone: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// The first 500 partners in the registry's order whose name contains `q`.
    pub async fn partners(&self, tenant: TenantCode, q: Option<&str>) -> Result<Vec<Partner>> {
        let filter = PartnerFilter {
            q: q.unwrap_or_default().to_string(),
            per_page: PER_PAGE_MAX,
            ..PartnerFilter::default()
        };
        Ok(self.partner_list(tenant, &filter).await?.0)
    }

    /// One page of the registry in 五十音 order (sort key, then name), and how many partners
    /// match in all. `q` matches the normalised name (legal-form words and spaces aside) or
    /// the reading (hiragana or katakana).
    pub async fn partner_list(
        &self,
        tenant: TenantCode,
        filter: &PartnerFilter,
    ) -> Result<(Vec<Partner>, i64)> {
        let q = filter.q.trim();
        let (name_like, kana_like) = if q.is_empty() {
            (String::new(), String::new())
        } else {
            let kana = renkei_domain::partner::fold_kana(q);
            (format!("%{}%", normalise_org_name(q)), format!("%{kana}%"))
        };
        let kind = filter
            .partner_type
            .map(|t| t.code().to_string())
            .unwrap_or_default();
        const WHERE: &str = "WHERE pa.tenant_code = $1 \
            AND ($2 = '' OR pa.name_norm LIKE $2 OR pa.name_kana LIKE $3) \
            AND ($4 = '' OR pa.partner_type = $4)";
        let total: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM partners pa {WHERE}"))
            .bind(tenant.to_string())
            .bind(&name_like)
            .bind(&kana_like)
            .bind(&kind)
            .fetch_one(self.pool())
            .await?
            .try_get("n")?;
        let per_page = filter.per_page.clamp(1, PER_PAGE_MAX);
        let offset = filter.page.clamp(0, PAGE_MAX) * per_page;
        let rows = sqlx::query(&format!(
            "{PARTNER_SELECT} {WHERE} ORDER BY pa.sort_key, pa.name, pa.id LIMIT $5 OFFSET $6"
        ))
        .bind(tenant.to_string())
        .bind(&name_like)
        .bind(&kana_like)
        .bind(&kind)
        .bind(per_page)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        let list = rows.iter().map(partner_from_row).collect::<Result<_>>()?;
        Ok((list, total))
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

    /// Adds a partner the desk knows of without a proposal. Refused, with nothing written,
    /// when a partner of the local government already has its 法人番号, or its name (as intake
    /// compares names: normalised, or left by a merge) without being told apart by a
    /// different 法人番号. One transaction, audited.
    pub async fn partner_add(&self, tenant: TenantCode, p: &NewPartner, who: &Who) -> Result<i64> {
        let t = tenant.to_string();
        let norm = normalise_org_name(&p.name);
        let number = p.corporate_number.as_ref().map(|c| c.as_str().to_string());
        let name_taken = || StoreError::conflict("name", "error-partner-name-taken");
        let mut tx = self.write().await?;
        // Two desk members adding the same organisation at once: one after the other.
        tx.lock(&format!("partner-add:{t}")).await?;
        if let Some(cn) = &number
            && sqlx::query(
                "SELECT id FROM partners WHERE tenant_code = $1 AND corporate_number = $2",
            )
            .bind(&t)
            .bind(cn)
            .fetch_optional(&mut *tx.tx)
            .await?
            .is_some()
        {
            return Err(StoreError::conflict(
                "corporate_number",
                "error-partner-corporate-number-taken",
            ));
        }
        let same_name = sqlx::query(
            "SELECT corporate_number FROM partners WHERE tenant_code = $1 AND name_norm = $2",
        )
        .bind(&t)
        .bind(&norm)
        .fetch_optional(&mut *tx.tx)
        .await?;
        let key = match same_name {
            None => {
                let alias = sqlx::query(
                    "SELECT partner_id FROM partner_aliases WHERE tenant_code = $1 AND name_norm = $2",
                )
                .bind(&t)
                .bind(&norm)
                .fetch_optional(&mut *tx.tx)
                .await?;
                if alias.is_some() && number.is_none() {
                    return Err(name_taken());
                }
                norm
            }
            Some(r) => {
                let known: Option<String> = r.try_get("corporate_number")?;
                match (known, &number) {
                    // The same name, a different legal person (as intake keeps them apart).
                    (Some(k), Some(cn)) if k != *cn => format!("{norm}#{cn}"),
                    _ => return Err(name_taken()),
                }
            }
        };
        let now = tx.now_ts();
        let id: i64 = sqlx::query(
            "INSERT INTO partners (tenant_code, name, name_norm, partner_type, corporate_number, strengths, constraints, \
             created_at, updated_at, name_kana, sort_key, address, website, phone, note) \
             VALUES ($1, $2, $3, $4, $5, '', '', $6, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&t)
        .bind(&p.name)
        .bind(&key)
        .bind(p.partner_type.code())
        .bind(&number)
        .bind(&now)
        .bind(&p.name_kana)
        .bind(p.sort_key())
        .bind(&p.details.address)
        .bind(&p.details.website)
        .bind(&p.details.phone)
        .bind(&p.details.note)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        tx.audit(
            who.event(
                Some(&t),
                "partner.add",
                format!("partner:{id}"),
                serde_json::json!({
                    "name": p.name,
                    "name_kana": p.name_kana,
                    "partner_type": p.partner_type.code(),
                    "corporate_number": number,
                })
                .to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves what the desk edits on a partner's page: its reading (and so where it sorts), its
    /// details, strengths and constraints.
    pub async fn partner_update(
        &self,
        tenant: TenantCode,
        id: i64,
        edit: &PartnerEdit,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let strengths = rules::PARTNER_STRENGTHS.parse(&edit.strengths)?;
        let constraints = rules::PARTNER_CONSTRAINTS.parse(&edit.constraints)?;
        let mut tx = self.write().await?;
        let name: String =
            sqlx::query("SELECT name FROM partners WHERE tenant_code = $1 AND id = $2")
                .bind(&t)
                .bind(id)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or(StoreError::NotFound)?
                .try_get("name")?;
        let d = &edit.details;
        sqlx::query(
            "UPDATE partners SET strengths = $3, constraints = $4, updated_at = $5, name_kana = $6, sort_key = $7, \
             address = $8, website = $9, phone = $10, note = $11 WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(id)
        .bind(&strengths)
        .bind(&constraints)
        .bind(tx.now_ts())
        .bind(&edit.name_kana)
        .bind(sort_key(&name, Some(&edit.name_kana)))
        .bind(&d.address)
        .bind(&d.website)
        .bind(&d.phone)
        .bind(&d.note)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(who.event(
            Some(&t),
            "partner.update",
            format!("partner:{id}"),
            serde_json::json!({ "name_kana": edit.name_kana }).to_string(),
        ))
        .await?;
        tx.commit().await
    }

    /// A partner's contacts, in the order they were added.
    pub async fn partner_contacts(
        &self,
        tenant: TenantCode,
        partner_id: i64,
    ) -> Result<Vec<PartnerContact>> {
        let rows = sqlx::query(&format!(
            "{CONTACT_SELECT} WHERE tenant_code = $1 AND partner_id = $2 ORDER BY id"
        ))
        .bind(tenant.to_string())
        .bind(partner_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(contact_from_row).collect()
    }

    pub async fn partner_contact(
        &self,
        tenant: TenantCode,
        partner_id: i64,
        contact_id: i64,
    ) -> Result<PartnerContact> {
        let r = sqlx::query(&format!(
            "{CONTACT_SELECT} WHERE tenant_code = $1 AND partner_id = $2 AND id = $3"
        ))
        .bind(tenant.to_string())
        .bind(partner_id)
        .bind(contact_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        contact_from_row(&r)
    }

    /// Adds a contact to a partner of this local government. Audited (the name, not the
    /// address or phone).
    pub async fn partner_contact_add(
        &self,
        tenant: TenantCode,
        partner_id: i64,
        c: &NewContact,
        who: &Who,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        sqlx::query("SELECT id FROM partners WHERE tenant_code = $1 AND id = $2")
            .bind(&t)
            .bind(partner_id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let now = tx.now_ts();
        let id: i64 = sqlx::query(
            "INSERT INTO partner_contacts (tenant_code, partner_id, name, department, title, email, phone, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&t)
        .bind(partner_id)
        .bind(&c.name)
        .bind(&c.department)
        .bind(&c.title)
        .bind(&c.email)
        .bind(&c.phone)
        .bind(&c.note)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        tx.audit(who.event(
            Some(&t),
            "partner.contact_add",
            format!("partner:{partner_id}"),
            serde_json::json!({ "contact": id, "name": c.name }).to_string(),
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Removes a partner's contact. Audited with the name it had.
    pub async fn partner_contact_remove(
        &self,
        tenant: TenantCode,
        partner_id: i64,
        contact_id: i64,
        who: &Who,
    ) -> Result<()> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let name: String = sqlx::query(
            "SELECT name FROM partner_contacts WHERE tenant_code = $1 AND partner_id = $2 AND id = $3",
        )
        .bind(&t)
        .bind(partner_id)
        .bind(contact_id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?
        .try_get("name")?;
        sqlx::query("DELETE FROM partner_contacts WHERE tenant_code = $1 AND id = $2")
            .bind(&t)
            .bind(contact_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.audit(who.event(
            Some(&t),
            "partner.contact_remove",
            format!("partner:{partner_id}"),
            serde_json::json!({ "contact": contact_id, "name": name }).to_string(),
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
    /// entered twice): its proposals and contacts follow, its name becomes an alias that intake recognises,
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
        let contacts_moved = sqlx::query(
            "UPDATE partner_contacts SET partner_id = $3 WHERE tenant_code = $1 AND partner_id = $2",
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
                    "contacts_moved": contacts_moved,
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
pub(super) const PARTNER_SELECT: &str = "SELECT pa.id, pa.name, pa.name_kana, pa.partner_type, pa.corporate_number, \
    pa.address, pa.website, pa.phone, pa.note, pa.strengths, pa.constraints, pa.created_at, \
    (SELECT COUNT(*) FROM proposals p WHERE p.partner_id = pa.id) AS proposal_count FROM partners pa";

pub(super) fn partner_from_row(r: &sqlx::any::AnyRow) -> Result<Partner> {
    Ok(Partner {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        name_kana: r.try_get("name_kana")?,
        partner_type: rows::code(r, "partners", "partner_type", PartnerType::parse)?,
        corporate_number: r.try_get("corporate_number")?,
        address: r.try_get("address")?,
        website: r.try_get("website")?,
        phone: r.try_get("phone")?,
        note: r.try_get("note")?,
        strengths: r.try_get("strengths")?,
        constraints: r.try_get("constraints")?,
        proposal_count: r.try_get("proposal_count")?,
        created_at: rows::instant(r, "partners", "created_at")?,
    })
}

const CONTACT_SELECT: &str = "SELECT id, partner_id, name, department, title, email, phone, note, created_at \
    FROM partner_contacts";

fn contact_from_row(r: &sqlx::any::AnyRow) -> Result<PartnerContact> {
    Ok(PartnerContact {
        id: r.try_get("id")?,
        partner_id: r.try_get("partner_id")?,
        name: r.try_get("name")?,
        department: r.try_get("department")?,
        title: r.try_get("title")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        note: r.try_get("note")?,
        created_at: rows::instant(r, "partner_contacts", "created_at")?,
    })
}
