//! Integration tests of msez-runtime, one binary with modules (STYLE rule 21).
//!
//! Goal: exercise the runtime at its public boundary (`KeyedHost`, `start_supervisor`,
//! `Introspection`) with small test behaviours whose state lives in a fake durable store, so a
//! restart can be checked to be indistinguishable from no restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod keyed;
mod supervisor;
mod support;
