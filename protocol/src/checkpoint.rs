//! Checkpoints of a receipt chain (SPEC §7): a signed summary a verifier can start from.
//!
//! Owns [`Checkpoint`], [`CheckpointMmr`], [`SignedCheckpoint`], [`VerifiedCheckpoint`],
//! [`verify_checkpoint`] and [`CheckpointError`].
//!
//! Never: trusts its own `mmr.root` (it is re-bagged from the peaks), or lets a
//! [`VerifiedCheckpoint`] exist without its internal consistency and signatures checked.
//!
//! The checkpoint digest is the digest of exactly the serialised checkpoint without `proof`
//! (peaks included), and its proofs sign that same document under the corridor's
//! receipt-signing policy, like receipts. `mmr.root` is `null` only for a checkpoint of zero
//! receipts, whose `final_state_root` must be the genesis root.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::{CanonError, CanonicalBytes};
use crate::chain::ReceiptChain;
use crate::digest::Digest;
use crate::fields::{FieldError, ObjectReader};
use crate::ids::CorridorId;
use crate::keys::DidKey;
use crate::mmr::{MmrPeaks, Peak, PeakPlanError, bag_peaks};
use crate::policy::{PolicyError, SigningPolicy};
use crate::receipt::DigestSet;
use crate::signed::{Document, Signed};
use crate::time::Timestamp;

/// The `type` member of every checkpoint.
pub const CHECKPOINT_TYPE: &str = "MSEZCorridorStateCheckpoint";

/// The `type` of a checkpoint: always `"MSEZCorridorStateCheckpoint"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CheckpointType {
    /// `MSEZCorridorStateCheckpoint`.
    #[default]
    #[serde(rename = "MSEZCorridorStateCheckpoint")]
    CorridorStateCheckpoint,
}

/// The `mmr.type` of a checkpoint: always `"MSEZReceiptMMR"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MmrType {
    /// `MSEZReceiptMMR`.
    #[default]
    #[serde(rename = "MSEZReceiptMMR")]
    ReceiptMmr,
}

/// The `mmr.algorithm` of a checkpoint: always `"sha256"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MmrAlgorithm {
    /// `sha256`.
    #[default]
    #[serde(rename = "sha256")]
    Sha256,
}

/// A checkpoint without `proof`: exactly the members of SPEC §7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkpoint {
    /// Always [`CheckpointType::CorridorStateCheckpoint`].
    #[serde(rename = "type")]
    pub checkpoint_type: CheckpointType,
    /// The corridor.
    pub corridor_id: CorridorId,
    /// When the checkpoint was made.
    pub timestamp: Timestamp,
    /// The corridor's genesis root.
    pub genesis_root: Digest,
    /// The head at `receipt_count` receipts.
    pub final_state_root: Digest,
    /// Receipts covered.
    pub receipt_count: u64,
    /// Lawpacks in force at the head.
    pub lawpack_digest_set: DigestSet,
    /// Rulesets in force at the head.
    pub ruleset_digest_set: DigestSet,
    /// The receipt MMR at the head.
    pub mmr: CheckpointMmr,
}

/// The `mmr` member of a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointMmr {
    /// Always [`MmrType::ReceiptMmr`].
    #[serde(rename = "type")]
    pub mmr_type: MmrType,
    /// Always [`MmrAlgorithm::Sha256`].
    pub algorithm: MmrAlgorithm,
    /// Leaves (= receipt_count).
    pub size: u64,
    /// The bagged root; `null` for zero receipts.
    pub root: Option<Digest>,
    /// The peaks, left to right.
    pub peaks: Vec<Peak>,
}

/// A checkpoint with its proof set.
pub type SignedCheckpoint = Signed<Checkpoint>;

/// A checkpoint whose consistency and signatures have been checked under a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    checkpoint: Checkpoint,
    digest: Digest,
    mmr: MmrPeaks,
    policy: SigningPolicy,
    signers: Vec<DidKey>,
}

/// Why a checkpoint is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// `mmr.size` differs from `receipt_count`.
    #[error(
        "checkpoint of corridor {corridor_id}: mmr.size {mmr_size} differs from receipt_count {receipt_count}"
    )]
    SizeMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// receipt_count.
        receipt_count: u64,
        /// mmr.size.
        mmr_size: u64,
    },
    /// `mmr.peaks` is not the peak plan of `mmr.size`.
    #[error("checkpoint of corridor {corridor_id}: mmr.peaks: {source}")]
    PeakPlan {
        /// The corridor.
        corridor_id: CorridorId,
        /// Why the peaks do not fit the size.
        source: PeakPlanError,
    },
    /// `mmr.root` is not the bag of `mmr.peaks`.
    #[error(
        "checkpoint of corridor {corridor_id}: mmr.root {stated:?} is not the bagged peaks {computed:?}"
    )]
    RootMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// mmr.root.
        stated: Option<Digest>,
        /// The bagged peaks.
        computed: Option<Digest>,
    },
    /// A zero-receipt checkpoint whose head is not the genesis root.
    #[error(
        "checkpoint of corridor {corridor_id} covers no receipts, but final_state_root {final_state_root} is not genesis_root {genesis_root}"
    )]
    EmptyHeadNotGenesis {
        /// The corridor.
        corridor_id: CorridorId,
        /// final_state_root.
        final_state_root: Digest,
        /// genesis_root.
        genesis_root: Digest,
    },
    /// The checkpoint cannot be canonicalised.
    #[error("checkpoint cannot be canonicalised: {0}")]
    Canonical(#[from] CanonError),
    /// The proofs do not satisfy the signing policy.
    #[error("checkpoint of corridor {corridor_id}: {source}")]
    Signatures {
        /// The corridor.
        corridor_id: CorridorId,
        /// Which proofs failed and why.
        source: PolicyError,
    },
    /// A checkpoint that does not describe the chain it is compared with.
    #[error("checkpoint of corridor {corridor_id} disagrees with the chain on {field}")]
    ChainMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// The first member that differs.
        field: &'static str,
    },
}

impl Checkpoint {
    /// The checkpoint of `chain`'s current state, made at `timestamp`.
    pub fn of_chain(chain: &ReceiptChain, timestamp: Timestamp) -> Self {
        let mmr = chain.mmr();
        Self {
            checkpoint_type: CheckpointType::CorridorStateCheckpoint,
            corridor_id: chain.corridor_id().clone(),
            timestamp,
            genesis_root: chain.genesis_root(),
            final_state_root: chain.head(),
            receipt_count: chain.height(),
            lawpack_digest_set: chain.lawpack_digest_set().clone(),
            ruleset_digest_set: chain.ruleset_digest_set().clone(),
            mmr: CheckpointMmr {
                mmr_type: MmrType::ReceiptMmr,
                algorithm: MmrAlgorithm::Sha256,
                size: mmr.size(),
                root: mmr.root(),
                peaks: mmr.peaks().to_vec(),
            },
        }
    }

    /// The checkpoint digest: the digest of the canonical checkpoint without `proof`.
    pub fn digest(&self) -> Result<Digest, CanonError> {
        Ok(CanonicalBytes::of(self)?.digest())
    }

    /// Checks that this checkpoint describes `chain` exactly (except its own timestamp), naming
    /// the first member that differs.
    pub fn check_matches(&self, chain: &ReceiptChain) -> Result<(), CheckpointError> {
        let expected = Self::of_chain(chain, self.timestamp);
        let field = [
            ("corridor_id", self.corridor_id == expected.corridor_id),
            ("genesis_root", self.genesis_root == expected.genesis_root),
            (
                "final_state_root",
                self.final_state_root == expected.final_state_root,
            ),
            (
                "receipt_count",
                self.receipt_count == expected.receipt_count,
            ),
            (
                "lawpack_digest_set",
                self.lawpack_digest_set == expected.lawpack_digest_set,
            ),
            (
                "ruleset_digest_set",
                self.ruleset_digest_set == expected.ruleset_digest_set,
            ),
            ("mmr", self.mmr == expected.mmr),
        ]
        .into_iter()
        .find_map(|(field, equal)| (!equal).then_some(field));
        match field {
            None => Ok(()),
            Some(field) => Err(CheckpointError::ChainMismatch {
                corridor_id: self.corridor_id.clone(),
                field,
            }),
        }
    }
}

impl Document for Checkpoint {
    fn from_value(value: Value) -> Result<Self, FieldError> {
        let mut reader = ObjectReader::new("checkpoint", value)?;
        let checkpoint = Self {
            checkpoint_type: reader.required("type")?,
            corridor_id: reader.required("corridor_id")?,
            timestamp: reader.required("timestamp")?,
            genesis_root: reader.required("genesis_root")?,
            final_state_root: reader.required("final_state_root")?,
            receipt_count: reader.required("receipt_count")?,
            lawpack_digest_set: reader.required("lawpack_digest_set")?,
            ruleset_digest_set: reader.required("ruleset_digest_set")?,
            mmr: reader.required("mmr")?,
        };
        reader.finish()?;
        Ok(checkpoint)
    }

    fn to_value(&self) -> Result<Value, CanonError> {
        crate::signed::value_of(self)
    }
}

/// Checks a signed checkpoint: mmr.size = receipt_count, peaks fit the size, root = bagged
/// peaks, a zero-receipt head is the genesis root, and the proofs meet `policy`.
pub fn verify_checkpoint(
    signed: &SignedCheckpoint,
    policy: &SigningPolicy,
) -> Result<VerifiedCheckpoint, CheckpointError> {
    let checkpoint = &signed.document;
    let corridor_id = || checkpoint.corridor_id.clone();
    if checkpoint.mmr.size != checkpoint.receipt_count {
        return Err(CheckpointError::SizeMismatch {
            corridor_id: corridor_id(),
            receipt_count: checkpoint.receipt_count,
            mmr_size: checkpoint.mmr.size,
        });
    }
    let mmr = MmrPeaks::from_peaks(checkpoint.mmr.size, checkpoint.mmr.peaks.clone()).map_err(
        |source| CheckpointError::PeakPlan {
            corridor_id: corridor_id(),
            source,
        },
    )?;
    let computed = bag_peaks(mmr.peaks());
    if computed != checkpoint.mmr.root {
        return Err(CheckpointError::RootMismatch {
            corridor_id: corridor_id(),
            stated: checkpoint.mmr.root,
            computed,
        });
    }
    if checkpoint.receipt_count == 0 && checkpoint.final_state_root != checkpoint.genesis_root {
        return Err(CheckpointError::EmptyHeadNotGenesis {
            corridor_id: corridor_id(),
            final_state_root: checkpoint.final_state_root,
            genesis_root: checkpoint.genesis_root,
        });
    }
    let unsecured = checkpoint.to_value()?;
    let digest = CanonicalBytes::new(&unsecured)?.digest();
    let signers = policy
        .check_proofs(&unsecured, &signed.proofs)
        .map_err(|source| CheckpointError::Signatures {
            corridor_id: corridor_id(),
            source,
        })?;
    Ok(VerifiedCheckpoint {
        checkpoint: checkpoint.clone(),
        digest,
        mmr,
        policy: policy.clone(),
        signers,
    })
}

impl VerifiedCheckpoint {
    /// The checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Its digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Its MMR frontier, checked against the peak plan and the root.
    pub fn mmr(&self) -> &MmrPeaks {
        &self.mmr
    }

    /// The policy it was verified under.
    pub fn policy(&self) -> &SigningPolicy {
        &self.policy
    }

    /// The distinct authorised signers whose proofs verified.
    pub fn signers(&self) -> &[DidKey] {
        &self.signers
    }
}

#[cfg(test)]
mod tests;
