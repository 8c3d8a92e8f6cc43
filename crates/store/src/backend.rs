//! Everything that differs between SQLite and PostgreSQL, in one place.

use crate::{Result, StoreError};
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::MigrateDatabase;
use sqlx::{Executor, Row};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Migrations per backend, in order. DDL differs (identity columns, integer widths); a test
/// compares the resulting schemas table by table and column by column.
pub const SQLITE_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
    ),
    (
        2,
        "desk",
        include_str!("../migrations/sqlite/0002_desk.sql"),
    ),
    (
        3,
        "reminders",
        include_str!("../migrations/sqlite/0003_reminders.sql"),
    ),
    (
        4,
        "days and open desks",
        include_str!("../migrations/sqlite/0004_days_and_open_desks.sql"),
    ),
    (
        5,
        "settled sign-in attempts",
        include_str!("../migrations/sqlite/0005_settled_sign_in_attempts.sql"),
    ),
    (
        6,
        "ownership and desk changes",
        include_str!("../migrations/sqlite/0006_ownership_and_desk_changes.sql"),
    ),
    (
        7,
        "fields and offers as rows",
        include_str!("../migrations/sqlite/0007_fields_and_offers.sql"),
    ),
    (
        8,
        "languages",
        include_str!("../migrations/sqlite/0008_languages.sql"),
    ),
    (
        9,
        "tenant audit chains",
        include_str!("../migrations/sqlite/0009_tenant_audit_chains.sql"),
    ),
    (
        crate::search::INDEX_MIGRATION,
        "search index and inbox order",
        include_str!("../migrations/sqlite/0010_search_index_and_inbox_order.sql"),
    ),
    (
        11,
        "inbox filters in the index",
        include_str!("../migrations/sqlite/0011_inbox_filters_in_index.sql"),
    ),
    (
        12,
        "unseen answers",
        include_str!("../migrations/sqlite/0012_unseen_answers.sql"),
    ),
    (
        13,
        "desk profiles",
        include_str!("../migrations/sqlite/0013_desk_profiles.sql"),
    ),
    (
        14,
        "partner aliases",
        include_str!("../migrations/sqlite/0014_partner_aliases.sql"),
    ),
    (
        crate::search::KANA_MIGRATION,
        "kana-folded search",
        include_str!("../migrations/sqlite/0015_kana_folded_search.sql"),
    ),
    (
        16,
        "intake confirmation",
        include_str!("../migrations/sqlite/0016_intake_confirmation.sql"),
    ),
    (
        17,
        "password resets",
        include_str!("../migrations/sqlite/0017_password_resets.sql"),
    ),
    (
        crate::proposals::SORT_KEY_MIGRATION,
        "partner registry",
        include_str!("../migrations/sqlite/0018_partner_registry.sql"),
    ),
    (
        19,
        "desk memos and corrections",
        include_str!("../migrations/sqlite/0019_desk_memos_and_corrections.sql"),
    ),
    (
        20,
        "questions and templates",
        include_str!("../migrations/sqlite/0020_questions_and_templates.sql"),
    ),
    (
        21,
        "open calls",
        include_str!("../migrations/sqlite/0021_open_calls.sql"),
    ),
    (
        22,
        "partnerships",
        include_str!("../migrations/sqlite/0022_partnerships.sql"),
    ),
    (
        24,
        "partnership import",
        include_str!("../migrations/sqlite/0024_partnership_import.sql"),
    ),
    (
        25,
        "partnership list index",
        include_str!("../migrations/sqlite/0025_partnership_list_index.sql"),
    ),
    (
        crate::cases::CASES_MIGRATION,
        "public cases",
        include_str!("../migrations/sqlite/0026_public_cases.sql"),
    ),
    (
        27,
        "statistics",
        include_str!("../migrations/sqlite/0027_statistics.sql"),
    ),
    (
        28,
        "open data licence",
        include_str!("../migrations/sqlite/0028_opendata_license.sql"),
    ),
    (
        29,
        "public landing index",
        include_str!("../migrations/sqlite/0029_public_landing_index.sql"),
    ),
    (
        crate::open_calls::search::CALLS_MIGRATION,
        "public call search",
        include_str!("../migrations/sqlite/0030_public_call_search.sql"),
    ),
    (
        31,
        "case partner types",
        include_str!("../migrations/sqlite/0031_case_partner_types.sql"),
    ),
    (
        32,
        "open data order index",
        include_str!("../migrations/sqlite/0032_open_data_order_index.sql"),
    ),
    (
        33,
        "case revisions",
        include_str!("../migrations/sqlite/0033_case_revisions.sql"),
    ),
];
pub const POSTGRES_MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "desk",
        include_str!("../migrations/postgres/0002_desk.sql"),
    ),
    (
        3,
        "reminders",
        include_str!("../migrations/postgres/0003_reminders.sql"),
    ),
    (
        4,
        "days and open desks",
        include_str!("../migrations/postgres/0004_days_and_open_desks.sql"),
    ),
    (
        5,
        "settled sign-in attempts",
        include_str!("../migrations/postgres/0005_settled_sign_in_attempts.sql"),
    ),
    (
        6,
        "ownership and desk changes",
        include_str!("../migrations/postgres/0006_ownership_and_desk_changes.sql"),
    ),
    (
        7,
        "fields and offers as rows",
        include_str!("../migrations/postgres/0007_fields_and_offers.sql"),
    ),
    (
        8,
        "languages",
        include_str!("../migrations/postgres/0008_languages.sql"),
    ),
    (
        9,
        "tenant audit chains",
        include_str!("../migrations/postgres/0009_tenant_audit_chains.sql"),
    ),
    (
        crate::search::INDEX_MIGRATION,
        "search index and inbox order",
        include_str!("../migrations/postgres/0010_search_index_and_inbox_order.sql"),
    ),
    (
        11,
        "inbox filters in the index",
        include_str!("../migrations/postgres/0011_inbox_filters_in_index.sql"),
    ),
    (
        12,
        "unseen answers",
        include_str!("../migrations/postgres/0012_unseen_answers.sql"),
    ),
    (
        13,
        "desk profiles",
        include_str!("../migrations/postgres/0013_desk_profiles.sql"),
    ),
    (
        14,
        "partner aliases",
        include_str!("../migrations/postgres/0014_partner_aliases.sql"),
    ),
    (
        crate::search::KANA_MIGRATION,
        "kana-folded search",
        include_str!("../migrations/postgres/0015_kana_folded_search.sql"),
    ),
    (
        16,
        "intake confirmation",
        include_str!("../migrations/postgres/0016_intake_confirmation.sql"),
    ),
    (
        17,
        "password resets",
        include_str!("../migrations/postgres/0017_password_resets.sql"),
    ),
    (
        crate::proposals::SORT_KEY_MIGRATION,
        "partner registry",
        include_str!("../migrations/postgres/0018_partner_registry.sql"),
    ),
    (
        19,
        "desk memos and corrections",
        include_str!("../migrations/postgres/0019_desk_memos_and_corrections.sql"),
    ),
    (
        20,
        "questions and templates",
        include_str!("../migrations/postgres/0020_questions_and_templates.sql"),
    ),
    (
        21,
        "open calls",
        include_str!("../migrations/postgres/0021_open_calls.sql"),
    ),
    (
        22,
        "partnerships",
        include_str!("../migrations/postgres/0022_partnerships.sql"),
    ),
    (
        24,
        "partnership import",
        include_str!("../migrations/postgres/0024_partnership_import.sql"),
    ),
    (
        25,
        "partnership list index",
        include_str!("../migrations/postgres/0025_partnership_list_index.sql"),
    ),
    (
        crate::cases::CASES_MIGRATION,
        "public cases",
        include_str!("../migrations/postgres/0026_public_cases.sql"),
    ),
    (
        27,
        "statistics",
        include_str!("../migrations/postgres/0027_statistics.sql"),
    ),
    (
        28,
        "open data licence",
        include_str!("../migrations/postgres/0028_opendata_license.sql"),
    ),
    (
        29,
        "public landing index",
        include_str!("../migrations/postgres/0029_public_landing_index.sql"),
    ),
    (
        crate::open_calls::search::CALLS_MIGRATION,
        "public call search",
        include_str!("../migrations/postgres/0030_public_call_search.sql"),
    ),
    (
        31,
        "case partner types",
        include_str!("../migrations/postgres/0031_case_partner_types.sql"),
    ),
    (
        32,
        "open data order index",
        include_str!("../migrations/postgres/0032_open_data_order_index.sql"),
    ),
    (
        33,
        "case revisions",
        include_str!("../migrations/postgres/0033_case_revisions.sql"),
    ),
];

/// The advisory-lock number of a key: the first 8 bytes of its SHA-256 (collisions only make
/// two unrelated keys take turns).
fn advisory_key(key: &str) -> i64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("renkei-lock:{key}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::Internal(
                "database URL must start with sqlite: or postgres:".into(),
            ))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The values of `column` from the rows of a correlated subquery, joined with commas in
    /// the order of `order` (`''` when there are none): `group_concat` on SQLite (3.44+ takes
    /// `ORDER BY`), `string_agg` on PostgreSQL.
    pub fn joined(self, column: &str, order: &str) -> String {
        let function = match self {
            Self::Sqlite => "group_concat",
            Self::Postgres => "string_agg",
        };
        format!("COALESCE({function}({column}, ',' ORDER BY {order}), '')")
    }

    /// Writes the search documents of `rows` proposals (their tokens separated by spaces, see
    /// [`crate::search`]): bind each proposal's id, then its document.
    pub(crate) fn search_insert_sql(self, rows: usize) -> String {
        let (column, value) = match self {
            Self::Sqlite => ("rowid", "${}"),
            Self::Postgres => ("proposal_id", "strip(to_tsvector('simple', ${}))"),
        };
        let tuples: Vec<String> = (0..rows)
            .map(|i| {
                format!(
                    "(${}, {})",
                    2 * i + 1,
                    value.replace("{}", &(2 * i + 2).to_string())
                )
            })
            .collect();
        format!(
            "INSERT INTO proposal_search ({column}, grams) VALUES {}",
            tuples.join(", ")
        )
    }

    /// Readies the tables for reading after a bulk load. PostgreSQL plans from statistics,
    /// and a freshly loaded table has none until autovacuum gets to it: on the national data
    /// set an inbox page then cost 174 ms (a guessed 3,450 fields per proposal pushed the
    /// estimate over the JIT threshold: 47 ms of compiling) instead of 5 ms. Its index-only
    /// scans also visit the table for every row until VACUUM has set the visibility map (perf
    /// under load: `heap_hot_search_buffer` on top). SQLite plans well from its indexes alone
    /// and would scan 6 GB to gather statistics: nothing to do.
    pub(crate) fn analyze_sql(self) -> Option<&'static str> {
        match self {
            Self::Sqlite => None,
            Self::Postgres => Some("VACUUM (ANALYZE)"),
        }
    }

    /// Empties the search index (before it is rebuilt).
    pub(crate) fn search_clear_sql(self) -> &'static str {
        match self {
            // A contentless FTS5 table is emptied with its 'delete-all' command.
            Self::Sqlite => "INSERT INTO proposal_search (proposal_search) VALUES ('delete-all')",
            Self::Postgres => "DELETE FROM proposal_search",
        }
    }

    /// A condition that holds for the proposals `p` whose search document has every token of
    /// the parameter `param` (tokens separated by spaces): FTS5's implicit AND on SQLite,
    /// `plainto_tsquery` (which ANDs its words) on PostgreSQL.
    pub(crate) fn search_match_sql(self, param: &str) -> String {
        match self {
            Self::Sqlite => format!(
                "p.id IN (SELECT rowid FROM proposal_search WHERE proposal_search MATCH {param})"
            ),
            Self::Postgres => format!(
                "p.id IN (SELECT proposal_id FROM proposal_search \
                 WHERE grams @@ plainto_tsquery('simple', {param}))"
            ),
        }
    }

    /// Writes the case index's documents of `rows` cases (see [`crate::cases`]): bind each
    /// partnership's id, then its document.
    pub(crate) fn case_search_insert_sql(self, rows: usize) -> String {
        let (column, value) = match self {
            Self::Sqlite => ("rowid", "${}"),
            Self::Postgres => ("partnership_id", "strip(to_tsvector('simple', ${}))"),
        };
        let tuples: Vec<String> = (0..rows)
            .map(|i| {
                format!(
                    "(${}, {})",
                    2 * i + 1,
                    value.replace("{}", &(2 * i + 2).to_string())
                )
            })
            .collect();
        format!(
            "INSERT INTO public_case_search ({column}, grams) VALUES {}",
            tuples.join(", ")
        )
    }

    /// Removes one case's document: bind the partnership's id, then the document it held
    /// (FTS5's contentless table needs it; PostgreSQL ignores it).
    pub(crate) fn case_search_delete_sql(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "INSERT INTO public_case_search (public_case_search, rowid, grams) \
                 VALUES ('delete', $1, $2)"
            }
            Self::Postgres => {
                "DELETE FROM public_case_search WHERE partnership_id = $1 AND $2 = $2"
            }
        }
    }

    /// Empties the case index's documents.
    pub(crate) fn case_search_clear_sql(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "INSERT INTO public_case_search (public_case_search) VALUES ('delete-all')"
            }
            Self::Postgres => "DELETE FROM public_case_search",
        }
    }

    /// A condition that holds for the cases `c` whose document has every token of `param`.
    /// An aggregate joining the integer `expr` of every row with commas (NULL without rows):
    /// a list of thousands of ids comes back as one row.
    pub(crate) fn id_list_sql(self, expr: &str) -> String {
        match self {
            Self::Sqlite => format!("group_concat({expr}, ',')"),
            Self::Postgres => format!("string_agg(CAST({expr} AS TEXT), ',')"),
        }
    }

    pub(crate) fn case_search_match_sql(self, param: &str) -> String {
        match self {
            Self::Sqlite => format!(
                "c.partnership_id IN (SELECT rowid FROM public_case_search \
                 WHERE public_case_search MATCH {param})"
            ),
            Self::Postgres => format!(
                "c.partnership_id IN (SELECT partnership_id FROM public_case_search \
                 WHERE grams @@ plainto_tsquery('simple', {param}))"
            ),
        }
    }

    /// Writes the call index's documents of `rows` published calls (see
    /// [`crate::open_calls::search`]): bind each call's id, then its document.
    pub(crate) fn call_search_insert_sql(self, rows: usize) -> String {
        let (column, value) = match self {
            Self::Sqlite => ("rowid", "${}"),
            Self::Postgres => ("call_id", "strip(to_tsvector('simple', ${}))"),
        };
        let tuples: Vec<String> = (0..rows)
            .map(|i| {
                format!(
                    "(${}, {})",
                    2 * i + 1,
                    value.replace("{}", &(2 * i + 2).to_string())
                )
            })
            .collect();
        format!(
            "INSERT INTO public_call_search ({column}, grams) VALUES {}",
            tuples.join(", ")
        )
    }

    /// Removes one call's document: bind the call's id, then the document it held (FTS5's
    /// contentless table needs it; PostgreSQL ignores it).
    pub(crate) fn call_search_delete_sql(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "INSERT INTO public_call_search (public_call_search, rowid, grams) \
                 VALUES ('delete', $1, $2)"
            }
            Self::Postgres => "DELETE FROM public_call_search WHERE call_id = $1 AND $2 = $2",
        }
    }

    /// Empties the call index's documents.
    pub(crate) fn call_search_clear_sql(self) -> &'static str {
        match self {
            Self::Sqlite => {
                "INSERT INTO public_call_search (public_call_search) VALUES ('delete-all')"
            }
            Self::Postgres => "DELETE FROM public_call_search",
        }
    }

    /// A condition that holds for the indexed calls `pc` whose document has every token of
    /// `param`.
    pub(crate) fn call_search_match_sql(self, param: &str) -> String {
        match self {
            Self::Sqlite => format!(
                "pc.call_id IN (SELECT rowid FROM public_call_search \
                 WHERE public_call_search MATCH {param})"
            ),
            Self::Postgres => format!(
                "pc.call_id IN (SELECT call_id FROM public_call_search \
                 WHERE grams @@ plainto_tsquery('simple', {param}))"
            ),
        }
    }

    pub fn migrations(self) -> &'static [(i64, &'static str, &'static str)] {
        match self {
            Self::Sqlite => SQLITE_MIGRATIONS,
            Self::Postgres => POSTGRES_MIGRATIONS,
        }
    }

    /// Creates the database when missing, then opens a pool with the settings each backend
    /// needs for durability: SQLite in WAL mode with `synchronous=FULL` (a commit is on disk
    /// before it returns) and foreign keys on; PostgreSQL planning each statement for its values.
    pub(crate) async fn connect(self, url: &str) -> Result<AnyPool> {
        sqlx::any::install_default_drivers();
        if !sqlx::Any::database_exists(url).await.unwrap_or(false) {
            // Two app servers may race to create it; the loser finds it there.
            if let Err(e) = sqlx::Any::create_database(url).await
                && !sqlx::Any::database_exists(url).await.unwrap_or(false)
            {
                return Err(e.into());
            }
        }
        let options = AnyPoolOptions::new()
            .acquire_timeout(Duration::from_secs(30))
            .idle_timeout(Duration::from_secs(600));
        let pool = match self {
            Self::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            // Plans are made for each statement's actual values: a generic plan of a prepared
            // statement assumes an average tenant (500,000 proposals / 1,788), so for a large
            // city it scanned all 10,000 of its proposals for one inbox page (580 ms, measured on
            // the national data set; the custom plan took under 1 ms).
            Self::Postgres => {
                options
                    .max_connections(16)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute("SET plan_cache_mode = force_custom_plan")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
        };
        Ok(pool)
    }

    /// Serialises migrations between app servers starting at once. SQLite needs nothing more
    /// than its write lock (the migration runs in one transaction).
    pub(crate) async fn lock_migrations(
        self,
        conn: &mut sqlx::AnyConnection,
        lock: bool,
    ) -> Result<()> {
        if self == Self::Postgres {
            let sql = if lock {
                "SELECT pg_advisory_lock(72202701)"
            } else {
                "SELECT pg_advisory_unlock(72202701)"
            };
            conn.execute(sql).await?;
        }
        Ok(())
    }

    /// Makes concurrent write transactions that name the same key take turns until the
    /// holder commits or rolls back (for a count-then-insert that must be one step, such as a
    /// rate limit). PostgreSQL: a transaction-scoped advisory lock on a 64-bit hash of the key,
    /// shared by every app server on the database. SQLite: nothing to do, its writers already
    /// take turns (the store's write gate, and the database's single write lock).
    pub(crate) async fn lock_key(self, conn: &mut sqlx::AnyConnection, key: &str) -> Result<()> {
        if self == Self::Postgres {
            sqlx::query("SELECT 1 AS locked FROM pg_advisory_xact_lock($1)")
                .bind(advisory_key(key))
                .fetch_one(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Bound parameters one multi-row insert carries. PostgreSQL: its protocol limit. SQLite
    /// allows 32,766, but sqlx binds `$n` parameters by name and SQLite looks each name up in a
    /// list (`sqlite3_bind_parameter_name` is linear), so binding is quadratic in the count:
    /// at 32,766 a national bench-data load spent 70% of its time there (perf). 999 keeps the
    /// statements large and binding cheap.
    pub fn max_bind_params(self) -> usize {
        match self {
            Self::Sqlite => 999,
            Self::Postgres => 65_535,
        }
    }

    /// Settings of a connection used for a bulk load (`on`), and back to the usual ones.
    /// SQLite: no fsync per commit and a larger page cache (a crash mid-load may lose the
    /// load's last transactions, never the database). PostgreSQL: commits do not wait for the
    /// WAL flush (the same trade).
    pub(crate) async fn bulk_session(self, conn: &mut sqlx::AnyConnection, on: bool) -> Result<()> {
        let sql = match (self, on) {
            (Self::Sqlite, true) => "PRAGMA synchronous = OFF; PRAGMA cache_size = -131072;",
            (Self::Sqlite, false) => "PRAGMA synchronous = FULL; PRAGMA cache_size = -2000;",
            (Self::Postgres, true) => "SET synchronous_commit = off",
            (Self::Postgres, false) => "RESET synchronous_commit",
        };
        conn.execute(sql).await?;
        Ok(())
    }

    /// After rows were inserted with explicit ids: PostgreSQL's identity sequence of `table`
    /// moves past the largest id (SQLite takes the next rowid after the largest by itself).
    pub(crate) async fn sync_id_sequence(
        self,
        conn: &mut sqlx::AnyConnection,
        table: &'static str,
    ) -> Result<()> {
        if self == Self::Postgres {
            conn.execute(
                format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                )
                .as_str(),
            )
            .await?;
        }
        Ok(())
    }

    /// Tables and their columns (name, declared type family, nullable) for schema comparison.
    pub async fn schema(self, pool: &AnyPool) -> Result<Vec<(String, Vec<(String, bool)>)>> {
        let tables: Vec<String> = match self {
            Self::Sqlite => sqlx::query(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' ORDER BY name",
            ),
            Self::Postgres => sqlx::query(
                "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
                 WHERE table_schema = 'public' ORDER BY table_name",
            ),
        }
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("name"))
        .filter(|n| {
            !matches!(n, Ok(n) if n.starts_with("proposal_search")
                || n.starts_with("public_case_search")
                || n.starts_with("public_call_search"))
        })
        .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for t in tables {
            let rows = match self {
                Self::Sqlite => sqlx::query(
                    "SELECT name, CAST(\"notnull\" AS INTEGER) AS not_null, CAST(pk AS INTEGER) AS is_pk \
                     FROM pragma_table_info($1) ORDER BY name",
                ),
                Self::Postgres => sqlx::query(
                    "SELECT CAST(column_name AS TEXT) AS name, \
                     CAST(CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS BIGINT) AS not_null, \
                     CAST(0 AS BIGINT) AS is_pk \
                     FROM information_schema.columns WHERE table_schema = 'public' \
                     AND table_name = $1 ORDER BY column_name",
                ),
            }
            .bind(&t)
            .fetch_all(pool)
            .await?;
            let mut cols = Vec::new();
            for r in rows {
                let name: String = r.try_get("name")?;
                // SQLite reports an INTEGER PRIMARY KEY as nullable; it is not.
                let not_null =
                    r.try_get::<i64, _>("not_null")? == 1 || r.try_get::<i64, _>("is_pk")? > 0;
                cols.push((name, not_null));
            }
            out.push((t, cols));
        }
        Ok(out)
    }
}
