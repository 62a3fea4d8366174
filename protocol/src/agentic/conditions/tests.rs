//! Goal: every condition type evaluates exactly (integers, no floats) and malformed conditions
//! fail with the field's path. Method: table of (condition, payload, expected) through `check`.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

#[track_caller]
fn check(condition: Value, payload: Value, expected: bool) {
    let parsed = parse_condition(&condition, "$.condition").unwrap();
    assert_eq!(parsed.holds(&payload), expected, "{condition} on {payload}");
    // The JSON form round-trips.
    assert_eq!(parse_condition(&parsed.to_value(), "$").unwrap(), parsed);
}

#[test]
fn condition_holds_for_each_type() {
    let payload = json!({
        "score_bps": 8500,
        "status": "expired",
        "tags": ["pep", "ofac"],
        "name": "Acme Trading LLC",
        "entries": [{"id": "e-1"}],
        "flag": true,
    });
    let cases = [
        (
            json!({"type":"threshold","path":"score_bps","value":8500}),
            true,
        ),
        (
            json!({"type":"threshold","path":"score_bps","value":8501}),
            false,
        ),
        (
            json!({"type":"greater_than","path":"score_bps","value":8500}),
            false,
        ),
        (
            json!({"type":"greater_than","path":"score_bps","value":8499}),
            true,
        ),
        (
            json!({"type":"less_than","path":"score_bps","value":8501}),
            true,
        ),
        (
            json!({"type":"less_than","path":"score_bps","value":8500}),
            false,
        ),
        (
            json!({"type":"equals","path":"status","value":"expired"}),
            true,
        ),
        (json!({"type":"equals","path":"flag","value":true}), true),
        (
            json!({"type":"equals","path":"score_bps","value":"8500"}),
            false,
        ),
        (
            json!({"type":"not_equals","path":"status","value":"active"}),
            true,
        ),
        (
            json!({"type":"not_equals","path":"missing","value":"active"}),
            false,
        ),
        (
            json!({"type":"contains","path":"tags","value":"ofac"}),
            true,
        ),
        (json!({"type":"contains","path":"tags","value":"un"}), false),
        (
            json!({"type":"contains","path":"name","value":"Trading"}),
            true,
        ),
        (
            json!({"type":"in","path":"status","values":["revoked","expired"]}),
            true,
        ),
        (
            json!({"type":"in","path":"status","values":["active"]}),
            false,
        ),
        (json!({"type":"exists","path":"entries.0.id"}), true),
        (json!({"type":"exists","path":"entries.1.id"}), false),
        (
            json!({"type":"and","conditions":[
            {"type":"exists","path":"name"},
            {"type":"threshold","path":"score_bps","value":8000}]}),
            true,
        ),
        (
            json!({"type":"and","conditions":[
            {"type":"exists","path":"name"},
            {"type":"threshold","path":"score_bps","value":9000}]}),
            false,
        ),
        (
            json!({"type":"or","conditions":[
            {"type":"exists","path":"nothing"},
            {"type":"equals","path":"status","value":"expired"}]}),
            true,
        ),
    ];
    for (condition, expected) in cases {
        check(condition, payload.clone(), expected);
    }
}

#[test]
fn threshold_is_false_on_wrong_type() {
    check(
        json!({"type":"threshold","path":"score","value":1}),
        json!({"score": "9"}),
        false,
    );
}

#[track_caller]
fn check_error(condition: Value, expected: FieldError) {
    assert_eq!(parse_condition(&condition, "$.condition"), Err(expected));
}

#[test]
fn parse_condition_names_malformed_field() {
    check_error(
        json!({"type":"and","conditions":[{"type":"equals","path":"a"}]}),
        FieldError::Missing {
            path: "$.condition.conditions[0].value".into(),
        },
    );
    check_error(
        json!({"type":"threshold","path":"a","value":1.5}),
        FieldError::WrongType {
            path: "$.condition.value".into(),
            expected: "an integer",
        },
    );
    check_error(
        json!({"type":"between","path":"a","value":1}),
        FieldError::UnknownWord {
            path: "$.condition.type".into(),
            value: "between".into(),
            allowed: CONDITION_TYPES.join(", "),
        },
    );
    check_error(
        json!({"type":"exists","path":"a..b"}),
        FieldError::Empty {
            path: "$.condition.path".into(),
        },
    );
    check_error(
        json!({"type":"or","conditions":[]}),
        FieldError::Empty {
            path: "$.condition.conditions".into(),
        },
    );
    check_error(
        json!({"type":"exists","path":"a","value":1}),
        FieldError::Unknown {
            path: "$.condition.value".into(),
        },
    );
}

fn nested(depth: usize) -> Value {
    let mut condition = json!({"type":"exists","path":"a"});
    for _ in 1..depth {
        condition = json!({"type":"and","conditions":[condition]});
    }
    condition
}

#[test]
fn condition_depth_accepts_limit_and_rejects_limit_plus_one() {
    assert!(parse_condition(&nested(CONDITION_DEPTH_MAX), "$").is_ok());
    assert!(matches!(
        parse_condition(&nested(CONDITION_DEPTH_MAX + 1), "$"),
        Err(FieldError::TooLong { .. })
    ));
}

#[test]
fn condition_children_accepts_limit_and_rejects_limit_plus_one() {
    let list = |count: usize| {
        let items: Vec<Value> = (0..count)
            .map(|_| json!({"type":"exists","path":"a"}))
            .collect();
        json!({"type":"or","conditions":items})
    };
    assert!(parse_condition(&list(CONDITION_CHILDREN_MAX), "$").is_ok());
    assert!(parse_condition(&list(CONDITION_CHILDREN_MAX + 1), "$").is_err());
}

#[test]
fn path_segments_accepts_limit_and_rejects_limit_plus_one() {
    let path = |count: usize| vec!["a"; count].join(".");
    assert!(FieldPath::parse(&path(PATH_SEGMENTS_MAX), "$").is_ok());
    assert!(FieldPath::parse(&path(PATH_SEGMENTS_MAX + 1), "$").is_err());
}

#[test]
fn in_values_accepts_limit_and_rejects_limit_plus_one() {
    let list = |count: usize| {
        let values: Vec<Value> = (0..count).map(|i| json!(i)).collect();
        json!({"type":"in","path":"a","values":values})
    };
    assert!(parse_condition(&list(IN_VALUES_MAX), "$").is_ok());
    assert!(parse_condition(&list(IN_VALUES_MAX + 1), "$").is_err());
}

proptest! {
    #[test]
    fn threshold_matches_integer_order(value in -(1i64 << 53)..(1i64 << 53), limit in -(1i64 << 53)..(1i64 << 53)) {
        let payload = json!({"v": value});
        let threshold = parse_condition(&json!({"type":"threshold","path":"v","value":limit}), "$").unwrap();
        let greater = parse_condition(&json!({"type":"greater_than","path":"v","value":limit}), "$").unwrap();
        let less = parse_condition(&json!({"type":"less_than","path":"v","value":limit}), "$").unwrap();
        prop_assert_eq!(threshold.holds(&payload), value >= limit);
        prop_assert_eq!(greater.holds(&payload), value > limit);
        prop_assert_eq!(less.holds(&payload), value < limit);
    }

    #[test]
    fn parse_condition_never_panics(text in "[\\[\\]{}\":,a-z0-9 .]{0,80}") {
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            let _ = parse_condition(&value, "$");
        }
    }
}
