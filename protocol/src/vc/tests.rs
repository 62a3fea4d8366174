// Goal: every MSEZ credential type builds, issues and verifies; each verification check fails
// on its own cause and the report says which; revocation is reported as not checked; subjects
// reject unknown members and broken rules; no parser panics. Method: one sample subject per
// type, `check_report` on the report's flags, proptest for arbitrary input.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::subjects::{CorridorAgreementSubject, WatcherAttestationSubject};
use super::*;
use crate::keys::{KeyError, SigningKey};
use crate::test_support::arbitrary_json_any;

const DIGEST_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const DIGEST_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

fn key(byte: u8) -> SigningKey {
    SigningKey::from_seed(&[byte; 32])
}

fn time(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("time")
}

fn did(byte: u8) -> String {
    key(byte).did().to_string()
}

/// A valid subject for every credential type.
fn sample_subject(credential_type: CredentialType) -> Value {
    let at = "2026-01-01T00:00:00Z";
    match credential_type {
        CredentialType::KycVerification => json!({"entity_id": "ent-1", "jurisdiction_id": "PK",
            "level": "enhanced", "evidence_digest": DIGEST_A, "verified_at": at}),
        CredentialType::AmlScreening => json!({"entity_id": "ent-1", "jurisdiction_id": "PK",
            "outcome": "clear", "report_digest": DIGEST_A, "screened_at": at}),
        CredentialType::SanctionsClearance => json!({"entity_id": "ent-1",
            "jurisdiction_id": "AE", "sanctions_lists": ["UN-SC", "OFAC-SDN"],
            "list_set_digest": DIGEST_A, "outcome": "clear", "screened_at": at}),
        CredentialType::LicenseStatus => json!({"entity_id": "ent-1", "jurisdiction_id": "AE",
            "license_id": "L-42", "license_class": "payments.emi", "status": "active",
            "status_as_of": at}),
        CredentialType::ComplianceAttestation => json!({"entity_id": "ent-1",
            "jurisdiction_id": "PK", "tensor_commitment": DIGEST_A, "cell_count": 20,
            "determined_at": at}),
        CredentialType::CorridorDefinition => json!({"corridor_id": "pk-ae",
            "jurisdiction_ids": ["PK", "AE"], "definition_payload_sha256": DIGEST_A,
            "lawpack_digest_set": [DIGEST_A], "ruleset_digest_set": [DIGEST_B]}),
        CredentialType::CorridorAgreement => json!({"party": did(1), "corridor_id": "pk-ae",
            "definition_payload_sha256": DIGEST_A, "commitment": "affirm"}),
        CredentialType::CorridorLifecycleTransition => json!({"corridor_id": "pk-ae",
            "from_state": "pending", "to_state": "active", "reason": "agreement complete",
            "effective_at": at}),
        CredentialType::LawpackAttestation => json!({"jurisdiction_id": "PK",
            "lawpack_digest": DIGEST_A, "lawpack_name": "PK SEZ Act", "version": "2026.1",
            "effective_from": at}),
        CredentialType::WatcherAttestation => json!({"watcher": did(4), "corridor_id": "pk-ae",
            "sequence": 7, "prev_root": DIGEST_A, "next_root": DIGEST_B,
            "observed_head": {"corridor_id": "pk-ae", "height": 8, "next_root": DIGEST_B,
                "mmr_root": DIGEST_A},
            "observed_at": at}),
        CredentialType::WatcherBond => json!({"watcher": did(4), "bond_id": "b-1",
            "stake_amount_minor": 1_000_000, "currency": "USD", "corridor_ids": ["pk-ae"],
            "bonded_at": at}),
        CredentialType::ForkAlarm => json!({"corridor_id": "pk-ae", "sequence": 7,
            "prev_root": DIGEST_A, "next_root_a": DIGEST_A, "next_root_b": DIGEST_B,
            "detected_at": at}),
        CredentialType::ForkResolution => json!({"corridor_id": "pk-ae", "sequence": 7,
            "prev_root": DIGEST_A, "chosen_next_root": DIGEST_A,
            "rejected_next_roots": [DIGEST_B], "basis": "watcher_quorum",
            "evidence_digests": [DIGEST_B], "resolved_at": at}),
        CredentialType::DisputeClaim => json!({"dispute_id": "d-1", "corridor_id": "pk-ae",
            "claimant": did(1), "respondent": did(2), "claim_amount_minor": 50_000,
            "currency": "AED", "claim_digest": DIGEST_A, "filed_at": at}),
        CredentialType::ArbitrationRuling => json!({"dispute_id": "d-1", "tribunal": "DIAC",
            "ruling_digest": DIGEST_A, "awarded_to": did(1), "award_amount_minor": 40_000,
            "currency": "AED", "ruled_at": at}),
        CredentialType::TaxWithholding => json!({"entity_id": "ent-1", "jurisdiction_id": "PK",
            "obligation_id": "ob-9", "gross_amount_minor": 100_000,
            "withheld_amount_minor": 15_000, "rate_basis_points": 1500, "currency": "PKR",
            "withheld_at": at}),
        CredentialType::SmartAssetRegistry => json!({"asset_id": "asset-1",
            "owner_entity_id": "ent-1", "jurisdiction_id": "AE", "asset_class": "receivable",
            "asset_definition_digest": DIGEST_A, "registered_at": at}),
    }
}

fn terms(issuer: &SigningKey) -> CredentialTerms {
    CredentialTerms {
        id: Some("urn:uuid:0b6d1f7e-8e0a-4c9b-9d3e-1f2a3b4c5d6e".to_owned()),
        issuer: *issuer.did(),
        valid_from: time("2026-01-01T00:00:00Z"),
        valid_until: Some(time("2027-01-01T00:00:00Z")),
        status: Some(CredentialStatus {
            id: "https://zone.example/status/1#94567".to_owned(),
            status_type: StatusEntryType::BitstringStatusListEntry,
            status_purpose: StatusPurpose::Revocation,
            status_list_index: 94_567,
            status_list_credential: "https://zone.example/status/1".to_owned(),
        }),
    }
}

fn issued(credential_type: CredentialType) -> Value {
    let issuer = key(1);
    let credential = Credential::build_untyped(
        credential_type,
        sample_subject(credential_type),
        terms(&issuer),
    )
    .expect("build");
    issue(&credential, &issuer, time("2026-01-01T00:00:00Z")).expect("issue")
}

fn now() -> Timestamp {
    time("2026-06-01T00:00:00Z")
}

/// Asserts the verdict and which checks failed (by the report's names).
#[track_caller]
fn check_report(report: &VerificationReport, failed: &[&str]) {
    let mut found = Vec::new();
    for (name, check) in [
        ("envelope", &report.envelope),
        ("validity_window", &report.validity_window),
        ("proof_set", &report.proof_set),
    ] {
        if !check.passed {
            found.push(name.to_owned());
        }
    }
    for proof in &report.proofs {
        for (name, check) in [
            ("signature", &proof.signature),
            ("proof_purpose", &proof.proof_purpose),
            ("issuer_controls_method", &proof.issuer_controls_method),
        ] {
            if !check.passed {
                found.push(format!("{name}[{}]", proof.proof_index));
            }
        }
    }
    assert_eq!(found, failed, "{report:#?}");
    assert_eq!(report.verified, failed.is_empty());
    assert!(!report.revocation.checked);
}

#[test]
fn credential_type_names_round_trip() {
    assert_eq!(CredentialType::ALL.len(), 17);
    for credential_type in CredentialType::ALL {
        let name = credential_type.name();
        assert!(
            name.starts_with("MSEZ") && name.ends_with("Credential"),
            "{name}"
        );
        assert_eq!(name.parse::<CredentialType>(), Ok(*credential_type));
    }
    assert_eq!(
        "MSEZUnknownCredential".parse::<CredentialType>(),
        Err(VcError::UnknownCredentialType {
            name: "MSEZUnknownCredential".to_owned()
        })
    );
}

#[test]
fn every_credential_type_issues_and_verifies() {
    for credential_type in CredentialType::ALL {
        let secured = issued(*credential_type);
        let report = verify_credential(&secured, now());
        check_report(&report, &[]);
        assert_eq!(report.credential_type, Some(*credential_type));
        assert_eq!(report.issuer, Some(*key(1).did()));
        assert_eq!(report.proofs[0].signer, Some(*key(1).did()));
        let parsed = Credential::from_value(&secured).expect("parse");
        assert_eq!(parsed.subject_value(), &sample_subject(*credential_type));
    }
}

#[test]
fn subjects_reject_unknown_members() {
    for credential_type in CredentialType::ALL {
        let mut subject = sample_subject(*credential_type);
        subject["note"] = "extra".into();
        assert!(
            matches!(
                credential_type.validate_subject(&subject),
                Err(VcError::Subject { credential_type: t, .. }) if t == *credential_type
            ),
            "{credential_type}"
        );
    }
}

#[test]
fn subjects_reject_broken_rules() {
    let check = |credential_type: CredentialType, member: &str, value: Value, rule: &str| {
        let mut subject = sample_subject(credential_type);
        subject[member] = value;
        let result = credential_type.validate_subject(&subject);
        assert!(
            matches!(&result, Err(VcError::SubjectRule { credential_type: t, rule: found })
                if *t == credential_type && found.contains(rule)),
            "{credential_type} {member}: {result:?}"
        );
    };
    for commitment in ["", "Affirm", "affirm now", "a:b", &"a".repeat(65)] {
        check(
            CredentialType::CorridorAgreement,
            "commitment",
            commitment.into(),
            "commitment is 1 to 64 bytes",
        );
    }
    check(
        CredentialType::ForkAlarm,
        "next_root_b",
        DIGEST_A.into(),
        "differs",
    );
    check(
        CredentialType::ForkResolution,
        "rejected_next_roots",
        json!([DIGEST_A]),
        "chosen",
    );
    check(
        CredentialType::TaxWithholding,
        "withheld_amount_minor",
        100_001.into(),
        "gross",
    );
    check(
        CredentialType::TaxWithholding,
        "rate_basis_points",
        10_001.into(),
        "10000",
    );
    check(
        CredentialType::WatcherBond,
        "currency",
        "usd".into(),
        "currency",
    );
    check(
        CredentialType::DisputeClaim,
        "respondent",
        did(1).into(),
        "respondent",
    );
    check(
        CredentialType::CorridorDefinition,
        "jurisdiction_ids",
        json!(["PK", "PK"]),
        "distinct",
    );
    check(
        CredentialType::CorridorLifecycleTransition,
        "to_state",
        "pending".into(),
        "differs",
    );
    // At the limit: a threshold equal to the signer count and a 100% rate are fine.
    let mut subject = sample_subject(CredentialType::TaxWithholding);
    subject["rate_basis_points"] = 10_000.into();
    assert_eq!(
        CredentialType::TaxWithholding.validate_subject(&subject),
        Ok(())
    );
}

#[test]
fn typed_subject_round_trips() {
    let issuer = key(4);
    let subject: WatcherAttestationSubject =
        serde_json::from_value(sample_subject(CredentialType::WatcherAttestation))
            .expect("subject");
    let credential = Credential::build(&subject, terms(&issuer)).expect("build");
    let secured = issue(&credential, &issuer, now()).expect("issue");
    let read = Credential::from_value(&secured).expect("parse");
    assert_eq!(read.subject::<WatcherAttestationSubject>(), Ok(subject));
    assert!(matches!(
        read.subject::<CorridorAgreementSubject>(),
        Err(VcError::MsezType { .. })
    ));
}

#[test]
fn verify_checks_validity_window_at_its_bounds() {
    let secured = issued(CredentialType::KycVerification);
    check_report(
        &verify_credential(&secured, time("2026-01-01T00:00:00Z")),
        &[],
    );
    check_report(
        &verify_credential(&secured, time("2027-01-01T00:00:00Z")),
        &[],
    );
    let early = verify_credential(&secured, time("2025-12-31T23:59:59Z"));
    check_report(&early, &["validity_window"]);
    let late = verify_credential(&secured, time("2027-01-01T00:00:01Z"));
    check_report(&late, &["validity_window"]);
    assert!(
        late.validity_window
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("expired"))
    );
}

#[test]
fn issue_rejects_foreign_key_and_order() {
    let credential = Credential::build_untyped(
        CredentialType::KycVerification,
        sample_subject(CredentialType::KycVerification),
        terms(&key(1)),
    )
    .expect("build");
    assert_eq!(
        issue(&credential, &key(2), now()),
        Err(VcError::IssuerKeyMismatch {
            issuer: *key(1).did(),
            key: *key(2).did(),
        })
    );
    let mut reversed = terms(&key(1));
    reversed.valid_until = Some(time("2025-01-01T00:00:00Z"));
    assert_eq!(
        Credential::build_untyped(
            CredentialType::KycVerification,
            sample_subject(CredentialType::KycVerification),
            reversed,
        ),
        Err(VcError::ValidityOrder {
            valid_from: time("2026-01-01T00:00:00Z"),
            valid_until: time("2025-01-01T00:00:00Z"),
        })
    );
}

#[test]
fn verify_reports_foreign_signer_and_wrong_purpose() {
    let mut secured = issued(CredentialType::AmlScreening);
    let unsecured = Credential::from_value(&secured).expect("parse").to_value();
    let foreign = proof::create_proof(&unsecured, &key(9), now(), ProofPurpose::AssertionMethod)
        .expect("sign");
    proof::add_proof(&mut secured, &foreign).expect("add");
    let by_issuer = proof::create_proof(&unsecured, &key(1), now(), ProofPurpose::Authentication)
        .expect("sign");
    proof::add_proof(&mut secured, &by_issuer).expect("add");
    let report = verify_credential(&secured, now());
    check_report(&report, &["issuer_controls_method[1]", "proof_purpose[2]"]);
    assert_eq!(report.proofs.len(), 3);
}

#[test]
fn verify_rejects_envelope_faults() {
    let base = issued(CredentialType::LicenseStatus);
    let envelope_error = |mutate: &dyn Fn(&mut Value)| {
        let mut document = base.clone();
        mutate(&mut document);
        Credential::from_value(&document).err()
    };
    assert_eq!(
        envelope_error(&|d| d["@context"] = json!(["https://example.org/v1"])),
        Some(VcError::Context {
            found: "https://example.org/v1".to_owned()
        })
    );
    assert!(matches!(
        envelope_error(&|d| d["type"] = json!(["MSEZLicenseStatusCredential"])),
        Some(VcError::MissingVerifiableCredentialType { .. })
    ));
    assert!(matches!(
        envelope_error(&|d| d["type"] = json!([
            "VerifiableCredential",
            "MSEZLicenseStatusCredential",
            "MSEZKycVerificationCredential"
        ])),
        Some(VcError::MsezType { .. })
    ));
    assert_eq!(
        envelope_error(&|d| d["issuer"] = "https://vc.example/issuers/5678".into()),
        Some(VcError::Issuer {
            source: KeyError::DidPrefix {
                field: "issuer",
                text: "https://vc.example/issuers/5678".to_owned(),
            }
        })
    );
    assert!(matches!(
        envelope_error(&|d| d["evidence"] = json!([])),
        Some(VcError::Malformed { .. })
    ));
    // Any envelope change also breaks the signature.
    let mut changed = base.clone();
    changed["validFrom"] = "2025-01-01T00:00:00Z".into();
    check_report(&verify_credential(&changed, now()), &["signature[0]"]);
    let mut unsigned = base.clone();
    unsigned
        .as_object_mut()
        .map(|object| object.remove("proof"));
    check_report(&verify_credential(&unsigned, now()), &["proof_set"]);
}

#[test]
fn report_says_revocation_was_not_checked() {
    let report = verify_credential(&issued(CredentialType::TaxWithholding), now());
    let json = serde_json::to_value(&report).expect("serialise");
    assert_eq!(json["verified"], true);
    assert_eq!(json["revocation"]["checked"], false);
    assert_eq!(json["revocation"]["reason"], REVOCATION_NOT_CHECKED);
    assert_eq!(json["revocation"]["status"]["statusListIndex"], "94567");
    assert_eq!(json["credential_type"], "MSEZTaxWithholdingCredential");
    assert_eq!(json["proofs"][0]["signer"], key(1).did().to_string());
}

#[test]
fn status_list_index_must_be_decimal_text() {
    let entry = |index: Value| {
        serde_json::from_value::<CredentialStatus>(json!({"id": "s#1",
            "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": index, "statusListCredential": "s"}))
    };
    assert_eq!(entry("7".into()).map(|e| e.status_list_index).ok(), Some(7));
    for bad in [json!(7), json!("+7"), json!(""), json!("-1"), json!("1e3")] {
        assert!(entry(bad.clone()).is_err(), "{bad}");
    }
}

proptest! {
    #[test]
    fn credential_parsers_never_panic(value in arbitrary_json_any(), type_index in 0usize..17) {
        let _ = Credential::from_value(&value);
        let _ = verify_credential(&value, now());
        let credential_type = CredentialType::ALL[type_index];
        let _ = credential_type.validate_subject(&value);
        let mut secured = issued(credential_type);
        secured["credentialSubject"] = value.clone();
        let report = verify_credential(&secured, now());
        prop_assert!(!report.verified || value == sample_subject(credential_type));
    }
}
