//! Credentials: read an issued credential, verify any credential, revoke, read a status list.
//!
//! Never: issues a credential here (flows that issue record through the `Store`), or reports a
//! credential verified without checking its proofs.

use axum::Json;
use axum::extract::{Path, State};
use msez_persistence::records::{CredentialStatus, RecordError};
use msez_protocol::vc::verify_credential;
use serde_json::{Value, json};

use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::handlers::{now, now_unix_ms};
use crate::server::state::AppState;

/// `GET /v1/credentials/{credential_id}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(credential_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let stored = state
        .store()
        .credential(&credential_id)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("credential", &credential_id))?;
    let credential: Value =
        serde_json::from_slice(stored.record.credential.as_bytes()).map_err(ApiError::internal)?;
    let record = &stored.record;
    Ok(Json(json!({
        "credential_id": record.credential_id,
        "credential_type": record.credential_type,
        "issuer": record.issuer,
        "status": stored.status.as_str(),
        "status_list_id": record.status_list_id,
        "status_list_index": record.status_list_index,
        "issued_at_unix_ms": record.issued_at_unix_ms,
        "credential": credential,
    })))
}

/// `POST /v1/credentials/verify`: the verification report, plus the recorded status when this
/// zone issued the credential (`unknown` otherwise).
pub(crate) async fn verify(
    State(state): State<AppState>,
    JsonBody(credential): JsonBody,
) -> Result<Json<Value>, ApiError> {
    if !credential.is_object() {
        return Err(ApiError::invalid("body", "a credential is a JSON object"));
    }
    let report = verify_credential(&credential, now()?);
    let recorded = match &report.credential_id {
        Some(id) => state
            .store()
            .credential(id)
            .await
            .map_err(ApiError::internal)?
            .map(|stored| stored.status.as_str()),
        None => None,
    };
    let report = serde_json::to_value(&report).map_err(ApiError::internal)?;
    Ok(Json(json!({
        "verification": report,
        "recorded_status": recorded.unwrap_or("unknown"),
    })))
}

/// `POST /v1/credentials/{credential_id}/revoke`.
pub(crate) async fn revoke(
    State(state): State<AppState>,
    Path(credential_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let changed_at_unix_ms = now_unix_ms()?;
    match state
        .store()
        .set_credential_status(
            &credential_id,
            CredentialStatus::Revoked,
            changed_at_unix_ms,
        )
        .await
    {
        Ok(()) => Ok(Json(
            json!({"credential_id": credential_id, "status": "revoked"}),
        )),
        Err(RecordError::NotFound { .. }) => Err(ApiError::not_found("credential", &credential_id)),
        Err(error) => Err(ApiError::internal(error)),
    }
}

/// `GET /v1/credentials/status-lists/{status_list_id}`: `{status_list_id, entries:[{index,
/// status}]}`.
pub(crate) async fn status_list(
    State(state): State<AppState>,
    Path(status_list_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let entries = state
        .store()
        .status_list(&status_list_id)
        .await
        .map_err(ApiError::internal)?;
    if entries.is_empty() {
        return Err(ApiError::not_found("status list", &status_list_id));
    }
    let entries: Vec<Value> = entries
        .into_iter()
        .map(|(index, status)| json!({"index": index, "status": status.as_str()}))
        .collect();
    Ok(Json(
        json!({"status_list_id": status_list_id, "entries": entries}),
    ))
}
