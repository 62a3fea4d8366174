//! The pack trilogy: lawpacks (the law), regpacks (regulators' data), licensepacks (who holds
//! which licence), as content-addressed inputs a zone pins by digest.
//!
//! Owns [`PackFiles`] (a pack as an in-memory map of relative path → bytes), [`PackKind`],
//! [`pack_digest`], [`verify_pack_digest`],
//! [`PackError`], and the submodules [`lawpack`], [`regpack`], [`licensepack`] and [`xml`].
//!
//! Never: touches a file system. The CLI walks a directory (or reads one file) into a
//! [`PackFiles`] map and calls these functions.
//!
//! Digests (each recomputable from SPEC §1 alone):
//! - lawpack: see [`lawpack`] (a tagged digest over the sorted, canonicalised files);
//! - regpack: `SHA-256("msez.regpack.v1" || 0x00 || JCS(regpack.json))`;
//! - licensepack: `SHA-256("msez.licensepack.v1" || 0x00 || JCS(licensepack.json))`.

pub mod lawpack;
pub mod licensepack;
pub mod regpack;
pub mod xml;

use std::collections::BTreeMap;

use crate::digest::{Digest, DigestError};
use crate::fields::{FieldError, word_enum};
use crate::tensor::Domain;

/// A pack as files: relative `/`-separated path → content.
pub type PackFiles = BTreeMap<String, Vec<u8>>;

/// The most files one pack may hold. A national code is a few hundred documents; 10,000 bounds
/// the walk and the manifest.
pub const PACK_FILES_MAX: usize = 10_000;

/// The largest single file in a pack, in bytes. The longest Akoma Ntoso acts are a few MiB;
/// 64 MiB bounds memory per file.
pub const PACK_FILE_BYTES_MAX: usize = 64 << 20;

/// The longest relative path in a pack, in bytes.
pub const PACK_PATH_BYTES_MAX: usize = 512;

word_enum! {
    /// The three kinds of pack.
    PackKind {
        /// Statutes and regulations as Akoma Ntoso documents.
        Lawpack = "lawpack",
        /// Regulators' data: sanctions, reporting, deadlines, rates.
        Regpack = "regpack",
        /// Licence types, holders and licences.
        Licensepack = "licensepack",
    }
}

/// A pack's kind and digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackSummary {
    /// The kind, recognised from the files.
    pub kind: PackKind,
    /// The pack digest.
    pub digest: Digest,
}

/// Why a pack is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// A field of a manifest or data file is wrong; `file` names the file.
    #[error("{file}: {error}")]
    Field {
        /// The pack-relative file.
        file: String,
        /// What is wrong, with the field path.
        error: FieldError,
    },
    /// An XML document is not acceptable.
    #[error("{file}: {error}")]
    Xml {
        /// The pack-relative file.
        file: String,
        /// What is wrong.
        error: xml::XmlError,
    },
    /// A path that is absolute, empty, has `.`/`..`/empty segments or a backslash.
    #[error("pack path {path:?} must be relative, '/'-separated, without '.', '..' or '\\\\'")]
    BadPath {
        /// The path.
        path: String,
    },
    /// A file the pack format does not define.
    #[error("{path}: not part of a {kind} (unexpected file)")]
    UnexpectedFile {
        /// The path.
        path: String,
        /// The pack kind.
        kind: PackKind,
    },
    /// A file the pack format requires is absent.
    #[error("{path}: required file of a {kind} is missing")]
    MissingFile {
        /// The path.
        path: String,
        /// The pack kind.
        kind: PackKind,
    },
    /// The files are not recognisable as any kind of pack.
    #[error(
        "not a pack: expected lawpack.yaml, or one JSON file of type MSEZRegpack or MSEZLicensepack"
    )]
    UnknownKind,
    /// More than [`PACK_FILES_MAX`] files.
    #[error("{count} files exceed the limit of {PACK_FILES_MAX}")]
    TooManyFiles {
        /// Files received.
        count: usize,
    },
    /// A file over [`PACK_FILE_BYTES_MAX`], or a path over [`PACK_PATH_BYTES_MAX`].
    #[error("{path}: {length_bytes} bytes exceed the limit of {limit_bytes}")]
    TooLarge {
        /// The path.
        path: String,
        /// Size found.
        length_bytes: usize,
        /// The limit.
        limit_bytes: usize,
    },
    /// The computed digest differs from the one expected (pinned).
    #[error("{field}: pack digest {computed} does not match the pinned {expected}")]
    DigestMismatch {
        /// Where the expected digest was written (`$.packs.lawpacks[0].digest`).
        field: String,
        /// The pinned digest.
        expected: Digest,
        /// The digest of the files.
        computed: Digest,
    },
    /// A regpack does not continue the previous one.
    #[error("regpack chain: {field} is {found}, expected {expected}")]
    ChainBroken {
        /// The field that breaks the chain.
        field: &'static str,
        /// What continuing the chain requires.
        expected: String,
        /// What the next regpack carries.
        found: String,
    },
    /// The expected digest text is not a digest.
    #[error("{field}: {error}")]
    DigestText {
        /// Where the text came from.
        field: String,
        /// Why it is not a digest.
        error: DigestError,
    },
}

/// Checks the paths and sizes of `files` against the pack limits.
pub fn check_files(files: &PackFiles) -> Result<(), PackError> {
    if files.len() > PACK_FILES_MAX {
        return Err(PackError::TooManyFiles { count: files.len() });
    }
    for (path, bytes) in files {
        if path.len() > PACK_PATH_BYTES_MAX {
            return Err(PackError::TooLarge {
                path: path.clone(),
                length_bytes: path.len(),
                limit_bytes: PACK_PATH_BYTES_MAX,
            });
        }
        let bad_segment = path
            .split('/')
            .any(|segment| segment.is_empty() || segment == "." || segment == "..");
        if bad_segment || path.contains('\\') {
            return Err(PackError::BadPath { path: path.clone() });
        }
        if bytes.len() > PACK_FILE_BYTES_MAX {
            return Err(PackError::TooLarge {
                path: path.clone(),
                length_bytes: bytes.len(),
                limit_bytes: PACK_FILE_BYTES_MAX,
            });
        }
    }
    Ok(())
}

/// Recognises the pack kind: a lawpack has `lawpack.yaml` at its root; a regpack or
/// licensepack is a single JSON file (any name) whose `type` is `MSEZRegpack` or
/// `MSEZLicensepack`.
pub fn pack_kind(files: &PackFiles) -> Result<PackKind, PackError> {
    if files.contains_key(lawpack::MANIFEST_PATH) {
        return Ok(PackKind::Lawpack);
    }
    let mut only = files.iter();
    let (Some((path, bytes)), None) = (only.next(), only.next()) else {
        return Err(PackError::UnknownKind);
    };
    let document = crate::fields::parse_json(bytes).map_err(|error| PackError::Field {
        file: path.clone(),
        error,
    })?;
    match document.get("type").and_then(serde_json::Value::as_str) {
        Some(regpack::REGPACK_TYPE) => Ok(PackKind::Regpack),
        Some(licensepack::LICENSEPACK_TYPE) => Ok(PackKind::Licensepack),
        _ => Err(PackError::UnknownKind),
    }
}

/// Parses the pack in `files` (whatever its kind) and returns its kind and digest. This is
/// `msez pack digest PATH`.
pub fn pack_digest(files: &PackFiles) -> Result<PackSummary, PackError> {
    check_files(files)?;
    let kind = pack_kind(files)?;
    let digest = match kind {
        PackKind::Lawpack => lawpack::parse_lawpack(files)?.digest(),
        PackKind::Regpack => regpack::parse_regpack_files(files)?.digest(),
        PackKind::Licensepack => licensepack::parse_licensepack_files(files)?.digest(),
    };
    Ok(PackSummary { kind, digest })
}

/// Computes the digest of `files` and checks it equals `expected`; `field` names where the
/// expectation was written, for the error.
pub fn verify_pack_digest(
    files: &PackFiles,
    expected: Digest,
    field: &str,
) -> Result<PackSummary, PackError> {
    let summary = pack_digest(files)?;
    if summary.digest != expected {
        return Err(PackError::DigestMismatch {
            field: field.to_owned(),
            expected,
            computed: summary.digest,
        });
    }
    Ok(summary)
}

/// Parses a single-document pack and digests it: `SHA-256(tag || 0x00 || JCS(document))`.
/// Errors name `file`.
fn digest_document(
    input: &[u8],
    file: &str,
    tag: crate::digest::DomainTag,
) -> Result<(serde_json::Value, Digest), PackError> {
    let field = |error| PackError::Field {
        file: file.to_owned(),
        error,
    };
    let value = crate::fields::parse_json(input).map_err(field)?;
    let canonical = crate::canonical::CanonicalBytes::new(&value)
        .map_err(|error| field(FieldError::Json { error }))?;
    Ok((value, Digest::tagged(tag, canonical.as_bytes())))
}

/// The list of distinct domains at member `key` of `fields`.
fn parse_domains(fields: &crate::fields::Fields<'_>, key: &str) -> Result<Vec<Domain>, FieldError> {
    let path = fields.child(key);
    let domains = crate::fields::parse_list(
        fields.required(key)?,
        &path,
        Domain::ALL.len(),
        Domain::parse_word,
    )?;
    crate::fields::check_unique(domains.iter().map(|domain| domain.as_str()), &path)?;
    Ok(domains)
}

/// Requires `files` to be exactly one file (single-document packs) and returns its bytes.
fn single_file(files: &PackFiles, kind: PackKind) -> Result<&[u8], PackError> {
    check_files(files)?;
    let mut only = files.iter();
    match (only.next(), only.next()) {
        (Some((_, bytes)), None) => Ok(bytes),
        (None, _) => Err(PackError::MissingFile {
            path: format!("{kind}.json"),
            kind,
        }),
        (Some(_), Some((extra, _))) => Err(PackError::UnexpectedFile {
            path: extra.clone(),
            kind,
        }),
    }
}

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod tests;
