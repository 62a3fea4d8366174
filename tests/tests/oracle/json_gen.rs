//! Random JSON text for the canonicalisation cross-check: nested values, integers across the
//! whole ±(2^53−1) range, and strings full of characters that break naive canonicalisers
//! (controls, escapes, non-BMP characters whose UTF-16 order differs from code point order,
//! combining marks, U+2028), each written raw or escaped at random, with random whitespace.

use std::collections::HashSet;

use super::harness::Rng;

/// The largest integer magnitude of the MSEZ profile.
const INTEGER_MAGNITUDE_MAX: i64 = (1 << 53) - 1;
/// How deep generated values nest; deep enough for every container-in-container case.
const DEPTH_MAX: u32 = 5;

/// Characters that exercise escaping, UTF-8 encoding and UTF-16 key order.
const NASTY_CHARS: &[char] = &[
    '"',
    '\\',
    '/',
    '\u{0}',
    '\u{1}',
    '\u{8}',
    '\t',
    '\n',
    '\u{b}',
    '\u{c}',
    '\r',
    '\u{1f}',
    '\u{7f}',
    '\u{80}',
    '\u{9f}',
    'é',
    'ö',
    '€',
    '\u{301}',
    '\u{30a}',
    '\u{2028}',
    '\u{2029}',
    '\u{202e}',
    '\u{fb33}',
    '\u{e000}',
    '\u{feff}',
    '\u{fffd}',
    '\u{ffff}',
    '中',
    'ß',
    '😂',
    '\u{10000}',
    '\u{1d11e}',
    '\u{10ffff}',
    '<',
    '>',
    '&',
    '\'',
];

/// Values that must be rejected by every strict MSEZ parser, each wrapped into a random valid
/// document before use.
const INVALID_FRAGMENTS: &[&[u8]] = &[
    b"1.5",
    b"1.0",
    b"-0.0",
    b"1e3",
    b"1E+2",
    b"2e-3",
    b"9007199254740992",
    b"-9007199254740992",
    b"123456789012345678901234567890",
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"01",
    b"+1",
    b"[1,]",
    b"{\"a\":1,}",
    b"{\"a\":1,\"a\":2}",
    b"{\"a\":1,\"\\u0061\":2}",
    b"{\"\xc3\xa9\":1,\"\\u00e9\":2}",
    b"\"\\ud800\"",
    b"\"\\udc00x\"",
    b"\"\\ud83d\"",
    b"\"\xff\"",
    b"\"\xc0\xaf\"",
    b"\"\xed\xa0\x80\"",
    b"\"\x01\"",
    b"\"\n\"",
    b"'a'",
    b"\"\\x41\"",
    b"\"\\u00g1\"",
    b"tru",
    b"nul",
    b"[",
    b"{\"a\"}",
];

/// A valid document under the MSEZ profile.
pub fn document(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    space(rng, &mut out);
    value(rng, &mut out, 0);
    space(rng, &mut out);
    out
}

/// A document that is invalid because one value inside it is one of [`INVALID_FRAGMENTS`], or
/// because of what surrounds a valid document (a byte-order mark, a second value).
pub fn invalid_document(rng: &mut Rng) -> Vec<u8> {
    let fragment = *rng.pick(INVALID_FRAGMENTS);
    let mut out = Vec::new();
    match rng.below(4) {
        0 => out.extend_from_slice(fragment),
        1 => {
            out.extend_from_slice(b"[");
            value(rng, &mut out, DEPTH_MAX - 1);
            out.extend_from_slice(b",");
            out.extend_from_slice(fragment);
            out.extend_from_slice(b"]");
        }
        2 => {
            out.extend_from_slice(b"{\"k\":{\"x\":");
            out.extend_from_slice(fragment);
            out.extend_from_slice(b"}}");
        }
        _ => {
            let valid = document(rng);
            if rng.chance(1, 2) {
                out.extend_from_slice(b"\xef\xbb\xbf");
                out.extend_from_slice(&valid);
            } else {
                out.extend_from_slice(&valid);
                out.extend_from_slice(b" 1");
            }
        }
    }
    out
}

fn value(rng: &mut Rng, out: &mut Vec<u8>, depth: u32) {
    let container_chance = u64::from(DEPTH_MAX - depth.min(DEPTH_MAX));
    match rng.below(8 + container_chance * 2) {
        0 => out.extend_from_slice(b"null"),
        1 => out.extend_from_slice(b"true"),
        2 => out.extend_from_slice(b"false"),
        3 | 4 => integer(rng, out),
        5..=7 => string(rng, out),
        choice if choice % 2 == 0 => array(rng, out, depth + 1),
        _ => object(rng, out, depth + 1),
    }
}

fn array(rng: &mut Rng, out: &mut Vec<u8>, depth: u32) {
    out.push(b'[');
    let length = rng.below(6);
    for index in 0..length {
        if index > 0 {
            out.push(b',');
        }
        space(rng, out);
        value(rng, out, depth);
        space(rng, out);
    }
    out.push(b']');
}

fn object(rng: &mut Rng, out: &mut Vec<u8>, depth: u32) {
    out.push(b'{');
    let length = rng.below(7);
    let mut keys = HashSet::new();
    let mut written = 0;
    for _ in 0..length {
        let key = text(rng, 4);
        if !keys.insert(key.clone()) {
            continue; // Duplicate names are invalid input; the valid set never has them.
        }
        if written > 0 {
            out.push(b',');
        }
        written += 1;
        space(rng, out);
        encode_string(rng, out, &key);
        space(rng, out);
        out.push(b':');
        space(rng, out);
        value(rng, out, depth);
        space(rng, out);
    }
    out.push(b'}');
}

fn integer(rng: &mut Rng, out: &mut Vec<u8>) {
    let edges = [
        0,
        1,
        -1,
        INTEGER_MAGNITUDE_MAX,
        -INTEGER_MAGNITUDE_MAX,
        i64::from(i32::MAX),
        i64::from(i32::MIN),
        1 << 32,
        999_999_999_999_999,
        100_000_000_000_000_000 / 100_000,
    ];
    let number = if rng.chance(1, 3) {
        *rng.pick(&edges)
    } else {
        let magnitude = rng.below(INTEGER_MAGNITUDE_MAX as u64 + 1) >> rng.below(53);
        let magnitude = i64::try_from(magnitude).unwrap();
        if rng.chance(1, 2) {
            -magnitude
        } else {
            magnitude
        }
    };
    out.extend_from_slice(number.to_string().as_bytes());
}

fn string(rng: &mut Rng, out: &mut Vec<u8>) {
    let content = text(rng, 12);
    encode_string(rng, out, &content);
}

fn text(rng: &mut Rng, length_max: u64) -> String {
    let length = rng.below(length_max + 1);
    (0..length)
        .map(|_| match rng.below(4) {
            0 => *rng.pick(NASTY_CHARS),
            1 => char::from(b'a' + u8::try_from(rng.below(26)).unwrap()),
            2 => char::from(b'A' + u8::try_from(rng.below(26)).unwrap()),
            _ => random_scalar(rng),
        })
        .collect()
}

/// Any Unicode scalar value, biased toward the low planes where real text lives.
fn random_scalar(rng: &mut Rng) -> char {
    let limit = *rng.pick(&[0x80, 0x800, 0x1_0000, 0x11_0000]);
    loop {
        if let Some(c) = char::from_u32(u32::try_from(rng.below(limit)).unwrap()) {
            return c;
        }
    }
}

/// Writes `content` as a JSON string, choosing per character between raw UTF-8 (where JSON
/// allows it), the short escapes and `\uXXXX` (surrogate pairs above the BMP), in random case.
fn encode_string(rng: &mut Rng, out: &mut Vec<u8>, content: &str) {
    out.push(b'"');
    for c in content.chars() {
        let must_escape = c < ' ' || c == '"' || c == '\\';
        let short = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        match (must_escape || rng.chance(1, 4), short) {
            (false, _) => {
                let mut buffer = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
            (true, Some(escape)) if rng.chance(1, 2) => out.extend_from_slice(escape.as_bytes()),
            (true, _) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let escaped = format!("\\u{unit:04x}");
                    let escaped = if rng.chance(1, 2) {
                        escaped.to_uppercase().replacen("\\U", "\\u", 1)
                    } else {
                        escaped
                    };
                    out.extend_from_slice(escaped.as_bytes());
                }
            }
        }
    }
    out.push(b'"');
}

fn space(rng: &mut Rng, out: &mut Vec<u8>) {
    let spaces: [&[u8]; 6] = [b"", b"", b" ", b"\n", b"\t ", b"\r\n  "];
    let chosen: &&[u8] = rng.pick(&spaces);
    out.extend_from_slice(chosen);
}
