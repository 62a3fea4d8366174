//! Smart assets: the genesis document that brings an asset into being, its journal of events,
//! and its binding into the zone's registry by an `MSEZSmartAssetRegistryCredential` (SPEC §4).
//!
//! Owns [`SmartAssetGenesis`] (the checked genesis document), [`asset_id_of`], [`AssetEvent`]
//! (one journal entry), [`SmartAsset`] (the state replayed from the journal, with the one
//! transition [`SmartAsset::bind`]), [`registry_credential_id`] and [`SmartAssetError`].
//!
//! Never: reads a clock (`now` and `registered_at` are arguments), issues or signs a credential
//! (the caller issues the subject [`SmartAsset::bind`] returns), or accepts a genesis it would
//! not write itself.
//!
//! # Bytes (a compatibility promise)
//! - Genesis: the canonical JSON (SPEC §1) of `{"type":"MSEZSmartAssetGenesis","asset_class",
//!   "name","owner_entity_id","jurisdiction_id","created_at","terms"}`. `terms` is any JSON
//!   object (integers only, as everywhere). The genesis digest is the SHA-256 of those bytes: it
//!   is the registry credential's `asset_definition_digest`.
//! - Asset id: `asset:` followed by the genesis digest in lowercase hex. The same genesis always
//!   names the same asset, so submitting it twice cannot create two assets.
//! - Journal: entry 0 is `{"event":"genesis","genesis":<genesis>}`; entry 1, once bound, is
//!   `{"event":"registry_binding","credential_id","credential_digest","registered_at"}`.
//!   There is no entry 2 today: an asset is bound once.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::{CanonError, CanonicalBytes};
use crate::chain::TIMESTAMP_FUTURE_TOLERANCE_SECONDS;
use crate::digest::Digest;
use crate::ids::{EntityId, IdError, JurisdictionId};
use crate::lifecycle::migration::AssetId;
use crate::time::Timestamp;
use crate::vc::subjects::SmartAssetRegistrySubject;

/// The `type` member of every genesis document.
pub const GENESIS_TYPE: &str = "MSEZSmartAssetGenesis";

/// The prefix of every asset id, before the genesis digest.
pub const ASSET_ID_PREFIX: &str = "asset:";

/// Longest asset name, in bytes: a registry title or a property description fits; the bound
/// keeps the genesis (and every credential naming it) small.
pub const ASSET_NAME_BYTES_MAX: usize = 256;

/// Longest asset class, in bytes (`real_estate`, `trade_receivable`, `warehouse_receipt`).
pub const ASSET_CLASS_BYTES_MAX: usize = 64;

/// A checked genesis document (module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmartAssetGenesis {
    /// Always [`GENESIS_TYPE`].
    #[serde(rename = "type")]
    kind: String,
    /// The asset class: lowercase ASCII letters, digits and `_`.
    asset_class: String,
    /// A human-readable name.
    name: String,
    /// Who owns the asset (an entity as Mass knows it).
    owner_entity_id: EntityId,
    /// Where the asset is registered.
    jurisdiction_id: JurisdictionId,
    /// When the asset came into being (no later than acceptance plus the clock-skew tolerance).
    created_at: Timestamp,
    /// The asset's terms: any JSON object.
    terms: Map<String, Value>,
}

/// One entry of an asset's journal (module docs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case", deny_unknown_fields)]
pub enum AssetEvent {
    /// The asset came into being.
    Genesis {
        /// Its genesis document.
        genesis: SmartAssetGenesis,
    },
    /// The zone bound the asset into its registry.
    RegistryBinding {
        /// The registry credential's id.
        credential_id: String,
        /// The digest of the signed credential's canonical form.
        credential_digest: Digest,
        /// When it was bound.
        registered_at: Timestamp,
    },
}

/// What an asset is after its journal: its genesis, and its registry binding once bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmartAsset {
    asset_id: AssetId,
    genesis: SmartAssetGenesis,
    genesis_digest: Digest,
    binding: Option<RegistryBinding>,
}

/// The registry binding of an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryBinding {
    /// The registry credential's id.
    pub credential_id: String,
    /// The digest of the signed credential.
    pub credential_digest: Digest,
    /// When it was bound.
    pub registered_at: Timestamp,
}

/// Why a genesis, a journal or a binding is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmartAssetError {
    /// The genesis does not have the document's shape; `reason` names the member.
    #[error("genesis: {reason}")]
    Shape {
        /// serde's finding.
        reason: String,
    },
    /// `type` is not [`GENESIS_TYPE`].
    #[error("genesis type is {found:?}, not {GENESIS_TYPE}")]
    WrongType {
        /// The `type` found.
        found: String,
    },
    /// The asset class is empty, too long, or has a character outside `a-z 0-9 _`.
    #[error(
        "asset_class {asset_class:?} is not 1..={ASSET_CLASS_BYTES_MAX} bytes of a-z, 0-9 and _"
    )]
    AssetClass {
        /// The value.
        asset_class: String,
    },
    /// The name is empty or longer than [`ASSET_NAME_BYTES_MAX`].
    #[error("name is {length_bytes} bytes; it must be 1..={ASSET_NAME_BYTES_MAX}")]
    NameLength {
        /// Its length.
        length_bytes: usize,
    },
    /// `created_at` is too far in the future.
    #[error(
        "created_at {created_at} is more than {TIMESTAMP_FUTURE_TOLERANCE_SECONDS} s after {now}"
    )]
    CreatedInFuture {
        /// The genesis time.
        created_at: Timestamp,
        /// The acceptance time.
        now: Timestamp,
    },
    /// The genesis cannot be canonicalised (a fraction or an out-of-range integer in `terms`).
    #[error("genesis: {0}")]
    Canonical(#[from] CanonError),
    /// The asset id does not parse.
    #[error("asset id: {0}")]
    AssetId(#[from] IdError),
    /// A journal entry is out of place (genesis not first, a second binding, an empty journal).
    #[error("asset journal entry {entry_index} is out of place: {reason}")]
    Journal {
        /// 0-based entry.
        entry_index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// The asset is already bound into the registry.
    #[error("asset {asset_id} is already bound by credential {credential_id}")]
    AlreadyBound {
        /// The asset.
        asset_id: AssetId,
        /// The existing binding.
        credential_id: String,
    },
    /// The registry's jurisdiction is not the asset's.
    #[error("asset {asset_id} is registered in {asset_jurisdiction}; this registry is {registry}")]
    RegistryJurisdiction {
        /// The asset.
        asset_id: AssetId,
        /// The genesis jurisdiction.
        asset_jurisdiction: JurisdictionId,
        /// The registry's jurisdiction.
        registry: JurisdictionId,
    },
    /// The binding would predate the asset.
    #[error("registered_at {registered_at} is before the asset's created_at {created_at}")]
    BoundBeforeCreated {
        /// The binding time.
        registered_at: Timestamp,
        /// The genesis time.
        created_at: Timestamp,
    },
}

impl SmartAssetGenesis {
    /// Reads and checks a genesis document accepted at `now`.
    pub fn from_value(value: Value, now: Timestamp) -> Result<Self, SmartAssetError> {
        let genesis: Self =
            serde_json::from_value(value).map_err(|error| SmartAssetError::Shape {
                reason: error.to_string(),
            })?;
        genesis.check()?;
        let latest = now.checked_add_seconds(TIMESTAMP_FUTURE_TOLERANCE_SECONDS);
        if latest.is_none_or(|latest| genesis.created_at > latest) {
            return Err(SmartAssetError::CreatedInFuture {
                created_at: genesis.created_at,
                now,
            });
        }
        Ok(genesis)
    }

    /// The canonical genesis bytes (module docs).
    pub fn to_canonical(&self) -> Result<CanonicalBytes, CanonError> {
        CanonicalBytes::of(self)
    }

    /// The owner.
    pub fn owner_entity_id(&self) -> &EntityId {
        &self.owner_entity_id
    }

    /// The registering jurisdiction.
    pub fn jurisdiction_id(&self) -> &JurisdictionId {
        &self.jurisdiction_id
    }

    /// The asset class.
    pub fn asset_class(&self) -> &str {
        &self.asset_class
    }

    /// When the asset came into being.
    pub fn created_at(&self) -> Timestamp {
        self.created_at
    }

    /// The rules every genesis holds, also on replay (no clock needed).
    fn check(&self) -> Result<(), SmartAssetError> {
        if self.kind != GENESIS_TYPE {
            return Err(SmartAssetError::WrongType {
                found: self.kind.clone(),
            });
        }
        let class_ok = !self.asset_class.is_empty()
            && self.asset_class.len() <= ASSET_CLASS_BYTES_MAX
            && self
                .asset_class
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_');
        if !class_ok {
            return Err(SmartAssetError::AssetClass {
                asset_class: self.asset_class.clone(),
            });
        }
        if self.name.is_empty() || self.name.len() > ASSET_NAME_BYTES_MAX {
            return Err(SmartAssetError::NameLength {
                length_bytes: self.name.len(),
            });
        }
        self.to_canonical()?;
        Ok(())
    }
}

/// The id of the asset a genesis names, and the genesis digest it is made of.
pub fn asset_id_of(genesis: &SmartAssetGenesis) -> Result<(AssetId, Digest), SmartAssetError> {
    let digest = genesis.to_canonical()?.digest();
    let asset_id = AssetId::new(format!("{ASSET_ID_PREFIX}{}", digest.to_hex()))?;
    Ok((asset_id, digest))
}

/// The id of an asset's registry credential: one per asset, so a retried binding finds the
/// credential an interrupted attempt already recorded.
pub fn registry_credential_id(asset_id: &AssetId) -> String {
    format!("urn:msez:smart-asset:{asset_id}:registry")
}

impl SmartAsset {
    /// The asset after its journal, entry 0 first.
    pub fn replay(events: &[AssetEvent]) -> Result<Self, SmartAssetError> {
        let Some(AssetEvent::Genesis { genesis }) = events.first() else {
            return Err(SmartAssetError::Journal {
                entry_index: 0,
                reason: "the first entry must be the genesis",
            });
        };
        genesis.check()?;
        let (asset_id, genesis_digest) = asset_id_of(genesis)?;
        let mut asset = Self {
            asset_id,
            genesis: genesis.clone(),
            genesis_digest,
            binding: None,
        };
        for (entry_index, event) in events.iter().enumerate().skip(1) {
            match event {
                AssetEvent::Genesis { .. } => {
                    return Err(SmartAssetError::Journal {
                        entry_index,
                        reason: "a second genesis",
                    });
                }
                AssetEvent::RegistryBinding { .. } if asset.binding.is_some() => {
                    return Err(SmartAssetError::Journal {
                        entry_index,
                        reason: "a second registry binding",
                    });
                }
                AssetEvent::RegistryBinding {
                    credential_id,
                    credential_digest,
                    registered_at,
                } => {
                    asset.binding = Some(RegistryBinding {
                        credential_id: credential_id.clone(),
                        credential_digest: *credential_digest,
                        registered_at: *registered_at,
                    });
                }
            }
        }
        Ok(asset)
    }

    /// The registry credential subject binding this asset into the registry of `registry` at
    /// `registered_at`: refused once bound, for another jurisdiction, or before genesis.
    pub fn bind(
        &self,
        registry: &JurisdictionId,
        registered_at: Timestamp,
    ) -> Result<SmartAssetRegistrySubject, SmartAssetError> {
        if let Some(binding) = &self.binding {
            return Err(SmartAssetError::AlreadyBound {
                asset_id: self.asset_id.clone(),
                credential_id: binding.credential_id.clone(),
            });
        }
        if registry != &self.genesis.jurisdiction_id {
            return Err(SmartAssetError::RegistryJurisdiction {
                asset_id: self.asset_id.clone(),
                asset_jurisdiction: self.genesis.jurisdiction_id.clone(),
                registry: registry.clone(),
            });
        }
        if registered_at < self.genesis.created_at {
            return Err(SmartAssetError::BoundBeforeCreated {
                registered_at,
                created_at: self.genesis.created_at,
            });
        }
        Ok(SmartAssetRegistrySubject {
            asset_id: self.asset_id.to_string(),
            owner_entity_id: self.genesis.owner_entity_id.clone(),
            jurisdiction_id: registry.clone(),
            asset_class: self.genesis.asset_class.clone(),
            asset_definition_digest: self.genesis_digest,
            registered_at,
        })
    }

    /// The asset's id.
    pub fn asset_id(&self) -> &AssetId {
        &self.asset_id
    }

    /// Its genesis.
    pub fn genesis(&self) -> &SmartAssetGenesis {
        &self.genesis
    }

    /// The genesis digest (the registry credential's `asset_definition_digest`).
    pub fn genesis_digest(&self) -> Digest {
        self.genesis_digest
    }

    /// The registry binding, once bound.
    pub fn binding(&self) -> Option<&RegistryBinding> {
        self.binding.as_ref()
    }
}

#[cfg(test)]
mod tests;
