//! The MSEZ protocol core: the exact bytes of `../shared/SPEC.md`.
//!
//! Owns every rule a third party must be able to recompute: canonical JSON and digests
//! ([`canonical`], [`digest`]), time ([`time`]), identifiers ([`ids`]) and the document readers
//! behind every parser ([`document`]). Governance: the agentic policy engine ([`agentic`]), the
//! pack trilogy ([`packs`]), zone configuration and lock ([`zone`]), the entity and migration
//! lifecycles ([`lifecycle`]) and arbitration ([`arbitration`]).
//!
//! Never: I/O, async, clocks or randomness. Time, keys and seeds arrive as arguments, so the same
//! inputs always give the same bytes. Anything hashed or signed goes through
//! [`canonical::CanonicalBytes`]; there is no other path to a document digest.
//!
//! Read in this order: [`canonical`], [`digest`], [`time`], [`ids`].

pub mod canonical;
pub mod digest;
pub mod document;
pub mod ids;
pub mod time;

pub mod agentic;
pub mod arbitration;
pub mod lifecycle;
pub mod packs;
pub mod zone;
