//! Per-actor admission counter: the bound on an actor's inbox (ractor mailboxes are unbounded).
//!
//! Owns `Admission`. A sender calls `try_admit` before it enqueues a message and the actor calls
//! `release` when it dequeues one, so `depth` is the number of admitted, not yet dequeued
//! messages, and it never exceeds the bound. Model-checked under loom (see `loom_tests`).
//!
//! Never: blocks, queues, or waits; an over-bound sender gets its refusal at once.

use crate::sync::{AtomicUsize, Ordering};

/// Admitted-but-not-dequeued message count of one actor incarnation.
#[derive(Debug, Default)]
pub(crate) struct Admission {
    depth: AtomicUsize,
}

/// Refusal of `try_admit`: the depth observed when the bound was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refused {
    pub(crate) depth: usize,
}

impl Admission {
    /// A counter at zero.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Admits one message if fewer than `bound` are waiting.
    ///
    /// A compare-exchange loop (not add-then-undo) so the depth never exceeds the bound, even
    /// transiently: an observer (passivation, introspection) never sees a phantom message.
    pub(crate) fn try_admit(&self, bound: usize) -> Result<(), Refused> {
        let mut current = self.depth.load(Ordering::Relaxed);
        loop {
            if current >= bound {
                return Err(Refused { depth: current });
            }
            match self.depth.compare_exchange_weak(
                current,
                current + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => current = actual,
            }
        }
    }

    /// Releases one admitted message (dequeued by the actor, or never enqueued because the send
    /// failed). Saturates at zero so a double release cannot wrap to a huge depth.
    pub(crate) fn release(&self) {
        let mut current = self.depth.load(Ordering::Relaxed);
        loop {
            debug_assert!(current > 0, "admission release without an admitted message");
            if current == 0 {
                return;
            }
            match self.depth.compare_exchange_weak(
                current,
                current - 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Admitted messages not yet dequeued.
    pub(crate) fn depth(&self) -> usize {
        self.depth.load(Ordering::Acquire)
    }
}

#[cfg(all(test, not(loom)))]
mod tests;

#[cfg(all(test, loom))]
mod loom_tests;
