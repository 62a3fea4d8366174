//! A restart-proof actor reference: the cell a handle reads the current actor from.
//!
//! Owns [`ActorSlot`]. A supervisor's restart spawns a new actor and stores it here, so every
//! clone of a handle reaches the new instance without being rebuilt.
//!
//! Never: holds its lock across an await (it guards one pointer copy).

use std::sync::{Arc, PoisonError, RwLock};

use ractor::ActorRef;

/// The current actor of one singleton child, shared by every handle clone.
pub(crate) struct ActorSlot<M: Send + 'static> {
    /// A std lock: reads and writes copy one reference and never cross an await.
    current: Arc<RwLock<Option<ActorRef<M>>>>,
}

impl<M: Send + 'static> Clone for ActorSlot<M> {
    fn clone(&self) -> Self {
        ActorSlot {
            current: Arc::clone(&self.current),
        }
    }
}

impl<M: Send + 'static> ActorSlot<M> {
    /// An empty slot.
    pub(crate) fn empty() -> Self {
        ActorSlot {
            current: Arc::new(RwLock::new(None)),
        }
    }

    /// The current actor, if one runs.
    pub(crate) fn get(&self) -> Option<ActorRef<M>> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Installs a (re)started actor.
    pub(crate) fn set(&self, actor: ActorRef<M>) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(actor);
    }

    /// Removes the actor (on stop) and returns it.
    pub(crate) fn take(&self) -> Option<ActorRef<M>> {
        self.current
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}
