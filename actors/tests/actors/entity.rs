//! Entity actor: lifecycle through the protocol, journaled before acknowledged, restored on
//! restart; Mass facts through the pool with a TTL cache; suspension by the agentic actor.
//!
//! Method: a real `KeyedHost` over a private SQLite store and the real sandbox over HTTP; a
//! manual clock; `host.kill` crashes an actor so the next call re-hydrates it from its journal.

use std::sync::Arc;
use std::time::Duration;

use crate::support::ManualClock;
use msez_actors::agentic::{AgenticHandle, baseline_policy_set};
use msez_actors::entity::{Entities, EntityConfig, EntityReject};
use msez_actors::mass_pool::{MassPool, MassRequest, MassResponse};
use msez_mass::error::Service;
use msez_persistence::store::Store;
use msez_protocol::agentic::{Trigger, TriggerKind};
use msez_protocol::digest::Digest;
use msez_protocol::ids::EntityId;
use msez_protocol::lifecycle::entity::{EntityEvent, EntityLifecycleError, EntityState};
use msez_protocol::tensor::Domain;
use msez_protocol::tensor::cell::Attestation;
use msez_protocol::tensor::lattice::ComplianceState;
use msez_protocol::time::Timestamp;
use msez_runtime::{Backoff, Intensity, Introspection, KeyedHostConfig, RestartPolicy};
use serde_json::json;

use crate::agentic::{RecordingCorridors, config as agentic_config};
use crate::support::{self, entity};

pub fn host_config(name: &str) -> KeyedHostConfig {
    KeyedHostConfig {
        name: name.to_owned(),
        shard_count: 4,
        admission_bound: 64,
        idle_passivation: None,
        restart: RestartPolicy::Permanent,
        backoff: Backoff {
            initial_ms: 1,
            max_ms: 10,
        },
        intensity: Intensity {
            max_restarts: 10,
            period_ms: 60_000,
        },
        call_timeout: Duration::from_secs(30),
    }
}

pub async fn entities(store: &Store, pool: &MassPool, tree: &Introspection) -> Entities {
    Entities::start(
        EntityConfig {
            store: store.clone(),
            pool: pool.clone(),
            clock: Arc::new(ManualClock::new(1_767_225_600_000)),
            fact_ttl: Duration::from_secs(600),
        },
        host_config("entities"),
        tree,
    )
    .await
    .unwrap()
}

/// Calls `call` until the killed actor has been replaced: a call racing the kill may be
/// answered `ActorDied` (the runtime's documented reply when the instance dies first).
async fn after_restart<T, F, Fut>(mut call: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, EntityReject>>,
{
    for _ in 0..1000 {
        match call().await {
            Err(EntityReject::Host(msez_runtime::HostError::ActorDied { .. })) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            other => return other.unwrap(),
        }
    }
    panic!("actor never came back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entity_lifecycle_survives_a_crash_exactly() {
    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 2, 100).await;
    let (store, _dir) = support::store().await;
    let tree = Introspection::new("zone");
    let entities = entities(&store, &pool, &tree).await;
    let entity_id = entity("entity-life");
    assert!(matches!(
        entities.summary(&entity_id).await,
        Err(EntityReject::NotApplied { .. })
    ));
    entities.apply(&entity_id).await.unwrap();
    entities
        .transition(&entity_id, EntityEvent::Approve, Some(0))
        .await
        .unwrap();
    // A stale version is a typed rejection and changes nothing.
    match entities
        .transition(&entity_id, EntityEvent::Suspend, Some(0))
        .await
    {
        Err(EntityReject::Lifecycle(EntityLifecycleError::VersionConflict { .. })) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
    let attestation = Attestation {
        digest: Digest::from_bytes([7; 32]),
        domain: Domain::Kyc,
        jurisdiction: None,
        state: ComplianceState::Compliant,
        issued_at: Timestamp::from_unix_seconds(1_767_225_600).unwrap(),
        expires_at: None,
    };
    entities
        .attest(&entity_id, attestation.clone())
        .await
        .unwrap();
    entities
        .transition(&entity_id, EntityEvent::Suspend, Some(1))
        .await
        .unwrap();
    let before = entities.summary(&entity_id).await.unwrap();
    assert_eq!(before.state, EntityState::Suspended);
    assert_eq!(before.version, 2);
    assert!(entities.host().kill(&entity_id).await.unwrap());
    // The next call re-hydrates from the journal: indistinguishable from before the crash.
    let after = after_restart(|| entities.summary(&entity_id)).await;
    assert_eq!(after, before);
    assert_eq!(after.attestations, vec![attestation]);
    // And the restored lifecycle keeps enforcing the rules.
    entities
        .transition(&entity_id, EntityEvent::Reinstate, Some(2))
        .await
        .unwrap();
    assert_eq!(
        entities.summary(&entity_id).await.unwrap().state,
        EntityState::Active
    );
    entities.host().shutdown().await.unwrap();
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entity_reads_the_organization_through_the_pool_once_per_ttl() {
    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 2, 100).await;
    let (store, _dir) = support::store().await;
    let tree = Introspection::new("zone");
    let entities = entities(&store, &pool, &tree).await;
    let created = pool
        .call(
            &entity("bootstrap"),
            MassRequest::CreateOrganization(Box::new(support::organization(
                "Indus Textiles",
                "Spinning mill",
            ))),
        )
        .await
        .unwrap();
    let MassResponse::OrganizationCreated(organization) = created else {
        panic!("unexpected response");
    };
    let entity_id = EntityId::new(organization.id.clone().unwrap()).unwrap();
    let before = sandbox.request_count(Service::Organization);
    let fetched = entities.organization(&entity_id).await.unwrap().unwrap();
    assert_eq!(fetched.name.as_deref(), Some("Indus Textiles"));
    assert_eq!(sandbox.request_count(Service::Organization), before + 1);
    // Within the TTL: from memory.
    entities.organization(&entity_id).await.unwrap().unwrap();
    assert_eq!(sandbox.request_count(Service::Organization), before + 1);
    // After a crash the memory is gone, but the store's fact cache still holds it.
    assert!(entities.host().kill(&entity_id).await.unwrap());
    after_restart(|| entities.organization(&entity_id))
        .await
        .unwrap();
    assert_eq!(sandbox.request_count(Service::Organization), before + 1);
    entities.host().shutdown().await.unwrap();
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn licence_expiry_through_agentic_suspends_the_real_entity() {
    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 2, 100).await;
    let (store, _dir) = support::store().await;
    let tree = Introspection::new("zone");
    let entities = entities(&store, &pool, &tree).await;
    let entity_id = entity("entity-licensed");
    entities.apply(&entity_id).await.unwrap();
    entities
        .transition(&entity_id, EntityEvent::Approve, None)
        .await
        .unwrap();
    let agentic = AgenticHandle::start(
        agentic_config(
            &store,
            Arc::new(RecordingCorridors::default()),
            Arc::new(entities.clone()),
        ),
        baseline_policy_set().unwrap(),
        None,
    )
    .await
    .unwrap();
    let expired = Trigger::new(
        TriggerKind::LicenseStatusChange,
        None,
        json!({ "entity_id": "entity-licensed", "status": "expired" }),
        Timestamp::from_unix_seconds(1_767_225_600).unwrap(),
    )
    .unwrap();
    let decision = agentic.decide(expired).await.unwrap();
    assert_eq!(
        decision.outcomes[0].result,
        msez_actors::agentic::ActionResult::Done
    );
    assert_eq!(
        entities.summary(&entity_id).await.unwrap().state,
        EntityState::Suspended
    );
    // Suspending an unknown entity is reported as a failed action, not a crash.
    let unknown = Trigger::new(
        TriggerKind::LicenseStatusChange,
        None,
        json!({ "entity_id": "never-applied", "status": "expired" }),
        Timestamp::from_unix_seconds(1_767_225_601).unwrap(),
    )
    .unwrap();
    let decision = agentic.decide(unknown).await.unwrap();
    assert!(matches!(
        decision.outcomes[0].result,
        msez_actors::agentic::ActionResult::Failed(
            msez_actors::agentic::ControlError::UnknownTarget { .. }
        )
    ));
    agentic.stop();
    entities.host().shutdown().await.unwrap();
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn party_identity_reads_name_and_identifier_from_the_mass_organization() {
    use msez_actors::agentic::{ControlError, EntityControl};
    use msez_mass::organization::{Identifier, IdentifierKind, UpdateOrganization};
    use msez_protocol::tensor::sanctions::SanctionsIdentifier;
    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 2, 100).await;
    let (store, _dir) = support::store().await;
    let tree = Introspection::new("zone");
    let entities = entities(&store, &pool, &tree).await;
    let mass = support::client(&sandbox);
    let created = mass
        .organization()
        .create(&support::organization(
            "Northwind Logistics",
            "Freight forwarder",
        ))
        .await
        .unwrap();
    let entity_id = EntityId::new(created.id.clone().unwrap()).unwrap();
    mass.organization()
        .update(
            &entity_id,
            &UpdateOrganization {
                identifier: Some(Identifier {
                    id: None,
                    kind: Some(IdentifierKind::PassportNo),
                    value: Some("ZZ0000001".to_owned()),
                }),
                ..UpdateOrganization::default()
            },
        )
        .await
        .unwrap();
    let identity = entities.party_identity(entity_id).await.unwrap();
    assert_eq!(identity.names, ["Northwind Logistics"]);
    assert_eq!(
        identity.identifiers,
        [SanctionsIdentifier {
            kind: "passport".to_owned(),
            value: "ZZ0000001".to_owned(),
        }]
    );
    // An id Mass does not know is an unknown target, never an empty identity.
    let unknown = entities
        .party_identity(entity("no-such-organization"))
        .await
        .unwrap_err();
    assert!(matches!(unknown, ControlError::UnknownTarget { .. }));
    entities.host().shutdown().await.unwrap();
    pool.stop();
    sandbox.shutdown().await.unwrap();
}
