//! Compliance state MSEZ owns: snapshots of the compliance tensor and the versioned agentic
//! policies.
//!
//! Owns [`TensorSnapshot`], [`PolicyRecord`], [`POLICY_VERSIONS_PAGE_MAX`] and their methods
//! on [`Store`].
//!
//! A tensor snapshot is filed under its subject and the digest of its canonical bytes (so
//! writing the same tensor twice is one row); the latest by `taken_at_unix_ms` is the current
//! one. A policy version is immutable: writing the same bytes again is idempotent, different
//! bytes under an existing `(policy_id, version)` are refused.
//!
//! Never: evaluates a tensor or a policy, rewrites a stored version, or returns a document it
//! could not verify.

use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;

use crate::error::{StoreError, db, digest_column};
use crate::records::{RecordError, verified_document};
use crate::store::{Store, check_page, from_db_integer, to_db_integer};

/// The most versions of one policy one `policy_versions` call returns; page with
/// `from_version`. A policy changes a few times a year; 1,000 versions is a long history and a
/// page of a few hundred kilobytes.
pub const POLICY_VERSIONS_PAGE_MAX: u64 = 1_000;

/// A compliance tensor snapshot, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSnapshot {
    /// Whose tensor (an entity or corridor id).
    pub subject_id: String,
    /// When it was taken (Unix ms, caller's clock).
    pub taken_at_unix_ms: i64,
    /// The canonical tensor, rehashed.
    pub tensor: CanonicalBytes,
}

/// One version of an agentic policy, as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRecord {
    /// The policy's id.
    pub policy_id: String,
    /// Its version (versions only grow).
    pub version: u64,
    /// The canonical policy, rehashed.
    pub policy: CanonicalBytes,
}

impl Store {
    /// Files a tensor snapshot of `subject_id` and returns its digest (idempotent).
    pub async fn put_tensor_snapshot(
        &self,
        subject_id: &str,
        taken_at_unix_ms: i64,
        tensor: &CanonicalBytes,
    ) -> Result<Digest, StoreError> {
        let digest = tensor.digest();
        with_write_tx!(self, |tx, _dialect| {
            sqlx::query(
                "INSERT INTO tensor_snapshots (subject_id, digest, taken_at_unix_ms, tensor) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(subject_id)
            .bind(digest.as_bytes().as_slice())
            .bind(taken_at_unix_ms)
            .bind(tensor.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(db("insert tensor snapshot"))?;
        });
        Ok(digest)
    }

    /// The subject's latest tensor snapshot by `taken_at_unix_ms`, rehashed.
    pub async fn latest_tensor_snapshot(
        &self,
        subject_id: &str,
    ) -> Result<Option<TensorSnapshot>, StoreError> {
        let row: Option<(Vec<u8>, i64, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT digest, taken_at_unix_ms, tensor FROM tensor_snapshots \
                 WHERE subject_id = $1 ORDER BY taken_at_unix_ms DESC, digest DESC LIMIT 1",
            )
            .bind(subject_id)
            .fetch_optional(pool)
            .await
            .map_err(db("read tensor snapshot"))?
        });
        let Some((digest, taken_at_unix_ms, tensor)) = row else {
            return Ok(None);
        };
        let digest = digest_column("tensor_snapshots.digest", &digest)?;
        let key = format!("{subject_id}@{taken_at_unix_ms}");
        Ok(Some(TensorSnapshot {
            subject_id: subject_id.to_owned(),
            taken_at_unix_ms,
            tensor: verified_document("tensor_snapshots", key, &tensor, &digest)?,
        }))
    }

    /// Stores version `version` of a policy and returns its digest. The same bytes again are
    /// idempotent; different bytes are refused with [`RecordError::Conflict`].
    pub async fn put_policy(
        &self,
        policy_id: &str,
        version: u64,
        policy: &CanonicalBytes,
    ) -> Result<Digest, RecordError> {
        let version_db = to_db_integer("version", version)?;
        let digest = policy.digest();
        with_write_tx!(self, |tx, _dialect| {
            let inserted = sqlx::query(
                "INSERT INTO policies (policy_id, version, digest, policy) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(policy_id)
            .bind(version_db)
            .bind(digest.as_bytes().as_slice())
            .bind(policy.as_bytes())
            .execute(&mut *tx)
            .await
            .map_err(db("insert policy"))?
            .rows_affected();
            if inserted == 0 {
                let stored: Vec<u8> = sqlx::query_scalar(
                    "SELECT digest FROM policies WHERE policy_id = $1 AND version = $2",
                )
                .bind(policy_id)
                .bind(version_db)
                .fetch_one(&mut *tx)
                .await
                .map_err(db("read stored policy digest"))?;
                if digest_column("policies.digest", &stored)? != digest {
                    return Err(RecordError::Conflict {
                        table: "policies",
                        key: format!("{policy_id}@{version}"),
                    });
                }
            }
        });
        Ok(digest)
    }

    /// The latest version of every policy, by policy id, each rehashed: what the agentic
    /// engine loads at start.
    pub async fn latest_policies(&self) -> Result<Vec<PolicyRecord>, StoreError> {
        let rows: Vec<(String, i64, Vec<u8>, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT p.policy_id, p.version, p.digest, p.policy FROM policies p \
                 WHERE p.version = (SELECT MAX(q.version) FROM policies q \
                     WHERE q.policy_id = p.policy_id) \
                 ORDER BY p.policy_id",
            )
            .fetch_all(pool)
            .await
            .map_err(db("read policies"))?
        });
        rows.into_iter()
            .map(|(policy_id, version, digest, policy)| {
                policy_record(&policy_id, version, &digest, &policy)
            })
            .collect()
    }
}

impl Store {
    /// Up to `count_max` (≤ [`POLICY_VERSIONS_PAGE_MAX`]) stored versions of `policy_id` from
    /// `from_version` on, oldest first, each rehashed.
    pub async fn policy_versions(
        &self,
        policy_id: &str,
        from_version: u64,
        count_max: u64,
    ) -> Result<Vec<PolicyRecord>, StoreError> {
        let from = to_db_integer("from_version", from_version)?;
        let limit = check_page(count_max, POLICY_VERSIONS_PAGE_MAX)?;
        let rows: Vec<(i64, Vec<u8>, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT version, digest, policy FROM policies \
                 WHERE policy_id = $1 AND version >= $2 ORDER BY version LIMIT $3",
            )
            .bind(policy_id)
            .bind(from)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("read policy versions"))?
        });
        rows.into_iter()
            .map(|(version, digest, policy)| policy_record(policy_id, version, &digest, &policy))
            .collect()
    }

    /// The latest stored version of `policy_id`, if any.
    pub async fn policy_version_latest(
        &self,
        policy_id: &str,
    ) -> Result<Option<PolicyRecord>, StoreError> {
        let row: Option<(i64, Vec<u8>, Vec<u8>)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT version, digest, policy FROM policies WHERE policy_id = $1 \
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(policy_id)
            .fetch_optional(pool)
            .await
            .map_err(db("read latest policy version"))?
        });
        row.map(|(version, digest, policy)| policy_record(policy_id, version, &digest, &policy))
            .transpose()
    }
}

/// A policy row, its digest checked against its bytes.
fn policy_record(
    policy_id: &str,
    version: i64,
    digest: &[u8],
    policy: &[u8],
) -> Result<PolicyRecord, StoreError> {
    let version = from_db_integer("policies.version", version)?;
    let digest = digest_column("policies.digest", digest)?;
    let key = format!("{policy_id}@{version}");
    Ok(PolicyRecord {
        policy: verified_document("policies", key, policy, &digest)?,
        policy_id: policy_id.to_owned(),
        version,
    })
}
