//! The agentic policy engine: when something happens (a trigger), decide what the zone must do
//! (actions), deterministically, and record the decision in a hash-chained audit trail.
//!
//! Owns the vocabularies [`TriggerKind`] and [`ActionKind`], the [`Trigger`] value, and the
//! submodules [`conditions`] (predicates over the payload), [`policy`] (policies, the indexed
//! [`policy::PolicySet`] and conflict resolution), [`versions`] (stored policy versions and how
//! they compose with the baseline) and [`audit`] (the hash chain).
//!
//! Never: executes an action. The engine returns [`policy::PlannedAction`]s; the agentic actor
//! executes them and records the outcome. No clock: a trigger carries its own time.

pub mod audit;
pub mod conditions;
pub mod policy;
pub mod versions;

use serde_json::Value;

use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::Digest;
use crate::fields::word_enum;
use crate::ids::JurisdictionId;
use crate::time::Timestamp;

word_enum! {
    /// What happened: the 20 events a policy can react to.
    TriggerKind {
        /// A regpack brought a new sanctions snapshot.
        SanctionsListUpdate = "sanctions_list_update",
        /// A licence changed status (suspended, expired, revoked, reinstated).
        LicenseStatusChange = "license_status_change",
        /// A regulator published new guidance.
        GuidanceUpdate = "guidance_update",
        /// A compliance deadline arrived.
        ComplianceDeadline = "compliance_deadline",
        /// A dispute was filed.
        DisputeFiled = "dispute_filed",
        /// An arbitration ruling was received.
        RulingReceived = "ruling_received",
        /// A ruling's appeal period ended without appeal.
        AppealPeriodExpired = "appeal_period_expired",
        /// A ruling's enforcement date arrived.
        EnforcementDue = "enforcement_due",
        /// A corridor changed lifecycle state.
        CorridorStateChange = "corridor_state_change",
        /// A settlement anchor can be posted.
        SettlementAnchorAvailable = "settlement_anchor_available",
        /// Enough watchers attested.
        WatcherQuorumReached = "watcher_quorum_reached",
        /// A corridor checkpoint is due.
        CheckpointDue = "checkpoint_due",
        /// A key must be rotated.
        KeyRotationDue = "key_rotation_due",
        /// A governance vote was resolved.
        GovernanceVoteResolved = "governance_vote_resolved",
        /// A tax year ended.
        TaxYearEnd = "tax_year_end",
        /// Withheld tax must be paid over.
        WithholdingDue = "withholding_due",
        /// An entity entered dissolution.
        EntityDissolution = "entity_dissolution",
        /// A lawpack, regpack or licensepack was updated.
        PackUpdated = "pack_updated",
        /// A smart asset's transfer was initiated.
        AssetTransferInitiated = "asset_transfer_initiated",
        /// A migration's deadline passed.
        MigrationDeadline = "migration_deadline",
    }
}

word_enum! {
    /// What the zone may be told to do.
    ActionKind {
        /// Stop accepting new work on the target (a corridor or the zone).
        Halt = "halt",
        /// Lift a halt on the target.
        Resume = "resume",
        /// Suspend an entity (entity lifecycle ACTIVE → SUSPENDED).
        SuspendEntity = "suspend_entity",
        /// Freeze a corridor: no new receipts until unfrozen.
        FreezeCorridor = "freeze_corridor",
        /// Enforce an arbitration ruling (escrow release, transfer, suspension).
        ArbitrationEnforce = "arbitration_enforce",
        /// Update a zone or corridor manifest (pinned packs, parameters).
        UpdateManifest = "update_manifest",
        /// Issue a verifiable credential.
        IssueCredential = "issue_credential",
        /// Notify a party or an operator.
        Notify = "notify",
        /// Freeze a smart asset: no transfers.
        FreezeAsset = "freeze_asset",
        /// Lift an asset freeze.
        UnfreezeAsset = "unfreeze_asset",
        /// Refuse a pending asset transfer.
        BlockAssetTransfer = "block_asset_transfer",
    }
}

impl ActionKind {
    /// The action this one cancels out on the same target, if any. A pair of opposites on one
    /// target is a conflict that [`policy::PolicySet::evaluate`] resolves.
    pub const fn opposite(&self) -> Option<ActionKind> {
        match self {
            ActionKind::Halt => Some(ActionKind::Resume),
            ActionKind::Resume => Some(ActionKind::Halt),
            ActionKind::FreezeAsset => Some(ActionKind::UnfreezeAsset),
            ActionKind::UnfreezeAsset => Some(ActionKind::FreezeAsset),
            _ => None,
        }
    }

    /// Whether this is the restrictive side of a conflicting pair (halt, freeze_asset).
    pub const fn is_restrictive(&self) -> bool {
        matches!(self, ActionKind::Halt | ActionKind::FreezeAsset)
    }
}

/// An event presented to the engine: its kind, where it happened, what it carries and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    kind: TriggerKind,
    jurisdiction: Option<JurisdictionId>,
    payload: Value,
    payload_digest: Digest,
    occurred_at: Timestamp,
}

impl Trigger {
    /// Builds a trigger. The payload must satisfy the MSEZ integer profile (conditions compare
    /// integers exactly); its canonical digest is computed once here for the audit trail.
    pub fn new(
        kind: TriggerKind,
        jurisdiction: Option<JurisdictionId>,
        payload: Value,
        occurred_at: Timestamp,
    ) -> Result<Self, CanonError> {
        let payload_digest = CanonicalBytes::new(&payload)?.digest();
        Ok(Self {
            kind,
            jurisdiction,
            payload,
            payload_digest,
            occurred_at,
        })
    }

    /// What happened.
    pub fn kind(&self) -> TriggerKind {
        self.kind
    }

    /// Where it happened; `None` for a zone-wide event.
    pub fn jurisdiction(&self) -> Option<&JurisdictionId> {
        self.jurisdiction.as_ref()
    }

    /// The event's data, read by conditions and action targets.
    pub fn payload(&self) -> &Value {
        &self.payload
    }

    /// Digest of the canonical payload.
    pub fn payload_digest(&self) -> Digest {
        self.payload_digest
    }

    /// When it happened.
    pub fn occurred_at(&self) -> Timestamp {
        self.occurred_at
    }
}

#[cfg(test)]
mod tests;
