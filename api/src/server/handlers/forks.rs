//! Corridor fork routes (SPEC §8): report fork evidence, list a corridor's forks, resolve one.
//! Each handler reads the request into protocol types (a competing receipt through
//! `SignedReceipt::from_value`, attestations through `WatcherAttestation::from_json`) and asks
//! the corridor's actor through `Corridors`; the actor checks the evidence, records it and
//! halts (or decides) before it answers.
//!
//! Never: checks a receipt or decides a fork itself, or turns a caller's bad evidence into a 500
//! (every refusal goes through `corridors::reject`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_actors::corridor::core::TransitionAck;
use msez_actors::corridor::core::forks::{ForkHold, ForkView};
use msez_protocol::corridor::fork::HaltReason;
use msez_protocol::corridor::watcher::WatcherAttestation;
use msez_protocol::receipt::SignedReceipt;
use serde_json::{Value, json};

use super::corridors::{corridor_id_of, reject};
use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// The members a resolution request may carry.
const RESOLUTION_MEMBERS: &[&str] = &["attestations", "authority_resolutions"];

/// `POST /v1/corridors/{corridor_id}/forks`: a competing receipt (the same JSON as an append)
/// for a sequence the corridor holds. 201 with the recorded fork, the zone's fork alarm and the
/// halt it caused (`halt: null` when the corridor was already halted).
pub(crate) async fn report(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let competing = SignedReceipt::from_value(&body).map_err(|error| ApiError::Unprocessable {
        message: format!("receipt: {error}"),
        field: Some("body".to_owned()),
    })?;
    let ack = state
        .corridors()
        .report_fork(&corridor_id, competing)
        .await
        .map_err(reject)?;
    let mut answer = fork_json(&ack.fork);
    if let Some(object) = answer.as_object_mut() {
        object.insert(
            "halt".to_owned(),
            ack.halt.as_ref().map_or(Value::Null, transition_json),
        );
    }
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `GET /v1/corridors/{corridor_id}/forks`: `{corridor_id, forks:[…]}`, every recorded fork in
/// (sequence, fork id) order with its status, both receipts, alarm and latest decision.
pub(crate) async fn list(
    State(state): State<AppState>,
    Path(corridor_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let forks = state
        .corridors()
        .forks(&corridor_id)
        .await
        .map_err(reject)?;
    Ok(Json(json!({
        "corridor_id": corridor_id.as_str(),
        "forks": forks.iter().map(fork_json).collect::<Vec<_>>(),
    })))
}

/// `POST /v1/corridors/{corridor_id}/forks/{fork_id}/resolution`: `{attestations?,
/// authority_resolutions?}` (secured watcher attestations; authority `MSEZForkResolution
/// Credential`s). 200 with the fork, its decision, the zone's resolution credential when a branch
/// won, and `hold`: why the corridor stays halted (`no_quorum`,
/// `both_branches_reached_quorum`, `competing_branch_won`) or `null` when the stored branch won
/// and `POST …/lifecycle` `resume_after_fork` may resume it.
pub(crate) async fn resolve(
    State(state): State<AppState>,
    Path((corridor_id, fork_id)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let corridor_id = corridor_id_of(&corridor_id)?;
    let (attestations, authority_resolutions) = resolution_request(&body)?;
    let ack = state
        .corridors()
        .resolve_fork(&corridor_id, fork_id, attestations, authority_resolutions)
        .await
        .map_err(reject)?;
    let hold = ack.hold.map(|hold| match hold {
        ForkHold::Undecided(HaltReason::NoQuorum) => "no_quorum",
        ForkHold::Undecided(HaltReason::BothBranchesReachedQuorum) => {
            "both_branches_reached_quorum"
        }
        ForkHold::CompetingBranchWon => "competing_branch_won",
    });
    let mut answer = fork_json(&ack.fork);
    if let Some(object) = answer.as_object_mut() {
        object.insert("hold".to_owned(), json!(hold));
    }
    Ok(Json(answer))
}

/// Reads a resolution body; every error names the member (or the item) at fault.
fn resolution_request(body: &Value) -> Result<(Vec<WatcherAttestation>, Vec<Value>), ApiError> {
    let members = body
        .as_object()
        .ok_or_else(|| ApiError::invalid("body", "a resolution request is a JSON object"))?;
    if let Some(unknown) = members
        .keys()
        .find(|key| !RESOLUTION_MEMBERS.contains(&key.as_str()))
    {
        return Err(ApiError::invalid(
            format!("/{unknown}"),
            format!("unknown member {unknown:?}"),
        ));
    }
    let list = |name: &str| match body.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(_) => Err(ApiError::invalid(
            format!("/{name}"),
            format!("{name} must be an array"),
        )),
    };
    let attestations = list("attestations")?
        .iter()
        .enumerate()
        .map(|(index, value)| {
            WatcherAttestation::from_json(value).map_err(|error| {
                ApiError::invalid(
                    format!("/attestations/{index}"),
                    format!("attestation: {error}"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((attestations, list("authority_resolutions")?))
}

/// One fork as the routes show it.
fn fork_json(view: &ForkView) -> Value {
    json!({
        "fork_id": view.fork_id,
        "corridor_id": view.fork.corridor_id().as_str(),
        "sequence": view.fork.height(),
        "prev_root": view.fork.parent_root().to_hex(),
        "stored_next_root": view.stored_next_root.to_hex(),
        "competing_next_root": view.competing_next_root.to_hex(),
        "status": view.status.name(),
        "stored_receipt": view.stored_receipt,
        "competing_receipt": view.competing_receipt,
        "alarm": view.alarm,
        "detected_at_unix_ms": view.detected_at_unix_ms,
        "decision": view.decision,
        "resolution": view.resolution,
    })
}

fn transition_json(ack: &TransitionAck) -> Value {
    json!({"from": ack.from, "to": ack.to, "credential": ack.credential})
}
