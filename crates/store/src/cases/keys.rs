//! The case search's keys, held in memory by each app server and kept exactly current.
//!
//! A national search for a common word matches most cases (防災: 37,770 of 60,387 in the
//! national data set), and its facet counts need every match's prefecture, local government,
//! fields, partner types, form and year. Reading those from the database costs 0.15–0.6 s
//! however it is written (a `GROUP BY` over the facet rows, one pass over the case rows, even a
//! covering index aggregated into one string), so each server keeps them here: per case its
//! ordering key and its facet values, interned (a few MB at national scale). The database
//! then only answers which cases hold the words (one row: the ids joined), and the total, the
//! counts, the filters and the page are computed here.
//!
//! **Kept exact on every app server.** Every transaction that changes a case's rows bumps
//! `public_case_revision` (one row, so such transactions commit in the order of their
//! revisions: PostgreSQL makes the second wait for the first's commit, SQLite has one writer)
//! and logs `(revision, partnership_id)` in `public_case_changes`, just before it commits.
//! A search first reads the revision (one statement); when it moved, the server reads the
//! changes after its own revision with each case's current row and applies them, or — when
//! the log no longer reaches back that far (it keeps [`LOG_KEPT`] entries; a rebuild empties
//! it) — reads every case again. So a search sees every change committed before it began, on
//! any number of app servers.

use super::FACETS;
use crate::{Result, StoreError};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// How many change entries the log keeps (older ones are deleted as new ones come).
pub(crate) const LOG_KEPT: i64 = 20_000;

/// One case: its ordering key (`sort_on` as YYYYMMDD) and its facet values (interned).
#[derive(Debug, Clone)]
struct Key {
    sort: u32,
    values: Box<[u32]>,
}

/// Every case's key as of `revision`.
#[derive(Debug, Default)]
struct Snapshot {
    loaded: bool,
    revision: i64,
    keys: HashMap<i64, Key>,
    /// Interned facet values: `(facet's place in FACETS, value)` by number, and back.
    values: Vec<(usize, String)>,
    numbers: HashMap<(usize, String), u32>,
}

impl Snapshot {
    fn intern(&mut self, facet: usize, value: &str) -> u32 {
        if let Some(n) = self.numbers.get(&(facet, value.to_string())) {
            return *n;
        }
        let n = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        self.values.push((facet, value.to_string()));
        self.numbers.insert((facet, value.to_string()), n);
        n
    }

    fn key_from_row(&mut self, r: &sqlx::any::AnyRow) -> Result<Key> {
        let sort_on: String = r.try_get("sort_on")?;
        let sort = sort_on
            .get(..10)
            .map(|d| d.replace('-', ""))
            .and_then(|d| d.parse::<u32>().ok())
            .ok_or_else(|| StoreError::Corrupt {
                table: "public_cases",
                column: "sort_on",
                value: sort_on.chars().take(40).collect(),
            })?;
        let year: i64 = r.try_get("year")?;
        let mut values = Vec::with_capacity(8);
        for (facet, value) in [
            (
                super::PREFECTURE,
                r.try_get::<String, _>("prefecture_code")?,
            ),
            (super::TENANT, r.try_get::<String, _>("tenant_code")?),
            (super::FORM, r.try_get::<String, _>("form")?),
            (super::YEAR, year.to_string()),
        ] {
            values.push(self.intern(facet, &value));
        }
        for (facet, column) in [
            (super::FIELD, "fields"),
            (super::PARTNER_TYPE, "partner_types"),
        ] {
            let list: String = r.try_get(column)?;
            for v in list.split(',').filter(|v| !v.is_empty()) {
                let n = self.intern(facet, v);
                if !values.contains(&n) {
                    values.push(n);
                }
            }
        }
        Ok(Key {
            sort,
            values: values.into_boxed_slice(),
        })
    }
}

/// What a search computed from the keys.
pub(crate) struct Counted {
    pub total: i64,
    /// The page's ids, newest first.
    pub ids: Vec<i64>,
    /// `(facet's place, value, count)` for every value with a count.
    pub counts: Vec<(usize, String, i64)>,
}

/// The keys of one app server (shared by every handle on the store).
#[derive(Default)]
pub(crate) struct CaseKeys {
    snapshot: std::sync::RwLock<Snapshot>,
    /// One refresh at a time; the others wait for it rather than read the same changes.
    refreshing: tokio::sync::Mutex<()>,
}

const KEY_COLUMNS: &str = "c.partnership_id, c.sort_on, c.prefecture_code, c.tenant_code, \
    c.form, c.year, c.fields, c.partner_types";

fn poisoned() -> StoreError {
    StoreError::Internal("the case keys' lock was poisoned".into())
}

impl CaseKeys {
    fn revision(&self) -> Result<Option<i64>> {
        let s = self.snapshot.read().map_err(|_| poisoned())?;
        Ok(s.loaded.then_some(s.revision))
    }

    /// Brings the keys up to the database's revision (see the module's documentation).
    pub(crate) async fn refresh(&self, pool: &sqlx::AnyPool) -> Result<()> {
        let head: i64 = sqlx::query("SELECT revision FROM public_case_revision WHERE id = 1")
            .fetch_one(pool)
            .await?
            .try_get("revision")?;
        if self.revision()? == Some(head) {
            return Ok(());
        }
        let _one = self.refreshing.lock().await;
        let Some(mine) = self.revision()? else {
            return self.load(pool).await;
        };
        if mine >= head {
            return Ok(());
        }
        let rows = sqlx::query(&format!(
            "SELECT ch.revision, ch.partnership_id AS changed, {KEY_COLUMNS} \
             FROM public_case_changes ch \
             LEFT JOIN public_cases c ON c.partnership_id = ch.partnership_id \
             WHERE ch.revision > $1 ORDER BY ch.revision"
        ))
        .bind(mine)
        .fetch_all(pool)
        .await?;
        let first: Option<i64> = rows.first().map(|r| r.try_get("revision")).transpose()?;
        if first != Some(mine + 1) {
            // The log no longer reaches back to this server's revision (or was emptied by a
            // rebuild): read everything.
            return self.load(pool).await;
        }
        let mut s = self.snapshot.write().map_err(|_| poisoned())?;
        for r in &rows {
            let id: i64 = r.try_get("changed")?;
            let present: Option<i64> = r.try_get("partnership_id")?;
            if present.is_some() {
                let key = s.key_from_row(r)?;
                s.keys.insert(id, key);
            } else {
                s.keys.remove(&id);
            }
            s.revision = r.try_get("revision")?;
        }
        Ok(())
    }

    /// Reads every case's key and the revision they are at, in one statement.
    async fn load(&self, pool: &sqlx::AnyPool) -> Result<()> {
        use futures_util::TryStreamExt;
        // The revision is read in the same statement as the rows (one view of the data). An
        // empty index has no row to carry it: then the one read before stands, and a change
        // committed in between is read at the next refresh.
        let before: i64 = sqlx::query("SELECT revision FROM public_case_revision WHERE id = 1")
            .fetch_one(pool)
            .await?
            .try_get("revision")?;
        let mut fresh = Snapshot {
            loaded: true,
            revision: before,
            ..Snapshot::default()
        };
        let sql = format!(
            "SELECT (SELECT revision FROM public_case_revision WHERE id = 1) AS head, \
             {KEY_COLUMNS} FROM public_cases c"
        );
        let mut rows = sqlx::query(&sql).fetch(pool);
        while let Some(r) = rows.try_next().await? {
            fresh.revision = r.try_get("head")?;
            let id: i64 = r.try_get("partnership_id")?;
            let key = fresh.key_from_row(&r)?;
            fresh.keys.insert(id, key);
        }
        drop(rows);
        *self.snapshot.write().map_err(|_| poisoned())? = fresh;
        Ok(())
    }

    /// The total, the page and the facet counts of the cases among `matching` (all when
    /// `None`) that have every filter's value.
    pub(crate) fn count(
        &self,
        matching: Option<&HashSet<i64>>,
        filters: &[(String, String)],
        page: i64,
        per_page: i64,
    ) -> Result<Counted> {
        let s = self.snapshot.read().map_err(|_| poisoned())?;
        let mut wanted = Vec::with_capacity(filters.len());
        for (facet, value) in filters {
            let place = FACETS.iter().position(|f| f == facet);
            match place.and_then(|p| s.numbers.get(&(p, value.clone()))) {
                Some(n) => wanted.push(*n),
                None => {
                    return Ok(Counted {
                        total: 0,
                        ids: Vec::new(),
                        counts: Vec::new(),
                    });
                }
            }
        }
        let mut counts = vec![0i64; s.values.len()];
        let mut order: Vec<(u32, i64)> = Vec::new();
        let mut take = |id: i64, key: &Key| {
            if wanted.iter().all(|w| key.values.contains(w)) {
                order.push((key.sort, id));
                for v in key.values.iter() {
                    counts[*v as usize] += 1;
                }
            }
        };
        match matching {
            Some(ids) => {
                for id in ids {
                    if let Some(key) = s.keys.get(id) {
                        take(*id, key);
                    }
                }
            }
            None => {
                for (id, key) in &s.keys {
                    take(*id, key);
                }
            }
        }
        let total = order.len() as i64;
        let from = usize::try_from(page.saturating_mul(per_page)).unwrap_or(usize::MAX);
        let per = usize::try_from(per_page).unwrap_or(0);
        let ids = if from < order.len() {
            let want = from.saturating_add(per).min(order.len());
            // Only the pages up to this one need sorting.
            if want < order.len() {
                order.select_nth_unstable_by(want, |a, b| b.cmp(a));
            }
            order[..want].sort_unstable_by(|a, b| b.cmp(a));
            order[from..want].iter().map(|(_, id)| *id).collect()
        } else {
            Vec::new()
        };
        let counts = counts
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(i, n)| {
                let (facet, value) = &s.values[i];
                (*facet, value.clone(), n)
            })
            .collect();
        Ok(Counted { total, ids, counts })
    }
}

/// Logs the cases a transaction changed, as its last statements before it commits: the
/// revision row is bumped once per case (so the transaction holds its lock only from here to
/// its commit) and each change is logged with its revision; entries beyond [`LOG_KEPT`] go.
pub(crate) async fn record_changes(conn: &mut sqlx::AnyConnection, ids: &[i64]) -> Result<()> {
    for id in ids {
        sqlx::query("UPDATE public_case_revision SET revision = revision + 1 WHERE id = 1")
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO public_case_changes (revision, partnership_id) \
             SELECT revision, $1 FROM public_case_revision WHERE id = 1",
        )
        .bind(*id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "DELETE FROM public_case_changes WHERE revision <= \
         (SELECT revision FROM public_case_revision WHERE id = 1) - $1",
    )
    .bind(LOG_KEPT)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// After the whole index was rebuilt: a new revision and an empty log, so every server reads
/// every case again.
pub(crate) async fn record_rebuild(conn: &mut sqlx::AnyConnection) -> Result<()> {
    sqlx::query("UPDATE public_case_revision SET revision = revision + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM public_case_changes")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
