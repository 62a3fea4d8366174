//! The MSEZ actors and the zone supervision tree.
//!
//! Owns: the corridor actors ([`corridor`]), watcher actors ([`watcher`]) and the clock actors
//! read ([`clock`]). Will own the entity, arbitration, agentic, scheduler and Mass-pool actors, and the function that
//! starts a zone's supervision tree from configuration.
//!
//! Never: holds domain rules of its own (handlers call `msez-protocol`), acknowledges a write
//! before it is committed, or makes a nested synchronous call to an actor that may call back.

pub mod clock;
pub mod corridor;
pub mod watcher;
