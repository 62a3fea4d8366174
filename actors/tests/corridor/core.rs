//! Goal: `CorridorCore` without any actor — durable append, typed rejections, lifecycle, and
//! hydration from snapshot + tail reproducing the state exactly. Method: a core over a real
//! store, dropped and re-hydrated like a restarted actor.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use msez_actors::clock::Clock;
use msez_actors::corridor::core::{CorridorCore, CorridorDeps, RECEIPTS_PAGE_MAX};
use msez_actors::corridor::error::CorridorReject;
use msez_actors::corridor::leases::LeaseBook;
use msez_persistence::group_commit::{GroupCommitConfig, GroupCommitWriter};
use msez_persistence::store::Store;
use msez_protocol::chain::AppendError;
use msez_protocol::corridor::agreement::AgreementError;
use msez_protocol::corridor::lifecycle::{
    HaltEvidence, TransitionEvidence, TransitionKind, transition_consent,
};
use msez_protocol::corridor::state::StepError;
use msez_protocol::export::verify_export;
use msez_protocol::mmr::verify_inclusion;
use msez_protocol::receipt::{DigestSet, Genesis, Transition};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CorridorLifecycleState;
use serde_json::json;
use tokio::sync::broadcast;

use crate::support::*;

fn deps(store: &Store, owner: &str) -> Arc<CorridorDeps> {
    deps_with_clock(store, owner, Arc::new(FixedClock))
}

/// A clock the test moves.
struct ManualClock(AtomicI64);

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(self.0.load(Ordering::SeqCst)).unwrap()
    }
}

fn deps_with_clock(store: &Store, owner: &str, clock: Arc<dyn Clock>) -> Arc<CorridorDeps> {
    let (events, _) = broadcast::channel(64);
    Arc::new(CorridorDeps {
        store: store.clone(),
        writer: Arc::new(
            GroupCommitWriter::start(store.clone(), GroupCommitConfig::for_store(store)).unwrap(),
        ),
        leases: LeaseBook::new(store.clone(), corridors_config(store, owner).lease),
        zone_key: Arc::new(key(31)),
        clock,
        events,
        lifecycle_events: broadcast::channel(64).0,
        retry_after_ms: 50,
    })
}

async fn core_rehydrates_identical_state_from_snapshot_and_tail(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let deps = deps(&db.store, "node-a");
    let id = corridor_id("PK-AE.core.1");
    let mut core = CorridorCore::hydrate(id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    assert!(matches!(
        core.summary(),
        Err(CorridorReject::UnknownCorridor { .. })
    ));
    let created = core.create(create_request(&id, true)).await.unwrap();
    assert_eq!(created.lifecycle, CorridorLifecycleState::Active);
    let mut builder = ChainBuilder::new(&id, created.genesis_root);
    // 10 receipts: snapshots after 4 and 8, a tail of 2, checkpoints after 5 and 10.
    for _ in 0..10 {
        core.append(builder.next()).await.unwrap();
    }
    let before = (core.summary().unwrap(), core.ledger().unwrap().clone());
    drop(core);
    let restored = CorridorCore::hydrate(id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    assert_eq!(
        (
            restored.summary().unwrap(),
            restored.ledger().unwrap().clone()
        ),
        before
    );
    assert_eq!(before.0.height, 10);
    assert_eq!(before.0.obligation_count, 4);
    // Checkpoint after 10, proofs against the current root, export verifies offline.
    let checkpoint = restored.latest_checkpoint().await.unwrap().unwrap();
    assert_eq!(checkpoint.receipt_count, 10);
    let export = restored.export().await.unwrap();
    let verified = verify_export(&export, msez_actors::clock::Clock::now(&FixedClock)).unwrap();
    assert_eq!(verified.height, 10);
    assert_eq!(verified.head, before.0.head);
    let mut restored = restored;
    for sequence in [0, 5, 9] {
        let answer = restored.inclusion_proof(sequence).await.unwrap();
        verify_inclusion(&answer.proof, &answer.mmr_root).unwrap();
        assert_eq!(Some(answer.mmr_root), before.0.mmr_root);
    }
    assert!(matches!(
        restored.inclusion_proof(10).await,
        Err(CorridorReject::SequenceOutOfRange {
            sequence: 10,
            height: 10,
            ..
        })
    ));
    db.cleanup().await;
}

async fn core_rejects_caller_mistakes_with_typed_replies(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let deps = deps(&db.store, "node-a");
    let id = corridor_id("PK-AE.core.2");
    let mut core = CorridorCore::hydrate(id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    let created = core.create(create_request(&id, true)).await.unwrap();
    assert!(matches!(
        core.create(create_request(&id, true)).await,
        Err(CorridorReject::AlreadyExists { .. })
    ));
    let mut builder = ChainBuilder::new(&id, created.genesis_root);
    let first = builder.next();
    core.append(first.clone()).await.unwrap();
    // The same receipt again is acknowledged again (a lost reply's retry).
    assert_eq!(core.append(first.clone()).await.unwrap().sequence, 0);
    // A different receipt at an old sequence: typed sequence mismatch.
    let stale = ChainBuilder::new(&id, created.genesis_root);
    let other = stale.sign_with(
        Transition::new("note", json!({"other": true})).unwrap(),
        &[&key(1), &key(2)],
    );
    assert!(matches!(
        core.append(other).await,
        Err(CorridorReject::Rejected(StepError::Chain(
            AppendError::SequenceMismatch {
                sequence: 0,
                height: 1,
                ..
            }
        )))
    ));
    // Signed by a key the policy does not name (a forged / unauthorised proof).
    let forged = builder.sign_with(
        Transition::new("note", json!({})).unwrap(),
        &[&key(1), &key(9)],
    );
    assert!(matches!(
        core.append(forged).await,
        Err(CorridorReject::Rejected(StepError::Chain(
            AppendError::Signatures { .. }
        )))
    ));
    assert_eq!(core.summary().unwrap().height, 1);
    // The page bound: at the limit it answers, one past it is a typed refusal.
    assert_eq!(core.receipts(0, RECEIPTS_PAGE_MAX).await.unwrap().len(), 1);
    assert!(matches!(
        core.receipts(0, RECEIPTS_PAGE_MAX + 1).await,
        Err(CorridorReject::TooLarge { count, limit, .. })
            if count == u64::from(RECEIPTS_PAGE_MAX) + 1 && limit == u64::from(RECEIPTS_PAGE_MAX)
    ));
    assert!(
        core.failure().is_none(),
        "caller mistakes never fail the core"
    );
    // Halt with an authority's consent, then appends are refused as Halted.
    let order = transition_consent(
        &id,
        CorridorLifecycleState::Active,
        TransitionKind::Halt,
        &key(21),
        at(5),
    )
    .unwrap();
    let ack = core.halt(HaltEvidence::Authority(order)).await.unwrap();
    assert_eq!(ack.to, CorridorLifecycleState::Halted);
    assert!(matches!(
        core.append(builder.next()).await,
        Err(CorridorReject::Halted { .. })
    ));
    // An order from a non-authority is a typed lifecycle rejection.
    let bogus = transition_consent(
        &id,
        CorridorLifecycleState::Halted,
        TransitionKind::Deprecate,
        &key(9),
        at(6),
    )
    .unwrap();
    assert!(matches!(
        core.transition(
            msez_protocol::corridor::lifecycle::TransitionEvidence::Deprecate { order: bogus }
        )
        .await,
        Err(CorridorReject::Lifecycle(_))
    ));
    let order = transition_consent(
        &id,
        CorridorLifecycleState::Halted,
        TransitionKind::Deprecate,
        &key(21),
        at(6),
    )
    .unwrap();
    core.transition(msez_protocol::corridor::lifecycle::TransitionEvidence::Deprecate { order })
        .await
        .unwrap();
    assert!(matches!(
        core.append(builder.next()).await,
        Err(CorridorReject::Deprecated { .. })
    ));
    // Lifecycle survives a reload (it lives in the corridors table).
    let reloaded = CorridorCore::hydrate(id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    assert_eq!(
        reloaded.summary().unwrap().lifecycle,
        CorridorLifecycleState::Deprecated
    );
    // A pending corridor does not accept receipts yet.
    let pending_id = corridor_id("PK-AE.core.pending");
    let mut pending = CorridorCore::hydrate(pending_id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    let created = pending
        .create(create_request(&pending_id, false))
        .await
        .unwrap();
    assert_eq!(created.lifecycle, CorridorLifecycleState::Pending);
    let mut builder = ChainBuilder::new(&pending_id, created.genesis_root);
    assert!(matches!(
        pending.append(builder.next()).await,
        Err(CorridorReject::NotActive { .. })
    ));
    db.cleanup().await;
}

async fn core_fails_when_fenced_and_rehydrates_under_the_new_epoch(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let deps = deps(&db.store, "node-a");
    let id = corridor_id("PK-AE.core.3");
    let mut core = CorridorCore::hydrate(id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    let created = core.create(create_request(&id, true)).await.unwrap();
    let mut builder = ChainBuilder::new(&id, created.genesis_root);
    core.append(builder.next()).await.unwrap();
    // Another incarnation takes the shard (a re-grant increments the epoch).
    let shard = db.store.shard_of(&id);
    db.store
        .acquire_lease(shard, "node-b", std::time::Duration::from_secs(30))
        .await
        .ok();
    db.store
        .acquire_lease(shard, "node-a", std::time::Duration::from_secs(30))
        .await
        .unwrap();
    let next = builder.next();
    assert!(matches!(
        core.append(next.clone()).await,
        Err(CorridorReject::Fenced { .. })
    ));
    assert!(core.failure().is_some(), "a fenced write fails the core");
    assert!(matches!(
        core.summary(),
        Err(CorridorReject::Unavailable { .. })
    ));
    let mut restarted = CorridorCore::hydrate(id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    assert_eq!(restarted.summary().unwrap().height, 1);
    restarted.append(next).await.unwrap();
    assert_eq!(restarted.summary().unwrap().height, 2);
    db.cleanup().await;
}

async fn core_creates_only_with_a_complete_agreement_and_rechecks_it_at_activation(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let clock = Arc::new(ManualClock(AtomicI64::new(T0 + 3_600)));
    let deps = deps_with_clock(&db.store, "node-a", clock.clone());
    let id = corridor_id("PK-AE.core.agreement");
    let mut core = CorridorCore::hydrate(id.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    // Party 1 has not agreed: refused with the rule, and nothing is stored.
    let mut incomplete = create_request(&id, true);
    incomplete
        .agreements
        .retain(|agreement| agreement["issuer"] != key(1).did().to_string());
    let refused = core.create(incomplete).await;
    assert!(
        matches!(&refused, Err(CorridorReject::Agreement {
            source: AgreementError::RuleUnmet { rule_id, affirmed_count: 1, .. }, ..
        }) if rule_id == "parties"),
        "{refused:?}"
    );
    assert!(matches!(
        core.summary(),
        Err(CorridorReject::UnknownCorridor { .. })
    ));
    assert!(db.store.corridor(&id).await.unwrap().is_none());
    // Created PENDING with party 2's agreement in force for one more hour; the genesis commits
    // to the stored agreement set and the definition credential's digest sets.
    let mut request = create_request(&id, false);
    request.agreements = vec![agreement(&id, 1, None), agreement(&id, 2, Some(at(7_200)))];
    let definition_payload_sha256 = request.definition.payload_sha256().unwrap();
    let created = core.create(request).await.unwrap();
    assert_eq!(created.lifecycle, CorridorLifecycleState::Pending);
    let record = db.store.corridor(&id).await.unwrap().unwrap();
    let genesis = Genesis::new(
        id.clone(),
        definition_payload_sha256,
        record.agreement_set.digest(),
        DigestSet::normalised([msez_protocol::digest::Digest::from_bytes([3; 32])]),
        DigestSet::normalised([msez_protocol::digest::Digest::from_bytes([4; 32])]),
    );
    assert_eq!(genesis.genesis_root().unwrap(), created.genesis_root);
    // Both regulators approve after party 2's agreement lapsed: activation is refused with the
    // rule and the corridor stays PENDING.
    clock.0.store(T0 + 7_201, Ordering::SeqCst);
    let approvals = |corridor_id| {
        [11u8, 12]
            .iter()
            .map(|seed| {
                transition_consent(
                    corridor_id,
                    CorridorLifecycleState::Pending,
                    TransitionKind::Activate,
                    &key(*seed),
                    at(0),
                )
                .unwrap()
            })
            .collect::<Vec<_>>()
    };
    let lapsed = core
        .transition(TransitionEvidence::Activate {
            approvals: approvals(&id),
        })
        .await;
    assert!(
        matches!(
            &lapsed,
            Err(CorridorReject::Agreement {
                source: AgreementError::AgreementUnverified {
                    check: "validity_window",
                    ..
                },
                ..
            })
        ),
        "{lapsed:?}"
    );
    assert_eq!(
        core.summary().unwrap().lifecycle,
        CorridorLifecycleState::Pending
    );
    assert!(
        core.failure().is_none(),
        "a lapsed agreement is a reply, not a failure"
    );
    // An agreement still in force activates with the same approvals, after a reload too.
    let lasting = corridor_id("PK-AE.core.agreement.lasting");
    let mut core = CorridorCore::hydrate(lasting.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    core.create(create_request(&lasting, false)).await.unwrap();
    drop(core);
    let mut core = CorridorCore::hydrate(lasting.clone(), Arc::clone(&deps))
        .await
        .unwrap();
    let activated = core
        .transition(TransitionEvidence::Activate {
            approvals: approvals(&lasting),
        })
        .await
        .unwrap();
    assert_eq!(activated.to, CorridorLifecycleState::Active);
    db.cleanup().await;
}

backend_tests!(
    core_creates_only_with_a_complete_agreement_and_rechecks_it_at_activation,
    core_rehydrates_identical_state_from_snapshot_and_tail,
    core_rejects_caller_mistakes_with_typed_replies,
    core_fails_when_fenced_and_rehydrates_under_the_new_epoch,
);
