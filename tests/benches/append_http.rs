//! Receipt appends over HTTP on loopback, three servers in one run driven by the same
//! keep-alive generator:
//! 1. plain axum: parse the JSON body and echo its `sequence` and `next_root` (the HTTP and
//!    JSON floor of this machine, the baseline the issue names);
//! 2. plain axum + in-memory chain: parse, then `ReceiptChain::append` (every SPEC §5 check,
//!    strict Ed25519 verification, the MMR), no actor, no store: what every append must do
//!    whatever the server;
//! 3. the zone node's `POST /v1/corridors/{id}/receipts`: authentication, routing to the
//!    corridor actor, every SPEC §5 check, the group commit, 201 once durable.
//!
//! Every receipt is signed before either phase starts, so the generator's share of the two
//! cores is HTTP alone (a client signs on its own machine); both phases send the same receipts
//! in the same order and check every acknowledged `(sequence, next_root)`. The second phase's
//! rate is the ceiling for this machine: no implementation that verifies each receipt can
//! append faster over this HTTP stack with the generator on the same cores.
//!
//! Run with `cargo bench -p msez-tests --bench append_http`. Knobs (environment):
//! `MSEZ_BENCH_SECONDS` (each phase, default 5), `MSEZ_BENCH_CORRIDORS` (default 1,000),
//! `MSEZ_BENCH_RECEIPTS` (pre-signed per corridor, default 150: a phase that runs out says so),
//! `MSEZ_BENCH_CONNECTIONS` (default 64), `MSEZ_BENCH_DATABASE_URL` (a Postgres node; the
//! default is SQLite in a temporary directory, the node's default store). Without `--bench`
//! (as under `cargo test`) it is a smoke run: a few corridors, every receipt sent, every
//! acknowledgement checked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The allocator the `msez` binary ships with, so the node is measured as it runs; the
/// baseline and the generator share it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use msez_api::server::auth::{Role, TokenTable};
use msez_api::server::node::{MassLocation, StoreLocation};
use msez_api::server::{Node, NodeConfig};
use msez_protocol::chain::{ChainParts, ReceiptChain};
use msez_protocol::mmr::MmrPeaks;
use msez_protocol::receipt::SignedReceipt;
use msez_tests::load::client::NodeClient;
use msez_tests::load::corridor::{LoadCorridor, PreparedAppend, ZoneKeys, now};
use msez_tests::load::engine::{create_active_corridor, run_id};
use msez_tests::load::histogram::Histogram;

const ADMIN_TOKEN: &str = "append-http-bench-admin-token";

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(default)
}

/// One corridor's receipts, signed in chain order before the phases.
struct Presigned {
    corridor: LoadCorridor,
    appends: Vec<PreparedAppend>,
}

/// What one phase measured.
struct Phase {
    acknowledged: u64,
    elapsed: Duration,
    latencies: Histogram,
    /// Some worker sent all its receipts before the deadline.
    ran_dry: bool,
}

impl Phase {
    fn rate_per_s(&self) -> f64 {
        self.acknowledged as f64 / self.elapsed.as_secs_f64()
    }
}

/// Sends every worker's corridors round-robin, one request in flight per worker, until `duration`
/// passes or the receipts run out; every acknowledgement must be the receipt's own.
async fn drive(
    client: &NodeClient,
    workers: &Arc<Vec<Vec<Presigned>>>,
    duration: Duration,
) -> Phase {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = JoinSet::new();
    for worker_index in 0..workers.len() {
        let (client, workers) = (client.clone(), Arc::clone(workers));
        tasks.spawn(async move {
            let corridors = &workers[worker_index];
            let mut latencies = Histogram::new();
            let mut acknowledged = 0u64;
            let longest = corridors
                .iter()
                .map(|presigned| presigned.appends.len())
                .max()
                .unwrap_or(0);
            'rounds: for round in 0..longest {
                for presigned in corridors {
                    if Instant::now() >= deadline {
                        break 'rounds;
                    }
                    let Some(prepared) = presigned.appends.get(round) else {
                        continue;
                    };
                    let sent = Instant::now();
                    let ack = client
                        .append(presigned.corridor.corridor_id(), prepared)
                        .await
                        .unwrap_or_else(|error| {
                            panic!("append {}: {error}", presigned.corridor.corridor_id())
                        });
                    latencies.record_us(sent.elapsed().as_micros() as u64);
                    assert_eq!(
                        (ack.sequence, ack.next_root),
                        (prepared.sequence, prepared.next_root),
                        "acknowledgement of {}",
                        presigned.corridor.corridor_id()
                    );
                    acknowledged += 1;
                }
            }
            (acknowledged, latencies, Instant::now() < deadline)
        });
    }
    let mut phase = Phase {
        acknowledged: 0,
        elapsed: Duration::ZERO,
        latencies: Histogram::new(),
        ran_dry: false,
    };
    while let Some(joined) = tasks.join_next().await {
        let (acknowledged, latencies, ran_dry) = joined.unwrap();
        phase.acknowledged += acknowledged;
        phase.latencies.merge(&latencies);
        phase.ran_dry |= ran_dry;
    }
    phase.elapsed = started.elapsed();
    phase
}

/// The bare baseline: parse the body, echo what the generator checks. No verification.
async fn bare_append(
    Path(corridor_id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, axum::Json<Value>), (StatusCode, String)> {
    let value: Value = serde_json::from_slice(&body)
        .map_err(|error| (StatusCode::BAD_REQUEST, error.to_string()))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "corridor_id": corridor_id,
            "sequence": value["sequence"],
            "next_root": value["next_root"],
        })),
    ))
}

/// The chain baseline's state: one in-memory chain per corridor.
type Chains = Arc<HashMap<String, Mutex<ReceiptChain>>>;

/// The chain baseline: parse, then every SPEC §5 check and the MMR append, in memory.
async fn chain_append(
    State(chains): State<Chains>,
    Path(corridor_id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, axum::Json<Value>), (StatusCode, String)> {
    let refuse = |error: String| (StatusCode::UNPROCESSABLE_ENTITY, error);
    let value: Value = serde_json::from_slice(&body).map_err(|error| refuse(error.to_string()))?;
    let signed = SignedReceipt::from_value(&value).map_err(|error| refuse(error.to_string()))?;
    let chain = chains
        .get(&corridor_id)
        .ok_or((StatusCode::NOT_FOUND, corridor_id.clone()))?;
    let now = now().map_err(|error| refuse(error.to_string()))?;
    let appended = chain
        .lock()
        .unwrap()
        .append(&signed, now)
        .map_err(|error| refuse(error.to_string()))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "corridor_id": corridor_id,
            "sequence": appended.sequence,
            "next_root": appended.next_root.to_hex(),
            "mmr_root": appended.mmr_root.to_hex(),
        })),
    ))
}

/// Creates and activates `corridor_count` corridors on the node, `concurrency` at a time.
async fn create_corridors(
    client: &NodeClient,
    corridor_count: usize,
    concurrency: usize,
) -> Vec<LoadCorridor> {
    let zone_keys = Arc::new(ZoneKeys::generate().unwrap());
    let run_id = run_id().unwrap();
    let signed_at = now().unwrap();
    let mut tasks = JoinSet::new();
    for first in 0..concurrency.min(corridor_count) {
        let (client, zone_keys, run_id) = (client.clone(), Arc::clone(&zone_keys), run_id.clone());
        tasks.spawn(async move {
            let mut created = Vec::new();
            for index in (first..corridor_count).step_by(concurrency) {
                let corridor =
                    create_active_corridor(&client, &zone_keys, &run_id, index, signed_at)
                        .await
                        .unwrap_or_else(|error| panic!("corridor {index}: {error}"));
                created.push(corridor);
            }
            created
        });
    }
    let mut corridors = Vec::with_capacity(corridor_count);
    while let Some(joined) = tasks.join_next().await {
        corridors.extend(joined.unwrap());
    }
    corridors
}

/// Signs `receipt_count` receipts per corridor in chain order, on blocking threads (one
/// chunk per core), and puts each corridor back at its genesis.
async fn presign(corridors: Vec<LoadCorridor>, receipt_count: usize) -> Vec<Presigned> {
    let chunk_count = std::thread::available_parallelism().map_or(2, usize::from);
    let chunk_size = corridors.len().div_ceil(chunk_count).max(1);
    let mut chunks: Vec<Vec<LoadCorridor>> = Vec::new();
    let mut rest = corridors.into_iter().peekable();
    while rest.peek().is_some() {
        chunks.push(rest.by_ref().take(chunk_size).collect());
    }
    let signed_at = now().unwrap();
    let mut tasks = JoinSet::new();
    for chunk in chunks {
        tasks.spawn_blocking(move || {
            chunk
                .into_iter()
                .map(|mut corridor| {
                    let genesis_root = corridor.head();
                    let appends = (0..receipt_count)
                        .map(|_| {
                            let prepared = corridor.sign_next(signed_at).unwrap();
                            assert!(corridor.advance(&prepared));
                            prepared
                        })
                        .collect();
                    corridor.start_at(genesis_root);
                    Presigned { corridor, appends }
                })
                .collect::<Vec<_>>()
        });
    }
    let mut presigned = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        presigned.extend(joined.unwrap());
    }
    presigned
}

/// Deals the corridors out to `worker_count` workers.
fn deal(presigned: Vec<Presigned>, worker_count: usize) -> Arc<Vec<Vec<Presigned>>> {
    let mut workers: Vec<Vec<Presigned>> = (0..worker_count).map(|_| Vec::new()).collect();
    for (index, corridor) in presigned.into_iter().enumerate() {
        workers[index % worker_count].push(corridor);
    }
    workers.retain(|corridors| !corridors.is_empty());
    Arc::new(workers)
}

/// Serves `router` on an ephemeral loopback port; returns a client for it.
async fn serve(router: Router, connection_count: usize) -> NodeClient {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    NodeClient::new(&url, "unused", connection_count).unwrap()
}

fn print_phase(name: &str, phase: &Phase, connection_count: usize, benchmarking: bool) {
    let latencies = phase.latencies.percentiles();
    println!(
        "{name}: {:.0} appends/s ({} in {:.2} s, {connection_count} connections); latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms{}",
        phase.rate_per_s(),
        phase.acknowledged,
        phase.elapsed.as_secs_f64(),
        latencies.p50_ms,
        latencies.p99_ms,
        latencies.max_ms,
        if phase.ran_dry && benchmarking {
            "; RAN OUT of pre-signed receipts before the deadline: raise MSEZ_BENCH_RECEIPTS"
        } else {
            ""
        }
    );
}

#[tokio::main]
async fn main() {
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let corridor_count = env_or("MSEZ_BENCH_CORRIDORS", if benchmarking { 1_000 } else { 8 });
    let receipt_count = env_or("MSEZ_BENCH_RECEIPTS", if benchmarking { 150 } else { 4 });
    let connection_count = env_or("MSEZ_BENCH_CONNECTIONS", if benchmarking { 64 } else { 4 });
    // A smoke run sends every receipt; the deadline only bounds a hang.
    let phase_s = if benchmarking {
        env_or("MSEZ_BENCH_SECONDS", 5)
    } else {
        60
    };
    let (corridor_count, receipt_count, connection_count) = (
        corridor_count as usize,
        receipt_count as usize,
        connection_count as usize,
    );
    let database_url = std::env::var("MSEZ_BENCH_DATABASE_URL").ok();

    let dir = tempfile::tempdir().unwrap();
    let store = match &database_url {
        Some(url) => StoreLocation::Postgres {
            url: url.clone(),
            search_path: None,
        },
        None => StoreLocation::Sqlite(dir.path().join("msez.sqlite")),
    };
    let mut tokens = TokenTable::default();
    tokens.insert_plaintext("bench", Role::ZoneAdmin, ADMIN_TOKEN);
    let node = Node::start(NodeConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        store,
        mass: MassLocation::Sandbox,
        tokens,
        body_bytes_max: 1024 * 1024,
        rate_limit_per_second: 0,
        rate_limit_burst: 1,
        zone: None,
        zone_key: Arc::new(msez_protocol::keys::SigningKey::from_seed(&[0x5a; 32])),
        node_name: "append-http-bench".to_owned(),
        hosted_watchers: Vec::new(),
    })
    .await
    .unwrap();
    let node_client = NodeClient::new(&node.base_url(), ADMIN_TOKEN, connection_count).unwrap();

    let started = Instant::now();
    let corridors = create_corridors(&node_client, corridor_count, connection_count).await;
    eprintln!(
        "append_http: {corridor_count} corridors created and activated on the node ({}) in {:.1} s",
        if database_url.is_some() {
            "Postgres"
        } else {
            "SQLite"
        },
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let presigned = presign(corridors, receipt_count).await;
    eprintln!(
        "append_http: {} receipts signed in {:.1} s",
        corridor_count * receipt_count,
        started.elapsed().as_secs_f64()
    );

    let chains: HashMap<String, Mutex<ReceiptChain>> = presigned
        .iter()
        .map(|presigned| {
            let corridor = &presigned.corridor;
            let chain = ReceiptChain::from_parts(ChainParts {
                corridor_id: corridor.corridor_id().clone(),
                genesis_root: corridor.head(),
                head: corridor.head(),
                height: 0,
                mmr: MmrPeaks::new(),
                last_timestamp: None,
                lawpack_digest_set: Default::default(),
                ruleset_digest_set: Default::default(),
                policy: corridor.policy().unwrap(),
            })
            .unwrap();
            (corridor.corridor_id().to_string(), Mutex::new(chain))
        })
        .collect();
    let bare_client = serve(
        Router::new().route("/v1/corridors/{corridor_id}/receipts", post(bare_append)),
        connection_count,
    )
    .await;
    let chain_client = serve(
        Router::new()
            .route("/v1/corridors/{corridor_id}/receipts", post(chain_append))
            .with_state(Arc::new(chains)),
        connection_count,
    )
    .await;

    let workers = deal(presigned, connection_count);
    let duration = Duration::from_secs(phase_s);
    let bare = drive(&bare_client, &workers, duration).await;
    let chain = drive(&chain_client, &workers, duration).await;
    let zone = drive(&node_client, &workers, duration).await;
    let connections = workers.len();
    print_phase(
        "plain axum (parse, echo)    ",
        &bare,
        connections,
        benchmarking,
    );
    print_phase(
        "plain axum + in-memory chain",
        &chain,
        connections,
        benchmarking,
    );
    print_phase(
        "zone node (durable)         ",
        &zone,
        connections,
        benchmarking,
    );
    println!(
        "ratio node/plain axum: {:.2}; node/in-memory chain: {:.2}",
        zone.rate_per_s() / bare.rate_per_s(),
        zone.rate_per_s() / chain.rate_per_s()
    );
    if !benchmarking {
        let all = (corridor_count * receipt_count) as u64;
        for (name, phase) in [("bare", &bare), ("chain", &chain), ("node", &zone)] {
            assert_eq!(phase.acknowledged, all, "{name} acknowledged every receipt");
        }
    }
    node.shutdown().await.unwrap();
}
