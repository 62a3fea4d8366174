//! The MSEZ protocol core: the exact bytes of `../shared/SPEC.md`.
//!
//! Owns every rule a third party must be able to recompute: canonical JSON and digests
//! ([`canonical`], [`digest`]), time ([`time`]), identifiers ([`ids`]), the one member-by-member reader
//! behind every parser ([`fields`], so every parse error names the member's path), Ed25519 keys and
//! did:key identities ([`keys`]), Data Integrity proofs ([`proof`]), verifiable credentials and
//! their typed subjects ([`vc`]), the receipt MMR ([`mmr`]), receipts and the genesis root
//! ([`receipt`]), signed documents ([`signed`]), the k-of-n receipt-signing policy ([`policy`]),
//! the receipt chain ([`chain`]), checkpoints ([`checkpoint`]) and chain export/import
//! ([`export`]). The corridor domain ([`corridor`], [`anchor`]) and its money side: currencies
//! ([`currency`]), netting ([`netting`]), ISO 20022 settlement ([`iso20022`]) and a netting
//! plan's settlement instructions ([`settlement`]). The compliance domain: the compliance
//! tensor ([`tensor`]), compliance-aware corridor routing ([`manifold`]) and tax withholding
//! ([`tax`]). Governance: the agentic policy engine ([`agentic`]), the pack
//! trilogy ([`packs`]), zone configuration and lock ([`zone`]), the entity and migration
//! lifecycles ([`lifecycle`]), arbitration ([`arbitration`]) and smart assets
//! ([`smart_asset`]: genesis, journal and registry binding). The Mass-facing flows' names,
//! sanctions gate and signed records: [`orchestration`].
//!
//! Never: I/O, async, clocks or randomness. Time, keys and seeds arrive as arguments, so the same
//! inputs always give the same bytes. Anything hashed or signed goes through
//! [`canonical::CanonicalBytes`]; there is no other path to a document digest.
//!
//! Read in this order: [`canonical`], [`digest`], [`time`], [`ids`], [`fields`], [`keys`], [`proof`],
//! [`vc`], [`mmr`], [`receipt`], [`signed`], [`policy`], [`chain`], [`checkpoint`], [`export`],
//! [`corridor`], [`anchor`], [`currency`], [`netting`], [`iso20022`], [`settlement`].

pub mod anchor;
pub mod canonical;
pub mod chain;
pub mod checkpoint;
pub mod corridor;
pub mod currency;
pub mod digest;
pub mod export;
pub mod fields;
pub mod ids;
pub mod iso20022;
pub mod keys;
pub mod manifold;
pub mod mmr;
pub mod netting;
pub mod orchestration;
pub mod policy;
pub mod proof;
pub mod receipt;
pub mod settlement;
pub mod signed;
pub mod smart_asset;
pub mod tax;
pub mod tensor;
pub mod time;
pub mod vc;

pub mod agentic;
pub mod arbitration;
pub mod lifecycle;
pub mod packs;
pub mod zone;

#[cfg(test)]
mod test_support;
