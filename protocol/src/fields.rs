//! The one member-by-member reader: checked values out of parsed documents (JSON, or YAML
//! lifted to JSON), with errors that name the member's path.
//!
//! Owns [`FieldError`], [`Fields`] (a borrowing reader over one JSON object that knows its own
//! path), the crate-internal `ObjectReader` (an owning reader that types each member with serde
//! and takes it exactly once), [`parse_json`] and [`parse_yaml`]. Every document is parsed in
//! two stages (STYLE rule 4): text becomes a `serde_json::Value` under the MSEZ integer profile,
//! then a reader lifts it into checked domain types, naming the path
//! (`$.corridors[2].peer_zone_id`, `receipt.sequence`) of whatever is wrong. Packs, zone files,
//! policies and disputes use [`Fields`]; receipts, genesis objects, checkpoints, signing
//! policies and export headers use `ObjectReader`.
//!
//! Never: accepts a member it was not told about (unknown members are errors, so a misspelt
//! field cannot be silently ignored), a fraction, or an integer outside ±(2^53−1). The owning
//! reader also never accepts `null` for an optional member (absent and `null` are different
//! documents and sign differently).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::canonical::{self, CanonError, CanonicalBytes};
use crate::digest::{Digest, DigestError};
use crate::ids::IdError;
use crate::time::{Timestamp, TimestampError};

/// The largest YAML document accepted, in bytes. Zone files and pack manifests are a few
/// kilobytes; 1 MiB leaves room for large manifests while bounding parser memory.
pub const YAML_BYTES_MAX: usize = 1 << 20;

/// Why a field of a document is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// A required member is absent.
    #[error("{path}: required field is missing")]
    Missing {
        /// Path of the missing member.
        path: String,
    },
    /// A member this document kind does not define.
    #[error("{path}: unknown field")]
    Unknown {
        /// Path of the unexpected member.
        path: String,
    },
    /// A member of the wrong JSON type.
    #[error("{path}: expected {expected}")]
    WrongType {
        /// Path of the member.
        path: String,
        /// What was expected (`a string`, `an integer`...).
        expected: &'static str,
    },
    /// An integer outside the range the field allows.
    #[error("{path}: {value} is outside {min}..={max}")]
    OutOfRange {
        /// Path of the member.
        path: String,
        /// The value found.
        value: i64,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A member whose value serde could not type (`null` where a value is required, a wrong
    /// type, an invalid id or digest inside it).
    #[error("{path}: {reason}")]
    Invalid {
        /// Path of the member.
        path: String,
        /// serde's description of what was wrong.
        reason: String,
    },
    /// A string that is not a valid identifier.
    #[error("{path}: {error}")]
    Id {
        /// Path of the member.
        path: String,
        /// Why the id is invalid.
        error: IdError,
    },
    /// A string that is not a protocol timestamp.
    #[error("{path}: {error}")]
    Timestamp {
        /// Path of the member.
        path: String,
        /// Why the timestamp is invalid.
        error: TimestampError,
    },
    /// A string that is not a digest.
    #[error("{path}: {error}")]
    Digest {
        /// Path of the member.
        path: String,
        /// Why the digest is invalid.
        error: DigestError,
    },
    /// A string that is not one of the allowed words.
    #[error("{path}: {value:?} is not one of {allowed}")]
    UnknownWord {
        /// Path of the member.
        path: String,
        /// The word found.
        value: String,
        /// The allowed words, comma-separated.
        allowed: String,
    },
    /// The same value twice in a list or set that must not repeat.
    #[error("{path}: duplicate value {value:?}")]
    Duplicate {
        /// Path of the second occurrence.
        path: String,
        /// The repeated value.
        value: String,
    },
    /// A string or list longer than its limit.
    #[error("{path}: length {length} exceeds the limit of {limit}")]
    TooLong {
        /// Path of the member.
        path: String,
        /// Length found (bytes for strings, items for lists).
        length: usize,
        /// The limit.
        limit: usize,
    },
    /// An empty string or list where at least one item is required.
    #[error("{path}: must not be empty")]
    Empty {
        /// Path of the member.
        path: String,
    },
    /// The document is not JSON under the MSEZ profile.
    #[error("{error}")]
    Json {
        /// What the canonical parser found (with its own path).
        error: CanonError,
    },
    /// The document is not YAML, or holds what JSON cannot (non-string keys, tags).
    #[error("YAML: {reason}")]
    Yaml {
        /// The YAML parser's explanation, with line and column.
        reason: String,
    },
    /// The YAML document is larger than [`YAML_BYTES_MAX`].
    #[error("YAML document is {length_bytes} bytes; the limit is {YAML_BYTES_MAX}")]
    YamlTooLarge {
        /// Size received.
        length_bytes: usize,
    },
}

/// A reader over one JSON object, carrying the object's path for error messages.
#[derive(Debug, Clone, Copy)]
pub struct Fields<'a> {
    path: &'a str,
    map: &'a Map<String, Value>,
}

/// Parses JSON text under the MSEZ integer profile (see [`canonical::parse`]).
pub fn parse_json(input: &[u8]) -> Result<Value, FieldError> {
    canonical::parse(input).map_err(|error| FieldError::Json { error })
}

/// Parses a YAML document into JSON, then applies the MSEZ integer profile.
///
/// Duplicate keys are errors; alias expansion is bounded by the parser's defaults; a float, or
/// an integer beyond ±(2^53−1), is a typed error naming its path. The result canonicalises, so
/// two YAML files that differ only in layout, comments or key order give the same bytes.
pub fn parse_yaml(input: &[u8]) -> Result<Value, FieldError> {
    if input.len() > YAML_BYTES_MAX {
        return Err(FieldError::YamlTooLarge {
            length_bytes: input.len(),
        });
    }
    let text = std::str::from_utf8(input).map_err(|error| FieldError::Json {
        error: CanonError::InvalidUtf8 {
            offset: error.valid_up_to(),
        },
    })?;
    // Options are set explicitly (STYLE rule 15): YAML 1.2 core booleans only (`n` and `no`
    // stay strings), numbers with leading zeros or underscores stay strings (a hex digest of
    // digits only is still a digest), unknown tags are refused, duplicate keys are errors.
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        underscored_numbers_as_strings: true,
        legacy_octal_numbers: false,
        reject_unsupported_tags: true,
        with_snippet: false,
    };
    let value: Value =
        serde_saphyr::from_str_with_options(text, options).map_err(|error| FieldError::Yaml {
            reason: error.to_string(),
        })?;
    // Applies the integer profile with path-naming errors.
    CanonicalBytes::new(&value).map_err(|error| FieldError::Json { error })?;
    Ok(value)
}

/// The path of member `key` under `parent` (`$.a` + `b` = `$.a.b`).
pub fn child_path(parent: &str, key: &str) -> String {
    format!("{parent}.{key}")
}

/// The path of item `index` under `parent` (`$.a` + 2 = `$.a[2]`).
pub fn index_path(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// Views `value` as an object at `path`.
pub fn as_object<'a>(value: &'a Value, path: &'a str) -> Result<Fields<'a>, FieldError> {
    match value {
        Value::Object(map) => Ok(Fields { path, map }),
        _ => Err(FieldError::WrongType {
            path: path.to_owned(),
            expected: "an object",
        }),
    }
}

/// Views `value` as an array at `path`, with at most `limit` items.
pub fn as_array<'a>(value: &'a Value, path: &str, limit: usize) -> Result<&'a [Value], FieldError> {
    let Value::Array(items) = value else {
        return Err(FieldError::WrongType {
            path: path.to_owned(),
            expected: "an array",
        });
    };
    if items.len() > limit {
        return Err(FieldError::TooLong {
            path: path.to_owned(),
            length: items.len(),
            limit,
        });
    }
    Ok(items)
}

/// Views `value` as a string at `path`.
pub fn as_str<'a>(value: &'a Value, path: &str) -> Result<&'a str, FieldError> {
    value.as_str().ok_or_else(|| FieldError::WrongType {
        path: path.to_owned(),
        expected: "a string",
    })
}

/// Views `value` as an integer at `path` (the profile guarantees it fits ±(2^53−1)).
pub fn as_i64(value: &Value, path: &str) -> Result<i64, FieldError> {
    value.as_i64().ok_or_else(|| FieldError::WrongType {
        path: path.to_owned(),
        expected: "an integer",
    })
}

/// Views `value` as an integer in `min..=max` at `path`.
pub fn as_i64_in(value: &Value, path: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    let number = as_i64(value, path)?;
    if min <= number && number <= max {
        Ok(number)
    } else {
        Err(FieldError::OutOfRange {
            path: path.to_owned(),
            value: number,
            min,
            max,
        })
    }
}

/// Parses `value` as one of `words` at `path`, returning its index in `words`.
pub fn as_word(value: &Value, path: &str, words: &[&str]) -> Result<usize, FieldError> {
    let text = as_str(value, path)?;
    words
        .iter()
        .position(|word| *word == text)
        .ok_or_else(|| FieldError::UnknownWord {
            path: path.to_owned(),
            value: text.to_owned(),
            allowed: words.join(", "),
        })
}

/// Parses `value` as an identifier through `make` (such as `EntityId::new`) at `path`.
pub fn as_id<T>(
    value: &Value,
    path: &str,
    make: impl FnOnce(String) -> Result<T, IdError>,
) -> Result<T, FieldError> {
    make(as_str(value, path)?.to_owned()).map_err(|error| FieldError::Id {
        path: path.to_owned(),
        error,
    })
}

/// Parses `value` as a protocol timestamp at `path`.
pub fn as_timestamp(value: &Value, path: &str) -> Result<Timestamp, FieldError> {
    Timestamp::parse(as_str(value, path)?).map_err(|error| FieldError::Timestamp {
        path: path.to_owned(),
        error,
    })
}

/// Parses `value` as a digest (64 lowercase hex characters) at `path`.
pub fn as_digest(value: &Value, path: &str) -> Result<Digest, FieldError> {
    Digest::from_hex(as_str(value, path)?).map_err(|error| FieldError::Digest {
        path: path.to_owned(),
        error,
    })
}

/// Parses `value` as a non-empty string of at most `limit` bytes at `path`.
pub fn as_text(value: &Value, path: &str, limit: usize) -> Result<String, FieldError> {
    let text = as_str(value, path)?;
    if text.is_empty() {
        return Err(FieldError::Empty {
            path: path.to_owned(),
        });
    }
    if text.len() > limit {
        return Err(FieldError::TooLong {
            path: path.to_owned(),
            length: text.len(),
            limit,
        });
    }
    Ok(text.to_owned())
}

/// Parses the array at `path` (at most `limit` items) item by item with `parse`, which gets
/// each item and its path (`$.list[3]`).
pub fn parse_list<T, E: From<FieldError>>(
    value: &Value,
    path: &str,
    limit: usize,
    mut parse: impl FnMut(&Value, &str) -> Result<T, E>,
) -> Result<Vec<T>, E> {
    as_array(value, path, limit)?
        .iter()
        .enumerate()
        .map(|(index, item)| parse(item, &index_path(path, index)))
        .collect()
}

/// Checks that `keys` (the items of the list at `path`, in order) never repeat; the error names
/// the second occurrence (`$.list[4]`).
pub fn check_unique<'k>(
    keys: impl IntoIterator<Item = &'k str>,
    path: &str,
) -> Result<(), FieldError> {
    let mut seen = std::collections::BTreeSet::new();
    for (index, key) in keys.into_iter().enumerate() {
        if !seen.insert(key) {
            return Err(FieldError::Duplicate {
                path: index_path(path, index),
                value: key.to_owned(),
            });
        }
    }
    Ok(())
}

impl<'a> Fields<'a> {
    /// The path of this object.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// Rejects any member not named in `allowed`.
    pub fn only(&self, allowed: &[&str]) -> Result<(), FieldError> {
        match self.map.keys().find(|key| !allowed.contains(&key.as_str())) {
            Some(key) => Err(FieldError::Unknown {
                path: child_path(self.path, key),
            }),
            None => Ok(()),
        }
    }

    /// The member `key` (null counts as absent), or `None`.
    pub fn optional(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|value| !value.is_null())
    }

    /// The member `key`, or a [`FieldError::Missing`] naming it.
    pub fn required(&self, key: &str) -> Result<&'a Value, FieldError> {
        self.optional(key).ok_or_else(|| FieldError::Missing {
            path: self.child(key),
        })
    }

    /// How many members the object has.
    pub fn member_count(&self) -> usize {
        self.map.len()
    }

    /// The members, in key order.
    pub fn members(&self) -> impl Iterator<Item = (&'a String, &'a Value)> + use<'a> {
        self.map.iter()
    }

    /// The required member `key` as a non-empty string of at most `limit` bytes.
    pub fn text(&self, key: &str, limit: usize) -> Result<String, FieldError> {
        as_text(self.required(key)?, &self.child(key), limit)
    }

    /// Requires member `type` to be exactly `expected` (a document's kind marker).
    pub fn expect_type(&self, expected: &str) -> Result<(), FieldError> {
        let found = as_str(self.required("type")?, &self.child("type"))?;
        if found == expected {
            return Ok(());
        }
        Err(FieldError::UnknownWord {
            path: self.child("type"),
            value: found.to_owned(),
            allowed: expected.to_owned(),
        })
    }

    /// The path of member `key`.
    pub fn child(&self, key: &str) -> String {
        child_path(self.path, key)
    }
}

/// Takes the members of one JSON object, each exactly once, typing each with serde; any
/// member left at [`ObjectReader::finish`] is unknown.
pub(crate) struct ObjectReader {
    path: &'static str,
    members: Map<String, Value>,
}

impl ObjectReader {
    /// Starts reading `value`, which must be an object; `object` (such as `receipt`) is the
    /// root of every path in errors.
    pub(crate) fn new(object: &'static str, value: Value) -> Result<Self, FieldError> {
        match value {
            Value::Object(members) => Ok(Self {
                path: object,
                members,
            }),
            _ => Err(FieldError::WrongType {
                path: object.to_owned(),
                expected: "an object",
            }),
        }
    }

    /// Takes a required member.
    pub(crate) fn required<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, FieldError> {
        let value = self
            .members
            .remove(key)
            .ok_or_else(|| FieldError::Missing {
                path: child_path(self.path, key),
            })?;
        self.typed(key, value)
    }

    /// Takes an optional member; `null` is not absence and is rejected.
    pub(crate) fn optional<T: DeserializeOwned>(
        &mut self,
        key: &str,
    ) -> Result<Option<T>, FieldError> {
        match self.members.remove(key) {
            None => Ok(None),
            Some(Value::Null) => Err(FieldError::Invalid {
                path: child_path(self.path, key),
                reason: "null is not allowed; leave the member out".to_owned(),
            }),
            Some(value) => self.typed(key, value).map(Some),
        }
    }

    /// Ends reading: any member not taken is unknown.
    pub(crate) fn finish(self) -> Result<(), FieldError> {
        match self.members.keys().next() {
            None => Ok(()),
            Some(key) => Err(FieldError::Unknown {
                path: child_path(self.path, key),
            }),
        }
    }

    fn typed<T: DeserializeOwned>(&self, key: &str, value: Value) -> Result<T, FieldError> {
        serde_json::from_value(value).map_err(|error| FieldError::Invalid {
            path: child_path(self.path, key),
            reason: error.to_string(),
        })
    }
}

/// Defines a closed vocabulary: an enum whose variants are written as fixed lower-case words,
/// with `ALL`, `as_str`, `parse_word` (typed error naming the field) and serde as that word.
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $word:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];
            /// Every word, in declaration order.
            pub const WORDS: &'static [&'static str] = &[$($word,)+];

            /// The word for this variant.
            pub const fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// Parses the word in `value` at `path`, naming the field if it is not one of ours.
            pub fn parse_word(
                value: &serde_json::Value,
                path: &str,
            ) -> Result<Self, $crate::fields::FieldError> {
                let index = $crate::fields::as_word(value, path, Self::WORDS)?;
                Self::ALL.get(index).copied().ok_or_else(|| {
                    $crate::fields::FieldError::WrongType { path: path.to_owned(), expected: "a known word" }
                })
            }

            /// The variant written as `word`, if any.
            pub fn from_word(word: &str) -> Option<Self> {
                Self::WORDS.iter().position(|w| *w == word).and_then(|i| Self::ALL.get(i).copied())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let word = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::from_word(&word).ok_or_else(|| {
                    serde::de::Error::unknown_variant(&word, Self::WORDS)
                })
            }
        }
    };
}
pub(crate) use word_enum;

#[cfg(test)]
mod tests;
