//! Shared proptest strategies for the unit tests of several modules.
//!
//! Owns [`arbitrary_json`] and [`arbitrary_json_any`]. Never compiled outside tests.

use proptest::prelude::*;
use serde_json::Value;

/// Arbitrary JSON inside the MSEZ profile (integers within ±(2^53−1)), so it can be signed.
pub(crate) fn arbitrary_json() -> impl Strategy<Value = Value> {
    json_with_integers(-(1i64 << 53) + 1..(1i64 << 53))
}

/// Arbitrary JSON with any i64, so canonicalisation failures are exercised too.
pub(crate) fn arbitrary_json_any() -> impl Strategy<Value = Value> {
    json_with_integers(any::<i64>())
}

/// JSON up to depth 3: nulls, booleans, the given integers, short strings, arrays and objects
/// whose keys may collide with protocol members (`type`, `proof`).
fn json_with_integers(
    integers: impl Strategy<Value = i64> + 'static,
) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        integers.prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    "[a-zA-Z_@]{1,10}",
                    Just("proof".to_owned()),
                    Just("type".to_owned())
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}
