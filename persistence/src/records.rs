//! The other tables MSEZ owns, with the minimal methods the actors need today: packs by
//! digest, the VC audit log with revocation status and status lists, idempotency records for
//! outbound Mass calls (begin, complete, abandon), SPEC §7 checkpoints, and the TTL cache of
//! Mass facts.
//!
//! Owns [`CredentialRecord`], [`CredentialStatus`], [`StoredCredential`], [`IdempotencyState`],
//! [`RecordError`].
//!
//! Never: trusts a stored document without rehashing it (packs, credentials and checkpoints are
//! kept as canonical bytes and their digest is recomputed on every read), or treats a cached
//! Mass fact as authoritative past its expiry (expiry uses the database clock).
//!
//! Also owns [`AnchorRecord`] (external anchors of checkpoints) and the helpers the other record
//! modules share: a compare-and-set of a row's `state`, and the canonical and digest checks of
//! stored documents.

use std::time::Duration;

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;

use crate::error::{StoreError, db, digest_column};
use crate::store::{Store, from_db_integer, to_db_integer};

/// The longest TTL a cached Mass fact may have: a day keeps a stale jurisdiction or filer
/// status from outliving the daily compliance refresh.
pub const MASS_FACT_TTL_MAX: Duration = Duration::from_secs(24 * 60 * 60);

/// Revocation status of an issued credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialStatus {
    /// Valid.
    Active,
    /// Permanently revoked.
    Revoked,
    /// Temporarily suspended.
    Suspended,
}

/// A credential to record in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialRecord {
    /// The credential's `id`.
    pub credential_id: String,
    /// Its `MSEZ…Credential` type.
    pub credential_type: String,
    /// The issuer's did:key.
    pub issuer: String,
    /// The signed credential.
    pub credential: CanonicalBytes,
    /// The status list it is entered in.
    pub status_list_id: String,
    /// Its slot in that list.
    pub status_list_index: u64,
    /// When it was issued (Unix ms, the issuer's clock).
    pub issued_at_unix_ms: i64,
}

/// A credential read back, digest verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    /// The credential as recorded.
    pub record: CredentialRecord,
    /// Its current status.
    pub status: CredentialStatus,
}

/// The state of an idempotency key after `begin_mass_call`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyState {
    /// First use of the key: make the call.
    New,
    /// The call was started but its outcome was not recorded: it may or may not have happened,
    /// so retry with the same key.
    Pending,
    /// The call completed with this response: do not call again.
    Completed(Vec<u8>),
}

/// Why a record operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// No row with that key.
    #[error("{table} has no row {key}")]
    NotFound {
        /// The table.
        table: &'static str,
        /// The key looked up.
        key: String,
    },
    /// The idempotency key was used before for a different request.
    #[error(
        "idempotency key {idempotency_key} was used for request {stored}, now offered for {offered}"
    )]
    IdempotencyKeyReused {
        /// The key.
        idempotency_key: String,
        /// The request digest recorded first.
        stored: Digest,
        /// The request digest offered now.
        offered: Digest,
    },
    /// A status column holds an unknown value.
    #[error("credential {credential_id} has unknown status {status}")]
    UnknownStatus {
        /// The credential.
        credential_id: String,
        /// The stored text.
        status: String,
    },
    /// The TTL is zero or above [`MASS_FACT_TTL_MAX`].
    #[error("mass fact ttl of {ttl_ms} ms is outside 1..={max_ms} ms", max_ms = MASS_FACT_TTL_MAX.as_millis())]
    TtlOutOfRange {
        /// The requested TTL.
        ttl_ms: u128,
    },
    /// The row is not in the state the caller expected; nothing changed.
    #[error("{table} row {key} is in state {current_state}, not {expected_state}")]
    StateChanged {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
        /// The state the caller saw.
        expected_state: String,
        /// The stored state.
        current_state: String,
    },
    /// A different immutable row is already stored under this key.
    #[error("{table} already holds a different row {key}")]
    Conflict {
        /// The table.
        table: &'static str,
        /// The row's key.
        key: String,
    },
    /// The dispute already holds [`crate::disputes::EVIDENCE_PER_DISPUTE_MAX`] pieces.
    #[error(
        "dispute {dispute_id} already holds {max} pieces of evidence",
        max = crate::disputes::EVIDENCE_PER_DISPUTE_MAX
    )]
    EvidenceFull {
        /// The dispute.
        dispute_id: String,
    },
    /// The store failed or stored data did not verify.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An external anchor of a checkpoint: where its digest was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRecord {
    /// The anchored checkpoint's digest.
    pub checkpoint_digest: Digest,
    /// The chain or log it was published to.
    pub anchor_chain: String,
    /// The transaction or entry there.
    pub anchor_reference: String,
    /// When it was anchored (Unix ms, caller's clock).
    pub anchored_at_unix_ms: i64,
}

impl CredentialStatus {
    /// The stored word (`active`, `revoked`, `suspended`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Revoked => "revoked",
            Self::Suspended => "suspended",
        }
    }

    pub(crate) fn parse(credential_id: &str, text: &str) -> Result<Self, RecordError> {
        match text {
            "active" => Ok(Self::Active),
            "revoked" => Ok(Self::Revoked),
            "suspended" => Ok(Self::Suspended),
            other => Err(RecordError::UnknownStatus {
                credential_id: credential_id.to_owned(),
                status: other.to_owned(),
            }),
        }
    }
}

/// Inserts `$record` (a `&CredentialRecord`) as active inside the write transaction `$tx`: the
/// one credential insert, shared by `record_credential` and the next-slot issuance.
macro_rules! insert_credential {
    ($tx:ident, $record:expr) => {{
        let record: &$crate::records::CredentialRecord = $record;
        let index = $crate::store::to_db_integer("status_list_index", record.status_list_index)?;
        sqlx::query(
            "INSERT INTO credentials (credential_id, credential_type, issuer, digest, \
             credential, status_list_id, status_list_index, status, issued_at_unix_ms, \
             status_changed_at_unix_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, 'active', $8, $8)",
        )
        .bind(&record.credential_id)
        .bind(&record.credential_type)
        .bind(&record.issuer)
        .bind(record.credential.digest().as_bytes().as_slice())
        .bind(record.credential.as_bytes())
        .bind(&record.status_list_id)
        .bind(index)
        .bind(record.issued_at_unix_ms)
        .execute(&mut *$tx)
        .await
        .map_err($crate::error::db("insert credential"))?;
    }};
}
pub(crate) use insert_credential;

/// A credential row: type, issuer, digest, bytes, list id, list index, status, issued at.
type CredentialRow = (String, String, Vec<u8>, Vec<u8>, String, i64, String, i64);

impl Store {
    /// Stores a pack under the digest of its canonical bytes (idempotent) and returns it.
    pub async fn put_pack(
        &self,
        pack_kind: &str,
        pack: &CanonicalBytes,
    ) -> Result<Digest, StoreError> {
        let digest = pack.digest();
        with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "INSERT INTO packs (digest, pack_kind, pack) VALUES ($1, $2, $3) \
                 ON CONFLICT (digest) DO NOTHING",
            )
            .bind(digest.as_bytes().as_slice())
            .bind(pack_kind)
            .bind(pack.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(db("insert pack"))?;
        });
        Ok(digest)
    }

    /// The pack filed under `digest` and its kind, rehashed before it is returned.
    pub async fn pack(
        &self,
        digest: &Digest,
    ) -> Result<Option<(String, CanonicalBytes)>, StoreError> {
        let row: Option<(String, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as("SELECT pack_kind, pack FROM packs WHERE digest = $1")
                .bind(digest.as_bytes().as_slice())
                .fetch_optional(pool)
                .await
                .map_err(db("read pack"))?
        });
        let Some((pack_kind, bytes)) = row else {
            return Ok(None);
        };
        let pack = verified_document("packs", digest.to_hex(), &bytes, digest)?;
        Ok(Some((pack_kind, pack)))
    }

    /// Records an issued credential as active. Recording the same id twice is refused by the
    /// primary key (a credential is issued once).
    pub async fn record_credential(&self, record: &CredentialRecord) -> Result<(), StoreError> {
        with_write_tx!(self, |tx, _dialect| {
            insert_credential!(tx, record);
        });
        Ok(())
    }

    /// Changes a credential's status (revocation, suspension, reinstatement).
    pub async fn set_credential_status(
        &self,
        credential_id: &str,
        status: CredentialStatus,
        changed_at_unix_ms: i64,
    ) -> Result<(), RecordError> {
        let updated = with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "UPDATE credentials SET status = $2, status_changed_at_unix_ms = $3 \
                 WHERE credential_id = $1",
            )
            .bind(credential_id)
            .bind(status.as_str())
            .bind(changed_at_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("update credential status"))?
            .rows_affected()
        });
        if updated == 0 {
            return Err(RecordError::NotFound {
                table: "credentials",
                key: credential_id.to_owned(),
            });
        }
        Ok(())
    }

    /// A credential and its status, rehashed before it is returned.
    pub async fn credential(
        &self,
        credential_id: &str,
    ) -> Result<Option<StoredCredential>, RecordError> {
        let row: Option<CredentialRow> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT credential_type, issuer, digest, credential, status_list_id, \
                 status_list_index, status, issued_at_unix_ms FROM credentials \
                 WHERE credential_id = $1",
            )
            .bind(credential_id)
            .fetch_optional(pool)
            .await
            .map_err(db("read credential"))?
        });
        let Some((credential_type, issuer, digest, bytes, list_id, list_index, status, issued)) =
            row
        else {
            return Ok(None);
        };
        let digest = digest_column("credentials.digest", &digest)?;
        let credential =
            verified_document("credentials", credential_id.to_owned(), &bytes, &digest)?;
        Ok(Some(StoredCredential {
            record: CredentialRecord {
                credential_id: credential_id.to_owned(),
                credential_type,
                issuer,
                credential,
                status_list_id: list_id,
                status_list_index: from_db_integer("credentials.status_list_index", list_index)?,
                issued_at_unix_ms: issued,
            },
            status: CredentialStatus::parse(credential_id, &status)?,
        }))
    }

    /// Every slot of a status list with its status, in index order, from the
    /// `credential_status_list` view.
    pub async fn status_list(
        &self,
        status_list_id: &str,
    ) -> Result<Vec<(u64, CredentialStatus)>, RecordError> {
        let rows: Vec<(i64, String)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT status_list_index, status FROM credential_status_list \
                 WHERE status_list_id = $1 ORDER BY status_list_index",
            )
            .bind(status_list_id)
            .fetch_all(pool)
            .await
            .map_err(db("read status list"))?
        });
        rows.into_iter()
            .map(|(index, status)| {
                Ok((
                    from_db_integer("credential_status_list.status_list_index", index)?,
                    CredentialStatus::parse(status_list_id, &status)?,
                ))
            })
            .collect()
    }

    /// Claims an idempotency key for an outbound Mass call, or reports what became of an
    /// earlier call with the same key.
    pub async fn begin_mass_call(
        &self,
        idempotency_key: &str,
        service: &str,
        request_digest: &Digest,
        now_unix_ms: i64,
    ) -> Result<IdempotencyState, RecordError> {
        let existing: Option<(Vec<u8>, Option<Vec<u8>>)> = with_write_tx!(self, |tx, _dialect| {
            let inserted = sqlx::query(
                "INSERT INTO mass_idempotency (idempotency_key, service, request_digest, \
                 created_at_unix_ms) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(idempotency_key)
            .bind(service)
            .bind(request_digest.as_bytes().as_slice())
            .bind(now_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("insert idempotency record"))?
            .rows_affected();
            if inserted == 1 {
                None
            } else {
                Some(
                    sqlx::query_as(
                        "SELECT request_digest, response FROM mass_idempotency \
                         WHERE idempotency_key = $1",
                    )
                    .bind(idempotency_key)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db("read idempotency record"))?,
                )
            }
        });
        let Some((stored, response)) = existing else {
            return Ok(IdempotencyState::New);
        };
        let stored = digest_column("mass_idempotency.request_digest", &stored)?;
        if stored != *request_digest {
            return Err(RecordError::IdempotencyKeyReused {
                idempotency_key: idempotency_key.to_owned(),
                stored,
                offered: *request_digest,
            });
        }
        Ok(response.map_or(IdempotencyState::Pending, IdempotencyState::Completed))
    }

    /// Records the response of a Mass call started with `begin_mass_call`.
    pub async fn complete_mass_call(
        &self,
        idempotency_key: &str,
        response: &[u8],
        now_unix_ms: i64,
    ) -> Result<(), RecordError> {
        let updated = with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "UPDATE mass_idempotency SET response = $2, completed_at_unix_ms = $3 \
                 WHERE idempotency_key = $1",
            )
            .bind(idempotency_key)
            .bind(response)
            .bind(now_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("complete idempotency record"))?
            .rows_affected()
        });
        if updated == 0 {
            return Err(RecordError::NotFound {
                table: "mass_idempotency",
                key: idempotency_key.to_owned(),
            });
        }
        Ok(())
    }

    /// Forgets a Mass call started with `begin_mass_call` whose outcome was never recorded,
    /// because the caller knows it was not applied (Mass refused it, or it was never sent):
    /// the next `begin_mass_call` with that key is `New` again. Returns whether a pending
    /// record was removed; a completed record is never removed.
    pub async fn abandon_mass_call(&self, idempotency_key: &str) -> Result<bool, StoreError> {
        let removed = with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "DELETE FROM mass_idempotency WHERE idempotency_key = $1 AND response IS NULL",
            )
            .bind(idempotency_key)
            .execute(&mut *tx)
            .await
            .map_err(db("abandon idempotency record"))?
            .rows_affected()
        });
        Ok(removed == 1)
    }

    /// Stores a SPEC §7 checkpoint after `receipt_count` receipts (idempotent per count).
    pub async fn put_checkpoint(
        &self,
        corridor_id: &CorridorId,
        receipt_count: u64,
        checkpoint: &CanonicalBytes,
    ) -> Result<Digest, StoreError> {
        let count = to_db_integer("receipt_count", receipt_count)?;
        let digest = checkpoint.digest();
        with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "INSERT INTO checkpoints (corridor_id, receipt_count, digest, checkpoint) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(corridor_id.as_str())
            .bind(count)
            .bind(digest.as_bytes().as_slice())
            .bind(checkpoint.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(db("insert checkpoint"))?;
        });
        Ok(digest)
    }

    /// The corridor's latest checkpoint and the receipt count it covers, rehashed.
    pub async fn latest_checkpoint(
        &self,
        corridor_id: &CorridorId,
    ) -> Result<Option<(u64, CanonicalBytes)>, StoreError> {
        let row: Option<(i64, Vec<u8>, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT receipt_count, digest, checkpoint FROM checkpoints \
                 WHERE corridor_id = $1 ORDER BY receipt_count DESC LIMIT 1",
            )
            .bind(corridor_id.as_str())
            .fetch_optional(pool)
            .await
            .map_err(db("read checkpoint"))?
        });
        let Some((count, digest, bytes)) = row else {
            return Ok(None);
        };
        let receipt_count = from_db_integer("checkpoints.receipt_count", count)?;
        let digest = digest_column("checkpoints.digest", &digest)?;
        let key = format!("{corridor_id}@{receipt_count}");
        Ok(Some((
            receipt_count,
            verified_document("checkpoints", key, &bytes, &digest)?,
        )))
    }

    /// Records where a checkpoint was anchored. The same anchor again is idempotent; a
    /// different one on the same chain is refused with [`RecordError::Conflict`].
    pub async fn put_anchor(&self, record: &AnchorRecord) -> Result<(), RecordError> {
        let digest = record.checkpoint_digest.as_bytes().as_slice();
        with_write_tx!(self, |tx, _dialect| {
            let inserted = sqlx::query(
                "INSERT INTO anchors (checkpoint_digest, anchor_chain, anchor_reference, \
                 anchored_at_unix_ms) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(digest)
            .bind(&record.anchor_chain)
            .bind(&record.anchor_reference)
            .bind(record.anchored_at_unix_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("insert anchor"))?
            .rows_affected();
            if inserted == 0 {
                let stored: (String, i64) = sqlx::query_as(
                    "SELECT anchor_reference, anchored_at_unix_ms FROM anchors \
                     WHERE checkpoint_digest = $1 AND anchor_chain = $2",
                )
                .bind(digest)
                .bind(&record.anchor_chain)
                .fetch_one(&mut *tx)
                .await
                .map_err(db("read stored anchor"))?;
                if stored != (record.anchor_reference.clone(), record.anchored_at_unix_ms) {
                    return Err(RecordError::Conflict {
                        table: "anchors",
                        key: format!("{}@{}", record.checkpoint_digest, record.anchor_chain),
                    });
                }
            }
        });
        Ok(())
    }

    /// Every anchor of a checkpoint, by chain.
    pub async fn anchors(
        &self,
        checkpoint_digest: &Digest,
    ) -> Result<Vec<AnchorRecord>, StoreError> {
        let rows: Vec<(String, String, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT anchor_chain, anchor_reference, anchored_at_unix_ms FROM anchors \
                 WHERE checkpoint_digest = $1 ORDER BY anchor_chain",
            )
            .bind(checkpoint_digest.as_bytes().as_slice())
            .fetch_all(pool)
            .await
            .map_err(db("read anchors"))?
        });
        Ok(rows
            .into_iter()
            .map(
                |(anchor_chain, anchor_reference, anchored_at_unix_ms)| AnchorRecord {
                    checkpoint_digest: *checkpoint_digest,
                    anchor_chain,
                    anchor_reference,
                    anchored_at_unix_ms,
                },
            )
            .collect())
    }

    /// Caches a Mass fact for `ttl` (database clock), replacing an earlier value.
    pub async fn put_mass_fact(
        &self,
        fact_key: &str,
        fact: &[u8],
        ttl: Duration,
    ) -> Result<(), RecordError> {
        if ttl.is_zero() || ttl > MASS_FACT_TTL_MAX {
            return Err(RecordError::TtlOutOfRange {
                ttl_ms: ttl.as_millis(),
            });
        }
        // At most MASS_FACT_TTL_MAX (86,400,000 ms), so the conversion cannot fail.
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        with_write_tx!(self, |tx, dialect| {
            let sql = format!(
                "INSERT INTO mass_fact_cache (fact_key, fact, expires_at_unix_ms) \
                 VALUES ($1, $2, {now} + $3) ON CONFLICT (fact_key) DO UPDATE \
                 SET fact = excluded.fact, expires_at_unix_ms = excluded.expires_at_unix_ms",
                now = dialect.now_unix_ms
            );
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(fact_key)
                .bind(fact)
                .bind(ttl_ms)
                .execute(&mut *tx)
                .await
                .map_err(db("cache mass fact"))?;
        });
        Ok(())
    }

    /// A cached Mass fact, unless it has expired (database clock).
    pub async fn mass_fact(&self, fact_key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(with_reader!(self, |pool, dialect| {
            let sql = format!(
                "SELECT fact FROM mass_fact_cache WHERE fact_key = $1 AND expires_at_unix_ms > {now}",
                now = dialect.now_unix_ms
            );
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(fact_key)
                .fetch_optional(pool)
                .await
                .map_err(db("read mass fact"))?
        }))
    }
}

/// Inside the write transaction `$tx`, moves row `$key` of `$table` (key column `$key_column`,
/// both constants of this crate) from `$from_state` to `$to_state`, or returns
/// [`RecordError::StateChanged`] / [`RecordError::NotFound`] from the enclosing function (the
/// transaction is dropped, so nothing written before it in the transaction survives). The one
/// compare-and-set of a lifecycle state, shared by [`set_state`] and the multi-row moves.
macro_rules! compare_and_set_state {
    ($tx:ident, $table:expr, $key_column:expr, $key:expr, $from_state:expr, $to_state:expr) => {{
        let table: &'static str = $table;
        let key_column: &'static str = $key_column;
        let key: &str = $key;
        let from_state: &str = $from_state;
        let update =
            format!("UPDATE {table} SET state = $3 WHERE {key_column} = $1 AND state = $2");
        let updated = sqlx::query(sqlx::AssertSqlSafe(update))
            .bind(key)
            .bind(from_state)
            .bind($to_state)
            .execute(&mut *$tx)
            .await
            .map_err($crate::error::db("update state"))?
            .rows_affected();
        if updated == 0 {
            let select = format!("SELECT state FROM {table} WHERE {key_column} = $1");
            let current: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(select))
                .bind(key)
                .fetch_optional(&mut *$tx)
                .await
                .map_err($crate::error::db("read state"))?;
            return Err(match current {
                None => $crate::records::RecordError::NotFound {
                    table,
                    key: key.to_owned(),
                },
                Some(current_state) => $crate::records::RecordError::StateChanged {
                    table,
                    key: key.to_owned(),
                    expected_state: from_state.to_owned(),
                    current_state,
                },
            });
        }
    }};
}
pub(crate) use compare_and_set_state;

/// Moves row `key` of `table` (whose key column is `key_column` and which has a `state`
/// column) from `from_state` to `to_state` in one conditional `UPDATE`; refused with
/// [`RecordError::StateChanged`] or [`RecordError::NotFound`]. `table` and `key_column` are
/// constants of this crate, never input.
pub(crate) async fn set_state(
    store: &Store,
    table: &'static str,
    key_column: &'static str,
    key: &str,
    from_state: &str,
    to_state: &str,
) -> Result<(), RecordError> {
    with_write_tx!(store, |tx, _dialect| {
        compare_and_set_state!(tx, table, key_column, key, from_state, to_state);
    });
    Ok(())
}

/// A stored document without a digest column, checked to be canonical JSON.
pub(crate) fn canonical_document(
    table: &'static str,
    key: &str,
    bytes: &[u8],
) -> Result<CanonicalBytes, StoreError> {
    match CanonicalBytes::parse(bytes) {
        Ok(canonical) if canonical.as_bytes() == bytes => Ok(canonical),
        _ => Err(StoreError::DocumentNotCanonical {
            table,
            key: key.to_owned(),
        }),
    }
}

/// A stored document, checked to be canonical JSON hashing to `digest`.
pub(crate) fn verified_document(
    table: &'static str,
    key: String,
    bytes: &[u8],
    digest: &Digest,
) -> Result<CanonicalBytes, StoreError> {
    match CanonicalBytes::parse(bytes) {
        Ok(canonical) if canonical.as_bytes() == bytes && canonical.digest() == *digest => {
            Ok(canonical)
        }
        _ => Err(StoreError::DocumentDigestMismatch { table, key }),
    }
}
