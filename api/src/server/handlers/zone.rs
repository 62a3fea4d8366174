//! The zone this node serves: the deterministic lock of the packs it runs on.
//!
//! Never: re-reads the zone file or its packs at request time (the lock is what the node
//! computed when it started, so it describes this process).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::server::error::ApiError;
use crate::server::state::AppState;

/// `GET /v1/zone/lock`: the `zone.lock` bytes (canonical JSON and a newline) of the zone the
/// node was started with; `msez zone lock zone.yaml` prints the same bytes. 404 when the node
/// runs without a zone file.
pub(crate) async fn lock(State(state): State<AppState>) -> Result<Response, ApiError> {
    let zone = state.zone().ok_or_else(|| ApiError::NotFound {
        message: "this node was started without a zone file".to_owned(),
    })?;
    let bytes = zone.lock.to_bytes().map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}
