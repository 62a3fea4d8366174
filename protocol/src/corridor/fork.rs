//! Forks (SPEC §8): detection, the fork alarm, deterministic resolution, equivocation evidence.
//!
//! Owns [`ReceiptHeader`], [`Fork`], [`detect_fork`], [`fork_alarm_credential`],
//! [`ForkPolicy`], [`resolve_fork`], [`ForkDecision`], [`Resolution`],
//! [`fork_resolution_credential`], [`fork_decision_credential`], [`fork_resolve_from_json`] and
//! [`ForkError`].
//!
//! Resolution is a pure function of the evidence: the fork, the attestations, the watcher
//! registry, the policy and any authority resolution credentials. It never reads a clock and never
//! looks at receipt timestamps, so a backdated branch gains nothing. Inputs are sorted and
//! identical copies collapsed first, so the decision does not depend on argument order:
//! 1. an attestation counts for a branch only if, in this order, it signs this corridor, this
//!    height and this parent root, and one branch's `next_root`; its observed head is one a
//!    watcher of that branch can have seen (`ObservedHead::check_against` with this fork and
//!    that branch: the same corridor, at least this height, the parent at this height, the
//!    branch's root one above it); its watcher is active and bonded at least `bond_minor_min`;
//!    its signature verifies (batch verification, with a strict single-verify fallback that
//!    names the bad item); and its watcher did not equivocate. Every attestation that does not
//!    count is reported once with the first rule it breaks ([`AttestationRejection`]);
//! 2. the branch with at least `quorum_threshold` distinct counted watchers wins, if the other
//!    branch does not also reach it;
//! 3. otherwise an authority quorum of fork-resolution credentials chooses, or the corridor stays
//!    halted;
//! 4. a watcher with a valid signature on both branches has equivocated, whatever its observed
//!    heads or standing: none of its attestations count, and it yields one
//!    [`EquivocationEvidence`].
//!
//! Never: drops the losing branch (the decision keeps both roots and every attestation's fate).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::corridor::watcher::{
    AttestationStatement, EquivocationEvidence, WatcherAttestation, WatcherError, WatcherRecord,
    WatcherRegistry, WatcherStatus,
};
use crate::digest::Digest;
use crate::ids::CorridorId;
use crate::keys::{DidKey, SigningKey};
use crate::proof::{ProofError, split_proofs, verify_proof, verify_proofs_batch};
use crate::time::Timestamp;
use crate::vc::subjects::{
    CredentialType, ForkAlarmSubject, ForkResolutionBasis, ForkResolutionSubject,
};
use crate::vc::{Credential, VcError};

/// Attestations one resolution examines. Each of at most [`super::watcher::WATCHERS_MAX`]
/// watchers may sign each of two branches, so twice that bounds an honest input; more is
/// rejected before any signature is checked.
pub const FORK_ATTESTATIONS_MAX: usize = 2 * super::watcher::WATCHERS_MAX;

/// Authority resolution credentials one resolution examines: far above any agreement's
/// authority set, and a bound on the single verifications they cost.
pub const FORK_RESOLUTIONS_MAX: usize = 64;

/// The fields of a verified receipt that fork detection needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptHeader {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// The receipt's sequence (the height it was appended at).
    pub sequence: u64,
    /// The head it extends.
    pub prev_root: Digest,
    /// The root it produces.
    pub next_root: Digest,
}

impl ReceiptHeader {
    /// The header of a receipt (its signatures are the caller's to have checked).
    pub fn of(receipt: &crate::receipt::Receipt) -> Self {
        Self {
            corridor_id: receipt.corridor_id.clone(),
            sequence: receipt.sequence,
            prev_root: receipt.prev_root,
            next_root: receipt.next_root,
        }
    }
}

/// Two receipts with the same (corridor, sequence, prev_root) and different next roots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fork {
    corridor_id: CorridorId,
    height: u64,
    parent_root: Digest,
    candidate_roots: [Digest; 2],
}

/// The resolution policy the agreement fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkPolicy {
    /// Distinct counted watchers a branch needs.
    pub quorum_threshold: u32,
    /// Minimum bond for a watcher's attestation to count.
    pub bond_minor_min: u64,
    /// Authorities whose fork-resolution credentials may choose a branch.
    pub authorities: BTreeSet<DidKey>,
    /// Distinct authorities that must choose the same branch.
    pub authority_threshold: u32,
}

/// How the fork ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A branch reached the watcher quorum alone.
    Quorum {
        /// The winning `next_root`.
        winner: Digest,
    },
    /// Authorities chose a branch.
    Authority {
        /// The chosen `next_root`.
        winner: Digest,
        /// The authorities that chose it, sorted.
        authorities: Vec<DidKey>,
    },
    /// Nobody decided: the corridor stays halted at this height.
    Halted {
        /// Why.
        reason: HaltReason,
    },
}

/// Why a fork stays unresolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HaltReason {
    /// No branch reached the quorum and no authority quorum chose.
    NoQuorum,
    /// Both branches reached the quorum (possible only with a threshold at or below half).
    BothBranchesReachedQuorum,
}

/// Why one attestation did not count, in the order the rules are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AttestationRejection {
    /// It attests another corridor.
    OtherCorridor,
    /// It attests another height.
    OtherHeight,
    /// It attests a receipt extending another parent root.
    OtherParentRoot,
    /// Its candidate root is neither branch.
    UnknownCandidate,
    /// Its observed head cannot be what a watcher of this branch saw.
    ObservedHead {
        /// The rule of `ObservedHead::check_against` it breaks.
        rule: &'static str,
    },
    /// Its watcher is not active with the minimum bond.
    WatcherNotCounted,
    /// Its signature does not verify.
    BadSignature,
    /// Its watcher attested both branches.
    Equivocated,
}

/// The decision, with every attestation's fate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForkDecision {
    /// The fork decided.
    pub fork: Fork,
    /// The outcome.
    pub resolution: Resolution,
    /// Per branch (in `fork.candidate_roots()` order), the counted watchers, sorted.
    pub counted: [Vec<DidKey>; 2],
    /// Attestations that did not count, each (watcher, candidate root, first rule broken)
    /// once, sorted.
    pub rejected: Vec<(DidKey, Digest, AttestationRejection)>,
    /// One piece of evidence per equivocating watcher, sorted by watcher.
    pub equivocations: Vec<EquivocationEvidence>,
}

/// Why a fork cannot be resolved at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForkError {
    /// More attestations than [`FORK_ATTESTATIONS_MAX`].
    #[error("fork resolution takes at most {FORK_ATTESTATIONS_MAX} attestations; got {count}")]
    TooManyAttestations {
        /// Attestations received.
        count: usize,
    },
    /// More resolution credentials than [`FORK_RESOLUTIONS_MAX`].
    #[error(
        "fork resolution takes at most {FORK_RESOLUTIONS_MAX} authority credentials; got {count}"
    )]
    TooManyResolutions {
        /// Credentials received.
        count: usize,
    },
    /// The two receipts are not a fork.
    #[error("receipts are not a fork: {reason}")]
    NotAFork {
        /// Which condition fails.
        reason: &'static str,
    },
    /// A resolution credential is malformed or not by a named authority.
    #[error("fork resolution credential {index}: {reason}")]
    ResolutionCredential {
        /// 0-based position.
        index: usize,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A resolution credential's proof fails.
    #[error("fork resolution credential {index}: {source}")]
    ResolutionProof {
        /// 0-based position.
        index: usize,
        /// The proof error.
        source: ProofError,
    },
    /// Building, issuing or reading a credential failed.
    #[error("fork credential: {source}")]
    Credential {
        /// The credential error.
        source: VcError,
    },
    /// The `msez fork resolve` input is malformed.
    #[error("fork resolve input: field {field} is missing or malformed")]
    InputField {
        /// Path of the field.
        field: String,
    },
    /// An attestation in the input is malformed.
    #[error("fork resolve input: attestations[{index}]: {source}")]
    InputAttestation {
        /// 0-based position.
        index: usize,
        /// What is wrong.
        source: WatcherError,
    },
}

impl Fork {
    /// The corridor.
    pub fn corridor_id(&self) -> &CorridorId {
        &self.corridor_id
    }

    /// The height both receipts claim.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The head both receipts extend.
    pub fn parent_root(&self) -> Digest {
        self.parent_root
    }

    /// The two next roots, ascending.
    pub fn candidate_roots(&self) -> [Digest; 2] {
        self.candidate_roots
    }

    /// The root of the other branch.
    fn other_root(&self, root: Digest) -> Digest {
        if root == self.candidate_roots[0] {
            self.candidate_roots[1]
        } else {
            self.candidate_roots[0]
        }
    }
}

/// The fork two receipts form, if they do: same corridor, sequence and prev_root, different
/// next_root. The order of the arguments does not matter.
pub fn detect_fork(a: &ReceiptHeader, b: &ReceiptHeader) -> Result<Fork, ForkError> {
    let not = |reason| ForkError::NotAFork { reason };
    if a.corridor_id != b.corridor_id {
        return Err(not("different corridors"));
    }
    if a.sequence != b.sequence {
        return Err(not("different sequences"));
    }
    if a.prev_root != b.prev_root {
        return Err(not("different prev_root"));
    }
    if a.next_root == b.next_root {
        return Err(not("same next_root (the same receipt)"));
    }
    let mut candidate_roots = [a.next_root, b.next_root];
    candidate_roots.sort();
    Ok(Fork {
        corridor_id: a.corridor_id.clone(),
        height: a.sequence,
        parent_root: a.prev_root,
        candidate_roots,
    })
}

/// Issues a fork-alarm credential (`MSEZForkAlarmCredential`, typed subject from `vc`).
pub fn fork_alarm_credential(
    fork: &Fork,
    issuer: &SigningKey,
    detected_at: Timestamp,
) -> Result<Value, ForkError> {
    let subject = ForkAlarmSubject {
        corridor_id: fork.corridor_id.clone(),
        sequence: fork.height,
        prev_root: fork.parent_root,
        next_root_a: fork.candidate_roots[0],
        next_root_b: fork.candidate_roots[1],
        detected_at,
    };
    issue_credential(&subject, issuer, detected_at)
}

/// Issues an authority's fork-resolution credential (`MSEZForkResolutionCredential`, basis
/// `authority_decision`) choosing `chosen_root`.
pub fn fork_resolution_credential(
    fork: &Fork,
    chosen_root: Digest,
    authority: &SigningKey,
    resolved_at: Timestamp,
) -> Result<Value, ForkError> {
    let subject = ForkResolutionSubject {
        corridor_id: fork.corridor_id.clone(),
        sequence: fork.height,
        prev_root: fork.parent_root,
        chosen_next_root: chosen_root,
        rejected_next_roots: vec![fork.other_root(chosen_root)],
        basis: ForkResolutionBasis::AuthorityDecision,
        evidence_digests: Vec::new(),
        resolved_at,
    };
    issue_credential(&subject, authority, resolved_at)
}

/// The zone's record of a decision that chose a branch: an `MSEZForkResolutionCredential`
/// whose basis is the rule that decided (`watcher_quorum` or `authority_decision`) and whose
/// single evidence digest is that of the canonical [`ForkDecision::to_json`], so a verifier
/// holding the decision checks what the credential rests on. `None` when no branch won.
pub fn fork_decision_credential(
    decision: &ForkDecision,
    issuer: &SigningKey,
    resolved_at: Timestamp,
) -> Result<Option<Value>, ForkError> {
    let (winner, basis) = match &decision.resolution {
        Resolution::Quorum { winner } => (*winner, ForkResolutionBasis::WatcherQuorum),
        Resolution::Authority { winner, .. } => (*winner, ForkResolutionBasis::AuthorityDecision),
        Resolution::Halted { .. } => return Ok(None),
    };
    let decision_sha256 = crate::canonical::CanonicalBytes::new(&decision.to_json())
        .map_err(|source| ForkError::Credential {
            source: VcError::Proof(ProofError::from(source)),
        })?
        .digest();
    let fork = &decision.fork;
    let subject = ForkResolutionSubject {
        corridor_id: fork.corridor_id.clone(),
        sequence: fork.height,
        prev_root: fork.parent_root,
        chosen_next_root: winner,
        rejected_next_roots: vec![fork.other_root(winner)],
        basis,
        evidence_digests: vec![decision_sha256],
        resolved_at,
    };
    issue_credential(&subject, issuer, resolved_at).map(Some)
}

fn issue_credential<S: crate::vc::subjects::CredentialSubject>(
    subject: &S,
    issuer: &SigningKey,
    issued_at: Timestamp,
) -> Result<Value, ForkError> {
    super::issue_typed(subject, issuer, issued_at)
        .map_err(|source| ForkError::Credential { source })
}

/// Resolves a fork from the evidence alone (see the module docs for the rules).
pub fn resolve_fork(
    fork: &Fork,
    attestations: &[WatcherAttestation],
    registry: &WatcherRegistry,
    policy: &ForkPolicy,
    authority_resolutions: &[Value],
) -> Result<ForkDecision, ForkError> {
    if attestations.len() > FORK_ATTESTATIONS_MAX {
        return Err(ForkError::TooManyAttestations {
            count: attestations.len(),
        });
    }
    if authority_resolutions.len() > FORK_RESOLUTIONS_MAX {
        return Err(ForkError::TooManyResolutions {
            count: authority_resolutions.len(),
        });
    }
    // Sorted with identical copies collapsed, so nothing below depends on input order; the
    // whole proof breaks ties between copies of one statement signed more than once.
    let mut sorted: Vec<(AttestationOrder, &WatcherAttestation)> = attestations
        .iter()
        .map(|attestation| (attestation_order(attestation), attestation))
        .collect();
    sorted.sort_by(|left, right| left.0.cmp(&right.0));
    sorted.dedup_by(|left, right| left.0 == right.0);
    let mut rejected = Vec::new();
    // Every attestation of one of this fork's branches, with the branch and the rule it breaks
    // before its signature is looked at (none: it counts if it verifies and its watcher did not
    // equivocate).
    let mut signed: Vec<(&WatcherAttestation, usize, Option<AttestationRejection>)> = Vec::new();
    for (_, attestation) in sorted {
        match branch_of(fork, attestation) {
            Ok(branch) => {
                let pending = counting_rule(fork, branch, attestation, registry, policy).err();
                signed.push((attestation, branch, pending));
            }
            Err(reason) => rejected.push((
                attestation.watcher(),
                attestation.statement().candidate_root,
                reason,
            )),
        }
    }
    let candidates: Vec<&WatcherAttestation> = signed.iter().map(|entry| entry.0).collect();
    let valid = verified(&candidates);
    let equivocations = equivocations(&signed, &valid);
    let equivocators: BTreeSet<DidKey> = equivocations
        .iter()
        .map(EquivocationEvidence::watcher)
        .collect();
    let mut counted: [BTreeSet<DidKey>; 2] = [BTreeSet::new(), BTreeSet::new()];
    for ((attestation, branch, pending), is_valid) in signed.iter().zip(&valid) {
        let watcher = attestation.watcher();
        let reason = match (pending, is_valid) {
            (Some(reason), _) => Some(*reason),
            (None, false) => Some(AttestationRejection::BadSignature),
            (None, true) if equivocators.contains(&watcher) => {
                Some(AttestationRejection::Equivocated)
            }
            (None, true) => None,
        };
        match reason {
            Some(reason) => rejected.push((watcher, fork.candidate_roots[*branch], reason)),
            None => {
                counted[*branch].insert(watcher);
            }
        }
    }
    rejected.sort();
    rejected.dedup();
    let threshold = usize::try_from(policy.quorum_threshold.max(1)).unwrap_or(usize::MAX);
    let reached = [counted[0].len() >= threshold, counted[1].len() >= threshold];
    let resolution = match reached {
        [true, false] => Resolution::Quorum {
            winner: fork.candidate_roots[0],
        },
        [false, true] => Resolution::Quorum {
            winner: fork.candidate_roots[1],
        },
        [true, true] => Resolution::Halted {
            reason: HaltReason::BothBranchesReachedQuorum,
        },
        [false, false] => authority_choice(fork, policy, authority_resolutions)?,
    };
    Ok(ForkDecision {
        fork: fork.clone(),
        resolution,
        counted: counted.map(|set| set.into_iter().collect()),
        rejected,
        equivocations,
    })
}

/// How attestations are ordered before resolution: watcher, statement, then the whole proof.
type AttestationOrder = (DidKey, AttestationStatement, String);

fn attestation_order(attestation: &WatcherAttestation) -> AttestationOrder {
    (
        attestation.watcher(),
        attestation.statement().clone(),
        attestation.signed_parts().1.to_value().to_string(),
    )
}

/// The branch (0 or 1, in `candidate_roots` order) an attestation signs, or the first identity
/// rule it breaks: this corridor, this height, this parent root, one of the two roots.
fn branch_of(fork: &Fork, attestation: &WatcherAttestation) -> Result<usize, AttestationRejection> {
    let statement = attestation.statement();
    if statement.corridor_id != fork.corridor_id {
        return Err(AttestationRejection::OtherCorridor);
    }
    if statement.height != fork.height {
        return Err(AttestationRejection::OtherHeight);
    }
    if statement.parent_root != fork.parent_root {
        return Err(AttestationRejection::OtherParentRoot);
    }
    fork.candidate_roots
        .iter()
        .position(|root| *root == statement.candidate_root)
        .ok_or(AttestationRejection::UnknownCandidate)
}

/// The counting rules checked before signatures: an observed head a watcher of `branch` can
/// have seen, then a counted watcher.
fn counting_rule(
    fork: &Fork,
    branch: usize,
    attestation: &WatcherAttestation,
    registry: &WatcherRegistry,
    policy: &ForkPolicy,
) -> Result<(), AttestationRejection> {
    let branch_root = fork.candidate_roots[branch];
    attestation
        .statement()
        .observed_head
        .check_against(
            &fork.corridor_id,
            fork.height,
            &fork.parent_root,
            &branch_root,
        )
        .map_err(|rule| AttestationRejection::ObservedHead { rule })?;
    if !registry.counts(&attestation.watcher(), policy.bond_minor_min) {
        return Err(AttestationRejection::WatcherNotCounted);
    }
    Ok(())
}

/// One piece of evidence per watcher with a valid signature on both branches, from the first
/// such attestation of each branch (in resolution order), sorted by watcher.
fn equivocations(
    signed: &[(&WatcherAttestation, usize, Option<AttestationRejection>)],
    valid: &[bool],
) -> Vec<EquivocationEvidence> {
    let mut first_valid: [BTreeMap<DidKey, &WatcherAttestation>; 2] =
        [BTreeMap::new(), BTreeMap::new()];
    for ((attestation, branch, _), is_valid) in signed.iter().zip(valid) {
        if *is_valid {
            first_valid[*branch]
                .entry(attestation.watcher())
                .or_insert(*attestation);
        }
    }
    let [branch_a, branch_b] = &first_valid;
    branch_a
        .iter()
        .filter_map(|(watcher, first)| {
            let second = branch_b.get(watcher)?;
            // Both signatures verified and the roots differ, so this cannot fail; a failure
            // would only drop evidence, never count an attestation.
            EquivocationEvidence::new((*first).clone(), (*second).clone()).ok()
        })
        .collect()
}

/// Which attestations verify: one batch; if the batch fails, each is verified on its own so a
/// bad signature rejects only itself.
fn verified(candidates: &[&WatcherAttestation]) -> Vec<bool> {
    let items: Vec<_> = candidates.iter().map(|a| a.signed_parts()).collect();
    if verify_proofs_batch(&items).is_ok() {
        return vec![true; candidates.len()];
    }
    candidates.iter().map(|a| a.verify().is_ok()).collect()
}

fn authority_choice(
    fork: &Fork,
    policy: &ForkPolicy,
    resolutions: &[Value],
) -> Result<Resolution, ForkError> {
    let mut chosen: BTreeMap<Digest, BTreeSet<DidKey>> = BTreeMap::new();
    for (index, credential) in resolutions.iter().enumerate() {
        let (authority, root) = check_resolution(fork, policy, index, credential)?;
        chosen.entry(root).or_default().insert(authority);
    }
    let threshold = usize::try_from(policy.authority_threshold.max(1)).unwrap_or(usize::MAX);
    let mut winners = chosen.into_iter().filter(|(_, set)| set.len() >= threshold);
    match (winners.next(), winners.next()) {
        (Some((winner, authorities)), None) => Ok(Resolution::Authority {
            winner,
            authorities: authorities.into_iter().collect(),
        }),
        _ => Ok(Resolution::Halted {
            reason: HaltReason::NoQuorum,
        }),
    }
}

/// Verifies one authority credential for this fork and returns (authority, chosen root).
fn check_resolution(
    fork: &Fork,
    policy: &ForkPolicy,
    index: usize,
    credential: &Value,
) -> Result<(DidKey, Digest), ForkError> {
    let bad = |reason| ForkError::ResolutionCredential { index, reason };
    let (document, proofs) =
        split_proofs(credential).map_err(|source| ForkError::ResolutionProof { index, source })?;
    let [proof] = proofs.as_slice() else {
        return Err(bad("must carry exactly one proof"));
    };
    let signer = verify_proof(&document, proof)
        .map_err(|source| ForkError::ResolutionProof { index, source })?;
    let parsed =
        Credential::from_value(credential).map_err(|source| ForkError::Credential { source })?;
    if parsed.issuer() != signer {
        return Err(bad("issuer is not the signer"));
    }
    if !policy.authorities.contains(&signer) {
        return Err(bad("issuer is not an authority the agreement names"));
    }
    if parsed.credential_type() != CredentialType::ForkResolution {
        return Err(bad("type is not MSEZForkResolutionCredential"));
    }
    let subject: ForkResolutionSubject = parsed
        .subject()
        .map_err(|source| ForkError::Credential { source })?;
    if subject.corridor_id != fork.corridor_id
        || subject.sequence != fork.height
        || subject.prev_root != fork.parent_root
    {
        return Err(bad("subject is about another fork"));
    }
    if subject.basis != ForkResolutionBasis::AuthorityDecision {
        return Err(bad("basis is not authority_decision"));
    }
    let chosen = subject.chosen_next_root;
    if !fork.candidate_roots.contains(&chosen) {
        return Err(bad("chosen_next_root is neither branch"));
    }
    Ok((signer, chosen))
}

impl ForkDecision {
    /// The branch that won (its `next_root`), or `None` when the fork stays halted.
    pub fn winner(&self) -> Option<Digest> {
        match &self.resolution {
            Resolution::Quorum { winner } | Resolution::Authority { winner, .. } => Some(*winner),
            Resolution::Halted { .. } => None,
        }
    }

    /// The `msez fork resolve` output.
    pub fn to_json(&self) -> Value {
        let (outcome, winner, reason, authorities) = match &self.resolution {
            Resolution::Quorum { winner } => ("quorum", Some(*winner), None, Vec::new()),
            Resolution::Authority {
                winner,
                authorities,
            } => ("authority", Some(*winner), None, authorities.clone()),
            Resolution::Halted { reason } => {
                let text = match reason {
                    HaltReason::NoQuorum => "no_quorum",
                    HaltReason::BothBranchesReachedQuorum => "both_branches_reached_quorum",
                };
                ("halted", None, Some(text), Vec::new())
            }
        };
        let dids = |set: &[DidKey]| set.iter().map(ToString::to_string).collect::<Vec<_>>();
        let branches: Vec<Value> = self
            .fork
            .candidate_roots
            .iter()
            .zip(&self.counted)
            .map(|(root, counted)| json!({"next_root": root.to_hex(), "attesters": dids(counted)}))
            .collect();
        let rejected: Vec<Value> = self
            .rejected
            .iter()
            .map(|(watcher, root, reason)| {
                let mut entry = json!({"watcher": watcher.to_string(),
                    "candidate_root": root.to_hex(), "reason": rejection_text(*reason)});
                if let (AttestationRejection::ObservedHead { rule }, Some(object)) =
                    (reason, entry.as_object_mut())
                {
                    object.insert("rule".to_owned(), json!(rule));
                }
                entry
            })
            .collect();
        let equivocations: Vec<Value> = self
            .equivocations
            .iter()
            .map(|evidence| {
                json!({"watcher": evidence.watcher().to_string(),
                       "first": evidence.first.to_json().unwrap_or(Value::Null),
                       "second": evidence.second.to_json().unwrap_or(Value::Null)})
            })
            .collect();
        json!({
            "corridor_id": self.fork.corridor_id.as_str(),
            "height": self.fork.height,
            "parent_root": self.fork.parent_root.to_hex(),
            "outcome": outcome,
            "winner": winner.map(|root| root.to_hex()),
            "halt_reason": reason,
            "authorities": dids(&authorities),
            "branches": branches,
            "rejected": rejected,
            "equivocations": equivocations,
        })
    }
}

fn rejection_text(reason: AttestationRejection) -> &'static str {
    match reason {
        AttestationRejection::OtherCorridor => "other_corridor",
        AttestationRejection::OtherHeight => "other_height",
        AttestationRejection::OtherParentRoot => "other_parent_root",
        AttestationRejection::UnknownCandidate => "unknown_candidate",
        AttestationRejection::ObservedHead { .. } => "observed_head_inconsistent",
        AttestationRejection::WatcherNotCounted => "watcher_not_active_or_bonded",
        AttestationRejection::BadSignature => "bad_signature",
        AttestationRejection::Equivocated => "equivocated",
    }
}

/// The pure step behind `msez fork resolve`. Input:
/// `{"branches":[{corridor_id,sequence,prev_root,next_root},{…}], "attestations":[secured
/// attestation, …], "watchers":[{did,status,bond}], "policy":{quorum_threshold, bond_minor_min,
/// authorities:[did], authority_threshold}, "authority_resolutions":[credential, …]}`
/// (`authority_resolutions` optional). Output: [`ForkDecision::to_json`].
pub fn fork_resolve_from_json(input: &Value) -> Result<ForkDecision, ForkError> {
    let field = |path: &str| ForkError::InputField {
        field: path.to_owned(),
    };
    let branches = input
        .get("branches")
        .and_then(Value::as_array)
        .filter(|branches| branches.len() == 2)
        .ok_or_else(|| field("branches"))?;
    let headers = branches
        .iter()
        .enumerate()
        .map(|(index, branch)| {
            header_from_json(branch).ok_or_else(|| field(&format!("branches[{index}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (Some(first), Some(second)) = (headers.first(), headers.get(1)) else {
        return Err(field("branches"));
    };
    let fork = detect_fork(first, second)?;
    let attestations = input
        .get("attestations")
        .and_then(Value::as_array)
        .ok_or_else(|| field("attestations"))?;
    if attestations.len() > FORK_ATTESTATIONS_MAX {
        return Err(ForkError::TooManyAttestations {
            count: attestations.len(),
        });
    }
    let attestations = attestations
        .iter()
        .enumerate()
        .map(|(index, value)| {
            WatcherAttestation::from_json(value)
                .map_err(|source| ForkError::InputAttestation { index, source })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let registry = registry_from_json(input.get("watchers")).map_err(|path| field(&path))?;
    let policy = policy_from_json(input.get("policy")).map_err(|path| field(&path))?;
    let resolutions = match input.get("authority_resolutions") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(field("authority_resolutions")),
    };
    resolve_fork(&fork, &attestations, &registry, &policy, &resolutions)
}

fn header_from_json(value: &Value) -> Option<ReceiptHeader> {
    let digest = |name| {
        value
            .get(name)?
            .as_str()
            .and_then(|hex| Digest::from_hex(hex).ok())
    };
    Some(ReceiptHeader {
        corridor_id: CorridorId::new(value.get("corridor_id")?.as_str()?).ok()?,
        sequence: value.get("sequence")?.as_u64()?,
        prev_root: digest("prev_root")?,
        next_root: digest("next_root")?,
    })
}

fn registry_from_json(value: Option<&Value>) -> Result<WatcherRegistry, String> {
    let items = value.and_then(Value::as_array).ok_or("watchers")?;
    let mut records = BTreeMap::new();
    for (index, item) in items.iter().enumerate() {
        let path = |name: &str| format!("watchers[{index}].{name}");
        let did: DidKey = item
            .get("did")
            .and_then(Value::as_str)
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| path("did"))?;
        let status = item
            .get("status")
            .and_then(Value::as_str)
            .and_then(WatcherStatus::parse)
            .ok_or_else(|| path("status"))?;
        let bond_minor = item
            .get("bond")
            .and_then(Value::as_u64)
            .ok_or_else(|| path("bond"))?;
        if records
            .insert(did, WatcherRecord { status, bond_minor })
            .is_some()
        {
            return Err(path("did"));
        }
    }
    WatcherRegistry::from_records(records).map_err(|_| "watchers".to_owned())
}

fn policy_from_json(value: Option<&Value>) -> Result<ForkPolicy, String> {
    let policy = value.ok_or("policy")?;
    let count = |name: &str| {
        policy
            .get(name)
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("policy.{name}"))
    };
    let authorities = policy
        .get("authorities")
        .and_then(Value::as_array)
        .ok_or("policy.authorities")?
        .iter()
        .map(|did| did.as_str().and_then(|text| text.parse().ok()))
        .collect::<Option<BTreeSet<DidKey>>>()
        .ok_or("policy.authorities")?;
    Ok(ForkPolicy {
        quorum_threshold: count("quorum_threshold")?,
        bond_minor_min: policy
            .get("bond_minor_min")
            .and_then(Value::as_u64)
            .ok_or("policy.bond_minor_min")?,
        authorities,
        authority_threshold: count("authority_threshold")?,
    })
}

#[cfg(test)]
mod tests;
