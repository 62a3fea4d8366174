//! Forks of one corridor (SPEC §8) as operations of its [`CorridorCore`]: evidence in, a
//! zone-signed alarm and a halt out; watcher attestations or authority credentials in, a
//! decision and a zone-signed resolution out; a resume only from a decision that still holds.
//!
//! Owns [`ForkStatus`], [`ForkView`], [`ForkAck`], [`ForkResolutionAck`], [`ForkHold`] and the
//! bond rule [`BOND_STATE_HELD`].
//!
//! Evidence is a competing receipt for a sequence the corridor holds. It passes the same
//! SPEC §5 step as an append (`ReceiptChain::append`), run on the chain as it stood before that
//! sequence (rebuilt from the journal: the head before it, the MMR of the receipts before it, the
//! previous receipt's timestamp and digest sets), so its signatures, prev_root, next_root and
//! timestamp are checked exactly as an append's would be. Then `detect_fork` must hold against
//! the stored receipt. The fork, both receipts and the zone's alarm are stored in the same
//! transaction as ACTIVE → HALTED; memory changes only after the commit.
//!
//! Resolution runs `resolve_fork` with the corridor's policy: the definition's
//! `watcher_quorum`, the agreement's authorities (one authority credential decides), and the
//! watcher standings the store holds (its `watchers` and `watcher_bonds` rows, see
//! [`BOND_STATE_HELD`]). The decision, the evidence it rested on and, when a branch won, the
//! zone's `MSEZForkResolutionCredential` are stored. Resuming re-runs the same resolution from
//! the stored evidence, so HALTED → ACTIVE rests on a decision recomputed at that moment.
//!
//! A resume spends the decisions it rests on (their forks become `Resumed`, in the same
//! transaction), so a fork decision can lift only the halt its fork caused; while a corridor is
//! halted for another reason (every fork spent), fork evidence is refused as for an append.
//!
//! Never: drops or overwrites either receipt, resumes a corridor whose competing branch won
//! (replacing an acknowledged suffix is not supported), or records anything for evidence that
//! fails a check.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use msez_persistence::forks::{
    FORKS_PER_CORRIDOR_MAX, ForkDecisionRecord, ForkRecord, StateChange,
};
use msez_persistence::journal::StoredReceipt;
use msez_persistence::watchers::BOND_STATE_HELD;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::chain::{ChainParts, ReceiptChain};
use msez_protocol::corridor::fork::{
    FORK_ATTESTATIONS_MAX, Fork, ForkDecision, ForkError, ForkPolicy, HaltReason, ReceiptHeader,
    Resolution, detect_fork, fork_alarm_credential, fork_decision_credential, resolve_fork,
};
use msez_protocol::corridor::lifecycle::{
    self, HaltEvidence, TransitionEvidence, lifecycle_transition_credential,
};
use msez_protocol::corridor::watcher::{
    WATCHERS_MAX, WatcherAttestation, WatcherRecord, WatcherRegistry, WatcherStatus,
};
use msez_protocol::digest::Digest;
use msez_protocol::keys::DidKey;
use msez_protocol::mmr::MmrPeaks;
use msez_protocol::receipt::SignedReceipt;
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CorridorLifecycleState;

use super::{CorridorCore, LifecycleEvent, TransitionAck, parse_receipt, state_name, unavailable};
use crate::corridor::error::{CoreFailure, CorridorReject};

/// Distinct authorities whose fork-resolution credentials must choose the same branch. SPEC §8
/// speaks of "a fork-resolution credential signed by the authorities the agreement names", and
/// agreements name no authority threshold, so one named authority decides.
const AUTHORITY_THRESHOLD: u32 = 1;

/// Where a fork stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForkStatus {
    /// Recorded, no branch chosen yet (or the last decision chose none).
    Open,
    /// The corridor's own branch won: the corridor may resume.
    StoredBranchWon,
    /// The competing branch won: the corridor stays halted.
    CompetingBranchWon,
    /// The stored branch won and the corridor resumed on it: its decision is spent, so it
    /// cannot lift a later halt.
    Resumed,
}

/// One recorded fork.
#[derive(Debug, Clone, PartialEq)]
pub struct ForkView {
    /// The fork's id (64 hex characters, deterministic from the fork and both roots).
    pub fork_id: String,
    /// The fork (corridor, height, parent root, both roots).
    pub fork: Fork,
    /// The `next_root` of the receipt the journal holds.
    pub stored_next_root: Digest,
    /// The `next_root` of the competing receipt.
    pub competing_next_root: Digest,
    /// Where it stands.
    pub status: ForkStatus,
    /// The receipt the journal holds at the fork's height.
    pub stored_receipt: Value,
    /// The competing receipt (kept as evidence whatever the decision).
    pub competing_receipt: Value,
    /// The zone's fork-alarm credential.
    pub alarm: Value,
    /// When it was recorded (Unix ms).
    pub detected_at_unix_ms: i64,
    /// The latest decision (`ForkDecision::to_json`), if any.
    pub decision: Option<Value>,
    /// The zone's fork-resolution credential, when a branch won.
    pub resolution: Option<Value>,
}

/// The answer to accepted fork evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct ForkAck {
    /// The recorded fork.
    pub fork: ForkView,
    /// The ACTIVE → HALTED transition it caused (`None` when the corridor was already halted).
    pub halt: Option<TransitionAck>,
}

/// Why a fork leaves the corridor halted after a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForkHold {
    /// No branch was chosen.
    Undecided(HaltReason),
    /// The competing branch won; replacing the corridor's acknowledged suffix is not supported.
    CompetingBranchWon,
}

/// The answer to a resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct ForkResolutionAck {
    /// The fork, with its new status, decision and resolution credential.
    pub fork: ForkView,
    /// Why the corridor stays halted; `None` when the stored branch won and it may resume.
    pub hold: Option<ForkHold>,
}

impl ForkStatus {
    /// The stored name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::StoredBranchWon => "stored_branch_won",
            Self::CompetingBranchWon => "competing_branch_won",
            Self::Resumed => "resumed",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        [
            Self::Open,
            Self::StoredBranchWon,
            Self::CompetingBranchWon,
            Self::Resumed,
        ]
        .into_iter()
        .find(|status| status.name() == name)
    }
}

impl CorridorCore {
    /// Records fork evidence: a competing receipt for a sequence the corridor holds (module
    /// docs). While ACTIVE the corridor halts with the zone's alarm as evidence; while HALTED
    /// the fork is recorded beside the others.
    pub async fn report_fork(
        &mut self,
        competing: SignedReceipt,
    ) -> Result<ForkAck, CorridorReject> {
        let corridor_id = self.corridor_id.clone();
        let loaded = self.loaded()?;
        let from = loaded.lifecycle;
        // While HALTED, evidence is recorded only beside an unspent fork: a halt whose forks are
        // all spent (resumed) came from elsewhere (an authority), and a fork recorded then
        // could later lift it.
        let fork_halt = loaded
            .forks
            .iter()
            .any(|known| known.status != ForkStatus::Resumed);
        if from != CorridorLifecycleState::Halted || !fork_halt {
            super::accepts_receipts(&corridor_id, from)?;
        }
        let sequence = competing.document.sequence;
        let height = loaded.ledger.chain().height();
        if sequence >= height {
            return Err(CorridorReject::ForkSequenceUnknown {
                corridor_id,
                sequence,
                height,
            });
        }
        let count = loaded.forks.len() as u64;
        if count >= FORKS_PER_CORRIDOR_MAX {
            return Err(CorridorReject::TooLarge {
                what: "recorded forks",
                count: count + 1,
                limit: FORKS_PER_CORRIDOR_MAX,
            });
        }
        let fork_id = fork_id_of(&corridor_id, sequence, &competing);
        if loaded.forks.iter().any(|known| known.fork_id == fork_id) {
            return Err(CorridorReject::ForkRecorded {
                corridor_id,
                fork_id,
            });
        }
        let journal = self.journal(sequence + 1).await?;
        let Some(stored_row) = journal.last().filter(|row| row.sequence == sequence) else {
            return Err(self.diverged(sequence, "the journal lacks a receipt below the height"));
        };
        if stored_row.next_root == competing.document.next_root {
            return Err(CorridorReject::ForkIdentical {
                corridor_id,
                sequence,
            });
        }
        let stored = match parse_receipt(&stored_row.receipt) {
            Ok(stored) => stored,
            Err(reason) => return Err(self.diverged(sequence, &reason)),
        };
        let now = self.deps.clock.now();
        let mut chain = self.chain_before(&journal, sequence)?;
        chain
            .append(&competing, now)
            .map_err(|source| CorridorReject::ForkEvidence {
                corridor_id: corridor_id.clone(),
                source: Box::new(source),
            })?;
        let fork = detect_fork(
            &ReceiptHeader::of(&stored.document),
            &ReceiptHeader::of(&competing.document),
        )
        .map_err(|source| CorridorReject::ForkResolution {
            corridor_id: corridor_id.clone(),
            source: Box::new(source),
        })?;
        let alarm = fork_alarm_credential(&fork, self.deps.zone_key.as_ref(), now)
            .map_err(|error| self.artifact("fork alarm", error.to_string()))?;
        let view = ForkView {
            fork_id,
            fork,
            stored_next_root: stored.document.next_root,
            competing_next_root: competing.document.next_root,
            status: ForkStatus::Open,
            stored_receipt: self.receipt_value(&stored)?,
            competing_receipt: self.receipt_value(&competing)?,
            alarm,
            detected_at_unix_ms: unix_ms(now),
            decision: None,
            resolution: None,
        };
        self.record_fork(view, from, now).await
    }

    /// Stores the fork (with the halt while ACTIVE), then updates memory and answers.
    async fn record_fork(
        &mut self,
        view: ForkView,
        from: CorridorLifecycleState,
        now: Timestamp,
    ) -> Result<ForkAck, CorridorReject> {
        let corridor_id = self.corridor_id.clone();
        let halt = if from == CorridorLifecycleState::Active {
            let evidence = TransitionEvidence::Halt(HaltEvidence::ForkAlarm(view.alarm.clone()));
            // The zone raised this alarm itself, from two receipts it has just verified: it
            // counts as an alarm-raising authority for this transition even where the agreement
            // does not name the zone's key.
            let mut context = self.loaded()?.spec.lifecycle.clone();
            context.authorities.insert(*self.deps.zone_key.did());
            let to = lifecycle::transition(from, &evidence, &context)?;
            let credential = lifecycle_transition_credential(
                &corridor_id,
                from,
                &evidence,
                self.deps.zone_key.as_ref(),
                now,
            )?;
            Some(TransitionAck {
                from,
                to,
                credential,
            })
        } else {
            None
        };
        let record = ForkRecord {
            fork_id: view.fork_id.clone(),
            corridor_id: corridor_id.clone(),
            sequence: view.fork.height(),
            stored_receipt: self.canonical(&view.stored_receipt, "stored receipt")?,
            competing_receipt: self.canonical(&view.competing_receipt, "competing receipt")?,
            alarm: self.canonical(&view.alarm, "fork alarm")?,
            detected_at_unix_ms: view.detected_at_unix_ms,
            status: view.status.name().to_owned(),
            decision: None,
        };
        let from_state = state_name(from);
        let to_state = state_name(CorridorLifecycleState::Halted);
        let change = halt.as_ref().map(|_| StateChange {
            from_state: &from_state,
            to_state: &to_state,
        });
        if let Err(error) = self.deps.store.record_fork(&record, change).await {
            return Err(self.lifecycle_write_refused(error));
        }
        let Some(loaded) = self.loaded.as_mut() else {
            return Err(CorridorReject::UnknownCorridor { corridor_id });
        };
        loaded.forks.push(view.clone());
        if let Some(ack) = &halt {
            loaded.lifecycle = ack.to;
            // No subscriber is not an error: the event stream is optional.
            let _ = self.deps.lifecycle_events.send(LifecycleEvent {
                corridor_id,
                from: ack.from,
                to: ack.to,
                at: now,
            });
        }
        Ok(ForkAck { fork: view, halt })
    }

    /// Decides an open fork from watcher attestations and authority credentials (module docs)
    /// and records the decision; a decision that chooses no branch is recorded and the fork
    /// stays open.
    pub async fn resolve_fork(
        &mut self,
        fork_id: &str,
        attestations: Vec<WatcherAttestation>,
        authority_resolutions: Vec<Value>,
    ) -> Result<ForkResolutionAck, CorridorReject> {
        let corridor_id = self.corridor_id.clone();
        let view = self.fork_view(fork_id)?.clone();
        if view.status != ForkStatus::Open {
            return Err(CorridorReject::ForkDecided {
                corridor_id,
                fork_id: view.fork_id,
                status: view.status.name(),
            });
        }
        let decision = self
            .decide(&view, &attestations, &authority_resolutions)
            .await?;
        let (status, hold) = match decision.winner() {
            Some(winner) if winner == view.stored_next_root => (ForkStatus::StoredBranchWon, None),
            Some(_) => (
                ForkStatus::CompetingBranchWon,
                Some(ForkHold::CompetingBranchWon),
            ),
            None => {
                let reason = match decision.resolution {
                    Resolution::Halted { reason } => reason,
                    Resolution::Quorum { .. } | Resolution::Authority { .. } => {
                        HaltReason::NoQuorum
                    }
                };
                (ForkStatus::Open, Some(ForkHold::Undecided(reason)))
            }
        };
        let now = self.deps.clock.now();
        let resolution = fork_decision_credential(&decision, self.deps.zone_key.as_ref(), now)
            .map_err(|error| self.artifact("fork resolution", error.to_string()))?;
        let decision_json = decision.to_json();
        let evidence = evidence_json(&attestations, &authority_resolutions)
            .map_err(|reason| self.artifact("fork evidence", reason))?;
        let record = ForkDecisionRecord {
            decision: self.canonical(&decision_json, "fork decision")?,
            evidence: self.canonical(&evidence, "fork evidence")?,
            resolution: match &resolution {
                Some(credential) => Some(self.canonical(credential, "fork resolution")?),
                None => None,
            },
            decided_at_unix_ms: unix_ms(now),
        };
        let stored = self
            .deps
            .store
            .decide_fork(
                &corridor_id,
                &view.fork_id,
                ForkStatus::Open.name(),
                status.name(),
                &record,
            )
            .await;
        if let Err(error) = stored {
            return Err(self.lifecycle_write_refused(error));
        }
        let Some(loaded) = self.loaded.as_mut() else {
            return Err(CorridorReject::UnknownCorridor { corridor_id });
        };
        let Some(entry) = loaded.forks.iter_mut().find(|f| f.fork_id == view.fork_id) else {
            return Err(CorridorReject::UnknownFork {
                corridor_id,
                fork_id: view.fork_id,
            });
        };
        entry.status = status;
        entry.decision = Some(decision_json);
        entry.resolution = resolution;
        Ok(ForkResolutionAck {
            fork: entry.clone(),
            hold,
        })
    }

    /// HALTED → ACTIVE after fork `fork_id` was decided for the stored branch: the decision is
    /// recomputed from the stored evidence and must still choose the stored branch, and no
    /// other fork may be open or lost (checked again by [`Self::check_fork_resume`]).
    pub async fn resume_after_fork(
        &mut self,
        fork_id: &str,
    ) -> Result<TransitionAck, CorridorReject> {
        let view = self.fork_view(fork_id)?.clone();
        let not_won = |corridor_id| CorridorReject::ForkNotWon {
            corridor_id,
            fork_id: view.fork_id.clone(),
            status: view.status.name(),
        };
        if view.status != ForkStatus::StoredBranchWon {
            return Err(not_won(self.corridor_id.clone()));
        }
        let Some((attestations, authority_resolutions)) =
            self.stored_evidence(&view.fork_id).await?
        else {
            return Err(not_won(self.corridor_id.clone()));
        };
        let decision = self
            .decide(&view, &attestations, &authority_resolutions)
            .await?;
        self.transition(TransitionEvidence::ResumeAfterFork {
            decision: Box::new(decision),
        })
        .await
    }

    /// Every recorded fork, in (sequence, fork id) order.
    pub fn forks(&self) -> Result<Vec<ForkView>, CorridorReject> {
        Ok(self.loaded()?.forks.clone())
    }

    /// Refuses a resume whose decision is not one of this corridor's recorded forks decided
    /// for its stored branch, or while another fork is open or was lost.
    pub(super) fn check_fork_resume(&self, decision: &ForkDecision) -> Result<(), CorridorReject> {
        let corridor_id = self.corridor_id.clone();
        let loaded = self.loaded()?;
        let Some(view) = loaded.forks.iter().find(|view| view.fork == decision.fork) else {
            return Err(CorridorReject::ForkUnrecorded {
                corridor_id,
                sequence: decision.fork.height(),
            });
        };
        if view.status != ForkStatus::StoredBranchWon
            || decision.winner() != Some(view.stored_next_root)
        {
            return Err(CorridorReject::ForkNotWon {
                corridor_id,
                fork_id: view.fork_id.clone(),
                status: view.status.name(),
            });
        }
        match loaded.forks.iter().find(|other| {
            !matches!(
                other.status,
                ForkStatus::StoredBranchWon | ForkStatus::Resumed
            )
        }) {
            Some(other) => Err(CorridorReject::ForkNotWon {
                corridor_id,
                fork_id: other.fork_id.clone(),
                status: other.status.name(),
            }),
            None => Ok(()),
        }
    }

    /// Runs `resolve_fork` for `view` with the corridor's policy and the store's standings.
    async fn decide(
        &self,
        view: &ForkView,
        attestations: &[WatcherAttestation],
        authority_resolutions: &[Value],
    ) -> Result<ForkDecision, CorridorReject> {
        let corridor_id = self.corridor_id.clone();
        let rejected = |source| CorridorReject::ForkResolution {
            corridor_id: corridor_id.clone(),
            source: Box::new(source),
        };
        // Bounded before the store is asked about any watcher.
        if attestations.len() > FORK_ATTESTATIONS_MAX {
            return Err(rejected(ForkError::TooManyAttestations {
                count: attestations.len(),
            }));
        }
        let registry = self.watcher_registry(attestations).await?;
        let spec = &self.loaded()?.spec;
        let policy = ForkPolicy {
            quorum_threshold: spec.watcher_quorum,
            bond_minor_min: 1,
            authorities: spec.lifecycle.authorities.clone(),
            authority_threshold: AUTHORITY_THRESHOLD,
        };
        resolve_fork(
            &view.fork,
            attestations,
            &registry,
            &policy,
            authority_resolutions,
        )
        .map_err(rejected)
    }

    /// The standing of every attesting watcher, from the store: its registered state and the
    /// sum of its bonds in [`BOND_STATE_HELD`]. A did the store does not know, or a state that
    /// is not a SPEC §11 state, is left out (its attestations do not count).
    async fn watcher_registry(
        &self,
        attestations: &[WatcherAttestation],
    ) -> Result<WatcherRegistry, CorridorReject> {
        let dids: BTreeSet<DidKey> = attestations
            .iter()
            .map(WatcherAttestation::watcher)
            .collect();
        if dids.len() > WATCHERS_MAX {
            return Err(CorridorReject::TooLarge {
                what: "distinct attesting watchers",
                count: dids.len() as u64,
                limit: WATCHERS_MAX as u64,
            });
        }
        let store = &self.deps.store;
        let mut records = BTreeMap::new();
        for did in dids {
            let watcher = store
                .watcher_by_did(&did.to_string())
                .await
                .map_err(|error| unavailable(&self.corridor_id, &error))?;
            let Some(watcher) = watcher else { continue };
            let Some(status) = WatcherStatus::parse(&watcher.state) else {
                continue;
            };
            let bonds = store
                .bonds(&watcher.watcher_id)
                .await
                .map_err(|error| unavailable(&self.corridor_id, &error))?;
            let bond_minor = bonds
                .iter()
                .filter(|bond| bond.state == BOND_STATE_HELD)
                .map(|bond| u64::try_from(bond.amount_minor.max(0)).unwrap_or(u64::MAX))
                .fold(0_u64, u64::saturating_add);
            records.insert(did, WatcherRecord { status, bond_minor });
        }
        WatcherRegistry::from_records(records).map_err(|error| CorridorReject::Unavailable {
            corridor_id: self.corridor_id.clone(),
            reason: error.to_string(),
        })
    }

    /// The attestations and authority credentials a fork's last decision rested on.
    async fn stored_evidence(
        &mut self,
        fork_id: &str,
    ) -> Result<Option<(Vec<WatcherAttestation>, Vec<Value>)>, CorridorReject> {
        let records = self
            .deps
            .store
            .corridor_forks(&self.corridor_id)
            .await
            .map_err(|error| unavailable(&self.corridor_id, &error))?;
        let Some(decided) = records
            .into_iter()
            .find(|record| record.fork_id == fork_id)
            .and_then(|record| record.decision)
        else {
            return Ok(None);
        };
        match parse_evidence(&decided.evidence) {
            Ok(evidence) => Ok(Some(evidence)),
            Err(reason) => Err(self.fail(CoreFailure::Fork {
                corridor_id: self.corridor_id.clone(),
                fork_id: fork_id.to_owned(),
                reason,
            })),
        }
    }

    /// The chain as it stood before `sequence`, rebuilt from the journal's receipts below it
    /// (`journal` holds receipts 0 to `sequence`).
    fn chain_before(
        &mut self,
        journal: &[StoredReceipt],
        sequence: u64,
    ) -> Result<ReceiptChain, CorridorReject> {
        let loaded = self.loaded()?;
        let genesis_root = loaded.ledger.chain().genesis_root();
        let spec = &loaded.spec;
        let below = journal
            .get(..journal.len().saturating_sub(1))
            .unwrap_or(&[]);
        let mut peaks = MmrPeaks::new();
        let rebuilt = below
            .iter()
            .try_for_each(|row| peaks.append(&row.next_root).map(drop))
            .map_err(|error| error.to_string())
            .and_then(|()| {
                let parts = match below.last() {
                    None => ChainParts {
                        corridor_id: self.corridor_id.clone(),
                        genesis_root,
                        head: genesis_root,
                        height: 0,
                        mmr: peaks.clone(),
                        last_timestamp: None,
                        lawpack_digest_set: spec.genesis.lawpack_digest_set.clone(),
                        ruleset_digest_set: spec.genesis.ruleset_digest_set.clone(),
                        policy: spec.policy.clone(),
                    },
                    Some(row) => {
                        let previous = parse_receipt(&row.receipt)?.document;
                        ChainParts {
                            corridor_id: self.corridor_id.clone(),
                            genesis_root,
                            head: previous.next_root,
                            height: peaks.size(),
                            mmr: peaks.clone(),
                            last_timestamp: Some(previous.timestamp),
                            lawpack_digest_set: previous.lawpack_digest_set,
                            ruleset_digest_set: previous.ruleset_digest_set,
                            policy: spec.policy.clone(),
                        }
                    }
                };
                ReceiptChain::from_parts(parts).map_err(|error| error.to_string())
            });
        match rebuilt {
            Ok(rebuilt) if rebuilt.height() == sequence => Ok(rebuilt),
            Ok(rebuilt) => Err(self.diverged(
                sequence,
                &format!("the journal holds {} receipts below it", rebuilt.height()),
            )),
            Err(reason) => Err(self.diverged(sequence, &reason)),
        }
    }

    /// The journal disagrees with the chain the actor holds: a broken invariant.
    fn diverged(&mut self, sequence: u64, reason: &str) -> CorridorReject {
        self.fail(CoreFailure::Diverged {
            corridor_id: self.corridor_id.clone(),
            sequence,
            refusal: reason.to_owned(),
        })
    }

    fn fork_view(&self, fork_id: &str) -> Result<&ForkView, CorridorReject> {
        self.loaded()?
            .forks
            .iter()
            .find(|view| view.fork_id == fork_id)
            .ok_or_else(|| CorridorReject::UnknownFork {
                corridor_id: self.corridor_id.clone(),
                fork_id: fork_id.to_owned(),
            })
    }

    fn receipt_value(&mut self, receipt: &SignedReceipt) -> Result<Value, CorridorReject> {
        receipt
            .to_value()
            .map_err(|error| self.artifact("receipt bytes", error.to_string()))
    }

    fn canonical(
        &mut self,
        value: &Value,
        artifact: &'static str,
    ) -> Result<CanonicalBytes, CorridorReject> {
        CanonicalBytes::new(value).map_err(|error| self.artifact(artifact, error.to_string()))
    }

    /// One of our own artifacts could not be built: a broken invariant, so the actor restarts.
    fn artifact(&mut self, artifact: &'static str, reason: String) -> CorridorReject {
        self.fail(CoreFailure::Artifact {
            corridor_id: self.corridor_id.clone(),
            artifact,
            reason,
        })
    }
}

/// After a resume: every fork won by the stored branch has spent its decision.
pub(super) fn mark_resumed(forks: &mut [ForkView]) {
    for view in forks
        .iter_mut()
        .filter(|view| view.status == ForkStatus::StoredBranchWon)
    {
        view.status = ForkStatus::Resumed;
    }
}

/// A stored fork back to its view; `Err` names what does not read back.
pub(super) fn view_of_record(record: &ForkRecord) -> Result<ForkView, String> {
    let parse = |bytes: &CanonicalBytes| {
        msez_protocol::canonical::parse(bytes.as_bytes()).map_err(|error| error.to_string())
    };
    let stored = parse_receipt(&record.stored_receipt)?;
    let competing = parse_receipt(&record.competing_receipt)?;
    let fork = detect_fork(
        &ReceiptHeader::of(&stored.document),
        &ReceiptHeader::of(&competing.document),
    )
    .map_err(|error| error.to_string())?;
    if fork_id_of(&record.corridor_id, record.sequence, &competing) != record.fork_id {
        return Err("the fork id does not match its receipts".to_owned());
    }
    let status = ForkStatus::parse(&record.status)
        .ok_or_else(|| format!("unknown fork status {:?}", record.status))?;
    let (decision, resolution) = match &record.decision {
        Some(decided) => (
            Some(parse(&decided.decision)?),
            decided.resolution.as_ref().map(parse).transpose()?,
        ),
        None => (None, None),
    };
    Ok(ForkView {
        fork_id: record.fork_id.clone(),
        fork,
        stored_next_root: stored.document.next_root,
        competing_next_root: competing.document.next_root,
        status,
        stored_receipt: parse(&record.stored_receipt)?,
        competing_receipt: parse(&record.competing_receipt)?,
        alarm: parse(&record.alarm)?,
        detected_at_unix_ms: record.detected_at_unix_ms,
        decision,
        resolution,
    })
}

/// The fork id: the hex digest of the canonical `{"tag":"msez.corridor.fork.v1",
/// "corridor_id","sequence","competing_next_root"}`. The stored receipt at a sequence is fixed,
/// so the competing root names the fork.
fn fork_id_of(
    corridor_id: &msez_protocol::ids::CorridorId,
    sequence: u64,
    competing: &SignedReceipt,
) -> String {
    let object = json!({
        "tag": "msez.corridor.fork.v1",
        "corridor_id": corridor_id.as_str(),
        "sequence": sequence,
        "competing_next_root": competing.document.next_root.to_hex(),
    });
    // A string, an integer below 2^53 for any stored sequence, and hex: always canonical.
    CanonicalBytes::new(&object)
        .map(|bytes| bytes.digest().to_hex())
        .unwrap_or_default()
}

/// `{attestations:[secured], authority_resolutions:[credential]}`, as stored with a decision.
fn evidence_json(
    attestations: &[WatcherAttestation],
    authority_resolutions: &[Value],
) -> Result<Value, String> {
    let attestations = attestations
        .iter()
        .map(WatcherAttestation::to_json)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| error.to_string())?;
    Ok(json!({
        "attestations": attestations,
        "authority_resolutions": authority_resolutions,
    }))
}

/// The inverse of [`evidence_json`].
fn parse_evidence(bytes: &CanonicalBytes) -> Result<(Vec<WatcherAttestation>, Vec<Value>), String> {
    let value = msez_protocol::canonical::parse(bytes.as_bytes()).map_err(|e| e.to_string())?;
    let list = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_array)
            .cloned()
            .ok_or_else(|| format!("stored evidence lacks {name}"))
    };
    let attestations = list("attestations")?
        .iter()
        .map(WatcherAttestation::from_json)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| error.to_string())?;
    Ok((attestations, list("authority_resolutions")?))
}

fn unix_ms(at: Timestamp) -> i64 {
    at.unix_seconds().saturating_mul(1_000)
}
