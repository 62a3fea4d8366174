//! Goal: closed → open after N consecutive failures → half-open after the cool-down → one probe
//! decides. Method: drive the breaker with tokio's paused clock.

use std::time::Duration;

use super::*;

fn breaker() -> CircuitBreaker {
    CircuitBreaker::new(BreakerConfig {
        failures_consecutive_max: 3,
        open_duration: Duration::from_secs(10),
    })
}

fn fail(breaker: &CircuitBreaker) {
    let admission = breaker.admit().unwrap();
    breaker.record(admission, CallHealth::Failed);
}

#[tokio::test(start_paused = true)]
async fn breaker_opens_after_consecutive_failures_and_a_success_resets_the_count() {
    let breaker = breaker();
    fail(&breaker);
    fail(&breaker);
    breaker.record(breaker.admit().unwrap(), CallHealth::Healthy);
    fail(&breaker);
    fail(&breaker);
    assert_eq!(breaker.state(), BreakerState::Closed);
    fail(&breaker);
    assert_eq!(breaker.state(), BreakerState::Open);
    assert_eq!(breaker.admit(), None);
}

#[tokio::test(start_paused = true)]
async fn half_open_admits_one_probe_which_decides() {
    let breaker = breaker();
    (0..3).for_each(|_| fail(&breaker));
    tokio::time::advance(Duration::from_secs(9)).await;
    assert_eq!(breaker.state(), BreakerState::Open);
    tokio::time::advance(Duration::from_secs(1)).await;
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    let probe = breaker.admit().unwrap();
    assert_eq!(probe, Admission::Probe);
    assert_eq!(breaker.admit(), None, "one probe at a time");
    breaker.record(probe, CallHealth::Failed);
    assert_eq!(breaker.state(), BreakerState::Open);
    tokio::time::advance(Duration::from_secs(10)).await;
    let probe = breaker.admit().unwrap();
    breaker.record(probe, CallHealth::Healthy);
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn abandoned_probe_stops_blocking_after_the_cool_down() {
    let breaker = breaker();
    (0..3).for_each(|_| fail(&breaker));
    tokio::time::advance(Duration::from_secs(10)).await;
    let _abandoned = breaker.admit().unwrap();
    assert_eq!(breaker.admit(), None);
    tokio::time::advance(Duration::from_secs(10)).await;
    assert_eq!(breaker.admit(), Some(Admission::Probe));
}

#[test]
fn failure_limit_accepts_one_hundred_and_rejects_one_hundred_one_and_zero() {
    let with = |failures_consecutive_max| {
        BreakerConfig {
            failures_consecutive_max,
            open_duration: Duration::from_secs(1),
        }
        .validate()
    };
    assert!(with(BREAKER_FAILURES_MAX_LIMIT).is_ok());
    assert!(with(BREAKER_FAILURES_MAX_LIMIT + 1).is_err());
    assert!(with(0).is_err());
}
