//! `msez receipt next-root|sign` and `msez genesis`: corridor receipts and the genesis root
//! (SPEC §5).
//!
//! Never: computes a digest or a signature itself; `msez_protocol::receipt` and
//! `msez_protocol::proof` do. The only input massaging is the placeholder `next_root` of a
//! receipt draft (the digest excludes `next_root`, so its value cannot matter).

use clap::{Args, Subcommand};
use msez_protocol::receipt::{Genesis, SignedReceipt};
use serde_json::Value;

use super::input::Input;
use super::keys::{KeyArg, load_key, now};
use super::{CliError, InputArg, Output, json_output};

/// The `msez receipt` commands.
#[derive(Debug, Subcommand)]
pub enum ReceiptCommand {
    /// Print the `next_root` of a receipt (JSON, FILE or standard input): the digest of the
    /// receipt without `proof` and `next_root`. A draft may omit `next_root`.
    ///
    /// Example: `msez receipt next-root draft.json`.
    NextRoot {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Add a Data Integrity proof (eddsa-jcs-2022, created now) by the key in `--key` to a
    /// receipt whose `next_root` is already correct; existing proofs stay (co-signing).
    ///
    /// Example: `msez receipt sign --key zone-a.key receipt.json > signed.json`.
    Sign {
        /// The signer's key file.
        #[command(flatten)]
        key: KeyArg,
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
}

/// Arguments of `msez genesis`.
#[derive(Debug, Args)]
pub struct GenesisArgs {
    /// The input.
    #[command(flatten)]
    pub input: InputArg,
}

/// The member a draft may omit.
const NEXT_ROOT_MEMBER: &str = "next_root";
/// Stands in for an omitted `next_root`; the digest excludes the member, so any value works.
const NEXT_ROOT_PLACEHOLDER: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// `msez receipt next-root`.
pub(super) fn next_root(input: &Input) -> Result<Output, CliError> {
    let mut document = input.json()?;
    if let Some(members) = document.as_object_mut()
        && !members.contains_key(NEXT_ROOT_MEMBER)
    {
        let placeholder = Value::String(NEXT_ROOT_PLACEHOLDER.to_owned());
        members.insert(NEXT_ROOT_MEMBER.to_owned(), placeholder);
    }
    let signed = read_receipt(input, &document)?;
    let next_root = signed
        .document
        .compute_next_root()
        .map_err(|error| input.canon_error(error))?;
    Ok(Output::line(&next_root.to_hex()))
}

/// `msez receipt sign --key K`.
pub(super) fn sign(key: &KeyArg, input: &Input) -> Result<Output, CliError> {
    let signing_key = load_key(key)?;
    let mut signed = read_receipt(input, &input.json()?)?;
    let computed = signed
        .document
        .compute_next_root()
        .map_err(|error| input.canon_error(error))?;
    if computed != signed.document.next_root {
        return Err(CliError::NextRootMismatch {
            stated: signed.document.next_root,
            computed,
        });
    }
    // Every proof of a proof set signs the receipt without proofs, so the new one is made alone
    // and appended to those already there.
    let added = SignedReceipt::sign(signed.document.clone(), &[&signing_key], now()?)
        .map_err(|error| CliError::Sign { error })?;
    signed.proofs.extend(added.proofs);
    let secured = signed.to_value().map_err(|error| CliError::Receipt {
        source_name: input.source_name.clone(),
        error,
    })?;
    json_output(&secured)
}

/// `msez genesis`.
pub(super) fn genesis(input: &Input) -> Result<Output, CliError> {
    let genesis = Genesis::from_value(input.json()?).map_err(|error| CliError::Field {
        source_name: input.source_name.clone(),
        error,
    })?;
    let root = genesis
        .genesis_root()
        .map_err(|error| input.canon_error(error))?;
    Ok(Output::line(&root.to_hex()))
}

fn read_receipt(input: &Input, document: &Value) -> Result<SignedReceipt, CliError> {
    SignedReceipt::from_value(document).map_err(|error| CliError::Receipt {
        source_name: input.source_name.clone(),
        error,
    })
}
