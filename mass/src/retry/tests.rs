//! Goal: the retry rule retries exactly the safe, retryable cases within the limit. Method: table
//! of (safety, attempt, outcome) → expected delay through one `check`.

use std::time::Duration;

use super::*;

const POLICY: RetryPolicy = RetryPolicy {
    attempts_max: 3,
    backoff_initial: Duration::from_millis(100),
    backoff_max: Duration::from_millis(300),
};

fn status(status: u16, retry_after_secs: Option<u64>) -> AttemptOutcome {
    AttemptOutcome::Status {
        status,
        retry_after_secs,
    }
}

#[track_caller]
fn check(
    safety: RetrySafety,
    attempt_index: u32,
    outcome: AttemptOutcome,
    expected: Option<Duration>,
) {
    assert_eq!(
        retry_delay(&POLICY, safety, attempt_index, outcome, 0.0),
        expected
    );
}

#[test]
fn retry_delay_follows_the_table() {
    use RetrySafety::{Safe, Unsafe};
    check(
        Safe,
        0,
        AttemptOutcome::TransportFailure,
        Some(Duration::from_millis(50)),
    );
    check(Safe, 1, status(503, None), Some(Duration::from_millis(100)));
    check(Safe, 2, status(503, None), None);
    check(Unsafe, 0, status(503, None), None);
    check(Unsafe, 0, AttemptOutcome::TransportFailure, None);
    check(Safe, 0, status(500, None), None);
    check(Safe, 0, status(404, None), None);
    check(Safe, 0, status(200, None), None);
    check(Safe, 0, status(429, Some(2)), Some(Duration::from_secs(2)));
    check(Safe, 0, status(502, None), Some(Duration::from_millis(50)));
    check(Safe, 0, status(504, None), Some(Duration::from_millis(50)));
}

#[test]
fn retry_after_is_honoured_at_the_cap_and_refused_above_it() {
    let cap_secs = RETRY_AFTER_MAX.as_secs();
    check(
        RetrySafety::Safe,
        0,
        status(429, Some(cap_secs)),
        Some(RETRY_AFTER_MAX),
    );
    check(RetrySafety::Safe, 0, status(429, Some(cap_secs + 1)), None);
}

#[test]
fn backoff_doubles_to_the_ceiling_with_bounded_jitter() {
    assert_eq!(backoff_delay(&POLICY, 0, 0.0), Duration::from_millis(50));
    assert_eq!(backoff_delay(&POLICY, 1, 0.0), Duration::from_millis(100));
    assert_eq!(backoff_delay(&POLICY, 5, 0.0), Duration::from_millis(150));
    assert_eq!(
        backoff_delay(&POLICY, 5, 0.999_999),
        Duration::from_nanos(299_999_850)
    );
    assert_eq!(
        backoff_delay(&POLICY, u32::MAX, 1.0),
        Duration::from_millis(300)
    );
}

#[test]
fn attempts_limit_accepts_ten_and_rejects_eleven_and_zero() {
    let with = |attempts_max| {
        RetryPolicy {
            attempts_max,
            ..POLICY
        }
        .validate()
    };
    assert!(with(RETRY_ATTEMPTS_MAX_LIMIT).is_ok());
    assert!(with(RETRY_ATTEMPTS_MAX_LIMIT + 1).is_err());
    assert!(with(0).is_err());
}
