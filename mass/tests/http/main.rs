//! Tests of the Mass client against the Mass sandbox over real HTTP on 127.0.0.1.
//!
//! Goal: every client operation, the resilience rules (retry limits, no retry of unkeyed
//! writes, breaker open and recovery), decoding tolerance, secrets hygiene and bad input, proven
//! end to end through sockets. Method: each test starts its own seeded sandbox on port 0 and a
//! client configured by `support::config`; faults are injected through the sandbox handle or
//! its control endpoint. Only loopback addresses are ever used.

// Tests may unwrap: a panic is the failure report (workspace rules allow it in tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod bad_input;
mod cache;
mod operations;
mod resilience;
mod secrets;
mod support;
