//! Netting and settlement instructions: pure `msez-protocol` computations over HTTP.
//!
//! Never: persists a plan (the corridor actor owns its netting book), or renders XML itself.

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use msez_protocol::iso20022::{pacs008_from_json, render_pacs008};
use msez_protocol::netting::{NettingError, netting_plan_from_json};
use serde_json::Value;

use crate::server::body::JsonBody;
use crate::server::error::ApiError;

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
