//! Renkei's persistence. One set of queries runs on SQLite (the embedded default) and on
//! PostgreSQL (several stateless app servers on one database), through sqlx's `Any` driver
//! with `$n` placeholders, which both databases accept.
//!
//! Everything that differs between the two databases lives in [`backend`]: connection set-up,
//! the migration files (DDL differs), database creation, locking and schema introspection.
//!
//! Every method that touches a local government's data takes the tenant code first, so that
//! forgetting the tenant is a compile error rather than a data leak.

pub mod audit;
pub mod backend;
pub mod bulk;
pub mod cases;
pub mod departments;
pub mod desk;
mod error;
pub mod events;
pub mod group;
pub mod landing;
pub mod migrate;
pub mod open_calls;
pub mod opendata;
pub mod outbox;
pub mod ownership;
pub mod partnerships;
pub mod password_resets;
pub mod proposals;
pub mod reminders;
mod rows;
pub mod search;
pub mod sessions;
pub mod stats;
pub mod templates;
pub mod tenants;
pub mod throttle;
pub mod tokens;
pub mod users;

pub use backend::Backend;
pub use error::StoreError;

use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::audit::AuditEntry;
use renkei_domain::clock::{Clock, SystemClock};
use renkei_domain::time::{jst_date, to_db_timestamp};
use sqlx::AnyPool;
use std::sync::Arc;
use tokio::sync::{Mutex, OwnedMutexGuard};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time; writers in this process queue here instead of
    /// failing with SQLITE_BUSY. `None` on PostgreSQL, which has row locks.
    write_gate: Option<Arc<Mutex<()>>>,
    /// SQLite: submissions arriving together share one commit (see [`group`]). `None` on
    /// PostgreSQL.
    groups: Option<Arc<group::Groups>>,
    /// The only source of "now" for everything the store writes or compares.
    clock: Arc<dyn Clock>,
    /// This process's audit group writer, started on first use (see [`audit`]).
    audit_writer: Arc<std::sync::OnceLock<tokio::sync::mpsc::Sender<audit::Pending>>>,
    /// The case search's keys held by this process (see [`cases::keys`]).
    case_keys: Arc<cases::keys::CaseKeys>,
}

/// A write transaction. Commit it; dropping it rolls back.
pub struct WriteTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    _gate: Option<OwnedMutexGuard<()>>,
    /// The transaction's time, read once from the clock when it began: every row it writes
    /// carries the same instant.
    now: DateTime<Utc>,
    backend: Backend,
    /// The partnerships whose case rows this transaction changed, logged at its commit.
    case_changes: Vec<i64>,
}

impl WriteTx {
    /// The time of this transaction.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// The time of this transaction as stored.
    pub fn now_ts(&self) -> String {
        to_db_timestamp(self.now)
    }

    /// The day in Japan of this transaction.
    pub fn today(&self) -> NaiveDate {
        jst_date(self.now)
    }

    /// Waits until no other write transaction holds `key`, then holds it until this one ends
    /// (see [`Backend::lock_key`]). Take keys in one fixed order when taking several.
    pub(crate) async fn lock(&mut self, key: &str) -> Result<()> {
        self.backend.lock_key(&mut self.tx, key).await
    }

    /// The transaction's connection, for statements the store has no method for (tests).
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    pub async fn commit(mut self) -> Result<()> {
        if !self.case_changes.is_empty() {
            cases::keys::record_changes(&mut self.tx, &self.case_changes).await?;
        }
        self.tx.commit().await?;
        Ok(())
    }

    /// Append an audit entry inside this transaction (the change and its record commit
    /// together or not at all).
    pub async fn audit(&mut self, event: AuditEvent) -> Result<()> {
        let at = self.now_ts();
        audit::append(&mut self.tx, event, at).await
    }
}

/// What to record in the audit trail; sequence, time and hashes are filled in on append.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub tenant_code: Option<String>,
    pub actor_user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub origin: String,
}

impl AuditEvent {
    fn into_entry(self, seq: i64, at: String) -> AuditEntry {
        AuditEntry {
            seq,
            at,
            tenant_code: self.tenant_code,
            actor_user_id: self.actor_user_id,
            actor: self.actor,
            action: self.action,
            target: self.target,
            detail: if self.detail.is_empty() {
                "{}".to_string()
            } else {
                self.detail
            },
            origin: self.origin,
        }
    }
}

/// Who is acting, for the audit trail.
#[derive(Debug, Clone)]
pub struct Who {
    pub user_id: Option<i64>,
    pub label: String,
    pub origin: String,
}

impl Who {
    pub fn cli() -> Self {
        Self {
            user_id: None,
            label: "cli".into(),
            origin: "cli".into(),
        }
    }

    pub fn event(
        &self,
        tenant: Option<&str>,
        action: &str,
        target: String,
        detail: String,
    ) -> AuditEvent {
        AuditEvent {
            tenant_code: tenant.map(str::to_string),
            actor_user_id: self.user_id,
            actor: self.label.clone(),
            action: action.to_string(),
            target,
            detail,
            origin: self.origin.clone(),
        }
    }
}

impl Store {
    /// Connects (creating the database if it does not exist) and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self> {
        let store = Self::connect(url).await?;
        migrate::run(&store).await?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Self> {
        let backend = Backend::from_url(url)?;
        let pool = backend.connect(url).await?;
        let (write_gate, groups) = match backend {
            Backend::Sqlite => (
                Some(Arc::new(Mutex::new(()))),
                Some(Arc::new(group::Groups::default())),
            ),
            Backend::Postgres => (None, None),
        };
        Ok(Self {
            pool,
            backend,
            write_gate,
            groups,
            clock: Arc::new(SystemClock),
            audit_writer: Arc::default(),
            case_keys: Arc::default(),
        })
    }

    /// The same database read through another clock (tests fix it; the demo replays its
    /// story on one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Now, from the store's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Now as stored (`2026-11-22T02:23:34.123Z`).
    pub fn now_ts(&self) -> String {
        to_db_timestamp(self.clock.now())
    }

    /// Today in Japan (deadlines are Japanese business days).
    pub fn today(&self) -> NaiveDate {
        jst_date(self.clock.now())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The audit group writer, started on first use. Its own handle on the database has no
    /// writer of its own, so the writer stops when the last `Store` handle is dropped.
    pub(crate) fn audit_writer(&self) -> tokio::sync::mpsc::Sender<audit::Pending> {
        self.audit_writer
            .get_or_init(|| {
                let own = Store {
                    audit_writer: Arc::default(),
                    ..self.clone()
                };
                audit::spawn_group_writer(own)
            })
            .clone()
    }

    pub async fn write(&self) -> Result<WriteTx> {
        let gate = match &self.write_gate {
            Some(m) => Some(Arc::clone(m).lock_owned().await),
            None => None,
        };
        let tx = self.pool.begin().await?;
        Ok(WriteTx {
            tx,
            _gate: gate,
            now: self.clock.now(),
            backend: self.backend,
            case_changes: Vec::new(),
        })
    }

    /// Whether the database answers (for /healthz).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (used with `ESCAPE '\'`).
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
