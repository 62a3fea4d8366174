//! Goal: a dispute moves only with the evidence each step names, panels are deterministic and
//! conflict-free, rulings become enforcement actions, and escrow follows the release rules.
//! Method: a full scripted dispute plus targeted refusals and a roster-order property.

use proptest::prelude::*;

use super::*;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_760_000_000 + seconds).unwrap()
}

fn party(name: &str) -> EntityId {
    EntityId::new(name).unwrap()
}

fn package(kind: EvidenceKind) -> EvidencePackage {
    EvidencePackage {
        kind,
        submitted_by: party("claimant"),
        submitted_at: at(0),
        items: vec![EvidenceItem {
            name: format!("{kind}.pdf"),
            media_type: "application/pdf".into(),
            sha256: Digest::tagged(EVIDENCE_TAG, kind.as_str().as_bytes()),
        }],
    }
}

fn roster() -> Vec<Arbitrator> {
    (0..6)
        .map(|i| Arbitrator {
            arbitrator_id: ArbitratorId::new(format!("arb-{i}")).unwrap(),
            jurisdictions: vec![JurisdictionId::new(if i == 5 { "AE" } else { "PK" }).unwrap()],
            active: i != 4,
            conflicts: if i == 0 {
                vec![party("respondent")]
            } else {
                Vec::new()
            },
        })
        .collect()
}

fn filed() -> Dispute {
    Dispute::file(
        DisputeId::new("d-1").unwrap(),
        JurisdictionId::new("PK").unwrap(),
        party("claimant"),
        party("respondent"),
        Some(&package(EvidenceKind::StatementOfClaim)),
        at(0),
    )
    .unwrap()
}

#[track_caller]
fn step(dispute: &mut Dispute, step: DisputeStep, seconds: i64) -> DisputeTransition {
    let kind = step.required_evidence();
    dispute.apply(step, &[package(kind)], at(seconds)).unwrap()
}

fn ruled(remedies: Vec<Remedy>) -> Dispute {
    let mut dispute = filed();
    step(&mut dispute, DisputeStep::BeginReview, 1);
    step(
        &mut dispute,
        DisputeStep::ConstitutePanel {
            roster: roster(),
            panel_size: 3,
        },
        2,
    );
    step(&mut dispute, DisputeStep::OpenHearing, 3);
    step(
        &mut dispute,
        DisputeStep::IssueRuling {
            appeal_period_s: 100,
            remedies,
        },
        4,
    );
    dispute
}

#[test]
fn dispute_runs_to_enforcement_with_actions() {
    let remedies = vec![
        Remedy::Pay {
            from_party: party("respondent"),
            to_party: party("claimant"),
            amount_minor: 500_000,
            currency: "USD".into(),
        },
        Remedy::ReleaseEscrow {
            escrow_id: "esc-1".into(),
            to_party: party("claimant"),
        },
        Remedy::SuspendEntity {
            entity_id: party("respondent"),
        },
    ];
    let mut dispute = ruled(remedies);
    assert!(dispute.enforcement_actions().is_empty());
    // Enforcement waits for the appeal period to end.
    assert!(matches!(
        dispute.apply(
            DisputeStep::Enforce,
            &[package(EvidenceKind::EnforcementOrder)],
            at(104)
        ),
        Err(ArbitrationError::AppealWindow { .. })
    ));
    step(&mut dispute, DisputeStep::Enforce, 105);
    assert_eq!(dispute.state(), DisputeState::Enforced);
    let actions = dispute.enforcement_actions();
    let kinds: Vec<ActionKind> = actions.iter().map(|a| a.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ActionKind::ArbitrationEnforce,
            ActionKind::ArbitrationEnforce,
            ActionKind::SuspendEntity
        ]
    );
    assert_eq!(actions[0].target, "respondent");
    let subject = dispute.ruling_credential_subject().unwrap();
    assert_eq!(subject["panel"].as_array().unwrap().len(), 3);
    assert_eq!(dispute.history().len(), 6);
}

#[test]
fn step_without_its_evidence_is_typed_error() {
    let mut dispute = filed();
    let wrong = [package(EvidenceKind::Award)];
    assert_eq!(
        dispute.apply(DisputeStep::BeginReview, &wrong, at(1)),
        Err(ArbitrationError::MissingEvidence {
            dispute_id: DisputeId::new("d-1").unwrap(),
            step: "begin_review",
            required: EvidenceKind::ResponseToClaim,
        })
    );
    let mut empty = package(EvidenceKind::ResponseToClaim);
    empty.items.clear();
    assert!(matches!(
        dispute.apply(DisputeStep::BeginReview, &[empty], at(1)),
        Err(ArbitrationError::EvidenceItemCount { item_count: 0, .. })
    ));
    assert_eq!(dispute.state(), DisputeState::Filed);
    assert!(matches!(
        Dispute::file(
            DisputeId::new("d-2").unwrap(),
            JurisdictionId::new("PK").unwrap(),
            party("a"),
            party("b"),
            None,
            at(0)
        ),
        Err(ArbitrationError::MissingEvidence {
            required: EvidenceKind::StatementOfClaim,
            ..
        })
    ));
}

#[test]
fn evidence_items_accepts_limit_and_rejects_limit_plus_one() {
    let mut dispute = filed();
    let mut big = package(EvidenceKind::ResponseToClaim);
    big.items = vec![big.items[0].clone(); EVIDENCE_ITEMS_MAX + 1];
    assert!(matches!(
        dispute.apply(DisputeStep::BeginReview, &[big.clone()], at(1)),
        Err(ArbitrationError::EvidenceItemCount { .. })
    ));
    big.items.pop();
    assert!(
        dispute
            .apply(DisputeStep::BeginReview, &[big], at(1))
            .is_ok()
    );
}

#[test]
fn appeal_is_allowed_once_within_the_window() {
    let mut dispute = ruled(Vec::new());
    assert!(matches!(
        dispute.apply(
            DisputeStep::Appeal,
            &[package(EvidenceKind::NoticeOfAppeal)],
            at(105)
        ),
        Err(ArbitrationError::AppealWindow { .. })
    ));
    step(&mut dispute, DisputeStep::Appeal, 104);
    step(
        &mut dispute,
        DisputeStep::IssueRuling {
            appeal_period_s: 100,
            remedies: Vec::new(),
        },
        200,
    );
    assert!(matches!(
        dispute.apply(
            DisputeStep::Appeal,
            &[package(EvidenceKind::NoticeOfAppeal)],
            at(201)
        ),
        Err(ArbitrationError::NotAllowed { .. })
    ));
    // With no appeal left, the appeal ruling is enforceable at once.
    step(&mut dispute, DisputeStep::Enforce, 201);
}

#[test]
fn select_panel_skips_conflicted_inactive_and_foreign_and_is_order_free() {
    let dispute_id = DisputeId::new("d-1").unwrap();
    let pk = JurisdictionId::new("PK").unwrap();
    let (a, b) = (party("claimant"), party("respondent"));
    let panel = select_panel(&dispute_id, &pk, [&a, &b], &roster(), 3).unwrap();
    let ids: Vec<&str> = panel.iter().map(ArbitratorId::as_str).collect();
    for excluded in ["arb-0", "arb-4", "arb-5"] {
        assert!(!ids.contains(&excluded), "{excluded} in {ids:?}");
    }
    assert!(matches!(
        select_panel(&dispute_id, &pk, [&a, &b], &roster(), 5),
        Err(ArbitrationError::PanelUnavailable {
            eligible_count: 3,
            ..
        })
    ));
    assert_eq!(
        select_panel(&dispute_id, &pk, [&a, &b], &roster(), 2),
        Err(ArbitrationError::BadPanelSize { panel_size: 2 })
    );
    assert!(select_panel(&dispute_id, &pk, [&a, &b], &roster(), PANEL_SIZE_MAX + 2).is_err());
}

#[test]
fn escrow_follows_release_rules() {
    let escrow = Escrow {
        escrow_id: "esc-1".into(),
        dispute_id: DisputeId::new("d-1").unwrap(),
        depositor: party("respondent"),
        amount_minor: 100,
        currency: "USD".into(),
    };
    let open = filed();
    assert!(matches!(
        release_escrow(&escrow, &open),
        Err(ArbitrationError::EscrowLocked { .. })
    ));

    let mut dismissed = filed();
    step(&mut dismissed, DisputeStep::Dismiss, 1);
    assert_eq!(
        release_escrow(&escrow, &dismissed).unwrap().to_party,
        party("respondent")
    );

    let mut settled = filed();
    step(
        &mut settled,
        DisputeStep::Settle {
            escrow_to_party: party("claimant"),
        },
        1,
    );
    assert_eq!(
        release_escrow(&escrow, &settled).unwrap().to_party,
        party("claimant")
    );

    let mut enforced = ruled(vec![Remedy::ReleaseEscrow {
        escrow_id: "esc-1".into(),
        to_party: party("claimant"),
    }]);
    step(&mut enforced, DisputeStep::Enforce, 200);
    let release = release_escrow(&escrow, &enforced).unwrap();
    assert_eq!(
        (release.to_party, release.amount_minor, release.reason),
        (party("claimant"), 100, DisputeState::Enforced)
    );
}

proptest! {
    #[test]
    fn select_panel_ignores_roster_order(rotation in 0usize..6, reverse in any::<bool>()) {
        let dispute_id = DisputeId::new("d-9").unwrap();
        let pk = JurisdictionId::new("PK").unwrap();
        let (a, b) = (party("claimant"), party("respondent"));
        let mut shuffled = roster();
        shuffled.rotate_left(rotation);
        if reverse {
            shuffled.reverse();
        }
        prop_assert_eq!(
            select_panel(&dispute_id, &pk, [&a, &b], &roster(), 3).unwrap(),
            select_panel(&dispute_id, &pk, [&a, &b], &shuffled, 3).unwrap()
        );
    }
}
