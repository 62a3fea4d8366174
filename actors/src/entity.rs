//! The entity actor: one per entity MSEZ orchestrates, hosted by a `msez_runtime::KeyedHost`.
//!
//! Owns [`Entities`] (the handle, and the [`EntityControl`] the agentic actor suspends through),
//! [`EntityBehaviour`] (the `Keyed` implementation), [`EntityConfig`], [`EntitySummary`] and
//! [`EntityReject`].
//!
//! State per entity: its lifecycle (`msez_protocol::lifecycle::entity`), its compliance state
//! (attestations and tensor cells, `msez_protocol::tensor`), and Mass facts cached with a TTL.
//!
//! Durability: every accepted change is first appended to the entity's journal, a hash-chained
//! trail `entity:<entity_id>` in the store (`Store::append_audit_entry`), and only then applied
//! and acknowledged. Hydration replays that journal through the same pure lifecycle steps, so
//! a restarted actor is indistinguishable from one that never failed. (The store has no entity
//! snapshot table yet: replay is linear in the entity's history, bounded by
//! [`ENTITY_JOURNAL_ENTRIES_MAX`].)
//!
//! Mass facts: the organization record is read through the Mass pool and kept in memory for
//! `fact_ttl`, and written through to the store's fact cache (which expires it by the database
//! clock). A miss in memory consults the store before Mass. Facts are never authoritative.
//! Sanctions screening reads an entity's names and identifiers from that record
//! ([`EntityControl::party_identity`], [`party_identity_of`]).
//!
//! Never: decides a lifecycle rule (the protocol does), acknowledges a change before its
//! journal entry is committed, or calls an actor that may call it back (the pool never does).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use msez_mass::organization::{IdentifierKind, Organization};
use msez_persistence::store::Store;
use msez_protocol::ids::EntityId;
use msez_protocol::lifecycle::entity::{
    EntityEvent, EntityLifecycle, EntityLifecycleError, EntityState, EntityTransition,
};
use msez_protocol::tensor::cell::{Attestation, Cell, CellAddress};
use msez_protocol::tensor::sanctions::SanctionsIdentifier;
use msez_protocol::time::Timestamp;
use msez_runtime::{ActorFailure, HostError, Keyed, KeyedHost, KeyedHostConfig, Reply};
use serde_json::{Value, json};

use crate::agentic::{ActionEvidence, BoxFuture, ControlError, EntityControl, PartyIdentity};
use crate::clock::Clock;
use crate::mass_pool::{MassPool, MassRequest, MassResponse, PoolError};
use crate::trail::journal_entry;

/// Journal entries replayed per entity at most. 100,000 is decades of lifecycle changes and
/// attestations for one entity; beyond it hydration fails loudly rather than stalling.
pub const ENTITY_JOURNAL_ENTRIES_MAX: u64 = 100_000;

/// Journal entries read per page during hydration.
const JOURNAL_PAGE_COUNT: u64 = 1_000;

/// What the entity actors are built from. No `Default`: the zone decides.
#[derive(Clone)]
pub struct EntityConfig {
    /// Where journals and cached facts live.
    pub store: Store,
    /// The only door to Mass.
    pub pool: MassPool,
    /// The zone clock.
    pub clock: Arc<dyn Clock>,
    /// How long a Mass fact is trusted (`1 ms..=24 h`, the store's bound).
    pub fact_ttl: Duration,
}

/// The handle: routes each request to the entity's actor (activated on demand).
#[derive(Clone)]
pub struct Entities {
    host: KeyedHost<EntityBehaviour>,
    clock: Arc<dyn Clock>,
}

/// What an entity looks like now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitySummary {
    /// The entity.
    pub entity_id: EntityId,
    /// Its lifecycle state.
    pub state: EntityState,
    /// Accepted lifecycle transitions.
    pub version: u64,
    /// Attestations recorded.
    pub attestations: Vec<Attestation>,
    /// Tensor cells recorded, by address.
    pub cells: BTreeMap<CellAddress, Cell>,
}

/// Why an entity refused a request (a reply, never an actor failure).
#[derive(Debug, thiserror::Error)]
pub enum EntityReject {
    /// No application was recorded for this entity.
    #[error("entity {entity_id} has not applied")]
    NotApplied {
        /// The entity.
        entity_id: EntityId,
    },
    /// An application was already recorded.
    #[error("entity {entity_id} has already applied")]
    AlreadyApplied {
        /// The entity.
        entity_id: EntityId,
    },
    /// The lifecycle refused the transition.
    #[error(transparent)]
    Lifecycle(#[from] EntityLifecycleError),
    /// An attestation or cell is about another subject.
    #[error("entity {entity_id}: record is about subject {subject}")]
    WrongSubject {
        /// The entity.
        entity_id: EntityId,
        /// The record's subject.
        subject: EntityId,
    },
    /// The Mass call failed.
    #[error(transparent)]
    Mass(#[from] PoolError),
    /// The host could not deliver the request.
    #[error(transparent)]
    Host(#[from] HostError),
}

/// The `Keyed` behaviour of entity actors.
pub struct EntityBehaviour {
    config: EntityConfig,
}

/// The private message enum; the handle builds these.
pub enum EntityMsg {
    /// Records the application.
    Apply {
        /// When.
        at: Timestamp,
        /// The answer.
        reply: Reply<Result<EntitySummary, EntityReject>>,
    },
    /// A lifecycle event (`expected_version: None` means "whatever is current": agentic
    /// actions act on the entity as it is).
    Transition {
        /// The event.
        event: EntityEvent,
        /// The caller's view of the version.
        expected_version: Option<u64>,
        /// When.
        at: Timestamp,
        /// The answer.
        reply: Reply<Result<EntityTransition, EntityReject>>,
    },
    /// Records a verified attestation.
    Attest {
        /// The attestation.
        attestation: Attestation,
        /// The answer.
        reply: Reply<Result<(), EntityReject>>,
    },
    /// Records a tensor cell about this entity.
    PutCell {
        /// The cell.
        cell: Cell,
        /// The answer.
        reply: Reply<Result<(), EntityReject>>,
    },
    /// The current summary.
    Summary {
        /// The answer.
        reply: Reply<Result<EntitySummary, EntityReject>>,
    },
    /// The organization record from Mass (cached).
    Organization {
        /// The answer.
        reply: Reply<Result<Option<Organization>, EntityReject>>,
    },
}

/// One entity's in-memory state.
pub struct EntityActorState {
    lifecycle: Option<EntityLifecycle>,
    attestations: Vec<Attestation>,
    cells: BTreeMap<CellAddress, Cell>,
    organization: Option<(Option<Organization>, u64)>,
}

impl Entities {
    /// Starts the entity host under `tree`.
    pub async fn start(
        config: EntityConfig,
        host_config: KeyedHostConfig,
        tree: &msez_runtime::Introspection,
    ) -> Result<Entities, msez_runtime::RuntimeError> {
        let clock = Arc::clone(&config.clock);
        let host =
            KeyedHost::start(Arc::new(EntityBehaviour { config }), host_config, tree).await?;
        Ok(Entities { host, clock })
    }

    /// The underlying host (introspection, drills, shutdown).
    pub fn host(&self) -> &KeyedHost<EntityBehaviour> {
        &self.host
    }

    /// Records an entity's application now.
    pub async fn apply(&self, entity_id: &EntityId) -> Result<EntitySummary, EntityReject> {
        let at = self.now();
        self.host
            .call(entity_id, |reply| EntityMsg::Apply { at, reply })
            .await?
    }

    /// Applies a lifecycle event now, against `expected_version` when given.
    pub async fn transition(
        &self,
        entity_id: &EntityId,
        event: EntityEvent,
        expected_version: Option<u64>,
    ) -> Result<EntityTransition, EntityReject> {
        let at = self.now();
        self.host
            .call(entity_id, |reply| EntityMsg::Transition {
                event,
                expected_version,
                at,
                reply,
            })
            .await?
    }

    /// Records a verified attestation about the entity.
    pub async fn attest(
        &self,
        entity_id: &EntityId,
        attestation: Attestation,
    ) -> Result<(), EntityReject> {
        self.host
            .call(entity_id, |reply| EntityMsg::Attest { attestation, reply })
            .await?
    }

    /// Records a tensor cell about the entity.
    pub async fn put_cell(&self, entity_id: &EntityId, cell: Cell) -> Result<(), EntityReject> {
        self.host
            .call(entity_id, |reply| EntityMsg::PutCell { cell, reply })
            .await?
    }

    /// The entity's summary.
    pub async fn summary(&self, entity_id: &EntityId) -> Result<EntitySummary, EntityReject> {
        self.host
            .call(entity_id, |reply| EntityMsg::Summary { reply })
            .await?
    }

    /// The entity's organization record (Mass, cached for the fact TTL).
    pub async fn organization(
        &self,
        entity_id: &EntityId,
    ) -> Result<Option<Organization>, EntityReject> {
        self.host
            .call(entity_id, |reply| EntityMsg::Organization { reply })
            .await?
    }

    fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

impl EntityControl for Entities {
    fn party_identity(
        &self,
        entity_id: EntityId,
    ) -> BoxFuture<'_, Result<PartyIdentity, ControlError>> {
        Box::pin(async move {
            let target = entity_id.to_string();
            match self.organization(&entity_id).await {
                Ok(Some(organization)) => Ok(party_identity_of(&organization)),
                Ok(None) => Err(ControlError::UnknownTarget { target }),
                Err(error) => Err(ControlError::Unavailable {
                    target,
                    reason: error.to_string(),
                }),
            }
        })
    }

    fn suspend(
        &self,
        entity_id: EntityId,
        _evidence: ActionEvidence,
    ) -> BoxFuture<'_, Result<(), ControlError>> {
        Box::pin(async move {
            let target = entity_id.to_string();
            match self
                .transition(&entity_id, EntityEvent::Suspend, None)
                .await
            {
                Ok(_) => Ok(()),
                Err(EntityReject::NotApplied { .. }) => Err(ControlError::UnknownTarget { target }),
                Err(EntityReject::Host(error)) => Err(ControlError::Unavailable {
                    target,
                    reason: error.to_string(),
                }),
                Err(error) => Err(ControlError::Refused {
                    target,
                    reason: error.to_string(),
                }),
            }
        })
    }
}

/// The names and identifiers screening reads from a Mass organization: its legal name, and its
/// government identifier under the kind sanctions lists use (`PASSPORT_NO` → `passport`; other
/// kinds lower-cased as Mass spells them). Absent or blank members are left out.
pub fn party_identity_of(organization: &Organization) -> PartyIdentity {
    let names = organization
        .name
        .iter()
        .filter(|name| !name.trim().is_empty())
        .cloned()
        .collect();
    let identifiers = organization
        .identifier
        .iter()
        .filter_map(|identifier| {
            let value = identifier.value.as_ref().filter(|v| !v.trim().is_empty())?;
            let kind = match identifier.kind.as_ref()? {
                IdentifierKind::PassportNo => "passport".to_owned(),
                other => other.as_wire().to_lowercase(),
            };
            Some(SanctionsIdentifier {
                kind,
                value: value.clone(),
            })
        })
        .collect();
    PartyIdentity { names, identifiers }
}

/// The journal trail of one entity.
pub fn entity_trail_id(entity_id: &EntityId) -> String {
    format!("entity:{entity_id}")
}

fn fact_key(entity_id: &EntityId) -> String {
    format!("entity:{entity_id}:organization")
}

impl Keyed for EntityBehaviour {
    type Key = EntityId;
    type Msg = EntityMsg;
    type State = EntityActorState;

    async fn hydrate(&self, entity_id: &EntityId) -> Result<EntityActorState, ActorFailure> {
        let trail_id = entity_trail_id(entity_id);
        let mut state = EntityActorState {
            lifecycle: None,
            attestations: Vec::new(),
            cells: BTreeMap::new(),
            organization: None,
        };
        let mut from_sequence = 0;
        loop {
            let page = self
                .config
                .store
                .audit_trail(&trail_id, from_sequence, JOURNAL_PAGE_COUNT)
                .await
                .map_err(|error| ActorFailure::new(format!("read journal {trail_id}: {error}")))?;
            let page_count = page.len() as u64;
            for entry in &page {
                let value: Value =
                    serde_json::from_slice(entry.entry.as_bytes()).map_err(|error| {
                        ActorFailure::new(format!("{trail_id}#{}: {error}", entry.sequence))
                    })?;
                replay(entity_id, &mut state, &value).map_err(|reason| {
                    ActorFailure::new(format!("{trail_id}#{}: {reason}", entry.sequence))
                })?;
            }
            from_sequence += page_count;
            if page_count < JOURNAL_PAGE_COUNT {
                break;
            }
            if from_sequence >= ENTITY_JOURNAL_ENTRIES_MAX {
                return Err(ActorFailure::new(format!(
                    "journal {trail_id} exceeds {ENTITY_JOURNAL_ENTRIES_MAX} entries"
                )));
            }
        }
        Ok(state)
    }

    async fn handle(
        &self,
        entity_id: &EntityId,
        state: &mut EntityActorState,
        message: EntityMsg,
    ) -> Result<(), ActorFailure> {
        // Every `reply.send` below may find the caller gone (timed out); the change is already
        // durable, so the answer is dropped on purpose.
        match message {
            EntityMsg::Apply { at, reply } => {
                if state.lifecycle.is_some() {
                    let _ = reply.send(Err(EntityReject::AlreadyApplied {
                        entity_id: entity_id.clone(),
                    }));
                    return Ok(());
                }
                let entry = json!({ "kind": "applied", "at": at.to_string() });
                self.journal(entity_id, &entry).await?;
                state.lifecycle = Some(EntityLifecycle::apply_for(entity_id.clone(), at));
                let _ = reply.send(Ok(summary(entity_id, state)));
            }
            EntityMsg::Transition {
                event,
                expected_version,
                at,
                reply,
            } => {
                let outcome = self
                    .transition(entity_id, state, event, expected_version, at)
                    .await?;
                let _ = reply.send(outcome);
            }
            EntityMsg::Attest { attestation, reply } => {
                let entry = json!({ "kind": "attestation", "attestation": attestation });
                self.journal(entity_id, &entry).await?;
                state.attestations.push(attestation);
                let _ = reply.send(Ok(()));
            }
            EntityMsg::PutCell { cell, reply } => {
                if cell.address.subject != *entity_id {
                    let _ = reply.send(Err(EntityReject::WrongSubject {
                        entity_id: entity_id.clone(),
                        subject: cell.address.subject.clone(),
                    }));
                    return Ok(());
                }
                let entry = json!({ "kind": "cell", "cell": cell });
                self.journal(entity_id, &entry).await?;
                state.cells.insert(cell.address.clone(), cell);
                let _ = reply.send(Ok(()));
            }
            EntityMsg::Summary { reply } => {
                let outcome = match state.lifecycle {
                    Some(_) => Ok(summary(entity_id, state)),
                    None => Err(EntityReject::NotApplied {
                        entity_id: entity_id.clone(),
                    }),
                };
                let _ = reply.send(outcome);
            }
            EntityMsg::Organization { reply } => {
                let outcome = self.organization(entity_id, state).await?;
                let _ = reply.send(outcome);
            }
        }
        Ok(())
    }

    async fn passivate(
        &self,
        _entity_id: &EntityId,
        _state: &mut EntityActorState,
    ) -> Result<(), ActorFailure> {
        // Nothing to flush: every change was journaled before it was acknowledged.
        Ok(())
    }
}

impl EntityBehaviour {
    async fn journal(&self, entity_id: &EntityId, entry: &Value) -> Result<(), ActorFailure> {
        journal_entry(
            &self.config.store,
            &entity_trail_id(entity_id),
            &format!("entity {entity_id}"),
            entry,
        )
        .await
    }

    /// Pure step on a copy, journal, then apply: a refused or failed write changes nothing.
    async fn transition(
        &self,
        entity_id: &EntityId,
        state: &mut EntityActorState,
        event: EntityEvent,
        expected_version: Option<u64>,
        at: Timestamp,
    ) -> Result<Result<EntityTransition, EntityReject>, ActorFailure> {
        let Some(lifecycle) = state.lifecycle.as_mut() else {
            return Ok(Err(EntityReject::NotApplied {
                entity_id: entity_id.clone(),
            }));
        };
        let mut next = lifecycle.clone();
        let version = expected_version.unwrap_or(next.version());
        let record = match next.transition(version, event, at) {
            Ok(record) => record,
            Err(error) => return Ok(Err(error.into())),
        };
        let entry = json!({
            "kind": "transition",
            "event": event_word(event),
            "version": record.version,
            "at": at.to_string(),
        });
        self.journal(entity_id, &entry).await?;
        *lifecycle = next;
        Ok(Ok(record))
    }

    /// Memory (fresh within the TTL), then the store's fact cache, then Mass through the pool.
    async fn organization(
        &self,
        entity_id: &EntityId,
        state: &mut EntityActorState,
    ) -> Result<Result<Option<Organization>, EntityReject>, ActorFailure> {
        let config = &self.config;
        // The clock's resolution is a second; the TTL compares in milliseconds.
        let now_ms = u64::try_from(config.clock.now().unix_seconds())
            .unwrap_or(0)
            .saturating_mul(1000);
        let ttl_ms = u64::try_from(config.fact_ttl.as_millis()).unwrap_or(u64::MAX);
        if let Some((organization, fetched_ms)) = &state.organization
            && now_ms < fetched_ms.saturating_add(ttl_ms)
        {
            return Ok(Ok(organization.clone()));
        }
        let key = fact_key(entity_id);
        let cached = config
            .store
            .mass_fact(&key)
            .await
            .map_err(|error| ActorFailure::new(format!("read fact {key}: {error}")))?;
        if let Some(organization) =
            cached.and_then(|bytes| serde_json::from_slice::<Option<Organization>>(&bytes).ok())
        {
            return Ok(Ok(organization));
        }
        let organization = match config
            .pool
            .call(entity_id, MassRequest::GetOrganization)
            .await
        {
            Ok(MassResponse::Organization(organization)) => organization,
            Ok(_) => return Err(ActorFailure::new("mass pool answered another request kind")),
            Err(error) => return Ok(Err(error.into())),
        };
        let bytes = serde_json::to_vec(&organization)
            .map_err(|error| ActorFailure::new(format!("encode fact {key}: {error}")))?;
        config
            .store
            .put_mass_fact(&key, &bytes, config.fact_ttl)
            .await
            .map_err(|error| ActorFailure::new(format!("write fact {key}: {error}")))?;
        state.organization = Some((organization.clone(), now_ms));
        Ok(Ok(organization))
    }
}

fn summary(entity_id: &EntityId, state: &EntityActorState) -> EntitySummary {
    let (lifecycle_state, version) = state
        .lifecycle
        .as_ref()
        .map_or((EntityState::Applied, 0), |l| (l.state(), l.version()));
    EntitySummary {
        entity_id: entity_id.clone(),
        state: lifecycle_state,
        version,
        attestations: state.attestations.clone(),
        cells: state.cells.clone(),
    }
}

fn event_word(event: EntityEvent) -> &'static str {
    match event {
        EntityEvent::Approve => "approve",
        EntityEvent::Reject => "reject",
        EntityEvent::Suspend => "suspend",
        EntityEvent::Reinstate => "reinstate",
        EntityEvent::BeginDissolution => "begin_dissolution",
        EntityEvent::AdvanceDissolution => "advance_dissolution",
    }
}

fn event_from_word(word: &str) -> Option<EntityEvent> {
    [
        EntityEvent::Approve,
        EntityEvent::Reject,
        EntityEvent::Suspend,
        EntityEvent::Reinstate,
        EntityEvent::BeginDissolution,
        EntityEvent::AdvanceDissolution,
    ]
    .into_iter()
    .find(|event| event_word(*event) == word)
}

/// Applies one journal entry to the state (hydration), through the same pure steps.
fn replay(entity_id: &EntityId, state: &mut EntityActorState, entry: &Value) -> Result<(), String> {
    let at = || -> Result<Timestamp, String> {
        let text = entry["at"].as_str().ok_or("entry has no at")?;
        Timestamp::parse(text).map_err(|error| error.to_string())
    };
    match entry["kind"].as_str() {
        Some("applied") => {
            if state.lifecycle.is_some() {
                return Err("second application".to_owned());
            }
            state.lifecycle = Some(EntityLifecycle::apply_for(entity_id.clone(), at()?));
        }
        Some("transition") => {
            let lifecycle = state
                .lifecycle
                .as_mut()
                .ok_or("transition before application")?;
            let word = entry["event"].as_str().unwrap_or_default();
            let event = event_from_word(word).ok_or_else(|| format!("unknown event {word:?}"))?;
            let version = entry["version"]
                .as_u64()
                .ok_or("transition has no version")?;
            let record = lifecycle
                .transition(version.saturating_sub(1), event, at()?)
                .map_err(|error| error.to_string())?;
            debug_assert_eq!(record.version, version);
        }
        Some("attestation") => {
            let attestation: Attestation = serde_json::from_value(entry["attestation"].clone())
                .map_err(|error| error.to_string())?;
            state.attestations.push(attestation);
        }
        Some("cell") => {
            let cell: Cell =
                serde_json::from_value(entry["cell"].clone()).map_err(|error| error.to_string())?;
            state.cells.insert(cell.address.clone(), cell);
        }
        other => return Err(format!("unknown entry kind {other:?}")),
    }
    Ok(())
}
