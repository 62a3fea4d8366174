//! Dispute routes: file, the evidence file, lifecycle steps (review, panel, hearing, ruling,
//! appeal, enforcement, settlement, dismissal) and status. Each handler checks the body against
//! its schema, lifts it into protocol types and asks the dispute's arbitration actor, which
//! journals every change, keeps the store's dispute tables and hands enforcement to the agentic
//! actor.
//!
//! Never: changes a dispute outside its actor, decides a dispute rule, or turns a caller's
//! mistake into a 5xx (every `ArbitrationReject` maps to a status in [`reject`]).

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_actors::arbitration::{
    ArbitrationReject, DisputeStatus, Enforcement, FiledEvidence, Filing,
};
use msez_protocol::arbitration::{
    ArbitrationError, Arbitrator, DisputeId, DisputeStep, EvidencePackage, Remedy,
};
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_schemas::SchemaId;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::agentic::decision_json;
use crate::server::body::{JsonBody, check_schema};
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// How long a caller should wait when a dispute's actor or the agentic actor is unavailable.
pub const DISPUTE_RETRY_AFTER: Duration = Duration::from_secs(1);

/// `POST /v1/disputes`: `{dispute_id, corridor_id, jurisdiction, claimant, respondent,
/// statement_of_claim}` in (schema `dispute-filing-request`); the dispute's status out with 201.
pub(crate) async fn file(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    check_schema(&state, SchemaId::DisputeFilingRequest, &body, "")?;
    let request: FilingRequest = typed(body)?;
    let filing = Filing {
        corridor_id: request.corridor_id,
        jurisdiction: request.jurisdiction,
        claimant: request.claimant,
        respondent: request.respondent,
        statement_of_claim: request.statement_of_claim,
    };
    let status = state
        .zone_actors()
        .arbitrations
        .file(&request.dispute_id, filing)
        .await
        .map_err(reject)?;
    Ok((StatusCode::CREATED, Json(status_json(&status))))
}

/// `GET /v1/disputes/{dispute_id}`: state, parties, panel, ruling, transitions, evidence count
/// and where the ruling's enforcement stands.
pub(crate) async fn status(
    State(state): State<AppState>,
    Path(dispute_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let dispute_id = dispute_id_of(&dispute_id)?;
    let status = state
        .zone_actors()
        .arbitrations
        .status(&dispute_id)
        .await
        .map_err(reject)?;
    Ok(Json(status_json(&status)))
}

/// `POST /v1/disputes/{dispute_id}/evidence`: an evidence package (schema `evidence-package`)
/// joins the dispute's file; `{evidence_index, digest}` out with 201.
pub(crate) async fn add_evidence(
    State(state): State<AppState>,
    Path(dispute_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let dispute_id = dispute_id_of(&dispute_id)?;
    check_schema(&state, SchemaId::EvidencePackage, &body, "")?;
    let package: EvidencePackage = typed(body)?;
    let filed = state
        .zone_actors()
        .arbitrations
        .add_evidence(&dispute_id, package)
        .await
        .map_err(reject)?;
    Ok((StatusCode::CREATED, Json(filed_json(&filed))))
}

/// `GET /v1/disputes/{dispute_id}/evidence`: the evidence file in filing order, each package
/// with its index and digest (at most 1,024 packages: the store's bound per dispute).
pub(crate) async fn evidence(
    State(state): State<AppState>,
    Path(dispute_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let dispute_id = dispute_id_of(&dispute_id)?;
    let file = state
        .zone_actors()
        .arbitrations
        .evidence(&dispute_id)
        .await
        .map_err(reject)?;
    Ok(Json(json!({
        "dispute_id": dispute_id.as_str(),
        "evidence": file.iter().map(filed_json).collect::<Vec<_>>(),
    })))
}

/// `POST /v1/disputes/{dispute_id}/steps`: `{step, evidence, ...}` in (schema
/// `dispute-step-request`): `constitute_panel` takes `roster` and `panel_size`, `issue_ruling`
/// `appeal_period_s` and `remedies`, `settle` `escrow_to_party`. `{transition, enforcement,
/// dispute}` out, `enforcement` being the agentic decision of an `enforce` step. An enforce
/// step the agentic actor could not take is a 503 and stays pending; repeating the step
/// executes it.
pub(crate) async fn step(
    State(state): State<AppState>,
    Path(dispute_id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let dispute_id = dispute_id_of(&dispute_id)?;
    check_schema(&state, SchemaId::DisputeStepRequest, &body, "")?;
    let request: StepRequest = typed(body)?;
    let (step, evidence) = request.into_step();
    let arbitrations = &state.zone_actors().arbitrations;
    let outcome = arbitrations
        .step(&dispute_id, step, evidence)
        .await
        .map_err(reject)?;
    let status = arbitrations.status(&dispute_id).await.map_err(reject)?;
    Ok(Json(json!({
        "transition": serde_json::to_value(&outcome.transition).map_err(ApiError::internal)?,
        "enforcement": outcome.enforcement.as_ref().map(decision_json),
        "dispute": status_json(&status),
    })))
}

/// The filing body, after its schema check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilingRequest {
    dispute_id: DisputeId,
    corridor_id: CorridorId,
    jurisdiction: JurisdictionId,
    claimant: EntityId,
    respondent: EntityId,
    statement_of_claim: EvidencePackage,
}

/// The step body, after its schema check (which also keeps each step's parameters to it).
#[derive(Debug, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case", deny_unknown_fields)]
enum StepRequest {
    BeginReview {
        evidence: Vec<EvidencePackage>,
    },
    ConstitutePanel {
        evidence: Vec<EvidencePackage>,
        roster: Vec<Arbitrator>,
        panel_size: usize,
    },
    OpenHearing {
        evidence: Vec<EvidencePackage>,
    },
    IssueRuling {
        evidence: Vec<EvidencePackage>,
        appeal_period_s: i64,
        remedies: Vec<Remedy>,
    },
    Appeal {
        evidence: Vec<EvidencePackage>,
    },
    Enforce {
        evidence: Vec<EvidencePackage>,
    },
    Settle {
        evidence: Vec<EvidencePackage>,
        escrow_to_party: EntityId,
    },
    Dismiss {
        evidence: Vec<EvidencePackage>,
    },
}

impl StepRequest {
    fn into_step(self) -> (DisputeStep, Vec<EvidencePackage>) {
        match self {
            StepRequest::BeginReview { evidence } => (DisputeStep::BeginReview, evidence),
            StepRequest::ConstitutePanel {
                evidence,
                roster,
                panel_size,
            } => (
                DisputeStep::ConstitutePanel { roster, panel_size },
                evidence,
            ),
            StepRequest::OpenHearing { evidence } => (DisputeStep::OpenHearing, evidence),
            StepRequest::IssueRuling {
                evidence,
                appeal_period_s,
                remedies,
            } => (
                DisputeStep::IssueRuling {
                    appeal_period_s,
                    remedies,
                },
                evidence,
            ),
            StepRequest::Appeal { evidence } => (DisputeStep::Appeal, evidence),
            StepRequest::Enforce { evidence } => (DisputeStep::Enforce, evidence),
            StepRequest::Settle {
                evidence,
                escrow_to_party,
            } => (DisputeStep::Settle { escrow_to_party }, evidence),
            StepRequest::Dismiss { evidence } => (DisputeStep::Dismiss, evidence),
        }
    }
}

/// A schema-checked body into its type; what the schema cannot say (an id's characters are
/// checked there too) still fails as a 422 naming the body.
fn typed<T: DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|error| ApiError::invalid("body", error))
}

fn dispute_id_of(text: &str) -> Result<DisputeId, ApiError> {
    DisputeId::new(text).map_err(|error| ApiError::BadRequest {
        message: format!("dispute id: {error}"),
        field: Some("dispute_id".to_owned()),
    })
}

fn status_json(status: &DisputeStatus) -> Value {
    let enforcement = match status.enforcement {
        Enforcement::NotDue => json!({"status": "not_due"}),
        Enforcement::Pending { enforced_at } => {
            json!({"status": "pending", "enforced_at": enforced_at.to_string()})
        }
        Enforcement::Executed { decision_sequence } => {
            json!({"status": "executed", "decision_sequence": decision_sequence})
        }
    };
    json!({
        "dispute_id": status.dispute_id.as_str(),
        "corridor_id": status.corridor_id.as_str(),
        "jurisdiction": status.jurisdiction.as_str(),
        "claimant": status.claimant.as_str(),
        "respondent": status.respondent.as_str(),
        "state": status.state.as_str(),
        "panel": status.panel.iter().map(|id| id.as_str()).collect::<Vec<_>>(),
        "ruling": serde_json::to_value(&status.ruling).unwrap_or(Value::Null),
        "transitions": serde_json::to_value(&status.transitions).unwrap_or(Value::Null),
        "evidence_count": status.evidence_count,
        "enforcement": enforcement,
    })
}

fn filed_json(filed: &FiledEvidence) -> Value {
    json!({
        "evidence_index": filed.evidence_index,
        "digest": filed.digest.to_hex(),
        "package": serde_json::to_value(&filed.package).unwrap_or(Value::Null),
    })
}

/// The HTTP meaning of a dispute's refusal: unknown is 404, the dispute's state or timing is
/// 409, bad evidence or parameters are 422, and an actor that cannot answer is a 503.
pub(crate) fn reject(rejection: ArbitrationReject) -> ApiError {
    let message = rejection.to_string();
    match rejection {
        ArbitrationReject::NotFiled { .. } => ApiError::NotFound { message },
        ArbitrationReject::AlreadyFiled { .. }
        | ArbitrationReject::Closed { .. }
        | ArbitrationReject::EvidenceFull { .. }
        | ArbitrationReject::Protocol(
            ArbitrationError::NotAllowed { .. } | ArbitrationError::AppealWindow { .. },
        ) => ApiError::Conflict { message },
        ArbitrationReject::Protocol(_) => ApiError::invalid("body", message),
        ArbitrationReject::Enforcement { .. } => ApiError::Unavailable {
            message: format!("{message}; repeat the enforce step to execute it"),
            retry_after: DISPUTE_RETRY_AFTER,
        },
        ArbitrationReject::Host(_) => {
            tracing::warn!(%message, "dispute actor unavailable");
            ApiError::Unavailable {
                message: "the dispute is temporarily unavailable".to_owned(),
                retry_after: DISPUTE_RETRY_AFTER,
            }
        }
    }
}
