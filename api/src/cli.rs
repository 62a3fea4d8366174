//! The offline `msez` commands: argument parsing, input reading, and the exit-code contract.
//!
//! Owns [`Cli`], [`run`] and [`CliError`]. Every command is a thin shell over a
//! `msez-protocol` function: read input, call, print.
//!
//! Never: prints a partial result before failing (output is built fully, then written), or
//! exits with a code outside 0 (success), 1 (verification failure), 2 (bad input).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use msez_protocol::canonical::{CanonError, CanonicalBytes};

/// The largest input any offline command reads, in bytes. Exported chains of a busy corridor
/// reach tens of megabytes; 1 GiB bounds memory while leaving room for every real file.
pub const INPUT_BYTES_MAX: u64 = 1 << 30;

/// MSEZ: corridors, receipts, credentials and compliance for special economic zones.
///
/// Offline commands read a FILE (or `-`, or nothing, for standard input) and write the result to
/// standard output. Exit codes: 0 success, 1 verification failure, 2 bad input (one line on
/// standard error names the field and the reason).
#[derive(Debug, Parser)]
#[command(name = "msez", version, about, long_about)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The `msez` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the RFC 8785 canonical form of a JSON document (MSEZ integer profile), exactly,
    /// with no trailing newline.
    ///
    /// Example: `echo '{"b":2,"a":1}' | msez canon` prints `{"a":1,"b":2}`.
    Canon {
        /// JSON input; `-` or absent for standard input.
        file: Option<PathBuf>,
    },
    /// Print the SHA-256 digest (64 lowercase hex, then a newline) of a document's canonical form.
    ///
    /// Example: `echo '{"b":2,"a":1}' | msez digest`.
    Digest {
        /// JSON input; `-` or absent for standard input.
        file: Option<PathBuf>,
    },
}

/// A command's failure, mapped to its exit code by [`CliError::exit_code`].
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input could not be read.
    #[error("{source_name}: cannot read: {error}")]
    Read {
        /// The file name or `stdin`.
        source_name: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// The input is larger than [`INPUT_BYTES_MAX`].
    #[error("{source_name}: input exceeds {INPUT_BYTES_MAX} bytes")]
    TooLarge {
        /// The file name or `stdin`.
        source_name: String,
    },
    /// The input is not canonicalisable JSON.
    #[error("{source_name}: {error}")]
    Canon {
        /// The file name or `stdin`.
        source_name: String,
        /// What is wrong, with the field path.
        error: CanonError,
    },
    /// Standard output could not be written.
    #[error("cannot write output: {0}")]
    Write(std::io::Error),
}

impl CliError {
    /// 1 for a verification failure, 2 for bad input or an environment failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Read { .. } | Self::TooLarge { .. } | Self::Canon { .. } | Self::Write(_) => 2,
        }
    }
}

/// Runs one parsed command, writing its result to `stdout`.
pub fn run(cli: Cli, stdout: &mut dyn Write) -> Result<(), CliError> {
    let output = match cli.command {
        Command::Canon { file } => {
            let input = Input::read(file.as_ref())?;
            input.canonical()?.into_bytes()
        }
        Command::Digest { file } => {
            let input = Input::read(file.as_ref())?;
            format!("{}\n", input.canonical()?.digest()).into_bytes()
        }
    };
    stdout
        .write_all(&output)
        .and_then(|()| stdout.flush())
        .map_err(CliError::Write)
}

/// Runs the process: parse arguments, run, report, and return the exit code.
pub fn main_exit_code() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match run(cli, &mut stdout) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line: the reason, with the field it concerns.
            let line = error.to_string().replace('\n', " ");
            let _ = writeln!(std::io::stderr(), "msez: {line}"); // Nothing else can be done.
            ExitCode::from(error.exit_code())
        }
    }
}

/// Bytes read from a file or standard input, with the name used in error messages.
struct Input {
    source_name: String,
    bytes: Vec<u8>,
}

impl Input {
    fn read(file: Option<&PathBuf>) -> Result<Self, CliError> {
        let (source_name, reader): (String, Box<dyn Read>) = match file {
            Some(path) if path.as_os_str() != "-" => {
                let name = path.display().to_string();
                let opened = std::fs::File::open(path).map_err(|error| CliError::Read {
                    source_name: name.clone(),
                    error,
                })?;
                (name, Box::new(opened))
            }
            _ => ("stdin".to_owned(), Box::new(std::io::stdin())),
        };
        let mut bytes = Vec::new();
        reader
            .take(INPUT_BYTES_MAX + 1)
            .read_to_end(&mut bytes)
            .map_err(|error| CliError::Read {
                source_name: source_name.clone(),
                error,
            })?;
        if bytes.len() as u64 > INPUT_BYTES_MAX {
            return Err(CliError::TooLarge { source_name });
        }
        Ok(Self { source_name, bytes })
    }

    fn canonical(&self) -> Result<CanonicalBytes, CliError> {
        CanonicalBytes::parse(&self.bytes).map_err(|error| CliError::Canon {
            source_name: self.source_name.clone(),
            error,
        })
    }
}
