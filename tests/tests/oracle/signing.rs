//! Keys and Data Integrity proofs (SPEC §2–3) across implementations.
//!
//! Goal: a did:key we derive is the one anybody derives; a document we sign (alone or in a proof
//! set) verifies in an independent eddsa-jcs-2022 implementation, and one it signs verifies here;
//! tampering is caught on both sides. Method: seeded random seeds, documents from `json_gen`
//! wrapped in objects (some with an `@context`), co-signed by one to three keys; one oracle batch
//! per direction.

use msez_protocol::keys::SigningKey;
use msez_protocol::proof::{ProofPurpose, add_proof, create_proof, verify_document};
use msez_protocol::time::Timestamp;
use serde_json::{Value, json};

use super::harness::{Oracle, Rng};
use super::json_gen;

/// Documents signed per direction.
const SIGNED_DOCUMENT_COUNT: usize = 300;

fn seed(rng: &mut Rng) -> [u8; 32] {
    rng.bytes(32).try_into().unwrap()
}

fn timestamp(rng: &mut Rng) -> Timestamp {
    // 2000-01-01 .. 2100-01-01.
    let unix_seconds = 946_684_800 + i64::try_from(rng.below(3_155_760_000)).unwrap();
    Timestamp::from_unix_seconds(unix_seconds).unwrap()
}

/// An object to sign: a random JSON value under `body`, sometimes with a VC-style `@context`.
fn unsigned_document(rng: &mut Rng) -> Value {
    let body: Value = serde_json::from_slice(&json_gen::document(rng)).unwrap();
    let mut document =
        json!({ "id": format!("urn:msez:doc:{}", rng.below(1 << 40)), "body": body });
    if rng.chance(1, 2) {
        document["@context"] = json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://msez.example/v1"
        ]);
    }
    document
}

#[test]
fn did_key_matches_oracle() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0201);
    let seeds: Vec<[u8; 32]> = (0..200).map(|_| seed(&mut rng)).collect();
    let items = seeds
        .iter()
        .map(|seed| json!({ "seed_hex": hex::encode(seed) }))
        .collect();
    for (seed, expected) in seeds.iter().zip(oracle.run("key", items)) {
        let expected = expected.unwrap();
        let key = SigningKey::from_seed(seed);
        assert_eq!(
            json!(key.did().to_string()),
            expected["did"],
            "seed {}",
            hex::encode(seed)
        );
        assert_eq!(
            json!(key.did().verification_method()),
            expected["verification_method"]
        );
        assert_eq!(
            json!(hex::encode(key.verifying_key().to_bytes())),
            expected["public_key_hex"]
        );
    }
}

#[test]
fn documents_signed_in_rust_verify_in_oracle() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0202);
    let mut items = Vec::new();
    let mut signer_counts = Vec::new();
    for _ in 0..SIGNED_DOCUMENT_COUNT {
        let mut document = unsigned_document(&mut rng);
        let signer_count = 1 + rng.index(3);
        for _ in 0..signer_count {
            let key = SigningKey::from_seed(&seed(&mut rng));
            let proof = create_proof(
                &document,
                &key,
                timestamp(&mut rng),
                ProofPurpose::AssertionMethod,
            )
            .unwrap();
            add_proof(&mut document, &proof).unwrap();
        }
        let mut tampered = document.clone();
        tampered["body"] = json!([tampered["body"].take(), 1]);
        items.push(json!({ "document": document }));
        items.push(json!({ "document": tampered }));
        signer_counts.push(signer_count);
    }
    let results = oracle.run("verify", items);
    for (index, pair) in results.chunks(2).enumerate() {
        let genuine = pair[0].as_ref().unwrap().as_array().unwrap();
        assert_eq!(
            genuine.len(),
            signer_counts[index],
            "document {index}: proof count"
        );
        for check in genuine {
            assert_eq!(check["valid"], json!(true), "document {index}: {check}");
        }
        let tampered = pair[1].as_ref().unwrap().as_array().unwrap();
        for check in tampered {
            assert_eq!(
                check["valid"],
                json!(false),
                "tampered document {index}: {check}"
            );
        }
    }
}

#[test]
fn documents_signed_in_oracle_verify_in_rust() {
    let oracle = Oracle::get();
    let mut rng = Rng::new(0x6d73_657a_0203);
    let mut documents: Vec<Value> = (0..SIGNED_DOCUMENT_COUNT)
        .map(|_| unsigned_document(&mut rng))
        .collect();
    let mut signer_counts = vec![0usize; documents.len()];
    // Up to three rounds: in each, a random subset of documents gains one more proof.
    for round in 0..3 {
        let chosen: Vec<usize> = (0..documents.len())
            .filter(|_| round == 0 || rng.chance(1, 2))
            .collect();
        let items = chosen
            .iter()
            .map(|&index| {
                json!({
                    "document": documents[index],
                    "seed_hex": hex::encode(seed(&mut rng)),
                    "created": timestamp(&mut rng).to_string(),
                })
            })
            .collect();
        for (&index, signed) in chosen.iter().zip(oracle.run("sign", items)) {
            documents[index] = signed.unwrap();
            signer_counts[index] += 1;
        }
    }
    for (index, document) in documents.iter().enumerate() {
        let checks = verify_document(document).unwrap();
        assert_eq!(
            checks.len(),
            signer_counts[index],
            "document {index}: proof count"
        );
        for check in &checks {
            assert!(check.is_valid(), "document {index}: {check:?}");
        }
        let mut tampered = document.clone();
        tampered["id"] = json!("urn:msez:doc:tampered");
        for check in verify_document(&tampered).unwrap() {
            assert!(!check.is_valid(), "tampered document {index} verified");
        }
    }
}
