//! Group commit: many corridors' appends share one transaction and one fsync.
//!
//! Owns [`GroupCommitWriter`] (a task plus its handle), [`GroupCommitConfig`] and
//! [`GroupCommitError`].
//!
//! Callers hand an [`AppendRequest`] to the handle, which queues it in a bounded channel (a full
//! queue is a fast, typed [`GroupCommitError::Overloaded`], never an unbounded wait). The task
//! takes the first waiting request, keeps collecting until it has `batch_items_max` requests or
//! `window` has passed since the first, and commits them with one
//! [`Store::append_batch`]. Each caller is answered only after that commit returns, with its own
//! outcome: a fenced or conflicting item is refused alone while its batch-mates commit. One
//! batch is in flight at a time, so a corridor's later appends never commit before its earlier
//! ones; requests queue up while a commit runs, which is what makes batches large under load.
//!
//! Never: answers before the commit, drops a request without answering it, or retries a failed
//! transaction on its own (the caller owns the retry decision).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::error::StoreError;
use crate::journal::{APPEND_BATCH_ITEMS_MAX, AppendError, AppendRequest, Appended};
use crate::store::Store;

/// Items per batch by default. Under load the queue refills while a commit runs, so batches
/// reach this size; 1,024 rows (about 0.5 MB of receipts) commit in a few milliseconds, keeping
/// the latency any one caller sees within one commit, and amortise one fsync a thousand ways.
pub const GROUP_COMMIT_BATCH_ITEMS_DEFAULT: usize = 1_024;

/// How long a batch waits for company after its first item, by default. 500 µs is a few fsyncs
/// on this machine (≈ 125 µs each): at low load a caller pays at most that, and at high load
/// batches fill before the window closes.
pub const GROUP_COMMIT_WINDOW_DEFAULT: Duration = Duration::from_micros(500);

/// Appends that may wait in the queue by default: 16 batches of the default size, about two
/// seconds of backlog at the target rate, beyond which callers are told to back off.
pub const GROUP_COMMIT_QUEUE_ITEMS_DEFAULT: usize = 16 * GROUP_COMMIT_BATCH_ITEMS_DEFAULT;

/// The longest window accepted: past 100 ms a lone caller's latency is dominated by waiting.
pub const GROUP_COMMIT_WINDOW_MAX: Duration = Duration::from_millis(100);

/// The deepest queue accepted (about 512 MB of maximum-size receipts is already far too much).
pub const GROUP_COMMIT_QUEUE_ITEMS_MAX: usize = 1 << 20;

/// How the writer batches. No `Default`: use the `*_DEFAULT` constants explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCommitConfig {
    /// Flush when a batch holds this many items (1..=[`APPEND_BATCH_ITEMS_MAX`]).
    pub batch_items_max: usize,
    /// Flush when this long has passed since the batch's first item (≤ [`GROUP_COMMIT_WINDOW_MAX`]).
    pub window: Duration,
    /// Appends that may wait (1..=[`GROUP_COMMIT_QUEUE_ITEMS_MAX`]).
    pub queue_items_max: usize,
}

impl GroupCommitConfig {
    /// The documented defaults.
    pub fn with_defaults() -> Self {
        Self {
            batch_items_max: GROUP_COMMIT_BATCH_ITEMS_DEFAULT,
            window: GROUP_COMMIT_WINDOW_DEFAULT,
            queue_items_max: GROUP_COMMIT_QUEUE_ITEMS_DEFAULT,
        }
    }
}

/// Why an append through the writer was not committed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GroupCommitError {
    /// The queue is full; retry later.
    #[error("group commit queue is full ({queue_items_max} appends waiting); retry later")]
    Overloaded {
        /// The queue bound.
        queue_items_max: usize,
    },
    /// The store refused this item; its batch-mates were unaffected.
    #[error(transparent)]
    Refused(#[from] AppendError),
    /// The batch's transaction failed; nothing of the batch was written.
    #[error("group commit transaction failed: {0}")]
    Storage(Arc<StoreError>),
    /// The writer task has stopped.
    #[error("group commit writer has stopped")]
    Stopped,
    /// `batch_items_max` is outside 1..=[`APPEND_BATCH_ITEMS_MAX`].
    #[error("batch_items_max {batch_items_max} is outside 1..={APPEND_BATCH_ITEMS_MAX}")]
    BatchItemsOutOfRange {
        /// The configured value.
        batch_items_max: usize,
    },
    /// `queue_items_max` is outside 1..=[`GROUP_COMMIT_QUEUE_ITEMS_MAX`].
    #[error("queue_items_max {queue_items_max} is outside 1..={GROUP_COMMIT_QUEUE_ITEMS_MAX}")]
    QueueItemsOutOfRange {
        /// The configured value.
        queue_items_max: usize,
    },
    /// `window` exceeds [`GROUP_COMMIT_WINDOW_MAX`].
    #[error("window of {window_us} µs exceeds {max_us} µs", max_us = GROUP_COMMIT_WINDOW_MAX.as_micros())]
    WindowTooLong {
        /// The configured window.
        window_us: u128,
    },
}

/// The handle of a running group commit writer (share it behind an `Arc`). Dropping it stops
/// the task after it has answered what was queued.
#[derive(Debug)]
pub struct GroupCommitWriter {
    sender: mpsc::Sender<Pending>,
    worker: JoinHandle<()>,
    queue_items_max: usize,
}

#[derive(Debug)]
struct Pending {
    request: AppendRequest,
    reply: oneshot::Sender<Result<Appended, GroupCommitError>>,
}

impl GroupCommitWriter {
    /// Checks `config` and starts the writer task on the current tokio runtime.
    pub fn start(store: Store, config: GroupCommitConfig) -> Result<Self, GroupCommitError> {
        if !(1..=APPEND_BATCH_ITEMS_MAX).contains(&config.batch_items_max) {
            return Err(GroupCommitError::BatchItemsOutOfRange {
                batch_items_max: config.batch_items_max,
            });
        }
        if !(1..=GROUP_COMMIT_QUEUE_ITEMS_MAX).contains(&config.queue_items_max) {
            return Err(GroupCommitError::QueueItemsOutOfRange {
                queue_items_max: config.queue_items_max,
            });
        }
        if config.window > GROUP_COMMIT_WINDOW_MAX {
            return Err(GroupCommitError::WindowTooLong {
                window_us: config.window.as_micros(),
            });
        }
        let (sender, receiver) = mpsc::channel(config.queue_items_max);
        let queue_items_max = config.queue_items_max;
        let worker = tokio::spawn(run(store, config, receiver));
        Ok(Self {
            sender,
            worker,
            queue_items_max,
        })
    }

    /// Queues an append and waits for its commit.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, GroupCommitError> {
        let (reply, answer) = oneshot::channel();
        self.sender
            .try_send(Pending { request, reply })
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => GroupCommitError::Overloaded {
                    queue_items_max: self.queue_items_max,
                },
                mpsc::error::TrySendError::Closed(_) => GroupCommitError::Stopped,
            })?;
        answer.await.map_err(|_| GroupCommitError::Stopped)?
    }

    /// Stops accepting appends, answers everything already queued, and waits for the task.
    pub async fn shutdown(self) {
        drop(self.sender);
        // A join error means the task panicked or was cancelled; its callers have already seen
        // `Stopped` through their dropped reply channels, so there is nothing left to report.
        let _ = self.worker.await;
    }
}

async fn run(store: Store, config: GroupCommitConfig, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch: Vec<Pending> = Vec::with_capacity(config.batch_items_max);
    while let Some(first) = receiver.recv().await {
        batch.push(first);
        let deadline = Instant::now() + config.window;
        while batch.len() < config.batch_items_max {
            match receiver.try_recv() {
                Ok(pending) => {
                    batch.push(pending);
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                Err(mpsc::error::TryRecvError::Empty) => {}
            }
            tokio::select! {
                next = receiver.recv() => match next {
                    Some(pending) => batch.push(pending),
                    None => break,
                },
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
        commit(&store, &mut batch).await;
    }
}

async fn commit(store: &Store, batch: &mut Vec<Pending>) {
    let (requests, replies): (Vec<AppendRequest>, Vec<_>) = batch
        .drain(..)
        .map(|pending| (pending.request, pending.reply))
        .unzip();
    match store.append_batch(&requests).await {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                // A send error means the caller stopped waiting; the outcome is durable either
                // way, and the caller's retry will see it as AlreadyPresent.
                let _ = reply.send(outcome.map_err(GroupCommitError::Refused));
            }
        }
        Err(error) => {
            let error = Arc::new(error);
            for reply in replies {
                // As above: a caller that stopped waiting needs no answer.
                let _ = reply.send(Err(GroupCommitError::Storage(Arc::clone(&error))));
            }
        }
    }
}
