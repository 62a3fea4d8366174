//! Goal: open enums keep unknown values, idempotency keys are bounded. Method: table cases.

use super::*;
use crate::organization::Privacy;

#[test]
fn open_enum_round_trips_known_and_unknown_values() {
    let known: Privacy = serde_json::from_str("\"PUBLIC\"").unwrap();
    assert_eq!(known, Privacy::Public);
    let unknown: Privacy = serde_json::from_str("\"FRIENDS_ONLY\"").unwrap();
    assert_eq!(unknown, Privacy::Unknown("FRIENDS_ONLY".to_owned()));
    assert_eq!(serde_json::to_string(&unknown).unwrap(), "\"FRIENDS_ONLY\"");
}

#[test]
fn idempotency_key_limit_accepts_255_bytes_and_rejects_256() {
    assert!(IdempotencyKey::new("k".repeat(IDEMPOTENCY_KEY_BYTES_MAX)).is_ok());
    assert!(IdempotencyKey::new("k".repeat(IDEMPOTENCY_KEY_BYTES_MAX + 1)).is_err());
    assert!(IdempotencyKey::new("").is_err());
    assert!(IdempotencyKey::new("has space").is_err());
}
