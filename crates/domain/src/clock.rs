//! The one seam through which Renkei reads the time.
//!
//! The server, the store, the reminders, the mail worker and the demo all ask a [`Clock`];
//! nothing else calls `Utc::now()`. Production uses [`SystemClock`]; tests use a
//! [`ManualClock`] fixed at an instant they choose (and move on explicitly), so no test
//! depends on the day, the hour or the time zone it runs in. [`OffsetClock`] runs at real
//! speed from a chosen starting instant (`renkei serve --clock …`, for demonstrations and
//! browser tests on a fixed day).

use chrono::{DateTime, Duration, Utc};
use std::fmt;
use std::sync::Mutex;

/// Where the time comes from.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock. This is the only place that reads it.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Real time shifted so that it started at a chosen instant: time passes (sessions expire,
/// mail is retried), but the day is the one chosen.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset: Duration,
}

impl OffsetClock {
    /// A clock that reads `start` now and runs on from there.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self {
            offset: start - SystemClock.now(),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        SystemClock.now() + self.offset
    }
}

/// A clock that stands still until it is moved. Each reading advances it by `tick`
/// (one millisecond by default), so rows written one after another keep their order, as
/// they would with a real clock; `tick` zero freezes it completely.
#[derive(Debug)]
pub struct ManualClock {
    state: Mutex<(DateTime<Utc>, Duration)>,
}

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self::with_tick(at, Duration::milliseconds(1))
    }

    pub fn with_tick(at: DateTime<Utc>, tick: Duration) -> Self {
        Self {
            state: Mutex::new((at, tick)),
        }
    }

    /// Moves the clock to `at` (backwards too: the demo replays its story this way).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut s) = self.state.lock() {
            s.0 = at;
        }
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut s) = self.state.lock() {
            s.0 += by;
        }
    }

    /// The current reading without advancing.
    pub fn peek(&self) -> DateTime<Utc> {
        self.state
            .lock()
            .map(|s| s.0)
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        match self.state.lock() {
            Ok(mut s) => {
                let now = s.0;
                s.0 = now + s.1;
                now
            }
            Err(poisoned) => poisoned.into_inner().0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    #[test]
    fn manual_clock_ticks_and_moves() {
        let c = ManualClock::new(t(1));
        assert_eq!(c.now(), t(1));
        assert_eq!(c.now(), t(1) + Duration::milliseconds(1));
        c.set(t(3));
        assert_eq!(c.peek(), t(3));
        c.advance(Duration::hours(1));
        assert_eq!(c.now(), t(4));
        let frozen = ManualClock::with_tick(t(5), Duration::zero());
        assert_eq!(frozen.now(), frozen.now());
    }

    #[test]
    fn offset_clock_starts_where_asked() {
        let c = OffsetClock::starting_at(t(2));
        let d = c.now() - t(2);
        assert!(d >= Duration::zero() && d < Duration::seconds(5), "{d}");
    }
}
