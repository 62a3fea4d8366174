//! One corridor's state and every operation on it, as a plain async struct: the corridor
//! actor's `State`, testable without any actor.
//!
//! Owns [`CorridorCore`], [`CorridorDeps`], [`CorridorEvent`], [`LifecycleEvent`], the answer types
//! ([`AppendAck`], [`CorridorSummary`], [`InclusionAnswer`], [`CheckpointRecord`],
//! [`TransitionAck`]) and the named bounds [`RECEIPTS_PAGE_MAX`] and [`JOURNAL_READ_MAX`]; the
//! child module [`forks`] holds the fork operations (evidence, resolution, resume after a fork).
//!
//! # Durability
//! An append runs the pure step (`CorridorLedger::prepare`: lifecycle, obligation and every
//! SPEC §5 check) on a copy, hands the receipt (and, every `snapshot_interval_receipts`, the
//! snapshot of the state after it) to the group commit writer with this node's lease epoch,
//! and only after the commit changes its memory, publishes a [`CorridorEvent`] and answers.
//! A refusal that means the memory may be wrong (fenced, conflict, gap, storage failure)
//! answers the caller with a typed reply *and* records a [`CoreFailure`]: the actor then
//! stops and is re-hydrated. Every later call on a failed core answers `Unavailable`.
//!
//! # Hydration
//! Lease epoch first (so nothing read can be overwritten by a stale writer of ours), then the
//! corridor record (absent: the core answers `UnknownCorridor` until a create), then the latest
//! snapshot and the journal tail, each tail receipt re-applied through the same pure step.
//!
//! The lifecycle state lives in the corridors table (a compare-and-set per transition), not in
//! the snapshot: it changes without receipts. Recorded forks live in their own table and are
//! read back with the corridor.
//!
//! Never: acknowledges before the commit, changes memory when a step or the commit fails, or
//! turns caller input into a failure.

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

use msez_persistence::corridors::{CorridorError, CorridorRecord};
use msez_persistence::group_commit::{GroupCommitError, GroupCommitWriter};
use msez_persistence::journal::{
    AppendError as JournalRefusal, AppendRequest, LoadedCorridor, ReceiptRecord, SnapshotRecord,
    StoredReceipt,
};
use msez_persistence::store::Store;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::chain::ReceiptChain;
use msez_protocol::checkpoint::Checkpoint;
use msez_protocol::corridor::agreement::{check_activation, verify_agreement_set};
use msez_protocol::corridor::lifecycle::{
    self, HaltEvidence, TransitionEvidence, lifecycle_transition_credential,
};
use msez_protocol::corridor::state::{CorridorLedger, Prepared};
use msez_protocol::digest::Digest;
use msez_protocol::export::{ExportHeader, export_chain};
use msez_protocol::ids::CorridorId;
use msez_protocol::keys::SigningKey;
use msez_protocol::mmr::{InclusionProof, Mmr};
use msez_protocol::netting::{NettingMode, NettingPlan};
use msez_protocol::receipt::SignedReceipt;
use msez_protocol::signed::Signed;
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CorridorLifecycleState;

use self::forks::{ForkStatus, ForkView};
use super::error::{CoreFailure, CorridorReject};
use super::leases::LeaseBook;
use super::spec::{CorridorSpec, CreateCorridor};
use crate::clock::Clock;
use msez_persistence::forks::{ForkRecord, StateChange};

/// The most receipts one `receipts` page returns: a page of maximum-size receipts stays far
/// below the HTTP body limit, and a caller pages on.
pub const RECEIPTS_PAGE_MAX: u32 = 1_000;

/// The most journal receipts an export or an inclusion proof reads (about 3 digests of memory
/// each for a proof); longer chains are exported from a checkpoint instead.
pub const JOURNAL_READ_MAX: u64 = 1_000_000;

/// Receipts read from the journal per query while exporting or proving.
const JOURNAL_PAGE_RECEIPTS: u64 = 4_096;

pub mod forks;

/// What every corridor of a node shares.
pub struct CorridorDeps {
    /// The store (reads, records, checkpoints).
    pub store: Store,
    /// The one writer of journal rows.
    pub writer: Arc<GroupCommitWriter>,
    /// This node's shard leases.
    pub leases: Arc<LeaseBook>,
    /// The zone key that signs checkpoints and lifecycle credentials.
    pub zone_key: Arc<SigningKey>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Where durable heads are announced (watchers subscribe).
    pub events: broadcast::Sender<CorridorEvent>,
    /// Where stored lifecycle transitions are announced (the corridor event stream subscribes).
    pub lifecycle_events: broadcast::Sender<LifecycleEvent>,
    /// How long a caller should wait after an overload, in milliseconds.
    pub retry_after_ms: u64,
}

/// A receipt that became durable: published after the commit, before the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorEvent {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The receipt's sequence.
    pub sequence: u64,
    /// Its `prev_root`.
    pub prev_root: Digest,
    /// Its `next_root`: the new head.
    pub next_root: Digest,
    /// The MMR root after it.
    pub mmr_root: Digest,
    /// Its timestamp.
    pub timestamp: Timestamp,
}

/// A lifecycle transition that was stored: published after the compare-and-set, before the
/// reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleEvent {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The state before.
    pub from: CorridorLifecycleState,
    /// The state after.
    pub to: CorridorLifecycleState,
    /// When the zone applied it.
    pub at: Timestamp,
}

/// The answer to an accepted append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendAck {
    /// The receipt's sequence.
    pub sequence: u64,
    /// The new head.
    pub next_root: Digest,
    /// The MMR root after the append.
    pub mmr_root: Digest,
}

/// A corridor at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorSummary {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// Its lifecycle state.
    pub lifecycle: CorridorLifecycleState,
    /// Receipts in the chain.
    pub height: u64,
    /// The head.
    pub head: Digest,
    /// The genesis root.
    pub genesis_root: Digest,
    /// The MMR root (`None` before the first receipt).
    pub mmr_root: Option<Digest>,
    /// Obligations in the netting book.
    pub obligation_count: usize,
}

/// An inclusion proof and the root it verifies against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionAnswer {
    /// The SPEC §6 proof.
    pub proof: InclusionProof,
    /// The MMR root at the proof's size (the chain's current root).
    pub mmr_root: Digest,
}

/// A stored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRecord {
    /// Receipts it covers.
    pub receipt_count: u64,
    /// The signed SPEC §7 checkpoint.
    pub checkpoint: CanonicalBytes,
}

/// An applied lifecycle transition.
#[derive(Debug, Clone, PartialEq)]
pub struct TransitionAck {
    /// The state before.
    pub from: CorridorLifecycleState,
    /// The state after.
    pub to: CorridorLifecycleState,
    /// The zone's lifecycle-transition credential.
    pub credential: Value,
}

/// One corridor's state (see the module docs).
pub struct CorridorCore {
    corridor_id: CorridorId,
    deps: Arc<CorridorDeps>,
    shard: u32,
    /// The lease epoch this state was loaded under; every write carries it.
    epoch: u64,
    /// `None`: no such corridor (yet).
    loaded: Option<Loaded>,
    /// Set when the memory can no longer be trusted; the actor must stop.
    failure: Option<CoreFailure>,
}

struct Loaded {
    spec: CorridorSpec,
    lifecycle: CorridorLifecycleState,
    ledger: CorridorLedger,
    /// Every recorded fork (at most `FORKS_PER_CORRIDOR_MAX`), in (sequence, fork id) order.
    forks: Vec<ForkView>,
}

impl CorridorCore {
    /// Loads a corridor (see the module docs). `Err` only for storage failures and broken
    /// invariants; an unknown corridor loads as an empty core.
    pub async fn hydrate(
        corridor_id: CorridorId,
        deps: Arc<CorridorDeps>,
    ) -> Result<Self, CoreFailure> {
        let shard = deps.store.shard_of(&corridor_id);
        let epoch = deps
            .leases
            .epoch(shard)
            .await
            .map_err(|error| CoreFailure::Lease {
                corridor_id: corridor_id.clone(),
                shard,
                reason: error.to_string(),
            })?;
        // The three reads are independent, so they go to the store at once: a restart waits
        // for one round trip instead of three. (An unknown corridor pays two needless empty
        // reads; corridors are created far more rarely than they restart or activate.)
        let (record, stored, fork_records) = tokio::join!(
            deps.store.corridor(&corridor_id),
            deps.store.load(&corridor_id),
            deps.store.corridor_forks(&corridor_id),
        );
        let record =
            record.map_err(|error| storage(&corridor_id, "read corridor record", error))?;
        let loaded = match record {
            None => None,
            Some(record) => {
                let stored =
                    stored.map_err(|error| storage(&corridor_id, "load journal", error))?;
                let fork_records =
                    fork_records.map_err(|error| storage(&corridor_id, "read forks", error))?;
                Some(load(&corridor_id, &deps, &record, &stored, &fork_records)?)
            }
        };
        Ok(Self {
            corridor_id,
            deps,
            shard,
            epoch,
            loaded,
            failure: None,
        })
    }

    /// Why this core must stop, if it must.
    pub fn failure(&self) -> Option<&CoreFailure> {
        self.failure.as_ref()
    }

    /// The corridor.
    pub fn corridor_id(&self) -> &CorridorId {
        &self.corridor_id
    }

    /// The lease shard of the corridor.
    pub fn shard(&self) -> u32 {
        self.shard
    }

    /// The lease epoch this core writes with.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Creates the corridor: checks the agreement (`check_activation`: the definition
    /// credential and every party's agreement credential) and the request, runs DRAFT →
    /// PENDING (→ ACTIVE with approvals) through the protocol lifecycle, and stores the record
    /// with the canonical agreement set.
    pub async fn create(
        &mut self,
        request: CreateCorridor,
    ) -> Result<CorridorSummary, CorridorReject> {
        self.check_usable()?;
        let corridor_id = self.corridor_id.clone();
        if self.loaded.is_some() {
            return Err(CorridorReject::AlreadyExists { corridor_id });
        }
        if request.definition.corridor_id != corridor_id {
            return Err(CorridorReject::UnknownCorridor {
                corridor_id: request.definition.corridor_id.clone(),
            });
        }
        let invalid = |source| CorridorReject::InvalidSpec {
            corridor_id: corridor_id.clone(),
            source,
        };
        let now = self.deps.clock.now();
        let agreement = check_activation(
            &request.definition,
            &request.definition_credential,
            &request.agreements,
            now,
        )
        .map_err(|source| CorridorReject::Agreement {
            corridor_id: corridor_id.clone(),
            source,
        })?;
        let spec = CorridorSpec::from_request(&request, &agreement).map_err(invalid)?;
        let chain = ReceiptChain::from_genesis(&spec.genesis, spec.policy.clone())
            .map_err(|error| invalid(error.into()))?;
        let submit = TransitionEvidence::Submit {
            definition_payload_sha256: spec.genesis.definition_payload_sha256,
        };
        let mut state =
            lifecycle::transition(CorridorLifecycleState::Draft, &submit, &spec.lifecycle)?;
        if !request.activation_approvals.is_empty() {
            let activate = TransitionEvidence::Activate {
                approvals: request.activation_approvals.clone(),
            };
            state = lifecycle::transition(state, &activate, &spec.lifecycle)?;
        }
        let definition = spec.record_bytes(&request.definition).map_err(invalid)?;
        let agreement_set =
            CanonicalBytes::new(&agreement.to_value()).map_err(|error| invalid(error.into()))?;
        let record = CorridorRecord {
            corridor_id: corridor_id.clone(),
            definition,
            agreement_set,
            party_entity_ids: request.party_entity_ids.clone(),
            lifecycle_state: state_name(state),
            updated_at_unix_ms: now.unix_seconds().saturating_mul(1_000),
        };
        // Another node may have created it meanwhile; the primary key refuses the second one.
        if let Err(error) = self.deps.store.create_corridor(&record).await {
            return match self.deps.store.corridor(&corridor_id).await {
                Ok(Some(_)) => Err(CorridorReject::AlreadyExists { corridor_id }),
                _ => Err(unavailable(&corridor_id, &error)),
            };
        }
        self.loaded = Some(Loaded {
            spec,
            lifecycle: state,
            ledger: CorridorLedger::new(chain),
            forks: Vec::new(),
        });
        self.summary()
    }

    /// Appends a client-signed receipt; answers only after it is durable (module docs).
    pub async fn append(&mut self, signed: SignedReceipt) -> Result<AppendAck, CorridorReject> {
        self.check_usable()?;
        let corridor_id = self.corridor_id.clone();
        let loaded = self
            .loaded
            .as_ref()
            .ok_or_else(|| CorridorReject::UnknownCorridor {
                corridor_id: corridor_id.clone(),
            })?;
        accepts_receipts(&corridor_id, loaded.lifecycle)?;
        let chain = loaded.ledger.chain();
        if signed.document.sequence + 1 == chain.height()
            && signed.document.next_root == chain.head()
            && let Some(mmr_root) = chain.mmr().root()
        {
            // A retry of the last durable receipt (its reply was lost): the same content digest
            // is already the head, so answer as the first time.
            return Ok(AppendAck {
                sequence: signed.document.sequence,
                next_root: chain.head(),
                mmr_root,
            });
        }
        let now = self.deps.clock.now();
        let prepared = loaded.ledger.prepare(&signed, now)?;
        let request = match self.append_request(loaded, &signed, &prepared) {
            Ok(request) => request,
            Err(failure) => return Err(self.fail(failure)),
        };
        let sequence = prepared.appended().sequence;
        if let Err(error) = self.deps.writer.append(request).await {
            return Err(self.refused(error, sequence).await);
        }
        let Some(loaded) = self.loaded.as_mut() else {
            return Err(CorridorReject::UnknownCorridor { corridor_id });
        };
        let appended = loaded.ledger.commit(prepared);
        let event = CorridorEvent {
            corridor_id: corridor_id.clone(),
            sequence,
            prev_root: signed.document.prev_root,
            next_root: appended.next_root,
            mmr_root: appended.mmr_root,
            timestamp: signed.document.timestamp,
        };
        // No subscriber is not an error: watchers are optional.
        let _ = self.deps.events.send(event);
        let height = loaded.ledger.chain().height();
        // Boxed: the checkpoint's store future is about 9 KiB and runs once per interval;
        // unboxed it made every append's future (and so every message's) that large, which
        // the node paid for as a 10 KiB move per message.
        if height.is_multiple_of(loaded.spec.checkpoint_interval_receipts)
            && let Err(failure) = Box::pin(self.store_checkpoint(now)).await
        {
            // The receipt is durable and is acknowledged; the actor restarts after this reply.
            self.failure = Some(failure);
        }
        Ok(AppendAck {
            sequence,
            next_root: appended.next_root,
            mmr_root: appended.mmr_root,
        })
    }

    fn append_request(
        &self,
        loaded: &Loaded,
        signed: &SignedReceipt,
        prepared: &Prepared,
    ) -> Result<AppendRequest, CoreFailure> {
        let artifact = |artifact: &'static str, reason: String| CoreFailure::Artifact {
            corridor_id: self.corridor_id.clone(),
            artifact,
            reason,
        };
        let appended = prepared.appended();
        let receipt = signed
            .canonical_bytes()
            .map_err(|error| artifact("receipt bytes", error.to_string()))?;
        let interval = self.deps.store.config().snapshot_interval_receipts;
        let receipt_count = appended.sequence + 1;
        let snapshot = if receipt_count.is_multiple_of(interval) {
            let state = loaded
                .ledger
                .encode_prepared(prepared)
                .map_err(|error| artifact("snapshot", error.to_string()))?;
            Some(SnapshotRecord {
                receipt_count,
                head_root: appended.next_root,
                state: state.into_bytes(),
            })
        } else {
            None
        };
        Ok(AppendRequest {
            receipt: ReceiptRecord {
                corridor_id: self.corridor_id.clone(),
                sequence: appended.sequence,
                next_root: appended.next_root,
                receipt,
            },
            epoch: self.epoch,
            snapshot,
        })
    }

    /// Maps a writer refusal to the caller's reply, failing the core where memory is suspect.
    async fn refused(&mut self, error: GroupCommitError, sequence: u64) -> CorridorReject {
        let corridor_id = self.corridor_id.clone();
        match error {
            GroupCommitError::Overloaded { .. } => CorridorReject::Overloaded {
                corridor_id,
                retry_after_ms: self.deps.retry_after_ms,
            },
            GroupCommitError::Refused(refusal @ JournalRefusal::ReceiptTooLarge { .. }) => {
                CorridorReject::Journal(refusal)
            }
            GroupCommitError::Refused(JournalRefusal::Fenced { shard, .. }) => {
                self.deps.leases.forget(shard, self.epoch).await;
                self.fail(CoreFailure::Fenced {
                    corridor_id: corridor_id.clone(),
                    shard,
                    sequence,
                });
                CorridorReject::Fenced { corridor_id, shard }
            }
            GroupCommitError::Refused(refusal @ JournalRefusal::Conflict { .. }) => {
                self.fail(CoreFailure::Diverged {
                    corridor_id: corridor_id.clone(),
                    sequence,
                    refusal: refusal.to_string(),
                });
                CorridorReject::Conflict {
                    corridor_id,
                    sequence,
                }
            }
            GroupCommitError::Refused(refusal) => self.fail(CoreFailure::Diverged {
                corridor_id,
                sequence,
                refusal: refusal.to_string(),
            }),
            other => self.fail(CoreFailure::Storage {
                corridor_id,
                operation: "append receipt",
                reason: other.to_string(),
            }),
        }
    }

    /// Records `failure` and returns the reply every caller gets from now on.
    fn fail(&mut self, failure: CoreFailure) -> CorridorReject {
        let reply = CorridorReject::Unavailable {
            corridor_id: self.corridor_id.clone(),
            reason: failure.to_string(),
        };
        self.failure = Some(failure);
        reply
    }

    async fn store_checkpoint(&self, now: Timestamp) -> Result<(), CoreFailure> {
        let Some(loaded) = self.loaded.as_ref() else {
            return Ok(());
        };
        let chain = loaded.ledger.chain();
        let artifact = |reason: String| CoreFailure::Artifact {
            corridor_id: self.corridor_id.clone(),
            artifact: "checkpoint",
            reason,
        };
        let document = Checkpoint::of_chain(chain, now);
        let signed = Signed::sign(document, &[self.deps.zone_key.as_ref()], now)
            .map_err(|error| artifact(error.to_string()))?;
        let value = signed
            .to_value()
            .map_err(|error| artifact(error.to_string()))?;
        let bytes = CanonicalBytes::new(&value).map_err(|error| artifact(error.to_string()))?;
        self.deps
            .store
            .put_checkpoint(&self.corridor_id, chain.height(), &bytes)
            .await
            .map_err(|error| storage(&self.corridor_id, "store checkpoint", error))?;
        Ok(())
    }

    /// The corridor at a glance.
    pub fn summary(&self) -> Result<CorridorSummary, CorridorReject> {
        let loaded = self.loaded()?;
        let chain = loaded.ledger.chain();
        Ok(CorridorSummary {
            corridor_id: self.corridor_id.clone(),
            lifecycle: loaded.lifecycle,
            height: chain.height(),
            head: chain.head(),
            genesis_root: chain.genesis_root(),
            mmr_root: chain.mmr().root(),
            obligation_count: loaded.ledger.netting().len(),
        })
    }

    /// The verified ledger (chain and netting book), for comparisons in tests and tools.
    pub fn ledger(&self) -> Result<&CorridorLedger, CorridorReject> {
        Ok(&self.loaded()?.ledger)
    }

    /// The settlement plan of the netting book.
    pub fn netting_plan(&self, mode: NettingMode) -> Result<NettingPlan, CorridorReject> {
        let loaded = self.loaded()?;
        loaded
            .ledger
            .netting()
            .plan(mode)
            .map_err(|error| CorridorReject::Unavailable {
                corridor_id: self.corridor_id.clone(),
                reason: error.to_string(),
            })
    }

    /// Up to `limit` (≤ [`RECEIPTS_PAGE_MAX`]) verified receipts from `from_sequence` on.
    pub async fn receipts(
        &self,
        from_sequence: u64,
        limit: u32,
    ) -> Result<Vec<StoredReceipt>, CorridorReject> {
        self.loaded()?;
        if limit > RECEIPTS_PAGE_MAX {
            return Err(CorridorReject::TooLarge {
                what: "receipts limit",
                count: u64::from(limit),
                limit: u64::from(RECEIPTS_PAGE_MAX),
            });
        }
        self.deps
            .store
            .receipts(&self.corridor_id, from_sequence, u64::from(limit))
            .await
            .map_err(|error| unavailable(&self.corridor_id, &error))
    }

    /// Every receipt of the chain, read in pages (at most [`JOURNAL_READ_MAX`]).
    async fn journal(&self, height: u64) -> Result<Vec<StoredReceipt>, CorridorReject> {
        if height > JOURNAL_READ_MAX {
            return Err(CorridorReject::TooLarge {
                what: "journal read",
                count: height,
                limit: JOURNAL_READ_MAX,
            });
        }
        let mut receipts = Vec::with_capacity(usize::try_from(height).unwrap_or(0));
        while (receipts.len() as u64) < height {
            let page = self
                .deps
                .store
                .receipts(
                    &self.corridor_id,
                    receipts.len() as u64,
                    JOURNAL_PAGE_RECEIPTS,
                )
                .await
                .map_err(|error| unavailable(&self.corridor_id, &error))?;
            if page.is_empty() {
                break;
            }
            receipts.extend(page);
        }
        receipts.truncate(usize::try_from(height).unwrap_or(usize::MAX));
        Ok(receipts)
    }

    /// The SPEC §6 inclusion proof of receipt `sequence` against the current MMR root, built
    /// from the journal's `next_root`s.
    pub async fn inclusion_proof(
        &mut self,
        sequence: u64,
    ) -> Result<InclusionAnswer, CorridorReject> {
        let chain = self.loaded()?.ledger.chain().clone();
        let height = chain.height();
        if sequence >= height {
            return Err(CorridorReject::SequenceOutOfRange {
                corridor_id: self.corridor_id.clone(),
                sequence,
                height,
            });
        }
        let receipts = self.journal(height).await?;
        let roots: Vec<Digest> = receipts.iter().map(|r| r.next_root).collect();
        let mmr = Mmr::from_next_roots(roots.iter());
        let ledger_root = chain.mmr().root();
        let (mmr, root) = match mmr {
            Ok(mmr)
                if mmr.size() == height && mmr.root() == ledger_root && ledger_root.is_some() =>
            {
                let root = mmr.root().unwrap_or(Digest::from_bytes([0; 32]));
                (mmr, root)
            }
            other => {
                let journal_root = other.ok().and_then(|mmr| mmr.root());
                return Err(self.fail(CoreFailure::MmrMismatch {
                    corridor_id: self.corridor_id.clone(),
                    journal_root,
                    ledger_root,
                }));
            }
        };
        let proof = mmr
            .inclusion_proof(sequence)
            .map_err(|error| CorridorReject::Unavailable {
                corridor_id: self.corridor_id.clone(),
                reason: error.to_string(),
            })?;
        Ok(InclusionAnswer {
            proof,
            mmr_root: root,
        })
    }

    /// The latest zone-signed checkpoint, if one was stored.
    pub async fn latest_checkpoint(&self) -> Result<Option<CheckpointRecord>, CorridorReject> {
        self.loaded()?;
        let stored = self
            .deps
            .store
            .latest_checkpoint(&self.corridor_id)
            .await
            .map_err(|error| unavailable(&self.corridor_id, &error))?;
        Ok(stored.map(|(receipt_count, checkpoint)| CheckpointRecord {
            receipt_count,
            checkpoint,
        }))
    }

    /// The stored agreement set (the canonical object whose digest is the genesis
    /// `agreement_set_sha256`), so an auditor can re-verify the agreement and recompute the
    /// genesis root.
    pub async fn agreement_set(&self) -> Result<CanonicalBytes, CorridorReject> {
        self.loaded()?;
        Ok(self.record().await?.agreement_set)
    }

    /// The corridor's stored record.
    async fn record(&self) -> Result<CorridorRecord, CorridorReject> {
        self.deps
            .store
            .corridor(&self.corridor_id)
            .await
            .map_err(|error| unavailable(&self.corridor_id, &error))?
            .ok_or_else(|| CorridorReject::UnknownCorridor {
                corridor_id: self.corridor_id.clone(),
            })
    }

    /// The whole chain as JSON Lines that `protocol::export::verify_export` accepts.
    pub async fn export(&self) -> Result<String, CorridorReject> {
        let loaded = self.loaded()?;
        let height = loaded.ledger.chain().height();
        let stored = self.journal(height).await?;
        let unavailable = |reason: String| CorridorReject::Unavailable {
            corridor_id: self.corridor_id.clone(),
            reason,
        };
        let receipts: Vec<SignedReceipt> = stored
            .iter()
            .map(|row| parse_receipt(&row.receipt))
            .collect::<Result<_, _>>()
            .map_err(unavailable)?;
        let header = ExportHeader::new(loaded.spec.genesis.clone(), loaded.spec.policy.clone())
            .map_err(|error| unavailable(error.to_string()))?;
        export_chain(&header, &receipts, None).map_err(|error| unavailable(error.to_string()))
    }

    /// Applies a lifecycle transition: the protocol decides, the store compares-and-sets, the
    /// zone issues the transition credential.
    pub async fn transition(
        &mut self,
        evidence: TransitionEvidence,
    ) -> Result<TransitionAck, CorridorReject> {
        self.check_usable()?;
        let corridor_id = self.corridor_id.clone();
        let loaded = self.loaded()?;
        let from = loaded.lifecycle;
        let to = lifecycle::transition(from, &evidence, &loaded.spec.lifecycle)?;
        let now = self.deps.clock.now();
        match &evidence {
            TransitionEvidence::Activate { .. } => self.recheck_agreement(now).await?,
            TransitionEvidence::ResumeAfterFork { decision } => self.check_fork_resume(decision)?,
            _ => {}
        }
        let credential = lifecycle_transition_credential(
            &corridor_id,
            from,
            &evidence,
            self.deps.zone_key.as_ref(),
            now,
        )?;
        let (from_state, to_state) = (state_name(from), state_name(to));
        let at_unix_ms = now.unix_seconds().saturating_mul(1_000);
        let store = &self.deps.store;
        let result = match &evidence {
            TransitionEvidence::ResumeAfterFork { .. } => {
                let change = StateChange {
                    from_state: &from_state,
                    to_state: &to_state,
                };
                let (won, resumed) = (ForkStatus::StoredBranchWon, ForkStatus::Resumed);
                store
                    .resume_after_forks(
                        &corridor_id,
                        change,
                        at_unix_ms,
                        won.name(),
                        resumed.name(),
                    )
                    .await
            }
            _ => {
                store
                    .transition_corridor(&corridor_id, &from_state, &to_state, at_unix_ms)
                    .await
            }
        };
        if let Err(error) = result {
            return Err(self.lifecycle_write_refused(error));
        }
        if let Some(loaded) = self.loaded.as_mut() {
            loaded.lifecycle = to;
            if let TransitionEvidence::ResumeAfterFork { .. } = &evidence {
                forks::mark_resumed(&mut loaded.forks);
            }
        }
        // No subscriber is not an error: the event stream is optional.
        let _ = self.deps.lifecycle_events.send(LifecycleEvent {
            corridor_id,
            from,
            to,
            at: now,
        });
        Ok(TransitionAck {
            from,
            to,
            credential,
        })
    }

    /// The reply to a refused lifecycle write. Another node moved the state: memory takes the
    /// stored state so the next request sees it, and the caller may retry.
    fn lifecycle_write_refused(&mut self, error: CorridorError) -> CorridorReject {
        let corridor_id = self.corridor_id.clone();
        match error {
            CorridorError::StateChanged {
                expected_state,
                current_state,
                ..
            } => {
                if let Some(state) = parse_state(&current_state)
                    && let Some(loaded) = self.loaded.as_mut()
                {
                    loaded.lifecycle = state;
                }
                CorridorReject::LifecycleRaced {
                    corridor_id,
                    expected: expected_state,
                    current: current_state,
                }
            }
            error => unavailable(&corridor_id, &error),
        }
    }

    /// Re-verifies the stored agreement set at `now` before PENDING → ACTIVE: an agreement or
    /// the definition credential may have lapsed since the corridor was created PENDING, and
    /// activation holds only while the agreement does. A stored record that no longer matches
    /// the genesis is a broken invariant and fails the actor.
    async fn recheck_agreement(&mut self, now: Timestamp) -> Result<(), CorridorReject> {
        let corridor_id = self.corridor_id.clone();
        let record = self.record().await?;
        let stored = match self.loaded()?.spec.stored_agreement(&record) {
            Ok(stored) => stored,
            Err(source) => {
                return Err(self.fail(CoreFailure::Record {
                    corridor_id,
                    source,
                }));
            }
        };
        let (definition, agreement_set) = stored;
        verify_agreement_set(&definition, &agreement_set, now)
            .map(drop)
            .map_err(|source| CorridorReject::Agreement {
                corridor_id,
                source,
            })
    }

    /// Halts the corridor on a fork alarm or an authority's order.
    pub async fn halt(&mut self, evidence: HaltEvidence) -> Result<TransitionAck, CorridorReject> {
        self.transition(TransitionEvidence::Halt(evidence)).await
    }

    fn check_usable(&self) -> Result<(), CorridorReject> {
        match &self.failure {
            None => Ok(()),
            Some(failure) => Err(CorridorReject::Unavailable {
                corridor_id: self.corridor_id.clone(),
                reason: failure.to_string(),
            }),
        }
    }

    fn loaded(&self) -> Result<&Loaded, CorridorReject> {
        self.check_usable()?;
        self.loaded
            .as_ref()
            .ok_or_else(|| CorridorReject::UnknownCorridor {
                corridor_id: self.corridor_id.clone(),
            })
    }
}

/// Hydrates a stored corridor from what the store read: spec, lifecycle, snapshot, verified
/// tail replay, forks.
fn load(
    corridor_id: &CorridorId,
    deps: &CorridorDeps,
    record: &CorridorRecord,
    stored: &LoadedCorridor,
    fork_records: &[ForkRecord],
) -> Result<Loaded, CoreFailure> {
    let spec = CorridorSpec::from_record_bytes(&record.definition).map_err(|source| {
        CoreFailure::Record {
            corridor_id: corridor_id.clone(),
            source,
        }
    })?;
    let lifecycle = parse_state(&record.lifecycle_state).ok_or_else(|| CoreFailure::Record {
        corridor_id: corridor_id.clone(),
        source: super::spec::SpecError::Record {
            field: "lifecycle_state",
            reason: record.lifecycle_state.clone(),
        },
    })?;
    let snapshot_failure = |reason: String| CoreFailure::Snapshot {
        corridor_id: corridor_id.clone(),
        reason,
    };
    let mut ledger = match &stored.snapshot {
        None => {
            let chain = ReceiptChain::from_genesis(&spec.genesis, spec.policy.clone())
                .map_err(|error| snapshot_failure(error.to_string()))?;
            CorridorLedger::new(chain)
        }
        Some(snapshot) => {
            let ledger = CorridorLedger::decode(&snapshot.state)
                .map_err(|error| CoreFailure::from((corridor_id.clone(), error)))?;
            let chain = ledger.chain();
            let matches = chain.height() == snapshot.receipt_count
                && chain.head() == snapshot.head_root
                && chain.corridor_id() == corridor_id
                && chain.policy() == &spec.policy
                && spec.genesis.genesis_root().ok() == Some(chain.genesis_root());
            if !matches {
                return Err(snapshot_failure(format!(
                    "snapshot of {} receipts does not match the corridor's genesis, policy or head",
                    snapshot.receipt_count
                )));
            }
            ledger
        }
    };
    let now = deps.clock.now();
    for row in &stored.tail {
        let replay = |reason: String| CoreFailure::Replay {
            corridor_id: corridor_id.clone(),
            sequence: row.sequence,
            reason,
        };
        let signed = parse_receipt(&row.receipt).map_err(replay)?;
        ledger
            .apply(&signed, now)
            .map_err(|error| replay(error.to_string()))?;
    }
    let forks: Vec<ForkView> = fork_records
        .iter()
        .map(|record| {
            forks::view_of_record(record).map_err(|reason| CoreFailure::Fork {
                corridor_id: corridor_id.clone(),
                fork_id: record.fork_id.clone(),
                reason,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Loaded {
        spec,
        lifecycle,
        ledger,
        forks,
    })
}

/// Receipts accepted only while ACTIVE; each other state is its own typed refusal.
fn accepts_receipts(
    corridor_id: &CorridorId,
    state: CorridorLifecycleState,
) -> Result<(), CorridorReject> {
    let corridor_id = corridor_id.clone();
    match state {
        CorridorLifecycleState::Active => Ok(()),
        CorridorLifecycleState::Halted => Err(CorridorReject::Halted { corridor_id }),
        CorridorLifecycleState::Suspended => Err(CorridorReject::Suspended { corridor_id }),
        CorridorLifecycleState::Deprecated => Err(CorridorReject::Deprecated { corridor_id }),
        CorridorLifecycleState::Draft | CorridorLifecycleState::Pending => {
            Err(CorridorReject::NotActive { corridor_id, state })
        }
    }
}

/// A lifecycle state's stored name (its serde name, e.g. `active`).
pub fn state_name(state: CorridorLifecycleState) -> String {
    match serde_json::to_value(state) {
        Ok(Value::String(name)) => name,
        _ => format!("{state:?}").to_lowercase(),
    }
}

/// The lifecycle state stored under `name` (the inverse of [`state_name`]).
pub(crate) fn parse_state(name: &str) -> Option<CorridorLifecycleState> {
    serde_json::from_value(Value::String(name.to_owned())).ok()
}

/// A journal row back to a signed receipt (the journal verified its bytes on read).
fn parse_receipt(bytes: &CanonicalBytes) -> Result<SignedReceipt, String> {
    let value = msez_protocol::canonical::parse(bytes.as_bytes()).map_err(|e| e.to_string())?;
    SignedReceipt::from_value(&value).map_err(|e| e.to_string())
}

fn storage(
    corridor_id: &CorridorId,
    operation: &'static str,
    error: impl std::fmt::Display,
) -> CoreFailure {
    CoreFailure::Storage {
        corridor_id: corridor_id.clone(),
        operation,
        reason: error.to_string(),
    }
}

fn unavailable(corridor_id: &CorridorId, error: &dyn std::fmt::Display) -> CorridorReject {
    CorridorReject::Unavailable {
        corridor_id: corridor_id.clone(),
        reason: error.to_string(),
    }
}
