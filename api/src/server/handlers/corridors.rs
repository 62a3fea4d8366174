//! Corridor routes: create, append, read, prove, export, lifecycle, netting. Each handler reads
//! and checks the request, then asks the corridor's actor through [`Corridors`]; the actor owns
//! the chain and answers only after the append is durable.
//!
//! Never: touches the journal directly, keeps corridor state of its own, or turns a caller's bad
//! receipt into a 500 (every [`CorridorReject`] maps to a 4xx or a 503 in [`reject`]).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use msez_actors::corridor::core::{AppendAck, CorridorSummary, RECEIPTS_PAGE_MAX};
use msez_actors::corridor::error::CorridorReject;
use msez_actors::corridor::spec::{CreateCorridor, SpecError};
use msez_protocol::corridor::agreement::CorridorDefinition;
use msez_protocol::corridor::lifecycle::{HaltEvidence, TransitionEvidence};
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::keys::DidKey;
use msez_protocol::netting::NettingMode;
use msez_protocol::receipt::SignedReceipt;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// `POST /v1/corridors`: `{definition, definition_credential, agreements, regulators,
/// authorities, party_entity_ids, activation_approvals?}` in; the corridor's summary out with
/// 201. The agreement arrives whole (every party's agreement credential) and must complete, or
/// the request is refused with the rule (422 naming `/agreements` or `/definition_credential`).
/// With every regulator's activation consent the corridor is created ACTIVE, else PENDING until
/// `POST …/lifecycle` activates it. `party_entity_ids` are Mass entity ids (1 to 64, no
/// repeats): the corridor records the ids only, and sanctions screening reads names from Mass.
pub(crate) async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let request = create_request(body)?;
    let summary = state.corridors().create(request).await.map_err(reject)?;
    Ok((StatusCode::CREATED, Json(summary_json(&summary))))
}

/// `GET /v1/corridors/{corridor_id}`: height, head, MMR root and lifecycle state.
pub(crate) async fn summary(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let summary = state
        .corridors()
        .summary(&corridor_id)
        .await
        .map_err(reject)?;
    Ok(Json(summary_json(&summary)))
}

/// `GET /v1/corridors/{corridor_id}/agreement`: `{corridor_id, agreement_set_sha256,
/// agreement_set}`, the stored agreement set whose digest the genesis root commits to, so a
/// regulator or peer re-verifies the agreement and recomputes the genesis offline.
pub(crate) async fn agreement(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let stored = state
        .corridors()
        .agreement_set(&corridor_id)
        .await
        .map_err(reject)?;
    let agreement_set =
        msez_protocol::canonical::parse(stored.as_bytes()).map_err(ApiError::internal)?;
    Ok(Json(json!({
        "corridor_id": corridor_id.as_str(),
        "agreement_set_sha256": stored.digest().to_hex(),
        "agreement_set": agreement_set,
    })))
}

/// `POST /v1/corridors/{corridor_id}/receipts`: a client-signed receipt in; `{sequence,
/// next_root, mmr_root}` out with 201 once it is durable.
pub(crate) async fn append(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let receipt = SignedReceipt::from_value(&body).map_err(|error| ApiError::Unprocessable {
        message: format!("receipt: {error}"),
        field: Some("body".to_owned()),
    })?;
    let AppendAck {
        sequence,
        next_root,
        mmr_root,
    } = state
        .corridors()
        .append(&corridor_id, receipt)
        .await
        .map_err(reject)?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "corridor_id": corridor_id.as_str(),
            "sequence": sequence,
            "next_root": next_root.to_hex(),
            "mmr_root": mmr_root.to_hex(),
        })),
    ))
}

/// The page of `GET /v1/corridors/{corridor_id}/receipts`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReceiptsPage {
    /// First sequence (default 0).
    from: Option<u64>,
    /// Receipts per page (default and maximum [`RECEIPTS_PAGE_MAX`]).
    limit: Option<u32>,
}

/// `GET /v1/corridors/{corridor_id}/receipts?from=&limit=`: stored receipts in order, and the
/// `next_from` to ask for next (absent on the last page).
pub(crate) async fn receipts(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    Query(page): Query<ReceiptsPage>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let page_max = RECEIPTS_PAGE_MAX;
    let limit = page.limit.unwrap_or(page_max);
    if limit == 0 || limit > page_max {
        return Err(bad_parameter(
            "limit",
            format!("limit must be between 1 and {page_max}"),
        ));
    }
    let from = page.from.unwrap_or(0);
    let stored = state
        .corridors()
        .receipts(&corridor_id, from, limit)
        .await
        .map_err(reject)?;
    let mut receipts = Vec::with_capacity(stored.len());
    for receipt in &stored {
        receipts.push(
            msez_protocol::canonical::parse(receipt.receipt.as_bytes())
                .map_err(ApiError::internal)?,
        );
    }
    let next_from = (stored.len() == limit as usize)
        .then(|| stored.last().map(|last| last.sequence + 1))
        .flatten();
    Ok(Json(json!({
        "corridor_id": corridor_id.as_str(),
        "receipts": receipts,
        "next_from": next_from,
    })))
}

/// `GET /v1/corridors/{corridor_id}/receipts/{sequence}/proof`: the MMR inclusion proof of
/// one receipt against the current root (SPEC §6).
pub(crate) async fn inclusion_proof(
    State(state): State<AppState>,
    Path((corridor_id, sequence)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let sequence: u64 = sequence.parse().map_err(|_| {
        bad_parameter(
            "sequence",
            "sequence must be a non-negative integer".to_owned(),
        )
    })?;
    let answer = state
        .corridors()
        .inclusion_proof(&corridor_id, sequence)
        .await
        .map_err(reject)?;
    Ok(Json(json!({
        "corridor_id": corridor_id.as_str(),
        "sequence": sequence,
        "mmr_root": answer.mmr_root.to_hex(),
        "proof": serde_json::to_value(&answer.proof).map_err(ApiError::internal)?,
    })))
}

/// `GET /v1/corridors/{corridor_id}/checkpoint`: the latest zone-signed checkpoint (404 when
/// none has been written yet).
pub(crate) async fn latest_checkpoint(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let record = state
        .corridors()
        .latest_checkpoint(&corridor_id)
        .await
        .map_err(reject)?
        .ok_or_else(|| ApiError::not_found("checkpoint of corridor", corridor_id.as_str()))?;
    let checkpoint = msez_protocol::canonical::parse(record.checkpoint.as_bytes())
        .map_err(ApiError::internal)?;
    Ok(Json(json!({
        "corridor_id": corridor_id.as_str(),
        "receipt_count": record.receipt_count,
        "checkpoint": checkpoint,
    })))
}

/// `GET /v1/corridors/{corridor_id}/export`: the chain as JSON Lines (header, then one
/// receipt per line), which `msez chain verify` checks offline.
pub(crate) async fn export(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
) -> Result<Response, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let lines = state
        .corridors()
        .export(&corridor_id)
        .await
        .map_err(reject)?;
    Ok(([(header::CONTENT_TYPE, "application/jsonl")], lines).into_response())
}

/// `GET /v1/corridors/{corridor_id}/netting`: the corridor's netting book, netted
/// multilaterally into settlement legs (SPEC §9).
pub(crate) async fn netting(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let plan = state
        .corridors()
        .netting_plan(&corridor_id, NettingMode::Multilateral)
        .await
        .map_err(reject)?;
    Ok(Json(
        serde_json::to_value(&plan).map_err(ApiError::internal)?,
    ))
}

/// `POST /v1/corridors/{corridor_id}/lifecycle`: `{transition, ...evidence}` in, where
/// `transition` is `activate` (`approvals`: every regulator's signed consent), `suspend`,
/// `resume` or `deprecate` (`order`: an authority's signed consent), `halt` (`fork_alarm`:
/// a fork-alarm credential, or `order`), or `resume_after_fork` (`fork_id`: a recorded fork
/// decided for the corridor's stored branch; the decision is recomputed from its stored
/// evidence); `{from, to, credential}` out.
pub(crate) async fn transition(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let transition = body
        .get("transition")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::invalid(
                "/transition",
                "transition must be activate, suspend, resume, halt, resume_after_fork or deprecate",
            )
        })?;
    let order = || {
        body.get("order")
            .cloned()
            .ok_or_else(|| ApiError::invalid("/order", "order (a signed consent) is required"))
    };
    let corridors = state.corridors();
    let ack = match transition {
        "activate" => {
            let approvals = body
                .get("approvals")
                .and_then(Value::as_array)
                .cloned()
                .ok_or_else(|| {
                    ApiError::invalid("/approvals", "approvals must be an array of consents")
                })?;
            corridors
                .transition(&corridor_id, TransitionEvidence::Activate { approvals })
                .await
        }
        "suspend" => {
            corridors
                .transition(&corridor_id, TransitionEvidence::Suspend { order: order()? })
                .await
        }
        "resume" => {
            corridors
                .transition(&corridor_id, TransitionEvidence::Resume { order: order()? })
                .await
        }
        "deprecate" => {
            corridors
                .transition(&corridor_id, TransitionEvidence::Deprecate { order: order()? })
                .await
        }
        "resume_after_fork" => {
            let fork_id = body
                .get("fork_id")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::invalid("/fork_id", "fork_id (a recorded fork) is required")
                })?;
            corridors
                .resume_after_fork(&corridor_id, fork_id.to_owned())
                .await
        }
        "halt" => {
            let evidence = match body.get("fork_alarm") {
                Some(alarm) => HaltEvidence::ForkAlarm(alarm.clone()),
                None => HaltEvidence::Authority(order()?),
            };
            corridors.halt(&corridor_id, evidence).await
        }
        other => {
            return Err(ApiError::invalid(
                "/transition",
                format!(
                    "unknown transition {other:?}; expected activate, suspend, resume, halt, resume_after_fork or deprecate"
                ),
            ));
        }
    }
    .map_err(reject)?;
    Ok(Json(json!({
        "corridor_id": corridor_id.as_str(),
        "from": ack.from,
        "to": ack.to,
        "credential": ack.credential,
    })))
}

/// Reads a create request; every error names the member.
fn create_request(mut body: Value) -> Result<CreateCorridor, ApiError> {
    let mut take = |field: &'static str| {
        body.get_mut(field)
            .map(Value::take)
            .ok_or_else(|| ApiError::invalid(format!("/{field}"), format!("{field} is required")))
    };
    let definition: CorridorDefinition = typed(take("definition")?, "/definition")?;
    let definition_credential = take("definition_credential")?;
    let agreements: Vec<Value> = typed(take("agreements")?, "/agreements")?;
    let regulators: BTreeMap<JurisdictionId, DidKey> = typed(take("regulators")?, "/regulators")?;
    let authorities: BTreeSet<DidKey> = typed(take("authorities")?, "/authorities")?;
    let party_entity_ids: Vec<EntityId> = typed(take("party_entity_ids")?, "/party_entity_ids")?;
    let activation_approvals: Vec<Value> = match take("activation_approvals") {
        Ok(value) => typed(value, "/activation_approvals")?,
        Err(_) => Vec::new(),
    };
    if let Some(unknown) = body.as_object().and_then(|members| {
        members
            .keys()
            .find(|key| !CREATE_MEMBERS.contains(&key.as_str()))
    }) {
        return Err(ApiError::invalid(
            format!("/{unknown}"),
            format!("unknown member {unknown:?}"),
        ));
    }
    Ok(CreateCorridor {
        definition,
        definition_credential,
        agreements,
        regulators,
        authorities,
        activation_approvals,
        party_entity_ids,
    })
}

/// The members a create request may carry.
const CREATE_MEMBERS: &[&str] = &[
    "definition",
    "definition_credential",
    "agreements",
    "regulators",
    "authorities",
    "party_entity_ids",
    "activation_approvals",
];

fn typed<T: serde::de::DeserializeOwned>(value: Value, field: &str) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|error| ApiError::Unprocessable {
        message: format!("{field}: {error}"),
        field: Some(field.to_owned()),
    })
}

pub(crate) fn corridor_id_of(text: &str) -> Result<CorridorId, ApiError> {
    text.parse()
        .map_err(|error| bad_parameter("corridor_id", format!("corridor id: {error}")))
}

/// A path or query parameter that does not parse (400, naming the parameter).
pub(crate) fn bad_parameter(field: &str, message: String) -> ApiError {
    ApiError::BadRequest {
        message,
        field: Some(field.to_owned()),
    }
}

pub(crate) fn summary_json(summary: &CorridorSummary) -> Value {
    json!({
        "corridor_id": summary.corridor_id.as_str(),
        "lifecycle": summary.lifecycle,
        "height": summary.height,
        "head": summary.head.to_hex(),
        "genesis_root": summary.genesis_root.to_hex(),
        "mmr_root": summary.mmr_root.map(|root| root.to_hex()),
        "obligation_count": summary.obligation_count,
    })
}

/// The HTTP meaning of a corridor's refusal: the caller's mistake is a 4xx naming it; the
/// node's trouble is a 503 with a retry hint and no internals.
pub(crate) fn reject(rejection: CorridorReject) -> ApiError {
    use msez_protocol::chain::AppendError as Chain;
    use msez_protocol::corridor::lifecycle::LifecycleError;
    use msez_protocol::corridor::state::StepError;
    let message = rejection.to_string();
    match rejection {
        CorridorReject::UnknownCorridor { .. }
        | CorridorReject::SequenceOutOfRange { .. }
        | CorridorReject::UnknownFork { .. } => ApiError::NotFound { message },
        CorridorReject::ForkEvidence { source, .. } => ApiError::Unprocessable {
            message,
            field: Some(receipt_member(&source).to_owned()),
        },
        CorridorReject::ForkResolution { source, .. } => ApiError::Unprocessable {
            message,
            field: Some(resolution_member(&source)),
        },
        CorridorReject::ForkSequenceUnknown { .. } => ApiError::Unprocessable {
            message,
            field: Some("/sequence".to_owned()),
        },
        CorridorReject::ForkIdentical { .. } => ApiError::Unprocessable {
            message,
            field: Some("/next_root".to_owned()),
        },
        CorridorReject::AlreadyExists { .. }
        | CorridorReject::NotActive { .. }
        | CorridorReject::Suspended { .. }
        | CorridorReject::Halted { .. }
        | CorridorReject::Deprecated { .. }
        | CorridorReject::Conflict { .. }
        | CorridorReject::LifecycleRaced { .. }
        | CorridorReject::ForkRecorded { .. }
        | CorridorReject::ForkDecided { .. }
        | CorridorReject::ForkNotWon { .. }
        | CorridorReject::Rejected(StepError::Chain(Chain::SequenceMismatch { .. }))
        | CorridorReject::Lifecycle(LifecycleError::IllegalTransition { .. }) => {
            ApiError::Conflict { message }
        }
        CorridorReject::InvalidSpec {
            source: SpecError::PartyCount { .. } | SpecError::PartyRepeated { .. },
            ..
        } => ApiError::Unprocessable {
            message,
            field: Some("/party_entity_ids".to_owned()),
        },
        CorridorReject::InvalidSpec { .. }
        | CorridorReject::Rejected(_)
        | CorridorReject::Lifecycle(_)
        | CorridorReject::Journal(_)
        | CorridorReject::ForkUnrecorded { .. }
        | CorridorReject::TooLarge { .. } => ApiError::Unprocessable {
            message,
            field: Some("body".to_owned()),
        },
        CorridorReject::Agreement { source, .. } => ApiError::Unprocessable {
            message,
            field: Some(format!("/{}", source.member())),
        },
        CorridorReject::Overloaded { retry_after_ms, .. } => ApiError::Unavailable {
            message,
            retry_after: Duration::from_millis(retry_after_ms),
        },
        CorridorReject::Fenced { .. } | CorridorReject::LeaseHeld { .. } => ApiError::Unavailable {
            message: "this node does not own the corridor's shard".to_owned(),
            retry_after: Duration::from_secs(1),
        },
        CorridorReject::Unavailable {
            corridor_id,
            reason,
        } => {
            tracing::warn!(%corridor_id, %reason, "corridor unavailable");
            ApiError::Unavailable {
                message: format!("corridor {corridor_id} is temporarily unavailable"),
                retry_after: Duration::from_secs(1),
            }
        }
    }
}

/// The receipt member a SPEC §5 refusal is about, as a JSON pointer into the receipt.
fn receipt_member(error: &msez_protocol::chain::AppendError) -> &'static str {
    use msez_protocol::chain::AppendError as Chain;
    match error {
        Chain::CorridorMismatch { .. } => "/corridor_id",
        Chain::SequenceMismatch { .. } => "/sequence",
        Chain::PrevRootMismatch { .. } => "/prev_root",
        Chain::TimestampBeforePrevious { .. } | Chain::TimestampInFuture { .. } => "/timestamp",
        Chain::PayloadDigestMismatch { .. } => "/transition/payload_sha256",
        Chain::NextRootMismatch { .. } => "/next_root",
        Chain::Signatures { .. } => "/proof",
        Chain::Canonical { .. } | Chain::Mmr { .. } => "body",
    }
}

/// The resolution request member a fork refusal is about.
fn resolution_member(error: &msez_protocol::corridor::fork::ForkError) -> String {
    use msez_protocol::corridor::fork::ForkError as Fork;
    match error {
        Fork::TooManyAttestations { .. } => "/attestations".to_owned(),
        Fork::TooManyResolutions { .. } | Fork::Credential { .. } => {
            "/authority_resolutions".to_owned()
        }
        Fork::ResolutionCredential { index, .. } | Fork::ResolutionProof { index, .. } => {
            format!("/authority_resolutions/{index}")
        }
        Fork::InputAttestation { index, .. } => format!("/attestations/{index}"),
        Fork::NotAFork { .. } | Fork::InputField { .. } => "body".to_owned(),
    }
}
