//! The migration saga: moving an asset from one zone to another in eight phases, with a
//! compensation for every step taken after the source lock, phase deadlines, versioned
//! transitions, and a zone-aware ledger that makes double spending impossible.
//!
//! Owns [`MigrationSaga`], [`MigrationPhase`], [`Compensation`], [`AssetLedger`],
//! [`AssetLocation`], [`SagaTimeouts`] and [`MigrationError`].
//!
//! Never: reads a clock (every step takes `at`), or leaves an asset usable in two zones. The
//! ledger is the single place an asset's location is recorded; the saga changes it only through
//! [`AssetLedger`] moves that check the asset is where the saga believes it is.
//!
//! Phases: INITIATED → COMPLIANCE_CHECK → ATTESTATION_GATHERING → SOURCE_LOCKED → IN_TRANSIT →
//! DESTINATION_VERIFICATION → DESTINATION_UNLOCK → COMPLETED; terminals COMPENSATED (aborted
//! after the lock, compensations run), TIMED_OUT (a phase deadline passed) and CANCELLED
//! (aborted before the lock: nothing to undo).
//!
//! Ledger effects: entering SOURCE_LOCKED locks the asset in the source zone; IN_TRANSIT marks
//! it in transit; completing DESTINATION_UNLOCK (entering COMPLETED) makes it available in the
//! destination, atomically. Aborting after the lock returns it to the source zone, and the
//! compensations for the remote side are listed newest first for the actors to execute.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::fields::word_enum;
use crate::ids::string_id;
use crate::time::Timestamp;
use crate::zone::ZoneId;

string_id!(
    /// A smart asset's id.
    AssetId,
    "asset_id"
);

string_id!(
    /// A migration's id.
    MigrationId,
    "migration_id"
);

word_enum! {
    /// A saga phase (the last three are terminal).
    MigrationPhase {
        /// Requested.
        Initiated = "initiated",
        /// Compliance of the move is being checked.
        ComplianceCheck = "compliance_check",
        /// Attestations are being gathered.
        AttestationGathering = "attestation_gathering",
        /// The asset is locked in the source zone.
        SourceLocked = "source_locked",
        /// The asset is in transit.
        InTransit = "in_transit",
        /// The destination verifies the asset.
        DestinationVerification = "destination_verification",
        /// The destination unlocks the asset.
        DestinationUnlock = "destination_unlock",
        /// Done: the asset lives in the destination.
        Completed = "completed",
        /// Aborted after the lock; compensations ran.
        Compensated = "compensated",
        /// A phase deadline passed.
        TimedOut = "timed_out",
        /// Aborted before the lock.
        Cancelled = "cancelled",
    }
}

word_enum! {
    /// The undo of one forward step taken at or after SOURCE_LOCKED.
    Compensation {
        /// Undo SOURCE_LOCKED: release the source lock.
        ReleaseSourceLock = "release_source_lock",
        /// Undo IN_TRANSIT: recall the asset from transit.
        RecallFromTransit = "recall_from_transit",
        /// Undo DESTINATION_VERIFICATION: withdraw the destination's verification.
        WithdrawDestinationVerification = "withdraw_destination_verification",
        /// Undo DESTINATION_UNLOCK: revoke the destination's unlock.
        RevokeDestinationUnlock = "revoke_destination_unlock",
    }
}

/// Where an asset is, across zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "location")]
pub enum AssetLocation {
    /// Usable in this zone.
    Available {
        /// The zone.
        zone_id: ZoneId,
    },
    /// Locked in this zone by a migration.
    Locked {
        /// The zone.
        zone_id: ZoneId,
        /// The migration holding the lock.
        migration_id: MigrationId,
    },
    /// Between zones, owned by a migration.
    InTransit {
        /// The source zone.
        from_zone_id: ZoneId,
        /// The destination zone.
        to_zone_id: ZoneId,
        /// The migration moving it.
        migration_id: MigrationId,
    },
}

/// Every asset's location: the single source of truth the no-double-spend invariant rests on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssetLedger {
    locations: BTreeMap<AssetId, AssetLocation>,
}

/// How long each non-terminal phase may last, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SagaTimeouts {
    /// Per non-terminal phase, in phase order (INITIATED .. DESTINATION_UNLOCK).
    pub phase_timeout_s: [i64; 7],
}

/// One accepted saga transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SagaTransition {
    /// Version after the transition (first transition yields 1).
    pub version: u64,
    /// Phase before.
    pub from: MigrationPhase,
    /// Phase after.
    pub to: MigrationPhase,
    /// When.
    pub at: Timestamp,
    /// Compensations to execute, newest first (empty for forward steps).
    pub compensations: Vec<Compensation>,
}

/// A migration of one asset from a source zone to a destination zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationSaga {
    migration_id: MigrationId,
    asset_id: AssetId,
    source_zone_id: ZoneId,
    destination_zone_id: ZoneId,
    phase: MigrationPhase,
    phase_entered_at: Timestamp,
    timeouts: SagaTimeouts,
    history: Vec<SagaTransition>,
}

/// Why a saga step or ledger move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MigrationError {
    /// The saga is in a terminal phase.
    #[error("migration {migration_id} is {phase}; it cannot move")]
    Terminal {
        /// The migration.
        migration_id: MigrationId,
        /// Its terminal phase.
        phase: MigrationPhase,
    },
    /// The caller's version is stale.
    #[error(
        "migration {migration_id}: expected version {expected_version}, current is {current_version}"
    )]
    VersionConflict {
        /// The migration.
        migration_id: MigrationId,
        /// What the caller expected.
        expected_version: u64,
        /// The current version.
        current_version: u64,
    },
    /// The current phase's deadline has passed; only a timeout is possible now.
    #[error("migration {migration_id}: phase {phase} deadline {deadline} passed (at {at})")]
    DeadlinePassed {
        /// The migration.
        migration_id: MigrationId,
        /// The phase.
        phase: MigrationPhase,
        /// Its deadline.
        deadline: Timestamp,
        /// The time given.
        at: Timestamp,
    },
    /// A timeout was requested before the deadline.
    #[error("migration {migration_id}: phase {phase} deadline {deadline} has not passed (at {at})")]
    DeadlineNotReached {
        /// The migration.
        migration_id: MigrationId,
        /// The phase.
        phase: MigrationPhase,
        /// Its deadline.
        deadline: Timestamp,
        /// The time given.
        at: Timestamp,
    },
    /// Time runs backwards.
    #[error("migration {migration_id}: time {at} precedes the phase start {since}")]
    TimeReversed {
        /// The migration.
        migration_id: MigrationId,
        /// The time given.
        at: Timestamp,
        /// When the phase began.
        since: Timestamp,
    },
    /// The asset is not where the step requires (another migration holds it, or it is in
    /// another zone): the move would double-spend.
    #[error("asset {asset_id} is not {expected} (found {found:?})")]
    AssetNotWhereExpected {
        /// The asset.
        asset_id: AssetId,
        /// What the step requires.
        expected: &'static str,
        /// Where it is.
        found: Option<AssetLocation>,
    },
    /// Source and destination are the same zone.
    #[error("migration {migration_id}: source and destination are both {zone_id}")]
    SameZone {
        /// The migration.
        migration_id: MigrationId,
        /// The zone.
        zone_id: ZoneId,
    },
    /// A timeout outside 1 s ..= 30 days.
    #[error("phase timeout {timeout_s} s is outside 1..={PHASE_TIMEOUT_S_MAX}")]
    BadTimeout {
        /// The timeout given.
        timeout_s: i64,
    },
}

/// The longest a phase may be given: 30 days. Longer and a lock would strand an asset for a
/// regulatory period; a migration that needs more is restarted.
pub const PHASE_TIMEOUT_S_MAX: i64 = 30 * 24 * 3600;

impl AssetLedger {
    /// Registers `asset_id` as available in `zone_id` (issuance); refuses a known asset.
    pub fn register(&mut self, asset_id: AssetId, zone_id: ZoneId) -> Result<(), MigrationError> {
        if let Some(found) = self.locations.get(&asset_id) {
            return Err(MigrationError::AssetNotWhereExpected {
                asset_id,
                expected: "unregistered",
                found: Some(found.clone()),
            });
        }
        self.locations
            .insert(asset_id, AssetLocation::Available { zone_id });
        Ok(())
    }

    /// Where `asset_id` is.
    pub fn location(&self, asset_id: &AssetId) -> Option<&AssetLocation> {
        self.locations.get(asset_id)
    }

    /// The zone where `asset_id` can be spent now, if any (never more than one).
    pub fn spendable_in(&self, asset_id: &AssetId) -> Option<&ZoneId> {
        match self.locations.get(asset_id) {
            Some(AssetLocation::Available { zone_id }) => Some(zone_id),
            _ => None,
        }
    }

    /// All assets and their locations.
    pub fn locations(&self) -> &BTreeMap<AssetId, AssetLocation> {
        &self.locations
    }

    /// Replaces the location of `asset_id` if it currently equals `expected`.
    fn move_asset(
        &mut self,
        asset_id: &AssetId,
        expected: &AssetLocation,
        expected_label: &'static str,
        next: AssetLocation,
    ) -> Result<(), MigrationError> {
        match self.locations.get_mut(asset_id) {
            Some(location) if location == expected => {
                *location = next;
                Ok(())
            }
            found => Err(MigrationError::AssetNotWhereExpected {
                asset_id: asset_id.clone(),
                expected: expected_label,
                found: found.cloned(),
            }),
        }
    }
}

impl MigrationPhase {
    /// Whether the saga has ended.
    pub const fn is_terminal(&self) -> bool {
        matches!(
            self,
            MigrationPhase::Completed
                | MigrationPhase::Compensated
                | MigrationPhase::TimedOut
                | MigrationPhase::Cancelled
        )
    }

    /// The compensation that undoes entering this phase, if entering it changed anything.
    pub const fn compensation(&self) -> Option<Compensation> {
        match self {
            MigrationPhase::SourceLocked => Some(Compensation::ReleaseSourceLock),
            MigrationPhase::InTransit => Some(Compensation::RecallFromTransit),
            MigrationPhase::DestinationVerification => {
                Some(Compensation::WithdrawDestinationVerification)
            }
            MigrationPhase::DestinationUnlock => Some(Compensation::RevokeDestinationUnlock),
            _ => None,
        }
    }
}

impl MigrationSaga {
    /// Starts a migration in phase INITIATED at `at`.
    pub fn initiate(
        migration_id: MigrationId,
        asset_id: AssetId,
        source_zone_id: ZoneId,
        destination_zone_id: ZoneId,
        timeouts: SagaTimeouts,
        at: Timestamp,
    ) -> Result<Self, MigrationError> {
        if source_zone_id == destination_zone_id {
            return Err(MigrationError::SameZone {
                migration_id,
                zone_id: source_zone_id,
            });
        }
        if let Some(&timeout_s) = timeouts
            .phase_timeout_s
            .iter()
            .find(|&&t| !(1..=PHASE_TIMEOUT_S_MAX).contains(&t))
        {
            return Err(MigrationError::BadTimeout { timeout_s });
        }
        Ok(Self {
            migration_id,
            asset_id,
            source_zone_id,
            destination_zone_id,
            phase: MigrationPhase::Initiated,
            phase_entered_at: at,
            timeouts,
            history: Vec::new(),
        })
    }

    /// The migration's id.
    pub fn migration_id(&self) -> &MigrationId {
        &self.migration_id
    }

    /// The asset.
    pub fn asset_id(&self) -> &AssetId {
        &self.asset_id
    }

    /// The current phase.
    pub fn phase(&self) -> MigrationPhase {
        self.phase
    }

    /// Accepted transitions.
    pub fn version(&self) -> u64 {
        self.history.len() as u64
    }

    /// Every accepted transition, oldest first.
    pub fn history(&self) -> &[SagaTransition] {
        &self.history
    }

    /// The deadline of the current phase, or `None` once terminal.
    pub fn deadline(&self) -> Option<Timestamp> {
        let timeout_s = self.timeouts.phase_timeout_s.get(self.phase as usize)?;
        self.phase_entered_at.checked_add_seconds(*timeout_s)
    }

    /// Moves to the next phase at `at`, applying its ledger effect. Refused when terminal, on a
    /// stale version, after the deadline, or if the asset is not where the step requires.
    pub fn advance(
        &mut self,
        ledger: &mut AssetLedger,
        expected_version: u64,
        at: Timestamp,
    ) -> Result<SagaTransition, MigrationError> {
        self.check_step(expected_version, at)?;
        if let Some(deadline) = self.deadline()
            && at > deadline
        {
            return Err(MigrationError::DeadlinePassed {
                migration_id: self.migration_id.clone(),
                phase: self.phase,
                deadline,
                at,
            });
        }
        let next = MigrationPhase::ALL
            .get(self.phase as usize + 1)
            .copied()
            .ok_or_else(|| self.terminal())?;
        self.apply_forward_effect(ledger, next)?;
        Ok(self.record(next, at, Vec::new()))
    }

    /// Aborts at `at`: CANCELLED before the lock, COMPENSATED after it (the asset goes back to
    /// the source zone and the compensations are listed newest first).
    pub fn cancel(
        &mut self,
        ledger: &mut AssetLedger,
        expected_version: u64,
        at: Timestamp,
    ) -> Result<SagaTransition, MigrationError> {
        self.check_step(expected_version, at)?;
        let compensations = self.compensations();
        let terminal = if compensations.is_empty() {
            MigrationPhase::Cancelled
        } else {
            MigrationPhase::Compensated
        };
        self.return_to_source(ledger)?;
        Ok(self.record(terminal, at, compensations))
    }

    /// Ends the saga as TIMED_OUT at `at`, which must be past the current phase's deadline;
    /// compensations run as for [`cancel`](Self::cancel).
    pub fn time_out(
        &mut self,
        ledger: &mut AssetLedger,
        expected_version: u64,
        at: Timestamp,
    ) -> Result<SagaTransition, MigrationError> {
        self.check_step(expected_version, at)?;
        let deadline = self.deadline().ok_or_else(|| self.terminal())?;
        if at <= deadline {
            return Err(MigrationError::DeadlineNotReached {
                migration_id: self.migration_id.clone(),
                phase: self.phase,
                deadline,
                at,
            });
        }
        let compensations = self.compensations();
        self.return_to_source(ledger)?;
        Ok(self.record(MigrationPhase::TimedOut, at, compensations))
    }

    fn terminal(&self) -> MigrationError {
        MigrationError::Terminal {
            migration_id: self.migration_id.clone(),
            phase: self.phase,
        }
    }

    fn check_step(&self, expected_version: u64, at: Timestamp) -> Result<(), MigrationError> {
        if self.phase.is_terminal() {
            return Err(self.terminal());
        }
        if expected_version != self.version() {
            return Err(MigrationError::VersionConflict {
                migration_id: self.migration_id.clone(),
                expected_version,
                current_version: self.version(),
            });
        }
        if at < self.phase_entered_at {
            return Err(MigrationError::TimeReversed {
                migration_id: self.migration_id.clone(),
                at,
                since: self.phase_entered_at,
            });
        }
        Ok(())
    }

    /// Compensations for every phase entered from SOURCE_LOCKED up to the current one, newest
    /// first.
    fn compensations(&self) -> Vec<Compensation> {
        MigrationPhase::ALL
            .iter()
            .take(self.phase as usize + 1)
            .rev()
            .filter_map(MigrationPhase::compensation)
            .collect()
    }

    fn locked_here(&self) -> AssetLocation {
        AssetLocation::Locked {
            zone_id: self.source_zone_id.clone(),
            migration_id: self.migration_id.clone(),
        }
    }

    fn in_transit(&self) -> AssetLocation {
        AssetLocation::InTransit {
            from_zone_id: self.source_zone_id.clone(),
            to_zone_id: self.destination_zone_id.clone(),
            migration_id: self.migration_id.clone(),
        }
    }

    fn apply_forward_effect(
        &self,
        ledger: &mut AssetLedger,
        next: MigrationPhase,
    ) -> Result<(), MigrationError> {
        let available_at_source = AssetLocation::Available {
            zone_id: self.source_zone_id.clone(),
        };
        match next {
            MigrationPhase::SourceLocked => ledger.move_asset(
                &self.asset_id,
                &available_at_source,
                "available in the source zone",
                self.locked_here(),
            ),
            MigrationPhase::InTransit => ledger.move_asset(
                &self.asset_id,
                &self.locked_here(),
                "locked by this migration",
                self.in_transit(),
            ),
            MigrationPhase::Completed => ledger.move_asset(
                &self.asset_id,
                &self.in_transit(),
                "in transit by this migration",
                AssetLocation::Available {
                    zone_id: self.destination_zone_id.clone(),
                },
            ),
            _ => Ok(()),
        }
    }

    /// Returns the asset to the source zone if this saga holds it (locked or in transit).
    fn return_to_source(&self, ledger: &mut AssetLedger) -> Result<(), MigrationError> {
        let available_at_source = AssetLocation::Available {
            zone_id: self.source_zone_id.clone(),
        };
        let held = match self.phase {
            MigrationPhase::SourceLocked => self.locked_here(),
            MigrationPhase::InTransit
            | MigrationPhase::DestinationVerification
            | MigrationPhase::DestinationUnlock => self.in_transit(),
            _ => return Ok(()),
        };
        ledger.move_asset(
            &self.asset_id,
            &held,
            "held by this migration",
            available_at_source,
        )
    }

    fn record(
        &mut self,
        to: MigrationPhase,
        at: Timestamp,
        compensations: Vec<Compensation>,
    ) -> SagaTransition {
        let from = self.phase;
        self.phase = to;
        self.phase_entered_at = at;
        let version = self.version() + 1;
        let transition = SagaTransition {
            version,
            from,
            to,
            at,
            compensations,
        };
        self.history.push(transition.clone());
        transition
    }
}

#[cfg(test)]
mod tests;
