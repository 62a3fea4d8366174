//! Smart assets: a genesis names one asset by its digest, the journal replays to the asset,
//! binding yields the registry credential subject once, and every refusal names its cause.
//! Method: one genesis fixture varied member by member; `check_genesis_refused` is the one
//! place that reads a bad genesis.

use serde_json::json;

use super::*;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_767_225_600 + seconds).unwrap()
}

fn genesis_value() -> Value {
    json!({
        "type": GENESIS_TYPE,
        "asset_class": "warehouse_receipt",
        "name": "Cotton bales, lot 17, Karachi bonded warehouse",
        "owner_entity_id": "entity-42",
        "jurisdiction_id": "PK-RSEZ",
        "created_at": "2026-01-01T00:00:00Z",
        "terms": {"quantity_bales": 400, "grade": "A"},
    })
}

fn genesis() -> SmartAssetGenesis {
    SmartAssetGenesis::from_value(genesis_value(), at(0)).unwrap()
}

#[track_caller]
fn check_genesis_refused(member: &str, value: Value, expected: &str) {
    let mut document = genesis_value();
    if value.is_null() {
        document.as_object_mut().unwrap().remove(member);
    } else {
        document[member] = value;
    }
    let error = SmartAssetGenesis::from_value(document, at(0)).unwrap_err();
    assert!(error.to_string().contains(expected), "{member}: {error}");
}

fn pk() -> JurisdictionId {
    JurisdictionId::new("PK-RSEZ").unwrap()
}

#[test]
fn genesis_names_one_asset_by_its_digest() {
    let (asset_id, digest) = asset_id_of(&genesis()).unwrap();
    assert_eq!(digest, genesis().to_canonical().unwrap().digest());
    assert_eq!(asset_id.as_str(), format!("asset:{}", digest.to_hex()));
    let mut reordered = genesis_value();
    reordered["terms"] = json!({"grade": "A", "quantity_bales": 400});
    let same = SmartAssetGenesis::from_value(reordered, at(0)).unwrap();
    assert_eq!(asset_id_of(&same).unwrap().0, asset_id);
    let mut other = genesis_value();
    other["name"] = json!("Cotton bales, lot 18");
    let different = SmartAssetGenesis::from_value(other, at(0)).unwrap();
    assert_ne!(asset_id_of(&different).unwrap().0, asset_id);
}

#[test]
fn genesis_refusals_name_the_member() {
    check_genesis_refused("type", json!("MSEZAsset"), "genesis type is \"MSEZAsset\"");
    check_genesis_refused(
        "asset_class",
        json!("Real Estate"),
        "asset_class \"Real Estate\"",
    );
    check_genesis_refused("asset_class", json!(""), "asset_class \"\"");
    check_genesis_refused(
        "asset_class",
        json!("a".repeat(ASSET_CLASS_BYTES_MAX + 1)),
        "asset_class",
    );
    check_genesis_refused("name", json!(""), "name is 0 bytes");
    check_genesis_refused(
        "name",
        json!("n".repeat(ASSET_NAME_BYTES_MAX + 1)),
        "name is 257 bytes",
    );
    check_genesis_refused("owner_entity_id", json!("has space"), "entity_id contains");
    check_genesis_refused("terms", json!({"price": 1.5}), "not an integer");
    check_genesis_refused("terms", json!([1]), "expected a map");
    check_genesis_refused("terms", Value::Null, "missing field `terms`");
    check_genesis_refused("colour", json!("red"), "unknown field `colour`");
    check_genesis_refused(
        "created_at",
        json!("2026-01-01T00:01:01Z"),
        "more than 60 s after",
    );
}

#[test]
fn genesis_holds_its_limits_exactly() {
    let mut document = genesis_value();
    document["name"] = json!("n".repeat(ASSET_NAME_BYTES_MAX));
    document["asset_class"] = json!("a".repeat(ASSET_CLASS_BYTES_MAX));
    document["created_at"] = json!("2026-01-01T00:01:00Z");
    SmartAssetGenesis::from_value(document, at(0)).unwrap();
}

#[test]
fn replay_then_bind_yields_the_registry_subject_once() {
    let genesis = genesis();
    let events = vec![AssetEvent::Genesis {
        genesis: genesis.clone(),
    }];
    let asset = SmartAsset::replay(&events).unwrap();
    let subject = asset.bind(&pk(), at(30)).unwrap();
    assert_eq!(subject.asset_id, asset.asset_id().as_str());
    assert_eq!(subject.asset_definition_digest, asset.genesis_digest());
    assert_eq!(subject.owner_entity_id.as_str(), "entity-42");
    assert_eq!(subject.asset_class, "warehouse_receipt");
    let credential_id = registry_credential_id(asset.asset_id());
    let mut bound = events;
    bound.push(AssetEvent::RegistryBinding {
        credential_id: credential_id.clone(),
        credential_digest: Digest::from_bytes([9; 32]),
        registered_at: at(30),
    });
    let asset = SmartAsset::replay(&bound).unwrap();
    assert_eq!(asset.binding().unwrap().credential_id, credential_id);
    assert!(matches!(
        asset.bind(&pk(), at(31)),
        Err(SmartAssetError::AlreadyBound { .. })
    ));
}

#[test]
fn bind_refuses_another_registry_and_a_time_before_genesis() {
    let asset = SmartAsset::replay(&[AssetEvent::Genesis { genesis: genesis() }]).unwrap();
    assert!(matches!(
        asset.bind(&JurisdictionId::new("AE").unwrap(), at(1)),
        Err(SmartAssetError::RegistryJurisdiction { .. })
    ));
    assert!(matches!(
        asset.bind(&pk(), at(-1)),
        Err(SmartAssetError::BoundBeforeCreated { .. })
    ));
}

#[test]
fn replay_refuses_a_journal_out_of_order() {
    let binding = AssetEvent::RegistryBinding {
        credential_id: "urn:x".to_owned(),
        credential_digest: Digest::from_bytes([1; 32]),
        registered_at: at(1),
    };
    let genesis = AssetEvent::Genesis { genesis: genesis() };
    for (events, entry_index) in [
        (vec![], 0),
        (vec![binding.clone()], 0),
        (vec![genesis.clone(), genesis.clone()], 1),
        (vec![genesis, binding.clone(), binding], 2),
    ] {
        match SmartAsset::replay(&events) {
            Err(SmartAssetError::Journal {
                entry_index: found, ..
            }) => assert_eq!(found, entry_index),
            other => panic!("{events:?}: {other:?}"),
        }
    }
}

#[test]
fn journal_entries_round_trip_in_their_documented_form() {
    let entry = AssetEvent::RegistryBinding {
        credential_id: "urn:x".to_owned(),
        credential_digest: Digest::from_bytes([1; 32]),
        registered_at: at(1),
    };
    let value = serde_json::to_value(&entry).unwrap();
    assert_eq!(value["event"], "registry_binding");
    assert_eq!(serde_json::from_value::<AssetEvent>(value).unwrap(), entry);
    let genesis = serde_json::to_value(AssetEvent::Genesis { genesis: genesis() }).unwrap();
    assert_eq!(genesis["event"], "genesis");
    assert_eq!(genesis["genesis"], genesis_value());
}
