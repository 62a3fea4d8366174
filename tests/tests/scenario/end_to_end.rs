//! From zone start to a settled, netted, checkpointed, exported and offline-verified corridor.
//!
//! A node starts (SQLite, Mass sandbox). A corridor between a Pakistani and an Emirati party is
//! created PENDING and activated with both regulators' consents. The parties append eight
//! client-signed receipts, each booking one obligation among three trading parties in two
//! currencies. Then, as a counterparty or regulator would: the netting plan is read and checked
//! against the same obligations netted offline; settlement instructions are rendered and
//! validated against the official pacs.008 XSD; the latest checkpoint is read and its zone
//! signature verified; the chain is exported and replayed offline; and an inclusion proof is
//! verified against the checkpoint's MMR root, never against a root the node merely states.

use std::collections::BTreeMap;

use msez_protocol::checkpoint::{SignedCheckpoint, verify_checkpoint};
use msez_protocol::export::verify_export;
use msez_protocol::iso20022::parse_pacs008;
use msez_protocol::keys::SigningKey;
use msez_protocol::mmr::{InclusionProof, verify_inclusion};
use msez_protocol::netting::{NettingMode, net, obligations_from_json};
use msez_protocol::policy::SigningPolicy;
use msez_tests::load::client::NodeClient;
use msez_tests::load::corridor::{LoadCorridor, ZoneKeys, now};
use serde_json::{Value, json};

use super::node::{ADMIN, ZONE_KEY_SEED, start};

/// Receipts appended; with a checkpoint every [`CHECKPOINT_INTERVAL`] receipts the last
/// receipt is checkpointed.
const RECEIPT_COUNT: u64 = 8;

/// Receipts per checkpoint: small, so the scenario sees two.
const CHECKPOINT_INTERVAL: u64 = 4;

/// Obligation `index` of the scenario: a cycle of three parties, two currencies.
fn obligation(index: u64) -> Value {
    let parties = ["pk-textiles", "ae-traders", "cn-machinery"];
    let from = parties[(index % 3) as usize];
    let to = parties[((index + 1) % 3) as usize];
    let currency = if index.is_multiple_of(2) {
        "USD"
    } else {
        "PKR"
    };
    json!({"obligation_id": format!("inv-{index}"), "from_party": from, "to_party": to,
           "amount": 10_000 + 1_000 * index, "currency": currency})
}

fn settlement_request() -> Value {
    json!({
        "message_id": "MSEZ-E2E-0001",
        "created_at": "2026-11-24T10:00:00Z",
        "settlement_date": "2026-11-25",
        "instructing_agent_bic": "HABBPKKA",
        "remittance": "Corridor net settlement",
        "parties": {
            "pk-textiles": {"name": "PK Textiles & Sons", "bic": "HABBPKKA", "account": "PK36SCBL0000001123456702"},
            "ae-traders": {"name": "AE Traders FZE", "bic": "EBILAEAD", "account": "AE070331234567890123456"},
            "cn-machinery": {"name": "CN Machinery Co", "bic": "BKCHCNBJ", "account": "CN-7781-0001"}
        }
    })
}

/// One authorised request the load client has no method for; returns status and body text.
async fn request(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<&Value>,
) -> (u16, String) {
    let mut request = http.request(method, url).bearer_auth(ADMIN);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corridor_goes_from_zone_start_to_settled_checkpointed_and_verified_offline() {
    let node = start().await;
    let base_url = node.node.base_url();
    let client = NodeClient::new(&base_url, ADMIN, 2).unwrap();
    let http = reqwest::Client::new();
    let get = |path: String| {
        request(
            &http,
            reqwest::Method::GET,
            format!("{base_url}{path}"),
            None,
        )
    };

    // Create PENDING, then activate with every regulator's consent.
    let zone_keys = ZoneKeys::generate().unwrap();
    let mut corridor = LoadCorridor::generate("e2e", 0)
        .unwrap()
        .with_checkpoint_interval(CHECKPOINT_INTERVAL);
    let corridor_id = corridor.corridor_id().clone();
    let created = client
        .create_pending_corridor(&corridor, &zone_keys, now().unwrap())
        .await
        .unwrap();
    assert!(!created.active, "created PENDING");
    client
        .activate_corridor(&corridor_id, &zone_keys, &corridor)
        .await
        .unwrap();
    let (status, summary) = get(format!("/v1/corridors/{corridor_id}")).await;
    assert_eq!(status, 200, "{summary}");
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["lifecycle"], "active");

    // Client-signed receipts, each booking one obligation; an ack means durable.
    corridor.start_at(created.genesis_root);
    let mut acknowledged = BTreeMap::new();
    for index in 0..RECEIPT_COUNT {
        let prepared = corridor
            .sign_next_with(now().unwrap(), "obligation", obligation(index))
            .unwrap();
        let ack = client.append(&corridor_id, &prepared).await.unwrap();
        assert_eq!((ack.sequence, ack.next_root), (index, prepared.next_root));
        assert!(corridor.advance(&prepared));
        acknowledged.insert(ack.sequence, ack.next_root);
    }

    // Netting: the node's plan is the plan the same obligations net to offline.
    let (status, plan) = get(format!("/v1/corridors/{corridor_id}/netting")).await;
    assert_eq!(status, 200, "{plan}");
    let plan: Value = serde_json::from_str(&plan).unwrap();
    let obligations: Vec<Value> = (0..RECEIPT_COUNT).map(obligation).collect();
    let offline = net(
        &obligations_from_json(&Value::from(obligations)).unwrap(),
        NettingMode::Multilateral,
    )
    .unwrap();
    assert_eq!(plan, serde_json::to_value(&offline).unwrap());
    assert!(!offline.legs().is_empty());

    // Settlement: one pacs.008 for the plan, valid under the official XSD, leg for leg.
    let (status, xml) = request(
        &http,
        reqwest::Method::POST,
        format!("{base_url}/v1/corridors/{corridor_id}/settlement-instructions"),
        Some(&settlement_request()),
    )
    .await;
    assert_eq!(status, 200, "{xml}");
    super::pacs008::assert_valid_pacs008(&xml);
    let settled = parse_pacs008(&xml).unwrap();
    assert_eq!(settled.batch.legs.len(), offline.legs().len());
    for (leg, planned) in settled.batch.legs.iter().zip(offline.legs()) {
        assert_eq!(leg.amount_minor, planned.amount_minor());
        assert_eq!(leg.currency, planned.currency());
    }

    // The latest checkpoint covers every receipt and carries the zone's signature.
    let (status, checkpoint) = get(format!("/v1/corridors/{corridor_id}/checkpoint")).await;
    assert_eq!(status, 200, "{checkpoint}");
    let checkpoint: Value = serde_json::from_str(&checkpoint).unwrap();
    assert_eq!(checkpoint["receipt_count"], RECEIPT_COUNT);
    let signed = SignedCheckpoint::from_value(&checkpoint["checkpoint"]).unwrap();
    let zone_did = *SigningKey::from_seed(&ZONE_KEY_SEED).did();
    let zone_policy = SigningPolicy::new(1, vec![zone_did]).unwrap();
    let checkpoint = verify_checkpoint(&signed, &zone_policy).unwrap();
    let checkpoint_root = checkpoint.checkpoint().mmr.root.expect("a non-empty MMR");
    assert_eq!(checkpoint.checkpoint().final_state_root, corridor.head());

    // Export and replay offline: every acknowledged receipt, the same head and MMR root.
    let export = client.export(&corridor_id).await.unwrap();
    let chain = verify_export(&export, now().unwrap()).unwrap();
    assert_eq!(chain.height, RECEIPT_COUNT);
    assert_eq!(chain.head, corridor.head());
    assert_eq!(chain.mmr_root, Some(checkpoint_root));
    let exported: Vec<Value> = export
        .lines()
        .skip(1)
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    for (sequence, next_root) in &acknowledged {
        let receipt = &exported[usize::try_from(*sequence).unwrap()];
        assert_eq!(receipt["sequence"], *sequence);
        assert_eq!(receipt["next_root"], next_root.to_hex());
    }

    // An inclusion proof, verified against the checkpoint's root (the trusted one).
    let (status, proof) = get(format!("/v1/corridors/{corridor_id}/receipts/3/proof")).await;
    assert_eq!(status, 200, "{proof}");
    let proof: Value = serde_json::from_str(&proof).unwrap();
    let proof: InclusionProof = serde_json::from_value(proof["proof"].clone()).unwrap();
    assert_eq!(proof.receipt_next_root, acknowledged[&3]);
    verify_inclusion(&proof, &checkpoint_root).unwrap();
    node.node.shutdown().await.unwrap();
}
