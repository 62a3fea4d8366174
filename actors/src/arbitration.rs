//! The arbitration actor: one per open dispute, hosted by a `msez_runtime::KeyedHost`.
//!
//! Owns [`Arbitrations`] (the handle), [`ArbitrationBehaviour`] (the `Keyed` implementation),
//! [`ArbitrationConfig`], [`Filing`], [`DisputeStatus`], [`Enforcement`], [`StepOutcome`],
//! [`FiledEvidence`] and [`ArbitrationReject`].
//!
//! Each step goes through `msez_protocol::arbitration::Dispute::apply` (pure). When a step
//! enforces a ruling, the ruling's enforcement actions (`Dispute::enforcement_actions`) go to
//! the agentic actor ([`AgenticHandle::enforce_ruling`]), which records them in the audit trail
//! and executes them (suspend an entity, halt a corridor, ...). The agentic actor never calls
//! an arbitration actor, so this call cannot close a cycle.
//!
//! Durability: the filing, every evidence filing, every accepted step and every executed
//! enforcement are appended to the dispute's journal, a hash-chained trail
//! `dispute:<dispute_id>` (`Store::append_audit_entry`), after the pure step succeeds on a copy
//! and before the state changes and the caller is answered. Hydration replays the journal
//! through `Dispute::file` and `Dispute::apply` (deterministic, panel selection included), so a
//! restarted actor is indistinguishable from one that never failed.
//!
//! The store's dispute tables are the journal's projection, kept by this actor: the `disputes`
//! row (corridor, state, claim) and the `dispute_evidence` rows (every package, in journal
//! order). After each change, and on hydration, the actor brings them up to the journal, so a
//! crash between the journal and the tables is repaired on the next activation; a table that
//! contradicts the journal fails the actor.
//!
//! Enforcement is at least once: an enforce step is journaled first (the dispute is `enforced`,
//! its enforcement `pending`), then the actions go to the agentic actor, then an
//! `enforcement_executed` entry records the decision. A crash (or an unreachable agentic actor)
//! in between leaves it pending: hydration executes it again, and so does a repeated enforce
//! step. A crash after the agentic decision but before that entry executes it twice; the
//! executors' own lifecycle checks make the repeat a recorded refusal, not a second effect.
//!
//! Never: decides a dispute rule (the protocol does), executes an enforcement itself, or lets
//! the tables run ahead of the journal.

use std::sync::Arc;

use msez_persistence::disputes::{DisputeRecord, EVIDENCE_PER_DISPUTE_MAX};
use msez_persistence::store::Store;
use msez_protocol::arbitration::{
    ArbitrationError, Arbitrator, ArbitratorId, Dispute, DisputeId, DisputeState, DisputeStep,
    DisputeTransition, EvidencePackage, Remedy, Ruling, checked_digest,
};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::time::Timestamp;
use msez_runtime::{ActorFailure, HostError, Keyed, KeyedHost, KeyedHostConfig, Reply};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::agentic::{AgenticError, AgenticHandle, Decision};
use crate::clock::Clock;
use crate::trail::journal_entry;

/// Journal entries read per page during hydration.
const JOURNAL_PAGE_COUNT: u64 = 1_000;

/// What the arbitration actors are built from. No `Default`: the zone decides.
#[derive(Clone)]
pub struct ArbitrationConfig {
    /// Where dispute journals and tables live.
    pub store: Store,
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

/// The filing of a dispute.
#[derive(Debug, Clone)]
pub struct Filing {
    /// The corridor the dispute concerns.
    pub corridor_id: CorridorId,
    /// Seat of the arbitration.
    pub jurisdiction: JurisdictionId,
    /// Claimant.
    pub claimant: EntityId,
    /// Respondent.
    pub respondent: EntityId,
    /// The statement of claim.
    pub statement_of_claim: EvidencePackage,
}

/// Where a ruling's enforcement stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enforcement {
    /// The dispute is not enforced.
    NotDue,
    /// Enforced, but the agentic actor has not executed it yet (or its answer was lost).
    Pending {
        /// When the enforce step was accepted (the time the actions are recorded under).
        enforced_at: Timestamp,
    },
    /// Executed: the agentic decision's sequence in the zone's audit trail.
    Executed {
        /// The decision entry.
        decision_sequence: u64,
    },
}

/// Where a dispute stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeStatus {
    /// The dispute.
    pub dispute_id: DisputeId,
    /// The corridor it concerns.
    pub corridor_id: CorridorId,
    /// Seat of the arbitration.
    pub jurisdiction: JurisdictionId,
    /// Claimant.
    pub claimant: EntityId,
    /// Respondent.
    pub respondent: EntityId,
    /// Its state.
    pub state: DisputeState,
    /// The constituted panel (empty before).
    pub panel: Vec<ArbitratorId>,
    /// The latest ruling.
    pub ruling: Option<Ruling>,
    /// Accepted transitions, the filing first.
    pub transitions: Vec<DisputeTransition>,
    /// Evidence packages on file.
    pub evidence_count: usize,
    /// The ruling's enforcement.
    pub enforcement: Enforcement,
}

/// One package of a dispute's evidence file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledEvidence {
    /// 0 for the statement of claim, then +1 in filing order.
    pub evidence_index: u64,
    /// Its digest (`EvidencePackage::digest`).
    pub digest: Digest,
    /// The package.
    pub package: EvidencePackage,
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
    /// The dispute is closed (enforced, settled or dismissed): no more evidence.
    #[error("dispute {dispute_id} is {state} and takes no more evidence")]
    Closed {
        /// The dispute.
        dispute_id: DisputeId,
        /// Its terminal state.
        state: DisputeState,
    },
    /// The evidence file would exceed `EVIDENCE_PER_DISPUTE_MAX` packages.
    #[error(
        "dispute {dispute_id} holds {evidence_count} packages; {offered} more exceed {EVIDENCE_PER_DISPUTE_MAX}"
    )]
    EvidenceFull {
        /// The dispute.
        dispute_id: DisputeId,
        /// Packages on file.
        evidence_count: usize,
        /// Packages offered.
        offered: usize,
    },
    /// The protocol refused the step or the evidence.
    #[error(transparent)]
    Protocol(#[from] ArbitrationError),
    /// The step was accepted but enforcement could not be handed to the agentic actor; it
    /// stays pending (a repeated enforce step or the next activation executes it).
    #[error("dispute {dispute_id} enforced, enforcement pending: {source}")]
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
}

/// An accepted step and, when it enforced a ruling, the agentic decision that executed it.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// The transition (for a repeated enforce step, the original one).
    pub transition: DisputeTransition,
    /// The enforcement decision (only for the enforce step).
    pub enforcement: Option<Decision>,
}

/// The `Keyed` behaviour of arbitration actors.
pub struct ArbitrationBehaviour {
    config: ArbitrationConfig,
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
    /// Adds a package to the evidence file.
    AddEvidence {
        /// The package.
        package: Box<EvidencePackage>,
        /// The answer.
        reply: Reply<Result<FiledEvidence, ArbitrationReject>>,
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
    /// The evidence file.
    Evidence {
        /// The answer.
        reply: Reply<Result<Vec<FiledEvidence>, ArbitrationReject>>,
    },
}

/// One dispute actor's state: nothing until filed.
pub struct DisputeActorState {
    filed: Option<Filed>,
}

/// A filed dispute: the protocol's dispute plus what the journal adds.
struct Filed {
    dispute: Dispute,
    corridor_id: CorridorId,
    jurisdiction: JurisdictionId,
    claimant: EntityId,
    respondent: EntityId,
    /// Every package on file, in journal order (the statement of claim first).
    evidence: Vec<EvidencePackage>,
    enforcement: Enforcement,
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
        let at = self.clock.now();
        self.host
            .call(dispute_id, |reply| ArbitrationMsg::File {
                filing: Box::new(filing),
                at,
                reply,
            })
            .await?
    }

    /// Adds a package to the dispute's evidence file.
    pub async fn add_evidence(
        &self,
        dispute_id: &DisputeId,
        package: EvidencePackage,
    ) -> Result<FiledEvidence, ArbitrationReject> {
        self.host
            .call(dispute_id, |reply| ArbitrationMsg::AddEvidence {
                package: Box::new(package),
                reply,
            })
            .await?
    }

    /// Applies a step now with its evidence. An enforce step on a dispute whose enforcement
    /// is pending executes it instead.
    pub async fn step(
        &self,
        dispute_id: &DisputeId,
        step: DisputeStep,
        evidence: Vec<EvidencePackage>,
    ) -> Result<StepOutcome, ArbitrationReject> {
        let at = self.clock.now();
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

    /// The dispute's evidence file, in filing order.
    pub async fn evidence(
        &self,
        dispute_id: &DisputeId,
    ) -> Result<Vec<FiledEvidence>, ArbitrationReject> {
        self.host
            .call(dispute_id, |reply| ArbitrationMsg::Evidence { reply })
            .await?
    }
}

impl Keyed for ArbitrationBehaviour {
    type Key = DisputeId;
    type Msg = ArbitrationMsg;
    type State = DisputeActorState;

    async fn hydrate(&self, dispute_id: &DisputeId) -> Result<DisputeActorState, ActorFailure> {
        let trail_id = dispute_trail_id(dispute_id);
        let mut state = DisputeActorState { filed: None };
        let mut from_sequence = 0;
        loop {
            let page = self
                .config
                .store
                .audit_trail(&trail_id, from_sequence, JOURNAL_PAGE_COUNT)
                .await
                .map_err(|error| ActorFailure::new(format!("read journal {trail_id}: {error}")))?;
            let page_count = page.len() as u64;
            for entry in &page {
                let failure = |reason: String| {
                    ActorFailure::new(format!("{trail_id}#{}: {reason}", entry.sequence))
                };
                let record: JournalRecord = serde_json::from_slice(entry.entry.as_bytes())
                    .map_err(|error| failure(error.to_string()))?;
                replay(dispute_id, &mut state.filed, record).map_err(failure)?;
            }
            from_sequence += page_count;
            if page_count < JOURNAL_PAGE_COUNT {
                break;
            }
        }
        if let Some(filed) = state.filed.as_mut() {
            self.project(dispute_id, filed).await?;
            if let Enforcement::Pending { enforced_at } = filed.enforcement
                && let Err(rejection) = self.execute(dispute_id, filed, enforced_at).await?
            {
                // Still pending: a repeated enforce step (or the next activation) retries.
                tracing::warn!(%dispute_id, %rejection, "pending enforcement not executed");
            }
        }
        Ok(state)
    }

    async fn handle(
        &self,
        dispute_id: &DisputeId,
        state: &mut DisputeActorState,
        message: ArbitrationMsg,
    ) -> Result<(), ActorFailure> {
        // Every `reply.send` may find the caller gone (timed out); nothing is lost by dropping
        // the answer: the change is journaled and any enforcement is in the audit trail.
        match message {
            ArbitrationMsg::File { filing, at, reply } => {
                let outcome = self.file(dispute_id, state, *filing, at).await?;
                let _ = reply.send(outcome);
            }
            ArbitrationMsg::AddEvidence { package, reply } => {
                let outcome = self.add_evidence(dispute_id, state, *package).await?;
                let _ = reply.send(outcome);
            }
            ArbitrationMsg::Step {
                step,
                evidence,
                at,
                reply,
            } => {
                let outcome = self.step(dispute_id, state, *step, evidence, at).await?;
                let _ = reply.send(outcome);
            }
            ArbitrationMsg::Status { reply } => {
                let _ = reply.send(filed(dispute_id, state).map(status));
            }
            ArbitrationMsg::Evidence { reply } => {
                let _ = reply.send(filed(dispute_id, state).and_then(evidence_file));
            }
        }
        Ok(())
    }

    async fn passivate(
        &self,
        _dispute_id: &DisputeId,
        _state: &mut DisputeActorState,
    ) -> Result<(), ActorFailure> {
        // Nothing to flush: every change was journaled before it was acknowledged.
        Ok(())
    }
}

impl ArbitrationBehaviour {
    async fn journal(&self, dispute_id: &DisputeId, entry: &Value) -> Result<(), ActorFailure> {
        journal_entry(
            &self.config.store,
            &dispute_trail_id(dispute_id),
            &format!("dispute {dispute_id}"),
            entry,
        )
        .await
    }

    /// Pure filing, journal, then the tables.
    async fn file(
        &self,
        dispute_id: &DisputeId,
        state: &mut DisputeActorState,
        filing: Filing,
        at: Timestamp,
    ) -> Result<Result<DisputeStatus, ArbitrationReject>, ActorFailure> {
        if state.filed.is_some() {
            return Ok(Err(ArbitrationReject::AlreadyFiled {
                dispute_id: dispute_id.clone(),
            }));
        }
        let dispute = match Dispute::file(
            dispute_id.clone(),
            filing.jurisdiction.clone(),
            filing.claimant.clone(),
            filing.respondent.clone(),
            Some(&filing.statement_of_claim),
            at,
        ) {
            Ok(dispute) => dispute,
            Err(error) => return Ok(Err(error.into())),
        };
        let entry = json!({
            "kind": "filed",
            "corridor_id": filing.corridor_id,
            "jurisdiction": filing.jurisdiction,
            "claimant": filing.claimant,
            "respondent": filing.respondent,
            "statement_of_claim": filing.statement_of_claim,
            "at": at,
        });
        self.journal(dispute_id, &entry).await?;
        let filed = state.filed.insert(Filed {
            dispute,
            corridor_id: filing.corridor_id,
            jurisdiction: filing.jurisdiction,
            claimant: filing.claimant,
            respondent: filing.respondent,
            evidence: vec![filing.statement_of_claim],
            enforcement: Enforcement::NotDue,
        });
        self.project(dispute_id, filed).await?;
        Ok(Ok(status(filed)))
    }

    /// Checks the package, journals it, adds it to the file and the table.
    async fn add_evidence(
        &self,
        dispute_id: &DisputeId,
        state: &mut DisputeActorState,
        package: EvidencePackage,
    ) -> Result<Result<FiledEvidence, ArbitrationReject>, ActorFailure> {
        let filed = match state.filed.as_mut() {
            Some(filed) => filed,
            None => return Ok(Err(not_filed(dispute_id))),
        };
        if let Err(rejection) =
            check_open(dispute_id, filed).and_then(|()| check_room(dispute_id, filed, 1))
        {
            return Ok(Err(rejection));
        }
        let digest = match checked_digest(&package) {
            Ok(digest) => digest,
            Err(error) => return Ok(Err(error.into())),
        };
        let entry = json!({ "kind": "evidence", "package": package });
        self.journal(dispute_id, &entry).await?;
        filed.evidence.push(package.clone());
        self.project(dispute_id, filed).await?;
        Ok(Ok(FiledEvidence {
            evidence_index: filed.evidence.len() as u64 - 1,
            digest,
            package,
        }))
    }

    /// Pure step on a copy, journal, commit, tables, then enforcement. A refusal is the inner
    /// `Err`; a storage failure is the outer one (the actor crashes and re-hydrates).
    async fn step(
        &self,
        dispute_id: &DisputeId,
        state: &mut DisputeActorState,
        step: DisputeStep,
        evidence: Vec<EvidencePackage>,
        at: Timestamp,
    ) -> Result<Result<StepOutcome, ArbitrationReject>, ActorFailure> {
        let filed = match state.filed.as_mut() {
            Some(filed) => filed,
            None => return Ok(Err(not_filed(dispute_id))),
        };
        if let (DisputeStep::Enforce, Enforcement::Pending { enforced_at }) =
            (&step, filed.enforcement)
        {
            return self.retry_enforcement(dispute_id, filed, enforced_at).await;
        }
        // A closed dispute refuses every step through the protocol; only the bound is ours.
        if let Err(rejection) = check_room(dispute_id, filed, evidence.len()) {
            return Ok(Err(rejection));
        }
        let entry = step_record(&step, &evidence, at);
        let mut next = filed.dispute.clone();
        let transition = match next.apply(step, &evidence, at) {
            Ok(transition) => transition,
            Err(error) => return Ok(Err(error.into())),
        };
        self.journal(dispute_id, &entry).await?;
        filed.dispute = next;
        filed.evidence.extend(evidence);
        if transition.to == DisputeState::Enforced {
            filed.enforcement = Enforcement::Pending { enforced_at: at };
        }
        self.project(dispute_id, filed).await?;
        if transition.to != DisputeState::Enforced {
            return Ok(Ok(StepOutcome {
                transition,
                enforcement: None,
            }));
        }
        let executed = self.execute(dispute_id, filed, at).await?;
        Ok(executed.map(|decision| StepOutcome {
            transition,
            enforcement: Some(decision),
        }))
    }

    /// A repeated enforce step on a dispute whose enforcement is pending: execute it.
    async fn retry_enforcement(
        &self,
        dispute_id: &DisputeId,
        filed: &mut Filed,
        enforced_at: Timestamp,
    ) -> Result<Result<StepOutcome, ArbitrationReject>, ActorFailure> {
        let Some(transition) = filed.dispute.history().last().cloned() else {
            return Err(ActorFailure::new(format!(
                "dispute {dispute_id} is enforced without a history"
            )));
        };
        let executed = self.execute(dispute_id, filed, enforced_at).await?;
        Ok(executed.map(|decision| StepOutcome {
            transition,
            enforcement: Some(decision),
        }))
    }

    /// Hands the ruling's actions to the agentic actor and journals the decision; on a refusal
    /// the enforcement stays pending.
    async fn execute(
        &self,
        dispute_id: &DisputeId,
        filed: &mut Filed,
        enforced_at: Timestamp,
    ) -> Result<Result<Decision, ArbitrationReject>, ActorFailure> {
        let actions = filed.dispute.enforcement_actions();
        let decision = match self
            .config
            .agentic
            .enforce_ruling(dispute_id, actions, enforced_at)
            .await
        {
            Ok(decision) => decision,
            Err(source) => {
                return Ok(Err(ArbitrationReject::Enforcement {
                    dispute_id: dispute_id.clone(),
                    source,
                }));
            }
        };
        let entry = json!({
            "kind": "enforcement_executed",
            "decision_sequence": decision.decision_sequence,
        });
        self.journal(dispute_id, &entry).await?;
        filed.enforcement = Enforcement::Executed {
            decision_sequence: decision.decision_sequence,
        };
        Ok(Ok(decision))
    }

    /// Brings the `disputes` row and the `dispute_evidence` rows up to the journal.
    async fn project(&self, dispute_id: &DisputeId, filed: &Filed) -> Result<(), ActorFailure> {
        let store = &self.config.store;
        let failure = |what: &str, error: &dyn std::fmt::Display| {
            ActorFailure::new(format!("dispute {dispute_id} {what}: {error}"))
        };
        let current = filed.dispute.state().as_str();
        match store
            .dispute(dispute_id.as_str())
            .await
            .map_err(|e| failure("read row", &e))?
        {
            None => {
                let claim = filed.evidence.first().ok_or_else(|| {
                    ActorFailure::new(format!("dispute {dispute_id} has no claim"))
                })?;
                let opened_at = filed
                    .dispute
                    .history()
                    .first()
                    .map_or(0, |filing| filing.at.unix_seconds().saturating_mul(1000));
                let record = DisputeRecord {
                    dispute_id: dispute_id.to_string(),
                    corridor_id: filed.corridor_id.clone(),
                    state: current.to_owned(),
                    opened_at_unix_ms: opened_at,
                    claim: CanonicalBytes::of(claim).map_err(|e| failure("claim", &e))?,
                };
                store
                    .open_dispute(&record)
                    .await
                    .map_err(|e| failure("open row", &e))?;
            }
            Some(record) if record.state != current => store
                .set_dispute_state(dispute_id.as_str(), &record.state, current)
                .await
                .map_err(|e| failure("set state", &e))?,
            Some(_) => {}
        }
        let stored = store
            .evidence(dispute_id.as_str())
            .await
            .map_err(|e| failure("read evidence", &e))?;
        let journaled = canonical(dispute_id, &filed.evidence)?;
        if stored.len() > journaled.len()
            || stored
                .iter()
                .zip(&journaled)
                .any(|(row, bytes)| row.evidence != *bytes)
        {
            return Err(ActorFailure::new(format!(
                "dispute {dispute_id}: the evidence table contradicts the journal"
            )));
        }
        for bytes in journaled.iter().skip(stored.len()) {
            store
                .add_evidence(dispute_id.as_str(), bytes)
                .await
                .map_err(|e| failure("add evidence", &e))?;
        }
        Ok(())
    }
}

/// The journal trail of one dispute.
pub fn dispute_trail_id(dispute_id: &DisputeId) -> String {
    format!("dispute:{dispute_id}")
}

fn not_filed(dispute_id: &DisputeId) -> ArbitrationReject {
    ArbitrationReject::NotFiled {
        dispute_id: dispute_id.clone(),
    }
}

fn filed<'a>(
    dispute_id: &DisputeId,
    state: &'a DisputeActorState,
) -> Result<&'a Filed, ArbitrationReject> {
    state.filed.as_ref().ok_or_else(|| not_filed(dispute_id))
}

/// A closed dispute (enforced, settled, dismissed) takes no more evidence.
fn check_open(dispute_id: &DisputeId, filed: &Filed) -> Result<(), ArbitrationReject> {
    let state = filed.dispute.state();
    match state {
        DisputeState::Enforced | DisputeState::Settled | DisputeState::Dismissed => {
            Err(ArbitrationReject::Closed {
                dispute_id: dispute_id.clone(),
                state,
            })
        }
        DisputeState::Filed
        | DisputeState::UnderReview
        | DisputeState::PanelConstituted
        | DisputeState::Hearing
        | DisputeState::RulingIssued
        | DisputeState::Appealed => Ok(()),
    }
}

/// Whether `offered` more packages fit the file (the store's bound per dispute).
fn check_room(
    dispute_id: &DisputeId,
    filed: &Filed,
    offered: usize,
) -> Result<(), ArbitrationReject> {
    let evidence_count = filed.evidence.len();
    if (evidence_count + offered) as u64 > EVIDENCE_PER_DISPUTE_MAX {
        return Err(ArbitrationReject::EvidenceFull {
            dispute_id: dispute_id.clone(),
            evidence_count,
            offered,
        });
    }
    Ok(())
}

fn status(filed: &Filed) -> DisputeStatus {
    DisputeStatus {
        dispute_id: filed.dispute.dispute_id().clone(),
        corridor_id: filed.corridor_id.clone(),
        jurisdiction: filed.jurisdiction.clone(),
        claimant: filed.claimant.clone(),
        respondent: filed.respondent.clone(),
        state: filed.dispute.state(),
        panel: filed.dispute.panel().to_vec(),
        ruling: filed.dispute.ruling().cloned(),
        transitions: filed.dispute.history().to_vec(),
        evidence_count: filed.evidence.len(),
        enforcement: filed.enforcement,
    }
}

fn evidence_file(filed: &Filed) -> Result<Vec<FiledEvidence>, ArbitrationReject> {
    (0_u64..)
        .zip(&filed.evidence)
        .map(|(evidence_index, package)| {
            Ok(FiledEvidence {
                evidence_index,
                digest: package.digest()?,
                package: package.clone(),
            })
        })
        .collect()
}

/// The canonical bytes of each package, as the evidence table stores them.
fn canonical(
    dispute_id: &DisputeId,
    packages: &[EvidencePackage],
) -> Result<Vec<CanonicalBytes>, ActorFailure> {
    packages
        .iter()
        .map(|package| {
            CanonicalBytes::of(package).map_err(|error| {
                ActorFailure::new(format!("dispute {dispute_id} evidence: {error}"))
            })
        })
        .collect()
}

/// The journal form of a step (the protocol types serialise; the step enum is spelled here).
fn step_record(step: &DisputeStep, evidence: &[EvidencePackage], at: Timestamp) -> Value {
    let mut entry = json!({ "kind": "step", "step": step.name(), "evidence": evidence, "at": at });
    let extra = match step {
        DisputeStep::ConstitutePanel { roster, panel_size } => {
            json!({ "roster": roster, "panel_size": panel_size })
        }
        DisputeStep::IssueRuling {
            appeal_period_s,
            remedies,
        } => json!({ "appeal_period_s": appeal_period_s, "remedies": remedies }),
        DisputeStep::Settle { escrow_to_party } => json!({ "escrow_to_party": escrow_to_party }),
        DisputeStep::BeginReview
        | DisputeStep::OpenHearing
        | DisputeStep::Appeal
        | DisputeStep::Enforce
        | DisputeStep::Dismiss => json!({}),
    };
    if let (Some(target), Some(fields)) = (entry.as_object_mut(), extra.as_object()) {
        target.extend(fields.clone());
    }
    entry
}

/// One journal entry as read back.
#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum JournalRecord {
    Filed {
        corridor_id: CorridorId,
        jurisdiction: JurisdictionId,
        claimant: EntityId,
        respondent: EntityId,
        statement_of_claim: EvidencePackage,
        at: Timestamp,
    },
    Evidence {
        package: EvidencePackage,
    },
    Step {
        step: String,
        evidence: Vec<EvidencePackage>,
        at: Timestamp,
        #[serde(default)]
        roster: Vec<Arbitrator>,
        #[serde(default)]
        panel_size: usize,
        #[serde(default)]
        appeal_period_s: i64,
        #[serde(default)]
        remedies: Vec<Remedy>,
        #[serde(default)]
        escrow_to_party: Option<EntityId>,
    },
    EnforcementExecuted {
        decision_sequence: u64,
    },
}

/// Applies one journal entry (hydration) through the same pure steps.
fn replay(
    dispute_id: &DisputeId,
    filed: &mut Option<Filed>,
    record: JournalRecord,
) -> Result<(), String> {
    match record {
        JournalRecord::Filed {
            corridor_id,
            jurisdiction,
            claimant,
            respondent,
            statement_of_claim,
            at,
        } => {
            if filed.is_some() {
                return Err("second filing".to_owned());
            }
            let dispute = Dispute::file(
                dispute_id.clone(),
                jurisdiction.clone(),
                claimant.clone(),
                respondent.clone(),
                Some(&statement_of_claim),
                at,
            )
            .map_err(|error| error.to_string())?;
            *filed = Some(Filed {
                dispute,
                corridor_id,
                jurisdiction,
                claimant,
                respondent,
                evidence: vec![statement_of_claim],
                enforcement: Enforcement::NotDue,
            });
        }
        JournalRecord::Evidence { package } => {
            filed
                .as_mut()
                .ok_or("evidence before filing")?
                .evidence
                .push(package);
        }
        JournalRecord::Step {
            step,
            evidence,
            at,
            roster,
            panel_size,
            appeal_period_s,
            remedies,
            escrow_to_party,
        } => {
            let open = filed.as_mut().ok_or("step before filing")?;
            let step = match step.as_str() {
                "begin_review" => DisputeStep::BeginReview,
                "constitute_panel" => DisputeStep::ConstitutePanel { roster, panel_size },
                "open_hearing" => DisputeStep::OpenHearing,
                "issue_ruling" => DisputeStep::IssueRuling {
                    appeal_period_s,
                    remedies,
                },
                "appeal" => DisputeStep::Appeal,
                "enforce" => DisputeStep::Enforce,
                "settle" => DisputeStep::Settle {
                    escrow_to_party: escrow_to_party.ok_or("settle without escrow_to_party")?,
                },
                "dismiss" => DisputeStep::Dismiss,
                other => return Err(format!("unknown step {other:?}")),
            };
            let transition = open
                .dispute
                .apply(step, &evidence, at)
                .map_err(|error| error.to_string())?;
            open.evidence.extend(evidence);
            if transition.to == DisputeState::Enforced {
                open.enforcement = Enforcement::Pending { enforced_at: at };
            }
        }
        JournalRecord::EnforcementExecuted { decision_sequence } => {
            let open = filed.as_mut().ok_or("enforcement before filing")?;
            if !matches!(open.enforcement, Enforcement::Pending { .. }) {
                return Err("enforcement executed without a pending enforcement".to_owned());
            }
            open.enforcement = Enforcement::Executed { decision_sequence };
        }
    }
    Ok(())
}
