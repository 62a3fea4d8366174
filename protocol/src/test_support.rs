//! Fixtures shared by the receipt, chain, checkpoint and export tests: deterministic keys, a
//! genesis object, and chains of signed receipts built the way a corridor would build them.

use serde_json::{Value, json};

use crate::chain::ReceiptChain;
use crate::digest::Digest;
use crate::ids::CorridorId;
use crate::keys::SigningKey;
use crate::policy::SigningPolicy;
use crate::receipt::{DigestSet, Genesis, Receipt, ReceiptType, SignedReceipt, Transition};
use crate::signed::Signed;
use crate::time::Timestamp;

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
