//! A subject's recorded compliance tensor: every cell the zone has determined for one subject,
//! across the jurisdictions it was evaluated in, as one document the store files by digest.
//!
//! Owns [`SubjectTensor`], [`SUBJECT_TENSOR_TYPE`], [`SUBJECT_TENSOR_JURISDICTIONS_MAX`] and
//! [`SubjectTensorError`].
//!
//! Never: evaluates a cell (callers bring cells from [`super::evaluators`]), reads a clock,
//! holds cells of two subjects, or accepts a document it would not write itself (cells out of
//! address order, a cell determined after the document was taken).
//!
//! # Bytes (a compatibility promise)
//! The canonical JSON (SPEC §1) of
//! `{"type":"MSEZSubjectTensor","subject":<id>,"revision":<n>,"taken_at":<time>,"cells":[<cell>...]}`
//! with the cells in address order (the commitment's leaf order), each in the `Cell` form
//! (`address`, `state`, `attestation_digests`, `reason`, `determined_at`). Its digest is the
//! digest of those bytes. The commitment root is not stored: [`SubjectTensor::commitment`]
//! recomputes it from the cells, so a stored root can never disagree with the stored cells.
//!
//! # Recording
//! [`SubjectTensor::record`] folds a new evaluation into the previous document: each new cell
//! replaces the cell at its address, cells of other jurisdictions are kept, `taken_at` never
//! moves backwards, and `revision` counts the records (0 for the first), so no two records of
//! a subject are the same document even when their cells and times agree.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::cell::{Cell, Tensor};
use super::commitment::{CellTree, CommitmentError};
use super::lattice::{ComplianceState, meet_all};
use crate::canonical::{self, CanonError, CanonicalBytes};
use crate::ids::{EntityId, JurisdictionId};
use crate::time::Timestamp;

/// The `type` member of every recorded tensor.
pub const SUBJECT_TENSOR_TYPE: &str = "MSEZSubjectTensor";

/// Most jurisdictions one subject's tensor may span. A trading entity operates in a handful of
/// jurisdictions; 64 covers any real group while one document stays under about 400 KiB
/// (64 × 20 cells of a few hundred bytes), well inside the HTTP and store limits.
pub const SUBJECT_TENSOR_JURISDICTIONS_MAX: usize = 64;

/// Every cell the zone holds for one subject, and when the latest of them was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectTensor {
    subject: EntityId,
    revision: u64,
    taken_at: Timestamp,
    tensor: Tensor,
}

/// Why cells cannot be recorded or a document cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectTensorError {
    /// A cell is about another subject.
    #[error("cells[{cell_index}] is about subject {found}, not {subject}")]
    WrongSubject {
        /// 0-based position of the cell.
        cell_index: usize,
        /// The tensor's subject.
        subject: EntityId,
        /// The cell's subject.
        found: EntityId,
    },
    /// The new record would be taken before the previous one.
    #[error("taken_at {taken_at} is before the previous record's {previous_taken_at}")]
    TakenAtBackwards {
        /// The new time.
        taken_at: Timestamp,
        /// The previous record's time.
        previous_taken_at: Timestamp,
    },
    /// A cell was determined after the record was taken.
    #[error("cells[{cell_index}].determined_at {determined_at} is after taken_at {taken_at}")]
    DeterminedAfterTaken {
        /// 0-based position of the cell.
        cell_index: usize,
        /// The cell's time.
        determined_at: Timestamp,
        /// The record's time.
        taken_at: Timestamp,
    },
    /// More jurisdictions than [`SUBJECT_TENSOR_JURISDICTIONS_MAX`].
    #[error(
        "subject {subject} would span {jurisdiction_count} jurisdictions; the limit is {SUBJECT_TENSOR_JURISDICTIONS_MAX}"
    )]
    TooManyJurisdictions {
        /// The subject.
        subject: EntityId,
        /// Jurisdictions it would span.
        jurisdiction_count: usize,
    },
    /// The subject has been recorded `u64::MAX` times.
    #[error("the revision counter is exhausted")]
    RevisionOverflow,
    /// A stored document's cells are not in strictly ascending address order.
    #[error("cells[{cell_index}] is out of address order or repeats an address")]
    CellOrder {
        /// 0-based position of the first offending cell.
        cell_index: usize,
    },
    /// A stored document's `type` is not [`SUBJECT_TENSOR_TYPE`].
    #[error("type is {found:?}, not {SUBJECT_TENSOR_TYPE}")]
    WrongType {
        /// The `type` found.
        found: String,
    },
    /// A stored document is not canonical JSON, or does not have the document's shape.
    #[error("subject tensor: {reason}")]
    Shape {
        /// The parser's finding, naming the member.
        reason: String,
    },
    /// The document could not be canonicalised.
    #[error(transparent)]
    Canonical(#[from] CanonError),
}

/// The document form (module docs).
#[derive(Serialize)]
struct DocumentOut<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    subject: &'a EntityId,
    revision: u64,
    taken_at: Timestamp,
    cells: Vec<&'a Cell>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentIn {
    #[serde(rename = "type")]
    kind: String,
    subject: EntityId,
    revision: u64,
    taken_at: Timestamp,
    cells: Vec<Cell>,
}

impl SubjectTensor {
    /// Folds `cells` (all about `subject`, none determined after `taken_at`) into `previous`
    /// (the subject's latest record, if any): each cell replaces the one at its address.
    pub fn record(
        subject: &EntityId,
        previous: Option<Self>,
        cells: Vec<Cell>,
        taken_at: Timestamp,
    ) -> Result<Self, SubjectTensorError> {
        check_cells(subject, &cells, taken_at)?;
        let revision = previous
            .as_ref()
            .map_or(Some(0), |previous| previous.revision.checked_add(1))
            .ok_or(SubjectTensorError::RevisionOverflow)?;
        let mut tensor = match previous {
            Some(previous) if &previous.subject != subject => {
                return Err(SubjectTensorError::WrongSubject {
                    cell_index: 0,
                    subject: subject.clone(),
                    found: previous.subject,
                });
            }
            Some(previous) if previous.taken_at > taken_at => {
                return Err(SubjectTensorError::TakenAtBackwards {
                    taken_at,
                    previous_taken_at: previous.taken_at,
                });
            }
            Some(previous) => previous.tensor,
            None => Tensor::new(),
        };
        for cell in cells {
            tensor.insert(cell);
        }
        let recorded = Self {
            subject: subject.clone(),
            revision,
            taken_at,
            tensor,
        };
        recorded.check_jurisdictions()?;
        Ok(recorded)
    }

    /// Reads a stored document, refusing anything [`Self::to_canonical`] would not write.
    pub fn parse(bytes: &[u8]) -> Result<Self, SubjectTensorError> {
        let value = canonical::parse(bytes)?;
        let document: DocumentIn =
            serde_json::from_value(value).map_err(|error| SubjectTensorError::Shape {
                reason: error.to_string(),
            })?;
        if document.kind != SUBJECT_TENSOR_TYPE {
            return Err(SubjectTensorError::WrongType {
                found: document.kind,
            });
        }
        check_cells(&document.subject, &document.cells, document.taken_at)?;
        if let Some(cell_index) = document
            .cells
            .windows(2)
            .position(|pair| pair[0].address >= pair[1].address)
        {
            return Err(SubjectTensorError::CellOrder {
                cell_index: cell_index + 1,
            });
        }
        let mut tensor = Tensor::new();
        for cell in document.cells {
            tensor.insert(cell);
        }
        let parsed = Self {
            subject: document.subject,
            revision: document.revision,
            taken_at: document.taken_at,
            tensor,
        };
        parsed.check_jurisdictions()?;
        Ok(parsed)
    }

    /// The canonical document (module docs); its digest is the record's digest.
    pub fn to_canonical(&self) -> Result<CanonicalBytes, CanonError> {
        CanonicalBytes::of(&DocumentOut {
            kind: SUBJECT_TENSOR_TYPE,
            subject: &self.subject,
            revision: self.revision,
            taken_at: self.taken_at,
            cells: self.tensor.cells().collect(),
        })
    }

    /// The subject.
    pub fn subject(&self) -> &EntityId {
        &self.subject
    }

    /// How many records came before this one.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// When the latest evaluation was recorded.
    pub fn taken_at(&self) -> Timestamp {
        self.taken_at
    }

    /// The cells by address.
    pub fn tensor(&self) -> &Tensor {
        &self.tensor
    }

    /// The jurisdictions the cells span, sorted.
    pub fn jurisdictions(&self) -> BTreeSet<&JurisdictionId> {
        self.tensor
            .cells()
            .map(|cell| &cell.address.jurisdiction)
            .collect()
    }

    /// The meet over every cell held; `pending` when none is (fail closed).
    pub fn aggregate(&self) -> ComplianceState {
        meet_all(self.tensor.cells().map(|cell| cell.state))
    }

    /// The SPEC §10 commitment over every cell held ([`CommitmentError::Empty`] for none).
    pub fn commitment(&self) -> Result<CellTree, CommitmentError> {
        CellTree::build(self.tensor.cells())
    }

    fn check_jurisdictions(&self) -> Result<(), SubjectTensorError> {
        let jurisdiction_count = self.jurisdictions().len();
        if jurisdiction_count > SUBJECT_TENSOR_JURISDICTIONS_MAX {
            return Err(SubjectTensorError::TooManyJurisdictions {
                subject: self.subject.clone(),
                jurisdiction_count,
            });
        }
        Ok(())
    }
}

/// Every cell is about `subject` and was determined no later than `taken_at`.
fn check_cells(
    subject: &EntityId,
    cells: &[Cell],
    taken_at: Timestamp,
) -> Result<(), SubjectTensorError> {
    for (cell_index, cell) in cells.iter().enumerate() {
        if &cell.address.subject != subject {
            return Err(SubjectTensorError::WrongSubject {
                cell_index,
                subject: subject.clone(),
                found: cell.address.subject.clone(),
            });
        }
        if cell.determined_at > taken_at {
            return Err(SubjectTensorError::DeterminedAfterTaken {
                cell_index,
                determined_at: cell.determined_at,
                taken_at,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
