//! Issuing a credential into the next free slot of a status list.
//!
//! Owns the `record_credential_in_next_slot` method of [`Store`] and [`STATUS_LIST_SLOTS_MAX`].
//!
//! A credential's status entry (its list and slot) is inside the signed document, so the slot
//! must be known before signing and must not be taken by anyone else before the insert. One
//! write transaction therefore reads the list's next slot, lets the caller build and sign the
//! credential for that slot, and inserts it. Postgres takes a transaction-scoped advisory lock
//! first, so two nodes issuing at once wait for each other instead of colliding on a slot;
//! SQLite's `BEGIN IMMEDIATE` already admits one writer.
//!
//! Never: signs (the caller's closure does, with no I/O), reuses a slot, or records a
//! credential whose status entry names another slot than the one it was given.

use crate::error::{StoreError, db};
use crate::records::CredentialRecord;
use crate::records::insert_credential;
use crate::store::{Store, from_db_integer};

/// The most slots one status list holds: 131,072 is the W3C Bitstring Status List's minimum
/// bitstring length (16 KiB), the size at which a list hides which credential a verifier is
/// checking. A zone starts a new list before this one is full.
pub const STATUS_LIST_SLOTS_MAX: u64 = 131_072;

/// Why a credential was not recorded in the next slot; nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum SlotError<E> {
    /// Every slot of the list is taken.
    #[error("status list {status_list_id} is full ({STATUS_LIST_SLOTS_MAX} slots)")]
    ListFull {
        /// The list.
        status_list_id: String,
    },
    /// The caller's record names another list or slot than the one it was given.
    #[error(
        "credential {credential_id} was built for {built_list}#{built_index}, not the slot {status_list_id}#{status_list_index} it was given"
    )]
    SlotMismatch {
        /// The credential.
        credential_id: String,
        /// The list given.
        status_list_id: String,
        /// The slot given.
        status_list_index: u64,
        /// The list in the record.
        built_list: String,
        /// The slot in the record.
        built_index: u64,
    },
    /// The caller could not build the credential.
    #[error(transparent)]
    Build(E),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Records the credential `build` makes for the slot after the highest taken slot of
    /// `status_list_id` (0 for a new list) and returns the record. `build` runs inside the
    /// write transaction, so it must be quick and do no I/O: build the status entry, sign,
    /// canonicalise.
    pub async fn record_credential_in_next_slot<E, F>(
        &self,
        status_list_id: &str,
        build: F,
    ) -> Result<CredentialRecord, SlotError<E>>
    where
        F: FnOnce(u64) -> Result<CredentialRecord, E>,
    {
        let recorded = with_write_tx!(self, |tx, dialect| {
            if let Some(lock) = dialect.credential_issuance_lock {
                sqlx::raw_sql(lock)
                    .execute(&mut *tx)
                    .await
                    .map_err(db("lock credential issuance"))?;
            }
            let next_index: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(status_list_index) + 1, 0) FROM credentials \
                 WHERE status_list_id = $1",
            )
            .bind(status_list_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("read next status list slot"))?;
            let next_index = from_db_integer("credentials.status_list_index", next_index)?;
            if next_index >= STATUS_LIST_SLOTS_MAX {
                return Err(SlotError::ListFull {
                    status_list_id: status_list_id.to_owned(),
                });
            }
            let record = build(next_index).map_err(SlotError::Build)?;
            if record.status_list_id != status_list_id || record.status_list_index != next_index {
                return Err(SlotError::SlotMismatch {
                    credential_id: record.credential_id,
                    status_list_id: status_list_id.to_owned(),
                    status_list_index: next_index,
                    built_list: record.status_list_id,
                    built_index: record.status_list_index,
                });
            }
            insert_credential!(tx, &record);
            record
        });
        Ok(recorded)
    }
}
