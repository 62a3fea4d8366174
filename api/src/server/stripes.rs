//! Keyed stripe locks: one async mutex per hash bucket of a key, so work on one key (a
//! subject's tensor, an orchestration request) is serialised inside this process while work on
//! other keys runs on.
//!
//! Owns [`Stripes`] and [`LOCK_STRIPES`].
//!
//! Never: grows with the number of keys (two keys may share a stripe and then wait for each
//! other, which is correct, only slower), or serialises across processes (the store's
//! conditional writes do that).

use std::hash::{DefaultHasher, Hash, Hasher};

use tokio::sync::{Mutex, MutexGuard};

/// Stripes per lock table. 64 lets 64 keys proceed at once, far more than the store's writer
/// admits, while a table stays a fixed few kilobytes whatever the number of keys.
pub const LOCK_STRIPES: usize = 64;

/// A fixed table of async mutexes, chosen by key hash.
#[derive(Debug)]
pub struct Stripes {
    /// Async mutexes: a holder keeps its stripe across the store's read and write.
    locks: [Mutex<()>; LOCK_STRIPES],
}

impl Default for Stripes {
    fn default() -> Self {
        Self {
            locks: std::array::from_fn(|_| Mutex::new(())),
        }
    }
}

impl Stripes {
    /// Waits for and holds the stripe of `key` until the guard drops.
    pub async fn lock<K: Hash + ?Sized>(&self, key: &K) -> MutexGuard<'_, ()> {
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let index = usize::try_from(hasher.finish() % LOCK_STRIPES as u64).unwrap_or(0);
        // In bounds: the remainder is below the array's length.
        self.locks[index % LOCK_STRIPES].lock().await
    }
}
