//! Reading a command's input: a FILE, or standard input for `-` or no FILE, bounded by
//! [`INPUT_BYTES_MAX`].
//!
//! Owns [`Input`] and [`InputSource`]. Never: interprets the bytes beyond the first parse.

use std::io::Read;
use std::path::{Path, PathBuf};

use msez_protocol::canonical::{self, CanonicalBytes};
use serde_json::Value;

use super::CliError;

/// The largest input any offline command reads, in bytes. Exported chains of a busy corridor
/// reach tens of megabytes; 1 GiB bounds memory while leaving room for every real file.
pub const INPUT_BYTES_MAX: u64 = 1 << 30;

/// Where a command's input comes from.
pub(super) enum InputSource<'a> {
    /// A named file.
    File(&'a Path),
    /// The process's standard input (or a test's stand-in for it).
    Stdin(&'a mut dyn Read),
}

impl<'a> InputSource<'a> {
    /// The file when one is named and is not `-`, otherwise `stdin`.
    pub(super) fn new(file: Option<&'a PathBuf>, stdin: &'a mut dyn Read) -> Self {
        match file {
            Some(path) if path.as_os_str() != "-" => Self::File(path),
            _ => Self::Stdin(stdin),
        }
    }
}

/// Bytes read from a file or standard input, with the name used in error messages.
pub(super) struct Input {
    /// The file name, or `stdin`.
    pub(super) source_name: String,
    /// Everything read, at most [`INPUT_BYTES_MAX`] bytes.
    pub(super) bytes: Vec<u8>,
}

impl Input {
    /// Reads the whole input.
    pub(super) fn read(source: InputSource<'_>) -> Result<Self, CliError> {
        match source {
            InputSource::File(path) => {
                let source_name = path.display().to_string();
                match std::fs::File::open(path) {
                    Ok(file) => Self::read_from(source_name, file),
                    Err(error) => Err(CliError::Read { source_name, error }),
                }
            }
            InputSource::Stdin(stdin) => Self::read_from("stdin".to_owned(), stdin),
        }
    }

    fn read_from(source_name: String, reader: impl Read) -> Result<Self, CliError> {
        let mut bytes = Vec::new();
        if let Err(error) = reader.take(INPUT_BYTES_MAX + 1).read_to_end(&mut bytes) {
            return Err(CliError::Read { source_name, error });
        }
        if bytes.len() as u64 > INPUT_BYTES_MAX {
            return Err(CliError::TooLarge { source_name });
        }
        Ok(Self { source_name, bytes })
    }

    /// The input as canonical bytes under the MSEZ profile.
    pub(super) fn canonical(&self) -> Result<CanonicalBytes, CliError> {
        CanonicalBytes::parse(&self.bytes).map_err(|error| self.canon_error(error))
    }

    /// The input parsed strictly (MSEZ profile: integers only, no duplicate keys).
    pub(super) fn json(&self) -> Result<Value, CliError> {
        canonical::parse(&self.bytes).map_err(|error| self.canon_error(error))
    }

    /// The input as UTF-8 text, for line-oriented commands.
    pub(super) fn text(&self) -> Result<&str, CliError> {
        std::str::from_utf8(&self.bytes).map_err(|error| {
            self.canon_error(canonical::CanonError::InvalidUtf8 {
                offset: error.valid_up_to(),
            })
        })
    }

    /// The input parsed strictly, then read as `T` (whose serde errors name the member).
    pub(super) fn typed<T: serde::de::DeserializeOwned>(&self) -> Result<T, CliError> {
        serde_json::from_value(self.json()?).map_err(|error| CliError::Shape {
            source_name: self.source_name.clone(),
            error,
        })
    }

    /// The error for `error` in this input.
    pub(super) fn canon_error(&self, error: canonical::CanonError) -> CliError {
        CliError::Canon {
            source_name: self.source_name.clone(),
            error,
        }
    }
}
