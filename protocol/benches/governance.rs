//! Governance benchmarks: one trigger evaluated against 100 policies (budget: < 50 µs, issue 4).
//!
//! Run: `cargo bench -p msez-protocol --bench governance -- --warm-up-time 1 --measurement-time 3`.
//!
//! Measured 2026-11-25 on the shared 2-core machine (load average ~17 from other builds):
//! 24.7 / 27.0 / 29.4 µs (criterion low / estimate / high) for one trigger against 100
//! policies, within the 50 µs budget.

// A benchmark is not library code: a broken fixture should stop it loudly.
#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use msez_protocol::agentic::policy::{PolicySet, parse_policy};
use msez_protocol::agentic::{Trigger, TriggerKind};
use msez_protocol::ids::JurisdictionId;
use msez_protocol::time::Timestamp;
use serde_json::json;

/// 100 policies on the same trigger kind, mixing scopes, nested conditions and conflicts, so
/// every policy's condition is evaluated and about half of them fire.
fn hundred_policies() -> PolicySet {
    let policies = (0..100)
        .map(|i| {
            let action = ["halt", "resume", "freeze_corridor", "notify"][i % 4];
            let mut value = json!({
                "policy_id": format!("policy-{i:03}"),
                "trigger": "sanctions_list_update",
                "priority": i % 7,
                "condition": {"type": "and", "conditions": [
                    {"type": "threshold", "path": "match.score_bps", "value": 5000 + (i as i64 % 10) * 500},
                    {"type": "in", "path": "match.list", "values": ["ofac", "un", "eu"]},
                    {"type": "or", "conditions": [
                        {"type": "exists", "path": "corridor_id"},
                        {"type": "equals", "path": "entity.kind", "value": "company"}]}]},
                "actions": [{"action": action, "target_path": "corridor_id"}],
            });
            if i % 3 == 0 {
                value["jurisdiction"] = json!("PK");
            }
            parse_policy(&value, "$").expect("fixture policy parses")
        })
        .collect();
    PolicySet::new(policies).expect("fixture set is valid")
}

fn bench_policy_evaluation(c: &mut Criterion) {
    let set = hundred_policies();
    let trigger = Trigger::new(
        TriggerKind::SanctionsListUpdate,
        Some(JurisdictionId::new("PK-RSEZ").expect("valid id")),
        json!({"corridor_id": "pk-ae-001", "match": {"score_bps": 7600, "list": "un"},
               "entity": {"kind": "company"}}),
        Timestamp::parse("2026-03-01T00:00:00Z").expect("valid time"),
    )
    .expect("integer payload");
    assert!(!set.evaluate(&trigger).actions.is_empty());
    c.bench_function("agentic_evaluate_1_trigger_100_policies", |b| {
        b.iter(|| set.evaluate(std::hint::black_box(&trigger)))
    });
}

criterion_group!(benches, bench_policy_evaluation);
criterion_main!(benches);
