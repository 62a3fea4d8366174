//! Netting, pacs.008 and compliance evaluation over HTTP: the protocol's answers, and 422s that
//! name the field.

use serde_json::{Value, json};

use super::support::{ADMIN, PARTY, REGULATOR, WATCHER, start};

const OBLIGATIONS: &str = r#"[
  {"obligation_id": "o1", "from_party": "A", "to_party": "B", "amount": 100, "currency": "USD"},
  {"obligation_id": "o2", "from_party": "B", "to_party": "C", "amount": 70, "currency": "USD"},
  {"obligation_id": "o3", "from_party": "C", "to_party": "A", "amount": 50, "currency": "USD"}
]"#;

fn batch() -> Value {
    json!({
        "message_id": "MSG-2026-0001",
        "created_at": "2026-11-24T10:00:00Z",
        "settlement_date": "2026-11-25",
        "instructing_agent_bic": "HABBPKKA",
        "legs": [{
            "leg_id": "leg-1",
            "amount": 125050,
            "currency": "USD",
            "debtor": {"name": "Karachi Textiles", "bic": "HABBPKKA", "account": "PK36SCBL0000001123456702"},
            "creditor": {"name": "Dubai Trading FZE", "bic": "EBILAEAD", "account": "AE070331234567890123456"},
            "remittance": "Invoice 42"
        }]
    })
}

#[tokio::test]
async fn netting_plan_nets_per_currency() {
    let node = start().await;
    let reply = node
        .post_json("/v1/netting/plan", Some(PARTY), OBLIGATIONS)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let plan = reply.json();
    assert_eq!(plan["currencies"]["USD"]["gross"], json!(220));
    assert_eq!(plan["currencies"]["USD"]["net"], json!(50));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn netting_rejects_a_self_payment_naming_the_obligation() {
    let node = start().await;
    let input = r#"[{"obligation_id": "o1", "from_party": "A", "to_party": "A", "amount": 1, "currency": "USD"}]"#;
    node.post_json("/v1/netting/plan", Some(ADMIN), input)
        .await
        .assert_error(422, "invalid_request", Some("/0"));
    node.post_json("/v1/netting/plan", Some(ADMIN), "{}")
        .await
        .assert_error(422, "invalid_request", Some("body"));
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn pacs008_renders_xml_and_rejects_a_bad_bic() {
    let node = start().await;
    let reply = node
        .post_json("/v1/settlement/pacs008", Some(ADMIN), &batch().to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.headers["content-type"], "application/xml");
    assert!(reply.text.contains("<FIToFICstmrCdtTrf>"));
    assert!(reply.text.contains("EBILAEAD"));
    let mut bad = batch();
    bad["legs"][0]["creditor"]["bic"] = json!("EBIL");
    let rejected = node
        .post_json("/v1/settlement/pacs008", Some(ADMIN), &bad.to_string())
        .await;
    rejected.assert_error(422, "invalid_request", Some("body"));
    assert!(rejected.text.contains("EBIL"));
    node.post_json(
        "/v1/settlement/pacs008",
        Some(WATCHER),
        &batch().to_string(),
    )
    .await
    .assert_error(403, "forbidden", None);
    node.node.shutdown().await.unwrap();
}

fn subject() -> Value {
    json!({
        "subject": "entity-42",
        "jurisdiction": "PK-RSEZ",
        "attestations": [{
            "digest": "1111111111111111111111111111111111111111111111111111111111111111",
            "domain": "kyc", "state": "compliant", "issued_at": "2026-01-01T00:00:00Z",
            "expires_at": "2099-01-01T00:00:00Z"
        }],
        "facts": {"names": ["Sara Ahmed"], "filer_status": "filer"},
        "sanctions": {"snapshot_id": "test-list", "as_of": "2026-01-01T00:00:00Z",
            "entries": [{"entry_id": "SDN-1", "kind": "individual", "names": ["Ali Hassan Khan"]}]}
    })
}

#[tokio::test]
async fn compliance_evaluate_commits_to_twenty_cells_and_rejects_unknown_domains() {
    let node = start().await;
    let reply = node
        .post_json(
            "/v1/compliance/evaluate",
            Some(REGULATOR),
            &subject().to_string(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let output = reply.json();
    assert_eq!(output["leaf_count"], json!(20));
    assert_eq!(output["cells"].as_array().unwrap().len(), 20);
    let mut bad = subject();
    bad["attestations"][0]["domain"] = json!("astrology");
    let rejected = node
        .post_json("/v1/compliance/evaluate", Some(ADMIN), &bad.to_string())
        .await;
    // The request schema names the member.
    rejected.assert_error(422, "invalid_request", Some("/attestations/0/domain"));
    assert!(rejected.text.contains("astrology"));
    node.node.shutdown().await.unwrap();
}

fn instructions_request() -> Value {
    json!({
        "message_id": "MSEZ-PKAE-0001",
        "created_at": "2026-11-24T10:00:00Z",
        "settlement_date": "2026-11-25",
        "instructing_agent_bic": "HABBPKKA",
        "parties": {
            "pk-bank": {"name": "PK Textiles & Sons", "bic": "HABBPKKA", "account": "PK36SCBL0000001123456702"},
            "ae-bank": {"name": "AE Traders FZE", "bic": "EBILAEAD", "account": "AE070331234567890123456"}
        }
    })
}

#[tokio::test]
async fn corridor_settlement_instructions_render_the_netting_plan_as_valid_pacs008() {
    use super::corridors::{append, create, digest};
    use msez_protocol::ids::CorridorId;

    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.settle").unwrap();
    let created = create(&node, &corridor_id, true).await;
    let path = format!("/v1/corridors/{corridor_id}/settlement-instructions");
    // Nothing booked yet: the plan, not the request, is why there is no document.
    node.post_json(&path, Some(PARTY), &instructions_request().to_string())
        .await
        .assert_error(409, "conflict", None);

    let mut head = digest(&created["genesis_root"]);
    for sequence in 0..3 {
        head = append(&node, &corridor_id, sequence, head).await;
    }
    let reply = node
        .post_json(&path, Some(PARTY), &instructions_request().to_string())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.headers["content-type"], "application/xml");
    super::pacs008::assert_valid_pacs008(&reply.text);
    // Obligations of 100, 101 and 102 minor units net to one leg of 303: USD 3.03.
    assert!(
        reply
            .text
            .contains(r#"<IntrBkSttlmAmt Ccy="USD">3.03</IntrBkSttlmAmt>"#),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("PK Textiles &amp; Sons"));
    assert!(reply.text.contains("<EndToEndId>LEG-00001</EndToEndId>"));
    let again = node
        .post_json(&path, Some(ADMIN), &instructions_request().to_string())
        .await;
    assert_eq!(again.text, reply.text, "same plan and request, same bytes");

    let mut missing = instructions_request();
    missing["parties"]
        .as_object_mut()
        .unwrap()
        .remove("ae-bank");
    let refused = node
        .post_json(&path, Some(PARTY), &missing.to_string())
        .await;
    refused.assert_error(422, "invalid_request", Some("/parties"));
    assert!(refused.text.contains("ae-bank"), "{}", refused.text);
    let mut bad_bic = instructions_request();
    bad_bic["parties"]["pk-bank"]["bic"] = json!("HABB");
    node.post_json(&path, Some(PARTY), &bad_bic.to_string())
        .await
        .assert_error(422, "invalid_request", Some("/parties/pk-bank/bic"));
    node.post_json(
        "/v1/corridors/corridor.nowhere/settlement-instructions",
        Some(PARTY),
        &instructions_request().to_string(),
    )
    .await
    .assert_error(404, "not_found", None);
    node.post_json(&path, Some(WATCHER), &instructions_request().to_string())
        .await
        .assert_error(403, "forbidden", None);
    node.node.shutdown().await.unwrap();
}
