//! Goal: regpacks parse into plain structs, chain by digest, and name the field of every fault.
//! Method: fixture documents, mutated.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::canonical::CanonicalBytes;
use crate::packs::fixtures::regpack_value;

fn parse(value: &Value) -> Result<Regpack, PackError> {
    parse_regpack(&serde_json::to_vec(value).unwrap())
}

#[track_caller]
fn field_error(value: &Value) -> FieldError {
    match parse(value) {
        Err(PackError::Field { error, .. }) => error,
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn parse_regpack_reads_every_part() {
    let regpack = parse(&regpack_value()).unwrap();
    assert_eq!(
        regpack.sanctions.entries[0].identifiers[0].value,
        "X1234567"
    );
    assert_eq!(regpack.withholding_rates[1].non_filer_bps, 1600);
    assert_eq!(
        regpack.reporting_requirements[0].frequency,
        ReportingFrequency::Monthly
    );
    let canonical = CanonicalBytes::new(&regpack_value()).unwrap();
    assert_eq!(
        regpack.digest(),
        Digest::tagged(REGPACK_TAG, canonical.as_bytes())
    );
}

#[test]
fn verify_regpack_chain_accepts_successor_and_rejects_breaks() {
    let first = parse(&regpack_value()).unwrap();
    let mut next_value = regpack_value();
    next_value["sequence"] = json!(1);
    next_value["previous_digest"] = json!(first.digest().to_hex());
    next_value["issued_at"] = json!("2026-02-01T00:00:00Z");
    let next = parse(&next_value).unwrap();
    assert_eq!(verify_regpack_chain(&first, &next), Ok(()));

    let mut forged = next_value.clone();
    forged["previous_digest"] = json!(Digest::tagged(REGPACK_TAG, b"other").to_hex());
    let forged = parse(&forged).unwrap();
    assert!(matches!(
        verify_regpack_chain(&first, &forged),
        Err(PackError::ChainBroken {
            field: "previous_digest",
            ..
        })
    ));
    let mut skipped = next_value;
    skipped["sequence"] = json!(2);
    let skipped = parse(&skipped).unwrap();
    assert!(matches!(
        verify_regpack_chain(&first, &skipped),
        Err(PackError::ChainBroken {
            field: "sequence",
            ..
        })
    ));
}

#[test]
fn parse_regpack_names_faulty_field() {
    let mut value = regpack_value();
    value["withholding_rates"][0]["filer_bps"] = json!(10_001);
    assert!(
        matches!(field_error(&value), FieldError::OutOfRange { path, .. } if path == "$.withholding_rates[0].filer_bps")
    );

    let mut value = regpack_value();
    value["regulators"][0]["domains"] = json!(["tax", "astrology"]);
    assert!(
        matches!(field_error(&value), FieldError::UnknownWord { path, .. } if path == "$.regulators[0].domains[1]")
    );

    let mut value = regpack_value();
    value["reporting_requirements"][0]["regulator_id"] = json!("nobody");
    assert!(
        matches!(field_error(&value), FieldError::UnknownWord { path, .. } if path == "$.reporting_requirements[0].regulator_id")
    );

    let mut value = regpack_value();
    value["sequence"] = json!(1);
    assert!(
        matches!(field_error(&value), FieldError::Missing { path } if path == "$.previous_digest")
    );

    let mut value = regpack_value();
    let entry = value["sanctions"]["entries"][0].clone();
    value["sanctions"]["entries"] = json!([entry.clone(), entry]);
    assert!(
        matches!(field_error(&value), FieldError::Duplicate { path, .. } if path == "$.sanctions.entries[1]")
    );

    let mut value = regpack_value();
    value["withholding_rates"][0]["filer_bps"] = json!(4.5);
    assert!(matches!(
        parse_regpack(serde_json::to_string(&value).unwrap().as_bytes()),
        Err(PackError::Field {
            error: FieldError::Json { .. },
            ..
        })
    ));
}

proptest! {
    #[test]
    fn parse_regpack_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = parse_regpack(&bytes);
    }

    #[test]
    fn parse_regpack_never_panics_on_mutated_fixture(key in "[a-z_]{1,12}", number in any::<i32>()) {
        let mut value = regpack_value();
        value[key.as_str()] = json!(number);
        let _ = parse(&value);
    }
}
