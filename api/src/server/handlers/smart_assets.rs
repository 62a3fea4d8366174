//! Smart assets: genesis, registry binding and read.
//!
//! An asset's journal is the hash-chained trail `smart-asset:<asset_id>` in the store (entry 0
//! the genesis, entry 1 the registry binding), written only by compare-and-append, so two
//! racing requests cannot both write one entry. The registry credential
//! (`MSEZSmartAssetRegistryCredential`, SPEC §4) is issued with the zone key and recorded
//! like every credential this node issues; its id is fixed per asset, so a binding interrupted
//! between recording the credential and journaling it completes with the same credential.
//!
//! Never: decides an asset rule (`msez_protocol::smart_asset` does), or binds an asset twice.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_persistence::audit::AuditAppendError;
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::ids::JurisdictionId;
use msez_protocol::lifecycle::migration::AssetId;
use msez_protocol::smart_asset::{
    AssetEvent, SmartAsset, SmartAssetError, SmartAssetGenesis, asset_id_of, registry_credential_id,
};
use msez_protocol::vc::subjects::{SmartAssetRegistrySubject, parse_subject};
use msez_schemas::SchemaId;
use serde_json::{Value, json};

use crate::server::body::{JsonBody, check_schema};
use crate::server::error::ApiError;
use crate::server::handlers::now;
use crate::server::issuer::issue_once;
use crate::server::state::AppState;

/// The status list every registry credential is entered in.
pub const REGISTRY_STATUS_LIST_ID: &str = "smart-asset-registry";

/// Journal entries read per asset at most: today an asset has two (genesis, binding); 16
/// leaves room for the lifecycle events to come while bounding one read.
pub const ASSET_JOURNAL_ENTRIES_MAX: u64 = 16;

/// The trail holding an asset's journal.
pub fn asset_trail_id(asset_id: &AssetId) -> String {
    format!("smart-asset:{asset_id}")
}

/// `POST /v1/smart-assets`: a genesis document in; the asset it names out, 201 when it is new
/// and 200 when that genesis was submitted before (the id is the genesis digest, so a retry
/// cannot create a second asset).
pub(crate) async fn genesis(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    check_schema(&state, SchemaId::SmartAssetGenesis, &body, "")?;
    let genesis = SmartAssetGenesis::from_value(body, now()?).map_err(genesis_error)?;
    let (asset_id, _) = asset_id_of(&genesis).map_err(ApiError::internal)?;
    let entry = canonical_event(&AssetEvent::Genesis { genesis })?;
    let status = match state
        .store()
        .append_audit_entry_at(&asset_trail_id(&asset_id), 0, &entry)
        .await
    {
        Ok(_) => StatusCode::CREATED,
        Err(AuditAppendError::SequenceTaken { .. }) => StatusCode::OK,
        Err(AuditAppendError::Store(error)) => return Err(ApiError::internal(error)),
    };
    let asset = load(&state, &asset_id)
        .await?
        .ok_or_else(|| ApiError::internal("asset journal vanished after genesis"))?;
    Ok((status, Json(asset_json(&state, &asset).await?)))
}

/// `GET /v1/smart-assets/{asset_id}`: the genesis, its digest, and the registry binding with
/// the credential's current status once bound.
pub(crate) async fn get(
    State(state): State<AppState>,
    Path(asset_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let asset_id = asset_id_of_path(&asset_id)?;
    let asset = load(&state, &asset_id)
        .await?
        .ok_or_else(|| ApiError::not_found("smart asset", asset_id.as_str()))?;
    Ok(Json(asset_json(&state, &asset).await?))
}

/// `POST /v1/smart-assets/{asset_id}/registry-binding`: binds the asset into this zone's
/// registry; 201 with the signed registry credential, 409 once bound.
pub(crate) async fn bind(
    State(state): State<AppState>,
    Path(asset_id): Path<String>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let asset_id = asset_id_of_path(&asset_id)?;
    let asset = load(&state, &asset_id)
        .await?
        .ok_or_else(|| ApiError::not_found("smart asset", asset_id.as_str()))?;
    let registry = registry_jurisdiction(&state, &asset);
    let subject = asset.bind(&registry, now()?).map_err(bind_error)?;
    let credential = issue_once(
        &state,
        &subject,
        &registry_credential_id(&asset_id),
        REGISTRY_STATUS_LIST_ID,
        subject.registered_at,
    )
    .await?;
    let subject: SmartAssetRegistrySubject =
        parse_subject(&credential["credentialSubject"]).map_err(ApiError::internal)?;
    let credential_id = registry_credential_id(&asset_id);
    let entry = canonical_event(&AssetEvent::RegistryBinding {
        credential_id: credential_id.clone(),
        credential_digest: CanonicalBytes::new(&credential)
            .map_err(ApiError::internal)?
            .digest(),
        registered_at: subject.registered_at,
    })?;
    match state
        .store()
        .append_audit_entry_at(&asset_trail_id(&asset_id), 1, &entry)
        .await
    {
        Ok(_) => {}
        // A concurrent binding journaled first; it bound this same credential (its id is
        // fixed per asset), so the asset is bound as asked.
        Err(AuditAppendError::SequenceTaken { .. }) => {}
        Err(AuditAppendError::Store(error)) => return Err(ApiError::internal(error)),
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "asset_id": asset_id.as_str(),
            "credential_id": credential_id,
            "credential": credential,
        })),
    ))
}

/// The asset's journal replayed, or `None` when no genesis was recorded.
async fn load(state: &AppState, asset_id: &AssetId) -> Result<Option<SmartAsset>, ApiError> {
    let entries = state
        .store()
        .audit_trail(&asset_trail_id(asset_id), 0, ASSET_JOURNAL_ENTRIES_MAX)
        .await
        .map_err(ApiError::internal)?;
    if entries.is_empty() {
        return Ok(None);
    }
    let events = entries
        .iter()
        .map(|entry| serde_json::from_slice::<AssetEvent>(entry.entry.as_bytes()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::internal)?;
    let asset = SmartAsset::replay(&events).map_err(ApiError::internal)?;
    if asset.asset_id() != asset_id {
        return Err(ApiError::internal(format!(
            "journal of {asset_id} holds the genesis of {}",
            asset.asset_id()
        )));
    }
    Ok(Some(asset))
}

/// The asset as the API shows it.
async fn asset_json(state: &AppState, asset: &SmartAsset) -> Result<Value, ApiError> {
    let genesis = serde_json::to_value(asset.genesis()).map_err(ApiError::internal)?;
    let registry = match asset.binding() {
        None => Value::Null,
        Some(binding) => {
            let status = state
                .store()
                .credential(&binding.credential_id)
                .await
                .map_err(ApiError::internal)?
                .map_or("unknown", |stored| stored.status.as_str());
            json!({
                "credential_id": binding.credential_id,
                "credential_digest": binding.credential_digest.to_hex(),
                "registered_at": binding.registered_at.to_string(),
                "credential_status": status,
            })
        }
    };
    Ok(json!({
        "asset_id": asset.asset_id().as_str(),
        "genesis_digest": asset.genesis_digest().to_hex(),
        "state": if asset.binding().is_some() { "registered" } else { "genesis" },
        "genesis": genesis,
        "registry": registry,
    }))
}

/// This node's registry: the zone's jurisdiction, or (a node without a zone file) the
/// asset's own.
fn registry_jurisdiction(state: &AppState, asset: &SmartAsset) -> JurisdictionId {
    state.zone().map_or_else(
        || asset.genesis().jurisdiction_id().clone(),
        |zone| zone.config.jurisdiction.clone(),
    )
}

fn canonical_event(event: &AssetEvent) -> Result<CanonicalBytes, ApiError> {
    CanonicalBytes::of(event).map_err(ApiError::internal)
}

fn asset_id_of_path(text: &str) -> Result<AssetId, ApiError> {
    AssetId::new(text).map_err(|error| ApiError::BadRequest {
        message: error.to_string(),
        field: Some("asset_id".to_owned()),
    })
}

/// A refused genesis: a 422 naming the member.
fn genesis_error(error: SmartAssetError) -> ApiError {
    let field = match &error {
        SmartAssetError::WrongType { .. } => "/type",
        SmartAssetError::AssetClass { .. } => "/asset_class",
        SmartAssetError::NameLength { .. } => "/name",
        SmartAssetError::CreatedInFuture { .. } => "/created_at",
        SmartAssetError::Canonical(_) => "/terms",
        SmartAssetError::Shape { .. }
        | SmartAssetError::AssetId(_)
        | SmartAssetError::Journal { .. }
        | SmartAssetError::AlreadyBound { .. }
        | SmartAssetError::RegistryJurisdiction { .. }
        | SmartAssetError::BoundBeforeCreated { .. } => "body",
    };
    ApiError::invalid(field, &error)
}

/// A refused binding conflicts with the asset's recorded state or this zone's registry (409).
fn bind_error(error: SmartAssetError) -> ApiError {
    ApiError::Conflict {
        message: error.to_string(),
    }
}
