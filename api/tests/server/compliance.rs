//! Compliance routes over HTTP: a recorded evaluation becomes the subject's tensor (folded by
//! jurisdiction), its commitment and proofs verify offline, the manifold routes only where the
//! recorded tensor allows, and every caller mistake is a 4xx naming the field. Method: one
//! `evaluation` body builder; proofs checked with the offline verifier `msez tensor
//! verify-proof` uses.

use msez_protocol::tensor::offline::verify_proof_document;
use serde_json::{Value, json};

use super::support::{ADMIN, PARTY, REGULATOR, TestNode, WATCHER, start};

/// An evaluation of `subject` in `jurisdiction` whose only evidence is a KYC attestation in
/// `kyc_state`, valid until `kyc_until`.
fn evaluation(subject: &str, jurisdiction: &str, kyc_state: &str, kyc_until: &str) -> Value {
    json!({
        "subject": subject,
        "jurisdiction": jurisdiction,
        "attestations": [{"digest": "11".repeat(32), "domain": "kyc", "state": kyc_state,
                          "issued_at": "2025-01-01T00:00:00Z", "expires_at": kyc_until}],
        "facts": {"filer_status": "filer"},
    })
}

async fn record(node: &TestNode, body: &Value) -> Value {
    let reply = node
        .post_json("/v1/compliance/tensors", Some(ADMIN), &body.to_string())
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json()
}

#[tokio::test]
async fn tensor_record_folds_jurisdictions_and_proves_cells_offline() {
    let node = start().await;
    let first = record(
        &node,
        &evaluation("entity-42", "PK-RSEZ", "compliant", "2099-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(first["leaf_count"], 20);
    assert_eq!(first["jurisdictions"], json!(["PK-RSEZ"]));
    let second = record(
        &node,
        &evaluation("entity-42", "AE", "compliant", "2099-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(second["leaf_count"], 40);
    assert_eq!(second["jurisdictions"], json!(["AE", "PK-RSEZ"]));
    assert_ne!(first["commitment_root"], second["commitment_root"]);
    let tensor = node
        .get("/v1/compliance/tensors/entity-42", Some(REGULATOR))
        .await;
    assert_eq!(tensor.status, 200, "{}", tensor.text);
    assert_eq!(tensor.json()["cells"].as_array().unwrap().len(), 40);
    assert_eq!(tensor.json()["commitment_root"], second["commitment_root"]);
    let commitment = node
        .get("/v1/compliance/tensors/entity-42/commitment", Some(PARTY))
        .await;
    assert_eq!(commitment.json(), second);
    let proof = node
        .get(
            "/v1/compliance/tensors/entity-42/proof?jurisdiction=PK-RSEZ&domain=kyc",
            Some(REGULATOR),
        )
        .await;
    assert_eq!(proof.status, 200, "{}", proof.text);
    assert_eq!(proof.json()["root"], second["commitment_root"]);
    let proven = verify_proof_document(proof.text.as_bytes()).unwrap();
    assert_eq!(proven.address.jurisdiction.as_str(), "PK-RSEZ");
    assert_eq!(proven.state.as_str(), "compliant");
    // The same evaluation again changes nothing but the time it was taken.
    let again = record(
        &node,
        &evaluation("entity-42", "AE", "compliant", "2099-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(again["commitment_root"], second["commitment_root"]);
    node.node.shutdown().await.unwrap();
}

#[tokio::test]
async fn compliance_routes_refuse_bad_input_with_the_field() {
    let node = start().await;
    let good = evaluation("entity-42", "PK", "compliant", "2099-01-01T00:00:00Z");
    node.post_json("/v1/compliance/tensors", Some(PARTY), &good.to_string())
        .await
        .assert_error(403, "forbidden", None);
    node.post_json(
        "/v1/compliance/tensors",
        Some(ADMIN),
        &json!({"subject": "entity-42"}).to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("body"));
    let mut bad_status = good.clone();
    bad_status["facts"]["filer_status"] = json!("sometimes");
    node.post_json(
        "/v1/compliance/evaluate",
        Some(ADMIN),
        &bad_status.to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("/facts/filer_status"));
    let mut bad_subject = good.clone();
    bad_subject["subject"] = json!("has space");
    node.post_json(
        "/v1/compliance/tensors",
        Some(ADMIN),
        &bad_subject.to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("/subject"));
    node.get("/v1/compliance/tensors/entity-42", Some(ADMIN))
        .await
        .assert_error(404, "not_found", None);
    node.get("/v1/compliance/tensors/has%20space", Some(ADMIN))
        .await
        .assert_error(400, "bad_request", Some("subject_id"));
    node.get("/v1/compliance/tensors/entity-42", Some(WATCHER))
        .await
        .assert_error(403, "forbidden", None);
    record(&node, &good).await;
    node.get(
        "/v1/compliance/tensors/entity-42/proof?jurisdiction=PK&domain=gambling",
        Some(ADMIN),
    )
    .await
    .assert_error(400, "bad_request", Some("query"));
    node.get(
        "/v1/compliance/tensors/entity-42/proof?jurisdiction=PK",
        Some(ADMIN),
    )
    .await
    .assert_error(400, "bad_request", Some("query"));
    node.get(
        "/v1/compliance/tensors/entity-42/proof?jurisdiction=AE&domain=kyc",
        Some(ADMIN),
    )
    .await
    .assert_error(404, "not_found", None);
    node.node.shutdown().await.unwrap();
}

/// PK → AE directly (cheap, requires KYC at both ends) or through CN (dearer, requires
/// nothing).
fn paths_body(subject: &str, k: u64) -> Value {
    json!({
        "subject": subject, "from": "PK", "to": "AE", "amount_minor": 100_000, "k": k,
        "jurisdictions": [{"jurisdiction": "PK"}, {"jurisdiction": "AE"}, {"jurisdiction": "CN"}],
        "corridors": [
            {"corridor_id": "pk-ae", "from": "PK", "to": "AE", "flat_fee_minor": 5, "fee_bps": 0,
             "transfer_hours": 1, "finality_hours": 1, "required_domains": ["kyc"]},
            {"corridor_id": "pk-cn", "from": "PK", "to": "CN", "flat_fee_minor": 10, "fee_bps": 0,
             "transfer_hours": 1, "finality_hours": 1},
            {"corridor_id": "cn-ae", "from": "CN", "to": "AE", "flat_fee_minor": 10, "fee_bps": 0,
             "transfer_hours": 1, "finality_hours": 1},
        ],
    })
}

fn route_ids(reply: &Value) -> Vec<Vec<String>> {
    reply["routes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|route| {
            route["corridors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn manifold_paths_follow_the_subject_recorded_compliance() {
    let node = start().await;
    for jurisdiction in ["PK", "AE"] {
        let cleared = evaluation("cleared", jurisdiction, "compliant", "2099-01-01T00:00:00Z");
        record(&node, &cleared).await;
        let lapsed = evaluation("lapsed", jurisdiction, "compliant", "2025-06-01T00:00:00Z");
        record(&node, &lapsed).await;
    }
    let paths = |subject: &str, k: u64| {
        let body = paths_body(subject, k).to_string();
        let node = &node;
        async move {
            node.post_json("/v1/compliance/manifold/paths", Some(REGULATOR), &body)
                .await
        }
    };
    let cleared = paths("cleared", 2).await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert_eq!(
        route_ids(&cleared.json()),
        [vec!["pk-ae"], vec!["pk-cn", "cn-ae"]]
    );
    assert_eq!(cleared.json()["routes"][0]["cost_minor"], 5);
    let lapsed = paths("lapsed", 2).await;
    assert_eq!(route_ids(&lapsed.json()), [vec!["pk-cn", "cn-ae"]]);
    paths("unknown-subject", 1)
        .await
        .assert_error(404, "not_found", None);
    let mut unknown_end = paths_body("cleared", 1);
    unknown_end["to"] = json!("FR");
    node.post_json(
        "/v1/compliance/manifold/paths",
        Some(ADMIN),
        &unknown_end.to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("/to"));
    let mut duplicate = paths_body("cleared", 1);
    duplicate["corridors"][1]["corridor_id"] = json!("pk-ae");
    node.post_json(
        "/v1/compliance/manifold/paths",
        Some(ADMIN),
        &duplicate.to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("/corridors"));
    node.post_json(
        "/v1/compliance/manifold/paths",
        Some(ADMIN),
        &paths_body("cleared", 65).to_string(),
    )
    .await
    .assert_error(422, "invalid_request", Some("/k"));
    node.node.shutdown().await.unwrap();
}
