//! Protocol time (SPEC §1): whole seconds, UTC, written `YYYY-MM-DDTHH:MM:SSZ`.
//!
//! Owns [`Timestamp`] and [`TimestampError`].
//!
//! Never: reads a clock. The current time always arrives as an argument.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in whole seconds since 1970-01-01T00:00:00Z, within years 0001–9999.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(i64);

/// Why text or a number is not a protocol timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Not of the form `YYYY-MM-DDTHH:MM:SSZ`.
    #[error("timestamp {text:?} is not of the form YYYY-MM-DDTHH:MM:SSZ (UTC, whole seconds)")]
    Format {
        /// The text received.
        text: String,
    },
    /// The right shape, but not a real instant (month 13, 31 April, hour 24...).
    #[error("timestamp {text:?} names no real instant: {field} out of range")]
    Field {
        /// The text received.
        text: String,
        /// Which part is out of range.
        field: &'static str,
    },
    /// Seconds outside years 0001–9999.
    #[error("unix time {unix_seconds} is outside years 0001-9999")]
    Range {
        /// The value received.
        unix_seconds: i64,
    },
}

/// Unix seconds of 0001-01-01T00:00:00Z.
const UNIX_SECONDS_MIN: i64 = -62_135_596_800;
/// Unix seconds of 9999-12-31T23:59:59Z.
const UNIX_SECONDS_MAX: i64 = 253_402_300_799;
const SECONDS_PER_DAY: i64 = 86_400;

impl Timestamp {
    /// The timestamp `unix_seconds` after the epoch.
    pub fn from_unix_seconds(unix_seconds: i64) -> Result<Self, TimestampError> {
        if (UNIX_SECONDS_MIN..=UNIX_SECONDS_MAX).contains(&unix_seconds) {
            Ok(Self(unix_seconds))
        } else {
            Err(TimestampError::Range { unix_seconds })
        }
    }

    /// Seconds since the epoch.
    pub const fn unix_seconds(&self) -> i64 {
        self.0
    }

    /// This instant plus `seconds` (negative moves back), if it stays within range.
    pub fn checked_add_seconds(&self, seconds: i64) -> Option<Self> {
        self.0
            .checked_add(seconds)
            .and_then(|sum| Self::from_unix_seconds(sum).ok())
    }

    /// Parses `YYYY-MM-DDTHH:MM:SSZ` exactly: no offsets, no fractions, no lower-case `t`/`z`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let format = || TimestampError::Format {
            text: text.to_owned(),
        };
        let bytes = text.as_bytes();
        if bytes.len() != 20 {
            return Err(format());
        }
        for (index, &byte) in bytes.iter().enumerate() {
            let expected_ok = match index {
                4 | 7 => byte == b'-',
                10 => byte == b'T',
                13 | 16 => byte == b':',
                19 => byte == b'Z',
                _ => byte.is_ascii_digit(),
            };
            if !expected_ok {
                return Err(format());
            }
        }
        let number = |range: std::ops::Range<usize>| {
            bytes[range]
                .iter()
                .fold(0i64, |acc, &digit| acc * 10 + i64::from(digit - b'0'))
        };
        let (year, month, day) = (number(0..4), number(5..7), number(8..10));
        let (hour, minute, second) = (number(11..13), number(14..16), number(17..19));
        let field = |field| TimestampError::Field {
            text: text.to_owned(),
            field,
        };
        if year < 1 {
            return Err(field("year"));
        }
        if !(1..=12).contains(&month) {
            return Err(field("month"));
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(field("day"));
        }
        if hour > 23 {
            return Err(field("hour"));
        }
        if minute > 59 {
            return Err(field("minute"));
        }
        if second > 59 {
            return Err(field("second"));
        }
        let days = days_from_civil(year, month, day);
        Self::from_unix_seconds(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second)
    }
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = Vec::with_capacity(TEXT_LENGTH_BYTES);
        self.write_text(&mut text);
        // `write_text` writes only ASCII digits and `-:TZ`.
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

/// Length of `YYYY-MM-DDTHH:MM:SSZ`.
const TEXT_LENGTH_BYTES: usize = 20;

impl Timestamp {
    /// Appends `YYYY-MM-DDTHH:MM:SSZ` to `out` without going through `fmt`: the canonical
    /// writer's hot path. Years are 0001–9999 by construction, so every field has fixed width.
    pub(crate) fn write_text(&self, out: &mut Vec<u8>) {
        let days = self.0.div_euclid(SECONDS_PER_DAY);
        let second_of_day = self.0.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let digit = |value: i64| b'0' + u8::try_from(value.rem_euclid(10)).unwrap_or(0);
        let text: [u8; TEXT_LENGTH_BYTES] = [
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
            b'T',
            digit(second_of_day / 36_000),
            digit(second_of_day / 3600),
            b':',
            digit(second_of_day / 600 % 6),
            digit(second_of_day / 60),
            b':',
            digit(second_of_day % 60 / 10),
            digit(second_of_day),
            b'Z',
        ];
        out.extend_from_slice(&text);
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    fn from_str(text: &str) -> Result<Self, TimestampError> {
        Self::parse(text)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
