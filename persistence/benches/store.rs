//! Store benchmarks (a bench binary, not a timed test). Run:
//! `MSEZ_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p msez-persistence --bench store`
//!
//! Measures, on the same machine and in the same run:
//! 1. Postgres raw batched INSERT baseline: the journal's row shape, 1,024 rows per transaction
//!    (four 256-row statements) from one connection, rows built before the clock starts, no
//!    lease or journal checks. Compare it with the pre-built group commit phase.
//! 2. Group commit durable appends/s from 1,000 concurrent corridors, Postgres and SQLite.
//! 3. Reload of one 100,000-receipt corridor from its latest snapshot (median of 50 loads).
//!
//! `MSEZ_BENCH_SECONDS` sets each throughput phase's duration (default 10 under `cargo bench`,
//! 1 when `cargo test --all-targets` runs this binary as a smoke test);
//! `MSEZ_BENCH_WINDOW_US` overrides the group commit window (default
//! `GROUP_COMMIT_WINDOW_DEFAULT`) and `MSEZ_BENCH_LANES` the writer lanes (default
//! `GROUP_COMMIT_LANES_POSTGRES` or `GROUP_COMMIT_LANES_SQLITE`).

// A bench binary is test code: any failure aborts the run loudly rather than skewing a number.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use msez_persistence::group_commit::{GroupCommitConfig, GroupCommitWriter};
use msez_persistence::journal::{AppendRequest, Appended, ReceiptRecord, SnapshotRecord};
use msez_persistence::store::{Store, StoreConfig};
use msez_protocol::canonical::CanonicalBytes;
use msez_protocol::digest::{Digest, DomainTag};
use msez_protocol::ids::CorridorId;
use msez_protocol::receipt::{DigestSet, Receipt, ReceiptType};
use msez_protocol::time::Timestamp;
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;

const CORRIDOR_COUNT: usize = 1_000;
const RELOAD_RECEIPT_COUNT: u64 = 100_000;
const BASELINE_ROWS_PER_TRANSACTION: usize = 1_024;
const BASELINE_ROWS_PER_STATEMENT: usize = 256;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run());
}

async fn run() {
    // `cargo test --all-targets` runs bench binaries without `--bench`: there a one-second
    // phase checks that the bench still works without spending CI minutes on debug-build
    // numbers nobody reads.
    let benchmarking = std::env::args().any(|argument| argument == "--bench");
    let seconds: u64 = std::env::var("MSEZ_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if benchmarking { 10 } else { 1 });
    let phase = Duration::from_secs(seconds);
    match std::env::var("MSEZ_TEST_DATABASE_URL") {
        Ok(url) => {
            let baseline = postgres_baseline(&url, phase).await;
            println!("postgres raw batched INSERT baseline: {baseline:.0} rows/s");
            let (store, schema) = postgres_store(&url, "bench_gc").await;
            let rate = group_commit(&store, phase).await;
            println!(
                "postgres group commit, {CORRIDOR_COUNT} corridors: {rate:.0} appends/s ({:.2} of baseline)",
                rate / baseline
            );
            let prebuilt = group_commit_prebuilt(&store).await;
            println!(
                "postgres group commit, {CORRIDOR_COUNT} corridors, receipts pre-built: {prebuilt:.0} appends/s ({:.2} of baseline)",
                prebuilt / baseline
            );
            reload(&store, "postgres").await;
            store.close().await;
            drop_schema(&url, &schema).await;
        }
        Err(_) => println!("WARNING: MSEZ_TEST_DATABASE_URL is unset; Postgres phases NOT run"),
    }
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(&dir.path().join("bench.db"), config())
        .await
        .unwrap();
    let rate = group_commit(&store, phase).await;
    println!("sqlite group commit, {CORRIDOR_COUNT} corridors: {rate:.0} appends/s");
    let prebuilt = group_commit_prebuilt(&store).await;
    println!(
        "sqlite group commit, {CORRIDOR_COUNT} corridors, receipts pre-built: {prebuilt:.0} appends/s"
    );
    reload(&store, "sqlite").await;
    store.close().await;
}

fn config() -> StoreConfig {
    StoreConfig::with_defaults()
}

fn corridor(index: usize) -> CorridorId {
    CorridorId::new(format!("corridor-bench-{index:05}")).unwrap()
}

/// A SPEC §5 receipt of realistic size (about 700 bytes) with one proof member.
fn receipt(corridor_id: &CorridorId, sequence: u64, prev_root: &Digest) -> ReceiptRecord {
    let tag = DomainTag::new("msez.bench.v1");
    let receipt = Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: corridor_id.clone(),
        sequence,
        timestamp: Timestamp::from_unix_seconds(1_700_000_000).unwrap(),
        prev_root: *prev_root,
        next_root: Digest::from_bytes([0; 32]),
        lawpack_digest_set: DigestSet::normalised([Digest::tagged(tag, b"lawpack")]),
        ruleset_digest_set: DigestSet::normalised([Digest::tagged(tag, b"ruleset")]),
        transition: None,
    }
    .with_computed_next_root()
    .unwrap();
    let mut value = receipt.to_value().unwrap();
    if let Some(members) = value.as_object_mut() {
        members.insert(
            "proof".to_owned(),
            serde_json::json!({
                "type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                "created": "2026-11-25T00:00:00Z",
                "verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
                "proofPurpose": "assertionMethod",
                "proofValue": "z".repeat(88),
            }),
        );
    }
    ReceiptRecord {
        corridor_id: corridor_id.clone(),
        sequence,
        next_root: receipt.next_root,
        receipt: CanonicalBytes::new(&value).unwrap(),
    }
}

/// The request for `sequence`, with a 1 KiB snapshot when the interval asks for one.
fn request(
    store: &Store,
    corridor_id: &CorridorId,
    sequence: u64,
    prev_root: &Digest,
    epoch: u64,
) -> AppendRequest {
    let record = receipt(corridor_id, sequence, prev_root);
    let due = (sequence + 1).is_multiple_of(store.config().snapshot_interval_receipts);
    let snapshot = due.then(|| SnapshotRecord {
        receipt_count: sequence + 1,
        head_root: record.next_root,
        state: vec![7; 1_024],
    });
    AppendRequest {
        receipt: record,
        epoch,
        snapshot,
    }
}

/// The writer's configuration: the defaults, with the window and lanes the environment names.
fn writer_config(store: &Store) -> GroupCommitConfig {
    let mut config = GroupCommitConfig::for_store(store);
    let number = |name: &str| std::env::var(name).ok().and_then(|s| s.parse().ok());
    if let Some(window_us) = number("MSEZ_BENCH_WINDOW_US") {
        config.window = Duration::from_micros(window_us);
    }
    if let Some(lanes) = number("MSEZ_BENCH_LANES") {
        config.lanes = usize::try_from(lanes).unwrap();
    }
    config
}

async fn lease_every_shard(store: &Store) -> u64 {
    let mut epoch = 0;
    for shard in 0..store.config().shard_count {
        epoch = store
            .acquire_lease(shard, "bench", Duration::from_secs(300))
            .await
            .unwrap()
            .epoch;
    }
    epoch
}

async fn group_commit(store: &Store, phase: Duration) -> f64 {
    let epoch = lease_every_shard(store).await;
    let config = writer_config(store);
    println!("group commit writer lanes: {}", config.lanes);
    let writer = Arc::new(GroupCommitWriter::start(store.clone(), config).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for index in 0..CORRIDOR_COUNT {
        let (writer, stop, acked, store) =
            (writer.clone(), stop.clone(), acked.clone(), store.clone());
        tasks.push(tokio::spawn(async move {
            let corridor_id = corridor(index);
            let mut prev_root = Digest::from_bytes([0; 32]);
            let mut sequence = 0;
            while !stop.load(Ordering::Relaxed) {
                let request = request(&store, &corridor_id, sequence, &prev_root, epoch);
                prev_root = request.receipt.next_root;
                match writer.append(request).await {
                    Ok(Appended::Inserted) => {
                        acked.fetch_add(1, Ordering::Relaxed);
                        sequence += 1;
                    }
                    other => panic!("append failed: {other:?}"),
                }
            }
        }));
    }
    // Warm up, then measure a window of steady state.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let start_count = acked.load(Ordering::Relaxed);
    let start = Instant::now();
    tokio::time::sleep(phase).await;
    let count = acked.load(Ordering::Relaxed) - start_count;
    let elapsed = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    count as f64 / elapsed.as_secs_f64()
}

/// Durable appends/s when every corridor's receipts are built before the clock starts, so the
/// figure measures the store and writer rather than receipt canonicalisation. Appends
/// `PREBUILT_PER_CORRIDOR` receipts to each of 1,000 fresh corridors.
async fn group_commit_prebuilt(store: &Store) -> f64 {
    const PREBUILT_PER_CORRIDOR: u64 = 100;
    let epoch = lease_every_shard(store).await;
    let writer = Arc::new(GroupCommitWriter::start(store.clone(), writer_config(store)).unwrap());
    let mut prepared = Vec::with_capacity(CORRIDOR_COUNT);
    for index in 0..CORRIDOR_COUNT {
        let corridor_id = CorridorId::new(format!("corridor-prebuilt-{index:05}")).unwrap();
        let mut prev_root = Digest::from_bytes([0; 32]);
        let mut requests = Vec::new();
        for sequence in 0..PREBUILT_PER_CORRIDOR {
            let request = request(store, &corridor_id, sequence, &prev_root, epoch);
            prev_root = request.receipt.next_root;
            requests.push(request);
        }
        prepared.push(requests);
    }
    let start = Instant::now();
    let mut tasks = Vec::new();
    for requests in prepared {
        let writer = writer.clone();
        tasks.push(tokio::spawn(async move {
            for request in requests {
                let outcome = writer.append(request).await;
                assert!(matches!(outcome, Ok(Appended::Inserted)), "{outcome:?}");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    (CORRIDOR_COUNT as u64 * PREBUILT_PER_CORRIDOR) as f64 / start.elapsed().as_secs_f64()
}

async fn reload(store: &Store, label: &str) {
    let epoch = lease_every_shard(store).await;
    let corridor_id = CorridorId::new("corridor-reload").unwrap();
    let mut prev_root = Digest::from_bytes([0; 32]);
    let mut batch = Vec::new();
    for sequence in 0..RELOAD_RECEIPT_COUNT {
        let request = request(store, &corridor_id, sequence, &prev_root, epoch);
        prev_root = request.receipt.next_root;
        batch.push(request);
        if batch.len() == 4_096 || sequence + 1 == RELOAD_RECEIPT_COUNT {
            let outcomes = store.append_batch(&batch).await.unwrap();
            assert!(outcomes.iter().all(|o| *o == Ok(Appended::Inserted)));
            batch.clear();
        }
    }
    let mut times = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        let loaded = store.load(&corridor_id).await.unwrap();
        times.push(start.elapsed());
        assert_eq!(loaded.receipt_count(), RELOAD_RECEIPT_COUNT);
    }
    times.sort();
    let loaded = store.load(&corridor_id).await.unwrap();
    println!(
        "{label} reload of a {RELOAD_RECEIPT_COUNT}-receipt corridor (tail {}): median {:.2} ms, max {:.2} ms",
        loaded.tail.len(),
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3
    );
}

async fn postgres_store(url: &str, prefix: &str) -> (Store, String) {
    let schema = format!("{prefix}_{}", std::process::id());
    pg_execute(
        url,
        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"),
    )
    .await;
    let options = url
        .parse::<PgConnectOptions>()
        .unwrap()
        .options([("search_path", schema.as_str())]);
    (
        Store::open_postgres(options, config()).await.unwrap(),
        schema,
    )
}

async fn drop_schema(url: &str, schema: &str) {
    pg_execute(url, &format!("DROP SCHEMA {schema} CASCADE")).await;
}

/// Runs raw SQL on a fresh connection to `url`.
async fn pg_execute(url: &str, sql: &str) {
    let options = url.parse::<PgConnectOptions>().unwrap();
    let mut connection = sqlx::PgConnection::connect_with(&options).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

/// Rows/s of plain multi-row INSERTs into the receipts table, one transaction per 1,024 rows,
/// rows built before the clock starts.
async fn postgres_baseline(url: &str, phase: Duration) -> f64 {
    let (store, schema) = postgres_store(url, "bench_raw").await;
    store.close().await;
    let options = url
        .parse::<PgConnectOptions>()
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let mut connection = sqlx::PgConnection::connect_with(&options).await.unwrap();
    let placeholders = |rows: usize| {
        (0..rows)
            .map(|r| {
                format!(
                    "(${}, ${}, ${}, ${}, ${})",
                    5 * r + 1,
                    5 * r + 2,
                    5 * r + 3,
                    5 * r + 4,
                    5 * r + 5
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sql = format!(
        "INSERT INTO receipts (corridor_id, sequence, next_root, epoch, receipt) VALUES {}",
        placeholders(BASELINE_ROWS_PER_STATEMENT)
    );
    // The rows are built before the clock starts (the same receipt bytes are reused under a new
    // sequence each transaction), so the baseline measures Postgres, not receipt building.
    let zero = Digest::from_bytes([0; 32]);
    let records: Vec<_> = (0..BASELINE_ROWS_PER_STATEMENT)
        .map(|i| receipt(&corridor(i), 0, &zero))
        .collect();
    let mut sequence = 0i64;
    let mut rows = 0u64;
    let start = Instant::now();
    while start.elapsed() < phase {
        let mut transaction = connection.begin().await.unwrap();
        for _ in 0..BASELINE_ROWS_PER_TRANSACTION / BASELINE_ROWS_PER_STATEMENT {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for record in &records {
                query = query
                    .bind(record.corridor_id.as_str())
                    .bind(sequence)
                    .bind(record.next_root.as_bytes().as_slice())
                    .bind(1i64)
                    .bind(record.receipt.as_bytes());
            }
            query.execute(&mut *transaction).await.unwrap();
            sequence += 1;
            rows += BASELINE_ROWS_PER_STATEMENT as u64;
        }
        transaction.commit().await.unwrap();
    }
    let rate = rows as f64 / start.elapsed().as_secs_f64();
    connection.close().await.unwrap();
    drop_schema(url, &schema).await;
    rate
}
