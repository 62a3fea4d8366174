//! `msez corridor create|show|append|export`: a corridor on a running node, from the command
//! line. Each command is one request (see [`super::client`]); `export --verify` replays the
//! downloaded chain offline with `msez_protocol::export::verify_export` before printing it.
//!
//! Owns [`CorridorCommand`] and the four command functions.
//!
//! Never: signs anything for the caller (receipts arrive signed, see `msez receipt sign`),
//! decides a corridor rule (the node and `protocol` do), or prints an export that failed
//! `--verify`.

use clap::Subcommand;
use msez_protocol::export::verify_export;
use msez_protocol::ids::CorridorId;

use super::client::{ClientError, NodeArgs, NodeClient};
use super::input::Input;
use super::keys::now;
use super::{CliError, InputArg, Output, json_output};

/// The `msez corridor` commands.
#[derive(Debug, Subcommand)]
pub enum CorridorCommand {
    /// Create a corridor from a create request (JSON FILE or standard input): `{definition,
    /// agreement_set, regulators, authorities, activation_approvals?, lawpack_digest_set?,
    /// ruleset_digest_set?}`. Prints the new corridor's summary (ACTIVE when every regulator's
    /// activation consent is included, else PENDING).
    ///
    /// Example: `MSEZ_TOKEN=$(cat msez-data/admin.token) msez corridor create corridor.json`.
    Create {
        /// The node.
        #[command(flatten)]
        node: NodeArgs,
        /// The create request.
        #[command(flatten)]
        input: InputArg,
    },
    /// Print a corridor's summary: lifecycle state, height, head, genesis root, MMR root and
    /// obligations booked.
    ///
    /// Example: `msez corridor show corridor.pk-ae.1 --url http://zone-a:8080`.
    Show {
        /// The node.
        #[command(flatten)]
        node: NodeArgs,
        /// The corridor's id.
        corridor_id: String,
    },
    /// Append a signed receipt (JSON FILE or standard input; see `msez receipt sign`). Prints
    /// `{corridor_id, sequence, next_root, mmr_root}` once the node has made it durable.
    ///
    /// Example: `msez receipt sign --key party-a.key receipt.json | msez corridor append
    /// corridor.pk-ae.1`.
    Append {
        /// The node.
        #[command(flatten)]
        node: NodeArgs,
        /// The corridor's id.
        corridor_id: String,
        /// The signed receipt.
        #[command(flatten)]
        input: InputArg,
    },
    /// Print the corridor's chain as JSON Lines (what `msez chain verify` reads). With
    /// `--verify` the chain is first replayed offline under every SPEC §5 rule: a chain that
    /// fails is not printed, and the command exits 1 naming the line.
    ///
    /// Example: `msez corridor export corridor.pk-ae.1 --verify > corridor.jsonl`.
    Export {
        /// The node.
        #[command(flatten)]
        node: NodeArgs,
        /// The corridor's id.
        corridor_id: String,
        /// Verify the chain offline before printing it.
        #[arg(long)]
        verify: bool,
    },
}

/// Runs one `msez corridor` command; `read` reads its FILE argument when it has one.
pub(super) fn run(
    command: &CorridorCommand,
    read: &mut dyn FnMut(&InputArg) -> Result<Input, CliError>,
) -> Result<Output, CliError> {
    match command {
        CorridorCommand::Create { node, input } => {
            let request = read(input)?.canonical()?;
            let summary = NodeClient::connect(node)?
                .post_json("/v1/corridors", request.as_bytes().to_vec())?;
            json_output(&summary)
        }
        CorridorCommand::Show { node, corridor_id } => {
            let path = format!("/v1/corridors/{}", checked_id(corridor_id)?);
            json_output(&NodeClient::connect(node)?.get_json(&path)?)
        }
        CorridorCommand::Append {
            node,
            corridor_id,
            input,
        } => {
            let path = format!("/v1/corridors/{}/receipts", checked_id(corridor_id)?);
            let receipt = read(input)?.canonical()?;
            let ack = NodeClient::connect(node)?.post_json(&path, receipt.as_bytes().to_vec())?;
            json_output(&ack)
        }
        CorridorCommand::Export {
            node,
            corridor_id,
            verify,
        } => {
            let corridor_id = checked_id(corridor_id)?;
            let path = format!("/v1/corridors/{corridor_id}/export");
            let text = NodeClient::connect(node)?.get_text(&path)?;
            if *verify {
                verify_export(&text, now()?).map_err(|error| CliError::Chain {
                    source_name: format!("export of {corridor_id}"),
                    error: Box::new(error),
                })?;
            }
            Ok(Output::success(text.into_bytes()))
        }
    }
}

/// The corridor id argument, checked before it goes into a URL path.
fn checked_id(text: &str) -> Result<CorridorId, ClientError> {
    text.parse().map_err(|error| ClientError::Argument {
        argument: "CORRIDOR_ID",
        reason: format!("{error}"),
    })
}
