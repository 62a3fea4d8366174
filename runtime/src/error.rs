//! Errors of the runtime: why an actor crashed (`ActorFailure`), why a keyed-host operation failed
//! (`HostError`) and why starting or steering a supervisor failed (`RuntimeError`).
//!
//! Never: carries a domain type; formats a cause into a string where a field would do.

use thiserror::Error;

/// Why an actor crashed: a storage failure, a broken invariant, a failed hydrate.
///
/// Returning it from a handler crashes the actor; its supervisor restarts it from durable state.
/// A business rejection is never an `ActorFailure`: it is a reply.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{reason}")]
pub struct ActorFailure {
    reason: String,
}

impl ActorFailure {
    /// A failure with the given reason.
    pub fn new(reason: impl Into<String>) -> Self {
        Self {
            reason: reason.into(),
        }
    }

    /// The reason, as given by the handler.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl From<String> for ActorFailure {
    fn from(reason: String) -> Self {
        Self { reason }
    }
}

impl From<&str> for ActorFailure {
    fn from(reason: &str) -> Self {
        Self::new(reason)
    }
}

/// Why a message to a keyed actor was not delivered or not answered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostError {
    /// The actor's inbox holds `bound` messages already; the caller should retry later.
    #[error("actor {key} is overloaded: inbox depth {inbox_depth} reached the bound {bound}")]
    Overloaded {
        /// The key, as displayed.
        key: String,
        /// Messages admitted and not yet dequeued.
        inbox_depth: usize,
        /// The host's per-actor admission bound.
        bound: usize,
    },
    /// The actor could not be spawned.
    #[error("activation of actor {key} failed: {reason}")]
    ActivationFailed {
        /// The key, as displayed.
        key: String,
        /// Why the spawn failed.
        reason: String,
    },
    /// No reply arrived within the call timeout.
    #[error("call to actor {key} timed out after {timeout_ms} ms")]
    Timeout {
        /// The key, as displayed.
        key: String,
        /// The host's call timeout.
        timeout_ms: u64,
    },
    /// The actor stopped (crash, kill or passivation) before it answered; the message may or may
    /// not have been handled.
    #[error("actor {key} died before it answered")]
    ActorDied {
        /// The key, as displayed.
        key: String,
    },
    /// The key exceeded its restart intensity and is quarantined until `KeyedHost::reset`.
    #[error("actor {key} is quarantined after too many restarts; last failure: {last_failure}")]
    Quarantined {
        /// The key, as displayed.
        key: String,
        /// The failure that exceeded the intensity.
        last_failure: String,
    },
    /// The host has shut down (or is shutting down).
    #[error("keyed host {host} is stopped")]
    Stopped {
        /// The host's name.
        host: String,
    },
}

/// Why a supervisor or host could not start, or an introspection command failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RuntimeError {
    /// A configuration value is out of range.
    #[error("invalid runtime config: {field} = {value} ({reason})")]
    InvalidConfig {
        /// The config field.
        field: &'static str,
        /// The offending value, as displayed.
        value: String,
        /// Which range it must lie in.
        reason: &'static str,
    },
    /// ractor refused to spawn an actor.
    #[error("spawning {path} failed: {reason}")]
    SpawnFailed {
        /// Path of the actor in the introspection tree.
        path: String,
        /// ractor's reason.
        reason: String,
    },
    /// A path was registered twice in the introspection tree.
    #[error("path {path} is already registered in the introspection tree")]
    DuplicatePath {
        /// The path.
        path: String,
    },
    /// A child's start function failed.
    #[error("child {path} failed to start: {reason}")]
    ChildStartFailed {
        /// Path of the child.
        path: String,
        /// The child's failure.
        reason: String,
    },
}
