//! Evaluation through its one entry point, `evaluate_subject`: each source's rule, the
//! fail-closed defaults, the attestation limit, and order independence by property test.

use proptest::prelude::*;

use super::*;
use crate::tensor::cell::Cell;
use crate::tensor::licensing::{Licence, LicenceList, LicenceStatus};
use crate::tensor::sanctions::{SanctionsEntry, SanctionsEntryKind, SanctionsList};

const NOW: &str = "2026-06-01T00:00:00Z";

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn record(attestations: Vec<Attestation>, facts: SubjectFacts) -> SubjectRecord {
    SubjectRecord {
        subject: EntityId::new("e-1").unwrap(),
        jurisdiction: JurisdictionId::new("PK-RSEZ").unwrap(),
        attestations,
        facts,
    }
}

fn attestation(
    byte: u8,
    domain: Domain,
    state: ComplianceState,
    expires: Option<&str>,
) -> Attestation {
    Attestation {
        digest: Digest::from_bytes([byte; 32]),
        domain,
        jurisdiction: None,
        state,
        issued_at: at("2026-01-01T00:00:00Z"),
        expires_at: expires.map(at),
    }
}

fn names(names: &[&str]) -> SubjectFacts {
    SubjectFacts {
        names: names.iter().map(|n| n.to_string()).collect(),
        ..SubjectFacts::default()
    }
}

const NO_LISTS: EvaluationContext<'static> = EvaluationContext {
    sanctions: None,
    licences: None,
    screening: ScreeningConfig::DEFAULT,
};

/// The one place tests call the evaluator.
#[track_caller]
fn check(record: &SubjectRecord, context: &EvaluationContext<'_>, domain: Domain) -> Cell {
    let evaluation = evaluate_subject(record, context, at(NOW)).unwrap();
    let cells = evaluation.clone().into_cells();
    assert_eq!(
        cells[domain.index()].attestation_digests,
        evaluation.attestation_digests(domain)
    );
    cells[domain.index()].clone()
}

#[test]
fn every_domain_is_pending_without_evidence() {
    let evaluation =
        evaluate_subject(&record(vec![], SubjectFacts::default()), &NO_LISTS, at(NOW)).unwrap();
    assert_eq!(evaluation.aggregate(), ComplianceState::Pending);
    for cell in &evaluation.into_cells() {
        assert_eq!(cell.state, ComplianceState::Pending);
        assert_eq!(cell.reason, Reason::MissingEvidence);
        assert!(cell.attestation_digests.is_empty());
    }
}

#[test]
fn valid_attestation_sets_state_and_records_digest() {
    let kyc = attestation(
        1,
        Domain::Kyc,
        ComplianceState::Compliant,
        Some("2027-01-01T00:00:00Z"),
    );
    let cell = check(
        &record(vec![kyc], SubjectFacts::default()),
        &NO_LISTS,
        Domain::Kyc,
    );
    assert_eq!(cell.state, ComplianceState::Compliant);
    assert_eq!(cell.attestation_digests, [Digest::from_bytes([1; 32])]);
    assert_eq!(
        cell.reason,
        Reason::Attested {
            digest: Digest::from_bytes([1; 32])
        }
    );
}

#[test]
fn expired_attestation_makes_cell_non_compliant_at_expiry_instant() {
    let fresh = attestation(1, Domain::Aml, ComplianceState::Compliant, None);
    let expired = attestation(2, Domain::Aml, ComplianceState::Compliant, Some(NOW));
    let cell = check(
        &record(vec![fresh, expired], SubjectFacts::default()),
        &NO_LISTS,
        Domain::Aml,
    );
    assert_eq!(cell.state, ComplianceState::NonCompliant);
    assert_eq!(
        cell.reason,
        Reason::AttestationExpired {
            digest: Digest::from_bytes([2; 32])
        }
    );
    assert_eq!(cell.attestation_digests.len(), 2);
    let not_yet = attestation(
        3,
        Domain::Aml,
        ComplianceState::Compliant,
        Some("2026-06-01T00:00:01Z"),
    );
    let cell = check(
        &record(vec![not_yet], SubjectFacts::default()),
        &NO_LISTS,
        Domain::Aml,
    );
    assert_eq!(cell.state, ComplianceState::Compliant);
}

#[test]
fn future_attestation_is_pending_and_foreign_jurisdiction_is_ignored() {
    let mut future = attestation(1, Domain::Trade, ComplianceState::Compliant, None);
    future.issued_at = at("2026-06-01T00:00:01Z");
    let cell = check(
        &record(vec![future], SubjectFacts::default()),
        &NO_LISTS,
        Domain::Trade,
    );
    assert_eq!(cell.state, ComplianceState::Pending);
    let mut foreign = attestation(2, Domain::Trade, ComplianceState::Compliant, None);
    foreign.jurisdiction = Some(JurisdictionId::new("AE").unwrap());
    let cell = check(
        &record(vec![foreign], SubjectFacts::default()),
        &NO_LISTS,
        Domain::Trade,
    );
    assert_eq!(cell.reason, Reason::MissingEvidence);
}

fn sanctions_index() -> SanctionsIndex {
    SanctionsIndex::build(SanctionsList {
        snapshot_id: "sdn".into(),
        as_of: Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        entries: vec![SanctionsEntry {
            entry_id: "SDN-1".into(),
            kind: SanctionsEntryKind::Individual,
            names: vec!["Ali Hassan Khan Durrani".into()],
            identifiers: Vec::new(),
            programs: Vec::new(),
        }],
    })
    .unwrap()
}

#[test]
fn sanctions_cell_follows_screening() {
    let index = sanctions_index();
    let context = EvaluationContext {
        sanctions: Some(&index),
        ..NO_LISTS
    };
    let hit = check(
        &record(vec![], names(&["ali hassan khan durrani"])),
        &context,
        Domain::Sanctions,
    );
    assert_eq!(hit.state, ComplianceState::NonCompliant);
    assert_eq!(
        hit.reason,
        Reason::SanctionsMatch {
            entry_count: 1,
            score_bps: 10_000
        }
    );
    assert_eq!(hit.attestation_digests, [index.list_digest()]);
    let potential = check(
        &record(vec![], names(&["Ali Hassan Khan"])),
        &context,
        Domain::Sanctions,
    );
    assert_eq!(potential.state, ComplianceState::Pending);
    let clear = check(
        &record(vec![], names(&["Sara Ahmed"])),
        &context,
        Domain::Sanctions,
    );
    assert_eq!(clear.state, ComplianceState::Compliant);
    assert_eq!(
        clear.reason,
        Reason::SanctionsClear {
            entries_screened: 1
        }
    );
    let unscreened = check(
        &record(vec![], SubjectFacts::default()),
        &context,
        Domain::Sanctions,
    );
    assert_eq!(unscreened.reason, Reason::MissingEvidence);
}

#[test]
fn sanctions_screening_error_names_subject() {
    let index = sanctions_index();
    let context = EvaluationContext {
        sanctions: Some(&index),
        ..NO_LISTS
    };
    let error = evaluate_subject(&record(vec![], names(&["!!"])), &context, at(NOW)).unwrap_err();
    assert!(matches!(error, EvaluationError::Screening { .. }));
    assert!(error.to_string().contains("e-1"), "{error}");
}

#[test]
fn licensing_cell_follows_registry() {
    let licence = |status, until: Option<&str>| Licence {
        licence_id: "L-1".into(),
        licence_type: "trading".into(),
        holder: EntityId::new("e-1").unwrap(),
        jurisdiction: JurisdictionId::new("PK-RSEZ").unwrap(),
        status,
        valid_from: at("2025-01-01T00:00:00Z"),
        valid_until: until.map(at),
    };
    let state = |licences| {
        let registry = LicenceRegistry::build(LicenceList { licences }).unwrap();
        let context = EvaluationContext {
            licences: Some(&registry),
            ..NO_LISTS
        };
        check(
            &record(vec![], SubjectFacts::default()),
            &context,
            Domain::Licensing,
        )
        .state
    };
    assert_eq!(
        state(vec![licence(LicenceStatus::Active, None)]),
        ComplianceState::Compliant
    );
    assert_eq!(
        state(vec![licence(LicenceStatus::Suspended, None)]),
        ComplianceState::NonCompliant
    );
    assert_eq!(
        state(vec![licence(LicenceStatus::Active, Some(NOW))]),
        ComplianceState::NonCompliant
    );
    assert_eq!(state(vec![]), ComplianceState::Pending);
}

#[test]
fn tax_cell_follows_filer_status_and_meets_attestations() {
    let with_status = |filer_status, attestations| {
        let facts = SubjectFacts {
            filer_status: Some(filer_status),
            ..SubjectFacts::default()
        };
        check(&record(attestations, facts), &NO_LISTS, Domain::Tax).state
    };
    assert_eq!(
        with_status(FilerStatus::Filer, vec![]),
        ComplianceState::Compliant
    );
    assert_eq!(
        with_status(FilerStatus::LateFiler, vec![]),
        ComplianceState::Pending
    );
    assert_eq!(
        with_status(FilerStatus::NonFiler, vec![]),
        ComplianceState::NonCompliant
    );
    let exempt = attestation(1, Domain::Tax, ComplianceState::Exempt, None);
    assert_eq!(
        with_status(FilerStatus::Filer, vec![exempt]),
        ComplianceState::Exempt
    );
}

#[test]
fn attestation_count_is_accepted_at_limit_and_rejected_above() {
    let many = |count: usize| {
        (0..count)
            .map(|i| {
                attestation(
                    (i % 250) as u8,
                    Domain::ALL[i % 20],
                    ComplianceState::Compliant,
                    None,
                )
            })
            .collect::<Vec<_>>()
    };
    let at_limit = record(many(ATTESTATIONS_PER_SUBJECT_MAX), SubjectFacts::default());
    assert!(evaluate_subject(&at_limit, &NO_LISTS, at(NOW)).is_ok());
    let above = record(
        many(ATTESTATIONS_PER_SUBJECT_MAX + 1),
        SubjectFacts::default(),
    );
    assert!(matches!(
        evaluate_subject(&above, &NO_LISTS, at(NOW)),
        Err(EvaluationError::TooManyAttestations { attestation_count, .. })
            if attestation_count == ATTESTATIONS_PER_SUBJECT_MAX + 1
    ));
}

fn attestation_strategy() -> impl Strategy<Value = Attestation> {
    (
        any::<u8>(),
        0usize..20,
        0usize..5,
        proptest::option::of(0i64..400),
    )
        .prop_map(|(byte, domain, state, expiry_days)| Attestation {
            digest: Digest::from_bytes([byte; 32]),
            domain: Domain::ALL[domain],
            jurisdiction: None,
            state: ComplianceState::ALL[state],
            issued_at: at("2026-01-01T00:00:00Z"),
            expires_at: expiry_days.map(|days| {
                at("2026-01-01T00:00:01Z")
                    .checked_add_seconds(days * 86_400)
                    .unwrap()
            }),
        })
}

proptest! {
    #[test]
    fn evaluation_is_independent_of_attestation_order(
        attestations in proptest::collection::vec(attestation_strategy(), 0..30),
    ) {
        let forward = evaluate_subject(&record(attestations.clone(), SubjectFacts::default()), &NO_LISTS, at(NOW)).unwrap();
        let mut reversed = attestations;
        reversed.reverse();
        let backward = evaluate_subject(&record(reversed, SubjectFacts::default()), &NO_LISTS, at(NOW)).unwrap();
        prop_assert_eq!(forward, backward);
    }

    #[test]
    fn cell_state_never_exceeds_any_valid_attestation(
        attestations in proptest::collection::vec(attestation_strategy(), 1..30),
    ) {
        let evaluation = evaluate_subject(&record(attestations.clone(), SubjectFacts::default()), &NO_LISTS, at(NOW)).unwrap();
        for a in &attestations {
            let cell = evaluation.cell(a.domain).unwrap();
            prop_assert!(cell.state <= a.state);
            let digests = evaluation.attestation_digests(a.domain);
            prop_assert!(digests.windows(2).all(|pair| pair[0] < pair[1]));
            prop_assert!(digests.binary_search(&a.digest).is_ok());
        }
        for domain in Domain::ALL {
            for digest in evaluation.attestation_digests(domain) {
                let attested_here = attestations.iter().any(|a| a.domain == domain && &a.digest == digest);
                prop_assert!(attested_here, "{digest} filed under {domain}");
            }
        }
    }

    #[test]
    fn evaluation_never_panics_on_arbitrary_facts(
        subject_names in proptest::collection::vec(".{0,40}", 0..4),
        kind in ".{0,8}",
        value in ".{0,12}",
    ) {
        let index = sanctions_index();
        let context = EvaluationContext { sanctions: Some(&index), ..NO_LISTS };
        let facts = SubjectFacts {
            names: subject_names,
            identifiers: vec![crate::tensor::sanctions::SanctionsIdentifier { kind, value }],
            filer_status: None,
        };
        let _ = evaluate_subject(&record(vec![], facts), &context, at(NOW));
    }
}
