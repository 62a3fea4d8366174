//! The tensor commitment (SPEC §10): a Merkle root over cells, and inclusion proofs a regulator
//! verifies offline with nothing but the proof and a trusted root.
//!
//! Owns [`CommittedCell`] (what a leaf commits to), [`CellTree`], [`InclusionProof`],
//! [`PathStep`], [`Side`], [`verify`] and the errors [`CommitmentError`] and [`ProofError`].
//!
//! Never: duplicates an odd node (it is promoted unchanged to the next level), or hashes a leaf
//! without its address, so a proof for one cell can never stand for another.
//!
//! # Bytes (a compatibility promise)
//! - Leaf document: the canonical JSON (SPEC §1) of
//!   `{"attestation_digests":[<hex>...],"domain":<domain>,"jurisdiction":<id>,
//!   "state":<state>,"subject":<id>,"tag":"msez.tensor.cell.v1"}` with `attestation_digests`
//!   sorted ascending without duplicates (64 lowercase hex each). Reason and time of
//!   determination are not committed: the same evidence gives the same leaf whenever it is
//!   evaluated.
//! - Leaf hash = SHA-256(0x00 ‖ leaf document bytes).
//! - Node hash = SHA-256(0x01 ‖ left ‖ right), 32-byte children.
//! - Leaves are ordered by address: subject (bytes), jurisdiction (bytes), then domain in SPEC
//!   §10 order. Each level pairs nodes left to right; a last unpaired node moves up unchanged.
//!   The root of one leaf is that leaf; zero cells have no root.
//! - A proof lists siblings from the leaf up, each with the side it sits on; levels where the
//!   node was promoted contribute no step. The verifier recomputes the expected sides from
//!   `leaf_index` and `leaf_count`, so a proof cannot lie about its position.

use serde::{Deserialize, Serialize};

use super::Domain;
use super::cell::{Cell, CellAddress};
use super::lattice::ComplianceState;
use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::Digest;
// The same path step as the receipt MMR (SPEC §6): one JSON form for every Merkle proof.
use crate::mmr::{PathStep, Side};

/// The `tag` member of every leaf document.
pub const LEAF_TAG: &str = "msez.tensor.cell.v1";

const LEAF_PREFIX: u8 = 0x00;
const NODE_PREFIX: u8 = 0x01;

/// What a leaf commits to: the address, the state and the evidence digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommittedCell {
    /// Where the cell sits.
    pub address: CellAddress,
    /// The state.
    pub state: ComplianceState,
    /// Evidence digests (committed as a sorted set).
    pub attestation_digests: Vec<Digest>,
}

/// Proof that a cell is a leaf under a root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionProof {
    /// The committed cell.
    pub cell: CommittedCell,
    /// 0-based leaf position.
    pub leaf_index: u64,
    /// Leaves in the tree.
    pub leaf_count: u64,
    /// Siblings from the leaf up.
    pub path: Vec<PathStep>,
}

/// Why cells cannot be committed to or a proof produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommitmentError {
    /// Two cells with one address.
    #[error("cell {subject}/{jurisdiction}/{domain} appears twice")]
    DuplicateAddress {
        /// The subject.
        subject: String,
        /// The jurisdiction.
        jurisdiction: String,
        /// The domain.
        domain: Domain,
    },
    /// No cell at the address asked for.
    #[error("no cell {subject}/{jurisdiction}/{domain} in the commitment")]
    UnknownAddress {
        /// The subject.
        subject: String,
        /// The jurisdiction.
        jurisdiction: String,
        /// The domain.
        domain: Domain,
    },
    /// Zero cells have no root (SPEC §10: an empty aggregate proves nothing).
    #[error("no cells to commit to")]
    Empty,
    /// A leaf document could not be canonicalised.
    #[error("leaf document cannot be canonicalised: {0}")]
    Canonical(#[from] CanonError),
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// `leaf_index` is not below `leaf_count`.
    #[error("leaf_index {leaf_index} is not below leaf_count {leaf_count}")]
    LeafIndexOutOfRange {
        /// The index given.
        leaf_index: u64,
        /// The count given.
        leaf_count: u64,
    },
    /// The path has the wrong number of steps for the position.
    #[error(
        "path has {path_length} steps; leaf {leaf_index} of {leaf_count} needs {expected_length}"
    )]
    PathLength {
        /// Steps given.
        path_length: usize,
        /// Steps the position needs.
        expected_length: usize,
        /// The index given.
        leaf_index: u64,
        /// The count given.
        leaf_count: u64,
    },
    /// A step's side contradicts the position.
    #[error("path[{step_index}].side is {found:?}; leaf position requires {expected:?}")]
    SideMismatch {
        /// 0-based step.
        step_index: usize,
        /// The side given.
        found: Side,
        /// The side the position requires.
        expected: Side,
    },
    /// The recomputed root differs from the trusted one.
    #[error("proof recomputes root {computed}, not the trusted root {trusted}")]
    RootMismatch {
        /// What the proof gives.
        computed: Digest,
        /// The root the verifier trusts.
        trusted: Digest,
    },
    /// The cell could not be canonicalised.
    #[error("proof cell cannot be canonicalised: {0}")]
    Canonical(#[from] CanonError),
}

/// The leaf document of the module docs.
#[derive(Serialize)]
struct LeafDocument<'a> {
    attestation_digests: Vec<Digest>,
    domain: Domain,
    jurisdiction: &'a str,
    state: ComplianceState,
    subject: &'a str,
    tag: &'static str,
}

/// Leaf hash of a committed cell.
pub fn leaf_hash(cell: &CommittedCell) -> Result<Digest, CanonError> {
    let mut attestation_digests = cell.attestation_digests.clone();
    attestation_digests.sort_unstable();
    attestation_digests.dedup();
    let document = LeafDocument {
        attestation_digests,
        domain: cell.address.domain,
        jurisdiction: cell.address.jurisdiction.as_str(),
        state: cell.state,
        subject: cell.address.subject.as_str(),
        tag: LEAF_TAG,
    };
    let bytes = CanonicalBytes::of(&document)?;
    Ok(Digest::sha256_of_parts(&[&[LEAF_PREFIX], bytes.as_bytes()]))
}

/// Node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &Digest, right: &Digest) -> Digest {
    Digest::sha256_of_parts(&[&[NODE_PREFIX], left.as_bytes(), right.as_bytes()])
}

impl From<&Cell> for CommittedCell {
    fn from(cell: &Cell) -> Self {
        Self {
            address: cell.address.clone(),
            state: cell.state,
            attestation_digests: cell.attestation_digests.clone(),
        }
    }
}

/// A built tree over cells, able to produce proofs.
#[derive(Debug, Clone)]
pub struct CellTree {
    cells: Vec<CommittedCell>,
    /// `levels[0]` are the leaves; the last level holds the root.
    levels: Vec<Vec<Digest>>,
}

impl CellTree {
    /// Builds the tree over cells given in any order; addresses must be distinct.
    pub fn build<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Result<Self, CommitmentError> {
        let mut committed: Vec<CommittedCell> =
            cells.into_iter().map(CommittedCell::from).collect();
        committed.sort_by(|a, b| a.address.cmp(&b.address));
        if let Some(pair) = committed
            .windows(2)
            .find(|pair| pair[0].address == pair[1].address)
        {
            let address = &pair[0].address;
            return Err(CommitmentError::DuplicateAddress {
                subject: address.subject.to_string(),
                jurisdiction: address.jurisdiction.to_string(),
                domain: address.domain,
            });
        }
        let leaves = committed
            .iter()
            .map(leaf_hash)
            .collect::<Result<Vec<_>, _>>()?;
        let mut levels = vec![leaves];
        while let Some(level) = levels.last().filter(|level| level.len() > 1) {
            let parent = level
                .chunks(2)
                .map(|pair| match pair {
                    [left, right] => node_hash(left, right),
                    [promoted] => *promoted,
                    _ => Digest::from_bytes([0; 32]),
                })
                .collect();
            levels.push(parent);
        }
        Ok(Self {
            cells: committed,
            levels,
        })
    }

    /// The root; `None` for zero cells.
    pub fn root(&self) -> Option<Digest> {
        self.levels.last().and_then(|level| level.first()).copied()
    }

    /// Number of leaves.
    pub fn leaf_count(&self) -> u64 {
        self.cells.len() as u64
    }

    /// The proof for the cell at `address`.
    pub fn prove(&self, address: &CellAddress) -> Result<InclusionProof, CommitmentError> {
        let leaf_index = self
            .cells
            .binary_search_by(|cell| cell.address.cmp(address))
            .map_err(|_| CommitmentError::UnknownAddress {
                subject: address.subject.to_string(),
                jurisdiction: address.jurisdiction.to_string(),
                domain: address.domain,
            })?;
        let mut path = Vec::new();
        let mut index = leaf_index;
        for level in &self.levels {
            let sibling = if index % 2 == 1 {
                level.get(index - 1).map(|hash| (Side::Left, hash))
            } else {
                level.get(index + 1).map(|hash| (Side::Right, hash))
            };
            if let Some((side, hash)) = sibling {
                path.push(PathStep { side, hash: *hash });
            }
            index /= 2;
        }
        Ok(InclusionProof {
            cell: self
                .cells
                .get(leaf_index)
                .cloned()
                .ok_or(CommitmentError::UnknownAddress {
                    subject: address.subject.to_string(),
                    jurisdiction: address.jurisdiction.to_string(),
                    domain: address.domain,
                })?,
            leaf_index: leaf_index as u64,
            leaf_count: self.leaf_count(),
            path,
        })
    }
}

/// The sides a path must have for a leaf position: one per level where the node has a sibling.
fn expected_sides(leaf_index: u64, leaf_count: u64) -> Vec<Side> {
    let mut sides = Vec::new();
    let (mut index, mut width) = (leaf_index, leaf_count);
    while width > 1 {
        if index % 2 == 1 {
            sides.push(Side::Left);
        } else if index + 1 < width {
            sides.push(Side::Right);
        }
        index /= 2;
        width = width.div_ceil(2);
    }
    sides
}

/// Verifies a proof against a root the verifier already trusts; returns the proven cell.
pub fn verify<'a>(
    proof: &'a InclusionProof,
    trusted_root: &Digest,
) -> Result<&'a CommittedCell, ProofError> {
    if proof.leaf_index >= proof.leaf_count {
        return Err(ProofError::LeafIndexOutOfRange {
            leaf_index: proof.leaf_index,
            leaf_count: proof.leaf_count,
        });
    }
    let sides = expected_sides(proof.leaf_index, proof.leaf_count);
    if sides.len() != proof.path.len() {
        return Err(ProofError::PathLength {
            path_length: proof.path.len(),
            expected_length: sides.len(),
            leaf_index: proof.leaf_index,
            leaf_count: proof.leaf_count,
        });
    }
    let mut current = leaf_hash(&proof.cell)?;
    for (step_index, (step, expected)) in proof.path.iter().zip(sides).enumerate() {
        if step.side != expected {
            return Err(ProofError::SideMismatch {
                step_index,
                found: step.side,
                expected,
            });
        }
        current = match step.side {
            Side::Left => node_hash(&step.hash, &current),
            Side::Right => node_hash(&current, &step.hash),
        };
    }
    if &current != trusted_root {
        return Err(ProofError::RootMismatch {
            computed: current,
            trusted: *trusted_root,
        });
    }
    Ok(&proof.cell)
}

#[cfg(test)]
mod tests;
