//! The hash-chained audit trail of agentic policy decisions.
//!
//! Owns [`AuditEntry`], [`AuditError`], [`AuditAppendError`] and the `append_audit_entry`,
//! `append_audit_entry_at` (compare-and-append) and `audit_trail` methods of [`Store`].
//!
//! Entry `n` of a trail stores `prev_hash` (entry `n - 1`'s hash, 32 zero bytes for entry 0) and
//! `entry_hash = SHA-256("msez.persistence.audit.v1" || 0x00 || prev_hash || entry)`, where
//! `entry` is the decision's canonical bytes. Appending reads the trail's head and inserts in one
//! write transaction, so two appends cannot fork a trail (the primary key `(trail_id,
//! sequence)` refuses the loser). Reading recomputes every hash and every link.
//!
//! Never: rewrites or deletes an entry, or returns an entry whose hash or link does not verify.

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::{Digest, DomainTag};

use crate::error::{StoreError, db, digest_column};
use crate::store::{Store, from_db_integer, to_db_integer};

/// Domain tag of an audit entry's hash.
pub const AUDIT_HASH_TAG: DomainTag = DomainTag::new("msez.persistence.audit.v1");

/// One verified audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// 0 for the first entry of the trail, then +1.
    pub sequence: u64,
    /// The previous entry's hash (zero for entry 0).
    pub prev_hash: Digest,
    /// This entry's hash.
    pub entry_hash: Digest,
    /// The decision, canonical.
    pub entry: CanonicalBytes,
}

/// Why an audit trail operation failed.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A stored entry's hash, link or bytes do not verify.
    #[error("audit trail {trail_id} is broken at sequence {sequence}")]
    ChainBroken {
        /// The trail.
        trail_id: String,
        /// The first entry that does not verify.
        sequence: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The hash of an entry following `prev_hash`.
pub fn audit_entry_hash(prev_hash: &Digest, entry: &CanonicalBytes) -> Digest {
    let mut input = Vec::with_capacity(32 + entry.as_bytes().len());
    input.extend_from_slice(prev_hash.as_bytes());
    input.extend_from_slice(entry.as_bytes());
    Digest::tagged(AUDIT_HASH_TAG, &input)
}

/// An audit row: sequence, prev_hash, entry_hash, entry.
type AuditRow = (i64, Vec<u8>, Vec<u8>, Vec<u8>);

/// Why a compare-and-append ([`Store::append_audit_entry_at`]) wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum AuditAppendError {
    /// The trail's next sequence is not the one the caller expected: another entry was
    /// appended first (or the caller's view is stale).
    #[error(
        "audit trail {trail_id}: sequence {expected_sequence} is not next (next is {next_sequence})"
    )]
    SequenceTaken {
        /// The trail.
        trail_id: String,
        /// The sequence the caller expected to write.
        expected_sequence: u64,
        /// The sequence that is next.
        next_sequence: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Appends a decision to a trail and returns the stored entry.
    pub async fn append_audit_entry(
        &self,
        trail_id: &str,
        entry: &CanonicalBytes,
    ) -> Result<AuditEntry, StoreError> {
        self.append_entry(trail_id, None, entry)
            .await
            .map_err(|error| match error {
                AuditAppendError::Store(error) => error,
                // Only a compare-and-append reports a taken sequence.
                AuditAppendError::SequenceTaken { .. } => StoreError::Database {
                    operation: "insert audit entry",
                    source: sqlx::Error::Protocol(error.to_string()),
                },
            })
    }

    /// Appends `entry` as entry `expected_sequence` of a trail, only if that is the trail's
    /// next sequence: an optimistic journal write, so two writers racing for one place cannot
    /// both succeed (the loser gets [`AuditAppendError::SequenceTaken`] and reads again).
    pub async fn append_audit_entry_at(
        &self,
        trail_id: &str,
        expected_sequence: u64,
        entry: &CanonicalBytes,
    ) -> Result<AuditEntry, AuditAppendError> {
        self.append_entry(trail_id, Some(expected_sequence), entry)
            .await
    }

    /// The one append: read the head, check the expected sequence when there is one, insert.
    async fn append_entry(
        &self,
        trail_id: &str,
        expected_sequence: Option<u64>,
        entry: &CanonicalBytes,
    ) -> Result<AuditEntry, AuditAppendError> {
        let taken = |expected_sequence, next_sequence| AuditAppendError::SequenceTaken {
            trail_id: trail_id.to_owned(),
            expected_sequence,
            next_sequence,
        };
        let appended = with_write_tx!(self, |tx, _dialect| {
            let head: Option<(i64, Vec<u8>)> = sqlx::query_as(
                "SELECT sequence, entry_hash FROM agentic_audit_trail WHERE trail_id = $1 \
                 ORDER BY sequence DESC LIMIT 1",
            )
            .bind(trail_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("read audit head"))?;
            let (sequence, prev_hash) = match head {
                None => (0, Digest::from_bytes([0; 32])),
                Some((sequence, hash)) => (
                    from_db_integer("agentic_audit_trail.sequence", sequence)? + 1,
                    digest_column("agentic_audit_trail.entry_hash", &hash)?,
                ),
            };
            if let Some(expected) = expected_sequence.filter(|&expected| expected != sequence) {
                return Err(taken(expected, sequence));
            }
            let entry_hash = audit_entry_hash(&prev_hash, entry);
            let inserted = sqlx::query(
                "INSERT INTO agentic_audit_trail (trail_id, sequence, prev_hash, entry_hash, entry) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(trail_id)
            .bind(to_db_integer("sequence", sequence)?)
            .bind(prev_hash.as_bytes().as_slice())
            .bind(entry_hash.as_bytes().as_slice())
            .bind(entry.as_bytes())
            .execute(&mut *tx)
            .await;
            match (inserted, expected_sequence) {
                // A concurrent writer committed this sequence after our read (Postgres).
                (Err(sqlx::Error::Database(error)), Some(expected))
                    if error.is_unique_violation() =>
                {
                    return Err(taken(expected, expected + 1));
                }
                (inserted, _) => inserted.map_err(db("insert audit entry"))?,
            };
            AuditEntry {
                sequence,
                prev_hash,
                entry_hash,
                entry: entry.clone(),
            }
        });
        Ok(appended)
    }

    /// Up to `count_max` entries of a trail from `from_sequence` on, every hash and link
    /// recomputed.
    pub async fn audit_trail(
        &self,
        trail_id: &str,
        from_sequence: u64,
        count_max: u64,
    ) -> Result<Vec<AuditEntry>, AuditError> {
        let from = to_db_integer("from_sequence", from_sequence)?;
        let limit = to_db_integer("count_max", count_max)?;
        let rows: Vec<AuditRow> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT sequence, prev_hash, entry_hash, entry FROM agentic_audit_trail \
                 WHERE trail_id = $1 AND sequence >= $2 ORDER BY sequence LIMIT $3",
            )
            .bind(trail_id)
            .bind(from)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("read audit trail"))?
        });
        let mut entries: Vec<AuditEntry> = Vec::with_capacity(rows.len());
        for (expected, (sequence, prev_hash, entry_hash, bytes)) in (from_sequence..).zip(rows) {
            let broken = || AuditError::ChainBroken {
                trail_id: trail_id.to_owned(),
                sequence: expected,
            };
            let sequence = from_db_integer("agentic_audit_trail.sequence", sequence)?;
            let prev_hash = digest_column("agentic_audit_trail.prev_hash", &prev_hash)?;
            let entry_hash = digest_column("agentic_audit_trail.entry_hash", &entry_hash)?;
            let entry = CanonicalBytes::parse(&bytes).map_err(|_| broken())?;
            let linked = match entries.last() {
                Some(previous) => previous.entry_hash == prev_hash,
                None => sequence != 0 || prev_hash == Digest::from_bytes([0; 32]),
            };
            if sequence != expected
                || !linked
                || entry.as_bytes() != bytes.as_slice()
                || audit_entry_hash(&prev_hash, &entry) != entry_hash
            {
                return Err(broken());
            }
            entries.push(AuditEntry {
                sequence,
                prev_hash,
                entry_hash,
                entry,
            });
        }
        Ok(entries)
    }
}
