//! The MSEZ protocol core: the exact bytes of `../shared/SPEC.md`.
//!
//! Owns every rule a third party must be able to recompute: canonical JSON and digests
//! ([`canonical`], [`digest`]), time ([`time`]), identifiers ([`ids`]), Ed25519 keys and
//! did:key identities ([`keys`]), Data Integrity proofs ([`proof`]), verifiable credentials and
//! their typed subjects ([`vc`]), the receipt MMR ([`mmr`]); the corridor domain ([`corridor`],
//! [`anchor`]) and its money side: currencies ([`currency`]), netting ([`netting`]) and
//! ISO 20022 settlement ([`iso20022`]).
//!
//! Never: I/O, async, clocks or randomness. Time, keys and seeds arrive as arguments, so the same
//! inputs always give the same bytes. Anything hashed or signed goes through
//! [`canonical::CanonicalBytes`]; there is no other path to a document digest.
//!
//! Read in this order: [`canonical`], [`digest`], [`time`], [`ids`], [`keys`], [`proof`],
//! [`vc`], [`mmr`], [`corridor`], [`anchor`], [`currency`], [`netting`], [`iso20022`].

pub mod anchor;
pub mod canonical;
pub mod corridor;
pub mod currency;
pub mod digest;
pub mod ids;
pub mod iso20022;
pub mod keys;
pub mod mmr;
pub mod netting;
pub mod proof;
pub mod time;
pub mod vc;

#[cfg(test)]
mod test_support;
