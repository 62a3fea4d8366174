//! SHA-256 digests (SPEC §1): 32 bytes, 64 lowercase hex characters on the wire, no prefix.
//!
//! Owns [`Digest`], [`DomainTag`] and [`DigestError`].
//!
//! Never: hashes a document's bytes directly. A document digest is taken only of
//! [`CanonicalBytes`]; raw bytes are hashed only under a domain tag
//! (`SHA-256(tag || 0x00 || bytes)`), so two kinds of input can never collide.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

use crate::canonical::CanonicalBytes;

/// Length of a digest in bytes.
pub const DIGEST_LENGTH_BYTES: usize = 32;

/// A SHA-256 digest.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest([u8; DIGEST_LENGTH_BYTES]);

/// A domain-separation tag: a short printable-ASCII name such as `msez.lawpack.v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DomainTag(&'static str);

/// Why text is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// Wrong number of characters.
    #[error("a digest is 64 lowercase hex characters, got {length_chars} characters")]
    Length {
        /// Characters received.
        length_chars: usize,
    },
    /// A character outside `0-9a-f`.
    #[error("a digest is 64 lowercase hex characters, found {found:?} at position {position}")]
    Character {
        /// The offending character.
        found: char,
        /// 0-based character position.
        position: usize,
    },
}

impl DomainTag {
    /// Builds a tag. Tags are constants of the protocol (`msez.lawpack.v1`); they are printable
    /// ASCII without NUL, which the `0x00` separator relies on, and a unit test checks every tag
    /// the crate defines.
    pub const fn new(tag: &'static str) -> Self {
        Self(tag)
    }

    /// The tag text.
    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

impl Digest {
    /// The digest of a canonical document. [`CanonicalBytes::digest`] is the public spelling.
    pub(crate) fn sha256_of_canonical(bytes: &CanonicalBytes) -> Self {
        Self(Sha256::digest(bytes.as_bytes()).into())
    }

    /// `SHA-256(tag || 0x00 || bytes)`: the digest of raw bytes under a domain tag.
    pub fn tagged(tag: DomainTag, bytes: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(tag.as_str().as_bytes());
        hasher.update([0u8]);
        hasher.update(bytes);
        Self(hasher.finalize().into())
    }

    /// SHA-256 over the concatenation of `parts`, with no tag and no canonicalisation.
    ///
    /// Only for byte constructions the SPEC fixes exactly, whose first byte already separates
    /// the domains: the MMR leaf `SHA-256(0x00 || next_root)` and node
    /// `SHA-256(0x01 || left || right)` of SPEC §6. It is not a document digest and is never
    /// applied to JSON.
    pub(crate) fn sha256_of_parts(parts: &[&[u8]]) -> Self {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update(part);
        }
        Self(hasher.finalize().into())
    }

    /// Wraps 32 bytes received from elsewhere (a decoded proof, a database row).
    pub const fn from_bytes(bytes: [u8; DIGEST_LENGTH_BYTES]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; DIGEST_LENGTH_BYTES] {
        &self.0
    }

    /// Parses 64 lowercase hex characters.
    pub fn from_hex(text: &str) -> Result<Self, DigestError> {
        let length_chars = text.chars().count();
        if length_chars != DIGEST_LENGTH_BYTES * 2 {
            return Err(DigestError::Length { length_chars });
        }
        let mut bytes = [0u8; DIGEST_LENGTH_BYTES];
        for (position, pair) in text.as_bytes().chunks_exact(2).enumerate() {
            let high = hex_value(pair[0]).ok_or(DigestError::Character {
                found: char::from(pair[0]),
                position: position * 2,
            })?;
            let low = hex_value(pair[1]).ok_or(DigestError::Character {
                found: char::from(pair[1]),
                position: position * 2 + 1,
            })?;
            bytes[position] = high << 4 | low;
        }
        Ok(Self(bytes))
    }

    /// 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.to_hex())
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(text: &str) -> Result<Self, DigestError> {
        Self::from_hex(text)
    }
}

impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
