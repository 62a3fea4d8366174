//! `msez netting`, `msez pacs008` and `msez fork resolve`: the corridor domain's offline
//! commands (SPEC §8, §9).
//!
//! Never: decides a netting, settlement or fork rule; `msez_protocol::{netting, iso20022,
//! corridor::fork}` do. This module reads, calls and prints.

use msez_protocol::corridor::fork::fork_resolve_from_json;
use msez_protocol::iso20022::{pacs008_from_json, render_pacs008};
use msez_protocol::netting::netting_plan_from_json;

use super::input::Input;
use super::{CliError, Output, json_output};

/// `msez netting`: obligations in, the multilateral plan (`legs`, per-currency `currencies`) out.
pub(super) fn netting(input: &Input) -> Result<Output, CliError> {
    let plan = netting_plan_from_json(&input.json()?).map_err(|error| CliError::Netting {
        source_name: input.source_name.clone(),
        error,
    })?;
    json_output(&plan)
}

/// `msez pacs008`: a settlement batch in, one pacs.008.001.08 XML document out.
pub(super) fn pacs008(input: &Input) -> Result<Output, CliError> {
    let rejected = |error| CliError::Pacs008 {
        source_name: input.source_name.clone(),
        error: Box::new(error),
    };
    let batch = pacs008_from_json(&input.json()?).map_err(rejected)?;
    let xml = render_pacs008(&batch).map_err(rejected)?;
    Ok(Output::success(xml.into_bytes()))
}

/// `msez fork resolve`: two branches, attestations, watchers and policy in; the deterministic
/// decision out. A decision is a success even when it is "halted": the evidence was read and
/// judged; only unreadable evidence is an error.
pub(super) fn fork_resolve(input: &Input) -> Result<Output, CliError> {
    let decision = fork_resolve_from_json(&input.json()?).map_err(|error| CliError::Fork {
        source_name: input.source_name.clone(),
        error: Box::new(error),
    })?;
    json_output(&decision.to_json())
}
