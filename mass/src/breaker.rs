//! A circuit breaker per Mass service: stop calling a dependency that keeps failing, probe it
//! once after a cool-down, and close again when the probe succeeds.
//!
//! Owns [`CircuitBreaker`], [`BreakerConfig`] and [`BreakerState`] (what the readiness probe
//! reports).
//!
//! Never: counts a 4xx as a failure (that is the caller's mistake, not Mass being down); lets
//! more than one probe through while half-open.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Upper bound on [`BreakerConfig::failures_consecutive_max`]. Past 100 consecutive failures a
/// breaker that has not opened is not protecting anything.
pub const BREAKER_FAILURES_MAX_LIMIT: u32 = 100;

/// When a breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker, `1..=`[`BREAKER_FAILURES_MAX_LIMIT`].
    pub failures_consecutive_max: u32,
    /// How long the breaker stays open before letting one probe through.
    pub open_duration: Duration,
}

/// The state a readiness probe reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls flow.
    Closed,
    /// Calls fail fast with [`crate::error::MassError::CircuitOpen`].
    Open,
    /// The cool-down has passed; one probe call is allowed to decide.
    HalfOpen,
}

/// One service's breaker. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    /// A std mutex: the critical sections are a few comparisons and never await.
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    state: BreakerState,
    failures_consecutive: u32,
    opened_at: Option<Instant>,
    /// When the current half-open probe was admitted. A probe whose caller was cancelled never
    /// reports back, so a probe older than `open_duration` no longer blocks the next one.
    probe_started_at: Option<Instant>,
}

/// Permission to make one call; report its outcome with [`CircuitBreaker::record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// A normal call while closed.
    Call,
    /// The single half-open probe.
    Probe,
}

impl BreakerConfig {
    /// Checks the bounds.
    pub fn validate(&self) -> Result<(), crate::error::MassError> {
        let count = self.failures_consecutive_max;
        if count == 0 || count > BREAKER_FAILURES_MAX_LIMIT {
            return Err(crate::error::MassError::Config {
                field: "breaker.failures_consecutive_max",
                reason: "must be between 1 and 100",
            });
        }
        Ok(())
    }
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> CircuitBreaker {
        let inner = Inner {
            state: BreakerState::Closed,
            failures_consecutive: 0,
            opened_at: None,
            probe_started_at: None,
        };
        CircuitBreaker {
            config,
            inner: Mutex::new(inner),
        }
    }

    /// The current state, moving Open to HalfOpen once the cool-down has passed.
    pub fn state(&self) -> BreakerState {
        let mut inner = self.lock();
        self.cool_down(&mut inner);
        inner.state
    }

    /// Asks to make a call: `None` means fail fast.
    pub fn admit(&self) -> Option<Admission> {
        let mut inner = self.lock();
        self.cool_down(&mut inner);
        match inner.state {
            BreakerState::Closed => Some(Admission::Call),
            BreakerState::Open => None,
            BreakerState::HalfOpen => {
                let open_duration = self.config.open_duration;
                let blocked = inner
                    .probe_started_at
                    .is_some_and(|started_at| started_at.elapsed() < open_duration);
                if blocked {
                    return None;
                }
                inner.probe_started_at = Some(Instant::now());
                Some(Admission::Probe)
            }
        }
    }

    /// Reports the outcome of an admitted call: `healthy` is false for transport failures and
    /// 5xx answers.
    pub fn record(&self, admission: Admission, health: CallHealth) {
        let mut inner = self.lock();
        if admission == Admission::Probe {
            inner.probe_started_at = None;
        }
        match health {
            CallHealth::Healthy => {
                inner.state = BreakerState::Closed;
                inner.failures_consecutive = 0;
                inner.opened_at = None;
            }
            CallHealth::Failed => {
                inner.failures_consecutive = inner.failures_consecutive.saturating_add(1);
                let tripped = inner.failures_consecutive >= self.config.failures_consecutive_max;
                if inner.state == BreakerState::HalfOpen || tripped {
                    inner.state = BreakerState::Open;
                    inner.opened_at = Some(Instant::now());
                }
            }
        }
    }

    fn cool_down(&self, inner: &mut Inner) {
        if inner.state != BreakerState::Open {
            return;
        }
        let cooled = inner
            .opened_at
            .is_none_or(|opened_at| opened_at.elapsed() >= self.config.open_duration);
        if cooled {
            inner.state = BreakerState::HalfOpen;
            inner.probe_started_at = None;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A poisoned lock only means another thread panicked mid-update of three plain fields;
        // the values are still meaningful, so keep using them.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Whether an admitted call says the service is healthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallHealth {
    /// Any response below 500.
    Healthy,
    /// A transport failure or a 5xx response.
    Failed,
}

#[cfg(test)]
mod tests;
