//! One load run, end to end: start the node (optional), create and activate the corridors,
//! drive timed load with chaos and a progress line, then export and verify every chain.
//!
//! Owns [`LoadConfig`] and [`run`].
//!
//! Corridor `i` belongs to worker `i % concurrency` for the whole run, so each corridor has at
//! most one request in flight and its sequence is tracked without locks. A worker walks its
//! corridors round-robin. While one corridor's request is in flight, the worker signs the next
//! receipt of the corridor acknowledged just before (pre-signing): signing overlaps the round
//! trip and is never inside a timed interval.
//!
//! After a reply is lost (timeout, broken connection, 5xx) the outcome is unknown, so before
//! its next append the corridor asks the node for its head: if the head is the lost receipt it
//! was committed without a reply (`committed_unacknowledged`); if the head is unchanged it is
//! resent; otherwise the node's head is adopted. Only 2xx replies enter the ledger.
//!
//! Never: counts a receipt as acknowledged without a 2xx reply naming its sequence and root,
//! or lets two requests for one corridor overlap.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tokio::task::JoinSet;

use msez_protocol::time::Timestamp;

use super::client::{CreatedCorridor, NodeClient, RequestError};
use super::corridor::{LoadCorridor, PreparedAppend, ZoneKeys, now};
use super::error::LoadError;
use super::histogram::Histogram;
use super::ledger::{AckLedger, ExportCheck, check_export};
use super::node::{NodeProcess, READINESS_WAIT_MAX, rss_bytes_of, wait_ready};
use super::report::{ChaosReport, MassFaultWindow, NodeKill, Report, load_average, recovery_ms};
use super::schedule::Schedule;

/// Width of one bucket of the acknowledgement timeline (recovery times and the progress line
/// are read off it). 100 ms resolves a 5 s recovery target twenty times over.
pub const TIMELINE_BUCKET_MS: u64 = 100;

/// Attempts to create or activate one corridor before it is left out of the run.
pub const SETUP_ATTEMPTS_MAX: u32 = 5;

/// Failure messages kept for the report.
const ERROR_SAMPLES_MAX: usize = 10;

/// Corridor actors killed per chaos round.
const ACTOR_KILLS_PER_ROUND: usize = 5;

/// When chaos makes Mass slow and failing, as fractions of the run: after the node kill (a
/// restarted node starts a new, healthy sandbox, which would end the window early) and before
/// the last actor kills.
pub const MASS_FAULT_WINDOW: (f64, f64) = (0.55, 0.65);

/// Latency added to every Mass request in the window: 200 ms is twenty times a sandbox call
/// and well inside the node's 10 s Mass timeout, so calls slow down without timing out.
pub const MASS_FAULT_LATENCY_MS: u64 = 200;

/// Share of Mass requests failed in the window: half, so the node's retries both succeed and
/// run out, and its circuit breakers see real failure streaks.
pub const MASS_FAULT_ERROR_RATE: f64 = 0.5;

/// Status of the injected failures: 503, what an overloaded Mass answers.
pub const MASS_FAULT_STATUS: u16 = 503;

/// Everything a run needs; the binary builds it from flags, tests build it by hand.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The node's base URL.
    pub url: String,
    /// A bearer token allowed to create corridors, append, export and (for chaos) kill.
    pub token: String,
    /// An operator token for the kill drills (the kill route is operator-only); `token` is
    /// used when absent.
    pub operator_token: Option<String>,
    /// Corridors to create.
    pub corridor_count: usize,
    /// Length of the timed load.
    pub duration: Duration,
    /// Concurrent connections (one worker each).
    pub concurrency: u32,
    /// Open-loop target in requests per second; `None` is closed-loop.
    pub rate_per_s: Option<f64>,
    /// Kill actors and (with `node_command`) the node during the load.
    pub chaos: bool,
    /// The command that starts the node; the generator then owns the node process.
    pub node_command: Option<String>,
    /// Where the node's output goes when the generator starts it.
    pub node_log: PathBuf,
    /// Every n-th request of a worker is an inclusion proof (0: none).
    pub proof_every: u64,
    /// Every n-th request of a worker is a netting request (0: none).
    pub netting_every: u64,
    /// Every n-th request of a worker is an entity formation, the one operation that makes the
    /// node call Mass (0: none). Needs a node serving a zone and a zone_admin token; a probe
    /// before the load decides, and the report says why formations were left out.
    pub formation_every: u64,
    /// Print the progress line to stderr every second.
    pub progress: bool,
}

/// Runs the whole load test and returns its report.
pub async fn run(config: &LoadConfig) -> Result<Report, LoadError> {
    let started_at_unix_s = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let load_average_start = load_average();
    let concurrency = config.concurrency.max(1);
    let client = NodeClient::new(&config.url, &config.token, concurrency as usize)?
        .with_operator_token(config.operator_token.clone());
    let node = match &config.node_command {
        Some(command) => {
            let node = NodeProcess::start(command, &config.node_log)?;
            status(
                config,
                format!(
                    "started node pid {} (log {})",
                    node.pid(),
                    config.node_log.display()
                ),
            );
            Some(Arc::new(Mutex::new(node)))
        }
        None => None,
    };
    let ready_after = wait_ready(&client, node.as_deref(), READINESS_WAIT_MAX).await?;
    status(
        config,
        format!("node ready after {} ms", ready_after.as_millis()),
    );

    let run_id = run_id()?;
    let zone_keys = Arc::new(ZoneKeys::generate()?);
    let setup_started = Instant::now();
    let slots = setup(config, &client, &zone_keys, &run_id, concurrency).await?;
    let setup_s = setup_started.elapsed().as_secs_f64();
    let corridor_count: usize = slots.iter().map(Vec::len).sum();
    status(
        config,
        format!("{corridor_count} corridors created and activated in {setup_s:.1}s"),
    );

    let (formations, formation_note) = probe_formations(config, &client, &run_id).await;
    if let Some(note) = &formation_note {
        status(config, note.clone());
    }
    let shared = Arc::new(Shared::new(config.duration));
    let load = drive(
        config,
        &client,
        &shared,
        node.clone(),
        slots,
        &run_id,
        formations,
    )
    .await?;
    let rss_end = match &node {
        Some(node) => lock(node)
            .map(|node| node.pid())
            .ok()
            .and_then(rss_bytes_of),
        None => None,
    };

    wait_ready(&client, node.as_deref(), READINESS_WAIT_MAX).await?;
    let mut chaos = load.chaos;
    if let Some(chaos) = &mut chaos {
        observe_restarts(&client, chaos).await;
    }
    status(config, "verifying every chain".to_owned());
    let verify_started = Instant::now();
    let verified = verify(&client, &load.corridors, &load.ledger, concurrency).await?;
    let verify_s = verify_started.elapsed().as_secs_f64();

    let (server_rss_bytes, server_rss_peak_bytes, server_rss_source) = match (&node, rss_end) {
        (Some(_), Some((rss, _))) => {
            let peak = shared.rss_peak_bytes.load(Ordering::Relaxed).max(rss);
            (
                Some(rss),
                Some(peak),
                "/proc/<pid>/status of the node this run started".to_owned(),
            )
        }
        _ => metrics_rss(&client).await,
    };
    if let Some(node) = &node {
        lock(node)?.stop()?;
    }
    let node_restarts = chaos
        .as_ref()
        .map_or(0, |chaos| chaos.node_kills.len() as u64);
    let actor_restarts = chaos.as_ref().map_or(0, |chaos| chaos.actor_restarts_seen);
    let stats = load.stats;
    let duration_s = load.elapsed.as_secs_f64();
    let acknowledged = load.ledger.acknowledged_count();
    Ok(Report {
        url: config.url.clone(),
        started_at_unix_s,
        mode: if config.rate_per_s.is_some() {
            "open_loop"
        } else {
            "closed_loop"
        },
        rate_target_per_s: config.rate_per_s,
        concurrency,
        corridors_requested: config.corridor_count as u64,
        corridors: corridor_count as u64,
        setup_s,
        duration_s,
        acknowledged,
        committed_unacknowledged: stats.committed_unacknowledged,
        lost: verified.lost_count,
        duplicates: verified.duplicate_count,
        gaps: verified.gap_count,
        conflicting_acks: load.ledger.conflicting_ack_count(),
        chains_verified: verified.verified_count,
        chains_failed: verified.failed_count,
        exported_receipts: verified.receipt_count,
        verify_s,
        #[allow(clippy::cast_precision_loss)]
        throughput_per_s: if duration_s > 0.0 {
            acknowledged as f64 / duration_s
        } else {
            0.0
        },
        latency_append: stats.append.percentiles(),
        latency_inclusion_proof: stats.proof.percentiles(),
        latency_netting: stats.netting.percentiles(),
        latency_entity_formation: stats.formation.percentiles(),
        formation_note,
        requests: stats.requests,
        errors: stats.errors_by_kind.values().sum(),
        errors_by_kind: stats.errors_by_kind,
        error_samples: stats.error_samples,
        verify_failures: verified.failures,
        restarts: node_restarts + actor_restarts,
        server_rss_bytes,
        server_rss_peak_bytes,
        server_rss_source,
        load_average: [load_average_start, load_average()],
        chaos,
    })
}

/// One corridor in a worker's hands.
#[derive(Debug)]
struct Slot {
    corridor: LoadCorridor,
    /// The next receipt, signed ahead of time.
    pending: Option<PreparedAppend>,
    /// A reply was lost: ask the node for the head before the next append.
    needs_resync: bool,
}

/// Counters shared by the workers, the progress line and chaos.
#[derive(Debug)]
struct Shared {
    acknowledged: AtomicU64,
    errors: AtomicU64,
    /// Acknowledgements per [`TIMELINE_BUCKET_MS`] since the load began.
    timeline: Vec<AtomicU64>,
    rss_peak_bytes: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    fn new(duration: Duration) -> Self {
        // Room for the run plus a minute of overrun (the last requests' replies).
        let bucket_count = duration.as_millis() / u128::from(TIMELINE_BUCKET_MS) + 600;
        Self {
            acknowledged: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            timeline: (0..bucket_count).map(|_| AtomicU64::new(0)).collect(),
            rss_peak_bytes: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        }
    }

    fn record_ack(&self, since_start: Duration) {
        self.acknowledged.fetch_add(1, Ordering::Relaxed);
        let bucket = since_start.as_millis() / u128::from(TIMELINE_BUCKET_MS);
        if let Some(count) = usize::try_from(bucket)
            .ok()
            .and_then(|b| self.timeline.get(b))
        {
            count.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn timeline(&self) -> Vec<u64> {
        self.timeline
            .iter()
            .map(|count| count.load(Ordering::Relaxed))
            .collect()
    }
}

/// What one worker measured.
#[derive(Debug, Default)]
struct WorkerStats {
    append: Histogram,
    proof: Histogram,
    netting: Histogram,
    formation: Histogram,
    requests: BTreeMap<String, u64>,
    errors_by_kind: BTreeMap<String, u64>,
    error_samples: Vec<String>,
    committed_unacknowledged: u64,
    ledger: AckLedger,
}

impl WorkerStats {
    fn count_request(&mut self, operation: &str) {
        *self.requests.entry(operation.to_owned()).or_default() += 1;
    }

    fn count_error(&mut self, shared: &Shared, operation: &str, error: &RequestError) {
        shared.errors.fetch_add(1, Ordering::Relaxed);
        *self
            .errors_by_kind
            .entry(format!("{operation}:{}", error.kind()))
            .or_default() += 1;
        if self.error_samples.len() < ERROR_SAMPLES_MAX {
            self.error_samples.push(format!("{operation}: {error}"));
        }
    }

    fn merge(&mut self, other: Self) {
        self.append.merge(&other.append);
        self.proof.merge(&other.proof);
        self.netting.merge(&other.netting);
        self.formation.merge(&other.formation);
        for (operation, count) in other.requests {
            *self.requests.entry(operation).or_default() += count;
        }
        for (kind, count) in other.errors_by_kind {
            *self.errors_by_kind.entry(kind).or_default() += count;
        }
        let room = ERROR_SAMPLES_MAX.saturating_sub(self.error_samples.len());
        self.error_samples
            .extend(other.error_samples.into_iter().take(room));
        self.committed_unacknowledged += other.committed_unacknowledged;
        self.ledger.merge(&other.ledger);
    }
}

/// What the timed phase leaves for verification.
struct LoadOutcome {
    corridors: Vec<LoadCorridor>,
    ledger: AckLedger,
    stats: WorkerStats,
    elapsed: Duration,
    chaos: Option<ChaosReport>,
}

/// A short random id (8 hex digits) that keeps corridor ids of different runs apart on one
/// node or store.
pub fn run_id() -> Result<String, LoadError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|error| LoadError::Random {
        reason: error.to_string(),
    })?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

fn status(config: &LoadConfig, line: String) {
    if config.progress {
        eprintln!("msez-load: {line}");
    }
}

fn lock(node: &Mutex<NodeProcess>) -> Result<std::sync::MutexGuard<'_, NodeProcess>, LoadError> {
    node.lock().map_err(|_| LoadError::Task {
        task: "node",
        reason: "the node supervisor's lock is poisoned".to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// Setup.

/// Generates, creates and activates every corridor, `concurrency` at a time, and pre-signs
/// each one's first receipt. Returns the slots of each worker.
async fn setup(
    config: &LoadConfig,
    client: &NodeClient,
    zone_keys: &Arc<ZoneKeys>,
    run_id: &str,
    concurrency: u32,
) -> Result<Vec<Vec<Slot>>, LoadError> {
    let mut tasks = JoinSet::new();
    for worker_index in 0..concurrency as usize {
        let client = client.clone();
        let zone_keys = Arc::clone(zone_keys);
        let run_id = run_id.to_owned();
        let indices: Vec<usize> = (worker_index..config.corridor_count)
            .step_by(concurrency as usize)
            .collect();
        tasks.spawn(async move {
            let mut slots = Vec::with_capacity(indices.len());
            let mut failures = Vec::new();
            for corridor_index in indices {
                match setup_one(&client, &zone_keys, &run_id, corridor_index).await {
                    Ok(slot) => slots.push(slot),
                    Err(failure) => failures.push(failure),
                }
            }
            (worker_index, slots, failures)
        });
    }
    let mut per_worker: Vec<Vec<Slot>> = (0..concurrency).map(|_| Vec::new()).collect();
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (worker_index, slots, worker_failures) = joined.map_err(|error| LoadError::Task {
            task: "setup",
            reason: error.to_string(),
        })?;
        if let Some(place) = per_worker.get_mut(worker_index) {
            *place = slots;
        }
        failures.extend(worker_failures);
    }
    let created_count: usize = per_worker.iter().map(Vec::len).sum();
    if created_count == 0 || failures.len() * 100 > config.corridor_count {
        return Err(LoadError::Setup {
            created_count,
            wanted_count: config.corridor_count,
            first_failure: failures.into_iter().next().unwrap_or_default(),
        });
    }
    if let Some(first) = failures.first() {
        status(
            config,
            format!(
                "{} corridors left out; first failure: {first}",
                failures.len()
            ),
        );
    }
    // Workers with no corridor would spin; they are dropped.
    per_worker.retain(|slots| !slots.is_empty());
    Ok(per_worker)
}

async fn setup_one(
    client: &NodeClient,
    zone_keys: &ZoneKeys,
    run_id: &str,
    corridor_index: usize,
) -> Result<Slot, String> {
    let signed_at = now().map_err(|error| error.to_string())?;
    let corridor =
        create_active_corridor(client, zone_keys, run_id, corridor_index, signed_at).await?;
    let pending = corridor
        .sign_next(signed_at)
        .map_err(|error| error.to_string())?;
    Ok(Slot {
        corridor,
        pending: Some(pending),
        needs_resync: false,
    })
}

/// Generates corridor `corridor_index` of run `run_id`, creates it on the node (agreements and
/// definition signed at `signed_at`) and activates it, retrying transient failures; the
/// corridor returned starts at its genesis root. The error names the corridor and the step.
pub async fn create_active_corridor(
    client: &NodeClient,
    zone_keys: &ZoneKeys,
    run_id: &str,
    corridor_index: usize,
    signed_at: Timestamp,
) -> Result<LoadCorridor, String> {
    let mut corridor = LoadCorridor::generate(run_id, corridor_index).map_err(|e| e.to_string())?;
    let created = retry(|| async {
        match client
            .create_corridor(&corridor, zone_keys, signed_at)
            .await
        {
            // A create whose reply was lost and then retried finds the corridor existing.
            Err(RequestError::Status { status: 409, .. }) => client
                .head(corridor.corridor_id())
                .await
                .map(|head| CreatedCorridor {
                    genesis_root: head.head,
                    active: false,
                }),
            other => other,
        }
    })
    .await
    .map_err(|error| format!("create {}: {error}", corridor.corridor_id()))?;
    if !created.active {
        retry(|| client.activate_corridor(corridor.corridor_id(), zone_keys, &corridor))
            .await
            .map_err(|error| format!("activate {}: {error}", corridor.corridor_id()))?;
    }
    corridor.start_at(created.genesis_root);
    Ok(corridor)
}

/// Runs `attempt` until it succeeds, a caller's mistake (4xx other than 409/429) is
/// reported, or [`SETUP_ATTEMPTS_MAX`] attempts were made.
async fn retry<T, F, Fut>(mut attempt: F) -> Result<T, RequestError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, RequestError>>,
{
    let mut attempt_count = 0;
    loop {
        attempt_count += 1;
        match attempt().await {
            Ok(value) => return Ok(value),
            Err(error) => {
                let final_error = matches!(&error, RequestError::Status { status, .. }
                    if (400..500).contains(status) && *status != 409 && *status != 429);
                if final_error || attempt_count >= SETUP_ATTEMPTS_MAX {
                    return Err(error);
                }
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt_count))).await;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The timed phase.

async fn drive(
    config: &LoadConfig,
    client: &NodeClient,
    shared: &Arc<Shared>,
    node: Option<Arc<Mutex<NodeProcess>>>,
    slots: Vec<Vec<Slot>>,
    run_id: &str,
    formations: Option<Arc<Formations>>,
) -> Result<LoadOutcome, LoadError> {
    let worker_count = u32::try_from(slots.len()).unwrap_or(u32::MAX);
    let mix = Mix {
        proof_every: config.proof_every,
        netting_every: config.netting_every,
        formation_every: if formations.is_some() {
            config.formation_every
        } else {
            0
        },
    };
    let start = Instant::now();
    let deadline = start + config.duration;
    let mut workers = JoinSet::new();
    for (worker_index, worker_slots) in slots.into_iter().enumerate() {
        let worker_index = u32::try_from(worker_index).unwrap_or(0);
        let schedule = Schedule::for_worker(config.rate_per_s, worker_count, worker_index);
        let worker = Worker {
            client: client.clone(),
            shared: Arc::clone(shared),
            schedule,
            start,
            deadline,
            mix,
            formations: formations.clone(),
            mix_phase: mix_phase(worker_index),
        };
        workers.spawn(worker.run(worker_slots));
    }
    let progress = tokio::spawn(progress(
        Arc::clone(shared),
        node.clone(),
        start,
        config.progress,
    ));
    let chaos_task = config.chaos.then(|| {
        tokio::spawn(chaos(
            client.clone(),
            node.clone(),
            start,
            config.duration,
            run_id.to_owned(),
        ))
    });

    let mut corridors = Vec::new();
    let mut stats = WorkerStats::default();
    while let Some(joined) = workers.join_next().await {
        let (slots, worker_stats) = joined.map_err(|error| LoadError::Task {
            task: "worker",
            reason: error.to_string(),
        })?;
        corridors.extend(slots.into_iter().map(|slot| slot.corridor));
        stats.merge(worker_stats);
    }
    let elapsed = start
        .elapsed()
        .min(config.duration.max(Duration::from_millis(1)));
    shared.stop.store(true, Ordering::Relaxed);
    let _ = progress.await; // The progress line only prints; its end carries no result.
    let chaos = match chaos_task {
        Some(task) => Some(task.await.map_err(|error| LoadError::Task {
            task: "chaos",
            reason: error.to_string(),
        })??),
        None => None,
    };
    let chaos = chaos.map(|mut chaos| {
        let timeline = shared.timeline();
        for kill in &mut chaos.node_kills {
            kill.throughput_recovered_ms =
                recovery_ms(&timeline, TIMELINE_BUCKET_MS, kill.killed_at_ms, 0.8);
        }
        chaos
    });
    corridors.sort_by_key(|corridor| corridor.corridor_index);
    let ledger = std::mem::take(&mut stats.ledger);
    Ok(LoadOutcome {
        corridors,
        ledger,
        stats,
        elapsed,
        chaos,
    })
}

/// The operations a worker mixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Operation {
    Append,
    InclusionProof,
    Netting,
    EntityFormation,
}

/// How often each kind of request comes in a worker's stream (0: never).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Mix {
    proof_every: u64,
    netting_every: u64,
    formation_every: u64,
}

/// What a worker's `request_index`-th request is. Proofs take the last request of each
/// `proof_every` block, netting the first of each `netting_every` block after the first, and
/// entity formations the middle of each `formation_every` block, so when the periods divide
/// one another (the defaults, 50, 100 and 500) none takes another's turn and each keeps its
/// stated share. (Proofs and netting both at the last request of a block, as before, made every
/// netting turn also a proof turn: no netting request was ever sent.) Where turns still meet,
/// the proof goes first, then netting.
fn operation_at(request_index: u64, mix: Mix) -> Operation {
    let every = |period: u64, offset: u64| period > 0 && request_index % period == offset;
    if every(mix.proof_every, mix.proof_every.wrapping_sub(1)) {
        Operation::InclusionProof
    } else if request_index > 0 && every(mix.netting_every, 0) {
        Operation::Netting
    } else if every(mix.formation_every, mix.formation_every / 2) {
        Operation::EntityFormation
    } else {
        Operation::Append
    }
}

/// Spacing of the workers' mix phases: a prime, so workers' phases stay distinct modulo any
/// period below it.
const MIX_PHASE_STRIDE: u64 = 997;

/// Where worker `worker_index` starts in the mix. Workers run at about the same pace, so with
/// one common phase every worker sent its proof, netting or formation at the same moment: a
/// formation burst every 500 requests per worker, which a six-second Mass fault window could
/// fall between. Staggered phases spread each kind of request evenly over time.
fn mix_phase(worker_index: u32) -> u64 {
    u64::from(worker_index) * MIX_PHASE_STRIDE
}

/// Entity formations in the mix: the zone's jurisdiction and a run-wide counter that makes
/// every formation (and its idempotency key) distinct.
#[derive(Debug)]
struct Formations {
    jurisdiction: String,
    run_id: String,
    next_number: AtomicU64,
}

/// Decides whether the mix carries entity formations: asks for the zone's jurisdiction and
/// forms one entity. Returns the formations, or why there are none (the report carries it).
async fn probe_formations(
    config: &LoadConfig,
    client: &NodeClient,
    run_id: &str,
) -> (Option<Arc<Formations>>, Option<String>) {
    if config.formation_every == 0 {
        return (None, None);
    }
    let jurisdiction = match client.zone_jurisdiction().await {
        Ok(Some(jurisdiction)) => jurisdiction,
        Ok(None) => {
            return (
                None,
                Some(
                    "no entity formations: the node serves no zone (start it with --zone), so \
                     the mix makes no Mass call"
                        .to_owned(),
                ),
            );
        }
        Err(error) => {
            return (
                None,
                Some(format!("no entity formations: zone lock: {error}")),
            );
        }
    };
    let formations = Formations {
        jurisdiction,
        run_id: run_id.to_owned(),
        next_number: AtomicU64::new(0),
    };
    let (key, number) = formations.next();
    match client
        .entity_formation(&key, &formations.jurisdiction, number)
        .await
    {
        Ok(()) => (Some(Arc::new(formations)), None),
        Err(error) => (
            None,
            Some(format!(
                "no entity formations: the probe formation failed ({error}); the mix makes no \
                 Mass call"
            )),
        ),
    }
}

impl Formations {
    /// The next formation's idempotency key and number.
    fn next(&self) -> (String, u64) {
        let number = self.next_number.fetch_add(1, Ordering::Relaxed);
        (format!("load-{}-formation-{number}", self.run_id), number)
    }
}

/// One worker: a connection's worth of requests over its own corridors.
struct Worker {
    client: NodeClient,
    shared: Arc<Shared>,
    schedule: Schedule,
    start: Instant,
    deadline: Instant,
    /// The shares of proofs, netting and (when the probe found them possible) formations.
    mix: Mix,
    formations: Option<Arc<Formations>>,
    /// Where this worker's mix starts (see [`mix_phase`]).
    mix_phase: u64,
}

impl Worker {
    async fn run(self, mut slots: Vec<Slot>) -> (Vec<Slot>, WorkerStats) {
        let mut stats = WorkerStats::default();
        let mut request_index = 0u64;
        let mut presign: Option<usize> = None;
        let slot_count = slots.len();
        while Instant::now() < self.deadline && slot_count > 0 {
            let wait = self
                .schedule
                .wait_before(request_index, self.start.elapsed());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
                if Instant::now() >= self.deadline {
                    break;
                }
            }
            let intended = self
                .schedule
                .intended_start(request_index)
                .map(|due| self.start + due);
            let operation = self.operation(request_index);
            let slot_index = usize::try_from(request_index % slot_count as u64).unwrap_or(0);
            request_index += 1;
            let Some(slot) = slots.get_mut(slot_index) else {
                continue;
            };
            if slot.needs_resync || slot.pending.is_none() {
                // Learn the head after a lost reply, or sign on the spot; if that fails (the
                // node is still away) the slot's turn passes without a request.
                self.prepare(slot, &mut stats).await;
                if slot.needs_resync || slot.pending.is_none() {
                    continue;
                }
            }
            let slot = &*slot;
            let outcome = match operation {
                Operation::Append => self
                    .append(&mut slots, slot_index, presign.take(), intended, &mut stats)
                    .await
                    .map(|acked| {
                        presign = acked.then_some(slot_index);
                    }),
                Operation::InclusionProof => self.proof(slot, intended, &mut stats).await,
                Operation::Netting => {
                    self.netting(slot, intended, request_index, &mut stats)
                        .await
                }
                Operation::EntityFormation => self.formation(intended, &mut stats).await,
            };
            if let Some(pause) = outcome.err().and_then(|error| error.backoff()) {
                tokio::time::sleep(pause).await;
            }
        }
        // Replies lost near the deadline: learn whether they were committed, so the report's
        // `committed_unacknowledged` is complete. One attempt each; the node is up by now
        // unless it failed for good, and then the verification pass reports it.
        for slot in slots.iter_mut().filter(|slot| slot.needs_resync) {
            self.prepare(slot, &mut stats).await;
        }
        (slots, stats)
    }

    fn operation(&self, request_index: u64) -> Operation {
        operation_at(request_index + self.mix_phase, self.mix)
    }

    /// Appends the slot's pending receipt while pre-signing `presign`'s next one. Returns
    /// whether it was acknowledged.
    async fn append(
        &self,
        slots: &mut [Slot],
        slot_index: usize,
        presign: Option<usize>,
        intended: Option<Instant>,
        stats: &mut WorkerStats,
    ) -> Result<bool, RequestError> {
        let Some(slot) = slots.get(slot_index) else {
            return Ok(false);
        };
        let Some(prepared) = slot.pending.as_ref() else {
            return Ok(false);
        };
        let presign_slot = presign
            .filter(|&index| index != slot_index)
            .and_then(|index| {
                slots
                    .get(index)
                    .filter(|slot| slot.pending.is_none() && !slot.needs_resync)
                    .map(|slot| (index, slot))
            });
        stats.count_request("append");
        let sent_at = intended.unwrap_or_else(Instant::now);
        let (result, signed) = tokio::join!(
            self.client.append(slot.corridor.corridor_id(), prepared),
            async {
                presign_slot.map(|(index, slot)| {
                    (index, now().and_then(|now| slot.corridor.sign_next(now)))
                })
            }
        );
        let latency = sent_at.elapsed();
        if let Some((index, Ok(prepared))) = signed
            && let Some(slot) = slots.get_mut(index)
        {
            slot.pending = Some(prepared);
        }
        let Some(slot) = slots.get_mut(slot_index) else {
            return Ok(false);
        };
        match result {
            Ok(ack) => {
                let Some(prepared) = slot.pending.take() else {
                    return Ok(false);
                };
                if ack.sequence != prepared.sequence || ack.next_root != prepared.next_root {
                    let error = RequestError::Decode {
                        route: "append",
                        reason: format!(
                            "acknowledged sequence {} root {} for sent sequence {} root {}",
                            ack.sequence, ack.next_root, prepared.sequence, prepared.next_root
                        ),
                    };
                    stats.count_error(&self.shared, "append", &error);
                    slot.pending = Some(prepared);
                    slot.needs_resync = true;
                    return Ok(false);
                }
                stats
                    .ledger
                    .record(slot.corridor.corridor_index, ack.sequence, ack.next_root);
                slot.corridor.advance(&prepared);
                stats.append.record_us(duration_us(latency));
                self.shared.record_ack(self.start.elapsed());
                Ok(true)
            }
            Err(error) => {
                stats.count_error(&self.shared, "append", &error);
                slot.needs_resync = !error.surely_not_applied();
                Err(error)
            }
        }
    }

    /// Resyncs the slot after a lost reply, or signs its next receipt.
    async fn prepare(&self, slot: &mut Slot, stats: &mut WorkerStats) {
        if slot.needs_resync {
            match self.client.head(slot.corridor.corridor_id()).await {
                Ok(head) => {
                    let corridor = &mut slot.corridor;
                    let unchanged =
                        head.height == corridor.height() && head.head == corridor.head();
                    let committed = slot.pending.as_ref().filter(|prepared| {
                        head.height == prepared.sequence + 1 && head.head == prepared.next_root
                    });
                    if let Some(prepared) = committed {
                        corridor.advance(prepared);
                        stats.committed_unacknowledged += 1;
                        slot.pending = None;
                    } else if !unchanged {
                        let not_before = slot.pending.as_ref().map(|prepared| prepared.timestamp);
                        corridor.adopt(head.height, head.head, not_before);
                        slot.pending = None;
                    }
                    slot.needs_resync = false;
                }
                Err(error) => {
                    stats.count_error(&self.shared, "resync", &error);
                    if let Some(pause) = error.backoff() {
                        tokio::time::sleep(pause).await;
                    }
                    return;
                }
            }
        }
        if slot.pending.is_none() {
            match now().and_then(|now| slot.corridor.sign_next(now)) {
                Ok(prepared) => slot.pending = Some(prepared),
                Err(error) => {
                    let error = RequestError::Decode {
                        route: "sign",
                        reason: error.to_string(),
                    };
                    stats.count_error(&self.shared, "sign", &error);
                }
            }
        }
    }

    async fn proof(
        &self,
        slot: &Slot,
        intended: Option<Instant>,
        stats: &mut WorkerStats,
    ) -> Result<(), RequestError> {
        let height = slot.corridor.height();
        if height == 0 {
            return Ok(());
        }
        let sequence = fastrand::u64(0..height);
        stats.count_request("inclusion_proof");
        let sent_at = intended.unwrap_or_else(Instant::now);
        let result = self
            .client
            .inclusion_proof(slot.corridor.corridor_id(), sequence)
            .await;
        let latency = sent_at.elapsed();
        let acked = stats.ledger.get(slot.corridor.corridor_index, sequence);
        let checked = result.and_then(|root| match acked {
            Some(acked) if acked != root => Err(RequestError::Decode {
                route: "inclusion_proof",
                reason: format!(
                    "proof of sequence {sequence} is for root {root}, acknowledged {acked}"
                ),
            }),
            _ => Ok(()),
        });
        match checked {
            Ok(()) => {
                stats.proof.record_us(duration_us(latency));
                Ok(())
            }
            Err(error) => {
                stats.count_error(&self.shared, "inclusion_proof", &error);
                Err(error)
            }
        }
    }

    async fn netting(
        &self,
        slot: &Slot,
        intended: Option<Instant>,
        round: u64,
        stats: &mut WorkerStats,
    ) -> Result<(), RequestError> {
        self.timed(
            "netting",
            intended,
            stats,
            |stats| &mut stats.netting,
            self.client.netting(slot.corridor.corridor_id(), round),
        )
        .await
    }

    /// Sends one request whose reply carries nothing to check: counts it, then records its
    /// latency (from `intended` when open-loop, else from now) in the histogram `latencies`
    /// picks, or counts its error.
    async fn timed(
        &self,
        operation: &'static str,
        intended: Option<Instant>,
        stats: &mut WorkerStats,
        latencies: fn(&mut WorkerStats) -> &mut Histogram,
        request: impl Future<Output = Result<(), RequestError>>,
    ) -> Result<(), RequestError> {
        stats.count_request(operation);
        let sent_at = intended.unwrap_or_else(Instant::now);
        match request.await {
            Ok(()) => {
                latencies(stats).record_us(duration_us(sent_at.elapsed()));
                Ok(())
            }
            Err(error) => {
                stats.count_error(&self.shared, operation, &error);
                Err(error)
            }
        }
    }

    /// Forms one entity through the node (its Mass calls included).
    async fn formation(
        &self,
        intended: Option<Instant>,
        stats: &mut WorkerStats,
    ) -> Result<(), RequestError> {
        let Some(formations) = &self.formations else {
            return Ok(());
        };
        let (key, number) = formations.next();
        self.timed(
            "entity_formation",
            intended,
            stats,
            |stats| &mut stats.formation,
            self.client
                .entity_formation(&key, &formations.jurisdiction, number),
        )
        .await
    }
}

fn duration_us(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// Prints one line a second to stderr and samples the node's memory.
async fn progress(
    shared: Arc<Shared>,
    node: Option<Arc<Mutex<NodeProcess>>>,
    start: Instant,
    print: bool,
) {
    let mut last_acknowledged = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.tick().await;
    while !shared.stop.load(Ordering::Relaxed) {
        ticker.tick().await;
        let acknowledged = shared.acknowledged.load(Ordering::Relaxed);
        let errors = shared.errors.load(Ordering::Relaxed);
        let pid = node
            .as_ref()
            .and_then(|node| node.lock().ok().map(|node| node.pid()));
        let rss = pid.and_then(rss_bytes_of).map(|(rss, peak)| {
            shared
                .rss_peak_bytes
                .fetch_max(peak.max(rss), Ordering::Relaxed);
            rss
        });
        if print {
            #[allow(clippy::cast_precision_loss)]
            let rss_text = rss.map_or_else(String::new, |rss| {
                format!("  node rss {:.0} MiB", rss as f64 / 1_048_576.0)
            });
            eprintln!(
                "[{:>6.1}s] acknowledged {acknowledged:>9}  rate {:>7}/s  errors {errors:>7}{rss_text}",
                start.elapsed().as_secs_f64(),
                acknowledged - last_acknowledged,
            );
        }
        last_acknowledged = acknowledged;
    }
}

// ---------------------------------------------------------------------------------------------
// Chaos.

/// Kills actors at 25 % and 70 % of the run, when the generator owns the node SIGKILLs and
/// restarts the node at 45 %, and makes the node's Mass sandbox slow and failing during
/// [`MASS_FAULT_WINDOW`]. Actor kills after the last node kill are the ones whose
/// restarts can still be seen in the tree at the end.
async fn chaos(
    client: NodeClient,
    node: Option<Arc<Mutex<NodeProcess>>>,
    start: Instant,
    duration: Duration,
    run_id: String,
) -> Result<ChaosReport, LoadError> {
    let mut report = ChaosReport::default();
    let at = |fraction: f64| start + duration.mul_f64(fraction);
    tokio::time::sleep_until(at(0.25).into()).await;
    kill_actors(&client, &run_id, &mut report, false).await;
    tokio::time::sleep_until(at(0.45).into()).await;
    match &node {
        Some(node) => {
            let killed_at_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
            let kill_started = Instant::now();
            {
                let mut node = lock(node)?;
                node.kill()?;
                node.restart()?;
            }
            let serving_again_ms = wait_ready(&client, Some(node), READINESS_WAIT_MAX)
                .await
                .ok()
                .map(|_| u64::try_from(kill_started.elapsed().as_millis()).unwrap_or(u64::MAX));
            report.node_kills.push(NodeKill {
                killed_at_ms,
                serving_again_ms,
                throughput_recovered_ms: None,
            });
        }
        None => {
            report.node_kill_note =
                Some("skipped: no --node-cmd, so the generator does not own the node".to_owned());
        }
    }
    tokio::time::sleep_until(at(MASS_FAULT_WINDOW.0).into()).await;
    let (window, note) = mass_fault_window(&client, start, at(MASS_FAULT_WINDOW.1)).await;
    report.mass_fault = window;
    report.mass_fault_note = note;
    tokio::time::sleep_until(at(0.70).into()).await;
    kill_actors(&client, &run_id, &mut report, true).await;
    Ok(report)
}

/// Makes every Mass service of the node's in-process sandbox slow and failing
/// ([`MASS_FAULT_LATENCY_MS`], [`MASS_FAULT_ERROR_RATE`]) through the operator route, waits
/// until `until`, then heals them. Returns the window (`None` when it could not be opened) and
/// a note saying why something was skipped or left undone. A node on real Mass refuses (409):
/// chaos never touches real Mass.
pub async fn mass_fault_window(
    client: &NodeClient,
    start: Instant,
    until: Instant,
) -> (Option<MassFaultWindow>, Option<String>) {
    let before = match client.mass_faults().await {
        Ok(before) => before,
        Err(RequestError::Status {
            status: 409,
            message,
            ..
        }) => {
            return (None, Some(format!("mass faults skipped: {message}")));
        }
        Err(error) => return (None, Some(format!("mass faults unavailable: {error}"))),
    };
    let services: Vec<String> = before["faults"]
        .as_object()
        .map(|faults| faults.keys().cloned().collect())
        .unwrap_or_default();
    let faults = serde_json::json!({
        "latencyMs": MASS_FAULT_LATENCY_MS,
        "errorRate": MASS_FAULT_ERROR_RATE,
        "errorStatus": MASS_FAULT_STATUS,
    });
    let elapsed_ms = || u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut notes = Vec::new();
    for service in &services {
        if let Err(error) = client.set_mass_faults(service, &faults).await {
            notes.push(format!("setting {service} faults: {error}"));
        }
    }
    let set_at_ms = elapsed_ms();
    tokio::time::sleep_until(until.into()).await;
    let after = client.mass_faults().await;
    let healthy = serde_json::json!({});
    let mut healed = true;
    for service in &services {
        if let Err(error) = client.set_mass_faults(service, &healthy).await {
            healed = false;
            notes.push(format!("healing {service}: {error}"));
        }
    }
    let cleared_at_ms = healed.then(elapsed_ms);
    let window = MassFaultWindow {
        set_at_ms,
        cleared_at_ms,
        services,
        latency_ms: MASS_FAULT_LATENCY_MS,
        error_rate: MASS_FAULT_ERROR_RATE,
        error_status: MASS_FAULT_STATUS,
        sandbox_requests_in_window: after
            .ok()
            .map(|after| request_total(&after).saturating_sub(request_total(&before))),
    };
    let note = (!notes.is_empty()).then(|| notes.join("; "));
    (Some(window), note)
}

/// Requests over all services in a `GET /v1/admin/mass-sandbox/faults` answer.
fn request_total(answer: &Value) -> u64 {
    answer["requests"].as_object().map_or(0, |requests| {
        requests.values().filter_map(Value::as_u64).sum()
    })
}

/// Kills up to [`ACTOR_KILLS_PER_ROUND`] of this run's corridor actors found in the tree.
async fn kill_actors(client: &NodeClient, run_id: &str, report: &mut ChaosReport, checkable: bool) {
    let tree = match client.supervision().await {
        Ok(tree) => tree,
        Err(error) => {
            report
                .actor_kill_notes
                .push(format!("supervision tree unavailable: {error}"));
            return;
        }
    };
    let marker = format!("load-{run_id}-");
    let mut paths = Vec::new();
    collect_paths(&tree, &marker, &mut paths);
    if paths.is_empty() {
        report.actor_kill_notes.push(format!(
            "no actor of this run ({marker}*) in the supervision tree"
        ));
        return;
    }
    fastrand::shuffle(&mut paths);
    for path in paths.into_iter().take(ACTOR_KILLS_PER_ROUND) {
        report.actor_kills_requested += 1;
        match client.kill_actor(&path).await {
            Ok(()) => {
                report.actor_kills_accepted += 1;
                if checkable {
                    report.actor_kills_checkable += 1;
                    report.actor_kill_notes.push(format!("killed {path}"));
                }
            }
            Err(error) => report
                .actor_kill_notes
                .push(format!("kill {path}: {error}")),
        }
    }
}

/// Paths of tree nodes whose `name` or `path` contains `marker`.
fn collect_paths(node: &Value, marker: &str, paths: &mut Vec<String>) {
    let path = node.get("path").and_then(Value::as_str);
    let name = node.get("name").and_then(Value::as_str);
    if let Some(path) = path
        && (path.contains(marker) || name.is_some_and(|name| name.contains(marker)))
    {
        paths.push(path.to_owned());
    }
    let children = node.get("children").and_then(Value::as_array);
    for child in children.into_iter().flatten() {
        collect_paths(child, marker, paths);
    }
    if let Some(root) = node.get("root") {
        collect_paths(root, marker, paths);
    }
}

/// Reads the tree at the end: the restart count of each checkable killed actor and the
/// total over the tree.
async fn observe_restarts(client: &NodeClient, report: &mut ChaosReport) {
    let tree = match client.supervision().await {
        Ok(tree) => tree,
        Err(error) => {
            report
                .actor_kill_notes
                .push(format!("supervision tree unavailable at the end: {error}"));
            return;
        }
    };
    let mut counts = BTreeMap::new();
    collect_restart_counts(&tree, &mut counts);
    report.supervision_restart_total = counts.values().sum();
    let killed: Vec<String> = report
        .actor_kill_notes
        .iter()
        .filter_map(|note| note.strip_prefix("killed ").map(str::to_owned))
        .collect();
    report.actor_restarts_seen = killed
        .iter()
        .filter(|path| counts.get(*path).is_some_and(|count| *count > 0))
        .count() as u64;
}

fn collect_restart_counts(node: &Value, counts: &mut BTreeMap<String, u64>) {
    if let (Some(path), Some(count)) = (
        node.get("path").and_then(Value::as_str),
        node.get("restart_count").and_then(Value::as_u64),
    ) {
        counts.insert(path.to_owned(), count);
    }
    let children = node.get("children").and_then(Value::as_array);
    for child in children.into_iter().flatten() {
        collect_restart_counts(child, counts);
    }
    if let Some(root) = node.get("root") {
        collect_restart_counts(root, counts);
    }
}

// ---------------------------------------------------------------------------------------------
// Verification.

/// Totals of the verification pass.
#[derive(Debug, Default)]
struct Verified {
    verified_count: u64,
    failed_count: u64,
    receipt_count: u64,
    lost_count: u64,
    duplicate_count: u64,
    gap_count: u64,
    failures: Vec<String>,
}

/// Exports every corridor and checks it offline against the ledger, `concurrency` at a time.
async fn verify(
    client: &NodeClient,
    corridors: &[LoadCorridor],
    ledger: &AckLedger,
    concurrency: u32,
) -> Result<Verified, LoadError> {
    // Every receipt was signed before this instant, so none is "in the future" for it.
    let verifier_now: Timestamp = now()?;
    let semaphore = Arc::new(tokio::sync::Semaphore::new(concurrency as usize));
    let mut tasks = JoinSet::new();
    for corridor in corridors {
        let client = client.clone();
        let corridor_id = corridor.corridor_id().clone();
        let acked = ledger.corridor(corridor.corridor_index);
        let semaphore = Arc::clone(&semaphore);
        tasks.spawn(async move {
            let _permit = semaphore.acquire_owned().await;
            let exported = client.export(&corridor_id).await;
            let check = match exported {
                Ok(text) => {
                    tokio::task::spawn_blocking(move || check_export(&text, verifier_now, &acked))
                        .await
                        .unwrap_or_else(|error| ExportCheck {
                            failure: Some(format!("verification task failed: {error}")),
                            ..ExportCheck::default()
                        })
                }
                Err(error) => ExportCheck {
                    lost_count: acked.len() as u64,
                    failure: Some(format!("export failed: {error}")),
                    ..ExportCheck::default()
                },
            };
            (corridor_id, check)
        });
    }
    let mut verified = Verified::default();
    while let Some(joined) = tasks.join_next().await {
        let (corridor_id, check) = joined.map_err(|error| LoadError::Task {
            task: "verify",
            reason: error.to_string(),
        })?;
        if check.chain_verified {
            verified.verified_count += 1;
        } else {
            verified.failed_count += 1;
        }
        verified.receipt_count += check.receipt_count;
        verified.lost_count += check.lost_count;
        verified.duplicate_count += check.duplicate_count;
        verified.gap_count += check.gap_count;
        if let Some(failure) = check.failure
            && verified.failures.len() < ERROR_SAMPLES_MAX
        {
            verified.failures.push(format!("{corridor_id}: {failure}"));
        }
    }
    Ok(verified)
}

/// Resident memory from the node's `/metrics` (`process_resident_memory_bytes`), when the
/// generator does not own the process.
async fn metrics_rss(client: &NodeClient) -> (Option<u64>, Option<u64>, String) {
    match client.metrics().await {
        Ok(text) => {
            let value = text
                .lines()
                .find_map(|line| line.strip_prefix("process_resident_memory_bytes "))
                .and_then(|value| value.trim().parse::<f64>().ok());
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            match value {
                Some(bytes) => (Some(bytes as u64), None, "/metrics process_resident_memory_bytes".to_owned()),
                None => (None, None, "not measured: /metrics has no process_resident_memory_bytes and the node was not started by this run".to_owned()),
            }
        }
        Err(error) => (
            None,
            None,
            format!(
                "not measured: /metrics failed ({error}) and the node was not started by this run"
            ),
        ),
    }
}

#[cfg(test)]
mod tests;
