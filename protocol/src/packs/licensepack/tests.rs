//! Goal: a licence's standing on any date follows the documented rule; bad history is a typed
//! error. Method: one licence with a suspension, probed at each boundary.

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::canonical::CanonicalBytes;
use crate::packs::fixtures::licensepack_value;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn pack() -> Licensepack {
    parse_licensepack(&serde_json::to_vec(&licensepack_value()).unwrap()).unwrap()
}

#[test]
fn standing_at_follows_history_and_validity_window() {
    let pack = pack();
    let cases = [
        ("2024-12-31T23:59:59Z", LicenceStanding::NotYetValid),
        (
            "2025-01-01T00:00:00Z",
            LicenceStanding::Recorded(LicenceStatus::Active),
        ),
        (
            "2026-01-31T23:59:59Z",
            LicenceStanding::Recorded(LicenceStatus::Active),
        ),
        (
            "2026-02-01T00:00:00Z",
            LicenceStanding::Recorded(LicenceStatus::Suspended),
        ),
        (
            "2026-03-01T00:00:00Z",
            LicenceStanding::Recorded(LicenceStatus::Active),
        ),
        ("2027-01-01T00:00:00Z", LicenceStanding::Expired),
    ];
    for (date, expected) in cases {
        assert_eq!(pack.standing_at("L-1", at(date)), Some(expected), "{date}");
    }
    assert_eq!(pack.standing_at("L-404", at("2026-01-01T00:00:00Z")), None);
    let holder = EntityId::new("ent-1").unwrap();
    assert_eq!(pack.licences_of(&holder).count(), 1);
}

#[test]
fn parse_licensepack_rejects_unordered_history_and_unknown_holder() {
    let mut value = licensepack_value();
    value["licences"][0]["status_history"][2]["effective_at"] = json!("2026-01-15T00:00:00Z");
    assert!(matches!(
        parse_licensepack(&serde_json::to_vec(&value).unwrap()),
        Err(PackError::Field { error: FieldError::OutOfRange { path, .. }, .. })
            if path == "$.licences[0].status_history[2].effective_at"
    ));
    let mut value = licensepack_value();
    value["licences"][0]["holder_id"] = json!("ent-2");
    assert!(matches!(
        parse_licensepack(&serde_json::to_vec(&value).unwrap()),
        Err(PackError::Field { error: FieldError::UnknownWord { path, .. }, .. })
            if path == "$.licences[0].holder_id"
    ));
}

#[test]
fn licensepack_digest_is_tagged_canonical_digest() {
    let canonical = CanonicalBytes::new(&licensepack_value()).unwrap();
    assert_eq!(
        pack().digest(),
        Digest::tagged(LICENSEPACK_TAG, canonical.as_bytes())
    );
}

proptest! {
    #[test]
    fn parse_licensepack_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_licensepack(&bytes);
    }

    #[test]
    fn standing_is_expired_after_expiry(offset in 0i64..10_000_000) {
        let pack = pack();
        let date = at("2027-01-01T00:00:00Z").checked_add_seconds(offset).unwrap();
        prop_assert_eq!(pack.standing_at("L-1", date), Some(LicenceStanding::Expired));
    }
}
