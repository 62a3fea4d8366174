//! Orchestration rules: request keys at their limit and one past it, the names a flow derives,
//! the sanctions gate on real evaluations (clear, confirmed match, potential match, nothing
//! screened), and a signed attestation that verifies and breaks when altered. Method: subjects
//! evaluated through `evaluate_subject` against a two-entry list.

use super::*;
use crate::proof::verify_document;
use crate::tensor::evaluators::{EvaluationContext, SubjectFacts, SubjectRecord, evaluate_subject};
use crate::tensor::sanctions::{SanctionsIndex, ScreeningConfig, parse_sanctions_list};

fn at() -> Timestamp {
    Timestamp::parse("2026-06-01T00:00:00Z").unwrap()
}

fn key(text: &str) -> RequestKey {
    RequestKey::new(text).unwrap()
}

#[test]
fn request_key_holds_its_limit_and_refuses_one_more() {
    key(&"k".repeat(REQUEST_KEY_BYTES_MAX));
    for bad in [
        String::new(),
        "k".repeat(REQUEST_KEY_BYTES_MAX + 1),
        "has space".to_owned(),
        "slash/inside".to_owned(),
    ] {
        assert!(
            matches!(
                RequestKey::new(&bad),
                Err(OrchestrationError::RequestKey { .. })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn names_derive_from_flow_and_key_and_fit_their_id_types() {
    let longest = key(&"k".repeat(REQUEST_KEY_BYTES_MAX));
    for flow in FlowKind::ALL {
        provisional_subject(*flow, &longest).unwrap();
    }
    let k = key("req-1");
    let flow = FlowKind::EntityFormation;
    assert_eq!(
        flow_record_key(flow, &k),
        "orchestration:entity_formation:req-1"
    );
    assert_eq!(
        step_record_key(flow, &k, "organization"),
        "orchestration:entity_formation:req-1:organization"
    );
    assert_eq!(
        flow_credential_id(flow, &k),
        "urn:msez:orchestration:entity_formation:req-1"
    );
    assert_eq!(
        provisional_subject(flow, &k).unwrap().as_str(),
        "entity_formation:req-1"
    );
}

fn screened(names: &[&str]) -> SubjectEvaluation {
    let list = parse_sanctions_list(
        &serde_json::json!({
            "snapshot_id": "list-1", "as_of": "2026-01-01T00:00:00Z",
            "entries": [
                {"entry_id": "E-1", "kind": "entity", "names": ["Listed Trading Company"]},
                {"entry_id": "E-2", "kind": "individual", "names": ["Ali Hassan Khan"]},
            ],
        }),
        "$",
    )
    .unwrap();
    let index = SanctionsIndex::build(list).unwrap();
    let record = SubjectRecord {
        subject: EntityId::new("entity-42").unwrap(),
        jurisdiction: JurisdictionId::new("PK").unwrap(),
        attestations: Vec::new(),
        facts: SubjectFacts {
            names: names.iter().map(|name| (*name).to_owned()).collect(),
            ..SubjectFacts::default()
        },
    };
    let context = EvaluationContext {
        sanctions: Some(&index),
        licences: None,
        screening: ScreeningConfig::DEFAULT,
    };
    evaluate_subject(&record, &context, at()).unwrap()
}

#[test]
fn sanctions_gate_passes_only_a_clear_screening() {
    assert_eq!(sanctions_gate(&screened(&["Karachi Cotton Mills"])), Ok(()));
    let confirmed = sanctions_gate(&screened(&["Listed Trading Company"])).unwrap_err();
    assert_eq!(confirmed.state, ComplianceState::NonCompliant);
    assert!(matches!(confirmed.reason, Reason::SanctionsMatch { .. }));
    let unscreened = sanctions_gate(&screened(&[])).unwrap_err();
    assert_eq!(unscreened.state, ComplianceState::Pending);
    assert_eq!(unscreened.reason, Reason::MissingEvidence);
}

#[test]
fn sanctions_gate_blocks_a_potential_match() {
    let potential = sanctions_gate(&screened(&["Ali Hassan Khan Trading"]));
    match potential {
        Err(block) => {
            assert_eq!(block.state, ComplianceState::Pending);
            assert!(matches!(
                block.reason,
                Reason::SanctionsPotentialMatch { .. }
            ));
        }
        Ok(()) => panic!("a potential match must block"),
    }
}

#[test]
fn attestation_signs_verifies_and_breaks_when_altered() {
    let zone_key = SigningKey::from_seed(&[3; 32]);
    let attestation = OrchestrationAttestation {
        kind: ATTESTATION_TYPE,
        flow: FlowKind::Payment,
        request_key: key("pay-1"),
        subject: EntityId::new("entity-42").unwrap(),
        jurisdiction: JurisdictionId::new("PK-RSEZ").unwrap(),
        mass: BTreeMap::from([("transaction_id".to_owned(), "tx-9".to_owned())]),
        credential_id: flow_credential_id(FlowKind::Payment, &key("pay-1")),
        credential_digest: Digest::from_bytes([1; 32]),
        tensor_digest: Digest::from_bytes([2; 32]),
        commitment_root: Digest::from_bytes([3; 32]),
        attested_at: at(),
    };
    let signed = attestation.sign(&zone_key).unwrap();
    assert_eq!(signed["type"], ATTESTATION_TYPE);
    assert_eq!(signed["flow"], "payment");
    let checks = verify_document(&signed).unwrap();
    assert!(checks.iter().all(|check| check.outcome.is_ok()));
    // Same inputs, same bytes: a retried flow files the same attestation.
    assert_eq!(attestation.sign(&zone_key).unwrap(), signed);
    let mut altered = signed;
    altered["mass"]["transaction_id"] = "tx-10".into();
    let checks = verify_document(&altered).unwrap();
    assert!(checks.iter().any(|check| check.outcome.is_err()));
}
