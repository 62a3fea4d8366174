//! The load generator's error type.
//!
//! Owns [`LoadError`]. Errors of single requests during a run are not `LoadError`s: they are
//! counted by kind in the report (see `client::RequestError`). A `LoadError` stops the run.
//!
//! Never: carries a secret (tokens and keys are not part of any variant).

use std::path::PathBuf;

/// Why a load run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A generated corridor value is invalid (an id, a definition, an agreement).
    #[error("corridor {corridor_index}: cannot build {what}: {reason}")]
    Generate {
        /// The corridor.
        corridor_index: usize,
        /// What was being built.
        what: &'static str,
        /// The protocol error.
        reason: String,
    },
    /// Signing a receipt failed.
    #[error("corridor {corridor_id}: signing receipt {sequence} failed: {reason}")]
    Sign {
        /// The corridor.
        corridor_id: String,
        /// The receipt's sequence.
        sequence: u64,
        /// The protocol error.
        reason: String,
    },
    /// The system clock is before 1970 or after 9999.
    #[error("system clock is out of range: {reason}")]
    Clock {
        /// Why.
        reason: String,
    },
    /// The operating system's random source failed.
    #[error("random source failed: {reason}")]
    Random {
        /// Why.
        reason: String,
    },
    /// The HTTP client could not be built.
    #[error("HTTP client: {reason}")]
    Client {
        /// Why.
        reason: String,
    },
    /// The node command could not be started, stopped or watched.
    #[error("node command {command:?}: {reason}")]
    Node {
        /// The command line.
        command: String,
        /// Why.
        reason: String,
    },
    /// The node did not report ready in time.
    #[error("node at {url} not ready after {waited_ms} ms: {last}")]
    NotReady {
        /// The node's base URL.
        url: String,
        /// How long we waited.
        waited_ms: u64,
        /// The last readiness answer or error.
        last: String,
    },
    /// Too few corridors could be created to run.
    #[error(
        "setup created {created_count} of {wanted_count} corridors; first failure: {first_failure}"
    )]
    Setup {
        /// Corridors created and activated.
        created_count: usize,
        /// Corridors wanted.
        wanted_count: usize,
        /// The first failure.
        first_failure: String,
    },
    /// The report could not be written.
    #[error("cannot write report to {}: {source}", path.display())]
    Report {
        /// Where.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A background task of the run panicked or was cancelled.
    #[error("task {task} failed: {reason}")]
    Task {
        /// Which task.
        task: &'static str,
        /// Why.
        reason: String,
    },
}
