//! Fork resolution: quorum wins, a branch without quorum never wins (whatever its timestamps),
//! an attestation counts only with an observed head that fits its branch, equivocators are
//! excluded and produce evidence, authorities decide only without quorum, and the decision is
//! independent of argument order and of any clock (property tests).

use proptest::prelude::*;

use super::*;
use crate::corridor::watcher::AttestationStatement;
use crate::test_support::key;

const WATCHER_COUNT: u8 = 8;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_800_000_000 + seconds).unwrap()
}

fn corridor() -> CorridorId {
    CorridorId::new("corridor:PK-AE").unwrap()
}

fn header(next: u8) -> ReceiptHeader {
    ReceiptHeader {
        corridor_id: corridor(),
        sequence: 7,
        prev_root: Digest::from_bytes([1; 32]),
        next_root: Digest::from_bytes([next; 32]),
    }
}

fn fork() -> Fork {
    detect_fork(&header(0xAA), &header(0xBB)).unwrap()
}

/// Watchers 1..=8 are active with bond 1000, watcher 9 is bonded but not active.
fn registry() -> WatcherRegistry {
    let mut registry = WatcherRegistry::new();
    for seed in 1..=WATCHER_COUNT + 1 {
        let did = *key(seed).did();
        registry.register(did).unwrap();
        registry.bond(&did, 1_000).unwrap();
        if seed <= WATCHER_COUNT {
            registry.activate(&did).unwrap();
        }
    }
    registry
}

fn policy(quorum_threshold: u32) -> ForkPolicy {
    ForkPolicy {
        quorum_threshold,
        bond_minor_min: 1_000,
        authorities: [key(100), key(101), key(102)]
            .iter()
            .map(|k| *k.did())
            .collect(),
        authority_threshold: 2,
    }
}

/// The head a watcher claims to have observed when it attested a branch of the fixture fork
/// (height 7, parent root 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Head {
    /// Height 7, the parent: consistent.
    Parent,
    /// Height 8, the attested branch's root: consistent.
    Branch,
    /// Height 12, beyond the fork: consistent (the rule cannot see past the next height).
    Beyond,
    /// Height 8, the other branch's root: inconsistent.
    OtherBranch,
    /// Height 6, below the attested receipt: inconsistent.
    Below,
    /// Another corridor's head: inconsistent.
    OtherCorridor,
}

impl Head {
    const ALL: [Head; 6] = [
        Head::Parent,
        Head::Branch,
        Head::Beyond,
        Head::OtherBranch,
        Head::Below,
        Head::OtherCorridor,
    ];

    fn fits(self) -> bool {
        matches!(self, Head::Parent | Head::Branch | Head::Beyond)
    }
}

/// Watcher `seed` attests candidate root `candidate` with observed head `head`, signed even
/// when the head breaks the rules (as a dishonest watcher could).
fn attest_with_head(seed: u8, candidate: u8, head: Head, created: Timestamp) -> WatcherAttestation {
    let other = if candidate == 0xAA { 0xBB } else { 0xAA };
    let (corridor_id, height, next_root) = match head {
        Head::Parent => (corridor(), 7, 1),
        Head::Branch => (corridor(), 8, candidate),
        Head::Beyond => (corridor(), 12, 0xEE),
        Head::OtherBranch => (corridor(), 8, other),
        Head::Below => (corridor(), 6, 1),
        Head::OtherCorridor => (CorridorId::new("corridor:PK-CN").unwrap(), 8, candidate),
    };
    let statement = AttestationStatement {
        corridor_id: corridor(),
        height: 7,
        parent_root: root(1),
        candidate_root: root(candidate),
        observed_head: crate::vc::subjects::ObservedHead {
            corridor_id,
            height,
            next_root: root(next_root),
            mmr_root: Some(root(9)),
        },
    };
    WatcherAttestation::sign_unchecked(statement, &key(seed), created).unwrap()
}

fn attest(seed: u8, candidate: u8, created: Timestamp) -> WatcherAttestation {
    attest_with_head(seed, candidate, Head::Branch, created)
}

fn root(byte: u8) -> Digest {
    Digest::from_bytes([byte; 32])
}

#[test]
fn fork_detection_needs_same_height_and_parent() {
    assert_eq!(fork().candidate_roots(), [root(0xAA), root(0xBB)]);
    assert_eq!(detect_fork(&header(0xBB), &header(0xAA)).unwrap(), fork());
    assert!(matches!(
        detect_fork(&header(0xAA), &header(0xAA)),
        Err(ForkError::NotAFork { .. })
    ));
    let mut later = header(0xBB);
    later.sequence = 8;
    assert!(matches!(
        detect_fork(&header(0xAA), &later),
        Err(ForkError::NotAFork { .. })
    ));
}

#[test]
fn fork_alarm_is_a_signed_credential_naming_both_roots() {
    let alarm = fork_alarm_credential(&fork(), &key(100), at(0)).unwrap();
    let checks = crate::proof::verify_document(&alarm).unwrap();
    assert!(checks.iter().all(|check| check.is_valid()));
    assert_eq!(alarm["type"][1], "MSEZForkAlarmCredential");
    assert_eq!(
        alarm["credentialSubject"]["next_root_a"],
        root(0xAA).to_hex()
    );
    assert_eq!(
        alarm["credentialSubject"]["next_root_b"],
        root(0xBB).to_hex()
    );
    let report = crate::vc::verify_credential(&alarm, at(10));
    assert!(report.verified, "{report:?}");
}

#[test]
fn fork_quorum_branch_wins_and_keeps_the_loser() {
    let attestations: Vec<_> = (1..=5)
        .map(|seed| attest(seed, 0xBB, at(0)))
        .chain([attest(6, 0xAA, at(0))])
        .collect();
    let decision = resolve_fork(&fork(), &attestations, &registry(), &policy(5), &[]).unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Quorum { winner: root(0xBB) }
    );
    assert_eq!(decision.counted[0], vec![*key(6).did()]);
    assert_eq!(decision.counted[1].len(), 5);
}

#[test]
fn fork_decision_credential_names_the_rule_and_commits_to_the_decision() {
    let attestations: Vec<_> = (1..=5).map(|seed| attest(seed, 0xBB, at(0))).collect();
    let decision = resolve_fork(&fork(), &attestations, &registry(), &policy(5), &[]).unwrap();
    assert_eq!(decision.winner(), Some(root(0xBB)));
    let credential = fork_decision_credential(&decision, &key(100), at(5))
        .unwrap()
        .unwrap();
    let report = crate::vc::verify_credential(&credential, at(10));
    assert!(report.verified, "{report:?}");
    let subject = &credential["credentialSubject"];
    assert_eq!(subject["basis"], "watcher_quorum");
    assert_eq!(subject["chosen_next_root"], root(0xBB).to_hex());
    assert_eq!(subject["rejected_next_roots"], json!([root(0xAA).to_hex()]));
    let decision_sha256 = crate::canonical::CanonicalBytes::new(&decision.to_json())
        .unwrap()
        .digest();
    assert_eq!(
        subject["evidence_digests"],
        json!([decision_sha256.to_hex()])
    );
    // No branch chosen: no credential.
    let undecided =
        resolve_fork(&fork(), &attestations[..4], &registry(), &policy(5), &[]).unwrap();
    assert_eq!(undecided.winner(), None);
    assert_eq!(
        fork_decision_credential(&undecided, &key(100), at(5)).unwrap(),
        None
    );
}

#[test]
fn fork_backdated_branch_without_quorum_cannot_win() {
    // Branch 0xAA's attestations claim to be a year older; time plays no part in the decision.
    let backdated: Vec<_> = (1..=3)
        .map(|seed| attest(seed, 0xAA, at(-31_536_000)))
        .collect();
    let honest: Vec<_> = (4..=8).map(|seed| attest(seed, 0xBB, at(0))).collect();
    let all: Vec<_> = backdated.iter().chain(&honest).cloned().collect();
    let decision = resolve_fork(&fork(), &all, &registry(), &policy(5), &[]).unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Quorum { winner: root(0xBB) }
    );
    let fewer: Vec<_> = backdated.iter().chain(&honest[..4]).cloned().collect();
    let decision = resolve_fork(&fork(), &fewer, &registry(), &policy(5), &[]).unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Halted {
            reason: HaltReason::NoQuorum
        }
    );
}

#[test]
fn fork_equivocators_do_not_count_and_yield_evidence() {
    let mut attestations: Vec<_> = (1..=5).map(|seed| attest(seed, 0xBB, at(0))).collect();
    attestations.push(attest(1, 0xAA, at(9)));
    let decision = resolve_fork(&fork(), &attestations, &registry(), &policy(5), &[]).unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Halted {
            reason: HaltReason::NoQuorum
        }
    );
    assert_eq!(decision.equivocations.len(), 1);
    assert_eq!(decision.equivocations[0].watcher(), *key(1).did());
    assert!(decision.rejected.contains(&(
        *key(1).did(),
        root(0xAA),
        AttestationRejection::Equivocated
    )));
}

#[test]
fn fork_rejects_inactive_wrong_fork_and_forged_attestations() {
    let inactive = attest(9, 0xBB, at(0));
    let unknown = attest(2, 0xCC, at(0));
    let mut forged_json = attest(3, 0xBB, at(0)).to_json().unwrap();
    forged_json["proof"]["proofValue"] =
        attest(3, 0xAA, at(0)).to_json().unwrap()["proof"]["proofValue"].clone();
    let forged = WatcherAttestation::from_json(&forged_json).unwrap();
    let decision = resolve_fork(
        &fork(),
        &[inactive, unknown, forged, attest(4, 0xBB, at(0))],
        &registry(),
        &policy(1),
        &[],
    )
    .unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Quorum { winner: root(0xBB) }
    );
    let reasons: Vec<_> = decision.rejected.iter().map(|r| r.2).collect();
    assert_eq!(reasons.len(), 3);
    for expected in [
        AttestationRejection::WatcherNotCounted,
        AttestationRejection::UnknownCandidate,
        AttestationRejection::BadSignature,
    ] {
        assert!(reasons.contains(&expected), "{expected:?}");
    }
}

#[test]
fn fork_authorities_decide_only_without_quorum() {
    let fork = fork();
    let resolutions: Vec<_> = [100, 101]
        .iter()
        .map(|&seed| fork_resolution_credential(&fork, root(0xAA), &key(seed), at(0)).unwrap())
        .collect();
    let decision = resolve_fork(&fork, &[], &registry(), &policy(5), &resolutions).unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Authority {
            winner: root(0xAA),
            authorities: {
                let mut dids = vec![*key(100).did(), *key(101).did()];
                dids.sort();
                dids
            }
        }
    );
    let one = resolve_fork(&fork, &[], &registry(), &policy(5), &resolutions[..1]).unwrap();
    assert!(matches!(one.resolution, Resolution::Halted { .. }));
    let quorum: Vec<_> = (1..=5).map(|seed| attest(seed, 0xBB, at(0))).collect();
    let decided = resolve_fork(&fork, &quorum, &registry(), &policy(5), &resolutions).unwrap();
    assert_eq!(
        decided.resolution,
        Resolution::Quorum { winner: root(0xBB) }
    );
    let outsider = fork_resolution_credential(&fork, root(0xAA), &key(50), at(0)).unwrap();
    assert_eq!(
        resolve_fork(&fork, &[], &registry(), &policy(5), &[outsider]),
        Err(ForkError::ResolutionCredential {
            index: 0,
            reason: "issuer is not an authority the agreement names"
        })
    );
}

#[test]
fn fork_resolution_takes_up_to_the_attestation_limit() {
    let one = attest(1, 0xBB, at(0));
    let at_limit = vec![one.clone(); FORK_ATTESTATIONS_MAX];
    let decision = resolve_fork(&fork(), &at_limit, &registry(), &policy(1), &[]).unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Quorum { winner: root(0xBB) }
    );
    let over = vec![one; FORK_ATTESTATIONS_MAX + 1];
    assert_eq!(
        resolve_fork(&fork(), &over, &registry(), &policy(1), &[]),
        Err(ForkError::TooManyAttestations {
            count: FORK_ATTESTATIONS_MAX + 1
        })
    );
}

#[test]
fn fork_resolve_from_json_matches_the_typed_call() {
    let attestations: Vec<_> = (1..=5).map(|seed| attest(seed, 0xBB, at(0))).collect();
    let input = json_input(&attestations, 5, &[key(100).did().to_string()]);
    let decision = fork_resolve_from_json(&input).unwrap();
    let mut expected_policy = policy(5);
    expected_policy.authorities = [*key(100).did()].into_iter().collect();
    expected_policy.authority_threshold = 1;
    let typed = resolve_fork(&fork(), &attestations, &registry(), &expected_policy, &[]).unwrap();
    assert_eq!(decision.to_json(), typed.to_json());
    let output = decision.to_json();
    assert_eq!(output["outcome"], "quorum");
    assert_eq!(output["winner"], root(0xBB).to_hex());
    let mut bad = input.clone();
    bad["policy"]["quorum_threshold"] = json!("five");
    assert_eq!(
        fork_resolve_from_json(&bad).unwrap_err().to_string(),
        "fork resolve input: field policy.quorum_threshold is missing or malformed"
    );
}

/// The `msez fork resolve` input for the fixture fork (branches in reverse order), watchers
/// 1..=8 active with bond 1000, and `attestations`.
fn json_input(attestations: &[WatcherAttestation], quorum: u32, authorities: &[String]) -> Value {
    let watchers: Vec<Value> = (1..=WATCHER_COUNT)
        .map(|seed| json!({"did": key(seed).did().to_string(), "status": "active", "bond": 1000}))
        .collect();
    let branch = |next: u8| {
        json!({"corridor_id": "corridor:PK-AE", "sequence": 7,
               "prev_root": root(1).to_hex(), "next_root": root(next).to_hex()})
    };
    json!({
        "branches": [branch(0xBB), branch(0xAA)],
        "attestations": attestations.iter().map(|a| a.to_json().unwrap()).collect::<Vec<_>>(),
        "watchers": watchers,
        "policy": {"quorum_threshold": quorum, "bond_minor_min": 1000,
                   "authorities": authorities, "authority_threshold": 1},
    })
}

/// (watcher seed, candidate byte, created offset, observed head): candidates include a foreign
/// root 0xCC, heads include inconsistent ones, offsets reach far into the past.
fn arbitrary_attestations() -> impl Strategy<Value = Vec<(u8, u8, i64, Head)>> {
    prop::collection::vec(
        (
            1..=WATCHER_COUNT + 1,
            prop::sample::select(vec![0xAAu8, 0xBB, 0xCC]),
            -1_000_000..1_000_000i64,
            prop::sample::select(Head::ALL.to_vec()),
        ),
        0..14,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn fork_decision_is_independent_of_order_and_clock(
        rows in arbitrary_attestations(),
        threshold in 1..5u32,
        permutation_seed in any::<u64>(),
        clock_shift in -1_000_000..1_000_000i64,
    ) {
        let attestations: Vec<_> =
            rows.iter().map(|&(s, c, t, h)| attest_with_head(s, c, h, at(t))).collect();
        // The same statements signed at other times (another "clock"), in another order.
        let mut shifted: Vec<_> = rows
            .iter()
            .map(|&(s, c, t, h)| attest_with_head(s, c, h, at(t + clock_shift)))
            .collect();
        let mut state = permutation_seed;
        for index in (1..shifted.len()).rev() {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            shifted.swap(index, usize::try_from(state >> 33).unwrap() % (index + 1));
        }
        let swapped_fork = detect_fork(&header(0xBB), &header(0xAA)).unwrap();
        let first = resolve_fork(&fork(), &attestations, &registry(), &policy(threshold), &[]).unwrap();
        let second = resolve_fork(&swapped_fork, &shifted, &registry(), &policy(threshold), &[]).unwrap();
        prop_assert_eq!(&first.resolution, &second.resolution);
        prop_assert_eq!(&first.counted, &second.counted);
        prop_assert_eq!(&first.rejected, &second.rejected);
        prop_assert_eq!(first.equivocations.len(), second.equivocations.len());
    }

    #[test]
    fn fork_counts_only_fitting_heads_and_never_crowns_a_branch_without_quorum(
        rows in arbitrary_attestations(),
        threshold in 1..5u32,
    ) {
        let attestations: Vec<_> =
            rows.iter().map(|&(s, c, t, h)| attest_with_head(s, c, h, at(t))).collect();
        let decision = resolve_fork(&fork(), &attestations, &registry(), &policy(threshold), &[]).unwrap();
        let branches = [0xAAu8, 0xBB];
        let signed_both = |seed: u8| {
            branches.iter().all(|&candidate| rows.iter().any(|&(s, c, _, _)| s == seed && c == candidate))
        };
        for (branch, counted) in decision.counted.iter().enumerate() {
            for watcher in counted {
                let seed = (1..=WATCHER_COUNT).find(|&seed| key(seed).did() == watcher).unwrap();
                let fitting = rows.iter().any(|&(s, c, _, h)| s == seed && c == branches[branch] && h.fits());
                prop_assert!(fitting, "{watcher} counted without a fitting head");
                prop_assert!(!signed_both(seed), "{watcher} signed both branches and still counted");
            }
        }
        let needed = usize::try_from(threshold).unwrap();
        if let Resolution::Quorum { winner } = decision.resolution {
            let won = usize::from(winner == root(0xBB));
            prop_assert!(decision.counted[won].len() >= needed);
            prop_assert!(decision.counted[1 - won].len() < needed);
        }
    }

    #[test]
    fn fork_resolve_from_json_never_panics(
        quorum in any::<i64>(),
        status in "[a-z]{0,10}",
        sequence in any::<u64>(),
        hex in "[0-9a-f]{0,70}",
    ) {
        let input = json!({
            "branches": [
                {"corridor_id": "c", "sequence": sequence, "prev_root": hex, "next_root": hex},
                {"corridor_id": "c", "sequence": sequence, "prev_root": hex, "next_root": root(1).to_hex()},
            ],
            "attestations": [{"type": "MSEZWatcherAttestation", "proof": {}}],
            "watchers": [{"did": "did:key:zX", "status": status, "bond": quorum}],
            "policy": {"quorum_threshold": quorum, "bond_minor_min": 0, "authorities": [], "authority_threshold": 1},
        });
        let _outcome = fork_resolve_from_json(&input);
    }
}

#[test]
fn fork_keeps_the_same_copy_of_a_twice_signed_statement_in_any_order() {
    let valid = attest(3, 0xBB, at(0));
    let mut forged_json = attest(3, 0xBB, at(7)).to_json().unwrap();
    forged_json["proof"]["proofValue"] =
        attest(3, 0xAA, at(0)).to_json().unwrap()["proof"]["proofValue"].clone();
    let forged = WatcherAttestation::from_json(&forged_json).unwrap();
    let one = resolve_fork(
        &fork(),
        &[valid.clone(), forged.clone()],
        &registry(),
        &policy(1),
        &[],
    );
    let other = resolve_fork(&fork(), &[forged, valid], &registry(), &policy(1), &[]);
    assert_eq!(one, other);
}

#[test]
fn fork_resolution_takes_up_to_the_authority_credential_limit() {
    let fork = fork();
    let one = fork_resolution_credential(&fork, root(0xAA), &key(100), at(0)).unwrap();
    let at_limit = vec![one.clone(); FORK_RESOLUTIONS_MAX];
    let decision = resolve_fork(&fork, &[], &registry(), &policy(5), &at_limit).unwrap();
    // One authority however many copies: below the threshold of two.
    assert!(matches!(decision.resolution, Resolution::Halted { .. }));
    let over = vec![one; FORK_RESOLUTIONS_MAX + 1];
    assert_eq!(
        resolve_fork(&fork, &[], &registry(), &policy(5), &over),
        Err(ForkError::TooManyResolutions {
            count: FORK_RESOLUTIONS_MAX + 1
        })
    );
}

#[test]
fn fork_counts_only_attestations_whose_observed_head_fits_their_branch() {
    let attestations = [
        attest_with_head(1, 0xBB, Head::Parent, at(0)),
        attest_with_head(2, 0xBB, Head::Branch, at(0)),
        attest_with_head(3, 0xBB, Head::Beyond, at(0)),
        attest_with_head(4, 0xBB, Head::OtherBranch, at(0)),
        attest_with_head(5, 0xAA, Head::Below, at(0)),
        attest_with_head(6, 0xAA, Head::OtherCorridor, at(0)),
    ];
    let decision = resolve_fork(&fork(), &attestations, &registry(), &policy(3), &[]).unwrap();
    assert_eq!(
        decision.resolution,
        Resolution::Quorum { winner: root(0xBB) }
    );
    let mut expected_counted: Vec<DidKey> = (1..=3).map(|seed| *key(seed).did()).collect();
    expected_counted.sort();
    assert_eq!(decision.counted, [Vec::new(), expected_counted]);
    let rejection = |seed: u8, candidate: u8, rule| {
        (
            *key(seed).did(),
            root(candidate),
            AttestationRejection::ObservedHead { rule },
        )
    };
    let mut expected_rejected = vec![
        rejection(
            4,
            0xBB,
            "an observed head one past the attested sequence is the attested next_root",
        ),
        rejection(
            5,
            0xAA,
            "observed_head.height is at least the attested sequence",
        ),
        rejection(
            6,
            0xAA,
            "observed_head.corridor_id is the attested corridor",
        ),
    ];
    expected_rejected.sort();
    assert_eq!(decision.rejected, expected_rejected);
    // `msez fork resolve` reads such attestations and reports each with its rule.
    let input = json_input(&attestations, 3, &[]);
    let output = fork_resolve_from_json(&input).unwrap().to_json();
    assert_eq!(output["outcome"], "quorum");
    let reported = output["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["watcher"] == key(4).did().to_string())
        .unwrap();
    assert_eq!(reported["reason"], "observed_head_inconsistent");
    assert_eq!(
        reported["rule"],
        "an observed head one past the attested sequence is the attested next_root"
    );
}

#[test]
fn fork_a_watcher_that_signed_both_branches_equivocated_whatever_its_head_or_standing() {
    let attestations = [
        attest_with_head(1, 0xBB, Head::Branch, at(0)),
        attest_with_head(1, 0xAA, Head::OtherBranch, at(1)),
        attest_with_head(9, 0xBB, Head::Branch, at(0)),
        attest_with_head(9, 0xAA, Head::Branch, at(0)),
        attest(2, 0xBB, at(0)),
    ];
    let decision = resolve_fork(&fork(), &attestations, &registry(), &policy(1), &[]).unwrap();
    assert_eq!(decision.counted[1], vec![*key(2).did()]);
    let mut equivocators = vec![*key(1).did(), *key(9).did()];
    equivocators.sort();
    let found: Vec<DidKey> = decision
        .equivocations
        .iter()
        .map(EquivocationEvidence::watcher)
        .collect();
    assert_eq!(found, equivocators);
    assert!(decision.rejected.contains(&(
        *key(1).did(),
        root(0xBB),
        AttestationRejection::Equivocated
    )));
    assert!(
        decision
            .rejected
            .iter()
            .any(|(watcher, candidate, reason)| {
                *watcher == *key(1).did()
                    && *candidate == root(0xAA)
                    && matches!(reason, AttestationRejection::ObservedHead { .. })
            })
    );
    // Watcher 9 is bonded but not active: its attestations never counted, yet it equivocated.
    assert!(decision.rejected.contains(&(
        *key(9).did(),
        root(0xAA),
        AttestationRejection::WatcherNotCounted
    )));
}
