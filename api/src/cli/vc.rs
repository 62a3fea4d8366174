//! `msez vc issue|verify`: W3C verifiable credentials (SPEC §4), did:key resolved offline.
//!
//! Never: decides a credential rule; `msez_protocol::vc` builds, signs and verifies, and writes
//! the report this module prints. The clock is read here, once, and passed in.

use clap::Subcommand;
use msez_protocol::vc::subjects::CredentialType;
use msez_protocol::vc::{
    Credential, CredentialTerms, VerificationReport, issue, verify_credential,
};

use super::input::Input;
use super::keys::{KeyArg, load_key, now};
use super::{CliError, InputArg, Output, json_output};

/// The `msez vc` commands.
#[derive(Debug, Subcommand)]
pub enum VcCommand {
    /// Issue a credential of type `--type` about the subject (the `credentialSubject` JSON, FILE
    /// or standard input), signed by `--key`, whose did:key becomes the issuer; valid from now.
    ///
    /// Example: `msez vc issue --key zone-a.key --type MSEZKycVerificationCredential subject.json`.
    Issue {
        /// The issuer's key file.
        #[command(flatten)]
        key: KeyArg,
        /// The credential type, e.g. `MSEZKycVerificationCredential`.
        #[arg(long = "type", value_name = "T", value_parser = credential_type_names())]
        credential_type: String,
        /// The subject.
        #[command(flatten)]
        input: InputArg,
    },
    /// Verify a credential (FILE or standard input) now: print the JSON report of every check
    /// and proof; exit 1 if any check fails. Revocation is reported as not checked.
    ///
    /// Example: `msez vc verify credential.json`.
    Verify {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
}

/// Every credential type name, for `--help` and for clap to check `--type` against.
fn credential_type_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(CredentialType::ALL.iter().map(CredentialType::name))
}

/// `msez vc issue`.
pub(super) fn issue_credential(
    key: &KeyArg,
    credential_type: &str,
    input: &Input,
) -> Result<Output, CliError> {
    let credential_type: CredentialType = credential_type
        .parse()
        .map_err(|error| CliError::TypeArgument { error })?;
    let signing_key = load_key(key)?;
    let issued_at = now()?;
    let terms = CredentialTerms {
        id: None,
        issuer: *signing_key.did(),
        valid_from: issued_at,
        valid_until: None,
        status: None,
    };
    let vc_error = |error| CliError::Credential {
        source_name: input.source_name.clone(),
        error,
    };
    let credential =
        Credential::build_untyped(credential_type, input.json()?, terms).map_err(vc_error)?;
    let secured = issue(&credential, &signing_key, issued_at).map_err(vc_error)?;
    json_output(&secured)
}

/// `msez vc verify`.
pub(super) fn verify(input: &Input) -> Result<Output, CliError> {
    let report = verify_credential(&input.json()?, now()?);
    let printed = json_output(&report)?;
    if report.verified {
        return Ok(printed);
    }
    Ok(printed.rejected(CliError::CredentialRejected {
        failed_checks: failed_checks(&report),
    }))
}

/// The names of the report's failed checks, e.g. `envelope`, `proofs[0].signature`.
fn failed_checks(report: &VerificationReport) -> Vec<String> {
    let mut failed: Vec<String> = [
        ("envelope", &report.envelope),
        ("validity_window", &report.validity_window),
        ("proof_set", &report.proof_set),
    ]
    .into_iter()
    .filter(|(_, outcome)| !outcome.passed)
    .map(|(name, _)| name.to_owned())
    .collect();
    for proof in &report.proofs {
        let checks = [
            ("signature", &proof.signature),
            ("proof_purpose", &proof.proof_purpose),
            ("issuer_controls_method", &proof.issuer_controls_method),
        ];
        for (name, outcome) in checks {
            if !outcome.passed {
                failed.push(format!("proofs[{}].{name}", proof.proof_index));
            }
        }
    }
    if failed.is_empty() {
        failed.push("proofs (none)".to_owned()); // `verified` also demands at least one proof.
    }
    failed
}
