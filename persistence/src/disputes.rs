//! Disputes between corridor parties and the evidence filed in them.
//!
//! Owns [`DisputeRecord`], [`EvidenceRecord`] and their methods on [`Store`].
//!
//! A dispute's state is the protocol's dispute lifecycle state as text, changed only by
//! compare-and-set (`set_dispute_state`). Evidence is append-only: each piece gets the next
//! `evidence_index` of its dispute inside the insert's transaction, and is rehashed on read.
//!
//! Never: decides a dispute or whether a transition is legal, edits or deletes evidence, or
//! returns a document it could not verify.

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::CorridorId;

use crate::error::{StoreError, db, digest_column};
use crate::records::{RecordError, canonical_document, set_state, verified_document};
use crate::store::{Store, from_db_integer};

/// The most pieces of evidence one dispute may hold: arbitration reads all of it at once, and
/// a dispute with more is an attack on the arbiter's memory, not a case.
pub const EVIDENCE_PER_DISPUTE_MAX: u64 = 1_024;

/// A dispute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRecord {
    /// The dispute's id.
    pub dispute_id: String,
    /// The corridor it concerns.
    pub corridor_id: CorridorId,
    /// Its lifecycle state.
    pub state: String,
    /// When it was opened (Unix ms, caller's clock).
    pub opened_at_unix_ms: i64,
    /// The canonical claim that opened it.
    pub claim: CanonicalBytes,
}

/// One piece of evidence, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceRecord {
    /// 0 for the first piece, then +1.
    pub evidence_index: u64,
    /// The canonical evidence document, rehashed.
    pub evidence: CanonicalBytes,
}

impl Store {
    /// Opens a dispute (the primary key refuses a second one with the same id).
    pub async fn open_dispute(&self, record: &DisputeRecord) -> Result<(), StoreError> {
        with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "INSERT INTO disputes (dispute_id, corridor_id, state, opened_at_unix_ms, claim) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&record.dispute_id)
            .bind(record.corridor_id.as_str())
            .bind(&record.state)
            .bind(record.opened_at_unix_ms)
            .bind(record.claim.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(db("insert dispute"))?;
        });
        Ok(())
    }

    /// A stored dispute.
    pub async fn dispute(&self, dispute_id: &str) -> Result<Option<DisputeRecord>, StoreError> {
        let row: Option<(String, String, i64, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT corridor_id, state, opened_at_unix_ms, claim FROM disputes \
                 WHERE dispute_id = $1",
            )
            .bind(dispute_id)
            .fetch_optional(pool)
            .await
            .map_err(db("read dispute"))?
        });
        let Some((corridor_id, state, opened_at_unix_ms, claim)) = row else {
            return Ok(None);
        };
        let corridor_id =
            CorridorId::new(corridor_id.clone()).map_err(|_| StoreError::IdColumnInvalid {
                column: "disputes.corridor_id",
                value: corridor_id,
            })?;
        Ok(Some(DisputeRecord {
            dispute_id: dispute_id.to_owned(),
            corridor_id,
            state,
            opened_at_unix_ms,
            claim: canonical_document("disputes", dispute_id, &claim)?,
        }))
    }

    /// Moves a dispute from `from_state` to `to_state` if it is still in `from_state`.
    pub async fn set_dispute_state(
        &self,
        dispute_id: &str,
        from_state: &str,
        to_state: &str,
    ) -> Result<(), RecordError> {
        set_state(
            self,
            "disputes",
            "dispute_id",
            dispute_id,
            from_state,
            to_state,
        )
        .await
    }

    /// Files evidence in a dispute and returns its index. Refused with
    /// [`RecordError::NotFound`] for an unknown dispute and [`RecordError::EvidenceFull`]
    /// past [`EVIDENCE_PER_DISPUTE_MAX`] pieces.
    pub async fn add_evidence(
        &self,
        dispute_id: &str,
        evidence: &CanonicalBytes,
    ) -> Result<u64, RecordError> {
        let digest = evidence.digest();
        with_write_tx!(self, |tx, _dialect| {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT CAST(1 AS BIGINT) FROM disputes WHERE dispute_id = $1")
                    .bind(dispute_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db("read dispute"))?;
            if exists.is_none() {
                return Err(RecordError::NotFound {
                    table: "disputes",
                    key: dispute_id.to_owned(),
                });
            }
            let next: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(evidence_index) + 1, 0) FROM dispute_evidence \
                 WHERE dispute_id = $1",
            )
            .bind(dispute_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("read evidence count"))?;
            let evidence_index = from_db_integer("dispute_evidence.evidence_index", next)?;
            if evidence_index >= EVIDENCE_PER_DISPUTE_MAX {
                return Err(RecordError::EvidenceFull {
                    dispute_id: dispute_id.to_owned(),
                });
            }
            sqlx::query(
                "INSERT INTO dispute_evidence (dispute_id, evidence_index, digest, evidence) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(dispute_id)
            .bind(next)
            .bind(digest.as_bytes().as_slice())
            .bind(evidence.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(db("insert evidence"))?;
            Ok(evidence_index)
        })
    }

    /// Every piece of evidence in a dispute, in filing order, each rehashed.
    pub async fn evidence(&self, dispute_id: &str) -> Result<Vec<EvidenceRecord>, StoreError> {
        let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT evidence_index, digest, evidence FROM dispute_evidence \
                 WHERE dispute_id = $1 ORDER BY evidence_index",
            )
            .bind(dispute_id)
            .fetch_all(pool)
            .await
            .map_err(db("read evidence"))?
        });
        rows.into_iter()
            .map(|(index, digest, evidence)| {
                let evidence_index = from_db_integer("dispute_evidence.evidence_index", index)?;
                let digest = digest_column("dispute_evidence.digest", &digest)?;
                let key = format!("{dispute_id}#{evidence_index}");
                Ok(EvidenceRecord {
                    evidence_index,
                    evidence: verified_document("dispute_evidence", key, &evidence, &digest)?,
                })
            })
            .collect()
    }
}
