//! A protocol document together with its Data Integrity proof set (receipts, checkpoints).
//!
//! Owns [`Signed`], the [`Document`] trait and [`SignedError`]. On the wire the proofs sit in the
//! document's `proof` member: one proof object, or an array when several parties co-sign
//! (SPEC §3). Every proof signs the document without any proof.
//!
//! Never: verifies signatures against a policy (that is [`crate::policy`]) or implements any
//! signature code of its own (that is [`crate::proof`]).

use serde::Serialize;
use serde_json::Value;

use crate::canonical::CanonError;
use crate::fields::FieldError;
use crate::keys::SigningKey;
use crate::proof::{self, Proof, ProofError, ProofPurpose};
use crate::time::Timestamp;

/// A protocol document that is read member by member and signed as a JSON value.
pub trait Document: Sized {
    /// Reads the document (without `proof`).
    fn from_value(value: Value) -> Result<Self, FieldError>;
    /// The document as the JSON value its proofs sign.
    fn to_value(&self) -> Result<Value, CanonError>;
}

/// A document and its proofs, in the order they appear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed<T> {
    /// The document the proofs sign.
    pub document: T,
    /// Its proofs (one object or an array on the wire).
    pub proofs: Vec<Proof>,
}

/// Why a secured document could not be read, built or signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedError {
    /// A member of the document is missing, unknown or malformed.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The document cannot be canonicalised (a float in a payload, say).
    #[error("document cannot be canonicalised: {0}")]
    Canonical(#[from] CanonError),
    /// The `proof` member is malformed, or a proof could not be made or attached.
    #[error("document proof: {0}")]
    Proof(#[from] ProofError),
}

impl<T: Document> Signed<T> {
    /// Reads a secured document: splits off its proof set, then reads the document.
    pub fn from_value(value: &Value) -> Result<Self, SignedError> {
        let (unsecured, proofs) = proof::split_proofs(value)?;
        Ok(Self {
            document: T::from_value(unsecured)?,
            proofs,
        })
    }

    /// The secured document: the document with its proof (one) or proof set (several).
    pub fn to_value(&self) -> Result<Value, SignedError> {
        let mut value = self.document.to_value()?;
        if let Some(member) = proof::proof_member(&self.proofs) {
            let object = value
                .as_object_mut()
                .ok_or(ProofError::NotAnObject { what: "document" })?;
            object.insert(proof::PROOF_MEMBER.to_owned(), member);
        }
        Ok(value)
    }

    /// Signs `document` with each key in turn (`assertionMethod`, created at `created`).
    pub fn sign(
        document: T,
        keys: &[&SigningKey],
        created: Timestamp,
    ) -> Result<Self, SignedError> {
        let proofs = Self::proofs_over(&document.to_value()?, keys, created)?;
        Ok(Self { document, proofs })
    }

    /// One `assertionMethod` proof over `unsecured` per key, in key order.
    pub(crate) fn proofs_over(
        unsecured: &Value,
        keys: &[&SigningKey],
        created: Timestamp,
    ) -> Result<Vec<Proof>, SignedError> {
        let proofs = keys
            .iter()
            .map(|key| proof::create_proof(unsecured, key, created, ProofPurpose::AssertionMethod))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(proofs)
    }
}

/// Serialises a protocol type to a JSON value, reporting failure as a canonicalisation error.
pub(crate) fn value_of<T: Serialize>(document: &T) -> Result<Value, CanonError> {
    serde_json::to_value(document).map_err(|error| CanonError::Unrepresentable {
        reason: error.to_string(),
    })
}
