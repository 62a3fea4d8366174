//! The group commit writer: many corridors appending in parallel over several lanes end with
//! contiguous, duplicate-free journals; a fenced item does not fail its batch-mates; a full
//! queue answers `Overloaded` at once; a lane blocked in the database does not hold up another
//! lane; configuration limits hold at the limit and refuse limit + 1; each backend gets its
//! own lane count.

use std::sync::Arc;
use std::time::Duration;

use msez_persistence::group_commit::{
    GROUP_COMMIT_LANES_MAX, GROUP_COMMIT_LANES_POSTGRES, GROUP_COMMIT_LANES_SQLITE,
    GROUP_COMMIT_QUEUE_ITEMS_MAX, GROUP_COMMIT_WINDOW_MAX, GroupCommitConfig, GroupCommitError,
    GroupCommitWriter,
};
use msez_persistence::journal::{APPEND_BATCH_ITEMS_MAX, AppendError, Appended};

use sqlx::Connection;

use crate::support::{self, Kind, Location, TestDb, backend_tests};

backend_tests!(
    group_commit_keeps_parallel_corridors_contiguous,
    group_commit_refuses_fenced_item_alone,
    group_commit_lanes_follow_the_backend,
);

/// SQLite's one writer connection gets one lane (more only take turns on it); Postgres gets
/// its own count.
async fn group_commit_lanes_follow_the_backend(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let expected = match kind {
        Kind::Sqlite => GROUP_COMMIT_LANES_SQLITE,
        Kind::Postgres => GROUP_COMMIT_LANES_POSTGRES,
    };
    assert_eq!(GroupCommitConfig::for_store(&db.store).lanes, expected);
    db.cleanup().await;
}

async fn group_commit_keeps_parallel_corridors_contiguous(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridors: Vec<_> = (0..50)
        .map(|i| support::corridor(&format!("c-par-{i}")))
        .collect();
    let leases = support::lease_all(&db.store, &corridors, "node-a").await;
    assert!(leases.iter().all(|lease| lease.epoch == 1));
    let mut config = GroupCommitConfig::for_store(&db.store);
    config.lanes = 4;
    let writer = Arc::new(GroupCommitWriter::start(db.store.clone(), config).unwrap());
    let lanes_used: std::collections::HashSet<usize> =
        corridors.iter().map(|c| writer.lane_of(c)).collect();
    assert_eq!(
        lanes_used.len(),
        4,
        "50 corridors should spread over all 4 lanes"
    );
    let mut tasks = Vec::new();
    for corridor in corridors.clone() {
        let writer = Arc::clone(&writer);
        tasks.push(tokio::spawn(async move {
            for sequence in 0..40 {
                let outcome = writer.append(support::append(&corridor, sequence, 1)).await;
                assert_eq!(outcome.unwrap(), Appended::Inserted);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for corridor in &corridors {
        let loaded = db.store.load(corridor).await.unwrap();
        let sequences: Vec<u64> = loaded.tail.iter().map(|r| r.sequence).collect();
        assert_eq!(sequences, (0..40).collect::<Vec<_>>(), "{corridor}");
    }
    Arc::try_unwrap(writer).unwrap().shutdown().await;
    db.cleanup().await;
}

async fn group_commit_refuses_fenced_item_alone(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let good = support::corridor("c-good");
    let epoch = support::lease_one(&db.store, &good).await;
    let mut config = GroupCommitConfig::for_store(&db.store);
    config.batch_items_max = 2;
    config.window = GROUP_COMMIT_WINDOW_MAX;
    let writer = GroupCommitWriter::start(db.store.clone(), config).unwrap();
    // The two appends share one batch: the batch is full at two items.
    let (fenced, committed) = tokio::join!(
        writer.append(support::append(&good, 0, epoch + 5)),
        writer.append(support::append(&good, 0, epoch)),
    );
    assert!(
        matches!(
            fenced,
            Err(GroupCommitError::Refused(AppendError::Fenced { .. }))
        ),
        "{fenced:?}"
    );
    assert_eq!(committed.unwrap(), Appended::Inserted);
    assert_eq!(db.store.load(&good).await.unwrap().receipt_count(), 1);
    writer.shutdown().await;
    db.cleanup().await;
}

#[tokio::test]
async fn group_commit_answers_overloaded_when_queue_is_full() {
    let db = TestDb::open(Kind::Sqlite, support::config()).await.unwrap();
    let corridor = support::corridor("c-overload");
    let epoch = support::lease_one(&db.store, &corridor).await;
    let mut config = GroupCommitConfig::for_store(&db.store);
    config.queue_items_max = 1;
    config.lanes = 1;
    let writer = GroupCommitWriter::start(db.store.clone(), config).unwrap();
    // On this single-threaded runtime both sends happen before the writer task runs, so the
    // second finds the one-slot queue full.
    let (first, second) = tokio::join!(
        writer.append(support::append(&corridor, 0, epoch)),
        writer.append(support::append(&corridor, 1, epoch)),
    );
    assert_eq!(first.unwrap(), Appended::Inserted);
    assert!(matches!(
        second,
        Err(GroupCommitError::Overloaded {
            lane_queue_items_max: 1
        })
    ));
    writer.shutdown().await;
    db.cleanup().await;
}

#[tokio::test]
async fn group_commit_config_accepts_limits_and_refuses_limit_plus_one() {
    let db = TestDb::open(Kind::Sqlite, support::config()).await.unwrap();
    let base = GroupCommitConfig::for_store(&db.store);
    let start = |config: GroupCommitConfig| GroupCommitWriter::start(db.store.clone(), config);

    let mut config = base.clone();
    config.batch_items_max = APPEND_BATCH_ITEMS_MAX;
    start(config.clone()).unwrap().shutdown().await;
    config.batch_items_max += 1;
    assert!(matches!(
        start(config),
        Err(GroupCommitError::BatchItemsOutOfRange { .. })
    ));

    let mut config = base.clone();
    config.queue_items_max = GROUP_COMMIT_QUEUE_ITEMS_MAX;
    start(config.clone()).unwrap().shutdown().await;
    config.queue_items_max += 1;
    assert!(matches!(
        start(config),
        Err(GroupCommitError::QueueItemsOutOfRange { .. })
    ));

    let mut config = base.clone();
    config.lanes = GROUP_COMMIT_LANES_MAX;
    start(config.clone()).unwrap().shutdown().await;
    for lanes in [0, GROUP_COMMIT_LANES_MAX + 1] {
        config.lanes = lanes;
        assert!(matches!(
            start(config.clone()),
            Err(GroupCommitError::LanesOutOfRange { .. })
        ));
    }
    // Every lane must be able to queue at least one append.
    config.lanes = 3;
    config.queue_items_max = 2;
    assert!(matches!(
        start(config),
        Err(GroupCommitError::LanesOutOfRange {
            lanes: 3,
            queue_items_max: 2
        })
    ));

    let mut config = base;
    config.window = GROUP_COMMIT_WINDOW_MAX;
    start(config.clone()).unwrap().shutdown().await;
    config.window += Duration::from_micros(1);
    assert!(matches!(
        start(config),
        Err(GroupCommitError::WindowTooLong { .. })
    ));
    db.cleanup().await;
}

#[tokio::test]
async fn append_batch_accepts_limit_and_refuses_limit_plus_one() {
    let db = TestDb::open(Kind::Sqlite, support::config()).await.unwrap();
    let corridors: Vec<_> = (0..APPEND_BATCH_ITEMS_MAX + 1)
        .map(|i| support::corridor(&format!("c-lim-{i}")))
        .collect();
    let too_many: Vec<_> = corridors.iter().map(|c| support::append(c, 0, 1)).collect();
    assert!(matches!(
        db.store.append_batch(&too_many).await,
        Err(msez_persistence::error::StoreError::BatchTooLarge { item_count }) if item_count == APPEND_BATCH_ITEMS_MAX + 1
    ));
    support::lease_all(&db.store, &corridors, "node-a").await;
    let outcomes = db
        .store
        .append_batch(&too_many[..APPEND_BATCH_ITEMS_MAX])
        .await
        .unwrap();
    assert!(outcomes.iter().all(|o| *o == Ok(Appended::Inserted)));
    db.cleanup().await;
}

/// Lanes commit independently: while one lane's transaction waits on a lease row another
/// session holds, a corridor on the other lane still commits. With a single writer the second
/// append would wait behind (or inside) the blocked batch. Postgres only: SQLite has one writer
/// connection, so its lanes share one commit at a time by design.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lane_commits_while_another_lane_is_blocked() {
    let Some(db) = TestDb::open(Kind::Postgres, support::config()).await else {
        return;
    };
    let Location::Postgres { url, schema } = &db.location else {
        unreachable!("opened as Postgres");
    };
    let mut config = GroupCommitConfig::for_store(&db.store);
    config.lanes = 2;
    let writer = Arc::new(GroupCommitWriter::start(db.store.clone(), config).unwrap());
    let candidates: Vec<_> = (0..64)
        .map(|i| support::corridor(&format!("c-lane-{i}")))
        .collect();
    let blocked = candidates
        .iter()
        .find(|c| writer.lane_of(c) == 0)
        .unwrap()
        .clone();
    let free = candidates
        .iter()
        .find(|c| writer.lane_of(c) == 1)
        .unwrap()
        .clone();
    let blocked_epoch = support::lease_one(&db.store, &blocked).await;
    let free_epoch = support::lease_one(&db.store, &free).await;

    // Another session locks the blocked corridor's lease row, so lane 0's transaction waits.
    let mut holder = sqlx::PgConnection::connect_with(&support::pg_options(url, schema))
        .await
        .unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut holder).await.unwrap();
    let shard = i64::from(db.store.shard_of(&blocked));
    sqlx::query("SELECT epoch FROM leases WHERE shard = $1 FOR UPDATE")
        .bind(shard)
        .execute(&mut holder)
        .await
        .unwrap();
    let waiting = tokio::spawn({
        let writer = Arc::clone(&writer);
        let request = support::append(&blocked, 0, blocked_epoch);
        async move { writer.append(request).await }
    });
    // Give lane 0 time to start its transaction and block on the row.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let free_outcome = tokio::time::timeout(
        Duration::from_secs(10),
        writer.append(support::append(&free, 0, free_epoch)),
    )
    .await
    .expect("lane 1 must commit while lane 0 is blocked");
    assert_eq!(free_outcome.unwrap(), Appended::Inserted);
    assert!(!waiting.is_finished(), "lane 0 should still be blocked");

    sqlx::raw_sql("ROLLBACK")
        .execute(&mut holder)
        .await
        .unwrap();
    assert_eq!(waiting.await.unwrap().unwrap(), Appended::Inserted);
    holder.close().await.unwrap();
    Arc::try_unwrap(writer).unwrap().shutdown().await;
    db.cleanup().await;
}
