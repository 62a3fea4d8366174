//! Request bodies: the JSON extractor that every `POST` with a body uses, and the one schema
//! check of a body (or part of one).
//!
//! Owns [`JsonBody`] and [`check_schema`]. The extractor checks the content type (415), buffers
//! the body under the node's `DefaultBodyLimit` (413), and parses it as JSON (400 naming the
//! line and column), mapping each of axum's rejections into [`ApiError`] so that the envelope
//! contract holds. [`check_schema`] is the one way a handler checks a body against its
//! `schemas/` schema (422 naming the JSON pointer of the first violation).
//!
//! Never: interprets the document (handlers lift it into domain types), or accepts a body
//! without `Content-Type: application/json`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use msez_schemas::{SchemaError, SchemaId};
use serde_json::Value;

use super::error::ApiError;
use super::state::AppState;

/// A JSON request body, parsed but not yet interpreted.
#[derive(Debug)]
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.split(';').next())
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge {
                        body_bytes_max: state.body_bytes_max(),
                    }
                } else {
                    ApiError::BadRequest {
                        message: rejection.body_text(),
                        field: Some("body".to_owned()),
                    }
                }
            })?;
        let value = serde_json::from_slice(&bytes).map_err(|error| ApiError::BadRequest {
            message: format!(
                "malformed JSON at line {} column {}: {error}",
                error.line(),
                error.column()
            ),
            field: Some("body".to_owned()),
        })?;
        Ok(Self(value))
    }
}

/// Checks `value` against the schema `id`. A violation is a 422 whose field is the JSON pointer
/// of the first violation, under `pointer_prefix` (`""` when `value` is the whole body, `/pack`
/// when it is the body's `pack` member); a violation of the root itself names `body`.
pub fn check_schema(
    state: &AppState,
    id: SchemaId,
    value: &Value,
    pointer_prefix: &str,
) -> Result<(), ApiError> {
    match state.schemas().validate(id, value) {
        Ok(()) => Ok(()),
        Err(SchemaError::Invalid { violations, .. }) => {
            let pointer = violations.first().map_or_else(String::new, |violation| {
                format!("{pointer_prefix}{}", violation.instance_path)
            });
            let message = violations
                .iter()
                .map(|violation| format!("{} {}", violation.instance_path, violation.message))
                .collect::<Vec<_>>()
                .join("; ");
            let field = if pointer.is_empty() {
                "body".to_owned()
            } else {
                pointer
            };
            Err(ApiError::invalid(field, message))
        }
        Err(error @ (SchemaError::NotJson { .. } | SchemaError::Compile { .. })) => {
            Err(ApiError::internal(error))
        }
    }
}
