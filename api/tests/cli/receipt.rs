//! `msez receipt next-root|sign` and `msez genesis`.

use serde_json::{Value, json};

use super::{Outcome, run};

fn draft() -> Value {
    json!({
        "type": "MSEZCorridorStateReceipt",
        "corridor_id": "corridor.ae-de.1",
        "sequence": 0,
        "timestamp": "2026-01-01T00:00:00Z",
        "prev_root": "8b0a32f0a4a7d7bdbbfc6a1e7e2ce3bd3bb8a56e5b1b5d4e6f4b6cd1a3a5b2f0",
        "lawpack_digest_set": [],
        "ruleset_digest_set": [],
    })
}

fn key_file(dir: &tempfile::TempDir) -> String {
    let path = dir.path().join("signer.key");
    run(&["keygen", "--out", path.to_str().unwrap()], b"").ok();
    path.to_str().unwrap().to_owned()
}

fn with_next_root(mut receipt: Value) -> Value {
    let next_root = run(&["receipt", "next-root"], receipt.to_string().as_bytes()).ok();
    receipt["next_root"] = json!(next_root.trim_end());
    receipt
}

#[test]
fn receipt_next_root_ignores_next_root_and_proof() {
    let bare = run(&["receipt", "next-root"], draft().to_string().as_bytes()).ok();
    assert_eq!(bare.len(), 65, "{bare}");
    let mut stated = draft();
    stated["next_root"] = json!("00".repeat(32));
    assert_eq!(
        run(&["receipt", "next-root"], stated.to_string().as_bytes()).ok(),
        bare
    );
}

#[test]
fn receipt_next_root_rejects_unknown_member() {
    let mut receipt = draft();
    receipt["colour"] = json!("red");
    run(&["receipt", "next-root"], receipt.to_string().as_bytes()).fails(2, &["colour"]);
}

#[test]
fn receipt_next_root_rejects_bad_digest_naming_member() {
    let mut receipt = draft();
    receipt["prev_root"] = json!("abc");
    run(&["receipt", "next-root"], receipt.to_string().as_bytes()).fails(2, &["prev_root"]);
}

#[test]
fn receipt_sign_adds_proofs_and_cosigns() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(&dir);
    let receipt = with_next_root(draft());
    let once = run(
        &["receipt", "sign", "--key", &key],
        receipt.to_string().as_bytes(),
    )
    .ok();
    let once: Value = serde_json::from_str(&once).unwrap();
    assert_eq!(once["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(once["proof"]["proofPurpose"], "assertionMethod");
    let twice = run(
        &["receipt", "sign", "--key", &key],
        once.to_string().as_bytes(),
    )
    .ok();
    let twice: Value = serde_json::from_str(&twice).unwrap();
    assert_eq!(twice["proof"].as_array().unwrap().len(), 2);
}

#[test]
fn receipt_sign_refuses_wrong_next_root() {
    let dir = tempfile::tempdir().unwrap();
    let key = key_file(&dir);
    let mut receipt = draft();
    receipt["next_root"] = json!("00".repeat(32));
    run(
        &["receipt", "sign", "--key", &key],
        receipt.to_string().as_bytes(),
    )
    .fails(2, &["next_root", "msez receipt next-root"]);
}

#[test]
fn receipt_sign_rejects_bad_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("bad.key");
    std::fs::write(&key, b"{\"type\":\"Multikey\"}").unwrap();
    let receipt = with_next_root(draft());
    run(
        &["receipt", "sign", "--key", key.to_str().unwrap()],
        receipt.to_string().as_bytes(),
    )
    .fails(2, &["bad.key"]);
}

fn genesis() -> Value {
    json!({
        "tag": "msez.corridor.state.genesis.v1",
        "corridor_id": "corridor.ae-de.1",
        "definition_payload_sha256": "11".repeat(32),
        "agreement_set_sha256": "22".repeat(32),
        "lawpack_digest_set": ["33".repeat(32)],
        "ruleset_digest_set": [],
    })
}

#[test]
fn genesis_prints_root_line() {
    let root = run(&["genesis"], genesis().to_string().as_bytes()).ok();
    assert_eq!(root.len(), 65);
    let canonical = run(&["digest"], genesis().to_string().as_bytes()).ok();
    assert_eq!(
        root, canonical,
        "the genesis root is the digest of the canonical object"
    );
}

#[test]
fn genesis_rejects_missing_member() {
    let mut object = genesis();
    object
        .as_object_mut()
        .unwrap()
        .remove("agreement_set_sha256");
    run(&["genesis"], object.to_string().as_bytes()).fails(2, &["agreement_set_sha256"]);
}
