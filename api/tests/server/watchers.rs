//! Watcher routes over HTTP (SPEC §11): the registry lifecycle and its illegal moves, slashing
//! claims with equivocation evidence taking the whole bond, evidence that does not verify
//! refused with nothing written, watchers' corridor attestations accepted only when they match
//! the durable journal, role gates, and a restart that keeps every watcher, bond and claim.
//!
//! Method: a node on port 0 over SQLite and the sandbox; watchers are deterministic keys and
//! sign with `WatcherAttestation::sign`; the restart test starts a second node on the first
//! one's store.

use msez_api::server::{Node, NodeConfig};
use msez_protocol::checkpoint::Checkpoint;
use msez_protocol::corridor::watcher::{AttestationStatement, WatcherAttestation};
use msez_protocol::digest::Digest;
use msez_protocol::ids::CorridorId;
use msez_protocol::keys::SigningKey;
use msez_protocol::signed::Signed;
use msez_protocol::vc::subjects::ObservedHead;
use serde_json::{Value, json};

use crate::corridors::{append, at, create, digest, key};
use crate::support::{
    ADMIN, OPERATOR, PARTY, REGULATOR, TestNode, WATCHER, config_at, default_knobs, start,
};

pub(crate) fn watcher_key(seed: u8) -> SigningKey {
    SigningKey::from_seed(&[seed; 32])
}

fn watcher_path(key: &SigningKey, suffix: &str) -> String {
    format!("/v1/watchers/{}{suffix}", key.did())
}

async fn register(node: &TestNode, key: &SigningKey) {
    let reply = node
        .post_json(
            "/v1/watchers",
            Some(OPERATOR),
            &json!({"did": key.did().to_string()}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

async fn step(node: &TestNode, key: &SigningKey, suffix: &str) -> super::support::Reply {
    node.post_json(&watcher_path(key, suffix), Some(ADMIN), "")
        .await
}

/// Registers, bonds `amount_minor` USD and activates the watcher of `key`.
pub(crate) async fn active_watcher(node: &TestNode, key: &SigningKey, amount_minor: u64) {
    register(node, key).await;
    let bonded = node
        .post_json(
            &watcher_path(key, "/bond"),
            Some(ADMIN),
            &json!({"amount_minor": amount_minor, "currency": "USD"}).to_string(),
        )
        .await;
    assert_eq!(bonded.status, 200, "{}", bonded.text);
    let active = step(node, key, "/activate").await;
    assert_eq!(active.status, 200, "{}", active.text);
    assert_eq!(active.json()["status"], "active");
}

/// An attestation of receipt `height` of `corridor_id` from `parent` to `candidate`, having
/// observed the head just after it.
pub(crate) fn attestation(
    key: &SigningKey,
    corridor_id: &CorridorId,
    height: u64,
    parent: Digest,
    candidate: Digest,
) -> WatcherAttestation {
    let statement = AttestationStatement {
        corridor_id: corridor_id.clone(),
        height,
        parent_root: parent,
        candidate_root: candidate,
        observed_head: ObservedHead {
            corridor_id: corridor_id.clone(),
            height: height + 1,
            next_root: candidate,
            mmr_root: Some(Digest::from_bytes([9; 32])),
        },
    };
    WatcherAttestation::sign(statement, key, at(height)).unwrap()
}

fn equivocation_body(
    key: &SigningKey,
    first: &WatcherAttestation,
    second: &WatcherAttestation,
) -> Value {
    json!({
        "watcher_id": key.did().to_string(),
        "evidence": {
            "kind": "equivocation",
            "attestations": [first.to_json().unwrap(), second.to_json().unwrap()],
        },
    })
}

/// Two attestations by `key` of the same parent at height 3 with different roots.
fn equivocation(key: &SigningKey) -> (WatcherAttestation, WatcherAttestation) {
    let corridor_id = CorridorId::new("corridor.watched").unwrap();
    let parent = Digest::from_bytes([1; 32]);
    (
        attestation(key, &corridor_id, 3, parent, Digest::from_bytes([2; 32])),
        attestation(key, &corridor_id, 3, parent, Digest::from_bytes([3; 32])),
    )
}

#[tokio::test]
async fn a_watcher_is_registered_bonded_activated_and_leaves_over_http() {
    let node = start().await;
    let key = watcher_key(40);
    register(&node, &key).await;
    let registered = node.get(&watcher_path(&key, ""), Some(REGULATOR)).await;
    assert_eq!(registered.status, 200, "{}", registered.text);
    let registered = registered.json();
    assert_eq!(registered["status"], "registered");
    assert_eq!(registered["next_statuses"], json!(["bonded"]));
    assert_eq!(registered["bond"], Value::Null);

    // A second registration and an activation before the bond are illegal moves.
    node.post_json(
        "/v1/watchers",
        Some(ADMIN),
        &json!({"did": key.did().to_string()}).to_string(),
    )
    .await
    .assert_error(409, "conflict", None);
    let early = step(&node, &key, "/activate").await;
    early.assert_error(409, "conflict", None);
    let message = early.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("legal next statuses: bonded"), "{message}");

    // Bad bonds are 422s naming the member, and change nothing.
    for (body, field) in [
        (
            json!({"amount_minor": 0, "currency": "USD"}),
            "/amount_minor",
        ),
        (
            json!({"amount_minor": -5, "currency": "USD"}),
            "/amount_minor",
        ),
        (json!({"amount_minor": 10, "currency": "usd"}), "/currency"),
        (json!({"amount_minor": 10, "currency": "USD", "x": 1}), "/x"),
    ] {
        node.post_json(&watcher_path(&key, "/bond"), Some(ADMIN), &body.to_string())
            .await
            .assert_error(422, "invalid_request", Some(field));
    }
    let bonded = node
        .post_json(
            &watcher_path(&key, "/bond"),
            Some(OPERATOR),
            &json!({"amount_minor": 1_000_000, "currency": "USD"}).to_string(),
        )
        .await;
    assert_eq!(bonded.status, 200, "{}", bonded.text);
    let bonded = bonded.json();
    assert_eq!(bonded["status"], "bonded");
    assert_eq!(bonded["bond"]["amount_minor"], "1000000");
    assert_eq!(bonded["bond"]["state"], "held");
    // Bonding twice is illegal: the lifecycle bonds from registered only.
    node.post_json(
        &watcher_path(&key, "/bond"),
        Some(ADMIN),
        &json!({"amount_minor": 5, "currency": "USD"}).to_string(),
    )
    .await
    .assert_error(409, "conflict", None);

    assert_eq!(
        step(&node, &key, "/activate").await.json()["status"],
        "active"
    );
    let listed = node.get("/v1/watchers", Some(REGULATOR)).await.json();
    assert_eq!(listed["watchers"][0]["watcher_id"], key.did().to_string());
    assert_eq!(listed["watchers"][0]["status"], "active");
    // Leaving: unbond, then deactivate releases the bond.
    step(&node, &key, "/deactivate")
        .await
        .assert_error(409, "conflict", None);
    assert_eq!(
        step(&node, &key, "/unbond").await.json()["status"],
        "unbonding"
    );
    let left = step(&node, &key, "/deactivate").await.json();
    assert_eq!(left["status"], "deactivated");
    assert_eq!(left["bond"]["state"], "released");
    let terminal = step(&node, &key, "/activate").await;
    terminal.assert_error(409, "conflict", None);
    assert!(
        terminal.text.contains("none (terminal)"),
        "{}",
        terminal.text
    );

    // Unknown and malformed watchers.
    node.get(&watcher_path(&watcher_key(41), ""), Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.get("/v1/watchers/not-a-did", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("watcher_id"));
    node.post_json(
        "/v1/watchers",
        Some(ADMIN),
        &json!({"did": "did:key:zzz"}).to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("/did"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn equivocation_evidence_slashes_the_whole_bond() {
    let node = start().await;
    let key = watcher_key(42);
    active_watcher(&node, &key, 1_000_000).await;
    let (first, second) = equivocation(&key);
    let body = equivocation_body(&key, &first, &second).to_string();
    let filed = node
        .post_json("/v1/watchers/slashing-claims", Some(OPERATOR), &body)
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let filed = filed.json();
    assert_eq!(filed["state"], "pending");
    assert_eq!(filed["offence"], "equivocation");
    assert_eq!(filed["slash_bps"], 10_000);
    assert_eq!(filed["challenge_window_seconds"], 0);
    assert_eq!(filed["executable_at"], filed["filed_at"]);
    let claim_id = filed["claim_id"].as_str().unwrap().to_owned();
    // The same evidence, in the other order, is the same claim.
    node.post_json(
        "/v1/watchers/slashing-claims",
        Some(ADMIN),
        &equivocation_body(&key, &second, &first).to_string(),
    )
    .await
    .assert_error(409, "conflict", None);
    // Equivocation has no challenge window: there is nothing to rebut.
    node.post_json(
        &format!("/v1/watchers/slashing-claims/{claim_id}/rebuttals"),
        Some(WATCHER),
        &first.to_json().unwrap().to_string(),
    )
    .await
    .assert_error(409, "conflict", None);

    let executed = node
        .post_json(
            &format!("/v1/watchers/slashing-claims/{claim_id}/execute"),
            Some(ADMIN),
            "",
        )
        .await;
    assert_eq!(executed.status, 200, "{}", executed.text);
    let executed = executed.json();
    assert_eq!(executed["slash_bps"], 10_000);
    assert_eq!(executed["slashed_minor"], 1_000_000);
    assert_eq!(executed["remaining_bond_minor"], 0);
    assert_eq!(executed["status"], "slashed");
    let watcher = node.get(&watcher_path(&key, ""), Some(ADMIN)).await.json();
    assert_eq!(watcher["status"], "slashed");
    assert_eq!(watcher["bond"]["amount_minor"], "0");
    assert_eq!(watcher["bond"]["state"], "forfeited");
    assert_eq!(watcher["slashing_claims"][0]["state"], "executed");
    let claim = node
        .get(
            &format!("/v1/watchers/slashing-claims/{claim_id}"),
            Some(REGULATOR),
        )
        .await
        .json();
    assert_eq!(claim["state"], "executed");
    // A claim executes once.
    node.post_json(
        &format!("/v1/watchers/slashing-claims/{claim_id}/execute"),
        Some(ADMIN),
        "",
    )
    .await
    .assert_error(409, "conflict", None);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn evidence_that_does_not_verify_is_422_and_writes_nothing() {
    let node = start().await;
    let key = watcher_key(43);
    active_watcher(&node, &key, 500).await;
    let (first, second) = equivocation(&key);
    let mut forged = second.to_json().unwrap();
    forged["proof"]["proofValue"] = first.to_json().unwrap()["proof"]["proofValue"].clone();
    let other = watcher_key(44);
    let (other_first, other_second) = equivocation(&other);
    let same_root = attestation(
        &key,
        &CorridorId::new("corridor.watched").unwrap(),
        3,
        Digest::from_bytes([1; 32]),
        Digest::from_bytes([2; 32]),
    );
    let cases = [
        (
            json!({"watcher_id": key.did().to_string(), "evidence": {"kind": "equivocation",
                "attestations": [first.to_json().unwrap(), forged]}}),
            "/evidence/attestations",
        ),
        (
            equivocation_body(&key, &first, &same_root),
            "/evidence/attestations",
        ),
        (
            json!({"watcher_id": key.did().to_string(), "evidence": {"kind": "equivocation",
                "attestations": [first.to_json().unwrap()]}}),
            "/evidence/attestations",
        ),
        (
            json!({"watcher_id": key.did().to_string(), "evidence": {"kind": "equivocation",
                "attestations": [{"type": "nope"}, second.to_json().unwrap()]}}),
            "/evidence/attestations/0",
        ),
        (
            json!({"watcher_id": key.did().to_string(), "evidence": {"kind": "gossip"}}),
            "/evidence/kind",
        ),
        (json!({"watcher_id": key.did().to_string()}), "/evidence"),
        (
            // Valid evidence, but against another watcher.
            json!({"watcher_id": key.did().to_string(), "evidence": {"kind": "equivocation",
                "attestations": [other_first.to_json().unwrap(), other_second.to_json().unwrap()]}}),
            "/watcher_id",
        ),
        (
            // Valid evidence against a watcher that is not registered.
            equivocation_body(&other, &other_first, &other_second),
            "/watcher_id",
        ),
        (
            json!({"watcher_id": key.did().to_string(), "evidence": {"kind": "collusion",
                "equivocations": [{"attestations": [first.to_json().unwrap(), second.to_json().unwrap()]}]}}),
            "/evidence/equivocations",
        ),
    ];
    for (body, field) in cases {
        node.post_json(
            "/v1/watchers/slashing-claims",
            Some(ADMIN),
            &body.to_string(),
        )
        .await
        .assert_error(422, "invalid_request", Some(field));
    }
    let watcher = node.get(&watcher_path(&key, ""), Some(ADMIN)).await.json();
    assert_eq!(watcher["status"], "active");
    assert_eq!(watcher["bond"]["amount_minor"], "500");
    assert_eq!(watcher["slashing_claims"], json!([]));
    node.get("/v1/watchers/slashing-claims/claim-0", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.node.shutdown().await.unwrap();
}

async fn attest(
    node: &TestNode,
    path: &str,
    value: Value,
    token: &'static str,
) -> super::support::Reply {
    node.post_json(path, Some(token), &value.to_string()).await
}

#[tokio::test]
async fn corridor_attestations_are_recorded_only_when_they_match_the_journal() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.watched").unwrap();
    let created = create(&node, &corridor_id, true).await;
    let genesis = digest(&created["genesis_root"]);
    let first_root = append(&node, &corridor_id, 0, genesis).await;
    let second_root = append(&node, &corridor_id, 1, first_root).await;
    let key = watcher_key(45);
    active_watcher(&node, &key, 1_000).await;
    let path = format!("/v1/corridors/{corridor_id}/attestations");
    let post = |value: Value, token: &'static str| attest(&node, &path, value, token);

    let good = attestation(&key, &corridor_id, 1, first_root, second_root);
    let accepted = post(good.to_json().unwrap(), WATCHER).await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    assert_eq!(accepted.json()["height"], 1);
    // The same attestation again is idempotent.
    assert_eq!(post(good.to_json().unwrap(), ADMIN).await.status, 201);

    // A root the journal contradicts is false-attestation evidence, not an attestation.
    let false_root = attestation(
        &key,
        &corridor_id,
        1,
        first_root,
        Digest::from_bytes([7; 32]),
    );
    let refused = post(false_root.to_json().unwrap(), WATCHER).await;
    refused.assert_error(409, "conflict", None);
    assert!(
        refused.text.contains("false-attestation evidence"),
        "{}",
        refused.text
    );
    // A receipt the corridor does not have yet.
    post(
        attestation(
            &key,
            &corridor_id,
            2,
            second_root,
            Digest::from_bytes([8; 32]),
        )
        .to_json()
        .unwrap(),
        WATCHER,
    )
    .await
    .assert_error(422, "invalid_request", Some("/height"));
    // A forged signature.
    let mut forged = good.to_json().unwrap();
    forged["proof"]["proofValue"] = false_root.to_json().unwrap()["proof"]["proofValue"].clone();
    post(forged, WATCHER)
        .await
        .assert_error(422, "invalid_request", Some("/proof"));
    // Another corridor's attestation on this corridor's route.
    let elsewhere = attestation(
        &key,
        &CorridorId::new("corridor.other").unwrap(),
        1,
        first_root,
        second_root,
    );
    post(elsewhere.to_json().unwrap(), WATCHER)
        .await
        .assert_error(422, "invalid_request", Some("/corridor_id"));
    // Unregistered, and registered but not active, watchers.
    let stranger = watcher_key(46);
    post(
        attestation(&stranger, &corridor_id, 1, first_root, second_root)
            .to_json()
            .unwrap(),
        WATCHER,
    )
    .await
    .assert_error(422, "invalid_request", Some("/watcher"));
    register(&node, &stranger).await;
    post(
        attestation(&stranger, &corridor_id, 1, first_root, second_root)
            .to_json()
            .unwrap(),
        WATCHER,
    )
    .await
    .assert_error(409, "conflict", None);
    // An unknown corridor.
    let unknown = CorridorId::new("corridor.unknown").unwrap();
    node.post_json(
        &format!("/v1/corridors/{unknown}/attestations"),
        Some(WATCHER),
        &attestation(&key, &unknown, 0, genesis, first_root)
            .to_json()
            .unwrap()
            .to_string(),
    )
    .await
    .assert_error(404, "not_found", None);

    let listed = node.get(&path, Some(REGULATOR)).await.json();
    let listed = listed["attestations"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "only the matching attestation: {listed:?}");
    assert_eq!(listed[0]["attestation"], good.to_json().unwrap());
    let page = node.get(&format!("{path}?limit=0"), Some(REGULATOR)).await;
    page.assert_error(400, "bad_request", Some("limit"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn watcher_routes_are_gated_by_role() {
    let node = start().await;
    let key = watcher_key(47);
    let body = json!({"did": key.did().to_string()}).to_string();
    for token in [REGULATOR, PARTY, WATCHER] {
        node.post_json("/v1/watchers", Some(token), &body)
            .await
            .assert_error(403, "forbidden", None);
    }
    node.get("/v1/watchers", Some(PARTY))
        .await
        .assert_error(403, "forbidden", None);
    node.get("/v1/watchers", Some(WATCHER))
        .await
        .assert_error(403, "forbidden", None);
    assert_eq!(node.get("/v1/watchers", Some(REGULATOR)).await.status, 200);
    register(&node, &key).await;
    for suffix in ["/activate", "/unbond", "/deactivate"] {
        node.post_json(&watcher_path(&key, suffix), Some(REGULATOR), "")
            .await
            .assert_error(403, "forbidden", None);
    }
    node.post_json("/v1/watchers/slashing-claims", Some(WATCHER), "{}")
        .await
        .assert_error(403, "forbidden", None);
    node.post_json("/v1/corridors/c/attestations", Some(REGULATOR), "{}")
        .await
        .assert_error(403, "forbidden", None);
    node.post_json("/v1/corridors/c/attestations", Some(PARTY), "{}")
        .await
        .assert_error(403, "forbidden", None);
    // Nothing moved.
    let watcher = node.get(&watcher_path(&key, ""), Some(ADMIN)).await.json();
    assert_eq!(watcher["status"], "registered");
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn watchers_bonds_and_claims_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestNode::wrap(
        Node::start(config_at(dir.path(), &default_knobs()))
            .await
            .unwrap(),
    );
    let key = watcher_key(48);
    active_watcher(&first, &key, 2_500).await;
    let (a, b) = equivocation(&key);
    let filed = first
        .post_json(
            "/v1/watchers/slashing-claims",
            Some(ADMIN),
            &equivocation_body(&key, &a, &b).to_string(),
        )
        .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let claim_id = filed.json()["claim_id"].as_str().unwrap().to_owned();
    let before = first.get(&watcher_path(&key, ""), Some(ADMIN)).await.json();
    first.node.shutdown().await.unwrap();

    let second = TestNode::wrap(
        Node::start(config_at(dir.path(), &default_knobs()))
            .await
            .unwrap(),
    );
    let after = second
        .get(&watcher_path(&key, ""), Some(ADMIN))
        .await
        .json();
    assert_eq!(after, before);
    assert_eq!(after["status"], "active");
    assert_eq!(after["bond"]["amount_minor"], "2500");
    assert_eq!(after["slashing_claims"][0]["state"], "pending");
    // The claim recorded before the restart executes after it.
    let executed = second
        .post_json(
            &format!("/v1/watchers/slashing-claims/{claim_id}/execute"),
            Some(OPERATOR),
            "",
        )
        .await;
    assert_eq!(executed.status, 200, "{}", executed.text);
    assert_eq!(executed.json()["remaining_bond_minor"], 0);
    second.node.shutdown().await.unwrap();
}

/// The corridor's checkpoint at its current height, signed by both parties (the corridor's
/// receipt-signing policy), as the secured JSON a claimant brings.
async fn party_checkpoint(node: &TestNode, corridor_id: &CorridorId, signer_seeds: &[u8]) -> Value {
    let ledger = node
        .node
        .state()
        .corridors()
        .ledger(corridor_id)
        .await
        .unwrap();
    let checkpoint = Checkpoint::of_chain(ledger.chain(), at(50));
    let keys: Vec<SigningKey> = signer_seeds.iter().map(|seed| key(*seed)).collect();
    let signers: Vec<&SigningKey> = keys.iter().collect();
    Signed::sign(checkpoint, &signers, at(50))
        .unwrap()
        .to_value()
        .unwrap()
}

#[tokio::test]
async fn false_attestation_and_availability_claims_rest_on_a_party_signed_checkpoint() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.claims").unwrap();
    let created = create(&node, &corridor_id, true).await;
    let first_root = append(&node, &corridor_id, 0, digest(&created["genesis_root"])).await;
    let second_root = append(&node, &corridor_id, 1, first_root).await;
    let watcher = watcher_key(49);
    active_watcher(&node, &watcher, 10_000).await;
    let checkpoint = party_checkpoint(&node, &corridor_id, &[1, 2]).await;
    let file = |evidence: Value| {
        let body = json!({"watcher_id": watcher.did().to_string(), "evidence": evidence});
        let node = &node;
        async move {
            node.post_json(
                "/v1/watchers/slashing-claims",
                Some(ADMIN),
                &body.to_string(),
            )
            .await
        }
    };

    // Availability: two missed heights, answerable for a day.
    let due_at = at(100).to_string();
    let availability = |heights: Value, checkpoint: &Value| {
        json!({"kind": "availability_failure", "checkpoint": checkpoint,
            "missed_heights": heights, "due_at": due_at})
    };
    file(availability(json!([0, 5]), &checkpoint))
        .await
        .assert_error(422, "invalid_request", Some("/evidence/missed_heights"));
    let stranger_signed = party_checkpoint(&node, &corridor_id, &[1, 3]).await;
    file(availability(json!([0, 1]), &stranger_signed))
        .await
        .assert_error(422, "invalid_request", Some("/evidence/checkpoint"));
    let filed = file(availability(json!([1, 0]), &checkpoint)).await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let filed = filed.json();
    assert_eq!(filed["slash_bps"], 200);
    assert_eq!(filed["challenge_window_seconds"], 86_400);
    let claim_id = filed["claim_id"].as_str().unwrap().to_owned();
    let executed = node
        .post_json(
            &format!("/v1/watchers/slashing-claims/{claim_id}/execute"),
            Some(ADMIN),
            "",
        )
        .await;
    executed.assert_error(409, "conflict", None);
    assert!(executed.text.contains("not before"), "{}", executed.text);
    // The watcher answers height 0 with its own attestation made in time; a late one is no
    // answer.
    let rebuttals = format!("/v1/watchers/slashing-claims/{claim_id}/rebuttals");
    let late = WatcherAttestation::sign(
        attestation(&watcher, &corridor_id, 1, first_root, second_root)
            .statement()
            .clone(),
        &watcher,
        at(200),
    )
    .unwrap();
    node.post_json(
        &rebuttals,
        Some(WATCHER),
        &late.to_json().unwrap().to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("body"));
    let in_time = attestation(
        &watcher,
        &corridor_id,
        0,
        digest(&created["genesis_root"]),
        first_root,
    );
    let answered = node
        .post_json(
            &rebuttals,
            Some(WATCHER),
            &in_time.to_json().unwrap().to_string(),
        )
        .await;
    assert_eq!(answered.status, 201, "{}", answered.text);
    assert_eq!(answered.json()["missed_heights"], json!([1]));

    // False attestation: a signed head at the checkpoint's height that is not the corridor's
    // takes half the bond at once; 5,000 remain, so the watcher keeps serving.
    let false_head = attestation(
        &watcher,
        &corridor_id,
        1,
        first_root,
        Digest::from_bytes([7; 32]),
    );
    let filed = file(json!({"kind": "false_attestation",
        "attestation": false_head.to_json().unwrap(), "checkpoint": checkpoint}))
    .await;
    assert_eq!(filed.status, 201, "{}", filed.text);
    let false_claim = filed.json()["claim_id"].as_str().unwrap().to_owned();
    let executed = node
        .post_json(
            &format!("/v1/watchers/slashing-claims/{false_claim}/execute"),
            Some(OPERATOR),
            "",
        )
        .await;
    assert_eq!(executed.status, 200, "{}", executed.text);
    let executed = executed.json();
    assert_eq!(executed["slash_bps"], 5_000);
    assert_eq!(executed["slashed_minor"], 5_000);
    assert_eq!(executed["remaining_bond_minor"], 5_000);
    assert_eq!(executed["status"], "active");
    let state = node
        .get(&watcher_path(&watcher, ""), Some(REGULATOR))
        .await
        .json();
    assert_eq!(state["bond"]["amount_minor"], "5000");
    assert_eq!(state["bond"]["state"], "held");
    let claims = state["slashing_claims"].as_array().unwrap();
    assert_eq!(claims.len(), 2);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn collusion_bans_each_watcher_and_a_slashed_watcher_cannot_be_slashed_again() {
    let node = start().await;
    let (alice, bob) = (watcher_key(50), watcher_key(51));
    active_watcher(&node, &alice, 800).await;
    active_watcher(&node, &bob, 900).await;
    let (alice_first, alice_second) = equivocation(&alice);
    let (bob_first, bob_second) = equivocation(&bob);
    let equivocations = json!([
        {"attestations": [alice_first.to_json().unwrap(), alice_second.to_json().unwrap()]},
        {"attestations": [bob_first.to_json().unwrap(), bob_second.to_json().unwrap()]},
    ]);
    let mut banned = Vec::new();
    for watcher in [&alice, &bob] {
        let filed = node
            .post_json(
                "/v1/watchers/slashing-claims",
                Some(ADMIN),
                &json!({"watcher_id": watcher.did().to_string(),
                    "evidence": {"kind": "collusion", "equivocations": equivocations}})
                .to_string(),
            )
            .await;
        assert_eq!(filed.status, 201, "{}", filed.text);
        assert_eq!(filed.json()["offence"], "collusion");
        let claim_id = filed.json()["claim_id"].as_str().unwrap().to_owned();
        let executed = node
            .post_json(
                &format!("/v1/watchers/slashing-claims/{claim_id}/execute"),
                Some(ADMIN),
                "",
            )
            .await
            .json();
        assert_eq!(executed["status"], "banned", "{executed}");
        assert_eq!(executed["remaining_bond_minor"], 0);
        banned.push(executed["slashed_minor"].clone());
    }
    assert_eq!(banned, [json!(800), json!(900)]);
    // A banned watcher holds nothing more to slash: its equivocation is refused at filing.
    node.post_json(
        "/v1/watchers/slashing-claims",
        Some(ADMIN),
        &equivocation_body(&alice, &alice_first, &alice_second).to_string(),
    )
    .await
    .assert_error(409, "conflict", None);
    let watcher = node
        .get(&watcher_path(&alice, ""), Some(ADMIN))
        .await
        .json();
    assert_eq!(watcher["status"], "banned");
    assert_eq!(watcher["bond"]["state"], "forfeited");
    assert_eq!(watcher["slashing_claims"].as_array().unwrap().len(), 1);
    node.node.shutdown().await.unwrap();
}

/// A watcher the node hosts (`NodeConfig::hosted_watchers`, `msez serve --watcher-key-file`)
/// is a supervised child of the zone's services supervisor and attests every durable head; its
/// attestations are recorded through the route's own rules, so only once it is registered,
/// bonded and active.
#[tokio::test]
async fn a_hosted_watcher_attests_durable_heads_once_it_is_active() {
    let dir = tempfile::tempdir().unwrap();
    let key = watcher_key(61);
    let config = NodeConfig {
        hosted_watchers: vec![std::sync::Arc::new(watcher_key(61))],
        ..config_at(dir.path(), &default_knobs())
    };
    let node = TestNode::wrap(Node::start(config).await.unwrap());
    let child_name = format!("watcher-{}", key.did().multibase());
    let tree = node.get("/v1/admin/supervision", Some(OPERATOR)).await;
    assert_eq!(tree.status, 200, "{}", tree.text);
    assert!(tree.text.contains(&child_name), "{}", tree.text);

    // Appended before the watcher is registered: signed, refused by the route's rules.
    let corridor_id = CorridorId::new("corridor.pk-ae.hosted").unwrap();
    let created = create(&node, &corridor_id, true).await;
    let first_root = append(&node, &corridor_id, 0, digest(&created["genesis_root"])).await;
    active_watcher(&node, &key, 1_000).await;
    let second_root = append(&node, &corridor_id, 1, first_root).await;

    // One recorder handles the reports in order, so once height 1 is recorded the report of
    // height 0 has been handled too.
    let path = format!("/v1/corridors/{corridor_id}/attestations");
    let recorded = async |count: usize| {
        within_10s(async || {
            let reply = node.get(&path, Some(REGULATOR)).await;
            let listed = reply.json()["attestations"].as_array().cloned();
            match listed {
                Some(listed) if listed.len() >= count => Ok(listed),
                _ => Err(reply.text),
            }
        })
        .await
    };
    let listed = recorded(1).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let attestation = WatcherAttestation::from_json(&listed[0]["attestation"]).unwrap();
    assert_eq!(attestation.watcher(), *key.did());
    let statement = attestation.statement();
    assert_eq!(statement.height, 1);
    assert_eq!(statement.parent_root, first_root);
    assert_eq!(statement.candidate_root, second_root);
    // Operators see both outcomes without debug logs (counted just after each is handled).
    within_10s(async || {
        let metrics = node.get("/metrics", None).await;
        let counted = [
            "msez_hosted_watcher_reports_total{outcome=\"recorded\"} 1",
            "msez_hosted_watcher_reports_total{outcome=\"refused\"} 1",
        ]
        .iter()
        .all(|line| metrics.text.contains(line));
        if counted { Ok(()) } else { Err(metrics.text) }
    })
    .await;

    // Killed, the watcher is restarted by its supervisor, subscribes again and goes on.
    let actor_path = format!("/zone/services/{child_name}");
    let killed = node
        .post_json(
            &format!("/v1/admin/actors{actor_path}/kill"),
            Some(OPERATOR),
            "",
        )
        .await;
    assert_eq!(killed.status, 200, "{}", killed.text);
    within_10s(async || {
        let actor = node
            .get(&format!("/v1/admin/actors{actor_path}"), Some(OPERATOR))
            .await;
        let restarted = actor.status == 200
            && actor.json()["status"] == "running"
            && actor.json()["restart_count"].as_u64().unwrap_or(0) >= 1;
        if restarted { Ok(()) } else { Err(actor.text) }
    })
    .await;
    append(&node, &corridor_id, 2, second_root).await;
    assert_eq!(recorded(2).await.len(), 2);
}

/// Asks `probe` every 20 ms until it answers `Ok`, for at most 10 s; then fails with its last
/// `Err` (the reply text).
async fn within_10s<T>(mut probe: impl AsyncFnMut() -> Result<T, String>) -> T {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) => assert!(std::time::Instant::now() < deadline, "{last}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
