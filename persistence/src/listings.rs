//! Paged listings of the zone's registries for the API: packs by digest and issued credentials
//! by id (the regulator console and the pack list read these).
//!
//! Owns [`PackSummary`], [`CredentialSummary`], [`PACKS_PAGE_MAX`], [`CREDENTIALS_PAGE_MAX`]
//! and the `pack_summaries` and `credential_summaries` methods of [`Store`].
//!
//! Pages are keyset pages: rows strictly after the last key the caller saw, in key order, so a
//! page never repeats or skips a row that existed when both pages were read.
//!
//! Never: returns a document (a summary names a row; the document is read, and rehashed, by
//! its own method), or a page larger than its limit.

use msez_protocol::digest::Digest;

use crate::error::{StoreError, db, digest_column};
use crate::records::{CredentialStatus, RecordError};
use crate::store::{Store, check_page, from_db_integer};

/// The most packs one `pack_summaries` call returns. A summary is about a hundred bytes, so a
/// page of 1,000 stays near 100 KiB; a zone pins tens of packs, and history grows slowly.
pub const PACKS_PAGE_MAX: u64 = 1_000;

/// The most credentials one `credential_summaries` call returns: 1,000 summaries are a few
/// hundred KiB, and a zone issuing a million credentials lists them in a thousand pages.
pub const CREDENTIALS_PAGE_MAX: u64 = 1_000;

/// One stored pack, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackSummary {
    /// The digest it is filed under.
    pub digest: Digest,
    /// `lawpack`, `regpack` or `licensepack`.
    pub pack_kind: String,
    /// Size of its canonical bytes.
    pub size_bytes: u64,
}

/// One issued credential, without its document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialSummary {
    /// Its id.
    pub credential_id: String,
    /// Its `MSEZ…Credential` type.
    pub credential_type: String,
    /// The issuer's did:key.
    pub issuer: String,
    /// Its status.
    pub status: CredentialStatus,
    /// The status list it is entered in.
    pub status_list_id: String,
    /// Its slot there.
    pub status_list_index: u64,
    /// When it was issued (Unix ms).
    pub issued_at_unix_ms: i64,
}

/// A credential summary row: id, type, issuer, status, list id, list index, issued at.
type CredentialSummaryRow = (String, String, String, String, String, i64, i64);

impl Store {
    /// Up to `count_max` (≤ [`PACKS_PAGE_MAX`]) packs with a digest above `after`, in digest
    /// order (bytewise); pass the last digest seen as `after` for the next page.
    pub async fn pack_summaries(
        &self,
        after: Option<&Digest>,
        count_max: u64,
    ) -> Result<Vec<PackSummary>, StoreError> {
        let limit = check_page(count_max, PACKS_PAGE_MAX)?;
        let after = after.map(|digest| digest.as_bytes().to_vec());
        let rows: Vec<(Vec<u8>, String, i64)> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT digest, pack_kind, CAST(length(pack) AS BIGINT) FROM packs \
                 WHERE ($1 IS NULL OR digest > $1) ORDER BY digest LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("list packs"))?
        });
        rows.into_iter()
            .map(|(digest, pack_kind, size_bytes)| {
                Ok(PackSummary {
                    digest: digest_column("packs.digest", &digest)?,
                    pack_kind,
                    size_bytes: from_db_integer("length(packs.pack)", size_bytes)?,
                })
            })
            .collect()
    }

    /// Up to `count_max` (≤ [`CREDENTIALS_PAGE_MAX`]) issued credentials with an id after
    /// `after`, in id order; pass the last id seen as `after` for the next page.
    pub async fn credential_summaries(
        &self,
        after: Option<&str>,
        count_max: u64,
    ) -> Result<Vec<CredentialSummary>, RecordError> {
        let limit = check_page(count_max, CREDENTIALS_PAGE_MAX)?;
        let rows: Vec<CredentialSummaryRow> = with_reader!(self, |pool, _dialect| {
            sqlx::query_as(
                "SELECT credential_id, credential_type, issuer, status, status_list_id, \
                 status_list_index, issued_at_unix_ms FROM credentials \
                 WHERE ($1 IS NULL OR credential_id > $1) ORDER BY credential_id LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await
            .map_err(db("list credentials"))?
        });
        rows.into_iter()
            .map(
                |(credential_id, credential_type, issuer, status, list_id, index, issued)| {
                    Ok(CredentialSummary {
                        status: CredentialStatus::parse(&credential_id, &status)?,
                        credential_id,
                        credential_type,
                        issuer,
                        status_list_id: list_id,
                        status_list_index: from_db_integer("credentials.status_list_index", index)?,
                        issued_at_unix_ms: issued,
                    })
                },
            )
            .collect()
    }
}
