//! Goal: documents lift into checked values or fail with the member's path, through either
//! reader. Method: small fixtures through `parse_yaml`, `Fields` and `ObjectReader` (one
//! `check_reader`), plus a never-panics property.

use proptest::prelude::*;
use serde_json::json;

use super::*;

#[test]
fn parse_yaml_accepts_mapping_and_matches_json() {
    let value = parse_yaml(b"zone_id: pk-rsez\ndomains: [aml, kyc]\ncount: 3\n").unwrap();
    assert_eq!(
        value,
        json!({"zone_id": "pk-rsez", "domains": ["aml", "kyc"], "count": 3})
    );
}

#[test]
fn parse_yaml_keeps_yaml_1_1_words_and_zero_digits_as_strings() {
    let value = parse_yaml(b"a: n\nb: no\nc: '1'\nd: 0000\ne: true\n").unwrap();
    assert_eq!(
        value,
        json!({"a": "n", "b": "no", "c": "1", "d": "0000", "e": true})
    );
}

#[test]
fn parse_yaml_rejects_duplicate_key() {
    let error = parse_yaml(b"a: 1\na: 2\n").unwrap_err();
    assert!(matches!(error, FieldError::Yaml { .. }), "{error:?}");
}

#[test]
fn parse_yaml_rejects_float_naming_path() {
    let error = parse_yaml(b"rates:\n  goods: 4.5\n").unwrap_err();
    match error {
        FieldError::Json {
            error: CanonError::NotAnInteger { path, .. },
        } => assert_eq!(path, "$.rates.goods"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn parse_yaml_accepts_limit_and_rejects_limit_plus_one() {
    let mut at_limit = b"a: ".to_vec();
    at_limit.resize(YAML_BYTES_MAX, b'x');
    assert!(parse_yaml(&at_limit).is_ok());
    at_limit.push(b'x');
    assert!(matches!(
        parse_yaml(&at_limit),
        Err(FieldError::YamlTooLarge { .. })
    ));
}

#[test]
fn fields_only_names_unknown_member() {
    let value = json!({"a": 1, "b": 2});
    let fields = as_object(&value, "$.x").unwrap();
    assert_eq!(
        fields.only(&["a"]),
        Err(FieldError::Unknown {
            path: "$.x.b".into()
        })
    );
    assert_eq!(
        fields.required("c").unwrap_err(),
        FieldError::Missing {
            path: "$.x.c".into()
        }
    );
}

#[test]
fn as_i64_in_rejects_out_of_range() {
    assert_eq!(as_i64_in(&json!(5), "$.p", 0, 5), Ok(5));
    assert!(matches!(
        as_i64_in(&json!(6), "$.p", 0, 5),
        Err(FieldError::OutOfRange { value: 6, .. })
    ));
}

proptest! {
    #[test]
    fn parse_yaml_never_panics_on_arbitrary_input(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse_yaml(&bytes);
    }

    #[test]
    fn parse_yaml_never_panics_on_yamlish_text(text in "[a-z:\\- \\[\\]{}&*!|>'\"\n0-9.]{0,120}") {
        let _ = parse_yaml(text.as_bytes());
    }
}

#[track_caller]
fn check_reader(value: Value, expected: Result<(u64, Option<String>), FieldError>) {
    let read = || -> Result<(u64, Option<String>), FieldError> {
        let mut reader = ObjectReader::new("thing", value)?;
        let count = reader.required("count")?;
        let label = reader.optional("label")?;
        reader.finish()?;
        Ok((count, label))
    };
    assert_eq!(read(), expected);
}

#[test]
fn reader_accepts_required_and_optional_members() {
    check_reader(json!({"count": 3}), Ok((3, None)));
    check_reader(
        json!({"count": 3, "label": "x"}),
        Ok((3, Some("x".to_owned()))),
    );
}

#[test]
fn reader_rejects_each_malformed_shape() {
    check_reader(
        json!([1]),
        Err(FieldError::WrongType {
            path: "thing".to_owned(),
            expected: "an object",
        }),
    );
    check_reader(
        json!({"label": "x"}),
        Err(FieldError::Missing {
            path: "thing.count".to_owned(),
        }),
    );
    check_reader(
        json!({"count": 1, "extra": true}),
        Err(FieldError::Unknown {
            path: "thing.extra".to_owned(),
        }),
    );
    let null_label = || -> Result<(), FieldError> {
        let mut reader = ObjectReader::new("thing", json!({"label": null}))?;
        reader.optional::<String>("label").map(drop)
    };
    assert!(matches!(
        null_label(),
        Err(FieldError::Invalid { path, .. }) if path == "thing.label"
    ));
    let wrong_type = || -> Result<u64, FieldError> {
        ObjectReader::new("thing", json!({"count": "three"}))?.required("count")
    };
    assert!(matches!(
        wrong_type(),
        Err(FieldError::Invalid { path, .. }) if path == "thing.count"
    ));
}
