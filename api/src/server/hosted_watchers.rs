//! The watchers this node hosts: one supervised watcher actor per configured key under the
//! zone's services supervisor, and the task that records what they report.
//!
//! Owns [`children`] and [`record_reports`]. A hosted watcher's attestation is recorded only
//! through the checks of `POST /v1/corridors/{id}/attestations` (a registered, bonded and
//! active watcher; the journal holds the attested receipt), so hosting a key grants nothing
//! the route would not: an unregistered hosted watcher signs, and nothing is recorded.
//!
//! Never: records an attestation by another path, or stops the node over a watcher's report.

use std::sync::Arc;

use msez_actors::clock::Clock;
use msez_actors::corridor::handle::Corridors;
use msez_actors::watcher::{HostedWatcher, WatcherReport};
use msez_protocol::keys::SigningKey;
use msez_runtime::ChildSpec;
use tokio::sync::mpsc;

use super::handlers::watchers::record_attestation;
use super::metrics::WatcherReportOutcome;
use super::state::AppState;

/// Reports that may wait for the recorder; a full queue makes the watchers wait (their
/// subscription then lags, which they report).
pub const REPORTS_QUEUE_MAX: usize = 4_096;

/// The services-supervisor children of the hosted watchers, all reporting to `reports`.
pub fn children(
    keys: &[Arc<SigningKey>],
    corridors: &Corridors,
    clock: &Arc<dyn Clock>,
    reports: &mpsc::Sender<WatcherReport>,
) -> Vec<ChildSpec> {
    keys.iter()
        .map(|key| {
            let corridors = corridors.clone();
            HostedWatcher {
                key: Arc::clone(key),
                clock: Arc::clone(clock),
                subscribe: Arc::new(move || corridors.subscribe()),
                reports: reports.clone(),
            }
            .child_spec()
        })
        .collect()
}

/// Records the hosted watchers' reports until every watcher (and so every sender) is gone;
/// each is counted by outcome in `msez_hosted_watcher_reports_total` (`GET /metrics`).
pub async fn record_reports(state: AppState, mut reports: mpsc::Receiver<WatcherReport>) {
    while let Some(report) = reports.recv().await {
        let outcome = record_report(&state, report).await;
        state.metrics().count_watcher_report(outcome);
    }
}

async fn record_report(state: &AppState, report: WatcherReport) -> WatcherReportOutcome {
    match report {
        WatcherReport::Attested(attestation) => {
            let corridor_id = attestation.statement().corridor_id.clone();
            match record_attestation(state, &corridor_id, &attestation).await {
                Ok(_) => WatcherReportOutcome::Recorded,
                Err(error) => {
                    tracing::debug!(
                        watcher = %attestation.watcher(),
                        %corridor_id,
                        height = attestation.statement().height,
                        %error,
                        "hosted watcher's attestation not recorded"
                    );
                    WatcherReportOutcome::Refused
                }
            }
        }
        WatcherReport::ForkObserved {
            corridor_id,
            sequence,
            first_next_root,
            second_next_root,
            ..
        } => {
            tracing::warn!(
                %corridor_id,
                sequence,
                first = %first_next_root.to_hex(),
                second = %second_next_root.to_hex(),
                "hosted watcher observed two heads at one sequence"
            );
            WatcherReportOutcome::Fork
        }
        WatcherReport::Lagged { missed_count } => {
            tracing::warn!(
                missed_count,
                "hosted watcher fell behind the corridor heads"
            );
            WatcherReportOutcome::Lagged
        }
        WatcherReport::SigningFailed {
            corridor_id,
            sequence,
            reason,
        } => {
            tracing::warn!(%corridor_id, sequence, %reason, "hosted watcher could not sign");
            WatcherReportOutcome::SigningFailed
        }
    }
}
