//! The only door to the Mass APIs: a typed client, and a sandbox server with the same contract.
//!
//! Layout (read in this order):
//! - [`client`]: [`client::MassClient`] and its configuration; one sub-client per service:
//!   [`organization`] (ENTITIES), [`investment`] and [`consent`] cap tables (OWNERSHIP),
//!   [`treasury`] (FISCAL), [`identity`] (IDENTITY), [`consent`] (CONSENT), [`templating`].
//! - [`transport`] (private): the one request path: URL `{base}/{context}/api/v1/...`, bearer
//!   token ([`token`]), circuit breaker ([`breaker`]), retries ([`retry`]), body cap, decoding.
//! - [`error`]: [`error::MassError`] and [`error::Service`]. [`amount`]: exact decimal ↔ minor-unit money.
//!   [`wire`]: open enums (`Unknown(String)`) and idempotency keys.
//! - [`cache`]: TTL cache of compliance facts with single-flight loading.
//! - [`blocking`]: a blocking facade for the CLI and scripts.
//! - [`sandbox`]: the Mass sandbox, an axum server with in-memory state (not Mass).
//!
//! Never: stores Mass records as MSEZ's own, retries a write that is neither idempotent nor keyed,
//! or logs a token. Tests and benches talk only to 127.0.0.1.

pub mod amount;
pub mod blocking;
pub mod breaker;
pub mod cache;
pub mod client;
pub mod consent;
pub mod error;
pub mod identity;
pub mod investment;
pub mod organization;
pub mod retry;
pub mod sandbox;
pub mod templating;
pub mod token;
mod transport;
pub mod treasury;
pub mod wire;

#[cfg(test)]
mod contract;
