//! Sharded keyed-actor host: one actor per key (corridor, entity, ...), activated on demand by its
//! first message, spread over N shard supervisors, passivated when idle, with a bounded inbox.
//!
//! Owns the `Keyed` behaviour trait, `Reply`, `KeyedHostConfig` and `KeyedHost` (the handle, the
//! only API). The shard supervisors live in `shard`, the per-key ractor actor in `actor`, the tree
//! view in `tree`.
//!
//! Escalation: when one key exceeds its restart intensity it is *quarantined*: its slot refuses
//! every message with `HostError::Quarantined` until an operator calls `KeyedHost::reset`, and an
//! `Escalated` event goes to the introspection stream (the parent's notification). The shard
//! supervisor and the other keys keep running: one poisoned corridor never takes its 150
//! shard-mates down.
//!
//! Never: holds a lock across an await; queues beyond the admission bound; lets a call wait
//! without a timeout; knows a domain type.

mod actor;
mod shard;
mod tree;

use std::collections::hash_map::RandomState;
use std::fmt::{Debug, Display};
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use ractor::{ActorCell, ActorId, ActorRef};
use tokio::sync::{oneshot, watch};

use crate::admission::Admission;
use crate::error::{ActorFailure, HostError, RuntimeError};
use crate::introspection::{Introspection, NodeStatus, SupervisionEvent, now_unix_ms};
use crate::policy::{Backoff, Intensity, RestartPolicy};
use crate::single_flight::{ActivationTable, Admit, Incarnation, Slot};
use crate::sync::lock_std;

use actor::{Activation, Envelope, KeyedActor, PassivateMode};
use shard::ShardSupervisor;

/// Shard supervisors per host unless configured otherwise. 64 keeps each shard's map and
/// supervisor mailbox small at 10,000 keys (~156 per shard) while the per-shard cost (one idle
/// ractor actor) stays negligible.
pub const SHARD_COUNT_DEFAULT: u32 = 64;

/// Upper bound on `shard_count`: beyond this the shards cost more than they save.
pub const SHARD_COUNT_MAX: u32 = 4_096;

/// Behaviour of one keyed actor kind (corridor, entity, ...). The host runs one instance per key.
pub trait Keyed: Send + Sync + 'static {
    /// The actor's identity; also the last segment of its introspection path.
    type Key: Clone + Eq + Hash + Debug + Display + Send + Sync + 'static;
    /// One message. Replies travel inside messages via `Reply<T>`.
    type Msg: Send + 'static;
    /// State owned by one incarnation.
    type State: Send + 'static;

    /// Loads state before the first message (e.g. snapshot + journal tail). Also called on every
    /// restart, so a restarted actor cannot be told apart from one that never failed.
    fn hydrate(
        &self,
        key: &Self::Key,
    ) -> impl Future<Output = Result<Self::State, ActorFailure>> + Send;

    /// Handles one message. Business rejections are replies; `Err` crashes the actor (its shard
    /// supervisor restarts it, with backoff, from `hydrate`).
    fn handle(
        &self,
        key: &Self::Key,
        state: &mut Self::State,
        msg: Self::Msg,
    ) -> impl Future<Output = Result<(), ActorFailure>> + Send;

    /// Runs before an idle (or shut-down) actor stops, e.g. to write a snapshot. An `Err` is
    /// reported as a `Failed` event; the actor stops anyway (its journal is still the truth).
    fn passivate(
        &self,
        key: &Self::Key,
        state: &mut Self::State,
    ) -> impl Future<Output = Result<(), ActorFailure>> + Send;
}

/// The reply port a message carries; dropping it unanswered gives the caller `ActorDied`.
#[derive(Debug)]
pub struct Reply<T> {
    sender: oneshot::Sender<T>,
}

impl<T> Reply<T> {
    /// A reply port and the receiver its answer arrives on (for tests and custom callers;
    /// `KeyedHost::call` builds one itself).
    pub fn channel() -> (Self, oneshot::Receiver<T>) {
        let (sender, receiver) = oneshot::channel();
        (Self { sender }, receiver)
    }

    /// Answers the caller. `Err(value)` when the caller gave up (timed out or dropped); the
    /// handler decides whether that matters (usually not: the work is already durable).
    pub fn send(self, value: T) -> Result<(), T> {
        self.sender.send(value)
    }

    /// Whether the caller gave up waiting.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }
}

/// Configuration of a `KeyedHost`. No `Default`: the caller knows its workload.
#[derive(Debug, Clone)]
pub struct KeyedHostConfig {
    /// Host name; its path is `/<root>/<name>`.
    pub name: String,
    /// Shard supervisors (`SHARD_COUNT_DEFAULT` is 64), in `1..=SHARD_COUNT_MAX`.
    pub shard_count: u32,
    /// Messages admitted to one actor and not yet dequeued; one more gets `Overloaded`. At least 1.
    pub admission_bound: usize,
    /// Passivate an actor after this long without a message; `None` keeps actors until shutdown.
    pub idle_passivation: Option<Duration>,
    /// What a crash or kill of an actor leads to. For keyed actors `Permanent` and `Transient`
    /// both restart (a keyed actor has no normal exit besides passivation); `Temporary` forgets
    /// the actor and its next message activates a fresh one.
    pub restart: RestartPolicy,
    /// Delay before a restarted actor hydrates again.
    pub backoff: Backoff,
    /// Restarts allowed per key within a period; one more quarantines the key.
    pub intensity: Intensity,
    /// How long `call` waits for a reply. Must be non-zero.
    pub call_timeout: Duration,
}

/// Handle to a sharded keyed-actor host. Cheap to clone. Call `shutdown` to stop it: the host's
/// tasks keep it alive until then.
pub struct KeyedHost<K: Keyed> {
    inner: Arc<HostInner<K>>,
}

impl<K: Keyed> Clone for KeyedHost<K> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<K: Keyed> KeyedHost<K> {
    /// Starts the shard supervisors and mounts the host at `/<root>/<config.name>` in `tree`.
    pub async fn start(
        behaviour: Arc<K>,
        config: KeyedHostConfig,
        tree: &Introspection,
    ) -> Result<Self, RuntimeError> {
        validate(&config)?;
        let path = format!("{}/{}", tree.root_path(), config.name);
        let shards = (0..config.shard_count)
            .map(|index| Shard::new(index, &path))
            .collect();
        let inner = Arc::new(HostInner {
            behaviour,
            config,
            path,
            shards,
            introspection: tree.clone(),
            stopped: AtomicBool::new(false),
            next_incarnation_id: AtomicU64::new(1),
            hasher: RandomState::new(),
            clock_origin: Instant::now(),
        });
        for shard in inner.shards.iter() {
            let handler = ShardSupervisor {
                host: inner.clone(),
                shard_index: shard.index,
            };
            let spawned = ractor::Actor::spawn(None, handler, ()).await;
            let (supervisor, _join) = spawned.map_err(|err| RuntimeError::SpawnFailed {
                path: shard.path.clone(),
                reason: err.to_string(),
            })?;
            // The cell was empty: each shard is set exactly once, here.
            let _ = shard.supervisor.set(supervisor.get_cell());
        }
        tree.register_subtree(&inner.path, inner.clone())?;
        if let Some(idle) = inner.config.idle_passivation {
            tokio::spawn(idle_sweep(Arc::downgrade(&inner), idle));
        }
        tree.emit(SupervisionEvent::Started {
            path: inner.path.clone(),
        });
        Ok(Self { inner })
    }

    /// Delivers `msg` to the actor for `key`, activating it if needed. Returns once the message
    /// is admitted to the inbox (not handled). If the actor crashes before it dequeues the
    /// message, the message is lost: durability lives in the journal the actor writes, never in
    /// its mailbox. Use `call` when the sender must know.
    pub async fn send(&self, key: &K::Key, msg: K::Msg) -> Result<(), HostError> {
        self.inner.route(key, msg)
    }

    /// Delivers the message `make` builds around a reply port and waits (at most
    /// `call_timeout`) for the answer.
    pub async fn call<R: Send + 'static>(
        &self,
        key: &K::Key,
        make: impl FnOnce(Reply<R>) -> K::Msg,
    ) -> Result<R, HostError> {
        let (reply, answer) = Reply::channel();
        self.inner.route(key, make(reply))?;
        let timeout = self.inner.config.call_timeout;
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(_dropped)) => Err(HostError::ActorDied {
                key: key.to_string(),
            }),
            Err(_elapsed) => Err(HostError::Timeout {
                key: key.to_string(),
                timeout_ms: millis(timeout),
            }),
        }
    }

    /// Kills the actor for `key` (an operator drill): it is restarted under the host's policy,
    /// as after a crash. False when the key has no live actor.
    pub async fn kill(&self, key: &K::Key) -> Result<bool, HostError> {
        self.inner.ensure_running()?;
        Ok(self.inner.kill_key(key))
    }

    /// Passivates the actor for `key` now: runs its passivate hook and stops it. False when it
    /// is not live, or not idle (messages admitted and not yet handled).
    pub async fn passivate(&self, key: &K::Key) -> Result<bool, HostError> {
        self.inner.ensure_running()?;
        let Some(live) = self.inner.shard_for(key).table.active(key) else {
            return Ok(false);
        };
        let (reply, answer) = oneshot::channel();
        let request = Envelope::Passivate {
            mode: PassivateMode::Requested,
            reply: Some(reply),
        };
        if live.actor.cast(request).is_err() {
            return Ok(false);
        }
        let timeout = self.inner.config.call_timeout;
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(passivated)) => Ok(passivated),
            Ok(Err(_dropped)) => Ok(false),
            Err(_elapsed) => Err(HostError::Timeout {
                key: key.to_string(),
                timeout_ms: millis(timeout),
            }),
        }
    }

    /// Lifts the quarantine of `key` (after an operator fixed the cause); its next message
    /// activates it afresh. False when the key was not quarantined.
    pub fn reset(&self, key: &K::Key) -> bool {
        let mut slots = self.inner.shard_for(key).table.slots();
        if matches!(slots.get(key), Some(Slot::Quarantined { .. })) {
            slots.remove(key);
            return true;
        }
        false
    }

    /// Passivates every live actor (each first handles what is already in its inbox), then stops
    /// the shard supervisors. New messages get `Stopped` from the start of the shutdown.
    pub async fn shutdown(&self) -> Result<(), HostError> {
        self.inner.shutdown().await
    }

    /// Live actors (activating, running or backing off before a restart). Walks every shard
    /// (O(keys)): for metrics and tests, not for a hot path.
    pub fn active_count(&self) -> usize {
        self.inner
            .shards
            .iter()
            .map(|shard| {
                shard
                    .table
                    .slots()
                    .values()
                    .filter(|slot| matches!(slot, Slot::Active { .. }))
                    .count()
            })
            .sum()
    }

    /// The host's path in the introspection tree.
    pub fn path(&self) -> &str {
        &self.inner.path
    }

    /// The path of `key`'s actor in the introspection tree.
    pub fn key_path(&self, key: &K::Key) -> String {
        self.inner.key_path(self.inner.shard_for(key), key)
    }
}

/// State shared by the handle, the shard supervisors, the actors and the sweeper.
pub(crate) struct HostInner<K: Keyed> {
    behaviour: Arc<K>,
    config: KeyedHostConfig,
    path: String,
    shards: Box<[Shard<K>]>,
    introspection: Introspection,
    /// Set once by `shutdown`; checked on every route and under the shard lock on activation.
    stopped: AtomicBool,
    next_incarnation_id: AtomicU64,
    hasher: RandomState,
    /// Origin of the monotonic milliseconds used for idle detection.
    clock_origin: Instant,
}

/// One shard: its activation table and its supervisor.
pub(crate) struct Shard<K: Keyed> {
    index: u32,
    path: String,
    table: ActivationTable<K::Key, Arc<Live<K>>, Barrier>,
    /// Which key (and incarnation) a supervised actor is, for exit events. Locked after `table`
    /// when both are needed, never before.
    keys_by_actor: Mutex<std::collections::HashMap<ActorId, (K::Key, u64)>>,
    supervisor: OnceLock<ActorCell>,
}

/// Tells a successor that its predecessor's passivate hook finished (`true`, or the sender
/// dropped because the hook crashed).
pub(crate) type Barrier = watch::Receiver<bool>;

/// One live incarnation of a keyed actor, as senders see it.
pub(crate) struct Live<K: Keyed> {
    incarnation_id: u64,
    actor: ActorRef<Envelope<K::Msg>>,
    shared: Arc<IncarnationShared>,
}

/// Counters an incarnation shares with senders, the sweeper and introspection.
pub(crate) struct IncarnationShared {
    admission: Admission,
    status: std::sync::atomic::AtomicU8,
    last_active_ms: AtomicU64,
    activated_at_unix_ms: u64,
}

impl<K: Keyed> Incarnation for Arc<Live<K>> {
    fn incarnation_id(&self) -> u64 {
        self.incarnation_id
    }

    fn admission(&self) -> &Admission {
        &self.shared.admission
    }
}

impl IncarnationShared {
    fn new(now_ms: u64) -> Self {
        Self {
            admission: Admission::new(),
            status: std::sync::atomic::AtomicU8::new(status_code(NodeStatus::Starting)),
            last_active_ms: AtomicU64::new(now_ms),
            activated_at_unix_ms: now_unix_ms(),
        }
    }

    fn set_status(&self, status: NodeStatus) {
        self.status.store(status_code(status), Ordering::Release);
    }

    fn status(&self) -> NodeStatus {
        status_from_code(self.status.load(Ordering::Acquire))
    }
}

impl<K: Keyed> Shard<K> {
    fn new(index: u32, host_path: &str) -> Self {
        Self {
            index,
            path: format!("{host_path}/shard-{index:02}"),
            table: ActivationTable::new(),
            keys_by_actor: Mutex::new(std::collections::HashMap::new()),
            supervisor: OnceLock::new(),
        }
    }
}

impl<K: Keyed> HostInner<K> {
    fn shard_for(&self, key: &K::Key) -> &Shard<K> {
        let shard_count = self.shards.len() as u64;
        let index = self.hasher.hash_one(key) % shard_count;
        // In range: index < shard_count = shards.len().
        &self.shards[usize::try_from(index).unwrap_or(0)]
    }

    fn key_path(&self, shard: &Shard<K>, key: &K::Key) -> String {
        format!("{}/{key}", shard.path)
    }

    fn clock_ms(&self) -> u64 {
        u64::try_from(self.clock_origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn ensure_running(&self) -> Result<(), HostError> {
        if self.stopped.load(Ordering::Acquire) {
            return Err(HostError::Stopped {
                host: self.config.name.clone(),
            });
        }
        Ok(())
    }

    /// The send path: single-flight lookup or activation, admission, enqueue.
    fn route(self: &Arc<Self>, key: &K::Key, msg: K::Msg) -> Result<(), HostError> {
        self.ensure_running()?;
        let shard = self.shard_for(key);
        let bound = self.config.admission_bound;
        let admitted = shard.table.admit(key, bound, |predecessor| {
            self.spawn_incarnation(shard, key, Duration::ZERO, predecessor)
        })?;
        match admitted {
            Admit::Admitted(live) => match live.actor.cast(Envelope::User(msg)) {
                Ok(()) => Ok(()),
                Err(_closed) => {
                    // Never enqueued: give the admitted place back.
                    live.shared.admission.release();
                    Err(HostError::ActorDied {
                        key: key.to_string(),
                    })
                }
            },
            Admit::Overloaded { depth } => Err(HostError::Overloaded {
                key: key.to_string(),
                inbox_depth: depth,
                bound,
            }),
            Admit::Quarantined { last_failure } => Err(HostError::Quarantined {
                key: key.to_string(),
                last_failure,
            }),
        }
    }

    /// Spawns a new incarnation of `key` under its shard supervisor. Called under the shard's
    /// table lock (single flight), so it only spawns: `hydrate` runs later, in the actor.
    fn spawn_incarnation(
        self: &Arc<Self>,
        shard: &Shard<K>,
        key: &K::Key,
        delay: Duration,
        predecessor: Option<Barrier>,
    ) -> Result<Arc<Live<K>>, HostError> {
        // Checked under the table lock: `shutdown` sets the flag before it drains each table, so
        // nothing activates behind its back.
        self.ensure_running()?;
        let Some(supervisor) = shard.supervisor.get().cloned() else {
            return Err(HostError::Stopped {
                host: self.config.name.clone(),
            });
        };
        let incarnation_id = self.next_incarnation_id.fetch_add(1, Ordering::Relaxed);
        let shared = Arc::new(IncarnationShared::new(self.clock_ms()));
        let handler = KeyedActor {
            host: self.clone(),
            shard_index: shard.index,
        };
        let activation = Activation {
            key: key.clone(),
            incarnation_id,
            shared: shared.clone(),
            delay,
            predecessor,
        };
        // Held across the spawn: an incarnation that fails at once (e.g. its hydrate) must not
        // reach the supervisor's exit handling before it is known there, or its slot would keep
        // a dead actor forever.
        let mut keys_by_actor = lock_std(&shard.keys_by_actor);
        let spawned =
            ractor::ActorRuntime::spawn_linked_instant(None, handler, activation, supervisor);
        let (actor, _startup) = spawned.map_err(|err| HostError::ActivationFailed {
            key: key.to_string(),
            reason: err.to_string(),
        })?;
        keys_by_actor.insert(actor.get_id(), (key.clone(), incarnation_id));
        drop(keys_by_actor);
        Ok(Arc::new(Live {
            incarnation_id,
            actor,
            shared,
        }))
    }

    fn kill_key(&self, key: &K::Key) -> bool {
        match self.shard_for(key).table.active(key) {
            Some(live) => {
                live.actor.get_cell().kill();
                true
            }
            None => false,
        }
    }

    async fn shutdown(&self) -> Result<(), HostError> {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return Err(HostError::Stopped {
                host: self.config.name.clone(),
            });
        }
        let mut answers = Vec::new();
        for shard in self.shards.iter() {
            let drained: Vec<Slot<Arc<Live<K>>, Barrier>> = {
                let mut slots = shard.table.slots();
                slots.drain().map(|(_, slot)| slot).collect()
            };
            for slot in drained {
                let Slot::Active { incarnation, .. } = slot else {
                    continue;
                };
                let (reply, answer) = oneshot::channel();
                let request = Envelope::Passivate {
                    mode: PassivateMode::Shutdown,
                    reply: Some(reply),
                };
                if incarnation.actor.cast(request).is_ok() {
                    answers.push((incarnation, answer));
                }
            }
        }
        let timeout = self.config.call_timeout;
        // One deadline for all: the actors passivate concurrently, so stuck ones cost one
        // timeout in total, not one each.
        let deadline = tokio::time::Instant::now() + timeout;
        for (incarnation, answer) in answers {
            if tokio::time::timeout_at(deadline, answer).await.is_err() {
                tracing::warn!(host = %self.path, "actor did not passivate in time; killing it");
                incarnation.actor.get_cell().kill();
            }
        }
        for shard in self.shards.iter() {
            if let Some(supervisor) = shard.supervisor.get() {
                // An already-dead supervisor is what we want.
                let _ = supervisor
                    .stop_and_wait(Some("shutdown".to_owned()), Some(timeout))
                    .await;
            }
        }
        self.introspection.unregister(&self.path);
        self.introspection.emit(SupervisionEvent::Stopped {
            path: self.path.clone(),
        });
        Ok(())
    }
}

/// Periodically asks actors idle for `idle` to passivate; exits when the host stops or drops.
async fn idle_sweep<K: Keyed>(host: Weak<HostInner<K>>, idle: Duration) {
    let idle_ms = millis(idle);
    let period = (idle / 2).max(Duration::from_millis(1));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let Some(host) = host.upgrade() else {
            return;
        };
        if host.stopped.load(Ordering::Acquire) {
            return;
        }
        let now_ms = host.clock_ms();
        for shard in host.shards.iter() {
            let idle_incarnations: Vec<Arc<Live<K>>> = shard
                .table
                .slots()
                .values()
                .filter_map(|slot| match slot {
                    Slot::Active { incarnation, .. } => Some(incarnation),
                    _ => None,
                })
                .filter(|live| {
                    live.shared.status() == NodeStatus::Running
                        && live.shared.admission.depth() == 0
                        && now_ms.saturating_sub(live.shared.last_active_ms.load(Ordering::Relaxed))
                            >= idle_ms
                })
                .cloned()
                .collect();
            for live in idle_incarnations {
                let request = Envelope::Passivate {
                    mode: PassivateMode::Idle { idle_ms },
                    reply: None,
                };
                // A closed mailbox means the actor is already gone; nothing to passivate.
                let _ = live.actor.cast(request);
            }
        }
    }
}

fn validate(config: &KeyedHostConfig) -> Result<(), RuntimeError> {
    if !(1..=SHARD_COUNT_MAX).contains(&config.shard_count) {
        return Err(RuntimeError::InvalidConfig {
            field: "shard_count",
            value: config.shard_count.to_string(),
            reason: "must be in 1..=4096",
        });
    }
    if config.admission_bound == 0 {
        return Err(RuntimeError::InvalidConfig {
            field: "admission_bound",
            value: "0".to_owned(),
            reason: "must be at least 1",
        });
    }
    if config.call_timeout.is_zero() {
        return Err(RuntimeError::InvalidConfig {
            field: "call_timeout",
            value: "0 ms".to_owned(),
            reason: "must be non-zero",
        });
    }
    if config.name.is_empty() || config.name.contains('/') {
        return Err(RuntimeError::InvalidConfig {
            field: "name",
            value: config.name.clone(),
            reason: "must be a non-empty path segment",
        });
    }
    if config.backoff.initial_ms > config.backoff.max_ms {
        return Err(RuntimeError::InvalidConfig {
            field: "backoff.initial_ms",
            value: config.backoff.initial_ms.to_string(),
            reason: "must not exceed backoff.max_ms",
        });
    }
    Ok(())
}

pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn status_code(status: NodeStatus) -> u8 {
    match status {
        NodeStatus::Starting => 0,
        NodeStatus::Hydrating => 1,
        NodeStatus::Running => 2,
        NodeStatus::Passivating => 3,
        NodeStatus::Stopped => 4,
        NodeStatus::Failed => 5,
    }
}

fn status_from_code(code: u8) -> NodeStatus {
    match code {
        0 => NodeStatus::Starting,
        1 => NodeStatus::Hydrating,
        2 => NodeStatus::Running,
        3 => NodeStatus::Passivating,
        4 => NodeStatus::Stopped,
        _ => NodeStatus::Failed,
    }
}
