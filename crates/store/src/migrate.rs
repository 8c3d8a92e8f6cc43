//! A small migrator over embedded SQL files (one set per backend, see [`crate::backend`]).
//! Each migration runs in its own transaction and is recorded with a checksum; an applied
//! migration whose file changed is an error (never edit an applied migration).

use crate::{Result, Store, StoreError};
use sha2::{Digest, Sha256};
use sqlx::{Acquire, Row};

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS renkei_migrations (\
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

/// Applies pending migrations; returns how many were applied.
pub async fn run(store: &Store) -> Result<usize> {
    run_until(store, i64::MAX).await
}

/// Applies pending migrations up to and including `version` (a test of a data migration
/// writes rows as an older version left them, then runs the rest).
pub async fn run_until(store: &Store, version: i64) -> Result<usize> {
    let backend = store.backend();
    let mut conn = store.pool().acquire().await?;
    backend.lock_migrations(&mut conn, true).await?;
    let result = apply(store, &mut conn, version).await;
    backend.lock_migrations(&mut conn, false).await?;
    result
}

async fn apply(
    store: &Store,
    conn: &mut sqlx::pool::PoolConnection<sqlx::Any>,
    until: i64,
) -> Result<usize> {
    let _gate = match &store.write_gate {
        Some(m) => Some(m.lock().await),
        None => None,
    };
    sqlx::query(CREATE_TABLE).execute(&mut **conn).await?;
    let applied: Vec<(i64, String)> =
        sqlx::query("SELECT version, checksum FROM renkei_migrations ORDER BY version")
            .fetch_all(&mut **conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("version")?, r.try_get("checksum")?)))
            .collect::<Result<_, sqlx::Error>>()?;
    let mut count = 0;
    for (version, name, sql) in store.backend().migrations() {
        if *version > until {
            break;
        }
        let checksum = hex::encode(Sha256::digest(sql.as_bytes()));
        if let Some((_, existing)) = applied.iter().find(|(v, _)| v == version) {
            if *existing != checksum {
                return Err(StoreError::Internal(format!(
                    "migration {version} ({name}) was changed after it was applied"
                )));
            }
            continue;
        }
        let mut tx = conn.begin().await?;
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        if *version == crate::search::INDEX_MIGRATION {
            let n = crate::search::backfill(&mut tx, store.backend()).await?;
            tracing::info!(proposals = n, "indexed proposals for search");
        }
        if *version == crate::search::KANA_MIGRATION {
            let changed = crate::search::refold(&mut tx).await?;
            let n = crate::search::backfill(&mut tx, store.backend()).await?;
            tracing::info!(
                refolded = changed,
                proposals = n,
                "refolded and reindexed proposals for search"
            );
        }
        // The case index is filled once the rows have every column the indexer writes: at
        // the last migration that gave them one. A database that had its cases indexed already
        // (at 26–30) had the new column filled by the migration's own statement.
        if *version == crate::cases::CASES_COLUMNS_MIGRATION
            && sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM public_cases")
                .fetch_one(&mut *tx)
                .await?
                == 0
        {
            let n =
                crate::cases::index::backfill(&mut tx, store.backend(), &store.now_ts()).await?;
            tracing::info!(cases = n, "indexed published partnerships as cases");
        }
        if *version == crate::open_calls::search::CALLS_MIGRATION {
            let n = crate::open_calls::search::backfill(&mut tx, store.backend(), &store.now_ts())
                .await?;
            tracing::info!(calls = n, "indexed published open calls for search");
        }
        if *version == crate::proposals::SORT_KEY_MIGRATION {
            let n = crate::proposals::fill_sort_keys(&mut tx).await?;
            tracing::info!(partners = n, "gave partners their sort keys");
        }
        sqlx::query(
            "INSERT INTO renkei_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(version)
        .bind(*name)
        .bind(&checksum)
        .bind(store.now_ts())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(version, name, "applied migration");
        count += 1;
    }
    Ok(count)
}
