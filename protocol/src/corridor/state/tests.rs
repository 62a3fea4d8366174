//! Goal: the snapshot codec is lossless and a ledger rebuilt from a snapshot plus the replayed
//! tail is the ledger that was never lost. Method: chains built by the shared fixtures, with
//! obligation receipts mixed in; proptest over chain length, snapshot point and obligations.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::receipt::{ReceiptType, Transition};
use crate::test_support::{at, genesis, key, now, policy, sign};

/// A ledger of `count` receipts; receipt `i` books obligation `o<i>` when `obligations[i]`.
fn ledger_of(count: usize, obligations: &[bool]) -> (CorridorLedger, Vec<SignedReceipt>) {
    let (k1, k2, k3) = (key(1), key(2), key(3));
    let chain = ReceiptChain::from_genesis(&genesis(), policy(2, &[&k1, &k2, &k3])).unwrap();
    let mut ledger = CorridorLedger::new(chain);
    let mut receipts = Vec::new();
    for index in 0..count {
        let books = obligations.get(index).copied().unwrap_or(false);
        let signed = sign(next(&ledger, index, books), &[&k1, &k2]);
        ledger.apply(&signed, now()).unwrap();
        receipts.push(signed);
    }
    (ledger, receipts)
}

fn next(ledger: &CorridorLedger, index: usize, books: bool) -> Receipt {
    let chain = ledger.chain();
    let transition = if books {
        let payload = json!({"obligation_id": format!("o{index}"), "from_party": format!("p{}", index % 3),
            "to_party": format!("p{}", (index + 1) % 3), "amount": 100 + index, "currency": "USD"});
        Transition::new(OBLIGATION_TRANSITION_KIND, payload).unwrap()
    } else {
        Transition::new("note", json!({"index": index})).unwrap()
    };
    Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: chain.corridor_id().clone(),
        sequence: chain.height(),
        timestamp: at(i64::try_from(index).unwrap()),
        prev_root: chain.head(),
        next_root: Digest::from_bytes([0; 32]),
        lawpack_digest_set: chain.lawpack_digest_set().clone(),
        ruleset_digest_set: chain.ruleset_digest_set().clone(),
        transition: Some(transition),
    }
    .with_computed_next_root()
    .unwrap()
}

#[track_caller]
fn check_roundtrip(ledger: &CorridorLedger) {
    let bytes = ledger.encode().unwrap();
    let decoded = CorridorLedger::decode(bytes.as_bytes()).unwrap();
    assert_eq!(&decoded, ledger);
    assert_eq!(decoded.encode().unwrap(), bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn snapshot_decode_inverts_encode(count in 0usize..12, obligations in proptest::collection::vec(any::<bool>(), 12)) {
        let (ledger, _) = ledger_of(count, &obligations);
        check_roundtrip(&ledger);
    }

    #[test]
    fn restore_from_snapshot_plus_tail_equals_original(
        count in 1usize..12,
        cut in 0usize..12,
        obligations in proptest::collection::vec(any::<bool>(), 13),
    ) {
        let cut = cut % (count + 1);
        let (original, receipts) = ledger_of(count, &obligations);
        let (at_cut, _) = ledger_of(cut, &obligations);
        let mut restored = CorridorLedger::decode(at_cut.encode().unwrap().as_bytes()).unwrap();
        for signed in &receipts[cut..] {
            restored.apply(signed, now()).unwrap();
        }
        prop_assert_eq!(&restored, &original);
        // Both answer the next receipt exactly alike.
        let k = [key(1), key(2)];
        let following = sign(next(&original, count, true), &[&k[0], &k[1]]);
        let mut a = original.clone();
        prop_assert_eq!(a.apply(&following, now()), restored.apply(&following, now()));
        prop_assert_eq!(a.netting().plan(NettingMode::Multilateral), restored.netting().plan(NettingMode::Multilateral));
    }
}

#[test]
fn apply_rejects_duplicate_obligation_and_leaves_state_unchanged() {
    let (mut ledger, _) = ledger_of(1, &[true]);
    let before = ledger.clone();
    let mut receipt = next(&ledger, 0, true);
    receipt.sequence = 1;
    receipt.timestamp = at(5);
    let signed = sign(
        receipt.with_computed_next_root().unwrap(),
        &[&key(1), &key(2)],
    );
    let error = ledger.apply(&signed, now()).unwrap_err();
    assert!(
        matches!(error, StepError::DuplicateObligation { sequence: 1, .. }),
        "{error}"
    );
    assert_eq!(ledger, before);
}

#[test]
fn apply_rejects_malformed_obligation_before_the_chain() {
    let (mut ledger, _) = ledger_of(0, &[]);
    let mut receipt = next(&ledger, 0, false);
    receipt.transition =
        Some(Transition::new(OBLIGATION_TRANSITION_KIND, json!({"amount": 1})).unwrap());
    let signed = sign(
        receipt.with_computed_next_root().unwrap(),
        &[&key(1), &key(2)],
    );
    let error = ledger.apply(&signed, now()).unwrap_err();
    assert!(
        matches!(error, StepError::Obligation { sequence: 0, .. }),
        "{error}"
    );
    assert_eq!(ledger.chain().height(), 0);
}

#[test]
fn apply_leaves_book_unchanged_when_chain_refuses() {
    let (mut ledger, _) = ledger_of(0, &[]);
    // Signed by one key only: the 2-of-3 policy refuses it after the obligation checks pass.
    let signed = sign(next(&ledger, 0, true), &[&key(1)]);
    let error = ledger.apply(&signed, now()).unwrap_err();
    assert!(
        matches!(error, StepError::Chain(AppendError::Signatures { .. })),
        "{error}"
    );
    assert!(ledger.netting().is_empty());
}

#[test]
fn decode_rejects_unknown_member_and_inconsistent_parts() {
    let (ledger, _) = ledger_of(3, &[true, false, true]);
    let mut value: Value = canonical::parse(ledger.encode().unwrap().as_bytes()).unwrap();
    value["extra"] = json!(1);
    let bytes = CanonicalBytes::new(&value).unwrap();
    assert!(matches!(
        CorridorLedger::decode(bytes.as_bytes()),
        Err(SnapshotError::Field(_))
    ));
    value.as_object_mut().unwrap().remove("extra");
    value["height"] = json!(2);
    let bytes = CanonicalBytes::new(&value).unwrap();
    assert!(matches!(
        CorridorLedger::decode(bytes.as_bytes()),
        Err(SnapshotError::Peaks(_))
    ));
    value["height"] = json!(3);
    value["type"] = json!("Other");
    let bytes = CanonicalBytes::new(&value).unwrap();
    assert!(matches!(
        CorridorLedger::decode(bytes.as_bytes()),
        Err(SnapshotError::Format { .. })
    ));
}

#[test]
fn decode_rejects_non_canonical_bytes() {
    let (ledger, _) = ledger_of(1, &[]);
    let mut bytes = ledger.encode().unwrap().into_bytes();
    bytes.push(b' ');
    assert!(CorridorLedger::decode(&bytes).is_err());
}

#[test]
fn from_parts_rejects_mmr_size_mismatch() {
    let (ledger, _) = ledger_of(2, &[]);
    let mut parts = ledger.chain().to_parts();
    parts.height = 3;
    assert!(matches!(
        ReceiptChain::from_parts(parts),
        Err(ChainPartsError::MmrSize {
            height: 3,
            mmr_size: 2,
            ..
        })
    ));
    let (empty, _) = ledger_of(0, &[]);
    let mut parts = empty.chain().to_parts();
    parts.head = Digest::from_bytes([7; 32]);
    assert!(matches!(
        ReceiptChain::from_parts(parts),
        Err(ChainPartsError::Genesis { .. })
    ));
}

#[test]
fn encode_prepared_equals_encode_after_commit() {
    let (ledger, _) = ledger_of(2, &[true, true]);
    let signed = sign(next(&ledger, 2, true), &[&key(1), &key(2)]);
    let prepared = ledger.prepare(&signed, now()).unwrap();
    let before_commit = ledger.encode_prepared(&prepared).unwrap();
    let mut committed = ledger.clone();
    committed.commit(prepared);
    assert_eq!(before_commit, committed.encode().unwrap());
    assert_ne!(ledger, committed);
}
