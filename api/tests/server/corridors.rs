//! Corridor routes over HTTP: create (ACTIVE with both regulators' consents, PENDING without),
//! client-signed appends acknowledged once durable, reads, proofs, export verified offline,
//! lifecycle, and every caller mistake as a 4xx envelope naming the problem.

use std::collections::BTreeMap;

use msez_protocol::corridor::agreement::CorridorDefinition;
use msez_protocol::corridor::lifecycle::{TransitionKind, transition_consent};
use msez_protocol::digest::Digest;
use msez_protocol::export::verify_export;
use msez_protocol::ids::{CorridorId, JurisdictionId};
use msez_protocol::keys::SigningKey;
use msez_protocol::mmr::{InclusionProof, verify_inclusion};
use msez_protocol::receipt::{DigestSet, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::subjects::CorridorLifecycleState;
use serde_json::{Value, json};

use crate::support::{ADMIN, PARTY, REGULATOR, TestNode, start};

/// 2023-11-14T22:13:20Z: receipts are stamped from here, safely before "now".
const T0: i64 = 1_700_000_000;

fn key(index: u8) -> SigningKey {
    SigningKey::from_seed(&[index; 32])
}

fn at(offset_seconds: u64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + i64::try_from(offset_seconds).unwrap()).unwrap()
}

fn definition(corridor_id: &CorridorId) -> CorridorDefinition {
    CorridorDefinition {
        corridor_id: corridor_id.clone(),
        jurisdiction_ids: vec![
            JurisdictionId::new("PK").unwrap(),
            JurisdictionId::new("AE").unwrap(),
        ],
        settlement_model: "deferred_net".to_owned(),
        settlement_transfer_max_minor: BTreeMap::new(),
        required_attestations: Default::default(),
        trust_anchors: Vec::new(),
        key_rotation_overlap_seconds: 0,
        dispute_path: "DIFC-LCIA".to_owned(),
        receipt_signature_threshold: 2,
        receipt_signers: [*key(1).did(), *key(2).did()].into_iter().collect(),
        watcher_quorum: 1,
        checkpoint_interval_receipts: 4,
        agreement_rules: Vec::new(),
    }
}

/// The create body; with `active`, both regulators' activation consents ride along.
pub(crate) fn create_body(corridor_id: &CorridorId, active: bool) -> Value {
    let approvals: Vec<Value> = if active {
        [11_u8, 12]
            .iter()
            .map(|index| {
                transition_consent(
                    corridor_id,
                    CorridorLifecycleState::Pending,
                    TransitionKind::Activate,
                    &key(*index),
                    at(0),
                )
                .unwrap()
            })
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "definition": definition(corridor_id),
        "agreement_set": {"agreements": []},
        "regulators": {"PK": key(11).did(), "AE": key(12).did()},
        "authorities": [key(21).did()],
        "party_entity_ids": [format!("{corridor_id}-pk"), format!("{corridor_id}-ae")],
        "activation_approvals": approvals,
    })
}

fn receipt(
    corridor_id: &CorridorId,
    sequence: u64,
    prev_root: Digest,
    signers: &[&SigningKey],
) -> SignedReceipt {
    receipt_booking(
        corridor_id,
        sequence,
        prev_root,
        signers,
        &format!("o{sequence}"),
    )
}

/// A receipt booking obligation `obligation_id`.
fn receipt_booking(
    corridor_id: &CorridorId,
    sequence: u64,
    prev_root: Digest,
    signers: &[&SigningKey],
    obligation_id: &str,
) -> SignedReceipt {
    let receipt = Receipt {
        receipt_type: ReceiptType::CorridorStateReceipt,
        corridor_id: corridor_id.clone(),
        sequence,
        timestamp: at(sequence),
        prev_root,
        next_root: Digest::from_bytes([0; 32]),
        lawpack_digest_set: DigestSet::normalised([]),
        ruleset_digest_set: DigestSet::normalised([]),
        transition: Some(
            Transition::new(
                "obligation",
                json!({"obligation_id": obligation_id, "from_party": "pk-bank",
                    "to_party": "ae-bank", "amount": 100 + sequence, "currency": "USD"}),
            )
            .unwrap(),
        ),
    };
    SignedReceipt::seal_and_sign(receipt, signers, at(sequence)).unwrap()
}

async fn create(node: &TestNode, corridor_id: &CorridorId, active: bool) -> Value {
    let reply = node
        .post_json(
            "/v1/corridors",
            Some(ADMIN),
            &create_body(corridor_id, active).to_string(),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

fn digest(value: &Value) -> Digest {
    value.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_corridor_is_created_appended_proved_and_exported_verifiably() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.http").unwrap();
    let created = create(&node, &corridor_id, true).await;
    assert_eq!(created["lifecycle"], "active", "{created}");
    assert_eq!(created["height"], 0);
    let mut head = digest(&created["genesis_root"]);
    let signers = [&key(1), &key(2)];
    for sequence in 0..6 {
        let signed = receipt(&corridor_id, sequence, head, &signers);
        let reply = node
            .post_json(
                &format!("/v1/corridors/{corridor_id}/receipts"),
                Some(PARTY),
                &signed.to_value().unwrap().to_string(),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        let ack = reply.json();
        assert_eq!(ack["sequence"], sequence);
        head = digest(&ack["next_root"]);
        assert_eq!(head, signed.document.next_root);
    }

    let summary = node
        .get(&format!("/v1/corridors/{corridor_id}"), Some(REGULATOR))
        .await
        .json();
    assert_eq!(summary["height"], 6);
    assert_eq!(digest(&summary["head"]), head);
    assert_eq!(summary["obligation_count"], 6);

    let proof_reply = node
        .get(
            &format!("/v1/corridors/{corridor_id}/receipts/2/proof"),
            Some(REGULATOR),
        )
        .await
        .json();
    let proof: InclusionProof = serde_json::from_value(proof_reply["proof"].clone()).unwrap();
    verify_inclusion(&proof, &digest(&proof_reply["mmr_root"])).unwrap();

    let page = node
        .get(
            &format!("/v1/corridors/{corridor_id}/receipts?from=4&limit=10"),
            Some(REGULATOR),
        )
        .await
        .json();
    assert_eq!(page["receipts"].as_array().unwrap().len(), 2);
    assert_eq!(page["receipts"][0]["sequence"], 4);
    assert!(page["next_from"].is_null());

    let checkpoint = node
        .get(
            &format!("/v1/corridors/{corridor_id}/checkpoint"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(checkpoint.status, 200, "{}", checkpoint.text);
    assert_eq!(checkpoint.json()["receipt_count"], 4);

    let export = node
        .get(
            &format!("/v1/corridors/{corridor_id}/export"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(export.status, 200);
    assert_eq!(
        export.headers["content-type"].to_str().unwrap(),
        "application/jsonl"
    );
    let verified = verify_export(
        &export.text,
        Timestamp::from_unix_seconds(T0 + 3_600).unwrap(),
    )
    .unwrap();
    assert_eq!(verified.height, 6);
    assert_eq!(verified.head, head);

    let netting = node
        .get(&format!("/v1/corridors/{corridor_id}/netting"), Some(PARTY))
        .await;
    assert_eq!(netting.status, 200, "{}", netting.text);
}

#[tokio::test]
async fn bad_receipts_and_unknown_corridors_are_4xx_envelopes_and_change_nothing() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.bad").unwrap();
    let created = create(&node, &corridor_id, true).await;
    let genesis_root = digest(&created["genesis_root"]);
    let path = format!("/v1/corridors/{corridor_id}/receipts");

    // One signature where the policy needs two: forged or unauthorised proofs are 422.
    let one_signer = receipt(&corridor_id, 0, genesis_root, &[&key(1)]);
    node.post_json(
        &path,
        Some(PARTY),
        &one_signer.to_value().unwrap().to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("body"));
    // A key outside the policy.
    let outsider = receipt(&corridor_id, 0, genesis_root, &[&key(1), &key(9)]);
    node.post_json(
        &path,
        Some(PARTY),
        &outsider.to_value().unwrap().to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("body"));
    // Not a receipt at all.
    node.post_json(&path, Some(PARTY), r#"{"sequence": "zero"}"#)
        .await
        .assert_error(422, "invalid_request", Some("body"));

    // A good one, then the same sequence with different content: 409.
    let good = receipt(&corridor_id, 0, genesis_root, &[&key(1), &key(2)]);
    let reply = node
        .post_json(&path, Some(PARTY), &good.to_value().unwrap().to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let stale = receipt_booking(
        &corridor_id,
        0,
        good.document.next_root,
        &[&key(1), &key(2)],
        "o-other",
    );
    node.post_json(&path, Some(PARTY), &stale.to_value().unwrap().to_string())
        .await
        .assert_error(409, "conflict", None);
    let summary = node
        .get(&format!("/v1/corridors/{corridor_id}"), Some(ADMIN))
        .await
        .json();
    assert_eq!(summary["height"], 1, "rejections wrote nothing");

    // Unknown corridor, bad id, unknown create member, missing member.
    node.get("/v1/corridors/corridor.nowhere", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.get("/v1/corridors/NOT%20AN%20ID", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("corridor_id"));
    let mut extra = create_body(&CorridorId::new("corridor.pk-ae.extra").unwrap(), false);
    extra["fee_bps"] = json!(5);
    node.post_json("/v1/corridors", Some(ADMIN), &extra.to_string())
        .await
        .assert_error(422, "invalid_request", Some("/fee_bps"));
    let mut missing = create_body(&CorridorId::new("corridor.pk-ae.missing").unwrap(), false);
    missing["definition"]
        .as_object_mut()
        .unwrap()
        .remove("watcher_quorum");
    node.post_json("/v1/corridors", Some(ADMIN), &missing.to_string())
        .await
        .assert_error(422, "invalid_request", Some("/definition"));
    // Creating twice is a conflict; a party may not create.
    node.post_json(
        "/v1/corridors",
        Some(ADMIN),
        &create_body(&corridor_id, true).to_string(),
    )
    .await
    .assert_error(409, "conflict", None);
    node.post_json(
        "/v1/corridors",
        Some(PARTY),
        &create_body(&CorridorId::new("corridor.pk-ae.party").unwrap(), true).to_string(),
    )
    .await
    .assert_error(403, "forbidden", None);
}

#[tokio::test]
async fn a_pending_corridor_refuses_appends_until_both_regulators_activate_it() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.pending").unwrap();
    let created = create(&node, &corridor_id, false).await;
    assert_eq!(created["lifecycle"], "pending", "{created}");
    let genesis_root = digest(&created["genesis_root"]);
    let first = receipt(&corridor_id, 0, genesis_root, &[&key(1), &key(2)]);
    let path = format!("/v1/corridors/{corridor_id}/receipts");
    node.post_json(&path, Some(PARTY), &first.to_value().unwrap().to_string())
        .await
        .assert_error(409, "conflict", None);

    let lifecycle = format!("/v1/corridors/{corridor_id}/lifecycle");
    let consent = |index: u8| {
        transition_consent(
            &corridor_id,
            CorridorLifecycleState::Pending,
            TransitionKind::Activate,
            &key(index),
            at(0),
        )
        .unwrap()
    };
    // One regulator is not enough; an unknown transition names the field.
    let reply = node
        .post_json(
            &lifecycle,
            Some(ADMIN),
            &json!({"transition": "activate", "approvals": [consent(11)]}).to_string(),
        )
        .await;
    assert!(reply.status == 422 || reply.status == 409, "{}", reply.text);
    node.post_json(&lifecycle, Some(ADMIN), r#"{"transition": "launch"}"#)
        .await
        .assert_error(422, "invalid_request", Some("/transition"));
    let reply = node
        .post_json(
            &lifecycle,
            Some(ADMIN),
            &json!({"transition": "activate", "approvals": [consent(11), consent(12)]}).to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["to"], "active");
    let reply = node
        .post_json(&path, Some(PARTY), &first.to_value().unwrap().to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}
