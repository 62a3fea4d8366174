//! `msez canon` and `msez digest`: the canonical form of a document and its digest (SPEC §1).
//!
//! Never: digests anything but [`CanonicalBytes`]; the RFC 8785 profile (floats allowed) prints
//! bytes only and has no digest.

use clap::{Args, ValueEnum};
use msez_protocol::canonical;

use super::input::Input;
use super::{CliError, Output};

/// Arguments of `msez canon`.
#[derive(Debug, Args)]
pub struct CanonArgs {
    /// Which numbers to accept: `msez` (integers within ±(2^53−1), the protocol's profile) or
    /// `rfc8785` (any finite number, written as RFC 8785 §3.2.2.3 says; for conformance checks).
    #[arg(long, value_enum, default_value_t = Profile::Msez)]
    pub profile: Profile,
}

/// The number profile of `msez canon`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// SPEC §1: integers within ±(2^53−1) only.
    Msez,
    /// RFC 8785 as published: finite IEEE-754 doubles.
    Rfc8785,
}

/// Prints the canonical bytes, exactly, with no trailing newline.
pub(super) fn canon(args: &CanonArgs, input: &Input) -> Result<Output, CliError> {
    let bytes = match args.profile {
        Profile::Msez => input.canonical()?.into_bytes(),
        Profile::Rfc8785 => canonical::rfc8785(&input.bytes)
            .map_err(|error| input.canon_error(error))?
            .into_bytes(),
    };
    Ok(Output::success(bytes))
}

/// Prints the 64-hex digest of the canonical form and a newline.
pub(super) fn digest(input: &Input) -> Result<Output, CliError> {
    Ok(Output::line(&input.canonical()?.digest().to_hex()))
}
