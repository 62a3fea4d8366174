//! When each worker sends its next request: open-loop at a fixed aggregate rate, or
//! closed-loop (as fast as replies come back).
//!
//! Owns [`Schedule`]. In open-loop mode worker `w` of `W` sends its `i`-th request at
//! `start + (i * W + w) / rate`, so the workers interleave into one evenly spaced stream. A
//! request's latency is measured from that *intended* time, not from when it was actually
//! sent: a stalled server then shows up in the percentiles instead of silently slowing the
//! generator down (the "coordinated omission" correction of wrk2 and HdrHistogram).
//!
//! Never: sleeps or reads a clock; callers pass elapsed time in and get durations out.

use std::time::Duration;

/// The pacing of one worker.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// Send the next request as soon as the previous reply arrived.
    ClosedLoop,
    /// Send at a fixed aggregate rate shared by `worker_count` workers.
    OpenLoop {
        /// Requests per second over all workers.
        rate_per_s: f64,
        /// Workers sharing the rate.
        worker_count: u32,
        /// This worker, `0 <= worker_index < worker_count`.
        worker_index: u32,
    },
}

impl Schedule {
    /// The schedule of worker `worker_index` of `worker_count`; `rate_per_s` of `None` is
    /// closed-loop. A rate that is not positive and finite is treated as closed-loop.
    pub fn for_worker(rate_per_s: Option<f64>, worker_count: u32, worker_index: u32) -> Self {
        debug_assert!(
            worker_index < worker_count,
            "worker_index={worker_index} worker_count={worker_count}"
        );
        match rate_per_s {
            Some(rate_per_s) if rate_per_s.is_finite() && rate_per_s > 0.0 => Self::OpenLoop {
                rate_per_s,
                worker_count: worker_count.max(1),
                worker_index,
            },
            _ => Self::ClosedLoop,
        }
    }

    /// When this worker's request number `request_index` (0-based) is due, counted from the
    /// start of the run; `None` for closed-loop (due immediately).
    pub fn intended_start(&self, request_index: u64) -> Option<Duration> {
        match *self {
            Self::ClosedLoop => None,
            Self::OpenLoop {
                rate_per_s,
                worker_count,
                worker_index,
            } => {
                #[allow(clippy::cast_precision_loss)]
                let slot =
                    (request_index * u64::from(worker_count) + u64::from(worker_index)) as f64;
                Some(Duration::from_secs_f64(slot / rate_per_s))
            }
        }
    }

    /// How long to wait before sending request `request_index` when `elapsed` has passed
    /// since the start: zero when it is already due (or late, or closed-loop).
    pub fn wait_before(&self, request_index: u64, elapsed: Duration) -> Duration {
        self.intended_start(request_index)
            .map_or(Duration::ZERO, |due| due.saturating_sub(elapsed))
    }
}

#[cfg(test)]
mod tests;
