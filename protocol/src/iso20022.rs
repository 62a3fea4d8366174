//! ISO 20022 pacs.008.001.08 settlement instructions (SPEC §9): render and parse.
//!
//! Owns [`Pacs008Batch`], [`Pacs008Leg`], [`Pacs008Party`], [`Bic`], [`IsoText`],
//! [`AccountId`], [`SettlementDate`], [`render_pacs008`], [`parse_pacs008`], [`parse_iso_date_time`],
//! [`pacs008_from_json`], [`uetr_for`] and [`Iso20022Error`].
//!
//! Choices, written down because the XSD leaves them open:
//! - **One document per batch**: every leg becomes one `CdtTrfTxInf` of a single
//!   `FIToFICstmrCdtTrf`, so one netting run yields one message whose `NbOfTxs` is the leg count.
//! - `SttlmMtd` is `INDA` (settled on the instructed agent's books) and `ChrgBr` is `SHAR`; both
//!   are allowed by the base XSD and by CBPR+.
//! - The UETR is derived, not drawn: the first 16 bytes of
//!   `SHA-256("msez.pacs008.uetr.v1" ‖ 0x00 ‖ JCS({"leg_id":…,"message_id":…}))` with the UUID
//!   version nibble set to 4 and the variant bits to `10`. The protocol has no randomness, and a
//!   re-rendered message keeps its UETRs, so a resend is recognisable as the same payment.
//! - Text is escaped so that the document is pure ASCII: `<`, `>`, `&`, `"`, `'` become entity
//!   references and every character outside printable ASCII becomes a `&#x…;` reference, which
//!   survives any transport and parses back to the same string. Characters XML 1.0 forbids
//!   (most C0 controls, U+FFFE, U+FFFF) are rejected with the field named.
//! - An account that matches the IBAN pattern is written as `IBAN`, anything else as `Othr/Id`.
//! - `CreDtTm` is written in UTC (`…Z`). When parsed it may be any `xs:dateTime` the XSD's
//!   `ISODateTime` allows that names one instant: `YYYY-MM-DDThh:mm:ss`, an optional fraction,
//!   then `Z` or an offset `±hh:mm` (at most ±14:00); `24:00:00` is the next day's midnight.
//!   Surrounding XML whitespace is ignored, as the XSD's whitespace collapse does.
//!   It is normalised to a UTC [`Timestamp`]: the offset is subtracted and the fraction dropped
//!   (protocol time is whole seconds; dropping never moves an instant past the next second). A
//!   time without a zone is refused: it names no instant, so no UTC value is honest.
//!
//! XML: rendering is written by hand (the element order is fixed by the XSD and the text escape
//! is ours); parsing uses `quick-xml`, the maintained streaming reader, which resolves entity and
//! character references and checks well-formedness.
//!
//! Never: guesses an exponent, emits an unescaped character, or accepts a BIC, currency or amount
//! it cannot render back exactly.

use std::collections::HashSet;
use std::fmt;

use quick_xml::events::{BytesStart, Event};
use serde::Deserialize;
use serde_json::Value;

use crate::canonical::{CanonError, CanonicalBytes};
use crate::currency::{Currency, CurrencyError};
use crate::digest::{Digest, DomainTag};
use crate::time::{Timestamp, TimestampError};

/// The pacs.008.001.08 namespace.
pub const PACS008_NAMESPACE: &str = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08";

/// Legs per document. 10,000 keeps one message a few megabytes, under the bulk-file sizes that
/// clearing schemes accept, and bounds the memory of parsing one.
pub const PACS008_LEGS_MAX: usize = 10_000;

/// Domain tag of the derived UETR.
const UETR_TAG: DomainTag = DomainTag::new("msez.pacs008.uetr.v1");

/// Settlement method written in every group header.
const SETTLEMENT_METHOD: &str = "INDA";

/// Charge bearer written in every transaction.
const CHARGE_BEARER: &str = "SHAR";

/// Text of at most `MAX_CHARS` characters (the XSD's `Max35Text`, `Max140Text`, …), non-empty,
/// with no character XML 1.0 forbids.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IsoText<const MAX_CHARS: usize>(String);

/// ISO `Max35Text`: message and leg ids.
pub type Max35Text = IsoText<35>;
/// ISO `Max34Text`: non-IBAN account ids.
pub type Max34Text = IsoText<34>;
/// ISO `Max140Text`: names and unstructured remittance.
pub type Max140Text = IsoText<140>;

/// Why text does not fit an ISO text type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    /// No characters.
    #[error("is empty")]
    Empty,
    /// More characters than the type allows.
    #[error("has {length_chars} characters; at most {max_chars} are allowed")]
    TooLong {
        /// Characters received.
        length_chars: usize,
        /// The type's maximum.
        max_chars: usize,
    },
    /// A character XML 1.0 cannot carry.
    #[error("contains U+{code_point:04X}, which XML 1.0 cannot carry")]
    Character {
        /// The offending code point.
        code_point: u32,
    },
}

/// A BIC (ISO 9362): 8 or 11 upper-case letters or digits, letters in positions 5–6.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Bic(String);

/// Why text is not a BIC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BicError {
    /// Not 8 or 11 characters.
    #[error("BIC {bic:?} has {length_chars} characters; a BIC has 8 or 11")]
    Length {
        /// The text received.
        bic: String,
        /// Its length.
        length_chars: usize,
    },
    /// A character other than `A-Z` or `0-9`.
    #[error("BIC {bic:?} has {found:?} at position {position}; only A-Z and 0-9 are allowed")]
    Character {
        /// The text received.
        bic: String,
        /// 1-based position.
        position: usize,
        /// The character found.
        found: char,
    },
    /// Positions 5–6 (the ISO 3166 country code) are not letters.
    #[error("BIC {bic:?} has {country:?} in positions 5-6; the country code must be two letters")]
    CountryCode {
        /// The text received.
        bic: String,
        /// Positions 5–6.
        country: String,
    },
}

/// An account: an IBAN when the text has the IBAN shape, otherwise a proprietary id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountId {
    /// `[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}`.
    Iban(String),
    /// Any other account id, at most 34 characters.
    Other(Max34Text),
}

/// A settlement date `YYYY-MM-DD` (a real calendar day).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementDate(String);

/// A debtor or creditor: name, its agent's BIC, its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacs008Party {
    /// Legal name.
    pub name: Max140Text,
    /// BIC of the party's bank (the debtor or creditor agent).
    pub bic: Bic,
    /// The party's account at that bank.
    pub account: AccountId,
}

/// One settlement leg as a credit transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacs008Leg {
    /// The leg's id, written as `EndToEndId` and `TxId`; unique in the batch.
    pub leg_id: Max35Text,
    /// Amount in minor units of `currency`.
    pub amount_minor: u64,
    /// Settlement currency.
    pub currency: Currency,
    /// Who pays.
    pub debtor: Pacs008Party,
    /// Who is paid.
    pub creditor: Pacs008Party,
    /// Unstructured remittance information, if any.
    pub remittance: Option<Max140Text>,
}

/// One pacs.008 message: group header fields plus its legs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pacs008Batch {
    /// `MsgId`.
    pub message_id: Max35Text,
    /// `CreDtTm`, written in UTC.
    pub created_at: Timestamp,
    /// `IntrBkSttlmDt` of every transaction.
    pub settlement_date: SettlementDate,
    /// `InstgAgt` of every transaction.
    pub instructing_agent_bic: Bic,
    /// 1..=[`PACS008_LEGS_MAX`] legs with distinct ids.
    pub legs: Vec<Pacs008Leg>,
}

/// A parsed document: the batch and, per leg in order, the UETR it carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPacs008 {
    /// The batch.
    pub batch: Pacs008Batch,
    /// The UETR of each leg, in leg order.
    pub uetrs: Vec<String>,
}

/// Why a pacs.008 input or document is rejected.
#[derive(Debug, thiserror::Error)]
pub enum Iso20022Error {
    /// The JSON input does not have the `msez pacs008` shape.
    #[error("pacs008 input: {source}")]
    Json {
        /// The decoder's report (it names the field).
        source: serde_json::Error,
    },
    /// A text field breaks its ISO text type.
    #[error("{field} {source}")]
    Text {
        /// Path of the field, such as `legs[0].debtor.name`.
        field: String,
        /// The rule broken.
        source: TextError,
    },
    /// A BIC field is not a BIC.
    #[error("{field}: {source}")]
    Bic {
        /// Path of the field.
        field: String,
        /// The rule broken.
        source: BicError,
    },
    /// A currency field is not supported.
    #[error("{field}: {source}")]
    Currency {
        /// Path of the field.
        field: String,
        /// The rule broken.
        source: CurrencyError,
    },
    /// An amount is zero, too large to render, or has more decimals than its currency.
    #[error(
        "{field}: amount {text:?} is not a positive {currency} amount with at most {exponent} decimals"
    )]
    Amount {
        /// Path of the field.
        field: String,
        /// The amount as received.
        text: String,
        /// Its currency.
        currency: Currency,
        /// The currency's exponent.
        exponent: u8,
    },
    /// `created_at` is not a protocol timestamp.
    #[error("{field}: {source}")]
    Timestamp {
        /// Path of the field.
        field: String,
        /// The rule broken.
        source: TimestampError,
    },
    /// An `ISODateTime` that is malformed or names no instant in years 0001–9999.
    #[error("{field}: {text:?} is not an ISODateTime with a UTC offset: {reason}")]
    DateTime {
        /// Path of the element.
        field: &'static str,
        /// The text received (at most [`ISO_DATE_TIME_BYTES_MAX`] bytes of it).
        text: String,
        /// The rule broken.
        reason: &'static str,
    },
    /// `settlement_date` is not a real `YYYY-MM-DD` date.
    #[error("settlement_date {text:?} is not a calendar date YYYY-MM-DD")]
    SettlementDate {
        /// The text received.
        text: String,
    },
    /// No legs, or more than [`PACS008_LEGS_MAX`].
    #[error("a pacs.008 batch holds 1..={PACS008_LEGS_MAX} legs; got {leg_count}")]
    LegCount {
        /// Legs received.
        leg_count: usize,
    },
    /// Two legs share an id.
    #[error("leg id {leg_id:?} appears more than once; EndToEndId must be unique in the batch")]
    DuplicateLegId {
        /// The repeated id.
        leg_id: String,
    },
    /// Canonical encoding of the UETR input failed.
    #[error("UETR derivation: {source}")]
    Canonical {
        /// The encoder's error.
        source: CanonError,
    },
    /// The document is not well-formed XML.
    #[error("pacs.008 XML at byte {position_bytes}: {source}")]
    Xml {
        /// Byte offset of the reader.
        position_bytes: u64,
        /// The reader's error.
        source: quick_xml::Error,
    },
    /// An entity other than the five XML predefines.
    #[error("pacs.008 XML uses undefined entity &{name};")]
    UndefinedEntity {
        /// The entity name.
        name: String,
    },
    /// The root is not a pacs.008.001.08 `Document`.
    #[error("pacs.008 XML root is not Document in namespace {PACS008_NAMESPACE}")]
    Root,
    /// A mandatory element is absent.
    #[error("pacs.008 XML lacks {path}")]
    MissingElement {
        /// The element path.
        path: &'static str,
    },
    /// A group-level field differs between transactions (this profile has one per batch).
    #[error("pacs.008 XML: {field} differs between transactions")]
    Inconsistent {
        /// The element.
        field: &'static str,
    },
    /// `NbOfTxs` disagrees with the number of transactions.
    #[error("pacs.008 XML: NbOfTxs says {declared:?} but the document has {found} transactions")]
    TransactionCount {
        /// The declared text.
        declared: String,
        /// Transactions found.
        found: usize,
    },
    /// A UETR that is not a lower-case UUID v4.
    #[error("pacs.008 XML: UETR {uetr:?} is not a lower-case UUID v4")]
    Uetr {
        /// The text found.
        uetr: String,
    },
}

impl<const MAX_CHARS: usize> IsoText<MAX_CHARS> {
    /// Checks length (in characters) and the XML 1.0 character set.
    pub fn new(text: impl Into<String>) -> Result<Self, TextError> {
        let text = text.into();
        if text.is_empty() {
            return Err(TextError::Empty);
        }
        let length_chars = text.chars().count();
        if length_chars > MAX_CHARS {
            return Err(TextError::TooLong {
                length_chars,
                max_chars: MAX_CHARS,
            });
        }
        if let Some(bad) = text.chars().find(|&c| !is_xml_char(c)) {
            return Err(TextError::Character {
                code_point: u32::from(bad),
            });
        }
        Ok(Self(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX_CHARS: usize> fmt::Debug for IsoText<MAX_CHARS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

/// XML 1.0 `Char`: tab, LF, CR, and U+0020 upwards except U+FFFE and U+FFFF.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

impl Bic {
    /// Validates a BIC: 8 or 11 characters of `A-Z0-9`, letters in positions 5–6.
    pub fn parse(text: &str) -> Result<Self, BicError> {
        let length_chars = text.chars().count();
        if length_chars != 8 && length_chars != 11 {
            return Err(BicError::Length {
                bic: text.to_owned(),
                length_chars,
            });
        }
        let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
        if let Some((index, found)) = text.chars().enumerate().find(|&(_, c)| !allowed(c)) {
            return Err(BicError::Character {
                bic: text.to_owned(),
                position: index + 1,
                found,
            });
        }
        let country = text.get(4..6).unwrap_or_default();
        if !country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(BicError::CountryCode {
                bic: text.to_owned(),
                country: country.to_owned(),
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// The BIC text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Bic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bic({})", self.0)
    }
}

impl AccountId {
    /// Classifies an account text: IBAN shape or a proprietary id of at most 34 characters.
    pub fn parse(text: &str) -> Result<Self, TextError> {
        if is_iban_shape(text) {
            Ok(Self::Iban(text.to_owned()))
        } else {
            Max34Text::new(text).map(Self::Other)
        }
    }

    /// The account text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Iban(iban) => iban,
            Self::Other(other) => other.as_str(),
        }
    }
}

/// The XSD's `IBAN2007Identifier` pattern `[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}`.
fn is_iban_shape(text: &str) -> bool {
    let bytes = text.as_bytes();
    (5..=34).contains(&bytes.len())
        && bytes.iter().take(2).all(u8::is_ascii_uppercase)
        && bytes.iter().skip(2).take(2).all(u8::is_ascii_digit)
        && bytes.iter().skip(4).all(u8::is_ascii_alphanumeric)
}

/// Longest `ISODateTime` text accepted, in bytes: 19 for the date and time, 6 for the offset,
/// and room for a nanosecond fraction with spare digits. Bounds the work and the error text.
pub const ISO_DATE_TIME_BYTES_MAX: usize = 48;

/// Largest UTC offset `xs:dateTime` allows, in minutes (±14:00).
const UTC_OFFSET_MINUTES_MAX: i64 = 14 * 60;

/// Parses an `ISODateTime` (`xs:dateTime` with a zone) into a UTC [`Timestamp`], as the module
/// docs describe; `field` names the element in errors.
pub fn parse_iso_date_time(field: &'static str, text: &str) -> Result<Timestamp, Iso20022Error> {
    let bad = |reason| Iso20022Error::DateTime {
        field,
        text: text.chars().take(ISO_DATE_TIME_BYTES_MAX).collect(),
        reason,
    };
    if text.len() > ISO_DATE_TIME_BYTES_MAX {
        return Err(bad("longer than the limit"));
    }
    // The XSD collapses whitespace around a dateTime, so surrounding XML whitespace is allowed.
    let text = text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
    let (Some(date_time), Some(rest)) = (text.get(..19), text.get(19..)) else {
        return Err(bad("not of the form YYYY-MM-DDThh:mm:ss"));
    };
    let (fraction, zone) = split_fraction(rest).ok_or_else(|| bad("malformed fraction"))?;
    let offset_seconds = utc_offset_seconds(zone).map_err(bad)?;
    let fraction_is_zero = fraction.bytes().all(|digit| digit == b'0');
    // 24:00:00 is the end of the day, the same instant as the next day's 00:00:00.
    let local = match date_time.split_once('T') {
        Some((date, "24:00:00")) if fraction_is_zero => {
            Timestamp::parse(&format!("{date}T00:00:00Z"))
                .ok()
                .and_then(|midnight| midnight.checked_add_seconds(86_400))
        }
        _ => Timestamp::parse(&format!("{date_time}Z")).ok(),
    }
    .ok_or_else(|| bad("not a real date and time in years 0001-9999"))?;
    local
        .checked_add_seconds(-offset_seconds)
        .ok_or_else(|| bad("outside years 0001-9999 in UTC"))
}

/// Splits `.digits` (if any) from the zone that follows; `None` if a `.` has no digits.
fn split_fraction(rest: &str) -> Option<(&str, &str)> {
    let Some(after_dot) = rest.strip_prefix('.') else {
        return Some(("", rest));
    };
    let digit_count = after_dot.bytes().take_while(u8::is_ascii_digit).count();
    if digit_count == 0 {
        return None;
    }
    Some(after_dot.split_at(digit_count))
}

/// Seconds east of UTC for `Z` or `±hh:mm`.
fn utc_offset_seconds(zone: &str) -> Result<i64, &'static str> {
    if zone == "Z" {
        return Ok(0);
    }
    if zone.is_empty() {
        return Err("no UTC offset (Z or +hh:mm)");
    }
    let bytes = zone.as_bytes();
    let shape_ok = bytes.len() == 6
        && matches!(bytes[0], b'+' | b'-')
        && bytes[3] == b':'
        && [1, 2, 4, 5].iter().all(|&i| bytes[i].is_ascii_digit());
    if !shape_ok {
        return Err("the zone is not Z or +hh:mm");
    }
    let two_digits = |i: usize| i64::from(bytes[i] - b'0') * 10 + i64::from(bytes[i + 1] - b'0');
    let (hours, minutes) = (two_digits(1), two_digits(4));
    let offset_minutes = hours * 60 + minutes;
    if minutes > 59 || offset_minutes > UTC_OFFSET_MINUTES_MAX {
        return Err("the offset is beyond ±14:00");
    }
    let sign = if bytes[0] == b'-' { -1 } else { 1 };
    Ok(sign * offset_minutes * 60)
}

impl SettlementDate {
    /// Parses `YYYY-MM-DD`, a real day in years 0001–9999.
    pub fn parse(text: &str) -> Result<Self, Iso20022Error> {
        let bad = || Iso20022Error::SettlementDate {
            text: text.to_owned(),
        };
        if text.len() != 10 {
            return Err(bad());
        }
        Timestamp::parse(&format!("{text}T00:00:00Z")).map_err(|_| bad())?;
        Ok(Self(text.to_owned()))
    }

    /// The date text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Renders `amount_minor` with the currency's exponent: 1250 USD is `12.50`, 5 JPY is `5`,
/// 1 KWD is `0.001`.
pub fn format_amount(amount_minor: u64, currency: Currency) -> String {
    let exponent = u32::from(currency.exponent());
    let scale = 10u64.pow(exponent);
    let whole = amount_minor / scale;
    let fraction = amount_minor % scale;
    if exponent == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{fraction:0width$}", width = exponent as usize)
    }
}

/// Parses a decimal amount into minor units of `currency`. Digits beyond the exponent must be
/// zeros; the result must be in 1..=2^53 − 1.
pub fn parse_amount(text: &str, currency: Currency) -> Option<u64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) || text.ends_with('.') {
        return None;
    }
    let exponent = usize::from(currency.exponent());
    let significant = fraction.trim_end_matches('0');
    if significant.len() > exponent {
        return None;
    }
    let padded = format!("{significant:0<exponent$}");
    let amount_minor = format!("{whole}{padded}").parse::<u64>().ok()?;
    (1..=crate::canonical::INTEGER_MAGNITUDE_MAX)
        .contains(&amount_minor)
        .then_some(amount_minor)
}

/// The derived UETR of one leg (see the module docs).
pub fn uetr_for(message_id: &Max35Text, leg_id: &Max35Text) -> Result<String, Iso20022Error> {
    let input = serde_json::json!({ "message_id": message_id.as_str(), "leg_id": leg_id.as_str() });
    let canonical =
        CanonicalBytes::new(&input).map_err(|source| Iso20022Error::Canonical { source })?;
    let digest = Digest::tagged(UETR_TAG, canonical.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.as_bytes().get(..16).unwrap_or(&[0u8; 16]));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        hex.get(0..8).unwrap_or_default(),
        hex.get(8..12).unwrap_or_default(),
        hex.get(12..16).unwrap_or_default(),
        hex.get(16..20).unwrap_or_default(),
        hex.get(20..32).unwrap_or_default()
    ))
}

/// The XSD's `UUIDv4Identifier`: lower-case, version 4, variant `10`.
fn is_uuid_v4(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, &b)| match index {
            8 | 13 | 18 | 23 => b == b'-',
            14 => b == b'4',
            19 => matches!(b, b'8' | b'9' | b'a' | b'b'),
            _ => b.is_ascii_digit() || (b'a'..=b'f').contains(&b),
        })
}

// ---- JSON input (`msez pacs008`) -------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBatch {
    message_id: String,
    created_at: String,
    settlement_date: String,
    instructing_agent_bic: String,
    legs: Vec<RawLeg>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeg {
    leg_id: String,
    amount: u64,
    currency: String,
    debtor: RawParty,
    creditor: RawParty,
    #[serde(default)]
    remittance: Option<String>,
}

/// A party as JSON input names it (`{name, bic, account}`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawParty {
    name: String,
    bic: String,
    account: String,
}

/// The pure step behind `msez pacs008`: lift the JSON input into a checked batch.
pub fn pacs008_from_json(value: &Value) -> Result<Pacs008Batch, Iso20022Error> {
    let raw = RawBatch::deserialize(value).map_err(|source| Iso20022Error::Json { source })?;
    let mut legs = Vec::with_capacity(raw.legs.len().min(PACS008_LEGS_MAX));
    for (index, leg) in raw.legs.into_iter().enumerate() {
        let field = |name: &str| format!("legs[{index}].{name}");
        let currency =
            Currency::parse(&leg.currency).map_err(|source| Iso20022Error::Currency {
                field: field("currency"),
                source,
            })?;
        let amount_text = leg.amount.to_string();
        if !(1..=crate::canonical::INTEGER_MAGNITUDE_MAX).contains(&leg.amount) {
            return Err(Iso20022Error::Amount {
                field: field("amount"),
                text: amount_text,
                currency,
                exponent: currency.exponent(),
            });
        }
        legs.push(Pacs008Leg {
            leg_id: text(&field("leg_id"), leg.leg_id)?,
            amount_minor: leg.amount,
            currency,
            debtor: party(leg.debtor, |member| field(&format!("debtor.{member}")))?,
            creditor: party(leg.creditor, |member| field(&format!("creditor.{member}")))?,
            remittance: leg
                .remittance
                .map(|remittance| text(&field("remittance"), remittance))
                .transpose()?,
        });
    }
    let created_at =
        Timestamp::parse(&raw.created_at).map_err(|source| Iso20022Error::Timestamp {
            field: "created_at".to_owned(),
            source,
        })?;
    batch(
        text("message_id", raw.message_id)?,
        created_at,
        SettlementDate::parse(&raw.settlement_date)?,
        bic("instructing_agent_bic", &raw.instructing_agent_bic)?,
        legs,
    )
}

/// `value` as ISO text of at most `MAX_CHARS` characters; an error names `field`.
pub(crate) fn text<const MAX_CHARS: usize>(
    field: &str,
    value: String,
) -> Result<IsoText<MAX_CHARS>, Iso20022Error> {
    IsoText::new(value).map_err(|source| Iso20022Error::Text {
        field: field.to_owned(),
        source,
    })
}

/// `value` as a BIC; an error names `field`.
pub(crate) fn bic(field: &str, value: &str) -> Result<Bic, Iso20022Error> {
    Bic::parse(value).map_err(|source| Iso20022Error::Bic {
        field: field.to_owned(),
        source,
    })
}

/// A party from its JSON members; `member_path` names a member (`name`, `bic`, `account`) in
/// the caller's path style for errors.
pub(crate) fn party(
    raw: RawParty,
    member_path: impl Fn(&str) -> String,
) -> Result<Pacs008Party, Iso20022Error> {
    Ok(Pacs008Party {
        name: text(&member_path("name"), raw.name)?,
        bic: bic(&member_path("bic"), &raw.bic)?,
        account: AccountId::parse(&raw.account).map_err(|source| Iso20022Error::Text {
            field: member_path("account"),
            source,
        })?,
    })
}

/// Assembles a batch, checking the leg count and leg-id uniqueness.
pub fn batch(
    message_id: Max35Text,
    created_at: Timestamp,
    settlement_date: SettlementDate,
    instructing_agent_bic: Bic,
    legs: Vec<Pacs008Leg>,
) -> Result<Pacs008Batch, Iso20022Error> {
    if legs.is_empty() || legs.len() > PACS008_LEGS_MAX {
        return Err(Iso20022Error::LegCount {
            leg_count: legs.len(),
        });
    }
    let mut seen = HashSet::with_capacity(legs.len());
    if let Some(leg) = legs.iter().find(|leg| !seen.insert(leg.leg_id.as_str())) {
        return Err(Iso20022Error::DuplicateLegId {
            leg_id: leg.leg_id.as_str().to_owned(),
        });
    }
    Ok(Pacs008Batch {
        message_id,
        created_at,
        settlement_date,
        instructing_agent_bic,
        legs,
    })
}

// ---- Rendering ---------------------------------------------------------------------------------

/// Escapes text so the document stays ASCII (see the module docs).
pub fn escape_xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            ' '..='~' => out.push(c),
            _ => out.push_str(&format!("&#x{:X};", u32::from(c))),
        }
    }
    out
}

/// Writes nested elements with two-space indentation.
struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    fn open(&mut self, name: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.indent();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.leaf_with_attribute(name, None, text);
    }

    fn leaf_with_attribute(&mut self, name: &str, attribute: Option<(&str, &str)>, text: &str) {
        self.indent();
        self.out.push('<');
        self.out.push_str(name);
        if let Some((key, value)) = attribute {
            self.out
                .push_str(&format!(" {key}=\"{}\"", escape_xml_text(value)));
        }
        self.out.push('>');
        self.out.push_str(&escape_xml_text(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    fn agent(&mut self, name: &str, bic: &Bic) {
        self.open(name);
        self.open("FinInstnId");
        self.leaf("BICFI", bic.as_str());
        self.close("FinInstnId");
        self.close(name);
    }

    fn party(&mut self, name: &str, party: &Pacs008Party) {
        self.open(name);
        self.leaf("Nm", party.name.as_str());
        self.close(name);
    }

    fn account(&mut self, name: &str, account: &AccountId) {
        self.open(name);
        self.open("Id");
        match account {
            AccountId::Iban(iban) => self.leaf("IBAN", iban),
            AccountId::Other(other) => {
                self.open("Othr");
                self.leaf("Id", other.as_str());
                self.close("Othr");
            }
        }
        self.close("Id");
        self.close(name);
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
    }
}

/// Renders one pacs.008.001.08 document for the whole batch.
pub fn render_pacs008(batch: &Pacs008Batch) -> Result<String, Iso20022Error> {
    let mut xml = XmlWriter {
        out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        depth: 0,
    };
    xml.out
        .push_str(&format!("<Document xmlns=\"{PACS008_NAMESPACE}\">\n"));
    xml.depth = 1;
    xml.open("FIToFICstmrCdtTrf");
    xml.open("GrpHdr");
    xml.leaf("MsgId", batch.message_id.as_str());
    xml.leaf("CreDtTm", &batch.created_at.to_string());
    xml.leaf("NbOfTxs", &batch.legs.len().to_string());
    xml.open("SttlmInf");
    xml.leaf("SttlmMtd", SETTLEMENT_METHOD);
    xml.close("SttlmInf");
    xml.close("GrpHdr");
    for leg in &batch.legs {
        xml.open("CdtTrfTxInf");
        xml.open("PmtId");
        xml.leaf("EndToEndId", leg.leg_id.as_str());
        xml.leaf("TxId", leg.leg_id.as_str());
        xml.leaf("UETR", &uetr_for(&batch.message_id, &leg.leg_id)?);
        xml.close("PmtId");
        xml.leaf_with_attribute(
            "IntrBkSttlmAmt",
            Some(("Ccy", leg.currency.code())),
            &format_amount(leg.amount_minor, leg.currency),
        );
        xml.leaf("IntrBkSttlmDt", batch.settlement_date.as_str());
        xml.leaf("ChrgBr", CHARGE_BEARER);
        xml.agent("InstgAgt", &batch.instructing_agent_bic);
        xml.party("Dbtr", &leg.debtor);
        xml.account("DbtrAcct", &leg.debtor.account);
        xml.agent("DbtrAgt", &leg.debtor.bic);
        xml.agent("CdtrAgt", &leg.creditor.bic);
        xml.party("Cdtr", &leg.creditor);
        xml.account("CdtrAcct", &leg.creditor.account);
        if let Some(remittance) = &leg.remittance {
            xml.open("RmtInf");
            xml.leaf("Ustrd", remittance.as_str());
            xml.close("RmtInf");
        }
        xml.close("CdtTrfTxInf");
    }
    xml.close("FIToFICstmrCdtTrf");
    xml.out.push_str("</Document>\n");
    Ok(xml.out)
}

// ---- Parsing -----------------------------------------------------------------------------------

/// Text gathered for one transaction while reading.
#[derive(Default)]
struct TransactionText {
    leg_id: Option<String>,
    uetr: Option<String>,
    amount: Option<String>,
    currency: Option<String>,
    settlement_date: Option<String>,
    instructing_agent_bic: Option<String>,
    debtor_name: Option<String>,
    debtor_account: Option<String>,
    debtor_bic: Option<String>,
    creditor_name: Option<String>,
    creditor_account: Option<String>,
    creditor_bic: Option<String>,
    remittance: Option<String>,
}

/// Text gathered for the whole document while reading.
#[derive(Default)]
struct DocumentText {
    message_id: Option<String>,
    created_at: Option<String>,
    transaction_count: Option<String>,
    transactions: Vec<TransactionText>,
}

/// Parses a pacs.008.001.08 document of this profile back into a batch. The result goes through
/// the same checks as JSON input, so a parsed batch renders again.
pub fn parse_pacs008(xml: &str) -> Result<ParsedPacs008, Iso20022Error> {
    let document = read_document(xml)?;
    let found = document.transactions.len();
    let declared = document
        .transaction_count
        .ok_or(Iso20022Error::MissingElement {
            path: "GrpHdr/NbOfTxs",
        })?;
    if declared.parse::<usize>().ok() != Some(found) {
        return Err(Iso20022Error::TransactionCount { declared, found });
    }
    let message_id: Max35Text = text(
        "MsgId",
        document.message_id.ok_or(Iso20022Error::MissingElement {
            path: "GrpHdr/MsgId",
        })?,
    )?;
    let created_text = document.created_at.ok_or(Iso20022Error::MissingElement {
        path: "GrpHdr/CreDtTm",
    })?;
    let created_at = parse_iso_date_time("GrpHdr/CreDtTm", &created_text)?;
    let settlement_date = same_in_all(&document.transactions, "IntrBkSttlmDt", |t| {
        t.settlement_date.as_deref()
    })?;
    let instructing = same_in_all(&document.transactions, "InstgAgt/FinInstnId/BICFI", |t| {
        t.instructing_agent_bic.as_deref()
    })?;
    let mut legs = Vec::with_capacity(found);
    let mut uetrs = Vec::with_capacity(found);
    for transaction in document.transactions {
        let uetr = transaction
            .uetr
            .clone()
            .ok_or(Iso20022Error::MissingElement {
                path: "CdtTrfTxInf/PmtId/UETR",
            })?;
        if !is_uuid_v4(&uetr) {
            return Err(Iso20022Error::Uetr { uetr });
        }
        uetrs.push(uetr);
        legs.push(leg_from_text(transaction)?);
    }
    let batch = batch(
        message_id,
        created_at,
        SettlementDate::parse(&settlement_date)?,
        bic("InstgAgt", &instructing)?,
        legs,
    )?;
    Ok(ParsedPacs008 { batch, uetrs })
}

fn same_in_all(
    transactions: &[TransactionText],
    field: &'static str,
    get: impl Fn(&TransactionText) -> Option<&str>,
) -> Result<String, Iso20022Error> {
    let mut values = transactions.iter().map(&get);
    let first = values
        .next()
        .flatten()
        .ok_or(Iso20022Error::MissingElement { path: field })?;
    if values.any(|value| value != Some(first)) {
        return Err(Iso20022Error::Inconsistent { field });
    }
    Ok(first.to_owned())
}

fn required(value: Option<String>, path: &'static str) -> Result<String, Iso20022Error> {
    value.ok_or(Iso20022Error::MissingElement { path })
}

fn leg_from_text(t: TransactionText) -> Result<Pacs008Leg, Iso20022Error> {
    let currency_text = required(t.currency, "IntrBkSttlmAmt@Ccy")?;
    let currency = Currency::parse(&currency_text).map_err(|source| Iso20022Error::Currency {
        field: "IntrBkSttlmAmt@Ccy".to_owned(),
        source,
    })?;
    let amount_text = required(t.amount, "IntrBkSttlmAmt")?;
    let amount_minor =
        parse_amount(&amount_text, currency).ok_or_else(|| Iso20022Error::Amount {
            field: "IntrBkSttlmAmt".to_owned(),
            text: amount_text.clone(),
            currency,
            exponent: currency.exponent(),
        })?;
    let debtor = RawParty {
        name: required(t.debtor_name, "Dbtr/Nm")?,
        bic: required(t.debtor_bic, "DbtrAgt/FinInstnId/BICFI")?,
        account: required(t.debtor_account, "DbtrAcct/Id")?,
    };
    let creditor = RawParty {
        name: required(t.creditor_name, "Cdtr/Nm")?,
        bic: required(t.creditor_bic, "CdtrAgt/FinInstnId/BICFI")?,
        account: required(t.creditor_account, "CdtrAcct/Id")?,
    };
    Ok(Pacs008Leg {
        leg_id: text("EndToEndId", required(t.leg_id, "PmtId/EndToEndId")?)?,
        amount_minor,
        currency,
        debtor: party(debtor, |member| format!("Dbtr.{member}"))?,
        creditor: party(creditor, |member| format!("Cdtr.{member}"))?,
        remittance: t
            .remittance
            .map(|remittance| text("RmtInf/Ustrd", remittance))
            .transpose()?,
    })
}

/// Streams the document, collecting the text of the leaf elements this profile uses.
fn read_document(xml: &str) -> Result<DocumentText, Iso20022Error> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut document = DocumentText::default();
    loop {
        let position_bytes = reader.buffer_position();
        let event = reader.read_event().map_err(|source| Iso20022Error::Xml {
            position_bytes,
            source,
        })?;
        match event {
            Event::Start(start) => {
                let name = local_name(&start);
                if path.is_empty() {
                    check_root(&start, &name)?;
                }
                path.push(name);
                text.clear();
                on_start(&path, &start, &mut document)?;
            }
            Event::Empty(start) => {
                if path.is_empty() {
                    return Err(Iso20022Error::Root);
                }
                path.push(local_name(&start));
                on_start(&path, &start, &mut document)?;
                on_leaf(&path, String::new(), &mut document);
                path.pop();
            }
            Event::Text(content) => text.push_str(&content.xml10_content()),
            Event::CData(content) => text.push_str(&content),
            Event::GeneralRef(reference) => text.push(resolve_reference(&reference)?),
            Event::End(_) => {
                on_leaf(&path, std::mem::take(&mut text), &mut document);
                path.pop();
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => {}
        }
    }
    Ok(document)
}

fn local_name(start: &BytesStart<'_>) -> String {
    start.local_name().as_ref().to_owned()
}

fn check_root(start: &BytesStart<'_>, name: &str) -> Result<(), Iso20022Error> {
    let namespace = start
        .try_get_attribute("xmlns")
        .ok()
        .flatten()
        .and_then(|attribute| attribute_text(&attribute));
    if name == "Document" && namespace.as_deref() == Some(PACS008_NAMESPACE) {
        Ok(())
    } else {
        Err(Iso20022Error::Root)
    }
}

fn attribute_text(attribute: &quick_xml::events::attributes::Attribute<'_>) -> Option<String> {
    attribute
        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()
        .map(|value| value.into_owned())
}

fn resolve_reference(reference: &quick_xml::events::BytesRef<'_>) -> Result<char, Iso20022Error> {
    let undefined = || Iso20022Error::UndefinedEntity {
        name: reference.as_ref().to_owned(),
    };
    if reference.is_char_ref() {
        return reference
            .resolve_char_ref()
            .ok()
            .flatten()
            .filter(|&c| is_xml_char(c))
            .ok_or_else(undefined);
    }
    match reference.as_ref() {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        _ => Err(undefined()),
    }
}

/// Path of an element below `Document/FIToFICstmrCdtTrf`, joined with `/`.
fn relative_path(path: &[String]) -> Option<String> {
    match path {
        [document, message, rest @ ..]
            if document == "Document" && message == "FIToFICstmrCdtTrf" =>
        {
            Some(rest.join("/"))
        }
        _ => None,
    }
}

fn on_start(
    path: &[String],
    start: &BytesStart<'_>,
    document: &mut DocumentText,
) -> Result<(), Iso20022Error> {
    let Some(relative) = relative_path(path) else {
        return Ok(());
    };
    if relative == "CdtTrfTxInf" {
        if document.transactions.len() >= PACS008_LEGS_MAX {
            return Err(Iso20022Error::LegCount {
                leg_count: PACS008_LEGS_MAX + 1,
            });
        }
        document.transactions.push(TransactionText::default());
    }
    if relative == "CdtTrfTxInf/IntrBkSttlmAmt" {
        let currency = start
            .try_get_attribute("Ccy")
            .ok()
            .flatten()
            .and_then(|attribute| attribute_text(&attribute));
        if let Some(transaction) = document.transactions.last_mut() {
            transaction.currency = currency;
        }
    }
    Ok(())
}

fn on_leaf(path: &[String], text: String, document: &mut DocumentText) {
    let Some(relative) = relative_path(path) else {
        return;
    };
    let slot = match relative.as_str() {
        "GrpHdr/MsgId" => &mut document.message_id,
        "GrpHdr/CreDtTm" => &mut document.created_at,
        "GrpHdr/NbOfTxs" => &mut document.transaction_count,
        _ => {
            let Some(rest) = relative.strip_prefix("CdtTrfTxInf/") else {
                return;
            };
            let Some(transaction) = document.transactions.last_mut() else {
                return;
            };
            match transaction_slot(transaction, rest) {
                Some(slot) => slot,
                None => return,
            }
        }
    };
    *slot = Some(text);
}

fn transaction_slot<'a>(t: &'a mut TransactionText, path: &str) -> Option<&'a mut Option<String>> {
    Some(match path {
        "PmtId/EndToEndId" => &mut t.leg_id,
        "PmtId/UETR" => &mut t.uetr,
        "IntrBkSttlmAmt" => &mut t.amount,
        "IntrBkSttlmDt" => &mut t.settlement_date,
        "InstgAgt/FinInstnId/BICFI" => &mut t.instructing_agent_bic,
        "Dbtr/Nm" => &mut t.debtor_name,
        "DbtrAcct/Id/IBAN" | "DbtrAcct/Id/Othr/Id" => &mut t.debtor_account,
        "DbtrAgt/FinInstnId/BICFI" => &mut t.debtor_bic,
        "Cdtr/Nm" => &mut t.creditor_name,
        "CdtrAcct/Id/IBAN" | "CdtrAcct/Id/Othr/Id" => &mut t.creditor_account,
        "CdtrAgt/FinInstnId/BICFI" => &mut t.creditor_bic,
        "RmtInf/Ustrd" => &mut t.remittance,
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
