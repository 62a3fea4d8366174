//! Compliance evaluation: the tensor's 20 cells for one subject, with their commitment.
//!
//! Never: decides a compliance rule (`msez_protocol::tensor` does) or caches a verdict.

use axum::Json;
use msez_protocol::tensor::offline::evaluate_document;
use serde_json::Value;

use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::handlers::now;

/// `POST /v1/compliance/evaluate`: the `msez tensor evaluate` input in, its output out.
pub(crate) async fn evaluate(JsonBody(body): JsonBody) -> Result<Json<Value>, ApiError> {
    let bytes = serde_json::to_vec(&body).map_err(ApiError::internal)?;
    let output =
        evaluate_document(&bytes, now()?).map_err(|error| ApiError::invalid("body", &error))?;
    let value = serde_json::to_value(&output).map_err(ApiError::internal)?;
    Ok(Json(value))
}
