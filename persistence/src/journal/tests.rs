//! Unit tests of the batch planner: each case builds a database view and a batch and checks the
//! answer per item, without a database.

use super::*;

const SHARDS: u32 = 4;

fn corridor(name: &str) -> CorridorId {
    CorridorId::new(name).unwrap()
}

fn request(name: &str, sequence: u64, variant: u8, epoch: u64) -> AppendRequest {
    let receipt = CanonicalBytes::new(&serde_json::json!({
        "corridor_id": name, "sequence": sequence, "variant": variant
    }))
    .unwrap();
    AppendRequest {
        receipt: ReceiptRecord {
            corridor_id: corridor(name),
            sequence,
            next_root: receipt.digest(),
            receipt,
        },
        epoch,
        snapshot: None,
    }
}

fn leased_view(names: &[&str], epoch: u64) -> BatchView {
    let mut view = BatchView::default();
    for name in names {
        let shard = crate::lease::shard_of(&corridor(name), SHARDS);
        view.insert_lease(i64::from(shard), epoch as i64).unwrap();
    }
    view
}

fn limits(snapshot_interval_receipts: u64) -> PlanLimits {
    PlanLimits {
        shard_count: SHARDS,
        snapshot_interval_receipts,
    }
}

#[test]
fn plan_batch_accepts_contiguous_run_within_one_batch() {
    let view = leased_view(&["a"], 1);
    let batch = [
        request("a", 0, 0, 1),
        request("a", 1, 0, 1),
        request("a", 2, 0, 1),
    ];
    let outcomes = plan_batch(&batch, &limits(100), &view);
    assert_eq!(outcomes, vec![Ok(Appended::Inserted); 3]);
}

#[test]
fn plan_batch_refuses_fenced_item_but_keeps_batch_mates() {
    let view = leased_view(&["a", "b"], 2);
    let batch = [request("a", 0, 0, 1), request("b", 0, 0, 2)];
    let outcomes = plan_batch(&batch, &limits(100), &view);
    assert!(matches!(
        &outcomes[0],
        Err(AppendError::Fenced {
            writer_epoch: 1,
            current_epoch: Some(2),
            ..
        })
    ));
    assert_eq!(outcomes[1], Ok(Appended::Inserted));
}

#[test]
fn plan_batch_answers_same_root_idempotently_and_other_root_as_conflict() {
    let mut view = leased_view(&["a"], 1);
    let stored = request("a", 0, 0, 1);
    view.insert_receipt("a".into(), 0, stored.receipt.next_root.as_bytes())
        .unwrap();
    let batch = [request("a", 0, 0, 1), request("a", 0, 9, 1)];
    let outcomes = plan_batch(&batch, &limits(100), &view);
    assert_eq!(outcomes[0], Ok(Appended::AlreadyPresent));
    assert!(matches!(
        &outcomes[1],
        Err(AppendError::Conflict { sequence: 0, .. })
    ));
}

#[test]
fn plan_batch_refuses_gap_and_successor_of_refused_item() {
    let view = leased_view(&["a"], 1);
    let batch = [request("a", 0, 0, 1), request("a", 2, 0, 1)];
    let outcomes = plan_batch(&batch, &limits(100), &view);
    assert!(matches!(
        &outcomes[1],
        Err(AppendError::Gap { sequence: 2, .. })
    ));

    let mut oversized = request("a", 0, 0, 1);
    oversized.epoch = 7;
    let batch = [oversized, request("a", 1, 0, 1)];
    let outcomes = plan_batch(&batch, &limits(100), &view);
    assert!(matches!(&outcomes[0], Err(AppendError::Fenced { .. })));
    assert!(matches!(
        &outcomes[1],
        Err(AppendError::PredecessorRefused { sequence: 1, .. })
    ));
}

#[test]
fn plan_batch_requires_snapshot_at_interval_and_checks_it() {
    let view = leased_view(&["a"], 1);
    let batch = [request("a", 0, 0, 1), request("a", 1, 0, 1)];
    let outcomes = plan_batch(&batch, &limits(2), &view);
    assert!(matches!(
        &outcomes[1],
        Err(AppendError::SnapshotMissing {
            interval_receipts: 2,
            ..
        })
    ));

    let mut with_snapshot = request("a", 1, 0, 1);
    with_snapshot.snapshot = Some(SnapshotRecord {
        receipt_count: 2,
        head_root: with_snapshot.receipt.next_root,
        state: vec![1, 2, 3],
    });
    let mut wrong_snapshot = with_snapshot.clone();
    if let Some(snapshot) = wrong_snapshot.snapshot.as_mut() {
        snapshot.receipt_count = 1;
    }
    let outcomes = plan_batch(&[request("a", 0, 0, 1), with_snapshot], &limits(2), &view);
    assert_eq!(outcomes[1], Ok(Appended::Inserted));
    let outcomes = plan_batch(&[request("a", 0, 0, 1), wrong_snapshot], &limits(2), &view);
    assert!(matches!(
        &outcomes[1],
        Err(AppendError::SnapshotMismatch {
            receipt_count: 1,
            ..
        })
    ));
}

#[test]
fn plan_batch_accepts_receipt_at_size_limit_and_refuses_limit_plus_one() {
    let view = leased_view(&["a"], 1);
    for (length_bytes, accepted) in [(RECEIPT_BYTES_MAX, true), (RECEIPT_BYTES_MAX + 1, false)] {
        // A JSON string of the right length: two quotes plus the payload.
        let text = format!("\"{}\"", "x".repeat(length_bytes - 2));
        let receipt = CanonicalBytes::parse(text.as_bytes()).unwrap();
        assert_eq!(receipt.as_bytes().len(), length_bytes);
        let mut item = request("a", 0, 0, 1);
        item.receipt.next_root = receipt.digest();
        item.receipt.receipt = receipt;
        let outcomes = plan_batch(&[item], &limits(100), &view);
        assert_eq!(outcomes[0].is_ok(), accepted, "length {length_bytes}");
        if !accepted {
            assert!(matches!(
                &outcomes[0],
                Err(AppendError::ReceiptTooLarge { .. })
            ));
        }
    }
}

#[test]
fn plan_batch_accepts_snapshot_at_size_limit_and_refuses_limit_plus_one() {
    let view = leased_view(&["a"], 1);
    for (length_bytes, accepted) in [(SNAPSHOT_BYTES_MAX, true), (SNAPSHOT_BYTES_MAX + 1, false)] {
        let mut item = request("a", 0, 0, 1);
        item.snapshot = Some(SnapshotRecord {
            receipt_count: 1,
            head_root: item.receipt.next_root,
            state: vec![0; length_bytes],
        });
        let outcomes = plan_batch(&[item], &limits(100), &view);
        assert_eq!(outcomes[0].is_ok(), accepted, "length {length_bytes}");
    }
}

#[test]
fn sqlite_chunks_cover_every_item_in_order_with_ladder_sizes() {
    for count in [0usize, 1, 3, 4, 255, 256, 257, 1_000, 8_192] {
        let items: Vec<usize> = (0..count).collect();
        let chunks = sqlite::chunks(&items);
        let sizes: Vec<usize> = chunks.iter().map(|chunk| chunk.len()).collect();
        assert!(
            sizes.iter().all(|size| [256, 64, 16, 4, 1].contains(size)),
            "{sizes:?}"
        );
        assert!(sizes.windows(2).all(|pair| pair[0] >= pair[1]), "{sizes:?}");
        let joined: Vec<usize> = chunks.concat();
        assert_eq!(joined, items);
    }
    let thousand: Vec<u8> = vec![0; 1_000];
    let sizes: Vec<usize> = sqlite::chunks(&thousand).iter().map(|c| c.len()).collect();
    assert_eq!(sizes, [256, 256, 256, 64, 64, 64, 16, 16, 4, 4]);
}

#[test]
fn sqlite_placeholders_are_anonymous_rows_of_columns() {
    assert_eq!(sqlite::placeholders(1, 1), "(?)");
    assert_eq!(sqlite::placeholders(2, 3), "(?, ?, ?), (?, ?, ?)");
    assert_eq!(sqlite::placeholders(0, 2), "");
}
