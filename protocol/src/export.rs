//! Chain export and import as JSON Lines, and the offline verifier behind `msez chain verify`.
//!
//! Owns [`export_chain`], [`import_chain`], [`verify_export`], [`verify_export_tail`],
//! [`ExportHeader`], [`ImportedChain`], [`ChainSummary`], [`ExportError`] and the bound
//! [`EXPORT_LINE_LENGTH_BYTES_MAX`].
//!
//! Never: accepts a receipt without re-running [`ReceiptChain::append`], reads a clock (the
//! verifier's time is an argument), or panics on any input.
//!
//! # Format
//!
//! UTF-8 text, one JSON document per line, lines separated by `\n` (a final `\n` is optional;
//! blank lines are errors). Writers emit every line as canonical JSON (RFC 8785); readers accept
//! any JSON that passes the strict MSEZ parser (no duplicate keys, floats or oversized integers).
//!
//! 1. **Header** (line 1): what an offline verifier needs besides the receipts.
//!    ```json
//!    {"type":"MSEZCorridorChainExport","version":1,
//!     "genesis":{"tag":"msez.corridor.state.genesis.v1","corridor_id":…, …},
//!     "genesis_root":"<hex>",
//!     "receipt_signing_policy":{"threshold":2,"signers":["did:key:z…","did:key:z…"]}}
//!    ```
//!    `genesis` is the SPEC §5 genesis object; `genesis_root` is its digest, stated for human
//!    readers and checked (a mismatch is an error). The policy is the corridor agreement's
//!    k-of-n receipt-signing policy.
//! 2. **Receipts**, one per line in sequence order, each the signed receipt of SPEC §5 (its
//!    `type` is `MSEZCorridorStateReceipt`). The receipt with sequence `s` is on line `s + 2`.
//! 3. **Optional checkpoint** as the last line (`type` `MSEZCorridorStateCheckpoint`). It must
//!    be signed under the same policy and describe the chain exactly as replayed.
//!
//! A *tail* export (for [`verify_export_tail`]) has the same header, then the receipts after a
//! trusted checkpoint, starting at sequence `receipt_count`.
//!
//! # Time
//!
//! Replay re-applies SPEC §5 acceptance, including "timestamp ≤ now + 60 s". Offline, `now` is
//! the verifier's own current time, passed in by the caller (the CLI passes the system clock).
//! Receipts of an honest chain were accepted in the past, so they pass at any later time; a
//! receipt dated in the verifier's future is reported.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::{self, CanonError, CanonicalBytes};
use crate::chain::{AppendError, ReceiptChain};
use crate::checkpoint::{
    self, CHECKPOINT_TYPE, CheckpointError, SignedCheckpoint, VerifiedCheckpoint,
};
use crate::digest::Digest;
use crate::fields::{FieldError, ObjectReader};
use crate::ids::CorridorId;
use crate::policy::{PolicyError, SigningPolicy};
use crate::receipt::{Genesis, RECEIPT_TYPE, SignedReceipt};
use crate::signed::SignedError;
use crate::time::Timestamp;

/// The longest line accepted, in bytes: 1 MiB. A receipt is about a kilobyte plus its
/// transition payload; payloads are summaries with digests of bulk data, so a megabyte is far
/// above any honest line while bounding the memory one line can make a verifier spend.
pub const EXPORT_LINE_LENGTH_BYTES_MAX: usize = 1 << 20;

/// The header's format version.
pub const EXPORT_VERSION: u32 = 1;

/// The `type` of an export header: always `"MSEZCorridorChainExport"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ExportType {
    /// `MSEZCorridorChainExport`.
    #[default]
    #[serde(rename = "MSEZCorridorChainExport")]
    CorridorChainExport,
}

/// Line 1 of an export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportHeader {
    /// Always [`ExportType::CorridorChainExport`].
    #[serde(rename = "type")]
    pub export_type: ExportType,
    /// Always [`EXPORT_VERSION`].
    pub version: u32,
    /// The corridor's genesis object.
    pub genesis: Genesis,
    /// Its digest.
    pub genesis_root: Digest,
    /// The receipt-signing policy receipts and checkpoints are checked under.
    pub receipt_signing_policy: SigningPolicy,
}

/// Everything an export holds, re-verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedChain {
    /// Line 1.
    pub header: ExportHeader,
    /// The receipts, in order.
    pub receipts: Vec<SignedReceipt>,
    /// The trailing checkpoint, verified and matching the chain.
    pub checkpoint: Option<SignedCheckpoint>,
    /// The chain after replaying every receipt.
    pub chain: ReceiptChain,
}

/// What a verified export proves: the corridor's state after its last receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainSummary {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// Its genesis root.
    pub genesis_root: Digest,
    /// Receipts in the chain.
    pub height: u64,
    /// The head (the genesis root for an empty chain).
    pub head: Digest,
    /// The MMR root (`null` for an empty chain).
    pub mmr_root: Option<Digest>,
    /// The digest of the trailing checkpoint, if the export has one.
    pub checkpoint_digest: Option<Digest>,
}

/// Why an export does not verify; every variant names the 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// No header line.
    #[error("export is empty: line 1 must be the header")]
    Empty,
    /// An empty line before the end.
    #[error("line {line} is blank")]
    BlankLine {
        /// The line.
        line: usize,
    },
    /// A line over [`EXPORT_LINE_LENGTH_BYTES_MAX`].
    #[error(
        "line {line} is {length_bytes} bytes, the most allowed is {EXPORT_LINE_LENGTH_BYTES_MAX}"
    )]
    LineTooLong {
        /// The line.
        line: usize,
        /// Its length.
        length_bytes: usize,
    },
    /// A line that is not strict MSEZ JSON (truncated, duplicate keys, floats...).
    #[error("line {line} is not valid JSON: {source}")]
    Json {
        /// The line.
        line: usize,
        /// The parser's reason.
        source: CanonError,
    },
    /// The header is malformed.
    #[error("line 1 (header): {source}")]
    Header {
        /// Which member and why.
        source: FieldError,
    },
    /// The header's version is not [`EXPORT_VERSION`].
    #[error("line 1 (header): version {found} is not supported, expected {EXPORT_VERSION}")]
    UnsupportedVersion {
        /// The version found.
        found: u32,
    },
    /// The header's policy is invalid.
    #[error("line 1 (header): receipt_signing_policy: {source}")]
    Policy {
        /// Why the policy is invalid.
        source: PolicyError,
    },
    /// The stated genesis root is not the digest of the genesis object.
    #[error("line 1 (header): genesis_root {stated} is not the digest of genesis ({computed})")]
    GenesisRootMismatch {
        /// The root stated.
        stated: Digest,
        /// The digest of the genesis object.
        computed: Digest,
    },
    /// The header of a tail export does not name the trusted checkpoint's corridor and genesis.
    #[error("line 1 (header): {field} differs from the trusted checkpoint")]
    TailHeaderMismatch {
        /// The member that differs.
        field: &'static str,
    },
    /// The genesis object cannot be canonicalised.
    #[error("line 1 (header): genesis cannot be canonicalised: {source}")]
    GenesisCanonical {
        /// The canonicaliser's reason.
        source: CanonError,
    },
    /// A line whose `type` is neither a receipt nor a checkpoint.
    #[error(
        "line {line} has type {found}, expected MSEZCorridorStateReceipt or MSEZCorridorStateCheckpoint"
    )]
    UnknownLineType {
        /// The line.
        line: usize,
        /// The `type` found (`null` when absent).
        found: Value,
    },
    /// A receipt line that is malformed.
    #[error("line {line}: {source}")]
    Receipt {
        /// The line.
        line: usize,
        /// Which member and why.
        source: SignedError,
    },
    /// A receipt the chain does not accept; the error names the sequence.
    #[error("line {line}: {source}")]
    Append {
        /// The line.
        line: usize,
        /// The rule that failed.
        source: AppendError,
    },
    /// A checkpoint line that is malformed.
    #[error("line {line}: checkpoint: {source}")]
    CheckpointLine {
        /// The line.
        line: usize,
        /// Which member and why.
        source: SignedError,
    },
    /// A checkpoint that is invalid or does not match the replayed chain.
    #[error("line {line}: {source}")]
    Checkpoint {
        /// The line.
        line: usize,
        /// Why.
        source: CheckpointError,
    },
    /// A line after the checkpoint, which must be last.
    #[error("line {line} follows the checkpoint, which must be the last line")]
    LineAfterCheckpoint {
        /// The line.
        line: usize,
    },
    /// The export could not be written (a receipt that cannot be serialised).
    #[error("cannot write export: {source}")]
    Write {
        /// Why.
        source: SignedError,
    },
}

impl ExportError {
    /// The 1-based line the error is on, when it is about one line.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Empty | Self::Write { .. } => None,
            Self::Header { .. }
            | Self::UnsupportedVersion { .. }
            | Self::Policy { .. }
            | Self::GenesisRootMismatch { .. }
            | Self::TailHeaderMismatch { .. }
            | Self::GenesisCanonical { .. } => Some(1),
            Self::BlankLine { line }
            | Self::LineTooLong { line, .. }
            | Self::Json { line, .. }
            | Self::UnknownLineType { line, .. }
            | Self::Receipt { line, .. }
            | Self::Append { line, .. }
            | Self::CheckpointLine { line, .. }
            | Self::Checkpoint { line, .. }
            | Self::LineAfterCheckpoint { line } => Some(*line),
        }
    }
}

impl ExportHeader {
    /// The header for a corridor's genesis and policy.
    pub fn new(genesis: Genesis, policy: SigningPolicy) -> Result<Self, CanonError> {
        let genesis_root = genesis.genesis_root()?;
        Ok(Self {
            export_type: ExportType::CorridorChainExport,
            version: EXPORT_VERSION,
            genesis,
            genesis_root,
            receipt_signing_policy: policy,
        })
    }

    fn from_value(value: Value) -> Result<Self, ExportError> {
        let header = |source| ExportError::Header { source };
        let mut reader = ObjectReader::new("header", value).map_err(header)?;
        let export_type = reader.required("type").map_err(header)?;
        let version: u32 = reader.required("version").map_err(header)?;
        let genesis_value: Value = reader.required("genesis").map_err(header)?;
        let genesis_root: Digest = reader.required("genesis_root").map_err(header)?;
        let policy_value: Value = reader.required("receipt_signing_policy").map_err(header)?;
        reader.finish().map_err(header)?;
        if version != EXPORT_VERSION {
            return Err(ExportError::UnsupportedVersion { found: version });
        }
        let genesis = Genesis::from_value(genesis_value).map_err(header)?;
        let receipt_signing_policy = SigningPolicy::from_value(policy_value)
            .map_err(|source| ExportError::Policy { source })?;
        let computed = genesis
            .genesis_root()
            .map_err(|source| ExportError::GenesisCanonical { source })?;
        if computed != genesis_root {
            return Err(ExportError::GenesisRootMismatch {
                stated: genesis_root,
                computed,
            });
        }
        Ok(Self {
            export_type,
            version,
            genesis,
            genesis_root,
            receipt_signing_policy,
        })
    }
}

/// Writes an export: the header, the receipts, and optionally a checkpoint, each as canonical
/// JSON on its own line, with a final newline. It does not verify (import does).
pub fn export_chain(
    header: &ExportHeader,
    receipts: &[SignedReceipt],
    checkpoint: Option<&SignedCheckpoint>,
) -> Result<String, ExportError> {
    let write = |source| ExportError::Write { source };
    let mut lines = Vec::with_capacity(receipts.len() + 2);
    lines.push(canonical_line(header).map_err(|source| write(source.into()))?);
    for receipt in receipts {
        lines.push(
            canonical_text(&receipt.to_value().map_err(write)?).map_err(|e| write(e.into()))?,
        );
    }
    if let Some(checkpoint) = checkpoint {
        lines.push(
            canonical_text(&checkpoint.to_value().map_err(write)?).map_err(|e| write(e.into()))?,
        );
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Ok(text)
}

fn canonical_line<T: Serialize>(value: &T) -> Result<String, CanonError> {
    canonical_text(&crate::signed::value_of(value)?)
}

fn canonical_text(value: &Value) -> Result<String, CanonError> {
    let bytes = CanonicalBytes::new(value)?.into_bytes();
    String::from_utf8(bytes).map_err(|error| CanonError::InvalidUtf8 {
        offset: error.utf8_error().valid_up_to(),
    })
}

/// Reads and re-verifies a whole export from genesis, keeping every receipt.
pub fn import_chain(text: &str, now: Timestamp) -> Result<ImportedChain, ExportError> {
    let mut receipts = Vec::new();
    let replayed = replay(text, now, Start::Genesis, |receipt| receipts.push(receipt))?;
    Ok(ImportedChain {
        header: replayed.header,
        receipts,
        checkpoint: replayed.checkpoint.map(|(signed, _)| signed),
        chain: replayed.chain,
    })
}

/// Verifies a whole export from genesis and summarises the final state: what
/// `msez chain verify` prints. `now` is the verifier's current time (see the module docs).
pub fn verify_export(text: &str, now: Timestamp) -> Result<ChainSummary, ExportError> {
    let replayed = replay(text, now, Start::Genesis, drop)?;
    Ok(replayed.summary())
}

/// Verifies a tail export (receipts after `trusted`) starting from a checkpoint the caller
/// already trusts, and summarises the final state.
pub fn verify_export_tail(
    text: &str,
    trusted: &VerifiedCheckpoint,
    now: Timestamp,
) -> Result<ChainSummary, ExportError> {
    let replayed = replay(text, now, Start::Checkpoint(trusted), drop)?;
    Ok(replayed.summary())
}

/// Where replay starts.
enum Start<'a> {
    Genesis,
    Checkpoint(&'a VerifiedCheckpoint),
}

struct Replayed {
    header: ExportHeader,
    chain: ReceiptChain,
    checkpoint: Option<(SignedCheckpoint, Digest)>,
}

impl Replayed {
    fn summary(&self) -> ChainSummary {
        ChainSummary {
            corridor_id: self.chain.corridor_id().clone(),
            genesis_root: self.chain.genesis_root(),
            height: self.chain.height(),
            head: self.chain.head(),
            mmr_root: self.chain.mmr().root(),
            checkpoint_digest: self.checkpoint.as_ref().map(|(_, digest)| *digest),
        }
    }
}

/// The one path from text to a verified chain: header, then `append` for every receipt, then
/// the checkpoint. `on_receipt` receives each receipt after it is accepted.
fn replay(
    text: &str,
    now: Timestamp,
    start: Start<'_>,
    mut on_receipt: impl FnMut(SignedReceipt),
) -> Result<Replayed, ExportError> {
    let mut lines = split_lines(text);
    let (_, header_text) = lines.next().ok_or(ExportError::Empty)?;
    let header = ExportHeader::from_value(parse_line(1, header_text?)?)?;
    let policy = header.receipt_signing_policy.clone();
    let mut chain = match start {
        Start::Genesis => ReceiptChain::from_genesis(&header.genesis, policy.clone())
            .map_err(|source| ExportError::GenesisCanonical { source })?,
        Start::Checkpoint(trusted) => {
            check_tail_header(&header, trusted)?;
            ReceiptChain::from_checkpoint(trusted)
        }
    };
    let mut checkpoint = None;
    for (line, line_text) in lines {
        if checkpoint.is_some() {
            return Err(ExportError::LineAfterCheckpoint { line });
        }
        let value = parse_line(line, line_text?)?;
        match line_kind(line, &value)? {
            LineKind::Receipt => {
                let receipt = SignedReceipt::from_value(&value)
                    .map_err(|source| ExportError::Receipt { line, source })?;
                chain
                    .append(&receipt, now)
                    .map_err(|source| ExportError::Append { line, source })?;
                on_receipt(receipt);
            }
            LineKind::Checkpoint => {
                checkpoint = Some(read_checkpoint(line, &value, &chain, &policy)?);
            }
        }
    }
    Ok(Replayed {
        header,
        chain,
        checkpoint,
    })
}

fn check_tail_header(
    header: &ExportHeader,
    trusted: &VerifiedCheckpoint,
) -> Result<(), ExportError> {
    let checkpoint = trusted.checkpoint();
    if header.genesis.corridor_id != checkpoint.corridor_id {
        return Err(ExportError::TailHeaderMismatch {
            field: "corridor_id",
        });
    }
    if header.genesis_root != checkpoint.genesis_root {
        return Err(ExportError::TailHeaderMismatch {
            field: "genesis_root",
        });
    }
    if header.receipt_signing_policy != *trusted.policy() {
        return Err(ExportError::TailHeaderMismatch {
            field: "receipt_signing_policy",
        });
    }
    Ok(())
}

fn read_checkpoint(
    line: usize,
    value: &Value,
    chain: &ReceiptChain,
    policy: &SigningPolicy,
) -> Result<(SignedCheckpoint, Digest), ExportError> {
    let signed = SignedCheckpoint::from_value(value)
        .map_err(|source| ExportError::CheckpointLine { line, source })?;
    let invalid = |source| ExportError::Checkpoint { line, source };
    let verified = checkpoint::verify_checkpoint(&signed, policy).map_err(invalid)?;
    signed.document.check_matches(chain).map_err(invalid)?;
    Ok((signed, verified.digest()))
}

enum LineKind {
    Receipt,
    Checkpoint,
}

fn line_kind(line: usize, value: &Value) -> Result<LineKind, ExportError> {
    match value.get("type").and_then(Value::as_str) {
        Some(RECEIPT_TYPE) => Ok(LineKind::Receipt),
        Some(CHECKPOINT_TYPE) => Ok(LineKind::Checkpoint),
        _ => Err(ExportError::UnknownLineType {
            line,
            found: value.get("type").cloned().unwrap_or(Value::Null),
        }),
    }
}

/// Numbered lines (1-based) without their `\n`; a final empty segment after the last `\n` is
/// not a line. Each item is the text or the error for a blank or overlong line.
fn split_lines(text: &str) -> impl Iterator<Item = (usize, Result<&str, ExportError>)> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let nothing = body.is_empty();
    body.split('\n')
        .filter(move |_| !nothing)
        .enumerate()
        .map(|(index, line_text)| {
            let line = index + 1;
            let checked = if line_text.len() > EXPORT_LINE_LENGTH_BYTES_MAX {
                Err(ExportError::LineTooLong {
                    line,
                    length_bytes: line_text.len(),
                })
            } else if line_text.trim().is_empty() {
                Err(ExportError::BlankLine { line })
            } else {
                Ok(line_text)
            };
            (line, checked)
        })
}

fn parse_line(line: usize, line_text: &str) -> Result<Value, ExportError> {
    canonical::parse(line_text.as_bytes()).map_err(|source| ExportError::Json { line, source })
}

#[cfg(test)]
mod tests;
