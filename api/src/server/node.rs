//! A running zone node: store, Mass, listener, router, and graceful shutdown.
//!
//! Owns [`NodeConfig`], [`Node`] and [`NodeError`]. [`Node::start`] opens (and migrates) the
//! store, starts the in-process Mass sandbox or builds a client to real Mass, starts the
//! corridor actors (sharded, leased under the node's name), then the rest of the zone
//! (`msez_actors::zone::start_zone`: Mass pool, agentic actor with the baseline policies and the
//! store's policy versions, scheduler ticking every second, entity and arbitration hosts) in the
//! same supervision tree, hands lease renewal to the scheduler, binds the listener and serves
//! [`crate::server::app`]. [`Node::shutdown`] stops accepting, lets in-flight requests finish,
//! stops the zone's services and hosts, passivates every corridor actor (writing snapshots,
//! releasing leases), stops the sandbox and closes the store, in that order.
//!
//! Never: prints or logs a token, or leaves the store open after shutdown returns (or after a
//! failed start).

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use msez_actors::clock::{Clock, SystemClock};
use msez_actors::corridor::handle::{Corridors, CorridorsConfig, CorridorsError};
use msez_actors::corridor::leases::LeaseConfig;
use msez_actors::mass_pool::MassPoolConfig;
use msez_actors::policies::{PolicyLoadError, zone_policy_set};
use msez_actors::scheduler::SchedulerError;
use msez_actors::zone::{Zone, ZoneError, ZoneHooks, ZoneRuntimeConfig, start_zone};
use msez_mass::breaker::BreakerConfig;
use msez_mass::client::{MassClient, MassClientConfig};
use msez_mass::error::MassError;
use msez_mass::retry::RetryPolicy;
use msez_mass::sandbox::{SandboxConfig, SandboxHandle};
use msez_mass::token::StaticToken;
use msez_persistence::error::StoreError;
use msez_persistence::group_commit::GroupCommitConfig;
use msez_persistence::store::{Store, StoreConfig};
use msez_protocol::keys::SigningKey;
use msez_protocol::packs::regpack::Regpack;
use msez_protocol::tensor::sanctions::ScreeningConfig;
use msez_protocol::zone::{ZoneConfig, ZoneLock};
use msez_runtime::{Backoff, ChildSpec, Intensity, Introspection, KeyedHostConfig, RestartPolicy};
use msez_schemas::{SchemaError, Schemas};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use super::auth::{RateLimiter, TokenTable};
use super::hosted_watchers;
use super::routes::app;
use super::state::{AppState, AppStateParts};

/// Default request body limit: 1 MiB holds the largest request we define (a pack or a batch of
/// a few thousand obligations) and bounds memory per connection.
pub const BODY_BYTES_MAX_DEFAULT: usize = 1024 * 1024;

/// Default sustained requests per second per principal.
pub const RATE_LIMIT_PER_SECOND_DEFAULT: u32 = 1000;

/// Default burst per principal.
pub const RATE_LIMIT_BURST_DEFAULT: u32 = 2000;

/// How long shutdown waits for in-flight requests before dropping them.
pub const SHUTDOWN_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The supervision tree's root: every actor path starts with `/zone`.
pub const SUPERVISION_ROOT_NAME: &str = "zone";

/// Corridor shard supervisors: 64 keeps ~156 corridors per shard at 10,000 corridors.
pub const CORRIDOR_SHARD_COUNT: u32 = 64;

/// Messages one corridor actor may have waiting before callers get 503 + Retry-After.
pub const CORRIDOR_ADMISSION_BOUND: usize = 1_024;

/// A corridor idle this long is passivated (snapshot written, actor stopped, memory freed).
pub const CORRIDOR_IDLE_PASSIVATION: Duration = Duration::from_secs(600);

/// How long a shard lease lasts without renewal. After a crash, another node can take the
/// shard after this long; the same node (same `node_name`) takes it back at once.
pub const LEASE_TTL: Duration = Duration::from_secs(30);

/// Mass-pool workers: one in-flight Mass request each; 16 overlaps Mass latency for a busy
/// zone while staying far below the client's connection pool.
pub const MASS_POOL_WORKER_COUNT: usize = 16;

/// Mass calls queued or running before the pool refuses with `Overloaded` (503): a burst from
/// a few thousand entities queues, more is shed.
pub const MASS_POOL_IN_FLIGHT_MAX: usize = 4_096;

/// How long a caller waits for a pooled Mass call: the client's own budget (10 s request, 3
/// attempts with backoff) plus queueing.
pub const MASS_POOL_CALL_TIMEOUT: Duration = Duration::from_secs(40);

/// How long a caller waits for the agentic actor. A sanctions sweep reads every corridor party
/// (cached Mass facts) and decides each match; a minute covers thousands of parties.
pub const AGENTIC_CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The id of the zone's agentic audit trail (entity and dispute journals are `entity:<id>`
/// and `dispute:<id>`).
pub const AGENTIC_TRAIL_ID: &str = "agentic";

/// Timers the scheduler holds at most: one lease-renewal timer per store shard (1,024 by
/// default) plus deadlines for thousands of entities and corridors.
pub const SCHEDULER_TIMERS_MAX: usize = 100_000;

/// How often the scheduler fires due timers; the zone clock's resolution is a second.
pub const SCHEDULER_TICK_INTERVAL: Duration = Duration::from_secs(1);

/// How long a caller waits for the scheduler (a tick only moves timers to their sinks).
pub const SCHEDULER_CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// How long an entity trusts a Mass fact (its organization record) before asking again.
pub const MASS_FACT_TTL: Duration = Duration::from_secs(600);

/// Entity and arbitration shard supervisors: 64, like the corridors.
pub const ZONE_HOST_SHARD_COUNT: u32 = 64;

/// Messages one entity or dispute actor may have waiting before callers are refused.
pub const ZONE_HOST_ADMISSION_BOUND: usize = 256;

/// An entity or dispute actor idle this long is passivated (its journal already holds it all).
pub const ZONE_HOST_IDLE_PASSIVATION: Duration = Duration::from_secs(600);

/// How long a caller waits for an entity or dispute actor (a dispute's enforce step waits on
/// the agentic actor in turn).
pub const ZONE_HOST_CALL_TIMEOUT: Duration = Duration::from_secs(90);

/// The token the in-process sandbox requires; it never leaves the process.
const SANDBOX_TOKEN_LENGTH_BYTES: usize = 32;

/// Where the store lives.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// Embedded SQLite at this file.
    Sqlite(PathBuf),
    /// Postgres at this URL, optionally in one schema (`search_path`).
    Postgres {
        /// `postgres://...`.
        url: String,
        /// The schema to use; `None` keeps the server's default.
        search_path: Option<String>,
    },
}

/// Where Mass lives.
#[derive(Debug, Clone)]
pub enum MassLocation {
    /// Start the in-memory Mass sandbox inside this process (development, tests).
    Sandbox,
    /// Real Mass at this base URL with this bearer token.
    Remote {
        /// Base URL.
        base_url: String,
        /// Bearer token for Mass.
        token: Zeroizing<String>,
    },
}

/// Everything a node needs. No `Default`: `msez serve` fills it from flags, env and zone file.
#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// Where to listen (port 0 picks a free port; see [`Node::local_addr`]).
    pub listen: SocketAddr,
    /// The store.
    pub store: StoreLocation,
    /// Mass.
    pub mass: MassLocation,
    /// Bearer tokens and roles.
    pub tokens: TokenTable,
    /// Request body limit.
    pub body_bytes_max: usize,
    /// Sustained requests per second per principal (0 disables the limiter).
    pub rate_limit_per_second: u32,
    /// Burst per principal.
    pub rate_limit_burst: u32,
    /// The zone, when started from a zone file.
    pub zone: Option<NodeZone>,
    /// The zone's signing key: signs checkpoints and lifecycle credentials.
    pub zone_key: Arc<SigningKey>,
    /// This node's name in shard leases. Keep it stable across restarts: a restarted node
    /// with the same name re-takes its shards at once, a different name waits out the lease.
    pub node_name: String,
    /// Keys of the watchers this node hosts: each attests every durable corridor head, and
    /// its attestations are recorded once it is registered, bonded and active
    /// (`server::hosted_watchers`).
    pub hosted_watchers: Vec<Arc<SigningKey>>,
}

/// The zone a node serves: its checked `zone.yaml`, the lock of the packs it runs on, and the
/// regpack its orchestration screens and withholds by, all read when the node starts (so
/// `/v1/zone/lock` is what this process runs, not a file that may have changed since).
#[derive(Debug, Clone)]
pub struct NodeZone {
    /// The zone file.
    pub config: ZoneConfig,
    /// The deterministic lock of its packs.
    pub lock: ZoneLock,
    /// The last regpack the zone file lists (a later release supersedes an earlier one):
    /// its sanctions list and withholding rates.
    pub regpack: Option<Regpack>,
}

/// Why a node did not start or stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The store did not open or migrate.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The database URL does not parse.
    #[error("database url: {reason}")]
    DatabaseUrl {
        /// The parser's finding (the URL itself is not repeated: it may hold a password).
        reason: String,
    },
    /// The Mass client configuration is unusable.
    #[error("mass: {0}")]
    Mass(#[from] MassError),
    /// The embedded schemas did not compile (a build defect).
    #[error("schemas: {0}")]
    Schemas(#[from] SchemaError),
    /// The corridor actors did not start.
    #[error("corridors: {0}")]
    Corridors(#[from] CorridorsError),
    /// The stored agentic policies do not load.
    #[error("agentic policies: {0}")]
    Policies(#[from] PolicyLoadError),
    /// The zone's actors (Mass pool, agentic, scheduler, entities, arbitrations) did not start.
    #[error("zone actors: {0}")]
    Zone(#[from] ZoneError),
    /// The scheduler refused the lease-renewal timers.
    #[error("lease renewal: {0}")]
    LeaseRenewal(#[from] SchedulerError),
    /// The system clock reads outside the range a timestamp holds.
    #[error("system clock: {reason}")]
    Clock {
        /// The finding.
        reason: String,
    },
    /// The operating system's random source failed.
    #[error("random source: {0}")]
    Random(getrandom::Error),
    /// The Mass sandbox or the listener failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The cause.
        source: io::Error,
    },
}

/// A running node.
#[derive(Debug)]
pub struct Node {
    local_addr: SocketAddr,
    state: AppState,
    stop: oneshot::Sender<()>,
    server: JoinHandle<io::Result<()>>,
    sandbox: Option<SandboxHandle>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl Node {
    /// Opens the store, connects Mass, binds, starts the actors and starts serving. A step that
    /// fails stops what the steps before it started, and closes the store.
    pub async fn start(config: NodeConfig) -> Result<Node, NodeError> {
        let store = open_store(&config.store).await?;
        let (mass, sandbox) = match connect_mass(&config.mass).await {
            Ok(pair) => pair,
            Err(error) => return Err(abandon(error, store, None, None).await),
        };
        let (schemas, clock, listener, local_addr) = match prepare(&config).await {
            Ok(prepared) => prepared,
            Err(error) => return Err(abandon(error, store, sandbox, None).await),
        };
        let introspection = Introspection::new(SUPERVISION_ROOT_NAME);
        let corridors = match start_corridors(&store, &config, &clock, &introspection).await {
            Ok(corridors) => corridors,
            Err(error) => return Err(abandon(error, store, sandbox, None).await),
        };
        let (watcher_reports, reports) = mpsc::channel(hosted_watchers::REPORTS_QUEUE_MAX);
        let watchers = hosted_watchers::children(
            &config.hosted_watchers,
            &corridors,
            &clock,
            &watcher_reports,
        );
        drop(watcher_reports);
        let zone_actors =
            match start_zone_actors(&store, &mass, &corridors, &clock, &introspection, watchers)
                .await
            {
                Ok(zone_actors) => zone_actors,
                Err(error) => return Err(abandon(error, store, sandbox, Some(&corridors)).await),
            };
        let state = AppState::new(AppStateParts {
            store,
            mass,
            mass_sandbox: sandbox.as_ref().map(SandboxHandle::faults),
            schemas,
            tokens: config.tokens,
            limiter: RateLimiter::new(config.rate_limit_per_second, config.rate_limit_burst),
            introspection,
            corridors,
            zone_actors,
            zone: config.zone,
            zone_key: config.zone_key.clone(),
            body_bytes_max: config.body_bytes_max,
        });
        tokio::spawn(hosted_watchers::record_reports(state.clone(), reports));
        let (stop, stopped) = oneshot::channel::<()>();
        let router = app(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    // A dropped sender also means stop.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%local_addr, "zone node listening");
        Ok(Node {
            local_addr,
            state,
            stop,
            server,
            sandbox,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://ADDR`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// The shared state (tests use it to seed the store and inspect metrics).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The in-process sandbox, when Mass is the sandbox (tests inject faults through it).
    pub fn sandbox(&self) -> Option<&SandboxHandle> {
        self.sandbox.as_ref()
    }

    /// Stops accepting connections, drains in-flight requests (up to
    /// [`SHUTDOWN_DRAIN_TIMEOUT`]), stops the sandbox and closes the store.
    pub async fn shutdown(self) -> Result<(), NodeError> {
        self.state.begin_stopping();
        // The receiver is gone only if the server already stopped; the join reports why.
        let _ = self.stop.send(());
        let mut server = self.server;
        let served = match tokio::time::timeout(SHUTDOWN_DRAIN_TIMEOUT, &mut server).await {
            Ok(joined) => joined.map_err(io::Error::other).and_then(|result| result),
            Err(_) => {
                tracing::warn!(
                    timeout_ms = SHUTDOWN_DRAIN_TIMEOUT.as_millis(),
                    "in-flight requests did not finish; dropping them"
                );
                server.abort();
                Ok(())
            }
        };
        stop_actors(self.state.zone_actors(), self.state.corridors()).await;
        stop_sandbox(self.sandbox).await;
        self.state.store().close().await;
        tracing::info!("zone node stopped");
        served.map_err(|source| NodeError::Io {
            what: "serve",
            source,
        })
    }
}

/// What a node needs before its actors start: the schemas, the clock, the bound listener.
async fn prepare(
    config: &NodeConfig,
) -> Result<(Schemas, Arc<dyn Clock>, TcpListener, SocketAddr), NodeError> {
    let schemas = Schemas::load()?;
    let clock = SystemClock::new().map_err(|error| NodeError::Clock {
        reason: error.to_string(),
    })?;
    let io_error = |what| move |source| NodeError::Io { what, source };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(io_error("bind listener"))?;
    let local_addr = listener
        .local_addr()
        .map_err(io_error("read listener address"))?;
    Ok((schemas, Arc::new(clock), listener, local_addr))
}

/// Undoes a failed start: the corridors (when started), the sandbox, the store; returns the
/// error that stopped it.
async fn abandon(
    error: NodeError,
    store: Store,
    sandbox: Option<SandboxHandle>,
    corridors: Option<&Corridors>,
) -> NodeError {
    if let Some(corridors) = corridors {
        corridors.shutdown().await;
    }
    stop_sandbox(sandbox).await;
    store.close().await;
    error
}

/// Stops the zone's services and hosts (the agentic actor may still be halting a corridor),
/// then passivates the corridors and releases their leases.
async fn stop_actors(zone_actors: &Zone, corridors: &Corridors) {
    if let Err(error) = zone_actors.shutdown().await {
        tracing::warn!(%error, "zone actors did not stop cleanly");
    }
    corridors.shutdown().await;
}

async fn stop_sandbox(sandbox: Option<SandboxHandle>) {
    if let Some(sandbox) = sandbox
        && let Err(error) = sandbox.shutdown().await
    {
        tracing::warn!(%error, "mass sandbox did not stop cleanly");
    }
}

/// Starts the zone's actors under the corridors' tree and hands lease renewal to its scheduler.
async fn start_zone_actors(
    store: &Store,
    mass: &MassClient,
    corridors: &Corridors,
    clock: &Arc<dyn Clock>,
    introspection: &Introspection,
    watchers: Vec<ChildSpec>,
) -> Result<Zone, NodeError> {
    let policies = zone_policy_set(store).await?;
    let config = ZoneRuntimeConfig {
        store: store.clone(),
        mass_client: mass.clone(),
        mass_pool: MassPoolConfig {
            worker_count: MASS_POOL_WORKER_COUNT,
            in_flight_max: MASS_POOL_IN_FLIGHT_MAX,
            call_timeout: MASS_POOL_CALL_TIMEOUT,
        },
        clock: Arc::clone(clock),
        policies,
        audit_trail_id: AGENTIC_TRAIL_ID.to_owned(),
        screening: ScreeningConfig::DEFAULT,
        agentic_call_timeout: AGENTIC_CALL_TIMEOUT,
        timers_max: SCHEDULER_TIMERS_MAX,
        tick_interval: Some(SCHEDULER_TICK_INTERVAL),
        scheduler_call_timeout: SCHEDULER_CALL_TIMEOUT,
        fact_ttl: MASS_FACT_TTL,
        entity_host: zone_host_config("entities"),
        arbitration_host: zone_host_config("arbitrations"),
        services_backoff: Backoff {
            initial_ms: 10,
            max_ms: 5_000,
        },
        services_intensity: Intensity {
            max_restarts: 10,
            period_ms: 60_000,
        },
    };
    let hooks = ZoneHooks {
        corridors: Arc::new(corridors.clone()),
        lease_sink: Some(corridors.lease_sink()),
        extra_children: watchers,
    };
    let zone_actors = start_zone(config, hooks, introspection).await?;
    if let Err(error) = corridors.hand_lease_renewal_to(&zone_actors.scheduler) {
        if let Err(stop_error) = zone_actors.shutdown().await {
            tracing::warn!(error = %stop_error, "zone actors did not stop cleanly");
        }
        return Err(error.into());
    }
    Ok(zone_actors)
}

fn zone_host_config(name: &str) -> KeyedHostConfig {
    KeyedHostConfig {
        name: name.to_owned(),
        shard_count: ZONE_HOST_SHARD_COUNT,
        admission_bound: ZONE_HOST_ADMISSION_BOUND,
        idle_passivation: Some(ZONE_HOST_IDLE_PASSIVATION),
        restart: RestartPolicy::Permanent,
        backoff: Backoff {
            initial_ms: 1,
            max_ms: 1_000,
        },
        intensity: Intensity {
            max_restarts: 100,
            period_ms: 60_000,
        },
        call_timeout: ZONE_HOST_CALL_TIMEOUT,
    }
}

async fn start_corridors(
    store: &Store,
    config: &NodeConfig,
    clock: &Arc<dyn Clock>,
    introspection: &Introspection,
) -> Result<Corridors, NodeError> {
    let corridors_config = CorridorsConfig {
        host: KeyedHostConfig {
            name: "corridors".to_owned(),
            shard_count: CORRIDOR_SHARD_COUNT,
            admission_bound: CORRIDOR_ADMISSION_BOUND,
            idle_passivation: Some(CORRIDOR_IDLE_PASSIVATION),
            restart: RestartPolicy::Permanent,
            backoff: Backoff {
                initial_ms: 1,
                max_ms: 1_000,
            },
            intensity: Intensity {
                max_restarts: 100,
                period_ms: 60_000,
            },
            call_timeout: Duration::from_secs(30),
        },
        lease: LeaseConfig {
            owner: config.node_name.clone(),
            ttl: LEASE_TTL,
            renew_interval: LEASE_TTL / 3,
        },
        group_commit: GroupCommitConfig::for_store(store),
        events_capacity: 4_096,
        retry_after_ms: 100,
    };
    Ok(Corridors::start(
        store.clone(),
        config.zone_key.clone(),
        Arc::clone(clock),
        corridors_config,
        introspection,
    )
    .await?)
}

async fn open_store(location: &StoreLocation) -> Result<Store, NodeError> {
    let config = StoreConfig::with_defaults();
    match location {
        StoreLocation::Sqlite(path) => Ok(Store::open_sqlite(path, config).await?),
        StoreLocation::Postgres { url, search_path } => {
            let mut options = url
                .parse::<sqlx::postgres::PgConnectOptions>()
                .map_err(|error| NodeError::DatabaseUrl {
                    reason: error.to_string(),
                })?;
            if let Some(schema) = search_path {
                options = options.options([("search_path", schema.as_str())]);
            }
            Ok(Store::open_postgres(options, config).await?)
        }
    }
}

async fn connect_mass(
    location: &MassLocation,
) -> Result<(MassClient, Option<SandboxHandle>), NodeError> {
    let (base_url, token, sandbox) = match location {
        MassLocation::Remote { base_url, token } => (base_url.clone(), token.clone(), None),
        MassLocation::Sandbox => {
            let mut bytes = [0_u8; SANDBOX_TOKEN_LENGTH_BYTES];
            getrandom::fill(&mut bytes).map_err(NodeError::Random)?;
            let token = Zeroizing::new(hex::encode(bytes));
            let sandbox = msez_mass::sandbox::start(SandboxConfig {
                seed: None,
                bearer_token: Some(token.clone()),
                oauth_client: None,
            })
            .await
            .map_err(|source| NodeError::Io {
                what: "start the mass sandbox",
                source,
            })?;
            (sandbox.base_url(), token, Some(sandbox))
        }
    };
    let config = MassClientConfig {
        base_url,
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            attempts_max: 3,
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_secs(1),
        },
        breaker: BreakerConfig {
            failures_consecutive_max: 5,
            open_duration: Duration::from_secs(10),
        },
        response_body_bytes_max: 4 * 1024 * 1024,
    };
    let mass = MassClient::new(&config, Arc::new(StaticToken::new(token)?))?;
    Ok((mass, sandbox))
}
