//! The zone's one clock, handed to every actor that needs the time.
//!
//! Owns [`Clock`], [`SystemClock`] and [`ManualClock`] (tests and drills set the time).
//!
//! Never: is read by `msez-protocol` (pure functions take the time as an argument); goes
//! backwards on its own ([`ManualClock`] moves only when told to).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use msez_protocol::time::{Timestamp, TimestampError};

/// A source of the current time in Unix milliseconds.
pub trait Clock: Send + Sync + 'static {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    fn now_unix_ms(&self) -> u64;

    /// The current time as a protocol timestamp (whole seconds, rounded down); an error only
    /// for a clock outside years 0001-9999.
    fn now_timestamp(&self) -> Result<Timestamp, TimestampError> {
        let unix_seconds = i64::try_from(self.now_unix_ms() / 1000).unwrap_or(i64::MAX);
        Timestamp::from_unix_seconds(unix_seconds)
    }
}

/// The operating system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

/// A clock that moves only when told: tests and drills.
#[derive(Debug, Default)]
pub struct ManualClock {
    now_unix_ms: AtomicU64,
}

impl Clock for SystemClock {
    fn now_unix_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| {
                u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
            })
    }
}

impl ManualClock {
    /// A clock reading `now_unix_ms`.
    pub fn new(now_unix_ms: u64) -> ManualClock {
        ManualClock {
            now_unix_ms: AtomicU64::new(now_unix_ms),
        }
    }

    /// Moves the clock forward by `delta_ms`.
    pub fn advance_ms(&self, delta_ms: u64) {
        self.now_unix_ms.fetch_add(delta_ms, Ordering::AcqRel);
    }

    /// Sets the clock; refuses to move it backwards (returns the unchanged reading).
    pub fn set_unix_ms(&self, now_unix_ms: u64) -> u64 {
        self.now_unix_ms
            .fetch_max(now_unix_ms, Ordering::AcqRel)
            .max(now_unix_ms)
    }
}

impl Clock for ManualClock {
    fn now_unix_ms(&self) -> u64 {
        self.now_unix_ms.load(Ordering::Acquire)
    }
}
