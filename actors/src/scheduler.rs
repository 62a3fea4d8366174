//! The scheduler actor: deadlines (checkpoint due, compliance deadlines, licence expiries,
//! saga deadlines, lease renewal) delivered as messages when they fall due.
//!
//! Owns [`SchedulerHandle`], [`SchedulerConfig`], [`TimerKind`], [`ScheduledTimer`],
//! [`TimerId`], the wheel [`TimerWheel`] (pure: deadlines in, due timers out), the delivery seam
//! [`TimerSink`], its agentic implementation [`AgenticTimerSink`], and [`SchedulerError`].
//!
//! Time: the actor never sleeps until a deadline. A `Tick` message reads the zone [`Clock`]
//! and fires every timer whose deadline has passed, in deadline order (ties in scheduling
//! order). In production a ractor interval sends `Tick` every `tick_interval`; tests pass no
//! interval, move a manual clock and call [`SchedulerHandle::tick`], so no test waits for a
//! deadline.
//!
//! The wheel lives beside the handle, not inside the actor: a scheduler restarted by its
//! supervisor keeps every timer. (There is no timer table in the store yet, so a process
//! restart loses timers; their owners re-arm them on hydration.)
//!
//! Never: blocks on a delivery (sinks cast), holds more than `timers_max` timers, or fires a
//! timer before its deadline.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use msez_protocol::agentic::{Trigger, TriggerKind};
use msez_protocol::ids::{CorridorId, EntityId};
use msez_protocol::time::Timestamp;
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort};
use serde_json::json;

use crate::agentic::AgenticHandle;
use crate::clock::Clock;
use crate::slot::ActorSlot;

/// The largest `timers_max` a scheduler accepts. A zone of 10,000 corridors and as many
/// entities arms a handful of timers each; 1,000,000 bounds the wheel's memory (~100 MB).
pub const TIMERS_MAX_LIMIT: usize = 1_000_000;

/// Timers fired by one tick at most; the rest fire on the next tick, so one tick never
/// monopolises the actor.
pub const FIRED_PER_TICK_MAX: usize = 10_000;

/// A timer's id, unique within one scheduler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(pub u64);

/// What falls due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerKind {
    /// A corridor checkpoint is due.
    CheckpointDue {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// An entity's compliance obligation reaches its deadline.
    ComplianceDeadline {
        /// The entity.
        entity_id: EntityId,
        /// The obligation.
        obligation: String,
    },
    /// An entity's licence expires.
    LicenceExpiry {
        /// The entity.
        entity_id: EntityId,
        /// The licence.
        license_id: String,
    },
    /// A migration saga's deadline passes.
    SagaDeadline {
        /// The saga.
        saga_id: String,
    },
    /// A shard lease must be renewed.
    LeaseRenewal {
        /// The shard.
        shard: u32,
    },
}

/// A timer: what, when, and whether it repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledTimer {
    /// Its id.
    pub timer_id: TimerId,
    /// What falls due.
    pub kind: TimerKind,
    /// When (Unix milliseconds).
    pub due_unix_ms: u64,
    /// Re-armed this long after each firing; `None`: fires once.
    pub repeat_every_ms: Option<u64>,
}

/// Where fired timers go. Implementations must not block (cast, don't call).
pub trait TimerSink: Send + Sync + 'static {
    /// Delivers one fired timer.
    fn fire(&self, timer: &ScheduledTimer) -> Result<(), SchedulerError>;
}

/// Delivers trigger-bearing timers to the agentic actor, lease renewals to `lease_sink`.
#[derive(Clone)]
pub struct AgenticTimerSink {
    /// The agentic actor.
    pub agentic: AgenticHandle,
    /// Where lease renewals go (the corridor host, wired by the zone); `None`: not delivered.
    pub lease_sink: Option<Arc<dyn TimerSink>>,
}

/// Why the scheduler refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// The wheel already holds `timers_max` timers.
    #[error("scheduler full: {timer_count} timers, bound {timers_max}")]
    Full {
        /// Timers held.
        timer_count: usize,
        /// The bound.
        timers_max: usize,
    },
    /// A repeating timer with a zero period would fire forever in one tick.
    #[error("timer {kind:?} repeats every 0 ms")]
    ZeroPeriod {
        /// The timer's kind.
        kind: TimerKind,
    },
    /// The configuration is unusable.
    #[error("scheduler config: {field} {reason}")]
    Config {
        /// The field.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// A fired timer could not be delivered.
    #[error("timer {timer_id:?} undeliverable: {reason}")]
    Undeliverable {
        /// The timer.
        timer_id: TimerId,
        /// Why.
        reason: String,
    },
    /// The actor is not running or did not answer.
    #[error("scheduler unavailable")]
    Unavailable,
}

/// Timers ordered by deadline. Pure: no clock, no I/O.
#[derive(Debug, Default)]
pub struct TimerWheel {
    next_timer_id: u64,
    /// Keyed by (deadline, id): ids grow, so ties fire in scheduling order.
    by_deadline: BTreeMap<(u64, TimerId), ScheduledTimer>,
    deadline_of: BTreeMap<TimerId, u64>,
}

/// What the scheduler is built from. No `Default`: the zone decides.
#[derive(Clone)]
pub struct SchedulerConfig {
    /// The zone clock.
    pub clock: Arc<dyn Clock>,
    /// Where fired timers go.
    pub sink: Arc<dyn TimerSink>,
    /// Timers held at most, `1..=`[`TIMERS_MAX_LIMIT`].
    pub timers_max: usize,
    /// How often the actor ticks itself; `None`: only explicit [`SchedulerHandle::tick`]s.
    pub tick_interval: Option<Duration>,
    /// How long a caller waits for the actor.
    pub call_timeout: Duration,
}

/// The handle: cheap to clone; the wheel survives restarts of the actor.
#[derive(Clone)]
pub struct SchedulerHandle {
    slot: ActorSlot<SchedulerMsg>,
    shared: Arc<SchedulerShared>,
}

impl TimerWheel {
    /// Arms a timer; refuses past `timers_max`.
    pub fn schedule(
        &mut self,
        kind: TimerKind,
        due_unix_ms: u64,
        repeat_every_ms: Option<u64>,
        timers_max: usize,
    ) -> Result<TimerId, SchedulerError> {
        if repeat_every_ms == Some(0) {
            return Err(SchedulerError::ZeroPeriod { kind });
        }
        if self.by_deadline.len() >= timers_max {
            return Err(SchedulerError::Full {
                timer_count: self.by_deadline.len(),
                timers_max,
            });
        }
        self.next_timer_id += 1;
        let timer_id = TimerId(self.next_timer_id);
        self.insert(ScheduledTimer {
            timer_id,
            kind,
            due_unix_ms,
            repeat_every_ms,
        });
        Ok(timer_id)
    }

    /// Disarms a timer; `false` when it was not armed.
    pub fn cancel(&mut self, timer_id: TimerId) -> bool {
        match self.deadline_of.remove(&timer_id) {
            Some(due) => self.by_deadline.remove(&(due, timer_id)).is_some(),
            None => false,
        }
    }

    /// Removes and returns up to `count_max` timers due at `now_unix_ms`, earliest first;
    /// repeating timers are re-armed one period after their deadline.
    pub fn take_due(&mut self, now_unix_ms: u64, count_max: usize) -> Vec<ScheduledTimer> {
        let mut fired = Vec::new();
        while fired.len() < count_max {
            let Some(entry) = self.by_deadline.first_entry() else {
                break;
            };
            if entry.key().0 > now_unix_ms {
                break;
            }
            let timer = entry.remove();
            self.deadline_of.remove(&timer.timer_id);
            if let Some(period) = timer.repeat_every_ms {
                let mut next = timer.clone();
                next.due_unix_ms = timer
                    .due_unix_ms
                    .saturating_add(period)
                    .max(now_unix_ms + 1);
                self.insert(next);
            }
            debug_assert!(timer.due_unix_ms <= now_unix_ms);
            fired.push(timer);
        }
        fired
    }

    /// Timers armed.
    pub fn len(&self) -> usize {
        self.by_deadline.len()
    }

    /// Whether no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.by_deadline.is_empty()
    }

    /// The earliest deadline, if any.
    pub fn next_due_unix_ms(&self) -> Option<u64> {
        self.by_deadline.keys().next().map(|(due, _)| *due)
    }

    fn insert(&mut self, timer: ScheduledTimer) {
        self.deadline_of.insert(timer.timer_id, timer.due_unix_ms);
        self.by_deadline
            .insert((timer.due_unix_ms, timer.timer_id), timer);
    }
}

/// The agentic trigger a timer stands for, if any (lease renewals have none).
pub fn trigger_of(timer: &ScheduledTimer) -> Option<Trigger> {
    let (kind, payload) = match &timer.kind {
        TimerKind::CheckpointDue { corridor_id } => (
            TriggerKind::CheckpointDue,
            json!({ "corridor_id": corridor_id.as_str() }),
        ),
        TimerKind::ComplianceDeadline {
            entity_id,
            obligation,
        } => (
            TriggerKind::ComplianceDeadline,
            json!({ "entity_id": entity_id.as_str(), "obligation": obligation }),
        ),
        TimerKind::LicenceExpiry {
            entity_id,
            license_id,
        } => (
            TriggerKind::LicenseStatusChange,
            json!({ "entity_id": entity_id.as_str(), "license_id": license_id, "status": "expired" }),
        ),
        TimerKind::SagaDeadline { saga_id } => (
            TriggerKind::MigrationDeadline,
            json!({ "saga_id": saga_id }),
        ),
        TimerKind::LeaseRenewal { .. } => return None,
    };
    let unix_seconds = i64::try_from(timer.due_unix_ms / 1000).ok()?;
    let occurred_at = Timestamp::from_unix_seconds(unix_seconds).ok()?;
    Trigger::new(kind, None, payload, occurred_at).ok()
}

impl TimerSink for AgenticTimerSink {
    fn fire(&self, timer: &ScheduledTimer) -> Result<(), SchedulerError> {
        let undeliverable = |reason: String| SchedulerError::Undeliverable {
            timer_id: timer.timer_id,
            reason,
        };
        if let TimerKind::LeaseRenewal { .. } = timer.kind {
            return match &self.lease_sink {
                Some(sink) => sink.fire(timer),
                None => Err(undeliverable("no lease sink wired".to_owned())),
            };
        }
        let trigger = trigger_of(timer)
            .ok_or_else(|| undeliverable("deadline outside protocol time".to_owned()))?;
        self.agentic
            .notify(trigger)
            .map_err(|error| undeliverable(error.to_string()))
    }
}

impl SchedulerConfig {
    /// Checks every bound, naming the field at fault.
    pub fn validate(&self) -> Result<(), SchedulerError> {
        if !(1..=TIMERS_MAX_LIMIT).contains(&self.timers_max) {
            return Err(SchedulerError::Config {
                field: "timers_max",
                reason: "must be between 1 and 1000000",
            });
        }
        if self
            .tick_interval
            .is_some_and(|interval| interval.is_zero())
        {
            return Err(SchedulerError::Config {
                field: "tick_interval",
                reason: "is zero",
            });
        }
        if self.call_timeout.is_zero() {
            return Err(SchedulerError::Config {
                field: "call_timeout",
                reason: "is zero",
            });
        }
        Ok(())
    }
}

impl SchedulerHandle {
    /// Spawns the scheduler (linked to `supervisor` when given).
    pub async fn start(
        config: SchedulerConfig,
        supervisor: Option<ActorCell>,
    ) -> Result<SchedulerHandle, SchedulerError> {
        let handle = SchedulerHandle::new(config)?;
        handle
            .spawn(supervisor)
            .await
            .map_err(|_| SchedulerError::Unavailable)?;
        Ok(handle)
    }

    /// A handle with an empty wheel and no actor yet: a supervisor's start function spawns it
    /// with [`SchedulerHandle::spawn`]. Timers may be armed before then.
    pub fn new(config: SchedulerConfig) -> Result<SchedulerHandle, SchedulerError> {
        config.validate()?;
        Ok(SchedulerHandle {
            slot: ActorSlot::empty(),
            shared: Arc::new(SchedulerShared {
                config,
                wheel: Mutex::new(TimerWheel::default()),
            }),
        })
    }

    /// Spawns a fresh actor behind this handle (a supervisor's restart); timers are kept.
    pub async fn spawn(
        &self,
        supervisor: Option<ActorCell>,
    ) -> Result<ActorCell, ractor::SpawnErr> {
        let behaviour = SchedulerActor {
            shared: Arc::clone(&self.shared),
        };
        let (actor, _join) = match supervisor {
            Some(supervisor) => Actor::spawn_linked(None, behaviour, (), supervisor).await?,
            None => Actor::spawn(None, behaviour, ()).await?,
        };
        let cell = actor.get_cell();
        self.slot.set(actor);
        Ok(cell)
    }

    /// Arms a timer. Synchronous on the shared wheel: arming never waits for a tick.
    pub fn schedule(
        &self,
        kind: TimerKind,
        due_unix_ms: u64,
        repeat_every_ms: Option<u64>,
    ) -> Result<TimerId, SchedulerError> {
        let timers_max = self.shared.config.timers_max;
        self.shared
            .wheel()
            .schedule(kind, due_unix_ms, repeat_every_ms, timers_max)
    }

    /// Disarms a timer; `false` when it was not armed.
    pub fn cancel(&self, timer_id: TimerId) -> bool {
        self.shared.wheel().cancel(timer_id)
    }

    /// Timers armed.
    pub fn timer_count(&self) -> usize {
        self.shared.wheel().len()
    }

    /// Fires every timer due now (per the zone clock) and returns them with their delivery
    /// result, in firing order.
    pub async fn tick(&self) -> Result<Fired, SchedulerError> {
        let actor = self.slot.get().ok_or(SchedulerError::Unavailable)?;
        let timeout = self.shared.config.call_timeout;
        match actor
            .call(
                |reply| SchedulerMsg::Tick { reply: Some(reply) },
                Some(timeout),
            )
            .await
        {
            Ok(ractor::rpc::CallResult::Success(fired)) => Ok(fired),
            _ => Err(SchedulerError::Unavailable),
        }
    }

    /// The running actor's cell (introspection, drills).
    pub fn cell(&self) -> Option<ActorCell> {
        self.slot.get().map(|actor| actor.get_cell())
    }

    /// Stops the actor; timers stay armed in the wheel.
    pub fn stop(&self) {
        if let Some(actor) = self.slot.take() {
            actor.stop(None);
        }
    }
}

impl fmt::Debug for SchedulerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchedulerHandle")
            .field("timer_count", &self.timer_count())
            .finish()
    }
}

struct SchedulerShared {
    config: SchedulerConfig,
    /// A std mutex: held for wheel operations only, never across an await.
    wheel: Mutex<TimerWheel>,
}

impl SchedulerShared {
    fn wheel(&self) -> std::sync::MutexGuard<'_, TimerWheel> {
        self.wheel.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Fired timers and what each delivery came to.
pub type Fired = Vec<(ScheduledTimer, Result<(), SchedulerError>)>;

enum SchedulerMsg {
    Tick { reply: Option<RpcReplyPort<Fired>> },
}

struct SchedulerActor {
    shared: Arc<SchedulerShared>,
}

impl Actor for SchedulerActor {
    type Msg = SchedulerMsg;
    type State = Option<tokio::task::JoinHandle<()>>;
    type Arguments = ();

    async fn pre_start(
        &self,
        myself: ActorRef<SchedulerMsg>,
        _args: (),
    ) -> Result<Self::State, ActorProcessingErr> {
        Ok(self
            .shared
            .config
            .tick_interval
            .map(|interval| myself.send_interval(interval, || SchedulerMsg::Tick { reply: None })))
    }

    async fn post_stop(
        &self,
        _myself: ActorRef<SchedulerMsg>,
        interval: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        if let Some(task) = interval.take() {
            task.abort();
        }
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<SchedulerMsg>,
        message: SchedulerMsg,
        _interval: &mut Self::State,
    ) -> Result<(), ActorProcessingErr> {
        let SchedulerMsg::Tick { reply } = message;
        // The clock's resolution is a second: deadlines fire on the first tick at or after
        // their second.
        let now_unix_ms = u64::try_from(self.shared.config.clock.now().unix_seconds())
            .unwrap_or(0)
            .saturating_mul(1000);
        let due = self
            .shared
            .wheel()
            .take_due(now_unix_ms, FIRED_PER_TICK_MAX);
        let mut fired = Vec::with_capacity(due.len());
        for timer in due {
            let delivered = self.shared.config.sink.fire(&timer);
            if let Err(error) = &delivered {
                tracing::warn!(timer_id = timer.timer_id.0, %error, "timer undeliverable");
            }
            fired.push((timer, delivered));
        }
        if let Some(reply) = reply {
            // The caller may have timed out; the timers fired regardless.
            let _ = reply.send(fired);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
