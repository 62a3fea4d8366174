//! Unit tests of the pure restart rules: which exits restart, backoff bounds, intensity window.

use super::*;

#[test]
fn restart_policy_restarts_after_matches_otp_table() {
    let cases = [
        (RestartPolicy::Permanent, ExitKind::Normal, true),
        (RestartPolicy::Permanent, ExitKind::Abnormal, true),
        (RestartPolicy::Transient, ExitKind::Normal, false),
        (RestartPolicy::Transient, ExitKind::Abnormal, true),
        (RestartPolicy::Temporary, ExitKind::Normal, false),
        (RestartPolicy::Temporary, ExitKind::Abnormal, false),
    ];
    for (policy, kind, expected) in cases {
        assert_eq!(policy.restarts_after(kind), expected, "{policy:?} {kind:?}");
    }
}

#[test]
fn backoff_ceiling_doubles_then_caps() {
    let backoff = Backoff {
        initial_ms: 10,
        max_ms: 100,
    };
    let ceilings: Vec<u64> = (1..=6).map(|attempt| backoff.ceiling_ms(attempt)).collect();
    assert_eq!(ceilings, vec![10, 20, 40, 80, 100, 100]);
    assert_eq!(backoff.ceiling_ms(u32::MAX), 100);
}

#[test]
fn backoff_delay_stays_within_ceiling() {
    let backoff = Backoff {
        initial_ms: 10,
        max_ms: 1_000,
    };
    for attempt in 1..=12 {
        for unit in [0.0, 0.25, 0.5, 0.999, 1.0, 7.0, -1.0] {
            let delay = backoff.delay(attempt, unit);
            assert!(delay <= Duration::from_millis(backoff.ceiling_ms(attempt)));
        }
    }
    assert_eq!(backoff.delay(3, 0.0), Duration::ZERO);
}

#[test]
fn intensity_escalates_on_restart_max_plus_one() {
    let intensity = Intensity {
        max_restarts: 3,
        period_ms: 1_000,
    };
    let mut history = RestartHistory::new();
    let start = Instant::now();
    for attempt in 1..=3 {
        assert_eq!(
            history.record(intensity, start),
            RestartVerdict::Restart { attempt }
        );
    }
    assert_eq!(history.record(intensity, start), RestartVerdict::Escalate);
    assert!(history.len() <= 4);
}

#[test]
fn intensity_forgets_restarts_outside_period() {
    let intensity = Intensity {
        max_restarts: 1,
        period_ms: 100,
    };
    let mut history = RestartHistory::new();
    let start = Instant::now();
    assert_eq!(
        history.record(intensity, start),
        RestartVerdict::Restart { attempt: 1 }
    );
    let later = start + Duration::from_millis(101);
    assert_eq!(
        history.record(intensity, later),
        RestartVerdict::Restart { attempt: 1 }
    );
    assert_eq!(history.record(intensity, later), RestartVerdict::Escalate);
}

#[test]
fn intensity_zero_escalates_first_restart() {
    let intensity = Intensity {
        max_restarts: 0,
        period_ms: 100,
    };
    let mut history = RestartHistory::new();
    assert_eq!(
        history.record(intensity, Instant::now()),
        RestartVerdict::Escalate
    );
}
