//! The corridor domain: watchers, forks and the lifecycle of a corridor between zones.
//!
//! Owns [`watcher`] (SPEC §11: registry, bonds, signed attestations, slashing), [`fork`]
//! (SPEC §8: detection, alarm, deterministic resolution, equivocation evidence) and
//! [`lifecycle`] (the corridor state machine and its typed evidence), plus
//! [`signed_credential`], the one place this domain builds a signed `MSEZ…Credential`.
//!
//! Never: reads a clock, draws randomness or looks at a verifier's local time. Every decision
//! is a function of the evidence passed in, so any verifier recomputes the same outcome.

pub mod fork;
pub mod lifecycle;
pub mod watcher;

use serde_json::{Value, json};

use crate::keys::SigningKey;
use crate::proof::{ProofError, ProofPurpose, add_proof, create_proof};
use crate::time::Timestamp;

/// The W3C VC 2.0 base context every credential starts with (SPEC §4).
pub const CREDENTIALS_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

/// Builds and signs a VC 2.0 credential of type `credential_type` (an `MSEZ…Credential` name)
/// with `subject` as `credentialSubject`, issued by `issuer` at `valid_from`.
///
/// The crypto branch's `vc` module will own credential issuance for the whole protocol; until it
/// lands, corridor credentials go through this one function so the switch is one edit.
pub fn signed_credential(
    credential_type: &str,
    subject: Value,
    issuer: &SigningKey,
    valid_from: Timestamp,
) -> Result<Value, ProofError> {
    let mut credential = json!({
        "@context": [CREDENTIALS_V2_CONTEXT],
        "type": ["VerifiableCredential", credential_type],
        "issuer": issuer.did().to_string(),
        "validFrom": valid_from.to_string(),
        "credentialSubject": subject,
    });
    let proof = create_proof(
        &credential,
        issuer,
        valid_from,
        ProofPurpose::AssertionMethod,
    )?;
    add_proof(&mut credential, &proof)?;
    Ok(credential)
}
