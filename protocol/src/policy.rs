//! The receipt-signing policy of a corridor: k of the n signers its agreement names (SPEC §5).
//!
//! Owns [`SigningPolicy`], [`PolicyError`], [`RejectedProof`] and [`Rejection`]. Receipts and
//! checkpoints are both checked with [`SigningPolicy::check_proofs`].
//!
//! Never: counts one signer twice, counts a signer the policy does not name, or counts a proof
//! whose purpose is not `assertionMethod`. Signature checking itself is [`crate::proof`]'s.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fields::{FieldError, ObjectReader};
use crate::keys::DidKey;
use crate::proof::{self, Proof, ProofError, ProofPurpose};

/// The most signers a policy may name. Corridor agreements name a handful of authorities per
/// side; 32 leaves room for large multilateral corridors while bounding the work of verifying
/// one receipt to 32 signature checks.
pub const POLICY_SIGNERS_MAX: usize = 32;

/// The most proofs one receipt or checkpoint may carry. A valid proof set needs at most one
/// proof per named signer, so anything beyond [`POLICY_SIGNERS_MAX`] is padding an attacker
/// could use to make verification expensive.
pub const PROOFS_PER_DOCUMENT_MAX: usize = POLICY_SIGNERS_MAX;

/// k-of-n: at least `threshold` distinct signers among `signers` must have valid proofs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningPolicy {
    /// How many distinct named signers must sign (1 ≤ threshold ≤ signer count).
    threshold: u32,
    /// The named signers, ordered by public key bytes, without duplicates.
    signers: Vec<DidKey>,
}

/// Why a policy cannot be built, or why proofs do not satisfy it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A member of the policy object is missing, unknown or malformed.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// A threshold of zero would accept unsigned receipts.
    #[error("signing policy threshold is 0; at least one signature must be required")]
    ThresholdZero,
    /// More signatures required than there are signers.
    #[error("signing policy threshold {threshold} exceeds its {signer_count} signers")]
    ThresholdAboveSignerCount {
        /// The threshold given.
        threshold: u32,
        /// Distinct signers given.
        signer_count: usize,
    },
    /// More than [`POLICY_SIGNERS_MAX`] signers.
    #[error(
        "signing policy names {signer_count} signers, the most allowed is {POLICY_SIGNERS_MAX}"
    )]
    TooManySigners {
        /// Signers given.
        signer_count: usize,
    },
    /// A signer listed twice.
    #[error("signing policy names signer {signer} twice")]
    DuplicateSigner {
        /// The repeated signer.
        signer: DidKey,
    },
    /// More than [`PROOFS_PER_DOCUMENT_MAX`] proofs.
    #[error("document carries {proof_count} proofs, the most allowed is {PROOFS_PER_DOCUMENT_MAX}")]
    TooManyProofs {
        /// Proofs given.
        proof_count: usize,
    },
    /// Fewer distinct authorised signers with valid proofs than the threshold.
    #[error(
        "{valid_signer_count} of the required {threshold} authorised signers signed; rejected proofs: {rejected:?}"
    )]
    ThresholdNotMet {
        /// Distinct authorised signers whose proofs verified.
        valid_signer_count: usize,
        /// Signers required.
        threshold: u32,
        /// Every proof that did not count, and why.
        rejected: Vec<RejectedProof>,
    },
}

/// A proof that did not count towards the threshold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedProof {
    /// 0-based position of the proof in the proof set.
    pub proof_index: usize,
    /// Why it did not count.
    pub rejection: Rejection,
}

/// Why a proof did not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// The signature (or the document's canonical form) did not verify.
    Invalid(ProofError),
    /// The proof's purpose is not `assertionMethod`.
    WrongPurpose(ProofPurpose),
    /// The signer is not named by the policy.
    NotAuthorised(DidKey),
    /// The signer already counted through an earlier proof.
    DuplicateSigner(DidKey),
}

impl SigningPolicy {
    /// A policy requiring `threshold` of `signers`; duplicates and bad thresholds are errors.
    pub fn new(threshold: u32, signers: Vec<DidKey>) -> Result<Self, PolicyError> {
        if signers.len() > POLICY_SIGNERS_MAX {
            return Err(PolicyError::TooManySigners {
                signer_count: signers.len(),
            });
        }
        let mut sorted = signers;
        sorted.sort_by_key(DidKey::to_bytes);
        let duplicate = sorted.windows(2).find_map(|pair| match pair {
            [first, second] if first == second => Some(*first),
            _ => None,
        });
        if let Some(signer) = duplicate {
            return Err(PolicyError::DuplicateSigner { signer });
        }
        if threshold == 0 {
            return Err(PolicyError::ThresholdZero);
        }
        if threshold as usize > sorted.len() {
            return Err(PolicyError::ThresholdAboveSignerCount {
                threshold,
                signer_count: sorted.len(),
            });
        }
        Ok(Self {
            threshold,
            signers: sorted,
        })
    }

    /// Reads `{"threshold": k, "signers": [did:key…]}`.
    pub fn from_value(value: Value) -> Result<Self, PolicyError> {
        let mut reader = ObjectReader::new("receipt_signing_policy", value)?;
        let threshold = reader.required("threshold")?;
        let signers = reader.required("signers")?;
        reader.finish()?;
        Self::new(threshold, signers)
    }

    /// Signatures required.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The named signers, ordered by public key bytes.
    pub fn signers(&self) -> &[DidKey] {
        &self.signers
    }

    /// Whether `did` is a named signer.
    pub fn names(&self, did: &DidKey) -> bool {
        self.signers
            .binary_search_by_key(&did.to_bytes(), DidKey::to_bytes)
            .is_ok()
    }

    /// Verifies `proofs` over `unsecured` and returns the distinct authorised signers, in proof
    /// order, if there are at least `threshold` of them.
    pub fn check_proofs(
        &self,
        unsecured: &Value,
        proofs: &[Proof],
    ) -> Result<Vec<DidKey>, PolicyError> {
        if proofs.len() > PROOFS_PER_DOCUMENT_MAX {
            return Err(PolicyError::TooManyProofs {
                proof_count: proofs.len(),
            });
        }
        let mut accepted: Vec<DidKey> = Vec::with_capacity(proofs.len());
        let mut rejected = Vec::new();
        for (proof_index, proof) in proofs.iter().enumerate() {
            match self.judge(unsecured, proof, &accepted) {
                Ok(signer) => accepted.push(signer),
                Err(rejection) => rejected.push(RejectedProof {
                    proof_index,
                    rejection,
                }),
            }
        }
        if accepted.len() < self.threshold as usize {
            return Err(PolicyError::ThresholdNotMet {
                valid_signer_count: accepted.len(),
                threshold: self.threshold,
                rejected,
            });
        }
        Ok(accepted)
    }

    /// Whether one proof counts, given the signers already counted.
    fn judge(
        &self,
        unsecured: &Value,
        proof: &Proof,
        accepted: &[DidKey],
    ) -> Result<DidKey, Rejection> {
        if proof.purpose() != ProofPurpose::AssertionMethod {
            return Err(Rejection::WrongPurpose(proof.purpose()));
        }
        let signer = proof.signer();
        if !self.names(&signer) {
            return Err(Rejection::NotAuthorised(signer));
        }
        if accepted.contains(&signer) {
            return Err(Rejection::DuplicateSigner(signer));
        }
        proof::verify_proof(unsecured, proof).map_err(Rejection::Invalid)
    }
}

impl<'de> Deserialize<'de> for SigningPolicy {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(value).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
