//! Corridor routes over HTTP: create only with a complete agreement (ACTIVE with both
//! regulators' consents, PENDING without), the stored agreement set re-verified offline,
//! client-signed appends acknowledged once durable, reads, proofs, export verified offline,
//! lifecycle, and every caller mistake as a 4xx envelope naming the problem and the rule.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use msez_protocol::corridor::agreement::{
    AFFIRMATIVE_COMMITMENT, AGREEMENT_ATTESTATION, AgreementRule, CorridorDefinition,
    DEFINITION_ATTESTATION, TrustAnchor, issue_agreement_credential, issue_definition_credential,
    verify_agreement_set,
};
use msez_protocol::corridor::lifecycle::{TransitionKind, transition_consent};
use msez_protocol::digest::Digest;
use msez_protocol::export::verify_export;
use msez_protocol::ids::{CorridorId, JurisdictionId};
use msez_protocol::keys::{DidKey, SigningKey};
use msez_protocol::mmr::{InclusionProof, verify_inclusion};
use msez_protocol::receipt::{DigestSet, Genesis, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::CredentialTerms;
use msez_protocol::vc::subjects::CorridorLifecycleState;
use serde_json::{Value, json};

use crate::support::{ADMIN, PARTY, REGULATOR, TestNode, start};

/// 2023-11-14T22:13:20Z: receipts are stamped from here, safely before "now".
pub(crate) const T0: i64 = 1_700_000_000;

pub(crate) fn key(index: u8) -> SigningKey {
    SigningKey::from_seed(&[index; 32])
}

pub(crate) fn at(offset_seconds: u64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + i64::try_from(offset_seconds).unwrap()).unwrap()
}

fn definition(corridor_id: &CorridorId) -> CorridorDefinition {
    definition_with_signers(corridor_id, 2, [*key(1).did(), *key(2).did()])
}

/// The test definition with its receipt-signing policy replaced: `threshold` of `signers`.
pub(crate) fn definition_with_signers(
    corridor_id: &CorridorId,
    threshold: u32,
    signers: impl IntoIterator<Item = DidKey>,
) -> CorridorDefinition {
    CorridorDefinition {
        corridor_id: corridor_id.clone(),
        jurisdiction_ids: vec![
            JurisdictionId::new("PK").unwrap(),
            JurisdictionId::new("AE").unwrap(),
        ],
        settlement_model: "deferred_net".to_owned(),
        settlement_transfer_max_minor: BTreeMap::new(),
        required_attestations: Default::default(),
        trust_anchors: vec![
            anchor(1, &[AGREEMENT_ATTESTATION, DEFINITION_ATTESTATION]),
            anchor(2, &[AGREEMENT_ATTESTATION]),
            anchor(5, &["kyc"]),
        ],
        key_rotation_overlap_seconds: 0,
        dispute_path: "DIFC-LCIA".to_owned(),
        receipt_signature_threshold: threshold,
        receipt_signers: signers.into_iter().collect(),
        watcher_quorum: 1,
        checkpoint_interval_receipts: 4,
        agreement_rules: vec![AgreementRule {
            rule_id: "parties".to_owned(),
            threshold_count: 2,
            parties: [*key(1).did(), *key(2).did()].into_iter().collect(),
        }],
    }
}

/// Key `seed` is trusted for `kinds` of attestation.
fn anchor(seed: u8, kinds: &[&str]) -> TrustAnchor {
    TrustAnchor {
        did: *key(seed).did(),
        allowed_attestations: kinds.iter().map(|kind| (*kind).to_owned()).collect(),
    }
}

/// `issuer`'s definition credential for `definition` (no lawpacks or rulesets at genesis).
fn definition_credential(definition: &CorridorDefinition, issuer: u8) -> Value {
    let terms = CredentialTerms::issued_by(*key(issuer).did(), at(0));
    issue_definition_credential(definition, vec![], vec![], terms, &key(issuer), at(0)).unwrap()
}

/// Party `seed`'s agreement to `definition` with `commitment`, valid until `valid_until`.
fn agreement(
    definition: &CorridorDefinition,
    seed: u8,
    commitment: &str,
    valid_until: Option<Timestamp>,
) -> Value {
    let party = key(seed);
    let terms = CredentialTerms {
        valid_until,
        ..CredentialTerms::issued_by(*party.did(), at(0))
    };
    issue_agreement_credential(definition, commitment, terms, &party, at(0)).unwrap()
}

/// Regulator `seed`'s consent to activate `corridor_id` from PENDING.
fn consent(corridor_id: &CorridorId, seed: u8) -> Value {
    transition_consent(
        corridor_id,
        CorridorLifecycleState::Pending,
        TransitionKind::Activate,
        &key(seed),
        at(0),
    )
    .unwrap()
}

/// The create body; with `active`, both regulators' activation consents ride along.
pub(crate) fn create_body(corridor_id: &CorridorId, active: bool) -> Value {
    create_body_for(&definition(corridor_id), active)
}

/// The create body of `definition`; with `active`, both regulators' activation consents.
pub(crate) fn create_body_for(definition: &CorridorDefinition, active: bool) -> Value {
    let corridor_id = &definition.corridor_id;
    let approvals: Vec<Value> = if active {
        [11_u8, 12]
            .iter()
            .map(|regulator| consent(corridor_id, *regulator))
            .collect()
    } else {
        Vec::new()
    };
    json!({
        "definition_credential": definition_credential(definition, 1),
        "agreements": [
            agreement(definition, 2, AFFIRMATIVE_COMMITMENT, None),
            agreement(definition, 1, AFFIRMATIVE_COMMITMENT, None),
        ],
        "definition": definition,
        "regulators": {"PK": key(11).did(), "AE": key(12).did()},
        "authorities": [key(21).did()],
        "party_entity_ids": [format!("{corridor_id}-pk"), format!("{corridor_id}-ae")],
        "activation_approvals": approvals,
    })
}

pub(crate) fn receipt(
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
pub(crate) fn receipt_booking(
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

pub(crate) async fn create(node: &TestNode, corridor_id: &CorridorId, active: bool) -> Value {
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

/// Appends receipt `sequence` (signed by both parties, booking obligation `o{sequence}`) on
/// `head` as the corridor party; asserts 201 and the acknowledged sequence and root; returns
/// the new head.
pub(crate) async fn append(
    node: &TestNode,
    corridor_id: &CorridorId,
    sequence: u64,
    head: Digest,
) -> Digest {
    let signed = receipt(corridor_id, sequence, head, &[&key(1), &key(2)]);
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
    assert_eq!(digest(&ack["next_root"]), signed.document.next_root);
    signed.document.next_root
}

pub(crate) fn digest(value: &Value) -> Digest {
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
    for sequence in 0..6 {
        head = append(&node, &corridor_id, sequence, head).await;
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
    let consent = |regulator: u8| consent(&corridor_id, regulator);
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

/// Posts a create body changed by `change` and expects a 422 naming `field` whose message
/// contains `rule`; the corridor must not exist afterwards.
fn check_refused<'a>(
    node: &'a TestNode,
    change: impl FnOnce(&mut Value, &CorridorDefinition),
    field: &'a str,
    rule: String,
) -> impl std::future::Future<Output = ()> + 'a {
    let corridor_id = CorridorId::new("corridor.pk-ae.refused").unwrap();
    let mut body = create_body(&corridor_id, true);
    change(&mut body, &definition(&corridor_id));
    async move {
        let reply = node
            .post_json("/v1/corridors", Some(ADMIN), &body.to_string())
            .await;
        reply.assert_error(422, "invalid_request", Some(field));
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(message.contains(&rule), "{message} lacks {rule}");
        node.get(&format!("/v1/corridors/{corridor_id}"), Some(ADMIN))
            .await
            .assert_error(404, "not_found", None);
    }
}

#[tokio::test]
async fn a_corridor_is_created_only_when_its_agreement_completes() {
    let node = start().await;
    let did = |seed: u8| key(seed).did().to_string();
    fn agreements(
        seeds: &'static [(u8, &'static str)],
    ) -> impl FnOnce(&mut Value, &CorridorDefinition) {
        move |body, definition| {
            body["agreements"] = seeds
                .iter()
                .map(|&(seed, commitment)| agreement(definition, seed, commitment, None))
                .collect();
        }
    }
    const AFFIRM: &str = AFFIRMATIVE_COMMITMENT;
    check_refused(
        &node,
        agreements(&[(1, AFFIRM)]),
        "/agreements",
        "agreement: rule parties needs 2 affirmative parties, has 1".to_owned(),
    )
    .await;
    check_refused(
        &node,
        agreements(&[(1, AFFIRM), (2, "object")]),
        "/agreements",
        format!("agreement: activation blocked by {}:object", did(2)),
    )
    .await;
    check_refused(
        &node,
        agreements(&[(1, AFFIRM), (2, AFFIRM), (5, AFFIRM)]),
        "/agreements",
        format!(
            "agreement: party {} has no authority for corridor_agreement",
            did(5)
        ),
    )
    .await;
    check_refused(
        &node,
        agreements(&[(1, AFFIRM), (2, AFFIRM), (1, AFFIRM)]),
        "/agreements",
        format!("agreement: party {} agreed more than once", did(1)),
    )
    .await;
    check_refused(
        &node,
        |body, definition| {
            let mut other = definition.clone();
            other.watcher_quorum = 2;
            body["agreements"][0] = agreement(&other, 2, AFFIRMATIVE_COMMITMENT, None);
        },
        "/agreements",
        format!(
            "agreement: party {} agreed to another definition_payload_sha256",
            did(2)
        ),
    )
    .await;
    check_refused(
        &node,
        |body, definition| body["definition_credential"] = definition_credential(definition, 2),
        "/definition_credential",
        format!(
            "definition credential: issuer {} has no authority for corridor_definition",
            did(2)
        ),
    )
    .await;
    check_refused(
        &node,
        |body, _| body["definition_credential"]["credentialSubject"]["corridor_id"] = json!("x"),
        "/definition_credential",
        "definition credential does not verify: proofs".to_owned(),
    )
    .await;
    check_refused(
        &node,
        |body, _| {
            body.as_object_mut()
                .unwrap()
                .remove("definition_credential");
        },
        "/definition_credential",
        "definition_credential is required".to_owned(),
    )
    .await;
    check_refused(
        &node,
        |body, _| body["agreements"] = json!({"1": "affirm"}),
        "/agreements",
        "/agreements".to_owned(),
    )
    .await;
    check_refused(
        &node,
        |body, _| body["agreement_set"] = json!({"agreements": []}),
        "/agreement_set",
        "unknown member \"agreement_set\"".to_owned(),
    )
    .await;
}

#[tokio::test]
async fn the_stored_agreement_set_reverifies_and_recomputes_the_genesis_root() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.agreement").unwrap();
    let created = create(&node, &corridor_id, false).await;
    let reply = node
        .get(
            &format!("/v1/corridors/{corridor_id}/agreement"),
            Some(REGULATOR),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let definition = definition(&corridor_id);
    let set = verify_agreement_set(&definition, &body["agreement_set"], at(60)).unwrap();
    assert_eq!(set.parties(), {
        let mut parties = vec![*key(1).did(), *key(2).did()];
        parties.sort();
        parties
    });
    let agreement_set_sha256 = digest(&body["agreement_set_sha256"]);
    assert_eq!(set.sha256().unwrap(), agreement_set_sha256);
    let genesis = Genesis::new(
        corridor_id.clone(),
        definition.payload_sha256().unwrap(),
        agreement_set_sha256,
        DigestSet::normalised([]),
        DigestSet::normalised([]),
    );
    assert_eq!(
        genesis.genesis_root().unwrap(),
        digest(&created["genesis_root"])
    );
    node.get("/v1/corridors/corridor.nowhere/agreement", Some(REGULATOR))
        .await
        .assert_error(404, "not_found", None);
}

#[tokio::test]
async fn a_pending_corridor_whose_agreement_lapsed_cannot_activate() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.lapsing").unwrap();
    let unix_now = || {
        i64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap()
    };
    // Party 2 agrees for three more seconds only.
    let lapse_at = unix_now() + 3;
    let mut body = create_body(&corridor_id, false);
    body["agreements"][0] = agreement(
        &definition(&corridor_id),
        2,
        AFFIRMATIVE_COMMITMENT,
        Some(Timestamp::from_unix_seconds(lapse_at).unwrap()),
    );
    let reply = node
        .post_json("/v1/corridors", Some(ADMIN), &body.to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["lifecycle"], "pending");
    while unix_now() <= lapse_at {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let approvals = [consent(&corridor_id, 11), consent(&corridor_id, 12)];
    let reply = node
        .post_json(
            &format!("/v1/corridors/{corridor_id}/lifecycle"),
            Some(ADMIN),
            &json!({"transition": "activate", "approvals": approvals}).to_string(),
        )
        .await;
    reply.assert_error(422, "invalid_request", Some("/agreements"));
    let message = reply.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains(&format!(
            "agreement: the agreement of party {} does not verify: validity_window",
            key(2).did()
        )),
        "{message}"
    );
    let summary = node
        .get(&format!("/v1/corridors/{corridor_id}"), Some(ADMIN))
        .await
        .json();
    assert_eq!(summary["lifecycle"], "pending");
}
