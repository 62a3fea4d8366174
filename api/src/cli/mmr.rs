//! `msez mmr root|proof|verify`: the Merkle Mountain Range over receipts' `next_root`s
//! (SPEC §6).
//!
//! Never: hashes anything itself; roots, proofs and verification are `msez_protocol::mmr`.

use clap::{Args, Subcommand};
use msez_protocol::digest::Digest;
use msez_protocol::mmr::{InclusionProof, Mmr, verify_inclusion};

use super::input::Input;
use super::{CliError, InputArg, Output, json_output};

/// The `msez mmr` commands. Each reads one 64-hex `next_root` per line (standard input or FILE).
#[derive(Debug, Subcommand)]
pub enum MmrCommand {
    /// Print the MMR root of the `next_root`s on standard input, one per line, in order; print
    /// nothing when there are none (an empty MMR has no root).
    ///
    /// Example: `msez mmr root < next_roots.txt`.
    Root {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Print the inclusion proof (JSON) of leaf `--index` in the MMR of the `next_root`s on
    /// standard input.
    ///
    /// Example: `msez mmr proof --index 2 < next_roots.txt > proof.json`.
    Proof {
        /// 0-based position of the leaf.
        #[arg(long = "index", value_name = "I")]
        leaf_index: u64,
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Verify an inclusion proof (JSON, FILE or standard input) against a root you trust.
    /// Exit 1 when it does not verify.
    ///
    /// Example: `msez mmr verify --root "$(msez mmr root < next_roots.txt)" proof.json`.
    Verify {
        /// The trusted root: 64 lowercase hex characters.
        #[command(flatten)]
        root: RootArg,
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
}

/// The `--root` argument.
#[derive(Debug, Args)]
pub struct RootArg {
    /// The trusted MMR root (64 lowercase hex).
    #[arg(long = "root", value_name = "R")]
    pub root_hex: String,
}

/// The MMR of the input's lines.
fn mmr_of_lines(input: &Input) -> Result<Mmr, CliError> {
    let next_roots = input
        .text()?
        .lines()
        .enumerate()
        .map(|(index, line)| {
            Digest::from_hex(line).map_err(|error| CliError::NextRootLine {
                source_name: input.source_name.clone(),
                line_number: index + 1,
                error,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Mmr::from_next_roots(&next_roots).map_err(|error| CliError::Mmr { error })
}

/// `msez mmr root`.
pub(super) fn root(input: &Input) -> Result<Output, CliError> {
    let root = mmr_of_lines(input)?.root();
    Ok(root.map_or_else(
        || Output::success(Vec::new()),
        |root| Output::line(&root.to_hex()),
    ))
}

/// `msez mmr proof --index I`.
pub(super) fn proof(leaf_index: u64, input: &Input) -> Result<Output, CliError> {
    let mmr = mmr_of_lines(input)?;
    if leaf_index >= mmr.size() {
        return Err(CliError::LeafIndexOutOfRange {
            leaf_index,
            size: mmr.size(),
        });
    }
    let proof = mmr
        .inclusion_proof(leaf_index)
        .map_err(|error| CliError::Mmr { error })?;
    json_output(&proof)
}

/// `msez mmr verify --root R`.
pub(super) fn verify(root: &RootArg, input: &Input) -> Result<Output, CliError> {
    let trusted_root =
        Digest::from_hex(&root.root_hex).map_err(|error| CliError::RootArgument { error })?;
    let proof: InclusionProof = input.typed()?;
    match verify_inclusion(&proof, &trusted_root) {
        Ok(()) => Ok(Output::line(&format!(
            "ok: leaf {} of {} is included under root {trusted_root}",
            proof.leaf_index, proof.size
        ))),
        Err(error) => Err(CliError::NotIncluded { error }),
    }
}
