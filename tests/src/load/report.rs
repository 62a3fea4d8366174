//! The report of one run: what was sent, what was acknowledged, what the exports prove, and
//! how long the node took to recover from each kill.
//!
//! Owns [`Report`], [`ChaosReport`], [`NodeKill`], [`MassFaultWindow`], [`Summary`] (the
//! one-line JSON printed last), [`recovery_ms`] and [`load_average`].
//!
//! Never: prints a number it did not measure; what was not measured is `null` with a reason.

use std::collections::BTreeMap;

use serde::Serialize;

use super::histogram::Percentiles;

/// Everything a run measured. Written whole by `--out`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The node's base URL.
    pub url: String,
    /// When the run started, Unix seconds.
    pub started_at_unix_s: u64,
    /// `open_loop` or `closed_loop`.
    pub mode: &'static str,
    /// The target rate of an open-loop run.
    pub rate_target_per_s: Option<f64>,
    /// Concurrent connections (workers).
    pub concurrency: u32,
    /// Corridors asked for.
    pub corridors_requested: u64,
    /// Corridors created and activated (the run's corridors).
    pub corridors: u64,
    /// Seconds spent creating and activating them.
    pub setup_s: f64,
    /// Seconds of timed load.
    pub duration_s: f64,
    /// Appends the node acknowledged with a 2xx.
    pub acknowledged: u64,
    /// Appends whose reply was lost but which the node's head showed to be committed.
    pub committed_unacknowledged: u64,
    /// Acknowledged receipts missing from the exports.
    pub lost: u64,
    /// Repeated sequence numbers in the exports.
    pub duplicates: u64,
    /// Missing sequence numbers in the exports.
    pub gaps: u64,
    /// Heights at which the node acknowledged two different receipts.
    pub conflicting_acks: u64,
    /// Exports that re-verified from genesis.
    pub chains_verified: u64,
    /// Exports that did not (or could not be fetched).
    pub chains_failed: u64,
    /// Receipts in all exports.
    pub exported_receipts: u64,
    /// Seconds the verification pass took.
    pub verify_s: f64,
    /// Acknowledged appends per second of timed load.
    pub throughput_per_s: f64,
    /// Append latency.
    pub latency_append: Percentiles,
    /// Inclusion-proof latency.
    pub latency_inclusion_proof: Percentiles,
    /// Netting latency.
    pub latency_netting: Percentiles,
    /// Entity-formation latency (the requests that make the node call Mass).
    pub latency_entity_formation: Percentiles,
    /// Why the mix carried no entity formations, when it did not.
    pub formation_note: Option<String>,
    /// Requests sent, by operation.
    pub requests: BTreeMap<String, u64>,
    /// Failed requests (all kinds).
    pub errors: u64,
    /// Failed requests by operation and kind, such as `append:http_503_overloaded`.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// A few failure messages, for diagnosis.
    pub error_samples: Vec<String>,
    /// Chain verification failures (corridor and reason), at most a few.
    pub verify_failures: Vec<String>,
    /// Node restarts plus actor restarts seen in the supervision tree.
    pub restarts: u64,
    /// The node's resident memory at the end, in bytes.
    pub server_rss_bytes: Option<u64>,
    /// The largest resident memory seen during the run, in bytes.
    pub server_rss_peak_bytes: Option<u64>,
    /// Where the memory figures come from, or why there are none.
    pub server_rss_source: String,
    /// 1-minute load average at the start and at the end (`/proc/loadavg`).
    pub load_average: [Option<f64>; 2],
    /// What chaos mode did, when on.
    pub chaos: Option<ChaosReport>,
}

/// What chaos mode did and what it proved.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChaosReport {
    /// Kill requests sent to corridor actors.
    pub actor_kills_requested: u64,
    /// Kill requests the node accepted.
    pub actor_kills_accepted: u64,
    /// Accepted kills after the last node restart whose actor shows a restart in the tree.
    pub actor_restarts_seen: u64,
    /// Accepted kills after the last node restart (the ones that can still be seen).
    pub actor_kills_checkable: u64,
    /// Sum of `restart_count` over the whole supervision tree at the end.
    pub supervision_restart_total: u64,
    /// Why actor kills were not done or not checked, if so.
    pub actor_kill_notes: Vec<String>,
    /// Every SIGKILL of the node.
    pub node_kills: Vec<NodeKill>,
    /// Why node kills were skipped, if so.
    pub node_kill_note: Option<String>,
    /// The window in which the node's Mass sandbox was made slow and failing, when it was.
    pub mass_fault: Option<MassFaultWindow>,
    /// Why the Mass fault window was not opened (or not closed), if so.
    pub mass_fault_note: Option<String>,
}

/// The Mass sandbox fault window of a chaos run.
#[derive(Debug, Clone, Serialize)]
pub struct MassFaultWindow {
    /// When the faults were set, ms since the timed load began.
    pub set_at_ms: u64,
    /// When the sandbox was healed again (`None`: healing failed; see the note).
    pub cleared_at_ms: Option<u64>,
    /// The Mass services faulted (their contexts, such as `treasury-info`).
    pub services: Vec<String>,
    /// Latency added to every Mass request in the window.
    pub latency_ms: u64,
    /// Share of Mass requests failed in the window.
    pub error_rate: f64,
    /// Status of the injected failures.
    pub error_status: u16,
    /// Requests the sandbox received during the window, over all services (`None`: the
    /// counts could not be read).
    pub sandbox_requests_in_window: Option<u64>,
}

/// One SIGKILL of the node and the recovery that followed.
#[derive(Debug, Clone, Serialize)]
pub struct NodeKill {
    /// When it was killed, ms since the timed load began.
    pub killed_at_ms: u64,
    /// From the kill until `/health/readiness` answered 200 on the new process.
    pub serving_again_ms: Option<u64>,
    /// From the kill until a one-second window's throughput was back to 80 % of the five
    /// seconds before the kill (`null`: not within the run).
    pub throughput_recovered_ms: Option<u64>,
}

/// The one-line JSON printed last on stdout.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// No loss, no duplicates, no gaps, no conflicts, every chain verified.
    pub ok: bool,
    /// See [`Report::corridors`].
    pub corridors: u64,
    /// See [`Report::acknowledged`].
    pub acknowledged: u64,
    /// See [`Report::lost`].
    pub lost: u64,
    /// See [`Report::duplicates`].
    pub duplicates: u64,
    /// See [`Report::gaps`].
    pub gaps: u64,
    /// See [`Report::chains_verified`].
    pub chains_verified: u64,
    /// See [`Report::chains_failed`].
    pub chains_failed: u64,
    /// See [`Report::throughput_per_s`].
    pub throughput_per_s: f64,
    /// Append p50.
    pub p50_ms: f64,
    /// Append p99.
    pub p99_ms: f64,
    /// Append p99.9.
    pub p999_ms: f64,
    /// See [`Report::errors`].
    pub errors: u64,
    /// See [`Report::restarts`].
    pub restarts: u64,
    /// Node kills done.
    pub node_kills: u64,
    /// The worst `serving_again_ms` over the node kills.
    pub serving_again_ms_max: Option<u64>,
    /// See [`Report::server_rss_peak_bytes`].
    pub server_rss_peak_bytes: Option<u64>,
}

impl Report {
    /// True when every invariant holds: nothing acknowledged lost, no duplicate, gap or
    /// conflicting acknowledgement, and every chain verified.
    pub fn invariants_hold(&self) -> bool {
        self.lost == 0
            && self.duplicates == 0
            && self.gaps == 0
            && self.conflicting_acks == 0
            && self.chains_failed == 0
            && self.chains_verified == self.corridors
    }

    /// The last line's content.
    pub fn summary(&self) -> Summary {
        let node_kills = self
            .chaos
            .as_ref()
            .map_or(&[][..], |chaos| &chaos.node_kills[..]);
        Summary {
            ok: self.invariants_hold(),
            corridors: self.corridors,
            acknowledged: self.acknowledged,
            lost: self.lost,
            duplicates: self.duplicates,
            gaps: self.gaps,
            chains_verified: self.chains_verified,
            chains_failed: self.chains_failed,
            throughput_per_s: round_to(self.throughput_per_s, 1),
            p50_ms: round_to(self.latency_append.p50_ms, 3),
            p99_ms: round_to(self.latency_append.p99_ms, 3),
            p999_ms: round_to(self.latency_append.p999_ms, 3),
            errors: self.errors,
            restarts: self.restarts,
            node_kills: node_kills.len() as u64,
            serving_again_ms_max: node_kills
                .iter()
                .filter_map(|kill| kill.serving_again_ms)
                .max(),
            server_rss_peak_bytes: self.server_rss_peak_bytes,
        }
    }

    /// The human-readable lines printed before the JSON line.
    pub fn human_lines(&self) -> Vec<String> {
        let latency = |name: &str, p: &Percentiles| {
            format!(
                "{name:<16} n={:<9} p50 {:.2} ms  p90 {:.2}  p99 {:.2}  p99.9 {:.2}  max {:.2}",
                p.count, p.p50_ms, p.p90_ms, p.p99_ms, p.p999_ms, p.max_ms
            )
        };
        let mut lines = vec![
            format!(
                "msez-load {} {} corridors={} (of {}) concurrency={} duration={:.1}s setup={:.1}s",
                self.mode,
                self.rate_target_per_s
                    .map_or_else(String::new, |rate| format!("rate={rate}/s")),
                self.corridors,
                self.corridors_requested,
                self.concurrency,
                self.duration_s,
                self.setup_s,
            ),
            format!(
                "throughput       {:.1} acknowledged appends/s ({} acknowledged, {} committed without a reply)",
                self.throughput_per_s, self.acknowledged, self.committed_unacknowledged
            ),
            latency("append", &self.latency_append),
            latency("inclusion proof", &self.latency_inclusion_proof),
            latency("netting", &self.latency_netting),
            latency("entity formation", &self.latency_entity_formation),
            format!("errors           {} {:?}", self.errors, self.errors_by_kind),
            format!(
                "verification     {} chains verified, {} failed, {} receipts exported, lost {}, duplicates {}, gaps {}, conflicting acks {} ({:.1}s)",
                self.chains_verified,
                self.chains_failed,
                self.exported_receipts,
                self.lost,
                self.duplicates,
                self.gaps,
                self.conflicting_acks,
                self.verify_s
            ),
            format!(
                "server memory    rss {} peak {} ({})",
                mib(self.server_rss_bytes),
                mib(self.server_rss_peak_bytes),
                self.server_rss_source
            ),
        ];
        if let Some(chaos) = &self.chaos {
            lines.push(format!(
                "chaos            actor kills {}/{} accepted, {} of {} checkable seen restarted; node kills {}",
                chaos.actor_kills_accepted,
                chaos.actor_kills_requested,
                chaos.actor_restarts_seen,
                chaos.actor_kills_checkable,
                chaos.node_kills.len(),
            ));
            if let Some(window) = &chaos.mass_fault {
                lines.push(format!(
                    "  mass faults {} ms latency, {} error rate ({}) on {} services from {} ms to {} ms; {} sandbox requests in the window",
                    window.latency_ms,
                    window.error_rate,
                    window.error_status,
                    window.services.len(),
                    window.set_at_ms,
                    window.cleared_at_ms.map_or_else(|| "-".to_owned(), |ms| ms.to_string()),
                    window.sandbox_requests_in_window.map_or_else(|| "?".to_owned(), |count| count.to_string()),
                ));
            }
            for kill in &chaos.node_kills {
                lines.push(format!(
                    "  node SIGKILL at {} ms: serving again after {:?} ms, throughput recovered after {:?} ms",
                    kill.killed_at_ms, kill.serving_again_ms, kill.throughput_recovered_ms
                ));
            }
            lines.extend(
                chaos
                    .actor_kill_notes
                    .iter()
                    .map(|note| format!("  note: {note}")),
            );
            lines.extend(
                chaos
                    .node_kill_note
                    .iter()
                    .chain(&chaos.mass_fault_note)
                    .map(|note| format!("  note: {note}")),
            );
        }
        lines.extend(
            self.verify_failures
                .iter()
                .map(|failure| format!("  verify: {failure}")),
        );
        lines.extend(
            self.error_samples
                .iter()
                .map(|sample| format!("  error: {sample}")),
        );
        lines
    }
}

/// Time from `killed_at_ms` until throughput recovered: the end of the first one-second
/// window after the kill whose acknowledgements reach `fraction` of the rate in the five
/// seconds before the kill. `timeline` counts acknowledgements per `bucket_ms` bucket from the
/// start of the load. `None` if there is no baseline (no traffic before the kill) or no window
/// recovers.
pub fn recovery_ms(
    timeline: &[u64],
    bucket_ms: u64,
    killed_at_ms: u64,
    fraction: f64,
) -> Option<u64> {
    if bucket_ms == 0 {
        return None;
    }
    let kill_bucket = usize::try_from(killed_at_ms / bucket_ms).ok()?;
    let baseline_buckets = usize::try_from(5_000 / bucket_ms).ok()?.max(1);
    let window_buckets = usize::try_from(1_000 / bucket_ms).ok()?.max(1);
    let baseline_start = kill_bucket.saturating_sub(baseline_buckets);
    let baseline: u64 = timeline.get(baseline_start..kill_bucket)?.iter().sum();
    let baseline_len = kill_bucket - baseline_start;
    if baseline == 0 || baseline_len == 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let needed = baseline as f64 / baseline_len as f64 * window_buckets as f64 * fraction;
    let after = timeline.get(kill_bucket + 1..)?;
    after
        .windows(window_buckets)
        .enumerate()
        .find_map(|(offset, window)| {
            #[allow(clippy::cast_precision_loss)]
            let acked = window.iter().sum::<u64>() as f64;
            let end_bucket = (kill_bucket + 1 + offset + window_buckets) as u64;
            (acked >= needed).then(|| (end_bucket * bucket_ms).saturating_sub(killed_at_ms))
        })
}

/// The 1-minute load average from `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn round_to(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

fn mib(bytes: Option<u64>) -> String {
    #[allow(clippy::cast_precision_loss)]
    bytes.map_or_else(
        || "n/a".to_owned(),
        |bytes| format!("{:.1} MiB", bytes as f64 / 1_048_576.0),
    )
}

#[cfg(test)]
mod tests;
