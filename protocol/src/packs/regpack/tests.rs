//! Goal: regpacks parse into the evaluators' own types, chain by digest, and name the field of every fault.
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
    assert_eq!(regpack.withholding_rates.rules[1].non_filer_rate_bps, 1600);
    assert_eq!(regpack.withholding_rates.jurisdiction, regpack.jurisdiction);
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
    value["withholding_rates"][0]["filer_rate_bps"] = json!(10_001);
    assert!(
        matches!(field_error(&value), FieldError::OutOfRange { path, .. } if path == "$.withholding_rates[0].filer_rate_bps")
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
    value["withholding_rates"][0]["filer_rate_bps"] = json!(4.5);
    assert!(matches!(
        parse_regpack(serde_json::to_string(&value).unwrap().as_bytes()),
        Err(PackError::Field {
            error: FieldError::Json { .. },
            ..
        })
    ));
}

#[test]
fn regpack_sections_screen_and_withhold_without_conversion() {
    // The regpack's sections are the evaluators' inputs: the sanctions list indexes and finds
    // the listed alias, and the rate table enters a RateBook as is.
    use crate::tax::RateBook;
    use crate::tensor::sanctions::{MatchRule, SanctionsIndex, ScreeningConfig};
    let regpack = parse(&regpack_value()).unwrap();
    let index = SanctionsIndex::build(regpack.sanctions.clone()).unwrap();
    let report = index
        .screen(&["E Person".to_owned()], &[], ScreeningConfig::DEFAULT)
        .unwrap();
    assert_eq!(report.matches.len(), 1);
    assert_eq!(report.matches[0].rule, MatchRule::ExactName);
    assert!(RateBook::new(vec![regpack.withholding_rates]).is_ok());
}

#[test]
fn parse_regpack_rejects_sections_in_the_old_shapes() {
    // `name` + `aliases` and `filer_bps` were the regpack's private shapes; they are gone.
    let mut value = regpack_value();
    value["sanctions"]["entries"][0]["name"] = json!("Example Person");
    assert!(
        matches!(field_error(&value), FieldError::Unknown { path } if path == "$.sanctions.entries[0].name")
    );
    let mut value = regpack_value();
    value["withholding_rates"][0]["category"] = json!("dividends");
    assert!(
        matches!(field_error(&value), FieldError::UnknownWord { path, .. } if path == "$.withholding_rates[0].category")
    );
    let mut value = regpack_value();
    value["withholding_rates"][1]["category"] = json!("goods");
    assert!(
        matches!(field_error(&value), FieldError::Duplicate { path, .. } if path == "$.withholding_rates[1]")
    );
    let mut value = regpack_value();
    value["sanctions"]["entries"][0]["names"] = json!([]);
    value["sanctions"]["entries"][0]["identifiers"] = json!([]);
    assert!(
        matches!(field_error(&value), FieldError::Empty { path } if path == "$.sanctions.entries[0].names")
    );
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
