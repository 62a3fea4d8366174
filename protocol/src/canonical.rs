//! Canonical JSON: RFC 8785 (JCS) under the MSEZ integer profile of SPEC §1.
//!
//! Owns [`CanonicalBytes`] (the only input to a document digest), the strict parser [`parse`],
//! the general RFC 8785 serialiser [`rfc8785`] used for conformance, [`CanonError`], and the
//! crate-internal [`ObjectWriter`]: the hot paths' way to write the canonical bytes of a typed
//! document member by member, without building a `serde_json::Value` first. It shares every
//! leaf encoder with the generic path and refuses members out of key order, so its output is
//! the generic canonicaliser's byte for byte (property-tested where it is used).
//!
//! Never: rewrites string content, rounds a number, or lets a map implementation decide key
//! order. Object members are sorted here, explicitly, by UTF-16 code units, so enabling
//! serde_json's `preserve_order` anywhere in the build cannot change a byte.
//!
//! The MSEZ profile accepts integers in ±(2^53−1) only; a fraction, an exponent or a larger
//! integer is a typed error naming the field. A negative zero (`-0`) is refused too: serde_json
//! reports it as the double -0.0, indistinguishable from `-0.0`, and no artifact needs a signed
//! zero (RFC 8785 itself would write `0`). The general serialiser [`rfc8785`] also accepts
//! finite floats and writes them as ECMAScript `Number.prototype.toString` does (RFC 8785 §3.2.2.3);
//! it exists so the public RFC 8785 vectors can be checked, and its output is a plain `String`
//! that cannot be digested.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;

use serde::Serialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::digest::{DIGEST_LENGTH_BYTES, Digest};
use crate::time::Timestamp;

/// The largest magnitude an integer may have in a protocol artifact: 2^53 − 1, the range in
/// which every JSON implementation (including IEEE-754 doubles) represents integers exactly.
pub const INTEGER_MAGNITUDE_MAX: u64 = (1 << 53) - 1;

/// Bytes produced by the canonicaliser under the MSEZ profile, and nothing else.
///
/// The field is private and the only constructors canonicalise, so holding a `CanonicalBytes`
/// proves the bytes are canonical.
#[derive(Clone, PartialEq, Eq)]
pub struct CanonicalBytes(Vec<u8>);

/// Why a document could not be parsed or canonicalised.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    /// The input is not UTF-8.
    #[error("input is not valid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The input is not JSON (or nests deeper than serde_json's limit of 128).
    #[error("not valid JSON at line {line} column {column}: {reason}")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser found.
        reason: String,
    },
    /// An object has the same member name twice.
    #[error("{path}: duplicate key")]
    DuplicateKey {
        /// Path of the duplicated member.
        path: String,
    },
    /// A number with a fraction or an exponent, where the profile demands an integer.
    #[error("{path}: number {number} is not an integer (fractions and exponents are not allowed)")]
    NotAnInteger {
        /// Path of the number.
        path: String,
        /// The number as parsed.
        number: String,
    },
    /// An integer outside ±(2^53−1).
    #[error("{path}: integer {number} is outside the range ±(2^53−1)")]
    IntegerOutOfRange {
        /// Path of the number.
        path: String,
        /// The number as parsed.
        number: String,
    },
    /// NaN or an infinity (possible only for values built in code, never parsed).
    #[error("{path}: number is not finite")]
    NonFinite {
        /// Path of the number.
        path: String,
    },
    /// A value could not be turned into JSON by serde (a map with non-string keys, say).
    #[error("cannot represent the value as JSON: {reason}")]
    Unrepresentable {
        /// serde_json's explanation.
        reason: String,
    },
}

/// Which numbers a canonicalisation accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// SPEC §1: integers within ±(2^53−1) only.
    Msez,
    /// RFC 8785 as published: any finite IEEE-754 double.
    Rfc8785,
}

impl CanonicalBytes {
    /// Canonicalises a JSON value under the MSEZ profile.
    pub fn new(value: &Value) -> Result<Self, CanonError> {
        let mut out = Vec::with_capacity(256);
        write_value(&mut out, value, Profile::Msez, &PathNode::ROOT)?;
        Ok(Self(out))
    }

    /// Canonicalises one object of known members, written by `write` in key order (see
    /// [`ObjectWriter`]): the typed fast path beside [`CanonicalBytes::new`].
    pub(crate) fn object(
        write: impl FnOnce(&mut ObjectWriter<'_>) -> Result<(), CanonError>,
    ) -> Result<Self, CanonError> {
        let mut out = Vec::with_capacity(768);
        ObjectWriter::write_object(&mut out, &PathNode::ROOT, write)?;
        Ok(Self(out))
    }

    /// Canonicalises a JSON object without one of its top-level members (a secured document
    /// without `proof`) and without copying the object: equal to removing the member from a
    /// clone and calling [`CanonicalBytes::new`]. A value that is not an object is
    /// canonicalised as it is.
    pub(crate) fn without_member(value: &Value, skipped: &str) -> Result<Self, CanonError> {
        let Value::Object(members) = value else {
            return Self::new(value);
        };
        let mut kept: Vec<(&String, &Value)> = members
            .iter()
            .filter(|(key, _)| key.as_str() != skipped)
            .collect();
        if !kept.is_sorted_by(|a, b| compare_keys(a.0, b.0).is_lt()) {
            kept.sort_unstable_by(|a, b| compare_keys(a.0, b.0));
        }
        let mut out = Vec::with_capacity(256);
        write_members(&mut out, kept.into_iter(), Profile::Msez, &PathNode::ROOT)?;
        Ok(Self(out))
    }

    /// Canonicalises any serialisable value under the MSEZ profile.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Result<Self, CanonError> {
        let value = serde_json::to_value(value).map_err(|error| CanonError::Unrepresentable {
            reason: error.to_string(),
        })?;
        Self::new(&value)
    }

    /// Parses JSON text strictly (see [`parse`]) and canonicalises it.
    pub fn parse(input: &[u8]) -> Result<Self, CanonError> {
        Self::new(&parse(input)?)
    }

    /// The canonical bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The canonical bytes, owned.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// SHA-256 of these bytes: the digest of the document (SPEC §1).
    pub fn digest(&self) -> Digest {
        Digest::sha256_of_canonical(self)
    }
}

impl fmt::Debug for CanonicalBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CanonicalBytes")
            .field(&String::from_utf8_lossy(&self.0))
            .finish()
    }
}

/// Parses JSON text under the MSEZ profile.
///
/// Rejects invalid UTF-8, duplicate member names, fractions, exponents and integers outside
/// ±(2^53−1); each error names the offending path (`$.proof[0].created`).
pub fn parse(input: &[u8]) -> Result<Value, CanonError> {
    parse_with(input, Profile::Msez)
}

/// Canonicalises JSON text under RFC 8785 exactly as published, floats included.
///
/// Duplicate member names and invalid UTF-8 are still rejected. The output is a plain string:
/// protocol digests are only ever taken of [`CanonicalBytes`].
pub fn rfc8785(input: &[u8]) -> Result<String, CanonError> {
    let value = parse_with(input, Profile::Rfc8785)?;
    let mut out = Vec::with_capacity(input.len());
    write_value(&mut out, &value, Profile::Rfc8785, &PathNode::ROOT)?;
    // The writer emits only ASCII punctuation, digits and the input's own (valid) UTF-8 strings.
    String::from_utf8(out).map_err(|error| CanonError::InvalidUtf8 {
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Formats an IEEE-754 double exactly as ECMAScript's `Number.prototype.toString` (RFC 8785
/// §3.2.2.3). Returns `None` for NaN and the infinities, which JSON cannot carry.
pub fn es6_number(value: f64) -> Option<String> {
    if !value.is_finite() {
        return None;
    }
    if value == 0.0 {
        return Some("0".to_owned()); // Covers -0 as well, as ECMAScript does.
    }
    // Rust's `{:e}` yields the shortest digit string that round-trips, which fixes ECMAScript's
    // k. When two k-digit strings round-trip, ECMAScript takes the one nearest the exact value
    // (ties to even); `{:.p$e}` rounds the exact binary value that way, so prefer it whenever it
    // still round-trips (it may not at a power of two, where the rounding interval is lopsided).
    let shortest = format!("{:e}", value.abs());
    let digit_count = shortest
        .split('e')
        .next()?
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    let nearest = format!("{:.*e}", digit_count.saturating_sub(1), value.abs());
    let scientific = if nearest.parse::<f64>() == Ok(value.abs()) {
        nearest
    } else {
        shortest
    };
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digit_count = i32::try_from(digits.len()).ok()?;
    // ECMAScript's n: the position of the decimal point relative to the digit string.
    let n = exponent + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if value < 0.0 {
        out.push('-');
    }
    if digit_count <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n(
            '0',
            usize::try_from(n - digit_count).ok()?,
        ));
    } else if 0 < n && n <= 21 {
        let split = usize::try_from(n).ok()?;
        out.push_str(&digits[..split]);
        out.push('.');
        out.push_str(&digits[split..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', usize::try_from(-n).ok()?));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n - 1 < 0 { '-' } else { '+' });
        out.push_str(&(n - 1).abs().to_string());
    }
    Some(out)
}

/// Orders member names by their UTF-16 code units, as RFC 8785 §3.2.3 requires.
pub fn compare_keys(left: &str, right: &str) -> Ordering {
    // UTF-8 byte order equals code point order, which equals UTF-16 order except between a
    // supplementary character (a surrogate pair in UTF-16) and one in U+E000..U+FFFF. At the
    // first differing byte, an ASCII byte on either side settles it; only two non-ASCII bytes
    // need the UTF-16 comparison.
    let first_difference = left.bytes().zip(right.bytes()).find(|(a, b)| a != b);
    match first_difference {
        None => left.len().cmp(&right.len()),
        Some((a, b)) if a.is_ascii() || b.is_ascii() => a.cmp(&b),
        Some(_) => left.encode_utf16().cmp(right.encode_utf16()),
    }
}

fn parse_with(input: &[u8], profile: Profile) -> Result<Value, CanonError> {
    let text = std::str::from_utf8(input).map_err(|error| CanonError::InvalidUtf8 {
        offset: error.valid_up_to(),
    })?;
    let failure = RefCell::new(None);
    let seed = ValueSeed {
        profile,
        path: &PathNode::ROOT,
        failure: &failure,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = seed.deserialize(&mut deserializer).and_then(|value| {
        deserializer.end()?;
        Ok(value)
    });
    match parsed {
        Ok(value) => Ok(value),
        Err(error) => Err(failure.into_inner().unwrap_or_else(|| CanonError::Syntax {
            line: error.line(),
            column: error.column(),
            reason: syntax_reason(&error),
        })),
    }
}

/// serde_json appends " at line L column C" to its messages; the typed error carries those.
fn syntax_reason(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}

/// One step of a path from the document root, kept as borrowed links so that a path string is
/// only built when an error needs it.
struct PathNode<'a> {
    parent: Option<&'a PathNode<'a>>,
    segment: Segment<'a>,
}

enum Segment<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl PathNode<'_> {
    const ROOT: PathNode<'static> = PathNode {
        parent: None,
        segment: Segment::Root,
    };

    fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut node = Some(self);
        while let Some(current) = node {
            segments.push(&current.segment);
            node = current.parent;
        }
        let mut out = String::new();
        for segment in segments.into_iter().rev() {
            match segment {
                Segment::Root => out.push('$'),
                Segment::Index(index) => out.push_str(&format!("[{index}]")),
                Segment::Key(key) if is_plain_key(key) => {
                    out.push('.');
                    out.push_str(key);
                }
                Segment::Key(key) => {
                    out.push('[');
                    out.push_str(&Value::String((*key).to_owned()).to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'@')
}

struct ValueSeed<'a> {
    profile: Profile,
    path: &'a PathNode<'a>,
    /// The typed error behind a failed parse; serde's own error type can only carry a string.
    failure: &'a RefCell<Option<CanonError>>,
}

impl ValueSeed<'_> {
    fn fail<E: de::Error>(&self, error: CanonError) -> E {
        let message = error.to_string();
        let mut slot = self.failure.borrow_mut();
        if slot.is_none() {
            *slot = Some(error);
        }
        E::custom(message)
    }

    fn check_integer<E: de::Error>(&self, magnitude: u64, number: Number) -> Result<Value, E> {
        if self.profile == Profile::Msez && magnitude > INTEGER_MAGNITUDE_MAX {
            return Err(self.fail(CanonError::IntegerOutOfRange {
                path: self.path.render(),
                number: number.to_string(),
            }));
        }
        Ok(Value::Number(number))
    }
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        self.check_integer(value.unsigned_abs(), Number::from(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        self.check_integer(value, Number::from(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        let rendered = es6_number(value).unwrap_or_else(|| value.to_string());
        match self.profile {
            Profile::Rfc8785 => Number::from_f64(value).map(Value::Number).ok_or_else(|| {
                self.fail(CanonError::NonFinite {
                    path: self.path.render(),
                })
            }),
            // An integral double this large was written as a huge integer (or with an exponent);
            // either way the range is what the author must fix.
            Profile::Msez if value.fract() == 0.0 && value.abs() > INTEGER_MAGNITUDE_MAX as f64 => {
                Err(self.fail(CanonError::IntegerOutOfRange {
                    path: self.path.render(),
                    number: rendered,
                }))
            }
            Profile::Msez => Err(self.fail(CanonError::NotAnInteger {
                path: self.path.render(),
                number: rendered,
            })),
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let node = PathNode {
                parent: Some(self.path),
                segment: Segment::Index(items.len()),
            };
            let seed = ValueSeed {
                profile: self.profile,
                path: &node,
                failure: self.failure,
            };
            match seq.next_element_seed(seed)? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let node = PathNode {
                parent: Some(self.path),
                segment: Segment::Key(&key),
            };
            if members.contains_key(&key) {
                return Err(self.fail(CanonError::DuplicateKey {
                    path: node.render(),
                }));
            }
            let seed = ValueSeed {
                profile: self.profile,
                path: &node,
                failure: self.failure,
            };
            let value = map.next_value_seed(seed)?;
            members.insert(key, value);
        }
        Ok(Value::Object(members))
    }
}

/// Writes the members of one JSON object straight into canonical bytes.
///
/// Each method writes one member; members must come in RFC 8785 key order (the writer checks
/// every key against the one before and fails with [`CanonError::Unrepresentable`] otherwise),
/// and leaf values go through the same encoders as [`CanonicalBytes::new`], so the bytes equal
/// those of canonicalising the equivalent `serde_json::Value`. Errors inside a member name the
/// same path the generic canonicaliser would.
pub(crate) struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    path: &'a PathNode<'a>,
    previous_key: Option<&'static str>,
}

impl<'a> ObjectWriter<'a> {
    fn write_object(
        out: &'a mut Vec<u8>,
        path: &'a PathNode<'a>,
        write: impl FnOnce(&mut ObjectWriter<'_>) -> Result<(), CanonError>,
    ) -> Result<(), CanonError> {
        out.push(b'{');
        let mut writer = ObjectWriter {
            out,
            path,
            previous_key: None,
        };
        write(&mut writer)?;
        writer.out.push(b'}');
        Ok(())
    }

    /// Writes `"key":` (preceded by a comma after the first member), checking key order.
    fn key(&mut self, key: &'static str) -> Result<(), CanonError> {
        if let Some(previous) = self.previous_key {
            if !compare_keys(previous, key).is_lt() {
                return Err(CanonError::Unrepresentable {
                    reason: format!(
                        "{}: member {key:?} written after {previous:?}, out of key order",
                        self.path.render()
                    ),
                });
            }
            self.out.push(b',');
        }
        self.previous_key = Some(key);
        write_string(self.out, key);
        self.out.push(b':');
        Ok(())
    }

    /// A string member.
    pub(crate) fn string(&mut self, key: &'static str, text: &str) -> Result<(), CanonError> {
        self.key(key)?;
        write_string(self.out, text);
        Ok(())
    }

    /// A digest member: its 64 lowercase hex characters as a string.
    pub(crate) fn digest(&mut self, key: &'static str, digest: &Digest) -> Result<(), CanonError> {
        self.key(key)?;
        write_digest(self.out, digest);
        Ok(())
    }

    /// An array of digests, each as its hex string.
    pub(crate) fn digests(
        &mut self,
        key: &'static str,
        digests: &[Digest],
    ) -> Result<(), CanonError> {
        self.key(key)?;
        self.out.push(b'[');
        for (index, digest) in digests.iter().enumerate() {
            if index > 0 {
                self.out.push(b',');
            }
            write_digest(self.out, digest);
        }
        self.out.push(b']');
        Ok(())
    }

    /// A timestamp member in its protocol text (`YYYY-MM-DDTHH:MM:SSZ`).
    pub(crate) fn timestamp(
        &mut self,
        key: &'static str,
        timestamp: Timestamp,
    ) -> Result<(), CanonError> {
        self.key(key)?;
        // The timestamp text is digits, '-', ':', 'T' and 'Z': nothing to escape.
        self.out.push(b'"');
        timestamp.write_text(self.out);
        self.out.push(b'"');
        Ok(())
    }

    /// An unsigned integer member; beyond 2^53 − 1 it is the generic path's range error.
    pub(crate) fn integer(&mut self, key: &'static str, integer: u64) -> Result<(), CanonError> {
        if integer > INTEGER_MAGNITUDE_MAX {
            let node = PathNode {
                parent: Some(self.path),
                segment: Segment::Key(key),
            };
            return Err(CanonError::IntegerOutOfRange {
                path: node.render(),
                number: integer.to_string(),
            });
        }
        self.key(key)?;
        // In range, so it fits an i64.
        write_decimal(self.out, i64::try_from(integer).unwrap_or(i64::MAX));
        Ok(())
    }

    /// Any JSON value as a member, canonicalised as [`CanonicalBytes::new`] would.
    pub(crate) fn value(&mut self, key: &'static str, value: &Value) -> Result<(), CanonError> {
        self.key(key)?;
        let node = PathNode {
            parent: Some(self.path),
            segment: Segment::Key(key),
        };
        write_value(self.out, value, Profile::Msez, &node)
    }

    /// A nested object member whose members `write` writes, in key order.
    pub(crate) fn object(
        &mut self,
        key: &'static str,
        write: impl FnOnce(&mut ObjectWriter<'_>) -> Result<(), CanonError>,
    ) -> Result<(), CanonError> {
        self.key(key)?;
        let node = PathNode {
            parent: Some(self.path),
            segment: Segment::Key(key),
        };
        ObjectWriter::write_object(self.out, &node, write)
    }
}

/// A digest as a JSON string: lowercase hex needs no escaping.
fn write_digest(out: &mut Vec<u8>, digest: &Digest) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = [0u8; 2 * DIGEST_LENGTH_BYTES + 2];
    text[0] = b'"';
    text[2 * DIGEST_LENGTH_BYTES + 1] = b'"';
    for (index, byte) in digest.as_bytes().iter().enumerate() {
        text[1 + 2 * index] = HEX[usize::from(byte >> 4)];
        text[2 + 2 * index] = HEX[usize::from(byte & 0x0f)];
    }
    out.extend_from_slice(&text);
}

fn write_value(
    out: &mut Vec<u8>,
    value: &Value,
    profile: Profile,
    path: &PathNode<'_>,
) -> Result<(), CanonError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_number(out, number, profile, path)?,
        Value::String(text) => write_string(out, text),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                let node = PathNode {
                    parent: Some(path),
                    segment: Segment::Index(index),
                };
                write_value(out, item, profile, &node)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            // serde_json's default map is already in byte order, which is UTF-16 order for
            // almost every key; check that before paying for a sorted copy.
            if members
                .keys()
                .is_sorted_by(|a, b| compare_keys(a, b).is_lt())
            {
                write_members(out, members.iter(), profile, path)?;
            } else {
                let mut sorted: Vec<(&String, &Value)> = members.iter().collect();
                sorted.sort_unstable_by(|a, b| compare_keys(a.0, b.0));
                write_members(out, sorted.into_iter(), profile, path)?;
            }
        }
    }
    Ok(())
}

fn write_members<'a>(
    out: &mut Vec<u8>,
    members: impl Iterator<Item = (&'a String, &'a Value)>,
    profile: Profile,
    path: &PathNode<'_>,
) -> Result<(), CanonError> {
    out.push(b'{');
    for (index, (key, member)) in members.enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_string(out, key);
        out.push(b':');
        let node = PathNode {
            parent: Some(path),
            segment: Segment::Key(key),
        };
        write_value(out, member, profile, &node)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_number(
    out: &mut Vec<u8>,
    number: &Number,
    profile: Profile,
    path: &PathNode<'_>,
) -> Result<(), CanonError> {
    match profile {
        Profile::Msez => {
            let Some(integer) = number.as_i64() else {
                // A u64 beyond i64 is an out-of-range integer; anything else is a double.
                return Err(match number.as_u64() {
                    Some(_) => CanonError::IntegerOutOfRange {
                        path: path.render(),
                        number: number.to_string(),
                    },
                    None => CanonError::NotAnInteger {
                        path: path.render(),
                        number: number.to_string(),
                    },
                });
            };
            if integer.unsigned_abs() > INTEGER_MAGNITUDE_MAX {
                return Err(CanonError::IntegerOutOfRange {
                    path: path.render(),
                    number: integer.to_string(),
                });
            }
            write_decimal(out, integer);
        }
        Profile::Rfc8785 => {
            // RFC 8785 treats every number as the IEEE-754 double ECMAScript would hold.
            let rendered =
                number
                    .as_f64()
                    .and_then(es6_number)
                    .ok_or_else(|| CanonError::NonFinite {
                        path: path.render(),
                    })?;
            out.extend_from_slice(rendered.as_bytes());
        }
    }
    Ok(())
}

fn write_decimal(out: &mut Vec<u8>, integer: i64) {
    if integer < 0 {
        out.push(b'-');
    }
    let mut magnitude = integer.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

fn write_string(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut clean_from = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x09 => b"\\t",
            0x0a => b"\\n",
            0x0c => b"\\f",
            0x0d => b"\\r",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[clean_from..index]);
        if escape.is_empty() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(byte >> 4)]);
            out.push(HEX[usize::from(byte & 0x0f)]);
        } else {
            out.extend_from_slice(escape);
        }
        clean_from = index + 1;
    }
    out.extend_from_slice(&bytes[clean_from..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests;
