//! Corridor definition and agreements: what the zones agree on, and when agreement is complete.
//!
//! Owns [`CorridorDefinition`] (its canonical digest is `definition_payload_sha256`),
//! [`TrustAnchor`], [`AgreementRule`], [`Agreement`] (a party's signed agreement binding the
//! definition digest, with a commitment), [`check_activation`] and [`AgreementError`].
//!
//! Activation holds only when every [`AgreementRule`] is met by distinct parties that a trust
//! anchor authorises for `corridor_agreement`, each with the affirmative commitment
//! [`AFFIRMATIVE_COMMITMENT`]; any other commitment blocks activation and is reported as
//! `<did>:<commitment>`; a party may agree at most once.
//!
//! The definition is issued as a `MSEZCorridorDefinitionCredential`
//! ([`issue_definition_credential`]) by a trust anchor allowed [`DEFINITION_ATTESTATION`];
//! [`check_activation_with_credential`] verifies that credential, checks it defines exactly this
//! definition (its `definition_payload_sha256`, corridor and jurisdictions) and then requires
//! every agreement to bind that same digest.
//!
//! Not yet here: agreements are signed documents (type `MSEZCorridorAgreement`) rather than
//! `MSEZCorridorAgreementCredential`s, whose typed subject in `vc` has no commitment field.
//!
//! Never: counts an agreement whose signature fails, that binds another definition, or whose
//! party lacks the authority.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::Digest;
use crate::ids::{CorridorId, JurisdictionId};
use crate::keys::{DidKey, SigningKey};
use crate::proof::{ProofError, ProofPurpose, add_proof, create_proof, split_proofs, verify_proof};
use crate::time::Timestamp;
use crate::vc::subjects::CorridorDefinitionSubject;
use crate::vc::{Credential, CredentialTerms, VcError, issue, verify_credential};

/// The attestation a trust anchor must allow for its party to agree to a corridor.
pub const AGREEMENT_ATTESTATION: &str = "corridor_agreement";

/// The attestation a trust anchor must allow to issue the corridor-definition credential.
pub const DEFINITION_ATTESTATION: &str = "corridor_definition";

/// The commitment that counts toward activation.
pub const AFFIRMATIVE_COMMITMENT: &str = "affirm";

/// The `type` of an agreement document.
const AGREEMENT_TYPE: &str = "MSEZCorridorAgreement";

/// A key the definition trusts, and for which attestations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustAnchor {
    /// The key.
    pub did: DidKey,
    /// Attestation kinds it may make, such as `corridor_agreement`.
    pub allowed_attestations: BTreeSet<String>,
}

/// "At least `threshold_count` of `parties` must agree."
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementRule {
    /// A name for the rule, such as `regulators`.
    pub rule_id: String,
    /// Distinct agreements needed.
    pub threshold_count: u32,
    /// Who may satisfy it.
    pub parties: BTreeSet<DidKey>,
}

/// The definition payload. Its canonical JSON digest is `definition_payload_sha256`.
/// Deserialising it is how a create request is read: every member is required and no other
/// member is accepted, so the digest a party signed is the digest of what the node parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorridorDefinition {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The jurisdictions joined (two or more).
    pub jurisdiction_ids: Vec<JurisdictionId>,
    /// Settlement model, such as `deferred_net`.
    pub settlement_model: String,
    /// Largest single settlement transfer, per currency code, in minor units.
    pub settlement_transfer_max_minor: BTreeMap<String, u64>,
    /// Attestation kinds a party must hold to transact.
    pub required_attestations: BTreeSet<String>,
    /// Trusted keys and what they may attest.
    pub trust_anchors: Vec<TrustAnchor>,
    /// Seconds a rotated-out key stays valid.
    pub key_rotation_overlap_seconds: u64,
    /// The dispute forum, such as `DIFC-LCIA`.
    pub dispute_path: String,
    /// Receipt signatures needed (k of k-of-n).
    pub receipt_signature_threshold: u32,
    /// Keys allowed to sign receipts (n of k-of-n).
    pub receipt_signers: BTreeSet<DidKey>,
    /// Distinct watcher attestations that decide a fork.
    pub watcher_quorum: u32,
    /// Receipts between checkpoints.
    pub checkpoint_interval_receipts: u64,
    /// Who must agree before activation.
    pub agreement_rules: Vec<AgreementRule>,
}

/// A party's signed agreement to a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    /// The secured document.
    pub document: Value,
}

/// Why agreement is not (yet) complete, or an agreement is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreementError {
    /// The definition cannot be canonicalised.
    #[error("definition cannot be canonicalised: {source}")]
    Canonical {
        /// The encoder's error.
        source: CanonError,
    },
    /// Signing or verifying an agreement failed.
    #[error("agreement {index}: {source}")]
    Proof {
        /// 0-based position.
        index: usize,
        /// The proof error.
        source: ProofError,
    },
    /// An agreement document is malformed.
    #[error("agreement {index}: field {field} is missing or malformed")]
    Field {
        /// 0-based position.
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// An agreement is signed by someone other than its party.
    #[error("agreement {index}: party {party} did not sign it")]
    SignerMismatch {
        /// 0-based position.
        index: usize,
        /// The party named.
        party: DidKey,
    },
    /// An agreement binds another definition or corridor.
    #[error("agreement: party {party} agreed to another definition or corridor")]
    OtherDefinition {
        /// The party.
        party: DidKey,
    },
    /// The party has no trust anchor allowing corridor agreements.
    #[error("agreement: party {party} has no authority for corridor_agreement")]
    NoAuthority {
        /// The party.
        party: DidKey,
    },
    /// A party agreed twice.
    #[error("agreement: party {party} agreed more than once")]
    DuplicateParty {
        /// The party.
        party: DidKey,
    },
    /// Non-affirmative commitments block activation.
    #[error("agreement: activation blocked by {blocking:?}")]
    Blocked {
        /// `<did>:<commitment>` for each blocking party, sorted.
        blocking: Vec<String>,
    },
    /// The corridor-definition credential cannot be built, issued or read.
    #[error("definition credential: {source}")]
    DefinitionCredential {
        /// The credential error.
        source: VcError,
    },
    /// The corridor-definition credential fails verification.
    #[error("definition credential does not verify: {check} failed")]
    DefinitionUnverified {
        /// The first failed check (`envelope`, `validity_window`, `proof_set`, `proofs`).
        check: &'static str,
    },
    /// The credential's issuer is not a trust anchor allowed `corridor_definition`.
    #[error("definition credential: issuer {issuer} has no authority for corridor_definition")]
    DefinitionIssuer {
        /// The issuer.
        issuer: DidKey,
    },
    /// The credential defines another corridor or another definition payload.
    #[error("definition credential: {field} does not match the definition")]
    DefinitionMismatch {
        /// The subject member that differs.
        field: &'static str,
    },
    /// A rule is not met.
    #[error(
        "agreement: rule {rule_id} needs {threshold_count} affirmative parties, has {affirmed_count}"
    )]
    RuleUnmet {
        /// The rule.
        rule_id: String,
        /// Needed.
        threshold_count: u32,
        /// Present.
        affirmed_count: usize,
    },
}

impl CorridorDefinition {
    /// `definition_payload_sha256`: the digest of the canonical definition.
    pub fn payload_sha256(&self) -> Result<Digest, AgreementError> {
        CanonicalBytes::of(self)
            .map(|bytes| bytes.digest())
            .map_err(|source| AgreementError::Canonical { source })
    }

    fn authorised(&self, party: &DidKey) -> bool {
        self.trust_anchors.iter().any(|anchor| {
            anchor.did == *party && anchor.allowed_attestations.contains(AGREEMENT_ATTESTATION)
        })
    }
}

impl Agreement {
    /// `party` signs its agreement to `definition` with `commitment`.
    pub fn sign(
        definition: &CorridorDefinition,
        commitment: &str,
        party: &SigningKey,
        signed_at: Timestamp,
    ) -> Result<Self, AgreementError> {
        let mut document = json!({
            "type": AGREEMENT_TYPE,
            "corridor_id": definition.corridor_id.as_str(),
            "definition_payload_sha256": definition.payload_sha256()?.to_hex(),
            "party": party.did().to_string(),
            "commitment": commitment,
        });
        let proof_error = |source| AgreementError::Proof { index: 0, source };
        let proof = create_proof(&document, party, signed_at, ProofPurpose::AssertionMethod)
            .map_err(proof_error)?;
        add_proof(&mut document, &proof).map_err(proof_error)?;
        Ok(Self { document })
    }
}

/// The `MSEZCorridorDefinitionCredential` subject for `definition`, with the lawpack and ruleset
/// digest sets in force at genesis (sorted and deduplicated, as SPEC §5 orders them).
pub fn definition_subject(
    definition: &CorridorDefinition,
    mut lawpack_digest_set: Vec<Digest>,
    mut ruleset_digest_set: Vec<Digest>,
) -> Result<CorridorDefinitionSubject, AgreementError> {
    lawpack_digest_set.sort_unstable();
    lawpack_digest_set.dedup();
    ruleset_digest_set.sort_unstable();
    ruleset_digest_set.dedup();
    Ok(CorridorDefinitionSubject {
        corridor_id: definition.corridor_id.clone(),
        jurisdiction_ids: definition.jurisdiction_ids.clone(),
        definition_payload_sha256: definition.payload_sha256()?,
        lawpack_digest_set,
        ruleset_digest_set,
    })
}

/// Issues `subject` (from [`definition_subject`]) as a `MSEZCorridorDefinitionCredential`
/// signed by `issuer_key`, which must be `terms.issuer`.
pub fn issue_definition_credential(
    subject: &CorridorDefinitionSubject,
    terms: CredentialTerms,
    issuer_key: &SigningKey,
    created: Timestamp,
) -> Result<Value, AgreementError> {
    let credential_error = |source| AgreementError::DefinitionCredential { source };
    let credential = Credential::build(subject, terms).map_err(credential_error)?;
    issue(&credential, issuer_key, created).map_err(credential_error)
}

/// Verifies the corridor-definition credential at `now` and checks it defines `definition`:
/// issued by a trust anchor allowed [`DEFINITION_ATTESTATION`], with the same
/// `definition_payload_sha256`, corridor and jurisdictions. Returns its subject.
pub fn verify_definition_credential(
    definition: &CorridorDefinition,
    secured: &Value,
    now: Timestamp,
) -> Result<CorridorDefinitionSubject, AgreementError> {
    let report = verify_credential(secured, now);
    let failed = [
        ("envelope", report.envelope.passed),
        ("validity_window", report.validity_window.passed),
        ("proof_set", report.proof_set.passed),
        ("proofs", report.verified),
    ]
    .into_iter()
    .find(|(_, passed)| !passed);
    if let Some((check, _)) = failed {
        return Err(AgreementError::DefinitionUnverified { check });
    }
    let credential_error = |source| AgreementError::DefinitionCredential { source };
    let credential = Credential::from_value(secured).map_err(credential_error)?;
    let subject: CorridorDefinitionSubject = credential.subject().map_err(credential_error)?;
    let issuer = credential.issuer();
    let issuer_allowed = definition.trust_anchors.iter().any(|anchor| {
        anchor.did == issuer && anchor.allowed_attestations.contains(DEFINITION_ATTESTATION)
    });
    if !issuer_allowed {
        return Err(AgreementError::DefinitionIssuer { issuer });
    }
    let mismatch = |field| Err(AgreementError::DefinitionMismatch { field });
    if subject.definition_payload_sha256 != definition.payload_sha256()? {
        return mismatch("definition_payload_sha256");
    }
    if subject.corridor_id != definition.corridor_id {
        return mismatch("corridor_id");
    }
    if subject.jurisdiction_ids != definition.jurisdiction_ids {
        return mismatch("jurisdiction_ids");
    }
    Ok(subject)
}

/// [`check_activation`] against an issued definition: the credential must verify and define
/// `definition` ([`verify_definition_credential`]), and every agreement must bind its
/// `definition_payload_sha256`. Returns the affirming parties, sorted.
pub fn check_activation_with_credential(
    definition: &CorridorDefinition,
    definition_credential: &Value,
    agreements: &[Agreement],
    now: Timestamp,
) -> Result<Vec<DidKey>, AgreementError> {
    let subject = verify_definition_credential(definition, definition_credential, now)?;
    // verify_definition_credential established subject digest == definition digest, so the
    // agreements' binding below is a binding to the credential.
    debug_assert_eq!(
        Some(subject.definition_payload_sha256),
        definition.payload_sha256().ok()
    );
    check_activation(definition, agreements)
}

/// Checks that the agreements complete the definition (see the module docs). Returns the
/// affirming parties, sorted.
pub fn check_activation(
    definition: &CorridorDefinition,
    agreements: &[Agreement],
) -> Result<Vec<DidKey>, AgreementError> {
    let digest = definition.payload_sha256()?.to_hex();
    let mut commitments: BTreeMap<DidKey, String> = BTreeMap::new();
    for (index, agreement) in agreements.iter().enumerate() {
        let (party, commitment) = read_agreement(index, agreement)?;
        let document = &agreement.document;
        if document
            .get("definition_payload_sha256")
            .and_then(Value::as_str)
            != Some(&digest)
            || document.get("corridor_id").and_then(Value::as_str)
                != Some(definition.corridor_id.as_str())
        {
            return Err(AgreementError::OtherDefinition { party });
        }
        if !definition.authorised(&party) {
            return Err(AgreementError::NoAuthority { party });
        }
        if commitments.insert(party, commitment).is_some() {
            return Err(AgreementError::DuplicateParty { party });
        }
    }
    let blocking: Vec<String> = commitments
        .iter()
        .filter(|(_, commitment)| commitment.as_str() != AFFIRMATIVE_COMMITMENT)
        .map(|(party, commitment)| format!("{party}:{commitment}"))
        .collect();
    if !blocking.is_empty() {
        return Err(AgreementError::Blocked { blocking });
    }
    for rule in &definition.agreement_rules {
        let affirmed_count = rule
            .parties
            .iter()
            .filter(|party| commitments.contains_key(party))
            .count();
        let needed = usize::try_from(rule.threshold_count.max(1)).unwrap_or(usize::MAX);
        if affirmed_count < needed {
            return Err(AgreementError::RuleUnmet {
                rule_id: rule.rule_id.clone(),
                threshold_count: rule.threshold_count,
                affirmed_count,
            });
        }
    }
    Ok(commitments.into_keys().collect())
}

/// Verifies one agreement's single proof and returns (party, commitment).
fn read_agreement(index: usize, agreement: &Agreement) -> Result<(DidKey, String), AgreementError> {
    let field = |field| AgreementError::Field { index, field };
    let (document, proofs) = split_proofs(&agreement.document)
        .map_err(|source| AgreementError::Proof { index, source })?;
    let [proof] = proofs.as_slice() else {
        return Err(field("proof"));
    };
    if document.get("type").and_then(Value::as_str) != Some(AGREEMENT_TYPE) {
        return Err(field("type"));
    }
    let party: DidKey = document
        .get("party")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .ok_or(field("party"))?;
    let commitment = document
        .get("commitment")
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .ok_or(field("commitment"))?;
    let signer =
        verify_proof(&document, proof).map_err(|source| AgreementError::Proof { index, source })?;
    if signer != party {
        return Err(AgreementError::SignerMismatch { index, party });
    }
    Ok((party, commitment.to_owned()))
}

#[cfg(test)]
mod tests;
