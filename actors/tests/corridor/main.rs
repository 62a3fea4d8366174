//! Corridor actor tests: one binary, modules by subject. Every test runs on a fresh SQLite file
//! and on a fresh Postgres schema (see `support`). Without `MSEZ_TEST_DATABASE_URL` the
//! Postgres half fails loudly unless `MSEZ_TEST_SKIP_POSTGRES=1` says it is knowingly skipped.

// This whole crate is a test binary: helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod actor;
mod control;
mod core;
mod forks;
mod watcher;
