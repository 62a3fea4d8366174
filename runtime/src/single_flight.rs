//! Single-flight activation table of one shard: key → slot (active incarnation, passivating, or
//! quarantined), with admission done under the same lock as the lookup.
//!
//! Owns `ActivationTable`, `Slot`, `Admit` and the `Incarnation` trait. The invariants, all
//! model-checked under loom (`loom_tests`):
//! - at most one activation per key runs while a slot lives: two concurrent first messages get the
//!   same incarnation (the activation runs under the shard lock);
//! - a passivation only removes an incarnation whose admission depth is zero, and a sender admits
//!   under the same lock, so no admitted message is ever stranded in a passivated mailbox;
//! - a new incarnation activated while its predecessor passivates receives the predecessor's
//!   barrier, so it can wait for the passivate hook (e.g. a snapshot) before it hydrates.
//!
//! Never: awaits, sleeps or runs user code under the lock; `activate` must only spawn.

use std::collections::HashMap;
use std::hash::Hash;

use crate::admission::Admission;
use crate::policy::RestartHistory;
use crate::sync::{Mutex, MutexGuard, lock};

/// What the table needs from a live incarnation.
pub(crate) trait Incarnation: Clone {
    /// Unique per activation within a host.
    fn incarnation_id(&self) -> u64;
    /// The incarnation's inbox counter.
    fn admission(&self) -> &Admission;
}

/// The state of one key in its shard.
pub(crate) enum Slot<V, B> {
    /// A live (possibly still hydrating or backing off) incarnation.
    Active {
        incarnation: V,
        /// Restarts in the intensity window; carried across restarts, dropped on passivation.
        history: RestartHistory,
        /// Restarts since activation.
        restart_count: u32,
        last_failure: Option<String>,
    },
    /// The incarnation is running its passivate hook; `barrier` tells a successor when it is done.
    Passivating { incarnation_id: u64, barrier: B },
    /// Restart intensity exceeded: refused until reset.
    Quarantined {
        last_failure: String,
        restart_count: u32,
    },
}

/// Outcome of `ActivationTable::admit`.
pub(crate) enum Admit<V> {
    /// One message admitted to this incarnation; the caller must enqueue it, or release it.
    Admitted(V),
    /// The incarnation's inbox is at the bound.
    Overloaded { depth: usize },
    /// The key is quarantined.
    Quarantined { last_failure: String },
}

/// One shard's slots. The lock is a plain mutex held for map operations and a spawn only.
pub(crate) struct ActivationTable<K, V, B> {
    slots: Mutex<HashMap<K, Slot<V, B>>>,
}

impl<K: Hash + Eq + Clone, V: Incarnation, B: Clone> ActivationTable<K, V, B> {
    /// An empty table.
    pub(crate) fn new() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Finds the key's live incarnation, or activates one (at most once, under the lock), and
    /// admits one message to it if its depth is below `bound`.
    ///
    /// `activate` receives the barrier of a predecessor still passivating, if any.
    pub(crate) fn admit<E>(
        &self,
        key: &K,
        bound: usize,
        activate: impl FnOnce(Option<B>) -> Result<V, E>,
    ) -> Result<Admit<V>, E> {
        let mut slots = lock(&self.slots);
        let predecessor = match slots.get(key) {
            Some(Slot::Active { incarnation, .. }) => {
                return Ok(admit_one(incarnation, bound));
            }
            Some(Slot::Quarantined { last_failure, .. }) => {
                return Ok(Admit::Quarantined {
                    last_failure: last_failure.clone(),
                });
            }
            Some(Slot::Passivating { barrier, .. }) => Some(barrier.clone()),
            None => None,
        };
        let incarnation = activate(predecessor)?;
        let outcome = admit_one(&incarnation, bound);
        slots.insert(
            key.clone(),
            Slot::Active {
                incarnation,
                history: RestartHistory::new(),
                restart_count: 0,
                last_failure: None,
            },
        );
        Ok(outcome)
    }

    /// The live incarnation of `key`, without activating or admitting.
    pub(crate) fn active(&self, key: &K) -> Option<V> {
        match lock(&self.slots).get(key) {
            Some(Slot::Active { incarnation, .. }) => Some(incarnation.clone()),
            _ => None,
        }
    }

    /// Starts passivating `incarnation_id` of `key` if it is still the live incarnation and no
    /// message is admitted to it; afterwards no sender can reach it.
    pub(crate) fn begin_passivation(&self, key: &K, incarnation_id: u64, barrier: B) -> bool {
        let mut slots = lock(&self.slots);
        let Some(Slot::Active { incarnation, .. }) = slots.get(key) else {
            return false;
        };
        if incarnation.incarnation_id() != incarnation_id || incarnation.admission().depth() != 0 {
            return false;
        }
        slots.insert(
            key.clone(),
            Slot::Passivating {
                incarnation_id,
                barrier,
            },
        );
        true
    }

    /// Forgets the passivating slot of `incarnation_id` (its hook finished), unless a successor
    /// already took the key.
    pub(crate) fn end_passivation(&self, key: &K, incarnation_id: u64) {
        let mut slots = lock(&self.slots);
        if let Some(Slot::Passivating {
            incarnation_id: passivating_id,
            ..
        }) = slots.get(key)
            && *passivating_id == incarnation_id
        {
            slots.remove(key);
        }
    }

    /// Direct access for the shard supervisor (restart decisions) and snapshots.
    pub(crate) fn slots(&self) -> MutexGuard<'_, HashMap<K, Slot<V, B>>> {
        lock(&self.slots)
    }
}

fn admit_one<V: Incarnation>(incarnation: &V, bound: usize) -> Admit<V> {
    match incarnation.admission().try_admit(bound) {
        Ok(()) => Admit::Admitted(incarnation.clone()),
        Err(refused) => Admit::Overloaded {
            depth: refused.depth,
        },
    }
}

#[cfg(all(test, loom))]
mod loom_tests;
