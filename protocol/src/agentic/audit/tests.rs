//! Goal: the audit chain links every entry to the previous one and detects any tampering.
//! Method: build a trail from real evaluations, then mutate entries and check the reported error.

use serde_json::json;

use super::*;
use crate::agentic::policy::{PolicySet, parse_policy};

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn trail_of(count: u64) -> AuditTrail {
    let policy = parse_policy(
        &json!({"policy_id":"p","trigger":"checkpoint_due","priority":1,
                "actions":[{"action":"notify","target_path":"corridor_id"}]}),
        "$",
    )
    .unwrap();
    let set = PolicySet::new(vec![policy]).unwrap();
    let mut trail = AuditTrail::new("zone-pk");
    for i in 0..count {
        let trigger = Trigger::new(
            TriggerKind::CheckpointDue,
            None,
            json!({"corridor_id": format!("c-{i}")}),
            at("2026-01-01T00:00:00Z"),
        )
        .unwrap();
        let evaluation = set.evaluate(&trigger);
        let seconds = i64::try_from(i).unwrap();
        let recorded = at("2026-01-01T00:00:00Z")
            .checked_add_seconds(seconds)
            .unwrap();
        trail.append(&trigger, &evaluation, recorded).unwrap();
    }
    trail
}

#[test]
fn audit_trail_verifies_and_links_each_entry() {
    let trail = trail_of(5);
    assert_eq!(verify_entries("zone-pk", trail.entries()), Ok(()));
    assert_eq!(
        trail.entries()[0].body.prev_digest,
        genesis_digest("zone-pk")
    );
    for pair in trail.entries().windows(2) {
        assert_eq!(pair[1].body.prev_digest, pair[0].entry_digest);
    }
    assert_eq!(trail.head_digest(), trail.entries()[4].entry_digest);
}

#[test]
fn verify_entries_detects_changed_content() {
    let mut entries = trail_of(4).entries().to_vec();
    entries[2].body.actions[0].target = Some("c-evil".into());
    assert!(matches!(
        verify_entries("zone-pk", &entries),
        Err(AuditError::DigestMismatch { sequence: 2, .. })
    ));
}

#[test]
fn verify_entries_detects_recomputed_digest_by_broken_link() {
    let mut entries = trail_of(4).entries().to_vec();
    entries[1].body.actions.clear();
    entries[1].entry_digest = entries[1].body.digest().unwrap();
    assert!(matches!(
        verify_entries("zone-pk", &entries),
        Err(AuditError::BrokenLink { sequence: 2, .. })
    ));
}

#[test]
fn verify_entries_detects_removed_entry_and_wrong_trail() {
    let mut entries = trail_of(3).entries().to_vec();
    entries.remove(1);
    assert!(matches!(
        verify_entries("zone-pk", &entries),
        Err(AuditError::SequenceGap {
            position: 1,
            sequence: 2
        })
    ));
    let entries = trail_of(1).entries().to_vec();
    assert!(matches!(
        verify_entries("zone-ae", &entries),
        Err(AuditError::WrongTrail { .. })
    ));
}

#[test]
fn append_rejects_time_reversal() {
    let mut trail = trail_of(2);
    let trigger = Trigger::new(
        TriggerKind::CheckpointDue,
        None,
        json!({}),
        at("2026-01-01T00:00:00Z"),
    )
    .unwrap();
    let result = trail.append(&trigger, &Default::default(), at("2025-12-31T23:59:59Z"));
    assert!(matches!(
        result,
        Err(AuditError::TimeReversed { sequence: 2, .. })
    ));
}
