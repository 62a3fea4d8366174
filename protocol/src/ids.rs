//! Identifier newtypes: one type per kind of id, so a corridor id can never be passed where an
//! entity id is expected.
//!
//! Owns [`CorridorId`], [`EntityId`], [`JurisdictionId`], [`ObligationId`] and [`IdError`].
//!
//! Never: generates ids (no randomness here); callers bring them.

/// The longest id accepted, in bytes. Ids appear in receipts, URLs and database keys; 128 bytes
/// holds a UUID with a long prefix and keeps every row and path bounded.
pub const ID_LENGTH_BYTES_MAX: usize = 128;

/// Why text is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Empty text.
    #[error("{kind} is empty")]
    Empty {
        /// Which kind of id.
        kind: &'static str,
    },
    /// Longer than [`ID_LENGTH_BYTES_MAX`].
    #[error("{kind} is {length_bytes} bytes long; the limit is {ID_LENGTH_BYTES_MAX}")]
    TooLong {
        /// Which kind of id.
        kind: &'static str,
        /// Length received.
        length_bytes: usize,
    },
    /// A character outside `A-Z a-z 0-9 . _ : -`.
    #[error("{kind} contains {found:?}; allowed are A-Z a-z 0-9 . _ : -")]
    Character {
        /// Which kind of id.
        kind: &'static str,
        /// The offending character.
        found: char,
    },
}

pub(crate) fn check_id(kind: &'static str, text: &str) -> Result<(), IdError> {
    if text.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if text.len() > ID_LENGTH_BYTES_MAX {
        return Err(IdError::TooLong {
            kind,
            length_bytes: text.len(),
        });
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-');
    match text.chars().find(|&c| !allowed(c)) {
        Some(found) => Err(IdError::Character { kind, found }),
        None => Ok(()),
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Checks and wraps an id: 1–128 bytes of `A-Z a-z 0-9 . _ : -`.
            pub fn new(text: impl Into<String>) -> Result<Self, $crate::ids::IdError> {
                let text = text.into();
                $crate::ids::check_id($kind, &text)?;
                Ok(Self(text))
            }

            /// The id text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ids::IdError;

            fn from_str(text: &str) -> Result<Self, $crate::ids::IdError> {
                Self::new(text)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Self::new(<String as serde::Deserialize>::deserialize(deserializer)?).map_err(serde::de::Error::custom)
            }
        }
    };
}
/// Other modules define their own id kinds (policy, dispute, asset ids) with the same rules.
pub(crate) use string_id;

string_id!(
    /// A corridor's id, unique within the zones that share it.
    CorridorId,
    "corridor_id"
);
string_id!(
    /// An entity's id as Mass knows it (MSEZ never mints entity ids of its own).
    EntityId,
    "entity_id"
);
string_id!(
    /// A jurisdiction code such as `PK`, `AE` or `PK-RSEZ`.
    JurisdictionId,
    "jurisdiction_id"
);
string_id!(
    /// A settlement obligation's id, unique within one netting input.
    ObligationId,
    "obligation_id"
);

#[cfg(test)]
mod tests;
