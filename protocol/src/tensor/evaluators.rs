//! Evaluators: a subject's evidence in, one cell per domain out (SPEC §10).
//!
//! Owns the input [`SubjectRecord`] (with [`SubjectFacts`]), the [`EvaluationContext`] (the
//! sanctions index, licence registry and screening thresholds the zone evaluates against),
//! [`evaluate_subject`] and [`EvaluationError`].
//!
//! Every domain combines its sources by meet; a domain with no source at all is `pending`
//! (reason `missing_evidence`). The sources:
//! - every domain: the subject's [`Attestation`]s for that domain that apply to the
//!   jurisdiction. A valid one contributes its attested state; an expired one (`expires_at <=
//!   now`) contributes `non_compliant`; one not yet valid (`now < issued_at`) contributes
//!   `pending`. KYC, AML and the 15 domains without a rule engine have only this source.
//! - sanctions: screening of the subject's names and identifiers against the sanctions index:
//!   a confirmed match (identifier, exact name) is `non_compliant`, a potential match (token
//!   Jaccard, substring) is `pending` until reviewed, no match is `compliant`. The list's digest
//!   joins the cell's evidence digests. Skipped when there is no list or nothing to screen.
//! - licensing: the subject's licences in the jurisdiction (see [`LicenceRegistry::finding`]);
//!   the registry's digest joins the evidence digests. Skipped when it holds none there.
//! - tax: filer status: filer is `compliant`, late filer `pending` (not on the active taxpayers
//!   list until the surcharge is paid), non-filer `non_compliant`.
//!
//! Never: reads a clock, or lets input order change a result.

use serde::Deserialize;

use super::cell::{Attestation, DomainCell, Finding, Reason, SubjectEvaluation};
use super::lattice::ComplianceState;
use super::licensing::LicenceRegistry;
use super::sanctions::{SanctionsError, SanctionsIdentifier, SanctionsIndex, ScreeningConfig};
use super::{DOMAIN_COUNT, Domain};
use crate::digest::Digest;
use crate::ids::{EntityId, JurisdictionId};
use crate::tax::FilerStatus;
use crate::time::Timestamp;

/// Most attestations evaluated for one subject. A subject has a handful per domain; 256
/// (about 13 per domain) bounds one evaluation's work.
pub const ATTESTATIONS_PER_SUBJECT_MAX: usize = 256;

/// Everything known about one subject in one jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectRecord {
    /// The subject.
    pub subject: EntityId,
    /// The jurisdiction whose rules apply.
    pub jurisdiction: JurisdictionId,
    /// Verified attestations about the subject.
    #[serde(default)]
    pub attestations: Vec<Attestation>,
    /// Facts the rule-based evaluators read.
    #[serde(default)]
    pub facts: SubjectFacts,
}

/// Facts about a subject (from Mass or the zone's registry), not attestations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubjectFacts {
    /// Legal name and aliases, screened against the sanctions list.
    #[serde(default)]
    pub names: Vec<String>,
    /// Identity documents and registration numbers, screened against the sanctions list.
    #[serde(default)]
    pub identifiers: Vec<SanctionsIdentifier>,
    /// Tax filer status, when known.
    #[serde(default)]
    pub filer_status: Option<FilerStatus>,
}

/// What the zone evaluates against.
#[derive(Debug, Clone, Copy)]
pub struct EvaluationContext<'a> {
    /// The current sanctions list, if the zone has one.
    pub sanctions: Option<&'a SanctionsIndex>,
    /// The current licence registry, if the zone has one.
    pub licences: Option<&'a LicenceRegistry>,
    /// Screening thresholds.
    pub screening: ScreeningConfig,
}

/// Why a subject could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    /// More attestations than [`ATTESTATIONS_PER_SUBJECT_MAX`].
    #[error(
        "subject {subject} has {attestation_count} attestations; the limit is {ATTESTATIONS_PER_SUBJECT_MAX}"
    )]
    TooManyAttestations {
        /// The subject.
        subject: EntityId,
        /// Attestations received.
        attestation_count: usize,
    },
    /// The subject's names or identifiers could not be screened.
    #[error("facts of subject {subject} cannot be screened: {source}")]
    Screening {
        /// The subject.
        subject: EntityId,
        /// The screening error.
        source: SanctionsError,
    },
}

/// Evaluates all 20 domains of one subject in its jurisdiction at `now`.
pub fn evaluate_subject(
    record: &SubjectRecord,
    context: &EvaluationContext<'_>,
    now: Timestamp,
) -> Result<SubjectEvaluation, EvaluationError> {
    if record.attestations.len() > ATTESTATIONS_PER_SUBJECT_MAX {
        return Err(EvaluationError::TooManyAttestations {
            subject: record.subject.clone(),
            attestation_count: record.attestations.len(),
        });
    }
    let mut findings: [Option<Finding>; DOMAIN_COUNT] = Default::default();
    // (domain index, digest) for every source with evidence; grouped and sorted below.
    let mut evidence: Vec<(usize, Digest)> = Vec::with_capacity(record.attestations.len() + 2);
    let mut add = |domain: Domain, finding: Finding, digest: Option<Digest>| {
        if let Some(slot) = findings.get_mut(domain.index()) {
            *slot = Some(match slot.take() {
                Some(current) => current.meet(finding),
                None => finding,
            });
        }
        evidence.extend(digest.map(|digest| (domain.index(), digest)));
    };
    for attestation in &record.attestations {
        let applies = attestation
            .jurisdiction
            .as_ref()
            .is_none_or(|jurisdiction| jurisdiction == &record.jurisdiction);
        if applies {
            add(
                attestation.domain,
                attestation_finding(attestation, now),
                Some(attestation.digest),
            );
        }
    }
    if let Some((finding, digest)) = sanctions_finding(record, context)? {
        add(Domain::Sanctions, finding, Some(digest));
    }
    if let Some(registry) = context.licences
        && let Some(finding) = registry.finding(&record.subject, &record.jurisdiction, now)
    {
        add(Domain::Licensing, finding, Some(registry.digest()));
    }
    if let Some(filer_status) = record.facts.filer_status {
        add(Domain::Tax, filer_finding(filer_status), None);
    }
    evidence.sort_unstable();
    evidence.dedup();
    let mut start = 0;
    let mut domain_index = 0;
    let cells = findings.map(|finding| {
        let length = evidence.get(start..).map_or(0, |rest| {
            rest.iter().take_while(|(d, _)| *d == domain_index).count()
        });
        let range = start..start + length;
        start += length;
        domain_index += 1;
        let finding = finding.unwrap_or(Finding {
            state: ComplianceState::Pending,
            reason: Reason::MissingEvidence,
        });
        DomainCell::new(finding.state, finding.reason, range)
    });
    Ok(SubjectEvaluation::new(
        record.subject.clone(),
        record.jurisdiction.clone(),
        now,
        cells,
        evidence.into_iter().map(|(_, digest)| digest).collect(),
    ))
}

/// What one attestation says at `now`.
pub fn attestation_finding(attestation: &Attestation, now: Timestamp) -> Finding {
    let digest = attestation.digest;
    if attestation.expires_at.is_some_and(|expiry| expiry <= now) {
        return Finding {
            state: ComplianceState::NonCompliant,
            reason: Reason::AttestationExpired { digest },
        };
    }
    if now < attestation.issued_at {
        return Finding {
            state: ComplianceState::Pending,
            reason: Reason::AttestationNotYetValid { digest },
        };
    }
    Finding {
        state: attestation.state,
        reason: Reason::Attested { digest },
    }
}

/// What filer status says about the tax domain.
pub fn filer_finding(filer_status: FilerStatus) -> Finding {
    let state = match filer_status {
        FilerStatus::Filer => ComplianceState::Compliant,
        FilerStatus::LateFiler => ComplianceState::Pending,
        FilerStatus::NonFiler => ComplianceState::NonCompliant,
    };
    Finding {
        state,
        reason: Reason::FilerStatus { filer_status },
    }
}

/// Screens the subject when there is a list and something to screen.
fn sanctions_finding(
    record: &SubjectRecord,
    context: &EvaluationContext<'_>,
) -> Result<Option<(Finding, Digest)>, EvaluationError> {
    let Some(index) = context.sanctions else {
        return Ok(None);
    };
    let facts = &record.facts;
    if facts.names.is_empty() && facts.identifiers.is_empty() {
        return Ok(None);
    }
    let report = index
        .screen(&facts.names, &facts.identifiers, context.screening)
        .map_err(|source| EvaluationError::Screening {
            subject: record.subject.clone(),
            source,
        })?;
    let entry_count = report.matches.len() as u64;
    let score_bps = report
        .matches
        .iter()
        .map(|m| m.score_bps)
        .max()
        .unwrap_or(0);
    let finding = if report.has_confirmed_match() {
        Finding {
            state: ComplianceState::NonCompliant,
            reason: Reason::SanctionsMatch {
                entry_count,
                score_bps,
            },
        }
    } else if entry_count > 0 {
        Finding {
            state: ComplianceState::Pending,
            reason: Reason::SanctionsPotentialMatch {
                entry_count,
                score_bps,
            },
        }
    } else {
        Finding {
            state: ComplianceState::Compliant,
            reason: Reason::SanctionsClear {
                entries_screened: report.entries_screened,
            },
        }
    };
    Ok(Some((finding, report.list_digest)))
}

#[cfg(test)]
mod tests;
