//! Entity lifecycle: APPLIED → ACTIVE ⇄ SUSPENDED → DISSOLVING (10 stages) → DISSOLVED, and
//! APPLIED → REJECTED.
//!
//! Owns [`EntityLifecycle`], [`EntityState`], [`DissolutionStage`], [`EntityEvent`],
//! [`EntityTransition`] and [`EntityLifecycleError`].
//!
//! Never: skips a dissolution stage, moves a terminal entity, or accepts a transition against a
//! stale version. Each accepted transition bumps `version` by one and is recorded, so an actor
//! can persist transitions as a journal and replay them.

use serde::Serialize;

use crate::fields::word_enum;
use crate::ids::EntityId;
use crate::time::Timestamp;

word_enum! {
    /// The ten stages of a dissolution, in order.
    DissolutionStage {
        /// The members adopted a resolution to dissolve.
        ResolutionAdopted = "resolution_adopted",
        /// The zone regulator was notified.
        RegulatorNotified = "regulator_notified",
        /// A public notice was published.
        PublicNoticePublished = "public_notice_published",
        /// The creditors' claims period is running.
        CreditorClaimsPeriod = "creditor_claims_period",
        /// Assets were realised.
        AssetsRealised = "assets_realised",
        /// Liabilities were settled.
        LiabilitiesSettled = "liabilities_settled",
        /// Tax clearance was obtained.
        TaxClearanceObtained = "tax_clearance_obtained",
        /// The final distribution to members was made.
        FinalDistributionMade = "final_distribution_made",
        /// Final accounts were filed.
        FinalAccountsFiled = "final_accounts_filed",
        /// Deregistration was requested.
        DeregistrationRequested = "deregistration_requested",
    }
}

/// Where an entity is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "stage")]
pub enum EntityState {
    /// Applied, not yet decided.
    Applied,
    /// Operating.
    Active,
    /// Temporarily not allowed to operate.
    Suspended,
    /// Winding up, at a stage.
    Dissolving(DissolutionStage),
    /// Gone (terminal).
    Dissolved,
    /// Application refused (terminal).
    Rejected,
}

/// What may happen to an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityEvent {
    /// APPLIED → ACTIVE.
    Approve,
    /// APPLIED → REJECTED.
    Reject,
    /// ACTIVE → SUSPENDED.
    Suspend,
    /// SUSPENDED → ACTIVE.
    Reinstate,
    /// ACTIVE or SUSPENDED → DISSOLVING(resolution_adopted).
    BeginDissolution,
    /// DISSOLVING(stage n) → DISSOLVING(stage n + 1), or from the last stage → DISSOLVED.
    AdvanceDissolution,
}

/// One accepted transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EntityTransition {
    /// The version after this transition (the first transition yields 1).
    pub version: u64,
    /// State before.
    pub from: EntityState,
    /// State after.
    pub to: EntityState,
    /// The event.
    pub event: EntityEvent,
    /// When.
    pub at: Timestamp,
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntityLifecycleError {
    /// The event does not apply in the current state.
    #[error("entity {entity_id}: {event:?} is not allowed in state {state:?}")]
    NotAllowed {
        /// The entity.
        entity_id: EntityId,
        /// Its state.
        state: EntityState,
        /// The refused event.
        event: EntityEvent,
    },
    /// The caller's version is not the current one (a concurrent transition won).
    #[error(
        "entity {entity_id}: expected version {expected_version}, current is {current_version}"
    )]
    VersionConflict {
        /// The entity.
        entity_id: EntityId,
        /// What the caller expected.
        expected_version: u64,
        /// The current version.
        current_version: u64,
    },
    /// The transition's time is before the previous transition's.
    #[error("entity {entity_id}: time {at} precedes the last transition at {last_at}")]
    TimeReversed {
        /// The entity.
        entity_id: EntityId,
        /// The time given.
        at: Timestamp,
        /// The last transition's time.
        last_at: Timestamp,
    },
}

/// An entity's lifecycle: state, version and history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityLifecycle {
    entity_id: EntityId,
    state: EntityState,
    applied_at: Timestamp,
    history: Vec<EntityTransition>,
}

impl EntityState {
    /// Whether no event can move the entity any more.
    pub const fn is_terminal(&self) -> bool {
        matches!(self, EntityState::Dissolved | EntityState::Rejected)
    }
}

/// The state `event` leads to from `state`, if the event is allowed there.
pub fn next_state(state: EntityState, event: EntityEvent) -> Option<EntityState> {
    use EntityEvent as E;
    use EntityState as S;
    match (state, event) {
        (S::Applied, E::Approve) => Some(S::Active),
        (S::Applied, E::Reject) => Some(S::Rejected),
        (S::Active, E::Suspend) => Some(S::Suspended),
        (S::Suspended, E::Reinstate) => Some(S::Active),
        (S::Active | S::Suspended, E::BeginDissolution) => {
            Some(S::Dissolving(DissolutionStage::ResolutionAdopted))
        }
        (S::Dissolving(stage), E::AdvanceDissolution) => {
            let next_index = stage as usize + 1;
            Some(
                DissolutionStage::ALL
                    .get(next_index)
                    .map_or(S::Dissolved, |next| S::Dissolving(*next)),
            )
        }
        _ => None,
    }
}

impl EntityLifecycle {
    /// A new application, at version 0.
    pub fn apply_for(entity_id: EntityId, applied_at: Timestamp) -> Self {
        Self {
            entity_id,
            state: EntityState::Applied,
            applied_at,
            history: Vec::new(),
        }
    }

    /// The entity.
    pub fn entity_id(&self) -> &EntityId {
        &self.entity_id
    }

    /// The current state.
    pub fn state(&self) -> EntityState {
        self.state
    }

    /// The number of accepted transitions.
    pub fn version(&self) -> u64 {
        self.history.len() as u64
    }

    /// Every accepted transition, oldest first.
    pub fn history(&self) -> &[EntityTransition] {
        &self.history
    }

    /// Applies `event` at `at` if the caller's `expected_version` is current, the event is
    /// allowed, and time does not run backwards. On error nothing changes.
    pub fn transition(
        &mut self,
        expected_version: u64,
        event: EntityEvent,
        at: Timestamp,
    ) -> Result<EntityTransition, EntityLifecycleError> {
        if expected_version != self.version() {
            return Err(EntityLifecycleError::VersionConflict {
                entity_id: self.entity_id.clone(),
                expected_version,
                current_version: self.version(),
            });
        }
        let last_at = self.history.last().map_or(self.applied_at, |t| t.at);
        if at < last_at {
            return Err(EntityLifecycleError::TimeReversed {
                entity_id: self.entity_id.clone(),
                at,
                last_at,
            });
        }
        let to = next_state(self.state, event).ok_or(EntityLifecycleError::NotAllowed {
            entity_id: self.entity_id.clone(),
            state: self.state,
            event,
        })?;
        let record = EntityTransition {
            version: self.version() + 1,
            from: self.state,
            to,
            event,
            at,
        };
        self.history.push(record);
        self.state = to;
        Ok(record)
    }
}

#[cfg(test)]
mod tests;
