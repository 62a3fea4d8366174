//! The agentic audit trail: a hash chain of decisions, each entry committing to the one before.
//!
//! Owns [`AuditTrail`], [`AuditEntry`], [`AuditBody`], [`verify_entries`] and [`AuditError`].
//!
//! Never: stores a decision without chaining it, or accepts an entry out of time order. The
//! trail is recomputable by anyone: `entry_digest = SHA-256("msez.agentic.audit.v1" || 0x00 ||
//! JCS(body))`, where the body holds the previous entry's digest (for the first entry, the
//! genesis digest `SHA-256("msez.agentic.audit.genesis.v1" || 0x00 || trail_id)`). Changing any
//! byte of any entry breaks its own digest or the next entry's link.

use serde::Serialize;

use super::policy::{Evaluation, OverriddenAction, PlannedAction, PolicyId};
use super::{Trigger, TriggerKind};
use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::{Digest, DomainTag};
use crate::ids::JurisdictionId;
use crate::time::Timestamp;

/// Tag of an entry digest.
pub const AUDIT_ENTRY_TAG: DomainTag = DomainTag::new("msez.agentic.audit.v1");
/// Tag of a trail's genesis digest.
pub const AUDIT_GENESIS_TAG: DomainTag = DomainTag::new("msez.agentic.audit.genesis.v1");

/// The committed content of one entry: everything but its own digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditBody {
    /// Always `MSEZAgenticAuditEntry`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The trail this entry belongs to (one per zone).
    pub trail_id: String,
    /// 0 for the first entry, then +1.
    pub sequence: u64,
    /// The previous entry's digest, or the trail's genesis digest.
    pub prev_digest: Digest,
    /// When the decision was recorded (≥ the previous entry's).
    pub recorded_at: Timestamp,
    /// The trigger kind.
    pub trigger: TriggerKind,
    /// The trigger's jurisdiction, if any.
    pub jurisdiction: Option<JurisdictionId>,
    /// When the trigger happened.
    pub occurred_at: Timestamp,
    /// Digest of the trigger's canonical payload.
    pub payload_digest: Digest,
    /// Policies that applied, in rank order.
    pub matched_policy_ids: Vec<PolicyId>,
    /// Actions planned.
    pub actions: Vec<PlannedAction>,
    /// Actions that lost a conflict.
    pub overridden: Vec<OverriddenAction>,
}

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// The committed content.
    #[serde(flatten)]
    pub body: AuditBody,
    /// `SHA-256(AUDIT_ENTRY_TAG || 0x00 || JCS(body))`.
    pub entry_digest: Digest,
}

/// Why an entry cannot be appended, or a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditError {
    /// The body could not be canonicalised.
    #[error("audit entry {sequence}: {error}")]
    Canon {
        /// The entry's sequence.
        sequence: u64,
        /// The canonicaliser's error.
        error: CanonError,
    },
    /// `recorded_at` is before the previous entry's.
    #[error(
        "audit entry {sequence}: recorded_at {recorded_at} precedes the previous entry's {previous}"
    )]
    TimeReversed {
        /// The entry's sequence.
        sequence: u64,
        /// Its time.
        recorded_at: Timestamp,
        /// The previous entry's time.
        previous: Timestamp,
    },
    /// The entry's sequence is not its position.
    #[error("audit entry at position {position} carries sequence {sequence}")]
    SequenceGap {
        /// Position in the slice.
        position: u64,
        /// Sequence found.
        sequence: u64,
    },
    /// The entry belongs to another trail.
    #[error("audit entry {sequence} belongs to trail {found}, not {expected}")]
    WrongTrail {
        /// The entry's sequence.
        sequence: u64,
        /// The trail expected.
        expected: String,
        /// The trail found.
        found: String,
    },
    /// `prev_digest` is not the previous entry's digest (an entry was changed or removed).
    #[error("audit entry {sequence}: prev_digest {found} does not match {expected}")]
    BrokenLink {
        /// The entry's sequence.
        sequence: u64,
        /// The previous entry's digest (or genesis).
        expected: Digest,
        /// What the entry carries.
        found: Digest,
    },
    /// `entry_digest` does not recompute (the entry's content was changed).
    #[error("audit entry {sequence}: entry_digest {found} does not recompute ({computed})")]
    DigestMismatch {
        /// The entry's sequence.
        sequence: u64,
        /// The recomputed digest.
        computed: Digest,
        /// What the entry carries.
        found: Digest,
    },
}

/// An append-only chain of decisions for one trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditTrail {
    trail_id: String,
    entries: Vec<AuditEntry>,
}

/// The genesis digest of a trail: what its first entry's `prev_digest` must be.
pub fn genesis_digest(trail_id: &str) -> Digest {
    Digest::tagged(AUDIT_GENESIS_TAG, trail_id.as_bytes())
}

impl AuditBody {
    /// `SHA-256(AUDIT_ENTRY_TAG || 0x00 || JCS(self))`.
    pub fn digest(&self) -> Result<Digest, AuditError> {
        let canonical = CanonicalBytes::of(self).map_err(|error| AuditError::Canon {
            sequence: self.sequence,
            error,
        })?;
        Ok(Digest::tagged(AUDIT_ENTRY_TAG, canonical.as_bytes()))
    }
}

impl AuditTrail {
    /// An empty trail.
    pub fn new(trail_id: impl Into<String>) -> Self {
        Self {
            trail_id: trail_id.into(),
            entries: Vec::new(),
        }
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[AuditEntry] {
        &self.entries
    }

    /// The digest the next entry must link to.
    pub fn head_digest(&self) -> Digest {
        self.entries.last().map_or_else(
            || genesis_digest(&self.trail_id),
            |entry| entry.entry_digest,
        )
    }

    /// Records the evaluation of `trigger` at `recorded_at` and returns the new entry.
    pub fn append(
        &mut self,
        trigger: &Trigger,
        evaluation: &Evaluation,
        recorded_at: Timestamp,
    ) -> Result<&AuditEntry, AuditError> {
        let sequence = self.entries.len() as u64;
        if let Some(previous) = self.entries.last()
            && recorded_at < previous.body.recorded_at
        {
            return Err(AuditError::TimeReversed {
                sequence,
                recorded_at,
                previous: previous.body.recorded_at,
            });
        }
        let body = AuditBody {
            kind: "MSEZAgenticAuditEntry",
            trail_id: self.trail_id.clone(),
            sequence,
            prev_digest: self.head_digest(),
            recorded_at,
            trigger: trigger.kind(),
            jurisdiction: trigger.jurisdiction().cloned(),
            occurred_at: trigger.occurred_at(),
            payload_digest: trigger.payload_digest(),
            matched_policy_ids: evaluation.matched_policy_ids.clone(),
            actions: evaluation.actions.clone(),
            overridden: evaluation.overridden.clone(),
        };
        let entry_digest = body.digest()?;
        self.entries.push(AuditEntry { body, entry_digest });
        debug_assert!(verify_entries(&self.trail_id, &self.entries).is_ok());
        self.entries.last().ok_or(AuditError::SequenceGap {
            position: sequence,
            sequence,
        })
    }
}

/// Verifies a chain from its genesis: sequences, trail ids, links, digests and time order.
/// The first failure is reported with the entry's sequence.
pub fn verify_entries(trail_id: &str, entries: &[AuditEntry]) -> Result<(), AuditError> {
    let mut expected_prev = genesis_digest(trail_id);
    let mut previous_time: Option<Timestamp> = None;
    for (position, entry) in (0u64..).zip(entries) {
        let body = &entry.body;
        if body.sequence != position {
            return Err(AuditError::SequenceGap {
                position,
                sequence: body.sequence,
            });
        }
        if body.trail_id != trail_id {
            return Err(AuditError::WrongTrail {
                sequence: body.sequence,
                expected: trail_id.to_owned(),
                found: body.trail_id.clone(),
            });
        }
        if body.prev_digest != expected_prev {
            return Err(AuditError::BrokenLink {
                sequence: body.sequence,
                expected: expected_prev,
                found: body.prev_digest,
            });
        }
        if let Some(previous) = previous_time
            && body.recorded_at < previous
        {
            return Err(AuditError::TimeReversed {
                sequence: body.sequence,
                recorded_at: body.recorded_at,
                previous,
            });
        }
        let computed = body.digest()?;
        if computed != entry.entry_digest {
            return Err(AuditError::DigestMismatch {
                sequence: body.sequence,
                computed,
                found: entry.entry_digest,
            });
        }
        expected_prev = entry.entry_digest;
        previous_time = Some(body.recorded_at);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
