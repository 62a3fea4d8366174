//! A generic supervised-actor runtime on ractor.
//!
//! Layout, in reading order:
//! - `keyed`: `KeyedHost`, the sharded host of keyed actors (one per corridor, entity, ...):
//!   single-flight activation, idle passivation, admission bound, restart with backoff and
//!   per-key intensity under N shard supervisors. Users implement `Keyed`.
//! - `supervisor`: `start_supervisor`, a supervisor of a fixed set of singleton children with
//!   per-child restart policy, backoff and intensity that escalates to its parent.
//! - `introspection`: `Introspection`, the tree of every supervisor and actor and the stream of
//!   `SupervisionEvent`s.
//! - `policy`: `RestartPolicy`, `Backoff`, `Intensity` (pure rules).
//! - `error`: `ActorFailure`, `HostError`, `RuntimeError`.
//! - `admission`, `single_flight`, `sync`: the two concurrency primitives, model-checked with
//!   loom (`RUSTFLAGS="--cfg loom" cargo test -p msez-runtime --release --lib loom`).
//!
//! Never: knows a domain type (no corridor, receipt or entity), touches storage, or speaks HTTP.

mod admission;
mod error;
mod introspection;
mod keyed;
mod policy;
mod single_flight;
mod supervisor;
mod sync;

pub use error::{ActorFailure, HostError, RuntimeError};
pub use introspection::{
    EVENT_BUFFER_COUNT, Introspection, NodeStatus, SupervisionEvent, TreeNode,
};
pub use keyed::{Keyed, KeyedHost, KeyedHostConfig, Reply, SHARD_COUNT_DEFAULT, SHARD_COUNT_MAX};
pub use policy::{Backoff, ExitKind, Intensity, RestartHistory, RestartPolicy, RestartVerdict};
pub use supervisor::{
    CHILD_STOP_TIMEOUT_MS, ChildSpec, StartFn, StartFuture, SupervisorHandle, start_supervisor,
};
