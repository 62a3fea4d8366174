//! Timestamp parsing and formatting: the exact SPEC §1 form, calendar edges, and a round trip
//! over the whole supported range.

use proptest::prelude::*;

use super::*;

#[test]
fn parse_accepts_the_exact_form() {
    assert_eq!(
        Timestamp::parse("1970-01-01T00:00:00Z")
            .unwrap()
            .unix_seconds(),
        0
    );
    assert_eq!(
        Timestamp::parse("2023-02-24T23:36:38Z")
            .unwrap()
            .unix_seconds(),
        1_677_281_798
    );
    assert_eq!(
        Timestamp::parse("2024-02-29T12:00:00Z")
            .unwrap()
            .to_string(),
        "2024-02-29T12:00:00Z"
    );
    assert_eq!(
        Timestamp::parse("0001-01-01T00:00:00Z")
            .unwrap()
            .unix_seconds(),
        UNIX_SECONDS_MIN
    );
    assert_eq!(
        Timestamp::parse("9999-12-31T23:59:59Z")
            .unwrap()
            .unix_seconds(),
        UNIX_SECONDS_MAX
    );
}

#[test]
fn parse_rejects_every_other_form() {
    for text in [
        "2023-02-24T23:36:38.000Z",
        "2023-02-24T23:36:38+00:00",
        "2023-02-24t23:36:38z",
        "2023-02-24 23:36:38Z",
        "2023-2-24T23:36:38Z",
        "",
        "２023-02-24T23:36:38Z",
    ] {
        assert!(
            matches!(Timestamp::parse(text), Err(TimestampError::Format { .. })),
            "{text}"
        );
    }
    for (text, field) in [
        ("2023-13-01T00:00:00Z", "month"),
        ("2023-02-29T00:00:00Z", "day"),
        ("2023-04-31T00:00:00Z", "day"),
        ("2023-01-01T24:00:00Z", "hour"),
        ("2023-01-01T00:60:00Z", "minute"),
        ("2023-01-01T00:00:60Z", "second"),
        ("0000-01-01T00:00:00Z", "year"),
    ] {
        assert_eq!(
            Timestamp::parse(text),
            Err(TimestampError::Field {
                text: text.into(),
                field
            }),
            "{text}"
        );
    }
}

#[test]
fn range_limits_are_inclusive() {
    assert!(Timestamp::from_unix_seconds(UNIX_SECONDS_MAX).is_ok());
    assert_eq!(
        Timestamp::from_unix_seconds(UNIX_SECONDS_MAX + 1),
        Err(TimestampError::Range {
            unix_seconds: UNIX_SECONDS_MAX + 1
        })
    );
    assert!(Timestamp::from_unix_seconds(UNIX_SECONDS_MIN).is_ok());
    assert!(Timestamp::from_unix_seconds(UNIX_SECONDS_MIN - 1).is_err());
}

proptest! {
    #[test]
    fn display_then_parse_is_identity(seconds in UNIX_SECONDS_MIN..=UNIX_SECONDS_MAX) {
        let timestamp = Timestamp::from_unix_seconds(seconds).unwrap();
        prop_assert_eq!(Timestamp::parse(&timestamp.to_string()).unwrap(), timestamp);
    }

    /// The fixed-width writer against the `format!` construction it replaced.
    #[test]
    fn write_text_equals_the_format_construction(seconds in UNIX_SECONDS_MIN..=UNIX_SECONDS_MAX) {
        let timestamp = Timestamp::from_unix_seconds(seconds).unwrap();
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let expected = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        );
        let mut written = Vec::new();
        timestamp.write_text(&mut written);
        prop_assert_eq!(String::from_utf8(written).unwrap(), expected.clone());
        prop_assert_eq!(timestamp.to_string(), expected);
    }

    #[test]
    fn parse_never_panics(text in ".{0,24}") {
        let _ = Timestamp::parse(&text);
    }
}
