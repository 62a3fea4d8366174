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
//! Durability: the filing and every accepted step are appended to the dispute's journal, a
//! hash-chained trail `dispute:<dispute_id>` (`Store::append_audit_entry`), after the pure step
//! succeeds on a copy and before the state changes and the caller is answered. Hydration replays
//! the journal through `Dispute::file` and `Dispute::apply` (deterministic, panel selection
//! included), so a restarted actor is indistinguishable from one that never failed. Known gap:
//! a crash after the enforce step is journaled but before the agentic actor answered leaves the
//! enforcement unexecuted; the replayed dispute is `enforced` and does not resend it.
//!
//! Never: decides a dispute rule (the protocol does) or executes an enforcement itself.

use std::sync::Arc;

use msez_protocol::arbitration::{
    ArbitrationError, Arbitrator, ArbitratorId, Dispute, DisputeId, DisputeState, DisputeStep,
    DisputeTransition, EvidenceItem, EvidenceKind, EvidencePackage, Remedy, Ruling,
};
use msez_protocol::digest::Digest;
use msez_protocol::ids::{EntityId, JurisdictionId};
use msez_protocol::time::Timestamp;
use msez_runtime::{ActorFailure, HostError, Keyed, KeyedHost, KeyedHostConfig, Reply};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::agentic::{AgenticError, AgenticHandle, Decision};
use crate::clock::Clock;
use crate::trail::journal_entry;

/// What the arbitration actors are built from. No `Default`: the zone decides.
#[derive(Clone)]
pub struct ArbitrationConfig {
    /// Where dispute journals live.
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
        let at = self.now();
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
        let at = self.now();
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

    fn now(&self) -> Timestamp {
        self.clock.now()
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

    async fn hydrate(&self, dispute_id: &DisputeId) -> Result<Option<Dispute>, ActorFailure> {
        let trail_id = dispute_trail_id(dispute_id);
        let mut dispute: Option<Dispute> = None;
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
                replay(dispute_id, &mut dispute, record).map_err(failure)?;
            }
            from_sequence += page_count;
            if page_count < JOURNAL_PAGE_COUNT {
                break;
            }
        }
        Ok(dispute)
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
                let filed = match Dispute::file(
                    dispute_id.clone(),
                    jurisdiction.clone(),
                    claimant.clone(),
                    respondent.clone(),
                    Some(&statement_of_claim),
                    at,
                ) {
                    Ok(dispute) => dispute,
                    Err(error) => {
                        let _ = reply.send(Err(error.into()));
                        return Ok(());
                    }
                };
                let entry = json!({
                    "kind": "filed",
                    "jurisdiction": jurisdiction,
                    "claimant": claimant,
                    "respondent": respondent,
                    "statement_of_claim": statement_of_claim,
                    "at": at,
                });
                self.journal(dispute_id, &entry).await?;
                let _ = reply.send(Ok(status(&filed)));
                *state = Some(filed);
            }
            ArbitrationMsg::Step {
                step,
                evidence,
                at,
                reply,
            } => {
                let outcome = self.step(dispute_id, state, *step, &evidence, at).await?;
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
    async fn journal(&self, dispute_id: &DisputeId, entry: &Value) -> Result<(), ActorFailure> {
        journal_entry(
            &self.config.store,
            &dispute_trail_id(dispute_id),
            &format!("dispute {dispute_id}"),
            entry,
        )
        .await
    }

    /// Pure step on a copy, journal, commit, then enforcement. A refusal is the inner `Err`;
    /// a storage failure is the outer one (the actor crashes and re-hydrates).
    async fn step(
        &self,
        dispute_id: &DisputeId,
        state: &mut Option<Dispute>,
        step: DisputeStep,
        evidence: &[EvidencePackage],
        at: Timestamp,
    ) -> Result<Result<StepOutcome, ArbitrationReject>, ActorFailure> {
        let Some(dispute) = state.as_mut() else {
            return Ok(Err(ArbitrationReject::NotFiled {
                dispute_id: dispute_id.clone(),
            }));
        };
        let entry = step_record(&step, evidence, at);
        let mut next = dispute.clone();
        let transition = match next.apply(step, evidence, at) {
            Ok(transition) => transition,
            Err(error) => return Ok(Err(error.into())),
        };
        self.journal(dispute_id, &entry).await?;
        *dispute = next;
        if transition.to != DisputeState::Enforced {
            return Ok(Ok(StepOutcome {
                transition,
                enforcement: None,
            }));
        }
        let actions = dispute.enforcement_actions();
        let enforced = self
            .config
            .agentic
            .enforce_ruling(dispute_id, actions, at)
            .await
            .map_err(|source| ArbitrationReject::Enforcement {
                dispute_id: dispute_id.clone(),
                source,
            });
        Ok(enforced.map(|decision| StepOutcome {
            transition,
            enforcement: Some(decision),
        }))
    }
}

/// Journal entries read per page during hydration.
const JOURNAL_PAGE_COUNT: u64 = 1_000;

/// The journal trail of one dispute.
pub fn dispute_trail_id(dispute_id: &DisputeId) -> String {
    format!("dispute:{dispute_id}")
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
        jurisdiction: JurisdictionId,
        claimant: EntityId,
        respondent: EntityId,
        statement_of_claim: PackageRecord,
        at: Timestamp,
    },
    Step {
        step: String,
        evidence: Vec<PackageRecord>,
        at: Timestamp,
        #[serde(default)]
        roster: Vec<ArbitratorRecord>,
        #[serde(default)]
        panel_size: usize,
        #[serde(default)]
        appeal_period_s: i64,
        #[serde(default)]
        remedies: Vec<RemedyRecord>,
        #[serde(default)]
        escrow_to_party: Option<EntityId>,
    },
}

#[derive(Deserialize)]
struct PackageRecord {
    kind: EvidenceKind,
    submitted_by: EntityId,
    submitted_at: Timestamp,
    items: Vec<ItemRecord>,
}

#[derive(Deserialize)]
struct ItemRecord {
    name: String,
    media_type: String,
    sha256: Digest,
}

#[derive(Deserialize)]
struct ArbitratorRecord {
    arbitrator_id: ArbitratorId,
    jurisdictions: Vec<JurisdictionId>,
    active: bool,
    conflicts: Vec<EntityId>,
}

#[derive(Deserialize)]
#[serde(tag = "remedy", rename_all = "snake_case")]
enum RemedyRecord {
    Pay {
        from_party: EntityId,
        to_party: EntityId,
        amount_minor: u64,
        currency: String,
    },
    ReleaseEscrow {
        escrow_id: String,
        to_party: EntityId,
    },
    SuspendEntity {
        entity_id: EntityId,
    },
    FreezeAsset {
        asset_id: String,
    },
}

impl From<PackageRecord> for EvidencePackage {
    fn from(record: PackageRecord) -> EvidencePackage {
        EvidencePackage {
            kind: record.kind,
            submitted_by: record.submitted_by,
            submitted_at: record.submitted_at,
            items: record
                .items
                .into_iter()
                .map(|item| EvidenceItem {
                    name: item.name,
                    media_type: item.media_type,
                    sha256: item.sha256,
                })
                .collect(),
        }
    }
}

impl From<ArbitratorRecord> for Arbitrator {
    fn from(record: ArbitratorRecord) -> Arbitrator {
        Arbitrator {
            arbitrator_id: record.arbitrator_id,
            jurisdictions: record.jurisdictions,
            active: record.active,
            conflicts: record.conflicts,
        }
    }
}

impl From<RemedyRecord> for Remedy {
    fn from(record: RemedyRecord) -> Remedy {
        match record {
            RemedyRecord::Pay {
                from_party,
                to_party,
                amount_minor,
                currency,
            } => Remedy::Pay {
                from_party,
                to_party,
                amount_minor,
                currency,
            },
            RemedyRecord::ReleaseEscrow {
                escrow_id,
                to_party,
            } => Remedy::ReleaseEscrow {
                escrow_id,
                to_party,
            },
            RemedyRecord::SuspendEntity { entity_id } => Remedy::SuspendEntity { entity_id },
            RemedyRecord::FreezeAsset { asset_id } => Remedy::FreezeAsset { asset_id },
        }
    }
}

/// Applies one journal entry (hydration) through the same pure steps.
fn replay(
    dispute_id: &DisputeId,
    dispute: &mut Option<Dispute>,
    record: JournalRecord,
) -> Result<(), String> {
    match record {
        JournalRecord::Filed {
            jurisdiction,
            claimant,
            respondent,
            statement_of_claim,
            at,
        } => {
            if dispute.is_some() {
                return Err("second filing".to_owned());
            }
            let claim = EvidencePackage::from(statement_of_claim);
            let filed = Dispute::file(
                dispute_id.clone(),
                jurisdiction,
                claimant,
                respondent,
                Some(&claim),
                at,
            )
            .map_err(|error| error.to_string())?;
            *dispute = Some(filed);
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
            let open = dispute.as_mut().ok_or("step before filing")?;
            let step = match step.as_str() {
                "begin_review" => DisputeStep::BeginReview,
                "constitute_panel" => DisputeStep::ConstitutePanel {
                    roster: roster.into_iter().map(Arbitrator::from).collect(),
                    panel_size,
                },
                "open_hearing" => DisputeStep::OpenHearing,
                "issue_ruling" => DisputeStep::IssueRuling {
                    appeal_period_s,
                    remedies: remedies.into_iter().map(Remedy::from).collect(),
                },
                "appeal" => DisputeStep::Appeal,
                "enforce" => DisputeStep::Enforce,
                "settle" => DisputeStep::Settle {
                    escrow_to_party: escrow_to_party.ok_or("settle without escrow_to_party")?,
                },
                "dismiss" => DisputeStep::Dismiss,
                other => return Err(format!("unknown step {other:?}")),
            };
            let evidence: Vec<EvidencePackage> =
                evidence.into_iter().map(EvidencePackage::from).collect();
            open.apply(step, &evidence, at)
                .map_err(|error| error.to_string())?;
        }
    }
    Ok(())
}
