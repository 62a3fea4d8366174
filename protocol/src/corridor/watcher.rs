//! Watchers (SPEC §11): who they are, their bonds, what they sign, and how they are slashed.
//!
//! Owns [`WatcherRegistry`] and [`WatcherStatus`] (the lifecycle registered → bonded → active →
//! (slashed | unbonding → deactivated | banned)), [`AttestationStatement`] and the signed
//! [`WatcherAttestation`] over (corridor, height, parent root, candidate root, observed head),
//! the typed [`SlashingEvidence`] ([`EquivocationEvidence`], [`FalseAttestationEvidence`],
//! [`AvailabilityEvidence`], rebuttable through [`SlashingClaim::rebut`], and
//! [`CollusionEvidence`]), [`SlashingOffence`] with its integer basis points, [`SlashingClaim`]
//! with its challenge window, [`execute_slash`], and [`WatcherError`].
//!
//! What a slash does to the lifecycle (SPEC §11 names the states, not the rule for a partial
//! slash; this is ours): collusion takes the whole bond and bans the watcher. Any other slash
//! takes its basis points and leaves the watcher where it was while it can still serve: an
//! active or bonded watcher whose remaining bond still meets the corridor's minimum
//! (`bond_minor_min`) stays active or bonded, and an unbonding watcher keeps leaving with what
//! remains. A watcher left with nothing, or active or bonded below the minimum, becomes
//! slashed (terminal: its attestations never count again, and what remains stays held for
//! claims still in their window). So one availability incident (100 bps) does not end a
//! well-bonded watcher's service, while an equivocation (10000 bps) always does.
//!
//! Never: slashes without evidence a verifier can check, slashes before the challenge window
//! closes, or rounds a slash up (basis points of the bond, rounded down, in u128).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::checkpoint::VerifiedCheckpoint;
use crate::digest::Digest;
use crate::ids::CorridorId;
use crate::keys::{DidKey, SigningKey};
use crate::proof::{
    Proof, ProofError, ProofPurpose, add_proof, create_proof, split_proofs, verify_proof,
};
use crate::time::Timestamp;
use crate::vc::subjects::{ObservedHead, WatcherAttestationSubject};

/// The `type` of an attestation document.
const ATTESTATION_TYPE: &str = "MSEZWatcherAttestation";

/// Basis points in a whole bond.
pub const BASIS_POINTS_WHOLE: u32 = 10_000;

/// Slash for one availability failure. SPEC §11 fixes 100 bps per incident.
pub const AVAILABILITY_SLASH_BPS_PER_INCIDENT: u32 = 100;

/// Watchers in one registry. 1,024 is far above any corridor's watcher set and bounds the work
/// of counting a quorum.
pub const WATCHERS_MAX: usize = 1_024;

/// Where a watcher is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WatcherStatus {
    /// Known, no stake yet.
    Registered,
    /// Stake posted, not yet serving.
    Bonded,
    /// Serving: its attestations count.
    Active,
    /// Leaving: stake still held for pending claims.
    Unbonding,
    /// Left; stake returned.
    Deactivated,
    /// Slashed to nothing, or below the corridor's minimum bond (terminal): its attestations
    /// no longer count.
    Slashed,
    /// Slashed whole for collusion and barred (terminal).
    Banned,
}

impl WatcherStatus {
    /// The status named `name` (its snake_case serialised name, e.g. `active`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "registered" => Some(Self::Registered),
            "bonded" => Some(Self::Bonded),
            "active" => Some(Self::Active),
            "unbonding" => Some(Self::Unbonding),
            "deactivated" => Some(Self::Deactivated),
            "slashed" => Some(Self::Slashed),
            "banned" => Some(Self::Banned),
            _ => None,
        }
    }
}

/// One watcher's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherRecord {
    /// Current status.
    pub status: WatcherStatus,
    /// Bonded stake in minor units.
    pub bond_minor: u64,
}

/// The watchers of a corridor, keyed by did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WatcherRegistry {
    watchers: BTreeMap<DidKey, WatcherRecord>,
}

/// What a watcher asserts about one height of one corridor.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct AttestationStatement {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The receipt sequence (chain height before append) attested.
    pub height: u64,
    /// The receipt's `prev_root`.
    pub parent_root: Digest,
    /// The receipt's `next_root` the watcher vouches for.
    pub candidate_root: Digest,
    /// The corridor head the watcher had observed when it signed (its height, head root and
    /// MMR root), the same value the watcher-attestation credential carries.
    pub observed_head: ObservedHead,
}

/// A statement signed by a watcher (eddsa-jcs-2022 over the attestation document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherAttestation {
    statement: AttestationStatement,
    watcher: DidKey,
    document: Value,
    proof: Proof,
}

/// Two attestations by one watcher for the same corridor, height and parent root but different
/// candidate roots: proof that the watcher equivocated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EquivocationEvidence {
    /// The attestation with the smaller candidate root.
    pub first: WatcherAttestation,
    /// The attestation with the larger candidate root.
    pub second: WatcherAttestation,
}

/// A signed attestation whose observed head contradicts a checkpoint of the same corridor at
/// the same height, signed under the corridor's receipt-signing policy: proof that the watcher
/// attested a head that was not the corridor's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FalseAttestationEvidence {
    /// The watcher's attestation.
    pub attestation: WatcherAttestation,
    /// The corridor's head at the attested height, verified under its signing policy.
    pub checkpoint: VerifiedCheckpoint,
}

/// Most missed heights one availability claim may list. 100 incidents already take the whole
/// bond (100 bps each); more would only add work.
pub const AVAILABILITY_INCIDENTS_MAX: usize = 100;

/// Heights of a corridor the watcher did not attest by `due_at`, each below the receipt count
/// of a checkpoint signed under the corridor's policy (so each receipt existed). Absence cannot
/// be signed, so the claim is rebuttable: during the challenge window the watcher removes an
/// incident by presenting its own signed attestation of that height created no later than
/// `due_at` ([`SlashingClaim::rebut`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvailabilityEvidence {
    /// The watcher accused.
    pub watcher: DidKey,
    /// The corridor's head, proving the missed receipts exist.
    pub checkpoint: VerifiedCheckpoint,
    /// The heights (receipt sequences) not attested, 1..=[`AVAILABILITY_INCIDENTS_MAX`] of them.
    pub missed_heights: std::collections::BTreeSet<u64>,
    /// When the attestations were due.
    pub due_at: Timestamp,
}

/// Fewest watchers that make a collusion: one watcher alone equivocates, two or more that sign
/// the same two branches serve one attack together.
pub const COLLUSION_WATCHERS_MIN: usize = 2;

/// Watchers that each signed both branches of the same fork: the same corridor, height and
/// parent root, and the same two candidate roots. An honest watcher never signs two roots for
/// one parent, so every member has equivocated; together they hold attestations on both sides,
/// which is what a split view needs (one verifier shown a quorum for each branch). Only
/// signatures are needed to check it. Built by [`CollusionEvidence::new`]: at least
/// [`COLLUSION_WATCHERS_MIN`] and at most [`WATCHERS_MAX`] distinct watchers, sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollusionEvidence {
    equivocations: Vec<EquivocationEvidence>,
}

/// What a slashing claim rests on; each kind is checked again when the claim executes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlashingEvidence {
    /// Two attestations of different branches (10000 bps). Boxed, like the other variant, so
    /// a claim stays small whichever evidence it holds.
    Equivocation(Box<EquivocationEvidence>),
    /// An attested head that is not the corridor's (5000 bps).
    FalseAttestation(Box<FalseAttestationEvidence>),
    /// Receipts the watcher did not attest in time (100 bps per incident).
    AvailabilityFailure(Box<AvailabilityEvidence>),
    /// Watchers that equivocated on one fork together (10000 bps and a ban for each).
    Collusion(Box<CollusionEvidence>),
}

/// A slashable offence and its severity (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlashingOffence {
    /// Attested two branches: 10000 bps.
    Equivocation,
    /// Attested a root that is not the corridor's: 5000 bps.
    FalseAttestation,
    /// Missed duties: 100 bps per incident, at most the whole bond.
    AvailabilityFailure {
        /// Incidents covered by the claim.
        incident_count: u32,
    },
    /// Colluded: 10000 bps and a ban.
    Collusion,
}

/// A claim to slash a watcher, open to challenge until `filed_at + challenge_window_seconds`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashingClaim {
    /// The watcher accused.
    pub watcher: DidKey,
    /// The evidence the claim rests on.
    pub evidence: SlashingEvidence,
    /// When the claim was filed.
    pub filed_at: Timestamp,
    /// How long the watcher may challenge it, in seconds.
    pub challenge_window_seconds: u32,
}

/// The result of an executed slash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlashOutcome {
    /// Basis points applied.
    pub slash_bps: u32,
    /// Stake taken, in minor units (rounded down).
    pub slashed_minor: u64,
    /// Stake left bonded.
    pub remaining_bond_minor: u64,
    /// The watcher's new status.
    pub status: WatcherStatus,
}

/// Why a watcher operation or an attestation was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WatcherError {
    /// The did is already registered.
    #[error("watcher {watcher} is already registered")]
    AlreadyRegistered {
        /// The watcher.
        watcher: DidKey,
    },
    /// The registry holds [`WATCHERS_MAX`] watchers.
    #[error("watcher registry is full ({WATCHERS_MAX} watchers)")]
    RegistryFull,
    /// The did is not registered.
    #[error("watcher {watcher} is not registered")]
    Unknown {
        /// The watcher.
        watcher: DidKey,
    },
    /// The lifecycle does not allow this move.
    #[error("watcher {watcher}: cannot go from {from:?} to {to:?}")]
    Transition {
        /// The watcher.
        watcher: DidKey,
        /// Current status.
        from: WatcherStatus,
        /// Requested status.
        to: WatcherStatus,
    },
    /// A bond of zero.
    #[error("watcher {watcher}: a bond must be more than 0 minor units")]
    EmptyBond {
        /// The watcher.
        watcher: DidKey,
    },
    /// The attestation document is malformed.
    #[error("watcher attestation: field {field} is missing or malformed")]
    AttestationField {
        /// The field.
        field: &'static str,
    },
    /// The attestation's proof is missing, malformed or does not verify.
    #[error("watcher attestation: {source}")]
    AttestationProof {
        /// The proof error.
        source: ProofError,
    },
    /// The observed head cannot be what a watcher attesting this statement saw.
    #[error("watcher attestation: {rule}")]
    ObservedHead {
        /// The rule broken.
        rule: &'static str,
    },
    /// The proof was made by someone other than the watcher named in the document.
    #[error("watcher attestation names {named} but is signed by {signer}")]
    SignerMismatch {
        /// The `watcher` field.
        named: DidKey,
        /// The proof's signer.
        signer: DidKey,
    },
    /// The two attestations do not show an equivocation.
    #[error("equivocation evidence: {reason}")]
    NotEquivocation {
        /// Which condition fails.
        reason: &'static str,
    },
    /// The claim names one watcher and its evidence accuses others.
    #[error(
        "slashing claim names {claimed} but its evidence accuses {}",
        .accused.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    EvidenceAboutAnother {
        /// The watcher the claim names.
        claimed: DidKey,
        /// The watchers the evidence accuses, sorted.
        accused: Vec<DidKey>,
    },
    /// The equivocations do not show a collusion.
    #[error("collusion evidence: {reason}")]
    NotCollusion {
        /// Which condition fails.
        reason: &'static str,
    },
    /// The attestation and checkpoint do not show a false attestation.
    #[error("false-attestation evidence: {reason}")]
    NotFalseAttestation {
        /// Which condition fails.
        reason: &'static str,
    },
    /// The missed heights do not make an availability claim.
    #[error("availability evidence: {reason}")]
    NotAvailabilityFailure {
        /// Which condition fails.
        reason: &'static str,
    },
    /// The attestation offered as a rebuttal does not answer an incident of the claim.
    #[error("rebuttal: {reason}")]
    NotRebuttal {
        /// Which condition fails.
        reason: &'static str,
    },
    /// The claim's challenge window is still open.
    #[error("slashing claim against {watcher} can execute at {executable_at}, not before")]
    ChallengeWindowOpen {
        /// The watcher.
        watcher: DidKey,
        /// When the window closes.
        executable_at: Timestamp,
    },
}

impl SlashingOffence {
    /// The slash in basis points of the bond (SPEC §11).
    pub fn slash_bps(&self) -> u32 {
        match self {
            Self::Equivocation | Self::Collusion => BASIS_POINTS_WHOLE,
            Self::FalseAttestation => BASIS_POINTS_WHOLE / 2,
            Self::AvailabilityFailure { incident_count } => incident_count
                .saturating_mul(AVAILABILITY_SLASH_BPS_PER_INCIDENT)
                .min(BASIS_POINTS_WHOLE),
        }
    }
}

/// `bond × bps / 10000`, rounded down, never more than the bond.
pub fn slash_amount_minor(bond_minor: u64, slash_bps: u32) -> u64 {
    let bps = u128::from(slash_bps.min(BASIS_POINTS_WHOLE));
    let slashed = u128::from(bond_minor) * bps / u128::from(BASIS_POINTS_WHOLE);
    u64::try_from(slashed).unwrap_or(bond_minor).min(bond_minor)
}

impl WatcherRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry holding `records` as they are (e.g. a snapshot given as evidence).
    pub fn from_records(records: BTreeMap<DidKey, WatcherRecord>) -> Result<Self, WatcherError> {
        if records.len() > WATCHERS_MAX {
            return Err(WatcherError::RegistryFull);
        }
        Ok(Self { watchers: records })
    }

    /// A watcher's record.
    pub fn get(&self, watcher: &DidKey) -> Option<&WatcherRecord> {
        self.watchers.get(watcher)
    }

    /// Whether the watcher is active with at least `bond_minor_min` bonded.
    pub fn counts(&self, watcher: &DidKey, bond_minor_min: u64) -> bool {
        self.watchers.get(watcher).is_some_and(|record| {
            record.status == WatcherStatus::Active && record.bond_minor >= bond_minor_min.max(1)
        })
    }

    /// Registers a new watcher.
    pub fn register(&mut self, watcher: DidKey) -> Result<(), WatcherError> {
        if self.watchers.contains_key(&watcher) {
            return Err(WatcherError::AlreadyRegistered { watcher });
        }
        if self.watchers.len() >= WATCHERS_MAX {
            return Err(WatcherError::RegistryFull);
        }
        self.watchers.insert(
            watcher,
            WatcherRecord {
                status: WatcherStatus::Registered,
                bond_minor: 0,
            },
        );
        Ok(())
    }

    /// Posts a bond: registered → bonded.
    pub fn bond(&mut self, watcher: &DidKey, bond_minor: u64) -> Result<(), WatcherError> {
        if bond_minor == 0 {
            return Err(WatcherError::EmptyBond { watcher: *watcher });
        }
        let record = self.move_status(watcher, WatcherStatus::Registered, WatcherStatus::Bonded)?;
        record.bond_minor = bond_minor;
        Ok(())
    }

    /// Starts serving: bonded → active.
    pub fn activate(&mut self, watcher: &DidKey) -> Result<(), WatcherError> {
        self.move_status(watcher, WatcherStatus::Bonded, WatcherStatus::Active)
            .map(|_| ())
    }

    /// Starts leaving: active → unbonding.
    pub fn begin_unbonding(&mut self, watcher: &DidKey) -> Result<(), WatcherError> {
        self.move_status(watcher, WatcherStatus::Active, WatcherStatus::Unbonding)
            .map(|_| ())
    }

    /// Finishes leaving: unbonding → deactivated, stake returned.
    pub fn deactivate(&mut self, watcher: &DidKey) -> Result<(), WatcherError> {
        let record = self.move_status(
            watcher,
            WatcherStatus::Unbonding,
            WatcherStatus::Deactivated,
        )?;
        record.bond_minor = 0;
        Ok(())
    }

    fn move_status(
        &mut self,
        watcher: &DidKey,
        from: WatcherStatus,
        to: WatcherStatus,
    ) -> Result<&mut WatcherRecord, WatcherError> {
        let record = self
            .watchers
            .get_mut(watcher)
            .ok_or(WatcherError::Unknown { watcher: *watcher })?;
        if record.status != from {
            return Err(WatcherError::Transition {
                watcher: *watcher,
                from: record.status,
                to,
            });
        }
        record.status = to;
        Ok(record)
    }
}

impl WatcherAttestation {
    /// Signs `statement` as `watcher_key` at `created`. An honest watcher never signs an
    /// observed head that contradicts its statement, so this refuses one
    /// ([`AttestationStatement::check_observed_head`]).
    pub fn sign(
        statement: AttestationStatement,
        watcher_key: &SigningKey,
        created: Timestamp,
    ) -> Result<Self, WatcherError> {
        statement.check_observed_head()?;
        Self::sign_statement(statement, watcher_key, created)
    }

    /// Signs any statement, even one whose observed head breaks the rules: what a dishonest or
    /// broken watcher can produce, for tests of those who judge attestations.
    #[cfg(test)]
    pub(crate) fn sign_unchecked(
        statement: AttestationStatement,
        watcher_key: &SigningKey,
        created: Timestamp,
    ) -> Result<Self, WatcherError> {
        Self::sign_statement(statement, watcher_key, created)
    }

    fn sign_statement(
        statement: AttestationStatement,
        watcher_key: &SigningKey,
        created: Timestamp,
    ) -> Result<Self, WatcherError> {
        let watcher = *watcher_key.did();
        let document = attestation_document(&statement, &watcher);
        let proof = create_proof(
            &document,
            watcher_key,
            created,
            ProofPurpose::AssertionMethod,
        )
        .map_err(|source| WatcherError::AttestationProof { source })?;
        Ok(Self {
            statement,
            watcher,
            document,
            proof,
        })
    }

    /// Parses a secured attestation document. The signature and the observed head are judged
    /// later by whoever counts the attestation (`fork::resolve_fork` verifies in a batch and
    /// reports a head that breaks a rule as that attestation's rejection); here only the shape
    /// and that the proof names the watcher.
    pub fn from_json(secured: &Value) -> Result<Self, WatcherError> {
        let (document, proofs) =
            split_proofs(secured).map_err(|source| WatcherError::AttestationProof { source })?;
        let [proof] =
            <[Proof; 1]>::try_from(proofs).map_err(|_| WatcherError::AttestationProof {
                source: ProofError::MissingProof,
            })?;
        let field = |field| WatcherError::AttestationField { field };
        let text = |name: &'static str| {
            document
                .get(name)
                .and_then(Value::as_str)
                .ok_or(field(name))
        };
        let digest = |name: &'static str| {
            text(name).and_then(|hex| Digest::from_hex(hex).map_err(|_| field(name)))
        };
        if text("type")? != ATTESTATION_TYPE {
            return Err(field("type"));
        }
        let statement = AttestationStatement {
            corridor_id: CorridorId::new(text("corridor_id")?).map_err(|_| field("corridor_id"))?,
            height: document
                .get("height")
                .and_then(Value::as_u64)
                .ok_or(field("height"))?,
            parent_root: digest("parent_root")?,
            candidate_root: digest("candidate_root")?,
            observed_head: document
                .get("observed_head")
                .and_then(|head| serde_json::from_value(head.clone()).ok())
                .ok_or(field("observed_head"))?,
        };
        let watcher: DidKey = text("watcher")?.parse().map_err(|_| field("watcher"))?;
        if attestation_document(&statement, &watcher) != document {
            return Err(field("document"));
        }
        if proof.signer() != watcher {
            return Err(WatcherError::SignerMismatch {
                named: watcher,
                signer: proof.signer(),
            });
        }
        Ok(Self {
            statement,
            watcher,
            document,
            proof,
        })
    }

    /// The secured JSON document (with its proof).
    pub fn to_json(&self) -> Result<Value, WatcherError> {
        let mut secured = self.document.clone();
        add_proof(&mut secured, &self.proof)
            .map_err(|source| WatcherError::AttestationProof { source })?;
        Ok(secured)
    }

    /// Verifies the signature alone (batch callers use [`Self::signed_parts`]).
    pub fn verify(&self) -> Result<(), WatcherError> {
        verify_proof(&self.document, &self.proof)
            .map(|_| ())
            .map_err(|source| WatcherError::AttestationProof { source })
    }

    /// The unsecured document and its proof, for batch verification.
    pub fn signed_parts(&self) -> (&Value, &Proof) {
        (&self.document, &self.proof)
    }

    /// What is attested.
    pub fn statement(&self) -> &AttestationStatement {
        &self.statement
    }

    /// Who attested.
    pub fn watcher(&self) -> DidKey {
        self.watcher
    }
}

impl AttestationStatement {
    /// Checks the observed head against the attested receipt ([`ObservedHead::check_against`]).
    pub fn check_observed_head(&self) -> Result<(), WatcherError> {
        self.observed_head
            .check_against(
                &self.corridor_id,
                self.height,
                &self.parent_root,
                &self.candidate_root,
            )
            .map_err(|rule| WatcherError::ObservedHead { rule })
    }
}

impl WatcherAttestation {
    /// The `MSEZWatcherAttestationCredential` subject stating what this attestation states,
    /// observed at `observed_at`; issue it with `vc::issue` under the watcher's key.
    pub fn credential_subject(&self, observed_at: Timestamp) -> WatcherAttestationSubject {
        WatcherAttestationSubject {
            watcher: self.watcher,
            corridor_id: self.statement.corridor_id.clone(),
            sequence: self.statement.height,
            prev_root: self.statement.parent_root,
            next_root: self.statement.candidate_root,
            observed_head: self.statement.observed_head.clone(),
            observed_at,
        }
    }
}

/// The observed head as its JSON object (the credential subject's `observed_head`).
fn observed_head_value(head: &ObservedHead) -> Value {
    let mut value = json!({
        "corridor_id": head.corridor_id.as_str(),
        "height": head.height,
        "next_root": head.next_root.to_hex(),
    });
    if let (Some(mmr_root), Some(object)) = (head.mmr_root, value.as_object_mut()) {
        object.insert("mmr_root".to_owned(), json!(mmr_root.to_hex()));
    }
    value
}

fn attestation_document(statement: &AttestationStatement, watcher: &DidKey) -> Value {
    json!({
        "type": ATTESTATION_TYPE,
        "corridor_id": statement.corridor_id.as_str(),
        "height": statement.height,
        "parent_root": statement.parent_root.to_hex(),
        "candidate_root": statement.candidate_root.to_hex(),
        "observed_head": observed_head_value(&statement.observed_head),
        "watcher": watcher.to_string(),
    })
}

impl EquivocationEvidence {
    /// Checks two attestations show an equivocation (same watcher, corridor, height and parent,
    /// different candidate roots, both signatures valid) and orders them by candidate root.
    pub fn new(a: WatcherAttestation, b: WatcherAttestation) -> Result<Self, WatcherError> {
        let not = |reason| WatcherError::NotEquivocation { reason };
        if a.watcher != b.watcher {
            return Err(not("the attestations are by different watchers"));
        }
        let (sa, sb) = (&a.statement, &b.statement);
        if sa.corridor_id != sb.corridor_id || sa.height != sb.height {
            return Err(not(
                "the attestations are for different corridors or heights",
            ));
        }
        if sa.parent_root != sb.parent_root {
            return Err(not("the attestations extend different parent roots"));
        }
        if sa.candidate_root == sb.candidate_root {
            return Err(not("the attestations vouch for the same candidate root"));
        }
        a.verify()?;
        b.verify()?;
        let (first, second) = if sa.candidate_root < sb.candidate_root {
            (a, b)
        } else {
            (b, a)
        };
        Ok(Self { first, second })
    }

    /// The watcher who equivocated.
    pub fn watcher(&self) -> DidKey {
        self.first.watcher
    }
}

impl FalseAttestationEvidence {
    /// Checks the attestation is validly signed and that its observed head, at the
    /// checkpoint's height of the same corridor, differs from the checkpoint's head root or
    /// MMR root.
    pub fn new(
        attestation: WatcherAttestation,
        checkpoint: VerifiedCheckpoint,
    ) -> Result<Self, WatcherError> {
        let not = |reason| WatcherError::NotFalseAttestation { reason };
        let head = &attestation.statement.observed_head;
        let trusted = checkpoint.checkpoint();
        if head.corridor_id != trusted.corridor_id {
            return Err(not("the checkpoint is of another corridor"));
        }
        if head.height != trusted.receipt_count {
            return Err(not("the checkpoint is at another height"));
        }
        if head.next_root == trusted.final_state_root && head.mmr_root == trusted.mmr.root {
            return Err(not("the observed head is the checkpoint's head"));
        }
        attestation.verify()?;
        Ok(Self {
            attestation,
            checkpoint,
        })
    }
}

impl AvailabilityEvidence {
    /// Checks the incidents: at least one, at most [`AVAILABILITY_INCIDENTS_MAX`], each a
    /// height the checkpoint covers.
    pub fn check(&self) -> Result<(), WatcherError> {
        let not = |reason| WatcherError::NotAvailabilityFailure { reason };
        if self.missed_heights.is_empty() {
            return Err(not("no missed heights are listed"));
        }
        if self.missed_heights.len() > AVAILABILITY_INCIDENTS_MAX {
            return Err(not("more missed heights than AVAILABILITY_INCIDENTS_MAX"));
        }
        let receipt_count = self.checkpoint.checkpoint().receipt_count;
        if self
            .missed_heights
            .iter()
            .any(|&height| height >= receipt_count)
        {
            return Err(not("a missed height is not covered by the checkpoint"));
        }
        Ok(())
    }

    fn incident_count(&self) -> u32 {
        u32::try_from(self.missed_heights.len()).unwrap_or(u32::MAX)
    }
}

impl CollusionEvidence {
    /// Checks the equivocations show a collusion: between [`COLLUSION_WATCHERS_MIN`] and
    /// [`WATCHERS_MAX`] of them (the count is checked before any signature), each a valid
    /// equivocation, by distinct watchers, all over the same corridor, height, parent root and
    /// pair of candidate roots. Sorts them by watcher.
    pub fn new(mut equivocations: Vec<EquivocationEvidence>) -> Result<Self, WatcherError> {
        let not = |reason| WatcherError::NotCollusion { reason };
        if equivocations.len() > WATCHERS_MAX {
            return Err(not("more equivocations than WATCHERS_MAX"));
        }
        if equivocations.len() < COLLUSION_WATCHERS_MIN {
            return Err(not("fewer than two watchers cannot collude"));
        }
        equivocations.sort_by_key(EquivocationEvidence::watcher);
        if equivocations
            .windows(2)
            .any(|pair| pair[0].watcher() == pair[1].watcher())
        {
            return Err(not("a watcher appears twice"));
        }
        let fork_of = |evidence: &EquivocationEvidence| {
            let (first, second) = (&evidence.first.statement, &evidence.second.statement);
            (
                first.corridor_id.clone(),
                first.height,
                first.parent_root,
                first.candidate_root,
                second.candidate_root,
            )
        };
        let fork = equivocations.first().map(fork_of);
        if equivocations
            .iter()
            .any(|evidence| Some(fork_of(evidence)) != fork)
        {
            return Err(not(
                "the equivocations are not over the same fork and the same two roots",
            ));
        }
        let checked = equivocations
            .into_iter()
            .map(|evidence| EquivocationEvidence::new(evidence.first, evidence.second))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            equivocations: checked,
        })
    }

    /// The colluding watchers, sorted.
    pub fn watchers(&self) -> Vec<DidKey> {
        self.equivocations
            .iter()
            .map(EquivocationEvidence::watcher)
            .collect()
    }

    /// Each watcher's equivocation, sorted by watcher.
    pub fn equivocations(&self) -> &[EquivocationEvidence] {
        &self.equivocations
    }
}

impl SlashingEvidence {
    /// Re-checks the evidence and returns the offence it proves and the watchers it accuses
    /// (one, except for a collusion), sorted.
    pub fn recheck(&self) -> Result<(SlashingOffence, Vec<DidKey>), WatcherError> {
        match self {
            Self::Equivocation(evidence) => {
                let evidence =
                    EquivocationEvidence::new(evidence.first.clone(), evidence.second.clone())?;
                Ok((SlashingOffence::Equivocation, vec![evidence.watcher()]))
            }
            Self::FalseAttestation(evidence) => {
                let evidence = FalseAttestationEvidence::new(
                    evidence.attestation.clone(),
                    evidence.checkpoint.clone(),
                )?;
                Ok((
                    SlashingOffence::FalseAttestation,
                    vec![evidence.attestation.watcher()],
                ))
            }
            Self::AvailabilityFailure(evidence) => {
                evidence.check()?;
                let incident_count = evidence.incident_count();
                Ok((
                    SlashingOffence::AvailabilityFailure { incident_count },
                    vec![evidence.watcher],
                ))
            }
            Self::Collusion(evidence) => {
                let evidence = CollusionEvidence::new(evidence.equivocations.clone())?;
                Ok((SlashingOffence::Collusion, evidence.watchers()))
            }
        }
    }
}

impl SlashingClaim {
    /// Answers an availability incident with the watcher's own attestation: if it is validly
    /// signed by the accused watcher, of the claim's corridor, for a listed height, and created
    /// no later than `due_at`, that height leaves the claim. Other claims have no rebuttal.
    pub fn rebut(&mut self, attestation: &WatcherAttestation) -> Result<(), WatcherError> {
        let not = |reason| WatcherError::NotRebuttal { reason };
        let SlashingEvidence::AvailabilityFailure(evidence) = &mut self.evidence else {
            return Err(not("only availability claims can be rebutted"));
        };
        if attestation.watcher != evidence.watcher {
            return Err(not("the attestation is by another watcher"));
        }
        let statement = &attestation.statement;
        if statement.corridor_id != evidence.checkpoint.checkpoint().corridor_id {
            return Err(not("the attestation is of another corridor"));
        }
        if !evidence.missed_heights.contains(&statement.height) {
            return Err(not(
                "the attestation is of a height the claim does not list",
            ));
        }
        if attestation.proof.created() > evidence.due_at {
            return Err(not("the attestation was created after due_at"));
        }
        attestation.verify()?;
        evidence.missed_heights.remove(&statement.height);
        Ok(())
    }

    /// When the challenge window closes and the claim may execute.
    pub fn executable_at(&self) -> Timestamp {
        self.filed_at
            .checked_add_seconds(i64::from(self.challenge_window_seconds))
            .unwrap_or(self.filed_at)
    }
}

/// Executes a slash once the window is closed: re-checks the evidence, takes the offence's
/// basis points of the bond (10000 for equivocation and collusion, 5000 for a false
/// attestation, 100 per unrebutted availability incident) and moves the watcher as the module
/// docs say: banned for collusion, slashed when nothing or, for an active or bonded watcher,
/// less than `bond_minor_min` remains, otherwise unchanged. `now` is the time of execution, an
/// argument like every time here.
pub fn execute_slash(
    registry: &mut WatcherRegistry,
    claim: &SlashingClaim,
    bond_minor_min: u64,
    now: Timestamp,
) -> Result<SlashOutcome, WatcherError> {
    let executable_at = claim.executable_at();
    if now < executable_at {
        return Err(WatcherError::ChallengeWindowOpen {
            watcher: claim.watcher,
            executable_at,
        });
    }
    let (offence, accused) = claim.evidence.recheck()?;
    if !accused.contains(&claim.watcher) {
        return Err(WatcherError::EvidenceAboutAnother {
            claimed: claim.watcher,
            accused,
        });
    }
    let record = registry
        .watchers
        .get_mut(&claim.watcher)
        .ok_or(WatcherError::Unknown {
            watcher: claim.watcher,
        })?;
    let slash_bps = offence.slash_bps();
    let slashed_minor = slash_amount_minor(record.bond_minor, slash_bps);
    let remaining_bond_minor = record.bond_minor - slashed_minor;
    let status = status_after_slash(record.status, offence, remaining_bond_minor, bond_minor_min)
        .ok_or(WatcherError::Transition {
        watcher: claim.watcher,
        from: record.status,
        to: match offence {
            SlashingOffence::Collusion => WatcherStatus::Banned,
            _ => WatcherStatus::Slashed,
        },
    })?;
    debug_assert!(remaining_bond_minor <= record.bond_minor);
    debug_assert!(status != WatcherStatus::Banned || remaining_bond_minor == 0);
    record.bond_minor = remaining_bond_minor;
    record.status = status;
    Ok(SlashOutcome {
        slash_bps,
        slashed_minor,
        remaining_bond_minor,
        status,
    })
}

/// The status after a slash leaves `remaining_bond_minor` (module docs), or `None` when a
/// watcher in `from` cannot be slashed for `offence`: only a bonded, active or unbonding
/// watcher holds stake to slash, and a slashed one can still be banned for collusion.
fn status_after_slash(
    from: WatcherStatus,
    offence: SlashingOffence,
    remaining_bond_minor: u64,
    bond_minor_min: u64,
) -> Option<WatcherStatus> {
    let serving = matches!(from, WatcherStatus::Bonded | WatcherStatus::Active);
    let holds_stake = serving || from == WatcherStatus::Unbonding;
    match offence {
        SlashingOffence::Collusion if holds_stake || from == WatcherStatus::Slashed => {
            Some(WatcherStatus::Banned)
        }
        _ if !holds_stake => None,
        _ if remaining_bond_minor == 0 => Some(WatcherStatus::Slashed),
        _ if serving && remaining_bond_minor < bond_minor_min => Some(WatcherStatus::Slashed),
        _ => Some(from),
    }
}

#[cfg(test)]
mod tests;
