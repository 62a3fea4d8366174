//! The corridor host as the agentic actor's executor and as the scheduler's lease-renewal sink.
//!
//! Owns the [`CorridorControl`] implementation of [`Corridors`], [`LeaseRenewalSink`],
//! [`Corridors::lease_sink`] and [`Corridors::hand_lease_renewal_to`].
//!
//! Parties: read from the store's corridor records (entity ids only, paged), keeping the
//! corridors from which a halt is still meaningful (neither halted nor deprecated). Their names
//! and identifiers are not here: the agentic actor asks the entities (Mass) for them.
//!
//! Halt: the zone signs an authority's halt consent with its own key and applies it through
//! [`Corridors::halt`], the same lifecycle path an authority's order takes over HTTP. The
//! protocol accepts it only when the zone's key is one of the corridor's authorities; otherwise
//! the refusal (`NoAuthority`) is the action's recorded outcome.
//!
//! Lease renewal: a [`Corridors`] host renews its shard leases with a background task until
//! [`Corridors::hand_lease_renewal_to`] arms one repeating `LeaseRenewal` timer per shard in the
//! zone's scheduler and stops that task; each fired timer renews its shard through
//! [`LeaseRenewalSink`], off the scheduler's thread.
//!
//! Never: screens a party, decides a lifecycle rule, or blocks the scheduler.

use std::sync::Arc;

use msez_protocol::corridor::lifecycle::{HaltEvidence, TransitionKind, transition_consent};
use msez_protocol::ids::CorridorId;
use msez_protocol::vc::subjects::CorridorLifecycleState;

use super::core::parse_state;
use super::error::CorridorReject;
use super::handle::Corridors;
use super::leases::LeaseBook;
use crate::agentic::{
    ActionEvidence, BoxFuture, ControlError, CorridorControl, CorridorParties, SWEEP_PARTIES_MAX,
};
use crate::scheduler::{ScheduledTimer, SchedulerError, SchedulerHandle, TimerKind, TimerSink};

/// The target named when the corridor listing itself fails.
const CORRIDORS_TARGET: &str = "corridors";

impl CorridorControl for Corridors {
    fn parties(&self) -> BoxFuture<'_, Result<Vec<CorridorParties>, ControlError>> {
        Box::pin(async move {
            let store = &self.deps().store;
            let page_max = msez_persistence::corridors::CORRIDOR_IDS_PAGE_MAX;
            let mut open = Vec::new();
            let mut party_count = 0_usize;
            let mut after: Option<CorridorId> = None;
            loop {
                let page = store
                    .corridor_parties(after.as_ref(), page_max)
                    .await
                    .map_err(|error| ControlError::Unavailable {
                        target: CORRIDORS_TARGET.to_owned(),
                        reason: error.to_string(),
                    })?;
                let page_count = page.len() as u64;
                after = page.last().map(|record| record.corridor_id.clone());
                for record in page {
                    let state = parse_state(&record.lifecycle_state).ok_or_else(|| {
                        ControlError::Unavailable {
                            target: record.corridor_id.to_string(),
                            reason: format!(
                                "stored lifecycle state {:?} is unknown",
                                record.lifecycle_state
                            ),
                        }
                    })?;
                    if matches!(
                        state,
                        CorridorLifecycleState::Halted | CorridorLifecycleState::Deprecated
                    ) {
                        continue;
                    }
                    party_count += record.party_entity_ids.len();
                    open.push(CorridorParties {
                        corridor_id: record.corridor_id,
                        party_entity_ids: record.party_entity_ids,
                    });
                }
                // Past the sweep bound the agentic actor refuses the whole sweep; reading on
                // would only hold more memory.
                if page_count < page_max || party_count > SWEEP_PARTIES_MAX {
                    return Ok(open);
                }
            }
        })
    }

    fn halt(
        &self,
        corridor_id: CorridorId,
        evidence: ActionEvidence,
    ) -> BoxFuture<'_, Result<(), ControlError>> {
        Box::pin(async move {
            let deps = self.deps();
            let target = corridor_id.to_string();
            let order = transition_consent(
                &corridor_id,
                CorridorLifecycleState::Active,
                TransitionKind::Halt,
                &deps.zone_key,
                deps.clock.now(),
            )
            .map_err(|error| ControlError::Refused {
                target: target.clone(),
                reason: error.to_string(),
            })?;
            tracing::warn!(
                %corridor_id,
                policy_id = %evidence.policy_id,
                decision_sequence = evidence.decision_sequence,
                "agentic halt"
            );
            match Corridors::halt(self, &corridor_id, HaltEvidence::Authority(order)).await {
                Ok(_) => Ok(()),
                Err(rejection) => Err(control_error(target, rejection)),
            }
        })
    }
}

/// A corridor's refusal in the executor's terms: gone, busy, or refused with its reason.
fn control_error(target: String, rejection: CorridorReject) -> ControlError {
    match rejection {
        CorridorReject::UnknownCorridor { .. } => ControlError::UnknownTarget { target },
        CorridorReject::Overloaded { .. }
        | CorridorReject::Unavailable { .. }
        | CorridorReject::LeaseHeld { .. }
        | CorridorReject::Fenced { .. } => ControlError::Unavailable {
            target,
            reason: rejection.to_string(),
        },
        other => ControlError::Refused {
            target,
            reason: other.to_string(),
        },
    }
}

/// Renews one shard lease per fired `LeaseRenewal` timer, on its own task.
pub struct LeaseRenewalSink {
    leases: Arc<LeaseBook>,
}

impl TimerSink for LeaseRenewalSink {
    fn fire(&self, timer: &ScheduledTimer) -> Result<(), SchedulerError> {
        let TimerKind::LeaseRenewal { shard } = timer.kind else {
            return Err(SchedulerError::Undeliverable {
                timer_id: timer.timer_id,
                reason: "the lease sink renews leases only".to_owned(),
            });
        };
        let leases = Arc::clone(&self.leases);
        // Renewal waits on the store; the scheduler must not (sinks never block).
        tokio::spawn(async move { leases.renew(shard).await });
        Ok(())
    }
}

impl Corridors {
    /// The sink the zone's scheduler delivers `LeaseRenewal` timers to.
    pub fn lease_sink(&self) -> Arc<dyn TimerSink> {
        Arc::new(LeaseRenewalSink {
            leases: Arc::clone(&self.deps().leases),
        })
    }

    /// Arms one `LeaseRenewal` timer per store shard in `scheduler`, repeating every renewal
    /// interval from now, then stops this host's own renewal task. On an error nothing is
    /// handed over: timers armed so far are cancelled and the task keeps renewing.
    pub fn hand_lease_renewal_to(&self, scheduler: &SchedulerHandle) -> Result<(), SchedulerError> {
        let deps = self.deps();
        let interval_ms =
            u64::try_from(deps.leases.renew_interval().as_millis()).unwrap_or(u64::MAX);
        let now_unix_ms = u64::try_from(deps.clock.now().unix_seconds())
            .unwrap_or(0)
            .saturating_mul(1000);
        let mut armed = Vec::new();
        for shard in 0..deps.store.config().shard_count {
            let scheduled = scheduler.schedule(
                TimerKind::LeaseRenewal { shard },
                now_unix_ms.saturating_add(interval_ms),
                Some(interval_ms),
            );
            match scheduled {
                Ok(timer_id) => armed.push(timer_id),
                Err(error) => {
                    for timer_id in armed {
                        scheduler.cancel(timer_id);
                    }
                    return Err(error);
                }
            }
        }
        self.stop_own_renewal();
        Ok(())
    }
}
