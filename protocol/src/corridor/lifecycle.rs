//! The corridor lifecycle: DRAFT → PENDING → ACTIVE; ACTIVE ⇄ SUSPENDED; ACTIVE → HALTED →
//! ACTIVE; ACTIVE/HALTED → DEPRECATED (terminal).
//!
//! Owns [`CorridorState`], [`TransitionKind`], [`TransitionEvidence`], [`LifecycleContext`],
//! [`transition`], [`lifecycle_transition_credential`] and [`LifecycleError`].
//!
//! Every transition demands typed evidence. Signed evidence is a corridor lifecycle-transition
//! credential (`MSEZCorridorLifecycleTransitionCredential`, subject `{corridor_id, from, to}`)
//! issued by the party whose consent the transition needs: each regulator for activation (all of
//! them, not one), an authority for suspend, resume, halt and deprecate. A halt may instead rest
//! on a fork-alarm credential; resuming a halted corridor needs a fork decision with a winner.
//! A successful transition yields a lifecycle-transition credential issued by the zone, whose
//! subject carries the digest of the evidence.
//!
//! Never: moves without evidence, or accepts a transition the table does not list; the error
//! lists the legal ones.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::canonical::CanonicalBytes;
use crate::corridor::fork::{FORK_ALARM_TYPE, ForkDecision, Resolution};
use crate::corridor::signed_credential;
use crate::digest::Digest;
use crate::ids::{CorridorId, JurisdictionId};
use crate::keys::{DidKey, SigningKey};
use crate::proof::{ProofError, split_proofs, verify_proof};
use crate::time::Timestamp;

/// Credential type of a lifecycle transition (and of the consents that request one).
pub const LIFECYCLE_TRANSITION_TYPE: &str = "MSEZCorridorLifecycleTransitionCredential";

/// Where a corridor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CorridorState {
    /// Being drafted.
    Draft,
    /// Submitted; waiting for the regulators.
    Pending,
    /// Accepting receipts.
    Active,
    /// Paused by an authority.
    Suspended,
    /// Stopped by a fork alarm or an authority.
    Halted,
    /// Retired (terminal).
    Deprecated,
}

/// The kinds of transition, each with its own evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TransitionKind {
    /// DRAFT → PENDING.
    Submit,
    /// PENDING → ACTIVE.
    Activate,
    /// ACTIVE → SUSPENDED.
    Suspend,
    /// SUSPENDED → ACTIVE.
    Resume,
    /// ACTIVE → HALTED.
    Halt,
    /// HALTED → ACTIVE.
    ResumeAfterFork,
    /// ACTIVE or HALTED → DEPRECATED.
    Deprecate,
}

/// What justifies a halt.
#[derive(Debug, Clone, PartialEq)]
pub enum HaltEvidence {
    /// A signed fork-alarm credential for this corridor.
    ForkAlarm(Value),
    /// An authority's signed transition consent.
    Authority(Value),
}

/// The evidence each transition needs.
#[derive(Debug, Clone, PartialEq)]
pub enum TransitionEvidence {
    /// The digest of the definition payload submitted.
    Submit {
        /// `definition_payload_sha256`.
        definition_payload_sha256: Digest,
    },
    /// One signed consent per regulator.
    Activate {
        /// Consents, one per regulator of the context.
        approvals: Vec<Value>,
    },
    /// An authority's signed consent.
    Suspend {
        /// The consent.
        order: Value,
    },
    /// An authority's signed consent.
    Resume {
        /// The consent.
        order: Value,
    },
    /// A fork alarm or an authority's consent.
    Halt(HaltEvidence),
    /// A fork decision that chose a branch.
    ResumeAfterFork {
        /// The decision.
        decision: Box<ForkDecision>,
    },
    /// An authority's signed consent.
    Deprecate {
        /// The consent.
        order: Value,
    },
}

/// Who may consent to what, for one corridor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleContext {
    /// The corridor.
    pub corridor_id: CorridorId,
    /// One regulator per jurisdiction; activation needs all of them.
    pub regulators: BTreeMap<JurisdictionId, DidKey>,
    /// Keys that may suspend, resume, halt, deprecate and raise fork alarms.
    pub authorities: BTreeSet<DidKey>,
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// The transition is not legal from this state.
    #[error("lifecycle: {requested:?} is not allowed from {from:?}; legal: {legal:?}")]
    IllegalTransition {
        /// Current state.
        from: CorridorState,
        /// Transition asked for.
        requested: TransitionKind,
        /// Transitions legal from `from`.
        legal: Vec<TransitionKind>,
    },
    /// Activation lacks a regulator's approval.
    #[error(
        "lifecycle: activation lacks the approval of the {jurisdiction_id} regulator {regulator}"
    )]
    MissingApproval {
        /// The jurisdiction.
        jurisdiction_id: JurisdictionId,
        /// Its regulator.
        regulator: DidKey,
    },
    /// A corridor needs at least two regulators before it can activate.
    #[error(
        "lifecycle: corridor {corridor_id} names {regulator_count} regulators; activation needs at least 2"
    )]
    TooFewRegulators {
        /// The corridor.
        corridor_id: CorridorId,
        /// Regulators named.
        regulator_count: usize,
    },
    /// A consent is signed by a key without the authority for it.
    #[error("lifecycle: {signer} has no authority for {requested:?} on corridor {corridor_id}")]
    NoAuthority {
        /// The signer.
        signer: DidKey,
        /// The transition.
        requested: TransitionKind,
        /// The corridor.
        corridor_id: CorridorId,
    },
    /// A consent or alarm is malformed or about something else.
    #[error("lifecycle: evidence for {requested:?}: {reason}")]
    Evidence {
        /// The transition.
        requested: TransitionKind,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A proof fails.
    #[error("lifecycle: evidence for {requested:?}: {source}")]
    Proof {
        /// The transition.
        requested: TransitionKind,
        /// The proof error.
        source: ProofError,
    },
}

impl CorridorState {
    /// The transitions legal from this state.
    pub fn legal_transitions(&self) -> &'static [TransitionKind] {
        use TransitionKind::*;
        match self {
            Self::Draft => &[Submit],
            Self::Pending => &[Activate],
            Self::Active => &[Suspend, Halt, Deprecate],
            Self::Suspended => &[Resume],
            Self::Halted => &[ResumeAfterFork, Deprecate],
            Self::Deprecated => &[],
        }
    }

    /// The lower-case name used in credentials.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Halted => "halted",
            Self::Deprecated => "deprecated",
        }
    }
}

impl TransitionKind {
    /// The state this transition leads to.
    pub fn target(&self) -> CorridorState {
        match self {
            Self::Submit => CorridorState::Pending,
            Self::Activate | Self::Resume | Self::ResumeAfterFork => CorridorState::Active,
            Self::Suspend => CorridorState::Suspended,
            Self::Halt => CorridorState::Halted,
            Self::Deprecate => CorridorState::Deprecated,
        }
    }
}

impl TransitionEvidence {
    /// The transition this evidence supports.
    pub fn kind(&self) -> TransitionKind {
        match self {
            Self::Submit { .. } => TransitionKind::Submit,
            Self::Activate { .. } => TransitionKind::Activate,
            Self::Suspend { .. } => TransitionKind::Suspend,
            Self::Resume { .. } => TransitionKind::Resume,
            Self::Halt(_) => TransitionKind::Halt,
            Self::ResumeAfterFork { .. } => TransitionKind::ResumeAfterFork,
            Self::Deprecate { .. } => TransitionKind::Deprecate,
        }
    }
}

/// Checks the evidence and returns the new state.
pub fn transition(
    from: CorridorState,
    evidence: &TransitionEvidence,
    context: &LifecycleContext,
) -> Result<CorridorState, LifecycleError> {
    let requested = evidence.kind();
    if !from.legal_transitions().contains(&requested) {
        return Err(LifecycleError::IllegalTransition {
            from,
            requested,
            legal: from.legal_transitions().to_vec(),
        });
    }
    let to = requested.target();
    match evidence {
        TransitionEvidence::Submit { .. } => {}
        TransitionEvidence::Activate { approvals } => check_approvals(from, approvals, context)?,
        TransitionEvidence::Suspend { order }
        | TransitionEvidence::Resume { order }
        | TransitionEvidence::Deprecate { order }
        | TransitionEvidence::Halt(HaltEvidence::Authority(order)) => {
            let signer = check_consent(order, from, requested, context)?;
            if !context.authorities.contains(&signer) {
                return Err(LifecycleError::NoAuthority {
                    signer,
                    requested,
                    corridor_id: context.corridor_id.clone(),
                });
            }
        }
        TransitionEvidence::Halt(HaltEvidence::ForkAlarm(alarm)) => check_alarm(alarm, context)?,
        TransitionEvidence::ResumeAfterFork { decision } => {
            let evidence_error = |reason| LifecycleError::Evidence { requested, reason };
            if decision.fork.corridor_id() != &context.corridor_id {
                return Err(evidence_error(
                    "the fork decision is about another corridor",
                ));
            }
            if matches!(decision.resolution, Resolution::Halted { .. }) {
                return Err(evidence_error("the fork decision chose no branch"));
            }
        }
    }
    Ok(to)
}

/// Verifies a consent credential and returns its signer.
fn check_consent(
    consent: &Value,
    from: CorridorState,
    requested: TransitionKind,
    context: &LifecycleContext,
) -> Result<DidKey, LifecycleError> {
    let signer = verified_signer(consent, LIFECYCLE_TRANSITION_TYPE, requested)?;
    let expected = json!({
        "corridor_id": context.corridor_id.as_str(),
        "from": from.as_str(),
        "to": requested.target().as_str(),
    });
    if consent.get("credentialSubject") != Some(&expected) {
        return Err(LifecycleError::Evidence {
            requested,
            reason: "consent subject is not {corridor_id, from, to} of this transition",
        });
    }
    Ok(signer)
}

/// Verifies the single proof of a credential of `credential_type` issued by its signer.
fn verified_signer(
    credential: &Value,
    credential_type: &str,
    requested: TransitionKind,
) -> Result<DidKey, LifecycleError> {
    let proof_error = |source| LifecycleError::Proof { requested, source };
    let evidence_error = |reason| LifecycleError::Evidence { requested, reason };
    let (document, proofs) = split_proofs(credential).map_err(proof_error)?;
    let [proof] = proofs.as_slice() else {
        return Err(evidence_error("credential must carry exactly one proof"));
    };
    let signer = verify_proof(&document, proof).map_err(proof_error)?;
    if document.get("issuer").and_then(Value::as_str) != Some(signer.to_string().as_str()) {
        return Err(evidence_error("credential issuer is not its signer"));
    }
    let types = document.get("type").and_then(Value::as_array);
    if !types.is_some_and(|types| types.iter().any(|t| t == credential_type)) {
        return Err(evidence_error("credential has the wrong type"));
    }
    Ok(signer)
}

fn check_approvals(
    from: CorridorState,
    approvals: &[Value],
    context: &LifecycleContext,
) -> Result<(), LifecycleError> {
    let requested = TransitionKind::Activate;
    if context.regulators.len() < 2 {
        return Err(LifecycleError::TooFewRegulators {
            corridor_id: context.corridor_id.clone(),
            regulator_count: context.regulators.len(),
        });
    }
    let mut approved = BTreeSet::new();
    for approval in approvals {
        let signer = check_consent(approval, from, requested, context)?;
        if !context
            .regulators
            .values()
            .any(|regulator| *regulator == signer)
        {
            return Err(LifecycleError::NoAuthority {
                signer,
                requested,
                corridor_id: context.corridor_id.clone(),
            });
        }
        approved.insert(signer);
    }
    match context
        .regulators
        .iter()
        .find(|(_, regulator)| !approved.contains(*regulator))
    {
        Some((jurisdiction_id, regulator)) => Err(LifecycleError::MissingApproval {
            jurisdiction_id: jurisdiction_id.clone(),
            regulator: *regulator,
        }),
        None => Ok(()),
    }
}

fn check_alarm(alarm: &Value, context: &LifecycleContext) -> Result<(), LifecycleError> {
    let requested = TransitionKind::Halt;
    let signer = verified_signer(alarm, FORK_ALARM_TYPE, requested)?;
    if !context.authorities.contains(&signer) {
        return Err(LifecycleError::NoAuthority {
            signer,
            requested,
            corridor_id: context.corridor_id.clone(),
        });
    }
    let corridor = alarm
        .get("credentialSubject")
        .and_then(|subject| subject.get("corridor_id"))
        .and_then(Value::as_str);
    if corridor != Some(context.corridor_id.as_str()) {
        return Err(LifecycleError::Evidence {
            requested,
            reason: "the fork alarm is about another corridor",
        });
    }
    Ok(())
}

/// Signs a consent: `signer` asks for `requested` from `from` on the context's corridor.
pub fn transition_consent(
    corridor_id: &CorridorId,
    from: CorridorState,
    requested: TransitionKind,
    signer: &SigningKey,
    issued_at: Timestamp,
) -> Result<Value, ProofError> {
    let subject = json!({
        "corridor_id": corridor_id.as_str(),
        "from": from.as_str(),
        "to": requested.target().as_str(),
    });
    signed_credential(LIFECYCLE_TRANSITION_TYPE, subject, signer, issued_at)
}

/// The zone's lifecycle-transition credential for a transition that [`transition`] accepted:
/// subject `{corridor_id, from, to, evidence_sha256}`, where the evidence digest covers the
/// consents, alarm or definition digest that justified it.
pub fn lifecycle_transition_credential(
    corridor_id: &CorridorId,
    from: CorridorState,
    evidence: &TransitionEvidence,
    zone: &SigningKey,
    issued_at: Timestamp,
) -> Result<Value, ProofError> {
    let evidence_json = match evidence {
        TransitionEvidence::Submit {
            definition_payload_sha256,
        } => json!({"definition_payload_sha256": definition_payload_sha256.to_hex()}),
        TransitionEvidence::Activate { approvals } => json!({ "approvals": approvals }),
        TransitionEvidence::Suspend { order }
        | TransitionEvidence::Resume { order }
        | TransitionEvidence::Deprecate { order }
        | TransitionEvidence::Halt(HaltEvidence::Authority(order)) => json!({ "order": order }),
        TransitionEvidence::Halt(HaltEvidence::ForkAlarm(alarm)) => json!({ "fork_alarm": alarm }),
        TransitionEvidence::ResumeAfterFork { decision } => {
            json!({ "fork_decision": decision.to_json() })
        }
    };
    let evidence_sha256 = CanonicalBytes::new(&evidence_json)?.digest();
    let subject = json!({
        "corridor_id": corridor_id.as_str(),
        "from": from.as_str(),
        "to": evidence.kind().target().as_str(),
        "evidence_sha256": evidence_sha256.to_hex(),
    });
    signed_credential(LIFECYCLE_TRANSITION_TYPE, subject, zone, issued_at)
}

#[cfg(test)]
mod tests;
