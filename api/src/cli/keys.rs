//! Key files and the clock for the signing commands: `--key FILE` and "now".
//!
//! Never: prints or logs a secret; the key file's bytes are wiped after parsing.

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use msez_protocol::keys::{KeyFile, SigningKey};
use msez_protocol::time::Timestamp;
use zeroize::Zeroizing;

use super::CliError;
use super::input::{Input, InputSource};

/// The `--key` argument of the signing commands.
#[derive(Debug, Args)]
pub struct KeyArg {
    /// The signer's key file, as `msez keygen` writes it.
    #[arg(long = "key", value_name = "K")]
    pub key_file: PathBuf,
}

/// Reads and checks the key file named by `--key`.
pub(super) fn load_key(key: &KeyArg) -> Result<SigningKey, CliError> {
    let input = Input::read(InputSource::File(&key.key_file))?;
    let source_name = input.source_name.clone();
    let bytes = Zeroizing::new(input.bytes);
    KeyFile::parse(&bytes)
        .map(KeyFile::into_signing_key)
        .map_err(|error| CliError::Key { source_name, error })
}

/// The system clock, in whole seconds: the only clock the offline commands read.
pub(super) fn now() -> Result<Timestamp, CliError> {
    let unix_seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|elapsed| i64::try_from(elapsed.as_secs()).ok())
        .ok_or(CliError::Clock)?;
    Timestamp::from_unix_seconds(unix_seconds).map_err(|_| CliError::Clock)
}
