//! Netting and settlement instructions: pure `msez-protocol` computations over HTTP, for
//! obligations a caller sends or for a corridor's own netting book.
//!
//! Never: persists a plan (the corridor actor owns its netting book), stores the party details
//! a settlement request brings (they are Mass's and the banks' records), or renders XML itself.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use msez_protocol::iso20022::{pacs008_from_json, render_pacs008};
use msez_protocol::netting::{NettingError, NettingMode, netting_plan_from_json};
use msez_protocol::settlement::{settlement_batch, settlement_request_from_json};
use serde_json::Value;

use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::handlers::corridors::{corridor_id_of, reject};
use crate::server::handlers::now;
use crate::server::state::AppState;

/// `POST /v1/netting/plan`: obligations in, the netting plan out.
pub(crate) async fn netting_plan(JsonBody(body): JsonBody) -> Result<Json<Value>, ApiError> {
    let plan = netting_plan_from_json(&body).map_err(|error| {
        let field = match &error {
            NettingError::Obligation { index, .. } => format!("/{index}"),
            NettingError::NotAnArray
            | NettingError::DuplicateId { .. }
            | NettingError::GrossOverflow { .. } => "body".to_owned(),
        };
        ApiError::invalid(field, &error)
    })?;
    let value = serde_json::to_value(&plan).map_err(ApiError::internal)?;
    Ok(Json(value))
}

/// `POST /v1/settlement/pacs008`: a settlement batch in, pacs.008.001.08 XML out.
pub(crate) async fn pacs008(JsonBody(body): JsonBody) -> Result<Response, ApiError> {
    let batch = pacs008_from_json(&body).map_err(|error| ApiError::invalid("body", &error))?;
    let xml = render_pacs008(&batch).map_err(|error| ApiError::invalid("body", &error))?;
    Ok(([(header::CONTENT_TYPE, "application/xml")], xml).into_response())
}

/// `POST /v1/corridors/{corridor_id}/settlement-instructions`: `{message_id, created_at?,
/// settlement_date, instructing_agent_bic, remittance?, parties: {party_id: {name, bic,
/// account}}}` in; one pacs.008.001.08 document for every leg of the corridor's current
/// multilateral netting plan out. The party details come with the request and are not kept.
/// A plan with no legs is a 409: the corridor's state, not the request, is the cause.
pub(crate) async fn corridor_instructions(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let request = settlement_request_from_json(&body).map_err(settlement_error)?;
    let plan = state
        .corridors()
        .netting_plan(&corridor_id, NettingMode::Multilateral)
        .await
        .map_err(reject)?;
    let batch = settlement_batch(&plan, &request, now()?).map_err(settlement_error)?;
    let xml = render_pacs008(&batch).map_err(|error| ApiError::invalid("body", &error))?;
    Ok(([(header::CONTENT_TYPE, "application/xml")], xml).into_response())
}

/// A request mistake is a 422 naming the member; a plan that cannot be settled is a 409.
fn settlement_error(error: msez_protocol::settlement::SettlementError) -> ApiError {
    match error.field() {
        Some(field) if !error.is_plan_state() => ApiError::invalid(field, &error),
        _ => ApiError::Conflict {
            message: error.to_string(),
        },
    }
}
