//! Supervisor of a fixed set of singleton children (scheduler, agentic, Mass pool, a nested
//! supervisor, ...), with a restart policy per child, exponential backoff with jitter, and a
//! restart intensity that escalates to the parent when exceeded (OTP's one-for-one strategy).
//!
//! Owns `ChildSpec`, `start_supervisor`, `SupervisorHandle` and the ractor `Supervisor` actor,
//! which overrides `handle_supervisor_evt`: ractor's default stops a supervisor whenever a child
//! dies.
//!
//! Escalation: when restarts within `intensity.period_ms` exceed `intensity.max_restarts`, the
//! supervisor stops its remaining children, marks itself `failed`, emits `Escalated` and fails;
//! its own parent (if any) then applies its restart policy to it, as to any crashed child. A
//! top-level supervisor stays failed; operators see it in the tree.
//!
//! Never: blocks its mailbox through a backoff (restarts are scheduled messages); restarts a child
//! it stopped itself; keeps a child whose start failed half-way.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ractor::{ActorCell, ActorId, ActorProcessingErr, ActorRef, SupervisionEvent as RactorEvent};

use crate::error::{ActorFailure, RuntimeError};
use crate::introspection::{Introspection, NodeRecord, NodeStatus, SupervisionEvent, now_unix_ms};
use crate::keyed::millis;
use crate::policy::{Backoff, ExitKind, Intensity, RestartHistory, RestartPolicy, RestartVerdict};
use crate::sync::lock_std;

/// How long `SupervisorHandle::shutdown` waits for each child to stop before killing it.
/// Five seconds covers a child flushing its state; longer would stall a zone shutdown.
pub const CHILD_STOP_TIMEOUT_MS: u64 = 5_000;

/// The future a child's start function returns: the started, linked child.
pub type StartFuture = Pin<Box<dyn Future<Output = Result<ActorCell, ActorFailure>> + Send>>;

/// Starts one child, linked to the given supervisor (e.g. with `Actor::spawn_linked`). Called
/// again on every restart.
pub type StartFn = Arc<dyn Fn(ActorCell) -> StartFuture + Send + Sync>;

/// One child of a supervisor.
#[derive(Clone)]
pub struct ChildSpec {
    /// Path segment of the child; unique among its siblings.
    pub name: String,
    /// What the child is (shown in the tree), e.g. `scheduler`.
    pub kind: String,
    /// When the child is restarted.
    pub restart: RestartPolicy,
    /// Starts the child linked to the supervisor cell it receives.
    pub start: StartFn,
}

impl ChildSpec {
    /// A nested supervisor as a child: started (and restarted) with the given children. Its
    /// failure after exceeding its own intensity reaches this parent as a crash.
    pub fn supervisor(
        name: &str,
        restart: RestartPolicy,
        children: Vec<ChildSpec>,
        backoff: Backoff,
        intensity: Intensity,
        tree: &Introspection,
    ) -> Self {
        let tree = tree.clone();
        let child_name = name.to_owned();
        let start: StartFn = Arc::new(move |parent: ActorCell| {
            let tree = tree.clone();
            let children = children.clone();
            let name = child_name.clone();
            Box::pin(async move {
                let parent_path = tree
                    .path_of(parent.get_id())
                    .unwrap_or_else(|| tree.root_path().to_owned());
                let path = format!("{parent_path}/{name}");
                let handle = spawn(path, children, backoff, intensity, &tree, Some(parent))
                    .await
                    .map_err(|error| ActorFailure::new(error.to_string()))?;
                Ok(handle.actor.get_cell())
            })
        });
        Self {
            name: name.to_owned(),
            kind: "supervisor".to_owned(),
            restart,
            start,
        }
    }
}

/// Handle to a running supervisor.
#[derive(Clone)]
pub struct SupervisorHandle {
    actor: ActorRef<SupervisorMsg>,
    path: String,
    tree: Introspection,
    children: Arc<HashMap<String, Arc<NodeRecord>>>,
}

impl SupervisorHandle {
    /// The supervisor's path in the tree.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The supervisor's actor cell.
    pub fn cell(&self) -> ActorCell {
        self.actor.get_cell()
    }

    /// The current incarnation of child `name` (it changes on every restart); `None` while it is
    /// stopped or between a crash and its restart.
    pub fn child(&self, name: &str) -> Option<ActorCell> {
        let record = self.children.get(name)?;
        lock_std(&record.state).cell.clone()
    }

    /// The supervisor's status (`failed` after escalating).
    pub fn status(&self) -> Option<NodeStatus> {
        self.tree.find(&self.path).map(|node| node.status)
    }

    /// Whether the supervisor's actor still runs: false once it stopped, escalated or was
    /// killed (a top-level supervisor has no parent to record its death in the tree).
    pub fn is_alive(&self) -> bool {
        self.actor.get_status() == ractor::ActorStatus::Running
    }

    /// Stops the children (last started first, each given `CHILD_STOP_TIMEOUT_MS`), then the
    /// supervisor, and removes them from the tree.
    pub async fn shutdown(&self) -> Result<(), RuntimeError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        if self.actor.cast(SupervisorMsg::Shutdown { reply }).is_ok() {
            // A dropped reply means the supervisor died meanwhile: nothing left to stop.
            let _ = answer.await;
        }
        let timeout = Duration::from_millis(CHILD_STOP_TIMEOUT_MS);
        // Already stopped is fine.
        let _ = self
            .actor
            .stop_and_wait(Some("shutdown".to_owned()), Some(timeout))
            .await;
        self.tree.unregister_below(&self.path);
        Ok(())
    }
}

/// Starts a top-level supervisor at `/<root>/<name>` and its children, in order. If a child fails
/// to start, the ones already started are stopped and the error names the child.
pub async fn start_supervisor(
    name: &str,
    children: Vec<ChildSpec>,
    backoff: Backoff,
    intensity: Intensity,
    tree: &Introspection,
) -> Result<SupervisorHandle, RuntimeError> {
    let path = format!("{}/{name}", tree.root_path());
    spawn(path, children, backoff, intensity, tree, None).await
}

async fn spawn(
    path: String,
    children: Vec<ChildSpec>,
    backoff: Backoff,
    intensity: Intensity,
    tree: &Introspection,
    parent: Option<ActorCell>,
) -> Result<SupervisorHandle, RuntimeError> {
    validate(&path, &children, backoff)?;
    let record = tree.register_node(&path, "supervisor")?;
    let mut child_records = HashMap::new();
    for spec in &children {
        let child_path = format!("{path}/{}", spec.name);
        child_records.insert(
            spec.name.clone(),
            tree.register_node(&child_path, &spec.kind)?,
        );
    }
    let child_records = Arc::new(child_records);
    let handler = Supervisor {
        path: path.clone(),
        backoff,
        intensity,
        tree: tree.clone(),
        record: record.clone(),
    };
    let args = SupervisorArgs {
        children,
        records: child_records.clone(),
    };
    let top_level = parent.is_none();
    let spawned = match parent {
        Some(parent) => ractor::Actor::spawn_linked(None, handler, args, parent).await,
        None => ractor::Actor::spawn(None, handler, args).await,
    };
    let (actor, _join) = match spawned {
        Ok(spawned) => spawned,
        Err(error) => {
            if top_level {
                // Nothing of it runs; a nested supervisor's records stay with its parent.
                tree.unregister_below(&path);
            } else {
                lock_std(&record.state).cell = None;
            }
            return Err(RuntimeError::ChildStartFailed {
                path,
                reason: error.to_string(),
            });
        }
    };
    {
        let mut state = lock_std(&record.state);
        state.status = NodeStatus::Running;
        state.cell = Some(actor.get_cell());
        state.activated_at_unix_ms = now_unix_ms();
    }
    tree.emit(SupervisionEvent::Started { path: path.clone() });
    Ok(SupervisorHandle {
        actor,
        path,
        tree: tree.clone(),
        children: child_records,
    })
}

fn validate(path: &str, children: &[ChildSpec], backoff: Backoff) -> Result<(), RuntimeError> {
    let mut names = std::collections::HashSet::new();
    for spec in children {
        if spec.name.is_empty() || spec.name.contains('/') || !names.insert(spec.name.as_str()) {
            return Err(RuntimeError::InvalidConfig {
                field: "children.name",
                value: format!("{path}/{}", spec.name),
                reason: "must be a unique, non-empty path segment",
            });
        }
    }
    if backoff.initial_ms > backoff.max_ms {
        return Err(RuntimeError::InvalidConfig {
            field: "backoff.initial_ms",
            value: backoff.initial_ms.to_string(),
            reason: "must not exceed backoff.max_ms",
        });
    }
    Ok(())
}

/// Messages of the supervisor itself.
pub(crate) enum SupervisorMsg {
    /// Restart child `index` (its backoff elapsed) unless it changed generation meanwhile.
    Restart { index: usize, generation: u64 },
    /// Stop every child, last started first.
    Shutdown {
        reply: tokio::sync::oneshot::Sender<()>,
    },
}

struct Supervisor {
    path: String,
    backoff: Backoff,
    intensity: Intensity,
    tree: Introspection,
    record: Arc<NodeRecord>,
}

struct SupervisorArgs {
    children: Vec<ChildSpec>,
    records: Arc<HashMap<String, Arc<NodeRecord>>>,
}

struct Child {
    spec: ChildSpec,
    record: Arc<NodeRecord>,
    cell: Option<ActorCell>,
    /// Bumped on every exit, so a stale scheduled restart is ignored.
    generation: u64,
    restart_count: u32,
}

struct SupervisorState {
    children: Vec<Child>,
    by_actor: HashMap<ActorId, usize>,
    /// Restarts of all children within the intensity window (OTP counts per supervisor).
    history: RestartHistory,
    stopping: bool,
}

impl ractor::Actor for Supervisor {
    type Msg = SupervisorMsg;
    type State = SupervisorState;
    type Arguments = SupervisorArgs;

    async fn pre_start(
        &self,
        myself: ActorRef<SupervisorMsg>,
        args: SupervisorArgs,
    ) -> Result<SupervisorState, ActorProcessingErr> {
        // Known before the children start, so a nested supervisor child can find its parent's
        // path (`Introspection::path_of`).
        lock_std(&self.record.state).cell = Some(myself.get_cell());
        let mut state = SupervisorState {
            children: Vec::new(),
            by_actor: HashMap::new(),
            history: RestartHistory::new(),
            stopping: false,
        };
        for spec in args.children {
            let Some(record) = args.records.get(&spec.name).cloned() else {
                continue;
            };
            let path = record.path.clone();
            match (spec.start)(myself.get_cell()).await {
                Ok(cell) => {
                    state.by_actor.insert(cell.get_id(), state.children.len());
                    mark_started(&record, &cell);
                    self.tree.emit(SupervisionEvent::Started { path });
                    state.children.push(Child {
                        spec,
                        record,
                        cell: Some(cell),
                        generation: 0,
                        restart_count: 0,
                    });
                }
                Err(failure) => {
                    stop_children(&mut state).await;
                    return Err(Box::new(RuntimeError::ChildStartFailed {
                        path,
                        reason: failure.to_string(),
                    }));
                }
            }
        }
        Ok(state)
    }

    async fn handle(
        &self,
        myself: ActorRef<SupervisorMsg>,
        message: SupervisorMsg,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        match message {
            SupervisorMsg::Restart { index, generation } => {
                self.restart(&myself, state, index, generation).await
            }
            SupervisorMsg::Shutdown { reply } => {
                state.stopping = true;
                stop_children(state).await;
                // The requester may have gone; the children are stopped either way.
                let _ = reply.send(());
                Ok(())
            }
        }
    }

    async fn handle_supervisor_evt(
        &self,
        myself: ActorRef<SupervisorMsg>,
        event: RactorEvent,
        state: &mut SupervisorState,
    ) -> Result<(), ActorProcessingErr> {
        let (cell, kind, reason) = match event {
            RactorEvent::ActorTerminated(cell, _, reason) => {
                let kind = match reason.as_deref() {
                    Some("killed") => ExitKind::Abnormal,
                    _ => ExitKind::Normal,
                };
                (cell, kind, reason.unwrap_or_else(|| "stopped".to_owned()))
            }
            RactorEvent::ActorFailed(cell, error) => (cell, ExitKind::Abnormal, error.to_string()),
            RactorEvent::ActorStarted(_) | RactorEvent::ProcessGroupChanged(_) => return Ok(()),
        };
        let Some(index) = state.by_actor.remove(&cell.get_id()) else {
            return Ok(());
        };
        if state.stopping {
            return Ok(());
        }
        self.on_child_exit(&myself, state, index, kind, reason)
            .await
    }
}

impl Supervisor {
    async fn on_child_exit(
        &self,
        myself: &ActorRef<SupervisorMsg>,
        state: &mut SupervisorState,
        index: usize,
        kind: ExitKind,
        reason: String,
    ) -> Result<(), ActorProcessingErr> {
        let Some(child) = state.children.get_mut(index) else {
            return Ok(());
        };
        child.cell = None;
        child.generation += 1;
        let path = child.record.path.clone();
        {
            let mut record = lock_std(&child.record.state);
            record.cell = None;
            if kind == ExitKind::Abnormal {
                record.last_failure = Some(reason.clone());
            }
            record.status = NodeStatus::Stopped;
        }
        if kind == ExitKind::Abnormal {
            self.tree.emit(SupervisionEvent::Failed {
                path: path.clone(),
                reason: reason.clone(),
            });
        }
        if !child.spec.restart.restarts_after(kind) {
            self.tree.emit(SupervisionEvent::Stopped { path });
            return Ok(());
        }
        self.schedule_restart(myself, state, index, reason).await
    }

    /// Records a restart against the intensity and schedules it after its backoff, or escalates.
    async fn schedule_restart(
        &self,
        myself: &ActorRef<SupervisorMsg>,
        state: &mut SupervisorState,
        index: usize,
        reason: String,
    ) -> Result<(), ActorProcessingErr> {
        let attempt = match state.history.record(self.intensity, Instant::now()) {
            RestartVerdict::Restart { attempt } => attempt,
            RestartVerdict::Escalate => return self.escalate(state, reason).await,
        };
        let Some(child) = state.children.get(index) else {
            return Ok(());
        };
        let delay = self.backoff.delay(attempt, fastrand::f64());
        self.tree.emit(SupervisionEvent::Restarted {
            path: child.record.path.clone(),
            attempt,
            backoff_ms: millis(delay),
        });
        lock_std(&child.record.state).status = NodeStatus::Starting;
        let request = SupervisorMsg::Restart {
            index,
            generation: child.generation,
        };
        if delay.is_zero() {
            // Our own mailbox; closed only if we are stopping, and then no restart is wanted.
            let _ = myself.cast(request);
        } else {
            let myself = myself.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                // Stopped meanwhile: nothing to restart.
                let _ = myself.cast(request);
            });
        }
        Ok(())
    }

    async fn restart(
        &self,
        myself: &ActorRef<SupervisorMsg>,
        state: &mut SupervisorState,
        index: usize,
        generation: u64,
    ) -> Result<(), ActorProcessingErr> {
        if state.stopping {
            return Ok(());
        }
        let Some(child) = state.children.get_mut(index) else {
            return Ok(());
        };
        if child.generation != generation || child.cell.is_some() {
            return Ok(());
        }
        let path = child.record.path.clone();
        match (child.spec.start)(myself.get_cell()).await {
            Ok(cell) => {
                child.restart_count = child.restart_count.saturating_add(1);
                lock_std(&child.record.state).restart_count = child.restart_count;
                mark_started(&child.record, &cell);
                state.by_actor.insert(cell.get_id(), index);
                child.cell = Some(cell);
                self.tree.emit(SupervisionEvent::Started { path });
                Ok(())
            }
            Err(failure) => {
                let reason = format!("restart failed: {failure}");
                lock_std(&child.record.state).last_failure = Some(reason.clone());
                self.tree.emit(SupervisionEvent::Failed {
                    path,
                    reason: reason.clone(),
                });
                self.schedule_restart(myself, state, index, reason).await
            }
        }
    }

    async fn escalate(
        &self,
        state: &mut SupervisorState,
        reason: String,
    ) -> Result<(), ActorProcessingErr> {
        state.stopping = true;
        stop_children(state).await;
        {
            let mut record = lock_std(&self.record.state);
            record.status = NodeStatus::Failed;
            record.last_failure = Some(reason.clone());
            record.cell = None;
        }
        self.tree.emit(SupervisionEvent::Escalated {
            path: self.path.clone(),
            reason: reason.clone(),
        });
        Err(Box::new(ActorFailure::new(format!(
            "supervisor {} exceeded its restart intensity; last failure: {reason}",
            self.path
        ))))
    }
}

fn mark_started(record: &NodeRecord, cell: &ActorCell) {
    let mut state = lock_std(&record.state);
    state.status = NodeStatus::Running;
    state.cell = Some(cell.clone());
    state.activated_at_unix_ms = now_unix_ms();
}

/// Stops the live children, last started first, each within `CHILD_STOP_TIMEOUT_MS`.
async fn stop_children(state: &mut SupervisorState) {
    let timeout = Duration::from_millis(CHILD_STOP_TIMEOUT_MS);
    for child in state.children.iter_mut().rev() {
        child.generation += 1;
        let Some(cell) = child.cell.take() else {
            continue;
        };
        state.by_actor.remove(&cell.get_id());
        if cell
            .stop_and_wait(Some("supervisor stopping".to_owned()), Some(timeout))
            .await
            .is_err()
        {
            cell.kill();
        }
        let mut record = lock_std(&child.record.state);
        record.status = NodeStatus::Stopped;
        record.cell = None;
    }
}
