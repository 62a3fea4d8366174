//! `msez chain verify`: an export built with the other commands verifies and reports its state;
//! a broken rule is exit 1 naming the line; malformed input is exit 2.

use serde_json::{Value, json};

use super::{Outcome, run};

/// An export of `receipt_count` receipts, each signed with one fresh key, built only with `msez`
/// commands (genesis, keygen, receipt next-root, receipt sign). Returns the lines and the
/// receipts' `next_root`s.
fn export(receipt_count: u64) -> (Vec<String>, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("zone.key");
    let key = key.to_str().unwrap();
    let did = run(&["keygen", "--out", key], b"")
        .ok()
        .trim_end()
        .to_owned();
    let genesis = json!({
        "tag": "msez.corridor.state.genesis.v1",
        "corridor_id": "corridor.ae-de.1",
        "definition_payload_sha256": "11".repeat(32),
        "agreement_set_sha256": "22".repeat(32),
        "lawpack_digest_set": [],
        "ruleset_digest_set": [],
    });
    let genesis_root = run(&["genesis"], genesis.to_string().as_bytes())
        .ok()
        .trim_end()
        .to_owned();
    let header = json!({
        "type": "MSEZCorridorChainExport", "version": 1, "genesis": genesis,
        "genesis_root": genesis_root,
        "receipt_signing_policy": { "threshold": 1, "signers": [did] },
    });
    let mut lines = vec![header.to_string()];
    let mut next_roots = Vec::new();
    let mut head = genesis_root;
    for sequence in 0..receipt_count {
        let mut receipt = json!({
            "type": "MSEZCorridorStateReceipt", "corridor_id": "corridor.ae-de.1",
            "sequence": sequence, "timestamp": format!("2026-01-01T00:0{sequence}:00Z"),
            "prev_root": head, "lawpack_digest_set": [], "ruleset_digest_set": [],
        });
        let next_root = run(&["receipt", "next-root"], receipt.to_string().as_bytes()).ok();
        receipt["next_root"] = json!(next_root.trim_end());
        let signed = run(
            &["receipt", "sign", "--key", key],
            receipt.to_string().as_bytes(),
        )
        .ok();
        let signed: Value = serde_json::from_str(&signed).unwrap();
        lines.push(signed.to_string());
        head = next_root.trim_end().to_owned();
        next_roots.push(head.clone());
    }
    (lines, next_roots)
}

/// The export text of `lines`: each line ends with a newline.
fn text(lines: &[String]) -> Vec<u8> {
    format!("{}\n", lines.join("\n")).into_bytes()
}

#[test]
fn chain_verify_reports_height_head_and_mmr_root() {
    let (lines, next_roots) = export(3);
    let summary: Value =
        serde_json::from_str(&run(&["chain", "verify"], &text(&lines)).ok()).unwrap();
    assert_eq!(summary["height"], 3);
    assert_eq!(summary["head"], json!(next_roots[2]));
    let leaves = next_roots
        .iter()
        .map(|root| format!("{root}\n"))
        .collect::<String>();
    let mmr_root = run(&["mmr", "root"], leaves.as_bytes()).ok();
    assert_eq!(summary["mmr_root"], json!(mmr_root.trim_end()));
}

#[test]
fn chain_verify_fails_with_exit_1_on_a_tampered_receipt() {
    let (mut lines, _) = export(3);
    let mut receipt: Value = serde_json::from_str(&lines[2]).unwrap();
    receipt["timestamp"] = json!("2026-01-01T00:01:30Z");
    lines[2] = receipt.to_string();
    run(&["chain", "verify"], &text(&lines)).fails(1, &["line 3"]);
}

#[test]
fn chain_verify_rejects_truncated_line_with_exit_2() {
    let (mut lines, _) = export(2);
    let cut = lines[2].len() / 2;
    lines[2].truncate(cut);
    run(&["chain", "verify"], &text(&lines)).fails(2, &["line 3", "not valid JSON"]);
}

#[test]
fn chain_verify_rejects_empty_input_with_exit_2() {
    run(&["chain", "verify"], b"").fails(2, &["line 1"]);
}
