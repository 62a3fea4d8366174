//! Compliance: evaluate a subject, record the evaluation in the subject's tensor, read the
//! recorded tensor, its commitment and a cell's inclusion proof, and route over corridors
//! under the subject's recorded compliance (the manifold).
//!
//! A subject's tensor lives in the store's tensor snapshots ([`crate::server::tensors`]); a
//! proof served here verifies offline with `msez tensor verify-proof`.
//!
//! Never: decides a compliance rule or a route (`msez_protocol::tensor` and
//! `msez_protocol::manifold` do), or caches a verdict outside the store.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::manifold::{
    CorridorEdge, JurisdictionNode, Manifold, ManifoldError, Route, RouteConstraints, RouteQuery,
    TensorView, k_shortest_routes,
};
use msez_protocol::tensor::Domain;
use msez_protocol::tensor::cell::CellAddress;
use msez_protocol::tensor::offline::{EvaluateOutput, evaluate_document};
use msez_schemas::SchemaId;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::body::{JsonBody, check_schema};
use crate::server::error::ApiError;
use crate::server::handlers::now;
use crate::server::query::QueryParams;
use crate::server::state::AppState;
use crate::server::tensors::RecordedTensor;

/// `POST /v1/compliance/evaluate`: the `msez tensor evaluate` input in, its output out;
/// nothing is recorded.
pub(crate) async fn evaluate(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let output = evaluated(&state, &body)?;
    let value = serde_json::to_value(&output).map_err(ApiError::internal)?;
    Ok(Json(value))
}

/// `POST /v1/compliance/tensors`: the same input; the evaluation is folded into the subject's
/// recorded tensor (replacing that jurisdiction's cells) and filed; 201 with the commitment.
pub(crate) async fn record(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let output = evaluated(&state, &body)?;
    let subject = output
        .cells
        .first()
        .map(|cell| cell.address.subject.clone())
        .ok_or_else(|| ApiError::internal("an evaluation without cells"))?;
    let determined_at = output
        .cells
        .iter()
        .map(|cell| cell.determined_at)
        .max()
        .ok_or_else(|| ApiError::internal("an evaluation without cells"))?;
    let recorded = state
        .tensors()
        .record(state.store(), &subject, output.cells, determined_at)
        .await?;
    Ok((StatusCode::CREATED, Json(commitment_json(&recorded)?)))
}

/// `GET /v1/compliance/tensors/{subject_id}`: every recorded cell of the subject, with the
/// commitment over them.
pub(crate) async fn tensor(
    State(state): State<AppState>,
    Path(subject_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    tensor_of(&state, &subject_id).await.map(Json)
}

/// `GET /v1/compliance/tensors/{subject_id}/commitment`: the root, leaf count, aggregate and
/// the digest of the recorded document, without the cells.
pub(crate) async fn commitment(
    State(state): State<AppState>,
    Path(subject_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let recorded = recorded(&state, &subject_id).await?;
    Ok(Json(commitment_json(&recorded)?))
}

/// The cell a proof is asked for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CellQuery {
    jurisdiction: JurisdictionId,
    domain: Domain,
}

/// `GET /v1/compliance/tensors/{subject_id}/proof?jurisdiction=&domain=`: `{root, proof}`,
/// exactly the input of `msez tensor verify-proof`.
pub(crate) async fn proof(
    State(state): State<AppState>,
    Path(subject_id): Path<String>,
    QueryParams(cell): QueryParams<CellQuery>,
) -> Result<Json<Value>, ApiError> {
    let recorded = recorded(&state, &subject_id).await?;
    let tree = recorded.tensor.commitment().map_err(ApiError::internal)?;
    let root = tree.root().ok_or_else(|| ApiError::internal("no root"))?;
    let address = CellAddress {
        subject: recorded.tensor.subject().clone(),
        jurisdiction: cell.jurisdiction,
        domain: cell.domain,
    };
    let proof = tree.prove(&address).map_err(|error| ApiError::NotFound {
        message: error.to_string(),
    })?;
    Ok(Json(json!({"root": root, "proof": proof})))
}

/// `POST /v1/compliance/manifold/paths`: up to `k` best routes from one jurisdiction to
/// another over the corridors given, using only corridors the subject's recorded tensor
/// allows (SPEC §10 states that pass; an unrecorded cell is pending and fails).
pub(crate) async fn paths(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    check_schema(&state, SchemaId::ManifoldPathsRequest, &body, "")?;
    let request: PathsRequest = serde_json::from_value(body)
        .map_err(|error| ApiError::invalid("body", format!("paths request: {error}")))?;
    let subject = request.subject.clone();
    let recorded = state
        .tensors()
        .latest(state.store(), &subject)
        .await?
        .ok_or_else(|| ApiError::not_found("compliance tensor of subject", subject.as_str()))?;
    let k = request.k.unwrap_or(1);
    let (manifold, query) = request.into_query()?;
    let view = TensorView {
        tensor: recorded.tensor.tensor(),
        subject: &subject,
    };
    let routes = k_shortest_routes(&manifold, &query, &view, k).map_err(manifold_error)?;
    Ok(Json(json!({
        "subject": subject.as_str(),
        "tensor_digest": recorded.digest.to_hex(),
        "routes": routes.iter().map(route_json).collect::<Vec<_>>(),
    })))
}

/// The recorded tensor of a subject as the API shows it (also the regulator console's view).
pub(crate) async fn tensor_of(state: &AppState, subject_id: &str) -> Result<Value, ApiError> {
    let recorded = recorded(state, subject_id).await?;
    let mut body = commitment_json(&recorded)?;
    let cells: Vec<Value> = recorded
        .tensor
        .tensor()
        .cells()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(ApiError::internal)?;
    if let Some(object) = body.as_object_mut() {
        object.insert("cells".to_owned(), Value::Array(cells));
    }
    Ok(body)
}

/// Evaluates a request body that must follow the evaluation schema.
fn evaluated(state: &AppState, body: &Value) -> Result<EvaluateOutput, ApiError> {
    check_schema(state, SchemaId::ComplianceEvaluation, body, "")?;
    let bytes = serde_json::to_vec(body).map_err(ApiError::internal)?;
    evaluate_document(&bytes, now()?).map_err(|error| ApiError::invalid("body", &error))
}

async fn recorded(state: &AppState, subject_id: &str) -> Result<RecordedTensor, ApiError> {
    let subject = EntityId::new(subject_id).map_err(|error| ApiError::BadRequest {
        message: error.to_string(),
        field: Some("subject_id".to_owned()),
    })?;
    state
        .tensors()
        .latest(state.store(), &subject)
        .await?
        .ok_or_else(|| ApiError::not_found("compliance tensor of subject", subject_id))
}

fn commitment_json(recorded: &RecordedTensor) -> Result<Value, ApiError> {
    let tensor = &recorded.tensor;
    let tree = tensor.commitment().map_err(ApiError::internal)?;
    let jurisdictions: Vec<&str> = tensor
        .jurisdictions()
        .into_iter()
        .map(JurisdictionId::as_str)
        .collect();
    Ok(json!({
        "subject": tensor.subject().as_str(),
        "revision": tensor.revision(),
        "taken_at": tensor.taken_at().to_string(),
        "tensor_digest": recorded.digest.to_hex(),
        "jurisdictions": jurisdictions,
        "aggregate": tensor.aggregate().as_str(),
        "commitment_root": tree.root(),
        "leaf_count": tree.leaf_count(),
    }))
}

/// `POST /v1/compliance/manifold/paths` body (checked by its schema first).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PathsRequest {
    subject: EntityId,
    from: JurisdictionId,
    to: JurisdictionId,
    amount_minor: u64,
    k: Option<usize>,
    #[serde(default)]
    constraints: ConstraintsRequest,
    jurisdictions: Vec<NodeRequest>,
    corridors: Vec<EdgeRequest>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConstraintsRequest {
    max_cost_minor: Option<u64>,
    max_hops: Option<u32>,
    max_hours: Option<u64>,
    #[serde(default)]
    excluded: BTreeSet<JurisdictionId>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeRequest {
    jurisdiction: JurisdictionId,
    #[serde(default)]
    required_domains: Vec<Domain>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EdgeRequest {
    corridor_id: CorridorId,
    from: JurisdictionId,
    to: JurisdictionId,
    flat_fee_minor: u64,
    fee_bps: u32,
    transfer_hours: u32,
    finality_hours: u32,
    #[serde(default)]
    required_domains: Vec<Domain>,
}

impl PathsRequest {
    /// The checked manifold and the query (the manifold refuses a bad graph, naming it).
    fn into_query(self) -> Result<(Manifold, RouteQuery), ApiError> {
        let nodes = self
            .jurisdictions
            .into_iter()
            .map(|node| JurisdictionNode {
                jurisdiction: node.jurisdiction,
                required_domains: node.required_domains,
            })
            .collect();
        let edges = self
            .corridors
            .into_iter()
            .map(|edge| CorridorEdge {
                corridor_id: edge.corridor_id,
                from: edge.from,
                to: edge.to,
                flat_fee_minor: edge.flat_fee_minor,
                fee_bps: edge.fee_bps,
                transfer_hours: edge.transfer_hours,
                finality_hours: edge.finality_hours,
                required_domains: edge.required_domains,
            })
            .collect();
        let manifold = Manifold::new(nodes, edges).map_err(manifold_error)?;
        let query = RouteQuery {
            from: self.from,
            to: self.to,
            amount_minor: self.amount_minor,
            constraints: RouteConstraints {
                max_cost_minor: self.constraints.max_cost_minor,
                max_hops: self.constraints.max_hops,
                max_hours: self.constraints.max_hours,
                excluded: self.constraints.excluded,
            },
        };
        Ok((manifold, query))
    }
}

fn route_json(route: &Route) -> Value {
    json!({
        "cost_minor": route.cost_minor,
        "hours": route.hours,
        "hop_count": route.hop_count,
        "corridors": route.corridors.iter().map(CorridorId::as_str).collect::<Vec<_>>(),
        "jurisdictions": route.jurisdictions.iter().map(JurisdictionId::as_str).collect::<Vec<_>>(),
    })
}

/// A refused graph or query, naming the member at fault (every cause is the caller's).
fn manifold_error(error: ManifoldError) -> ApiError {
    let field = match &error {
        ManifoldError::TooManyNodes { .. } | ManifoldError::DuplicateNode { .. } => {
            "/jurisdictions".to_owned()
        }
        ManifoldError::TooManyEdges { .. }
        | ManifoldError::DuplicateEdge { .. }
        | ManifoldError::UnknownEndpoint { .. }
        | ManifoldError::SelfLoop { .. }
        | ManifoldError::FeeOutOfRange { .. } => "/corridors".to_owned(),
        ManifoldError::UnknownQueryEndpoint { field, .. } => format!("/{field}"),
        ManifoldError::CostOverflow { .. } => "/amount_minor".to_owned(),
        ManifoldError::KOutOfRange { .. } => "/k".to_owned(),
        ManifoldError::SearchBudgetExceeded { .. } => "body".to_owned(),
    };
    ApiError::invalid(field, &error)
}
