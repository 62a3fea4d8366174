//! The offline commands end to end on JSON documents: evaluate, then verify each emitted proof
//! through `verify_proof_document`; bad documents give typed errors; nothing panics.

use proptest::prelude::*;

use super::*;
use crate::tensor::Domain;

const NOW: &str = "2026-06-01T00:00:00Z";

fn now() -> Timestamp {
    Timestamp::parse(NOW).unwrap()
}

const INPUT: &str = r#"{
  "subject": "entity-42",
  "jurisdiction": "PK-RSEZ",
  "attestations": [
    {"digest": "1111111111111111111111111111111111111111111111111111111111111111",
     "domain": "kyc", "state": "compliant", "issued_at": "2026-01-01T00:00:00Z",
     "expires_at": "2027-01-01T00:00:00Z"},
    {"digest": "2222222222222222222222222222222222222222222222222222222222222222",
     "domain": "aml", "state": "compliant", "issued_at": "2025-01-01T00:00:00Z",
     "expires_at": "2026-01-01T00:00:00Z"}
  ],
  "facts": {"names": ["Sara Ahmed"], "filer_status": "filer"},
  "sanctions": {"snapshot_id": "sdn-2026-06-01", "as_of": "2026-06-01T00:00:00Z",
    "entries": [{"entry_id": "SDN-1", "kind": "individual", "names": ["Ali Hassan Khan"]}]},
  "licences": {"licences": [{"licence_id": "L-1", "licence_type": "trading",
    "holder": "entity-42", "jurisdiction": "PK-RSEZ", "status": "active",
    "valid_from": "2025-01-01T00:00:00Z"}]}
}"#;

#[test]
fn evaluate_emits_cells_root_and_proofs_that_verify() {
    let output = evaluate_document(INPUT.as_bytes(), now()).unwrap();
    assert_eq!(output.cells.len(), 20);
    assert_eq!(output.leaf_count, 20);
    let state = |domain: Domain| output.cells[domain.index()].state;
    assert_eq!(state(Domain::Kyc), ComplianceState::Compliant);
    assert_eq!(state(Domain::Aml), ComplianceState::NonCompliant);
    assert_eq!(state(Domain::Sanctions), ComplianceState::Compliant);
    assert_eq!(state(Domain::Licensing), ComplianceState::Compliant);
    assert_eq!(state(Domain::Tax), ComplianceState::Compliant);
    assert_eq!(state(Domain::Trade), ComplianceState::Pending);
    assert_eq!(output.aggregate, ComplianceState::NonCompliant);
    assert_eq!(
        output.sanctions_screening.as_ref().map(|r| r.matches.len()),
        Some(0)
    );
    for (cell, proof) in output.cells.iter().zip(&output.proofs) {
        let document = serde_json::json!({ "root": output.commitment_root, "proof": proof });
        let proven = verify_proof_document(document.to_string().as_bytes()).unwrap();
        assert_eq!(proven, CommittedCell::from(cell));
    }
}

#[test]
fn verify_proof_rejects_a_different_root() {
    let output = evaluate_document(INPUT.as_bytes(), now()).unwrap();
    let document = serde_json::json!({ "root": "00".repeat(32), "proof": output.proofs[3] });
    assert!(matches!(
        verify_proof_document(document.to_string().as_bytes()),
        Err(OfflineError::Proof(ProofError::RootMismatch { .. }))
    ));
}

#[test]
fn evaluate_names_bad_fields() {
    let unknown = INPUT.replacen("\"facts\"", "\"fact\"", 1);
    let error = evaluate_document(unknown.as_bytes(), now()).unwrap_err();
    assert!(matches!(error, OfflineError::Shape { .. }));
    assert!(error.to_string().contains("fact"), "{error}");
    let bad_domain = INPUT.replacen("\"kyc\"", "\"gambling\"", 1);
    let error = evaluate_document(bad_domain.as_bytes(), now()).unwrap_err();
    assert!(error.to_string().contains("gambling"), "{error}");
    let duplicate = r#"{"subject": "a", "subject": "b", "jurisdiction": "PK"}"#;
    assert!(matches!(
        evaluate_document(duplicate.as_bytes(), now()),
        Err(OfflineError::Json { .. })
    ));
}

#[test]
fn sanctions_check_reads_the_regpack_list() {
    let regpack = crate::packs::fixtures::regpack_value();
    let bytes = serde_json::to_vec(&regpack).unwrap();
    let report = sanctions_check("EXAMPLE PERSON", &bytes).unwrap();
    assert_eq!(report.matches[0].entry_id, "QDi.001");
    assert!(report.has_confirmed_match());
    assert!(matches!(
        sanctions_check("...", &bytes),
        Err(OfflineError::Sanctions(SanctionsError::NameEmpty { .. }))
    ));
    // A bare list is not a regpack: the one shape is the regpack's.
    let bare = serde_json::to_vec(&regpack["sanctions"]).unwrap();
    assert!(matches!(
        sanctions_check("example person", &bare),
        Err(OfflineError::Regpack(_))
    ));
}

#[test]
fn evaluate_names_the_path_of_a_bad_sanctions_entry() {
    let bad_kind = INPUT.replacen("\"individual\"", "\"person\"", 1);
    match evaluate_document(bad_kind.as_bytes(), now()) {
        Err(OfflineError::Field {
            error: FieldError::UnknownWord { path, .. },
            ..
        }) => assert_eq!(path, "$.sanctions.entries[0].kind"),
        other => panic!("expected the kind's path, got {other:?}"),
    }
}

proptest! {
    #[test]
    fn offline_commands_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = evaluate_document(&bytes, now());
        let _ = verify_proof_document(&bytes);
        let _ = sanctions_check("name", &bytes);
    }

    #[test]
    fn evaluate_never_panics_on_mutated_input(position in 0usize..1200, byte in any::<u8>()) {
        let mut bytes = INPUT.as_bytes().to_vec();
        let index = position % bytes.len();
        bytes[index] = byte;
        let _ = evaluate_document(&bytes, now());
    }
}
