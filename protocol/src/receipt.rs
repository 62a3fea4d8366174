//! Corridor state receipts and the genesis object (SPEC §5).
//!
//! Owns [`Receipt`] (the receipt without `proof`; [`SignedReceipt`] adds its proof set),
//! [`Transition`], [`DigestSet`], [`Genesis`] and [`DigestSetError`]. The chain rules that relate one receipt to the previous ones live in
//! [`crate::chain`].
//!
//! Never: computes a digest outside [`CanonicalBytes`], accepts a member the SPEC does not
//! define, or re-orders a digest set it was given on the wire.
//!
//! # Digest sets: rejected, not normalised, on input
//!
//! SPEC §5 says `next_root` is computed "with both digest sets sorted and deduplicated first",
//! and the field rule of the receipt table says the sets *are* sorted ascending without
//! duplicates. We hold both: a [`DigestSet`] is always strictly ascending. Builders call
//! [`DigestSet::normalised`], which sorts and deduplicates; readers reject an unsorted or
//! duplicated set with a typed error naming the member. Rejecting on input matters because the
//! proofs sign the receipt as written: a reader that silently re-ordered a set would verify a
//! signature over different bytes than the ones it then stores. For every receipt that parses,
//! "sort and deduplicate first" is the identity, so our `next_root` equals that of a verifier
//! that normalises before hashing.
//!
//! # Absent versus null
//!
//! `transition` is optional: absent when the receipt carries no transition, never `null`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::Digest;
use crate::fields::{FieldError, ObjectReader};
use crate::ids::CorridorId;
use crate::keys::SigningKey;
use crate::proof::{self, ProofPurpose};
use crate::signed::{Document, Signed, SignedError};
use crate::time::Timestamp;

/// The `type` member of every receipt.
pub const RECEIPT_TYPE: &str = "MSEZCorridorStateReceipt";

/// The `type` of a receipt: always `"MSEZCorridorStateReceipt"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ReceiptType {
    /// `MSEZCorridorStateReceipt`.
    #[default]
    #[serde(rename = "MSEZCorridorStateReceipt")]
    CorridorStateReceipt,
}

/// A receipt without its proofs: exactly the members of SPEC §5 other than `proof`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// Always [`ReceiptType::CorridorStateReceipt`].
    #[serde(rename = "type")]
    pub receipt_type: ReceiptType,
    /// The corridor whose state this receipt advances.
    pub corridor_id: CorridorId,
    /// 0 for the first receipt, then +1: the chain height before append.
    pub sequence: u64,
    /// When the receipt was made.
    pub timestamp: Timestamp,
    /// The head before this receipt (`genesis_root` for sequence 0).
    pub prev_root: Digest,
    /// The digest of this receipt without `proof` and `next_root` ([`Receipt::compute_next_root`]).
    pub next_root: Digest,
    /// Digests of the lawpacks in force.
    pub lawpack_digest_set: DigestSet,
    /// Digests of the rulesets in force.
    pub ruleset_digest_set: DigestSet,
    /// The state transition this receipt records, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transition: Option<Transition>,
}

/// A state transition: `{kind, payload, payload_sha256}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    /// What kind of transition (free text the corridor agreement defines).
    pub kind: String,
    /// The transition's content.
    pub payload: Value,
    /// The digest of the canonical payload; the chain checks it on append.
    pub payload_sha256: Digest,
}

/// A receipt with its proof set.
pub type SignedReceipt = Signed<Receipt>;

/// A set of digests, strictly ascending (sorted, no duplicates).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DigestSet(Vec<Digest>);

/// The genesis object whose digest is a corridor's first `prev_root` (SPEC §5, last bullet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Genesis {
    /// Always [`GenesisTag::V1`].
    pub tag: GenesisTag,
    /// The corridor.
    pub corridor_id: CorridorId,
    /// Digest of the corridor definition payload.
    pub definition_payload_sha256: Digest,
    /// Digest of the set of agreements that govern the corridor.
    pub agreement_set_sha256: Digest,
    /// Lawpacks in force at genesis.
    pub lawpack_digest_set: DigestSet,
    /// Rulesets in force at genesis.
    pub ruleset_digest_set: DigestSet,
}

/// The `tag` of a genesis object: always `"msez.corridor.state.genesis.v1"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum GenesisTag {
    /// `msez.corridor.state.genesis.v1`.
    #[default]
    #[serde(rename = "msez.corridor.state.genesis.v1")]
    V1,
}

/// Why a list of digests is not a digest set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestSetError {
    /// An element is smaller than the one before it.
    #[error(
        "digest set is not sorted ascending: element {index} ({digest}) is below its predecessor"
    )]
    Unsorted {
        /// 0-based position of the element.
        index: usize,
        /// The element.
        digest: Digest,
    },
    /// An element equals the one before it.
    #[error("digest set has a duplicate: element {index} ({digest}) repeats its predecessor")]
    Duplicate {
        /// 0-based position of the element.
        index: usize,
        /// The element.
        digest: Digest,
    },
}

impl DigestSet {
    /// Sorts and deduplicates `digests`: the builder's constructor.
    pub fn normalised(digests: impl IntoIterator<Item = Digest>) -> Self {
        let mut digests: Vec<Digest> = digests.into_iter().collect();
        digests.sort_unstable();
        digests.dedup();
        Self(digests)
    }

    /// Accepts `digests` only if already strictly ascending: the reader's constructor.
    pub fn from_sorted(digests: Vec<Digest>) -> Result<Self, DigestSetError> {
        for (offset, pair) in digests.windows(2).enumerate() {
            if let [before, digest] = pair {
                let index = offset + 1;
                if digest == before {
                    return Err(DigestSetError::Duplicate {
                        index,
                        digest: *digest,
                    });
                }
                if digest < before {
                    return Err(DigestSetError::Unsorted {
                        index,
                        digest: *digest,
                    });
                }
            }
        }
        Ok(Self(digests))
    }

    /// The digests, ascending.
    pub fn as_slice(&self) -> &[Digest] {
        &self.0
    }
}

impl Serialize for DigestSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for DigestSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::from_sorted(Vec::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

impl Transition {
    /// A transition whose `payload_sha256` is the digest of the canonical `payload`.
    pub fn new(kind: impl Into<String>, payload: Value) -> Result<Self, CanonError> {
        let payload_sha256 = CanonicalBytes::new(&payload)?.digest();
        Ok(Self {
            kind: kind.into(),
            payload,
            payload_sha256,
        })
    }

    /// The digest of the canonical payload (what `payload_sha256` must be).
    pub fn compute_payload_sha256(&self) -> Result<Digest, CanonError> {
        Ok(CanonicalBytes::new(&self.payload)?.digest())
    }
}

impl Document for Receipt {
    fn from_value(value: Value) -> Result<Self, FieldError> {
        Self::from_value(value)
    }

    fn to_value(&self) -> Result<Value, CanonError> {
        self.to_value()
    }
}

impl Receipt {
    /// Reads a receipt (without `proof`) member by member; see the module docs on digest sets.
    pub fn from_value(value: Value) -> Result<Self, FieldError> {
        let mut reader = ObjectReader::new("receipt", value)?;
        let receipt = Self {
            receipt_type: reader.required("type")?,
            corridor_id: reader.required("corridor_id")?,
            sequence: reader.required("sequence")?,
            timestamp: reader.required("timestamp")?,
            prev_root: reader.required("prev_root")?,
            next_root: reader.required("next_root")?,
            lawpack_digest_set: reader.required("lawpack_digest_set")?,
            ruleset_digest_set: reader.required("ruleset_digest_set")?,
            transition: reader.optional("transition")?,
        };
        reader.finish()?;
        Ok(receipt)
    }

    /// The receipt as a JSON value (what the proofs sign).
    pub fn to_value(&self) -> Result<Value, CanonError> {
        crate::signed::value_of(self)
    }

    /// `next_root` as SPEC §5 defines it: the digest of the canonical receipt without `proof`
    /// and without `next_root` (the sets are already sorted and deduplicated).
    pub fn compute_next_root(&self) -> Result<Digest, CanonError> {
        Ok(self.canonical_bytes(NextRoot::Omitted)?.digest())
    }

    /// The canonical bytes of the receipt without `proof`, written straight from the typed
    /// members in key order (no intermediate JSON value): byte-identical to canonicalising
    /// [`Receipt::to_value`] (with `next_root` taken out when `next_root` is
    /// [`NextRoot::Omitted`]), which the receipt tests check for arbitrary receipts.
    pub(crate) fn canonical_bytes(
        &self,
        next_root: NextRoot,
    ) -> Result<CanonicalBytes, CanonError> {
        self.canonical_bytes_with_proof(next_root, None)
    }

    /// [`Self::canonical_bytes`] with `proof` (the value of the `proof` member) written in
    /// its place among the members.
    fn canonical_bytes_with_proof(
        &self,
        next_root: NextRoot,
        proof: Option<&Value>,
    ) -> Result<CanonicalBytes, CanonError> {
        CanonicalBytes::object(|writer| {
            writer.string("corridor_id", self.corridor_id.as_str())?;
            writer.digests("lawpack_digest_set", self.lawpack_digest_set.as_slice())?;
            if next_root == NextRoot::Included {
                writer.digest("next_root", &self.next_root)?;
            }
            writer.digest("prev_root", &self.prev_root)?;
            if let Some(proof) = proof {
                writer.value(proof::PROOF_MEMBER, proof)?;
            }
            writer.digests("ruleset_digest_set", self.ruleset_digest_set.as_slice())?;
            writer.integer("sequence", self.sequence)?;
            writer.timestamp("timestamp", self.timestamp)?;
            if let Some(transition) = &self.transition {
                writer.object("transition", |members| {
                    members.string("kind", &transition.kind)?;
                    members.value("payload", &transition.payload)?;
                    members.digest("payload_sha256", &transition.payload_sha256)
                })?;
            }
            writer.string("type", RECEIPT_TYPE)
        })
    }

    /// This receipt with `next_root` set to [`Receipt::compute_next_root`]: the last step of
    /// building a receipt before signing it.
    pub fn with_computed_next_root(mut self) -> Result<Self, CanonError> {
        self.next_root = self.compute_next_root()?;
        Ok(self)
    }
}

/// The `next_root` of a receipt held as a JSON value: the digest of the canonical value
/// without `proof` and `next_root`. The value is left as it was (the two members are taken out
/// for the digest and put back), so callers can go on to verify or sign it without a copy.
pub(crate) fn next_root_of_value(value: &mut Value) -> Result<Digest, CanonError> {
    let Some(members) = value.as_object_mut() else {
        return Ok(CanonicalBytes::new(value)?.digest());
    };
    let next_root = members.remove("next_root");
    let proof = members.remove(proof::PROOF_MEMBER);
    let digest = CanonicalBytes::new(value).map(|bytes| bytes.digest());
    if let Some(members) = value.as_object_mut() {
        if let Some(next_root) = next_root {
            members.insert("next_root".to_owned(), next_root);
        }
        if let Some(proof) = proof {
            members.insert(proof::PROOF_MEMBER.to_owned(), proof);
        }
    }
    digest
}

/// Whether [`Receipt::canonical_bytes`] writes the `next_root` member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextRoot {
    /// Without `next_root`: the bytes whose digest is `next_root` (SPEC §5).
    Omitted,
    /// With `next_root`: the bytes the proofs sign.
    Included,
}

impl SignedReceipt {
    /// The canonical bytes of the secured receipt (with its `proof` member), written from the
    /// typed receipt and the proofs' kept texts: byte-identical to canonicalising
    /// [`Signed::to_value`] (the receipt tests check this for arbitrary receipts), without the
    /// intermediate JSON value or re-encoding any signature. This is what a journal stores for
    /// every appended receipt.
    pub fn canonical_bytes(&self) -> Result<CanonicalBytes, CanonError> {
        let proof = proof::proof_member(&self.proofs);
        self.document
            .canonical_bytes_with_proof(NextRoot::Included, proof.as_ref())
    }

    /// Seals and signs a receipt in one pass: sets `next_root` to the SPEC §5 digest and signs
    /// the result with each key (`assertionMethod`, created at `created`). Equivalent to
    /// [`Receipt::with_computed_next_root`] then [`Signed::sign`] (the receipt tests check this
    /// for arbitrary receipts), but writes the canonical bytes straight from the typed receipt
    /// instead of through a JSON value: this is the receipt producer's hot path.
    pub fn seal_and_sign(
        mut receipt: Receipt,
        keys: &[&SigningKey],
        created: Timestamp,
    ) -> Result<Self, SignedError> {
        receipt.next_root = receipt.compute_next_root()?;
        let document_hash = receipt.canonical_bytes(NextRoot::Included)?.digest();
        // A receipt has no `@context`, so its proofs carry none.
        let proofs = keys
            .iter()
            .map(|key| {
                proof::create_proof_over_hash(
                    &document_hash,
                    None,
                    key,
                    created,
                    ProofPurpose::AssertionMethod,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            document: receipt,
            proofs,
        })
    }
}

impl Genesis {
    /// A genesis object for `corridor_id`.
    pub fn new(
        corridor_id: CorridorId,
        definition_payload_sha256: Digest,
        agreement_set_sha256: Digest,
        lawpack_digest_set: DigestSet,
        ruleset_digest_set: DigestSet,
    ) -> Self {
        Self {
            tag: GenesisTag::V1,
            corridor_id,
            definition_payload_sha256,
            agreement_set_sha256,
            lawpack_digest_set,
            ruleset_digest_set,
        }
    }

    /// Reads a genesis object member by member.
    pub fn from_value(value: Value) -> Result<Self, FieldError> {
        let mut reader = ObjectReader::new("genesis", value)?;
        let genesis = Self {
            tag: reader.required("tag")?,
            corridor_id: reader.required("corridor_id")?,
            definition_payload_sha256: reader.required("definition_payload_sha256")?,
            agreement_set_sha256: reader.required("agreement_set_sha256")?,
            lawpack_digest_set: reader.required("lawpack_digest_set")?,
            ruleset_digest_set: reader.required("ruleset_digest_set")?,
        };
        reader.finish()?;
        Ok(genesis)
    }

    /// `genesis_root`: the digest of the canonical genesis object.
    pub fn genesis_root(&self) -> Result<Digest, CanonError> {
        Ok(CanonicalBytes::of(self)?.digest())
    }
}

#[cfg(test)]
mod tests;
