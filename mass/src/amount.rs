//! Money at the Mass boundary: decimal numbers on the wire, exact minor-unit integers in our
//! types.
//!
//! Owns [`Money`], [`CurrencyCode`], [`AmountError`], and the two conversions
//! [`decimal_to_minor`] and [`minor_to_decimal`].
//!
//! Never: rounds. A wire amount with more fractional digits than its currency has, or a value
//! outside [`AMOUNT_MINOR_ABS_MAX`], is an error, not an approximation.
//!
//! Exactness: the wire carries an IEEE double. Every decimal of at most 15 significant digits
//! survives the double round trip, so amounts are bounded to 15 digits of minor units
//! ([`AMOUNT_MINOR_ABS_MAX`]). A double is read through its shortest round-trip text (Rust's
//! `Display`), which is the decimal Mass wrote whenever Mass wrote at most 15 digits. A wire
//! value with more than 17 significant digits is rounded by the JSON parser before we see it;
//! that case is undetectable here and is documented as a limit of the decimal wire format.

use std::fmt;

/// Largest absolute amount in minor units: 10^15 - 1. Every decimal with at most 15 significant
/// digits round-trips exactly through an IEEE double, which is what the Mass wire carries.
pub const AMOUNT_MINOR_ABS_MAX: i128 = 999_999_999_999_999;

/// Why an amount cannot cross the wire exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// The wire value is NaN or infinite.
    #[error("amount is not a finite number")]
    NotFinite,
    /// More fractional digits than the currency's minor unit allows.
    #[error("amount {text} has more than {exponent} fractional digits")]
    PrecisionLoss {
        /// The amount as read.
        text: String,
        /// The currency's minor-unit exponent.
        exponent: u32,
    },
    /// Outside ±[`AMOUNT_MINOR_ABS_MAX`] minor units.
    #[error("amount {amount_minor} minor units exceeds the limit of {AMOUNT_MINOR_ABS_MAX}")]
    OutOfRange {
        /// The amount in minor units (saturated when even larger).
        amount_minor: i128,
    },
    /// A currency code this client has no minor-unit exponent for.
    #[error("currency {code:?} is not a known ISO 4217 code")]
    UnknownCurrency {
        /// The code received.
        code: String,
    },
}

/// An ISO 4217 currency this client knows the minor unit of.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CurrencyCode {
    code: &'static str,
    exponent: u32,
}

/// Currencies the client converts, with their ISO 4217 minor-unit exponents. The list covers the
/// zone corridors (PKR, AED, SAR, USD, EUR, GBP, CNY, ...) plus the zero- and three-decimal
/// currencies so both edges of the conversion are exercised.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("BHD", 3),
    ("CHF", 2),
    ("CNY", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("INR", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("OMR", 3),
    ("PKR", 2),
    ("QAR", 2),
    ("SAR", 2),
    ("SGD", 2),
    ("USD", 2),
];

impl CurrencyCode {
    /// The currency for an ISO 4217 code, if known.
    pub fn parse(code: &str) -> Result<CurrencyCode, AmountError> {
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(known, exponent)| CurrencyCode {
                code: known,
                exponent: *exponent,
            })
            .ok_or_else(|| AmountError::UnknownCurrency {
                code: code.to_owned(),
            })
    }

    /// The three-letter code.
    pub fn as_str(&self) -> &'static str {
        self.code
    }

    /// Digits after the decimal point in a major-unit amount.
    pub fn exponent(&self) -> u32 {
        self.exponent
    }
}

impl fmt::Debug for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

/// An amount in minor units of a currency (PKR 12.34 is `Money { amount_minor: 1234, PKR }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    /// Amount in minor units, within ±[`AMOUNT_MINOR_ABS_MAX`].
    pub amount_minor: i128,
    /// The currency.
    pub currency: CurrencyCode,
}

impl Money {
    /// Builds a checked amount.
    pub fn new(amount_minor: i128, currency: CurrencyCode) -> Result<Money, AmountError> {
        check_range(amount_minor)?;
        Ok(Money {
            amount_minor,
            currency,
        })
    }

    /// Reads a wire amount and currency code.
    pub fn from_wire(decimal: f64, currency_code: &str) -> Result<Money, AmountError> {
        let currency = CurrencyCode::parse(currency_code)?;
        let amount_minor = decimal_to_minor(decimal, currency.exponent())?;
        Ok(Money {
            amount_minor,
            currency,
        })
    }

    /// The wire decimal of this amount.
    pub fn to_wire(&self) -> Result<f64, AmountError> {
        minor_to_decimal(self.amount_minor, self.currency.exponent())
    }
}

/// Reads a required wire amount: the number and its currency must both be present.
pub(crate) fn wire_money(
    field: &'static str,
    decimal: Option<f64>,
    currency: Option<&str>,
) -> Result<Money, crate::error::MassError> {
    let decimal = crate::wire::required(field, decimal)?;
    let currency = crate::wire::required("currency", currency)?;
    Money::from_wire(decimal, currency)
        .map_err(|source| crate::error::MassError::Amount { field, source })
}

fn check_range(amount_minor: i128) -> Result<(), AmountError> {
    if amount_minor.unsigned_abs() > AMOUNT_MINOR_ABS_MAX.unsigned_abs() {
        return Err(AmountError::OutOfRange { amount_minor });
    }
    Ok(())
}

/// Converts a wire decimal to minor units, exactly or not at all.
pub fn decimal_to_minor(decimal: f64, exponent: u32) -> Result<i128, AmountError> {
    if !decimal.is_finite() {
        return Err(AmountError::NotFinite);
    }
    // Rust's `Display` for f64 prints the shortest text that parses back to the same double,
    // never in exponent notation: exactly the decimal a JSON writer emitted for it.
    let text = format!("{decimal}");
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let fraction = fraction.trim_end_matches('0');
    let fraction_len = u32::try_from(fraction.len()).unwrap_or(u32::MAX);
    if fraction_len > exponent {
        return Err(AmountError::PrecisionLoss { text, exponent });
    }
    let scale = 10i128.pow(exponent);
    let out_of_range = AmountError::OutOfRange {
        amount_minor: i128::MAX,
    };
    // More than 18 whole digits cannot be within range; refuse before parsing overflows.
    if whole.len() > 18 {
        return Err(out_of_range);
    }
    let whole_value: i128 = whole.parse().map_err(|_| out_of_range.clone())?;
    let fraction_value: i128 = if fraction.is_empty() {
        0
    } else {
        let padded = format!("{fraction:0<width$}", width = exponent as usize);
        padded.parse().map_err(|_| out_of_range.clone())?
    };
    let magnitude = whole_value
        .saturating_mul(scale)
        .saturating_add(fraction_value);
    let amount_minor = if negative { -magnitude } else { magnitude };
    check_range(amount_minor)?;
    Ok(amount_minor)
}

/// Converts minor units to the wire decimal. Exact for every amount within range: the decimal
/// text is built digit by digit and parsed once, with correct rounding, to the nearest double,
/// which prints back as the same text.
pub fn minor_to_decimal(amount_minor: i128, exponent: u32) -> Result<f64, AmountError> {
    check_range(amount_minor)?;
    let scale = 10i128.pow(exponent);
    let magnitude = amount_minor.unsigned_abs();
    let scale_unsigned = scale.unsigned_abs();
    let sign = if amount_minor < 0 { "-" } else { "" };
    let whole = magnitude / scale_unsigned;
    let fraction = magnitude % scale_unsigned;
    let text = if exponent == 0 {
        format!("{sign}{whole}")
    } else {
        format!(
            "{sign}{whole}.{fraction:0>width$}",
            width = exponent as usize
        )
    };
    text.parse::<f64>().map_err(|_| AmountError::NotFinite)
}

#[cfg(test)]
mod tests;
