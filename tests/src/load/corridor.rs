//! One corridor as the load generator sees it: its party keys, its definition, the definition
//! and agreement credentials that let a node create it, and the chain head it believes in,
//! from which it signs the next receipt.
//!
//! Owns [`LoadCorridor`], [`ZoneKeys`], [`PreparedAppend`] and [`now`].
//!
//! Receipts are signed by party 0 alone under a 1-of-2 policy naming both parties
//! ([`RECEIPT_SIGNATURE_THRESHOLD`]). Party 0 also issues the definition credential; both
//! parties must agree. Each receipt carries a small `load.payment` transition, so the node
//! checks a payload digest as it would for real traffic.
//!
//! Never: advances its head on its own; the head moves only when the node acknowledged a
//! receipt ([`LoadCorridor::advance`]) or the node's own summary says so
//! ([`LoadCorridor::adopt`]).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use zeroize::Zeroizing;

use msez_protocol::corridor::agreement::{
    AFFIRMATIVE_COMMITMENT, AGREEMENT_ATTESTATION, AgreementError, AgreementRule,
    CorridorDefinition, DEFINITION_ATTESTATION, TrustAnchor, issue_agreement_credential,
    issue_definition_credential,
};
use msez_protocol::corridor::lifecycle::{TransitionKind, transition_consent};
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, JurisdictionId};
use msez_protocol::keys::DidKey;
use msez_protocol::keys::SigningKey;
use msez_protocol::policy::SigningPolicy;
use msez_protocol::receipt::{DigestSet, Genesis, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::CredentialTerms;
use msez_protocol::vc::subjects::CorridorLifecycleState;

use super::error::LoadError;

/// Receipt signatures required. One of two keeps the client's signing cost (about 25 µs per
/// signature) and the node's verification cost (about 50 µs) at one signature per receipt on a
/// shared two-core machine; the policy still names both parties, so k-of-n is exercised.
pub const RECEIPT_SIGNATURE_THRESHOLD: u32 = 1;

/// A signed receipt ready to send: its JSON body was serialised before the request, off the
/// timed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedAppend {
    /// The receipt's sequence.
    pub sequence: u64,
    /// Its `prev_root`.
    pub prev_root: Digest,
    /// Its `next_root`: what the node must acknowledge.
    pub next_root: Digest,
    /// Its timestamp.
    pub timestamp: Timestamp,
    /// The signed receipt as JSON.
    pub body: Vec<u8>,
}

/// The jurisdictions every generated corridor joins.
pub const JURISDICTIONS: [&str; 2] = ["PK", "AE"];

/// Keys shared by every corridor of a run: one regulator per jurisdiction (activation needs
/// each one's consent) and one authority (suspend, halt, deprecate). A zone has a handful of
/// these, not one per corridor.
#[derive(Debug)]
pub struct ZoneKeys {
    /// Regulators, in the order of [`JURISDICTIONS`].
    pub regulators: [SigningKey; 2],
    /// The corridor authority.
    pub authority: SigningKey,
}

impl ZoneKeys {
    /// Fresh keys from the operating system's random source.
    pub fn generate() -> Result<Self, LoadError> {
        Ok(Self {
            regulators: [random_key()?, random_key()?],
            authority: random_key()?,
        })
    }

    /// `{jurisdiction: regulator did}`.
    pub fn regulator_dids(&self) -> BTreeMap<&'static str, DidKey> {
        JURISDICTIONS
            .iter()
            .zip(&self.regulators)
            .map(|(jurisdiction, key)| (*jurisdiction, *key.did()))
            .collect()
    }
}

/// A generated corridor and the head the generator believes in.
#[derive(Debug)]
pub struct LoadCorridor {
    /// Position in the run (0-based); names the corridor in the ledger.
    pub corridor_index: usize,
    corridor_id: CorridorId,
    parties: [SigningKey; 2],
    definition: CorridorDefinition,
    height: u64,
    head: Digest,
    last_timestamp: Option<Timestamp>,
}

/// `key` is trusted for `kinds` of attestation.
fn anchor(key: &SigningKey, kinds: &[&str]) -> TrustAnchor {
    TrustAnchor {
        did: *key.did(),
        allowed_attestations: kinds.iter().map(|kind| (*kind).to_owned()).collect(),
    }
}

/// The system clock as a protocol timestamp (whole seconds).
pub fn now() -> Result<Timestamp, LoadError> {
    let clock = |reason: String| LoadError::Clock { reason };
    let unix_seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|error| clock(error.to_string()))?
        .as_secs();
    let unix_seconds = i64::try_from(unix_seconds).map_err(|error| clock(error.to_string()))?;
    Timestamp::from_unix_seconds(unix_seconds).map_err(|error| clock(error.to_string()))
}

impl LoadCorridor {
    /// Generates corridor `corridor_index` of run `run_id` with two fresh party keys from the
    /// operating system's random source.
    pub fn generate(run_id: &str, corridor_index: usize) -> Result<Self, LoadError> {
        let parties = [random_key()?, random_key()?];
        Self::with_keys(run_id, corridor_index, parties)
    }

    /// Builds corridor `corridor_index` of run `run_id` with the given party keys.
    pub fn with_keys(
        run_id: &str,
        corridor_index: usize,
        parties: [SigningKey; 2],
    ) -> Result<Self, LoadError> {
        let generate = |what, reason: String| LoadError::Generate {
            corridor_index,
            what,
            reason,
        };
        let corridor_id = CorridorId::new(format!("load-{run_id}-{corridor_index:06}"))
            .map_err(|error| generate("corridor id", error.to_string()))?;
        let jurisdiction = |code: &str| {
            JurisdictionId::new(code)
                .map_err(|error| generate("jurisdiction id", error.to_string()))
        };
        let party_dids: BTreeSet<_> = parties.iter().map(|key| *key.did()).collect();
        let definition = CorridorDefinition {
            corridor_id: corridor_id.clone(),
            jurisdiction_ids: JURISDICTIONS
                .iter()
                .map(|code| jurisdiction(code))
                .collect::<Result<_, _>>()?,
            settlement_model: "deferred_net".to_owned(),
            settlement_transfer_max_minor: BTreeMap::from([("PKR".to_owned(), 1_000_000_000)]),
            required_attestations: BTreeSet::new(),
            trust_anchors: vec![
                anchor(
                    &parties[0],
                    &[AGREEMENT_ATTESTATION, DEFINITION_ATTESTATION],
                ),
                anchor(&parties[1], &[AGREEMENT_ATTESTATION]),
            ],
            key_rotation_overlap_seconds: 86_400,
            dispute_path: "DIFC-LCIA".to_owned(),
            receipt_signature_threshold: RECEIPT_SIGNATURE_THRESHOLD,
            receipt_signers: party_dids.clone(),
            watcher_quorum: 1,
            checkpoint_interval_receipts: 1_000,
            agreement_rules: vec![AgreementRule {
                rule_id: "parties".to_owned(),
                threshold_count: 2,
                parties: party_dids,
            }],
        };
        Ok(Self {
            corridor_index,
            corridor_id,
            parties,
            definition,
            height: 0,
            head: Digest::from_bytes([0; 32]),
            last_timestamp: None,
        })
    }

    /// The corridor's id.
    pub fn corridor_id(&self) -> &CorridorId {
        &self.corridor_id
    }

    /// Its definition.
    pub fn definition(&self) -> &CorridorDefinition {
        &self.definition
    }

    /// The entity ids the corridor names as its parties, one per side. Load runs do not create
    /// them in Mass: a sanctions sweep during a run reports them unscreened, never halts.
    pub fn party_entity_ids(&self) -> [String; 2] {
        ["a", "b"].map(|side| format!("load-party-{}-{side}", self.corridor_index))
    }

    /// Party 0's definition credential (no lawpacks or rulesets at genesis), issued at
    /// `signed_at`.
    pub fn definition_credential(&self, signed_at: Timestamp) -> Result<Value, LoadError> {
        let issuer = &self.parties[0];
        let terms = CredentialTerms::issued_by(*issuer.did(), signed_at);
        issue_definition_credential(&self.definition, vec![], vec![], terms, issuer, signed_at)
            .map_err(|error| self.generate_error("definition credential", &error))
    }

    /// Both parties' affirmative agreement credentials, issued at `signed_at`.
    pub fn agreements(&self, signed_at: Timestamp) -> Result<Vec<Value>, LoadError> {
        self.parties
            .iter()
            .map(|party| {
                let terms = CredentialTerms::issued_by(*party.did(), signed_at);
                let commitment = AFFIRMATIVE_COMMITMENT;
                issue_agreement_credential(&self.definition, commitment, terms, party, signed_at)
                    .map_err(|error| self.generate_error("agreement", &error))
            })
            .collect()
    }

    fn generate_error(&self, what: &'static str, error: &AgreementError) -> LoadError {
        LoadError::Generate {
            corridor_index: self.corridor_index,
            what,
            reason: error.to_string(),
        }
    }

    /// Every regulator's consent to activate the corridor from PENDING, issued at `issued_at`.
    pub fn activation_approvals(
        &self,
        zone_keys: &ZoneKeys,
        issued_at: Timestamp,
    ) -> Result<Vec<serde_json::Value>, LoadError> {
        zone_keys
            .regulators
            .iter()
            .map(|regulator| {
                transition_consent(
                    &self.corridor_id,
                    CorridorLifecycleState::Pending,
                    TransitionKind::Activate,
                    regulator,
                    issued_at,
                )
                .map_err(|error| LoadError::Generate {
                    corridor_index: self.corridor_index,
                    what: "activation approval",
                    reason: error.to_string(),
                })
            })
            .collect()
    }

    /// The receipt-signing policy the definition states (both parties, threshold 1).
    pub fn policy(&self) -> Result<SigningPolicy, LoadError> {
        SigningPolicy::new(
            RECEIPT_SIGNATURE_THRESHOLD,
            self.parties.iter().map(|key| *key.did()).collect(),
        )
        .map_err(|error| LoadError::Generate {
            corridor_index: self.corridor_index,
            what: "signing policy",
            reason: error.to_string(),
        })
    }

    /// A genesis object for this corridor with empty digest sets, as a node would build it
    /// from the definition; used to check exports generated without a node.
    pub fn genesis(&self, agreement_set_sha256: Digest) -> Result<Genesis, LoadError> {
        let definition_payload_sha256 =
            self.definition
                .payload_sha256()
                .map_err(|error| LoadError::Generate {
                    corridor_index: self.corridor_index,
                    what: "definition digest",
                    reason: error.to_string(),
                })?;
        Ok(Genesis::new(
            self.corridor_id.clone(),
            definition_payload_sha256,
            agreement_set_sha256,
            DigestSet::default(),
            DigestSet::default(),
        ))
    }

    /// Starts the chain at its genesis root (height 0).
    pub fn start_at(&mut self, genesis_root: Digest) {
        self.height = 0;
        self.head = genesis_root;
        self.last_timestamp = None;
    }

    /// The height the generator believes in.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The head the generator believes in.
    pub fn head(&self) -> Digest {
        self.head
    }

    /// Checkpoints every `receipt_count` receipts instead of every 1,000 (before creation:
    /// it changes the definition, and so the genesis root).
    pub fn with_checkpoint_interval(mut self, receipt_count: u64) -> Self {
        self.definition.checkpoint_interval_receipts = receipt_count;
        self
    }

    /// Signs the receipt that extends the believed head, dated `now` (or the last receipt's
    /// time if the clock went back), carrying a small `load.payment` transition.
    pub fn sign_next(&self, now: Timestamp) -> Result<PreparedAppend, LoadError> {
        let payload = json!({
            "amount_minor": (self.height % 1_000) + 1,
            "currency": "PKR",
            "reference": format!("{}-{}", self.corridor_index, self.height),
        });
        self.sign_next_with(now, "load.payment", payload)
    }

    /// Signs the receipt that extends the believed head with a transition of `kind` carrying
    /// `payload` (an `obligation` books one into the corridor's netting book).
    pub fn sign_next_with(
        &self,
        now: Timestamp,
        kind: &str,
        payload: serde_json::Value,
    ) -> Result<PreparedAppend, LoadError> {
        let sign = |reason: String| LoadError::Sign {
            corridor_id: self.corridor_id.to_string(),
            sequence: self.height,
            reason,
        };
        let timestamp = self.last_timestamp.map_or(now, |last| last.max(now));
        let transition = Transition::new(kind, payload).map_err(|error| sign(error.to_string()))?;
        let receipt = Receipt {
            receipt_type: ReceiptType::CorridorStateReceipt,
            corridor_id: self.corridor_id.clone(),
            sequence: self.height,
            timestamp,
            prev_root: self.head,
            next_root: Digest::from_bytes([0; 32]),
            lawpack_digest_set: DigestSet::default(),
            ruleset_digest_set: DigestSet::default(),
            transition: Some(transition),
        };
        let signed = SignedReceipt::seal_and_sign(receipt, &[&self.parties[0]], timestamp)
            .map_err(|error| sign(error.to_string()))?;
        // The canonical form is the wire form: written straight from the typed receipt.
        let body = signed
            .canonical_bytes()
            .map_err(|error| sign(error.to_string()))?
            .into_bytes();
        Ok(PreparedAppend {
            sequence: signed.document.sequence,
            prev_root: signed.document.prev_root,
            next_root: signed.document.next_root,
            timestamp,
            body,
        })
    }

    /// The node acknowledged `prepared`: the head moves to its root. Returns false (and
    /// changes nothing) if `prepared` does not extend the believed head.
    pub fn advance(&mut self, prepared: &PreparedAppend) -> bool {
        if prepared.sequence != self.height || prepared.prev_root != self.head {
            return false;
        }
        self.height += 1;
        self.head = prepared.next_root;
        self.last_timestamp = Some(prepared.timestamp);
        true
    }

    /// Takes the node's word for the head (after a reply was lost). The next receipt is dated
    /// no earlier than `not_before`, which the caller sets to the latest time it signed.
    pub fn adopt(&mut self, height: u64, head: Digest, not_before: Option<Timestamp>) {
        self.height = height;
        self.head = head;
        self.last_timestamp = not_before.max(self.last_timestamp);
    }
}

fn random_key() -> Result<SigningKey, LoadError> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut()).map_err(|error| LoadError::Random {
        reason: error.to_string(),
    })?;
    Ok(SigningKey::from_seed(&seed))
}
