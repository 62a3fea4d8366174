//! What the node acknowledged, and the offline check of an exported chain against it.
//!
//! Owns [`AckLedger`] (every `(corridor, sequence, next_root)` a 2xx reply confirmed),
//! [`check_export`] and [`ExportCheck`].
//!
//! An acknowledged receipt counts as **lost** unless the export holds, at its sequence, a
//! receipt with the same `next_root`. **Duplicates** and **gaps** are counted by a scan of the
//! raw lines that does not trust the chain verifier, so a broken export still reports what is
//! wrong with it; the chain itself is then re-verified from genesis with
//! `msez_protocol::export::import_chain` (every SPEC §5 rule, every signature).
//!
//! Never: does I/O, or counts a receipt as present because the server said so rather than
//! because the exported bytes hold it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use msez_protocol::digest::Digest;
use msez_protocol::export::import_chain;
use msez_protocol::receipt::RECEIPT_TYPE;
use msez_protocol::time::Timestamp;

/// Acknowledged receipts per corridor index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AckLedger {
    acks: BTreeMap<usize, BTreeMap<u64, Digest>>,
    acknowledged_count: u64,
    conflicting_ack_count: u64,
}

/// The outcome of checking one corridor's export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportCheck {
    /// The export re-verified from genesis.
    pub chain_verified: bool,
    /// Receipt lines in the export.
    pub receipt_count: u64,
    /// Acknowledged receipts missing from the export (or present with another `next_root`).
    pub lost_count: u64,
    /// Receipt lines repeating a sequence number already seen.
    pub duplicate_count: u64,
    /// Sequence numbers missing below the highest one exported.
    pub gap_count: u64,
    /// Why the chain did not verify.
    pub failure: Option<String>,
}

impl AckLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the node acknowledged `next_root` at `sequence` on corridor
    /// `corridor_index`. Returns false if a different root was already acknowledged there
    /// (the node confirmed two receipts at one height: a fork, counted as a conflict). An
    /// identical repeat (an idempotent retry) is not counted twice.
    pub fn record(&mut self, corridor_index: usize, sequence: u64, next_root: Digest) -> bool {
        let corridor = self.acks.entry(corridor_index).or_default();
        match corridor.get(&sequence) {
            Some(existing) if *existing == next_root => true,
            Some(_) => {
                self.conflicting_ack_count += 1;
                false
            }
            None => {
                corridor.insert(sequence, next_root);
                self.acknowledged_count += 1;
                true
            }
        }
    }

    /// Adds every acknowledgement of `other`.
    pub fn merge(&mut self, other: &Self) {
        for (corridor_index, acks) in &other.acks {
            for (sequence, next_root) in acks {
                self.record(*corridor_index, *sequence, *next_root);
            }
        }
        self.conflicting_ack_count += other.conflicting_ack_count;
    }

    /// Distinct acknowledged receipts.
    pub fn acknowledged_count(&self) -> u64 {
        self.acknowledged_count
    }

    /// Heights at which two different roots were acknowledged.
    pub fn conflicting_ack_count(&self) -> u64 {
        self.conflicting_ack_count
    }

    /// The root acknowledged at `sequence` on corridor `corridor_index`, if any.
    pub fn get(&self, corridor_index: usize, sequence: u64) -> Option<Digest> {
        self.acks.get(&corridor_index)?.get(&sequence).copied()
    }

    /// The acknowledgements of one corridor (empty if none).
    pub fn corridor(&self, corridor_index: usize) -> BTreeMap<u64, Digest> {
        self.acks.get(&corridor_index).cloned().unwrap_or_default()
    }
}

/// Checks the JSON Lines export `text` of one corridor against its acknowledgements `acked`
/// (see the module docs). `now` is the verifier's clock for the SPEC §5 future-timestamp rule.
pub fn check_export(text: &str, now: Timestamp, acked: &BTreeMap<u64, Digest>) -> ExportCheck {
    let scanned = scan_receipt_lines(text);
    let mut check = ExportCheck {
        receipt_count: scanned.line_count,
        duplicate_count: scanned.duplicate_count,
        gap_count: scanned.gap_count(),
        ..ExportCheck::default()
    };
    match import_chain(text, now) {
        Ok(imported) => {
            check.chain_verified = true;
            check.lost_count = acked
                .iter()
                .filter(|(sequence, next_root)| {
                    let index = usize::try_from(**sequence).unwrap_or(usize::MAX);
                    imported
                        .receipts
                        .get(index)
                        .is_none_or(|receipt| receipt.document.next_root != **next_root)
                })
                .count() as u64;
        }
        Err(error) => {
            check.failure = Some(error.to_string());
            // Fall back to the raw scan: a receipt is present if some line carries its
            // sequence and root, whatever else is wrong with the export.
            check.lost_count = acked
                .iter()
                .filter(|(sequence, next_root)| {
                    scanned
                        .roots
                        .get(sequence)
                        .is_none_or(|roots| !roots.contains(next_root))
                })
                .count() as u64;
        }
    }
    check
}

/// What a scan of the raw lines found, without verifying anything.
struct Scanned {
    line_count: u64,
    roots: BTreeMap<u64, BTreeSet<Digest>>,
    duplicate_count: u64,
}

impl Scanned {
    /// Sequences in `0..=max` that no line carries.
    fn gap_count(&self) -> u64 {
        let Some(max) = self.roots.keys().next_back() else {
            return 0;
        };
        (max + 1).saturating_sub(self.roots.len() as u64)
    }
}

fn scan_receipt_lines(text: &str) -> Scanned {
    let mut scanned = Scanned {
        line_count: 0,
        roots: BTreeMap::new(),
        duplicate_count: 0,
    };
    for line in text.lines() {
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        if value.get("type").and_then(Value::as_str) != Some(RECEIPT_TYPE) {
            continue;
        }
        let sequence = value.get("sequence").and_then(Value::as_u64);
        let next_root = value
            .get("next_root")
            .and_then(Value::as_str)
            .and_then(|hex| Digest::from_hex(hex).ok());
        let (Some(sequence), Some(next_root)) = (sequence, next_root) else {
            continue;
        };
        scanned.line_count += 1;
        let roots = scanned.roots.entry(sequence).or_default();
        if !roots.is_empty() {
            scanned.duplicate_count += 1;
        }
        roots.insert(next_root);
    }
    scanned
}

#[cfg(test)]
mod tests;
