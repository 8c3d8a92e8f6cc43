//! Receiving proposals: the desk's settings that intake depends on, the public intake (with
//! its rate limit counted inside the submission's transaction) and the desk's approach.

use super::work::insert_hearing;
use super::*;

impl Store {
    pub async fn desk_settings(&self, tenant: TenantCode) -> Result<DeskSettings> {
        let row = sqlx::query(
            "SELECT first_response_days, routing_days, desk_department_id FROM tenant_settings WHERE tenant_code = $1",
        )
        .bind(tenant.to_string())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => Ok(DeskSettings {
                first_response_days: r.try_get("first_response_days")?,
                routing_days: r.try_get("routing_days")?,
                desk_department_id: r.try_get("desk_department_id")?,
            }),
            None => Ok(DeskSettings::default()),
        }
    }

    pub async fn desk_settings_save(
        &self,
        who: &Who,
        tenant: TenantCode,
        s: DeskSettings,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        if let Some(d) = s.desk_department_id {
            sqlx::query("SELECT 1 AS one FROM departments WHERE tenant_code = $1 AND id = $2")
                .bind(tenant.to_string())
                .bind(d)
                .fetch_optional(&mut *tx.tx)
                .await?
                .ok_or(StoreError::conflict(
                    "desk_department_id",
                    "error-department-unknown",
                ))?;
        }
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_code, first_response_days, routing_days, desk_department_id, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (tenant_code) DO UPDATE SET first_response_days = $2, routing_days = $3, desk_department_id = $4, updated_at = $5",
        )
        .bind(tenant.to_string())
        .bind(s.first_response_days)
        .bind(s.routing_days)
        .bind(s.desk_department_id)
        .bind(tx.now_ts())
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            who.event(
                Some(&tenant.to_string()),
                "settings.update",
                "settings:desk".into(),
                serde_json::json!({
                    "first_response_days": s.first_response_days,
                    "routing_days": s.routing_days,
                    "desk_department_id": s.desk_department_id,
                })
                .to_string(),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// The first-response deadline of a proposal received today: the tenant's number of
    /// business days from today (weekends, holidays and 年末年始 excluded).
    pub async fn first_response_due(&self, tenant: TenantCode) -> Result<NaiveDate> {
        let settings = self.desk_settings(tenant).await?;
        Ok(renkei_domain::calendar::add_business_days(
            self.today(),
            u32::try_from(settings.first_response_days).unwrap_or(5),
        ))
    }

    /// Submissions from this address in the last hour.
    pub async fn intake_count_last_hour(&self, ip: &str) -> Result<i64> {
        let since = renkei_domain::time::to_db_timestamp(self.now() - chrono::Duration::hours(1));
        let row = sqlx::query("SELECT COUNT(*) AS n FROM intake_log WHERE ip = $1 AND at > $2")
            .bind(ip)
            .bind(&since)
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Receives a proposal: receipt number, partner, attachments, timeline, audit entry and
    /// the mails, all in one transaction. The receipt goes back only after the commit.
    /// No rate limit (see [`Store::proposal_submit_limited`]).
    pub async fn proposal_submit(
        &self,
        tenant: TenantCode,
        new: NewProposal,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<Submitted> {
        self.proposal_submit_limited(tenant, new, who, mailer, 0)
            .await
    }

    /// [`Store::proposal_submit`] for the public intake: at most `per_hour` submissions from
    /// the proposal's address in an hour (0: no limit). The submission is logged and the log
    /// counted inside the submission's own transaction, with concurrent submissions from the
    /// same address taking turns, so parallel requests cannot exceed the limit; a refused one
    /// ([`StoreError::RateLimited`]) writes nothing.
    pub async fn proposal_submit_limited(
        &self,
        tenant: TenantCode,
        new: NewProposal,
        who: &Who,
        mailer: &dyn Mailer,
        per_hour: i64,
    ) -> Result<Submitted> {
        let due = self.first_response_due(tenant).await?;
        let tenant_row = self.tenant(&tenant.to_string()).await?;
        let mut member = self.write_grouped().await?;
        let result = submit_in(
            &mut member,
            tenant,
            &tenant_row,
            &new,
            who,
            mailer,
            per_hour,
            due,
        )
        .await;
        member.finish(result).await
    }

    /// [`Store::proposal_submit_limited`] for an answer to an open call (route テーマ型): inside
    /// the same transaction the call must be published and within its answer period
    /// (`error-call-not-open` otherwise), and the proposal is linked to it (`call_id`).
    pub async fn proposal_submit_answer(
        &self,
        tenant: TenantCode,
        call_id: i64,
        new: NewProposal,
        who: &Who,
        mailer: &dyn Mailer,
        per_hour: i64,
    ) -> Result<Submitted> {
        let due = self.first_response_due(tenant).await?;
        let tenant_row = self.tenant(&tenant.to_string()).await?;
        let mut tx = self.write().await?;
        tx.lock(&format!("open-call:{call_id}")).await?;
        tx.check_call_open(tenant, call_id).await?;
        let s = submit_in(
            &mut tx,
            tenant,
            &tenant_row,
            &new,
            who,
            mailer,
            per_hour,
            due,
        )
        .await?;
        sqlx::query("UPDATE proposals SET call_id = $3 WHERE tenant_code = $1 AND id = $2")
            .bind(tenant.to_string())
            .bind(s.id)
            .bind(call_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(s)
    }

    /// An outbound approach (アプローチ): the city contacted the organisation first. Starts
    /// the proposal in 聞き取り with the first hearing recorded.
    pub async fn outbound_create(
        &self,
        tenant: TenantCode,
        new: NewProposal,
        hearing: NewHearing,
        who: &Who,
    ) -> Result<Submitted> {
        let due = self.first_response_due(tenant).await?;
        let mut tx = self.write().await?;
        if hearing.held_on > tx.today() {
            return Err(StoreError::conflict("held_on", "error-hearing-future"));
        }
        let s = tx
            .insert_proposal(tenant, &new, who, due, false, None, Status::Hearing)
            .await?;
        insert_hearing(&mut tx, &tenant.to_string(), s.id, &hearing, who).await?;
        tx.touch(s.id, true).await?;
        tx.commit().await?;
        Ok(s)
    }
}

/// The intake's writes, in the caller's (possibly shared) transaction.
#[allow(clippy::too_many_arguments)]
async fn submit_in(
    tx: &mut WriteTx,
    tenant: TenantCode,
    tenant_row: &crate::tenants::Tenant,
    new: &NewProposal,
    who: &Who,
    mailer: &dyn Mailer,
    per_hour: i64,
    due: NaiveDate,
) -> Result<Submitted> {
    tx.ensure_desk_open(tenant).await?;
    if let Some(token) = &new.draft_token {
        tx.claim_draft(tenant, token).await?;
    }
    if let Some(ip) = &new.ip {
        // Only a limit needs the turns: without one, submissions from one address (a
        // partner's integration, a load test) run side by side.
        if per_hour > 0 {
            tx.lock(&format!("intake-address:{ip}")).await?;
        }
        let now = tx.now();
        sqlx::query("INSERT INTO intake_log (ip, at) VALUES ($1, $2)")
            .bind(ip)
            .bind(renkei_domain::time::to_db_timestamp(now))
            .execute(&mut *tx.tx)
            .await?;
        if per_hour > 0 {
            let since = renkei_domain::time::to_db_timestamp(now - chrono::Duration::hours(1));
            let n: i64 =
                sqlx::query("SELECT COUNT(*) AS n FROM intake_log WHERE ip = $1 AND at > $2")
                    .bind(ip)
                    .bind(&since)
                    .fetch_one(&mut *tx.tx)
                    .await?
                    .try_get("n")?;
            if n > per_hour {
                // The caller rolls back this submission, its log entry included.
                return Err(StoreError::RateLimited);
            }
        }
    }
    let submitted = tx
        .insert_proposal(tenant, new, who, due, false, None, Status::Received)
        .await?;
    tx.emit(
        mailer,
        &DomainEvent::Submitted {
            tenant: tenant_row,
            proposal: &submitted,
            to: &Recipient::new(new.intake.email.as_str(), new.lang),
            org_name: &new.intake.org_name,
            contact_name: &new.intake.contact_name,
            title: &new.intake.title,
        },
    )
    .await?;
    Ok(submitted)
}

impl WriteTx {
    /// Refuses (`error-call-not-open`) unless open call `call_id` of this local government is
    /// published and within its answer period today; an unknown call is `NotFound`.
    pub(crate) async fn check_call_open(&mut self, tenant: TenantCode, call_id: i64) -> Result<()> {
        let r = sqlx::query(
            "SELECT status, opens_on, closes_on FROM open_calls WHERE tenant_code = $1 AND id = $2",
        )
        .bind(tenant.to_string())
        .bind(call_id)
        .fetch_optional(&mut *self.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let status = rows::code(
            &r,
            "open_calls",
            "status",
            renkei_domain::open_call::CallStatus::parse,
        )?;
        let opens_on = rows::date(&r, "open_calls", "opens_on")?;
        let closes_on = rows::date(&r, "open_calls", "closes_on")?;
        if renkei_domain::open_call::accepts_answers(status, opens_on, closes_on, self.today()) {
            Ok(())
        } else {
            Err(StoreError::conflict("call", "error-call-not-open"))
        }
    }
}
