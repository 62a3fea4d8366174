//! `msez chain verify`: replays an exported receipt chain (JSON Lines) offline and prints the
//! state it proves (SPEC §5–7).
//!
//! Never: decides a chain rule; `msez_protocol::export::verify_export` re-runs every acceptance
//! rule. This module only maps its verdict to the exit-code contract.

use msez_protocol::export::{ExportError, verify_export};

use super::input::Input;
use super::keys::now;
use super::{CliError, Output, json_output};

/// `msez chain verify`: prints `{corridor_id, genesis_root, height, head, mmr_root,
/// checkpoint_digest}` as JSON.
pub(super) fn verify(input: &Input) -> Result<Output, CliError> {
    let text = input.text()?;
    let summary = verify_export(text, now()?).map_err(|error| CliError::Chain {
        source_name: input.source_name.clone(),
        error: Box::new(error),
    })?;
    json_output(&summary)
}

/// Whether an export error is a failed verification (exit 1) rather than malformed input
/// (exit 2): the export parsed, but a receipt, the genesis root or the checkpoint breaks a rule.
pub(super) fn is_verification_failure(error: &ExportError) -> bool {
    match error {
        ExportError::GenesisRootMismatch { .. }
        | ExportError::TailHeaderMismatch { .. }
        | ExportError::Append { .. }
        | ExportError::Checkpoint { .. } => true,
        ExportError::Empty
        | ExportError::BlankLine { .. }
        | ExportError::LineTooLong { .. }
        | ExportError::Json { .. }
        | ExportError::Header { .. }
        | ExportError::UnsupportedVersion { .. }
        | ExportError::Policy { .. }
        | ExportError::GenesisCanonical { .. }
        | ExportError::UnknownLineType { .. }
        | ExportError::Receipt { .. }
        | ExportError::CheckpointLine { .. }
        | ExportError::LineAfterCheckpoint { .. }
        | ExportError::Write { .. } => false,
    }
}
