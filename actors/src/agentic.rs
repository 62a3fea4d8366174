//! The agentic actor: turns triggers into executed actions and a hash-chained audit trail.
//!
//! Owns [`AgenticHandle`] (the only API), [`AgenticConfig`], the executor seams
//! [`CorridorControl`] and [`EntityControl`], the sanctions input [`SanctionsUpdate`] and the
//! results [`Decision`], [`ActionOutcome`], [`SanctionsSweep`] ([`UnscreenedParty`]);
//! [`zone_policy_set`] (the baseline composed with the store's latest policy versions); and
//! [`baseline_policy_set`],
//! the two policies every zone starts with (a confirmed sanctions match on a corridor party
//! halts the corridor; an expired licence suspends the entity).
//!
//! One message is one decision, in this order (write-ahead): evaluate the trigger with
//! `msez_protocol::agentic::policy::PolicySet::evaluate` (pure), append the decision to the
//! audit trail (`Store::append_audit_entry`, which chains it), execute each planned action
//! through the seam that owns its target, then append the outcomes as a second entry. A crash
//! between the two entries leaves a decision without outcomes: visible, never silent.
//!
//! Sanctions: a [`SanctionsUpdate`] carries a new list. The actor indexes it
//! (`msez_protocol::tensor::sanctions`), asks [`CorridorControl::parties`] for every open
//! corridor's parties (entity ids: corridors record nothing else of a party), asks
//! [`EntityControl::party_identity`] once per distinct entity for its names and identifiers
//! (from Mass, through the entity actors and their TTL fact cache; at most
//! [`PARTY_LOOKUPS_IN_FLIGHT_MAX`] at a time), screens each party, and presents one
//! `sanctions_list_update` trigger per matching party with the corridor in its payload, so the
//! policies decide what a match means. A party whose identity cannot be read is reported in
//! [`SanctionsSweep::unscreened`], never skipped silently.
//!
//! Never: decides anything itself (the policy set decides), calls back into an actor that may
//! call it synchronously (corridors and entities only ever cast triggers here), or acts before
//! the decision is durable.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use msez_persistence::store::Store;
use msez_protocol::agentic::policy::{Evaluation, PlannedAction, PolicyId, PolicySet};
use msez_protocol::agentic::{ActionKind, Trigger, TriggerKind};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::tensor::sanctions::{
    SanctionsError, SanctionsIdentifier, SanctionsIndex, SanctionsList, ScreeningConfig,
};
use msez_protocol::time::Timestamp;
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef, RpcReplyPort};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::slot::ActorSlot;

/// A boxed, sendable future: what the executor seams return (dyn-compatible async).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Parties screened per sanctions update. 100,000 covers two parties on each of 10,000
/// corridors five times over, and bounds one sweep's work.
pub const SWEEP_PARTIES_MAX: usize = 100_000;

/// Party identity lookups one sweep keeps in flight. Each is an entity actor call that may
/// reach Mass through the pool; 16 overlaps Mass latency without crowding the pool's queue for
/// the zone's other work.
pub const PARTY_LOOKUPS_IN_FLIGHT_MAX: usize = 16;

/// A corridor and the entities party to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorParties {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// Its parties' entity ids (Mass ids), in the order the corridor records them.
    pub party_entity_ids: Vec<EntityId>,
}

/// What screening reads of one party: its names and identifiers, as Mass holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyIdentity {
    /// Legal name and aliases.
    pub names: Vec<String>,
    /// Registration numbers and identity documents.
    pub identifiers: Vec<SanctionsIdentifier>,
}

/// Why an action was taken: handed to the executor and recorded by it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionEvidence {
    /// The policy that planned the action.
    pub policy_id: PolicyId,
    /// The trigger kind.
    pub trigger: TriggerKind,
    /// Digest of the trigger's canonical payload.
    pub payload_digest: Digest,
    /// Sequence of the audit entry that recorded the decision.
    pub decision_sequence: u64,
    /// The action's parameters.
    pub parameters: BTreeMap<String, String>,
}

/// Why an executor could not carry out an action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ControlError {
    /// The target does not exist.
    #[error("unknown target {target}")]
    UnknownTarget {
        /// The target id.
        target: String,
    },
    /// The target refused (for example a lifecycle that does not allow the move).
    #[error("target {target} refused: {reason}")]
    Refused {
        /// The target id.
        target: String,
        /// The target's own reason.
        reason: String,
    },
    /// The target's owner is not reachable.
    #[error("target {target} unavailable: {reason}")]
    Unavailable {
        /// The target id.
        target: String,
        /// Why.
        reason: String,
    },
}

/// What the agentic actor may ask of the corridors. Implemented by the corridor host's handle
/// (`msez_actors::corridor::handle::Corridors`).
pub trait CorridorControl: Send + Sync + 'static {
    /// Every open corridor (neither halted nor deprecated) and its parties.
    fn parties(&self) -> BoxFuture<'_, Result<Vec<CorridorParties>, ControlError>>;
    /// Halts a corridor: no new receipts until resumed.
    fn halt(
        &self,
        corridor_id: CorridorId,
        evidence: ActionEvidence,
    ) -> BoxFuture<'_, Result<(), ControlError>>;
}

/// What the agentic actor may ask of the entities. Implemented by the entity host's handle.
pub trait EntityControl: Send + Sync + 'static {
    /// The entity's names and identifiers for screening (from Mass, possibly cached).
    /// `UnknownTarget` when Mass holds no such entity.
    fn party_identity(
        &self,
        entity_id: EntityId,
    ) -> BoxFuture<'_, Result<PartyIdentity, ControlError>>;

    /// Suspends an entity (lifecycle ACTIVE → SUSPENDED).
    fn suspend(
        &self,
        entity_id: EntityId,
        evidence: ActionEvidence,
    ) -> BoxFuture<'_, Result<(), ControlError>>;
}

/// A new sanctions list from a regpack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionsUpdate {
    /// The list.
    pub list: SanctionsList,
    /// The regpack's jurisdiction (`None`: zone-wide).
    pub jurisdiction: Option<JurisdictionId>,
    /// When the update was published.
    pub occurred_at: Timestamp,
}

/// What became of one planned action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionResult {
    /// Carried out.
    Done,
    /// The executor failed or refused.
    Failed(ControlError),
    /// The action has no target where one is required.
    MissingTarget,
    /// No executor for this action kind is wired in this zone (recorded, not carried out).
    NoExecutor,
}

impl ActionResult {
    /// The result as the audit trail and the API spell it.
    pub fn as_word(&self) -> &'static str {
        match self {
            ActionResult::Done => "done",
            ActionResult::Failed(_) => "failed",
            ActionResult::MissingTarget => "missing_target",
            ActionResult::NoExecutor => "no_executor",
        }
    }

    /// Why the executor failed or refused (only for `Failed`).
    pub fn failure_reason(&self) -> Option<String> {
        match self {
            ActionResult::Failed(error) => Some(error.to_string()),
            ActionResult::Done | ActionResult::MissingTarget | ActionResult::NoExecutor => None,
        }
    }
}

/// A planned action and its result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionOutcome {
    /// The action.
    pub action: PlannedAction,
    /// What happened.
    pub result: ActionResult,
}

/// One trigger's decision: the evaluation, its audit entries and the outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The trigger kind.
    pub trigger: TriggerKind,
    /// What the policies decided.
    pub evaluation: Evaluation,
    /// Sequence of the decision entry in the audit trail.
    pub decision_sequence: u64,
    /// Sequence of the outcome entry.
    pub outcome_sequence: u64,
    /// One per planned action, in plan order.
    pub outcomes: Vec<ActionOutcome>,
}

/// The result of screening every corridor against a new list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionsSweep {
    /// Digest of the list.
    pub list_digest: Digest,
    /// (corridor, party) pairs screened.
    pub parties_screened: u64,
    /// One decision per matching (corridor, party).
    pub decisions: Vec<Decision>,
    /// Pairs that could not be screened, with the reason.
    pub unscreened: Vec<UnscreenedParty>,
}

/// A corridor party the sweep could not screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnscreenedParty {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The party.
    pub entity_id: EntityId,
    /// Why.
    pub reason: UnscreenedReason,
}

/// Why a party was not screened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnscreenedReason {
    /// Its names and identifiers could not be read (unknown to Mass, Mass unavailable).
    #[error("identity unavailable: {0}")]
    Identity(ControlError),
    /// Its names or identifiers cannot be screened (too many, or without letters or digits).
    #[error("not screenable: {0}")]
    Screening(SanctionsError),
}

/// Why the agentic actor refused a request.
#[derive(Debug, thiserror::Error)]
pub enum AgenticError {
    /// The trigger payload is not canonical JSON under the integer profile.
    #[error("trigger {trigger:?} payload is not canonical: {source}")]
    Payload {
        /// The trigger kind.
        trigger: TriggerKind,
        /// The canonicaliser's error.
        #[source]
        source: msez_protocol::canonical::CanonError,
    },
    /// The dispute id does not make a valid policy id (`ruling:<dispute_id>` too long).
    #[error("dispute {dispute_id} cannot name a ruling policy: {source}")]
    RulingId {
        /// The dispute.
        dispute_id: String,
        /// Why the id is refused.
        #[source]
        source: msez_protocol::ids::IdError,
    },
    /// The sanctions list cannot be indexed.
    #[error("sanctions list rejected: {0}")]
    Sanctions(#[from] SanctionsError),
    /// More corridor parties than [`SWEEP_PARTIES_MAX`].
    #[error("{party_count} corridor parties exceed the sweep bound {SWEEP_PARTIES_MAX}")]
    TooManyParties {
        /// Parties reported.
        party_count: usize,
    },
    /// The corridor owner could not list parties.
    #[error("corridor parties unavailable: {0}")]
    Corridors(ControlError),
    /// The actor did not answer within the call timeout.
    #[error("agentic actor did not answer within {timeout_ms} ms")]
    Timeout {
        /// The timeout.
        timeout_ms: u64,
    },
    /// The actor is not running, or crashed while handling the request (for example the
    /// audit store failed; the supervisor restarts it).
    #[error("agentic actor unavailable")]
    Unavailable,
}

/// What the agentic actor is built from. No `Default`: the zone decides.
#[derive(Clone)]
pub struct AgenticConfig {
    /// The audit trail's id (one per zone).
    pub trail_id: String,
    /// Where decisions are recorded.
    pub store: Store,
    /// The zone clock (`recorded_at` of audit entries).
    pub clock: Arc<dyn Clock>,
    /// The corridors' executor.
    pub corridors: Arc<dyn CorridorControl>,
    /// The entities' executor.
    pub entities: Arc<dyn EntityControl>,
    /// Screening thresholds.
    pub screening: ScreeningConfig,
    /// How long a caller waits for a decision.
    pub call_timeout: Duration,
}

/// The handle: cheap to clone, survives restarts of the actor.
#[derive(Clone)]
pub struct AgenticHandle {
    slot: ActorSlot<AgenticMsg>,
    shared: Arc<AgenticShared>,
}

/// Why the zone's policy set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyLoadError {
    /// The store could not list the policy versions.
    #[error("policy versions unreadable: {0}")]
    Store(#[from] msez_persistence::error::StoreError),
    /// A stored version is not a policy version document.
    #[error("stored policy {policy_id} version {version}: {source}")]
    Version {
        /// The policy id of the row.
        policy_id: String,
        /// The version of the row.
        version: u64,
        /// Why it does not parse.
        #[source]
        source: msez_protocol::agentic::policy::PolicyError,
    },
    /// A stored version's document names another policy id than its row.
    #[error("stored policy {policy_id} version {version} holds policy {document_policy_id}")]
    IdMismatch {
        /// The policy id of the row.
        policy_id: String,
        /// The version of the row.
        version: u64,
        /// The id inside the document.
        document_policy_id: String,
    },
    /// The composed set breaks a set bound (too many policies).
    #[error("policy set: {0}")]
    Compose(msez_protocol::agentic::policy::PolicyError),
}

/// The set in force at start: [`baseline_policy_set`] composed with the latest stored version
/// of every policy id (`msez_protocol::agentic::versions::compose_policy_set`).
pub async fn zone_policy_set(store: &Store) -> Result<PolicySet, PolicyLoadError> {
    use msez_protocol::agentic::versions::{compose_policy_set, parse_policy_version};
    let baseline = baseline_policy_set().map_err(PolicyLoadError::Compose)?;
    let mut latest = Vec::new();
    for record in store.latest_policies().await? {
        let version_error = |source| PolicyLoadError::Version {
            policy_id: record.policy_id.clone(),
            version: record.version,
            source,
        };
        let document =
            msez_protocol::canonical::parse(record.policy.as_bytes()).map_err(|error| {
                version_error(msez_protocol::fields::FieldError::Json { error }.into())
            })?;
        let version = parse_policy_version(&document, "$").map_err(version_error)?;
        if version.policy_id().as_str() != record.policy_id {
            return Err(PolicyLoadError::IdMismatch {
                policy_id: record.policy_id,
                version: record.version,
                document_policy_id: version.policy_id().to_string(),
            });
        }
        latest.push(version);
    }
    compose_policy_set(baseline.policies(), latest).map_err(PolicyLoadError::Compose)
}

/// The policies every zone starts with, before any policy pack is loaded: a confirmed
/// sanctions match on a corridor party halts that corridor, and an expired licence suspends
/// its entity.
pub fn baseline_policy_set() -> Result<PolicySet, msez_protocol::agentic::policy::PolicyError> {
    let document = json!({
        "policies": [
            {
                "policy_id": "baseline.sanctions.halt_corridor",
                "description": "A confirmed sanctions match on a corridor party halts the corridor",
                "trigger": "sanctions_list_update",
                "priority": 1000,
                "condition": { "type": "equals", "path": "confirmed", "value": true },
                "actions": [ { "action": "halt", "target_path": "corridor_id" } ]
            },
            {
                "policy_id": "baseline.licence.expiry_suspends",
                "description": "An expired licence suspends the entity that held it",
                "trigger": "license_status_change",
                "priority": 1000,
                "condition": { "type": "equals", "path": "status", "value": "expired" },
                "actions": [ { "action": "suspend_entity", "target_path": "entity_id" } ]
            }
        ]
    });
    msez_protocol::agentic::policy::parse_policy_set(document.to_string().as_bytes())
}

impl AgenticHandle {
    /// Spawns the actor (linked to `supervisor` when given) with `policies`.
    pub async fn start(
        config: AgenticConfig,
        policies: PolicySet,
        supervisor: Option<ActorCell>,
    ) -> Result<AgenticHandle, ractor::SpawnErr> {
        let handle = AgenticHandle::new(config, policies);
        handle.spawn(supervisor).await?;
        Ok(handle)
    }

    /// A handle with no actor yet: a supervisor's start function spawns it with
    /// [`AgenticHandle::spawn`]. Requests before then get [`AgenticError::Unavailable`].
    pub fn new(config: AgenticConfig, policies: PolicySet) -> AgenticHandle {
        AgenticHandle {
            slot: ActorSlot::empty(),
            shared: Arc::new(AgenticShared {
                config,
                policies: RwLock::new(Arc::new(policies)),
            }),
        }
    }

    /// Spawns a fresh actor behind this handle (a supervisor's restart) and returns its cell.
    pub async fn spawn(
        &self,
        supervisor: Option<ActorCell>,
    ) -> Result<ActorCell, ractor::SpawnErr> {
        let behaviour = AgenticActor {
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

    /// The running actor's cell (introspection, drills).
    pub fn cell(&self) -> Option<ActorCell> {
        self.slot.get().map(|actor| actor.get_cell())
    }

    /// Stops the actor.
    pub fn stop(&self) {
        if let Some(actor) = self.slot.take() {
            actor.stop(None);
        }
    }

    /// Replaces the policy set (a policy pack update). Survives actor restarts.
    pub fn replace_policies(&self, policies: PolicySet) {
        *self
            .shared
            .policies
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(policies);
    }

    /// Evaluates `trigger`, executes its actions and returns the decision.
    pub async fn decide(&self, trigger: Trigger) -> Result<Decision, AgenticError> {
        self.call(|reply| AgenticMsg::Trigger {
            trigger,
            reply: Some(reply),
        })
        .await?
    }

    /// Sends `trigger` without waiting (schedulers and actors that must not block on us).
    pub fn notify(&self, trigger: Trigger) -> Result<(), AgenticError> {
        let actor = self.slot.get().ok_or(AgenticError::Unavailable)?;
        actor
            .cast(AgenticMsg::Trigger {
                trigger,
                reply: None,
            })
            .map_err(|_| AgenticError::Unavailable)
    }

    /// Executes the enforcement actions of an arbitration ruling (already decided by the
    /// ruling, so no policy is consulted), recorded under trigger `enforcement_due` with policy
    /// id `ruling:<dispute_id>`.
    pub async fn enforce_ruling(
        &self,
        dispute_id: &msez_protocol::arbitration::DisputeId,
        actions: Vec<msez_protocol::arbitration::EnforcementAction>,
        occurred_at: Timestamp,
    ) -> Result<Decision, AgenticError> {
        let policy_id = PolicyId::new(format!("ruling:{dispute_id}")).map_err(|source| {
            AgenticError::RulingId {
                dispute_id: dispute_id.to_string(),
                source,
            }
        })?;
        let planned: Vec<PlannedAction> = actions
            .iter()
            .map(|action| PlannedAction {
                kind: action.kind,
                target: Some(action.target.clone()),
                parameters: action.parameters.iter().cloned().collect(),
                policy_id: policy_id.clone(),
            })
            .collect();
        let payload = json!({
            "dispute_id": dispute_id.as_str(),
            "actions": planned.iter().map(action_value).collect::<Vec<_>>(),
        });
        let trigger = Trigger::new(TriggerKind::EnforcementDue, None, payload, occurred_at)
            .map_err(|source| AgenticError::Payload {
                trigger: TriggerKind::EnforcementDue,
                source,
            })?;
        self.call(|reply| AgenticMsg::Enforce {
            trigger,
            actions: planned,
            reply,
        })
        .await?
    }

    /// Screens every corridor's parties against a new sanctions list and acts on matches.
    pub async fn sanctions_update(
        &self,
        update: SanctionsUpdate,
    ) -> Result<SanctionsSweep, AgenticError> {
        self.call(|reply| AgenticMsg::Sanctions { update, reply })
            .await?
    }

    async fn call<R: Send + 'static>(
        &self,
        build: impl FnOnce(RpcReplyPort<R>) -> AgenticMsg,
    ) -> Result<R, AgenticError> {
        let actor = self.slot.get().ok_or(AgenticError::Unavailable)?;
        let timeout = self.shared.config.call_timeout;
        match actor.call(build, Some(timeout)).await {
            Ok(ractor::rpc::CallResult::Success(value)) => Ok(value),
            Ok(ractor::rpc::CallResult::Timeout) => Err(AgenticError::Timeout {
                timeout_ms: u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            }),
            Ok(ractor::rpc::CallResult::SenderError) | Err(_) => Err(AgenticError::Unavailable),
        }
    }
}

impl fmt::Debug for AgenticHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgenticHandle")
            .field("trail_id", &self.shared.config.trail_id)
            .finish()
    }
}

/// State shared by the handle and every incarnation of the actor.
struct AgenticShared {
    config: AgenticConfig,
    /// A std lock around an `Arc`: a reader clones the pointer and releases the lock at once.
    policies: RwLock<Arc<PolicySet>>,
}

/// The actor's private message enum.
enum AgenticMsg {
    Trigger {
        trigger: Trigger,
        reply: Option<RpcReplyPort<Result<Decision, AgenticError>>>,
    },
    Sanctions {
        update: SanctionsUpdate,
        reply: RpcReplyPort<Result<SanctionsSweep, AgenticError>>,
    },
    Enforce {
        trigger: Trigger,
        actions: Vec<PlannedAction>,
        reply: RpcReplyPort<Result<Decision, AgenticError>>,
    },
}

struct AgenticActor {
    shared: Arc<AgenticShared>,
}

impl Actor for AgenticActor {
    type Msg = AgenticMsg;
    type State = ();
    type Arguments = ();

    async fn pre_start(
        &self,
        _myself: ActorRef<AgenticMsg>,
        _args: (),
    ) -> Result<(), ActorProcessingErr> {
        // Stateless between messages: the trail's head lives in the store, the policies in the
        // shared cell, so a restarted actor is indistinguishable from the one that failed.
        Ok(())
    }

    async fn handle(
        &self,
        _myself: ActorRef<AgenticMsg>,
        message: AgenticMsg,
        _state: &mut (),
    ) -> Result<(), ActorProcessingErr> {
        match message {
            AgenticMsg::Trigger { trigger, reply } => {
                let decision = self.decide(&trigger).await?;
                if let Some(reply) = reply {
                    // The caller may have timed out; the decision is durable either way.
                    let _ = reply.send(Ok(decision));
                }
            }
            AgenticMsg::Enforce {
                trigger,
                actions,
                reply,
            } => {
                let evaluation = Evaluation {
                    matched_policy_ids: Vec::new(),
                    actions,
                    overridden: Vec::new(),
                    unresolved: Vec::new(),
                };
                let decision = self.record_and_execute(&trigger, evaluation).await?;
                // The caller may have timed out; the decision is durable either way.
                let _ = reply.send(Ok(decision));
            }
            AgenticMsg::Sanctions { update, reply } => {
                let sweep = self.sweep(update).await?;
                // As above: the sweep's decisions are already in the audit trail.
                let _ = reply.send(sweep);
            }
        }
        Ok(())
    }
}

impl AgenticActor {
    /// Evaluate, record, execute, record. Only a storage or clock failure is an `Err` (the
    /// actor crashes and the supervisor restarts it).
    async fn decide(&self, trigger: &Trigger) -> Result<Decision, ActorProcessingErr> {
        let policies = Arc::clone(
            &self
                .shared
                .policies
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let evaluation = policies.evaluate(trigger);
        self.record_and_execute(trigger, evaluation).await
    }

    /// Records the decision, executes its actions, records the outcomes.
    async fn record_and_execute(
        &self,
        trigger: &Trigger,
        evaluation: Evaluation,
    ) -> Result<Decision, ActorProcessingErr> {
        let config = &self.shared.config;
        let recorded_at = config.clock.now();
        let decision_entry = decision_record(&config.trail_id, trigger, &evaluation, recorded_at);
        let decision = config
            .store
            .append_audit_entry(&config.trail_id, &CanonicalBytes::new(&decision_entry)?)
            .await?;
        let mut outcomes = Vec::with_capacity(evaluation.actions.len());
        for action in &evaluation.actions {
            let evidence = ActionEvidence {
                policy_id: action.policy_id.clone(),
                trigger: trigger.kind(),
                payload_digest: trigger.payload_digest(),
                decision_sequence: decision.sequence,
                parameters: action.parameters.clone(),
            };
            let result = self.execute(action, evidence).await;
            outcomes.push(ActionOutcome {
                action: action.clone(),
                result,
            });
        }
        let outcome_entry = outcome_record(decision.sequence, &outcomes, config.clock.now());
        let outcome = config
            .store
            .append_audit_entry(&config.trail_id, &CanonicalBytes::new(&outcome_entry)?)
            .await?;
        debug_assert!(decision.sequence < outcome.sequence);
        Ok(Decision {
            trigger: trigger.kind(),
            evaluation,
            decision_sequence: decision.sequence,
            outcome_sequence: outcome.sequence,
            outcomes,
        })
    }

    /// Sends one action to the seam that owns its target.
    async fn execute(&self, action: &PlannedAction, evidence: ActionEvidence) -> ActionResult {
        let config = &self.shared.config;
        let Some(target) = action.target.as_deref() else {
            return match action.kind {
                ActionKind::Halt | ActionKind::SuspendEntity => ActionResult::MissingTarget,
                _ => ActionResult::NoExecutor,
            };
        };
        let outcome = match action.kind {
            ActionKind::Halt | ActionKind::FreezeCorridor => match CorridorId::new(target) {
                Ok(corridor_id) => config.corridors.halt(corridor_id, evidence).await,
                Err(_) => Err(ControlError::UnknownTarget {
                    target: target.to_owned(),
                }),
            },
            ActionKind::SuspendEntity => match EntityId::new(target) {
                Ok(entity_id) => config.entities.suspend(entity_id, evidence).await,
                Err(_) => Err(ControlError::UnknownTarget {
                    target: target.to_owned(),
                }),
            },
            ActionKind::Resume
            | ActionKind::ArbitrationEnforce
            | ActionKind::UpdateManifest
            | ActionKind::IssueCredential
            | ActionKind::Notify
            | ActionKind::FreezeAsset
            | ActionKind::UnfreezeAsset
            | ActionKind::BlockAssetTransfer => return ActionResult::NoExecutor,
        };
        match outcome {
            Ok(()) => ActionResult::Done,
            Err(error) => ActionResult::Failed(error),
        }
    }

    /// Screens every corridor party against the new list; one decision per match.
    async fn sweep(
        &self,
        update: SanctionsUpdate,
    ) -> Result<Result<SanctionsSweep, AgenticError>, ActorProcessingErr> {
        let config = &self.shared.config;
        let index = match SanctionsIndex::build(update.list) {
            Ok(index) => index,
            Err(error) => return Ok(Err(error.into())),
        };
        let corridors = match config.corridors.parties().await {
            Ok(corridors) => corridors,
            Err(error) => return Ok(Err(AgenticError::Corridors(error))),
        };
        let party_count: usize = corridors.iter().map(|c| c.party_entity_ids.len()).sum();
        if party_count > SWEEP_PARTIES_MAX {
            return Ok(Err(AgenticError::TooManyParties { party_count }));
        }
        let distinct: BTreeSet<EntityId> = corridors
            .iter()
            .flat_map(|corridor| corridor.party_entity_ids.iter().cloned())
            .collect();
        let identities = party_identities(&config.entities, distinct).await;
        let mut sweep = SanctionsSweep {
            list_digest: index.list_digest(),
            parties_screened: 0,
            decisions: Vec::new(),
            unscreened: Vec::new(),
        };
        for corridor in &corridors {
            for entity_id in &corridor.party_entity_ids {
                let unscreened = |reason| UnscreenedParty {
                    corridor_id: corridor.corridor_id.clone(),
                    entity_id: entity_id.clone(),
                    reason,
                };
                let identity = match identities.get(entity_id) {
                    Some(Ok(identity)) => identity,
                    Some(Err(error)) => {
                        sweep
                            .unscreened
                            .push(unscreened(UnscreenedReason::Identity(error.clone())));
                        continue;
                    }
                    None => {
                        let error = ControlError::Unavailable {
                            target: entity_id.to_string(),
                            reason: "identity lookup did not finish".to_owned(),
                        };
                        sweep
                            .unscreened
                            .push(unscreened(UnscreenedReason::Identity(error)));
                        continue;
                    }
                };
                let screened =
                    index.screen(&identity.names, &identity.identifiers, config.screening);
                let report = match screened {
                    Ok(report) => report,
                    Err(error) => {
                        sweep
                            .unscreened
                            .push(unscreened(UnscreenedReason::Screening(error)));
                        continue;
                    }
                };
                sweep.parties_screened += 1;
                let Some(strongest) = report.matches.first() else {
                    continue;
                };
                let payload = json!({
                    "corridor_id": corridor.corridor_id.as_str(),
                    "party_entity_id": entity_id.as_str(),
                    "entry_id": strongest.entry_id,
                    "match_rule": rule_word(strongest.rule),
                    "score_bps": strongest.score_bps,
                    "confirmed": report.has_confirmed_match(),
                    "list_digest": report.list_digest.to_hex(),
                });
                let trigger = match Trigger::new(
                    TriggerKind::SanctionsListUpdate,
                    update.jurisdiction.clone(),
                    payload,
                    update.occurred_at,
                ) {
                    Ok(trigger) => trigger,
                    Err(source) => {
                        return Ok(Err(AgenticError::Payload {
                            trigger: TriggerKind::SanctionsListUpdate,
                            source,
                        }));
                    }
                };
                sweep.decisions.push(self.decide(&trigger).await?);
            }
        }
        Ok(Ok(sweep))
    }
}

/// Reads every entity's identity, at most [`PARTY_LOOKUPS_IN_FLIGHT_MAX`] at a time. A lookup
/// whose task died is absent from the answer (the sweep reports it unscreened).
async fn party_identities(
    entities: &Arc<dyn EntityControl>,
    entity_ids: BTreeSet<EntityId>,
) -> BTreeMap<EntityId, Result<PartyIdentity, ControlError>> {
    let mut identities = BTreeMap::new();
    let mut pending = entity_ids.into_iter();
    let mut in_flight = tokio::task::JoinSet::new();
    loop {
        while in_flight.len() < PARTY_LOOKUPS_IN_FLIGHT_MAX {
            let Some(entity_id) = pending.next() else {
                break;
            };
            let entities = Arc::clone(entities);
            in_flight.spawn(async move {
                let identity = entities.party_identity(entity_id.clone()).await;
                (entity_id, identity)
            });
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        match joined {
            Ok((entity_id, identity)) => {
                identities.insert(entity_id, identity);
            }
            // A panicking executor is a bug in it; its party is reported as not screened.
            Err(error) => tracing::error!(%error, "party identity lookup failed"),
        }
    }
    identities
}

fn rule_word(rule: msez_protocol::tensor::sanctions::MatchRule) -> &'static str {
    use msez_protocol::tensor::sanctions::MatchRule;
    match rule {
        MatchRule::Identifier => "identifier",
        MatchRule::ExactName => "exact_name",
        MatchRule::TokenJaccard => "token_jaccard",
        MatchRule::Substring => "substring",
    }
}

/// The decision entry: everything a verifier needs to recompute the evaluation's inputs.
fn decision_record(
    trail_id: &str,
    trigger: &Trigger,
    evaluation: &Evaluation,
    recorded_at: Timestamp,
) -> Value {
    let unresolved: Vec<Value> = evaluation
        .unresolved
        .iter()
        .map(|u| {
            json!({
                "policy_id": u.policy_id.as_str(),
                "action": u.kind.as_str(),
                "target_path": u.target_path,
            })
        })
        .collect();
    json!({
        "type": "MSEZAgenticDecision",
        "trail_id": trail_id,
        "recorded_at": recorded_at.to_string(),
        "trigger": trigger.kind().as_str(),
        "jurisdiction": trigger.jurisdiction().map(|j| j.as_str().to_owned()),
        "occurred_at": trigger.occurred_at().to_string(),
        "payload": trigger.payload(),
        "payload_digest": trigger.payload_digest().to_hex(),
        "matched_policy_ids": evaluation
            .matched_policy_ids
            .iter()
            .map(PolicyId::as_str)
            .collect::<Vec<_>>(),
        "actions": evaluation.actions.iter().map(action_value).collect::<Vec<_>>(),
        "overridden": evaluation
            .overridden
            .iter()
            .map(|o| json!({
                "action": action_value(&o.action),
                "winner_policy_id": o.winner_policy_id.as_str(),
            }))
            .collect::<Vec<_>>(),
        "unresolved": unresolved,
    })
}

/// The outcome entry: what each planned action came to.
fn outcome_record(
    decision_sequence: u64,
    outcomes: &[ActionOutcome],
    recorded_at: Timestamp,
) -> Value {
    let results: Vec<Value> = outcomes
        .iter()
        .map(|outcome| {
            json!({
                "action": action_value(&outcome.action),
                "result": outcome.result.as_word(),
                "reason": outcome.result.failure_reason(),
            })
        })
        .collect();
    json!({
        "type": "MSEZAgenticOutcome",
        "decision_sequence": decision_sequence,
        "recorded_at": recorded_at.to_string(),
        "outcomes": results,
    })
}

fn action_value(action: &PlannedAction) -> Value {
    json!({
        "action": action.kind.as_str(),
        "target": action.target,
        "parameters": action.parameters,
        "policy_id": action.policy_id.as_str(),
    })
}
