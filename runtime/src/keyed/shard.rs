//! Shard supervisor: the ractor parent of one shard's keyed actors. It applies the host's restart
//! policy, backoff and per-key intensity when one of them crashes or is killed, and quarantines a
//! key whose intensity is exceeded.
//!
//! Owns `ShardSupervisor`. It overrides `handle_supervisor_evt` (ractor's default would stop the
//! supervisor, and with it the whole shard, when any child dies).
//!
//! Never: fails or stops because a child did; runs user code; restarts an actor that passivated
//! or was shut down.

use std::sync::Arc;
use std::time::Instant;

use ractor::{ActorCell, ActorProcessingErr, ActorRef, SupervisionEvent as RactorEvent};

use super::{HostInner, Keyed, millis};
use crate::introspection::SupervisionEvent;
use crate::policy::{RestartPolicy, RestartVerdict};
use crate::single_flight::Slot;
use crate::sync::lock_std;

/// The supervisor of one shard.
pub(crate) struct ShardSupervisor<K: Keyed> {
    pub(crate) host: Arc<HostInner<K>>,
    pub(crate) shard_index: u32,
}

impl<K: Keyed> ractor::Actor for ShardSupervisor<K> {
    type Msg = ();
    type State = ();
    type Arguments = ();

    async fn pre_start(&self, _myself: ActorRef<()>, _args: ()) -> Result<(), ActorProcessingErr> {
        Ok(())
    }

    async fn handle_supervisor_evt(
        &self,
        _myself: ActorRef<()>,
        event: RactorEvent,
        _state: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        match event {
            RactorEvent::ActorTerminated(cell, _state, reason) => {
                let reason = reason.unwrap_or_else(|| "stopped".to_owned());
                self.on_exit(&cell, reason);
            }
            RactorEvent::ActorFailed(cell, error) => self.on_exit(&cell, error.to_string()),
            RactorEvent::ActorStarted(_) | RactorEvent::ProcessGroupChanged(_) => {}
        }
        Ok(())
    }
}

impl<K: Keyed> ShardSupervisor<K> {
    /// Handles the exit of a child. A passivated or shut-down child no longer owns its slot, so
    /// an exit of the slot's own incarnation is always abnormal: a failure or a kill.
    fn on_exit(&self, cell: &ActorCell, reason: String) {
        let host = &self.host;
        let shard = &host.shards[self.shard_index as usize];
        let Some((key, incarnation_id)) = lock_std(&shard.keys_by_actor).remove(&cell.get_id())
        else {
            return;
        };
        // A passivate hook that crashed leaves its passivating slot behind: clear it.
        shard.table.end_passivation(&key, incarnation_id);
        let mut slots = shard.table.slots();
        let Some(Slot::Active {
            incarnation,
            history,
            restart_count,
            last_failure,
        }) = slots.get_mut(&key)
        else {
            return;
        };
        if incarnation.incarnation_id != incarnation_id {
            return;
        }
        let path = host.key_path(shard, &key);
        host.introspection.emit(SupervisionEvent::Failed {
            path: path.clone(),
            reason: reason.clone(),
        });
        if host.config.restart == RestartPolicy::Temporary {
            slots.remove(&key);
            host.introspection.emit(SupervisionEvent::Stopped { path });
            return;
        }
        let attempt = match history.record(host.config.intensity, Instant::now()) {
            RestartVerdict::Restart { attempt } => attempt,
            RestartVerdict::Escalate => {
                let restart_count = *restart_count;
                slots.insert(
                    key,
                    Slot::Quarantined {
                        last_failure: reason.clone(),
                        restart_count,
                    },
                );
                host.introspection
                    .emit(SupervisionEvent::Escalated { path, reason });
                return;
            }
        };
        let delay = host.config.backoff.delay(attempt, fastrand::f64());
        match host.spawn_incarnation(shard, &key, delay, None) {
            Ok(successor) => {
                *incarnation = successor;
                *restart_count = restart_count.saturating_add(1);
                *last_failure = Some(reason);
                host.introspection.emit(SupervisionEvent::Restarted {
                    path,
                    attempt,
                    backoff_ms: millis(delay),
                });
            }
            Err(error) => {
                // Shutting down, or ractor refused: forget the key; its next message (if the
                // host still runs) activates it afresh.
                slots.remove(&key);
                tracing::warn!(%path, %error, "restart failed; key forgotten");
                host.introspection.emit(SupervisionEvent::Stopped { path });
            }
        }
    }
}
