//! Orchestration of the Mass-facing flows (entity formation, payment with withholding,
//! ownership change, identity verification): the rules and documents a flow produces that a
//! third party must be able to check.
//!
//! Owns [`FlowKind`], [`RequestKey`] (a caller's `Idempotency-Key`), the names every flow
//! derives from its key ([`flow_record_key`], [`step_record_key`], [`flow_credential_id`],
//! [`flow_attestation_id`], [`provisional_subject`]), the sanctions hard block
//! ([`sanctions_gate`], [`SanctionsBlock`]), the zone's signed record of a completed flow
//! ([`OrchestrationAttestation`]) and [`OrchestrationError`].
//!
//! Never: calls Mass, reads a clock or decides a compliance state (the tensor's evaluators do;
//! the gate only reads the sanctions cell).
//!
//! # Names (a compatibility promise: stored records and issued credentials carry them)
//! For flow `f` and key `k`: the flow's record `orchestration:f:k`, a step's record
//! `orchestration:f:k:<step>` (also the Mass idempotency key of a keyed step), the credential
//! `urn:msez:orchestration:f:k`, the attestation `orchestration:f:k`, and (formation, before
//! Mass has named the entity) the provisional subject `f:k`.
//!
//! # Attestation bytes
//! The canonical JSON of `{"type":"MSEZOrchestrationAttestation","flow","request_key",
//! "subject","jurisdiction","mass":{<name>:<Mass id>...},"credential_id","credential_digest",
//! "tensor_digest","commitment_root","attested_at"}` with one eddsa-jcs-2022 proof
//! (`assertionMethod`) by the zone key, created at `attested_at` (SPEC §3).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::digest::Digest;
use crate::fields::word_enum;
use crate::ids::{EntityId, IdError, JurisdictionId};
use crate::keys::SigningKey;
use crate::proof::{ProofError, ProofPurpose, add_proof, create_proof};
use crate::tensor::Domain;
use crate::tensor::cell::{Reason, SubjectEvaluation};
use crate::tensor::lattice::ComplianceState;
use crate::time::Timestamp;

/// The `type` of every orchestration attestation.
pub const ATTESTATION_TYPE: &str = "MSEZOrchestrationAttestation";

/// Longest request key, in bytes. 96 holds a UUID with a long prefix and leaves room, inside a
/// 128-byte id, for the longest flow prefix (`identity_verification:`).
pub const REQUEST_KEY_BYTES_MAX: usize = 96;

word_enum! {
    /// A Mass-facing flow.
    FlowKind {
        /// Compliance, organization, treasury account, consent, credential, attestation.
        EntityFormation = "entity_formation",
        /// Compliance with sanctions hard block, payment, withholding, tax event, credential.
        Payment = "payment",
        /// Compliance of the incoming holder, consent, credential.
        OwnershipChange = "ownership_change",
        /// CNIC and NTN verification, filer status, KYC credential.
        IdentityVerification = "identity_verification",
    }
}

/// A caller's `Idempotency-Key`: 1..=[`REQUEST_KEY_BYTES_MAX`] bytes of `A-Z a-z 0-9 . _ : -`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct RequestKey(String);

/// Why the sanctions cell blocks a flow: it does not pass (a confirmed match is
/// `non_compliant`; a potential match, or nothing screened, is `pending`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SanctionsBlock {
    /// The cell's state.
    pub state: ComplianceState,
    /// Why it has that state.
    pub reason: Reason,
}

/// The zone's record of one completed flow (module docs), before signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrchestrationAttestation {
    /// Always [`ATTESTATION_TYPE`].
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The flow.
    pub flow: FlowKind,
    /// The request's key.
    pub request_key: RequestKey,
    /// The entity the flow is about.
    pub subject: EntityId,
    /// The jurisdiction whose rules applied.
    pub jurisdiction: JurisdictionId,
    /// The Mass records the flow wrote or read, by name (`organization_id`, ...).
    pub mass: BTreeMap<String, String>,
    /// The credential the flow issued.
    pub credential_id: String,
    /// The digest of that signed credential.
    pub credential_digest: Digest,
    /// The digest of the subject's recorded tensor after the flow.
    pub tensor_digest: Digest,
    /// Its commitment root (SPEC §10).
    pub commitment_root: Digest,
    /// When the flow was attested (the flow's one time).
    pub attested_at: Timestamp,
}

/// Why a request key, a name or an attestation could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrchestrationError {
    /// The key is empty, too long, or has a character outside `A-Z a-z 0-9 . _ : -`.
    #[error(
        "idempotency key {key:?} is not 1..={REQUEST_KEY_BYTES_MAX} bytes of A-Z a-z 0-9 . _ : -"
    )]
    RequestKey {
        /// The key offered (truncated to the limit).
        key: String,
    },
    /// A derived name is not an id.
    #[error(transparent)]
    Id(#[from] IdError),
    /// The attestation could not be signed.
    #[error("attestation: {0}")]
    Proof(#[from] ProofError),
    /// The attestation could not be written as JSON.
    #[error("attestation: {reason}")]
    Encode {
        /// serde's finding.
        reason: String,
    },
}

impl RequestKey {
    /// Checks a key.
    pub fn new(text: &str) -> Result<Self, OrchestrationError> {
        let allowed =
            |byte: u8| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b':' | b'-');
        if text.is_empty() || text.len() > REQUEST_KEY_BYTES_MAX || !text.bytes().all(allowed) {
            return Err(OrchestrationError::RequestKey {
                key: text.chars().take(REQUEST_KEY_BYTES_MAX).collect(),
            });
        }
        Ok(Self(text.to_owned()))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RequestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The record of a whole flow: its request digest and, once complete, its answer.
pub fn flow_record_key(flow: FlowKind, key: &RequestKey) -> String {
    format!("orchestration:{flow}:{key}")
}

/// The record of one step of a flow; also the Mass idempotency key of a keyed step.
pub fn step_record_key(flow: FlowKind, key: &RequestKey, step: &str) -> String {
    format!("orchestration:{flow}:{key}:{step}")
}

/// The id of the credential a flow issues (one per flow and key).
pub fn flow_credential_id(flow: FlowKind, key: &RequestKey) -> String {
    format!("urn:msez:orchestration:{flow}:{key}")
}

/// The id of the attestation a flow files (one per flow and key).
pub fn flow_attestation_id(flow: FlowKind, key: &RequestKey) -> String {
    format!("orchestration:{flow}:{key}")
}

/// The subject a flow screens before Mass has named the entity (formation).
pub fn provisional_subject(
    flow: FlowKind,
    key: &RequestKey,
) -> Result<EntityId, OrchestrationError> {
    Ok(EntityId::new(format!("{flow}:{key}"))?)
}

/// The sanctions hard block: a flow goes on only when the subject's sanctions cell passes
/// (SPEC §10: `compliant`, `exempt`, `not_applicable`). Fail closed: a potential match or a
/// subject nobody screened blocks as surely as a confirmed match.
pub fn sanctions_gate(evaluation: &SubjectEvaluation) -> Result<(), SanctionsBlock> {
    match evaluation.cell(Domain::Sanctions) {
        Some(cell) if cell.state.passes() => Ok(()),
        Some(cell) => Err(SanctionsBlock {
            state: cell.state,
            reason: cell.reason.clone(),
        }),
        None => Err(SanctionsBlock {
            state: ComplianceState::Pending,
            reason: Reason::MissingEvidence,
        }),
    }
}

impl OrchestrationAttestation {
    /// The attestation signed by the zone key at `attested_at` (module docs).
    pub fn sign(&self, zone_key: &SigningKey) -> Result<Value, OrchestrationError> {
        let mut document =
            serde_json::to_value(self).map_err(|error| OrchestrationError::Encode {
                reason: error.to_string(),
            })?;
        let proof = create_proof(
            &document,
            zone_key,
            self.attested_at,
            ProofPurpose::AssertionMethod,
        )?;
        add_proof(&mut document, &proof)?;
        Ok(document)
    }
}

#[cfg(test)]
mod tests;
