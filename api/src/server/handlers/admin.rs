//! Admin supervision routes: the tree, a stream of supervision events, one actor, and the
//! operator's kill drill.
//!
//! Never: changes an actor's state other than through `Introspection::kill` (whose restart the
//! supervisor then performs), or lets any role but operator kill.

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use msez_runtime::SupervisionEvent;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use crate::server::error::ApiError;
use crate::server::state::AppState;

/// How often the event stream sends a keep-alive comment, so proxies keep it open.
pub const SSE_KEEP_ALIVE: Duration = Duration::from_secs(15);

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
    let stopping = state.stopping();
    let events = stream::unfold(
        (receiver, stopping),
        |(mut receiver, mut stopping)| async move {
            if *stopping.borrow() {
                return None;
            }
            let received = tokio::select! {
                received = receiver.recv() => received,
                // Shutdown began (or the node is gone): end the stream so the drain can finish.
                _ = stopping.changed() => return None,
            };
            let event = match received {
                Ok(event) => supervision_event(&event),
                Err(RecvError::Lagged(missed)) => Event::default()
                    .event("lagged")
                    .data(json!({"missed": missed}).to_string()),
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(event), (receiver, stopping)))
        },
    );
    Sse::new(events).keep_alive(KeepAlive::new().interval(SSE_KEEP_ALIVE))
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
