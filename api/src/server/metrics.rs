//! Request metrics in the Prometheus text format.
//!
//! Owns [`Metrics`] and [`track`], the middleware that counts each request by method, route
//! template and status and records its latency in a fixed-bucket histogram,
//! [`RouteRecord`], the per-route summary the regulator's SLA view reads, and
//! [`WatcherReportOutcome`], what became of a hosted watcher's report.
//!
//! Never: labels by raw path (ids would make the label set unbounded) or by principal.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::state::AppState;

/// Histogram bucket upper bounds in seconds: 100 µs to 5 s covers a health probe on loopback
/// up to a Mass call at its timeout.
pub const LATENCY_BUCKETS_SECONDS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 5.0,
];

/// The label used for requests that matched no route, so 404 floods cannot grow the label set.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Counters and histograms. A std mutex: updates are a few additions and never await.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Series>,
}

#[derive(Debug, Default)]
struct Series {
    /// (method, route, status) → count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → histogram.
    latency: BTreeMap<(String, String), Histogram>,
    /// Hosted watchers' reports by outcome.
    watcher_reports: BTreeMap<WatcherReportOutcome, u64>,
}

/// What became of one report of a watcher this node hosts (`server::hosted_watchers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WatcherReportOutcome {
    /// An attestation, recorded.
    Recorded,
    /// An attestation the route's checks refused (the watcher is not registered, bonded and
    /// active, or the journal does not hold the head).
    Refused,
    /// Two heads at one corridor sequence.
    Fork,
    /// The watcher fell behind the head events.
    Lagged,
    /// The watcher could not sign.
    SigningFailed,
}

impl WatcherReportOutcome {
    /// The `outcome` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recorded => "recorded",
            Self::Refused => "refused",
            Self::Fork => "fork",
            Self::Lagged => "lagged",
            Self::SigningFailed => "signing_failed",
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Cumulative counts are computed at render time; these are per-bucket.
    bucket_counts: [u64; LATENCY_BUCKETS_SECONDS.len()],
    count: u64,
    sum_seconds: f64,
}

/// What the node measured for a set of routes since it started: requests, server errors
/// (5xx, overload included) and the latency bucket bounds under which half and 99% of the
/// requests finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRecord {
    /// Requests answered.
    pub request_count: u64,
    /// Requests answered with a 5xx.
    pub server_error_count: u64,
    /// The smallest bucket bound (µs) at or under which 50% of the requests finished; `None`
    /// with no requests, or when they finished above the largest bucket.
    pub latency_us_p50_max: Option<u64>,
    /// The same for 99%.
    pub latency_us_p99_max: Option<u64>,
}

impl Metrics {
    /// The record of every (method, route) `selected` admits, summed.
    pub fn route_record(&self, selected: impl Fn(&str, &str) -> bool) -> RouteRecord {
        let series = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (mut request_count, mut server_error_count) = (0_u64, 0_u64);
        for ((method, route, status), count) in &series.requests {
            if selected(method, route) {
                request_count += count;
                server_error_count += if *status >= 500 { *count } else { 0 };
            }
        }
        let mut buckets = [0_u64; LATENCY_BUCKETS_SECONDS.len()];
        for ((method, route), histogram) in &series.latency {
            if selected(method, route) {
                for (sum, count) in buckets.iter_mut().zip(histogram.bucket_counts) {
                    *sum += count;
                }
            }
        }
        RouteRecord {
            request_count,
            server_error_count,
            latency_us_p50_max: quantile_bound_us(&buckets, request_count, 50),
            latency_us_p99_max: quantile_bound_us(&buckets, request_count, 99),
        }
    }

    /// Counts one hosted watcher's report.
    pub fn count_watcher_report(&self, outcome: WatcherReportOutcome) {
        let mut series = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *series.watcher_reports.entry(outcome).or_default() += 1;
    }

    /// Records one finished request.
    pub fn record(&self, method: &str, route: &str, status: u16, latency: Duration) {
        let seconds = latency.as_secs_f64();
        let mut series = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *series
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_insert(0) += 1;
        let histogram = series
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        histogram.count += 1;
        histogram.sum_seconds += seconds;
        if let Some(index) = LATENCY_BUCKETS_SECONDS
            .iter()
            .position(|bound| seconds <= *bound)
        {
            histogram.bucket_counts[index] += 1;
        }
    }

    /// The Prometheus text exposition (format 0.0.4), with `extra` gauges appended.
    pub fn render(&self, extra: &[(&str, &str, u64)]) -> String {
        let series = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        out.push_str(
            "# HELP msez_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE msez_http_requests_total counter\n");
        for ((method, route, status), count) in &series.requests {
            // Writing to a String cannot fail.
            let _ = writeln!(
                out,
                "msez_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str(
            "# HELP msez_http_request_duration_seconds HTTP request latency by method and route.\n",
        );
        out.push_str("# TYPE msez_http_request_duration_seconds histogram\n");
        for ((method, route), histogram) in &series.latency {
            let mut cumulative = 0_u64;
            for (bound, count) in LATENCY_BUCKETS_SECONDS.iter().zip(histogram.bucket_counts) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "msez_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "msez_http_request_duration_seconds_bucket{{method=\"{method}\",route=\"{route}\",le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "msez_http_request_duration_seconds_sum{{method=\"{method}\",route=\"{route}\"}} {}",
                histogram.sum_seconds
            );
            let _ = writeln!(
                out,
                "msez_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\"}} {}",
                histogram.count
            );
        }
        if !series.watcher_reports.is_empty() {
            out.push_str(
                "# HELP msez_hosted_watcher_reports_total Reports of the watchers this node hosts, by outcome.\n",
            );
            out.push_str("# TYPE msez_hosted_watcher_reports_total counter\n");
            for (outcome, count) in &series.watcher_reports {
                let _ = writeln!(
                    out,
                    "msez_hosted_watcher_reports_total{{outcome=\"{}\"}} {count}",
                    outcome.as_str()
                );
            }
        }
        for (name, help, value) in extra {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// The smallest bucket bound (µs) whose cumulative count reaches `percent`% of `total`.
fn quantile_bound_us(
    buckets: &[u64; LATENCY_BUCKETS_SECONDS.len()],
    total: u64,
    percent: u64,
) -> Option<u64> {
    if total == 0 {
        return None;
    }
    let mut cumulative = 0_u64;
    for (bound_seconds, count) in LATENCY_BUCKETS_SECONDS.iter().zip(buckets) {
        cumulative += count;
        if cumulative.saturating_mul(100) >= total.saturating_mul(percent) {
            // Bounds are exact multiples of 1 µs between 100 µs and 5 s.
            return Some((bound_seconds * 1_000_000.0).round() as u64);
        }
    }
    None
}

/// Middleware: times the request and records it under its route template.
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    state.metrics().record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
