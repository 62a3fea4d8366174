//! The Mass-client pool: the one door from the actors to the Mass APIs.
//!
//! Owns [`MassPool`] (the handle), [`MassPoolConfig`], the typed request/response pair
//! [`MassRequest`] / [`MassResponse`], [`PendingMass`] (a submitted call) and [`PoolError`].
//!
//! Shape: a ractor factory of `worker_count` workers over one shared [`MassClient`]. Jobs are
//! routed by key (the entity id) through [`worker_index_of`], a fixed FNV-1a hash, so every call
//! for one entity lands on the same worker and runs after the calls submitted before it (per-key
//! order); calls for entities on different workers run in parallel. One slow entity delays only
//! the entities that share its worker (head-of-line blocking is bounded to one worker's keys).
//!
//! Admission: ractor mailboxes are unbounded, so the pool counts calls in flight (queued or
//! running) and refuses a submission beyond `in_flight_max` with [`PoolError::Overloaded`]
//! before anything is queued. The count is released by a guard that travels with the job, so
//! a job that is dropped anywhere (worker crash, factory stop) still frees its slot.
//!
//! Never: retries or breaks circuits itself (the client does both, once, per service), holds a
//! Mass record beyond the reply, or blocks a caller without a timeout.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use msez_mass::client::MassClient;
use msez_mass::consent::{Consent, CreateConsent};
use msez_mass::error::MassError;
use msez_mass::identity::{Cnic, FilerStatusRecord, IdentityView, Ntn, Verification};
use msez_mass::organization::{CreateOrganization, LicensingResponse, Organization};
use msez_mass::treasury::{
    Account, CreateAccount, CreateTreasury, PaymentRequest, Transaction, Treasury,
};
use msez_mass::wire::IdempotencyKey;
use msez_protocol::ids::EntityId;
use ractor::factory::queues::DefaultQueue;
use ractor::factory::routing::{CustomHashFunction, CustomRouting};
use ractor::factory::{
    Factory, FactoryArguments, FactoryMessage, Job, Worker, WorkerBuilder, WorkerId,
};
use ractor::{Actor, ActorCell, ActorProcessingErr, ActorRef};
use tokio::sync::oneshot;

/// The most workers a pool may run. Each worker is one in-flight Mass request; 256 is far above
/// what a small machine's connection pool to Mass sustains.
pub const WORKER_COUNT_MAX: usize = 256;

/// The most calls one pool may hold in flight. 65,536 bounds memory (a call is a few hundred
/// bytes) while leaving headroom for a burst from 10,000 entities.
pub const IN_FLIGHT_MAX_LIMIT: usize = 65_536;

/// How the pool is sized and how patient a caller is. No `Default`: the zone decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MassPoolConfig {
    /// Workers, `1..=`[`WORKER_COUNT_MAX`].
    pub worker_count: usize,
    /// Calls queued or running at once before [`PoolError::Overloaded`],
    /// `1..=`[`IN_FLIGHT_MAX_LIMIT`].
    pub in_flight_max: usize,
    /// How long a caller waits for a reply (queueing plus the client's own retries).
    pub call_timeout: Duration,
}

/// A Mass operation entity orchestration needs. The key (entity id) is passed beside it.
#[derive(Debug, Clone)]
pub enum MassRequest {
    /// `organization-info`: create the organization (boxed: the body dwarfs every other
    /// request).
    CreateOrganization(Box<CreateOrganization>),
    /// `organization-info`: fetch the keyed organization.
    GetOrganization,
    /// `organization-info`: the keyed organization's licences.
    Licenses,
    /// `treasury-info`: create a treasury.
    CreateTreasury(CreateTreasury),
    /// `treasury-info`: create an account (keyed, so a retry never opens two).
    CreateAccount {
        /// The account.
        request: CreateAccount,
        /// Its idempotency key.
        idempotency_key: IdempotencyKey,
    },
    /// `treasury-info`: pay between two accounts (keyed, so a retry never pays twice).
    CreatePayment {
        /// The payment.
        request: PaymentRequest,
        /// Its idempotency key.
        idempotency_key: IdempotencyKey,
    },
    /// `consent-info`: ask for a consent.
    CreateConsent(CreateConsent),
    /// `consent-info`: fetch a consent.
    GetConsent {
        /// The consent.
        consent_id: String,
    },
    /// `identity-info`: verify a CNIC for the keyed entity.
    VerifyCnic {
        /// The CNIC.
        cnic: Cnic,
        /// The holder's full name.
        full_name: String,
    },
    /// `identity-info`: verify an NTN for the keyed entity.
    VerifyNtn {
        /// The NTN.
        ntn: Ntn,
    },
    /// `identity-info`: an NTN's filer status.
    FilerStatus {
        /// The NTN.
        ntn: Ntn,
    },
    /// Members, board and shareholders of the keyed entity.
    IdentityView,
}

/// The answer to a [`MassRequest`], one variant per request kind.
#[derive(Debug, Clone)]
pub enum MassResponse {
    /// The created organization.
    OrganizationCreated(Organization),
    /// The organization, `None` when Mass has none.
    Organization(Option<Organization>),
    /// The organization's licences.
    Licenses(Vec<LicensingResponse>),
    /// The created treasury.
    Treasury(Treasury),
    /// The created account.
    Account(Account),
    /// The payment transaction.
    Payment(Transaction),
    /// The created consent.
    ConsentCreated(Consent),
    /// The consent, `None` when Mass has none.
    Consent(Option<Consent>),
    /// The verification record.
    Verification(Verification),
    /// The NTN's filer status, `None` for an unknown NTN.
    FilerStatus(Option<FilerStatusRecord>),
    /// The identity view.
    IdentityView(IdentityView),
}

/// Why a pooled Mass call failed.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// The pool already holds `in_flight_max` calls; nothing was queued.
    #[error("mass pool overloaded: {in_flight} calls in flight, bound {in_flight_max}")]
    Overloaded {
        /// Calls in flight when refused.
        in_flight: usize,
        /// The configured bound.
        in_flight_max: usize,
    },
    /// Mass (or the client's breaker) refused or failed the call.
    #[error("mass call {operation} for entity {entity_id} failed: {source}")]
    Mass {
        /// The key of the call.
        entity_id: EntityId,
        /// Which request.
        operation: &'static str,
        /// The client's error (`MassError::CircuitOpen` when the breaker is open).
        #[source]
        source: MassError,
    },
    /// No reply within the call timeout.
    #[error("mass call {operation} for entity {entity_id} timed out after {timeout_ms} ms")]
    Timeout {
        /// The key of the call.
        entity_id: EntityId,
        /// Which request.
        operation: &'static str,
        /// The timeout.
        timeout_ms: u64,
    },
    /// The job was dropped without a reply (its worker crashed or the pool stopped).
    #[error("mass call {operation} for entity {entity_id} was dropped by the pool")]
    Dropped {
        /// The key of the call.
        entity_id: EntityId,
        /// Which request.
        operation: &'static str,
    },
    /// The pool is not running.
    #[error("mass pool is not running")]
    Stopped,
    /// The pool configuration is unusable.
    #[error("mass pool config: {field} {reason}")]
    Config {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The factory actor could not be spawned.
    #[error("mass pool failed to start: {reason}")]
    Start {
        /// Why.
        reason: String,
    },
}

/// The handle to the pool. Cheap to clone; clones share the admission count and survive a
/// restart of the factory (the start function replaces the actor reference they read).
#[derive(Clone)]
pub struct MassPool {
    inner: Arc<PoolShared>,
}

/// A submitted call: await it for the reply. Submission order is fixed when
/// [`MassPool::submit`] returns, so callers may submit several and await them together.
pub struct PendingMass {
    entity_id: EntityId,
    operation: &'static str,
    timeout: Duration,
    reply: Pin<Box<tokio::time::Timeout<ReplyReceiver>>>,
}

impl MassPoolConfig {
    /// Checks every bound, naming the field at fault.
    pub fn validate(&self) -> Result<(), PoolError> {
        if !(1..=WORKER_COUNT_MAX).contains(&self.worker_count) {
            return Err(PoolError::Config {
                field: "worker_count",
                reason: "must be between 1 and 256",
            });
        }
        if !(1..=IN_FLIGHT_MAX_LIMIT).contains(&self.in_flight_max) {
            return Err(PoolError::Config {
                field: "in_flight_max",
                reason: "must be between 1 and 65536",
            });
        }
        if self.call_timeout.is_zero() {
            return Err(PoolError::Config {
                field: "call_timeout",
                reason: "is zero",
            });
        }
        Ok(())
    }
}

impl MassRequest {
    /// A stable name for logs and errors.
    pub fn operation(&self) -> &'static str {
        match self {
            MassRequest::CreateOrganization(_) => "create_organization",
            MassRequest::GetOrganization => "get_organization",
            MassRequest::Licenses => "licenses",
            MassRequest::CreateTreasury(_) => "create_treasury",
            MassRequest::CreateAccount { .. } => "create_account",
            MassRequest::CreatePayment { .. } => "create_payment",
            MassRequest::CreateConsent(_) => "create_consent",
            MassRequest::GetConsent { .. } => "get_consent",
            MassRequest::VerifyCnic { .. } => "verify_cnic",
            MassRequest::VerifyNtn { .. } => "verify_ntn",
            MassRequest::FilerStatus { .. } => "filer_status",
            MassRequest::IdentityView => "identity_view",
        }
    }
}

/// The worker a key is routed to among `worker_count` workers: FNV-1a (64-bit) of the key's
/// bytes, modulo the count. Fixed (no per-process seed) so tests and operators can tell which
/// entities share a worker.
pub fn worker_index_of(entity_id: &EntityId, worker_count: usize) -> usize {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let hash = entity_id.as_str().bytes().fold(FNV_OFFSET, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    });
    let count = u64::try_from(worker_count.max(1)).unwrap_or(u64::MAX);
    usize::try_from(hash % count).unwrap_or(0)
}

impl MassPool {
    /// Starts the pool's factory (linked to `supervisor` when given) and returns its handle.
    pub async fn start(
        client: MassClient,
        config: MassPoolConfig,
        supervisor: Option<ActorCell>,
    ) -> Result<MassPool, PoolError> {
        let pool = MassPool::new(client, config)?;
        pool.spawn_factory(supervisor).await?;
        Ok(pool)
    }

    /// A handle with no factory yet: a supervisor's start function spawns it with
    /// [`MassPool::spawn_factory`]. Submissions before then get [`PoolError::Stopped`].
    pub fn new(client: MassClient, config: MassPoolConfig) -> Result<MassPool, PoolError> {
        config.validate()?;
        Ok(MassPool {
            inner: Arc::new(PoolShared {
                client,
                config,
                in_flight: Arc::new(AtomicUsize::new(0)),
                factory: RwLock::new(None),
            }),
        })
    }

    /// Spawns a fresh factory for this handle (used again by a supervisor's restart) and
    /// returns its cell. Calls queued on a previous factory were dropped with it; their callers
    /// get [`PoolError::Dropped`].
    pub async fn spawn_factory(
        &self,
        supervisor: Option<ActorCell>,
    ) -> Result<ActorCell, PoolError> {
        let args = FactoryArguments::builder()
            .worker_builder(Box::new(PoolWorkerBuilder {
                client: self.inner.client.clone(),
            })
                as Box<dyn WorkerBuilder<PoolWorker, MassClient>>)
            .queue(DefaultQueue::default())
            .router(CustomRouting::new(EntityHash))
            .num_initial_workers(self.inner.config.worker_count)
            .build();
        let factory = PoolFactory::default();
        let spawned = match supervisor {
            Some(supervisor) => Actor::spawn_linked(None, factory, args, supervisor).await,
            None => Actor::spawn(None, factory, args).await,
        };
        let (actor, _join) = spawned.map_err(|error| PoolError::Start {
            reason: error.to_string(),
        })?;
        let cell = actor.get_cell();
        *self
            .inner
            .factory
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(actor);
        Ok(cell)
    }

    /// Queues `request` for `entity_id`, or refuses it at once with
    /// [`PoolError::Overloaded`]. The returned [`PendingMass`] resolves to the reply.
    pub fn submit(
        &self,
        entity_id: &EntityId,
        request: MassRequest,
    ) -> Result<PendingMass, PoolError> {
        let operation = request.operation();
        let guard = self.admit()?;
        let factory = self
            .inner
            .factory
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or(PoolError::Stopped)?;
        let (reply, receiver) = oneshot::channel();
        let job = Job::new(
            entity_id.clone(),
            PoolJob {
                request,
                reply,
                _admission: guard,
            },
        );
        factory
            .cast(FactoryMessage::Dispatch(job))
            .map_err(|_| PoolError::Stopped)?;
        let timeout = self.inner.config.call_timeout;
        Ok(PendingMass {
            entity_id: entity_id.clone(),
            operation,
            timeout,
            reply: Box::pin(tokio::time::timeout(timeout, receiver)),
        })
    }

    /// Submits and waits: the one-call form of [`MassPool::submit`].
    pub async fn call(
        &self,
        entity_id: &EntityId,
        request: MassRequest,
    ) -> Result<MassResponse, PoolError> {
        self.submit(entity_id, request)?.await
    }

    /// Calls queued or running now.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Acquire)
    }

    /// The configuration the pool runs with.
    pub fn config(&self) -> MassPoolConfig {
        self.inner.config
    }

    /// The running factory's cell, if any (for introspection and drills).
    pub fn factory_cell(&self) -> Option<ActorCell> {
        self.inner
            .factory
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(ActorRef::get_cell)
    }

    /// Stops the factory; queued calls are dropped and their callers told so.
    pub fn stop(&self) {
        let factory = self
            .inner
            .factory
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(factory) = factory {
            factory.stop(None);
        }
    }

    fn admit(&self) -> Result<AdmissionGuard, PoolError> {
        let in_flight_max = self.inner.config.in_flight_max;
        let counter = &self.inner.in_flight;
        let admitted = counter.fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
            (current < in_flight_max).then_some(current + 1)
        });
        match admitted {
            Ok(_) => Ok(AdmissionGuard {
                counter: Arc::clone(counter),
            }),
            Err(in_flight) => Err(PoolError::Overloaded {
                in_flight,
                in_flight_max,
            }),
        }
    }
}

impl fmt::Debug for MassPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MassPool")
            .field("config", &self.inner.config)
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

impl Future for PendingMass {
    type Output = Result<MassResponse, PoolError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let outcome = match this.reply.as_mut().poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(outcome) => outcome,
        };
        let entity_id = this.entity_id.clone();
        let operation = this.operation;
        Poll::Ready(match outcome {
            Err(_elapsed) => Err(PoolError::Timeout {
                entity_id,
                operation,
                timeout_ms: u64::try_from(this.timeout.as_millis()).unwrap_or(u64::MAX),
            }),
            Ok(Err(_closed)) => Err(PoolError::Dropped {
                entity_id,
                operation,
            }),
            Ok(Ok(Err(source))) => Err(PoolError::Mass {
                entity_id,
                operation,
                source,
            }),
            Ok(Ok(Ok(response))) => Ok(response),
        })
    }
}

impl fmt::Debug for PendingMass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingMass")
            .field("entity_id", &self.entity_id)
            .field("operation", &self.operation)
            .finish()
    }
}

/// Where a worker's answer arrives.
type ReplyReceiver = oneshot::Receiver<Result<MassResponse, MassError>>;

/// State shared by every clone of the handle.
struct PoolShared {
    client: MassClient,
    config: MassPoolConfig,
    in_flight: Arc<AtomicUsize>,
    /// A std lock: held for a pointer copy only, never across an await. Replaced when a
    /// supervisor restarts the factory.
    factory: RwLock<Option<ActorRef<FactoryMessage<EntityId, PoolJob>>>>,
}

/// One queued call: the request, its reply port and its admission slot.
struct PoolJob {
    request: MassRequest,
    reply: oneshot::Sender<Result<MassResponse, MassError>>,
    _admission: AdmissionGuard,
}

/// Frees one admission slot when dropped, wherever the job ends.
struct AdmissionGuard {
    counter: Arc<AtomicUsize>,
}

impl Drop for AdmissionGuard {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::AcqRel);
    }
}

type PoolFactory = Factory<
    EntityId,
    PoolJob,
    MassClient,
    PoolWorker,
    CustomRouting<EntityId, PoolJob, EntityHash>,
    DefaultQueue<EntityId, PoolJob>,
>;

/// Routes a key with [`worker_index_of`].
struct EntityHash;

impl CustomHashFunction<EntityId> for EntityHash {
    fn hash(&self, key: &EntityId, worker_count: usize) -> usize {
        worker_index_of(key, worker_count)
    }
}

/// One worker: runs its jobs one at a time against the shared client.
struct PoolWorker;

struct PoolWorkerBuilder {
    client: MassClient,
}

impl WorkerBuilder<PoolWorker, MassClient> for PoolWorkerBuilder {
    fn build(&mut self, _wid: WorkerId) -> (PoolWorker, MassClient) {
        (PoolWorker, self.client.clone())
    }
}

impl Worker for PoolWorker {
    type Key = EntityId;
    type Message = PoolJob;
    type Arguments = MassClient;
    type State = MassClient;

    async fn pre_start(
        &self,
        _wid: WorkerId,
        _factory: &ActorRef<FactoryMessage<EntityId, PoolJob>>,
        client: MassClient,
    ) -> Result<MassClient, ActorProcessingErr> {
        Ok(client)
    }

    async fn handle(
        &self,
        _wid: WorkerId,
        _factory: &ActorRef<FactoryMessage<EntityId, PoolJob>>,
        job: Job<EntityId, PoolJob>,
        client: &mut MassClient,
    ) -> Result<EntityId, ActorProcessingErr> {
        let Job { key, msg, .. } = job;
        let PoolJob {
            request,
            reply,
            _admission,
        } = msg;
        let outcome = execute(client, &key, request).await;
        // The caller may have timed out and dropped its receiver; the outcome is then unread,
        // which is safe: every write it made carried an idempotency key or is reported by Mass.
        let _ = reply.send(outcome);
        Ok(key)
    }
}

/// Performs one request with the client. A Mass failure is a reply, never a worker crash.
async fn execute(
    client: &MassClient,
    entity_id: &EntityId,
    request: MassRequest,
) -> Result<MassResponse, MassError> {
    Ok(match request {
        MassRequest::CreateOrganization(body) => {
            MassResponse::OrganizationCreated(client.organization().create(&body).await?)
        }
        MassRequest::GetOrganization => {
            MassResponse::Organization(client.organization().get(entity_id, None).await?)
        }
        MassRequest::Licenses => {
            MassResponse::Licenses(client.organization().licenses(entity_id).await?)
        }
        MassRequest::CreateTreasury(body) => {
            MassResponse::Treasury(client.treasury().create_treasury(&body).await?)
        }
        MassRequest::CreateAccount {
            request,
            idempotency_key,
        } => MassResponse::Account(
            client
                .treasury()
                .create_account(&request, &idempotency_key)
                .await?,
        ),
        MassRequest::CreatePayment {
            request,
            idempotency_key,
        } => MassResponse::Payment(
            client
                .treasury()
                .create_payment(&request, &idempotency_key)
                .await?,
        ),
        MassRequest::CreateConsent(body) => {
            MassResponse::ConsentCreated(client.consent().create(&body).await?)
        }
        MassRequest::GetConsent { consent_id } => {
            MassResponse::Consent(client.consent().get(&consent_id).await?)
        }
        MassRequest::VerifyCnic { cnic, full_name } => MassResponse::Verification(
            client
                .identity()
                .verify_cnic(&cnic, &full_name, Some(entity_id))
                .await?,
        ),
        MassRequest::VerifyNtn { ntn } => {
            MassResponse::Verification(client.identity().verify_ntn(&ntn, Some(entity_id)).await?)
        }
        MassRequest::FilerStatus { ntn } => {
            MassResponse::FilerStatus(client.identity().filer_status(&ntn).await?)
        }
        MassRequest::IdentityView => {
            MassResponse::IdentityView(client.identity_view(entity_id).await?)
        }
    })
}
