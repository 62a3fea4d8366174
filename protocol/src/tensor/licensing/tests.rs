//! The licence registry: list checks, and the finding by status and date.

use super::*;

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn licence(licence_id: &str, holder: &str, status: LicenceStatus, until: Option<&str>) -> Licence {
    Licence {
        licence_id: licence_id.into(),
        licence_type: "trading".into(),
        holder: EntityId::new(holder).unwrap(),
        jurisdiction: JurisdictionId::new("PK-RSEZ").unwrap(),
        status,
        valid_from: at("2025-01-01T00:00:00Z"),
        valid_until: until.map(at),
    }
}

fn finding(licences: Vec<Licence>, holder: &str, now: &str) -> Option<Finding> {
    let registry = LicenceRegistry::build(LicenceList { licences }).unwrap();
    let jurisdiction = JurisdictionId::new("PK-RSEZ").unwrap();
    registry.finding(&EntityId::new(holder).unwrap(), &jurisdiction, at(now))
}

#[test]
fn finding_is_compliant_for_active_in_date_licences() {
    let licences = vec![
        licence(
            "L-1",
            "e-1",
            LicenceStatus::Active,
            Some("2027-01-01T00:00:00Z"),
        ),
        licence("L-2", "e-1", LicenceStatus::Active, None),
    ];
    assert_eq!(
        finding(licences, "e-1", "2026-06-01T00:00:00Z"),
        Some(Finding {
            state: ComplianceState::Compliant,
            reason: Reason::LicenceActive { licence_count: 2 }
        })
    );
}

#[test]
fn finding_is_non_compliant_for_suspended_or_expired() {
    let suspended = vec![
        licence("L-1", "e-1", LicenceStatus::Active, None),
        licence("L-2", "e-1", LicenceStatus::Suspended, None),
    ];
    assert_eq!(
        finding(suspended, "e-1", "2026-06-01T00:00:00Z").map(|f| f.reason),
        Some(Reason::LicenceNotActive {
            licence_id: "L-2".into()
        })
    );
    let expiring = vec![licence(
        "L-3",
        "e-1",
        LicenceStatus::Active,
        Some("2026-06-01T00:00:00Z"),
    )];
    assert_eq!(
        finding(expiring.clone(), "e-1", "2026-05-31T23:59:59Z").map(|f| f.state),
        Some(ComplianceState::Compliant)
    );
    assert_eq!(
        finding(expiring, "e-1", "2026-06-01T00:00:00Z"),
        Some(Finding {
            state: ComplianceState::NonCompliant,
            reason: Reason::LicenceExpired {
                licence_id: "L-3".into()
            }
        })
    );
}

#[test]
fn finding_is_pending_before_validity_and_none_without_licence() {
    let licences = vec![licence("L-1", "e-1", LicenceStatus::Active, None)];
    assert_eq!(
        finding(licences.clone(), "e-1", "2024-12-31T23:59:59Z").map(|f| f.state),
        Some(ComplianceState::Pending)
    );
    assert_eq!(
        finding(licences.clone(), "e-2", "2026-01-01T00:00:00Z"),
        None
    );
    let registry = LicenceRegistry::build(LicenceList { licences }).unwrap();
    let elsewhere = JurisdictionId::new("AE").unwrap();
    assert_eq!(
        registry.finding(
            &EntityId::new("e-1").unwrap(),
            &elsewhere,
            at("2026-01-01T00:00:00Z")
        ),
        None
    );
}

#[test]
fn build_rejects_bad_lists() {
    let mut empty_id = licence("", "e-1", LicenceStatus::Active, None);
    empty_id.licence_id.clear();
    assert_eq!(
        LicenceRegistry::build(LicenceList {
            licences: vec![empty_id]
        })
        .unwrap_err(),
        LicenceError::EmptyLicenceId { licence_index: 0 }
    );
    let twice = vec![
        licence("L-1", "e-1", LicenceStatus::Active, None),
        licence("L-1", "e-2", LicenceStatus::Active, None),
    ];
    assert_eq!(
        LicenceRegistry::build(LicenceList { licences: twice }).unwrap_err(),
        LicenceError::DuplicateLicenceId {
            licence_id: "L-1".into()
        }
    );
    let backwards = licence(
        "L-1",
        "e-1",
        LicenceStatus::Active,
        Some("2025-01-01T00:00:00Z"),
    );
    assert!(matches!(
        LicenceRegistry::build(LicenceList {
            licences: vec![backwards]
        }),
        Err(LicenceError::EmptyValidity { .. })
    ));
}

#[test]
fn digest_changes_with_the_list() {
    let one = LicenceRegistry::build(LicenceList {
        licences: vec![licence("L-1", "e-1", LicenceStatus::Active, None)],
    })
    .unwrap();
    let other = LicenceRegistry::build(LicenceList {
        licences: vec![licence("L-1", "e-1", LicenceStatus::Suspended, None)],
    })
    .unwrap();
    assert_ne!(one.digest(), other.digest());
}
