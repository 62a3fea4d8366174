//! Agreements: activation needs every rule met by distinct authorised affirmative parties; a
//! non-affirmative commitment blocks as `<did>:<commitment>`; one agreement per party.

use super::*;
use crate::test_support::key;

fn at() -> Timestamp {
    Timestamp::from_unix_seconds(1_800_000_000).unwrap()
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

fn agree(seed: u8, commitment: &str) -> Agreement {
    Agreement::sign(&definition(), commitment, &key(seed), at()).unwrap()
}

#[test]
fn activation_holds_when_every_rule_is_met() {
    let parties = check_activation(
        &definition(),
        &[agree(3, "affirm"), agree(2, "affirm"), agree(1, "affirm")],
    )
    .unwrap();
    assert_eq!(parties.len(), 3);
}

#[test]
fn activation_reports_unmet_rules_and_blocking_commitments() {
    assert_eq!(
        check_activation(&definition(), &[agree(1, "affirm"), agree(3, "affirm")]),
        Err(AgreementError::RuleUnmet {
            rule_id: "regulators".to_owned(),
            threshold_count: 2,
            affirmed_count: 1
        })
    );
    let blocked = check_activation(
        &definition(),
        &[agree(1, "affirm"), agree(2, "object"), agree(3, "affirm")],
    );
    assert_eq!(
        blocked,
        Err(AgreementError::Blocked {
            blocking: vec![format!("{}:object", key(2).did())]
        })
    );
}

#[test]
fn activation_rejects_unauthorised_duplicate_and_foreign_agreements() {
    let message = check_activation(&definition(), &[agree(5, "affirm")])
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        format!(
            "agreement: party {} has no authority for corridor_agreement",
            key(5).did()
        )
    );
    assert_eq!(
        check_activation(&definition(), &[agree(1, "affirm"), agree(1, "affirm")]),
        Err(AgreementError::DuplicateParty {
            party: *key(1).did()
        })
    );
    let mut other = definition();
    other.watcher_quorum = 4;
    let foreign = Agreement::sign(&other, "affirm", &key(1), at()).unwrap();
    assert_eq!(
        check_activation(&definition(), &[foreign]),
        Err(AgreementError::OtherDefinition {
            party: *key(1).did()
        })
    );
    let mut forged = agree(1, "affirm");
    forged.document["commitment"] = json!("affirm ");
    assert!(matches!(
        check_activation(&definition(), &[forged]),
        Err(AgreementError::Proof { index: 0, .. })
    ));
}

fn definition_credential(definition: &CorridorDefinition, issuer: u8) -> Value {
    let digest = |byte| Digest::from_bytes([byte; 32]);
    let subject =
        definition_subject(definition, vec![digest(2), digest(1), digest(2)], vec![]).unwrap();
    let terms = CredentialTerms {
        id: None,
        issuer: *key(issuer).did(),
        valid_from: at(),
        valid_until: None,
        status: None,
    };
    issue_definition_credential(&subject, terms, &key(issuer), at()).unwrap()
}

#[test]
fn definition_credential_binds_the_payload_digest_and_activation() {
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
    assert_eq!(
        check_activation_with_credential(&definition, &credential, &agreements, at())
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn definition_credential_rejects_other_issuer_definition_and_tampering() {
    let definition = definition();
    assert_eq!(
        verify_definition_credential(&definition, &definition_credential(&definition, 5), at()),
        Err(AgreementError::DefinitionIssuer {
            issuer: *key(5).did()
        })
    );
    let mut other = definition.clone();
    other.watcher_quorum = 4;
    let foreign = definition_credential(&other, 1);
    assert_eq!(
        check_activation_with_credential(&definition, &foreign, &[agree(1, "affirm")], at()),
        Err(AgreementError::DefinitionMismatch {
            field: "definition_payload_sha256"
        })
    );
    let mut tampered = definition_credential(&definition, 1);
    tampered["credentialSubject"]["definition_payload_sha256"] =
        json!(other.payload_sha256().unwrap().to_hex());
    assert_eq!(
        verify_definition_credential(&definition, &tampered, at()),
        Err(AgreementError::DefinitionUnverified { check: "proofs" })
    );
    // Agreements to another definition stay refused under a valid definition credential.
    let credential = definition_credential(&definition, 1);
    let stray = Agreement::sign(&other, "affirm", &key(1), at()).unwrap();
    assert_eq!(
        check_activation_with_credential(&definition, &credential, &[stray], at()),
        Err(AgreementError::OtherDefinition {
            party: *key(1).did()
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
