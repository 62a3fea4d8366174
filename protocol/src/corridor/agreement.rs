//! Corridor definition and agreement credentials: what the zones agree on, who agreed, and
//! when agreement is complete.
//!
//! Owns [`CorridorDefinition`] (its canonical digest is `definition_payload_sha256`),
//! [`TrustAnchor`], [`AgreementRule`], the definition credential
//! ([`issue_definition_credential`], [`verify_definition_credential`]), agreement credentials
//! ([`issue_agreement_credential`]), [`check_activation`], the
//! [`AgreementSet`] it returns (whose digest is the genesis `agreement_set_sha256`),
//! [`verify_agreement_set`] and [`AgreementError`].
//!
//! [`check_activation`] holds only when, in this order:
//! 1. the definition names at least one [`AgreementRule`], each with a threshold between 1 and
//!    its number of parties;
//! 2. the `MSEZCorridorDefinitionCredential` verifies at `now`, is issued by a trust anchor
//!    allowed [`DEFINITION_ATTESTATION`] and defines exactly this definition;
//! 3. every agreement is a `MSEZCorridorAgreementCredential` that verifies at `now`, is issued
//!    by the `party` its subject names, binds this corridor and the definition credential's
//!    `definition_payload_sha256`, and whose party a trust anchor allows
//!    [`AGREEMENT_ATTESTATION`];
//! 4. no party agrees more than once;
//! 5. no commitment is other than [`AFFIRMATIVE_COMMITMENT`]: any other blocks activation and
//!    is reported as `<did>:<commitment>`;
//! 6. every rule is met by distinct affirming parties it names.
//!
//! The outcome never depends on the order of the agreements: each is judged on its own, and
//! when several fail the one reported is the least by its message; the set rules (4, 5, 6)
//! report parties in did order and rules in definition order. Every rejection names its rule
//! (`agreement: party did:key:z… has no authority for corridor_agreement`).
//!
//! Never: counts an agreement whose proof fails, that binds another definition, or whose party
//! lacks the authority; repairs an agreement set (a stored set out of canonical order is
//! refused, not re-sorted).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::Digest;
use crate::ids::{CorridorId, JurisdictionId};
use crate::keys::{DidKey, SigningKey};
use crate::time::Timestamp;
use crate::vc::subjects::{
    CorridorAgreementSubject, CorridorDefinitionSubject, CredentialSubject, CredentialType,
};
use crate::vc::{
    Credential, CredentialTerms, VcError, VerificationReport, issue, verify_credential,
};

/// The attestation a trust anchor must allow for its party to agree to a corridor.
pub const AGREEMENT_ATTESTATION: &str = "corridor_agreement";

/// The attestation a trust anchor must allow to issue the corridor-definition credential.
pub const DEFINITION_ATTESTATION: &str = "corridor_definition";

/// The commitment that counts toward activation.
pub const AFFIRMATIVE_COMMITMENT: &str = "affirm";

/// Agreements one activation examines. Each costs a signature verification and about a
/// kilobyte of request body; 256 is far above any corridor's party count and keeps a create
/// request's verification work near 15 ms and its body well under the 1 MiB HTTP limit.
pub const AGREEMENTS_MAX: usize = 256;

/// The `tag` of the canonical agreement-set object whose digest is `agreement_set_sha256`.
pub const AGREEMENT_SET_TAG: &str = "msez.corridor.agreement_set.v1";

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

/// A complete agreement: the verified definition credential and one affirmative agreement
/// credential per party, every rule met. Only [`check_activation`] and
/// [`verify_agreement_set`] build one.
///
/// Its canonical object is `{"tag":"msez.corridor.agreement_set.v1","corridor_id":…,
/// "definition_payload_sha256":…,"definition_credential":<secured>,"agreements":[<secured>…]}`
/// with the agreements sorted by party did; the digest of that object is the genesis
/// `agreement_set_sha256` (SPEC §5), so a verifier holding the set recomputes the genesis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementSet {
    definition: CorridorDefinitionSubject,
    definition_credential: Value,
    agreements: BTreeMap<DidKey, Value>,
}

/// Why agreement is not (yet) complete, or an agreement or definition credential is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgreementError {
    /// The definition cannot be canonicalised.
    #[error("definition cannot be canonicalised: {source}")]
    Canonical {
        /// The encoder's error.
        source: CanonError,
    },
    /// The definition names no agreement rule, so nobody's agreement would be needed.
    #[error("agreement: the definition names no agreement rule")]
    NoAgreementRule,
    /// A rule's threshold is 0 (always met) or above its party count (never met).
    #[error(
        "agreement: rule {rule_id} needs {threshold_count} parties; it must need between 1 and its {party_count}"
    )]
    RuleThreshold {
        /// The rule.
        rule_id: String,
        /// Its threshold.
        threshold_count: u32,
        /// Parties it names.
        party_count: usize,
    },
    /// More agreements than [`AGREEMENTS_MAX`].
    #[error("agreement: at most {AGREEMENTS_MAX} agreements are examined; got {count}")]
    TooManyAgreements {
        /// Agreements received.
        count: usize,
    },
    /// An agreement is not canonical JSON within the MSEZ profile.
    #[error("agreement: not canonical JSON: {source}")]
    AgreementCanonical {
        /// The encoder's error.
        source: CanonError,
    },
    /// An agreement is not a well-formed credential.
    #[error("agreement sha256:{agreement_sha256}: {source}")]
    AgreementCredential {
        /// Digest of the agreement as sent.
        agreement_sha256: Digest,
        /// The credential error (boxed: with the digest it would double this enum's size).
        source: Box<VcError>,
    },
    /// An agreement is a credential of another type.
    #[error(
        "agreement sha256:{agreement_sha256}: a {credential_type} is not a MSEZCorridorAgreementCredential"
    )]
    NotAnAgreement {
        /// Digest of the agreement as sent.
        agreement_sha256: Digest,
        /// Its type.
        credential_type: CredentialType,
    },
    /// An agreement's party did not issue it.
    #[error("agreement: party {party} is not the issuer {issuer} of its agreement")]
    PartyNotIssuer {
        /// The party the subject names.
        party: DidKey,
        /// The issuer.
        issuer: DidKey,
    },
    /// An agreement fails verification.
    #[error("agreement: the agreement of party {party} does not verify: {check}: {reason}")]
    AgreementUnverified {
        /// The party.
        party: DidKey,
        /// The first failed check (`envelope`, `validity_window`, `proof_set`, `proofs`).
        check: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// An agreement binds another definition or corridor.
    #[error("agreement: party {party} agreed to another {field}")]
    OtherDefinition {
        /// The party.
        party: DidKey,
        /// The subject member that differs (`corridor_id`, `definition_payload_sha256`).
        field: &'static str,
    },
    /// The party has no trust anchor allowing corridor agreements.
    #[error("agreement: party {party} has no authority for corridor_agreement")]
    NoAuthority {
        /// The party.
        party: DidKey,
    },
    /// A party agreed more than once.
    #[error("agreement: party {party} agreed more than once")]
    DuplicateParty {
        /// The party.
        party: DidKey,
    },
    /// Non-affirmative commitments block activation.
    #[error("agreement: activation blocked by {}", .blocking.join(", "))]
    Blocked {
        /// `<did>:<commitment>` for each blocking party, sorted.
        blocking: Vec<String>,
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
    /// A stored agreement set lacks a member or has a malformed one.
    #[error("agreement set: member {field} is missing or malformed")]
    AgreementSetField {
        /// The member.
        field: &'static str,
    },
    /// A stored agreement set is not the canonical object of its agreements: a member was
    /// added, or the agreements are not in party order.
    #[error("agreement set: not the canonical object of its agreements")]
    AgreementSetNotCanonical,
    /// A credential cannot be built or issued.
    #[error("cannot issue a {credential_type}: {source}")]
    Issue {
        /// The type being issued.
        credential_type: CredentialType,
        /// The credential error.
        source: VcError,
    },
    /// The definition credential cannot be read.
    #[error("definition credential: {source}")]
    DefinitionCredential {
        /// The credential error.
        source: VcError,
    },
    /// The corridor-definition credential fails verification.
    #[error("definition credential does not verify: {check}: {reason}")]
    DefinitionUnverified {
        /// The first failed check (`envelope`, `validity_window`, `proof_set`, `proofs`).
        check: &'static str,
        /// Why it failed.
        reason: String,
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
}

impl AgreementError {
    /// Which input the error is about: `definition`, `definition_credential` or `agreements`
    /// (the member names of a corridor create request).
    pub fn member(&self) -> &'static str {
        match self {
            Self::Canonical { .. } | Self::NoAgreementRule | Self::RuleThreshold { .. } => {
                "definition"
            }
            Self::Issue {
                credential_type: CredentialType::CorridorDefinition,
                ..
            }
            | Self::DefinitionCredential { .. }
            | Self::DefinitionUnverified { .. }
            | Self::DefinitionIssuer { .. }
            | Self::DefinitionMismatch { .. } => "definition_credential",
            Self::Issue { .. }
            | Self::TooManyAgreements { .. }
            | Self::AgreementCanonical { .. }
            | Self::AgreementCredential { .. }
            | Self::NotAnAgreement { .. }
            | Self::PartyNotIssuer { .. }
            | Self::AgreementUnverified { .. }
            | Self::OtherDefinition { .. }
            | Self::NoAuthority { .. }
            | Self::DuplicateParty { .. }
            | Self::Blocked { .. }
            | Self::RuleUnmet { .. }
            | Self::AgreementSetField { .. }
            | Self::AgreementSetNotCanonical => "agreements",
        }
    }
}

impl CorridorDefinition {
    /// `definition_payload_sha256`: the digest of the canonical definition.
    pub fn payload_sha256(&self) -> Result<Digest, AgreementError> {
        CanonicalBytes::of(self)
            .map(|bytes| bytes.digest())
            .map_err(|source| AgreementError::Canonical { source })
    }

    fn allows(&self, party: &DidKey, attestation: &str) -> bool {
        self.trust_anchors
            .iter()
            .any(|anchor| anchor.did == *party && anchor.allowed_attestations.contains(attestation))
    }
}

impl AgreementSet {
    /// The verified definition credential's subject (its lawpack and ruleset digest sets are
    /// the ones in force at genesis).
    pub fn definition_subject(&self) -> &CorridorDefinitionSubject {
        &self.definition
    }

    /// The parties that agreed, in did order.
    pub fn parties(&self) -> Vec<DidKey> {
        self.agreements.keys().copied().collect()
    }

    /// The canonical agreement-set object (see the type's docs).
    pub fn to_value(&self) -> Value {
        json!({
            "tag": AGREEMENT_SET_TAG,
            "corridor_id": self.definition.corridor_id.as_str(),
            "definition_payload_sha256": self.definition.definition_payload_sha256.to_hex(),
            "definition_credential": self.definition_credential,
            "agreements": self.agreements.values().collect::<Vec<_>>(),
        })
    }

    /// `agreement_set_sha256`: the digest of [`Self::to_value`].
    pub fn sha256(&self) -> Result<Digest, AgreementError> {
        CanonicalBytes::new(&self.to_value())
            .map(|bytes| bytes.digest())
            .map_err(|source| AgreementError::AgreementCanonical { source })
    }
}

/// Issues `definition` as a `MSEZCorridorDefinitionCredential` with the lawpack and ruleset
/// digest sets in force at genesis (sorted and deduplicated, as SPEC §5 orders them), signed by
/// `issuer_key`, which must be `terms.issuer`.
pub fn issue_definition_credential(
    definition: &CorridorDefinition,
    lawpack_digest_set: Vec<Digest>,
    ruleset_digest_set: Vec<Digest>,
    terms: CredentialTerms,
    issuer_key: &SigningKey,
    created: Timestamp,
) -> Result<Value, AgreementError> {
    let subject = definition_subject(definition, lawpack_digest_set, ruleset_digest_set)?;
    issue_subject(&subject, terms, issuer_key, created)
}

/// Issues `party_key`'s agreement to `definition` with `commitment` ([`AFFIRMATIVE_COMMITMENT`]
/// to agree) as a `MSEZCorridorAgreementCredential`; the party is the issuer, so `terms.issuer`
/// must be its did.
pub fn issue_agreement_credential(
    definition: &CorridorDefinition,
    commitment: &str,
    terms: CredentialTerms,
    party_key: &SigningKey,
    created: Timestamp,
) -> Result<Value, AgreementError> {
    let subject = agreement_subject(definition, *party_key.did(), commitment)?;
    issue_subject(&subject, terms, party_key, created)
}

/// Verifies the corridor-definition credential at `now` and checks it defines `definition`:
/// issued by a trust anchor allowed [`DEFINITION_ATTESTATION`], with the same
/// `definition_payload_sha256`, corridor and jurisdictions. Returns its subject.
pub fn verify_definition_credential(
    definition: &CorridorDefinition,
    secured: &Value,
    now: Timestamp,
) -> Result<CorridorDefinitionSubject, AgreementError> {
    if let Some((check, reason)) = first_failure(&verify_credential(secured, now)) {
        return Err(AgreementError::DefinitionUnverified { check, reason });
    }
    let credential_error = |source| AgreementError::DefinitionCredential { source };
    let credential = Credential::from_value(secured).map_err(credential_error)?;
    let subject: CorridorDefinitionSubject = credential.subject().map_err(credential_error)?;
    let issuer = credential.issuer();
    if !definition.allows(&issuer, DEFINITION_ATTESTATION) {
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

/// Decides whether `agreements` complete `definition` under its `definition_credential` at
/// `now` (the rules are in the module docs). Returns the complete [`AgreementSet`].
pub fn check_activation(
    definition: &CorridorDefinition,
    definition_credential: &Value,
    agreements: &[Value],
    now: Timestamp,
) -> Result<AgreementSet, AgreementError> {
    if agreements.len() > AGREEMENTS_MAX {
        return Err(AgreementError::TooManyAgreements {
            count: agreements.len(),
        });
    }
    check_rules(definition)?;
    let subject = verify_definition_credential(definition, definition_credential, now)?;
    let mut read = Vec::with_capacity(agreements.len());
    let mut failures = Vec::new();
    for secured in agreements {
        match read_agreement(definition, &subject, secured, now) {
            Ok(agreed) => read.push(agreed),
            Err(error) => failures.push(error),
        }
    }
    if let Some(error) = failures.into_iter().min_by_key(ToString::to_string) {
        return Err(error);
    }
    let mut by_party: BTreeMap<DidKey, Agreed> = BTreeMap::new();
    let mut duplicated: BTreeSet<DidKey> = BTreeSet::new();
    for agreed in read {
        let party = agreed.party;
        if by_party.insert(party, agreed).is_some() {
            duplicated.insert(party);
        }
    }
    if let Some(party) = duplicated.first() {
        return Err(AgreementError::DuplicateParty { party: *party });
    }
    let blocking: Vec<String> = by_party
        .values()
        .filter(|agreed| agreed.commitment != AFFIRMATIVE_COMMITMENT)
        .map(|agreed| format!("{}:{}", agreed.party, agreed.commitment))
        .collect();
    if !blocking.is_empty() {
        return Err(AgreementError::Blocked { blocking });
    }
    for rule in &definition.agreement_rules {
        let affirmed_count = rule
            .parties
            .iter()
            .filter(|party| by_party.contains_key(party))
            .count();
        if affirmed_count < usize::try_from(rule.threshold_count).unwrap_or(usize::MAX) {
            return Err(AgreementError::RuleUnmet {
                rule_id: rule.rule_id.clone(),
                threshold_count: rule.threshold_count,
                affirmed_count,
            });
        }
    }
    Ok(AgreementSet {
        definition: subject,
        definition_credential: definition_credential.clone(),
        agreements: by_party
            .into_iter()
            .map(|(party, agreed)| (party, agreed.secured))
            .collect(),
    })
}

/// Re-checks a stored agreement set (the object of [`AgreementSet::to_value`]) against
/// `definition` at `now`: every rule of [`check_activation`] again, and the set must be
/// exactly the canonical object of the result (no member added, no agreement reordered).
pub fn verify_agreement_set(
    definition: &CorridorDefinition,
    stored: &Value,
    now: Timestamp,
) -> Result<AgreementSet, AgreementError> {
    let field = |field| AgreementError::AgreementSetField { field };
    if stored.get("tag").and_then(Value::as_str) != Some(AGREEMENT_SET_TAG) {
        return Err(field("tag"));
    }
    let definition_credential = stored
        .get("definition_credential")
        .ok_or(field("definition_credential"))?;
    let agreements = stored
        .get("agreements")
        .and_then(Value::as_array)
        .ok_or(field("agreements"))?;
    let set = check_activation(definition, definition_credential, agreements, now)?;
    let stored_sha256 = CanonicalBytes::new(stored)
        .map_err(|source| AgreementError::AgreementCanonical { source })?
        .digest();
    if set.sha256()? != stored_sha256 {
        return Err(AgreementError::AgreementSetNotCanonical);
    }
    Ok(set)
}

/// The `MSEZCorridorDefinitionCredential` subject for `definition`, digest sets sorted and
/// deduplicated.
fn definition_subject(
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

/// `party`'s agreement subject for `definition` with `commitment`.
fn agreement_subject(
    definition: &CorridorDefinition,
    party: DidKey,
    commitment: &str,
) -> Result<CorridorAgreementSubject, AgreementError> {
    Ok(CorridorAgreementSubject {
        party,
        corridor_id: definition.corridor_id.clone(),
        definition_payload_sha256: definition.payload_sha256()?,
        commitment: commitment.to_owned(),
    })
}

/// One agreement that passed rule 3, not yet judged with the others.
struct Agreed {
    party: DidKey,
    commitment: String,
    secured: Value,
}

/// Rule 1: at least one rule, each with a threshold in 1..=its party count.
fn check_rules(definition: &CorridorDefinition) -> Result<(), AgreementError> {
    if definition.agreement_rules.is_empty() {
        return Err(AgreementError::NoAgreementRule);
    }
    for rule in &definition.agreement_rules {
        let party_count = rule.parties.len();
        let threshold = usize::try_from(rule.threshold_count).unwrap_or(usize::MAX);
        if threshold == 0 || threshold > party_count {
            return Err(AgreementError::RuleThreshold {
                rule_id: rule.rule_id.clone(),
                threshold_count: rule.threshold_count,
                party_count,
            });
        }
    }
    Ok(())
}

/// Rule 3 for one agreement: a verified agreement credential by its party, binding this
/// definition, from a party with the authority.
fn read_agreement(
    definition: &CorridorDefinition,
    defined: &CorridorDefinitionSubject,
    secured: &Value,
    now: Timestamp,
) -> Result<Agreed, AgreementError> {
    let agreement_sha256 = CanonicalBytes::new(secured)
        .map_err(|source| AgreementError::AgreementCanonical { source })?
        .digest();
    let credential_error = |source| AgreementError::AgreementCredential {
        agreement_sha256,
        source: Box::new(source),
    };
    let credential = Credential::from_value(secured).map_err(credential_error)?;
    if credential.credential_type() != CredentialType::CorridorAgreement {
        return Err(AgreementError::NotAnAgreement {
            agreement_sha256,
            credential_type: credential.credential_type(),
        });
    }
    let subject: CorridorAgreementSubject = credential.subject().map_err(credential_error)?;
    let party = subject.party;
    if credential.issuer() != party {
        return Err(AgreementError::PartyNotIssuer {
            party,
            issuer: credential.issuer(),
        });
    }
    if let Some((check, reason)) = first_failure(&verify_credential(secured, now)) {
        return Err(AgreementError::AgreementUnverified {
            party,
            check,
            reason,
        });
    }
    let other = |field| Err(AgreementError::OtherDefinition { party, field });
    if subject.corridor_id != defined.corridor_id {
        return other("corridor_id");
    }
    if subject.definition_payload_sha256 != defined.definition_payload_sha256 {
        return other("definition_payload_sha256");
    }
    if !definition.allows(&party, AGREEMENT_ATTESTATION) {
        return Err(AgreementError::NoAuthority { party });
    }
    Ok(Agreed {
        party,
        commitment: subject.commitment,
        secured: secured.clone(),
    })
}

/// The first check a verification report failed, and why; `None` when it verified.
fn first_failure(report: &VerificationReport) -> Option<(&'static str, String)> {
    let envelope_checks = [
        ("envelope", &report.envelope),
        ("validity_window", &report.validity_window),
        ("proof_set", &report.proof_set),
    ];
    if let Some((check, outcome)) = envelope_checks.into_iter().find(|(_, o)| !o.passed) {
        return Some((check, outcome.reason.clone().unwrap_or_default()));
    }
    if report.verified {
        return None;
    }
    let reason = report
        .proofs
        .iter()
        .flat_map(|proof| {
            [
                &proof.signature,
                &proof.proof_purpose,
                &proof.issuer_controls_method,
            ]
        })
        .find(|outcome| !outcome.passed)
        .and_then(|outcome| outcome.reason.clone())
        .unwrap_or_else(|| "no proof".to_owned());
    Some(("proofs", reason))
}

/// Builds and issues a credential of `S`'s type: the one issuing path of this module.
fn issue_subject<S: CredentialSubject>(
    subject: &S,
    terms: CredentialTerms,
    issuer_key: &SigningKey,
    created: Timestamp,
) -> Result<Value, AgreementError> {
    let issue_error = |source| AgreementError::Issue {
        credential_type: S::CREDENTIAL_TYPE,
        source,
    };
    let credential = Credential::build(subject, terms).map_err(issue_error)?;
    issue(&credential, issuer_key, created).map_err(issue_error)
}

#[cfg(test)]
mod tests;
