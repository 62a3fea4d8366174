//! Orchestration routes: one per Mass-facing flow. Each reads the `Idempotency-Key` header,
//! checks the body against its schema and runs the flow (`crate::server::orchestration`).
//!
//! Never: calls Mass or writes a record itself (the flow does both, through the Mass pool and
//! the store), or runs a flow without a key (a retry could then write twice).

use axum::extract::State;
use axum::http::HeaderMap;
use msez_protocol::orchestration::{FlowKind, RequestKey};
use msez_schemas::SchemaId;
use serde_json::Value;

use crate::server::body::{JsonBody, check_schema};
use crate::server::error::ApiError;
use crate::server::orchestration::{Answered, run};
use crate::server::state::AppState;

/// The request header that keys a flow.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// `POST /v1/orchestration/entity-formations`.
pub(crate) async fn entity_formation(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Answered, ApiError> {
    flow(&state, &headers, body, FlowKind::EntityFormation).await
}

/// `POST /v1/orchestration/payments`.
pub(crate) async fn payment(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Answered, ApiError> {
    flow(&state, &headers, body, FlowKind::Payment).await
}

/// `POST /v1/orchestration/ownership-changes`.
pub(crate) async fn ownership_change(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Answered, ApiError> {
    flow(&state, &headers, body, FlowKind::OwnershipChange).await
}

/// `POST /v1/orchestration/identity-verifications`.
pub(crate) async fn identity_verification(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(body): JsonBody,
) -> Result<Answered, ApiError> {
    flow(&state, &headers, body, FlowKind::IdentityVerification).await
}

async fn flow(
    state: &AppState,
    headers: &HeaderMap,
    body: Value,
    kind: FlowKind,
) -> Result<Answered, ApiError> {
    let key = request_key(headers)?;
    let schema = match kind {
        FlowKind::EntityFormation => SchemaId::EntityFormationRequest,
        FlowKind::Payment => SchemaId::PaymentRequest,
        FlowKind::OwnershipChange => SchemaId::OwnershipChangeRequest,
        FlowKind::IdentityVerification => SchemaId::IdentityVerificationRequest,
    };
    check_schema(state, schema, &body, "")?;
    run(state, kind, key, body).await
}

/// The `Idempotency-Key` header, checked; a missing or malformed key is a 400 naming it.
fn request_key(headers: &HeaderMap) -> Result<RequestKey, ApiError> {
    let bad = |message: String| ApiError::BadRequest {
        message,
        field: Some("Idempotency-Key".to_owned()),
    };
    let value = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .ok_or_else(|| bad("this route needs an Idempotency-Key header".to_owned()))?;
    let text = value
        .to_str()
        .map_err(|_| bad("the Idempotency-Key header is not visible ASCII".to_owned()))?;
    RequestKey::new(text).map_err(|error| bad(error.to_string()))
}
