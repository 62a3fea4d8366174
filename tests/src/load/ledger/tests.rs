//! Goal: an export is judged against what the node acknowledged: every acknowledged receipt
//! present, no duplicates, no gaps, the chain verifying. Method: sign receipts with a
//! generated corridor, write the export with `msez_protocol::export::export_chain`, then
//! damage it (truncate, repeat a line, drop a line) and check what is reported.

use std::collections::BTreeMap;

use msez_protocol::digest::Digest;
use msez_protocol::export::{ExportHeader, export_chain};
use msez_protocol::receipt::SignedReceipt;
use msez_protocol::time::Timestamp;

use super::*;
use crate::load::corridor::{LoadCorridor, now};

/// A valid export of `receipt_count` receipts and the acknowledgements of all of them.
fn chain(receipt_count: u64) -> (String, BTreeMap<u64, Digest>) {
    let mut corridor = LoadCorridor::generate("test", 7).unwrap();
    let genesis = corridor.genesis(Digest::from_bytes([9; 32])).unwrap();
    let header = ExportHeader::new(genesis.clone(), corridor.policy().unwrap()).unwrap();
    corridor.start_at(genesis.genesis_root().unwrap());
    let mut receipts = Vec::new();
    let mut acked = BTreeMap::new();
    for _ in 0..receipt_count {
        let prepared = corridor.sign_next(now().unwrap()).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&prepared.body).unwrap();
        receipts.push(SignedReceipt::from_value(&value).unwrap());
        acked.insert(prepared.sequence, prepared.next_root);
        assert!(corridor.advance(&prepared));
    }
    (export_chain(&header, &receipts, None).unwrap(), acked)
}

fn later() -> Timestamp {
    now().unwrap().checked_add_seconds(120).unwrap()
}

/// Rebuilds `text` from its lines, transformed.
fn edit(text: &str, transform: impl FnOnce(&mut Vec<&str>)) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    transform(&mut lines);
    let mut edited = lines.join("\n");
    edited.push('\n');
    edited
}

#[test]
fn check_export_accepts_a_complete_chain() {
    let (text, acked) = chain(5);
    let check = check_export(&text, later(), &acked);
    assert_eq!(
        check,
        ExportCheck {
            chain_verified: true,
            receipt_count: 5,
            ..ExportCheck::default()
        }
    );
}

#[test]
fn check_export_counts_an_acknowledged_receipt_missing_at_the_end_as_lost() {
    let (text, acked) = chain(5);
    let truncated = edit(&text, |lines| {
        lines.pop();
    });
    let check = check_export(&truncated, later(), &acked);
    assert!(check.chain_verified, "{check:?}");
    assert_eq!(
        (check.lost_count, check.gap_count, check.receipt_count),
        (1, 0, 4)
    );
}

#[test]
fn check_export_counts_a_repeated_line_as_duplicate_and_fails_verification() {
    let (text, acked) = chain(4);
    let repeated = edit(&text, |lines| {
        let line = lines[2];
        lines.insert(3, line);
    });
    let check = check_export(&repeated, later(), &acked);
    assert!(!check.chain_verified);
    assert!(check.failure.is_some());
    assert_eq!(
        (check.duplicate_count, check.gap_count, check.lost_count),
        (1, 0, 0)
    );
}

#[test]
fn check_export_counts_a_dropped_middle_line_as_gap_and_loss() {
    let (text, acked) = chain(4);
    let dropped = edit(&text, |lines| {
        lines.remove(2);
    });
    let check = check_export(&dropped, later(), &acked);
    assert!(!check.chain_verified);
    assert_eq!(
        (check.gap_count, check.lost_count, check.duplicate_count),
        (1, 1, 0)
    );
}

#[test]
fn check_export_counts_a_different_root_at_an_acknowledged_height_as_lost() {
    let (text, mut acked) = chain(3);
    acked.insert(1, Digest::from_bytes([1; 32]));
    let check = check_export(&text, later(), &acked);
    assert!(check.chain_verified);
    assert_eq!(check.lost_count, 1);
}

#[test]
fn ledger_counts_conflicting_acknowledgements_but_not_identical_repeats() {
    let mut ledger = AckLedger::new();
    assert!(ledger.record(0, 0, Digest::from_bytes([1; 32])));
    assert!(ledger.record(0, 0, Digest::from_bytes([1; 32])));
    assert!(!ledger.record(0, 0, Digest::from_bytes([2; 32])));
    assert!(ledger.record(1, 0, Digest::from_bytes([2; 32])));
    let mut merged = AckLedger::new();
    merged.merge(&ledger);
    assert_eq!(
        (merged.acknowledged_count(), merged.conflicting_ack_count()),
        (2, 1)
    );
    assert_eq!(merged.corridor(0).len(), 1);
}
