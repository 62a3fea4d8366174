//! The receipt chain of one corridor: append and verify receipts under SPEC §5.
//!
//! Owns [`ReceiptChain`], [`Appended`], [`AppendError`] and the named bound
//! [`TIMESTAMP_FUTURE_TOLERANCE_SECONDS`].
//!
//! Never: I/O, clocks or randomness (the acceptance time `now` is an argument), keeping the
//! receipts themselves (the caller's journal does; the chain keeps the head, the height, the
//! MMR frontier and what the next append needs), or changing any state when an append fails.
//!
//! `append` checks, in this order, and each failure is its own [`AppendError`] variant carrying
//! the corridor id and the receipt's sequence: corridor id, sequence == height,
//! prev_root == head, timestamp ≥ previous receipt's, timestamp ≤ now + 60 s, the transition's
//! `payload_sha256`, `next_root` recomputation, then the proofs against the corridor's k-of-n
//! [`SigningPolicy`] (cheap checks first, signatures last).
//!
//! [`ChainParts`] and [`ReceiptChain::from_parts`] rebuild a chain from a verified state the
//! caller kept (the corridor actor's snapshot, see [`crate::corridor::state`]); the getters give
//! the parts back, so `from_parts(to_parts(c)) == c`.
//!
//! A chain started from a trusted checkpoint ([`ReceiptChain::from_checkpoint`]) does not know
//! the last receipt's timestamp; its first tail receipt is checked only against `now`. The
//! checkpoint's signers vouch for the order of everything before it.

use serde_json::Value;

use crate::canonical::CanonError;
use crate::checkpoint::VerifiedCheckpoint;
use crate::digest::Digest;
use crate::ids::CorridorId;
use crate::keys::DidKey;
use crate::mmr::{MmrError, MmrPeaks};
use crate::policy::{PolicyError, SigningPolicy};
use crate::receipt::{self, DigestSet, Genesis, SignedReceipt};
use crate::time::Timestamp;

/// How far past `now` a receipt's timestamp may be: 60 s, as SPEC §5 fixes. It absorbs clock
/// skew between zones without letting a receipt claim a time far ahead of acceptance.
pub const TIMESTAMP_FUTURE_TOLERANCE_SECONDS: i64 = 60;

/// The verified state of one corridor's receipt chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptChain {
    corridor_id: CorridorId,
    genesis_root: Digest,
    /// `genesis_root` until the first receipt, then the last receipt's `next_root`.
    head: Digest,
    /// Receipts appended so far (including those before a starting checkpoint).
    height: u64,
    /// The frontier only: a chain verifies, the journal's owner produces proofs.
    mmr: MmrPeaks,
    /// `None` at genesis and right after starting from a checkpoint.
    last_timestamp: Option<Timestamp>,
    lawpack_digest_set: DigestSet,
    ruleset_digest_set: DigestSet,
    policy: SigningPolicy,
}

/// Every field of a [`ReceiptChain`], for rebuilding one from a snapshot. Built by
/// [`ReceiptChain::to_parts`] and checked by [`ReceiptChain::from_parts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainParts {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The digest of the genesis object.
    pub genesis_root: Digest,
    /// The head (`genesis_root` at height 0).
    pub head: Digest,
    /// Receipts appended so far.
    pub height: u64,
    /// The MMR frontier; its size must equal `height`.
    pub mmr: MmrPeaks,
    /// The last receipt's timestamp (`None` at genesis or after a checkpoint start).
    pub last_timestamp: Option<Timestamp>,
    /// The lawpacks in force.
    pub lawpack_digest_set: DigestSet,
    /// The rulesets in force.
    pub ruleset_digest_set: DigestSet,
    /// The receipt-signing policy.
    pub policy: SigningPolicy,
}

/// Why [`ChainParts`] do not describe a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainPartsError {
    /// The MMR does not hold one leaf per receipt.
    #[error("chain of corridor {corridor_id} has height {height} but an MMR of {mmr_size} leaves")]
    MmrSize {
        /// The corridor.
        corridor_id: CorridorId,
        /// The stated height.
        height: u64,
        /// The MMR's size.
        mmr_size: u64,
    },
    /// At height 0 the head must be the genesis root and no timestamp is known.
    #[error(
        "chain of corridor {corridor_id} at height 0 has head {head}, not its genesis root {genesis_root}, or a last timestamp"
    )]
    Genesis {
        /// The corridor.
        corridor_id: CorridorId,
        /// The stated head.
        head: Digest,
        /// The stated genesis root.
        genesis_root: Digest,
    },
}

/// What an accepted append produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The receipt's sequence (the height before the append).
    pub sequence: u64,
    /// The new head.
    pub next_root: Digest,
    /// The receipt's MMR leaf.
    pub leaf_hash: Digest,
    /// The MMR root after the append.
    pub mmr_root: Digest,
    /// The distinct authorised signers whose proofs verified.
    pub signers: Vec<DidKey>,
}

/// Why a receipt was not appended; the chain is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The receipt belongs to another corridor.
    #[error("receipt {sequence} names corridor {got}, this chain is corridor {corridor_id}")]
    CorridorMismatch {
        /// This chain's corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The corridor the receipt names.
        got: CorridorId,
    },
    /// `sequence` is not the chain height.
    #[error("receipt sequence {sequence} on corridor {corridor_id} does not equal height {height}")]
    SequenceMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The chain height.
        height: u64,
    },
    /// `prev_root` is not the head.
    #[error("receipt {sequence} on corridor {corridor_id} has prev_root {got}, head is {head}")]
    PrevRootMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The chain head.
        head: Digest,
        /// The receipt's prev_root.
        got: Digest,
    },
    /// The timestamp goes back in time.
    #[error(
        "receipt {sequence} on corridor {corridor_id} has timestamp {got}, before the previous {previous}"
    )]
    TimestampBeforePrevious {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The previous receipt's timestamp.
        previous: Timestamp,
        /// The receipt's timestamp.
        got: Timestamp,
    },
    /// The timestamp is more than [`TIMESTAMP_FUTURE_TOLERANCE_SECONDS`] after `now`.
    #[error(
        "receipt {sequence} on corridor {corridor_id} has timestamp {got}, more than 60 s after now ({now})"
    )]
    TimestampInFuture {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The acceptance time.
        now: Timestamp,
        /// The receipt's timestamp.
        got: Timestamp,
    },
    /// `transition.payload_sha256` is not the digest of the canonical payload.
    #[error(
        "receipt {sequence} on corridor {corridor_id} has payload_sha256 {got}, the payload digests to {computed}"
    )]
    PayloadDigestMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The digest of the canonical payload.
        computed: Digest,
        /// The receipt's payload_sha256.
        got: Digest,
    },
    /// `next_root` does not recompute.
    #[error(
        "receipt {sequence} on corridor {corridor_id} has next_root {got}, it recomputes to {computed}"
    )]
    NextRootMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The recomputed next_root.
        computed: Digest,
        /// The receipt's next_root.
        got: Digest,
    },
    /// The receipt (or its payload) cannot be canonicalised.
    #[error("receipt {sequence} on corridor {corridor_id} cannot be canonicalised: {source}")]
    Canonical {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The canonicaliser's reason.
        source: CanonError,
    },
    /// The proofs do not satisfy the receipt-signing policy.
    #[error("receipt {sequence} on corridor {corridor_id}: {source}")]
    Signatures {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// Which proofs failed and why, or why the proof set was refused.
        source: PolicyError,
    },
    /// The MMR is full.
    #[error("receipt {sequence} on corridor {corridor_id}: {source}")]
    Mmr {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The MMR's reason.
        source: MmrError,
    },
}

impl AppendError {
    /// The sequence of the rejected receipt.
    pub fn sequence(&self) -> u64 {
        match self {
            Self::CorridorMismatch { sequence, .. }
            | Self::SequenceMismatch { sequence, .. }
            | Self::PrevRootMismatch { sequence, .. }
            | Self::TimestampBeforePrevious { sequence, .. }
            | Self::TimestampInFuture { sequence, .. }
            | Self::PayloadDigestMismatch { sequence, .. }
            | Self::NextRootMismatch { sequence, .. }
            | Self::Canonical { sequence, .. }
            | Self::Signatures { sequence, .. }
            | Self::Mmr { sequence, .. } => *sequence,
        }
    }
}

impl ReceiptChain {
    /// An empty chain whose head is the genesis root of `genesis`.
    pub fn from_genesis(genesis: &Genesis, policy: SigningPolicy) -> Result<Self, CanonError> {
        let genesis_root = genesis.genesis_root()?;
        Ok(Self {
            corridor_id: genesis.corridor_id.clone(),
            genesis_root,
            head: genesis_root,
            height: 0,
            mmr: MmrPeaks::new(),
            last_timestamp: None,
            lawpack_digest_set: genesis.lawpack_digest_set.clone(),
            ruleset_digest_set: genesis.ruleset_digest_set.clone(),
            policy,
        })
    }

    /// A chain resuming at a checkpoint verified under its policy: only the tail is checked.
    pub fn from_checkpoint(verified: &VerifiedCheckpoint) -> Self {
        let checkpoint = verified.checkpoint();
        Self {
            corridor_id: checkpoint.corridor_id.clone(),
            genesis_root: checkpoint.genesis_root,
            head: checkpoint.final_state_root,
            height: checkpoint.receipt_count,
            mmr: verified.mmr().clone(),
            last_timestamp: None,
            lawpack_digest_set: checkpoint.lawpack_digest_set.clone(),
            ruleset_digest_set: checkpoint.ruleset_digest_set.clone(),
            policy: verified.policy().clone(),
        }
    }

    /// Rebuilds a chain from parts the caller verified earlier (a snapshot of this chain):
    /// checks only that the parts agree with each other, not the receipts behind them.
    pub fn from_parts(parts: ChainParts) -> Result<Self, ChainPartsError> {
        if parts.mmr.size() != parts.height {
            return Err(ChainPartsError::MmrSize {
                corridor_id: parts.corridor_id,
                height: parts.height,
                mmr_size: parts.mmr.size(),
            });
        }
        if parts.height == 0 && (parts.head != parts.genesis_root || parts.last_timestamp.is_some())
        {
            return Err(ChainPartsError::Genesis {
                corridor_id: parts.corridor_id,
                head: parts.head,
                genesis_root: parts.genesis_root,
            });
        }
        Ok(Self {
            corridor_id: parts.corridor_id,
            genesis_root: parts.genesis_root,
            head: parts.head,
            height: parts.height,
            mmr: parts.mmr,
            last_timestamp: parts.last_timestamp,
            lawpack_digest_set: parts.lawpack_digest_set,
            ruleset_digest_set: parts.ruleset_digest_set,
            policy: parts.policy,
        })
    }

    /// Every field of the chain, for a snapshot; [`Self::from_parts`] is its inverse.
    pub fn to_parts(&self) -> ChainParts {
        ChainParts {
            corridor_id: self.corridor_id.clone(),
            genesis_root: self.genesis_root,
            head: self.head,
            height: self.height,
            mmr: self.mmr.clone(),
            last_timestamp: self.last_timestamp,
            lawpack_digest_set: self.lawpack_digest_set.clone(),
            ruleset_digest_set: self.ruleset_digest_set.clone(),
            policy: self.policy.clone(),
        }
    }

    /// Checks `signed` against every rule of SPEC §5 and, only if all hold, appends it.
    pub fn append(
        &mut self,
        signed: &SignedReceipt,
        now: Timestamp,
    ) -> Result<Appended, AppendError> {
        let receipt = &signed.document;
        let sequence = receipt.sequence;
        let corridor_id = || self.corridor_id.clone();
        if receipt.corridor_id != self.corridor_id {
            return Err(AppendError::CorridorMismatch {
                corridor_id: corridor_id(),
                sequence,
                got: receipt.corridor_id.clone(),
            });
        }
        if sequence != self.height {
            return Err(AppendError::SequenceMismatch {
                corridor_id: corridor_id(),
                sequence,
                height: self.height,
            });
        }
        if receipt.prev_root != self.head {
            return Err(AppendError::PrevRootMismatch {
                corridor_id: corridor_id(),
                sequence,
                head: self.head,
                got: receipt.prev_root,
            });
        }
        self.check_timestamp(receipt.timestamp, sequence, now)?;
        let canonical = |source| AppendError::Canonical {
            corridor_id: corridor_id(),
            sequence,
            source,
        };
        if let Some(transition) = &receipt.transition {
            let computed = transition.compute_payload_sha256().map_err(canonical)?;
            if computed != transition.payload_sha256 {
                return Err(AppendError::PayloadDigestMismatch {
                    corridor_id: corridor_id(),
                    sequence,
                    computed,
                    got: transition.payload_sha256,
                });
            }
        }
        let mut unsecured: Value = receipt.to_value().map_err(canonical)?;
        let computed = receipt::next_root_of_value(&mut unsecured).map_err(canonical)?;
        if computed != receipt.next_root {
            return Err(AppendError::NextRootMismatch {
                corridor_id: corridor_id(),
                sequence,
                computed,
                got: receipt.next_root,
            });
        }
        let signers = self
            .policy
            .check_proofs(&unsecured, &signed.proofs)
            .map_err(|source| AppendError::Signatures {
                corridor_id: corridor_id(),
                sequence,
                source,
            })?;
        // Every check has passed; from here on the state changes. The MMR append refuses
        // (without changing anything) only when full, so it goes first.
        let leaf_hash = self
            .mmr
            .append(&receipt.next_root)
            .map_err(|source| AppendError::Mmr {
                corridor_id: self.corridor_id.clone(),
                sequence,
                source,
            })?;
        self.head = receipt.next_root;
        self.height += 1;
        self.last_timestamp = Some(receipt.timestamp);
        self.lawpack_digest_set = receipt.lawpack_digest_set.clone();
        self.ruleset_digest_set = receipt.ruleset_digest_set.clone();
        debug_assert_eq!(self.mmr.size(), self.height);
        Ok(Appended {
            sequence,
            next_root: receipt.next_root,
            leaf_hash,
            mmr_root: self.mmr.root().unwrap_or(leaf_hash),
            signers,
        })
    }

    fn check_timestamp(
        &self,
        timestamp: Timestamp,
        sequence: u64,
        now: Timestamp,
    ) -> Result<(), AppendError> {
        if let Some(previous) = self.last_timestamp
            && timestamp < previous
        {
            return Err(AppendError::TimestampBeforePrevious {
                corridor_id: self.corridor_id.clone(),
                sequence,
                previous,
                got: timestamp,
            });
        }
        // Past year 9999 nothing is "too far in the future": every timestamp is within range.
        let latest = now.checked_add_seconds(TIMESTAMP_FUTURE_TOLERANCE_SECONDS);
        if latest.is_some_and(|latest| timestamp > latest) {
            return Err(AppendError::TimestampInFuture {
                corridor_id: self.corridor_id.clone(),
                sequence,
                now,
                got: timestamp,
            });
        }
        Ok(())
    }

    /// The corridor.
    pub fn corridor_id(&self) -> &CorridorId {
        &self.corridor_id
    }

    /// The digest of the corridor's genesis object.
    pub fn genesis_root(&self) -> Digest {
        self.genesis_root
    }

    /// The current head: the last receipt's `next_root`, or the genesis root.
    pub fn head(&self) -> Digest {
        self.head
    }

    /// Receipts in the chain; also the sequence the next receipt must carry.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The MMR frontier over every receipt's `next_root`.
    pub fn mmr(&self) -> &MmrPeaks {
        &self.mmr
    }

    /// The last appended receipt's timestamp, if known.
    pub fn last_timestamp(&self) -> Option<Timestamp> {
        self.last_timestamp
    }

    /// The lawpacks in force (the last receipt's set, or genesis's).
    pub fn lawpack_digest_set(&self) -> &DigestSet {
        &self.lawpack_digest_set
    }

    /// The rulesets in force (the last receipt's set, or genesis's).
    pub fn ruleset_digest_set(&self) -> &DigestSet {
        &self.ruleset_digest_set
    }

    /// The receipt-signing policy.
    pub fn policy(&self) -> &SigningPolicy {
        &self.policy
    }
}

#[cfg(test)]
mod tests;
