//! Signing policy tests. Goal: only sane k-of-n policies can be built, the named limits hold at
//! the limit and reject at limit + 1, and the JSON form round-trips. Proof counting is tested
//! through the chain, where it is used.

use serde_json::json;

use super::*;
use crate::keys::SigningKey;
use crate::test_support::key;

fn dids(count: u8) -> Vec<DidKey> {
    (1..=count).map(|index| *key(index).did()).collect()
}

#[test]
fn policy_rejects_bad_thresholds_and_duplicates() {
    assert_eq!(
        SigningPolicy::new(0, dids(2)),
        Err(PolicyError::ThresholdZero)
    );
    assert_eq!(
        SigningPolicy::new(3, dids(2)),
        Err(PolicyError::ThresholdAboveSignerCount {
            threshold: 3,
            signer_count: 2
        })
    );
    let mut repeated = dids(2);
    repeated.push(repeated[0]);
    assert_eq!(
        SigningPolicy::new(1, repeated.clone()),
        Err(PolicyError::DuplicateSigner {
            signer: repeated[0]
        })
    );
}

#[test]
fn policy_signer_count_accepts_limit_and_rejects_limit_plus_one() {
    let limit = u8::try_from(POLICY_SIGNERS_MAX).unwrap();
    let policy = SigningPolicy::new(1, dids(limit)).unwrap();
    assert_eq!(policy.signers().len(), POLICY_SIGNERS_MAX);
    assert_eq!(
        SigningPolicy::new(1, dids(limit + 1)),
        Err(PolicyError::TooManySigners {
            signer_count: POLICY_SIGNERS_MAX + 1
        })
    );
}

#[test]
fn policy_round_trips_through_json_in_key_order() {
    let keys: Vec<SigningKey> = (1..=3).map(key).collect();
    let policy = SigningPolicy::new(2, keys.iter().rev().map(|k| *k.did()).collect()).unwrap();
    let value = serde_json::to_value(&policy).unwrap();
    assert_eq!(value["threshold"], json!(2));
    assert_eq!(SigningPolicy::from_value(value), Ok(policy.clone()));
    assert!(policy.names(keys[0].did()));
    assert!(!policy.names(key(9).did()));
    let sorted: Vec<[u8; 32]> = policy.signers().iter().map(DidKey::to_bytes).collect();
    let mut expected = sorted.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
}

#[test]
fn policy_reader_names_bad_members() {
    assert!(matches!(
        SigningPolicy::from_value(json!({"threshold": 1})),
        Err(PolicyError::Field(FieldError::Missing { path }))
            if path == "receipt_signing_policy.signers"
    ));
    assert!(matches!(
        SigningPolicy::from_value(json!({"threshold": 1, "signers": ["did:key:zBad"]})),
        Err(PolicyError::Field(FieldError::Invalid { path, .. }))
            if path == "receipt_signing_policy.signers"
    ));
}
