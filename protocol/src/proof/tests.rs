// Goal: eddsa-jcs-2022 proofs are byte-identical to the W3C test vectors, proof sets co-sign the
// proof-free document, any change to document, proof or signature is detected, every malformed
// proof gets its own error, the batch agrees with single verification, and no parser panics.
// Method: the W3C vector files (each intermediate hash checked), `check_rejects` for malformed
// proofs, proptest for the laws.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::keys::KeyFile;
use crate::test_support::{arbitrary_json, arbitrary_json_any};

fn w3c_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/w3c-eddsa-jcs-2022")
}

fn w3c_text(name: &str) -> String {
    std::fs::read_to_string(w3c_dir().join(name)).expect("vector file")
}

fn w3c_json(name: &str) -> Value {
    serde_json::from_str(&w3c_text(name)).expect("vector JSON")
}

fn key(byte: u8) -> SigningKey {
    SigningKey::from_seed(&[byte; 32])
}

fn created() -> Timestamp {
    Timestamp::parse("2026-01-02T03:04:05Z").expect("time")
}

/// A receipt-like document of about 600 canonical bytes.
fn receipt() -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": "MSEZCorridorStateReceipt",
        "corridor_id": "corridor.pk-ae.0001",
        "sequence": 41,
        "timestamp": "2026-01-02T03:04:05Z",
        "prev_root": "2d3f8d2c6e0f43bd56ab9f1ad7d7e2e0c59b4a3a1d0b8c7e6f5a4b3c2d1e0f9a",
        "next_root": "9a0f1e2d3c4b5a6f7e8c0b1d3a4b9c5e0e2d7d7a1f9ba56bd3430f6e2c8d3f2d",
        "lawpack_digest_set": ["11aa", "22bb"],
        "ruleset_digest_set": ["33cc"],
        "transition": {"kind": "transfer", "payload": {"amount_minor": 125000, "currency": "USD"},
            "payload_sha256": "a3b1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"}
    })
}

#[track_caller]
fn check_rejects(mutate: impl FnOnce(&mut Value), expected: &ProofError) {
    let document = receipt();
    let mut proof = create_proof(&document, &key(1), created(), ProofPurpose::AssertionMethod)
        .expect("sign")
        .to_value();
    mutate(&mut proof);
    assert_eq!(Proof::from_value(&proof).as_ref().err(), Some(expected));
}

#[test]
fn verify_document_accepts_w3c_signed_credential() {
    let signed = w3c_json("signedJCS.json");
    let checks = verify_document(&signed).expect("structure");
    assert_eq!(checks.len(), 1);
    let public = w3c_json("keyPair.json")["publicKeyMultibase"]
        .as_str()
        .expect("public")
        .to_owned();
    let signer = checks[0].outcome.clone().expect("valid");
    assert_eq!(signer.multibase(), public);
    assert_eq!(checks[0].purpose, Some(ProofPurpose::AssertionMethod));
    // One changed character in the credential breaks it.
    let mut tampered = signed.clone();
    tampered["name"] = "Alumni Credential!".into();
    assert_eq!(
        verify_document(&tampered).expect("structure")[0].outcome,
        Err(ProofError::InvalidSignature { signer })
    );
}

#[test]
fn create_proof_reproduces_w3c_vector_byte_for_byte() {
    let key = KeyFile::parse(w3c_text("keyPair.json").as_bytes())
        .expect("key pair")
        .into_signing_key();
    let unsigned = w3c_json("unsigned.json");
    let config = w3c_json("proofConfigJCS.json");
    let created = Timestamp::parse(config["created"].as_str().expect("created")).expect("time");
    let proof =
        create_proof(&unsigned, &key, created, ProofPurpose::AssertionMethod).expect("sign");
    // Each intermediate value of the vector, in the order the algorithm produces them.
    assert_eq!(Value::Object(proof.options_object()), config);
    let canonical_options =
        CanonicalBytes::new(&Value::Object(proof.options_object())).expect("jcs");
    assert_eq!(
        canonical_options.as_bytes(),
        w3c_text("proofCanonJCS.txt").as_bytes()
    );
    assert_eq!(
        CanonicalBytes::new(&unsigned).expect("jcs").as_bytes(),
        w3c_text("canonDocJCS.txt").as_bytes()
    );
    let options_hash = proof.options_hash().expect("hash");
    let document_hash = document_hash(&unsigned).expect("hash");
    assert_eq!(options_hash.to_hex(), w3c_text("proofHashJCS.txt"));
    assert_eq!(document_hash.to_hex(), w3c_text("docHashJCS.txt"));
    assert_eq!(
        hex::encode(signing_input(&options_hash, &document_hash)),
        w3c_text("combinedHashJCS.txt")
    );
    assert_eq!(
        hex::encode(proof.signature().as_bytes()),
        w3c_text("sigHexJCS.txt")
    );
    assert_eq!(
        proof.signature().to_multibase(),
        w3c_text("sigBTC58JCS.txt")
    );
    // The secured document equals signedJCS.json.
    let mut secured = unsigned.clone();
    add_proof(&mut secured, &proof).expect("add");
    assert_eq!(secured, w3c_json("signedJCS.json"));
}

#[test]
fn add_proof_rejects_malformed_proof_member() {
    let mut document = receipt();
    document["proof"] = "signed".into();
    let before = document.clone();
    let proof = create_proof(
        &receipt(),
        &key(1),
        created(),
        ProofPurpose::AssertionMethod,
    )
    .expect("sign");
    assert_eq!(
        add_proof(&mut document, &proof),
        Err(ProofError::ProofMember { found: "a string" })
    );
    assert_eq!(document, before);
    assert_eq!(
        verify_document(&document),
        Err(ProofError::ProofMember { found: "a string" })
    );
    assert_eq!(verify_document(&receipt()), Err(ProofError::MissingProof));
    assert_eq!(
        add_proof(&mut json!([1]), &proof),
        Err(ProofError::NotAnObject { what: "document" })
    );
}

#[test]
fn proof_from_value_rejects_each_malformation() {
    check_rejects(
        |proof| proof["type"] = "Ed25519Signature2020".into(),
        &ProofError::UnknownProofType {
            found: "Ed25519Signature2020".to_owned(),
        },
    );
    check_rejects(
        |proof| proof["cryptosuite"] = "eddsa-rdfc-2022".into(),
        &ProofError::UnknownCryptosuite {
            found: "eddsa-rdfc-2022".to_owned(),
        },
    );
    check_rejects(
        |proof| proof["proofPurpose"] = "keyAgreement".into(),
        &ProofError::UnknownProofPurpose {
            found: "keyAgreement".to_owned(),
        },
    );
    check_rejects(
        |proof| proof["proofValue"] = "u3q2".into(),
        &ProofError::ProofValue {
            source: KeyError::MultibasePrefix {
                field: "proofValue",
            },
        },
    );
    check_rejects(
        |proof| proof["proofValue"] = "z3q2".into(),
        &ProofError::ProofValue {
            source: KeyError::Length {
                field: "proofValue",
                length_bytes: 2,
                expected_bytes: 64,
            },
        },
    );
    check_rejects(
        |proof| proof["verificationMethod"] = "did:web:zone.example#key-1".into(),
        &ProofError::VerificationMethod {
            source: KeyError::DidPrefix {
                field: "verificationMethod",
                text: "did:web:zone.example".to_owned(),
            },
        },
    );
    check_rejects(
        |proof| {
            proof
                .as_object_mut()
                .map(|object| object.remove("proofValue"));
        },
        &ProofError::MissingProofValue,
    );
    check_rejects(
        |proof| proof["created"] = "2026-01-02T03:04:05.000Z".into(),
        &ProofError::Created {
            source: TimestampError::Format {
                text: "2026-01-02T03:04:05.000Z".to_owned(),
            },
        },
    );
    let mut extra = create_proof(
        &receipt(),
        &key(1),
        created(),
        ProofPurpose::AssertionMethod,
    )
    .expect("sign")
    .to_value();
    extra["nonce"] = "1".into();
    assert!(matches!(
        Proof::from_value(&extra),
        Err(ProofError::Malformed { .. })
    ));
    assert_eq!(
        Proof::from_value(&json!("proof")),
        Err(ProofError::NotAnObject { what: "proof" })
    );
}

#[test]
fn verify_proof_rejects_context_mismatch() {
    let document = receipt();
    let proof =
        create_proof(&document, &key(1), created(), ProofPurpose::AssertionMethod).expect("sign");
    let mut changed = document.clone();
    changed["@context"] = json!(["https://www.w3.org/ns/credentials/v2", "https://x.example"]);
    assert_eq!(
        verify_proof(&changed, &proof),
        Err(ProofError::ContextMismatch)
    );
}

#[test]
fn proof_serde_round_trips() {
    let proof =
        create_proof(&receipt(), &key(2), created(), ProofPurpose::Authentication).expect("sign");
    let text = serde_json::to_string(&proof).expect("serialise");
    let read: Proof = serde_json::from_str(&text).expect("parse");
    assert_eq!(read, proof);
    assert_eq!(
        read.verification_method(),
        key(2).did().verification_method()
    );
}

#[test]
fn verify_proofs_batch_agrees_with_single_verification() {
    let documents: Vec<Value> = (0..20)
        .map(|index| {
            let mut document = receipt();
            document["sequence"] = index.into();
            document
        })
        .collect();
    let proofs: Vec<Proof> = documents
        .iter()
        .enumerate()
        .map(|(index, document)| {
            let signer = key(u8::try_from(index % 7).expect("small") + 1);
            create_proof(document, &signer, created(), ProofPurpose::AssertionMethod).expect("sign")
        })
        .collect();
    let items: Vec<(&Value, &Proof)> = documents.iter().zip(&proofs).collect();
    let expected: Vec<DidKey> = proofs.iter().map(Proof::signer).collect();
    assert_eq!(verify_proofs_batch(&items), Ok(expected));
    // Item 13 now points at another document.
    let mut swapped = items.clone();
    swapped[13].0 = &documents[12];
    assert_eq!(
        verify_proofs_batch(&swapped),
        Err(ProofError::BatchItem {
            index: 13,
            source: Box::new(ProofError::InvalidSignature {
                signer: proofs[13].signer()
            }),
        })
    );
    let not_object = json!("receipt");
    swapped[4].0 = &not_object;
    assert_eq!(
        verify_proofs_batch(&swapped),
        Err(ProofError::BatchItem {
            index: 4,
            source: Box::new(ProofError::NotAnObject { what: "document" }),
        })
    );
}

proptest! {
    #[test]
    fn proof_set_of_three_cosigners_verifies(
        seeds in any::<[[u8; 32]; 3]>(),
        extra in arbitrary_json(),
    ) {
        let mut document = receipt();
        document["extra"] = extra;
        let signers: Vec<SigningKey> = seeds.iter().map(SigningKey::from_seed).collect();
        let mut secured = document.clone();
        for signer in &signers {
            // Each co-signer signs what it receives, proofs included: they are not signed over.
            let proof = create_proof(&secured, signer, created(), ProofPurpose::AssertionMethod)
                .expect("sign");
            add_proof(&mut secured, &proof).expect("add");
        }
        prop_assert_eq!(secured["proof"].as_array().map(Vec::len), Some(3));
        let (unsecured, proofs) = split_proofs(&secured).expect("split");
        prop_assert_eq!(&unsecured, &document);
        for (proof, signer) in proofs.iter().zip(&signers) {
            // Each proof verifies over the proof-free document on its own.
            prop_assert_eq!(verify_proof(&document, proof), Ok(*signer.did()));
        }
        let outcomes: Vec<_> = verify_document(&secured)
            .expect("structure")
            .into_iter()
            .map(|check| check.outcome)
            .collect();
        let expected: Vec<_> = signers.iter().map(|signer| Ok(*signer.did())).collect();
        prop_assert_eq!(outcomes, expected);
    }

    #[test]
    fn any_byte_flip_of_a_secured_document_is_detected(
        seed in any::<[u8; 32]>(),
        flip_index in any::<usize>(),
        flip_mask in 1u8..=255,
    ) {
        let document = receipt();
        let signer = SigningKey::from_seed(&seed);
        let proof = create_proof(&document, &signer, created(), ProofPurpose::AssertionMethod)
            .expect("sign");
        let mut secured = document.clone();
        add_proof(&mut secured, &proof).expect("add");
        let mut bytes = CanonicalBytes::new(&secured).expect("jcs").into_bytes();
        let position = flip_index % bytes.len();
        bytes[position] ^= flip_mask;
        // A flip that leaves valid JSON with a different meaning must not verify.
        if let Ok(changed) = crate::canonical::parse(&bytes)
            && changed != secured
        {
            let all_valid = verify_document(&changed)
                .is_ok_and(|checks| checks.iter().all(ProofCheck::is_valid));
            prop_assert!(!all_valid, "flip at {} verified", position);
        }
    }

    #[test]
    fn sign_then_verify_holds_and_any_change_fails(
        seed in any::<[u8; 32]>(),
        extra in arbitrary_json(),
        flip_index in any::<usize>(),
    ) {
        let mut document = receipt();
        document["extra"] = extra;
        let signer = SigningKey::from_seed(&seed);
        let proof = create_proof(&document, &signer, created(), ProofPurpose::AssertionMethod)
            .expect("sign");
        prop_assert_eq!(verify_proof(&document, &proof), Ok(*signer.did()));

        // Flip one byte of the canonical document text (keeping it valid JSON by editing a
        // string value: the corridor id).
        let mut changed = document.clone();
        let corridor = changed["corridor_id"].as_str().expect("id").to_owned();
        let mut bytes = corridor.into_bytes();
        let position = flip_index % bytes.len();
        bytes[position] = if bytes[position] == b'x' { b'y' } else { b'x' };
        changed["corridor_id"] = String::from_utf8(bytes).expect("ascii").into();
        prop_assert!(verify_proof(&changed, &proof).is_err());

        // Flip one byte of the signature.
        let mut signature = *proof.signature().as_bytes();
        signature[flip_index % 64] ^= 0x01;
        let mut forged = proof.clone();
        forged.set_signature(Signature::from_bytes(signature));
        prop_assert!(verify_proof(&document, &forged).is_err());

        // Change the proof options: time, purpose, context.
        let mut later = proof.clone();
        later.created = created().checked_add_seconds(1).expect("time");
        prop_assert!(verify_proof(&document, &later).is_err());
        let mut purpose = proof.clone();
        purpose.purpose = ProofPurpose::Authentication;
        prop_assert!(verify_proof(&document, &purpose).is_err());
    }

    #[test]
    fn proof_parsers_never_panic(value in arbitrary_json_any(), text in "\\PC{0,80}") {
        let _ = Proof::from_value(&value);
        let _ = serde_json::from_str::<Proof>(&text);
        let _ = verify_document(&value);
        let _ = split_proofs(&value);
        let mut proof = create_proof(&receipt(), &key(1), created(), ProofPurpose::AssertionMethod)
            .expect("sign")
            .to_value();
        for member in ["type", "cryptosuite", "created", "verificationMethod", "proofPurpose",
            "proofValue", "@context"] {
            proof[member] = value.clone();
            let _ = Proof::from_value(&proof);
            proof[member] = text.clone().into();
            let _ = Proof::from_value(&proof);
            let mut document = receipt();
            document["proof"] = proof.clone();
            let _ = verify_document(&document);
        }
    }
}

proptest! {
    /// The typed options writer is the generic canonicaliser over the options map, for any
    /// context (including ones that cannot be canonicalised), time, purpose and key.
    #[test]
    fn typed_options_hash_equals_the_generic_canonicaliser(
        context in proptest::option::of(arbitrary_json_any()),
        seconds in -62_135_596_800i64..=253_402_300_799,
        purpose_index in 0usize..4,
        seed in any::<[u8; 32]>(),
    ) {
        let key = SigningKey::from_seed(&seed);
        let purposes = [
            ProofPurpose::AssertionMethod,
            ProofPurpose::Authentication,
            ProofPurpose::CapabilityInvocation,
            ProofPurpose::CapabilityDelegation,
        ];
        let proof = Proof {
            context,
            created: Timestamp::from_unix_seconds(seconds).unwrap(),
            key: key.verifying_key(),
            verification_method: key.verification_method().to_owned(),
            purpose: purposes[purpose_index],
            signature: Signature::from_bytes([0u8; keys::SIGNATURE_LENGTH_BYTES]),
            proof_value: String::new(),
        };
        let generic = CanonicalBytes::new(&Value::Object(proof.options_object()))
            .map(|bytes| bytes.digest())
            .map_err(ProofError::from);
        prop_assert_eq!(proof.options_hash(), generic);
    }
}

proptest! {
    /// Signing through the remembered options hash gives the signature the fresh hash gives,
    /// whatever sequence of keys, times and purposes comes before.
    #[test]
    fn remembered_options_hash_signs_as_the_fresh_one(
        steps in proptest::collection::vec((0u8..3, 0i64..3, 0usize..2), 1..12),
    ) {
        let document = json!({"a": 1});
        let document_hash = document_hash(&document).unwrap();
        for (key_index, seconds, purpose_index) in steps {
            let key = key(key_index);
            let created = Timestamp::from_unix_seconds(1_700_000_000 + seconds).unwrap();
            let purpose = [ProofPurpose::AssertionMethod, ProofPurpose::Authentication][purpose_index];
            let made = create_proof_over_hash(&document_hash, None, &key, created, purpose).unwrap();
            let fresh = signing_input(&made.options_hash().unwrap(), &document_hash);
            prop_assert_eq!(made.signature, key.sign(&fresh));
            prop_assert_eq!(verify_proof(&document, &made), Ok(*key.did()));
        }
    }
}
