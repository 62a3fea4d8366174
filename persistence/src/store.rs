//! The store handle: opening either backend, running migrations, and the one place that
//! dispatches a query to Postgres or SQLite.
//!
//! Owns [`Store`], [`StoreConfig`] and the default constants.
//!
//! Never: chooses a backend for the caller or changes a database setting that weakens
//! durability (Postgres keeps `fsync` and `synchronous_commit` at their defaults; SQLite runs
//! WAL with `synchronous = FULL`).
//!
//! # Why an enum and not a `dyn Store` trait
//! There are exactly two backends and both are known at compile time. [`Store`] holds an enum
//! of the two sqlx pools, and every method is written once: the `with_reader!` and
//! `with_write_tx!` macros expand the same body for each pool type, so each expansion is type
//! checked against its own driver while the SQL text is shared. Where the dialects differ (the
//! database clock, row locks), the body reads the difference from a [`Dialect`] value. This
//! keeps async methods free of boxing (no `async-trait`, no `Pin<Box<dyn Future>>` per call on
//! the hot path), lets `Store` be `Clone` and `Send`, and needs no fake third implementation:
//! tests run the same suite against SQLite and Postgres. A trait can be extracted later if a
//! third backend ever appears.
//!
//! Parameters are written `$1, $2, …` everywhere: Postgres requires that form, and sqlx's
//! SQLite driver maps `$N` to the N-th bound argument.

use std::path::Path;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::StoreError;

/// Lease shards when none is configured. 1,024 shards spread 10,000 corridors at about ten per
/// shard, so moving one shard between nodes moves a small slice of the load, while the lease
/// table stays small enough to renew every lease of a node in one statement.
pub const SHARD_COUNT_DEFAULT: u32 = 1_024;

/// The largest shard count accepted. Shard numbers travel as `u32` and each shard is one lease
/// row; a million rows is already far past any deployment we plan for.
pub const SHARD_COUNT_MAX: u32 = 1 << 20;

/// Receipts between two snapshots when none is configured. Reload replays at most this many
/// receipts after the latest snapshot; 256 keeps the replay of a tail under a few milliseconds
/// (each tail receipt is parsed and its `next_root` recomputed) while writing a snapshot for
/// only 0.4% of appends.
pub const SNAPSHOT_INTERVAL_RECEIPTS_DEFAULT: u64 = 256;

/// Pooled connections when none is configured: enough for the group commit writer, lease
/// renewal and a few concurrent loads on a 2-core machine.
pub const CONNECTIONS_MAX_DEFAULT: u32 = 8;

/// How long a query waits for a pooled connection before failing, by default.
pub const ACQUIRE_TIMEOUT_DEFAULT: Duration = Duration::from_secs(10);

/// How long a SQLite write waits for another process's write lock before failing.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How a store is opened. There is no `Default`: the caller states every choice, using the
/// `*_DEFAULT` constants where it has no better number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// Lease shards; fixed when the database is created and checked at every later open.
    pub shard_count: u32,
    /// A snapshot must accompany every append whose `sequence + 1` is a multiple of this.
    pub snapshot_interval_receipts: u64,
    /// Pooled connections (readers, for SQLite; the SQLite writer is always one connection).
    pub connections_max: u32,
    /// How long to wait for a pooled connection.
    pub acquire_timeout: Duration,
}

impl StoreConfig {
    /// The documented defaults, spelled out at the call site on purpose.
    pub fn with_defaults() -> Self {
        Self {
            shard_count: SHARD_COUNT_DEFAULT,
            snapshot_interval_receipts: SNAPSHOT_INTERVAL_RECEIPTS_DEFAULT,
            connections_max: CONNECTIONS_MAX_DEFAULT,
            acquire_timeout: ACQUIRE_TIMEOUT_DEFAULT,
        }
    }

    fn check(&self) -> Result<(), StoreError> {
        if !(1..=SHARD_COUNT_MAX).contains(&self.shard_count) {
            return Err(StoreError::ShardCountOutOfRange {
                shard_count: self.shard_count,
            });
        }
        if self.snapshot_interval_receipts == 0 {
            return Err(StoreError::SnapshotIntervalZero);
        }
        Ok(())
    }
}

/// A handle on an opened, migrated store. Cloning is cheap (the pools are shared).
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    pub(crate) config: StoreConfig,
}

/// The two backends. SQLite gets one writer connection (SQLite admits one writer at a time, and
/// waiting in our pool is cheaper than SQLite's busy-sleep loop) and a pool of readers.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Postgres(PgPool),
    Sqlite {
        writer: SqlitePool,
        reader: SqlitePool,
    },
}

/// SQL that differs between the two dialects.
#[derive(Debug)]
pub(crate) struct Dialect {
    /// The database clock as integer Unix milliseconds.
    pub(crate) now_unix_ms: &'static str,
    /// Appended to the lease read of a standalone snapshot write so a concurrent lease grant
    /// waits for the write's commit (Postgres); SQLite writers are already serialised. The
    /// journal's batch path spells its own lock (see `journal::postgres`).
    pub(crate) lease_row_lock: &'static str,
    /// Serialises concurrent migrations (Postgres); SQLite's `BEGIN IMMEDIATE` already does.
    pub(crate) migration_lock: Option<&'static str>,
    /// Serialises credential issuance into status-list slots (Postgres); SQLite's
    /// `BEGIN IMMEDIATE` already does.
    pub(crate) credential_issuance_lock: Option<&'static str>,
    /// This dialect's migrations, oldest first.
    pub(crate) migrations: &'static [crate::migrate::Migration],
}

pub(crate) const POSTGRES: Dialect = Dialect {
    now_unix_ms: "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT",
    lease_row_lock: " FOR SHARE",
    // An arbitrary constant key ("msez" in ASCII) for the session-independent advisory lock.
    migration_lock: Some("SELECT pg_advisory_xact_lock(1836279162)"),
    // The next key: one lock for every status list, since issuance is rare and quick.
    credential_issuance_lock: Some("SELECT pg_advisory_xact_lock(1836279163)"),
    migrations: crate::migrate::POSTGRES_MIGRATIONS,
};

pub(crate) const SQLITE: Dialect = Dialect {
    now_unix_ms: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
    lease_row_lock: "",
    migration_lock: None,
    credential_issuance_lock: None,
    migrations: crate::migrate::SQLITE_MIGRATIONS,
};

/// Runs `$body` with `$pool` bound to a read pool of the store's backend and `$dialect` to its
/// [`Dialect`].
macro_rules! with_reader {
    ($store:expr, |$pool:ident, $dialect:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Postgres($pool) => {
                let $dialect = &$crate::store::POSTGRES;
                $body
            }
            $crate::store::Backend::Sqlite { reader: $pool, .. } => {
                let $dialect = &$crate::store::SQLITE;
                $body
            }
        }
    };
}

/// Runs `$body` inside one write transaction (`$tx`) and commits it; an early return through `?`
/// drops the transaction, which rolls it back. `$dialect` names the backend's [`Dialect`].
macro_rules! with_write_tx {
    ($store:expr, |$tx:ident, $dialect:ident| $body:expr) => {
        match &$store.backend {
            $crate::store::Backend::Postgres(pool) => {
                let mut $tx = pool
                    .begin()
                    .await
                    .map_err($crate::error::db("begin transaction"))?;
                let $dialect = &$crate::store::POSTGRES;
                let output = $body;
                $tx.commit()
                    .await
                    .map_err($crate::error::db("commit transaction"))?;
                output
            }
            $crate::store::Backend::Sqlite { writer, .. } => {
                // IMMEDIATE takes the write lock up front: a deferred transaction that reads and
                // then writes can fail with SQLITE_BUSY when it tries to upgrade.
                let mut $tx = writer
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err($crate::error::db("begin transaction"))?;
                let $dialect = &$crate::store::SQLITE;
                let output = $body;
                $tx.commit()
                    .await
                    .map_err($crate::error::db("commit transaction"))?;
                output
            }
        }
    };
}

impl Store {
    /// Opens a Postgres store and migrates it. Set the schema through `options` (for example
    /// `.options([("search_path", "zone_a")])`) to keep several stores in one database.
    pub async fn open_postgres(
        options: PgConnectOptions,
        config: StoreConfig,
    ) -> Result<Self, StoreError> {
        config.check()?;
        let pool = PgPoolOptions::new()
            .max_connections(config.connections_max)
            .acquire_timeout(config.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(crate::error::db("connect to postgres"))?;
        let store = Self {
            backend: Backend::Postgres(pool),
            config,
        };
        crate::migrate::run(&store).await?;
        Ok(store)
    }

    /// Opens (creating if missing) a SQLite store at `path` in WAL mode with
    /// `synchronous = FULL`, so an acknowledged commit survives power loss, and migrates it.
    ///
    /// Why FULL and not NORMAL: in WAL mode NORMAL survives a process crash but may lose the
    /// last commits on power loss, and an acknowledged receipt has already reached a
    /// counterparty. FULL costs one WAL fsync per commit; group commit puts ~1,000 appends in
    /// one commit, so the writer is CPU-bound long before fsync-bound (docs/PERFORMANCE.md,
    /// runs 6 and 7: NORMAL measured within noise of FULL).
    pub async fn open_sqlite(path: &Path, config: StoreConfig) -> Result<Self, StoreError> {
        config.check()?;
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(config.acquire_timeout)
            .connect_with(options.clone())
            .await
            .map_err(crate::error::db("open sqlite writer"))?;
        let store = Self {
            backend: Backend::Sqlite {
                writer,
                reader: SqlitePoolOptions::new()
                    .max_connections(config.connections_max)
                    .acquire_timeout(config.acquire_timeout)
                    .connect_with(options.read_only(true))
                    .await
                    .map_err(crate::error::db("open sqlite readers"))?,
            },
            config,
        };
        crate::migrate::run(&store).await?;
        Ok(store)
    }

    /// The configuration the store was opened with.
    pub fn config(&self) -> &StoreConfig {
        &self.config
    }

    /// Closes every pooled connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match &self.backend {
            Backend::Postgres(pool) => pool.close().await,
            Backend::Sqlite { writer, reader } => {
                reader.close().await;
                writer.close().await;
            }
        }
    }
}

/// Converts a `u64` to the `BIGINT` the database stores, naming the field on overflow.
pub(crate) fn to_db_integer(field: &'static str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::IntegerOutOfRange { field, value })
}

/// The SQL `LIMIT` of a page of `count_max` rows, refused with [`StoreError::PageTooLarge`]
/// above the listing's `page_max`: the one bound every paged read checks.
pub(crate) fn check_page(count_max: u64, page_max: u64) -> Result<i64, StoreError> {
    if count_max > page_max {
        return Err(StoreError::PageTooLarge {
            count_max,
            page_max,
        });
    }
    to_db_integer("count_max", count_max)
}

/// Converts a stored `BIGINT` back to `u64`, naming the column when it is negative.
pub(crate) fn from_db_integer(column: &'static str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::NegativeColumn { column, value })
}

#[cfg(test)]
mod tests;
