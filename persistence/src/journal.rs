//! The receipt journal and corridor snapshots.
//!
//! Owns [`ReceiptRecord`], [`SnapshotRecord`], [`AppendRequest`], [`Appended`],
//! [`AppendError`], [`StoredReceipt`], [`LoadedCorridor`], and the `append_batch`, `load` and
//! `receipts` methods of [`Store`].
//!
//! A journal row is `(corridor_id, sequence, next_root, epoch, receipt bytes)` with primary key
//! `(corridor_id, sequence)`; rows are immutable. One `append_batch` call is one transaction:
//! it reads the leases of every shard in the batch (Postgres locks them `FOR SHARE`, so a
//! concurrent grant waits for this commit) and the journal rows the batch touches, decides
//! every item with the pure `plan_batch`, then inserts only the accepted items. The SQL of
//! each backend lives in its own submodule (`postgres`: fixed `UNNEST` statements, one per
//! step; `sqlite`: multi-row statements from a fixed ladder of sizes). A fenced,
//! conflicting or gapped item is answered with its own [`AppendError`] and its batch-mates
//! commit; nothing is decided by catching a constraint violation, so no savepoints are needed.
//!
//! Snapshots are opaque bytes (the corridor actor defines them): the store records their
//! digest (`SHA-256("msez.persistence.snapshot.v1" || 0x00 || state)`) and the head root they
//! follow, and checks both at load. An append whose `sequence + 1` is a multiple of the store's
//! `snapshot_interval_receipts` must carry a snapshot, which bounds every reload's tail.
//!
//! Never: returns a receipt or snapshot it did not verify at load (sequence contiguity, canonical
//! bytes, the receipt's own corridor and sequence, its recomputed `next_root`, the `prev_root`
//! link to the row before, the snapshot's digest and head root), or writes without checking the fencing epoch in the
//! same transaction.

use std::collections::{HashMap, HashSet};

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::{Digest, DomainTag};
use msez_protocol::ids::CorridorId;
use msez_protocol::receipt::Receipt;

use crate::error::{StoreError, db, digest_column};
use crate::store::{Backend, Store, check_page, from_db_integer, to_db_integer};

/// Domain tag of a snapshot's digest.
pub const SNAPSHOT_HASH_TAG: DomainTag = DomainTag::new("msez.persistence.snapshot.v1");

/// The largest receipt accepted, in canonical bytes. A receipt carries two digest sets, a few
/// proofs and a transition payload; 256 KiB holds a large settlement payload with room to spare
/// while bounding the memory of one group commit batch.
pub const RECEIPT_BYTES_MAX: usize = 256 * 1024;

/// The largest snapshot accepted, in bytes. A corridor snapshot holds its head, MMR peaks,
/// lifecycle, netting book and fork state; 16 MiB bounds a reload's memory and time.
pub const SNAPSHOT_BYTES_MAX: usize = 16 * 1024 * 1024;

/// The most items one `append_batch` transaction may carry. Each item holds at most
/// [`RECEIPT_BYTES_MAX`]; 8,192 items keep one transaction's statements bounded and match the
/// largest group commit batch.
pub const APPEND_BATCH_ITEMS_MAX: usize = 8_192;

/// The most receipts one `receipts` call returns. 4,096 receipts of typical size (~1 KiB) are
/// a few megabytes, enough for a peer's catch-up page and for the corridor actor's replay
/// pages, while a caller cannot ask for a whole journal at once.
pub const RECEIPTS_PAGE_MAX: u64 = 4_096;

/// One receipt as the journal stores it. `receipt` is the receipt's canonical bytes and
/// `next_root` its SPEC §5 root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRecord {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// 0 for the first receipt, then +1.
    pub sequence: u64,
    /// The receipt's `next_root`.
    pub next_root: Digest,
    /// The canonical receipt.
    pub receipt: CanonicalBytes,
}

/// The corridor's state after its first `receipt_count` receipts, opaque to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRecord {
    /// Receipts the state covers; the last is sequence `receipt_count - 1`.
    pub receipt_count: u64,
    /// The `next_root` of receipt `receipt_count - 1`.
    pub head_root: Digest,
    /// The state's bytes.
    pub state: Vec<u8>,
}

/// One append: a receipt, the writer's fencing epoch, and the snapshot that follows it if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendRequest {
    /// The receipt.
    pub receipt: ReceiptRecord,
    /// The writer's lease epoch for the corridor's shard.
    pub epoch: u64,
    /// The state after this receipt; required when `sequence + 1` is a multiple of the
    /// snapshot interval.
    pub snapshot: Option<SnapshotRecord>,
}

/// What happened to an accepted append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// The receipt is now in the journal.
    Inserted,
    /// The same receipt (same `next_root`) was already there; nothing was written.
    AlreadyPresent,
}

/// Why one append was refused; nothing of it was written, and its batch-mates are unaffected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The writer's epoch is not the shard's current epoch.
    #[error(
        "append of corridor {corridor_id} sequence {sequence} fenced: writer epoch {writer_epoch}, shard {shard} epoch {current_epoch:?}"
    )]
    Fenced {
        /// The corridor.
        corridor_id: CorridorId,
        /// The refused sequence.
        sequence: u64,
        /// The corridor's shard.
        shard: u32,
        /// The epoch the writer carried.
        writer_epoch: u64,
        /// The shard's epoch (`None`: the shard was never leased).
        current_epoch: Option<u64>,
    },
    /// A different receipt already holds this sequence.
    #[error(
        "corridor {corridor_id} sequence {sequence} already holds next_root {stored_next_root}, offered {offered_next_root}"
    )]
    Conflict {
        /// The corridor.
        corridor_id: CorridorId,
        /// The contested sequence.
        sequence: u64,
        /// The root in the journal.
        stored_next_root: Digest,
        /// The root offered.
        offered_next_root: Digest,
    },
    /// The previous sequence is not in the journal (nor earlier in the batch).
    #[error("corridor {corridor_id} sequence {sequence} does not follow the journal: sequence {missing_sequence} is absent", missing_sequence = sequence - 1)]
    Gap {
        /// The corridor.
        corridor_id: CorridorId,
        /// The refused sequence.
        sequence: u64,
    },
    /// The previous sequence was refused earlier in the same batch.
    #[error(
        "corridor {corridor_id} sequence {sequence} refused because its predecessor in the batch was refused"
    )]
    PredecessorRefused {
        /// The corridor.
        corridor_id: CorridorId,
        /// The refused sequence.
        sequence: u64,
    },
    /// The append completes a snapshot interval but carries no snapshot.
    #[error(
        "corridor {corridor_id} sequence {sequence} completes a snapshot interval of {interval_receipts} receipts and needs a snapshot"
    )]
    SnapshotMissing {
        /// The corridor.
        corridor_id: CorridorId,
        /// The refused sequence.
        sequence: u64,
        /// The store's snapshot interval.
        interval_receipts: u64,
    },
    /// The snapshot does not describe the state right after this receipt.
    #[error("corridor {corridor_id} sequence {sequence}: snapshot covers {receipt_count} receipts with head {head_root}, expected {expected_count} and the receipt's next_root", expected_count = sequence + 1)]
    SnapshotMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// The refused sequence.
        sequence: u64,
        /// Receipts the snapshot claims to cover.
        receipt_count: u64,
        /// The snapshot's head root.
        head_root: Digest,
    },
    /// The receipt exceeds [`RECEIPT_BYTES_MAX`].
    #[error(
        "receipt of corridor {corridor_id} sequence {sequence} is {length_bytes} bytes; the limit is {RECEIPT_BYTES_MAX}"
    )]
    ReceiptTooLarge {
        /// The corridor.
        corridor_id: CorridorId,
        /// The refused sequence.
        sequence: u64,
        /// Its size.
        length_bytes: usize,
    },
    /// The snapshot exceeds [`SNAPSHOT_BYTES_MAX`].
    #[error(
        "snapshot of corridor {corridor_id} at sequence {sequence} is {length_bytes} bytes; the limit is {SNAPSHOT_BYTES_MAX}"
    )]
    SnapshotTooLarge {
        /// The corridor.
        corridor_id: CorridorId,
        /// The refused sequence.
        sequence: u64,
        /// Its size.
        length_bytes: usize,
    },
}

/// A verified journal row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReceipt {
    /// Its sequence.
    pub sequence: u64,
    /// Its `next_root`.
    pub next_root: Digest,
    /// The epoch of the writer that appended it.
    pub epoch: u64,
    /// The canonical receipt.
    pub receipt: CanonicalBytes,
}

/// A verified snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedSnapshot {
    /// Receipts it covers.
    pub receipt_count: u64,
    /// The `next_root` of its last covered receipt.
    pub head_root: Digest,
    /// Its bytes, whose digest was checked.
    pub state: Vec<u8>,
}

/// What recovery needs: the latest snapshot and the receipts after it, all verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedCorridor {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The latest snapshot, if one was written.
    pub snapshot: Option<LoadedSnapshot>,
    /// Receipts after the snapshot (all receipts without one), in sequence order.
    pub tail: Vec<StoredReceipt>,
}

impl LoadedCorridor {
    /// The corridor's height: receipts in the journal.
    pub fn receipt_count(&self) -> u64 {
        let snapshot_count = self.snapshot.as_ref().map_or(0, |s| s.receipt_count);
        snapshot_count + self.tail.len() as u64
    }
}

/// The digest recorded for a snapshot's bytes.
pub fn snapshot_digest(state: &[u8]) -> Digest {
    Digest::tagged(SNAPSHOT_HASH_TAG, state)
}

/// A journal row as read: sequence, next_root, epoch, receipt bytes.
type ReceiptRow = (i64, Vec<u8>, i64, Vec<u8>);

/// A snapshot row as read: receipt_count, head_root, digest, state.
type SnapshotRow = (i64, Vec<u8>, Vec<u8>, Vec<u8>);

impl Store {
    /// Appends a batch in one transaction and answers each item. `Err` means the whole
    /// transaction failed (nothing was written); `Ok` holds one answer per item, in order.
    pub async fn append_batch(
        &self,
        requests: &[AppendRequest],
    ) -> Result<Vec<Result<Appended, AppendError>>, StoreError> {
        if requests.len() > APPEND_BATCH_ITEMS_MAX {
            return Err(StoreError::BatchTooLarge {
                item_count: requests.len(),
            });
        }
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let mut shards: Vec<i64> = requests
            .iter()
            .map(|r| i64::from(self.shard_of(&r.receipt.corridor_id)))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        // Lease rows are locked in shard order, so two batches never wait on each other in a
        // cycle.
        shards.sort_unstable();
        let keys = touched_keys(requests)?;
        let limits = PlanLimits {
            shard_count: self.config.shard_count,
            snapshot_interval_receipts: self.config.snapshot_interval_receipts,
        };
        match &self.backend {
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err(db("begin transaction"))?;
                let view = postgres::read_view(&mut tx, &shards, &keys).await?;
                let outcomes = plan_batch(requests, &limits, &view);
                postgres::insert_accepted(&mut tx, &accepted(requests, &outcomes)).await?;
                tx.commit().await.map_err(db("commit transaction"))?;
                Ok(outcomes)
            }
            Backend::Sqlite { writer, .. } => {
                // IMMEDIATE takes the write lock up front (see `with_write_tx!`).
                let mut tx = writer
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(db("begin transaction"))?;
                let view = sqlite::read_view(&mut tx, &shards, &keys).await?;
                let outcomes = plan_batch(requests, &limits, &view);
                sqlite::insert_accepted(&mut tx, &accepted(requests, &outcomes)).await?;
                tx.commit().await.map_err(db("commit transaction"))?;
                Ok(outcomes)
            }
        }
    }

    /// The latest snapshot of a corridor and the receipts after it, verified: the snapshot's
    /// digest and head root, and every tail receipt (see the module docs).
    pub async fn load(&self, corridor_id: &CorridorId) -> Result<LoadedCorridor, StoreError> {
        let (snapshot_row, rows): (Option<SnapshotRow>, Vec<ReceiptRow>) =
            with_reader!(self, |pool, _dialect| {
                let snapshot_row: Option<SnapshotRow> = sqlx::query_as(
                    "SELECT receipt_count, head_root, digest, state FROM snapshots \
                     WHERE corridor_id = $1 ORDER BY receipt_count DESC LIMIT 1",
                )
                .bind(corridor_id.as_str())
                .fetch_optional(pool)
                .await
                .map_err(db("read latest snapshot"))?;
                // With a snapshot, read from its last covered receipt to check its head root.
                let from_sequence = snapshot_row.as_ref().map_or(0, |row| row.0.max(1) - 1);
                let rows: Vec<ReceiptRow> = sqlx::query_as(
                    "SELECT sequence, next_root, epoch, receipt FROM receipts \
                     WHERE corridor_id = $1 AND sequence >= $2 ORDER BY sequence",
                )
                .bind(corridor_id.as_str())
                .bind(from_sequence)
                .fetch_all(pool)
                .await
                .map_err(db("read journal tail"))?;
                (snapshot_row, rows)
            });
        let Some(snapshot_row) = snapshot_row else {
            return Ok(LoadedCorridor {
                corridor_id: corridor_id.clone(),
                snapshot: None,
                tail: verify_receipts(corridor_id, 0, rows)?,
            });
        };
        let snapshot = verify_snapshot(corridor_id, snapshot_row)?;
        let head_sequence = snapshot.receipt_count - 1;
        let mut receipts = verify_receipts(corridor_id, head_sequence, rows)?.into_iter();
        match receipts.next() {
            Some(head) if head.next_root == snapshot.head_root => {}
            Some(_) => {
                return Err(StoreError::SnapshotHeadMismatch {
                    corridor_id: corridor_id.clone(),
                    receipt_count: snapshot.receipt_count,
                    sequence: head_sequence,
                });
            }
            None => {
                return Err(StoreError::JournalMissing {
                    corridor_id: corridor_id.clone(),
                    sequence: head_sequence,
                });
            }
        }
        Ok(LoadedCorridor {
            corridor_id: corridor_id.clone(),
            snapshot: Some(snapshot),
            tail: receipts.collect(),
        })
    }

    /// Up to `count_max` (≤ [`RECEIPTS_PAGE_MAX`]) verified receipts of a corridor from
    /// `from_sequence` on, for full replay and for serving a peer's catch-up; page by passing
    /// the next sequence.
    pub async fn receipts(
        &self,
        corridor_id: &CorridorId,
        from_sequence: u64,
        count_max: u64,
    ) -> Result<Vec<StoredReceipt>, StoreError> {
        let from = to_db_integer("from_sequence", from_sequence)?;
        let limit = check_page(count_max, RECEIPTS_PAGE_MAX)?;
        let rows: Vec<ReceiptRow> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT sequence, next_root, epoch, receipt FROM receipts \
                 WHERE corridor_id = $1 AND sequence >= $2 ORDER BY sequence LIMIT $3",
            )
            .bind(corridor_id.as_str())
            .bind(from)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("read receipts"))?
        });
        verify_receipts(corridor_id, from_sequence, rows)
    }
}

/// Limits the planner applies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PlanLimits {
    pub(crate) shard_count: u32,
    pub(crate) snapshot_interval_receipts: u64,
}

/// What the database holds that a batch depends on.
#[derive(Debug, Default)]
pub(crate) struct BatchView {
    /// Shard → current epoch.
    lease_epochs: HashMap<u32, u64>,
    /// (corridor, sequence) → next_root of rows the batch touches.
    /// Keyed by corridor first so a probe borrows the `&str` instead of allocating a `String`.
    receipts: HashMap<String, HashMap<u64, Digest>>,
}

impl BatchView {
    pub(crate) fn insert_lease(&mut self, shard: i64, epoch: i64) -> Result<(), StoreError> {
        let shard = u32::try_from(shard).map_err(|_| StoreError::NegativeColumn {
            column: "leases.shard",
            value: shard,
        })?;
        self.lease_epochs
            .insert(shard, from_db_integer("leases.epoch", epoch)?);
        Ok(())
    }

    /// The `next_root` the journal holds at (`corridor_id`, `sequence`), if the batch read it.
    fn receipt(&self, corridor_id: &str, sequence: u64) -> Option<&Digest> {
        self.receipts.get(corridor_id)?.get(&sequence)
    }

    pub(crate) fn insert_receipt(
        &mut self,
        corridor_id: String,
        sequence: i64,
        next_root: &[u8],
    ) -> Result<(), StoreError> {
        let sequence = from_db_integer("receipts.sequence", sequence)?;
        let next_root = digest_column("receipts.next_root", next_root)?;
        self.receipts
            .entry(corridor_id)
            .or_default()
            .insert(sequence, next_root);
        Ok(())
    }
}

/// The items `plan_batch` decided to insert, in batch order.
fn accepted<'a>(
    requests: &'a [AppendRequest],
    outcomes: &[Result<Appended, AppendError>],
) -> Vec<&'a AppendRequest> {
    requests
        .iter()
        .zip(outcomes)
        .filter(|(_, outcome)| matches!(outcome, Ok(Appended::Inserted)))
        .map(|(request, _)| request)
        .collect()
}

/// Fails the batch unless the insert wrote every accepted row: a row that was absent when the
/// batch read the journal but present at insert means another writer holds the same epoch.
fn check_inserted(expected_rows: usize, inserted_rows: u64) -> Result<(), StoreError> {
    if inserted_rows != expected_rows as u64 {
        return Err(StoreError::JournalRace {
            expected_rows: expected_rows as u64,
            inserted_rows,
        });
    }
    Ok(())
}

/// The (corridor, sequence) keys a batch reads: each item's own and its predecessor's.
fn touched_keys(requests: &[AppendRequest]) -> Result<Vec<(&str, i64)>, StoreError> {
    let mut keys = HashSet::with_capacity(requests.len() * 2);
    for request in requests {
        let corridor_id = request.receipt.corridor_id.as_str();
        let sequence = to_db_integer("sequence", request.receipt.sequence)?;
        keys.insert((corridor_id, sequence));
        if sequence > 0 {
            keys.insert((corridor_id, sequence - 1));
        }
    }
    Ok(keys.into_iter().collect())
}

/// Decides every item of a batch against the database view, in order: items earlier in the
/// batch count as present for later ones.
pub(crate) fn plan_batch(
    requests: &[AppendRequest],
    limits: &PlanLimits,
    view: &BatchView,
) -> Vec<Result<Appended, AppendError>> {
    let mut accepted: HashMap<(&str, u64), Digest> = HashMap::new();
    let mut refused: HashSet<(&str, u64)> = HashSet::new();
    let mut outcomes = Vec::with_capacity(requests.len());
    for request in requests {
        let record = &request.receipt;
        let key = (record.corridor_id.as_str(), record.sequence);
        let outcome = plan_item(request, limits, view, &accepted, &refused);
        match outcome {
            Ok(Appended::Inserted) => {
                accepted.insert(key, record.next_root);
            }
            Ok(Appended::AlreadyPresent) => {}
            Err(_) => {
                refused.insert(key);
            }
        }
        outcomes.push(outcome);
    }
    outcomes
}

fn plan_item(
    request: &AppendRequest,
    limits: &PlanLimits,
    view: &BatchView,
    accepted: &HashMap<(&str, u64), Digest>,
    refused: &HashSet<(&str, u64)>,
) -> Result<Appended, AppendError> {
    let record = &request.receipt;
    let corridor_id = &record.corridor_id;
    let sequence = record.sequence;
    let length_bytes = record.receipt.as_bytes().len();
    if length_bytes > RECEIPT_BYTES_MAX {
        return Err(AppendError::ReceiptTooLarge {
            corridor_id: corridor_id.clone(),
            sequence,
            length_bytes,
        });
    }
    let shard = crate::lease::shard_of(corridor_id, limits.shard_count);
    let current_epoch = view.lease_epochs.get(&shard).copied();
    if current_epoch != Some(request.epoch) {
        return Err(AppendError::Fenced {
            corridor_id: corridor_id.clone(),
            sequence,
            shard,
            writer_epoch: request.epoch,
            current_epoch,
        });
    }
    let stored = view
        .receipt(corridor_id.as_str(), sequence)
        .or_else(|| accepted.get(&(corridor_id.as_str(), sequence)));
    if let Some(stored_next_root) = stored {
        return if *stored_next_root == record.next_root {
            Ok(Appended::AlreadyPresent)
        } else {
            Err(AppendError::Conflict {
                corridor_id: corridor_id.clone(),
                sequence,
                stored_next_root: *stored_next_root,
                offered_next_root: record.next_root,
            })
        };
    }
    if let Some(previous) = sequence.checked_sub(1) {
        if refused.contains(&(corridor_id.as_str(), previous)) {
            return Err(AppendError::PredecessorRefused {
                corridor_id: corridor_id.clone(),
                sequence,
            });
        }
        let previous_present = view.receipt(corridor_id.as_str(), previous).is_some()
            || accepted.contains_key(&(corridor_id.as_str(), previous));
        if !previous_present {
            return Err(AppendError::Gap {
                corridor_id: corridor_id.clone(),
                sequence,
            });
        }
    }
    check_snapshot(request, limits)?;
    Ok(Appended::Inserted)
}

fn check_snapshot(request: &AppendRequest, limits: &PlanLimits) -> Result<(), AppendError> {
    let record = &request.receipt;
    let receipt_count = record.sequence + 1;
    let Some(snapshot) = &request.snapshot else {
        if receipt_count.is_multiple_of(limits.snapshot_interval_receipts) {
            return Err(AppendError::SnapshotMissing {
                corridor_id: record.corridor_id.clone(),
                sequence: record.sequence,
                interval_receipts: limits.snapshot_interval_receipts,
            });
        }
        return Ok(());
    };
    if snapshot.state.len() > SNAPSHOT_BYTES_MAX {
        return Err(AppendError::SnapshotTooLarge {
            corridor_id: record.corridor_id.clone(),
            sequence: record.sequence,
            length_bytes: snapshot.state.len(),
        });
    }
    if snapshot.receipt_count != receipt_count || snapshot.head_root != record.next_root {
        return Err(AppendError::SnapshotMismatch {
            corridor_id: record.corridor_id.clone(),
            sequence: record.sequence,
            receipt_count: snapshot.receipt_count,
            head_root: snapshot.head_root,
        });
    }
    Ok(())
}

fn verify_snapshot(
    corridor_id: &CorridorId,
    (receipt_count, head_root, digest, state): SnapshotRow,
) -> Result<LoadedSnapshot, StoreError> {
    let receipt_count = from_db_integer("snapshots.receipt_count", receipt_count)?;
    let recorded = digest_column("snapshots.digest", &digest)?;
    let computed = snapshot_digest(&state);
    if recorded != computed || receipt_count == 0 {
        return Err(StoreError::SnapshotDigestMismatch {
            corridor_id: corridor_id.clone(),
            receipt_count,
            recorded,
            computed,
        });
    }
    Ok(LoadedSnapshot {
        receipt_count,
        head_root: digest_column("snapshots.head_root", &head_root)?,
        state,
    })
}

/// Checks journal rows read from `first_sequence` on: contiguous sequences, canonical bytes, a
/// SPEC §5 receipt (its `proof` aside) filed under its own corridor and sequence, whose
/// `next_root` recomputes (protocol `Receipt::compute_next_root`) and equals the row's column,
/// and whose `prev_root` is the previous row's `next_root`.
fn verify_receipts(
    corridor_id: &CorridorId,
    first_sequence: u64,
    rows: Vec<ReceiptRow>,
) -> Result<Vec<StoredReceipt>, StoreError> {
    let mut verified: Vec<StoredReceipt> = Vec::with_capacity(rows.len());
    for (expected_sequence, (sequence, next_root, epoch, receipt)) in (first_sequence..).zip(rows) {
        let sequence = from_db_integer("receipts.sequence", sequence)?;
        if sequence != expected_sequence {
            return Err(StoreError::JournalGap {
                corridor_id: corridor_id.clone(),
                expected_sequence,
                found_sequence: sequence,
            });
        }
        let stored = digest_column("receipts.next_root", &next_root)?;
        let previous_root = verified.last().map(|previous| previous.next_root);
        let canonical = verify_receipt(corridor_id, sequence, stored, previous_root, &receipt)?;
        verified.push(StoredReceipt {
            sequence,
            next_root: stored,
            epoch: from_db_integer("receipts.epoch", epoch)?,
            receipt: canonical,
        });
    }
    Ok(verified)
}

/// Verifies one stored receipt (see [`verify_receipts`]) and returns its canonical bytes.
fn verify_receipt(
    corridor_id: &CorridorId,
    sequence: u64,
    stored: Digest,
    previous_root: Option<Digest>,
    bytes: &[u8],
) -> Result<CanonicalBytes, StoreError> {
    let not_canonical = || StoreError::ReceiptNotCanonical {
        corridor_id: corridor_id.clone(),
        sequence,
    };
    let mut value = msez_protocol::canonical::parse(bytes).map_err(|_| not_canonical())?;
    let canonical = CanonicalBytes::new(&value).map_err(|_| not_canonical())?;
    if canonical.as_bytes() != bytes {
        return Err(not_canonical());
    }
    if let Some(members) = value.as_object_mut() {
        members.remove("proof");
    }
    let malformed = || StoreError::ReceiptMalformed {
        corridor_id: corridor_id.clone(),
        sequence,
    };
    let receipt = Receipt::from_value(value).map_err(|_| malformed())?;
    if receipt.corridor_id != *corridor_id || receipt.sequence != sequence {
        return Err(malformed());
    }
    let computed = receipt.compute_next_root().map_err(|_| malformed())?;
    if computed != stored || receipt.next_root != stored {
        return Err(StoreError::ReceiptRootMismatch {
            corridor_id: corridor_id.clone(),
            sequence,
            stored,
            computed,
        });
    }
    if previous_root.is_some_and(|previous| previous != receipt.prev_root) {
        return Err(StoreError::ReceiptLinkBroken {
            corridor_id: corridor_id.clone(),
            sequence,
        });
    }
    Ok(canonical)
}

mod postgres;
mod sqlite;
#[cfg(test)]
mod tests;
