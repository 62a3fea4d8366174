//! Goal: the histogram's quantiles are never below the exact sorted-sample quantile and never
//! above it by more than one sub-bucket (1/64 relative). Method: property tests against a
//! sorted copy of the samples, plus bucket-boundary cases.

use proptest::prelude::*;

use super::*;

/// The exact quantile with the same rank rule as the histogram.
fn exact_quantile(sorted: &[u64], q: f64) -> u64 {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[track_caller]
fn check(samples: &[u64]) {
    let mut histogram = Histogram::new();
    for sample in samples {
        histogram.record_us(*sample);
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    for q in [0.0, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0] {
        let exact = exact_quantile(&sorted, q);
        let reported = histogram.value_at_quantile_us(q);
        assert!(exact <= reported, "q={q} exact={exact} reported={reported}");
        assert!(
            reported <= exact.saturating_add(exact / SUB_BUCKET_COUNT),
            "q={q} exact={exact} reported={reported}"
        );
    }
    assert_eq!(histogram.count(), samples.len() as u64);
    assert_eq!(histogram.max_us(), *sorted.last().unwrap());
}

#[test]
fn histogram_is_exact_in_the_linear_range() {
    check(&[0, 1, 2, 63]);
    let mut histogram = Histogram::new();
    histogram.record_us(63);
    assert_eq!(histogram.value_at_quantile_us(0.5), 63);
}

#[test]
fn histogram_bucket_boundaries_round_up_within_one_sub_bucket() {
    check(&[
        64,
        127,
        128,
        129,
        255,
        256,
        1_000_000,
        u64::MAX / 4,
        u64::MAX,
    ]);
    for value in [64u64, 65, 127, 128, 130, 4095, 4096, 1 << 40] {
        let upper = bucket_upper_us(bucket_index(value));
        assert!(value <= upper, "value={value} upper={upper}");
        assert_eq!(bucket_index(upper), bucket_index(value), "value={value}");
        assert_ne!(
            bucket_index(upper + 1),
            bucket_index(value),
            "value={value}"
        );
    }
}

#[test]
fn histogram_empty_reports_zero() {
    let histogram = Histogram::new();
    assert_eq!(histogram.value_at_quantile_us(0.99), 0);
    assert_eq!(histogram.percentiles().count, 0);
}

#[test]
fn histogram_merge_equals_recording_everything_once() {
    let (mut left, mut right, mut both) = (Histogram::new(), Histogram::new(), Histogram::new());
    for value in 0..5_000u64 {
        let value_us = value * value % 90_001;
        if value % 3 == 0 {
            left.record_us(value_us);
        } else {
            right.record_us(value_us);
        }
        both.record_us(value_us);
    }
    left.merge(&right);
    assert_eq!(left, both);
}

proptest! {
    #[test]
    fn histogram_quantiles_bound_the_exact_quantile(
        samples in proptest::collection::vec(0u64..10_000_000_000, 1..400)
    ) {
        check(&samples);
    }
}
