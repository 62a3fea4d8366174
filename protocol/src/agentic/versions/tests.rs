//! Goal: version documents round-trip and fail naming the member; the latest versions replace
//! or retire baseline policies, independent of the order they are given in. Method: `check`
//! composes a baseline with versions and compares the ids in force and their priorities, plus a
//! property over shuffled versions.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn policy(id: &str, priority: u32) -> Value {
    json!({
        "policy_id": id,
        "trigger": "sanctions_list_update",
        "priority": priority,
        "actions": [{"action": "halt", "target_path": "corridor_id"}],
    })
}

fn version(value: Value) -> PolicyVersion {
    parse_policy_version(&value, "$").unwrap()
}

fn baseline() -> Vec<Policy> {
    ["base.a", "base.b"]
        .iter()
        .map(|id| parse_policy(&policy(id, 10), "$").unwrap())
        .collect()
}

/// Composes `baseline()` with `versions` and compares `(policy_id, priority)` in id order.
#[track_caller]
fn check(versions: Vec<Value>, expected: &[(&str, u32)]) {
    let set = compose_policy_set(&baseline(), versions.into_iter().map(version).collect()).unwrap();
    let mut found: Vec<(&str, u32)> = set
        .policies()
        .iter()
        .map(|p| (p.policy_id.as_str(), p.priority))
        .collect();
    found.sort_unstable();
    assert_eq!(found, expected);
}

#[test]
fn compose_keeps_baseline_without_versions() {
    check(vec![], &[("base.a", 10), ("base.b", 10)]);
}

#[test]
fn compose_replaces_a_baseline_policy_with_its_version() {
    check(
        vec![policy("base.a", 99)],
        &[("base.a", 99), ("base.b", 10)],
    );
}

#[test]
fn compose_retires_a_baseline_policy() {
    check(
        vec![json!({"policy_id": "base.b", "retired": true})],
        &[("base.a", 10)],
    );
}

#[test]
fn compose_adds_a_new_policy_and_ignores_retiring_an_unknown_id() {
    check(
        vec![
            policy("zone.x", 5),
            json!({"policy_id": "never.existed", "retired": true}),
        ],
        &[("base.a", 10), ("base.b", 10), ("zone.x", 5)],
    );
}

#[test]
fn compose_refuses_two_versions_of_one_id() {
    let versions = vec![version(policy("zone.x", 5)), version(policy("zone.x", 6))];
    assert_eq!(
        compose_policy_set(&baseline(), versions).unwrap_err(),
        PolicyError::DuplicatePolicyId {
            policy_id: PolicyId::new("zone.x").unwrap()
        }
    );
}

#[test]
fn parse_policy_version_names_the_bad_member() {
    let cases = [
        (json!({"policy_id": "x", "retired": false}), "$.retired"),
        (
            json!({"policy_id": "x", "retired": true, "note": 1}),
            "$.note",
        ),
        (json!({"retired": true}), "$.policy_id"),
        (json!({"policy_id": "x"}), "$.trigger"),
    ];
    for (document, path) in cases {
        let error = parse_policy_version(&document, "$").unwrap_err();
        assert!(
            error.to_string().starts_with(path),
            "{document}: {error} does not name {path}"
        );
    }
}

#[test]
fn policy_version_round_trips_through_its_document() {
    for document in [
        policy("zone.x", 5),
        json!({"policy_id": "zone.x", "retired": true}),
    ] {
        let parsed = version(document);
        assert_eq!(version(parsed.to_value()), parsed);
    }
}

proptest! {
    #[test]
    fn compose_is_independent_of_version_order(
        retire in proptest::collection::vec(any::<bool>(), 4),
        shuffle in any::<proptest::sample::Index>(),
    ) {
        let ids = ["base.a", "base.b", "zone.c", "zone.d"];
        let mut versions: Vec<PolicyVersion> = ids
            .iter()
            .zip(&retire)
            .map(|(id, retired)| match retired {
                true => version(json!({"policy_id": id, "retired": true})),
                false => version(policy(id, 7)),
            })
            .collect();
        let forward = compose_policy_set(&baseline(), versions.clone()).unwrap();
        let rotation = shuffle.index(versions.len());
        versions.rotate_left(rotation);
        versions.reverse();
        let shuffled = compose_policy_set(&baseline(), versions).unwrap();
        let ids_of = |set: &PolicySet| {
            let mut ids: Vec<String> =
                set.policies().iter().map(|p| p.policy_id.to_string()).collect();
            ids.sort_unstable();
            ids
        };
        prop_assert_eq!(ids_of(&forward), ids_of(&shuffled));
    }
}
