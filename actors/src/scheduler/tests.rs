//! Laws of the timer wheel, by property: a tick fires exactly the armed timers whose deadline
//! has passed, earliest first (ties in scheduling order), never a cancelled one, and keeps the
//! rest armed.

// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;

use super::{TimerId, TimerKind, TimerWheel};

fn kind(index: usize) -> TimerKind {
    TimerKind::SagaDeadline {
        saga_id: format!("saga-{index}"),
    }
}

proptest! {
    #[test]
    fn take_due_fires_exactly_the_passed_deadlines_in_order(
        deadlines in proptest::collection::vec(0u64..1_000, 0..64),
        cancel_mask in proptest::collection::vec(any::<bool>(), 64),
        now_unix_ms in 0u64..1_200,
    ) {
        let mut wheel = TimerWheel::default();
        let mut armed: Vec<(u64, TimerId)> = Vec::new();
        for (index, due) in deadlines.iter().enumerate() {
            let timer_id = wheel.schedule(kind(index), *due, None, 1_000).unwrap();
            if cancel_mask[index] {
                prop_assert!(wheel.cancel(timer_id));
            } else {
                armed.push((*due, timer_id));
            }
        }
        armed.sort();
        let expected: Vec<TimerId> = armed
            .iter()
            .filter(|(due, _)| *due <= now_unix_ms)
            .map(|(_, timer_id)| *timer_id)
            .collect();
        let fired: Vec<TimerId> = wheel
            .take_due(now_unix_ms, usize::MAX)
            .into_iter()
            .map(|timer| timer.timer_id)
            .collect();
        prop_assert_eq!(&fired, &expected);
        prop_assert_eq!(wheel.len(), armed.len() - expected.len());
        prop_assert!(wheel.next_due_unix_ms().is_none_or(|due| due > now_unix_ms));
    }
}

#[test]
fn wheel_accepts_up_to_its_bound_and_refuses_one_more() {
    let mut wheel = TimerWheel::default();
    for index in 0..3 {
        wheel.schedule(kind(index), 10, None, 3).unwrap();
    }
    assert!(wheel.schedule(kind(3), 10, None, 3).is_err());
    assert_eq!(wheel.len(), 3);
}

#[test]
fn repeating_timer_rearms_after_now_even_when_far_behind() {
    let mut wheel = TimerWheel::default();
    wheel.schedule(kind(0), 10, Some(5), 10).unwrap();
    let fired = wheel.take_due(1_000, usize::MAX);
    // One firing per tick, re-armed strictly after now: a stalled scheduler never fires a
    // burst of missed periods.
    assert_eq!(fired.len(), 1);
    assert_eq!(wheel.next_due_unix_ms(), Some(1_001));
}
