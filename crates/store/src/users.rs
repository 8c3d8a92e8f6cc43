//! Accounts: creation, lookup, password verification (Argon2id) and login throttling.
//!
//! Desk staff read every proposal under consideration, so no one becomes desk staff quietly:
//! every path that makes a desk account (the admin pages, `renkei user add`, the demo) goes
//! through [`Store::create_user`], which records the change for the desk's home page, mails
//! the tenant's other active desk staff and writes the audit entry, all in one transaction
//! ([`WriteTx::announce_desk_account`]).

use crate::events::{DomainEvent, Mailer, Recipient};
use crate::tenants::Tenant;
use crate::{Result, Store, StoreError, Who, WriteTx, rows};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use renkei_domain::{Actor, Email, Lang, Password, Role, TenantCode};
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub tenant_code: Option<String>,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub disabled: bool,
    pub created_at: String,
    /// The language of the mail this account receives (chosen with `?lang=` while signed in).
    pub lang: Lang,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub tenant: Option<TenantCode>,
    pub role: Role,
    pub email: Email,
    pub display_name: String,
    pub password: Password,
    /// Department names (for department staff); each must exist in the tenant.
    pub departments: Vec<String>,
}

/// An account that became desk staff (created as such, or given the desk role): what the
/// desk's home page lists and the announcement mail tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskStaffChange {
    pub user_id: i64,
    pub display_name: String,
    pub email: String,
    /// The role it had before; `None` for a new account.
    pub previous_role: Option<Role>,
    pub by_user_id: Option<i64>,
    /// Who did it, as the audit trail names them (an e-mail address, or `cli`).
    pub by_label: String,
    /// Their display name, when they are an account.
    pub by_name: Option<String>,
    pub at: String,
}

/// How many days the desk's home page lists new desk staff.
pub const DESK_STAFF_NOTICE_DAYS: i64 = 30;

/// Why a sign-in failed. Unknown account and wrong password are one case on purpose.
#[derive(Debug, PartialEq, Eq)]
pub enum LoginFailure {
    Invalid,
    Throttled,
}

/// A sign-in attempt that passed the throttle and is recorded as being checked
/// ([`Store::login_begin`]); [`Store::login_finish`] checks its password.
#[derive(Debug)]
pub struct LoginAttempt {
    /// Its row in `login_failures`.
    id: i64,
    email: String,
    /// The account's failures already settled when the attempt began: a success clears these.
    settled_before: Vec<i64>,
}

const COLUMNS: &str = "id, tenant_code, role, email, display_name, disabled_at, created_at, lang";

pub(crate) fn user_from_row(r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        tenant_code: r.try_get("tenant_code")?,
        role: Role::parse(&role).map_err(|_| StoreError::Internal(format!("bad role {role}")))?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        disabled: r.try_get::<Option<String>, _>("disabled_at")?.is_some(),
        created_at: r.try_get("created_at")?,
        lang: rows::lang(r, "users", "lang")?,
    })
}

fn desk_staff_change_from_row(r: &sqlx::any::AnyRow) -> Result<DeskStaffChange> {
    let previous: Option<String> = r.try_get("previous_role")?;
    Ok(DeskStaffChange {
        user_id: r.try_get("user_id")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        previous_role: previous.as_deref().map(Role::parse).transpose()?,
        by_user_id: r.try_get("by_user_id")?,
        by_label: r.try_get("by_label")?,
        by_name: r.try_get("by_name")?,
        at: r.try_get("at")?,
    })
}

impl WriteTx {
    /// The tenant's active desk accounts (address and language), sorted by address; with
    /// `assignee`, only the assigned officer (or everyone, when that account is no longer
    /// active desk staff).
    pub(crate) async fn desk_recipients(
        &mut self,
        tenant: &str,
        assignee: Option<i64>,
    ) -> Result<Vec<Recipient>> {
        let all = sqlx::query(
            "SELECT id, email, lang FROM users WHERE tenant_code = $1 AND role = 'desk' AND disabled_at IS NULL \
             ORDER BY email",
        )
        .bind(tenant)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<i64, _>("id")?, Recipient::from_user_row(r)?)))
        .collect::<Result<Vec<_>>>()?;
        let assigned: Vec<Recipient> = all
            .iter()
            .filter(|(id, _)| Some(*id) == assignee)
            .map(|(_, r)| r.clone())
            .collect();
        Ok(if assigned.is_empty() {
            all.into_iter().map(|(_, r)| r).collect()
        } else {
            assigned
        })
    }

    /// The one way an account becomes desk staff without anyone noticing is not to exist:
    /// records the change (listed on the desk's home page), mails every other active desk
    /// account of the tenant, and appends the audit entry, inside this transaction. Any path
    /// that creates a desk account or gives an account the desk role calls this.
    pub(crate) async fn announce_desk_account(
        &mut self,
        tenant: &Tenant,
        user: &User,
        previous_role: Option<Role>,
        who: &Who,
        mailer: &dyn Mailer,
    ) -> Result<()> {
        let now = self.now_ts();
        sqlx::query(
            "INSERT INTO desk_staff_changes (tenant_code, user_id, previous_role, by_user_id, by_label, at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&tenant.code)
        .bind(user.id)
        .bind(previous_role.map(|r| r.as_str()))
        .bind(who.user_id)
        .bind(&who.label)
        .bind(&now)
        .execute(&mut *self.tx)
        .await?;
        let by_name = match who.user_id {
            Some(id) => sqlx::query("SELECT display_name FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *self.tx)
                .await?
                .map(|r| r.try_get::<String, _>("display_name"))
                .transpose()?,
            None => None,
        };
        let change = DeskStaffChange {
            user_id: user.id,
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            previous_role,
            by_user_id: who.user_id,
            by_label: who.label.clone(),
            by_name,
            at: now,
        };
        let recipients = sqlx::query(
            "SELECT email, lang FROM users WHERE tenant_code = $1 AND role = 'desk' AND disabled_at IS NULL \
             AND id <> $2 ORDER BY email",
        )
        .bind(&tenant.code)
        .bind(user.id)
        .fetch_all(&mut *self.tx)
        .await?
        .iter()
        .map(Recipient::from_user_row)
        .collect::<Result<Vec<_>>>()?;
        self.emit(
            mailer,
            &DomainEvent::DeskStaffAdded {
                tenant,
                change: &change,
                desk: &recipients,
            },
        )
        .await?;
        self.audit(
            who.event(
                Some(&tenant.code),
                "desk.staff.added",
                format!("user:{}", user.id),
                serde_json::json!({
                    "email": user.email,
                    "previous_role": previous_role.map(|r| r.as_str()),
                    "notified": recipients.len(),
                })
                .to_string(),
            ),
        )
        .await
    }
}

/// Hashes with Argon2id (the crate's default parameters) off the async threads.
pub async fn hash_password(password: &Password) -> Result<String> {
    let secret = password.expose().to_string();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(secret.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Internal(format!("hash: {e}")))
    })
    .await
    .map_err(|e| StoreError::Internal(format!("join: {e}")))?
}

async fn verify_password(secret: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(secret.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// Verified against when the account does not exist, so both cases take the same time.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2k9T2YJ3M1dF0ByJ4UoGk3qQwU9tAqX0V7YpKf1wKJ4";

/// Failures allowed per account and per address within the window before sign-in is refused.
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;
pub const FAILURE_WINDOW_MINUTES: i64 = 15;

impl Store {
    /// Creates an account. A desk account is announced ([`WriteTx::announce_desk_account`])
    /// in the same transaction, in the words of `mailer`.
    pub async fn create_user(&self, who: &Who, new: NewUser, mailer: &dyn Mailer) -> Result<User> {
        match (new.role.is_tenant_bound(), new.tenant) {
            (true, None) => {
                return Err(StoreError::conflict("tenant", "error-user-tenant-required"));
            }
            (false, Some(_)) => {
                return Err(StoreError::conflict(
                    "tenant",
                    "error-user-operator-no-tenant",
                ));
            }
            _ => {}
        }
        if !new.departments.is_empty() && new.role != Role::Department {
            return Err(StoreError::conflict(
                "department",
                "error-user-departments-only-for-department-staff",
            ));
        }
        let display_name = renkei_domain::text::DISPLAY_NAME
            .parse_required(&new.display_name, "error-name-required")?;
        let hash = hash_password(&new.password).await?;
        let tenant = new.tenant.map(|t| t.to_string());
        let tenant_row = match &tenant {
            Some(t) => match self.tenant(t).await {
                Ok(row) => Some(row),
                Err(StoreError::NotFound) => {
                    return Err(StoreError::conflict("tenant", "error-tenant-unknown"));
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        let mut tx = self.write().await?;
        let now = tx.now_ts();
        let row = sqlx::query(
            "INSERT INTO users (tenant_code, role, email, display_name, password_hash, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(&tenant)
        .bind(new.role.as_str())
        .bind(new.email.as_str())
        .bind(&display_name)
        .bind(&hash)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await
        .map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::conflict("email", "error-email-taken")
            } else {
                e.into()
            }
        })?;
        let id: i64 = row.try_get("id")?;
        for name in &new.departments {
            let dept =
                sqlx::query("SELECT id FROM departments WHERE tenant_code = $1 AND name = $2")
                    .bind(&tenant)
                    .bind(name.trim())
                    .fetch_optional(&mut *tx.tx)
                    .await?
                    .ok_or(StoreError::conflict(
                        "department",
                        "error-department-unknown",
                    ))?;
            let dept_id: i64 = dept.try_get("id")?;
            sqlx::query("INSERT INTO department_members (department_id, user_id, created_at) VALUES ($1, $2, $3)")
                .bind(dept_id)
                .bind(id)
                .bind(&now)
                .execute(&mut *tx.tx)
                .await?;
        }
        tx.audit(
            who.event(
                tenant.as_deref(),
                "user.create",
                format!("user:{id}"),
                serde_json::json!({
                    "role": new.role.as_str(),
                    "email": new.email.as_str(),
                    "departments": new.departments,
                })
                .to_string(),
            ),
        )
        .await?;
        if let (Role::Desk, Some(t)) = (new.role, &tenant_row) {
            let user = User {
                id,
                tenant_code: tenant.clone(),
                role: new.role,
                email: new.email.as_str().to_string(),
                display_name: display_name.clone(),
                disabled: false,
                created_at: now.clone(),
                lang: Lang::default(),
            };
            tx.announce_desk_account(t, &user, None, who, mailer)
                .await?;
        }
        tx.commit().await?;
        self.user(id).await
    }

    /// Desk staff added (or given the desk role) in the last `days` days, newest first.
    pub async fn desk_staff_changes(
        &self,
        tenant: TenantCode,
        days: i64,
    ) -> Result<Vec<DeskStaffChange>> {
        let since = renkei_domain::time::to_db_timestamp(self.now() - chrono::Duration::days(days));
        let rows = sqlx::query(
            "SELECT c.user_id, u.display_name, u.email, c.previous_role, c.by_user_id, c.by_label, \
             b.display_name AS by_name, c.at \
             FROM desk_staff_changes c JOIN users u ON u.id = c.user_id \
             LEFT JOIN users b ON b.id = c.by_user_id \
             WHERE c.tenant_code = $1 AND c.at >= $2 ORDER BY c.at DESC, c.id DESC",
        )
        .bind(tenant.to_string())
        .bind(&since)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(desk_staff_change_from_row).collect()
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    /// Records the language an account chose (`?lang=` while signed in): mail to it is
    /// written in that language from now on. Returns whether it changed.
    pub async fn user_set_lang(&self, id: i64, lang: Lang) -> Result<bool> {
        let mut tx = self.write().await?;
        let changed = sqlx::query("UPDATE users SET lang = $2 WHERE id = $1 AND lang <> $2")
            .bind(id)
            .bind(lang.code())
            .execute(&mut *tx.tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(changed > 0)
    }

    /// Deactivates (`disabled`) or reactivates an account of `tenant`. A deactivated account
    /// cannot sign in, its sessions end at once and its API tokens stop working (both are read
    /// only for active accounts). Refused: deactivating oneself, and the tenant's last active
    /// administrator. Reactivating a desk account announces it like a new one (it can read
    /// every proposal under consideration again). Audited.
    pub async fn user_set_disabled(
        &self,
        who: &Who,
        tenant: &Tenant,
        user_id: i64,
        disabled: bool,
        mailer: &dyn Mailer,
    ) -> Result<User> {
        if disabled && who.user_id == Some(user_id) {
            return Err(StoreError::conflict("user", "error-user-disable-self"));
        }
        let mut tx = self.write().await?;
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE id = $1 AND tenant_code = $2"
        ))
        .bind(user_id)
        .bind(&tenant.code)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let user = user_from_row(&row)?;
        if user.disabled == disabled {
            tx.commit().await?;
            return Ok(user);
        }
        if disabled && user.role == Role::Admin {
            let others: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM users WHERE tenant_code = $1 AND role = 'admin' \
                 AND disabled_at IS NULL AND id <> $2",
            )
            .bind(&tenant.code)
            .bind(user_id)
            .fetch_one(&mut *tx.tx)
            .await?
            .try_get("n")?;
            if others == 0 {
                return Err(StoreError::conflict("user", "error-user-last-admin"));
            }
        }
        let now = tx.now_ts();
        sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(disabled.then_some(now.as_str()))
            .execute(&mut *tx.tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx.tx)
                .await?;
        }
        tx.audit(who.event(
            Some(&tenant.code),
            if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            format!("user:{user_id}"),
            serde_json::json!({ "email": user.email, "role": user.role.as_str() }).to_string(),
        ))
        .await?;
        let user = User { disabled, ..user };
        if !disabled && user.role == Role::Desk {
            tx.announce_desk_account(tenant, &user, None, who, mailer)
                .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<User> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        user_from_row(&row)
    }

    /// The accounts of one local government, by role then e-mail.
    pub async fn users_in_tenant(&self, tenant: &str) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM users WHERE tenant_code = $1 ORDER BY role, email"
        ))
        .bind(tenant)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn user_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("n")?)
    }

    /// The user as the policies see them (with department memberships).
    pub async fn actor(&self, user: &User) -> Result<Actor> {
        let rows = sqlx::query("SELECT department_id FROM department_members WHERE user_id = $1 ORDER BY department_id")
            .bind(user.id)
            .fetch_all(self.pool())
            .await?;
        let departments = rows
            .iter()
            .map(|r| r.try_get::<i64, _>("department_id"))
            .collect::<Result<_, _>>()?;
        actor_of(user, departments)
    }

    /// Checks a password. Throttled per account and per address: the attempt is recorded
    /// and counted in one step *before* the password is checked, so parallel attempts cannot
    /// all slip under the limit ([`Store::login_begin`], then [`Store::login_finish`]). Every
    /// failure is recorded (shared by all app servers), and unknown accounts cost the same time
    /// and get the same answer as known ones.
    pub async fn authenticate(
        &self,
        email: &str,
        password: &str,
        ip: &str,
    ) -> Result<Result<User, LoginFailure>> {
        match self.login_begin(email, ip).await? {
            Ok(attempt) => self.login_finish(attempt, password).await,
            Err(refused) => Ok(Err(refused)),
        }
    }

    /// The first half of [`Store::authenticate`]: in one write transaction, records the attempt
    /// (as a failure still being checked) and counts the attempts of the window including it;
    /// over a limit, nothing is recorded and the answer is [`LoginFailure::Throttled`].
    /// Concurrent attempts on one account or one address take turns here (on PostgreSQL on
    /// transaction-scoped locks, on SQLite through its single writer), so at most the limit of
    /// them ever reach the password check.
    pub async fn login_begin(
        &self,
        email: &str,
        ip: &str,
    ) -> Result<Result<LoginAttempt, LoginFailure>> {
        let email = email.trim().to_lowercase();
        let mut tx = self.write().await?;
        // Always the account first, then the address: no two attempts wait on each other.
        tx.lock(&format!("login-account:{email}")).await?;
        tx.lock(&format!("login-address:{ip}")).await?;
        let now = tx.now_ts();
        let since = renkei_domain::time::to_db_timestamp(
            tx.now() - chrono::Duration::minutes(FAILURE_WINDOW_MINUTES),
        );
        // The insert comes first: on SQLite it takes the write lock before anything is read.
        let id: i64 = sqlx::query(
            "INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(&email)
        .bind(ip)
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
        .try_get("id")?;
        let counts = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at > $3) AS by_account, \
                    (SELECT COUNT(*) FROM login_failures WHERE ip = $2 AND at > $3) AS by_address",
        )
        .bind(&email)
        .bind(ip)
        .bind(&since)
        .fetch_one(&mut *tx.tx)
        .await?;
        if counts.try_get::<i64, _>("by_account")? > MAX_FAILURES_PER_ACCOUNT
            || counts.try_get::<i64, _>("by_address")? > MAX_FAILURES_PER_ADDRESS
        {
            // Dropping the transaction rolls the attempt back: a refusal records nothing.
            return Ok(Err(LoginFailure::Throttled));
        }
        let settled_before = sqlx::query(
            "SELECT id FROM login_failures WHERE email = $1 AND settled_at IS NOT NULL",
        )
        .bind(&email)
        .fetch_all(&mut *tx.tx)
        .await?
        .iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        Ok(Ok(LoginAttempt {
            id,
            email,
            settled_before,
        }))
    }

    /// The second half of [`Store::authenticate`]: checks the password of an attempt that
    /// [`Store::login_begin`] let through (off the async threads; an unknown account is checked
    /// against a dummy hash). A failure stays recorded. A success removes its own record and
    /// the account's failures that were settled before it began, but not those of attempts
    /// that ran alongside it.
    pub async fn login_finish(
        &self,
        attempt: LoginAttempt,
        password: &str,
    ) -> Result<Result<User, LoginFailure>> {
        let found = sqlx::query(&format!(
            "SELECT {COLUMNS}, password_hash FROM users WHERE email = $1"
        ))
        .bind(&attempt.email)
        .fetch_optional(self.pool())
        .await?;
        let (user, hash) = match &found {
            Some(r) => (
                Some(user_from_row(r)?),
                r.try_get::<String, _>("password_hash")?,
            ),
            None => (None, DUMMY_HASH.to_string()),
        };
        let ok = verify_password(password.to_string(), hash).await;
        let mut tx = self.write().await?;
        match user {
            Some(u) if ok && !u.disabled => {
                sqlx::query("DELETE FROM login_failures WHERE id = $1")
                    .bind(attempt.id)
                    .execute(&mut *tx.tx)
                    .await?;
                for id in &attempt.settled_before {
                    sqlx::query("DELETE FROM login_failures WHERE id = $1 AND email = $2")
                        .bind(id)
                        .bind(&attempt.email)
                        .execute(&mut *tx.tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(Ok(u))
            }
            _ => {
                sqlx::query("UPDATE login_failures SET settled_at = $1 WHERE id = $2")
                    .bind(tx.now_ts())
                    .bind(attempt.id)
                    .execute(&mut *tx.tx)
                    .await?;
                tx.commit().await?;
                Ok(Err(LoginFailure::Invalid))
            }
        }
    }
}

/// The policy's view of a user whose departments are already known (a session carries them).
pub fn actor_of(user: &User, departments: Vec<i64>) -> Result<Actor> {
    let tenant = match &user.tenant_code {
        Some(t) => Some(TenantCode::parse(t).map_err(StoreError::Invalid)?),
        None => None,
    };
    Ok(Actor {
        user_id: user.id,
        role: user.role,
        tenant,
        departments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An unknown account is checked against the dummy hash: it must be a real Argon2id hash
    /// with the same cost as the ones `hash_password` makes, or unknown accounts would answer
    /// faster than known ones.
    #[test]
    fn the_dummy_hash_costs_what_a_real_one_does() {
        let dummy = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let real = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .expect("hash");
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert_eq!(
            dummy.hash.map(|h| h.len()),
            real.hash.map(|h| h.len()),
            "same output length"
        );
    }
}
