//! The MSEZ protocol core: the exact bytes of `../shared/SPEC.md`.
//!
//! Owns every rule a third party must be able to recompute: canonical JSON and digests
//! ([`canonical`], [`digest`]), time ([`time`]), identifiers ([`ids`]), Ed25519 keys and
//! did:key identities ([`keys`]), Data Integrity proofs ([`proof`]).
//!
//! Never: I/O, async, clocks or randomness. Time, keys and seeds arrive as arguments, so the same
//! inputs always give the same bytes. Anything hashed or signed goes through
//! [`canonical::CanonicalBytes`]; there is no other path to a document digest.
//!
//! Read in this order: [`canonical`], [`digest`], [`time`], [`ids`], [`keys`], [`proof`].

pub mod canonical;
pub mod currency;
pub mod digest;
pub mod ids;
pub mod iso20022;
pub mod keys;
pub mod netting;
pub mod proof;
pub mod time;
