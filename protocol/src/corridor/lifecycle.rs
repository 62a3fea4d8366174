//! The corridor lifecycle: DRAFT → PENDING → ACTIVE; ACTIVE ⇄ SUSPENDED; ACTIVE → HALTED →
//! ACTIVE; ACTIVE/HALTED → DEPRECATED (terminal).
//!
//! Owns [`TransitionKind`], [`TransitionEvidence`], [`LifecycleContext`], [`legal_transitions`],
//! [`transition`], [`transition_consent`], [`lifecycle_transition_credential`] and
//! [`LifecycleError`]. The states are `vc::subjects::CorridorLifecycleState`, so the state in a
//! credential and the state in this machine are one type.
//!
//! Every transition demands typed evidence. Signed evidence is a corridor lifecycle-transition
//! credential (`MSEZCorridorLifecycleTransitionCredential`, the typed subject of `vc`, whose
//! `from_state`/`to_state` name the transition) issued by the party whose consent it needs: each regulator for activation (all of
//! them, not one), an authority for suspend, resume, halt and deprecate. A halt may instead rest
//! on a fork-alarm credential; resuming a halted corridor needs a fork decision with a winner.
//! A successful transition yields a lifecycle-transition credential issued by the zone, whose
//! `reason` carries the digest of the evidence (`evidence sha256:<hex>`).
//!
//! Never: moves without evidence, or accepts a transition the table does not list; the error
//! lists the legal ones.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::canonical::CanonicalBytes;
use crate::corridor::fork::{ForkDecision, Resolution};
use crate::digest::Digest;
use crate::ids::{CorridorId, JurisdictionId};
use crate::keys::{DidKey, SigningKey};
use crate::proof::{ProofError, split_proofs, verify_proof};
use crate::time::Timestamp;
use crate::vc::subjects::{
    CorridorLifecycleState as CorridorState, CorridorLifecycleTransitionSubject, CredentialType,
    ForkAlarmSubject,
};
use crate::vc::{Credential, VcError};

/// The `reason` of a consent credential.
const CONSENT_REASON: &str = "consent";

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
    /// A credential is malformed, or cannot be built or issued.
    #[error("lifecycle: credential for {requested:?}: {source}")]
    Credential {
        /// The transition.
        requested: TransitionKind,
        /// The credential error.
        source: VcError,
    },
}

/// The transitions legal from `state`.
pub fn legal_transitions(state: CorridorState) -> &'static [TransitionKind] {
    use TransitionKind::*;
    match state {
        CorridorState::Draft => &[Submit],
        CorridorState::Pending => &[Activate],
        CorridorState::Active => &[Suspend, Halt, Deprecate],
        CorridorState::Suspended => &[Resume],
        CorridorState::Halted => &[ResumeAfterFork, Deprecate],
        CorridorState::Deprecated => &[],
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
    if !legal_transitions(from).contains(&requested) {
        return Err(LifecycleError::IllegalTransition {
            from,
            requested,
            legal: legal_transitions(from).to_vec(),
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
    let (signer, credential) = verified_credential(
        consent,
        CredentialType::CorridorLifecycleTransition,
        requested,
    )?;
    let subject: CorridorLifecycleTransitionSubject = credential
        .subject()
        .map_err(|source| LifecycleError::Credential { requested, source })?;
    if subject.corridor_id != context.corridor_id
        || subject.from_state != from
        || subject.to_state != requested.target()
    {
        return Err(LifecycleError::Evidence {
            requested,
            reason: "consent is not for this corridor's from_state and to_state",
        });
    }
    Ok(signer)
}

/// Verifies the single proof of a credential of `credential_type` issued by its signer.
fn verified_credential(
    secured: &Value,
    credential_type: CredentialType,
    requested: TransitionKind,
) -> Result<(DidKey, Credential), LifecycleError> {
    let proof_error = |source| LifecycleError::Proof { requested, source };
    let evidence_error = |reason| LifecycleError::Evidence { requested, reason };
    let (document, proofs) = split_proofs(secured).map_err(proof_error)?;
    let [proof] = proofs.as_slice() else {
        return Err(evidence_error("credential must carry exactly one proof"));
    };
    let signer = verify_proof(&document, proof).map_err(proof_error)?;
    let credential = Credential::from_value(secured)
        .map_err(|source| LifecycleError::Credential { requested, source })?;
    if credential.issuer() != signer {
        return Err(evidence_error("credential issuer is not its signer"));
    }
    if credential.credential_type() != credential_type {
        return Err(evidence_error("credential has the wrong type"));
    }
    Ok((signer, credential))
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
    let (signer, credential) = verified_credential(alarm, CredentialType::ForkAlarm, requested)?;
    if !context.authorities.contains(&signer) {
        return Err(LifecycleError::NoAuthority {
            signer,
            requested,
            corridor_id: context.corridor_id.clone(),
        });
    }
    let subject: ForkAlarmSubject = credential
        .subject()
        .map_err(|source| LifecycleError::Credential { requested, source })?;
    if subject.corridor_id != context.corridor_id {
        return Err(LifecycleError::Evidence {
            requested,
            reason: "the fork alarm is about another corridor",
        });
    }
    Ok(())
}

/// Issues a consent: `signer` asks for `requested` from `from` on `corridor_id`.
pub fn transition_consent(
    corridor_id: &CorridorId,
    from: CorridorState,
    requested: TransitionKind,
    signer: &SigningKey,
    issued_at: Timestamp,
) -> Result<Value, LifecycleError> {
    issue_transition(
        corridor_id,
        from,
        requested,
        CONSENT_REASON.to_owned(),
        signer,
        issued_at,
    )
}

/// The zone's lifecycle-transition credential for a transition that [`transition`] accepted;
/// its `reason` is `evidence sha256:<hex>`, the digest of the canonical evidence (consents,
/// alarm, definition digest or fork decision) that justified it.
pub fn lifecycle_transition_credential(
    corridor_id: &CorridorId,
    from: CorridorState,
    evidence: &TransitionEvidence,
    zone: &SigningKey,
    issued_at: Timestamp,
) -> Result<Value, LifecycleError> {
    let requested = evidence.kind();
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
    let evidence_sha256 = CanonicalBytes::new(&evidence_json)
        .map_err(|source| LifecycleError::Proof {
            requested,
            source: ProofError::from(source),
        })?
        .digest();
    let reason = format!("evidence sha256:{}", evidence_sha256.to_hex());
    issue_transition(corridor_id, from, requested, reason, zone, issued_at)
}

fn issue_transition(
    corridor_id: &CorridorId,
    from: CorridorState,
    requested: TransitionKind,
    reason: String,
    issuer: &SigningKey,
    issued_at: Timestamp,
) -> Result<Value, LifecycleError> {
    let subject = CorridorLifecycleTransitionSubject {
        corridor_id: corridor_id.clone(),
        from_state: from,
        to_state: requested.target(),
        reason,
        effective_at: issued_at,
    };
    super::issue_typed(&subject, issuer, issued_at)
        .map_err(|source| LifecycleError::Credential { requested, source })
}

#[cfg(test)]
mod tests;
