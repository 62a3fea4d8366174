//! MMR tests. Goal: the roots are SPEC §6's bytes (cross-checked against an independent Python
//! implementation), every proof of every leaf verifies, and every single-bit change of a proof
//! or root is rejected with the error of the check that catches it. Method: fixed vectors, one
//! error-variant test per check, and property tests over sizes and mutations.

use proptest::prelude::*;

use super::*;

/// The `next_root` used for leaf `i` in these tests: 32 bytes all equal to `i`.
fn next_root(i: u64) -> Digest {
    Digest::from_bytes([(i % 256) as u8; 32])
}

fn mmr_of(size: u64) -> Mmr {
    let roots: Vec<Digest> = (0..size).map(next_root).collect();
    Mmr::from_next_roots(&roots).unwrap()
}

#[track_caller]
fn check_root(size: u64, expected_hex: &str) {
    let mmr = mmr_of(size);
    assert_eq!(mmr.root().unwrap().to_hex(), expected_hex, "size {size}");
    let mut frontier = MmrPeaks::new();
    for i in 0..size {
        frontier.append(&next_root(i)).unwrap();
    }
    assert_eq!(
        frontier.root().unwrap().to_hex(),
        expected_hex,
        "frontier size {size}"
    );
}

#[test]
fn root_matches_independent_python_implementation() {
    // Computed with Python 3 hashlib: leaf = sha256(b"\x00" + bytes([i]) * 32), node =
    // sha256(b"\x01" + left + right), peaks merged as a binary counter, bagged right to left.
    check_root(
        1,
        "7f9c9e31ac8256ca2f258583df262dbc7d6f68f2a03043d5c99a4ae5a7396ce9",
    );
    check_root(
        2,
        "28fb81e496897e0ce886f08602392e9239b65c659041e5202163e58ad898f444",
    );
    check_root(
        3,
        "ba8d94b7fbcecae7b81c4c80574fe24734a6917bf9c1ecd66ff3e0c34ead4620",
    );
    check_root(
        4,
        "fdea52008cdae79fa8bf806261959e23f5e11681646a2fa2bc9b5e56b32030a2",
    );
    check_root(
        7,
        "7318881c41fce3c1de3640df8e8c110c93f43f686b74204a9d1ad5b8c71c2047",
    );
    check_root(
        8,
        "f907f23f76aa01b755a614d31ef9832909f44638b4590073301e61e6d01f9a1d",
    );
    check_root(
        11,
        "84bbf3bbd1e3c495310349a015d952744256e7d0a935f14d467fb6a76a0e5431",
    );
}

#[test]
fn root_is_absent_when_empty_and_the_leaf_for_one_leaf() {
    assert_eq!(Mmr::new().root(), None);
    assert_eq!(MmrPeaks::new().root(), None);
    let mmr = mmr_of(1);
    assert_eq!(mmr.root(), Some(leaf_hash(&next_root(0))));
}

#[test]
fn peaks_follow_binary_counter() {
    let heights: Vec<u32> = mmr_of(11).peaks().iter().map(|peak| peak.height).collect();
    assert_eq!(heights, vec![3, 1, 0]);
    assert!(mmr_of(0).peaks().is_empty());
}

#[test]
fn inclusion_proof_serialises_with_spec_field_names() {
    let proof = mmr_of(3).inclusion_proof(2).unwrap();
    let value = serde_json::to_value(&proof).unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "leaf_hash",
            "leaf_index",
            "path",
            "peak_height",
            "peak_index",
            "peaks",
            "receipt_next_root",
            "size"
        ]
    );
    let proof = mmr_of(2).inclusion_proof(1).unwrap();
    let value = serde_json::to_value(&proof).unwrap();
    assert_eq!(value["path"][0]["side"], "left");
    assert_eq!(value["peaks"][0]["height"], 1);
}

#[test]
fn inclusion_proof_rejects_unknown_fields() {
    let proof = mmr_of(3).inclusion_proof(0).unwrap();
    let mut value = serde_json::to_value(&proof).unwrap();
    value["extra"] = serde_json::json!(1);
    assert!(serde_json::from_value::<InclusionProof>(value).is_err());
}

#[test]
fn inclusion_proof_generation_rejects_leaf_out_of_range() {
    assert_eq!(
        mmr_of(3).inclusion_proof(3),
        Err(MmrError::LeafIndexOutOfRange {
            leaf_index: 3,
            size: 3
        })
    );
}

/// Builds a valid proof for leaf 5 of 11 (peak 0, height 3), mutates it, and checks the error.
#[track_caller]
fn check_rejects(mutate: impl FnOnce(&mut InclusionProof), expected: InclusionError) {
    let mmr = mmr_of(11);
    let root = mmr.root().unwrap();
    let mut proof = mmr.inclusion_proof(5).unwrap();
    verify_inclusion(&proof, &root).unwrap();
    mutate(&mut proof);
    assert_eq!(verify_inclusion(&proof, &root), Err(expected));
}

#[test]
fn verify_inclusion_rejects_each_failed_check() {
    let mmr = mmr_of(11);
    let peaks = mmr.peaks();
    check_rejects(
        |proof| proof.size = 12,
        InclusionError::PeakPlan(PeakPlanError::PeakCount {
            size: 12,
            expected_count: 2,
            got_count: 3,
        }),
    );
    check_rejects(
        |proof| proof.peaks[1].height = 2,
        InclusionError::PeakPlan(PeakPlanError::PeakHeight {
            size: 11,
            peak_index: 1,
            expected_height: 1,
            got_height: 2,
        }),
    );
    check_rejects(
        |proof| proof.leaf_index = 11,
        InclusionError::LeafIndexOutOfRange {
            leaf_index: 11,
            size: 11,
        },
    );
    check_rejects(
        |proof| proof.leaf_hash = next_root(0),
        InclusionError::LeafHashMismatch {
            expected: leaf_hash(&next_root(5)),
            got: next_root(0),
        },
    );
    check_rejects(
        |proof| proof.peak_index = 1,
        InclusionError::PeakIndexMismatch {
            leaf_index: 5,
            expected_peak_index: 0,
            got: 1,
        },
    );
    check_rejects(
        |proof| proof.peak_height = 1,
        InclusionError::PeakHeightMismatch {
            peak_index: 0,
            expected_height: 3,
            got: 1,
        },
    );
    check_rejects(
        |proof| {
            proof.path.pop();
        },
        InclusionError::PathLengthMismatch {
            peak_height: 3,
            path_length: 2,
        },
    );
    // Leaf 5 = 0b101 under its peak: right child, left child, right child.
    check_rejects(
        |proof| proof.path[1].side = Side::Left,
        InclusionError::PathSideMismatch {
            level: 1,
            expected: Side::Right,
            got: Side::Left,
        },
    );
    let wrong_peak = next_root(9);
    check_rejects(
        |proof| proof.peaks[0].hash = wrong_peak,
        InclusionError::PeakHashMismatch {
            peak_index: 0,
            computed: peaks[0].hash,
            listed: wrong_peak,
        },
    );
    let mut tampered_peaks = peaks.clone();
    tampered_peaks[2].hash = wrong_peak;
    check_rejects(
        |proof| proof.peaks[2].hash = wrong_peak,
        InclusionError::RootMismatch {
            computed: bag_peaks(&tampered_peaks).unwrap(),
            trusted: mmr.root().unwrap(),
        },
    );
}

#[test]
fn verify_inclusion_rejects_a_root_from_another_mmr() {
    let proof = mmr_of(5).inclusion_proof(4).unwrap();
    let other = mmr_of(6).root().unwrap();
    assert!(matches!(
        verify_inclusion(&proof, &other),
        Err(InclusionError::RootMismatch { .. })
    ));
}

#[test]
fn mmr_size_limit_accepts_max_and_rejects_max_plus_one() {
    let plan_of = |size: u64| -> Vec<Peak> {
        peak_plan(size)
            .map(|planned| Peak {
                height: planned.height,
                hash: next_root(u64::from(planned.height)),
            })
            .collect()
    };
    let mut frontier = MmrPeaks::from_peaks(MMR_SIZE_MAX - 1, plan_of(MMR_SIZE_MAX - 1)).unwrap();
    frontier.append(&next_root(1)).unwrap();
    assert_eq!(frontier.size(), MMR_SIZE_MAX);
    assert_eq!(frontier.peaks().len(), 53);
    assert_eq!(
        frontier.append(&next_root(1)),
        Err(MmrError::Full { size: MMR_SIZE_MAX })
    );
    assert!(MmrPeaks::from_peaks(MMR_SIZE_MAX, plan_of(MMR_SIZE_MAX)).is_ok());
    assert_eq!(
        MmrPeaks::from_peaks(MMR_SIZE_MAX + 1, plan_of(MMR_SIZE_MAX + 1)),
        Err(PeakPlanError::SizeTooLarge {
            size: MMR_SIZE_MAX + 1
        })
    );
}

#[test]
fn consistency_proof_generation_rejects_old_size_above_size() {
    assert_eq!(
        mmr_of(3).consistency_proof(4),
        Err(MmrError::OldSizeTooLarge {
            old_size: 4,
            size: 3
        })
    );
}

/// Builds a consistency proof from 5 to 11 leaves, mutates it, and checks the error.
#[track_caller]
fn check_consistency_rejects(
    mutate: impl FnOnce(&mut ConsistencyProof),
    expected: ConsistencyError,
) {
    let new = mmr_of(11);
    let old = mmr_of(5).to_peaks();
    let mut proof = new.consistency_proof(5).unwrap();
    let root = new.root().unwrap();
    assert_eq!(verify_consistency(&old, &proof, &root), Ok(new.to_peaks()));
    mutate(&mut proof);
    assert_eq!(verify_consistency(&old, &proof, &root), Err(expected));
}

#[test]
fn verify_consistency_rejects_each_failed_check() {
    check_consistency_rejects(
        |proof| proof.old_size = 4,
        ConsistencyError::OldSizeMismatch {
            trusted_size: 5,
            got: 4,
        },
    );
    check_consistency_rejects(
        |proof| proof.new_size = 4,
        ConsistencyError::SizeDecrease {
            old_size: 5,
            new_size: 4,
        },
    );
    check_consistency_rejects(
        |proof| {
            proof.new_peaks.pop();
        },
        ConsistencyError::PeakPlan(PeakPlanError::PeakCount {
            size: 11,
            expected_count: 3,
            got_count: 2,
        }),
    );
    check_consistency_rejects(
        |proof| {
            proof.paths.pop();
        },
        ConsistencyError::PathCount {
            expected_count: 2,
            got_count: 1,
        },
    );
    check_consistency_rejects(
        |proof| {
            proof.paths[0].pop();
        },
        ConsistencyError::PathLengthMismatch {
            old_peak_index: 0,
            expected: 1,
            got: 0,
        },
    );
    // The old leaf 4 sits at position 4 of the new 8-leaf peak: right, right, left.
    check_consistency_rejects(
        |proof| proof.paths[1][2].side = Side::Right,
        ConsistencyError::PathSideMismatch {
            old_peak_index: 1,
            level: 2,
            expected: Side::Left,
            got: Side::Right,
        },
    );
    let new_peaks = mmr_of(11).peaks();
    check_consistency_rejects(
        |proof| proof.new_peaks[0].hash = next_root(7),
        ConsistencyError::PeakHashMismatch {
            old_peak_index: 0,
            new_peak_index: 0,
            computed: new_peaks[0].hash,
            listed: next_root(7),
        },
    );
    let mut tampered = new_peaks.clone();
    tampered[2].hash = next_root(7);
    check_consistency_rejects(
        |proof| proof.new_peaks[2].hash = next_root(7),
        ConsistencyError::RootMismatch {
            computed: bag_peaks(&tampered),
            trusted: mmr_of(11).root().unwrap(),
        },
    );
}

#[test]
fn verify_consistency_rejects_a_different_history() {
    let mut roots: Vec<Digest> = (0..9).map(next_root).collect();
    let new = Mmr::from_next_roots(&roots).unwrap();
    roots[2] = next_root(200);
    let forged_old = Mmr::from_next_roots(&roots[..5]).unwrap().to_peaks();
    let proof = new.consistency_proof(5).unwrap();
    assert!(matches!(
        verify_consistency(&forged_old, &proof, &new.root().unwrap()),
        Err(ConsistencyError::PeakHashMismatch { .. })
    ));
}

/// Every single-bit (or single-field) change to a proof that verification must catch.
fn mutations(proof: &InclusionProof, root: &Digest) -> Vec<(InclusionProof, Digest)> {
    let flip = |digest: &Digest, bit: usize| {
        let mut bytes = *digest.as_bytes();
        bytes[bit / 8] ^= 1 << (bit % 8);
        Digest::from_bytes(bytes)
    };
    let mut out = Vec::new();
    for bit in [0, 77, 255] {
        out.push((proof.clone(), flip(root, bit)));
        let mut p = proof.clone();
        p.receipt_next_root = flip(&p.receipt_next_root, bit);
        out.push((p, *root));
        let mut p = proof.clone();
        p.leaf_hash = flip(&p.leaf_hash, bit);
        out.push((p, *root));
        for index in 0..proof.path.len() {
            let mut p = proof.clone();
            p.path[index].hash = flip(&p.path[index].hash, bit);
            out.push((p, *root));
        }
        for index in 0..proof.peaks.len() {
            let mut p = proof.clone();
            p.peaks[index].hash = flip(&p.peaks[index].hash, bit);
            out.push((p, *root));
        }
    }
    for bit in 0..64 {
        let mut p = proof.clone();
        p.size ^= 1 << bit;
        out.push((p, *root));
        let mut p = proof.clone();
        p.leaf_index ^= 1 << bit;
        out.push((p, *root));
    }
    for bit in 0..32 {
        let mut p = proof.clone();
        p.peak_index ^= 1 << bit;
        out.push((p, *root));
        let mut p = proof.clone();
        p.peak_height ^= 1 << bit;
        out.push((p, *root));
        for index in 0..proof.peaks.len() {
            let mut p = proof.clone();
            p.peaks[index].height ^= 1 << bit;
            out.push((p, *root));
        }
    }
    for index in 0..proof.path.len() {
        let mut p = proof.clone();
        p.path[index].side = match p.path[index].side {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        };
        out.push((p, *root));
    }
    out
}

proptest! {
    #[test]
    fn inclusion_proof_verifies_for_every_leaf_and_fails_on_any_flip(size in 1u64..40) {
        let mmr = mmr_of(size);
        let root = mmr.root().unwrap();
        for leaf_index in 0..size {
            let proof = mmr.inclusion_proof(leaf_index).unwrap();
            prop_assert_eq!(verify_inclusion(&proof, &root), Ok(()));
            for (tampered, tampered_root) in mutations(&proof, &root) {
                prop_assert!(verify_inclusion(&tampered, &tampered_root).is_err());
            }
        }
    }

    #[test]
    fn frontier_and_full_mmr_agree(size in 0u64..300) {
        let mmr = mmr_of(size);
        let mut frontier = MmrPeaks::new();
        for i in 0..size {
            frontier.append(&next_root(i)).unwrap();
        }
        prop_assert_eq!(frontier.peaks().to_vec(), mmr.peaks());
        prop_assert_eq!(frontier.root(), mmr.root());
        prop_assert_eq!(mmr.to_peaks(), frontier);
    }

    #[test]
    fn consistency_proof_verifies_for_every_older_size(new_size in 1u64..48) {
        let new = mmr_of(new_size);
        let root = new.root().unwrap();
        for old_size in 0..=new_size {
            let old = mmr_of(old_size).to_peaks();
            let proof = new.consistency_proof(old_size).unwrap();
            prop_assert_eq!(verify_consistency(&old, &proof, &root), Ok(new.to_peaks()));
        }
    }

    #[test]
    fn verify_inclusion_never_panics_on_arbitrary_proofs(
        size in any::<u64>(),
        leaf_index in any::<u64>(),
        peak_index in any::<u32>(),
        peak_height in any::<u32>(),
        heights in proptest::collection::vec(any::<u32>(), 0..6),
        sides in proptest::collection::vec(any::<bool>(), 0..6),
    ) {
        let proof = InclusionProof {
            size,
            leaf_index,
            receipt_next_root: next_root(1),
            leaf_hash: leaf_hash(&next_root(1)),
            peak_index,
            peak_height,
            path: sides
                .iter()
                .map(|left| PathStep {
                    side: if *left { Side::Left } else { Side::Right },
                    hash: next_root(2),
                })
                .collect(),
            peaks: heights.iter().map(|height| Peak { height: *height, hash: next_root(3) }).collect(),
        };
        prop_assert!(verify_inclusion(&proof, &next_root(4)).is_err());
    }

    #[test]
    fn proof_parsers_never_panic_on_arbitrary_input(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = serde_json::from_slice::<InclusionProof>(&bytes);
        let _ = serde_json::from_slice::<ConsistencyProof>(&bytes);
    }
}
