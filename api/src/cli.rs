//! The offline `msez` commands: argument parsing, input reading, and the exit-code contract.
//!
//! Owns [`Cli`], [`Command`], [`run`], [`main_with`] and [`CliError`]. Every command is a thin
//! shell over a `msez-protocol` function: read input, call, print. One module per command group
//! (`canon`, ...); adding a command is a [`Command`] variant, its module, and one `run` arm.
//!
//! Never: decides a protocol rule, prints a partial result before failing (output is built
//! fully, then written), or exits with a code outside 0 (success), 1 (verification failure),
//! 2 (bad input or usage).

mod canon;
mod input;
mod keygen;

mod mmr;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use msez_protocol::canonical::CanonError;
use msez_protocol::digest::DigestError;
use msez_protocol::keys::KeyError;
use msez_protocol::mmr::{InclusionError, MmrError};
use serde::Serialize;

pub use canon::{CanonArgs, Profile};
pub use input::INPUT_BYTES_MAX;
use input::{Input, InputSource};
pub use keygen::KeygenArgs;

pub use mmr::{MmrCommand, RootArg};

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
        /// The number profile.
        #[command(flatten)]
        args: CanonArgs,
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Print the SHA-256 digest (64 lowercase hex, then a newline) of a document's canonical form.
    ///
    /// Example: `echo '{"b":2,"a":1}' | msez digest`.
    Digest {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Generate an Ed25519 key and print its key file (JSON with the did:key and the secret
    /// seed), or write it with mode 0600 to `--out` and print the did:key.
    ///
    /// Example: `msez keygen --out zone-a.key`.
    Keygen(KeygenArgs),
    /// Merkle Mountain Range over receipts' `next_root`s: root, inclusion proof, verification.
    ///
    /// Example: `msez mmr root < next_roots.txt`.
    #[command(subcommand)]
    Mmr(MmrCommand),
}

/// The FILE argument shared by every command that reads a document.
#[derive(Debug, Args)]
pub struct InputArg {
    /// Input file; `-` or absent for standard input.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
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
    /// The input is JSON but not the object the command expects.
    #[error("{source_name}: {error}")]
    Shape {
        /// The file name or `stdin`.
        source_name: String,
        /// serde's reason, naming the member.
        error: serde_json::Error,
    },
    /// A line of `next_root`s input that is not a digest.
    #[error("{source_name}: line {line_number}: {error}")]
    NextRootLine {
        /// The file name or `stdin`.
        source_name: String,
        /// 1-based line number.
        line_number: usize,
        /// Why the line is not a digest.
        error: DigestError,
    },
    /// `--root` is not a digest.
    #[error("--root: {error}")]
    RootArgument {
        /// Why.
        error: DigestError,
    },
    /// `--index` names no leaf.
    #[error("--index: leaf {leaf_index} does not exist in an MMR of {size} leaves")]
    LeafIndexOutOfRange {
        /// The index asked for.
        leaf_index: u64,
        /// Leaves in the MMR.
        size: u64,
    },
    /// The MMR refused the input (more leaves than the protocol allows).
    #[error("{error}")]
    Mmr {
        /// Why.
        error: MmrError,
    },
    /// An inclusion proof that does not verify against the trusted root.
    #[error("proof does not verify: {error}")]
    NotIncluded {
        /// The failed check.
        error: InclusionError,
    },
    /// A key file that cannot be used.
    #[error("{source_name}: {error}")]
    Key {
        /// The key file's name.
        source_name: String,
        /// Why.
        error: KeyError,
    },
    /// The `--out` key file could not be created (it may exist already).
    #[error("--out {path}: {error}")]
    KeyOut {
        /// The path given.
        path: String,
        /// The I/O error (`AlreadyExists` for an existing file).
        error: std::io::Error,
    },
    /// The operating system's random source failed.
    #[error("cannot read the system random source: {error}")]
    Random {
        /// The failure.
        error: getrandom::Error,
    },
    /// The system clock is before 1970 or after 9999.
    #[error("the system clock is outside years 1970-9999")]
    Clock,
    /// Standard output could not be written.
    #[error("cannot write output: {0}")]
    Write(std::io::Error),
}

impl CliError {
    /// 1 for a verification failure, 2 for bad input or an environment failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::NotIncluded { .. } => 1,
            Self::Read { .. }
            | Self::TooLarge { .. }
            | Self::Canon { .. }
            | Self::Shape { .. }
            | Self::NextRootLine { .. }
            | Self::RootArgument { .. }
            | Self::LeafIndexOutOfRange { .. }
            | Self::Mmr { .. }
            | Self::Key { .. }
            | Self::KeyOut { .. }
            | Self::Random { .. }
            | Self::Clock
            | Self::Write(_) => 2,
        }
    }
}

/// What a command produced: the bytes for standard output and, when a verification failed,
/// why (a verification failure still prints its report).
#[derive(Debug)]
pub struct Output {
    stdout: Vec<u8>,
    rejection: Option<CliError>,
}

impl Output {
    fn success(stdout: Vec<u8>) -> Self {
        Self {
            stdout,
            rejection: None,
        }
    }

    /// One line of text: the text and a newline.
    fn line(text: &str) -> Self {
        Self::success(format!("{text}\n").into_bytes())
    }
}

/// Runs one parsed command: reads from `stdin` when it needs standard input, writes the result
/// to `stdout`, and returns the verification failure or bad input that stopped it.
pub fn run(cli: Cli, stdin: &mut dyn Read, stdout: &mut dyn Write) -> Result<(), CliError> {
    let output = match cli.command {
        Command::Canon { args, input } => canon::canon(&args, &read(&input, stdin)?)?,
        Command::Digest { input } => canon::digest(&read(&input, stdin)?)?,
        Command::Keygen(args) => keygen::keygen(&args)?,
        Command::Mmr(MmrCommand::Root { input }) => mmr::root(&read(&input, stdin)?)?,
        Command::Mmr(MmrCommand::Proof { leaf_index, input }) => {
            mmr::proof(leaf_index, &read(&input, stdin)?)?
        }
        Command::Mmr(MmrCommand::Verify { root, input }) => {
            mmr::verify(&root, &read(&input, stdin)?)?
        }
    };
    stdout
        .write_all(&output.stdout)
        .and_then(|()| stdout.flush())
        .map_err(CliError::Write)?;
    output.rejection.map_or(Ok(()), Err)
}

/// The whole process behind `main`, with its streams passed in so that tests can run every
/// command in-process: parses `args` (the first is the program name), runs, writes the one-line
/// reason of a failure to `stderr`, and returns the exit code.
pub fn main_with<I, T>(
    args: I,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` go to stdout with 0; usage errors to stderr with 2.
            let rendered = error.render().to_string();
            // Nothing else can be done if the stream is closed.
            let _ = if error.use_stderr() {
                stderr.write_all(rendered.as_bytes())
            } else {
                stdout.write_all(rendered.as_bytes())
            };
            return u8::try_from(error.exit_code()).unwrap_or(2);
        }
    };
    match run(cli, stdin, stdout) {
        Ok(()) => 0,
        Err(error) => {
            // One line: the reason, with the field it concerns.
            let line = error.to_string().replace('\n', " ");
            let _ = writeln!(stderr, "msez: {line}"); // Nothing else can be done.
            error.exit_code()
        }
    }
}

/// Runs the process: [`main_with`] over the real arguments and streams.
pub fn main_exit_code() -> ExitCode {
    let code = main_with(
        std::env::args_os(),
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitCode::from(code)
}

/// A JSON result: pretty-printed (for people; it is never hashed from this text) with a newline.
fn json_output<T: Serialize + ?Sized>(value: &T) -> Result<Output, CliError> {
    let mut text =
        serde_json::to_vec_pretty(value).map_err(|error| CliError::Write(error.into()))?;
    text.push(b'\n');
    Ok(Output::success(text))
}

fn read(input: &InputArg, stdin: &mut dyn Read) -> Result<Input, CliError> {
    Input::read(InputSource::new(input.file.as_ref(), stdin))
}
