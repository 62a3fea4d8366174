//! Corridor forks (SPEC §8): both receipts, the zone's fork alarm, the status and the latest
//! decision of each fork a corridor actor recorded.
//!
//! Owns [`ForkRecord`], [`ForkDecisionRecord`], [`StateChange`], [`FORKS_PER_CORRIDOR_MAX`] and
//! the `record_fork`, `decide_fork`, `resume_after_forks` and `corridor_forks` methods of [`Store`].
//!
//! A fork row is written together with the lifecycle transition it causes (ACTIVE → HALTED on
//! detection; HALTED → ACTIVE on a decision for the stored branch, which spends the decisions
//! it rests on) in one transaction, so a fork is never recorded without its halt, nor a
//! corridor resumed without spending its decisions. Both receipts
//! stay in the row for good: the losing branch is evidence, never dropped.
//!
//! Never: decides whether two receipts fork or which branch wins (that is
//! `protocol::corridor::fork`), deletes a fork, or returns a document it could not verify as
//! canonical.

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::CorridorId;

use crate::corridors::{CorridorError, LifecycleTransition, apply_transition};
use crate::error::{StoreError, db};
use crate::records::canonical_document;
use crate::store::{Store, from_db_integer, to_db_integer};

/// The most forks one corridor records. Every fork halts the corridor and waits for a decision,
/// so a corridor with 64 open forks is already a matter for its authorities; the bound keeps a
/// hydration's and a listing's read to a few megabytes (two receipts and an alarm each).
pub const FORKS_PER_CORRIDOR_MAX: u64 = 64;

/// One recorded fork.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkRecord {
    /// The fork's id (deterministic from the corridor, sequence and both roots).
    pub fork_id: String,
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The contested sequence.
    pub sequence: u64,
    /// The receipt the corridor's journal holds at `sequence`.
    pub stored_receipt: CanonicalBytes,
    /// The competing receipt the evidence brought.
    pub competing_receipt: CanonicalBytes,
    /// The zone's `MSEZForkAlarmCredential`.
    pub alarm: CanonicalBytes,
    /// When the fork was recorded (Unix ms, caller's clock).
    pub detected_at_unix_ms: i64,
    /// The status (`open`, `stored_branch_won`, `competing_branch_won`, `resumed`; the
    /// actor's names).
    pub status: String,
    /// The latest decision, if one was made.
    pub decision: Option<ForkDecisionRecord>,
}

/// A fork's latest decision and what it rested on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkDecisionRecord {
    /// The decision (`protocol::corridor::fork::ForkDecision::to_json`).
    pub decision: CanonicalBytes,
    /// The evidence it was decided from (`{attestations, authority_resolutions}`).
    pub evidence: CanonicalBytes,
    /// The zone's `MSEZForkResolutionCredential`, when a branch won.
    pub resolution: Option<CanonicalBytes>,
    /// When it was decided (Unix ms, caller's clock).
    pub decided_at_unix_ms: i64,
}

/// A corridor lifecycle change applied in the same transaction as a fork write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateChange<'a> {
    /// The state the caller saw.
    pub from_state: &'a str,
    /// The state after.
    pub to_state: &'a str,
}

impl Store {
    /// Records a new fork and, with `halt`, applies that corridor transition in the same
    /// transaction (refused with [`CorridorError::StateChanged`] when the state moved on; then
    /// nothing is written). The unique key refuses the same competing receipt twice.
    pub async fn record_fork(
        &self,
        record: &ForkRecord,
        halt: Option<StateChange<'_>>,
    ) -> Result<Option<LifecycleTransition>, CorridorError> {
        let sequence = to_db_integer("sequence", record.sequence)?;
        with_write_tx!(self, |tx, _dialect| {
            let transition = match halt {
                Some(change) => Some(apply_transition!(
                    tx,
                    &record.corridor_id,
                    change.from_state,
                    change.to_state,
                    record.detected_at_unix_ms
                )?),
                None => None,
            };
            sqlx::query(
                "INSERT INTO corridor_forks (fork_id, corridor_id, sequence, stored_receipt, \
                 competing_receipt, alarm, detected_at_unix_ms, status) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&record.fork_id)
            .bind(record.corridor_id.as_str())
            .bind(sequence)
            .bind(record.stored_receipt.as_bytes())
            .bind(record.competing_receipt.as_bytes())
            .bind(record.alarm.as_bytes())
            .bind(record.detected_at_unix_ms)
            .bind(&record.status)
            .execute(&mut *tx)
            .await
            .map_err(db("insert corridor fork"))?;
            Ok(transition)
        })
    }

    /// Stores a fork's decision and moves its status from `from_status` to `to_status`. A
    /// status that moved on is [`CorridorError::ForkStatusChanged`]; nothing is written then.
    pub async fn decide_fork(
        &self,
        corridor_id: &CorridorId,
        fork_id: &str,
        from_status: &str,
        to_status: &str,
        decision: &ForkDecisionRecord,
    ) -> Result<(), CorridorError> {
        with_write_tx!(self, |tx, _dialect| {
            let updated = sqlx::query(
                "UPDATE corridor_forks SET status = $4, decision = $5, evidence = $6, \
                 resolution = $7, decided_at_unix_ms = $8 \
                 WHERE corridor_id = $1 AND fork_id = $2 AND status = $3",
            )
            .bind(corridor_id.as_str())
            .bind(fork_id)
            .bind(from_status)
            .bind(to_status)
            .bind(decision.decision.as_bytes())
            .bind(decision.evidence.as_bytes())
            .bind(decision.resolution.as_ref().map(CanonicalBytes::as_bytes))
            .bind(decision.decided_at_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("update corridor fork"))?
            .rows_affected();
            if updated != 1 {
                return Err(CorridorError::ForkStatusChanged {
                    corridor_id: corridor_id.clone(),
                    fork_id: fork_id.to_owned(),
                    expected_status: from_status.to_owned(),
                });
            }
        });
        Ok(())
    }

    /// Applies a corridor transition (HALTED → ACTIVE after forks) and moves every fork of the
    /// corridor in `from_status` to `to_status`, in one transaction: the decisions that allowed
    /// this resume cannot allow another.
    pub async fn resume_after_forks(
        &self,
        corridor_id: &CorridorId,
        resume: StateChange<'_>,
        at_unix_ms: i64,
        from_status: &str,
        to_status: &str,
    ) -> Result<LifecycleTransition, CorridorError> {
        with_write_tx!(self, |tx, _dialect| {
            let transition = apply_transition!(
                tx,
                corridor_id,
                resume.from_state,
                resume.to_state,
                at_unix_ms
            )?;
            sqlx::query(
                "UPDATE corridor_forks SET status = $3 WHERE corridor_id = $1 AND status = $2",
            )
            .bind(corridor_id.as_str())
            .bind(from_status)
            .bind(to_status)
            .execute(&mut *tx)
            .await
            .map_err(db("update corridor fork status"))?;
            Ok(transition)
        })
    }

    /// The corridor's forks in (sequence, fork id) order, at most [`FORKS_PER_CORRIDOR_MAX`].
    pub async fn corridor_forks(
        &self,
        corridor_id: &CorridorId,
    ) -> Result<Vec<ForkRecord>, StoreError> {
        let limit = to_db_integer("fork limit", FORKS_PER_CORRIDOR_MAX)?;
        let rows: Vec<ForkRow> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT fork_id, sequence, stored_receipt, competing_receipt, alarm, \
                 detected_at_unix_ms, status, decision, evidence, resolution, decided_at_unix_ms \
                 FROM corridor_forks WHERE corridor_id = $1 ORDER BY sequence, fork_id LIMIT $2",
            )
            .bind(corridor_id.as_str())
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("read corridor forks"))?
        });
        rows.into_iter()
            .map(|row| fork_record(corridor_id, row))
            .collect()
    }
}

/// A `corridor_forks` row as read: id, sequence, both receipts, alarm, detection time, status,
/// then the decision's columns (all present or all absent).
type ForkRow = (
    String,
    i64,
    Vec<u8>,
    Vec<u8>,
    Vec<u8>,
    i64,
    String,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    Option<i64>,
);

/// One row back to a record, every document checked to be canonical.
fn fork_record(
    corridor_id: &CorridorId,
    (
        fork_id,
        sequence,
        stored_receipt,
        competing_receipt,
        alarm,
        detected_at_unix_ms,
        status,
        decision,
        evidence,
        resolution,
        decided_at_unix_ms,
    ): ForkRow,
) -> Result<ForkRecord, StoreError> {
    let document = |bytes: &[u8]| canonical_document("corridor_forks", &fork_id, bytes);
    let decision = match (decision, evidence, decided_at_unix_ms) {
        (Some(decision), Some(evidence), Some(decided_at_unix_ms)) => Some(ForkDecisionRecord {
            decision: document(&decision)?,
            evidence: document(&evidence)?,
            resolution: resolution.as_deref().map(document).transpose()?,
            decided_at_unix_ms,
        }),
        _ => None,
    };
    Ok(ForkRecord {
        sequence: from_db_integer("sequence", sequence)?,
        stored_receipt: document(&stored_receipt)?,
        competing_receipt: document(&competing_receipt)?,
        alarm: document(&alarm)?,
        corridor_id: corridor_id.clone(),
        detected_at_unix_ms,
        status,
        decision,
        fork_id,
    })
}
