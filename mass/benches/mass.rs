//! Mass client benchmarks against the in-process sandbox on 127.0.0.1 (a bench binary, not
//! criterion: we report percentiles of individual calls, which criterion does not).
//!
//! 1. Client overhead per call: p50/p90/p99 of `organization().get` (token, breaker, retry
//!    loop, URL building, capped read, decode) next to a bare reqwest GET of the same URL; the
//!    difference is what the client adds. Target: client p50 under 100 µs on loopback.
//! 2. 10,000 concurrent cached-fact lookups over 10 keys: must make exactly 10 upstream calls.
//!
//! Run: `cargo bench -p msez-mass --bench mass`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use msez_mass::breaker::BreakerConfig;
use msez_mass::cache::FactCache;
use msez_mass::client::{MassClient, MassClientConfig};
use msez_mass::error::Service;
use msez_mass::organization::{Address, CreateOrganization};
use msez_mass::retry::RetryPolicy;
use msez_mass::sandbox::faults::FaultConfig;
use msez_mass::sandbox::{SandboxConfig, start};
use msez_mass::token::StaticToken;
use msez_protocol::ids::EntityId;
use zeroize::Zeroizing;

const TOKEN: &str = "bench-token";
const CALLS: usize = 10_000;
const WARMUP_CALLS: usize = 1_000;
const LOOKUPS: usize = 10_000;
const KEYS: usize = 10;

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize];
    (at(0.50), at(0.90), at(0.99))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    let sandbox = start(SandboxConfig {
        seed: Some(1),
        bearer_token: Some(Zeroizing::new(TOKEN.to_owned())),
        oauth_client: None,
    })
    .await
    .unwrap();
    let config = MassClientConfig {
        base_url: sandbox.base_url(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            attempts_max: 3,
            backoff_initial: Duration::from_millis(5),
            backoff_max: Duration::from_millis(50),
        },
        breaker: BreakerConfig {
            failures_consecutive_max: 5,
            open_duration: Duration::from_secs(5),
        },
        response_body_bytes_max: 1024 * 1024,
    };
    let token = Arc::new(StaticToken::new(Zeroizing::new(TOKEN.to_owned())).unwrap());
    let mass = MassClient::new(&config, token).unwrap();
    let mut ids = Vec::new();
    for index in 0..KEYS {
        let request = CreateOrganization {
            name: format!("Bench {index}"),
            bio: "bench".to_owned(),
            address: Address {
                country: Some("PK".to_owned()),
                ..Default::default()
            },
            ..Default::default()
        };
        let created = mass.organization().create(&request).await.unwrap();
        ids.push(EntityId::new(created.id.unwrap()).unwrap());
    }

    let id = &ids[0];
    let url = format!(
        "{}/organization-info/api/v1/organization/{}",
        sandbox.base_url(),
        id.as_str()
    );
    let raw = reqwest::Client::builder()
        .tcp_nodelay(true)
        .build()
        .unwrap();
    let mut client_samples = Vec::with_capacity(CALLS);
    let mut raw_samples = Vec::with_capacity(CALLS);
    for round in 0..(WARMUP_CALLS + CALLS) {
        let started = Instant::now();
        let organization = mass.organization().get(id, None).await.unwrap();
        let client_elapsed = started.elapsed();
        assert!(organization.is_some());
        let started = Instant::now();
        let body = raw
            .get(&url)
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let raw_elapsed = started.elapsed();
        assert!(!body.is_empty());
        if round >= WARMUP_CALLS {
            client_samples.push(client_elapsed);
            raw_samples.push(raw_elapsed);
        }
    }
    let (c50, c90, c99) = percentiles(client_samples);
    let (r50, r90, r99) = percentiles(raw_samples);
    println!(
        "organization().get via MassClient, {CALLS} calls: p50 {c50:?} p90 {c90:?} p99 {c99:?}"
    );
    println!(
        "bare reqwest GET same URL,        {CALLS} calls: p50 {r50:?} p90 {r90:?} p99 {r99:?}"
    );
    println!(
        "client overhead at p50 (difference): {:?}",
        c50.saturating_sub(r50)
    );

    // Slow the upstream a little so the lookups genuinely overlap the in-flight loads.
    sandbox
        .set_faults(
            Service::Organization,
            FaultConfig {
                latency_ms: 5,
                ..FaultConfig::healthy()
            },
        )
        .unwrap();
    let cache = Arc::new(FactCache::new(mass.clone(), Duration::from_secs(60)));
    let before = sandbox.request_count(Service::Organization);
    let started = Instant::now();
    let tasks: Vec<_> = (0..LOOKUPS)
        .map(|index| {
            let cache = Arc::clone(&cache);
            let id = ids[index % KEYS].clone();
            tokio::spawn(async move { cache.entity_jurisdiction(&id).await.unwrap() })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().as_deref(), Some("PK"));
    }
    let elapsed = started.elapsed();
    let upstream = sandbox.request_count(Service::Organization) - before;
    println!(
        "{LOOKUPS} concurrent cached lookups over {KEYS} keys: {elapsed:?}, upstream calls {upstream}"
    );
    assert_eq!(upstream, KEYS as u64, "exactly one upstream call per key");
    sandbox.shutdown().await.unwrap();
}
