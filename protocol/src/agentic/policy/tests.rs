//! Goal: policies rank, scope and resolve conflicts by the documented rule, independent of input
//! order, and malformed policies fail naming the field. Method: small policy sets through
//! `check`, plus a property that shuffling the policies never changes the evaluation.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::time::Timestamp;

fn policy(value: Value) -> Policy {
    parse_policy(&value, "$").unwrap()
}

fn trigger(kind: TriggerKind, jurisdiction: Option<&str>, payload: Value) -> Trigger {
    let at = Timestamp::parse("2026-03-01T12:00:00Z").unwrap();
    let jurisdiction = jurisdiction.map(|j| JurisdictionId::new(j).unwrap());
    Trigger::new(kind, jurisdiction, payload, at).unwrap()
}

/// Evaluates and returns `(kind, target, policy_id)` of each planned action.
#[track_caller]
fn check(
    policies: Vec<Value>,
    trigger: &Trigger,
    expected: &[(&str, Option<&str>, &str)],
) -> Evaluation {
    let set = PolicySet::new(policies.into_iter().map(policy).collect()).unwrap();
    let evaluation = set.evaluate(trigger);
    let found: Vec<(&str, Option<&str>, &str)> = evaluation
        .actions
        .iter()
        .map(|a| (a.kind.as_str(), a.target.as_deref(), a.policy_id.as_str()))
        .collect();
    assert_eq!(found, expected);
    evaluation
}

#[test]
fn evaluate_freezes_corridor_on_sanctions_match() {
    let policies = vec![json!({
        "policy_id": "sanctions-freeze",
        "trigger": "sanctions_list_update",
        "priority": 100,
        "condition": {"type":"threshold","path":"match.score_bps","value":9000},
        "actions": [{"action":"freeze_corridor","target_path":"corridor_id"},
                    {"action":"notify","target":"compliance-desk","parameters":{"channel":"email"}}]
    })];
    let hit = trigger(
        TriggerKind::SanctionsListUpdate,
        Some("PK"),
        json!({"corridor_id":"pk-ae-1","match":{"score_bps":9500}}),
    );
    check(
        policies.clone(),
        &hit,
        &[
            ("freeze_corridor", Some("pk-ae-1"), "sanctions-freeze"),
            ("notify", Some("compliance-desk"), "sanctions-freeze"),
        ],
    );
    let miss = trigger(
        TriggerKind::SanctionsListUpdate,
        Some("PK"),
        json!({"corridor_id":"pk-ae-1","match":{"score_bps":8999}}),
    );
    check(policies.clone(), &miss, &[]);
    let other_kind = trigger(TriggerKind::PackUpdated, Some("PK"), json!({}));
    check(policies, &other_kind, &[]);
}

#[test]
fn evaluate_halt_beats_resume_in_same_tier() {
    let policies = vec![
        json!({"policy_id":"a-resume","trigger":"corridor_state_change","priority":10,
               "actions":[{"action":"resume","target_path":"corridor_id"}]}),
        json!({"policy_id":"b-halt","trigger":"corridor_state_change","priority":10,
               "actions":[{"action":"halt","target_path":"corridor_id"}]}),
    ];
    let event = trigger(
        TriggerKind::CorridorStateChange,
        None,
        json!({"corridor_id":"c-1"}),
    );
    let evaluation = check(policies, &event, &[("halt", Some("c-1"), "b-halt")]);
    assert_eq!(evaluation.overridden.len(), 1);
    assert_eq!(
        evaluation.overridden[0].action.policy_id.as_str(),
        "a-resume"
    );
    assert_eq!(evaluation.overridden[0].winner_policy_id.as_str(), "b-halt");
}

#[test]
fn evaluate_higher_priority_resume_beats_lower_halt() {
    let policies = vec![
        json!({"policy_id":"resume","trigger":"corridor_state_change","priority":20,
               "actions":[{"action":"resume","target":"c-1"}]}),
        json!({"policy_id":"halt","trigger":"corridor_state_change","priority":10,
               "actions":[{"action":"halt","target":"c-1"}]}),
    ];
    let event = trigger(TriggerKind::CorridorStateChange, None, json!({}));
    check(policies, &event, &[("resume", Some("c-1"), "resume")]);
}

#[test]
fn evaluate_jurisdiction_policy_beats_global_of_same_priority() {
    let policies = vec![
        json!({"policy_id":"global-halt","trigger":"guidance_update","priority":5,
               "actions":[{"action":"halt","target":"zone"}]}),
        json!({"policy_id":"pk-resume","trigger":"guidance_update","priority":5,"jurisdiction":"PK",
               "actions":[{"action":"resume","target":"zone"}]}),
    ];
    let in_pk_sez = trigger(TriggerKind::GuidanceUpdate, Some("PK-RSEZ"), json!({}));
    check(
        policies.clone(),
        &in_pk_sez,
        &[("resume", Some("zone"), "pk-resume")],
    );
    // Outside the scope only the global policy applies.
    let in_ae = trigger(TriggerKind::GuidanceUpdate, Some("AE"), json!({}));
    check(
        policies.clone(),
        &in_ae,
        &[("halt", Some("zone"), "global-halt")],
    );
    // `PKX` is not a sub-jurisdiction of `PK`.
    let in_pkx = trigger(TriggerKind::GuidanceUpdate, Some("PKX"), json!({}));
    check(policies, &in_pkx, &[("halt", Some("zone"), "global-halt")]);
}

#[test]
fn evaluate_drops_duplicate_and_reports_unresolved_target() {
    let policies = vec![
        json!({"policy_id":"p1","trigger":"license_status_change","priority":1,
               "actions":[{"action":"suspend_entity","target_path":"entity_id"}]}),
        json!({"policy_id":"p2","trigger":"license_status_change","priority":1,
               "actions":[{"action":"suspend_entity","target_path":"entity_id"},
                          {"action":"issue_credential","target_path":"holder.did"}]}),
    ];
    let event = trigger(
        TriggerKind::LicenseStatusChange,
        None,
        json!({"entity_id":"ent-9"}),
    );
    let evaluation = check(policies, &event, &[("suspend_entity", Some("ent-9"), "p1")]);
    assert_eq!(evaluation.matched_policy_ids.len(), 2);
    assert_eq!(evaluation.unresolved.len(), 1);
    assert_eq!(evaluation.unresolved[0].target_path, "holder.did");
}

#[test]
fn policy_set_rejects_duplicate_id() {
    let p = policy(
        json!({"policy_id":"p","trigger":"tax_year_end","priority":1,
                          "actions":[{"action":"notify"}]}),
    );
    assert_eq!(
        PolicySet::new(vec![p.clone(), p]).unwrap_err(),
        PolicyError::DuplicatePolicyId {
            policy_id: PolicyId::new("p").unwrap()
        }
    );
}

#[test]
fn parse_policy_names_malformed_field() {
    let cases = [
        (
            json!({"policy_id":"p","trigger":"tax_year_end","priority":1,"actions":[]}),
            FieldError::Empty {
                path: "$.actions".into(),
            },
        ),
        (
            json!({"policy_id":"p","trigger":"tax_year_ends","priority":1,"actions":[{"action":"notify"}]}),
            FieldError::UnknownWord {
                path: "$.trigger".into(),
                value: "tax_year_ends".into(),
                allowed: TriggerKind::WORDS.join(", "),
            },
        ),
        (
            json!({"policy_id":"p","trigger":"tax_year_end","priority":-1,"actions":[{"action":"notify"}]}),
            FieldError::OutOfRange {
                path: "$.priority".into(),
                value: -1,
                min: 0,
                max: PRIORITY_MAX,
            },
        ),
        (
            json!({"policy_id":"p","trigger":"tax_year_end","priority":1,
                "condition":{"type":"in","path":"x","values":[{}]},"actions":[{"action":"notify"}]}),
            FieldError::WrongType {
                path: "$.condition.values[0]".into(),
                expected: "a string, an integer or a boolean",
            },
        ),
        (
            json!({"policy_id":"p","trigger":"tax_year_end","priority":1,
                "actions":[{"action":"explode"}]}),
            FieldError::UnknownWord {
                path: "$.actions[0].action".into(),
                value: "explode".into(),
                allowed: ActionKind::WORDS.join(", "),
            },
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(parse_policy(&value, "$"), Err(PolicyError::Field(expected)));
    }
}

#[test]
fn policy_actions_accepts_limit_and_rejects_limit_plus_one() {
    let with = |count: usize| {
        let actions: Vec<Value> = (0..count).map(|_| json!({"action":"notify"})).collect();
        json!({"policy_id":"p","trigger":"tax_year_end","priority":1,"actions":actions})
    };
    assert!(parse_policy(&with(POLICY_ACTIONS_MAX), "$").is_ok());
    assert!(parse_policy(&with(POLICY_ACTIONS_MAX + 1), "$").is_err());
}

#[test]
fn policy_set_accepts_limit_and_rejects_limit_plus_one() {
    let make = |count: usize| -> Vec<Policy> {
        (0..count)
            .map(|i| {
                policy(json!({"policy_id":format!("p{i}"),"trigger":"tax_year_end",
                                  "priority":1,"actions":[{"action":"notify"}]}))
            })
            .collect()
    };
    assert!(PolicySet::new(make(POLICIES_MAX)).is_ok());
    assert_eq!(
        PolicySet::new(make(POLICIES_MAX + 1)).unwrap_err(),
        PolicyError::TooManyPolicies {
            count: POLICIES_MAX + 1
        }
    );
}

#[test]
fn policy_round_trips_through_json() {
    let value = json!({"policy_id":"p","trigger":"withholding_due","priority":7,"jurisdiction":"PK",
        "condition":{"type":"and","conditions":[{"type":"exists","path":"a"},
                     {"type":"in","path":"b","values":["x",1,true]}]},
        "actions":[{"action":"notify","target":"ops","parameters":{"channel":"sms"}},
                   {"action":"halt"},{"action":"freeze_asset","target_path":"asset.id"}]});
    let parsed = policy(value.clone());
    assert_eq!(parsed.to_value(), value);
}

fn conflict_policy() -> impl Strategy<Value = Value> {
    (
        0u32..3,
        prop::sample::select(vec![
            "halt",
            "resume",
            "freeze_asset",
            "unfreeze_asset",
            "notify",
        ]),
        prop::option::of(prop::sample::select(vec!["PK", "PK-RSEZ", "AE"])),
        0u8..3,
    )
        .prop_map(|(priority, action, scope, target)| {
            let mut value = json!({"trigger":"pack_updated","priority":priority,
                "actions":[{"action":action,"target":format!("t{target}")}]});
            if let Some(scope) = scope {
                value["jurisdiction"] = json!(scope);
            }
            value
        })
}

proptest! {
    #[test]
    fn evaluate_is_independent_of_policy_order(
        raw in prop::collection::vec(conflict_policy(), 1..12),
        seed in any::<u64>(),
    ) {
        let policies: Vec<Policy> = raw.into_iter().enumerate().map(|(i, mut v)| {
            v["policy_id"] = json!(format!("p{i:02}"));
            policy(v)
        }).collect();
        let mut shuffled = policies.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        let event = trigger(TriggerKind::PackUpdated, Some("PK-RSEZ"), json!({}));
        let a = PolicySet::new(policies).unwrap().evaluate(&event);
        let b = PolicySet::new(shuffled).unwrap().evaluate(&event);
        // No target ever carries both sides of a conflicting pair.
        for action in &a.actions {
            if let Some(opposite) = action.kind.opposite() {
                prop_assert!(!a.actions.iter().any(|o| o.kind == opposite && o.target == action.target));
            }
        }
        prop_assert_eq!(a, b);
    }
}
