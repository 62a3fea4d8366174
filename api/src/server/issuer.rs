//! The credentials this node issues: built from a typed subject, entered in the next slot of a
//! status list of this zone, signed with the zone key and recorded in the store's VC audit log,
//! all in one store transaction.
//!
//! Owns [`issue_recorded`], [`issue_once`] (for credentials whose id is fixed by what they
//! record, so an interrupted or racing issuer finds the one already recorded) and
//! [`status_list_credential`].
//!
//! Never: issues a credential that is not recorded (a credential nobody can revoke), or
//! decides what a subject says (the caller brings a checked `msez_protocol` subject).

use msez_persistence::issuance::SlotError;
use msez_persistence::records::CredentialRecord;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CredentialSubject;
use msez_protocol::vc::{
    Credential, CredentialStatus, CredentialTerms, StatusEntryType, StatusPurpose, issue,
};
use serde_json::Value;

use super::error::ApiError;
use super::state::AppState;

/// The URI of one of this zone's status lists (served at
/// `GET /v1/credentials/status-lists/{status_list_id}`).
pub fn status_list_credential(status_list_id: &str) -> String {
    format!("urn:msez:status-list:{status_list_id}")
}

/// Issues a credential of `S`'s type with id `credential_id`, valid from `issued_at`, revocable
/// through the next slot of `status_list_id`, and records it; returns the record and the
/// signed credential.
pub async fn issue_recorded<S: CredentialSubject>(
    state: &AppState,
    subject: &S,
    credential_id: &str,
    status_list_id: &str,
    issued_at: Timestamp,
) -> Result<(CredentialRecord, Value), ApiError> {
    let key = state.zone_key();
    let build = |status_list_index: u64| -> Result<CredentialRecord, ApiError> {
        let list_uri = status_list_credential(status_list_id);
        let terms = CredentialTerms {
            id: Some(credential_id.to_owned()),
            issuer: *key.did(),
            valid_from: issued_at,
            valid_until: None,
            status: Some(CredentialStatus {
                id: format!("{list_uri}#{status_list_index}"),
                status_type: StatusEntryType::BitstringStatusListEntry,
                status_purpose: StatusPurpose::Revocation,
                status_list_index,
                status_list_credential: list_uri,
            }),
        };
        let credential = Credential::build(subject, terms).map_err(ApiError::internal)?;
        let signed = issue(&credential, key, issued_at).map_err(ApiError::internal)?;
        Ok(CredentialRecord {
            credential_id: credential_id.to_owned(),
            credential_type: S::CREDENTIAL_TYPE.to_string(),
            issuer: key.did().to_string(),
            credential: CanonicalBytes::new(&signed).map_err(ApiError::internal)?,
            status_list_id: status_list_id.to_owned(),
            status_list_index,
            issued_at_unix_ms: issued_at.unix_seconds().saturating_mul(1000),
        })
    };
    let record = state
        .store()
        .record_credential_in_next_slot(status_list_id, build)
        .await
        .map_err(|error| match error {
            SlotError::Build(error) => error,
            SlotError::ListFull { .. } => ApiError::Conflict {
                message: error.to_string(),
            },
            SlotError::SlotMismatch { .. } | SlotError::Store(_) => ApiError::internal(error),
        })?;
    let signed =
        serde_json::from_slice(record.credential.as_bytes()).map_err(ApiError::internal)?;
    Ok((record, signed))
}

/// The credential recorded under `credential_id`: the one an interrupted or concurrent issuer
/// already recorded, else a new one issued as [`issue_recorded`] does.
pub async fn issue_once<S: CredentialSubject>(
    state: &AppState,
    subject: &S,
    credential_id: &str,
    status_list_id: &str,
    issued_at: Timestamp,
) -> Result<Value, ApiError> {
    if let Some(recorded) = recorded_credential(state, credential_id).await? {
        return Ok(recorded);
    }
    match issue_recorded(state, subject, credential_id, status_list_id, issued_at).await {
        Ok((_, credential)) => Ok(credential),
        // Lost a race to record the same id: the winner's credential is the one.
        Err(error) => recorded_credential(state, credential_id)
            .await?
            .ok_or(error),
    }
}

/// The signed credential recorded under `credential_id`, if any.
pub async fn recorded_credential(
    state: &AppState,
    credential_id: &str,
) -> Result<Option<Value>, ApiError> {
    let Some(stored) = state
        .store()
        .credential(credential_id)
        .await
        .map_err(ApiError::internal)?
    else {
        return Ok(None);
    };
    serde_json::from_slice(stored.record.credential.as_bytes())
        .map(Some)
        .map_err(ApiError::internal)
}
