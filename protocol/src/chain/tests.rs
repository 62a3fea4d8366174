//! Receipt chain tests. Goal: every acceptance rule of SPEC §5 rejects with its own variant,
//! naming corridor and sequence, and leaves the chain unchanged; honest receipts are accepted
//! and advance head, height and MMR. Method: one `check` that builds the next honest receipt on
//! a 2-receipt chain, lets the test tamper with it (re-signing or not), and appends.

use serde_json::json;

use super::*;
use crate::keys::SigningKey;
use crate::mmr::Mmr;
use crate::policy::{PROOFS_PER_DOCUMENT_MAX, Rejection};
use crate::receipt::Receipt;
use crate::test_support::{at, chain_of, digest, key, next_receipt, now, sign};

/// What the test does to the honest next receipt before appending it.
enum Tamper {
    /// Change the receipt, then recompute next_root and sign with keys 1 and 2.
    Resealed(fn(&mut Receipt)),
    /// Change the receipt after signing, without recomputing anything.
    Raw(fn(&mut Receipt)),
    /// Sign the honest receipt with these key indices instead.
    Signers(&'static [u8]),
}

#[track_caller]
fn check(tamper: Tamper, expected: Result<(), AppendError>) {
    let (mut chain, _) = chain_of(2);
    let before = chain.clone();
    let honest = next_receipt(&chain, 100, json!({"amount_minor": 7, "currency": "PKR"}));
    let keys = [key(1), key(2), key(3), key(4)];
    let default_signers = [&keys[0], &keys[1]];
    let signed = match tamper {
        Tamper::Resealed(change) => {
            let mut receipt = honest;
            change(&mut receipt);
            sign(receipt.with_computed_next_root().unwrap(), &default_signers)
        }
        Tamper::Raw(change) => {
            let mut signed = sign(honest, &default_signers);
            change(&mut signed.document);
            signed
        }
        Tamper::Signers(indices) => {
            let signers: Vec<&SigningKey> = indices
                .iter()
                .map(|index| &keys[usize::from(*index) - 1])
                .collect();
            sign(honest, &signers)
        }
    };
    let result = chain.append(&signed, now());
    match expected {
        Ok(()) => {
            let appended = result.unwrap();
            assert_eq!(appended.sequence, 2);
            assert_eq!(chain.height(), 3);
            assert_eq!(chain.head(), signed.document.next_root);
            assert_eq!(chain.mmr().root(), Some(appended.mmr_root));
        }
        Err(expected) => {
            assert_eq!(result, Err(expected));
            assert_eq!(chain, before, "a rejected append must not change the chain");
        }
    }
}

#[test]
fn append_accepts_an_honest_receipt() {
    check(Tamper::Resealed(|_| {}), Ok(()));
    check(Tamper::Signers(&[2, 3]), Ok(()));
    check(Tamper::Signers(&[3, 1, 2]), Ok(()));
}

#[test]
fn append_rejects_corridor_mismatch() {
    check(
        Tamper::Resealed(|r| r.corridor_id = CorridorId::new("PK-CN.trade.9").unwrap()),
        Err(AppendError::CorridorMismatch {
            corridor_id: crate::test_support::corridor(),
            sequence: 2,
            got: CorridorId::new("PK-CN.trade.9").unwrap(),
        }),
    );
}

#[test]
fn append_rejects_sequence_other_than_height() {
    check(
        Tamper::Resealed(|r| r.sequence = 3),
        Err(AppendError::SequenceMismatch {
            corridor_id: crate::test_support::corridor(),
            sequence: 3,
            height: 2,
        }),
    );
    check(
        Tamper::Resealed(|r| r.sequence = 1),
        Err(AppendError::SequenceMismatch {
            corridor_id: crate::test_support::corridor(),
            sequence: 1,
            height: 2,
        }),
    );
}

#[test]
fn append_rejects_prev_root_other_than_head() {
    let (chain, _) = chain_of(2);
    check(
        Tamper::Resealed(|r| r.prev_root = digest(0xee)),
        Err(AppendError::PrevRootMismatch {
            corridor_id: crate::test_support::corridor(),
            sequence: 2,
            head: chain.head(),
            got: digest(0xee),
        }),
    );
}

#[test]
fn append_rejects_timestamp_before_previous() {
    // chain_of(2) put the last receipt at T0 + 10 s.
    check(
        Tamper::Resealed(|r| r.timestamp = at(9)),
        Err(AppendError::TimestampBeforePrevious {
            corridor_id: crate::test_support::corridor(),
            sequence: 2,
            previous: at(10),
            got: at(9),
        }),
    );
    check(Tamper::Resealed(|r| r.timestamp = at(10)), Ok(()));
}

#[test]
fn append_timestamp_tolerance_accepts_limit_and_rejects_limit_plus_one() {
    // now() is T0 + 3600 s.
    check(Tamper::Resealed(|r| r.timestamp = at(3600 + 60)), Ok(()));
    check(
        Tamper::Resealed(|r| r.timestamp = at(3600 + 61)),
        Err(AppendError::TimestampInFuture {
            corridor_id: crate::test_support::corridor(),
            sequence: 2,
            now: now(),
            got: at(3661),
        }),
    );
}

#[test]
fn append_rejects_payload_digest_mismatch() {
    let computed =
        crate::canonical::CanonicalBytes::new(&json!({"amount_minor": 8, "currency": "PKR"}))
            .unwrap()
            .digest();
    check(
        Tamper::Resealed(|r| {
            r.transition.as_mut().unwrap().payload = json!({"amount_minor": 8, "currency": "PKR"});
        }),
        Err(AppendError::PayloadDigestMismatch {
            corridor_id: crate::test_support::corridor(),
            sequence: 2,
            computed,
            got: crate::canonical::CanonicalBytes::new(
                &json!({"amount_minor": 7, "currency": "PKR"}),
            )
            .unwrap()
            .digest(),
        }),
    );
}

#[test]
fn append_rejects_next_root_that_does_not_recompute() {
    let (chain, _) = chain_of(2);
    let honest = next_receipt(&chain, 100, json!({"amount_minor": 7, "currency": "PKR"}));
    let mut tampered = honest.clone();
    tampered.lawpack_digest_set = crate::receipt::DigestSet::normalised([digest(0x99)]);
    let computed = tampered.compute_next_root().unwrap();
    check(
        Tamper::Raw(|r| {
            r.lawpack_digest_set = crate::receipt::DigestSet::normalised([digest(0x99)]);
        }),
        Err(AppendError::NextRootMismatch {
            corridor_id: crate::test_support::corridor(),
            sequence: 2,
            computed,
            got: honest.next_root,
        }),
    );
}

#[test]
fn append_rejects_a_payload_that_cannot_be_canonicalised() {
    let (mut chain, _) = chain_of(1);
    let mut receipt = next_receipt(&chain, 20, json!({}));
    receipt.transition.as_mut().unwrap().payload = json!({"rate": 0.5});
    let signed = crate::signed::Signed {
        document: receipt,
        proofs: Vec::new(),
    };
    assert!(matches!(
        chain.append(&signed, now()),
        Err(AppendError::Canonical { sequence: 1, .. })
    ));
}

/// Extracts the rejected proofs of a `ThresholdNotMet` error.
fn rejections(result: Result<Appended, AppendError>) -> (usize, Vec<Rejection>) {
    match result {
        Err(AppendError::Signatures {
            sequence: 2,
            source:
                PolicyError::ThresholdNotMet {
                    valid_signer_count,
                    threshold: 2,
                    rejected,
                },
            ..
        }) => (
            valid_signer_count,
            rejected.into_iter().map(|r| r.rejection).collect(),
        ),
        other => panic!("expected ThresholdNotMet, got {other:?}"),
    }
}

fn append_next(
    signers: &[&SigningKey],
    tamper_after_signing: bool,
) -> Result<Appended, AppendError> {
    let (mut chain, _) = chain_of(2);
    let receipt = next_receipt(&chain, 100, json!({"amount_minor": 7, "currency": "PKR"}));
    let mut signed = sign(receipt.clone(), signers);
    if tamper_after_signing {
        // A proof made over a different receipt: valid shape, invalid signature here.
        let mut other = receipt;
        other.timestamp = at(101);
        let other = other.with_computed_next_root().unwrap();
        signed.proofs[0] = sign(other, &signers[..1]).proofs[0].clone();
    }
    let before = chain.clone();
    let result = chain.append(&signed, now());
    if result.is_err() {
        assert_eq!(chain, before);
    }
    result
}

#[test]
fn append_rejects_proofs_below_threshold_and_reports_each() {
    let (k1, k2, k4) = (key(1), key(2), key(4));
    let (count, rejected) = rejections(append_next(&[&k1], false));
    assert_eq!((count, rejected), (1, vec![]));

    let (count, rejected) = rejections(append_next(&[&k1, &k4], false));
    assert_eq!(count, 1);
    assert_eq!(rejected, vec![Rejection::NotAuthorised(*k4.did())]);

    let (count, rejected) = rejections(append_next(&[&k1, &k1], false));
    assert_eq!(count, 1);
    assert_eq!(rejected, vec![Rejection::DuplicateSigner(*k1.did())]);

    let (count, rejected) = rejections(append_next(&[&k1, &k2], true));
    assert_eq!(count, 1);
    assert!(matches!(rejected.as_slice(), [Rejection::Invalid(_)]));

    let (count, rejected) = rejections(append_next(&[], false));
    assert_eq!((count, rejected), (0, vec![]));
}

#[test]
fn append_proof_count_accepts_limit_and_rejects_limit_plus_one() {
    let (k1, k2) = (key(1), key(2));
    let mut signers: Vec<&SigningKey> = vec![&k1, &k2];
    // Fill to the limit with repeats of key 1: they count once but stay within the limit.
    while signers.len() < PROOFS_PER_DOCUMENT_MAX {
        signers.push(&k1);
    }
    let appended = append_next(&signers, false).unwrap();
    assert_eq!(appended.signers, vec![*k1.did(), *k2.did()]);
    signers.push(&k1);
    assert_eq!(
        append_next(&signers, false),
        Err(AppendError::Signatures {
            corridor_id: crate::test_support::corridor(),
            sequence: 2,
            source: PolicyError::TooManyProofs {
                proof_count: PROOFS_PER_DOCUMENT_MAX + 1
            },
        })
    );
}

#[test]
fn append_advances_head_height_and_mmr_like_a_full_mmr() {
    let (chain, receipts) = chain_of(5);
    let full = Mmr::from_next_roots(receipts.iter().map(|r| &r.document.next_root)).unwrap();
    assert_eq!(chain.height(), 5);
    assert_eq!(chain.head(), receipts[4].document.next_root);
    assert_eq!(chain.mmr().root(), full.root());
    assert_eq!(chain.last_timestamp(), Some(at(40)));
    assert_eq!(receipts[0].document.prev_root, chain.genesis_root());
}
