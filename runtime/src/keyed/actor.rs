//! The ractor actor that runs one incarnation of one key: waits out its restart backoff and its
//! predecessor's passivation, hydrates, handles messages, passivates.
//!
//! Owns `KeyedActor`, its `Envelope` and `Activation`. Hydrate runs in `post_start`, after ractor
//! has linked the actor to its shard supervisor, so a failed hydrate is an ordinary supervised
//! failure (restart with backoff), and messages sent meanwhile wait in the mailbox.
//!
//! Never: touches another key's state; removes its slot unless the slot is still its own.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ractor::{ActorProcessingErr, ActorRef};
use tokio::sync::{oneshot, watch};

use super::{Barrier, HostInner, IncarnationShared, Keyed};
use crate::introspection::{NodeStatus, SupervisionEvent};

/// What the mailbox carries: user messages and the host's passivation requests.
pub(crate) enum Envelope<M> {
    /// A user message, admitted (counted) by the sender.
    User(M),
    /// Stop after running the passivate hook. Not counted by admission.
    Passivate {
        mode: PassivateMode,
        reply: Option<oneshot::Sender<bool>>,
    },
}

/// Why an actor is asked to passivate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PassivateMode {
    /// The sweeper saw it idle; re-checked here, since a message may have arrived since.
    Idle { idle_ms: u64 },
    /// `KeyedHost::passivate`: passivate now unless messages are admitted.
    Requested,
    /// `KeyedHost::shutdown` already removed the slot: passivate unconditionally.
    Shutdown,
}

/// Exit reason of a passivated actor (seen by the shard supervisor as a normal stop).
pub(crate) const PASSIVATED_REASON: &str = "passivated";

/// Startup arguments of one incarnation.
pub(crate) struct Activation<K: Keyed> {
    pub(crate) key: K::Key,
    pub(crate) incarnation_id: u64,
    pub(crate) shared: Arc<IncarnationShared>,
    /// Restart backoff to wait before hydrating (zero on first activation).
    pub(crate) delay: Duration,
    /// Predecessor still passivating: wait for its hook before hydrating.
    pub(crate) predecessor: Option<Barrier>,
}

/// One incarnation's state: the activation plus the user state once hydrated.
pub(crate) struct ActorState<K: Keyed> {
    activation: Activation<K>,
    user: Option<K::State>,
}

/// The ractor handler of keyed actors.
pub(crate) struct KeyedActor<K: Keyed> {
    pub(crate) host: Arc<HostInner<K>>,
    pub(crate) shard_index: u32,
}

impl<K: Keyed> ractor::Actor for KeyedActor<K> {
    type Msg = Envelope<K::Msg>;
    type State = ActorState<K>;
    type Arguments = Activation<K>;

    async fn pre_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        activation: Activation<K>,
    ) -> Result<Self::State, ActorProcessingErr> {
        // Nothing that can fail here: ractor links the actor to its supervisor only after
        // pre_start, so failures before the link would go unnoticed. Hydrate is in post_start.
        Ok(ActorState {
            activation,
            user: None,
        })
    }

    async fn post_start(
        &self,
        _myself: ActorRef<Self::Msg>,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let activation = &mut state.activation;
        if !activation.delay.is_zero() {
            tokio::time::sleep(activation.delay).await;
        }
        if let Some(mut predecessor) = activation.predecessor.take() {
            // Err means the predecessor's hook crashed and dropped the sender: also done.
            let _ = predecessor.wait_for(|done| *done).await;
        }
        activation.shared.set_status(NodeStatus::Hydrating);
        // Boxed, like `handle` and `passivate` below: see `handle`.
        let user = Box::pin(self.host.behaviour.hydrate(&activation.key)).await?;
        state.user = Some(user);
        activation.shared.set_status(NodeStatus::Running);
        if self.host.introspection.has_subscribers() {
            self.host.introspection.emit(SupervisionEvent::Started {
                path: self.path(&activation.key),
            });
        }
        Ok(())
    }

    async fn handle(
        &self,
        myself: ActorRef<Self::Msg>,
        message: Self::Msg,
        state: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            Envelope::User(msg) => {
                let shared = &state.activation.shared;
                shared.admission.release();
                shared
                    .last_active_ms
                    .store(self.host.clock_ms(), Ordering::Relaxed);
                let Some(user) = state.user.as_mut() else {
                    // post_start hydrates before ractor delivers any message.
                    return Err("keyed actor received a message before hydrate".into());
                };
                // Boxed: ractor's actor loop, a task that lives as long as the actor, embeds
                // the futures it awaits, so an unboxed behaviour future would make every idle
                // actor carry the largest state any message ever needs (a corridor's append
                // with its store calls). Boxed, that memory exists only while a message runs.
                Box::pin(self.host.behaviour.handle(&state.activation.key, user, msg)).await?;
                Ok(())
            }
            Envelope::Passivate { mode, reply } => {
                let passivated = self.passivate(&myself, state, mode).await;
                if let Some(reply) = reply {
                    // The requester may have timed out; the outcome stands either way.
                    let _ = reply.send(passivated);
                }
                Ok(())
            }
        }
    }
}

impl<K: Keyed> KeyedActor<K> {
    fn path(&self, key: &K::Key) -> String {
        let shard = &self.host.shards[self.shard_index as usize];
        self.host.key_path(shard, key)
    }

    /// Runs the passivate hook and stops, if the slot can still be given up. Returns whether it
    /// passivated.
    async fn passivate(
        &self,
        myself: &ActorRef<Envelope<K::Msg>>,
        state: &mut ActorState<K>,
        mode: PassivateMode,
    ) -> bool {
        let activation = &state.activation;
        if let PassivateMode::Idle { idle_ms } = mode {
            let last_active_ms = activation.shared.last_active_ms.load(Ordering::Relaxed);
            if self.host.clock_ms().saturating_sub(last_active_ms) < idle_ms {
                return false;
            }
        }
        let shard = &self.host.shards[self.shard_index as usize];
        let (done, barrier) = watch::channel(false);
        if mode != PassivateMode::Shutdown
            && !shard
                .table
                .begin_passivation(&activation.key, activation.incarnation_id, barrier)
        {
            // Replaced, or messages admitted since: stay active.
            return false;
        }
        activation.shared.set_status(NodeStatus::Passivating);
        if let Some(user) = state.user.as_mut()
            && let Err(failure) =
                Box::pin(self.host.behaviour.passivate(&activation.key, user)).await
        {
            self.host.introspection.emit(SupervisionEvent::Failed {
                path: self.path(&activation.key),
                reason: format!("passivate hook: {failure}"),
            });
        }
        // A successor may be waiting on this to hydrate; none waiting is fine.
        let _ = done.send(true);
        if mode != PassivateMode::Shutdown {
            shard
                .table
                .end_passivation(&activation.key, activation.incarnation_id);
        }
        activation.shared.set_status(NodeStatus::Stopped);
        if self.host.introspection.has_subscribers() {
            self.host.introspection.emit(SupervisionEvent::Passivated {
                path: self.path(&activation.key),
            });
        }
        myself.stop(Some(PASSIVATED_REASON.to_owned()));
        true
    }
}
