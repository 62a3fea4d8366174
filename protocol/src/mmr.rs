//! Merkle Mountain Range over receipts (SPEC §6): peaks, root, inclusion and consistency proofs.
//!
//! Owns [`Mmr`] (every node, so it can prove), [`MmrPeaks`] (the frontier a verifier or a
//! receipt chain keeps), [`InclusionProof`], [`ConsistencyProof`], their verifiers
//! [`verify_inclusion`] and [`verify_consistency`], and the errors [`MmrError`],
//! [`PeakPlanError`], [`InclusionError`] and [`ConsistencyError`].
//!
//! Never: trusts a root found inside a proof (the trusted root is always an argument), hashes
//! JSON (leaves and nodes are the SPEC's byte constructions, not document digests), or shifts
//! by a height that has not first been checked against the peak plan of a size.
//!
//! # Construction
//!
//! - Leaf = `SHA-256(0x00 || next_root)`, node = `SHA-256(0x01 || left || right)`.
//! - The peaks of `size` leaves follow its binary representation: one perfect tree of height
//!   `h` for every set bit `h`, left to right from the highest bit (the *peak plan*).
//! - Root: the right-most peak, then `root = Node(peak, root)` for each peak to its left. One
//!   leaf: the root is that leaf. No leaves: no root (`None`, serialised as `null`).
//!
//! # Storage choice
//!
//! [`Mmr`] keeps every node, level by level (`levels[h]` holds the roots of the complete
//! subtrees of height `h`, left to right), plus the receipts' `next_root`s. That is about three
//! digests per receipt, and it makes every proof O(log n) to produce. A component that only
//! verifies (a [`crate::chain::ReceiptChain`], an auditor starting from a checkpoint) keeps an
//! [`MmrPeaks`]: at most 53 digests whatever the size.
//!
//! # Consistency proofs
//!
//! A verifier holding the peaks of size `m` (an [`MmrPeaks`], e.g. from a checkpoint) checks that
//! a size `n >= m` extends it. Every old peak is a complete subtree aligned on its own size, so
//! it is a node inside exactly one new peak. The proof lists the new peaks and, for each old peak
//! left to right, the sibling path from that old peak up to the new peak containing it:
//!
//! ```json
//! {"old_size":5,"new_size":8,"new_peaks":[{"height":3,"hash":"…"}],
//!  "paths":[[{"side":"right","hash":"…"}],[{"side":"right","hash":"…"},{"side":"left","hash":"…"}]]}
//! ```
//!
//! [`verify_consistency`] checks that the new peaks follow the peak plan of `new_size`, that each
//! path has length (new peak height − old peak height) and sides given by the old peak's position
//! inside the new peak, that folding each old peak along its path yields that new peak, and that
//! the bagged new peaks equal the trusted new root. The old peaks cover leaves `0..m`, so every
//! old leaf is then committed at the same position in the new MMR. Paths may repeat hashes when
//! several old peaks share a new peak; the proof stays O(log² n) and needs no cleverness to check.

use serde::{Deserialize, Serialize};

use crate::canonical::INTEGER_MAGNITUDE_MAX;
use crate::digest::Digest;

/// The most leaves an MMR may hold: 2^53 − 1, the largest integer a protocol artifact can carry
/// (SPEC §1), so a size always fits in a proof or checkpoint. Peak heights are then at most 52.
pub const MMR_SIZE_MAX: u64 = INTEGER_MAGNITUDE_MAX;

/// A peak: the root of a perfect subtree of `2^height` leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Peak {
    /// Height of the subtree (0 for a single leaf).
    pub height: u32,
    /// Its root hash.
    pub hash: Digest,
}

/// On which side of the running hash a sibling sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The sibling is the left child: next = `Node(sibling, current)`.
    Left,
    /// The sibling is the right child: next = `Node(current, sibling)`.
    Right,
}

/// One step of a path from a node up towards its peak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathStep {
    /// Where the sibling sits.
    pub side: Side,
    /// The sibling's hash.
    pub hash: Digest,
}

/// Inclusion proof of one receipt in an MMR of `size` leaves, with exactly the fields of SPEC §6.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// Leaves in the MMR the proof is for.
    pub size: u64,
    /// 0-based position of the leaf.
    pub leaf_index: u64,
    /// The receipt's `next_root`, from which the leaf is recomputed.
    pub receipt_next_root: Digest,
    /// `SHA-256(0x00 || receipt_next_root)`.
    pub leaf_hash: Digest,
    /// 0-based index (left to right) of the peak above the leaf.
    pub peak_index: u32,
    /// Height of that peak, which is also the path length.
    pub peak_height: u32,
    /// Siblings from the leaf up to the peak.
    pub path: Vec<PathStep>,
    /// All peaks of the MMR, left to right.
    pub peaks: Vec<Peak>,
}

/// Proof that the MMR of `new_size` leaves extends the one of `old_size` (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProof {
    /// Leaves in the older MMR.
    pub old_size: u64,
    /// Leaves in the newer MMR.
    pub new_size: u64,
    /// The newer MMR's peaks, left to right.
    pub new_peaks: Vec<Peak>,
    /// For each old peak, left to right, its siblings up to the new peak containing it.
    pub paths: Vec<Vec<PathStep>>,
}

/// An MMR with every node kept, able to produce proofs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mmr {
    /// The receipts' `next_root`s in order; an inclusion proof carries the leaf's.
    next_roots: Vec<Digest>,
    /// `levels[h][i]` is the root of the complete subtree of height `h` over leaves
    /// `i * 2^h .. (i + 1) * 2^h`; `levels[0]` are the leaf hashes.
    levels: Vec<Vec<Digest>>,
}

/// The peaks of an MMR and its size: everything needed to append, bag the root and check a
/// consistency proof, in at most 53 digests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MmrPeaks {
    size: u64,
    /// Left to right, strictly decreasing heights (the peak plan of `size`).
    peaks: Vec<Peak>,
}

/// Why an MMR operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MmrError {
    /// The MMR already holds [`MMR_SIZE_MAX`] leaves.
    #[error("the MMR holds {size} leaves, the most allowed is {MMR_SIZE_MAX}")]
    Full {
        /// Current size.
        size: u64,
    },
    /// A proof was asked for a leaf the MMR does not have.
    #[error("leaf_index {leaf_index} is not below the MMR size {size}")]
    LeafIndexOutOfRange {
        /// The leaf asked for.
        leaf_index: u64,
        /// Current size.
        size: u64,
    },
    /// A consistency proof was asked from a size larger than the current one.
    #[error("old_size {old_size} is larger than the MMR size {size}")]
    OldSizeTooLarge {
        /// The size asked for.
        old_size: u64,
        /// Current size.
        size: u64,
    },
    /// A node the level invariant guarantees is absent (a bug in this module, never bad input).
    #[error("MMR node at height {height} index {index} is missing")]
    NodeMissing {
        /// Height of the node.
        height: u32,
        /// Index within its level.
        index: u64,
    },
}

/// Why a list of peaks is not the peak plan of a size.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeakPlanError {
    /// The size is above [`MMR_SIZE_MAX`].
    #[error("MMR size {size} is above the maximum {MMR_SIZE_MAX}")]
    SizeTooLarge {
        /// The size given.
        size: u64,
    },
    /// The wrong number of peaks.
    #[error("an MMR of size {size} has {expected_count} peaks, got {got_count}")]
    PeakCount {
        /// The size given.
        size: u64,
        /// Peaks the plan has.
        expected_count: usize,
        /// Peaks given.
        got_count: usize,
    },
    /// A peak of the wrong height.
    #[error(
        "peak {peak_index} of an MMR of size {size} has height {expected_height}, got {got_height}"
    )]
    PeakHeight {
        /// The size given.
        size: u64,
        /// 0-based position of the peak.
        peak_index: usize,
        /// Height the plan has there.
        expected_height: u32,
        /// Height given.
        got_height: u32,
    },
}

/// Why an inclusion proof does not verify; one variant per check of SPEC §6.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InclusionError {
    /// `peaks` is not the peak plan of `size`.
    #[error("inclusion proof peaks: {0}")]
    PeakPlan(#[from] PeakPlanError),
    /// `leaf_index` is not below `size`.
    #[error("leaf_index {leaf_index} is not below size {size}")]
    LeafIndexOutOfRange {
        /// The leaf index given.
        leaf_index: u64,
        /// The size given.
        size: u64,
    },
    /// `leaf_hash` is not `SHA-256(0x00 || receipt_next_root)`.
    #[error("leaf_hash {got} is not the leaf of receipt_next_root (expected {expected})")]
    LeafHashMismatch {
        /// The recomputed leaf.
        expected: Digest,
        /// The leaf given.
        got: Digest,
    },
    /// `peak_index` is not the peak above `leaf_index`.
    #[error("leaf {leaf_index} lies under peak {expected_peak_index}, proof says peak_index {got}")]
    PeakIndexMismatch {
        /// The leaf index given.
        leaf_index: u64,
        /// The peak the leaf lies under.
        expected_peak_index: usize,
        /// The peak index given.
        got: u32,
    },
    /// `peak_height` is not the height of that peak.
    #[error("peak {peak_index} has height {expected_height}, proof says peak_height {got}")]
    PeakHeightMismatch {
        /// The peak.
        peak_index: usize,
        /// Its height in the plan.
        expected_height: u32,
        /// The height given.
        got: u32,
    },
    /// The path length differs from the peak height.
    #[error("path has {path_length} steps, peak_height is {peak_height}")]
    PathLengthMismatch {
        /// The peak height.
        peak_height: u32,
        /// Steps given.
        path_length: usize,
    },
    /// A step's side disagrees with the leaf's position under its peak.
    #[error("path step {level} has side {got:?}, the leaf position needs {expected:?}")]
    PathSideMismatch {
        /// 0-based step (0 = sibling of the leaf).
        level: usize,
        /// The side the position needs.
        expected: Side,
        /// The side given.
        got: Side,
    },
    /// Folding the path does not give the listed peak.
    #[error("the path folds to {computed}, but peak {peak_index} is {listed}")]
    PeakHashMismatch {
        /// The peak.
        peak_index: usize,
        /// The folded path.
        computed: Digest,
        /// The peak given.
        listed: Digest,
    },
    /// The re-bagged peaks do not give the trusted root.
    #[error("the proof bags to root {computed}, the trusted root is {trusted}")]
    RootMismatch {
        /// The root the proof gives.
        computed: Digest,
        /// The root passed in.
        trusted: Digest,
    },
}

/// Why a consistency proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsistencyError {
    /// The proof starts from another size than the verifier's peaks.
    #[error("proof old_size {got} differs from the trusted size {trusted_size}")]
    OldSizeMismatch {
        /// The size the verifier holds.
        trusted_size: u64,
        /// The old size given.
        got: u64,
    },
    /// `new_size` is below `old_size`.
    #[error("new_size {new_size} is below old_size {old_size}")]
    SizeDecrease {
        /// The old size.
        old_size: u64,
        /// The new size given.
        new_size: u64,
    },
    /// `new_peaks` is not the peak plan of `new_size`.
    #[error("consistency proof new_peaks: {0}")]
    PeakPlan(#[from] PeakPlanError),
    /// Not one path per old peak.
    #[error("the old MMR has {expected_count} peaks, the proof has {got_count} paths")]
    PathCount {
        /// Old peaks.
        expected_count: usize,
        /// Paths given.
        got_count: usize,
    },
    /// A path's length is not the height difference between old and new peak.
    #[error("path of old peak {old_peak_index} has {got} steps, needs {expected}")]
    PathLengthMismatch {
        /// The old peak.
        old_peak_index: usize,
        /// Steps needed.
        expected: usize,
        /// Steps given.
        got: usize,
    },
    /// A step's side disagrees with the old peak's position under its new peak.
    #[error("path of old peak {old_peak_index} step {level} has side {got:?}, needs {expected:?}")]
    PathSideMismatch {
        /// The old peak.
        old_peak_index: usize,
        /// 0-based step.
        level: usize,
        /// The side the position needs.
        expected: Side,
        /// The side given.
        got: Side,
    },
    /// An old peak does not fold to the new peak containing it.
    #[error("old peak {old_peak_index} folds to {computed}, new peak {new_peak_index} is {listed}")]
    PeakHashMismatch {
        /// The old peak.
        old_peak_index: usize,
        /// The new peak containing it.
        new_peak_index: usize,
        /// The folded path.
        computed: Digest,
        /// The new peak given.
        listed: Digest,
    },
    /// The new peaks do not bag to the trusted new root (or there is no root at size 0).
    #[error("the new peaks bag to {computed:?}, the trusted new root is {trusted}")]
    RootMismatch {
        /// The root of the new peaks.
        computed: Option<Digest>,
        /// The root passed in.
        trusted: Digest,
    },
}

/// `SHA-256(0x00 || next_root)`: the leaf of one receipt.
pub fn leaf_hash(next_root: &Digest) -> Digest {
    Digest::sha256_of_parts(&[&[0x00], next_root.as_bytes()])
}

/// `SHA-256(0x01 || left || right)`: an inner node.
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    Digest::sha256_of_parts(&[&[0x01], left.as_bytes(), right.as_bytes()])
}

/// Bags peaks given right to left: `root = Node(peak, root)`; `None` without peaks.
fn bag_right_to_left(peaks: impl Iterator<Item = Digest>) -> Option<Digest> {
    peaks.fold(None, |root, peak| match root {
        None => Some(peak),
        Some(root) => Some(node_hash(&peak, &root)),
    })
}

/// The root of peaks listed left to right (SPEC §6 bagging).
pub fn bag_peaks(peaks: &[Peak]) -> Option<Digest> {
    bag_right_to_left(peaks.iter().rev().map(|peak| peak.hash))
}

/// One peak of the plan of a size: its height and its first leaf.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PlannedPeak {
    height: u32,
    leaf_offset: u64,
}

impl PlannedPeak {
    fn leaf_count(&self) -> u64 {
        1u64 << self.height
    }

    fn contains(&self, leaf_index: u64) -> bool {
        self.leaf_offset <= leaf_index && leaf_index - self.leaf_offset < self.leaf_count()
    }
}

/// The peak plan of `size`, left to right. Heights come from the bits of a `u64`, so every
/// shift by them is in range.
fn peak_plan(size: u64) -> impl Iterator<Item = PlannedPeak> {
    (0..u64::BITS)
        .rev()
        .scan(0u64, move |leaf_offset, height| {
            if size >> height & 1 == 0 {
                return Some(None);
            }
            let planned = PlannedPeak {
                height,
                leaf_offset: *leaf_offset,
            };
            *leaf_offset += 1u64 << height;
            Some(Some(planned))
        })
        .flatten()
}

/// Checks that `peaks` has exactly the heights of the plan of `size`.
fn check_peak_plan(size: u64, peaks: &[Peak]) -> Result<(), PeakPlanError> {
    if size > MMR_SIZE_MAX {
        return Err(PeakPlanError::SizeTooLarge { size });
    }
    let expected_count = size.count_ones() as usize;
    if peaks.len() != expected_count {
        return Err(PeakPlanError::PeakCount {
            size,
            expected_count,
            got_count: peaks.len(),
        });
    }
    for (peak_index, (planned, peak)) in peak_plan(size).zip(peaks).enumerate() {
        if planned.height != peak.height {
            return Err(PeakPlanError::PeakHeight {
                size,
                peak_index,
                expected_height: planned.height,
                got_height: peak.height,
            });
        }
    }
    Ok(())
}

/// The side of the sibling at each level for a node at `local_index` (counted in nodes of its
/// own height from the left edge of its peak): bit `l` set means the node is a right child, so
/// the sibling is on the left.
fn expected_side(local_index: u64, level: usize) -> Side {
    if local_index >> level & 1 == 1 {
        Side::Left
    } else {
        Side::Right
    }
}

/// Finds the first step whose side disagrees with `local_index`.
fn first_side_mismatch(local_index: u64, path: &[PathStep]) -> Option<(usize, Side, Side)> {
    path.iter().enumerate().find_map(|(level, step)| {
        let expected = expected_side(local_index, level);
        (step.side != expected).then_some((level, expected, step.side))
    })
}

/// Folds a path onto a starting hash.
fn fold_path(start: Digest, path: &[PathStep]) -> Digest {
    path.iter().fold(start, |current, step| match step.side {
        Side::Left => node_hash(&step.hash, &current),
        Side::Right => node_hash(&current, &step.hash),
    })
}

/// Verifies an inclusion proof against a root the caller trusts, performing every check of
/// SPEC §6 in order: peak plan of `size`, leaf index range, leaf recomputation, peak index and
/// height, path length, path sides, fold to the listed peak, re-bag with the folded peak, and
/// comparison with `trusted_root`.
pub fn verify_inclusion(
    proof: &InclusionProof,
    trusted_root: &Digest,
) -> Result<(), InclusionError> {
    check_peak_plan(proof.size, &proof.peaks)?;
    if proof.leaf_index >= proof.size {
        return Err(InclusionError::LeafIndexOutOfRange {
            leaf_index: proof.leaf_index,
            size: proof.size,
        });
    }
    let expected_leaf = leaf_hash(&proof.receipt_next_root);
    if expected_leaf != proof.leaf_hash {
        return Err(InclusionError::LeafHashMismatch {
            expected: expected_leaf,
            got: proof.leaf_hash,
        });
    }
    let (peak_index, planned) = peak_plan(proof.size)
        .enumerate()
        .find(|(_, planned)| planned.contains(proof.leaf_index))
        .ok_or(InclusionError::LeafIndexOutOfRange {
            leaf_index: proof.leaf_index,
            size: proof.size,
        })?;
    if usize::try_from(proof.peak_index).ok() != Some(peak_index) {
        return Err(InclusionError::PeakIndexMismatch {
            leaf_index: proof.leaf_index,
            expected_peak_index: peak_index,
            got: proof.peak_index,
        });
    }
    if proof.peak_height != planned.height {
        return Err(InclusionError::PeakHeightMismatch {
            peak_index,
            expected_height: planned.height,
            got: proof.peak_height,
        });
    }
    if proof.path.len() != planned.height as usize {
        return Err(InclusionError::PathLengthMismatch {
            peak_height: planned.height,
            path_length: proof.path.len(),
        });
    }
    let local_index = proof.leaf_index - planned.leaf_offset;
    if let Some((level, expected, got)) = first_side_mismatch(local_index, &proof.path) {
        return Err(InclusionError::PathSideMismatch {
            level,
            expected,
            got,
        });
    }
    let computed_peak = fold_path(proof.leaf_hash, &proof.path);
    let listed = proof.peaks.get(peak_index).map(|peak| peak.hash);
    if listed != Some(computed_peak) {
        return Err(InclusionError::PeakHashMismatch {
            peak_index,
            computed: computed_peak,
            listed: listed.unwrap_or(computed_peak),
        });
    }
    let substituted = proof.peaks.iter().enumerate().rev().map(|(index, peak)| {
        if index == peak_index {
            computed_peak
        } else {
            peak.hash
        }
    });
    // The plan check guarantees at least one peak, so the bag is never empty here.
    let computed_root = bag_right_to_left(substituted).unwrap_or(computed_peak);
    if computed_root != *trusted_root {
        return Err(InclusionError::RootMismatch {
            computed: computed_root,
            trusted: *trusted_root,
        });
    }
    Ok(())
}

/// Verifies that `proof` extends the trusted peaks `old` to an MMR whose root is
/// `trusted_new_root`, and returns the new peaks (see the module docs for the checks).
pub fn verify_consistency(
    old: &MmrPeaks,
    proof: &ConsistencyProof,
    trusted_new_root: &Digest,
) -> Result<MmrPeaks, ConsistencyError> {
    if proof.old_size != old.size {
        return Err(ConsistencyError::OldSizeMismatch {
            trusted_size: old.size,
            got: proof.old_size,
        });
    }
    if proof.new_size < proof.old_size {
        return Err(ConsistencyError::SizeDecrease {
            old_size: proof.old_size,
            new_size: proof.new_size,
        });
    }
    check_peak_plan(proof.new_size, &proof.new_peaks)?;
    if proof.paths.len() != old.peaks.len() {
        return Err(ConsistencyError::PathCount {
            expected_count: old.peaks.len(),
            got_count: proof.paths.len(),
        });
    }
    let new_plan: Vec<PlannedPeak> = peak_plan(proof.new_size).collect();
    for (old_peak_index, ((old_planned, old_peak), path)) in peak_plan(old.size)
        .zip(&old.peaks)
        .zip(&proof.paths)
        .enumerate()
    {
        check_old_peak_path(
            proof,
            &new_plan,
            old_peak_index,
            old_planned,
            old_peak,
            path,
        )?;
    }
    let computed = bag_peaks(&proof.new_peaks);
    if computed != Some(*trusted_new_root) {
        return Err(ConsistencyError::RootMismatch {
            computed,
            trusted: *trusted_new_root,
        });
    }
    Ok(MmrPeaks {
        size: proof.new_size,
        peaks: proof.new_peaks.clone(),
    })
}

/// Checks that one old peak folds along its path to the new peak containing it.
fn check_old_peak_path(
    proof: &ConsistencyProof,
    new_plan: &[PlannedPeak],
    old_peak_index: usize,
    old_planned: PlannedPeak,
    old_peak: &Peak,
    path: &[PathStep],
) -> Result<(), ConsistencyError> {
    // An old peak lies inside [0, old_size) ⊆ [0, new_size), and dyadic blocks nest, so the new
    // peak containing its first leaf contains all of it and is at least as high.
    let (new_peak_index, new_planned) = new_plan
        .iter()
        .enumerate()
        .find(|(_, planned)| planned.contains(old_planned.leaf_offset))
        .ok_or(ConsistencyError::SizeDecrease {
            old_size: proof.old_size,
            new_size: proof.new_size,
        })?;
    let expected = new_planned.height.saturating_sub(old_planned.height) as usize;
    if path.len() != expected {
        return Err(ConsistencyError::PathLengthMismatch {
            old_peak_index,
            expected,
            got: path.len(),
        });
    }
    let local_index = (old_planned.leaf_offset - new_planned.leaf_offset) >> old_planned.height;
    if let Some((level, expected, got)) = first_side_mismatch(local_index, path) {
        return Err(ConsistencyError::PathSideMismatch {
            old_peak_index,
            level,
            expected,
            got,
        });
    }
    let computed = fold_path(old_peak.hash, path);
    let listed = proof.new_peaks.get(new_peak_index).map(|peak| peak.hash);
    if listed != Some(computed) {
        return Err(ConsistencyError::PeakHashMismatch {
            old_peak_index,
            new_peak_index,
            computed,
            listed: listed.unwrap_or(computed),
        });
    }
    Ok(())
}

impl MmrPeaks {
    /// The empty MMR.
    pub fn new() -> Self {
        Self::default()
    }

    /// Peaks received from elsewhere (a checkpoint), checked against the peak plan of `size`.
    pub fn from_peaks(size: u64, peaks: Vec<Peak>) -> Result<Self, PeakPlanError> {
        check_peak_plan(size, &peaks)?;
        Ok(Self { size, peaks })
    }

    /// Leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The peaks, left to right.
    pub fn peaks(&self) -> &[Peak] {
        &self.peaks
    }

    /// The root, or `None` for the empty MMR.
    pub fn root(&self) -> Option<Digest> {
        bag_peaks(&self.peaks)
    }

    /// Appends the leaf of `next_root` in O(log n) and returns the leaf hash.
    pub fn append(&mut self, next_root: &Digest) -> Result<Digest, MmrError> {
        if self.size >= MMR_SIZE_MAX {
            return Err(MmrError::Full { size: self.size });
        }
        let leaf = leaf_hash(next_root);
        let mut carry = Peak {
            height: 0,
            hash: leaf,
        };
        while let Some(left) = self.peaks.last().copied() {
            if left.height != carry.height {
                break;
            }
            self.peaks.pop();
            carry = Peak {
                height: carry.height + 1,
                hash: node_hash(&left.hash, &carry.hash),
            };
        }
        self.peaks.push(carry);
        self.size += 1;
        debug_assert_eq!(self.peaks.len(), self.size.count_ones() as usize);
        Ok(leaf)
    }
}

impl Mmr {
    /// The empty MMR.
    pub fn new() -> Self {
        Self::default()
    }

    /// An MMR over receipts' `next_root`s, in order.
    pub fn from_next_roots<'a>(
        next_roots: impl IntoIterator<Item = &'a Digest>,
    ) -> Result<Self, MmrError> {
        let mut mmr = Self::new();
        for next_root in next_roots {
            mmr.append(next_root)?;
        }
        Ok(mmr)
    }

    /// Leaves appended so far.
    pub fn size(&self) -> u64 {
        self.next_roots.len() as u64
    }

    /// Appends the leaf of `next_root` (amortised O(1) hashes, O(log n) worst case) and returns
    /// the leaf hash.
    pub fn append(&mut self, next_root: &Digest) -> Result<Digest, MmrError> {
        let size = self.size();
        if size >= MMR_SIZE_MAX {
            return Err(MmrError::Full { size });
        }
        let leaf = leaf_hash(next_root);
        self.next_roots.push(*next_root);
        let mut carry = leaf;
        let mut height = 0usize;
        loop {
            if self.levels.len() <= height {
                self.levels.push(Vec::new());
            }
            let Some(level) = self.levels.get_mut(height) else {
                break;
            };
            level.push(carry);
            // A level with an even count just completed a pair: merge it one level up.
            let [.., left, right] = level.as_slice() else {
                break;
            };
            if level.len() % 2 == 1 {
                break;
            }
            carry = node_hash(left, right);
            height += 1;
        }
        Ok(leaf)
    }

    /// The peaks, left to right.
    pub fn peaks(&self) -> Vec<Peak> {
        peak_plan(self.size())
            .filter_map(|planned| {
                let hash = *self.levels.get(planned.height as usize)?.last()?;
                Some(Peak {
                    height: planned.height,
                    hash,
                })
            })
            .collect()
    }

    /// The frontier of this MMR (what a verifier keeps).
    pub fn to_peaks(&self) -> MmrPeaks {
        MmrPeaks {
            size: self.size(),
            peaks: self.peaks(),
        }
    }

    /// The root, or `None` for the empty MMR.
    pub fn root(&self) -> Option<Digest> {
        bag_peaks(&self.peaks())
    }

    /// The inclusion proof of leaf `leaf_index` in the MMR at its current size.
    pub fn inclusion_proof(&self, leaf_index: u64) -> Result<InclusionProof, MmrError> {
        let size = self.size();
        let out_of_range = MmrError::LeafIndexOutOfRange { leaf_index, size };
        let (peak_index, planned) = peak_plan(size)
            .enumerate()
            .find(|(_, planned)| planned.contains(leaf_index))
            .ok_or(out_of_range.clone())?;
        let receipt_next_root = *usize::try_from(leaf_index)
            .ok()
            .and_then(|index| self.next_roots.get(index))
            .ok_or(out_of_range)?;
        let path = self.path_to_height(0, leaf_index, planned.height)?;
        Ok(InclusionProof {
            size,
            leaf_index,
            receipt_next_root,
            leaf_hash: leaf_hash(&receipt_next_root),
            peak_index: u32::try_from(peak_index).unwrap_or(u32::MAX),
            peak_height: planned.height,
            path,
            peaks: self.peaks(),
        })
    }

    /// Proof that this MMR extends its own state at `old_size` leaves.
    pub fn consistency_proof(&self, old_size: u64) -> Result<ConsistencyProof, MmrError> {
        let size = self.size();
        if old_size > size {
            return Err(MmrError::OldSizeTooLarge { old_size, size });
        }
        let new_plan: Vec<PlannedPeak> = peak_plan(size).collect();
        let mut paths = Vec::with_capacity(old_size.count_ones() as usize);
        for old_planned in peak_plan(old_size) {
            let target_height = new_plan
                .iter()
                .find(|planned| planned.contains(old_planned.leaf_offset))
                .map_or(old_planned.height, |planned| planned.height);
            let index = old_planned.leaf_offset >> old_planned.height;
            paths.push(self.path_to_height(old_planned.height, index, target_height)?);
        }
        Ok(ConsistencyProof {
            old_size,
            new_size: size,
            new_peaks: self.peaks(),
            paths,
        })
    }

    /// Siblings from node `index` at `height` up to `target_height`.
    fn path_to_height(
        &self,
        height: u32,
        index: u64,
        target_height: u32,
    ) -> Result<Vec<PathStep>, MmrError> {
        let mut path = Vec::with_capacity(target_height.saturating_sub(height) as usize);
        let mut index = index;
        for level_height in height..target_height {
            let sibling_index = index ^ 1;
            let sibling = self.node(level_height, sibling_index)?;
            let side = if index & 1 == 1 {
                Side::Left
            } else {
                Side::Right
            };
            path.push(PathStep {
                side,
                hash: sibling,
            });
            index >>= 1;
        }
        Ok(path)
    }

    fn node(&self, height: u32, index: u64) -> Result<Digest, MmrError> {
        usize::try_from(index)
            .ok()
            .and_then(|position| self.levels.get(height as usize)?.get(position))
            .copied()
            .ok_or(MmrError::NodeMissing { height, index })
    }
}

#[cfg(test)]
mod tests;
