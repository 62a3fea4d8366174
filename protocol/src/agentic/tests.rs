//! Goal: the vocabularies are complete and closed. Method: count and round-trip every word.

use super::*;

#[test]
fn trigger_vocabulary_has_twenty_words_that_round_trip() {
    assert_eq!(TriggerKind::ALL.len(), 20);
    for kind in TriggerKind::ALL {
        assert_eq!(TriggerKind::from_word(kind.as_str()), Some(*kind));
    }
    assert_eq!(TriggerKind::from_word("sanctions_update"), None);
}

#[test]
fn action_opposites_are_symmetric() {
    for kind in ActionKind::ALL {
        if let Some(opposite) = kind.opposite() {
            assert_eq!(opposite.opposite(), Some(*kind));
            assert_ne!(kind.is_restrictive(), opposite.is_restrictive());
        }
    }
}

#[test]
fn trigger_new_rejects_fractional_payload() {
    let at = Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let payload = serde_json::json!({"score": 0.5});
    assert!(matches!(
        Trigger::new(TriggerKind::SanctionsListUpdate, None, payload, at),
        Err(CanonError::NotAnInteger { .. })
    ));
}
