//! Route handlers, one module per resource. Each extracts, lifts the input into a domain type
//! (through a `msez-protocol` function), calls it or the `Store`, and maps the result.
//!
//! Never: runs SQL or decides a domain rule.

pub(super) mod admin;
pub(super) mod agentic;
pub(super) mod compliance;
pub(super) mod corridors;
pub(super) mod credentials;
pub(super) mod disputes;
pub(super) mod events;
pub(super) mod forks;
pub(super) mod health;
pub(super) mod orchestration;
pub(super) mod packs;
pub(super) mod proposals;
pub(super) mod regulator;
pub(super) mod settlement;
pub(super) mod smart_assets;
pub(super) mod watchers;
pub(super) mod zone;

use std::time::{SystemTime, UNIX_EPOCH};

use msez_protocol::time::Timestamp;

use super::error::ApiError;

/// The node's clock as a protocol timestamp: the one place the edge reads wall time.
pub(super) fn now() -> Result<Timestamp, ApiError> {
    let unix_seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|elapsed| i64::try_from(elapsed.as_secs()).ok())
        .ok_or_else(|| ApiError::internal("system clock before 1970"))?;
    Timestamp::from_unix_seconds(unix_seconds).map_err(ApiError::internal)
}

/// The node's clock in Unix milliseconds, for store records.
pub(super) fn now_unix_ms() -> Result<i64, ApiError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|elapsed| i64::try_from(elapsed.as_millis()).ok())
        .ok_or_else(|| ApiError::internal("system clock before 1970"))
}
