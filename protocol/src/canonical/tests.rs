//! Canonical JSON against the public RFC 8785 vectors, the MSEZ number profile, and the laws
//! (idempotence, independence from member order) as property tests.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::*;

fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

#[track_caller]
fn check_rejects(input: &str, expected: CanonError) {
    assert_eq!(
        CanonicalBytes::parse(input.as_bytes()),
        Err(expected),
        "input {input}"
    );
}

#[test]
fn rfc8785_matches_every_published_vector() {
    let dir = vectors_dir().join("jcs");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir.join("input")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let input = std::fs::read(&path).unwrap();
        let expected = std::fs::read(dir.join("output").join(&name)).unwrap();
        assert_eq!(
            rfc8785(&input).unwrap().as_bytes(),
            expected.as_slice(),
            "vector {name}"
        );
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn es6_number_matches_ten_thousand_reference_lines() {
    let dir = vectors_dir().join("jcs/numbers");
    for file in ["es6-numbers-10000.txt", "es6-numbers-readme-samples.txt"] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for line in text.lines() {
            let (bits, expected) = line.split_once(',').unwrap();
            let value = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
            assert_eq!(es6_number(value).as_deref(), Some(expected), "line {line}");
        }
    }
}

#[test]
fn msez_profile_rejects_the_float_vector_naming_the_field() {
    let input = std::fs::read(vectors_dir().join("jcs/input/values.json")).unwrap();
    assert_eq!(
        CanonicalBytes::parse(&input),
        Err(CanonError::NotAnInteger {
            path: "$.numbers[0]".into(),
            number: "333333333.3333333".into()
        })
    );
}

#[test]
fn msez_profile_accepts_the_vectors_without_numbers() {
    let dir = vectors_dir().join("jcs");
    for name in [
        "french.json",
        "structures.json",
        "unicode.json",
        "weird.json",
        "arrays.json",
    ] {
        let input = std::fs::read(dir.join("input").join(name)).unwrap();
        let expected = std::fs::read(dir.join("output").join(name)).unwrap();
        match CanonicalBytes::parse(&input) {
            Ok(bytes) => assert_eq!(bytes.as_bytes(), expected.as_slice(), "vector {name}"),
            // Some vectors carry floats; those must be refused as numbers, never rewritten.
            Err(CanonError::NotAnInteger { .. }) => {}
            Err(other) => panic!("vector {name}: {other}"),
        }
    }
}

#[test]
fn parse_rejects_bad_input_naming_the_field() {
    check_rejects(
        r#"{"a":{"b":[1,2.5]}}"#,
        CanonError::NotAnInteger {
            path: "$.a.b[1]".into(),
            number: "2.5".into(),
        },
    );
    check_rejects(
        r#"{"a":1e2}"#,
        CanonError::NotAnInteger {
            path: "$.a".into(),
            number: "100".into(),
        },
    );
    check_rejects(
        r#"{"n":9007199254740992}"#,
        CanonError::IntegerOutOfRange {
            path: "$.n".into(),
            number: "9007199254740992".into(),
        },
    );
    check_rejects(
        r#"{"n":-9007199254740992}"#,
        CanonError::IntegerOutOfRange {
            path: "$.n".into(),
            number: "-9007199254740992".into(),
        },
    );
    check_rejects(
        r#"{"n":123456789012345678901234567890}"#,
        CanonError::IntegerOutOfRange {
            path: "$.n".into(),
            number: "1.2345678901234568e+29".into(),
        },
    );
    check_rejects(
        r#"{"x":{"k":1,"k":2}}"#,
        CanonError::DuplicateKey {
            path: "$.x.k".into(),
        },
    );
    check_rejects(
        r#"{"a b":{"k":1,"k":2}}"#,
        CanonError::DuplicateKey {
            path: "$[\"a b\"].k".into(),
        },
    );
    assert_eq!(
        CanonicalBytes::parse(b"{\"a\":\"\xff\"}"),
        Err(CanonError::InvalidUtf8 { offset: 6 })
    );
    assert!(matches!(
        CanonicalBytes::parse(b"{\"a\":1"),
        Err(CanonError::Syntax { line: 1, .. })
    ));
    assert!(matches!(
        CanonicalBytes::parse(b"[1] [2]"),
        Err(CanonError::Syntax { .. })
    ));
    assert!(matches!(
        CanonicalBytes::parse(br#""\ud800""#),
        Err(CanonError::Syntax { .. })
    ));
}

#[test]
fn integer_limits_are_inclusive() {
    let max = CanonicalBytes::parse(b"[9007199254740991,-9007199254740991]").unwrap();
    assert_eq!(max.as_bytes(), b"[9007199254740991,-9007199254740991]");
    let built = CanonicalBytes::new(&json!({"n": 9_007_199_254_740_992_u64}));
    assert_eq!(
        built,
        Err(CanonError::IntegerOutOfRange {
            path: "$.n".into(),
            number: "9007199254740992".into()
        })
    );
    assert_eq!(
        CanonicalBytes::new(&json!({"f": 0.5})),
        Err(CanonError::NotAnInteger {
            path: "$.f".into(),
            number: "0.5".into()
        })
    );
}

#[test]
fn strings_are_escaped_as_rfc8785_says_and_never_rewritten() {
    let value = json!({"s": "\u{0}\u{8}\t\n\u{c}\r\u{1f}\"\\/\u{7f}\u{2028}é😂"});
    let bytes = CanonicalBytes::new(&value).unwrap();
    assert_eq!(
        std::str::from_utf8(bytes.as_bytes()).unwrap(),
        "{\"s\":\"\\u0000\\b\\t\\n\\f\\r\\u001f\\\"\\\\/\u{7f}\u{2028}é😂\"}"
    );
}

#[test]
fn keys_sort_by_utf16_code_units_not_bytes() {
    // U+FB33 sorts before U+1F602 in UTF-8 byte order, but after it in UTF-16, where U+1F602
    // is the surrogate pair D83D DE02.
    let value = json!({"\u{1F602}": 1, "\u{FB33}": 2, "a": 3});
    let bytes = CanonicalBytes::new(&value).unwrap();
    assert_eq!(
        std::str::from_utf8(bytes.as_bytes()).unwrap(),
        "{\"a\":3,\"\u{1F602}\":1,\"\u{FB33}\":2}"
    );
}

/// serde_json's `preserve_order` would make `Map` keep insertion order. Building the same
/// object in reverse order (and via an insertion-ordered `Vec` when the feature is off) must
/// give the same bytes, because the writer sorts explicitly.
#[test]
fn canonical_form_ignores_insertion_order() {
    let keys = ["zeta", "alpha", "Émile", "\u{1F602}", "10", "1", "_"];
    let mut forward = Map::new();
    let mut backward = Map::new();
    for (index, key) in keys.iter().enumerate() {
        forward.insert((*key).to_owned(), json!(index));
    }
    for (index, key) in keys.iter().enumerate().rev() {
        backward.insert((*key).to_owned(), json!(index));
    }
    let forward = CanonicalBytes::new(&Value::Object(forward)).unwrap();
    let backward = CanonicalBytes::new(&Value::Object(backward)).unwrap();
    assert_eq!(forward, backward);
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-(INTEGER_MAGNITUDE_MAX as i64)..=INTEGER_MAGNITUDE_MAX as i64).prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..8)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn canonical_form_is_idempotent(value in arbitrary_json()) {
        let once = CanonicalBytes::new(&value).unwrap();
        let twice = CanonicalBytes::parse(once.as_bytes()).unwrap();
        prop_assert_eq!(&once, &twice);
        prop_assert_eq!(parse(once.as_bytes()).unwrap(), value);
    }

    #[test]
    fn canonical_form_is_independent_of_member_order(
        members in prop::collection::btree_map(any::<String>(), arbitrary_json(), 0..12),
        seed in any::<u64>(),
    ) {
        let mut shuffled: Vec<(String, Value)> = members.clone().into_iter().collect();
        // A deterministic shuffle from the seed: rotate and reverse.
        let rotation = if shuffled.is_empty() { 0 } else { (seed as usize) % shuffled.len() };
        shuffled.rotate_left(rotation);
        if seed % 2 == 0 { shuffled.reverse(); }
        let text: String = {
            let parts: Vec<String> = shuffled
                .iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), v))
                .collect();
            format!("{{{}}}", parts.join(","))
        };
        let from_text = CanonicalBytes::parse(text.as_bytes()).unwrap();
        let from_map = CanonicalBytes::new(&Value::Object(members.into_iter().collect())).unwrap();
        prop_assert_eq!(from_text, from_map);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = CanonicalBytes::parse(&bytes);
        let _ = rfc8785(&bytes);
    }

    #[test]
    fn parsers_never_panic_on_json_like_text(text in r#"[\[\]{}":,0-9eE+\-. a-z\\]{0,64}"#) {
        let _ = CanonicalBytes::parse(text.as_bytes());
        let _ = rfc8785(text.as_bytes());
    }
}

proptest! {
    /// The byte-level fast path of `compare_keys` agrees with a plain UTF-16 comparison.
    #[test]
    fn compare_keys_equals_utf16_order(left in any::<String>(), right in any::<String>()) {
        prop_assert_eq!(compare_keys(&left, &right), left.encode_utf16().cmp(right.encode_utf16()));
    }

    #[test]
    fn compare_keys_equals_utf16_order_on_shared_prefixes(
        prefix in any::<String>(), left in any::<String>(), right in any::<String>(),
    ) {
        let (left, right) = (format!("{prefix}{left}"), format!("{prefix}{right}"));
        prop_assert_eq!(compare_keys(&left, &right), left.encode_utf16().cmp(right.encode_utf16()));
    }
}

#[test]
fn object_writer_refuses_members_out_of_key_order() {
    let written = CanonicalBytes::object(|writer| {
        writer.string("b", "1")?;
        writer.string("a", "2")
    });
    assert!(matches!(written, Err(CanonError::Unrepresentable { .. })));
    let repeated = CanonicalBytes::object(|writer| {
        writer.integer("a", 1)?;
        writer.integer("a", 2)
    });
    assert!(matches!(repeated, Err(CanonError::Unrepresentable { .. })));
}

proptest! {
    /// Every member kind of the typed writer equals the generic canonicaliser over the same
    /// members as a JSON value.
    #[test]
    fn object_writer_equals_the_generic_canonicaliser(
        text in any::<String>(),
        digest_bytes in any::<[u8; 32]>(),
        seconds in -62_135_596_800i64..=253_402_300_799,
        integer in prop_oneof![0u64..1_000, any::<u64>()],
        value in arbitrary_json(),
    ) {
        let digest = Digest::from_bytes(digest_bytes);
        let timestamp = Timestamp::from_unix_seconds(seconds).unwrap();
        let typed = CanonicalBytes::object(|writer| {
            writer.digests("digests", &[digest, digest])?;
            writer.integer("integer", integer)?;
            writer.object("nested", |nested| {
                nested.digest("digest", &digest)?;
                nested.value("value", &value)
            })?;
            writer.string("text", &text)?;
            writer.timestamp("timestamp", timestamp)
        });
        let generic = CanonicalBytes::new(&json!({
            "text": text,
            "digests": [digest.to_hex(), digest.to_hex()],
            "integer": integer,
            "nested": {"value": value, "digest": digest.to_hex()},
            "timestamp": timestamp.to_string(),
        }));
        prop_assert_eq!(typed, generic);
    }

    /// Skipping a member in place equals removing it from a copy.
    #[test]
    fn without_member_equals_removing_the_member(
        value in prop_oneof![
            arbitrary_json(),
            prop::collection::vec(("[a-z]{1,2}|proof", arbitrary_json()), 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ],
        skipped in "[a-z]{1,2}|proof",
    ) {
        let mut copy = value.clone();
        if let Some(members) = copy.as_object_mut() {
            members.remove(&skipped);
        }
        prop_assert_eq!(
            CanonicalBytes::without_member(&value, &skipped),
            CanonicalBytes::new(&copy)
        );
    }
}
