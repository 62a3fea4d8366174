//! Wire helpers shared by every Mass service module: open enums and idempotency keys.
//!
//! Owns the [`open_enum!`](crate::open_enum) macro (a string enum whose unknown values decode to
//! `Unknown(String)` instead of failing), and [`IdempotencyKey`].
//!
//! Never: rejects a response because Mass added an enum value; that would turn a Mass release
//! into an MSEZ outage.

use std::fmt;

/// Longest idempotency key accepted, in bytes. 255 holds a UUID plus any caller prefix and keeps
/// the sandbox's idempotency table bounded per entry.
pub const IDEMPOTENCY_KEY_BYTES_MAX: usize = 255;

/// The header that carries an idempotency key on writes.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// A caller-chosen key that makes a write safe to retry: Mass (and the sandbox) answer a
/// repeated key with the first result.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Checks `text`: 1..=[`IDEMPOTENCY_KEY_BYTES_MAX`] bytes of visible ASCII.
    pub fn new(text: impl Into<String>) -> Result<IdempotencyKey, crate::error::MassError> {
        let text = text.into();
        if text.is_empty() {
            return Err(crate::error::MassError::Invalid {
                field: "idempotency_key",
                reason: "is empty",
            });
        }
        if text.len() > IDEMPOTENCY_KEY_BYTES_MAX {
            return Err(crate::error::MassError::Invalid {
                field: "idempotency_key",
                reason: "is longer than 255 bytes",
            });
        }
        if !text.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(crate::error::MassError::Invalid {
                field: "idempotency_key",
                reason: "has a character outside visible ASCII",
            });
        }
        Ok(IdempotencyKey(text))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({})", self.0)
    }
}

/// A response field the contract requires: absent is an error naming the field.
pub(crate) fn required<T>(
    field: &'static str,
    value: Option<T>,
) -> Result<T, crate::error::MassError> {
    value.ok_or(crate::error::MassError::Invalid {
        field,
        reason: "is missing from the response",
    })
}

/// Declares a string enum for a Mass wire field. Known values map to variants; any other value
/// decodes to `Unknown(String)` and encodes back unchanged.
#[macro_export]
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this client does not know (Mass is newer than us).
            Unknown(String),
        }

        impl $name {
            /// Every known wire value, in declaration order (the contract test reads it).
            pub const WIRE_VALUES: &'static [&'static str] = &[$($wire,)+];

            /// The wire text of this value.
            pub fn as_wire(&self) -> &str {
                match self {
                    $($name::$variant => $wire,)+
                    $name::Unknown(text) => text,
                }
            }

            /// The value for `text`; unknown text becomes `Unknown`.
            pub fn from_wire(text: &str) -> $name {
                match text {
                    $($wire => $name::$variant,)+
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_wire())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok($name::from_wire(&text))
            }
        }
    };
}

#[cfg(test)]
mod tests;
