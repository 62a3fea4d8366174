//! A generic supervised-actor runtime on ractor.
//!
//! Will own: supervisors with per-child restart policy (permanent, transient, temporary),
//! exponential backoff with jitter, restart intensity with escalation, sharded keyed-actor hosts
//! with single-flight activation and idle passivation, per-actor admission bounds, and the
//! introspection tree operators read through the admin endpoint.
//!
//! Never: knows a domain type (no corridor, receipt or entity), touches storage, or speaks HTTP.
//!
//! Status: no code yet; the actor-runtime issue fills this crate.
