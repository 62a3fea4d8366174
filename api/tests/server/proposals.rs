//! Zone-signed proposals over HTTP: appended at once when the zone's signature meets the
//! corridor's policy, returned for co-signing when it does not (and then appended through the
//! receipts route once a party adds its proof), refused when the policy does not name the zone
//! key, and every bad body a 4xx naming the field with the chain unchanged.

use msez_protocol::corridor::agreement::CorridorDefinition;
use msez_protocol::ids::CorridorId;
use msez_protocol::proof::verify_document;
use msez_protocol::receipt::SignedReceipt;
use serde_json::{Value, json};

use crate::corridors::{create_body_for, definition_with_signers, digest, key};
use crate::support::{ADMIN, PARTY, TestNode, start, zone_key};

async fn create(node: &TestNode, definition: &CorridorDefinition) -> Value {
    let reply = node
        .post_json(
            "/v1/corridors",
            Some(ADMIN),
            &create_body_for(definition, true).to_string(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

fn proposal(kind: &str) -> String {
    json!({"transition": {"kind": kind, "payload": {"consignment": "C-17", "weight_kg": 1200}}})
        .to_string()
}

async fn height(node: &TestNode, corridor_id: &CorridorId) -> u64 {
    let summary = node
        .get(&format!("/v1/corridors/{corridor_id}"), Some(ADMIN))
        .await;
    summary.json()["height"].as_u64().unwrap()
}

#[tokio::test]
async fn a_proposal_the_zone_alone_may_sign_is_appended_and_chains_on_the_head() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.zone-one").unwrap();
    let definition = definition_with_signers(&corridor_id, 1, [*zone_key().did(), *key(2).did()]);
    let created = create(&node, &definition).await;
    let path = format!("/v1/corridors/{corridor_id}/proposals");

    let lawpack = "ab".repeat(32);
    let first = node
        .post_json(
            &path,
            Some(ADMIN),
            &json!({"transition": {"kind": "customs.release", "payload": {"n": 1}},
                    "lawpack_digest_set": [lawpack]})
            .to_string(),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let first = first.json();
    assert_eq!(first["status"], "appended");
    assert_eq!(first["sequence"], 0);
    let receipt = SignedReceipt::from_value(&first["receipt"]).unwrap();
    assert_eq!(receipt.document.prev_root, digest(&created["genesis_root"]));
    assert_eq!(receipt.document.next_root, digest(&first["next_root"]));
    let signers = verify_document(&first["receipt"]).unwrap();
    assert_eq!(signers.len(), 1);
    assert_eq!(receipt.proofs[0].signer(), *zone_key().did());

    // The second proposal takes the head receipt's lawpack set when it names none.
    let second = node
        .post_json(&path, Some(ADMIN), &proposal("customs.release"))
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    let second = second.json();
    assert_eq!(second["sequence"], 1);
    assert_eq!(second["receipt"]["prev_root"], first["next_root"]);
    assert_eq!(second["receipt"]["lawpack_digest_set"], json!([lawpack]));
    assert_eq!(height(&node, &corridor_id).await, 2);
}

#[tokio::test]
async fn a_proposal_needing_a_cosigner_is_returned_signed_and_appends_once_cosigned() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.zone-two").unwrap();
    let definition = definition_with_signers(&corridor_id, 2, [*zone_key().did(), *key(2).did()]);
    create(&node, &definition).await;

    let reply = node
        .post_json(
            &format!("/v1/corridors/{corridor_id}/proposals"),
            Some(ADMIN),
            &proposal("customs.release"),
        )
        .await;
    assert_eq!(reply.status, 202, "{}", reply.text);
    let answer = reply.json();
    assert_eq!(answer["status"], "needs_signatures");
    assert_eq!(answer["signed"], 1);
    assert_eq!(answer["threshold"], 2);
    assert_eq!(
        height(&node, &corridor_id).await,
        0,
        "nothing is appended yet"
    );

    // The counterparty adds its proof to the zone's and appends through the receipts route.
    let mut cosigned = SignedReceipt::from_value(&answer["receipt"]).unwrap();
    let created = cosigned.document.timestamp;
    let added = SignedReceipt::sign(cosigned.document.clone(), &[&key(2)], created).unwrap();
    cosigned.proofs.extend(added.proofs);
    let appended = node
        .post_json(
            &format!("/v1/corridors/{corridor_id}/receipts"),
            Some(PARTY),
            &cosigned.to_value().unwrap().to_string(),
        )
        .await;
    assert_eq!(appended.status, 201, "{}", appended.text);
    assert_eq!(height(&node, &corridor_id).await, 1);
}

#[tokio::test]
async fn proposals_are_refused_with_the_field_and_change_nothing() {
    let node = start().await;
    // The default test corridor's policy names keys 1 and 2, not the zone.
    let corridor_id = CorridorId::new("corridor.pk-ae.no-zone").unwrap();
    let definition = definition_with_signers(&corridor_id, 2, [*key(1).did(), *key(2).did()]);
    create(&node, &definition).await;
    let path = format!("/v1/corridors/{corridor_id}/proposals");

    node.post_json(&path, Some(ADMIN), &proposal("customs.release"))
        .await
        .assert_error(422, "invalid_request", Some("corridor_id"));
    let refusals = [
        (json!({}), "body"),
        (
            json!({"transition": {"kind": "", "payload": 1}}),
            "/transition/kind",
        ),
        (json!({"transition": {"kind": "k"}}), "/transition"),
        (
            json!({"transition": {"kind": "k", "payload": 1.5}}),
            "/transition/payload",
        ),
        (
            json!({"transition": {"kind": "k", "payload": 1}, "ruleset_digest_set": ["xyz"]}),
            "/ruleset_digest_set/0",
        ),
        (
            json!({"transition": {"kind": "k", "payload": 1}, "extra": true}),
            "body",
        ),
    ];
    for (body, field) in refusals {
        node.post_json(&path, Some(ADMIN), &body.to_string())
            .await
            .assert_error(422, "invalid_request", Some(field));
    }
    node.post_json(
        "/v1/corridors/corridor.pk-ae.missing/proposals",
        Some(ADMIN),
        &proposal("k"),
    )
    .await
    .assert_error(404, "not_found", None);
    node.post_json(&path, Some(PARTY), &proposal("k"))
        .await
        .assert_error(403, "forbidden", None);
    assert_eq!(height(&node, &corridor_id).await, 0);
}
