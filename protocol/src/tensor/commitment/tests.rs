//! The commitment's bytes against vectors computed independently (Python hashlib), odd-node
//! promotion, and property tests: every proof verifies, and any tampering fails with the
//! matching error.

use proptest::prelude::*;

use super::*;
use crate::ids::{EntityId, JurisdictionId};
use crate::tensor::cell::Reason;
use crate::time::Timestamp;

fn cell(subject: &str, domain: Domain, state: ComplianceState, digests: &[u8]) -> Cell {
    Cell {
        address: CellAddress {
            subject: EntityId::new(subject).unwrap(),
            jurisdiction: JurisdictionId::new("PK-RSEZ").unwrap(),
            domain,
        },
        state,
        attestation_digests: digests
            .iter()
            .map(|&b| Digest::from_bytes([b; 32]))
            .collect(),
        reason: Reason::MissingEvidence,
        determined_at: Timestamp::from_unix_seconds(1_700_000_000).unwrap(),
    }
}

fn hex(text: &str) -> Digest {
    Digest::from_hex(text).unwrap()
}

#[test]
fn leaf_hash_matches_independent_vector_and_ignores_digest_order() {
    // sha256(b"\x00" + leaf document) in Python; the document is in the module docs.
    let kyc = cell(
        "e-1",
        Domain::Kyc,
        ComplianceState::Compliant,
        &[0x22, 0x11, 0x22],
    );
    assert_eq!(
        leaf_hash(&CommittedCell::from(&kyc)).unwrap(),
        hex("025d8ff77dc907795108eead2f65ec9aa8e148ca3c20c4235abdcc2c84abec88")
    );
}

#[test]
fn root_matches_independent_vector_in_address_order() {
    let kyc = cell(
        "e-1",
        Domain::Kyc,
        ComplianceState::Compliant,
        &[0x11, 0x22],
    );
    let aml = cell("e-1", Domain::Aml, ComplianceState::Pending, &[]);
    let tree = CellTree::build([&kyc, &aml]).unwrap();
    assert_eq!(
        tree.root(),
        Some(hex(
            "61e41de4280f00c85da92961cf4d4f9edc4827e17c55b2f8c756381e83632549"
        ))
    );
}

#[test]
fn root_of_one_leaf_is_the_leaf_and_of_none_is_absent() {
    let kyc = cell(
        "e-1",
        Domain::Kyc,
        ComplianceState::Compliant,
        &[0x11, 0x22],
    );
    let tree = CellTree::build([&kyc]).unwrap();
    assert_eq!(
        tree.root(),
        Some(leaf_hash(&CommittedCell::from(&kyc)).unwrap())
    );
    assert_eq!(CellTree::build([]).unwrap().root(), None);
}

#[test]
fn odd_node_is_promoted_not_duplicated() {
    let cells: Vec<Cell> = [Domain::Aml, Domain::Kyc, Domain::Sanctions]
        .into_iter()
        .map(|domain| cell("e-1", domain, ComplianceState::Compliant, &[]))
        .collect();
    let leaves: Vec<Digest> = cells
        .iter()
        .map(|c| leaf_hash(&CommittedCell::from(c)).unwrap())
        .collect();
    let tree = CellTree::build(&cells).unwrap();
    let expected = node_hash(&node_hash(&leaves[0], &leaves[1]), &leaves[2]);
    assert_eq!(tree.root(), Some(expected));
    let proof = tree.prove(&cells[2].address).unwrap();
    assert_eq!(
        proof.path,
        [PathStep {
            side: Side::Left,
            hash: node_hash(&leaves[0], &leaves[1])
        }]
    );
}

#[test]
fn build_rejects_duplicate_address_and_prove_unknown_address() {
    let a = cell("e-1", Domain::Kyc, ComplianceState::Compliant, &[]);
    let b = cell("e-1", Domain::Kyc, ComplianceState::Pending, &[]);
    assert!(matches!(
        CellTree::build([&a, &b]),
        Err(CommitmentError::DuplicateAddress {
            domain: Domain::Kyc,
            ..
        })
    ));
    let tree = CellTree::build([&a]).unwrap();
    let other = cell("e-2", Domain::Kyc, ComplianceState::Compliant, &[]);
    assert!(matches!(
        tree.prove(&other.address),
        Err(CommitmentError::UnknownAddress { .. })
    ));
}

#[test]
fn verify_rejects_index_out_of_range_and_wrong_length() {
    let cells: Vec<Cell> = Domain::ALL
        .iter()
        .map(|&d| cell("e-1", d, ComplianceState::Compliant, &[]))
        .collect();
    let tree = CellTree::build(&cells).unwrap();
    let root = tree.root().unwrap();
    let proof = tree.prove(&cells[4].address).unwrap();
    let mut out_of_range = proof.clone();
    out_of_range.leaf_index = out_of_range.leaf_count;
    assert!(matches!(
        verify(&out_of_range, &root),
        Err(ProofError::LeafIndexOutOfRange { .. })
    ));
    let mut short = proof.clone();
    short.path.pop();
    assert!(matches!(
        verify(&short, &root),
        Err(ProofError::PathLength { .. })
    ));
    let mut flipped = proof;
    flipped.path[0].side = Side::Left;
    assert!(matches!(
        verify(&flipped, &root),
        Err(ProofError::SideMismatch { step_index: 0, .. })
    ));
}

fn cells_strategy() -> impl Strategy<Value = Vec<Cell>> {
    proptest::collection::btree_set((0u8..4, 0usize..20), 1..60).prop_flat_map(|addresses| {
        let n = addresses.len();
        (
            Just(addresses),
            proptest::collection::vec(0usize..5, n),
            proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..3), n),
        )
            .prop_map(|(addresses, states, digests)| {
                addresses
                    .into_iter()
                    .zip(states)
                    .zip(digests)
                    .map(|(((subject, domain), state), digests)| {
                        cell(
                            &format!("e-{subject}"),
                            Domain::ALL[domain],
                            ComplianceState::ALL[state],
                            &digests,
                        )
                    })
                    .collect()
            })
    })
}

proptest! {
    #[test]
    fn every_proof_verifies_and_tampering_fails(cells in cells_strategy(), pick in any::<prop::sample::Index>()) {
        let tree = CellTree::build(&cells).unwrap();
        let root = tree.root().unwrap();
        for c in &cells {
            let proof = tree.prove(&c.address).unwrap();
            prop_assert_eq!(verify(&proof, &root).unwrap(), &CommittedCell::from(c));
        }
        let target = &cells[pick.index(cells.len())];
        let proof = tree.prove(&target.address).unwrap();
        let mut worse = proof.clone();
        worse.cell.state = if worse.cell.state == ComplianceState::Compliant {
            ComplianceState::NonCompliant
        } else {
            ComplianceState::Compliant
        };
        let is_root_mismatch = matches!(verify(&worse, &root), Err(ProofError::RootMismatch { .. }));
        prop_assert!(is_root_mismatch);
        let mut more_evidence = proof.clone();
        // Cells hold only digests of the form [b; 32], so this one is always new evidence.
        let mut fresh = [0xee; 32];
        fresh[0] = 0x01;
        more_evidence.cell.attestation_digests.push(Digest::from_bytes(fresh));
        let is_root_mismatch =
            matches!(verify(&more_evidence, &root), Err(ProofError::RootMismatch { .. }));
        prop_assert!(is_root_mismatch);
    }

    #[test]
    fn root_is_independent_of_input_order(cells in cells_strategy()) {
        let forward = CellTree::build(&cells).unwrap().root();
        let backward = CellTree::build(cells.iter().rev()).unwrap().root();
        prop_assert_eq!(forward, backward);
    }

    #[test]
    fn verify_never_panics_on_arbitrary_proofs(
        leaf_index in any::<u64>(),
        leaf_count in any::<u64>(),
        sides in proptest::collection::vec(any::<bool>(), 0..70),
    ) {
        let c = cell("e-1", Domain::Kyc, ComplianceState::Compliant, &[]);
        let path = sides
            .into_iter()
            .map(|left| PathStep {
                side: if left { Side::Left } else { Side::Right },
                hash: Digest::from_bytes([7; 32]),
            })
            .collect();
        let proof = InclusionProof { cell: CommittedCell::from(&c), leaf_index, leaf_count, path };
        prop_assert!(verify(&proof, &Digest::from_bytes([0; 32])).is_err());
    }
}
