//! The MSEZ protocol core: the exact bytes of `../shared/SPEC.md`.
//!
//! Owns every rule a third party must be able to recompute: canonical JSON and digests
//! ([`canonical`], [`digest`]), time ([`time`]), identifiers ([`ids`]), Ed25519 keys and
//! did:key identities ([`keys`]), Data Integrity proofs ([`proof`]), the receipt MMR ([`mmr`]),
//! receipts and the genesis root ([`receipt`]), signed documents ([`signed`]), the k-of-n
//! receipt-signing policy ([`policy`]), the receipt chain ([`chain`]), checkpoints
//! ([`checkpoint`]) and chain export/import ([`export`]). [`fields`] reads protocol objects
//! member by member so every parse error names the member.
//!
//! Never: I/O, async, clocks or randomness. Time, keys and seeds arrive as arguments, so the same
//! inputs always give the same bytes. Anything hashed or signed goes through
//! [`canonical::CanonicalBytes`]; there is no other path to a document digest.
//!
//! Read in this order: [`canonical`], [`digest`], [`time`], [`ids`], [`keys`], [`proof`],
//! [`mmr`], [`receipt`], [`signed`], [`policy`], [`chain`], [`checkpoint`], [`export`].

pub mod canonical;
pub mod chain;
pub mod checkpoint;
pub mod digest;
pub mod export;
pub mod fields;
pub mod ids;
pub mod keys;
pub mod mmr;
pub mod policy;
pub mod proof;
pub mod receipt;
pub mod signed;
pub mod time;

#[cfg(test)]
mod test_support;
