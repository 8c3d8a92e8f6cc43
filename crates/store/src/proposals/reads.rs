//! Reading proposals and what hangs off them: one by receipt, id or tracking token, a
//! proponent's own, the desk's inbox (filters, search, pages), the timeline, messages,
//! attachments, hearings and routings.

use super::*;

/// The most routings a department's list shows.
pub const DEPARTMENT_LIST_MAX: i64 = 200;
/// The most proposals one inbox export holds (the largest desk has about 1,500 a decade; a
/// filter that matches more is refused rather than cut short).
pub const INBOX_EXPORT_MAX: i64 = 20_000;

impl Store {
    /// How many proposals the tenant has, in any state.
    pub async fn proposal_count(&self, tenant: TenantCode) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM proposals WHERE tenant_code = $1")
            .bind(tenant.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    pub async fn proposal(&self, tenant: TenantCode, receipt: &str) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.receipt_number = $2",
            columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(receipt)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from_row(&row)
    }

    pub async fn proposal_by_id(&self, tenant: TenantCode, id: i64) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.id = $2",
            columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from_row(&row)
    }

    /// The proposal behind a private tracking link.
    pub async fn proposal_by_tracking(&self, tenant: TenantCode, token: &str) -> Result<Proposal> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.tracking_hash = $2",
            columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        proposal_from_row(&row)
    }

    /// A proponent account's proposals: those linked to the account (sent while signed in,
    /// or claimed with proof of ownership, see [`crate::ownership`]). Never by e-mail alone.
    pub async fn proposals_of_proponent(
        &self,
        tenant: TenantCode,
        user_id: i64,
    ) -> Result<Vec<Proposal>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM proposals p WHERE p.tenant_code = $1 AND p.proponent_user_id = $2 \
             ORDER BY p.created_at DESC",
            columns(self.backend())
        ))
        .bind(tenant.to_string())
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(proposal_from_row).collect()
    }

    /// The desk's inbox: filtered, sorted, paginated; with the total count.
    pub async fn inbox(&self, tenant: TenantCode, f: &InboxFilter) -> Result<(Vec<Proposal>, i64)> {
        let (where_sql, args) = self.inbox_where(tenant, f);
        let per_page = f.per_page.clamp(1, 200);
        let offset = f.page.clamp(0, 1_000_000) * per_page;
        let count_sql = format!("SELECT COUNT(*) AS n FROM proposals p WHERE {where_sql}");
        let mut count_q = sqlx::query(&count_sql);
        for a in &args {
            count_q = count_q.bind(a);
        }
        let total: i64 = count_q.fetch_one(self.pool()).await?.try_get("n")?;
        // The page's ids first, from the indexes; only then the columns of those rows. Asked in
        // one step, PostgreSQL computes every column (the text, the field lists) of each row
        // skipped by OFFSET too: page 50 of a large city's inbox took 2 s.
        let sql = format!(
            "SELECT {} FROM proposals p WHERE p.id IN \
             (SELECT p.id FROM proposals p WHERE {where_sql} ORDER BY {order} LIMIT {per_page} OFFSET {offset}) \
             ORDER BY {order}",
            columns(self.backend()),
            order = f.sort.order_by()
        );
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let list = rows.iter().map(proposal_from_row).collect::<Result<_>>()?;
        Ok((list, total))
    }

    /// Every proposal the inbox filter matches (its page and page size ignored), in its order,
    /// for an export: at most `max` (clamped to [`INBOX_EXPORT_MAX`]); `None` when more match.
    pub async fn inbox_export(
        &self,
        tenant: TenantCode,
        f: &InboxFilter,
        max: i64,
    ) -> Result<Option<Vec<Proposal>>> {
        let max = max.clamp(1, INBOX_EXPORT_MAX);
        let (where_sql, args) = self.inbox_where(tenant, f);
        let sql = format!(
            "SELECT {} FROM proposals p WHERE {where_sql} ORDER BY {} LIMIT {}",
            columns(self.backend()),
            f.sort.order_by(),
            max + 1
        );
        let mut q = sqlx::query(&sql);
        for a in &args {
            q = q.bind(a);
        }
        let rows = q.fetch_all(self.pool()).await?;
        if rows.len() as i64 > max {
            return Ok(None);
        }
        rows.iter()
            .map(proposal_from_row)
            .collect::<Result<_>>()
            .map(Some)
    }

    /// The inbox filter as SQL conditions on `proposals p` with their bound values.
    fn inbox_where(&self, tenant: TenantCode, f: &InboxFilter) -> (String, Vec<String>) {
        let mut conds = vec!["p.tenant_code = $1".to_string()];
        let mut args: Vec<String> = vec![tenant.to_string()];
        let arg = |v: String, args: &mut Vec<String>| {
            args.push(v);
            format!("${}", args.len())
        };
        if !f.statuses.is_empty() {
            let ph: Vec<String> = f
                .statuses
                .iter()
                .map(|s| arg(s.clone(), &mut args))
                .collect();
            conds.push(format!("p.status IN ({})", ph.join(", ")));
        }
        if let Some(k) = &f.kind {
            conds.push(format!("p.kind = {}", arg(k.clone(), &mut args)));
        }
        if let Some(v) = &f.partner_type {
            conds.push(format!("p.partner_type = {}", arg(v.clone(), &mut args)));
        }
        if let Some(v) = &f.route {
            conds.push(format!("p.route = {}", arg(v.clone(), &mut args)));
        }
        if let Some(v) = &f.field {
            conds.push(format!(
                "EXISTS (SELECT 1 FROM proposal_fields pf WHERE pf.proposal_id = p.id AND pf.field = {})",
                arg(v.clone(), &mut args)
            ));
        }
        if let Some(days) = f.older_than_days {
            // Bounded here too: a huge count would overflow the date arithmetic.
            let days = days.clamp(0, 36_500);
            let before =
                renkei_domain::time::to_db_timestamp(self.now() - chrono::Duration::days(days));
            conds.push(format!("p.created_at <= {}", arg(before, &mut args)));
        }
        match f.assignee {
            Some(0) => conds.push("p.assignee_user_id IS NULL".into()),
            Some(id) => conds.push(format!(
                "p.assignee_user_id = CAST({} AS BIGINT)",
                arg(id.to_string(), &mut args)
            )),
            None => {}
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            // The index narrows to the proposals holding every bigram of the words; the LIKE
            // decides for words the index cannot decide alone (see crate::search).
            let folded: Vec<String> = q.split_whitespace().take(5).map(search_fold).collect();
            let tokens = crate::search::query_tokens(&args[0], folded.iter().map(String::as_str));
            if !tokens.is_empty() {
                let param = arg(tokens.join(" "), &mut args);
                conds.push(self.backend().search_match_sql(&param));
            }
            for word in &folded {
                if crate::search::index_decides(word) {
                    continue;
                }
                let pattern = format!("%{}%", crate::like_escape(word));
                conds.push(format!(
                    "p.search_text LIKE {} ESCAPE '\\'",
                    arg(pattern, &mut args)
                ));
            }
        }
        if f.overdue_only {
            let today = self.today().format("%Y-%m-%d").to_string();
            conds.push(format!(
                "p.first_responded_at IS NULL AND p.status IN ('received', 'hearing', 'coordinating') AND p.first_response_due < {}",
                arg(today, &mut args)
            ));
        }
        if f.routing_overdue_only {
            let today = self.today().format("%Y-%m-%d").to_string();
            conds.push(format!(
                "EXISTS (SELECT 1 FROM routings rr WHERE rr.proposal_id = p.id AND rr.answered_at IS NULL AND rr.due_on < {})",
                arg(today, &mut args)
            ));
        }
        (conds.join(" AND "), args)
    }

    pub async fn proposal_events(
        &self,
        proposal_id: i64,
        proponent_view: bool,
    ) -> Result<Vec<Event>> {
        // The actor by name where it was an account (not the address it signed in with).
        let sql = if proponent_view {
            "SELECT e.id, e.at, e.actor, (SELECT u.display_name FROM users u WHERE u.id = e.actor_user_id) AS actor_name, \
             e.kind, e.from_status, e.to_status, e.note, e.for_proponent FROM proposal_events e \
             WHERE e.proposal_id = $1 AND e.for_proponent = 1 ORDER BY e.id"
        } else {
            "SELECT e.id, e.at, e.actor, (SELECT u.display_name FROM users u WHERE u.id = e.actor_user_id) AS actor_name, \
             e.kind, e.from_status, e.to_status, e.note, e.for_proponent FROM proposal_events e \
             WHERE e.proposal_id = $1 ORDER BY e.id"
        };
        let rows = sqlx::query(sql)
            .bind(proposal_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                const T: &str = "proposal_events";
                Ok(Event {
                    id: r.try_get("id")?,
                    at: rows::instant(r, T, "at")?,
                    actor: r.try_get("actor")?,
                    actor_name: r.try_get("actor_name")?,
                    kind: r.try_get("kind")?,
                    from_status: rows::opt_code(r, T, "from_status", Status::parse)?,
                    to_status: rows::opt_code(r, T, "to_status", Status::parse)?,
                    note: r.try_get("note")?,
                    for_proponent: r.try_get::<i64, _>("for_proponent")? != 0,
                })
            })
            .collect()
    }

    pub async fn proposal_messages(&self, proposal_id: i64) -> Result<Vec<Message>> {
        let rows = sqlx::query(
            "SELECT id, at, from_desk, author, body FROM proposal_messages WHERE proposal_id = $1 ORDER BY id",
        )
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Message {
                    id: r.try_get("id")?,
                    at: rows::instant(r, "proposal_messages", "at")?,
                    from_desk: r.try_get::<i64, _>("from_desk")? != 0,
                    author: r.try_get("author")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    /// Every attachment of a proposal, the desk's own files too (city-hall staff).
    pub async fn attachments(&self, proposal_id: i64) -> Result<Vec<AttachmentMeta>> {
        let rows = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments a WHERE a.proposal_id = $1 ORDER BY a.id"
        ))
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    /// The attachments the proponent sees: theirs, never the desk's own files.
    pub async fn attachments_for_proponent(&self, proposal_id: i64) -> Result<Vec<AttachmentMeta>> {
        let rows = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS} FROM attachments a WHERE a.proposal_id = $1 \
             AND a.uploaded_by <> '{UPLOADED_BY_DESK}' ORDER BY a.id"
        ))
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(attachment_from_row).collect()
    }

    /// One attachment's bytes, only through its proposal and tenant.
    pub async fn attachment_data(
        &self,
        tenant: TenantCode,
        proposal_id: i64,
        id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        let r = sqlx::query(&format!(
            "SELECT {ATTACHMENT_COLUMNS}, a.data FROM attachments a \
             WHERE a.tenant_code = $1 AND a.proposal_id = $2 AND a.id = $3"
        ))
        .bind(tenant.to_string())
        .bind(proposal_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((attachment_from_row(&r)?, r.try_get("data")?))
    }

    pub async fn hearings(&self, proposal_id: i64) -> Result<Vec<Hearing>> {
        let rows = sqlx::query(
            "SELECT h.id, h.held_on, h.channel, h.participants, h.notes, h.next_steps, h.created_at, \
             (SELECT u.display_name FROM users u WHERE u.id = h.recorded_by) AS recorded_by \
             FROM hearings h WHERE h.proposal_id = $1 ORDER BY h.held_on, h.id",
        )
        .bind(proposal_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Hearing {
                    id: r.try_get("id")?,
                    held_on: rows::date(r, "hearings", "held_on")?,
                    channel: rows::code(r, "hearings", "channel", Channel::parse)?,
                    participants: r.try_get("participants")?,
                    notes: r.try_get("notes")?,
                    next_steps: r.try_get("next_steps")?,
                    recorded_by: r.try_get("recorded_by")?,
                    created_at: rows::instant(r, "hearings", "created_at")?,
                })
            })
            .collect()
    }

    pub async fn routings(&self, proposal_id: i64) -> Result<Vec<Routing>> {
        self.routings_where("r.proposal_id = $1", proposal_id).await
    }

    /// Routings addressed to one department (its inbox): those still unanswered first, then the
    /// answered ones, newest first; at most [`DEPARTMENT_LIST_MAX`] (a department of a large city
    /// has thousands over the years, and the list is chosen from the routings alone before any
    /// proposal is read).
    pub async fn routings_for_department(&self, department_id: i64) -> Result<Vec<Routing>> {
        let mut list = self
            .routings_where(
                &format!(
                    "r.id IN (SELECT x.id FROM routings x WHERE x.department_id = $1 \
                     ORDER BY CASE WHEN x.answered_at IS NULL THEN 0 ELSE 1 END, \
                     CASE WHEN x.answered_at IS NULL THEN x.due_on ELSE '' END, x.requested_at DESC, x.id \
                     LIMIT {DEPARTMENT_LIST_MAX})"
                ),
                department_id,
            )
            .await?;
        // Unanswered first, the soonest deadline first; then the answered, latest first.
        list.sort_by(|a, b| match (a.answered_at, b.answered_at) {
            (None, None) => a.due_on.cmp(&b.due_on).then(a.id.cmp(&b.id)),
            (None, Some(_)) => std::cmp::Ordering::Less,
            (Some(_), None) => std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => y.cmp(&x).then(a.id.cmp(&b.id)),
        });
        Ok(list)
    }

    async fn routings_where(&self, cond: &str, value: i64) -> Result<Vec<Routing>> {
        let rows = sqlx::query(&format!(
            "SELECT r.id, r.proposal_id, p.receipt_number, p.title, r.department_id, d.name AS department_name, \
             r.question, r.due_on, r.requested_at, r.answer, r.answer_comment, r.answered_at, \
             (SELECT u.display_name FROM users u WHERE u.id = r.answered_by) AS answered_by \
             FROM routings r JOIN departments d ON d.id = r.department_id JOIN proposals p ON p.id = r.proposal_id \
             WHERE {cond} ORDER BY r.requested_at DESC, r.id"
        ))
        .bind(value)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Routing {
                    id: r.try_get("id")?,
                    proposal_id: r.try_get("proposal_id")?,
                    receipt_number: r.try_get("receipt_number")?,
                    title: r.try_get("title")?,
                    department_id: r.try_get("department_id")?,
                    department_name: r.try_get("department_name")?,
                    question: r.try_get("question")?,
                    due_on: rows::date(r, "routings", "due_on")?,
                    requested_at: rows::instant(r, "routings", "requested_at")?,
                    answer: rows::opt_code(r, "routings", "answer", Answer::parse)?,
                    answer_comment: r.try_get("answer_comment")?,
                    answered_by: r.try_get("answered_by")?,
                    answered_at: rows::opt_instant(r, "routings", "answered_at")?,
                })
            })
            .collect()
    }

    /// The other end of a referral: for a referred proposal, its copy at the other desk; for a
    /// copy, the original. Returns (tenant code, receipt number, status). Only the desks at the
    /// two ends call this (both already hold the proposal's content).
    pub async fn referral_link(&self, p: &Proposal) -> Result<Option<(String, String, String)>> {
        let row = if let Some(from) = p.referred_from_id {
            sqlx::query("SELECT tenant_code, receipt_number, status FROM proposals WHERE id = $1")
                .bind(from)
                .fetch_optional(self.pool())
                .await?
        } else if p.referred_to.is_some() {
            sqlx::query(
                "SELECT tenant_code, receipt_number, status FROM proposals WHERE referred_from_id = $1 ORDER BY id LIMIT 1",
            )
            .bind(p.id)
            .fetch_optional(self.pool())
            .await?
        } else {
            None
        };
        row.map(|r| {
            Ok((
                r.try_get("tenant_code")?,
                r.try_get("receipt_number")?,
                r.try_get("status")?,
            ))
        })
        .transpose()
    }

    /// The departments a proposal was routed to (for the confidentiality policy).
    pub async fn routed_department_ids(&self, proposal_id: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT department_id FROM routings WHERE proposal_id = $1")
            .bind(proposal_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<i64, _>("department_id")?))
            .collect()
    }

    /// Counts for the desk's home.
    pub async fn desk_counts(&self, tenant: TenantCode) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM proposals WHERE tenant_code = $1 GROUP BY status ORDER BY status",
        )
        .bind(tenant.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
            .collect()
    }
}

/// The columns of an [`AttachmentMeta`] (`a` is `attachments`).
const ATTACHMENT_COLUMNS: &str = "a.id, a.filename, a.content_type, a.size, a.sha256, a.uploaded_by, a.created_at, \
     (SELECT u.display_name FROM users u WHERE u.id = a.uploaded_by_user_id) AS uploader_name";

pub(super) fn attachment_from_row(r: &sqlx::any::AnyRow) -> Result<AttachmentMeta> {
    Ok(AttachmentMeta {
        id: r.try_get("id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_by: r.try_get("uploaded_by")?,
        uploader_name: r.try_get("uploader_name")?,
        created_at: r.try_get("created_at")?,
    })
}
