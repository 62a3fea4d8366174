//! Watcher actors: one task per registered watcher key, attesting every durable corridor head
//! it observes and reporting two different heads for the same corridor and sequence.
//!
//! Owns [`spawn_watcher`], [`WatcherHandle`], [`WatcherReport`], [`HostedWatcher`] (a watcher
//! as a supervised child of the zone's services supervisor, for keys the node hosts) and the
//! bound [`WATCHED_HEADS_MAX`].
//!
//! A watcher subscribes to the corridor actors' head events ([`CorridorEvent`], published after
//! each durable append) and may be fed heads from elsewhere (a peer zone's receipts) through
//! [`WatcherHandle::observe`]. For the first head it sees at a (corridor, sequence) it signs a
//! SPEC §11 [`WatcherAttestation`] (parent root, candidate root, observed head). A second,
//! different head at the same place is a fork: the watcher reports it and does **not** sign it,
//! since signing both would be the watcher's own equivocation.
//!
//! Never: signs two candidate roots for one (corridor, sequence), or blocks a corridor actor
//! (the broadcast channel drops the oldest events for a slow watcher, which reports the gap).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use ractor::{Actor, ActorProcessingErr, ActorRef};
use tokio::sync::{broadcast, mpsc};

use msez_protocol::corridor::watcher::{AttestationStatement, WatcherAttestation};
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::keys::SigningKey;
use msez_protocol::vc::subjects::ObservedHead;
use msez_runtime::{ActorFailure, ChildSpec, RestartPolicy, StartFn};

use crate::clock::Clock;
use crate::corridor::core::CorridorEvent;

/// Heads a watcher remembers to detect forks: 100,000 (about 10 heads for each of 10,000
/// corridors, ~20 MB); the oldest are forgotten first.
pub const WATCHED_HEADS_MAX: usize = 100_000;

/// Heads fed through [`WatcherHandle::observe`] that may wait.
const OBSERVE_QUEUE_MAX: usize = 1_024;

/// What a watcher reports.
#[derive(Debug, Clone)]
pub enum WatcherReport {
    /// A signed attestation of a head.
    Attested(Box<WatcherAttestation>),
    /// Two different heads for the same corridor and sequence.
    ForkObserved {
        /// The corridor.
        corridor_id: CorridorId,
        /// The contested sequence.
        sequence: u64,
        /// The parent root the first head extends.
        first_parent_root: Digest,
        /// The head attested first.
        first_next_root: Digest,
        /// The parent root the second head extends.
        second_parent_root: Digest,
        /// The other head (not attested).
        second_next_root: Digest,
    },
    /// The watcher fell behind and missed this many events.
    Lagged {
        /// Events missed.
        missed_count: u64,
    },
    /// Signing an attestation failed.
    SigningFailed {
        /// The corridor.
        corridor_id: CorridorId,
        /// The sequence.
        sequence: u64,
        /// Why.
        reason: String,
    },
}

/// The handle of a running watcher; dropping every handle stops it once its inputs close.
#[derive(Debug, Clone)]
pub struct WatcherHandle {
    observe: mpsc::Sender<CorridorEvent>,
}

impl WatcherHandle {
    /// Feeds a head observed elsewhere (a peer zone's receipt); waits while the queue is full.
    pub async fn observe(&self, event: CorridorEvent) -> bool {
        self.observe.send(event).await.is_ok()
    }
}

/// Starts a watcher for `key` on `events`, sending its reports to `reports`.
pub fn spawn_watcher(
    key: Arc<SigningKey>,
    clock: Arc<dyn Clock>,
    events: broadcast::Receiver<CorridorEvent>,
    reports: mpsc::Sender<WatcherReport>,
) -> WatcherHandle {
    let (observe, observed) = mpsc::channel(OBSERVE_QUEUE_MAX);
    tokio::spawn(Watcher::new(key, clock, reports).run(events, observed));
    WatcherHandle { observe }
}

/// A watcher the node hosts (it holds the key) as a supervised actor: restarted by its
/// supervisor like any other child, visible in the supervision tree, and re-subscribed to the
/// corridor head events on every start. A restarted watcher forgets which heads it attested;
/// heads come from this node's durable journal, which never holds two receipts at one
/// sequence, so it cannot come to sign two roots for one place.
#[derive(Clone)]
pub struct HostedWatcher {
    /// The watcher's key.
    pub key: Arc<SigningKey>,
    /// Signing time.
    pub clock: Arc<dyn Clock>,
    /// A fresh subscription to the corridor head events (`Corridors::subscribe`).
    pub subscribe: Arc<dyn Fn() -> broadcast::Receiver<CorridorEvent> + Send + Sync>,
    /// Where reports go; the sink closing stops the watcher (and its supervisor restarts it).
    pub reports: mpsc::Sender<WatcherReport>,
}

impl HostedWatcher {
    /// The child name in the supervision tree: `watcher-` and the key's multibase text, so a
    /// watcher is found by the did it attests under.
    pub fn child_name(&self) -> String {
        format!("watcher-{}", self.key.did().multibase())
    }

    /// The supervisor child that runs this watcher (restarted whenever it stops).
    pub fn child_spec(&self) -> ChildSpec {
        let hosted = self.clone();
        let start: StartFn = Arc::new(move |supervisor| {
            let hosted = hosted.clone();
            Box::pin(async move {
                let (actor, _join) = Actor::spawn_linked(None, WatcherActor, hosted, supervisor)
                    .await
                    .map_err(|error| ActorFailure::new(format!("watcher: {error}")))?;
                Ok(actor.get_cell())
            })
        });
        ChildSpec {
            name: self.child_name(),
            kind: "watcher".to_owned(),
            restart: RestartPolicy::Permanent,
            start,
        }
    }
}

/// What the hosted watcher's event forwarder hands its actor.
#[derive(Debug)]
pub enum WatcherMsg {
    /// A durable head.
    Head(CorridorEvent),
    /// The subscription dropped this many events (the watcher was too slow).
    Lagged(u64),
    /// The corridor events ended (the corridor host stopped).
    EventsClosed,
}

/// The ractor behaviour of a [`HostedWatcher`]. Its state is a [`Watcher`]; a forwarding task
/// moves the broadcast's events into the mailbox and ends when the actor is gone (its next
/// send fails), so a killed watcher leaves nothing running.
struct WatcherActor;

impl Actor for WatcherActor {
    type Msg = WatcherMsg;
    type State = Watcher;
    type Arguments = HostedWatcher;

    async fn pre_start(
        &self,
        myself: ActorRef<WatcherMsg>,
        hosted: HostedWatcher,
    ) -> Result<Watcher, ActorProcessingErr> {
        let mut events = (hosted.subscribe)();
        tokio::spawn(async move {
            loop {
                let message = match events.recv().await {
                    Ok(event) => WatcherMsg::Head(event),
                    Err(broadcast::error::RecvError::Lagged(missed_count)) => {
                        WatcherMsg::Lagged(missed_count)
                    }
                    Err(broadcast::error::RecvError::Closed) => WatcherMsg::EventsClosed,
                };
                let closed = matches!(message, WatcherMsg::EventsClosed);
                if myself.cast(message).is_err() || closed {
                    return;
                }
            }
        });
        Ok(Watcher::new(hosted.key, hosted.clock, hosted.reports))
    }

    async fn handle(
        &self,
        _myself: ActorRef<WatcherMsg>,
        message: WatcherMsg,
        watcher: &mut Watcher,
    ) -> Result<(), ActorProcessingErr> {
        let report = match message {
            WatcherMsg::Head(event) => watcher.witness(event),
            WatcherMsg::Lagged(missed_count) => Some(WatcherReport::Lagged { missed_count }),
            WatcherMsg::EventsClosed => return Err("corridor head events closed".into()),
        };
        if let Some(report) = report
            && !watcher.report(report).await
        {
            return Err("the watcher's report sink is closed".into());
        }
        Ok(())
    }
}

struct Watcher {
    key: Arc<SigningKey>,
    clock: Arc<dyn Clock>,
    reports: mpsc::Sender<WatcherReport>,
    /// (corridor, sequence) → (parent root, next root) of the head attested there.
    heads: HashMap<(CorridorId, u64), (Digest, Digest)>,
    /// Insertion order of `heads`, to forget the oldest beyond [`WATCHED_HEADS_MAX`].
    order: VecDeque<(CorridorId, u64)>,
}

impl Watcher {
    /// A watcher that has attested nothing yet.
    fn new(
        key: Arc<SigningKey>,
        clock: Arc<dyn Clock>,
        reports: mpsc::Sender<WatcherReport>,
    ) -> Self {
        Self {
            key,
            clock,
            reports,
            heads: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    async fn run(
        mut self,
        mut events: broadcast::Receiver<CorridorEvent>,
        mut observed: mpsc::Receiver<CorridorEvent>,
    ) {
        let mut events_open = true;
        let mut observed_open = true;
        loop {
            if !events_open && !observed_open {
                return;
            }
            let event = tokio::select! {
                received = events.recv(), if events_open => match received {
                    Ok(event) => event,
                    Err(broadcast::error::RecvError::Lagged(missed_count)) => {
                        if !self.report(WatcherReport::Lagged { missed_count }).await {
                            return;
                        }
                        continue;
                    }
                    Err(broadcast::error::RecvError::Closed) => {
                        events_open = false;
                        continue;
                    }
                },
                received = observed.recv(), if observed_open => match received {
                    Some(event) => event,
                    None => {
                        observed_open = false;
                        continue;
                    }
                },
            };
            if let Some(report) = self.witness(event)
                && !self.report(report).await
            {
                return;
            }
        }
    }

    /// `false` when nobody listens any more: the watcher stops.
    async fn report(&self, report: WatcherReport) -> bool {
        self.reports.send(report).await.is_ok()
    }

    fn witness(&mut self, event: CorridorEvent) -> Option<WatcherReport> {
        let place = (event.corridor_id.clone(), event.sequence);
        if let Some((first_parent_root, first_next_root)) = self.heads.get(&place).copied() {
            if first_next_root == event.next_root {
                return None;
            }
            return Some(WatcherReport::ForkObserved {
                corridor_id: event.corridor_id,
                sequence: event.sequence,
                first_parent_root,
                first_next_root,
                second_parent_root: event.prev_root,
                second_next_root: event.next_root,
            });
        }
        self.remember(place, (event.prev_root, event.next_root));
        let statement = AttestationStatement {
            corridor_id: event.corridor_id.clone(),
            height: event.sequence,
            parent_root: event.prev_root,
            candidate_root: event.next_root,
            // The event is published after the receipt's durable append, so the head this
            // watcher observed is the attested receipt itself, one past its sequence.
            observed_head: ObservedHead {
                corridor_id: event.corridor_id.clone(),
                height: event.sequence.saturating_add(1),
                next_root: event.next_root,
                mmr_root: Some(event.mmr_root),
            },
        };
        Some(
            match WatcherAttestation::sign(statement, &self.key, self.clock.now()) {
                Ok(attestation) => WatcherReport::Attested(Box::new(attestation)),
                Err(error) => WatcherReport::SigningFailed {
                    corridor_id: event.corridor_id,
                    sequence: event.sequence,
                    reason: error.to_string(),
                },
            },
        )
    }

    fn remember(&mut self, place: (CorridorId, u64), head: (Digest, Digest)) {
        if self.order.len() >= WATCHED_HEADS_MAX
            && let Some(oldest) = self.order.pop_front()
        {
            self.heads.remove(&oldest);
        }
        self.order.push_back(place.clone());
        self.heads.insert(place, head);
    }
}
