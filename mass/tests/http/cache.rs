//! The fact cache: one upstream call per key under a 1,000-task race, TTL expiry, errors not
//! cached; and the blocking facade.

use std::sync::Arc;
use std::time::Duration;

use msez_mass::blocking::BlockingMassClient;
use msez_mass::cache::FactCache;
use msez_mass::error::{MassError, Service};
use msez_mass::identity::{FilerStatus, Ntn};
use msez_mass::sandbox::faults::FaultConfig;
use msez_protocol::ids::EntityId;

use crate::operations::create_request;
use crate::support::{client, config, sandbox, token};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thousand_concurrent_misses_make_one_upstream_call() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let org = mass
        .organization()
        .create(&create_request("Racer"))
        .await
        .unwrap();
    let entity_id = EntityId::new(org.id.unwrap()).unwrap();
    // Slow Mass down so every task arrives while the first load is still in flight.
    let slow = FaultConfig {
        latency_ms: 50,
        ..FaultConfig::healthy()
    };
    sandbox.set_faults(Service::Organization, slow).unwrap();
    let before = sandbox.request_count(Service::Organization);
    let cache = Arc::new(FactCache::new(mass, Duration::from_secs(60)));
    let tasks: Vec<_> = (0..1_000)
        .map(|_| {
            let cache = Arc::clone(&cache);
            let entity_id = entity_id.clone();
            tokio::spawn(async move { cache.entity_jurisdiction(&entity_id).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().as_deref(), Some("PK"));
    }
    assert_eq!(sandbox.request_count(Service::Organization) - before, 1);
}

#[tokio::test]
async fn stale_facts_reload_and_failures_are_not_cached() {
    let sandbox = sandbox().await;
    let cache = FactCache::new(client(&sandbox), Duration::from_millis(100));
    let ntn = Ntn::parse("7654322").unwrap();
    sandbox
        .set_faults(
            Service::Identity,
            FaultConfig {
                down: true,
                ..FaultConfig::healthy()
            },
        )
        .unwrap();
    assert!(cache.filer_status(&ntn).await.is_err());
    sandbox
        .set_faults(Service::Identity, FaultConfig::healthy())
        .unwrap();
    let before = sandbox.request_count(Service::Identity);
    assert_eq!(
        cache.filer_status(&ntn).await.unwrap(),
        Some(FilerStatus::Filer)
    );
    assert_eq!(
        cache.filer_status(&ntn).await.unwrap(),
        Some(FilerStatus::Filer)
    );
    assert_eq!(
        sandbox.request_count(Service::Identity) - before,
        1,
        "second read is cached"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        cache.filer_status(&ntn).await.unwrap(),
        Some(FilerStatus::Filer)
    );
    assert_eq!(
        sandbox.request_count(Service::Identity) - before,
        2,
        "stale value reloaded"
    );
}

#[test]
fn blocking_facade_runs_operations_outside_a_runtime() {
    let host = tokio::runtime::Runtime::new().unwrap();
    let sandbox = host.block_on(sandbox());
    let blocking = BlockingMassClient::new(&config(&sandbox.base_url()), token()).unwrap();
    let request = create_request("Blocking");
    let created = blocking
        .call(|mass| mass.organization().create(&request))
        .unwrap();
    let id = EntityId::new(created.id.clone().unwrap()).unwrap();
    let fetched = blocking
        .call(|mass| mass.organization().get(&id, None))
        .unwrap();
    assert_eq!(fetched, Some(created));
    assert_eq!(blocking.readiness().len(), 6);
    let inside = host
        .block_on(async { blocking.call(|mass| mass.organization().supported_jurisdictions()) });
    assert!(
        matches!(
            inside,
            Err(MassError::Config {
                field: "runtime",
                ..
            })
        ),
        "{inside:?}"
    );
}
