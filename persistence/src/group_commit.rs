//! Group commit: many corridors' appends share one transaction and one fsync.
//!
//! Owns [`GroupCommitWriter`] (a task plus its handle), [`GroupCommitConfig`] and
//! [`GroupCommitError`].
//!
//! The writer runs `lanes` independent tasks. Callers hand an [`AppendRequest`] to the handle,
//! which queues it in the bounded channel of the lane that owns the corridor's lease shard
//! (`shard % lanes`); a full lane queue is a fast, typed [`GroupCommitError::Overloaded`], never
//! an unbounded wait. Each lane task takes its first waiting request, keeps collecting until it
//! has `batch_items_max` requests or `window` has passed since the first, and commits them with
//! one [`Store::append_batch`]. Each caller is answered only after that commit returns, with its
//! own outcome: a fenced or conflicting item is refused alone while its batch-mates commit.
//!
//! Ordering: a lane has one batch in flight at a time, and a corridor always maps to the same
//! lane, so a corridor's later appends never commit before its earlier ones. Requests queue up
//! while a commit runs, which is what makes batches large under load. Lanes exist so the
//! database is never idle while a writer plans a batch or answers its callers: with one lane,
//! Postgres waits for the writer and the writer waits for Postgres. Because lanes split by
//! shard, two lanes' transactions never lock the same lease row.
//!
//! Never: answers before the commit, drops a request without answering it, or retries a failed
//! transaction on its own (the caller owns the retry decision).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use msez_protocol::ids::CorridorId;

use crate::error::StoreError;
use crate::journal::{APPEND_BATCH_ITEMS_MAX, AppendError, AppendRequest, Appended};
use crate::lease::shard_of;
use crate::store::{Backend, Store};

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

/// Writer lanes on SQLite. SQLite has one writer connection, so lanes only take turns on it:
/// each lane's batch waits for the others' commits, and splitting arrivals across lanes makes
/// every batch smaller and every caller wait longer. Measured over HTTP
/// (`tests/benches/append_http.rs`, 1,000 corridors, 64 connections, docs/PERFORMANCE.md
/// 2026-12-08): 1 lane 4.8–5.2k appends/s (p99 22 ms), 2 lanes 4.6k, 4 lanes 3.3k (p99 39 ms).
pub const GROUP_COMMIT_LANES_SQLITE: usize = 1;

/// Writer lanes on Postgres, where each lane commits on its own connection, so one lane plans
/// or answers while another commits. Over HTTP (64 connections, same bench) 2 lanes gave
/// 4.4–4.6k appends/s against 3.7–4.1k with 4; with thousands of appends in flight
/// (`persistence/benches/store.rs`, 1,000 corridors) 1 lane gave 30k, 2 lanes 50k, 4 lanes
/// 51–59k. See docs/PERFORMANCE.md for the choice.
pub const GROUP_COMMIT_LANES_POSTGRES: usize = 2;

/// The most lanes accepted: each lane holds a pooled connection while it commits, and the
/// store's pool is sized in single digits.
pub const GROUP_COMMIT_LANES_MAX: usize = 64;

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
    /// Appends that may wait, across all lanes (1..=[`GROUP_COMMIT_QUEUE_ITEMS_MAX`], and at
    /// least `lanes`); each lane queues its even share, rounded up.
    pub queue_items_max: usize,
    /// Independent writer tasks (1..=[`GROUP_COMMIT_LANES_MAX`]), each with one batch in flight.
    pub lanes: usize,
}

impl GroupCommitConfig {
    /// The documented defaults for `store`'s backend: the lane count differs (see
    /// [`GROUP_COMMIT_LANES_SQLITE`] and [`GROUP_COMMIT_LANES_POSTGRES`]).
    pub fn for_store(store: &Store) -> Self {
        let lanes = match store.backend {
            Backend::Postgres(_) => GROUP_COMMIT_LANES_POSTGRES,
            Backend::Sqlite { .. } => GROUP_COMMIT_LANES_SQLITE,
        };
        Self {
            batch_items_max: GROUP_COMMIT_BATCH_ITEMS_DEFAULT,
            window: GROUP_COMMIT_WINDOW_DEFAULT,
            queue_items_max: GROUP_COMMIT_QUEUE_ITEMS_DEFAULT,
            lanes,
        }
    }
}

/// Why an append through the writer was not committed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GroupCommitError {
    /// The corridor's lane queue is full; retry later.
    #[error(
        "group commit lane queue is full ({lane_queue_items_max} appends waiting); retry later"
    )]
    Overloaded {
        /// The bound of one lane's queue.
        lane_queue_items_max: usize,
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
    /// `lanes` is outside 1..=[`GROUP_COMMIT_LANES_MAX`], or above `queue_items_max` (a lane
    /// must be able to queue at least one append).
    #[error(
        "lanes {lanes} is outside 1..={GROUP_COMMIT_LANES_MAX} or above queue_items_max {queue_items_max}"
    )]
    LanesOutOfRange {
        /// The configured lanes.
        lanes: usize,
        /// The configured queue bound.
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
    lanes: Vec<Lane>,
    shard_count: u32,
    lane_queue_items_max: usize,
}

#[derive(Debug)]
struct Lane {
    sender: mpsc::Sender<Pending>,
    worker: JoinHandle<()>,
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
        if !(1..=GROUP_COMMIT_LANES_MAX).contains(&config.lanes)
            || config.lanes > config.queue_items_max
        {
            return Err(GroupCommitError::LanesOutOfRange {
                lanes: config.lanes,
                queue_items_max: config.queue_items_max,
            });
        }
        let lane_queue_items_max = config.queue_items_max.div_ceil(config.lanes);
        let lanes = (0..config.lanes)
            .map(|_| {
                let (sender, receiver) = mpsc::channel(lane_queue_items_max);
                let worker = tokio::spawn(run_lane(store.clone(), config.clone(), receiver));
                Lane { sender, worker }
            })
            .collect();
        Ok(Self {
            lanes,
            shard_count: store.config().shard_count,
            lane_queue_items_max,
        })
    }

    /// The lane that commits `corridor_id`'s appends: fixed for the writer's life, so one
    /// corridor's appends are committed in the order they were queued.
    pub fn lane_of(&self, corridor_id: &CorridorId) -> usize {
        // A u32 shard always fits a usize on the targets we build for; 0 is a safe fallback.
        let shard = usize::try_from(shard_of(corridor_id, self.shard_count)).unwrap_or(0);
        shard % self.lanes.len().max(1)
    }

    /// Queues an append on its corridor's lane and waits for its commit.
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, GroupCommitError> {
        let lane = self
            .lanes
            .get(self.lane_of(&request.receipt.corridor_id))
            .ok_or(GroupCommitError::Stopped)?;
        let (reply, answer) = oneshot::channel();
        lane.sender
            .try_send(Pending { request, reply })
            .map_err(|error| match error {
                mpsc::error::TrySendError::Full(_) => GroupCommitError::Overloaded {
                    lane_queue_items_max: self.lane_queue_items_max,
                },
                mpsc::error::TrySendError::Closed(_) => GroupCommitError::Stopped,
            })?;
        answer.await.map_err(|_| GroupCommitError::Stopped)?
    }

    /// Stops accepting appends, answers everything already queued, and waits for every lane.
    pub async fn shutdown(self) {
        let workers: Vec<_> = self
            .lanes
            .into_iter()
            .map(|lane| {
                drop(lane.sender);
                lane.worker
            })
            .collect();
        for worker in workers {
            // A join error means the lane panicked or was cancelled; its callers have already
            // seen `Stopped` through their dropped reply channels, so there is nothing to report.
            let _ = worker.await;
        }
    }
}

async fn run_lane(store: Store, config: GroupCommitConfig, mut receiver: mpsc::Receiver<Pending>) {
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
