//! Goal: only the documented transitions are possible, dissolution walks all ten stages, and
//! versions and time guard every step. Method: scripted event sequences plus a random walk.

use proptest::prelude::*;

use super::*;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_unix_seconds(1_760_000_000 + seconds).unwrap()
}

fn entity() -> EntityLifecycle {
    EntityLifecycle::apply_for(EntityId::new("ent-1").unwrap(), at(0))
}

#[test]
fn dissolution_walks_ten_stages_to_dissolved() {
    let mut lifecycle = entity();
    lifecycle
        .transition(0, EntityEvent::Approve, at(1))
        .unwrap();
    lifecycle
        .transition(1, EntityEvent::Suspend, at(2))
        .unwrap();
    lifecycle
        .transition(2, EntityEvent::Reinstate, at(3))
        .unwrap();
    lifecycle
        .transition(3, EntityEvent::BeginDissolution, at(4))
        .unwrap();
    let mut stages = vec![lifecycle.state()];
    while lifecycle.state() != EntityState::Dissolved {
        let version = lifecycle.version();
        lifecycle
            .transition(version, EntityEvent::AdvanceDissolution, at(5))
            .unwrap();
        stages.push(lifecycle.state());
    }
    assert_eq!(stages.len(), 11);
    assert_eq!(
        stages[9],
        EntityState::Dissolving(DissolutionStage::DeregistrationRequested)
    );
    assert!(lifecycle.state().is_terminal());
    assert_eq!(lifecycle.version(), 14);
}

#[test]
fn transition_rejects_disallowed_stale_and_backwards() {
    let mut lifecycle = entity();
    assert!(matches!(
        lifecycle.transition(0, EntityEvent::Suspend, at(1)),
        Err(EntityLifecycleError::NotAllowed {
            state: EntityState::Applied,
            ..
        })
    ));
    lifecycle.transition(0, EntityEvent::Reject, at(1)).unwrap();
    assert!(matches!(
        lifecycle.transition(1, EntityEvent::Approve, at(2)),
        Err(EntityLifecycleError::NotAllowed {
            state: EntityState::Rejected,
            ..
        })
    ));
    let mut lifecycle = entity();
    assert!(matches!(
        lifecycle.transition(3, EntityEvent::Approve, at(1)),
        Err(EntityLifecycleError::VersionConflict {
            expected_version: 3,
            current_version: 0,
            ..
        })
    ));
    assert!(matches!(
        lifecycle.transition(0, EntityEvent::Approve, at(-1)),
        Err(EntityLifecycleError::TimeReversed { .. })
    ));
    assert_eq!(lifecycle.version(), 0);
}

fn any_event() -> impl Strategy<Value = EntityEvent> {
    prop::sample::select(vec![
        EntityEvent::Approve,
        EntityEvent::Reject,
        EntityEvent::Suspend,
        EntityEvent::Reinstate,
        EntityEvent::BeginDissolution,
        EntityEvent::AdvanceDissolution,
    ])
}

proptest! {
    #[test]
    fn lifecycle_history_is_consistent_under_random_events(events in prop::collection::vec(any_event(), 0..40)) {
        let mut lifecycle = entity();
        for (i, event) in events.into_iter().enumerate() {
            let before = lifecycle.state();
            let version = lifecycle.version();
            match lifecycle.transition(version, event, at(i as i64)) {
                Ok(record) => {
                    prop_assert_eq!(record.from, before);
                    prop_assert_eq!(Some(record.to), next_state(before, event));
                    prop_assert!(!before.is_terminal());
                }
                Err(_) => prop_assert_eq!(lifecycle.state(), before),
            }
        }
        // History chains: each record starts where the previous ended.
        for pair in lifecycle.history().windows(2) {
            prop_assert_eq!(pair[0].to, pair[1].from);
            prop_assert_eq!(pair[0].version + 1, pair[1].version);
        }
    }
}
