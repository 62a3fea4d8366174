//! The offline `msez` commands: argument parsing, input reading, and the exit-code contract.
//!
//! Owns [`Cli`], [`Command`], [`run`], [`main_with`] and [`CliError`]. Every command is a thin
//! shell over a `msez-protocol` function: read input, call, print. One module per command group
//! (`canon`, ...); adding a command is a [`Command`] variant, its module, and one `run` arm.
//!
//! Never: decides a protocol rule, prints a partial result before failing (output is built
//! fully, then written), or exits with a code outside 0 (success), 1 (verification failure),
//! 2 (bad input or usage).

mod admin;
mod canon;
mod chain;
mod client;
mod compliance;
mod corridor;
mod corridor_client;
mod input;
mod keygen;
mod keys;
mod logging;
mod mmr;
mod receipt;
mod serve;
mod vc;
mod zone;

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use msez_protocol::canonical::CanonError;
use msez_protocol::corridor::fork::ForkError;
use msez_protocol::digest::{Digest, DigestError};
use msez_protocol::export::ExportError;
use msez_protocol::fields::FieldError;
use msez_protocol::iso20022::Iso20022Error;
use msez_protocol::keys::KeyError;
use msez_protocol::mmr::{InclusionError, MmrError};
use msez_protocol::netting::NettingError;
use msez_protocol::signed::SignedError;
use msez_protocol::tensor::commitment::ProofError as CommitmentError;
use msez_protocol::tensor::offline::OfflineError;
use msez_protocol::vc::VcError;
use serde::Serialize;

pub use canon::{CanonArgs, Profile};
pub use input::INPUT_BYTES_MAX;
use input::{Input, InputSource};
pub use keygen::KeygenArgs;
pub use keys::KeyArg;

pub use admin::AdminCommand;
pub use client::{ClientError, NodeArgs, TokenArg};
pub use corridor_client::CorridorCommand;
pub use logging::LogFormat;
pub use mmr::{MmrCommand, RootArg};
pub use receipt::{GenesisArgs, ReceiptCommand};
pub use serve::{ServeArgs, ServeError};
pub use vc::VcCommand;

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
    /// Corridor receipts: compute `next_root`, add a signature.
    ///
    /// Example: `msez receipt next-root receipt.json`.
    #[command(subcommand)]
    Receipt(ReceiptCommand),
    /// Print the genesis root of a corridor from its genesis object (JSON, FILE or standard
    /// input): `{"tag":"msez.corridor.state.genesis.v1","corridor_id",...}`.
    ///
    /// Example: `msez genesis genesis.json`.
    Genesis(GenesisArgs),
    /// Verifiable credentials: issue one signed by your key, verify one offline.
    ///
    /// Example: `msez vc verify credential.json`.
    #[command(subcommand)]
    Vc(VcCommand),
    /// Exported receipt chains (JSON Lines: header, receipts, optional checkpoint).
    ///
    /// Example: `msez chain verify corridor.jsonl`.
    #[command(subcommand)]
    Chain(ChainCommand),
    /// Net obligations per currency (SPEC §9). Input: a JSON array of `{obligation_id,
    /// from_party, to_party, amount, currency}` (amount: integer minor units); output:
    /// `{legs:[{from_party,to_party,amount,currency}], currencies:{CCY:{gross,net,reduction_bps}}}`.
    ///
    /// Example: `msez netting obligations.json`.
    Netting {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Render settlement legs as one ISO 20022 pacs.008.001.08 document. Input:
    /// `{message_id, created_at, settlement_date, instructing_agent_bic, legs:[{leg_id, amount,
    /// currency, debtor:{name,bic,account}, creditor:{name,bic,account}, remittance}]}`.
    ///
    /// Example: `msez pacs008 batch.json > batch.xml`.
    Pacs008 {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Fork resolution (SPEC §8).
    ///
    /// Example: `msez fork resolve evidence.json`.
    #[command(subcommand)]
    Fork(ForkCommand),
    /// The compliance tensor (SPEC §10): evaluate a subject, verify a cell's inclusion proof.
    ///
    /// Example: `msez tensor evaluate subject.json`.
    #[command(subcommand)]
    Tensor(TensorCommand),
    /// Sanctions screening against a regpack's sanctions list.
    ///
    /// Example: `msez sanctions check "Acme Trading" --regpack regpack.json`.
    #[command(subcommand)]
    Sanctions(SanctionsCommand),
    /// Zone configuration: validate `zone.yaml` and its packs, print the deterministic lock.
    ///
    /// Example: `msez zone lock zone.yaml > zone.lock`.
    #[command(subcommand)]
    Zone(ZoneCommand),
    /// Packs (lawpack, regpack, licensepack): print a pack's kind and digest.
    ///
    /// Example: `msez pack digest packs/pk-ito-2001`.
    #[command(subcommand)]
    Pack(PackCommand),
    /// Run a zone node: the HTTP API over the store, the actors and Mass, until SIGINT or
    /// SIGTERM. Embedded SQLite under `--data-dir` and the in-process Mass sandbox by default.
    ///
    /// Example: `msez serve --zone zone.yaml --listen 127.0.0.1:8080`.
    Serve(Box<ServeArgs>),
    /// Talk to a running node about corridors: create one, show it, append a signed receipt,
    /// export (and verify) its chain. Exit 0 on success, 1 when `export --verify` finds a
    /// broken chain, 2 for bad input or a refusal (the node's error code, message and field
    /// on one line).
    ///
    /// Example: `MSEZ_TOKEN=$(cat msez-data/admin.token) msez corridor show corridor.pk-ae.1`.
    #[command(subcommand)]
    Corridor(CorridorCommand),
    /// Talk to a running node as an operator: the supervision tree.
    ///
    /// Example: `MSEZ_TOKEN=$(cat msez-data/admin.token) msez admin tree`.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Run the Mass sandbox: an in-memory stand-in for the Mass APIs on 127.0.0.1, for
    /// development and tests. It is NOT Mass. Runs until Ctrl-C.
    ///
    /// Example: `msez mass-sandbox --port 8090 --seed 7`.
    MassSandbox {
        /// Port on 127.0.0.1 (0 picks a free one; the banner prints the URL).
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// Seed for ids and the logical clock: the same seed replays the same ids.
        #[arg(long)]
        seed: Option<u64>,
        /// Require this bearer token on every Mass route, read from the named environment
        /// variable (never from the command line, where other users could read it).
        #[arg(long, value_name = "ENV_VAR")]
        token_env: Option<String>,
    },
}

/// The `msez zone` commands.
#[derive(Debug, Subcommand)]
pub enum ZoneCommand {
    /// Parse the zone file, digest every pack it names (paths relative to the zone file), check
    /// pinned digests, and compare with `zone.lock` beside it: exit 1 if that lock is stale.
    ///
    /// Example: `msez zone validate zone.yaml`.
    Validate {
        /// The zone file.
        #[arg(value_name = "ZONE", default_value = "zone.yaml")]
        zone_file: PathBuf,
    },
    /// Print the deterministic lock of the zone file: the same inputs give the same bytes.
    ///
    /// Example: `msez zone lock zone.yaml > zone.lock`.
    Lock {
        /// The zone file.
        #[arg(value_name = "ZONE", default_value = "zone.yaml")]
        zone_file: PathBuf,
    },
}

/// The `msez pack` commands.
#[derive(Debug, Subcommand)]
pub enum PackCommand {
    /// Print `{kind, digest}` of a pack directory (walked recursively) or single-file pack.
    ///
    /// Example: `msez pack digest packs/pk-ito-2001`.
    Digest {
        /// The pack directory or file.
        path: PathBuf,
    },
}

/// The `msez fork` commands.
#[derive(Debug, Subcommand)]
pub enum ForkCommand {
    /// Decide a fork from the evidence alone: `{branches:[2 receipt headers], attestations,
    /// watchers, policy, authority_resolutions?}` in, the decision (`quorum`, `authority` or
    /// `halted`, the winner, rejected attestations, equivocations) out. Exit 0 for any decision.
    ///
    /// Example: `msez fork resolve evidence.json`.
    Resolve {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
}

/// The `msez tensor` commands.
#[derive(Debug, Subcommand)]
pub enum TensorCommand {
    /// Evaluate one subject in one jurisdiction across the 20 domains at the current time:
    /// `{subject, jurisdiction, attestations, facts, sanctions?, licences?}` in; cells, aggregate,
    /// commitment root and one inclusion proof per cell out.
    ///
    /// Example: `msez tensor evaluate subject.json`.
    Evaluate {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
    /// Verify a cell's inclusion proof against a trusted commitment root: `{root, proof}` in;
    /// the proven cell out, or exit 1 when the proof fails.
    ///
    /// Example: `msez tensor verify-proof proof.json`.
    VerifyProof {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
}

/// The `msez sanctions` commands.
#[derive(Debug, Subcommand)]
pub enum SanctionsCommand {
    /// Screen one name (exact, token Jaccard, substring rules) and print the report with each
    /// matched entry, rule and score. A match still exits 0: read `matches`.
    ///
    /// Example: `msez sanctions check "Acme Trading LLC" --regpack regpack.json`.
    Check {
        /// The name to screen.
        name: String,
        /// A regpack (`MSEZRegpack` JSON); its `sanctions` section is the list screened.
        #[arg(long, value_name = "FILE")]
        regpack: PathBuf,
    },
}

/// The `msez chain` commands.
#[derive(Debug, Subcommand)]
pub enum ChainCommand {
    /// Replay an exported chain (FILE or standard input) under every SPEC §5 rule and print
    /// its height, head and MMR root as JSON; exit 1 if a receipt, the genesis root or the
    /// checkpoint fails verification, 2 if the export is malformed.
    ///
    /// Example: `msez chain verify corridor.jsonl`.
    Verify {
        /// The input.
        #[command(flatten)]
        input: InputArg,
    },
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
    /// A protocol object with a missing, unknown or malformed member.
    #[error("{source_name}: {error}")]
    Field {
        /// The file name or `stdin`.
        source_name: String,
        /// Which member and why.
        error: FieldError,
    },
    /// A receipt that cannot be read.
    #[error("{source_name}: {error}")]
    Receipt {
        /// The file name or `stdin`.
        source_name: String,
        /// Which member and why.
        error: SignedError,
    },
    /// A receipt whose `next_root` is not its digest, given to `receipt sign`.
    #[error(
        "next_root: the receipt says {stated} but digests to {computed}; \
         set next_root (see `msez receipt next-root`) before signing"
    )]
    NextRootMismatch {
        /// The receipt's `next_root`.
        stated: Digest,
        /// What it should be.
        computed: Digest,
    },
    /// A proof could not be created or attached.
    #[error("cannot sign: {error}")]
    Sign {
        /// Why.
        error: SignedError,
    },
    /// `--type` names no credential type.
    #[error("--type: {error}")]
    TypeArgument {
        /// Why.
        error: VcError,
    },
    /// A credential subject or credential that cannot be built or issued.
    #[error("{source_name}: {error}")]
    Credential {
        /// The file name or `stdin`.
        source_name: String,
        /// Which member or rule, and why.
        error: VcError,
    },
    /// A credential that failed verification; the report on stdout has the details.
    #[error("credential does not verify: failed checks: {}", failed_checks.join(", "))]
    CredentialRejected {
        /// The names of the failed checks, e.g. `proofs[0].signature`.
        failed_checks: Vec<String>,
    },
    /// An exported chain that is malformed or does not verify.
    #[error("{source_name}: {error}")]
    Chain {
        /// The file name or `stdin`.
        source_name: String,
        /// Which line and rule (boxed: the error is large and every command returns `CliError`).
        error: Box<ExportError>,
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
    /// Obligations that cannot be netted; the error names the index, field and rule.
    #[error("{source_name}: {error}")]
    Netting {
        /// The file name or `stdin`.
        source_name: String,
        /// Why.
        error: NettingError,
    },
    /// A settlement batch that cannot be rendered as pacs.008.
    #[error("{source_name}: {error}")]
    Pacs008 {
        /// The file name or `stdin`.
        source_name: String,
        /// Why (boxed: the error is large and every command returns `CliError`).
        error: Box<Iso20022Error>,
    },
    /// Fork evidence that cannot be read.
    #[error("{source_name}: {error}")]
    Fork {
        /// The file name or `stdin`.
        source_name: String,
        /// Why (boxed, as above).
        error: Box<ForkError>,
    },
    /// A tensor input, proof document or sanctions list that cannot be used.
    #[error("{source_name}: {error}")]
    Tensor {
        /// The file name or `stdin`.
        source_name: String,
        /// Why (boxed, as above).
        error: Box<OfflineError>,
    },
    /// A tensor inclusion proof that does not verify against the trusted root.
    #[error("proof does not verify: {error}")]
    CellNotProven {
        /// The failed check.
        error: CommitmentError,
    },
    /// A zone file, or a pack it names, that is not acceptable.
    #[error("{source_name}: {error}")]
    Zone {
        /// The zone file.
        source_name: String,
        /// Which field and why (boxed, as above).
        error: Box<msez_protocol::zone::ZoneError>,
    },
    /// `zone.lock` differs from the lock the zone file and packs give now.
    #[error("{path}: stale: the zone file or a pack changed; regenerate with `msez zone lock`")]
    LockStale {
        /// The lock file.
        path: String,
    },
    /// A pack that is not acceptable.
    #[error("{source_name}: {error}")]
    Pack {
        /// The pack path.
        source_name: String,
        /// Why (boxed, as above).
        error: Box<msez_protocol::packs::PackError>,
    },
    /// A pack directory beyond the read limits.
    #[error(
        "{path}: more than {} files or {} bytes",
        zone::PACK_FILES_MAX,
        zone::PACK_BYTES_MAX
    )]
    PackTooLarge {
        /// The pack path.
        path: String,
    },
    /// `--token-env` names an unset or empty variable.
    #[error("--token-env: environment variable {name} is unset or empty")]
    TokenEnv {
        /// The variable's name.
        name: String,
    },
    /// A client command could not talk to the node, or the node refused (boxed: the node's
    /// envelope is large and every command returns `CliError`).
    #[error("{0}")]
    Client(Box<ClientError>),
    /// The zone node could not start or stopped with an error.
    #[error("serve: {0}")]
    Serve(#[from] ServeError),
    /// The Mass sandbox could not start or stopped with an error.
    #[error("mass-sandbox: {0}")]
    Sandbox(std::io::Error),
    /// Standard output could not be written.
    #[error("cannot write output: {0}")]
    Write(std::io::Error),
}

impl From<ClientError> for CliError {
    fn from(error: ClientError) -> Self {
        Self::Client(Box::new(error))
    }
}

impl CliError {
    /// 1 for a verification failure, 2 for bad input or an environment failure.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Chain { error, .. } if chain::is_verification_failure(error) => 1,
            Self::NotIncluded { .. }
            | Self::CredentialRejected { .. }
            | Self::CellNotProven { .. }
            | Self::LockStale { .. } => 1,
            Self::Read { .. }
            | Self::TooLarge { .. }
            | Self::Canon { .. }
            | Self::Shape { .. }
            | Self::NextRootLine { .. }
            | Self::RootArgument { .. }
            | Self::LeafIndexOutOfRange { .. }
            | Self::Mmr { .. }
            | Self::Field { .. }
            | Self::Receipt { .. }
            | Self::NextRootMismatch { .. }
            | Self::Sign { .. }
            | Self::TypeArgument { .. }
            | Self::Credential { .. }
            | Self::Chain { .. }
            | Self::Key { .. }
            | Self::KeyOut { .. }
            | Self::Random { .. }
            | Self::Clock
            | Self::Netting { .. }
            | Self::Zone { .. }
            | Self::Pack { .. }
            | Self::PackTooLarge { .. }
            | Self::TokenEnv { .. }
            | Self::Sandbox(_)
            | Self::Serve(_)
            | Self::Client(_)
            | Self::Pacs008 { .. }
            | Self::Fork { .. }
            | Self::Tensor { .. }
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

    /// This output, printed, with the verification failure that follows it.
    fn rejected(self, rejection: CliError) -> Self {
        Self {
            rejection: Some(rejection),
            ..self
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
        Command::Receipt(ReceiptCommand::NextRoot { input }) => {
            receipt::next_root(&read(&input, stdin)?)?
        }
        Command::Receipt(ReceiptCommand::Sign { key, input }) => {
            receipt::sign(&key, &read(&input, stdin)?)?
        }
        Command::Genesis(GenesisArgs { input }) => receipt::genesis(&read(&input, stdin)?)?,
        Command::Vc(VcCommand::Issue {
            key,
            credential_type,
            input,
        }) => vc::issue_credential(&key, &credential_type, &read(&input, stdin)?)?,
        Command::Vc(VcCommand::Verify { input }) => vc::verify(&read(&input, stdin)?)?,
        Command::Chain(ChainCommand::Verify { input }) => chain::verify(&read(&input, stdin)?)?,
        Command::Mmr(MmrCommand::Root { input }) => mmr::root(&read(&input, stdin)?)?,
        Command::Mmr(MmrCommand::Proof { leaf_index, input }) => {
            mmr::proof(leaf_index, &read(&input, stdin)?)?
        }
        Command::Mmr(MmrCommand::Verify { root, input }) => {
            mmr::verify(&root, &read(&input, stdin)?)?
        }
        Command::Netting { input } => corridor::netting(&read(&input, stdin)?)?,
        Command::Pacs008 { input } => corridor::pacs008(&read(&input, stdin)?)?,
        Command::Fork(ForkCommand::Resolve { input }) => {
            corridor::fork_resolve(&read(&input, stdin)?)?
        }
        Command::Tensor(TensorCommand::Evaluate { input }) => {
            compliance::evaluate(&read(&input, stdin)?)?
        }
        Command::Tensor(TensorCommand::VerifyProof { input }) => {
            compliance::verify_proof(&read(&input, stdin)?)?
        }
        Command::Sanctions(SanctionsCommand::Check { name, regpack }) => {
            compliance::check(&name, &regpack)?
        }
        Command::Zone(ZoneCommand::Validate { zone_file }) => zone::validate(&zone_file)?,
        Command::Zone(ZoneCommand::Lock { zone_file }) => zone::lock(&zone_file)?,
        Command::Pack(PackCommand::Digest { path }) => zone::pack(&path)?,
        Command::Serve(args) => {
            serve::serve(&args)?;
            Output::success(Vec::new())
        }
        Command::Corridor(command) => {
            corridor_client::run(&command, &mut |input: &InputArg| read(input, stdin))?
        }
        Command::Admin(AdminCommand::Tree(args)) => {
            Output::success(admin::tree(&args)?.into_bytes())
        }
        Command::MassSandbox {
            port,
            seed,
            token_env,
        } => mass_sandbox(port, seed, token_env.as_deref())?,
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
///
/// The streams are passed unlocked: each write takes the stream's lock for that write only.
/// Holding `stderr().lock()` for the life of the process would block every `tracing` event
/// written from a tokio worker thread of `msez serve` forever (the lock is re-entrant for the
/// main thread only), which froze the node at its first worker-side log line.
pub fn main_exit_code() -> ExitCode {
    let code = main_with(
        std::env::args_os(),
        &mut std::io::stdin(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
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

/// `msez mass-sandbox`: serves until Ctrl-C; the sandbox prints its own banner and URL.
fn mass_sandbox(port: u16, seed: Option<u64>, token_env: Option<&str>) -> Result<Output, CliError> {
    let bearer_token = match token_env {
        None => None,
        Some(name) => match std::env::var(name) {
            Ok(token) if !token.is_empty() => Some(zeroize::Zeroizing::new(token)),
            _ => {
                return Err(CliError::TokenEnv {
                    name: name.to_owned(),
                });
            }
        },
    };
    let config = msez_mass::sandbox::SandboxConfig {
        seed,
        bearer_token,
        oauth_client: None,
    };
    msez_mass::sandbox::serve_blocking(config, port).map_err(CliError::Sandbox)?;
    Ok(Output::success(Vec::new()))
}

fn read(input: &InputArg, stdin: &mut dyn Read) -> Result<Input, CliError> {
    Input::read(InputSource::new(input.file.as_ref(), stdin))
}

#[cfg(test)]
mod tests;
