//! Journal and snapshot behaviour through the public `Store` API: idempotent and conflicting
//! appends, snapshot + tail reload equal to full replay, and corruption detected at load
//! (gap, snapshot digest, non-canonical receipt, snapshot head) with corridor and sequence.

use msez_persistence::error::StoreError;
use msez_persistence::journal::{AppendError, AppendRequest, Appended, RECEIPTS_PAGE_MAX};
use msez_protocol::ids::CorridorId;

use crate::support::{self, Kind, TestDb, backend_tests};

backend_tests!(
    append_answers_same_root_idempotently_and_other_root_as_conflict,
    load_snapshot_and_tail_equals_full_replay,
    load_reports_gap_with_corridor_and_sequence,
    load_reports_snapshot_digest_mismatch,
    load_reports_non_canonical_receipt,
    load_reports_root_that_does_not_recompute,
    append_refuses_gap_across_batches,
    receipts_page_is_bounded_and_pages_in_order,
);

async fn receipts_page_is_bounded_and_pages_in_order(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-pages");
    let epoch = support::lease_one(&db.store, &corridor).await;
    let batch: Vec<_> = (0..5)
        .map(|s| support::append(&corridor, s, epoch))
        .collect();
    db.store.append_batch(&batch).await.unwrap();
    let page = |from, count| {
        let store = db.store.clone();
        let corridor = corridor.clone();
        async move { store.receipts(&corridor, from, count).await }
    };
    let sequences = |page: Vec<msez_persistence::journal::StoredReceipt>| -> Vec<u64> {
        page.into_iter().map(|r| r.sequence).collect()
    };
    assert_eq!(sequences(page(0, 2).await.unwrap()), [0, 1]);
    assert_eq!(sequences(page(2, 2).await.unwrap()), [2, 3]);
    assert_eq!(sequences(page(4, 2).await.unwrap()), [4]);
    assert!(page(5, 2).await.unwrap().is_empty());
    assert_eq!(page(0, RECEIPTS_PAGE_MAX).await.unwrap().len(), 5);
    assert!(matches!(
        page(0, RECEIPTS_PAGE_MAX + 1).await,
        Err(StoreError::PageTooLarge { count_max, page_max })
            if count_max == RECEIPTS_PAGE_MAX + 1 && page_max == RECEIPTS_PAGE_MAX
    ));
    db.cleanup().await;
}

async fn append_answers_same_root_idempotently_and_other_root_as_conflict(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-idem");
    let epoch = support::lease_one(&db.store, &corridor).await;
    let first = support::append(&corridor, 0, epoch);
    assert_eq!(
        db.store
            .append_batch(std::slice::from_ref(&first))
            .await
            .unwrap(),
        vec![Ok(Appended::Inserted)]
    );
    assert_eq!(
        db.store.append_batch(&[first]).await.unwrap(),
        vec![Ok(Appended::AlreadyPresent)]
    );
    let other = AppendRequest {
        receipt: support::receipt(&corridor, 0, 1),
        epoch,
        snapshot: None,
    };
    let outcomes = db.store.append_batch(&[other]).await.unwrap();
    assert!(matches!(
        &outcomes[0],
        Err(AppendError::Conflict { sequence: 0, .. })
    ));
    let loaded = db.store.load(&corridor).await.unwrap();
    assert_eq!(loaded.receipt_count(), 1);
    assert_eq!(
        loaded.tail[0].next_root,
        support::receipt(&corridor, 0, 0).next_root
    );
    db.cleanup().await;
}

/// Appends `count` receipts with a snapshot of the fold state every `interval` receipts.
async fn fill(db: &TestDb, corridor: &CorridorId, count: u64, interval: u64, epoch: u64) {
    let mut state = Vec::new();
    let mut batch = Vec::new();
    for sequence in 0..count {
        let record = support::receipt(corridor, sequence, 0);
        state = support::fold_state(&state, &record.next_root);
        let snapshot =
            ((sequence + 1) % interval == 0).then(|| support::snapshot_after(&state, &record));
        batch.push(AppendRequest {
            receipt: record,
            epoch,
            snapshot,
        });
        if batch.len() == 100 {
            let outcomes = db.store.append_batch(&batch).await.unwrap();
            assert!(outcomes.iter().all(|o| *o == Ok(Appended::Inserted)));
            batch.clear();
        }
    }
    let outcomes = db.store.append_batch(&batch).await.unwrap();
    assert!(
        outcomes.iter().all(|o| *o == Ok(Appended::Inserted)),
        "{outcomes:?}"
    );
}

async fn load_snapshot_and_tail_equals_full_replay(kind: Kind) {
    let mut config = support::config();
    config.snapshot_interval_receipts = 10;
    let Some(db) = TestDb::open(kind, config).await else {
        return;
    };
    let corridor = support::corridor("c-replay");
    let epoch = support::lease_one(&db.store, &corridor).await;
    fill(&db, &corridor, 35, 10, epoch).await;

    let loaded = db.store.load(&corridor).await.unwrap();
    let snapshot = loaded.snapshot.clone().unwrap();
    assert_eq!(snapshot.receipt_count, 30);
    assert_eq!(loaded.tail.len(), 5);
    assert_eq!(loaded.tail[0].sequence, 30);
    let recovered = loaded.tail.iter().fold(snapshot.state.clone(), |state, r| {
        support::fold_state(&state, &r.next_root)
    });

    let all = db.store.receipts(&corridor, 0, 1_000).await.unwrap();
    assert_eq!(all.len(), 35);
    let replayed = all.iter().fold(Vec::new(), |state, r| {
        support::fold_state(&state, &r.next_root)
    });
    assert_eq!(recovered, replayed);
    db.cleanup().await;
}

/// The one place the corruption tests go through: fills `count` receipts of `name` (snapshot
/// every `interval`), runs `corrupt` against the raw database, and returns the load error.
async fn load_error_after(
    kind: Kind,
    name: &str,
    count: u64,
    interval: u64,
    corrupt: &str,
) -> Option<(CorridorId, StoreError)> {
    let mut config = support::config();
    config.snapshot_interval_receipts = interval;
    let db = TestDb::open(kind, config).await?;
    let corridor = support::corridor(name);
    let epoch = support::lease_one(&db.store, &corridor).await;
    fill(&db, &corridor, count, interval, epoch).await;
    db.execute(corrupt).await;
    let error = db.store.load(&corridor).await.unwrap_err();
    assert!(error.to_string().contains(name), "{error}");
    db.cleanup().await;
    Some((corridor, error))
}

async fn load_reports_gap_with_corridor_and_sequence(kind: Kind) {
    let sql = "DELETE FROM receipts WHERE corridor_id = 'c-gap' AND sequence = 2";
    let Some((corridor, error)) = load_error_after(kind, "c-gap", 5, 1_000_000, sql).await else {
        return;
    };
    assert!(
        matches!(&error, StoreError::JournalGap { corridor_id, expected_sequence: 2, found_sequence: 3 } if *corridor_id == corridor),
        "{error:?}"
    );
}

async fn load_reports_snapshot_digest_mismatch(kind: Kind) {
    let sql = "UPDATE snapshots SET digest = head_root WHERE corridor_id = 'c-snap'";
    let Some((corridor, error)) = load_error_after(kind, "c-snap", 6, 4, sql).await else {
        return;
    };
    assert!(
        matches!(&error, StoreError::SnapshotDigestMismatch { corridor_id, receipt_count: 4, .. } if *corridor_id == corridor),
        "{error:?}"
    );
}

async fn load_reports_non_canonical_receipt(kind: Kind) {
    let sql =
        "UPDATE receipts SET receipt = next_root WHERE corridor_id = 'c-bytes' AND sequence = 1";
    let Some((corridor, error)) = load_error_after(kind, "c-bytes", 3, 1_000_000, sql).await else {
        return;
    };
    assert!(
        matches!(&error, StoreError::ReceiptNotCanonical { corridor_id, sequence: 1 } if *corridor_id == corridor),
        "{error:?}"
    );
}

async fn load_reports_root_that_does_not_recompute(kind: Kind) {
    let sql = "UPDATE receipts SET next_root = (SELECT r.next_root FROM receipts r \
               WHERE r.corridor_id = 'c-root' AND r.sequence = 0) \
               WHERE corridor_id = 'c-root' AND sequence = 2";
    let Some((corridor, error)) = load_error_after(kind, "c-root", 3, 1_000_000, sql).await else {
        return;
    };
    assert!(
        matches!(&error, StoreError::ReceiptRootMismatch { corridor_id, sequence: 2, .. } if *corridor_id == corridor),
        "{error:?}"
    );
}

async fn append_refuses_gap_across_batches(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    let corridor = support::corridor("c-gap-write");
    let epoch = support::lease_one(&db.store, &corridor).await;
    fill(&db, &corridor, 2, 1_000_000, epoch).await;
    let outcomes = db
        .store
        .append_batch(&[support::append(&corridor, 3, epoch)])
        .await
        .unwrap();
    assert!(matches!(
        &outcomes[0],
        Err(AppendError::Gap { sequence: 3, .. })
    ));
    assert_eq!(db.store.load(&corridor).await.unwrap().receipt_count(), 2);
    db.cleanup().await;
}
