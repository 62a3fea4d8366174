//! Verifiable credentials, W3C VC Data Model 2.0 (SPEC §4): build, issue, verify.
//!
//! Owns [`Credential`] (a checked unsigned credential), [`CredentialTerms`], [`CredentialStatus`]
//! (a Bitstring Status List entry), [`issue`], [`verify_credential`] and its
//! [`VerificationReport`], and [`VcError`]. The typed subjects of every MSEZ credential type and
//! [`CredentialType`] live in [`subjects`].
//!
//! Verification checks, and reports one by one: the envelope (`@context` starts with the VC 2.0
//! context, `type` holds `VerifiableCredential` and exactly one MSEZ type, `issuer` is a did:key,
//! the subject is valid for the type), the validity window against a `now` the caller passes,
//! and for every proof: the signature (strict eddsa-jcs-2022), the purpose `assertionMethod`, and
//! that the issuer controls the verification method (its did is the issuer). Revocation is NOT
//! checked yet (status lists arrive with persistence); the report says so in
//! `revocation.checked = false` and never claims otherwise.
//!
//! Never: reads a clock, fetches a status list, or resolves anything but did:key.

pub mod subjects;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use subjects::{CredentialSubject, CredentialType};

use crate::keys::{DidKey, KeyError, SigningKey, VerifyingKey};
use crate::proof::{self, ProofError, ProofPurpose};
use crate::time::Timestamp;

/// The base context every credential starts with.
pub const CREDENTIALS_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The type every credential carries.
pub const VERIFIABLE_CREDENTIAL_TYPE: &str = "VerifiableCredential";
/// The only credential status entry type this zone issues.
pub const STATUS_ENTRY_TYPE: &str = "BitstringStatusListEntry";
/// What the report says about revocation until status lists are checked.
pub const REVOCATION_NOT_CHECKED: &str =
    "revocation status was not checked: status lists are not available offline yet";

/// An unsigned credential whose envelope and subject have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    context: Vec<String>,
    id: Option<String>,
    credential_type: CredentialType,
    issuer: DidKey,
    valid_from: Timestamp,
    valid_until: Option<Timestamp>,
    subject: Value,
    status: Option<CredentialStatus>,
}

/// Everything about a credential except its type and subject.
///
/// No `Default`: the caller decides each term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialTerms {
    /// The credential's id (a URN such as `urn:uuid:…`), if it has one.
    pub id: Option<String>,
    /// The issuer; its key must sign.
    pub issuer: DidKey,
    /// Start of validity.
    pub valid_from: Timestamp,
    /// End of validity, if any (not before `valid_from`).
    pub valid_until: Option<Timestamp>,
    /// The status-list entry for revocation, if the credential can be revoked.
    pub status: Option<CredentialStatus>,
}

impl CredentialTerms {
    /// Terms with only what every credential has: an issuer and a start of validity; no id,
    /// no end of validity, no status entry (so it cannot be revoked through a status list).
    /// Set any of those with struct update syntax.
    pub fn issued_by(issuer: DidKey, valid_from: Timestamp) -> Self {
        Self {
            id: None,
            issuer,
            valid_from,
            valid_until: None,
            status: None,
        }
    }
}

/// A W3C Bitstring Status List entry (`credentialStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CredentialStatus {
    /// The entry's id, conventionally `<statusListCredential>#<index>`.
    pub id: String,
    /// Always `BitstringStatusListEntry`.
    #[serde(rename = "type")]
    pub status_type: StatusEntryType,
    /// What a set bit means.
    pub status_purpose: StatusPurpose,
    /// Position of this credential's bit, written as a decimal string as the W3C spec requires.
    #[serde(with = "decimal_string")]
    pub status_list_index: u64,
    /// URL of the status list credential of this zone.
    pub status_list_credential: String,
}

/// The status entry type; only one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatusEntryType {
    /// `BitstringStatusListEntry`.
    BitstringStatusListEntry,
}

/// What a status bit means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StatusPurpose {
    /// A set bit revokes the credential for good.
    Revocation,
    /// A set bit suspends the credential.
    Suspension,
}

/// The outcome of verifying a credential; `msez vc verify` prints it as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerificationReport {
    /// True only if every check below passed and there is at least one proof. Revocation is not
    /// part of it (see `revocation`).
    pub verified: bool,
    /// The `now` the validity window was checked against.
    pub checked_at: Timestamp,
    /// The credential's id, when present.
    pub credential_id: Option<String>,
    /// The MSEZ credential type, when the envelope named one.
    pub credential_type: Option<CredentialType>,
    /// The issuer, when it parsed.
    pub issuer: Option<DidKey>,
    /// Context, types, issuer and subject.
    pub envelope: CheckOutcome,
    /// `validFrom <= now <= validUntil`.
    pub validity_window: CheckOutcome,
    /// The proof member is an object or a non-empty array of them.
    pub proof_set: CheckOutcome,
    /// One entry per proof, in order.
    pub proofs: Vec<ProofReport>,
    /// Revocation status: not checked.
    pub revocation: RevocationReport,
}

/// One check's outcome: passed, or failed with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    /// Whether the check passed.
    pub passed: bool,
    /// Why it failed (absent when it passed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The checks of one proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProofReport {
    /// 0-based position in the proof set.
    pub proof_index: usize,
    /// The verification method as written.
    pub verification_method: Option<String>,
    /// The signer, when the signature verified.
    pub signer: Option<DidKey>,
    /// The signature verified strictly.
    pub signature: CheckOutcome,
    /// The proof purpose is `assertionMethod`.
    pub proof_purpose: CheckOutcome,
    /// The verification method's did is the issuer.
    pub issuer_controls_method: CheckOutcome,
}

/// What the report says about revocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RevocationReport {
    /// Always false for now: no status list was consulted.
    pub checked: bool,
    /// The credential's status entry, if it has one.
    pub status: Option<CredentialStatus>,
    /// Why it was not checked.
    pub reason: &'static str,
}

/// Why a credential could not be built, issued, or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VcError {
    /// The credential is not a JSON object.
    #[error("credential is not a JSON object")]
    NotAnObject,
    /// A missing or malformed envelope member (reason names it).
    #[error("credential is malformed: {reason}")]
    Malformed {
        /// The reader's reason, naming the member.
        reason: String,
    },
    /// `@context` does not start with the VC 2.0 context.
    #[error("@context starts with {found:?}, expected {CREDENTIALS_V2_CONTEXT:?}")]
    Context {
        /// The first context found (empty if none).
        found: String,
    },
    /// `type` lacks `VerifiableCredential`.
    #[error("type {types:?} does not contain {VERIFIABLE_CREDENTIAL_TYPE:?}")]
    MissingVerifiableCredentialType {
        /// The types found.
        types: Vec<String>,
    },
    /// `type` names no MSEZ credential type, or more than one.
    #[error("type {types:?} must contain exactly one MSEZ credential type")]
    MsezType {
        /// The types found.
        types: Vec<String>,
    },
    /// A credential type name this system does not issue.
    #[error("unknown credential type {name:?}")]
    UnknownCredentialType {
        /// The name given.
        name: String,
    },
    /// The subject does not have the shape of its type.
    #[error("credentialSubject is not a valid {credential_type} subject: {reason}")]
    Subject {
        /// The credential type.
        credential_type: CredentialType,
        /// The reader's reason, naming the member.
        reason: String,
    },
    /// The subject breaks a rule of its type.
    #[error("credentialSubject of {credential_type} breaks the rule: {rule}")]
    SubjectRule {
        /// The credential type.
        credential_type: CredentialType,
        /// The rule broken.
        rule: &'static str,
    },
    /// `validUntil` is before `validFrom`.
    #[error("validUntil {valid_until} is before validFrom {valid_from}")]
    ValidityOrder {
        /// Start of validity.
        valid_from: Timestamp,
        /// End of validity.
        valid_until: Timestamp,
    },
    /// `now` is before `validFrom`.
    #[error("credential is not valid before {valid_from} (now {now})")]
    NotYetValid {
        /// Start of validity.
        valid_from: Timestamp,
        /// The time checked.
        now: Timestamp,
    },
    /// `now` is after `validUntil`.
    #[error("credential expired at {valid_until} (now {now})")]
    Expired {
        /// End of validity.
        valid_until: Timestamp,
        /// The time checked.
        now: Timestamp,
    },
    /// The signing key is not the issuer's.
    #[error("key {key} cannot issue for issuer {issuer}")]
    IssuerKeyMismatch {
        /// The credential's issuer.
        issuer: DidKey,
        /// The key offered.
        key: DidKey,
    },
    /// A proof's purpose is not `assertionMethod`.
    #[error("proof purpose is {found}, expected assertionMethod")]
    ProofPurpose {
        /// The purpose found.
        found: ProofPurpose,
    },
    /// A proof's verification method belongs to someone other than the issuer.
    #[error("verification method of {signer} is not controlled by issuer {issuer}")]
    IssuerDoesNotControlMethod {
        /// The did of the verification method.
        signer: DidKey,
        /// The issuer.
        issuer: DidKey,
    },
    /// The `issuer` is not a did:key.
    #[error("issuer: {source}")]
    Issuer {
        /// Why the did did not parse.
        source: KeyError,
    },
    /// A proof could not be created, or the proof set is malformed.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

/// The envelope members of a credential as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CredentialWire {
    #[serde(rename = "@context")]
    context: Vec<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(rename = "type")]
    types: Vec<String>,
    issuer: String,
    valid_from: Timestamp,
    #[serde(default)]
    valid_until: Option<Timestamp>,
    credential_subject: Value,
    #[serde(default)]
    credential_status: Option<CredentialStatus>,
    /// Proofs are the proof layer's business; reading the envelope skips them.
    #[serde(default, rename = "proof")]
    _proof: Option<serde::de::IgnoredAny>,
}

impl Credential {
    /// Builds a credential of `S`'s type around a typed subject.
    pub fn build<S: CredentialSubject>(
        subject: &S,
        terms: CredentialTerms,
    ) -> Result<Self, VcError> {
        let subject = serde_json::to_value(subject).map_err(|error| VcError::Subject {
            credential_type: S::CREDENTIAL_TYPE,
            reason: error.to_string(),
        })?;
        Self::build_untyped(S::CREDENTIAL_TYPE, subject, terms)
    }

    /// Builds a credential from a subject in JSON, checked against `credential_type` (what
    /// `msez vc issue --type T` does).
    pub fn build_untyped(
        credential_type: CredentialType,
        subject: Value,
        terms: CredentialTerms,
    ) -> Result<Self, VcError> {
        credential_type.validate_subject(&subject)?;
        check_validity_order(terms.valid_from, terms.valid_until)?;
        Ok(Self {
            context: vec![CREDENTIALS_V2_CONTEXT.to_owned()],
            id: terms.id,
            credential_type,
            issuer: terms.issuer,
            valid_from: terms.valid_from,
            valid_until: terms.valid_until,
            subject,
            status: terms.status,
        })
    }

    /// Reads and checks a credential's envelope and subject. A `proof` member is ignored here
    /// (proofs are [`verify_credential`]'s business).
    pub fn from_value(document: &Value) -> Result<Self, VcError> {
        Self::from_value_with_issuer_key(document).map(|(credential, _)| credential)
    }

    /// [`Self::from_value`], also returning the issuer's decoded key for proof verification.
    fn from_value_with_issuer_key(document: &Value) -> Result<(Self, VerifyingKey), VcError> {
        if !document.is_object() {
            return Err(VcError::NotAnObject);
        }
        let wire = CredentialWire::deserialize(document).map_err(|error| VcError::Malformed {
            reason: error.to_string(),
        })?;
        let issuer_key = DidKey::parse_key(&wire.issuer, "issuer", None)
            .map_err(|source| VcError::Issuer { source })?;
        if wire.context.first().map(String::as_str) != Some(CREDENTIALS_V2_CONTEXT) {
            return Err(VcError::Context {
                found: wire.context.first().cloned().unwrap_or_default(),
            });
        }
        if !wire.types.iter().any(|t| t == VERIFIABLE_CREDENTIAL_TYPE) {
            return Err(VcError::MissingVerifiableCredentialType { types: wire.types });
        }
        let mut msez_types = wire
            .types
            .iter()
            .filter_map(|t| t.parse::<CredentialType>().ok());
        let credential_type = match (msez_types.next(), msez_types.next()) {
            (Some(credential_type), None) => credential_type,
            _ => return Err(VcError::MsezType { types: wire.types }),
        };
        credential_type.validate_subject(&wire.credential_subject)?;
        check_validity_order(wire.valid_from, wire.valid_until)?;
        let credential = Self {
            context: wire.context,
            id: wire.id,
            credential_type,
            issuer: issuer_key.did(),
            valid_from: wire.valid_from,
            valid_until: wire.valid_until,
            subject: wire.credential_subject,
            status: wire.credential_status,
        };
        Ok((credential, issuer_key))
    }

    /// The unsigned credential as JSON.
    pub fn to_value(&self) -> Value {
        let mut object = Map::new();
        let strings = |items: &[&str]| Value::from(items.to_vec());
        let context: Vec<&str> = self.context.iter().map(String::as_str).collect();
        object.insert("@context".to_owned(), strings(&context));
        if let Some(id) = &self.id {
            object.insert("id".to_owned(), Value::String(id.clone()));
        }
        object.insert(
            "type".to_owned(),
            strings(&[VERIFIABLE_CREDENTIAL_TYPE, self.credential_type.name()]),
        );
        object.insert("issuer".to_owned(), Value::String(self.issuer.to_string()));
        object.insert(
            "validFrom".to_owned(),
            Value::String(self.valid_from.to_string()),
        );
        if let Some(valid_until) = self.valid_until {
            object.insert(
                "validUntil".to_owned(),
                Value::String(valid_until.to_string()),
            );
        }
        object.insert("credentialSubject".to_owned(), self.subject.clone());
        if let Some(status) = &self.status {
            // A struct of strings and a u64 always converts.
            object.insert(
                "credentialStatus".to_owned(),
                serde_json::to_value(status).unwrap_or(Value::Null),
            );
        }
        Value::Object(object)
    }

    /// The MSEZ credential type.
    pub fn credential_type(&self) -> CredentialType {
        self.credential_type
    }

    /// The credential's id, if any.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The issuer.
    pub fn issuer(&self) -> DidKey {
        self.issuer
    }

    /// Start of validity.
    pub fn valid_from(&self) -> Timestamp {
        self.valid_from
    }

    /// End of validity, if any.
    pub fn valid_until(&self) -> Option<Timestamp> {
        self.valid_until
    }

    /// The status-list entry, if any.
    pub fn status(&self) -> Option<&CredentialStatus> {
        self.status.as_ref()
    }

    /// The subject as JSON (already valid for the type).
    pub fn subject_value(&self) -> &Value {
        &self.subject
    }

    /// The subject as its typed struct; fails if `S` belongs to another credential type.
    pub fn subject<S: CredentialSubject>(&self) -> Result<S, VcError> {
        if S::CREDENTIAL_TYPE != self.credential_type {
            return Err(VcError::MsezType {
                types: vec![
                    self.credential_type.name().to_owned(),
                    S::CREDENTIAL_TYPE.name().to_owned(),
                ],
            });
        }
        subjects::parse_subject(&self.subject)
    }

    /// Checks `valid_from <= now <= valid_until`.
    pub fn check_validity_window(&self, now: Timestamp) -> Result<(), VcError> {
        if now < self.valid_from {
            return Err(VcError::NotYetValid {
                valid_from: self.valid_from,
                now,
            });
        }
        match self.valid_until {
            Some(valid_until) if valid_until < now => Err(VcError::Expired { valid_until, now }),
            _ => Ok(()),
        }
    }
}

/// Signs `credential` with the issuer's key (purpose `assertionMethod`) and returns the
/// secured credential.
pub fn issue(
    credential: &Credential,
    key: &SigningKey,
    created: Timestamp,
) -> Result<Value, VcError> {
    if *key.did() != credential.issuer {
        return Err(VcError::IssuerKeyMismatch {
            issuer: credential.issuer,
            key: *key.did(),
        });
    }
    let mut secured = credential.to_value();
    let proof = proof::create_proof(&secured, key, created, ProofPurpose::AssertionMethod)?;
    proof::add_proof(&mut secured, &proof)?;
    Ok(secured)
}

/// Verifies a secured credential at time `now` and reports every check (see the module doc).
pub fn verify_credential(secured: &Value, now: Timestamp) -> VerificationReport {
    let parsed = Credential::from_value_with_issuer_key(secured);
    let issuer_key = parsed.as_ref().ok().map(|(_, key)| *key);
    let credential = parsed.map(|(credential, _)| credential);
    let issuer = credential.as_ref().ok().map(Credential::issuer);
    let validity = credential
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|credential| credential.check_validity_window(now));
    let (proof_set, proofs) = match proof::verify_document_reusing(secured, issuer_key.as_ref()) {
        Ok(checks) => (
            outcome(Ok(())),
            checks
                .into_iter()
                .map(|check| proof_report(check, issuer))
                .collect(),
        ),
        Err(error) => (outcome(Err(VcError::from(error))), Vec::new()),
    };
    let envelope = outcome(credential.as_ref().map(|_| ()).map_err(Clone::clone));
    let proofs_pass = !proofs.is_empty()
        && proofs.iter().all(|report: &ProofReport| {
            report.signature.passed
                && report.proof_purpose.passed
                && report.issuer_controls_method.passed
        });
    let validity_window = outcome(validity);
    let verified = envelope.passed && validity_window.passed && proof_set.passed && proofs_pass;
    let credential = credential.ok();
    VerificationReport {
        verified,
        checked_at: now,
        credential_id: credential.as_ref().and_then(|c| c.id.clone()),
        credential_type: credential.as_ref().map(Credential::credential_type),
        issuer,
        envelope,
        validity_window,
        proof_set,
        proofs,
        revocation: RevocationReport {
            checked: false,
            status: credential.and_then(|c| c.status),
            reason: REVOCATION_NOT_CHECKED,
        },
    }
}

fn proof_report(check: proof::ProofCheck, issuer: Option<DidKey>) -> ProofReport {
    let signer = check.outcome.as_ref().ok().copied();
    let purpose = match check.purpose {
        Some(ProofPurpose::AssertionMethod) => Ok(()),
        Some(found) => Err(VcError::ProofPurpose { found }),
        None => Err(VcError::Malformed {
            reason: "proof has no readable proofPurpose".to_owned(),
        }),
    };
    // Control is judged on the method's did even when the signature failed, so each check
    // reports only its own cause.
    // A verified proof's signer is the key its verification method names; only a failed proof
    // needs the method parsed again.
    let method_did = match &check.outcome {
        Ok(signer) => Some(*signer),
        Err(_) => check
            .verification_method
            .as_deref()
            .and_then(|text| DidKey::from_verification_method(text).ok()),
    };
    let controls = match (method_did, issuer) {
        (Some(signer), Some(issuer)) if signer == issuer => Ok(()),
        (Some(signer), Some(issuer)) => Err(VcError::IssuerDoesNotControlMethod { signer, issuer }),
        _ => Err(VcError::Malformed {
            reason: "issuer or verification method unavailable".to_owned(),
        }),
    };
    ProofReport {
        proof_index: check.proof_index,
        verification_method: check.verification_method,
        signer,
        signature: outcome(check.outcome.map(|_| ()).map_err(VcError::from)),
        proof_purpose: outcome(purpose),
        issuer_controls_method: outcome(controls),
    }
}

fn outcome(result: Result<(), VcError>) -> CheckOutcome {
    match result {
        Ok(()) => CheckOutcome {
            passed: true,
            reason: None,
        },
        Err(error) => CheckOutcome {
            passed: false,
            reason: Some(error.to_string()),
        },
    }
}

fn check_validity_order(
    valid_from: Timestamp,
    valid_until: Option<Timestamp>,
) -> Result<(), VcError> {
    match valid_until {
        Some(valid_until) if valid_until < valid_from => Err(VcError::ValidityOrder {
            valid_from,
            valid_until,
        }),
        _ => Ok(()),
    }
}

/// serde for a `u64` written as a decimal string (W3C `statusListIndex`).
mod decimal_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        // Only plain digits: no sign, no spaces, no leading '+'.
        if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(serde::de::Error::custom(format!(
                "statusListIndex {text:?} is not a decimal string"
            )));
        }
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
