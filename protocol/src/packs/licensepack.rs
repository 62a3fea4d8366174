//! Licensepacks: licence types, holders and licences with their status history, so that "was
//! this licence good on that date" has one answer anyone can recompute.
//!
//! Owns [`Licensepack`], [`LicenceType`], [`LicenceHolder`], [`Licence`], [`LicenceStatus`],
//! [`LicenceStanding`] and [`parse_licensepack`].
//!
//! Never: reads a clock; the date is always an argument of [`Licensepack::standing_at`].
//!
//! Digest: `SHA-256("msez.licensepack.v1" || 0x00 || JCS(document))`.
//!
//! Status by date: before `issued_at` a licence is not yet valid; at or after `expires_at` it
//! is expired (whatever its history says); otherwise its status is the last history entry whose
//! `effective_at` is at or before the date (history is strictly increasing in time and starts
//! at or after `issued_at`; before its first entry the licence is active).

use serde::Serialize;
use serde_json::Value;

use super::{PackError, PackFiles, PackKind, digest_document, parse_domains, single_file};
use crate::digest::{Digest, DomainTag};
use crate::fields::{
    FieldError, Fields, as_i64_in, as_id, as_object, as_timestamp, check_unique, index_path,
    parse_list, word_enum,
};
use crate::ids::{EntityId, JurisdictionId};
use crate::tensor::Domain;
use crate::time::Timestamp;

/// The conventional file name of a licensepack (any name is accepted; the `type` decides).
pub const LICENSEPACK_PATH: &str = "licensepack.json";
/// The `type` of a licensepack document.
pub const LICENSEPACK_TYPE: &str = "MSEZLicensepack";
/// Tag of the licensepack digest.
pub const LICENSEPACK_TAG: DomainTag = DomainTag::new("msez.licensepack.v1");
/// The most items in one list (types, holders, licences). A zone registry holds tens of
/// thousands of licences; 1,000,000 bounds memory.
pub const LICENSEPACK_LIST_MAX: usize = 1_000_000;
/// The most status changes one licence may record.
pub const STATUS_HISTORY_MAX: usize = 1_000;
/// The longest text field, in bytes.
pub const LICENSEPACK_TEXT_BYTES_MAX: usize = 1024;

word_enum! {
    /// A status a regulator records.
    LicenceStatus {
        /// In force.
        Active = "active",
        /// Temporarily not in force.
        Suspended = "suspended",
        /// Withdrawn by the regulator.
        Revoked = "revoked",
        /// Given up by the holder.
        Surrendered = "surrendered",
    }
}

/// A licence's standing on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LicenceStanding {
    /// Before `issued_at`.
    NotYetValid,
    /// At or after `expires_at`.
    Expired,
    /// The recorded status in force.
    Recorded(LicenceStatus),
}

/// A kind of licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenceType {
    /// Id.
    pub licence_type_id: String,
    /// Name.
    pub name: String,
    /// The issuing regulator's id.
    pub regulator_id: String,
    /// Domains the licence covers.
    pub domains: Vec<Domain>,
}

/// A licence holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LicenceHolder {
    /// The entity (as Mass knows it).
    pub holder_id: EntityId,
    /// Name.
    pub name: String,
}

/// One status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    /// The new status.
    pub status: LicenceStatus,
    /// From when.
    pub effective_at: Timestamp,
}

/// A licence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Licence {
    /// Id.
    pub licence_id: String,
    /// Its type (listed in the same pack).
    pub licence_type_id: String,
    /// Its holder (listed in the same pack).
    pub holder_id: EntityId,
    /// Start of validity.
    pub issued_at: Timestamp,
    /// End of validity (exclusive), if any.
    pub expires_at: Option<Timestamp>,
    /// Status changes, strictly increasing in time.
    pub status_history: Vec<StatusChange>,
}

/// A parsed licensepack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Licensepack {
    /// Id.
    pub licensepack_id: String,
    /// The jurisdiction.
    pub jurisdiction: JurisdictionId,
    /// Release number.
    pub sequence: u64,
    /// When released.
    pub issued_at: Timestamp,
    /// Licence types.
    pub licence_types: Vec<LicenceType>,
    /// Holders.
    pub holders: Vec<LicenceHolder>,
    /// Licences.
    pub licences: Vec<Licence>,
    digest: Digest,
}

impl Licence {
    /// This licence's standing at `at` (see the module docs).
    pub fn standing_at(&self, at: Timestamp) -> LicenceStanding {
        if at < self.issued_at {
            return LicenceStanding::NotYetValid;
        }
        if self.expires_at.is_some_and(|expires_at| expires_at <= at) {
            return LicenceStanding::Expired;
        }
        let status = self
            .status_history
            .iter()
            .take_while(|change| change.effective_at <= at)
            .last()
            .map_or(LicenceStatus::Active, |change| change.status);
        LicenceStanding::Recorded(status)
    }
}

impl Licensepack {
    /// The licensepack digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The standing of licence `licence_id` at `at`, or `None` if the pack has no such licence.
    pub fn standing_at(&self, licence_id: &str, at: Timestamp) -> Option<LicenceStanding> {
        self.licences
            .iter()
            .find(|licence| licence.licence_id == licence_id)
            .map(|licence| licence.standing_at(at))
    }

    /// The licences held by `holder_id`.
    pub fn licences_of<'a>(&'a self, holder_id: &'a EntityId) -> impl Iterator<Item = &'a Licence> {
        self.licences
            .iter()
            .filter(move |licence| &licence.holder_id == holder_id)
    }
}

/// Parses a licensepack given as files (exactly one file).
pub fn parse_licensepack_files(files: &PackFiles) -> Result<Licensepack, PackError> {
    parse_licensepack(single_file(files, PackKind::Licensepack)?)
}

/// Parses and digests one licensepack document.
pub fn parse_licensepack(input: &[u8]) -> Result<Licensepack, PackError> {
    let (value, digest) = digest_document(input, LICENSEPACK_PATH, LICENSEPACK_TAG)?;
    parse_document(&value, digest).map_err(|error| PackError::Field {
        file: LICENSEPACK_PATH.to_owned(),
        error,
    })
}

fn text(fields: &Fields<'_>, key: &str) -> Result<String, FieldError> {
    fields.text(key, LICENSEPACK_TEXT_BYTES_MAX)
}

fn parse_document(value: &Value, digest: Digest) -> Result<Licensepack, FieldError> {
    let fields = as_object(value, "$")?;
    fields.only(&[
        "type",
        "licensepack_id",
        "jurisdiction",
        "sequence",
        "issued_at",
        "licence_types",
        "holders",
        "licences",
    ])?;
    fields.expect_type(LICENSEPACK_TYPE)?;
    let types_path = fields.child("licence_types");
    let licence_types = parse_list(
        fields.required("licence_types")?,
        &types_path,
        LICENSEPACK_LIST_MAX,
        parse_type,
    )?;
    check_unique(
        licence_types.iter().map(|t| t.licence_type_id.as_str()),
        &types_path,
    )?;
    let holders_path = fields.child("holders");
    let holders = parse_list(
        fields.required("holders")?,
        &holders_path,
        LICENSEPACK_LIST_MAX,
        |item, path| {
            let holder = as_object(item, path)?;
            holder.only(&["holder_id", "name"])?;
            Ok::<_, FieldError>(LicenceHolder {
                holder_id: as_id(
                    holder.required("holder_id")?,
                    &holder.child("holder_id"),
                    EntityId::new,
                )?,
                name: text(&holder, "name")?,
            })
        },
    )?;
    check_unique(holders.iter().map(|h| h.holder_id.as_str()), &holders_path)?;
    let licences_path = fields.child("licences");
    let licences = parse_list(
        fields.required("licences")?,
        &licences_path,
        LICENSEPACK_LIST_MAX,
        |item, path| parse_licence(item, path, &licence_types, &holders),
    )?;
    check_unique(
        licences.iter().map(|l| l.licence_id.as_str()),
        &licences_path,
    )?;
    let sequence = as_i64_in(
        fields.required("sequence")?,
        &fields.child("sequence"),
        0,
        i64::MAX,
    )?;
    Ok(Licensepack {
        licensepack_id: text(&fields, "licensepack_id")?,
        jurisdiction: as_id(
            fields.required("jurisdiction")?,
            &fields.child("jurisdiction"),
            JurisdictionId::new,
        )?,
        sequence: u64::try_from(sequence).unwrap_or_default(),
        issued_at: as_timestamp(fields.required("issued_at")?, &fields.child("issued_at"))?,
        licence_types,
        holders,
        licences,
        digest,
    })
}

fn parse_type(value: &Value, path: &str) -> Result<LicenceType, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["licence_type_id", "name", "regulator_id", "domains"])?;
    let domains = parse_domains(&fields, "domains")?;
    Ok(LicenceType {
        licence_type_id: text(&fields, "licence_type_id")?,
        name: text(&fields, "name")?,
        regulator_id: text(&fields, "regulator_id")?,
        domains,
    })
}

fn parse_licence(
    value: &Value,
    path: &str,
    licence_types: &[LicenceType],
    holders: &[LicenceHolder],
) -> Result<Licence, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&[
        "licence_id",
        "licence_type_id",
        "holder_id",
        "issued_at",
        "expires_at",
        "status_history",
    ])?;
    let licence_type_id = text(&fields, "licence_type_id")?;
    if !licence_types
        .iter()
        .any(|t| t.licence_type_id == licence_type_id)
    {
        return Err(FieldError::UnknownWord {
            path: fields.child("licence_type_id"),
            value: licence_type_id,
            allowed: "a licence_type_id of this pack".to_owned(),
        });
    }
    let holder_id = as_id(
        fields.required("holder_id")?,
        &fields.child("holder_id"),
        EntityId::new,
    )?;
    if !holders.iter().any(|h| h.holder_id == holder_id) {
        return Err(FieldError::UnknownWord {
            path: fields.child("holder_id"),
            value: holder_id.to_string(),
            allowed: "a holder_id of this pack".to_owned(),
        });
    }
    let issued_at = as_timestamp(fields.required("issued_at")?, &fields.child("issued_at"))?;
    let expires_at = fields
        .optional("expires_at")
        .map(|v| as_timestamp(v, &fields.child("expires_at")))
        .transpose()?;
    let history_path = fields.child("status_history");
    let status_history = parse_list(
        fields.required("status_history")?,
        &history_path,
        STATUS_HISTORY_MAX,
        |item, item_path| {
            let change = as_object(item, item_path)?;
            change.only(&["status", "effective_at"])?;
            Ok::<_, FieldError>(StatusChange {
                status: LicenceStatus::parse_word(
                    change.required("status")?,
                    &change.child("status"),
                )?,
                effective_at: as_timestamp(
                    change.required("effective_at")?,
                    &change.child("effective_at"),
                )?,
            })
        },
    )?;
    // History must be strictly increasing and start no earlier than issue.
    let mut previous = None;
    for (index, change) in status_history.iter().enumerate() {
        let too_early = change.effective_at < issued_at;
        let not_increasing = previous.is_some_and(|p| change.effective_at <= p);
        if too_early || not_increasing {
            return Err(FieldError::OutOfRange {
                path: format!("{}.effective_at", index_path(&history_path, index)),
                value: change.effective_at.unix_seconds(),
                min: previous.unwrap_or(issued_at).unix_seconds(),
                max: i64::MAX,
            });
        }
        previous = Some(change.effective_at);
    }
    Ok(Licence {
        licence_id: text(&fields, "licence_id")?,
        licence_type_id,
        holder_id,
        issued_at,
        expires_at,
        status_history,
    })
}

#[cfg(test)]
mod tests;
