//! The arbitration actor: one per open dispute, hosted by a `msez_runtime::KeyedHost`.
//!
//! Owns [`Arbitrations`] (the handle), [`ArbitrationBehaviour`] (the `Keyed` implementation),
//! [`ArbitrationConfig`], [`DisputeStatus`] and [`ArbitrationReject`].
//!
//! Each step goes through `msez_protocol::arbitration::Dispute::apply` (pure). When a step
//! enforces a ruling, the ruling's enforcement actions (`Dispute::enforcement_actions`) go to
//! the agentic actor ([`AgenticHandle::enforce_ruling`]), which records them in the audit trail
//! and executes them (suspend an entity, halt a corridor, ...). The agentic actor never calls
//! an arbitration actor, so this call cannot close a cycle.
//!
//! Known gap: a dispute's state is held in memory only. The store's disputes and evidence
//! tables have no methods yet, and journaling steps for replay needs `Deserialize` on the
//! protocol's `Remedy`, `Arbitrator` and `EvidencePackage`; until then a crashed or passivated
//! arbitration actor comes back empty (its calls answer [`ArbitrationReject::NotFiled`]). The
//! zone therefore runs this host without idle passivation.
//!
//! Never: decides a dispute rule (the protocol does) or executes an enforcement itself.

use std::sync::Arc;

use msez_protocol::arbitration::{
    ArbitrationError, Dispute, DisputeId, DisputeState, DisputeStep, DisputeTransition,
    EvidencePackage, Ruling,
};
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::time::Timestamp;
use msez_runtime::{ActorFailure, HostError, Keyed, KeyedHost, KeyedHostConfig, Reply};

use crate::agentic::{AgenticError, AgenticHandle, Decision};
use crate::clock::Clock;

/// What the arbitration actors are built from. No `Default`: the zone decides.
#[derive(Clone)]
pub struct ArbitrationConfig {
    /// The durable store (reserved for the dispute journal; see the module's known gap).
    pub store: msez_persistence::store::Store,
    /// The zone clock.
    pub clock: Arc<dyn Clock>,
    /// Where enforcement goes.
    pub agentic: AgenticHandle,
}

/// The handle: routes each request to the dispute's actor.
#[derive(Clone)]
pub struct Arbitrations {
    host: KeyedHost<ArbitrationBehaviour>,
    clock: Arc<dyn Clock>,
}

/// Where a dispute stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeStatus {
    /// The dispute.
    pub dispute_id: DisputeId,
    /// Its state.
    pub state: DisputeState,
    /// The latest ruling.
    pub ruling: Option<Ruling>,
    /// Accepted steps, the filing first.
    pub transition_count: usize,
}

/// Why a dispute refused a request (a reply, never an actor failure).
#[derive(Debug, thiserror::Error)]
pub enum ArbitrationReject {
    /// No dispute was filed under this id.
    #[error("dispute {dispute_id} was not filed")]
    NotFiled {
        /// The dispute.
        dispute_id: DisputeId,
    },
    /// A dispute was already filed under this id.
    #[error("dispute {dispute_id} was already filed")]
    AlreadyFiled {
        /// The dispute.
        dispute_id: DisputeId,
    },
    /// The protocol refused the step.
    #[error(transparent)]
    Protocol(#[from] ArbitrationError),
    /// The step was accepted but enforcement could not be handed to the agentic actor.
    #[error("dispute {dispute_id} enforced, enforcement not executed: {source}")]
    Enforcement {
        /// The dispute.
        dispute_id: DisputeId,
        /// Why.
        #[source]
        source: AgenticError,
    },
    /// The host could not deliver the request.
    #[error(transparent)]
    Host(#[from] HostError),
    /// The zone clock is outside the protocol's range.
    #[error("clock outside the protocol's time range")]
    Clock,
}

/// An accepted step and, when it enforced a ruling, the agentic decision that executed it.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// The transition.
    pub transition: DisputeTransition,
    /// The enforcement decision (only for the enforce step).
    pub enforcement: Option<Decision>,
}

/// The `Keyed` behaviour of arbitration actors.
pub struct ArbitrationBehaviour {
    config: ArbitrationConfig,
}

/// The filing of a dispute.
#[derive(Debug, Clone)]
pub struct Filing {
    /// Seat of the arbitration.
    pub jurisdiction: JurisdictionId,
    /// Claimant.
    pub claimant: EntityId,
    /// Respondent.
    pub respondent: EntityId,
    /// The statement of claim.
    pub statement_of_claim: EvidencePackage,
}

/// The private message enum; the handle builds these.
pub enum ArbitrationMsg {
    /// Files the dispute.
    File {
        /// The filing.
        filing: Box<Filing>,
        /// When.
        at: Timestamp,
        /// The answer.
        reply: Reply<Result<DisputeStatus, ArbitrationReject>>,
    },
    /// Applies a step.
    Step {
        /// The step.
        step: Box<DisputeStep>,
        /// Its evidence.
        evidence: Vec<EvidencePackage>,
        /// When.
        at: Timestamp,
        /// The answer.
        reply: Reply<Result<StepOutcome, ArbitrationReject>>,
    },
    /// The current status.
    Status {
        /// The answer.
        reply: Reply<Result<DisputeStatus, ArbitrationReject>>,
    },
}

impl Arbitrations {
    /// Starts the arbitration host under `tree`.
    pub async fn start(
        config: ArbitrationConfig,
        host_config: KeyedHostConfig,
        tree: &msez_runtime::Introspection,
    ) -> Result<Arbitrations, msez_runtime::RuntimeError> {
        let clock = Arc::clone(&config.clock);
        let host =
            KeyedHost::start(Arc::new(ArbitrationBehaviour { config }), host_config, tree).await?;
        Ok(Arbitrations { host, clock })
    }

    /// The underlying host (introspection, drills, shutdown).
    pub fn host(&self) -> &KeyedHost<ArbitrationBehaviour> {
        &self.host
    }

    /// Files a dispute now.
    pub async fn file(
        &self,
        dispute_id: &DisputeId,
        filing: Filing,
    ) -> Result<DisputeStatus, ArbitrationReject> {
        let at = self.now()?;
        self.host
            .call(dispute_id, |reply| ArbitrationMsg::File {
                filing: Box::new(filing),
                at,
                reply,
            })
            .await?
    }

    /// Applies a step now with its evidence.
    pub async fn step(
        &self,
        dispute_id: &DisputeId,
        step: DisputeStep,
        evidence: Vec<EvidencePackage>,
    ) -> Result<StepOutcome, ArbitrationReject> {
        let at = self.now()?;
        self.host
            .call(dispute_id, |reply| ArbitrationMsg::Step {
                step: Box::new(step),
                evidence,
                at,
                reply,
            })
            .await?
    }

    /// The dispute's status.
    pub async fn status(&self, dispute_id: &DisputeId) -> Result<DisputeStatus, ArbitrationReject> {
        self.host
            .call(dispute_id, |reply| ArbitrationMsg::Status { reply })
            .await?
    }

    fn now(&self) -> Result<Timestamp, ArbitrationReject> {
        self.clock
            .now_timestamp()
            .map_err(|_| ArbitrationReject::Clock)
    }
}

fn status(dispute: &Dispute) -> DisputeStatus {
    DisputeStatus {
        dispute_id: dispute.dispute_id().clone(),
        state: dispute.state(),
        ruling: dispute.ruling().cloned(),
        transition_count: dispute.history().len(),
    }
}

impl Keyed for ArbitrationBehaviour {
    type Key = DisputeId;
    type Msg = ArbitrationMsg;
    type State = Option<Dispute>;

    async fn hydrate(&self, _dispute_id: &DisputeId) -> Result<Option<Dispute>, ActorFailure> {
        // In memory only (see the module's known gap).
        Ok(None)
    }

    async fn handle(
        &self,
        dispute_id: &DisputeId,
        state: &mut Option<Dispute>,
        message: ArbitrationMsg,
    ) -> Result<(), ActorFailure> {
        // Every `reply.send` may find the caller gone (timed out); nothing is lost by dropping
        // the answer: the step is applied and any enforcement is in the audit trail.
        match message {
            ArbitrationMsg::File { filing, at, reply } => {
                if state.is_some() {
                    let _ = reply.send(Err(ArbitrationReject::AlreadyFiled {
                        dispute_id: dispute_id.clone(),
                    }));
                    return Ok(());
                }
                let Filing {
                    jurisdiction,
                    claimant,
                    respondent,
                    statement_of_claim,
                } = *filing;
                let outcome = Dispute::file(
                    dispute_id.clone(),
                    jurisdiction,
                    claimant,
                    respondent,
                    Some(&statement_of_claim),
                    at,
                )
                .map(|dispute| {
                    let filed = status(&dispute);
                    *state = Some(dispute);
                    filed
                })
                .map_err(ArbitrationReject::from);
                let _ = reply.send(outcome);
            }
            ArbitrationMsg::Step {
                step,
                evidence,
                at,
                reply,
            } => {
                let outcome = self.step(dispute_id, state, *step, &evidence, at).await;
                let _ = reply.send(outcome);
            }
            ArbitrationMsg::Status { reply } => {
                let outcome = state
                    .as_ref()
                    .map(status)
                    .ok_or(ArbitrationReject::NotFiled {
                        dispute_id: dispute_id.clone(),
                    });
                let _ = reply.send(outcome);
            }
        }
        Ok(())
    }

    async fn passivate(
        &self,
        _dispute_id: &DisputeId,
        _state: &mut Option<Dispute>,
    ) -> Result<(), ActorFailure> {
        Ok(())
    }
}

impl ArbitrationBehaviour {
    async fn step(
        &self,
        dispute_id: &DisputeId,
        state: &mut Option<Dispute>,
        step: DisputeStep,
        evidence: &[EvidencePackage],
        at: Timestamp,
    ) -> Result<StepOutcome, ArbitrationReject> {
        let dispute = state.as_mut().ok_or(ArbitrationReject::NotFiled {
            dispute_id: dispute_id.clone(),
        })?;
        let transition = dispute.apply(step, evidence, at)?;
        if transition.to != DisputeState::Enforced {
            return Ok(StepOutcome {
                transition,
                enforcement: None,
            });
        }
        let actions = dispute.enforcement_actions();
        let decision = self
            .config
            .agentic
            .enforce_ruling(dispute_id, actions, at)
            .await
            .map_err(|source| ArbitrationReject::Enforcement {
                dispute_id: dispute_id.clone(),
                source,
            })?;
        Ok(StepOutcome {
            transition,
            enforcement: Some(decision),
        })
    }
}
