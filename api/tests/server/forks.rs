//! Fork routes over HTTP (SPEC §8): a competing receipt reported by a watcher halts the
//! corridor with a zone-signed alarm, the fork is listed, survives a node restart with the
//! halt, is resolved by an operator with an authority's credential, and the corridor resumes;
//! bad evidence and bad resolutions are 4xx envelopes naming the field and record nothing.

use msez_api::server::Node;
use msez_protocol::corridor::fork::{ReceiptHeader, detect_fork, fork_resolution_credential};
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::receipt::SignedReceipt;
use serde_json::{Value, json};

use super::corridors::{append, at, create, digest, key, receipt, receipt_booking};
use super::support::{
    ADMIN, OPERATOR, PARTY, REGULATOR, TestNode, WATCHER, config_at, default_knobs,
};

async fn node_at(dir: &std::path::Path) -> TestNode {
    TestNode::wrap(Node::start(config_at(dir, &default_knobs())).await.unwrap())
}

/// An active corridor with receipts 0..3; returns the receipts.
async fn corridor_with_three(node: &TestNode, corridor_id: &CorridorId) -> Vec<SignedReceipt> {
    let created = create(node, corridor_id, true).await;
    let mut head = digest(&created["genesis_root"]);
    let mut receipts = Vec::new();
    for sequence in 0..3 {
        receipts.push(receipt(corridor_id, sequence, head, &[&key(1), &key(2)]));
        head = append(node, corridor_id, sequence, head).await;
    }
    receipts
}

/// A receipt competing with `stored` (same parent, another obligation), signed by `signers`.
fn competing(
    stored: &SignedReceipt,
    signers: &[&msez_protocol::keys::SigningKey],
) -> SignedReceipt {
    let document = &stored.document;
    receipt_booking(
        &document.corridor_id,
        document.sequence,
        document.prev_root,
        signers,
        &format!("fork-{}", document.sequence),
    )
}

async fn report(
    node: &TestNode,
    corridor_id: &CorridorId,
    token: &str,
    body: &Value,
) -> super::support::Reply {
    node.post_json(
        &format!("/v1/corridors/{corridor_id}/forks"),
        Some(token),
        &body.to_string(),
    )
    .await
}

async fn resolve(
    node: &TestNode,
    corridor_id: &CorridorId,
    fork_id: &str,
    token: &str,
    body: &Value,
) -> super::support::Reply {
    node.post_json(
        &format!("/v1/corridors/{corridor_id}/forks/{fork_id}/resolution"),
        Some(token),
        &body.to_string(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reported_fork_halts_survives_a_restart_and_resolves_so_the_corridor_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_at(dir.path()).await;
    let corridor_id = CorridorId::new("PK-AE.http.fork").unwrap();
    let receipts = corridor_with_three(&node, &corridor_id).await;
    let evidence = competing(&receipts[1], &[&key(1), &key(2)]);
    let reply = report(&node, &corridor_id, WATCHER, &evidence.to_value().unwrap()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let fork = reply.json();
    let fork_id = fork["fork_id"].as_str().unwrap().to_owned();
    assert_eq!(fork["status"], "open");
    assert_eq!(fork["sequence"], 1);
    assert_eq!(fork["halt"]["to"], "halted");
    let alarm_types = fork["alarm"]["type"].as_array().unwrap();
    assert!(
        alarm_types.contains(&json!("MSEZForkAlarmCredential")),
        "{alarm_types:?}"
    );
    assert_eq!(
        fork["alarm"]["issuer"],
        super::support::zone_key().did().to_string()
    );
    assert_eq!(
        digest(&fork["competing_next_root"]),
        evidence.document.next_root
    );
    // Appends are refused with the halt; the chain is unchanged.
    let next = receipt(
        &corridor_id,
        3,
        receipts[2].document.next_root,
        &[&key(1), &key(2)],
    );
    let path = format!("/v1/corridors/{corridor_id}/receipts");
    let body = next.to_value().unwrap().to_string();
    node.post_json(&path, Some(PARTY), &body)
        .await
        .assert_error(409, "conflict", None);
    // A node restart keeps the halt and the fork.
    node.node.shutdown().await.unwrap();
    let node = node_at(dir.path()).await;
    let summary = node
        .get(&format!("/v1/corridors/{corridor_id}"), Some(REGULATOR))
        .await
        .json();
    assert_eq!(summary["lifecycle"], "halted");
    assert_eq!(summary["height"], 3);
    let listed = node
        .get(
            &format!("/v1/corridors/{corridor_id}/forks"),
            Some(REGULATOR),
        )
        .await
        .json();
    let forks = listed["forks"].as_array().unwrap();
    assert_eq!(forks.len(), 1);
    assert_eq!(forks[0]["fork_id"], fork_id.as_str());
    assert_eq!(forks[0]["competing_receipt"], evidence.to_value().unwrap());
    assert_eq!(forks[0]["stored_receipt"], receipts[1].to_value().unwrap());
    // Resolution is an operator's call; the authority (key 21) chooses the stored branch.
    let the_fork = detect_fork(
        &ReceiptHeader::of(&receipts[1].document),
        &ReceiptHeader::of(&evidence.document),
    )
    .unwrap();
    let choice =
        fork_resolution_credential(&the_fork, receipts[1].document.next_root, &key(21), at(500))
            .unwrap();
    let request = json!({"authority_resolutions": [choice]});
    resolve(&node, &corridor_id, &fork_id, PARTY, &request)
        .await
        .assert_error(403, "forbidden", None);
    let reply = resolve(&node, &corridor_id, &fork_id, OPERATOR, &request).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let decided = reply.json();
    assert_eq!(decided["status"], "stored_branch_won");
    assert_eq!(decided["hold"], Value::Null);
    assert_eq!(decided["decision"]["outcome"], "authority");
    assert_eq!(
        decided["resolution"]["credentialSubject"]["chosen_next_root"],
        receipts[1].document.next_root.to_hex()
    );
    // Resume with the fork's decision, then the refused receipt is accepted.
    let reply = node
        .post_json(
            &format!("/v1/corridors/{corridor_id}/lifecycle"),
            Some(ADMIN),
            &json!({"transition": "resume_after_fork", "fork_id": fork_id}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["to"], "active");
    let reply = node.post_json(&path, Some(PARTY), &body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    node.node.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_fork_evidence_and_resolutions_are_4xx_envelopes_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let node = node_at(dir.path()).await;
    let corridor_id = CorridorId::new("PK-AE.http.badfork").unwrap();
    let receipts = corridor_with_three(&node, &corridor_id).await;
    let both = [&key(1), &key(2)];
    let value = |signed: &SignedReceipt| signed.to_value().unwrap();
    report(&node, &corridor_id, PARTY, &json!({}))
        .await
        .assert_error(422, "invalid_request", Some("body"));
    let ahead = receipt(&corridor_id, 3, receipts[2].document.next_root, &both);
    report(&node, &corridor_id, PARTY, &value(&ahead))
        .await
        .assert_error(422, "invalid_request", Some("/sequence"));
    report(&node, &corridor_id, PARTY, &value(&receipts[1]))
        .await
        .assert_error(422, "invalid_request", Some("/next_root"));
    let one_signer = competing(&receipts[1], &[&key(1)]);
    report(&node, &corridor_id, PARTY, &value(&one_signer))
        .await
        .assert_error(422, "invalid_request", Some("/proof"));
    let wrong_parent = receipt_booking(
        &corridor_id,
        1,
        Digest::from_bytes([7; 32]),
        &both,
        "fork-parent",
    );
    report(&node, &corridor_id, PARTY, &value(&wrong_parent))
        .await
        .assert_error(422, "invalid_request", Some("/prev_root"));
    report(
        &node,
        &corridor_id,
        REGULATOR,
        &value(&competing(&receipts[1], &both)),
    )
    .await
    .assert_error(403, "forbidden", None);
    // Nothing was recorded: no fork listed, the corridor still active.
    let listed = node
        .get(&format!("/v1/corridors/{corridor_id}/forks"), Some(PARTY))
        .await
        .json();
    assert_eq!(listed["forks"], json!([]));
    let summary = node
        .get(&format!("/v1/corridors/{corridor_id}"), Some(PARTY))
        .await
        .json();
    assert_eq!(summary["lifecycle"], "active");
    // Valid evidence once; the same again is a conflict.
    let evidence = value(&competing(&receipts[0], &both));
    let reply = report(&node, &corridor_id, OPERATOR, &evidence).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let fork_id = reply.json()["fork_id"].as_str().unwrap().to_owned();
    report(&node, &corridor_id, OPERATOR, &evidence)
        .await
        .assert_error(409, "conflict", None);
    // Resolution requests.
    resolve(&node, &corridor_id, "no-such-fork", OPERATOR, &json!({}))
        .await
        .assert_error(404, "not_found", None);
    for (body, field) in [
        (json!({"attestations": "x"}), "/attestations"),
        (json!({"attestations": [{}]}), "/attestations/0"),
        (json!({"verdict": "mine"}), "/verdict"),
        (
            json!({"authority_resolutions": 7}),
            "/authority_resolutions",
        ),
    ] {
        resolve(&node, &corridor_id, &fork_id, OPERATOR, &body)
            .await
            .assert_error(422, "invalid_request", Some(field));
    }
    // A resolution credential from a key the agreement does not name.
    let the_fork = detect_fork(
        &ReceiptHeader::of(&receipts[0].document),
        &ReceiptHeader::of(&competing(&receipts[0], &both).document),
    )
    .unwrap();
    let stranger =
        fork_resolution_credential(&the_fork, receipts[0].document.next_root, &key(9), at(500))
            .unwrap();
    resolve(
        &node,
        &corridor_id,
        &fork_id,
        OPERATOR,
        &json!({"authority_resolutions": [stranger]}),
    )
    .await
    .assert_error(422, "invalid_request", Some("/authority_resolutions/0"));
    // No decision yet: the fork is open and the corridor cannot resume.
    let lifecycle = format!("/v1/corridors/{corridor_id}/lifecycle");
    node.post_json(
        &lifecycle,
        Some(ADMIN),
        &json!({"transition": "resume_after_fork"}).to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("/fork_id"));
    node.post_json(
        &lifecycle,
        Some(ADMIN),
        &json!({"transition": "resume_after_fork", "fork_id": fork_id}).to_string(),
    )
    .await
    .assert_error(409, "conflict", None);
    // An empty resolution decides nothing and says why.
    let reply = resolve(&node, &corridor_id, &fork_id, OPERATOR, &json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let undecided = reply.json();
    assert_eq!(undecided["status"], "open");
    assert_eq!(undecided["hold"], "no_quorum");
    assert_eq!(undecided["decision"]["outcome"], "halted");
    node.node.shutdown().await.unwrap();
}

/// The registry routes and fork resolution agree on who counts: a watcher registered, bonded
/// and activated over HTTP attests the stored branch, and its attestation alone is the
/// corridor's quorum (the test definition's `watcher_quorum` is 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watcher_registered_over_http_is_the_quorum_that_resolves_a_fork() {
    use super::watchers::{active_watcher, attestation, watcher_key};
    let dir = tempfile::tempdir().unwrap();
    let node = node_at(dir.path()).await;
    let corridor_id = CorridorId::new("PK-AE.http.fork-quorum").unwrap();
    let receipts = corridor_with_three(&node, &corridor_id).await;
    let evidence = competing(&receipts[1], &[&key(1), &key(2)]);
    let reply = report(&node, &corridor_id, WATCHER, &evidence.to_value().unwrap()).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let fork_id = reply.json()["fork_id"].as_str().unwrap().to_owned();

    let watcher = watcher_key(71);
    let stored = &receipts[1].document;
    let vote = attestation(
        &watcher,
        &corridor_id,
        1,
        stored.prev_root,
        stored.next_root,
    );
    let request = json!({"attestations": [vote.to_json().unwrap()]});
    // Not yet registered: the attestation does not count, and the fork stays open.
    let reply = resolve(&node, &corridor_id, &fork_id, OPERATOR, &request).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_ne!(
        reply.json()["status"],
        "stored_branch_won",
        "{}",
        reply.text
    );

    active_watcher(&node, &watcher, 5_000).await;
    let reply = resolve(&node, &corridor_id, &fork_id, OPERATOR, &request).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let decided = reply.json();
    assert_eq!(decided["status"], "stored_branch_won", "{decided}");
    assert_eq!(decided["decision"]["outcome"], "quorum", "{decided}");
    node.node.shutdown().await.unwrap();
}
