//! The ledger a corridor actor keeps and snapshots: the receipt chain and the netting book, the
//! one pure step that advances both, and their canonical snapshot bytes.
//!
//! Owns [`CorridorLedger`], [`Prepared`], [`NettingBook`], [`StepError`], [`SnapshotError`], the transition
//! kind [`OBLIGATION_TRANSITION_KIND`] and the snapshot format constants.
//!
//! A receipt whose transition has kind `obligation` carries one SPEC §9 obligation as its
//! payload (`{obligation_id, from_party, to_party, amount, currency}`); [`CorridorLedger::apply`]
//! checks it (well-formed, id not already booked) before the chain checks the receipt, and books
//! it only if the chain accepted the receipt. Live appends and recovery replay both go through
//! `apply`, so a state rebuilt from a snapshot plus the journal tail equals the state that was
//! never lost.
//!
//! # Snapshot bytes
//! Canonical JSON (RFC 8785), one object:
//! `{"type":"MSEZCorridorSnapshot","version":1,"corridor_id","genesis_root","head","height",
//! "mmr_peaks":[{height,hash}],"last_timestamp"?,"lawpack_digest_set","ruleset_digest_set",
//! "receipt_signing_policy":{threshold,signers},"obligations":[…sorted by obligation_id]}`.
//! `last_timestamp` is absent when unknown. Decoding rejects unknown members and rebuilds the
//! chain through [`ReceiptChain::from_parts`], so inconsistent parts are an error, not a state.
//!
//! Never: I/O, clocks (the acceptance time is an argument), or a change of state when a step
//! fails.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::canonical::{self, CanonError, CanonicalBytes};
use crate::chain::{AppendError, Appended, ChainParts, ChainPartsError, ReceiptChain};
use crate::digest::Digest;
use crate::fields::{FieldError, ObjectReader};
use crate::ids::{CorridorId, ObligationId};
use crate::mmr::{MmrPeaks, Peak, PeakPlanError};
use crate::netting::{self, NettingError, NettingMode, NettingPlan, Obligation, ObligationError};
use crate::policy::SigningPolicy;
use crate::receipt::{DigestSet, Receipt, SignedReceipt};
use crate::time::Timestamp;

/// The transition kind whose payload is one obligation for the netting book.
pub const OBLIGATION_TRANSITION_KIND: &str = "obligation";

/// The `type` member of a snapshot.
pub const SNAPSHOT_TYPE: &str = "MSEZCorridorSnapshot";

/// The snapshot format version this code writes and reads.
pub const SNAPSHOT_VERSION: u64 = 1;

/// The obligations a corridor has accepted, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NettingBook {
    obligations: BTreeMap<ObligationId, Obligation>,
}

/// A corridor's verified state: its receipt chain and its netting book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorridorLedger {
    chain: ReceiptChain,
    netting: NettingBook,
}

/// A checked step that is not yet the current state (see [`CorridorLedger::prepare`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    chain: ReceiptChain,
    obligation: Option<Obligation>,
    appended: Appended,
}

impl Prepared {
    /// What the append will produce once committed.
    pub fn appended(&self) -> &Appended {
        &self.appended
    }

    /// The chain after the step.
    pub fn chain(&self) -> &ReceiptChain {
        &self.chain
    }
}

/// Why a receipt was not applied; the state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The chain refused the receipt (SPEC §5).
    #[error(transparent)]
    Chain(#[from] AppendError),
    /// The receipt's obligation payload is not a SPEC §9 obligation.
    #[error("receipt {sequence} on corridor {corridor_id}: obligation payload: {source}")]
    Obligation {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// What is wrong with it.
        source: ObligationError,
    },
    /// The obligation id is already in the book.
    #[error(
        "receipt {sequence} on corridor {corridor_id}: obligation {obligation_id} is already booked"
    )]
    DuplicateObligation {
        /// The corridor.
        corridor_id: CorridorId,
        /// The receipt's sequence.
        sequence: u64,
        /// The repeated id.
        obligation_id: ObligationId,
    },
}

/// Why snapshot bytes do not decode to a state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// The bytes are not JSON the strict parser accepts, or the state cannot be canonicalised.
    #[error("snapshot is not canonical JSON: {0}")]
    Canonical(#[from] CanonError),
    /// The bytes parse but are not in canonical form.
    #[error("snapshot bytes are not in canonical form")]
    NotCanonical,
    /// A member is missing, unknown or malformed.
    #[error(transparent)]
    Field(#[from] FieldError),
    /// The `type` or `version` is not this format's.
    #[error(
        "snapshot type {snapshot_type:?} version {version} is not {SNAPSHOT_TYPE} version {SNAPSHOT_VERSION}"
    )]
    Format {
        /// The stated type.
        snapshot_type: String,
        /// The stated version.
        version: u64,
    },
    /// The peaks do not follow the peak plan of the height.
    #[error("snapshot MMR peaks: {0}")]
    Peaks(#[from] PeakPlanError),
    /// The chain parts disagree with each other.
    #[error(transparent)]
    Parts(#[from] ChainPartsError),
    /// An obligation does not parse.
    #[error("snapshot obligation {index}: {source}")]
    Obligation {
        /// Its position in `obligations`.
        index: usize,
        /// Why.
        source: ObligationError,
    },
    /// Obligations are not strictly ascending by id (duplicated or out of order).
    #[error("snapshot obligation {index} ({obligation_id}) is not after the one before it")]
    ObligationOrder {
        /// Its position.
        index: usize,
        /// Its id.
        obligation_id: ObligationId,
    },
}

impl NettingBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Obligations booked.
    pub fn len(&self) -> usize {
        self.obligations.len()
    }

    /// Whether nothing is booked.
    pub fn is_empty(&self) -> bool {
        self.obligations.is_empty()
    }

    /// Whether an obligation with this id is booked.
    pub fn contains(&self, obligation_id: &ObligationId) -> bool {
        self.obligations.contains_key(obligation_id)
    }

    /// The booked obligations, ordered by id.
    pub fn obligations(&self) -> impl Iterator<Item = &Obligation> {
        self.obligations.values()
    }

    /// The settlement plan of every booked obligation (SPEC §9).
    pub fn plan(&self, mode: NettingMode) -> Result<NettingPlan, NettingError> {
        let obligations: Vec<Obligation> = self.obligations.values().cloned().collect();
        netting::net(&obligations, mode)
    }
}

impl CorridorLedger {
    /// A state at `chain` with an empty netting book (a new corridor).
    pub fn new(chain: ReceiptChain) -> Self {
        Self {
            chain,
            netting: NettingBook::new(),
        }
    }

    /// The receipt chain.
    pub fn chain(&self) -> &ReceiptChain {
        &self.chain
    }

    /// The netting book.
    pub fn netting(&self) -> &NettingBook {
        &self.netting
    }

    /// Applies one receipt: obligation checks, then every SPEC §5 check of the chain; only if
    /// all pass do the chain and the book change. Equal to [`Self::prepare`] then
    /// [`Self::commit`].
    pub fn apply(&mut self, signed: &SignedReceipt, now: Timestamp) -> Result<Appended, StepError> {
        let prepared = self.prepare(signed, now)?;
        Ok(self.commit(prepared))
    }

    /// Runs every check of [`Self::apply`] on a copy of the chain, leaving `self` unchanged, so
    /// the caller can make the result durable first and [`Self::commit`] it after (or drop it).
    pub fn prepare(&self, signed: &SignedReceipt, now: Timestamp) -> Result<Prepared, StepError> {
        let obligation = self.obligation_of(&signed.document)?;
        let mut chain = self.chain.clone();
        let appended = chain.append(signed, now)?;
        Ok(Prepared {
            chain,
            obligation,
            appended,
        })
    }

    /// Makes a prepared step the current state. `prepared` must come from [`Self::prepare`] on
    /// this same state (debug-asserted: its chain is exactly one receipt ahead).
    pub fn commit(&mut self, prepared: Prepared) -> Appended {
        debug_assert_eq!(prepared.chain.height(), self.chain.height() + 1);
        self.chain = prepared.chain;
        if let Some(obligation) = prepared.obligation {
            self.netting
                .obligations
                .insert(obligation.obligation_id().clone(), obligation);
        }
        prepared.appended
    }

    /// The snapshot bytes of the state `prepared` leads to, without committing it.
    pub fn encode_prepared(&self, prepared: &Prepared) -> Result<CanonicalBytes, CanonError> {
        let mut obligations: Vec<&Obligation> = self.netting.obligations().collect();
        if let Some(extra) = &prepared.obligation {
            let position =
                obligations.partition_point(|o| o.obligation_id() < extra.obligation_id());
            obligations.insert(position, extra);
        }
        encode_parts(&prepared.chain, obligations.into_iter())
    }

    /// The obligation a receipt books, checked against the book; `None` for other receipts.
    fn obligation_of(&self, receipt: &Receipt) -> Result<Option<Obligation>, StepError> {
        let Some(transition) = &receipt.transition else {
            return Ok(None);
        };
        if transition.kind != OBLIGATION_TRANSITION_KIND {
            return Ok(None);
        }
        let obligation =
            Obligation::from_json(&transition.payload).map_err(|source| StepError::Obligation {
                corridor_id: self.chain.corridor_id().clone(),
                sequence: receipt.sequence,
                source,
            })?;
        if self.netting.contains(obligation.obligation_id()) {
            return Err(StepError::DuplicateObligation {
                corridor_id: self.chain.corridor_id().clone(),
                sequence: receipt.sequence,
                obligation_id: obligation.obligation_id().clone(),
            });
        }
        Ok(Some(obligation))
    }

    /// The canonical snapshot bytes (see the module docs).
    pub fn encode(&self) -> Result<CanonicalBytes, CanonError> {
        encode_parts(&self.chain, self.netting.obligations())
    }

    /// Decodes snapshot bytes written by [`Self::encode`]; `decode(encode(s)) == s`.
    pub fn decode(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let value = canonical::parse(bytes)?;
        if CanonicalBytes::new(&value)?.as_bytes() != bytes {
            return Err(SnapshotError::NotCanonical);
        }
        let mut reader = ObjectReader::new("corridor snapshot", value)?;
        let snapshot_type: String = reader.required("type")?;
        let version: u64 = reader.required("version")?;
        if snapshot_type != SNAPSHOT_TYPE || version != SNAPSHOT_VERSION {
            return Err(SnapshotError::Format {
                snapshot_type,
                version,
            });
        }
        let height: u64 = reader.required("height")?;
        let peaks: Vec<Peak> = reader.required("mmr_peaks")?;
        let parts = ChainParts {
            corridor_id: reader.required("corridor_id")?,
            genesis_root: reader.required::<Digest>("genesis_root")?,
            head: reader.required::<Digest>("head")?,
            height,
            mmr: MmrPeaks::from_peaks(height, peaks)?,
            last_timestamp: reader.optional("last_timestamp")?,
            lawpack_digest_set: reader.required::<DigestSet>("lawpack_digest_set")?,
            ruleset_digest_set: reader.required::<DigestSet>("ruleset_digest_set")?,
            policy: reader.required::<SigningPolicy>("receipt_signing_policy")?,
        };
        let obligation_values: Vec<Value> = reader.required("obligations")?;
        reader.finish()?;
        let chain = ReceiptChain::from_parts(parts)?;
        let mut netting = NettingBook::new();
        for (index, value) in obligation_values.iter().enumerate() {
            let obligation = Obligation::from_json(value)
                .map_err(|source| SnapshotError::Obligation { index, source })?;
            let in_order = netting
                .obligations
                .last_key_value()
                .is_none_or(|(last, _)| last < obligation.obligation_id());
            if !in_order {
                return Err(SnapshotError::ObligationOrder {
                    index,
                    obligation_id: obligation.obligation_id().clone(),
                });
            }
            netting
                .obligations
                .insert(obligation.obligation_id().clone(), obligation);
        }
        Ok(Self { chain, netting })
    }
}

/// The snapshot bytes of `chain` and `obligations` (which must be ordered by id).
fn encode_parts<'a>(
    chain: &ReceiptChain,
    obligations: impl Iterator<Item = &'a Obligation>,
) -> Result<CanonicalBytes, CanonError> {
    let parts = chain.to_parts();
    let obligations: Vec<Value> = obligations.map(obligation_json).collect::<Result<_, _>>()?;
    let mut value = json!({
        "type": SNAPSHOT_TYPE,
        "version": SNAPSHOT_VERSION,
        "corridor_id": parts.corridor_id,
        "genesis_root": parts.genesis_root,
        "head": parts.head,
        "height": parts.height,
        "mmr_peaks": parts.mmr.peaks(),
        "lawpack_digest_set": parts.lawpack_digest_set,
        "ruleset_digest_set": parts.ruleset_digest_set,
        "receipt_signing_policy": parts.policy,
        "obligations": obligations,
    });
    if let (Some(timestamp), Some(members)) = (parts.last_timestamp, value.as_object_mut()) {
        members.insert("last_timestamp".to_owned(), json!(timestamp));
    }
    CanonicalBytes::new(&value)
}

/// `{obligation_id, from_party, to_party, amount, currency}`: what `Obligation::from_json` reads.
fn obligation_json(obligation: &Obligation) -> Result<Value, CanonError> {
    let mut value = crate::signed::value_of(obligation.transfer())?;
    if let Some(members) = value.as_object_mut() {
        members.insert(
            "obligation_id".to_owned(),
            Value::String(obligation.obligation_id().as_str().to_owned()),
        );
    }
    Ok(value)
}

#[cfg(test)]
mod tests;
