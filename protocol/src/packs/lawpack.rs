//! Lawpacks: a jurisdiction's statutes as Akoma Ntoso XML documents, with a manifest
//! (`lawpack.yaml`), an index (`index.json`) and a digest over all of it.
//!
//! Owns [`Lawpack`], [`LawpackManifest`], [`LawDocument`] and [`parse_lawpack`].
//!
//! Never: digests a file's raw bytes. Each file is first brought to its canonical form, so
//! layout never changes a digest: `lawpack.yaml` → JCS of the parsed YAML; `index.json` → JCS;
//! each `*.xml` → the canonical XML of [`super::xml`].
//!
//! # Digest (msez.lawpack.v1)
//!
//! `file_sha256 = SHA-256("msez.lawpack.file.v1" || 0x00 || canonical file bytes)`, then
//! `lawpack_digest = SHA-256("msez.lawpack.v1" || 0x00 || JCS({"files":[{"path":…,
//! "sha256":file_sha256}, …]}))` with the files sorted by path (byte order). A verifier with
//! the files and a JCS implementation can recompute it.
//!
//! Files: `lawpack.yaml` (`lawpack_id`, `jurisdiction`, `name`, `version`, `as_of`),
//! `index.json` (`{"documents":[{"path","title"}]}`, listing every XML document exactly once),
//! and the XML documents themselves (anywhere under the pack, ending `.xml`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::xml::canonicalize;
use super::{PackError, PackFiles, PackKind, check_files};
use crate::canonical::CanonicalBytes;
use crate::digest::{Digest, DomainTag};
use crate::fields::{
    FieldError, as_id, as_object, as_text, as_timestamp, check_unique, parse_json, parse_list,
    parse_yaml,
};
use crate::ids::JurisdictionId;
use crate::time::Timestamp;

/// The manifest's path.
pub const MANIFEST_PATH: &str = "lawpack.yaml";
/// The index's path.
pub const INDEX_PATH: &str = "index.json";
/// Tag of the lawpack digest.
pub const LAWPACK_TAG: DomainTag = DomainTag::new("msez.lawpack.v1");
/// Tag of one canonicalised file's digest.
pub const LAWPACK_FILE_TAG: DomainTag = DomainTag::new("msez.lawpack.file.v1");
/// The longest name, title or version text, in bytes.
pub const LAWPACK_TEXT_BYTES_MAX: usize = 512;

/// What `lawpack.yaml` declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LawpackManifest {
    /// The pack's id (`pk-ito-2001`).
    pub lawpack_id: String,
    /// The jurisdiction whose law this is.
    pub jurisdiction: JurisdictionId,
    /// Human-readable name.
    pub name: String,
    /// The publisher's version label.
    pub version: String,
    /// The date the law is stated as of.
    pub as_of: Timestamp,
}

/// One Akoma Ntoso document of the pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LawDocument {
    /// Pack-relative path.
    pub path: String,
    /// Title from the index.
    pub title: String,
    /// Digest of the canonical document (tagged as a lawpack file).
    pub sha256: Digest,
    /// `eId` → fragment digest.
    pub fragments: BTreeMap<String, Digest>,
}

/// A parsed, digested lawpack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lawpack {
    manifest: LawpackManifest,
    documents: Vec<LawDocument>,
    file_digests: BTreeMap<String, Digest>,
    digest: Digest,
}

#[derive(Serialize)]
struct FileEntry<'a> {
    path: &'a str,
    sha256: Digest,
}

#[derive(Serialize)]
struct FileList<'a> {
    files: Vec<FileEntry<'a>>,
}

impl Lawpack {
    /// The manifest.
    pub fn manifest(&self) -> &LawpackManifest {
        &self.manifest
    }

    /// The documents, sorted by path.
    pub fn documents(&self) -> &[LawDocument] {
        &self.documents
    }

    /// Path → digest of the canonical file, for every file of the pack.
    pub fn file_digests(&self) -> &BTreeMap<String, Digest> {
        &self.file_digests
    }

    /// The lawpack digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The digest of the fragment `e_id` in the document at `path`, if both exist.
    pub fn fragment(&self, path: &str, e_id: &str) -> Option<Digest> {
        self.documents
            .iter()
            .find(|document| document.path == path)
            .and_then(|document| document.fragments.get(e_id).copied())
    }
}

/// Parses, canonicalises and digests a lawpack.
pub fn parse_lawpack(files: &PackFiles) -> Result<Lawpack, PackError> {
    check_files(files)?;
    let field = |file: &str| {
        let file = file.to_owned();
        move |error: FieldError| PackError::Field { file, error }
    };
    let manifest_bytes = files.get(MANIFEST_PATH).ok_or(PackError::MissingFile {
        path: MANIFEST_PATH.to_owned(),
        kind: PackKind::Lawpack,
    })?;
    let index_bytes = files.get(INDEX_PATH).ok_or(PackError::MissingFile {
        path: INDEX_PATH.to_owned(),
        kind: PackKind::Lawpack,
    })?;
    let manifest_value = parse_yaml(manifest_bytes).map_err(field(MANIFEST_PATH))?;
    let manifest = parse_manifest(&manifest_value).map_err(field(MANIFEST_PATH))?;
    let index_value = parse_json(index_bytes).map_err(field(INDEX_PATH))?;
    let titles = parse_index(&index_value).map_err(field(INDEX_PATH))?;

    let mut file_digests = BTreeMap::new();
    file_digests.insert(
        MANIFEST_PATH.to_owned(),
        canonical_json_digest(&manifest_value)?,
    );
    file_digests.insert(INDEX_PATH.to_owned(), canonical_json_digest(&index_value)?);
    let mut documents = Vec::new();
    for (path, bytes) in files {
        if path == MANIFEST_PATH || path == INDEX_PATH {
            continue;
        }
        if !path.ends_with(".xml") {
            return Err(PackError::UnexpectedFile {
                path: path.clone(),
                kind: PackKind::Lawpack,
            });
        }
        let title = titles.get(path).ok_or_else(|| PackError::Field {
            file: INDEX_PATH.to_owned(),
            error: FieldError::Missing {
                path: format!("$.documents[path={path}]"),
            },
        })?;
        let canonical = canonicalize(bytes).map_err(|error| PackError::Xml {
            file: path.clone(),
            error,
        })?;
        let sha256 = Digest::tagged(LAWPACK_FILE_TAG, &canonical.bytes);
        file_digests.insert(path.clone(), sha256);
        documents.push(LawDocument {
            path: path.clone(),
            title: title.clone(),
            sha256,
            fragments: canonical.fragments,
        });
    }
    if let Some(listed) = titles.keys().find(|listed| !files.contains_key(*listed)) {
        return Err(PackError::MissingFile {
            path: listed.clone(),
            kind: PackKind::Lawpack,
        });
    }
    let digest = lawpack_digest(&file_digests)?;
    Ok(Lawpack {
        manifest,
        documents,
        file_digests,
        digest,
    })
}

/// The lawpack digest of per-file digests (see the module docs).
pub fn lawpack_digest(file_digests: &BTreeMap<String, Digest>) -> Result<Digest, PackError> {
    let list = FileList {
        files: file_digests
            .iter()
            .map(|(path, sha256)| FileEntry {
                path,
                sha256: *sha256,
            })
            .collect(),
    };
    let canonical = CanonicalBytes::of(&list).map_err(|error| PackError::Field {
        file: MANIFEST_PATH.to_owned(),
        error: FieldError::Json { error },
    })?;
    Ok(Digest::tagged(LAWPACK_TAG, canonical.as_bytes()))
}

fn canonical_json_digest(value: &Value) -> Result<Digest, PackError> {
    let canonical = CanonicalBytes::new(value).map_err(|error| PackError::Field {
        file: MANIFEST_PATH.to_owned(),
        error: FieldError::Json { error },
    })?;
    Ok(Digest::tagged(LAWPACK_FILE_TAG, canonical.as_bytes()))
}

fn parse_manifest(value: &Value) -> Result<LawpackManifest, FieldError> {
    let fields = as_object(value, "$")?;
    fields.only(&["lawpack_id", "jurisdiction", "name", "version", "as_of"])?;
    let text = |key: &str| {
        as_text(
            fields.required(key)?,
            &fields.child(key),
            LAWPACK_TEXT_BYTES_MAX,
        )
    };
    Ok(LawpackManifest {
        lawpack_id: text("lawpack_id")?,
        jurisdiction: as_id(
            fields.required("jurisdiction")?,
            &fields.child("jurisdiction"),
            JurisdictionId::new,
        )?,
        name: text("name")?,
        version: text("version")?,
        as_of: as_timestamp(fields.required("as_of")?, &fields.child("as_of"))?,
    })
}

/// Path → title for every document the index lists.
fn parse_index(value: &Value) -> Result<BTreeMap<String, String>, FieldError> {
    let fields = as_object(value, "$")?;
    fields.only(&["documents"])?;
    let list_path = fields.child("documents");
    let entries = parse_list(
        fields.required("documents")?,
        &list_path,
        super::PACK_FILES_MAX,
        |item, path| {
            let entry = as_object(item, path)?;
            entry.only(&["path", "title"])?;
            let text = |key: &str| {
                as_text(
                    entry.required(key)?,
                    &entry.child(key),
                    LAWPACK_TEXT_BYTES_MAX,
                )
            };
            Ok::<_, FieldError>((text("path")?, text("title")?))
        },
    )?;
    check_unique(entries.iter().map(|(path, _)| path.as_str()), &list_path)?;
    Ok(entries.into_iter().collect())
}

#[cfg(test)]
mod tests;
