//! The zone node: the axum HTTP API over the store, the Mass client and the zone's actors.
//!
//! Layout (read in this order):
//! - [`node`]: [`node::Node`], which opens the store, starts the Mass sandbox (or a client to
//!   real Mass), binds the listener, serves [`app`] and shuts down gracefully.
//! - [`routes`]: the one route table. It registers every route with axum **and** generates the
//!   OpenAPI document, so a route cannot exist without being documented.
//! - [`auth`]: bearer tokens (SHA-256 digests, constant-time compare) mapped to [`auth::Role`]s,
//!   and the per-principal token-bucket rate limiter that runs after authentication.
//! - [`error`]: [`error::ApiError`], the one error type of the edge, its status table, and the
//!   middleware that renders `{error:{code,message,field?,request_id}}` and the request id.
//! - [`body`]: the JSON body extractor (content type, size, syntax) that maps every rejection
//!   into [`error::ApiError`].
//! - [`query`]: the query-string extractor and keyset paging every list route shares.
//! - [`metrics`]: request counts and latency histograms in Prometheus text.
//! - [`tensors`]: each subject's recorded compliance tensor in the store (read, fold, file);
//!   [`stripes`]: the keyed lock table it (and orchestration) serialise one key with.
//! - [`issuer`]: credentials this node issues (next status-list slot, zone key, recorded).
//! - [`orchestration`]: the Mass-facing flows (formation, payment with withholding, ownership
//!   change, identity verification), durable and idempotent per `Idempotency-Key`.
//! - `handlers`: one module per resource; each handler extracts, calls a `msez-protocol`
//!   function or the `Store`, and maps the result.
//!
//! Never: runs SQL (the `Store` does), decides a domain rule (`msez-protocol` does), stores
//! primitive records (entities, ownership, fiscal, identity, consent belong to Mass), logs or
//! prints a bearer token, or answers a caller's mistake with a 500.

pub mod auth;
pub mod body;
pub mod error;
mod handlers;
pub mod hosted_watchers;
pub mod issuer;
pub mod metrics;
pub mod node;
pub mod orchestration;
pub mod query;
pub mod routes;
pub mod state;
pub mod stripes;
pub mod tensors;

pub use node::{Node, NodeConfig, NodeError};
pub use routes::app;
pub use state::AppState;
