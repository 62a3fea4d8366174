//! Zone supervision tree: built from `ZoneRuntimeConfig`, visible in the introspection tree,
//! and self-healing; arbitration disputes restored after a crash and their rulings enforced
//! through the agentic actor.
//!
//! Method: the real tree over the sandbox and a SQLite store, a manual clock, the corridor
//! hook played by the recording double; a kill goes through `Introspection::kill` and the
//! restart is observed as a `SupervisionEvent::Restarted`.

use std::sync::Arc;
use std::time::Duration;

use crate::support::ManualClock;
use msez_actors::agentic::{ActionResult, AgenticError, baseline_policy_set};
use msez_actors::arbitration::{ArbitrationReject, Filing};
use msez_actors::zone::{Zone, ZoneHooks, ZoneRuntimeConfig, start_zone};
use msez_mass::sandbox::SandboxHandle;
use msez_persistence::store::Store;
use msez_protocol::agentic::{ActionKind, Trigger, TriggerKind};
use msez_protocol::arbitration::{
    Arbitrator, ArbitratorId, DisputeId, DisputeState, DisputeStep, EvidenceItem, EvidenceKind,
    EvidencePackage, Remedy,
};
use msez_protocol::digest::Digest;
use msez_protocol::ids::JurisdictionId;
use msez_protocol::lifecycle::entity::{EntityEvent, EntityState};
use msez_protocol::tensor::sanctions::ScreeningConfig;
use msez_protocol::time::Timestamp;
use msez_runtime::{Backoff, HostError, Intensity, Introspection, SupervisionEvent};
use serde_json::json;

use crate::agentic::RecordingCorridors;
use crate::entity::host_config;
use crate::support::{self, entity};

const T0_MS: u64 = 1_767_225_600_000;

fn zone_config(
    sandbox: &SandboxHandle,
    store: &Store,
    clock: &Arc<ManualClock>,
) -> ZoneRuntimeConfig {
    ZoneRuntimeConfig {
        store: store.clone(),
        mass_client: support::client(sandbox),
        mass_pool: support::pool_config(2, 100),
        clock: clock.clone(),
        policies: baseline_policy_set().unwrap(),
        audit_trail_id: "zone-audit".to_owned(),
        screening: ScreeningConfig::DEFAULT,
        agentic_call_timeout: Duration::from_secs(30),
        timers_max: 1000,
        tick_interval: None,
        scheduler_call_timeout: Duration::from_secs(30),
        fact_ttl: Duration::from_secs(600),
        entity_host: host_config("entities"),
        arbitration_host: host_config("arbitrations"),
        services_backoff: Backoff {
            initial_ms: 1,
            max_ms: 10,
        },
        services_intensity: Intensity {
            max_restarts: 5,
            period_ms: 60_000,
        },
    }
}

async fn zone(sandbox: &SandboxHandle, store: &Store, clock: &Arc<ManualClock>) -> Zone {
    start_zone(
        zone_config(sandbox, store, clock),
        ZoneHooks {
            corridors: Arc::new(RecordingCorridors::default()),
            lease_sink: None,
            extra_children: Vec::new(),
        },
        &Introspection::new("zone"),
    )
    .await
    .unwrap()
}

fn expired(entity_id: &str, at_s: i64) -> Trigger {
    Trigger::new(
        TriggerKind::LicenseStatusChange,
        None,
        json!({ "entity_id": entity_id, "status": "expired" }),
        Timestamp::from_unix_seconds(at_s).unwrap(),
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zone_tree_shows_every_child_and_restarts_a_killed_agentic_actor() {
    let sandbox = support::sandbox().await;
    let (store, _dir) = support::store().await;
    let clock = Arc::new(ManualClock::new(T0_MS));
    let zone = zone(&sandbox, &store, &clock).await;
    for path in [
        "/zone/services",
        "/zone/services/mass-pool",
        "/zone/services/agentic",
        "/zone/services/scheduler",
        "/zone/entities",
        "/zone/arbitrations",
    ] {
        assert!(
            zone.tree.find(path).is_some(),
            "{path} missing from the tree"
        );
    }
    let entity_id = entity("entity-zone");
    zone.entities.apply(&entity_id).await.unwrap();
    zone.entities
        .transition(&entity_id, EntityEvent::Approve, None)
        .await
        .unwrap();
    let mut events = zone.tree.subscribe();
    let before = zone.agentic.cell().unwrap().get_id();
    assert!(zone.tree.kill("/zone/services/agentic").await.unwrap());
    loop {
        match events.recv().await.unwrap() {
            SupervisionEvent::Restarted { path, .. } if path == "/zone/services/agentic" => break,
            _ => {}
        }
    }
    // The existing handle reaches the new incarnation, which acts on a licence expiry.
    let decision = loop {
        match zone
            .agentic
            .decide(expired("entity-zone", 1_767_225_600))
            .await
        {
            Err(AgenticError::Unavailable) => tokio::time::sleep(Duration::from_millis(5)).await,
            other => break other.unwrap(),
        }
    };
    assert_ne!(zone.agentic.cell().unwrap().get_id(), before);
    assert_eq!(decision.outcomes[0].result, ActionResult::Done);
    assert_eq!(
        zone.entities.summary(&entity_id).await.unwrap().state,
        EntityState::Suspended
    );
    assert!(
        zone.tree
            .find("/zone/services/agentic")
            .unwrap()
            .restart_count
            >= 1
    );
    zone.shutdown().await.unwrap();
    sandbox.shutdown().await.unwrap();
}

fn package(kind: EvidenceKind, by: &str, at_s: i64) -> EvidencePackage {
    EvidencePackage {
        kind,
        submitted_by: entity(by),
        submitted_at: Timestamp::from_unix_seconds(at_s).unwrap(),
        items: vec![EvidenceItem {
            name: format!("{}.pdf", kind.as_str()),
            media_type: "application/pdf".to_owned(),
            sha256: Digest::from_bytes([3; 32]),
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitration_ruling_is_enforced_through_agentic_and_suspends_the_respondent() {
    let sandbox = support::sandbox().await;
    let (store, _dir) = support::store().await;
    let clock = Arc::new(ManualClock::new(T0_MS));
    let zone = zone(&sandbox, &store, &clock).await;
    let respondent = entity("respondent-co");
    zone.entities.apply(&respondent).await.unwrap();
    zone.entities
        .transition(&respondent, EntityEvent::Approve, None)
        .await
        .unwrap();
    let dispute_id = DisputeId::new("dispute-1").unwrap();
    let jurisdiction = JurisdictionId::new("PK-RSEZ").unwrap();
    let t0 = 1_767_225_600;
    zone.arbitrations
        .file(
            &dispute_id,
            Filing {
                jurisdiction: jurisdiction.clone(),
                claimant: entity("claimant-co"),
                respondent: respondent.clone(),
                statement_of_claim: package(EvidenceKind::StatementOfClaim, "claimant-co", t0),
            },
        )
        .await
        .unwrap();
    let roster = vec![Arbitrator {
        arbitrator_id: ArbitratorId::new("arb-1").unwrap(),
        jurisdictions: vec![jurisdiction],
        active: true,
        conflicts: vec![],
    }];
    let steps = [
        (DisputeStep::BeginReview, EvidenceKind::ResponseToClaim),
        (
            DisputeStep::ConstitutePanel {
                roster,
                panel_size: 1,
            },
            EvidenceKind::PanelAcceptance,
        ),
        (DisputeStep::OpenHearing, EvidenceKind::HearingBundle),
        (
            DisputeStep::IssueRuling {
                appeal_period_s: 3600,
                remedies: vec![Remedy::SuspendEntity {
                    entity_id: respondent.clone(),
                }],
            },
            EvidenceKind::Award,
        ),
    ];
    for (step, kind) in steps {
        let outcome = zone
            .arbitrations
            .step(&dispute_id, step, vec![package(kind, "claimant-co", t0)])
            .await
            .unwrap();
        assert!(outcome.enforcement.is_none());
    }
    // A crash re-hydrates the dispute from its journal: same state, same ruling.
    let before = zone.arbitrations.status(&dispute_id).await.unwrap();
    assert!(zone.arbitrations.host().kill(&dispute_id).await.unwrap());
    let after = loop {
        match zone.arbitrations.status(&dispute_id).await {
            Err(ArbitrationReject::Host(HostError::ActorDied { .. })) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            other => break other.unwrap(),
        }
    };
    assert_eq!(after, before);
    assert_eq!(after.state, DisputeState::RulingIssued);
    // Within the appeal period enforcement is refused and nothing happens.
    assert!(
        zone.arbitrations
            .step(
                &dispute_id,
                DisputeStep::Enforce,
                vec![package(EvidenceKind::EnforcementOrder, "claimant-co", t0)],
            )
            .await
            .is_err()
    );
    assert_eq!(
        zone.entities.summary(&respondent).await.unwrap().state,
        EntityState::Active
    );
    clock.advance_ms(3_601_000);
    let outcome = zone
        .arbitrations
        .step(
            &dispute_id,
            DisputeStep::Enforce,
            vec![package(EvidenceKind::EnforcementOrder, "claimant-co", t0)],
        )
        .await
        .unwrap();
    assert_eq!(outcome.transition.to, DisputeState::Enforced);
    let decision = outcome.enforcement.unwrap();
    assert_eq!(decision.trigger, TriggerKind::EnforcementDue);
    assert_eq!(decision.outcomes.len(), 1);
    assert_eq!(decision.outcomes[0].action.kind, ActionKind::SuspendEntity);
    assert_eq!(decision.outcomes[0].result, ActionResult::Done);
    assert_eq!(
        zone.entities.summary(&respondent).await.unwrap().state,
        EntityState::Suspended
    );
    assert_eq!(
        zone.arbitrations.status(&dispute_id).await.unwrap().state,
        DisputeState::Enforced
    );
    // The enforcement is in the zone's audit trail.
    assert_eq!(
        store.audit_trail("zone-audit", 0, 10).await.unwrap().len(),
        2
    );
    zone.shutdown().await.unwrap();
    sandbox.shutdown().await.unwrap();
}
