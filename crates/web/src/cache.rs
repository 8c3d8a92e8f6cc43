//! Read caches for the staff pages that aggregate the most rows: the desk's dashboard, the
//! partnership list and a partnership's page.
//!
//! An entry holds what the page read from the store (never rendered HTML: the page is still
//! rendered per request, for this viewer, with their language, CSRF token and permissions)
//! and is used only while all three of these hold:
//!
//! - the tenant's **data version** is the one it was read at. The version is the length of
//!   the tenant's audit chain, read in the same statement as the tenant itself, and for a
//!   signed-in GET of `/t/{code}/…` in the same statement as the session too
//!   (`Store::session_get_with_tenant`, from the `Ctx` extractor, kept for
//!   `auth::tenant_access`; a POST reads it with `Store::tenant_versioned`). So a cache hit
//!   costs ONE statement before the page is rendered — the session with the tenant and its
//!   version — and nothing else. Every change to a tenant's
//!   data appends to that chain inside its own transaction, so a change committed through any
//!   app server moves the version before its answer goes out, and every app server's next
//!   request sees the new version and reads afresh;
//! - it is the same **day in Japan** (dormancy, "ending soon" and overdue figures are counted
//!   against today);
//! - it is at most [`MAX_AGE_SECS`] old by the store's clock (ages counted in days from a
//!   timestamp move during the day; this bounds how late such a figure can be).
//!
//! The caches are per process and bounded ([`CAPACITY`] entries each; when full, entries of
//! other versions go first, then everything). Nothing is shared between app servers but the
//! version, which lives in the database.

use chrono::{DateTime, NaiveDate, Utc};
use renkei_domain::time::jst_date;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// The most seconds an entry is used for (by the store's clock).
pub const MAX_AGE_SECS: i64 = 60;
/// The most entries one cache holds.
pub const CAPACITY: usize = 4096;

/// When a read happens: the tenant's data version and the store's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub version: i64,
    pub now: DateTime<Utc>,
}

impl Stamp {
    fn day(&self) -> NaiveDate {
        jst_date(self.now)
    }
}

struct Entry<V> {
    version: i64,
    day: NaiveDate,
    read_at: DateTime<Utc>,
    value: Arc<V>,
}

impl<V> Entry<V> {
    fn fresh_for(&self, stamp: &Stamp) -> bool {
        self.version == stamp.version
            && self.day == stamp.day()
            && stamp.now >= self.read_at
            && (stamp.now - self.read_at).num_seconds() < MAX_AGE_SECS
    }
}

/// One page's cache: key → what was read, with the stamp it was read at.
pub struct VersionCache<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
    /// Off (`WebConfig::read_cache`): every read loads.
    enabled: bool,
}

impl<K: Hash + Eq + Clone, V> Default for VersionCache<K, V> {
    fn default() -> Self {
        Self::new(true)
    }
}

impl<K: Hash + Eq + Clone, V> VersionCache<K, V> {
    pub fn new(enabled: bool) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            enabled,
        }
    }

    /// The value for `key` read at `stamp`'s version, day and within [`MAX_AGE_SECS`];
    /// otherwise `load` runs and its answer is kept (an error is passed on and not kept).
    /// Two requests missing at once both load; the later one's answer stays.
    pub async fn get_or_load<E, F, Fut>(&self, key: K, stamp: Stamp, load: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if !self.enabled {
            return Ok(Arc::new(load().await?));
        }
        if let Some(v) = self.lookup(&key, &stamp) {
            return Ok(v);
        }
        let value = Arc::new(load().await?);
        self.keep(key, stamp, value.clone());
        Ok(value)
    }

    fn lookup(&self, key: &K, stamp: &Stamp) -> Option<Arc<V>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|e| e.fresh_for(stamp))
            .map(|e| e.value.clone())
    }

    fn keep(&self, key: K, stamp: Stamp, value: Arc<V>) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= CAPACITY && !entries.contains_key(&key) {
            entries.retain(|_, e| e.fresh_for(&stamp));
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                version: stamp.version,
                day: stamp.day(),
                read_at: stamp.now,
                value,
            },
        );
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::cell::Cell;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        // 2026-12-01 in UTC; 15:00 UTC is midnight in Japan.
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, s).unwrap()
    }

    async fn read(cache: &VersionCache<&'static str, u32>, stamp: Stamp, loads: &Cell<u32>) -> u32 {
        let v: Result<Arc<u32>, ()> = cache
            .get_or_load("k", stamp, || async {
                loads.set(loads.get() + 1);
                Ok(loads.get())
            })
            .await;
        *v.unwrap()
    }

    #[tokio::test]
    async fn an_entry_lasts_while_the_version_the_day_and_the_minute_hold() {
        let cache = VersionCache::default();
        let loads = Cell::new(0);
        let s = |version, now| Stamp { version, now };
        assert_eq!(read(&cache, s(7, at(1, 0, 0)), &loads).await, 1);
        // Same version, 59 s later: kept.
        assert_eq!(read(&cache, s(7, at(1, 0, 59)), &loads).await, 1);
        // A change somewhere in the tenant: read again.
        assert_eq!(read(&cache, s(8, at(1, 0, 59)), &loads).await, 2);
        // 60 s after that read: read again.
        assert_eq!(read(&cache, s(8, at(1, 1, 59)), &loads).await, 3);
        // Midnight in Japan (15:00 UTC) within the minute: a new day, read again.
        assert_eq!(read(&cache, s(8, at(14, 59, 50)), &loads).await, 4);
        assert_eq!(read(&cache, s(8, at(15, 0, 5)), &loads).await, 5);
        // A clock that went back is not trusted either.
        assert_eq!(read(&cache, s(8, at(14, 0, 0)), &loads).await, 6);
    }

    #[tokio::test]
    async fn turned_off_it_reads_every_time() {
        let cache = VersionCache::new(false);
        let loads = Cell::new(0);
        let stamp = Stamp {
            version: 7,
            now: at(1, 0, 0),
        };
        assert_eq!(read(&cache, stamp, &loads).await, 1);
        assert_eq!(read(&cache, stamp, &loads).await, 2);
    }

    #[tokio::test]
    async fn an_error_is_not_kept() {
        let cache: VersionCache<&'static str, u32> = VersionCache::default();
        let stamp = Stamp {
            version: 1,
            now: at(1, 0, 0),
        };
        let e: Result<Arc<u32>, &str> = cache
            .get_or_load("k", stamp, || async { Err("down") })
            .await;
        assert_eq!(e.unwrap_err(), "down");
        let ok: Result<Arc<u32>, &str> = cache.get_or_load("k", stamp, || async { Ok(3) }).await;
        assert_eq!(*ok.unwrap(), 3);
    }

    #[tokio::test]
    async fn it_stays_bounded() {
        let cache: VersionCache<usize, usize> = VersionCache::default();
        let stamp = Stamp {
            version: 1,
            now: at(1, 0, 0),
        };
        for k in 0..CAPACITY + 10 {
            let _: Result<Arc<usize>, ()> =
                cache.get_or_load(k, stamp, || async move { Ok(k) }).await;
            assert!(cache.len() <= CAPACITY);
        }
        // The newest key is kept after the cache was full.
        let hit: Result<Arc<usize>, ()> = cache
            .get_or_load(CAPACITY + 9, stamp, || async { Ok(0) })
            .await;
        assert_eq!(*hit.unwrap(), CAPACITY + 9);
    }
}
