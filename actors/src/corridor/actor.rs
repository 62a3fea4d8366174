//! The corridor actor: a `runtime::Keyed` behaviour whose state is a [`CorridorCore`].
//!
//! Owns the private message enum and the behaviour; only [`super::handle::Corridors`] uses them.
//! Each handler is thin (STYLE rule 18): unpack, call the core, reply. After the reply, a core
//! that recorded a failure (fenced, diverged, storage) makes `handle` return `Err`, so the
//! supervisor restarts the actor and it re-hydrates from the journal.
//!
//! Never: crashes on caller input, or replies before the core has finished the operation.

use std::sync::Arc;

use msez_persistence::journal::StoredReceipt;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::corridor::lifecycle::TransitionEvidence;
use msez_protocol::corridor::state::CorridorLedger;
use msez_protocol::ids::CorridorId;
use msez_protocol::netting::{NettingMode, NettingPlan};
use msez_protocol::receipt::SignedReceipt;
use msez_runtime::{ActorFailure, Keyed, Reply};

use msez_protocol::corridor::watcher::WatcherAttestation;
use serde_json::Value;

use super::core::forks::{ForkAck, ForkResolutionAck, ForkView};
use super::core::{
    AppendAck, CheckpointRecord, CorridorCore, CorridorDeps, CorridorSummary, InclusionAnswer,
    TransitionAck,
};
use super::error::CorridorReject;
use super::spec::CreateCorridor;

/// What a corridor call answers.
pub(crate) type Answer<T> = Reply<Result<T, CorridorReject>>;

/// The corridor actor's messages; each carries its reply port.
pub(crate) enum CorridorMsg {
    Create {
        request: Box<CreateCorridor>,
        reply: Answer<CorridorSummary>,
    },
    Append {
        receipt: Box<SignedReceipt>,
        reply: Answer<AppendAck>,
    },
    Summary {
        reply: Answer<CorridorSummary>,
    },
    Ledger {
        reply: Answer<CorridorLedger>,
    },
    Netting {
        mode: NettingMode,
        reply: Answer<NettingPlan>,
    },
    Receipts {
        from_sequence: u64,
        limit: u32,
        reply: Answer<Vec<StoredReceipt>>,
    },
    InclusionProof {
        sequence: u64,
        reply: Answer<InclusionAnswer>,
    },
    LatestCheckpoint {
        reply: Answer<Option<CheckpointRecord>>,
    },
    Export {
        reply: Answer<String>,
    },
    Transition {
        evidence: Box<TransitionEvidence>,
        reply: Answer<TransitionAck>,
    },
    AgreementSet {
        reply: Answer<CanonicalBytes>,
    },
    ReportFork {
        competing: Box<SignedReceipt>,
        reply: Answer<ForkAck>,
    },
    ResolveFork {
        fork_id: String,
        attestations: Vec<WatcherAttestation>,
        authority_resolutions: Vec<Value>,
        reply: Answer<ForkResolutionAck>,
    },
    ResumeAfterFork {
        fork_id: String,
        reply: Answer<TransitionAck>,
    },
    Forks {
        reply: Answer<Vec<ForkView>>,
    },
}

/// The behaviour the keyed host runs for every corridor.
pub(crate) struct CorridorBehaviour {
    pub(crate) deps: Arc<CorridorDeps>,
}

impl Keyed for CorridorBehaviour {
    type Key = CorridorId;
    type Msg = CorridorMsg;
    type State = CorridorCore;

    async fn hydrate(&self, key: &CorridorId) -> Result<CorridorCore, ActorFailure> {
        CorridorCore::hydrate(key.clone(), Arc::clone(&self.deps))
            .await
            .map_err(|failure| ActorFailure::new(failure.to_string()))
    }

    async fn handle(
        &self,
        _key: &CorridorId,
        core: &mut CorridorCore,
        msg: CorridorMsg,
    ) -> Result<(), ActorFailure> {
        // Send errors below mean the caller stopped waiting (timeout); what was durable stays
        // durable, and a retry sees it.
        //
        // The rare messages that write the corridor record or the forks (create, transitions,
        // forks) are boxed: their store futures are about 9–11 KiB, and unboxed they would set
        // the size of this future, allocated and moved for every message, appends included
        // (about 1.5 KiB on their own).
        match msg {
            CorridorMsg::Create { request, reply } => {
                let _ = reply.send(Box::pin(core.create(*request)).await);
            }
            CorridorMsg::Append { receipt, reply } => {
                let _ = reply.send(core.append(*receipt).await);
            }
            CorridorMsg::Summary { reply } => {
                let _ = reply.send(core.summary());
            }
            CorridorMsg::Ledger { reply } => {
                let _ = reply.send(core.ledger().cloned());
            }
            CorridorMsg::Netting { mode, reply } => {
                let _ = reply.send(core.netting_plan(mode));
            }
            CorridorMsg::Receipts {
                from_sequence,
                limit,
                reply,
            } => {
                let _ = reply.send(core.receipts(from_sequence, limit).await);
            }
            CorridorMsg::InclusionProof { sequence, reply } => {
                let _ = reply.send(core.inclusion_proof(sequence).await);
            }
            CorridorMsg::LatestCheckpoint { reply } => {
                let _ = reply.send(core.latest_checkpoint().await);
            }
            CorridorMsg::Export { reply } => {
                let _ = reply.send(core.export().await);
            }
            CorridorMsg::Transition { evidence, reply } => {
                let _ = reply.send(Box::pin(core.transition(*evidence)).await);
            }
            CorridorMsg::AgreementSet { reply } => {
                let _ = reply.send(core.agreement_set().await);
            }
            CorridorMsg::ReportFork { competing, reply } => {
                let _ = reply.send(Box::pin(core.report_fork(*competing)).await);
            }
            CorridorMsg::ResolveFork {
                fork_id,
                attestations,
                authority_resolutions,
                reply,
            } => {
                let answer =
                    Box::pin(core.resolve_fork(&fork_id, attestations, authority_resolutions))
                        .await;
                let _ = reply.send(answer);
            }
            CorridorMsg::ResumeAfterFork { fork_id, reply } => {
                let _ = reply.send(Box::pin(core.resume_after_fork(&fork_id)).await);
            }
            CorridorMsg::Forks { reply } => {
                let _ = reply.send(core.forks());
            }
        }
        match core.failure() {
            None => Ok(()),
            Some(failure) => Err(ActorFailure::new(failure.to_string())),
        }
    }

    async fn passivate(
        &self,
        _key: &CorridorId,
        _core: &mut CorridorCore,
    ) -> Result<(), ActorFailure> {
        // Nothing to flush: every acknowledged receipt is already durable, and snapshots ride
        // with the appends that complete a snapshot interval.
        Ok(())
    }
}
