//! Regpacks: what regulators publish and change often (sanctions snapshot, regulators,
//! reporting requirements, compliance deadlines, withholding-rate tables), one JSON document per
//! release, each chained to the previous release by digest.
//!
//! Owns [`Regpack`] and its own parts ([`Regulator`], [`ReportingRequirement`],
//! [`ComplianceDeadline`]), [`parse_regpack`] and [`verify_regpack_chain`]. The sanctions
//! snapshot and the withholding-rate table are read into exactly the types the evaluators take
//! ([`SanctionsList`] by `tensor::sanctions::parse_sanctions_list`, [`WithholdingRateTable`] by
//! `tax::parse_rate_table`): one shape and one parser each.
//!
//! Never: evaluates anything (screening and withholding live with the tensor and tax modules).
//!
//! Digest: `SHA-256("msez.regpack.v1" || 0x00 || JCS(document))`. A release with `sequence` n > 0
//! carries `previous_digest`, the digest of release n − 1 of the same `regpack_id`; release 0
//! carries `null`.
//!
//! Shapes (all rates are integer basis points):
//! - `sanctions`: `{snapshot_id, as_of, entries:[{entry_id, kind: individual|entity|vessel|
//!   aircraft, names:[primary, alias…], identifiers?:[{kind, value}], programs?:[…]}]}`;
//! - `withholding_rates`: `[{category, section, filer_rate_bps, late_filer_rate_bps,
//!   non_filer_rate_bps}]` (a `tax::WithholdingCategory` word such as `goods`, the statutory
//!   section such as `153(1)(a)`), for the regpack's jurisdiction.

use serde::Serialize;
use serde_json::Value;

use super::{PackError, PackFiles, PackKind, digest_document, parse_domains, single_file};
use crate::digest::{Digest, DomainTag};
use crate::fields::{
    FieldError, Fields, as_digest, as_i64_in, as_id, as_object, as_timestamp, check_unique,
    parse_list, word_enum,
};
use crate::ids::JurisdictionId;
use crate::tax::{WithholdingRateTable, parse_rate_table};
use crate::tensor::Domain;
use crate::tensor::sanctions::{SanctionsList, parse_sanctions_list};
use crate::time::Timestamp;

/// The conventional file name of a regpack (any name is accepted; the `type` decides).
pub const REGPACK_PATH: &str = "regpack.json";
/// The `type` of a regpack document.
pub const REGPACK_TYPE: &str = "MSEZRegpack";
/// Tag of the regpack digest.
pub const REGPACK_TAG: DomainTag = DomainTag::new("msez.regpack.v1");
/// The most items in a regpack list of its own (regulators, requirements, deadlines); the
/// sanctions and rate sections have the bounds of their own modules.
pub const REGPACK_LIST_MAX: usize = 10_000;
/// The longest text field, in bytes.
pub const REGPACK_TEXT_BYTES_MAX: usize = 2048;

word_enum! {
    /// How often a report is due.
    ReportingFrequency {
        /// Per event (a suspicious transaction report).
        Event = "event",
        /// Daily.
        Daily = "daily",
        /// Weekly.
        Weekly = "weekly",
        /// Monthly.
        Monthly = "monthly",
        /// Quarterly.
        Quarterly = "quarterly",
        /// Annually.
        Annual = "annual",
    }
}

/// A regulator and the domains it supervises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regulator {
    /// Id (`secp`, `sbp`, `fbr`).
    pub regulator_id: String,
    /// Name.
    pub name: String,
    /// Domains supervised.
    pub domains: Vec<Domain>,
}

/// A report a regulator requires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportingRequirement {
    /// Id.
    pub requirement_id: String,
    /// The regulator (must be listed in the same regpack).
    pub regulator_id: String,
    /// The domain.
    pub domain: Domain,
    /// How often.
    pub frequency: ReportingFrequency,
    /// What to report.
    pub description: String,
}

/// A dated compliance obligation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComplianceDeadline {
    /// Id.
    pub deadline_id: String,
    /// The domain.
    pub domain: Domain,
    /// When it is due.
    pub due_at: Timestamp,
    /// What is due.
    pub description: String,
}

/// A parsed regpack release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regpack {
    /// Id of the regpack series.
    pub regpack_id: String,
    /// The jurisdiction.
    pub jurisdiction: JurisdictionId,
    /// Release number: 0, then +1.
    pub sequence: u64,
    /// When released.
    pub issued_at: Timestamp,
    /// Digest of release `sequence − 1`; `None` for release 0.
    pub previous_digest: Option<Digest>,
    /// The sanctions snapshot, as the screening index takes it.
    pub sanctions: SanctionsList,
    /// Regulators.
    pub regulators: Vec<Regulator>,
    /// Reporting requirements.
    pub reporting_requirements: Vec<ReportingRequirement>,
    /// Compliance deadlines.
    pub compliance_deadlines: Vec<ComplianceDeadline>,
    /// Withholding-rate table for `jurisdiction`, as the tax module takes it.
    pub withholding_rates: WithholdingRateTable,
    digest: Digest,
}

impl Regpack {
    /// The regpack digest.
    pub fn digest(&self) -> Digest {
        self.digest
    }
}

/// Parses a regpack given as files (exactly one file).
pub fn parse_regpack_files(files: &PackFiles) -> Result<Regpack, PackError> {
    parse_regpack(single_file(files, PackKind::Regpack)?)
}

/// Parses and digests one regpack document.
pub fn parse_regpack(input: &[u8]) -> Result<Regpack, PackError> {
    let (value, digest) = digest_document(input, REGPACK_PATH, REGPACK_TAG)?;
    parse_document(&value, digest).map_err(|error| PackError::Field {
        file: REGPACK_PATH.to_owned(),
        error,
    })
}

/// Checks that `next` is the release after `previous`: same series and jurisdiction, sequence
/// + 1, `previous_digest` = digest of `previous`, and not issued earlier.
pub fn verify_regpack_chain(previous: &Regpack, next: &Regpack) -> Result<(), PackError> {
    let broken = |field: &'static str, expected: String, found: String| {
        Err(PackError::ChainBroken {
            field,
            expected,
            found,
        })
    };
    if next.regpack_id != previous.regpack_id {
        return broken(
            "regpack_id",
            previous.regpack_id.clone(),
            next.regpack_id.clone(),
        );
    }
    if next.jurisdiction != previous.jurisdiction {
        return broken(
            "jurisdiction",
            previous.jurisdiction.to_string(),
            next.jurisdiction.to_string(),
        );
    }
    if Some(next.sequence) != previous.sequence.checked_add(1) {
        return broken(
            "sequence",
            format!("{} + 1", previous.sequence),
            next.sequence.to_string(),
        );
    }
    if next.previous_digest != Some(previous.digest) {
        let found = next
            .previous_digest
            .map_or("null".to_owned(), |d| d.to_hex());
        return broken("previous_digest", previous.digest.to_hex(), found);
    }
    if next.issued_at < previous.issued_at {
        return broken(
            "issued_at",
            format!(">= {}", previous.issued_at),
            next.issued_at.to_string(),
        );
    }
    Ok(())
}

fn text(fields: &Fields<'_>, key: &str) -> Result<String, FieldError> {
    fields.text(key, REGPACK_TEXT_BYTES_MAX)
}

fn parse_document(value: &Value, digest: Digest) -> Result<Regpack, FieldError> {
    let fields = as_object(value, "$")?;
    fields.only(&[
        "type",
        "regpack_id",
        "jurisdiction",
        "sequence",
        "issued_at",
        "previous_digest",
        "sanctions",
        "regulators",
        "reporting_requirements",
        "compliance_deadlines",
        "withholding_rates",
    ])?;
    fields.expect_type(REGPACK_TYPE)?;
    let sequence = as_i64_in(
        fields.required("sequence")?,
        &fields.child("sequence"),
        0,
        i64::MAX,
    )?;
    let previous_digest = fields
        .optional("previous_digest")
        .map(|v| as_digest(v, &fields.child("previous_digest")))
        .transpose()?;
    if (sequence == 0) != previous_digest.is_none() {
        // Release 0 starts the chain; every later release must name its predecessor.
        return Err(if sequence == 0 {
            FieldError::Unknown {
                path: fields.child("previous_digest"),
            }
        } else {
            FieldError::Missing {
                path: fields.child("previous_digest"),
            }
        });
    }
    let regulators = parse_list(
        fields.required("regulators")?,
        &fields.child("regulators"),
        REGPACK_LIST_MAX,
        parse_regulator,
    )?;
    check_unique(
        regulators.iter().map(|r| r.regulator_id.as_str()),
        &fields.child("regulators"),
    )?;
    let requirements_path = fields.child("reporting_requirements");
    let reporting_requirements = parse_list(
        fields.required("reporting_requirements")?,
        &requirements_path,
        REGPACK_LIST_MAX,
        |item, path| parse_requirement(item, path, &regulators),
    )?;
    let deadlines_path = fields.child("compliance_deadlines");
    let compliance_deadlines = parse_list(
        fields.required("compliance_deadlines")?,
        &deadlines_path,
        REGPACK_LIST_MAX,
        parse_deadline,
    )?;
    check_unique(
        compliance_deadlines.iter().map(|d| d.deadline_id.as_str()),
        &deadlines_path,
    )?;
    let jurisdiction = as_id(
        fields.required("jurisdiction")?,
        &fields.child("jurisdiction"),
        JurisdictionId::new,
    )?;
    let withholding_rates = parse_rate_table(
        fields.required("withholding_rates")?,
        &fields.child("withholding_rates"),
        jurisdiction.clone(),
    )?;
    Ok(Regpack {
        regpack_id: text(&fields, "regpack_id")?,
        jurisdiction,
        sequence: u64::try_from(sequence).unwrap_or_default(),
        issued_at: as_timestamp(fields.required("issued_at")?, &fields.child("issued_at"))?,
        previous_digest,
        sanctions: parse_sanctions_list(fields.required("sanctions")?, &fields.child("sanctions"))?,
        regulators,
        reporting_requirements,
        compliance_deadlines,
        withholding_rates,
        digest,
    })
}

fn parse_regulator(value: &Value, path: &str) -> Result<Regulator, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["regulator_id", "name", "domains"])?;
    Ok(Regulator {
        regulator_id: text(&fields, "regulator_id")?,
        name: text(&fields, "name")?,
        domains: parse_domains(&fields, "domains")?,
    })
}

fn parse_requirement(
    value: &Value,
    path: &str,
    regulators: &[Regulator],
) -> Result<ReportingRequirement, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&[
        "requirement_id",
        "regulator_id",
        "domain",
        "frequency",
        "description",
    ])?;
    let regulator_id = text(&fields, "regulator_id")?;
    if !regulators.iter().any(|r| r.regulator_id == regulator_id) {
        return Err(FieldError::UnknownWord {
            path: fields.child("regulator_id"),
            value: regulator_id,
            allowed: regulators
                .iter()
                .map(|r| r.regulator_id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(ReportingRequirement {
        requirement_id: text(&fields, "requirement_id")?,
        regulator_id,
        domain: Domain::parse_word(fields.required("domain")?, &fields.child("domain"))?,
        frequency: ReportingFrequency::parse_word(
            fields.required("frequency")?,
            &fields.child("frequency"),
        )?,
        description: text(&fields, "description")?,
    })
}

fn parse_deadline(value: &Value, path: &str) -> Result<ComplianceDeadline, FieldError> {
    let fields = as_object(value, path)?;
    fields.only(&["deadline_id", "domain", "due_at", "description"])?;
    Ok(ComplianceDeadline {
        deadline_id: text(&fields, "deadline_id")?,
        domain: Domain::parse_word(fields.required("domain")?, &fields.child("domain"))?,
        due_at: as_timestamp(fields.required("due_at")?, &fields.child("due_at"))?,
        description: text(&fields, "description")?,
    })
}

#[cfg(test)]
mod tests;
