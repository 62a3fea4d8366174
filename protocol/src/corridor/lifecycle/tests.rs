//! Lifecycle: the full walk with signed evidence, activation needs every regulator, authority is
//! checked, and every illegal transition is a typed error listing the legal ones.

use super::*;
use crate::corridor::fork::{
    ForkPolicy, ReceiptHeader, detect_fork, fork_alarm_credential, resolve_fork,
};
use crate::corridor::watcher::WatcherRegistry;
use crate::test_support::key;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_800_000_000 + seconds).unwrap()
}

fn corridor() -> CorridorId {
    CorridorId::new("corridor:PK-AE").unwrap()
}

/// Regulators: PK = key 1, AE = key 2. Authority: key 3.
fn context() -> LifecycleContext {
    LifecycleContext {
        corridor_id: corridor(),
        regulators: BTreeMap::from([
            (JurisdictionId::new("PK").unwrap(), *key(1).did()),
            (JurisdictionId::new("AE").unwrap(), *key(2).did()),
        ]),
        authorities: BTreeSet::from([*key(3).did()]),
    }
}

fn consent(from: CorridorState, requested: TransitionKind, seed: u8) -> Value {
    transition_consent(&corridor(), from, requested, &key(seed), at(0)).unwrap()
}

fn header(next: u8) -> ReceiptHeader {
    ReceiptHeader {
        corridor_id: corridor(),
        sequence: 3,
        prev_root: Digest::from_bytes([1; 32]),
        next_root: Digest::from_bytes([next; 32]),
    }
}

fn fork_decision(authority_seeds: &[u8]) -> ForkDecision {
    let fork = detect_fork(&header(0xAA), &header(0xBB)).unwrap();
    let policy = ForkPolicy {
        quorum_threshold: 1,
        bond_minor_min: 1,
        authorities: BTreeSet::from([*key(3).did()]),
        authority_threshold: 1,
    };
    let resolutions: Vec<Value> = authority_seeds
        .iter()
        .map(|&seed| {
            crate::corridor::fork::fork_resolution_credential(
                &fork,
                Digest::from_bytes([0xAA; 32]),
                &key(seed),
                at(0),
            )
            .unwrap()
        })
        .collect();
    resolve_fork(&fork, &[], &WatcherRegistry::new(), &policy, &resolutions).unwrap()
}

#[test]
fn lifecycle_walks_every_legal_transition_with_evidence() {
    use CorridorState::*;
    use TransitionKind as K;
    let context = context();
    let fork = detect_fork(&header(0xAA), &header(0xBB)).unwrap();
    let steps = [
        (
            Draft,
            TransitionEvidence::Submit {
                definition_payload_sha256: Digest::from_bytes([7; 32]),
            },
            Pending,
        ),
        (
            Pending,
            TransitionEvidence::Activate {
                approvals: vec![
                    consent(Pending, K::Activate, 2),
                    consent(Pending, K::Activate, 1),
                ],
            },
            Active,
        ),
        (
            Active,
            TransitionEvidence::Suspend {
                order: consent(Active, K::Suspend, 3),
            },
            Suspended,
        ),
        (
            Suspended,
            TransitionEvidence::Resume {
                order: consent(Suspended, K::Resume, 3),
            },
            Active,
        ),
        (
            Active,
            TransitionEvidence::Halt(HaltEvidence::ForkAlarm(
                fork_alarm_credential(&fork, &key(3), at(0)).unwrap(),
            )),
            Halted,
        ),
        (
            Halted,
            TransitionEvidence::ResumeAfterFork {
                decision: Box::new(fork_decision(&[3])),
            },
            Active,
        ),
        (
            Active,
            TransitionEvidence::Halt(HaltEvidence::Authority(consent(Active, K::Halt, 3))),
            Halted,
        ),
        (
            Halted,
            TransitionEvidence::Deprecate {
                order: consent(Halted, K::Deprecate, 3),
            },
            Deprecated,
        ),
    ];
    for (from, evidence, expected) in steps {
        assert_eq!(
            transition(from, &evidence, &context),
            Ok(expected),
            "{from:?}"
        );
        let credential =
            lifecycle_transition_credential(&corridor(), from, &evidence, &key(9), at(1)).unwrap();
        assert_eq!(
            credential["credentialSubject"]["to_state"],
            serde_json::to_value(expected).unwrap()
        );
        assert!(crate::proof::verify_document(&credential).unwrap()[0].is_valid());
    }
}

#[test]
fn lifecycle_activation_needs_both_regulators() {
    let evidence = TransitionEvidence::Activate {
        approvals: vec![consent(CorridorState::Pending, TransitionKind::Activate, 1)],
    };
    assert_eq!(
        transition(CorridorState::Pending, &evidence, &context()),
        Err(LifecycleError::MissingApproval {
            jurisdiction_id: JurisdictionId::new("AE").unwrap(),
            regulator: *key(2).did(),
        })
    );
    let outsider = TransitionEvidence::Activate {
        approvals: vec![
            consent(CorridorState::Pending, TransitionKind::Activate, 1),
            consent(CorridorState::Pending, TransitionKind::Activate, 3),
        ],
    };
    let message = transition(CorridorState::Pending, &outsider, &context())
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        format!(
            "lifecycle: {} has no authority for Activate on corridor corridor:PK-AE",
            key(3).did()
        )
    );
    let mut lone = context();
    lone.regulators.remove(&JurisdictionId::new("AE").unwrap());
    assert!(matches!(
        transition(CorridorState::Pending, &evidence, &lone),
        Err(LifecycleError::TooFewRegulators {
            regulator_count: 1,
            ..
        })
    ));
}

#[test]
fn lifecycle_rejects_consents_for_another_transition_or_signer() {
    let wrong_step = TransitionEvidence::Suspend {
        order: consent(CorridorState::Pending, TransitionKind::Suspend, 3),
    };
    assert!(matches!(
        transition(CorridorState::Active, &wrong_step, &context()),
        Err(LifecycleError::Evidence { .. })
    ));
    let regulator_suspends = TransitionEvidence::Suspend {
        order: consent(CorridorState::Active, TransitionKind::Suspend, 1),
    };
    assert!(matches!(
        transition(CorridorState::Active, &regulator_suspends, &context()),
        Err(LifecycleError::NoAuthority { .. })
    ));
    let mut forged = consent(CorridorState::Active, TransitionKind::Suspend, 3);
    forged["credentialSubject"]["to_state"] = serde_json::json!("deprecated");
    assert!(matches!(
        transition(
            CorridorState::Active,
            &TransitionEvidence::Suspend { order: forged },
            &context()
        ),
        Err(LifecycleError::Proof { .. })
    ));
    let unresolved = TransitionEvidence::ResumeAfterFork {
        decision: Box::new(fork_decision(&[])),
    };
    assert!(matches!(
        transition(CorridorState::Halted, &unresolved, &context()),
        Err(LifecycleError::Evidence { .. })
    ));
}

#[test]
fn lifecycle_illegal_transitions_list_the_legal_ones() {
    let evidence = TransitionEvidence::Submit {
        definition_payload_sha256: Digest::from_bytes([7; 32]),
    };
    for from in [
        CorridorState::Pending,
        CorridorState::Active,
        CorridorState::Suspended,
        CorridorState::Halted,
        CorridorState::Deprecated,
    ] {
        assert_eq!(
            transition(from, &evidence, &context()),
            Err(LifecycleError::IllegalTransition {
                from,
                requested: TransitionKind::Submit,
                legal: legal_transitions(from).to_vec(),
            })
        );
    }
    assert_eq!(
        transition(CorridorState::Halted, &evidence, &context())
            .unwrap_err()
            .to_string(),
        "lifecycle: Submit is not allowed from Halted; legal: [ResumeAfterFork, Deprecate]"
    );
    assert!(legal_transitions(CorridorState::Deprecated).is_empty());
}
