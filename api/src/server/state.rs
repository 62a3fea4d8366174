//! The state every handler shares.
//!
//! Owns [`AppState`]: the store, the Mass client, the corridor actors' handle, the zone's other
//! actors ([`Zone`]: Mass pool, agentic, scheduler, entities, arbitrations), the compiled
//! schemas, the token table, the rate limiter, the metrics, the zone's signing key, recorded
//! tensors and orchestration book, and the node's limits. Cheap to clone (one `Arc`).
//!
//! Never: holds a plaintext token or mutable domain state (domain state lives in actors and the
//! store).

use std::sync::Arc;

use msez_actors::corridor::handle::Corridors;
use msez_actors::zone::Zone;
use msez_mass::client::MassClient;
use msez_mass::sandbox::SandboxFaults;
use msez_persistence::store::Store;
use msez_protocol::keys::SigningKey;
use msez_runtime::Introspection;
use msez_schemas::Schemas;

use super::auth::{RateLimiter, TokenTable};
use super::metrics::Metrics;
use super::node::NodeZone;
use super::orchestration::FlowBook;
use super::tensors::TensorBook;

/// Shared, immutable-after-start node state.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    mass: MassClient,
    /// The in-process Mass sandbox's faults; `None` when the node talks to real Mass.
    mass_sandbox: Option<SandboxFaults>,
    schemas: Schemas,
    tokens: TokenTable,
    limiter: RateLimiter,
    metrics: Metrics,
    introspection: Introspection,
    corridors: Corridors,
    zone_actors: Zone,
    /// Flips to true when shutdown begins, so long-lived streams end and the drain finishes.
    stopping: tokio::sync::watch::Sender<bool>,
    zone: Option<NodeZone>,
    /// Signs the credentials this node issues.
    zone_key: Arc<SigningKey>,
    tensors: TensorBook,
    flows: FlowBook,
    body_bytes_max: usize,
}

/// What [`AppState::new`] needs; no `Default`, the node decides every value.
pub struct AppStateParts {
    /// The opened store.
    pub store: Store,
    /// The Mass client.
    pub mass: MassClient,
    /// The in-process Mass sandbox's faults, when Mass is the sandbox.
    pub mass_sandbox: Option<SandboxFaults>,
    /// The compiled schemas.
    pub schemas: Schemas,
    /// The tokens.
    pub tokens: TokenTable,
    /// The rate limiter.
    pub limiter: RateLimiter,
    /// The supervision tree every actor host registers in.
    pub introspection: Introspection,
    /// The corridor actors (registered in `introspection`).
    pub corridors: Corridors,
    /// The zone's other actors (registered in `introspection`).
    pub zone_actors: Zone,
    /// The zone this node serves, when started from a zone file.
    pub zone: Option<NodeZone>,
    /// The zone's signing key.
    pub zone_key: Arc<SigningKey>,
    /// The request body limit.
    pub body_bytes_max: usize,
}

impl AppState {
    /// Builds the state.
    pub fn new(parts: AppStateParts) -> Self {
        let flows = FlowBook::new(parts.zone.as_ref());
        Self {
            inner: Arc::new(Inner {
                store: parts.store,
                mass: parts.mass,
                mass_sandbox: parts.mass_sandbox,
                schemas: parts.schemas,
                tokens: parts.tokens,
                limiter: parts.limiter,
                metrics: Metrics::default(),
                introspection: parts.introspection,
                corridors: parts.corridors,
                zone_actors: parts.zone_actors,
                stopping: tokio::sync::watch::Sender::new(false),
                zone: parts.zone,
                zone_key: parts.zone_key,
                tensors: TensorBook::default(),
                flows,
                body_bytes_max: parts.body_bytes_max,
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// The Mass client.
    pub fn mass(&self) -> &MassClient {
        &self.inner.mass
    }

    /// The in-process Mass sandbox's faults (`None`: the node talks to real Mass).
    pub fn mass_sandbox(&self) -> Option<&SandboxFaults> {
        self.inner.mass_sandbox.as_ref()
    }

    /// The compiled schemas.
    pub fn schemas(&self) -> &Schemas {
        &self.inner.schemas
    }

    /// The token table.
    pub fn tokens(&self) -> &TokenTable {
        &self.inner.tokens
    }

    /// The rate limiter.
    pub fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// The supervision tree.
    pub fn introspection(&self) -> &Introspection {
        &self.inner.introspection
    }

    /// The corridor actors.
    pub fn corridors(&self) -> &Corridors {
        &self.inner.corridors
    }

    /// The zone's other actors: Mass pool, agentic actor, scheduler, entity and arbitration
    /// hosts, and the services supervisor.
    pub fn zone_actors(&self) -> &Zone {
        &self.inner.zone_actors
    }

    /// A receiver that changes to `true` when shutdown begins.
    pub fn stopping(&self) -> tokio::sync::watch::Receiver<bool> {
        self.inner.stopping.subscribe()
    }

    /// Tells long-lived streams to end (called by the node's shutdown).
    pub fn begin_stopping(&self) {
        self.inner.stopping.send_replace(true);
    }

    /// The zone configuration and lock, when the node was started from a zone file.
    pub fn zone(&self) -> Option<&NodeZone> {
        self.inner.zone.as_ref()
    }

    /// The zone's signing key (credentials this node issues).
    pub fn zone_key(&self) -> &SigningKey {
        &self.inner.zone_key
    }

    /// The subjects' recorded compliance tensors.
    pub fn tensors(&self) -> &TensorBook {
        &self.inner.tensors
    }

    /// What the orchestration flows share (per-key locks, screening list, rates).
    pub fn flows(&self) -> &FlowBook {
        &self.inner.flows
    }

    /// The request body limit in bytes.
    pub fn body_bytes_max(&self) -> usize {
        self.inner.body_bytes_max
    }
}
