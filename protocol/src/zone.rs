//! Zone configuration (`zone.yaml`) and its deterministic lockfile (`zone.lock`).
//!
//! Owns [`ZoneConfig`] and its parts, [`parse_zone_config`], [`ZoneLock`], [`lock_zone`],
//! [`check_lock`] and [`ZoneError`].
//!
//! Never: reads files. The CLI reads `zone.yaml`, loads each pack path named under `packs`
//! into a [`PackFiles`] map (keyed by the path exactly as written in `zone.yaml`) and calls
//! [`lock_zone`].
//!
//! `zone.yaml`:
//! ```yaml
//! zone_id: pk-rsez
//! jurisdiction: PK-RSEZ
//! domains: [aml, kyc, sanctions, tax]          # SPEC §10 words; unknown words are errors
//! packs:
//!   lawpacks: [{path: packs/pk-ito-2001, digest: <64 hex, optional pin>}]
//!   regpacks: [{path: packs/pk-fbr-regpack}]
//!   licensepacks: []
//! corridors: [{corridor_id: pk-ae-1, peer_zone_id: ae-difc, peer_jurisdiction: AE}]
//! keys: [{key_id: receipts-1, purpose: receipt_signing, public_key: "did:key:z6Mk…"}]
//! ```
//!
//! `zone.lock` is the canonical JSON (RFC 8785) of [`ZoneLock`] followed by one newline: the
//! same inputs give byte-identical output, and any change of a pack changes its digest and so
//! the lock. A pinned digest that does not match the pack is an error, not a new lock.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::canonical::CanonicalBytes;
use crate::digest::{Digest, DomainTag};
use crate::fields::{
    FieldError, Fields, as_digest, as_id, as_object, as_str, as_text, check_unique, parse_list,
    parse_yaml, word_enum,
};
use crate::ids::{CorridorId, JurisdictionId, string_id};
use crate::keys::DidKey;
use crate::packs::{PackError, PackFiles, PackKind, pack_digest};
use crate::tensor::Domain;

/// Tag of the zone configuration digest (over the JCS of the parsed `zone.yaml`).
pub const ZONE_CONFIG_TAG: DomainTag = DomainTag::new("msez.zone.config.v1");
/// The lockfile format version written into every lock.
pub const LOCK_VERSION: u64 = 1;
/// The most packs, corridors or keys a zone file may list in one list.
pub const ZONE_LIST_MAX: usize = 1_000;
/// The longest pack path, in bytes.
pub const ZONE_PATH_BYTES_MAX: usize = 512;

string_id!(
    /// A zone's id (`pk-rsez`).
    ZoneId,
    "zone_id"
);

word_enum! {
    /// What a zone key is used for.
    KeyPurpose {
        /// Signing corridor receipts and checkpoints.
        ReceiptSigning = "receipt_signing",
        /// Issuing verifiable credentials.
        CredentialIssuance = "credential_issuance",
        /// Watcher attestations.
        WatcherAttestation = "watcher_attestation",
        /// Governance votes and policy changes.
        Governance = "governance",
    }
}

/// A pack named by a zone: where to find it and, optionally, the digest it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackPin {
    /// The pack's kind (from the list it appears in).
    pub kind: PackKind,
    /// Path relative to the zone file.
    pub path: String,
    /// The pinned digest, if any.
    pub digest: Option<Digest>,
    /// Where the pin is written (`$.packs.lawpacks[0]`), for errors.
    field: String,
}

/// A corridor to a peer zone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct CorridorPeer {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The peer zone.
    pub peer_zone_id: ZoneId,
    /// The peer's jurisdiction.
    pub peer_jurisdiction: JurisdictionId,
}

/// A zone key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ZoneKey {
    /// Id, unique in the zone.
    pub key_id: String,
    /// Use.
    pub purpose: KeyPurpose,
    /// The Ed25519 public key (serialised as its `did:key`).
    pub public_key: DidKey,
}

/// A checked `zone.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneConfig {
    /// The zone.
    pub zone_id: ZoneId,
    /// Its jurisdiction.
    pub jurisdiction: JurisdictionId,
    /// Enabled domains, in SPEC order.
    pub domains: Vec<Domain>,
    /// Packs, lawpacks first, then regpacks, then licensepacks, each in file order.
    pub packs: Vec<PackPin>,
    /// Corridors.
    pub corridors: Vec<CorridorPeer>,
    /// Keys.
    pub keys: Vec<ZoneKey>,
    config_digest: Digest,
}

/// One pack line of the lock.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LockedPack {
    /// Kind.
    pub kind: PackKind,
    /// Path as written in `zone.yaml`.
    pub path: String,
    /// The computed digest.
    pub digest: Digest,
    /// Whether `zone.yaml` pinned it.
    pub pinned: bool,
}

/// The lock: everything a zone runs on, by digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ZoneLock {
    /// Always `MSEZZoneLock`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// [`LOCK_VERSION`].
    pub lock_version: u64,
    /// The zone.
    pub zone_id: ZoneId,
    /// Its jurisdiction.
    pub jurisdiction: JurisdictionId,
    /// Digest of the canonical zone configuration.
    pub zone_config_digest: Digest,
    /// Enabled domains, in SPEC order.
    pub domains: Vec<Domain>,
    /// Packs sorted by (kind, path).
    pub packs: Vec<LockedPack>,
    /// Corridors sorted by id.
    pub corridors: Vec<CorridorPeer>,
    /// Keys sorted by id.
    pub keys: Vec<ZoneKey>,
}

/// Why a zone file or lock is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    /// A field of `zone.yaml` is wrong (including an unknown domain).
    #[error("zone.yaml: {0}")]
    Field(#[from] FieldError),
    /// A pack named at `field` is not acceptable (including a wrong pinned digest).
    #[error("zone.yaml {field}: {error}")]
    Pack {
        /// Where the pack is named.
        field: String,
        /// What is wrong with it.
        error: PackError,
    },
    /// The caller did not supply the files of a pack named at `field`.
    #[error("zone.yaml {field}: pack {path} was not provided")]
    PackNotProvided {
        /// Where the pack is named.
        field: String,
        /// Its path.
        path: String,
    },
    /// The pack at `field` is of another kind than the list it appears in.
    #[error("zone.yaml {field}: {path} is a {found}, listed as a {expected}")]
    PackKindMismatch {
        /// Where the pack is named.
        field: String,
        /// Its path.
        path: String,
        /// The list's kind.
        expected: PackKind,
        /// The kind of the files.
        found: PackKind,
    },
    /// A public key that is not an Ed25519 `did:key`.
    #[error("zone.yaml {field}: not an Ed25519 did:key")]
    BadKey {
        /// Where the key is written.
        field: String,
    },
    /// The lock could not be canonicalised.
    #[error("zone.lock: {error}")]
    Canon {
        /// The canonicaliser's error.
        error: crate::canonical::CanonError,
    },
    /// An existing lock differs from the one the inputs give.
    #[error("zone.lock is stale: it differs from the lock computed from zone.yaml and the packs")]
    LockStale,
}

impl ZoneConfig {
    /// Digest of the canonical configuration.
    pub fn config_digest(&self) -> Digest {
        self.config_digest
    }
}

impl PackPin {
    /// Where the pin is written in `zone.yaml`.
    pub fn field(&self) -> &str {
        &self.field
    }
}

impl ZoneLock {
    /// The lockfile bytes: canonical JSON and a newline.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ZoneError> {
        let mut bytes = CanonicalBytes::of(self)
            .map_err(|error| ZoneError::Canon { error })?
            .into_bytes();
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// Parses and checks `zone.yaml`. This is the first half of `msez zone validate`.
pub fn parse_zone_config(input: &[u8]) -> Result<ZoneConfig, ZoneError> {
    let value = parse_yaml(input)?;
    let canonical = CanonicalBytes::new(&value).map_err(|error| FieldError::Json { error })?;
    let config_digest = Digest::tagged(ZONE_CONFIG_TAG, canonical.as_bytes());
    let fields = as_object(&value, "$")?;
    fields.only(&[
        "zone_id",
        "jurisdiction",
        "domains",
        "packs",
        "corridors",
        "keys",
    ])?;
    let domains_path = fields.child("domains");
    let mut domains = parse_list(
        fields.required("domains")?,
        &domains_path,
        Domain::ALL.len(),
        Domain::parse_word,
    )?;
    if domains.is_empty() {
        return Err(FieldError::Empty { path: domains_path }.into());
    }
    check_unique(domains.iter().map(|domain| domain.as_str()), &domains_path)?;
    domains.sort_unstable();
    let packs = match fields.optional("packs") {
        Some(value) => parse_packs(value, &fields.child("packs"))?,
        None => Vec::new(),
    };
    let corridors_path = fields.child("corridors");
    let corridors = match fields.optional("corridors") {
        Some(list) => parse_list(list, &corridors_path, ZONE_LIST_MAX, parse_corridor)?,
        None => Vec::new(),
    };
    check_unique(
        corridors.iter().map(|c| c.corridor_id.as_str()),
        &corridors_path,
    )?;
    let keys_path = fields.child("keys");
    let keys = match fields.optional("keys") {
        Some(list) => parse_list(list, &keys_path, ZONE_LIST_MAX, parse_key)?,
        None => Vec::new(),
    };
    check_unique(keys.iter().map(|k| k.key_id.as_str()), &keys_path)?;
    Ok(ZoneConfig {
        zone_id: as_id(
            fields.required("zone_id")?,
            &fields.child("zone_id"),
            ZoneId::new,
        )?,
        jurisdiction: as_id(
            fields.required("jurisdiction")?,
            &fields.child("jurisdiction"),
            JurisdictionId::new,
        )?,
        domains,
        packs,
        corridors,
        keys,
        config_digest,
    })
}

/// Digests every pack of `config` from `packs` (path as written in `zone.yaml` → files),
/// checks kinds and pinned digests, and builds the lock. This is `msez zone lock`; `msez zone
/// validate` is [`parse_zone_config`] then this (and [`check_lock`] when a lock exists).
pub fn lock_zone(
    config: &ZoneConfig,
    packs: &BTreeMap<String, PackFiles>,
) -> Result<ZoneLock, ZoneError> {
    let mut locked = Vec::with_capacity(config.packs.len());
    for pin in &config.packs {
        let files = packs
            .get(&pin.path)
            .ok_or_else(|| ZoneError::PackNotProvided {
                field: pin.field.clone(),
                path: pin.path.clone(),
            })?;
        let pack_error = |error| ZoneError::Pack {
            field: pin.field.clone(),
            error,
        };
        let summary = pack_digest(files).map_err(pack_error)?;
        if summary.kind != pin.kind {
            return Err(ZoneError::PackKindMismatch {
                field: pin.field.clone(),
                path: pin.path.clone(),
                expected: pin.kind,
                found: summary.kind,
            });
        }
        if let Some(expected) = pin.digest
            && expected != summary.digest
        {
            return Err(pack_error(PackError::DigestMismatch {
                field: format!("{}.digest", pin.field),
                expected,
                computed: summary.digest,
            }));
        }
        locked.push(LockedPack {
            kind: pin.kind,
            path: pin.path.clone(),
            digest: summary.digest,
            pinned: pin.digest.is_some(),
        });
    }
    locked.sort();
    let mut corridors = config.corridors.clone();
    corridors.sort();
    let mut keys = config.keys.clone();
    keys.sort();
    Ok(ZoneLock {
        kind: "MSEZZoneLock",
        lock_version: LOCK_VERSION,
        zone_id: config.zone_id.clone(),
        jurisdiction: config.jurisdiction.clone(),
        zone_config_digest: config.config_digest,
        domains: config.domains.clone(),
        packs: locked,
        corridors,
        keys,
    })
}

/// Checks that `existing` (the bytes of a `zone.lock`) is exactly the lock `lock` serialises to.
pub fn check_lock(lock: &ZoneLock, existing: &[u8]) -> Result<(), ZoneError> {
    if lock.to_bytes()? == existing {
        Ok(())
    } else {
        Err(ZoneError::LockStale)
    }
}

fn parse_packs(value: &Value, path: &str) -> Result<Vec<PackPin>, ZoneError> {
    let fields = as_object(value, path)?;
    fields.only(&["lawpacks", "regpacks", "licensepacks"])?;
    let mut pins = Vec::new();
    for kind in PackKind::ALL {
        let key = format!("{}s", kind.as_str());
        let Some(list) = fields.optional(&key) else {
            continue;
        };
        let list_path = fields.child(&key);
        let mut these = parse_list(list, &list_path, ZONE_LIST_MAX, |item, item_path| {
            parse_pin(item, item_path, *kind)
        })?;
        check_unique(these.iter().map(|pin| pin.path.as_str()), &list_path)?;
        pins.append(&mut these);
    }
    Ok(pins)
}

fn parse_pin(value: &Value, path: &str, kind: PackKind) -> Result<PackPin, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["path", "digest"])?;
    Ok(PackPin {
        kind,
        path: as_text(
            fields.required("path")?,
            &fields.child("path"),
            ZONE_PATH_BYTES_MAX,
        )?,
        digest: fields
            .optional("digest")
            .map(|digest| as_digest(digest, &fields.child("digest")))
            .transpose()?,
        field: path.to_owned(),
    })
}

fn parse_corridor(value: &Value, path: &str) -> Result<CorridorPeer, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["corridor_id", "peer_zone_id", "peer_jurisdiction"])?;
    Ok(CorridorPeer {
        corridor_id: as_id(
            fields.required("corridor_id")?,
            &fields.child("corridor_id"),
            CorridorId::new,
        )?,
        peer_zone_id: as_id(
            fields.required("peer_zone_id")?,
            &fields.child("peer_zone_id"),
            ZoneId::new,
        )?,
        peer_jurisdiction: as_id(
            fields.required("peer_jurisdiction")?,
            &fields.child("peer_jurisdiction"),
            JurisdictionId::new,
        )?,
    })
}

fn parse_key(value: &Value, path: &str) -> Result<ZoneKey, ZoneError> {
    let fields = as_object(value, path)?;
    fields.only(&["key_id", "purpose", "public_key"])?;
    let key_path = fields.child("public_key");
    let public_key = as_str(fields.required("public_key")?, &key_path)?;
    // The one did:key parser: it also refuses points that are not on the curve or small order.
    let public_key =
        DidKey::parse(public_key).map_err(|_| ZoneError::BadKey { field: key_path })?;
    Ok(ZoneKey {
        key_id: key_id(&fields)?,
        purpose: KeyPurpose::parse_word(fields.required("purpose")?, &fields.child("purpose"))?,
        public_key,
    })
}

fn key_id(fields: &Fields<'_>) -> Result<String, FieldError> {
    as_text(fields.required("key_id")?, &fields.child("key_id"), 128)
}

#[cfg(test)]
mod tests;
