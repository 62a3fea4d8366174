//! Store-level errors: the database failed, the schema or configuration does not fit, or stored
//! data did not verify.
//!
//! Owns [`StoreError`] and the `db` helper that attaches the failed operation to a sqlx error.
//! Per-item rejections of a journal append are [`crate::journal::AppendError`], lease refusals
//! are [`crate::lease::LeaseError`]; neither is a storage failure.
//!
//! Never: formats a cause into a string; every variant carries the values that identify it.

use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database reported an error.
    #[error("database error during {operation}: {source}")]
    Database {
        /// What the store was doing.
        operation: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// The database was migrated by newer code than this build knows.
    #[error(
        "database schema version {found_version} is newer than this build supports \
         ({supported_version}); upgrade the binary, never downgrade a database"
    )]
    SchemaTooNew {
        /// Highest version recorded in the database.
        found_version: i64,
        /// Highest version this build carries.
        supported_version: i64,
    },
    /// The database was created with another lease shard count; corridor→shard mapping would
    /// disagree between processes and fencing would break.
    #[error(
        "database was created with {stored} lease shards but this process is configured with {configured}"
    )]
    ShardCountMismatch {
        /// Shard count recorded in the database.
        stored: i64,
        /// Shard count in [`crate::store::StoreConfig`].
        configured: u32,
    },
    /// `shard_count` is 0 or above [`crate::store::SHARD_COUNT_MAX`].
    #[error("shard_count {shard_count} is outside 1..={max}", max = crate::store::SHARD_COUNT_MAX)]
    ShardCountOutOfRange {
        /// The configured value.
        shard_count: u32,
    },
    /// `snapshot_interval_receipts` is 0.
    #[error("snapshot_interval_receipts must be at least 1")]
    SnapshotIntervalZero,
    /// A value does not fit the database's signed 64-bit integer.
    #[error("{field} = {value} does not fit a signed 64-bit database integer")]
    IntegerOutOfRange {
        /// Which field.
        field: &'static str,
        /// The value.
        value: u64,
    },
    /// A column that holds a count or sequence is negative.
    #[error("column {column} holds negative value {value}")]
    NegativeColumn {
        /// Which column.
        column: &'static str,
        /// The stored value.
        value: i64,
    },
    /// A stored digest column is not 32 bytes.
    #[error("column {column} holds {length_bytes} bytes, a digest is 32")]
    DigestColumnLength {
        /// Which column.
        column: &'static str,
        /// Bytes found.
        length_bytes: usize,
    },
    /// A snapshot's bytes do not hash to its recorded digest.
    #[error(
        "snapshot of corridor {corridor_id} at receipt_count {receipt_count} is corrupt: digest {computed} does not match recorded {recorded}"
    )]
    SnapshotDigestMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// Receipts the snapshot covers.
        receipt_count: u64,
        /// Digest recorded at write time.
        recorded: Digest,
        /// Digest of the bytes read.
        computed: Digest,
    },
    /// A snapshot's head root is not the journal's `next_root` at its last covered sequence.
    #[error(
        "snapshot of corridor {corridor_id} at receipt_count {receipt_count} does not match the journal at sequence {sequence}"
    )]
    SnapshotHeadMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// Receipts the snapshot covers.
        receipt_count: u64,
        /// The journal sequence compared (`receipt_count - 1`).
        sequence: u64,
    },
    /// The journal skips a sequence.
    #[error(
        "journal of corridor {corridor_id} has a gap: expected sequence {expected_sequence}, found {found_sequence}"
    )]
    JournalGap {
        /// The corridor.
        corridor_id: CorridorId,
        /// The sequence that should come next.
        expected_sequence: u64,
        /// The sequence found instead.
        found_sequence: u64,
    },
    /// The journal ends before a sequence its snapshot or caller relies on.
    #[error("journal of corridor {corridor_id} is missing sequence {sequence}")]
    JournalMissing {
        /// The corridor.
        corridor_id: CorridorId,
        /// The missing sequence.
        sequence: u64,
    },
    /// A stored receipt's bytes are not canonical JSON.
    #[error("receipt {sequence} of corridor {corridor_id} is not canonical JSON")]
    ReceiptNotCanonical {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
    },
    /// A stored receipt is not a SPEC §5 receipt, or names another corridor or sequence than
    /// the row it is filed under.
    #[error(
        "receipt {sequence} of corridor {corridor_id} is not a well-formed receipt for that corridor and sequence"
    )]
    ReceiptMalformed {
        /// The corridor.
        corridor_id: CorridorId,
        /// The row's sequence.
        sequence: u64,
    },
    /// A stored receipt's `prev_root` is not the previous receipt's `next_root`.
    #[error(
        "receipt {sequence} of corridor {corridor_id} does not link to the previous receipt's next_root"
    )]
    ReceiptLinkBroken {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
    },
    /// A stored receipt's `next_root` column does not recompute from its bytes.
    #[error(
        "receipt {sequence} of corridor {corridor_id}: stored next_root {stored} does not recompute (got {computed})"
    )]
    ReceiptRootMismatch {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The `next_root` column.
        stored: Digest,
        /// What the receipt's bytes give.
        computed: Digest,
    },
    /// Another transaction inserted journal rows this batch had validated as absent; the batch
    /// was rolled back. Two writers share one fencing epoch, which only a bug can cause.
    #[error(
        "journal batch raced another writer with the same epoch: inserted {inserted_rows} of {expected_rows} rows, rolled back"
    )]
    JournalRace {
        /// Rows the batch meant to insert.
        expected_rows: u64,
        /// Rows actually inserted before the rollback.
        inserted_rows: u64,
    },
    /// One `append_batch` call carried more items than one transaction may hold.
    #[error("append batch of {item_count} items exceeds the limit of {max}", max = crate::journal::APPEND_BATCH_ITEMS_MAX)]
    BatchTooLarge {
        /// Items offered.
        item_count: usize,
    },
    /// A list call asked for more rows than one page may hold.
    #[error("page of {count_max} rows exceeds the limit of {page_max}")]
    PageTooLarge {
        /// Rows asked for.
        count_max: u64,
        /// The page limit.
        page_max: u64,
    },
    /// A stored id column does not parse as its id type.
    #[error("column {column} holds invalid id {value:?}")]
    IdColumnInvalid {
        /// Which column.
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// A stored document without a digest column is not canonical JSON.
    #[error("{table} row {key} holds a document that is not canonical JSON")]
    DocumentNotCanonical {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
    },
    /// A bond's stored amount is not an integer number of minor units.
    #[error("bond {bond_id} holds amount_minor {amount_text:?}, not an integer")]
    AmountNotInteger {
        /// The bond.
        bond_id: String,
        /// The stored text.
        amount_text: String,
    },
    /// A stored document (pack, credential) does not hash to the digest it is filed under.
    #[error("{table} row {key} is corrupt: its bytes do not match its digest")]
    DocumentDigestMismatch {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
    },
}

/// Wraps a sqlx error with the operation that failed: `.map_err(db("insert receipts"))`.
pub(crate) fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| StoreError::Database { operation, source }
}

/// Reads a 32-byte digest column.
pub(crate) fn digest_column(column: &'static str, bytes: &[u8]) -> Result<Digest, StoreError> {
    let array: [u8; 32] = bytes
        .try_into()
        .map_err(|_| StoreError::DigestColumnLength {
            column,
            length_bytes: bytes.len(),
        })?;
    Ok(Digest::from_bytes(array))
}
