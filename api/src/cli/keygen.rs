//! `msez keygen`: a fresh Ed25519 key, written as a W3C Multikey key file (SPEC §2).
//!
//! Never: writes the secret to a file others can read, overwrites an existing file, or keeps
//! the seed in memory after use (it lives in a zeroizing buffer).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use msez_protocol::keys::{KeyFile, SEED_LENGTH_BYTES, SigningKey};
use zeroize::Zeroizing;

use super::{CliError, Output};

/// Arguments of `msez keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Write the key file here (created with mode 0600; an existing file is never replaced)
    /// and print only its did:key. Without it, the key file goes to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Generates a key from the operating system's random source and writes its key file.
pub(super) fn keygen(args: &KeygenArgs) -> Result<Output, CliError> {
    let mut seed = Zeroizing::new([0u8; SEED_LENGTH_BYTES]);
    getrandom::fill(seed.as_mut_slice()).map_err(|error| CliError::Random { error })?;
    let key_file = KeyFile::new(SigningKey::from_seed(&seed));
    let json = key_file.to_json_bytes();
    match &args.out {
        None => Ok(Output::success(json.to_vec())),
        Some(path) => {
            write_private(path, &json)?;
            Ok(Output::line(&key_file.signing_key().did().to_string()))
        }
    }
}

/// Creates `path` readable and writable by its owner only, failing if it exists.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file_error = |error: std::io::Error| CliError::KeyOut {
        path: path.display().to_string(),
        error,
    };
    let mut file = options.open(path).map_err(file_error)?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(file_error)
}
