//! Packs (lawpack manifest, regpack, licensepack): upload, list by digest, fetch by digest.
//!
//! A regpack upload is also a sanctions list update: once the regpack is filed, its sanctions
//! snapshot goes to the agentic actor, which screens every open corridor's parties and acts on
//! matches (the baseline policy halts a corridor with a confirmed match); the sweep is in the
//! answer. If the sweep cannot run, the answer says the regpack is filed and a repeated upload
//! (same digest, filed once) runs it again.
//!
//! Never: files a pack that failed its schema (or, for a regpack, the protocol's reader), or
//! serves one whose bytes do not rehash to the digest (the `Store` rehashes on read).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_actors::agentic::SanctionsUpdate;
use msez_persistence::listings::PACKS_PAGE_MAX;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::Digest;
use msez_protocol::packs::regpack::{Regpack, parse_regpack};
use msez_schemas::SchemaId;
use serde::Deserialize;
use serde_json::{Value, json};

use super::agentic::{agentic_error, sweep_json};
use crate::server::body::{JsonBody, check_schema};
use crate::server::error::ApiError;
use crate::server::query::{QueryParams, next_after, page_limit, parse_after};
use crate::server::state::AppState;

/// `POST /v1/packs`: `{kind, pack}` in; the pack is checked against its schema and filed under
/// the digest of its canonical form; `{kind, digest}` out with 201, plus `sanctions_sweep` for a
/// regpack (module docs).
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
    check_schema(&state, schema, pack, "/pack")?;
    let canonical =
        CanonicalBytes::new(pack).map_err(|error| ApiError::invalid("/pack", &error))?;
    let regpack = match schema {
        SchemaId::Regpack => Some(
            parse_regpack(canonical.as_bytes())
                .map_err(|error| ApiError::invalid("/pack", &error))?,
        ),
        _ => None,
    };
    let digest = state
        .store()
        .put_pack(kind, &canonical)
        .await
        .map_err(ApiError::internal)?;
    let mut answer = json!({"kind": kind, "digest": digest.to_hex()});
    if let Some(regpack) = regpack {
        let sweep = sanctions_sweep(&state, regpack, &digest).await?;
        answer["sanctions_sweep"] = sweep;
    }
    Ok((StatusCode::CREATED, Json(answer)))
}

/// Hands a filed regpack's sanctions snapshot to the agentic actor and returns the sweep.
async fn sanctions_sweep(
    state: &AppState,
    regpack: Regpack,
    digest: &Digest,
) -> Result<Value, ApiError> {
    let update = SanctionsUpdate {
        list: regpack.sanctions,
        jurisdiction: Some(regpack.jurisdiction),
        occurred_at: regpack.issued_at,
    };
    let context = format!(
        "regpack {} is filed but its sanctions sweep did not run (upload it again to run it): ",
        digest.to_hex()
    );
    let sweep = state
        .zone_actors()
        .agentic
        .sanctions_update(update)
        .await
        .map_err(|error| agentic_error(error, &context, "/pack/sanctions"))?;
    Ok(sweep_json(&sweep))
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

/// The page of `GET /v1/packs`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PacksPage {
    /// The last digest of the previous page.
    after: Option<String>,
    /// Packs per page (default and maximum [`PACKS_PAGE_MAX`]).
    limit: Option<u64>,
}

/// `GET /v1/packs?after=&limit=`: `{packs:[{kind, digest, size_bytes}], next_after}` in digest
/// order; `next_after` is absent on the last page.
pub(crate) async fn list(
    State(state): State<AppState>,
    QueryParams(page): QueryParams<PacksPage>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(page.limit, PACKS_PAGE_MAX)?;
    let after = parse_after(page.after.as_deref(), Digest::from_hex)?;
    let packs = state
        .store()
        .pack_summaries(after.as_ref(), limit)
        .await
        .map_err(ApiError::internal)?;
    let listed: Vec<Value> = packs
        .iter()
        .map(|pack| {
            json!({"kind": pack.pack_kind, "digest": pack.digest.to_hex(),
                   "size_bytes": pack.size_bytes})
        })
        .collect();
    Ok(Json(json!({
        "packs": listed,
        "next_after": next_after(&packs, limit, |pack| pack.digest.to_hex()),
    })))
}
