//! The MSEZ actors and the zone supervision tree.
//!
//! Owns: the corridor actors ([`corridor`]), watcher actors ([`watcher`]), entity actors
//! ([`entity`]), arbitration actors ([`arbitration`]), the agentic actor ([`agentic`]) and its
//! policy versions ([`policies`]), the scheduler ([`scheduler`]), the Mass-client pool
//! ([`mass_pool`]), the clock actors read ([`clock`]), and [`zone::start_zone`], which starts a
//! zone's supervision tree from configuration.
//!
//! Never: holds domain rules of its own (handlers call `msez-protocol`), acknowledges a write
//! before it is committed, or makes a nested synchronous call to an actor that may call back.

pub mod agentic;
pub mod arbitration;
pub mod clock;
pub mod corridor;
pub mod entity;
pub mod mass_pool;
pub mod policies;
pub mod scheduler;
pub mod watcher;
pub mod zone;

mod slot;
mod trail;
