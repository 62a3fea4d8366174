//! [`Corridors`]: the cloneable handle through which everything talks to corridor actors.
//!
//! Owns [`Corridors`], [`CorridorsConfig`] and [`CorridorsError`].
//!
//! Each method makes sure this node holds the lease on the corridor's shard (a shard another
//! node holds is a typed [`CorridorReject::LeaseHeld`]), then calls the corridor's actor through
//! the keyed host (activating it on demand, with the host's call timeout), and maps host errors
//! to typed rejections: overload is `Overloaded` with a retry hint, everything else
//! `Unavailable`.
//!
//! Never: touches a corridor's state outside its actor, or waits without a timeout.

use std::sync::Arc;

use tokio::sync::broadcast;

use msez_persistence::group_commit::{GroupCommitConfig, GroupCommitError, GroupCommitWriter};
use msez_persistence::journal::StoredReceipt;
use msez_persistence::lease::LeaseError;
use msez_persistence::store::Store;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::corridor::lifecycle::{HaltEvidence, TransitionEvidence};
use msez_protocol::corridor::state::CorridorLedger;
use msez_protocol::ids::CorridorId;
use msez_protocol::keys::SigningKey;
use msez_protocol::netting::{NettingMode, NettingPlan};
use msez_protocol::receipt::SignedReceipt;
use msez_runtime::{HostError, Introspection, KeyedHost, KeyedHostConfig, RuntimeError};

use msez_protocol::corridor::watcher::WatcherAttestation;
use serde_json::Value;

use super::actor::{Answer, CorridorBehaviour, CorridorMsg};
use super::core::forks::{ForkAck, ForkResolutionAck, ForkView};
use super::core::{
    AppendAck, CheckpointRecord, CorridorDeps, CorridorEvent, CorridorSummary, InclusionAnswer,
    LifecycleEvent, TransitionAck,
};
use super::error::CorridorReject;
use super::leases::{LeaseBook, LeaseConfig};
use super::spec::CreateCorridor;
use crate::clock::Clock;

/// How a node runs its corridors. No `Default`: the caller states every choice.
#[derive(Debug, Clone)]
pub struct CorridorsConfig {
    /// The keyed host: shards, admission bound, passivation, restart policy, call timeout.
    pub host: KeyedHostConfig,
    /// Shard leases: owner name, ttl, renewal interval.
    pub lease: LeaseConfig,
    /// The group commit writer's batching.
    pub group_commit: GroupCommitConfig,
    /// Head (and, separately, lifecycle) events buffered per subscriber before a slow one
    /// starts missing them.
    pub events_capacity: usize,
    /// The retry hint of an overload, in milliseconds.
    pub retry_after_ms: u64,
}

/// Why the corridors could not start.
#[derive(Debug, thiserror::Error)]
pub enum CorridorsError {
    /// The group commit configuration is invalid.
    #[error("corridor group commit writer: {0}")]
    GroupCommit(#[from] GroupCommitError),
    /// The keyed host would not start.
    #[error("corridor host: {0}")]
    Runtime(#[from] RuntimeError),
    /// `events_capacity` is 0.
    #[error("events_capacity must be at least 1")]
    EventsCapacityZero,
}

/// The handle on a node's corridor actors. Cloning is cheap.
#[derive(Clone)]
pub struct Corridors {
    host: KeyedHost<CorridorBehaviour>,
    deps: Arc<CorridorDeps>,
    /// The host's own lease renewal task, until the zone's scheduler takes renewal over.
    renewal: Arc<RenewalTask>,
}

/// Aborts the lease renewal task when stopped or when the last handle is dropped.
struct RenewalTask(std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>);

impl RenewalTask {
    fn stop(&self) {
        // A std lock around one take; a poisoned lock still holds a valid Option.
        let task = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = task {
            task.abort();
        }
    }
}

impl Drop for RenewalTask {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Corridors {
    /// Starts the group commit writer, the lease book and its renewal, and the keyed host.
    pub async fn start(
        store: Store,
        zone_key: Arc<SigningKey>,
        clock: Arc<dyn Clock>,
        config: CorridorsConfig,
        tree: &Introspection,
    ) -> Result<Self, CorridorsError> {
        if config.events_capacity == 0 {
            return Err(CorridorsError::EventsCapacityZero);
        }
        let writer = Arc::new(GroupCommitWriter::start(
            store.clone(),
            config.group_commit,
        )?);
        let leases = LeaseBook::new(store.clone(), config.lease);
        let renewal = leases.spawn_renewal();
        let (events, _) = broadcast::channel(config.events_capacity);
        let (lifecycle_events, _) = broadcast::channel(config.events_capacity);
        let deps = Arc::new(CorridorDeps {
            store,
            writer,
            leases,
            zone_key,
            clock,
            events,
            lifecycle_events,
            retry_after_ms: config.retry_after_ms,
        });
        let behaviour = Arc::new(CorridorBehaviour {
            deps: Arc::clone(&deps),
        });
        let host = KeyedHost::start(behaviour, config.host, tree).await?;
        Ok(Self {
            host,
            deps,
            renewal: Arc::new(RenewalTask(std::sync::Mutex::new(Some(renewal)))),
        })
    }

    /// Creates a corridor (DRAFT → PENDING, → ACTIVE when approvals are given).
    pub async fn create(&self, request: CreateCorridor) -> Result<CorridorSummary, CorridorReject> {
        let corridor_id = request.definition.corridor_id.clone();
        let request = Box::new(request);
        self.call(&corridor_id, |reply| CorridorMsg::Create { request, reply })
            .await
    }

    /// Appends a client-signed receipt; `Ok` means it is durable.
    pub async fn append(
        &self,
        corridor_id: &CorridorId,
        receipt: SignedReceipt,
    ) -> Result<AppendAck, CorridorReject> {
        let receipt = Box::new(receipt);
        self.call(corridor_id, |reply| CorridorMsg::Append { receipt, reply })
            .await
    }

    /// Height, head, MMR root, lifecycle and genesis root.
    pub async fn summary(
        &self,
        corridor_id: &CorridorId,
    ) -> Result<CorridorSummary, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::Summary { reply })
            .await
    }

    /// The verified ledger (chain state and netting book): what a restart must reproduce.
    pub async fn ledger(&self, corridor_id: &CorridorId) -> Result<CorridorLedger, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::Ledger { reply })
            .await
    }

    /// The settlement plan of the corridor's netting book.
    pub async fn netting_plan(
        &self,
        corridor_id: &CorridorId,
        mode: NettingMode,
    ) -> Result<NettingPlan, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::Netting { mode, reply })
            .await
    }

    /// Up to `limit` (≤ `RECEIPTS_PAGE_MAX`) receipts from `from_sequence` on.
    pub async fn receipts(
        &self,
        corridor_id: &CorridorId,
        from_sequence: u64,
        limit: u32,
    ) -> Result<Vec<StoredReceipt>, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::Receipts {
            from_sequence,
            limit,
            reply,
        })
        .await
    }

    /// The SPEC §6 inclusion proof of receipt `sequence` and the root it verifies against.
    pub async fn inclusion_proof(
        &self,
        corridor_id: &CorridorId,
        sequence: u64,
    ) -> Result<InclusionAnswer, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::InclusionProof {
            sequence,
            reply,
        })
        .await
    }

    /// The latest zone-signed checkpoint.
    pub async fn latest_checkpoint(
        &self,
        corridor_id: &CorridorId,
    ) -> Result<Option<CheckpointRecord>, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::LatestCheckpoint { reply })
            .await
    }

    /// The chain as JSON Lines (`protocol::export::verify_export` accepts it).
    pub async fn export(&self, corridor_id: &CorridorId) -> Result<String, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::Export { reply })
            .await
    }

    /// Applies a lifecycle transition with its evidence.
    pub async fn transition(
        &self,
        corridor_id: &CorridorId,
        evidence: TransitionEvidence,
    ) -> Result<TransitionAck, CorridorReject> {
        let evidence = Box::new(evidence);
        self.call(corridor_id, |reply| CorridorMsg::Transition {
            evidence,
            reply,
        })
        .await
    }

    /// The stored agreement set: the canonical object whose digest is the genesis
    /// `agreement_set_sha256`.
    pub async fn agreement_set(
        &self,
        corridor_id: &CorridorId,
    ) -> Result<CanonicalBytes, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::AgreementSet { reply })
            .await
    }

    /// Halts the corridor on a fork alarm or an authority's order.
    pub async fn halt(
        &self,
        corridor_id: &CorridorId,
        evidence: HaltEvidence,
    ) -> Result<TransitionAck, CorridorReject> {
        self.transition(corridor_id, TransitionEvidence::Halt(evidence))
            .await
    }

    /// Records fork evidence (a competing receipt for a held sequence); while ACTIVE the
    /// corridor halts with the zone's fork alarm. `Ok` means the fork (and halt) is durable.
    pub async fn report_fork(
        &self,
        corridor_id: &CorridorId,
        competing: SignedReceipt,
    ) -> Result<ForkAck, CorridorReject> {
        let competing = Box::new(competing);
        self.call(corridor_id, |reply| CorridorMsg::ReportFork {
            competing,
            reply,
        })
        .await
    }

    /// Decides an open fork from watcher attestations and authority fork-resolution
    /// credentials under the corridor's policy, and records the decision.
    pub async fn resolve_fork(
        &self,
        corridor_id: &CorridorId,
        fork_id: String,
        attestations: Vec<WatcherAttestation>,
        authority_resolutions: Vec<Value>,
    ) -> Result<ForkResolutionAck, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::ResolveFork {
            fork_id,
            attestations,
            authority_resolutions,
            reply,
        })
        .await
    }

    /// HALTED → ACTIVE on fork `fork_id`'s decision for the stored branch, recomputed from
    /// its stored evidence.
    pub async fn resume_after_fork(
        &self,
        corridor_id: &CorridorId,
        fork_id: String,
    ) -> Result<TransitionAck, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::ResumeAfterFork {
            fork_id,
            reply,
        })
        .await
    }

    /// Every recorded fork of the corridor with its status.
    pub async fn forks(&self, corridor_id: &CorridorId) -> Result<Vec<ForkView>, CorridorReject> {
        self.call(corridor_id, |reply| CorridorMsg::Forks { reply })
            .await
    }

    /// Durable heads, in commit order per corridor (watchers subscribe here).
    pub fn subscribe(&self) -> broadcast::Receiver<CorridorEvent> {
        self.deps.events.subscribe()
    }

    /// Stored lifecycle transitions, in the order each corridor applied them.
    pub fn subscribe_lifecycle(&self) -> broadcast::Receiver<LifecycleEvent> {
        self.deps.lifecycle_events.subscribe()
    }

    /// Crashes a corridor's actor on purpose (drills); it restarts per policy.
    pub async fn kill(&self, corridor_id: &CorridorId) -> Result<bool, CorridorReject> {
        self.host
            .kill(corridor_id)
            .await
            .map_err(|error| self.host_error(corridor_id, error))
    }

    /// Passivates a corridor's actor now (it re-activates on the next call).
    pub async fn passivate(&self, corridor_id: &CorridorId) -> Result<bool, CorridorReject> {
        self.host
            .passivate(corridor_id)
            .await
            .map_err(|error| self.host_error(corridor_id, error))
    }

    /// The introspection path of a corridor's actor (for restart counts in the admin tree).
    pub fn actor_path(&self, corridor_id: &CorridorId) -> String {
        self.host.key_path(corridor_id)
    }

    /// Corridor actors currently active.
    pub fn active_count(&self) -> usize {
        self.host.active_count()
    }

    /// This node's lease owner name.
    pub fn owner(&self) -> &str {
        self.deps.leases.owner()
    }

    /// Passivates every actor, stops the host and releases this node's leases.
    pub async fn shutdown(&self) {
        if let Err(error) = self.host.shutdown().await {
            tracing::warn!(%error, "corridor host shutdown");
        }
        self.deps.leases.release_all().await;
    }

    /// What every corridor of this host shares (the executor seams in `control` read it).
    pub(super) fn deps(&self) -> &CorridorDeps {
        &self.deps
    }

    /// Stops the host's own lease renewal task (the zone's scheduler renews from now on).
    pub(super) fn stop_own_renewal(&self) {
        self.renewal.stop();
    }

    /// Takes the shard lease if needed, then calls the corridor's actor.
    async fn call<R: Send + 'static>(
        &self,
        corridor_id: &CorridorId,
        make: impl FnOnce(Answer<R>) -> CorridorMsg,
    ) -> Result<R, CorridorReject> {
        let shard = self.deps.store.shard_of(corridor_id);
        if let Err(error) = self.deps.leases.epoch(shard).await {
            return Err(match error {
                LeaseError::Held { owner, .. } => CorridorReject::LeaseHeld {
                    corridor_id: corridor_id.clone(),
                    shard,
                    owner,
                },
                other => CorridorReject::Unavailable {
                    corridor_id: corridor_id.clone(),
                    reason: other.to_string(),
                },
            });
        }
        match self.host.call(corridor_id, make).await {
            Ok(answer) => answer,
            Err(error) => Err(self.host_error(corridor_id, error)),
        }
    }

    fn host_error(&self, corridor_id: &CorridorId, error: HostError) -> CorridorReject {
        match error {
            HostError::Overloaded { .. } => CorridorReject::Overloaded {
                corridor_id: corridor_id.clone(),
                retry_after_ms: self.deps.retry_after_ms,
            },
            other => CorridorReject::Unavailable {
                corridor_id: corridor_id.clone(),
                reason: other.to_string(),
            },
        }
    }
}
