//! Goal: open-loop workers interleave into one evenly spaced stream at the target rate, and
//! closed-loop never waits. Method: compute intended start times and compare with the ideal.

use std::time::Duration;

use super::*;

#[test]
fn open_loop_workers_interleave_evenly_at_the_target_rate() {
    let worker_count = 4;
    let mut starts: Vec<Duration> = (0..worker_count)
        .flat_map(|worker_index| {
            let schedule = Schedule::for_worker(Some(1000.0), worker_count, worker_index);
            (0..250).map(move |request_index| schedule.intended_start(request_index).unwrap())
        })
        .collect();
    starts.sort();
    assert_eq!(starts.len(), 1000);
    for (slot, start) in starts.iter().enumerate() {
        let ideal = Duration::from_micros(slot as u64 * 1000);
        let error = start.abs_diff(ideal);
        assert!(
            error < Duration::from_micros(1),
            "slot={slot} start={start:?}"
        );
    }
}

#[test]
fn open_loop_late_requests_are_due_now_and_early_ones_wait() {
    let schedule = Schedule::for_worker(Some(100.0), 1, 0);
    assert_eq!(
        schedule.wait_before(10, Duration::from_millis(50)),
        Duration::from_millis(50)
    );
    assert_eq!(
        schedule.wait_before(10, Duration::from_millis(150)),
        Duration::ZERO
    );
}

#[test]
fn closed_loop_never_waits() {
    for rate in [None, Some(0.0), Some(-5.0), Some(f64::NAN)] {
        let schedule = Schedule::for_worker(rate, 8, 3);
        assert_eq!(schedule, Schedule::ClosedLoop);
        assert_eq!(schedule.intended_start(7), None);
        assert_eq!(schedule.wait_before(7, Duration::ZERO), Duration::ZERO);
    }
}
