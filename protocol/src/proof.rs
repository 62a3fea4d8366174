//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite (SPEC §3).
//!
//! Owns [`Proof`], [`ProofPurpose`], [`ProofCheck`], [`ProofError`] and the operations
//! [`create_proof`], [`add_proof`], [`split_proofs`], [`verify_proof`], [`verify_document`] and
//! [`verify_proofs_batch`].
//!
//! The signed bytes are `SHA-256(JCS(proof options)) ‖ SHA-256(JCS(document without "proof"))`,
//! where the proof options are the proof without `proofValue`, carrying the document's
//! `@context` when the document has one. Both hashes are digests of [`CanonicalBytes`].
//! Co-signers form a proof set: `proof` becomes an array and every proof signs the document
//! without any proof, so proofs can be added in any order and each verifies on its own.
//!
//! Stricter than the W3C algorithm in two places, both documented on the items: a proof that
//! carries `@context` verifies only if it equals the document's `@context` (W3C allows the
//! document's to extend it), and a proof with members beyond the six of SPEC §3 is rejected
//! rather than ignored. Only did:key verification methods are resolved (offline).
//!
//! Proof options are canonicalised member by member (no intermediate map), and the last
//! context-free options hash made for signing is remembered per thread: a receipt producer signs
//! with one key and one `created` many times over.
//!
//! Never: hashes raw JSON text, verifies non-strictly, or resolves a did over a network.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::{DIGEST_LENGTH_BYTES, Digest};
use crate::keys::{self, DidKey, KeyError, Signature, SigningKey, VerifyingKey};
use crate::time::{Timestamp, TimestampError};

/// The only proof `type` this module creates or accepts.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The only cryptosuite this module creates or accepts.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
/// The member of a secured document that holds its proof or proof set.
pub const PROOF_MEMBER: &str = "proof";

/// One Data Integrity proof of type `DataIntegrityProof`, cryptosuite `eddsa-jcs-2022`.
///
/// Its JSON form (SPEC §3) is `{"type","cryptosuite","created","verificationMethod",
/// "proofPurpose","proofValue"}` plus `@context` when the signed document has one. Holding a
/// `Proof` means the shape is right (known type and suite, a did:key verification method, a
/// 64-byte proof value); whether the signature holds is for [`verify_proof`] to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    context: Option<Value>,
    created: Timestamp,
    key: VerifyingKey,
    /// The verification method text. Parsing proved it is the one canonical text for `key`;
    /// kept so hashing the proof options does not re-encode it.
    verification_method: String,
    purpose: ProofPurpose,
    signature: Signature,
    /// `signature` as its `proofValue` text (`z` + base58btc). Parsing proved it is the one
    /// canonical text for `signature` (base58 of a fixed 64 bytes has exactly one spelling);
    /// kept so writing the proof back out, as the node does for every stored receipt, does not
    /// re-encode it. Only [`Proof::set_signature`] changes the pair.
    proof_value: String,
}

/// Why a proof was made: the verification relationship the signer's key is used under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProofPurpose {
    /// `assertionMethod`: the signer asserts the document (credentials, receipts).
    AssertionMethod,
    /// `authentication`: the signer proves control of the did.
    Authentication,
    /// `capabilityInvocation`: the signer invokes a capability.
    CapabilityInvocation,
    /// `capabilityDelegation`: the signer delegates a capability.
    CapabilityDelegation,
}

/// The outcome of one proof of a secured document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofCheck {
    /// 0-based position of the proof in the document's proof set.
    pub proof_index: usize,
    /// The proof's `verificationMethod` as written, when it has one that is a string.
    pub verification_method: Option<String>,
    /// The proof's purpose, when it parsed.
    pub purpose: Option<ProofPurpose>,
    /// The signer on success, otherwise why the proof failed.
    pub outcome: Result<DidKey, ProofError>,
}

/// Why a proof could not be created, parsed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The document (or a proof) is not a JSON object.
    #[error("{what} is not a JSON object")]
    NotAnObject {
        /// What was expected to be an object.
        what: &'static str,
    },
    /// The document cannot be canonicalised (a float, an oversized integer...).
    #[error("document cannot be canonicalised: {source}")]
    Canonical {
        /// The canonicaliser's reason, naming the path.
        #[from]
        source: CanonError,
    },
    /// A secured document without a `proof` member (or with an empty proof set).
    #[error("document has no proof")]
    MissingProof,
    /// A `proof` member that is neither an object nor an array of objects.
    #[error("document's proof member is {found}, expected an object or an array of objects")]
    ProofMember {
        /// The JSON kind found.
        found: &'static str,
    },
    /// A proof `type` other than `DataIntegrityProof`.
    #[error("proof type {found:?} is not supported, expected {PROOF_TYPE:?}")]
    UnknownProofType {
        /// The type found (empty if missing or not a string).
        found: String,
    },
    /// A cryptosuite other than `eddsa-jcs-2022`.
    #[error("cryptosuite {found:?} is not supported, expected {CRYPTOSUITE:?}")]
    UnknownCryptosuite {
        /// The cryptosuite found (empty if missing or not a string).
        found: String,
    },
    /// A proof purpose this module does not know.
    #[error("proofPurpose {found:?} is not a known verification relationship")]
    UnknownProofPurpose {
        /// The purpose found.
        found: String,
    },
    /// A proof with a missing member, a member of the wrong JSON type, or an extra member.
    #[error("proof is malformed: {reason}")]
    Malformed {
        /// The reader's reason, naming the member.
        reason: String,
    },
    /// A `created` that is not a protocol timestamp.
    #[error("proof created: {source}")]
    Created {
        /// Why the time did not parse.
        source: TimestampError,
    },
    /// A secured proof without `proofValue`.
    #[error("proof has no proofValue")]
    MissingProofValue,
    /// A `proofValue` that is not `z` + base58btc of 64 bytes.
    #[error("proof proofValue: {source}")]
    ProofValue {
        /// The decoding failure.
        source: KeyError,
    },
    /// A `verificationMethod` that is not a did:key verification method.
    #[error("proof verificationMethod: {source}")]
    VerificationMethod {
        /// The parse failure.
        source: KeyError,
    },
    /// A proof `@context` that differs from the document's `@context`.
    #[error("proof @context differs from the document's @context")]
    ContextMismatch,
    /// The signature does not verify strictly under the verification method's key.
    #[error("signature of {signer} does not verify")]
    InvalidSignature {
        /// The key named by the proof.
        signer: DidKey,
    },
    /// An item of a batch failed.
    #[error("batch item {index}: {source}")]
    BatchItem {
        /// 0-based position in the batch.
        index: usize,
        /// Why it failed.
        source: Box<ProofError>,
    },
}

/// The JSON shape of a proof, as read from a document.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProofWire {
    #[serde(rename = "@context", default)]
    context: Option<Value>,
    #[serde(rename = "type")]
    _proof_type: String,
    #[serde(rename = "cryptosuite")]
    _cryptosuite: String,
    created: String,
    verification_method: String,
    proof_purpose: String,
    #[serde(default)]
    proof_value: Option<String>,
}

impl Proof {
    /// Reads a proof object, checking type, cryptosuite, members, time, purpose, verification
    /// method and proof value, each failure as its own [`ProofError`].
    pub fn from_value(value: &Value) -> Result<Self, ProofError> {
        Self::from_value_reusing(value, None)
    }

    /// [`Self::from_value`] that reuses `known` when the verification method names it.
    fn from_value_reusing(value: &Value, known: Option<&VerifyingKey>) -> Result<Self, ProofError> {
        let object = value
            .as_object()
            .ok_or(ProofError::NotAnObject { what: "proof" })?;
        let member_text = |name: &str| {
            object
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        if object.get("type").and_then(Value::as_str) != Some(PROOF_TYPE) {
            return Err(ProofError::UnknownProofType {
                found: member_text("type"),
            });
        }
        if object.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE) {
            return Err(ProofError::UnknownCryptosuite {
                found: member_text("cryptosuite"),
            });
        }
        let wire = ProofWire::deserialize(value).map_err(|error| ProofError::Malformed {
            reason: error.to_string(),
        })?;
        let created =
            Timestamp::parse(&wire.created).map_err(|source| ProofError::Created { source })?;
        let purpose = wire.proof_purpose.parse()?;
        let key = VerifyingKey::from_verification_method_reusing(&wire.verification_method, known)
            .map_err(|source| ProofError::VerificationMethod { source })?;
        let proof_value = wire.proof_value.ok_or(ProofError::MissingProofValue)?;
        let signature = Signature::from_multibase(&proof_value, "proofValue")
            .map_err(|source| ProofError::ProofValue { source })?;
        Ok(Self {
            context: wire.context,
            created,
            key,
            verification_method: wire.verification_method,
            purpose,
            signature,
            proof_value,
        })
    }

    /// The proof as a JSON object (SPEC §3).
    pub fn to_value(&self) -> Value {
        let mut object = self.options_object();
        object.insert(
            "proofValue".to_owned(),
            Value::String(self.proof_value.clone()),
        );
        Value::Object(object)
    }

    /// Sets the signature and its `proofValue` text together.
    fn set_signature(&mut self, signature: Signature) {
        self.proof_value = signature.to_multibase();
        self.signature = signature;
    }

    /// The document `@context` this proof carries, if the signed document had one.
    pub fn context(&self) -> Option<&Value> {
        self.context.as_ref()
    }

    /// When the proof was made.
    pub fn created(&self) -> Timestamp {
        self.created
    }

    /// The signer named by the verification method.
    pub fn signer(&self) -> DidKey {
        self.key.did()
    }

    /// The verification method text, `did:key:z…#z…`.
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// Why the proof was made.
    pub fn purpose(&self) -> ProofPurpose {
        self.purpose
    }

    /// The signature carried in `proofValue`.
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The proof options: the proof without `proofValue`.
    fn options_object(&self) -> Map<String, Value> {
        let mut object = Map::new();
        if let Some(context) = &self.context {
            object.insert("@context".to_owned(), context.clone());
        }
        let text = |text: &str| Value::String(text.to_owned());
        object.insert("type".to_owned(), text(PROOF_TYPE));
        object.insert("cryptosuite".to_owned(), text(CRYPTOSUITE));
        object.insert(
            "created".to_owned(),
            Value::String(self.created.to_string()),
        );
        object.insert(
            "verificationMethod".to_owned(),
            Value::String(self.verification_method.clone()),
        );
        object.insert("proofPurpose".to_owned(), text(self.purpose.as_str()));
        object
    }

    /// SHA-256 of the canonical proof options, written member by member in key order:
    /// byte-identical to canonicalising [`Proof::options_object`] (checked by a property test)
    /// without building the map.
    fn options_hash(&self) -> Result<Digest, ProofError> {
        let canonical = CanonicalBytes::object(|writer| {
            if let Some(context) = &self.context {
                writer.value("@context", context)?;
            }
            writer.timestamp("created", self.created)?;
            writer.string("cryptosuite", CRYPTOSUITE)?;
            writer.string("proofPurpose", self.purpose.as_str())?;
            writer.string("type", PROOF_TYPE)?;
            writer.string("verificationMethod", &self.verification_method)
        })?;
        Ok(canonical.digest())
    }
}

impl Serialize for Proof {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Proof {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl ProofPurpose {
    /// The JSON spelling (`assertionMethod`...).
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::AssertionMethod => "assertionMethod",
            Self::Authentication => "authentication",
            Self::CapabilityInvocation => "capabilityInvocation",
            Self::CapabilityDelegation => "capabilityDelegation",
        }
    }
}

impl fmt::Display for ProofPurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ProofPurpose {
    type Err = ProofError;

    fn from_str(text: &str) -> Result<Self, ProofError> {
        [
            Self::AssertionMethod,
            Self::Authentication,
            Self::CapabilityInvocation,
            Self::CapabilityDelegation,
        ]
        .into_iter()
        .find(|purpose| purpose.as_str() == text)
        .ok_or_else(|| ProofError::UnknownProofPurpose {
            found: text.to_owned(),
        })
    }
}

impl Serialize for ProofPurpose {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProofPurpose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl ProofCheck {
    /// Whether this proof verified.
    pub fn is_valid(&self) -> bool {
        self.outcome.is_ok()
    }
}

/// Signs `unsecured` with `key` and returns the proof (SPEC §3).
///
/// A `proof` member already present is not signed over: every proof of a proof set signs the
/// document without any proof. The proof carries the document's `@context` when it has one.
pub fn create_proof(
    unsecured: &Value,
    key: &SigningKey,
    created: Timestamp,
    purpose: ProofPurpose,
) -> Result<Proof, ProofError> {
    let document_hash = document_hash(unsecured)?;
    create_proof_over_hash(
        &document_hash,
        unsecured.get("@context").cloned(),
        key,
        created,
        purpose,
    )
}

/// [`create_proof`] for a caller that already holds the document hash (SHA-256 of the canonical
/// document without `proof`) and the document's `@context`, if it has one: typed documents
/// that write their own canonical bytes (receipts) sign through this.
pub(crate) fn create_proof_over_hash(
    document_hash: &Digest,
    context: Option<Value>,
    key: &SigningKey,
    created: Timestamp,
    purpose: ProofPurpose,
) -> Result<Proof, ProofError> {
    let mut proof = Proof {
        context,
        created,
        key: key.verifying_key(),
        verification_method: key.verification_method().to_owned(),
        purpose,
        signature: Signature::from_bytes([0u8; keys::SIGNATURE_LENGTH_BYTES]),
        proof_value: String::new(),
    };
    let options_hash = if proof.context.is_none() {
        remembered_options_hash(&proof)?
    } else {
        proof.options_hash()?
    };
    let input = signing_input(&options_hash, document_hash);
    proof.set_signature(key.sign(&input));
    Ok(proof)
}

/// The last context-free proof options hashed for signing on this thread: (verification
/// method, created, purpose, hash).
type OptionsHashMemo = Option<(String, Timestamp, ProofPurpose, Digest)>;

thread_local! {
    /// A receipt producer signs receipt after receipt with one key and, within a second, one
    /// `created`: the proof options, and so their hash, repeat. The hash is a pure function of
    /// the remembered members (a context-free proof has no others), so reusing it cannot change
    /// a signature.
    static OPTIONS_HASH_MEMO: std::cell::RefCell<OptionsHashMemo> =
        const { std::cell::RefCell::new(None) };
}

/// [`Proof::options_hash`] of a proof without `@context`, remembered per thread for the last
/// (verification method, created, purpose).
fn remembered_options_hash(proof: &Proof) -> Result<Digest, ProofError> {
    debug_assert!(proof.context.is_none());
    let remembered = OPTIONS_HASH_MEMO.with(|memo| {
        memo.borrow()
            .as_ref()
            .filter(|(method, created, purpose, _)| {
                *created == proof.created
                    && *purpose == proof.purpose
                    && *method == proof.verification_method
            })
            .map(|(_, _, _, hash)| *hash)
    });
    if let Some(hash) = remembered {
        return Ok(hash);
    }
    let hash = proof.options_hash()?;
    OPTIONS_HASH_MEMO.with(|memo| {
        *memo.borrow_mut() = Some((
            proof.verification_method.clone(),
            proof.created,
            proof.purpose,
            hash,
        ));
    });
    Ok(hash)
}

/// Adds `proof` to `document`: no proof makes it the proof object, one proof becomes a proof
/// set of two, a proof set grows by one.
pub fn add_proof(document: &mut Value, proof: &Proof) -> Result<(), ProofError> {
    let object = document
        .as_object_mut()
        .ok_or(ProofError::NotAnObject { what: "document" })?;
    let new_proof = proof.to_value();
    match object.remove(PROOF_MEMBER) {
        None => {
            object.insert(PROOF_MEMBER.to_owned(), new_proof);
        }
        Some(existing @ Value::Object(_)) => {
            object.insert(
                PROOF_MEMBER.to_owned(),
                Value::Array(vec![existing, new_proof]),
            );
        }
        Some(Value::Array(mut proofs)) => {
            proofs.push(new_proof);
            object.insert(PROOF_MEMBER.to_owned(), Value::Array(proofs));
        }
        Some(other) => {
            let found = json_kind(&other);
            // Put the member back so a failed call leaves the document unchanged.
            object.insert(PROOF_MEMBER.to_owned(), other);
            return Err(ProofError::ProofMember { found });
        }
    }
    Ok(())
}

/// The value of the `proof` member that carries `proofs` (SPEC §3): nothing for no proof, the
/// proof object for one, the proof set as an array for several. Adding the proofs one by one
/// with [`add_proof`] gives the same member.
pub(crate) fn proof_member(proofs: &[Proof]) -> Option<Value> {
    match proofs {
        [] => None,
        [proof] => Some(proof.to_value()),
        several => Some(Value::Array(several.iter().map(Proof::to_value).collect())),
    }
}

/// Splits a secured document into the document without `proof` and its proofs, in order.
///
/// A document without a `proof` member gives no proofs; a malformed proof is an error.
pub fn split_proofs(secured: &Value) -> Result<(Value, Vec<Proof>), ProofError> {
    let (unsecured, raw_proofs) = split_raw(secured)?;
    let proofs = raw_proofs
        .iter()
        .map(Proof::from_value)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((unsecured, proofs))
}

/// Verifies one proof over `unsecured` and returns the signer.
///
/// A `proof` member of `unsecured` is ignored (proof-set semantics). If the proof carries an
/// `@context`, it must equal the document's `@context`.
pub fn verify_proof(unsecured: &Value, proof: &Proof) -> Result<DidKey, ProofError> {
    let input = proof_signing_input(unsecured, proof, &document_hash(unsecured)?)?;
    verify_input(&input, proof)
}

/// Verifies every proof of a secured document, one [`ProofCheck`] per proof.
///
/// Structural problems of the document (not an object, no proof, a `proof` member of the wrong
/// kind, a document that cannot be canonicalised) are an `Err`; a malformed or failing proof is
/// reported in its own check.
pub fn verify_document(secured: &Value) -> Result<Vec<ProofCheck>, ProofError> {
    verify_document_reusing(secured, None)
}

/// [`verify_document`] for a verifier that already holds a key the proofs are expected to name
/// (a credential's issuer): proofs naming it reuse it instead of decoding the point again.
pub(crate) fn verify_document_reusing(
    secured: &Value,
    known: Option<&VerifyingKey>,
) -> Result<Vec<ProofCheck>, ProofError> {
    // The proofs are read in place and the document hash is taken over `secured` without its
    // `proof` member, so the document is never copied. `@context` is read from `secured`,
    // which has the same `@context` as the document without `proof`.
    let raw_proofs = proof_values(secured)?;
    if raw_proofs.is_empty() {
        return Err(ProofError::MissingProof);
    }
    let document_hash = CanonicalBytes::without_member(secured, PROOF_MEMBER)?.digest();
    let checks = raw_proofs
        .into_iter()
        .enumerate()
        .map(|(proof_index, raw)| {
            let parsed = Proof::from_value_reusing(raw, known);
            let outcome = parsed.as_ref().map_err(Clone::clone).and_then(|proof| {
                let input = proof_signing_input(secured, proof, &document_hash)?;
                verify_input(&input, proof)
            });
            ProofCheck {
                proof_index,
                verification_method: raw
                    .get("verificationMethod")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                purpose: parsed.as_ref().ok().map(Proof::purpose),
                outcome,
            }
        })
        .collect();
    Ok(checks)
}

/// The proof values of a secured document, borrowed: none, one, or the proof set. Fails as
/// [`split_raw`] does on a non-object document or a `proof` member of the wrong kind.
fn proof_values(secured: &Value) -> Result<Vec<&Value>, ProofError> {
    let object = secured
        .as_object()
        .ok_or(ProofError::NotAnObject { what: "document" })?;
    match object.get(PROOF_MEMBER) {
        None => Ok(Vec::new()),
        Some(proof @ Value::Object(_)) => Ok(vec![proof]),
        Some(Value::Array(proofs)) => Ok(proofs.iter().collect()),
        Some(other) => Err(ProofError::ProofMember {
            found: json_kind(other),
        }),
    }
}

/// Verifies many `(document, proof)` pairs at once and returns the signers in order.
///
/// Accepts exactly what [`verify_proof`] accepts for each item: the batch uses
/// [`keys::verify_batch_strict`], which rejects weak or small-order points and non-canonical
/// encodings before batching and falls back to strict single verification to name the failing
/// item, reported as [`ProofError::BatchItem`]. Measured slower than calling [`verify_proof`]
/// per item (see [`keys::verify_batch_strict`] for why); prefer that loop where speed matters.
pub fn verify_proofs_batch(items: &[(&Value, &Proof)]) -> Result<Vec<DidKey>, ProofError> {
    let inputs = items
        .iter()
        .enumerate()
        .map(|(index, (document, proof))| {
            document_hash(document)
                .and_then(|hash| proof_signing_input(document, proof, &hash))
                .map_err(|source| ProofError::BatchItem {
                    index,
                    source: Box::new(source),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let messages: Vec<&[u8]> = inputs.iter().map(|input| &input[..]).collect();
    let signatures: Vec<Signature> = items.iter().map(|(_, proof)| proof.signature).collect();
    let keys: Vec<VerifyingKey> = items.iter().map(|(_, proof)| proof.key).collect();
    keys::verify_batch_strict(&messages, &signatures, &keys).map_err(|error| match error {
        KeyError::BatchInvalidSignature { index, did } => ProofError::BatchItem {
            index,
            source: Box::new(ProofError::InvalidSignature { signer: did }),
        },
        // The three lists are built from one slice above, so their lengths agree.
        other => ProofError::VerificationMethod { source: other },
    })?;
    Ok(items.iter().map(|(_, proof)| proof.signer()).collect())
}

/// 32-byte proof-options hash followed by the 32-byte document hash.
type SigningInput = [u8; 2 * DIGEST_LENGTH_BYTES];

fn signing_input(options_hash: &Digest, document_hash: &Digest) -> SigningInput {
    let mut input = [0u8; 2 * DIGEST_LENGTH_BYTES];
    let (first, second) = input.split_at_mut(DIGEST_LENGTH_BYTES);
    first.copy_from_slice(options_hash.as_bytes());
    second.copy_from_slice(document_hash.as_bytes());
    input
}

/// Checks the proof's `@context` against the document and builds the signing input.
fn proof_signing_input(
    unsecured: &Value,
    proof: &Proof,
    document_hash: &Digest,
) -> Result<SigningInput, ProofError> {
    if let Some(context) = &proof.context
        && unsecured.get("@context") != Some(context)
    {
        return Err(ProofError::ContextMismatch);
    }
    Ok(signing_input(&proof.options_hash()?, document_hash))
}

fn verify_input(input: &SigningInput, proof: &Proof) -> Result<DidKey, ProofError> {
    let signer = proof.signer();
    proof
        .key
        .verify(input, &proof.signature)
        .map_err(|_| ProofError::InvalidSignature { signer })?;
    Ok(signer)
}

/// SHA-256 of the canonical document without its `proof` member.
fn document_hash(document: &Value) -> Result<Digest, ProofError> {
    let object = document
        .as_object()
        .ok_or(ProofError::NotAnObject { what: "document" })?;
    let canonical = if object.contains_key(PROOF_MEMBER) {
        let mut stripped = object.clone();
        stripped.remove(PROOF_MEMBER);
        CanonicalBytes::new(&Value::Object(stripped))?
    } else {
        CanonicalBytes::new(document)?
    };
    Ok(canonical.digest())
}

/// The document without `proof`, and the proof values (none, one, or the proof set).
fn split_raw(secured: &Value) -> Result<(Value, Vec<Value>), ProofError> {
    let object = secured
        .as_object()
        .ok_or(ProofError::NotAnObject { what: "document" })?;
    let mut unsecured = object.clone();
    let raw_proofs = match unsecured.remove(PROOF_MEMBER) {
        None => Vec::new(),
        Some(proof @ Value::Object(_)) => vec![proof],
        Some(Value::Array(proofs)) => proofs,
        Some(other) => {
            return Err(ProofError::ProofMember {
                found: json_kind(&other),
            });
        }
    };
    Ok((Value::Object(unsecured), raw_proofs))
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests;
