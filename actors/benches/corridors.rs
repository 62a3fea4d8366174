//! Corridor actor benchmark (a bench binary, not a timed test). Run:
//! `MSEZ_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p msez-actors --bench corridors`
//!
//! Measures, on Postgres, in one run:
//! 1. Durable appends/s through `Corridors` with every corridor active at once: client-signed
//!    receipts (signed before timing), one client task per corridor appending its receipts in
//!    order; p50/p99 append latency.
//!    Then latency at a stated load: `MSEZ_BENCH_PACED_RECEIPTS` more receipts per corridor
//!    (default 3) due at `MSEZ_BENCH_PACED_RATE` appends/s (default 15,000, half the issue's
//!    throughput target) round-robin over every corridor, latency counted from the due time.
//! 2. Restart latency: kill a corridor's actor, time until its new incarnation is started
//!    (restarted and hydrated, as the supervision tree reports it) and has answered one call
//!    (p50/p90/p99/max).
//! 3. RSS (VmRSS) at the start, with every corridor created and active but before any receipt
//!    is signed (the actors' own memory), and after the appends (which adds the pre-signed
//!    receipts the bench held and the allocator may not have returned).
//! 4. The persistence ceiling in the same run: raw `GroupCommitWriter` appends/s with the same
//!    concurrency and pre-built receipts, no actors and no signature checks.
//!
//! `MSEZ_BENCH_CORRIDORS` (default 10,000 under `cargo bench`, 200 when `cargo test
//! --all-targets` runs this binary as a smoke test) and `MSEZ_BENCH_RECEIPTS` (receipts per
//! corridor; default 10, or 3 as a smoke test) size the run; `MSEZ_BENCH_LANES` overrides the
//! group commit writer's lanes (default `GROUP_COMMIT_LANES_POSTGRES`).

// A bench binary is test code: any failure aborts the run loudly rather than skewing a number.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used, missing_docs)]

/// The allocator the `msez` binary ships with (api/src/main.rs), so the actors are measured as
/// the node runs them: on glibc's allocator a profile of this bench's append phase spent about
/// a quarter of its CPU in `malloc` and `free`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use msez_actors::clock::{Clock, SystemClock};
use msez_actors::corridor::error::CorridorReject;
use msez_actors::corridor::handle::{Corridors, CorridorsConfig};
use msez_actors::corridor::leases::LeaseConfig;
use msez_actors::corridor::spec::CreateCorridor;
use msez_persistence::group_commit::{GroupCommitConfig, GroupCommitWriter};
use msez_persistence::journal::{AppendRequest, ReceiptRecord};
use msez_persistence::store::{Store, StoreConfig};
use msez_protocol::corridor::agreement::{
    AFFIRMATIVE_COMMITMENT, AGREEMENT_ATTESTATION, AgreementRule, CorridorDefinition,
    DEFINITION_ATTESTATION, TrustAnchor, issue_agreement_credential, issue_definition_credential,
};
use msez_protocol::corridor::lifecycle::{TransitionKind, transition_consent};
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::keys::SigningKey;
use msez_protocol::receipt::{DigestSet, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::CredentialTerms;
use msez_protocol::vc::subjects::CorridorLifecycleState;
use msez_runtime::{
    Backoff, Intensity, Introspection, KeyedHostConfig, RestartPolicy, SupervisionEvent,
};
use serde_json::json;
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;

/// Client tasks appending at once (each owns one corridor at a time).
const CLIENTS_MAX: usize = 2_048;
/// Corridors killed to measure restart latency.
const RESTART_SAMPLES: usize = 200;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn run() {
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let corridor_count = env_or(
        "MSEZ_BENCH_CORRIDORS",
        if benchmarking { 10_000 } else { 200 },
    );
    let receipts_per_corridor = env_or("MSEZ_BENCH_RECEIPTS", if benchmarking { 10 } else { 3 });
    let paced_per_corridor = env_or(
        "MSEZ_BENCH_PACED_RECEIPTS",
        if benchmarking { 3 } else { 1 },
    );
    let paced_rate = env_or(
        "MSEZ_BENCH_PACED_RATE",
        if benchmarking { 15_000 } else { 2_000 },
    );
    let Ok(url) = std::env::var("MSEZ_TEST_DATABASE_URL") else {
        println!("WARNING: MSEZ_TEST_DATABASE_URL is unset; the corridor bench did NOT run");
        return;
    };
    let schema = format!("bench_actors_{}", std::process::id());
    pg_execute(&url.parse().unwrap(), &format!("CREATE SCHEMA {schema}")).await;
    let mut config = StoreConfig::with_defaults();
    config.snapshot_interval_receipts = 64;
    let store = Store::open_postgres(pg_options(&url, &schema), config)
        .await
        .unwrap();
    println!("corridors: {corridor_count}, receipts per corridor: {receipts_per_corridor}");

    let tree = Introspection::new("bench");
    let clock = Arc::new(SystemClock::new().unwrap());
    let corridors = Corridors::start(
        store.clone(),
        Arc::new(SigningKey::from_seed(&[31; 32])),
        clock.clone(),
        corridors_config(&store),
        &tree,
    )
    .await
    .unwrap();
    let rss_start_kb = rss_kb();
    let started = Instant::now();
    let ids: Vec<CorridorId> = (0..corridor_count)
        .map(|i| CorridorId::new(format!("PK-AE.bench.{i}")).unwrap())
        .collect();
    let genesis_roots = create_all(&corridors, &ids).await;
    println!(
        "created and activated {corridor_count} corridors in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "RSS at start {rss_start_kb} kB; with {} active corridors, before any receipt is signed: {} kB",
        corridors.active_count(),
        rss_kb()
    );
    let now = clock.now();
    let signing = Instant::now();
    let (chains, paced_chains): (Vec<Vec<SignedReceipt>>, Vec<Vec<SignedReceipt>>) = ids
        .iter()
        .zip(&genesis_roots)
        .map(|(id, root)| {
            let mut chain = sign_chain(id, *root, receipts_per_corridor + paced_per_corridor, now);
            let paced = chain.split_off(receipts_per_corridor);
            (chain, paced)
        })
        .unzip();
    println!(
        "pre-signed {} receipts in {:.1} s (not timed below)",
        corridor_count * (receipts_per_corridor + paced_per_corridor),
        signing.elapsed().as_secs_f64()
    );

    // Phase 1: durable appends through the actors.
    let (rate, mut latencies_us) = append_all(&corridors, &ids, chains).await;
    latencies_us.sort_unstable();
    println!(
        "actor appends: {rate:.0} appends/s; latency p50 {:.2} ms, p99 {:.2} ms; active actors {}",
        percentile(&latencies_us, 50) as f64 / 1000.0,
        percentile(&latencies_us, 99) as f64 / 1000.0,
        corridors.active_count()
    );

    // Phase 1b: latency at a stated load. Phase 1 keeps 2,048 appends in flight, so its
    // latency is queueing (in flight / throughput); here appends are due at a fixed rate,
    // round-robin over every corridor, and latency counts from when each was due.
    let (achieved, mut paced_us) = append_paced(&corridors, &ids, paced_chains, paced_rate).await;
    paced_us.sort_unstable();
    println!(
        "paced appends, {paced_rate}/s offered over {corridor_count} corridors: {achieved:.0}/s achieved; \
         latency from due time p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&paced_us, 50) as f64 / 1000.0,
        percentile(&paced_us, 99) as f64 / 1000.0,
        paced_us.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    println!(
        "RSS with {} active corridors after the appends (pre-signed receipts included): {} kB",
        corridors.active_count(),
        rss_kb()
    );

    // Phase 2: restart latency: kill, wait for the supervision tree's `Started` event of the
    // new incarnation (restarted and hydrated), then its first reply. Waiting on the event
    // rather than polling matters on two cores: a polling loop takes a whole core from the
    // restart and from Postgres, and the scheduler's time slices then show up as restart
    // latency (a bimodal 1 ms / 4–6 ms distribution when this phase polled).
    let mut events = tree.subscribe();
    let mut restarts_us = Vec::new();
    for id in ids
        .iter()
        .step_by((corridor_count / RESTART_SAMPLES).max(1))
        .take(RESTART_SAMPLES)
    {
        let path = corridors.actor_path(id);
        let started = Instant::now();
        assert!(corridors.kill(id).await.unwrap(), "{id} was not live");
        loop {
            match events.recv().await {
                Ok(SupervisionEvent::Started { path: started_path }) if started_path == path => {
                    break;
                }
                Ok(_) => {}
                Err(error) => panic!("supervision events: {error}"),
            }
        }
        corridors.summary(id).await.unwrap();
        restarts_us.push(u64::try_from(started.elapsed().as_micros()).unwrap());
    }
    restarts_us.sort_unstable();
    println!(
        "restart (kill + first reply), {} samples: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        restarts_us.len(),
        percentile(&restarts_us, 50) as f64 / 1000.0,
        percentile(&restarts_us, 90) as f64 / 1000.0,
        percentile(&restarts_us, 99) as f64 / 1000.0,
        restarts_us.last().copied().unwrap_or(0) as f64 / 1000.0
    );
    corridors.shutdown().await;

    // Phase 3: the persistence ceiling, same database, same concurrency, no actors.
    let raw = raw_group_commit(&store, corridor_count, receipts_per_corridor).await;
    println!(
        "raw GroupCommitWriter: {raw:.0} appends/s; actors reach {:.2} of it",
        rate / raw
    );
    store.close().await;
    pg_execute(
        &url.parse().unwrap(),
        &format!("DROP SCHEMA {schema} CASCADE"),
    )
    .await;
}

/// The group commit writer's configuration: the store's defaults, with `MSEZ_BENCH_LANES`
/// writer lanes when set.
fn writer_config(store: &Store) -> GroupCommitConfig {
    let mut config = GroupCommitConfig::for_store(store);
    if let Some(lanes) = std::env::var("MSEZ_BENCH_LANES")
        .ok()
        .and_then(|text| text.parse().ok())
    {
        config.lanes = lanes;
    }
    config
}

fn corridors_config(store: &Store) -> CorridorsConfig {
    CorridorsConfig {
        host: KeyedHostConfig {
            name: "corridors".to_owned(),
            shard_count: 64,
            admission_bound: 1_024,
            idle_passivation: None,
            restart: RestartPolicy::Permanent,
            backoff: Backoff {
                initial_ms: 1,
                max_ms: 100,
            },
            intensity: Intensity {
                max_restarts: 100,
                period_ms: 60_000,
            },
            call_timeout: Duration::from_secs(60),
        },
        lease: LeaseConfig {
            owner: "bench-node".to_owned(),
            ttl: Duration::from_secs(60),
            renew_interval: Duration::from_secs(20),
        },
        group_commit: writer_config(store),
        events_capacity: 1_024,
        retry_after_ms: 50,
    }
}

fn key(index: u8) -> SigningKey {
    SigningKey::from_seed(&[index; 32])
}

/// Key 1 is the corridor's one party: it signs receipts, issues the definition credential and
/// agrees (two signatures per created corridor, made before the corridor is created).
fn create_request(corridor_id: &CorridorId, now: Timestamp) -> CreateCorridor {
    let party = key(1);
    let definition = CorridorDefinition {
        corridor_id: corridor_id.clone(),
        jurisdiction_ids: vec![
            JurisdictionId::new("PK").unwrap(),
            JurisdictionId::new("AE").unwrap(),
        ],
        settlement_model: "deferred_net".to_owned(),
        settlement_transfer_max_minor: BTreeMap::new(),
        required_attestations: BTreeSet::new(),
        trust_anchors: vec![TrustAnchor {
            did: *party.did(),
            allowed_attestations: [AGREEMENT_ATTESTATION, DEFINITION_ATTESTATION]
                .map(str::to_owned)
                .into(),
        }],
        key_rotation_overlap_seconds: 0,
        dispute_path: "DIFC-LCIA".to_owned(),
        receipt_signature_threshold: 1,
        receipt_signers: [*party.did()].into_iter().collect(),
        watcher_quorum: 1,
        checkpoint_interval_receipts: 1_000,
        agreement_rules: vec![AgreementRule {
            rule_id: "party".to_owned(),
            threshold_count: 1,
            parties: [*party.did()].into_iter().collect(),
        }],
    };
    let terms = || CredentialTerms::issued_by(*party.did(), now);
    let definition_credential = issue_definition_credential(
        &definition,
        vec![Digest::from_bytes([3; 32])],
        vec![Digest::from_bytes([4; 32])],
        terms(),
        &party,
        now,
    )
    .unwrap();
    let agreement =
        issue_agreement_credential(&definition, AFFIRMATIVE_COMMITMENT, terms(), &party, now)
            .unwrap();
    let regulators = [("PK", 11u8), ("AE", 12u8)]
        .into_iter()
        .map(|(j, k)| (JurisdictionId::new(j).unwrap(), *key(k).did()))
        .collect();
    let approvals = [11u8, 12u8]
        .iter()
        .map(|k| {
            transition_consent(
                corridor_id,
                CorridorLifecycleState::Pending,
                TransitionKind::Activate,
                &key(*k),
                now,
            )
            .unwrap()
        })
        .collect();
    CreateCorridor {
        definition,
        definition_credential,
        agreements: vec![agreement],
        regulators,
        authorities: [*key(21).did()].into_iter().collect(),
        activation_approvals: approvals,
        party_entity_ids: vec![
            EntityId::new(format!("{corridor_id}-pk")).unwrap(),
            EntityId::new(format!("{corridor_id}-ae")).unwrap(),
        ],
    }
}

async fn create_all(corridors: &Corridors, ids: &[CorridorId]) -> Vec<Digest> {
    let now = SystemClock::new().unwrap().now();
    let gate = Arc::new(tokio::sync::Semaphore::new(CLIENTS_MAX));
    let mut tasks = tokio::task::JoinSet::new();
    for (index, id) in ids.iter().enumerate() {
        let (corridors, id, gate) = (corridors.clone(), id.clone(), Arc::clone(&gate));
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let created = corridors.create(create_request(&id, now)).await.unwrap();
            (index, created.genesis_root)
        });
    }
    let mut roots = vec![Digest::from_bytes([0; 32]); ids.len()];
    while let Some(done) = tasks.join_next().await {
        let (index, root) = done.unwrap();
        roots[index] = root;
    }
    roots
}

fn sign_chain(
    id: &CorridorId,
    genesis_root: Digest,
    count: usize,
    now: Timestamp,
) -> Vec<SignedReceipt> {
    let signer = key(1);
    let mut head = genesis_root;
    (0..count as u64)
        .map(|sequence| {
            let receipt = Receipt {
                receipt_type: ReceiptType::CorridorStateReceipt,
                corridor_id: id.clone(),
                sequence,
                timestamp: now,
                prev_root: head,
                next_root: Digest::from_bytes([0; 32]),
                lawpack_digest_set: DigestSet::normalised([Digest::from_bytes([3; 32])]),
                ruleset_digest_set: DigestSet::normalised([Digest::from_bytes([4; 32])]),
                transition: Some(Transition::new("note", json!({"sequence": sequence})).unwrap()),
            };
            let signed = SignedReceipt::seal_and_sign(receipt, &[&signer], now).unwrap();
            head = signed.document.next_root;
            signed
        })
        .collect()
}

async fn append_all(
    corridors: &Corridors,
    ids: &[CorridorId],
    chains: Vec<Vec<SignedReceipt>>,
) -> (f64, Vec<u64>) {
    let total: usize = chains.iter().map(Vec::len).sum();
    let gate = Arc::new(tokio::sync::Semaphore::new(CLIENTS_MAX));
    let started = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (id, chain) in ids.iter().cloned().zip(chains) {
        let (corridors, gate) = (corridors.clone(), Arc::clone(&gate));
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let mut latencies = Vec::with_capacity(chain.len());
            for receipt in chain {
                let sent = Instant::now();
                loop {
                    match corridors.append(&id, receipt.clone()).await {
                        Ok(_) => break,
                        Err(CorridorReject::Overloaded { retry_after_ms, .. }) => {
                            tokio::time::sleep(Duration::from_millis(retry_after_ms)).await;
                        }
                        Err(other) => panic!("{other}"),
                    }
                }
                latencies.push(u64::try_from(sent.elapsed().as_micros()).unwrap());
            }
            latencies
        });
    }
    rate_and_latencies(tasks, total, started).await
}

/// Appends each corridor's `chains` receipts at `rate_per_s` in all, open loop: receipt `k` of
/// corridor `i` (of `n`) is due at `(k * n + i) / rate_per_s` seconds, one task per corridor
/// keeps its receipts in order. Returns the achieved rate and each latency from its due time.
async fn append_paced(
    corridors: &Corridors,
    ids: &[CorridorId],
    chains: Vec<Vec<SignedReceipt>>,
    rate_per_s: usize,
) -> (f64, Vec<u64>) {
    let total: usize = chains.iter().map(Vec::len).sum();
    let corridor_count = ids.len();
    let interval_s = 1.0 / rate_per_s.max(1) as f64;
    let started = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (index, (id, chain)) in ids.iter().cloned().zip(chains).enumerate() {
        let corridors = corridors.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(chain.len());
            for (round, receipt) in chain.into_iter().enumerate() {
                let slot = round * corridor_count + index;
                let due = started + Duration::from_secs_f64(slot as f64 * interval_s);
                tokio::time::sleep_until(due).await;
                corridors.append(&id, receipt).await.unwrap();
                latencies.push(u64::try_from(due.elapsed().as_micros()).unwrap());
            }
            latencies
        });
    }
    rate_and_latencies(tasks, total, started).await
}

/// Waits for every client task; returns appends/s since `started` and all their latencies.
async fn rate_and_latencies(
    mut tasks: tokio::task::JoinSet<Vec<u64>>,
    total: usize,
    started: tokio::time::Instant,
) -> (f64, Vec<u64>) {
    let mut latencies = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.unwrap());
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    (rate, latencies)
}

async fn raw_group_commit(
    store: &Store,
    corridor_count: usize,
    receipts_per_corridor: usize,
) -> f64 {
    let owner = "raw-writer";
    let mut epochs = BTreeMap::new();
    let ids: Vec<CorridorId> = (0..corridor_count)
        .map(|i| CorridorId::new(format!("PK-AE.raw.{i}")).unwrap())
        .collect();
    for id in &ids {
        let shard = store.shard_of(id);
        if let std::collections::btree_map::Entry::Vacant(entry) = epochs.entry(shard) {
            let lease = store
                .acquire_lease(shard, owner, Duration::from_secs(60))
                .await
                .unwrap();
            entry.insert(lease.epoch);
        }
    }
    let now = SystemClock::new().unwrap().now();
    let chains: Vec<Vec<AppendRequest>> = ids
        .iter()
        .map(|id| {
            let epoch = epochs[&store.shard_of(id)];
            sign_chain(id, Digest::from_bytes([0; 32]), receipts_per_corridor, now)
                .into_iter()
                .map(|signed| AppendRequest {
                    receipt: ReceiptRecord {
                        corridor_id: id.clone(),
                        sequence: signed.document.sequence,
                        next_root: signed.document.next_root,
                        receipt: signed.canonical_bytes().unwrap(),
                    },
                    epoch,
                    snapshot: None,
                })
                .collect()
        })
        .collect();
    let total: usize = chains.iter().map(Vec::len).sum();
    let writer = Arc::new(GroupCommitWriter::start(store.clone(), writer_config(store)).unwrap());
    let gate = Arc::new(tokio::sync::Semaphore::new(CLIENTS_MAX));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for chain in chains {
        let (writer, gate) = (Arc::clone(&writer), Arc::clone(&gate));
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            for request in chain {
                writer.append(request).await.unwrap();
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    total as f64 / started.elapsed().as_secs_f64()
}

fn percentile(sorted: &[u64], percent: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[(sorted.len() - 1) * percent / 100]
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

fn pg_options(url: &str, schema: &str) -> PgConnectOptions {
    url.parse::<PgConnectOptions>()
        .unwrap()
        .options([("search_path", schema)])
}

async fn pg_execute(options: &PgConnectOptions, sql: &str) {
    let mut connection = sqlx::PgConnection::connect_with(options).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}
