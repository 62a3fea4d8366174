//! Reading protocol objects member by member, so every parse error names the member.
//!
//! Owns [`FieldError`] and the crate-internal [`ObjectReader`]. Receipts, genesis objects,
//! checkpoints and export lines are read through it: each member is taken once, typed with
//! serde, and any member left over is an unknown field (`additionalProperties: false`).
//!
//! Never: accepts an unknown member, a missing required member, or `null` for an optional
//! member (absent and `null` are different documents and sign differently).

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a JSON object is not the protocol object it should be; names the member.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The value is not a JSON object.
    #[error("{object} is not a JSON object")]
    NotAnObject {
        /// Which object was expected.
        object: &'static str,
    },
    /// A required member is absent.
    #[error("{object}: missing member {field}")]
    Missing {
        /// Which object.
        object: &'static str,
        /// The member.
        field: &'static str,
    },
    /// A member is present but of the wrong type or value.
    #[error("{object}: member {field} is invalid: {reason}")]
    Invalid {
        /// Which object.
        object: &'static str,
        /// The member.
        field: &'static str,
        /// serde's description of what was wrong.
        reason: String,
    },
    /// A member the object does not define.
    #[error("{object}: unknown member {field:?}")]
    Unknown {
        /// Which object.
        object: &'static str,
        /// The member's name.
        field: String,
    },
}

/// Takes the members of one JSON object, each exactly once.
pub(crate) struct ObjectReader {
    object: &'static str,
    members: Map<String, Value>,
}

impl ObjectReader {
    /// Starts reading `value`, which must be an object; `object` names it in errors.
    pub(crate) fn new(object: &'static str, value: Value) -> Result<Self, FieldError> {
        match value {
            Value::Object(members) => Ok(Self { object, members }),
            _ => Err(FieldError::NotAnObject { object }),
        }
    }

    /// Takes a required member.
    pub(crate) fn required<T: DeserializeOwned>(
        &mut self,
        field: &'static str,
    ) -> Result<T, FieldError> {
        let value = self.members.remove(field).ok_or(FieldError::Missing {
            object: self.object,
            field,
        })?;
        self.typed(field, value)
    }

    /// Takes an optional member; `null` is not absence and is rejected by `T`'s reader.
    pub(crate) fn optional<T: DeserializeOwned>(
        &mut self,
        field: &'static str,
    ) -> Result<Option<T>, FieldError> {
        match self.members.remove(field) {
            None => Ok(None),
            Some(Value::Null) => Err(FieldError::Invalid {
                object: self.object,
                field,
                reason: "null is not allowed; leave the member out".to_owned(),
            }),
            Some(value) => self.typed(field, value).map(Some),
        }
    }

    /// Ends reading: any member not taken is unknown.
    pub(crate) fn finish(self) -> Result<(), FieldError> {
        match self.members.into_iter().next() {
            None => Ok(()),
            Some((field, _)) => Err(FieldError::Unknown {
                object: self.object,
                field,
            }),
        }
    }

    fn typed<T: DeserializeOwned>(
        &self,
        field: &'static str,
        value: Value,
    ) -> Result<T, FieldError> {
        serde_json::from_value(value).map_err(|error| FieldError::Invalid {
            object: self.object,
            field,
            reason: error.to_string(),
        })
    }
}

#[cfg(test)]
mod tests;
