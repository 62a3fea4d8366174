//! Anchoring: committing checkpoint digests to an external ledger.
//!
//! Owns the [`AnchorTarget`] trait and one implementation, [`NotaryLog`]: a hash-chained log in
//! which each [`NotaryEntry`] commits to the digest of the previous one, so whoever holds a
//! trusted head can check that an entry is in the log with a [`NotaryInclusionProof`] and
//! [`verify_notary_inclusion`]. Errors: [`AnchorError`].
//!
//! An entry's digest is the digest of its canonical JSON
//! `{"type":"MSEZNotaryLogEntry","log_id","index","corridor_id","checkpoint_digest",
//! "anchored_at","prev_entry_digest"}`; the first entry's `prev_entry_digest` is
//! `SHA-256("msez.anchor.notary.genesis.v1" ‖ 0x00 ‖ log_id)`.
//!
//! Never: reports an anchor as final. A [`AnchorRecord`] says only where the digest was
//! recorded; how much weight the log carries (who keeps it, who co-signs its head) is outside
//! this module. The log lives in memory: persisting it is the caller's job.

use serde::Serialize;

use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::{Digest, DomainTag};
use crate::ids::CorridorId;
use crate::time::Timestamp;

/// Domain tag of a notary log's genesis link.
const NOTARY_GENESIS_TAG: DomainTag = DomainTag::new("msez.anchor.notary.genesis.v1");

/// The `type` of every notary entry.
const NOTARY_ENTRY_TYPE: &str = "MSEZNotaryLogEntry";

/// A ledger that can record checkpoint digests.
pub trait AnchorTarget {
    /// Records `checkpoint_digest` of `corridor_id` at `anchored_at` and says where.
    fn anchor(
        &mut self,
        corridor_id: &CorridorId,
        checkpoint_digest: Digest,
        anchored_at: Timestamp,
    ) -> Result<AnchorRecord, AnchorError>;
}

/// Where an anchor was recorded. There is deliberately no "finalized" flag: a record means the
/// entry is in the log, nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRecord {
    /// The log that holds the entry.
    pub log_id: String,
    /// 0-based position of the entry.
    pub index: u64,
    /// Digest of the entry; the log's head right after the append.
    pub entry_digest: Digest,
}

/// One entry of a notary log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotaryEntry {
    #[serde(rename = "type")]
    entry_type: &'static str,
    log_id: String,
    index: u64,
    corridor_id: CorridorId,
    checkpoint_digest: Digest,
    anchored_at: Timestamp,
    prev_entry_digest: Digest,
}

/// A hash-chained notary log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotaryLog {
    log_id: String,
    entries: Vec<NotaryEntry>,
    entry_digests: Vec<Digest>,
}

/// Evidence that an entry is in a log: the entry and every later entry up to the head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotaryInclusionProof {
    /// The entry proved, then each later entry in order; the last one's digest is the head.
    pub entries: Vec<NotaryEntry>,
}

/// Why an anchor or an inclusion check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorError {
    /// An entry's time is before the previous entry's.
    #[error("anchor at {anchored_at} is before the log head's time {head_anchored_at}")]
    TimeRegression {
        /// The time given.
        anchored_at: Timestamp,
        /// The head entry's time.
        head_anchored_at: Timestamp,
    },
    /// The entry cannot be canonicalised (its index passed 2^53 − 1).
    #[error("notary entry cannot be canonicalised: {source}")]
    Canonical {
        /// The encoder's error.
        source: CanonError,
    },
    /// The proof holds no entries.
    #[error("inclusion proof holds no entries")]
    EmptyProof,
    /// The first entry does not record the checkpoint asked about.
    #[error("entry {index} records checkpoint {found}, not {expected}")]
    WrongCheckpoint {
        /// The entry's index.
        index: u64,
        /// The digest recorded.
        found: Digest,
        /// The digest asked about.
        expected: Digest,
    },
    /// An entry does not commit to the previous entry of the proof.
    #[error("entry {index} does not commit to the entry before it")]
    BrokenLink {
        /// The entry whose `prev_entry_digest` does not match.
        index: u64,
    },
    /// The last entry's digest is not the trusted head.
    #[error("the proof ends at {found}, not at the trusted head {trusted_head}")]
    HeadMismatch {
        /// The digest the proof ends at.
        found: Digest,
        /// The head the verifier trusts.
        trusted_head: Digest,
    },
}

impl NotaryEntry {
    /// The digest this entry is known by (and the next entry commits to).
    pub fn digest(&self) -> Result<Digest, AnchorError> {
        CanonicalBytes::of(self)
            .map(|bytes| bytes.digest())
            .map_err(|source| AnchorError::Canonical { source })
    }

    /// 0-based position in the log.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The checkpoint digest recorded.
    pub fn checkpoint_digest(&self) -> Digest {
        self.checkpoint_digest
    }

    /// The corridor whose checkpoint this is.
    pub fn corridor_id(&self) -> &CorridorId {
        &self.corridor_id
    }

    /// When it was recorded.
    pub fn anchored_at(&self) -> Timestamp {
        self.anchored_at
    }

    /// The digest of the previous entry (or the genesis link).
    pub fn prev_entry_digest(&self) -> Digest {
        self.prev_entry_digest
    }
}

/// The `prev_entry_digest` of a log's first entry.
pub fn notary_genesis(log_id: &str) -> Digest {
    Digest::tagged(NOTARY_GENESIS_TAG, log_id.as_bytes())
}

impl NotaryLog {
    /// An empty log.
    pub fn new(log_id: impl Into<String>) -> Self {
        Self {
            log_id: log_id.into(),
            entries: Vec::new(),
            entry_digests: Vec::new(),
        }
    }

    /// The digest of the last entry, or the genesis link when empty.
    pub fn head(&self) -> Digest {
        self.entry_digests
            .last()
            .copied()
            .unwrap_or_else(|| notary_genesis(&self.log_id))
    }

    /// The entries in order.
    pub fn entries(&self) -> &[NotaryEntry] {
        &self.entries
    }

    /// Evidence that entry `index` is in the log as of the current head; `None` past the end.
    pub fn inclusion_proof(&self, index: u64) -> Option<NotaryInclusionProof> {
        let start = usize::try_from(index).ok()?;
        let entries = self.entries.get(start..)?.to_vec();
        (!entries.is_empty()).then_some(NotaryInclusionProof { entries })
    }
}

impl AnchorTarget for NotaryLog {
    fn anchor(
        &mut self,
        corridor_id: &CorridorId,
        checkpoint_digest: Digest,
        anchored_at: Timestamp,
    ) -> Result<AnchorRecord, AnchorError> {
        if let Some(last) = self.entries.last()
            && anchored_at < last.anchored_at
        {
            return Err(AnchorError::TimeRegression {
                anchored_at,
                head_anchored_at: last.anchored_at,
            });
        }
        let entry = NotaryEntry {
            entry_type: NOTARY_ENTRY_TYPE,
            log_id: self.log_id.clone(),
            index: u64::try_from(self.entries.len()).unwrap_or(u64::MAX),
            corridor_id: corridor_id.clone(),
            checkpoint_digest,
            anchored_at,
            prev_entry_digest: self.head(),
        };
        let entry_digest = entry.digest()?;
        let record = AnchorRecord {
            log_id: self.log_id.clone(),
            index: entry.index,
            entry_digest,
        };
        self.entries.push(entry);
        self.entry_digests.push(entry_digest);
        Ok(record)
    }
}

/// Checks that the proof's first entry records `checkpoint_digest` and that the chain of entries
/// links up to `trusted_head`. The verifier needs nothing but the proof and the head it trusts.
pub fn verify_notary_inclusion(
    proof: &NotaryInclusionProof,
    checkpoint_digest: Digest,
    trusted_head: Digest,
) -> Result<(), AnchorError> {
    let first = proof.entries.first().ok_or(AnchorError::EmptyProof)?;
    if first.checkpoint_digest != checkpoint_digest {
        return Err(AnchorError::WrongCheckpoint {
            index: first.index,
            found: first.checkpoint_digest,
            expected: checkpoint_digest,
        });
    }
    let mut previous = first.digest()?;
    for entry in proof.entries.iter().skip(1) {
        if entry.prev_entry_digest != previous || entry.log_id != first.log_id {
            return Err(AnchorError::BrokenLink { index: entry.index });
        }
        previous = entry.digest()?;
    }
    if previous != trusted_head {
        return Err(AnchorError::HeadMismatch {
            found: previous,
            trusted_head,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
