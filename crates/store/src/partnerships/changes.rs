//! Writes to partnerships: creating one (entered directly, from a decided proposal, or from
//! an imported row), moving its status, and recording activities. Each is one transaction
//! with its audit entry and timeline event.

use crate::{Result, Store, StoreError, Who, WriteTx};
use renkei_domain::TenantCode;
use renkei_domain::partnership::{Activity, Move, Partnership, PartnershipStatus, transition};
use renkei_domain::proposal::Status;
use renkei_domain::time::to_db_date;
use sqlx::Row;

/// What a new partnership starts from, beside its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPartnership {
    pub record: Partnership,
    /// The decided proposal it realises (its route is kept), or `None` when entered directly.
    pub proposal_id: Option<i64>,
    /// Its status when entered (see `renkei_domain::partnership::initial_status`).
    pub status: PartnershipStatus,
    /// The last activity a list being imported gave.
    pub last_activity_on: Option<chrono::NaiveDate>,
    /// Whence it came, for the timeline: `created`, `created-from-proposal`, `imported`.
    pub origin: &'static str,
}

fn renewal_from(p: &Partnership) -> Option<String> {
    p.ends_on
        .map(|e| to_db_date(renkei_domain::partnership::renewal_decision_from(e)))
}

impl WriteTx {
    /// Appends to a partnership's timeline.
    pub(crate) async fn partnership_event(
        &mut self,
        partnership_id: i64,
        who: &Who,
        kind: &str,
        note: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO partnership_events (partnership_id, at, actor, kind, note) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(partnership_id)
        .bind(self.now_ts())
        .bind(&who.label)
        .bind(kind)
        .bind(note)
        .execute(&mut *self.tx)
        .await?;
        // Every change of a partnership passes here after its rows are written: the public
        // case index follows it in the same transaction (see `crate::cases`).
        self.case_reindex(partnership_id).await?;
        Ok(())
    }

    /// The department must be one of the tenant's.
    pub(super) async fn check_department(
        &mut self,
        tenant: &str,
        department: Option<i64>,
    ) -> Result<()> {
        if let Some(d) = department
            && sqlx::query("SELECT 1 AS one FROM departments WHERE tenant_code = $1 AND id = $2")
                .bind(tenant)
                .bind(d)
                .fetch_optional(&mut *self.tx)
                .await?
                .is_none()
        {
            return Err(StoreError::conflict(
                "department_id",
                "error-department-invalid",
            ));
        }
        Ok(())
    }

    /// A partnership's parties, linked to the partner registry (created there when new), in
    /// the order given. The caller removes the old rows first when it replaces them.
    pub(super) async fn write_parties(
        &mut self,
        tenant: &str,
        id: i64,
        parties: &[renkei_domain::partnership::Party],
    ) -> Result<()> {
        // Two writers adding the same organisation at once: one after the other.
        self.lock(&format!("partner-add:{tenant}")).await?;
        for (i, party) in parties.iter().enumerate() {
            let cn = party
                .corporate_number
                .as_ref()
                .map(|c| c.as_str().to_string());
            let partner_id = self
                .partner_for(tenant, &party.name, party.party_type.code(), cn.as_deref())
                .await?;
            sqlx::query(
                "INSERT INTO partnership_parties (partnership_id, position, partner_id, name, party_type, corporate_number, role) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(partner_id)
            .bind(&party.name)
            .bind(party.party_type.code())
            .bind(cn)
            .bind(&party.role)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// A partnership's fields in the order given (the caller removes the old rows first).
    pub(super) async fn write_fields(
        &mut self,
        id: i64,
        fields: &[renkei_domain::proposal::Field],
    ) -> Result<()> {
        for (i, f) in fields.iter().enumerate() {
            sqlx::query(
                "INSERT INTO partnership_fields (partnership_id, position, field) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(i as i64)
            .bind(f.code())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Inserts a partnership with its parties (linked to the partner registry, created there
    /// when new) and fields. The caller audits.
    pub(crate) async fn insert_partnership(
        &mut self,
        tenant: &str,
        who: &Who,
        new: &NewPartnership,
    ) -> Result<i64> {
        let p = &new.record;
        self.check_department(tenant, p.department_id).await?;
        let route = match new.proposal_id {
            Some(pid) => {
                let r = sqlx::query(
                    "SELECT status, route FROM proposals WHERE tenant_code = $1 AND id = $2",
                )
                .bind(tenant)
                .bind(pid)
                .fetch_optional(&mut *self.tx)
                .await?
                .ok_or(StoreError::NotFound)?;
                let status: String = r.try_get("status")?;
                if status != Status::Decided.code() {
                    return Err(StoreError::conflict(
                        "proposal_id",
                        "error-partnership-proposal-not-decided",
                    ));
                }
                if sqlx::query(
                    "SELECT 1 AS one FROM partnerships WHERE tenant_code = $1 AND proposal_id = $2",
                )
                .bind(tenant)
                .bind(pid)
                .fetch_optional(&mut *self.tx)
                .await?
                .is_some()
                {
                    return Err(StoreError::conflict(
                        "proposal_id",
                        "error-partnership-proposal-taken",
                    ));
                }
                r.try_get::<String, _>("route")?
            }
            None => String::new(),
        };
        let now = self.now_ts();
        let (amount, justification) = match &p.fiscal_burden {
            Some((a, j)) => (Some(*a), j.clone()),
            None => (None, String::new()),
        };
        let row = sqlx::query(
            "INSERT INTO partnerships (tenant_code, form, status, title, purpose, summary, city_role, \
             department_id, proposal_id, route, signed_on, starts_on, ends_on, renewal_from, auto_renew, \
             fiscal_amount, fiscal_justification, published, commercial_note, last_activity_on, \
             created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22) \
             RETURNING id",
        )
        .bind(tenant)
        .bind(p.form.code())
        .bind(new.status.code())
        .bind(&p.title)
        .bind(&p.purpose)
        .bind(&p.summary)
        .bind(&p.city_role)
        .bind(p.department_id)
        .bind(new.proposal_id)
        .bind(&route)
        .bind(p.signed_on.map(to_db_date))
        .bind(p.starts_on.map(to_db_date))
        .bind(p.ends_on.map(to_db_date))
        .bind(renewal_from(p))
        .bind(i64::from(p.auto_renew))
        .bind(amount)
        .bind(&justification)
        .bind(i64::from(p.published))
        .bind(p.commercial_note.as_deref())
        .bind(new.last_activity_on.map(to_db_date))
        .bind(&who.label)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.write_parties(tenant, id, &p.parties).await?;
        self.write_fields(id, &p.fields).await?;
        let note = match new.proposal_id {
            Some(pid) => serde_json::json!({ "proposal_id": pid }).to_string(),
            None => String::new(),
        };
        self.partnership_event(id, who, new.origin, &note).await?;
        Ok(id)
    }

    /// Records an activity and moves the partnership's last sign of life (clearing a dormancy
    /// notice). The caller audits.
    pub(crate) async fn insert_activity(
        &mut self,
        tenant: &str,
        who: &Who,
        partnership_id: i64,
        a: &Activity,
    ) -> Result<i64> {
        let r = sqlx::query("SELECT status FROM partnerships WHERE tenant_code = $1 AND id = $2")
            .bind(tenant)
            .bind(partnership_id)
            .fetch_optional(&mut *self.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let status: String = r.try_get("status")?;
        if status == PartnershipStatus::Cancelled.code() {
            return Err(StoreError::conflict(
                "partnership",
                "error-partnership-cancelled",
            ));
        }
        let now = self.now_ts();
        let row = sqlx::query(
            "INSERT INTO activities (tenant_code, partnership_id, done_on, title, description, people, outputs, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(tenant)
        .bind(partnership_id)
        .bind(to_db_date(a.done_on))
        .bind(&a.title)
        .bind(&a.description)
        .bind(a.people)
        .bind(&a.outputs)
        .bind(&who.label)
        .bind(&now)
        .fetch_one(&mut *self.tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let day = to_db_date(a.done_on);
        sqlx::query(
            "UPDATE partnerships SET \
             last_activity_on = CASE WHEN last_activity_on IS NULL OR last_activity_on < $3 THEN $3 ELSE last_activity_on END, \
             dormancy_notified_on = NULL, updated_at = $4 \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(tenant)
        .bind(partnership_id)
        .bind(&day)
        .bind(&now)
        .execute(&mut *self.tx)
        .await?;
        let note =
            serde_json::json!({ "activity_id": id, "done_on": day, "title": a.title }).to_string();
        self.partnership_event(partnership_id, who, "activity", &note)
            .await?;
        Ok(id)
    }
}

impl Store {
    /// Creates a partnership. Returns its id.
    pub async fn partnership_create(
        &self,
        tenant: TenantCode,
        new: &NewPartnership,
        who: &Who,
    ) -> Result<i64> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let id = tx.insert_partnership(&t, who, new).await?;
        let detail = serde_json::json!({
            "form": new.record.form.code(),
            "title": new.record.title,
            "proposal_id": new.proposal_id,
            "origin": new.origin,
        })
        .to_string();
        tx.audit(who.event(
            Some(&t),
            "partnership.create",
            format!("partnership:{id}"),
            detail,
        ))
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a partnership's status, if it is still `expected` (a stale form is refused).
    pub async fn partnership_move(
        &self,
        tenant: TenantCode,
        id: i64,
        expected: PartnershipStatus,
        mv: Move,
        who: &Who,
    ) -> Result<PartnershipStatus> {
        let t = tenant.to_string();
        let mut tx = self.write().await?;
        let today = tx.today();
        let r = sqlx::query("SELECT status FROM partnerships WHERE tenant_code = $1 AND id = $2")
            .bind(&t)
            .bind(id)
            .fetch_optional(&mut *tx.tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let current: String = r.try_get("status")?;
        let current = PartnershipStatus::parse(&current).map_err(|_| StoreError::Corrupt {
            table: "partnerships",
            column: "status",
            value: current.clone(),
        })?;
        if current != expected {
            return Err(StoreError::conflict("status", "error-partnership-stale"));
        }
        let to = transition(current, mv, today).map_err(StoreError::Invalid)?;
        let now = tx.now_ts();
        let signed = match mv {
            Move::Sign { signed_on } => Some(to_db_date(signed_on)),
            _ => None,
        };
        sqlx::query(
            "UPDATE partnerships SET status = $3, signed_on = COALESCE($4, signed_on), updated_at = $5 \
             WHERE tenant_code = $1 AND id = $2",
        )
        .bind(&t)
        .bind(id)
        .bind(to.code())
        .bind(signed.as_deref())
        .bind(&now)
        .execute(&mut *tx.tx)
        .await?;
        let note =
            serde_json::json!({ "from": current.code(), "to": to.code(), "move": mv.code() })
                .to_string();
        tx.partnership_event(id, who, "status", &note).await?;
        tx.audit(who.event(
            Some(&t),
            "partnership.status",
            format!("partnership:{id}"),
            note,
        ))
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// Records an activity under a partnership (no photos: see
    /// [`Store::activity_add_with_photos`], which this is). Returns its id.
    pub async fn activity_add(
        &self,
        tenant: TenantCode,
        partnership_id: i64,
        a: &Activity,
        who: &Who,
    ) -> Result<i64> {
        self.activity_add_with_photos(tenant, partnership_id, a, &[], who)
            .await
    }
}
