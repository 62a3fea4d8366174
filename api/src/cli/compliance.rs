//! `msez tensor evaluate`, `msez tensor verify-proof` and `msez sanctions check`: the compliance
//! tensor's offline commands (SPEC §10).
//!
//! Never: decides a compliance rule; `msez_protocol::tensor::offline` does. This module reads,
//! calls, prints and maps a failed proof to exit 1.

use std::path::PathBuf;

use msez_protocol::tensor::offline::{
    OfflineError, evaluate_document, sanctions_check, verify_proof_document,
};

use super::input::{Input, InputSource};
use super::keys::now;
use super::{CliError, Output, json_output};

/// `msez tensor evaluate`: one subject's 20 cells, their aggregate, commitment root and proofs.
pub(super) fn evaluate(input: &Input) -> Result<Output, CliError> {
    let output = evaluate_document(&input.bytes, now()?).map_err(|error| offline(input, error))?;
    json_output(&output)
}

/// `msez tensor verify-proof`: prints the proven cell, or exits 1 when the proof fails.
pub(super) fn verify_proof(input: &Input) -> Result<Output, CliError> {
    match verify_proof_document(&input.bytes) {
        Ok(cell) => json_output(&cell),
        Err(OfflineError::Proof(error)) => Err(CliError::CellNotProven { error }),
        Err(error) => Err(offline(input, error)),
    }
}

/// `msez sanctions check NAME --regpack FILE`: the screening report (matches with rule and
/// score). A match is a finding, not a failure: the command exits 0 and the report says so.
pub(super) fn check(name: &str, regpack: &PathBuf) -> Result<Output, CliError> {
    let mut no_stdin = std::io::empty();
    let list = Input::read(InputSource::new(Some(regpack), &mut no_stdin))?;
    let report = sanctions_check(name, &list.bytes).map_err(|error| offline(&list, error))?;
    json_output(&report)
}

fn offline(input: &Input, error: OfflineError) -> CliError {
    CliError::Tensor {
        source_name: input.source_name.clone(),
        error: Box::new(error),
    }
}
