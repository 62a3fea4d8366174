//! GET /health/liveness over loopback: the zone node (full middleware stack: request id,
//! metrics, body limit, routing) against a plain axum router with one route, in the same run,
//! driven by the same keep-alive reqwest load generator. Run with
//! `cargo bench -p msez-api --bench http`; `MSEZ_BENCH_SECONDS` (default 5) sets each phase.
//! Numbers are noisy on a shared machine: report the load average with them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// The allocator the `msez` binary ships with (src/main.rs), so the node is measured as it
/// runs; the baseline router and the load generator share it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use msez_api::server::auth::TokenTable;
use msez_api::server::node::{MassLocation, StoreLocation};
use msez_api::server::{Node, NodeConfig};

/// Concurrent keep-alive connections of the load generator.
const CONNECTIONS: usize = 32;

async fn load(url: String, duration: Duration) -> (u64, Duration) {
    let count = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (count, stop, url) = (Arc::clone(&count), Arc::clone(&stop), url.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .build()
                .unwrap();
            while !stop.load(Ordering::Relaxed) {
                let response = client.get(&url).send().await.unwrap();
                assert_eq!(response.status().as_u16(), 200);
                response.bytes().await.unwrap();
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(duration).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    (count.load(Ordering::Relaxed), started.elapsed())
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("MSEZ_BENCH_SECONDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(5);
    let duration = Duration::from_secs(seconds);
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(NodeConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        store: StoreLocation::Sqlite(dir.path().join("msez.sqlite")),
        mass: MassLocation::Sandbox,
        tokens: TokenTable::default(),
        body_bytes_max: 1024 * 1024,
        rate_limit_per_second: 0,
        rate_limit_burst: 1,
        zone: None,
        zone_key: std::sync::Arc::new(msez_protocol::keys::SigningKey::from_seed(&[0x5a; 32])),
        node_name: "test-node".to_owned(),
        hosted_watchers: Vec::new(),
    })
    .await
    .unwrap();
    let baseline_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let baseline_addr = baseline_listener.local_addr().unwrap();
    let baseline = Router::new().route("/health/liveness", get(|| async { "{\"status\":\"ok\"}" }));
    tokio::spawn(async move { axum::serve(baseline_listener, baseline).await });
    let (base_count, base_elapsed) =
        load(format!("http://{baseline_addr}/health/liveness"), duration).await;
    let (node_count, node_elapsed) =
        load(format!("{}/health/liveness", node.base_url()), duration).await;
    let base_rate = base_count as f64 / base_elapsed.as_secs_f64();
    let node_rate = node_count as f64 / node_elapsed.as_secs_f64();
    println!(
        "plain axum baseline: {base_rate:.0} req/s ({base_count} requests, {CONNECTIONS} connections)"
    );
    println!(
        "zone node:           {node_rate:.0} req/s ({node_count} requests, {CONNECTIONS} connections)"
    );
    println!("ratio node/baseline: {:.2}", node_rate / base_rate);
    node.shutdown().await.unwrap();
}
