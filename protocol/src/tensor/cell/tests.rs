//! The tensor reads absent cells and empty aggregates as pending (fail closed) and orders cells
//! by address.

use super::*;

fn address(subject: &str, jurisdiction: &str, domain: Domain) -> CellAddress {
    CellAddress {
        subject: EntityId::new(subject).unwrap(),
        jurisdiction: JurisdictionId::new(jurisdiction).unwrap(),
        domain,
    }
}

fn cell(address: CellAddress, state: ComplianceState) -> Cell {
    Cell {
        address,
        state,
        attestation_digests: Vec::new(),
        reason: Reason::MissingEvidence,
        determined_at: Timestamp::from_unix_seconds(0).unwrap(),
    }
}

#[test]
fn tensor_state_is_pending_for_absent_cell() {
    let tensor = Tensor::new();
    assert_eq!(
        tensor.state(&address("e-1", "PK", Domain::Kyc)),
        ComplianceState::Pending
    );
}

#[test]
fn tensor_aggregate_is_pending_when_empty_and_meet_otherwise() {
    let mut tensor = Tensor::new();
    assert_eq!(tensor.aggregate([]), ComplianceState::Pending);
    let kyc = address("e-1", "PK", Domain::Kyc);
    let aml = address("e-1", "PK", Domain::Aml);
    tensor.insert(cell(kyc.clone(), ComplianceState::Compliant));
    tensor.insert(cell(aml.clone(), ComplianceState::Exempt));
    assert_eq!(tensor.aggregate([&kyc, &aml]), ComplianceState::Exempt);
    let missing = address("e-1", "PK", Domain::Tax);
    assert_eq!(
        tensor.aggregate([&kyc, &aml, &missing]),
        ComplianceState::Pending
    );
}

#[test]
fn tensor_insert_replaces_and_orders_by_address() {
    let mut tensor = Tensor::new();
    tensor.insert(cell(
        address("e-2", "AE", Domain::Aml),
        ComplianceState::Compliant,
    ));
    tensor.insert(cell(
        address("e-1", "PK", Domain::Trade),
        ComplianceState::Compliant,
    ));
    tensor.insert(cell(
        address("e-1", "PK", Domain::Aml),
        ComplianceState::Compliant,
    ));
    let replaced = tensor.insert(cell(
        address("e-1", "PK", Domain::Aml),
        ComplianceState::NonCompliant,
    ));
    assert_eq!(replaced.map(|c| c.state), Some(ComplianceState::Compliant));
    let order: Vec<(&str, Domain)> = tensor
        .cells()
        .map(|c| (c.address.subject.as_str(), c.address.domain))
        .collect();
    assert_eq!(
        order,
        [
            ("e-1", Domain::Aml),
            ("e-1", Domain::Trade),
            ("e-2", Domain::Aml)
        ]
    );
    assert_eq!(tensor.cell_count(), 3);
}

#[test]
fn finding_meet_keeps_worse_state_then_smaller_reason() {
    let digest = |byte| Digest::from_bytes([byte; 32]);
    let expired = |byte| Finding {
        state: ComplianceState::NonCompliant,
        reason: Reason::AttestationExpired {
            digest: digest(byte),
        },
    };
    let attested = Finding {
        state: ComplianceState::Compliant,
        reason: Reason::Attested { digest: digest(0) },
    };
    assert_eq!(attested.clone().meet(expired(9)), expired(9));
    assert_eq!(expired(9).meet(expired(1)), expired(1));
    assert_eq!(expired(1).meet(expired(9)), expired(1));
}
