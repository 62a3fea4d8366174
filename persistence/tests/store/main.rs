//! The store's shared suite: every test runs against SQLite (always) and Postgres (when
//! `MSEZ_TEST_DATABASE_URL` is set; each test gets its own schema so tests run in parallel).
//! Without the variable the Postgres half fails loudly, unless `MSEZ_TEST_SKIP_POSTGRES=1`
//! says the caller knowingly runs SQLite only, in which case each Postgres test prints a
//! warning.

// This whole crate is a test binary: helpers outside `#[test]` functions fail loudly too, which
// is what clippy's in-test allowance gives the test functions themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod crash;
mod group_commit;
mod journal;
mod leases;
mod migrations;
mod records;
mod registry;
mod registry_api;
