//! Probes, metrics and the OpenAPI document: the public routes.
//!
//! Never: requires a token, reports ready without asking the store a real query, or reports
//! ready while the zone's services supervisor is down or escalated.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use msez_mass::breaker::BreakerState;
use msez_runtime::{NodeStatus, SupervisorHandle, TreeNode};
use serde_json::{Value, json};

use crate::server::routes::openapi_document;
use crate::server::state::AppState;

/// How long the readiness probe waits for the store's answer. One second is far above a
/// healthy query on either backend and below a typical probe timeout.
pub const READINESS_STORE_TIMEOUT: Duration = Duration::from_secs(1);

/// The status list the readiness probe reads: a real query on the credential status view
/// that returns no rows.
const READINESS_PROBE_LIST: &str = "msez.readiness-probe";

/// `GET /health/liveness`: 200 while the process serves requests.
pub(crate) async fn liveness() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// `GET /health/readiness`: 200 when the store answers a query, the zone's services supervisor
/// runs and no Mass breaker is open; 503 with one reason per failing check otherwise.
pub(crate) async fn readiness(State(state): State<AppState>) -> Response {
    let mut reasons = Vec::new();
    let probe = tokio::time::timeout(
        READINESS_STORE_TIMEOUT,
        state.store().status_list(READINESS_PROBE_LIST),
    )
    .await;
    let store_check = match probe {
        Ok(Ok(_)) => "ok",
        Ok(Err(error)) => {
            tracing::warn!(%error, "readiness: store query failed");
            reasons.push("store: query failed".to_owned());
            "failed"
        }
        Err(_) => {
            reasons.push(format!(
                "store: no answer within {} ms",
                READINESS_STORE_TIMEOUT.as_millis()
            ));
            "timeout"
        }
    };
    let supervision_check = match services_problem(&state.zone_actors().services) {
        None => "ok",
        Some(reason) => {
            reasons.push(reason);
            "failed"
        }
    };
    let mut breakers = serde_json::Map::new();
    for (service, breaker) in state.mass().readiness() {
        let name = format!("{service:?}").to_lowercase();
        let text = match breaker {
            BreakerState::Closed => "closed",
            BreakerState::HalfOpen => "half_open",
            BreakerState::Open => {
                reasons.push(format!("mass {name}: circuit open"));
                "open"
            }
        };
        breakers.insert(name, text.into());
    }
    let ready = reasons.is_empty();
    let body = json!({
        "status": if ready { "ready" } else { "not_ready" },
        "checks": {
            "store": store_check,
            "supervision": supervision_check,
            "mass_breakers": breakers,
        },
        "reasons": reasons,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// Why the services supervisor (Mass pool, agentic, scheduler) cannot serve, if it cannot.
fn services_problem(services: &SupervisorHandle) -> Option<String> {
    let path = services.path();
    match services.status() {
        Some(NodeStatus::Failed) => Some(format!(
            "supervision: {path} escalated (restart intensity exceeded)"
        )),
        None => Some(format!("supervision: {path} is not in the tree")),
        Some(_) if !services.is_alive() => Some(format!("supervision: {path} is not running")),
        Some(_) => None,
    }
}

/// `GET /metrics`: Prometheus text.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let (nodes, running, restarts) = tree_counts(&state.introspection().tree());
    let text = state.metrics().render(&[
        (
            "msez_supervision_nodes",
            "Nodes in the supervision tree.",
            nodes,
        ),
        (
            "msez_supervision_nodes_running",
            "Running nodes in the supervision tree.",
            running,
        ),
        (
            "msez_supervision_restarts",
            "Restarts counted across the supervision tree.",
            restarts,
        ),
    ]);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

/// (nodes, running nodes, restarts) over a tree, iteratively so a deep tree cannot overflow.
fn tree_counts(root: &TreeNode) -> (u64, u64, u64) {
    let (mut nodes, mut running, mut restarts) = (0_u64, 0_u64, 0_u64);
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        nodes += 1;
        running += u64::from(node.status == NodeStatus::Running);
        restarts += u64::from(node.restart_count);
        pending.extend(node.children.iter());
    }
    (nodes, running, restarts)
}

/// `GET /openapi.json`.
pub(crate) async fn openapi() -> Json<Value> {
    Json(openapi_document())
}
