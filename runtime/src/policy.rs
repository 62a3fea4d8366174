//! Restart policy, exponential backoff with full jitter, and restart intensity.
//!
//! Owns `RestartPolicy`, `Backoff`, `Intensity` and `RestartHistory` (the sliding window that
//! decides when restarts must escalate). Pure values: the caller passes the time and the random
//! source in, so every rule is testable without a clock.
//!
//! Never: sleeps, spawns, or reads a clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// When a supervisor restarts a child that exited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RestartPolicy {
    /// Always restarted, whatever the exit (except a stop its supervisor asked for: shutdown or
    /// passivation).
    Permanent,
    /// Restarted only after an abnormal exit: a failure (error or panic) or a kill.
    Transient,
    /// Never restarted. A temporary keyed actor is simply forgotten; its next message activates
    /// a fresh one.
    Temporary,
}

/// How an actor exited, as its supervisor classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitKind {
    /// The actor stopped itself normally.
    Normal,
    /// The actor failed (returned an error or panicked) or was killed.
    Abnormal,
}

impl RestartPolicy {
    /// Whether a child under this policy is restarted after an exit of `kind`.
    pub fn restarts_after(self, kind: ExitKind) -> bool {
        match (self, kind) {
            (Self::Permanent, _) => true,
            (Self::Transient, ExitKind::Abnormal) => true,
            (Self::Transient, ExitKind::Normal) => false,
            (Self::Temporary, _) => false,
        }
    }
}

/// Exponential backoff (x2 per attempt) with full jitter between restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Upper bound of the first delay.
    pub initial_ms: u64,
    /// Upper bound of any delay.
    pub max_ms: u64,
}

impl Backoff {
    /// The delay before restart number `attempt` (1 for the first restart in the window):
    /// uniform in `[0, min(max_ms, initial_ms * 2^(attempt-1))]`, drawn with `random_unit` in
    /// `[0, 1)` ("full jitter": restarts of many actors that failed together spread out).
    pub fn delay(&self, attempt: u32, random_unit: f64) -> Duration {
        let ceiling_ms = self.ceiling_ms(attempt);
        let unit = random_unit.clamp(0.0, 1.0);
        // Truncation is intended: the delay is at most the ceiling.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let delay_ms = (ceiling_ms as f64 * unit) as u64;
        debug_assert!(
            delay_ms <= ceiling_ms,
            "delay_ms={delay_ms} ceiling_ms={ceiling_ms}"
        );
        Duration::from_millis(delay_ms)
    }

    /// The upper bound of the delay before restart number `attempt`.
    pub fn ceiling_ms(&self, attempt: u32) -> u64 {
        let shift = attempt.saturating_sub(1).min(63);
        let grown = self.initial_ms.saturating_mul(1u64 << shift);
        grown.min(self.max_ms)
    }
}

/// Restart intensity: at most `max_restarts` restarts within `period_ms`; one more escalates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Intensity {
    /// Restarts allowed within the period.
    pub max_restarts: u32,
    /// Length of the sliding window.
    pub period_ms: u64,
}

/// What a supervisor should do after recording a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartVerdict {
    /// Restart; this is restart number `attempt` within the current window (1-based).
    Restart {
        /// 1-based count of restarts in the window, including this one.
        attempt: u32,
    },
    /// The intensity is exceeded: escalate instead of restarting.
    Escalate,
}

/// The restarts of one child (or one supervisor) within the intensity window.
///
/// Holds at most `max_restarts + 1` instants, so its size is bounded.
#[derive(Debug, Clone, Default)]
pub struct RestartHistory {
    restarts: VecDeque<Instant>,
}

impl RestartHistory {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a restart at `now` and decides whether it may happen.
    pub fn record(&mut self, intensity: Intensity, now: Instant) -> RestartVerdict {
        let period = Duration::from_millis(intensity.period_ms);
        while let Some(oldest) = self.restarts.front() {
            if now.saturating_duration_since(*oldest) > period {
                self.restarts.pop_front();
            } else {
                break;
            }
        }
        self.restarts.push_back(now);
        let bound = usize::try_from(intensity.max_restarts).unwrap_or(usize::MAX);
        if self.restarts.len() > bound {
            // Keep the window bounded: the oldest entries can no longer change a verdict.
            while self.restarts.len() > bound.saturating_add(1) {
                self.restarts.pop_front();
            }
            return RestartVerdict::Escalate;
        }
        let attempt = u32::try_from(self.restarts.len()).unwrap_or(u32::MAX);
        RestartVerdict::Restart { attempt }
    }

    /// Restarts currently inside the window.
    pub fn len(&self) -> usize {
        self.restarts.len()
    }

    /// Whether no restart is inside the window.
    pub fn is_empty(&self) -> bool {
        self.restarts.is_empty()
    }
}

#[cfg(test)]
mod tests;
