//! `msez mmr root|proof|verify`: outputs, the empty MMR, and each failure path.

use super::{Outcome, run};

/// Five `next_root`s: SHA-256 of "0".."4".
const NEXT_ROOTS: &str = "\
5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9
6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b
d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35
4e07408562bedb8b60ce05c1decfe3ad16b72230967de01f640b7e4729b49fce
4b227777d4dd1fc61c6f884f48641d02b4d121d3fd328cb08b5531fcacdabf8a
";
const ROOT: &str = "4e23fb40d8876f1299cca9b3c28432a01b11d1a20126606914612892ff2e09a7";

#[test]
fn mmr_root_prints_root_line() {
    assert_eq!(
        run(&["mmr", "root"], NEXT_ROOTS.as_bytes()).ok(),
        format!("{ROOT}\n")
    );
}

#[test]
fn mmr_root_prints_nothing_for_no_leaves() {
    assert_eq!(run(&["mmr", "root"], b"").ok(), "");
}

#[test]
fn mmr_root_rejects_bad_line_naming_its_number() {
    let input = format!("{NEXT_ROOTS}not-hex\n");
    run(&["mmr", "root"], input.as_bytes()).fails(2, &["stdin", "line 6", "64 lowercase hex"]);
}

#[test]
fn mmr_proof_then_verify_round_trips() {
    let proof = run(&["mmr", "proof", "--index", "2"], NEXT_ROOTS.as_bytes()).ok();
    assert!(proof.contains("\"leaf_index\": 2"), "{proof}");
    let verified = run(&["mmr", "verify", "--root", ROOT], proof.as_bytes()).ok();
    assert_eq!(
        verified,
        format!("ok: leaf 2 of 5 is included under root {ROOT}\n")
    );
}

#[test]
fn mmr_proof_rejects_index_past_the_end() {
    run(&["mmr", "proof", "--index", "5"], NEXT_ROOTS.as_bytes())
        .fails(2, &["--index", "leaf 5", "5 leaves"]);
}

#[test]
fn mmr_verify_fails_with_exit_1_under_another_root() {
    let proof = run(&["mmr", "proof", "--index", "4"], NEXT_ROOTS.as_bytes()).ok();
    let other_root = ROOT.replace('4', "5");
    run(&["mmr", "verify", "--root", &other_root], proof.as_bytes())
        .fails(1, &["proof does not verify", "trusted root"]);
}

#[test]
fn mmr_verify_fails_with_exit_1_on_a_tampered_path() {
    let proof = run(&["mmr", "proof", "--index", "0"], NEXT_ROOTS.as_bytes()).ok();
    let tampered = proof.replacen("\"side\": \"right\"", "\"side\": \"left\"", 1);
    assert_ne!(tampered, proof);
    run(&["mmr", "verify", "--root", ROOT], tampered.as_bytes()).fails(1, &["side"]);
}

#[test]
fn mmr_verify_rejects_malformed_proof_naming_the_member() {
    run(&["mmr", "verify", "--root", ROOT], b"{\"size\": 5}").fails(2, &["missing field"]);
}

#[test]
fn mmr_verify_rejects_bad_root_argument() {
    run(&["mmr", "verify", "--root", "abc"], b"{}").fails(2, &["--root", "64 lowercase hex"]);
}
