//! TTL cache of the Mass facts compliance evaluation reads on every decision: an entity's
//! jurisdiction and a taxpayer's filer status.
//!
//! Owns [`FactCache`], [`FactKey`], [`Fact`], [`CacheError`].
//!
//! Single flight: N concurrent misses on one key make one upstream call; every caller awaits the
//! same load. Failures are not cached (the next caller retries). A value is fresh for `ttl` after
//! its load completed.
//!
//! Never: holds its map lock across an await; holds more than [`FACT_CACHE_ENTRIES_MAX`] entries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::OnceCell;
use tokio::time::Instant;

use msez_protocol::ids::EntityId;

use crate::client::MassClient;
use crate::error::MassError;
use crate::identity::{FilerStatus, Ntn};

/// Entries the cache holds. 100,000 facts cover every entity and taxpayer of a large zone at a
/// few hundred bytes each (tens of MB at most); past it, loads still work but are not cached.
pub const FACT_CACHE_ENTRIES_MAX: usize = 100_000;

/// Which fact.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FactKey {
    /// The jurisdiction of an organization (`organization-info`).
    EntityJurisdiction(EntityId),
    /// The filer status of an NTN (`identity-info`).
    FilerStatus(Ntn),
}

/// A fact's value. `None` means Mass has no record (404) or no value for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    /// The organization's jurisdiction.
    Jurisdiction(Option<String>),
    /// The NTN's filer status.
    FilerStatus(Option<FilerStatus>),
}

/// Why a fact could not be loaded.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CacheError {
    /// The Mass call failed; shared by every caller that awaited the same load.
    #[error("loading {key:?} from Mass failed: {source}")]
    Upstream {
        /// The fact asked for.
        key: FactKey,
        /// The Mass error.
        #[source]
        source: Arc<MassError>,
    },
}

type Loaded = Result<(Fact, Instant), Arc<MassError>>;

/// The cache. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct FactCache {
    client: MassClient,
    ttl: Duration,
    /// A std mutex: lookups and inserts are map operations; the load awaits outside it, on the
    /// entry's `OnceCell`.
    entries: Mutex<HashMap<FactKey, Arc<OnceCell<Loaded>>>>,
}

impl FactCache {
    /// A cache over `client` whose values stay fresh for `ttl`.
    pub fn new(client: MassClient, ttl: Duration) -> FactCache {
        FactCache {
            client,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The fact for `key`, from the cache when fresh, else loaded once for all concurrent callers.
    pub async fn get(&self, key: &FactKey) -> Result<Fact, CacheError> {
        let cell = self.cell_for(key);
        let loaded = cell.get_or_init(|| self.load(key)).await;
        match loaded {
            Ok((fact, _)) => Ok(fact.clone()),
            Err(source) => {
                self.evict_if_same(key, &cell);
                Err(CacheError::Upstream {
                    key: key.clone(),
                    source: Arc::clone(source),
                })
            }
        }
    }

    /// The entity's jurisdiction.
    pub async fn entity_jurisdiction(
        &self,
        entity_id: &EntityId,
    ) -> Result<Option<String>, CacheError> {
        match self
            .get(&FactKey::EntityJurisdiction(entity_id.clone()))
            .await?
        {
            Fact::Jurisdiction(jurisdiction) => Ok(jurisdiction),
            Fact::FilerStatus(_) => Ok(None),
        }
    }

    /// The NTN's filer status.
    pub async fn filer_status(&self, ntn: &Ntn) -> Result<Option<FilerStatus>, CacheError> {
        match self.get(&FactKey::FilerStatus(ntn.clone())).await? {
            Fact::FilerStatus(status) => Ok(status),
            Fact::Jurisdiction(_) => Ok(None),
        }
    }

    /// Entries currently held (fresh, stale or loading).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The shared cell for `key`: the existing one while loading or fresh, a new one otherwise.
    fn cell_for(&self, key: &FactKey) -> Arc<OnceCell<Loaded>> {
        let now = Instant::now();
        let mut entries = self.lock();
        if let Some(cell) = entries.get(key) {
            let reusable = match cell.get() {
                None => true,
                Some(Ok((_, loaded_at))) => now.duration_since(*loaded_at) < self.ttl,
                Some(Err(_)) => false,
            };
            if reusable {
                return Arc::clone(cell);
            }
        }
        let cell = Arc::new(OnceCell::new());
        if entries.len() >= FACT_CACHE_ENTRIES_MAX {
            let ttl = self.ttl;
            entries.retain(|_, cell| match cell.get() {
                None => true,
                Some(Ok((_, loaded_at))) => now.duration_since(*loaded_at) < ttl,
                Some(Err(_)) => false,
            });
        }
        if entries.len() < FACT_CACHE_ENTRIES_MAX || entries.contains_key(key) {
            entries.insert(key.clone(), Arc::clone(&cell));
        }
        cell
    }

    fn evict_if_same(&self, key: &FactKey, cell: &Arc<OnceCell<Loaded>>) {
        let mut entries = self.lock();
        if entries
            .get(key)
            .is_some_and(|current| Arc::ptr_eq(current, cell))
        {
            entries.remove(key);
        }
    }

    async fn load(&self, key: &FactKey) -> Loaded {
        let fact = match key {
            FactKey::EntityJurisdiction(entity_id) => {
                let organization = self.client.organization().get(entity_id, None).await?;
                Fact::Jurisdiction(organization.and_then(|org| org.jurisdiction))
            }
            FactKey::FilerStatus(ntn) => {
                let record = self.client.identity().filer_status(ntn).await?;
                Fact::FilerStatus(record.and_then(|record| record.filer_status))
            }
        };
        Ok((fact, Instant::now()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FactKey, Arc<OnceCell<Loaded>>>> {
        // Poison only means a panic elsewhere mid-insert; the map itself is still valid.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
