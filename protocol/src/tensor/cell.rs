//! Cells of the compliance tensor (SPEC §10) and the evidence they record.
//!
//! Owns [`CellAddress`] (subject, jurisdiction, domain), [`Cell`] (state, attestation digests,
//! reason, time of determination), [`Attestation`] (a verified credential reduced to what the
//! tensor needs), [`Reason`], the compact per-subject result [`SubjectEvaluation`] and the
//! [`Tensor`] that holds cells by address.
//!
//! Never: verifies credentials (the caller verified the credential an [`Attestation`] stands for
//! and passes its digest), or answers `compliant` for a cell it does not hold: a missing cell
//! reads as `pending`.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::lattice::ComplianceState;
use super::{DOMAIN_COUNT, Domain};
use crate::digest::Digest;
use crate::ids::{EntityId, JurisdictionId};
use crate::time::Timestamp;

/// Where a cell sits. The derived order (subject, then jurisdiction, both by bytes, then domain
/// in SPEC §10 order) is the order of leaves in a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CellAddress {
    /// The entity the cell is about.
    pub subject: EntityId,
    /// The jurisdiction whose rules were applied.
    pub jurisdiction: JurisdictionId,
    /// The regulatory domain.
    pub domain: Domain,
}

/// One determination: the state of a (subject, jurisdiction, domain), the evidence, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cell {
    /// Where the cell sits.
    pub address: CellAddress,
    /// The determined state.
    pub state: ComplianceState,
    /// Digests of the evidence used (attestations, the sanctions list snapshot, the licence
    /// registry snapshot), sorted ascending without duplicates.
    pub attestation_digests: Vec<Digest>,
    /// The cause of the state: the worst finding among the sources.
    pub reason: Reason,
    /// When the determination was made (the `now` the evaluator was given).
    pub determined_at: Timestamp,
}

/// A verified credential, reduced to what a cell needs. The attesting credential (a KYC
/// verification, an AML screening, a compliance attestation) is verified by the caller; `digest`
/// is that credential's document digest, so the commitment names the exact evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// Digest of the attesting credential.
    pub digest: Digest,
    /// The domain it attests to.
    pub domain: Domain,
    /// The jurisdiction it is limited to; absent means every jurisdiction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<JurisdictionId>,
    /// The state the credential attests.
    pub state: ComplianceState,
    /// Start of validity.
    pub issued_at: Timestamp,
    /// End of validity (exclusive); absent means no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
}

/// Why a cell has its state. Variants are ordered so that, between two findings of the same
/// state, the smaller reason is kept: the result never depends on input order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reason {
    /// No evidence at all for this domain: fail closed.
    MissingEvidence,
    /// An attestation's validity ended at or before `now`.
    AttestationExpired {
        /// The expired attestation.
        digest: Digest,
    },
    /// An attestation's validity starts after `now`; it is not yet evidence.
    AttestationNotYetValid {
        /// The attestation.
        digest: Digest,
    },
    /// A valid attestation states this cell's state.
    Attested {
        /// The attestation.
        digest: Digest,
    },
    /// Screening found an exact name or identifier match.
    SanctionsMatch {
        /// Matched entries.
        entry_count: u64,
        /// Best score, basis points.
        score_bps: u32,
    },
    /// Screening found a fuzzy match (token similarity or substring) that needs review.
    SanctionsPotentialMatch {
        /// Matched entries.
        entry_count: u64,
        /// Best score, basis points.
        score_bps: u32,
    },
    /// Screening of every name and identifier found nothing.
    SanctionsClear {
        /// Entries in the list screened against.
        entries_screened: u64,
    },
    /// The subject holds a licence that is suspended or revoked.
    LicenceNotActive {
        /// The licence.
        licence_id: String,
    },
    /// The subject's licence validity ended at or before `now`.
    LicenceExpired {
        /// The licence.
        licence_id: String,
    },
    /// The subject's licence starts after `now`.
    LicenceNotYetValid {
        /// The licence.
        licence_id: String,
    },
    /// Every licence the subject holds in this jurisdiction is active and in date.
    LicenceActive {
        /// Licences checked.
        licence_count: u64,
    },
    /// The subject's filer status decided the tax cell.
    FilerStatus {
        /// The status.
        filer_status: crate::tax::FilerStatus,
    },
}

/// A finding: a state and its cause. Combining findings keeps the worse state; between equal
/// states, the smaller reason (see [`Reason`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// The state.
    pub state: ComplianceState,
    /// The cause.
    pub reason: Reason,
}

impl Finding {
    /// The worse of two findings; order-independent.
    pub fn meet(self, other: Self) -> Self {
        self.min(other)
    }
}

/// The cell of one domain inside a [`SubjectEvaluation`]; its address is implied and its
/// evidence digests live in the evaluation ([`SubjectEvaluation::attestation_digests`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCell {
    /// The determined state.
    pub state: ComplianceState,
    /// The cause of the state.
    pub reason: Reason,
    /// This cell's slice of the evaluation's evidence vector.
    evidence: Range<usize>,
}

impl DomainCell {
    /// A cell whose evidence is `evidence` of the evaluation's digests.
    pub(crate) fn new(state: ComplianceState, reason: Reason, evidence: Range<usize>) -> Self {
        Self {
            state,
            reason,
            evidence,
        }
    }
}

/// All 20 cells of one subject in one jurisdiction, determined at one instant. The compact
/// result of evaluation: the address parts are held once, not 20 times, and the evidence
/// digests of all cells share one vector (one allocation instead of one per cell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectEvaluation {
    /// The subject.
    pub subject: EntityId,
    /// The jurisdiction.
    pub jurisdiction: JurisdictionId,
    /// When the evaluation ran.
    pub determined_at: Timestamp,
    /// One cell per domain, indexed by [`Domain::index`].
    cells: [DomainCell; DOMAIN_COUNT],
    /// Every cell's evidence digests: grouped by domain, each group sorted without duplicates.
    evidence: Vec<Digest>,
}

impl SubjectEvaluation {
    /// Assembles an evaluation; `evidence` ranges of `cells` index into `evidence`.
    pub(crate) fn new(
        subject: EntityId,
        jurisdiction: JurisdictionId,
        determined_at: Timestamp,
        cells: [DomainCell; DOMAIN_COUNT],
        evidence: Vec<Digest>,
    ) -> Self {
        debug_assert!(cells.iter().all(|cell| cell.evidence.end <= evidence.len()));
        Self {
            subject,
            jurisdiction,
            determined_at,
            cells,
            evidence,
        }
    }

    /// The cell of one domain.
    pub fn cell(&self, domain: Domain) -> Option<&DomainCell> {
        self.cells.get(domain.index())
    }

    /// The evidence digests of one domain's cell, sorted ascending without duplicates.
    pub fn attestation_digests(&self, domain: Domain) -> &[Digest] {
        self.cell(domain)
            .and_then(|cell| self.evidence.get(cell.evidence.clone()))
            .unwrap_or(&[])
    }

    /// The meet over every domain (what a gate requiring all 20 would see).
    pub fn aggregate(&self) -> ComplianceState {
        super::lattice::meet_all(self.cells.iter().map(|cell| cell.state))
    }

    /// The 20 fully addressed cells, in address order.
    pub fn into_cells(self) -> Vec<Cell> {
        Domain::ALL
            .into_iter()
            .zip(&self.cells)
            .map(|(domain, cell)| Cell {
                address: CellAddress {
                    subject: self.subject.clone(),
                    jurisdiction: self.jurisdiction.clone(),
                    domain,
                },
                state: cell.state,
                attestation_digests: self.attestation_digests(domain).to_vec(),
                reason: cell.reason.clone(),
                determined_at: self.determined_at,
            })
            .collect()
    }
}

/// Cells by address. Reading an absent cell gives `pending`; aggregating nothing gives
/// `pending`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tensor {
    cells: BTreeMap<CellAddress, Cell>,
}

impl Tensor {
    /// An empty tensor.
    pub fn new() -> Self {
        Self::default()
    }

    /// Inserts or replaces a cell; returns the cell it replaced.
    pub fn insert(&mut self, cell: Cell) -> Option<Cell> {
        self.cells.insert(cell.address.clone(), cell)
    }

    /// Inserts the 20 cells of an evaluation, replacing older determinations.
    pub fn insert_evaluation(&mut self, evaluation: SubjectEvaluation) {
        for cell in evaluation.into_cells() {
            self.insert(cell);
        }
    }

    /// The cell at an address, if determined.
    pub fn get(&self, address: &CellAddress) -> Option<&Cell> {
        self.cells.get(address)
    }

    /// The state at an address; `pending` when no cell is held (fail closed).
    pub fn state(&self, address: &CellAddress) -> ComplianceState {
        self.get(address)
            .map_or(ComplianceState::Pending, |cell| cell.state)
    }

    /// The meet over the given addresses; `pending` for none (fail closed).
    pub fn aggregate<'a>(
        &self,
        addresses: impl IntoIterator<Item = &'a CellAddress>,
    ) -> ComplianceState {
        super::lattice::meet_all(addresses.into_iter().map(|address| self.state(address)))
    }

    /// Every cell, in address order (the commitment's leaf order).
    pub fn cells(&self) -> impl ExactSizeIterator<Item = &Cell> {
        self.cells.values()
    }

    /// Number of cells held.
    pub fn cell_count(&self) -> usize {
        self.cells.len()
    }
}

#[cfg(test)]
mod tests;
