//! The one retry rule of the Mass client: when a failed attempt may be repeated, and how long to
//! wait first.
//!
//! Owns [`RetryPolicy`], [`RetrySafety`] and the pure decision functions [`retry_delay`] and
//! [`backoff_delay`]. The transport loop calls them; nothing else retries.
//!
//! Never: retries a request that is neither idempotent nor carries an idempotency key (a
//! repeated payment is worse than a failed one); sleeps longer than [`RETRY_AFTER_MAX`].

use std::time::Duration;

/// Upper bound on [`RetryPolicy::attempts_max`]. Ten attempts with a doubling backoff already
/// span minutes; more only hides an outage from the circuit breaker and the caller.
pub const RETRY_ATTEMPTS_MAX_LIMIT: u32 = 10;

/// The longest `Retry-After` the client honours. Beyond 60 s the caller is better served by an
/// immediate error than by a request parked for minutes.
pub const RETRY_AFTER_MAX: Duration = Duration::from_secs(60);

/// How a service client retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts including the first, `1..=`[`RETRY_ATTEMPTS_MAX_LIMIT`]. 1 disables retries.
    pub attempts_max: u32,
    /// Backoff before the second attempt; it doubles per attempt up to `backoff_max`.
    pub backoff_initial: Duration,
    /// Ceiling of the exponential backoff.
    pub backoff_max: Duration,
}

/// Whether a request may be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrySafety {
    /// A read, a PUT/DELETE, or a write carrying an idempotency key.
    Safe,
    /// A write without an idempotency key: sent exactly once.
    Unsafe,
}

/// What one attempt produced, as far as the retry rule cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// No response arrived (connect, TLS, timeout, reset).
    TransportFailure,
    /// A response with this status and, for 429/503, the parsed `Retry-After` seconds.
    Status {
        /// The HTTP status.
        status: u16,
        /// `Retry-After` in seconds, if the header was present and numeric.
        retry_after_secs: Option<u64>,
    },
}

impl RetryPolicy {
    /// Checks the policy's bounds.
    pub fn validate(&self) -> Result<(), crate::error::MassError> {
        if self.attempts_max == 0 || self.attempts_max > RETRY_ATTEMPTS_MAX_LIMIT {
            return Err(crate::error::MassError::Config {
                field: "retry.attempts_max",
                reason: "must be between 1 and 10",
            });
        }
        if self.backoff_initial > self.backoff_max {
            return Err(crate::error::MassError::Config {
                field: "retry.backoff_initial",
                reason: "exceeds retry.backoff_max",
            });
        }
        Ok(())
    }
}

/// Whether an outcome is worth another attempt at all: transport failures, 429, 502, 503, 504.
pub fn is_retryable(outcome: AttemptOutcome) -> bool {
    match outcome {
        AttemptOutcome::TransportFailure => true,
        AttemptOutcome::Status { status, .. } => matches!(status, 429 | 502 | 503 | 504),
    }
}

/// The wait before attempt `attempt_index + 1` (0-based index of the attempt that just failed),
/// or `None` when the request must not be retried. `jitter_unit` is a uniform sample in
/// `[0, 1)`, passed in so this function stays pure and testable.
pub fn retry_delay(
    policy: &RetryPolicy,
    safety: RetrySafety,
    attempt_index: u32,
    outcome: AttemptOutcome,
    jitter_unit: f64,
) -> Option<Duration> {
    if safety == RetrySafety::Unsafe || !is_retryable(outcome) {
        return None;
    }
    if attempt_index.saturating_add(1) >= policy.attempts_max {
        return None;
    }
    if let AttemptOutcome::Status {
        retry_after_secs: Some(secs),
        ..
    } = outcome
    {
        let wait = Duration::from_secs(secs);
        // A server asking for a longer pause than we are willing to hold a request gets an
        // immediate error instead.
        return (wait <= RETRY_AFTER_MAX).then_some(wait);
    }
    Some(backoff_delay(policy, attempt_index, jitter_unit))
}

/// Exponential backoff with "equal jitter": half of `min(max, initial * 2^attempt_index)` is
/// fixed and the other half is scaled by `jitter_unit` in `[0, 1)`. The fixed half keeps retries
/// spaced; the random half keeps a fleet of clients from retrying in lockstep.
pub fn backoff_delay(policy: &RetryPolicy, attempt_index: u32, jitter_unit: f64) -> Duration {
    let factor = 2u32.saturating_pow(attempt_index.min(31));
    let exponential = policy
        .backoff_initial
        .saturating_mul(factor)
        .min(policy.backoff_max);
    let half = exponential / 2;
    let jitter = half.mul_f64(jitter_unit.clamp(0.0, 1.0));
    half + jitter
}

#[cfg(test)]
mod tests;
