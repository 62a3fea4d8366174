//! The zone node over real HTTP: a node on an ephemeral port over a fresh SQLite store and the
//! in-process Mass sandbox, driven with reqwest. Each module tests one concern at the boundary
//! (the route table, auth, limits, each resource); `support` is the one place that starts a
//! node and makes a request.

// Helpers outside #[test] fns may unwrap too: a failure there is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod admin;
mod agentic;
mod auth;
mod client_cli;
mod compliance;
mod corridors;
mod credentials;
mod disputes;
mod envelope;
mod events;
mod forks;
mod health;
mod openapi;
mod orchestration;
mod packs;
#[path = "../common/pacs008.rs"]
mod pacs008;
mod postgres;
mod process;
mod proposals;
mod regulator;
mod settlement;
mod smart_assets;
mod support;
mod watchers;
mod zone;
mod zone_lock;
