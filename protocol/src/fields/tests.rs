//! Member-by-member reading. Goal: each way an object can be wrong gives the error naming the
//! member. Method: one `check` over small JSON objects.

use serde_json::json;

use super::*;

#[track_caller]
fn check(value: Value, expected: Result<(u64, Option<String>), FieldError>) {
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
    check(json!({"count": 3}), Ok((3, None)));
    check(
        json!({"count": 3, "label": "x"}),
        Ok((3, Some("x".to_owned()))),
    );
}

#[test]
fn reader_rejects_each_malformed_shape() {
    check(json!([1]), Err(FieldError::NotAnObject { object: "thing" }));
    check(
        json!({"label": "x"}),
        Err(FieldError::Missing {
            object: "thing",
            field: "count",
        }),
    );
    check(
        json!({"count": 1, "extra": true}),
        Err(FieldError::Unknown {
            object: "thing",
            field: "extra".to_owned(),
        }),
    );
    let null_label = || -> Result<(), FieldError> {
        let mut reader = ObjectReader::new("thing", json!({"label": null}))?;
        reader.optional::<String>("label").map(drop)
    };
    assert!(matches!(
        null_label(),
        Err(FieldError::Invalid { field: "label", .. })
    ));
    let wrong_type = || -> Result<u64, FieldError> {
        ObjectReader::new("thing", json!({"count": "three"}))?.required("count")
    };
    assert!(matches!(
        wrong_type(),
        Err(FieldError::Invalid { field: "count", .. })
    ));
}
