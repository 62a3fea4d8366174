//! The one clock actors read: acceptance times of receipts, checkpoint and credential times.
//!
//! Owns [`Clock`] and [`SystemClock`]. Tests hand actors a clock they control.
//!
//! Never: read by `msez-protocol` (time is an argument there), or read twice for one decision.

use msez_protocol::time::{Timestamp, TimestampError};

/// A source of the current time, whole seconds (the SPEC's time resolution).
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The last second a `Timestamp` represents (9999-12-31T23:59:59Z).
const TIMESTAMP_UNIX_SECONDS_MAX: i64 = 253_402_300_799;

/// The system clock.
#[derive(Debug, Clone, Copy)]
pub struct SystemClock {
    /// The time at construction: answered if the system clock ever reads outside the range a
    /// `Timestamp` represents (before 1970 after a bad clock step), so `now` never fails.
    started_at: Timestamp,
}

impl SystemClock {
    /// Reads the system clock once to check it is usable.
    pub fn new() -> Result<Self, TimestampError> {
        Ok(Self {
            started_at: Timestamp::from_unix_seconds(system_unix_seconds())?,
        })
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(system_unix_seconds()).unwrap_or(self.started_at)
    }
}

fn system_unix_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(TIMESTAMP_UNIX_SECONDS_MAX)
        })
        .min(TIMESTAMP_UNIX_SECONDS_MAX)
}
