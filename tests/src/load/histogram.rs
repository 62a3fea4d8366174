//! A log-linear latency histogram in microseconds (HDR-style): constant memory, mergeable,
//! relative error under 1/[`SUB_BUCKET_COUNT`] for every recorded value.
//!
//! Owns [`Histogram`] and [`Percentiles`].
//!
//! Never: allocates per sample, or reports a percentile below the true value by more than one
//! sub-bucket width (a value is reported as its bucket's upper bound, clamped to the maximum
//! seen, so the error is always on the pessimistic side).

use serde::Serialize;

/// Sub-buckets per power of two. 64 bounds the relative error at 1/64 (about 1.6 %), which is
/// far below the run-to-run noise of a shared two-core machine.
pub const SUB_BUCKET_COUNT: u64 = 64;

/// log2 of [`SUB_BUCKET_COUNT`].
const SUB_BUCKET_BITS: u32 = 6;

/// Powers of two above the linear range: 58 covers every `u64`, so no value is ever clamped
/// (the whole histogram is 3,776 counters, 30 KiB).
const MAGNITUDE_COUNT: u64 = 64 - SUB_BUCKET_BITS as u64;

/// Every bucket: the linear range [0, 64) plus 64 sub-buckets for each magnitude above it.
const BUCKET_COUNT: usize = ((MAGNITUDE_COUNT + 1) * SUB_BUCKET_COUNT) as usize;

/// Counts of latencies in microseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    counts: Vec<u64>,
    sample_count: u64,
    value_us_max: u64,
    value_us_min: u64,
    value_us_sum: u128,
}

/// What a report prints for one histogram, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Percentiles {
    /// Samples recorded.
    pub count: u64,
    /// Arithmetic mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Largest sample (exact).
    pub max_ms: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Self::new()
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self {
            counts: vec![0; BUCKET_COUNT],
            sample_count: 0,
            value_us_max: 0,
            value_us_min: u64::MAX,
            value_us_sum: 0,
        }
    }

    /// Records one latency.
    pub fn record_us(&mut self, value_us: u64) {
        let index = bucket_index(value_us);
        if let Some(count) = self.counts.get_mut(index) {
            *count += 1;
        }
        self.sample_count += 1;
        self.value_us_max = self.value_us_max.max(value_us);
        self.value_us_min = self.value_us_min.min(value_us);
        self.value_us_sum += u128::from(value_us);
    }

    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &Self) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.sample_count += other.sample_count;
        self.value_us_max = self.value_us_max.max(other.value_us_max);
        self.value_us_min = self.value_us_min.min(other.value_us_min);
        self.value_us_sum += other.value_us_sum;
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.sample_count
    }

    /// The largest sample, exactly (0 when empty).
    pub fn max_us(&self) -> u64 {
        self.value_us_max
    }

    /// The value at quantile `q` (0.0 ..= 1.0): the upper bound of the bucket holding the
    /// `ceil(q * count)`-th smallest sample, clamped to [min, max] seen. 0 when empty.
    pub fn value_at_quantile_us(&self, q: f64) -> u64 {
        if self.sample_count == 0 {
            return 0;
        }
        let q = q.clamp(0.0, 1.0);
        // The rank of the wanted sample, 1-based; at least 1 so q = 0 is the minimum.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss
        )]
        let rank = ((q * self.sample_count as f64).ceil() as u64).clamp(1, self.sample_count);
        let mut seen = 0u64;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let upper = bucket_upper_us(index);
                return upper.clamp(self.value_us_min, self.value_us_max);
            }
        }
        self.value_us_max
    }

    /// The summary a report prints.
    pub fn percentiles(&self) -> Percentiles {
        let ms = |value_us: u64| value_us as f64 / 1000.0;
        #[allow(clippy::cast_precision_loss)]
        let mean_ms = if self.sample_count == 0 {
            0.0
        } else {
            self.value_us_sum as f64 / self.sample_count as f64 / 1000.0
        };
        Percentiles {
            count: self.sample_count,
            mean_ms,
            p50_ms: ms(self.value_at_quantile_us(0.50)),
            p90_ms: ms(self.value_at_quantile_us(0.90)),
            p99_ms: ms(self.value_at_quantile_us(0.99)),
            p999_ms: ms(self.value_at_quantile_us(0.999)),
            max_ms: ms(self.value_us_max),
        }
    }
}

/// The bucket of `value_us`: values below 64 are exact; above, the magnitude (position of the
/// highest set bit beyond the sub-bucket bits) picks a row and the next six bits a column.
fn bucket_index(value_us: u64) -> usize {
    if value_us < SUB_BUCKET_COUNT {
        return usize::try_from(value_us).unwrap_or(0);
    }
    let magnitude = u64::from(63 - value_us.leading_zeros() - (SUB_BUCKET_BITS - 1));
    let shift = u32::try_from(magnitude - 1).unwrap_or(0);
    let sub_bucket = (value_us >> shift) - SUB_BUCKET_COUNT;
    usize::try_from(magnitude * SUB_BUCKET_COUNT + sub_bucket).unwrap_or(BUCKET_COUNT - 1)
}

/// The largest value that lands in bucket `index`.
fn bucket_upper_us(index: usize) -> u64 {
    let index = index as u64;
    if index < SUB_BUCKET_COUNT {
        return index;
    }
    let magnitude = index / SUB_BUCKET_COUNT;
    let sub_bucket = index % SUB_BUCKET_COUNT;
    let shift = u32::try_from(magnitude - 1).unwrap_or(0);
    // In u128: the top bucket's bound is 2^64 - 1, whose "+1" does not fit in a u64.
    let upper = (u128::from(SUB_BUCKET_COUNT + sub_bucket + 1) << shift) - 1;
    u64::try_from(upper).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests;
