//! Agentic routes over HTTP: triggers decide and act; policies are immutable versions that go
//! into force at once and survive a restart; the audit trail pages with a verification report
//! a client can recompute, and a tampered trail is reported, not served as verified.
//!
//! Method: a node on port 0 over a SQLite store in a directory the test holds, so it can
//! restart the node and reach under it to tamper with a row; hashes are recomputed here with
//! `sha2`, independently of the node's code.

use msez_api::server::Node;
use msez_protocol::canonical::CanonicalBytes;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use sqlx::Connection;

use super::support::{ADMIN, OPERATOR, REGULATOR, SQLITE_FILE, TestNode, config_at, default_knobs};

async fn node_at(dir: &std::path::Path) -> TestNode {
    TestNode::wrap(Node::start(config_at(dir, &default_knobs())).await.unwrap())
}

async fn trigger(node: &TestNode, body: Value) -> super::support::Reply {
    node.post_json("/v1/agentic/triggers", Some(ADMIN), &body.to_string())
        .await
}

fn licence(status: &str) -> Value {
    json!({"trigger": "license_status_change", "occurred_at": "2026-01-01T00:00:00Z",
           "payload": {"entity_id": "entity-7", "license_id": "lic-1", "status": status}})
}

/// Recomputes every hash and link of a page the way the report says, from the JSON alone.
#[track_caller]
fn recompute(page: &Value, prev_hash: &str) -> String {
    let tag = page["verification"]["hash_tag"].as_str().unwrap();
    let mut prev = prev_hash.to_owned();
    for entry in page["entries"].as_array().unwrap() {
        assert_eq!(
            entry["prev_hash"],
            prev.as_str(),
            "link at {}",
            entry["sequence"]
        );
        let bytes = CanonicalBytes::new(&entry["entry"]).unwrap();
        let mut hasher = Sha256::new();
        hasher.update(tag.as_bytes());
        hasher.update([0_u8]);
        hasher.update(hex::decode(&prev).unwrap());
        hasher.update(bytes.as_bytes());
        let hash = hex::encode(hasher.finalize());
        assert_eq!(
            entry["entry_hash"],
            hash.as_str(),
            "hash at {}",
            entry["sequence"]
        );
        prev = hash;
    }
    prev
}

#[tokio::test]
async fn triggers_decide_and_the_audit_trail_verifies_page_by_page() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_at(dir.path()).await;
    let renewed = trigger(&node, licence("renewed")).await;
    assert_eq!(renewed.status, 200, "{}", renewed.text);
    assert_eq!(renewed.json()["decision"]["outcomes"], json!([]));
    let expired = trigger(&node, licence("expired")).await;
    assert_eq!(expired.status, 200, "{}", expired.text);
    let decision = &expired.json()["decision"];
    assert_eq!(
        decision["matched_policy_ids"],
        json!(["baseline.licence.expiry_suspends"])
    );
    // The entity never applied: the suspension is a recorded failure, not an error.
    assert_eq!(decision["outcomes"][0]["result"], "failed");
    // A sanctions snapshot as a trigger is a sweep (no corridors yet: nothing to screen).
    let sweep = trigger(
        &node,
        json!({"trigger": "sanctions_list_update", "payload":
            {"snapshot_id": "s-1", "as_of": "2026-01-01T00:00:00Z", "entries": []}}),
    )
    .await;
    assert_eq!(sweep.status, 200, "{}", sweep.text);
    assert_eq!(sweep.json()["sanctions_sweep"]["parties_screened"], 0);

    let zero = "00".repeat(32);
    let first = node.get("/v1/agentic/audit?limit=3", Some(REGULATOR)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let first = first.json();
    assert_eq!(first["verification"]["verified"], true);
    assert_eq!(first["next_from"], 3);
    assert_eq!(
        first["verification"]["decisions_without_outcome"],
        json!([])
    );
    let head = recompute(&first, &zero);
    assert_eq!(first["verification"]["head_hash"], head.as_str());
    let rest = node
        .get("/v1/agentic/audit?from=3&limit=1000", Some(OPERATOR))
        .await;
    let rest = rest.json();
    assert_eq!(rest["entries"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_from"], Value::Null);
    recompute(&rest, &head);
    node.get("/v1/agentic/audit?limit=1001", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("limit"));
    node.get("/v1/agentic/audit?limit=0", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("limit"));

    // Bad triggers: unknown kind, a fraction in the payload, a malformed snapshot, a role.
    trigger(&node, json!({"trigger": "sunrise", "payload": {}}))
        .await
        .assert_error(422, "invalid_request", Some("/trigger"));
    trigger(
        &node,
        json!({"trigger": "checkpoint_due", "payload": {"x": 1.5}}),
    )
    .await
    .assert_error(422, "invalid_request", Some("/payload"));
    trigger(
        &node,
        json!({"trigger": "sanctions_list_update", "payload": {"entries": []}}),
    )
    .await
    .assert_error(422, "invalid_request", Some("/payload"));
    node.post_json(
        "/v1/agentic/triggers",
        Some(OPERATOR),
        &licence("expired").to_string(),
    )
    .await
    .assert_error(403, "forbidden", None);
    node.node.shutdown().await.unwrap();

    // A decision without its outcome (a crash between the two entries) is reported; a
    // rewritten entry breaks the chain and the report says where.
    let url = format!("sqlite://{}", dir.path().join(SQLITE_FILE).display());
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query(
        "UPDATE agentic_audit_trail SET entry = (SELECT entry FROM agentic_audit_trail \
         WHERE trail_id = 'agentic' AND sequence = 0) \
         WHERE trail_id = 'agentic' AND sequence = 2",
    )
    .execute(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    let node = node_at(dir.path()).await;
    let broken = node.get("/v1/agentic/audit", Some(REGULATOR)).await;
    assert_eq!(broken.status, 200, "{}", broken.text);
    let broken = broken.json();
    assert_eq!(broken["verification"]["verified"], false);
    assert_eq!(broken["verification"]["broken_at_sequence"], 2);
    assert_eq!(broken["entries"].as_array().unwrap().len(), 2);
    node.node.shutdown().await.unwrap();
}

fn policy(policy_id: &str, priority: u32) -> Value {
    json!({
        "policy_id": policy_id,
        "description": "A due checkpoint halts the corridor (a drill policy)",
        "trigger": "checkpoint_due",
        "priority": priority,
        "actions": [{"action": "halt", "target_path": "corridor_id"}],
    })
}

/// `(policy_id, version)` of every policy in force, as a regulator reads them.
async fn in_force(node: &TestNode) -> Vec<(String, Value)> {
    let listed = node
        .get("/v1/agentic/policies", Some(REGULATOR))
        .await
        .json();
    listed["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["policy_id"].as_str().unwrap().to_owned(),
                p["version"].clone(),
            )
        })
        .collect()
}

async fn put(node: &TestNode, policy_id: &str, body: &Value) -> super::support::Reply {
    node.put_json(
        &format!("/v1/agentic/policies/{policy_id}"),
        Some(ADMIN),
        &body.to_string(),
    )
    .await
}

#[tokio::test]
async fn policies_are_versioned_in_force_at_once_and_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_at(dir.path()).await;
    assert_eq!(
        in_force(&node).await,
        [
            ("baseline.licence.expiry_suspends".to_owned(), Value::Null),
            ("baseline.sanctions.halt_corridor".to_owned(), Value::Null)
        ]
    );
    let first = put(
        &node,
        "zone.checkpoint.halt",
        &policy("zone.checkpoint.halt", 5),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json()["version"], 1);
    let second = put(
        &node,
        "zone.checkpoint.halt",
        &policy("zone.checkpoint.halt", 7),
    )
    .await;
    assert_eq!(second.json()["version"], 2);
    // In force at once: a due checkpoint now plans a halt (of a corridor that does not exist).
    let decided = trigger(
        &node,
        json!({"trigger": "checkpoint_due", "payload": {"corridor_id": "pk-ae.none"}}),
    )
    .await
    .json();
    assert_eq!(
        decided["decision"]["matched_policy_ids"],
        json!(["zone.checkpoint.halt"])
    );
    assert_eq!(decided["decision"]["outcomes"][0]["action"], "halt");
    // Retire a baseline policy: licence expiries no longer act.
    let retired = node
        .delete(
            "/v1/agentic/policies/baseline.licence.expiry_suspends",
            Some(ADMIN),
        )
        .await;
    assert_eq!(retired.status, 200, "{}", retired.text);
    assert_eq!(retired.json()["retired"], true);
    let quiet = trigger(&node, licence("expired")).await.json();
    assert_eq!(quiet["decision"]["matched_policy_ids"], json!([]));
    node.delete(
        "/v1/agentic/policies/baseline.licence.expiry_suspends",
        Some(ADMIN),
    )
    .await
    .assert_error(404, "not_found", None);
    // History: every version, oldest first, paged.
    let history = node
        .get(
            "/v1/agentic/policies/zone.checkpoint.halt?limit=1",
            Some(ADMIN),
        )
        .await
        .json();
    assert_eq!(history["in_force"], true);
    assert_eq!(history["versions"][0]["version"], 1);
    assert_eq!(history["next_from"], 2);
    assert_eq!(history["versions"][0]["document"]["priority"], 5);
    // Mistakes: another id in the body, a schema violation, a role, unknown and bad ids.
    put(&node, "zone.other", &policy("zone.checkpoint.halt", 5))
        .await
        .assert_error(422, "invalid_request", Some("/policy_id"));
    let mut no_actions = policy("zone.x", 1);
    no_actions["actions"] = json!([]);
    put(&node, "zone.x", &no_actions)
        .await
        .assert_error(422, "invalid_request", Some("/actions"));
    node.put_json(
        "/v1/agentic/policies/zone.x",
        Some(OPERATOR),
        &policy("zone.x", 1).to_string(),
    )
    .await
    .assert_error(403, "forbidden", None);
    node.get("/v1/agentic/policies/zone.never", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.get("/v1/agentic/policies/has%20space", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("policy_id"));
    node.get("/v1/agentic/policies/zone.x?limit=1001", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("limit"));
    node.node.shutdown().await.unwrap();

    // A restarted node starts with the stored versions in force.
    let node = node_at(dir.path()).await;
    assert_eq!(
        in_force(&node).await,
        [
            ("baseline.sanctions.halt_corridor".to_owned(), Value::Null),
            ("zone.checkpoint.halt".to_owned(), json!(2))
        ]
    );
    node.node.shutdown().await.unwrap();
}
