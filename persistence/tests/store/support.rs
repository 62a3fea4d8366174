//! Test support: opening a fresh store per test on either backend, raw SQL for corrupting
//! rows, receipt fixtures, and the `backend_tests!` macro that runs one test body per backend.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use msez_persistence::journal::{AppendRequest, ReceiptRecord, SnapshotRecord};
use msez_persistence::lease::Lease;
use msez_persistence::store::{Store, StoreConfig};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::{Digest, DomainTag};
use msez_protocol::ids::CorridorId;
use msez_protocol::receipt::{DigestSet, Receipt, ReceiptType};
use msez_protocol::time::Timestamp;
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;

/// The variable naming the Postgres test database.
pub const DATABASE_URL_VAR: &str = "MSEZ_TEST_DATABASE_URL";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Where a test database lives, so a child process or a second handle can open it again.
#[derive(Debug, Clone)]
pub enum Location {
    Sqlite(PathBuf),
    Postgres { url: String, schema: String },
}

/// A fresh database for one test.
pub struct TestDb {
    pub store: Store,
    pub location: Location,
    _dir: Option<tempfile::TempDir>,
}

pub fn config() -> StoreConfig {
    let mut config = StoreConfig::with_defaults();
    config.snapshot_interval_receipts = 1_000_000;
    config
}

static SCHEMA_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The Postgres URL, or `None` after a loud warning when the caller opted out.
pub fn postgres_url() -> Option<String> {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) => Some(url),
        Err(_) if std::env::var("MSEZ_TEST_SKIP_POSTGRES").as_deref() == Ok("1") => {
            eprintln!(
                "WARNING: {DATABASE_URL_VAR} is unset and MSEZ_TEST_SKIP_POSTGRES=1: \
                 this Postgres test did NOT run"
            );
            None
        }
        Err(_) => panic!(
            "{DATABASE_URL_VAR} is unset: the Postgres half of the store suite cannot run. \
             Use scripts/test.sh, set {DATABASE_URL_VAR}=postgres://postgres@127.0.0.1:5432/test, \
             or set MSEZ_TEST_SKIP_POSTGRES=1 to knowingly skip it"
        ),
    }
}

pub fn pg_options(url: &str, schema: &str) -> PgConnectOptions {
    url.parse::<PgConnectOptions>()
        .unwrap()
        .options([("search_path", schema)])
}

impl TestDb {
    /// A fresh database, or `None` when Postgres was knowingly skipped.
    pub async fn open(kind: Kind, config: StoreConfig) -> Option<Self> {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("store.db");
                let store = Store::open_sqlite(&path, config).await.unwrap();
                Some(Self {
                    store,
                    location: Location::Sqlite(path),
                    _dir: Some(dir),
                })
            }
            Kind::Postgres => {
                let url = postgres_url()?;
                let schema = format!(
                    "t_{}_{}_{}",
                    std::process::id(),
                    SCHEMA_COUNTER.fetch_add(1, Ordering::Relaxed),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_nanos()
                        % 1_000_000_000
                );
                pg_execute(&url.parse().unwrap(), &format!("CREATE SCHEMA {schema}")).await;
                let store = Store::open_postgres(pg_options(&url, &schema), config)
                    .await
                    .unwrap();
                Some(Self {
                    store,
                    location: Location::Postgres { url, schema },
                    _dir: None,
                })
            }
        }
    }

    /// Opens the same database again with `config`.
    pub async fn reopen(
        &self,
        config: StoreConfig,
    ) -> Result<Store, msez_persistence::error::StoreError> {
        open_location(&self.location, config).await
    }

    /// Runs raw SQL against the database, bypassing the store (to corrupt rows on purpose).
    pub async fn execute(&self, sql: &str) {
        match &self.location {
            Location::Sqlite(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
                let mut connection = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .unwrap();
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                    .execute(&mut connection)
                    .await
                    .unwrap();
                connection.close().await.unwrap();
            }
            Location::Postgres { url, schema } => pg_execute(&pg_options(url, schema), sql).await,
        }
    }

    /// Closes the store and drops a Postgres schema (SQLite's temp dir goes on drop).
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Location::Postgres { url, schema } = &self.location {
            pg_execute(
                &url.parse().unwrap(),
                &format!("DROP SCHEMA {schema} CASCADE"),
            )
            .await;
        }
    }
}

/// Runs raw SQL on a fresh Postgres connection.
async fn pg_execute(options: &PgConnectOptions, sql: &str) {
    let mut connection = sqlx::PgConnection::connect_with(options).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

pub async fn open_location(
    location: &Location,
    config: StoreConfig,
) -> Result<Store, msez_persistence::error::StoreError> {
    match location {
        Location::Sqlite(path) => Store::open_sqlite(path, config).await,
        Location::Postgres { url, schema } => {
            Store::open_postgres(pg_options(url, schema), config).await
        }
    }
}

pub fn corridor(name: &str) -> CorridorId {
    CorridorId::new(name).unwrap()
}

/// Roots of the variant-0 chain of every corridor, so a fixture's `prev_root` links to the
/// receipt before it.
static ROOTS: LazyLock<Mutex<HashMap<(String, u64), Digest>>> = LazyLock::new(Default::default);

/// A SPEC §5 receipt (no proof) at `sequence`, linked to the variant-0 receipt before it;
/// `variant` makes a different receipt at the same place.
pub fn receipt(corridor_id: &CorridorId, sequence: u64, variant: u64) -> ReceiptRecord {
    let prev_root = match sequence.checked_sub(1) {
        None => Digest::from_bytes([0; 32]),
        Some(previous) => {
            let cached = ROOTS
                .lock()
                .unwrap()
                .get(&(corridor_id.as_str().to_owned(), previous))
                .copied();
            cached.unwrap_or_else(|| receipt(corridor_id, previous, 0).next_root)
        }
    };
    let record = receipt_after(corridor_id, sequence, variant, prev_root);
    if variant == 0 {
        ROOTS.lock().unwrap().insert(
            (corridor_id.as_str().to_owned(), sequence),
            record.next_root,
        );
    }
    record
}

fn receipt_after(
    corridor_id: &CorridorId,
    sequence: u64,
    variant: u64,
    prev_root: Digest,
) -> ReceiptRecord {
    let receipt = Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: corridor_id.clone(),
        sequence,
        timestamp: Timestamp::from_unix_seconds(1_700_000_000 + variant as i64).unwrap(),
        prev_root,
        next_root: Digest::from_bytes([0; 32]),
        lawpack_digest_set: DigestSet::normalised(std::iter::empty()),
        ruleset_digest_set: DigestSet::normalised(std::iter::empty()),
        transition: None,
    }
    .with_computed_next_root()
    .unwrap();
    ReceiptRecord {
        corridor_id: corridor_id.clone(),
        sequence,
        next_root: receipt.next_root,
        receipt: CanonicalBytes::new(&receipt.to_value().unwrap()).unwrap(),
    }
}

pub fn append(corridor_id: &CorridorId, sequence: u64, epoch: u64) -> AppendRequest {
    AppendRequest {
        receipt: receipt(corridor_id, sequence, 0),
        epoch,
        snapshot: None,
    }
}

/// A toy corridor state: a hash chain over next_roots, so replay order matters.
pub fn fold_state(state: &[u8], next_root: &Digest) -> Vec<u8> {
    let mut input = state.to_vec();
    input.extend_from_slice(next_root.as_bytes());
    Digest::tagged(DomainTag::new("msez.test.fold.v1"), &input)
        .as_bytes()
        .to_vec()
}

pub fn snapshot_after(state: &[u8], record: &ReceiptRecord) -> SnapshotRecord {
    SnapshotRecord {
        receipt_count: record.sequence + 1,
        head_root: record.next_root,
        state: state.to_vec(),
    }
}

/// Leases the shard of every corridor for `owner` and returns the leases.
pub async fn lease_all(store: &Store, corridors: &[CorridorId], owner: &str) -> Vec<Lease> {
    let mut shards: Vec<u32> = corridors.iter().map(|c| store.shard_of(c)).collect();
    shards.sort_unstable();
    shards.dedup();
    let mut leases = Vec::new();
    for shard in shards {
        leases.push(
            store
                .acquire_lease(shard, owner, Duration::from_secs(60))
                .await
                .unwrap(),
        );
    }
    leases
}

/// Leases the shard of one corridor for `node-a` and returns the epoch.
pub async fn lease_one(store: &Store, corridor_id: &CorridorId) -> u64 {
    lease_all(store, std::slice::from_ref(corridor_id), "node-a").await[0].epoch
}

/// Defines `sqlite::<name>` and `postgres::<name>` tests that call `<name>(Kind)`.
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Kind::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Kind::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use backend_tests;
