//! The shard leases one node holds: acquired on first use, renewed in the background, released
//! at shutdown. Their epochs are the fencing tokens every journal write carries.
//!
//! Owns [`LeaseBook`] and [`LeaseConfig`].
//!
//! Acquisition is single-flight per shard: concurrent activations of corridors on one shard wait
//! for one grant, because every grant (even a re-grant to the same owner) increments the epoch
//! and would fence the corridors that started a moment earlier.
//!
//! Never: writes a journal row itself, or keeps a lease the store says was fenced.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use msez_persistence::lease::{Lease, LeaseError};
use msez_persistence::store::Store;

/// How a node holds leases. No `Default`: the caller states every value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseConfig {
    /// This node's owner name in every lease row (≤ 128 bytes).
    pub owner: String,
    /// How long each grant or renewal lasts.
    pub ttl: Duration,
    /// How often every held lease is renewed (well under `ttl`, e.g. a third of it).
    pub renew_interval: Duration,
}

/// One shard's slot: `None` until granted, and again after a fence.
type Slot = Arc<tokio::sync::Mutex<Option<Lease>>>;

/// The leases this node holds, by shard.
#[derive(Debug)]
pub struct LeaseBook {
    store: Store,
    config: LeaseConfig,
    /// A std mutex: held only to find or insert a slot, never across an await.
    slots: Mutex<HashMap<u32, Slot>>,
}

impl LeaseBook {
    /// A book holding nothing yet.
    pub fn new(store: Store, config: LeaseConfig) -> Arc<Self> {
        Arc::new(Self {
            store,
            config,
            slots: Mutex::new(HashMap::new()),
        })
    }

    /// This node's owner name.
    pub fn owner(&self) -> &str {
        &self.config.owner
    }

    /// How often every held lease is renewed.
    pub fn renew_interval(&self) -> Duration {
        self.config.renew_interval
    }

    fn slot(&self, shard: u32) -> Slot {
        let mut slots = match self.slots.lock() {
            Ok(slots) => slots,
            // A panic while holding this lock cannot leave the map half-updated (one insert).
            Err(poisoned) => poisoned.into_inner(),
        };
        Arc::clone(slots.entry(shard).or_default())
    }

    /// The epoch of this node's lease on `shard`, acquiring the lease if it is not held.
    pub async fn epoch(&self, shard: u32) -> Result<u64, LeaseError> {
        let slot = self.slot(shard);
        let mut held = slot.lock().await;
        if let Some(lease) = held.as_ref() {
            return Ok(lease.epoch);
        }
        // Boxed: acquiring is rare (once per shard and grant) but its store future is large,
        // and every call awaiting `epoch` would otherwise carry it (see `CorridorCore::append`).
        let lease = Box::pin(
            self.store
                .acquire_lease(shard, &self.config.owner, self.config.ttl),
        )
        .await?;
        let epoch = lease.epoch;
        *held = Some(lease);
        Ok(epoch)
    }

    /// Forgets the lease on `shard` if it is still at `epoch` (the store fenced a write made
    /// with it), so the next [`Self::epoch`] asks the store again.
    pub async fn forget(&self, shard: u32, epoch: u64) {
        let slot = self.slot(shard);
        let mut held = slot.lock().await;
        if held.as_ref().is_some_and(|lease| lease.epoch == epoch) {
            *held = None;
        }
    }

    /// Renews every held lease once; a fenced lease is forgotten. Returns how many were renewed.
    pub async fn renew_all(&self) -> usize {
        let shards: Vec<u32> = match self.slots.lock() {
            Ok(slots) => slots.keys().copied().collect(),
            Err(poisoned) => poisoned.into_inner().keys().copied().collect(),
        };
        let mut renewed = 0;
        for shard in shards {
            renewed += usize::from(self.renew(shard).await);
        }
        renewed
    }

    /// Renews the lease on `shard` if this node holds it; a fenced lease is forgotten. True when
    /// a lease was renewed.
    pub async fn renew(&self, shard: u32) -> bool {
        let slot = match self.slots.lock() {
            Ok(slots) => slots.get(&shard).cloned(),
            Err(poisoned) => poisoned.into_inner().get(&shard).cloned(),
        };
        // Never acquired here: nothing to renew (and no slot is created for it).
        let Some(slot) = slot else {
            return false;
        };
        let mut held = slot.lock().await;
        let Some(lease) = held.as_ref() else {
            return false;
        };
        match self.store.renew_lease(lease, self.config.ttl).await {
            Ok(lease) => {
                *held = Some(lease);
                true
            }
            Err(LeaseError::Fenced { .. }) => {
                tracing::warn!(shard, "lease fenced by a newer grant; forgetting it");
                *held = None;
                false
            }
            // A transient store failure: keep the lease and try again next round; if it
            // lapses meanwhile, a takeover fences our writes and the actors restart.
            Err(error) => {
                tracing::warn!(shard, %error, "lease renewal failed");
                false
            }
        }
    }

    /// Releases every held lease (at shutdown), so another node can take the shards at once.
    pub async fn release_all(&self) {
        let slots: Vec<Slot> = match self.slots.lock() {
            Ok(slots) => slots.values().cloned().collect(),
            Err(poisoned) => poisoned.into_inner().values().cloned().collect(),
        };
        for slot in slots {
            let mut held = slot.lock().await;
            if let Some(lease) = held.take()
                && let Err(error) = self.store.release_lease(&lease).await
            {
                // The lease simply expires at its ttl instead.
                tracing::warn!(shard = lease.shard, %error, "lease release failed");
            }
        }
    }

    /// Starts the renewal task; it stops when the book is dropped.
    pub fn spawn_renewal(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let book: Weak<Self> = Arc::downgrade(self);
        let interval = self.config.renew_interval;
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                let Some(book) = book.upgrade() else {
                    return;
                };
                book.renew_all().await;
            }
        })
    }
}
