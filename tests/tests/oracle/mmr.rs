//! Merkle Mountain Range (SPEC §6): roots and inclusion proofs against the oracle.
//!
//! Goal: for any leaf set, our root, peaks and every inclusion proof are byte-for-byte what an
//! independent implementation computes (the oracle builds each peak's tree directly, not with a
//! binary counter), each side accepts the other's proofs, and both reject the same tampered
//! proofs. Method: seeded random leaf sets of every size up to 70 plus sizes around powers of
//! two; `msez mmr root|proof|verify` in-process, and the library for the bulk comparisons.

use msez_protocol::digest::Digest;
use msez_protocol::mmr::{InclusionProof, Mmr, verify_inclusion};
use serde_json::{Value, json};

use super::harness::{Oracle, Rng, msez};

/// Leaf counts to compare: every size up to 70, then sizes at and around powers of two.
fn sizes() -> Vec<usize> {
    let mut sizes: Vec<usize> = (0..=70).collect();
    sizes.extend([127, 128, 129, 255, 256, 257, 511, 512, 513]);
    sizes
}

fn leaf_sets(rng: &mut Rng) -> Vec<Vec<String>> {
    sizes()
        .into_iter()
        .map(|size| (0..size).map(|_| rng.hex32()).collect())
        .collect()
}

fn rust_mmr(next_roots: &[String]) -> Mmr {
    let digests: Vec<Digest> = next_roots
        .iter()
        .map(|hex| Digest::from_hex(hex).unwrap())
        .collect();
    Mmr::from_next_roots(&digests).unwrap()
}

#[test]
fn mmr_roots_and_proofs_match_oracle() {
    let oracle = Oracle::get();
    let sets = leaf_sets(&mut Rng::new(0x6d73_657a_0101));
    let items = sets
        .iter()
        .map(|set| json!({ "next_roots": set }))
        .collect();
    let expected = oracle.run("mmr", items);
    for (set, expected) in sets.iter().zip(expected) {
        let expected = expected.unwrap();
        let size = set.len();
        let mmr = rust_mmr(set);
        assert_eq!(
            json!(mmr.root().map(|root| root.to_hex())),
            expected["root"],
            "size {size}: root"
        );
        assert_eq!(json!(mmr.peaks()), expected["peaks"], "size {size}: peaks");
        for (leaf_index, expected_proof) in
            expected["proofs"].as_array().unwrap().iter().enumerate()
        {
            let proof = mmr.inclusion_proof(leaf_index as u64).unwrap();
            assert_eq!(
                &json!(proof),
                expected_proof,
                "size {size} leaf {leaf_index}: proof"
            );
        }
    }
}

#[test]
fn mmr_cli_matches_oracle() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0102);
    for size in [0, 1, 2, 3, 7, 8, 13, 64, 100] {
        let set: Vec<String> = (0..size).map(|_| rng.hex32()).collect();
        let expected = oracle.one("mmr", json!({ "next_roots": set }));
        let lines = set.iter().map(|hex| format!("{hex}\n")).collect::<String>();
        let root = msez(&["mmr", "root"], lines.as_bytes())
            .success()
            .stdout_text();
        match expected["root"].as_str() {
            None => assert_eq!(root, "", "size {size}: an empty MMR prints nothing"),
            Some(hex) => assert_eq!(root, format!("{hex}\n"), "size {size}: root"),
        }
        for leaf_index in 0..size {
            let index = leaf_index.to_string();
            let proof = msez(&["mmr", "proof", "--index", &index], lines.as_bytes()).success();
            let proof_json = proof.stdout_json();
            assert_eq!(
                proof_json, expected["proofs"][leaf_index],
                "size {size} leaf {index}"
            );
            let root_hex = root.trim_end();
            let verified = msez(&["mmr", "verify", "--root", root_hex], &proof.stdout);
            assert_eq!(
                verified.code, 0,
                "size {size} leaf {index}: {}",
                verified.stderr
            );
        }
    }
}

/// One way to tamper with a proof (or its trusted root); every one must be rejected.
fn tamper(rng: &mut Rng, root: &str, proof: &Value) -> (String, Value, &'static str) {
    let mut proof = proof.clone();
    let mut root = root.to_owned();
    let flip = |rng: &mut Rng, hex: &str| {
        let mut bytes = hex::decode(hex).unwrap();
        let bit = rng.index(256);
        bytes[bit / 8] ^= 1 << (bit % 8);
        json!(hex::encode(bytes))
    };
    let path_length = proof["path"].as_array().unwrap().len();
    let peak_count = proof["peaks"].as_array().unwrap().len();
    let what = match rng.below(9) {
        0 => {
            root = flip(rng, &root).as_str().unwrap().to_owned();
            "root bit"
        }
        1 => {
            proof["receipt_next_root"] = flip(rng, proof["receipt_next_root"].as_str().unwrap());
            "receipt_next_root bit"
        }
        2 => {
            proof["leaf_hash"] = flip(rng, proof["leaf_hash"].as_str().unwrap());
            "leaf_hash bit"
        }
        3 if path_length > 0 => {
            let step = rng.index(path_length);
            proof["path"][step]["hash"] = flip(rng, proof["path"][step]["hash"].as_str().unwrap());
            "path hash bit"
        }
        4 if path_length > 0 => {
            let step = rng.index(path_length);
            let side = if proof["path"][step]["side"] == "left" {
                "right"
            } else {
                "left"
            };
            proof["path"][step]["side"] = json!(side);
            "path side"
        }
        5 => {
            let peak = rng.index(peak_count);
            proof["peaks"][peak]["hash"] =
                flip(rng, proof["peaks"][peak]["hash"].as_str().unwrap());
            "peak hash bit"
        }
        6 => {
            let size = proof["size"].as_u64().unwrap();
            proof["size"] = json!(size + 1 + rng.below(3));
            "size"
        }
        7 => {
            let size = proof["size"].as_u64().unwrap();
            let leaf_index = proof["leaf_index"].as_u64().unwrap();
            proof["leaf_index"] =
                json!((leaf_index + 1 + rng.below(size.max(2) - 1)) % size.max(2));
            "leaf_index"
        }
        _ if path_length > 0 => {
            proof["path"].as_array_mut().unwrap().pop();
            "path step dropped"
        }
        _ => {
            root = flip(rng, &root).as_str().unwrap().to_owned();
            "root bit"
        }
    };
    (root, proof, what)
}

#[test]
fn mmr_proofs_verify_across_implementations_and_tampering_fails_in_both() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0103);
    let mut checks = Vec::new(); // (root, proof, expected valid, description)
    for size in 1..=40usize {
        let set: Vec<String> = (0..size).map(|_| rng.hex32()).collect();
        let mmr = rust_mmr(&set);
        let root = mmr.root().unwrap().to_hex();
        for leaf_index in 0..size {
            let proof = json!(mmr.inclusion_proof(leaf_index as u64).unwrap());
            let (bad_root, bad_proof, what) = tamper(&mut rng, &root, &proof);
            checks.push((
                root.clone(),
                proof,
                true,
                format!("size {size} leaf {leaf_index}"),
            ));
            let label = format!("size {size} leaf {leaf_index} tampered: {what}");
            checks.push((bad_root, bad_proof, false, label));
        }
    }
    let items = checks
        .iter()
        .map(|(root, proof, _, _)| json!({ "root": root, "proof": proof }))
        .collect();
    let verdicts = oracle.run("mmr-verify", items);
    for ((root, proof, expected_valid, label), verdict) in checks.iter().zip(verdicts) {
        let verdict = verdict.unwrap();
        assert_eq!(
            verdict["valid"],
            json!(expected_valid),
            "oracle, {label}: {verdict}"
        );
        let rust_valid = serde_json::from_value::<InclusionProof>(proof.clone())
            .ok()
            .filter(|parsed| verify_inclusion(parsed, &Digest::from_hex(root).unwrap()).is_ok())
            .is_some();
        assert_eq!(rust_valid, *expected_valid, "rust, {label}");
    }
}
