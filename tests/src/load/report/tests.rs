//! Goal: the recovery time is read correctly off the acknowledgement timeline. Method: build
//! timelines by hand (steady, outage, slow climb back) and check the reported time.

use super::*;

/// 100 ms buckets: `before` buckets at `rate`, `outage` empty buckets, then `after` buckets
/// at `rate_after`.
fn timeline(before: usize, rate: u64, outage: usize, after: usize, rate_after: u64) -> Vec<u64> {
    let mut timeline = vec![rate; before];
    timeline.extend(std::iter::repeat_n(0, outage));
    timeline.extend(std::iter::repeat_n(rate_after, after));
    timeline
}

#[test]
fn recovery_is_the_end_of_the_first_window_back_at_the_fraction() {
    // Killed at 6.0 s (bucket 60); buckets 60..=79 empty (2 s); full speed from bucket 80.
    // 80 % of 100 per bucket over a 10-bucket window is 800: the window 78..88 (two empty
    // buckets, eight full) is the first to qualify, and it ends at 8.8 s.
    let timeline = timeline(60, 100, 20, 50, 100);
    assert_eq!(recovery_ms(&timeline, 100, 6_000, 0.8), Some(2_800));
    assert_eq!(recovery_ms(&timeline, 100, 6_000, 1.0), Some(3_000));
}

#[test]
fn recovery_is_none_below_the_fraction() {
    let slow = timeline(60, 100, 20, 50, 79);
    assert_eq!(
        recovery_ms(&slow, 100, 6_000, 0.8),
        None,
        "79 % never recovers"
    );
}

#[test]
fn recovery_needs_a_baseline() {
    let timeline = timeline(0, 0, 10, 50, 100);
    assert_eq!(recovery_ms(&timeline, 100, 500, 0.8), None);
    assert_eq!(recovery_ms(&timeline, 0, 500, 0.8), None);
}
