//! The only door to the Mass APIs.
//!
//! Will own: the typed `MassClient` (one sub-client per Mass service), retries where a retry is
//! safe, circuit breakers, the TTL cache of compliance facts, and the Mass sandbox server used by
//! the embedded default and every test.
//!
//! Never: stores Mass records as MSEZ's own, retries a non-idempotent write, or logs a token.
//!
//! Status: no code yet; the Mass boundary issue fills this crate.
