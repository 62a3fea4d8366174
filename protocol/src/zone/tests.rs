//! Goal: the lock is a pure function of zone.yaml and the packs (byte-identical on repeat,
//! different when a pack changes), and every fault names its field. Method: a fixture zone.

use std::collections::BTreeMap;

use super::*;
use crate::packs::fixtures::{ACT_XML, lawpack_files, regpack_value, single};
use crate::packs::regpack::REGPACK_PATH;

const KEY: &str = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK";

fn zone_yaml(extra_pin: &str) -> String {
    format!(
        "zone_id: pk-rsez\njurisdiction: PK-RSEZ\ndomains: [tax, aml, sanctions]\npacks:\n  lawpacks:\n    - path: packs/ito{extra_pin}\n  regpacks:\n    - path: packs/fbr\ncorridors:\n  - {{corridor_id: pk-ae-2, peer_zone_id: ae-difc, peer_jurisdiction: AE}}\n  - {{corridor_id: pk-ae-1, peer_zone_id: ae-difc, peer_jurisdiction: AE}}\nkeys:\n  - {{key_id: receipts-1, purpose: receipt_signing, public_key: '{KEY}'}}\n"
    )
}

fn packs() -> BTreeMap<String, PackFiles> {
    let mut packs = BTreeMap::new();
    packs.insert("packs/ito".to_owned(), lawpack_files());
    packs.insert(
        "packs/fbr".to_owned(),
        single(REGPACK_PATH, &regpack_value()),
    );
    packs
}

fn lock_bytes(yaml: &str, packs: &BTreeMap<String, PackFiles>) -> Result<Vec<u8>, ZoneError> {
    let config = parse_zone_config(yaml.as_bytes())?;
    lock_zone(&config, packs)?.to_bytes()
}

#[test]
fn lock_zone_is_byte_identical_on_repeat() {
    let first = lock_bytes(&zone_yaml(""), &packs()).unwrap();
    let second = lock_bytes(&zone_yaml(""), &packs()).unwrap();
    assert_eq!(first, second);
    assert!(first.ends_with(b"}\n"));
    let text = String::from_utf8(first).unwrap();
    // Domains in SPEC order, corridors sorted by id.
    assert!(
        text.contains(r#""domains":["aml","sanctions","tax"]"#),
        "{text}"
    );
    assert!(text.find("pk-ae-1") < text.find("pk-ae-2"));
}

#[test]
fn lock_zone_changes_when_a_pack_changes() {
    let before = lock_bytes(&zone_yaml(""), &packs()).unwrap();
    let mut changed = packs();
    if let Some(files) = changed.get_mut("packs/ito") {
        files.insert(
            "akn/ito.xml".into(),
            ACT_XML.replace("Exports", "Imports").into_bytes(),
        );
    }
    let after = lock_bytes(&zone_yaml(""), &changed).unwrap();
    assert_ne!(before, after);
}

#[test]
fn lock_zone_checks_pinned_digest() {
    let digest = crate::packs::pack_digest(&lawpack_files()).unwrap().digest;
    let pinned = zone_yaml(&format!("\n      digest: '{digest}'"));
    let lock = lock_bytes(&pinned, &packs()).unwrap();
    assert!(
        String::from_utf8(lock)
            .unwrap()
            .contains(r#""pinned":true"#)
    );

    let wrong = zone_yaml(&format!("\n      digest: '{}'", "0".repeat(64)));
    match lock_bytes(&wrong, &packs()) {
        Err(ZoneError::Pack {
            field,
            error:
                PackError::DigestMismatch {
                    field: digest_field,
                    ..
                },
        }) => {
            assert_eq!(field, "$.packs.lawpacks[0]");
            assert_eq!(digest_field, "$.packs.lawpacks[0].digest");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn lock_zone_names_missing_and_mismatched_packs() {
    let mut missing = packs();
    missing.remove("packs/fbr");
    assert!(matches!(
        lock_bytes(&zone_yaml(""), &missing),
        Err(ZoneError::PackNotProvided { field, .. }) if field == "$.packs.regpacks[0]"
    ));
    let mut swapped = packs();
    swapped.insert("packs/fbr".to_owned(), lawpack_files());
    assert!(matches!(
        lock_bytes(&zone_yaml(""), &swapped),
        Err(ZoneError::PackKindMismatch {
            expected: PackKind::Regpack,
            found: PackKind::Lawpack,
            ..
        })
    ));
}

#[test]
fn parse_zone_config_names_unknown_domain() {
    let yaml = zone_yaml("").replace("[tax, aml, sanctions]", "[tax, aml, astrology]");
    match parse_zone_config(yaml.as_bytes()) {
        Err(ZoneError::Field(FieldError::UnknownWord { path, value, .. })) => {
            assert_eq!(path, "$.domains[2]");
            assert_eq!(value, "astrology");
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn parse_zone_config_rejects_bad_key_and_unknown_field() {
    let yaml = zone_yaml("").replace(KEY, "did:key:zNotAKey");
    assert_eq!(
        parse_zone_config(yaml.as_bytes()),
        Err(ZoneError::BadKey {
            field: "$.keys[0].public_key".into()
        })
    );
    let yaml = zone_yaml("") + "colour: blue\n";
    assert_eq!(
        parse_zone_config(yaml.as_bytes()),
        Err(ZoneError::Field(FieldError::Unknown {
            path: "$.colour".into()
        }))
    );
}

#[test]
fn check_lock_detects_stale_lock() {
    let config = parse_zone_config(zone_yaml("").as_bytes()).unwrap();
    let lock = lock_zone(&config, &packs()).unwrap();
    let bytes = lock.to_bytes().unwrap();
    assert_eq!(check_lock(&lock, &bytes), Ok(()));
    assert_eq!(check_lock(&lock, &bytes[1..]), Err(ZoneError::LockStale));
}

proptest::proptest! {
    #[test]
    fn parse_zone_config_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
        let _ = parse_zone_config(&bytes);
    }
}
