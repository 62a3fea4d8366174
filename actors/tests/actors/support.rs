//! Shared fixtures: a seeded Mass sandbox on 127.0.0.1:0, a Mass client for it, a mass pool,
//! a private SQLite store, and the HTTP fault switch.

use std::sync::Arc;
use std::time::Duration;

use msez_actors::mass_pool::{MassPool, MassPoolConfig, worker_index_of};
use msez_mass::breaker::BreakerConfig;
use msez_mass::client::{MassClient, MassClientConfig};
use msez_mass::organization::{Address, CreateOrganization};
use msez_mass::retry::RetryPolicy;
use msez_mass::sandbox::{SandboxConfig, SandboxHandle, start};
use msez_mass::token::StaticToken;
use msez_persistence::store::{Store, StoreConfig};
use msez_protocol::ids::EntityId;
use zeroize::Zeroizing;

/// The bearer token the test sandbox requires.
pub const TOKEN: &str = "tok-actors-test-never-log-me";

pub async fn sandbox() -> SandboxHandle {
    start(SandboxConfig {
        seed: Some(11),
        bearer_token: Some(Zeroizing::new(TOKEN.to_owned())),
        oauth_client: None,
    })
    .await
    .unwrap()
}

/// A client whose breaker opens after `failures_consecutive_max` failures.
pub fn client_with_breaker(sandbox: &SandboxHandle, failures_consecutive_max: u32) -> MassClient {
    let config = MassClientConfig {
        base_url: sandbox.base_url(),
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            attempts_max: 2,
            backoff_initial: Duration::from_millis(1),
            backoff_max: Duration::from_millis(2),
        },
        breaker: BreakerConfig {
            failures_consecutive_max,
            open_duration: Duration::from_secs(60),
        },
        response_body_bytes_max: 1024 * 1024,
    };
    let token = Arc::new(StaticToken::new(Zeroizing::new(TOKEN.to_owned())).unwrap());
    MassClient::new(&config, token).unwrap()
}

pub fn client(sandbox: &SandboxHandle) -> MassClient {
    client_with_breaker(sandbox, 50)
}

pub fn pool_config(worker_count: usize, in_flight_max: usize) -> MassPoolConfig {
    MassPoolConfig {
        worker_count,
        in_flight_max,
        call_timeout: Duration::from_secs(30),
    }
}

pub async fn pool(sandbox: &SandboxHandle, worker_count: usize, in_flight_max: usize) -> MassPool {
    MassPool::start(
        client(sandbox),
        pool_config(worker_count, in_flight_max),
        None,
    )
    .await
    .unwrap()
}

/// An organization to create in the sandbox: a name, a description and a Pakistani address.
pub fn organization(name: &str, bio: &str) -> CreateOrganization {
    CreateOrganization {
        name: name.to_owned(),
        bio: bio.to_owned(),
        address: Address {
            country: Some("PK".to_owned()),
            ..Address::default()
        },
        ..CreateOrganization::default()
    }
}

pub fn entity(name: &str) -> EntityId {
    EntityId::new(name).unwrap()
}

/// Two entity ids routed to different workers of a pool of `worker_count`.
pub fn entities_on_different_workers(worker_count: usize) -> (EntityId, EntityId) {
    let first = entity("entity-0");
    let first_worker = worker_index_of(&first, worker_count);
    let second = (1..1000)
        .map(|index| entity(&format!("entity-{index}")))
        .find(|candidate| worker_index_of(candidate, worker_count) != first_worker)
        .unwrap();
    (first, second)
}

/// Sets a service's faults through the sandbox's HTTP control endpoint.
pub async fn put_faults(sandbox: &SandboxHandle, context: &str, body: serde_json::Value) {
    let url = format!("{}/_sandbox/faults/{context}", sandbox.base_url());
    let response = reqwest::Client::new()
        .put(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 204, "fault switch refused");
}

/// A private SQLite store; keep the directory alive as long as the store.
pub async fn store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("zone.db"), StoreConfig::with_defaults())
        .await
        .unwrap();
    (store, dir)
}

/// Polls `condition` every 5 ms until it holds, failing after 20 s. Not a timed assertion: the
/// bound only stops a broken test from hanging.
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..4000 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("never happened: {what}");
}

/// A clock that moves only when told (milliseconds inside; the `Clock` trait reads whole
/// seconds, rounded down).
#[derive(Debug)]
pub struct ManualClock {
    now_unix_ms: std::sync::atomic::AtomicU64,
}

impl ManualClock {
    pub fn new(now_unix_ms: u64) -> ManualClock {
        ManualClock {
            now_unix_ms: std::sync::atomic::AtomicU64::new(now_unix_ms),
        }
    }

    pub fn advance_ms(&self, delta_ms: u64) {
        self.now_unix_ms
            .fetch_add(delta_ms, std::sync::atomic::Ordering::AcqRel);
    }
}

impl msez_actors::clock::Clock for ManualClock {
    fn now(&self) -> msez_protocol::time::Timestamp {
        let unix_ms = self.now_unix_ms.load(std::sync::atomic::Ordering::Acquire);
        msez_protocol::time::Timestamp::from_unix_seconds((unix_ms / 1000) as i64).unwrap()
    }
}
