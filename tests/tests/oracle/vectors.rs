//! The oracle against the public vectors: before it judges our bytes, it must reproduce the
//! W3C eddsa-jcs-2022 credential (verify and byte-identical re-sign), the six RFC 8785 pairs
//! and the five RFC 8032 vectors itself. (The protocol crate's unit tests run the same vectors
//! and the CCTV edge cases against the Rust code; `canon` and `vc` here run them through `msez`.)

use serde_json::json;

use super::harness::{Oracle, vectors_dir};

#[test]
fn oracle_reproduces_public_vectors() {
    let result = Oracle::get().one("selftest", json!({ "vectors_dir": vectors_dir() }));
    assert_eq!(result["checks"], json!(16), "{result}");
}
