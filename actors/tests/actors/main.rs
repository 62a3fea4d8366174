//! Tests of the zone actors against a real Mass sandbox over HTTP on 127.0.0.1 and private
//! SQLite stores.
//!
//! Goal: each actor's behaviour at its handle: the Mass pool's ordering, parallelism, admission
//! and fault surfacing; the agentic actor's actions really happening; the entity, scheduler,
//! arbitration actors and the zone tree. Method: every test starts its own seeded sandbox on
//! port 0 and its own store; time is injected (a manual clock or explicit ticks), so no test
//! sleeps for a deadline.

// Tests may unwrap: a panic is the failure report (workspace rules allow it in tests).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod agentic;
mod entity;
mod mass_pool;
mod scheduler;
mod support;
mod zone;
