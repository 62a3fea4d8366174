//! Corridor actors: one supervised actor per corridor owns its receipt chain, netting book,
//! lifecycle state and checkpoints.
//!
//! Owns, in reading order: [`handle`] (the cloneable [`handle::Corridors`] API), [`core`] (the state and every operation, as a plain async struct),
//! [`spec`] (what a corridor is, as created and stored), [`error`] (typed rejections versus
//! actor failures) and [`leases`] (this node's shard leases and their epochs). A private `actor` module adapts the core
//! to `msez_runtime::Keyed`; a private `control` module makes the host the agentic actor's
//! `CorridorControl` and the scheduler's lease-renewal sink.
//!
//! Never: holds a domain rule of its own (every rule is a `msez-protocol` call), acknowledges a
//! receipt before its commit, or lets caller input crash an actor.

mod actor;
mod control;
pub mod core;
pub mod error;
pub mod handle;
pub mod leases;
pub mod spec;
