//! Goal: forks through the corridor actor (SPEC §8) — a competing receipt that passes the
//! append checks halts the corridor with a zone-signed alarm and keeps both receipts; bad
//! evidence is refused with a typed reply and records nothing; a watcher quorum for the stored
//! branch lets the corridor resume; a branch without quorum (whatever its timestamp) or the
//! competing branch cannot resume it; the fork and the halt survive a crash and a new process.
//! Method: real stores (both backends), the real keyed host, watchers registered in the store.

use msez_actors::clock::Clock;
use msez_actors::corridor::core::forks::{ForkHold, ForkStatus};
use msez_actors::corridor::error::CorridorReject;
use msez_actors::corridor::handle::Corridors;
use msez_persistence::forks::FORKS_PER_CORRIDOR_MAX;
use msez_persistence::watchers::{BondRecord, WatcherRecord};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::chain::AppendError;
use msez_protocol::corridor::fork::{HaltReason, fork_resolution_credential};
use msez_protocol::corridor::lifecycle::{HaltEvidence, TransitionKind, transition_consent};
use msez_protocol::corridor::watcher::{AttestationStatement, WatcherAttestation};
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::receipt::{SignedReceipt, Transition};
use msez_protocol::vc::subjects::{CorridorLifecycleState, CredentialType, ObservedHead};
use msez_protocol::vc::verify_credential;
use serde_json::{Value, json};

use crate::support::*;

/// A corridor with three receipts; returns the handle, the receipts and a builder at sequence 3.
async fn corridor_with_three(
    corridors: &Corridors,
    id: &CorridorId,
) -> (Vec<SignedReceipt>, ChainBuilder) {
    let created = corridors.create(create_request(id, true)).await.unwrap();
    let mut builder = ChainBuilder::new(id, created.genesis_root);
    let mut receipts = Vec::new();
    for _ in 0..3 {
        let receipt = builder.next();
        corridors.append(id, receipt.clone()).await.unwrap();
        receipts.push(receipt);
    }
    (receipts, builder)
}

/// A receipt competing with `receipts[sequence]`: same parent, another transition, signed by
/// `keys`.
fn competing(
    id: &CorridorId,
    receipts: &[SignedReceipt],
    sequence: u64,
    keys: &[&msez_protocol::keys::SigningKey],
) -> SignedReceipt {
    let at = receipts[usize::try_from(sequence).unwrap()]
        .document
        .prev_root;
    let builder = ChainBuilder {
        corridor_id: id.clone(),
        head: at,
        sequence,
    };
    builder.sign_with(
        Transition::new("note", json!({"competing": sequence})).unwrap(),
        keys,
    )
}

/// The SPEC §5 rule a refused piece of fork evidence broke.
#[track_caller]
fn refused_rule<T: std::fmt::Debug>(result: Result<T, CorridorReject>) -> AppendError {
    match result {
        Err(CorridorReject::ForkEvidence { source, .. }) => *source,
        other => panic!("expected a fork evidence refusal, got {other:?}"),
    }
}

fn both_signers() -> Vec<msez_protocol::keys::SigningKey> {
    signer_keys().into_iter().collect()
}

/// Registers watcher `seed` in the store in `state` with one posted bond of `bond_minor`.
async fn register_watcher(db: &TestDb, seed: u8, state: &str, bond_minor: i128) {
    let watcher_id = format!("w-{seed}");
    db.store
        .register_watcher(&WatcherRecord {
            watcher_id: watcher_id.clone(),
            did: key(seed).did().to_string(),
            state: state.to_owned(),
            registered_at_unix_ms: 1,
        })
        .await
        .unwrap();
    db.store
        .put_bond(&BondRecord {
            bond_id: format!("b-{seed}"),
            watcher_id,
            currency: "USD".to_owned(),
            amount_minor: bond_minor,
            state: msez_persistence::watchers::BOND_STATE_HELD.to_owned(),
            bond: CanonicalBytes::new(&json!({"bond": seed})).unwrap(),
        })
        .await
        .unwrap();
}

/// Watcher `seed`'s attestation of `candidate` at `sequence` over `parent`.
fn attest(
    seed: u8,
    id: &CorridorId,
    sequence: u64,
    parent: Digest,
    candidate: Digest,
) -> WatcherAttestation {
    let statement = AttestationStatement {
        corridor_id: id.clone(),
        height: sequence,
        parent_root: parent,
        candidate_root: candidate,
        observed_head: ObservedHead {
            corridor_id: id.clone(),
            height: sequence + 1,
            next_root: candidate,
            mmr_root: Some(Digest::from_bytes([9; 32])),
        },
    };
    WatcherAttestation::sign(statement, &key(seed), at(100)).unwrap()
}

async fn fork_evidence_halts_with_a_zone_alarm_and_keeps_both_receipts(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.fork.halt");
    let (receipts, mut builder) = corridor_with_three(&corridors, &id).await;
    let signers = both_signers();
    let evidence = competing(&id, &receipts, 1, &signers.iter().collect::<Vec<_>>());
    let ack = corridors.report_fork(&id, evidence.clone()).await.unwrap();
    let halt = ack.halt.expect("an active corridor halts");
    assert_eq!(
        (halt.from, halt.to),
        (
            CorridorLifecycleState::Active,
            CorridorLifecycleState::Halted
        )
    );
    assert_eq!(ack.fork.status, ForkStatus::Open);
    assert_eq!(ack.fork.fork.height(), 1);
    assert_eq!(ack.fork.stored_next_root, receipts[1].document.next_root);
    assert_eq!(ack.fork.competing_next_root, evidence.document.next_root);
    assert_eq!(ack.fork.competing_receipt, evidence.to_value().unwrap());
    assert_eq!(ack.fork.stored_receipt, receipts[1].to_value().unwrap());
    let report = verify_credential(&ack.fork.alarm, FixedClock.now());
    assert!(report.verified, "{report:?}");
    assert_eq!(report.credential_type, Some(CredentialType::ForkAlarm));
    assert_eq!(report.issuer, Some(*key(31).did()));
    // Appends get the typed halt; the chain is unchanged.
    assert!(matches!(
        corridors.append(&id, builder.next()).await,
        Err(CorridorReject::Halted { .. })
    ));
    let summary = corridors.summary(&id).await.unwrap();
    assert_eq!(
        (summary.lifecycle, summary.height),
        (CorridorLifecycleState::Halted, 3)
    );
    // A second competing receipt while halted is recorded beside the first, with no transition.
    let other = competing(&id, &receipts, 2, &signers.iter().collect::<Vec<_>>());
    let second = corridors.report_fork(&id, other).await.unwrap();
    assert!(second.halt.is_none());
    let forks = corridors.forks(&id).await.unwrap();
    assert_eq!(forks, vec![ack.fork, second.fork]);
    corridors.shutdown().await;
    db.cleanup().await;
}

async fn bad_fork_evidence_is_refused_and_records_nothing(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.fork.bad");
    let (receipts, builder) = corridor_with_three(&corridors, &id).await;
    let signers = both_signers();
    let both: Vec<_> = signers.iter().collect();
    // A sequence the corridor does not hold yet.
    let ahead = builder.sign_with(Transition::new("note", json!({})).unwrap(), &both);
    assert!(matches!(
        corridors.report_fork(&id, ahead).await,
        Err(CorridorReject::ForkSequenceUnknown {
            sequence: 3,
            height: 3,
            ..
        })
    ));
    // The receipt the corridor holds.
    assert!(matches!(
        corridors.report_fork(&id, receipts[1].clone()).await,
        Err(CorridorReject::ForkIdentical { sequence: 1, .. })
    ));
    // One signature where the policy needs two, and a key the policy does not name.
    let stranger = key(9);
    for keys in [vec![&signers[0]], vec![&signers[0], &stranger]] {
        let evidence = competing(&id, &receipts, 1, &keys);
        assert!(matches!(
            refused_rule(corridors.report_fork(&id, evidence).await),
            AppendError::Signatures { sequence: 1, .. }
        ));
    }
    // Another parent than the stored receipt's.
    let wrong_parent = ChainBuilder {
        corridor_id: id.clone(),
        head: Digest::from_bytes([7; 32]),
        sequence: 1,
    }
    .sign_with(Transition::new("note", json!({})).unwrap(), &both);
    assert!(matches!(
        refused_rule(corridors.report_fork(&id, wrong_parent).await),
        AppendError::PrevRootMismatch { sequence: 1, .. }
    ));
    // A timestamp before the previous receipt's.
    let mut backwards = competing(&id, &receipts, 2, &both).document;
    backwards.timestamp = at(0);
    let backwards = SignedReceipt::seal_and_sign(backwards, &both, at(0)).unwrap();
    assert!(matches!(
        refused_rule(corridors.report_fork(&id, backwards).await),
        AppendError::TimestampBeforePrevious { sequence: 2, .. }
    ));
    // Nothing was recorded and the corridor still takes receipts.
    assert!(corridors.forks(&id).await.unwrap().is_empty());
    assert!(db.store.corridor_forks(&id).await.unwrap().is_empty());
    let summary = corridors.summary(&id).await.unwrap();
    assert_eq!(summary.lifecycle, CorridorLifecycleState::Active);
    let mut builder = builder;
    corridors.append(&id, builder.next()).await.unwrap();
    // Valid evidence is recorded once; the same evidence again is a typed conflict.
    let evidence = competing(&id, &receipts, 0, &both);
    let ack = corridors.report_fork(&id, evidence.clone()).await.unwrap();
    assert!(matches!(
        corridors.report_fork(&id, evidence).await,
        Err(CorridorReject::ForkRecorded { fork_id, .. }) if fork_id == ack.fork.fork_id
    ));
    assert_eq!(db.store.corridor_forks(&id).await.unwrap().len(), 1);
    corridors.shutdown().await;
    db.cleanup().await;
}

async fn quorum_for_the_stored_branch_lets_the_corridor_resume(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.fork.quorum");
    let (receipts, mut builder) = corridor_with_three(&corridors, &id).await;
    let signers = both_signers();
    let evidence = competing(&id, &receipts, 2, &signers.iter().collect::<Vec<_>>());
    let fork = corridors.report_fork(&id, evidence).await.unwrap().fork;
    // Open: resuming is refused.
    assert!(matches!(
        corridors.resume_after_fork(&id, fork.fork_id.clone()).await,
        Err(CorridorReject::ForkNotWon { status: "open", .. })
    ));
    register_watcher(&db, 41, "active", 1_000).await;
    let parent = receipts[2].document.prev_root;
    let stored_root = receipts[2].document.next_root;
    let attestation = attest(41, &id, 2, parent, stored_root);
    let decided = corridors
        .resolve_fork(&id, fork.fork_id.clone(), vec![attestation], Vec::new())
        .await
        .unwrap();
    assert_eq!(decided.hold, None);
    assert_eq!(decided.fork.status, ForkStatus::StoredBranchWon);
    assert_eq!(decided.fork.decision.as_ref().unwrap()["outcome"], "quorum");
    let credential = decided.fork.resolution.clone().unwrap();
    let report = verify_credential(&credential, FixedClock.now());
    assert!(report.verified, "{report:?}");
    assert_eq!(report.credential_type, Some(CredentialType::ForkResolution));
    assert_eq!(
        credential["credentialSubject"]["chosen_next_root"],
        stored_root.to_hex()
    );
    assert_eq!(
        credential["credentialSubject"]["basis"],
        Value::from("watcher_quorum")
    );
    // A decided fork is not decided again.
    assert!(matches!(
        corridors
            .resolve_fork(&id, fork.fork_id.clone(), Vec::new(), Vec::new())
            .await,
        Err(CorridorReject::ForkDecided { .. })
    ));
    let resumed = corridors
        .resume_after_fork(&id, fork.fork_id.clone())
        .await
        .unwrap();
    assert_eq!(
        (resumed.from, resumed.to),
        (
            CorridorLifecycleState::Halted,
            CorridorLifecycleState::Active
        )
    );
    let ack = corridors.append(&id, builder.next()).await.unwrap();
    assert_eq!(ack.sequence, 3);
    // The losing receipt is still there as evidence; the decision is spent.
    let stored = corridors.forks(&id).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].competing_receipt, fork.competing_receipt);
    assert_eq!(stored[0].status, ForkStatus::Resumed);
    // An authority halts the corridor: the spent decision cannot lift that halt, and fork
    // evidence brought now is refused like an append.
    let order = transition_consent(
        &id,
        CorridorLifecycleState::Active,
        TransitionKind::Halt,
        &key(21),
        at(300),
    )
    .unwrap();
    corridors
        .halt(&id, HaltEvidence::Authority(order))
        .await
        .unwrap();
    assert!(matches!(
        corridors.resume_after_fork(&id, fork.fork_id.clone()).await,
        Err(CorridorReject::ForkNotWon {
            status: "resumed",
            ..
        })
    ));
    let late = competing(&id, &receipts, 1, &signers.iter().collect::<Vec<_>>());
    assert!(matches!(
        corridors.report_fork(&id, late).await,
        Err(CorridorReject::Halted { .. })
    ));
    assert_eq!(corridors.forks(&id).await.unwrap().len(), 1);
    corridors.shutdown().await;
    db.cleanup().await;
}

async fn a_branch_without_quorum_or_the_competing_branch_cannot_resume(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.fork.noquorum");
    let (receipts, mut builder) = corridor_with_three(&corridors, &id).await;
    let signers = both_signers();
    let both: Vec<_> = signers.iter().collect();
    // Backdated to the previous receipt's time: as early as the append rules allow.
    let mut early = competing(&id, &receipts, 2, &both).document;
    early.timestamp = receipts[1].document.timestamp;
    let early = SignedReceipt::seal_and_sign(early, &both, at(0)).unwrap();
    let fork = corridors
        .report_fork(&id, early.clone())
        .await
        .unwrap()
        .fork;
    let parent = receipts[2].document.prev_root;
    let competing_root = early.document.next_root;
    // A bonded but not active watcher and an unregistered one attest the competing branch.
    register_watcher(&db, 42, "bonded", 1_000).await;
    let attestations = vec![
        attest(42, &id, 2, parent, competing_root),
        attest(43, &id, 2, parent, competing_root),
    ];
    let undecided = corridors
        .resolve_fork(&id, fork.fork_id.clone(), attestations, Vec::new())
        .await
        .unwrap();
    assert_eq!(
        undecided.hold,
        Some(ForkHold::Undecided(HaltReason::NoQuorum))
    );
    assert_eq!(undecided.fork.status, ForkStatus::Open);
    assert_eq!(undecided.fork.resolution, None);
    let decision = undecided.fork.decision.clone().unwrap();
    assert_eq!(decision["outcome"], "halted");
    assert_eq!(decision["rejected"].as_array().unwrap().len(), 2);
    assert!(matches!(
        corridors.resume_after_fork(&id, fork.fork_id.clone()).await,
        Err(CorridorReject::ForkNotWon { status: "open", .. })
    ));
    // The authority chooses the competing branch: decided, but the corridor stays halted.
    let choice = fork_resolution_credential(&fork.fork, competing_root, &key(21), at(200)).unwrap();
    let lost = corridors
        .resolve_fork(&id, fork.fork_id.clone(), Vec::new(), vec![choice])
        .await
        .unwrap();
    assert_eq!(lost.hold, Some(ForkHold::CompetingBranchWon));
    assert_eq!(lost.fork.status, ForkStatus::CompetingBranchWon);
    assert!(matches!(
        corridors.resume_after_fork(&id, fork.fork_id.clone()).await,
        Err(CorridorReject::ForkNotWon {
            status: "competing_branch_won",
            ..
        })
    ));
    assert!(matches!(
        corridors.append(&id, builder.next()).await,
        Err(CorridorReject::Halted { .. })
    ));
    corridors.shutdown().await;
    db.cleanup().await;
}

async fn a_crash_and_a_new_process_keep_the_fork_and_the_halt(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.fork.restart");
    let (receipts, mut builder) = corridor_with_three(&corridors, &id).await;
    let signers = both_signers();
    let evidence = competing(&id, &receipts, 1, &signers.iter().collect::<Vec<_>>());
    let fork = corridors.report_fork(&id, evidence).await.unwrap().fork;
    // Crash: the supervisor restarts the actor from the store.
    assert!(corridors.kill(&id).await.unwrap());
    let forks = loop {
        match corridors.forks(&id).await {
            Ok(forks) => break forks,
            Err(CorridorReject::Unavailable { .. }) => {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            Err(other) => panic!("unexpected rejection: {other}"),
        }
    };
    assert_eq!(forks, vec![fork.clone()]);
    // A new process on the same database: still halted, the fork listed.
    corridors.shutdown().await;
    let (fresh, _tree) = start(&db.reopen().await, "node-a").await;
    let summary = fresh.summary(&id).await.unwrap();
    assert_eq!(summary.lifecycle, CorridorLifecycleState::Halted);
    assert_eq!(fresh.forks(&id).await.unwrap(), vec![fork.clone()]);
    let refused = builder.next();
    assert!(matches!(
        fresh.append(&id, refused.clone()).await,
        Err(CorridorReject::Halted { .. })
    ));
    // Decided by the authority for the stored branch, then restarted again: the resume
    // recomputes the decision from the stored evidence.
    let choice = fork_resolution_credential(
        &fork.fork,
        receipts[1].document.next_root,
        &key(21),
        at(200),
    )
    .unwrap();
    fresh
        .resolve_fork(&id, fork.fork_id.clone(), Vec::new(), vec![choice])
        .await
        .unwrap();
    fresh.shutdown().await;
    let (again, _tree) = start(&db.reopen().await, "node-a").await;
    let forks = again.forks(&id).await.unwrap();
    assert_eq!(forks[0].status, ForkStatus::StoredBranchWon);
    again
        .resume_after_fork(&id, fork.fork_id.clone())
        .await
        .unwrap();
    // The receipt refused while halted is accepted now.
    assert_eq!(again.append(&id, refused).await.unwrap().sequence, 3);
    again.shutdown().await;
    db.cleanup().await;
}

async fn a_corridor_records_at_most_the_fork_bound(kind: Kind) {
    let Some(db) = TestDb::open(kind).await else {
        return;
    };
    let (corridors, _tree) = start(&db.store, "node-a").await;
    let id = corridor_id("PK-AE.fork.bound");
    let (receipts, _builder) = corridor_with_three(&corridors, &id).await;
    let signers = both_signers();
    let both: Vec<_> = signers.iter().collect();
    let variant = |index: u64| {
        ChainBuilder {
            corridor_id: id.clone(),
            head: receipts[1].document.prev_root,
            sequence: 1,
        }
        .sign_with(
            Transition::new("note", json!({"variant": index})).unwrap(),
            &both,
        )
    };
    for index in 0..FORKS_PER_CORRIDOR_MAX {
        corridors.report_fork(&id, variant(index)).await.unwrap();
    }
    assert!(matches!(
        corridors.report_fork(&id, variant(FORKS_PER_CORRIDOR_MAX)).await,
        Err(CorridorReject::TooLarge { count, limit, .. })
            if count == FORKS_PER_CORRIDOR_MAX + 1 && limit == FORKS_PER_CORRIDOR_MAX
    ));
    let recorded = db.store.corridor_forks(&id).await.unwrap();
    assert_eq!(recorded.len() as u64, FORKS_PER_CORRIDOR_MAX);
    corridors.shutdown().await;
    db.cleanup().await;
}

backend_tests!(
    a_corridor_records_at_most_the_fork_bound,
    fork_evidence_halts_with_a_zone_alarm_and_keeps_both_receipts,
    bad_fork_evidence_is_refused_and_records_nothing,
    quorum_for_the_stored_branch_lets_the_corridor_resume,
    a_branch_without_quorum_or_the_competing_branch_cannot_resume,
    a_crash_and_a_new_process_keep_the_fork_and_the_halt,
);
