//! Checkpoint tests. Goal: a checkpoint of a chain has the SPEC §7 members, verifies under the
//! corridor's policy, rejects each inconsistency with its own variant, and lets a verifier that
//! trusts it check only the tail. Method: checkpoints of fixture chains, tampered one member at
//! a time.

use serde_json::json;

use super::*;
use crate::test_support::{at, chain_of, digest, key, next_receipt, now, policy, sign};

fn signed_checkpoint_of(count: u64) -> (ReceiptChain, SignedCheckpoint) {
    let (chain, _) = chain_of(count);
    let checkpoint = Checkpoint::of_chain(&chain, at(500));
    let signed = Signed::sign(checkpoint, &[&key(1), &key(3)], at(500)).unwrap();
    (chain, signed)
}

#[track_caller]
fn check(mutate: impl FnOnce(&mut Checkpoint), expected: Result<(), CheckpointError>) {
    let (chain, mut signed) = signed_checkpoint_of(3);
    mutate(&mut signed.document);
    let result = verify_checkpoint(&signed, chain.policy()).map(drop);
    match expected {
        Ok(()) => assert_eq!(result, Ok(())),
        Err(expected) => assert_eq!(result, Err(expected)),
    }
}

#[test]
fn checkpoint_serialises_with_spec_members() {
    let (_, signed) = signed_checkpoint_of(3);
    let value = signed.to_value().unwrap();
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "corridor_id",
            "final_state_root",
            "genesis_root",
            "lawpack_digest_set",
            "mmr",
            "proof",
            "receipt_count",
            "ruleset_digest_set",
            "timestamp",
            "type"
        ]
    );
    assert_eq!(value["type"], json!(CHECKPOINT_TYPE));
    assert_eq!(value["mmr"]["type"], json!("MSEZReceiptMMR"));
    assert_eq!(value["mmr"]["algorithm"], json!("sha256"));
    assert_eq!(value["mmr"]["size"], json!(3));
    assert_eq!(SignedCheckpoint::from_value(&value), Ok(signed));
}

#[test]
fn checkpoint_digest_is_the_digest_without_proof() {
    let (chain, signed) = signed_checkpoint_of(2);
    let mut value = signed.to_value().unwrap();
    value.as_object_mut().unwrap().remove("proof");
    let expected = CanonicalBytes::new(&value).unwrap().digest();
    assert_eq!(signed.document.digest(), Ok(expected));
    let verified = verify_checkpoint(&signed, chain.policy()).unwrap();
    assert_eq!(verified.digest(), expected);
    assert_eq!(verified.signers().len(), 2);
}

#[test]
fn checkpoint_verification_rejects_each_inconsistency() {
    check(|_| {}, Ok(()));
    check(
        |c| c.mmr.size = 4,
        Err(CheckpointError::SizeMismatch {
            corridor_id: crate::test_support::corridor(),
            receipt_count: 3,
            mmr_size: 4,
        }),
    );
    check(
        |c| {
            c.mmr.peaks.pop();
        },
        Err(CheckpointError::PeakPlan {
            corridor_id: crate::test_support::corridor(),
            source: PeakPlanError::PeakCount {
                size: 3,
                expected_count: 2,
                got_count: 1,
            },
        }),
    );
    let (_, honest) = signed_checkpoint_of(3);
    check(
        |c| c.mmr.root = Some(digest(1)),
        Err(CheckpointError::RootMismatch {
            corridor_id: crate::test_support::corridor(),
            stated: Some(digest(1)),
            computed: honest.document.mmr.root,
        }),
    );
    // A member covered only by the signatures.
    let result = {
        let (chain, mut signed) = signed_checkpoint_of(3);
        signed.document.final_state_root = digest(7);
        verify_checkpoint(&signed, chain.policy())
    };
    assert!(matches!(
        result,
        Err(CheckpointError::Signatures {
            source: PolicyError::ThresholdNotMet { .. },
            ..
        })
    ));
}

#[test]
fn checkpoint_of_empty_chain_has_null_root_and_genesis_head() {
    let (chain, signed) = signed_checkpoint_of(0);
    assert_eq!(
        signed.to_value().unwrap()["mmr"]["root"],
        serde_json::Value::Null
    );
    assert!(verify_checkpoint(&signed, chain.policy()).is_ok());
    let mut tampered = signed;
    tampered.document.final_state_root = digest(5);
    assert_eq!(
        verify_checkpoint(&tampered, chain.policy()),
        Err(CheckpointError::EmptyHeadNotGenesis {
            corridor_id: crate::test_support::corridor(),
            final_state_root: digest(5),
            genesis_root: chain.genesis_root(),
        })
    );
}

#[test]
fn checkpoint_under_another_policy_is_rejected() {
    let (_, signed) = signed_checkpoint_of(2);
    let other = policy(1, &[&key(7)]);
    assert!(matches!(
        verify_checkpoint(&signed, &other),
        Err(CheckpointError::Signatures { .. })
    ));
}

#[test]
fn chain_from_checkpoint_verifies_only_the_tail_and_reaches_the_same_state() {
    let (full_chain, receipts) = chain_of(6);
    let (chain_at_4, _) = chain_of(4);
    let signed = Signed::sign(
        Checkpoint::of_chain(&chain_at_4, at(45)),
        &[&key(1), &key(2)],
        at(45),
    )
    .unwrap();
    let verified = verify_checkpoint(&signed, chain_at_4.policy()).unwrap();
    let mut tail = ReceiptChain::from_checkpoint(&verified);
    assert_eq!(tail.height(), 4);
    for receipt in &receipts[4..] {
        tail.append(receipt, now()).unwrap();
    }
    assert_eq!(tail.head(), full_chain.head());
    assert_eq!(tail.mmr(), full_chain.mmr());
    assert_eq!(
        Checkpoint::of_chain(&tail, at(1)),
        Checkpoint::of_chain(&full_chain, at(1))
    );
    // An honest next receipt built on the tail is accepted by both.
    let next = sign(
        next_receipt(&tail, 70, json!({"n": 1})),
        &[&key(2), &key(3)],
    );
    let mut full = full_chain;
    assert!(tail.append(&next, now()).is_ok());
    assert!(full.append(&next, now()).is_ok());
}

#[test]
fn check_matches_names_the_first_differing_member() {
    let (chain, signed) = signed_checkpoint_of(3);
    assert_eq!(signed.document.check_matches(&chain), Ok(()));
    let mut other = signed.document.clone();
    other.receipt_count = 2;
    assert_eq!(
        other.check_matches(&chain),
        Err(CheckpointError::ChainMismatch {
            corridor_id: crate::test_support::corridor(),
            field: "receipt_count",
        })
    );
}
