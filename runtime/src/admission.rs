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
mod tests {
    //! The bound at the limit and at limit + 1, and release after refusal.
    use super::*;

    #[test]
    fn admission_refuses_at_bound_and_admits_after_release() {
        let admission = Admission::new();
        for _ in 0..3 {
            assert_eq!(admission.try_admit(3), Ok(()));
        }
        assert_eq!(admission.try_admit(3), Err(Refused { depth: 3 }));
        assert_eq!(admission.depth(), 3);
        admission.release();
        assert_eq!(admission.try_admit(3), Ok(()));
        assert_eq!(admission.depth(), 3);
    }

    #[test]
    fn admission_bound_zero_refuses_everything() {
        let admission = Admission::new();
        assert_eq!(admission.try_admit(0), Err(Refused { depth: 0 }));
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    //! Model check: with two senders racing one consumer, the depth never exceeds the bound and
    //! every admitted message is released exactly once (final depth zero).
    use super::*;
    use loom::sync::Arc;
    use loom::thread;

    #[test]
    fn loom_admission_never_exceeds_bound() {
        loom::model(|| {
            let admission = Arc::new(Admission::new());
            let bound = 1;
            let senders: Vec<_> = (0..2)
                .map(|_| {
                    let admission = admission.clone();
                    thread::spawn(move || {
                        let admitted = admission.try_admit(bound).is_ok();
                        assert!(admission.depth() <= bound);
                        if admitted {
                            admission.release();
                        }
                        admitted
                    })
                })
                .collect();
            let mut admitted_count = 0;
            for sender in senders {
                if sender.join().unwrap() {
                    admitted_count += 1;
                }
            }
            assert!(admitted_count >= 1);
            assert_eq!(admission.depth(), 0);
        });
    }

    #[test]
    fn loom_admission_consumer_release_races_sender() {
        loom::model(|| {
            let admission = Arc::new(Admission::new());
            assert!(admission.try_admit(1).is_ok());
            let consumer = {
                let admission = admission.clone();
                thread::spawn(move || admission.release())
            };
            let second = admission.try_admit(1);
            consumer.join().unwrap();
            match second {
                Ok(()) => assert_eq!(admission.depth(), 1),
                Err(refused) => {
                    assert_eq!(refused.depth, 1);
                    assert_eq!(admission.depth(), 0);
                }
            }
        });
    }
}
