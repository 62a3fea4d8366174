//! Test fixtures shared by several modules: proptest strategies for arbitrary JSON, and
//! deterministic keys, a genesis object and chains of signed receipts built the way a corridor
//! would build them.
//!
//! Owns [`arbitrary_json`], [`arbitrary_json_any`], [`chain_of`] and [`trusted_checkpoint`].
//! Never compiled outside tests.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::chain::ReceiptChain;
use crate::checkpoint::{self, Checkpoint, VerifiedCheckpoint};
use crate::digest::Digest;
use crate::ids::CorridorId;
use crate::keys::SigningKey;
use crate::policy::SigningPolicy;
use crate::receipt::{DigestSet, Genesis, Receipt, ReceiptType, SignedReceipt, Transition};
use crate::signed::Signed;
use crate::time::Timestamp;

/// The member names of a JSON object, sorted.
pub(crate) fn member_names(value: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names
}

/// 2023-11-14T22:13:20Z: the first receipt's time.
pub(crate) const T0_UNIX_SECONDS: i64 = 1_700_000_000;

pub(crate) fn key(index: u8) -> SigningKey {
    SigningKey::from_seed(&[index; 32])
}

pub(crate) fn digest(byte: u8) -> Digest {
    Digest::from_bytes([byte; 32])
}

pub(crate) fn at(seconds_after_t0: i64) -> Timestamp {
    Timestamp::from_unix_seconds(T0_UNIX_SECONDS + seconds_after_t0).unwrap()
}

/// Acceptance time used by tests: an hour after T0.
pub(crate) fn now() -> Timestamp {
    at(3600)
}

pub(crate) fn corridor() -> CorridorId {
    CorridorId::new("PK-AE.trade.1").unwrap()
}

pub(crate) fn genesis() -> Genesis {
    Genesis::new(
        corridor(),
        digest(0x11),
        digest(0x22),
        DigestSet::normalised([digest(0x33)]),
        DigestSet::normalised([digest(0x55), digest(0x44)]),
    )
}

pub(crate) fn policy(threshold: u32, keys: &[&SigningKey]) -> SigningPolicy {
    SigningPolicy::new(threshold, keys.iter().map(|key| *key.did()).collect()).unwrap()
}

/// The next receipt on `chain`'s head, `seconds_after_t0` after T0, with a transition.
pub(crate) fn next_receipt(chain: &ReceiptChain, seconds_after_t0: i64, payload: Value) -> Receipt {
    Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: chain.corridor_id().clone(),
        sequence: chain.height(),
        timestamp: at(seconds_after_t0),
        prev_root: chain.head(),
        next_root: Digest::from_bytes([0; 32]),
        lawpack_digest_set: chain.lawpack_digest_set().clone(),
        ruleset_digest_set: chain.ruleset_digest_set().clone(),
        transition: Some(Transition::new("netting.settled", payload).unwrap()),
    }
    .with_computed_next_root()
    .unwrap()
}

pub(crate) fn sign(receipt: Receipt, keys: &[&SigningKey]) -> SignedReceipt {
    Signed::sign(receipt, keys, at(0)).unwrap()
}

/// A chain of `count` receipts under a 2-of-3 policy (keys 1, 2, 3), each signed by keys 1
/// and 2, and the receipts themselves.
pub(crate) fn chain_of(count: u64) -> (ReceiptChain, Vec<SignedReceipt>) {
    let (k1, k2, k3) = (key(1), key(2), key(3));
    let mut chain = ReceiptChain::from_genesis(&genesis(), policy(2, &[&k1, &k2, &k3])).unwrap();
    let mut receipts = Vec::new();
    for index in 0..count {
        let seconds = i64::try_from(index).unwrap() * 10;
        let payload = json!({"amount_minor": 1000 + index, "currency": "USD"});
        let signed = sign(next_receipt(&chain, seconds, payload), &[&k1, &k2]);
        chain.append(&signed, now()).unwrap();
        receipts.push(signed);
    }
    (chain, receipts)
}

/// The checkpoint of `chain_of(count)` at `seconds_after_t0`, signed by keys 1 and 2 and
/// verified under the fixture policy.
pub(crate) fn trusted_checkpoint(count: u64, seconds_after_t0: i64) -> VerifiedCheckpoint {
    let (chain, _) = chain_of(count);
    let document = Checkpoint::of_chain(&chain, at(seconds_after_t0));
    let signed = Signed::sign(document, &[&key(1), &key(2)], at(seconds_after_t0)).unwrap();
    checkpoint::verify_checkpoint(&signed, chain.policy()).unwrap()
}

/// Arbitrary JSON inside the MSEZ profile (integers within ±(2^53−1)), so it can be signed.
pub(crate) fn arbitrary_json() -> impl Strategy<Value = Value> {
    json_with_integers(-(1i64 << 53) + 1..(1i64 << 53))
}

/// Arbitrary JSON with any i64, so canonicalisation failures are exercised too.
pub(crate) fn arbitrary_json_any() -> impl Strategy<Value = Value> {
    json_with_integers(any::<i64>())
}

/// JSON up to depth 3: nulls, booleans, the given integers, short strings, arrays and objects
/// whose keys may collide with protocol members (`type`, `proof`).
fn json_with_integers(
    integers: impl Strategy<Value = i64> + 'static,
) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        integers.prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    "[a-zA-Z_@]{1,10}",
                    Just("proof".to_owned()),
                    Just("type".to_owned())
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}
