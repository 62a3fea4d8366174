//! The two ways a corridor request can go wrong: a typed rejection sent back to the caller
//! ([`CorridorReject`]), or a failure of the actor itself ([`CoreFailure`]) that makes the
//! supervisor restart it from durable state.
//!
//! Never: turns caller input into a [`CoreFailure`] (bad input is never an invariant), or shows
//! a storage cause as anything but [`CorridorReject::Unavailable`].

use msez_persistence::journal::AppendError as JournalRefusal;
use msez_protocol::chain::AppendError;
use msez_protocol::corridor::agreement::AgreementError;
use msez_protocol::corridor::fork::ForkError;
use msez_protocol::corridor::lifecycle::LifecycleError;
use msez_protocol::corridor::state::{SnapshotError, StepError};
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::vc::subjects::CorridorLifecycleState;

use super::spec::SpecError;

/// Why a corridor request was refused. Each variant maps to one HTTP status (noted per variant).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CorridorReject {
    /// No such corridor (404).
    #[error("corridor {corridor_id} does not exist")]
    UnknownCorridor {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// A corridor with this id exists already (409).
    #[error("corridor {corridor_id} already exists")]
    AlreadyExists {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// The create request is not a corridor (422).
    #[error("corridor {corridor_id} cannot be created: {source}")]
    InvalidSpec {
        /// The corridor.
        corridor_id: CorridorId,
        /// Why.
        source: SpecError,
    },
    /// The agreement does not complete: a definition credential or agreement credential is
    /// invalid, a party objects, or a rule is unmet, at creation or again at activation (422).
    #[error("corridor {corridor_id}: {source}")]
    Agreement {
        /// The corridor.
        corridor_id: CorridorId,
        /// The rule that failed.
        source: AgreementError,
    },
    /// Receipts are accepted only while ACTIVE; DRAFT and PENDING corridors are not yet (409).
    #[error("corridor {corridor_id} is {state:?} and does not accept receipts yet")]
    NotActive {
        /// The corridor.
        corridor_id: CorridorId,
        /// Its state.
        state: CorridorLifecycleState,
    },
    /// Suspended by an authority (409).
    #[error("corridor {corridor_id} is suspended")]
    Suspended {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// Halted by a fork alarm or an authority (409).
    #[error("corridor {corridor_id} is halted")]
    Halted {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// Retired for good (410).
    #[error("corridor {corridor_id} is deprecated")]
    Deprecated {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// The receipt breaks a SPEC §5 rule or books a bad or repeated obligation (422; a
    /// sequence that is not the height, including a duplicate, is 409).
    #[error(transparent)]
    Rejected(#[from] StepError),
    /// The journal refused the receipt as too large (413).
    #[error("journal refused the receipt: {0}")]
    Journal(JournalRefusal),
    /// The journal already holds a different receipt at this sequence (409).
    #[error("corridor {corridor_id} sequence {sequence} already holds another receipt")]
    Conflict {
        /// The corridor.
        corridor_id: CorridorId,
        /// The contested sequence.
        sequence: u64,
    },
    /// This node's lease on the corridor's shard was taken over (503: another node owns it).
    #[error("corridor {corridor_id}: this node's lease on shard {shard} was fenced")]
    Fenced {
        /// The corridor.
        corridor_id: CorridorId,
        /// Its shard.
        shard: u32,
    },
    /// Another node holds the lease on the corridor's shard (503; route to `owner`).
    #[error("corridor {corridor_id}: shard {shard} is leased to {owner}")]
    LeaseHeld {
        /// The corridor.
        corridor_id: CorridorId,
        /// Its shard.
        shard: u32,
        /// The holder.
        owner: String,
    },
    /// The lifecycle transition is illegal or its evidence fails (409 / 422).
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// The stored lifecycle state moved on while the transition was decided (409, retry).
    #[error(
        "corridor {corridor_id} lifecycle changed concurrently: expected {expected}, found {current}"
    )]
    LifecycleRaced {
        /// The corridor.
        corridor_id: CorridorId,
        /// The state the actor held.
        expected: String,
        /// The stored state.
        current: String,
    },
    /// No receipt with this sequence (404).
    #[error("corridor {corridor_id} has {height} receipts; sequence {sequence} does not exist")]
    SequenceOutOfRange {
        /// The corridor.
        corridor_id: CorridorId,
        /// The sequence asked for.
        sequence: u64,
        /// The chain height.
        height: u64,
    },
    /// A page or export larger than the named bound (400 / 413).
    #[error("{what} of {count} exceeds the limit of {limit}")]
    TooLarge {
        /// What was too large (`receipts limit`, `export`).
        what: &'static str,
        /// The size asked for.
        count: u64,
        /// The bound.
        limit: u64,
    },
    /// Fork evidence names a sequence the corridor does not hold yet (422 naming `/sequence`).
    #[error(
        "corridor {corridor_id} has {height} receipts; fork evidence at sequence {sequence} has nothing to fork from"
    )]
    ForkSequenceUnknown {
        /// The corridor.
        corridor_id: CorridorId,
        /// The evidence's sequence.
        sequence: u64,
        /// The chain height.
        height: u64,
    },
    /// Fork evidence is the very receipt the corridor holds (422 naming `/next_root`).
    #[error("corridor {corridor_id} holds this receipt at sequence {sequence}: it is not a fork")]
    ForkIdentical {
        /// The corridor.
        corridor_id: CorridorId,
        /// The sequence.
        sequence: u64,
    },
    /// This competing receipt is already recorded as fork `fork_id` (409).
    #[error("corridor {corridor_id} already recorded this competing receipt as fork {fork_id}")]
    ForkRecorded {
        /// The corridor.
        corridor_id: CorridorId,
        /// The recorded fork.
        fork_id: String,
    },
    /// The competing receipt fails a SPEC §5 check at its sequence (422 naming the member).
    #[error("corridor {corridor_id}: fork evidence refused: {source}")]
    ForkEvidence {
        /// The corridor.
        corridor_id: CorridorId,
        /// The rule it breaks (boxed: it would double this enum's size).
        source: Box<AppendError>,
    },
    /// The fork cannot be detected or resolved from this evidence (422 naming the member).
    #[error("corridor {corridor_id}: {source}")]
    ForkResolution {
        /// The corridor.
        corridor_id: CorridorId,
        /// Why (boxed: it would double this enum's size).
        source: Box<ForkError>,
    },
    /// No recorded fork has this id (404).
    #[error("corridor {corridor_id} has no fork {fork_id}")]
    UnknownFork {
        /// The corridor.
        corridor_id: CorridorId,
        /// The fork asked for.
        fork_id: String,
    },
    /// A fork decision names a fork this corridor never recorded (422).
    #[error("corridor {corridor_id} recorded no fork at sequence {sequence} with these roots")]
    ForkUnrecorded {
        /// The corridor.
        corridor_id: CorridorId,
        /// The decision's height.
        sequence: u64,
    },
    /// The fork was already decided (409).
    #[error("corridor {corridor_id} fork {fork_id} is already decided: {status}")]
    ForkDecided {
        /// The corridor.
        corridor_id: CorridorId,
        /// The fork.
        fork_id: String,
        /// Its status.
        status: &'static str,
    },
    /// A resume needs every fork decided for the stored branch; this one is not (409). A fork
    /// whose competing branch won keeps the corridor halted for good: replacing an
    /// acknowledged chain suffix is not supported.
    #[error("corridor {corridor_id} stays halted: fork {fork_id} is {status}")]
    ForkNotWon {
        /// The corridor.
        corridor_id: CorridorId,
        /// The fork that blocks the resume.
        fork_id: String,
        /// Its status.
        status: &'static str,
    },
    /// Too many requests are waiting (503 with Retry-After).
    #[error("corridor {corridor_id} is overloaded; retry after {retry_after_ms} ms")]
    Overloaded {
        /// The corridor.
        corridor_id: CorridorId,
        /// When to retry.
        retry_after_ms: u64,
    },
    /// Storage or the actor is failing; the cause is logged, not shown (503).
    #[error("corridor {corridor_id} is unavailable: {reason}")]
    Unavailable {
        /// The corridor.
        corridor_id: CorridorId,
        /// The cause, for logs only.
        reason: String,
    },
}

/// Why a corridor actor must stop and be restarted from durable state.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoreFailure {
    /// The store failed; the actor's memory may be behind the journal.
    #[error("corridor {corridor_id}: storage failed during {operation}: {reason}")]
    Storage {
        /// The corridor.
        corridor_id: CorridorId,
        /// What was being done.
        operation: &'static str,
        /// The store's message.
        reason: String,
    },
    /// The store fenced a write: another holder took the shard.
    #[error("corridor {corridor_id}: write at sequence {sequence} fenced (shard {shard})")]
    Fenced {
        /// The corridor.
        corridor_id: CorridorId,
        /// Its shard.
        shard: u32,
        /// The refused sequence.
        sequence: u64,
    },
    /// The journal disagrees with the actor's state (a conflict, gap or snapshot refusal).
    #[error(
        "corridor {corridor_id}: journal diverged from memory at sequence {sequence}: {refusal}"
    )]
    Diverged {
        /// The corridor.
        corridor_id: CorridorId,
        /// The sequence.
        sequence: u64,
        /// The journal's answer.
        refusal: String,
    },
    /// The stored record does not read back as a corridor.
    #[error("corridor {corridor_id}: stored record: {source}")]
    Record {
        /// The corridor.
        corridor_id: CorridorId,
        /// Why.
        source: SpecError,
    },
    /// The stored snapshot does not decode, or disagrees with the corridor.
    #[error("corridor {corridor_id}: snapshot: {reason}")]
    Snapshot {
        /// The corridor.
        corridor_id: CorridorId,
        /// Why.
        reason: String,
    },
    /// A journal receipt does not replay onto the state before it.
    #[error("corridor {corridor_id}: replay of sequence {sequence}: {reason}")]
    Replay {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt.
        sequence: u64,
        /// Why.
        reason: String,
    },
    /// The MMR rebuilt from the journal does not have the root the ledger holds.
    #[error(
        "corridor {corridor_id}: journal MMR root {journal_root:?} differs from ledger {ledger_root:?}"
    )]
    MmrMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// Root over the journal's next_roots.
        journal_root: Option<Digest>,
        /// Root the ledger holds.
        ledger_root: Option<Digest>,
    },
    /// No lease could be had for the corridor's shard while hydrating.
    #[error("corridor {corridor_id}: no lease on shard {shard}: {reason}")]
    Lease {
        /// The corridor.
        corridor_id: CorridorId,
        /// Its shard.
        shard: u32,
        /// Why.
        reason: String,
    },
    /// A stored fork does not read back (its receipts, id, status or documents).
    #[error("corridor {corridor_id}: stored fork {fork_id}: {reason}")]
    Fork {
        /// The corridor.
        corridor_id: CorridorId,
        /// The fork.
        fork_id: String,
        /// Why.
        reason: String,
    },
    /// Signing or encoding one of our own artifacts failed (a checkpoint, a snapshot).
    #[error("corridor {corridor_id}: cannot build {artifact}: {reason}")]
    Artifact {
        /// The corridor.
        corridor_id: CorridorId,
        /// Which artifact.
        artifact: &'static str,
        /// Why.
        reason: String,
    },
}

impl From<(CorridorId, SnapshotError)> for CoreFailure {
    fn from((corridor_id, source): (CorridorId, SnapshotError)) -> Self {
        Self::Snapshot {
            corridor_id,
            reason: source.to_string(),
        }
    }
}
