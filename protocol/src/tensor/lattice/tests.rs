//! The lattice laws, checked by property tests over every state, and the fail-closed empty meet.

use proptest::prelude::*;

use super::*;

fn state() -> impl Strategy<Value = ComplianceState> {
    proptest::sample::select(ComplianceState::ALL.to_vec())
}

proptest! {
    #[test]
    fn meet_is_associative(a in state(), b in state(), c in state()) {
        prop_assert_eq!(a.meet(b).meet(c), a.meet(b.meet(c)));
        prop_assert_eq!(a.join(b).join(c), a.join(b.join(c)));
    }

    #[test]
    fn meet_is_commutative(a in state(), b in state()) {
        prop_assert_eq!(a.meet(b), b.meet(a));
        prop_assert_eq!(a.join(b), b.join(a));
    }

    #[test]
    fn meet_is_idempotent(a in state()) {
        prop_assert_eq!(a.meet(a), a);
        prop_assert_eq!(a.join(a), a);
    }

    #[test]
    fn meet_and_join_absorb(a in state(), b in state()) {
        prop_assert_eq!(a.meet(a.join(b)), a);
        prop_assert_eq!(a.join(a.meet(b)), a);
    }

    #[test]
    fn meet_is_absorbed_by_non_compliant(a in state()) {
        prop_assert_eq!(a.meet(ComplianceState::NonCompliant), ComplianceState::NonCompliant);
        prop_assert_eq!(ComplianceState::NonCompliant.meet(a), ComplianceState::NonCompliant);
    }

    #[test]
    fn meet_all_equals_folded_meet(states in proptest::collection::vec(state(), 1..12)) {
        let folded = states.iter().copied().fold(ComplianceState::Compliant, ComplianceState::meet);
        prop_assert_eq!(meet_all(states), folded);
    }
}

#[test]
fn meet_all_of_nothing_is_pending() {
    assert_eq!(meet_all([]), ComplianceState::Pending);
}

#[test]
fn states_order_worst_to_best_as_spec_lists_them() {
    let spelled: Vec<&str> = ComplianceState::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(
        spelled,
        [
            "non_compliant",
            "pending",
            "not_applicable",
            "exempt",
            "compliant"
        ]
    );
    assert!(
        ComplianceState::ALL
            .windows(2)
            .all(|pair| pair[0] < pair[1])
    );
}

#[test]
fn passes_admits_only_not_applicable_and_better() {
    let passing: Vec<ComplianceState> = ComplianceState::ALL
        .into_iter()
        .filter(|state| state.passes())
        .collect();
    assert_eq!(
        passing,
        [
            ComplianceState::NotApplicable,
            ComplianceState::Exempt,
            ComplianceState::Compliant
        ]
    );
}

#[test]
fn from_str_round_trips_and_rejects_unknown() {
    for state in ComplianceState::ALL {
        assert_eq!(state.as_str().parse::<ComplianceState>(), Ok(state));
    }
    assert_eq!(
        "ok".parse::<ComplianceState>(),
        Err(UnknownStateError { found: "ok".into() })
    );
}
