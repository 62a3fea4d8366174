//! Admin routes: the supervision tree, a stream of supervision events, one actor, the
//! operator's kill drill, and the operator's Mass-sandbox fault drill (chaos runs make the
//! in-process Mass sandbox slow or failing through it).
//!
//! Never: changes an actor's state other than through `Introspection::kill` (whose restart the
//! supervisor then performs), lets any role but operator kill or inject faults, or touches real
//! Mass (a node on real Mass refuses the fault drill).

use std::collections::BTreeMap;
use std::convert::Infallible;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, Sse};
use futures_util::stream::{self, Stream};
use msez_mass::error::Service;
use msez_mass::sandbox::SandboxFaults;
use msez_mass::sandbox::faults::FaultConfig;
use msez_mass::sandbox::state::SandboxError;
use msez_runtime::SupervisionEvent;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::server::body::JsonBody;
use crate::server::error::ApiError;
use crate::server::handlers::corridors::bad_parameter;
use crate::server::handlers::events::{lagged_event, sse_until_stopping};
use crate::server::state::AppState;

/// The suffix of the kill route's path (`POST /v1/admin/actors/{path}/kill`).
pub const KILL_SUFFIX: &str = "/kill";

/// `GET /v1/admin/supervision`: the whole tree.
pub(crate) async fn supervision(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let tree = serde_json::to_value(state.introspection().tree()).map_err(ApiError::internal)?;
    Ok(Json(tree))
}

/// `GET /v1/admin/supervision/stream`: server-sent events, one per supervision event (`event:`
/// is its kind, `data:` its JSON). A subscriber that falls behind gets a `lagged` event naming
/// how many events it missed. The stream ends when the node begins shutting down.
pub(crate) async fn supervision_stream(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.introspection().subscribe();
    let events = stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(event) => supervision_event(&event),
            Err(RecvError::Lagged(missed)) => lagged_event(missed),
            Err(RecvError::Closed) => return None,
        };
        Some((event, receiver))
    });
    sse_until_stopping(events, state.stopping())
}

/// `GET /v1/admin/actors/{path}`: one node of the tree and its subtree.
pub(crate) async fn actor(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let path = format!("/{}", path.trim_start_matches('/'));
    let node = state
        .introspection()
        .find(&path)
        .ok_or_else(|| ApiError::not_found("actor", &path))?;
    Ok(Json(
        serde_json::to_value(node).map_err(ApiError::internal)?,
    ))
}

/// `POST /v1/admin/actors/{path}/kill`: kills the actor (a drill); its supervisor restarts it
/// per its policy. 404 when no live actor is at that path.
pub(crate) async fn kill(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let Some(actor_path) = path.strip_suffix(KILL_SUFFIX) else {
        return Err(ApiError::NotFound {
            message: "no such route".to_owned(),
        });
    };
    let actor_path = format!("/{}", actor_path.trim_start_matches('/'));
    let killed = state
        .introspection()
        .kill(&actor_path)
        .await
        .map_err(ApiError::internal)?;
    if !killed {
        return Err(ApiError::not_found("live actor", &actor_path));
    }
    tracing::warn!(path = %actor_path, "actor killed by operator drill");
    Ok(Json(json!({"path": actor_path, "killed": true})))
}

/// `GET /v1/admin/mass-sandbox/faults`: the in-process Mass sandbox's faults per service
/// (`{context: {latencyMs, errorRate, failNextCount, errorStatus, retryAfterSecs, down}}`) and
/// the requests each service received. 409 when the node talks to real Mass.
pub(crate) async fn mass_faults(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let sandbox = sandbox_of(&state)?;
    Ok(Json(faults_json(sandbox)))
}

/// `POST /v1/admin/mass-sandbox/faults/{service}`: replaces the faults of one Mass service
/// (its context, such as `treasury-info`) in the in-process sandbox; `{}` heals it. Answers
/// every service's faults. 409 when the node talks to real Mass: faults are never sent there.
pub(crate) async fn set_mass_faults(
    State(state): State<AppState>,
    Path(service): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Json<Value>, ApiError> {
    let sandbox = sandbox_of(&state)?;
    let service = Service::from_context(&service).ok_or_else(|| {
        bad_parameter(
            "service",
            format!(
                "unknown Mass service {service:?}; expected one of {}",
                Service::ALL.map(Service::context).join(", ")
            ),
        )
    })?;
    let config: FaultConfig =
        serde_json::from_value(body).map_err(|error| ApiError::invalid("body", &error))?;
    sandbox.set(service, config).map_err(|error| match &error {
        SandboxError::InvalidField { field, .. } => ApiError::invalid(format!("/{field}"), &error),
        _ => ApiError::internal(&error),
    })?;
    tracing::warn!(
        service = service.context(),
        latency_ms = config.latency_ms,
        error_rate = config.error_rate,
        down = config.down,
        "mass sandbox faults set by operator drill"
    );
    Ok(Json(faults_json(sandbox)))
}

/// The sandbox, or the 409 of a node on real Mass.
fn sandbox_of(state: &AppState) -> Result<&SandboxFaults, ApiError> {
    state.mass_sandbox().ok_or_else(|| ApiError::Conflict {
        message: "this node talks to real Mass (--mass-url); faults can only be injected into \
                  the in-process Mass sandbox"
            .to_owned(),
    })
}

fn faults_json(sandbox: &SandboxFaults) -> Value {
    let faults: BTreeMap<&str, FaultConfig> = sandbox
        .snapshot()
        .into_iter()
        .map(|(service, config)| (service.context(), config))
        .collect();
    let requests: BTreeMap<&str, u64> = Service::ALL
        .iter()
        .map(|service| (service.context(), sandbox.request_count(*service)))
        .collect();
    json!({"faults": faults, "requests": requests})
}

fn supervision_event(event: &SupervisionEvent) -> Event {
    let kind = match event {
        SupervisionEvent::Started { .. } => "started",
        SupervisionEvent::Failed { .. } => "failed",
        SupervisionEvent::Restarted { .. } => "restarted",
        SupervisionEvent::Escalated { .. } => "escalated",
        SupervisionEvent::Passivated { .. } => "passivated",
        SupervisionEvent::Stopped { .. } => "stopped",
    };
    let data = serde_json::to_string(event).unwrap_or_else(|_| "{}".to_owned());
    Event::default().event(kind).data(data)
}
