//! The MSEZ actors and the zone supervision tree.
//!
//! Will own: corridor, entity, watcher, arbitration, agentic, scheduler and Mass-pool actors,
//! and the function that starts a zone's supervision tree from configuration.
//!
//! Never: holds domain rules of its own (handlers call `msez-protocol`), acknowledges a write
//! before it is committed, or makes a nested synchronous call to an actor that may call back.
//!
//! Status: no code yet; the actor-runtime issue fills this crate.

pub mod agentic;
pub mod arbitration;
pub mod clock;
pub mod entity;
pub mod mass_pool;
pub mod scheduler;
pub mod zone;

mod slot;
