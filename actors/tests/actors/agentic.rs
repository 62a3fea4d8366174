//! Agentic actor: actions really happen, and every decision is in the audit trail.
//!
//! Goal: a sanctions update naming a corridor party halts exactly the corridors whose parties
//! match (and no other); a party whose identity cannot be read is reported, not skipped; a
//! licence expiry suspends the entity; each decision and its outcomes are appended to the
//! hash-chained trail in the store. Method: the corridor and entity executors are recording
//! test doubles of the `CorridorControl` / `EntityControl` seams (corridors list party ids,
//! entities answer names; the real hosts are tested in the corridor and zone suites); the store
//! is a private SQLite file; the clock is manual.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::ManualClock;
use msez_actors::agentic::{
    ActionEvidence, ActionResult, AgenticConfig, AgenticHandle, BoxFuture, ControlError,
    CorridorControl, CorridorParties, EntityControl, PARTY_LOOKUPS_IN_FLIGHT_MAX, PartyIdentity,
    SanctionsSweep, SanctionsUpdate, UnscreenedReason, baseline_policy_set,
};
use msez_persistence::store::Store;
use msez_protocol::agentic::{ActionKind, Trigger, TriggerKind};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::{CorridorId, EntityId};
use msez_protocol::tensor::sanctions::{
    SanctionsEntry, SanctionsEntryKind, SanctionsIdentifier, SanctionsList, ScreeningConfig,
};
use msez_protocol::time::Timestamp;
use serde_json::json;

use crate::support::{self, entity};

/// Corridors with fixed parties; records every halt.
#[derive(Default)]
pub struct RecordingCorridors {
    pub corridors: Vec<CorridorParties>,
    pub halted: Mutex<Vec<(CorridorId, ActionEvidence)>>,
}

impl CorridorControl for RecordingCorridors {
    fn parties(&self) -> BoxFuture<'_, Result<Vec<CorridorParties>, ControlError>> {
        Box::pin(async move { Ok(self.corridors.clone()) })
    }

    fn halt(
        &self,
        corridor_id: CorridorId,
        evidence: ActionEvidence,
    ) -> BoxFuture<'_, Result<(), ControlError>> {
        Box::pin(async move {
            self.halted.lock().unwrap().push((corridor_id, evidence));
            Ok(())
        })
    }
}

/// Answers identities from a fixed map (absent: unknown to Mass); records every suspension
/// and the most identity lookups in flight at once.
#[derive(Default)]
pub struct RecordingEntities {
    pub identities: BTreeMap<EntityId, PartyIdentity>,
    pub suspended: Mutex<Vec<EntityId>>,
    pub lookups_in_flight: AtomicUsize,
    pub lookups_in_flight_max: AtomicUsize,
}

impl EntityControl for RecordingEntities {
    fn party_identity(
        &self,
        entity_id: EntityId,
    ) -> BoxFuture<'_, Result<PartyIdentity, ControlError>> {
        Box::pin(async move {
            let now = self.lookups_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.lookups_in_flight_max.fetch_max(now, Ordering::SeqCst);
            // Long enough for the sweep to start every lookup it is allowed to overlap.
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.lookups_in_flight.fetch_sub(1, Ordering::SeqCst);
            self.identities
                .get(&entity_id)
                .cloned()
                .ok_or(ControlError::UnknownTarget {
                    target: entity_id.to_string(),
                })
        })
    }

    fn suspend(
        &self,
        entity_id: EntityId,
        _evidence: ActionEvidence,
    ) -> BoxFuture<'_, Result<(), ControlError>> {
        Box::pin(async move {
            self.suspended.lock().unwrap().push(entity_id);
            Ok(())
        })
    }
}

fn corridor(name: &str) -> CorridorId {
    CorridorId::new(name).unwrap()
}

fn party(
    entity_id: &str,
    name: &str,
    identifier: Option<(&str, &str)>,
) -> (EntityId, PartyIdentity) {
    let identity = PartyIdentity {
        names: vec![name.to_owned()],
        identifiers: identifier
            .map(|(kind, value)| SanctionsIdentifier {
                kind: kind.to_owned(),
                value: value.to_owned(),
            })
            .into_iter()
            .collect(),
    };
    (entity(entity_id), identity)
}

fn parties(corridor_id: &str, entity_ids: &[&str]) -> CorridorParties {
    CorridorParties {
        corridor_id: corridor(corridor_id),
        party_entity_ids: entity_ids.iter().map(|id| entity(id)).collect(),
    }
}

pub fn config(
    store: &Store,
    corridors: Arc<dyn CorridorControl>,
    entities: Arc<dyn EntityControl>,
) -> AgenticConfig {
    AgenticConfig {
        trail_id: "zone-test".to_owned(),
        store: store.clone(),
        clock: Arc::new(ManualClock::new(1_767_225_600_000)),
        corridors,
        entities,
        screening: ScreeningConfig::DEFAULT,
        call_timeout: Duration::from_secs(30),
    }
}

/// The agentic actor with the baseline policies, unsupervised.
async fn start(config: AgenticConfig) -> AgenticHandle {
    AgenticHandle::start(config, baseline_policy_set().unwrap(), None)
        .await
        .unwrap()
}

/// Screens every corridor against `list`.
async fn sweep(agentic: &AgenticHandle, list: SanctionsList) -> SanctionsSweep {
    agentic
        .sanctions_update(SanctionsUpdate {
            list,
            jurisdiction: None,
            occurred_at: at(1_767_225_600),
        })
        .await
        .unwrap()
}

fn at(unix_seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(unix_seconds).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sanctions_update_halts_exactly_the_corridors_with_a_listed_party() {
    let (store, _dir) = support::store().await;
    let corridors = Arc::new(RecordingCorridors {
        corridors: vec![
            parties("pk-ae-1", &["clean-a", "listed-by-name"]),
            parties("pk-cn-2", &["listed-by-id"]),
            parties("pk-uk-3", &["clean-b", "clean-c"]),
        ],
        halted: Mutex::default(),
    });
    let entities = Arc::new(RecordingEntities {
        identities: [
            party("clean-a", "Indus Textiles", None),
            party("listed-by-name", "Acme Shadow Trading", None),
            party(
                "listed-by-id",
                "Northwind Logistics",
                Some(("registration", "nw-778-001")),
            ),
            party("clean-b", "Lahore Mills", None),
            party("clean-c", "Karachi Port Services", None),
        ]
        .into(),
        ..RecordingEntities::default()
    });
    let agentic = start(config(&store, corridors.clone(), entities.clone())).await;
    let list = SanctionsList {
        snapshot_id: "test-list".to_owned(),
        as_of: at(1_767_225_600),
        entries: vec![
            SanctionsEntry {
                entry_id: "sdn-1".to_owned(),
                kind: SanctionsEntryKind::Entity,
                names: vec!["ACME SHADOW TRADING".to_owned()],
                identifiers: vec![],
                programs: vec![],
            },
            SanctionsEntry {
                entry_id: "sdn-2".to_owned(),
                kind: SanctionsEntryKind::Entity,
                names: vec!["Unrelated Person".to_owned()],
                identifiers: vec![SanctionsIdentifier {
                    kind: "Registration".to_owned(),
                    value: "NW-778 001".to_owned(),
                }],
                programs: vec![],
            },
        ],
    };
    let sweep = sweep(&agentic, list).await;
    assert_eq!(sweep.parties_screened, 5);
    assert!(sweep.unscreened.is_empty());
    let halted: BTreeSet<String> = corridors
        .halted
        .lock()
        .unwrap()
        .iter()
        .map(|(corridor_id, _)| corridor_id.to_string())
        .collect();
    let expected: BTreeSet<String> = ["pk-ae-1", "pk-cn-2"].map(str::to_owned).into();
    assert_eq!(halted, expected);
    assert_eq!(corridors.halted.lock().unwrap().len(), 2, "halted twice");
    assert!(entities.suspended.lock().unwrap().is_empty());
    for decision in &sweep.decisions {
        assert_eq!(decision.trigger, TriggerKind::SanctionsListUpdate);
        assert_eq!(decision.outcomes.len(), 1);
        assert_eq!(decision.outcomes[0].action.kind, ActionKind::Halt);
        assert_eq!(decision.outcomes[0].result, ActionResult::Done);
    }
    // The evidence handed to the corridor names the policy and the durable decision entry.
    for (_, evidence) in corridors.halted.lock().unwrap().iter() {
        assert_eq!(
            evidence.policy_id.as_str(),
            "baseline.sanctions.halt_corridor"
        );
    }
    // Two matches: a decision and an outcome entry each, chained and verified on read.
    let trail = store.audit_trail("zone-test", 0, 100).await.unwrap();
    assert_eq!(trail.len(), 4);
    let first = serde_json::from_slice::<serde_json::Value>(trail[0].entry.as_bytes()).unwrap();
    assert_eq!(first["type"], "MSEZAgenticDecision");
    assert_eq!(first["actions"][0]["action"], "halt");
    let second = serde_json::from_slice::<serde_json::Value>(trail[1].entry.as_bytes()).unwrap();
    assert_eq!(second["type"], "MSEZAgenticOutcome");
    assert_eq!(second["outcomes"][0]["result"], "done");
    assert_eq!(trail[1].prev_hash, trail[0].entry_hash);
    agentic.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sanctions_update_without_matches_halts_nothing() {
    let (store, _dir) = support::store().await;
    let corridors = Arc::new(RecordingCorridors {
        corridors: vec![parties("pk-ae-1", &["clean-a"])],
        halted: Mutex::default(),
    });
    let entities = RecordingEntities {
        identities: [party("clean-a", "Indus Textiles", None)].into(),
        ..RecordingEntities::default()
    };
    let agentic = start(config(&store, corridors.clone(), Arc::new(entities))).await;
    let list = SanctionsList {
        snapshot_id: "test-list".to_owned(),
        as_of: at(1_767_225_600),
        entries: vec![SanctionsEntry {
            entry_id: "sdn-1".to_owned(),
            kind: SanctionsEntryKind::Entity,
            names: vec!["Someone Else Entirely".to_owned()],
            identifiers: vec![],
            programs: vec![],
        }],
    };
    let sweep = sweep(&agentic, list).await;
    assert_eq!(sweep.parties_screened, 1);
    assert!(sweep.decisions.is_empty());
    assert!(corridors.halted.lock().unwrap().is_empty());
    assert!(
        store
            .audit_trail("zone-test", 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    agentic.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn licence_expiry_suspends_the_entity_and_other_statuses_do_not() {
    let (store, _dir) = support::store().await;
    let entities = Arc::new(RecordingEntities::default());
    let agentic = start(config(
        &store,
        Arc::new(RecordingCorridors::default()),
        entities.clone(),
    ))
    .await;
    let renewed = Trigger::new(
        TriggerKind::LicenseStatusChange,
        None,
        json!({ "entity_id": "entity-7", "license_id": "lic-1", "status": "renewed" }),
        at(1_767_225_600),
    )
    .unwrap();
    let decision = agentic.decide(renewed).await.unwrap();
    assert!(decision.outcomes.is_empty());
    assert!(entities.suspended.lock().unwrap().is_empty());
    let expired = Trigger::new(
        TriggerKind::LicenseStatusChange,
        None,
        json!({ "entity_id": "entity-7", "license_id": "lic-1", "status": "expired" }),
        at(1_767_225_601),
    )
    .unwrap();
    let decision = agentic.decide(expired).await.unwrap();
    assert_eq!(decision.outcomes.len(), 1);
    assert_eq!(decision.outcomes[0].action.kind, ActionKind::SuspendEntity);
    assert_eq!(decision.outcomes[0].result, ActionResult::Done);
    assert_eq!(
        *entities.suspended.lock().unwrap(),
        vec![entity("entity-7")]
    );
    // Both decisions were recorded, each with its outcome entry.
    assert_eq!(
        store.audit_trail("zone-test", 0, 10).await.unwrap().len(),
        4
    );
    agentic.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agentic_records_the_decision_before_acting() {
    // An executor that inspects the trail when asked to act: the decision must already be
    // durable (write-ahead), the outcome not yet.
    struct Inspecting {
        store: Store,
        seen: Mutex<Option<usize>>,
    }
    impl EntityControl for Inspecting {
        fn party_identity(
            &self,
            entity_id: EntityId,
        ) -> BoxFuture<'_, Result<PartyIdentity, ControlError>> {
            Box::pin(async move {
                Err(ControlError::UnknownTarget {
                    target: entity_id.to_string(),
                })
            })
        }

        fn suspend(
            &self,
            _entity_id: EntityId,
            evidence: ActionEvidence,
        ) -> BoxFuture<'_, Result<(), ControlError>> {
            Box::pin(async move {
                let trail = self.store.audit_trail("zone-test", 0, 10).await.unwrap();
                assert_eq!(trail.last().unwrap().sequence, evidence.decision_sequence);
                *self.seen.lock().unwrap() = Some(trail.len());
                Ok(())
            })
        }
    }
    let (store, _dir) = support::store().await;
    let inspecting = Arc::new(Inspecting {
        store: store.clone(),
        seen: Mutex::default(),
    });
    let agentic = start(config(
        &store,
        Arc::new(RecordingCorridors::default()),
        inspecting.clone(),
    ))
    .await;
    let expired = Trigger::new(
        TriggerKind::LicenseStatusChange,
        None,
        json!({ "entity_id": "entity-9", "status": "expired" }),
        at(1_767_225_600),
    )
    .unwrap();
    agentic.decide(expired).await.unwrap();
    assert_eq!(*inspecting.seen.lock().unwrap(), Some(1));
    let trail = store.audit_trail("zone-test", 0, 10).await.unwrap();
    assert_eq!(trail.len(), 2);
    // The stored decision is canonical JSON (re-canonicalising changes nothing).
    let reparsed = CanonicalBytes::parse(trail[0].entry.as_bytes()).unwrap();
    assert_eq!(reparsed.as_bytes(), trail[0].entry.as_bytes());
    agentic.stop();
}

/// A list naming "Acme Shadow Trading".
fn acme_list() -> SanctionsList {
    SanctionsList {
        snapshot_id: "test-list".to_owned(),
        as_of: at(1_767_225_600),
        entries: vec![SanctionsEntry {
            entry_id: "sdn-1".to_owned(),
            kind: SanctionsEntryKind::Entity,
            names: vec!["ACME SHADOW TRADING".to_owned()],
            identifiers: vec![],
            programs: vec![],
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sanctions_update_reports_parties_without_identity_and_screens_the_rest() {
    let (store, _dir) = support::store().await;
    let corridors = Arc::new(RecordingCorridors {
        corridors: vec![
            parties("pk-ae-1", &["unknown-to-mass", "listed"]),
            parties("pk-cn-2", &["unknown-to-mass"]),
        ],
        halted: Mutex::default(),
    });
    let entities = RecordingEntities {
        identities: [party("listed", "Acme Shadow Trading", None)].into(),
        ..RecordingEntities::default()
    };
    let agentic = start(config(&store, corridors.clone(), Arc::new(entities))).await;
    let sweep = sweep(&agentic, acme_list()).await;
    assert_eq!(sweep.parties_screened, 1);
    let unscreened: Vec<(String, String)> = sweep
        .unscreened
        .iter()
        .map(|party| {
            assert!(matches!(
                party.reason,
                UnscreenedReason::Identity(ControlError::UnknownTarget { .. })
            ));
            (party.corridor_id.to_string(), party.entity_id.to_string())
        })
        .collect();
    assert_eq!(
        unscreened,
        [
            ("pk-ae-1", "unknown-to-mass"),
            ("pk-cn-2", "unknown-to-mass")
        ]
        .map(|(c, e)| (c.to_owned(), e.to_owned()))
    );
    let halted: Vec<String> = corridors
        .halted
        .lock()
        .unwrap()
        .iter()
        .map(|(corridor_id, _)| corridor_id.to_string())
        .collect();
    assert_eq!(halted, ["pk-ae-1"]);
    agentic.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sanctions_update_overlaps_identity_lookups_up_to_the_bound() {
    // One more distinct party than the bound: every one is looked up exactly once, at most
    // PARTY_LOOKUPS_IN_FLIGHT_MAX at a time, and the bound is reached.
    let (store, _dir) = support::store().await;
    let party_count = PARTY_LOOKUPS_IN_FLIGHT_MAX + 1;
    let names: Vec<String> = (0..party_count)
        .map(|index| format!("party-{index}"))
        .collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let corridors = Arc::new(RecordingCorridors {
        // Every party twice (two corridors): still one lookup each.
        corridors: vec![parties("c-1", &name_refs), parties("c-2", &name_refs)],
        halted: Mutex::default(),
    });
    let entities = Arc::new(RecordingEntities {
        identities: names
            .iter()
            .map(|name| party(name, &format!("Trading House {name}"), None))
            .collect(),
        ..RecordingEntities::default()
    });
    let agentic = start(config(&store, corridors, entities.clone())).await;
    let sweep = sweep(&agentic, acme_list()).await;
    assert_eq!(sweep.parties_screened, 2 * party_count as u64);
    assert!(sweep.unscreened.is_empty());
    assert_eq!(
        entities.lookups_in_flight_max.load(Ordering::SeqCst),
        PARTY_LOOKUPS_IN_FLIGHT_MAX
    );
    agentic.stop();
}
