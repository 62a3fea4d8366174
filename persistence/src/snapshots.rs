//! Standalone corridor snapshots: writing the state of a corridor without appending a receipt,
//! for example when an idle corridor actor passivates (snapshot, drain, stop) so its next
//! activation replays no tail.
//!
//! Owns [`SnapshotWriteError`] and the `write_snapshot` method of [`Store`].
//!
//! The write is held to the same rules as a snapshot that rides on an append: one transaction
//! checks the writer's fencing epoch against the shard's lease (Postgres locks the lease row
//! `FOR SHARE`, so a concurrent grant waits for the commit), checks that the journal holds
//! receipt `receipt_count - 1` with `next_root == head_root`, and inserts. Writing the same
//! snapshot again is idempotent; a different state for the same receipt count is refused.
//!
//! Never: writes a snapshot that does not follow the journal, writes without checking the
//! epoch in the same transaction, or replaces a stored snapshot.

use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;

use crate::error::{StoreError, db, digest_column};
use crate::journal::{SNAPSHOT_BYTES_MAX, SnapshotRecord, snapshot_digest};
use crate::store::{Store, from_db_integer, to_db_integer};

/// Why a standalone snapshot was not written; nothing was written in every case.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotWriteError {
    /// The writer's epoch is not the shard's current epoch.
    #[error(
        "snapshot of corridor {corridor_id} at receipt_count {receipt_count} fenced: writer epoch {writer_epoch}, shard {shard} epoch {current_epoch:?}"
    )]
    Fenced {
        /// The corridor.
        corridor_id: CorridorId,
        /// Receipts the snapshot covers.
        receipt_count: u64,
        /// The corridor's shard.
        shard: u32,
        /// The epoch the writer carried.
        writer_epoch: u64,
        /// The shard's epoch (`None`: the shard was never leased).
        current_epoch: Option<u64>,
    },
    /// The journal does not hold receipt `receipt_count - 1` with the snapshot's head root.
    #[error(
        "snapshot of corridor {corridor_id} at receipt_count {receipt_count} with head {head_root} does not follow the journal (next_root there: {journal_next_root:?})"
    )]
    HeadMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// Receipts the snapshot covers.
        receipt_count: u64,
        /// The snapshot's head root.
        head_root: Digest,
        /// The journal's `next_root` at `receipt_count - 1` (`None`: no such receipt).
        journal_next_root: Option<Digest>,
    },
    /// A different snapshot is already stored for this receipt count.
    #[error(
        "corridor {corridor_id} already has a different snapshot at receipt_count {receipt_count}"
    )]
    Conflict {
        /// The corridor.
        corridor_id: CorridorId,
        /// Receipts the snapshot covers.
        receipt_count: u64,
    },
    /// The snapshot covers no receipt (`receipt_count` is 0).
    #[error("snapshot of corridor {corridor_id} covers no receipt")]
    Empty {
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// The snapshot exceeds [`SNAPSHOT_BYTES_MAX`].
    #[error(
        "snapshot of corridor {corridor_id} is {length_bytes} bytes; the limit is {SNAPSHOT_BYTES_MAX}"
    )]
    TooLarge {
        /// The corridor.
        corridor_id: CorridorId,
        /// Its size.
        length_bytes: usize,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Writes `snapshot` of `corridor_id` under the writer's fencing `epoch` (see the module
    /// docs). `load` returns it from then on if it is the corridor's latest.
    pub async fn write_snapshot(
        &self,
        corridor_id: &CorridorId,
        epoch: u64,
        snapshot: &SnapshotRecord,
    ) -> Result<(), SnapshotWriteError> {
        let Some(head_sequence) = snapshot.receipt_count.checked_sub(1) else {
            return Err(SnapshotWriteError::Empty {
                corridor_id: corridor_id.clone(),
            });
        };
        if snapshot.state.len() > SNAPSHOT_BYTES_MAX {
            return Err(SnapshotWriteError::TooLarge {
                corridor_id: corridor_id.clone(),
                length_bytes: snapshot.state.len(),
            });
        }
        let shard = self.shard_of(corridor_id);
        let receipt_count = to_db_integer("receipt_count", snapshot.receipt_count)?;
        let head_sequence_db = to_db_integer("sequence", head_sequence)?;
        let epoch_db = to_db_integer("epoch", epoch)?;
        let digest = snapshot_digest(&snapshot.state);
        with_write_tx!(self, |tx, dialect| {
            let current: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT epoch FROM leases WHERE shard = $1{}",
                dialect.lease_row_lock
            )))
            .bind(i64::from(shard))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("read lease"))?;
            let current_epoch = current
                .map(|value| from_db_integer("leases.epoch", value))
                .transpose()?;
            if current_epoch != Some(epoch) {
                return Err(SnapshotWriteError::Fenced {
                    corridor_id: corridor_id.clone(),
                    receipt_count: snapshot.receipt_count,
                    shard,
                    writer_epoch: epoch,
                    current_epoch,
                });
            }
            let journal: Option<Vec<u8>> = sqlx::query_scalar(
                "SELECT next_root FROM receipts WHERE corridor_id = $1 AND sequence = $2",
            )
            .bind(corridor_id.as_str())
            .bind(head_sequence_db)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("read journal head"))?;
            let journal_next_root = journal
                .map(|bytes| digest_column("receipts.next_root", &bytes))
                .transpose()?;
            if journal_next_root != Some(snapshot.head_root) {
                return Err(SnapshotWriteError::HeadMismatch {
                    corridor_id: corridor_id.clone(),
                    receipt_count: snapshot.receipt_count,
                    head_root: snapshot.head_root,
                    journal_next_root,
                });
            }
            let inserted = sqlx::query(
                "INSERT INTO snapshots \
                 (corridor_id, receipt_count, head_root, digest, epoch, state) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(corridor_id.as_str())
            .bind(receipt_count)
            .bind(snapshot.head_root.as_bytes().as_slice())
            .bind(digest.as_bytes().as_slice())
            .bind(epoch_db)
            .bind(snapshot.state.as_slice())
            .execute(&mut *tx)
            .await
            .map_err(db("insert snapshot"))?
            .rows_affected();
            if inserted == 0 {
                let stored: Vec<u8> = sqlx::query_scalar(
                    "SELECT digest FROM snapshots WHERE corridor_id = $1 AND receipt_count = $2",
                )
                .bind(corridor_id.as_str())
                .bind(receipt_count)
                .fetch_one(&mut *tx)
                .await
                .map_err(db("read stored snapshot digest"))?;
                if digest_column("snapshots.digest", &stored)? != digest {
                    return Err(SnapshotWriteError::Conflict {
                        corridor_id: corridor_id.clone(),
                        receipt_count: snapshot.receipt_count,
                    });
                }
            }
        });
        Ok(())
    }
}
