//! ISO 4217 currencies with their minor-unit exponents (SPEC §9).
//!
//! Owns [`Currency`], [`CurrencyError`] and [`SUPPORTED_CURRENCIES`]. A [`Currency`] can only be
//! built from this table, so every amount in netting and settlement has a known exponent.
//!
//! Never: guesses an exponent. A code outside the table is rejected, not defaulted to 2.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The currencies MSEZ settles, sorted by code, with their ISO 4217 minor-unit exponents.
///
/// The list covers the corridors' jurisdictions (Gulf, South Asia, the major reserve currencies)
/// and at least one currency of each exponent 0, 2 and 3. Adding a currency is a one-line change
/// plus a test of its exponent.
pub const SUPPORTED_CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("IDR", 2),
    ("INR", 2),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("MYR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PKR", 2),
    ("QAR", 2),
    ("SAR", 2),
    ("SGD", 2),
    ("TND", 3),
    ("TRY", 2),
    ("USD", 2),
    ("VND", 0),
    ("XOF", 0),
    ("ZAR", 2),
];

/// A supported ISO 4217 currency: three upper-case letters found in [`SUPPORTED_CURRENCIES`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// Why text is not a supported currency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    /// Not three upper-case ASCII letters.
    #[error("currency {text:?} is not an ISO 4217 code (three upper-case letters)")]
    Format {
        /// The text received.
        text: String,
    },
    /// Well-formed but not in [`SUPPORTED_CURRENCIES`].
    #[error("currency {code} is not supported; its ISO 4217 exponent is not in the table")]
    Unsupported {
        /// The code received.
        code: String,
    },
}

impl Currency {
    /// Looks a code up in [`SUPPORTED_CURRENCIES`].
    pub fn parse(text: &str) -> Result<Self, CurrencyError> {
        let bytes = text.as_bytes();
        let code: [u8; 3] = match bytes.try_into() {
            Ok(code) if bytes.iter().all(u8::is_ascii_uppercase) => code,
            _ => {
                return Err(CurrencyError::Format {
                    text: text.to_owned(),
                });
            }
        };
        match SUPPORTED_CURRENCIES.binary_search_by(|(known, _)| known.as_bytes().cmp(&code[..])) {
            Ok(position) => SUPPORTED_CURRENCIES
                .get(position)
                .map(|&(_, exponent)| Self { code, exponent })
                .ok_or_else(|| CurrencyError::Unsupported {
                    code: text.to_owned(),
                }),
            Err(_) => Err(CurrencyError::Unsupported {
                code: text.to_owned(),
            }),
        }
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The code was checked to be ASCII upper-case letters, so it is always UTF-8.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    /// The ISO 4217 minor-unit exponent: 0 for JPY, 2 for USD, 3 for KWD.
    pub const fn exponent(&self) -> u8 {
        self.exponent
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
