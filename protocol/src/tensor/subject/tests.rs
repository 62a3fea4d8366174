//! A subject's recorded tensor: recording folds evaluations by address, the document round-trips
//! byte for byte, its commitment proves every cell, and every refusal names its cause. Method:
//! cells built by hand through one `cells` helper; one `check_refused` per refusal case; a
//! property test for order independence.

use proptest::prelude::*;

use super::*;
use crate::digest::Digest;
use crate::tensor::Domain;
use crate::tensor::cell::{CellAddress, Reason};
use crate::tensor::commitment::verify;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_767_225_600 + seconds).unwrap()
}

fn subject() -> EntityId {
    EntityId::new("entity-42").unwrap()
}

/// The 20 cells of `subject` in `jurisdiction`, all in `state`, determined at `at(seconds)`.
fn cells(
    subject: &EntityId,
    jurisdiction: &str,
    state: ComplianceState,
    seconds: i64,
) -> Vec<Cell> {
    Domain::ALL
        .into_iter()
        .map(|domain| Cell {
            address: CellAddress {
                subject: subject.clone(),
                jurisdiction: JurisdictionId::new(jurisdiction).unwrap(),
                domain,
            },
            state,
            attestation_digests: vec![Digest::from_bytes([domain.index() as u8; 32])],
            reason: Reason::MissingEvidence,
            determined_at: at(seconds),
        })
        .collect()
}

#[track_caller]
fn check_refused(result: Result<SubjectTensor, SubjectTensorError>, expected: &str) {
    let error = result.unwrap_err();
    assert!(error.to_string().contains(expected), "{error}");
}

#[test]
fn record_then_parse_round_trips_and_commits_to_every_cell() {
    let pk = cells(&subject(), "PK", ComplianceState::Compliant, 0);
    let recorded = SubjectTensor::record(&subject(), None, pk, at(10)).unwrap();
    let bytes = recorded.to_canonical().unwrap();
    let parsed = SubjectTensor::parse(bytes.as_bytes()).unwrap();
    assert_eq!(parsed, recorded);
    assert_eq!(parsed.to_canonical().unwrap(), bytes);
    assert_eq!(parsed.aggregate(), ComplianceState::Compliant);
    let tree = parsed.commitment().unwrap();
    let root = tree.root().unwrap();
    assert_eq!(tree.leaf_count(), 20);
    for cell in parsed.tensor().cells() {
        let proof = tree.prove(&cell.address).unwrap();
        assert_eq!(verify(&proof, &root).unwrap().address, cell.address);
    }
}

#[test]
fn record_replaces_cells_by_address_and_keeps_other_jurisdictions() {
    let first = SubjectTensor::record(
        &subject(),
        None,
        cells(&subject(), "PK", ComplianceState::Compliant, 0),
        at(1),
    )
    .unwrap();
    let second = SubjectTensor::record(
        &subject(),
        Some(first),
        cells(&subject(), "AE", ComplianceState::Pending, 2),
        at(2),
    )
    .unwrap();
    let third = SubjectTensor::record(
        &subject(),
        Some(second),
        cells(&subject(), "PK", ComplianceState::NonCompliant, 3),
        at(3),
    )
    .unwrap();
    assert_eq!(third.revision(), 2);
    assert_eq!(third.tensor().cell_count(), 40);
    assert_eq!(third.jurisdictions().len(), 2);
    assert_eq!(third.taken_at(), at(3));
    assert_eq!(third.aggregate(), ComplianceState::NonCompliant);
    let pk_kyc = CellAddress {
        subject: subject(),
        jurisdiction: JurisdictionId::new("PK").unwrap(),
        domain: Domain::Kyc,
    };
    assert_eq!(third.tensor().state(&pk_kyc), ComplianceState::NonCompliant);
}

#[test]
fn record_refuses_foreign_cells_backwards_time_and_late_cells() {
    let other = EntityId::new("entity-7").unwrap();
    check_refused(
        SubjectTensor::record(
            &subject(),
            None,
            cells(&other, "PK", ComplianceState::Compliant, 0),
            at(1),
        ),
        "cells[0] is about subject entity-7",
    );
    let first = SubjectTensor::record(
        &subject(),
        None,
        cells(&subject(), "PK", ComplianceState::Compliant, 0),
        at(5),
    )
    .unwrap();
    check_refused(
        SubjectTensor::record(
            &subject(),
            Some(first),
            cells(&subject(), "AE", ComplianceState::Compliant, 0),
            at(4),
        ),
        "is before the previous record's",
    );
    check_refused(
        SubjectTensor::record(
            &subject(),
            None,
            cells(&subject(), "PK", ComplianceState::Compliant, 9),
            at(8),
        ),
        "cells[0].determined_at",
    );
}

#[test]
fn record_holds_the_jurisdiction_limit_and_refuses_one_more() {
    let mut recorded: Option<SubjectTensor> = None;
    for index in 0..SUBJECT_TENSOR_JURISDICTIONS_MAX {
        let jurisdiction = format!("J{index}");
        recorded = Some(
            SubjectTensor::record(
                &subject(),
                recorded,
                cells(&subject(), &jurisdiction, ComplianceState::Exempt, 0),
                at(0),
            )
            .unwrap(),
        );
    }
    let full = recorded.unwrap();
    assert_eq!(full.jurisdictions().len(), SUBJECT_TENSOR_JURISDICTIONS_MAX);
    SubjectTensor::parse(full.to_canonical().unwrap().as_bytes()).unwrap();
    check_refused(
        SubjectTensor::record(
            &subject(),
            Some(full),
            cells(&subject(), "ONE-MORE", ComplianceState::Exempt, 0),
            at(0),
        ),
        "would span 65 jurisdictions",
    );
}

#[test]
fn parse_refuses_what_record_would_not_write() {
    let recorded = SubjectTensor::record(
        &subject(),
        None,
        cells(&subject(), "PK", ComplianceState::Compliant, 0),
        at(0),
    )
    .unwrap();
    let document: serde_json::Value =
        serde_json::from_slice(recorded.to_canonical().unwrap().as_bytes()).unwrap();
    let reparse = |document: &serde_json::Value| {
        SubjectTensor::parse(CanonicalBytes::new(document).unwrap().as_bytes())
    };
    let mut swapped = document.clone();
    swapped["cells"].as_array_mut().unwrap().swap(0, 1);
    check_refused(reparse(&swapped), "cells[1] is out of address order");
    let mut repeated = document.clone();
    let first = repeated["cells"][0].clone();
    repeated["cells"].as_array_mut().unwrap().insert(0, first);
    check_refused(reparse(&repeated), "cells[1] is out of address order");
    let mut renamed = document.clone();
    renamed["type"] = "MSEZTensor".into();
    check_refused(reparse(&renamed), "type is \"MSEZTensor\"");
    let mut extra = document;
    extra["root"] = "00".into();
    check_refused(reparse(&extra), "unknown field `root`");
    check_refused(SubjectTensor::parse(b"{\"type\": 1.5}"), "not an integer");
}

fn two_jurisdictions() -> Vec<Cell> {
    let mut all = cells(&subject(), "PK", ComplianceState::Pending, 0);
    all.extend(cells(&subject(), "AE", ComplianceState::Exempt, 0));
    all
}

proptest! {
    /// Recording the same cells in any order gives the same bytes.
    #[test]
    fn record_is_independent_of_cell_order(shuffled in Just(two_jurisdictions()).prop_shuffle()) {
        let ordered = SubjectTensor::record(&subject(), None, two_jurisdictions(), at(0)).unwrap();
        let recorded = SubjectTensor::record(&subject(), None, shuffled, at(0)).unwrap();
        prop_assert_eq!(recorded.to_canonical().unwrap(), ordered.to_canonical().unwrap());
    }
}
