//! Pure functions behind the offline CLI: `msez tensor evaluate [FILE]`,
//! `msez tensor verify-proof [FILE]` and `msez sanctions check NAME --regpack FILE`.
//! The CLI reads the file, supplies `now`, and prints the returned value as JSON.
//!
//! Owns [`evaluate_document`], [`verify_proof_document`], [`sanctions_check`], their input and
//! output shapes ([`EvaluateOutput`], [`VerifyProofInput`]) and
//! [`OfflineError`].
//!
//! Never: reads files or the clock, or accepts a document the strict parser rejects (duplicate
//! keys, fractions, integers beyond ±(2^53−1)).
//!
//! # Shapes
//! - evaluate input: a `SubjectRecord` plus two optional lists: `{"subject", "jurisdiction", "attestations": [{"digest", "domain",
//!   "jurisdiction"?, "state", "issued_at", "expires_at"?}], "facts": {"names": [..],
//!   "identifiers": [{"kind","value"}], "filer_status"?}, "sanctions"?: <a regpack's sanctions
//!   section, `{"snapshot_id", "as_of", "entries": [...]}`>,
//!   "licences"?: {"licences": [...]}}`.
//! - evaluate output: [`EvaluateOutput`]: the 20 cells, the commitment root over them, an
//!   inclusion proof per cell, the aggregate, and the screening report when one ran.
//! - verify-proof input: `{"root": <hex>, "proof": <InclusionProof>}`; output: the proven cell.
//! - sanctions check input: a regpack (`MSEZRegpack`), read by the regpack parser, whose
//!   `sanctions` section is the list screened.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cell::Cell;
use super::commitment::{
    CellTree, CommitmentError, CommittedCell, InclusionProof, ProofError, verify,
};
use super::evaluators::{EvaluationContext, EvaluationError, SubjectRecord, evaluate_subject};
use super::lattice::ComplianceState;
use super::licensing::{LicenceError, LicenceList, LicenceRegistry};
use super::sanctions::{
    SanctionsError, SanctionsIndex, ScreeningConfig, ScreeningReport, parse_sanctions_list,
};
use crate::canonical::{self, CanonError};
use crate::digest::Digest;
use crate::fields::FieldError;
use crate::packs::PackError;
use crate::packs::regpack::parse_regpack;
use crate::time::Timestamp;

/// Output of `msez tensor evaluate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EvaluateOutput {
    /// The meet of all 20 cells.
    pub aggregate: ComplianceState,
    /// Merkle root over the cells (SPEC §10).
    pub commitment_root: Digest,
    /// Leaves under the root (20).
    pub leaf_count: u64,
    /// The cells, in address order.
    pub cells: Vec<Cell>,
    /// One inclusion proof per cell, in the same order.
    pub proofs: Vec<InclusionProof>,
    /// The screening report, when names or identifiers were screened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sanctions_screening: Option<ScreeningReport>,
}

/// Input of `msez tensor verify-proof`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyProofInput {
    /// The root the verifier trusts.
    pub root: Digest,
    /// The proof.
    pub proof: InclusionProof,
}

/// Why an offline command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfflineError {
    /// The document is not strict JSON.
    #[error("{document}: {source}")]
    Json {
        /// Which document (`evaluate input`, `sanctions list`, ...).
        document: &'static str,
        /// The parser's finding.
        source: CanonError,
    },
    /// The document does not have the expected shape; `reason` names the field.
    #[error("{document}: {reason}")]
    Shape {
        /// Which document.
        document: &'static str,
        /// serde's finding (`missing field `subject``, `unknown field ...`).
        reason: String,
    },
    /// A member of the document is wrong; the error names its path.
    #[error("{document}: {error}")]
    Field {
        /// Which document.
        document: &'static str,
        /// The member and why.
        error: FieldError,
    },
    /// The regpack given to `sanctions check` is not a valid regpack.
    #[error("regpack: {0}")]
    Regpack(Box<PackError>),
    /// The sanctions list or the query is not acceptable.
    #[error(transparent)]
    Sanctions(#[from] SanctionsError),
    /// The licence list is not acceptable.
    #[error(transparent)]
    Licences(#[from] LicenceError),
    /// The subject could not be evaluated.
    #[error(transparent)]
    Evaluation(#[from] EvaluationError),
    /// The cells could not be committed to.
    #[error(transparent)]
    Commitment(#[from] CommitmentError),
    /// The proof does not verify.
    #[error(transparent)]
    Proof(#[from] ProofError),
}

fn parse_document<T: DeserializeOwned>(
    document: &'static str,
    value: Value,
) -> Result<T, OfflineError> {
    serde_json::from_value(value).map_err(|error| OfflineError::Shape {
        document,
        reason: error.to_string(),
    })
}

fn strict_json(document: &'static str, input: &[u8]) -> Result<Value, OfflineError> {
    canonical::parse(input).map_err(|source| OfflineError::Json { document, source })
}

/// `msez tensor evaluate`: evaluates one subject at `now` and commits to its 20 cells.
pub fn evaluate_document(input: &[u8], now: Timestamp) -> Result<EvaluateOutput, OfflineError> {
    const DOCUMENT: &str = "evaluate input";
    let mut value = strict_json(DOCUMENT, input)?;
    // The two lists ride beside the subject record; what remains must be exactly a record.
    let (sanctions_value, licences_value) = match value.as_object_mut() {
        Some(object) => (object.remove("sanctions"), object.remove("licences")),
        None => (None, None),
    };
    let record: SubjectRecord = parse_document(DOCUMENT, value)?;
    let sanctions = sanctions_value
        .map(|list| parse_sanctions_list(&list, "$.sanctions"))
        .transpose()
        .map_err(|error| OfflineError::Field {
            document: DOCUMENT,
            error,
        })?
        .map(SanctionsIndex::build)
        .transpose()?;
    let licences = licences_value
        .map(|list| parse_document::<LicenceList>(DOCUMENT, list))
        .transpose()?
        .map(LicenceRegistry::build)
        .transpose()?;
    let context = EvaluationContext {
        sanctions: sanctions.as_ref(),
        licences: licences.as_ref(),
        screening: ScreeningConfig::DEFAULT,
    };
    let evaluation = evaluate_subject(&record, &context, now)?;
    let aggregate = evaluation.aggregate();
    let facts = &record.facts;
    let sanctions_screening = match &sanctions {
        Some(index) if !(facts.names.is_empty() && facts.identifiers.is_empty()) => {
            Some(index.screen(&facts.names, &facts.identifiers, context.screening)?)
        }
        _ => None,
    };
    let cells = evaluation.into_cells();
    let tree = CellTree::build(&cells)?;
    let proofs = cells
        .iter()
        .map(|cell| tree.prove(&cell.address))
        .collect::<Result<Vec<_>, _>>()?;
    let commitment_root = tree.root().ok_or(CommitmentError::Empty)?;
    Ok(EvaluateOutput {
        aggregate,
        commitment_root,
        leaf_count: tree.leaf_count(),
        cells,
        proofs,
        sanctions_screening,
    })
}

/// `msez tensor verify-proof`: verifies a proof against the root given with it; returns the
/// proven cell.
pub fn verify_proof_document(input: &[u8]) -> Result<CommittedCell, OfflineError> {
    const DOCUMENT: &str = "verify-proof input";
    let input: VerifyProofInput = parse_document(DOCUMENT, strict_json(DOCUMENT, input)?)?;
    Ok(verify(&input.proof, &input.root)?.clone())
}

/// `msez sanctions check NAME --regpack FILE`: screens one name against the sanctions list of
/// a regpack (parsed and digested like any regpack, so a malformed pack is refused).
pub fn sanctions_check(
    name: &str,
    regpack_document: &[u8],
) -> Result<ScreeningReport, OfflineError> {
    let regpack =
        parse_regpack(regpack_document).map_err(|error| OfflineError::Regpack(Box::new(error)))?;
    let index = SanctionsIndex::build(regpack.sanctions)?;
    Ok(index.screen(&[name.to_owned()], &[], ScreeningConfig::DEFAULT)?)
}

#[cfg(test)]
mod tests;
