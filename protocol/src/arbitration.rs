//! Arbitration: the dispute lifecycle with typed evidence per step, evidence packages with
//! digests, deterministic panel selection from an institution roster, rulings and the
//! enforcement actions they imply, and escrow with release rules.
//!
//! Owns [`Dispute`], [`DisputeState`], [`DisputeStep`], [`EvidencePackage`] (and
//! [`checked_digest`]), [`EvidenceKind`], [`Arbitrator`], [`select_panel`], [`Ruling`],
//! [`Remedy`], [`EnforcementAction`], [`Escrow`], [`release_escrow`] and [`ArbitrationError`].
//! The evidence package, arbitrator and remedy are formats (the request bodies and the dispute
//! journal carry them), so they deserialise, refusing unknown members.
//!
//! Never: enforces anything itself (enforcement actions go to the agentic engine), reads a
//! clock, or chooses a panel with randomness: the panel is the `panel_size` eligible
//! arbitrators with the smallest `SHA-256("msez.arbitration.panel.v1" || 0x00 || dispute_id ||
//! 0x00 || arbitrator_id)`, which any party can recompute.
//!
//! Lifecycle: filed → under_review → panel_constituted → hearing → ruling_issued → (appealed →
//! ruling_issued, at most [`APPEALS_MAX`] times) → enforced; settled from any open state;
//! dismissed before a ruling. Each step names the evidence it requires
//! ([`DisputeStep::required_evidence`]); a step without it is [`ArbitrationError::MissingEvidence`].

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::agentic::ActionKind;
use crate::canonical::{CanonError, CanonicalBytes};
use crate::digest::{Digest, DomainTag};
use crate::fields::word_enum;
use crate::ids::{EntityId, JurisdictionId, string_id};
use crate::time::Timestamp;

/// Tag of an evidence package digest.
pub const EVIDENCE_TAG: DomainTag = DomainTag::new("msez.arbitration.evidence.v1");
/// Tag of the panel-selection sort key.
pub const PANEL_TAG: DomainTag = DomainTag::new("msez.arbitration.panel.v1");
/// The most items one evidence package may list. Bundles are indexed, not inlined; 256 items
/// bounds a package's canonical size.
pub const EVIDENCE_ITEMS_MAX: usize = 256;
/// The largest panel. Institutional rules use 1, 3 or 5 arbitrators; 7 bounds selection.
pub const PANEL_SIZE_MAX: usize = 7;
/// Appeals allowed per dispute. One appeal level is what the zone's rules provide.
pub const APPEALS_MAX: u32 = 1;

string_id!(
    /// A dispute's id.
    DisputeId,
    "dispute_id"
);

string_id!(
    /// An arbitrator's id in the institution roster.
    ArbitratorId,
    "arbitrator_id"
);

word_enum! {
    /// Where a dispute is.
    DisputeState {
        /// Claim filed.
        Filed = "filed",
        /// The institution reviews admissibility.
        UnderReview = "under_review",
        /// A panel has been constituted.
        PanelConstituted = "panel_constituted",
        /// Hearing in progress.
        Hearing = "hearing",
        /// A ruling was issued.
        RulingIssued = "ruling_issued",
        /// The ruling is under appeal.
        Appealed = "appealed",
        /// The ruling was enforced (terminal).
        Enforced = "enforced",
        /// The parties settled (terminal).
        Settled = "settled",
        /// The claim was dismissed (terminal).
        Dismissed = "dismissed",
    }
}

word_enum! {
    /// What an evidence package is.
    EvidenceKind {
        /// The claimant's statement of claim (filing).
        StatementOfClaim = "statement_of_claim",
        /// The respondent's answer (review).
        ResponseToClaim = "response_to_claim",
        /// The arbitrators' acceptances and disclosures (panel).
        PanelAcceptance = "panel_acceptance",
        /// The notice of hearing and the hearing bundle (hearing).
        HearingBundle = "hearing_bundle",
        /// The signed award (ruling).
        Award = "award",
        /// A notice of appeal.
        NoticeOfAppeal = "notice_of_appeal",
        /// The enforcement order.
        EnforcementOrder = "enforcement_order",
        /// The signed settlement agreement.
        SettlementAgreement = "settlement_agreement",
        /// The dismissal order.
        DismissalOrder = "dismissal_order",
    }
}

/// One document of a package, by digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceItem {
    /// A name for humans.
    pub name: String,
    /// Media type (`application/pdf`).
    pub media_type: String,
    /// Digest of the document bytes.
    pub sha256: Digest,
}

/// A bundle of evidence submitted for one step (`evidence-package.schema.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidencePackage {
    /// What it is.
    pub kind: EvidenceKind,
    /// Who submitted it.
    pub submitted_by: EntityId,
    /// When.
    pub submitted_at: Timestamp,
    /// The documents (1..=[`EVIDENCE_ITEMS_MAX`]).
    pub items: Vec<EvidenceItem>,
}

/// An arbitrator on the institution roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arbitrator {
    /// Id.
    pub arbitrator_id: ArbitratorId,
    /// Jurisdictions the arbitrator may sit in.
    pub jurisdictions: Vec<JurisdictionId>,
    /// Whether currently accepting appointments.
    pub active: bool,
    /// Entities the arbitrator has declared a conflict with.
    pub conflicts: Vec<EntityId>,
}

/// What a ruling orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "remedy", deny_unknown_fields)]
pub enum Remedy {
    /// Pay an amount.
    Pay {
        /// Payer.
        from_party: EntityId,
        /// Payee.
        to_party: EntityId,
        /// Amount in minor units (> 0).
        amount_minor: u64,
        /// ISO 4217 code.
        currency: String,
    },
    /// Release an escrow to a party.
    ReleaseEscrow {
        /// The escrow.
        escrow_id: String,
        /// The recipient.
        to_party: EntityId,
    },
    /// Suspend an entity.
    SuspendEntity {
        /// The entity.
        entity_id: EntityId,
    },
    /// Freeze an asset.
    FreezeAsset {
        /// The asset.
        asset_id: String,
    },
}

/// A ruling: the award's digest and what it orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ruling {
    /// Digest of the award package.
    pub award_digest: Digest,
    /// When issued.
    pub issued_at: Timestamp,
    /// Seconds the parties have to appeal.
    pub appeal_period_s: i64,
    /// The orders.
    pub remedies: Vec<Remedy>,
}

/// An action the agentic engine must execute to enforce a ruling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnforcementAction {
    /// What to do.
    pub kind: ActionKind,
    /// On what.
    pub target: String,
    /// Details for the executor.
    pub parameters: Vec<(String, String)>,
}

/// A step of the lifecycle, with the data it needs beyond its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisputeStep {
    /// filed → under_review.
    BeginReview,
    /// under_review → panel_constituted, with the roster to select from and the panel size.
    ConstitutePanel {
        /// The institution roster.
        roster: Vec<Arbitrator>,
        /// How many arbitrators (1..=[`PANEL_SIZE_MAX`], odd).
        panel_size: usize,
    },
    /// panel_constituted → hearing.
    OpenHearing,
    /// hearing (or appealed) → ruling_issued.
    IssueRuling {
        /// Seconds allowed for an appeal.
        appeal_period_s: i64,
        /// The orders.
        remedies: Vec<Remedy>,
    },
    /// ruling_issued → appealed, within the appeal period.
    Appeal,
    /// ruling_issued → enforced, after the appeal period.
    Enforce,
    /// any open state → settled.
    Settle {
        /// Who receives the escrow under the settlement.
        escrow_to_party: EntityId,
    },
    /// filed, under_review, panel_constituted or hearing → dismissed.
    Dismiss,
}

/// One accepted step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisputeTransition {
    /// State before.
    pub from: DisputeState,
    /// State after.
    pub to: DisputeState,
    /// When.
    pub at: Timestamp,
    /// Digest of the evidence package the step required.
    pub evidence_digest: Digest,
}

/// A dispute between a claimant and a respondent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispute {
    dispute_id: DisputeId,
    jurisdiction: JurisdictionId,
    claimant: EntityId,
    respondent: EntityId,
    state: DisputeState,
    panel: Vec<ArbitratorId>,
    ruling: Option<Ruling>,
    appeal_count: u32,
    settlement_escrow_to: Option<EntityId>,
    evidence: Vec<(EvidenceKind, Digest)>,
    history: Vec<DisputeTransition>,
}

/// Money held pending a dispute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escrow {
    /// Id.
    pub escrow_id: String,
    /// The dispute it secures.
    pub dispute_id: DisputeId,
    /// Who deposited it (refunded on dismissal).
    pub depositor: EntityId,
    /// Amount in minor units.
    pub amount_minor: u64,
    /// ISO 4217 code.
    pub currency: String,
}

/// Where an escrow goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EscrowRelease {
    /// Recipient.
    pub to_party: EntityId,
    /// Amount in minor units.
    pub amount_minor: u64,
    /// Why (`enforced`, `settled`, `dismissed`).
    pub reason: DisputeState,
}

/// Why an arbitration step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArbitrationError {
    /// The step needs evidence of `required` kind and none was given.
    #[error("dispute {dispute_id}: step {step} requires {required} evidence")]
    MissingEvidence {
        /// The dispute.
        dispute_id: DisputeId,
        /// The step.
        step: &'static str,
        /// The evidence kind required.
        required: EvidenceKind,
    },
    /// An evidence package with no items, or more than [`EVIDENCE_ITEMS_MAX`].
    #[error("evidence package {kind} has {item_count} items; 1..={EVIDENCE_ITEMS_MAX} allowed")]
    EvidenceItemCount {
        /// The package kind.
        kind: EvidenceKind,
        /// Items found.
        item_count: usize,
    },
    /// The step is not allowed in the current state.
    #[error("dispute {dispute_id}: step {step} is not allowed in state {state}")]
    NotAllowed {
        /// The dispute.
        dispute_id: DisputeId,
        /// The state.
        state: DisputeState,
        /// The step.
        step: &'static str,
    },
    /// Too few eligible arbitrators, or a bad panel size.
    #[error(
        "dispute {dispute_id}: panel of {panel_size} needs {panel_size} eligible arbitrators, {eligible_count} available"
    )]
    PanelUnavailable {
        /// The dispute.
        dispute_id: DisputeId,
        /// Requested size.
        panel_size: usize,
        /// Eligible arbitrators.
        eligible_count: usize,
    },
    /// A panel size that is even, zero, or above [`PANEL_SIZE_MAX`].
    #[error("panel size {panel_size} must be odd and within 1..={PANEL_SIZE_MAX}")]
    BadPanelSize {
        /// The size given.
        panel_size: usize,
    },
    /// An appeal after the appeal period, or an enforcement before its end.
    #[error(
        "dispute {dispute_id}: appeal period ends {appeal_ends_at}; step {step} at {at} is not allowed"
    )]
    AppealWindow {
        /// The dispute.
        dispute_id: DisputeId,
        /// The step.
        step: &'static str,
        /// End of the appeal period.
        appeal_ends_at: Timestamp,
        /// The time given.
        at: Timestamp,
    },
    /// An escrow asked to release while its dispute is open, or for another dispute.
    #[error("escrow {escrow_id}: dispute is {state}; no release rule applies")]
    EscrowLocked {
        /// The escrow.
        escrow_id: String,
        /// The dispute's state.
        state: DisputeState,
    },
    /// A remedy or escrow that is malformed (zero amount, bad appeal period).
    #[error("{field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value could not be canonicalised for its digest.
    #[error("{0}")]
    Canon(#[from] CanonError),
}

impl EvidencePackage {
    /// `SHA-256("msez.arbitration.evidence.v1" || 0x00 || JCS(package))`.
    pub fn digest(&self) -> Result<Digest, ArbitrationError> {
        let canonical = CanonicalBytes::of(self)?;
        Ok(Digest::tagged(EVIDENCE_TAG, canonical.as_bytes()))
    }
}

impl DisputeStep {
    /// The step's name in errors.
    pub const fn name(&self) -> &'static str {
        match self {
            DisputeStep::BeginReview => "begin_review",
            DisputeStep::ConstitutePanel { .. } => "constitute_panel",
            DisputeStep::OpenHearing => "open_hearing",
            DisputeStep::IssueRuling { .. } => "issue_ruling",
            DisputeStep::Appeal => "appeal",
            DisputeStep::Enforce => "enforce",
            DisputeStep::Settle { .. } => "settle",
            DisputeStep::Dismiss => "dismiss",
        }
    }

    /// The evidence kind this step requires.
    pub const fn required_evidence(&self) -> EvidenceKind {
        match self {
            DisputeStep::BeginReview => EvidenceKind::ResponseToClaim,
            DisputeStep::ConstitutePanel { .. } => EvidenceKind::PanelAcceptance,
            DisputeStep::OpenHearing => EvidenceKind::HearingBundle,
            DisputeStep::IssueRuling { .. } => EvidenceKind::Award,
            DisputeStep::Appeal => EvidenceKind::NoticeOfAppeal,
            DisputeStep::Enforce => EvidenceKind::EnforcementOrder,
            DisputeStep::Settle { .. } => EvidenceKind::SettlementAgreement,
            DisputeStep::Dismiss => EvidenceKind::DismissalOrder,
        }
    }
}

/// Selects `panel_size` arbitrators for `dispute_id` from `roster`: active, sitting in
/// `jurisdiction`, without a declared conflict with either party, ordered by the tagged digest
/// of the module docs. Deterministic: roster order does not matter.
pub fn select_panel(
    dispute_id: &DisputeId,
    jurisdiction: &JurisdictionId,
    parties: [&EntityId; 2],
    roster: &[Arbitrator],
    panel_size: usize,
) -> Result<Vec<ArbitratorId>, ArbitrationError> {
    if panel_size == 0 || panel_size > PANEL_SIZE_MAX || panel_size.is_multiple_of(2) {
        return Err(ArbitrationError::BadPanelSize { panel_size });
    }
    let mut eligible: Vec<(Digest, &ArbitratorId)> = roster
        .iter()
        .filter(|a| a.active && a.jurisdictions.contains(jurisdiction))
        .filter(|a| !parties.iter().any(|party| a.conflicts.contains(party)))
        .map(|a| {
            let key = [dispute_id.as_str(), a.arbitrator_id.as_str()].join("\u{0}");
            (Digest::tagged(PANEL_TAG, key.as_bytes()), &a.arbitrator_id)
        })
        .collect();
    eligible.sort();
    eligible.dedup_by(|a, b| a.1 == b.1);
    if eligible.len() < panel_size {
        return Err(ArbitrationError::PanelUnavailable {
            dispute_id: dispute_id.clone(),
            panel_size,
            eligible_count: eligible.len(),
        });
    }
    Ok(eligible
        .into_iter()
        .take(panel_size)
        .map(|(_, id)| id.clone())
        .collect())
}

impl Dispute {
    /// Files a dispute; the statement of claim is required.
    pub fn file(
        dispute_id: DisputeId,
        jurisdiction: JurisdictionId,
        claimant: EntityId,
        respondent: EntityId,
        statement_of_claim: Option<&EvidencePackage>,
        at: Timestamp,
    ) -> Result<Self, ArbitrationError> {
        let claim = statement_of_claim
            .filter(|p| p.kind == EvidenceKind::StatementOfClaim)
            .ok_or(ArbitrationError::MissingEvidence {
                dispute_id: dispute_id.clone(),
                step: "file",
                required: EvidenceKind::StatementOfClaim,
            })?;
        let digest = checked_digest(claim)?;
        Ok(Self {
            dispute_id,
            jurisdiction,
            claimant,
            respondent,
            state: DisputeState::Filed,
            panel: Vec::new(),
            ruling: None,
            appeal_count: 0,
            settlement_escrow_to: None,
            evidence: vec![(EvidenceKind::StatementOfClaim, digest)],
            history: vec![DisputeTransition {
                from: DisputeState::Filed,
                to: DisputeState::Filed,
                at,
                evidence_digest: digest,
            }],
        })
    }

    /// The dispute's id.
    pub fn dispute_id(&self) -> &DisputeId {
        &self.dispute_id
    }

    /// The current state.
    pub fn state(&self) -> DisputeState {
        self.state
    }

    /// The constituted panel (empty before).
    pub fn panel(&self) -> &[ArbitratorId] {
        &self.panel
    }

    /// The latest ruling.
    pub fn ruling(&self) -> Option<&Ruling> {
        self.ruling.as_ref()
    }

    /// Transitions so far, the filing first.
    pub fn history(&self) -> &[DisputeTransition] {
        &self.history
    }

    /// Applies `step` at `at` with `evidence` (which must include a package of the step's
    /// required kind). On error nothing changes.
    pub fn apply(
        &mut self,
        step: DisputeStep,
        evidence: &[EvidencePackage],
        at: Timestamp,
    ) -> Result<DisputeTransition, ArbitrationError> {
        let required = step.required_evidence();
        let package = evidence.iter().find(|p| p.kind == required).ok_or(
            ArbitrationError::MissingEvidence {
                dispute_id: self.dispute_id.clone(),
                step: step.name(),
                required,
            },
        )?;
        let evidence_digest = checked_digest(package)?;
        let not_allowed = || ArbitrationError::NotAllowed {
            dispute_id: self.dispute_id.clone(),
            state: self.state,
            step: step.name(),
        };
        use DisputeState as S;
        let to = match (&step, self.state) {
            (DisputeStep::BeginReview, S::Filed) => S::UnderReview,
            (DisputeStep::ConstitutePanel { roster, panel_size }, S::UnderReview) => {
                let parties = [&self.claimant, &self.respondent];
                self.panel = select_panel(
                    &self.dispute_id,
                    &self.jurisdiction,
                    parties,
                    roster,
                    *panel_size,
                )?;
                S::PanelConstituted
            }
            (DisputeStep::OpenHearing, S::PanelConstituted) => S::Hearing,
            (
                DisputeStep::IssueRuling {
                    appeal_period_s,
                    remedies,
                },
                S::Hearing | S::Appealed,
            ) => {
                check_remedies(*appeal_period_s, remedies)?;
                self.ruling = Some(Ruling {
                    award_digest: evidence_digest,
                    issued_at: at,
                    appeal_period_s: *appeal_period_s,
                    remedies: remedies.clone(),
                });
                S::RulingIssued
            }
            (DisputeStep::Appeal, S::RulingIssued) if self.appeal_count < APPEALS_MAX => {
                self.check_appeal_window(step.name(), at, true)?;
                self.appeal_count += 1;
                S::Appealed
            }
            (DisputeStep::Enforce, S::RulingIssued) => {
                self.check_appeal_window(step.name(), at, false)?;
                S::Enforced
            }
            (DisputeStep::Settle { escrow_to_party }, state) if !state_is_terminal(state) => {
                self.settlement_escrow_to = Some(escrow_to_party.clone());
                S::Settled
            }
            (
                DisputeStep::Dismiss,
                S::Filed | S::UnderReview | S::PanelConstituted | S::Hearing,
            ) => S::Dismissed,
            _ => return Err(not_allowed()),
        };
        let transition = DisputeTransition {
            from: self.state,
            to,
            at,
            evidence_digest,
        };
        self.state = to;
        self.evidence.push((required, evidence_digest));
        self.history.push(transition.clone());
        Ok(transition)
    }

    /// The actions that enforce the current ruling, for the agentic engine. Empty unless the
    /// dispute is enforced.
    pub fn enforcement_actions(&self) -> Vec<EnforcementAction> {
        let Some(ruling) = self
            .ruling
            .as_ref()
            .filter(|_| self.state == DisputeState::Enforced)
        else {
            return Vec::new();
        };
        let dispute = ("dispute_id".to_owned(), self.dispute_id.to_string());
        ruling
            .remedies
            .iter()
            .map(|remedy| match remedy {
                Remedy::Pay {
                    from_party,
                    to_party,
                    amount_minor,
                    currency,
                } => EnforcementAction {
                    kind: ActionKind::ArbitrationEnforce,
                    target: from_party.to_string(),
                    parameters: vec![
                        dispute.clone(),
                        ("remedy".into(), "pay".into()),
                        ("to_party".into(), to_party.to_string()),
                        ("amount_minor".into(), amount_minor.to_string()),
                        ("currency".into(), currency.clone()),
                    ],
                },
                Remedy::ReleaseEscrow {
                    escrow_id,
                    to_party,
                } => EnforcementAction {
                    kind: ActionKind::ArbitrationEnforce,
                    target: escrow_id.clone(),
                    parameters: vec![
                        dispute.clone(),
                        ("remedy".into(), "release_escrow".into()),
                        ("to_party".into(), to_party.to_string()),
                    ],
                },
                Remedy::SuspendEntity { entity_id } => EnforcementAction {
                    kind: ActionKind::SuspendEntity,
                    target: entity_id.to_string(),
                    parameters: vec![dispute.clone()],
                },
                Remedy::FreezeAsset { asset_id } => EnforcementAction {
                    kind: ActionKind::FreezeAsset,
                    target: asset_id.clone(),
                    parameters: vec![dispute.clone()],
                },
            })
            .collect()
    }

    /// The `credentialSubject` of the MSEZArbitrationRulingCredential for the current ruling
    /// (the credential layer signs it), or `None` before a ruling.
    pub fn ruling_credential_subject(&self) -> Option<Value> {
        let ruling = self.ruling.as_ref()?;
        Some(json!({
            "type": "MSEZArbitrationRuling",
            "dispute_id": self.dispute_id.as_str(),
            "jurisdiction": self.jurisdiction.as_str(),
            "claimant": self.claimant.as_str(),
            "respondent": self.respondent.as_str(),
            "panel": self.panel.iter().map(ArbitratorId::as_str).collect::<Vec<_>>(),
            "award_digest": ruling.award_digest.to_hex(),
            "issued_at": ruling.issued_at.to_string(),
            "appeal_period_s": ruling.appeal_period_s,
            "remedies": serde_json::to_value(&ruling.remedies).unwrap_or(Value::Null),
        }))
    }

    fn check_appeal_window(
        &self,
        step: &'static str,
        at: Timestamp,
        appealing: bool,
    ) -> Result<(), ArbitrationError> {
        let ruling = self.ruling.as_ref().ok_or(ArbitrationError::NotAllowed {
            dispute_id: self.dispute_id.clone(),
            state: self.state,
            step,
        })?;
        let appeal_ends_at = ruling
            .issued_at
            .checked_add_seconds(ruling.appeal_period_s)
            .unwrap_or(ruling.issued_at);
        // An appeal is in time up to and including the end; enforcement only after it, unless
        // no further appeal is possible.
        let appeals_left = self.appeal_count < APPEALS_MAX;
        let allowed = if appealing {
            at <= appeal_ends_at
        } else {
            at > appeal_ends_at || !appeals_left
        };
        if allowed {
            Ok(())
        } else {
            Err(ArbitrationError::AppealWindow {
                dispute_id: self.dispute_id.clone(),
                step,
                appeal_ends_at,
                at,
            })
        }
    }
}

/// Where `escrow` goes given `dispute`: to the ruling's `ReleaseEscrow` recipient once
/// enforced (to the depositor if the ruling does not mention it), to the settlement's
/// recipient once settled, back to the depositor once dismissed. Held otherwise.
pub fn release_escrow(
    escrow: &Escrow,
    dispute: &Dispute,
) -> Result<EscrowRelease, ArbitrationError> {
    let locked = || ArbitrationError::EscrowLocked {
        escrow_id: escrow.escrow_id.clone(),
        state: dispute.state,
    };
    if escrow.dispute_id != dispute.dispute_id {
        return Err(locked());
    }
    let to_party = match dispute.state {
        DisputeState::Enforced => dispute
            .ruling
            .iter()
            .flat_map(|ruling| &ruling.remedies)
            .find_map(|remedy| match remedy {
                Remedy::ReleaseEscrow {
                    escrow_id,
                    to_party,
                } if *escrow_id == escrow.escrow_id => Some(to_party.clone()),
                _ => None,
            })
            .unwrap_or_else(|| escrow.depositor.clone()),
        DisputeState::Settled => dispute.settlement_escrow_to.clone().ok_or_else(locked)?,
        DisputeState::Dismissed => escrow.depositor.clone(),
        _ => return Err(locked()),
    };
    Ok(EscrowRelease {
        to_party,
        amount_minor: escrow.amount_minor,
        reason: dispute.state,
    })
}

fn state_is_terminal(state: DisputeState) -> bool {
    matches!(
        state,
        DisputeState::Enforced | DisputeState::Settled | DisputeState::Dismissed
    )
}

/// The package's digest, after checking it lists 1..=[`EVIDENCE_ITEMS_MAX`] items: what every
/// step checks of the evidence it is given, and what an evidence filing must pass.
pub fn checked_digest(package: &EvidencePackage) -> Result<Digest, ArbitrationError> {
    let item_count = package.items.len();
    if item_count == 0 || item_count > EVIDENCE_ITEMS_MAX {
        return Err(ArbitrationError::EvidenceItemCount {
            kind: package.kind,
            item_count,
        });
    }
    package.digest()
}

fn check_remedies(appeal_period_s: i64, remedies: &[Remedy]) -> Result<(), ArbitrationError> {
    if appeal_period_s < 0 {
        return Err(ArbitrationError::Invalid {
            field: "appeal_period_s",
            reason: "must not be negative",
        });
    }
    let zero_payment = remedies.iter().any(|remedy| {
        matches!(
            remedy,
            Remedy::Pay {
                amount_minor: 0,
                ..
            }
        )
    });
    if zero_payment {
        return Err(ArbitrationError::Invalid {
            field: "remedies.amount_minor",
            reason: "a payment must be greater than zero",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
