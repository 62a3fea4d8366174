//! Watchers: the lifecycle table, bonds, integer basis-point slashes, equivocation evidence and
//! the challenge window at its edge.

use super::*;
use crate::test_support::key;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_800_000_000 + seconds).unwrap()
}

fn statement(candidate: u8) -> AttestationStatement {
    AttestationStatement {
        corridor_id: CorridorId::new("corridor:PK-AE").unwrap(),
        height: 7,
        parent_root: Digest::from_bytes([1; 32]),
        candidate_root: Digest::from_bytes([candidate; 32]),
        observed_head: Digest::from_bytes([1; 32]),
    }
}

fn active_registry(watcher: &DidKey, bond_minor: u64) -> WatcherRegistry {
    let mut registry = WatcherRegistry::new();
    registry.register(*watcher).unwrap();
    registry.bond(watcher, bond_minor).unwrap();
    registry.activate(watcher).unwrap();
    registry
}

#[test]
fn watcher_lifecycle_follows_the_table() {
    let did = *key(1).did();
    let mut registry = active_registry(&did, 500);
    assert!(registry.counts(&did, 500));
    assert!(!registry.counts(&did, 501));
    assert_eq!(
        registry.activate(&did),
        Err(WatcherError::Transition {
            watcher: did,
            from: WatcherStatus::Active,
            to: WatcherStatus::Active
        })
    );
    registry.begin_unbonding(&did).unwrap();
    assert!(!registry.counts(&did, 1));
    registry.deactivate(&did).unwrap();
    assert_eq!(registry.get(&did).unwrap().bond_minor, 0);
    assert_eq!(
        registry.register(did),
        Err(WatcherError::AlreadyRegistered { watcher: did })
    );
    let other = *key(2).did();
    assert_eq!(
        registry.bond(&other, 5),
        Err(WatcherError::Unknown { watcher: other })
    );
    registry.register(other).unwrap();
    assert_eq!(
        registry.bond(&other, 0),
        Err(WatcherError::EmptyBond { watcher: other })
    );
}

#[test]
fn watcher_registry_holds_up_to_its_limit() {
    let mut registry = WatcherRegistry::new();
    for index in 0..WATCHERS_MAX {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&(index as u64).to_le_bytes());
        registry
            .register(*SigningKey::from_seed(&seed).did())
            .unwrap();
    }
    assert_eq!(
        registry.register(*key(0xEE).did()),
        Err(WatcherError::RegistryFull)
    );
}

#[test]
fn slash_basis_points_follow_spec_section_11() {
    assert_eq!(SlashingOffence::Equivocation.slash_bps(), 10_000);
    assert_eq!(SlashingOffence::FalseAttestation.slash_bps(), 5_000);
    assert_eq!(SlashingOffence::Collusion.slash_bps(), 10_000);
    let availability =
        |incident_count| SlashingOffence::AvailabilityFailure { incident_count }.slash_bps();
    assert_eq!(availability(1), 100);
    assert_eq!(availability(100), 10_000);
    assert_eq!(availability(101), 10_000);
    assert_eq!(availability(u32::MAX), 10_000);
    assert_eq!(slash_amount_minor(999, 5_000), 499);
    assert_eq!(slash_amount_minor(u64::MAX, 10_000), u64::MAX);
    assert_eq!(slash_amount_minor(u64::MAX, 20_000), u64::MAX);
    assert_eq!(slash_amount_minor(1, 100), 0);
}

#[test]
fn attestation_round_trips_json_and_names_its_signer() {
    let watcher = key(1);
    let attestation = WatcherAttestation::sign(statement(2), &watcher, at(0)).unwrap();
    attestation.verify().unwrap();
    let json = attestation.to_json().unwrap();
    assert_eq!(WatcherAttestation::from_json(&json).unwrap(), attestation);
    let mut renamed = json.clone();
    renamed["watcher"] = serde_json::json!(key(9).did().to_string());
    assert!(matches!(
        WatcherAttestation::from_json(&renamed),
        Err(WatcherError::SignerMismatch { .. })
    ));
    let mut retyped = json;
    retyped["height"] = serde_json::json!("7");
    assert_eq!(
        WatcherAttestation::from_json(&retyped),
        Err(WatcherError::AttestationField { field: "height" })
    );
}

#[test]
fn equivocation_needs_one_watcher_two_roots_one_parent() {
    let watcher = key(1);
    let a = WatcherAttestation::sign(statement(2), &watcher, at(0)).unwrap();
    let b = WatcherAttestation::sign(statement(3), &watcher, at(5)).unwrap();
    let evidence = EquivocationEvidence::new(b.clone(), a.clone()).unwrap();
    assert_eq!(evidence.first, a);
    assert_eq!(evidence.watcher(), *watcher.did());
    assert!(matches!(
        EquivocationEvidence::new(a.clone(), a.clone()),
        Err(WatcherError::NotEquivocation { .. })
    ));
    let other = WatcherAttestation::sign(statement(3), &key(2), at(0)).unwrap();
    assert!(matches!(
        EquivocationEvidence::new(a, other),
        Err(WatcherError::NotEquivocation { .. })
    ));
}

#[test]
fn slash_waits_for_the_challenge_window_then_takes_the_bond() {
    let watcher = key(1);
    let did = *watcher.did();
    let mut registry = active_registry(&did, 1_000);
    let a = WatcherAttestation::sign(statement(2), &watcher, at(0)).unwrap();
    let b = WatcherAttestation::sign(statement(3), &watcher, at(0)).unwrap();
    let claim = SlashingClaim {
        watcher: did,
        evidence: EquivocationEvidence::new(a, b).unwrap(),
        filed_at: at(100),
        challenge_window_seconds: 3_600,
    };
    assert_eq!(
        execute_slash(&mut registry, &claim, at(3_699)),
        Err(WatcherError::ChallengeWindowOpen {
            watcher: did,
            executable_at: at(3_700)
        })
    );
    let outcome = execute_slash(&mut registry, &claim, at(3_700)).unwrap();
    assert_eq!(
        outcome,
        SlashOutcome {
            slash_bps: 10_000,
            slashed_minor: 1_000,
            remaining_bond_minor: 0,
            status: WatcherStatus::Slashed
        }
    );
    assert!(!registry.counts(&did, 1));
    assert!(matches!(
        execute_slash(&mut registry, &claim, at(3_700)),
        Err(WatcherError::Transition { .. })
    ));
}
