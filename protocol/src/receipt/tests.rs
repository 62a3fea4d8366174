//! Receipt and genesis tests. Goal: `next_root`, `payload_sha256` and `genesis_root` are the
//! SPEC §5 bytes (cross-checked against Python), the reader accepts exactly the SPEC members,
//! digest sets are normalised by builders and rejected unsorted by readers, and no input makes
//! the readers panic. Method: fixed vectors, one `check` over receipt JSON, property tests.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::test_support::{self, at, corridor, digest};

fn python_receipt() -> Receipt {
    Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: corridor(),
        sequence: 0,
        timestamp: at(0),
        prev_root: digest(0xaa),
        next_root: digest(0),
        lawpack_digest_set: DigestSet::normalised([digest(0x33)]),
        ruleset_digest_set: DigestSet::normalised([digest(0x44)]),
        transition: Some(
            Transition::new(
                "netting.settled",
                json!({"currency": "USD", "amount_minor": 125000}),
            )
            .unwrap(),
        ),
    }
}

#[test]
fn next_root_matches_independent_python_computation() {
    // Computed with Python 3: hashlib.sha256(json.dumps(obj, sort_keys=True,
    // separators=(",", ":")).encode()).hexdigest() over the receipt without next_root/proof
    // (all-ASCII input, where that equals RFC 8785), and over the payload for payload_sha256.
    let receipt = python_receipt();
    assert_eq!(
        receipt.transition.as_ref().unwrap().payload_sha256.to_hex(),
        "cf0986d6d2e56a3bab766a4c6f2795c519c06b969759b72fe84c17c0a913ffcc"
    );
    assert_eq!(
        receipt.compute_next_root().unwrap().to_hex(),
        "12cd5158c354f4ecdfa910307c22369b189bca0946c99784142073d5565ab4ea"
    );
    let sealed = receipt.with_computed_next_root().unwrap();
    assert_eq!(sealed.compute_next_root().unwrap(), sealed.next_root);
}

#[test]
fn genesis_root_matches_independent_python_computation() {
    // Same Python construction over {"tag":"msez.corridor.state.genesis.v1",
    // "corridor_id":"PK-AE.trade.1","definition_payload_sha256":"11"*32,
    // "agreement_set_sha256":"22"*32,"lawpack_digest_set":["33"*32],
    // "ruleset_digest_set":["44"*32,"55"*32]}.
    assert_eq!(
        test_support::genesis().genesis_root().unwrap().to_hex(),
        "2d99028722febe7723ad4e7fd31738aefe521ccc02d42f39741aeac22c21032e"
    );
}

#[test]
fn next_root_ignores_proof_and_next_root_members() {
    let receipt = python_receipt();
    let mut value = receipt.to_value().unwrap();
    value["next_root"] = json!(digest(9).to_hex());
    value["proof"] = json!({"anything": 1});
    let before = value.clone();
    assert_eq!(
        next_root_of_value(&mut value).unwrap(),
        receipt.compute_next_root().unwrap()
    );
    assert_eq!(value, before, "the value is left as it was");
}

#[test]
fn seal_and_sign_equals_seal_then_sign() {
    let key = crate::test_support::key(1);
    let receipt = python_receipt();
    let one_pass = SignedReceipt::seal_and_sign(receipt.clone(), &[&key], at(5)).unwrap();
    let two_pass =
        Signed::sign(receipt.with_computed_next_root().unwrap(), &[&key], at(5)).unwrap();
    assert_eq!(one_pass, two_pass);
}

#[track_caller]
fn check(mutate: impl FnOnce(&mut Value), expected: Result<(), &str>) {
    let receipt = python_receipt().with_computed_next_root().unwrap();
    let mut value = receipt.to_value().unwrap();
    mutate(&mut value);
    let read = Receipt::from_value(value);
    match expected {
        Ok(()) => assert_eq!(read, Ok(receipt)),
        Err(field) => match read {
            Err(
                FieldError::Invalid { path: got, .. }
                | FieldError::Missing { path: got }
                | FieldError::Unknown { path: got },
            ) => assert_eq!(got, format!("receipt.{field}")),
            other => panic!("expected an error on {field}, got {other:?}"),
        },
    }
}

#[test]
fn receipt_reader_round_trips_and_names_bad_members() {
    check(|_| {}, Ok(()));
    check(|v| v["type"] = json!("Other"), Err("type"));
    check(|v| v["sequence"] = json!(-1), Err("sequence"));
    check(
        |v| v["timestamp"] = json!("2023-11-14T22:13:20.5Z"),
        Err("timestamp"),
    );
    check(|v| v["prev_root"] = json!("AA"), Err("prev_root"));
    check(
        |v| v["corridor_id"] = json!("has space"),
        Err("corridor_id"),
    );
    check(|v| v["transition"] = Value::Null, Err("transition"));
    check(|v| v["transition"]["extra"] = json!(1), Err("transition"));
    check(|v| v["surprise"] = json!(1), Err("surprise"));
    check(
        |v| {
            v.as_object_mut().unwrap().remove("next_root");
        },
        Err("next_root"),
    );
    check(
        |v| v["lawpack_digest_set"] = json!([digest(2).to_hex(), digest(1).to_hex()]),
        Err("lawpack_digest_set"),
    );
    check(
        |v| v["ruleset_digest_set"] = json!([digest(1).to_hex(), digest(1).to_hex()]),
        Err("ruleset_digest_set"),
    );
}

#[test]
fn receipt_without_transition_omits_the_member() {
    let mut receipt = python_receipt();
    receipt.transition = None;
    let value = receipt.to_value().unwrap();
    assert!(value.get("transition").is_none());
    assert_eq!(Receipt::from_value(value), Ok(receipt));
}

#[test]
fn digest_set_normalises_builders_and_rejects_unsorted_readers() {
    let set = DigestSet::normalised([digest(3), digest(1), digest(3), digest(2)]);
    assert_eq!(set.as_slice(), &[digest(1), digest(2), digest(3)]);
    assert_eq!(
        DigestSet::from_sorted(vec![digest(1), digest(3), digest(2)]),
        Err(DigestSetError::Unsorted {
            index: 2,
            digest: digest(2)
        })
    );
    assert_eq!(
        DigestSet::from_sorted(vec![digest(1), digest(1)]),
        Err(DigestSetError::Duplicate {
            index: 1,
            digest: digest(1)
        })
    );
    assert_eq!(DigestSet::from_sorted(vec![]), Ok(DigestSet::default()));
}

#[test]
fn genesis_reader_round_trips_and_rejects_a_wrong_tag() {
    let genesis = test_support::genesis();
    let value = serde_json::to_value(&genesis).unwrap();
    assert_eq!(Genesis::from_value(value.clone()), Ok(genesis));
    let mut wrong = value;
    wrong["tag"] = json!("msez.corridor.state.genesis.v2");
    assert!(matches!(
        Genesis::from_value(wrong),
        Err(FieldError::Invalid { path, .. }) if path == "genesis.tag"
    ));
}

proptest! {
    #[test]
    fn receipt_readers_never_panic_on_arbitrary_input(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(value) = crate::canonical::parse(&bytes) {
            let _ = Receipt::from_value(value.clone());
            let _ = Genesis::from_value(value.clone());
            let _ = SignedReceipt::from_value(&value);
        }
    }

    #[test]
    fn receipt_readers_never_panic_on_mutated_receipts(position in 0usize..2000, byte in any::<u8>()) {
        let receipt = python_receipt().with_computed_next_root().unwrap();
        let mut text = serde_json::to_vec(&receipt).unwrap();
        let index = position % text.len();
        text[index] = byte;
        if let Ok(value) = crate::canonical::parse(&text) {
            let _ = Receipt::from_value(value.clone());
            let _ = SignedReceipt::from_value(&value);
        }
    }
}

/// The generic path the typed writer replaced: the receipt as a serde value, `next_root` taken
/// out or left in, then the general canonicaliser.
fn generic_canonical_bytes(receipt: &Receipt, next_root: NextRoot) -> Result<Vec<u8>, CanonError> {
    let mut value = receipt.to_value()?;
    if next_root == NextRoot::Omitted {
        value.as_object_mut().unwrap().remove("next_root");
    }
    Ok(CanonicalBytes::new(&value)?.into_bytes())
}

fn arbitrary_digest() -> impl Strategy<Value = Digest> {
    any::<[u8; 32]>().prop_map(Digest::from_bytes)
}

/// Receipts with any member values, including sequences beyond 2^53 − 1, strings that need
/// escaping, non-ASCII kinds and payloads that cannot be canonicalised, so the typed writer is
/// compared with the generic path on failures as well as on bytes.
fn arbitrary_receipt() -> impl Strategy<Value = Receipt> {
    let transition = (
        "(\\PC|[\u{0}-\u{1f}\"\\\\]){0,12}",
        test_support::arbitrary_json_any(),
        arbitrary_digest(),
    )
        .prop_map(|(kind, payload, payload_sha256)| Transition {
            kind,
            payload,
            payload_sha256,
        });
    (
        "[A-Za-z0-9._:-]{1,24}",
        prop_oneof![0u64..1_000, any::<u64>()],
        -62_135_596_800i64..=253_402_300_799,
        (arbitrary_digest(), arbitrary_digest()),
        proptest::collection::vec(arbitrary_digest(), 0..4),
        proptest::collection::vec(arbitrary_digest(), 0..4),
        proptest::option::of(transition),
    )
        .prop_map(
            |(
                corridor_id,
                sequence,
                seconds,
                (prev_root, next_root),
                lawpacks,
                rulesets,
                transition,
            )| {
                Receipt {
                    receipt_type: ReceiptType::CorridorStateReceipt,
                    corridor_id: CorridorId::new(corridor_id).unwrap(),
                    sequence,
                    timestamp: Timestamp::from_unix_seconds(seconds).unwrap(),
                    prev_root,
                    next_root,
                    lawpack_digest_set: DigestSet::normalised(lawpacks),
                    ruleset_digest_set: DigestSet::normalised(rulesets),
                    transition,
                }
            },
        )
}

#[test]
fn typed_writer_names_the_generic_paths_in_its_errors() {
    let mut receipt = python_receipt();
    receipt.sequence = 1 << 53;
    assert_eq!(
        receipt.compute_next_root(),
        Err(CanonError::IntegerOutOfRange {
            path: "$.sequence".to_owned(),
            number: (1u64 << 53).to_string(),
        })
    );
    let mut receipt = python_receipt();
    receipt.transition.as_mut().unwrap().payload = json!({"rate": 0.5});
    assert!(matches!(
        receipt.compute_next_root(),
        Err(CanonError::NotAnInteger { path, .. }) if path == "$.transition.payload.rate"
    ));
}

proptest! {
    /// The typed canonical writer is the generic canonicaliser, byte for byte and error for
    /// error, with and without `next_root`.
    #[test]
    fn typed_canonical_bytes_equal_the_generic_canonicaliser(receipt in arbitrary_receipt()) {
        for next_root in [NextRoot::Omitted, NextRoot::Included] {
            let typed = receipt.canonical_bytes(next_root).map(CanonicalBytes::into_bytes);
            prop_assert_eq!(typed, generic_canonical_bytes(&receipt, next_root));
        }
        let generic_next_root = generic_canonical_bytes(&receipt, NextRoot::Omitted)
            .map(|bytes| CanonicalBytes::parse(&bytes).unwrap().digest());
        prop_assert_eq!(receipt.compute_next_root(), generic_next_root.clone());
        if let Ok(next_root) = generic_next_root {
            let mut value = receipt.to_value().unwrap();
            prop_assert_eq!(next_root_of_value(&mut value), Ok(next_root));
        }
    }

    /// Sealing and signing through the typed writer gives the same signed receipt, proof bytes
    /// included, as sealing then signing through the receipt's JSON value.
    #[test]
    fn seal_and_sign_equals_the_generic_path(receipt in arbitrary_receipt(), key_count in 1usize..3) {
        let keys: Vec<SigningKey> = (1..=key_count)
            .map(|index| test_support::key(u8::try_from(index).unwrap()))
            .collect();
        let key_refs: Vec<&SigningKey> = keys.iter().collect();
        let one_pass = SignedReceipt::seal_and_sign(receipt.clone(), &key_refs, at(5));
        let generic = generic_canonical_bytes(&receipt, NextRoot::Omitted).and_then(|bytes| {
            let mut sealed = receipt.clone();
            sealed.next_root = CanonicalBytes::parse(&bytes)?.digest();
            Ok(sealed)
        });
        match (one_pass, generic) {
            (Ok(one_pass), Ok(sealed)) => {
                let value = sealed.to_value().unwrap();
                let proofs: Vec<proof::Proof> = key_refs
                    .iter()
                    .map(|key| {
                        proof::create_proof(&value, key, at(5), ProofPurpose::AssertionMethod).unwrap()
                    })
                    .collect();
                prop_assert_eq!(
                    one_pass.to_value().unwrap(),
                    Signed { document: sealed, proofs }.to_value().unwrap()
                );
            }
            (Err(SignedError::Canonical(typed)), Err(generic)) => prop_assert_eq!(typed, generic),
            (one_pass, generic) => prop_assert!(false, "typed {:?} vs generic {:?}", one_pass, generic),
        }
    }

    /// The secured receipt's canonical bytes, written from the typed receipt and the proofs'
    /// kept `proofValue` texts, equal the generic canonicaliser over [`Signed::to_value`] for no,
    /// one and several proofs, and again after the receipt went through the wire (parsed
    /// proofs keep the text they were read with).
    #[test]
    fn secured_canonical_bytes_equal_the_generic_canonicaliser(
        receipt in arbitrary_receipt(),
        key_count in 0usize..4,
    ) {
        let keys: Vec<SigningKey> = (1..=key_count)
            .map(|index| test_support::key(u8::try_from(index).unwrap()))
            .collect();
        let key_refs: Vec<&SigningKey> = keys.iter().collect();
        if let Ok(signed) = SignedReceipt::seal_and_sign(receipt, &key_refs, at(5)) {
            let generic = CanonicalBytes::new(&signed.to_value().unwrap()).unwrap();
            prop_assert_eq!(signed.canonical_bytes().unwrap().into_bytes(), generic.as_bytes().to_vec());
            let read = SignedReceipt::from_value(&crate::canonical::parse(generic.as_bytes()).unwrap())
                .unwrap();
            prop_assert_eq!(read.canonical_bytes().unwrap().into_bytes(), generic.as_bytes().to_vec());
        }
    }
}
