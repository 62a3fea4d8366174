//! Ed25519 keys and `did:key` identities (SPEC §2).
//!
//! Owns [`SigningKey`] (a secret that zeroizes on drop, is neither `Serialize` nor `Clone`, and
//! whose `Debug` prints only its did), [`VerifyingKey`] (strict verification only),
//! [`Signature`], [`DidKey`] (`did:key:z` + base58btc(0xed 0x01 ‖ pk)), [`KeyFile`] (the W3C
//! Multikey JSON document the CLI stores), [`verify_batch_strict`] and [`KeyError`].
//!
//! Never: generates a key (there is no randomness here: the seed is an argument), reads or writes
//! a file, or verifies a signature any way other than strictly. "Strict" means: the public key
//! and the signature's `R` are canonical encodings of points that are not of small order, `s` is
//! a canonical scalar, and the equation `[s]B = R + [k]A` holds exactly (ed25519-dalek's
//! `verify_strict`). Public keys are checked when they are built, so a [`VerifyingKey`] or
//! [`DidKey`] always holds a canonical, non-small-order point.
//!
//! The last few accepted public keys and did:key texts are remembered per thread, so a key met
//! again skips the point decode and the base58 decode; the memo holds only accepted inputs and
//! is a pure cache of pure functions (see `ACCEPTED_KEY_MEMO_SIZE`).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// Length of an Ed25519 secret seed (RFC 8032 "private key").
pub const SEED_LENGTH_BYTES: usize = 32;
/// Length of an encoded Ed25519 public key.
pub const PUBLIC_KEY_LENGTH_BYTES: usize = 32;
/// Length of an Ed25519 signature (`R ‖ s`).
pub const SIGNATURE_LENGTH_BYTES: usize = 64;
/// Multicodec prefix of an Ed25519 public key (`ed25519-pub`, varint 0xed 0x01).
pub const MULTICODEC_ED25519_PUBLIC: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 secret seed (`ed25519-priv`, varint 0x80 0x26).
pub const MULTICODEC_ED25519_SECRET: [u8; 2] = [0x80, 0x26];
/// What every Ed25519 did:key starts with: the method and the base58btc multibase marker.
pub const DID_KEY_PREFIX: &str = "did:key:z";

/// Multicodec prefix plus key bytes.
const PREFIXED_KEY_LENGTH_BYTES: usize = 2 + PUBLIC_KEY_LENGTH_BYTES;
/// Room for the base58 text of 34 bytes (at most 47 characters) and of a 64-byte signature
/// (at most 88 characters).
const BASE58_TEXT_LENGTH_MAX: usize = 96;

/// An Ed25519 secret key.
///
/// Built only from a seed the caller brings. The key material is wiped when the value is
/// dropped (ed25519-dalek's `ZeroizeOnDrop`, asserted by a unit test); the type is deliberately
/// neither `Clone` nor `Serialize`, and its `Debug` shows only the public did. Both absences
/// are checked by these examples, which must fail to compile:
///
/// ```compile_fail
/// fn copy(key: &msez_protocol::keys::SigningKey) -> msez_protocol::keys::SigningKey {
///     key.clone()
/// }
/// ```
/// ```compile_fail
/// fn leak(key: &msez_protocol::keys::SigningKey) -> serde_json::Value {
///     serde_json::to_value(key).unwrap_or_default()
/// }
/// ```
pub struct SigningKey {
    inner: ed25519_dalek::SigningKey,
    did: DidKey,
    /// `did:key:z…#z…`, encoded once: every proof this key makes names it, and base58 encoding
    /// per proof cost about a fifth of a receipt's signing time.
    verification_method: String,
}

/// An Ed25519 public key whose point is canonically encoded and not of small order.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct VerifyingKey(ed25519_dalek::VerifyingKey);

/// An Ed25519 signature, `R ‖ s`. Its bytes are only interpreted by strict verification.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; SIGNATURE_LENGTH_BYTES]);

/// A party's identifier: `did:key:z` + base58btc(0xed 0x01 ‖ public key).
///
/// Holding one proves the text named a valid verifying key (a canonical, non-small-order point);
/// `Display` and `Serialize` write the one canonical text for that key. It holds the 32 encoded
/// bytes only, so it is small and cheap to copy, compare and use as a map key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DidKey([u8; PUBLIC_KEY_LENGTH_BYTES]);

/// A key file: the W3C Multikey JSON document holding a did:key and its secret seed.
///
/// ```json
/// {"type":"Multikey","id":"did:key:z…#z…","controller":"did:key:z…",
///  "publicKeyMultibase":"z…","secretKeyMultibase":"z…"}
/// ```
/// `secretKeyMultibase` is `z` + base58btc(0x80 0x26 ‖ seed). Reading also accepts the name
/// `privateKeyMultibase` (used by the W3C test vectors) and files without `type`, `id` and
/// `controller`; whatever is present must agree with the seed.
pub struct KeyFile {
    key: SigningKey,
}

/// Why a key, did, signature or key file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// A did that does not start with `did:key:z`.
    #[error("{field}: {text:?} does not start with {DID_KEY_PREFIX:?}")]
    DidPrefix {
        /// Which input field.
        field: &'static str,
        /// The text received.
        text: String,
    },
    /// A multibase value that does not start with `z` (base58btc).
    #[error("{field}: multibase value does not start with 'z' (base58btc)")]
    MultibasePrefix {
        /// Which input field.
        field: &'static str,
    },
    /// Text that is not base58btc, or longer than any key this module reads.
    #[error("{field}: not a base58btc key value: {source}")]
    Base58 {
        /// Which input field.
        field: &'static str,
        /// The decoder's reason.
        source: bs58::decode::Error,
    },
    /// A multicodec prefix other than the one expected for the field.
    #[error("{field}: multicodec prefix {found:02x?}, expected {expected:02x?}")]
    Multicodec {
        /// Which input field.
        field: &'static str,
        /// The first two decoded bytes (or fewer).
        found: Vec<u8>,
        /// The prefix the field requires.
        expected: [u8; 2],
    },
    /// The decoded value has the wrong length.
    #[error("{field}: decoded to {length_bytes} bytes, expected {expected_bytes}")]
    Length {
        /// Which input field.
        field: &'static str,
        /// Bytes decoded.
        length_bytes: usize,
        /// Bytes required.
        expected_bytes: usize,
    },
    /// 32 bytes that do not encode a point of the curve.
    #[error("{field}: public key is not a point of Ed25519")]
    NotAPoint {
        /// Which input field.
        field: &'static str,
    },
    /// A point whose encoding is not the canonical one (y ≥ p, or a sign bit on x = 0).
    #[error("{field}: public key is not canonically encoded")]
    NonCanonicalPoint {
        /// Which input field.
        field: &'static str,
    },
    /// A point of small order: such a key "verifies" signatures nobody made.
    #[error("{field}: public key is a point of small order")]
    SmallOrderPoint {
        /// Which input field.
        field: &'static str,
    },
    /// A verification method that is not `<did>#<the did's multibase value>`.
    #[error("verification method {text:?} is not did:key:z…#z… with matching fragment")]
    VerificationMethodFragment {
        /// The text received.
        text: String,
    },
    /// A signature that fails strict verification.
    #[error("signature does not verify strictly under {did}")]
    InvalidSignature {
        /// The key the signature was checked against.
        did: DidKey,
    },
    /// Batch verification found a signature that fails strict verification.
    #[error("signature {index} of the batch does not verify strictly under {did}")]
    BatchInvalidSignature {
        /// 0-based position in the batch.
        index: usize,
        /// The key that signature was checked against.
        did: DidKey,
    },
    /// A batch whose message, signature and key lists differ in length.
    #[error(
        "batch lists differ in length: {message_count} messages, {signature_count} signatures, \
         {key_count} keys"
    )]
    BatchShape {
        /// Messages given.
        message_count: usize,
        /// Signatures given.
        signature_count: usize,
        /// Keys given.
        key_count: usize,
    },
    /// The key file is not JSON of the expected shape.
    #[error("key file is not a Multikey JSON document: {reason}")]
    KeyFileSyntax {
        /// The JSON reader's reason (never includes the secret).
        reason: String,
    },
    /// The key file's `type` is not `Multikey`.
    #[error("key file type is {found:?}, expected \"Multikey\"")]
    KeyFileType {
        /// The type found.
        found: String,
    },
    /// A public field of the key file names a different key than the secret seed.
    #[error("key file {field} is {found:?} but the secret key belongs to {expected}")]
    KeyFileMismatch {
        /// Which field disagrees.
        field: &'static str,
        /// What the field says.
        found: String,
        /// The did of the seed.
        expected: DidKey,
    },
}

impl SigningKey {
    /// The key whose RFC 8032 secret is `seed`. The caller wipes its own copy of the seed.
    pub fn from_seed(seed: &[u8; SEED_LENGTH_BYTES]) -> Self {
        let inner = ed25519_dalek::SigningKey::from_bytes(seed);
        // A key derived from a clamped scalar is a multiple of the base point: canonical, of
        // prime order, never small order.
        let did = DidKey(inner.verifying_key().to_bytes());
        let verification_method = did.verification_method();
        Self {
            inner,
            did,
            verification_method,
        }
    }

    /// The signer's identifier.
    pub fn did(&self) -> &DidKey {
        &self.did
    }

    /// The signer's verification method, `did:key:z…#z…` (SPEC §2).
    pub fn verification_method(&self) -> &str {
        &self.verification_method
    }

    /// The public half.
    pub fn verifying_key(&self) -> VerifyingKey {
        VerifyingKey(self.inner.verifying_key())
    }

    /// Signs `message` (RFC 8032 Ed25519, deterministic).
    pub fn sign(&self, message: &[u8]) -> Signature {
        use ed25519_dalek::Signer as _;
        Signature(self.inner.sign(message).to_bytes())
    }

    /// `z` + base58btc(0x80 0x26 ‖ seed), held so that it is wiped when dropped.
    fn secret_multibase(&self) -> Zeroizing<String> {
        let mut prefixed = Zeroizing::new([0u8; PREFIXED_KEY_LENGTH_BYTES]);
        prefixed[..2].copy_from_slice(&MULTICODEC_ED25519_SECRET);
        prefixed[2..].copy_from_slice(self.inner.as_bytes());
        encode_multibase(&prefixed[..])
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

impl VerifyingKey {
    /// Checks and wraps an encoded public key: it must decode to a point, be the canonical
    /// encoding of that point, and not be of small order.
    pub fn from_bytes(bytes: &[u8; PUBLIC_KEY_LENGTH_BYTES]) -> Result<Self, KeyError> {
        check_public_key(bytes, "public key")
    }

    /// The 32-byte encoding.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LENGTH_BYTES] {
        self.0.to_bytes()
    }

    /// The did:key of this key.
    pub fn did(&self) -> DidKey {
        DidKey(self.to_bytes())
    }

    /// Parses a verification method `did:key:z…#z…` (see [`DidKey::from_verification_method`])
    /// straight to the key, decoding the point once.
    pub fn from_verification_method(text: &str) -> Result<Self, KeyError> {
        Self::from_verification_method_reusing(text, None)
    }

    /// Like [`Self::from_verification_method`], but when the method names `known`, `known` is
    /// returned without decoding the point again (a verifier that already holds the issuer's
    /// key saves a field exponentiation per proof). Errors are the same either way.
    pub(crate) fn from_verification_method_reusing(
        text: &str,
        known: Option<&VerifyingKey>,
    ) -> Result<Self, KeyError> {
        let fragment_error = || KeyError::VerificationMethodFragment {
            text: text.to_owned(),
        };
        let (did_text, fragment) = text.split_once('#').ok_or_else(fragment_error)?;
        let key = DidKey::parse_key(did_text, "verificationMethod", known)?;
        // The did text parsed, so it starts with "did:key:" and its remainder is the multibase.
        if did_text.get("did:key:".len()..) != Some(fragment) {
            return Err(fragment_error());
        }
        Ok(key)
    }

    /// Verifies `signature` on `message` strictly (ed25519-dalek `verify_strict`): non-canonical
    /// `s`, non-canonical `R` and small-order `R` are rejected as well as a wrong equation.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), KeyError> {
        let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.0
            .verify_strict(message, &signature)
            .map_err(|_| KeyError::InvalidSignature { did: self.did() })
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({})", hex::encode(self.0.as_bytes()))
    }
}

impl Signature {
    /// Wraps 64 bytes (`R ‖ s`); they are judged only when verified.
    pub const fn from_bytes(bytes: [u8; SIGNATURE_LENGTH_BYTES]) -> Self {
        Self(bytes)
    }

    /// The 64 bytes.
    pub const fn as_bytes(&self) -> &[u8; SIGNATURE_LENGTH_BYTES] {
        &self.0
    }

    /// `z` + base58btc(signature): the form of a Data Integrity `proofValue`.
    pub fn to_multibase(&self) -> String {
        encode_multibase(&self.0).to_string()
    }

    /// Parses `z` + base58btc of exactly 64 bytes; `field` names the input in errors.
    pub fn from_multibase(text: &str, field: &'static str) -> Result<Self, KeyError> {
        let mut bytes = [0u8; SIGNATURE_LENGTH_BYTES];
        let length_bytes = decode_multibase(text, field, &mut bytes)?;
        if length_bytes != SIGNATURE_LENGTH_BYTES {
            return Err(KeyError::Length {
                field,
                length_bytes,
                expected_bytes: SIGNATURE_LENGTH_BYTES,
            });
        }
        Ok(Self(bytes))
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.0))
    }
}

impl DidKey {
    /// Parses `did:key:z…` for an Ed25519 key; every malformation is its own [`KeyError`].
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        Self::parse_key(text, "did", None).map(|key| key.did())
    }

    /// Parses a verification method `did:key:z…#z…` whose fragment repeats the did's multibase
    /// value (SPEC §2), and returns its did.
    pub fn from_verification_method(text: &str) -> Result<Self, KeyError> {
        VerifyingKey::from_verification_method(text).map(|key| key.did())
    }

    /// The key this did names. The point is decoded again; this fails only for bytes that did
    /// not come from this module's parsers (it cannot for a `DidKey` built here).
    pub fn verifying_key(&self) -> Result<VerifyingKey, KeyError> {
        VerifyingKey::from_bytes(&self.0)
    }

    /// The 32-byte public key.
    pub fn to_bytes(&self) -> [u8; PUBLIC_KEY_LENGTH_BYTES] {
        self.0
    }

    /// The multibase value: `z` + base58btc(0xed 0x01 ‖ pk).
    pub fn multibase(&self) -> String {
        let mut prefixed = [0u8; PREFIXED_KEY_LENGTH_BYTES];
        prefixed[..2].copy_from_slice(&MULTICODEC_ED25519_PUBLIC);
        prefixed[2..].copy_from_slice(&self.0);
        encode_multibase(&prefixed).to_string()
    }

    /// The verification method of SPEC §2: `did:key:z…#z…`.
    pub fn verification_method(&self) -> String {
        let multibase = self.multibase();
        format!("did:key:{multibase}#{multibase}")
    }

    /// Parses a did straight to its key; `field` names the input in errors, and a did naming
    /// `known` returns it without decoding the point again.
    pub(crate) fn parse_key(
        text: &str,
        field: &'static str,
        known: Option<&VerifyingKey>,
    ) -> Result<VerifyingKey, KeyError> {
        let multibase = text
            .strip_prefix("did:key:")
            .filter(|rest| rest.starts_with('z'))
            .ok_or_else(|| KeyError::DidPrefix {
                field,
                text: text.to_owned(),
            })?;
        Self::key_from_public_multibase(multibase, field, known)
    }

    /// Parses `z` + base58btc(0xed 0x01 ‖ pk), the `publicKeyMultibase` of a Multikey.
    fn key_from_public_multibase(
        text: &str,
        field: &'static str,
        known: Option<&VerifyingKey>,
    ) -> Result<VerifyingKey, KeyError> {
        if let Some(key) = remembered_multibase(text) {
            return Ok(key);
        }
        let mut prefixed = [0u8; PREFIXED_KEY_LENGTH_BYTES];
        let key_bytes = decode_prefixed_key(text, field, MULTICODEC_ED25519_PUBLIC, &mut prefixed)?;
        let key = match known {
            // A known key passed the same checks when it was built from these bytes.
            Some(known) if known.0.as_bytes() == key_bytes => *known,
            _ => check_public_key(key_bytes, field)?,
        };
        remember_multibase(text, key);
        Ok(key)
    }
}

impl fmt::Display for DidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "did:key:{}", self.multibase())
    }
}

impl fmt::Debug for DidKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DidKey({self})")
    }
}

impl FromStr for DidKey {
    type Err = KeyError;

    fn from_str(text: &str) -> Result<Self, KeyError> {
        Self::parse(text)
    }
}

impl Serialize for DidKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DidKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The JSON shape of a key file as read; the secret is wiped when this is dropped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct KeyFileDocument {
    #[serde(rename = "@context", default)]
    _context: Option<serde_json::Value>,
    #[serde(rename = "type", default)]
    key_type: Option<String>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    controller: Option<String>,
    public_key_multibase: String,
    #[serde(alias = "privateKeyMultibase", deserialize_with = "zeroizing_string")]
    secret_key_multibase: Zeroizing<String>,
}

fn zeroizing_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Zeroizing<String>, D::Error> {
    String::deserialize(deserializer).map(Zeroizing::new)
}

impl KeyFile {
    /// Wraps a key for writing.
    pub fn new(key: SigningKey) -> Self {
        Self { key }
    }

    /// The key held.
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The key held, by value.
    pub fn into_signing_key(self) -> SigningKey {
        self.key
    }

    /// The key file's JSON text (pretty-printed, with a trailing newline). It contains the
    /// secret, so it is returned in a buffer that is wiped when dropped; the buffer is sized up
    /// front so no reallocation leaves a copy behind.
    pub fn to_json_bytes(&self) -> Zeroizing<Vec<u8>> {
        let did = self.key.did();
        let multibase = did.multibase();
        let secret = self.key.secret_multibase();
        let mut out = Zeroizing::new(Vec::with_capacity(512));
        // Every value is did:key or base58 text, which JSON needs no escapes for.
        for part in [
            "{\n  \"type\": \"Multikey\",\n  \"id\": \"",
            &did.verification_method(),
            "\",\n  \"controller\": \"",
            &did.to_string(),
            "\",\n  \"publicKeyMultibase\": \"",
            &multibase,
            "\",\n  \"secretKeyMultibase\": \"",
            secret.as_str(),
            "\"\n}\n",
        ] {
            out.extend_from_slice(part.as_bytes());
        }
        out
    }

    /// Reads a key file and checks that every public field agrees with the secret seed.
    pub fn parse(bytes: &[u8]) -> Result<Self, KeyError> {
        let document: KeyFileDocument =
            serde_json::from_slice(bytes).map_err(|error| KeyError::KeyFileSyntax {
                reason: error.to_string(),
            })?;
        if let Some(found) = document.key_type.as_deref().filter(|t| *t != "Multikey") {
            return Err(KeyError::KeyFileType {
                found: found.to_owned(),
            });
        }
        let mut prefixed = Zeroizing::new([0u8; PREFIXED_KEY_LENGTH_BYTES]);
        let seed = decode_prefixed_key(
            &document.secret_key_multibase,
            "secretKeyMultibase",
            MULTICODEC_ED25519_SECRET,
            &mut prefixed,
        )?;
        let key = SigningKey::from_seed(seed);
        let expected = *key.did();
        let mismatch = |field: &'static str, found: &str| KeyError::KeyFileMismatch {
            field,
            found: found.to_owned(),
            expected,
        };
        let public = DidKey::key_from_public_multibase(
            &document.public_key_multibase,
            "publicKeyMultibase",
            None,
        )?
        .did();
        if public != expected {
            return Err(mismatch(
                "publicKeyMultibase",
                &document.public_key_multibase,
            ));
        }
        if let Some(controller) = document.controller.as_deref()
            && DidKey::parse_key(controller, "controller", None)?.did() != expected
        {
            return Err(mismatch("controller", controller));
        }
        if let Some(id) = document.id.as_deref()
            && DidKey::from_verification_method(id)? != expected
        {
            return Err(mismatch("id", id));
        }
        Ok(Self { key })
    }
}

impl fmt::Debug for KeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyFile").field("key", &self.key).finish()
    }
}

/// Verifies many signatures at once, with exactly the acceptance of [`VerifyingKey::verify`].
///
/// ed25519-dalek's `verify_batch` checks one random linear combination of the cofactorless
/// equations. On its own that is weaker than strict single verification: a signature whose `R`
/// (or key) carries a small-order component can cancel out with probability 1/8 or better, so a
/// batch could accept what `verify_strict` rejects and verifiers would disagree. Before batching
/// this function therefore requires, for every item: `R` decodes, is canonically encoded, is not
/// of small order and lies in the prime-order subgroup; every distinct key lies in the
/// prime-order subgroup (keys are already canonical and not small order by construction); `s` is
/// canonical (dalek checks it). With every point in the prime-order subgroup a single equation
/// holds exactly iff `verify_strict` accepts, and the random combination accepts a false
/// equation with probability about 2^-128. Any item failing the pre-checks, or a failed batch,
/// falls back to strict single verification to name the first failing item.
///
/// Cost: the subgroup checks take one scalar multiplication per signature, more than the batch
/// saves. The `crypto` bench (64 proofs, loaded 2-core machine) measured this function at about
/// 2x the time of 64 strict single verifications, while dalek's raw batch (not strict) took
/// about 0.45x. Strict (cofactorless) verification is known not to batch efficiently; only a
/// SPEC change to cofactored verification (ZIP-215 rules) would make batching pay. Until then
/// the function is kept for its exact strict semantics and failing-item report, not for speed.
pub fn verify_batch_strict(
    messages: &[&[u8]],
    signatures: &[Signature],
    keys: &[VerifyingKey],
) -> Result<(), KeyError> {
    if messages.len() != signatures.len() || signatures.len() != keys.len() {
        return Err(KeyError::BatchShape {
            message_count: messages.len(),
            signature_count: signatures.len(),
            key_count: keys.len(),
        });
    }
    let prechecks_pass = signatures.iter().all(r_is_strict) && keys_are_torsion_free(keys);
    if prechecks_pass {
        let dalek_signatures: Vec<ed25519_dalek::Signature> = signatures
            .iter()
            .map(|signature| ed25519_dalek::Signature::from_bytes(&signature.0))
            .collect();
        let dalek_keys: Vec<ed25519_dalek::VerifyingKey> = keys.iter().map(|key| key.0).collect();
        if ed25519_dalek::verify_batch(messages, &dalek_signatures, &dalek_keys).is_ok() {
            return Ok(());
        }
    }
    // Name the first failing item by strict single verification.
    for (index, ((message, signature), key)) in
        messages.iter().zip(signatures).zip(keys).enumerate()
    {
        if key.verify(message, signature).is_err() {
            return Err(KeyError::BatchInvalidSignature {
                index,
                did: key.did(),
            });
        }
    }
    // Every item verifies strictly on its own, so the pre-checks or the batch equation failed on
    // a signature that strict verification accepts: a key with a small-order component (which
    // verify_strict tolerates). Strict single verification is the rule, so the batch accepts.
    Ok(())
}

/// `R` of a signature decodes, is canonical, not small order and in the prime-order subgroup.
fn r_is_strict(signature: &Signature) -> bool {
    let mut r_bytes = [0u8; PUBLIC_KEY_LENGTH_BYTES];
    r_bytes.copy_from_slice(&signature.0[..PUBLIC_KEY_LENGTH_BYTES]);
    check_point(&r_bytes, "R").is_ok_and(|point| point.to_edwards().is_torsion_free())
}

/// Every distinct key of the batch lies in the prime-order subgroup (checked once per key).
fn keys_are_torsion_free(keys: &[VerifyingKey]) -> bool {
    let distinct: BTreeMap<[u8; PUBLIC_KEY_LENGTH_BYTES], &VerifyingKey> =
        keys.iter().map(|key| (key.to_bytes(), key)).collect();
    distinct
        .values()
        .all(|key| key.0.to_edwards().is_torsion_free())
}

/// How many accepted public keys, and accepted did:key texts, each thread remembers.
///
/// Decoding a point costs a field exponentiation (a square root) plus a small-order test, and
/// one verification meets the same keys several times: a credential's issuer, the did inside
/// its subject and its proof's verification method are usually one key, and a chain's signers
/// sign every receipt. [`check_point`] is a pure function of the 32 bytes, so remembering the
/// points it accepted cannot change any result, only skip repeated work. Only accepted
/// points are kept (rejections are recomputed, so every error is produced the same way), and
/// never a signature's `R` (random per signature; it would only evict keys).
const ACCEPTED_KEY_MEMO_SIZE: usize = 8;

thread_local! {
    /// Public keys recently accepted by [`check_public_key`] on this thread, newest first.
    static ACCEPTED_KEYS: std::cell::RefCell<[Option<VerifyingKey>; ACCEPTED_KEY_MEMO_SIZE]> =
        const { std::cell::RefCell::new([None; ACCEPTED_KEY_MEMO_SIZE]) };
}

thread_local! {
    /// Multibase texts (`z…` of a did:key) recently accepted on this thread, newest first, with
    /// their keys: the same memo one step earlier, so a repeated did skips the base58 decode
    /// too. Decoding is a pure function of the text; only accepted texts are kept.
    static ACCEPTED_MULTIBASE: std::cell::RefCell<Vec<(String, VerifyingKey)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The key of a multibase text accepted recently on this thread, if any.
fn remembered_multibase(text: &str) -> Option<VerifyingKey> {
    ACCEPTED_MULTIBASE.with(|memo| {
        memo.borrow()
            .iter()
            .find(|(remembered, _)| remembered == text)
            .map(|(_, key)| *key)
    })
}

/// Remembers an accepted multibase text, evicting the oldest beyond
/// [`ACCEPTED_KEY_MEMO_SIZE`] entries.
fn remember_multibase(text: &str, key: VerifyingKey) {
    ACCEPTED_MULTIBASE.with(|memo| {
        let mut memo = memo.borrow_mut();
        memo.insert(0, (text.to_owned(), key));
        memo.truncate(ACCEPTED_KEY_MEMO_SIZE);
    });
}

/// [`check_point`] for a public key, remembered in [`ACCEPTED_KEYS`].
fn check_public_key(
    bytes: &[u8; PUBLIC_KEY_LENGTH_BYTES],
    field: &'static str,
) -> Result<VerifyingKey, KeyError> {
    let remembered = ACCEPTED_KEYS.with(|memo| {
        memo.borrow()
            .iter()
            .flatten()
            .find(|key| key.0.as_bytes() == bytes)
            .copied()
    });
    if let Some(key) = remembered {
        return Ok(key);
    }
    let key = VerifyingKey(check_point(bytes, field)?);
    ACCEPTED_KEYS.with(|memo| {
        let mut memo = memo.borrow_mut();
        memo.rotate_right(1);
        memo[0] = Some(key);
    });
    Ok(key)
}

/// Decodes 32 bytes to a point that is canonically encoded and not of small order.
fn check_point(
    bytes: &[u8; PUBLIC_KEY_LENGTH_BYTES],
    field: &'static str,
) -> Result<ed25519_dalek::VerifyingKey, KeyError> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(bytes)
        .map_err(|_| KeyError::NotAPoint { field })?;
    if !is_canonical_encoding(bytes) {
        return Err(KeyError::NonCanonicalPoint { field });
    }
    if key.is_weak() {
        return Err(KeyError::SmallOrderPoint { field });
    }
    Ok(key)
}

/// Whether 32 bytes are the canonical encoding of the point they decode to, without the field
/// inversion a re-compression would cost. curve25519-dalek's decoder reduces `y` modulo p and
/// negates `x = 0` for a set sign bit, so exactly two kinds of encoding are non-canonical:
/// `y ≥ p`, and a set sign bit where `x = 0` (that is `y = 1` or `y = p − 1`). A unit test checks
/// this against decode-then-encode.
fn is_canonical_encoding(bytes: &[u8; PUBLIC_KEY_LENGTH_BYTES]) -> bool {
    /// p = 2^255 − 19 and p − 1, little-endian.
    const P: [u8; 32] = field_bytes(0xed);
    const P_MINUS_ONE: [u8; 32] = field_bytes(0xec);
    const ONE: [u8; 32] = {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    };
    const fn field_bytes(low_byte: u8) -> [u8; 32] {
        let mut bytes = [0xffu8; 32];
        bytes[0] = low_byte;
        bytes[31] = 0x7f;
        bytes
    }
    let sign_bit_set = bytes[31] & 0x80 != 0;
    let mut y = *bytes;
    y[31] &= 0x7f;
    // Little-endian comparison: the most significant differing byte decides.
    let y_below_p = y.iter().rev().lt(P.iter().rev());
    let x_is_zero = y == ONE || y == P_MINUS_ONE;
    y_below_p && !(sign_bit_set && x_is_zero)
}

/// Decodes `z` + base58btc(prefix ‖ 32 bytes) into `buffer` and returns the 32 bytes.
fn decode_prefixed_key<'a>(
    text: &str,
    field: &'static str,
    expected: [u8; 2],
    buffer: &'a mut [u8; PREFIXED_KEY_LENGTH_BYTES],
) -> Result<&'a [u8; PUBLIC_KEY_LENGTH_BYTES], KeyError> {
    let length_bytes = decode_multibase(text, field, buffer)?;
    let decoded = buffer.get(..length_bytes).unwrap_or_default();
    if decoded.get(..2) != Some(&expected[..]) {
        return Err(KeyError::Multicodec {
            field,
            found: decoded.iter().take(2).copied().collect(),
            expected,
        });
    }
    if length_bytes != PREFIXED_KEY_LENGTH_BYTES {
        return Err(KeyError::Length {
            field,
            length_bytes: length_bytes.saturating_sub(2),
            expected_bytes: PUBLIC_KEY_LENGTH_BYTES,
        });
    }
    let (_, key) = buffer.split_at(2);
    key.try_into().map_err(|_| KeyError::Length {
        field,
        length_bytes: key.len(),
        expected_bytes: PUBLIC_KEY_LENGTH_BYTES,
    })
}

/// Decodes `z` + base58btc into `buffer`; input that would overflow the buffer is rejected
/// while decoding, so arbitrarily long text costs no more than the buffer's worth.
fn decode_multibase(text: &str, field: &'static str, buffer: &mut [u8]) -> Result<usize, KeyError> {
    let base58 = text
        .strip_prefix('z')
        .ok_or(KeyError::MultibasePrefix { field })?;
    if let Some(length_bytes) = decode_base58_fast(base58.as_bytes(), buffer) {
        return Ok(length_bytes);
    }
    let capacity_bytes = buffer.len();
    bs58::decode(base58)
        .onto(buffer)
        .map_err(|source| match source {
            // Longer than the buffer: report one byte over, the most the decoder has seen.
            bs58::decode::Error::BufferTooSmall => KeyError::Length {
                field,
                length_bytes: capacity_bytes + 1,
                expected_bytes: capacity_bytes,
            },
            source => KeyError::Base58 { field, source },
        })
}

/// The base58btc (Bitcoin) alphabet.
const BASE58_ALPHABET: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Value of each ASCII byte in [`BASE58_ALPHABET`], 0xff for bytes outside it.
const BASE58_VALUES: [u8; 128] = {
    let mut values = [0xffu8; 128];
    let mut index = 0;
    while index < BASE58_ALPHABET.len() {
        values[BASE58_ALPHABET[index] as usize] = index as u8;
        index += 1;
    }
    values
};

/// 32-bit limbs of the fast decoder: 17 × 32 = 544 bits, more than the 64 bytes (512 bits)
/// of the largest buffer decoded here, so any value that fits a buffer fits the limbs.
const BASE58_LIMB_COUNT: usize = 17;

/// Characters per multiply: 58^5 < 2^32, so a group's multiplier and value fit one limb.
const BASE58_GROUP_CHARS: usize = 5;

/// Decodes base58btc text into `buffer` exactly as `bs58::decode(text).onto(buffer)` does
/// (leading `1`s become zero bytes, then the value's big-endian bytes), when the text is all
/// alphabet characters and the result fits; `None` otherwise, and the caller then asks bs58,
/// whose error is the one reported. bs58 makes one pass over the whole output per character
/// (about 5,600 byte steps for a 64-byte signature); this multiplies 32-bit limbs five
/// characters at a time. A property test checks it against bs58 on arbitrary text.
fn decode_base58_fast(text: &[u8], buffer: &mut [u8]) -> Option<usize> {
    // 64 bytes need at most 88 characters; far longer text cannot fit and is left to bs58.
    if text.len() > 2 * buffer.len() + 2 {
        return None;
    }
    let mut limbs = [0u32; BASE58_LIMB_COUNT];
    for group in text.chunks(BASE58_GROUP_CHARS) {
        let mut multiplier: u64 = 1;
        let mut group_value: u64 = 0;
        for &character in group {
            let value = *BASE58_VALUES.get(usize::from(character))?;
            if value == 0xff {
                return None;
            }
            multiplier *= 58;
            group_value = group_value * 58 + u64::from(value);
        }
        let mut carry = group_value;
        for limb in &mut limbs {
            let product = u64::from(*limb) * multiplier + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        if carry != 0 {
            return None;
        }
    }
    let leading_zero_count = text
        .iter()
        .take_while(|&&character| character == b'1')
        .count();
    let mut value_bytes = [0u8; 4 * BASE58_LIMB_COUNT];
    for (chunk, limb) in value_bytes.chunks_exact_mut(4).zip(limbs.iter().rev()) {
        chunk.copy_from_slice(&limb.to_be_bytes());
    }
    let first_nonzero = value_bytes
        .iter()
        .position(|&byte| byte != 0)
        .unwrap_or(value_bytes.len());
    let value_bytes = value_bytes.get(first_nonzero..)?;
    let length_bytes = leading_zero_count + value_bytes.len();
    let output = buffer.get_mut(..length_bytes)?;
    let (zeros, rest) = output.split_at_mut(leading_zero_count);
    zeros.fill(0);
    rest.copy_from_slice(value_bytes);
    Some(length_bytes)
}

/// Base-58^5 digits of the fast encoder: 18 × 5 = 90 characters, more than the 88 that 64
/// bytes need.
const BASE58_ENCODE_DIGIT_COUNT: usize = 18;

/// 58^5, the base of the fast encoder's digits (< 2^30).
const BASE58_GROUP_BASE: u64 = 656_356_768;

/// Encodes at most 64 bytes as base58btc into `out`, exactly as `bs58::encode(bytes)` does
/// (each leading zero byte becomes a `1`, then the value's digits); `None` for longer input,
/// which the caller leaves to bs58. bs58 makes one pass over the output per input byte; this
/// takes the input 32 bits at a time into base-58^5 digits (about 300 word steps for a
/// 64-byte signature instead of about 5,600 byte steps). A property test checks it against
/// bs58 on arbitrary bytes.
fn encode_base58_fast(bytes: &[u8], out: &mut [u8; BASE58_TEXT_LENGTH_MAX]) -> Option<usize> {
    if bytes.len() > 64 {
        return None;
    }
    let leading_zero_count = bytes.iter().take_while(|&&byte| byte == 0).count();
    let value_bytes = bytes.get(leading_zero_count..)?;
    // Little-endian base-58^5 digits of the value; `used` of them are significant.
    let mut digits = [0u32; BASE58_ENCODE_DIGIT_COUNT];
    let mut used = 0;
    let first_chunk_bytes = match value_bytes.len() % 4 {
        0 => 4,
        partial => partial,
    };
    let (first, rest) = value_bytes.split_at(first_chunk_bytes.min(value_bytes.len()));
    for chunk in std::iter::once(first).chain(rest.chunks(4)) {
        if chunk.is_empty() {
            continue;
        }
        let shift_bits = 8 * chunk.len();
        // A digit is < 2^30 and the carry < 2^34, so `digit << 32 | carry` fits a u64.
        let mut carry = chunk
            .iter()
            .fold(0u64, |word, &byte| (word << 8) | u64::from(byte));
        for digit in digits.iter_mut().take(used) {
            let widened = (u64::from(*digit) << shift_bits) + carry;
            *digit = u32::try_from(widened % BASE58_GROUP_BASE).ok()?;
            carry = widened / BASE58_GROUP_BASE;
        }
        while carry > 0 {
            *digits.get_mut(used)? = u32::try_from(carry % BASE58_GROUP_BASE).ok()?;
            carry /= BASE58_GROUP_BASE;
            used += 1;
        }
    }
    // Characters, least significant first, five per digit.
    let mut reversed = [0u8; BASE58_ENCODE_DIGIT_COUNT * BASE58_GROUP_CHARS];
    let mut character_count = 0;
    for &digit in digits.iter().take(used) {
        let mut rest = digit;
        for _ in 0..BASE58_GROUP_CHARS {
            *reversed.get_mut(character_count)? = BASE58_ALPHABET[(rest % 58) as usize];
            rest /= 58;
            character_count += 1;
        }
    }
    // The top digit's padding is not part of the number's text.
    while character_count > 0 && reversed.get(character_count - 1) == Some(&b'1') {
        character_count -= 1;
    }
    let length = leading_zero_count + character_count;
    let output = out.get_mut(..length)?;
    let (ones, number) = output.split_at_mut(leading_zero_count);
    ones.fill(b'1');
    for (slot, &character) in number
        .iter_mut()
        .zip(reversed.iter().take(character_count).rev())
    {
        *slot = character;
    }
    Some(length)
}

/// `z` + base58btc(bytes) in a buffer that is wiped when dropped. Callers pass at most 64
/// bytes, whose base58 text (at most 88 characters) always fits the buffer.
fn encode_multibase(bytes: &[u8]) -> Zeroizing<String> {
    let mut encoded = Zeroizing::new([0u8; BASE58_TEXT_LENGTH_MAX]);
    let length = match encode_base58_fast(bytes, &mut encoded) {
        Some(length) => length,
        None => bs58::encode(bytes).onto(&mut encoded[..]).unwrap_or(0),
    };
    let mut text = Zeroizing::new(String::with_capacity(BASE58_TEXT_LENGTH_MAX + 1));
    text.push('z');
    // The base58 alphabet is ASCII.
    text.push_str(std::str::from_utf8(encoded.get(..length).unwrap_or_default()).unwrap_or(""));
    text
}

#[cfg(test)]
mod tests;
