//! Watchers: the lifecycle table, bonds, integer basis-point slashes, equivocation and collusion
//! evidence, the challenge window at its edge, and what a partial slash does to the lifecycle
//! (a watcher keeps serving while its remaining bond meets the minimum).

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
        observed_head: ObservedHead {
            corridor_id: CorridorId::new("corridor:PK-AE").unwrap(),
            height: 7,
            next_root: Digest::from_bytes([1; 32]),
            mmr_root: Some(Digest::from_bytes([9; 32])),
        },
    }
}

/// The corridor's minimum bond in the slashing tests below.
const BOND_MINOR_MIN: u64 = 500;

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
        evidence: SlashingEvidence::Equivocation(Box::new(
            EquivocationEvidence::new(a, b).unwrap(),
        )),
        filed_at: at(100),
        challenge_window_seconds: 3_600,
    };
    assert_eq!(
        execute_slash(&mut registry, &claim, BOND_MINOR_MIN, at(3_699)),
        Err(WatcherError::ChallengeWindowOpen {
            watcher: did,
            executable_at: at(3_700)
        })
    );
    let outcome = execute_slash(&mut registry, &claim, BOND_MINOR_MIN, at(3_700)).unwrap();
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
        execute_slash(&mut registry, &claim, BOND_MINOR_MIN, at(3_700)),
        Err(WatcherError::Transition { .. })
    ));
}

#[test]
fn attestation_rejects_an_observed_head_it_cannot_have_seen() {
    let head = |height, next_root: u8, mmr_root: Option<u8>| AttestationStatement {
        observed_head: ObservedHead {
            height,
            next_root: Digest::from_bytes([next_root; 32]),
            mmr_root: mmr_root.map(|byte| Digest::from_bytes([byte; 32])),
            ..statement(2).observed_head
        },
        ..statement(2)
    };
    let sign = |statement| WatcherAttestation::sign(statement, &key(1), at(0)).map(drop);
    // Height 7 is the parent [1; 32]; height 8 is the attested candidate [2; 32].
    assert_eq!(sign(head(7, 1, Some(9))), Ok(()));
    assert_eq!(sign(head(8, 2, Some(9))), Ok(()));
    assert_eq!(sign(head(30, 5, Some(9))), Ok(()));
    let rejected = |statement, fragment: &str| match sign(statement) {
        Err(WatcherError::ObservedHead { rule }) => assert!(rule.contains(fragment), "{rule}"),
        other => panic!("expected an observed-head rule about {fragment}, got {other:?}"),
    };
    rejected(head(6, 1, Some(9)), "at least the attested sequence");
    rejected(head(7, 3, Some(9)), "is the parent");
    rejected(head(8, 3, Some(9)), "is the attested next_root");
    rejected(head(7, 1, None), "mmr_root is present");
    let mut other_corridor = statement(2);
    other_corridor.observed_head.corridor_id = CorridorId::new("corridor:PK-CN").unwrap();
    rejected(other_corridor, "attested corridor");
}

#[test]
fn attestation_document_carries_the_observed_head_and_round_trips() {
    let attestation = WatcherAttestation::sign(statement(2), &key(1), at(0)).unwrap();
    let secured = attestation.to_json().unwrap();
    assert_eq!(secured["observed_head"]["height"], 7);
    assert_eq!(
        secured["observed_head"]["mmr_root"],
        Digest::from_bytes([9; 32]).to_hex()
    );
    assert_eq!(WatcherAttestation::from_json(&secured), Ok(attestation));
    // A head edited after signing still parses (its judge is the one who counts it), but it
    // breaks the observed-head rules and no longer matches the proof.
    let mut forged = secured;
    forged["observed_head"]["height"] = serde_json::json!(3);
    let parsed = WatcherAttestation::from_json(&forged).unwrap();
    assert!(matches!(
        parsed.statement().check_observed_head(),
        Err(WatcherError::ObservedHead { .. })
    ));
    assert!(matches!(
        parsed.verify(),
        Err(WatcherError::AttestationProof { .. })
    ));
}

#[test]
fn attestation_credential_carries_and_verifies_the_observed_head() {
    use crate::vc::{Credential, CredentialTerms, issue, verify_credential};
    let watcher_key = key(1);
    let attestation = WatcherAttestation::sign(statement(2), &watcher_key, at(0)).unwrap();
    let subject = attestation.credential_subject(at(0));
    assert_eq!(subject.observed_head, statement(2).observed_head);
    let terms = CredentialTerms {
        id: None,
        issuer: *watcher_key.did(),
        valid_from: at(0),
        valid_until: None,
        status: None,
    };
    let credential = Credential::build(&subject, terms).unwrap();
    let secured = issue(&credential, &watcher_key, at(0)).unwrap();
    assert!(verify_credential(&secured, at(1)).verified);
    // A head that contradicts the attested receipt fails the subject rules at verification,
    // even when re-signed.
    let mut inconsistent = credential.to_value();
    inconsistent["credentialSubject"]["observed_head"]["next_root"] =
        serde_json::json!(Digest::from_bytes([5; 32]).to_hex());
    assert!(Credential::from_value(&inconsistent).is_err());
}

/// An attestation of receipt 2 of the fixture corridor whose observed head (height 3) is
/// `next_root` with MMR root `mmr_root`.
fn attest_head(next_root: Digest, mmr_root: Option<Digest>) -> WatcherAttestation {
    let corridor_id = crate::test_support::corridor();
    let statement = AttestationStatement {
        corridor_id: corridor_id.clone(),
        height: 2,
        parent_root: Digest::from_bytes([1; 32]),
        candidate_root: next_root,
        observed_head: ObservedHead {
            corridor_id,
            height: 3,
            next_root,
            mmr_root,
        },
    };
    WatcherAttestation::sign(statement, &key(1), at(0)).unwrap()
}

#[test]
fn false_attestation_is_a_head_that_contradicts_a_signed_checkpoint() {
    let checkpoint = crate::test_support::trusted_checkpoint(3, 500);
    let true_head = checkpoint.checkpoint().final_state_root;
    let true_mmr = checkpoint.checkpoint().mmr.root;
    let not = |attestation, reason| {
        assert_eq!(
            FalseAttestationEvidence::new(attestation, checkpoint.clone()),
            Err(WatcherError::NotFalseAttestation { reason })
        );
    };
    not(
        attest_head(true_head, true_mmr),
        "the observed head is the checkpoint's head",
    );
    let at_other_height = crate::test_support::trusted_checkpoint(2, 500);
    assert_eq!(
        FalseAttestationEvidence::new(
            attest_head(Digest::from_bytes([7; 32]), true_mmr),
            at_other_height
        )
        .map(drop),
        Err(WatcherError::NotFalseAttestation {
            reason: "the checkpoint is at another height"
        })
    );
    assert!(
        FalseAttestationEvidence::new(
            attest_head(true_head, Some(Digest::from_bytes([8; 32]))),
            checkpoint.clone()
        )
        .is_ok()
    );
    assert!(
        FalseAttestationEvidence::new(
            attest_head(Digest::from_bytes([7; 32]), true_mmr),
            checkpoint
        )
        .is_ok()
    );
}

#[test]
fn false_attestation_slash_takes_half_the_bond_after_the_window() {
    let did = *key(1).did();
    let mut registry = active_registry(&did, 1_001);
    let checkpoint = crate::test_support::trusted_checkpoint(3, 500);
    let evidence = FalseAttestationEvidence::new(
        attest_head(
            Digest::from_bytes([7; 32]),
            checkpoint.checkpoint().mmr.root,
        ),
        checkpoint,
    )
    .unwrap();
    let claim = SlashingClaim {
        watcher: did,
        evidence: SlashingEvidence::FalseAttestation(Box::new(evidence.clone())),
        filed_at: at(0),
        challenge_window_seconds: 60,
    };
    assert!(matches!(
        execute_slash(&mut registry, &claim, BOND_MINOR_MIN, at(59)),
        Err(WatcherError::ChallengeWindowOpen { .. })
    ));
    let wrong_watcher = SlashingClaim {
        watcher: *key(2).did(),
        ..claim.clone()
    };
    assert_eq!(
        execute_slash(&mut registry, &wrong_watcher, BOND_MINOR_MIN, at(60)),
        Err(WatcherError::EvidenceAboutAnother {
            claimed: *key(2).did(),
            accused: vec![did]
        })
    );
    // 501 remains: above the minimum of 500 the watcher keeps serving...
    assert_eq!(
        execute_slash(&mut registry, &claim, BOND_MINOR_MIN, at(60)),
        Ok(SlashOutcome {
            slash_bps: 5_000,
            slashed_minor: 500,
            remaining_bond_minor: 501,
            status: WatcherStatus::Active
        })
    );
    assert!(registry.counts(&did, BOND_MINOR_MIN));
    // ...and a corridor demanding more than 501 ends its service.
    let mut strict = active_registry(&did, 1_001);
    assert_eq!(
        execute_slash(&mut strict, &claim, 502, at(60)).map(|outcome| outcome.status),
        Ok(WatcherStatus::Slashed)
    );
    // A forged signature makes the evidence fail when the claim is re-checked.
    let mut forged = evidence;
    let mut document = forged.attestation.to_json().unwrap();
    document["candidate_root"] = serde_json::json!(Digest::from_bytes([6; 32]).to_hex());
    document["observed_head"]["next_root"] =
        serde_json::json!(Digest::from_bytes([6; 32]).to_hex());
    forged.attestation = WatcherAttestation::from_json(&document).unwrap();
    let mut registry = active_registry(&did, 1_000);
    let forged_claim = SlashingClaim {
        evidence: SlashingEvidence::FalseAttestation(Box::new(forged)),
        ..claim
    };
    assert!(matches!(
        execute_slash(&mut registry, &forged_claim, BOND_MINOR_MIN, at(60)),
        Err(WatcherError::AttestationProof { .. })
    ));
}

/// The watcher `seed`'s attestation of `height` of the fixture corridor, created at `created`.
fn attest_height(seed: u8, height: u64, created: Timestamp) -> WatcherAttestation {
    let corridor_id = crate::test_support::corridor();
    let candidate = Digest::from_bytes([4; 32]);
    let statement = AttestationStatement {
        corridor_id: corridor_id.clone(),
        height,
        parent_root: Digest::from_bytes([3; 32]),
        candidate_root: candidate,
        observed_head: ObservedHead {
            corridor_id,
            height: height + 1,
            next_root: candidate,
            mmr_root: Some(Digest::from_bytes([9; 32])),
        },
    };
    WatcherAttestation::sign(statement, &key(seed), created).unwrap()
}

fn availability_claim(missed_heights: &[u64]) -> SlashingClaim {
    SlashingClaim {
        watcher: *key(1).did(),
        evidence: SlashingEvidence::AvailabilityFailure(Box::new(AvailabilityEvidence {
            watcher: *key(1).did(),
            checkpoint: crate::test_support::trusted_checkpoint(3, 500),
            missed_heights: missed_heights.iter().copied().collect(),
            due_at: at(100),
        })),
        filed_at: at(200),
        challenge_window_seconds: 60,
    }
}

#[test]
fn availability_slash_takes_100_bps_per_unrebutted_incident() {
    let did = *key(1).did();
    let mut claim = availability_claim(&[0, 1, 2]);
    let rebut = |claim: &mut SlashingClaim, attestation| claim.rebut(&attestation);
    let not = |reason| Err(WatcherError::NotRebuttal { reason });
    assert_eq!(
        rebut(&mut claim, attest_height(1, 1, at(101))),
        not("the attestation was created after due_at")
    );
    assert_eq!(
        rebut(&mut claim, attest_height(2, 1, at(50))),
        not("the attestation is by another watcher")
    );
    assert_eq!(
        rebut(&mut claim, attest_height(1, 5, at(50))),
        not("the attestation is of a height the claim does not list")
    );
    assert_eq!(rebut(&mut claim, attest_height(1, 1, at(100))), Ok(()));
    let mut registry = active_registry(&did, 10_000);
    assert_eq!(
        execute_slash(&mut registry, &claim, BOND_MINOR_MIN, at(260)),
        Ok(SlashOutcome {
            slash_bps: 200,
            slashed_minor: 200,
            remaining_bond_minor: 9_800,
            status: WatcherStatus::Active
        })
    );
    let mut equivocation = SlashingClaim {
        evidence: SlashingEvidence::Equivocation(Box::new(
            EquivocationEvidence::new(
                WatcherAttestation::sign(statement(2), &key(1), at(0)).unwrap(),
                WatcherAttestation::sign(statement(3), &key(1), at(0)).unwrap(),
            )
            .unwrap(),
        )),
        ..availability_claim(&[0])
    };
    assert_eq!(
        equivocation.rebut(&attest_height(1, 0, at(0))),
        not("only availability claims can be rebutted")
    );
}

#[test]
fn availability_evidence_needs_listed_heights_the_checkpoint_covers() {
    let did = *key(1).did();
    let not = |reason| Err(WatcherError::NotAvailabilityFailure { reason });
    let mut registry = active_registry(&did, 10_000);
    assert_eq!(
        execute_slash(
            &mut registry,
            &availability_claim(&[]),
            BOND_MINOR_MIN,
            at(260)
        ),
        not("no missed heights are listed")
    );
    assert_eq!(
        execute_slash(
            &mut registry,
            &availability_claim(&[2, 3]),
            BOND_MINOR_MIN,
            at(260)
        ),
        not("a missed height is not covered by the checkpoint")
    );
    // Every incident rebutted: nothing is left to slash.
    let mut claim = availability_claim(&[0]);
    claim.rebut(&attest_height(1, 0, at(10))).unwrap();
    assert_eq!(
        execute_slash(&mut registry, &claim, BOND_MINOR_MIN, at(260)),
        not("no missed heights are listed")
    );
    assert_eq!(registry.get(&did).unwrap().bond_minor, 10_000);
}

#[test]
fn availability_evidence_holds_up_to_its_incident_limit() {
    let limit = AVAILABILITY_INCIDENTS_MAX as u64;
    let evidence = |count: u64| AvailabilityEvidence {
        watcher: *key(1).did(),
        checkpoint: crate::test_support::trusted_checkpoint(limit + 1, 500),
        missed_heights: (0..count).collect(),
        due_at: at(100),
    };
    assert_eq!(evidence(limit).check(), Ok(()));
    assert_eq!(
        evidence(limit + 1).check(),
        Err(WatcherError::NotAvailabilityFailure {
            reason: "more missed heights than AVAILABILITY_INCIDENTS_MAX"
        })
    );
}

#[test]
fn partial_slash_keeps_a_watcher_serving_while_its_bond_meets_the_minimum() {
    let did = *key(1).did();
    let one_incident = availability_claim(&[0]);
    // 1000 - 1% = 990: exactly the minimum, so the watcher stays active and counts.
    let mut registry = active_registry(&did, 1_000);
    let outcome = execute_slash(&mut registry, &one_incident, 990, at(260)).unwrap();
    assert_eq!(
        (outcome.remaining_bond_minor, outcome.status),
        (990, WatcherStatus::Active)
    );
    assert!(registry.counts(&did, 990));
    // 990 - 1% (9, rounded down) = 981: one below the minimum ends its service for good.
    let outcome = execute_slash(&mut registry, &one_incident, 990, at(260)).unwrap();
    assert_eq!(
        (
            outcome.slashed_minor,
            outcome.remaining_bond_minor,
            outcome.status
        ),
        (9, 981, WatcherStatus::Slashed)
    );
    assert!(!registry.counts(&did, 1));
    assert_eq!(
        execute_slash(&mut registry, &one_incident, 990, at(260)),
        Err(WatcherError::Transition {
            watcher: did,
            from: WatcherStatus::Slashed,
            to: WatcherStatus::Slashed
        })
    );
    // A bonded watcher below the minimum is slashed too; an unbonding one keeps leaving with
    // what remains, whatever the minimum.
    let mut bonded = WatcherRegistry::new();
    bonded.register(did).unwrap();
    bonded.bond(&did, 1_000).unwrap();
    assert_eq!(
        execute_slash(&mut bonded, &one_incident, 1_000, at(260)).map(|o| o.status),
        Ok(WatcherStatus::Slashed)
    );
    let mut unbonding = active_registry(&did, 1_000);
    unbonding.begin_unbonding(&did).unwrap();
    assert_eq!(
        execute_slash(&mut unbonding, &one_incident, 1_000, at(260)).map(|o| o.status),
        Ok(WatcherStatus::Unbonding)
    );
    assert_eq!(unbonding.get(&did).unwrap().bond_minor, 990);
    unbonding.deactivate(&did).unwrap();
}

/// Watcher `seed`'s equivocation over the fixture fork (candidate roots 2 and 3).
fn equivocation(seed: u8) -> EquivocationEvidence {
    EquivocationEvidence::new(
        WatcherAttestation::sign(statement(2), &key(seed), at(0)).unwrap(),
        WatcherAttestation::sign(statement(3), &key(seed), at(1)).unwrap(),
    )
    .unwrap()
}

fn collusion_claim(seed: u8, evidence: &CollusionEvidence) -> SlashingClaim {
    SlashingClaim {
        watcher: *key(seed).did(),
        evidence: SlashingEvidence::Collusion(Box::new(evidence.clone())),
        filed_at: at(0),
        challenge_window_seconds: 60,
    }
}

#[test]
fn collusion_takes_the_whole_bond_and_bans_every_member() {
    let evidence =
        CollusionEvidence::new(vec![equivocation(3), equivocation(1), equivocation(2)]).unwrap();
    let mut members: Vec<DidKey> = [1, 2, 3].iter().map(|&seed| *key(seed).did()).collect();
    members.sort();
    assert_eq!(evidence.watchers(), members);
    let mut registry = WatcherRegistry::new();
    for (seed, bond) in [(1u8, 1_000u64), (2, 7_777), (3, 1_000), (4, 1_000)] {
        let did = *key(seed).did();
        registry.register(did).unwrap();
        registry.bond(&did, bond).unwrap();
        registry.activate(&did).unwrap();
    }
    assert!(matches!(
        execute_slash(&mut registry, &collusion_claim(2, &evidence), 1, at(59)),
        Err(WatcherError::ChallengeWindowOpen { .. })
    ));
    assert_eq!(
        execute_slash(&mut registry, &collusion_claim(2, &evidence), 1, at(60)),
        Ok(SlashOutcome {
            slash_bps: 10_000,
            slashed_minor: 7_777,
            remaining_bond_minor: 0,
            status: WatcherStatus::Banned
        })
    );
    assert_eq!(
        execute_slash(&mut registry, &collusion_claim(4, &evidence), 1, at(60)),
        Err(WatcherError::EvidenceAboutAnother {
            claimed: *key(4).did(),
            accused: members.clone()
        })
    );
    assert_eq!(
        execute_slash(&mut registry, &collusion_claim(2, &evidence), 1, at(60)),
        Err(WatcherError::Transition {
            watcher: *key(2).did(),
            from: WatcherStatus::Banned,
            to: WatcherStatus::Banned
        })
    );
    // Already slashed for its own equivocation, a member is still banned for the collusion.
    let equivocation_claim = SlashingClaim {
        evidence: SlashingEvidence::Equivocation(Box::new(equivocation(3))),
        ..collusion_claim(3, &evidence)
    };
    let slashed = execute_slash(&mut registry, &equivocation_claim, 1, at(60)).unwrap();
    assert_eq!(slashed.status, WatcherStatus::Slashed);
    let banned = execute_slash(&mut registry, &collusion_claim(3, &evidence), 1, at(60)).unwrap();
    assert_eq!(
        (banned.slashed_minor, banned.status),
        (0, WatcherStatus::Banned)
    );
    assert!(!registry.counts(key(2).did(), 1));
    // Watcher 1 is a member too, but no claim against it has executed yet.
    assert!(registry.counts(key(1).did(), 1));
}

#[test]
fn collusion_needs_two_distinct_watchers_on_one_fork_with_valid_signatures() {
    let not = |reason| Err(WatcherError::NotCollusion { reason });
    assert_eq!(
        CollusionEvidence::new(vec![equivocation(1)]),
        not("fewer than two watchers cannot collude")
    );
    let at_minimum = CollusionEvidence::new(vec![equivocation(2), equivocation(1)]).unwrap();
    assert_eq!(at_minimum.watchers().len(), COLLUSION_WATCHERS_MIN);
    assert_eq!(
        CollusionEvidence::new(vec![equivocation(1), equivocation(1)]),
        not("a watcher appears twice")
    );
    let elsewhere = EquivocationEvidence::new(
        WatcherAttestation::sign(statement(2), &key(2), at(0)).unwrap(),
        WatcherAttestation::sign(statement(4), &key(2), at(0)).unwrap(),
    )
    .unwrap();
    assert_eq!(
        CollusionEvidence::new(vec![equivocation(1), elsewhere]),
        not("the equivocations are not over the same fork and the same two roots")
    );
    // A signature that does not verify sinks the whole evidence.
    let mut forged = equivocation(2);
    let mut document = forged.second.to_json().unwrap();
    document["proof"]["proofValue"] =
        forged.first.to_json().unwrap()["proof"]["proofValue"].clone();
    forged.second = WatcherAttestation::from_json(&document).unwrap();
    assert!(matches!(
        CollusionEvidence::new(vec![equivocation(1), forged]),
        Err(WatcherError::AttestationProof { .. })
    ));
}

#[test]
fn collusion_evidence_holds_up_to_the_watcher_limit() {
    // The count is checked before anything else: at the limit the next rule speaks.
    let one = equivocation(1);
    assert_eq!(
        CollusionEvidence::new(vec![one.clone(); WATCHERS_MAX]),
        Err(WatcherError::NotCollusion {
            reason: "a watcher appears twice"
        })
    );
    assert_eq!(
        CollusionEvidence::new(vec![one; WATCHERS_MAX + 1]),
        Err(WatcherError::NotCollusion {
            reason: "more equivocations than WATCHERS_MAX"
        })
    );
}

#[test]
fn watcher_status_names_round_trip_and_match_serde() {
    for status in WATCHER_STATUSES {
        assert_eq!(WatcherStatus::parse(status.as_str()), Some(status));
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            serde_json::json!(status.as_str())
        );
    }
    assert_eq!(WatcherStatus::parse("Active"), None);
    assert_eq!(WatcherStatus::parse(""), None);
}

/// One registry operation on one watcher.
type Operation = fn(&mut WatcherRegistry, &DidKey) -> Result<(), WatcherError>;

#[test]
fn watcher_status_successors_are_the_registry_operations() {
    let did = *key(1).did();
    for status in WATCHER_STATUSES {
        let record = WatcherRecord {
            status,
            bond_minor: 1_000,
        };
        let operations: [(WatcherStatus, Operation); 4] = [
            (WatcherStatus::Bonded, |registry, did| {
                registry.bond(did, 1_000)
            }),
            (WatcherStatus::Active, |registry, did| {
                registry.activate(did)
            }),
            (WatcherStatus::Unbonding, |registry, did| {
                registry.begin_unbonding(did)
            }),
            (WatcherStatus::Deactivated, |registry, did| {
                registry.deactivate(did)
            }),
        ];
        for (to, operation) in operations {
            let mut registry =
                WatcherRegistry::from_records(BTreeMap::from([(did, record.clone())])).unwrap();
            let allowed = status.successors().contains(&to);
            assert_eq!(
                operation(&mut registry, &did).is_ok(),
                allowed,
                "{status:?} -> {to:?}"
            );
            let expected = if allowed { to } else { status };
            assert_eq!(registry.get(&did).unwrap().status, expected);
        }
    }
}

#[test]
fn only_an_availability_claim_waits_for_a_challenge() {
    assert_eq!(SlashingOffence::Equivocation.challenge_window_seconds(), 0);
    assert_eq!(SlashingOffence::Collusion.challenge_window_seconds(), 0);
    assert_eq!(
        SlashingOffence::FalseAttestation.challenge_window_seconds(),
        0
    );
    assert_eq!(
        SlashingOffence::AvailabilityFailure { incident_count: 1 }.challenge_window_seconds(),
        REBUTTABLE_CHALLENGE_WINDOW_SECONDS
    );
}
