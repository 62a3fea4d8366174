//! Dispute routes over HTTP: a dispute filed by a party goes through review, panel, hearing,
//! ruling and enforcement (executed by the agentic engine); the evidence file and the status
//! follow; every mistake is a 4xx naming the problem; an enforcement cut off by the agentic
//! engine's absence stays pending and is executed once the node restarts.
//!
//! Method: a node on port 0 over SQLite and the sandbox; the restart test starts a second node
//! on the first one's store.

use std::time::Duration;

use msez_api::server::Node;
use serde_json::{Value, json};

use super::support::{
    ADMIN, OPERATOR, PARTY, REGULATOR, TestNode, config_at, default_knobs, start,
};

fn package(kind: &str, by: &str) -> Value {
    json!({
        "kind": kind,
        "submitted_by": by,
        "submitted_at": "2026-03-01T00:00:00Z",
        "items": [{"name": format!("{kind}.pdf"), "media_type": "application/pdf",
                   "sha256": "07".repeat(32)}],
    })
}

fn filing(dispute_id: &str) -> Value {
    json!({
        "dispute_id": dispute_id,
        "corridor_id": "pk-ae.trade",
        "jurisdiction": "PK",
        "claimant": "claimant-co",
        "respondent": "respondent-co",
        "statement_of_claim": package("statement_of_claim", "claimant-co"),
    })
}

fn step(name: &str, evidence_kind: &str) -> Value {
    json!({"step": name, "evidence": [package(evidence_kind, "claimant-co")]})
}

/// The steps from filed to ruling_issued, with a ruling that suspends the respondent and no
/// appeal period.
fn to_ruling() -> Vec<Value> {
    let mut panel = step("constitute_panel", "panel_acceptance");
    panel["roster"] = json!([{"arbitrator_id": "arb-1", "jurisdictions": ["PK"], "active": true,
                              "conflicts": []}]);
    panel["panel_size"] = json!(1);
    let mut ruling = step("issue_ruling", "award");
    ruling["appeal_period_s"] = json!(0);
    ruling["remedies"] = json!([{"remedy": "suspend_entity", "entity_id": "respondent-co"}]);
    vec![
        step("begin_review", "response_to_claim"),
        panel,
        step("open_hearing", "hearing_bundle"),
        ruling,
    ]
}

async fn post_step(node: &TestNode, dispute_id: &str, body: &Value) -> super::support::Reply {
    node.post_json(
        &format!("/v1/disputes/{dispute_id}/steps"),
        Some(ADMIN),
        &body.to_string(),
    )
    .await
}

async fn file_and_rule(node: &TestNode, dispute_id: &str) {
    let filed = node
        .post_json("/v1/disputes", Some(PARTY), &filing(dispute_id).to_string())
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    for body in to_ruling() {
        let reply = post_step(node, dispute_id, &body).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    // Enforcement is allowed only after the (zero-second) appeal period, at a later second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
}

#[tokio::test]
async fn a_dispute_goes_from_filing_to_enforcement_over_http() {
    let node = start().await;
    let filed = node
        .post_json("/v1/disputes", Some(PARTY), &filing("d-1").to_string())
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    assert_eq!(filed.json()["state"], "filed");
    assert_eq!(filed.json()["corridor_id"], "pk-ae.trade");
    let added = node
        .post_json(
            "/v1/disputes/d-1/evidence",
            Some(PARTY),
            &package("hearing_bundle", "respondent-co").to_string(),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    assert_eq!(added.json()["evidence_index"], 1);
    for body in to_ruling() {
        let reply = post_step(&node, "d-1", &body).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let ruled = node.get("/v1/disputes/d-1", Some(REGULATOR)).await;
    assert_eq!(ruled.status, 200, "{}", ruled.text);
    let body = ruled.json();
    assert_eq!(body["state"], "ruling_issued");
    assert_eq!(body["panel"], json!(["arb-1"]));
    assert_eq!(body["ruling"]["remedies"][0]["remedy"], "suspend_entity");
    assert_eq!(body["enforcement"]["status"], "not_due");
    assert_eq!(body["evidence_count"], 6);
    // Enforcement is allowed only after the (zero-second) appeal period, at a later second.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let enforced = post_step(&node, "d-1", &step("enforce", "enforcement_order")).await;
    assert_eq!(enforced.status, 200, "{}", enforced.text);
    let body = enforced.json();
    assert_eq!(body["transition"]["to"], "enforced");
    assert_eq!(body["enforcement"]["trigger"], "enforcement_due");
    assert_eq!(
        body["enforcement"]["outcomes"][0]["action"],
        "suspend_entity"
    );
    assert_eq!(
        body["enforcement"]["outcomes"][0]["target"],
        "respondent-co"
    );
    assert_eq!(body["dispute"]["enforcement"]["status"], "executed");
    // The decision is in the zone's audit trail.
    let audit = node.get("/v1/agentic/audit", Some(REGULATOR)).await;
    assert_eq!(
        audit.json()["entries"][0]["entry"]["trigger"],
        "enforcement_due"
    );
    // The evidence file, in filing order, with digests.
    let file = node.get("/v1/disputes/d-1/evidence", Some(PARTY)).await;
    assert_eq!(file.status, 200, "{}", file.text);
    let file = file.json();
    let kinds: Vec<&str> = file["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|filed| filed["package"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "statement_of_claim",
            "hearing_bundle",
            "response_to_claim",
            "panel_acceptance",
            "hearing_bundle",
            "award",
            "enforcement_order"
        ]
    );
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn dispute_mistakes_are_4xx_envelopes_naming_the_problem() {
    let node = start().await;
    let filed = node
        .post_json("/v1/disputes", Some(PARTY), &filing("d-2").to_string())
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    // Filing twice; without a statement of claim; with a bad id; by a regulator.
    node.post_json("/v1/disputes", Some(PARTY), &filing("d-2").to_string())
        .await
        .assert_error(409, "conflict", None);
    let mut no_claim = filing("d-3");
    no_claim
        .as_object_mut()
        .unwrap()
        .remove("statement_of_claim");
    node.post_json("/v1/disputes", Some(PARTY), &no_claim.to_string())
        .await
        .assert_error(422, "invalid_request", Some("body"));
    let mut wrong_kind = filing("d-3");
    wrong_kind["statement_of_claim"] = package("award", "claimant-co");
    node.post_json("/v1/disputes", Some(PARTY), &wrong_kind.to_string())
        .await
        .assert_error(422, "invalid_request", Some("body"));
    let mut bad_id = filing("d 3");
    bad_id["dispute_id"] = json!("d 3");
    node.post_json("/v1/disputes", Some(PARTY), &bad_id.to_string())
        .await
        .assert_error(422, "invalid_request", Some("/dispute_id"));
    node.post_json("/v1/disputes", Some(REGULATOR), &filing("d-4").to_string())
        .await
        .assert_error(403, "forbidden", None);
    // Steps: unknown dispute, wrong state, missing evidence, another step's parameter, a party.
    post_step(&node, "d-none", &step("begin_review", "response_to_claim"))
        .await
        .assert_error(404, "not_found", None);
    post_step(&node, "d-2", &step("open_hearing", "hearing_bundle"))
        .await
        .assert_error(409, "conflict", None);
    post_step(&node, "d-2", &step("begin_review", "award"))
        .await
        .assert_error(422, "invalid_request", Some("body"));
    let mut stray = step("begin_review", "response_to_claim");
    stray["panel_size"] = json!(1);
    post_step(&node, "d-2", &stray)
        .await
        .assert_error(422, "invalid_request", Some("body"));
    let evidence_past_limit: Vec<Value> = (0..17)
        .map(|_| package("response_to_claim", "respondent-co"))
        .collect();
    post_step(
        &node,
        "d-2",
        &json!({"step": "begin_review", "evidence": evidence_past_limit}),
    )
    .await
    .assert_error(422, "invalid_request", Some("/evidence"));
    node.post_json(
        "/v1/disputes/d-2/steps",
        Some(PARTY),
        &step("begin_review", "response_to_claim").to_string(),
    )
    .await
    .assert_error(403, "forbidden", None);
    node.get("/v1/disputes/d%203", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("dispute_id"));
    node.get("/v1/disputes/d-none", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    // Enforcement within the appeal period is a conflict and records nothing.
    let within = node
        .post_json("/v1/disputes", Some(PARTY), &filing("d-5").to_string())
        .await;
    assert_eq!(within.status, 201, "{}", within.text);
    for mut body in to_ruling() {
        if body["step"] == "issue_ruling" {
            body["appeal_period_s"] = json!(3600);
        }
        assert_eq!(post_step(&node, "d-5", &body).await.status, 200);
    }
    post_step(&node, "d-5", &step("enforce", "enforcement_order"))
        .await
        .assert_error(409, "conflict", None);
    let audit = node.get("/v1/agentic/audit", Some(ADMIN)).await.json();
    assert!(audit["entries"].as_array().unwrap().is_empty());
    // Evidence: with no items; after the dispute closed.
    let mut empty = package("hearing_bundle", "respondent-co");
    empty["items"] = json!([]);
    node.post_json("/v1/disputes/d-2/evidence", Some(PARTY), &empty.to_string())
        .await
        .assert_error(422, "invalid_request", Some("/items"));
    let dismissed = post_step(&node, "d-2", &step("dismiss", "dismissal_order")).await;
    assert_eq!(dismissed.status, 200, "{}", dismissed.text);
    node.post_json(
        "/v1/disputes/d-2/evidence",
        Some(PARTY),
        &package("hearing_bundle", "respondent-co").to_string(),
    )
    .await
    .assert_error(409, "conflict", None);
    // Nothing refused was recorded: claim, then the dismissal order.
    let file = node.get("/v1/disputes/d-2/evidence", Some(ADMIN)).await;
    assert_eq!(file.json()["evidence"].as_array().unwrap().len(), 2);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_pending_enforcement_is_executed_once_the_node_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestNode::wrap(
        Node::start(config_at(dir.path(), &default_knobs()))
            .await
            .unwrap(),
    );
    file_and_rule(&first, "d-crash").await;
    // The agentic engine is gone (its supervisor killed): the enforce step is journaled but
    // cannot be executed.
    let killed = first
        .post_json("/v1/admin/actors/zone/services/kill", Some(OPERATOR), "")
        .await;
    assert_eq!(killed.status, 200, "{}", killed.text);
    let cut = post_step(&first, "d-crash", &step("enforce", "enforcement_order")).await;
    cut.assert_error(503, "unavailable", None);
    assert!(cut.headers.contains_key("retry-after"));
    let pending = first.get("/v1/disputes/d-crash", Some(ADMIN)).await.json();
    assert_eq!(pending["state"], "enforced");
    assert_eq!(pending["enforcement"]["status"], "pending");
    first.node.shutdown().await.unwrap();

    // A new node on the same store executes it when the dispute is next activated.
    let second = TestNode::wrap(
        Node::start(config_at(dir.path(), &default_knobs()))
            .await
            .unwrap(),
    );
    let executed = second.get("/v1/disputes/d-crash", Some(ADMIN)).await.json();
    assert_eq!(executed["enforcement"]["status"], "executed");
    let audit = second.get("/v1/agentic/audit", Some(ADMIN)).await.json();
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "one decision and its outcome: {audit}");
    assert_eq!(entries[0]["entry"]["trigger"], "enforcement_due");
    assert_eq!(entries[0]["entry"]["payload"]["dispute_id"], "d-crash");
    // Done once: a repeated enforce step is refused and records nothing.
    post_step(&second, "d-crash", &step("enforce", "enforcement_order"))
        .await
        .assert_error(409, "conflict", None);
    let again = second.get("/v1/agentic/audit", Some(ADMIN)).await.json();
    assert_eq!(again["entries"].as_array().unwrap().len(), 2);
    second.node.shutdown().await.unwrap();
}
