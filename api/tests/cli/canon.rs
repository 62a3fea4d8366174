//! `msez canon` and `msez digest`: exact bytes, file and stdin input, and the bad-input paths.

use super::{Outcome, run};

#[test]
fn canon_prints_canonical_bytes_without_newline() {
    let out = run(&["canon"], "{\"b\": 2, \"a\": [1, \"é\"]}\n".as_bytes()).ok();
    assert_eq!(out, "{\"a\":[1,\"é\"],\"b\":2}");
}

#[test]
fn canon_reads_file_and_dash_alike() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.json");
    std::fs::write(&path, b"{\"z\":null,\"a\":true}").unwrap();
    let from_file = run(&["canon", path.to_str().unwrap()], b"").ok();
    let from_dash = run(&["canon", "-"], b"{\"z\":null,\"a\":true}").ok();
    assert_eq!(from_file, "{\"a\":true,\"z\":null}");
    assert_eq!(from_dash, from_file);
}

#[test]
fn canon_rejects_float_naming_field() {
    run(&["canon"], b"{\"amount\": 1.5}").fails(2, &["stdin", "$.amount", "1.5", "not an integer"]);
}

#[test]
fn canon_rejects_duplicate_key_naming_field() {
    run(&["canon"], b"{\"a\": {\"x\": 1, \"x\": 2}}").fails(2, &["$.a.x", "duplicate key"]);
}

#[test]
fn canon_rejects_invalid_utf8() {
    run(&["canon"], b"\"\xff\"").fails(2, &["UTF-8"]);
}

#[test]
fn canon_rejects_missing_file_naming_it() {
    run(&["canon", "/nonexistent/doc.json"], b"").fails(2, &["/nonexistent/doc.json"]);
}

#[test]
fn canon_rfc8785_profile_accepts_floats() {
    let out = run(&["canon", "--profile", "rfc8785"], b"[1.50, 1e30, -0.0]").ok();
    assert_eq!(out, "[1.5,1e+30,0]");
}

#[test]
fn digest_prints_hex_and_newline() {
    let out = run(&["digest"], b"{\"b\":2,\"a\":1}").ok();
    assert_eq!(
        out,
        "43258cff783fe7036d8a43033f830adfc60ec037382473548ac742b888292777\n"
    );
}

#[test]
fn digest_rejects_out_of_range_integer() {
    run(&["digest"], b"[9007199254740992]").fails(2, &["$[0]", "outside the range"]);
}
