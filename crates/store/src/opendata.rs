//! Open data (オープンデータ): what anyone may download of every local government — its
//! published partnerships (公開, with publication consent) and its published open calls —
//! read in keyset pages ordered by (tenant code, id), so a file of the whole country is
//! written a page at a time in constant memory; the newest of each for the Atom feeds; and
//! each tenant's licence (`tenant_settings.license_kind` / `license_text`, migration 0028).
//!
//! Nothing here reads a proposal's content: of an open call's answers only the selected
//! organisations' names, and only once the call is decided (as its public page shows).

use crate::partnerships::LISTED_STATUS_SQL;
use crate::{Result, Store, StoreError, Who, rows};
use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::TenantCode;
use renkei_domain::open_call::{CallStatus, effective_status};
use renkei_domain::opendata::{License, LicenseKind};
use renkei_domain::partnership::{DEFAULT_DORMANCY_MONTHS, Form, PartnershipStatus, is_dormant};
use renkei_domain::proposal::{Field, PartnerType};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::HashMap;

/// The most rows one page reads (the API's `limit` and the files' chunks).
pub const PAGE_MAX: i64 = 1000;

/// Where a keyset page starts: after this tenant's row `id` (rows ordered by tenant code, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub tenant: TenantCode,
    pub id: i64,
}

impl Cursor {
    /// `272027-15` ↔ the cursor after 岸和田市's row 15.
    pub fn parse(s: &str) -> Option<Self> {
        let (t, id) = s.trim().split_once('-')?;
        let tenant = TenantCode::parse(t).ok()?;
        let id: i64 = id.parse().ok()?;
        (0..=(1_i64 << 53))
            .contains(&id)
            .then_some(Self { tenant, id })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.tenant, self.id)
    }
}

/// A party as published: name, 法人番号, type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenParty {
    pub name: String,
    pub corporate_number: Option<String>,
    pub party_type: PartnerType,
}

/// A published partnership as open data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenPartnership {
    pub tenant_code: TenantCode,
    /// 大阪府岸和田市 (a prefecture: its own name).
    pub tenant_name: String,
    pub id: i64,
    pub title: String,
    pub form: Form,
    pub status: PartnershipStatus,
    pub parties: Vec<OpenParty>,
    pub fields: Vec<Field>,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub auto_renew: bool,
    pub last_activity_on: Option<NaiveDate>,
    /// Dormant today by the tenant's own period (`is_dormant`).
    pub dormant: bool,
    pub summary: String,
    pub license: License,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OpenPartnership {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            tenant: self.tenant_code,
            id: self.id,
        }
    }
}

/// A public open call (published, closed or decided) as open data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCallData {
    pub tenant_code: TenantCode,
    pub tenant_name: String,
    pub id: i64,
    pub title: String,
    pub department: String,
    pub fields: Vec<Field>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// As it stands today.
    pub status: CallStatus,
    /// The selected organisations (decided calls only; empty before).
    pub selected: Vec<String>,
    /// The desk's reason for its selection (decided calls only).
    pub selection_reason: Option<String>,
    pub license: License,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl OpenCallData {
    pub fn cursor(&self) -> Cursor {
        Cursor {
            tenant: self.tenant_code,
            id: self.id,
        }
    }
}

const TENANT_COLUMNS: &str = "t.kind AS tenant_kind, t.prefecture_name AS tenant_prefecture, \
    t.name AS tenant_short_name, COALESCE(s.dormancy_months, 12) AS dormancy_months, \
    COALESCE(s.license_kind, 'cc-by-4.0') AS license_kind, COALESCE(s.license_text, '') AS license_text";

const PARTNERSHIP_SELECT: &str = "SELECT p.id, p.tenant_code, p.form, p.status, p.title, p.summary, \
    p.signed_on, p.starts_on, p.ends_on, p.auto_renew, p.last_activity_on, p.created_at, p.updated_at";

const CALL_SELECT: &str = "SELECT c.id, c.tenant_code, d.name AS department_name, c.title, \
    c.opens_on, c.closes_on, c.status, c.selection_reason, c.published_at, c.updated_at";

/// The statuses of a call anyone may read (as stored: a published call past its closing day
/// is stored `published`).
const PUBLIC_CALL_STATUSES: &str = "c.status IN ('published', 'closed', 'decided')";

fn tenant_name(r: &AnyRow) -> Result<String> {
    let kind: String = r.try_get("tenant_kind")?;
    let name: String = r.try_get("tenant_short_name")?;
    Ok(if kind == "prefecture" {
        name
    } else {
        format!("{}{name}", r.try_get::<String, _>("tenant_prefecture")?)
    })
}

fn license_from_row(r: &AnyRow) -> Result<License> {
    let kind: String = r.try_get("license_kind")?;
    Ok(License {
        kind: LicenseKind::parse(&kind).map_err(|_| StoreError::Corrupt {
            table: "tenant_settings",
            column: "license_kind",
            value: kind.chars().take(40).collect(),
        })?,
        text: r.try_get("license_text")?,
    })
}

fn field_list(s: &str, table: &'static str) -> Result<Vec<Field>> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| {
            Field::parse(x).map_err(|_| StoreError::Corrupt {
                table,
                column: "field",
                value: x.chars().take(40).collect(),
            })
        })
        .collect()
}

/// `$first, …` for an `IN` list of `n` values.
fn marks(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The tenant's open-data licence (CC BY 4.0 when never set).
    pub async fn opendata_license(&self, tenant: TenantCode) -> Result<License> {
        let r = sqlx::query(
            "SELECT license_kind, license_text FROM tenant_settings WHERE tenant_code = $1",
        )
        .bind(tenant.to_string())
        .fetch_optional(self.pool())
        .await?;
        match r {
            Some(r) => license_from_row(&r),
            None => Ok(License::default()),
        }
    }

    /// Sets the tenant's licence, audited as `settings.license`.
    pub async fn opendata_license_set(
        &self,
        tenant: TenantCode,
        license: &License,
        who: &Who,
    ) -> Result<()> {
        let code = tenant.to_string();
        let before = self.opendata_license(tenant).await?;
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        let defaults = crate::proposals::DeskSettings::default();
        sqlx::query(
            "INSERT INTO tenant_settings (tenant_code, first_response_days, routing_days, updated_at, dormancy_months, license_kind, license_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_code) DO UPDATE SET license_kind = $6, license_text = $7, updated_at = $4",
        )
        .bind(&code)
        .bind(defaults.first_response_days)
        .bind(defaults.routing_days)
        .bind(&now)
        .bind(i64::from(DEFAULT_DORMANCY_MONTHS))
        .bind(license.kind.code())
        .bind(&license.text)
        .execute(&mut *tx.tx)
        .await?;
        tx.audit(
            who.event(
                Some(&code),
                "settings.license",
                "settings:license".into(),
                serde_json::json!({
                    "from": { "kind": before.kind.code(), "text": before.text },
                    "to": { "kind": license.kind.code(), "text": license.text },
                })
                .to_string(),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// A keyset page of published partnerships ordered by (tenant code, id): one tenant's or
    /// the whole country's, after `after`, at most `limit` (1–[`PAGE_MAX`]).
    pub async fn opendata_partnerships(
        &self,
        tenant: Option<TenantCode>,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Vec<OpenPartnership>> {
        let (after_tenant, after_id) = match after {
            Some(c) => (c.tenant.to_string(), c.id),
            None => (String::new(), 0),
        };
        // Both read `partnerships_published_tenant` in order (published, tenant, id) and stop
        // after `limit` rows; one local government's file compares the cursor with its code
        // rather than with the column, so that SQLite seeks to the id instead of sorting.
        let after_cursor = if tenant.is_some() {
            "p.tenant_code = $4 AND $4 >= $1 AND ($4 > $1 OR p.id > $2)"
        } else {
            "p.tenant_code >= $1 AND (p.tenant_code > $1 OR p.id > $2)"
        };
        let sql = format!(
            "{PARTNERSHIP_SELECT}, {TENANT_COLUMNS} FROM partnerships p \
             JOIN tenants t ON t.code = p.tenant_code \
             LEFT JOIN tenant_settings s ON s.tenant_code = p.tenant_code \
             WHERE p.published = 1 AND {LISTED_STATUS_SQL} AND {after_cursor} \
             ORDER BY p.tenant_code, p.id LIMIT $3"
        );
        let mut q = sqlx::query(&sql)
            .bind(after_tenant)
            .bind(after_id)
            .bind(limit.clamp(1, PAGE_MAX));
        if let Some(t) = tenant {
            q = q.bind(t.to_string());
        }
        let rows = q.fetch_all(self.pool()).await?;
        self.open_partnerships_from(&rows).await
    }

    /// The newest published partnerships (by id, newest first), of one tenant or all.
    pub async fn opendata_latest_partnerships(
        &self,
        tenant: Option<TenantCode>,
        limit: i64,
    ) -> Result<Vec<OpenPartnership>> {
        let only = if tenant.is_some() {
            "AND p.tenant_code = $2"
        } else {
            ""
        };
        let sql = format!(
            "{PARTNERSHIP_SELECT}, {TENANT_COLUMNS} FROM partnerships p \
             JOIN tenants t ON t.code = p.tenant_code \
             LEFT JOIN tenant_settings s ON s.tenant_code = p.tenant_code \
             WHERE p.published = 1 AND {LISTED_STATUS_SQL} {only} ORDER BY p.id DESC LIMIT $1"
        );
        let mut q = sqlx::query(&sql).bind(limit.clamp(1, PAGE_MAX));
        if let Some(t) = tenant {
            q = q.bind(t.to_string());
        }
        let rows = q.fetch_all(self.pool()).await?;
        self.open_partnerships_from(&rows).await
    }

    async fn open_partnerships_from(&self, rows: &[AnyRow]) -> Result<Vec<OpenPartnership>> {
        const T: &str = "partnerships";
        let today = self.today();
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let mut parties: HashMap<i64, Vec<OpenParty>> = HashMap::new();
        let mut fields: HashMap<i64, String> = HashMap::new();
        for chunk in ids.chunks(500) {
            let m = marks(chunk.len());
            let sql = format!(
                "SELECT partnership_id, name, party_type, corporate_number FROM partnership_parties \
                 WHERE partnership_id IN ({m}) ORDER BY partnership_id, position"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                parties
                    .entry(r.try_get("partnership_id")?)
                    .or_default()
                    .push(OpenParty {
                        name: r.try_get("name")?,
                        corporate_number: r.try_get("corporate_number")?,
                        party_type: rows::code(
                            &r,
                            "partnership_parties",
                            "party_type",
                            PartnerType::parse,
                        )?,
                    });
            }
            let sql = format!(
                "SELECT partnership_id, field FROM partnership_fields \
                 WHERE partnership_id IN ({m}) ORDER BY partnership_id, position"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                let e = fields.entry(r.try_get("partnership_id")?).or_default();
                if !e.is_empty() {
                    e.push(',');
                }
                e.push_str(&r.try_get::<String, _>("field")?);
            }
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let status = rows::code(r, T, "status", PartnershipStatus::parse)?;
                let signed_on = rows::opt_date(r, T, "signed_on")?;
                let starts_on = rows::opt_date(r, T, "starts_on")?;
                let last_activity_on = rows::opt_date(r, T, "last_activity_on")?;
                let months = u32::try_from(r.try_get::<i64, _>("dormancy_months")?)
                    .unwrap_or(DEFAULT_DORMANCY_MONTHS);
                Ok(OpenPartnership {
                    tenant_code: rows::code(r, T, "tenant_code", TenantCode::parse)?,
                    tenant_name: tenant_name(r)?,
                    id,
                    title: r.try_get("title")?,
                    form: rows::code(r, T, "form", Form::parse)?,
                    status,
                    parties: parties.remove(&id).unwrap_or_default(),
                    fields: field_list(
                        fields.get(&id).map(String::as_str).unwrap_or_default(),
                        "partnership_fields",
                    )?,
                    signed_on,
                    starts_on,
                    ends_on: rows::opt_date(r, T, "ends_on")?,
                    auto_renew: r.try_get::<i64, _>("auto_renew")? != 0,
                    last_activity_on,
                    dormant: is_dormant(
                        status,
                        last_activity_on,
                        signed_on,
                        starts_on,
                        today,
                        months,
                    ),
                    summary: r.try_get("summary")?,
                    license: license_from_row(r)?,
                    created_at: rows::instant(r, T, "created_at")?,
                    updated_at: rows::instant(r, T, "updated_at")?,
                })
            })
            .collect()
    }

    /// A keyset page of public open calls ordered by (tenant code, id), as
    /// [`Store::opendata_partnerships`].
    pub async fn opendata_calls(
        &self,
        tenant: Option<TenantCode>,
        after: Option<Cursor>,
        limit: i64,
    ) -> Result<Vec<OpenCallData>> {
        let (after_tenant, after_id) = match after {
            Some(c) => (c.tenant.to_string(), c.id),
            None => (String::new(), 0),
        };
        let only = if tenant.is_some() {
            "AND c.tenant_code = $4"
        } else {
            ""
        };
        let sql = format!(
            "{CALL_SELECT}, {TENANT_COLUMNS} FROM open_calls c \
             JOIN departments d ON d.id = c.department_id \
             JOIN tenants t ON t.code = c.tenant_code \
             LEFT JOIN tenant_settings s ON s.tenant_code = c.tenant_code \
             WHERE {PUBLIC_CALL_STATUSES} AND c.tenant_code >= $1 AND (c.tenant_code > $1 OR c.id > $2) {only} \
             ORDER BY c.tenant_code, c.id LIMIT $3"
        );
        let mut q = sqlx::query(&sql)
            .bind(after_tenant)
            .bind(after_id)
            .bind(limit.clamp(1, PAGE_MAX));
        if let Some(t) = tenant {
            q = q.bind(t.to_string());
        }
        let rows = q.fetch_all(self.pool()).await?;
        self.open_calls_from(&rows).await
    }

    /// The newest public open calls (by id, newest first), of one tenant or all.
    pub async fn opendata_latest_calls(
        &self,
        tenant: Option<TenantCode>,
        limit: i64,
    ) -> Result<Vec<OpenCallData>> {
        let only = if tenant.is_some() {
            "AND c.tenant_code = $2"
        } else {
            ""
        };
        let sql = format!(
            "{CALL_SELECT}, {TENANT_COLUMNS} FROM open_calls c \
             JOIN departments d ON d.id = c.department_id \
             JOIN tenants t ON t.code = c.tenant_code \
             LEFT JOIN tenant_settings s ON s.tenant_code = c.tenant_code \
             WHERE {PUBLIC_CALL_STATUSES} {only} ORDER BY c.id DESC LIMIT $1"
        );
        let mut q = sqlx::query(&sql).bind(limit.clamp(1, PAGE_MAX));
        if let Some(t) = tenant {
            q = q.bind(t.to_string());
        }
        let rows = q.fetch_all(self.pool()).await?;
        self.open_calls_from(&rows).await
    }

    async fn open_calls_from(&self, rows: &[AnyRow]) -> Result<Vec<OpenCallData>> {
        const T: &str = "open_calls";
        let today = self.today();
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<std::result::Result<_, _>>()?;
        let mut fields: HashMap<i64, String> = HashMap::new();
        let mut selected: HashMap<i64, Vec<String>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let m = marks(chunk.len());
            let sql = format!(
                "SELECT call_id, field FROM open_call_fields WHERE call_id IN ({m}) ORDER BY call_id, position"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                let e = fields.entry(r.try_get("call_id")?).or_default();
                if !e.is_empty() {
                    e.push(',');
                }
                e.push_str(&r.try_get::<String, _>("field")?);
            }
            // The selected answers' organisations (read only for decided calls below); the
            // proposal must be of the call's own tenant, as on the public call page.
            let sql = format!(
                "SELECT s.call_id, p.org_name FROM open_call_selections s \
                 JOIN proposals p ON p.id = s.proposal_id \
                 JOIN open_calls c ON c.id = s.call_id AND c.tenant_code = p.tenant_code \
                 WHERE s.call_id IN ({m}) AND c.status = 'decided' ORDER BY s.call_id, p.id"
            );
            let mut q = sqlx::query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for r in q.fetch_all(self.pool()).await? {
                selected
                    .entry(r.try_get("call_id")?)
                    .or_default()
                    .push(r.try_get("org_name")?);
            }
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                let stored = rows::code(r, T, "status", CallStatus::parse)?;
                let closes_on = rows::date(r, T, "closes_on")?;
                let status = effective_status(stored, closes_on, today);
                let decided = status == CallStatus::Decided;
                Ok(OpenCallData {
                    tenant_code: rows::code(r, T, "tenant_code", TenantCode::parse)?,
                    tenant_name: tenant_name(r)?,
                    id,
                    title: r.try_get("title")?,
                    department: r.try_get("department_name")?,
                    fields: field_list(
                        fields.get(&id).map(String::as_str).unwrap_or_default(),
                        "open_call_fields",
                    )?,
                    opens_on: rows::date(r, T, "opens_on")?,
                    closes_on,
                    status,
                    selected: if decided {
                        selected.remove(&id).unwrap_or_default()
                    } else {
                        Vec::new()
                    },
                    selection_reason: if decided {
                        r.try_get("selection_reason")?
                    } else {
                        None
                    },
                    license: license_from_row(r)?,
                    published_at: rows::opt_instant(r, T, "published_at")?,
                    updated_at: rows::instant(r, T, "updated_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_junk() {
        let c = Cursor::parse("272027-15").expect("cursor");
        assert_eq!(c.to_string(), "272027-15");
        for bad in [
            "",
            "272027",
            "272020-1",
            "272027-x",
            "272027--1",
            "272027-99999999999999999",
        ] {
            assert!(Cursor::parse(bad).is_none(), "{bad}");
        }
    }
}
