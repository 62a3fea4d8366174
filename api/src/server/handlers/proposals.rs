//! Zone-signed proposals: the zone, as one of a corridor's receipt signers, turns a transition
//! into the corridor's next receipt, signs it with the zone key and appends it when that one
//! signature meets the corridor's receipt-signing policy. When the policy needs more signers,
//! the zone-signed receipt goes back to the caller to collect the other signatures (`msez
//! receipt sign` adds a proof and keeps the existing ones) and to append through
//! `POST /v1/corridors/{corridor_id}/receipts`.
//!
//! Owns [`propose`]. Stateless: nothing is stored for a proposal that is not appended, so a
//! proposal whose head moves on before its co-signers finish is simply proposed again (the
//! append then fails with a 409 sequence mismatch, which names the current height).
//!
//! Never: signs with any key but the zone's, signs a receipt for a corridor whose policy does
//! not name the zone key (that is a 422, so a zone cannot be tricked into signing for parties),
//! or appends anything the corridor actor has not checked like any client-signed receipt.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_actors::corridor::core::AppendAck;
use msez_actors::corridor::error::CorridorReject;
use msez_protocol::chain::AppendError;
use msez_protocol::corridor::state::StepError;
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::policy::{PolicyError, Rejection};
use msez_protocol::receipt::{DigestSet, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_schemas::SchemaId;
use serde_json::{Value, json};

use super::corridors::{corridor_id_of, reject};
use super::now;
use crate::server::body::{JsonBody, check_schema};
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// `POST /v1/corridors/{corridor_id}/proposals`: `{transition: {kind, payload},
/// lawpack_digest_set?, ruleset_digest_set?}` in (schema `corridor-proposal-request`; the digest
/// sets default to the head receipt's). 201 `{status: "appended", sequence, next_root,
/// mmr_root, receipt}` when the zone's signature meets the policy; 202 `{status:
/// "needs_signatures", signed, threshold, receipt}` when other signers must add theirs.
pub(crate) async fn propose(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    check_schema(&state, SchemaId::CorridorProposalRequest, &body, "")?;
    let transition = transition_of(&body)?;
    let summary = state
        .corridors()
        .summary(&corridor_id)
        .await
        .map_err(reject)?;
    let (head_lawpacks, head_rulesets) = if summary.height == 0 {
        (DigestSet::default(), DigestSet::default())
    } else {
        head_digest_sets(&state, &corridor_id, summary.height - 1).await?
    };
    let lawpack_digest_set = match body.get("lawpack_digest_set") {
        Some(value) => digest_set_of(value, "/lawpack_digest_set")?,
        None => head_lawpacks,
    };
    let ruleset_digest_set = match body.get("ruleset_digest_set") {
        Some(value) => digest_set_of(value, "/ruleset_digest_set")?,
        None => head_rulesets,
    };
    let timestamp = now()?;
    let unsigned = Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: corridor_id.clone(),
        sequence: summary.height,
        timestamp,
        prev_root: summary.head,
        next_root: summary.head,
        lawpack_digest_set,
        ruleset_digest_set,
        transition: Some(transition),
    };
    let receipt = SignedReceipt::seal_and_sign(unsigned, &[state.zone_key()], timestamp)
        .map_err(|error| ApiError::invalid("/transition/payload", error))?;
    let receipt_json = receipt.to_value().map_err(ApiError::internal)?;
    match state.corridors().append(&corridor_id, receipt).await {
        Ok(AppendAck {
            sequence,
            next_root,
            mmr_root,
        }) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "status": "appended",
                "corridor_id": corridor_id.as_str(),
                "sequence": sequence,
                "next_root": next_root.to_hex(),
                "mmr_root": mmr_root.to_hex(),
                "receipt": receipt_json,
            })),
        )),
        Err(rejection) => match short_of_threshold(&rejection, &state) {
            Some(Shortfall::NeedsSignatures { signed, threshold }) => Ok((
                StatusCode::ACCEPTED,
                Json(json!({
                    "status": "needs_signatures",
                    "corridor_id": corridor_id.as_str(),
                    "sequence": summary.height,
                    "signed": signed,
                    "threshold": threshold,
                    "receipt": receipt_json,
                })),
            )),
            Some(Shortfall::ZoneNotASigner) => Err(ApiError::invalid(
                "corridor_id",
                format!(
                    "corridor {corridor_id}'s receipt-signing policy does not name the zone key {}; \
                     the zone cannot propose on it",
                    state.zone_key().did()
                ),
            )),
            None => Err(reject(rejection)),
        },
    }
}

/// Why the zone's own signature did not carry the receipt.
enum Shortfall {
    /// The zone's proof counted; `threshold` signers are needed.
    NeedsSignatures { signed: usize, threshold: u32 },
    /// The policy does not name the zone key.
    ZoneNotASigner,
}

/// Reads a policy refusal of the zone-signed receipt; any other rejection is `None`.
fn short_of_threshold(rejection: &CorridorReject, state: &AppState) -> Option<Shortfall> {
    let CorridorReject::Rejected(StepError::Chain(AppendError::Signatures {
        source:
            PolicyError::ThresholdNotMet {
                valid_signer_count,
                threshold,
                rejected,
            },
        ..
    })) = rejection
    else {
        return None;
    };
    let zone = state.zone_key().did();
    let zone_refused = rejected.iter().any(
        |proof| matches!(&proof.rejection, Rejection::NotAuthorised(signer) if signer == zone),
    );
    if zone_refused {
        Some(Shortfall::ZoneNotASigner)
    } else if *valid_signer_count > 0 {
        Some(Shortfall::NeedsSignatures {
            signed: *valid_signer_count,
            threshold: *threshold,
        })
    } else {
        None
    }
}

/// The request's transition, its payload digest computed here.
fn transition_of(body: &Value) -> Result<Transition, ApiError> {
    let kind = body
        .pointer("/transition/kind")
        .and_then(Value::as_str)
        .ok_or_else(|| ApiError::invalid("/transition/kind", "kind must be a string"))?;
    let payload = body
        .pointer("/transition/payload")
        .cloned()
        .ok_or_else(|| ApiError::invalid("/transition/payload", "payload is required"))?;
    Transition::new(kind, payload).map_err(|error| {
        ApiError::invalid(
            "/transition/payload",
            format!("payload cannot be canonicalised: {error}"),
        )
    })
}

/// A digest set from hex strings, sorted here (the zone builds the receipt, so the order the
/// caller listed them in does not matter).
fn digest_set_of(value: &Value, field: &str) -> Result<DigestSet, ApiError> {
    let items = value
        .as_array()
        .ok_or_else(|| ApiError::invalid(field, "must be an array of hex digests"))?;
    let digests = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            item.as_str()
                .ok_or_else(|| ApiError::invalid(format!("{field}/{index}"), "must be a string"))
                .and_then(|text| {
                    Digest::from_hex(text)
                        .map_err(|error| ApiError::invalid(format!("{field}/{index}"), error))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DigestSet::normalised(digests))
}

/// The lawpack and ruleset digest sets of the receipt at `sequence` (the head).
async fn head_digest_sets(
    state: &AppState,
    corridor_id: &CorridorId,
    sequence: u64,
) -> Result<(DigestSet, DigestSet), ApiError> {
    let stored = state
        .corridors()
        .receipts(corridor_id, sequence, 1)
        .await
        .map_err(reject)?;
    let head = stored.into_iter().next().ok_or_else(|| {
        ApiError::internal(format!("corridor {corridor_id} has no receipt {sequence}"))
    })?;
    let value =
        msez_protocol::canonical::parse(head.receipt.as_bytes()).map_err(ApiError::internal)?;
    let receipt = SignedReceipt::from_value(&value).map_err(ApiError::internal)?;
    Ok((
        receipt.document.lawpack_digest_set,
        receipt.document.ruleset_digest_set,
    ))
}
