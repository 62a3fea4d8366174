//! Packs (lawpack manifest, regpack, licensepack): upload and fetch by digest.
//!
//! Never: files a pack that failed its schema, or serves one whose bytes do not rehash to the
//! digest (the `Store` rehashes on read).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use msez_schemas::{SchemaError, SchemaId};
use serde_json::{Value, json};

use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// `POST /v1/packs`: `{kind, pack}` in; the pack is checked against its schema and filed under
/// the digest of its canonical form; `{kind, digest}` out with 201.
pub(crate) async fn upload(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = body.get("kind").and_then(Value::as_str).ok_or_else(|| {
        ApiError::invalid("/kind", "kind must be lawpack, regpack or licensepack")
    })?;
    let schema = match kind {
        "lawpack" => SchemaId::LawpackManifest,
        "regpack" => SchemaId::Regpack,
        "licensepack" => SchemaId::Licensepack,
        other => {
            return Err(ApiError::invalid(
                "/kind",
                format!("unknown pack kind {other:?}; expected lawpack, regpack or licensepack"),
            ));
        }
    };
    let pack = body
        .get("pack")
        .ok_or_else(|| ApiError::invalid("/pack", "pack is required"))?;
    state
        .schemas()
        .validate(schema, pack)
        .map_err(schema_violation)?;
    let canonical =
        CanonicalBytes::new(pack).map_err(|error| ApiError::invalid("/pack", &error))?;
    let digest = state
        .store()
        .put_pack(kind, &canonical)
        .await
        .map_err(ApiError::internal)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"kind": kind, "digest": digest.to_hex()})),
    ))
}

/// `GET /v1/packs/{digest}`: `{kind, digest, pack}`.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(digest_hex): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let digest = Digest::from_hex(&digest_hex).map_err(|error| ApiError::BadRequest {
        message: error.to_string(),
        field: Some("digest".to_owned()),
    })?;
    let Some((kind, pack)) = state
        .store()
        .pack(&digest)
        .await
        .map_err(ApiError::internal)?
    else {
        return Err(ApiError::not_found("pack", &digest_hex));
    };
    let pack: Value = serde_json::from_slice(pack.as_bytes()).map_err(ApiError::internal)?;
    Ok(Json(
        json!({"kind": kind, "digest": digest.to_hex(), "pack": pack}),
    ))
}

/// A schema violation as a 422 naming the first offending pointer under `/pack`.
fn schema_violation(error: SchemaError) -> ApiError {
    let field = match &error {
        SchemaError::Invalid { violations, .. } => violations.first().map_or_else(
            || "/pack".to_owned(),
            |v| format!("/pack{}", v.instance_path),
        ),
        SchemaError::NotJson { .. } | SchemaError::Compile { .. } => {
            return ApiError::internal(error);
        }
    };
    ApiError::invalid(field, &error)
}
