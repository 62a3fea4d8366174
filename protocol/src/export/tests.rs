//! Export/import tests. Goal: append → export → import is the identity, a tampered receipt
//! anywhere is reported at exactly its line and sequence, every malformed export is a typed
//! error naming the line, and no input panics. Method: fixture chains exported to text, edited
//! as text or JSON, and fed back through `import_chain` / `verify_export`.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::checkpoint::Checkpoint;
use crate::signed::Signed;
use crate::test_support::{at, chain_of, genesis, key, now, policy};

fn header() -> ExportHeader {
    ExportHeader::new(genesis(), policy(2, &[&key(1), &key(2), &key(3)])).unwrap()
}

fn export_of(count: u64, with_checkpoint: bool) -> (ReceiptChain, String) {
    let (chain, receipts) = chain_of(count);
    let checkpoint = with_checkpoint.then(|| {
        Signed::sign(
            Checkpoint::of_chain(&chain, at(900)),
            &[&key(2), &key(3)],
            at(900),
        )
        .unwrap()
    });
    let text = export_chain(&header(), &receipts, checkpoint.as_ref()).unwrap();
    (chain, text)
}

fn lines_of(text: &str) -> Vec<String> {
    text.lines().map(str::to_owned).collect()
}

fn join(lines: &[String]) -> String {
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// Replaces line `line` (1-based) with the result of `edit` on its JSON.
fn edit_line(text: &str, line: usize, edit: impl FnOnce(&mut Value)) -> String {
    let mut lines = lines_of(text);
    let mut value: Value = serde_json::from_str(&lines[line - 1]).unwrap();
    edit(&mut value);
    lines[line - 1] = serde_json::to_string(&value).unwrap();
    join(&lines)
}

#[track_caller]
fn check_error(
    text: &str,
    expected_line: Option<usize>,
    matches: impl FnOnce(&ExportError) -> bool,
) {
    let error = verify_export(text, now()).unwrap_err();
    assert_eq!(error.line(), expected_line, "{error}");
    assert!(matches(&error), "unexpected error: {error:?}");
}

#[test]
fn verify_export_summarises_the_final_state() {
    let (chain, text) = export_of(5, true);
    let summary = verify_export(&text, now()).unwrap();
    assert_eq!(summary.height, 5);
    assert_eq!(summary.head, chain.head());
    assert_eq!(summary.mmr_root, chain.mmr().root());
    assert_eq!(summary.genesis_root, chain.genesis_root());
    assert!(summary.checkpoint_digest.is_some());
    let (_, empty) = export_of(0, false);
    let summary = verify_export(&empty, now()).unwrap();
    assert_eq!((summary.height, summary.mmr_root), (0, None));
    assert_eq!(summary.head, summary.genesis_root);
}

#[test]
fn export_lines_are_canonical_json_with_the_documented_header() {
    let (_, text) = export_of(2, false);
    let lines = lines_of(&text);
    assert_eq!(lines.len(), 3);
    for line in &lines {
        let canonical = crate::canonical::CanonicalBytes::parse(line.as_bytes()).unwrap();
        assert_eq!(canonical.as_bytes(), line.as_bytes());
    }
    let header: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(header["type"], json!("MSEZCorridorChainExport"));
    assert_eq!(header["version"], json!(1));
    assert_eq!(header["receipt_signing_policy"]["threshold"], json!(2));
    assert_eq!(
        header["genesis"]["tag"],
        json!("msez.corridor.state.genesis.v1")
    );
}

#[test]
fn verify_export_rejects_malformed_exports_naming_the_line() {
    let (_, text) = export_of(3, true);
    check_error("", None, |e| matches!(e, ExportError::Empty));
    check_error(&text.replacen('\n', "\n\n", 1), Some(2), |e| {
        matches!(e, ExportError::BlankLine { line: 2 })
    });
    // A truncated line (cut mid-receipt) and a truncated file (cut mid-line).
    let mut lines = lines_of(&text);
    lines[2].truncate(40);
    check_error(&join(&lines), Some(3), |e| {
        matches!(e, ExportError::Json { line: 3, .. })
    });
    check_error(&text[..text.len() - 30], Some(5), |e| {
        matches!(e, ExportError::Json { line: 5, .. })
    });
    check_error(
        &edit_line(&text, 1, |h| h["version"] = json!(2)),
        Some(1),
        |e| matches!(e, ExportError::UnsupportedVersion { found: 2 }),
    );
    check_error(
        &edit_line(&text, 1, |h| {
            h.as_object_mut().unwrap().remove("receipt_signing_policy");
        }),
        Some(1),
        |e| {
            matches!(
                e,
                ExportError::Header {
                    source: FieldError::Missing { path }
                } if path == "header.receipt_signing_policy"
            )
        },
    );
    check_error(
        &edit_line(&text, 1, |h| h["genesis_root"] = json!("00".repeat(32))),
        Some(1),
        |e| matches!(e, ExportError::GenesisRootMismatch { .. }),
    );
    check_error(
        &edit_line(&text, 1, |h| {
            h["receipt_signing_policy"]["threshold"] = json!(0)
        }),
        Some(1),
        |e| {
            matches!(
                e,
                ExportError::Policy {
                    source: PolicyError::ThresholdZero
                }
            )
        },
    );
    check_error(
        &edit_line(&text, 3, |r| r["type"] = json!("Other")),
        Some(3),
        |e| matches!(e, ExportError::UnknownLineType { line: 3, .. }),
    );
    check_error(
        &edit_line(&text, 3, |r| r["proof"] = json!(7)),
        Some(3),
        |e| matches!(e, ExportError::Receipt { line: 3, .. }),
    );
    check_error(
        &edit_line(&text, 3, |r| r["sequence"] = json!(1.5)),
        Some(3),
        |e| matches!(e, ExportError::Json { line: 3, .. }),
    );
    let mut lines = lines_of(&text);
    lines.push(lines[1].clone());
    check_error(&join(&lines), Some(6), |e| {
        matches!(e, ExportError::LineAfterCheckpoint { line: 6 })
    });
}

#[test]
fn verify_export_rejects_a_checkpoint_that_does_not_match_the_chain() {
    let (_, text) = export_of(3, true);
    // Dropping the last receipt leaves the checkpoint describing 3 receipts after 2.
    let mut lines = lines_of(&text);
    lines.remove(3);
    check_error(&join(&lines), Some(4), |e| {
        matches!(
            e,
            ExportError::Checkpoint {
                line: 4,
                source: CheckpointError::ChainMismatch { .. }
            }
        )
    });
    check_error(
        &edit_line(&text, 5, |c| c["mmr"]["root"] = json!("00".repeat(32))),
        Some(5),
        |e| matches!(e, ExportError::Checkpoint { line: 5, .. }),
    );
}

#[test]
fn export_line_length_accepts_limit_and_rejects_limit_plus_one() {
    let (_, text) = export_of(0, false);
    let padded = |length: usize| format!("{text}{}\n", "x".repeat(length));
    // At the limit the line is read (and fails as JSON); one byte more is refused unread.
    check_error(&padded(EXPORT_LINE_LENGTH_BYTES_MAX), Some(2), |e| {
        matches!(e, ExportError::Json { line: 2, .. })
    });
    check_error(
        &padded(EXPORT_LINE_LENGTH_BYTES_MAX + 1),
        Some(2),
        |e| matches!(e, ExportError::LineTooLong { line: 2, length_bytes } if *length_bytes == EXPORT_LINE_LENGTH_BYTES_MAX + 1),
    );
}

#[test]
fn verify_export_rejects_receipts_dated_in_the_verifiers_future() {
    let (_, text) = export_of(2, false);
    // The second receipt is at T0 + 10 s; a verifier whose clock reads T0 - 51 s refuses it.
    let error = verify_export(&text, at(-51)).unwrap_err();
    assert!(matches!(
        error,
        ExportError::Append {
            line: 3,
            source: AppendError::TimestampInFuture { sequence: 1, .. }
        }
    ));
    assert!(verify_export(&text, at(-50)).is_ok());
}

#[test]
fn verify_export_tail_checks_only_receipts_after_a_trusted_checkpoint() {
    let (full, receipts) = chain_of(5);
    let trusted = crate::test_support::trusted_checkpoint(3, 25);
    let tail = export_chain(&header(), &receipts[3..], None).unwrap();
    let summary = verify_export_tail(&tail, &trusted, now()).unwrap();
    assert_eq!((summary.height, summary.head), (5, full.head()));
    assert_eq!(summary.mmr_root, full.mmr().root());
    // The full export is not a tail of that checkpoint: receipt 0 is not sequence 3.
    let whole = export_chain(&header(), &receipts, None).unwrap();
    assert!(matches!(
        verify_export_tail(&whole, &trusted, now()),
        Err(ExportError::Append {
            line: 2,
            source: AppendError::SequenceMismatch {
                sequence: 0,
                height: 3,
                ..
            }
        })
    ));
    let other_header = ExportHeader::new(genesis(), policy(1, &[&key(1)])).unwrap();
    let foreign = export_chain(&other_header, &receipts[3..], None).unwrap();
    assert_eq!(
        verify_export_tail(&foreign, &trusted, now()),
        Err(ExportError::TailHeaderMismatch {
            field: "receipt_signing_policy"
        })
    );
}

/// The tampering a property test applies to one receipt line.
fn tamper(value: &mut Value, kind: u8) {
    match kind % 5 {
        0 => value["transition"]["payload"]["amount_minor"] = json!(424242),
        1 => value["timestamp"] = json!("2023-11-14T22:13:21Z"),
        2 => value["next_root"] = json!("ab".repeat(32)),
        3 => value["lawpack_digest_set"] = json!([]),
        _ => {
            let proof = value["proof"].as_array_mut().unwrap();
            proof.swap(0, 1);
            proof[0]["created"] = json!("2023-11-14T22:13:21Z");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn append_export_import_is_identity(count in 0u64..6, with_checkpoint in any::<bool>()) {
        let (chain, receipts) = chain_of(count);
        let checkpoint = with_checkpoint.then(|| {
            Signed::sign(Checkpoint::of_chain(&chain, at(900)), &[&key(1), &key(2)], at(900)).unwrap()
        });
        let text = export_chain(&header(), &receipts, checkpoint.as_ref()).unwrap();
        let imported = import_chain(&text, now()).unwrap();
        prop_assert_eq!(&imported.receipts, &receipts);
        prop_assert_eq!(&imported.checkpoint, &checkpoint);
        prop_assert_eq!(&imported.chain, &chain);
        prop_assert_eq!(&imported.header, &header());
        let again = export_chain(&imported.header, &imported.receipts, imported.checkpoint.as_ref()).unwrap();
        prop_assert_eq!(again, text);
    }

    #[test]
    fn tampered_receipt_is_detected_at_its_sequence(count in 1u64..6, pick in any::<u64>(), kind in any::<u8>()) {
        let (_, text) = export_of(count, false);
        let sequence = pick % count;
        let line = usize::try_from(sequence).unwrap() + 2;
        let tampered = edit_line(&text, line, |value| tamper(value, kind));
        let error = verify_export(&tampered, now()).unwrap_err();
        prop_assert_eq!(error.line(), Some(line), "{}", error);
        if let ExportError::Append { source, .. } = &error {
            prop_assert_eq!(source.sequence(), sequence);
        }
    }

    #[test]
    fn verify_export_never_panics_on_arbitrary_input(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = verify_export(&text, now());
    }

    #[test]
    fn verify_export_never_panics_on_mutated_exports(position in any::<usize>(), byte in 0x20u8..0x7f) {
        let (_, text) = export_of(2, true);
        let mut bytes = text.into_bytes();
        let index = position % bytes.len();
        bytes[index] = byte;
        let text = String::from_utf8_lossy(&bytes);
        let _ = verify_export(&text, now());
    }
}
