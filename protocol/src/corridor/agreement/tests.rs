//! Agreement credentials: activation needs the definition credential and every rule met by
//! distinct authorised affirmative parties; a non-affirmative commitment blocks as
//! `<did>:<commitment>`; one agreement per party; every rejection names its rule.
//!
//! Method: one fixture definition (regulators 1 and 2 must both agree, operators 3 or 4; key 5
//! is trusted only for KYC), agreements issued through the public functions, and one `check`
//! that runs `check_activation` and compares parties or the error. Property tests cover order
//! independence, duplicates and arbitrary input.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::*;
use crate::test_support::{arbitrary_json_any, key};
use crate::vc::subjects::COMMITMENT_BYTES_MAX;

fn at() -> Timestamp {
    Timestamp::from_unix_seconds(1_800_000_000).unwrap()
}

fn later(seconds: i64) -> Timestamp {
    at().checked_add_seconds(seconds).unwrap()
}

fn terms(issuer: &SigningKey, valid_until: Option<Timestamp>) -> CredentialTerms {
    CredentialTerms {
        valid_until,
        ..CredentialTerms::issued_by(*issuer.did(), at())
    }
}

/// Regulators 1 and 2 (rule: both; 1 also issues the definition), operators 3 and 4 (rule:
/// one of two); key 5 is trusted but only for KYC.
fn definition() -> CorridorDefinition {
    let anchor = |seed: u8, kinds: &[&str]| TrustAnchor {
        did: *key(seed).did(),
        allowed_attestations: kinds.iter().map(|k| (*k).to_owned()).collect(),
    };
    let dids = |seeds: &[u8]| seeds.iter().map(|&s| *key(s).did()).collect();
    CorridorDefinition {
        corridor_id: CorridorId::new("corridor:PK-AE").unwrap(),
        jurisdiction_ids: vec![
            JurisdictionId::new("PK").unwrap(),
            JurisdictionId::new("AE").unwrap(),
        ],
        settlement_model: "deferred_net".to_owned(),
        settlement_transfer_max_minor: BTreeMap::from([("USD".to_owned(), 100_000_000)]),
        required_attestations: BTreeSet::from(["kyc".to_owned()]),
        trust_anchors: vec![
            anchor(1, &[AGREEMENT_ATTESTATION, DEFINITION_ATTESTATION]),
            anchor(2, &[AGREEMENT_ATTESTATION]),
            anchor(3, &[AGREEMENT_ATTESTATION, "kyc"]),
            anchor(4, &[AGREEMENT_ATTESTATION]),
            anchor(5, &["kyc"]),
        ],
        key_rotation_overlap_seconds: 86_400,
        dispute_path: "DIFC-LCIA".to_owned(),
        receipt_signature_threshold: 2,
        receipt_signers: dids(&[3, 4]),
        watcher_quorum: 3,
        checkpoint_interval_receipts: 1_000,
        agreement_rules: vec![
            AgreementRule {
                rule_id: "regulators".to_owned(),
                threshold_count: 2,
                parties: dids(&[1, 2]),
            },
            AgreementRule {
                rule_id: "operators".to_owned(),
                threshold_count: 1,
                parties: dids(&[3, 4]),
            },
        ],
    }
}

fn definition_credential(definition: &CorridorDefinition, issuer: u8) -> Value {
    let digest = |byte| Digest::from_bytes([byte; 32]);
    let lawpacks = vec![digest(2), digest(1), digest(2)];
    let terms = terms(&key(issuer), None);
    issue_definition_credential(definition, lawpacks, vec![], terms, &key(issuer), at()).unwrap()
}

/// Party `seed`'s agreement to `definition` with `commitment`, valid until `valid_until`.
fn agreement_to(
    definition: &CorridorDefinition,
    seed: u8,
    commitment: &str,
    valid_until: Option<Timestamp>,
) -> Value {
    let party = key(seed);
    let terms = terms(&party, valid_until);
    issue_agreement_credential(definition, commitment, terms, &party, at()).unwrap()
}

fn agree(seed: u8, commitment: &str) -> Value {
    agreement_to(&definition(), seed, commitment, None)
}

fn did(seed: u8) -> DidKey {
    *key(seed).did()
}

/// Runs `check_activation` on the fixture definition and credential at `at()` and compares
/// the affirming parties (by key seed) or the error.
#[track_caller]
fn check(agreements: &[Value], expected: Result<&[u8], AgreementError>) {
    let definition = definition();
    let credential = definition_credential(&definition, 1);
    let outcome = check_activation(&definition, &credential, agreements, at());
    let expected = expected.map(|seeds| {
        let mut parties: Vec<DidKey> = seeds.iter().map(|&seed| did(seed)).collect();
        parties.sort();
        parties
    });
    assert_eq!(outcome.map(|set| set.parties()), expected);
}

#[test]
fn activation_holds_when_every_rule_is_met() {
    check(
        &[agree(3, "affirm"), agree(2, "affirm"), agree(1, "affirm")],
        Ok(&[1, 2, 3]),
    );
    check(
        &[
            agree(4, "affirm"),
            agree(3, "affirm"),
            agree(2, "affirm"),
            agree(1, "affirm"),
        ],
        Ok(&[1, 2, 3, 4]),
    );
}

#[test]
fn activation_reports_unmet_rules_and_blocking_commitments() {
    check(
        &[agree(1, "affirm"), agree(3, "affirm")],
        Err(AgreementError::RuleUnmet {
            rule_id: "regulators".to_owned(),
            threshold_count: 2,
            affirmed_count: 1,
        }),
    );
    check(
        &[agree(1, "affirm"), agree(2, "affirm")],
        Err(AgreementError::RuleUnmet {
            rule_id: "operators".to_owned(),
            threshold_count: 1,
            affirmed_count: 0,
        }),
    );
    // An objection blocks even when every rule is otherwise met, and names the party.
    let objection = [
        agree(1, "affirm"),
        agree(2, "object"),
        agree(3, "affirm"),
        agree(4, "abstain"),
    ];
    let mut blocking = vec![format!("{}:object", did(2)), format!("{}:abstain", did(4))];
    blocking.sort();
    check(
        &objection,
        Err(AgreementError::Blocked {
            blocking: blocking.clone(),
        }),
    );
    let message = AgreementError::Blocked { blocking }.to_string();
    assert!(
        message.starts_with("agreement: activation blocked by did:key:z"),
        "{message}"
    );
    assert!(message.contains(&format!("{}:object", did(2))), "{message}");
}

#[test]
fn activation_rejects_unauthorised_duplicate_and_foreign_agreements() {
    check(
        &[agree(5, "affirm")],
        Err(AgreementError::NoAuthority { party: did(5) }),
    );
    assert_eq!(
        AgreementError::NoAuthority { party: did(5) }.to_string(),
        format!(
            "agreement: party {} has no authority for corridor_agreement",
            did(5)
        )
    );
    // The same bytes twice, or two signings by one party: one party never counts twice.
    check(
        &[agree(1, "affirm"), agree(1, "affirm"), agree(2, "affirm")],
        Err(AgreementError::DuplicateParty { party: did(1) }),
    );
    let resigned = agreement_to(&definition(), 1, "affirm", Some(later(10)));
    check(
        &[agree(1, "affirm"), resigned, agree(2, "affirm")],
        Err(AgreementError::DuplicateParty { party: did(1) }),
    );
    let mut other = definition();
    other.watcher_quorum = 4;
    check(
        &[agreement_to(&other, 1, "affirm", None)],
        Err(AgreementError::OtherDefinition {
            party: did(1),
            field: "definition_payload_sha256",
        }),
    );
    let mut elsewhere = definition();
    elsewhere.corridor_id = CorridorId::new("corridor:PK-CN").unwrap();
    check(
        &[agreement_to(&elsewhere, 1, "affirm", None)],
        Err(AgreementError::OtherDefinition {
            party: did(1),
            field: "corridor_id",
        }),
    );
}

#[test]
fn activation_rejects_forged_expired_and_misissued_agreements() {
    let mut forged = agree(1, "object");
    forged["credentialSubject"]["commitment"] = json!("affirm");
    let outcome = activation_at(&[forged], at());
    assert!(
        matches!(&outcome, Err(AgreementError::AgreementUnverified { party, check: "proofs", .. })
            if *party == did(1)),
        "{outcome:?}"
    );
    let expiring = agreement_to(&definition(), 2, "affirm", Some(at()));
    let outcome = activation_at(
        &[agree(1, "affirm"), expiring, agree(3, "affirm")],
        later(1),
    );
    assert!(
        matches!(&outcome, Err(AgreementError::AgreementUnverified { party, check: "validity_window", .. })
            if *party == did(2)),
        "{outcome:?}"
    );
    // Party 2's subject, issued and signed by key 1.
    let subject = agreement_subject(&definition(), did(2), "affirm").unwrap();
    let misissued = issue(
        &Credential::build(&subject, terms(&key(1), None)).unwrap(),
        &key(1),
        at(),
    )
    .unwrap();
    check(
        &[misissued],
        Err(AgreementError::PartyNotIssuer {
            party: did(2),
            issuer: did(1),
        }),
    );
    assert!(matches!(
        issue_agreement_credential(&definition(), "affirm", terms(&key(2), None), &key(1), at()),
        Err(AgreementError::Issue {
            source: VcError::IssuerKeyMismatch { .. },
            ..
        })
    ));
    let credential = definition_credential(&definition(), 1);
    let digest = CanonicalBytes::new(&credential).unwrap().digest();
    check(
        &[credential],
        Err(AgreementError::NotAnAgreement {
            agreement_sha256: digest,
            credential_type: CredentialType::CorridorDefinition,
        }),
    );
    let not_a_credential = json!({"party": did(1).to_string(), "commitment": "affirm"});
    let outcome = activation_at(&[not_a_credential], at());
    assert!(
        matches!(outcome, Err(AgreementError::AgreementCredential { .. })),
        "{outcome:?}"
    );
}

#[test]
fn activation_refuses_definitions_whose_rules_cannot_decide() {
    let outcome = |definition: &CorridorDefinition| {
        check_activation(
            definition,
            &definition_credential(definition, 1),
            &[agreement_to(definition, 1, "affirm", None)],
            at(),
        )
        .map(|set| set.parties())
    };
    let mut no_rule = definition();
    no_rule.agreement_rules.clear();
    assert_eq!(outcome(&no_rule), Err(AgreementError::NoAgreementRule));
    for threshold_count in [0, 3] {
        let mut unmeetable = definition();
        unmeetable.agreement_rules[0].threshold_count = threshold_count;
        let error = outcome(&unmeetable).unwrap_err();
        assert_eq!(
            error,
            AgreementError::RuleThreshold {
                rule_id: "regulators".to_owned(),
                threshold_count,
                party_count: 2,
            }
        );
        assert_eq!(error.member(), "definition");
    }
}

#[test]
fn activation_examines_up_to_the_agreement_limit() {
    let seeds: Vec<[u8; 32]> = (0..=AGREEMENTS_MAX)
        .map(|index| {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(index as u64).to_le_bytes());
            seed[31] = 0xA5;
            seed
        })
        .collect();
    let parties: Vec<SigningKey> = seeds.iter().map(SigningKey::from_seed).collect();
    let mut many = definition();
    many.trust_anchors
        .extend(parties.iter().map(|party| TrustAnchor {
            did: *party.did(),
            allowed_attestations: BTreeSet::from([AGREEMENT_ATTESTATION.to_owned()]),
        }));
    many.agreement_rules = vec![AgreementRule {
        rule_id: "everyone".to_owned(),
        threshold_count: u32::try_from(AGREEMENTS_MAX).unwrap(),
        parties: parties.iter().map(|party| *party.did()).collect(),
    }];
    let agreements: Vec<Value> = parties
        .iter()
        .map(|party| {
            let terms = terms(party, None);
            issue_agreement_credential(&many, AFFIRMATIVE_COMMITMENT, terms, party, at()).unwrap()
        })
        .collect();
    let credential = definition_credential(&many, 1);
    let at_limit = check_activation(&many, &credential, &agreements[..AGREEMENTS_MAX], at());
    assert_eq!(at_limit.map(|set| set.parties().len()), Ok(AGREEMENTS_MAX));
    assert_eq!(
        check_activation(&many, &credential, &agreements, at()),
        Err(AgreementError::TooManyAgreements {
            count: AGREEMENTS_MAX + 1
        })
    );
}

#[test]
fn commitment_words_are_bounded_and_reported_whole() {
    let longest = "x".repeat(COMMITMENT_BYTES_MAX);
    check(
        &[
            agree(1, "affirm"),
            agree(2, &longest),
            agree(3, AFFIRMATIVE_COMMITMENT),
        ],
        Err(AgreementError::Blocked {
            blocking: vec![format!("{}:{longest}", did(2))],
        }),
    );
    let party = key(2);
    let too_long = "x".repeat(COMMITMENT_BYTES_MAX + 1);
    assert!(matches!(
        issue_agreement_credential(&definition(), &too_long, terms(&party, None), &party, at()),
        Err(AgreementError::Issue {
            credential_type: CredentialType::CorridorAgreement,
            source: VcError::SubjectRule { .. },
        })
    ));
}

#[test]
fn definition_credential_binds_the_payload_digest() {
    let definition = definition();
    let credential = definition_credential(&definition, 1);
    let subject = verify_definition_credential(&definition, &credential, at()).unwrap();
    assert_eq!(
        subject.definition_payload_sha256,
        definition.payload_sha256().unwrap()
    );
    assert_eq!(
        subject.lawpack_digest_set,
        vec![Digest::from_bytes([1; 32]), Digest::from_bytes([2; 32])]
    );
    let agreements = [agree(3, "affirm"), agree(2, "affirm"), agree(1, "affirm")];
    let set = check_activation(&definition, &credential, &agreements, at()).unwrap();
    assert_eq!(set.definition_subject(), &subject);
}

#[test]
fn definition_credential_rejects_other_issuer_definition_and_tampering() {
    let definition = definition();
    let with_credential = |credential: &Value| {
        check_activation(&definition, credential, &[agree(1, "affirm")], at()).map(drop)
    };
    let error = with_credential(&definition_credential(&definition, 5)).unwrap_err();
    assert_eq!(error, AgreementError::DefinitionIssuer { issuer: did(5) });
    assert_eq!(error.member(), "definition_credential");
    let mut other = definition.clone();
    other.watcher_quorum = 4;
    assert_eq!(
        with_credential(&definition_credential(&other, 1)),
        Err(AgreementError::DefinitionMismatch {
            field: "definition_payload_sha256"
        })
    );
    let mut tampered = definition_credential(&definition, 1);
    tampered["credentialSubject"]["definition_payload_sha256"] =
        json!(other.payload_sha256().unwrap().to_hex());
    assert!(matches!(
        with_credential(&tampered),
        Err(AgreementError::DefinitionUnverified {
            check: "proofs",
            ..
        })
    ));
    assert!(matches!(
        with_credential(&json!({"type": "nothing"})),
        Err(AgreementError::DefinitionUnverified {
            check: "envelope",
            ..
        })
    ));
}

#[test]
fn agreement_set_is_canonical_and_its_digest_commits_to_every_agreement() {
    let definition = definition();
    let credential = definition_credential(&definition, 1);
    let agreements = [agree(3, "affirm"), agree(2, "affirm"), agree(1, "affirm")];
    let set = check_activation(&definition, &credential, &agreements, at()).unwrap();
    let value = set.to_value();
    assert_eq!(value["tag"], AGREEMENT_SET_TAG);
    assert_eq!(value["corridor_id"], "corridor:PK-AE");
    let issuers: Vec<&str> = value["agreements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|agreement| agreement["issuer"].as_str().unwrap())
        .collect();
    let mut sorted = issuers.clone();
    sorted.sort_unstable();
    assert_eq!(issuers, sorted);
    assert_eq!(
        set.sha256().unwrap(),
        CanonicalBytes::new(&value).unwrap().digest()
    );
    // Another set of valid agreements is another digest.
    let four = [agree(4, "affirm"), agree(2, "affirm"), agree(1, "affirm")];
    let other = check_activation(&definition, &credential, &four, at()).unwrap();
    assert_ne!(other.sha256().unwrap(), set.sha256().unwrap());
}

#[test]
fn stored_agreement_set_reverifies_and_refuses_edits() {
    let definition = definition();
    let credential = definition_credential(&definition, 1);
    let expiring = agreement_to(&definition, 2, "affirm", Some(later(100)));
    let agreements = [agree(3, "affirm"), expiring, agree(1, "affirm")];
    let set = check_activation(&definition, &credential, &agreements, at()).unwrap();
    let stored = set.to_value();
    assert_eq!(verify_agreement_set(&definition, &stored, at()), Ok(set));
    // Party 2's agreement lapses before activation.
    assert!(matches!(
        verify_agreement_set(&definition, &stored, later(101)),
        Err(AgreementError::AgreementUnverified {
            check: "validity_window",
            ..
        })
    ));
    let mut reordered = stored.clone();
    reordered["agreements"].as_array_mut().unwrap().reverse();
    assert_eq!(
        verify_agreement_set(&definition, &reordered, at()),
        Err(AgreementError::AgreementSetNotCanonical)
    );
    let mut extra = stored.clone();
    extra["note"] = json!("added");
    assert_eq!(
        verify_agreement_set(&definition, &extra, at()),
        Err(AgreementError::AgreementSetNotCanonical)
    );
    let mut retagged = stored.clone();
    retagged["tag"] = json!("msez.corridor.agreement_set.v0");
    assert_eq!(
        verify_agreement_set(&definition, &retagged, at()),
        Err(AgreementError::AgreementSetField { field: "tag" })
    );
    let mut missing = stored;
    missing.as_object_mut().unwrap().remove("agreements");
    assert_eq!(
        verify_agreement_set(&definition, &missing, at()),
        Err(AgreementError::AgreementSetField {
            field: "agreements"
        })
    );
}

#[test]
fn definition_reads_back_from_its_json_and_refuses_unknown_or_missing_members() {
    let original = definition();
    let value = serde_json::to_value(&original).unwrap();
    let read: CorridorDefinition = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(read, original);
    assert_eq!(
        read.payload_sha256().unwrap(),
        original.payload_sha256().unwrap()
    );

    let mut extra = value.clone();
    extra["fee_bps"] = serde_json::json!(5);
    let error = serde_json::from_value::<CorridorDefinition>(extra).unwrap_err();
    assert!(error.to_string().contains("fee_bps"), "{error}");

    let mut missing = value;
    missing.as_object_mut().unwrap().remove("watcher_quorum");
    let error = serde_json::from_value::<CorridorDefinition>(missing).unwrap_err();
    assert!(error.to_string().contains("watcher_quorum"), "{error}");
}

/// Agreements the property tests draw from, signed once: every party affirming, objections,
/// a re-signed duplicate, an unauthorised party, a foreign definition, a non-credential.
fn pool() -> &'static [Value] {
    static POOL: OnceLock<Vec<Value>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut other = definition();
        other.watcher_quorum = 4;
        vec![
            agree(1, "affirm"),
            agree(2, "affirm"),
            agree(3, "affirm"),
            agree(4, "affirm"),
            agree(2, "object"),
            agree(4, "abstain"),
            agreement_to(&definition(), 3, "affirm", Some(later(5))),
            agree(5, "affirm"),
            agreement_to(&other, 1, "affirm", None),
            json!({"type": ["VerifiableCredential"], "issuer": "did:key:zX"}),
        ]
    })
}

/// The index of the first four pool entries: one affirmative agreement per party 1..=4.
const AFFIRMING_COUNT: usize = 4;

/// `check_activation` of the fixture definition under key 1's definition credential at `now`.
fn activation_at(agreements: &[Value], now: Timestamp) -> Result<AgreementSet, AgreementError> {
    static CREDENTIAL: OnceLock<Value> = OnceLock::new();
    let credential = CREDENTIAL.get_or_init(|| definition_credential(&definition(), 1));
    check_activation(&definition(), credential, agreements, now)
}

fn activation(agreements: &[Value]) -> Result<AgreementSet, AgreementError> {
    activation_at(agreements, at())
}

/// A Fisher–Yates shuffle driven by a linear congruential generator seeded with `seed`.
fn shuffled(items: &[Value], seed: u64) -> Vec<Value> {
    let mut items = items.to_vec();
    let mut state = seed;
    for index in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        items.swap(index, usize::try_from(state >> 33).unwrap() % (index + 1));
    }
    items
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn activation_is_independent_of_agreement_order(
        picks in prop::collection::vec(0..10usize, 0..8),
        seed in any::<u64>(),
    ) {
        let agreements: Vec<Value> = picks.iter().map(|&index| pool()[index].clone()).collect();
        prop_assert_eq!(activation(&agreements), activation(&shuffled(&agreements, seed)));
    }

    #[test]
    fn activation_never_counts_a_duplicate_party_twice(
        chosen in prop::sample::subsequence((0..AFFIRMING_COUNT).collect::<Vec<_>>(), 1..=AFFIRMING_COUNT),
        duplicate in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        let mut agreements: Vec<Value> = chosen.iter().map(|&index| pool()[index].clone()).collect();
        let twice = chosen[duplicate.index(chosen.len())];
        // Party 3 also has a re-signed agreement in the pool; any party's second copy is refused.
        let second = if twice == 2 { pool()[6].clone() } else { pool()[twice].clone() };
        agreements.push(second);
        let party = did(u8::try_from(twice + 1).unwrap());
        prop_assert_eq!(
            activation(&shuffled(&agreements, seed)),
            Err(AgreementError::DuplicateParty { party })
        );
    }

    #[test]
    fn activation_never_panics_on_arbitrary_credentials(
        agreements in prop::collection::vec(arbitrary_json_any(), 0..4),
        credential in arbitrary_json_any(),
    ) {
        let _outcome = check_activation(&definition(), &credential, &agreements, at());
        let _outcome = activation(&agreements);
        let _outcome = verify_agreement_set(
            &definition(),
            &json!({"tag": AGREEMENT_SET_TAG, "definition_credential": credential,
                    "agreements": agreements}),
            at(),
        );
    }
}
