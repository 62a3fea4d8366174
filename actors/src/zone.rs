//! The zone's supervision tree, started from configuration.
//!
//! Owns [`ZoneRuntimeConfig`], [`ZoneHooks`] (where the corridor host and watchers plug in),
//! [`Zone`] (every handle the API layer needs) and [`start_zone`].
//!
//! Shape (paths as the introspection tree shows them; `<zone>` is the root of the tree handed
//! to [`start_zone`], the same tree the corridor host registers in):
//!
//! ```text
//! /<zone>/services              singleton supervisor (runtime::start_supervisor)
//! /<zone>/services/mass-pool    Mass-client pool (ractor factory)
//! /<zone>/services/agentic      agentic actor
//! /<zone>/services/scheduler    scheduler actor
//! /<zone>/services/<hook>       ZoneHooks::extra_children (watchers, ...), wired by the lead
//! /<zone>/entities/shard-NN/<entity_id>    entity actors (KeyedHost)
//! /<zone>/arbitrations/shard-NN/<dispute>  arbitration actors (KeyedHost)
//! ```
//!
//! The corridor host (a KeyedHost of its own, `/<zone>/corridors`) is started by its owner
//! and handed in as [`ZoneHooks::corridors`] (its `CorridorControl`), so the agentic actor can
//! list corridor parties and halt corridors; lease renewals reach it through
//! [`ZoneHooks::lease_sink`]. The entity host is the agentic actor's `EntityControl`: it
//! suspends entities and reads their names and identifiers from Mass for screening.
//!
//! Handles are built before their actors (each keeps a restart-proof slot), so a child
//! restarted by the supervisor is reached by every existing clone of its handle.
//!
//! Never: starts a corridor or a watcher itself, or holds domain logic.

use std::sync::Arc;
use std::time::Duration;

use msez_mass::client::MassClient;
use msez_persistence::store::Store;
use msez_protocol::agentic::policy::PolicySet;
use msez_protocol::tensor::sanctions::ScreeningConfig;
use msez_runtime::{
    ActorFailure, Backoff, ChildSpec, Intensity, Introspection, KeyedHostConfig, RestartPolicy,
    RuntimeError, StartFn, SupervisorHandle, start_supervisor,
};

use crate::agentic::{AgenticConfig, AgenticHandle, CorridorControl};
use crate::arbitration::{ArbitrationConfig, Arbitrations};
use crate::clock::Clock;
use crate::entity::{Entities, EntityConfig};
use crate::mass_pool::{MassPool, MassPoolConfig, PoolError};
use crate::scheduler::{
    AgenticTimerSink, SchedulerConfig, SchedulerError, SchedulerHandle, TimerSink,
};

/// Name of the singleton supervisor under the zone root.
pub const SERVICES_SUPERVISOR_NAME: &str = "services";

/// Everything the zone's actors are started from. No `Default`: the deployment decides.
#[derive(Clone)]
pub struct ZoneRuntimeConfig {
    /// The durable store.
    pub store: Store,
    /// The Mass client the pool drives.
    pub mass_client: MassClient,
    /// Pool sizing.
    pub mass_pool: MassPoolConfig,
    /// The zone clock.
    pub clock: Arc<dyn Clock>,
    /// The agentic policies in force at start.
    pub policies: PolicySet,
    /// The agentic audit trail's id.
    pub audit_trail_id: String,
    /// Sanctions screening thresholds.
    pub screening: ScreeningConfig,
    /// How long a caller waits for the agentic actor.
    pub agentic_call_timeout: Duration,
    /// Timers held at most by the scheduler.
    pub timers_max: usize,
    /// The scheduler's self-tick period (`None`: explicit ticks only, for tests and drills).
    pub tick_interval: Option<Duration>,
    /// How long a caller waits for the scheduler.
    pub scheduler_call_timeout: Duration,
    /// How long an entity trusts a Mass fact.
    pub fact_ttl: Duration,
    /// The entity host (its `name` is the path segment, e.g. `entities`).
    pub entity_host: KeyedHostConfig,
    /// The arbitration host (e.g. `arbitrations`).
    pub arbitration_host: KeyedHostConfig,
    /// Backoff of the services supervisor's restarts.
    pub services_backoff: Backoff,
    /// Restart intensity of the services supervisor.
    pub services_intensity: Intensity,
}

/// What the lead wires in after the corridor actors exist.
#[derive(Clone)]
pub struct ZoneHooks {
    /// The corridor host's control seam (halt, parties).
    pub corridors: Arc<dyn CorridorControl>,
    /// Where lease-renewal timers go (the corridor host); `None`: reported undeliverable.
    pub lease_sink: Option<Arc<dyn TimerSink>>,
    /// More children of the services supervisor (watchers, ...), started after ours.
    pub extra_children: Vec<ChildSpec>,
}

/// A running zone: the tree and every handle.
#[derive(Clone)]
pub struct Zone {
    /// The introspection tree (admin endpoint).
    pub tree: Introspection,
    /// The services supervisor.
    pub services: SupervisorHandle,
    /// The Mass-client pool.
    pub mass_pool: MassPool,
    /// The agentic actor.
    pub agentic: AgenticHandle,
    /// The scheduler.
    pub scheduler: SchedulerHandle,
    /// The entity host.
    pub entities: Entities,
    /// The arbitration host.
    pub arbitrations: Arbitrations,
}

/// Why the zone did not start.
#[derive(Debug, thiserror::Error)]
pub enum ZoneError {
    /// The pool's configuration is unusable.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The scheduler's configuration is unusable.
    #[error(transparent)]
    Scheduler(#[from] SchedulerError),
    /// The runtime refused (bad host config, duplicate path, a child failed to start).
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// Starts the zone's tree under `tree`'s root: hosts first (they start idle), then the
/// services supervisor with the pool, the agentic actor, the scheduler and the hooks' extra
/// children, in that order.
pub async fn start_zone(
    config: ZoneRuntimeConfig,
    hooks: ZoneHooks,
    tree: &Introspection,
) -> Result<Zone, ZoneError> {
    let tree = tree.clone();
    let mass_pool = MassPool::new(config.mass_client.clone(), config.mass_pool)?;
    let entities = Entities::start(
        EntityConfig {
            store: config.store.clone(),
            pool: mass_pool.clone(),
            clock: Arc::clone(&config.clock),
            fact_ttl: config.fact_ttl,
        },
        config.entity_host.clone(),
        &tree,
    )
    .await?;
    let agentic = AgenticHandle::new(
        AgenticConfig {
            trail_id: config.audit_trail_id.clone(),
            store: config.store.clone(),
            clock: Arc::clone(&config.clock),
            corridors: Arc::clone(&hooks.corridors),
            entities: Arc::new(entities.clone()),
            screening: config.screening,
            call_timeout: config.agentic_call_timeout,
        },
        config.policies.clone(),
    );
    let arbitrations = Arbitrations::start(
        ArbitrationConfig {
            store: config.store.clone(),
            clock: Arc::clone(&config.clock),
            agentic: agentic.clone(),
        },
        config.arbitration_host.clone(),
        &tree,
    )
    .await?;
    let scheduler = SchedulerHandle::new(SchedulerConfig {
        clock: Arc::clone(&config.clock),
        sink: Arc::new(AgenticTimerSink {
            agentic: agentic.clone(),
            lease_sink: hooks.lease_sink.clone(),
        }),
        timers_max: config.timers_max,
        tick_interval: config.tick_interval,
        call_timeout: config.scheduler_call_timeout,
    })?;
    let mut children = vec![
        child("mass-pool", "mass_pool", pool_start(&mass_pool)),
        child("agentic", "agentic", agentic_start(&agentic)),
        child("scheduler", "scheduler", scheduler_start(&scheduler)),
    ];
    children.extend(hooks.extra_children);
    let services = start_supervisor(
        SERVICES_SUPERVISOR_NAME,
        children,
        config.services_backoff,
        config.services_intensity,
        &tree,
    )
    .await?;
    Ok(Zone {
        tree,
        services,
        mass_pool,
        agentic,
        scheduler,
        entities,
        arbitrations,
    })
}

impl Zone {
    /// Stops everything: the services supervisor, then the hosts (which passivate their
    /// actors).
    pub async fn shutdown(&self) -> Result<(), ZoneError> {
        self.services.shutdown().await?;
        let entities = self.entities.host().shutdown().await;
        let arbitrations = self.arbitrations.host().shutdown().await;
        for outcome in [entities, arbitrations] {
            if let Err(error) = outcome {
                tracing::warn!(%error, "host shutdown incomplete");
            }
        }
        Ok(())
    }
}

fn child(name: &str, kind: &str, start: StartFn) -> ChildSpec {
    ChildSpec {
        name: name.to_owned(),
        kind: kind.to_owned(),
        restart: RestartPolicy::Permanent,
        start,
    }
}

fn pool_start(pool: &MassPool) -> StartFn {
    let pool = pool.clone();
    Arc::new(move |supervisor| {
        let pool = pool.clone();
        Box::pin(async move {
            pool.spawn_factory(Some(supervisor))
                .await
                .map_err(|error| ActorFailure::new(format!("mass pool: {error}")))
        })
    })
}

fn agentic_start(agentic: &AgenticHandle) -> StartFn {
    let agentic = agentic.clone();
    Arc::new(move |supervisor| {
        let agentic = agentic.clone();
        Box::pin(async move {
            agentic
                .spawn(Some(supervisor))
                .await
                .map_err(|error| ActorFailure::new(format!("agentic: {error}")))
        })
    })
}

fn scheduler_start(scheduler: &SchedulerHandle) -> StartFn {
    let scheduler = scheduler.clone();
    Arc::new(move |supervisor| {
        let scheduler = scheduler.clone();
        Box::pin(async move {
            scheduler
                .spawn(Some(supervisor))
                .await
                .map_err(|error| ActorFailure::new(format!("scheduler: {error}")))
        })
    })
}
